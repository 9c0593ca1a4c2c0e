//! `POST /slack/commands`: the `/trouble` slash command.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{already_handled, check_team, ephemeral, ephemeral_text, internal, verify};
use crate::app::App;
use crate::i18n::{
    self, history_text, list_text, render, reply_text, report_markdown, report_mrkdwn, slack_parts, usage_text,
};
use crate::slack::blocks::SECTION_TEXT_LIMIT;
use crate::slack::payloads::SlashCommand;
use crate::store::{Skip, StoreError};
use crate::trouble::command::{self, Command};
use crate::trouble::decide::{self, Ctx, Decision, Input, Message, Reply};
use crate::trouble::model::{ChannelId, Origin, TroubleId, TroubleSummary, UserId};

pub async fn handle(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    // Slack's TLS check carries no signature and wants only a 200.
    if let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        if form.iter().any(|(k, v)| k == "ssl_check" && v == "1") && !form.iter().any(|(k, _)| k == "command") {
            return StatusCode::OK.into_response();
        }
    }
    let request_key = match verify(&app, &headers, &body) {
        Ok(key) => key,
        Err(r) => return r.into_response(),
    };
    let Ok(cmd) = serde_urlencoded::from_bytes::<SlashCommand>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a slash command").into_response();
    };
    if let Err(r) = check_team(&app, Some(cmd.team_id.as_str()).filter(|t| !t.is_empty())) {
        return r.into_response();
    }
    let response = run(&app, cmd, &request_key).await;
    app.metrics.request("commands", response.status().as_u16());
    response
}

/// `request_key` identifies this request: what it changes is stored with it, and a replay of
/// it is answered without effect.
async fn run(app: &Arc<App>, cmd: SlashCommand, request_key: &str) -> Response {
    let l = app.config.locale;
    let now = Utc::now();
    let command = match command::parse(&cmd.text) {
        Ok(c) => c,
        Err(e) => return ephemeral_text(usage_text(l, &e)),
    };
    let user = UserId::new(&cmd.user_id);
    let channel = ChannelId::new(&cmd.channel_id);
    let ctx = Ctx {
        config: &app.config,
        now,
    };
    match command {
        Command::Help => ephemeral_text(i18n::help(l)),
        Command::List => match app.store.open_summaries() {
            Ok(mut troubles) => {
                troubles.retain(|s| summary_visible(app, s, &user));
                troubles.sort_by_key(|t| (t.severity, t.opened_at));
                ephemeral_text(list_text(l, &troubles, now))
            }
            Err(e) => internal(app, "cannot list troubles", e),
        },
        Command::History(customer) => match app.store.all_troubles() {
            Ok(mut troubles) => {
                let key = |name: &str| crate::trouble::customer::customer_key(&app.config.customers, name);
                let wanted = key(&customer);
                troubles.retain(|t| key(&t.customer) == wanted && decide::may_see(&app.config, t, &user));
                troubles.sort_by_key(|t| std::cmp::Reverse(t.opened_at));
                ephemeral_text(history_text(l, &app.config, &customer, &troubles))
            }
            Err(e) => internal(app, "cannot read history", e),
        },
        Command::Stats(days) => match app.store.all_troubles() {
            Ok(mut troubles) => {
                troubles.retain(|t| decide::may_see(&app.config, t, &user));
                let days = days.unwrap_or(crate::trouble::stats::DEFAULT_DAYS);
                let key = |name: &str| crate::trouble::customer::customer_key(&app.config.customers, name);
                let stats = crate::trouble::stats::stats(&troubles, days, now, key);
                ephemeral_text(crate::i18n::stats::stats_text(l, &app.config, &stats))
            }
            Err(e) => internal(app, "cannot read troubles for stats", e),
        },
        Command::Step(crate::trouble::facts::Step::Search(query)) => super::stages::search(app, &user, &query),
        Command::OpenModal => {
            let Some(trigger_id) = cmd.trigger_id.clone().filter(|t| !t.is_empty()) else {
                return ephemeral_text(usage_text(l, &command::UsageError::OpenNeedsCustomerAndSummary));
            };
            // Trigger ids expire in 3 s: open the modal now rather than through the outbox.
            let view = crate::i18n::modals::open_modal(l, &app.config, &user, &channel, cmd.response_url.as_deref());
            match app.slack.open_view(&trigger_id, &view).await {
                Ok(()) => {
                    app.metrics.slack_call("views.open", "ok");
                    StatusCode::OK.into_response()
                }
                Err(e) => internal(app, "cannot open the modal", e),
            }
        }
        Command::Open(req) => {
            let day = now.with_timezone(&app.config.timezone).format("%Y%m%d").to_string();
            let origin = Origin {
                channel,
                response_url: cmd.response_url.clone(),
            };
            match open_once(app, &day, &[request_key], user, origin, req) {
                Ok(Ok(decision)) => answer(app, decision).await,
                Ok(Err(_)) => already_handled(),
                Err(e) => internal(app, "cannot open a trouble", e),
            }
        }
        command => {
            let Some(id) = app.store.by_channel(&channel).ok().flatten() else {
                return ephemeral_text(reply_text(l, &app.config, &Reply::NotInTroubleChannel));
            };
            if command == Command::Report {
                return post_report(app, &id, request_key, now).await;
            }
            use crate::trouble::facts::Step;
            if let Command::Step(step @ (Step::FactModal | Step::ActionModal)) = command {
                return super::stages::open_form(app, cmd.trigger_id.clone(), &id, user, step).await;
            }
            // A new part or lot may be one an earlier trouble of this customer had.
            let recheck = matches!(command, Command::Step(Step::Facts(_) | Step::FixFact(..)));
            let input = Input::Command { user, command };
            match app.store.update_once(&id, &[request_key], None, now, |t| {
                decide::decide(&ctx, t, input.clone())
            }) {
                Ok(Ok(decision)) => {
                    let changed = decision.trouble.is_some();
                    let response = answer(app, decision).await;
                    if recheck && changed {
                        super::stages::flag_recurrence(app, &id).await;
                    }
                    response
                }
                Ok(Err(_)) => already_handled(),
                Err(e) => internal(app, "cannot store a decision", e),
            }
        }
    }
}

/// Whether `user` may see a listed trouble: a public one from its summary alone, a private one
/// (or one whose summary predates the flag) by the rule on the whole trouble.
fn summary_visible(app: &App, summary: &TroubleSummary, user: &UserId) -> bool {
    if summary.private == Some(false) {
        return true;
    }
    matches!(app.store.get(&summary.id), Ok(Some(t)) if decide::may_see(&app.config, &t, user))
}

/// Opens a trouble (from the text form or the modal) unless one of `seen` opened one before;
/// the keys are stored with the trouble. The caller commits and answers.
pub(crate) fn open_once(
    app: &Arc<App>,
    day: &str,
    seen: &[&str],
    user: UserId,
    origin: Origin,
    req: command::OpenRequest,
) -> Result<Result<Decision, Skip>, StoreError> {
    let now = Utc::now();
    let ctx = Ctx {
        config: &app.config,
        now,
    };
    // The customer's history goes to the core with the request (principle 3: the balance).
    let past = app
        .store
        .all_troubles()
        .map(|all| crate::trouble::customer::past_troubles(&app.config.customers, &req.customer, &all));
    let req = command::OpenRequest {
        past: past.unwrap_or_default(),
        ..req
    };
    app.store.open_trouble_once(day, seen, now, |id: TroubleId, seq| {
        decide::open(&ctx, id, seq, user.clone(), origin.clone(), req.clone())
    })
}

/// Commits what was decided (see `App::commit`), then answers with the decision's reply.
pub(crate) async fn answer(app: &Arc<App>, decision: Decision) -> Response {
    // A flush error is logged there; the decision stands, so the reply is still true.
    let _ = app.commit(&decision).await;
    let l = app.config.locale;
    match decision.reply {
        None => StatusCode::OK.into_response(),
        Some(Reply::Status(t)) => ephemeral(render(l, &app.config, &t, &Message::Status)),
        Some(reply) => ephemeral_text(reply_text(l, &app.config, &reply)),
    }
}

async fn post_report(app: &Arc<App>, id: &TroubleId, request_key: &str, now: chrono::DateTime<Utc>) -> Response {
    let (trouble, timeline) = match (app.store.get(id), app.store.timeline(id)) {
        (Ok(Some(t)), Ok(timeline)) => (t, timeline),
        (Err(e), _) | (_, Err(e)) => return internal(app, "cannot read a trouble", e),
        (Ok(None), _) => {
            return ephemeral_text(reply_text(app.config.locale, &app.config, &Reply::NotInTroubleChannel))
        }
    };
    let markdown = report_markdown(app.config.locale, &app.config, &trouble, &timeline);
    let parts = slack_parts(&report_mrkdwn(&markdown), SECTION_TEXT_LIMIT - 20);
    let ctx = Ctx {
        config: &app.config,
        now,
    };
    match app.store.update_once(id, &[request_key], None, now, |t| {
        decide::report_posts(&ctx, t, parts.clone())
    }) {
        Ok(Ok(decision)) => answer(app, decision).await,
        Ok(Err(_)) => already_handled(),
        Err(e) => internal(app, "cannot queue the report", e),
    }
}
