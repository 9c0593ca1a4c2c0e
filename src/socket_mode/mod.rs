//! Socket Mode: Slack's requests over WebSockets the bot opens with the app-level token, answered by the same functions as the HTTP routes.
//!
//! Slack hands each envelope to one of the app's open connections and wants it acknowledged
//! (by `envelope_id`, with the answer as `payload`) within 3 s. The bot keeps [`CONNECTIONS`]
//! sockets open, so that while one is being refreshed (a `disconnect` message, a dropped
//! socket) the other still receives; a refreshed socket finishes what it was handling before
//! it closes. An envelope Slack delivers again (its acknowledgement was lost with a socket) is
//! acknowledged with the answer it got the first time, and handled once: a socket's end does
//! not cancel what it was handling, so that answer comes even when the socket is gone.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{oneshot, watch};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as Frame;

use crate::app::App;
use crate::config::Secret;
use crate::slack::client::SlackError;
use crate::slack::payloads::{EventBody, SlashCommand};

pub mod state;
use state::{Acked, Seen, Waiting};

/// Sockets kept open at once (Slack allows ten per app).
pub const CONNECTIONS: usize = 2;
/// A socket that brought nothing, not even Slack's pings, for this long is taken for dead.
const IDLE_LIMIT: Duration = Duration::from_secs(90);
/// How often the bot pings Slack, so a dead peer is noticed by a failed write as well.
const PING_EVERY: Duration = Duration::from_secs(30);
/// After a `disconnect` message (or at shutdown), how long a socket may still take to send
/// the acknowledgements of what it was handling.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts to open a socket (unless Slack's `Retry-After` says
/// longer).
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A socket that ends sooner than this after it opened (Slack turning it away, say with
/// `too_many_websockets`) counts as a failed attempt: a second one in a row is backed off from.
const SHORT_LIVED: Duration = Duration::from_secs(30);

/// One frame Slack sends on the socket.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inbound {
    Hello {
        #[serde(default)]
        num_connections: Option<u32>,
    },
    Disconnect {
        #[serde(default)]
        reason: Option<String>,
    },
    EventsApi(Envelope),
    SlashCommands(Envelope),
    Interactive(Envelope),
    #[serde(other)]
    Other,
}

/// A request as Socket Mode wraps it: `payload` is the body HTTP would have carried.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub envelope_id: String,
    #[serde(default)]
    pub payload: Value,
    #[serde(default)]
    pub accepts_response_payload: bool,
    #[serde(default)]
    pub retry_attempt: Option<u32>,
}

impl Inbound {
    pub fn parse(text: &str) -> Option<Inbound> {
        serde_json::from_str(text).ok()
    }
}

/// Keeps [`CONNECTIONS`] sockets to Slack open until `shutdown`.
pub async fn run(app: Arc<App>, shutdown: watch::Receiver<bool>) {
    let Some(token) = app.config.slack.app_token.clone() else {
        return;
    };
    let mut slots = tokio::task::JoinSet::new();
    for slot in 0..CONNECTIONS {
        slots.spawn(keep_connected(app.clone(), token.clone(), slot, shutdown.clone()));
    }
    while slots.join_next().await.is_some() {}
}

/// Said (log and /healthz) when Slack turns a connection away for having too many.
const TOO_MANY_WEBSOCKETS: &str = "Slack turned a connection away: too_many_websockets (more than ten \
    connections for this app: is another trouble-bot running with the same SLACK_APP_TOKEN?); asking again \
    with growing waits";

/// Said (log and /healthz) when Slack ends a connection because Socket Mode was turned off.
const LINK_DISABLED: &str = "Slack turned Socket Mode off for this app (link_disabled): no request reaches the \
    bot, and it no longer asks for connections. Turn it on again under the app's settings (Socket Mode → Enable \
    Socket Mode; manifest.socket.yml has socket_mode_enabled: true), then restart the bot";

/// How a socket ended.
enum Ended {
    /// It worked (Slack said hello) until it closed or dropped.
    AfterHello,
    /// It failed before Slack said hello.
    Early,
}

/// What a socket leaves when it ends: how, and the envelopes it was still handling.
struct Served {
    ended: Ended,
    /// Handlers the socket's end does not stop: what they decide is stored, and their answer
    /// goes to the next delivery of their envelope, on whichever socket it comes.
    unfinished: Handlers,
}

type Handlers = tokio::task::JoinSet<()>;

/// Lets `handlers` run to their end in `draining`, rather than cancel them with their socket.
fn finish_in(draining: &mut tokio::task::JoinSet<()>, mut handlers: Handlers) {
    if !handlers.is_empty() {
        draining.spawn(async move { while handlers.join_next().await.is_some() {} });
    }
}

/// One of the sockets: opens it, and opens it again whenever it ends, with backoff while
/// it keeps failing or keeps ending soon after it opened. Its waits and the age of its socket
/// are on the app's clock, like any other retry's backoff: a test moves through them.
async fn keep_connected(app: Arc<App>, token: Secret, slot: usize, mut shutdown: watch::Receiver<bool>) {
    // Attempts in a row that brought no socket lasting [`SHORT_LIVED`]: failed opens, sockets
    // that ended before or soon after Slack's hello, `disconnect`s that came at once.
    let mut streak: u32 = 0;
    let mut draining = tokio::task::JoinSet::new();
    while !*shutdown.borrow() {
        while draining.try_join_next().is_some() {}
        if app.socket.given_up() {
            // Socket Mode is off for the app: only an admin and a restart bring it back.
            app.socket.wait(slot, Some(Waiting::ForGood));
            stopped(&mut shutdown).await;
            break;
        }
        // Slack said when to ask again (a rate-limited open, on any slot): nobody asks before.
        if let Some(until) = app.socket.opens_held_until(app.clock.now()) {
            if !wait_until(&app, slot, until, &mut shutdown).await {
                break;
            }
        }
        let wait = match open_socket(&app, &token).await {
            Ok(socket) => {
                if app.socket.app_token_heard(None) {
                    tracing::info!("Slack takes the app-level token again");
                }
                let opened = app.clock.now();
                let (replace_tx, mut replace_rx) = oneshot::channel();
                let mut connection =
                    tokio::spawn(serve_socket(app.clone(), socket, slot, replace_tx, shutdown.clone()));
                tokio::select! {
                    // A socket told to go may be gone as soon as told: it still counts as told.
                    biased;
                    Ok(()) = &mut replace_rx => {
                        // Slack is retiring this socket: let it send what it still owes in the
                        // background, and open the next one.
                        draining.spawn(async move {
                            if let Ok(served) = connection.await {
                                let mut handlers = served.unfinished;
                                while handlers.join_next().await.is_some() {}
                            }
                        });
                        streak = match lasted(&app, opened) >= SHORT_LIVED {
                            true => 0,
                            false => streak + 1,
                        };
                        // A refresh (or one that came early, once) is replaced at once; Slack
                        // turning every new socket away (`too_many_websockets`) is not asked
                        // again and again in a tight loop.
                        if streak <= 1 {
                            continue;
                        }
                        jittered(backoff(streak - 2))
                    }
                    served = &mut connection => {
                        let said_hello = match served {
                            Ok(Served { ended, unfinished }) => {
                                finish_in(&mut draining, unfinished);
                                matches!(ended, Ended::AfterHello)
                            }
                            Err(_) => false,
                        };
                        if said_hello && lasted(&app, opened) >= SHORT_LIVED {
                            streak = 0;
                        } else {
                            streak += 1;
                        }
                        // A socket that worked is reopened after 0.5 s, the first time.
                        match said_hello {
                            true => jittered(backoff(streak.saturating_sub(1))),
                            false => jittered(backoff(streak)),
                        }
                    }
                }
            }
            Err(failure) => {
                streak += 1;
                let mut wait = jittered(backoff(streak));
                if let Some(retry_after) = failure.retry_after() {
                    app.socket.hold_opens_until(app.clock.after(retry_after));
                    wait = wait.max(retry_after);
                }
                tracing::warn!(slot, problem = %failure, next_attempt_in_s = wait.as_secs_f32(), "cannot open a Socket Mode connection; will retry");
                let problem = match failure.refused_app_token() {
                    Some(error) => {
                        let said = app_token_refused(error);
                        // Once, not per slot and attempt: it stays so until an admin acts.
                        if app.socket.app_token_heard(Some(error)) {
                            tracing::error!(error, "{said}");
                        }
                        said
                    }
                    None => failure.to_string(),
                };
                app.socket
                    .problem(format!("{problem}; next attempt in {} s", wait.as_secs().max(1)));
                wait
            }
        };
        if !wait_until(&app, slot, app.clock.after(wait), &mut shutdown).await {
            break;
        }
    }
    // Stopping: what is still being handled gets as long as a retiring socket does; whatever
    // is cut off after that answered nobody, so its redelivery (after a restart) is handled.
    let _ = tokio::time::timeout(DRAIN_LIMIT, async { while draining.join_next().await.is_some() {} }).await;
}

/// How long since `since`, on the app's clock.
fn lasted(app: &App, since: DateTime<Utc>) -> Duration {
    (app.clock.now() - since).to_std().unwrap_or_default()
}

/// Slot `slot` waits on the app's clock until `until`, and says so in `app.socket.waiting()`
/// meanwhile; false when the stop signal came first.
async fn wait_until(app: &App, slot: usize, until: DateTime<Utc>, shutdown: &mut watch::Receiver<bool>) -> bool {
    let wait = (until - app.clock.now()).to_std().unwrap_or_default();
    app.socket.wait(slot, Some(Waiting::Until { at: until, wait }));
    let woke = tokio::select! {
        _ = app.clock.sleep_until(until) => true,
        _ = stopped(shutdown) => false,
    };
    app.socket.wait(slot, None);
    woke
}

/// What the log and /healthz say while Slack refuses the app-level token (`error`): which
/// variable sets it and where a good one comes from, as for the bot token.
fn app_token_refused(error: &str) -> String {
    format!(
        "Slack refuses the app-level token ({error}): no request reaches the bot until it takes one (generate \
         an app-level token with the connections:write scope under the app's Basic Information → App-Level \
         Tokens, put it, xapp-…, in the SLACK_APP_TOKEN environment variable, under systemd in \
         /etc/trouble-bot/trouble-bot.env, and restart)"
    )
}

/// Resolves once the stop signal is given.
async fn stopped(signal: &mut watch::Receiver<bool>) {
    let _ = signal.wait_for(|stop| *stop).await;
}

/// 0.5 s after a socket that worked, then doubling to [`MAX_BACKOFF`] while attempts fail.
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(500)
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(MAX_BACKOFF)
}

/// `wait` shortened by up to a quarter, at random: the two slots (and other instances on the
/// same app) turned away together do not all come back at the same moment.
fn jittered(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // Each RandomState is freshly keyed: random enough to spread retries, and no dependency.
    let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
    shorten_by_up_to_a_quarter(wait, random)
}

fn shorten_by_up_to_a_quarter(wait: Duration, random: u64) -> Duration {
    let share = (random % 1001) as f64 / 1000.0;
    wait.saturating_sub((wait / 4).mul_f64(share))
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why no socket could be opened: Slack's answer to `apps.connections.open`, or the connect.
#[derive(Debug)]
enum OpenFailure {
    Slack(SlackError),
    Connect(String),
}

impl OpenFailure {
    /// The error with which Slack refused the app-level token itself (wrong, revoked, a bot
    /// token in its place, without `connections:write`): only an admin mends that.
    fn refused_app_token(&self) -> Option<&str> {
        match self {
            OpenFailure::Slack(e @ SlackError::Api { error, .. })
                if e.refuses_token() || matches!(error.as_str(), "not_allowed_token_type" | "missing_scope") =>
            {
                Some(error)
            }
            _ => None,
        }
    }

    /// How long Slack asked the app to wait before asking again (HTTP 429).
    fn retry_after(&self) -> Option<Duration> {
        match self {
            OpenFailure::Slack(e) => e.retry_after(),
            OpenFailure::Connect(_) => None,
        }
    }
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenFailure::Slack(e) => write!(f, "apps.connections.open failed: {e}"),
            OpenFailure::Connect(why) => write!(f, "cannot connect the socket: {why}"),
        }
    }
}

/// Asks Slack for a socket URL and connects to it.
async fn open_socket(app: &App, token: &Secret) -> Result<Socket, OpenFailure> {
    let url = app.slack.open_connection(token).await.map_err(OpenFailure::Slack)?;
    // Slack's payloads are small; a bounded frame keeps a bad peer from growing the process.
    let config = WebSocketConfig::default()
        .max_message_size(Some(crate::http::BODY_LIMIT))
        .max_frame_size(Some(crate::http::BODY_LIMIT));
    let connect = tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true);
    match tokio::time::timeout(Duration::from_secs(10), connect).await {
        Ok(Ok((socket, _))) => Ok(socket),
        // The URL carries a one-time ticket: it is not logged.
        Ok(Err(e)) => Err(OpenFailure::Connect(e.to_string())),
        Err(_) => Err(OpenFailure::Connect("timed out".into())),
    }
}

/// Reads one socket until it ends, handling each envelope in its own task and writing the
/// acknowledgements. On a `disconnect` message it asks for its replacement (`replace`), then
/// only finishes what it was handling. The handlers still running when it ends are returned,
/// not cancelled.
async fn serve_socket(
    app: Arc<App>,
    socket: Socket,
    slot: usize,
    replace: oneshot::Sender<()>,
    mut shutdown: watch::Receiver<bool>,
) -> Served {
    let (mut sink, mut stream) = socket.split();
    let (acks_tx, mut acks) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut in_flight = tokio::task::JoinSet::new();
    let mut replace = Some(replace);
    let mut counted = false;
    let mut said_hello = false;
    // This socket's deadlines are in real time, not on the app's clock: they guard a real
    // socket (is the peer still there, how long a retiring one may stay open), as a read
    // timeout does.
    // Set once this socket is on its way out: after `disconnect`, or at shutdown. It still
    // handles what comes on it, and closes once it owes nothing.
    let mut retiring: Option<tokio::time::Instant> = None;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    // Any frame counts, Slack's pings included; our own pings do not.
    let mut heard = tokio::time::Instant::now();
    let why = loop {
        if retiring.is_some() && in_flight.is_empty() && acks.is_empty() {
            break "retired".to_string();
        }
        let deadline = retiring.unwrap_or(heard + IDLE_LIMIT);
        tokio::select! {
            biased;
            Some(ack) = acks.recv() => {
                if let Err(e) = sink.send(Frame::text(ack)).await {
                    break format!("cannot send an acknowledgement: {e}");
                }
            }
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            _ = stopped(&mut shutdown), if retiring.is_none() => {
                retiring = Some(tokio::time::Instant::now() + DRAIN_LIMIT);
            }
            _ = tokio::time::sleep_until(deadline) => match retiring {
                Some(_) => break "gave up waiting for envelopes in flight".to_string(),
                None => break format!("nothing received for {} s", IDLE_LIMIT.as_secs()),
            },
            frame = stream.next() => match frame.inspect(|_| heard = tokio::time::Instant::now()) {
                None => break "the socket was closed".to_string(),
                Some(Err(e)) => break format!("the socket failed: {e}"),
                Some(Ok(Frame::Close(_))) => break "Slack closed the socket".to_string(),
                Some(Ok(Frame::Text(text))) => match Inbound::parse(text.as_str()) {
                    Some(Inbound::Hello { num_connections }) => {
                        tracing::info!(slot, ?num_connections, "Socket Mode connection up");
                        said_hello = true;
                        if !counted {
                            counted = true;
                            app.socket.up();
                        }
                    }
                    Some(Inbound::Disconnect { reason }) => {
                        let reason = reason.unwrap_or_default();
                        let why = match reason.as_str() {
                            "too_many_websockets" => {
                                tracing::warn!(slot, "{TOO_MANY_WEBSOCKETS}");
                                TOO_MANY_WEBSOCKETS.to_string()
                            }
                            "link_disabled" => {
                                // No connection will be taken until an admin acts: asking again is
                                // pointless, and everyone must hear why the bot went deaf.
                                if app.socket.give_up(LINK_DISABLED) {
                                    tracing::error!(slot, "{LINK_DISABLED}");
                                }
                                LINK_DISABLED.to_string()
                            }
                            _ => {
                                tracing::info!(slot, reason, "Slack asked for a new Socket Mode connection");
                                format!("refreshing ({reason})")
                            }
                        };
                        if let Some(replace) = replace.take() {
                            let _ = replace.send(());
                        }
                        if counted {
                            counted = false;
                            app.socket.down(why);
                        }
                        retiring.get_or_insert(tokio::time::Instant::now() + DRAIN_LIMIT);
                    }
                    Some(Inbound::EventsApi(envelope)) => dispatch(&app, &mut in_flight, &acks_tx, Kind::Event, envelope),
                    Some(Inbound::SlashCommands(envelope)) => dispatch(&app, &mut in_flight, &acks_tx, Kind::Command, envelope),
                    Some(Inbound::Interactive(envelope)) => dispatch(&app, &mut in_flight, &acks_tx, Kind::Interaction, envelope),
                    Some(Inbound::Other) => {}
                    None => tracing::warn!(slot, "ignored a Socket Mode frame that is not Slack's JSON"),
                },
                Some(Ok(_)) => {}
            },
            _ = ping.tick(), if retiring.is_none() => {
                if let Err(e) = sink.send(Frame::Ping(Vec::new().into())).await {
                    break format!("cannot ping: {e}");
                }
            }
        }
    };
    tracing::info!(slot, reason = %why, "Socket Mode connection ended");
    let _ = sink.close().await;
    if counted {
        app.socket.down(why);
    }
    let ended = if said_hello { Ended::AfterHello } else { Ended::Early };
    Served {
        ended,
        unfinished: in_flight,
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Command,
    Event,
    Interaction,
}

/// Starts handling an envelope; its acknowledgement goes to `acks` when it is ready. A
/// retiring socket handles what still comes on it too: Slack may deliver on a socket for a
/// while after its `disconnect` warning, and a slash command or a click left unacknowledged
/// there is never delivered again.
fn dispatch(
    app: &Arc<App>,
    in_flight: &mut tokio::task::JoinSet<()>,
    acks: &tokio::sync::mpsc::UnboundedSender<String>,
    kind: Kind,
    envelope: Envelope,
) {
    let (app, acks) = (app.clone(), acks.clone());
    in_flight.spawn(async move {
        if let Some(ack) = answer(&app, kind, envelope).await {
            let _ = acks.send(ack.to_string());
        }
    });
}

/// Handles an envelope once and returns its acknowledgement; None leaves it unacknowledged,
/// so Slack delivers it again (an internal failure, as a 5xx would over HTTP).
async fn answer(app: &Arc<App>, kind: Kind, envelope: Envelope) -> Option<Value> {
    let Envelope {
        envelope_id,
        payload,
        accepts_response_payload,
        retry_attempt,
    } = envelope;
    let span = tracing::info_span!("envelope", id = %envelope_id, ?kind, retry = retry_attempt.unwrap_or(0));
    tracing::Instrument::instrument(
        answer_once(app, kind, envelope_id, payload, accepts_response_payload),
        span,
    )
    .await
}

async fn answer_once(
    app: &Arc<App>,
    kind: Kind,
    envelope_id: String,
    payload: Value,
    accepts_response_payload: bool,
) -> Option<Value> {
    // A retried event comes in a new envelope with the same event id.
    let key = match (kind, payload.get("event_id").and_then(Value::as_str)) {
        (Kind::Event, Some(event_id)) => format!("event:{event_id}"),
        _ => format!("envelope:{envelope_id}"),
    };
    let ack = |answer: Acked| {
        let mut ack = json!({ "envelope_id": envelope_id });
        if let (true, Some(answer)) = (accepts_response_payload, answer) {
            ack["payload"] = answer;
        }
        ack
    };
    let answering = loop {
        match app.socket.begin(&key) {
            Seen::New(answering) => break answering,
            Seen::Before(mut earlier) => {
                if let Ok(answered) = earlier.wait_for(Option::is_some).await {
                    tracing::info!("an envelope handled before came again; acknowledged with the same answer");
                    return answered.clone().map(ack);
                }
                // Its first handling ended without an answer: this delivery handles it.
            }
        }
    };
    let response = match kind {
        Kind::Command => match serde_json::from_value::<SlashCommand>(payload) {
            Ok(cmd) => crate::http::answer_command(app, cmd, &key).await,
            Err(_) => refused("not a slash command"),
        },
        Kind::Event => match serde_json::from_value::<EventBody>(payload) {
            Ok(body) => crate::http::answer_event(app, body).await,
            Err(_) => refused("not an Events API body"),
        },
        Kind::Interaction => crate::http::answer_interaction(app, payload, &key).await,
    };
    let status = response.status();
    if status.is_server_error() {
        tracing::warn!(%status, "not acknowledged, so Slack delivers it again");
        drop(answering);
        return None;
    }
    let answer = if status.is_success() {
        body_json(response).await
    } else {
        tracing::info!(%status, "refused an envelope");
        None
    };
    answering.finish(answer.clone());
    Some(ack(answer))
}

fn refused(why: &'static str) -> Response {
    axum::response::IntoResponse::into_response((StatusCode::BAD_REQUEST, why))
}

/// The JSON an HTTP answer carries (an ephemeral reply, a `response_action`), if any.
async fn body_json(response: Response) -> Option<Value> {
    let bytes = axum::body::to_bytes(response.into_body(), crate::http::BODY_LIMIT)
        .await
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/slack/inbound/socket-mode/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn slacks_frames_parse_into_what_the_bot_acts_on() {
        assert!(matches!(
            Inbound::parse(&fixture("hello.json")),
            Some(Inbound::Hello {
                num_connections: Some(2)
            })
        ));
        match Inbound::parse(&fixture("disconnect.json")) {
            Some(Inbound::Disconnect { reason }) => assert_eq!(reason.as_deref(), Some("too_many_websockets")),
            other => panic!("{other:?}"),
        }
        match Inbound::parse(&fixture("envelope.slash_commands.json")) {
            Some(Inbound::SlashCommands(e)) => {
                assert_eq!(e.envelope_id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
                assert!(e.accepts_response_payload);
                let cmd: SlashCommand = serde_json::from_value(e.payload).expect("the HTTP form's fields");
                assert_eq!((cmd.user_id.as_str(), cmd.channel_id.as_str()), ("U111", "C111"));
            }
            other => panic!("{other:?}"),
        }
        for name in [
            "envelope.events_api.app_mention.json",
            "envelope.events_api.message.json",
        ] {
            match Inbound::parse(&fixture(name)) {
                Some(Inbound::EventsApi(e)) => {
                    assert!(!e.accepts_response_payload);
                    assert_eq!(e.retry_attempt, Some(0));
                    let body: EventBody = serde_json::from_value(e.payload).expect("an Events API body");
                    assert!(matches!(body, EventBody::EventCallback { event_id, .. } if event_id == "Ev111"));
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            Inbound::parse(&fixture("envelope.interactive.shortcut.json")),
            Some(Inbound::Interactive(_))
        ));
        assert!(matches!(
            Inbound::parse(r#"{"type":"something_new"}"#),
            Some(Inbound::Other)
        ));
        assert!(Inbound::parse("not json").is_none());
    }

    #[test]
    fn reconnecting_backs_off_from_half_a_second_to_thirty() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn jitter_shortens_a_wait_by_at_most_a_quarter() {
        let wait = Duration::from_secs(8);
        assert_eq!(shorten_by_up_to_a_quarter(wait, 0), wait);
        assert_eq!(shorten_by_up_to_a_quarter(wait, 1000), Duration::from_secs(6));
        for random in [1, 77, 500, 999, u64::MAX] {
            let shorter = shorten_by_up_to_a_quarter(wait, random);
            assert!(shorter >= Duration::from_secs(6) && shorter <= wait, "{shorter:?}");
        }
        for _ in 0..100 {
            let j = jittered(MAX_BACKOFF);
            assert!(j >= MAX_BACKOFF * 3 / 4 && j <= MAX_BACKOFF, "{j:?}");
        }
    }

    #[tokio::test]
    async fn an_envelope_seen_before_resolves_to_its_first_answer_and_one_left_unanswered_is_new() {
        let state = state::SocketState::default();
        let Seen::New(answering) = state.begin("envelope:1") else {
            panic!("first delivery is new")
        };
        let Seen::Before(mut again) = state.begin("envelope:1") else {
            panic!("second delivery is not new")
        };
        answering.finish(Some(json!({"text": "opened"})));
        let answered = again.wait_for(Option::is_some).await.expect("answered").clone();
        assert_eq!(answered, Some(Some(json!({"text": "opened"}))));
        assert!(
            matches!(state.begin("envelope:1"), Seen::Before(_)),
            "answered: remembered"
        );

        // A handling that ends without an answer (dropped: a failure, a panic, cut off) leaves
        // the envelope to its next delivery, and wakes one waiting with an error.
        let Seen::New(answering) = state.begin("envelope:2") else {
            panic!("first delivery is new")
        };
        let Seen::Before(mut waiting) = state.begin("envelope:2") else {
            panic!("second delivery is not new")
        };
        drop(answering);
        assert!(waiting.wait_for(Option::is_some).await.is_err());
        assert!(matches!(state.begin("envelope:2"), Seen::New(_)));
    }
}
