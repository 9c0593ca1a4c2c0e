//! People the report and the 8D name as `@U…` (a mention would ping them each time it is
//! posted), and the names that may stand for them: as Slack shows them, made safe to print.

/// The longest name written (Slack's display names are at most 80 characters).
const NAME_LIMIT: usize = 80;

/// The ids of the people `text` names as `@U…` or `@W…`, each once, in order.
pub fn people_named(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (at, len) in named_at(text) {
        let id = &text[at + 1..at + len];
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// `text` with each `@U…` that `name_of` knows written as `@name`.
pub fn with_names(text: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    names_written(text, name_of, "@")
}

/// `text` with each `@U…` that `name_of` knows written as the name alone, as a document read
/// far from Slack names people.
pub fn with_plain_names(text: &str, name_of: impl Fn(&str) -> Option<String>) -> String {
    names_written(text, name_of, "")
}

fn names_written(text: &str, name_of: impl Fn(&str) -> Option<String>, sign: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (at, len) in named_at(text) {
        if let Some(name) = name_of(&text[at + 1..at + len]) {
            out.push_str(&text[from..at]);
            out.push_str(sign);
            out.push_str(&name);
            from = at + len;
        }
    }
    out.push_str(&text[from..]);
    out
}

/// Where each `@` + user id stands in `text` (byte offset and length, the `@` included): an id
/// is `U` or `W` and at least two more capitals or digits, standing on its own (not inside a
/// word or an address, not followed by more of one).
fn named_at(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-';
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        if at > 0 && word(bytes[at - 1]) {
            continue;
        }
        let rest = &bytes[at + 1..];
        if !matches!(rest.first(), Some(b'U' | b'W')) {
            continue;
        }
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            .count();
        let ends_clean = rest.get(len).is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if len >= 3 && ends_clean {
            found.push((at, len + 1));
        }
    }
    found
}

/// A name as the report may show it: letters (of any script), digits, spaces and a few marks
/// names use, on one line and at most [`NAME_LIMIT`] characters. Nothing in it formats a
/// message, mentions anyone, opens a link or acts on a terminal; None when nothing is left.
pub fn shown_name(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '\'' | '(' | ')' | '・'))
        .collect();
    let name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let name: String = name.chars().take(NAME_LIMIT).collect();
    let name = name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_standing_alone_are_found_once_each() {
        let text = "- Owner: @U0SALES\n1. @U0SALES — approved by @W0LEAD, (@U0QA1)";
        assert_eq!(people_named(text), ["U0SALES", "W0LEAD", "U0QA1"]);
        for not_a_person in ["mail@U0SALES", "@U0sales", "@U0", "@U0SALES_x", "@channel"] {
            assert!(people_named(not_a_person).is_empty(), "{not_a_person}");
        }
    }

    #[test]
    fn each_known_id_is_written_as_a_name_and_the_rest_stay() {
        let text = "@U0SALES and @U0QA1, @U0SALES.";
        let named = with_names(text, |id| (id == "U0SALES").then(|| "佐藤 花子".to_string()));
        assert_eq!(named, "@佐藤 花子 and @U0QA1, @佐藤 花子.");
    }

    #[test]
    fn a_name_cannot_format_ping_link_or_move_the_terminal() {
        let cases = [
            ("Sato Hanako", Some("Sato Hanako")),
            ("佐藤　花子", Some("佐藤 花子")),
            ("O'Brien (QA)", Some("O'Brien (QA)")),
            (
                "<!channel> *Approved*\n✅ by tanaka",
                Some("channel Approved by tanaka"),
            ),
            ("\u{1b}[2J\u{202e}evil\u{7}", Some("2Jevil")),
            ("[click](https://x.test)", Some("click(httpsx.test)")),
            ("***", None),
        ];
        for (raw, shown) in cases {
            assert_eq!(shown_name(raw).as_deref(), shown, "{raw:?}");
        }
        assert_eq!(
            shown_name(&"あ".repeat(200)).map(|n| n.chars().count()),
            Some(NAME_LIMIT)
        );
    }
}
