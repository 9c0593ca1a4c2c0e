//! A long numbered list in one message (the status's actions, scope lines, costs): over as
//! many sections as it needs, and what it leaves out counted and numbered, never dropped.

use super::{san, Locale};
use crate::slack::blocks::{cut, section, Block, SECTION_TEXT_LIMIT};

/// One line of a list: its number as commands name it (`/trouble action done 3`), and what a
/// long list does with it.
pub struct Item {
    pub n: usize,
    pub line: String,
    pub weight: Weight,
}

/// What a long list does with a line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Shown before any other, when not all can be (a prevention measure).
    First,
    /// Shown while there is room (an open action, a scope line to check).
    Shown,
    /// Folded into a count (an interim action done, a scope line checked).
    Folded,
}

/// How a long list is shortened: the most lines it shows, and what its folded lines are
/// (`done or cancelled`), when it folds any.
pub struct Long<'a> {
    pub max: usize,
    pub folds: Option<&'a str>,
}

/// `heading` and `items`, one line each, as the status shows a list.
///
/// While it fits one section (its Japanese さん counted), it is one section, as it always was.
/// Longer, the folded lines become one line that counts and numbers them; at most `long.max`
/// lines are shown, in their order (the [`Weight::First`] ones, then the others oldest first:
/// an open action that waits longest), the rest counted and numbered likewise; and the lines go
/// over as many sections as they need, each within Slack's limit, a line never split. What the
/// message as a whole holds is the render's to fit (it shortens what people typed), and it
/// sees every line here, none cut off before it.
pub fn sections(l: Locale, heading: &str, items: Vec<Item>, long: Long) -> Vec<Block> {
    let size = |text: &str| san(l, text).chars().count();
    let whole = items.iter().fold(size(heading), |n, i| n + 1 + size(&i.line));
    if whole <= SECTION_TEXT_LIMIT {
        let lines: Vec<&str> = std::iter::once(heading)
            .chain(items.iter().map(|i| i.line.as_str()))
            .collect();
        return vec![section(&lines.join("\n"))];
    }
    let (folded, kept): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .partition(|i| long.folds.is_some() && i.weight == Weight::Folded);
    let firsts = kept.iter().filter(|i| i.weight == Weight::First).count();
    let (mut room_first, mut room_other) = (long.max, long.max.saturating_sub(firsts));
    let (shown, hidden): (Vec<Item>, Vec<Item>) = kept.into_iter().partition(|i| {
        let room = match i.weight {
            Weight::First => &mut room_first,
            _ => &mut room_other,
        };
        let show = *room > 0;
        *room = room.saturating_sub(1);
        show
    });
    let hidden: Vec<usize> = hidden.iter().map(|i| i.n).collect();
    let mut lines: Vec<String> = shown.into_iter().map(|i| i.line).collect();
    if let (Some(what), false) = (long.folds, folded.is_empty()) {
        let ns: Vec<usize> = folded.iter().map(|i| i.n).collect();
        let (n, which) = (ns.len(), ranges(&ns));
        lines.push(tr!(
            l,
            format!("☑️ ほかに{what} {n}件: {which}"),
            format!("☑️ {n} more {what}: {which}")
        ));
    }
    if !hidden.is_empty() {
        let (n, which) = (hidden.len(), ranges(&hidden));
        lines.push(tr!(
            l,
            format!("…ほか {n}件: {which}"),
            format!("…and {n} more: {which}")
        ));
    }
    lines.push(
        tr!(
            l,
            "（全件は `/trouble report` で確認できます）",
            "(`/trouble report` lists every one)"
        )
        .to_string(),
    );
    let mut out = Vec::new();
    let mut current = heading.to_string();
    let mut used = size(heading);
    for line in lines {
        let n = size(&line);
        if used + 1 + n > SECTION_TEXT_LIMIT {
            out.push(section(&current));
            (current, used) = (line, n);
        } else {
            current.push('\n');
            current.push_str(&line);
            used += 1 + n;
        }
    }
    out.push(section(&current));
    out
}

/// Numbers as ranges, `#1–#8, #10, #12–#13`, kept short enough for a phone.
fn ranges(ns: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ns.len() {
        let mut j = i;
        while j + 1 < ns.len() && ns[j + 1] == ns[j] + 1 {
            j += 1;
        }
        parts.push(match j > i {
            true => format!("#{}–#{}", ns[i], ns[j]),
            false => format!("#{}", ns[i]),
        });
        i = j + 1;
    }
    cut(&parts.join(", "), 300)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::blocks::Block;

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Section { text, .. } => text.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    fn items(n: usize, len: usize, weight: impl Fn(usize) -> Weight) -> Vec<Item> {
        (1..=n)
            .map(|n| Item {
                n,
                line: format!("• #{n} {} <@U0QA1>", "x".repeat(len)),
                weight: weight(n),
            })
            .collect()
    }

    fn folded_if(yes: bool) -> Weight {
        match yes {
            true => Weight::Folded,
            false => Weight::Shown,
        }
    }

    const LONG: Long = Long {
        max: 25,
        folds: Some("done"),
    };

    #[test]
    fn a_list_that_fits_one_section_is_one_section_as_it_was() {
        let blocks = sections(Locale::En, "*Actions*", items(3, 20, |n| folded_if(n == 1)), LONG);
        assert_eq!(
            texts(&blocks),
            vec![format!(
                "*Actions*\n{}",
                (1..=3)
                    .map(|n| format!("• #{n} {} <@U0QA1>", "x".repeat(20)))
                    .collect::<Vec<_>>()
                    .join("\n")
            )]
        );
    }

    /// さん after each mention is counted: a list that fits in English but not with さん is
    /// split, every section within Slack's limit once さん is added.
    #[test]
    fn each_section_fits_with_its_japanese_san_and_no_open_line_is_lost() {
        for l in [Locale::En, Locale::Ja] {
            let list = items(40, 180, |n| folded_if(n % 2 == 1));
            let blocks = sections(l, "*対策*", list, LONG);
            let all = texts(&blocks);
            for text in &all {
                assert!(
                    san(l, text).chars().count() <= SECTION_TEXT_LIMIT,
                    "{l:?}: {}",
                    text.len()
                );
                assert!(!text.ends_with('…'), "a line is never cut off");
            }
            let joined = all.join("\n");
            for n in (2..=40).step_by(2) {
                assert!(joined.contains(&format!("• #{n} ")), "open #{n} kept");
            }
            let folded = tr!(l, "ほかにdone 20件: #1, #3", "20 more done: #1, #3");
            assert!(joined.contains(folded), "{joined}");
            assert!(joined.contains("/trouble report"), "{joined}");
        }
    }

    #[test]
    fn past_the_most_it_shows_the_rest_is_counted_and_numbered() {
        let blocks = sections(
            Locale::En,
            "*Scope*",
            items(30, 150, |_| Weight::Shown),
            Long { max: 20, folds: None },
        );
        let joined = texts(&blocks).join("\n");
        assert!(joined.contains("• #20 ") && !joined.contains("• #21 "), "{joined}");
        assert!(joined.contains("…and 10 more: #21–#30"), "{joined}");
    }

    /// The lines shown first (prevention measures) are shown however many others wait, and
    /// the others fill the room left, oldest first, all in their order.
    #[test]
    fn the_lines_shown_first_are_never_the_ones_left_out() {
        let weight = |n| match n {
            1..=10 => Weight::Folded,
            11..=40 => Weight::Shown,
            _ => Weight::First,
        };
        let blocks = sections(
            Locale::En,
            "*Actions*",
            items(52, 60, weight),
            Long {
                max: 30,
                folds: Some("done"),
            },
        );
        let joined = texts(&blocks).join("\n");
        let shown: Vec<usize> = (1..=52).filter(|n| joined.contains(&format!("• #{n} "))).collect();
        assert_eq!(shown, (11..=28).chain(41..=52).collect::<Vec<_>>(), "{joined}");
        assert!(joined.contains("☑️ 10 more done: #1–#10"), "{joined}");
        assert!(joined.contains("…and 12 more: #29–#40"), "{joined}");
    }

    #[test]
    fn numbers_read_as_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "#1–#3, #5, #7–#8");
        assert_eq!(ranges(&[4]), "#4");
    }
}
