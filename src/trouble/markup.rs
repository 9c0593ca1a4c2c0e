//! The form the model keeps user text in: as Slack sends it, with `&`, `<` and `>` escaped.
//!
//! Slack's own escaping is the one lossless form of what a person typed in Slack: a mention they
//! made arrives as `<@U…>`, the same characters typed as text arrive as `&lt;@U…&gt;`, and plain
//! text could not tell the two apart. So the model keeps Slack's form, posts it back as mrkdwn
//! (through `slack::text`'s neutraliser), and the core reads it as plain text through [`unescape`]
//! where it counts, folds, searches or parses it. Text the bot gets as plain text (a modal's
//! inputs) is brought to this form with [`escape`] when it enters.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Brings plain text to the model's form: only `&`, `<` and `>` are escaped (Slack's rule).
/// The quotes a phone or an input method puts around what is typed (`“lid”`, `「蓋」`): never
/// part of what is meant.
pub const QUOTES: &[char] = &['"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』'];

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Reads the model's form as plain text: undoes [`escape`].
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// One piece of the model's form, as [`pieces`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Typed text, an entity already read as its character (`&amp;` as `&`).
    Typed(&'a str),
    /// A `<…>` token's body (a mention, a broadcast, a link), without its brackets.
    Token(&'a str),
}

/// The model's form piece by piece, in order: the one reading of where its tokens are.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&']) {
        if i > 0 {
            out.push(Piece::Typed(&rest[..i]));
        }
        rest = &rest[i..];
        if rest.starts_with('&') {
            let (ch, len) = decode_entity(rest);
            out.push(Piece::Typed(ch));
            rest = &rest[len..];
            continue;
        }
        // A token runs to the next `>`, unless another `<` comes first; its target (before any
        // `|label`) is one word, as Slack writes them. Anything else is a typed `<`.
        let body = &rest[1..];
        match body.find(['<', '>']) {
            Some(j) if body.as_bytes()[j] == b'>' && is_target(&body[..j]) => {
                out.push(Piece::Token(&body[..j]));
                rest = &body[j + 1..];
            }
            _ => {
                out.push(Piece::Typed("<"));
                rest = body;
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Typed(rest));
    }
    out
}

/// The model's form as a person reads it, as plain text: entities decoded and each token as
/// its words (`<@U0QA1|sato>` as `@sato`, `<mailto:a@acme.co.jp|a@acme.co.jp>` as the
/// address). What a form shows for editing, and so what a form's answer is compared as.
pub fn readable(text: &str) -> String {
    pieces(text)
        .into_iter()
        .map(|p| match p {
            Piece::Typed(s) => s.to_string(),
            Piece::Token(body) => token_words(body),
        })
        .collect()
}

/// A strict user or channel mention (`@U…`/`@W…`, `#C…`, with at most a short label), as
/// Slack writes it without the label: the only token ever let through live.
pub fn strict_mention(body: &str) -> Option<String> {
    let (target, label) = split_token(body);
    let live = |id: &str, kinds: &[char]| strict_id(id, kinds) && strict_label(label);
    match (target.strip_prefix('@'), target.strip_prefix('#')) {
        (Some(id), _) if live(id, &['U', 'W']) => Some(format!("<@{id}>")),
        (_, Some(id)) if live(id, &['C']) => Some(format!("<#{id}>")),
        _ => None,
    }
}

/// One `<…>` token's body as the plain words it reads as: a mention as `@name` (or the id),
/// a broadcast, a user group or a date as its words, never as the thing itself, and a link
/// as its address, so a label cannot hide where it goes.
pub fn token_words(body: &str) -> String {
    let (target, label) = split_token(body);
    let label_text = label.map(unescape).filter(|l| !l.trim().is_empty());
    if strict_mention(body).is_some() {
        let (sigil, id) = target.split_at(1);
        return format!("{sigil}{}", label_text.unwrap_or_else(|| id.to_string()));
    }
    if let Some(special) = target.strip_prefix('!') {
        return match (special.split_once('^'), label_text) {
            (_, Some(l)) if special.starts_with("date") => l,
            (Some(("subteam", id)), Some(l)) => format!("{l} ({id})"),
            (Some(("subteam", id)), None) => format!("@{id}"),
            (_, Some(l)) => l,
            _ => format!("@{}", unescape(special)),
        };
    }
    let target = unescape(target);
    match label_text {
        // Slack's form of a typed address (`<mailto:a@b|a@b>`): the label is the address.
        Some(l) if l != target && target.strip_prefix("mailto:") != Some(l.as_str()) => {
            format!("{l} ({target})")
        }
        Some(l) if l != target => l,
        _ => target,
    }
}

fn split_token(body: &str) -> (&str, Option<&str>) {
    match body.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (body, None),
    }
}

/// `U…`/`W…` (users) or `C…` (channels): 2-20 more upper-case letters or digits.
fn strict_id(id: &str, kinds: &[char]) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| kinds.contains(&c))
        && (3..=21).contains(&id.len())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// An optional label: up to 80 characters, none of `<`, `>`, `|`.
fn strict_label(label: Option<&str>) -> bool {
    label.is_none_or(|l| l.chars().count() <= 80 && !l.contains(['<', '>', '|']))
}

fn is_target(body: &str) -> bool {
    let target = body.split('|').next().unwrap_or_default();
    !target.is_empty() && !target.contains(char::is_whitespace)
}

/// `&amp;`, `&lt;`, `&gt;` (Slack's only entities) as the character and the length read; any
/// other `&` is itself.
fn decode_entity(text: &str) -> (&'static str, usize) {
    for (entity, ch) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")] {
        if text.starts_with(entity) {
            return (ch, entity.len());
        }
    }
    ("&", 1)
}

/// A character that moves the cursor, breaks a line or reorders text rather than being read:
/// what an export, a log line or `verify` must never print raw (newline and tab aside).
pub fn acts_on_display(c: char) -> bool {
    is_hidden(c) || matches!(c, '\r' | '\u{0B}' | '\u{0C}' | '\u{2028}' | '\u{2029}')
}

/// Characters never shown from user text: controls and bidi formatting.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{00}'..='\u{08}' | '\u{0E}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The longest start of `text` (the model's form, or mrkdwn) of at most `max` characters that
/// ends where a reader sees a break: never inside an entity (`&am`) or a `<…>` token (`<@U12`),
/// which would show as raw syntax, nor inside what reads as one character (a letter and its
/// combining marks, `が` typed as `か` + `゙`; an emoji and its variation selector or skin tone;
/// emoji joined by a zero-width joiner; a flag's two letters), which would show another
/// character, a different emoji or a stray joiner. A cluster longer than [`LONGEST_CLUSTER`]
/// (marks stacked by the hundred) is cut anyway rather than dropped whole.
pub fn start_within(text: &str, max: usize) -> &str {
    let Some((mut end, _)) = text.char_indices().nth(max) else {
        return text;
    };
    // Backing off a token can land inside a cluster, and off a cluster inside a token: both,
    // until neither moves the end.
    loop {
        let before = end;
        end = cluster_start(text, end);
        end = token_start(&text[..end]);
        if end == before {
            return &text[..end];
        }
    }
}

/// `end`, or where the cluster it falls in starts (`end` itself past [`LONGEST_CLUSTER`]).
fn cluster_start(text: &str, end: usize) -> usize {
    let mut at = end;
    for _ in 0..=LONGEST_CLUSTER {
        if at == 0 || !joins(&text[..at], &text[at..]) {
            return at;
        }
        at = text[..at].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    end
}

/// The length of `s` without an entity or `<…>` token it ends inside of.
fn token_start(mut s: &str) -> usize {
    while let Some(i) = s.rfind(['&', '<']) {
        let tail = &s[i..];
        let open = match tail.starts_with('&') {
            true => !tail.contains(';'),
            false => !tail.contains('>'),
        };
        if !open {
            break;
        }
        s = &s[..i];
    }
    s.len()
}

/// How many characters a cut backs off at most to keep one cluster whole.
pub const LONGEST_CLUSTER: usize = 16;

/// Whether `before` and `after` meet inside what reads as one character.
fn joins(before: &str, after: &str) -> bool {
    let (Some(last), Some(next)) = (before.chars().next_back(), after.chars().next()) else {
        return false;
    };
    let regional = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
    next.general_category_group() == GeneralCategoryGroup::Mark
        || matches!(next, '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}')
        || last == '\u{200D}'
        // A flag is two regional indicators: cut after an odd count, the pair is split.
        || (regional(next) && before.chars().rev().take_while(|c| regional(*c)).count() % 2 == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cut_keeps_what_reads_as_one_character_whole() {
        // `が` typed as `か` + the combining voiced mark (macOS file names, some input methods).
        assert_eq!(start_within("ab\u{304B}\u{3099}c", 3), "ab");
        assert_eq!(start_within("cafe\u{301} noir", 4), "caf");
        // A family joined by ZWJ, a thumbs-up with its skin tone, a heart with its selector.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(start_within(&format!("ok {family}!"), 5), "ok ");
        assert_eq!(start_within("ok \u{1F44D}\u{1F3FD}", 4), "ok ");
        assert_eq!(start_within("ok \u{2764}\u{FE0F}", 4), "ok ");
        // Flags are pairs: the second flag is dropped whole, never half of it.
        assert_eq!(
            start_within("\u{1F1EF}\u{1F1F5}\u{1F1FA}\u{1F1F8}", 3),
            "\u{1F1EF}\u{1F1F5}"
        );
        assert_eq!(
            start_within("\u{1F1EF}\u{1F1F5}\u{1F1FA}\u{1F1F8}", 2),
            "\u{1F1EF}\u{1F1F5}"
        );
        // Entities and tokens, as before.
        assert_eq!(start_within("A&amp;B", 3), "A");
        assert_eq!(start_within("ask <@U0QA1> now", 8), "ask ");
        assert_eq!(start_within("short", 10), "short");
    }

    #[test]
    fn text_reads_with_each_token_as_its_words() {
        assert_eq!(
            readable("by <@U0QA1|sato>, to <mailto:a@acme.co.jp|a@acme.co.jp>, <https://x.example/p.jpg>"),
            "by @sato, to a@acme.co.jp, https://x.example/p.jpg"
        );
        assert_eq!(
            readable("<!channel> A &amp; B &lt;@U1&gt; <#C0GEN>"),
            "@channel A & B <@U1> #C0GEN"
        );
        assert_eq!(
            readable("<https://evil.example|https://good.example>"),
            "https://good.example (https://evil.example)"
        );
        assert_eq!(
            readable("<mailto:evil@x.example|boss@acme.co.jp>"),
            "boss@acme.co.jp (mailto:evil@x.example)"
        );
    }

    #[test]
    fn marks_stacked_past_any_cluster_are_cut_rather_than_dropped() {
        let zalgo = format!("a{}", "\u{0301}".repeat(100));
        assert_eq!(start_within(&zalgo, 50).chars().count(), 50);
    }

    proptest! {
        #[test]
        fn a_start_is_a_prefix_within_the_limit_that_never_ends_inside_a_cluster(
            text in "([a-z か が&<>;@U0-9]|\u{3099}|\u{301}|\u{200D}|\u{1F468}|\u{1F3FD}|\u{FE0F}|\u{1F1EF}|&amp;|<@U0QA1>)*",
            max in 0usize..40,
        ) {
            let s = start_within(&text, max);
            prop_assert!(text.starts_with(s));
            prop_assert!(s.chars().count() <= max);
            if s.len() < text.len() && !s.is_empty() {
                let rest = &text[s.len()..];
                let next = rest.chars().next().unwrap();
                prop_assert!(next.general_category_group() != GeneralCategoryGroup::Mark, "{s:?} | {rest:?}");
                prop_assert!(!s.ends_with('\u{200D}') && next != '\u{200D}', "{:?} | {:?}", s, rest);
            }
        }
    }
}
