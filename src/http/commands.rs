//! `POST /slack/commands`: the `/trouble` slash command.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{already_handled, check_team, ephemeral, ephemeral_text, failed, request_key, verify, Surface};
use crate::app::App;
use crate::engine::Applied;
use crate::i18n::{self, history_text, list_text, render, reply_text, usage_text, Rendered};
use crate::slack::payloads::{CommandForm, SlashCommand};
use crate::store::index::{Flagged, Unsure};
use crate::store::StoreError;
use crate::trouble::command::{self, Command};
use crate::trouble::decide::{self, Input, Message, Reply};
use crate::trouble::model::{ChannelId, Origin, TroubleId, TroubleSummary, UserId};

/// Takes the request whole: its headers are read where they are (axum's `HeaderMap` extractor
/// copies them, every value's reference count touched twice, for each command).
pub async fn handle(State(app): State<Arc<App>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    // The server has read the body within BODY_LIMIT already; the bound is kept here as the
    // `Bytes` extractor kept it, should the router ever be served otherwise.
    let Ok(body) = axum::body::to_bytes(body, super::BODY_LIMIT).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let headers = &parts.headers;
    // Slack's TLS check carries no signature and wants only a 200.
    let form = CommandForm::find(&body);
    if form.is_ssl_check() {
        return StatusCode::OK.into_response();
    }
    let signature = match verify(&app, headers, &body) {
        Ok(signature) => signature,
        Err(r) => return r.into_response(),
    };
    let Some(head) = form.head() else {
        return (StatusCode::BAD_REQUEST, "not a slash command").into_response();
    };
    if let Some(answer) = answer_at_once(&app, &head.team_id, head.enterprise_id.as_deref(), &head.text) {
        return answer;
    }
    answer_the_rest(&app, head.command(), &request_key(signature)).await
}

/// A slash command that came over the socket → what Slack shows the user. The HTTP route
/// (`handle`) takes the same two steps, reading only the form's head before the first: a check
/// belongs in [`answer_at_once`] or [`answer_the_rest`], never here.
pub(crate) async fn answer_command(app: &Arc<App>, cmd: SlashCommand, request_key: &str) -> Response {
    if let Some(answer) = answer_at_once(app, &cmd.team_id, cmd.enterprise_id.as_deref(), &cmd.text) {
        return answer;
    }
    answer_the_rest(app, cmd, request_key).await
}

/// The answer to a command that needs nothing stored, read from its workspace (`team`), its
/// organisation (`enterprise`) and its `text` alone: a refusal, or help. The HTTP route reads
/// only these three fields of the form before it (BENCHMARKS.md, 57th entry).
fn answer_at_once(app: &App, team: &str, enterprise: Option<&str>, text: &str) -> Option<Response> {
    if let Err(r) = check_team(app, Some(team), enterprise) {
        return Some(r.into_response());
    }
    // Someone of the customer's, in a channel shared with them (Slack Connect), never opens,
    // notes or moves a trouble for the company, nor reads one.
    if app.of_another_org(Some(team), enterprise) {
        tracing::info!(team = %crate::logs::bounded(team), "refused a command from another organisation");
        app.metrics.request("commands", 200);
        return Some(ephemeral_text(i18n::not_for_another_org(app.config.locale)));
    }
    // Help reads nothing stored and is the same for everyone: answered as soon as its text is
    // parsed, once (`run` reads a text again for the troubles and channels it names, which help
    // ignores; BENCHMARKS.md, 56th entry), and only a text whose first word may ask for help is
    // parsed here. A text that reads as help only once a trouble named first is taken out of
    // it (`20261130-1 help`) still goes through `run`.
    if command::is_help(text) {
        let response = help_answer(app.config.locale);
        app.metrics.request("commands", response.status().as_u16());
        return Some(response);
    }
    None
}

/// Every command [`answer_at_once`] does not answer.
async fn answer_the_rest(app: &Arc<App>, cmd: SlashCommand, request_key: &str) -> Response {
    // A database shared by several instances may stop answering (failing over, hung): a
    // command then answers within Slack's wait. On sled every command answers on the request's
    // own task (a task of its own for each command slowed the benchmark's opens: BENCHMARKS.md,
    // 49th entry).
    let response = if app.store.is_shared() {
        Box::pin(within_slacks_wait(app, cmd, request_key)).await
    } else {
        run(app, cmd, request_key).await
    };
    app.metrics.request("commands", response.status().as_u16());
    response
}

/// How long a command may take before the rep is answered that it is still under way: Slack
/// shows "failed with the error operation_timeout" at 3 s, which tells nobody whether a trouble
/// was opened or the manager will hear.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_millis(2500);

/// Runs the command on a task of its own and answers within [`ANSWER_WITHIN`]: when the shared
/// database does not answer in time (failing over, hung), the rep is told it may or
/// may not be saved and to tell their manager themself, while the command runs on to its end
/// (saved or not, never cut off halfway).
async fn within_slacks_wait(app: &Arc<App>, cmd: SlashCommand, request_key: &str) -> Response {
    let (task_app, key) = (app.clone(), request_key.to_string());
    let mut running = tokio::spawn(async move { run(&task_app, cmd, &key).await });
    match tokio::time::timeout(ANSWER_WITHIN, &mut running).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => failed(app, Surface::Command, "a command's task ended without an answer", e),
        Err(_) => {
            tracing::warn!("a command is still running after {ANSWER_WITHIN:?}: the store is slow to answer");
            ephemeral_text(i18n::still_saving(app.config.locale))
        }
    }
}

/// The help answer never changes: rendered once per locale, then served from memory.
fn help_answer(l: i18n::Locale) -> Response {
    use std::sync::OnceLock;
    static ANSWERS: [OnceLock<Bytes>; 2] = [OnceLock::new(), OnceLock::new()];
    let body = ANSWERS[usize::from(l == i18n::Locale::En)].get_or_init(|| {
        let answer = serde_json::json!({"response_type": "ephemeral", "text": i18n::help(l)});
        Bytes::from(serde_json::to_vec(&answer).expect("the help serializes"))
    });
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body.clone()).into_response()
}

/// `request_key` identifies this request: what it changes is stored with it, and a replay of
/// it is answered without effect.
///
/// Each command's awaits are boxed: a request's future is moved whole on its way through axum
/// and the server, and unboxed the largest of them (the open's, the stats') made every
/// command's 17 KB, help's too, copied for each request.
async fn run(app: &Arc<App>, mut cmd: SlashCommand, request_key: &str) -> Response {
    let l = app.config.locale;
    let now = app.clock.now();
    let known = Box::pin(channels_known(app, &cmd.text)).await;
    let of_channel = |channel: &ChannelId| known.iter().find(|(c, _)| c == channel).map(|(_, id)| id.clone());
    if let Some(text) = command::trouble_named_first(&cmd.text, of_channel) {
        cmd.text = text;
    }
    let user = UserId::new(&cmd.user_id);
    let channel = ChannelId::new(&cmd.channel_id);
    // `sev 3 20261130-1` in a DM: said where it works, not read as a usage error; or, for a
    // trouble with no channel to type in, done there as its channel would.
    let named = command::named_trouble(&cmd.text).or_else(|| command::named_by_channel(&cmd.text, of_channel));
    let mut acting_on = None;
    if let Some(named) = named {
        match Box::pin(named_elsewhere(app, &named, &user, &channel)).await {
            Some(Elsewhere::Answer(answer)) => return ephemeral_text(answer),
            Some(Elsewhere::Acts) => {
                cmd.text = named.without_id;
                acting_on = Some(named.id);
            }
            None => {}
        }
    }
    let (command, unread) = match command::read(&cmd.text) {
        Ok(read) => read,
        Err(e) => return ephemeral_text(usage_text(l, &e)),
    };
    if let Some(refusal) = app.refuse_the_bot(command.people_given_a_part().into_iter()) {
        return ephemeral_text(refusal);
    }
    // Someone of the customer's reads along through Slack Connect; they never take part as one
    // of ours (owner, manager, participant, an action's owner). Nor does someone who has left:
    // what the bot sends them for the part would reach nobody. One look-up answers both.
    let (part, to_reach) = command.people_to_reach().unwrap_or((command::Part::Owner, Vec::new()));
    if let Some(unfit) = Box::pin(app.unfit_among(command.people_joining(), to_reach)).await {
        return ephemeral_text(unfit.refusal(l, part));
    }
    if spans_troubles(&command) && Box::pin(shared_outside(app, &channel)).await {
        return ephemeral_text(i18n::reads_not_where_the_customer_reads(l));
    }
    // `sev1 acme: lid cracked` naming a customer the bot knows is an open with its `open`
    // forgotten, as `sev1 ACME: …` is: typed in a trouble's channel it must not raise THAT one.
    if let Some((customer, answer)) = command::open_in_lower_case_reason(&command) {
        if Box::pin(customer_known(app, &user, &customer)).await {
            return ephemeral_text(usage_text(l, &answer));
        }
    }
    match command {
        Command::Help => help_answer(l),
        Command::List => match Box::pin(open_list(app, &user)).await {
            Ok((shown, total)) => ephemeral_text(list_text(l, &shown, total, &app.config.policy, now)),
            Err(e) => failed(app, Surface::Command, "cannot list troubles", e),
        },
        Command::Mine => match Box::pin(mine(app, &user, now)).await {
            Ok(mine) => ephemeral_text(i18n::mine_text(l, &mine, now)),
            Err(e) => failed(app, Surface::Command, "cannot list someone's troubles", e),
        },
        Command::History(customer) => {
            match Box::pin(app.store.customer_troubles(&app.config.policy.customers, &customer)).await {
                Ok(mut troubles) => {
                    troubles.retain(|t| decide::may_see(&app.config.policy, t, &user));
                    troubles.sort_by_key(|t| std::cmp::Reverse(t.opened_at));
                    ephemeral_text(history_text(l, &app.config, &customer, &troubles))
                }
                Err(e) => failed(app, Surface::Command, "cannot read history", e),
            }
        }
        Command::Stats(days) => {
            let days = days.unwrap_or(crate::trouble::stats::DEFAULT_DAYS);
            let since = now - chrono::Duration::days(days.into());
            match Box::pin(app.store.stats_parts(since, now)).await {
                Ok(parts) => {
                    let flagged: Vec<Flagged> = parts.rows.iter().map(|r| (r.id.clone(), r.private)).collect();
                    let seen = match Box::pin(seen_by(app, &user, &flagged)).await {
                        Ok(seen) => seen,
                        Err(e) => return failed(app, Surface::Command, "cannot read troubles for stats", e),
                    };
                    let visible: Vec<_> = parts
                        .rows
                        .into_iter()
                        .zip(seen)
                        .filter_map(|(r, s)| s.then_some(r))
                        .collect();
                    let aliases = crate::trouble::customer::AliasKeys::of(&app.config.policy.customers);
                    let key = |key: &str| aliases.resolve(key);
                    let stats = crate::trouble::stats::stats_with(parts.summed, &visible, days, now, key);
                    ephemeral_text(crate::i18n::stats::stats_text(l, &app.config, &stats))
                }
                Err(e) => failed(app, Surface::Command, "cannot read troubles for stats", e),
            }
        }
        Command::Step(crate::trouble::facts::Step::Search(query)) => {
            Box::pin(super::stages::search(app, &user, &query)).await
        }
        Command::OpenModal => {
            let Some(trigger_id) = cmd.trigger_id.clone().filter(|t| !t.is_empty()) else {
                return ephemeral_text(usage_text(l, &command::UsageError::OpenNeedsCustomerAndSummary));
            };
            // Trigger ids expire in 3 s: open the modal now rather than through the outbox.
            let view = crate::i18n::modals::open_modal(l, &app.config, &user, &channel, cmd.response_url.as_deref());
            match Box::pin(app.slack.open_view(&trigger_id, &view)).await {
                Ok(()) => {
                    app.metrics.slack_call("views.open", "ok");
                    StatusCode::OK.into_response()
                }
                Err(e) => ephemeral_text(super::form_refused(app, &e, i18n::Form::Open)),
            }
        }
        Command::Open(req) => {
            // The manager named at open is given a part as `manager` gives one (see
            // `App::unfit_named_at_open`): refused before anything is stored or posted.
            if let Some(unfit) = Box::pin(app.unfit_named_at_open(&user, req.manager.as_ref())).await {
                return ephemeral_text(unfit.refusal(l, command::Part::Manager));
            }
            let req = Box::pin(customer_as_known(app, &user, req)).await;
            let origin = Origin {
                channel,
                response_url: cmd.response_url.clone(),
                by: None,
            };
            match Box::pin(app.engine().open(&[request_key], user, origin, req)).await {
                Ok(applied) => answer(app, applied),
                Err(e) => failed(app, Surface::Command, "cannot open a trouble", e),
            }
        }
        mut command => {
            let found = match acting_on {
                Some(id) => Ok(id),
                None => Box::pin(trouble_of(app, &cmd.text, &user, &channel)).await,
            };
            let id = match found {
                Ok(id) => id,
                Err(refused) => return ephemeral(refused),
            };
            // Those named who were never there are left out, and the answer says so after
            // what became of the others: a rep in a hurry gets the rest removed.
            let mut not_there = None;
            if let Command::Remove { users } = &command {
                let outside = Box::pin(never_in_the_channel(app, &id, &user, users)).await;
                if !outside.is_empty() {
                    let rest: Vec<UserId> = users.iter().filter(|u| !outside.contains(u)).cloned().collect();
                    if rest.is_empty() {
                        return ephemeral_text(i18n::not_in_the_channel(l, &outside, true));
                    }
                    not_there = Some(i18n::not_in_the_channel(l, &outside, false));
                    command = Command::Remove { users: rest };
                }
            }
            if command == Command::Report {
                // Known to be shared with the customer: say so at once (the deliverer withholds
                // the report there in any case, should the bot learn it only when posting).
                if app.shared_channels.known(&channel, app.clock.now()) == Some(true) {
                    return ephemeral_text(reply_text(l, &app.config, &Reply::ReportNotInSharedChannel));
                }
                return Box::pin(post_report(app, &id, request_key)).await;
            }
            use crate::trouble::facts::Step;
            if let Command::Step(step @ (Step::FactModal | Step::ActionModal)) = command {
                return Box::pin(super::stages::open_form(app, cmd.trigger_id.clone(), &id, user, step)).await;
            }
            // A corrected customer brings their history, as at open (principle 3: the balance).
            let command = match command {
                Command::Step(Step::FixCustomer { name, .. }) => {
                    let aliases = &app.config.policy.customers;
                    let name = crate::trouble::customer::as_kept(&name);
                    match app.store.customer_troubles(aliases, &name).await {
                        Ok(theirs) => Command::Step(Step::FixCustomer {
                            past: crate::trouble::customer::past_troubles(&app.config.policy, &name, &theirs),
                            name,
                        }),
                        Err(e) => return failed(app, Surface::Command, "cannot read the customer's troubles", e),
                    }
                }
                // The 8D's draft is not for the customer to read before it is reviewed.
                Command::Report8d { .. } => Command::Report8d {
                    shared: Box::pin(shared_outside(app, &channel)).await,
                },
                command => command,
            };
            // A new part or lot may be one an earlier trouble of this customer had; so may an
            // earlier trouble of the customer it is now filed under.
            let recheck = matches!(
                command,
                Command::Step(Step::Facts(_) | Step::FixFact(..) | Step::FixCustomer { .. })
            );
            // A prevention action is told to the troubles sharing a part or lot (横展開).
            let measure = command.records_a_measure();
            let input = Input::Command { user, command };
            match Box::pin(app.engine().apply(&id, &[request_key], input)).await {
                Ok(applied) => {
                    if let Some(status) = Box::pin(status_where_the_customer_reads(app, &channel, &applied)).await {
                        return ephemeral(status);
                    }
                    if let Some(kept) = Box::pin(held_where_the_customer_reads(app, &channel, &applied)).await {
                        return ephemeral(kept);
                    }
                    let changed = matches!(&applied, Applied::Decided(d) if d.trouble.is_some());
                    // So is a prevention action's text corrected, once told (only its text: a
                    // new owner or date changes nothing the other channels weigh).
                    let corrected = match &applied {
                        Applied::Decided(d) => match &d.reply {
                            Some(Reply::Step(crate::trouble::facts::StepReply::ActionCorrected { n, change }))
                                if change.text.is_some() =>
                            {
                                Some(*n)
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    // After the change it made (a refusal is about something else): the words
                    // typed after the people it names that it did not read (`上司 <@U1>さん 至急`).
                    // So is an add whose people were all taking part already: `@bob` typed among
                    // them was no one added either.
                    let added = matches!(&applied, Applied::Decided(d) if matches!(d.reply, Some(Reply::ParticipantsAdded { .. })));
                    let unread = unread.filter(|_| changed || added).map(|u| i18n::not_read(l, &u));
                    let then: Vec<String> = not_there.into_iter().chain(unread).collect();
                    let then = then.join("\n");
                    let response = answer_then(app, applied, Some(then.as_str()).filter(|t| !t.is_empty()));
                    if recheck && changed {
                        Box::pin(super::stages::flag_recurrence(app, &id)).await;
                    }
                    if measure && changed {
                        Box::pin(super::stages::deploy_measure(app, &id, super::stages::Deployed::Newest)).await;
                    }
                    if let (Some(n), true) = (corrected, changed) {
                        let which = super::stages::Deployed::Corrected(n);
                        Box::pin(super::stages::deploy_measure(app, &id, which)).await;
                    }
                    response
                }
                Err(e) => failed(app, Surface::Command, "cannot store a decision", e),
            }
        }
    }
}

/// How many open troubles `/trouble list` shows (the rest are counted).
const LIST_SHOWN: usize = 50;

/// The first [`LIST_SHOWN`] open troubles `user` may see, in the list's order, and how many
/// they may see in all. Only the troubles not known to be public are judged (from the viewers
/// the index carries, or else read: [`seen_among`]); then the head of the list is read as far
/// as the rows shown plus those hidden from `user` reach (unless every open trouble was
/// judged), and the summaries of the rows shown.
async fn open_list(app: &App, user: &UserId) -> Result<(Vec<TroubleSummary>, usize), StoreError> {
    let unsure = app.store.open_unsure().await?;
    let seen = seen_among(app, user, &unsure.unsure).await?;
    if unsure.unsure.len() as u64 >= unsure.open {
        // Every open trouble was judged (channels private): the list is those seen, in the
        // same order, with no head to walk.
        let mut visible: Vec<TroubleId> = unsure
            .unsure
            .into_iter()
            .zip(seen)
            .filter_map(|(u, seen)| seen.then_some(u.id))
            .collect();
        let total = visible.len();
        visible.truncate(LIST_SHOWN);
        return Ok((app.store.summaries_of(&visible).await?, total));
    }
    let mut judged: HashMap<TroubleId, bool> = unsure.unsure.into_iter().map(|u| u.id).zip(seen).collect();
    let hidden = judged.values().filter(|seen| !**seen).count();
    let wanted = LIST_SHOWN + hidden;
    let head = app.store.open_head(wanted).await?;
    // A trouble opened or changed since its judgement is judged now, by the head's flag.
    let unjudged: Vec<Flagged> = head
        .iter()
        .filter(|(id, private)| *private == Some(false) || !judged.contains_key(id))
        .cloned()
        .collect();
    let seen = seen_by(app, user, &unjudged).await?;
    judged.extend(unjudged.into_iter().map(|(id, _)| id).zip(seen));
    let mut visible = Vec::with_capacity(LIST_SHOWN.min(head.len()));
    let whole = head.len() < wanted;
    for (id, _) in head {
        if judged.get(&id) == Some(&true) {
            visible.push(id);
        }
        if visible.len() == LIST_SHOWN && !whole {
            break;
        }
    }
    // A head shorter than asked for is every open trouble: its count is exact.
    let total = if whole {
        visible.len()
    } else {
        (unsure.open as usize).saturating_sub(hidden).max(visible.len())
    };
    visible.truncate(LIST_SHOWN);
    Ok((app.store.summaries_of(&visible).await?, total))
}

/// `user`'s troubles for `/trouble mine`, read as their App Home reads them (their rows in the
/// index, filtered by who may see each, and only the troubles with a proposal read whole, for
/// who may decide it), ranked by the core's [`crate::trouble::home::mine`].
async fn mine(
    app: &App,
    user: &UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<crate::trouble::home::Mine>, StoreError> {
    let policy = &app.config.policy;
    let rows = Box::pin(app.store.home_rows(policy, user)).await?;
    let decisions = Box::pin(app.store.home_decisions(policy, user, &rows)).await?;
    let decisions: Vec<(TroubleId, Vec<usize>)> = decisions.into_iter().map(|(t, ns)| (t.id.clone(), ns)).collect();
    Ok(crate::trouble::home::mine(policy, &rows, &decisions, now))
}

/// Whether `user` may see each of `troubles`, whose channels' privacy an index recorded: a
/// public trouble is seen by all without reading it; the private ones are read and judged by
/// the core's rule in one store call (off the async workers, never all held at once). A
/// trouble no longer stored is not seen.
pub(super) async fn seen_by(app: &App, user: &UserId, troubles: &[Flagged]) -> Result<Vec<bool>, StoreError> {
    let policy = &app.config.policy;
    let private = |flag: &Option<bool>| flag.unwrap_or(policy.private_channels);
    let to_read: Vec<TroubleId> = troubles
        .iter()
        .filter(|(_, flag)| private(flag))
        .map(|(id, _)| id.clone())
        .collect();
    let seen = if to_read.is_empty() {
        Default::default()
    } else {
        let (judge, asker) = (policy.clone(), user.clone());
        app.store
            .which_of(to_read, move |t| decide::may_see(&judge, t, &asker))
            .await?
    };
    Ok(troubles
        .iter()
        .map(|(id, flag)| !private(flag) || seen.contains(id))
        .collect())
}

/// Whether `user` may see each of the open troubles not known to be public: those whose viewers
/// the index carries are judged by the core's rule on them, without a store read; the rest as
/// [`seen_by`] judges them (read).
async fn seen_among(app: &App, user: &UserId, unsure: &[Unsure]) -> Result<Vec<bool>, StoreError> {
    let policy = &app.config.policy;
    let judged: Vec<Option<bool>> = unsure
        .iter()
        .map(|u| u.carried.as_ref().map(|c| c.viewers(u.private).seen_by(policy, user)))
        .collect();
    let unjudged: Vec<Flagged> = unsure
        .iter()
        .zip(&judged)
        .filter(|(_, seen)| seen.is_none())
        .map(|(u, _)| (u.id.clone(), u.private))
        .collect();
    let mut read = seen_by(app, user, &unjudged).await?.into_iter();
    Ok(judged
        .into_iter()
        .map(|seen| seen.or_else(|| read.next()).unwrap_or(false))
        .collect())
}

/// Answers with the reply of what the engine applied.
fn answer(app: &App, applied: Applied) -> Response {
    answer_then(app, applied, None)
}

/// [`answer`], with `then` said after the reply: what the shell left out of the command
/// (`remove` of someone never in the channel).
fn answer_then(app: &App, applied: Applied, then: Option<&str>) -> Response {
    let Applied::Decided(decision) = applied else {
        return already_handled();
    };
    let l = app.config.locale;
    let mut answer = match &decision.reply {
        None => Rendered::text(String::new()),
        Some(Reply::Status(t)) => render(l, &app.config, t, &Message::Status),
        Some(reply) => Rendered::text(reply_text(l, &app.config, reply)),
    };
    if let Some(then) = then {
        answer = Rendered::text(format!("{}\n{then}", answer.text).trim().to_string());
    }
    // A trouble opened while Slack cannot be told says so in its own words, not as a warning
    // before "opened".
    if let (Some(Reply::Opened { id, .. }), false) = (&decision.reply, decision.deliveries.is_empty()) {
        if let Some(error) = app.slack.token_refused() {
            // Told here: the deliverer need not tell them again.
            app.pacer.first_look_while_refused(id);
            return ephemeral_text(i18n::opened_while_token_refused(l, id, error));
        }
        if let Some(since) = app.pacer.slack_unreachable_since() {
            return ephemeral_text(i18n::opened_while_slack_unreachable(
                l,
                app.config.policy.timezone,
                id,
                since,
            ));
        }
    }
    for warning in super::saved_warnings(app, &decision).iter().rev() {
        answer = warned(answer, warning);
    }
    if answer.text.is_empty() && answer.blocks.is_none() {
        return StatusCode::OK.into_response();
    }
    ephemeral(answer)
}

/// The troubles of the channels mentioned where a command names its trouble
/// ([`command::channels_named_first`]), looked up, so a channel renamed by hand names its
/// trouble too.
async fn channels_known(app: &App, text: &str) -> Vec<(ChannelId, TroubleId)> {
    let mut known = Vec::new();
    for channel in command::channels_named_first(text) {
        if let Ok(Some(id)) = Box::pin(app.store.by_channel(&channel)).await {
            known.push((channel, id));
        }
    }
    known
}

/// The trouble a command acts on: the one it names (`status ID`, `ack ID`), or else the one
/// whose channel it is typed in; Err is the answer why there is none. A named trouble must be
/// one `user` may see, as in `/trouble list`, and is not read out in another channel shared
/// outside the company (it would tell the customer of another trouble).
async fn trouble_of(app: &App, text: &str, user: &UserId, channel: &ChannelId) -> Result<TroubleId, Rendered> {
    let ids = command::addressed_troubles(text);
    if ids.len() > 1 {
        let ack = matches!(command::parse(text), Ok(Command::Ack));
        return Err(Rendered::plain(reply_text(
            app.config.locale,
            &app.config,
            &Reply::OneTroubleAtATime { ack, ids },
        )));
    }
    let Some(named) = command::addressed_trouble(text) else {
        return match Box::pin(app.store.by_channel(channel)).await.ok().flatten() {
            Some(id) => Ok(id),
            None if command::may_name_its_trouble(text) => Err(Box::pin(name_one(app, text, user, channel)).await),
            // A closed trouble's channel is often archived: it is reopened by its id from here.
            None if command::is_reopening(text) => {
                Err(Rendered::plain(i18n::name_the_trouble_to_reopen(app.config.locale)))
            }
            None => Err(Rendered::plain(Box::pin(where_to_type(app, user, channel)).await)),
        };
    };
    Box::pin(seen_from_here(app, &named, user, channel))
        .await
        .map_err(Rendered::plain)?;
    Ok(named)
}

/// A command of a trouble's channel typed elsewhere (the channel it was opened from, a DM):
/// where such commands work, with `user`'s troubles ([`with_yours`]).
async fn where_to_type(app: &App, user: &UserId, channel: &ChannelId) -> String {
    let answer = reply_text(app.config.locale, &app.config, &Reply::NotInTroubleChannel);
    with_yours(app, answer, user, channel).await
}

/// `answer`, with the open troubles `user` owns or manages below it, the newest first, each
/// with its channel (a manager with fifteen on a phone owns none of them), unless the channel
/// is shared outside the company.
async fn with_yours(app: &App, answer: String, user: &UserId, channel: &ChannelId) -> String {
    let mut yours: Vec<_> = match Box::pin(app.store.home_rows(&app.config.policy, user)).await {
        Ok(rows) => rows.into_iter().filter(|r| r.owns || r.manages).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the troubles someone owns or manages");
            return answer;
        }
    };
    // Slack is asked about the channel only when there is something to list.
    if yours.is_empty() || Box::pin(shared_outside(app, channel)).await {
        return answer;
    }
    yours.sort_by(|a, b| b.id.opening_order().cmp(&a.id.opening_order()));
    format!(
        "{answer}\n{}",
        i18n::your_troubles_to_type_in(app.config.locale, &yours)
    )
}

/// Trouble `id`, when `user` may see it and it may be told of in `channel`; Err is the answer
/// why not: the same for a trouble they may not see as for one that does not exist.
async fn seen_from_here(
    app: &App,
    id: &TroubleId,
    user: &UserId,
    channel: &ChannelId,
) -> Result<Arc<crate::trouble::model::Trouble>, String> {
    let l = app.config.locale;
    let trouble = Box::pin(app.store.get(id)).await.ok().flatten();
    let Some(trouble) = trouble.filter(|t| decide::may_see(&app.config.policy, t, user)) else {
        return Err(i18n::no_trouble_you_may_see(l, id));
    };
    if trouble.channel.as_ref() != Some(channel) && Box::pin(shared_outside(app, channel)).await {
        return Err(i18n::another_trouble_not_where_the_customer_reads(l));
    }
    Ok(trouble)
}

/// `status` or `ack` with no id, outside a trouble's channel: how to name the trouble. For
/// `ack`, the troubles waiting for `user`'s acknowledgement (their App Home's), with their ids
/// and buttons, unless the channel is shared outside the company.
async fn name_one(app: &App, text: &str, user: &UserId, channel: &ChannelId) -> Rendered {
    let l = app.config.locale;
    if command::parse(text) != Ok(Command::Ack) {
        let answer = i18n::name_the_trouble(l, "status");
        return Rendered::plain(Box::pin(with_yours(app, answer, user, channel)).await);
    }
    if Box::pin(shared_outside(app, channel)).await {
        return Rendered::plain(i18n::name_the_trouble(l, "ack"));
    }
    match Box::pin(super::waiting_for_ack(app, user)).await {
        Ok(waiting) => i18n::name_the_trouble_to_ack(l, &waiting),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the troubles waiting for an acknowledgement");
            Rendered::plain(i18n::name_the_trouble(l, "ack"))
        }
    }
}

/// What becomes of a command of a trouble's channel typed naming another trouble, or typed
/// outside any trouble's channel ([`named_elsewhere`]).
enum Elsewhere {
    /// Not done: where it works, or that there is no such trouble the typer may see.
    Answer(String),
    /// Done on the trouble named, which has no channel to type it in
    /// ([`crate::trouble::model::Trouble::takes_commands_by_id`]) or is reopened
    /// ([`command::NamedTrouble::reopens`]), or whose own channel it was typed in, the id after
    /// the people it names (or opening `reopen`'s reason).
    Acts,
}

/// A command that acts on the trouble of its channel, typed naming trouble `named.id` where it
/// cannot act on that one (a DM with the bot, another channel): where it works, or that there
/// is no such trouble `user` may see; or, typed outside every trouble's channel for a trouble
/// with no channel to type it in, that it acts on it. None where it acts on the channel's own
/// trouble: in a trouble's channel, with its own id, or with the id only a part of its text (a
/// note's). An id where a trouble is named (`update 20261130-2 told them`) typed in another
/// trouble's channel is that trouble's, never recorded on this one, nor on that one: whoever
/// reads this channel would take it for this trouble's.
async fn named_elsewhere(
    app: &App,
    named: &command::NamedTrouble,
    user: &UserId,
    channel: &ChannelId,
) -> Option<Elsewhere> {
    let mut in_another = false;
    let here = Box::pin(app.store.by_channel(channel)).await;
    // Acting only where surely outside every trouble's channel: a read that failed is not that.
    let outside = matches!(here, Ok(None));
    if let Some(here) = here.ok().flatten() {
        // `manager <@U1> 20261130-1` in that trouble's own channel: the command without its id;
        // so `reopen 20261130-1 REASON`, as its DMs write it to work anywhere.
        let named_there = named.after_the_people || (named.reopens && named.names_a_trouble);
        if here == named.id && named_there && named.reads_without {
            return Some(Elsewhere::Acts);
        }
        if here == named.id || (named.reads_whole && !named.names_a_trouble) {
            return None;
        }
        in_another = true;
    }
    let l = app.config.locale;
    // Meant as words of this trouble's record after all, it can be: written inside the text.
    let hint = if in_another && named.reads_whole {
        format!("\n{}", i18n::id_inside_the_text(l, &named.id))
    } else {
        String::new()
    };
    Some(
        match Box::pin(where_it_works(app, named, user, channel, outside)).await {
            Elsewhere::Answer(answer) => Elsewhere::Answer(format!("{answer}{hint}")),
            Elsewhere::Acts => Elsewhere::Acts,
        },
    )
}

/// Where the command naming `named.id` works, or that there is no such trouble `user` may see;
/// or, `may_act` here (outside every trouble's channel), that it acts, the trouble having no
/// channel to type it in (or the command being `reopen`, see [`command::NamedTrouble::reopens`]):
/// named where a trouble is (not an id inside a note's words), read whole without the id
/// (`close force ID` with no reason is no plain close), and not the report, which goes to a
/// channel only.
async fn where_it_works(
    app: &App,
    named: &command::NamedTrouble,
    user: &UserId,
    channel: &ChannelId,
    may_act: bool,
) -> Elsewhere {
    let l = app.config.locale;
    Elsewhere::Answer(match Box::pin(seen_from_here(app, &named.id, user, channel)).await {
        // No channel to point to (or, for `reopen`, perhaps none anyone can type in: archived):
        // how to name the trouble where it is taken (here, or, typed in another trouble's
        // channel, outside every trouble's).
        Ok(t) if (t.takes_commands_by_id() || named.reopens) && !named.report => {
            let how = match t.takes_commands_by_id() {
                true => i18n::name_it_after_the_command(l, &t.id, &named.without_id, may_act),
                false => i18n::reopen_it_by_id(l, &t.id, may_act),
            };
            match (may_act, &named.lacks, named.names_a_trouble) {
                (true, None, true) if named.reads_without => return Elsewhere::Acts,
                // `done 20261130-1`: what it needs too.
                (_, Some(lacks), _) => format!("{}\n{how}", usage_text(l, lacks)),
                _ => how,
            }
        }
        // Its channel shared with the customer, the internal report is never posted there:
        // pointing there would send the rep back and forth.
        Ok(t) if named.report && Box::pin(trouble_channel_shared(app, &t)).await => {
            i18n::report_not_in_its_shared_channel(l, &t)
        }
        Ok(t) if named.report => i18n::report_in_its_channel(l, &t),
        Ok(t) => match &named.lacks {
            // `done 20261130-1`: where it works, and what it needs there.
            Some(lacks) => format!(
                "{}\n{}",
                i18n::works_in_its_channel(l, &t, &named.without_id),
                usage_text(l, lacks)
            ),
            None => i18n::works_in_its_channel(l, &t, &named.without_id),
        },
        Err(refused) => refused,
    })
}

/// Whether `t`'s own channel is shared outside the company, as far as Slack says in time.
async fn trouble_channel_shared(app: &App, t: &crate::trouble::model::Trouble) -> bool {
    match &t.channel {
        Some(c) => Box::pin(shared_outside(app, c)).await,
        None => false,
    }
}

/// How long a command waits for Slack to say whether its channel is shared outside.
const SHARED_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The reads that tell of many troubles, other customers' and their costs among them.
fn spans_troubles(command: &Command) -> bool {
    use crate::trouble::facts::Step;
    matches!(
        command,
        Command::List | Command::Mine | Command::History(_) | Command::Stats(_) | Command::Step(Step::Search(_))
    )
}

/// Of the people `remove` names, those who are neither in the trouble's record (a part, or
/// seen joining its channel) nor, as Slack says within [`SHARED_WAIT`], members of its channel:
/// removing them would post a removal line about someone never there. The record alone cannot
/// tell (a former owner stays in the channel, unrecorded), so Slack is asked, and only of those
/// the record does not know. Unsure (no answer in time, no channel yet) is none: the removal
/// goes ahead as before. Nor is Slack asked for `remover`, who may not remove: the core's
/// refusal says who may.
async fn never_in_the_channel(app: &App, id: &TroubleId, remover: &UserId, users: &[UserId]) -> Vec<UserId> {
    let Ok(Some(t)) = app.store.get(id).await else {
        return Vec::new();
    };
    if !decide::may(&app.config.policy, &t, remover, decide::Act::Remove) {
        return Vec::new();
    }
    let Some(channel) = t.channel.clone() else {
        return Vec::new();
    };
    let everyone = decide::Viewers::of(&t).everyone(&app.config.policy);
    let unknown: Vec<&UserId> = users.iter().filter(|u| !everyone.contains(u)).collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let asked = app.slack.members_among(&channel, &unknown);
    let Ok(Ok(members)) = tokio::time::timeout(SHARED_WAIT, asked).await else {
        return Vec::new();
    };
    let mut outside: Vec<UserId> = Vec::new();
    for (who, member) in unknown.into_iter().zip(members) {
        if !member && !outside.contains(who) {
            outside.push(who.clone());
        }
    }
    outside
}

/// Whether `channel` is shared outside the company (Slack Connect), as far as Slack says within
/// [`SHARED_WAIT`]. A channel Slack refuses to describe (a missing scope) counts as shared, as
/// everywhere the bot is unsure; one it cannot describe just now (Slack slow or down) does not:
/// a rep keeps their answers through an outage, as a delivery is tried again after one.
async fn shared_outside(app: &App, channel: &ChannelId) -> bool {
    let asked = app.shared_channels.is_shared(&app.slack, channel, app.clock.now());
    matches!(tokio::time::timeout(SHARED_WAIT, asked).await, Ok(Ok(true)))
}

/// `/trouble status` in a trouble's channel that someone shared with the customer (Slack
/// Connect) may have been typed by the customer: the answer leaves out the split, costs and
/// proposals, as the pinned status there does, and says why. `None` for any other answer, and
/// for a status with nothing internal in it ([`shared_outside`] says when Slack is unsure).
async fn status_where_the_customer_reads(app: &App, channel: &ChannelId, applied: &Applied) -> Option<Rendered> {
    let Applied::Decided(decision) = applied else {
        return None;
    };
    let Some(Reply::Status(t)) = &decision.reply else {
        return None;
    };
    if !crate::trouble::approval::has_internal(t) && t.substance.scope.is_empty() {
        return None;
    }
    if !Box::pin(shared_outside(app, channel)).await {
        return None;
    }
    let l = app.config.locale;
    let status = render(
        l,
        &app.config,
        &crate::trouble::approval::for_outside(t),
        &Message::Status,
    );
    Some(warned(status, &i18n::status_left_out_internal(l)))
}

/// A note, or a scope line added or checked, in a channel shared with the customer: the core
/// says the line is for the team alone, the deliverer keeps it from there (the owner and the
/// manager read it by DM, a scope line often naming another customer), and its writer is told
/// why the channel does not show it. `None` for any other answer.
async fn held_where_the_customer_reads(app: &App, channel: &ChannelId, applied: &Applied) -> Option<Rendered> {
    let Applied::Decided(decision) = applied else {
        return None;
    };
    if !crate::trouble::decide::outside::holds_a_line(decision) {
        return None;
    }
    let l = app.config.locale;
    let held = match decision.reply.as_ref()? {
        Reply::Noted => Rendered::plain(i18n::noted_for_the_team_alone(l)),
        reply @ Reply::Step(
            crate::trouble::facts::StepReply::ScopeAdded { .. } | crate::trouble::facts::StepReply::ScopeChecked { .. },
        ) => warned(
            Rendered::text(reply_text(l, &app.config, reply)),
            &i18n::scope_for_the_team_alone(l),
        ),
        _ => return None,
    };
    Box::pin(shared_outside(app, channel)).await.then_some(held)
}

/// `open ACME: Japan K.K.: lid cracked` opens for `ACME Japan K.K.` when that is a customer the
/// bot knows (a `[customers]` name or alias, or an earlier trouble the rep may see), else for `ACME` as
/// typed; the answer names the customer taken either way, so the rep sees which it was.
async fn customer_as_known(
    app: &App,
    user: &UserId,
    req: crate::trouble::command::OpenRequest,
) -> crate::trouble::command::OpenRequest {
    let Some(longer) = command::customer_continued(&req) else {
        return req;
    };
    if Box::pin(customer_known(app, user, &longer.customer)).await {
        longer
    } else {
        req
    }
}

/// Whether `customer` is one the bot knows: a `[customers]` name or alias, or the customer of
/// an earlier trouble `user` may see (so the answer never tells of a private one). Unknown when
/// the store cannot say.
async fn customer_known(app: &App, user: &UserId, customer: &str) -> bool {
    let aliases = &app.config.policy.customers;
    let key = crate::trouble::customer::normalize(customer);
    if crate::trouble::customer::AliasKeys::of(aliases).knows(&key) {
        return true;
    }
    match Box::pin(app.store.customer_troubles(aliases, customer)).await {
        Ok(theirs) => theirs.iter().any(|t| decide::may_see(&app.config.policy, t, user)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read whether a customer is known; taken as unknown");
            false
        }
    }
}

/// `answer` with `warning` before it, in its text and as its first block.
fn warned(answer: Rendered, warning: &str) -> Rendered {
    let text = if answer.text.is_empty() {
        warning.to_string()
    } else {
        format!("{warning}\n{}", answer.text)
    };
    let blocks = answer.blocks.map(|mut blocks| {
        blocks.insert(0, crate::slack::blocks::section(warning));
        blocks
    });
    Rendered { text, blocks }
}

async fn post_report(app: &Arc<App>, id: &TroubleId, request_key: &str) -> Response {
    match app.engine().report(id, &[request_key]).await {
        Ok(applied) => answer(app, applied),
        Err(e) => failed(app, Surface::Command, "cannot queue the report", e),
    }
}
