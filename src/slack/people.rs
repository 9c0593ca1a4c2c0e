//! Who has left: a person whose Slack account is deactivated, asked of Slack once and remembered.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{SlackClient, SlackError};
use crate::trouble::model::UserId;

/// An answer is trusted this long: someone deactivated since is found at their next DM after it.
const REMEMBER_FOR: Duration = Duration::hours(1);

/// What the record says of a DM that reached someone who has left. Slack itself takes a DM to
/// a deactivated account without error, and nobody reads it: the bot asks, once it went, and
/// counts it as one Slack had nobody to deliver to, so the trouble goes past them (see
/// [`SlackError::no_such_person`]).
pub const DEACTIVATED: &str = "user_deactivated";

#[derive(Default)]
pub struct PeopleLeft {
    known: Mutex<HashMap<UserId, (bool, DateTime<Utc>)>>,
    /// Until when Slack is not asked at all: it refused for good (an install without
    /// `users:read`), and would refuse everyone alike.
    refused_until: Mutex<Option<DateTime<Utc>>>,
}

impl PeopleLeft {
    /// Whether `who`'s account is deactivated, as Slack said within the last hour (asked now
    /// when not). Unsure (Slack did not answer, or knows nobody by that id) counts as not: the
    /// DM goes, and fails for itself if it must.
    pub async fn has_left(&self, slack: &SlackClient, who: &UserId, now: DateTime<Utc>) -> bool {
        let known = self
            .known
            .lock()
            .expect("people lock")
            .get(who)
            .filter(|(_, at)| now - *at < REMEMBER_FOR)
            .map(|(left, _)| *left);
        if let Some(left) = known {
            return left;
        }
        if self
            .refused_until
            .lock()
            .expect("people lock")
            .is_some_and(|until| now < until)
        {
            return false;
        }
        match slack.is_deactivated(who.as_str()).await {
            Ok(left) => {
                let mut known = self.known.lock().expect("people lock");
                // Kept small: the people a bot writes to, forgotten once stale.
                known.retain(|_, (_, at)| now - *at < REMEMBER_FOR);
                known.insert(who.clone(), (left, now));
                if left {
                    tracing::warn!(user = %who, "a person the bot writes to has been deactivated in Slack; passing them by");
                }
                left
            }
            Err(e) => {
                log_unsure(who, &e);
                if e.is_permanent() {
                    *self.refused_until.lock().expect("people lock") = Some(now + REMEMBER_FOR);
                }
                false
            }
        }
    }
}

fn log_unsure(who: &UserId, e: &SlackError) {
    tracing::debug!(user = %who, error = %e, "cannot tell whether a person has left; writing to them");
}
