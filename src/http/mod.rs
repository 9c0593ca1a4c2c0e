//! The HTTP surface: Slack's three request URLs, health and metrics.

mod commands;
mod events;
mod interactions;
pub mod server;
mod stages;

pub(crate) use commands::answer_command;
pub(crate) use events::answer_event;
pub(crate) use interactions::answer_interaction;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::app::App;
use crate::i18n;
use crate::slack::blocks::{Ephemeral, Rendered};
use crate::slack::signature;
use crate::store::StoreError;
use crate::trouble::decide::Decision;
use crate::trouble::home::HomeRow;
use crate::trouble::model::{ChannelLoss, UserId};

/// Slack bodies are small; anything over this is refused with 413 before it is read further.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    // In Socket Mode, Slack's requests come over the socket, unsigned by design: the request
    // URLs are not served at all (404), so no one can reach the bot around the socket.
    if !app.config.socket_mode() {
        router = router
            .route("/slack/commands", post(commands::handle))
            .route("/slack/events", post(events::handle))
            .route("/slack/interactions", post(interactions::handle));
    }
    router
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

/// The troubles waiting for `user`'s acknowledgement (their App Home's), the most severe
/// first, then the oldest.
async fn waiting_for_ack(app: &App, user: &UserId) -> Result<Vec<HomeRow>, StoreError> {
    let rows = Box::pin(app.store.home_rows(&app.config.policy, user)).await?;
    let mut waiting: Vec<HomeRow> = rows.into_iter().filter(|r| r.awaits_ack).collect();
    waiting.sort_by(|a, b| (a.severity, a.id.opening_order()).cmp(&(b.severity, b.id.opening_order())));
    Ok(waiting)
}

async fn health(State(app): State<Arc<App>>) -> Response {
    if let Some(why) = app.store.writes_halted() {
        // A restart is what brings it back (it completes what was begun): say so to whatever
        // watches this, as well as why.
        let body = format!("store stopped writing after a failed write ({why}); restart the bot");
        return (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    }
    if app.store.next_timer_due(app.clock.now()).await.is_err() {
        return (StatusCode::SERVICE_UNAVAILABLE, "store unavailable").into_response();
    }
    if app.config.socket_mode() {
        // Without a connection Slack cannot reach the bot at all: that is not healthy.
        return match app.socket.health() {
            Ok(connections) => (StatusCode::OK, format!("ok (socket mode, {connections} connected)")).into_response(),
            Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("socket mode: {reason}")).into_response(),
        };
    }
    (StatusCode::OK, "ok").into_response()
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let counts = app.store.counts().await.unwrap_or_default();
    let oldest = app.store.oldest_outbox_at().await.ok().flatten();
    (
        [("content-type", "text/plain; version=0.0.4")],
        app.metrics.render(
            counts,
            app.store.lock_time(),
            oldest,
            crate::metrics::Alarms {
                slack_unreachable_since: app.pacer.slack_unreachable_since(),
                slack_token_refused: app.slack.token_refused().is_some(),
                writes_halted: app.store.writes_halted().is_some(),
                socket_connections: app.config.socket_mode().then(|| app.socket.health().unwrap_or(0)),
            },
            app.clock.now(),
        ),
    )
        .into_response()
}

/// Checks Slack's signature over the raw body. Nothing is parsed before this passes.
/// Returns the signature, which [`request_key`] makes the request's key from where one is used.
pub(crate) fn verify<'h>(app: &App, headers: &'h HeaderMap, body: &[u8]) -> Result<&'h str, StatusCode> {
    let header = |name: &str| {
        let mut values = headers.get_all(name).iter();
        let first = values.next()?.to_str().ok();
        // A duplicated header is ambiguous: refuse rather than guess which one Slack meant.
        if values.next().is_some() {
            return None;
        }
        first
    };
    let now = app.clock.now().timestamp();
    let signature = header("x-slack-signature");
    signature::verify(
        &app.config.slack.signing_secrets,
        header("x-slack-request-timestamp"),
        signature,
        body,
        now,
    )
    .map_err(|why| {
        tracing::info!(?why, "rejected an unsigned or badly signed request");
        warn_of_rejection(app, why, now);
        StatusCode::UNAUTHORIZED
    })?;
    Ok(signature.unwrap_or_default())
}

/// The key that identifies a verified request by its `signature` for replay detection: a
/// signature is unique to its timestamp and body, and only accepted within Slack's window.
/// Made only for a request that may change something (help, which changes nothing and is never
/// remembered, goes without), in one allocation.
pub(crate) fn request_key(signature: &str) -> String {
    let mut key = String::with_capacity("sig:".len() + signature.len());
    key.push_str("sig:");
    key.push_str(signature);
    key.make_ascii_lowercase();
    key
}

/// A signature that does not verify, or a timestamp out of Slack's window, is at WARN the first
/// time and then at most once a minute, with what to check (see [`crate::logs::RefusalsLogged`]).
/// Each request stays logged at INFO.
fn warn_of_rejection(app: &App, why: signature::Rejection, now: i64) {
    let hint = match why {
        signature::Rejection::BadSignature => {
            "check SLACK_SIGNING_SECRET matches the app's Signing Secret (Basic Information)"
        }
        signature::Rejection::Stale => "check this server's clock (NTP): Slack's timestamp is over 5 minutes off",
        _ => return,
    };
    if app.refusals_logged.signature_warning_due(now) {
        tracing::warn!(
            ?why,
            "refused a request from Slack with 401: {hint} (said at most once a minute)"
        );
    }
}

/// 403 for a request from a workspace (`team`) other than the configured one, or, when an
/// Enterprise Grid organization is configured (`E…`), from a workspace of another (`enterprise`).
pub(crate) fn check_team(app: &App, team: Option<&str>, enterprise: Option<&str>) -> Result<(), StatusCode> {
    let Some(expected) = app.config.team_id.as_deref() else {
        return Ok(());
    };
    let received = if app.config.team_org().is_some() {
        enterprise
    } else {
        team
    };
    match received.filter(|r| !r.is_empty()) {
        Some(received) if received == expected => Ok(()),
        _ => {
            refused_team(app, expected, team, enterprise);
            Err(StatusCode::FORBIDDEN)
        }
    }
}

/// Logs a refusal for the team the first time that team is refused: a wrong `team_id` refuses
/// every request, and an admin must be able to see why without a line per request. Both the
/// request's workspace and its org are named, whichever `team_id` names.
fn refused_team(app: &App, configured: &str, team: Option<&str>, enterprise: Option<&str>) {
    let given = |id: Option<&str>| id.filter(|i| !i.is_empty()).map(crate::logs::bounded);
    let received = format!(
        "{} ({})",
        given(team).unwrap_or_else(|| "(none)".to_string()),
        given(enterprise).unwrap_or_else(|| "no org".to_string())
    );
    let Some(last) = app.refusals_logged.team_refusal_due(&received) else {
        return;
    };
    tracing::warn!(
        configured,
        received = %received,
        "refused a request from another workspace with 403: team_id is {configured} but the request is from {received}; \
         if that is yours, fix team_id (check-slack names the token's workspace and org){}",
        if last { "; further refused workspaces are not logged" } else { "" }
    );
}

pub(crate) fn ephemeral(rendered: Rendered) -> Response {
    Json(Ephemeral::of(&rendered)).into_response()
}

/// What to tell whoever asked for `form` that Slack would not open (`views.open` failed with
/// `e`), with the one-line command that does the same ([`i18n::form_instead`]):
/// the token Slack refuses, which a retry cannot mend, or the form not opened. Every form
/// answers so, the open and update forms as the facts and action forms.
pub(crate) fn form_refused(app: &App, e: &crate::slack::SlackError, form: i18n::Form) -> String {
    let l = app.config.locale;
    if e.refuses_token() {
        let error = app.slack.token_refused().unwrap_or_default();
        return i18n::form_while_token_refused(l, error, form);
    }
    tracing::warn!(error = %e, ?form, "cannot open a form");
    let instead = i18n::form_instead(l, form);
    views_open_failed(app, e);
    // A timeout or a 5xx may have opened it all the same: "did not open" would have the form
    // and the one-line command both sent (two troubles, two updates for one).
    match e.is_ambiguous() {
        true => i18n::form_maybe_opened(l, instead),
        false => i18n::form_not_opened(l, instead),
    }
}

/// A `views.open` that failed, counted in `/metrics`: `unconfirmed` when Slack may have opened
/// the view all the same (a timeout, a 5xx), `permanent_error` when it refused. Neither is
/// retried: the trigger id lives 3 s.
pub(crate) fn views_open_failed(app: &App, e: &crate::slack::SlackError) {
    let outcome = if e.is_ambiguous() {
        "unconfirmed"
    } else {
        "permanent_error"
    };
    app.metrics.slack_call("views.open", outcome);
}

pub(crate) fn ephemeral_text(text: String) -> Response {
    ephemeral(Rendered::plain(text))
}

/// How the bot lost the channel of the trouble `decision` changed (None: Slack refused to
/// create it), when what it meant to say there now waits (see `Trouble::held`): whoever made
/// the change is told it is saved.
pub(crate) fn channel_lost_holding(decision: &Decision) -> Option<Option<ChannelLoss>> {
    let t = decision.trouble.as_ref()?;
    (t.held.is_some() && t.channel_waits()).then_some(t.channel_lost)
}

/// Why what `decision` saved reaches nobody yet, in the order they are read before the answer
/// to whoever made the change: its channel is lost, Slack refuses the bot token, or the bot's
/// calls cannot reach Slack. The command and the form in its place say the same: whoever saved
/// it must not believe the channel has it.
pub(crate) fn saved_warnings(app: &App, decision: &Decision) -> Vec<String> {
    let l = app.config.locale;
    let mut warnings = Vec::new();
    // A reopening's own answer says it, with the channel to unarchive.
    let reopened_lost = matches!(
        &decision.reply,
        Some(crate::trouble::decide::Reply::Step(
            crate::trouble::facts::StepReply::Reopened {
                still_lost: Some(_),
                ..
            }
        ))
    );
    if let (Some(how), Some(_), false) = (channel_lost_holding(decision), &decision.reply, reopened_lost) {
        warnings.push(crate::i18n::saved_while_channel_lost(l, how));
    }
    if !decision.deliveries.is_empty() {
        if let Some(error) = app.slack.token_refused() {
            warnings.push(crate::i18n::saved_while_token_refused(l, error));
        } else if let Some(since) = app.pacer.slack_unreachable_since() {
            // Its way out is down while Slack's requests still come in: saved, and told once
            // Slack answers again.
            let tz = app.config.policy.timezone;
            warnings.push(crate::i18n::saved_while_slack_unreachable(l, tz, since));
        }
    }
    warnings
}

/// A request already handled (a replay, or a double submit): 200 and nothing else.
pub(crate) fn already_handled() -> Response {
    tracing::info!("a request already handled came again; answered without effect");
    StatusCode::OK.into_response()
}

/// Where a request came from, which decides how a failure is told (see [`failed`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Surface {
    /// A slash command: Slack shows our answer to the person who typed it.
    Command,
    /// A modal submission: Slack shows field errors on the open form (the apology goes on this field).
    Modal { field: &'static str },
    /// A button click: Slack shows nothing of our body; a non-200 marks the click as failed.
    Click,
    /// An Events API delivery: nobody reads it; a non-200 makes Slack deliver it again.
    Event,
}

/// A request the bot could not carry out (nothing of it was stored), logged with `what` and
/// answered the one way each surface has to tell it. Where Slack shows our answer to a person
/// (a command, a modal) that is an apology in their language with 200: a 500 there shows only
/// Slack's own untranslated "failed with the error", and a modal would close on it, losing
/// what was typed. Where nobody reads our body (an event, a click) it is a 500: Slack then
/// redelivers the event — which is safe, as its id was not stored — and marks the click as failed.
pub(crate) fn failed(app: &App, surface: Surface, what: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "{what}");
    let sorry = || match app.store.writes_halted() {
        Some(_) => i18n::sorry_store_halted(app.config.locale),
        None => i18n::sorry_internal(app.config.locale),
    };
    match surface {
        Surface::Command => ephemeral_text(sorry()),
        Surface::Modal { field } => {
            Json(json!({"response_action": "errors", "errors": { field: sorry() }})).into_response()
        }
        Surface::Click | Surface::Event => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[cfg(test)]
mod tests {
    /// Every request's future is moved whole on its way through axum and the server. Their
    /// awaits of the store, the engine and Slack are boxed: unboxed, the largest branch made
    /// each command's future 18 KB (help's too), an event's 16 KB and an interaction's 18 KB,
    /// copied for every request (3% of the CPU of a burst of `/trouble help`; BENCHMARKS.md).
    #[tokio::test]
    async fn a_request_future_holds_little_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = crate::config::Config::from_sources(None, &Default::default()).expect("default config");
        let store = crate::store::Store::open_sled(dir.path()).expect("store opens");
        let app = crate::app::App::new(config, crate::clock::Clock::System, store);
        let state = || axum::extract::State(app.clone());
        let sizes = [
            (
                "command",
                std::mem::size_of_val(&super::commands::handle(state(), Default::default())),
            ),
            (
                "event",
                std::mem::size_of_val(&super::events::handle(state(), Default::default(), Default::default())),
            ),
            (
                "interaction",
                std::mem::size_of_val(&super::interactions::handle(
                    state(),
                    Default::default(),
                    Default::default(),
                )),
            ),
        ];
        for (kind, size) in sizes {
            assert!(size <= 4096, "a request's future for a {kind} takes {size} bytes");
        }
    }
}
