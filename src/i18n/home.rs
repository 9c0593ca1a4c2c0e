//! The App Home tab: a person's troubles at a glance, in both locales.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{format_duration, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::{context, cut, divider, header, section};
use crate::slack::text::{one_line, Where};
use crate::trouble::decide::may_see;
use crate::trouble::model::{Trouble, UserId};

/// Slack allows 100 blocks in a Home view; keep room for headings.
const MAX_ROWS_PER_SECTION: usize = 25;

fn row(l: Locale, t: &Trouble, now: DateTime<Utc>) -> Value {
    let channel = t
        .channel
        .as_ref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| format!("#{}", t.channel_name.clone().unwrap_or_default()));
    let stage = t
        .current_stage()
        .map(|s| format!("{}. {}", s.number(), stage_name(l, s)))
        .unwrap_or_else(|| tr!(l, "全段階完了", "all stages done").into());
    let waited = format_duration(l, (now - t.last_customer_contact()).num_seconds().max(0) as u64);
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    section(&tr!(
        l,
        format!(
            "*{}* `{}` sev{} · {} · お客様への報告から{} · {}",
            customer, t.id, t.severity, stage, waited, channel
        ),
        format!(
            "*{}* `{}` sev{} · {} · customer last heard {} ago · {}",
            customer, t.id, t.severity, stage, waited, channel
        )
    ))
}

/// Waiting for this person's acknowledgement: they are in the chain as far as it has been pinged.
fn awaits_ack_from(t: &Trouble, user: &UserId) -> bool {
    t.ack.is_none() && t.manager_chain().iter().take(t.escalation.level + 1).any(|u| u == user)
}

pub fn home_view(l: Locale, config: &Config, user: &UserId, troubles: &[Trouble], now: DateTime<Utc>) -> Value {
    let mut view = home_blocks(l, config, user, troubles, now);
    super::san_value(l, &mut view);
    view
}

fn home_blocks(l: Locale, config: &Config, user: &UserId, troubles: &[Trouble], now: DateTime<Utc>) -> Value {
    // The same rule as `list`: a private trouble only for those who may see its channel.
    let open: Vec<&Trouble> = troubles
        .iter()
        .filter(|t| t.is_open() && may_see(&config.policy, t, user))
        .collect();
    let waiting: Vec<&Trouble> = open.iter().copied().filter(|t| awaits_ack_from(t, user)).collect();
    let overdue: Vec<&Trouble> = open
        .iter()
        .copied()
        .filter(|t| (t.owner == *user || t.manager.as_ref() == Some(user)) && config.policy.next_update_due(t) <= now)
        .collect();
    let owned: Vec<&Trouble> = open.iter().copied().filter(|t| t.owner == *user).collect();
    let mut blocks = vec![header(tr!(l, "🚨 トラブル対応", "🚨 Troubles"))];
    let sections: [(&str, &Vec<&Trouble>, &str); 3] = [
        (
            tr!(l, "⏳ あなたの確認待ち", "⏳ Waiting for your acknowledgement"),
            &waiting,
            tr!(l, "ありません", "None"),
        ),
        (
            tr!(l, "⚠️ お客様への報告が期限切れ", "⚠️ Customer update overdue"),
            &overdue,
            tr!(l, "ありません", "None"),
        ),
        (
            tr!(l, "📋 担当しているトラブル", "📋 Troubles you own"),
            &owned,
            tr!(l, "ありません", "None"),
        ),
    ];
    for (title, list, empty) in sections {
        blocks.push(divider());
        blocks.push(section(&format!("*{title}* ({})", list.len())));
        if list.is_empty() {
            blocks.push(context(empty));
        }
        for t in list.iter().take(MAX_ROWS_PER_SECTION) {
            blocks.push(row(l, t, now));
        }
    }
    blocks.push(context(tr!(
        l,
        "`/trouble open お客様名: 概要` でトラブルを起票できます。",
        "Open a trouble with `/trouble open CUSTOMER: SUMMARY`."
    )));
    json!({"type": "home", "blocks": blocks})
}
