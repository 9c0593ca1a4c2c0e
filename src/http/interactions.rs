//! `POST /slack/interactions`: buttons (`block_actions`) and modal submissions (`view_submission`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{already_handled, check_team, failed, request_key, verify, Surface};
use crate::app::App;
use crate::engine::Applied;
use crate::i18n::modals::{field_error, with_contact, FieldError};
use crate::i18n::{reply_text, Locale};
use crate::slack::blocks::escape;
use crate::slack::contracts::{Action, ButtonValue, Callback, OpenMetadata};
use crate::slack::payloads::Interaction;
use crate::trouble::command::{parse_user, OpenRequest};
use crate::trouble::decide::{ButtonAction, Delivery, Dest, Input, Lane, Message, Op, Reply};
use crate::trouble::model::{ChannelId, Origin, TroubleId, UserId};

#[derive(serde::Deserialize)]
struct Form {
    payload: String,
}

pub async fn handle(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let request_key = match verify(&app, &headers, &body) {
        Ok(signature) => request_key(signature),
        Err(r) => return r.into_response(),
    };
    let Ok(form) = serde_urlencoded::from_bytes::<Form>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected a form with a payload field").into_response();
    };
    let Ok(payload) = serde_json::from_str::<serde_json::Value>(&form.payload) else {
        return (StatusCode::BAD_REQUEST, "payload is not an interaction").into_response();
    };
    answer_interaction(&app, payload, &request_key).await
}

/// An interaction payload that came from Slack (signed, or over the socket) → the answer
/// (an empty 200, or a modal's `response_action`). The HTTP route and Socket Mode both
/// answer through here. Each kind's handling is boxed, so that every interaction's future stays
/// small (see `a_request_future_holds_little_memory` in `http`).
pub(crate) async fn answer_interaction(app: &Arc<App>, payload: serde_json::Value, request_key: &str) -> Response {
    let app = app.clone();
    let request_key = request_key.to_string();
    let response_url = payload.get("response_url").and_then(|u| u.as_str()).map(str::to_string);
    let Ok(interaction) = serde_json::from_value::<Interaction>(payload) else {
        return (StatusCode::BAD_REQUEST, "payload is not an interaction").into_response();
    };
    if let Err(r) = check_team(&app, interaction.team_id(), interaction.enterprise_id()) {
        return r.into_response();
    }
    let (clicker_team, clicker_org) = interaction.clicker();
    let of_another_org = app.of_another_org(clicker_team, clicker_org);
    let response = match interaction {
        Interaction::BlockActions {
            user,
            actions,
            trigger_id,
            ..
        } => {
            let Some(action) = actions.first() else {
                return StatusCode::OK.into_response();
            };
            let value = ButtonValue::parse(action.value.as_deref().unwrap_or_default());
            let button = match Action::parse(&action.action_id) {
                Some(Action::Acknowledge) => ButtonAction::Acknowledge,
                Some(Action::CompleteStage) => ButtonAction::CompleteStage { stage: value.stage },
                Some(Action::LogUpdate) => ButtonAction::LogUpdate {
                    trigger_id: trigger_id.clone().unwrap_or_default(),
                },
                Some(Action::EffectOk) | Some(Action::EffectNotOk) => ButtonAction::Effect {
                    n: value.stage.unwrap_or(0),
                    effective: Action::parse(&action.action_id) == Some(Action::EffectOk),
                    round: value.round,
                    epoch: value.epoch,
                },
                Some(Action::ProposalApprove) | Some(Action::ProposalReject) => ButtonAction::Proposal {
                    n: value.stage.unwrap_or(0),
                    approve: Action::parse(&action.action_id) == Some(Action::ProposalApprove),
                },
                Some(Action::ActionDone) => ButtonAction::ActionDone {
                    n: value.stage.unwrap_or(0),
                },
                Some(Action::CreateChannel) => ButtonAction::CreateChannel,
                None => return StatusCode::OK.into_response(),
            };
            let id = TroubleId::new(&value.trouble);
            // A customer in a channel shared with them (Slack Connect) sees the bot's buttons
            // but never acknowledges, approves or completes anything for the company.
            let in_list = action
                .block_id
                .as_deref()
                .is_some_and(|b| b.starts_with(crate::i18n::ACK_LIST_BLOCK));
            let clicked = match response_url {
                Some(url) => Clicked::Message {
                    response_url: url,
                    in_list: in_list && matches!(button, ButtonAction::Acknowledge),
                },
                None => Clicked::Home {
                    trigger_id: trigger_id.unwrap_or_default(),
                },
            };
            if of_another_org {
                tracing::info!("refused a button from another organisation");
                let text = crate::i18n::not_for_another_org(app.config.locale);
                answer_clicker(&app, &id, &UserId::new(user.id), clicked, text).await;
                return StatusCode::OK.into_response();
            }
            Box::pin(on_button(
                &app,
                &id,
                UserId::new(user.id),
                button,
                clicked,
                &request_key,
            ))
            .await
        }
        Interaction::ViewSubmission { user, view, .. } => {
            // A form is refused to another organisation as their command and button are: a
            // customer never gets to one of ours by those, yet a modal left open or passed on
            // must not act for the company either (nor answer with our roles' names).
            if of_another_org {
                tracing::info!("refused a form from another organisation");
                let l = app.config.locale;
                return notice(crate::i18n::modals::not_for_another_org_modal(l));
            }
            // One modal is submitted once: a second submission of an accepted view (a double
            // click, a replay) is skipped, while a corrected one after field errors goes through.
            let view_key = format!("view:{}", view.id);
            let mut seen = vec![request_key.as_str()];
            if !view.id.is_empty() {
                seen.push(view_key.as_str());
            }
            let user = UserId::new(user.id);
            // Boxed as one: whichever form it is, the request's future stays small.
            Box::pin(async {
                match Callback::parse(&view.callback_id) {
                    Some(Callback::LogUpdate) => {
                        on_update_submitted(
                            &app,
                            &TroubleId::new(&view.private_metadata),
                            user,
                            view.input("text").unwrap_or_default(),
                            view.input("next"),
                            &seen,
                        )
                        .await
                    }
                    Some(Callback::OpenTrouble) => on_open_submitted(&app, user, &view, &seen).await,
                    Some(Callback::TroubleFacts) => super::stages::on_facts_submitted(&app, user, &view, &seen).await,
                    Some(Callback::TroubleAction) => super::stages::on_action_submitted(&app, user, &view, &seen).await,
                    None => StatusCode::OK.into_response(),
                }
            })
            .await
        }
        Interaction::Other => StatusCode::OK.into_response(),
    };
    app.metrics.request("interactions", response.status().as_u16());
    response
}

/// Where a button was tapped: on a message, answered through its `response_url`, or in App
/// Home, which Slack gives no place for a private answer.
enum Clicked {
    /// `in_list`: an Acknowledge button of a list the bot answered a DM with; the answer takes
    /// the list's place, drawn again with the troubles still waiting, so no button stays live
    /// beside a trouble acknowledged since.
    Message {
        response_url: String,
        in_list: bool,
    },
    Home {
        trigger_id: String,
    },
}

async fn on_button(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    button: ButtonAction,
    clicked: Clicked,
    request_key: &str,
) -> Response {
    if let ButtonAction::LogUpdate { trigger_id } = &button {
        return Box::pin(log_update_form(app, id, user, trigger_id, clicked, request_key)).await;
    }
    let clicker = user.clone();
    let input = Input::Button { user, action: button };
    match app.engine().apply(id, &[request_key], input).await {
        Ok(Applied::Decided(decision)) => {
            // A tap in App Home that changed something shows in the Home, drawn again for
            // everyone it concerns, the tapper among them: five acknowledgements there bring
            // no five DMs. What changed nothing (a refusal, done already) is answered.
            let shown_in_home = matches!(clicked, Clicked::Home { .. }) && !decision.entries.is_empty();
            if let Some(reply) = decision.reply.filter(|_| !shown_in_home) {
                let text = reply_text(app.config.locale, &app.config, &reply);
                answer_clicker(app, id, &clicker, clicked, text).await;
            } else if decision.entries.is_empty() {
                // The core answers every tap on a trouble it holds; silence here is a trouble
                // the store does not hold (a button left from data restored from an older copy).
                answer_unknown_trouble(app, id, &clicker, clicked).await;
            }
            StatusCode::OK.into_response()
        }
        Ok(Applied::AlreadyHandled) => already_handled(),
        Err(e) => failed(app, Surface::Click, "cannot store a button click", e),
    }
}

/// A tap on a button of a trouble the store does not hold is told so, not met with silence.
async fn answer_unknown_trouble(app: &Arc<App>, id: &TroubleId, clicker: &UserId, clicked: Clicked) {
    if matches!(app.store.get(id).await, Ok(None)) {
        let text = crate::i18n::no_record_of_tapped_trouble(app.config.locale).to_string();
        answer_clicker(app, id, clicker, clicked, text).await;
    }
}

/// A click's answer goes back to the clicker alone: through the `response_url` of the message
/// tapped, or, for a tap in App Home, in a small window opened over the Home while the tap's
/// trigger is alive (3 s). When Slack does not open it, the answer comes in the clicker's DM
/// with the bot, so a refused tap never passes in silence; there it starts with the trouble's
/// id, since the DM gathers the answers of every trouble's taps.
async fn answer_clicker(app: &Arc<App>, id: &TroubleId, clicker: &UserId, clicked: Clicked, text: String) {
    let delivery = match clicked {
        Clicked::Message {
            response_url,
            in_list: true,
        } => {
            let waiting = match Box::pin(super::waiting_for_ack(app, clicker)).await {
                Ok(waiting) => waiting,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read what still waits; the list is left as it was");
                    return send_answer(app, respond_apart(response_url, text)).await;
                }
            };
            let text = crate::i18n::answered_in_list(app.config.locale, id, &text, &waiting);
            let acknowledge = waiting
                .iter()
                .take(crate::i18n::ACK_WAITING_SHOWN)
                .map(|w| w.id.clone())
                .collect();
            Delivery {
                lane: Lane::View,
                op: Op::Respond {
                    url: response_url,
                    message: Message::TextWithAcks { text, acknowledge },
                    replace: true,
                },
            }
        }
        Clicked::Message { response_url, .. } => respond_apart(response_url, text),
        Clicked::Home { trigger_id } => {
            let view = crate::i18n::modals::tap_answer_modal(app.config.locale, id, &text);
            if !trigger_id.is_empty() {
                match app.slack.open_view(&trigger_id, &view).await {
                    Ok(()) => {
                        app.metrics.slack_call("views.open", "ok");
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot open the answer to a tap in App Home; it goes by DM");
                        super::views_open_failed(app, &e);
                    }
                }
            }
            Delivery {
                lane: Lane::Dm,
                op: Op::Post {
                    to: Dest::Dm(clicker.clone()),
                    message: Message::Text {
                        text: format!("`{}` · {text}", crate::i18n::id_as_typed(id)),
                    },
                    keep_as: None,
                },
            }
        }
    };
    send_answer(app, delivery).await;
}

async fn send_answer(app: &Arc<App>, delivery: Delivery) {
    if let Err(e) = app.send_loose(delivery, app.clock.now()).await {
        tracing::error!(error = %e, "cannot queue the answer to a click");
    }
}

/// A click's answer beside the message tapped, seen by the clicker alone.
fn respond_apart(response_url: String, text: String) -> Delivery {
    Delivery {
        lane: Lane::View,
        op: Op::Respond {
            url: response_url,
            message: Message::Text { text },
            replace: false,
        },
    }
}

/// **Log update** opens its form here, while the click's trigger id is alive (3 s), not through
/// the outbox, where pacing or a backlog could outlive it. The core says first whether this
/// person may log an update (a dry run: only the request's key is stored, so a replayed click
/// opens nothing); a refusal, or a form Slack would not open, is told to them alone, with the
/// command that does the same.
async fn log_update_form(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    trigger_id: &str,
    clicked: Clicked,
    request_key: &str,
) -> Response {
    let l = app.config.locale;
    let t = match app.store.get(id).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            answer_unknown_trouble(app, id, &user, clicked).await;
            return StatusCode::OK.into_response();
        }
        Err(e) => return failed(app, Surface::Click, "cannot read a trouble", e),
    };
    let ctx = crate::trouble::decide::Ctx {
        policy: &app.config.policy,
        now: app.clock.now(),
    };
    let action = ButtonAction::LogUpdate {
        trigger_id: trigger_id.to_string(),
    };
    let clicker = user.clone();
    let decision = crate::trouble::decide::decide(&ctx, &t, Input::Button { user, action });
    let answer = match decision.reply {
        Some(Reply::Step(crate::trouble::facts::StepReply::Shell)) => {
            match app.store.remember_key(request_key, ctx.now).await {
                Ok(true) => {}
                Ok(false) => return already_handled(),
                Err(e) => return failed(app, Surface::Click, "cannot remember a click", e),
            }
            match app
                .slack
                .open_view(trigger_id, &crate::i18n::modals::update_modal(l, &t))
                .await
            {
                Ok(()) => {
                    app.metrics.slack_call("views.open", "ok");
                    None
                }
                Err(e) => Some(super::form_refused(app, &e, crate::i18n::Form::Update)),
            }
        }
        Some(reply) => Some(reply_text(l, &app.config, &reply)),
        None => None,
    };
    if let Some(text) = answer {
        answer_clicker(app, id, &clicker, clicked, text).await;
    }
    StatusCode::OK.into_response()
}

/// The submitted form is replaced by `view`, which the person must read before closing it.
fn notice(view: serde_json::Value) -> Response {
    Json(json!({"response_action": "update", "view": view})).into_response()
}

fn field_errors(errors: serde_json::Value) -> Response {
    Json(json!({"response_action": "errors", "errors": errors})).into_response()
}

/// The modal stays open with the reason on `field`: a submission is never dropped silently.
fn field_error_on(field: &str, text: String) -> Response {
    field_errors(json!({ field: text }))
}

/// The input of the open modal a refusal is about.
fn open_field_for(reply: &Reply) -> &'static str {
    match reply {
        Reply::UnknownSeverity { .. } => "severity",
        Reply::UnknownDepartment { .. } => "departments",
        Reply::OwnerCannotBeManager | Reply::ManagerReportsToOwner { .. } => "manager",
        _ => "summary",
    }
}

/// Whether a reply turns a submission down (the modal stays open) rather than confirms it.
fn is_refusal(reply: &Reply) -> bool {
    !matches!(
        reply,
        Reply::Opened { .. } | Reply::UpdateLogged { .. } | Reply::Noted | Reply::Status(_)
    )
}

async fn on_update_submitted(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    text: String,
    next: Option<String>,
    seen: &[&str],
) -> Response {
    let l = app.config.locale;
    if !crate::trouble::command::says_something(&text) {
        return field_errors(json!({"text": field_error(l, FieldError::UpdateTextMissing)}));
    }
    // Modal inputs are plain text; the trouble keeps text as Slack's commands deliver it (mrkdwn
    // with &, < and > escaped), so it can be posted back as it is.
    let text = escape(&text);
    let input = Input::UpdateSubmitted {
        user,
        text,
        next: next.filter(|n| !n.trim().is_empty()),
    };
    match app.engine().apply(id, seen, input).await {
        Ok(Applied::Decided(decision)) => match &decision.reply {
            Some(reply @ Reply::BadWhen { .. }) => field_error_on("next", reply_text(l, &app.config, reply)),
            Some(reply) if is_refusal(reply) => field_error_on("text", reply_text(l, &app.config, reply)),
            None if decision.trouble.is_none() => {
                field_error_on("text", reply_text(l, &app.config, &Reply::NotInTroubleChannel))
            }
            reply => {
                // What the command would answer, shown when it says more than "logged" or beside
                // why nobody sees the update yet: the form must not close on it silently.
                let reply = reply.as_ref();
                let answer = reply.map(|r| reply_text(l, &app.config, r)).unwrap_or_default();
                let warnings = super::saved_warnings(app, &decision);
                if warnings.is_empty() && !reply.is_some_and(Reply::update_warns) {
                    return StatusCode::OK.into_response();
                }
                notice(crate::i18n::modals::update_answer_modal(l, &warnings, &answer))
            }
        },
        Ok(Applied::AlreadyHandled) => already_handled(),
        Err(e) => failed(app, Surface::Modal { field: "text" }, "cannot store an update", e),
    }
}

async fn on_open_submitted(
    app: &Arc<App>,
    user: UserId,
    view: &crate::slack::payloads::View,
    seen: &[&str],
) -> Response {
    let l: Locale = app.config.locale;
    // Plain text from the modal, escaped like command text (see on_update_submitted).
    let customer = escape(view.input("customer").unwrap_or_default().trim());
    let summary = escape(view.input("summary").unwrap_or_default().trim());
    let mut errors = serde_json::Map::new();
    if customer.is_empty() {
        errors.insert("customer".into(), json!(field_error(l, FieldError::CustomerMissing)));
    } else if !crate::trouble::customer::is_a_name(&customer) {
        errors.insert("customer".into(), json!(field_error(l, FieldError::CustomerNotAName)));
    }
    if summary.is_empty() {
        errors.insert("summary".into(), json!(field_error(l, FieldError::SummaryMissing)));
    } else if !crate::trouble::command::says_something(&summary) {
        errors.insert("summary".into(), json!(field_error(l, FieldError::SummarySaysNothing)));
    }
    if !errors.is_empty() {
        return field_errors(serde_json::Value::Object(errors));
    }
    let meta = OpenMetadata::parse(&view.private_metadata);
    let origin = Origin {
        channel: ChannelId::new(meta.channel.as_deref().unwrap_or(user.as_str())),
        response_url: meta.response_url,
        by: None,
    };
    let contact = view
        .input("contact")
        .filter(|c| !c.trim().is_empty())
        .map(|c| escape(&c));
    let summary = match contact {
        Some(c) => with_contact(l, &summary, &c),
        None => summary,
    };
    let req = OpenRequest {
        severity: view.input("severity").and_then(|s| s.parse().ok()),
        manager: view.input("manager").and_then(|m| parse_user(&m)),
        departments: view.multi("departments"),
        customer,
        summary,
        past: Vec::new(),
    };
    if let Some(refusal) = app.refuse_the_bot(req.manager.iter()) {
        return field_errors(json!({ "manager": refusal }));
    }
    // Nor someone of the customer's (Slack Connect), nor a deactivated account: said on the
    // field, nothing opened.
    if let Some(unfit) = app.unfit_named_at_open(&user, req.manager.as_ref()).await {
        let refusal = unfit.refusal(l, crate::trouble::command::Part::Manager);
        return field_errors(json!({ "manager": refusal }));
    }
    // The owner is never their own manager, nor managed by their own report: say so on the
    // field rather than closing the form.
    if let Some(refusal) = crate::trouble::decide::open_refusal(&app.config.policy, &user, &req) {
        return field_errors(json!({"manager": reply_text(l, &app.config, &refusal)}));
    }
    let facts = super::stages::facts_in(view);
    if let Err(e) = crate::trouble::facts::check_facts(&facts, app.clock.now(), app.config.policy.timezone) {
        return field_error_on("fact_occurred", reply_text(l, &app.config, &Reply::Usage(e)));
    }
    match app.engine().open(seen, user.clone(), origin, req).await {
        Ok(Applied::Decided(decision)) => {
            // The form's facts go on the new trouble as its first facts.
            if let (Some(t), false) = (&decision.trouble, facts.is_empty()) {
                super::stages::facts_at_open(app, &t.id, user, facts).await;
            }
            match &decision.reply {
                Some(reply) if decision.trouble.is_none() => {
                    field_error_on(open_field_for(reply), reply_text(l, &app.config, reply))
                }
                // Nobody is told while Slack refuses the bot token: the form says so as it closes.
                Some(Reply::Opened { id, .. }) if app.slack.token_refused().is_some() => {
                    let error = app.slack.token_refused().unwrap_or_default();
                    app.pacer.first_look_while_refused(id);
                    notice(crate::i18n::modals::opened_while_token_refused_modal(l, id, error))
                }
                // The modal closes on an empty 200; the reporter hears through the origin notice.
                _ => StatusCode::OK.into_response(),
            }
        }
        Ok(Applied::AlreadyHandled) => already_handled(),
        Err(e) => failed(app, Surface::Modal { field: "summary" }, "cannot open a trouble", e),
    }
}
