//! The App Home tab: a person's troubles at a glance, in both locales.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{customer_waited, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::{context, cut, divider, header, section, section_with, Block};
use crate::slack::text::{one_line, Where};
use crate::trouble::home::HomeRow;

/// Slack allows 100 blocks in a Home view; keep room for headings.
const MAX_ROWS_PER_SECTION: usize = 25;

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

/// `user`'s App Home from their rows (the open troubles they may see: the store filters them
/// by the same rule as `list`).
pub fn home_view(l: Locale, config: &Config, rows: &[HomeRow], now: DateTime<Utc>) -> Value {
    let mut view = home_blocks(l, config, rows, now);
    super::san_value(l, &mut view);
    view
}

fn home_blocks(l: Locale, config: &Config, rows: &[HomeRow], now: DateTime<Utc>) -> Value {
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
    for (title, list, empty, ask_to_acknowledge) in sections {
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
