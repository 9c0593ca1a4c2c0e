//! The message catalogue: every word the bot says, in Japanese and English.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Locale {
    Ja,
    En,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Locale> {
        match s.trim().to_lowercase().as_str() {
            "ja" | "jp" | "japanese" => Some(Locale::Ja),
            "en" | "english" => Some(Locale::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }
}

/// Picks the Japanese or English text.
macro_rules! tr {
    ($l:expr, $ja:expr, $en:expr) => {
        match $l {
            Locale::Ja => $ja,
            Locale::En => $en,
        }
    };
}

pub fn stage_name(l: Locale, stage: usize) -> &'static str {
    const JA: [&str; 7] = [
        "情報収集・現品回収",
        "波及範囲の共有",
        "原因究明・特定",
        "復旧・対応策の検討と実施",
        "責任区分の明確化",
        "補償・費用負担の交渉",
        "再発防止策の明示",
    ];
    const EN: [&str; 7] = [
        "Gather facts, recover the affected goods",
        "Share the scope of impact",
        "Find and confirm the cause",
        "Restore, decide and carry out countermeasures",
        "Settle the split of responsibility",
        "Negotiate compensation and who bears the cost",
        "Present the recurrence-prevention measures",
    ];
    tr!(l, JA, EN).get(stage).copied().unwrap_or("?")
}

pub fn stage_state(l: Locale, state: crate::trouble::model::StageState) -> &'static str {
    use crate::trouble::model::StageState::*;
    match state {
        NotStarted => tr!(l, "未着手", "not started"),
        InProgress => tr!(l, "対応中", "in progress"),
        Done => tr!(l, "完了", "done"),
    }
}

pub fn stage_icon(state: crate::trouble::model::StageState) -> &'static str {
    use crate::trouble::model::StageState::*;
    match state {
        NotStarted => "⬜",
        InProgress => "🔶",
        Done => "✅",
    }
}

/// The default name of a severity level when the config gives none.
pub fn severity_default_name(l: Locale, level: u8) -> String {
    match level {
        1 => tr!(l, "重大", "critical").into(),
        2 => tr!(l, "重要", "major").into(),
        3 => tr!(l, "軽微", "minor").into(),
        n => tr!(l, format!("レベル{n}"), format!("level {n}")),
    }
}

/// `4m12s`, `2h5m`, `3d4h` (ja: `4分12秒`, `2時間5分`, `3日4時間`): two units at most.
pub fn format_duration(l: Locale, secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let units: [(u64, &str, &str); 4] = [(d, "日", "d"), (h, "時間", "h"), (m, "分", "m"), (s, "秒", "s")];
    let parts: Vec<String> = units
        .iter()
        .skip_while(|(n, _, _)| *n == 0)
        .take(2)
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, ja, en)| format!("{n}{}", tr!(l, *ja, *en)))
        .collect();
    if parts.is_empty() {
        tr!(l, "0秒", "0s").to_string()
    } else {
        parts.concat()
    }
}

/// A local date and time for messages and reports: `2026-11-27 15:00` in the configured zone.
pub fn format_time(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn help(l: Locale) -> String {
    tr!(
        l,
        "*トラブル対応ボット* — 初動が命。すぐに上司と関係部門に共有します。\n\
         *どこでも*\n\
         • `/trouble open 顧客名: 概要` — トラブルを開始（例: `/trouble open sev1 +quality ACME: ロット42のハウジング不良`）。`sev1`〜`sev3`、`<@上司>`、`+部門` を先頭に付けられます。\n\
         • `/trouble open` — 入力フォームで開始\n\
         • `/trouble list` — 対応中のトラブル一覧\n\
         • `/trouble history 顧客名` — その顧客の過去のトラブル（責任区分・費用負担）\n\
         *トラブルのチャンネルで*\n\
         • `/trouble status` — 現在の状況\n\
         • `/trouble ack` — 上司として受領\n\
         • `/trouble next [メモ]` / `done N [メモ]` / `start N [メモ]` — 段階を進める\n\
         • `/trouble update 伝えた内容 [next: 15:00]` — 顧客への報告を記録（次回の約束も）\n\
         • `/trouble note 事実` — 事実を記録\n\
         • `/trouble split 当社/顧客[/他] [理由]` — 責任区分（合計100）\n\
         • `/trouble cost 金額 負担者 [メモ]` — 補償・費用（例: `¥120,000 ours 交換品送料`）\n\
         • `/trouble prevent 対策` — 再発防止策\n\
         • `/trouble add @人 [+部門]` — 参加者を追加して招待\n\
         • `/trouble owner @担当` / `manager @上司` / `sev N` — 担当・上司・重大度の変更（引き下げと担当変更は上司）\n\
         • `/trouble close [メモ]` — クローズ（全7段階の完了と再発防止策が必要。上司は `close force 理由`）\n\
         • `/trouble report` — 報告書をチャンネルに投稿",
        "*Trouble bot* — the first move decides everything. Your manager and the related departments hear at once.\n\
         *Anywhere*\n\
         • `/trouble open CUSTOMER: SUMMARY` — open a trouble (e.g. `/trouble open sev1 +quality ACME: defective housings in lot 42`). Put `sev1`–`sev3`, `<@manager>` and `+department` first if needed.\n\
         • `/trouble open` — open one with a form\n\
         • `/trouble list` — open troubles\n\
         • `/trouble history CUSTOMER` — past troubles with that customer (splits and costs)\n\
         *In a trouble's channel*\n\
         • `/trouble status` — where things stand\n\
         • `/trouble ack` — acknowledge as the manager\n\
         • `/trouble next [note]` / `done N [note]` / `start N [note]` — move the stages on\n\
         • `/trouble update WHAT YOU TOLD THE CUSTOMER [next: 15:00]` — log a customer update (and the next promise)\n\
         • `/trouble note FACT` — add a fact to the timeline\n\
         • `/trouble split OURS/CUSTOMER[/OTHER] [reason]` — responsibility split (adds up to 100)\n\
         • `/trouble cost AMOUNT PAYER [note]` — compensation or cost (e.g. `¥120,000 ours replacement shipping`)\n\
         • `/trouble prevent MEASURE` — recurrence-prevention measure\n\
         • `/trouble add @user [+dept]` — add participants and invite them\n\
         • `/trouble owner @user` / `manager @user` / `sev N` — reassign or change severity (lowering and reassigning are for the manager chain)\n\
         • `/trouble close [note]` — close (needs all seven stages done and a measure; the manager chain may `close force REASON`)\n\
         • `/trouble report` — post the report in the channel"
    )
    .to_string()
}

pub fn sorry_internal(l: Locale) -> String {
    tr!(
        l,
        "申し訳ありません、内部エラーが発生しました。もう一度お試しください。",
        "Sorry, something went wrong on our side. Please try again."
    )
    .into()
}

mod home;
mod messages;
pub mod modals;
mod replies;
mod report;
pub use home::home_view;
pub use messages::{next_update_due, render, severity_label, Rendered};
pub use replies::{list_text, reply_text, usage_text};
pub use report::{export_json, export_markdown, history_text, report_markdown, report_mrkdwn, slack_parts};
