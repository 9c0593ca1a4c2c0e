//! A fake Slack Web API (and response_url endpoint): a real axum server on 127.0.0.1 that records calls and keeps a small world.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::Router;
use serde_json::{json, Map, Value};

/// How long `wait_for*` waits before giving up: generous, because CI machines are slow.
const WAIT_LIMIT: Duration = Duration::from_secs(10);
pub const BOT_USER_ID: &str = "UBOT";
pub const BOT_ID: &str = "BBOT";
pub const TEAM_ID: &str = "T0TEAM";
/// conversations.invite limit per current Slack docs (older docs say 1000; the bot must cap at 100).
const MAX_INVITE: usize = 100;

/// One request the fake received. `seq` is its 0-based position in `FakeSlack::calls()`.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub params: Value,
    pub at: Instant,
    pub seq: u64,
}

#[derive(Clone, Debug)]
pub struct FakeChannel {
    pub id: String,
    pub name: String,
    pub is_private: bool,
}

/// Handle to a running fake. Clones share the same server and state; the server stops when the last clone drops.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _server: Arc<ServerGuard>,
}

struct ServerGuard(tokio::task::JoinHandle<()>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Shared {
    world: Mutex<World>,
    /// Woken after every recorded call and every world change, so waiters never sleep-poll.
    notify: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, World> {
        // A panicking test thread must not turn every later assertion into a PoisonError.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone, Debug)]
enum Fault {
    Slack(String),
    Http(u16),
}

struct StoredMessage {
    channel: String,
    ts: String,
    /// Latest version: the posted params (blocks/metadata parsed to JSON) plus "ts" and the resolved "channel".
    current: Value,
    /// Earlier versions, oldest first, one per chat.update.
    edits: Vec<Value>,
}

#[derive(Default)]
struct World {
    calls: Vec<Call>,
    delays: HashMap<String, Duration>,
    faults: HashMap<String, VecDeque<Fault>>,
    taken_names: HashSet<String>,
    not_in_channel: HashSet<String>,
    channels: Vec<FakeChannel>,
    members: HashMap<String, Vec<String>>,
    messages: Vec<StoredMessage>,
    pins: HashMap<String, Vec<String>>,
    usergroups: HashMap<String, Vec<String>>,
    channel_counter: u64,
    ts_counter: u64,
    view_counter: u64,
}

enum Reply {
    Json(StatusCode, Value),
    RateLimited,
    Text(&'static str),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(status, body) => (status, axum::Json(body)).into_response(),
            Reply::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                axum::Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response(),
            Reply::Text(text) => (StatusCode::OK, text).into_response(),
        }
    }
}

impl Fault {
    fn reply(&self) -> Reply {
        match self {
            Fault::Slack(error) => Reply::Json(StatusCode::OK, err(error)),
            Fault::Http(429) => Reply::RateLimited,
            Fault::Http(status) => Reply::Json(
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                err("internal_error"),
            ),
        }
    }
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let shared = Arc::new(Shared {
            world: Mutex::new(World::default()),
            notify: tokio::sync::Notify::new(),
        });
        let app = Router::new()
            // `any`, not just POST: users.info / chat.getPermalink are GET-style in Slack's docs.
            .route("/api/{method}", any(api_handler))
            .route("/response/{name}", post(response_url_handler))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake slack: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake slack: local_addr");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake slack: serve");
        });
        FakeSlack {
            shared,
            addr,
            _server: Arc::new(ServerGuard(server)),
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    pub fn response_url(&self, name: &str) -> String {
        format!("http://{}/response/{}", self.addr, name)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.matching(method, &|_: &Call| true)
    }

    /// First call to `method` satisfying `pred` (already recorded or arriving within 10 s).
    pub async fn wait_for(&self, method: &str, pred: impl Fn(&Call) -> bool) -> Call {
        self.wait_for_n(method, 1, pred).await.swap_remove(0)
    }

    /// All matching calls, once there are at least `n` of them (waits up to 10 s).
    pub async fn wait_for_n(&self, method: &str, n: usize, pred: impl Fn(&Call) -> bool) -> Vec<Call> {
        let deadline = Instant::now() + WAIT_LIMIT;
        let mut timed_out = false;
        loop {
            // Created before the check: notify_waiters() reaches futures from the moment they exist,
            // so a call recorded between the check and the await is not lost.
            let notified = self.shared.notify.notified();
            let found = self.matching(method, &pred);
            if found.len() >= n {
                return found;
            }
            if timed_out {
                panic!(
                    "fake slack: timed out after {WAIT_LIMIT:?} waiting for {n} `{method}` call(s) \
                     matching the predicate ({} matched).\n{}",
                    found.len(),
                    self.describe_calls(method)
                );
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(remaining, notified).await.is_err() {
                timed_out = true; // one last check above, then panic
            }
        }
    }

    /// Proves absence: panics if a matching call is recorded now or arrives within `for_`.
    /// Earlier calls count too; narrow `pred` (e.g. `c.seq >= mark`) to look only at later ones.
    pub async fn expect_none(&self, method: &str, pred: impl Fn(&Call) -> bool, for_: Duration) {
        let deadline = Instant::now() + for_;
        let mut window_over = false;
        loop {
            let notified = self.shared.notify.notified();
            if let Some(hit) = self.matching(method, &pred).into_iter().next() {
                panic!(
                    "fake slack: expected no `{method}` call matching the predicate within {for_:?}, \
                     but got call #{} with params {}",
                    hit.seq, hit.params
                );
            }
            if window_over {
                return;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(remaining, notified).await.is_err() {
                window_over = true;
            }
        }
    }

    pub fn delay(&self, method: &str, d: Duration) {
        self.shared.lock().delays.insert(method.to_string(), d);
    }

    pub fn fail_next(&self, method: &str, error: &str, times: usize) {
        self.push_faults(method, Fault::Slack(error.to_string()), times);
    }

    pub fn fail_http_next(&self, method: &str, status: u16, times: usize) {
        self.push_faults(method, Fault::Http(status), times);
    }

    pub fn take_name(&self, name: &str) {
        self.shared.lock().taken_names.insert(name.to_string());
    }

    pub fn set_not_in_channel(&self, channel: &str) {
        self.shared.lock().not_in_channel.insert(channel.to_string());
    }

    /// Members returned by usergroups.users.list for `usergroup` (default: none).
    pub fn set_usergroup_users(&self, usergroup: &str, users: &[&str]) {
        let users = users.iter().map(|u| u.to_string()).collect();
        self.shared.lock().usergroups.insert(usergroup.to_string(), users);
    }

    pub fn channels(&self) -> Vec<FakeChannel> {
        self.shared.lock().channels.clone()
    }

    /// Messages in `channel` (a user id means the DM with that user), oldest first, latest edit applied.
    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        let channel = dm_or_channel(channel);
        let world = self.shared.lock();
        world
            .messages
            .iter()
            .filter(|m| m.channel == channel)
            .map(|m| m.current.clone())
            .collect()
    }

    /// Every version of one message, oldest first; the last one is what `messages_in` shows.
    pub fn message_versions(&self, channel: &str, ts: &str) -> Vec<Value> {
        let channel = dm_or_channel(channel);
        let world = self.shared.lock();
        world
            .messages
            .iter()
            .find(|m| m.channel == channel && m.ts == ts)
            .map(|m| {
                let mut all = m.edits.clone();
                all.push(m.current.clone());
                all
            })
            .unwrap_or_default()
    }

    pub fn pins(&self, channel: &str) -> Vec<String> {
        let channel = dm_or_channel(channel);
        self.shared.lock().pins.get(&channel).cloned().unwrap_or_default()
    }

    pub fn members(&self, channel: &str) -> Vec<String> {
        self.shared.lock().members.get(channel).cloned().unwrap_or_default()
    }

    fn push_faults(&self, method: &str, fault: Fault, times: usize) {
        let mut world = self.shared.lock();
        let queue = world.faults.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(fault, times));
    }

    fn matching(&self, method: &str, pred: &dyn Fn(&Call) -> bool) -> Vec<Call> {
        let world = self.shared.lock();
        world
            .calls
            .iter()
            .filter(|c| c.method == method && pred(c))
            .cloned()
            .collect()
    }

    /// Timeout diagnostics: every call's method, plus the params of calls to the awaited method.
    fn describe_calls(&self, method: &str) -> String {
        let calls = self.calls();
        let mut out = format!("recorded calls ({}):", calls.len());
        for c in &calls {
            out.push_str(&format!("\n  #{} {}", c.seq, c.method));
            if c.method == method {
                let mut params = c.params.to_string();
                if params.len() > 300 {
                    let cut = (0..=300).rev().find(|i| params.is_char_boundary(*i));
                    params.truncate(cut.unwrap_or(0));
                    params.push('…');
                }
                out.push_str(&format!(" {params}"));
            }
        }
        out
    }
}

async fn api_handler(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = query
        .map(|q| form_to_json(q.as_bytes()))
        .unwrap_or_else(|| Value::Object(Map::new()));
    if let (Value::Object(into), Value::Object(from)) = (&mut params, parse_body(&headers, &body)) {
        into.extend(from);
    }
    let authed = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| token.starts_with("xoxb-"));
    let m = method.clone();
    handle(&shared, method, params, authed, move |world, p| {
        if authed {
            Reply::Json(StatusCode::OK, world.dispatch(&m, p))
        } else {
            Reply::Json(StatusCode::OK, err("not_authed"))
        }
    })
    .await
}

async fn response_url_handler(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = match parse_body(&headers, &body) {
        Value::Object(map) => Value::Object(map),
        other => json!({ "_raw": other }),
    };
    params["_path"] = Value::String(name);
    handle(&shared, "response_url".to_string(), params, true, |_, _| {
        Reply::Text("ok")
    })
    .await
}

/// Records the call on arrival, then applies delay and fault, then the normal behaviour.
/// Without a delay the world changes under the same lock as the recording, so a test that saw the
/// call via `wait_for` also sees its effect (e.g. in `messages_in`).
async fn handle(
    shared: &Shared,
    method: String,
    params: Value,
    use_faults: bool,
    answer: impl FnOnce(&mut World, &Value) -> Reply,
) -> Response {
    let later = {
        let mut world = shared.lock();
        let seq = world.calls.len() as u64;
        world.calls.push(Call {
            method: method.clone(),
            params: params.clone(),
            at: Instant::now(),
            seq,
        });
        let fault = if use_faults {
            world.faults.get_mut(&method).and_then(|q| q.pop_front())
        } else {
            None
        };
        match world.delays.get(&method).copied() {
            Some(d) if !d.is_zero() => Err((d, fault, answer)),
            _ => Ok(decide(&mut world, fault, answer, &params)),
        }
    };
    shared.notify.notify_waiters();
    let reply = match later {
        Ok(reply) => reply,
        Err((d, fault, answer)) => {
            tokio::time::sleep(d).await;
            let reply = decide(&mut shared.lock(), fault, answer, &params);
            shared.notify.notify_waiters();
            reply
        }
    };
    reply.into_response()
}

fn decide(
    world: &mut World,
    fault: Option<Fault>,
    answer: impl FnOnce(&mut World, &Value) -> Reply,
    params: &Value,
) -> Reply {
    match fault {
        // A faulted call must leave the world untouched, so `answer` is not run at all.
        Some(f) => f.reply(),
        None => answer(world, params),
    }
}

impl World {
    fn dispatch(&mut self, method: &str, p: &Value) -> Value {
        match method {
            "auth.test" => json!({
                "ok": true, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": TEAM_ID,
                "user": "trouble-bot", "team": "Test", "url": "https://test.slack.com/"
            }),
            "conversations.create" => self.create_channel(p),
            "conversations.invite" => self.invite(p),
            "chat.postMessage" => self.post_message(p),
            "chat.update" => self.update_message(p),
            "pins.add" => self.pin(p),
            "chat.postEphemeral" => match (s(p, "channel"), s(p, "user")) {
                (Some(_), Some(_)) => json!({"ok": true, "message_ts": self.next_ts()}),
                (None, _) => err("channel_not_found"),
                (_, None) => err("user_not_found"),
            },
            "views.open" => match (s(p, "trigger_id"), json_param(p, "view")) {
                (None, _) => err("invalid_trigger_id"),
                (_, None) => err("invalid_arguments"),
                (Some(_), Some(view)) => self.view_reply(view, None),
            },
            "views.publish" => match (s(p, "user_id"), json_param(p, "view")) {
                (Some(_), Some(view)) => self.view_reply(view, None),
                _ => err("invalid_arguments"),
            },
            "views.update" => match json_param(p, "view") {
                Some(view) => self.view_reply(view, s(p, "view_id")),
                None => err("invalid_arguments"),
            },
            "chat.getPermalink" => self.permalink(p),
            "conversations.history" => self.history(p),
            "users.info" => match s(p, "user") {
                Some(user) => json!({"ok": true, "user": {
                    "id": user, "team_id": TEAM_ID, "name": user.to_lowercase(),
                    "real_name": format!("User {user}"), "deleted": false, "is_bot": false,
                    "tz": "Asia/Tokyo", "tz_label": "Japan Standard Time", "tz_offset": 32400,
                    "profile": {"real_name": format!("User {user}"), "display_name": user.to_lowercase()}
                }}),
                None => err("user_not_found"),
            },
            "usergroups.users.list" => {
                let users = s(p, "usergroup")
                    .and_then(|g| self.usergroups.get(&g).cloned())
                    .unwrap_or_default();
                json!({"ok": true, "users": users})
            }
            _ => err("unknown_method"),
        }
    }

    fn create_channel(&mut self, p: &Value) -> Value {
        let name = s(p, "name").unwrap_or_default();
        if name.is_empty() {
            return err("invalid_name_required");
        }
        if name.chars().count() > 80 {
            return err("invalid_name_maxlength");
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if !name.chars().all(allowed) {
            return err("invalid_name_specials");
        }
        if name.chars().all(|c| c == '-' || c == '_') {
            return err("invalid_name_punctuation");
        }
        if self.taken_names.contains(&name) || self.channels.iter().any(|c| c.name == name) {
            return err("name_taken");
        }
        self.channel_counter += 1;
        let channel = FakeChannel {
            id: format!("C{:07}", self.channel_counter),
            name,
            is_private: flag(p, "is_private"),
        };
        self.members.insert(channel.id.clone(), vec![BOT_USER_ID.to_string()]);
        self.channels.push(channel.clone());
        json!({"ok": true, "channel": channel_json(&channel)})
    }

    fn invite(&mut self, p: &Value) -> Value {
        let Some(channel) = s(p, "channel").and_then(|id| self.channels.iter().find(|c| c.id == id).cloned()) else {
            return err("channel_not_found");
        };
        let users: Vec<String> = match p.get("users") {
            Some(Value::Array(items)) => items.iter().filter_map(|u| u.as_str().map(str::to_string)).collect(),
            _ => s(p, "users")
                .unwrap_or_default()
                .split(',')
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .collect(),
        };
        if users.is_empty() {
            return err("no_user");
        }
        if users.len() > MAX_INVITE {
            return err("too_many_users");
        }
        // Real Slack refuses to invite the calling bot to a channel (it is already in it).
        if users.iter().any(|u| u == BOT_USER_ID) {
            return err("cant_invite_self");
        }
        let members = self.members.entry(channel.id.clone()).or_default();
        for user in users {
            if !members.contains(&user) {
                members.push(user);
            }
        }
        json!({"ok": true, "channel": channel_json(&channel)})
    }

    fn post_message(&mut self, p: &Value) -> Value {
        let Some(raw_channel) = s(p, "channel").filter(|c| !c.is_empty()) else {
            return err("channel_not_found");
        };
        let channel = dm_or_channel(&raw_channel);
        if self.not_in_channel.contains(&raw_channel) || self.not_in_channel.contains(&channel) {
            return err("not_in_channel");
        }
        let has_content = ["text", "blocks", "attachments", "markdown_text"]
            .iter()
            .any(|k| s(p, k).is_some_and(|v| !v.is_empty()) || p.get(*k).is_some_and(Value::is_array));
        if !has_content {
            return err("no_text");
        }
        let ts = self.next_ts();
        let mut stored = normalized(p);
        stored["ts"] = json!(ts);
        stored["channel"] = json!(channel);
        let message = message_json(&stored);
        self.messages.push(StoredMessage {
            channel: channel.clone(),
            ts: ts.clone(),
            current: stored,
            edits: Vec::new(),
        });
        json!({"ok": true, "channel": channel, "ts": ts, "message": message})
    }

    fn update_message(&mut self, p: &Value) -> Value {
        let channel = dm_or_channel(&s(p, "channel").unwrap_or_default());
        let ts = s(p, "ts").unwrap_or_default();
        let Some(msg) = self.find_message(&channel, &ts) else {
            return err("message_not_found");
        };
        let previous = msg.current.clone();
        if let (Value::Object(current), Value::Object(changes)) = (&mut msg.current, normalized(p)) {
            for (k, v) in changes {
                if k != "channel" && k != "ts" {
                    current.insert(k, v);
                }
            }
        }
        msg.edits.push(previous);
        let message = message_json(&msg.current);
        let text = msg.current.get("text").cloned().unwrap_or(json!(""));
        json!({"ok": true, "channel": channel, "ts": ts, "text": text, "message": message})
    }

    fn pin(&mut self, p: &Value) -> Value {
        let channel = dm_or_channel(&s(p, "channel").unwrap_or_default());
        let ts = s(p, "timestamp").unwrap_or_default();
        if self.find_message(&channel, &ts).is_none() {
            return err("message_not_found");
        }
        let pins = self.pins.entry(channel).or_default();
        if pins.contains(&ts) {
            return err("already_pinned");
        }
        pins.push(ts);
        json!({"ok": true})
    }

    fn permalink(&mut self, p: &Value) -> Value {
        let (Some(raw_channel), Some(ts)) = (s(p, "channel"), s(p, "message_ts")) else {
            return err("channel_not_found");
        };
        let channel = dm_or_channel(&raw_channel);
        let mut link = format!("https://test.slack.com/archives/{channel}/p{}", ts.replace('.', ""));
        // Thread replies get Slack's thread query, as in the ok_thread_reply fixture.
        let parent = self
            .find_message(&channel, &ts)
            .and_then(|m| s(&m.current, "thread_ts"))
            .filter(|parent| *parent != ts);
        if let Some(parent) = parent {
            link.push_str(&format!("?thread_ts={parent}&cid={channel}"));
        }
        json!({"ok": true, "channel": channel, "permalink": link})
    }

    fn history(&mut self, p: &Value) -> Value {
        let Some(channel) = s(p, "channel").map(|c| dm_or_channel(&c)) else {
            return err("channel_not_found");
        };
        let limit = s(p, "limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| *l > 0)
            .unwrap_or(100);
        // Like Slack, history lists channel-level messages only: thread replies are left out
        // unless they were broadcast to the channel.
        let top_level: Vec<Value> = self
            .messages
            .iter()
            .rev()
            .filter(|m| m.channel == channel)
            .filter(|m| {
                let reply = s(&m.current, "thread_ts").is_some_and(|t| t != m.ts);
                !reply || flag(&m.current, "reply_broadcast")
            })
            .map(|m| message_json(&m.current))
            .collect();
        let has_more = top_level.len() > limit;
        let messages: Vec<Value> = top_level.into_iter().take(limit).collect();
        json!({"ok": true, "messages": messages, "has_more": has_more})
    }

    fn view_reply(&mut self, view: Value, view_id: Option<String>) -> Value {
        let id = view_id.unwrap_or_else(|| {
            self.view_counter += 1;
            format!("V{:07}", self.view_counter)
        });
        let mut view = match view {
            Value::Object(map) => Value::Object(map),
            _ => json!({}),
        };
        view["id"] = json!(id);
        view["team_id"] = json!(TEAM_ID);
        json!({"ok": true, "view": view})
    }

    fn find_message(&mut self, channel: &str, ts: &str) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.channel == channel && m.ts == ts)
    }

    /// Unique, strictly increasing, fixed-width (so string order = time order) Slack-style ts.
    fn next_ts(&mut self) -> String {
        self.ts_counter += 1;
        let n = self.ts_counter;
        format!("{}.{:06}", 1_700_000_000 + n, (n * 100) % 1_000_000)
    }
}

fn err(error: &str) -> Value {
    json!({"ok": false, "error": error})
}

/// A user id (U…/W…) as a chat.postMessage channel means "DM that user"; Slack answers with a D… id.
fn dm_or_channel(channel: &str) -> String {
    if channel.starts_with('U') || channel.starts_with('W') {
        format!("D{channel}")
    } else {
        channel.to_string()
    }
}

/// A param as a string; numbers and bools are stringified because form bodies cannot type them.
fn s(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(v) => Some(v.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn flag(p: &Value, key: &str) -> bool {
    matches!(s(p, key).as_deref(), Some("true" | "1"))
}

/// A JSON-valued param (view, blocks, metadata): an object/array in JSON bodies, a JSON string in forms.
fn json_param(p: &Value, key: &str) -> Option<Value> {
    match p.get(key)? {
        Value::String(text) => serde_json::from_str(text).ok(),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

/// Params as stored in the world: token dropped, JSON-in-a-string fields parsed.
fn normalized(p: &Value) -> Value {
    let mut out = p.clone();
    if let Value::Object(map) = &mut out {
        map.remove("token");
        for key in ["blocks", "attachments", "metadata"] {
            if let Some(v) = json_param(p, key) {
                map.insert(key.to_string(), v);
            }
        }
    }
    out
}

/// The message object Slack echoes back (postMessage/update/history), shaped like the fixtures.
fn message_json(stored: &Value) -> Value {
    let mut msg = json!({
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "text": stored.get("text").cloned().unwrap_or(json!("")),
        "ts": stored.get("ts").cloned().unwrap_or(Value::Null),
    });
    for key in ["blocks", "attachments", "thread_ts", "metadata"] {
        if let Some(v) = stored.get(key) {
            msg[key] = v.clone();
        }
    }
    msg
}

fn channel_json(c: &FakeChannel) -> Value {
    json!({
        "id": c.id, "name": c.name, "name_normalized": c.name,
        "is_channel": true, "is_group": false, "is_im": false, "is_mpim": false,
        "is_private": c.is_private, "is_archived": false, "is_general": false,
        "is_member": true, "created": 1_700_000_000, "creator": BOT_USER_ID,
        "is_shared": false, "is_ext_shared": false, "is_org_shared": false,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "previous_names": []
    })
}

/// Body → JSON object: JSON for application/json (any charset), else form-encoded; empty → {}.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Map::new());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let looks_json = content_type.starts_with("application/json")
        || (!content_type.starts_with("application/x-www-form-urlencoded")
            && body.trim_ascii_start().starts_with(b"{"));
    if looks_json {
        serde_json::from_slice(body).unwrap_or_else(|_| json!({ "_raw": String::from_utf8_lossy(body) }))
    } else {
        form_to_json(body)
    }
}

fn form_to_json(body: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    Value::Object(pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}
