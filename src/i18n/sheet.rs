//! `trouble-bot export-list`: the troubles of a period as CSV for a spreadsheet, headings in Japanese or English.
//!
//! RFC 4180 (every text field quoted, `"` doubled, CRLF after every record), UTF-8 with a byte
//! order mark: without it Japanese Excel reads the file as Shift_JIS and every Japanese customer
//! name turns to mojibake. What people typed is data: it is made plain and inert as `export`
//! makes it (no controls, escape sequences or bidi overrides; mentions and broadcasts as words),
//! on one line, and a cell that a spreadsheet would take for a formula is made text (OWASP's CSV
//! injection advice: a leading `'`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Locale;
use crate::slack::text::plain_line;
use crate::trouble::money::Currency;
use crate::trouble::sheet::SheetRow;
use crate::trouble::stats::StatsRow;

/// The currencies a cost can be written in, each with columns of its own (a column sums in a
/// spreadsheet only when it holds one currency).
const CURRENCIES: [Currency; 3] = [Currency::Jpy, Currency::Usd, Currency::Eur];

/// Fields per record: 14 before the amounts, two per currency, 9 after.
const COLUMNS: usize = 14 + 2 * CURRENCIES.len() + 9;

/// A currency's ISO code, as a heading names it.
fn code(c: Currency) -> &'static str {
    match c {
        Currency::Jpy => "JPY",
        Currency::Usd => "USD",
        Currency::Eur => "EUR",
    }
}

/// The byte order mark and the heading record.
pub fn csv_head(l: Locale, tz: Tz) -> String {
    let mut cells: Vec<String> = vec![
        tr!(l, "ID", "id").into(),
        tr!(l, format!("発生日時 ({tz})"), format!("opened ({tz})")),
        tr!(l, "顧客", "customer").into(),
        tr!(l, "概要", "summary").into(),
        tr!(l, "重大度", "severity").into(),
        tr!(l, "非公開", "private").into(),
        tr!(l, "担当", "owner").into(),
        tr!(l, "上司", "manager").into(),
        tr!(l, "状態", "state").into(),
        tr!(l, "完了した段階の数", "stages done").into(),
        tr!(l, "現在の段階", "current stage").into(),
        tr!(l, format!("クローズ日時 ({tz})"), format!("closed ({tz})")),
        tr!(l, "上司確認までの分数", "minutes to acknowledgement").into(),
        tr!(l, "初回顧客連絡までの分数", "minutes to first customer contact").into(),
    ];
    for c in CURRENCIES {
        cells.push(tr!(
            l,
            format!("当社負担 {}", code(c)),
            format!("our share {}", code(c))
        ));
    }
    for c in CURRENCIES {
        cells.push(tr!(
            l,
            format!("費用合計 {}", code(c)),
            format!("total costs {}", code(c))
        ));
    }
    cells.extend(
        [
            tr!(l, "承認待ちあり", "awaiting approval"),
            tr!(l, "再発防止策", "prevention measures"),
            tr!(l, "うち未完了", "measures open"),
            tr!(l, "効果あり", "measures effective"),
            tr!(l, "効果なし", "measures not effective"),
            tr!(l, "再オープン回数", "times reopened"),
            tr!(l, "部品・ロットが共通のトラブル", "shares part or lot with"),
            tr!(l, "チャンネル", "channel"),
            tr!(l, "チャンネルID", "channel id"),
        ]
        .map(String::from),
    );
    let fields: Vec<String> = cells.iter().map(|c| quoted(c)).collect();
    format!("\u{FEFF}{}\r\n", fields.join(","))
}

/// One trouble's record.
pub fn csv_row(l: Locale, tz: Tz, r: &SheetRow) -> String {
    let yes = |b: bool| {
        if b {
            tr!(l, "はい", "yes")
        } else {
            tr!(l, "いいえ", "no")
        }
    };
    let state = match (r.closed_at, r.forced) {
        (None, _) => tr!(l, "対応中", "open"),
        (Some(_), false) => tr!(l, "クローズ", "closed"),
        (Some(_), true) => tr!(l, "強制クローズ", "closed by force"),
    };
    let mut fields = vec![
        text(r.id.as_str()),
        local(tz, r.opened_at),
        text(&r.customer),
        text(&r.summary),
        r.severity.level().to_string(),
        r.private.map(|p| quoted(yes(p))).unwrap_or_default(),
        text(&r.owner),
        r.manager.as_deref().map(text).unwrap_or_default(),
        quoted(state),
        r.stages_done.to_string(),
        r.current_stage.map(|n| n.to_string()).unwrap_or_default(),
        r.closed_at.map(|at| local(tz, at)).unwrap_or_default(),
        r.to_ack_ms.map(minutes).unwrap_or_default(),
        r.to_first_contact_ms.map(minutes).unwrap_or_default(),
    ];
    for c in CURRENCIES {
        fields.push(r.ours.get(&c).map(|m| amount(c, *m)).unwrap_or_default());
    }
    for c in CURRENCIES {
        fields.push(r.total.get(&c).map(|m| amount(c, *m)).unwrap_or_default());
    }
    let ids: Vec<&str> = r.recurrence_of.iter().map(|id| id.as_str()).collect();
    fields.extend([
        quoted(yes(r.awaiting)),
        r.measures.to_string(),
        r.measures_open.to_string(),
        r.measures_effective.to_string(),
        r.measures_not_effective.to_string(),
        r.reopened.to_string(),
        text(&ids.join(" ")),
        r.channel_name
            .as_deref()
            .map(|n| text(&format!("#{n}")))
            .unwrap_or_default(),
        r.channel.as_ref().map(|c| text(c.as_str())).unwrap_or_default(),
    ]);
    fields.join(",") + "\r\n"
}

/// The record of a trouble whose record does not read: what the index still knows of it
/// (`known`), and a state saying so, so the spreadsheet never leaves it out unseen.
pub fn csv_unreadable_row(l: Locale, tz: Tz, id: &str, known: Option<&StatsRow>) -> String {
    let mut fields = vec![
        text(id),
        known.map(|r| local(tz, r.opened_at)).unwrap_or_default(),
        known.map(|r| text(&r.customer)).unwrap_or_default(),
        String::new(),
        known.map(|r| r.severity.level().to_string()).unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        quoted(tr!(
            l,
            "記録が読めません（verifyを参照）",
            "record does not read (see verify)"
        )),
    ];
    // The rest empty: as many fields as the heading has, as RFC 4180 asks.
    fields.resize(COLUMNS, String::new());
    fields.join(",") + "\r\n"
}

/// User text as an inert, quoted field: plain (mentions and broadcasts as words, entities
/// decoded, characters as typed), on one line, without controls or bidi overrides, and never
/// a formula.
fn text(raw: &str) -> String {
    quoted(&not_a_formula(plain_line(raw)))
}

/// A leading `'` before what a spreadsheet would evaluate: `=`, `+`, `-`, `@`, tab and CR (OWASP),
/// and their full-width forms, which Japanese Excel takes as the ASCII ones.
fn not_a_formula(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => format!("'{cell}"),
        _ => cell,
    }
}

/// An RFC 4180 quoted field.
fn quoted(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

/// A date and time in the configured time zone, in the form spreadsheets read as one.
fn local(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// Milliseconds as minutes with one decimal: a number that sorts.
fn minutes(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 60_000.0)
}

/// Minor units as a plain decimal number (no symbol, no grouping: a spreadsheet sums it).
fn amount(c: Currency, minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    match c.decimals() {
        0 => format!("{sign}{abs}"),
        d => {
            let scale = 10u64.pow(d);
            format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = d as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_quotes_are_doubled() {
        assert_eq!(
            text("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for raw in ["+1", "-1+2", "@SUM(A1)", "＝1+1", "<!channel> now"] {
            assert!(text(raw).starts_with("\"'"), "{raw} -> {}", text(raw));
        }
        assert_eq!(text("ACME, Inc."), "\"ACME, Inc.\"");
        assert_eq!(text("a &lt;b&gt; &amp; c"), "\"a <b> & c\"");
        assert_eq!(text("two\nlines\u{202E}\u{1b}[31m"), "\"two lines\"");
    }

    #[test]
    fn every_record_has_as_many_fields_as_the_heading() {
        let head = csv_head(Locale::Ja, chrono_tz::Asia::Tokyo);
        assert_eq!(head.matches(',').count() + 1, COLUMNS);
        let row = csv_unreadable_row(Locale::En, chrono_tz::UTC, "20261127-1", None);
        assert_eq!(row.matches(',').count() + 1, COLUMNS);
    }

    #[test]
    fn amounts_are_plain_numbers_in_their_currency() {
        assert_eq!(amount(Currency::Jpy, 1_200_000), "1200000");
        assert_eq!(amount(Currency::Usd, 1_050), "10.50");
        assert_eq!(amount(Currency::Eur, -5), "-0.05");
        assert_eq!(minutes(252_000), "4.2");
    }
}
