//! The modals in both locales: opening a trouble, and logging a customer update.

use serde_json::{json, Value};

use super::{severity_name, Locale};
use crate::config::Config;
use crate::slack::blocks::{cut, modal, text_input};
use crate::slack::contracts::{Callback, FactsMetadata, OpenMetadata};
use crate::trouble::command::TEXT_LIMIT;
use crate::trouble::model::{ChannelId, Trouble, UserId};

/// The customer contact is short, a name and perhaps a phone number.
const CONTACT_LIMIT: usize = 200;

/// The contact is appended to the summary (`with_contact`), which as stored holds at most
/// `TEXT_LIMIT` characters: the form keeps room for it, so it never refuses what it allowed.
const SUMMARY_LIMIT: usize = TEXT_LIMIT - CONTACT_LIMIT - 40;

/// The examples under the update form's promise and the action form's due date: each must read
/// as the bot reads them (a test holds them to it), or the form teaches what it refuses.
const UPDATE_NEXT_HINT_JA: &str = "例: 15:00、明日 10:00、金曜、2時間後、17時 ドイツ時間";
const UPDATE_NEXT_HINT_EN: &str = "e.g. 3pm, tomorrow 10:00, fri eod, 2h, 5pm CET";
const ACTION_DUE_HINT_JA: &str = "例: 12/10、12/10 15時、金曜、来週金曜、3営業日";
const ACTION_DUE_HINT_EN: &str = "e.g. 2026-12-10, 12/10, fri, +3d (business days)";

/// Slack's form refuses longer input before it is sent (the core refuses it anyway).
fn limited(mut input: Value, max: usize) -> Value {
    input["element"]["max_length"] = json!(max);
    input
}

/// `/trouble open` with no text: customer, summary, severity, manager, departments, contact.
pub fn open_modal(
    l: Locale,
    config: &Config,
    reporter: &UserId,
    origin: &ChannelId,
    response_url: Option<&str>,
) -> Value {
    let severity_options: Vec<Value> = config
        .policy
        .severities
        .keys()
        .map(|level| option(&severity_name(l, config, *level), &level.to_string()))
        .collect();
    let default_severity = option(
        &severity_name(l, config, config.policy.default_severity),
        &config.policy.default_severity.to_string(),
    );
    let mut manager = json!({"type": "users_select", "action_id": "value"});
    if let Some(m) = config.policy.manager_of(reporter) {
        manager["initial_user"] = json!(m);
    }
    let mut blocks = vec![
        limited(
            text_input("customer", tr!(l, "お客様", "Customer"), false, false, None),
            TEXT_LIMIT,
        ),
        limited(
            text_input(
                "summary",
                tr!(l, "何が起きたか", "What happened"),
                true,
                false,
                Some(tr!(
                    l,
                    "分かっている事実だけで構いません",
                    "The facts known so far are enough"
                )),
            ),
            SUMMARY_LIMIT,
        ),
        json!({"type": "input", "block_id": "severity", "label": {"type": "plain_text", "text": tr!(l, "重大度", "Severity")},
               "element": {"type": "static_select", "action_id": "value", "options": severity_options, "initial_option": default_severity}}),
        json!({"type": "input", "block_id": "manager", "optional": true, "label": {"type": "plain_text", "text": tr!(l, "上司", "Manager")}, "element": manager}),
    ];
    if !config.policy.departments.is_empty() {
        let options: Vec<Value> = config
            .policy
            .departments
            .values()
            .take(100)
            .map(|d| option(&d.name, &d.key))
            .collect();
        blocks.push(json!({"type": "input", "block_id": "departments", "optional": true, "label": {"type": "plain_text", "text": tr!(l, "関係部門", "Related departments")},
                           "element": {"type": "multi_static_select", "action_id": "value", "options": options}}));
    }
    blocks.extend(fact_inputs(l, None));
    blocks.push(limited(
        text_input(
            "contact",
            tr!(l, "お客様側の担当者（任意）", "Customer contact (optional)"),
            false,
            true,
            None,
        ),
        CONTACT_LIMIT,
    ));
    let metadata = OpenMetadata {
        channel: Some(origin.to_string()),
        response_url: response_url.map(str::to_string),
    }
    .encode();
    modal(
        Callback::OpenTrouble.id(),
        tr!(l, "トラブル起票", "Open a trouble"),
        tr!(l, "起票", "Open"),
        tr!(l, "キャンセル", "Cancel"),
        &metadata,
        blocks,
    )
}

/// The open form, once submitted while Slack refuses the bot token (`error`): trouble `id` is
/// saved, but nobody was told.
pub fn opened_while_token_refused_modal(l: Locale, id: &crate::trouble::model::TroubleId, error: &str) -> Value {
    let text = super::opened_while_token_refused(l, id, error);
    notice_modal(l, tr!(l, "トラブル起票", "Open a trouble"), &text)
}

/// The Log update form, once submitted, replaced by what the rep must read of it: `warnings`
/// first (why nobody sees it yet, when so), then `answer`, what `/trouble update` would answer.
pub fn update_answer_modal(l: Locale, warnings: &[String], answer: &str) -> Value {
    let text = warnings
        .iter()
        .map(String::as_str)
        .chain([answer])
        .collect::<Vec<_>>()
        .join("\n");
    notice_modal(l, tr!(l, "お客様への連絡", "Customer update"), &text)
}

/// The action form, once submitted, replaced by its answer when that answer warns (the due
/// date falls on a day off, a measure has none): what `/trouble action` would answer.
pub fn action_answer_modal(l: Locale, answer: &str) -> Value {
    notice_modal(l, tr!(l, "対策", "Action"), answer)
}

/// A form submitted by someone of another organisation (Slack Connect), replaced by why it
/// recorded nothing.
pub fn not_for_another_org_modal(l: Locale) -> Value {
    notice_modal(l, tr!(l, "トラブル", "Trouble"), &super::not_for_another_org(l))
}

/// The answer to a tap in App Home that changed nothing (refused, or done already): Home has no
/// place for a private answer, so it opens over the Home, under the trouble's id.
pub fn tap_answer_modal(l: Locale, id: &crate::trouble::model::TroubleId, text: &str) -> Value {
    notice_modal(l, &tr!(l, format!("トラブル {id}"), format!("Trouble {id}")), text)
}

/// A form replaced, once submitted, by what the person must read of its outcome: `text`, under
/// `title`, with only a Close button.
fn notice_modal(l: Locale, title: &str, text: &str) -> Value {
    json!({
        "type": "modal",
        "title": {"type": "plain_text", "text": cut(title, 24)},
        "close": {"type": "plain_text", "text": tr!(l, "閉じる", "Close")},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": cut(text, 3000)}}]
    })
}

/// A form's first block: which trouble it is for, as App Home's rows name it (its id, customer
/// and the start of its summary), so a rep with two troubles of one customer, or a form left
/// open over lunch, can tell (a modal's title holds 24 characters, too few for it).
fn which_trouble(t: &Trouble) -> Value {
    use crate::slack::text::{one_line, Where};
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    let summary = super::summary_part(&crate::trouble::model::summary_start(&t.summary));
    json!({"type": "context", "block_id": "trouble", "elements": [
        {"type": "mrkdwn", "text": format!("`{}` *{customer}*{summary}", t.id)}
    ]})
}

/// The Log update button: what the customer was told, and when they hear next.
pub fn update_modal(l: Locale, t: &Trouble) -> Value {
    let blocks = vec![
        which_trouble(t),
        limited(
            text_input(
                "text",
                tr!(l, "お客様に伝えた内容", "What you told the customer"),
                true,
                false,
                Some(tr!(
                    l,
                    "状況・次の対応・次回連絡の時期",
                    "Where things stand, what happens next, when they hear next"
                )),
            ),
            TEXT_LIMIT,
        ),
        limited(
            text_input(
                "next",
                tr!(l, "次回報告の約束（任意）", "Next update promised (optional)"),
                false,
                true,
                Some(tr!(l, UPDATE_NEXT_HINT_JA, UPDATE_NEXT_HINT_EN)),
            ),
            100,
        ),
    ];
    modal(
        Callback::LogUpdate.id(),
        tr!(l, "お客様への報告", "Customer update"),
        tr!(l, "記録", "Log"),
        tr!(l, "キャンセル", "Cancel"),
        t.id.as_str(),
        blocks,
    )
}

/// The facts (5W2H) as optional inputs, filled with what the trouble already holds.
pub fn fact_inputs(l: Locale, t: Option<&Trouble>) -> Vec<Value> {
    use crate::trouble::facts::FactKey;
    FactKey::ALL
        .iter()
        .map(|k| {
            let label = format!(
                "{}{}",
                super::stages::fact_label(l, *k),
                tr!(l, "（任意）", " (optional)")
            );
            let hint = match k {
                FactKey::Lot => Some(tr!(l, "複数ならカンマ区切り", "several: separate with commas")),
                FactKey::Occurred => Some(tr!(
                    l,
                    "例: 2026-11-28 10:00、昨日 9:00、11/28",
                    "e.g. 2026-11-28 10:00, yesterday 9:00, 11/28"
                )),
                _ => None,
            };
            let mut input = limited(
                text_input(
                    &format!("fact_{}", k.code()),
                    &label,
                    *k == FactKey::Symptom,
                    true,
                    hint,
                ),
                TEXT_LIMIT,
            );
            if let Some(v) = t.and_then(|t| t.substance.facts.get(*k)) {
                input["element"]["initial_value"] = json!(crate::trouble::markup::readable(&v));
            }
            input
        })
        .collect()
}

/// `/trouble fact` with no text: the facts form.
pub fn facts_modal(l: Locale, t: &Trouble) -> Value {
    modal(
        Callback::TroubleFacts.id(),
        tr!(l, "事実（5W2H）", "Facts (5W2H)"),
        tr!(l, "記録", "Save"),
        tr!(l, "キャンセル", "Cancel"),
        &FactsMetadata::drawn(t.id.as_str(), &t.substance.facts).encode(),
        std::iter::once(which_trouble(t))
            .chain(fact_inputs(l, Some(t)))
            .collect(),
    )
}

/// `/trouble action` with no text: kind, what, owner, due, effectiveness check.
pub fn action_modal(l: Locale, t: &Trouble) -> Value {
    use crate::trouble::actions::ActionKind;
    let kinds: Vec<Value> = [ActionKind::Interim, ActionKind::Permanent, ActionKind::Prevent]
        .iter()
        .map(|k| option(super::stages::kind_label(l, *k), k.code()))
        .collect();
    let blocks = vec![
        which_trouble(t),
        json!({"type": "input", "block_id": "kind", "label": {"type": "plain_text", "text": tr!(l, "種類", "Kind")},
               "element": {"type": "static_select", "action_id": "value", "options": kinds.clone(), "initial_option": kinds[0]}}),
        limited(
            text_input("text", tr!(l, "対策の内容", "What is done"), true, false, None),
            TEXT_LIMIT,
        ),
        json!({"type": "input", "block_id": "owner", "label": {"type": "plain_text", "text": tr!(l, "担当", "Owner")},
               "element": {"type": "users_select", "action_id": "value", "initial_user": t.owner}}),
        limited(
            text_input(
                "due",
                tr!(l, "期限（任意）", "Due (optional)"),
                false,
                true,
                Some(tr!(l, ACTION_DUE_HINT_JA, ACTION_DUE_HINT_EN)),
            ),
            100,
        ),
        limited(
            text_input(
                "check",
                tr!(
                    l,
                    "効果確認日（再発防止のみ・任意）",
                    "Effectiveness check (prevention, optional)"
                ),
                false,
                true,
                None,
            ),
            100,
        ),
    ];
    modal(
        Callback::TroubleAction.id(),
        tr!(l, "対策", "Action"),
        tr!(l, "追加", "Add"),
        tr!(l, "キャンセル", "Cancel"),
        t.id.as_str(),
        blocks,
    )
}

fn option(text: &str, value: &str) -> Value {
    json!({"text": {"type": "plain_text", "text": text.chars().take(75).collect::<String>()}, "value": value})
}

/// Field errors shown next to a modal's inputs.
pub enum FieldError {
    UpdateTextMissing,
    CustomerMissing,
    /// An honorific or punctuation alone, or a name led by an emoji (`customer::is_a_name`).
    CustomerNotAName,
    SummaryMissing,
    /// Punctuation or emoji alone (`🔥🔥`): it tells the manager paged nothing of what happened.
    SummarySaysNothing,
}

pub fn field_error(l: Locale, e: FieldError) -> &'static str {
    match e {
        FieldError::UpdateTextMissing => tr!(l, "伝えた内容を入力してください", "Write what you told the customer"),
        FieldError::CustomerMissing => tr!(l, "お客様名を入力してください", "Enter the customer"),
        FieldError::CustomerNotAName => tr!(
            l,
            "お客様の社名を入力してください（敬称・記号だけでは名前になりません。絵文字で始めることもできません）",
            "Enter the customer's name (an honorific or punctuation alone names nobody, and it starts with no emoji)"
        ),
        FieldError::SummaryMissing => tr!(l, "概要を入力してください", "Enter a summary"),
        FieldError::SummarySaysNothing => tr!(
            l,
            "何が起きたかを文字で書いてください（記号や絵文字だけでは上司に伝わりません）",
            "Say what happened in words (punctuation or emoji alone tells the manager nothing)"
        ),
    }
}

/// The customer contact from the open modal, appended to the summary.
pub fn with_contact(l: Locale, summary: &str, contact: &str) -> String {
    tr!(
        l,
        format!("{summary}（お客様担当: {contact}）"),
        format!("{summary} (customer contact: {contact})")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::due::parse_due;
    use crate::trouble::when::{parse_when, WhenError};
    use chrono::{DateTime, TimeZone, Utc};

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Tokyo;

    /// Monday 2026-11-30 08:00 in Tokyo: every example's time is still ahead.
    fn now() -> DateTime<Utc> {
        TZ.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap().with_timezone(&Utc)
    }

    /// The examples of a hint: `例: A、B` or `e.g. A, B`, an aside in brackets left out.
    fn examples(hint: &str) -> Vec<String> {
        let list = hint.trim_start_matches("例: ").trim_start_matches("e.g. ");
        list.split(['、', ','])
            .map(|e| e.split(['（', '(']).next().unwrap_or_default().trim().to_string())
            .collect()
    }

    #[test]
    fn every_example_under_the_promise_reads_as_a_promise() {
        for hint in [UPDATE_NEXT_HINT_JA, UPDATE_NEXT_HINT_EN] {
            for e in examples(hint) {
                // As the core reads `next:`: a time, else a day kept by its close.
                let read = match parse_when(&e, now(), TZ) {
                    Err(WhenError::Unrecognised) => parse_due(e.trim_end_matches('中'), now(), TZ, None).is_ok(),
                    other => other.is_ok(),
                };
                assert!(read, "{e:?} in {hint:?} is refused");
            }
        }
    }

    #[test]
    fn every_example_under_the_due_date_reads_as_a_due_date() {
        for hint in [ACTION_DUE_HINT_JA, ACTION_DUE_HINT_EN] {
            for e in examples(hint) {
                assert!(parse_due(&e, now(), TZ, None).is_ok(), "{e:?} in {hint:?} is refused");
            }
        }
    }
}
