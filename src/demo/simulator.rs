//! The demo's Slack: a small Web API on 127.0.0.1 that keeps a world and prints it as a conversation.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::i18n::Locale;

pub const BOT_USER: &str = "UBOT";
const BOT_ID: &str = "BBOT";
pub const TEAM: &str = "T0DEMO";
/// Message bodies are indented under their `[mm:ss.d] place · who` header by this much.
const INDENT: &str = "          ";

/// Display names for the ids the bot writes as `<@U…>` and `<!subteam^S…>`.
pub struct Cast {
    pub bot_name: String,
    pub users: BTreeMap<String, String>,
    pub groups: BTreeMap<String, String>,
}

/// One Web API call the bot made, with what the simulator answered.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub params: Value,
    pub answer: Value,
}

impl Call {
    pub fn ok(&self) -> bool {
        self.answer["ok"] == true
    }

    /// A chat.postMessage that was taken, with the channel (DMs resolved to D…) and ts Slack gave it.
    pub fn post(&self) -> Option<Posted<'_>> {
        if self.method != "chat.postMessage" || !self.ok() {
            return None;
        }
        Some(Posted {
            channel: self.answer["channel"].as_str()?,
            ts: self.answer["ts"].as_str()?,
            thread_ts: self.params["thread_ts"].as_str(),
            blocks: &self.params["blocks"],
        })
    }
}

pub struct Posted<'a> {
    pub channel: &'a str,
    pub ts: &'a str,
    pub thread_ts: Option<&'a str>,
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
    id: String,
    name: String,
    members: Vec<String>,
}

struct Message {
    channel: String,
    ts: String,
    text: String,
    blocks: Value,
    thread_ts: Option<String>,
    metadata: Value,
    user: String,
}

#[derive(Default)]
struct World {
    calls: Vec<Call>,
    channels: Vec<Channel>,
    messages: Vec<Message>,
    pins: HashSet<(String, String)>,
    /// response_url names → (channel, user) of the command they answer.
    responses: BTreeMap<String, (String, String)>,
    last_ts_micros: i64,
}

struct Shared {
    world: Mutex<World>,
    /// Woken after every call, so the script waits for what it expects instead of sleeping.
    notify: Notify,
    started: Instant,
    locale: Locale,
    cast: Cast,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Simulator {
    /// Starts the simulator with some existing channels: (id, name, members).
    pub async fn start(locale: Locale, cast: Cast, channels: &[(&str, &str, &[&str])]) -> std::io::Result<Simulator> {
        let world = World {
            channels: channels
                .iter()
                .map(|(id, name, members)| Channel {
                    id: id.to_string(),
                    name: name.to_string(),
                    members: members.iter().map(|m| m.to_string()).collect(),
                })
                .collect(),
            ..World::default()
        };
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            notify: Notify::new(),
            started: Instant::now(),
            locale,
            cast,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let router = Router::new()
            .route("/api/{method}", post(api))
            .route("/response/{name}", post(response_url))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Simulator { shared, addr, server })
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    /// A fresh response_url for a command typed by `user` in `channel`.
    pub fn response_url(&self, channel: &str, user: &str) -> String {
        let mut w = self.shared.lock();
        let name = format!("r{}", w.responses.len() + 1);
        w.responses.insert(name.clone(), (channel.into(), user.into()));
        format!("http://{}/response/{name}", self.addr)
    }

    /// How many calls were made so far: waits look only at calls after a mark.
    pub fn mark(&self) -> usize {
        self.shared.lock().calls.len()
    }

    /// Waits until `check` finds what it looks for in the calls made since `since`.
    pub async fn wait_for<T>(
        &self,
        since: usize,
        timeout: Duration,
        mut check: impl FnMut(&[Call]) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so a call arriving in between still wakes us.
            let notified = self.shared.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let w = self.shared.lock();
                if let Some(found) = check(w.calls.get(since..).unwrap_or_default()) {
                    return Some(found);
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    pub fn channel_name(&self, id: &str) -> String {
        place_name(&self.shared.lock(), &self.shared.cast, id)
    }

    /// A person writes in a channel or thread (the script then tells the bot with an event).
    pub fn user_posts(&self, channel: &str, user: &str, text: &str, thread_ts: Option<&str>) -> String {
        let mut w = self.shared.lock();
        let ts = next_ts(&mut w);
        w.messages.push(Message {
            channel: channel.into(),
            ts: ts.clone(),
            text: text.into(),
            blocks: Value::Null,
            thread_ts: thread_ts.map(str::to_string),
            metadata: Value::Null,
            user: user.into(),
        });
        let place = thread_place(&self.shared, &w, channel, thread_ts);
        let who = self.shared.cast.user(user);
        self.shared.entry(&place, &who, &[text.to_string()]);
        ts
    }

    /// A slash command as its author sees it (Slack shows it to nobody else).
    pub fn typed(&self, channel: &str, user: &str, text: &str) {
        let place = self.channel_name(channel);
        let who = format!(
            "{} {}",
            self.shared.cast.user(user),
            match self.shared.locale {
                Locale::Ja => "が入力",
                Locale::En => "types",
            }
        );
        self.shared.entry(&place, &who, &[text.to_string()]);
    }

    /// The answer to a command, which only its author sees.
    pub fn ephemeral(&self, channel: &str, user: &str, answer: &Value) {
        let w = self.shared.lock();
        print_ephemeral(&self.shared, &w, channel, user, answer);
    }

    /// A line of the story between the messages.
    pub fn narrate(&self, text: &str) {
        emit(&format!("\n▶ {text}\n"));
    }

    /// A note under a narration line.
    pub fn aside(&self, text: &str) {
        emit(&format!("  {text}\n"));
    }

    pub fn elapsed(&self) -> Duration {
        self.shared.started.elapsed()
    }
}

impl Cast {
    fn user(&self, id: &str) -> String {
        if id == BOT_USER {
            return self.bot_name.clone();
        }
        format!("@{}", self.users.get(id).map(String::as_str).unwrap_or(id))
    }
}

impl Shared {
    fn stamp(&self) -> String {
        let t = self.started.elapsed();
        format!(
            "[{:02}:{:02}.{}]",
            t.as_secs() / 60,
            t.as_secs() % 60,
            t.subsec_millis() / 100
        )
    }

    /// Prints `[mm:ss.d] place · who` and the body lines under it, in one write.
    fn entry(&self, place: &str, who: &str, body: &[String]) {
        let mut out = format!("{} {place} · {who}\n", self.stamp());
        for line in body {
            out.push_str(INDENT);
            out.push_str(line);
            out.push('\n');
        }
        emit(&out);
    }

    /// A one-line happening (channel created, people invited, a pin).
    fn event(&self, text: &str) {
        emit(&format!("{} {text}\n", self.stamp()));
    }

    fn say(&self, ja: &str, en: &str) -> String {
        match self.locale {
            Locale::Ja => ja.to_string(),
            Locale::En => en.to_string(),
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`trouble-bot demo | head` must not panic).
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

async fn api(State(shared): State<Arc<Shared>>, Path(method): Path<String>, body: Bytes) -> Json<Value> {
    let params = parse_body(&body);
    let answer = {
        let mut w = shared.lock();
        let answer = answer(&shared, &mut w, &method, &params);
        w.calls.push(Call {
            method,
            params,
            answer: answer.clone(),
        });
        answer
    };
    shared.notify.notify_waiters();
    Json(answer)
}

async fn response_url(State(shared): State<Arc<Shared>>, Path(name): Path<String>, body: Bytes) -> &'static str {
    let params = parse_body(&body);
    {
        let w = shared.lock();
        let (channel, user) = w.responses.get(&name).cloned().unwrap_or_default();
        print_ephemeral(&shared, &w, &channel, &user, &params);
    }
    shared.notify.notify_waiters();
    "ok"
}

/// The bot sends JSON; forms are accepted too, as Slack does.
fn parse_body(body: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return v;
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

fn err(error: &str) -> Value {
    json!({"ok": false, "error": error})
}

fn s<'a>(p: &'a Value, key: &str) -> &'a str {
    p[key].as_str().unwrap_or_default()
}

/// Like Slack, a user id as a channel means that user's DM.
fn dm_or_channel(channel: &str) -> String {
    if channel.starts_with('U') || channel.starts_with('W') {
        format!("D{channel}")
    } else {
        channel.to_string()
    }
}

/// Unique, increasing, Slack-shaped ts from the wall clock.
fn next_ts(w: &mut World) -> String {
    let now = crate::Clock::System.now().timestamp_micros();
    let micros = now.max(w.last_ts_micros + 1);
    w.last_ts_micros = micros;
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

fn answer(shared: &Shared, w: &mut World, method: &str, p: &Value) -> Value {
    let cast = &shared.cast;
    match method {
        "auth.test" => {
            json!({"ok": true, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": cast.bot_name})
        }
        "conversations.create" => {
            let name = s(p, "name").to_string();
            if w.channels.iter().any(|c| c.name == name) {
                return err("name_taken");
            }
            let id = format!("C0T{:04}", w.channels.len() + 1);
            w.channels.push(Channel {
                id: id.clone(),
                name: name.clone(),
                members: vec![BOT_USER.into()],
            });
            shared.event(&shared.say(
                &format!("＋ {} が #{name} を作成", cast.bot_name),
                &format!("＋ {} created #{name}", cast.bot_name),
            ));
            json!({"ok": true, "channel": {"id": id, "name": name, "is_channel": true, "creator": BOT_USER, "is_member": true}})
        }
        "conversations.invite" => {
            let id = s(p, "channel");
            let Some(channel) = w.channels.iter_mut().find(|c| c.id == id) else {
                return err("channel_not_found");
            };
            let mut added = Vec::new();
            for user in s(p, "users").split(',').map(str::trim).filter(|u| !u.is_empty()) {
                if !channel.members.iter().any(|m| m == user) {
                    channel.members.push(user.into());
                    added.push(cast.user(user));
                }
            }
            if added.is_empty() {
                return err("already_in_channel");
            }
            let name = channel.name.clone();
            shared.event(&shared.say(
                &format!("＋ #{name} に {} を招待", added.join(", ")),
                &format!("＋ {} invited to #{name}", added.join(", ")),
            ));
            json!({"ok": true, "channel": {"id": id, "name": name}})
        }
        "conversations.open" => {
            let users = s(p, "users");
            if users.is_empty() {
                return json!({"ok": true, "channel": {"id": s(p, "channel")}});
            }
            json!({"ok": true, "channel": {"id": dm_or_channel(users)}})
        }
        "conversations.info" => {
            let id = s(p, "channel");
            match w.channels.iter().find(|c| c.id == id) {
                Some(c) => {
                    json!({"ok": true, "channel": {"id": c.id, "name": c.name, "is_member": c.members.iter().any(|m| m == BOT_USER)}})
                }
                None if id.starts_with('D') => {
                    json!({"ok": true, "channel": {"id": id, "is_im": true, "user": &id[1..]}})
                }
                None => err("channel_not_found"),
            }
        }
        "conversations.list" => {
            let channels: Vec<Value> = w
                .channels
                .iter()
                .map(|c| json!({"id": c.id, "name": c.name, "creator": BOT_USER, "is_member": c.members.iter().any(|m| m == BOT_USER)}))
                .collect();
            json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": ""}})
        }
        "conversations.history" | "conversations.replies" => {
            let channel = dm_or_channel(s(p, "channel"));
            let thread = (method == "conversations.replies").then(|| s(p, "ts"));
            let messages: Vec<Value> = w
                .messages
                .iter()
                .filter(|m| m.channel == channel)
                .filter(|m| match thread {
                    Some(ts) => m.ts == ts || m.thread_ts.as_deref() == Some(ts),
                    None => m.thread_ts.is_none() || m.thread_ts.as_deref() == Some(m.ts.as_str()),
                })
                .map(|m| json!({"type": "message", "user": m.user, "text": m.text, "ts": m.ts, "thread_ts": m.thread_ts, "metadata": m.metadata}))
                .collect();
            json!({"ok": true, "messages": messages, "has_more": false, "response_metadata": {"next_cursor": ""}})
        }
        "chat.postMessage" => post_message(shared, w, p),
        "chat.update" => update_message(shared, w, p),
        "chat.postEphemeral" => {
            let channel = dm_or_channel(s(p, "channel"));
            print_ephemeral(shared, w, &channel, s(p, "user"), p);
            json!({"ok": true, "message_ts": next_ts(w)})
        }
        "pins.add" => {
            let channel = dm_or_channel(s(p, "channel"));
            let ts = s(p, "timestamp").to_string();
            let Some(m) = w.messages.iter().find(|m| m.channel == channel && m.ts == ts) else {
                return err("message_not_found");
            };
            let first = layout(&pieces(&m.text, &m.blocks, w, cast))
                .into_iter()
                .next()
                .unwrap_or_default();
            if !w.pins.insert((channel.clone(), ts)) {
                return err("already_pinned");
            }
            let place = place_name(w, cast, &channel);
            shared.event(&shared.say(
                &format!("📌 {place} にピン留め: 「{first}」"),
                &format!("📌 pinned in {place}: \"{first}\""),
            ));
            json!({"ok": true})
        }
        "views.open" => {
            let title = p["view"]["title"]["text"].as_str().unwrap_or_default();
            shared.event(&shared.say(
                &format!("🪟 フォーム「{title}」が開きました"),
                &format!("🪟 a form opened: \"{title}\""),
            ));
            json!({"ok": true, "view": {"id": "V0DEMO", "team_id": TEAM}})
        }
        "views.publish" => {
            let user = cast.user(s(p, "user_id"));
            shared.event(&shared.say(
                &format!("🏠 {user} のホームタブを更新"),
                &format!("🏠 {user}'s App Home refreshed"),
            ));
            json!({"ok": true, "view": {"id": "V0HOME", "team_id": TEAM}})
        }
        _ => {
            shared.event(&format!("? {method}"));
            err("unknown_method")
        }
    }
}

fn post_message(shared: &Shared, w: &mut World, p: &Value) -> Value {
    let raw = s(p, "channel");
    let channel = dm_or_channel(raw);
    if !channel.starts_with('D') {
        match w.channels.iter().find(|c| c.id == channel) {
            None => return err("channel_not_found"),
            Some(c) if !c.members.iter().any(|m| m == BOT_USER) => return err("not_in_channel"),
            Some(_) => {}
        }
    }
    let thread_ts = p["thread_ts"].as_str().map(str::to_string);
    let ts = next_ts(w);
    let message = Message {
        channel: channel.clone(),
        ts: ts.clone(),
        text: s(p, "text").to_string(),
        blocks: p["blocks"].clone(),
        thread_ts: thread_ts.clone(),
        metadata: p["metadata"].clone(),
        user: BOT_USER.into(),
    };
    let body = layout(&pieces(&message.text, &message.blocks, w, &shared.cast));
    let place = thread_place(shared, w, &channel, thread_ts.as_deref());
    shared.entry(&place, &shared.cast.bot_name, &body);
    w.messages.push(message);
    json!({"ok": true, "channel": channel, "ts": ts, "message": {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": s(p, "text"), "ts": ts}})
}

/// Prints an edit as the lines that changed, so each refresh of a long message stays one glance.
fn update_message(shared: &Shared, w: &mut World, p: &Value) -> Value {
    let channel = dm_or_channel(s(p, "channel"));
    let ts = s(p, "ts").to_string();
    let cast = &shared.cast;
    let Some(index) = w.messages.iter().position(|m| m.channel == channel && m.ts == ts) else {
        return err("message_not_found");
    };
    let before = pieces(&w.messages[index].text, &w.messages[index].blocks, w, cast);
    let text = s(p, "text").to_string();
    let blocks = p["blocks"].clone();
    let after = pieces(&text, &blocks, w, cast);
    let changed: Vec<Piece> = after.iter().filter(|piece| !before.contains(piece)).cloned().collect();
    let mut body = layout(&changed);
    if body.is_empty() {
        body.push(shared.say("（見た目の変化なし）", "(no visible change)"));
    }
    let place = thread_place(shared, w, &channel, w.messages[index].thread_ts.as_deref());
    // Two pinned messages get edited in one channel: name the one this is.
    let several = w.messages.iter().filter(|m| m.channel == channel).count() > 1;
    let which = layout(&before)
        .into_iter()
        .next()
        .filter(|_| several)
        .map(|l| shorten(&l, 32));
    let who = match which {
        Some(which) => format!(
            "{} {}",
            cast.bot_name,
            shared.say(&format!("（編集済み:「{which}」）"), &format!("(edited: \"{which}\")"))
        ),
        None => format!("{} {}", cast.bot_name, shared.say("（編集済み）", "(edited)")),
    };
    shared.entry(&place, &who, &body);
    let m = &mut w.messages[index];
    m.text = text.clone();
    m.blocks = blocks;
    json!({"ok": true, "channel": channel, "ts": ts, "text": text})
}

fn print_ephemeral(shared: &Shared, w: &World, channel: &str, user: &str, answer: &Value) {
    let text = answer["text"].as_str().unwrap_or_default();
    let body = layout(&pieces(text, &answer["blocks"], w, &shared.cast));
    if body.is_empty() {
        return;
    }
    let place = place_name(w, &shared.cast, channel);
    let who = format!(
        "{} {}",
        shared.cast.bot_name,
        shared.say(
            &format!("（{} だけに表示されています）", shared.cast.user(user)),
            &format!("(only {} can see this)", shared.cast.user(user)),
        )
    );
    shared.entry(&place, &who, &body);
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `#name` for a channel, `DM @name` for a direct message.
fn place_name(w: &World, cast: &Cast, id: &str) -> String {
    if let Some(c) = w.channels.iter().find(|c| c.id == id) {
        return format!("#{}", c.name);
    }
    match id.strip_prefix('D') {
        Some(user) => format!("DM {}", cast.user(user)),
        None => id.to_string(),
    }
}

fn thread_place(shared: &Shared, w: &World, channel: &str, thread_ts: Option<&str>) -> String {
    let place = place_name(w, &shared.cast, channel);
    match thread_ts {
        Some(_) => format!("{place} ↳ {}", shared.say("スレッド", "thread")),
        None => place,
    }
}

/// A line of a rendered message; fields are kept apart so an edit can show just the one that changed.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Line(String),
    Field(String),
}

/// What a person sees of a message: the blocks' texts (or the fallback text), mrkdwn made plain.
fn pieces(text: &str, blocks: &Value, w: &World, cast: &Cast) -> Vec<Piece> {
    let plain = |t: &str| mrkdwn_to_plain(t, w, cast);
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

/// Mentions become names, links their labels, `*bold*` loses its stars, entities are unescaped.
fn mrkdwn_to_plain(text: &str, w: &World, cast: &Cast) -> String {
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
                None => place_name(w, cast, channel),
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
