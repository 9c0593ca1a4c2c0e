//! Block Kit builders: the few block shapes the bot's messages are made of.

use serde_json::{json, Value};

/// Slack's limit for a section's text.
pub const SECTION_TEXT_LIMIT: usize = 3000;

/// mrkdwn escapes only `&`, `<` and `>`; the model keeps user text in that same form.
pub use crate::trouble::markup::{escape, unescape};

/// A message ready for chat.postMessage / chat.update: fallback text plus blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub blocks: Option<Vec<Value>>,
}

impl Rendered {
    pub fn text(text: String) -> Rendered {
        Rendered {
            blocks: Some(vec![section(&text)]),
            text,
        }
    }
}

/// Slack's limit for a context element's text.
pub const CONTEXT_TEXT_LIMIT: usize = 2000;

/// Cuts mrkdwn to at most `max` characters (with `…`), never inside an entity (`&am`) or a
/// token (`<@U12`): half of one would show as raw syntax, or leave a `<` that starts nothing.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    while let Some(i) = s.rfind(['&', '<']) {
        let tail = &s[i..];
        let open = if tail.starts_with('&') {
            !tail.contains(';')
        } else {
            !tail.contains('>')
        };
        if !open {
            break;
        }
        s.truncate(i);
    }
    s.push('…');
    s
}

pub fn header(text: &str) -> Value {
    json!({"type": "header", "text": {"type": "plain_text", "text": cut(text, 150), "emoji": true}})
}

pub fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": cut(mrkdwn, SECTION_TEXT_LIMIT)}})
}

/// A section of label/value fields (at most 10, Slack's limit).
pub fn fields(pairs: &[(String, String)]) -> Value {
    let fields: Vec<Value> = pairs
        .iter()
        .take(10)
        .map(|(k, v)| json!({"type": "mrkdwn", "text": cut(&format!("*{k}*\n{v}"), 2000)}))
        .collect();
    json!({"type": "section", "fields": fields})
}

pub fn context(mrkdwn: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(mrkdwn, CONTEXT_TEXT_LIMIT)}]})
}

pub fn divider() -> Value {
    json!({"type": "divider"})
}

pub fn button(action_id: &str, text: &str, value: &str, primary: bool) -> Value {
    let mut b = json!({"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": cut(text, 75), "emoji": true}, "value": value});
    if primary {
        b["style"] = json!("primary");
    }
    b
}

pub fn actions(block_id: &str, elements: Vec<Value>) -> Value {
    json!({"type": "actions", "block_id": block_id, "elements": elements})
}

/// A plain-text input for a modal.
pub fn text_input(block_id: &str, label: &str, multiline: bool, optional: bool, hint: Option<&str>) -> Value {
    let mut b = json!({
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": cut(label, 2000)},
        "element": {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    });
    if let Some(h) = hint {
        b["hint"] = json!({"type": "plain_text", "text": cut(h, 2000)});
    }
    b
}

pub fn modal(
    callback_id: &str,
    title: &str,
    submit: &str,
    close: &str,
    private_metadata: &str,
    blocks: Vec<Value>,
) -> Value {
    json!({
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": cut(title, 24)},
        "submit": {"type": "plain_text", "text": cut(submit, 24)},
        "close": {"type": "plain_text", "text": cut(close, 24)},
        "private_metadata": cut(private_metadata, 3000),
        "blocks": blocks
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_never_splits_an_entity_or_a_token() {
        let text = format!("{}&amp;&amp;", "x".repeat(8));
        for max in 8..=16 {
            let c = cut(&text, max);
            assert!(c.chars().count() <= max, "{c}");
            let body = c.trim_end_matches('…');
            assert!(body.matches('&').count() == body.matches(';').count(), "{c}");
        }
        let c = cut(&format!("{}<@U0QA1> done", "y".repeat(10)), 14);
        assert_eq!(c, format!("{}…", "y".repeat(10)));
    }
}
