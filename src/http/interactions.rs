//! `POST /slack/interactions`: buttons (`block_actions`) and modal submissions (`view_submission`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

use super::{check_team, verify};
use crate::app::{App, Wake};
use crate::i18n::modals::{field_error, with_contact, FieldError};
use crate::i18n::{reply_text, Locale};
use crate::slack::blocks::escape;
use crate::slack::payloads::Interaction;
use crate::store::lane_key;
use crate::trouble::command::{parse_user, OpenRequest};
use crate::trouble::decide::{decide, ButtonAction, Ctx, Delivery, Input, Lane, Message, Op, Reply};
use crate::trouble::model::{ChannelId, Origin, TroubleId, UserId};

#[derive(serde::Deserialize)]
struct Form {
    payload: String,
}

pub async fn handle(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = verify(&app, &headers, &body) {
        return r.into_response();
    }
    let Ok(form) = serde_urlencoded::from_bytes::<Form>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected a form with a payload field").into_response();
    };
    let Ok(interaction) = serde_json::from_str::<Interaction>(&form.payload) else {
        return (StatusCode::BAD_REQUEST, "payload is not an interaction").into_response();
    };
    if let Err(r) = check_team(&app, interaction.team_id()) {
        return r.into_response();
    }
    let response_url = serde_json::from_str::<serde_json::Value>(&form.payload)
        .ok()
        .and_then(|v| v.get("response_url").and_then(|u| u.as_str()).map(str::to_string));
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
            let button = match action.action_id.as_str() {
                "acknowledge" => ButtonAction::Acknowledge,
                "complete_stage" => ButtonAction::CompleteStage {
                    stage: stage_in_value(action.value.as_deref()),
                },
                "log_update" => ButtonAction::LogUpdate {
                    trigger_id: trigger_id.unwrap_or_default(),
                },
                _ => return StatusCode::OK.into_response(),
            };
            // Button values are the trouble id, with `:<stage>` on the stage button.
            let value = action.value.clone().unwrap_or_default();
            let id = TroubleId::new(value.split(':').next().unwrap_or_default());
            on_button(&app, &id, UserId::new(user.id), button, response_url).await
        }
        Interaction::ViewSubmission { user, view, .. } => match view.callback_id.as_str() {
            "log_update" => {
                on_update_submitted(
                    &app,
                    &TroubleId::new(&view.private_metadata),
                    UserId::new(user.id),
                    view.input("text").unwrap_or_default(),
                    view.input("next"),
                )
                .await
            }
            "open_trouble" => on_open_submitted(&app, UserId::new(user.id), &view).await,
            _ => StatusCode::OK.into_response(),
        },
        Interaction::Other => StatusCode::OK.into_response(),
    };
    app.metrics.request("interactions", response.status().as_u16());
    response
}

/// The 0-based stage a "Complete stage N" button was showing, from its value `<id>:<stage>`.
fn stage_in_value(value: Option<&str>) -> Option<usize> {
    value?.split_once(':')?.1.parse().ok()
}

async fn on_button(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    button: ButtonAction,
    response_url: Option<String>,
) -> Response {
    let now = Utc::now();
    let ctx = Ctx {
        config: &app.config,
        now,
    };
    let input = Input::Button { user, action: button };
    match app
        .store
        .update(id, None, None, now, |t| decide(&ctx, t, input.clone()))
    {
        Ok(Ok(decision)) => {
            if let Err(e) = app.commit(&decision).await {
                tracing::error!(error = %e, "cannot flush");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            // A refusal (or any answer) goes back to the clicker alone, through response_url.
            if let (Some(reply), Some(url)) = (decision.reply, response_url) {
                let text = reply_text(app.config.locale, &app.config, &reply);
                let op = Op::Respond {
                    url,
                    message: Message::Text { text },
                };
                match app.store.enqueue_loose(vec![Delivery { lane: Lane::View, op }], now) {
                    Ok(()) => app.wake(Wake::Lane(lane_key(None, Lane::View))),
                    Err(e) => tracing::error!(error = %e, "cannot queue the answer to a click"),
                }
            }
            StatusCode::OK.into_response()
        }
        Ok(Err(_)) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot store a button click");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn field_errors(errors: serde_json::Value) -> Response {
    Json(json!({"response_action": "errors", "errors": errors})).into_response()
}

async fn on_update_submitted(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    text: String,
    next: Option<String>,
) -> Response {
    let l = app.config.locale;
    if text.trim().is_empty() {
        return field_errors(json!({"text": field_error(l, FieldError::UpdateTextMissing)}));
    }
    // Modal inputs are plain text; the trouble keeps text as Slack's commands deliver it (mrkdwn
    // with &, < and > escaped), so it can be posted back as it is.
    let text = escape(&text);
    let now = Utc::now();
    let ctx = Ctx {
        config: &app.config,
        now,
    };
    let input = Input::UpdateSubmitted {
        user,
        text,
        next: next.filter(|n| !n.trim().is_empty()),
    };
    match app
        .store
        .update(id, None, None, now, |t| decide(&ctx, t, input.clone()))
    {
        Ok(Ok(decision)) => {
            if let Some(reply @ Reply::BadWhen { .. }) = &decision.reply {
                return field_errors(json!({"next": reply_text(l, &app.config, reply)}));
            }
            if let Err(e) = app.commit(&decision).await {
                tracing::error!(error = %e, "cannot flush");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            StatusCode::OK.into_response()
        }
        Ok(Err(_)) => StatusCode::OK.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot store an update");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn on_open_submitted(app: &Arc<App>, user: UserId, view: &crate::slack::payloads::View) -> Response {
    let l: Locale = app.config.locale;
    // Plain text from the modal, escaped like command text (see on_update_submitted).
    let customer = escape(view.input("customer").unwrap_or_default().trim());
    let summary = escape(view.input("summary").unwrap_or_default().trim());
    let mut errors = serde_json::Map::new();
    if customer.is_empty() {
        errors.insert("customer".into(), json!(field_error(l, FieldError::CustomerMissing)));
    }
    if summary.is_empty() {
        errors.insert("summary".into(), json!(field_error(l, FieldError::SummaryMissing)));
    }
    if !errors.is_empty() {
        return field_errors(serde_json::Value::Object(errors));
    }
    let meta: serde_json::Value = serde_json::from_str(&view.private_metadata).unwrap_or_default();
    let origin = Origin {
        channel: ChannelId::new(meta.get("channel").and_then(|c| c.as_str()).unwrap_or(user.as_str())),
        response_url: meta.get("response_url").and_then(|c| c.as_str()).map(str::to_string),
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
    };
    // The owner is never their own manager: say so on the field rather than closing the form.
    if let Some(refusal) = crate::trouble::decide::open_refusal(&user, &req) {
        return field_errors(json!({"manager": reply_text(l, &app.config, &refusal)}));
    }
    let now = Utc::now();
    let day = now.with_timezone(&app.config.timezone).format("%Y%m%d").to_string();
    let response = super::commands::open_and_answer(app, &day, user, origin, req).await;
    // The modal closes on an empty 200; the reporter hears through the origin notice.
    if response.status().is_success() {
        StatusCode::OK.into_response()
    } else {
        response
    }
}
