//! Commands and buttons: what `/trouble …` and a click mean for a trouble, and `/trouble add`.

use super::*;

/// The refusal of handing `t` to `to` (whose chain would be `chain`) when its owner, someone
/// who owned it before, or someone below either, would then overrule it (lower it, force its
/// close): handed to their own report, they would stand in the new owner's chain from `[org]`,
/// over the trouble they owned. Refused while someone else overrules it now; with nobody above
/// the owner (the top of `[org]`), handing it down is how it gets a chain at all.
fn handed_to_their_report(policy: &Policy, t: &Trouble, to: &UserId, chain: &[UserId]) -> Option<Reply> {
    let owners = || std::iter::once(&t.owner).chain(&t.former_owners);
    let whose = |u: &UserId| owners().find(|o| *u == **o || policy.reports_to(u, o)).cloned();
    let configured = chain_for(policy, to, None);
    let overruling_then = if configured.is_empty() { chain } else { &configured };
    let overruling_now: Vec<UserId> = overruling_chain(policy, t)
        .into_iter()
        .filter(|u| whose(u).is_none())
        .collect();
    let owner = overruling_then
        .iter()
        .find_map(whose)
        .filter(|_| !overruling_now.is_empty())?;
    Some(Reply::HandedToOwnersReport {
        to: to.clone(),
        former: owner != t.owner,
        owner,
        overruling: overruling_now,
    })
}

pub(super) fn command_on(w: &mut Work, user: UserId, command: Command) -> Option<Reply> {
    use crate::trouble::facts::Step;
    let reopening = matches!(command, Command::Step(Step::Reopen(_)));
    // The 8D is wanted most once the trouble is closed; the actions a close leaves open (the
    // measures that take weeks) are still done and verified after it.
    let after_close = matches!(
        command,
        Command::Status
            | Command::Report
            | Command::Report8d { .. }
            | Command::Step(
                Step::ActionDone(..) | Step::ActionVerify(..) | Step::FixAction { .. } | Step::ActionCancel(..)
            )
    );
    if w.t.closed.is_some() && !after_close && !reopening {
        return Some(already_closed(w.ctx.policy, &w.t));
    }
    if let Some(refusal) = act_of(w.ctx.policy, &w.t, &command).and_then(|act| refuse(w.ctx.policy, &w.t, &user, act)) {
        return Some(refusal);
    }
    let now = w.ctx.now;
    Some(match command {
        Command::Status => Reply::Status(Box::new(w.t.clone())),
        Command::Ack => match try_acknowledge(w, &user) {
            Reply::NotAllowed {
                act: Act::Acknowledge,
                who,
            } if user == w.t.owner => Reply::AckNotAllowedToOwner {
                who,
                id: w.t.id.clone(),
            },
            reply => reply,
        },
        Command::Next(note) => match w.t.current_stage() {
            None => Reply::AllStagesDone,
            Some(stage) if crate::trouble::facts::stage_refusal(w, &user, stage, &note).is_some() => {
                return crate::trouble::facts::stage_refusal(w, &user, stage, &note)
            }
            Some(stage) => {
                complete_stage(w, &user, stage, note);
                Reply::StageDone { stage }
            }
        },
        // Done twice would claim a second completion on the record; `note` adds to a done stage.
        Command::Done(stage, _) if w.t.stage(stage).state == StageState::Done => Reply::StageAlreadyDone { stage },
        Command::Done(stage, note) if crate::trouble::facts::stage_refusal(w, &user, stage, &note).is_some() => {
            return crate::trouble::facts::stage_refusal(w, &user, stage, &note)
        }
        Command::Done(stage, note) => {
            complete_stage(w, &user, stage, note);
            Reply::StageDone { stage }
        }
        Command::Start(stage, note) => {
            work_on_stage(w, &user, stage, note);
            Reply::StageStarted { stage }
        }
        Command::Update { text, next } => log_update(w, &user, text, next),
        Command::WithdrawUpdate { n, reason } => withdraw_update(w, &user, n, reason),
        Command::Note(text) => {
            w.log(Some(&user), Event::Note { text: text.clone() });
            w.record(&user, Record::Note { text });
            Reply::Noted
        }
        Command::Split {
            ours,
            customer,
            other,
            reason,
        } => {
            start_stage(w, &user, StageId::Split, String::new());
            let before = w.t.split.replace(Split {
                ours,
                customer,
                other,
                reason: reason.clone(),
                by: user.clone(),
                at: now,
            });
            w.record(
                &user,
                Record::Split {
                    ours,
                    customer,
                    other,
                    reason: reason.clone(),
                },
            );
            w.log(
                Some(&user),
                Event::SplitSet {
                    ours,
                    customer,
                    other,
                    reason,
                },
            );
            // A new split over approved terms changes them as `fix split` does: those terms
            // are kept until it is decided, and stand again should it be rejected.
            match before {
                Some(split) => crate::trouble::approval::propose_correction(
                    w,
                    &user,
                    crate::trouble::approval::Item::Split,
                    crate::trouble::approval::Terms::Split { split },
                ),
                None => crate::trouble::approval::propose(w, &user, crate::trouble::approval::Item::Split),
            }
        }
        Command::Cost { amount, payer, note } => {
            start_stage(w, &user, StageId::Cost, String::new());
            w.t.costs.push(Cost {
                amount: amount.clone(),
                payer: payer.clone(),
                note: note.clone(),
                by: user.clone(),
                at: now,
            });
            w.record(
                &user,
                Record::Cost {
                    amount: amount.clone(),
                    payer: payer.clone(),
                    note: note.clone(),
                },
            );
            w.log(Some(&user), Event::CostAdded { amount, payer, note });
            let n = w.t.costs.len();
            // Nothing to pay is nothing to approve: no proposal, nobody asked. It adds a line,
            // so it never lowers an approved cost: that is `fix cost`, decided as ever.
            if w.t.costs.last().is_some_and(crate::trouble::approval::costs_nothing) {
                w.refresh_status();
                return Some(Reply::Agreement(
                    crate::trouble::approval::AgreementReply::NothingToApprove { n },
                ));
            }
            crate::trouble::approval::propose(w, &user, crate::trouble::approval::Item::Cost { n })
        }
        Command::Agreed(n, note) => crate::trouble::approval::agreed(w, &user, n, note),
        Command::WithdrawAgreed { n, reason } => crate::trouble::approval::withdraw_agreed(w, &user, n, reason),
        // Anyone in the channel may ask, like the report; the channel reviews it before it goes out.
        Command::Report8d { shared: false } => {
            w.post(Lane::Channel, Dest::TroubleChannel, Message::EightD);
            Reply::EightDPosted
        }
        // Where the customer reads, a draft is theirs only once reviewed: the asker reviews it.
        Command::Report8d { shared: true } => {
            w.post(Lane::Dm, Dest::Dm(user), Message::EightD);
            Reply::EightDSentForReview
        }
        // A measure is a prevention action, owned by the trouble's owner unless named.
        Command::Prevent(action) => crate::trouble::actions::add_action(w, &user, action),
        Command::Step(step) => crate::trouble::facts::decide_step(w, &user, step),
        Command::Add { users, departments } => add_participants(w, &user, users, departments),
        Command::Remove { users } => remove_participants(w, &user, users),
        Command::Owner(to) => {
            // The owner is never in their own chain: handed to someone in it (the manager
            // taking it over), the chain is the new owner's own, with the manager kept in front
            // unless they are the new owner. Nobody left above them: refused, not left unasked.
            let named = w.t.manager.clone().filter(|m| *m != to);
            let chain = chain_for(w.ctx.policy, &to, named.as_ref());
            if chain.is_empty() && !w.t.escalation.chain.is_empty() {
                return Some(Reply::NobodyAboveNewOwner { to });
            }
            if let Some(refusal) = handed_to_their_report(w.ctx.policy, &w.t, &to, &chain) {
                return Some(refusal);
            }
            let approvers_before = crate::trouble::approval::first_approvers(w.ctx.policy, &w.t);
            // The new owner's own manager, new to the chain: told below, as nothing else may.
            let owners_manager = chain_for(w.ctx.policy, &to, None)
                .into_iter()
                .next()
                .filter(|m| !w.t.manager_chain().contains(m) && *m != user);
            let from = std::mem::replace(&mut w.t.owner, to.clone());
            // A new owner starts fresh, and so does one it is handed back to: DMed as ever.
            w.t.unreachable_owners.clear();
            if !w.t.former_owners.contains(&from) {
                w.t.former_owners.push(from.clone());
            }
            // What the former owner still had to do goes with the trouble: its reminders reach
            // the new owner, who may mark it done. Actions given to others stay theirs.
            let mut actions = Vec::new();
            for (i, a) in w.t.substance.actions.iter_mut().enumerate() {
                if a.owner == from && a.is_open() {
                    a.owner = to.clone();
                    actions.push(i + 1);
                }
            }
            w.record(
                &user,
                Record::Owner {
                    from: from.clone(),
                    to: to.clone(),
                    actions: actions.clone(),
                },
            );
            w.log(
                Some(&user),
                Event::OwnerChanged {
                    from,
                    to: to.clone(),
                    actions,
                },
            );
            // Nobody acknowledges their own trouble: the acknowledger taking it over withdraws
            // their acknowledgement, and the new chain is asked (and escalated) afresh. So does
            // one the new chain leaves out, as naming a manager does: a manager's acknowledgement
            // of a trouble their director takes over would stand for the director's, and the one
            // above the director would never hear of it (and the director could close it alone).
            let ack_withdrawn =
                w.t.ack
                    .as_ref()
                    .map(|a| a.by.clone())
                    .filter(|by| *by == to || !chain.contains(by));
            if let Some(by) = &ack_withdrawn {
                w.t.ack = None;
                // The ack timer of before may have fired (into an acknowledged trouble): a new
                // one is started for the new chain.
                w.t.escalation.due = None;
                w.log(Some(&user), Event::AcknowledgementWithdrawn { by: by.clone() });
            }
            let manager_before = w.t.manager.clone();
            let change = ChainChange {
                by: user.clone(),
                handed_to: Some(to.clone()),
            };
            rechain(w, chain, &approvers_before, change);
            let manager = w.t.manager.clone().filter(|m| Some(m) != manager_before.as_ref());
            if let Some(m) = &manager {
                w.record(
                    &user,
                    Record::Manager {
                        from: manager_before.clone(),
                        to: m.clone(),
                    },
                );
                w.log(
                    Some(&user),
                    Event::ManagerChanged {
                        from: manager_before,
                        to: m.clone(),
                    },
                );
            }
            // A manager whose report is handed a trouble hears of it at once, as at an open: the
            // manager kept in front may acknowledge it (or had) before the escalation reaches
            // them, and they may lower it, force its close and approve its money.
            if let Some(m) = &owners_manager {
                w.post(
                    Lane::Dm,
                    Dest::Dm(m.clone()),
                    Message::HandedToYourReport {
                        by: user.clone(),
                        to: to.clone(),
                    },
                );
            }
            // The pinned kickoff names the owner, as the status does, and so do the managers'
            // DMs (refreshed by the change of the chain while nobody has acknowledged it).
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            if w.t.ack.is_some() || !w.t.is_open() {
                w.refresh_manager_dms();
            }
            // So do the escalation's DMs answered before, in the manager's DM's words (edited by
            // `Work::finish` when this withdrew the acknowledgement they read).
            if !w.ack_withdrawn_here() {
                w.refresh_settled_escalation_dms(None);
            }
            w.invite(
                std::iter::once(to.clone())
                    .chain(manager.clone())
                    .chain(owners_manager)
                    .collect(),
            );
            w.refresh_status();
            Reply::OwnerChanged {
                to,
                manager,
                ack_withdrawn,
            }
        }
        Command::Manager(to) => {
            // Nor whoever owned it before, or their report: they would acknowledge and close the
            // trouble they caused, as the owner would.
            let former = w.t.former_owners.iter().find_map(|f| {
                manager_refusal(w.ctx.policy, f, &to).map(|_| Reply::ManagerOwnedItBefore {
                    manager: to.clone(),
                    former: f.clone(),
                })
            });
            if let Some(refusal) = manager_refusal(w.ctx.policy, &w.t.owner, &to).or(former) {
                return Some(refusal);
            }
            let from = w.t.manager.clone();
            w.record(
                &user,
                Record::Manager {
                    from: from.clone(),
                    to: to.clone(),
                },
            );
            w.log(
                Some(&user),
                Event::ManagerChanged {
                    from: from.clone(),
                    to: to.clone(),
                },
            );
            w.invite(vec![to.clone()]);
            let approvers_before = crate::trouble::approval::first_approvers(w.ctx.policy, &w.t);
            let chain = chain_for(w.ctx.policy, &w.t.owner, Some(&to));
            // Someone named by mistake (a colleague) who acknowledged is out of the chain now:
            // their acknowledgement stands for nobody's, and the chain is asked afresh.
            let ack_withdrawn = w.t.ack.as_ref().map(|a| a.by.clone()).filter(|by| !chain.contains(by));
            if let Some(by) = &ack_withdrawn {
                w.t.ack = None;
                w.t.escalation.due = None;
                w.log(Some(&user), Event::AcknowledgementWithdrawn { by: by.clone() });
            }
            // The DMs that asked anyone replaced, out of the chain now, stop asking them.
            let change = ChainChange {
                by: user.clone(),
                handed_to: None,
            };
            let chain_before = w.t.manager_chain().to_vec();
            rechain(w, chain, &approvers_before, change);
            leave_private_channel(w, &user, chain_before);
            // Before an acknowledgement the chain asks them; after it nothing would tell them.
            // Kept, to follow the trouble as the managers' DMs do.
            if w.t.ack.is_some() && to != user {
                w.send(
                    Lane::Dm,
                    Op::Post {
                        to: Dest::Dm(to.clone()),
                        message: Message::NamedManager {
                            by: user.clone(),
                            to: Some(to.clone()),
                        },
                        keep_as: Some(Slot::NamedManagerDm),
                    },
                );
            }
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            w.refresh_status();
            Reply::ManagerChanged { to, ack_withdrawn }
        }
        Command::Severity { to, reason } => {
            if !w.ctx.policy.severities.contains_key(&to) {
                return Some(Reply::UnknownSeverity {
                    level: to,
                    known: w.ctx.policy.severities.keys().copied().collect(),
                });
            }
            let from = w.t.severity;
            if from == to {
                return Some(Reply::SeverityUnchanged { level: to });
            }
            // A lowering slows every clock and is told to the level above: with why.
            let reason = reason.trim().to_string();
            if from.is_more_severe_than(to) && !crate::trouble::command::says_something(&reason) {
                return Some(Reply::LoweringNeedsReason { from, to });
            }
            let before = w.departments_to_ping();
            let announced_before = w.severity_policy().announce_channels.clone();
            let first_contact_before = (
                first_contact_reminder(w.ctx.policy, &w.t),
                first_contact_due(w.ctx.policy, &w.t),
            );
            w.t.severity = to;
            move_first_contact(w, first_contact_before);
            w.log(
                Some(&user),
                Event::SeverityChanged {
                    from,
                    to,
                    reason: reason.clone(),
                },
            );
            // The new severity's clocks apply from now on: a shorter wait for an acknowledgement
            // brings the escalation forward, a longer one never postpones it; the cadence of
            // customer updates restarts (a promised time keeps its own timer).
            if w.t.ack.is_none() && w.t.manager.is_some() && !w.t.escalation.gave_up {
                let due = w.ack_due();
                match w.t.escalation.due {
                    Some(running) if running <= due => {}
                    _ => w.start_ack_timer_at(due),
                }
            }
            let last = w.t.last_customer_contact();
            if w.t.promised_next().filter(|p| *p > last).is_none() {
                let due = w.working_after(last, w.cadence()).max(now);
                w.start_followup_timer(due);
            }
            // Only a raise brings new people in.
            if to.is_more_severe_than(from) {
                let new_departments: Vec<String> = w
                    .departments_to_ping()
                    .into_iter()
                    .filter(|d| !before.contains(d))
                    .collect();
                let members: Vec<UserId> = new_departments
                    .iter()
                    .flat_map(|d| w.ctx.policy.departments[d].members.clone())
                    .collect();
                w.invite(members);
                w.post(
                    Lane::Channel,
                    Dest::TroubleChannel,
                    Message::SeverityRaised {
                        from,
                        to,
                        by: Some(user.clone()),
                        brought: new_departments,
                        reason: reason.clone(),
                    },
                );
                // The manager on a phone rarely reads the channel: told by DM, unless they raised
                // it, as every warning is (see `warned`): the owner's own manager, never only a
                // colleague the rep named, and the one named beside them; so is whoever the
                // escalation asks to acknowledge now, above the manager.
                let escalation = &w.t.escalation;
                let asked = escalation
                    .chain
                    .get(escalation.level)
                    .filter(|_| w.t.ack.is_none() && escalation.level > 0)
                    .cloned();
                let mut told: Vec<UserId> = warned(w.ctx.policy, &w.t).mentioned().cloned().collect();
                told.extend(asked.filter(|a| !told.contains(a)));
                for m in told.into_iter().filter(|m| *m != user) {
                    w.post(
                        Lane::Dm,
                        Dest::Dm(m),
                        Message::SeverityRaised {
                            from,
                            to,
                            by: Some(user.clone()),
                            brought: Vec::new(),
                            reason: reason.clone(),
                        },
                    );
                }
                for c in w.severity_policy().announce_channels.clone() {
                    if !announced_before.contains(&c) {
                        w.post(
                            Lane::Announce,
                            Dest::Channel(ChannelId::new(c)),
                            Message::SeverityRaised {
                                from,
                                to,
                                by: Some(user.clone()),
                                brought: Vec::new(),
                                reason: reason.clone(),
                            },
                        );
                    }
                }
                // A promise the customer was given may now be further off than this severity bears.
                far_promise_raised(w);
            } else {
                // A department the higher severity brought in has been working on it: it stays,
                // named, rather than lose its say (and its members their commands) in silence.
                let after = w.departments_to_ping();
                let kept: Vec<String> = before.into_iter().filter(|d| !after.contains(d)).collect();
                if !kept.is_empty() {
                    w.t.departments.extend(kept.iter().cloned());
                    w.log(
                        Some(&user),
                        Event::ParticipantsAdded {
                            users: Vec::new(),
                            departments: kept,
                        },
                    );
                }
                w.post(
                    Lane::Channel,
                    Dest::TroubleChannel,
                    Message::SeverityLowered {
                        by: user.clone(),
                        from,
                        to,
                        reason: reason.clone(),
                        cadence_withheld: false,
                    },
                );
                // Whoever in the chain lowers a trouble nobody had acknowledged has heard of it:
                // that is their acknowledgement, so the chain above them is not asked about it.
                if w.t.ack.is_none() && may(w.ctx.policy, &w.t, &user, Act::Acknowledge) {
                    acknowledge(w, &user);
                }
                // A lowering slows every clock: the level above whoever lowered it hears of it.
                let overruled = Overruled::Lowered {
                    from,
                    to,
                    reason: reason.clone(),
                };
                w.tell_the_one_above(&user, overruled, &[]);
                // The manager's DM is edited to the new severity without a sound: when someone
                // above them lowered it, they hear of it (as of a raise).
                if let Some(manager) = w.t.manager.clone().filter(|m| *m != user) {
                    let message = Message::LoweredAboveYou {
                        by: user.clone(),
                        from,
                        to,
                        reason: reason.clone(),
                    };
                    w.post(Lane::Dm, Dest::Dm(manager), message);
                }
                // Where the higher severity was announced (at open or at the raise into it) and
                // the lower one is not, the heads-up no longer holds: said there.
                let still = w.severity_policy().announce_channels.clone();
                let no_longer: Vec<String> = announced_before.into_iter().filter(|c| !still.contains(c)).collect();
                w.tell_announced(no_longer, &user, NoLonger::Lowered { from, to, reason });
            }
            // The managers' DMs show the severity first, the notice where it was opened and the
            // DMs still asking someone to acknowledge or decide too: each is kept true.
            crate::trouble::facts::refresh_opening(w);
            Reply::SeverityChanged {
                id: w.t.id.clone(),
                customer: w.t.customer.clone(),
                from,
                to,
            }
        }
        Command::Close(note) => {
            let not_done: Vec<StageId> = StageId::all()
                .filter(|&i| w.t.stage(i).state != StageState::Done)
                .collect();
            let (open_interim, has_prevention) = crate::trouble::actions::close_gaps(&w.t);
            if !not_done.is_empty() || !has_prevention {
                let never_started = not_done
                    .iter()
                    .copied()
                    .filter(|&i| w.t.stage(i).state == StageState::NotStarted)
                    .collect();
                return Some(Reply::CloseMissing {
                    not_done,
                    never_started,
                    has_measure: has_prevention,
                    not_effective: crate::trouble::actions::not_effective_measures(&w.t),
                    forcers: Box::new(who_to_name(w.ctx.policy, &w.t, Act::CloseForce)),
                    you_may_force: may(w.ctx.policy, &w.t, &user, Act::CloseForce),
                });
            }
            if !open_interim.is_empty() {
                return Some(Reply::CloseActions {
                    open_interim,
                    has_prevention,
                });
            }
            if let Some(refusal) = crate::trouble::approval::close_awaits_decision(w.ctx.policy, &w.t) {
                return Some(refusal);
            }
            // Closing ends the escalation: before anyone above the owner has acknowledged,
            // that would hide the trouble from its chain. Someone in the chain closing knows.
            if w.t.ack.is_none() && !may(w.ctx.policy, &w.t, &user, Act::Acknowledge) {
                if let Who::Chain(chain) = who_may(w.ctx.policy, &w.t, Act::Acknowledge) {
                    if !chain.is_empty() {
                        return Some(Reply::CloseUnacknowledged { chain });
                    }
                }
            }
            // As for `close force`: that is their acknowledgement, on the record as such, or
            // the record would read "not acknowledged" for a trouble the chain itself closed.
            if w.t.ack.is_none() && may(w.ctx.policy, &w.t, &user, Act::Acknowledge) {
                acknowledge(w, &user);
            }
            close(w, &user, note, None);
            Reply::Closed {
                id: w.t.id.clone(),
                customer: w.t.customer.clone(),
            }
        }
        Command::CloseForce(reason) => {
            // Whoever in the chain forces a close has heard of the trouble: before anyone
            // acknowledged it, that is their acknowledgement (on the record as such).
            if w.t.ack.is_none() && may(w.ctx.policy, &w.t, &user, Act::Acknowledge) {
                acknowledge(w, &user);
            }
            close(w, &user, String::new(), Some(reason));
            Reply::Closed {
                id: w.t.id.clone(),
                customer: w.t.customer.clone(),
            }
        }
        // Answered by the shell: they read other troubles or the whole timeline.
        Command::Report
        | Command::Help
        | Command::OpenModal
        | Command::Open(_)
        | Command::List
        | Command::Mine
        | Command::History(_)
        | Command::Stats(_) => return None,
    })
}

/// `/trouble add`: makes people and departments participants, invites them and says so.
pub(in crate::trouble) fn add_participants(
    w: &mut Work,
    by: &UserId,
    users: Vec<UserId>,
    departments: Vec<String>,
) -> Reply {
    let policy = w.ctx.policy;
    let departments = match super::open::departments_named(policy, &departments) {
        Ok(named) => named,
        Err(refusal) => return refusal,
    };
    let before = departments_of(policy, &w.t);
    let mut new_departments: Vec<String> = Vec::new();
    for d in departments {
        if !before.contains(&d) && !new_departments.contains(&d) {
            new_departments.push(d);
        }
    }
    let mut new_users: Vec<UserId> = Vec::new();
    // Someone taking part already (through a department, say) is no new participant: nothing
    // is recorded or said, but they are invited again in case they left the channel.
    let mut already: Vec<UserId> = Vec::new();
    for u in users {
        if is_participant(policy, &w.t, &u) {
            already.push(u);
        } else if !new_users.contains(&u) {
            new_users.push(u);
        }
    }
    if !already.is_empty() && w.t.channel.is_some() {
        w.invite(already);
    }
    if new_users.is_empty() && new_departments.is_empty() {
        return Reply::ParticipantsAdded {
            users: Vec::new(),
            depts: Vec::new(),
        };
    }
    w.t.added.extend(new_users.iter().cloned());
    w.t.departments.extend(new_departments.iter().cloned());
    let mut invitees = new_users.clone();
    for d in &new_departments {
        for m in &policy.departments[d].members {
            if !invitees.contains(m) {
                invitees.push(m.clone());
            }
        }
    }
    w.log(
        Some(by),
        Event::ParticipantsAdded {
            users: new_users.clone(),
            departments: new_departments.clone(),
        },
    );
    w.invite(invitees);
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::ParticipantsAdded {
            by: by.clone(),
            users: new_users.clone(),
            departments: new_departments.clone(),
        },
    );
    // The kickoff lists the departments.
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    Reply::ParticipantsAdded {
        users: new_users,
        depts: new_departments,
    }
}

/// Those a new manager took out of a private trouble's chain (named by mistake) who take no
/// other part in it leave its channel: the bot no longer shows it to them, and the costs,
/// split and notes recorded from now on must not reach them there either. `remove` cannot
/// (they were not added), so it happens here, on the timeline and said in the channel as a
/// removal is. A public channel is open to anyone: nobody is taken out of it.
fn leave_private_channel(w: &mut Work, by: &UserId, chain_before: Vec<UserId>) {
    let viewers = roles::Viewers::of(&w.t);
    if !viewers.private(w.ctx.policy) {
        return;
    }
    let left: Vec<UserId> = chain_before
        .into_iter()
        .filter(|u| !viewers.takes_part(w.ctx.policy, u) && !w.t.members_seen.contains(u))
        .collect();
    if !left.is_empty() {
        take_out(w, by, left);
    }
}

/// `users` taken off the trouble by `by`: on the timeline, out of its channel, and said there.
fn take_out(w: &mut Work, by: &UserId, users: Vec<UserId>) {
    w.log(Some(by), Event::ParticipantsRemoved { users: users.clone() });
    if w.t.channel.is_some() {
        for user in &users {
            w.send(Lane::Channel, Op::Kick { user: user.clone() });
        }
    }
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::ParticipantsRemoved { by: by.clone(), users },
    );
}

/// `/trouble remove`: people who take no part in the trouble (added by mistake, or left in its
/// channel by a part they no longer have) off it, out of its channel and its readers' lists;
/// on the timeline and said in the channel. Only those with no open action: the owner, the
/// chain and the departments' members stay (nobody hides a trouble from them), and work is
/// handed over first. All or nothing: a rep who named the owner or the chain by mistake reads
/// the whole line again. (Someone never in the channel is left out by the shell beforehand.)
fn remove_participants(w: &mut Work, by: &UserId, users: Vec<UserId>) -> Reply {
    let policy = w.ctx.policy;
    let departments = departments_of(policy, &w.t);
    let mut removed: Vec<UserId> = Vec::new();
    for user in users {
        let kept = if user == w.t.owner {
            Some(KeptBy::Owner)
        } else if w.t.manager_chain().contains(&user) || chain_for(policy, &w.t.owner, None).contains(&user) {
            // The owner's chain from `[org]` as it is now takes part too (a reorg's new manager).
            Some(KeptBy::Chain)
        } else if let Some(d) = departments
            .iter()
            .find(|d| policy.departments.get(*d).is_some_and(|d| d.members.contains(&user)))
        {
            Some(KeptBy::Department(d.clone()))
        } else {
            // Anyone else takes no part in it (any more): brought in with `add`, or left in its
            // channel by a part they no longer have (a former owner, the member of a
            // department no longer its own, whoever joined of themselves). The bot takes none of
            // them out by itself: a former owner still knows the customer.
            let open: Vec<usize> = (1..)
                .zip(&w.t.substance.actions)
                .filter(|(_, a)| a.owner == user && a.is_open())
                .map(|(n, _)| n)
                .collect();
            (!open.is_empty()).then_some(KeptBy::Actions(open))
        };
        if let Some(kept) = kept {
            return Reply::NotRemovable { user, kept };
        }
        if !removed.contains(&user) {
            removed.push(user);
        }
    }
    w.t.added.retain(|u| !removed.contains(u));
    w.t.members_seen.retain(|u| !removed.contains(u));
    take_out(w, by, removed.clone());
    Reply::ParticipantsRemoved { users: removed }
}

pub(super) fn button(w: &mut Work, user: UserId, action: ButtonAction) -> Option<Reply> {
    // The effectiveness check is asked after close.
    if let ButtonAction::Effect {
        n,
        effective,
        round,
        epoch,
    } = action
    {
        let asked = crate::trouble::actions::Asked { round, epoch };
        return Some(crate::trouble::actions::effect_answered(w, &user, n, effective, asked));
    }
    // Who may mark an action done depends on the action: decided there, as the command is
    // (after the close too, as the command is).
    if let ButtonAction::ActionDone { n } = action {
        let done = crate::trouble::facts::Step::ActionDone(n, String::new());
        return Some(crate::trouble::facts::decide_step(w, &user, done));
    }
    // A late Acknowledge, from a DM beside others, says which trouble it was about: already
    // closed, already acknowledged (said first: whoever left the chain since learns it is
    // answered), or not theirs to acknowledge any longer.
    let named = |t: &Trouble, reply: Reply| Reply::AboutTrouble {
        id: t.id.clone(),
        customer: t.customer.clone(),
        reply: Box::new(reply),
    };
    if w.t.closed.is_some() {
        let closed = already_closed(w.ctx.policy, &w.t);
        return Some(match action {
            ButtonAction::Acknowledge => named(&w.t, closed),
            _ => closed,
        });
    }
    // Who may approve depends on the proposal: decided there.
    if let ButtonAction::Proposal { n, approve } = action {
        return Some(crate::trouble::approval::decide_button(w, &user, n, approve));
    }
    let act = match action {
        ButtonAction::Acknowledge => Act::Acknowledge,
        ButtonAction::CompleteStage { .. } => Act::Stages,
        ButtonAction::LogUpdate { .. } => Act::Update,
        ButtonAction::CreateChannel => Act::AskForChannel,
        ButtonAction::Effect { .. } | ButtonAction::Proposal { .. } | ButtonAction::ActionDone { .. } => return None,
    };
    // An acknowledgement is refused by `try_acknowledge`, after it says "already acknowledged".
    let refused = match action {
        ButtonAction::Acknowledge => None,
        _ => refuse(w.ctx.policy, &w.t, &user, act),
    };
    if let Some(refusal) = refused {
        return Some(refusal);
    }
    match action {
        ButtonAction::Acknowledge => Some(match try_acknowledge(w, &user) {
            reply @ Reply::Acknowledged { .. } => reply,
            refused => named(&w.t, refused),
        }),
        // A stale button (a double click, or a status message not yet refreshed) must not
        // complete a later stage than the one it showed.
        ButtonAction::CompleteStage { stage: Some(shown) } => {
            let stage = match StageId::from_index(shown) {
                Some(stage) if w.t.stage(stage).state != StageState::Done => stage,
                stale => {
                    return Some(Reply::StageAlreadyDone {
                        stage: stale.unwrap_or(StageId::last()),
                    })
                }
            };
            if let Some(refusal) = crate::trouble::facts::stage_refusal(w, &user, stage, "") {
                return Some(refusal);
            }
            complete_stage(w, &user, stage, String::new());
            Some(Reply::StageDone { stage })
        }
        ButtonAction::CompleteStage { stage: None } => match w.t.current_stage() {
            None => Some(Reply::AllStagesDone),
            Some(stage) if crate::trouble::facts::stage_refusal(w, &user, stage, "").is_some() => {
                crate::trouble::facts::stage_refusal(w, &user, stage, "")
            }
            Some(stage) => {
                complete_stage(w, &user, stage, String::new());
                Some(Reply::StageDone { stage })
            }
        },
        // The shell opens the form at once, while the click's trigger id is alive.
        ButtonAction::LogUpdate { .. } => Some(Reply::Step(crate::trouble::facts::StepReply::Shell)),
        ButtonAction::CreateChannel => Some(ask_for_channel(w, &user)),
        ButtonAction::Effect { .. } | ButtonAction::Proposal { .. } | ButtonAction::ActionDone { .. } => None,
    }
}
