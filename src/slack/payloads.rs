//! Inbound payloads: slash commands, Events API envelopes and interactivity, as typed values.

use serde::Deserialize;
use serde_json::Value;

/// A slash command (form-encoded).
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    #[serde(default)]
    pub team_id: String,
    pub channel_id: String,
    pub user_id: String,
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub response_url: Option<String>,
    #[serde(default)]
    pub trigger_id: Option<String>,
}

/// The Events API body: the handshake or an event wrapper.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    UrlVerification {
        challenge: String,
    },
    EventCallback {
        #[serde(default)]
        team_id: Option<String>,
        event_id: String,
        event: Value,
    },
    #[serde(other)]
    Other,
}

/// The part of a message event the bot acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadReply {
    pub channel: String,
    pub user: String,
    pub thread_ts: String,
    pub ts: String,
}

/// A human's reply in a thread, or None for anything else (bots, edits, deletions, channel
/// messages, thread parents, other event types).
pub fn thread_reply(event: &Value, bot_user_id: Option<&str>) -> Option<ThreadReply> {
    if event.get("type")?.as_str()? != "message" {
        return None;
    }
    // message_changed/deleted, bot_message, channel_join, … are not replies; thread_broadcast is.
    match event.get("subtype").and_then(Value::as_str) {
        None | Some("thread_broadcast") => {}
        Some(_) => return None,
    }
    if event.get("bot_id").is_some_and(|b| !b.is_null()) {
        return None;
    }
    let user = event.get("user")?.as_str()?;
    if Some(user) == bot_user_id {
        return None;
    }
    let ts = event.get("ts")?.as_str()?;
    let thread_ts = event.get("thread_ts")?.as_str()?;
    if thread_ts == ts {
        return None;
    }
    Some(ThreadReply {
        channel: event.get("channel")?.as_str()?.to_string(),
        user: user.to_string(),
        thread_ts: thread_ts.to_string(),
        ts: ts.to_string(),
    })
}

/// Interactivity payloads (the form field `payload`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Interaction {
    BlockActions {
        user: InteractionUser,
        #[serde(default)]
        team: Option<Team>,
        #[serde(default)]
        channel: Option<IdOnly>,
        #[serde(default)]
        trigger_id: Option<String>,
        #[serde(default)]
        actions: Vec<Action>,
    },
    ViewSubmission {
        user: InteractionUser,
        #[serde(default)]
        team: Option<Team>,
        view: View,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Deserialize)]
pub struct InteractionUser {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Team {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdOnly {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    pub action_id: String,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct View {
    /// Stays the same across resubmissions of one modal: the key for "submitted once".
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub callback_id: String,
    #[serde(default)]
    pub private_metadata: String,
    #[serde(default)]
    pub state: ViewState,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ViewState {
    #[serde(default)]
    pub values: serde_json::Map<String, Value>,
}

impl View {
    /// The value of a plain-text input, a select or a user select in block `block_id`.
    pub fn input(&self, block_id: &str) -> Option<String> {
        let block = self.state.values.get(block_id)?.as_object()?;
        let element = block.values().next()?;
        let v = element
            .get("value")
            .and_then(Value::as_str)
            .or_else(|| element.get("selected_user").and_then(Value::as_str))
            .or_else(|| {
                element
                    .get("selected_option")
                    .and_then(|o| o.get("value"))
                    .and_then(Value::as_str)
            })?;
        Some(v.to_string())
    }
    /// The values of a multi-select in block `block_id`.
    pub fn multi(&self, block_id: &str) -> Vec<String> {
        let Some(element) = self
            .state
            .values
            .get(block_id)
            .and_then(Value::as_object)
            .and_then(|b| b.values().next())
        else {
            return Vec::new();
        };
        element
            .get("selected_options")
            .and_then(Value::as_array)
            .map(|opts| {
                opts.iter()
                    .filter_map(|o| o.get("value").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Interaction {
    pub fn team_id(&self) -> Option<&str> {
        match self {
            Interaction::BlockActions { team, .. } | Interaction::ViewSubmission { team, .. } => {
                team.as_ref().map(|t| t.id.as_str())
            }
            Interaction::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const INBOUND: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack/inbound/");

    fn fixture(path: &str) -> String {
        std::fs::read_to_string(format!("{INBOUND}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_slash_command_fixture_parses() {
        let c: SlashCommand = serde_urlencoded::from_str(&fixture("http/slash_command.form.txt")).unwrap();
        assert_eq!(c.channel_id, "C111");
        assert_eq!(c.user_id, "W111");
        assert_eq!(c.text, "Hi");
        assert!(c.response_url.unwrap().starts_with("https://hooks.slack.com/"));
    }

    #[test]
    fn event_fixtures_parse_and_only_human_thread_replies_count() {
        let body: EventBody = serde_json::from_str(&fixture("events/url_verification.json")).unwrap();
        assert!(matches!(body, EventBody::UrlVerification { .. }));
        let reply_event = |name: &str| -> Option<ThreadReply> {
            match serde_json::from_str::<EventBody>(&fixture(name)).unwrap() {
                EventBody::EventCallback { event, .. } => thread_reply(&event, Some("UBOT")),
                other => panic!("{name}: {other:?}"),
            }
        };
        let reply = reply_event("events/event_callback.message.thread_reply.im.json").expect("a human thread reply");
        assert_ne!(reply.thread_ts, reply.ts);
        assert!(
            reply_event("events/event_callback.message.user.json").is_none(),
            "a channel message is not a reply"
        );
        assert!(reply_event("events/event_callback.message.bot_id_no_subtype.json").is_none());
        assert!(reply_event("events/event_callback.message.subtype_bot_message.json").is_none());
        assert!(reply_event("events/event_callback.message_changed.json").is_none());
        assert!(reply_event("events/event_callback.message_changed_by_bot.json").is_none());
        assert!(reply_event("events/event_callback.message.thread_broadcast.json").is_some());
        assert!(reply_event("events/event_callback.app_mention.json").is_none());
    }

    #[test]
    fn private_channel_thread_events_fixture() {
        let events: Value = serde_json::from_str(&fixture("events/inner.thread_events.private_channel.json")).unwrap();
        let mut replies = 0;
        for (_, e) in events.as_object().unwrap() {
            if thread_reply(e, Some("UBOT")).is_some() {
                replies += 1;
            }
        }
        assert_eq!(
            replies, 1,
            "only message_in_thread is a reply; edits, deletions and tombstones are not"
        );
    }

    #[test]
    fn interaction_fixtures_parse() {
        let a: Interaction = serde_json::from_str(&fixture("http/block_actions.payload.json")).unwrap();
        match a {
            Interaction::BlockActions { user, actions, .. } => {
                assert_eq!(user.id, "W111");
                assert_eq!(actions[0].action_id, "a");
            }
            other => panic!("{other:?}"),
        }
        let v: Interaction = serde_json::from_str(&fixture("http/view_submission.payload.json")).unwrap();
        assert!(matches!(v, Interaction::ViewSubmission { .. }));
    }

    proptest! {
        #[test]
        fn any_json_gives_a_value_or_an_error(s in "\\PC{0,300}") {
            let _ = serde_json::from_str::<EventBody>(&s);
            let _ = serde_json::from_str::<Interaction>(&s);
            if let Ok(v) = serde_json::from_str::<Value>(&s) {
                let _ = thread_reply(&v, None);
            }
        }
        #[test]
        fn arbitrary_message_events_never_panic(sub in proptest::option::of("[a-z_]{0,12}"), ts in "[0-9.]{0,6}", th in proptest::option::of("[0-9.]{0,6}")) {
            let e = serde_json::json!({"type": "message", "subtype": sub, "ts": ts, "thread_ts": th, "user": "U1", "channel": "C1"});
            let _ = thread_reply(&e, Some("UBOT"));
        }
    }
}
