//! `/trouble stats` in Japanese and English.

use super::{format_duration, severity_label, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::cut;
use crate::slack::text::{one_line, Where};
use crate::trouble::model::StageId;
use crate::trouble::money::Money;
use crate::trouble::stats::{Group, Spread, Stats};

fn spread_text(l: Locale, s: &Option<Spread>) -> String {
    match s {
        Some(s) => tr!(
            l,
            format!(
                "中央値 {} · 90%値 {}（{}件）",
                format_duration(l, secs(s.median)),
                format_duration(l, secs(s.p90)),
                s.count
            ),
            format!(
                "median {} · p90 {} ({})",
                format_duration(l, secs(s.median)),
                format_duration(l, secs(s.p90)),
                super::en_count(s.count, "trouble", "troubles")
            )
        ),
        None => tr!(l, "記録なし", "none recorded").to_string(),
    }
}

/// The troubles a time to acknowledgement or first contact leaves out, having none to measure
/// (` · customer not updated: 1`): a median over those measured alone reads 0s while a sev1 has
/// waited all night for anyone, so whoever reads the numbers is told the rest is missing.
fn not_yet(l: Locale, s: &Stats, spread: &Option<Spread>, (ja, en): (&str, &str)) -> String {
    let left_out = s.troubles.saturating_sub(spread.map_or(0, |s| s.count));
    if left_out == 0 {
        return String::new();
    }
    tr!(l, format!(" · {ja} {left_out}件"), format!(" · {en}: {left_out}"))
}

/// [`not_yet`] of the acknowledgement, split: those still waiting for one now are the alarm (a
/// VP acts on them), apart from those closed without one (history), and stand out
/// (` · not acknowledged: 3 (⚠️ 1 still waiting now, 2 closed without one)`).
fn not_acknowledged(l: Locale, s: &Stats) -> String {
    let (all, waiting) = s.not_acknowledged();
    if all == 0 {
        return String::new();
    }
    let closed = all - waiting;
    let parts: Vec<String> = match (waiting, closed) {
        (0, _) => vec![tr!(l, "確認なしで完了", "closed without one").to_string()],
        (w, 0) => vec![tr!(
            l,
            format!("⚠️ 今も確認待ち {w}件"),
            format!("⚠️ {w} still waiting now")
        )],
        (w, c) => vec![
            tr!(l, format!("⚠️ 今も確認待ち {w}件"), format!("⚠️ {w} still waiting now")),
            tr!(l, format!("確認なしで完了 {c}件"), format!("{c} closed without one")),
        ],
    };
    let parts = super::listed(l, parts);
    tr!(
        l,
        format!(" · 上司の確認なし {all}件（{parts}）"),
        format!(" · not acknowledged: {all} ({parts})")
    )
}

fn secs(d: chrono::Duration) -> u64 {
    d.num_seconds().max(0) as u64
}

fn group_text(l: Locale, g: &Group) -> String {
    let ours = if g.ours.is_empty() {
        tr!(l, "当社分なし", "no share of ours").to_string()
    } else {
        let amounts: Vec<String> = g
            .ours
            .iter()
            .map(|(c, m)| {
                Money {
                    currency: *c,
                    minor: *m,
                }
                .to_string()
            })
            .collect();
        tr!(
            l,
            format!("当社分 {}", amounts.join(" · ")),
            format!("our share {}", amounts.join(" · "))
        )
    };
    tr!(
        l,
        format!("{}件（未完了 {}）· {ours}", g.troubles, g.open),
        format!(
            "{} ({} open) · {ours}",
            super::en_count(g.troubles, "trouble", "troubles"),
            g.open
        )
    )
}

/// At most this many customers are named, those with the most troubles: a team's 90 days can
/// name a thousand (63,000 characters at 100,000 troubles), and Slack cuts a message's text
/// past 40,000, the severities with it.
const CUSTOMERS_LISTED: usize = 20;

/// A customer's name is cut to this, as the digest cuts it: twenty names typed at length would
/// pass Slack's 40,000 on their own.
const CUSTOMER_SHOWN: usize = 80;

pub fn stats_text(l: Locale, config: &Config, s: &Stats) -> String {
    let mut lines = vec![
        tr!(
            l,
            format!("*過去{}日のトラブル {}件*（あなたが見られるもの）", s.days, s.troubles),
            format!(
                "*Troubles in the last {} days: {}* (those you may see)",
                s.days, s.troubles
            )
        ),
        tr!(
            l,
            format!("上司の確認まで: {}", spread_text(l, &s.to_ack)),
            format!("To manager acknowledgement: {}", spread_text(l, &s.to_ack))
        ) + &not_acknowledged(l, s),
        tr!(
            l,
            format!("お客様への初回連絡まで: {}", spread_text(l, &s.to_first_contact)),
            format!("To first customer contact: {}", spread_text(l, &s.to_first_contact))
        ) + &not_yet(
            l,
            s,
            &s.to_first_contact,
            ("お客様への連絡なし", "customer not updated"),
        ),
        tr!(l, "*段階ごとの所要時間*", "*Stage lead times*").to_string(),
    ];
    for (i, lead) in StageId::all().zip(&s.stage_lead) {
        lines.push(format!(
            "• {}. {}: {}",
            i.number(),
            stage_name(l, i),
            spread_text(l, lead)
        ));
    }
    if !s.by_customer.is_empty() {
        lines.push(tr!(l, "*お客様別*（件数の多い順）", "*By customer* (most troubles first)").to_string());
        let (listed, others) = s.top_customers(CUSTOMERS_LISTED);
        for g in listed {
            lines.push(format!(
                "• {}: {}",
                cut(&one_line(&g.name, Where::Elsewhere), CUSTOMER_SHOWN),
                group_text(l, g)
            ));
        }
        if let Some((count, g)) = others {
            lines.push(tr!(
                l,
                format!("• ほか{count}社: {}", group_text(l, &g)),
                format!("• {count} more customers: {}", group_text(l, &g))
            ));
        }
        lines.push(tr!(l, "*重大度別*", "*By severity*").to_string());
        for (level, g) in &s.by_severity {
            lines.push(format!("• {}: {}", severity_label(l, config, *level), group_text(l, g)));
        }
    }
    lines.join("\n")
}
