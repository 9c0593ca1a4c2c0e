//! The first call to the customer (初動): when it is due and when the owner is reminded of it.

use chrono::{DateTime, Duration, Utc};

use super::hours::add_working_time;
use super::model::Trouble;
use crate::trouble::policy::Policy;

/// The first call's allowance for `t`'s severity (working time, when business hours are set).
pub fn within(policy: &Policy, t: &Trouble) -> Duration {
    policy.working(policy.severity(t.severity).first_contact_within)
}

/// When the customer must have heard from us for the first time: the severity's
/// `first_contact_within` of working time after opening.
pub fn first_contact_due(policy: &Policy, t: &Trouble) -> DateTime<Utc> {
    policy.first_call_due(t.severity, t.opened_at)
}

/// Halfway to the deadline the owner gets the first-call checklist, while there is still time.
pub fn first_contact_reminder(policy: &Policy, t: &Trouble) -> DateTime<Utc> {
    add_working_time(
        policy.business_hours.as_ref(),
        policy.timezone,
        t.opened_at,
        within(policy, t) / 2,
    )
}

/// The first update logged (and not withdrawn), if the customer has heard from us at all.
pub fn first_contact_made(t: &Trouble) -> Option<DateTime<Utc>> {
    t.counted_updates().next().map(|u| u.at)
}

/// The deadline the first call, made at `made`, is judged by: the first call's after the
/// opening or, when the trouble was reopened before any call and after that deadline had
/// passed, the update owed a cadence after the reopening, which the kickoff and the status
/// showed meanwhile (`model::first_call_from`). The reopening is the last before the call: one
/// after it (closed and reopened again) moves nothing the call was judged by.
pub fn first_contact_judged_by(policy: &Policy, t: &Trouble, made: DateTime<Utc>) -> DateTime<Utc> {
    let opening = first_contact_due(policy, t);
    let s = &t.substance;
    let before_call = s
        .reopenings
        .iter()
        .copied()
        .chain(s.reopened_at)
        .filter(|r| *r < made)
        .max();
    match before_call.filter(|reopened| opening <= *reopened) {
        Some(reopened) => policy.owed_by(t.severity, reopened, None, None),
        None => opening,
    }
}
