//! The one neutraliser for user text: what people typed is shown as data, never as Slack syntax.
//!
//! A trouble keeps text as Slack's commands deliver it: `&`, `<` and `>` as entities, and
//! mentions, broadcasts and links as `<…>` tokens (modal text is escaped the same way at the
//! boundary). Showing it again goes through [`user_text`]: every character is escaped, and only
//! a strict user or channel mention (`<@U…>`, `<#C…>`) is let through, and only in the trouble's
//! own channel. Broadcasts (`<!channel>`, `<!here>`, `<!subteam^…>`, …) and links never pass.

pub use crate::trouble::markup::acts_on_display;
use crate::trouble::markup::{is_hidden, pieces, readable, strict_mention, token_words, Piece};

/// Where user text is about to be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    /// The trouble's own channel (kickoff, status, channel posts): mentions stay mentions.
    OwnChannel,
    /// Announce channels, the origin channel, DMs, the App Home, ephemeral answers, the report:
    /// a mention becomes plain text (`@name`, or the id), so nobody is pinged by someone's text.
    Elsewhere,
}

/// User text as safe mrkdwn for `place`: escaped, line breaks kept as `\n`, control and bidi
/// characters removed, only strict user/channel mentions re-admitted in the trouble's channel.
pub fn user_text(raw: &str, place: Where) -> String {
    pieces(&strip_controls(raw))
        .into_iter()
        .map(|p| match p {
            Piece::Typed(s) => escape_plain(s),
            Piece::Token(body) => token(body, place),
        })
        .collect()
}

/// [`user_text`] on one line: for text shown inline (a customer name, a summary in a notice).
pub fn one_line(raw: &str, place: Where) -> String {
    joined(&user_text(raw, place))
}

/// What people typed as plain words on one line, for a file with no markup (a CSV cell): no
/// control or bidi character, lines joined, entities decoded, tokens as their words (a
/// mention as `@name`, never live), and every character otherwise as typed (`HX-300*`,
/// `~200`): the full-width twins [`user_text`] uses would only stop a search finding it.
pub fn plain_line(raw: &str) -> String {
    joined(&strip_controls(&readable(raw)))
}

/// Lines (and tabs) joined by one space, blank ones dropped.
fn joined(text: &str) -> String {
    text.split(['\n', '\t'])
        .filter(|s| !s.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`user_text`] as a quoted block: every line starts with `> `, so no line of it can pass for
/// a line of the message or report around it (a timeline entry, a heading, a chain head).
pub fn quoted(raw: &str, place: Where) -> String {
    quote_lines(&user_text(raw, place))
}

/// Prefixes every line of already-neutralised text with `> `.
pub fn quote_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes what would act on a terminal or reorder text instead of being read: C0 controls
/// except newline and tab, DEL, C1 controls, escape sequences (CSI, OSC and two-character
/// ones), and bidi embeddings, overrides, isolates and marks. Line breaks of every kind
/// (`\r\n`, `\r`, U+2028/2029, NEL, VT, FF) become `\n`.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\t' => out.push('\t'),
            '\u{1B}' => match chars.peek() {
                // CSI: parameters and intermediates, then one final byte.
                Some('[') => {
                    chars.next();
                    while chars.next_if(|c| ('\u{20}'..='\u{3F}').contains(c)).is_some() {}
                    chars.next_if(|c| ('\u{40}'..='\u{7E}').contains(c));
                }
                // OSC (titles, hyperlinks): up to BEL or ST, never past the line.
                Some(']') => {
                    chars.next();
                    while let Some(c) = chars.next_if(|c| *c != '\n') {
                        if c == '\u{07}' || (c == '\u{1B}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                Some(c) if ('\u{20}'..='\u{7E}').contains(c) => {
                    chars.next();
                }
                _ => {}
            },
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Typed text as mrkdwn that shows it: `&`, `<`, `>` escaped, and each formatting marker
/// made inert ([`inert_markers`]).
fn escape_plain(text: &str) -> String {
    inert_markers(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// mrkdwn's formatting markers (`*bold*`, `_italic_`, `~strike~`, `` `code` ``) with a typed one
/// that could open or close formatting shown as its full-width twin (`＊`, `＿`, `～`, `｀`),
/// which Slack never reads as markup. Slack escapes only `&`, `<` and `>`; without this, a
/// note `✅ *Stage 7 closed*` would post as the bot's bold, a single backtick would turn the
/// rest of the bot's line into code (its mentions with it), and an action typed `~sort lot~`
/// would show struck through, as the status marks a cancelled one. A marker between two
/// letters or digits (`HX_300`, `10~20`) formats nothing in Slack and is kept as typed.
fn inert_markers(text: &str) -> String {
    if !text.contains(['*', '_', '~', '`']) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let word = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| c.is_alphanumeric());
    let in_address = addresses(&chars);
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let inside_a_word = word(i.checked_sub(1)) && word(Some(i + 1));
            // An address is kept whole (`https://x.example/~sato/a_-_b.pdf`): Slack links it,
            // and formats nothing inside a link; a twin there would send the reader elsewhere.
            if in_address[i] {
                return c;
            }
            match c {
                '*' if !inside_a_word => '＊',
                '_' if !inside_a_word => '＿',
                '~' if !inside_a_word => '～',
                '`' => '｀',
                c => c,
            }
        })
        .collect()
}

/// Which of `chars` belong to a web or mail address (`https://…`, `http://…`, `mailto:…`,
/// starting a word and running to the next space).
fn addresses(chars: &[char]) -> Vec<bool> {
    const SCHEMES: [&str; 3] = ["https://", "http://", "mailto:"];
    let mut inside = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_alphanumeric();
        let scheme = SCHEMES.iter().any(|s| {
            s.chars()
                .enumerate()
                .all(|(k, sc)| chars.get(i + k).is_some_and(|c| c.eq_ignore_ascii_case(&sc)))
        });
        if starts_word && scheme {
            while i < chars.len() && !chars[i].is_whitespace() {
                inside[i] = true;
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    inside
}

/// One `<…>` token (without the brackets) as shown in `place`: a strict mention stays live in
/// the trouble's own channel; anything else is shown as its words.
fn token(body: &str, place: Where) -> String {
    match strict_mention(body) {
        Some(live) if place == Where::OwnChannel => live,
        _ => one_line_plain(&token_words(body)),
    }
}

/// Decoded token text, re-escaped, with any line break flattened.
fn one_line_plain(text: &str) -> String {
    escape_plain(&strip_controls(text).replace(['\n', '\t'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OWN: Where = Where::OwnChannel;
    const AWAY: Where = Where::Elsewhere;

    #[test]
    fn broadcasts_never_pass_anywhere() {
        for raw in [
            "<!channel>",
            "<!here>",
            "<!everyone>",
            "<!subteam^S123>",
            "<!subteam^S123|@devs>",
            "<!here|here>",
        ] {
            for place in [OWN, AWAY] {
                let out = user_text(raw, place);
                assert!(!out.contains('<'), "{raw} -> {out}");
            }
        }
        assert_eq!(user_text("hi <!channel>", OWN), "hi @channel");
        assert_eq!(user_text("<!subteam^S123|@devs>", AWAY), "@devs (S123)");
    }

    #[test]
    fn a_strict_mention_is_live_only_in_the_trouble_channel() {
        assert_eq!(user_text("ask <@U0QA1>", OWN), "ask <@U0QA1>");
        assert_eq!(user_text("ask <@U0QA1|sato>", OWN), "ask <@U0QA1>");
        assert_eq!(user_text("ask <@U0QA1|sato>", AWAY), "ask @sato");
        assert_eq!(user_text("ask <@U0QA1>", AWAY), "ask @U0QA1");
        assert_eq!(user_text("in <#C0GEN|general>", OWN), "in <#C0GEN>");
        assert_eq!(user_text("in <#C0GEN|general>", AWAY), "in #general");
        // Not strict: lower case, too long, a group id as a user.
        assert_eq!(user_text("<@u0qa1>", OWN), "@u0qa1");
        assert!(!user_text(&format!("<@U{}>", "A".repeat(30)), OWN).contains('<'));
        assert!(!user_text("<@S0QUALITY>", OWN).contains('<'));
    }

    #[test]
    fn links_show_their_address_and_never_become_live() {
        assert_eq!(user_text("<http://evil|click>", OWN), "click (http://evil)");
        assert_eq!(
            user_text("<https://ex.com/a?b=1&amp;c=2>", AWAY),
            "https://ex.com/a?b=1&amp;c=2"
        );
    }

    #[test]
    fn slack_entities_are_escaped_once_and_stray_brackets_are_text() {
        assert_eq!(user_text("A&amp;B &lt;lot 42&gt;", OWN), "A&amp;B &lt;lot 42&gt;");
        assert_eq!(user_text("a < b & c > d", OWN), "a &lt; b &amp; c &gt; d");
        assert_eq!(user_text("<<@U0QA1>", OWN), "&lt;<@U0QA1>");
        assert_eq!(user_text("&amp;lt;!channel&amp;gt;", OWN), "&amp;lt;!channel&amp;gt;");
    }

    #[test]
    fn controls_and_bidi_are_removed_and_line_breaks_kept() {
        assert_eq!(strip_controls("a\u{1B}[31mred\u{1B}[0m b"), "ared b");
        assert_eq!(strip_controls("x\u{1B}]0;title\u{07}y"), "xy");
        assert_eq!(strip_controls("abc\u{202E}fed\u{2066}\u{200F}"), "abcfed");
        assert_eq!(strip_controls("a\r\nb\rc\u{2028}d\u{85}e"), "a\nb\nc\nd\ne");
        assert_eq!(strip_controls("tab\there\u{0}\u{9B}"), "tab\there");
    }

    #[test]
    fn typed_formatting_markers_format_nothing_and_a_word_keeps_its_own() {
        assert_eq!(
            user_text("✅ *Stage 7 closed by <@U0MANAGER>*", OWN),
            "✅ ＊Stage 7 closed by <@U0MANAGER>＊"
        );
        assert_eq!(
            user_text("~sort lot~ _done_ `L42` ```x```", AWAY),
            "～sort lot～ ＿done＿ ｀L42｀ ｀｀｀x｀｀｀"
        );
        assert_eq!(user_text("HX_300 lot 10~20 a*b", AWAY), "HX_300 lot 10~20 a*b");
        // An address stays one Slack can follow, typed bare or as Slack sends a link.
        assert_eq!(
            user_text("see https://x.example/~sato/a_-_b.pdf *now*", AWAY),
            "see https://x.example/~sato/a_-_b.pdf ＊now＊"
        );
        assert_eq!(
            one_line("<https://x.example/~k/_v2|*the file*>", AWAY),
            "＊the file＊ (https://x.example/~k/_v2)"
        );
        assert_eq!(
            one_line("<http://x.example|*click*>", AWAY),
            "＊click＊ (http://x.example)"
        );
    }

    #[test]
    fn a_quoted_block_keeps_every_line_inside() {
        let raw = "ok\n99. 2026-11-30 09:00 <@U0MANAGER> — acknowledged\n# Heading\r\nChain head (SHA-256): `0000`";
        let q = quoted(raw, AWAY);
        assert_eq!(q.lines().count(), 4);
        assert!(q.lines().all(|l| l.starts_with("> ")), "{q}");
        assert!(!q.contains("<@"), "{q}");
        assert_eq!(one_line("ACME\n\nCorp\t", AWAY), "ACME Corp");
    }

    proptest! {
        #[test]
        fn no_broadcast_and_every_bracket_starts_an_allowed_mention(raw in "(\\PC|[<>&!@#|^\\n*_~`]|<!channel>|<@U0QA1>|<#C0GEN|x>|&amp;|&lt;|\u{1B}\\[|\u{202E})*") {
            for place in [OWN, AWAY] {
                let out = user_text(&raw, place);
                prop_assert!(!out.contains("<!"), "{out}");
                prop_assert!(!out.chars().any(|c| is_hidden(c) || c == '\r'), "{out:?}");
                let mut rest = out.as_str();
                while let Some(i) = rest.find('<') {
                    prop_assert!(place == OWN, "no bracket outside the trouble channel: {out}");
                    let tail = &rest[i + 1..];
                    let end = tail.find('>').expect("closed");
                    let body = &tail[..end];
                    let ok = strict_mention(body).is_some_and(|m| m == format!("<{body}>"));
                    prop_assert!(ok, "{body} in {out}");
                    rest = &tail[end..];
                }
                prop_assert!(!out.contains('>') || out.matches('>').count() == out.matches('<').count(), "{out}");
                // No marker Slack could read as formatting: any left sits inside a word (or an
                // address, which Slack links rather than formats).
                let chars: Vec<char> = out.chars().collect();
                let in_address = addresses(&chars);
                for (i, c) in chars.iter().enumerate().filter(|(i, _)| !in_address[*i]) {
                    let word = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphanumeric());
                    if matches!(c, '*' | '_' | '~' | '`') {
                        prop_assert!(*c != '`' && word(i.checked_sub(1)) && word(Some(i + 1)), "{out}");
                    }
                }
            }
        }

        #[test]
        fn no_line_of_a_quoted_block_starts_the_reports_structure(raw in "(\\PC|\\n|\\r|\u{2028}|# |99\\. |Chain head|- )*") {
            let q = quoted(&raw, AWAY);
            for line in q.split('\n') {
                prop_assert!(line.starts_with("> "), "{line:?}");
            }
            prop_assert!(!one_line(&raw, AWAY).contains('\n'));
        }
    }
}
