//! Slack Connect: which channels are shared with another organisation, asked of Slack once and remembered.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::{SlackClient, SlackError};
use crate::trouble::model::ChannelId;

/// An answer is trusted this long; `channel_shared` / `channel_unshared` events drop it sooner.
const REMEMBER_FOR: Duration = Duration::hours(1);

/// How long a channel the bot made is taken to be its own (see [`SharedChannels::made_here`]).
const JUST_MADE: Duration = Duration::minutes(5);

#[derive(Default)]
pub struct SharedChannels {
    known: Mutex<HashMap<String, (bool, DateTime<Utc>)>>,
    made: Mutex<HashMap<String, DateTime<Utc>>>,
    /// Channels found shared whose notices of troubles were looked for this run.
    swept: Mutex<HashSet<String>>,
    /// The names `team.info` gave for the other organisations channels were shared with.
    org_names: Mutex<HashMap<String, String>>,
}

/// How long the name of the organisation a channel was shared with is waited for: Slack is
/// answered after it, and the id stands in for a name not come in time.
const ORG_NAME_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The longest name of an organisation kept (it is theirs to choose, and said in our DMs).
const ORG_NAME_CHARS: usize = 80;

/// At most this many names are remembered (one per organisation channels were shared with).
const ORG_NAMES_KEPT: usize = 1000;

impl SharedChannels {
    /// What the bot last learnt of `channel`, without asking Slack (for answers that cannot wait).
    pub fn known(&self, channel: &ChannelId, now: DateTime<Utc>) -> Option<bool> {
        self.lock()
            .get(channel.as_str())
            .filter(|(_, at)| now - *at < REMEMBER_FOR)
            .map(|(shared, _)| *shared)
    }

    /// Whether the customer (another organisation) may read `channel`. Errors are the passing
    /// kind (network, 5xx, rate limits): the caller tries again later.
    pub async fn is_shared(
        &self,
        slack: &SlackClient,
        channel: &ChannelId,
        now: DateTime<Utc>,
    ) -> Result<bool, SlackError> {
        self.ask(slack, channel, now, true).await
    }

    /// As [`Self::is_shared`], remembering only a "shared": for the kickoff and status posted in
    /// a trouble's channel, most often as the bot has just made it, when a "not shared" kept for
    /// the hour would outlast a `channel_shared` event lost soon after.
    pub async fn is_shared_now(
        &self,
        slack: &SlackClient,
        channel: &ChannelId,
        now: DateTime<Utc>,
    ) -> Result<bool, SlackError> {
        self.ask(slack, channel, now, false).await
    }

    async fn ask(
        &self,
        slack: &SlackClient,
        channel: &ChannelId,
        now: DateTime<Utc>,
        remember_unshared: bool,
    ) -> Result<bool, SlackError> {
        if let Some(shared) = self.known(channel, now) {
            return Ok(shared);
        }
        let shared = match slack.is_externally_shared(channel).await {
            Ok(shared) => shared,
            // A channel the bot cannot see: nothing says it is shared, and the post itself will
            // fail the same way (and be answered through response_url).
            Err(SlackError::Api { error, .. }) if error == "channel_not_found" => false,
            Err(e) if e.is_permanent() => {
                // A missing scope, say: unsure, so treat it as a channel the customer reads.
                tracing::warn!(error = %e, channel = %channel, "cannot tell whether a channel is shared outside; treating it as shared");
                true
            }
            Err(e) => return Err(e),
        };
        if shared || remember_unshared {
            self.lock().insert(channel.to_string(), (shared, now));
        }
        Ok(shared)
    }

    /// Slack said, with an event from `channel`, that it is shared outside: remembered as such.
    pub fn learnt_shared(&self, channel: &str, now: DateTime<Utc>) {
        self.lock().insert(channel.to_string(), (true, now));
    }

    /// The bot has just made `channel`: nobody of another organisation can be in it for minutes
    /// (sharing takes an invitation the other side accepts), so the kickoff and status it posts
    /// first need not ask Slack. Kept apart from the answers above, which the other posts trust
    /// for an hour: a channel shared soon after, its event lost, is still asked about.
    pub fn made_here(&self, channel: &str, now: DateTime<Utc>) {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.retain(|_, at| now - *at < JUST_MADE);
        made.insert(channel.to_string(), now);
    }

    /// Whether the bot made `channel` within the last few minutes (see [`Self::made_here`]).
    pub fn just_made(&self, channel: &ChannelId, now: DateTime<Utc>) -> bool {
        let made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.get(channel.as_str()).is_some_and(|at| now - *at < JUST_MADE)
    }

    /// The channel's sharing changed: ask again next time.
    pub fn forget(&self, channel: &str) {
        self.lock().remove(channel);
    }

    /// Whether the origin notices and announcements standing in `channel`, found shared, are
    /// yet to be looked for (a walk over every trouble), marking them looked for: once a run
    /// per channel, however many events or posts find it shared (`channel_shared` looks always).
    pub fn first_sweep(&self, channel: &str) -> bool {
        self.swept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel.to_string())
    }

    /// The name of `org` (the workspace or organisation a channel was shared with), asked of
    /// `team.info` once and remembered; None when Slack does not answer in time, refuses (no
    /// `team:read` scope) or gives none: the id is said alone then.
    pub async fn org_name(&self, slack: &SlackClient, org: &str) -> Option<String> {
        if let Some(name) = self.org_names.lock().unwrap_or_else(|e| e.into_inner()).get(org) {
            return Some(name.clone());
        }
        let name = match tokio::time::timeout(ORG_NAME_WAIT, slack.team_name(org)).await {
            Ok(Ok(Some(name))) => name,
            Ok(Ok(None)) => return None,
            Ok(Err(e)) => {
                tracing::info!(error = %e, org, "the name of the organisation a channel was shared with is unknown");
                return None;
            }
            Err(_) => return None,
        };
        let name: String = name.trim().chars().take(ORG_NAME_CHARS).collect();
        if name.is_empty() {
            return None;
        }
        let mut names = self.org_names.lock().unwrap_or_else(|e| e.into_inner());
        if names.len() < ORG_NAMES_KEPT {
            names.insert(org.to_string(), name.clone());
        }
        Some(name)
    }

    /// `channel` is no longer shared: found shared again, its notices are looked for again.
    pub fn unswept(&self, channel: &str) {
        self.swept.lock().unwrap_or_else(|e| e.into_inner()).remove(channel);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (bool, DateTime<Utc>)>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}
