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
    // Both locales at once: each run has its own fake Slack, bot and data directory.
    let (en, ja) = tokio::join!(play(Locale::En), play(Locale::Ja));
    for ((locale, closed, director, since_opening), (finished, out)) in [
        (Locale::En, "closed", "@suzuki", "after opening"),
        (Locale::Ja, "クローズ", "@鈴木さん", "起票から"),
    ]
    .into_iter()
    .zip([en, ja])
    {
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
        structured_commands_are_shown(locale, &out);
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

/// The story works the trouble with the commands the product is built around: facts, the
/// returned goods, scope lines, the cause, owned actions done and verified, the customer's
/// agreement to approved proposals, and the 8D report for the customer.
fn structured_commands_are_shown(locale: Locale, out: &str) {
    let ja = locale == Locale::Ja;
    let pick = |ja_text: &'static str, en_text: &'static str| if ja { ja_text } else { en_text };
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    let has_line = |start: &str, inside: &str| lines.iter().any(|l| l.starts_with(start) && l.contains(inside));
    // Each structured command typed, and the line the bot says in the channel about it.
    for (typed, said) in [
        (
            "/trouble fact part HX-200",
            pick(
                "🔎 事実を記録（@佐藤さん） — 品番: HX-200",
                "🔎 Fact recorded by @sato — Part: HX-200",
            ),
        ),
        (
            "/trouble fact lot L42",
            pick(
                "🔎 事実を記録（@佐藤さん） — ロット: L42",
                "🔎 Fact recorded by @sato — Lot: L42",
            ),
        ),
        (
            "/trouble fact qty 120",
            pick(
                "🔎 事実を記録（@佐藤さん） — 数量: 120",
                "🔎 Fact recorded by @sato — Quantity: 120",
            ),
        ),
        (
            "/trouble return requested qty 120",
            pick(
                "📦 現品回収（@佐藤さん）: 回収依頼済み · 数量 120",
                "📦 Returned goods recorded by @sato: requested · qty 120",
            ),
        ),
        // The quantity given at the request is kept when the goods arrive.
        (
            "/trouble return received",
            pick(
                "📦 現品回収（@山田さん）: 現品を受領 · 数量 120",
                "📦 Returned goods recorded by @yamada: received · qty 120",
            ),
        ),
        (
            "/trouble scope ",
            pick(
                "🗺️ 波及範囲 #1（未確認）を追加（@山田さん）",
                "🗺️ Scope line #1 added by @yamada (unchecked)",
            ),
        ),
        (
            "/trouble scope check 1",
            pick(
                "🗺️ 波及範囲 #1 を確認済みにしました（@山田さん）",
                "🗺️ Scope line #1 checked by @yamada",
            ),
        ),
        (
            "/trouble cause ",
            pick(
                "流出原因: 抜き取り検査で見逃し",
                "Why it was not caught: sampling inspection missed it",
            ),
        ),
        (
            "/trouble action interim ",
            pick(
                "🛠️ 対策を追加（@山田さん） #1 暫定対策",
                "🛠️ Action added by @yamada #1 interim",
            ),
        ),
        ("/trouble action done 1", pick("☑️ 対策 #1 完了", "☑️ Action #1 done")),
        (
            "/trouble action verify 1",
            pick("✅ 対策 #1 を検証しました", "✅ Action #1 verified"),
        ),
        (
            "/trouble agreed 1",
            pick(
                "🤝 提案 #1 にお客様が合意しました",
                "🤝 The customer accepted proposal #1",
            ),
        ),
        (
            "/trouble agreed 2",
            pick(
                "🤝 提案 #2 にお客様が合意しました",
                "🤝 The customer accepted proposal #2",
            ),
        ),
        ("/trouble report 8d", pick("8D報告書 2", "8D report 2")),
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(typed)),
            "{locale:?}: {typed:?} is never typed:\n{out}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with(said)),
            "{locale:?}: the bot never says {said:?}:\n{out}"
        );
    }
    // The interim action is marked done by its owner and verified by Quality, not by whoever added it.
    let typed_by = |who: &str, command: &str| {
        out.lines()
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0].contains(&format!("{who} {}", pick("が入力", "types"))) && w[1].trim().starts_with(command))
    };
    assert!(
        typed_by(pick("@加藤", "@kato"), "/trouble action done 1"),
        "{locale:?}: the action's owner marks it done:\n{out}"
    );
    assert!(
        typed_by(pick("@山田", "@yamada"), "/trouble action verify 1"),
        "{locale:?}: Quality verifies it:\n{out}"
    );
    assert!(
        typed_by(pick("@佐藤", "@sato"), "/trouble agreed 1"),
        "{locale:?}: the owner records the agreement:\n{out}"
    );
    assert!(
        has_line(
            "•",
            pick("提案 #2 お客様と合意済み", "proposal #2 agreed with the customer")
        ),
        "{locale:?}: the status never shows the cost agreed with the customer:\n{out}"
    );

    // The report posted at the close (the earlier trouble's comes first, with "(none)") has its
    // 8D section filled: facts, returned goods, scope, cause, actions.
    let section = message_part(
        out,
        pick("事実・原因・対策（8D）", "Facts, cause and actions (8D)"),
        true,
    );
    for needle in [
        pick("品番: HX-200", "Part: HX-200"),
        pick("現品回収: 現品を受領 · 数量 120", "Returned goods: received · qty 120"),
        pick("（確認済み）", "(checked)"),
        pick("発生原因: 金型温度のドリフト", "Cause: mold temperature drift"),
        pick(
            "流出原因: 抜き取り検査で見逃し",
            "Why not caught: sampling inspection missed it",
        ),
        pick("#1 暫定対策", "#1 interim"),
    ] {
        assert!(
            section.contains(needle),
            "{locale:?}: {needle:?} not in the report's 8D section:\n{section}"
        );
    }
    assert!(
        !section.contains(pick("（なし）", "(none)")),
        "{locale:?}: empty 8D section:\n{section}"
    );

    // The 8D for the customer is posted in the channel (not only to the rep), after the close, and
    // each of its sections the story fills is filled, with nothing internal in it.
    let eightd = message_part(out, pick("8D報告書 2", "8D report 2"), false);
    for needle in [
        pick(
            "D2 問題の記述\n- 品番: HX-200",
            "D2 Problem description\n- Part: HX-200",
        ),
        pick(
            "D3 暫定対策\n- 倉庫在庫を全数選別 · 担当 加藤 · ",
            "D3 Interim containment actions\n- sort the warehouse stock · owner kato · done ",
        ),
        // Its verification, with the evidence Quality gave: D3 is where the 8D shows it.
        pick(
            "が検証 — 選別品50個を再検査、割れなし\n",
            " by yamada — 50 sorted pcs re-inspected, no cracks\n",
        ),
        pick(
            "- 流出原因: 抜き取り検査で見逃し",
            "- Escape point: sampling inspection missed it",
        ),
        pick(
            "D5 恒久対策\n- 成形機に金型温度アラームを設置",
            "D5 Permanent corrective actions\n- mold temperature alarm",
        ),
        pick("効果確認予定 ", "effectiveness check "),
        pick("D8 完了\n- ", "D8 Closure\n- Closed "),
    ] {
        assert!(
            eightd.contains(needle),
            "{locale:?}: {needle:?} not in the 8D:\n{eightd}"
        );
    }
    for internal in ["70%", "¥", pick("提案", "proposal")] {
        assert!(
            !eightd.contains(internal),
            "{locale:?}: {internal:?} in the customer's 8D:\n{eightd}"
        );
    }
    let header = out
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].starts_with(pick("8D報告書 2", "8D report 2")))
        .map(|w| w[0].to_string())
        .unwrap_or_default();
    assert!(
        header.ends_with("· trouble-bot") && header.contains("#trouble-"),
        "{locale:?}: the 8D is not posted in the trouble's channel: {header:?}"
    );
    let typed_at = |command: &str| lines.iter().rposition(|l| *l == command);
    assert!(
        typed_at("/trouble report 8d") > typed_at("/trouble close"),
        "{locale:?}: the 8D is not asked for after the close:\n{out}"
    );
}

/// The output from the last line starting with `start` to the end of that message (the next
/// `[MM/DD HH:MM]` header or narration line) or, with `paragraph`, to the next blank line;
/// trimmed line by line. Empty when no line starts with `start`.
fn message_part(out: &str, start: &str, paragraph: bool) -> String {
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    let Some(from) = lines.iter().rposition(|l| l.starts_with(start)) else {
        return String::new();
    };
    let end = lines[from + 1..]
        .iter()
        .position(|l| l.starts_with('[') || l.starts_with('▶') || (paragraph && l.is_empty()))
        .map_or(lines.len(), |n| from + 1 + n);
    lines[from..end].join("\n")
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
