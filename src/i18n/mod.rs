//! The message catalogue: every word the bot says, in Japanese and English.
//!
//! The glossary keeps the words the same everywhere, as a sales floor says them:
//!
//! | 日本語 | English | not |
//! |---|---|---|
//! | 起票 / 起票しました | open / opened (a trouble) | トラブルを開始 (sounds as if we caused it) |
//! | 確認 / 確認しました / 確認待ち / 上司確認まで | acknowledge / acknowledged / not acknowledged | 受領 (that is receipt of goods) |
//! | 現品の受領 | receipt of the returned goods | — the only 受領 |
//! | お客様 | the customer | 顧客 |
//! | <@U…>さん | <@U…> | a bare name (user groups take no さん) |
//! | 8D（お客様宛て）の当社の人: @佐藤 花子 | @Sato Hanako | @佐藤 花子さん (no honorific for our own people to a customer) |
//! | 起票から4分12秒 | 4m12s after opening | （0秒後） |
//! | 入力してください | enter / write | 書いてください |
//! | 当社 / お客様 / 他社 負担 | borne by us / the customer / others | paid by ours |
//! | 次回連絡の約束 | next contact promised by | |
//! | 改ざん検知用ハッシュ | integrity hash | chain head |

use crate::trouble::zone::Zone;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// An English count with its noun: `1 part`, `2 parts`.
pub fn en_count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
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

/// Items of one list inside a sentence: `A、B` in Japanese, `A, B` in English.
pub fn listed<S: AsRef<str>>(l: Locale, items: impl IntoIterator<Item = S>) -> String {
    let sep = match l {
        Locale::Ja => "、",
        Locale::En => ", ",
    };
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A note typed with a command, below the line that tells of it, quoted so that none of its
/// lines passes for the bot's own; nothing when none was typed.
pub fn note_below(note: &str, place: crate::slack::text::Where) -> String {
    if note.trim().is_empty() {
        String::new()
    } else {
        format!("\n{}", crate::slack::text::quoted(note, place))
    }
}

/// People named in a sentence, as mentions: `<@U1>、<@U2>` (さん follows each in Japanese).
/// Numbered items as a sentence lists them: `#1, #3 and #4` (`#1、#3、#4`).
pub(super) fn numbers(l: Locale, ns: &[usize]) -> String {
    listed(l, ns.iter().map(|n| format!("#{n}")))
}

/// The prevention measure a close still needs: one, or a new one when those recorded were found
/// not effective (`not_effective`, by number), with how to record it.
pub(super) fn measure_missing(l: Locale, not_effective: &[usize]) -> String {
    match not_effective {
        [] => tr!(
            l,
            "再発防止策（`/trouble prevent 対策`）",
            "a prevention measure (`/trouble prevent MEASURE`)"
        )
        .to_string(),
        ns => {
            let (listed, were) = (numbers(l, ns), if ns.len() == 1 { "was" } else { "were" });
            tr!(
                l,
                format!("新たな再発防止策（{listed} は効果なしと確認されたため。`/trouble prevent 対策`）"),
                format!("a new prevention measure ({listed} {were} found not effective; `/trouble prevent MEASURE`)")
            )
        }
    }
}

/// Departments as a refusal names them: by the name people know (`品質保証部`) and the key they
/// type (`+quality`); a key no longer configured, alone.
pub(super) fn departments_typed(l: Locale, config: &crate::config::Config, keys: &[String]) -> String {
    listed(
        l,
        keys.iter().map(|k| match config.policy.departments.get(k) {
            Some(d) => {
                let name = crate::trouble::markup::escape(&d.name);
                tr!(l, format!("{name}（`+{k}`）"), format!("{name} (`+{k}`)"))
            }
            None => format!("`+{k}`"),
        }),
    )
}

pub fn people(l: Locale, list: &[crate::trouble::model::UserId]) -> String {
    listed(l, list.iter().map(|u| format!("<@{u}>")))
}

/// A manager chain as a refusal names it: its head "or those above them", each named, so the
/// refusal says whom to ask. Only when they are above the head in `[org]`: a manager named at
/// open stands in front of the owner's configured chain, so the director named may come before
/// the manager who reports to them, and the refusal then lists the chain without ranking it.
pub fn chain_text(
    l: Locale,
    policy: &crate::trouble::policy::Policy,
    chain: &[crate::trouble::model::UserId],
) -> String {
    match chain {
        [] => tr!(l, "（上司が未指名）", "(no manager named yet)").to_string(),
        [only] => format!("<@{only}>"),
        [head, above @ ..] if all_above(policy, head, above) => tr!(
            l,
            format!("<@{head}> またはその上位者（{}）", people(l, above)),
            format!("<@{head}> or those above them ({})", people(l, above))
        ),
        [.., last] => {
            let others = people(l, &chain[..chain.len() - 1]);
            tr!(l, format!("{others}、<@{last}>"), format!("{others} or <@{last}>"))
        }
    }
}

/// Whether every one of `others` is above `head` in `[org]` (the head reports to them), so a
/// message may call them "those above".
pub(super) fn all_above(
    policy: &crate::trouble::policy::Policy,
    head: &crate::trouble::model::UserId,
    others: &[crate::trouble::model::UserId],
) -> bool {
    others.iter().all(|u| policy.reports_to(head, u))
}

/// In Japanese a person is never named bare: every user mention (`<@U…>`, `<@W…>`) is followed
/// by さん. User groups (`<!subteam^…>`) are teams, not people, and stay as they are.
pub fn san(l: Locale, text: &str) -> String {
    if l != Locale::Ja || !text.contains("<@") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find("<@") {
        out.push_str(&rest[..i]);
        let token = &rest[i..];
        match token.find('>') {
            Some(end) if is_user_token(&token[2..end]) => {
                out.push_str(&token[..=end]);
                rest = &token[end + 1..];
                if !rest.starts_with("さん") {
                    out.push_str("さん");
                    // `<@U…> に` reads `@佐藤さん に`: a particle follows the name unspaced. A
                    // word after the space (`お客様`) keeps it, or the two run together.
                    if let Some(after) = rest.strip_prefix(' ').filter(|a| starts_with_particle(a)) {
                        rest = after;
                    }
                }
            }
            _ => {
                out.push_str("<@");
                rest = &token[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `text` starts with what follows a name unspaced: hiragana (`が`, `に`, `または`),
/// but not a word's honorific prefix (`お客様`, `ご確認`).
fn starts_with_particle(text: &str) -> bool {
    use crate::trouble::command::is_hiragana;
    let mut chars = text.chars();
    let first = chars.next().unwrap_or(' ');
    let honorific = matches!(first, 'お' | 'ご') && chars.next().is_some_and(|c| !is_hiragana(c));
    is_hiragana(first) && !honorific
}

fn is_user_token(inner: &str) -> bool {
    let id = inner.split('|').next().unwrap_or_default();
    id.len() >= 3 && id.starts_with(['U', 'W']) && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// [`san`] over every text of a message's blocks.
pub fn san_blocks(l: Locale, blocks: &mut [crate::slack::blocks::Block]) {
    if l == Locale::Ja {
        blocks.iter_mut().for_each(|b| b.map_texts(|s| san(l, s)));
    }
}

/// A person in a message for `place`: mentioned in the trouble's own channel, named elsewhere
/// (the report is posted again and again, and a line of it pings nobody).
fn person(u: &crate::trouble::model::UserId, place: crate::slack::text::Where) -> String {
    match place {
        crate::slack::text::Where::OwnChannel => format!("<@{u}>"),
        crate::slack::text::Where::Elsewhere => named(u),
    }
}

/// A person named, not mentioned: `@U…` pings nobody.
fn named(u: &crate::trouble::model::UserId) -> String {
    format!("@{u}")
}

pub fn stage_name(l: Locale, stage: crate::trouble::model::StageId) -> &'static str {
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
    tr!(l, JA, EN)[stage.index()]
}

pub fn stage_state(l: Locale, state: crate::trouble::model::StageState) -> &'static str {
    use crate::trouble::model::StageState::*;
    match state {
        NotStarted => tr!(l, "未着手", "not started"),
        InProgress => tr!(l, "対応中", "in progress"),
        Done => tr!(l, "完了", "done"),
    }
}

/// A stage's state as a trouble's stages are listed (`closed`: the trouble is): one a close
/// (forced) left unfinished reads as not done, left open at the close, never as in progress.
pub fn stage_state_at(l: Locale, state: crate::trouble::model::StageState, closed: bool) -> &'static str {
    match (state, closed) {
        (crate::trouble::model::StageState::InProgress, true) => left_open_at_close(l),
        _ => stage_state(l, state),
    }
}

/// What a closed trouble's stage or action still unfinished is, wherever it is listed (the
/// status, the reports, App Home): left open at the close, never in progress or just open.
pub fn left_open_at_close(l: Locale) -> &'static str {
    tr!(
        l,
        "未完了（クローズ時に対応中のまま）",
        "not done, left open at the close"
    )
}

/// The icon of what [`left_open_at_close`] says.
pub const LEFT_OPEN_ICON: &str = "⏹️";

/// A closed trouble's action still open, as its line ends in the status, the report and App
/// Home: `⏹️ not done, left open at the close`.
pub fn left_open_mark(l: Locale) -> String {
    format!("{LEFT_OPEN_ICON} {}", left_open_at_close(l))
}

/// [`stage_icon`] as [`stage_state_at`] reads the state.
pub fn stage_icon_at(state: crate::trouble::model::StageState, closed: bool) -> &'static str {
    match (state, closed) {
        (crate::trouble::model::StageState::InProgress, true) => LEFT_OPEN_ICON,
        _ => stage_icon(state),
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
pub fn severity_default_name(l: Locale, level: crate::trouble::model::Severity) -> String {
    match level.level() {
        1 => tr!(l, "重大", "critical").into(),
        2 => tr!(l, "重要", "major").into(),
        3 => tr!(l, "軽微", "minor").into(),
        n => tr!(l, format!("レベル{n}"), format!("level {n}")),
    }
}

/// A row's start of the trouble's summary, after its customer (` — lids cracked in lot 42`):
/// `start` is what [`crate::trouble::model::summary_start`] kept, shown through the
/// neutraliser like any user text, so it never becomes a mention, a broadcast or a link. Nothing
/// for a row written before rows kept it (or a trouble with no summary).
pub fn summary_part(start: &str) -> String {
    match start.trim() {
        "" => String::new(),
        // Bounded once neutralised too: a start of `&` or `<` reads five times as long.
        s => format!(
            " — {}",
            crate::slack::blocks::cut(
                &crate::slack::text::one_line(s, crate::slack::text::Where::Elsewhere),
                2 * crate::trouble::model::SUMMARY_CHARS
            )
        ),
    }
}

/// How long the customer has waited, for `list` and App Home: since the last update, or since
/// the opening when nobody has told them anything yet (not "last heard" of a trouble they never
/// heard of from us).
pub fn customer_waited(l: Locale, since: DateTime<Utc>, now: DateTime<Utc>, never_updated: bool) -> String {
    let waited = format_duration(l, (now - since).num_seconds().max(0) as u64);
    if never_updated {
        tr!(
            l,
            format!("お客様へ未報告（起票から{waited}）"),
            format!("customer not updated yet (opened {waited} ago)")
        )
    } else {
        tr!(
            l,
            format!("お客様への報告から{waited}"),
            format!("customer last heard {waited} ago")
        )
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

/// A local date and time for reports and exports: `2026-11-27 15:00` in the configured zone.
pub fn format_time(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// A due time, written `at`, that has passed: `⚠️ overdue since Mon 2026-12-07 09:30`, in App
/// Home and the pinned status alike.
pub fn overdue_since(l: Locale, at: &str) -> String {
    tr!(l, format!("⚠️ 期限 {at} 超過"), format!("⚠️ overdue since {at}"))
}

/// A local date and time for the messages people read, with its weekday, so a manager on a
/// phone sees "Mon" rather than working out what day the 7th is: `Mon 2026-12-07 09:30`
/// (ja: `2026-12-07(月) 09:30`).
pub fn format_day_time(l: Locale, tz: Tz, at: DateTime<Utc>) -> String {
    format_local_day_time(l, at.with_timezone(&tz).naive_local())
}

/// [`format_day_time`] of a time on a clock already read (a customer's fixed offset too).
fn format_local_day_time(l: Locale, local: chrono::NaiveDateTime) -> String {
    let (day, time) = (local.format("%Y-%m-%d"), local.format("%H:%M"));
    let weekday = weekday(l, local.weekday());
    tr!(l, format!("{day}({weekday}) {time}"), format!("{weekday} {day} {time}"))
}

/// The line a DM ends with for a reader whose Slack is set to another zone than `timezone`
/// (a manager on a trip to California), when the DM gives a time of day: its times are ours, and
/// how far from theirs, so `due Wed 15:00` is not read as 15:00 where they are. None when their
/// clock reads as ours now (the same offset).
pub fn zone_note(l: Locale, ours: Tz, theirs: Tz, now: DateTime<Utc>) -> Option<String> {
    use chrono::Offset;
    use chrono::TimeZone;
    let offset = |tz: Tz| i64::from(tz.offset_from_utc_datetime(&now.naive_utc()).fix().local_minus_utc());
    let ahead = offset(ours) - offset(theirs);
    if ahead == 0 {
        return None;
    }
    let abbreviation = crate::trouble::zone::abbreviation;
    let (our_abbr, their_abbr) = (abbreviation(ours, now), abbreviation(theirs, now));
    let by = format_duration(l, ahead.unsigned_abs());
    let (ours, theirs) = (ours.name(), theirs.name());
    Some(match (l, ahead > 0) {
        (Locale::Ja, true) => format!("🕒 このメッセージの時刻は {ours} の時刻（{our_abbr}）で、あなたのSlackのタイムゾーン（{theirs}、{their_abbr}）より{by}進んでいます。"),
        (Locale::Ja, false) => format!("🕒 このメッセージの時刻は {ours} の時刻（{our_abbr}）で、あなたのSlackのタイムゾーン（{theirs}、{their_abbr}）より{by}遅れています。"),
        (Locale::En, true) => format!("🕒 The times in this message are {ours} time ({our_abbr}), {by} ahead of your time zone in Slack ({theirs}, {their_abbr})."),
        (Locale::En, false) => format!("🕒 The times in this message are {ours} time ({our_abbr}), {by} behind your time zone in Slack ({theirs}, {their_abbr})."),
    })
}

/// Whether TEXT gives a time of day as [`format_day_time`] writes it (`Wed 2026-12-02 15:00`,
/// `2026-12-02(水) 15:00`): a DM that does is read by its reader's clock, one that says only
/// `1h ago` is not.
pub fn gives_a_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |at: usize, n: usize| bytes.get(at..at + n).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    (0..bytes.len()).any(|i| {
        let date = digits(i, 4)
            && bytes.get(i + 4) == Some(&b'-')
            && digits(i + 5, 2)
            && bytes.get(i + 7) == Some(&b'-')
            && digits(i + 8, 2);
        if !date {
            return false;
        }
        // `(水)` after the date, in Japanese: its weekday, in three bytes, between brackets.
        let mut at = i + 10;
        if bytes.get(at) == Some(&b'(') {
            match bytes[at..].iter().position(|b| *b == b')') {
                Some(close) if close <= 8 => at += close + 1,
                _ => return false,
            }
        }
        bytes.get(at) == Some(&b' ') && digits(at + 1, 2) && bytes.get(at + 3) == Some(&b':') && digits(at + 4, 2)
    })
}

/// A promised time, and, when it was written in the customer's zone (`17:00 CET`), that time as
/// their clock reads it too, each labelled with its zone, so the rep, a colleague in another
/// office and the manager abroad all read the one moment the customer expects: `Tue 2026-12-01
/// 01:00 JST (Mon 2026-11-30 17:00 CET, the customer's time)`.
pub fn format_promise(l: Locale, tz: Tz, at: DateTime<Utc>, zone: Option<Zone>) -> String {
    use crate::trouble::zone::abbreviation;
    let ours = format_day_time(l, tz, at);
    match zone.filter(|zone| !zone.is_ours(tz, at)) {
        None => ours,
        Some(zone) => {
            let (our_zone, theirs) = (abbreviation(tz, at), format_local_day_time(l, zone.local(at)));
            let their_zone = zone.label(at);
            tr!(
                l,
                format!("{ours} {our_zone}（先方時間 {theirs} {their_zone}）"),
                format!("{ours} {our_zone} ({theirs} {their_zone}, the customer's time)")
            )
        }
    }
}

/// Someone away, as their Slack status reads, in a few words: `away (🌴 on vacation until Thu
/// 2026-12-10)`. Their own status text is never quoted: it is theirs to write, and could say
/// anything; what it reads as, and when Slack clears it, is all a reader needs.
pub fn away_text(l: Locale, tz: Tz, away: &crate::trouble::model::Away) -> String {
    use crate::trouble::model::Absence;
    let why = match away.why {
        Absence::Vacation => tr!(l, "🌴 休暇中", "🌴 on vacation"),
        Absence::Sick => tr!(l, "🤒 病欠", "🤒 out sick"),
        Absence::Travelling => tr!(l, "✈️ 移動中", "✈️ travelling"),
        Absence::OutOfOffice => tr!(l, "🚫 不在", "🚫 out of office"),
    };
    match away.until {
        Some(until) => {
            let local = until.with_timezone(&tz);
            let (day, weekday) = (local.format("%Y-%m-%d"), weekday(l, local.weekday()));
            tr!(
                l,
                format!("不在（{why}、{day}({weekday})まで）"),
                format!("away ({why} until {weekday} {day})")
            )
        }
        None => tr!(l, format!("不在（{why}）"), format!("away ({why})")),
    }
}

/// A weekday as a calendar shows it: `月`, `Mon`.
pub fn weekday(l: Locale, d: chrono::Weekday) -> &'static str {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.num_days_from_monday() as usize;
    match l {
        Locale::Ja => JA[i],
        Locale::En => EN[i],
    }
}

pub fn help(l: Locale) -> String {
    format!("{}\n{}\n{}", help_core(l), stages::help(l), agreement::help(l))
}

fn help_core(l: Locale) -> String {
    tr!(
        l,
        "*トラブル対応ボット* — 初動が命。すぐに上司と関係部門に共有します。\n\
         *どこでも*\n\
         • `/trouble open お客様名: 概要` — トラブルを起票（例: `/trouble open sev1 +quality ACME: ロット42のハウジング不良`）。`sev1`〜`sev3`、`<@上司>`、`+部門` を先頭に付けられます。\n\
         • `/trouble open` — 入力フォームで起票\n\
         • `/trouble list` — 対応中のトラブル一覧\n\
         • `/trouble mine`（`/trouble 自分`）— あなたが担当・管理するトラブルと、あなたの確認・承認待ちのトラブル（急ぐものから）\n\
         • `/trouble history お客様名` — そのお客様の過去のトラブル（責任区分・費用負担）\n\
         • `/trouble search 語` — 品番・ロット・お客様などで検索\n\
         • `/trouble stats [日数]` — 上司の確認・初回連絡までの時間、段階ごとの所要時間、お客様別・重大度別の件数と当社分\n\
         *トラブルのチャンネルで*（`status` と `ack` は `/trouble status 20261130-1` のように番号かチャンネルを付ければどこでも。チャンネルのないトラブルは、どのコマンドもコマンドのすぐ後に番号を付けて DM で: `/trouble note 20261130-1 …`）\n\
         • `/trouble status` — 現在の状況\n\
         • `/trouble ack` — 上司として確認（ボットからのDMに返信しても確認になります）\n\
         • `/trouble next [メモ]` / `done N [メモ]` / `start N [メモ]` — 段階を進める\n\
         • `/trouble update 伝えた内容 [次回：15:00]` — お客様への報告を記録（次回の約束も）\n\
         • `/trouble 取消 報告 [N] 理由` — 誤って記録したお客様への報告を取り消す（タイムラインには残り、連絡としては数えない。N を省くと最新）\n\
         • `/trouble note メモ` — メモを記録\n\
         • `/trouble split 当社/お客様[/他] [理由]` — 責任区分（合計100。記録がないと第5段階は完了できません。上司の系列は理由を添えて `完了 5 理由` で完了できます）\n\
         • `/trouble cost 金額 負担者 [メモ]` — 補償・費用（例: `¥120,000 当社 交換品送料`、負担なしは `0 当社`。記録がないと第6段階は完了できません。上司の系列は理由を添えて `完了 6 理由` で完了できます）\n\
         • `/trouble prevent 対策 [担当:@人] [期限:12/20] [確認日:効果確認日]` — 再発防止策\n\
         • `/trouble add @人 [+部門]` — 参加者を追加して招待\n\
         • `/trouble remove @人` — 参加していない人（誤って追加した人、前の担当者など）を外す\n\
         • `/trouble owner @担当` / `manager @上司` / `sev N 理由` — 担当・上司・重大度の変更（引き下げと担当変更は上司。`担当 @山田さん`、`担当：@山田様へ`、`重大度1 理由` とも書けます）\n\
         • 人は `@` を入力して表示される候補から選んでください（候補から選ばない `@山田` は文字として届き、人として読めません）。`さん`・`様`・`くん`・`ちゃん` や `へ`・`に` を後ろに付けても構いません\n\
         • `/trouble close [メモ]` — クローズ（全7段階の完了と再発防止策が必要。オーナーの上司とその上位者（組織設定の順）は `close force 理由`）\n\
         • `/trouble report` — 報告書をチャンネルに投稿\n\
         日本語のコマンドも使えます: `起票`、`状況`、`確認`、`次へ`、`完了 3`、`開始 4`、`報告 伝えた内容 次回 明日10時`、`取消 報告 2 理由`、`メモ`、`事実`、`範囲`、`原因`、`対策`、`対策 完了 1`、`対策 検証 1`、`再発防止`、`追加`、`外す`、`費用`、`責任区分`、`合意`、`担当`、`上司`、`重大度`、`訂正`、`クローズ`、`再開`、`報告書`、`一覧`、`履歴`、`検索`、`統計`",
        "*Trouble bot* — the first move decides everything. Your manager and the related departments hear at once.\n\
         *Anywhere*\n\
         • `/trouble open CUSTOMER: SUMMARY` — open a trouble (e.g. `/trouble open sev1 +quality ACME: defective housings in lot 42`). Put `sev1`–`sev3`, `<@manager>` and `+department` first if needed.\n\
         • `/trouble open` — open one with a form\n\
         • `/trouble list` — open troubles\n\
         • `/trouble mine` — the open troubles you own or manage, or that wait for your acknowledgement or decision, the most urgent first\n\
         • `/trouble history CUSTOMER` — past troubles with that customer (splits and costs)\n\
         • `/trouble search WORDS` — find troubles by part, lot, customer…\n\
         • `/trouble stats [days]` — time to acknowledgement and first contact, stage lead times, troubles and our share of the costs by customer and severity\n\
         *In a trouble's channel* (`status` and `ack` anywhere with the trouble's id or channel: `/trouble status 20261130-1`; a trouble with no channel takes any of them in a DM, its id right after the command: `/trouble note 20261130-1 …`)\n\
         • `/trouble status` — where things stand\n\
         • `/trouble ack` — acknowledge as the manager (answering the bot's DM does too)\n\
         • `/trouble next [note]` / `done N [note]` / `start N [note]` — move the stages on\n\
         • `/trouble update WHAT YOU TOLD THE CUSTOMER [next: 15:00]` — log a customer update (and the next promise)\n\
         • `/trouble withdraw update [N] REASON` — withdraw a customer update logged by mistake (it stays on the timeline, no longer counted; the latest when N is left out)\n\
         • `/trouble note TEXT` — add a note to the timeline\n\
         • `/trouble split OURS/CUSTOMER[/OTHER] [reason]` — responsibility split (adds up to 100; stage 5 waits for one, unless the manager chain gives a reason: `done 5 REASON`)\n\
         • `/trouble cost AMOUNT PAYER [note]` — compensation or cost (e.g. `¥120,000 ours replacement shipping`, `0 ours` if none; stage 6 waits for one, unless the manager chain gives a reason: `done 6 REASON`)\n\
         • `/trouble prevent MEASURE [owner:@user] [due:12/20] [check:DATE]` — recurrence-prevention measure (check: the day its effect is checked)\n\
         • `/trouble add @user [+dept]` — add participants and invite them\n\
         • `/trouble remove @user` — take someone with no part in it (added by mistake, a former owner) off it\n\
         • `/trouble owner @user` / `manager @user` / `sev N REASON` — reassign or change severity (lowering and reassigning are for the manager chain)\n\
         • Name people by typing `@` and picking them from Slack's list: an `@name` not picked reaches the bot as plain text, not as a person\n\
         • `/trouble close [note]` — close (needs all seven stages done and a measure; the owner's manager chain, as the bot's org settings list it, may `close force REASON`)\n\
         • `/trouble report` — post the report in the channel"
    )
    .to_string()
}

/// A form the bot opens, for the one-line command that does what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Open,
    Update,
    Facts,
    Action,
}

/// The one-line command that does what `form` does, as the help writes it (the action's is
/// also the first its usage answer shows).
pub fn form_instead(l: Locale, form: Form) -> &'static str {
    match form {
        Form::Open => tr!(l, "`/trouble open お客様名: 概要`", "`/trouble open CUSTOMER: SUMMARY`"),
        Form::Update => tr!(
            l,
            "`/trouble update 伝えた内容 [次回：15:00]`",
            "`/trouble update WHAT YOU TOLD THE CUSTOMER [next: 15:00]`"
        ),
        Form::Facts => tr!(l, "`/trouble fact 項目 値`", "`/trouble fact KEY VALUE`"),
        Form::Action => tr!(
            l,
            "`/trouble action 暫定|恒久|再発防止 内容 [担当:@人] [期限:12/20] [確認日:効果確認日]`",
            "`/trouble action interim|permanent|prevent TEXT [owner:@name] [due:DATE] [check:DATE]`"
        ),
    }
}

/// Slack did not say in time whether the form opened (a timeout, a 5xx): it may have.
pub fn form_maybe_opened(l: Locale, instead: &str) -> String {
    tr!(
        l,
        format!("Slack からフォームが開いたかどうかの返事が時間内にありませんでした。フォームが開いていればそれを使ってください。開いていなければ、1行で入力してください: {instead}（両方は送らないでください）"),
        format!("Slack did not confirm the form in time. If it opened, use it; if not, type it in one line: {instead} (not both).")
    )
}

/// A form Slack would not open (its trigger id lives 3 s; Slack slow or down): try again, or
/// type `instead`, the command that does the same in one line.
pub fn form_not_opened(l: Locale, instead: &str) -> String {
    tr!(
        l,
        format!("フォームを開けませんでした（Slack はフォームを3秒以内に開く必要があります）。もう一度お試しいただくか、1行で入力してください: {instead}"),
        format!("The form did not open (Slack gives a form three seconds to open). Try again, or type it in one line: {instead}")
    )
}

/// Above `/trouble status` in a channel shared with the customer: why the split, costs and
/// proposals are not in it.
pub fn status_left_out_internal(l: Locale) -> String {
    tr!(
        l,
        "このチャンネルはお客様と共有されているため、責任区分・費用・提案と波及範囲は表示していません。",
        "This channel is shared with the customer, so the split, costs and proposals are left out here, and the scope."
    )
    .to_string()
}

/// A note typed in a trouble's channel shared with the customer: recorded, and kept from them
/// (notes are the team's memo, which the 8D leaves out).
pub fn noted_for_the_team_alone(l: Locale) -> String {
    tr!(
        l,
        "タイムラインに記録しました。このチャンネルはお客様と共有されているため、メモ（社内向け）はここには投稿せず、担当者とマネージャーに DM で伝えます。",
        "Added to the timeline. This channel is shared with the customer, so the note (for the team) is not posted here: the owner and the manager get it by DM."
    )
    .to_string()
}

/// A scope line added or checked in a trouble's channel shared with the customer: recorded,
/// and kept from them (the scope often names another customer, lot or site).
pub fn scope_for_the_team_alone(l: Locale) -> String {
    tr!(
        l,
        "このチャンネルはお客様と共有されているため、波及範囲（他のお客様・ロット・拠点の名前が入りうる社内情報）はここには投稿せず、固定表示のステータスにも出しません。担当者とマネージャーに DM で伝えます（8D には載ります。お客様に渡す前に確認してください）。",
        "This channel is shared with the customer, so the scope (other customers, lots or sites, for the team) is not posted here, nor shown in the pinned status: the owner and the manager get it by DM (the 8D carries it: review it before it goes to the customer)."
    )
    .to_string()
}

/// The bot itself named to own, manage or work on a trouble: a bot answers nothing, so the
/// trouble would have nobody where a person must be.
pub fn bot_given_a_part(l: Locale, bot: &str) -> String {
    tr!(
        l,
        format!("<@{bot}> はこのボットです。トラブルの担当者・上司・参加者・対策の担当者には人を指定してください。何も変更していません。"),
        format!("<@{bot}> is this bot: a trouble's owner, manager, participants and action owners are people. Name a person instead. Nothing was changed.")
    )
}

/// Someone of another organisation (the customer's, met through Slack Connect) named to own,
/// manage or work on a trouble: they read along in the channel shared with them, but a trouble's
/// parts are the company's own people's.
pub fn outsider_given_a_part(l: Locale, who: &str) -> String {
    tr!(
        l,
        format!("<@{who}> さんは社外（Slack コネクトでつながっているお客様側）の方です。共有チャンネルで読むことはできますが、トラブルの担当者・上司・参加者・対策の担当者には社内の人を指定してください。何も変更していません。"),
        format!("<@{who}> is of another organisation (the customer's, through Slack Connect): they read along in a channel shared with them, but a trouble's owner, manager, participants and action owners are the company's own people. Nothing was changed.")
    )
}

/// `owner @x`, an action's `owner:@x`, `manager @x` or `add @x` naming someone whose Slack account
/// is deactivated: what the bot sends them for that part (nudges, the ask to acknowledge, the
/// invitation) would go to nobody.
pub fn departed_given_a_part(l: Locale, who: &str, part: crate::trouble::command::Part) -> String {
    use crate::trouble::command::Part;
    match part {
        Part::Owner => tr!(
            l,
            format!("<@{who}> さんの Slack アカウントは無効化されています（退職・異動など）。担当にすると催促やリマインドが誰にも届きません。いま Slack を使っている人を担当に指定してください。何も変更していません。"),
            format!("<@{who}>'s Slack account has been deactivated (they left): as owner, the nudges and reminders would reach nobody. Name someone who uses Slack now as the owner. Nothing was changed.")
        ),
        Part::Manager => tr!(
            l,
            format!("<@{who}> さんの Slack アカウントは無効化されています（退職・異動など）。上司にすると承認の依頼が誰にも届きません。いま Slack を使っている人を上司に指定してください。何も変更していません。"),
            format!("<@{who}>'s Slack account has been deactivated (they left): as manager, the request to acknowledge would reach nobody. Name someone who uses Slack now as the manager. Nothing was changed.")
        ),
        Part::Participant => tr!(
            l,
            format!("<@{who}> さんの Slack アカウントは無効化されています（退職・異動など）。参加者に追加しても、チャンネルへの招待もトラブルの内容も本人には届きません。いま Slack を使っている人を追加してください。何も変更していません。"),
            format!("<@{who}>'s Slack account has been deactivated (they left): as a participant, the invitation and the trouble would reach nobody. Add someone who uses Slack now. Nothing was changed.")
        ),
    }
}

/// `remove @x` of someone who is not in the trouble's channel and takes no part in it: there is
/// nobody to take out, and a removal line would tell the channel something that never was.
/// `alone`: they were all the command named, so nothing was changed; else the others named
/// were dealt with, and the answer about them comes first.
pub fn not_in_the_channel(l: Locale, who: &[crate::trouble::model::UserId], alone: bool) -> String {
    let names = people(l, who);
    let ja =
        format!("{names}はこのトラブルのチャンネルにおらず、トラブルにも参加していないため、外す必要はありません。");
    let en = match who.len() {
        1 => format!("{names} is not in this trouble's channel and takes no part in it: there is nobody to remove."),
        _ => format!("{names} are not in this trouble's channel and take no part in it: there is nobody to remove."),
    };
    let text = match alone {
        true => tr!(
            l,
            format!("{ja}何も変更していません。"),
            format!("{en} Nothing was changed.")
        ),
        false => tr!(l, ja, en),
    };
    san(l, &text)
}

/// `list`, `history`, `stats` or `search` typed in a channel shared outside the company: they
/// tell of other customers and of costs, so they are answered only where the company alone reads.
pub fn reads_not_where_the_customer_reads(l: Locale) -> String {
    tr!(
        l,
        "このチャンネルは社外と共有されているため、一覧・履歴・統計・検索には答えません（ほかのお客様や費用の情報を含むため）。社内のチャンネルか、ボットとの DM で入力してください。",
        "This channel is shared outside the company, so list, history, stats and search are not answered here (they tell of other customers and of costs). Type it in an internal channel or in a DM with the bot."
    )
    .to_string()
}

/// A command, a button or a form used by someone of another organisation (a customer in a channel
/// shared through Slack Connect): troubles are the company's to act on.
pub fn not_for_another_org(l: Locale) -> String {
    tr!(
        l,
        "このボットは社内の担当者だけが使えます。社外の方のコマンド・ボタン・フォームの操作では、トラブルに何も記録されません。ご用件はこのチャンネルの担当者にお伝えください。",
        "This bot is for the company's own staff: a command, button or form used from another organisation records nothing on a trouble. Please tell the people of the company in this channel."
    )
    .to_string()
}

/// `status` outside a trouble's channel, with no id: how to name one (`sub`, the command).
pub fn name_the_trouble(l: Locale, sub: &str) -> String {
    tr!(
        l,
        format!("トラブルのチャンネルで入力するか、トラブルの番号を付けてください: `/trouble {sub} ID`。番号は `/trouble list` で確認できます。"),
        format!("Type it in a trouble's channel, or name the trouble: `/trouble {sub} ID`. `/trouble list` shows their ids.")
    )
}

/// How many troubles waiting for an acknowledgement `/trouble ack` lists outside a channel.
pub const ACK_WAITING_SHOWN: usize = 20;

/// `ack` outside a trouble's channel, with no id: the troubles waiting for this person's
/// acknowledgement (their App Home rows), each with its id to type, or that none wait.
pub fn name_the_trouble_to_ack(l: Locale, waiting: &[crate::trouble::home::HomeRow]) -> Rendered {
    if waiting.is_empty() {
        return Rendered::text(tr!(
            l,
            "あなたの確認待ちのトラブルはありません。ほかのトラブルを確認するには、そのチャンネルで入力するか、番号を付けてください: `/trouble ack ID`（番号は `/trouble list` で確認できます）。",
            "No trouble is waiting for your acknowledgement. To acknowledge another, type it in its channel or name it: `/trouble ack ID` (`/trouble list` shows their ids)."
        )
        .to_string());
    }
    let head = tr!(
        l,
        "あなたの確認待ちのトラブルです。ボタンを押すか、番号を付けて確認してください: `/trouble ack ID`",
        "Waiting for your acknowledgement; press its button, or name the one you acknowledge: `/trouble ack ID`"
    );
    // Each with its button: a manager on a phone taps rather than types an id.
    let mut blocks = vec![crate::slack::blocks::section(head)];
    blocks.extend(
        waiting
            .iter()
            .take(ACK_WAITING_SHOWN)
            .map(|t| crate::slack::blocks::section_with(&row_line(t), messages::ack_button(l, &t.id))),
    );
    blocks.extend(more_rows(l, waiting).map(|more| crate::slack::blocks::context(&more)));
    Rendered {
        text: listed_rows(l, head, waiting),
        blocks: Some(blocks),
    }
}

/// How the blocks of a list's Acknowledge buttons are named (`ack-0`, `ack-1`…): a tap on one
/// is answered in the list's place (see [`answered_in_list`]).
pub const ACK_LIST_BLOCK: &str = "ack-";

/// A tap's ANSWER in place of the list of Acknowledge buttons it was made in (on trouble `id`,
/// named first when the answer does not name it), with the troubles still waiting for the
/// tapper (`waiting`), each to get its button again, or that none wait.
pub fn answered_in_list(
    l: Locale,
    id: &crate::trouble::model::TroubleId,
    answer: &str,
    waiting: &[crate::trouble::home::HomeRow],
) -> String {
    let answer = match answer.contains(id.as_str()) {
        true => answer.to_string(),
        false => format!("`{}` · {answer}", id_as_typed(id)),
    };
    if waiting.is_empty() {
        let none = tr!(
            l,
            "いま確認待ちのトラブルはありません。",
            "None waits for your acknowledgement now."
        );
        return format!("{answer}\n\n{none}");
    }
    let head = tr!(
        l,
        "まだ確認待ちのトラブル（下のボタンで確認できます）:",
        "Still waiting for your acknowledgement (press its button below):"
    );
    format!("{answer}\n\n{}", listed_rows(l, head, waiting))
}

/// A message the shell rendered ([`Message::Text`], [`Message::TextWithAcks`]) as Slack takes
/// it; None for the messages rendered from a trouble.
pub fn shell_rendered(l: Locale, message: &crate::trouble::decide::Message) -> Option<Rendered> {
    use crate::trouble::decide::Message;
    match message {
        Message::Text { text } => Some(Rendered::plain(text.clone())),
        Message::TextWithAcks { text, acknowledge } => {
            let mut blocks = vec![crate::slack::blocks::section(text)];
            // Slack takes at most 25 elements in an actions block; five to a row reads on a phone.
            for (row, ids) in acknowledge.chunks(5).enumerate() {
                let buttons = ids
                    .iter()
                    .enumerate()
                    .map(|(n, id)| messages::ack_button_for(l, id, n))
                    .collect();
                blocks.push(crate::slack::blocks::actions(
                    &format!("{ACK_LIST_BLOCK}{row}"),
                    buttons,
                ));
            }
            Some(Rendered {
                text: text.clone(),
                blocks: Some(blocks),
            })
        }
        _ => None,
    }
}

/// The answer to a message someone wrote in their DM with the bot that acknowledged nothing:
/// that it was not recorded and what the bot reads there, with the troubles still waiting for
/// their acknowledgement (`waiting`, the most urgent first); `several`: it could answer
/// several of them (written in the DM itself, or in the thread of a DM they share), so the
/// bot could not tell which.
pub fn dm_not_read(l: Locale, waiting: &[crate::trouble::home::HomeRow], several: bool) -> String {
    let head = match (waiting.is_empty(), several) {
        (true, _) => return tr!(
            l,
            "このメッセージは記録していません。ここでは `/trouble` コマンドだけを読みます（`/trouble help` で一覧を表示します）。チームへの連絡は、トラブルのチャンネルに書いてください。",
            "This message was not recorded: I read only `/trouble` commands here (`/trouble help` lists them). To tell the team something, write in the trouble's channel."
        )
        .to_string(),
        (false, true) => tr!(
            l,
            "確認待ちのトラブルが複数あり、どれへの返信か分からないため、まだ確認していません。下のボタンを押すか、番号を付けてください: `/trouble ack ID`",
            "Several troubles wait for your acknowledgement, so I could not tell which one you answered: none is acknowledged yet. Press its button below, or name it: `/trouble ack ID`"
        ),
        (false, false) => tr!(
            l,
            "このメッセージは記録していません（確認の依頼への返信として読めませんでした）。確認待ちのトラブルは、下のボタンを押すか、番号を付けて確認してください: `/trouble ack ID`",
            "This message was not recorded: I could not read it as the answer to a request to acknowledge. To acknowledge one still waiting for you, press its button below, or name it: `/trouble ack ID`"
        ),
    };
    listed_rows(l, head, waiting)
}

/// A command of a trouble's channel typed elsewhere, or `status` with no id, by someone who owns
/// or manages open troubles: the troubles, each with its channel to type it in.
pub fn your_troubles_to_type_in(l: Locale, owned: &[crate::trouble::home::HomeRow]) -> String {
    let head = tr!(l, "あなたが担当・管理するトラブル:", "Yours:");
    let listed = listed_rows(l, head, owned);
    // One listed with no channel to type in takes its commands here, named (see
    // `Trouble::takes_commands_by_id`): otherwise this answer would leave it nowhere to go.
    match owned.iter().take(ACK_WAITING_SHOWN).find(|r| r.channel.is_none()) {
        Some(r) => format!(
            "{listed}\n{}",
            tr!(
                l,
                format!("チャンネルのないトラブルは、コマンドのすぐ後に番号を書けばここで使えます（`/trouble note {} …`）。", r.id),
                format!("One with no channel takes its commands here, named right after the command (`/trouble note {} …`).", r.id)
            )
        ),
        None => listed,
    }
}

/// HEAD, then a line per trouble (its id, severity, customer and channel), at most
/// [`ACK_WAITING_SHOWN`] of them.
fn listed_rows(l: Locale, head: &str, rows: &[crate::trouble::home::HomeRow]) -> String {
    let mut lines = vec![head.to_string()];
    lines.extend(rows.iter().take(ACK_WAITING_SHOWN).map(row_line));
    lines.extend(more_rows(l, rows));
    lines.join("\n")
}

/// Characters of a line's customer and start of summary together: the head and twenty lines
/// share one section of Slack's 3,000 characters (the answer to a DM, a tap's answer in place
/// of the list), so the longest of both is cut here rather than the section cut in its last
/// line (a customer of this length leaves no room for the summary).
const ROW_NAME_CHARS: usize = 96;

/// A trouble's line in a list: `• `20261130-1` sev2 ACME — lids cracked · #channel`, with the
/// start of its summary, so two troubles of one customer tell apart (as in App Home).
fn row_line(t: &crate::trouble::home::HomeRow) -> String {
    let customer = crate::slack::text::one_line(&t.customer, crate::slack::text::Where::Elsewhere);
    let named = crate::slack::blocks::cut(&format!("{customer}{}", summary_part(&t.summary)), ROW_NAME_CHARS);
    let channel = t.channel.as_ref().map(|c| format!(" · <#{c}>")).unwrap_or_default();
    format!("• `{}` sev{} {named}{channel}", t.id, t.severity)
}

/// How many of `rows` a list leaves out, if any.
fn more_rows(l: Locale, rows: &[crate::trouble::home::HomeRow]) -> Option<String> {
    let more = rows.len().checked_sub(ACK_WAITING_SHOWN).filter(|m| *m > 0)?;
    Some(tr!(l, format!("…ほか{more}件"), format!("…and {more} more")))
}

/// A command that acts on the trouble whose channel it is typed in (`typed`, as it would be
/// typed there), typed elsewhere naming trouble `t`, which the asker may see: where it works.
pub fn works_in_its_channel(l: Locale, t: &crate::trouble::model::Trouble, typed: &str) -> String {
    let typed = crate::slack::blocks::cut(
        &crate::slack::text::one_line(typed, crate::slack::text::Where::Elsewhere),
        80,
    );
    let channel = messages::channel_ref(l, t);
    tr!(
        l,
        format!("`/trouble {typed}` はトラブルのチャンネルで使うコマンドです。{} のチャンネル {channel} で入力してください（番号は不要です）。何も変更していません。", t.id),
        format!("`/trouble {typed}` works in the trouble's channel: type it in {channel}, the channel of {} (no id needed there). Nothing was changed.", t.id)
    )
}

/// A command naming trouble `id`, which has no channel to type it in, typed where it is not
/// taken (the id among its words, something missing, or another trouble's channel): how to
/// name the trouble so it is, `here` or outside every trouble's channel. `command` is what was
/// typed without the id; its first word is the command's (or the command's words, when what is
/// missing follows them: `close force`).
pub fn name_it_after_the_command(
    l: Locale,
    id: &crate::trouble::model::TroubleId,
    command: &str,
    here: bool,
) -> String {
    let command = crate::slack::blocks::cut(
        &crate::slack::text::one_line(command, crate::slack::text::Where::Elsewhere),
        80,
    );
    let words = match command.split_whitespace().count() {
        0..=2 => command.trim(),
        _ => command.split_whitespace().next().unwrap_or_default(),
    };
    match here {
        true => tr!(
            l,
            format!("{id} には入力できるチャンネルがないため、コマンドのすぐ後にトラブル番号を書けばここで使えます: `/trouble {words} {id} …`。何も変更していません。"),
            format!("{id} has no channel to type it in, so it takes its commands here, named right after the command: `/trouble {words} {id} …`. Nothing was changed.")
        ),
        // In another trouble's channel, whose readers would take it for theirs.
        false => tr!(
            l,
            format!("{id} には入力できるチャンネルがありません。ボットとの DM で、コマンドのすぐ後にトラブル番号を書いて入力してください: `/trouble {words} {id} …`。何も変更していません。"),
            format!("{id} has no channel to type it in: type it in a DM with the bot, named right after the command: `/trouble {words} {id} …`. Nothing was changed.")
        ),
    }
}

/// `reopen` naming trouble `id` where it is not taken as typed (its reason missing, or another
/// trouble's channel): a closed trouble is reopened by its id outside every trouble's channel,
/// `here` or, typed in another trouble's channel, in a DM with the bot, since its own channel is
/// often archived, which nobody can type in.
pub fn reopen_it_by_id(l: Locale, id: &crate::trouble::model::TroubleId, here: bool) -> String {
    match here {
        true => tr!(
            l,
            format!("クローズ済みのトラブルは、コマンドのすぐ後にトラブル番号を書けば、チャンネルがアーカイブされていてもここで再開できます: `/trouble reopen {id} 理由`。何も変更していません。"),
            format!("A closed trouble is reopened from here too, even with its channel archived, named right after the command: `/trouble reopen {id} REASON`. Nothing was changed.")
        ),
        // In another trouble's channel, whose readers would take it for theirs.
        false => tr!(
            l,
            format!("{id} を再開するには、ボットとの DM で、コマンドのすぐ後にトラブル番号を書いて入力してください: `/trouble reopen {id} 理由`。何も変更していません。"),
            format!("To reopen {id}, type it in a DM with the bot, named right after the command: `/trouble reopen {id} REASON`. Nothing was changed.")
        ),
    }
}

/// `reopen` with no trouble named, outside every trouble's channel: how to name the one meant.
pub fn name_the_trouble_to_reopen(l: Locale) -> String {
    tr!(
        l,
        "再開するトラブルの番号を、コマンドのすぐ後に書いてください: `/trouble reopen ID 理由`（チャンネルがアーカイブされていても再開できます）。番号は `/trouble search 語` で確認できます。何も変更していません。",
        "Name the trouble to reopen right after the command: `/trouble reopen ID REASON` (this works even with its channel archived). `/trouble search WORDS` finds its id. Nothing was changed."
    )
    .to_string()
}

/// After [`works_in_its_channel`], in another trouble's channel: how to write the id as words
/// of this trouble's record, if that was meant.
pub fn id_inside_the_text(l: Locale, id: &crate::trouble::model::TroubleId) -> String {
    tr!(
        l,
        format!("このトラブルの記録に {id} という文字を含めたい場合は、文の途中に書いてください（例: `/trouble note 原因が {id} と同じ可能性`）。"),
        format!("To write {id} in this trouble's record instead, put it inside the text (`/trouble note may share its cause with {id}`).")
    )
}

/// `report ID` typed outside that trouble's channel, for a trouble the asker may see: the
/// report is posted in the channel; an admin prints the whole of it with `export`.
pub fn report_in_its_channel(l: Locale, t: &crate::trouble::model::Trouble) -> String {
    let channel = messages::channel_ref(l, t);
    tr!(
        l,
        format!("報告書はトラブルのチャンネルに投稿します。{} のチャンネル {channel} で `/trouble report` と入力してください。全文はボットの管理者がサーバーで `trouble-bot export {}` を使って出力できます。", t.id, t.id),
        format!("Reports are posted in the trouble's channel: type `/trouble report` in {channel}, the channel of {}. An admin can also print the whole report on the bot's server: `trouble-bot export {}`.", t.id, t.id)
    )
}

/// `report ID` typed outside the trouble's channel when that channel is shared with the
/// customer: the internal report is never posted there, so it is not sent there either.
pub fn report_not_in_its_shared_channel(l: Locale, t: &crate::trouble::model::Trouble) -> String {
    let channel = messages::channel_ref(l, t);
    tr!(
        l,
        format!("{} のチャンネル {channel} はお客様と共有されているため、社内向けの報告書（費用・責任区分を含む）は投稿しません。お客様向けは `/trouble report 8d`、全文はボットのサーバーで `trouble-bot export {}` を使ってください。", t.id, t.id),
        format!("The channel of {}, {channel}, is shared with the customer, so the internal report (with costs and the split) is not posted there. Use `/trouble report 8d` there for the customer, or `trouble-bot export {}` on the bot's server for the full text.", t.id, t.id)
    )
}

/// `status ID` or `ack ID` naming a trouble that does not exist or that the asker may not see
/// (the answer is the same, so it tells nothing of a private trouble).
pub fn no_trouble_you_may_see(l: Locale, id: &crate::trouble::model::TroubleId) -> String {
    let id = id_as_typed(id);
    tr!(
        l,
        format!("トラブル `{id}` は見つからないか、閲覧できません。`/trouble list` で確認できます。"),
        format!("There is no trouble `{id}` that you may see. `/trouble list` shows yours.")
    )
}

/// An id as someone typed or sent it, shown as text on one line and cut short.
pub fn id_as_typed(id: &crate::trouble::model::TroubleId) -> String {
    crate::slack::blocks::cut(
        &crate::slack::text::one_line(id.as_str(), crate::slack::text::Where::Elsewhere),
        40,
    )
}

/// A tap on a button of a trouble the bot holds no record of (a message left from data restored
/// from an older copy): the message tapped shows which trouble, so the id is not repeated.
pub fn no_record_of_tapped_trouble(l: Locale) -> &'static str {
    tr!(
        l,
        "このボタンのトラブルはボットの記録にないため、何もしていません。`/trouble list` で確認できます。",
        "The bot holds no record of this button's trouble, so nothing was done. `/trouble list` shows yours."
    )
}

/// `status ID` or `ack ID` for another trouble, typed in a channel shared outside the company.
pub fn another_trouble_not_where_the_customer_reads(l: Locale) -> String {
    tr!(
        l,
        "このチャンネルは社外と共有されているため、ほかのトラブルについては答えません。社内のチャンネルか、ボットとの DM で入力してください。",
        "This channel is shared outside the company, so other troubles are not answered here. Type it in an internal channel or in a DM with the bot."
    )
    .to_string()
}

/// A command still running when Slack stops waiting for its answer (the store slow to answer).
pub fn still_saving(l: Locale) -> String {
    tr!(
        l,
        "処理に時間がかかっています（ボットの保存先が応答していません）。保存されたかどうか、上長に伝わるかどうかはまだわかりません。急ぎの場合は上長にご自身で直接伝えてください。保存されたかは 1 分後に `/trouble list` で確認できます。",
        "This is taking longer than it should (the bot's store is slow to answer): it may or may not be saved, and your manager may not have heard. If it is urgent, tell them yourself; `/trouble list` shows in a minute whether it was saved."
    )
    .into()
}

pub fn sorry_internal(l: Locale) -> String {
    tr!(
        l,
        "申し訳ありません、内部エラーが発生しました。もう一度お試しください。",
        "Sorry, something went wrong on our side. Please try again."
    )
    .into()
}

/// The answer to a request the bot could not carry out because its store stopped writing (a
/// full disk, or one that refuses writes): the person must not believe anyone was told.
pub fn sorry_store_halted(l: Locale) -> String {
    tr!(
        l,
        "保存を確認できませんでした。ボットがディスクに書き込めなくなっており、再起動されるまでボットからは誰にも伝わりません。上長にはご自身で直接伝えてください。ボットの管理者にも確認を依頼してください（再起動すると、保存済みの分から続けます）。",
        "This could not be saved for sure: the bot cannot write to its disk right now, and nobody will hear of it from the bot until it is restarted. Tell your manager yourself, and ask the bot's admin to look at it (a restart goes on from what was saved)."
    )
    .into()
}

/// The answer to an open while Slack refuses the bot token (`error`): the trouble is saved, but
/// nobody has been told, and nobody will be until an admin mends the token.
pub fn opened_while_token_refused(l: Locale, id: &crate::trouble::model::TroubleId, error: &str) -> String {
    tr!(
        l,
        format!("トラブル {id} を保存しましたが、Slack がボットのトークンを拒否しているため（{error}）、上司にはまだ連絡されておらず、チャンネルも作られていません。上司にはご自身で今すぐ直接伝えてください。ボットの管理者にも確認を依頼してください（トークンが直れば、ボットは保存済みの分から連絡します）。"),
        format!("Trouble {id} is saved, but Slack refuses the bot's token ({error}): your manager has NOT been pinged and no channel exists yet. Tell your manager yourself now, and ask the bot's admin to look at it (once the token works, the bot catches up from what was saved).")
    )
}

/// Told through the command's response_url to whoever opened trouble `id` before the bot knew
/// that Slack refuses its token (`error`): the answer said their manager was being told.
pub fn not_pinged_while_token_refused(l: Locale, id: &crate::trouble::model::TroubleId, error: &str) -> String {
    tr!(
        l,
        format!("⚠️ トラブル {id}: 先ほど上司に DM で連絡するとお伝えしましたが、Slack がボットのトークンを拒否しているため（{error}）、上司にはまだ連絡されておらず、チャンネルも作られていません。上司にはご自身で今すぐ直接伝えてください。ボットの管理者にも確認を依頼してください（トークンが直れば、ボットは保存済みの分から連絡します）。"),
        format!("⚠️ Trouble {id}: the bot said your manager was being told by DM, but Slack refuses the bot's token ({error}), so they have NOT been, and no channel exists yet. Tell your manager yourself now, and ask the bot's admin to look at it (once the token works, the bot catches up from what was saved).")
    )
}

/// Put before the answer to anything else that changed a trouble while Slack refuses the bot
/// token (`error`): it is saved, but nobody in Slack sees it yet.
pub fn saved_while_token_refused(l: Locale, error: &str) -> String {
    tr!(
        l,
        format!("⚠️ 保存しましたが、Slack がボットのトークンを拒否しているため（{error}）、Slack ではまだ誰にも届いていません。急ぎのことはご自身で直接伝え、ボットの管理者に確認を依頼してください。"),
        format!("⚠️ Saved, but Slack refuses the bot's token ({error}), so nobody in Slack sees it yet. Tell people yourself if it is urgent, and ask the bot's admin to look at it.")
    )
}

/// The answer to an open while the bot cannot reach Slack's Web API (since `since`, its calls
/// failing): saved, but the manager not yet pinged; the bot pings them once Slack answers.
pub fn opened_while_slack_unreachable(
    l: Locale,
    tz: Tz,
    id: &crate::trouble::model::TroubleId,
    since: DateTime<Utc>,
) -> String {
    let since = format_time(tz, since);
    tr!(
        l,
        format!("トラブル {id} を保存しましたが、ボットは {since} から Slack に接続できていないため、上司にはまだ連絡されておらず、チャンネルも作られていません。Slack に接続できしだい、保存済みの分から連絡します。急ぎの場合は上司にご自身で今すぐ直接伝えてください。"),
        format!("Trouble {id} is saved, but the bot cannot reach Slack (since {since}): your manager has NOT been pinged yet and no channel exists yet. The bot pings them from what was saved as soon as Slack answers again; if it is urgent, tell your manager yourself now.")
    )
}

/// Put before the answer to anything else that changed a trouble while the bot cannot reach
/// Slack's Web API (since `since`): it is saved, but nobody in Slack sees it yet.
pub fn saved_while_slack_unreachable(l: Locale, tz: Tz, since: DateTime<Utc>) -> String {
    let since = format_time(tz, since);
    tr!(
        l,
        format!("⚠️ 保存しましたが、ボットは {since} から Slack に接続できていないため、Slack ではまだ誰にも届いていません。接続できしだい投稿します。急ぎのことはご自身で直接伝えてください。"),
        format!("⚠️ Saved, but the bot cannot reach Slack (since {since}), so nobody in Slack sees it yet; the bot posts it as soon as Slack answers again. Tell people yourself if it is urgent.")
    )
}

/// Put before the answer to a change made while the bot cannot post in the trouble's channel
/// (`how` it was lost; None: Slack refused to create it): what it says there waits until it can.
pub fn saved_while_channel_lost(l: Locale, how: Option<crate::trouble::model::ChannelLoss>) -> String {
    use crate::trouble::model::ChannelLoss;
    let Some(how) = how else {
        return tr!(
            l,
            "⚠️ Slack がトラブルのチャンネルの作成を拒否したため、チャンネルはまだありません。記録したことは、アプリの権限が直り、担当営業や上司への DM か App Home のボタンでチャンネルが作成されると、起きた順にそこへ投稿します。".to_string(),
            "⚠️ The trouble has no channel yet: Slack refused to create it. Once the app's permissions are fixed and the channel is asked for again (the button in the owner's or the managers' DMs, or App Home), the bot posts what waited there, in order.".to_string()
        );
    };
    match how {
        ChannelLoss::Archived => tr!(
            l,
            "⚠️ トラブルのチャンネルはアーカイブされているため、ボットはまだそこに投稿できません。記録したことはアーカイブが解除されると、起きた順に投稿します。".to_string(),
            "⚠️ The trouble's channel is archived, so the bot cannot post there yet: once someone unarchives it, the bot posts what waited, in order.".to_string()
        ),
        ChannelLoss::BotRemoved => tr!(
            l,
            "⚠️ ボットはトラブルのチャンネルから削除されているため、まだそこに投稿できません。記録したことは `/invite` で戻されると、起きた順に投稿します。".to_string(),
            "⚠️ The bot was removed from the trouble's channel, so it cannot post there yet: once someone adds it back (`/invite`), it posts what waited, in order.".to_string()
        ),
    }
}

/// The answer to a form asked for while Slack refuses the bot token: the form cannot open, but
/// its one-line command still records. A trouble to open has a manager who must hear of it at
/// once, as the one-line open's answer says too.
pub fn form_while_token_refused(l: Locale, error: &str, form: Form) -> String {
    let instead = form_instead(l, form);
    let who = match form {
        Form::Open => tr!(l, "上司", "your manager"),
        _ => tr!(l, "関係者", "those concerned"),
    };
    tr!(
        l,
        format!("Slack がボットのトークンを拒否しているため（{error}）、フォームを開けません。1行で入力してください: {instead}。ボットはトークンが直るまで投稿できないため、{who}にはご自身で直接伝えてください。ボットの管理者にも確認を依頼してください。"),
        format!("The form cannot open: Slack refuses the bot's token ({error}). Type it in one line instead: {instead}. The bot cannot post until the token is fixed, so tell {who} yourself, and ask the bot's admin to look at it.")
    )
}

pub mod admin;
pub mod agreement;
mod check_config;
pub mod combined;
pub mod digest;
pub mod eightd;
mod home;
mod lists;
pub mod locale;
mod messages;
pub mod modals;
mod replies;
mod report;
pub mod sheet;
pub mod stages;
pub mod stats;
pub use crate::slack::blocks::Rendered;
pub use check_config::{
    cannot_serve, check_slack_report, config_summary, credential_problem, serve_problems, warning as config_warning,
};
pub use eightd::{eightd_markdown, export_eightd};
pub use home::home_view;
pub use locale::Locale;
pub use messages::{render, render_to, severity_label, severity_name};
pub use replies::{list_text, mine_text, not_read, reply_text, usage_text};
pub use report::{
    chain_broken, chain_broken_short, export_json, export_markdown, history_text, report_markdown, report_mrkdwn,
    slack_parts,
};

/// The organisation a channel was shared with, as a sentence names it: by its name when Slack
/// gave one (`team.info`), with its Slack id (`E0…`, `T0…`) beside it, each as `quote` makes
/// someone else's words safe where they are shown.
pub(crate) fn other_org(l: Locale, org: Option<&str>, name: Option<&str>, quote: impl Fn(&str) -> String) -> String {
    match (name, org) {
        (Some(name), Some(org)) => tr!(
            l,
            format!("社外（{}・{}）", quote(name), quote(org)),
            format!("another organisation ({}, {})", quote(name), quote(org))
        ),
        (Some(one), None) | (None, Some(one)) => tr!(
            l,
            format!("社外（{}）", quote(one)),
            format!("another organisation ({})", quote(one))
        ),
        (None, None) => tr!(l, "社外", "another organisation").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-line command a form that did not open points to is written as the help writes
    /// it, in both languages: the bot's texts do not teach two spellings of one command.
    #[test]
    fn every_forms_one_line_command_is_the_helps() {
        for l in [Locale::Ja, Locale::En] {
            let help = help(l);
            for form in [Form::Open, Form::Update, Form::Facts, Form::Action] {
                let instead = form_instead(l, form);
                assert!(help.contains(instead), "{l:?} {form:?}: {instead} is not in the help");
            }
        }
    }

    /// Each command's line in the help names as many optional parts (`[…]`) in one language as
    /// in the other, so neither team misses an option (English once lacked `[check:DATE]`).
    #[test]
    fn the_help_names_the_same_options_in_both_languages() {
        let options = |l: Locale| -> Vec<(String, usize)> {
            help(l)
                .lines()
                .filter(|line| line.starts_with("• "))
                .map(|line| {
                    let usage = line.split('—').next().unwrap_or(line);
                    (usage.to_string(), usage.matches('[').count())
                })
                .collect()
        };
        let (ja, en) = (options(Locale::Ja), options(Locale::En));
        assert_eq!(ja.len(), en.len());
        for (ja, en) in ja.iter().zip(&en) {
            assert_eq!(ja.1, en.1, "{} / {}", ja.0, en.0);
        }
    }

    #[test]
    fn a_time_of_day_as_messages_write_it_is_found() {
        let at = "2026-12-02T06:00:00Z".parse().unwrap();
        for l in [Locale::En, Locale::Ja] {
            let said = format!("due {}.", format_day_time(l, chrono_tz::Asia::Tokyo, at));
            assert!(gives_a_time(&said), "{said}");
        }
        for text in [
            "asked: @manager 1h ago",
            "trouble 20261130-1",
            "2026-12-02 only",
            "2026-12-02(水)",
        ] {
            assert!(!gives_a_time(text), "{text}");
        }
    }

    #[test]
    fn the_zone_note_says_how_far_ahead_or_behind_and_nothing_for_the_same_clock() {
        use chrono_tz::{America, Asia, Europe};
        let winter = "2026-12-02T06:00:00Z".parse().unwrap();
        let note = zone_note(Locale::En, Asia::Tokyo, Europe::Berlin, winter).unwrap();
        assert!(
            note.contains("8h ahead of your time zone in Slack (Europe/Berlin, CET)"),
            "{note}"
        );
        let note = zone_note(Locale::Ja, Europe::Berlin, America::New_York, winter).unwrap();
        assert!(
            note.contains("（America/New_York、EST）より6時間進んでいます"),
            "{note}"
        );
        let note = zone_note(Locale::En, Asia::Kolkata, Asia::Tokyo, winter).unwrap();
        assert!(note.contains("3h30m behind"), "{note}");
        assert_eq!(zone_note(Locale::En, Asia::Tokyo, Asia::Seoul, winter), None);
    }

    /// `n` rows as long as rows get: the longest customer and summary, all `&` and `<` (five
    /// and four times as long once escaped), four-digit ids, long channel ids.
    fn longest_rows(n: usize) -> Vec<crate::trouble::home::HomeRow> {
        use crate::trouble::model::{ChannelId, TroubleId};
        home::tests::full_rows(Utc::now(), n)
            .into_iter()
            .enumerate()
            .map(|(i, row)| crate::trouble::home::HomeRow {
                id: TroubleId::new(format!("20261130-{}", 1000 + i)),
                customer: "&".repeat(3000),
                channel: Some(ChannelId::new("C0123456789AB")),
                summary: crate::trouble::model::summary_start(&"<&".repeat(3000)),
                ..row
            })
            .collect()
    }

    /// A list of troubles that shares one section with its head (the answer to a DM, a tap's
    /// answer in place of the list) keeps every line it names whole: the section is never
    /// cut, so its last line and the count of the rest are never lost.
    #[test]
    fn the_longest_lists_of_a_dm_fit_one_section() {
        let rows = longest_rows(ACK_WAITING_SHOWN + 5);
        for l in [Locale::En, Locale::Ja] {
            let id = crate::trouble::model::TroubleId::new("20261130-999");
            for text in [
                dm_not_read(l, &rows, true),
                dm_not_read(l, &rows, false),
                your_troubles_to_type_in(l, &rows),
                answered_in_list(l, &id, "Acknowledged.", &rows),
                name_the_trouble_to_ack(l, &rows).text,
            ] {
                let chars = text.chars().count();
                assert!(
                    chars <= crate::slack::blocks::SECTION_TEXT_LIMIT,
                    "{l:?}: {chars} characters"
                );
                assert!(text.contains("20261130-1019`"), "{l:?}: the last line shown");
                assert!(text.ends_with("5 more") || text.ends_with("5件"), "{l:?}: {text}");
            }
        }
    }

    /// The start of a summary after the customer is user text: escaped, never a live mention,
    /// broadcast or link, and bounded once escaped.
    #[test]
    fn a_rows_summary_start_is_neutralised_and_bounded() {
        let part = summary_part("<!channel> <@U0BOSS> <https://evil.example|click> & co");
        assert_eq!(part.chars().filter(|c| *c == '<').count(), 0, "{part}");
        assert!(part.starts_with(" — ") && part.contains("&amp;"), "{part}");
        assert_eq!(summary_part("  "), "");
        let long = summary_part(&crate::trouble::model::summary_start(&"&".repeat(500)));
        assert!(
            long.chars().count() <= 3 + 2 * crate::trouble::model::SUMMARY_CHARS,
            "{long}"
        );
    }

    #[test]
    fn the_help_lists_what_answers_anywhere_before_what_needs_a_trouble_channel() {
        for (l, channel) in [
            (Locale::En, "*In a trouble's channel*"),
            (Locale::Ja, "*トラブルのチャンネルで*"),
        ] {
            let text = help(l);
            let heading = text.find(channel).expect("the channel heading");
            for anywhere in [
                "`/trouble list`",
                "`/trouble history",
                "`/trouble search",
                "`/trouble stats",
            ] {
                let at = text.find(anywhere).unwrap_or_else(|| panic!("{anywhere} in the help"));
                assert!(at < heading, "{l:?}: {anywhere} is listed under the channel heading");
            }
        }
    }

    #[test]
    fn a_person_named_in_japanese_is_followed_by_san_once() {
        assert_eq!(san(Locale::Ja, "<@U1ABC> が確認"), "<@U1ABC>さんが確認");
        assert_eq!(san(Locale::Ja, "<@U1ABC>さん"), "<@U1ABC>さん");
        // A word, not a particle, after the name keeps its space.
        assert_eq!(san(Locale::Ja, "<@U1ABC> お客様の合意"), "<@U1ABC>さん お客様の合意");
        assert_eq!(san(Locale::Ja, "<@U1ABC> からの依頼"), "<@U1ABC>さんからの依頼");
        assert_eq!(
            san(Locale::Ja, "<@U1ABC> またはその上位者"),
            "<@U1ABC>さんまたはその上位者"
        );
        // A particle follows unspaced; anything else keeps its space.
        assert_eq!(
            san(Locale::Ja, "<@U1ABC> から <@U2ABC> に"),
            "<@U1ABC>さんから <@U2ABC>さんに"
        );
        assert_eq!(san(Locale::Ja, "<@U1ABC> · 担当"), "<@U1ABC>さん · 担当");
        assert_eq!(
            san(Locale::Ja, "<!subteam^S1> <#C1> &lt;@U1&gt;"),
            "<!subteam^S1> <#C1> &lt;@U1&gt;"
        );
        assert_eq!(san(Locale::En, "<@U1ABC> done"), "<@U1ABC> done");
        assert_eq!(san(Locale::Ja, "<@W0SATO|sato>, <@"), "<@W0SATO|sato>さん, <@");
    }
}
