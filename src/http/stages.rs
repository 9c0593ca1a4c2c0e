//! The shell's part of the new stages: the facts and action forms, search across troubles, and the recurrence check that reads other troubles.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{already_handled, ephemeral_text, failed, Surface};
use crate::app::App;
use crate::engine::Applied;
use crate::i18n::{modals, reply_text, stages::search_text};
use crate::slack::blocks::escape;
use crate::slack::contracts::FactsMetadata;
use crate::slack::payloads::View;
use crate::store::{Hit, StoreError};
use crate::trouble::actions::{parse_new_action, ActionKind};
use crate::trouble::command::{Command, UsageError};
use crate::trouble::customer::customer_key;
use crate::trouble::decide::{self, Ctx, Input, Reply};
use crate::trouble::facts::{FactKey, Step, StepReply};
use crate::trouble::model::{Trouble, TroubleId, UserId};
use crate::trouble::search;

/// `/trouble fact` or `/trouble action` with no text: the core says whether this user may,
/// then the form opens at once (its trigger id lasts 3 s).
pub(super) async fn open_form(
    app: &Arc<App>,
    trigger_id: Option<String>,
    id: &TroubleId,
    user: UserId,
    step: Step,
) -> Response {
    let l = app.config.locale;
    let t = match app.store.get(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return ephemeral_text(reply_text(l, &app.config, &Reply::NotInTroubleChannel)),
        Err(e) => return failed(app, Surface::Command, "cannot read a trouble", e),
    };
    // A dry run of the core's rule (who may add facts or actions): nothing is stored, the form
    // is only opened when the core agrees.
    let ctx = Ctx {
        policy: &app.config.policy,
        now: app.clock.now(),
    };
    let facts = step == Step::FactModal;
    let decision = decide::decide(
        &ctx,
        &t,
        Input::Command {
            user,
            command: Command::Step(step),
        },
    );
    match decision.reply {
        Some(Reply::Step(StepReply::Shell)) => {}
        Some(reply) => return ephemeral_text(reply_text(l, &app.config, &reply)),
        None => return StatusCode::OK.into_response(),
    }
    let Some(trigger_id) = trigger_id.filter(|t| !t.is_empty()) else {
        return ephemeral_text(crate::i18n::sorry_internal(l));
    };
    let view = if facts {
        modals::facts_modal(l, &t)
    } else {
        modals::action_modal(l, &t)
    };
    match app.slack.open_view(&trigger_id, &view).await {
        Ok(()) => {
            app.metrics.slack_call("views.open", "ok");
            StatusCode::OK.into_response()
        }
        Err(e) => {
            let form = match facts {
                true => crate::i18n::Form::Facts,
                false => crate::i18n::Form::Action,
            };
            ephemeral_text(super::form_refused(app, &e, form))
        }
    }
}

/// How many matches `/trouble search` shows (the rest are counted).
const SEARCH_SHOWN: usize = 20;

/// `/trouble search TEXT`: newest first, only troubles the asker may see. The words are
/// looked up in the store's search texts, the whole query also as a customer (its index), and
/// a trouble's id as that trouble; only the troubles shown are read whole.
pub(super) async fn search(app: &Arc<App>, user: &UserId, query: &str) -> Response {
    match search_hits(app, user, query).await {
        Ok((shown, total)) => ephemeral_text(search_text(app.config.locale, &app.config, query, &shown, total)),
        Err(e) => failed(app, Surface::Command, "cannot search troubles", e),
    }
}

async fn search_hits(app: &Arc<App>, user: &UserId, query: &str) -> Result<(Vec<Trouble>, usize), StoreError> {
    let mut hits = app.store.search(search::query_words(query)).await?;
    // An id typed finds its trouble, which holds no id among its words.
    let named = crate::trouble::command::trouble_ids_in(query);
    for t in app.store.get_many(&named).await? {
        if !hits.iter().any(|h| h.id == t.id) {
            hits.push(Hit {
                id: t.id,
                opened_at: t.opened_at,
                private: t.private,
            });
        }
    }
    let whole = customer_key(&app.config.policy.customers, query);
    if !whole.is_empty() {
        for t in app.store.customer_troubles(&app.config.policy.customers, query).await? {
            if !hits.iter().any(|h| h.id == t.id) {
                hits.push(Hit {
                    id: t.id,
                    opened_at: t.opened_at,
                    private: t.private,
                });
            }
        }
    }
    hits.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then_with(|| a.id.cmp(&b.id)));
    let flagged: Vec<_> = hits.into_iter().map(|h| (h.id, h.private)).collect();
    let seen = super::commands::seen_by(app, user, &flagged).await?;
    let visible: Vec<TroubleId> = flagged
        .into_iter()
        .zip(seen)
        .filter_map(|((id, _), s)| s.then_some(id))
        .collect();
    let shown = app.store.get_many(&visible[..visible.len().min(SEARCH_SHOWN)]).await?;
    Ok((shown, visible.len()))
}

/// After a trouble gains a part or lot: earlier troubles of the same customer that had it are
/// flagged in its kickoff thread as a possible recurrence, and other customers' troubles that
/// had it as the same part or lot elsewhere (the core decides, once per other trouble). The
/// other customers' open troubles are then checked the same way, so their channels learn of
/// this one too, each told only of what its own readers may see.
pub(crate) async fn flag_recurrence(app: &Arc<App>, id: &TroubleId) {
    for other in flag_sharing(app, id).await {
        flag_sharing(app, &other).await;
    }
}

/// How many other customers' troubles one check names at most.
const ELSEWHERE_NAMED: usize = 10;

/// Flags in trouble `id`'s kickoff thread what [`flag_recurrence`] says; returns the other
/// customers' open troubles that share a part or lot with it, to be checked in turn.
async fn flag_sharing(app: &Arc<App>, id: &TroubleId) -> Vec<TroubleId> {
    let policy = &app.config.policy;
    let t = match app.store.get(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the trouble for the recurrence check");
            return Vec::new();
        }
    };
    let same_customer = match app.store.customer_troubles(&policy.customers, &t.customer).await {
        Ok(troubles) => troubles,
        Err(e) => {
            tracing::error!(error = %e, "cannot read troubles for the recurrence check");
            return Vec::new();
        }
    };
    let elsewhere = match troubles_sharing(app, &t).await {
        Ok(troubles) => troubles,
        Err(e) => {
            tracing::error!(error = %e, "cannot read other customers' troubles for the recurrence check");
            Vec::new()
        }
    };
    let key = customer_key(&policy.customers, &t.customer);
    let to_check: Vec<TroubleId> = elsewhere
        .iter()
        .filter(|o| o.closed.is_none() && customer_key(&policy.customers, &o.customer) != key)
        .filter(|o| !o.substance.recurrences.contains(&t.id))
        .map(|o| o.id.clone())
        .collect();
    let found: Vec<_> = search::earlier_sharing(policy, &t, &same_customer)
        .into_iter()
        .chain(
            // A lot gone to many customers is named by its newest troubles, not by a flood.
            search::elsewhere_sharing(policy, &t, &elsewhere)
                .into_iter()
                .filter(|e| !t.substance.recurrences.contains(&e.id))
                .take(ELSEWHERE_NAMED),
        )
        .filter(|e| !t.substance.recurrences.contains(&e.id))
        .collect();
    // Another customer's troubles linked now: the prevention measures they recorded before
    // the link are told here too, as those recorded after it will be (横展開).
    let linked: Vec<&Trouble> = found
        .iter()
        .filter(|e| e.customer.is_some())
        .filter_map(|e| elsewhere.iter().find(|o| o.id == e.id))
        .collect();
    if !found.is_empty() {
        if let Err(e) = app.engine().apply(id, &[], Input::Recurrence(found.clone())).await {
            tracing::error!(error = %e, "cannot flag a recurrence");
        }
    }
    for other in linked {
        for (n, a, more) in crate::trouble::facts::measures_told_at_link(other) {
            tell_measure(app, other, id, n, a, false, more).await;
        }
    }
    // Another customer's closed troubles are not checked in turn (nothing new is said in their
    // channels), but each is told of this one, once, by DM to its owner and manager: the same
    // part or lot come back after its close may mean its measures did not hold. Only where its
    // readers may be told of this one, and for the newest few.
    let closed = elsewhere
        .iter()
        .filter(|o| o.closed.is_some() && customer_key(&policy.customers, &o.customer) != key)
        .filter(|o| !o.substance.recurrences.contains(&t.id))
        .filter_map(|o| {
            let told = search::elsewhere_sharing(policy, o, std::slice::from_ref(&t));
            (!told.is_empty()).then(|| (o.id.clone(), o.opened_at, told))
        });
    // So is each closed trouble of the same customer that had it, before this one: the same
    // part or lot coming back is the recurrence its measures were to prevent (再発).
    let recurred = same_customer
        .iter()
        .filter(|o| o.closed.is_some() && o.opened_at < t.opened_at)
        .filter(|o| !o.substance.recurrences.contains(&t.id))
        .filter_map(|o| {
            let told = search::later_sharing(policy, o, std::slice::from_ref(&t));
            (!told.is_empty()).then(|| (o.id.clone(), o.opened_at, told))
        });
    let mut closed: Vec<_> = closed.chain(recurred).collect();
    closed.sort_by_key(|(_, opened, _)| std::cmp::Reverse(*opened));
    for (other, _, told) in closed.into_iter().take(ELSEWHERE_NAMED) {
        if let Err(e) = app.engine().apply(&other, &[], Input::Recurrence(told)).await {
            tracing::error!(error = %e, "cannot tell a closed trouble of the same part or lot elsewhere");
        }
    }
    to_check
}

/// Which prevention action of a trouble [`deploy_measure`] tells.
#[derive(Clone, Copy)]
pub(crate) enum Deployed {
    /// The one just recorded (the newest).
    Newest,
    /// Action `n`, whose text was just corrected.
    Corrected(usize),
}

/// After trouble `id` recorded a prevention action, or corrected one's text: the open troubles
/// whose check named it (a part or lot in common) are told of it in their kickoff threads.
pub(crate) async fn deploy_measure(app: &Arc<App>, id: &TroubleId, which: Deployed) {
    let t = match app.store.get(id).await {
        Ok(Some(t)) => t,
        Ok(None) => return,
        Err(e) => return tracing::error!(error = %e, "cannot read the trouble for deploying a measure"),
    };
    let prevention = |a: &&crate::trouble::actions::Action| a.kind == ActionKind::Prevent;
    let found = match which {
        Deployed::Newest => t
            .substance
            .actions
            .iter()
            .enumerate()
            .rev()
            .find(|(_, a)| prevention(a)),
        Deployed::Corrected(n) => n
            .checked_sub(1)
            .and_then(|i| t.substance.actions.get(i).map(|a| (i, a)))
            .filter(|(_, a)| prevention(a) && a.cancelled.is_none()),
    };
    let Some((n, action)) = found else {
        return;
    };
    let others = match troubles_sharing(app, &t).await {
        Ok(others) => others,
        Err(e) => return tracing::error!(error = %e, "cannot read the troubles a measure concerns"),
    };
    let corrected = matches!(which, Deployed::Corrected(_));
    for other in others
        .iter()
        .filter(|o| o.closed.is_none() && o.substance.recurrences.contains(&t.id))
    {
        tell_measure(app, &t, &other.id, n + 1, action, corrected, 0).await;
    }
}

/// Tells trouble `to` of prevention action `n` of `from` (the core tells it only while `to` is
/// open and names `from`), and of `more` left untold after it.
async fn tell_measure(
    app: &Arc<App>,
    from: &Trouble,
    to: &TroubleId,
    n: usize,
    action: &crate::trouble::actions::Action,
    corrected: bool,
    more: u32,
) {
    let measure = crate::trouble::facts::MeasureElsewhere {
        id: from.id.clone(),
        channel: from.channel.clone(),
        customer: from.customer.clone(),
        n,
        text: action.text.clone(),
        corrected,
        more,
    };
    if let Err(e) = app.engine().apply(to, &[], Input::MeasureElsewhere(measure)).await {
        tracing::error!(error = %e, "cannot tell a measure to a trouble sharing a part or lot");
    }
}

/// The troubles, of any customer, that had one of `t`'s parts or lots: looked up in the
/// store's search texts, then read and held to the part or lot itself.
async fn troubles_sharing(app: &Arc<App>, t: &Trouble) -> Result<Vec<Trouble>, StoreError> {
    let mut ids: Vec<TroubleId> = Vec::new();
    for words in search::part_and_lot_queries(t) {
        for hit in app.store.search(words).await? {
            if hit.id != t.id && !ids.contains(&hit.id) {
                ids.push(hit.id);
            }
        }
    }
    let mut troubles = app.store.get_many(&ids).await?;
    troubles.retain(|o| search::share_a_part_or_lot(t, o));
    Ok(troubles)
}

/// The facts typed in a form (the facts form or the open form), escaped like command text.
pub(super) fn facts_in(view: &View) -> Vec<(FactKey, String)> {
    facts_as_sent(view).into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

/// Every fact field a form sent, empty ones too (the facts form shows what is recorded: one
/// left empty was emptied).
fn facts_as_sent(view: &View) -> Vec<(FactKey, String)> {
    FactKey::ALL
        .iter()
        .filter_map(|k| {
            let block = format!("fact_{}", k.code());
            let typed = view.input(&block).or_else(|| view.sent(&block).then(String::new))?;
            Some((*k, escape(&k.as_recorded(typed.trim()))))
        })
        .collect()
}

/// Applies a step decided from a form to trouble `id`; a refusal stays on the form's `field`.
async fn submit_step(
    app: &Arc<App>,
    id: &TroubleId,
    user: UserId,
    step: Step,
    seen: &[&str],
    field: &'static str,
) -> Response {
    let l = app.config.locale;
    let recheck = matches!(step, Step::Facts(_) | Step::FactsForm { .. });
    let command = Command::Step(step);
    let measure = command.records_a_measure();
    let input = Input::Command { user, command };
    match app.engine().apply(id, seen, input).await {
        Ok(Applied::Decided(decision)) => match &decision.reply {
            Some(reply) if decision.trouble.is_none() => {
                // An occurrence that does not read is said on its own field.
                let field = match reply {
                    Reply::Usage(UsageError::BadOccurred(_)) => "fact_occurred".to_string(),
                    Reply::Usage(
                        UsageError::FactEmptied { key, .. }
                        | UsageError::FactChangedMeanwhile { key, .. }
                        | UsageError::FactOnEarlierForm { key, .. },
                    ) => format!("fact_{}", key.code()),
                    _ => field.to_string(),
                };
                stays_open(&field, reply_text(l, &app.config, reply))
            }
            _ => {
                if recheck {
                    flag_recurrence(app, id).await;
                }
                if measure {
                    deploy_measure(app, id, Deployed::Newest).await;
                }
                // What the command would answer, shown when it warns: the form must not close
                // on "not a working day" or "no due date" silently.
                match &decision.reply {
                    Some(reply @ Reply::Step(step)) if step.warns(&app.config.policy) => {
                        let answer = reply_text(l, &app.config, reply);
                        let view = crate::i18n::modals::action_answer_modal(l, &answer);
                        axum::Json(json!({"response_action": "update", "view": view})).into_response()
                    }
                    _ => StatusCode::OK.into_response(),
                }
            }
        },
        Ok(Applied::AlreadyHandled) => already_handled(),
        Err(e) => failed(app, Surface::Modal { field }, "cannot store a form", e),
    }
}

fn stays_open(field: &str, text: String) -> Response {
    axum::Json(json!({"response_action": "errors", "errors": { field: text }})).into_response()
}

pub(super) async fn on_facts_submitted(app: &Arc<App>, user: UserId, view: &View, seen: &[&str]) -> Response {
    let fields = facts_as_sent(view);
    let meta = FactsMetadata::parse(&view.private_metadata);
    let id = TroubleId::new(&meta.trouble);
    let step = Step::FactsForm {
        fields,
        shown: meta.shown,
    };
    submit_step(app, &id, user, step, seen, "fact_part").await
}

pub(super) async fn on_action_submitted(app: &Arc<App>, user: UserId, view: &View, seen: &[&str]) -> Response {
    let l = app.config.locale;
    let kind = view
        .input("kind")
        .and_then(|k| ActionKind::parse(&k))
        .unwrap_or(ActionKind::Interim);
    let text = escape(view.input("text").unwrap_or_default().trim());
    let mut typed = text;
    for (option, block) in [("owner:", "owner"), ("due:", "due"), ("check:", "check")] {
        if let Some(v) = view.input(block).filter(|v| !v.trim().is_empty()) {
            typed.push_str(&format!(" {option}{}", v.trim()));
        }
    }
    let step = match parse_new_action(kind, &typed) {
        Ok(a) => match app.refuse_the_bot(a.owner.iter()) {
            Some(refusal) => return stays_open("owner", refusal),
            None => match Box::pin(app.unfit_among(a.owner.iter().collect(), a.owner.iter().collect())).await {
                Some(unfit) => return stays_open("owner", unfit.refusal(l, crate::trouble::command::Part::Owner)),
                None => Step::Action(a),
            },
        },
        Err(e) => return stays_open("text", crate::i18n::usage_text(l, &e)),
    };
    let id = TroubleId::new(&view.private_metadata);
    submit_step(app, &id, user, step, seen, "due").await
}

/// The facts given in the open form, recorded on the trouble it opened (a second decision:
/// the trouble stands whatever they say).
pub(super) async fn facts_at_open(app: &Arc<App>, id: &TroubleId, user: UserId, facts: Vec<(FactKey, String)>) {
    let input = Input::Command {
        user,
        command: Command::Step(Step::FactsForm {
            fields: facts,
            shown: None,
        }),
    };
    match app.engine().apply(id, &[], input).await {
        Ok(_) => flag_recurrence(app, id).await,
        Err(e) => tracing::error!(error = %e, "cannot record the facts given at open"),
    }
}
