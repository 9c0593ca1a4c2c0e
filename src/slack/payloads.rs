//! Inbound payloads: slash commands, Events API envelopes and interactivity, as typed values.

use std::borrow::Cow;

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
    /// On Enterprise Grid, the org of the workspace `team_id` names.
    #[serde(default)]
    pub enterprise_id: Option<String>,
}

/// The fields of a slash command's form the bot reads, found in the body and still encoded;
/// the rest (token, team and user names, enterprise fields) are skipped as sent. Decoding every
/// pair (serde_urlencoded) took 8% of the bot's CPU under a burst of `/trouble help`. Finding
/// the fields decodes only an escaped name and the TLS check's own value, so Slack's unsigned
/// check is recognised before the signature check at the cost of one pass over the body.
pub struct CommandForm<'a> {
    /// Each field's whole `key=value` pair, in the order of [`CommandForm::FIELDS`].
    pairs: [Option<&'a [u8]>; 8],
    /// A field the bot reads was sent more than once.
    twice: bool,
    /// `ssl_check=1` was among the pairs.
    ssl_check: bool,
}

impl<'a> CommandForm<'a> {
    const FIELDS: [&'static str; 8] = [
        "team_id",
        "channel_id",
        "user_id",
        "command",
        "text",
        "response_url",
        "trigger_id",
        "enterprise_id",
    ];
    /// Where `command` is in [`CommandForm::FIELDS`].
    const COMMAND: usize = 3;

    pub fn find(body: &'a [u8]) -> CommandForm<'a> {
        let mut form = CommandForm {
            pairs: [None; 8],
            twice: false,
            ssl_check: false,
        };
        for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
            let key = pair.split(|&b| b == b'=').next().unwrap_or_default();
            // A name is plain ASCII as Slack sends it: decoded only when it is not.
            let key = if needs_decoding(key) {
                Cow::Owned(decoded(key).into_bytes())
            } else {
                Cow::Borrowed(key)
            };
            if *key == *b"ssl_check" {
                form.ssl_check |= form_value(pair) == "1";
            } else if let Some(at) = Self::FIELDS.iter().position(|f| f.as_bytes() == &*key) {
                form.twice |= form.pairs[at].replace(pair).is_some();
            }
        }
        form
    }

    /// Slack's TLS check: `ssl_check=1`, and no command.
    pub fn is_ssl_check(&self) -> bool {
        self.ssl_check && self.pairs[Self::COMMAND].is_none()
    }

    /// The command, read as the derived deserializer reads it: a required field missing, or a
    /// field the bot reads sent twice, is not a slash command.
    pub fn command(&self) -> Option<SlashCommand> {
        self.head().map(CommandHead::command)
    }

    /// What decides whether a command is answered at once (its workspace, its organisation,
    /// its text), borrowed from the body where no escape needs undoing; `None` where
    /// [`CommandForm::command`] finds no command. The other fields are read only for a command
    /// that goes on (`/trouble help` then costs no allocation for them).
    pub fn head(&self) -> Option<CommandHead<'a>> {
        let [team_id, channel_id, user_id, _, text, _, _, enterprise_id] = self.pairs;
        if self.twice || channel_id.is_none() || user_id.is_none() {
            return None;
        }
        Some(CommandHead {
            team_id: team_id.map(form_value_borrowed).unwrap_or_default(),
            enterprise_id: enterprise_id.map(form_value_borrowed),
            text: text.map(form_value_borrowed).unwrap_or_default(),
            pairs: self.pairs,
        })
    }
}

/// A slash command's form found whole, with its fields read so far (see [`CommandForm::head`]).
pub struct CommandHead<'a> {
    pub team_id: Cow<'a, str>,
    pub enterprise_id: Option<Cow<'a, str>>,
    pub text: Cow<'a, str>,
    pairs: [Option<&'a [u8]>; 8],
}

impl CommandHead<'_> {
    /// The whole command: the fields read already, and the others.
    pub fn command(self) -> SlashCommand {
        let [_, channel_id, user_id, command, _, response_url, trigger_id, _] = self.pairs.map(|p| p.map(form_value));
        SlashCommand {
            team_id: self.team_id.into_owned(),
            channel_id: channel_id.unwrap_or_default(),
            user_id: user_id.unwrap_or_default(),
            command: command.unwrap_or_default(),
            text: self.text.into_owned(),
            response_url,
            trigger_id,
            enterprise_id: self.enterprise_id.map(Cow::into_owned),
        }
    }
}

/// Whether a key or value of a form has an escape (`%XX`, or `+` for a space) to undo.
fn needs_decoding(part: &[u8]) -> bool {
    part.iter().any(|&b| b == b'%' || b == b'+')
}

/// One `key=value` pair's value, decoded.
fn form_value(pair: &[u8]) -> String {
    form_value_borrowed(pair).into_owned()
}

/// [`form_value`], borrowed from the body when it has nothing to decode.
fn form_value_borrowed(pair: &[u8]) -> Cow<'_, str> {
    let value = pair.splitn(2, |&b| b == b'=').nth(1).unwrap_or_default();
    match std::str::from_utf8(value) {
        Ok(text) if !needs_decoding(value) => Cow::Borrowed(text),
        _ => Cow::Owned(decoded(value)),
    }
}

/// A form's key or value as text, in one pass: `+` is a space, `%XX` the byte XX (a `%` without
/// two hex digits after it stays), and bytes that are not UTF-8 are replaced, as the standard
/// form readers (form_urlencoded, serde_urlencoded) read it.
fn decoded(part: &[u8]) -> String {
    let hex = |digit: Option<&u8>| digit.and_then(|&d| char::from(d).to_digit(16));
    let mut bytes = Vec::with_capacity(part.len());
    let mut rest = part;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        bytes.push(match b {
            b'+' => b' ',
            b'%' => match (hex(tail.first()), hex(tail.get(1))) {
                (Some(high), Some(low)) => {
                    rest = &tail[2..];
                    (high * 16 + low) as u8
                }
                _ => b'%',
            },
            b => b,
        });
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
        /// On Enterprise Grid, the org of workspace `team_id`.
        #[serde(default)]
        enterprise_id: Option<String>,
        event_id: String,
        event: Value,
        /// Slack says the event's channel is shared with another organisation (Slack Connect).
        #[serde(default)]
        is_ext_shared_channel: bool,
    },
    /// Slack rate-limits the app's events from a workspace (more than 30,000 in an hour, or
    /// too few deliveries answered 200) from the minute `minute_rate_limited` (seconds since
    /// the epoch): the events it holds back never arrive.
    AppRateLimited {
        #[serde(default)]
        minute_rate_limited: Option<i64>,
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
    let (user, ts) = human_message(event, bot_user_id)?;
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

/// A message someone wrote in their DM with the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct DmMessage {
    pub user: String,
    /// The thread it was written in (a reply to one of the bot's DMs), if any.
    pub thread_ts: Option<String>,
}

/// A human's message in their DM with the bot, in a thread or not; None for anything else.
pub fn dm_message(event: &Value, bot_user_id: Option<&str>) -> Option<DmMessage> {
    if event.get("channel_type")?.as_str()? != "im" {
        return None;
    }
    let (user, ts) = human_message(event, bot_user_id)?;
    let thread_ts = event.get("thread_ts").and_then(Value::as_str).filter(|t| *t != ts);
    Some(DmMessage {
        user: user.to_string(),
        thread_ts: thread_ts.map(str::to_string),
    })
}

/// A message a person wrote (its user and ts): not a bot's, an edit, a deletion or a join.
fn human_message<'a>(event: &'a Value, bot_user_id: Option<&str>) -> Option<(&'a str, &'a str)> {
    if event.get("type")?.as_str()? != "message" {
        return None;
    }
    // message_changed/deleted, bot_message, channel_join, … are not replies; thread_broadcast
    // is, and so is file_share: a manager on a phone answers with a photo of the part.
    match event.get("subtype").and_then(Value::as_str) {
        None | Some("thread_broadcast" | "file_share") => {}
        Some(_) => return None,
    }
    if event.get("bot_id").is_some_and(|b| !b.is_null()) {
        return None;
    }
    let user = event.get("user")?.as_str()?;
    if Some(user) == bot_user_id {
        return None;
    }
    Some((user, event.get("ts")?.as_str()?))
}

/// A message deleted: its channel and ts. Deleted outright (`message_deleted`, `deleted_ts`), or,
/// when it was a thread's parent, left as a tombstone (`message_changed` whose message's subtype
/// is `tombstone`).
pub fn deleted_message(event: &Value) -> Option<(String, String)> {
    if event.get("type")?.as_str()? != "message" {
        return None;
    }
    let ts = match event.get("subtype")?.as_str()? {
        "message_deleted" => event.get("deleted_ts")?.as_str()?,
        "message_changed" if event["message"]["subtype"] == "tombstone" => event["message"].get("ts")?.as_str()?,
        _ => return None,
    };
    Some((event.get("channel")?.as_str()?.to_string(), ts.to_string()))
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
    /// The clicker's own workspace: another organisation's in a channel shared with it.
    #[serde(default)]
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Team {
    pub id: String,
    #[serde(default)]
    pub enterprise_id: Option<String>,
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
    /// The block the tapped element sits in: says which kind of message was tapped.
    #[serde(default)]
    pub block_id: Option<String>,
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
    /// Whether the form sent block `block_id` at all: an input left empty comes with a null
    /// value, which [`Self::input`] reads as none.
    pub fn sent(&self, block_id: &str) -> bool {
        self.state.values.contains_key(block_id)
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
    /// The Enterprise Grid org the interaction came through, when on one: its workspace's
    /// (`team.enterprise_id`), else the clicker's when Slack gives the org as their team (on Grid
    /// `user.team_id` may be the org's `E…`).
    pub fn enterprise_id(&self) -> Option<&str> {
        match self {
            Interaction::BlockActions { team, user, .. } | Interaction::ViewSubmission { team, user, .. } => team
                .as_ref()
                .and_then(|t| t.enterprise_id.as_deref())
                .or_else(|| user.team_id.as_deref().filter(|t| t.starts_with('E'))),
            Interaction::Other => None,
        }
    }

    /// Who clicked or submitted: their own workspace (`user.team_id`; on Grid it may be the org)
    /// and their Enterprise Grid org. The workspace the interaction came through (`team`) is
    /// theirs only when it is the same: in a channel shared with a customer (Slack Connect), the
    /// customer's click may come through our workspace, with our org as `team.enterprise_id`.
    pub fn clicker(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Interaction::BlockActions { team, user, .. } | Interaction::ViewSubmission { team, user, .. } => {
                let workspace = user.team_id.as_deref();
                let org = team
                    .as_ref()
                    .filter(|t| workspace == Some(t.id.as_str()))
                    .and_then(|t| t.enterprise_id.as_deref());
                (workspace, org)
            }
            Interaction::Other => (None, None),
        }
    }

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
        let form = fixture("http/slash_command.form.txt");
        let c = CommandForm::find(form.as_bytes()).command().unwrap();
        assert_eq!(c.team_id, "T111");
        assert_eq!(c.channel_id, "C111");
        assert_eq!(c.user_id, "W111");
        assert_eq!(c.command, "/hello-world");
        assert_eq!(c.text, "Hi");
        assert_eq!(
            c.response_url.as_deref(),
            Some("https://hooks.slack.com/commands/T111/111/xxxxx")
        );
        assert_eq!(c.trigger_id.as_deref(), Some("111.111.xxx"));
    }

    /// One form, as a list of encoded parts: names the command has (some of them encoded, as
    /// Slack never sends them but a form may), names it skips, and values with every escape.
    fn form() -> impl Strategy<Value = String> {
        let mut names = CommandForm::FIELDS.to_vec();
        names.extend([
            "token",
            "user_name",
            "ssl_check",
            "ssl%5Fcheck",
            "user%5Fid",
            "te%78t",
            "text+",
            "",
        ]);
        let key = prop::sample::select(names);
        let value = prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "Hi",
                "+",
                "%2F",
                "%25",
                "%zz",
                "%",
                "%C3%A9",
                "%C3",
                "=",
                "1",
                "%E3%83%88",
                "<!channel>",
                "%2B",
                "%4",
                "%%41",
                "%g1",
                "%F0%9F%98%80",
                "%ff",
                "%0A",
            ]),
            0..5,
        )
        .prop_map(|parts| parts.concat());
        let pair = (key, prop::option::of(value)).prop_map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.to_string(),
        });
        prop::collection::vec(pair, 0..10).prop_map(|pairs| pairs.join("&"))
    }

    proptest! {
        /// The field-by-field reading answers what the derived deserializer answered for every
        /// form: the same command, or none where it refused one.
        #[test]
        fn a_command_form_reads_as_the_derived_deserializer_reads_it(body in form()) {
            let derived = serde_urlencoded::from_bytes::<SlashCommand>(body.as_bytes()).ok();
            let form = CommandForm::find(body.as_bytes());
            let read = form.command();
            prop_assert_eq!(format!("{read:?}"), format!("{derived:?}"));
            let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body.as_bytes()).unwrap();
            let ssl_check = pairs.iter().any(|(k, v)| k == "ssl_check" && v == "1") && !pairs.iter().any(|(k, _)| k == "command");
            prop_assert_eq!(form.is_ssl_check(), ssl_check);
        }
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
    fn only_a_humans_message_in_a_dm_with_the_bot_is_a_dm_message() {
        let dm_event = |name: &str| -> Option<DmMessage> {
            match serde_json::from_str::<EventBody>(&fixture(name)).unwrap() {
                EventBody::EventCallback { event, .. } => dm_message(&event, Some("UBOT")),
                other => panic!("{name}: {other:?}"),
            }
        };
        let im = dm_event("events/event_callback.message.thread_reply.im.json").expect("a person's reply in a DM");
        assert_eq!(im.user, "U0A3M4171BK");
        assert_eq!(im.thread_ts.as_deref(), Some("1765656590.063629"));
        for not_a_dm in [
            "events/event_callback.message.user.json",
            "events/event_callback.message.thread_broadcast.json",
            "events/event_callback.app_mention.json",
        ] {
            assert!(dm_event(not_a_dm).is_none(), "{not_a_dm}");
        }
        // The bot's own message in the DM, and a top-level one, as Slack sends them.
        let mut event: Value =
            serde_json::from_str(&fixture("events/event_callback.message.thread_reply.im.json")).unwrap();
        let event = &mut event["event"];
        assert!(dm_message(event, Some("U0A3M4171BK")).is_none(), "the bot's own");
        event["thread_ts"] = event["ts"].clone();
        assert_eq!(dm_message(event, None).expect("a DM").thread_ts, None);
        event.as_object_mut().unwrap().remove("thread_ts");
        assert_eq!(dm_message(event, None).expect("a DM").thread_ts, None);
        event["bot_id"] = Value::String("B0BOT".into());
        assert!(dm_message(event, None).is_none(), "a bot's");
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
        let deleted = |name: &str| deleted_message(&events[name]);
        let channel = "C0000XXX0XX".to_string();
        assert_eq!(
            deleted("message_in_thread_deleted"),
            Some((channel.clone(), "1736481285.683829".into()))
        );
        assert_eq!(
            deleted("thread_root_message_deleted"),
            Some((channel, "1736207085.539649".into())),
            "a thread's parent deleted is a tombstone"
        );
        assert_eq!(deleted("message_in_thread_changed"), None, "an edit");
        assert_eq!(deleted("message_in_thread"), None);
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
