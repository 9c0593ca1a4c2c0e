//! The trouble's channel archived, the bot removed from it, the channel or its kickoff or status
//! deleted, the kickoff or status unpinned: the channel is the trouble's shared record and where
//! the nudges go, so nobody hides it or silences them that way unnoticed.

use super::*;

/// Who did it (when Slack says) goes on the timeline. While the trouble is open, its owner and
/// manager hear at once, and so does the manager of whoever did it when they are in the chain
/// (the owner's manager is the manager): a bot token can neither unarchive a channel nor add
/// itself back, people must.
pub(super) fn channel_lost(w: &mut Work, how: ChannelLoss, by: Option<UserId>) {
    let event = match how {
        ChannelLoss::Archived => Event::ChannelArchived,
        ChannelLoss::BotRemoved => Event::BotRemoved,
    };
    if w.t.channel_lost == Some(how) {
        // Known already (a check found it before Slack's event came): the event adds who did
        // it, and the manager of whoever did it, when in the chain, hears now.
        let Some(by) = by else { return };
        w.log(Some(&by), event);
        if w.t.is_open() {
            let told = to_tell(w, None);
            for who in to_tell(w, Some(&by)).into_iter().filter(|who| !told.contains(who)) {
                let by = Some(by.clone());
                w.post(Lane::Dm, Dest::Dm(who), Message::ChannelLost { how, by });
            }
        }
        return;
    }
    w.log(by.as_ref(), event);
    w.t.channel_lost = Some(how);
    w.changed = true;
    if !w.t.is_open() {
        // A closed trouble's channel archived, or left to its members: tidying up (checked
        // only once something waits for it, or it is reopened).
        return;
    }
    check_again_soon(w);
    for who in to_tell(w, by.as_ref()) {
        w.post(Lane::Dm, Dest::Dm(who), Message::ChannelLost { how, by: by.clone() });
    }
}

/// A trouble reopened (`by`) while the bot has lost its channel (which was only recorded while
/// it was closed): the owner and the manager hear of it now, the one who reopened it in the answer.
pub(in crate::trouble) fn reopened_while_lost(w: &mut Work, by: &UserId) {
    // Open again, its channel is checked as an open trouble's is: a minute on, at most hourly.
    if w.t.channel_lost.is_some() || w.t.held.is_some() {
        check_again_soon(w);
    }
    let Some(how) = w.t.channel_lost else { return };
    for who in to_tell(w, None).into_iter().filter(|who| who != by) {
        w.post(Lane::Dm, Dest::Dm(who), Message::ReopenedWhileLost { how });
    }
}

/// Who hears that the channel was taken away by `by`: the owner and the manager, and the manager
/// of whoever did it when they are in the chain (the owner's manager is the manager); never the
/// one who did it.
fn to_tell(w: &Work, by: Option<&UserId>) -> Vec<UserId> {
    let chain = &w.t.escalation.chain;
    let above_them = by.and_then(|by| {
        let at = chain.iter().position(|m| m == by)?;
        chain.get(at + 1).cloned()
    });
    let mut told: Vec<UserId> = Vec::new();
    for who in [Some(w.t.owner.clone()), w.t.manager.clone(), above_them]
        .into_iter()
        .flatten()
    {
        if Some(&who) != by && !told.contains(&who) {
            told.push(who);
        }
    }
    told
}

/// The channel back: on the timeline, and the pinned status catches up with what it missed.
/// The bot joining a channel it never lost (its own, as it creates it) is nothing to record.
pub(super) fn channel_back(w: &mut Work, how: ChannelLoss, by: Option<UserId>) {
    let known = w.t.channel_lost == Some(how) || w.t.held.is_some();
    if how == ChannelLoss::BotRemoved && !known {
        return;
    }
    w.log(by.as_ref(), back_event(how));
    if w.t.channel_lost == Some(how) {
        w.t.channel_lost = None;
        w.changed = true;
    }
    if w.t.channel_lost.is_none() {
        release_held(w, Some(how));
    }
    if w.t.is_open() {
        w.refresh_status();
    }
}

fn back_event(how: ChannelLoss) -> Event {
    match how {
        ChannelLoss::Archived => Event::ChannelUnarchived,
        ChannelLoss::BotRemoved => Event::BotReturned,
    }
}

/// The first check whether the bot can post in the trouble's channel again, unless one is set:
/// Slack's events say when a channel is lost and back, but an app installed before they were
/// subscribed never hears them, and a bot that was down for long misses them. Checking, the
/// bot learns either way (see [`check_channel`]).
fn check_channel_soon(w: &mut Work) {
    if w.t.channel_check.is_none() {
        check_again_soon(w);
    }
}

/// A check a minute from now, whatever was set: what the bot knows changed (a loss heard of, the
/// trouble reopened), so an answer already on its way no longer fits (it is for an earlier
/// number), nor does a check far off. Later ones keep the spacing reached.
fn check_again_soon(w: &mut Work) {
    let n = match w.t.channel_check {
        Some(CHECKS_REFUSED) => return,
        Some(k) => k + 1,
        None => 0,
    };
    if w.t.channel.is_none() {
        return;
    }
    w.t.channel_check = Some(n);
    w.changed = true;
    w.timer(w.ctx.now + check_delay(0, w.t.is_open()), TimerKind::ChannelCheck { n });
}

/// `Trouble::channel_check` once Slack refused a check for good (a scope the app lacks): no
/// check is set, and none starts until the channel is back (Slack's events still tell), so the
/// refusal is on the timeline once, not at every call held meanwhile.
const CHECKS_REFUSED: u32 = u32::MAX;

/// Slack refused a check for good.
pub(super) fn checks_refused(w: &mut Work) {
    w.t.channel_check = Some(CHECKS_REFUSED);
    w.changed = true;
}

/// How many checks a closed trouble's channel gets (about a week of daily ones after the first
/// day): archiving a closed trouble's channel is the usual end of it, and what waited for it
/// (an effectiveness answer, say) is still posted on Slack's event or a reopening; another line
/// for the channel starts them again.
const CLOSED_CHECKS: u32 = 18;

/// Checks come a minute after a refusal (time for Slack's event to say why), then twice as far
/// apart each time, up to an hour while the trouble is open, or a day once it is closed (what
/// it held, such as its report, still waits to be posted).
fn check_delay(n: u32, open: bool) -> Duration {
    let most = if open { Duration::hours(1) } else { Duration::days(1) };
    Duration::minutes(1i64 << n.min(12)).min(most)
}

/// The check timer `n` fired: the first time (a refusal, however it was handled, says something
/// is wrong), and while the bot still waits for the channel (an open trouble's lost channel, or
/// calls held for it), it asks Slack, and sets the next check; otherwise checking stops.
pub(super) fn check_channel(w: &mut Work, n: u32) {
    if w.t.channel_check != Some(n) {
        return;
    }
    let lost = w.t.channel_lost.is_some() && w.t.is_open();
    let enough = !w.t.is_open() && n >= CLOSED_CHECKS;
    if w.t.channel.is_none() || enough || !(n == 0 || lost || w.t.held.is_some()) {
        w.t.channel_check = None;
        w.changed = true;
        return;
    }
    w.t.channel_check = Some(n + 1);
    w.changed = true;
    let due = w.ctx.now + check_delay(n + 1, w.t.is_open());
    w.timer(due, TimerKind::ChannelCheck { n: n + 1 });
    w.send(Lane::Channel, Op::CheckChannel { n });
}

/// What Slack showed of the trouble's `channel`, asked by check `n` ([`check_channel`]): lost
/// (and the bot had not heard, as when the event is not subscribed) is taken as if Slack's
/// event had said so, by nobody in particular; back, likewise, and what waited follows. A
/// public channel Slack no longer shows was deleted (or made private without the bot: either
/// way the trouble needs a channel the bot can post in), and is replaced as on
/// `channel_deleted`; a private one is the same to the bot whether deleted or left without it,
/// and is taken as the bot removed. An answer older than what the bot heard since (an event,
/// or checking ended or begun again) is stale.
pub(super) fn channel_checked(w: &mut Work, channel: ChannelId, seen: ChannelSeen, n: u32) {
    if w.t.channel.as_ref() != Some(&channel) || w.t.channel_check != Some(n + 1) {
        return;
    }
    let lost = match seen {
        ChannelSeen::Usable => None,
        ChannelSeen::Archived => Some(ChannelLoss::Archived),
        ChannelSeen::BotOut => Some(ChannelLoss::BotRemoved),
        ChannelSeen::NotFound if w.t.private == Some(false) => return channel_deleted(w, None),
        ChannelSeen::NotFound => Some(ChannelLoss::BotRemoved),
    };
    match (lost, w.t.channel_lost) {
        (Some(how), None) => channel_lost(w, how, None),
        // Back one way, lost another (unarchived without the bot in it, say): both recorded,
        // and whoever can undo the new one asked to; what waits still waits.
        (Some(how), Some(was)) if how != was => {
            w.log(None, back_event(was));
            w.t.channel_lost = None;
            channel_lost(w, how, None);
        }
        (Some(_), Some(_)) => {}
        (None, Some(how)) => channel_back(w, how, None),
        // Refused while it was lost, answered after it was back (or back within the minute):
        // nothing else will release it.
        (None, None) => {
            let how = w.t.held.as_ref().and_then(|h| h.how).unwrap_or(ChannelLoss::BotRemoved);
            release_held(w, Some(how));
        }
    }
}

/// Keeps `call`, to the trouble's channel, until the bot can post there again: after the calls
/// held before it, or, when it came back `refused` from the outbox (decided before the bot knew),
/// after those refused before it and ahead of the rest. An edit or a pin renders what is current
/// when it goes, so one of each is enough, in the latest place (a pin after the post it pins);
/// invitations add up into one. With no channel, what setting one up does anyway is not kept
/// ([`set_up_anyway`]), but what a late line said of the lines it announced is.
pub(super) fn hold(w: &mut Work, call: Delivery, refused: bool) {
    if w.t.channel.is_none() && set_up_anyway(&w.t, &call.op) {
        if let Op::Post {
            message: Message::ChannelMadeLate { held: Some(h), .. } | Message::ChannelReplaced { held: Some(h) },
            ..
        } = &call.op
        {
            // Refused again: the lines it announced come back behind it and wait once more, as
            // long as they did already, with those left out then still missing.
            let how = w.t.channel_lost;
            let held = w.t.held.get_or_insert_with(|| Held {
                since: h.since,
                calls: Vec::new(),
                refused: 0,
                left_out: 0,
                how,
            });
            held.since = held.since.min(h.since);
            held.left_out += h.left_out;
            w.changed = true;
        }
        return skip_set_up(w, &call.op);
    }
    // Something waits: the bot checks until it can go (a closed trouble's checking may have
    // stopped with nothing waiting).
    check_channel_soon(w);
    let now = w.ctx.now;
    let how = w.t.channel_lost;
    let held = w.t.held.get_or_insert_with(|| Held {
        since: now,
        calls: Vec::new(),
        refused: 0,
        left_out: 0,
        how,
    });
    w.changed = true;
    if call.op.posts_report() {
        return hold_report(held, call, refused);
    }
    let call = match call.op {
        // A line, whether or not its ts is kept with the entry it carries (a note's).
        Op::Post {
            keep_as: None | Some(Slot::Entry { .. }),
            ..
        } => {
            if held_line_count(held) >= Held::MOST {
                held.left_out += 1;
                return;
            }
            call
        }
        Op::Invite { users } => {
            let invited = held.calls.iter_mut().find_map(|c| match &mut c.op {
                Op::Invite { users } => Some(users),
                _ => None,
            });
            let Some(invited) = invited else {
                return place(
                    held,
                    Delivery {
                        lane: call.lane,
                        op: Op::Invite { users },
                    },
                    refused,
                );
            };
            for u in users {
                if !invited.contains(&u) {
                    invited.push(u);
                }
            }
            return;
        }
        Op::Refresh { .. } | Op::Pin { .. } => {
            if let Some(at) = held.calls.iter().position(|c| *c == call) {
                // One refused from the outbox is older than the one held: that one stays.
                if refused {
                    return;
                }
                held.calls.remove(at);
                if at < held.refused as usize {
                    held.refused -= 1;
                }
            }
            call
        }
        _ => call,
    };
    place(held, call, refused);
}

/// How many lines wait in `held`, counted against [`Held::MOST`]: posts kept as no slot, or as
/// the entry they carry; not a report's (one thing apart, see [`hold_report`]).
pub(super) fn held_line_count(held: &Held) -> usize {
    held.calls
        .iter()
        .filter(|c| {
            !c.op.posts_report()
                && matches!(
                    c.op,
                    Op::Post {
                        keep_as: None | Some(Slot::Entry { .. }),
                        ..
                    }
                )
        })
        .count()
}

/// A report for the channel while it waits: one thing waiting, not lines counted against
/// [`Held::MOST`] (a long report neither pushes out what waits nor is cut by it), and only the
/// latest. A report renders the whole timeline as it reads when asked, so a later one says all
/// an earlier one did: its summary takes the place of any report held before it (with the
/// parts of an earlier report, posted or not, still to go in its thread). One that came back
/// refused from the outbox (decided before the bot knew it could not post) is older than a
/// report held since, and goes, its parts with it.
fn hold_report(held: &mut Held, call: Delivery, refused: bool) {
    let newer = held.calls[held.refused as usize..]
        .iter()
        .any(|c| c.op.posts_report_summary());
    if refused && newer {
        return;
    }
    if call.op.posts_report_summary() {
        let ahead = held.refused as usize;
        let mut kept = Vec::with_capacity(held.calls.len());
        for (at, c) in std::mem::take(&mut held.calls).into_iter().enumerate() {
            if !c.op.posts_report() {
                kept.push(c);
            } else if at < ahead {
                held.refused -= 1;
            }
        }
        held.calls = kept;
    }
    place(held, call, refused);
}

/// Whether `op`, for trouble `t` with no channel, is what setting one up does anyway
/// ([`set_up_channel_again`]): the invitations (of everyone taking part by then), the kickoff
/// and the status ([`post_kickoff_and_status`]), posted current and pinned, the line saying why
/// the channel is new, and, in a channel made late, what the open posted beside the kickoff
/// ([`post_beside_kickoff`]; a deleted channel's replacement posts none: a customer's history
/// told since still goes there). Held, they would come twice; edits, pins and removals of what
/// a channel never made never carried are nothing.
fn set_up_anyway(t: &Trouble, op: &Op) -> bool {
    match op {
        Op::Invite { .. } | Op::Kick { .. } | Op::Withdraw { .. } => true,
        Op::Refresh { slot } | Op::Pin { slot } => matches!(slot, Slot::Kickoff | Slot::Status),
        Op::Post {
            keep_as: Some(Slot::Kickoff | Slot::Status),
            ..
        } => true,
        Op::Post { to, message, .. } => {
            matches!(
                message,
                Message::ChannelMadeLate { .. } | Message::ChannelReplaced { .. }
            ) || made_late(t) && beside_kickoff(to, message)
        }
        _ => false,
    }
}

/// Whether a channel set up for `t`, which has none, is the one Slack refused at the open, made
/// late (its set-up posts what the open posted beside the kickoff), not a deleted one's
/// replacement.
fn made_late(t: &Trouble) -> bool {
    !t.channel_deleted
}

/// `op`, which the set-up of a new channel does anyway ([`set_up_anyway`]), is not made: a
/// status refresh, counted as queued, would keep any later change from redrawing the new status.
fn skip_set_up(w: &mut Work, op: &Op) {
    if *op == (Op::Refresh { slot: Slot::Status }) {
        w.t.status_refresh_queued = false;
        w.changed = true;
    }
}

fn place(held: &mut Held, call: Delivery, refused: bool) {
    if refused {
        held.calls.insert(held.refused as usize, call);
        held.refused += 1;
    } else {
        held.calls.push(call);
    }
}

/// The channel can be posted in again (back after it was lost `how`, or made with none lost):
/// what waited goes now, in order, after a line saying why it comes late.
fn release_held(w: &mut Work, how: Option<ChannelLoss>) {
    // Nothing waits for the channel any more: a check timer still set is stale.
    w.t.channel_check = None;
    let Some((held, lines)) = take_held(w) else { return };
    if let Some(HeldLines { since, count, left_out }) = lines {
        let message = Message::HeldFollow {
            how,
            since,
            count,
            left_out,
        };
        w.post(Lane::Channel, Dest::TroubleChannel, message);
    }
    follow_held(w, held);
}

/// What waited for the channel, taken off the trouble, with what the line before it says of
/// it (none when no message waited).
fn take_held(w: &mut Work) -> Option<(Held, Option<HeldLines>)> {
    let held = w.t.held.take()?;
    w.changed = true;
    let lines = held_lines(&held);
    Some((held, lines))
}

/// What the line before the messages that waited says of them; none when no message waited.
fn held_lines(held: &Held) -> Option<HeldLines> {
    // A report is one of them: its parts follow in its summary's thread. Parts whose summary
    // was posted before the channel was lost are that report, late: one too, or they would
    // appear in the old summary's thread with nothing saying so.
    let summary_held = held.calls.iter().any(|c| c.op.posts_report_summary());
    let parts_alone = !summary_held && held.calls.iter().any(|c| c.op.posts_in_report_thread());
    let count = held
        .calls
        .iter()
        .filter(|c| matches!(c.op, Op::Post { .. }) && !c.op.posts_in_report_thread())
        .count()
        + usize::from(parts_alone);
    (count > 0 || held.left_out > 0).then_some(HeldLines {
        since: held.since,
        count,
        left_out: held.left_out,
    })
}

/// Each call that waited, once, in order, behind the line saying why it comes late.
fn follow_held(w: &mut Work, held: Held) {
    for call in held.calls {
        if call.op == (Op::Refresh { slot: Slot::Status }) {
            // As `refresh_status` would: later changes ride on this one.
            w.t.status_refresh_queued = true;
        }
        match call.op {
            Op::Invite { users } => w.invite(users),
            op => w.send(call.lane, op),
        }
    }
}

/// A call to the trouble's channel failed for good because the bot cannot post there (in
/// `channel`): it waits with the others. Before the bot has heard that the channel was lost (or
/// when it never does), the failure is on the timeline. A call to a channel the trouble no
/// longer has (deleted, and replaced) is only noted. One that found no channel at all (decided
/// before Slack's refusal to create it came back) waits as if decided after it.
pub(super) fn channel_unavailable(
    w: &mut Work,
    call: Delivery,
    channel: Option<ChannelId>,
    method: String,
    error: String,
) {
    let Some(channel) = channel else {
        return without_channel(w, call);
    };
    let current = w.t.channel.as_ref() == Some(&channel);
    if !current || w.t.channel_lost.is_none() {
        w.log(
            None,
            Event::DeliveryFailed {
                method,
                error: error.clone(),
                who: None,
            },
        );
    }
    if current {
        // Before Slack's event says why, or when it never does, the bot finds out by asking.
        check_channel_soon(w);
    }
    // A nudge or a question is about now, not for the record: whoever it is for gets it by DM at
    // once, whether or not the bot has heard why the channel refused it.
    if asked_by_dm(w, &call) || !current {
        return;
    }
    hold(w, call, true);
    if let Some(held) = w.t.held.as_mut() {
        held.how.get_or_insert(match error.as_str() {
            "is_archived" => ChannelLoss::Archived,
            _ => ChannelLoss::BotRemoved,
        });
    }
}

/// A call to the trouble's channel that found none. While Slack refuses to create it, it waits
/// (the refusal is on the timeline already, once); so it does while a channel is being made (its
/// creation queued, or the trouble open: asked for again, or the trouble reopened, after the
/// call was queued, it comes back from behind the creation), until the channel is made
/// ([`channel_made`]): sent again at once, it would come back as often until then. Either way a
/// nudge or a question goes by DM at once, as for a lost channel (a closed trouble's too). Made
/// since, it is sent again, unless the set-up posted it anyway. Otherwise (a deleted channel of
/// a closed trouble, say) it went with the channel.
fn without_channel(w: &mut Work, call: Delivery) {
    let open = w.t.is_open();
    let waits = w.t.channel.is_none() && (w.t.channel_refused || w.t.channel_create_queued || open);
    // A question goes by DM first, whatever became of the channel: a closed trouble's
    // effectiveness check, its channel deleted, still asks.
    if asked_by_dm(w, &call) || !(waits || open) {
        return;
    }
    if waits {
        return hold(w, call, true);
    }
    if set_up_anyway(&w.t, &call.op) {
        return skip_set_up(w, &call.op);
    }
    w.send(call.lane, call.op);
}

/// The trouble's channel made (at the open, asked for again, a deleted one's replacement): what
/// came back from behind its creation meanwhile ([`without_channel`]) follows now, each once, in
/// order, after what the set-up posts and what was said since: decided before the channel was
/// there, it comes late, and a line says so, as for a channel back.
pub(super) fn channel_made(w: &mut Work) {
    w.t.channel_create_queued = false;
    w.changed = true;
    release_held(w, None);
}

/// The trouble's channel to be created (at the open, or a new one set up): the one creation
/// under way until Slack answers, made ([`channel_made`]) or refused.
pub(super) fn queue_channel_creation(w: &mut Work) {
    w.t.channel_create_queued = true;
    w.changed = true;
    w.send(Lane::Channel, Op::CreateChannel);
}

/// Whether `call` asks the owner for something now ([`asks_now`]): if so it went to them by DM
/// instead (and to whom else it asks).
fn asked_by_dm(w: &mut Work, call: &Delivery) -> bool {
    let Op::Post { message, .. } = &call.op else {
        return false;
    };
    let Some(also) = asks_now(w, message) else { return false };
    let message = message.clone();
    // The effectiveness check asks the measure's own owner too: the channel held them, so its
    // ask reaches them by DM now, as when the bot knew the channel lost (`effect_check`).
    if let Message::Step(crate::trouble::facts::StepLine::EffectCheck { ask, .. }) = &message {
        let there = in_its_channel(w.ctx.policy, &w.t);
        let measure_owners = ask
            .iter()
            .filter(|u| **u != w.t.owner && Some(*u) != also.as_ref())
            .filter(|u| there.contains(u) && !w.t.cannot_be_reached(u))
            .cloned()
            .collect::<Vec<_>>();
        for who in measure_owners {
            w.post(Lane::Dm, Dest::Dm(who), message.clone());
        }
    }
    w.dm_owner_and(message, also);
    true
}

/// Whether `message` asks the owner for something now (a nudge, the first-call checklist, the
/// effectiveness check, the returned goods still only requested), and whom besides the owner it
/// asks.
fn asks_now(w: &Work, message: &Message) -> Option<Option<UserId>> {
    match message {
        Message::Nudge(n) => Some(n.manager.clone()),
        Message::FirstContact { manager, .. } => Some(manager.clone()),
        Message::Step(crate::trouble::facts::StepLine::EffectCheck { n, .. }) => Some(
            w.t.substance
                .actions
                .get(n.wrapping_sub(1))
                .and_then(|a| crate::trouble::actions::effect_check_manager(w.ctx.policy, &w.t, a))
                // Whom the channel does not hold was DMed the ask already (`effect_check`).
                .filter(|m| in_its_channel(w.ctx.policy, &w.t).contains(m)),
        ),
        Message::Step(crate::trouble::facts::StepLine::ReturnReminder { .. }) => Some(None),
        _ => None,
    }
}

/// The channel deleted (by `by`, when Slack says): on the timeline, and gone from the trouble
/// with its messages and whatever waited for it (the status carries the state, the timeline all
/// of it). An open trouble gets a new channel at once ([`set_up_channel_again`]); a closed one
/// when it is reopened: deleting the channel hides no trouble.
pub(super) fn channel_deleted(w: &mut Work, by: Option<UserId>) {
    let Some(gone) = w.t.channel.take() else { return };
    w.log(by.as_ref(), Event::ChannelDeleted { channel: gone });
    w.t.channel_deleted = true;
    w.t.channel_lost = None;
    w.t.held = None;
    w.t.channel_check = None;
    w.t.kickoff = None;
    w.t.earlier_kickoffs.clear();
    w.t.status = None;
    w.t.status_refresh_queued = false;
    if let Some(report) = w.t.last_report.as_mut() {
        report.message = None;
    }
    // Gone with the channel: nobody will read them there, shared or not.
    w.t.team_lines.clear();
    w.t.team_lines_dropped = 0;
    if w.t.is_open() {
        set_up_channel_again(w, by.as_ref(), None);
    }
}

/// Whether `t` may carry a refusal an earlier release kept no flag of ([`refusal_unflagged`]):
/// no channel, no flag, and no creation under way (flagged then, it would offer a second
/// channel; see [`set_up_channel_again`]). Only then is its timeline worth reading.
pub fn may_be_refused_unflagged(t: &Trouble) -> bool {
    t.channel.is_none() && !t.channel_refused && !t.channel_create_queued
}

/// Whether `input` may reopen a closed trouble (`/trouble reopen`, an effectiveness check
/// answered "not effective"): before it, the shell flags a refusal an earlier release kept no
/// flag of ([`refusal_unflagged`]), so the reopening makes the channel as a refused one's.
pub fn may_reopen(input: &Input) -> bool {
    use crate::trouble::facts::Step;
    matches!(
        input,
        Input::Command {
            command: Command::Step(Step::Reopen(_)),
            ..
        } | Input::Button {
            action: ButtonAction::Effect { effective: false, .. },
            ..
        }
    )
}

/// What an earlier release, which kept no [`Trouble::channel_refused`], left of Slack's
/// refusal to create `t`'s channel: the input that flags it, when `t` may carry one
/// ([`may_be_refused_unflagged`]) and its timeline `entries` end, as far as the channel goes,
/// with the refusal (`DeliveryFailed` for `conversations.create`). Anything since that asked Slack for a
/// channel (made, deleted and so replaced, asked for again, the trouble reopened) means a
/// creation came after it: made, or still on its way, which a flag would offer to ask for
/// twice. The refused creation was a `replacement` when a channel was deleted before it (the
/// line then says so). Open or closed alike, as this release flags a refusal: a closed
/// trouble's flag offers nothing ([`may_ask_for_channel`]), and its reopening then says the
/// channel comes late, not that it was deleted. Read by the shell (`Engine::flag_refusal_unflagged`)
/// at start for the open troubles, and before a reopening; the input applies only while the
/// timeline has not moved on.
pub fn refusal_unflagged(t: &Trouble, entries: &[Entry]) -> Option<Input> {
    if !may_be_refused_unflagged(t) {
        return None;
    }
    let last = entries.iter().rposition(|e| {
        matches!(
            &e.event,
            Event::DeliveryFailed { method, .. } if method == "conversations.create"
        ) || matches!(
            e.event,
            Event::ChannelCreated { .. }
                | Event::ChannelDeleted { .. }
                | Event::ChannelAskedFor
                | Event::Stage(crate::trouble::facts::StepEvent::Reopened { .. })
        )
    })?;
    if !matches!(entries[last].event, Event::DeliveryFailed { .. }) {
        return None;
    }
    let replacement = entries[..last]
        .iter()
        .any(|e| matches!(e.event, Event::ChannelDeleted { .. }));
    Some(Input::RefusalOnTimeline {
        head: t.timeline_head.clone(),
        replacement,
    })
}

/// Flags the refusal [`refusal_unflagged`] read, as the refusal would have been flagged had the
/// release that heard it kept the flag: the managers' DMs and the escalation's still asking
/// carry the button that asks again, as App Home does, and `/trouble status` says so. Nothing
/// goes on the timeline, which recorded the refusal when it came. A timeline moved on since it
/// was read (a timer, a note) flags nothing: the shell reads it again.
pub(super) fn refusal_on_timeline(w: &mut Work, head: &str, replacement: bool) {
    if w.t.timeline_head != head || !may_be_refused_unflagged(&w.t) {
        return;
    }
    w.t.channel_refused = true;
    w.t.channel_deleted |= replacement;
    w.changed = true;
    w.refresh_manager_dms();
    w.refresh_asking_dms();
}

/// Whether `user` is offered the button that asks for `t`'s channel again where they look
/// (App Home): Slack's refusal recorded on an open trouble, and the role a click is judged by.
pub fn may_ask_for_channel(policy: &Policy, t: &Trouble, user: &UserId) -> bool {
    t.is_open() && t.channel.is_none() && t.channel_refused && may(policy, t, user, Act::AskForChannel)
}

/// Whether the managers' DMs carry that button: judged as App Home judges its viewer, for the
/// manager's DM's reader (whom it went to, else the manager). The configured manager's DM,
/// the same message asked at the same open, follows it: the render does not know its slot.
pub fn manager_dm_may_ask_for_channel(policy: &Policy, t: &Trouble) -> bool {
    let reader = t.escalation.manager_dm_to.as_ref().or(t.manager.as_ref());
    reader.is_some_and(|reader| may_ask_for_channel(policy, t, reader))
}

/// `user` asked for the channel Slack refused to create (the button on the owner's DM saying
/// so, on the managers' DMs or in App Home). Asked once: the creation queued, another click
/// finds it coming, and says so rather than make a second channel.
pub(super) fn ask_for_channel(w: &mut Work, user: &UserId) -> Reply {
    let id = w.t.id.clone();
    let answer = match (&w.t.channel, w.t.channel_refused) {
        (Some(channel), _) => ChannelAgain::Exists(channel.clone()),
        (None, false) => ChannelAgain::Coming,
        (None, true) => {
            w.log(Some(user), Event::ChannelAskedFor);
            // Something follows: none does when all that waited was left out.
            let then_held = w.t.held.as_ref().and_then(held_lines).is_some_and(|l| l.count > 0);
            set_up_channel_again(w, None, Some(user));
            // Their button goes, and no DM says it was refused: the channel is being set up,
            // and its link comes once made.
            w.refresh_manager_dms();
            w.refresh_asking_dms();
            ChannelAgain::Asked { then_held }
        }
    };
    Reply::ChannelAgain { id, answer }
}

/// A new channel for a trouble without one (its channel deleted, or never made: Slack refused
/// it), set up as at opening: everyone who took part invited (the owner, the chain as far as it
/// was asked, the people added, the departments' members, whoever had joined), the kickoff and
/// the status posted and pinned, and a line saying what happened, as do DMs to those a lost
/// channel is told to (after it, in the channel's lane, so they link the new channel): never to
/// whoever `asked` for it (answered at their click), and for a deleted one, as to the manager
/// of whoever deleted it (`by`). Then what waited for the channel while Slack refused it (see
/// [`hold`]), each once, in order.
pub(in crate::trouble) fn set_up_channel_again(w: &mut Work, by: Option<&UserId>, asked: Option<&UserId>) {
    // One under way already (asked for, then the trouble closed and reopened before Slack
    // answered): its set-up serves, or the channel would get two kickoffs and two lines saying
    // why it is new.
    if w.t.channel_create_queued {
        return;
    }
    // Made late only when the refusal is recorded: a trouble stored before `channel_deleted`
    // was kept may have lost its channel all the same, and was told it was replaced.
    let late = w.t.channel_refused && made_late(&w.t);
    // One creation under way: a click on the refusal's button finds it coming.
    w.t.channel_refused = false;
    queue_channel_creation(w);
    let invitees = in_its_channel(w.ctx.policy, &w.t);
    w.invite(invitees);
    post_kickoff_and_status(w);
    // What the open posted beside the kickoff went with the channel Slack refused: it comes now.
    if late {
        post_beside_kickoff(w);
    }
    // A channel never made was not replaced: the line says it comes late, and why; in the
    // channel, also that what was said meanwhile follows (one line, not one more).
    let line = |held: Option<HeldLines>| match late {
        true => Message::ChannelMadeLate {
            asked: asked.cloned(),
            held,
        },
        false => Message::ChannelReplaced { held },
    };
    let waited = take_held(w);
    let lines = waited.as_ref().and_then(|(_, lines)| lines.clone());
    w.post(Lane::Channel, Dest::TroubleChannel, line(lines));
    for who in to_tell(w, by).into_iter().filter(|who| Some(who) != asked) {
        w.post(Lane::Channel, Dest::Dm(who), line(None));
    }
    if let Some((held, _)) = waited {
        follow_held(w, held);
    }
}

/// A message in the trouble's channel deleted (by an admin: only they may delete the bot's). The
/// kickoff, where the manager acknowledges, and the pinned status are the channel's shared view of
/// the trouble: either is on the timeline and posted and pinned again at once, so deleting it
/// hides nothing. Any other message is nothing to the bot.
pub(super) fn message_deleted(w: &mut Work, ts: Ts) {
    let is = |m: &Option<PostedMessage>| m.as_ref().is_some_and(|m| m.ts == ts);
    let (slot, event, message) = if is(&w.t.kickoff) {
        w.t.kickoff = None;
        // Its replies stay under Slack's tombstone: one there still acknowledges.
        w.t.earlier_kickoffs.push(ts);
        let over = w.t.earlier_kickoffs.len().saturating_sub(Trouble::EARLIER_KICKOFFS);
        w.t.earlier_kickoffs.drain(..over);
        (Slot::Kickoff, Event::KickoffDeleted, Message::Kickoff)
    } else if is(&w.t.status) {
        w.t.status = None;
        w.t.status_refresh_queued = false;
        (Slot::Status, Event::StatusDeleted, Message::Status)
    } else {
        return;
    };
    w.log(None, event);
    post_and_pin(w, message, slot);
}

/// The kickoff and the status are pinned so everyone finds the one shared record; anyone may
/// unpin them. While the trouble is open the bot pins it again and the channel hears who
/// unpinned it, so it is neither lost quietly nor a fight nobody sees. Any other message's pin,
/// and everything once the trouble is closed, is the channel's own business.
pub(super) fn unpinned(w: &mut Work, user: UserId, ts: Ts) {
    if !w.t.is_open() {
        return;
    }
    let is = |m: &Option<PostedMessage>| m.as_ref().is_some_and(|m| m.ts == ts);
    let (slot, event) = if is(&w.t.kickoff) {
        (Slot::Kickoff, Event::KickoffUnpinned)
    } else if is(&w.t.status) {
        (Slot::Status, Event::StatusUnpinned)
    } else {
        return;
    };
    w.log(Some(&user), event);
    w.send(Lane::Channel, Op::Pin { slot });
    w.post(Lane::Channel, Dest::TroubleChannel, Message::PinnedAgain { user, slot });
}
