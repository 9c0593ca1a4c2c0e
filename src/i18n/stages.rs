//! The words of stages 1–4 and 7 with substance (facts, returned goods, scope, cause, actions, reopening, search), in Japanese and English.

use chrono::{DateTime, Utc};

use super::lists::{Item, Long, Weight};
use super::messages::written_cost_phrase;
use super::{format_day_time, Locale};
use crate::config::Config;
use crate::slack::blocks::{actions, button, cut, section};
use crate::slack::blocks::{Block, Rendered};
use crate::slack::contracts::{self, ButtonValue};
use crate::slack::text::{one_line, quoted, user_text, Where};
use crate::trouble::actions::{Action, ActionChange, ActionKind};
use crate::trouble::command::UsageError;
use crate::trouble::decide::{Act, Who};
use crate::trouble::due::DueError;
use crate::trouble::facts::{FactKey, Numbered, OpeningField, ReturnState, StepEvent, StepLine, StepReply};
use crate::trouble::model::{Trouble, UserId};

/// User text inline in the trouble's own channel.
fn here(raw: &str) -> String {
    one_line(raw, Where::OwnChannel)
}

/// User text inline anywhere else (answers, DMs), at most 300 characters.
fn away(raw: &str) -> String {
    cut(&one_line(raw, Where::Elsewhere), 300)
}

/// User text inline in the record (the report's timeline, the export): whole, as typed, since
/// the record is where nothing said is left out (the report in Slack splits long lines).
fn whole(raw: &str) -> String {
    one_line(raw, Where::Elsewhere)
}

/// A cost as written, as every surface says one: `¥120,000（当社負担）`, `¥120,000 (borne by us)`;
/// whole, in the record.
fn cost_whole(l: Locale, amount: &str, payer: &str) -> String {
    written_cost_phrase(l, amount, payer, Where::Elsewhere)
}

fn user(u: &UserId) -> String {
    format!("<@{u}>")
}

fn note_tail(note: &str, place: Where) -> String {
    if note.trim().is_empty() {
        String::new()
    } else {
        format!(" — {}", one_line(note, place))
    }
}

pub fn fact_label(l: Locale, key: FactKey) -> &'static str {
    match key {
        FactKey::Part => tr!(l, "品番", "Part"),
        FactKey::Lot => tr!(l, "ロット", "Lot"),
        FactKey::Qty => tr!(l, "数量", "Quantity"),
        FactKey::Occurred => tr!(l, "発生日時", "Occurred"),
        FactKey::Found => tr!(l, "発見場所・工程", "Found at"),
        FactKey::Symptom => tr!(l, "症状", "Symptom"),
    }
}

pub fn return_label(l: Locale, state: ReturnState) -> &'static str {
    match state {
        ReturnState::Requested => tr!(l, "回収依頼済み", "requested"),
        ReturnState::Shipped => tr!(l, "お客様から発送済み", "shipped by the customer"),
        ReturnState::Received => tr!(l, "現品を受領", "received"),
    }
}

/// Where the returned goods stand, with the quantity and tracking number when given:
/// `shipped by the customer · qty 40 · tracking 1234-5678`.
pub fn return_phrase(l: Locale, state: ReturnState, qty: Option<&str>, tracking: Option<&str>, place: Where) -> String {
    let mut out = return_label(l, state).to_string();
    if let Some(q) = qty {
        out.push_str(&tr!(
            l,
            format!(" · 数量 {}", one_line(q, place)),
            format!(" · qty {}", one_line(q, place))
        ));
    }
    if let Some(x) = tracking {
        out.push_str(&tr!(
            l,
            format!(" · 伝票 {}", one_line(x, place)),
            format!(" · tracking {}", one_line(x, place))
        ));
    }
    out
}

pub fn kind_label(l: Locale, kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Interim => tr!(l, "暫定対策", "interim"),
        ActionKind::Permanent => tr!(l, "恒久対策", "permanent"),
        ActionKind::Prevent => tr!(l, "再発防止", "prevention"),
    }
}

fn numbered(l: Locale, what: Numbered) -> &'static str {
    match what {
        Numbered::Scope => tr!(l, "波及範囲", "scope line"),
        Numbered::Action => tr!(l, "対策", "action"),
        Numbered::Cost => tr!(l, "費用", "cost"),
    }
}

/// An action on one line: `#2 暫定対策 選別 — <@U>さん · 期限 … · 完了`.
fn action_line(l: Locale, config: &Config, n: usize, a: &Action, place: Where) -> String {
    action_line_as_of(l, config, n, a, place, Drawn::default())
}

/// How a trouble's list of actions reads where it stands for the trouble (the status, the
/// report): an open action due by `as_of` is overdue (see `Trouble::status_as_of`), and one
/// still open once the trouble is `closed` was left open at the close, as its stages say.
#[derive(Clone, Copy, Default)]
struct Drawn {
    as_of: Option<DateTime<Utc>>,
    closed: bool,
}

impl Drawn {
    fn of(t: &Trouble) -> Drawn {
        Drawn {
            as_of: t.status_as_of,
            closed: t.closed_by_force(),
        }
    }
}

/// [`action_line`] as the trouble's own lists draw it (see [`Drawn`]).
fn action_line_as_of(l: Locale, config: &Config, n: usize, a: &Action, place: Where, drawn: Drawn) -> String {
    // The report names people without mentioning them.
    let owner = super::person(&a.owner, place);
    action_line_naming(l, config, (n, a), place, &owner, str::to_string, drawn)
}

/// An action on one line, its owner written as `owner` says and the people its text and a
/// cancellation's note name as `names` writes them; read as `drawn` says.
fn action_line_naming(
    l: Locale,
    config: &Config,
    (n, a): (usize, &Action),
    place: Where,
    owner: &str,
    names: impl Fn(&str) -> String,
    drawn: Drawn,
) -> String {
    let tz = config.policy.timezone;
    let mut parts = vec![format!(
        "#{n} {}: {}",
        kind_label(l, a.kind),
        names(&one_line(&a.text, place))
    )];
    parts.push(tr!(l, format!("担当 {owner}"), format!("owner {owner}")));
    if let Some(d) = a.due {
        let at = format_day_time(l, tz, d);
        parts.push(match drawn.as_of.is_some_and(|now| d <= now) && a.is_open() {
            true => super::overdue_since(l, &at),
            false => tr!(l, format!("期限 {at}"), format!("due {at}")),
        });
    }
    if let Some(c) = a.check {
        parts.push(tr!(
            l,
            format!("効果確認 {}", format_day_time(l, tz, c)),
            format!("check {}", format_day_time(l, tz, c))
        ));
    }
    // Cancelled: its text struck through where Slack shows it, and why, wherever it is listed.
    if let Some(c) = &a.cancelled {
        if place == Where::OwnChannel {
            parts[0] = format!("~{}~", parts[0]);
        }
        parts.push(tr!(
            l,
            format!("🚫 取消{}", names(&note_tail(&c.note, place))),
            format!("🚫 cancelled{}", names(&note_tail(&c.note, place)))
        ));
        return parts.join(" · ");
    }
    let state: String = match (&a.done, &a.verified, a.effective) {
        (_, _, Some(false)) => tr!(l, "❌ 効果なし", "❌ not effective").into(),
        (_, _, Some(true)) => tr!(l, "🌟 効果あり", "🌟 effective").into(),
        (Some(_), Some(_), _) => tr!(l, "✅ 完了・検証済み", "✅ done, verified").into(),
        (Some(_), None, _) => tr!(l, "☑️ 完了（未検証）", "☑️ done, not verified").into(),
        (None, _, _) if drawn.closed => super::left_open_mark(l),
        (None, _, _) => tr!(l, "⬜ 未完了", "⬜ open").into(),
    };
    parts.push(state);
    parts.join(" · ")
}

/// Who checks the work on a trouble ([`Checkers`](crate::trouble::decide::Checkers)), as an
/// answer names them: the chain (or the owner, when nobody else could), then the members of its
/// departments.
fn checkers_text(l: Locale, config: &Config, checkers: &crate::trouble::decide::Checkers) -> String {
    let people = match &checkers.owner {
        Some(owner) => Some(tr!(
            l,
            format!("トラブルの担当の {}", user(owner)),
            format!("the trouble's owner {}", user(owner))
        )),
        None if checkers.chain.is_empty() => None,
        None => Some(super::chain_text(l, &config.policy, &checkers.chain)),
    };
    let departments =
        (!checkers.departments.is_empty()).then(|| super::departments_typed(l, config, &checkers.departments));
    match (people, departments) {
        (Some(people), Some(d)) => tr!(
            l,
            format!("{people}と、このトラブルの部門（{d}）のメンバー"),
            format!("{people} or members of this trouble's departments ({d})")
        ),
        (Some(people), None) => people,
        (None, Some(d)) => tr!(
            l,
            format!("このトラブルの部門（{d}）のメンバー"),
            format!("members of this trouble's departments ({d})")
        ),
        // Answered as nobody where it is read (`Checkers::is_nobody`).
        (None, None) => tr!(l, "上司", "the manager chain").to_string(),
    }
}

/// Who may do what a refusal says only the manager chain may: named, or "the manager chain".
fn chain_or_word(l: Locale, policy: &crate::trouble::policy::Policy, chain: &[UserId]) -> String {
    if chain.is_empty() {
        tr!(l, "上司", "the manager chain").to_string()
    } else {
        super::chain_text(l, policy, chain)
    }
}

fn action_of(t: &Trouble, n: usize) -> Option<&Action> {
    t.substance.actions.get(n.wrapping_sub(1))
}

/// The DM to `to` when `by` closed the trouble with actions of theirs open: which, and that they
/// are still theirs (reminders, and marking them done, go on after the close). It is one
/// section: a long list is cut at a line, said how many more, and the instructions stay.
pub(super) fn actions_left_open(l: Locale, config: &Config, t: &Trouble, to: &UserId, by: &UserId) -> String {
    let (id, customer) = (&t.id, super::messages::customer_short(t));
    let channel = super::messages::channel_ref(l, t);
    let mine: Vec<String> = crate::trouble::home::undone_actions(t)
        .filter(|(_, a)| a.owner == *to)
        .map(|(n, a)| {
            // The owner is whom this DM goes to: mentioned, which Slack shows as their name and
            // which pings nobody else. Named `@U…`, Slack showed the id (names are fetched for
            // the report, after the close); the names known are written in the text alone, as
            // `with_names` would rewrite the id inside the mention.
            let owner = format!("<@{}>", a.owner);
            let line = action_line_naming(
                l,
                config,
                (n, a),
                Where::Elsewhere,
                &owner,
                |s| t.with_names(s),
                // As the status draws them: left open at a forced close, overdue when due.
                Drawn::of(t),
            );
            format!("• {line}")
        })
        .collect();
    let first = crate::trouble::home::undone_actions(t)
        .find(|(_, a)| a.owner == *to)
        .map_or(1, |(n, _)| n);
    let message = |list: &str| {
        tr!(
            l,
            format!(
                "🏁 {}がトラブル {id}（{customer}）をクローズしましたが、あなたの対策はまだ完了していません:\n{list}\n引き続き期限の通知が届きます。{}",
                user(by),
                when_done(l, t, first, true),
            ),
            format!(
                "🏁 {} closed trouble {id} ({customer}) with actions of yours still open:\n{list}\nThey are still yours, and their reminders go on. {}",
                user(by),
                when_done(l, t, first, true),
            )
        )
    };
    let more = |n: usize| {
        tr!(
            l,
            format!("…ほか {n}件（{channel} の `/trouble status` とボットのホームに表示されます）"),
            format!("…and {n} more ({channel}'s `/trouble status` and the bot's Home list them)")
        )
    };
    let size = |text: &str| super::san(l, text).chars().count();
    // As many lines as fit one section with the rest (さん counted), each whole.
    let room = crate::slack::blocks::SECTION_TEXT_LIMIT.saturating_sub(size(&message(&more(mine.len()))));
    let mut shown = 0;
    let mut used = 0;
    for line in &mine {
        let n = size(line) + usize::from(shown > 0);
        if used + n > room {
            break;
        }
        (used, shown) = (used + n, shown + 1);
    }
    if shown == mine.len() || size(&message(&mine.join("\n"))) <= crate::slack::blocks::SECTION_TEXT_LIMIT {
        return message(&mine.join("\n"));
    }
    // One line longer than all the room there is is shown cut, rather than none.
    let mut list: Vec<String> = match shown {
        0 => vec![cut(&mine[0], room.saturating_sub(1).max(80))],
        _ => mine[..shown].to_vec(),
    };
    list.push(more(mine.len() - shown.max(1)));
    message(&list.join("\n"))
}

/// Who marked action `n` done (or verified it), its owner mentioned when that was someone
/// else, and what the action is: an owner whose action another closed reads it in the channel.
fn marked_by(l: Locale, t: &Trouble, n: usize, verified: bool) -> String {
    let Some(a) = action_of(t, n) else {
        return String::new();
    };
    let what = cut(&one_line(&a.text, Where::OwnChannel), 120);
    let mark = if verified { &a.verified } else { &a.done };
    match mark.as_ref().map(|m| &m.by) {
        Some(by) if *by != a.owner => tr!(
            l,
            format!("（{}、担当 {}）: {what}", user(by), user(&a.owner)),
            format!(" by {} (owner {}): {what}", user(by), user(&a.owner))
        ),
        Some(by) => tr!(
            l,
            format!("（{}）: {what}", user(by)),
            format!(" by {}: {what}", user(by))
        ),
        None => format!(": {what}"),
    }
}

/// A change recorded on the timeline, as its line in the channel says it: with who made it
/// (`by`; absent from a line queued before lines named them), so a department member's work is
/// credited where everyone reads it, and nobody's change is anonymous there.
fn logged_line(l: Locale, config: &Config, t: &Trouble, event: &StepEvent, by: Option<&UserId>) -> String {
    let who = by
        .map(|b| tr!(l, format!("（{}）", user(b)), format!(" by {}", user(b))))
        .unwrap_or_default();
    match event {
        StepEvent::Fact { key, value, .. } => tr!(
            l,
            format!("🔎 事実を記録{who} — {}: {}", fact_label(l, *key), here(value)),
            format!("🔎 Fact recorded{who} — {}: {}", fact_label(l, *key), here(value))
        ),
        StepEvent::FactSuperseded { key, old, value: new } => {
            let what = fact_label(l, *key);
            let old = if old.is_empty() { "—" } else { old.as_str() };
            corrected(l, what, &who, &here(old), &here(new))
        }
        StepEvent::CostSuperseded {
            n,
            old_amount,
            old_payer,
            amount,
            payer,
            note,
            ..
        } => {
            let line = corrected(
                l,
                &tr!(l, format!("費用 #{n}"), format!("cost #{n}")),
                &who,
                &written_cost_phrase(l, old_amount, old_payer, Where::OwnChannel),
                &written_cost_phrase(l, amount, payer, Where::OwnChannel),
            );
            format!("{line}{}", super::note_below(note, Where::OwnChannel))
        }
        StepEvent::SplitSuperseded {
            old,
            ours,
            customer,
            other,
            reason,
            ..
        } => {
            let line = corrected(
                l,
                tr!(l, "責任区分", "split"),
                &who,
                &shares_as_written(l, old).unwrap_or_else(|| here(old)),
                &super::messages::split_shares(l, *ours, *customer, *other),
            );
            format!("{line}{}", super::note_below(reason, Where::OwnChannel))
        }
        StepEvent::CustomerCorrected { from, to } => corrected(
            l,
            opening_label(l, OpeningField::Customer),
            &who,
            &here(from),
            &here(to),
        ),
        StepEvent::SummaryCorrected { from, to } => {
            corrected(l, opening_label(l, OpeningField::Summary), &who, &here(from), &here(to))
        }
        StepEvent::ReturnReminded => String::new(),
        StepEvent::Returned { state, qty, tracking } => {
            let goods = return_phrase(l, *state, qty.as_deref(), tracking.as_deref(), Where::OwnChannel);
            tr!(
                l,
                format!("📦 現品回収{who}: {goods}"),
                format!("📦 Returned goods recorded{who}: {goods}")
            )
        }
        StepEvent::ScopeAdded { n, text } => tr!(
            l,
            format!("🗺️ 波及範囲 #{n}（未確認）を追加{who}: {}", here(text)),
            format!("🗺️ Scope line #{n} added{who} (unchecked): {}", here(text))
        ),
        StepEvent::ScopeChecked { n, note } => tr!(
            l,
            format!(
                "🗺️ 波及範囲 #{n} を確認済みにしました{who}{}",
                note_tail(note, Where::OwnChannel)
            ),
            format!("🗺️ Scope line #{n} checked{who}{}", note_tail(note, Where::OwnChannel))
        ),
        StepEvent::Cause { text, escape, .. } => {
            let escape = escape
                .as_deref()
                .map(|e| {
                    tr!(
                        l,
                        format!("\n流出原因: {}", here(e)),
                        format!("\nWhy it was not caught: {}", here(e))
                    )
                })
                .unwrap_or_default();
            tr!(
                l,
                format!("🔬 発生原因{who}: {}{escape}", here(text)),
                format!("🔬 Cause recorded{who}: {}{escape}", here(text))
            )
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape: None,
            text,
            escape: Some(e),
            ..
        } if crate::trouble::facts::escape_added(old, None, text) => tr!(
            l,
            format!("🔬 流出原因{who}: {}", here(e)),
            format!("🔬 Why it was not caught{who}: {}", here(e))
        ),
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
            ..
        } => corrected(
            l,
            tr!(l, "原因", "cause"),
            &who,
            &cause_phrase(l, old, old_escape.as_deref(), here),
            &cause_phrase(l, text, escape.as_deref(), here),
        ),
        StepEvent::ActionAdded {
            n,
            kind,
            text,
            owner,
            due,
            check,
        } => match action_of(t, *n) {
            Some(a) => {
                // As it was added, from the entry: a line posted late (behind pacing) shows it
                // neither done, nor corrected, nor handed over with the trouble since.
                // Its text cut short (the status has it whole), so that the owner it is given
                // to, named after it, is still in the line and pinged by it however long it is.
                let a = &Action {
                    kind: *kind,
                    text: cut(text, ADDED_ACTION_TEXT),
                    owner: owner.clone(),
                    due: *due,
                    check: *check,
                    done: None,
                    verified: None,
                    effective: None,
                    judged: None,
                    cancelled: None,
                    ..a.clone()
                };
                // Who added it, when it is not its owner's own (the line names the owner).
                let who = if by == Some(owner) { String::new() } else { who.clone() };
                tr!(
                    l,
                    format!(
                        "🛠️ 対策を追加{who} {}",
                        action_line(l, config, *n, a, Where::OwnChannel)
                    ),
                    format!(
                        "🛠️ Action added{who} {}",
                        action_line(l, config, *n, a, Where::OwnChannel)
                    )
                )
            }
            None => format!("🛠️ #{n}"),
        },
        StepEvent::ActionDone { n, note } => {
            let (by, what) = (marked_by(l, t, *n, false), note_tail(note, Where::OwnChannel));
            tr!(
                l,
                format!("☑️ 対策 #{n} 完了{by}{what}"),
                format!("☑️ Action #{n} done{by}{what}")
            )
        }
        StepEvent::ActionVerified { n, note } => {
            let (by, what) = (marked_by(l, t, *n, true), note_tail(note, Where::OwnChannel));
            tr!(
                l,
                format!("✅ 対策 #{n} を検証しました{by}{what}"),
                format!("✅ Action #{n} verified{by}{what}")
            )
        }
        StepEvent::ActionCorrected { n, change } => {
            let what = change_phrase(l, config, change, user, here);
            tr!(
                l,
                format!("✏️ 訂正 対策 #{n}{who}: {what}（元の記録はタイムラインに残ります）"),
                format!("✏️ Corrected action #{n}{who}: {what} (the earlier entry stays on the timeline)")
            )
        }
        StepEvent::ActionCancelled { n, reason } => {
            let (by, what) = match action_of(t, *n) {
                Some(a) => (
                    a.cancelled.as_ref().map(|c| user(&c.by)).unwrap_or_default(),
                    cut(&here(&a.text), 120),
                ),
                None => (String::new(), String::new()),
            };
            tr!(
                l,
                format!(
                    "🚫 対策 #{n}「{what}」を{by}が取り消しました: {}（記録はタイムラインに残ります）",
                    here(reason)
                ),
                format!(
                    "🚫 Action #{n} cancelled by {by}: {} (it was “{what}”; the entry stays on the timeline)",
                    here(reason)
                )
            )
        }
        StepEvent::EffectAnswered { n, effective } => {
            if *effective {
                tr!(
                    l,
                    format!("🌟 再発防止策 #{n}: 効果ありと確認しました{who}。"),
                    format!("🌟 Prevention action #{n}: confirmed effective{who}.")
                )
            } else {
                tr!(
                    l,
                    format!("❌ 再発防止策 #{n}: 効果なしと判断されました{who}。トラブルを再開します。"),
                    format!("❌ Prevention action #{n}: found not effective{who}. The trouble is reopened.")
                )
            }
        }
        StepEvent::Reopened {
            reason,
            not_effective: None,
        } => {
            let at = reopened_at(l, t.current_stage());
            tr!(
                l,
                format!(
                    "🔄 トラブル {} を再開しました{who}（{at}）。理由:\n{}",
                    t.id,
                    quoted(reason, Where::OwnChannel)
                ),
                format!(
                    "🔄 Trouble {} reopened{who} ({at}). Reason:\n{}",
                    t.id,
                    quoted(reason, Where::OwnChannel)
                )
            )
        }
        StepEvent::Reopened {
            reason,
            not_effective: Some(n),
        } => {
            let at = reopened_at(l, t.current_stage());
            let measure = cut(&one_line(reason, Where::OwnChannel), 300);
            tr!(
                l,
                format!("🔄 トラブル {} を再開しました（{at}）。理由: 再発防止策 #{n}「{measure}」の効果確認で「効果なし」と判断されました。", t.id),
                format!("🔄 Trouble {} reopened ({at}). Reason: the effectiveness check found prevention action #{n} “{measure}” not effective.", t.id)
            )
        }
        // Timer-driven events are told by their own lines.
        e @ (StepEvent::ActionReminded { .. }
        | StepEvent::ActionReminderWithdrawn { .. }
        | StepEvent::EffectAsked { .. }
        | StepEvent::Recurrence { .. }
        | StepEvent::MeasureElsewhere { .. }) => event_text(l, config, e),
    }
}

/// A line posted in the trouble's channel.
/// How much of an action's text the line saying it was added shows.
const ADDED_ACTION_TEXT: usize = 300;

pub fn step_line(l: Locale, config: &Config, t: &Trouble, line: &StepLine) -> Rendered {
    let tz = config.policy.timezone;
    let text = match line {
        StepLine::Logged { event, by } => logged_line(l, config, t, event, by.as_ref()),
        StepLine::ReturnReminder { owner, since } => {
            // By DM while the trouble has no channel, where the command names it.
            let id = match t.takes_commands_by_id() {
                true => format!(" {}", t.id),
                false => String::new(),
            };
            tr!(
                l,
                format!("📦 {} 現品の回収を {} に依頼したまま、まだ発送・受領の記録がありません。お客様に状況を確認し、`/trouble return 発送{id}` か `/trouble return 受領{id}` を入力してください。", user(owner), format_day_time(l, tz, *since)),
                format!("📦 {} the returned goods were requested at {} and are neither shipped nor received yet. Check with the customer and record `/trouble return shipped{id}` or `/trouble return received{id}`.", user(owner), format_day_time(l, tz, *since))
            )
        }
        // The owner is mentioned first, so the action's line does not name them again (by an id
        // a phone shows raw, before the trouble has learnt their name), nor its state: a
        // reminder comes only for an action not done.
        StepLine::ActionReminder { n, overdue } => match action_of(t, *n) {
            Some(a) => {
                let due = a.due.map(|d| format_day_time(l, config.policy.timezone, d));
                // The action once, by its kind and text: its number leads the line already.
                let what = t.with_names(&format!(
                    "{}: {}{}",
                    kind_label(l, a.kind),
                    one_line(&a.text, Where::Elsewhere),
                    due.map(|d| tr!(l, format!(" · 期限 {d}"), format!(" · due {d}")))
                        .unwrap_or_default()
                ));
                // Which trouble, as a phone shows it: its customer beside its id.
                let trouble = format!("{} {}", t.id, cut(&super::messages::away(&t.customer), 40));
                let when_done = when_done(l, t, *n, false);
                match overdue {
                    true => tr!(
                        l,
                        format!(
                            "⏰ {} 対策 #{n} の期限を過ぎています（トラブル {trouble}）: {what}。{when_done}",
                            user(&a.owner)
                        ),
                        format!(
                            "⏰ {} action #{n} is overdue (trouble {trouble}): {what}. {when_done}",
                            user(&a.owner)
                        )
                    ),
                    false => tr!(
                        l,
                        format!(
                            "🔔 {} 対策 #{n} の期限が近づいています（トラブル {trouble}）: {what}。{when_done}",
                            user(&a.owner)
                        ),
                        format!(
                            "🔔 {} action #{n} is due soon (trouble {trouble}): {what}. {when_done}",
                            user(&a.owner)
                        )
                    ),
                }
            }
            None => format!("⏰ #{n}"),
        },
        StepLine::EffectCheck { n, ask, round, epoch } => {
            let who = ask.iter().map(user).collect::<Vec<_>>().join(" ");
            // Which trouble, by its customer beside its id, as an action's reminder says it: a
            // channel named without a slug (a Japanese customer's) tells a phone nothing. The
            // measure cut short, so that who confirms it, below, is never cut off.
            let what = action_of(t, *n)
                .map(|a| cut(&here(&a.text), ADDED_ACTION_TEXT))
                .unwrap_or_default();
            let trouble = format!("{} {}", t.id, cut(&super::messages::away(&t.customer), 40));
            let mut text = tr!(
                l,
                format!(
                    "🔁 {who} 再発防止策 #{n}「{what}」（トラブル {trouble}）の効果確認の日です。効果はありましたか？"
                ),
                format!(
                    "🔁 {who} it is time to check prevention action #{n} “{what}” (trouble {trouble}). Did it work?"
                )
            );
            // Someone asked may not certify it worked (whose measure it is; the owner, who may
            // not verify it either): the ask says who confirms it, before anyone taps a button
            // whose answer would be refused.
            if let Some(a) = action_of(t, *n) {
                let checkers = crate::trouble::decide::checkers_to_name(&config.policy, t, a);
                let departments = &checkers.departments;
                let who = match checkers.chain.first().or(checkers.owner.as_ref()) {
                    // The first of the chain; with nobody else, the owner.
                    Some(c) => Some(user(c)),
                    None if departments.is_empty() => None,
                    None => Some(tr!(
                        l,
                        format!("{}のメンバー", super::departments_typed(l, config, departments)),
                        format!("a member of {}", super::departments_typed(l, config, departments))
                    )),
                };
                if let Some(c) = who.filter(|_| !ask.iter().all(|u| checkers.includes(u))) {
                    text.push_str(&tr!(
                        l,
                        format!("\n「効果あり」は対策の検証と同じく {c}が確認します（対策の担当者は除きます）。「効果なし」は誰でも回答できます。"),
                        format!("\n*Effective* is for {c} to confirm, as for verifying an action (never the measure's own owner); anyone asked may answer *Not effective*.")
                    ));
                }
            }
            let value = ButtonValue::effect(t.id.as_str(), *n, *round, *epoch).encode();
            let blocks = vec![
                section(&text),
                actions(
                    "effect",
                    vec![
                        button(
                            contracts::Action::EffectOk.id(),
                            tr!(l, "効果あり", "Effective"),
                            &value,
                            true,
                        ),
                        button(
                            contracts::Action::EffectNotOk.id(),
                            tr!(l, "効果なし（再開）", "Not effective (reopen)"),
                            &value,
                            false,
                        ),
                    ],
                ),
            ];
            return Rendered {
                text,
                blocks: Some(blocks),
            };
        }
        StepLine::EffectCheckSettled { n, why } => {
            use crate::trouble::facts::EffectSettled;
            let what = action_of(t, *n).map(|a| here(&a.text)).unwrap_or_default();
            let (ja, en) = match why {
                EffectSettled::Answered { effective, by } => {
                    let (answer_ja, answer_en) = match effective {
                        true => ("効果あり", "effective"),
                        false => ("効果なし", "not effective"),
                    };
                    match by {
                        Some(by) => (
                            format!("{}さんが「{answer_ja}」と回答しました。", user(by)),
                            format!("recorded as {answer_en} by {}.", user(by)),
                        ),
                        None => (
                            format!("「{answer_ja}」と記録されています。"),
                            format!("recorded as {answer_en}."),
                        ),
                    }
                }
                EffectSettled::Cancelled { by } => (
                    format!("この対策は{}さんが取り消したため、確認は不要になりました。", user(by)),
                    format!("no longer asked: the action was cancelled by {}.", user(by)),
                ),
                EffectSettled::Reopened => (
                    "トラブルが再開されたため、この確認は終わりました。次にクローズしたときに改めて伺います。"
                        .to_string(),
                    "no longer asked: the trouble was reopened, and the check is asked again at its next close."
                        .to_string(),
                ),
                EffectSettled::Rescheduled => (
                    "効果確認日が変更されたため、新しい確認日に改めて伺います。".to_string(),
                    "no longer asked here: its check date was changed, and it is asked on the new date.".to_string(),
                ),
                EffectSettled::Superseded => (
                    "この確認はもう受け付けていません。".to_string(),
                    "no longer asked.".to_string(),
                ),
            };
            tr!(
                l,
                format!("🔁 再発防止策 #{n}「{what}」の効果確認（トラブル {}）: {ja}", t.id),
                format!(
                    "🔁 Effectiveness check of prevention action #{n} “{what}” (trouble {}): {en}",
                    t.id
                )
            )
        }
        StepLine::Recurrence {
            earlier,
            channel,
            opened_at,
            shared,
            customer: Some(customer),
        } => {
            let link = channel.as_ref().map(|c| format!(" <#{c}>")).unwrap_or_default();
            let (customer, shared, opened) = (away(customer), here(shared), format_day_time(l, tz, *opened_at));
            tr!(
                l,
                format!("🔗 他のお客様にも同じ {shared}（{}）: {customer}様のトラブル {earlier}（{opened}起票）{link} にも {shared} があります。原因が共通なら、波及範囲・原因・再発防止策を互いに展開してください（横展開）。", t.id),
                format!("🔗 Same {shared} at another customer ({}): {customer}'s trouble {earlier} (opened {opened}){link} also has {shared}. If one cause is behind both, share the scope, the cause and the prevention measures across them.", t.id)
            )
        }
        StepLine::SharedAfterClose {
            other,
            channel,
            opened_at,
            shared,
            customer,
            closed_at,
        } => {
            // A DM: every piece of user text as said away from its channel.
            let link = channel.as_ref().map(|c| format!(" <#{c}>")).unwrap_or_default();
            let (mine, shared) = (super::messages::customer_short(t), away(shared));
            let (opened, closed) = (format_day_time(l, tz, *opened_at), format_day_time(l, tz, *closed_at));
            match customer.as_deref().map(away) {
                None => tr!(
                    l,
                    format!("🔁 {mine}様から、クローズ済みのトラブル {}（{closed}クローズ）と同じ {shared} の新しいトラブル {other}（{opened}起票）{link} が起票されました。再発の可能性があります。{} の原因と再発防止策が効いていたか確認し、効いていなかった場合はボットとの DM で `/trouble reopen {} 理由` と入力して再開してください（チャンネルがアーカイブされていても再開できます）。", t.id, t.id, t.id),
                    format!("🔁 {mine} has a new trouble {other} (opened {opened}){link} with the same {shared} as trouble {} (closed {closed}): a possible recurrence. See whether {}'s cause and prevention measures held; if they did not, reopen it with `/trouble reopen {} REASON` in a DM with the bot (this works even with its channel archived).", t.id, t.id, t.id)
                ),
                Some(customer) => tr!(
                    l,
                    format!("🔁 {mine}様のトラブル {}（{closed}クローズ）と同じ {shared} が他のお客様でも見つかりました: {customer}様のトラブル {other}（{opened}起票）{link} にも {shared} があります。{} の原因と再発防止策で防げているか確認し、防げていなかった場合はボットとの DM で `/trouble reopen {} 理由` と入力して再開してください（チャンネルがアーカイブされていても再開できます）。", t.id, t.id, t.id),
                    format!("🔁 The same {shared} as in {mine}'s trouble {} (closed {closed}) turned up at another customer: {customer}'s trouble {other} (opened {opened}){link} also has {shared}. See whether {}'s cause and prevention measures cover it; if they did not hold, reopen it with `/trouble reopen {} REASON` in a DM with the bot (this works even with its channel archived).", t.id, t.id, t.id)
                ),
            }
        }
        StepLine::MeasureElsewhere {
            from,
            channel,
            customer,
            n,
            text,
            corrected,
            more,
        } => {
            let link = channel.as_ref().map(|c| format!(" <#{c}>")).unwrap_or_default();
            // Another trouble's words, brought here: quoted as anywhere else, cut short (its
            // own channel has them whole), so no mention in them pings this channel. Whether
            // it was cut is judged on the text as shown (`&` grows to `&amp;`).
            let neutral = one_line(text, Where::Elsewhere);
            let shortened = neutral.chars().count() > ADDED_ACTION_TEXT;
            let (customer, text) = (away(&cut(customer, 40)), cut(&neutral, ADDED_ACTION_TEXT));
            // A measure corrected after it was told here says so, or the channel weighs the
            // words it heard first.
            let (ja, en) = match corrected {
                true => (
                    format!("が「{text}」に訂正されました"),
                    format!("corrected prevention action #{n} to"),
                ),
                false => (
                    format!("「{text}」が記録されました"),
                    format!("recorded prevention action #{n}:"),
                ),
            };
            let mut line = tr!(
                l,
                format!("🔗 同じ部品・ロットの {customer}様のトラブル {from}{link} で再発防止策 #{n}{ja}（{}）。こちらにも展開できるか確認してください（横展開）。", t.id),
                format!("🔗 {customer}'s trouble {from}{link}, which shares a part or lot with {}, {en} “{text}”. See whether it applies here too.", t.id)
            );
            if shortened {
                line.push_str(&tr!(
                    l,
                    format!(
                        "\n（防止策が長いため一部のみ表示しています。全文は {from} のチャンネルの記録にあります。）"
                    ),
                    format!("\n(The measure is long and only its start is shown here; {from}'s channel has it whole.)")
                ));
            }
            // The measures not told, so a trouble with many does not flood this thread.
            if *more > 0 {
                let measures = if *more == 1 { "measure" } else { "measures" };
                line.push_str(&tr!(
                    l,
                    format!("\n（{from} には再発防止策がほかに{more}件あります。{from} のチャンネル{link}で確認してください。）"),
                    format!("\n({from} has {more} more prevention {measures}, not listed here; its channel{link} has them all.)")
                ));
            }
            line
        }
        StepLine::Recurrence {
            earlier,
            channel,
            opened_at,
            shared,
            customer: None,
        } => {
            let link = channel.as_ref().map(|c| format!(" <#{c}>")).unwrap_or_default();
            tr!(
                l,
                format!("♻️ 再発の可能性（{}）: 同じお客様の過去のトラブル {earlier}（{}起票）{link} にも {} がありました。", t.id, format_day_time(l, tz, *opened_at), here(shared)),
                format!("♻️ Possible recurrence in {}: the customer's earlier trouble {earlier} (opened {}){link} also had {}.", t.id, format_day_time(l, tz, *opened_at), here(shared))
            )
        }
    };
    Rendered {
        blocks: Some(vec![section(&text)]),
        text,
    }
}

/// What a correction of an action changed, part by part: `owner <@a> → <@b>, due … → …`;
/// people shown by `who`, user text by `show`.
fn change_phrase(
    l: Locale,
    config: &Config,
    change: &ActionChange,
    who: fn(&UserId) -> String,
    show: fn(&str) -> String,
) -> String {
    let tz = config.policy.timezone;
    let day =
        |d: &Option<chrono::DateTime<chrono::Utc>>| d.map_or_else(|| "—".to_string(), |d| format_day_time(l, tz, d));
    let mut parts = Vec::new();
    if let Some(c) = &change.owner {
        parts.push(tr!(
            l,
            format!("担当 {} → {}", who(&c.from), who(&c.to)),
            format!("owner {} → {}", who(&c.from), who(&c.to))
        ));
    }
    if let Some(c) = &change.due {
        parts.push(tr!(
            l,
            format!("期限 {} → {}", day(&c.from), day(&c.to)),
            format!("due {} → {}", day(&c.from), day(&c.to))
        ));
    }
    if let Some(c) = &change.check {
        parts.push(tr!(
            l,
            format!("効果確認 {} → {}", day(&c.from), day(&c.to)),
            format!("check {} → {}", day(&c.from), day(&c.to))
        ));
    }
    if let Some(c) = &change.text {
        let (from, to) = (cut(&show(&c.from), 120), cut(&show(&c.to), 120));
        parts.push(tr!(
            l,
            format!("内容「{from}」→「{to}」"),
            format!("text “{from}” → “{to}”")
        ));
    }
    parts.join(tr!(l, "、", ", "))
}

/// The DM to `to` when `by` corrected or cancelled an action of theirs (or one given to them):
/// what changed, and where it is.
pub(super) fn action_changed(
    l: Locale,
    config: &Config,
    t: &Trouble,
    to: &UserId,
    by: &UserId,
    event: &StepEvent,
) -> String {
    let (id, customer) = (&t.id, super::messages::customer_short(t));
    let channel = super::messages::channel_ref(l, t);
    match event {
        StepEvent::ActionCorrected { n, change } => {
            let what = change_phrase(l, config, change, user, away);
            // As the status draws it: overdue when due, left open at a forced close.
            let line = action_of(t, *n)
                .map(|a| t.with_names(&action_line_as_of(l, config, *n, a, Where::Elsewhere, Drawn::of(t))))
                .unwrap_or_default();
            match &change.owner {
                Some(c) if c.from == *to => tr!(
                    l,
                    format!("✏️ {}がトラブル {id}（{customer}）の対策 #{n} を訂正しました: {what}。この対策はもうあなたの担当ではなく、通知も {} に届きます。チャンネル: {channel}", user(by), user(&c.to)),
                    format!("✏️ {} corrected action #{n} of trouble {id} ({customer}): {what}. It is no longer yours; its reminders go to {}. Channel: {channel}", user(by), user(&c.to))
                ),
                Some(c) if c.to == *to => tr!(
                    l,
                    format!("✏️ {}がトラブル {id}（{customer}）の対策 #{n} をあなたの担当にしました: {what}。
{line}
期限の前営業日と超過時に通知します。{}", user(by), when_done(l, t, *n, false)),
                    format!("✏️ {} made action #{n} of trouble {id} ({customer}) yours: {what}.
{line}
You will be reminded the business day before it is due and when it is overdue. {}", user(by), when_done(l, t, *n, false))
                ),
                _ if action_of(t, *n).is_some_and(|a| a.owner != *to) => tr!(
                    l,
                    format!("✏️ {}がトラブル {id}（{customer}）であなたが出した対策 #{n} を訂正しました: {what}。
{line}
チャンネル: {channel}", user(by)),
                    format!("✏️ {} corrected action #{n} you gave in trouble {id} ({customer}): {what}.
{line}
Channel: {channel}", user(by))
                ),
                _ => tr!(
                    l,
                    format!("✏️ {}がトラブル {id}（{customer}）のあなたの対策 #{n} を訂正しました: {what}。
{line}
チャンネル: {channel}", user(by)),
                    format!("✏️ {} corrected your action #{n} of trouble {id} ({customer}): {what}.
{line}
Channel: {channel}", user(by))
                ),
            }
        }
        StepEvent::ActionCancelled { n, reason } => {
            let what = action_of(t, *n).map(|a| cut(&away(&a.text), 120)).unwrap_or_default();
            if let Some(owner) = action_of(t, *n).map(|a| &a.owner).filter(|o| *o != to) {
                return tr!(
                    l,
                    format!("🚫 {}がトラブル {id}（{customer}）であなたが{}に出した対策 #{n}「{what}」を取り消しました。理由: {}。チャンネル: {channel}", user(by), user(owner), away(reason)),
                    format!("🚫 {} cancelled action #{n} “{what}” you gave {} in trouble {id} ({customer}). Reason: {}. Channel: {channel}", user(by), user(owner), away(reason))
                );
            }
            tr!(
                l,
                format!("🚫 {}がトラブル {id}（{customer}）のあなたの対策 #{n}「{what}」を取り消しました。理由: {}。今後この対策の通知は届きません。チャンネル: {channel}", user(by), away(reason)),
                format!("🚫 {} cancelled your action #{n} “{what}” of trouble {id} ({customer}). Reason: {}. It is no longer yours to do, and you will not be reminded of it. Channel: {channel}", user(by), away(reason))
            )
        }
        _ => String::new(),
    }
}

/// What `fix customer` / `fix summary` correct, as the lines and answers name it.
fn opening_label(l: Locale, field: OpeningField) -> &'static str {
    match field {
        OpeningField::Customer => tr!(l, "お客様名", "customer"),
        OpeningField::Summary => tr!(l, "概要", "summary"),
    }
}

/// A correction in the channel: the old value, the new one, and that the old entry stands superseded.
fn corrected(l: Locale, what: &str, who: &str, old: &str, new: &str) -> String {
    tr!(
        l,
        format!("✏️ 訂正 {what}{who}: {old} → {new}（元の記録はタイムラインに残り、無効として扱います）"),
        format!("✏️ Corrected {what}{who}: {old} → {new} (the earlier entry stays on the timeline, marked superseded)")
    )
}

/// After a cause recorded with no escape point: what is still missing, and how to give it.
/// Where action `n` of `t` is marked done, as its owner's DMs say: the command in its channel,
/// or, while it has no channel to type in, named by the trouble's id in a DM with the bot (see
/// `Trouble::takes_commands_by_id`); or *Done* in the bot's Home. `one_of_several`: the DM
/// lists more than one.
fn when_done(l: Locale, t: &Trouble, n: usize, one_of_several: bool) -> String {
    let (typed, place) = match t.takes_commands_by_id() {
        false => (
            format!("`/trouble action done {n}`"),
            super::messages::channel_ref(l, t),
        ),
        true => (
            format!("`/trouble action done {n} {}`", t.id),
            tr!(l, "ボットとの DM", "a DM with the bot").to_string(),
        ),
    };
    let when = match one_of_several {
        true => tr!(l, "終わったら", "When one is done"),
        false => tr!(l, "終わったら", "When it is done"),
    };
    tr!(
        l,
        format!("{when} {place} で {typed} を入力するか、ボットのホームの「完了」を押してください。"),
        format!("{when}: {typed} in {place}, or *Done* in the bot's Home.")
    )
}

fn escape_unrecorded(l: Locale, missing: bool) -> &'static str {
    match missing {
        false => "",
        true => tr!(
            l,
            "なぜ見逃したか（流出原因、8D の D4）はまだ記録されていません。`/trouble 原因 流出: なぜ見逃したか` で記録してください。",
            " Why it was not caught (the escape point, the 8D's D4) is not recorded yet: give it with `/trouble cause escape: WHY IT WAS NOT CAUGHT`."
        ),
    }
}

/// A cause and why it was not caught, on one line, its user text shown by `show`.
fn cause_phrase(l: Locale, text: &str, escape: Option<&str>, show: fn(&str) -> String) -> String {
    match escape {
        Some(e) => tr!(
            l,
            format!("{} / 流出原因: {}", show(text), show(e)),
            format!("{} / not caught because: {}", show(text), show(e))
        ),
        None => show(text),
    }
}

/// The status message's sections for stages 1–4 and 7.
pub fn status_blocks(l: Locale, config: &Config, t: &Trouble) -> Vec<Block> {
    let s = &t.substance;
    let mut blocks = Vec::new();
    let mut facts: Vec<String> = FactKey::ALL
        .iter()
        .filter_map(|k| {
            s.facts
                .get(*k)
                .map(|v| format!("• {}: {}", fact_label(l, *k), here(&v)))
        })
        .collect();
    if let Some(r) = &s.returned {
        facts.push(tr!(
            l,
            format!(
                "• 現品回収: {}（{}）",
                return_phrase(l, r.state, r.qty.as_deref(), r.tracking.as_deref(), Where::OwnChannel),
                format_day_time(l, config.policy.timezone, r.at)
            ),
            format!(
                "• Returned goods: {} ({})",
                return_phrase(l, r.state, r.qty.as_deref(), r.tracking.as_deref(), Where::OwnChannel),
                format_day_time(l, config.policy.timezone, r.at)
            )
        ));
    }
    if !facts.is_empty() {
        blocks.push(section(&format!(
            "{}\n{}",
            tr!(l, "*事実（5W2H）*", "*Facts (5W2H)*"),
            facts.join("\n")
        )));
    }
    if !s.scope.is_empty() {
        let lines: Vec<Item> = s
            .scope
            .iter()
            .enumerate()
            .map(|(i, x)| Item {
                n: i + 1,
                // The state in words too: a screen reader reads ⬜ as "white large square", and
                // ✅/⬜ tell nothing to whom cannot tell the two apart.
                line: format!(
                    "{} #{} {}{}{}",
                    if x.checked.is_some() { "✅" } else { "⬜" },
                    i + 1,
                    here(&x.text),
                    match x.checked.is_some() {
                        true => tr!(l, "（確認済み）", " (checked)"),
                        false => tr!(l, "（未確認）", " (unchecked)"),
                    },
                    x.checked
                        .as_ref()
                        .map(|m| note_tail(&m.note, Where::OwnChannel))
                        .unwrap_or_default()
                ),
                // What is still to check is what a long list shows.
                weight: match x.checked {
                    Some(_) => Weight::Folded,
                    None => Weight::Shown,
                },
            })
            .collect();
        let long = Long {
            max: MAX_STATUS_LINES,
            folds: Some(tr!(l, "確認済み", "checked")),
        };
        blocks.extend(super::lists::sections(l, tr!(l, "*波及範囲*", "*Scope*"), lines, long));
    }
    if let Some(c) = &s.cause {
        let escape = c
            .escape
            .as_deref()
            .map(|e| {
                tr!(
                    l,
                    format!("\n流出原因: {}", here(e)),
                    format!("\nWhy not caught: {}", here(e))
                )
            })
            .unwrap_or_default();
        blocks.push(section(&tr!(
            l,
            format!("*原因*\n{}{escape}", here(&c.text)),
            format!("*Cause*\n{}{escape}", here(&c.text))
        )));
    }
    if !s.actions.is_empty() {
        // A long list folds the interim and permanent actions done (or cancelled) into a count:
        // the open ones and every prevention measure, which stage 7 and the close wait for,
        // are what a manager reads the status for.
        let lines: Vec<Item> = s
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| Item {
                n: i + 1,
                line: format!(
                    "• {}",
                    action_line_as_of(l, config, i + 1, a, Where::OwnChannel, Drawn::of(t))
                ),
                weight: match (a.kind, a.done.is_some() || a.cancelled.is_some()) {
                    (ActionKind::Prevent, _) => Weight::First,
                    (_, false) => Weight::Shown,
                    (_, true) => Weight::Folded,
                },
            })
            .collect();
        let long = Long {
            max: MAX_STATUS_ACTIONS,
            folds: Some(tr!(l, "完了・取消済み", "done or cancelled")),
        };
        blocks.extend(super::lists::sections(l, tr!(l, "*対策*", "*Actions*"), lines, long));
    }
    blocks
}

/// The most actions a long status lists (the rest are counted and numbered): with what people
/// typed shortened, they and the other lists still fit one message.
const MAX_STATUS_ACTIONS: usize = 30;
/// The most lines of another long list in the status (scope lines, costs).
pub(super) const MAX_STATUS_LINES: usize = 20;

/// The report's section for stages 1–4 and 7.
pub fn report_lines(l: Locale, config: &Config, t: &Trouble) -> Vec<String> {
    let s = &t.substance;
    let mut out = vec![tr!(l, "## 事実・原因・対策（8D）", "## Facts, cause and actions (8D)").to_string()];
    for k in FactKey::ALL {
        if let Some(v) = s.facts.get(k) {
            out.push(format!("- {}: {}", fact_label(l, k), whole(&v)));
        }
    }
    if let Some(r) = &s.returned {
        out.push(tr!(
            l,
            format!(
                "- 現品回収: {}",
                return_phrase(l, r.state, r.qty.as_deref(), r.tracking.as_deref(), Where::Elsewhere)
            ),
            format!(
                "- Returned goods: {}",
                return_phrase(l, r.state, r.qty.as_deref(), r.tracking.as_deref(), Where::Elsewhere)
            )
        ));
    }
    for (i, x) in s.scope.iter().enumerate() {
        let state = if x.checked.is_some() {
            tr!(l, "確認済み", "checked")
        } else {
            tr!(l, "未確認", "unchecked")
        };
        out.push(tr!(
            l,
            format!("- 波及範囲 #{} {}（{state}）", i + 1, whole(&x.text)),
            format!("- Scope #{} {} ({state})", i + 1, whole(&x.text))
        ));
    }
    if let Some(c) = &s.cause {
        out.push(tr!(
            l,
            format!("- 発生原因: {}", whole(&c.text)),
            format!("- Cause: {}", whole(&c.text))
        ));
        if let Some(e) = &c.escape {
            out.push(tr!(
                l,
                format!("- 流出原因: {}", whole(e)),
                format!("- Why not caught: {}", whole(e))
            ));
        }
    }
    // Prevention actions have their own section in the report: [`prevention_lines`].
    for (i, a) in s
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind != ActionKind::Prevent)
    {
        out.push(format!(
            "- {}",
            action_line_as_of(l, config, i + 1, a, Where::Elsewhere, Drawn::of(t))
        ));
    }
    if out.len() == 1 {
        out.push(tr!(l, "（なし）", "(none)").to_string());
    }
    out
}

/// The report's prevention actions, numbered among all actions, with owner, due date and state.
pub fn prevention_lines(l: Locale, config: &Config, t: &Trouble) -> Vec<String> {
    t.substance
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActionKind::Prevent)
        .map(|(i, a)| {
            format!(
                "- {}",
                action_line_as_of(l, config, i + 1, a, Where::Elsewhere, Drawn::of(t))
            )
        })
        .collect()
}

/// A timeline entry of the new stages, for the report.
pub fn event_text(l: Locale, config: &Config, e: &StepEvent) -> String {
    let tz = config.policy.timezone;
    let who = super::named;
    match e {
        StepEvent::Fact { key, value, .. } => tr!(
            l,
            format!("事実 {}: {}", fact_label(l, *key), whole(value)),
            format!("fact {}: {}", fact_label(l, *key), whole(value))
        ),
        StepEvent::FactSuperseded { key, old, value } => tr!(
            l,
            format!(
                "訂正 {}: {} → {}（旧記録は無効）",
                fact_label(l, *key),
                whole(old),
                whole(value)
            ),
            format!(
                "corrected {}: {} → {} (earlier entry superseded)",
                fact_label(l, *key),
                whole(old),
                whole(value)
            )
        ),
        StepEvent::Returned { state, qty, tracking } => {
            let goods = return_phrase(l, *state, qty.as_deref(), tracking.as_deref(), Where::Elsewhere);
            tr!(l, format!("現品回収: {goods}"), format!("returned goods: {goods}"))
        }
        StepEvent::ReturnReminded => tr!(l, "現品回収の催促", "returned goods reminder").to_string(),
        StepEvent::ScopeAdded { n, text } => tr!(
            l,
            format!("波及範囲 #{n}: {}", whole(text)),
            format!("scope #{n}: {}", whole(text))
        ),
        StepEvent::ScopeChecked { n, note } => tr!(
            l,
            format!("波及範囲 #{n} 確認済み{}", note_tail(note, Where::Elsewhere)),
            format!("scope #{n} checked{}", note_tail(note, Where::Elsewhere))
        ),
        StepEvent::Cause { text, escape, .. } => {
            let cause = cause_phrase(l, text, escape.as_deref(), whole);
            tr!(l, format!("原因: {cause}"), format!("cause: {cause}"))
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape: None,
            text,
            escape: Some(e),
            ..
        } if crate::trouble::facts::escape_added(old, None, text) => {
            let e = whole(e);
            tr!(l, format!("流出原因: {e}"), format!("escape point: {e}"))
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
            ..
        } => {
            let (old, new) = (
                cause_phrase(l, old, old_escape.as_deref(), whole),
                cause_phrase(l, text, escape.as_deref(), whole),
            );
            tr!(
                l,
                format!("訂正 原因: {old} → {new}（旧記録は無効）"),
                format!("corrected cause: {old} → {new} (earlier entry superseded)")
            )
        }
        StepEvent::ActionAdded {
            n,
            kind,
            text,
            owner,
            due,
            check,
        } => {
            let due = due.map(|d| format_day_time(l, tz, d)).unwrap_or_else(|| "—".into());
            let check = check
                .map(|c| {
                    tr!(
                        l,
                        format!(" · 効果確認 {}", format_day_time(l, tz, c)),
                        format!(" · check {}", format_day_time(l, tz, c))
                    )
                })
                .unwrap_or_default();
            tr!(
                l,
                format!(
                    "対策 #{n} {}: {} · 担当 {} · 期限 {due}{check}",
                    kind_label(l, *kind),
                    whole(text),
                    who(owner)
                ),
                format!(
                    "action #{n} {}: {} · owner {} · due {due}{check}",
                    kind_label(l, *kind),
                    whole(text),
                    who(owner)
                )
            )
        }
        StepEvent::ActionDone { n, note } => tr!(
            l,
            format!("対策 #{n} 完了{}", note_tail(note, Where::Elsewhere)),
            format!("action #{n} done{}", note_tail(note, Where::Elsewhere))
        ),
        StepEvent::ActionVerified { n, note } => tr!(
            l,
            format!("対策 #{n} 検証{}", note_tail(note, Where::Elsewhere)),
            format!("action #{n} verified{}", note_tail(note, Where::Elsewhere))
        ),
        StepEvent::ActionReminderWithdrawn { n, cancelled: false } => tr!(
            l,
            format!("対策 #{n} の通知は、投稿前に完了したため取り下げ"),
            format!("action #{n} reminder withdrawn: done before it was posted")
        ),
        StepEvent::ActionReminderWithdrawn { n, cancelled: true } => tr!(
            l,
            format!("対策 #{n} の通知は、投稿前に取り消されたため取り下げ"),
            format!("action #{n} reminder withdrawn: cancelled before it was posted")
        ),
        StepEvent::ActionCorrected { n, change } => {
            let what = change_phrase(l, config, change, who, whole);
            tr!(
                l,
                format!("訂正 対策 #{n}: {what}（旧記録は無効）"),
                format!("corrected action #{n}: {what} (earlier entry superseded)")
            )
        }
        StepEvent::ActionCancelled { n, reason } => tr!(
            l,
            format!("対策 #{n} 取消: {}", whole(reason)),
            format!("action #{n} cancelled: {}", whole(reason))
        ),
        StepEvent::ActionReminded { n, overdue } => match overdue {
            true => tr!(
                l,
                format!("対策 #{n} 期限超過の通知"),
                format!("action #{n} overdue reminder")
            ),
            false => tr!(
                l,
                format!("対策 #{n} 期限前日の通知"),
                format!("action #{n} day-before reminder")
            ),
        },
        StepEvent::EffectAsked { n } => tr!(
            l,
            format!("再発防止策 #{n} の効果確認を依頼"),
            format!("asked whether prevention action #{n} worked")
        ),
        StepEvent::EffectAnswered { n, effective } => match effective {
            true => tr!(
                l,
                format!("再発防止策 #{n}: 効果あり"),
                format!("prevention action #{n}: effective")
            ),
            false => tr!(
                l,
                format!("再発防止策 #{n}: 効果なし"),
                format!("prevention action #{n}: not effective")
            ),
        },
        StepEvent::Reopened {
            reason,
            not_effective: None,
        } => tr!(
            l,
            format!("再開: {}", whole(reason)),
            format!("reopened: {}", whole(reason))
        ),
        StepEvent::Reopened {
            reason,
            not_effective: Some(n),
        } => tr!(
            l,
            format!("再開（再発防止策 #{n} 効果なし）: {}", whole(reason)),
            format!("reopened (prevention action #{n} not effective): {}", whole(reason))
        ),
        StepEvent::CostSuperseded {
            n,
            old_amount,
            old_payer,
            amount,
            payer,
            restored: Some(w),
            ..
        } => tr!(
            l,
            format!(
                "費用 #{n} を復元: {} → {}（{}の記録どおり。訂正は却下）",
                cost_whole(l, old_amount, old_payer),
                cost_whole(l, amount, payer),
                super::named(&w.by)
            ),
            format!(
                "cost #{n} restored: {} → {} as recorded by {} (its correction rejected)",
                cost_whole(l, old_amount, old_payer),
                cost_whole(l, amount, payer),
                super::named(&w.by)
            )
        ),
        StepEvent::CostSuperseded {
            n,
            old_amount,
            old_payer,
            amount,
            payer,
            ..
        } => tr!(
            l,
            format!(
                "費用 #{n} を訂正: {} → {}（旧記録は無効、合計から除外）",
                cost_whole(l, old_amount, old_payer),
                cost_whole(l, amount, payer)
            ),
            format!(
                "cost #{n} corrected: {} → {} (earlier entry superseded, out of the totals)",
                cost_whole(l, old_amount, old_payer),
                cost_whole(l, amount, payer)
            )
        ),
        StepEvent::SplitSuperseded {
            old,
            ours,
            customer,
            other,
            restored,
            ..
        } => {
            let old = shares_as_written(l, old).unwrap_or_else(|| whole(old));
            let new = super::messages::split_shares(l, *ours, *customer, *other);
            match restored {
                Some(w) => tr!(
                    l,
                    format!(
                        "責任区分を復元: {old} → {new}（{}の記録どおり。訂正は却下）",
                        super::named(&w.by)
                    ),
                    format!(
                        "split restored: {old} → {new} as recorded by {} (its correction rejected)",
                        super::named(&w.by)
                    )
                ),
                None => tr!(
                    l,
                    format!("責任区分を訂正: {old} → {new}（旧記録は無効）"),
                    format!("split corrected: {old} → {new} (earlier entry superseded)")
                ),
            }
        }
        StepEvent::CustomerCorrected { from, to } | StepEvent::SummaryCorrected { from, to } => {
            let what = opening_label(
                l,
                match e {
                    StepEvent::CustomerCorrected { .. } => OpeningField::Customer,
                    _ => OpeningField::Summary,
                },
            );
            tr!(
                l,
                format!("訂正 {what}: {} → {}（旧記録は無効）", whole(from), whole(to)),
                format!(
                    "corrected {what}: {} → {} (earlier entry superseded)",
                    whole(from),
                    whole(to)
                )
            )
        }
        StepEvent::MeasureElsewhere {
            from,
            n,
            text,
            corrected: false,
        } => tr!(
            l,
            format!("同じ部品・ロットの {from} の再発防止策 #{n} を共有:「{}」", whole(text)),
            format!(
                "prevention action #{n} of {from}, which shares a part or lot, told: “{}”",
                whole(text)
            )
        ),
        StepEvent::MeasureElsewhere {
            from,
            n,
            text,
            corrected: true,
        } => tr!(
            l,
            format!(
                "同じ部品・ロットの {from} の再発防止策 #{n} の訂正を共有:「{}」",
                whole(text)
            ),
            format!(
                "prevention action #{n} of {from}, which shares a part or lot, told as corrected: “{}”",
                whole(text)
            )
        ),
        StepEvent::Recurrence {
            earlier,
            shared,
            customer: None,
        } => tr!(
            l,
            format!("再発の可能性: {earlier}（{}）", whole(shared)),
            format!("possible recurrence of {earlier} ({})", whole(shared))
        ),
        StepEvent::Recurrence {
            earlier,
            shared,
            customer: Some(customer),
        } => tr!(
            l,
            format!(
                "他のお客様と同じ部品・ロット: {earlier}（{}様、{}）",
                whole(customer),
                whole(shared)
            ),
            format!(
                "same part or lot as another customer's trouble {earlier} ({}, {})",
                whole(customer),
                whole(shared)
            )
        ),
    }
}

pub fn act_text(l: Locale, act: Act) -> Option<&'static str> {
    Some(match act {
        Act::Facts => tr!(
            l,
            "事実・現品回収・波及範囲・原因の記録",
            "record facts, returned goods, scope and cause"
        ),
        Act::Actions => tr!(l, "対策の追加", "add actions"),
        Act::Reopen => tr!(l, "再開", "reopen this trouble"),
        Act::Fix => tr!(l, "記録の訂正", "correct the record"),
        Act::JudgeEffect => tr!(l, "対策の効果の回答", "answer whether a measure worked"),
        _ => return None,
    })
}

pub fn usage_text(l: Locale, e: &UsageError) -> Option<String> {
    Some(match e {
        UsageError::BadFact(sub) => tr!(
            l,
            format!("`/trouble {sub} 項目 値` の項目は 品番、ロット番号（複数可）、個数、発生日（`2026-11-28 10:00` のように時刻も）、発見場所（工程・場所）、症状 のいずれかです（`part`、`lot`、`qty`、`occurred`、`found`、`symptom` でも可）。"),
            format!("`/trouble {sub} KEY VALUE`: KEY is part, lot (several allowed), qty, occurred (a time like `2026-11-28 10:00`), found (process or site) or symptom.")
        ),
        UsageError::BadReturn => tr!(
            l,
            "`/trouble return 依頼|発送|受領 [数量 12] [伝票 123-456]`（`requested|shipped|received [qty N] [tracking X]` でも可）の形で入力してください。",
            "Write `/trouble return requested|shipped|received [qty N] [tracking X]`."
        )
        .to_string(),
        UsageError::BadAction => {
            let action = super::form_instead(l, super::Form::Action);
            tr!(
            l,
            format!("{action}、`/trouble action done N`、`/trouble action verify N 根拠`、`/trouble action cancel N 理由` の形で入力してください（訂正は `/trouble fix action N 担当:@人 期限:12/20`）。期限は `12/10`、`12/10 15時`、`金曜`、`来週金曜`、`3営業日` など。"),
            format!("Write {action}, `/trouble action done N`, `/trouble action verify N EVIDENCE` or `/trouble action cancel N REASON` (to correct one: `/trouble fix action N owner:@name due:DATE`). DATE: `2026-12-10`, `12/10`, `fri`, `+3d` (business days).")
            )
        }
        UsageError::BadFix => tr!(
            l,
            "`/trouble fix cost N 金額 負担者`、`/trouble fix split 当社/お客様[/他] 理由`、`/trouble fix fact 項目 値`、`/trouble fix customer お客様名`、`/trouble fix summary 概要`、`/trouble fix action N 担当:@人 期限:12/20` の形で入力してください（`訂正 お客様 …`、`訂正 概要 …` でも可）。",
            "Write `/trouble fix cost N AMOUNT PAYER`, `/trouble fix split OURS/CUSTOMER[/OTHER] reason`, `/trouble fix fact KEY VALUE`, `/trouble fix customer NAME`, `/trouble fix summary TEXT` or `/trouble fix action N owner:@name due:DATE`."
        )
        .to_string(),
        UsageError::ScopeLineStays(n) => tr!(
            l,
            format!("範囲の行は記録から消せません。誤って追加した行は、理由を添えて確認済みにしてください: `/trouble scope check {n} 誤入力のため対象外`。何も記録していません。"),
            format!("A scope line stays on the record. One added by mistake is checked with why it needs no check: `/trouble scope check {n} not affected, added by mistake`. Nothing was recorded.")
        ),
        UsageError::NeedsNumber(sub) => tr!(l, format!("`/trouble {sub}` の後に番号を入力してください（状況メッセージの #1, #2…）。"), format!("Give the number after `/trouble {sub}` (#1, #2… in the status message).")),
        _ => return None,
    })
}

pub fn reply_text(l: Locale, config: &Config, reply: &StepReply) -> String {
    match reply {
        StepReply::FactsSet { keys, corrected } if keys.is_empty() && corrected.is_empty() => tr!(
            l,
            "入力された事実はありませんでした。何も変えていません。",
            "No facts were given; nothing changed."
        )
        .to_string(),
        StepReply::FactsUnchanged => tr!(
            l,
            "入力された事実はすでにそのとおり記録されています。何も変えていません。",
            "Those facts are recorded as given already; nothing changed."
        )
        .to_string(),
        StepReply::FactsSet { keys, corrected } => {
            let recorded = (!keys.is_empty()).then(|| {
                let keys = super::listed(l, keys.iter().map(|k| fact_label(l, *k)));
                tr!(l, format!("事実を記録しました（{keys}）。"), format!("Facts recorded ({keys})."))
            });
            let corrected = (!corrected.is_empty()).then(|| {
                let keys = super::listed(l, corrected.iter().map(|k| fact_label(l, *k)));
                tr!(
                    l,
                    format!("訂正しました（{keys}）。元の記録はタイムラインに残り、無効として扱います。"),
                    format!("Corrected ({keys}); the earlier entry stays on the timeline, marked superseded.")
                )
            });
            [recorded, corrected].into_iter().flatten().collect::<Vec<_>>().join(" ")
        }
        StepReply::Returned { state } => tr!(
            l,
            format!("現品回収の状況を記録しました: {}。", return_label(l, *state)),
            format!("Returned goods recorded: {}.", return_label(l, *state))
        ),
        StepReply::ScopeAdded { n } => tr!(
            l,
            format!("波及範囲 #{n} を追加しました。確認できたら `/trouble scope check {n}` を入力してください。"),
            format!("Scope line #{n} added. When it is checked: `/trouble scope check {n}`.")
        ),
        StepReply::ScopeChecked { n } => tr!(
            l,
            format!("波及範囲 #{n} を確認済みにしました。"),
            format!("Scope line #{n} checked.")
        ),
        StepReply::CauseSet { escape_missing } => format!(
            "{}{}",
            tr!(l, "原因を記録しました（第3段階）。", "Cause recorded (stage 3)."),
            escape_unrecorded(l, *escape_missing)
        ),
        StepReply::EscapeRecorded => tr!(
            l,
            "流出原因を原因に記録しました（第3段階）。",
            "Escape point recorded with the cause (stage 3)."
        )
        .to_string(),
        StepReply::CauseUnchanged { escape_missing } => format!(
            "{}{}",
            match escape_missing {
                true => tr!(l, "原因はすでにそのとおり記録されています。何も変えていません。", "That cause is recorded already; nothing changed."),
                false => tr!(
                    l,
                    "原因はすでに流出原因とともにそのとおり記録されています。何も変えていません。",
                    "That cause is recorded already, with its escape point; nothing changed."
                ),
            },
            escape_unrecorded(l, *escape_missing)
        ),
        StepReply::EscapeWithoutCause => tr!(
            l,
            "原因がまだ記録されていません。原因と一緒に記録してください: `/trouble 原因 発生原因 流出: なぜ見逃したか`",
            "No cause is recorded yet: give it with the cause, `/trouble cause TEXT escape: WHY IT WAS NOT CAUGHT`."
        )
        .to_string(),
        StepReply::CauseCorrected { escape_missing } => format!(
            "{}{}",
            tr!(
                l,
                "原因を訂正しました（第3段階）。元の記録はタイムラインに残り、無効として扱います。",
                "Cause corrected (stage 3); the earlier entry stays on the timeline, marked superseded."
            ),
            escape_unrecorded(l, *escape_missing)
        ),
        StepReply::ActionAdded { n, kind, due } => {
            let due = due
                .map(|d| {
                    // A date typed without its weekday in mind (`12/26`, `due:1/2`) may fall
                    // when nobody works: said at once, while it is easily corrected.
                    let closed = crate::trouble::hours::closed_day(config.policy.business_hours.as_ref(), config.policy.timezone, d);
                    let when = format_day_time(l, config.policy.timezone, d);
                    match closed {
                        None => tr!(l, format!("期限は {when} です。"), format!(" Due {when}.")),
                        Some(crate::trouble::hours::ClosedDay::DayOff) => tr!(
                            l,
                            format!("期限は {when} で、営業日ではありません（`/trouble 訂正 対策 {n} 期限:…` で直せます）。"),
                            format!(" Due {when}, not a working day (`/trouble fix action {n} due:…` corrects it).")
                        ),
                        Some(crate::trouble::hours::ClosedDay::Holiday) => tr!(
                            l,
                            format!("期限は {when} で、休日です（`/trouble 訂正 対策 {n} 期限:…` で直せます）。"),
                            format!(" Due {when}, a holiday (`/trouble fix action {n} due:…` corrects it).")
                        ),
                    }
                })
                .unwrap_or_default();
            // Stage 7 presents the measures with their owner and due date (domain.md): one
            // given none is a promise to the customer with no date, the first thing they ask.
            let due = match (kind, due.is_empty()) {
                (ActionKind::Prevent, true) => tr!(
                    l,
                    format!("期限がありません。お客様に示す再発防止策には期限が要ります（`/trouble 訂正 対策 {n} 期限:…`）。"),
                    format!(" It has no due date: a measure the customer is shown needs one (`/trouble fix action {n} due:…`).")
                ),
                _ => due,
            };
            match kind {
                ActionKind::Prevent => tr!(
                    l,
                    format!("再発防止策を対策 #{n} として記録しました（第7段階）。{due}"),
                    format!("Prevention measure recorded as action #{n} (stage 7).{due}")
                ),
                _ => tr!(
                    l,
                    format!("対策 #{n} を追加しました（第4段階）。{due}"),
                    format!("Action #{n} added (stage 4).{due}")
                ),
            }
        }
        StepReply::ActionDone { n } => tr!(
            l,
            format!("対策 #{n} を完了にしました。"),
            format!("Action #{n} marked done.")
        ),
        StepReply::ActionVerified { n } => tr!(
            l,
            format!("対策 #{n} を検証済みにしました。"),
            format!("Action #{n} verified.")
        ),
        StepReply::AlreadyDone { n, by } => tr!(
            l,
            format!("対策 #{n} は{}が完了済みにしています。", user(by)),
            format!("Action #{n} was already marked done by {}.", user(by))
        ),
        StepReply::ScopeAlreadyChecked { n, by } => tr!(
            l,
            format!("範囲の行 #{n} は{}が確認済みです。何も記録していません。", user(by)),
            format!("Scope line #{n} was already checked by {}. Nothing was recorded.", user(by))
        ),
        StepReply::AlreadyVerified { n, by } => tr!(
            l,
            format!("対策 #{n} は{}が検証済みです。何も記録していません。", user(by)),
            format!("Action #{n} was already verified by {}. Nothing was recorded.", user(by))
        ),
        StepReply::OwnWork { n } => tr!(
            l,
            format!("対策 #{n} はご自身が担当または完了にしたため、検証できません。上司の系列か関係部門の他のメンバーが検証します。何も記録していません。"),
            format!("You owned action #{n} or marked it done, so you cannot verify it: the manager chain or another member of its departments checks it. Nothing was recorded.")
        ),
        StepReply::VerifyNeedsEvidence { n } => tr!(
            l,
            format!("何を確認したか（検証の根拠）を入力してください: `/trouble action verify {n} 根拠`（例: `200ショット割れなし`）。8D報告書のD6にそのまま載ります。何も記録していません。"),
            format!("Say what was checked (the evidence): `/trouble action verify {n} EVIDENCE` (say, `200 shots without cracks`). It goes into the 8D's D6 as written. Nothing was recorded.")
        ),
        StepReply::NotDoneYet { n } => tr!(
            l,
            format!("対策 #{n} はまだ完了していないため、検証できません。"),
            format!("Action #{n} is not done yet, so it cannot be verified.")
        ),
        StepReply::NoSplitToFix => tr!(
            l,
            "訂正する責任区分がまだありません。`/trouble split 当社70 お客様30` で提案してください。何も記録していません。",
            "There is no split to correct yet: propose one with `/trouble split 70/30`. Nothing was recorded."
        )
        .to_string(),
        StepReply::NoSuchLine { what, n } => tr!(
            l,
            format!("{} #{n} はありません。", numbered(l, *what)),
            format!("There is no {} #{n}.", numbered(l, *what))
        ),
        StepReply::BadDue { text, error } => {
            let text = away(text);
            let why = match error {
                DueError::InPast => tr!(
                    l,
                    format!("`{text}` は過去の日時です。これからの日付を入力してください。"),
                    format!("`{text}` is in the past; give a date ahead.")
                ),
                DueError::Ambiguous { hour } => tr!(
                    l,
                    format!("`{text}` は{hour}時とも{hour}時間後とも読めます。{hour}時なら `{hour}:00`、{hour}時間後なら `{hour}時間後`（`in {hour}h`）と入力してください。"),
                    format!("`{text}` could be {hour}:00 or {hour} hours from now: write `{hour}:00` for the time of day, or `in {hour}h` for the hours.")
                ),
                // Said of a due date and a check date alike.
                DueError::TooFar { days } => tr!(
                    l,
                    format!("`{text}` は{days}日より先です。年の入力を確かめてください（期限と確認日は{days}日以内です。それより先になるなら近い日付を付け、進めながら `/trouble fix action` で延ばしてください）。"),
                    format!("`{text}` is more than {days} days ahead: check the year. A due or check date is at most {days} days away; for longer, give a nearer date and move it on with `/trouble fix action` as it goes.")
                ),
                DueError::Unrecognised => {
                    let tried = tr!(l, format!("`{text}` を日付として読めません。`2026-12-10`、`12/10`、`12/10 15時`、`金曜`、`来週金曜`、`3営業日`、`+3d`（営業日）などで入力してください。"), format!("`{text}` is not a date I understand. Use `2026-12-10`, `12/10`, `Dec 10 3pm`, `fri`, `tomorrow eod`, `in 2 weeks` or `+3d` / `3 business days`."));
                    // A zone meant, as `next:` takes it: the same words say what was wrong.
                    match super::replies::impossible_offset_words(l, &text) {
                        Some(why) => why,
                        None => match super::replies::name_the_zone_words(l, &text) {
                            Some(how) => format!("{tried}\n{how}"),
                            None => tried,
                        },
                    }
                }
            };
            // The whole command was refused: read as "added, the date was wrong", the action
            // would never be typed again.
            tr!(l, format!("{why}何も記録していません。"), format!("{why} Nothing was recorded."))
        }
        StepReply::ScopeUnchecked { unchecked, chain } => {
            let lines = super::listed(l, unchecked.iter().map(|n| format!("#{n}")));
            let (noun, verb) = if unchecked.len() == 1 {
                ("Scope line", "is")
            } else {
                ("Scope lines", "are")
            };
            let chain = chain_or_word(l, &config.policy, chain);
            tr!(
                l,
                format!("波及範囲 {lines} が未確認のため、第2段階は完了にできません。`/trouble scope check N` で確認するか、{chain}が理由を添えて `/trouble done 2 理由` を入力してください。"),
                format!("{noun} {lines} {verb} not checked, so stage 2 cannot be done. Check them with `/trouble scope check N`, or {chain} can mark it done with a reason: `/trouble done 2 REASON`.")
            )
        }
        StepReply::CauseUnrecorded { chain } => {
            let chain = chain_or_word(l, &config.policy, chain);
            tr!(
                l,
                format!("原因が記録されていないため、第3段階は完了にできません。`/trouble cause 原因 流出: なぜ見逃したか` で記録してください。原因が特定できない場合は、{chain}が理由を添えて `/trouble done 3 理由` を入力できます。"),
                format!("No cause is recorded, so stage 3 cannot be done. Record it with `/trouble cause TEXT escape: WHY IT WAS NOT CAUGHT`; if the cause cannot be found, {chain} can mark it done with a reason: `/trouble done 3 REASON`.")
            )
        }
        StepReply::SplitUnrecorded { chain } => {
            let chain = chain_or_word(l, &config.policy, chain);
            tr!(
                l,
                format!("責任区分が記録されていないため、第5段階は完了にできません。`/trouble split 当社/お客様 理由`（例: `/trouble split 70/30 梱包不良`）で記録してください。お客様が協議に応じない場合などは、{chain}が理由を添えて `/trouble done 5 理由` を入力できます。"),
                format!("No split of responsibility is recorded, so stage 5 cannot be done. Record it with `/trouble split OURS/CUSTOMER REASON` (say `/trouble split 70/30 packing damage`); if it cannot be settled (the customer declined to discuss it, say), {chain} can mark it done with a reason: `/trouble done 5 REASON`.")
            )
        }
        StepReply::CostUnrecorded { chain } => {
            let chain = chain_or_word(l, &config.policy, chain);
            tr!(
                l,
                format!("費用が記録されていないため、第6段階は完了にできません。`/trouble cost 金額 負担者 内容` で記録してください（費用負担がなければ `/trouble cost 0 当社`）。交渉がまとまらない場合などは、{chain}が理由を添えて `/trouble done 6 理由` を入力できます。"),
                format!("No cost is recorded, so stage 6 cannot be done. Record it with `/trouble cost AMOUNT PAYER WHAT FOR` (`/trouble cost 0 ours` if there is none); if it cannot be settled, {chain} can mark it done with a reason: `/trouble done 6 REASON`.")
            )
        }
        StepReply::ActionNotAllowed { who } => match who {
            Who::OwnerOrChain { owner, chain } => tr!(
                l,
                format!(
                    "この対策を完了にできるのは担当の {} と {}だけです。",
                    user(owner),
                    if chain.is_empty() {
                        "上司".to_string()
                    } else {
                        super::chain_text(l, &config.policy, chain)
                    }
                ),
                format!(
                    "Only its owner {} or {} can mark this action done.",
                    user(owner),
                    if chain.is_empty() {
                        "the manager chain".to_string()
                    } else {
                        super::chain_text(l, &config.policy, chain)
                    }
                )
            ),
            _ => String::new(),
        },
        // Nobody above the owner, no department, and the owner did the work: nobody may check
        // it, said so rather than as "only the manager chain", which is nobody here.
        // Those who could are gone from Slack: said so, not a reason that is not the one.
        StepReply::VerifyNotAllowed { checkers } if checkers.is_nobody() && !checkers.left_out.is_empty() => {
            let gone = super::people(l, &checkers.left_out);
            tr!(
                l,
                format!("この対策を検証できる人がいません。検証できるはずの {gone} には Slack で連絡が届きません（ワークスペースを離れたなど）。対応中のトラブルなら `/trouble add +部門` で部門を加えると、そのメンバーが検証できます。"),
                format!("Nobody can verify this action: {gone}, who could, cannot be reached in Slack (they left the workspace, say). While the trouble is open, add a department with `/trouble add +dept`: its members can.")
            )
        }
        StepReply::VerifyNotAllowed { checkers } if checkers.is_nobody() => tr!(
            l,
            "この対策を検証できる人がいません。担当より上の上司がおらず、トラブルに部門もなく、対策を行った人は検証できないためです。対応中のトラブルなら `/trouble add +部門` で部門を加えると、そのメンバーが検証できます。",
            "Nobody can verify this action: nobody is above the owner, no department is on the trouble, and whoever did the work never verifies it. While the trouble is open, add a department with `/trouble add +dept`: its members can."
        )
        .to_string(),
        StepReply::VerifyNotAllowed { checkers } => {
            let who = checkers_text(l, config, checkers);
            if checkers.departments.is_empty() {
                // No department checks: no empty brackets, and how to bring one in.
                return tr!(
                    l,
                    format!("対策を検証できるのは {who}だけです（部門は `/trouble add +部門` で加えられ、そのメンバーも検証できます）。"),
                    format!("Only {who} can verify an action (add a department with `/trouble add +dept`: its members can too).")
                );
            }
            tr!(
                l,
                format!("対策を検証できるのは {who}だけです。"),
                format!("Only {who} can verify an action.")
            )
        }
        StepReply::ActionChangeNotAllowed { cancel, who } => {
            let (owner, chain) = match who {
                Who::OwnerOrChain { owner, chain } => (user(owner), chain),
                _ => return String::new(),
            };
            let chain = if chain.is_empty() {
                tr!(l, "上司", "the manager chain").to_string()
            } else {
                super::chain_text(l, &config.policy, chain)
            };
            match cancel {
                true => tr!(
                    l,
                    format!("対策を取り消せるのは、トラブルの担当の {owner} と {chain}だけです。何も変えていません。"),
                    format!("Only the trouble's owner {owner} or {chain} can cancel an action. Nothing was changed.")
                ),
                false => tr!(
                    l,
                    format!("対策を訂正できるのは、トラブルの担当の {owner} と {chain}だけです。何も変えていません。"),
                    format!("Only the trouble's owner {owner} or {chain} can correct an action. Nothing was changed.")
                ),
            }
        }
        StepReply::EffectIsSomeoneElses { n, checkers } if checkers.is_nobody() && !checkers.left_out.is_empty() => {
            let gone = super::people(l, &checkers.left_out);
            tr!(
                l,
                format!("対策 #{n} が効いたかどうかを確認できる人がいません。確認できるはずの {gone} には Slack で連絡が届きません（ワークスペースを離れたなど）。効かなかった場合は誰でも「効果なし」で記録できます。何も記録していません。"),
                format!("Nobody can confirm that action #{n} worked: {gone}, who could, cannot be reached in Slack (they left the workspace, say). That it did not, anyone asked may record with *Not effective*. Nothing was recorded.")
            )
        }
        StepReply::EffectIsSomeoneElses { n, checkers } if checkers.is_nobody() => tr!(
            l,
            format!("対策 #{n} が効いたかどうかを確認できる人がいません。担当より上の上司がおらず、トラブルに部門もなく、対策を担当した人や完了にした人は確認できないためです。効かなかった場合は誰でも「効果なし」で記録できます。何も記録していません。"),
            format!("Nobody can confirm that action #{n} worked: nobody is above the owner, no department is on the trouble, and whoever owned it or marked it done never confirms it. That it did not, anyone asked may record with *Not effective*. Nothing was recorded.")
        ),
        StepReply::EffectIsSomeoneElses { n, checkers } => {
            // As `action verify` names who may check.
            let who = checkers_text(l, config, checkers);
            tr!(
                l,
                format!("対策 #{n} が効いたかどうかを確認できるのは、対策の検証と同じく {who}で、対策を担当した人や完了にした人は除きます。効かなかった場合は誰でも「効果なし」で記録できます。何も記録していません。"),
                format!("Whether action #{n} worked is for {who} to confirm, as for verifying an action, never whoever owned it or marked it done; that it did not, anyone asked may record with *Not effective*. Nothing was recorded.")
            )
        }
        StepReply::ActionChainOnly {
            n,
            cancel,
            given_by,
            chain,
        } => {
            let chain = super::chain_text(l, &config.policy, chain);
            let (verb_ja, verb_en) = match cancel {
                true => ("取り消せる", "cancel"),
                false => ("訂正できる", "correct"),
            };
            match given_by {
                Some(by) => tr!(
                    l,
                    format!("対策 #{n} は上司の {} が決めたものなので、{verb_ja}のは {chain}だけです。何も変えていません。", user(by)),
                    format!("Action #{n} was given by {}, in the manager chain, so only {chain} can {verb_en} it. Nothing was changed.", user(by))
                ),
                None => tr!(
                    l,
                    format!("トラブルはクローズ済みで、クローズはその時点の対策を前提にしています。対策 #{n} を{verb_ja}のは {chain}だけです。何も変えていません。"),
                    format!("The trouble is closed, and its close counted on the actions then open: only {chain} can {verb_en} action #{n}. Nothing was changed.")
                ),
            }
        }
        StepReply::ActionCorrected { n, change } => {
            // The answer names the parts; the channel's line, just posted, has the values.
            let parts = [
                change.owner.as_ref().map(|_| tr!(l, "担当", "owner")),
                change.due.as_ref().map(|_| tr!(l, "期限", "due date")),
                change.check.as_ref().map(|_| tr!(l, "効果確認日", "check date")),
                change.text.as_ref().map(|_| tr!(l, "内容", "text")),
            ];
            let what = super::listed(l, parts.into_iter().flatten());
            tr!(
                l,
                format!("対策 #{n} を訂正しました（{what}）。元の記録はタイムラインに残ります。"),
                format!("Action #{n} corrected ({what}). The earlier entry stays on the timeline.")
            )
        }
        StepReply::ActionUnchanged { n } => tr!(
            l,
            format!("対策 #{n} はすでにそのとおり記録されています。何も変えていません。"),
            format!("Action #{n} is recorded as given already; nothing changed.")
        ),
        StepReply::NothingToFix { n } => tr!(
            l,
            format!("対策 #{n} の何を訂正するか入力してください: `/trouble fix action {n} 担当:@人 期限:12/20 確認日:日付 内容`（変える部分だけ）。何も変えていません。"),
            format!("Say what to correct in action #{n}: `/trouble fix action {n} owner:@name due:DATE check:DATE TEXT` (only the parts that change). Nothing was changed.")
        ),
        StepReply::ActionDoneAlready { n, by, cancel } => match cancel {
            true => tr!(
                l,
                format!("対策 #{n} は{}が完了済みにしているため、取り消せません。完了は記録に残ります。誤りがあれば `/trouble note` で書き残してください。何も変えていません。", user(by)),
                format!("Action #{n} was marked done by {}, so it cannot be cancelled: done stays on the record. If something about it was wrong, say so with `/trouble note`. Nothing was changed.", user(by))
            ),
            false => tr!(
                l,
                format!("対策 #{n} は{}が完了済みにしているため、訂正できません。完了は記録に残ります。誤りがあれば `/trouble note` で書き残してください。何も変えていません。", user(by)),
                format!("Action #{n} was marked done by {}, so it cannot be corrected: done stays on the record. If something about it was wrong, say so with `/trouble note`. Nothing was changed.", user(by))
            ),
        },
        StepReply::ActionWasCancelled { n, by } => tr!(
            l,
            format!("対策 #{n} は{}が取り消し済みです。何も変えていません。", user(by)),
            format!("Action #{n} was cancelled by {}. Nothing was changed.", user(by))
        ),
        StepReply::LastMeasureOfClose { n, reopeners } => {
            let (who_ja, who_en) = match reopeners {
                None => (String::new(), String::new()),
                Some(r) => {
                    let r = super::chain_text(l, &config.policy, r);
                    (format!("{r}が"), format!(" ({r} may)"))
                }
            };
            tr!(
                l,
                format!("対策 #{n} は、このトラブルがクローズの条件とした最後の再発防止策です。取り消すと再発防止策なしで通常どおりクローズしたことになるため、取り消せません。先に{who_ja} `/trouble reopen 理由` で再開し、正しい対策を記録してください。何も変えていません。"),
                format!("Action #{n} is the last prevention measure this trouble was closed on: cancelled, the record would read as closed normally with none. Reopen it first (`/trouble reopen REASON`){who_en} and record the right measure. Nothing was changed.")
            )
        }
        StepReply::CancelNeedsReason { n } => tr!(
            l,
            format!("取り消す理由を入力してください: `/trouble action cancel {n} 理由`（例: `重複のため`）。何も変えていません。"),
            format!("Give the reason for cancelling it: `/trouble action cancel {n} REASON` (say, `duplicate of #2`). Nothing was changed.")
        ),
        StepReply::ActionCancelled { n } => tr!(
            l,
            format!("対策 #{n} を取り消しました。タイムラインには残り、通知やクローズの条件からは外れます。"),
            format!("Action #{n} cancelled. It stays on the timeline, marked cancelled; it is no longer reminded of nor counted for the close.")
        ),
        StepReply::Reopened { stage, still_lost } => {
            let at = reopened_at(l, *stage);
            match still_lost {
                None => tr!(
                    l,
                    format!("トラブルを再開しました（{at}）。"),
                    format!("The trouble is open again ({at}).")
                ),
                // Told what to do, as the owner and the manager are by DM.
                Some((how, channel)) => {
                    let lost = super::messages::still_lost(l, *how, &format!("<#{channel}>"));
                    tr!(
                        l,
                        format!("トラブルを再開しました（{at}）。ただし、{lost}"),
                        format!("The trouble is open again ({at}), but {lost}")
                    )
                }
            }
        }
        StepReply::NotClosed => tr!(
            l,
            "このトラブルはクローズされていないので、再開するものはありません。",
            "This trouble is not closed; there is nothing to reopen."
        )
        .to_string(),
        StepReply::OpeningCorrected { field } => {
            let what = opening_label(l, *field);
            tr!(
                l,
                format!("{what}を訂正しました。キックオフ、状況メッセージ、上司へのDM、確認をお願いしたDM、承認をお願いしているDMも書き換えます。元の記録はタイムラインに残ります。"),
                format!("The {what} is corrected; the kickoff, the status, the managers' DMs, the DMs that asked for an acknowledgement and those still asking for a decision are edited to match. The earlier entry stays on the timeline.")
            )
        }
        StepReply::OpeningUnchanged { field } => {
            let what = opening_label(l, *field);
            tr!(
                l,
                format!("{what}はすでにそのとおり記録されています。何も変えていません。"),
                format!("The {what} is recorded as given already; nothing changed.")
            )
        }
        StepReply::Corrected => tr!(
            l,
            "訂正しました。元の記録はタイムラインに残り、無効として扱います。",
            "Corrected. The earlier entry stays on the timeline, marked superseded."
        )
        .to_string(),
        StepReply::EffectRecorded { effective: true, .. } => {
            tr!(l, "効果ありと記録しました。", "Recorded as effective.").to_string()
        }
        StepReply::EffectRecorded {
            effective: false,
            reopened: true,
        } => tr!(
            l,
            "効果なしと記録し、トラブルを再開しました。",
            "Recorded as not effective; the trouble is reopened."
        )
        .to_string(),
        StepReply::EffectRecorded {
            effective: false,
            reopened: false,
        } => tr!(
            l,
            "効果なしと記録しました。トラブルはすでに対応中です。",
            "Recorded as not effective; the trouble is already open."
        )
        .to_string(),
        StepReply::EffectCheckRescheduled { n, id, check } => {
            let asked = tr!(
                l,
                format!("トラブル {id} の再発防止策 #{n} の効果確認は、日付が訂正される前に伺ったものです。"),
                format!("This check of prevention action #{n} on trouble {id} was asked before its dates were corrected.")
            );
            match check {
                Some(at) => {
                    let on = format_day_time(l, config.policy.timezone, *at);
                    tr!(
                        l,
                        format!("{asked}何も記録していません。{on}に改めて伺う確認でご回答ください。"),
                        format!("{asked} Nothing was recorded: the check asked on {on} is the one that counts.")
                    )
                }
                None => tr!(
                    l,
                    format!("{asked}現在は確認日がないため、何も記録していません。確認日は `/trouble fix action {n} check:日付` で設定できます。"),
                    format!("{asked} It has no check date now, so nothing was recorded: `/trouble fix action {n} check:DATE` sets one.")
                ),
            }
        }
        StepReply::EffectCheckSuperseded { n, id, at } => {
            let tz = config.policy.timezone;
            let (on_ja, on_en) = match at {
                Some(at) => (
                    format!("{}に", format_day_time(l, tz, *at)),
                    format!(" on {}", format_day_time(l, tz, *at)),
                ),
                None => (String::new(), String::new()),
            };
            tr!(
                l,
                format!("トラブル {id} はこの効果確認の後、{on_ja}再開されました。確認していたクローズはもう有効でないため、何も記録していません。再発防止策 #{n} の効果は、次にクローズしたときに改めて伺います。"),
                format!("Trouble {id} was reopened{on_en}, after this check was asked: the close it asked about no longer stands, so nothing was recorded. Prevention action #{n} is checked again at its next close.")
            )
        }
        StepReply::EffectAlreadyRecorded { n, effective } => {
            let answer = if *effective {
                tr!(l, "効果あり", "effective")
            } else {
                tr!(l, "効果なし", "not effective")
            };
            tr!(
                l,
                format!("再発防止策 #{n} の効果は、すでに「{answer}」と記録されています。"),
                format!("Prevention action #{n} is already recorded as {answer}.")
            )
        }
        StepReply::NoEffectCheck { n } => tr!(
            l,
            format!("対策 #{n} には効果確認がありません。効果確認は再発防止策についてだけ行います。"),
            format!("Action #{n} has no effectiveness check: only a prevention measure is asked whether it worked.")
        ),
        StepReply::EffectNotDue { n, dated: true } => tr!(
            l,
            format!("再発防止策 #{n} の効果確認はまだです。確認日になったら効果を伺います。何も記録していません。"),
            format!("Prevention measure #{n}'s effectiveness check is not due yet: it is asked on its check date. Nothing was recorded.")
        ),
        StepReply::EffectNotDue { n, dated: false } => tr!(
            l,
            format!("再発防止策 #{n} には効果確認日がありません。`/trouble fix action {n} 確認日:日付` で設定してください。何も記録していません。"),
            format!("Prevention measure #{n} has no check date: set one with `/trouble fix action {n} check:DATE`. Nothing was recorded.")
        ),
        StepReply::Shell => String::new(),
    }
}

/// Close refused for the actions: interim actions still open, no prevention action.
pub fn close_actions_text(l: Locale, open_interim: &[usize], has_prevention: bool) -> String {
    let mut out = Vec::new();
    if !open_interim.is_empty() {
        let list = super::listed(l, open_interim.iter().map(|n| format!("#{n}")));
        let (noun, verb) = if open_interim.len() == 1 {
            ("Interim action", "is")
        } else {
            ("Interim actions", "are")
        };
        // The command ready to send for the first of them, not a placeholder to fill in.
        let first = open_interim[0];
        out.push(tr!(
            l,
            format!("暫定対策 {list} がまだ完了していません（`/trouble action done {first}`）。"),
            format!("{noun} {list} {verb} not done yet (`/trouble action done {first}`).")
        ));
    }
    if !has_prevention {
        out.push(
            tr!(
                l,
                "再発防止策がありません（`/trouble action prevent …`）。",
                "There is no prevention action (`/trouble action prevent …`)."
            )
            .to_string(),
        );
    }
    tr!(
        l,
        format!("まだクローズできません。{}", out.join("")),
        format!("Not yet closable. {}", out.join(" "))
    )
}

/// `/trouble search`: newest first, what the asker may see.
/// `found` are the first matches to show (newest first), of `total`.
pub fn search_text(l: Locale, config: &Config, query: &str, found: &[Trouble], total: usize) -> String {
    let q = away(query);
    if found.is_empty() {
        return tr!(
            l,
            format!("「{q}」に当てはまるトラブルはありません。"),
            format!("No trouble matches “{q}”.")
        );
    }
    let mut out = tr!(
        l,
        format!("*「{q}」の検索結果 {total}件*（新しい順）\n"),
        format!(
            "*{} {} “{q}”* (newest first)\n",
            super::en_count(total, "trouble", "troubles"),
            if total == 1 { "matches" } else { "match" }
        )
    );
    for t in found.iter().take(20) {
        let f = &t.substance.facts;
        let extra: Vec<String> = [FactKey::Part, FactKey::Lot]
            .iter()
            .filter_map(|k| f.get(*k).map(|v| format!("{} {}", fact_label(l, *k), away(&v))))
            .collect();
        let channel = t.channel.as_ref().map(|c| format!(" <#{c}>")).unwrap_or_default();
        let state = if t.is_open() {
            tr!(l, "対応中", "open")
        } else {
            tr!(l, "クローズ", "closed")
        };
        let state = tr!(l, format!("（{state}）"), format!(" ({state})"));
        out.push_str(&format!(
            "• {} {} — {} — {}{state}{}{channel}\n",
            t.id,
            format_day_time(l, config.policy.timezone, t.opened_at),
            super::messages::customer_short(t),
            cut(&user_text(&t.summary, Where::Elsewhere).replace('\n', " "), 120),
            if extra.is_empty() {
                String::new()
            } else {
                format!(" · {}", extra.join(" · "))
            }
        ));
    }
    if total > found.len().min(20) {
        let more = total - found.len().min(20);
        out.push_str(&tr!(l, format!("…ほか{more}件"), format!("…and {more} more")));
    }
    super::san(l, &out)
}

/// The help's lines for the commands of this module.
pub fn help(l: Locale) -> &'static str {
    tr!(
        l,
        "• `/trouble fact 項目 値`（項目は 品番、ロット番号、個数、発生日、発見場所、症状）、`/trouble fact` でフォーム — 事実（5W2H）\n\
         • `/trouble return 依頼|発送|受領 [数量 N] [伝票 番号]` — 現品回収の状況\n\
         • `/trouble scope 内容` / `scope check N` — 波及範囲（未確認の行があると第2段階は完了できません）\n\
         • `/trouble cause 原因 [流出: 流出原因]` — 原因\n\
         • `/trouble action 暫定|恒久|再発防止 内容 [担当:@人] [期限:12/20] [確認日:効果確認日]` / `action done N` / `action verify N 根拠` — 対策（期限の前営業日と超過時に担当者へ通知）\n\
         • `/trouble fix action N [担当:@人] [期限:日付] [確認日:日付] [内容]` — 対策の訂正（書いた部分だけ）/ `/trouble action cancel N 理由`（`対策 取消 N 理由`）— 誤って登録した対策の取消（トラブルの担当か上司）\n\
         • `/trouble fix cost N …` / `fix split …` / `fix fact 項目 値` / `fix customer お客様名` / `fix summary 概要` — 記録の訂正（元の記録は残ります）\n\
         • `/trouble reopen 理由` — 再開（上司。チャンネルがアーカイブ済みならボットとの DM で `/trouble reopen 番号 理由`）",
        "• `/trouble fact KEY VALUE` (part / lot / qty / occurred / found / symptom), `/trouble fact` for a form — the facts (5W2H)\n\
         • `/trouble return requested|shipped|received [qty N] [tracking X]` — the returned goods\n\
         • `/trouble scope TEXT` / `scope check N` — scope of impact (stage 2 waits for every line to be checked)\n\
         • `/trouble cause TEXT [escape: WHY NOT CAUGHT]` — the cause\n\
         • `/trouble action interim|permanent|prevent TEXT [owner:@name] [due:DATE] [check:DATE]` / `action done N` / `action verify N EVIDENCE` — countermeasures (the owner is reminded the business day before and when overdue)\n\
         • `/trouble fix action N [owner:@name] [due:DATE] [check:DATE] [TEXT]` — correct an action (only the parts given) / `/trouble action cancel N REASON` — cancel one given by mistake (the trouble's owner or the manager chain)\n\
         • `/trouble fix cost N …` / `fix split …` / `fix fact KEY VALUE` / `fix customer NAME` / `fix summary TEXT` — corrections (the old entry stays)\n\
         • `/trouble reopen REASON` — reopen (the manager chain; its channel archived, `/trouble reopen ID REASON` in a DM with the bot)"
    )
}

/// Where a reopened trouble stands: stage 4, or an earlier one never done (a forced close).
fn reopened_at(l: Locale, stage: Option<crate::trouble::model::StageId>) -> String {
    match stage {
        Some(s) => tr!(
            l,
            format!("第{}段階 {} から", s.number(), super::stage_name(l, s)),
            format!("back at stage {} {}", s.number(), super::stage_name(l, s))
        ),
        None => tr!(l, "全段階完了", "every stage done").to_string(),
    }
}

/// A superseded split as the timeline keeps it (`70/30/0`), in the words every split reads in
/// (`us 70% / the customer 30%`); None for anything else (`—`, no split before).
fn shares_as_written(l: Locale, kept: &str) -> Option<String> {
    let mut shares = kept.split('/').map(|n| n.trim().parse::<u8>().ok());
    match (
        shares.next().flatten(),
        shares.next().flatten(),
        shares.next().flatten(),
        shares.next(),
    ) {
        (Some(ours), Some(customer), Some(other), None) => {
            Some(super::messages::split_shares(l, ours, customer, other))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A superseded split on the timeline reads as every split reads, in both languages.
    #[test]
    fn a_superseded_split_reads_as_shares_with_their_payers() {
        assert_eq!(
            shares_as_written(Locale::En, "70/30/0").as_deref(),
            Some("us 70% / the customer 30%")
        );
        assert_eq!(
            shares_as_written(Locale::Ja, "60/30/10").as_deref(),
            Some("当社 60% / お客様 30% / 他社 10%")
        );
        assert_eq!(shares_as_written(Locale::En, "—"), None);
        assert_eq!(shares_as_written(Locale::En, "1/2/3/4"), None);
    }

    /// Another trouble's measure told here is quoted as text from elsewhere: cut short, so the
    /// line fits a Slack section, and with no live mention of anyone in this channel.
    #[test]
    fn a_measure_told_from_another_trouble_is_cut_short_and_pings_nobody() {
        let (config, t) = super::super::messages::tests::hostile();
        for l in [Locale::En, Locale::Ja] {
            let line = StepLine::MeasureElsewhere {
                from: crate::trouble::model::TroubleId::new("20261130-9"),
                channel: None,
                customer: "Globex <@U0VP>".into(),
                n: 1,
                text: format!("<@U0VP> <!channel> {}", "x".repeat(2990)),
                corrected: false,
                more: 0,
            };
            let rendered = step_line(l, &config, &t, &line);
            assert!(rendered.text.chars().count() < 1000, "{}", rendered.text);
            assert!(
                !rendered.text.contains("<@U0VP>") && !rendered.text.contains("<!channel>"),
                "{}",
                rendered.text
            );
        }
    }

    /// The DM telling a closed trouble's people of the same part or lot elsewhere names both
    /// troubles in either language, and pings nobody with the text it carries.
    #[test]
    fn the_same_lot_after_a_close_is_said_in_both_languages_and_pings_nobody() {
        let (config, t) = super::super::messages::tests::hostile();
        for (l, words) in [
            (Locale::En, "turned up at another customer"),
            (Locale::Ja, "他のお客様でも見つかりました"),
        ] {
            let line = StepLine::SharedAfterClose {
                other: crate::trouble::model::TroubleId::new("20261130-9"),
                channel: None,
                opened_at: t.opened_at,
                shared: "Lot <!channel>".into(),
                customer: Some("Globex <@U0VP>".into()),
                closed_at: t.opened_at,
            };
            let text = step_line(l, &config, &t, &line).text;
            assert!(
                text.contains(words) && text.contains("20261130-9") && text.contains(t.id.as_str()),
                "{text}"
            );
            assert!(!text.contains("<@U0VP>") && !text.contains("<!channel>"), "{text}");
        }
    }

    /// The owner's interim action "sort stock" on `t`, done and verified with `mark` if given.
    fn sort_stock(t: &Trouble, mark: Option<crate::trouble::facts::Mark>) -> Action {
        Action {
            kind: crate::trouble::actions::ActionKind::Interim,
            text: "sort stock".into(),
            owner: t.owner.clone(),
            due: None,
            check: None,
            by: t.owner.clone(),
            at: t.opened_at,
            done: mark.clone(),
            verified: mark,
            effective: None,
            judged: None,
            cancelled: None,
            round: 0,
        }
    }

    /// A trouble's action reminder says where it is marked done: in its channel, or, with none
    /// to type in, named by its id in a DM with the bot.
    #[test]
    fn a_reminder_of_a_trouble_with_no_channel_says_to_name_it_in_a_dm() {
        let (config, mut t) = super::super::messages::tests::hostile();
        t.substance.actions.push(sort_stock(&t, None));
        let said = |l, t: &Trouble, line: &StepLine| step_line(l, &config, t, line).text;
        let (remind, goods) = (
            StepLine::ActionReminder { n: 1, overdue: true },
            StepLine::ReturnReminder {
                owner: t.owner.clone(),
                since: t.opened_at,
            },
        );
        let id = t.id.clone();
        let in_channel = said(Locale::En, &t, &remind);
        assert!(in_channel.contains("`/trouble action done 1` in <#"), "{in_channel}");
        t.channel = None;
        t.channel_refused = true;
        for (l, words) in [
            (
                Locale::En,
                format!("`/trouble action done 1 {id}` in a DM with the bot"),
            ),
            (
                Locale::Ja,
                format!("ボットとの DM で `/trouble action done 1 {id}` を入力"),
            ),
        ] {
            let text = said(l, &t, &remind);
            assert!(text.contains(&words), "{text}");
        }
        let text = said(Locale::En, &t, &goods);
        assert!(text.contains(&format!("`/trouble return received {id}`")), "{text}");
    }

    /// The line saying an action was added shows it as added, though it is done by the time
    /// the line is rendered (posted late, behind pacing or an outage).
    #[test]
    fn an_added_line_posted_late_shows_the_action_as_added() {
        let (config, mut t) = super::super::messages::tests::hostile();
        let mark = crate::trouble::facts::Mark {
            by: t.owner.clone(),
            at: t.opened_at,
            note: String::new(),
        };
        t.substance.actions.push(sort_stock(&t, Some(mark)));
        let added = StepLine::Logged {
            event: StepEvent::ActionAdded {
                n: 1,
                kind: crate::trouble::actions::ActionKind::Interim,
                text: "sort stock".into(),
                owner: t.owner.clone(),
                due: None,
                check: None,
            },
            by: Some(t.owner.clone()),
        };
        let text = step_line(Locale::En, &config, &t, &added).text;
        assert!(text.contains("⬜ open") && !text.contains("done"), "{text}");
    }

    /// The text between the first `from` and the next `to`.
    fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
        let start = text.find(from).unwrap_or_else(|| panic!("{from:?} in {text}")) + from.len();
        let len = text[start..].find(to).unwrap_or_else(|| panic!("{to:?} in {text}"));
        &text[start..start + len]
    }

    /// The Japanese help and usage answer name the facts, the kinds of action and the due dates
    /// in words the bot accepts: a word it refused would teach what it refuses.
    #[test]
    fn the_japanese_words_shown_for_facts_kinds_and_due_dates_are_accepted() {
        let help = help(Locale::Ja);
        let usage = usage_text(Locale::Ja, &UsageError::BadFact("fact")).expect("answered");
        for words in [
            between(help, "（項目は ", "）"),
            between(&usage, "の項目は ", " のいずれか"),
        ] {
            for word in words.split('、') {
                let word = word.split('（').next().unwrap_or_default();
                assert!(FactKey::parse(word).is_some(), "{word:?} is no fact key");
            }
        }
        let action = usage_text(Locale::Ja, &UsageError::BadAction).expect("answered");
        for text in [help, action.as_str()] {
            for kind in between(text, "`/trouble action ", " ").split('|') {
                assert!(ActionKind::parse(kind).is_some(), "{kind:?} is no kind of action");
            }
        }
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T08:00:00+09:00")
            .expect("a time")
            .to_utc();
        for due in between(&action, "期限は ", " など").split('、') {
            let due = due.trim_matches('`');
            assert!(
                crate::trouble::due::parse_due(due, now, chrono_tz::Asia::Tokyo, None).is_ok(),
                "{due:?} is no due date"
            );
        }
    }
}
