//! What a delivery's outcome teaches the trouble (its channel, messages, failures), and what a call about to go still carries.

use super::*;

/// The deliverer is about to make `op`. A status refresh takes the queued flag with it: any
/// change from now on queues another. A nudge that waited in the queue while the owner updated
/// the customer (or closed) is no longer true: withdrawn rather than nag about something done.
pub(super) fn sending(w: &mut Work, op: Op) {
    match op {
        Op::Refresh { slot: Slot::Status } if w.t.status_refresh_queued => {
            w.t.status_refresh_queued = false;
            w.changed = true;
        }
        Op::Post {
            message: Message::Nudge(n),
            ..
        } => {
            let closed = w.t.closed.is_some();
            w.d.withdrawn = closed || w.t.last_customer_contact() != n.last_contact;
            if w.d.withdrawn {
                w.log(None, Event::NudgeWithdrawn { closed });
            }
        }
        // An action's reminder that waited in the queue (behind pacing, or Slack down) while the
        // action was done or cancelled would ask for what is no longer open: withdrawn, its
        // channel post and its DM, and the timeline says so once (with the channel's).
        Op::Post {
            to,
            message: Message::Step(crate::trouble::facts::StepLine::ActionReminder { n, .. }),
            ..
        } => {
            let Some(action) = w.t.substance.actions.get(n.wrapping_sub(1)) else {
                return;
            };
            let cancelled = action.cancelled.is_some();
            w.d.withdrawn = !action.is_open();
            if w.d.withdrawn && !matches!(to, Dest::Dm(_)) {
                w.log(
                    None,
                    Event::Stage(crate::trouble::facts::StepEvent::ActionReminderWithdrawn { n, cancelled }),
                );
            }
        }
        _ => {}
    }
}

pub(super) fn delivered(w: &mut Work, outcome: Outcome) {
    match outcome {
        Outcome::ChannelCreated { channel, name } => {
            w.t.channel = Some(channel.clone());
            w.t.channel_name = Some(name.clone());
            w.log(None, Event::ChannelCreated { channel, name });
            channel_made(w);
            // The DMs and the origin notice went out before the channel existed: add its link.
            // The escalation's DMs too, asking or answered: they may have said Slack refused it.
            w.refresh_manager_dms();
            w.refresh_asking_dms();
            w.refresh_origin_notice();
        }
        Outcome::ChannelRenamed { name } => {
            w.t.channel_name = Some(name);
            w.changed = true;
        }
        Outcome::Posted {
            slot,
            channel,
            ts,
            together,
            shown,
        } => {
            let shown = shown.map(|m| *m);
            let channel_known = w.t.channel.is_some();
            let posted = PostedMessage { channel, ts, together };
            match slot {
                Slot::Kickoff => {
                    let ts = posted.ts.clone();
                    w.t.kickoff = Some(posted);
                    kickoff_known(w, &ts);
                }
                Slot::Status => w.t.status = Some(posted),
                Slot::Report => {
                    if let Some(r) = w.t.last_report.as_mut() {
                        r.message = Some(posted);
                    }
                    // A closed trouble's kickoff links to its report.
                    if w.t.closed.is_some() {
                        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
                    }
                }
                Slot::ManagerDm | Slot::ConfiguredManagerDm => {
                    match slot {
                        Slot::ManagerDm => w.t.manager_dm = Some(posted),
                        _ => w.t.configured_manager_dm = Some(posted),
                    }
                    // Drawn before the channel was made, or before Slack refused it (the
                    // refusal found no DM to edit yet): the link, or the refusal, is added.
                    if channel_known || w.t.channel_refused {
                        w.send(Lane::Dm, Op::Refresh { slot });
                    }
                }
                Slot::EscalationDm => escalation_dm_posted(w, KeptDm { posted, shown }),
                Slot::NamedManagerDm => named_manager_dm_posted(w, KeptDm { posted, shown }),
                Slot::WaitingDm => waiting_dm_posted(w, KeptDm { posted, shown }),
                Slot::Proposal { n, dm } => crate::trouble::approval::asking_posted(w, n, dm, posted, shown),
                Slot::EffectCheck { n, round, epoch } => {
                    crate::trouble::actions::effect_check_posted(w, n, round, epoch, posted)
                }
                Slot::Announcement { n } => {
                    if w.t.announcements.len() <= n {
                        w.t.announcements.resize(n + 1, None);
                    }
                    w.t.announcements[n] = Some(posted);
                    // Posted before the channel was known: its "(being set up)" becomes a link.
                    if channel_known {
                        w.send(Lane::Announce, Op::Refresh { slot });
                    }
                }
                // Kept with the team's lines it is posted as (below); posted as it is where
                // the customer may read, nothing of it is kept and nothing changed.
                Slot::Entry { .. } => return,
                Slot::OriginNotice => {
                    w.t.origin_notice = Some(posted);
                    if channel_known {
                        w.send(
                            Lane::Origin,
                            Op::Refresh {
                                slot: Slot::OriginNotice,
                            },
                        );
                    }
                }
            }
            w.changed = true;
        }
        // Nothing internal goes where the customer reads: the reporter alone hears of the trouble
        // they opened there; the owner hears that an announcement was held back.
        Outcome::SharedExternally { channel } if channel != w.t.origin.channel => {
            let owner = w.t.owner.clone();
            w.post(Lane::Dm, Dest::Dm(owner), Message::SharedChannelSkipped { channel });
        }
        // Whoever the announcement was for has not heard: the owner tells them, and has the
        // configuration or the bot's membership there fixed.
        Outcome::NotAnnounced {
            channel,
            error,
            raised_to,
        } => {
            let method = "chat.postMessage".to_string();
            w.log(
                None,
                Event::DeliveryFailed {
                    method,
                    error: error.clone(),
                    who: None,
                },
            );
            let owner = w.t.owner.clone();
            w.post(
                Lane::Dm,
                Dest::Dm(owner),
                Message::NotAnnounced {
                    channel,
                    error,
                    raised_to,
                },
            );
        }
        // Said to the people it is for, by DM, instead: the owner, and the manager it brings in.
        // An escalation's own DM already asks the one it names.
        // A hand-over to someone away is for who handed it over and the manager, not the one away.
        Outcome::FollowUpHeld {
            message: message @ Message::HandedToAway { .. },
        } => {
            if let Message::HandedToAway { by, manager, named, .. } = &message {
                for who in std::iter::once(by.clone()).chain(manager.clone()).chain(named.clone()) {
                    w.post(Lane::Dm, Dest::Dm(who), message.clone());
                }
            }
        }
        // The owner or manager who left a channel the customer reads is added back without a
        // word there: they alone hear why, by DM.
        Outcome::FollowUpHeld {
            message: message @ Message::AddedBack { asked: false, .. },
        } => {
            if let Message::AddedBack { user, .. } = &message {
                let who = user.clone();
                w.post(Lane::Dm, Dest::Dm(who), message);
            }
        }
        // A note or a scope line kept from a channel the customer reads: the owner and the
        // manager read it by DM instead, as they would have in the channel; its writer has it
        // already.
        Outcome::FollowUpHeld { message }
            if matches!(
                message,
                Message::Recorded {
                    what: Record::Note { .. },
                    ..
                }
            ) || crate::trouble::facts::names_the_scope(&message) =>
        {
            let by = match &message {
                Message::Recorded { by, .. } => Some(by.clone()),
                Message::Step(crate::trouble::facts::StepLine::Logged { by, .. }) => by.clone(),
                _ => None,
            };
            let mut readers = vec![w.t.owner.clone()];
            readers.extend(w.t.manager.clone().filter(|m| *m != w.t.owner));
            for who in readers.into_iter().filter(|who| Some(who) != by.as_ref()) {
                w.post(Lane::Dm, Dest::Dm(who), message.clone());
            }
        }
        // The owner's notice with nobody to DM it to, held back from a channel the customer
        // reads: nobody heard, so the bot goes on DMing the owner (the one way left to reach
        // them) rather than fall silent.
        Outcome::FollowUpHeld {
            message:
                Message::OwnerUnreachable {
                    owner,
                    manager: None,
                    named: None,
                    ..
                },
        } => dm_owner_again(w, &owner),
        Outcome::FollowUpHeld { message } => {
            let also = match &message {
                Message::Nudge(n) => n.manager.clone(),
                Message::FirstContact { manager, .. } => manager.clone(),
                Message::OwnerAway { manager, .. } => Some(manager.clone()),
                Message::FarPromise { manager, .. } => Some(manager.clone()),
                // A possible recurrence is the manager's matter as much as the owner's.
                Message::Step(
                    crate::trouble::facts::StepLine::Recurrence { .. }
                    | crate::trouble::facts::StepLine::MeasureElsewhere { .. },
                ) => w.t.manager.clone(),
                _ => None,
            };
            // An action's reminder was DMed to the action's owner beside the channel's line:
            // the trouble's owner hears it instead of the channel, unless it is theirs.
            let dmed_already = match &message {
                Message::Step(crate::trouble::facts::StepLine::ActionReminder { n, .. }) => {
                    let action = n.checked_sub(1).and_then(|i| w.t.substance.actions.get(i));
                    action.is_none_or(|a| a.owner == w.t.owner)
                }
                // Whoever up the chain was added back is asked by their own escalation DM; the
                // channel, shared with the customer, sees them come back without why.
                Message::EscalationMention { .. } | Message::AddedBack { .. } => true,
                // Whoever hears a warning was DMed it beside the channel's line; a DM to the
                // owner it speaks of would fail as theirs did.
                Message::OwnerUnreachable { .. } => true,
                _ => false,
            };
            if !dmed_already {
                w.dm_owner_and(message, also);
            }
        }
        Outcome::AgreementHeld { line } => crate::trouble::approval::held_back(w, line),
        Outcome::OriginUnreachable { channel, error } => {
            if let Some(channel) = channel {
                w.log(None, Event::OriginNoticeFailed { channel, error });
            }
            notice_to_reporter_alone(w);
        }
        Outcome::SharedExternally { .. } => notice_to_reporter_alone(w),
        // Slack refused the `response_url` itself (used up, or expired while the notice
        // waited): the reporter hears by DM, as without one.
        Outcome::ReporterUrlRefused { error } => {
            w.log(
                None,
                Event::DeliveryFailed {
                    method: "response_url".into(),
                    error,
                    who: None,
                },
            );
            let owner = w.t.owner.clone();
            w.post(Lane::Dm, Dest::Dm(owner), Message::OriginNotice);
        }
        Outcome::PersonUnreachable {
            who,
            method,
            error,
            why,
        } => {
            // An owner set aside is tried again only with what asks them to act, and each such
            // DM refused again is the fact the timeline has since they were set aside: said once,
            // not once per nudge.
            if !w.t.unreachable_owners.contains(&who) {
                w.log(
                    None,
                    Event::DeliveryFailed {
                        method,
                        error: error.clone(),
                        who: Some(who.clone()),
                    },
                );
            }
            // Without leave to DM anyone, a DM handing their work on would fail alike. The
            // owner of an open trouble unreachable: the whole trouble is to be handed on.
            match (why != DmRefusal::AppLacksPermission, who == w.t.owner && w.t.is_open()) {
                (false, _) => {}
                (true, true) => owner_unreachable(w, &who, &error, why),
                (true, false) => work_unreachable(w, &who, &error),
            }
            person_unreachable(w, who, error, why);
        }
        Outcome::ReaderAway {
            posted,
            who,
            away,
            reading,
        } => {
            if let Some(posted) = posted {
                delivered(w, *posted);
            }
            match reading {
                None => reader_away(w, who, away),
                Some(AwayReading::ActionReminder { n }) => crate::trouble::actions::action_owner_away(w, n, who, away),
                Some(AwayReading::ActionOwnerAway { n }) => {
                    crate::trouble::actions::action_owner_away_unread(w, n, who, away)
                }
                Some(AwayReading::HandedOver { by }) => handed_to_away(w, who, by, away),
            }
        }
        Outcome::DmReached { who, then } => {
            if let Some(then) = then {
                delivered(w, *then);
            }
            owner_reached_again(w, &who);
        }
        Outcome::ChannelUnavailable {
            call,
            channel,
            method,
            error,
        } => channel_unavailable(w, *call, channel, method, error),
        Outcome::ChannelChecked { channel, seen, n } => channel_checked(w, channel, seen, n),
        Outcome::TeamLinePosted { mut line, judged, then } => {
            match then.map(|then| *then) {
                // The line carries an entry's typed text: kept knowing which, so that a
                // redaction of the entry edits the line.
                Some(Outcome::Posted {
                    slot: Slot::Entry { seq },
                    ..
                }) => line.entry = Some(seq),
                Some(then) => delivered(w, then),
                None => {}
            }
            super::outside::team_line_posted(w, *line, judged);
        }
        // Always Slack's own error code: a call that could not run because an earlier one failed
        // (no channel yet) never reaches here: one for the trouble's channel comes back to the
        // core (`ChannelUnavailable`), any other is dropped by the deliverer (see `AttemptError`).
        Outcome::Failed { method, error } => {
            w.log(
                None,
                Event::DeliveryFailed {
                    method: method.clone(),
                    error: error.clone(),
                    who: None,
                },
            );
            if method == "conversations.info" {
                checks_refused(w);
            }
            // Without a channel nothing else can happen there, and the departments it was to
            // ping and invite never hear (the first move is the manager's and theirs): the owner
            // must know at once which trouble, and whom to tell themselves. A replacement for a
            // deleted channel is another case: they heard at the kickoff, the channel is what
            // is missing. Its DM's button asks Slack again, once someone has the app's
            // permissions fixed.
            if method == "conversations.create" {
                w.t.channel_refused = true;
                w.t.channel_create_queued = false;
                w.changed = true;
                let owner = w.t.owner.clone();
                let again = w.t.channel_deleted;
                w.post(Lane::Dm, Dest::Dm(owner), Message::ChannelNotCreated { error, again });
                // The managers' DMs said it was being set up: they say it was refused, with the
                // button that asks again; the escalation's, asking or answered, say it was refused.
                w.refresh_manager_dms();
                w.refresh_asking_dms();
            }
        }
    }
}

/// The notice the origin channel could not (or must not) carry goes to the reporter alone,
/// through the command's `response_url` while Slack still takes it.
fn notice_to_reporter_alone(w: &mut Work) {
    let url = w.t.origin.response_url.clone();
    match url.filter(|_| w.ctx.now - w.t.opened_at < RESPONSE_URL_LIFETIME) {
        Some(url) => w.send(
            Lane::Origin,
            Op::Respond {
                url,
                message: Message::OriginNotice,
                replace: false,
            },
        ),
        // A form opened without a command (a shortcut) brings no response URL, and Slack no
        // longer takes one past its half hour (an outage, a restart): the reporter, its owner,
        // hears by DM, so they learn the trouble's id and channel all the same.
        None => {
            let owner = w.t.owner.clone();
            w.post(Lane::Dm, Dest::Dm(owner), Message::OriginNotice);
        }
    }
}

/// The kickoff's ts is known: a reply kept from before, in its thread, by someone who may
/// acknowledge, is the acknowledgement it was meant as.
fn kickoff_known(w: &mut Work, ts: &Ts) {
    let early = std::mem::take(&mut w.t.early_replies);
    if early.is_empty() {
        return;
    }
    w.changed = true;
    let first = early
        .into_iter()
        .find(|r| r.thread_ts == *ts && may(w.ctx.policy, &w.t, &r.user, Act::Acknowledge));
    if let (Some(reply), None, true) = (first, &w.t.ack, w.t.is_open()) {
        acknowledge(w, &reply.user);
    }
}

/// `owner`, the open trouble's owner, could not be DMed for a reason of their own (gone from
/// Slack, someone the bot may not reach: `why`): the nudges to update the customer, and whatever
/// else the bot tells them, reach nobody. Whoever hears a warning (their manager, and the one
/// named beside them) is DMed why, and the trouble's channel reads it (held back where the
/// customer reads: the DMs say it), once for each owner: to reach them, or hand the trouble
/// over, with their open actions. The ask names the one of them who may hand it over
/// (`who_may`: the owner's chain from `[org]` when there is one); the other is told for
/// information, since they would be refused.
fn owner_unreachable(w: &mut Work, owner: &UserId, error: &str, why: DmRefusal) {
    if w.t.unreachable_owners.contains(owner) {
        return;
    }
    let warned = warned(w.ctx.policy, &w.t);
    let readers: Vec<UserId> = warned.mentioned().filter(|m| *m != owner).cloned().collect();
    // With nobody to DM, the channel's line is all: held back where the customer reads, it
    // tells nobody, and the owner is marked no more (see `delivered`): the bot keeps DMing them.
    w.t.unreachable_owners.push(owner.clone());
    w.changed = true;
    let asked = readers
        .iter()
        .find(|r| may(w.ctx.policy, &w.t, r, Act::ChangeOwner))
        .cloned();
    let told = readers.iter().find(|r| Some(*r) != asked.as_ref()).cloned();
    let message = Message::OwnerUnreachable {
        owner: owner.clone(),
        error: error.to_string(),
        why,
        manager: asked,
        named: told,
        actions: open_actions_of(w, owner),
    };
    for to in readers {
        w.post(Lane::Dm, Dest::Dm(to), message.clone());
    }
    w.post(Lane::Channel, Dest::TroubleChannel, message);
}

/// `who`, an owner set aside as Slack refused them a DM, is DMed again, and told of anew should
/// it fail again: their notice reached nobody (see `delivered`).
fn dm_owner_again(w: &mut Work, who: &UserId) {
    if w.t.unreachable_owners.contains(who) {
        w.t.unreachable_owners.retain(|u| u != who);
        w.changed = true;
    }
}

/// A DM reached `who`, set aside as Slack refused them a DM for good: Slack takes their DMs
/// again, so the bot DMs them as the owner again, and should it fail anew their manager hears
/// anew. The timeline alone says so: the chain was told to hand the trouble over, and a line in
/// the channel or a DM to them for each owner come back would be noise beside a hand-over
/// nobody needs to make now (the trouble's channel shows the owner answering as ever).
fn owner_reached_again(w: &mut Work, who: &UserId) {
    if !w.t.unreachable_owners.contains(who) {
        return;
    }
    dm_owner_again(w, who);
    w.log(None, Event::OwnerReachedAgain { who: who.clone() });
}

/// The numbers of `who`'s open actions of the trouble, as the channel numbers them.
fn open_actions_of(w: &Work, who: &UserId) -> Vec<usize> {
    (1..)
        .zip(&w.t.substance.actions)
        .filter(|(_, a)| a.owner == *who && a.is_open())
        .map(|(n, _)| n)
        .collect()
}

/// `who` could not be DMed (gone from Slack, say) and owns open actions of the trouble: their
/// reminders, and after the close the measure's checks, reach nobody. Whoever answers for the
/// trouble hears it once, with the actions to hand on: its owner, or its manager when the owner
/// is the one who cannot be reached.
fn work_unreachable(w: &mut Work, who: &UserId, error: &str) {
    let actions = open_actions_of(w, who);
    if actions.is_empty() || w.t.unreachable_workers.contains(who) {
        return;
    }
    // The owner unreachable: whoever hears a warning (the owner's manager, the one named).
    let to: Vec<UserId> = match *who == w.t.owner {
        false => vec![w.t.owner.clone()],
        true => warned(w.ctx.policy, &w.t)
            .mentioned()
            .filter(|m| *m != who)
            .cloned()
            .collect(),
    };
    if to.is_empty() {
        return;
    }
    w.t.unreachable_workers.push(who.clone());
    w.changed = true;
    let message = Message::WorkUnreachable {
        who: who.clone(),
        error: error.to_string(),
        actions,
    };
    for to in to {
        w.post(Lane::Dm, Dest::Dm(to), message.clone());
    }
}
