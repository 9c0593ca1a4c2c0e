//! The manager's weekly digest as a DM, in Japanese and English: short lines a manager reads on a phone, the most urgent first.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use super::agreement::{crossed_text, item_phrase};
use super::messages::channel_ref;
use super::{format_day_time, format_duration, format_promise, overdue_since, san, stage_name, Locale};
use crate::slack::blocks::cut;
use crate::slack::text::{one_line, Where};
use crate::trouble::digest::{ActionRef, DmRefused, ManagerDigest, Waiting};
use crate::trouble::model::{summary_start, Trouble};

/// Rows per section: a phone screen or two; the rest is counted ("and N more").
pub const MAX_ROWS: usize = 8;
/// Characters of user text (a customer, an action) per row.
const MAX_USER_TEXT: usize = 80;

/// The digest's text (mrkdwn): a headline of counts, then one section per kind of attention
/// needed, each bounded, so the whole stays far inside Slack's 40,000 characters.
pub fn digest_text(l: Locale, tz: Tz, d: &ManagerDigest, now: DateTime<Utc>) -> String {
    let mine = d
        .proposals
        .iter()
        .filter(|w| w.approvers.first() == Some(&d.reader))
        .count();
    // Escalated to the reader and not acknowledged: as much theirs to act on as a proposal.
    let acks = d.unacknowledged.iter().filter(|t| t.awaits_ack_of(&d.reader)).count();
    let counts = [
        (d.open.len(), tr!(l, "対応中", "Open")),
        (d.unacknowledged.len(), tr!(l, "確認待ち", "Not acknowledged")),
        (d.updates_overdue.len(), tr!(l, "報告期限切れ", "Updates overdue")),
        (d.actions_overdue.len(), tr!(l, "対策期限切れ", "Actions overdue")),
        (d.checks_due.len(), tr!(l, "効果確認", "Checks due")),
        (acks, tr!(l, "あなたの確認待ち", "Waiting for your acknowledgement")),
        (mine, tr!(l, "あなたの承認待ち", "Waiting for your approval")),
    ];
    let headline = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| tr!(l, format!("{what} {n}件"), format!("{what} {n}")))
        .collect::<Vec<_>>()
        .join(" · ");
    let mut out = vec![tr!(
        l,
        format!(
            "📋 *週次トラブルダイジェスト* — {}({})",
            d.day.format("%Y-%m-%d"),
            super::weekday(l, d.day.weekday())
        ),
        format!(
            "📋 *Weekly trouble digest* — {} {}",
            super::weekday(l, d.day.weekday()),
            d.day.format("%Y-%m-%d")
        )
    )];
    out.extend(d.refused.as_ref().map(|r| stand_in_line(l, tz, d, r)));
    out.push(headline);
    let mut section = |title: &str, rows: Vec<String>| {
        if rows.is_empty() {
            return;
        }
        out.push(String::new());
        out.push(tr!(
            l,
            format!("*{title}*（{}）", rows.len()),
            format!("*{title}* ({})", rows.len())
        ));
        out.extend(rows.iter().take(MAX_ROWS).map(|r| format!("• {r}")));
        if rows.len() > MAX_ROWS {
            let more = rows.len() - MAX_ROWS;
            out.push(tr!(l, format!("…ほか {more} 件"), format!("…and {more} more")));
        }
    };
    section(
        tr!(l, "🗳️ 承認待ちの提案", "🗳️ Proposals waiting for approval"),
        d.proposals.iter().map(|w| proposal_row(l, d, w)).collect(),
    );
    section(
        tr!(l, "⏳ 上司の確認待ち", "⏳ Not acknowledged"),
        d.unacknowledged
            .iter()
            .map(|t| {
                // Which of them the chain has reached the reader for: theirs to acknowledge.
                let yours = if t.awaits_ack_of(&d.reader) {
                    tr!(l, " · *あなた*の確認待ち", " · waiting for *you*")
                } else {
                    ""
                };
                format!("{} · {}{yours}", trouble_ref(l, t), age(l, t, now))
            })
            .collect(),
    );
    section(
        tr!(l, "⚠️ お客様への報告が期限切れ", "⚠️ Customer update overdue"),
        d.updates_overdue
            .iter()
            .map(|(t, due)| {
                // A promise made in the customer's zone reads in both clocks, as in the status.
                let late = overdue_for(l, &format_promise(l, tz, *due, t.promise_zone(*due)), *due, now);
                tr!(
                    l,
                    format!("{} · {late} · 担当 <@{}>", trouble_ref(l, t), t.owner),
                    format!("{} · {late} · owner <@{}>", trouble_ref(l, t), t.owner)
                )
            })
            .collect(),
    );
    section(
        tr!(l, "📌 期限切れの対策", "📌 Actions overdue"),
        d.actions_overdue
            .iter()
            .map(|a| {
                let late = a
                    .action
                    .due
                    .map(|due| overdue_for(l, &format_day_time(l, tz, due), due, now));
                action_row(l, tz, a, late)
            })
            .collect(),
    );
    section(
        tr!(l, "🔁 効果確認の予定", "🔁 Effectiveness checks due"),
        d.checks_due.iter().map(|a| action_row(l, tz, a, None)).collect(),
    );
    section(
        tr!(l, "📂 対応中のトラブル", "📂 Open troubles"),
        d.open
            .iter()
            .map(|t| {
                let stage = t
                    .current_stage()
                    .map(|s| format!("{}. {}", s.number(), stage_name(l, s)))
                    .unwrap_or_else(|| tr!(l, "全段階完了", "all stages done").into());
                format!("{} · {stage} · {}", trouble_ref(l, t), age(l, t, now))
            })
            .collect(),
    );
    // The digest is text; the buttons that act on it are one tap away in App Home.
    if mine > 0 || !d.unacknowledged.is_empty() {
        out.push(String::new());
        out.push(
            tr!(
                l,
                "👉 確認と承認は、このアプリの*ホーム*タブからワンタップでできます。",
                "👉 Acknowledge and approve with one tap in this app's *Home* tab."
            )
            .to_string(),
        );
    }
    san(l, &out.join("\n"))
}

/// Whose digest the reader stands in for, and why: Slack refuses the manager the bot's DMs
/// (`r`), so the one above them reads it. Slack's error is its code, kept to a line and cut.
fn stand_in_line(l: Locale, tz: Tz, d: &ManagerDigest, r: &DmRefused) -> String {
    let (who, since) = (&d.manager, format_day_time(l, tz, r.at));
    let error = cut(&one_line(&r.error, Where::Elsewhere), MAX_USER_TEXT);
    tr!(
        l,
        format!("↪️ *<@{who}> さんのダイジェストの代理*: Slack がこの人へのボットの DM を受け付けないため（`{error}`、{since} から）、`[org]` で一つ上のあなたにお送りしています。この人への DM が届くようになれば、本人に戻ります。"),
        format!("↪️ *Standing in for <@{who}>*: Slack refuses the bot's DMs to them (`{error}`, since {since}), so their digest comes to you, the next one up in `[org]`. It goes back to them once a DM reaches them again.")
    )
}

/// `` `20261130-1` ACME — lids cracked · sev1 · #channel ``: which trouble (the start of its
/// summary, as in App Home, so two troubles of one customer tell apart), and where to act on it.
fn trouble_ref(l: Locale, t: &Trouble) -> String {
    format!(
        "`{}` {}{} · sev{} · {}",
        t.id,
        customer(t),
        super::summary_part(&summary_start(&t.summary)),
        t.severity,
        channel_ref(l, t)
    )
}

fn customer(t: &Trouble) -> String {
    cut(&one_line(&t.customer, Where::Elsewhere), MAX_USER_TEXT)
}

fn age(l: Locale, t: &Trouble, now: DateTime<Utc>) -> String {
    let open_for = format_duration(l, (now - t.opened_at).num_seconds().max(0) as u64);
    tr!(l, format!("起票から{open_for}"), format!("open {open_for}"))
}

/// An action's row: `late`, how late it is, when overdue, then its check when due this week.
fn action_row(l: Locale, tz: Tz, a: &ActionRef, late: Option<String>) -> String {
    let check = a.check.map(|c| {
        let on = format_day_time(l, tz, c);
        tr!(l, format!("確認日 {on}"), format!("check {on}"))
    });
    let when: String = late.into_iter().chain(check).map(|w| format!(" · {w}")).collect();
    // Its trouble closed by force, it reads as the status, the report and App Home say it.
    let left_open = match a.trouble.closed_by_force() && a.action.is_open() {
        true => format!(" · {}", super::left_open_mark(l)),
        false => String::new(),
    };
    format!(
        "{} — #{} {} · <@{}>{when}{left_open}",
        trouble_ref(l, a.trouble),
        a.n,
        cut(&one_line(&a.action.text, Where::Elsewhere), MAX_USER_TEXT),
        a.action.owner
    )
}

/// A waiting proposal: what, whose turn it is, and why when a limit sent it further up.
fn proposal_row(l: Locale, d: &ManagerDigest, w: &Waiting) -> String {
    let what = cut(
        &item_phrase(l, w.trouble, w.proposal.item, Where::Elsewhere),
        2 * MAX_USER_TEXT,
    );
    // Whoever else may decide it too (those above the first) is named: the first is whose turn
    // it is, but a manager waiting on the director should know the VP may decide it as well.
    let who = match w.approvers.split_first() {
        Some((first, _)) if *first == d.reader => tr!(l, "*あなた*の承認待ち", "waiting for *you*").to_string(),
        Some((first, rest)) if rest.contains(&d.reader) => tr!(
            l,
            format!("<@{first}>の承認待ち（あなたも承認できます）"),
            format!("waiting for <@{first}> (you may decide it too)")
        ),
        Some((first, [])) => tr!(l, format!("<@{first}>の承認待ち"), format!("waiting for <@{first}>")),
        Some((first, rest)) => {
            let rest = rest.iter().map(|u| format!("<@{u}>")).collect::<Vec<_>>();
            tr!(
                l,
                format!("<@{first}>の承認待ち（{}も承認できます）", rest.join("、")),
                format!("waiting for <@{first}> (or {})", rest.join(", "))
            )
        }
        None => tr!(l, "承認できる上司が未指名", "no manager named to approve it").to_string(),
    };
    let why = if w.proposal.crossed.is_empty() {
        String::new()
    } else {
        let crossed = crossed_text(l, &w.proposal.crossed);
        tr!(l, format!("（{crossed}）"), format!(" ({crossed})"))
    };
    let n = w.proposal.n;
    tr!(
        l,
        format!("{} — 提案 #{n}: {what} · {who}{why}", trouble_ref(l, w.trouble)),
        format!("{} — proposal #{n}: {what} · {who}{why}", trouble_ref(l, w.trouble))
    )
}

/// Something overdue (an update owed, an action), `due` written `at`, as the status and App
/// Home write it, and how late it is: `⚠️ overdue since Tue 2026-12-01 18:00 (5d15h late)`, so
/// "due 1 Dec" in a list of the overdue need not be worked out against today. Under a minute
/// late (falling due as the digest goes out), the time alone: not "(0s late)".
fn overdue_for(l: Locale, at: &str, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let since = overdue_since(l, at);
    match (now - due).num_seconds() {
        ..60 => since,
        late => {
            let late = format_duration(l, late as u64);
            tr!(l, format!("{since}（{late}）"), format!("{since} ({late} late)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::digest::weekly;
    use crate::trouble::model::UserId;
    use crate::trouble::policy::Policy;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn troubles(n: usize) -> Vec<Trouble> {
        (0..n)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("20261130-{i}"), "seq": i, "customer": "<!channel> ACME\nForged: line", "summary": "s", "severity": 2,
                    "owner": "U0SALES", "manager": "U0MANAGER", "departments": [],
                    "origin": {"channel": "C1", "response_url": null}, "opened_at": at("2026-11-30T01:00:00Z"),
                    "channel": "C9", "channel_name": "trouble-x", "kickoff": null, "status": null, "manager_dm": null, "origin_notice": null,
                    "stages": (0..7).map(|_| serde_json::json!({"state": "not_started", "started_at": null, "done_at": null, "done_by": null, "notes": []})).collect::<Vec<_>>(),
                    "ack": null,
                    "escalation": {"chain": ["U0MANAGER"], "level": 0, "round": 1, "top_repings": 0, "gave_up": false},
                    "customer_updates": [], "split": null, "costs": [], "measures": [], "closed": null,
                    "timeline_len": 0, "timeline_head": "", "status_refresh_queued": false, "followup_epoch": 0,
                }))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn something_falling_due_as_the_digest_goes_out_is_overdue_since_then_with_no_lateness() {
        let now = at("2026-12-07T00:00:00Z");
        let late = |l, secs| overdue_for(l, "Mon", now - chrono::Duration::seconds(secs), now);
        assert_eq!(late(Locale::En, 0), "⚠️ overdue since Mon");
        assert_eq!(late(Locale::En, 59), "⚠️ overdue since Mon");
        assert_eq!(late(Locale::En, 3 * 3600), "⚠️ overdue since Mon (3h late)");
        assert_eq!(late(Locale::Ja, 0), "⚠️ 期限 Mon 超過");
        assert_eq!(late(Locale::Ja, 3 * 3600), "⚠️ 期限 Mon 超過（3時間）");
    }

    #[test]
    fn a_long_digest_is_cut_with_the_count_left_and_user_text_neutralised() {
        let policy = Policy {
            default_manager: Some(UserId::new("U0MANAGER")),
            ..Policy::default()
        };
        let now = at("2026-12-07T00:00:00Z");
        let all = troubles(30);
        let digests = weekly(&policy, now, &all, |t| t.opened_at);
        for l in [Locale::En, Locale::Ja] {
            let text = digest_text(l, policy.timezone, &digests[0], now);
            assert!(text.contains(tr!(l, "…ほか 22 件", "…and 22 more")), "{text}");
            assert!(!text.contains("<!channel>"), "{text}");
            assert!(!text.contains("\nForged"), "{text}");
            assert!(text.chars().count() < 40_000);
            assert!(text.contains("2026-12-07"), "{text}");
        }
        let en = digest_text(Locale::En, policy.timezone, &digests[0], now);
        assert!(
            // The manager is asked for each: all thirty are theirs to acknowledge.
            en.contains("Open 30 · Not acknowledged 30 · Updates overdue 30 · Waiting for your acknowledgement 30\n"),
            "{en}"
        );
        assert!(en.contains("open 6d23h"), "{en}");
    }

    /// A digest read by the one above a manager Slack refuses DMs says whose it is and why, in
    /// both locales, Slack's error kept to a line; "you" in its rows is the reader.
    #[test]
    fn a_digest_read_in_a_refused_managers_place_says_whose_it_is_and_why() {
        let policy = Policy {
            default_manager: Some(UserId::new("U0MANAGER")),
            ..Policy::default()
        };
        let now = at("2026-12-07T00:00:00Z");
        let all = troubles(1);
        let mut d = weekly(&policy, now, &all, |t| t.opened_at).remove(0);
        d.reader = UserId::new("U0DIRECTOR");
        d.refused = Some(DmRefused {
            error: "user_not_found <!channel>\nForged: line".into(),
            at: at("2026-11-30T00:00:00Z"),
        });
        for l in [Locale::En, Locale::Ja] {
            let text = digest_text(l, policy.timezone, &d, now);
            let line = text.lines().nth(1).unwrap_or_default();
            let whose = tr!(
                l,
                "↪️ *<@U0MANAGER> さんのダイジェストの代理*",
                "↪️ *Standing in for <@U0MANAGER>*"
            );
            assert!(san(l, line).starts_with(&san(l, whose)), "{text}");
            assert!(
                line.contains(tr!(l, "2026-11-30(月) 09:00 から", "since Mon 2026-11-30 09:00")),
                "{text}"
            );
            assert!(!text.contains("<!channel>") && !text.contains("\nForged"), "{text}");
            // The trouble awaits the manager's acknowledgement, not the reader's.
            assert!(
                !text.contains(tr!(l, "あなたの確認待ち", "Waiting for your acknowledgement")),
                "{text}"
            );
        }
    }

    /// An overdue action a forced close left open reads so in the digest, as in the status.
    #[test]
    fn an_overdue_action_a_forced_close_left_open_is_marked_so() {
        let policy = Policy {
            default_manager: Some(UserId::new("U0MANAGER")),
            ..Policy::default()
        };
        let now = at("2026-12-07T00:00:00Z");
        let mut all = troubles(2);
        for (t, forced) in all.iter_mut().zip([Some("withdrawn"), None]) {
            t.closed = Some(serde_json::from_value(serde_json::json!({"by": "U0MANAGER", "at": at("2026-12-02T00:00:00Z"), "forced_reason": forced, "note": ""})).unwrap());
            t.substance.actions = vec![serde_json::from_value(serde_json::json!({
                "kind": "interim", "text": format!("sort lot {}", t.id), "owner": "U0SALES", "due": at("2026-12-01T09:00:00Z"), "check": null,
                "by": "U0SALES", "at": at("2026-11-30T01:00:00Z"), "done": null, "verified": null, "effective": null,
            }))
            .unwrap()];
        }
        let digests = weekly(&policy, now, &all, |t| t.opened_at);
        for l in [Locale::En, Locale::Ja] {
            let text = digest_text(l, policy.timezone, &digests[0], now);
            let line = |id: &str| {
                text.lines()
                    .find(|r| r.contains(&format!("sort lot {id}")))
                    .unwrap_or_default()
            };
            let mark = crate::i18n::left_open_mark(l);
            assert!(line("20261130-0").ends_with(&mark), "{text}");
            // Since when, as App Home writes it, and how late.
            let late = tr!(
                l,
                "⚠️ 期限 2026-12-01(火) 18:00 超過（5日15時間）",
                "⚠️ overdue since Tue 2026-12-01 18:00 (5d15h late)"
            );
            assert!(line("20261130-1").contains(late), "{text}");
            assert!(
                !line("20261130-1").is_empty() && !line("20261130-1").contains(&mark),
                "{text}"
            );
            assert!(text.contains(tr!(l, "対策期限切れ 2件", "Actions overdue 2")), "{text}");
        }
    }
}
