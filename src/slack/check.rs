//! `check-slack`: asks Slack, before a trouble finds out, whether the bot can do what its
//! configuration asks: the tokens, the announce channels, and everyone the org chart and the
//! departments name.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use super::client::SlackClient;
use super::SlackError;
use crate::config::Config;
use crate::trouble::model::UserId;

/// The bot scopes the bot needs: those of `manifest.yml` (`tests/manifest.rs` holds them
/// together), which installing the app from it grants.
pub const BOT_SCOPES: &[&str] = &[
    "channels:history",
    "channels:manage",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "groups:history",
    "groups:read",
    "groups:write",
    "im:history",
    "im:read",
    "im:write",
    "mpim:read",
    "pins:read",
    "pins:write",
    "team:read",
    "users:read",
];

/// What Slack said of one thing the configuration names.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// The token works: the bot's user, in this workspace.
    Token { bot: String, team: String },
    /// Slack refused the token, or could not be asked (`error`): nothing else was checked.
    NoToken { error: String },
    /// The token is for another workspace than `team_id` (or of another organization, when
    /// `team_id` names one): `actual` is the workspace, with its organization then.
    OtherTeam { configured: String, actual: String },
    /// Of the scopes the bot needs ([`BOT_SCOPES`]), those the token lacks (Slack lists a
    /// token's scopes with every answer; nothing is said when it does not).
    Scopes { needed: usize, missing: Vec<String> },
    /// An announce channel of these severities, and what the bot can do there.
    Channel {
        id: String,
        severities: Vec<String>,
        state: ChannelState,
    },
    /// Socket Mode's app-level token (`SLACK_APP_TOKEN`), when set: whether Slack gives it a
    /// connection (`error` None) or refuses it.
    AppToken { error: Option<String> },
    /// People named in `[org]` or a department, checked; those Slack has no DM for, with why.
    People {
        checked: usize,
        unreachable: Vec<(UserId, String)>,
    },
    /// The departments' Slack groups (`usergroup`), which are not asked about: the manifest has
    /// no `usergroups:read`. Said, so a mistyped id that pings nobody is not taken as checked.
    UsergroupsNotChecked { ids: Vec<String> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ChannelState {
    Ok {
        private: bool,
    },
    /// Slack does not show it to the bot (`error`): mistyped, deleted, or private without it.
    NotFound {
        error: String,
    },
    Archived,
    /// Private, and the bot is not a member: it cannot post there.
    PrivateWithoutBot,
    /// Shared with another organisation (Slack Connect): announcements are skipped there.
    SharedOutside,
}

impl Finding {
    pub fn is_problem(&self) -> bool {
        match self {
            Finding::Token { .. } | Finding::UsergroupsNotChecked { .. } => false,
            Finding::NoToken { .. } | Finding::OtherTeam { .. } => true,
            Finding::Scopes { missing, .. } => !missing.is_empty(),
            Finding::AppToken { error } => error.is_some(),
            Finding::Channel { state, .. } => !matches!(state, ChannelState::Ok { .. }),
            Finding::People { unreachable, .. } => !unreachable.is_empty(),
        }
    }
}

/// Asks Slack about everything `config` names, in order: the token first (without it, nothing
/// else can be asked), then each announce channel once, then each person once.
pub async fn check_slack(config: &Config, slack: &SlackClient) -> Vec<Finding> {
    let mut findings = Vec::new();
    let (who, scopes) = match patiently(|| slack.auth_test_and_scopes()).await {
        Ok(answer) => answer,
        Err(e) => return vec![Finding::NoToken { error: e.code() }],
    };
    let field = |k: &str| who.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let team = field("team_id");
    findings.push(Finding::Token {
        bot: field("user_id"),
        team: team.clone(),
    });
    // An Enterprise Grid organization in `team_id` is the token's workspace's org, which
    // `auth.test` gives beside the workspace.
    let org = field("enterprise_id");
    let matches = if config.team_org().is_some() { &org } else { &team };
    if let Some(configured) = config.team_id.as_ref().filter(|c| *c != matches) {
        findings.push(Finding::OtherTeam {
            configured: configured.clone(),
            actual: if config.team_org().is_some() && !org.is_empty() {
                format!("{team} ({org})")
            } else {
                team
            },
        });
    }
    if let Some(granted) = scopes {
        findings.push(Finding::Scopes {
            needed: BOT_SCOPES.len(),
            missing: BOT_SCOPES
                .iter()
                .filter(|s| !granted.iter().any(|g| g == *s))
                .map(|s| s.to_string())
                .collect(),
        });
    }
    if let Some(app_token) = &config.slack.app_token {
        // A connection's URL is good for one connect, and one never made costs nothing.
        let error = patiently(|| slack.open_connection(app_token))
            .await
            .err()
            .map(|e| e.code());
        findings.push(Finding::AppToken { error });
    }
    for (id, severities) in announce_channels(config) {
        let info = json!({ "channel": id });
        let state = match patiently(|| slack.call("conversations.info", &info)).await {
            Ok(v) => channel_state(&v["channel"]),
            Err(e) => ChannelState::NotFound { error: e.code() },
        };
        findings.push(Finding::Channel { id, severities, state });
    }
    let people = people(config);
    let mut unreachable = Vec::new();
    for who in &people {
        let dm = json!({ "users": who.as_str() });
        match patiently(|| slack.call("conversations.open", &dm)).await {
            Err(e) => unreachable.push((who.clone(), e.code())),
            // Slack opens a DM with someone who left, and nobody reads it.
            Ok(_) if slack.is_deactivated(who.as_str()).await.unwrap_or(false) => {
                unreachable.push((who.clone(), super::people::DEACTIVATED.to_string()));
            }
            Ok(_) => {}
        }
    }
    findings.push(Finding::People {
        checked: people.len(),
        unreachable,
    });
    let groups: BTreeSet<String> = config
        .policy
        .departments
        .values()
        .filter_map(|d| d.usergroup.clone())
        .collect();
    if !groups.is_empty() {
        findings.push(Finding::UsergroupsNotChecked {
            ids: groups.into_iter().collect(),
        });
    }
    findings
}

/// Each announce channel once, with the severities that name it.
fn announce_channels(config: &Config) -> Vec<(String, Vec<String>)> {
    let mut channels: Vec<(String, Vec<String>)> = Vec::new();
    for (severity, policy) in &config.policy.severities {
        for c in &policy.announce_channels {
            match channels.iter_mut().find(|(id, _)| id == c) {
                Some((_, named_by)) => named_by.push(severity.to_string()),
                None => channels.push((c.clone(), vec![severity.to_string()])),
            }
        }
    }
    channels
}

/// Everyone the bot may have to DM or invite: the org chart (both sides), the default manager,
/// the departments' members.
fn people(config: &Config) -> BTreeSet<UserId> {
    let policy = &config.policy;
    let mut people: BTreeSet<UserId> = policy.managers.keys().cloned().collect();
    people.extend(policy.managers.values().cloned());
    people.extend(policy.default_manager.iter().cloned());
    for d in policy.departments.values() {
        people.extend(d.members.iter().cloned());
    }
    people
}

fn channel_state(channel: &Value) -> ChannelState {
    let flag = |k: &str| channel.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("is_archived") {
        ChannelState::Archived
    } else if flag("is_ext_shared") || flag("is_pending_ext_shared") {
        ChannelState::SharedOutside
    } else if flag("is_private") && !flag("is_member") {
        ChannelState::PrivateWithoutBot
    } else {
        ChannelState::Ok {
            private: flag("is_private"),
        }
    }
}

/// One call, waiting out Slack's rate limits (an org chart of hundreds meets them) and retrying
/// a few times when Slack cannot be reached.
async fn patiently<T, Answer>(mut call: impl FnMut() -> Answer) -> Result<T, SlackError>
where
    Answer: std::future::Future<Output = Result<T, SlackError>>,
{
    let mut attempts = 0;
    loop {
        match call().await {
            Err(e) if !e.is_permanent() && !e.refuses_token() && attempts < 5 => {
                attempts += 1;
                let wait = e.retry_after().unwrap_or(Duration::from_secs(attempts));
                tokio::time::sleep(wait).await;
            }
            answer => return answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{check_slack_report, Locale};

    #[test]
    fn a_channel_is_judged_by_what_the_bot_can_do_there() {
        let cases = [
            (json!({"is_private": false}), ChannelState::Ok { private: false }),
            (
                json!({"is_private": true, "is_member": true}),
                ChannelState::Ok { private: true },
            ),
            (
                json!({"is_private": true, "is_member": false}),
                ChannelState::PrivateWithoutBot,
            ),
            (json!({"is_private": true, "is_archived": true}), ChannelState::Archived),
            (
                json!({"is_ext_shared": true, "is_member": true}),
                ChannelState::SharedOutside,
            ),
            (json!({"is_pending_ext_shared": true}), ChannelState::SharedOutside),
        ];
        for (channel, state) in cases {
            assert_eq!(channel_state(&channel), state, "{channel}");
        }
    }

    #[test]
    fn the_report_marks_each_problem_and_counts_them_in_either_language() {
        let channel = |state| Finding::Channel {
            id: "C0X".into(),
            severities: vec!["1".into()],
            state,
        };
        let findings = vec![
            Finding::Token {
                bot: "UBOT".into(),
                team: "T1".into(),
            },
            Finding::OtherTeam {
                configured: "T0".into(),
                actual: "T1".into(),
            },
            Finding::Scopes {
                needed: BOT_SCOPES.len(),
                missing: vec!["pins:write".into()],
            },
            channel(ChannelState::Ok { private: true }),
            channel(ChannelState::Archived),
            channel(ChannelState::SharedOutside),
            channel(ChannelState::NotFound {
                error: "channel_not_found".into(),
            }),
            Finding::People {
                checked: 3,
                unreachable: vec![(UserId::new("U0TYPO"), "user_not_found".into())],
            },
            // Said, never counted as a problem.
            Finding::UsergroupsNotChecked {
                ids: vec!["S0QA".into(), "S0FS".into()],
            },
        ];
        for (l, total) in [(Locale::En, "6 problems found."), (Locale::Ja, "問題が6件あります。")] {
            let report = check_slack_report(l, &findings);
            assert_eq!(report.matches('✗').count(), 6, "{report}");
            assert!(report.contains("pins:write"), "{report}");
            assert!(report.trim_end().ends_with(total), "{report}");
            assert!(report.contains("U0TYPO (user_not_found)"), "{report}");
            assert!(report.contains("S0QA") && report.contains("S0FS"), "{report}");
        }
    }
}
