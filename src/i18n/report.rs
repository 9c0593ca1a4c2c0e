//! The trouble report (Markdown, from the timeline) and the customer history, in both locales.

use super::messages::split_shares;
use super::{format_duration, format_time, stage_name, stage_state_at, Locale};
use crate::config::Config;
use crate::slack::blocks::cut;
use crate::slack::text::{acts_on_display, one_line, quote_lines, strip_controls, user_text, Where};
use crate::trouble::approval::Item;
use crate::trouble::customer::PastTrouble;
use crate::trouble::model::{StageId, Trouble, UserId};
use crate::trouble::replay::{verify_trouble, Fact};
use crate::trouble::timeline::{Break, BreakKind, Entry, Event};

/// A promised time in the report's zone, and, when it was written in the customer's
/// (`17:00 CET`), as their clock read it: `2026-12-01 01:00 (2026-11-30 17:00 CET, the
/// customer's time)`, so the report says what the customer was told.
fn promise_time(
    l: Locale,
    tz: chrono_tz::Tz,
    at: chrono::DateTime<chrono::Utc>,
    zone: Option<crate::trouble::zone::Zone>,
) -> String {
    let ours = format_time(tz, at);
    match zone.filter(|zone| !zone.is_ours(tz, at)) {
        None => ours,
        Some(zone) => {
            let theirs = format!("{} {}", zone.local(at).format("%Y-%m-%d %H:%M"), zone.label(at));
            tr!(
                l,
                format!("{ours}（先方時間 {theirs}）"),
                format!("{ours} ({theirs}, the customer's time)")
            )
        }
    }
}

/// User text in the report: inline when it is one line, else a quoted block on the lines
/// below, so nothing someone typed can pass for a timeline line, a heading or a chain head.
/// The report is read far from the trouble's channel and posted again and again: it pings
/// nobody (`Where::Elsewhere`).
pub(super) fn said(raw: &str) -> String {
    let text = user_text(raw, Where::Elsewhere);
    let text = text.trim_matches(['\n', ' ', '\t']);
    if text.contains('\n') {
        format!("\n{}", quote_lines(text))
    } else {
        text.to_string()
    }
}

/// User text that follows a timeline line's own words: after a dash on the same line, or quoted
/// below it when it has several lines; nothing when it is empty.
fn said_after(raw: &str) -> String {
    let text = said(raw);
    if text.is_empty() || text.starts_with('\n') {
        text
    } else {
        format!(" — {text}")
    }
}

/// A short user value that belongs on one line (customer, amount, payer).
fn inline(raw: &str) -> String {
    one_line(raw, Where::Elsewhere)
}

/// A summary in a list of troubles: enough to recognise it.
const SHORT_SUMMARY: usize = 200;

/// A person in the report: named, not mentioned.
fn who(u: &UserId) -> String {
    super::named(u)
}

fn event_text(l: Locale, config: &Config, e: &Event) -> String {
    match e {
        Event::Stage(step) => super::stages::event_text(l, config, step),
        Event::Agreement(e) => super::agreement::event_text(l, e),
        Event::Opened {
            customer,
            summary,
            severity,
            ..
        } => tr!(
            l,
            format!("起票: {}（sev{severity}） — {}", inline(customer), said(summary)),
            format!("opened: {} (sev{severity}) — {}", inline(customer), said(summary))
        ),
        Event::ChannelCreated { name, .. } => tr!(
            l,
            format!("チャンネル #{name} を作成"),
            format!("channel #{name} created")
        ),
        Event::ManagerPinged { manager } => tr!(
            l,
            format!("上司 {} に連絡", who(manager)),
            format!("manager {} pinged", who(manager))
        ),
        // The entry names who acknowledged in front of this text.
        Event::Acknowledged { after_secs, .. } => tr!(
            l,
            format!("確認（起票から{}）", format_duration(l, *after_secs as u64)),
            format!("acknowledged after {}", format_duration(l, *after_secs as u64))
        ),
        Event::Escalated { to, level } => tr!(
            l,
            format!("{} にエスカレーション（{level}段上）", who(to)),
            format!("escalated to {} (level {level})", who(to))
        ),
        Event::Repinged { to, count } => tr!(
            l,
            format!("{} に再通知（{count}回目）", who(to)),
            format!("re-pinged {} (#{count})", who(to))
        ),
        Event::AwayInSlack { who: away_one, away } => {
            let away = super::away_text(l, config.policy.timezone, away);
            tr!(
                l,
                format!("{} は Slack で{away}：上位者にもすぐ連絡", who(away_one)),
                format!(
                    "{} is {away} in Slack: the one above them brought in at once",
                    who(away_one)
                )
            )
        }
        Event::NobodyAnswered => tr!(l, "誰も確認せず", "nobody acknowledged").to_string(),
        Event::StageStarted { stage, note } => tr!(
            l,
            format!("第{}段階 開始{}", stage.number(), said_after(note)),
            format!("stage {} started{}", stage.number(), said_after(note))
        ),
        Event::StageDone { stage, note } => tr!(
            l,
            format!("第{}段階 完了{}", stage.number(), said_after(note)),
            format!("stage {} done{}", stage.number(), said_after(note))
        ),
        Event::Note { text } => tr!(l, format!("メモ: {}", said(text)), format!("note: {}", said(text))),
        Event::CustomerUpdate {
            text,
            promised_next,
            promised_zone,
        } => {
            let tz = config.policy.timezone;
            let zone = promised_zone.as_deref().and_then(crate::trouble::zone::zone_of);
            match promised_next {
                Some(p) => tr!(
                    l,
                    format!(
                        "お客様への報告（次回連絡の約束 {}）: {}",
                        promise_time(l, tz, *p, zone),
                        said(text)
                    ),
                    format!(
                        "customer update (next contact promised by {}): {}",
                        promise_time(l, tz, *p, zone),
                        said(text)
                    )
                ),
                None => tr!(
                    l,
                    format!("お客様への報告: {}", said(text)),
                    format!("customer update: {}", said(text))
                ),
            }
        }
        Event::UpdateWithdrawn { n, reason } => tr!(
            l,
            format!("お客様への報告 #{n} を取り消し（報告として数えない）: {}", said(reason)),
            format!("customer update #{n} withdrawn (no longer counted): {}", said(reason))
        ),
        Event::NudgePosted { waited_secs, .. } => tr!(
            l,
            format!("報告催促（{}経過）", format_duration(l, *waited_secs as u64)),
            format!("update nudge ({} waiting)", format_duration(l, *waited_secs as u64))
        ),
        Event::NudgeWithdrawn { closed: false } => tr!(
            l,
            "報告催促を取り下げ（送信前にお客様へ報告済み）",
            "update nudge withdrawn before it went out (the customer had been updated)"
        )
        .to_string(),
        Event::NudgeWithdrawn { closed: true } => tr!(
            l,
            "報告催促を取り下げ（送信前にクローズ済み）",
            "update nudge withdrawn before it went out (the trouble was closed)"
        )
        .to_string(),
        Event::SplitSet {
            ours,
            customer,
            other,
            reason,
        } => tr!(
            l,
            format!(
                "責任区分 {}{}",
                split_shares(l, *ours, *customer, *other),
                said_after(reason)
            ),
            format!(
                "split {}{}",
                split_shares(l, *ours, *customer, *other),
                said_after(reason)
            )
        ),
        Event::CostAdded { amount, payer, note } => {
            let cost = super::messages::written_cost_phrase(l, amount, payer, Where::Elsewhere);
            tr!(
                l,
                format!("費用 {cost}{}", said_after(note)),
                format!("cost {cost}{}", said_after(note))
            )
        }
        Event::MeasureAdded { text } => tr!(
            l,
            format!("再発防止策: {}", said(text)),
            format!("prevention measure: {}", said(text))
        ),
        Event::OwnerChanged { from, to, actions } => {
            let numbers = super::numbers(l, actions);
            let with = match actions.is_empty() {
                true => String::new(),
                false => tr!(
                    l,
                    format!("（対策 {numbers} も）"),
                    format!(" (with actions {numbers})")
                ),
            };
            tr!(
                l,
                format!("担当 {} → {}{with}", who(from), who(to)),
                format!("owner {} → {}{with}", who(from), who(to))
            )
        }
        Event::ManagerChanged { to, .. } => tr!(l, format!("上司 → {}", who(to)), format!("manager → {}", who(to))),
        Event::SeverityChanged { from, to, reason } => {
            tr!(
                l,
                format!("重大度 {from} → {to}{}", said_after(reason)),
                format!("severity {from} → {to}{}", said_after(reason))
            )
        }
        Event::ParticipantsAdded { users, departments } => {
            super::messages::participants_added(l, config, users, departments)
        }
        Event::ParticipantsRemoved { users } => {
            let who = super::listed(l, users.iter().map(super::named));
            tr!(
                l,
                format!("参加者から外す: {who}"),
                format!("participants removed: {who}")
            )
        }
        Event::Closed { note, forced_reason } => match forced_reason {
            Some(r) => tr!(
                l,
                format!("強制クローズ: {}", said(r)),
                format!("force-closed: {}", said(r))
            ),
            None => tr!(
                l,
                format!("クローズ{}", said_after(note)),
                format!("closed{}", said_after(note))
            ),
        },
        // Each id bare (no `@`), so the report's names leave this line as the key to them.
        Event::NamesLearned { names } => {
            let pairs = names
                .iter()
                .map(|(id, name)| format!("{} ({id})", inline(name)))
                .collect::<Vec<_>>()
                .join(tr!(l, "、", ", "));
            tr!(
                l,
                format!("Slackの表示名: {pairs}"),
                format!("names from Slack: {pairs}")
            )
        }
        Event::ChannelArchived => tr!(l, "チャンネルをアーカイブ", "channel archived").to_string(),
        Event::ChannelUnarchived => tr!(l, "チャンネルのアーカイブを解除", "channel unarchived").to_string(),
        Event::BotRemoved => tr!(l, "ボットをチャンネルから削除", "bot removed from the channel").to_string(),
        Event::BotReturned => tr!(l, "ボットをチャンネルに再追加", "bot added back to the channel").to_string(),
        Event::TeamLinesWithdrawn {
            org,
            org_name,
            edited,
            deleted,
            dropped,
        } => {
            let n = edited + deleted;
            let with = super::other_org(l, org.as_deref(), org_name.as_deref(), inline);
            let older = match dropped {
                0 => String::new(),
                d => tr!(
                    l,
                    format!("、古い {d} 件は記録なし"),
                    format!("; {d} older ones not kept")
                ),
            };
            tr!(
                l,
                format!("チャンネルが{with}と共有されたため、社内向けの投稿 {n} 件を取り下げ（編集 {edited} 件、削除 {deleted} 件{older}）"),
                format!("{n} team-only {} withdrawn from the channel when it was shared with {with} ({edited} edited, {deleted} deleted{older})", if n == 1 { "line" } else { "lines" })
            )
        }
        Event::AddedBack { user } => tr!(
            l,
            format!("{} がチャンネルを退出（ボットが再追加）", who(user)),
            format!("{} left the channel (added back by the bot)", who(user))
        ),
        Event::Redacted { reason, entries } => {
            let seqs = entries
                .iter()
                .map(|r| (r.seq + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ");
            tr!(
                l,
                format!("管理者が記録 {seqs} の文面を削除（理由: {}）", said(reason)),
                format!(
                    "texts of entries {seqs} redacted by the administrator (reason: {})",
                    said(reason)
                )
            )
        }
        Event::KickoffDeleted => tr!(
            l,
            "キックオフのメッセージが削除された（再投稿）",
            "kickoff message deleted (posted again)"
        )
        .to_string(),
        Event::KickoffUnpinned => tr!(
            l,
            "キックオフのピン留めが外された（再度ピン留め）",
            "kickoff unpinned (pinned again)"
        )
        .to_string(),
        Event::StatusUnpinned => tr!(
            l,
            "状況のメッセージのピン留めが外された（再度ピン留め）",
            "status message unpinned (pinned again)"
        )
        .to_string(),
        Event::StatusDeleted => tr!(
            l,
            "状況のメッセージが削除された（再投稿）",
            "status message deleted (posted again)"
        )
        .to_string(),
        Event::NoticesWithdrawn {
            channel,
            org,
            org_name,
            withdrawn,
        } => {
            let with = super::other_org(l, org.as_deref(), org_name.as_deref(), inline);
            tr!(
                l,
                format!(
                    "{} が{with}と共有されたため、そこの告知 {withdrawn} 件をトラブル番号だけに編集",
                    inline(channel.as_str())
                ),
                format!(
                    "{withdrawn} notice(s) in {} edited down to the trouble's id: the channel was shared with {with}",
                    inline(channel.as_str())
                )
            )
        }
        Event::ChannelDeleted { channel } => tr!(
            l,
            format!("チャンネル {} が削除された", inline(channel.as_str())),
            format!("channel {} deleted", inline(channel.as_str()))
        ),
        Event::ChannelAskedFor => tr!(
            l,
            "作成できなかったチャンネルの作成を再依頼",
            "asked Slack again for the channel it had refused to create"
        )
        .to_string(),
        Event::DeliveryFailed {
            method,
            error,
            who: None,
        } => tr!(
            l,
            format!("Slack送信失敗 {}: {}", inline(method), inline(error)),
            format!("Slack call failed {}: {}", inline(method), inline(error))
        ),
        Event::DeliveryFailed {
            method,
            error,
            who: Some(to),
        } => tr!(
            l,
            format!(
                "{} への DM を Slack が拒否 {}: {}",
                who(to),
                inline(method),
                inline(error)
            ),
            format!(
                "Slack refused the DM to {} {}: {}",
                who(to),
                inline(method),
                inline(error)
            )
        ),
        Event::AcknowledgementWithdrawn { by } => tr!(
            l,
            format!(
                "{} の確認は取り消し（担当者の上位ではなくなったため、上司に改めて確認を依頼）",
                who(by)
            ),
            format!(
                "acknowledgement by {} withdrawn: they are no longer above the owner, so the manager is asked afresh",
                who(by)
            )
        ),
        Event::OwnerReachedAgain { who: owner } => tr!(
            l,
            format!(
                "{} への DM が再び届いた（以前 Slack に拒否されていた）: 担当者として DM を再開",
                who(owner)
            ),
            format!(
                "a DM reached {} again (Slack had refused them one): the bot DMs them as the owner again",
                who(owner)
            )
        ),
        Event::OriginNoticeFailed { channel, error } => tr!(
            l,
            format!(
                "起票元チャンネル {} へのお知らせを投稿できず（{}）、起票者にだけ伝えた",
                inline(channel.as_str()),
                inline(error)
            ),
            format!(
                "notice in the channel it was opened from ({}) refused ({}): only the reporter was told",
                inline(channel.as_str()),
                inline(error)
            )
        ),
    }
}

/// The line a report carries when its trouble's hash chain does not check: the entry (numbered
/// as the report's timeline numbers them) and what is wrong there.
pub fn chain_broken(l: Locale, b: &Break) -> String {
    if let BreakKind::RecordDiffers(fact) = b.kind {
        let fact = fact_name(l, fact);
        return tr!(
            l,
            format!("⚠️ トラブルの記録の「{fact}」がタイムラインの内容と一致しません。この報告書の記録は、書き込まれた後に変更された可能性があります。"),
            format!("⚠️ The trouble's record of its {fact} does not match its timeline: what this report shows may have been changed after it was written.")
        );
    }
    let (n, why) = (b.seq + 1, break_reason(l, b));
    tr!(
        l,
        format!("⚠️ タイムラインの改ざん検知用ハッシュの連鎖が{n}番目の記録で途切れています（{why}）。この報告書の記録は、書き込まれた後に変更・削除された可能性があります。"),
        format!("⚠️ The timeline's hash chain is broken at entry {n} ({why}): what this report shows may have been changed or removed after it was written.")
    )
}

/// `verify`'s short form of [`chain_broken`]: the entry and what is wrong there (or the fact
/// of the record that its timeline does not bear out).
pub fn chain_broken_short(l: Locale, b: &Break) -> String {
    if let BreakKind::RecordDiffers(fact) = b.kind {
        let fact = fact_name(l, fact);
        return tr!(
            l,
            format!("記録の「{fact}」がタイムラインと一致しません"),
            format!("the record of its {fact} does not match the timeline")
        );
    }
    let (n, why) = (b.seq + 1, break_reason(l, b));
    tr!(l, format!("{n}番目の記録: {why}"), format!("entry {n}: {why}"))
}

pub(super) fn fact_name(l: Locale, fact: Fact) -> &'static str {
    match fact {
        Fact::Opening => tr!(
            l,
            "お客様・概要・起票日時・非公開かどうか",
            "customer, summary, opening time and whether it is private"
        ),
        Fact::Severity => tr!(l, "重大度", "severity"),
        Fact::Owner => tr!(l, "担当営業", "owner"),
        Fact::Manager => tr!(l, "上司", "manager"),
        Fact::Acknowledgement => tr!(l, "上司確認", "acknowledgement"),
        Fact::Stages => tr!(l, "段階の完了とメモ", "stages and their notes"),
        Fact::CustomerUpdates => tr!(l, "お客様への報告", "customer updates"),
        Fact::Split => tr!(l, "責任区分", "responsibility split"),
        Fact::Costs => tr!(l, "費用", "costs"),
        Fact::Closure => tr!(l, "クローズ", "closure"),
        Fact::Names => tr!(l, "表示名", "names"),
        Fact::Proposals => tr!(l, "提案と承認", "proposals and approvals"),
        Fact::Substance => tr!(
            l,
            "事実・波及範囲・原因・対策（8D）",
            "facts, scope, cause and actions (8D)"
        ),
        Fact::Measures => tr!(l, "再発防止策", "prevention measures"),
        Fact::Added => tr!(l, "追加された参加者", "people added to it"),
        Fact::Departments => tr!(l, "参加部署", "departments taking part"),
        Fact::Reopenings => tr!(l, "再開", "reopenings"),
    }
}

fn break_reason(l: Locale, b: &Break) -> &'static str {
    match b.kind {
        BreakKind::Missing => tr!(
            l,
            "記録が欠けているか順番が違います",
            "an entry is missing or out of order"
        ),
        BreakKind::NotChained => tr!(
            l,
            "前の記録とつながっていません",
            "it does not chain from the entry before it"
        ),
        BreakKind::Changed => tr!(
            l,
            "書き込まれた後に内容が変更されています",
            "its content was changed after it was written"
        ),
        BreakKind::RemovedFromEnd => tr!(l, "末尾の記録が削除されています", "entries were removed from the end"),
        BreakKind::NotTheHead => tr!(
            l,
            "最後の記録が記録済みの改ざん検知用ハッシュと一致しません",
            "the last entry is not the recorded integrity hash"
        ),
        BreakKind::RedactedUnnamed => tr!(
            l,
            "削除済みと記されていますが、それを記す管理者の削除の記録がないか、消されたはずの文が残っています（改ざんの可能性）",
            "it is marked redacted, but no redaction entry names it as it is, or it still holds text a redaction erases (altered)"
        ),
        BreakKind::RecordDiffers(_) => tr!(
            l,
            "トラブルの記録がタイムラインと一致しません",
            "the trouble's record does not match its timeline"
        ),
    }
}

/// The report of spec §8, generated from the trouble and its timeline. When the timeline's
/// chain does not check against the head the trouble records, the report says so under its
/// title and beside the integrity hash (`trouble-bot verify` checks the same way).
pub fn report_markdown(l: Locale, config: &Config, t: &Trouble, timeline: &[Entry]) -> String {
    let tz = config.policy.timezone;
    let broken = verify_trouble(t, timeline).err().map(|b| chain_broken(l, &b));
    let mut md = String::new();
    let mut line = |s: String| {
        md.push_str(&s);
        md.push('\n');
    };
    line(tr!(
        l,
        format!("# トラブル報告書 {}", t.id),
        format!("# Trouble report {}", t.id)
    ));
    line(String::new());
    if let Some(broken) = &broken {
        line(broken.clone());
        line(String::new());
    }
    line(format!("- {}: {}", tr!(l, "お客様", "Customer"), inline(&t.customer)));
    line(format!("- {}: {}", tr!(l, "概要", "Summary"), said(&t.summary)));
    line(format!(
        "- {}: {}",
        tr!(l, "重大度", "Severity"),
        super::severity_label(l, config, t.severity)
    ));
    line(format!("- {}: {}", tr!(l, "担当営業", "Owner"), who(&t.owner)));
    line(format!(
        "- {}: {}",
        tr!(l, "上司", "Manager"),
        t.manager.as_ref().map(who).unwrap_or_else(|| "—".into())
    ));
    line(format!(
        "- {}: {}",
        tr!(l, "起票", "Opened"),
        format_time(tz, t.opened_at)
    ));
    line(format!(
        "- {}: {}",
        tr!(l, "上司確認まで", "Acknowledged after"),
        t.ack
            .as_ref()
            .map(|a| {
                let after = format_duration(l, (a.at - t.opened_at).num_seconds().max(0) as u64);
                tr!(
                    l,
                    format!("{after}（{}）", who(&a.by)),
                    format!("{after} ({})", who(&a.by))
                )
            })
            .unwrap_or_else(|| "—".into())
    ));
    line(format!(
        "- {}: {}",
        tr!(l, "クローズ", "Closed"),
        t.closed
            .as_ref()
            .map(|c| format_time(tz, c.at))
            .unwrap_or_else(|| tr!(l, "未（対応中）", "not yet (open)").into())
    ));
    // A close that did not hold is in the header too, not only deep in the timeline: the
    // "Closed" above is the latest of several.
    if t.substance.reopened > 0 {
        let n = t.substance.reopened;
        let last = t.substance.reopened_at.map(|at| format_time(tz, at));
        line(format!(
            "- {}: {}",
            tr!(l, "再開", "Reopened"),
            match (l, last) {
                (Locale::Ja, Some(last)) => format!("{n}回（最後は {last}）"),
                (Locale::Ja, None) => format!("{n}回"),
                (Locale::En, Some(last)) =>
                    format!("{}, the last {last}", super::en_count(n as usize, "time", "times")),
                (Locale::En, None) => super::en_count(n as usize, "time", "times"),
            }
        ));
    }
    // Read months later, or by a site in another zone, a bare 10:00 is no evidence of when.
    line(format!(
        "- {}: {}",
        tr!(l, "タイムゾーン", "Time zone"),
        config.policy.timezone.name()
    ));
    line(String::new());
    line(tr!(l, "## 7つの段階", "## The seven stages").to_string());
    for i in StageId::all() {
        let s = t.stage(i);
        let dates = [
            s.started_at.map(|a| format_time(tz, a)),
            s.done_at.map(|a| format_time(tz, a)),
        ]
        .iter()
        .map(|d| d.clone().unwrap_or_else(|| "—".into()))
        .collect::<Vec<_>>()
        .join(" → ");
        let state = stage_state_at(l, s.state, t.closed.is_some());
        let (number, name) = (i.number(), stage_name(l, i));
        line(tr!(
            l,
            format!("{number}. {name} — {state}（{dates}）"),
            format!("{number}. {name} — {state} ({dates})")
        ));
        for n in &s.notes {
            line(format!("   - {}", said(n)));
        }
    }
    line(String::new());
    line(tr!(l, "## お客様への報告", "## Customer updates").to_string());
    let mut prev = t.opened_at;
    if !t.contacted() {
        line(tr!(l, "（なし）", "(none)").to_string());
    }
    // A withdrawn update is left out (the timeline below keeps it, and its withdrawal).
    let counted: Vec<_> = t.counted_updates().collect();
    for (i, u) in counted.iter().enumerate() {
        let gap = format_duration(l, (u.at - prev).num_seconds().max(0) as u64);
        let since = match (l, i) {
            (Locale::Ja, 0) => format!("起票から{gap}"),
            (Locale::Ja, _) => format!("前回から{gap}"),
            (Locale::En, 0) => format!("{gap} after opening"),
            (Locale::En, _) => format!("{gap} after the previous"),
        };
        let (at, by) = (format_time(tz, u.at), who(&u.by));
        // What the customer was promised, and, once a later update settled it, whether it was
        // kept: an update with no promise of its own before its time leaves it standing, as the
        // status and the reminders have it, so it is not yet kept. Still standing when the
        // trouble was closed after its time, it was missed: nobody called by then.
        let promise = u.promised_next.map(|p| {
            let kept = match t.promise_settled_at(i) {
                Some(settled) => {
                    let late = (settled - p).num_seconds();
                    Some(match (l, late <= 0) {
                        (Locale::Ja, true) => "・守られた".to_string(),
                        (Locale::Ja, false) => format!("・{}遅れ", format_duration(l, late as u64)),
                        (Locale::En, true) => ", kept".to_string(),
                        (Locale::En, false) => format!(", missed by {}", format_duration(l, late as u64)),
                    })
                }
                // Closed, or closed before a reopening, after its time.
                None => t
                    .closed
                    .as_ref()
                    .map(|c| c.at)
                    .or(t.substance.closed_before)
                    .filter(|closed| *closed > p)
                    .map(|_| tr!(l, "・期限までに連絡なし", ", missed: no update by then").to_string()),
            };
            let zone = u.promised_zone.as_deref().and_then(crate::trouble::zone::zone_of);
            let (p, kept) = (promise_time(l, tz, p, zone), kept.unwrap_or_default());
            tr!(
                l,
                format!("（次回連絡の約束 {p}{kept}）"),
                format!(", promising the next contact by {p}{kept}")
            )
        });
        let promise = promise.unwrap_or_default();
        line(tr!(
            l,
            format!("- {at}（{since}） {by}{promise}: {}", said(&u.text)),
            format!("- {at} ({since}) {by}{promise}: {}", said(&u.text))
        ));
        prev = u.at;
    }
    line(String::new());
    for l8d in super::stages::report_lines(l, config, t) {
        line(l8d);
    }
    line(String::new());
    line(tr!(l, "## 責任区分と費用", "## Responsibility and costs").to_string());
    match &t.split {
        Some(s) => {
            // The reason quoted, as in the status: the proposal's state follows it.
            let shares = super::agreement::split_with_reason(l, s, Where::Elsewhere);
            let split = tr!(l, format!("- 責任区分: {shares}"), format!("- Split: {shares}"));
            line(super::agreement::with_item_state(
                l,
                t,
                Item::Split,
                Where::Elsewhere,
                split,
            ))
        }
        None => line(tr!(l, "- 責任区分: 未定", "- Split: not settled").to_string()),
    }
    for (i, c) in t.costs.iter().enumerate() {
        let n = i + 1;
        let cost = super::agreement::cost_with_note(l, c, Where::Elsewhere);
        let cost = tr!(l, format!("- 費用 #{n} {cost}"), format!("- Cost #{n} {cost}"));
        line(super::agreement::with_item_state(
            l,
            t,
            Item::Cost { n },
            Where::Elsewhere,
            cost,
        ));
    }
    if let Some(totals) = super::agreement::totals_text(l, t) {
        line(tr!(
            l,
            format!("- 負担者別の合計: {totals}"),
            format!("- Totals: {totals}")
        ));
    }
    if let Some(shares) = super::agreement::shares_text(l, t) {
        line(tr!(
            l,
            format!("- 責任区分による分担: {shares}"),
            format!("- With the split applied: {shares}")
        ));
    }
    line(String::new());
    line(tr!(l, "## 再発防止策", "## Prevention measures").to_string());
    if crate::trouble::actions::prevention_count(t) == 0 {
        line(tr!(l, "（なし）", "(none)").to_string());
    }
    for prevention in super::stages::prevention_lines(l, config, t) {
        line(prevention);
    }
    for m in &t.measures {
        line(format!(
            "- ({}, {}) {}",
            who(&m.by),
            format_time(tz, m.at),
            said(&m.text)
        ));
    }
    line(String::new());
    line(tr!(l, "## タイムライン", "## Timeline").to_string());
    for e in timeline {
        let actor = e.actor.as_ref().map(|a| format!(" {}", who(a))).unwrap_or_default();
        line(format!(
            "{}. {}{} — {}",
            e.seq + 1,
            format_time(tz, e.at),
            actor,
            event_text(l, config, &e.event)
        ));
    }
    line(String::new());
    line(tr!(
        l,
        format!(
            "改ざん検知用ハッシュ（SHA-256）: `{}`（記録{}件）",
            t.timeline_head, t.timeline_len
        ),
        format!(
            "Integrity hash (SHA-256): `{}` ({} entries)",
            t.timeline_head, t.timeline_len
        )
    ));
    if let Some(broken) = broken {
        line(broken);
    }
    // Read far from Slack: people by their names, where the bot has learnt them.
    t.with_names(&md)
}

/// The report as Slack shows it: mrkdwn has no headings, so they become bold lines.
pub fn report_mrkdwn(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| match line.trim_start_matches('#') {
            rest if rest.len() < line.len() && rest.starts_with(' ') => format!("*{}*", rest.trim()),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits text into Slack-sized pieces on line boundaries. A line longer than the limit is cut
/// where no entity or token is split, and its continuation is quoted again or marked `… `: the
/// rest of someone's text must not start a line of the report.
pub fn slack_parts(text: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        // A continuation never starts a line with someone's text: it stays quoted, or is marked.
        let prefix = match (line.starts_with("> "), limit > 8) {
            (_, false) => "",
            (true, true) => "> ",
            (false, true) => "… ",
        };
        while line.chars().count() > limit {
            let head = cut(&line, limit + 1);
            let head = head.trim_end_matches('…');
            // At least one character moves on, whatever the limit.
            let taken = head.len().max(line.chars().next().map_or(0, char::len_utf8));
            let rest = format!("{prefix}{}", &line[taken..]);
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            parts.push(line[..taken].to_string());
            line = rest;
        }
        if current.chars().count() + line.chars().count() + 1 > limit && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        current.push_str(&line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts
}

/// `trouble-bot export ID` (Markdown): the report for people, plainly readable and with
/// nothing that acts on a terminal (controls, escapes, bidi) or in a Markdown viewer.
pub fn export_markdown(l: Locale, config: &Config, t: &Trouble, timeline: &[Entry]) -> String {
    markdown_file(&report_markdown(l, config, t, timeline))
}

/// A report or 8D in Slack's escaped form as a Markdown file: `&`, `>` decoded for reading;
/// `<` kept as `&lt;`, so typed HTML (`<img onerror=…>`) is text; every `[` escaped, so a typed
/// `[label](https://…)`, image or reference link never becomes a link hiding its address (the
/// report itself writes none); no controls; and a quoted line of typed text never starts a
/// heading, a list item, a numbered entry, a table or a rule inside its quote.
pub(super) fn markdown_file(escaped: &str) -> String {
    let text = strip_controls(escaped)
        .replace('<', "&lt;")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace('[', "\\[");
    text.split('\n').map(inert_in_quote).collect::<Vec<_>>().join("\n")
}

/// A line of the file as it is, or, quoted typed text (`> …`: the report quotes every line of
/// text with several), with a backslash before what would make it a block of its own in a
/// Markdown viewer: `## Responsibility and costs` read as a heading of the report, `- Cost #9`
/// as its line, `56. 2026-11-30 …` as a timeline entry.
fn inert_in_quote(line: &str) -> String {
    let Some(typed) = line.strip_prefix("> ") else {
        return line.to_string();
    };
    let text = typed.trim_start_matches(' ');
    let indent = &typed[..typed.len() - text.len()];
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let starts_block = matches!(
        text.bytes().next(),
        Some(b'#' | b'-' | b'*' | b'+' | b'=' | b'|' | b'>' | b'`' | b'~' | b'_')
    ) || (digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.' | b')')));
    match (starts_block, digits) {
        (false, _) => line.to_string(),
        (true, 0) => format!("> {indent}\\{text}"),
        (true, n) => format!("> {indent}{}\\{}", &text[..n], &text[n..]),
    }
}

/// `trouble-bot export ID --format json`: the data as stored, with every control and bidi
/// character written as a `\uXXXX` escape, so it is kept exactly but never acts on a terminal.
pub fn export_json(t: &Trouble, timeline: &[Entry]) -> String {
    let json = serde_json::to_string_pretty(&serde_json::json!({"trouble": t, "timeline": timeline}))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.chars()
        .map(|c| {
            if acts_on_display(c) {
                format!("\\u{:04x}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One past trouble in a customer's history: date, state, summary, stage reached, split and
/// what each side bore, per currency. Totals rather than every cost: a trouble has any number
/// of costs, and the line must leave room for the others and the running balance.
pub fn past_trouble_line(l: Locale, config: &Config, p: &PastTrouble, place: Where) -> String {
    let split = p
        .split
        .as_ref()
        .map(|s| split_shares(l, s.ours, s.customer, s.other))
        .unwrap_or_else(|| tr!(l, "区分未定", "split not settled").into());
    // A cost an earlier release kept as text (its amount or its payer) is outside the totals:
    // listed as written, cut as the summary is, since that list was never bounded.
    let written: Vec<String> = p
        .costs
        .iter()
        .filter(|c| c.outside_totals())
        .map(|c| super::messages::cost_phrase(l, c, place))
        .collect();
    let written = (!written.is_empty()).then(|| cut(&written.join(" · "), SHORT_SUMMARY));
    let costs: Vec<String> = super::messages::cost_totals_text(l, &p.costs)
        .into_iter()
        .chain(written)
        .collect();
    // "Nothing to pay" was agreed (`cost 0 ours`) or nothing was ever recorded (a trouble
    // closed before stage 6 asked for one): the next rep must be able to tell which.
    let costs = match (costs.is_empty(), p.costs.is_empty()) {
        (false, _) => costs.join(" · "),
        (true, false) => tr!(l, "費用負担なし", "no cost").to_string(),
        (true, true) => tr!(l, "費用未記録", "no cost recorded").to_string(),
    };
    let state = if p.closed {
        tr!(l, "クローズ", "closed")
    } else {
        tr!(l, "対応中", "open")
    };
    // The stages done, not the last one: `done 5` before 2 is not "up to 5".
    let done: Vec<String> = p.done.iter().map(|n| n.to_string()).collect();
    let reached = match (done.len(), p.reached) {
        (n, _) if n == crate::trouble::model::StageId::all().count() => {
            tr!(l, "全段階完了", "all stages done").to_string()
        }
        (0, 0) => tr!(l, "完了した段階なし", "no stage done").to_string(),
        (0, n) => tr!(l, format!("第{n}段階まで完了"), format!("stages done up to {n}")),
        (1, _) => tr!(l, format!("第{}段階完了", done[0]), format!("stage {} done", done[0])),
        _ => tr!(
            l,
            format!("第{}段階完了", done.join("・")),
            format!("stages {} done", done.join(", "))
        ),
    };
    let summary = cut(&one_line(&p.summary, place), SHORT_SUMMARY);
    let when = super::format_day_time(l, config.policy.timezone, p.opened_at);
    // Figures not yet approved read as such, as the trouble's own status marks them.
    let awaiting = match p.awaiting {
        true => tr!(l, " · ⏳ 承認待ちの提案あり", " · ⏳ a proposal awaits approval"),
        false => "",
    };
    tr!(
        l,
        format!(
            "• `{}` {when} {state} — {summary} · {reached} · {split} · {costs}{awaiting}",
            p.id
        ),
        format!(
            "• `{}` {when} {state} — {summary} · {reached} · {split} · {costs}{awaiting}",
            p.id
        )
    )
}

/// The running balance with a customer (貸し借り): what each side bore, per currency.
pub fn balance_text(l: Locale, troubles: &[Trouble]) -> Option<String> {
    // Rejected costs are left out, as each trouble's own totals leave them out.
    let costs: Vec<crate::trouble::model::Cost> = troubles
        .iter()
        .flat_map(crate::trouble::approval::counted_costs)
        .collect();
    let totals = super::messages::cost_totals_text(l, &costs)?;
    let ours = super::messages::our_share_total_text(
        l,
        troubles
            .iter()
            .any(|t| crate::trouble::approval::counted_split(t).is_some()),
        troubles.iter().map(crate::trouble::approval::our_share),
    );
    let totals = format!("{totals}{ours}");
    let awaiting = match troubles.iter().any(crate::trouble::approval::awaits_decision) {
        true => tr!(
            l,
            "（承認待ちの提案を含む）",
            " (including proposals awaiting approval)"
        ),
        false => "",
    };
    Some(tr!(
        l,
        format!("*これまでの負担の累計* {totals}{awaiting}"),
        format!("*Running balance* {totals}{awaiting}")
    ))
}

/// At most this many troubles of a customer's history are listed (the caller's order: the
/// latest first): a customer of some years has hundreds, and Slack cuts a message's text past
/// 40,000 characters, the running balance at its end with it.
const HISTORY_SHOWN: usize = 30;

/// Past troubles with one customer: dates, stage reached, split and costs (principle 3); the
/// running balance over all of them.
pub fn history_text(l: Locale, config: &Config, customer: &str, troubles: &[Trouble]) -> String {
    if troubles.is_empty() {
        return tr!(
            l,
            format!("「{}」の過去のトラブルは見つかりません。", inline(customer)),
            format!("No troubles found with \"{}\".", inline(customer))
        );
    }
    let mut out = tr!(
        l,
        format!("*{}のトラブル履歴（{}件）*\n", inline(customer), troubles.len()),
        format!(
            "*History with {} ({})*\n",
            inline(customer),
            super::en_count(troubles.len(), "trouble", "troubles")
        )
    );
    for t in troubles.iter().take(HISTORY_SHOWN) {
        out.push_str(&past_trouble_line(l, config, &PastTrouble::from(t), Where::Elsewhere));
        out.push('\n');
    }
    if let Some(earlier) = troubles.len().checked_sub(HISTORY_SHOWN).filter(|n| *n > 0) {
        out.push_str(&tr!(
            l,
            format!("…ほかに以前のトラブル{earlier}件（一覧は省略）\n"),
            format!("…and {earlier} earlier troubles, not listed\n")
        ));
    }
    if let Some(balance) = balance_text(l, troubles) {
        out.push_str(&balance);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::model::{Cost, TroubleId};

    /// A past trouble with one cost, as an earlier release could have stored it.
    fn past_with_cost(amount: &str, payer: &str) -> PastTrouble {
        PastTrouble {
            id: TroubleId::new("20261001-1"),
            opened_at: chrono::DateTime::UNIX_EPOCH,
            summary: "labels misprinted".into(),
            reached: 0,
            done: vec![],
            closed: true,
            split: None,
            costs: vec![Cost {
                amount: amount.into(),
                payer: payer.into(),
                note: String::new(),
                by: UserId::new("U0SALES"),
                at: chrono::DateTime::UNIX_EPOCH,
            }],
            awaiting: false,
            private: None,
            owner: None,
            channel: None,
            channel_name: None,
            channel_refused: false,
            readers: None,
        }
    }

    #[test]
    fn a_past_cost_outside_the_totals_is_listed_as_written_whichever_part_did_not_parse() {
        let config = Config::from_sources(None, &Default::default()).expect("config");
        for place in [Where::OwnChannel, Where::Elsewhere] {
            // A payer an earlier release stored as written, with an amount that parses.
            let p = past_with_cost("¥300,000", "ヤマト運輸");
            let ja = past_trouble_line(Locale::Ja, &config, &p, place);
            assert!(ja.contains("¥300,000（ヤマト運輸負担）"), "{ja}");
            assert!(!ja.contains("費用なし"), "{ja}");
            let en = past_trouble_line(Locale::En, &config, &p, place);
            assert!(en.contains("¥300,000 (borne by ヤマト運輸)"), "{en}");
            assert!(!en.contains("no costs"), "{en}");
            // An amount stored as written, with a payer that parses.
            let p = past_with_cost("about 3 pallets", "ours");
            let en = past_trouble_line(Locale::En, &config, &p, place);
            assert!(en.contains("about 3 pallets (borne by"), "{en}");
            // A cost of this release is in the totals, not listed again.
            let p = past_with_cost("¥300,000", "ours");
            let en = past_trouble_line(Locale::En, &config, &p, place);
            assert_eq!(en.matches("¥300,000").count(), 1, "{en}");
        }
    }

    #[test]
    fn a_past_troubles_costs_kept_as_text_are_cut_in_its_history_line() {
        let config = Config::from_sources(None, &Default::default()).expect("config");
        let mut p = past_with_cost("¥300,000", "ours");
        let long = past_with_cost(&"about three pallets of sorting ".repeat(4), "ours").costs;
        p.costs.extend((0..30).flat_map(|_| long.clone()));
        for l in [Locale::Ja, Locale::En] {
            let line = past_trouble_line(l, &config, &p, Where::OwnChannel);
            assert!(line.chars().count() < 600, "{}: {line}", line.chars().count());
            assert!(
                line.contains("¥300,000") && line.contains("about three pallets"),
                "{line}"
            );
        }
    }

    #[test]
    fn parts_respect_the_limit_and_keep_everything() {
        let text: String = (0..500).map(|i| format!("line {i} with some words\n")).collect();
        let parts = slack_parts(&text, 3000);
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.chars().count() <= 3000));
        assert_eq!(parts.concat(), text);
        let long = "x".repeat(7000);
        assert!(slack_parts(&long, 3000).iter().all(|p| p.chars().count() <= 3000));
    }

    #[test]
    fn a_split_line_never_lets_its_rest_start_a_line_or_halves_an_entity() {
        let forged = format!("1. time — fact: {}99. 2026-11-30 09:00 forged", "&amp;".repeat(700));
        let quoted = format!("> {}# heading", "y".repeat(2990));
        for line in [forged, quoted] {
            let parts = slack_parts(&line, 2980);
            assert!(parts.len() > 1);
            for p in &parts[1..] {
                assert!(p.starts_with("> ") || p.starts_with("… "), "{}", &p[..20]);
            }
            for p in &parts {
                assert!(p.chars().count() <= 2982);
                let body = p.trim_end();
                assert_eq!(body.matches('&').count(), body.matches(';').count(), "{p}");
            }
        }
    }

    /// "Nothing to pay" agreed is not "nothing recorded": the next rep reads which, whatever
    /// way the nothing was typed.
    #[test]
    fn a_past_cost_of_nothing_reads_apart_from_no_cost_recorded() {
        let config = Config::from_sources(None, &Default::default()).expect("config");
        for (amount, payer) in [("0", "ours"), ("¥0", "ours"), ("$0", "customer"), ("０", "当社")] {
            let p = past_with_cost(amount, payer);
            let en = past_trouble_line(Locale::En, &config, &p, Where::Elsewhere);
            assert!(en.ends_with("· no cost"), "{amount}: {en}");
            let ja = past_trouble_line(Locale::Ja, &config, &p, Where::Elsewhere);
            assert!(ja.ends_with("· 費用負担なし"), "{amount}: {ja}");
        }
        let mut p = past_with_cost("¥0", "ours");
        p.costs.clear();
        let en = past_trouble_line(Locale::En, &config, &p, Where::Elsewhere);
        assert!(en.ends_with("· no cost recorded"), "{en}");
        let ja = past_trouble_line(Locale::Ja, &config, &p, Where::Elsewhere);
        assert!(ja.ends_with("· 費用未記録"), "{ja}");
    }
}
