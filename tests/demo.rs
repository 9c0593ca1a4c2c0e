//! The demo (`cargo run --example demo`) plays its whole story in both locales: its script and narrator, run here.

#[path = "../examples/demo/narrator.rs"]
mod narrator;
#[path = "../examples/demo/story.rs"]
mod story;

use std::sync::{Arc, Mutex};

use trouble_bot::i18n::Locale;

/// Plays the demo in `locale`: whether it ran to the end, and what it printed.
async fn play(locale: Locale) -> (bool, String) {
    let printed = Arc::new(Mutex::new(String::new()));
    let sink = printed.clone();
    let finished = story::run(locale, Arc::new(move |text: &str| sink.lock().unwrap().push_str(text))).await;
    let text = printed.lock().unwrap().clone();
    (finished, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_plays_a_whole_trouble_on_virtual_time_with_the_escalation_and_the_history_in_both_locales() {
    for (locale, closed, director, since_opening) in [
        (Locale::En, "closed", "@suzuki", "after opening"),
        (Locale::Ja, "クローズ", "@鈴木さん", "起票から"),
    ] {
        let (finished, out) = play(locale).await;
        assert!(finished, "{locale:?}: the demo stopped early:\n{out}");
        let last = out.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        assert!(last.contains(closed), "{locale:?}: last line {last:?}");
        // The whole trouble was played: the first ping, the close, and the report it posted.
        for expected in ["DM", "/trouble open", "/trouble close", "📄", "📌"] {
            assert!(out.contains(expected), "{locale:?}: {expected:?} missing from:\n{out}");
        }
        let lines: Vec<&str> = out.lines().map(str::trim).collect();
        assert!(
            lines.iter().any(|l| l.starts_with('⏫') && l.contains(director)),
            "{locale:?}: the director is never brought in:\n{out}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with('📚') && l.contains("ACME")),
            "{locale:?}: the returning customer's history is never shown:\n{out}"
        );
        assert!(
            minutes_since_opening(&out, since_opening),
            "{locale:?}: no virtual time of a minute or more since opening:\n{out}"
        );
        assert!(
            !out.contains("\n? "),
            "{locale:?}: a call the fake does not know:\n{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_english_demo_tells_the_escalation_the_history_the_checklist_and_the_recap() {
    let (finished, out) = play(Locale::En).await;
    assert!(finished, "{out}");
    for needle in [
        "nobody has acknowledged this in",
        "Past troubles with ACME",
        "Running balance",
        "First call checklist",
        "told the customer",
        "Recap:",
        "manifest.yml",
        "demo finished",
    ] {
        assert!(out.contains(needle), "{needle:?} in the demo:\n{out}");
    }
    let escalated = out
        .lines()
        .any(|l| l.contains("nobody has acknowledged this in") && l.contains("@suzuki"));
    assert!(escalated, "the director is the one asked:\n{out}");
    // The story skips to the manager's deadline, 15 virtual minutes after the 09:30 open.
    let skipped = out
        .lines()
        .any(|l| l.trim_start().starts_with('⏩') && l.ends_with("09:45"));
    assert!(skipped, "no skip to the deadline:\n{out}");
    // People are named, never shown as raw ids, and the trouble channel has its name.
    assert!(!out.contains("<@U0"), "a raw mention:\n{out}");
    assert!(out.contains("invited to #trouble-"), "{out}");
}

/// Whether the output says a time since opening of at least a minute ("1h30m after opening",
/// 「起票から15分」): the demo's clock ran, not the wall clock of a second-long run.
fn minutes_since_opening(out: &str, marker: &str) -> bool {
    let is_minutes = |d: &str| {
        d.starts_with(|c: char| c.is_ascii_digit()) && ["m", "h", "d", "分", "時間", "日"].iter().any(|u| d.contains(u))
    };
    out.split(marker).enumerate().any(|(i, piece)| {
        if marker.starts_with('起') {
            // 「起票から15分」: the duration follows.
            i > 0 && is_minutes(piece.split(['・', ' ', '）', '。', ')']).next().unwrap_or_default())
        } else {
            // "1h30m after opening": the duration precedes.
            is_minutes(piece.trim_end().rsplit([' ', '(']).next().unwrap_or_default())
        }
    })
}
