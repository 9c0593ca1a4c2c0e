//! Finding troubles by what they are about (customer, part, lot, summary, facts, cause) and spotting a recurrence of a part or lot.

use crate::trouble::policy::Policy;

use super::customer::customer_key;
use super::facts::{Earlier, FactKey};
use super::model::Trouble;
use super::money::fold_width;

/// Width and case folded, Slack's entities read as typed, look-alike letters read as Latin in
/// a Latin word: `ＬＯＴ－４２` finds `lot-42`, and `ACME` finds `AСME` (its С Cyrillic).
pub fn fold(text: &str) -> String {
    super::customer::latin_reading(fold_width(&crate::trouble::markup::unescape(text)).to_lowercase())
}

/// The texts a search looks through.
fn haystack(t: &Trouble) -> Vec<String> {
    let s = &t.substance;
    let mut texts = vec![t.customer.clone(), t.summary.clone()];
    texts.extend(FactKey::ALL.iter().filter_map(|k| s.facts.get(*k)));
    if let Some(c) = &s.cause {
        texts.push(c.text.clone());
        texts.extend(c.escape.clone());
    }
    texts
}

/// What a search looks through, folded, one text a line: kept per trouble by the store so a
/// search reads it instead of the whole trouble. A word holds no line break, so it is found in
/// this text exactly when one of the texts holds it.
pub fn folded_text(t: &Trouble) -> String {
    haystack(t).iter().map(|x| fold(x)).collect::<Vec<_>>().join("\n")
}

/// The words of a query, folded as the texts are; a trouble matches when its text holds all.
/// A part or lot asked for with its label, as the search's own answer shows it (`lot L42`,
/// `lot:L42`, `品番 HX-200`), is looked for by its value: the texts hold values, not labels.
pub fn query_words(query: &str) -> Vec<String> {
    let words: Vec<String> = fold(query)
        .split_whitespace()
        .map(|w| w.trim_matches(crate::trouble::markup::QUOTES))
        .filter(|w| !w.is_empty())
        .map(|w| match w.split_once(':') {
            Some((label, value)) if is_code_label(label) && !value.is_empty() => value.to_string(),
            _ => w.to_string(),
        })
        .collect();
    // A label alone is still a word to look for when nothing else was asked.
    if words.iter().all(|w| is_code_label(w.trim_end_matches(':'))) {
        return words;
    }
    words
        .into_iter()
        .filter(|w| !is_code_label(w.trim_end_matches(':')))
        .collect()
}

/// Whether `word` names the part or the lot (`lot`, `part`, `ロット`, `品番`, …).
fn is_code_label(word: &str) -> bool {
    matches!(FactKey::parse(word), Some(FactKey::Part | FactKey::Lot))
}

/// Whether a trouble's [`folded_text`] holds every one of `words` (none: no match).
pub fn text_matches(folded: &str, words: &[String]) -> bool {
    !words.is_empty() && words.iter().all(|w| folded.contains(w.as_str()))
}

/// Whether a trouble matches every word of the query (case- and width-insensitive), the
/// customer also by its normalised key, so `ＡＣＭＥ（株）` finds "ACME Corp.".
pub fn matches(policy: &Policy, t: &Trouble, query: &str) -> bool {
    let key = customer_key(&policy.customers, &t.customer);
    let whole = customer_key(&policy.customers, query);
    if !whole.is_empty() && whole == key {
        return true;
    }
    text_matches(&folded_text(t), &query_words(query))
}

/// The parts and lots of a trouble, folded.
fn parts_and_lots(t: &Trouble) -> Vec<(String, String)> {
    let f = &t.substance.facts;
    f.part
        .iter()
        .chain(f.lots.iter())
        .map(|x| (fold(x).trim().to_string(), x.clone()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Earlier troubles of the same customer that had one of `t`'s parts or lots. A private one
/// is named only where everyone who reads `t`'s channel may see it (never from a public
/// trouble's channel, nor to another chain's people).
pub fn earlier_sharing(policy: &Policy, t: &Trouble, all: &[Trouble]) -> Vec<Earlier> {
    let key = customer_key(&policy.customers, &t.customer);
    sharing(policy, t, all, |e| {
        e.opened_at < t.opened_at && customer_key(&policy.customers, &e.customer) == key
    })
}

/// Later troubles of the same customer that had one of `t`'s parts or lots: told to `t` once
/// it is closed, since the same part or lot coming back may mean its measures did not hold.
pub fn later_sharing(policy: &Policy, t: &Trouble, all: &[Trouble]) -> Vec<Earlier> {
    let key = customer_key(&policy.customers, &t.customer);
    sharing(policy, t, all, |e| {
        e.opened_at > t.opened_at && customer_key(&policy.customers, &e.customer) == key
    })
}

/// Other customers' troubles, opened before or after `t`, that had one of `t`'s parts or lots:
/// a bad lot shipped to several customers, so the cause and the measures found in one are
/// deployed to the others (横展開). Private ones are named as in [`earlier_sharing`].
pub fn elsewhere_sharing(policy: &Policy, t: &Trouble, all: &[Trouble]) -> Vec<Earlier> {
    let key = customer_key(&policy.customers, &t.customer);
    let mut found = sharing(policy, t, all, |e| customer_key(&policy.customers, &e.customer) != key);
    for e in &mut found {
        e.customer = all.iter().find(|o| o.id == e.id).map(|o| o.customer.clone());
    }
    found
}

/// The troubles of `all` that `which` keeps and had one of `t`'s parts or lots, newest first,
/// each named only where `t`'s channel may be told of it.
fn sharing(policy: &Policy, t: &Trouble, all: &[Trouble], which: impl Fn(&Trouble) -> bool) -> Vec<Earlier> {
    let mine = parts_and_lots(t);
    if mine.is_empty() {
        return Vec::new();
    }
    let told = |e: &Trouble| {
        let readers = crate::trouble::decide::private_readers(policy, e);
        crate::trouble::decide::told_in(policy, t, readers.as_deref())
    };
    let mut found: Vec<Earlier> = all
        .iter()
        .filter(|e| e.id != t.id)
        .filter(|e| which(e))
        .filter(|e| told(e))
        .filter_map(|e| {
            let theirs = parts_and_lots(e);
            mine.iter()
                .find(|(k, _)| theirs.iter().any(|(o, _)| o == k))
                .map(|(_, shared)| Earlier {
                    id: e.id.clone(),
                    channel: e.channel.clone(),
                    opened_at: e.opened_at,
                    shared: shared.clone(),
                    customer: None,
                })
        })
        .collect();
    found.sort_by_key(|e| std::cmp::Reverse(e.opened_at));
    found
}

/// Whether `a` and `b` had a part or lot in common (folded as the recurrence check folds it).
pub fn share_a_part_or_lot(a: &Trouble, b: &Trouble) -> bool {
    let theirs = parts_and_lots(b);
    parts_and_lots(a)
        .iter()
        .any(|(k, _)| theirs.iter().any(|(o, _)| o == k))
}

/// The words to look `t`'s parts and lots up by in the store's search texts, one query each
/// (a superset: [`elsewhere_sharing`] keeps only the troubles that had one exactly).
pub fn part_and_lot_queries(t: &Trouble) -> Vec<Vec<String>> {
    parts_and_lots(t)
        .into_iter()
        .map(|(_, raw)| query_words(&raw))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::query_words;

    #[test]
    fn a_part_or_lot_asked_for_with_its_label_is_looked_for_by_its_value() {
        for (query, words) in [
            ("lot L42", vec!["l42"]),
            ("lot:L42", vec!["l42"]),
            ("ＬＯＴ：Ｌ４２", vec!["l42"]),
            ("ロット L42", vec!["l42"]),
            ("品番 HX-200 cracked", vec!["hx-200", "cracked"]),
            ("part: HX-200", vec!["hx-200"]),
            ("lot", vec!["lot"]),
            ("lot-42", vec!["lot-42"]),
            ("symptom cracked", vec!["symptom", "cracked"]),
        ] {
            assert_eq!(query_words(query), words, "{query}");
        }
    }
}
