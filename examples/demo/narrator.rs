//! The demo's narrator: every Web API call the fake Slack answers, told as the conversation people would see in Slack.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono_tz::Tz;
use fake_slack::{dm_or_channel, Call, FakeSlack, BOT_USER_ID};
use serde_json::Value;
use trouble_bot::i18n::Locale;
use trouble_bot::Clock;

/// Message bodies are indented under their `[MM/DD HH:MM] place · who` header by this much.
const INDENT: &str = "              ";

/// Where the story is written: stdout for the example, a buffer for the test.
pub type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// Display names for the ids the bot writes as `<@U…>` and `<!subteam^S…>`.
pub struct Cast {
    pub bot_name: String,
    pub users: BTreeMap<String, String>,
    pub groups: BTreeMap<String, String>,
}

/// Whether Slack took the call.
pub fn ok(call: &Call) -> bool {
    call.answer["ok"] == true
}

/// A chat.postMessage that was taken, with the channel (DMs resolved to D…) and ts Slack gave it.
pub fn posted(call: &Call) -> Option<Posted<'_>> {
    if call.method != "chat.postMessage" || !ok(call) {
        return None;
    }
    Some(Posted {
        channel: call.answer["channel"].as_str()?,
        ts: call.answer["ts"].as_str()?,
        thread_ts: call.params["thread_ts"].as_str(),
        text: call.params["text"].as_str().unwrap_or_default(),
        blocks: &call.params["blocks"],
    })
}

pub struct Posted<'a> {
    pub channel: &'a str,
    pub ts: &'a str,
    pub thread_ts: Option<&'a str>,
    pub text: &'a str,
    pub blocks: &'a Value,
}

impl Posted<'_> {
    /// Whether the message carries a button or block with this id (how the bot's messages are told apart).
    pub fn has(&self, id: &str) -> bool {
        self.blocks.as_array().into_iter().flatten().any(|b| {
            b["block_id"] == id
                || b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|e| e["action_id"] == id)
        })
    }
}

struct Channel {
    name: String,
    members: Vec<String>,
}

struct Message {
    channel: String,
    ts: String,
    text: String,
    blocks: Value,
    thread_ts: Option<String>,
}

/// What the narrator remembers of the conversation, to name places and show what an edit changed.
#[derive(Default)]
struct Story {
    channels: BTreeMap<String, Channel>,
    messages: Vec<Message>,
    pins: HashSet<(String, String)>,
    /// response_url names → (channel, user) of the command they answer.
    responses: BTreeMap<String, (String, String)>,
}

pub struct Narrator {
    story: Mutex<Story>,
    /// The demo's virtual clock: the times printed are the story's.
    clock: Clock,
    timezone: Tz,
    locale: Locale,
    cast: Cast,
    out: Sink,
}

impl Narrator {
    /// A narrator for a story on `clock`, told in `timezone`, written to `out`.
    pub fn new(locale: Locale, cast: Cast, clock: Clock, timezone: Tz, out: Sink) -> Arc<Narrator> {
        Arc::new(Narrator {
            story: Mutex::default(),
            clock,
            timezone,
            locale,
            cast,
            out,
        })
    }

    /// Makes `fake` tell the story: its ts follow the story's clock and every call it answers is narrated.
    pub fn listen_to(self: &Arc<Narrator>, fake: &FakeSlack) {
        // Slack names the cast as the story does (the report and the 8D show those names).
        for (id, name) in &self.cast.users {
            fake.name_user(id, name);
        }
        let clock = self.clock.clone();
        fake.use_clock(move || clock.now().into());
        let narrator = self.clone();
        fake.observe(move |call| narrator.hear(call));
    }

    /// A channel that exists before the story starts.
    pub fn knows_channel(&self, id: &str, name: &str, members: &[&str]) {
        let members = members.iter().map(|m| m.to_string()).collect();
        self.lock().channels.insert(
            id.to_string(),
            Channel {
                name: name.to_string(),
                members,
            },
        );
    }

    /// Remembers who typed the command a response_url named `name` answers.
    pub fn expect_response(&self, name: &str, channel: &str, user: &str) {
        self.lock()
            .responses
            .insert(name.to_string(), (channel.to_string(), user.to_string()));
    }

    pub fn channel_name(&self, id: &str) -> String {
        self.place_name(&self.lock(), id)
    }

    /// A person's message, already posted to the fake with this `ts`.
    pub fn user_posted(&self, channel: &str, user: &str, text: &str, ts: &str, thread_ts: Option<&str>) {
        let mut story = self.lock();
        story.messages.push(Message {
            channel: dm_or_channel(channel),
            ts: ts.to_string(),
            text: text.to_string(),
            blocks: Value::Null,
            thread_ts: thread_ts.map(str::to_string),
        });
        let place = self.thread_place(&story, channel, thread_ts);
        self.entry(&place, &self.cast.user(user), &[text.to_string()]);
    }

    /// A slash command as its author sees it (Slack shows it to nobody else).
    pub fn typed(&self, channel: &str, user: &str, text: &str) {
        let place = self.channel_name(channel);
        let who = format!("{} {}", self.cast.user(user), self.say("が入力", "types"));
        // Slack shows a mention typed in a command as the person's name.
        let mut shown = text.to_string();
        for id in self.cast.users.keys() {
            shown = shown.replace(&format!("<@{id}>"), &self.cast.user(id));
        }
        self.entry(&place, &who, &[shown]);
    }

    /// A button pressed on one of the bot's messages.
    pub fn pressed(&self, channel: &str, user: &str, label: &str) {
        let place = self.channel_name(channel);
        let who = format!("{} {}", self.cast.user(user), self.say("が押す", "presses"));
        self.entry(&place, &who, &[format!("[ {label} ]")]);
    }

    /// The answer to a command, which only its author sees.
    pub fn ephemeral(&self, channel: &str, user: &str, answer: &Value) {
        self.print_ephemeral(&self.lock(), channel, user, answer);
    }

    /// A line of the story between the messages.
    pub fn narrate(&self, text: &str) {
        (self.out)(&format!("\n▶ {text}\n"));
    }

    /// A note under a narration line.
    pub fn aside(&self, text: &str) {
        (self.out)(&format!("  {text}\n"));
    }

    /// One Web API call, as people in Slack would see it.
    fn hear(&self, call: &Call) {
        let mut story = self.lock();
        let p = &call.params;
        if call.answer["error"] == "unknown_method" {
            self.event(&format!("? {}", call.method));
        }
        if !ok(call) && call.method != "response_url" {
            return;
        }
        let s = |key: &str| p[key].as_str().unwrap_or_default();
        match call.method.as_str() {
            "conversations.create" => {
                let (Some(id), Some(name)) = (
                    call.answer["channel"]["id"].as_str(),
                    call.answer["channel"]["name"].as_str(),
                ) else {
                    return;
                };
                story.channels.insert(
                    id.to_string(),
                    Channel {
                        name: name.to_string(),
                        members: vec![BOT_USER_ID.to_string()],
                    },
                );
                let bot = &self.cast.bot_name;
                self.event(&self.say(
                    &format!("＋ {bot} が #{name} を作成"),
                    &format!("＋ {bot} created #{name}"),
                ));
            }
            "conversations.invite" => {
                let Some(channel) = story.channels.get_mut(s("channel")) else {
                    return;
                };
                let mut added = Vec::new();
                for user in s("users").split(',').map(str::trim).filter(|u| !u.is_empty()) {
                    if !channel.members.iter().any(|m| m == user) {
                        channel.members.push(user.into());
                        added.push(self.cast.user(user));
                    }
                }
                if added.is_empty() {
                    return;
                }
                let (name, added) = (&channel.name, added.join(", "));
                self.event(&self.say(
                    &format!("＋ #{name} に {added} を招待"),
                    &format!("＋ {added} invited to #{name}"),
                ));
            }
            "chat.postMessage" => {
                let Some(post) = posted(call) else {
                    return;
                };
                let body = layout(&self.pieces(&story, post.text, post.blocks));
                let place = self.thread_place(&story, post.channel, post.thread_ts);
                self.entry(&place, &self.cast.bot_name, &body);
                story.messages.push(Message {
                    channel: post.channel.to_string(),
                    ts: post.ts.to_string(),
                    text: post.text.to_string(),
                    blocks: post.blocks.clone(),
                    thread_ts: post.thread_ts.map(str::to_string),
                });
            }
            "chat.update" => self.edited(&mut story, p),
            "chat.postEphemeral" => self.print_ephemeral(&story, &dm_or_channel(s("channel")), s("user"), p),
            "response_url" => {
                let (channel, user) = story.responses.get(s("_path")).cloned().unwrap_or_default();
                self.print_ephemeral(&story, &channel, &user, p);
            }
            "pins.add" => {
                let channel = dm_or_channel(s("channel"));
                let ts = s("timestamp").to_string();
                let Some(m) = story.messages.iter().find(|m| m.channel == channel && m.ts == ts) else {
                    return;
                };
                let first = layout(&self.pieces(&story, &m.text, &m.blocks))
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                if !story.pins.insert((channel.clone(), ts)) {
                    return;
                }
                let place = self.place_name(&story, &channel);
                self.event(&self.say(
                    &format!("📌 {place} にピン留め: 「{first}」"),
                    &format!("📌 pinned in {place}: \"{first}\""),
                ));
            }
            "views.open" => {
                let title = p["view"]["title"]["text"].as_str().unwrap_or_default();
                self.event(&self.say(
                    &format!("🪟 フォーム「{title}」が開きました"),
                    &format!("🪟 a form opened: \"{title}\""),
                ));
            }
            "views.publish" => {
                let user = self.cast.user(s("user_id"));
                self.event(&self.say(
                    &format!("🏠 {user} のホームタブを更新"),
                    &format!("🏠 {user}'s App Home refreshed"),
                ));
            }
            _ => {}
        }
    }

    /// Prints an edit as the lines that changed, so each refresh of a long message stays one glance.
    fn edited(&self, story: &mut Story, p: &Value) {
        let channel = dm_or_channel(p["channel"].as_str().unwrap_or_default());
        let ts = p["ts"].as_str().unwrap_or_default();
        let Some(index) = story.messages.iter().position(|m| m.channel == channel && m.ts == ts) else {
            return;
        };
        let before = self.pieces(story, &story.messages[index].text, &story.messages[index].blocks);
        let text = p["text"].as_str().unwrap_or_default().to_string();
        let blocks = p["blocks"].clone();
        let after = self.pieces(story, &text, &blocks);
        let changed: Vec<Piece> = after.iter().filter(|piece| !before.contains(piece)).cloned().collect();
        let mut body = layout(&changed);
        if body.is_empty() {
            body.push(self.say("（見た目の変化なし）", "(no visible change)"));
        }
        let place = self.thread_place(story, &channel, story.messages[index].thread_ts.as_deref());
        // Two pinned messages get edited in one channel: name the one this is.
        let several = story.messages.iter().filter(|m| m.channel == channel).count() > 1;
        let which = layout(&before)
            .into_iter()
            .next()
            .filter(|_| several)
            .map(|l| shorten(&l, 32));
        let bot = &self.cast.bot_name;
        let who = match which {
            Some(which) => format!(
                "{bot} {}",
                self.say(&format!("（編集済み:「{which}」）"), &format!("(edited: \"{which}\")"))
            ),
            None => format!("{bot} {}", self.say("（編集済み）", "(edited)")),
        };
        self.entry(&place, &who, &body);
        let m = &mut story.messages[index];
        m.text = text;
        m.blocks = blocks;
    }

    fn print_ephemeral(&self, story: &Story, channel: &str, user: &str, answer: &Value) {
        let text = answer["text"].as_str().unwrap_or_default();
        let body = layout(&self.pieces(story, text, &answer["blocks"]));
        if body.is_empty() {
            return;
        }
        let place = self.place_name(story, channel);
        let user = self.cast.user(user);
        let who = format!(
            "{} {}",
            self.cast.bot_name,
            self.say(
                &format!("（{user} だけに表示されています）"),
                &format!("(only {user} can see this)"),
            )
        );
        self.entry(&place, &who, &body);
    }

    fn lock(&self) -> MutexGuard<'_, Story> {
        self.story.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The virtual time, as the people in the story read it on their watches.
    fn stamp(&self) -> String {
        format!(
            "[{}]",
            self.clock.now().with_timezone(&self.timezone).format("%m/%d %H:%M")
        )
    }

    /// Prints `[MM/DD HH:MM] place · who` and the body lines under it, in one write.
    fn entry(&self, place: &str, who: &str, body: &[String]) {
        let mut out = format!("{} {place} · {who}\n", self.stamp());
        for line in body {
            out.push_str(INDENT);
            out.push_str(line);
            out.push('\n');
        }
        (self.out)(&out);
    }

    /// A one-line happening (channel created, people invited, a pin).
    fn event(&self, text: &str) {
        (self.out)(&format!("{} {text}\n", self.stamp()));
    }

    fn say(&self, ja: &str, en: &str) -> String {
        match self.locale {
            Locale::Ja => ja.to_string(),
            Locale::En => en.to_string(),
        }
    }

    /// `#name` for a channel, `DM @name` for a direct message.
    fn place_name(&self, story: &Story, id: &str) -> String {
        if let Some(c) = story.channels.get(id) {
            return format!("#{}", c.name);
        }
        match id.strip_prefix('D') {
            Some(user) => format!("DM {}", self.cast.user(user)),
            None => id.to_string(),
        }
    }

    fn thread_place(&self, story: &Story, channel: &str, thread_ts: Option<&str>) -> String {
        let place = self.place_name(story, channel);
        match thread_ts {
            Some(_) => format!("{place} ↳ {}", self.say("スレッド", "thread")),
            None => place,
        }
    }

    /// What a person sees of a message: the blocks' texts (or the fallback text), mrkdwn made plain.
    fn pieces(&self, story: &Story, text: &str, blocks: &Value) -> Vec<Piece> {
        let plain = |t: &str| self.mrkdwn_to_plain(story, t);
        let lines = |t: &str| plain(t).lines().map(|l| Piece::Line(l.to_string())).collect::<Vec<_>>();
        let Some(blocks) = blocks.as_array().filter(|b| !b.is_empty()) else {
            return lines(text);
        };
        let mut out = Vec::new();
        for b in blocks {
            match b["type"].as_str().unwrap_or_default() {
                "header" => out.extend(lines(b["text"]["text"].as_str().unwrap_or_default())),
                "section" => {
                    if let Some(t) = b["text"]["text"].as_str() {
                        out.extend(lines(t));
                    }
                    for f in b["fields"].as_array().into_iter().flatten() {
                        let f = plain(f["text"].as_str().unwrap_or_default());
                        // Fields are written "*Label*\nvalue": shown as "Label: value".
                        let f = match f.split_once('\n') {
                            Some((label, value)) => format!("{label}: {}", value.replace('\n', " ")),
                            None => f,
                        };
                        out.push(Piece::Field(f));
                    }
                }
                "context" => {
                    for e in b["elements"].as_array().into_iter().flatten() {
                        if let Some(t) = e["text"].as_str() {
                            out.extend(lines(t));
                        }
                    }
                }
                "actions" => {
                    let buttons: Vec<String> = b["elements"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e["text"]["text"].as_str())
                        .map(|t| format!("[ {t} ]"))
                        .collect();
                    if !buttons.is_empty() {
                        out.push(Piece::Line(buttons.join(" ")));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Mentions become names, links their labels, `*bold*` loses its stars, entities are unescaped.
    fn mrkdwn_to_plain(&self, story: &Story, text: &str) -> String {
        let cast = &self.cast;
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('>') else {
                break;
            };
            let inner = &rest[start + 1..start + len];
            let (target, label) = match inner.split_once('|') {
                Some((t, l)) => (t, Some(l)),
                None => (inner, None),
            };
            let shown = if let Some(user) = target.strip_prefix('@') {
                match cast.users.get(user) {
                    Some(_) => cast.user(user),
                    None => format!("@{}", label.unwrap_or(user)),
                }
            } else if let Some(channel) = target.strip_prefix('#') {
                match label {
                    Some(l) => format!("#{l}"),
                    None => self.place_name(story, channel),
                }
            } else if let Some(group) = target.strip_prefix("!subteam^") {
                cast.groups
                    .get(group)
                    .cloned()
                    .unwrap_or_else(|| format!("@{}", label.unwrap_or(group)))
            } else if let Some(special) = target.strip_prefix('!') {
                format!("@{}", label.unwrap_or(special))
            } else {
                label.unwrap_or(target).to_string()
            };
            out.push_str(&shown);
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        let out = out.lines().map(strip_bold).collect::<Vec<_>>().join("\n");
        out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    }
}

impl Cast {
    fn user(&self, id: &str) -> String {
        if id == BOT_USER_ID {
            return self.bot_name.clone();
        }
        format!("@{}", self.users.get(id).map(String::as_str).unwrap_or(id))
    }
}

/// A line of a rendered message; fields are kept apart so an edit can show just the one that changed.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Line(String),
    Field(String),
}

/// Consecutive fields share one line, joined with " · ".
fn layout(pieces: &[Piece]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_fields = false;
    for piece in pieces {
        match piece {
            Piece::Line(l) => {
                out.push(l.clone());
                in_fields = false;
            }
            Piece::Field(f) => {
                match out.last_mut().filter(|_| in_fields) {
                    Some(last) => {
                        last.push_str(" · ");
                        last.push_str(f);
                    }
                    None => out.push(f.clone()),
                }
                in_fields = true;
            }
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `*word*` → `word`, leaving lone stars (e.g. `5 * 3`) alone.
fn strip_bold(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut drop = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let opens = chars[i] == '*' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace() && *c != '*');
        if opens {
            let close = (i + 2..chars.len()).find(|&j| chars[j] == '*' && !chars[j - 1].is_whitespace());
            if let Some(j) = close {
                drop[i] = true;
                drop[j] = true;
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    chars.iter().zip(drop).filter(|(_, d)| !d).map(|(c, _)| c).collect()
}
