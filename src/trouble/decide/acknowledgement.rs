//! Acknowledgement and escalation up the manager chain until someone answers.

use super::*;

pub(super) fn try_acknowledge(w: &mut Work, user: &UserId) -> Reply {
    if let Some(ack) = &w.t.ack {
        return Reply::AlreadyAcknowledged {
            by: ack.by.clone(),
            you: ack.by == *user,
        };
    }
    if let Some(refusal) = refuse(w.ctx.policy, &w.t, user, Act::Acknowledge) {
        return refusal;
    }
    acknowledge(w, user);
    let refused = (w.t.channel.is_none() && w.t.channel_refused).then(|| Refused {
        may_ask: super::may_ask_for_channel(w.ctx.policy, &w.t, user),
    });
    Reply::Acknowledged {
        id: w.t.id.clone(),
        customer: w.t.customer.clone(),
        refused,
        lost: w.t.channel_lost,
    }
}

pub(super) fn acknowledge(w: &mut Work, user: &UserId) {
    let after_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    w.t.ack = Some(Acknowledgement {
        by: user.clone(),
        at: w.ctx.now,
        wait_untold: false,
    });
    w.log(
        Some(user),
        Event::Acknowledged {
            by: user.clone(),
            after_secs,
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::Acknowledged {
            by: user.clone(),
            after_secs,
            wait_withheld: false,
        },
    );
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    w.refresh_manager_dms();
}

const MAX_TOP_REPINGS: u32 = 5;

pub(super) fn escalate(w: &mut Work) {
    ask_owners_manager_now(w, false);
    go_up(w, None);
}

/// An escalation that waits for business hours (the daily round, a severity set to escalate in
/// them) whose timer fires outside them (the bot was down at its time, the hours changed since):
/// set again for the opening, as the top's re-ping is, rather than paging anyone at night.
pub(super) fn ack_timer_held_till_opening(w: &mut Work) -> bool {
    let policy = w.ctx.policy;
    let hours = policy.business_hours.as_ref();
    let waits = w.t.escalation.gave_up || w.severity_policy().escalate_in_business_hours;
    if !waits || chain_may_ask_now(w) {
        return false;
    }
    w.start_ack_timer_at(next_open(hours, policy.timezone, w.ctx.now));
    true
}

/// Whether the hours let the escalation ask anyone now. Going up the chain, a step due at the
/// very close (working time that fills the day lands there) is that day's, though its timer
/// fires a little after: [`open_or_just_closed`]. The daily round holds to the opening strictly:
/// with the grace, a round held to 09:00 would set its next for 18:00 the same day (a working
/// day on) and ask the chain twice in one day.
fn chain_may_ask_now(w: &Work) -> bool {
    let policy = w.ctx.policy;
    let hours = policy.business_hours.as_ref();
    match w.t.escalation.gave_up {
        true => is_open(hours, policy.timezone, w.ctx.now),
        false => open_or_just_closed(hours, policy.timezone, w.ctx.now),
    }
}

/// `[org]` fixed after the trouble opened (its manager left, a reorg): the chain kept on the
/// trouble still starts with whom `[org]` named then, so the owner's manager it names now would
/// never hear of the trouble, though they may acknowledge it. At the escalation's next step they
/// are invited and asked, once; `again`, at each daily round once the bot gave up going up.
/// One it asked so before whom `[org]` no longer names is asked no longer. Whether whom it asks
/// changed.
fn ask_owners_manager_now(w: &mut Work, again: bool) -> bool {
    let now = chain_for(w.ctx.policy, &w.t.owner, None).into_iter().next();
    let released = release_owners_manager_before(w, now.as_ref());
    let Some(now) = now else {
        return released;
    };
    // Not again once the escalation knows them: at a start, the open troubles' summaries tell
    // the same from `Escalation::known` (`org_may_name_someone_new`): a change here changes both.
    let escalation = &w.t.escalation;
    if escalation.chain.contains(&now) || escalation.unreachable.contains(&now) {
        return released;
    }
    let heard = escalation.asked_at(&now).is_some();
    if heard && !again {
        return released;
    }
    if !heard {
        w.log(None, Event::ManagerPinged { manager: now.clone() });
        w.invite(vec![now.clone()]);
    }
    w.t.escalation.owners_manager_now = Some(now.clone());
    ask_to_acknowledge(w, &now, None, Some(NewToChain::OwnersManagerNow));
    true
}

/// `[org]` fixed again since the owner's manager it named was asked from outside the chain:
/// it names someone else now (`now`), or nobody, and they may no longer acknowledge (`who_may`).
/// They are asked no longer: their DM loses its button, as one posted after a change of the
/// chain left them out does, rather than keep one that refuses. Whether they were asked.
fn release_owners_manager_before(w: &mut Work, now: Option<&UserId>) -> bool {
    let Some(before) = w.t.escalation.asked_outside().cloned() else {
        return false;
    };
    if now == Some(&before) {
        return false;
    }
    w.t.escalation.owners_manager_now = None;
    w.changed = true;
    let (gone, kept): (Vec<KeptDm>, Vec<KeptDm>) = std::mem::take(&mut w.t.escalation.dms)
        .into_iter()
        .partition(|dm| dm.asks() == Some(&before));
    w.t.escalation.dms = kept;
    for dm in &gone {
        edit_escalation_dm(w, dm, false);
    }
    true
}

/// Whether the start's look at `[org]` ([`ask_owners_manager_at_start`]) may ask someone about
/// the open trouble `summary` speaks of: nobody acknowledged it and the owner's manager `[org]`
/// names now is not its escalation's yet, or is no longer the one it asked from outside it (let
/// go). A summary that does not say (an earlier release's) may. So the look reads the open troubles' summaries, and only these troubles whole: at
/// 100,000 troubles, reading every unacknowledged open one held ~30 MB more after the start.
pub fn org_may_name_someone_new(policy: &Policy, summary: &TroubleSummary) -> bool {
    match &summary.awaiting {
        None => !summary.acknowledged,
        Some(a) => {
            let now = chain_for(policy, &a.owner, None).into_iter().next();
            let new = now.as_ref().is_some_and(|now| !a.known.contains(now));
            // The one it asked before from outside the chain, whom `[org]` no longer names.
            new || a.outside.is_some() && a.outside != now
        }
    }
}

/// The bot started (the admin fixed `[org]` and restarted it, most often): the owner's manager
/// `[org]` names now is asked at once about an open trouble nobody acknowledged, rather than at
/// the escalation's next step, which may be the next day's round once the bot gave up. Once.
pub(super) fn ask_owners_manager_at_start(w: &mut Work) {
    if w.t.ack.is_none() && w.t.is_open() && ask_owners_manager_now(w, false) {
        // The status and the pinned kickoff say who is asked now.
        w.refresh_status();
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    }
}

/// The next one up the chain is asked (`passed_over`: the one before could not be reached), or
/// the top again, at most [`MAX_TOP_REPINGS`] times, before the bot gives up.
fn go_up(w: &mut Work, passed_over: Option<&UserId>) {
    go_up_because(w, passed_over, None);
}

/// [`go_up`], saying why the next one is asked (`because`) when it is not the one below's
/// time running out.
fn go_up_because(w: &mut Work, passed_over: Option<&UserId>, because: Option<NewToChain>) {
    let chain = w.t.escalation.chain.clone();
    let next_level = w.t.escalation.level + 1;
    if let Some(next) = chain.get(next_level) {
        w.t.escalation.level = next_level;
        w.log(
            None,
            Event::Escalated {
                to: next.clone(),
                level: next_level,
            },
        );
        w.invite(vec![next.clone()]);
        ask_to_acknowledge(w, next, passed_over, because);
        w.start_ack_timer();
        w.refresh_status();
        // The pinned kickoff asks the manager by name, and the manager's DM still asks them:
        // both say who is asked now too.
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
        w.refresh_manager_dms();
    } else if let Some(top) = chain.last() {
        // Going up the chain never waits, but asking the top again at night only wakes them:
        // the re-pings wait for the opening, and the night does not use them up.
        if !chain_may_ask_now(w) {
            let policy = w.ctx.policy;
            let opening = next_open(policy.business_hours.as_ref(), policy.timezone, w.ctx.now);
            w.start_ack_timer_at(opening);
            return;
        }
        if w.t.escalation.top_repings < MAX_TOP_REPINGS {
            w.t.escalation.top_repings += 1;
            let count = w.t.escalation.top_repings;
            w.log(None, Event::Repinged { to: top.clone(), count });
            ask_to_acknowledge(w, top, None, None);
            w.start_ack_timer();
        } else {
            give_up(w);
        }
    }
}

/// The whole chain was asked and nobody answers: the channel is told to reach them directly,
/// and the chain is asked again each working day (see [`ask_again_daily`]).
fn give_up(w: &mut Work) {
    w.t.escalation.gave_up = true;
    w.log(None, Event::NobodyAnswered);
    w.post(Lane::Channel, Dest::TroubleChannel, Message::NobodyAnswered);
    w.refresh_status();
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_manager_dms();
    start_daily_timer(w);
}

/// The next daily round: the same time on the next working day (a day on, without hours).
fn start_daily_timer(w: &mut Work) {
    let day = w.ctx.policy.working(std::time::Duration::from_secs(24 * 3600));
    let next = w.working_after(w.ctx.now, day);
    w.start_ack_timer_at(next);
}

/// An unacknowledged trouble never goes quiet: once the bot has given up going up the chain,
/// the manager and the top of the chain are asked again once a working day until someone
/// acknowledges or it is closed. Someone the bot found it cannot reach is never asked again:
/// the lowest and highest of the chain still reachable are.
pub(super) fn ask_again_daily(w: &mut Work) {
    let reachable = w.t.escalation.reachable(&w.t.escalation.chain);
    let (Some(manager), Some(top)) = (reachable.first(), reachable.last()) else {
        // Nobody it holds can answer: only the manager a fixed `[org]` names may.
        ask_owners_manager_now(w, true);
        if !w.t.escalation.chain.is_empty() {
            start_daily_timer(w);
        }
        return;
    };
    let escalation = &mut w.t.escalation;
    escalation.top_repings += 1;
    let count = escalation.top_repings;
    // The lower end was asked once before the rounds, not with each of the top's re-pings: its
    // count is the round's. A record kept before the rounds were counted has the top's to go by.
    escalation.daily_rounds = escalation.daily_rounds.max(count.saturating_sub(MAX_TOP_REPINGS + 1)) + 1;
    let round = escalation.daily_rounds;
    // The timeline says whom the round asked (the channel is the one record): both ends of it.
    if top != manager {
        w.log(
            None,
            Event::Repinged {
                to: manager.clone(),
                count: round,
            },
        );
    }
    w.log(None, Event::Repinged { to: top.clone(), count });
    ask_to_acknowledge(w, manager, None, None);
    if top != manager {
        ask_to_acknowledge(w, top, None, None);
    }
    ask_owners_manager_now(w, true);
    start_daily_timer(w);
}

/// A trouble closed before anyone acknowledged it (a forced close), open again: the chain is
/// asked anew from the manager, as at opening, so nobody can hide it by closing it first; unless
/// someone in the chain reopened it, who has heard of it: that is their acknowledgement, and
/// nobody is asked, up to them, about what they have just done.
pub(in crate::trouble) fn ask_again_after_reopen(w: &mut Work, by: &UserId) {
    let Some(manager) = w.t.escalation.chain.first().cloned() else {
        return;
    };
    if w.t.ack.is_some() {
        return;
    }
    if may(w.ctx.policy, &w.t, by, Act::Acknowledge) {
        acknowledge(w, by);
        return;
    }
    let escalation = &mut w.t.escalation;
    escalation.level = 0;
    escalation.top_repings = 0;
    escalation.daily_rounds = 0;
    escalation.gave_up = false;
    // Asked anew: who was asked before the close, and when, is no longer what they wait on.
    escalation.asked.clear();
    escalation.owners_manager_now = None;
    ask_to_acknowledge(w, &manager, None, Some(NewToChain::Reopened));
    w.start_ack_timer();
    // The kickoff is refreshed by the reopening, rendered as it then stands.
}

/// The DM asking `who` to acknowledge reached nobody (no such user, a bot, someone the bot may
/// not reach, or the app without leave to DM: `why`): they cannot answer, so waiting out the
/// acknowledgement timeout for them would only hold the trouble back. If they are the one the
/// chain is waiting for, the bot goes on up at once, and the owner hears why (someone in
/// `[org]` to check, someone to reach themselves, the install to mend). A DM that failed to
/// someone no longer waited for changes nothing.
pub(super) fn person_unreachable(w: &mut Work, who: UserId, error: String, why: DmRefusal) {
    // Whoever it is, nobody reads that they are asked: not the one waited for, whom the bot
    // goes past, nor a manager named above the configured one, asked beside them. Not so when
    // the app may DM nobody: once a Slack admin mends the install, the daily rounds reach them.
    let app_wide = why == DmRefusal::AppLacksPermission;
    let newly = !app_wide && w.t.escalation.chain.contains(&who) && !w.t.escalation.unreachable.contains(&who);
    if newly {
        w.t.escalation.unreachable.push(who.clone());
        w.changed = true;
    }
    let waiting_for = w.t.escalation.chain.get(w.t.escalation.level);
    if !w.t.is_open() || w.t.ack.is_some() || w.t.escalation.gave_up || waiting_for != Some(&who) {
        if newly && w.t.is_open() && w.t.ack.is_none() {
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            w.refresh_status();
            w.refresh_manager_dms();
        }
        return;
    }
    let owner = w.t.owner.clone();
    let nobody_above = w.t.escalation.level + 1 >= w.t.escalation.chain.len();
    // Without leave to DM, the next one up fails alike, at once: the owner hears once, when
    // the chain is spent, rather than once for each of them.
    if app_wide && !nobody_above {
        go_up(w, Some(&who));
        return;
    }
    let asked = match nobody_above && !app_wide {
        true => {
            let below = &w.t.escalation.chain[..w.t.escalation.level];
            below
                .iter()
                .filter(|u| !w.t.escalation.unreachable.contains(u))
                .cloned()
                .collect()
        }
        false => Vec::new(),
    };
    // Nor would a DM to the owner arrive then: the trouble's channel says it to them and to
    // everyone in it, a channel still being made once it is (the outbox waits for it). Only a
    // channel Slack refused to make leaves a DM, which may fail alike.
    let (lane, to) = match (app_wide, w.t.channel.is_some() || !w.t.channel_refused) {
        (true, true) => (Lane::Channel, Dest::TroubleChannel),
        _ => (Lane::Dm, Dest::Dm(owner)),
    };
    w.post(
        lane,
        to,
        Message::PersonUnreachable {
            who: who.clone(),
            error,
            why,
            nobody_above,
            asked,
        },
    );
    // Re-pinging the top of the chain would only fail again.
    if !nobody_above {
        go_up(w, Some(&who));
    } else {
        give_up(w);
    }
}

/// The DM asking `who` to acknowledge reached them, but their Slack status says they are away
/// (on holiday, out sick, on a plane): waiting out their timeout would hold the trouble back
/// for nothing, so if they are the one the chain waits for, the next one up is asked at once as
/// well. Nobody is left out: they stay in the chain, may still acknowledge, and are asked again
/// as before; a status only ever brings more people in, so setting one silences nothing. At the
/// top, with nobody above, the re-pings go on as ever.
pub(super) fn reader_away(w: &mut Work, who: UserId, away: Away) {
    if who == w.t.owner {
        return owner_away(w, who, away);
    }
    let escalation = &w.t.escalation;
    let waiting_for = escalation.chain.get(escalation.level);
    let nobody_above = escalation.level + 1 >= escalation.chain.len();
    if !w.t.is_open() || w.t.ack.is_some() || escalation.gave_up || waiting_for != Some(&who) {
        return;
    }
    // The top of the chain: nobody to bring in, the re-pings go on; the pinned kickoff and
    // status say they are away, as of those below, so whoever reads them knows why it waits.
    if nobody_above {
        let noted = AwayNoted { who: who.clone(), away };
        if !w.t.escalation.away.contains(&noted) {
            w.t.escalation.away.retain(|n| n.who != who);
            w.t.escalation.away.push(noted);
            w.changed = true;
            w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
            w.refresh_status();
        }
        return;
    }
    w.log(None, Event::AwayInSlack { who: who.clone(), away });
    let noted = &mut w.t.escalation.away;
    noted.retain(|n| n.who != who);
    noted.push(AwayNoted { who: who.clone(), away });
    go_up_because(w, Some(&who), Some(NewToChain::BelowAway { away }));
}

/// A nudge went to an owner whose Slack status says they are away (on leave in the middle of
/// the trouble): the customer waits on someone who will not read it, so the manager is
/// mentioned at once, not only when the update is twice overdue, to see the customer told or
/// hand the trouble on. One line a nudge: each period the customer waits, they hear again. An
/// owner handed the trouble since (the nudge named the one before) changes nothing.
fn owner_away(w: &mut Work, owner: UserId, away: Away) {
    // The owner's own manager, and the one named on the trouble beside them.
    let Warned {
        manager: Some(manager),
        named,
        ..
    } = warned(w.ctx.policy, &w.t)
    else {
        return;
    };
    if !w.t.is_open() {
        return;
    }
    // As the nudge counts it: from the last update, or the reopening since.
    let waited_secs = (w.ctx.now - w.t.cadence_from()).num_seconds();
    w.log(
        None,
        Event::AwayInSlack {
            who: owner.clone(),
            away,
        },
    );
    let message = Message::OwnerAway {
        owner,
        manager: manager.clone(),
        named,
        away,
        waited_secs,
    };
    w.post_in_channel_or_dm(message, Some(manager));
}

/// The line handing the trouble to `to`, by `by`, found them away in Slack: the customer would
/// wait on someone who will not read it. The command could not ask Slack before answering, so
/// it is said now, in the channel, to the one who handed it over and the manager, to see the
/// customer still hears from us or hand it to someone present. Nothing else changes: the new
/// owner stays the owner. Someone taking it over themself is plainly there.
pub(super) fn handed_to_away(w: &mut Work, to: UserId, by: UserId, away: Away) {
    if !w.t.is_open() || w.t.owner != to || by == to {
        return;
    }
    // Whoever hears a warning (the owner's own manager, and the one named beside them), not
    // the first of the chain: that may be the named colleague, or the one handing it over.
    let Warned { manager, named, .. } = warned(w.ctx.policy, &w.t);
    let other = |m: Option<UserId>| m.filter(|m| *m != by && *m != to);
    let (manager, named) = (other(manager), other(named));
    let message = Message::HandedToAway {
        to,
        by: by.clone(),
        manager: manager.clone(),
        named: named.clone(),
        away,
    };
    if !w.t.channel_waits() {
        return w.post(Lane::Channel, Dest::TroubleChannel, message);
    }
    // No channel to say it in: each of them by DM.
    for who in std::iter::once(by).chain(manager).chain(named) {
        w.post(Lane::Dm, Dest::Dm(who), message.clone());
    }
}

/// The chain rebuilt (a manager named, the owner changed) while the escalation may be running:
/// it goes on from the highest point it had reached, anyone at or below that point who was not
/// asked yet is asked now, and the running deadline is kept (a change never postpones going up
/// the chain, so naming a manager again and again snoozes nothing).
///
/// `approvers_before`: who was first to decide each proposal awaiting a decision before the
/// change ([`crate::trouble::approval::first_approvers`]); whoever is now, in their place, is
/// asked.
///
/// `change`: who changed the chain, and how; a DM that asked someone the new chain leaves out
/// says why it no longer asks, and loses its button.
pub(super) fn rechain(
    w: &mut Work,
    chain: Vec<UserId>,
    approvers_before: &[(usize, Option<UserId>)],
    change: ChainChange,
) {
    let manager_before = w.t.manager.clone();
    let chain_before = w.t.escalation.chain.clone();
    rechain_escalation(w, chain);
    // The chain is rebuilt from `[org]` as it is now: it holds the owner's manager `[org]` names,
    // or, handed over, the new owner's. One asked from outside the old chain as the owner's
    // manager and left out of the new one is no longer asked, as nobody the change leaves out is.
    if w.t.escalation.asked_outside().is_some() {
        w.t.escalation.owners_manager_now = None;
        w.changed = true;
    }
    release_left_out(w, manager_before, &chain_before, &change);
    // The managers' DMs that still ask them say who is asked now.
    if w.t.ack.is_none() && w.t.is_open() {
        w.refresh_manager_dms();
    }
    crate::trouble::approval::ask_new_approvers(w, approvers_before, &change.by);
}

/// What changed the chain: `by` named a manager (`handed_to` None), or handed the trouble to
/// a new owner.
pub(super) struct ChainChange {
    pub by: UserId,
    pub handed_to: Option<UserId>,
}

/// After the chain changed: every DM kept while it asks someone the chain now leaves out (the
/// manager's, the configured manager's, an escalation's) is edited to say why nothing is asked
/// of them any longer, without its button, and forgotten, as an acknowledgement forgets them.
/// A tap on one before the edit lands is refused, as anyone's outside the chain is. So is an
/// escalation's DM answered before: edited on, it would go on showing someone out of the
/// trouble how it goes (a private one's owner, its reopening and why).
fn release_left_out(w: &mut Work, manager_before: Option<UserId>, chain_before: &[UserId], change: &ChainChange) {
    let escalation = &w.t.escalation;
    let chain = escalation.chain.clone();
    // Named a manager: they are the news. Handed over: whoever is asked now, or once it is
    // acknowledged (nobody asked), its manager now.
    let to = match change.handed_to {
        Some(_) if w.t.ack.is_none() => chain.get(escalation.level),
        _ => chain.first(),
    };
    let Some(to) = to.cloned() else {
        return;
    };
    let left_out = |u: &UserId| !chain.contains(u);
    // Whose DM it is (`reader`, when known) tells whether it was handed to them: then it is
    // theirs now, and says so rather than that it was handed to them by whoever did.
    let said = |above: bool, reader: Option<&UserId>| Message::NoLongerManager {
        by: change.by.clone(),
        to: to.clone(),
        handed_to: change.handed_to.clone(),
        above,
        yours: reader.is_some() && reader == change.handed_to.as_ref(),
        by_you: reader == Some(&change.by),
    };
    // Acknowledged or not, a hand-over that leaves a manager out lets their DM go as naming
    // another manager does: kept, it would go on being edited as theirs (the one telling them
    // they were named manager would go on saying so of a trouble they no longer manage, or own).
    // The manager's DM is whoever's it went to: a manager named since, then replaced, never
    // takes the first manager's with them.
    let first_to = w.t.escalation.manager_dm_to.clone().or(manager_before.clone());
    let configured = w.ctx.policy.manager_of(w.t.opened_by());
    let released = [
        first_to
            .as_ref()
            .is_some_and(left_out)
            .then(|| w.t.manager_dm.take().map(|dm| (dm, first_to.clone())))
            .flatten(),
        configured
            .as_ref()
            .is_some_and(left_out)
            .then(|| w.t.configured_manager_dm.take().map(|dm| (dm, configured.clone())))
            .flatten(),
    ];
    // Told they were named manager: nothing is theirs any longer either.
    let named = std::mem::take(&mut w.t.escalation.named);
    let (named_gone, named_kept): (Vec<KeptDm>, Vec<KeptDm>) =
        named.into_iter().partition(|dm| dm.named().is_some_and(left_out));
    w.t.escalation.named = named_kept;
    for dm in named_gone {
        let message = said(false, dm.named());
        w.send(
            Lane::Dm,
            Op::Edit {
                channel: dm.posted.channel,
                ts: dm.posted.ts,
                message,
            },
        );
        w.changed = true;
    }
    for (dm, reader) in released.into_iter().flatten() {
        // A DM shared with other troubles (combined while they waited) speaks for them too:
        // it is drawn again, this one's line saying nothing is asked of its reader.
        let op = match dm.together.len() > 1 {
            true => Op::RedrawSharedDm {
                message: dm,
                escalation: false,
            },
            false => Op::Edit {
                channel: dm.channel,
                ts: dm.ts,
                message: said(false, reader.as_ref()),
            },
        };
        w.send(Lane::Dm, op);
    }
    let manager_dm_to = first_to.filter(|u| w.t.manager_dm.is_some() && chain.first() != Some(u));
    if w.t.escalation.manager_dm_to != manager_dm_to {
        w.t.escalation.manager_dm_to = manager_dm_to;
        w.changed = true;
    }
    let (gone, kept): (Vec<KeptDm>, Vec<KeptDm>) = std::mem::take(&mut w.t.escalation.dms)
        .into_iter()
        .partition(|dm| dm.asks().is_some_and(left_out));
    w.t.escalation.dms = kept;
    // An answered one whose reader is not known (kept by an earlier release) may be of anyone
    // the change leaves out: it is forgotten, left as it last read (true then), rather than
    // edited on for someone who may be out of the trouble.
    let anyone_left = chain_before.iter().any(left_out);
    let (answered_gone, answered_kept): (Vec<KeptDm>, Vec<KeptDm>) = std::mem::take(&mut w.t.escalation.settled)
        .into_iter()
        .partition(|dm| dm.asks().map_or(anyone_left, left_out));
    w.t.escalation.settled = answered_kept;
    w.changed |= !answered_gone.is_empty();
    let answered_gone = answered_gone.into_iter().filter(|dm| dm.asks().is_some());
    for dm in gone.into_iter().chain(answered_gone) {
        let above = dm.asks() != manager_before.as_ref();
        let op = match dm.posted.together.len() > 1 {
            true => Op::RedrawSharedDm {
                message: dm.posted,
                escalation: true,
            },
            false => Op::Edit {
                message: said(above, dm.asks()),
                channel: dm.posted.channel,
                ts: dm.posted.ts,
            },
        };
        w.send(Lane::Dm, op);
        w.changed = true;
    }
}

fn rechain_escalation(w: &mut Work, chain: Vec<UserId>) {
    let escalation = &mut w.t.escalation;
    // Whoever the escalation asks now ([`Escalation::asks`]): the chain as far as it reached,
    // and the owner's manager a fixed `[org]` names, asked from outside it. Taken into the new
    // chain, they are still asked, and it goes on from them.
    let asked: Vec<UserId> = escalation
        .chain
        .iter()
        .take(escalation.level + 1)
        .chain(escalation.asked_outside())
        .cloned()
        .collect();
    if escalation.chain.last() != chain.last() {
        escalation.top_repings = 0;
    }
    escalation.level = chain.iter().rposition(|u| asked.contains(u)).unwrap_or(0);
    escalation.chain = chain;
    w.t.manager = w.t.escalation.chain.first().cloned();
    if w.t.ack.is_some() || !w.t.is_open() {
        return;
    }
    let newly: Vec<UserId> =
        w.t.escalation
            .chain
            .iter()
            .take(w.t.escalation.level + 1)
            .filter(|u| !asked.contains(u))
            .cloned()
            .collect();
    // Nobody waited them out: they are told they are new to the trouble, and since when it is open.
    for who in &newly {
        let new_to_chain = match w.t.escalation.chain.first() == Some(who) {
            true => NewToChain::Manager,
            false => NewToChain::Above,
        };
        ask_to_acknowledge(w, who, None, Some(new_to_chain));
    }
    // An acknowledgement withdrawn by this change: the trouble waits again, and whoever the
    // escalation had reached would only see their answered DM edited, which notifies nobody,
    // without a button. Each is asked again at once; the newer DM asks, the older points to it.
    let withdrawn = w.ack_withdrawn_here();
    if withdrawn {
        let escalation = &w.t.escalation;
        let reached = &escalation.chain[..(escalation.level + 1).min(escalation.chain.len())];
        let again: Vec<UserId> = escalation
            .reachable(reached)
            .into_iter()
            .filter(|u| !newly.contains(u))
            .collect();
        for who in &again {
            ask_to_acknowledge(w, who, None, Some(NewToChain::AckWithdrawn));
        }
    }
    let gave_up = std::mem::replace(&mut w.t.escalation.gave_up, false);
    let due = w.ack_due();
    match w.t.escalation.due {
        // The bot had given up going up: asked again, the chain is asked daily from now on.
        _ if gave_up && newly.is_empty() && withdrawn => {
            w.t.escalation.gave_up = true;
            start_daily_timer(w);
        }
        _ if gave_up && newly.is_empty() => w.t.escalation.gave_up = true,
        Some(running) if !gave_up && running <= due => {}
        _ if w.t.escalation.chain.is_empty() => {}
        _ => w.start_ack_timer_at(due),
    }
}

/// Asks someone in the chain to acknowledge: a DM (which never waits for the channel) and a
/// mention in the kickoff thread, where a reply acknowledges. The DM is kept once posted
/// (`Slot::EscalationDm`), to lose its button when it no longer asks.
pub(super) fn ask_to_acknowledge(
    w: &mut Work,
    who: &UserId,
    passed_over: Option<&UserId>,
    new_to_chain: Option<NewToChain>,
) {
    let waited_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    let asked_before = asked_before(w, who);
    w.t.escalation.note_asked(who, w.ctx.now);
    w.changed = true;
    w.send(
        Lane::Dm,
        Op::Post {
            to: Dest::Dm(who.clone()),
            message: Message::EscalationDm {
                to: who.clone(),
                waited_secs,
                passed_over: passed_over.cloned(),
                new_to_chain,
                asked_before,
            },
            keep_as: Some(Slot::EscalationDm),
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::EscalationMention {
            to: who.clone(),
            waited_secs,
            passed_over: passed_over.cloned(),
            new_to_chain,
        },
    );
}

/// Who in the chain below `who` the escalation has reached, each with how long ago they were
/// first asked (the manager of a trouble stored before ask times were kept: since opening).
fn asked_before(w: &Work, who: &UserId) -> Vec<AskedBefore> {
    let escalation = &w.t.escalation;
    let below = escalation
        .chain
        .iter()
        .position(|u| u == who)
        .unwrap_or(escalation.chain.len());
    escalation
        .chain
        .iter()
        .enumerate()
        .take(below.min(escalation.level + 1))
        .map(|(i, u)| {
            let at = escalation.asked_at(u).or((i == 0).then_some(w.t.opened_at));
            AskedBefore {
                who: u.clone(),
                secs_ago: at.map(|at| (w.ctx.now - at).num_seconds().max(0)),
            }
        })
        .collect()
}

/// An escalation DM Slack now holds: kept while it asks. An older one to the same person (the
/// same DM channel) is edited at once to point to this one, so only the newest asks and what
/// is kept stays one per person; editing each superseded DM as the next goes spreads the edits
/// over the escalation instead of bursting them into one DM at the acknowledgement.
pub(super) fn escalation_dm_posted(w: &mut Work, posted: KeptDm) {
    let escalation = &w.t.escalation;
    // The same post told twice (its outcome recorded again after a retry) is no newer DM.
    if escalation.dms.iter().any(|m| m.posted == posted.posted) {
        return;
    }
    // Posted while a change of the chain left them out: it no longer asks, at once. The owner's
    // manager a fixed `[org]` names, asked from outside the chain, is asked as the chain is.
    let left_out = |u: &UserId| !escalation.holds(u);
    if posted.asks().is_some_and(left_out) {
        edit_escalation_dm(w, &posted, false);
        return;
    }
    let dms = &mut w.t.escalation.dms;
    let older = dms
        .iter()
        .position(|m| m.posted.channel == posted.posted.channel)
        .map(|i| dms.remove(i));
    let channel = posted.posted.channel.clone();
    dms.push(posted);
    w.changed = true;
    if let Some(older) = older {
        edit_escalation_dm(w, &older, true);
    }
    // One they answered before, asked again since its acknowledgement was withdrawn: it
    // points to the newer one, not saying the trouble waits beside it, and is forgotten. (One
    // that lands after an acknowledgement is settled at once by `Work::finish`, replacing it as
    // the one answered DM kept for them.)
    if w.t.ack.is_none() && w.t.is_open() {
        let settled = &mut w.t.escalation.settled;
        let answered: Vec<KeptDm> = settled.extract_if(.., |m| m.posted.channel == channel).collect();
        for answered in answered {
            edit_escalation_dm(w, &answered, true);
        }
    }
    // The manager's first DM (or the configured manager's), when it is they who are asked
    // again: it points to the newer one too, and is forgotten, as an older escalation DM is.
    let first_dms = [&mut w.t.manager_dm, &mut w.t.configured_manager_dm];
    let mut superseded: Vec<PostedMessage> = first_dms
        .into_iter()
        .filter_map(|kept| kept.take_if(|m| m.channel == channel))
        .collect();
    // So does the DM that told them they were named manager: it is this one that asks now.
    let named = &mut w.t.escalation.named;
    superseded.extend(named.extract_if(.., |m| m.posted.channel == channel).map(|m| m.posted));
    for first in superseded {
        match first.together.len() > 1 {
            true => w.send(
                Lane::Dm,
                Op::RedrawSharedDm {
                    message: first,
                    escalation: false,
                },
            ),
            false => edit_escalation_dm(
                w,
                &KeptDm {
                    posted: first,
                    shown: None,
                },
                true,
            ),
        }
    }
    // Acknowledged or closed while it was on its way: `Work::finish` edits it at once.
}

/// The DM telling someone named manager after the acknowledgement that it is theirs, as Slack
/// holds it: kept to be edited as the managers' DMs are, one per person (an older one to the
/// same DM channel is forgotten, left as it last read). One landing after a change of the chain
/// left them out again (someone else named in their place, or a hand-over) is edited once, at
/// once, to say who manages the trouble now, and not kept: its reader is out of the trouble,
/// which later edits would go on showing them (a private one's summary, owner, reopening).
pub(super) fn named_manager_dm_posted(w: &mut Work, posted: KeptDm) {
    let named = &mut w.t.escalation.named;
    if named.iter().any(|m| m.posted == posted.posted) {
        return;
    }
    if posted.named().is_some_and(|u| !w.t.escalation.chain.contains(u)) {
        if let Some(message) = posted.shown {
            let (channel, ts) = (posted.posted.channel, posted.posted.ts);
            w.send(Lane::Dm, Op::Edit { channel, ts, message });
        }
        return;
    }
    named.retain(|m| m.posted.channel != posted.posted.channel);
    named.push(posted);
    w.changed = true;
}

/// Once nobody needs to acknowledge (acknowledged, or closed first), every DM still asking
/// says so and loses its button, and none is kept any longer.
pub(super) fn settle_escalation_dms(w: &mut Work) {
    if w.t.escalation.dms.is_empty() || (w.t.ack.is_none() && w.t.is_open()) {
        return;
    }
    for dm in std::mem::take(&mut w.t.escalation.dms) {
        let settled = &mut w.t.escalation.settled;
        settled.retain(|s| s.posted.channel != dm.posted.channel);
        settled.push(dm.clone());
        edit_escalation_dm(w, &dm, false);
    }
    w.changed = true;
}

/// Edits an escalation DM to say it no longer asks (`asked_again`: a newer one does), with the
/// trouble's current facts; one several troubles share is drawn again from all of them. One
/// kept answered names whom it asked, for the button asking for a refused channel: kept, it is
/// edited again when that channel is asked for, and the button goes (one no longer kept never is).
pub(super) fn edit_escalation_dm(w: &mut Work, dm: &KeptDm, asked_again: bool) {
    let posted = dm.posted.clone();
    let kept = w.t.escalation.settled.iter().any(|s| s.posted == posted);
    let to = dm.asks().filter(|_| kept && !asked_again).cloned();
    let op = match posted.together.len() > 1 {
        true => Op::RedrawSharedDm {
            message: posted,
            escalation: true,
        },
        false => Op::Edit {
            channel: posted.channel,
            ts: posted.ts,
            message: Message::EscalationDmSettled { asked_again, to },
        },
    };
    w.send(Lane::Dm, op);
}
