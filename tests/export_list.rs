//! `trouble-bot export-list`: a period's troubles as CSV for a spreadsheet (the quarterly review),
//! run as the built binary on a stopped bot's store: RFC 4180 with a BOM and CRLF, one row per
//! trouble with its figures, typed text inert (no formula, no control, no bidi override), and a
//! trouble whose record does not read listed all the same.

mod common;

use std::process::Output;
use std::time::Duration;

use common::*;

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The records of an RFC 4180 file (after its BOM), each a list of fields; panics on anything
/// RFC 4180 does not allow: a record not ended by CRLF, a bare CR or LF, a quote inside an
/// unquoted field, a quoted field not closed.
fn records(csv: &str) -> Vec<Vec<String>> {
    let body = csv
        .strip_prefix('\u{FEFF}')
        .expect("starts with a UTF-8 byte order mark");
    assert!(body.ends_with("\r\n"), "the last record ends with CRLF");
    let mut out = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = body.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                loop {
                    match chars.next().expect("a quoted field is closed") {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        c => field.push(c),
                    }
                }
                assert!(
                    matches!(chars.peek(), Some(',' | '\r')),
                    "a quoted field ends at a comma or the record's end: {field:?}"
                );
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR only before LF");
                record.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            c => {
                assert!(
                    c != '\n' && c != '"',
                    "no bare LF or quote in an unquoted field: {field:?}"
                );
                field.push(c);
                at_field_start = false;
            }
        }
    }
    out
}

/// The field under heading `name` of `row`.
fn cell<'a>(head: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = head
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {head:?}"));
    &row[i]
}

fn row_of<'a>(rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row for {id}: {rows:?}"))
}

/// Typed as a customer and a summary: a formula, a DDE payload, a broadcast, a bidi override,
/// an escape sequence, quotes, commas and a line break.
const HOSTILE_CUSTOMER: &str = "=SUM(A1,A2)&amp;HYPERLINK(\"evil.example\")";
const HOSTILE_SUMMARY: &str =
    "@cmd|' /C calc'!A0 \"lid\", cracked <!channel> \u{202E}gnp.exe\u{1b}[31m red\nsecond line";

#[tokio::test]
async fn a_period_s_troubles_come_as_one_csv_row_each_with_their_figures_and_typed_text_inert() {
    let mut bot = spawn_bot().await;
    // Monday 2026-11-30 10:00 in Tokyo. A settle moves the clock on while calls are delivered
    // (further on a busy machine): the figures are read against the clock the commands met.
    let opened = bot.clock.now();
    let hostile = bot
        .open_ready(&format!("sev1 {HOSTILE_CUSTOMER}: {HOSTILE_SUMMARY}"))
        .await;
    bot.advance_and_settle(Duration::from_secs(4 * 60)).await;
    let acknowledged = bot.clock.now();
    bot.command_text(MANAGER, &hostile.channel, "ack").await;
    bot.advance_and_settle(Duration::from_secs(6 * 60)).await;
    let contacted = bot.clock.now();
    bot.command_text(
        SALES,
        &hostile.channel,
        "update told them the cause is being checked next: 2h",
    )
    .await;
    bot.command_text(SALES, &hostile.channel, "cost ¥120,000 ours replacement shipping")
        .await;
    bot.command_text(SALES, &hostile.channel, "cost $10.50 customer inspection")
        .await;
    bot.command_text(SALES, &hostile.channel, "split 70/30 our mold").await;
    bot.command_text(
        SALES,
        &hostile.channel,
        "action prevent -1 check at incoming inspection owner:<@U0SALES>",
    )
    .await;
    bot.advance_and_settle(Duration::from_secs(5 * 60)).await;
    let closed = bot.clock.now();
    bot.command_text(MANAGER, &hostile.channel, "close force settled with the customer")
        .await;
    // Typed markers a spreadsheet must find as typed: mrkdwn's full-width twins are for Slack.
    let plain = bot
        .open_ready("sev3 _Initech_: label `HX-300` misprint, ~200 pcs, see *lot 42*, part 12-345*")
        .await;
    // Three days later: outside a period ending on 2 December.
    bot.advance_and_settle(Duration::from_secs(3 * 24 * 3600)).await;
    let later = bot.open_ready("Globex: late delivery").await;

    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    let (_en_dir, en) = config_file("en");
    let out = run_cli(
        &en,
        &data_dir,
        &["export-list", "--since", "2026-11-30", "--until", "2026-12-02"],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let csv = String::from_utf8(out.stdout.clone()).expect("UTF-8");
    for acting in ['\u{202E}', '\u{1b}'] {
        assert!(!csv.contains(acting), "{acting:?} in {csv:?}");
    }
    let all = records(&csv);
    let (head, rows) = all.split_first().unwrap();
    assert_eq!(head[0], "id");
    assert!(rows.iter().all(|r| r.len() == head.len()), "{all:?}");
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [hostile.id.as_str(), plain.id.as_str()],
        "the period's troubles, oldest first"
    );

    let h = row_of(rows, &hostile.id);
    let c = |name| cell(head, h, name);
    // Made text: a spreadsheet shows the characters, never evaluates them.
    assert_eq!(c("customer"), "'=SUM(A1,A2)&HYPERLINK(\"evil.example\")");
    assert_eq!(
        c("summary"),
        "'@cmd|' /C calc'!A0 \"lid\", cracked @channel gnp.exe red second line"
    );
    assert_eq!(c("opened (Asia/Tokyo)"), "2026-11-30 10:00");
    assert_eq!(c("severity"), "1");
    assert_eq!(c("owner"), SALES);
    assert_eq!(c("manager"), MANAGER);
    assert_eq!(c("state"), "closed by force");
    let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    assert_eq!(
        c("closed (Asia/Tokyo)"),
        closed.with_timezone(&tokyo).format("%Y-%m-%d %H:%M").to_string()
    );
    assert!(c("closed (Asia/Tokyo)").starts_with("2026-11-30 10:1"), "{h:?}");
    let minutes =
        |since: chrono::DateTime<chrono::Utc>| format!("{:.1}", (since - opened).num_milliseconds() as f64 / 60_000.0);
    assert_eq!(c("minutes to acknowledgement"), minutes(acknowledged));
    assert_eq!(c("minutes to first customer contact"), minutes(contacted));
    // The split applied to every cost, as stats and history count our share.
    assert_eq!(c("our share JPY"), "84000");
    assert_eq!(c("our share USD"), "7.35");
    assert_eq!(c("awaiting approval"), "yes");
    assert_eq!(c("total costs JPY"), "120000");
    assert_eq!(c("total costs USD"), "10.50");
    assert_eq!(c("total costs EUR"), "");
    assert_eq!(c("prevention measures"), "1");
    assert_eq!(c("measures open"), "1");
    assert_eq!(c("times reopened"), "0");
    assert!(c("channel").starts_with("#trouble-20261130-"), "{h:?}");
    assert_eq!(c("channel id"), hostile.channel);

    let p = row_of(rows, &plain.id);
    assert_eq!(cell(head, p, "customer"), "_Initech_");
    assert_eq!(
        cell(head, p, "summary"),
        "label `HX-300` misprint, ~200 pcs, see *lot 42*, part 12-345*"
    );
    assert_eq!(cell(head, p, "state"), "open");
    assert_eq!(cell(head, p, "minutes to acknowledgement"), "");
    assert_eq!(cell(head, p, "closed (Asia/Tokyo)"), "");
    assert_eq!(cell(head, p, "our share JPY"), "");

    // Without --until, up to the last trouble; a day alone names its troubles.
    let out = run_cli(&en, &data_dir, &["export-list", "--since", "2026-12-03"]);
    assert!(out.status.success(), "{}", describe(&out));
    let rows = records(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], later.id);
    let out = run_cli(&en, &data_dir, &["export-list"]);
    assert_eq!(records(&String::from_utf8(out.stdout).unwrap()).len(), 4);

    // Headings and words in the configured language; the text as it was typed.
    let (_ja_dir, ja) = config_file("ja");
    let out = run_cli(&ja, &data_dir, &["export-list", "--until", "2026-11-30"]);
    assert!(out.status.success(), "{}", describe(&out));
    let all = records(&String::from_utf8(out.stdout).unwrap());
    let (head, rows) = all.split_first().unwrap();
    assert_eq!(rows.len(), 2);
    let h = row_of(rows, &hostile.id);
    assert_eq!(cell(head, h, "発生日時 (Asia/Tokyo)"), "2026-11-30 10:00");
    assert_eq!(cell(head, h, "状態"), "強制クローズ");
    assert_eq!(cell(head, h, "当社負担 JPY"), "84000");
}

#[tokio::test]
async fn a_trouble_whose_record_does_not_read_is_listed_from_the_index_and_the_export_exits_3() {
    let mut bot = spawn_bot().await;
    let readable = bot.open_ready("ACME: housing cracked").await;
    let broken = bot.open_ready("アクメ: 筐体の割れ").await;
    let data_dir = bot.dir.path().to_path_buf();
    bot.stop().await;
    overwrite_trouble(&data_dir, &broken.id, UNREADABLE_BODY).await;

    let (_en_dir, en) = config_file("en");
    let out = run_cli(&en, &data_dir, &["export-list"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}: its record does not read", broken.id)),
        "{stderr}"
    );
    let all = records(&String::from_utf8(out.stdout).unwrap());
    let (head, rows) = all.split_first().unwrap();
    assert_eq!(rows.len(), 2, "{all:?}");
    assert_eq!(cell(head, row_of(rows, &readable.id), "state"), "open");
    let b = row_of(rows, &broken.id);
    assert_eq!(b.len(), head.len());
    assert_eq!(cell(head, b, "customer"), "アクメ");
    assert_eq!(cell(head, b, "state"), "record does not read (see verify)");
}

#[test]
fn a_period_that_ends_before_it_starts_is_a_usage_mistake() {
    let (_dir, en) = config_file("en");
    let data = tempfile::tempdir().unwrap();
    let out = run_cli(
        &en,
        data.path(),
        &["export-list", "--since", "2026-12-01", "--until", "2026-11-30"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--until is before --since"));
    assert!(out.stdout.is_empty());
    let out = run_cli(&en, data.path(), &["export-list", "--since", "30/11/2026"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
