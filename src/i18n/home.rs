//! The App Home tab: a person's troubles at a glance, in both locales.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{customer_waited, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::{actions, button, context, cut, divider, header, section, section_with, Block};
use crate::slack::contracts::{Action, ButtonValue};
use crate::slack::text::{one_line, Where};
use crate::trouble::home::HomeRow;
use crate::trouble::model::Trouble;

/// Slack allows 100 blocks in a Home view; keep room for headings.
const MAX_ROWS_PER_SECTION: usize = 25;
/// A proposal takes two blocks (its line, its buttons): the three sections of rows, their
/// headings and this many proposals stay within the 100.
const MAX_PROPOSALS: usize = 5;

/// A row, with the Acknowledge button where it waits for this person: a manager on a phone
/// acknowledges from here without finding the channel.
fn row(l: Locale, t: &HomeRow, now: DateTime<Utc>, ask_to_acknowledge: bool) -> Block {
    let channel = t
        .channel
        .as_ref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| format!("#{}", t.channel_name.clone().unwrap_or_default()));
    let stage = t
        .current_stage
        .map(|s| format!("{}. {}", s.number(), stage_name(l, s)))
        .unwrap_or_else(|| tr!(l, "全段階完了", "all stages done").into());
    let heard = customer_waited(l, t.last_customer_contact, now, t.never_updated);
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    let text = format!(
        "*{customer}* `{}` sev{} · {stage} · {heard} · {channel}",
        t.id, t.severity
    );
    if ask_to_acknowledge {
        section_with(&text, super::messages::ack_button(l, &t.id))
    } else {
        section(&text)
    }
}

/// A proposal awaiting this person's decision, with the buttons the channel's has: a manager on
/// a phone approves from here. Only internal people see a Home, so the costs are shown.
fn proposal(l: Locale, t: &Trouble, n: usize) -> Vec<Block> {
    let Some(p) = n.checked_sub(1).and_then(|i| t.agreement.proposals.get(i)) else {
        return Vec::new();
    };
    let what = super::agreement::item_phrase(l, t, p.item, Where::Elsewhere);
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    let channel = t.channel.as_ref().map(|c| format!(" · <#{c}>")).unwrap_or_default();
    let by = super::messages::user(&p.by);
    // Why it came this far up, as the DM to the approver says.
    let why = if p.crossed.is_empty() {
        String::new()
    } else {
        format!("\n{}", super::agreement::crossed_text(l, &p.crossed))
    };
    let text = tr!(
        l,
        format!("*{customer}* `{}` 提案 #{n}（{by}）: {what}{channel}{why}", t.id),
        format!("*{customer}* `{}` proposal #{n} ({by}): {what}{channel}{why}", t.id)
    );
    let value = ButtonValue::stage(t.id.as_str(), n).encode();
    vec![
        section(&text),
        // Block ids are unique within a view.
        actions(
            &format!("proposal-{}-{n}", t.id),
            vec![
                button(Action::ProposalApprove.id(), tr!(l, "承認", "Approve"), &value, true),
                button(Action::ProposalReject.id(), tr!(l, "却下", "Reject"), &value, false),
            ],
        ),
    ]
}

/// `user`'s App Home from their rows (the open troubles they may see: the store filters them
/// by the same rule as `list`) and the proposals they may decide.
pub fn home_view(
    l: Locale,
    config: &Config,
    rows: &[HomeRow],
    decisions: &[(Arc<Trouble>, Vec<usize>)],
    now: DateTime<Utc>,
) -> Value {
    let mut view = home_blocks(l, config, rows, decisions, now);
    super::san_value(l, &mut view);
    view
}

fn home_blocks(
    l: Locale,
    config: &Config,
    rows: &[HomeRow],
    decisions: &[(Arc<Trouble>, Vec<usize>)],
    now: DateTime<Utc>,
) -> Value {
    let waiting: Vec<&HomeRow> = rows.iter().filter(|t| t.awaits_ack).collect();
    let overdue: Vec<&HomeRow> = rows
        .iter()
        .filter(|t| {
            t.answers_customer
                && config
                    .policy
                    .update_due(t.severity, t.last_customer_contact, t.promised_next)
                    <= now
        })
        .collect();
    let owned: Vec<&HomeRow> = rows.iter().filter(|t| t.owns).collect();
    let mut blocks = vec![header(tr!(l, "🚨 トラブル対応", "🚨 Troubles"))];
    let sections: [(&str, &Vec<&HomeRow>, &str, bool); 3] = [
        (
            tr!(l, "⏳ あなたの確認待ち", "⏳ Waiting for your acknowledgement"),
            &waiting,
            tr!(l, "ありません", "None"),
            true,
        ),
        (
            tr!(l, "⚠️ お客様への報告が期限切れ", "⚠️ Customer update overdue"),
            &overdue,
            tr!(l, "ありません", "None"),
            false,
        ),
        (
            tr!(l, "📋 担当しているトラブル", "📋 Troubles you own"),
            &owned,
            tr!(l, "ありません", "None"),
            false,
        ),
    ];
    for (i, (title, list, empty, ask_to_acknowledge)) in sections.into_iter().enumerate() {
        if i == 1 {
            proposals_section(l, decisions, &mut blocks);
        }
        blocks.push(divider());
        blocks.push(section(&format!("*{title}* ({})", list.len())));
        if list.is_empty() {
            blocks.push(context(empty));
        }
        for t in list.iter().take(MAX_ROWS_PER_SECTION) {
            blocks.push(row(l, t, now, ask_to_acknowledge));
        }
    }
    blocks.push(context(tr!(
        l,
        "`/trouble open お客様名: 概要` でトラブルを起票できます。",
        "Open a trouble with `/trouble open CUSTOMER: SUMMARY`."
    )));
    json!({"type": "home", "blocks": blocks})
}

/// Proposals waiting for this person's approval, after the acknowledgements: the section shows
/// only when there is one, since most people never approve anything.
fn proposals_section(l: Locale, decisions: &[(Arc<Trouble>, Vec<usize>)], blocks: &mut Vec<Block>) {
    let all: Vec<(&Trouble, usize)> = decisions
        .iter()
        .flat_map(|(t, ns)| ns.iter().map(move |n| (&**t, *n)))
        .collect();
    if all.is_empty() {
        return;
    }
    let title = tr!(l, "🗳️ あなたの承認待ちの提案", "🗳️ Proposals waiting for your approval");
    blocks.push(divider());
    blocks.push(section(&format!("*{title}* ({})", all.len())));
    for (t, n) in all.iter().take(MAX_PROPOSALS) {
        blocks.extend(proposal(l, t, *n));
    }
    if all.len() > MAX_PROPOSALS {
        let more = all.len() - MAX_PROPOSALS;
        blocks.push(context(&tr!(
            l,
            format!("ほか{more}件は各トラブルのチャンネルで判断してください。"),
            format!("{more} more: decide them in their troubles' channels.")
        )));
    }
}
