//! `trouble-bot demo`: a whole trouble played against a built-in Slack simulator (filled in next).

use crate::i18n::Locale;

/// Plays the demo and returns whether it ran to the end.
pub async fn run(_locale: Locale) -> bool {
    false
}
