//! The form the model keeps user text in: as Slack sends it, with `&`, `<` and `>` escaped.
//!
//! Slack's own escaping is the one lossless form of what a person typed in Slack: a mention they
//! made arrives as `<@U…>`, the same characters typed as text arrive as `&lt;@U…&gt;`, and plain
//! text could not tell the two apart. So the model keeps Slack's form, posts it back as mrkdwn
//! (through `slack::text`'s neutraliser), and the core reads it as plain text through [`unescape`]
//! where it counts, folds, searches or parses it. Text the bot gets as plain text (a modal's
//! inputs) is brought to this form with [`escape`] when it enters.

/// Brings plain text to the model's form: only `&`, `<` and `>` are escaped (Slack's rule).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Reads the model's form as plain text: undoes [`escape`].
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
