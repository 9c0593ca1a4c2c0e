//! Opening a trouble: the channel's name, the refusal before anything exists, the first move.

use super::*;

/// The channel name: `<prefix>-<yyyymmdd>-<n>[-<ascii slug of customer>]`, at most 80 characters.
pub fn channel_name(prefix: &str, id: &TroubleId, customer: &str, attempt: u32) -> String {
    let mut slug = String::new();
    // `&amp;` in Slack's text is one `&`, not a word "amp".
    // `ＡＣＭＥ` typed full-width names the channel as `ACME` would.
    // `AСME`, its С Cyrillic, names it as `ACME` would (a slug keeps ASCII letters alone).
    let folded = crate::trouble::money::fold_width(&crate::trouble::markup::unescape(customer)).to_lowercase();
    for c in crate::trouble::customer::latin_reading(folded).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let suffix = if attempt > 1 {
        format!("-{attempt}")
    } else {
        String::new()
    };
    let mut name = format!("{prefix}-{id}");
    if !slug.is_empty() {
        let room = 80usize.saturating_sub(name.len() + 1 + suffix.len());
        let cut: String = slug.chars().take(room).collect();
        let cut = cut.trim_end_matches('-');
        if !cut.is_empty() {
            name.push('-');
            name.push_str(cut);
        }
    }
    name.push_str(&suffix);
    name
}

/// `open 重大 ベータ: …`: a severity typed by the name the configuration gives it, before the
/// customer, is that severity, not part of the customer's name (which would open it at the
/// default severity, no alert sent). Only names the configuration sets are read so: a customer
/// called "Critical Systems" never loses a word to a default name.
pub fn severity_by_name(policy: &Policy, req: OpenRequest) -> OpenRequest {
    if req.severity.is_some() {
        return req;
    }
    let Some((first, rest)) = req.customer.trim().split_once(char::is_whitespace) else {
        return req;
    };
    let folded = |s: &str| crate::trouble::money::fold_width(s).to_lowercase();
    let named = policy
        .severities
        .values()
        .find(|s| s.name.as_deref().is_some_and(|n| folded(n) == folded(first)));
    match named {
        Some(s) if !rest.trim().is_empty() => OpenRequest {
            severity: Some(s.level),
            customer: rest.trim().to_string(),
            ..req
        },
        _ => req,
    }
}

/// Opens a new trouble: the first move.
pub fn open(ctx: &Ctx, id: TroubleId, seq: u32, owner: UserId, origin: Origin, req: OpenRequest) -> Decision {
    let policy = ctx.policy;
    // The modal's fields arrive here without the command grammar's check.
    if let Err(e) = check_length(&req.customer).and_then(|_| check_length(&req.summary)) {
        return Decision::reply(Reply::Usage(e));
    }
    if let Some(e) = crate::trouble::command::severity_said_as_name(&req) {
        return Decision::reply(Reply::Usage(e));
    }
    let severity = req.severity.unwrap_or(policy.default_severity);
    if !policy.severities.contains_key(&severity) {
        return Decision::reply(Reply::UnknownSeverity {
            level: severity,
            known: policy.severities.keys().copied().collect(),
        });
    }
    let named_departments = match departments_named(policy, &req.departments) {
        Ok(named) => named,
        Err(refusal) => return Decision::reply(refusal),
    };
    if let Some(refusal) = open_refusal(policy, &owner, &req) {
        return Decision::reply(refusal);
    }
    if let Some(p) = crate::trouble::customer::same_open(&req.past, &owner, &req.summary, ctx.now) {
        return Decision::reply(Reply::OpenedAlready {
            id: p.id.clone(),
            channel: p.channel.clone(),
            channel_name: p.channel_name.clone(),
            refused: p.channel.is_none() && p.channel_refused,
            options: req.severity.is_some() || req.manager.is_some() || !req.departments.is_empty(),
        });
    }
    let chain = chain_for(policy, &owner, req.manager.as_ref());
    let manager = chain.first().cloned();
    // A manager named instead of the configured one: the configured one still hears at once.
    let configured = policy
        .manager_of(&owner)
        .filter(|m| chain.contains(m) && Some(m) != manager.as_ref());
    let mut departments = named_departments;
    let mut named = std::collections::HashSet::new();
    departments.retain(|d| named.insert(d.clone()));
    let trouble = Trouble {
        id: id.clone(),
        seq,
        customer: req.customer.clone(),
        summary: req.summary.clone(),
        severity,
        owner: owner.clone(),
        former_owners: Vec::new(),
        manager: manager.clone(),
        departments,
        origin: Origin {
            by: Some(owner.clone()),
            ..origin
        },
        opened_at: ctx.now,
        channel: None,
        channel_name: Some(channel_name(&policy.channel_prefix, &id, &req.customer, 1)),
        kickoff: None,
        status: None,
        manager_dm: None,
        configured_manager_dm: None,
        origin_notice: None,
        announcements: Vec::new(),
        // Gathering the facts starts the moment the trouble is reported.
        stages: StageId::all()
            .map(|i| match i {
                StageId::Facts => Stage {
                    state: StageState::InProgress,
                    started_at: Some(ctx.now),
                    ..Stage::default()
                },
                _ => Stage::default(),
            })
            .collect(),
        ack: None,
        // Both heard at once: the escalation goes on up from the higher of the two, so a
        // manager named above the configured one is not followed by a step down to them.
        escalation: Escalation {
            level: configured
                .as_ref()
                .and_then(|c| chain.iter().position(|u| u == c))
                .unwrap_or(0),
            // The manager (and the configured one) are asked now, by their DMs.
            asked: manager
                .iter()
                .chain(configured.iter())
                .map(|who| Asked {
                    who: who.clone(),
                    at: ctx.now,
                })
                .collect(),
            chain,
            ..Escalation::default()
        },
        customer_updates: Vec::new(),
        split: None,
        costs: Vec::new(),
        measures: Vec::new(),
        closed: None,
        timeline_len: 0,
        timeline_head: GENESIS.to_string(),
        status_refresh_queued: false,
        channel_create_queued: false,
        followup_epoch: 0,
        first_contact_epoch: 0,
        added: Vec::new(),
        members_seen: Vec::new(),
        channel_lost: None,
        held: None,
        channel_check: None,
        earlier_kickoffs: Vec::new(),
        private: Some(policy.private_channels),
        last_report: None,
        substance: Default::default(),
        agreement: Default::default(),
        past: Vec::new(),
        names: Default::default(),
        as_reported: None,
        early_replies: Vec::new(),
        waiting_dms: Vec::new(),
        waiting_settled: Vec::new(),
        unreachable_workers: Vec::new(),
        unreachable_owners: Vec::new(),
        away_workers: Vec::new(),
        team_lines: Vec::new(),
        team_lines_dropped: 0,
        shared_seen: None,
        status_as_of: None,
        channel_deleted: false,
        channel_refused: false,
        still_waiting_told: None,
        deadlines_untold: false,
    };
    let mut w = Work::new(ctx, trouble);
    let departments = w.departments_to_ping();
    w.log(
        Some(&owner),
        Event::Opened {
            customer: req.customer,
            summary: req.summary,
            severity,
            owner: owner.clone(),
            manager: manager.clone(),
            departments: departments.clone(),
            named: Some(w.t.departments.len()),
            private: w.t.private,
        },
    );
    // 1. The manager's ping goes first, in its own lane: nothing about the channel may delay it.
    if let Some(m) = &manager {
        w.send(
            Lane::Dm,
            Op::Post {
                to: Dest::Dm(m.clone()),
                message: Message::ManagerDm,
                keep_as: Some(Slot::ManagerDm),
            },
        );
        w.log(None, Event::ManagerPinged { manager: m.clone() });
        w.start_ack_timer();
    }
    if let Some(c) = &configured {
        w.send(
            Lane::Dm,
            Op::Post {
                to: Dest::Dm(c.clone()),
                message: Message::ManagerDm,
                keep_as: Some(Slot::ConfiguredManagerDm),
            },
        );
        w.log(None, Event::ManagerPinged { manager: c.clone() });
    }
    // 6. The origin channel hears of it at once, and 7. the announce channels.
    w.send(
        Lane::Origin,
        Op::Post {
            to: Dest::Channel(w.t.origin.channel.clone()),
            message: Message::OriginNotice,
            keep_as: Some(Slot::OriginNotice),
        },
    );
    for (n, c) in w.severity_policy().announce_channels.clone().into_iter().enumerate() {
        w.send(
            Lane::Announce,
            Op::Post {
                to: Dest::Channel(ChannelId::new(c)),
                message: Message::Announcement,
                keep_as: Some(Slot::Announcement { n }),
            },
        );
    }
    // 2-5. The channel, in order: create, invite, kickoff (pinned), status (pinned).
    queue_channel_creation(&mut w);
    let mut invitees = vec![owner.clone()];
    invitees.extend(manager.iter().cloned());
    invitees.extend(configured.iter().cloned());
    for d in &departments {
        invitees.extend(policy.departments[d].members.iter().cloned());
    }
    let mut seen = std::collections::HashSet::new();
    invitees.retain(|u| seen.insert(u.clone()));
    w.invite(invitees);
    post_kickoff_and_status(&mut w);
    w.t.past = crate::trouble::customer::shown_in(policy, &w.t, &req.past);
    post_beside_kickoff(&mut w);
    let first_followup = w.working_after(ctx.now, w.cadence());
    w.start_followup_timer(first_followup);
    let (reminder, due) = (
        first_contact_reminder(ctx.policy, &w.t),
        first_contact_due(ctx.policy, &w.t),
    );
    w.timer(
        reminder,
        TimerKind::FirstContact {
            missed: false,
            epoch: 0,
        },
    );
    w.timer(due, TimerKind::FirstContact { missed: true, epoch: 0 });
    let channel_name = w.t.channel_name.clone().unwrap_or_default();
    w.changed = true;
    let manager_pinged = manager.is_some();
    let top_of_org = !manager_pinged && at_top_of_org(policy, &w.t.owner);
    let (customer, severity) = (w.t.customer.clone(), w.t.severity);
    w.finish(Some(Reply::Opened {
        id,
        customer,
        severity,
        channel_name,
        manager_pinged,
        top_of_org,
    }))
}

/// The kickoff and the status, each posted and pinned, in the channel's lane: after the channel
/// is made and everyone invited.
pub(super) fn post_kickoff_and_status(w: &mut Work) {
    post_and_pin(w, Message::Kickoff, Slot::Kickoff);
    post_and_pin(w, Message::Status, Slot::Status);
}

/// What the kickoff brings with it in a new channel: whom to name when nobody manages the
/// trouble (or that the owner is at the top of `[org]`), and the customer's past troubles in its
/// thread. At the open, and in a channel Slack refused then and made late.
pub(super) fn post_beside_kickoff(w: &mut Work) {
    if w.t.manager.is_none() {
        let hint = if at_top_of_org(w.ctx.policy, &w.t.owner) {
            Message::TopOfOrgHint
        } else {
            Message::NoManagerHint
        };
        w.post(Lane::Channel, Dest::TroubleChannel, hint);
    }
    if !w.t.past.is_empty() {
        w.post(Lane::Channel, Dest::KickoffThread, Message::CustomerHistory);
    }
}

/// Whether `message` to `to` is one [`post_beside_kickoff`] posts (whatever the trouble): what
/// holds the calls of a channel not made yet knows what a set-up posts again.
pub(super) fn beside_kickoff(to: &Dest, message: &Message) -> bool {
    matches!(
        (to, message),
        (Dest::TroubleChannel, Message::NoManagerHint | Message::TopOfOrgHint)
            | (Dest::KickoffThread, Message::CustomerHistory)
    )
}

/// `message` posted in the trouble's channel, kept as `slot` and pinned.
pub(super) fn post_and_pin(w: &mut Work, message: Message, slot: Slot) {
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message,
            keep_as: Some(slot),
        },
    );
    w.send(Lane::Channel, Op::Pin { slot });
}

/// Why an open request is refused before anything is created: the owner is never their own
/// manager, nor managed by someone who reports to them (the command, the modal and
/// `/trouble manager` alike).
/// The configured departments NAMES mean, or the answer naming the one that is none.
pub(super) fn departments_named(policy: &Policy, names: &[String]) -> Result<Vec<String>, Reply> {
    policy
        .departments_named(names)
        .map_err(|name| Reply::UnknownDepartment {
            name,
            known: policy.departments.keys().cloned().collect(),
        })
}

pub fn open_refusal(policy: &Policy, owner: &UserId, req: &OpenRequest) -> Option<Reply> {
    req.manager.as_ref().and_then(|m| manager_refusal(policy, owner, m))
}

/// Why `manager` cannot be the manager of `owner`'s trouble: they are the owner, or the owner is
/// above them in `[org]` (their own report would acknowledge their trouble).
pub fn manager_refusal(policy: &Policy, owner: &UserId, manager: &UserId) -> Option<Reply> {
    if manager == owner {
        return Some(Reply::OwnerCannotBeManager);
    }
    policy.reports_to(manager, owner).then(|| Reply::ManagerReportsToOwner {
        manager: manager.clone(),
        owner: owner.clone(),
    })
}
