//! Slack's Socket Mode side, faked: `apps.connections.open` and a WebSocket server on 127.0.0.1, in front of the fake Web API.
//!
//! The bot's `SLACK_API_URL` points here; `apps.connections.open` is answered here (it checks the
//! app-level token) with the URL of a WebSocket server that says `hello` like Slack, carries the
//! envelopes a test sends and records the acknowledgements. Every other method is forwarded to
//! the fake Slack unchanged, except that `conversations.info` says `is_ext_shared` for the
//! channels a test shared with another organisation (Slack Connect), and `users.info` places the
//! people a test made the customer's in their workspace.
#![allow(dead_code)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::{eventually, spawn_bot_on, FakeSlack, TestBot, BASE_CONFIG, DEFAULT_SEVERITIES};
use trouble_bot::socket_mode::state::Waiting;

const WAIT_LIMIT: Duration = Duration::from_secs(10);
/// The app-level token the fake accepts.
pub const APP_TOKEN: &str = "xapp-1-A0APP-1-testtoken";

/// One acknowledgement the bot sent: on which connection, and what.
#[derive(Clone, Debug)]
pub struct Ack {
    pub connection: usize,
    pub body: Value,
}

pub struct FakeSocket {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<SocketWorld>,
    /// Where the fake Web API listens (`…/api/`).
    web_api: String,
    ws_addr: SocketAddr,
    client: reqwest::Client,
}

#[derive(Default)]
struct SocketWorld {
    opens: usize,
    refuse_opens: bool,
    /// `apps.connections.open` answers HTTP 429 with this `Retry-After` (seconds) while set.
    rate_limit_opens: Option<u64>,
    /// Sent on every new connection right after `hello`.
    greeting: Option<String>,
    connections: Vec<Connection>,
    acks: Vec<Ack>,
    ext_shared: HashSet<String>,
    /// People `users.info` places in another organisation's workspace: user -> team.
    outsiders: std::collections::HashMap<String, String>,
}

struct Connection {
    to_bot: mpsc::UnboundedSender<Out>,
    open: bool,
}

enum Out {
    Text(String),
    /// Drop the TCP connection without a closing handshake, as a network failure would.
    Drop,
}

/// The usual test bot, its Web API calls passing a fake front; in Socket Mode (the app-level
/// token, no signing secret) when `socket_mode`. `prepare` runs before the bot starts.
pub async fn spawn_bot_behind_front(socket_mode: bool, prepare: impl FnOnce(&FakeSocket)) -> (TestBot, FakeSocket) {
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    spawn_bot_behind_front_with(&config, socket_mode, prepare).await
}

/// As [`spawn_bot_behind_front`], the bot started with exactly this TOML.
pub async fn spawn_bot_behind_front_with(
    config_text: &str,
    socket_mode: bool,
    prepare: impl FnOnce(&FakeSocket),
) -> (TestBot, FakeSocket) {
    let slack = FakeSlack::start().await;
    let front = FakeSocket::start(&slack).await;
    prepare(&front);
    let mut env = vec![("SLACK_API_URL", front.api_url())];
    if socket_mode {
        env.push(("SLACK_APP_TOKEN", APP_TOKEN.to_string()));
        env.push(("SLACK_SIGNING_SECRET", String::new()));
    }
    let bot = spawn_bot_on(config_text, trouble_bot::http::server::Limits::default(), slack, &env).await;
    (bot, front)
}

/// As [`spawn_bot_behind_front`] in Socket Mode, on a clock that moves only when the test
/// advances it: what a socket slot waits for comes only then.
pub async fn spawn_socket_bot_on_stopped_clock(prepare: impl FnOnce(&FakeSocket)) -> (TestBot, FakeSocket) {
    let slack = FakeSlack::start().await;
    let front = FakeSocket::start(&slack).await;
    prepare(&front);
    let env = [
        ("SLACK_API_URL", front.api_url()),
        ("SLACK_APP_TOKEN", APP_TOKEN.to_string()),
        ("SLACK_SIGNING_SECRET", String::new()),
    ];
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let limits = trouble_bot::http::server::Limits::default();
    let bot = super::spawn_bot_on_clock(&config, limits, slack, &env, super::stopped_clock()).await;
    (bot, front)
}

/// Waits until `n` of `bot`'s Socket Mode slots wait before they ask for a socket again, each
/// until a time still to come on the bot's clock (a wait the clock has passed is ending, so it
/// does not count), and returns how long each waits, in slot order.
pub async fn slots_waiting(bot: &TestBot, n: usize) -> Vec<Duration> {
    let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
    loop {
        let now = bot.clock.now();
        let waiting = bot.app().socket.waiting();
        let waits: Vec<Duration> = waiting
            .values()
            .filter_map(|w| match w {
                Waiting::Until { at, wait } if *at > now => Some(*wait),
                _ => None,
            })
            .collect();
        if waits.len() == n {
            return waits;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{n} socket slots waiting to ask again: not within {WAIT_LIMIT:?}; at {now} the slots wait {waiting:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Moves `bot`'s clock to the end of the longest wait of a slot waiting to ask for a socket
/// again: every slot that waits asks again.
pub fn advance_past_waits(bot: &TestBot) {
    let now = bot.clock.now();
    let furthest = bot
        .app()
        .socket
        .waiting()
        .values()
        .filter_map(|w| match w {
            Waiting::Until { at, .. } => (*at - now).to_std().ok(),
            Waiting::ForGood => None,
        })
        .max();
    if let Some(wait) = furthest {
        bot.advance(wait);
    }
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/slack/inbound/socket-mode/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

impl FakeSocket {
    /// Starts the front for `slack`; point the bot's SLACK_API_URL at [`FakeSocket::api_url`].
    pub async fn start(slack: &FakeSlack) -> FakeSocket {
        let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind ws");
        let shared = Arc::new(Shared {
            state: Mutex::new(SocketWorld::default()),
            web_api: slack.api_url(),
            ws_addr: ws.local_addr().expect("ws addr"),
            client: super::http_client(),
        });
        tokio::spawn(accept_sockets(ws, shared.clone()));
        let router = Router::new()
            .route("/api/{method}", any(api))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind front");
        let addr = listener.local_addr().expect("front addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FakeSocket { addr, shared }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    fn world(&self) -> MutexGuard<'_, SocketWorld> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many times the bot asked for a socket URL.
    pub fn opens(&self) -> usize {
        self.world().opens
    }

    /// `apps.connections.open` fails (`ok:false`) while this is on.
    pub fn refuse_opens(&self, on: bool) {
        self.world().refuse_opens = on;
    }

    /// `apps.connections.open` is rate limited (HTTP 429, `Retry-After: secs`) while `Some`.
    pub fn rate_limit_opens(&self, retry_after: Option<u64>) {
        self.world().rate_limit_opens = retry_after;
    }

    /// Every connection opened from now on gets `frame` right after `hello` (None: nothing).
    pub fn greet_new_connections_with(&self, frame: Option<Value>) {
        self.world().greeting = frame.map(|f| f.to_string());
    }

    /// The connections the bot holds open now, oldest first.
    pub fn live(&self) -> Vec<usize> {
        let world = self.world();
        (0..world.connections.len())
            .filter(|i| world.connections[*i].open)
            .collect()
    }

    /// Waits until the bot holds `n` connections open, and returns them.
    pub async fn wait_live(&self, n: usize) -> Vec<usize> {
        eventually(&format!("{n} live sockets"), WAIT_LIMIT, || {
            let live = self.live();
            (live.len() == n).then_some(live)
        })
        .await
    }

    /// Waits until connection `id` is closed (by the bot or by `drop_connection`).
    pub async fn wait_closed(&self, id: usize) {
        eventually(&format!("socket {id} closed"), WAIT_LIMIT, || {
            (!self.world().connections[id].open).then_some(())
        })
        .await
    }

    /// Sends a frame to the bot on connection `id`.
    pub fn send(&self, id: usize, frame: &Value) {
        let world = self.world();
        let _ = world.connections[id].to_bot.send(Out::Text(frame.to_string()));
    }

    /// Slack's `disconnect` message (from the fixture) on connection `id`; the socket stays
    /// open until the bot closes it.
    pub fn ask_to_reconnect(&self, id: usize) {
        self.send(id, &serde_json::from_str(&fixture("disconnect.json")).expect("fixture"));
    }

    /// Cuts connection `id` off without a closing handshake.
    pub fn drop_connection(&self, id: usize) {
        let world = self.world();
        let _ = world.connections[id].to_bot.send(Out::Drop);
    }

    /// Every acknowledgement of `envelope_id`, in order.
    pub fn acks_for(&self, envelope_id: &str) -> Vec<Ack> {
        self.world()
            .acks
            .iter()
            .filter(|a| a.body["envelope_id"] == envelope_id)
            .cloned()
            .collect()
    }

    /// Waits until `envelope_id` has been acknowledged `n` times.
    pub async fn wait_acks(&self, envelope_id: &str, n: usize) -> Vec<Ack> {
        eventually(&format!("{n} acks of {envelope_id}"), WAIT_LIMIT, || {
            let acks = self.acks_for(envelope_id);
            (acks.len() >= n).then_some(acks)
        })
        .await
    }

    /// `conversations.info` says this channel is shared with another organisation.
    pub fn share_externally(&self, channel: &str) {
        self.world().ext_shared.insert(channel.to_string());
    }

    /// `users.info` says `user` is of workspace `team`: someone of the customer's, met through
    /// Slack Connect.
    pub fn of_another_org(&self, user: &str, team: &str) {
        self.world().outsiders.insert(user.to_string(), team.to_string());
    }
}

async fn accept_sockets(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
            continue;
        };
        let (to_bot, from_test) = mpsc::unbounded_channel();
        let id = {
            let mut world = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            world.connections.push(Connection { to_bot, open: true });
            world.connections.len() - 1
        };
        tokio::spawn(serve_socket(socket, id, from_test, shared.clone()));
    }
}

async fn serve_socket(
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    id: usize,
    mut from_test: mpsc::UnboundedReceiver<Out>,
    shared: Arc<Shared>,
) {
    let (mut sink, mut stream) = socket.split();
    let hello = fixture("hello.json");
    let greeting = shared.state.lock().unwrap_or_else(|e| e.into_inner()).greeting.clone();
    let greeted = match greeting {
        Some(frame) => sink.send(Message::text(hello)).await.is_ok() && sink.send(Message::text(frame)).await.is_ok(),
        None => sink.send(Message::text(hello)).await.is_ok(),
    };
    if greeted {
        loop {
            tokio::select! {
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        let body: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                        shared
                            .state
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .acks
                            .push(Ack { connection: id, body });
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {}
                },
                out = from_test.recv() => match out {
                    Some(Out::Text(text)) => {
                        if sink.send(Message::text(text)).await.is_err() {
                            break;
                        }
                    }
                    Some(Out::Drop) | None => break,
                },
            }
        }
    }
    shared.state.lock().unwrap_or_else(|e| e.into_inner()).connections[id].open = false;
}

/// `apps.connections.open` here; everything else forwarded to the fake Web API.
async fn api(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if method == "apps.connections.open" {
        let mut world = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        world.opens += 1;
        if let Some(secs) = world.rate_limit_opens {
            let limited = axum::Json(json!({"ok": false, "error": "ratelimited"}));
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                limited,
            )
                .into_response();
        }
        let answer = if auth != format!("Bearer {APP_TOKEN}") {
            json!({"ok": false, "error": "invalid_auth"})
        } else if world.refuse_opens {
            json!({"ok": false, "error": "internal_error"})
        } else {
            json!({"ok": true, "url": format!("ws://{}/link/?ticket={}", shared.ws_addr, world.opens)})
        };
        return axum::Json(answer).into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let Ok(forwarded) = shared
        .client
        .post(format!("{}{method}", shared.web_api))
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.clone())
        .send()
        .await
    else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = forwarded.status().as_u16();
    let retry_after = forwarded.headers().get("retry-after").cloned();
    let bytes = forwarded.bytes().await.unwrap_or_default();
    let mut answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if method == "users.info" {
        let asked: std::collections::HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        let user = asked.get("user").cloned().unwrap_or_default();
        let world = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(team), true) = (world.outsiders.get(&user), answer["ok"] == true) {
            answer["user"]["team_id"] = json!(team);
        }
    }
    if method == "conversations.info" {
        // Form arguments only, as Slack reads them for this method.
        let asked: std::collections::HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        let channel = asked.get("channel").cloned().unwrap_or_default();
        if shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ext_shared
            .contains(&channel)
        {
            if answer["ok"] != true {
                answer = json!({"ok": true, "channel": {"id": channel, "is_channel": true, "is_private": false}});
            }
            answer["channel"]["is_shared"] = json!(true);
            answer["channel"]["is_ext_shared"] = json!(true);
        }
    }
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        axum::Json(answer),
    )
        .into_response();
    if let Some(v) = retry_after {
        response.headers_mut().insert("retry-after", v);
    }
    response
}
