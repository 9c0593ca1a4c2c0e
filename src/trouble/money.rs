//! Money as a sales floor writes it (`¥1,200,000`, `120万円`, `$3,000.50`, full-width digits) and who bears it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Jpy,
    Usd,
    Eur,
}

impl Currency {
    /// Digits after the decimal point: yen has none, so yen amounts are whole yen.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Usd | Currency::Eur => 2,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Jpy => "¥",
            Currency::Usd => "$",
            Currency::Eur => "€",
        }
    }
}

/// An amount in integer minor units (yen, cents), so totals never round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub currency: Currency,
    pub minor: i64,
}

impl std::fmt::Display for Money {
    /// `¥1,200,000`, `$3,000.50`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scale = 10i64.pow(self.currency.decimals());
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let whole = group(abs / scale as u64);
        match self.currency.decimals() {
            0 => write!(f, "{sign}{}{whole}", self.currency.symbol()),
            d => write!(
                f,
                "{sign}{}{whole}.{:0width$}",
                self.currency.symbol(),
                abs % scale as u64,
                width = d as usize
            ),
        }
    }
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Who bears a cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    Ours,
    Customer,
    Other,
}

/// `ours` / `us` / `当社` / `弊社`, `customer` / `お客様` / `顧客`, `other` / `他社` / `third party`.
pub fn parse_payer(text: &str) -> Option<Payer> {
    let t = fold_width(text).trim().to_lowercase();
    // `当社負担`, as the status writes a cost's payer, reads as `当社`; `customer's`.
    let t = t.strip_suffix("負担").unwrap_or(&t);
    match t.strip_suffix("'s").or_else(|| t.strip_suffix('’')).unwrap_or(t) {
        "ours" | "our" | "us" | "we" | "当社" | "弊社" | "自社" => Some(Payer::Ours),
        "customer" | "client" | "theirs" | "お客様" | "お客さま" | "顧客" | "客先" | "先方" => {
            Some(Payer::Customer)
        }
        "other" | "others" | "third" | "third-party" | "supplier" | "vendor" | "carrier" | "他社" | "その他"
        | "第三者" | "仕入先" | "協力会社" | "運送会社" | "物流会社" | "外注先" => {
            Some(Payer::Other)
        }
        _ => None,
    }
}

/// Full-width ASCII (`１２０`, `ＵＳＤ`, `，`) and the ideographic space become their narrow forms.
pub fn fold_width(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '￥' => '¥',
        _ => c,
    }
}

/// A word as [`fold_width`] and then `to_lowercase` read it, borrowed when neither changes it
/// (a command's word as it is usually typed): reading the command word costs no allocation.
pub fn fold_word(word: &str) -> std::borrow::Cow<'_, str> {
    let unchanged = |c: char| fold_char(c) == c && c.to_lowercase().eq(std::iter::once(c));
    if word.chars().all(unchanged) {
        std::borrow::Cow::Borrowed(word)
    } else {
        std::borrow::Cow::Owned(fold_width(word).to_lowercase())
    }
}

/// What follows `prefix` (lower-case) in `text` when `text` starts with letters whose lower
/// case spells it: the rest of `text` as typed. Lower-casing may change a letter's length (the
/// Kelvin sign `K` is three bytes, its `k` one), so the rest is found letter by letter, never by
/// the prefix's length; a letter whose lower case runs past the prefix's end (`İ`) is no match.
pub fn strip_lowercase_prefix<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    strip_cased(text, prefix, char::to_lowercase, Side::Start)
}

/// Which end of a word [`strip_cased`] cuts an affix from.
#[derive(Clone, Copy)]
enum Side {
    Start,
    End,
}

/// `text` without `affix` at its start or end (`side`), compared letter by letter as `case` maps
/// each of `text`'s letters (`affix` is given so mapped): the rest as typed. Cut where the
/// letters matched, never by `affix`'s length, which a letter changing length under `case`
/// would shift (`ſ` upper-cases to `S`), into the middle of a letter.
fn strip_cased<'a, C>(text: &'a str, affix: &str, case: impl Fn(char) -> C, side: Side) -> Option<&'a str>
where
    C: DoubleEndedIterator<Item = char>,
{
    let mut wanted = affix.chars();
    match side {
        Side::Start => {
            for (i, c) in text.char_indices() {
                if wanted.as_str().is_empty() {
                    return Some(&text[i..]);
                }
                if !case(c).all(|l| wanted.next() == Some(l)) {
                    return None;
                }
            }
        }
        Side::End => {
            for (i, c) in text.char_indices().rev() {
                if wanted.as_str().is_empty() {
                    return Some(&text[..i + c.len_utf8()]);
                }
                if !case(c).rev().all(|l| wanted.next_back() == Some(l)) {
                    return None;
                }
            }
        }
    }
    wanted.as_str().is_empty().then_some("")
}

/// Whether `text` is an amount of nothing: money that reads as zero (`¥0`, `$0.00`), or a bare
/// zero (`0`, `０`, `0.00`), which needs no currency to be nothing. "No compensation" is an
/// outcome of stage 6 to record as truthfully as any other.
pub fn is_zero_amount(text: &str) -> bool {
    if let Some(m) = parse_amount(text) {
        return m.minor == 0;
    }
    let folded: String = fold_width(text).chars().filter(|c| !c.is_whitespace()).collect();
    let (whole, fraction) = folded.split_once('.').unwrap_or((&folded, ""));
    !whole.is_empty() && whole.chars().all(|c| c == '0') && fraction.chars().all(|c| c == '0')
}

/// The most one cost may be, in minor units (¥1,000,000,000,000,000; $10,000,000,000,000.00):
/// far above any real trouble, and far enough below `i64::MAX` that thousands of them still
/// add up without overflow, so no share can wrap and slip under an approval limit.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// Why an amount typed for a cost is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountRefusal {
    /// It does not read as money (no currency, not a number).
    Unreadable,
    /// It reads, but is more than [`MAX_AMOUNT_MINOR`]: the most it may be, in its currency.
    TooLarge { max: Money },
}

/// An amount typed for a cost (`cost`, `fix cost`): read as [`parse_amount`] reads it, and
/// refused above [`MAX_AMOUNT_MINOR`]. Stored costs are read with [`parse_amount`], uncapped,
/// so a huge one an earlier release kept still counts (saturated) rather than dropping out.
pub fn read_amount(text: &str) -> Result<Money, AmountRefusal> {
    let m = parse_amount(text).ok_or(AmountRefusal::Unreadable)?;
    if m.minor > MAX_AMOUNT_MINOR {
        return Err(AmountRefusal::TooLarge {
            max: Money {
                currency: m.currency,
                minor: MAX_AMOUNT_MINOR,
            },
        });
    }
    Ok(m)
}

/// Parses an amount; None when it names no currency or is not a number (it then stays text).
pub fn parse_amount(text: &str) -> Option<Money> {
    let folded: String = fold_width(text).chars().filter(|c| !c.is_whitespace()).collect();
    // `約12万円`: an estimate is still an amount (the text keeps the 約).
    let mut s = folded.strip_prefix('約').unwrap_or(&folded);
    let mut currency = None;
    for (prefix, c) in [
        ("¥", Currency::Jpy),
        ("JPY", Currency::Jpy),
        ("$", Currency::Usd),
        ("USD", Currency::Usd),
        ("US$", Currency::Usd),
        ("€", Currency::Eur),
        ("EUR", Currency::Eur),
    ] {
        if let Some(rest) = strip_cased(s, prefix, char::to_uppercase, Side::Start) {
            currency = Some(c);
            s = rest;
            break;
        }
    }
    for (suffix, c) in [
        ("円", Currency::Jpy),
        ("JPY", Currency::Jpy),
        ("YEN", Currency::Jpy),
        ("ドル", Currency::Usd),
        ("USD", Currency::Usd),
        ("DOLLARS", Currency::Usd),
        ("DOLLAR", Currency::Usd),
        ("ユーロ", Currency::Eur),
        ("EUR", Currency::Eur),
        ("EUROS", Currency::Eur),
        ("EURO", Currency::Eur),
    ] {
        if let Some(rest) = strip_cased(s, suffix, char::to_uppercase, Side::End) {
            if currency.is_some_and(|have| have != c) {
                return None;
            }
            currency = Some(c);
            s = rest;
            break;
        }
    }
    let kanji = s.contains(|c| kanji_digit(c).is_some() || c == '十' || c == '百');
    if kanji || s.contains('億') {
        if currency.is_some_and(|c| c != Currency::Jpy) {
            return None;
        }
        let yen = if kanji { yen_in_kanji(s) } else { yen_in_oku(s) };
        return yen.map(|yen| Money {
            currency: Currency::Jpy,
            minor: yen,
        });
    }
    if let Some(yen) = yen_in_man_and_sen(s) {
        if currency.is_some_and(|c| c != Currency::Jpy) {
            return None;
        }
        return Some(Money {
            currency: Currency::Jpy,
            minor: yen,
        });
    }
    let (number, man) = match s.strip_suffix('万') {
        Some(n) => (n, true),
        None => (s, false),
    };
    if man {
        // 万 is a yen habit: `12万` alone is ¥120,000.
        if currency.is_some_and(|c| c != Currency::Jpy) {
            return None;
        }
        currency = Some(Currency::Jpy);
    }
    let currency = currency?;
    let (whole, fraction) = split_number(number)?;
    let (scale_digits, extra) = if man { (4u32, 0u32) } else { (0, currency.decimals()) };
    // The value in units of 10^-(decimals) after applying 万.
    let total_decimals = extra;
    let frac_allowed = scale_digits + total_decimals;
    if fraction.len() as u32 > frac_allowed {
        return None;
    }
    let mut digits = format!("{whole}{fraction}");
    for _ in fraction.len() as u32..frac_allowed {
        digits.push('0');
    }
    let minor: i64 = digits.parse().ok()?;
    Some(Money { currency, minor })
}

/// Yen written with 万 and 千 inside, as said aloud: `12万5千` (125,000), `12万5000`, `120千`.
/// None for a plain number or `12万` alone, which the usual reading takes.
fn yen_in_man_and_sen(s: &str) -> Option<i64> {
    if !s.contains('千') && !s.trim_end_matches('万').contains('万') {
        return None;
    }
    let (man, rest) = s.split_once('万').unwrap_or(("", s));
    // `5千万` (five thousand 万, ¥50,000,000), as said every day: the kanji reading takes it.
    if man.ends_with('千') {
        return yen_in_kanji(s);
    }
    let (sen, ones) = rest.split_once('千').unwrap_or(("", rest));
    let part = |p: &str, below: i64| -> Option<i64> {
        if p.is_empty() {
            return Some(0);
        }
        let n: i64 = p.chars().all(|c| c.is_ascii_digit()).then(|| p.parse().ok())??;
        (below == 0 || n < below).then_some(n)
    };
    let sen_below = if man.is_empty() { 0 } else { 10 };
    let man = part(man, 0)?;
    let (sen, ones) = if s.contains('千') {
        (part(sen, sen_below)?, part(ones, 1000)?)
    } else {
        (0, part(ones, 10_000)?)
    };
    let yen = man.checked_mul(10_000)?.checked_add(sen * 1000 + ones)?;
    (yen > 0).then_some(yen)
}

/// Yen counted in 億 (a hundred million), as the damages of a large trouble are: `3億`, `1.5億`,
/// `1,000億`, and with what follows read as [`yen_in_kanji`] reads it, `1億2000万`, `1億2千万`,
/// `2億3456万7890`. What follows 億 must say its unit (万 or 千): `1億5000` is refused, since
/// many say it meaning 1億5000万.
fn yen_in_oku(s: &str) -> Option<i64> {
    let (oku, below) = s.split_once('億')?;
    if !below.is_empty() && !below.contains(['万', '千']) {
        return None;
    }
    let (whole, fraction) = split_number(oku)?;
    if fraction.is_empty() {
        return yen_in_kanji(&format!("{whole}億{below}"));
    }
    // `1.5億` stands alone: `1.5億2000万` mixes two ways of writing, and which was meant is not
    // the bot's to guess.
    if fraction.len() > 8 || !below.is_empty() {
        return None;
    }
    let yen: i64 = format!("{whole}{fraction:0<8}").parse().ok()?;
    (yen > 0).then_some(yen)
}

fn kanji_digit(c: char) -> Option<i64> {
    "〇一二三四五六七八九".chars().position(|k| k == c).map(|d| d as i64)
}

/// Yen in kanji numerals, as a formal text writes them: `十二万円`, `百五十万円`, `一億二千万円`,
/// `三千円` (arabic digits may stand for any kanji digit: `1億二千万`). Units must come in
/// descending order within and across 万 and 億 (`二千三百万`), else None: `万十` is no number.
fn yen_in_kanji(s: &str) -> Option<i64> {
    let mut total: i64 = 0;
    // The part below 万 being read, the digits typed since the last unit, and the units last
    // seen, so a unit out of order refuses the whole.
    let (mut section, mut digits): (i64, Option<i64>) = (0, None);
    let (mut last_small, mut last_big) = (i64::MAX, i64::MAX);
    for c in s.chars() {
        let small = match c {
            '十' => Some(10),
            '百' => Some(100),
            '千' => Some(1000),
            _ => None,
        };
        let big = match c {
            '万' => Some(10_000),
            '億' => Some(100_000_000),
            _ => None,
        };
        if let Some(d) = kanji_digit(c).or_else(|| c.to_digit(10).map(i64::from)) {
            digits = Some(digits.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
        } else if let Some(unit) = small {
            if unit >= last_small || digits.is_some_and(|d| d > 9) {
                return None;
            }
            section += digits.take().unwrap_or(1) * unit;
            last_small = unit;
        } else if let Some(unit) = big {
            section += digits.take().unwrap_or(0);
            if unit >= last_big || section == 0 || section >= 10_000 {
                return None;
            }
            total = total.checked_add(section.checked_mul(unit)?)?;
            (section, last_small, last_big) = (0, i64::MAX, unit);
        } else {
            return None;
        }
    }
    let ones = section + digits.unwrap_or(0);
    if ones >= 10_000 {
        return None;
    }
    let yen = total.checked_add(ones)?;
    (yen > 0).then_some(yen)
}

/// `1,200,000.50` → ("1200000", "50"). Separators must sit every three digits.
fn split_number(s: &str) -> Option<(String, String)> {
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) || (s.contains('.') && fraction.is_empty()) {
        return None;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let well_grouped = groups.iter().enumerate().all(|(i, g)| {
        !g.is_empty()
            && g.chars().all(|c| c.is_ascii_digit())
            && (i == 0 || g.len() == 3)
            && (i > 0 || groups.len() == 1 || g.len() <= 3)
    });
    if !well_grouped || whole.len() > 15 {
        return None;
    }
    Some((groups.concat(), fraction.to_string()))
}

/// Totals per payer and currency, in a stable order; amounts that did not parse are left out.
pub fn totals<'a>(
    costs: impl IntoIterator<Item = (Option<Money>, Option<Payer>)> + 'a,
) -> BTreeMap<(Payer, Currency), i64> {
    let mut out = BTreeMap::new();
    for (money, payer) in costs {
        if let (Some(m), Some(p)) = (money, payer) {
            let sum = out.entry((p, m.currency)).or_insert(0i64);
            *sum = sum.saturating_add(m.minor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yen(n: i64) -> Option<Money> {
        Some(Money {
            currency: Currency::Jpy,
            minor: n,
        })
    }

    #[test]
    fn amounts_as_written_become_currency_and_minor_units() {
        let table: &[(&str, Option<Money>)] = &[
            ("¥1,200,000", yen(1_200_000)),
            ("120万円", yen(1_200_000)),
            ("JPY 1200000", yen(1_200_000)),
            ("1,200,000円", yen(1_200_000)),
            ("12万", yen(120_000)),
            ("1.5万円", yen(15_000)),
            ("￥１，２００，０００", yen(1_200_000)),
            ("１２０万円", yen(1_200_000)),
            // As said aloud, and an estimate.
            ("12万5千円", yen(125_000)),
            ("12万5000円", yen(125_000)),
            ("120千円", yen(120_000)),
            ("約12万円", yen(120_000)),
            ("¥3万2千", yen(32_000)),
            // Damages counted in 億.
            ("3億円", yen(300_000_000)),
            ("1.5億円", yen(150_000_000)),
            ("１億２０００万円", yen(120_000_000)),
            ("1億2千万円", yen(120_000_000)),
            ("¥2億3456万7890", yen(234_567_890)),
            ("約1億円", yen(100_000_000)),
            ("1億5000", None),
            ("1,000億円", yen(100_000_000_000)),
            ("1億2千5百万円", yen(125_000_000)),
            // In kanji numerals, as a formal text writes them.
            ("十二万円", yen(120_000)),
            ("百五十万円", yen(1_500_000)),
            ("一億二千万円", yen(120_000_000)),
            ("三千円", yen(3_000)),
            ("¥五万", yen(50_000)),
            ("1億二千万円", yen(120_000_000)),
            ("二億三千四百五十六万七千八百九十円", yen(234_567_890)),
            ("万十円", None),
            ("十百円", None),
            ("五十五十円", None),
            ("$五十", None),
            ("1.5億2000万", None),
            ("1億10000万", None),
            ("$1億", None),
            ("億円", None),
            ("5千万円", yen(50_000_000)),
            ("3千万", yen(30_000_000)),
            ("¥5千万", yen(50_000_000)),
            ("1千5百万円", yen(15_000_000)),
            ("$5千万", None),
            ("12万12000円", None),
            ("12万5千1000円", None),
            ("$1万5千", None),
            (
                "$3,000.50",
                Some(Money {
                    currency: Currency::Usd,
                    minor: 300_050,
                }),
            ),
            (
                "USD 3000",
                Some(Money {
                    currency: Currency::Usd,
                    minor: 300_000,
                }),
            ),
            (
                "3000.5 USD",
                Some(Money {
                    currency: Currency::Usd,
                    minor: 300_050,
                }),
            ),
            (
                "€99.99",
                Some(Money {
                    currency: Currency::Eur,
                    minor: 9_999,
                }),
            ),
            ("EUR 1.000", None),
            ("1200", None),
            ("¥1,20,000", None),
            ("¥12.5", None),
            ("$3.005", None),
            ("$12万", None),
            ("¥", None),
            ("lots", None),
        ];
        for (text, want) in table {
            assert_eq!(parse_amount(text), *want, "{text}");
        }
    }

    /// A currency's letters are matched in upper case, where a letter may change length (`ſ`
    /// is two bytes, its `S` one): the amount is cut where the letters matched, as typed.
    #[test]
    fn a_currency_typed_with_a_letter_that_changes_length_in_upper_case_is_read_as_typed() {
        let usd = |minor| {
            Some(Money {
                currency: Currency::Usd,
                minor,
            })
        };
        assert_eq!(parse_amount("uſd100"), usd(10_000));
        assert_eq!(parse_amount("100uſd"), usd(10_000));
        assert_eq!(parse_amount("100 dollarſ"), usd(10_000));
        // No letter whose upper case changes length panics a read, wherever it is typed.
        let changing =
            ('\0'..=char::MAX).filter(|c| c.to_uppercase().map(char::len_utf8).sum::<usize>() != c.len_utf8());
        for c in changing {
            for text in ["USD100", "100usd", "US$100", "100 euros", "¥5万", "100円"] {
                for i in text.char_indices().map(|(i, _)| i).chain([text.len()]) {
                    let _ = parse_amount(&format!("{}{c}{}", &text[..i], &text[i..]));
                }
            }
        }
    }

    #[test]
    fn money_is_shown_with_its_symbol_and_separators() {
        assert_eq!(yen(1_200_000).unwrap().to_string(), "¥1,200,000");
        assert_eq!(
            Money {
                currency: Currency::Usd,
                minor: 300_050
            }
            .to_string(),
            "$3,000.50"
        );
        assert_eq!(
            Money {
                currency: Currency::Eur,
                minor: 5
            }
            .to_string(),
            "€0.05"
        );
    }

    #[test]
    fn payers_are_understood_in_both_languages() {
        for (text, want) in [
            ("ours", Some(Payer::Ours)),
            ("当社", Some(Payer::Ours)),
            ("Customer", Some(Payer::Customer)),
            ("お客様", Some(Payer::Customer)),
            ("other", Some(Payer::Other)),
            ("他社", Some(Payer::Other)),
            ("supplier", Some(Payer::Other)),
            ("customer's", Some(Payer::Customer)),
            ("折半", None),
            ("them", None),
        ] {
            assert_eq!(parse_payer(text), want, "{text}");
        }
    }

    #[test]
    fn totals_add_per_payer_and_currency_and_skip_unparsed_amounts() {
        let t = totals(vec![
            (yen(100), Some(Payer::Ours)),
            (yen(50), Some(Payer::Ours)),
            (
                Some(Money {
                    currency: Currency::Usd,
                    minor: 1,
                }),
                Some(Payer::Ours),
            ),
            (yen(7), Some(Payer::Customer)),
            (None, Some(Payer::Customer)),
            (yen(9), None),
        ]);
        assert_eq!(t.get(&(Payer::Ours, Currency::Jpy)), Some(&150));
        assert_eq!(t.get(&(Payer::Ours, Currency::Usd)), Some(&1));
        assert_eq!(t.get(&(Payer::Customer, Currency::Jpy)), Some(&7));
        assert_eq!(t.len(), 3);
    }

    /// A cost of nothing asks nobody's approval, so only nothing may read as zero: a half, an
    /// amount with thousands written ambiguously, or a typo is not "no cost".
    #[test]
    fn only_nothing_reads_as_a_zero_amount() {
        let table: &[(&str, bool)] = &[
            ("0", true),
            ("00", true),
            ("0.00", true),
            ("0.", true),
            ("０", true),
            ("０．０", true),
            (" 0 ", true),
            ("¥0", true),
            ("0円", true),
            ("$0", true),
            ("USD 0.00", true),
            ("0.5", false),
            ("0.01", false),
            ("$0.01", false),
            ("¥1", false),
            // Thousands or a decimal comma: which is it? Not nothing for sure, so not zero.
            ("0,000", false),
            ("0,5", false),
            ("", false),
            (".", false),
            (".0", false),
            ("-0", false),
            ("O", false),
            ("0 ours", false),
            ("10", false),
        ];
        for (text, zero) in table {
            assert_eq!(is_zero_amount(text), *zero, "{text:?}");
        }
    }
}
