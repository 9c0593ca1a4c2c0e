//! Follow-up with the customer: logged updates and promises, nudges on the cadence, the first contact.

use super::*;

/// A promise to the customer may reach at most this far ahead.
pub const MAX_PROMISE_DAYS: u32 = 14;

/// When a promise falls due: a time (`15:00`, `明日 10:00`, `2h`), or a day alone (`明日`,
/// `明日中`, `金曜`, `12/20`), which a rep keeps by the close of that business day, as an
/// action's due date is read. The morning (`明朝`) is the business hours' opening.
fn promised_by(text: &str, now: DateTime<Utc>, policy: &Policy) -> Result<DateTime<Utc>, WhenError> {
    let opening = policy.business_hours.as_ref().map(|h| h.open);
    match parse_when_opening(text, now, policy.timezone, opening) {
        Err(WhenError::Unrecognised) => {
            let day = crate::trouble::money::fold_width(text);
            let day = day.trim().trim_end_matches('中');
            let (tz, hours) = (policy.timezone, policy.business_hours.as_ref());
            if let Some(today) = crate::trouble::due::weekday_today(day, now, tz, hours) {
                return Ok(today);
            }
            crate::trouble::due::parse_due(day, now, tz, hours).map_err(|e| match e {
                crate::trouble::due::DueError::InPast => WhenError::InPast,
                crate::trouble::due::DueError::Unrecognised => WhenError::Unrecognised,
                crate::trouble::due::DueError::Ambiguous { hour } => WhenError::Ambiguous { hour },
                crate::trouble::due::DueError::TooFar { days } => WhenError::TooFar { days },
            })
        }
        other => other,
    }
}

/// How soon after an update the same one by the same person is a second press, not news.
const SAME_UPDATE_WITHIN_SECS: i64 = 60;

pub(super) fn log_update(w: &mut Work, user: &UserId, text: String, next: Option<String>) -> Reply {
    let now = w.ctx.now;

    let unread_promise = match next {
        None => crate::trouble::command::unread_promise(&text).map(str::to_string),
        Some(_) => None,
    };
    // A promise naming no zone is read on our clock, always: read on a zone given earlier, the
    // `17:00` a rep meant as Tokyo's would move by hours without a word. The customer's zone
    // given last on this trouble is only shown beside it (see `Reply::UpdateLogged`).
    let remembered = match &next {
        Some(n) if crate::trouble::when::written_zone(n).is_none() => {
            w.t.counted_updates()
                .rev()
                .find_map(|u| u.promised_zone.as_deref())
                .and_then(crate::trouble::zone::zone_of)
        }
        _ => None,
    };
    let promised = match &next {
        None => None,
        Some(n) => match promised_by(n, now, w.ctx.policy) {
            // A promise far ahead would silence every nudge until then.
            Ok(at) if at > now + Duration::days(MAX_PROMISE_DAYS.into()) => {
                return Reply::BadWhen {
                    text: n.clone(),
                    error: WhenError::TooFar { days: MAX_PROMISE_DAYS },
                }
            }
            Ok(at) => Some(at),
            Err(error) => return Reply::BadWhen { text: n.clone(), error },
        },
    };
    // Kept to show the promise in the customer's time too; our own clock, named (`JST`) or as
    // the offset it shows then (`UTC+9` in Tokyo), needs no second clock.
    let zone = next
        .as_deref()
        .and_then(crate::trouble::when::written_zone)
        .filter(|zone| !promised.is_some_and(|at| zone.is_ours(w.ctx.policy.timezone, at)))
        .map(|zone| zone.name());
    // Sent twice at once, or typed again when no answer came in time: logged once (a second
    // entry would count as a second contact and move the cadence). Another promise is news.
    let n = w.t.customer_updates.len();
    if let Some(last) = w.t.customer_updates.last() {
        // The promise as typed, read at the moment the first copy was logged: `2h` typed again
        // 50 s later is the promise already made, though counted from now it lands 50 s later
        // (compared as instants, a double submit was logged twice). Rounding to the minute
        // would not do: two copies either side of a minute's turn still differ. A different
        // promise (`3h`, `16:00`) reads differently from then too, and is logged.
        let same_promise = match (&next, last.promised_next) {
            (None, None) => true,
            (Some(n), Some(p)) => promised == Some(p) || promised_by(n, last.at, w.ctx.policy).ok() == Some(p),
            _ => false,
        };
        let again = last.by == *user
            && last.withdrawn.is_none()
            && now - last.at < Duration::seconds(SAME_UPDATE_WITHIN_SECS)
            && crate::trouble::customer::same_words(&last.text, &text)
            && same_promise;
        if again {
            return Reply::UpdateAlreadyLogged { n, at: last.at };
        }
    }
    if !w.t.contacted() {
        // The kickoff shows the first-contact deadline until it is met.
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    }
    // A new promise further off than the one standing is news to the manager; a nearer one not.
    let further = promised.filter(|p| w.t.standing_promise().is_none_or(|before| *p > before));
    // With no promise of its own, an earlier promise still ahead stands (see `promised_next`).
    let kept = match promised {
        None => w.t.standing_promise().filter(|p| *p > now),
        Some(_) => None,
    };
    w.t.customer_updates.push(CustomerUpdate {
        text: text.clone(),
        by: user.clone(),
        at: now,
        promised_next: promised,
        promised_zone: zone.clone(),
        withdrawn: None,
    });
    w.record(
        user,
        Record::Update {
            text: text.clone(),
            promised_next: promised,
            promised_zone: zone.clone(),
        },
    );
    w.log(
        Some(user),
        Event::CustomerUpdate {
            text,
            promised_next: promised,
            promised_zone: zone.clone(),
        },
    );
    // The customer heard from us: whoever was DMed that they wait need not act on it any longer.
    // Kept as they were, in case this update is withdrawn.
    let settled = w.t.waiting_dms.clone();
    w.settle_waiting_dms(user, now);
    for dm in settled {
        remember_settled(w, dm);
    }
    // A promise someone else made is the owner's to keep: they hear of it, and how to undo it.
    if promised.is_some() && *user != w.t.owner {
        let n = w.t.customer_updates.len();
        let notice = Message::PromiseMadeForYou { n, by: user.clone() };
        w.post(Lane::Dm, Dest::Dm(w.t.owner.clone()), notice);
    }
    let manager_told = further.and_then(|p| tell_far_promise(w, user, p));
    let promised = promised.or(kept);
    // A promise nearer than the reminder lead would be "coming up" at once: a nudge mentioning
    // the one who just typed it. None comes before it; the follow-up looks at the promise
    // itself and says it is overdue if no update came by then (the answer says so).
    let near = promised.is_some_and(|p| p - REMINDER_LEAD <= now);
    let (next_due, reminder) = match promised {
        Some(p) if near => (p, None),
        _ => next_follow_up(w, promised),
    };
    w.start_followup_timer(next_due);
    w.refresh_status();
    let written = promised.and_then(|p| w.t.promise_zone(p));
    Reply::UpdateLogged {
        next_due: promised.unwrap_or(next_due),
        promised: promised.is_some(),
        reminder,
        near,
        kept: kept.is_some(),
        unread_promise,
        reminded: Some(w.t.owner.clone()).filter(|owner| owner != user),
        zone: written.or(remembered),
        zone_remembered: written.is_none() && remembered.is_some(),
        manager_told,
    }
}

/// A promise further ahead than two update periods of the severity, which silences every nudge
/// until then: accepted (it is what the customer was told), and the owner's manager hears of it
/// at once, in the channel (see [`warned`]), unless the chain made it themselves (they know).
/// Who was told.
fn tell_far_promise(w: &mut Work, by: &UserId, promise: DateTime<Utc>) -> Option<UserId> {
    let (now, policy) = (w.ctx.now, w.ctx.policy);
    let hours = policy.business_hours.as_ref();
    let periods = w.cadence().checked_mul(2).unwrap_or(Duration::MAX);
    if working_time_between(hours, policy.timezone, now, promise) <= periods
        || overruling_chain(policy, &w.t).contains(by)
    {
        return None;
    }
    let warned = warned(policy, &w.t);
    let manager = warned.manager?;
    let message = Message::FarPromise {
        by: by.clone(),
        promise,
        ahead_secs: (promise - now).num_seconds(),
        severity: w.t.severity,
        manager: manager.clone(),
        named: warned.named.filter(|n| n != by),
    };
    w.post_in_channel_or_dm(message, Some(manager.clone()));
    Some(manager)
}

/// The severity raised while a promise stands: one now further ahead than two of the new
/// severity's update periods is told to the manager as a far promise just made would be.
pub(super) fn far_promise_raised(w: &mut Work) {
    let Some(promise) = w.t.standing_promise().filter(|p| *p > w.ctx.now) else {
        return;
    };
    let made = w.t.counted_updates().rev().find(|u| u.promised_next == Some(promise));
    if let Some(by) = made.map(|u| u.by.clone()) {
        tell_far_promise(w, &by, promise);
    }
}

/// When the follow-up clock next looks, from now: the reminder of the promise standing (with the
/// reminder, None when no working time is left before it: the timer at the promise then finds
/// it missed at the opening), or a cadence of working time on.
pub(in crate::trouble) fn next_follow_up(
    w: &Work,
    promised: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    let now = w.ctx.now;
    match promised {
        Some(p) => {
            let reminder = promise_reminder(w.ctx.policy, now, p);
            (reminder.unwrap_or(p), reminder)
        }
        None => (w.working_after(now, w.cadence()), None),
    }
}

/// How long before a promise its owner is reminded.
pub const REMINDER_LEAD: Duration = Duration::minutes(15);

/// When to remind the owner of a promise made at NOW for PROMISED: a quarter of an hour before
/// (at once when it is closer: a promise that comes back standing, at a reopening or a
/// withdrawal, is news; one just typed is not, see `log_update`). Nothing is posted outside business hours, so a promise for the
/// evening, a weekend or a holiday is recalled a quarter of an hour before the hours end (or at
/// once, in that last quarter); None when no working time is left before it.
fn promise_reminder(policy: &Policy, now: DateTime<Utc>, promised: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let hours = policy.business_hours.as_ref();
    let reminder = (promised - REMINDER_LEAD).max(now);
    if is_open(hours, policy.timezone, reminder) {
        return Some(reminder);
    }
    let (start, end) = last_working_window(hours, policy.timezone, now, reminder)?;
    Some((end - REMINDER_LEAD).max(start))
}

pub(super) fn follow_up(w: &mut Work) {
    let now = w.ctx.now;
    let policy = w.ctx.policy;
    let hours = policy.business_hours.as_ref();
    if !open_or_just_closed(hours, policy.timezone, now) {
        // Nothing is posted outside business hours; what fell due is posted once at opening.
        // The status, an edit, shows it overdue at once.
        w.redraw_status_past(policy.customer_owed_by(&w.t));
        let at = next_open(hours, policy.timezone, now);
        w.start_followup_timer(at);
        return;
    }
    let cadence = w.cadence();
    let last = w.t.last_customer_contact();
    // Reopened since the last update: the days it was closed are not days the customer waited.
    let from = w.t.cadence_from();
    let waited = working_time_between(hours, policy.timezone, from, now);
    let waited_secs = (now - from).num_seconds();
    let promise = w.t.promised_next().filter(|p| *p > from);
    let (mention_manager, promise_missed, next_due) = match promise {
        Some(p) if now < p => (false, false, p),
        // Missed by a cadence counts working time, as the cadence does: a promise missed at
        // closing time is not "badly" missed by the next opening.
        Some(p) => {
            let badly = working_time_between(hours, policy.timezone, p, now) >= cadence;
            let next = if badly {
                w.working_after(now, cadence)
            } else {
                w.working_after(p, cadence)
            };
            (badly, true, next)
        }
        None => {
            // One nudge however many periods passed (e.g. while the bot was down), then one a
            // cadence while the customer is still waiting.
            let next = w.working_after(now, cadence).max(now + Duration::seconds(1));
            (waited >= cadence * 2, false, next)
        }
    };
    // The owner's own manager, and the one named on the trouble beside them (see `warned`).
    let warned = if mention_manager {
        warned(policy, &w.t)
    } else {
        Warned::default()
    };
    let manager = warned.manager.clone();
    let nudge = Nudge {
        owner: w.t.owner.clone(),
        waited_secs,
        manager: manager.clone(),
        named: warned.named.clone(),
        promise,
        promise_missed,
        last_contact: last,
        since_reopened: from != last,
        last_reminder: last_reminder(policy, promise, promise_missed),
    };
    w.log(
        None,
        Event::NudgePosted {
            waited_secs,
            manager_mentioned: nudge.manager.is_some(),
        },
    );
    w.post_in_channel_or_dm(Message::Nudge(nudge), manager.clone());
    // Four periods without a word to the customer, the manager reminded: the one above them
    // (the owner's own manager, not a colleague the rep named) hears, once per wait. A missed
    // promise is no promise here (making one and breaking it keeps nobody out), and a nudge late
    // past the fourth period (the bot down, a severity raised) still tells: the wait told of is
    // kept, not a band of time the nudge must fall in.
    let long = waited >= cadence * 4 && (promise.is_none() || promise_missed);
    if let (true, Some(manager)) = (long && !told_of_wait(w, from), manager) {
        if let Some(above) = warned.above {
            let message = Message::CustomerStillWaiting {
                waited_secs,
                manager,
                last_contact: Some(last),
            };
            w.post(Lane::Dm, Dest::Dm(above), message);
            w.t.still_waiting_told = Some(from);
        }
    }
    w.start_followup_timer(next_due);
    w.refresh_status();
}

/// Whether the one above the manager was told of the wait counted from FROM. A record kept
/// before `still_waiting_told` was does not say: a DM telling them it still keeps was sent for
/// this wait (waiting DMs are settled and dropped at each update and at the close), so the
/// previous release told them, and the record now says so.
fn told_of_wait(w: &mut Work, from: DateTime<Utc>) -> bool {
    if w.t.still_waiting_told.is_some() {
        return w.t.still_waiting_told == Some(from);
    }
    let told =
        w.t.waiting_dms
            .iter()
            .any(|dm| matches!(dm.shown, Some(Message::CustomerStillWaiting { .. })));
    if told {
        w.t.still_waiting_told = Some(from);
    }
    told
}

/// The customer's last contact a DM saying they wait counted from, when it says (not one kept by
/// an earlier release).
fn counted_from(dm: &KeptDm) -> Option<DateTime<Utc>> {
    match &dm.shown {
        Some(Message::Nudge(n)) => Some(n.last_contact),
        Some(Message::CustomerStillWaiting { last_contact, .. }) => *last_contact,
        _ => None,
    }
}

/// Whether a nudge naming PROMISE is the last reminder before it: one outside the hours is
/// recalled before they end (see `promise_reminder`).
fn last_reminder(policy: &Policy, promise: Option<DateTime<Utc>>, missed: bool) -> bool {
    let hours = policy.business_hours.as_ref();
    promise.is_some_and(|p| !missed && !is_open(hours, policy.timezone, p - REMINDER_LEAD))
}

/// Whether nudge `n` names a promise other than the one `standing` now (its update withdrawn).
fn names_a_promise_withdrawn(n: &Nudge, standing: Option<DateTime<Utc>>) -> bool {
    n.promise.is_some() && n.promise != standing
}

/// A DM saying the customer waits, said again once the update that settled it is withdrawn:
/// the wait as the decision counts it now, not as first posted (rendering reads no clock), and
/// from the contact it counts from now. That is an older one when the update the DM counted
/// from was withdrawn too: a nudge posted now would say so, so it does ("since the trouble was
/// reopened" when that contact came before a reopening, not "since it was opened"). A promise it
/// named that no longer stands (its update withdrawn too: no longer one made) gives way to the
/// one that stands now, as the follow-up reads it (an older one standing again, missed or
/// ahead), or to none: it does not say a promise nobody made is overdue, nor that the customer
/// merely waits while a promise made to them is missed.
fn waited_until_now(w: &Work, message: Message, waited_secs: i64) -> Message {
    let standing = w.t.standing_promise();
    let last = w.t.last_customer_contact();
    match message {
        Message::Nudge(n) => {
            let n = Nudge {
                waited_secs,
                last_contact: last,
                since_reopened: w.t.cadence_from() != last,
                ..n
            };
            if !names_a_promise_withdrawn(&n, standing) {
                return Message::Nudge(n);
            }
            let promise_missed = standing.is_some_and(|p| p <= w.ctx.now);
            Message::Nudge(Nudge {
                promise: standing,
                promise_missed,
                last_reminder: last_reminder(w.ctx.policy, standing, promise_missed),
                ..n
            })
        }
        Message::CustomerStillWaiting { manager, .. } => Message::CustomerStillWaiting {
            waited_secs,
            manager,
            last_contact: Some(last),
        },
        other => other,
    }
}

/// A waiting DM an update settled, kept as it was before, in case every update since the wait
/// it counted from is withdrawn: the last to each person (an older one to them is for good).
fn remember_settled(w: &mut Work, dm: KeptDm) {
    w.t.waiting_settled.retain(|m| m.posted.channel != dm.posted.channel);
    w.t.waiting_settled.push(dm);
    w.changed = true;
}

/// A DM saying the customer waits, as Slack holds it: kept until the customer is updated, one
/// per person (an older one to the same DM channel points to this one and is forgotten, so a
/// trouble nudged by DM for a week keeps one, not hundreds). One that lands after an update it
/// did not count (it waited in the queue) is settled at once by the last update, and not kept;
/// one that lands after the close is settled by `Work::finish`, as at the close.
pub(super) fn waiting_dm_posted(w: &mut Work, posted: KeptDm) {
    if w.t.waiting_dms.iter().any(|m| m.posted == posted.posted) {
        return;
    }
    let said_then = counted_from(&posted);
    // Later, not merely different: a withdrawn update moves the contact back, and an older
    // update must not say it settled a wait counted from a newer one.
    let updated_since = said_then.is_some_and(|then| w.t.last_customer_contact() > then);
    if let (true, Some(u)) = (updated_since, w.t.counted_updates().last()) {
        let (by, at) = (u.by.clone(), u.at);
        remember_settled(w, posted.clone());
        return w.settle_waiting_dm(posted, &by, at);
    }
    let channel = posted.posted.channel.clone();
    let older: Vec<KeptDm> =
        w.t.waiting_dms
            .extract_if(.., |m| m.posted.channel == channel)
            .collect();
    w.t.waiting_dms.push(posted);
    w.changed = true;
    for older in older {
        w.edit_waiting_dm(older.posted, Message::CustomerWaitOver { newer: true });
    }
}

/// Reminds the owner of the first call (the checklist and a Log update button); once the
/// deadline has passed, brings the manager in. Outside business hours nothing is posted: it
/// comes at opening. The reminder is left out once the deadline itself has passed (both fell
/// due while the bot was down, or overnight): the deadline's message says it all, once.
pub(super) fn first_contact(w: &mut Work, missed: bool) {
    let policy = w.ctx.policy;
    let now = w.ctx.now;
    if !missed && now >= first_contact_due(policy, &w.t) {
        return;
    }
    let epoch = w.t.first_contact_epoch;
    if missed {
        // The status shows the first call overdue from its deadline, held message or not.
        w.redraw_status_past(policy.customer_owed_by(&w.t));
    }
    if w.held_till_opening(TimerKind::FirstContact { missed, epoch }) {
        return;
    }
    let warned = if missed {
        warned(policy, &w.t)
    } else {
        Warned::default()
    };
    let manager = warned.manager;
    w.log(
        None,
        Event::NudgePosted {
            waited_secs: (w.ctx.now - w.t.opened_at).num_seconds(),
            manager_mentioned: manager.is_some(),
        },
    );
    let message = Message::FirstContact {
        owner: w.t.owner.clone(),
        manager: manager.clone(),
        named: warned.named,
        due: first_contact_due(w.ctx.policy, &w.t),
    };
    w.post_in_channel_or_dm(message, manager);
}

/// The first call's timers moved to the severity just set, when no update is logged yet:
/// raised, they come sooner (at once when the new time has passed); lowered, later. Only those
/// that had not fired under the severity before (`before`: its reminder and deadline) are set
/// again, so nobody gets the checklist twice.
pub(super) fn move_first_contact(w: &mut Work, before: (DateTime<Utc>, DateTime<Utc>)) {
    if w.t.contacted() {
        return;
    }
    let now = w.ctx.now;
    set_first_contact_timers(w, |_| (now < before.0, now < before.1));
}

/// Sets the first-contact timers for the reminder and the deadline as they now fall (those set
/// before go stale with the epoch); `which(deadline)` says whether to set each of the two. The
/// deadline, for the answer to say.
fn set_first_contact_timers(w: &mut Work, which: impl Fn(DateTime<Utc>) -> (bool, bool)) -> DateTime<Utc> {
    let now = w.ctx.now;
    w.t.first_contact_epoch += 1;
    let epoch = w.t.first_contact_epoch;
    let (reminder, due) = (
        first_contact_reminder(w.ctx.policy, &w.t),
        first_contact_due(w.ctx.policy, &w.t),
    );
    let (remind, miss) = which(due);
    if remind {
        w.timer(reminder.max(now), TimerKind::FirstContact { missed: false, epoch });
    }
    if miss {
        w.timer(due.max(now), TimerKind::FirstContact { missed: true, epoch });
    }
    due
}

/// `withdraw update [N] REASON`: customer update N (the last one logged when none is given) no
/// longer counts, as if it had not been logged: not as contact (the follow-up clock goes back to
/// the contact before it, or the opening, and the first call is owed again when none is left),
/// nor its promise (its reminder does not come). Its entry stays on the timeline; a new one says
/// it was withdrawn, by whom and why. Whoever logged it, the owner or the manager chain may.
pub(super) fn withdraw_update(w: &mut Work, user: &UserId, n: Option<usize>, reason: String) -> Reply {
    let count = w.t.customer_updates.len();
    let n = n.unwrap_or(count);
    let Some(u) = n.checked_sub(1).and_then(|i| w.t.customer_updates.get(i)) else {
        return Reply::NoSuchUpdate { n, count };
    };
    let chain = w.t.manager_chain().to_vec();
    if u.by != *user && w.t.owner != *user && !chain.contains(user) {
        return Reply::WithdrawNotAllowed {
            n,
            logged_by: u.by.clone(),
            owner: w.t.owner.clone(),
            chain,
        };
    }
    // Twice would rewrite who withdrew it and why; a repeated `withdraw update` with no number
    // must not reach for the one before.
    if let Some(done) = &u.withdrawn {
        return Reply::UpdateAlreadyWithdrawn {
            n,
            by: done.by.clone(),
            at: done.at,
        };
    }
    let now = w.ctx.now;
    let text = u.text.clone();
    let logged_by = u.by.clone();
    let contacted_before = w.t.contacted();
    w.t.customer_updates[n - 1].withdrawn = Some(Withdrawal {
        by: user.clone(),
        at: now,
        reason: reason.clone(),
    });
    w.log(
        Some(user),
        Event::UpdateWithdrawn {
            n,
            reason: reason.clone(),
        },
    );
    w.record(
        user,
        Record::UpdateWithdrawn {
            n,
            text: text.clone(),
            reason,
        },
    );
    if logged_by != *user {
        let notice = Message::UpdateWithdrawnNotice { n, by: user.clone() };
        w.post(Lane::Dm, Dest::Dm(logged_by), notice);
    }
    // The follow-up clock as the updates still counted set it: a promise of theirs still ahead
    // (missed: the follow-up says so at once), else a cadence after the last contact left (at
    // once when that has passed; outside business hours `follow_up` waits for the opening).
    let next_due = match w.t.standing_promise() {
        Some(p) if p > now => next_follow_up(w, Some(p)).0,
        Some(_) => now,
        None => w.working_after(w.t.cadence_from(), w.cadence()).max(now),
    };
    w.start_followup_timer(next_due);
    // No contact left: the first call is owed again, its reminders with it.
    if contacted_before && !w.t.contacted() {
        set_first_contact_timers(w, |due| (now < due, true));
    }
    // The DMs settled by updates no longer standing (none left since the wait they counted
    // from): the customer waits again, so they say it again and are kept, the wait counted up
    // to now (it went on while the update stood); one to someone DMed again since points to
    // the newer. One that does not say what it counted from (kept by an earlier release) stays
    // settled.
    let waited_secs = (now - w.t.cadence_from()).num_seconds().max(0);
    let last = w.t.last_customer_contact();
    let standing = w.t.standing_promise();
    // Those still saying the customer waits that name the withdrawn update's promise: it is
    // no longer one made, and they name the one standing now instead (or none).
    let mut kept = std::mem::take(&mut w.t.waiting_dms);
    for dm in &mut kept {
        if let Some(Message::Nudge(n)) = &dm.shown {
            if names_a_promise_withdrawn(n, standing) {
                let shown = waited_until_now(w, Message::Nudge(n.clone()), waited_secs);
                dm.shown = Some(shown.clone());
                w.edit_waiting_dm(dm.posted.clone(), shown);
            }
        }
    }
    w.t.waiting_dms = kept;
    let again: Vec<KeptDm> = (w.t.waiting_settled)
        .extract_if(.., |dm| counted_from(dm).is_some_and(|then| last <= then))
        .collect();
    for dm in again {
        w.changed = true;
        let newer = w.t.waiting_dms.iter().any(|m| m.posted.channel == dm.posted.channel);
        match (newer, dm.shown.clone()) {
            (false, Some(shown)) => {
                let shown = waited_until_now(w, shown, waited_secs);
                w.edit_waiting_dm(dm.posted.clone(), shown.clone());
                w.t.waiting_dms.push(KeptDm {
                    posted: dm.posted,
                    shown: Some(shown),
                });
            }
            _ => w.edit_waiting_dm(dm.posted, Message::CustomerWaitOver { newer: true }),
        }
    }
    // The kickoff shows when the first contact was made; the status, what the customer was told.
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    let standing = w.t.standing_promise();
    // The one deadline the status now shows: the first call's while it is owed by it (before
    // the next update's, a cadence on), else the next update's.
    let next_due = w.ctx.policy.customer_owed_by(&w.t);
    let first_contact = w.t.first_call_from(w.ctx.policy).map(|_| next_due);
    Reply::UpdateWithdrawn {
        n,
        text,
        last_contact: w.t.contacted().then(|| w.t.last_customer_contact()),
        next_due,
        overdue: next_due <= now,
        first_contact,
        // A promise standing again is shown in the customer's clock too, as everywhere else.
        zone: standing.and_then(|p| w.t.promise_zone(p)),
    }
}
