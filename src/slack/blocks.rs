//! Block Kit builders: the few block shapes the bot's messages are made of.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};

/// Slack's limit for a section's text.
pub const SECTION_TEXT_LIMIT: usize = 3000;
/// Slack's limits for a header's text, a field's and a button's label.
pub const HEADER_TEXT_LIMIT: usize = 150;
pub const FIELD_TEXT_LIMIT: usize = 2000;
pub const BUTTON_TEXT_LIMIT: usize = 75;
/// Slack's limit for how many fields a section holds.
pub const MAX_FIELDS: usize = 10;

/// mrkdwn escapes only `&`, `<` and `>`; the model keeps user text in that same form.
pub use crate::trouble::markup::{escape, start_within, unescape};

/// A message ready for chat.postMessage / chat.update: fallback text plus blocks.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Rendered {
    pub text: String,
    pub blocks: Option<Vec<Block>>,
}

impl Rendered {
    /// Text alone, without blocks.
    pub fn plain(text: String) -> Rendered {
        Rendered { text, blocks: None }
    }

    pub fn text(text: String) -> Rendered {
        Rendered {
            blocks: Some(vec![section(&text)]),
            text,
        }
    }

    /// The message as text alone, for when Slack refuses its blocks: what each block says, one
    /// after another (its buttons left out), within what Slack shows of a message's text. Every
    /// block's text is already mrkdwn made safe (a header's too), so it reads as it did.
    pub fn text_alone(&self) -> Rendered {
        match &self.blocks {
            None => self.clone(),
            Some(_) => Rendered::plain(self.blocks_said()),
        }
    }

    /// What the blocks say, one after another (buttons left out), within what Slack shows of a
    /// message's text; the text itself when there are no blocks or they say nothing.
    pub fn blocks_said(&self) -> String {
        let Some(blocks) = &self.blocks else {
            return self.text.clone();
        };
        let said: Vec<&str> = blocks
            .iter()
            .flat_map(|b| match b {
                Block::Header(text) | Block::Context(text) | Block::Section { text, .. } => vec![text.as_str()],
                Block::Fields(fields) => fields.iter().map(String::as_str).collect(),
                Block::Divider | Block::Actions { .. } => Vec::new(),
            })
            .collect();
        match said.is_empty() {
            true => self.text.clone(),
            false => cut(&said.join("\n"), TEXT_ALONE_LIMIT),
        }
    }
}

/// What Slack shows of a message's text before it cuts it off (it takes up to 40,000).
pub const TEXT_ALONE_LIMIT: usize = 3_900;

/// A message only its asker sees: the answer to a command, or one sent to a `response_url`.
/// Serialised directly (keys in the order the `json!` it replaced gave them), as `/trouble help`
/// answers it on every request.
#[derive(serde::Serialize)]
pub struct Ephemeral<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<&'a [Block]>,
    /// For a `response_url`: post beside the message that was answered, never over it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_original: Option<bool>,
    pub response_type: &'static str,
    pub text: &'a str,
}

impl<'a> Ephemeral<'a> {
    pub fn of(rendered: &'a Rendered) -> Ephemeral<'a> {
        Ephemeral {
            blocks: rendered.blocks.as_deref(),
            replace_original: None,
            response_type: "ephemeral",
            text: &rendered.text,
        }
    }
}

/// Slack's limit for a context element's text.
pub const CONTEXT_TEXT_LIMIT: usize = 2000;

/// Cuts mrkdwn to at most `max` characters (with `…`), never inside an entity (`&am`) or a
/// token (`<@U12`): half of one would show as raw syntax, or leave a `<` that starts nothing;
/// nor inside what reads as one character (an emoji sequence, a letter and its marks).
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s = start_within(text, max.saturating_sub(1)).to_string();
    s.push('…');
    s
}

/// `text` within `max` characters: as it is when it fits, else [`cut`].
fn within(text: &str, max: usize) -> Cow<'_, str> {
    // A text of at most `max` bytes has at most `max` characters: most need no counting.
    if text.len() <= max || text.chars().count() <= max {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(cut(text, max))
    }
}

/// The most characters of text a message's blocks hold together. Slack refuses a message whose
/// blocks total about 12,000–13,000 characters (`msg_blocks_too_long`), though each block is
/// within its own limit; this leaves room for a note saying what was shortened.
pub const MESSAGE_TEXT_BUDGET: usize = 11_000;

/// Shortens the longest texts of `blocks` (never a button's) to one common length, the longest
/// that lets them all fit `budget` characters together; short texts stay whole. Whether
/// anything was cut.
pub fn fit(blocks: &mut [Block], budget: usize) -> bool {
    let mut lengths = Vec::new();
    let mut fixed = 0;
    for b in blocks.iter_mut() {
        b.visit_texts(&mut |text, shrinkable| {
            let n = text.chars().count();
            if shrinkable {
                lengths.push(n);
            } else {
                fixed += n;
            }
        });
    }
    let total = fixed + lengths.iter().sum::<usize>();
    if total <= budget {
        return false;
    }
    let room = budget.saturating_sub(fixed);
    // The longest common length `cap` with Σ min(len, cap) ≤ room (each cut adds its `…`).
    let fits = |cap: usize| lengths.iter().map(|&n| n.min(cap)).sum::<usize>() <= room;
    let cap = longest_fitting(0, lengths.iter().copied().max().unwrap_or(0), fits).unwrap_or(0);
    for b in blocks.iter_mut() {
        b.visit_texts(&mut |text, shrinkable| {
            if shrinkable && text.chars().count() > cap {
                *text = cut(text, cap.max(1));
            }
        });
    }
    true
}

/// The largest `n` in `low..=high` for which `fits(n)` holds, when it holds up to some point
/// and not beyond (a length that fits, shorter ones fit too); None when not even `low` fits.
pub fn longest_fitting(mut low: usize, mut high: usize, mut fits: impl FnMut(usize) -> bool) -> Option<usize> {
    if !fits(low) {
        return None;
    }
    while low < high {
        let mid = (low + high).div_ceil(2);
        if fits(mid) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Some(low)
}

/// One block of the bot's messages. Typed rather than built as a `Value`: a delivery renders
/// its message for each attempt, and a `Value`'s maps (their key strings, and dropping them)
/// cost more than the text itself. Serialised exactly as the `json!` it replaced: keys in
/// the order of `serde_json`'s maps, so the body sent to Slack is the same, byte for byte.
///
/// Serialising is also where each text is held to Slack's own limit for its place (section
/// 3,000, field and context 2,000, header 150, button 75, ten fields), whatever was done to it
/// after it was built: one text over its limit and Slack refuses the whole message or answer
/// (`invalid_blocks`), a pinned status edit among them. The builders cut to the same limits;
/// what can still pass them is a later change, the Japanese さん after each mention first.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Plain text, emoji shown.
    Header(String),
    /// mrkdwn, with a button at its side when the message has one per line.
    Section {
        text: String,
        accessory: Option<Button>,
    },
    /// mrkdwn fields, label and value each.
    Fields(Vec<String>),
    /// One line of small mrkdwn.
    Context(String),
    Divider,
    Actions {
        block_id: String,
        elements: Vec<Button>,
    },
}

/// A button: its `action_id` says what it does, its `value` which trouble.
#[derive(Clone, Debug, PartialEq)]
pub struct Button {
    pub action_id: String,
    pub text: String,
    pub value: String,
    pub primary: bool,
    /// What a screen reader says instead of the text (`accessibility_label`), where the text is
    /// terse and the same button stands beside other troubles (`Acknowledge`, `Done`).
    pub label: Option<String>,
}

impl Button {
    /// The button with `label` for screen readers: what it acts on, in words.
    pub fn labelled(mut self, label: &str) -> Button {
        self.label = Some(cut(label, BUTTON_TEXT_LIMIT));
        self
    }
}

impl Block {
    /// Applies `f` to each text a reader sees (headers, sections, fields, contexts, buttons).
    pub fn map_texts(&mut self, f: impl Fn(&str) -> String) {
        self.visit_texts(&mut |text, _| *text = f(text));
    }

    /// The characters of text a reader sees in it: what Slack counts against a message.
    pub fn text_chars(&self) -> usize {
        let n = |s: &String| s.chars().count();
        match self {
            Block::Header(text) | Block::Context(text) => n(text),
            Block::Section { text, accessory } => n(text) + accessory.as_ref().map_or(0, |b| n(&b.text)),
            Block::Fields(fields) => fields.iter().map(n).sum(),
            Block::Divider => 0,
            Block::Actions { elements, .. } => elements.iter().map(|b| n(&b.text)).sum(),
        }
    }

    /// Visits each text a reader sees, and whether it may be shortened (a button's label, kept
    /// short anyway, may not: it says what the button does).
    fn visit_texts(&mut self, f: &mut impl FnMut(&mut String, bool)) {
        match self {
            Block::Header(text) | Block::Context(text) => f(text, true),
            Block::Section { text, accessory } => {
                f(text, true);
                if let Some(b) = accessory {
                    f(&mut b.text, false);
                }
            }
            Block::Fields(fields) => fields.iter_mut().for_each(|text| f(text, true)),
            Block::Divider => {}
            Block::Actions { elements, .. } => elements.iter_mut().for_each(|b| f(&mut b.text, false)),
        }
    }
}

/// `{"text": …, "type": …}` (and `"emoji": true` for plain text), as Slack reads a text object.
struct TextObject<'a> {
    text: Cow<'a, str>,
    plain: bool,
}

impl Serialize for TextObject<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(if self.plain { 3 } else { 2 }))?;
        if self.plain {
            m.serialize_entry("emoji", &true)?;
        }
        m.serialize_entry("text", &*self.text)?;
        m.serialize_entry("type", if self.plain { "plain_text" } else { "mrkdwn" })?;
        m.end()
    }
}

/// mrkdwn held to `max` characters.
fn mrkdwn(text: &str, max: usize) -> TextObject<'_> {
    TextObject {
        text: within(text, max),
        plain: false,
    }
}

/// Plain text held to `max` characters.
fn plain(text: &str, max: usize) -> TextObject<'_> {
    TextObject {
        text: within(text, max),
        plain: true,
    }
}

/// A section's fields as a list of mrkdwn objects, each within a field's limit.
struct MrkdwnList<'a>(&'a [String]);

impl Serialize for MrkdwnList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|text| mrkdwn(text, FIELD_TEXT_LIMIT)))
    }
}

impl Serialize for Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self {
            Block::Header(text) => {
                m.serialize_entry("text", &plain(text, HEADER_TEXT_LIMIT))?;
                m.serialize_entry("type", "header")?;
            }
            Block::Section { text, accessory } => {
                if let Some(b) = accessory {
                    m.serialize_entry("accessory", b)?;
                }
                m.serialize_entry("text", &mrkdwn(text, SECTION_TEXT_LIMIT))?;
                m.serialize_entry("type", "section")?;
            }
            Block::Fields(fields) => {
                m.serialize_entry("fields", &MrkdwnList(&fields[..fields.len().min(MAX_FIELDS)]))?;
                m.serialize_entry("type", "section")?;
            }
            Block::Context(text) => {
                m.serialize_entry("elements", &[mrkdwn(text, CONTEXT_TEXT_LIMIT)])?;
                m.serialize_entry("type", "context")?;
            }
            Block::Divider => m.serialize_entry("type", "divider")?,
            Block::Actions { block_id, elements } => {
                m.serialize_entry("block_id", block_id)?;
                m.serialize_entry("elements", elements)?;
                m.serialize_entry("type", "actions")?;
            }
        }
        m.end()
    }
}

impl Serialize for Button {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4 + usize::from(self.primary) + usize::from(self.label.is_some())))?;
        if let Some(label) = &self.label {
            m.serialize_entry("accessibility_label", &*within(label, BUTTON_TEXT_LIMIT))?;
        }
        m.serialize_entry("action_id", &self.action_id)?;
        if self.primary {
            m.serialize_entry("style", "primary")?;
        }
        m.serialize_entry("text", &plain(&self.text, BUTTON_TEXT_LIMIT))?;
        m.serialize_entry("type", "button")?;
        m.serialize_entry("value", &self.value)?;
        m.end()
    }
}

pub fn header(text: &str) -> Block {
    Block::Header(cut(text, HEADER_TEXT_LIMIT))
}

pub fn section(mrkdwn: &str) -> Block {
    Block::Section {
        text: cut(mrkdwn, SECTION_TEXT_LIMIT),
        accessory: None,
    }
}

/// A section with a button at its side.
pub fn section_with(mrkdwn: &str, accessory: Button) -> Block {
    Block::Section {
        text: cut(mrkdwn, SECTION_TEXT_LIMIT),
        accessory: Some(accessory),
    }
}

/// A section of label/value fields (at most 10, Slack's limit).
pub fn fields(pairs: &[(String, String)]) -> Block {
    Block::Fields(
        pairs
            .iter()
            .take(MAX_FIELDS)
            .map(|(k, v)| cut(&format!("*{k}*\n{v}"), FIELD_TEXT_LIMIT))
            .collect(),
    )
}

pub fn context(mrkdwn: &str) -> Block {
    Block::Context(cut(mrkdwn, CONTEXT_TEXT_LIMIT))
}

pub fn divider() -> Block {
    Block::Divider
}

pub fn button(action_id: &str, text: &str, value: &str, primary: bool) -> Button {
    Button {
        action_id: action_id.to_string(),
        text: cut(text, BUTTON_TEXT_LIMIT),
        value: value.to_string(),
        primary,
        label: None,
    }
}

pub fn actions(block_id: &str, elements: Vec<Button>) -> Block {
    Block::Actions {
        block_id: block_id.to_string(),
        elements,
    }
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
    fn longest_fitting_finds_the_edge_or_says_nothing_fits() {
        for edge in [0, 1, 79, 80, 2999, 3000] {
            assert_eq!(longest_fitting(0, 3000, |n| n <= edge), Some(edge), "{edge}");
        }
        assert_eq!(longest_fitting(80, 3000, |n| n <= 79), None);
        assert_eq!(longest_fitting(5, 5, |_| true), Some(5));
    }

    #[test]
    fn fit_cuts_only_the_longest_texts_to_one_length_within_the_budget() {
        let mut blocks = vec![
            section(&"a".repeat(100)),
            section(&"b".repeat(5000)),
            section(&"c".repeat(3000)),
        ];
        assert!(fit(&mut blocks, 4000));
        let lengths: Vec<usize> = blocks.iter().map(Block::text_chars).collect();
        assert_eq!(lengths[0], 100, "a short text stays whole");
        assert_eq!(lengths[1], lengths[2], "the long ones share one length: {lengths:?}");
        assert!(lengths.iter().sum::<usize>() <= 4000, "{lengths:?}");
        assert!(!fit(&mut blocks, 4000), "what fits is left alone");
    }

    /// `typed` serialises to the very bytes `was` (a `json!`) did.
    fn assert_sent_as(typed: &impl Serialize, was: &Value) {
        assert_eq!(
            serde_json::to_string(typed).unwrap(),
            serde_json::to_string(was).unwrap()
        );
    }

    /// Each block as the `json!` that built it before it was typed: Slack gets the same bytes.
    #[test]
    fn a_block_is_sent_as_the_same_json_byte_for_byte() {
        let text_of = |kind: &str, text: &str| match kind {
            "plain_text" => json!({"type": kind, "text": text, "emoji": true}),
            _ => json!({"type": kind, "text": text}),
        };
        let ack = json!({"type": "button", "action_id": "ack", "text": text_of("plain_text", "Ack"), "value": "v1", "style": "primary"});
        let cases: Vec<(Block, Value)> = vec![
            (
                header("🚨 Trouble"),
                json!({"type": "header", "text": text_of("plain_text", "🚨 Trouble")}),
            ),
            (
                section("*a* \"b\"\n<@U1>"),
                json!({"type": "section", "text": text_of("mrkdwn", "*a* \"b\"\n<@U1>")}),
            ),
            (
                section_with("line", button("ack", "Ack", "v1", true)),
                json!({"type": "section", "text": text_of("mrkdwn", "line"), "accessory": ack}),
            ),
            (
                fields(&[("K".into(), "v".into()), ("L".into(), "w".into())]),
                json!({"type": "section", "fields": [text_of("mrkdwn", "*K*\nv"), text_of("mrkdwn", "*L*\nw")]}),
            ),
            (fields(&[]), json!({"type": "section", "fields": []})),
            (
                context("small"),
                json!({"type": "context", "elements": [text_of("mrkdwn", "small")]}),
            ),
            (divider(), json!({"type": "divider"})),
            (
                actions(
                    "row",
                    vec![button("ack", "Ack", "v1", true), button("no", "No", "v2", false)],
                ),
                json!({"type": "actions", "block_id": "row", "elements": [
                    ack,
                    {"type": "button", "action_id": "no", "text": text_of("plain_text", "No"), "value": "v2"},
                ]}),
            ),
        ];
        for (block, was) in cases {
            assert_sent_as(&block, &was);
        }
    }

    /// An ephemeral answer, with blocks or none, to a command or through a `response_url`.
    #[test]
    fn an_ephemeral_answer_is_sent_as_the_same_json_byte_for_byte() {
        let with_blocks = Rendered::text("*help*".into());
        let plain = Rendered {
            text: "no".into(),
            blocks: None,
        };
        let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*help*"}}]);
        let cases = [
            (
                Ephemeral::of(&with_blocks),
                json!({"response_type": "ephemeral", "text": "*help*", "blocks": blocks}),
            ),
            (
                Ephemeral::of(&plain),
                json!({"response_type": "ephemeral", "text": "no"}),
            ),
            (
                Ephemeral {
                    replace_original: Some(false),
                    ..Ephemeral::of(&with_blocks)
                },
                json!({"response_type": "ephemeral", "replace_original": false, "text": "*help*", "blocks": blocks}),
            ),
        ];
        for (answer, was) in cases {
            assert_sent_as(&answer, &was);
        }
    }

    /// A text changed after it was built (the Japanese さん after each mention) is still sent
    /// within its place's limit: one over it and Slack refuses the whole message.
    #[test]
    fn a_text_past_its_limit_after_it_was_built_is_sent_within_it() {
        let mut blocks = vec![
            header(&"h".repeat(150)),
            section(&"<@U0QA1> x".repeat(300)),
            fields(&[("K".into(), "<@U0QA1>".repeat(230))]),
            context(&"<@U0QA1>".repeat(250)),
            section_with("s", button("a", &"b".repeat(75), "v", false)),
        ];
        for b in &mut blocks {
            b.map_texts(|s| format!("{}さんさん", s.replace('>', ">さん")));
        }
        let sent: Value = serde_json::to_value(&blocks).unwrap();
        let n = |v: &Value| v.as_str().unwrap().chars().count();
        // Cut before a mention that would not fit whole.
        let near = |got: usize, limit: usize| got <= limit && got > limit - 12;
        assert_eq!(n(&sent[0]["text"]["text"]), 150);
        assert!(near(n(&sent[1]["text"]["text"]), SECTION_TEXT_LIMIT), "{}", sent[1]);
        let body = sent[1]["text"]["text"].as_str().unwrap();
        assert_eq!(
            body.matches('<').count(),
            body.matches('>').count(),
            "never inside a mention"
        );
        assert!(near(n(&sent[2]["fields"][0]["text"]), FIELD_TEXT_LIMIT), "{}", sent[2]);
        assert!(
            near(n(&sent[3]["elements"][0]["text"]), CONTEXT_TEXT_LIMIT),
            "{}",
            sent[3]
        );
        assert_eq!(n(&sent[4]["accessory"]["text"]["text"]), BUTTON_TEXT_LIMIT);
        let short = [section("<@U1>さん")];
        assert_eq!(serde_json::to_value(short).unwrap()[0]["text"]["text"], "<@U1>さん");
    }

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
