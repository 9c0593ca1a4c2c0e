//! `POST /slack/events`: the URL handshake, message events (acknowledgement in the thread or in
//! a DM with the bot, the kickoff or status deleted), the kickoff or status unpinned, channel
//! membership (who may see a private trouble), a trouble channel lost to the bot (archived, or the bot removed) and back, or
//! deleted, App Home, and the app's uninstalling or its bot token's revoking.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{check_team, failed, verify, Surface};
use crate::app::App;
use crate::engine::EngineError;
use crate::i18n;
use crate::slack::payloads::{deleted_message, dm_message, thread_reply, DmMessage, EventBody};
use crate::trouble::decide::Input;
use crate::trouble::model::{ChannelId, ChannelLoss, TroubleId, Ts, UserId};

pub async fn handle(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = verify(&app, &headers, &body) {
        return r.into_response();
    }
    let Ok(event_body) = serde_json::from_slice::<EventBody>(&body) else {
        return refused(StatusCode::BAD_REQUEST, "not an Events API body");
    };
    answer_event(&app, event_body).await
}

/// An event refused for what it is (another workspace's, a body that does not read): Slack is
/// told not to send it again (`X-Slack-No-Retry: 1`), as it would three times otherwise, each
/// counted as a failed delivery of the app's event subscription (which Slack turns off when
/// too few succeed), and each logged and counted here again.
fn refused(status: StatusCode, why: &'static str) -> Response {
    (status, [("x-slack-no-retry", "1")], why).into_response()
}

/// An Events API body that came from Slack (signed, or over the socket) → the answer.
/// The HTTP route and Socket Mode both answer through here.
pub(crate) async fn answer_event(app: &Arc<App>, event_body: EventBody) -> Response {
    let response = match event_body {
        EventBody::UrlVerification { challenge } => Json(json!({ "challenge": challenge })).into_response(),
        EventBody::EventCallback {
            team_id,
            enterprise_id,
            event_id,
            event,
            is_ext_shared_channel,
        } => {
            if let Err(r) = check_team(app, team_id.as_deref(), enterprise_id.as_deref()) {
                return refused(r, "");
            }
            let shared = if is_ext_shared_channel {
                Box::pin(learnt_shared(app, &event)).await
            } else {
                Ok(())
            };
            match shared {
                Ok(()) => on_event(app, &event_id, &event).await,
                Err(r) => r,
            }
        }
        EventBody::AppRateLimited { minute_rate_limited } => {
            let minute = minute_rate_limited.and_then(|m| chrono::DateTime::from_timestamp(m, 0));
            let minute = minute.map_or_else(|| "(not said)".to_string(), |m| m.to_rfc3339());
            tracing::warn!(
                %minute,
                "Slack is rate-limiting the app's events (app_rate_limited) from this minute: acknowledgements in the threads and DMs may not arrive"
            );
            app.metrics.events_rate_limited();
            StatusCode::OK.into_response()
        }
        EventBody::Other => StatusCode::OK.into_response(),
    };
    app.metrics.request("events", response.status().as_u16());
    response
}

/// An event Slack marks as from a channel shared outside: the bot knows it at once, even when
/// the `channel_shared` event was lost or the remembered answer is older. (Its absence proves
/// nothing: only `channel_unshared` or Slack's answer clear it.) `Err`, the answer (500), when
/// the store cannot say whose channel it is: the channel is forgotten as shared, so that
/// Slack's retry of the event is news again and does this again.
async fn learnt_shared(app: &Arc<App>, event: &serde_json::Value) -> Result<(), Response> {
    let Some(channel) = event.get("channel").and_then(|c| c.as_str()) else {
        return Ok(());
    };
    let news = app.shared_channels.known(&ChannelId::new(channel), app.clock.now()) != Some(true);
    app.shared_channels.learnt_shared(channel, app.clock.now());
    if !news {
        return Ok(());
    }
    // A trouble's channel found shared so: what the team alone was told there is withdrawn
    // (`channel_shared` lost or late). Another channel (an origin or announce channel) has the
    // notices of troubles standing there withdrawn, once a run: a trouble's channel is left
    // out of that walk over every trouble, which every shared trouble channel's first event
    // would repeat.
    match Box::pin(withdraw_if_kept(app, channel)).await {
        Ok(true) => {}
        Ok(false) => app.withdraw_notices_once_in(&ChannelId::new(channel)),
        Err(e) => {
            app.shared_channels.forget(channel);
            return Err(failed(
                app,
                Surface::Event,
                "cannot withdraw the team's lines from a shared channel",
                e,
            ));
        }
    }
    Ok(())
}

/// Its awaits of the store and the engine are boxed, so that every event's future stays small
/// (see `a_request_future_holds_little_memory` in `http`).
async fn on_event(app: &Arc<App>, event_id: &str, event: &serde_json::Value) -> Response {
    let (channel, input) = match event.get("type").and_then(|t| t.as_str()) {
        Some("app_home_opened") => return Box::pin(on_home_opened(app, event_id, event)).await,
        // Shared with another organisation, which reads the channel's history: a trouble's
        // channel has what the team alone was told there withdrawn. Shared within our own
        // Enterprise Grid org, nothing is withdrawn. Either way Slack is asked again before the
        // next post there.
        Some("channel_shared") => {
            let Some(channel) = event.get("channel").and_then(|c| c.as_str()) else {
                return StatusCode::OK.into_response();
            };
            tracing::info!(channel, "a channel was shared");
            let org = event.get("connected_team_id").and_then(|c| c.as_str());
            if org.is_some_and(|org| !another_org(app, org)) {
                app.shared_channels.forget(channel);
                return StatusCode::OK.into_response();
            }
            // Slack is still asked before a post there (the cache forgets): the event is
            // taken as the news, `conversations.info` as the word on what may be posted.
            app.shared_channels.forget(channel);
            let org = org.filter(|o| is_slack_id(o)).map(str::to_string);
            // The timeline and the DMs name them as Slack does (`team.info`, waited for a
            // second at most, remembered), beside the id.
            let org_name = match &org {
                Some(org) => Box::pin(app.shared_channels.org_name(&app.slack, org)).await,
                None => None,
            };
            // Any channel, a trouble's or not: the origin notices and announcements standing
            // there speak of troubles (maybe another customer's) the newcomers may not read.
            app.shared_channels.first_sweep(channel);
            app.withdraw_notices_in(ChannelId::new(channel), org.clone(), org_name.clone());
            (channel.to_string(), Input::ChannelShared { org, org_name })
        }
        Some("channel_unshared") => {
            if let Some(channel) = event.get("channel").and_then(|c| c.as_str()) {
                tracing::info!(channel, "a channel's sharing outside the company changed");
                app.shared_channels.forget(channel);
                app.shared_channels.unswept(channel);
            }
            return StatusCode::OK.into_response();
        }
        Some("app_uninstalled") => {
            tracing::warn!("Slack says the app was uninstalled");
            app.slack.token_revoked();
            return StatusCode::OK.into_response();
        }
        Some("tokens_revoked") => {
            // The bot token is listed by its bot user's id; the app has one bot user, so any
            // bot token listed is the bot's when it does not know its id yet.
            let bot = app.bot_user_id();
            let listed = event["tokens"]["bot"].as_array().into_iter().flatten();
            let ours = listed
                .filter_map(|u| u.as_str())
                .any(|u| bot.as_deref().is_none_or(|bot| bot == u));
            if ours {
                tracing::warn!("Slack says the bot token was revoked");
                app.slack.token_revoked();
            }
            return StatusCode::OK.into_response();
        }
        // The trouble's channel lost to the bot, or back: archived (`user` did it), the bot
        // removed (`actor_id` did it), unarchived, the bot added back (`inviter` did it).
        Some(
            kind @ ("channel_archive" | "group_archive" | "channel_unarchive" | "group_unarchive" | "channel_left"
            | "group_left"),
        ) => {
            let field = |k: &str| event.get(k).and_then(|v| v.as_str());
            let Some(channel) = field("channel") else {
                return StatusCode::OK.into_response();
            };
            let by = field("user").or(field("actor_id")).map(UserId::new);
            let input = match kind {
                "channel_unarchive" | "group_unarchive" => Input::ChannelBack {
                    how: ChannelLoss::Archived,
                    by,
                },
                "channel_left" | "group_left" => Input::ChannelLost {
                    how: ChannelLoss::BotRemoved,
                    by,
                },
                _ => Input::ChannelLost {
                    how: ChannelLoss::Archived,
                    by,
                },
            };
            (channel.to_string(), input)
        }
        // Deleted: `actor_id` did it, when Slack says.
        Some("channel_deleted" | "group_deleted") => {
            let field = |k: &str| event.get(k).and_then(|v| v.as_str());
            let Some(channel) = field("channel") else {
                return StatusCode::OK.into_response();
            };
            let by = field("actor_id").map(UserId::new);
            (channel.to_string(), Input::ChannelDeleted { by })
        }
        Some(kind @ ("member_joined_channel" | "member_left_channel")) => {
            let field = |k: &str| event.get(k).and_then(|v| v.as_str());
            let (Some(user), Some(channel)) = (field("user"), field("channel")) else {
                return StatusCode::OK.into_response();
            };
            let is_bot = app.bot_user_id().is_some_and(|bot| bot == user);
            // Someone of the customer's joining a channel shared with them (Slack names their
            // workspace as the event's `team`) is no member of ours: seen, they would count as
            // one who may see a private trouble, and have an App Home of our troubles drawn.
            let team = field("user_team").or(field("team"));
            if kind == "member_joined_channel" && app.of_another_org(team, field("enterprise")) {
                return StatusCode::OK.into_response();
            }
            let user = UserId::new(user);
            let input = match (kind, is_bot) {
                ("member_joined_channel", true) => Input::ChannelBack {
                    how: ChannelLoss::BotRemoved,
                    by: field("inviter").map(UserId::new),
                },
                ("member_joined_channel", false) => Input::MemberJoined { user },
                _ => Input::MemberLeft { user },
            };
            (channel.to_string(), input)
        }
        // Someone unpinned a message: the core pins the kickoff or the status again. An unpin by
        // the bot itself is its own doing, and only a message's pin can be the kickoff's.
        Some("pin_removed") => {
            let Some((channel, user, ts)) = unpinned_message(event) else {
                return StatusCode::OK.into_response();
            };
            if app.bot_user_id().is_some_and(|bot| bot == user) {
                return StatusCode::OK.into_response();
            }
            let input = Input::Unpinned {
                user: UserId::new(user),
                ts: Ts::new(ts),
            };
            (channel.to_string(), input)
        }
        _ => {
            let bot = app.bot_user_id();
            if let Some((channel, ts)) = deleted_message(event) {
                (channel, Input::MessageDeleted { ts: Ts::new(ts) })
            } else if let Some(dm) = dm_message(event, bot.as_deref()) {
                return Box::pin(on_dm_message(app, event_id, dm)).await;
            } else {
                let Some(reply) = thread_reply(event, bot.as_deref()) else {
                    return StatusCode::OK.into_response();
                };
                let input = Input::ThreadReply {
                    user: UserId::new(&reply.user),
                    thread_ts: Ts::new(&reply.thread_ts),
                };
                (reply.channel, input)
            }
        }
    };
    // A store that cannot say whose channel it is answers 500, as the DM path does: Slack
    // delivers the event again (an acknowledgement in the thread, a channel lost), where a 200
    // would have it lost for good.
    let id = match Box::pin(app.store.by_channel(&ChannelId::new(&channel))).await {
        Ok(Some(id)) => id,
        Ok(None) => return StatusCode::OK.into_response(),
        Err(e) => return failed(app, Surface::Event, "cannot find a channel's trouble", e),
    };
    // The event id is remembered in the same write, so a retried delivery is handled once.
    match Box::pin(app.engine().apply(&id, &[event_id], input)).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => failed(app, Surface::Event, "cannot store an event", e),
    }
}

/// Whether `team`, the workspace (`T…`) or Enterprise Grid org (`E…`) a channel was shared
/// with, is another organisation's: neither our workspace nor our org. Before the bot knows its
/// own (`auth.test` not answered yet), any is: withdrawing the team's lines is the safe side.
fn another_org(app: &App, team: &str) -> bool {
    let identity = app.bot_identity();
    let workspace = app.our_workspace(identity.as_ref());
    let enterprise = app.our_org(identity.as_ref());
    workspace != Some(team) && enterprise != Some(team)
}

/// A Slack id as Slack writes them (`E0CUSTOMER`): anything else an event carries is not shown.
fn is_slack_id(s: &str) -> bool {
    (1..=24).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `channel` was learnt to be shared outside from an event of it: when it is a trouble's channel
/// still keeping lines posted there for the team, the core withdraws them. Nothing is answered
/// from it: the event itself is handled as ever. Whether it is a trouble's channel; `Err` when
/// the store cannot say or cannot record the withdrawal.
async fn withdraw_if_kept(app: &Arc<App>, channel: &str) -> Result<bool, EngineError> {
    let Some(id) = Box::pin(app.store.by_channel(&ChannelId::new(channel))).await? else {
        return Ok(false);
    };
    let kept = match Box::pin(app.store.get(&id)).await? {
        Some(t) => !t.team_lines.is_empty() || t.team_lines_dropped > 0,
        None => false,
    };
    if kept {
        let shared = Input::ChannelShared {
            org: None,
            org_name: None,
        };
        Box::pin(app.engine().apply(&id, &[], shared)).await?;
    }
    Ok(true)
}

/// A `pin_removed` event's channel, who unpinned, and the unpinned message's ts; `None` for a
/// file or anything else that is not a message.
fn unpinned_message(event: &serde_json::Value) -> Option<(&str, &str, &str)> {
    let item = event.get("item")?;
    if item.get("type").and_then(|t| t.as_str()) != Some("message") {
        return None;
    }
    let channel = event
        .get("channel_id")
        .or_else(|| item.get("channel"))
        .and_then(|c| c.as_str())?;
    let user = event.get("user").and_then(|u| u.as_str())?;
    let ts = item["message"].get("ts").and_then(|t| t.as_str())?;
    Some((channel, user, ts))
}

/// Someone wrote to the bot in their DM. An answer to its ask acknowledges the trouble asked
/// about: the one whose DM's thread it is in, or, written in the DM itself, the only one
/// waiting for them. Anything else is answered with why nothing was recorded, so nobody
/// believes they answered when they did not.
async fn on_dm_message(app: &Arc<App>, event_id: &str, dm: DmMessage) -> Response {
    let user = UserId::new(&dm.user);
    let waiting = match Box::pin(super::waiting_for_ack(app, &user)).await {
        Ok(waiting) => waiting,
        Err(e) => {
            return failed(
                app,
                Surface::Event,
                "cannot read the troubles waiting for an acknowledgement",
                e,
            )
        }
    };
    let answered: Vec<TroubleId> = match dm.thread_ts.map(Ts::new) {
        None => waiting.iter().map(|r| r.id.clone()).collect(),
        Some(thread) => {
            let mut asked_there = Vec::new();
            for row in &waiting {
                if let Ok(Some(t)) = Box::pin(app.store.get(&row.id)).await {
                    if t.is_asking_dm_thread(&thread) {
                        asked_there.push(row.id.clone());
                    }
                }
            }
            asked_there
        }
    };
    let done = match answered.as_slice() {
        [id] => Box::pin(app.engine().apply(id, &[event_id], Input::DmReply { user }))
            .await
            .map(drop),
        _ => {
            let text = i18n::dm_not_read(app.config.locale, &waiting, answered.len() > 1);
            let listed = waiting
                .iter()
                .take(i18n::ACK_WAITING_SHOWN)
                .map(|r| r.id.clone())
                .collect();
            Box::pin(app.engine().answer_in_dm(event_id, &user, text, listed)).await
        }
    };
    match done {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => failed(app, Surface::Event, "cannot answer a DM", e),
    }
}

/// The user opened the bot's App Home: show their troubles, and keep it current from now on.
async fn on_home_opened(app: &Arc<App>, event_id: &str, event: &serde_json::Value) -> Response {
    let Some(user) = event.get("user").and_then(|u| u.as_str()) else {
        return StatusCode::OK.into_response();
    };
    if event
        .get("tab")
        .and_then(|t| t.as_str())
        .is_some_and(|tab| tab != "home")
    {
        return StatusCode::OK.into_response();
    }
    let now = app.clock.now();
    match app.store.remember_key(event_id, now).await {
        Ok(true) => {}
        Ok(false) => return StatusCode::OK.into_response(),
        Err(e) => return failed(app, Surface::Event, "cannot remember an event", e),
    }
    let user = UserId::new(user);
    if let Err(e) = app.store.mark_home_viewer(&user).await {
        tracing::error!(error = %e, "cannot remember an App Home viewer");
    }
    app.publish_home(user, now).await;
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::unpinned_message;
    use serde_json::json;

    #[test]
    fn only_a_messages_pin_removed_names_its_channel_who_and_ts() {
        // Slack's documented shape (api.slack.com/events/pin_removed), the channel in `channel_id`.
        let message = json!({"type": "pin_removed", "user": "U1", "channel_id": "C1", "has_pins": false,
            "item": {"type": "message", "channel": "C1", "message": {"ts": "1.2"}}, "event_ts": "3.4"});
        assert_eq!(unpinned_message(&message), Some(("C1", "U1", "1.2")));
        let mut no_channel_id = message.clone();
        no_channel_id.as_object_mut().unwrap().remove("channel_id");
        assert_eq!(unpinned_message(&no_channel_id), Some(("C1", "U1", "1.2")));
        let file = json!({"type": "pin_removed", "user": "U1", "channel_id": "C1",
            "item": {"type": "file", "file": {"id": "F1"}}});
        assert_eq!(unpinned_message(&file), None);
        let mut no_user = message;
        no_user.as_object_mut().unwrap().remove("user");
        assert_eq!(unpinned_message(&no_user), None);
    }
}
