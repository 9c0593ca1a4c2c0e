//! Checks `manifest.yml` against the code: its request URLs are routes, every Web API method the code calls has its
//! scopes, no scope or bot event is unused, and the values respect the manifest schema's keys and limits; and that
//! `manifest.socket.yml` is the same app in Socket Mode.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};
use trouble_bot::slack::payloads::{dm_message, thread_reply};

/// Bot scopes each Web API method needs (docs/slack.md §5). Calling a method missing from this table fails the
/// test, and so does an entry the code no longer calls.
const METHOD_SCOPES: &[(&str, &[&str])] = &[
    // Socket Mode: called with the app-level token (connections:write), not a bot scope.
    ("apps.connections.open", &[]),
    ("auth.test", &[]),
    // im:write: direct messages are posted with the user id as the channel.
    ("chat.postMessage", &["chat:write", "im:write"]),
    ("chat.update", &["chat:write"]),
    // Slack Connect: a line the team alone was told, withdrawn once the channel is shared.
    ("chat.delete", &["chat:write"]),
    // Trouble channels are public (channels:manage) or, with `private_channels`, private (groups:write).
    ("conversations.create", &["channels:manage", "groups:write"]),
    ("conversations.invite", &["channels:manage", "groups:write"]),
    // `remove`: someone added by mistake is taken out of the channel again.
    ("conversations.kick", &["channels:manage", "groups:write"]),
    // `fix customer`: the channel's name follows the corrected customer.
    ("conversations.rename", &["channels:manage", "groups:write"]),
    // Crash recovery (`find_own_channel`, `find_marked`): list public and private channels, open the DM with a user
    // id, and read the history or thread of a trouble channel, the origin channel or that DM.
    ("conversations.list", &["channels:read", "groups:read"]),
    ("conversations.open", &["im:write"]),
    // `remove`: whether someone the bot has no record of in a trouble's channel is in it.
    ("conversations.members", &["channels:read", "groups:read"]),
    // Slack Connect: whether the origin or an announce channel (public, private, DM or group DM) is shared outside.
    (
        "conversations.info",
        &["channels:read", "groups:read", "im:read", "mpim:read"],
    ),
    (
        "conversations.history",
        &["channels:history", "groups:history", "im:history"],
    ),
    (
        "conversations.replies",
        &["channels:history", "groups:history", "im:history"],
    ),
    ("pins.add", &["pins:write"]),
    // Slack Connect: the name of the organisation a channel was shared with, said beside its id.
    ("team.info", &["team:read"]),
    // The names the report and the 8D show for people (a mention there would ping them).
    ("users.info", &["users:read"]),
    ("views.open", &[]),
    // Publishing a user's App Home needs no scope beyond the bot token.
    ("views.publish", &[]),
];

/// Bot events and the scope each needs (docs/slack.md §4). A subscribed event missing here fails the test.
const EVENT_SCOPES: &[(&str, &[&str])] = &[
    ("message.channels", &["channels:history"]),
    ("message.groups", &["groups:history"]),
    ("message.im", &["im:history"]),
    ("message.mpim", &["mpim:history"]),
    ("app_mention", &["app_mentions:read"]),
    ("app_home_opened", &[]),
    // Who joined or left a trouble channel, public or private (specs/slack_events_api_async_v1.json).
    ("member_joined_channel", &["channels:read", "groups:read"]),
    ("member_left_channel", &["channels:read", "groups:read"]),
    // The kickoff or the status unpinned: pinned again, and the channel hears who unpinned it.
    ("pin_removed", &["pins:read"]),
    // A channel shared with (or unshared from) another organisation: forget what the bot knew of it.
    ("channel_shared", &["channels:read", "groups:read"]),
    ("channel_unshared", &["channels:read", "groups:read"]),
    // A trouble channel archived (or unarchived), public or private: the owner and manager hear of it.
    ("channel_archive", &["channels:read"]),
    ("channel_unarchive", &["channels:read"]),
    ("group_archive", &["groups:read"]),
    ("group_unarchive", &["groups:read"]),
    // The bot removed from a trouble channel: the owner and manager hear of it.
    ("channel_left", &["channels:read"]),
    ("group_left", &["groups:read"]),
    // A trouble channel deleted: an open trouble gets a new one, and the owner and manager hear of it.
    ("channel_deleted", &["channels:read"]),
    ("group_deleted", &["groups:read"]),
    // The app uninstalled, or its bot token revoked: known before a call is refused.
    ("app_uninstalled", &[]),
    ("tokens_revoked", &[]),
];

/// Thread replies only matter in the trouble channels the bot creates, which are public or
/// private channels, and in the DMs it sends asking someone to acknowledge.
const MESSAGE_STREAMS: &[(&str, &str)] = &[
    ("message.channels", "channel"),
    ("message.groups", "group"),
    ("message.im", "im"),
];

/// Web API method families, to spot a method name used anywhere in `src/`.
const METHOD_FAMILIES: &str =
    "admin api apps assistant auth bookmarks bots calls canvases chat conversations dialog dnd \
    emoji files functions oauth openid pins reactions reminders rtm search stars team usergroups users views workflows";

/// The keys the v1 schema allows in each object used here (it sets `additionalProperties: false`).
const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "_metadata",
            "display_information",
            "features",
            "oauth_config",
            "settings",
        ],
    ),
    (
        "_metadata",
        &["schema_version", "min_version", "major_version", "minor_version"],
    ),
    (
        "display_information",
        &["name", "description", "background_color", "long_description"],
    ),
    (
        "features",
        &["app_home", "bot_user", "shortcuts", "slash_commands", "unfurl_domains"],
    ),
    (
        "features.app_home",
        &[
            "home_tab_enabled",
            "messages_tab_enabled",
            "messages_tab_read_only_enabled",
        ],
    ),
    ("features.bot_user", &["display_name", "always_online"]),
    (
        "features.slash_commands[]",
        &["command", "url", "description", "usage_hint", "should_escape"],
    ),
    (
        "oauth_config",
        &["redirect_urls", "scopes", "token_management_enabled", "pkce_enabled"],
    ),
    ("oauth_config.scopes", &["user", "bot", "user_optional", "bot_optional"]),
    (
        "settings",
        &[
            "allowed_ip_address_ranges",
            "event_subscriptions",
            "incoming_webhooks",
            "interactivity",
            "org_deploy_enabled",
            "socket_mode_enabled",
            "token_rotation_enabled",
        ],
    ),
    (
        "settings.event_subscriptions",
        &["request_url", "user_events", "bot_events"],
    ),
    (
        "settings.interactivity",
        &["is_enabled", "request_url", "message_menu_options_url"],
    ),
];

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest() -> Value {
    yaml::parse(&read("manifest.yml"))
}

fn socket_manifest() -> Value {
    yaml::parse(&read("manifest.socket.yml"))
}

/// Every `.rs` file under `src/`, as (path relative to the crate, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let root = Path::new(env!("CARGO_MANIFEST_DIR"));
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .try_fold(v, |v, key| v.get(key))
        .unwrap_or_else(|| panic!("manifest.yml has no `{path}`"))
}

fn str_at<'a>(v: &'a Value, path: &str) -> &'a str {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string"))
}

fn strings_at(v: &Value, path: &str) -> Vec<String> {
    let items = at(v, path)
        .as_array()
        .unwrap_or_else(|| panic!("`{path}` is not a list"));
    let strings: Vec<String> = items
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("`{path}` holds {s}")).to_string())
        .collect();
    let unique: BTreeSet<&String> = strings.iter().collect();
    assert_eq!(unique.len(), strings.len(), "`{path}` repeats an entry: {strings:?}");
    strings
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The path of an `https://host/path` URL.
fn url_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("{url} is not https"));
    let slash = rest.find('/').unwrap_or_else(|| panic!("{url} has no path"));
    assert!(slash > 0, "{url} has no host");
    &rest[slash..]
}

fn assert_routed(url: &str) {
    let routes = read("src/http/mod.rs");
    let path = url_path(url);
    assert!(
        routes.contains(&format!(".route(\"{path}\"")),
        "{url}: src/http/mod.rs has no route for {path}"
    );
}

/// The Web API methods the code calls, each with where it was seen: `call("m"` (whitespace allowed after the
/// parenthesis) anywhere in `src/`, every method-shaped string literal in `src/slack/client.rs`, and every literal of
/// a known method family elsewhere.
fn called_methods() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (file, text) in sources() {
        for (i, _) in text.match_indices("call(") {
            let standalone = !text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            let after = text[i + "call(".len()..].trim_start();
            if let (true, Some(quoted)) = (standalone, after.strip_prefix('"')) {
                let method = &quoted[..quoted.find('"').unwrap_or(0)];
                found.push((method.to_string(), format!("{file}: call(\"{method}\"")));
            }
        }
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let literal = &rest[..end];
            let family = literal.split('.').next().unwrap_or_default();
            if is_method_shaped(literal)
                && (file == "src/slack/client.rs" || METHOD_FAMILIES.split_whitespace().any(|f| f == family))
            {
                found.push((literal.to_string(), format!("{file}: \"{literal}\"")));
            }
        }
    }
    found
}

/// `family.method` or `family.sub.method`: lowercase family, letters only.
fn is_method_shaped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2
        && parts[0].chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()))
}

fn method_scopes(method: &str) -> Option<&'static [&'static str]> {
    METHOD_SCOPES.iter().find(|(m, _)| *m == method).map(|(_, s)| *s)
}

fn event_scope(event: &str) -> Option<&'static [&'static str]> {
    EVENT_SCOPES.iter().find(|(e, _)| *e == event).map(|(_, s)| *s)
}

/// Every scope the code needs: those of the methods it calls and of the events the manifest subscribes to.
fn needed_scopes(m: &Value) -> BTreeSet<&'static str> {
    let mut needed = BTreeSet::new();
    for (method, _) in called_methods() {
        needed.extend(method_scopes(&method).unwrap_or_default());
    }
    for event in strings_at(m, "settings.event_subscriptions.bot_events") {
        needed.extend(event_scope(&event).unwrap_or_default());
    }
    needed
}

#[test]
fn the_slash_command_is_trouble_and_every_request_url_is_routed() {
    let m = manifest();
    let commands = at(&m, "features.slash_commands")
        .as_array()
        .expect("slash_commands is a list");
    assert_eq!(commands.len(), 1, "one slash command: {commands:?}");
    let command = &commands[0];
    assert_eq!(str_at(command, "command"), "/trouble");
    assert_eq!(
        at(command, "should_escape"),
        &json!(true),
        "should_escape: true, so `<@manager>` mentions arrive as ids"
    );
    let urls = [
        str_at(command, "url"),
        str_at(&m, "settings.event_subscriptions.request_url"),
        str_at(&m, "settings.interactivity.request_url"),
    ];
    assert_eq!(
        urls.map(url_path),
        ["/slack/commands", "/slack/events", "/slack/interactions"]
    );
    for url in urls {
        assert_routed(url);
    }
    let host = |url: &str| url.strip_suffix(url_path(url)).unwrap().to_string();
    assert!(
        urls.iter().all(|u| host(u) == host(urls[0])),
        "one server serves all three: {urls:?}"
    );
    assert_eq!(at(&m, "settings.interactivity.is_enabled"), &json!(true));
    assert_eq!(
        at(&m, "settings.socket_mode_enabled"),
        &json!(false),
        "the bot serves HTTP request URLs, not Socket Mode"
    );
}

#[test]
fn every_called_web_api_method_has_its_scopes_in_the_manifest() {
    let m = manifest();
    let scopes = strings_at(&m, "oauth_config.scopes.bot");
    let called = called_methods();
    let unknown: Vec<&String> = called
        .iter()
        .filter(|(method, _)| method_scopes(method).is_none())
        .map(|(_, seen)| seen)
        .collect();
    assert!(
        unknown.is_empty(),
        "add these methods and their scopes to METHOD_SCOPES: {unknown:?}"
    );
    for (method, _) in METHOD_SCOPES {
        assert!(
            called.iter().any(|(m, _)| m == method),
            "METHOD_SCOPES lists {method}, which the code no longer calls"
        );
    }
    for (method, needs) in METHOD_SCOPES {
        for scope in *needs {
            assert!(scopes.iter().any(|s| s == scope), "{method} needs bot scope {scope}");
        }
    }
    assert!(
        at(&m, "oauth_config.scopes").get("user").is_none(),
        "a bot-only app asks for no user scopes"
    );
    // `check-slack` asks Slack for the same list (the socket manifest is held to this one).
    assert_eq!(
        scopes,
        trouble_bot::slack::check::BOT_SCOPES.to_vec(),
        "check-slack's BOT_SCOPES and the manifest's bot scopes"
    );
}

#[test]
fn every_bot_scope_is_needed() {
    let m = manifest();
    let needed = needed_scopes(&m);
    let called = called_methods();
    let has_commands = at(&m, "features.slash_commands")
        .as_array()
        .is_some_and(|c| !c.is_empty());
    let posts = called.iter().any(|(m, _)| m == "chat.postMessage");
    let scopes = strings_at(&m, "oauth_config.scopes.bot");
    for scope in &scopes {
        let why = match scope.as_str() {
            "commands" => has_commands,
            // The notice in the channel where a trouble was opened, which the bot may not be a member of.
            "chat:write.public" => posts,
            s => needed.contains(s),
        };
        assert!(
            why,
            "bot scope {scope} is not needed by any method called or event subscribed"
        );
    }
    assert!(
        !has_commands || scopes.iter().any(|s| s == "commands"),
        "slash commands need the commands scope"
    );
}

#[test]
fn every_bot_event_is_handled_and_has_its_scope() {
    let m = manifest();
    let events = strings_at(&m, "settings.event_subscriptions.bot_events");
    let scopes = strings_at(&m, "oauth_config.scopes.bot");
    let code: String = sources().into_iter().map(|(_, text)| text).collect();
    for event in &events {
        let scope = event_scope(event).unwrap_or_else(|| panic!("add {event} and its scope to EVENT_SCOPES"));
        for scope in scope {
            assert!(scopes.contains(&scope.to_string()), "{event} needs bot scope {scope}");
        }
        if event.starts_with("message.") {
            let (_, channel_type) = MESSAGE_STREAMS
                .iter()
                .find(|(e, _)| e == event)
                .unwrap_or_else(|| panic!("{event}: the bot only reads replies in its channels and DMs"));
            let reply = json!({"type": "message", "channel": "C1", "channel_type": channel_type, "user": "U1",
                "text": "on it", "ts": "1700000002.000200", "thread_ts": "1700000001.000100"});
            let handled = match *channel_type {
                "im" => dm_message(&reply, Some("UBOT")).is_some(),
                _ => thread_reply(&reply, Some("UBOT")).is_some(),
            };
            assert!(
                handled,
                "{event}: the code does not handle a thread reply in a {channel_type}"
            );
        } else {
            assert!(
                code.contains(&format!("\"{event}\"")),
                "{event} is subscribed but no code in src/ handles it"
            );
        }
    }
    for (event, _) in MESSAGE_STREAMS {
        assert!(
            events.iter().any(|e| e == event),
            "{event}: the replies the bot reads (in trouble channels, in its DMs) arrive as this event"
        );
    }
    for (event, _) in EVENT_SCOPES.iter().filter(|(e, _)| !e.starts_with("message.")) {
        assert!(
            !code.contains(&format!("\"{event}\"")) || events.iter().any(|e| e == event),
            "src/ handles {event}, so subscribe to it"
        );
    }
}

#[test]
fn the_manifest_respects_the_schema_keys_and_limits() {
    let m = manifest();
    assert_eq!(at(&m, "_metadata.major_version"), &json!(1));
    check_keys(&m, "");

    let name = str_at(&m, "display_information.name");
    assert!((1..=35).contains(&chars(name)), "name is 1-35 characters: {name}");
    let description = str_at(&m, "display_information.description");
    assert!(
        (1..=140).contains(&chars(description)),
        "description is at most 140 characters, not {}",
        chars(description)
    );
    let long = str_at(&m, "display_information.long_description");
    assert!(
        (175..=4000).contains(&chars(long)),
        "long_description is 175-4000 characters, not {}",
        chars(long)
    );
    let color = str_at(&m, "display_information.background_color");
    assert!(
        color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit()),
        "background_color is #rrggbb: {color}"
    );
    let bot_name = str_at(&m, "features.bot_user.display_name");
    assert!(
        (1..=80).contains(&chars(bot_name)),
        "bot display_name is 1-80 characters"
    );

    let commands = at(&m, "features.slash_commands").as_array().unwrap();
    assert!(commands.len() <= 5, "at most 5 slash commands");
    for c in commands {
        let command = str_at(c, "command");
        assert!(
            (2..=32).contains(&chars(command)) && command.starts_with('/') && !command.contains(char::is_whitespace),
            "a command is 2-32 characters starting with /: {command}"
        );
        assert!(
            (1..=2000).contains(&chars(str_at(c, "description"))),
            "{command}: description is 1-2000"
        );
        assert!(
            chars(str_at(c, "usage_hint")) <= 1000,
            "{command}: usage_hint is at most 1000"
        );
        assert!(chars(str_at(c, "url")) <= 3000, "{command}: url is at most 3000");
    }
    assert!(chars(str_at(&m, "settings.event_subscriptions.request_url")) <= 3500);
    assert!(strings_at(&m, "oauth_config.scopes.bot").len() <= 255);
    assert!(strings_at(&m, "settings.event_subscriptions.bot_events").len() <= 100);
}

#[test]
fn the_socket_manifest_is_the_same_app_without_request_urls() {
    let socket = socket_manifest();
    check_keys(&socket, "");
    assert_eq!(at(&socket, "settings.socket_mode_enabled"), &json!(true));
    assert_eq!(at(&socket, "settings.interactivity.is_enabled"), &json!(true));
    let text = read("manifest.socket.yml");
    assert!(!text.contains("url:"), "Socket Mode needs no request URL");
    // Everything else (scopes, events, the command, the texts) is manifest.yml's, so the checks above hold for it.
    let mut http = manifest();
    for command in http["features"]["slash_commands"].as_array_mut().unwrap() {
        command.as_object_mut().unwrap().remove("url");
    }
    for (object, key) in [("event_subscriptions", "request_url"), ("interactivity", "request_url")] {
        http["settings"][object].as_object_mut().unwrap().remove(key);
    }
    http["settings"]["socket_mode_enabled"] = json!(true);
    assert_eq!(
        socket, http,
        "manifest.socket.yml differs from manifest.yml beyond its request URLs"
    );
}

/// Fails on a key the schema does not allow, and on an object this test has no key list for.
fn check_keys(v: &Value, path: &str) {
    match v {
        Value::Object(map) => {
            let (_, known) = KNOWN_KEYS
                .iter()
                .find(|(p, _)| *p == path)
                .unwrap_or_else(|| panic!("`{path}`: add the schema's keys for it to KNOWN_KEYS"));
            for (key, value) in map {
                assert!(known.contains(&key.as_str()), "`{path}` cannot hold `{key}`");
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                check_keys(value, &child);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| check_keys(item, &format!("{path}[]"))),
        _ => {}
    }
}

#[test]
fn the_yaml_reader_reads_its_subset() {
    let text = concat!(
        "# comment\ntop:\n  a: 1\n  b: \"#x: y\" # trailing\n  c: 'it''s'\n  list:\n  - one\n  - two:three\n",
        "seq:\n  - k: v\n    n: true\n  - plain text\n",
        "fold: >-\n  first\n  line\n\n  second\nlit: |\n  x\n    y\nnone:\n",
    );
    assert_eq!(
        yaml::parse(text),
        json!({
            "top": {"a": 1, "b": "#x: y", "c": "it's", "list": ["one", "two:three"]},
            "seq": [{"k": "v", "n": true}, "plain text"],
            "fold": "first line\nsecond",
            "lit": "x\n  y\n",
            "none": null,
        })
    );
    for bad in [
        "a: [1, 2]\n",
        "a:\n\tb: 1\n",
        "a: 1\na: 2\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
    ] {
        assert!(
            std::panic::catch_unwind(|| yaml::parse(bad)).is_err(),
            "accepted {bad:?}"
        );
    }
}

/// A reader for the block YAML the manifest uses: maps, `- ` lists (of scalars or maps), plain, quoted and `|`/`>`
/// block scalars, comments. Anything else (flow collections, anchors, tags, tabs, duplicate keys) panics.
mod yaml {
    use serde_json::{Map, Value};

    struct Line {
        no: usize,
        indent: usize,
        text: String,
    }

    pub fn parse(src: &str) -> Value {
        let lines = src
            .lines()
            .enumerate()
            .map(|(i, raw)| {
                let text = raw.trim_start_matches(' ');
                assert!(!text.starts_with('\t'), "line {}: tab indentation", i + 1);
                Line {
                    no: i + 1,
                    indent: raw.len() - text.len(),
                    text: text.trim_end().to_string(),
                }
            })
            .collect();
        let mut p = Parser { lines, pos: 0 };
        let value = match p.peek_indent() {
            Some((indent, _)) => p.node(indent),
            None => Value::Null,
        };
        if let Some(l) = p.peek() {
            panic!("line {}: unexpected indentation", l.no);
        }
        value
    }

    struct Parser {
        lines: Vec<Line>,
        pos: usize,
    }

    fn is_item(text: &str) -> bool {
        text == "-" || text.starts_with("- ")
    }

    /// `key: rest` or `key:`; None when the line is not a mapping entry.
    fn split_key(text: &str) -> Option<(&str, &str)> {
        let colon = text
            .char_indices()
            .find(|&(i, c)| c == ':' && text[i + 1..].chars().next().is_none_or(|n| n == ' '))?
            .0;
        let key = &text[..colon];
        let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        plain.then(|| (key, text[colon + 1..].trim()))
    }

    impl Parser {
        /// The next line that is neither blank nor a comment.
        fn peek(&mut self) -> Option<&Line> {
            while self
                .lines
                .get(self.pos)
                .is_some_and(|l| l.text.is_empty() || l.text.starts_with('#'))
            {
                self.pos += 1;
            }
            self.lines.get(self.pos)
        }

        fn peek_indent(&mut self) -> Option<(usize, bool)> {
            self.peek().map(|l| (l.indent, is_item(&l.text)))
        }

        fn node(&mut self, indent: usize) -> Value {
            match self.peek_indent() {
                Some((_, true)) => self.seq(indent),
                Some(_) => self.map(indent),
                None => Value::Null,
            }
        }

        fn map(&mut self, indent: usize) -> Value {
            let mut map = Map::new();
            while let Some(line) = self.peek() {
                if line.indent < indent {
                    break;
                }
                let no = line.no;
                assert!(
                    line.indent == indent && !is_item(&line.text),
                    "line {no}: unexpected indentation"
                );
                let (key, rest) = split_key(&line.text).unwrap_or_else(|| panic!("line {no}: expected `key: value`"));
                let (key, rest) = (key.to_string(), rest.to_string());
                self.pos += 1;
                let value = if rest.is_empty() {
                    match self.peek_indent() {
                        Some((i, _)) if i > indent => self.node(i),
                        Some((i, true)) if i == indent => self.seq(indent),
                        _ => Value::Null,
                    }
                } else if rest.starts_with(['|', '>']) {
                    self.block_scalar(indent, &rest, no)
                } else {
                    scalar(&rest, no)
                };
                assert!(
                    map.insert(key.clone(), value).is_none(),
                    "line {no}: duplicate key {key}"
                );
            }
            Value::Object(map)
        }

        fn seq(&mut self, indent: usize) -> Value {
            let mut items = Vec::new();
            while let Some(line) = self.peek() {
                if line.indent < indent || (line.indent == indent && !is_item(&line.text)) {
                    break;
                }
                let no = line.no;
                assert!(line.indent == indent, "line {no}: unexpected indentation");
                let rest = line.text[1..].trim_start().to_string();
                let offset = line.indent + line.text.len() - rest.len();
                if rest.is_empty() {
                    self.pos += 1;
                    items.push(match self.peek_indent() {
                        Some((i, _)) if i > indent => self.node(i),
                        _ => Value::Null,
                    });
                } else if split_key(&rest).is_some() {
                    // `- key: v` opens a map whose keys line up with `key`.
                    self.lines[self.pos] = Line {
                        no,
                        indent: offset,
                        text: rest,
                    };
                    items.push(self.map(offset));
                } else {
                    self.pos += 1;
                    items.push(scalar(&rest, no));
                }
            }
            Value::Array(items)
        }

        /// `|` keeps line breaks, `>` folds them into spaces (a blank line is a break); `-` drops the final break.
        fn block_scalar(&mut self, indent: usize, header: &str, no: usize) -> Value {
            let (folded, strip) = match header {
                "|" => (false, false),
                "|-" => (false, true),
                ">" => (true, false),
                ">-" => (true, true),
                _ => panic!("line {no}: unsupported block scalar header {header}"),
            };
            let mut body: Vec<&Line> = Vec::new();
            while let Some(l) = self.lines.get(self.pos) {
                if !l.text.is_empty() && l.indent <= indent {
                    break;
                }
                body.push(l);
                self.pos += 1;
            }
            while body.last().is_some_and(|l| l.text.is_empty()) {
                body.pop();
            }
            if let Some(l) = body.first().filter(|l| l.text.is_empty()) {
                panic!("line {}: a block scalar starting with a blank line", l.no);
            }
            let base = body.first().map_or(0, |l| l.indent);
            let mut out = String::new();
            let mut breaks = 0;
            for (i, l) in body.iter().enumerate() {
                if l.text.is_empty() {
                    breaks += 1;
                    continue;
                }
                assert!(l.indent >= base, "line {}: less indented than the block", l.no);
                assert!(
                    !folded || l.indent == base,
                    "line {}: unsupported indentation in >",
                    l.no
                );
                if i > 0 {
                    out.push_str(&"\n".repeat(if folded { breaks } else { breaks + 1 }));
                    if folded && breaks == 0 {
                        out.push(' ');
                    }
                }
                breaks = 0;
                out.push_str(&" ".repeat(l.indent - base));
                out.push_str(&l.text);
            }
            if !strip && !out.is_empty() {
                out.push('\n');
            }
            Value::String(out)
        }
    }

    fn scalar(text: &str, no: usize) -> Value {
        let unquoted = |body: String, rest: &str| {
            let rest = rest.trim_start();
            assert!(
                rest.is_empty() || rest.starts_with('#'),
                "line {no}: text after a quoted string"
            );
            Value::String(body)
        };
        if let Some(inner) = text.strip_prefix('"') {
            let mut body = String::new();
            let mut chars = inner.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => return unquoted(body, &inner[i + 1..]),
                    '\\' => body.push(match chars.next().map(|(_, e)| e) {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some(e @ ('"' | '\\' | '/')) => e,
                        other => panic!("line {no}: unsupported escape {other:?}"),
                    }),
                    c => body.push(c),
                }
            }
            panic!("line {no}: unterminated string");
        }
        if let Some(inner) = text.strip_prefix('\'') {
            let mut body = String::new();
            let mut chars = inner.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                match (c, chars.peek()) {
                    ('\'', Some((_, '\''))) => {
                        body.push('\'');
                        chars.next();
                    }
                    ('\'', _) => return unquoted(body, &inner[i + 1..]),
                    (c, _) => body.push(c),
                }
            }
            panic!("line {no}: unterminated string");
        }
        assert!(
            !text.starts_with(['[', '{', '&', '*', '!', '%', '@', '`', '#', '|', '>', '?', ',']),
            "line {no}: unsupported YAML: {text}"
        );
        let plain = text.split(" #").next().unwrap_or_default().trim_end();
        assert!(!plain.contains(": "), "line {no}: quote a value that holds `: `");
        match plain {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" | "~" => Value::Null,
            _ => plain
                .parse::<i64>()
                .map_or_else(|_| Value::String(plain.to_string()), Value::from),
        }
    }
}

/// `/trouble status ID` and `/trouble ack ID` are promised in the DM with the bot, and Slack's
/// read-only Messages tab takes no slash commands: the tab stays writable in both manifests. The
/// bot reads `message.im` (an answer to its DM acknowledges), and the README says what a plain
/// message there gets.
#[test]
fn the_messages_tab_takes_slash_commands_and_the_readme_says_what_a_plain_message_there_gets() {
    for m in [manifest(), socket_manifest()] {
        let flag = |key: &str| {
            at(&m, &format!("features.app_home.{key}"))
                .to_string()
                .trim_matches('"')
                .to_string()
        };
        assert_eq!(flag("messages_tab_enabled"), "true");
        assert_eq!(flag("messages_tab_read_only_enabled"), "false");
        assert!(strings_at(&m, "settings.event_subscriptions.bot_events").contains(&"message.im".to_string()));
    }
    let readme = read("README.md").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("A plain message typed there (not a `/trouble` command) records nothing but acknowledging"),
        "README.md must say what a plain message in the DM with the bot gets"
    );
}
