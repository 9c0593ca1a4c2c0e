//! The form the model keeps user text in: as Slack sends it, with `&`, `<` and `>` escaped.
//!
//! Slack's own escaping is the one lossless form of what a person typed in Slack: a mention they
//! made arrives as `<@U…>`, the same characters typed as text arrive as `&lt;@U…&gt;`, and plain
//! text could not tell the two apart. So the model keeps Slack's form, posts it back as mrkdwn
//! (through `slack::text`'s neutraliser), and the core reads it as plain text through [`unescape`]
//! where it counts, folds, searches or parses it. Text the bot gets as plain text (a modal's
//! inputs) is brought to this form with [`escape`] when it enters.

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
