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
pub fn query_words(query: &str) -> Vec<String> {
    fold(query)
        .split_whitespace()
        .map(|w| w.trim_matches(crate::trouble::markup::QUOTES))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
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
