//! Time zones written with a time, as a rep quotes the customer's: `17:00 CET`, `5pm New York`, `CET 17:00`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, Utc};
use chrono_tz::Tz;

/// The customer's zone as written: a place's clock (`CET`, `Berlin`, `Europe/Berlin`), which
/// changes with the seasons, or a fixed offset (`UTC+1`, `GMT-5`, `UTC+05:30`), which does not
/// and is shown as such (`UTC+01:00`), never as a place it was not said to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Place(Tz),
    Offset(FixedOffset),
}

impl Zone {
    /// The name kept in the record: the IANA name, or the offset as shown (`UTC+05:30`).
    pub fn name(&self) -> String {
        match self {
            Zone::Place(tz) => tz.name().to_string(),
            Zone::Offset(offset) => offset_name(*offset),
        }
    }

    /// The zone's own clock at AT.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Place(tz) => at.with_timezone(tz).naive_local(),
            Zone::Offset(offset) => at.with_timezone(offset).naive_local(),
        }
    }

    /// Whether this clock reads as ours (TZ) at AT: our zone named (`JST`), or an offset equal
    /// to ours then (`UTC+9` typed in Tokyo). Either is our clock, so it is shown once, never
    /// again beside itself as the customer's.
    pub fn is_ours(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        match self {
            Zone::Place(place) => *place == tz,
            Zone::Offset(offset) => at.with_timezone(&tz).offset().fix() == *offset,
        }
    }

    /// The label shown after a time on this clock: `CET`/`CEST` as in force at AT, or the offset.
    pub fn label(&self, at: DateTime<Utc>) -> String {
        match self {
            Zone::Place(tz) => abbreviation(*tz, at),
            Zone::Offset(offset) => offset_name(*offset),
        }
    }
}

/// `UTC+01:00`, `UTC-05:00`, `UTC+05:30`.
fn offset_name(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// No clock on Earth is further than this from UTC (Kiribati, UTC+14:00).
const MAX_OFFSET_HOURS: u32 = 14;

/// WORD as an offset from UTC or GMT (`utc+1`, `gmt-5`, `utc+05:30`, `utc+0530`): Some(None)
/// when it is written as one but no clock shows it (`utc+15`, `utc+01:75`), None when it is
/// not written as one.
fn offset_written(word: &str) -> Option<Option<FixedOffset>> {
    let rest = word
        .strip_prefix("utc")
        .or_else(|| word.strip_prefix("gmt"))?
        .trim_start();
    let (sign, rest) = match rest.chars().next()? {
        '+' => (1, &rest[1..]),
        '-' => (-1, &rest[1..]),
        '−' => (-1, &rest['−'.len_utf8()..]),
        _ => return None,
    };
    let rest = rest.trim_start();
    let (hours, minutes) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        // `0530`; anything else of four bytes (`€1`) is no offset, and is never cut inside a
        // character.
        None if rest.len() == 4 && rest.is_ascii() => rest.split_at(2),
        None => (rest, "0"),
    };
    let digits = |d: &str| !d.is_empty() && d.len() <= 2 && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let (hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MAX_OFFSET_HOURS * 60 {
        return Some(None);
    }
    Some(FixedOffset::east_opt(sign * total as i32 * 60))
}

/// Abbreviations read as the wall clock of a place, whatever the season: `5pm EST` in July is
/// 17:00 in New York, as the customer who wrote it meant (and the time is shown back with the
/// abbreviation in force then, `EDT`). Those that name more than one zone (`CST`: Chicago or
/// China; `IST`: India, Israel or Ireland; `BST`, `AST`, `MST`) are left out, so they are
/// refused rather than guessed: the city says it.
const ABBREVIATIONS: &[(&str, Tz)] = &[
    ("jst", Tz::Asia__Tokyo),
    ("kst", Tz::Asia__Seoul),
    ("hkt", Tz::Asia__Hong_Kong),
    ("sgt", Tz::Asia__Singapore),
    ("cet", Tz::Europe__Berlin),
    ("cest", Tz::Europe__Berlin),
    ("mez", Tz::Europe__Berlin),
    ("mesz", Tz::Europe__Berlin),
    ("wet", Tz::Europe__Lisbon),
    ("west", Tz::Europe__Lisbon),
    ("eet", Tz::Europe__Athens),
    ("eest", Tz::Europe__Athens),
    ("utc", Tz::UTC),
    ("gmt", Tz::UTC),
    ("est", Tz::America__New_York),
    ("edt", Tz::America__New_York),
    ("et", Tz::America__New_York),
    ("cdt", Tz::America__Chicago),
    ("ct", Tz::America__Chicago),
    ("mdt", Tz::America__Denver),
    ("mt", Tz::America__Denver),
    ("pst", Tz::America__Los_Angeles),
    ("pdt", Tz::America__Los_Angeles),
    ("pt", Tz::America__Los_Angeles),
    // Well known and naming one zone each: left out, `due: fri 17:00 AEST` kept `AEST` in the
    // action's text and was due at our 17:00, hours off.
    // AEST and ACST are standard time all year (Brisbane, Darwin): read as Sydney's or
    // Adelaide's clock, a Brisbane customer's `17:00 AEST` would be an hour early in summer.
    ("aest", Tz::Australia__Brisbane),
    ("aedt", Tz::Australia__Sydney),
    ("aet", Tz::Australia__Sydney),
    ("acst", Tz::Australia__Darwin),
    ("acdt", Tz::Australia__Adelaide),
    ("awst", Tz::Australia__Perth),
    ("nzst", Tz::Pacific__Auckland),
    ("nzdt", Tz::Pacific__Auckland),
    ("msk", Tz::Europe__Moscow),
    ("wib", Tz::Asia__Jakarta),
    ("pht", Tz::Asia__Manila),
    ("pkt", Tz::Asia__Karachi),
    ("brt", Tz::America__Sao_Paulo),
    ("hst", Tz::Pacific__Honolulu),
    ("akst", Tz::America__Anchorage),
    ("akdt", Tz::America__Anchorage),
];

/// Abbreviations of one zone each whose lower-case form is an English word (`12:00 eat lunch`):
/// read only as written in capitals right next to a time (`fri 17:00 EAT`, `WAT 9am`), by
/// [`capitals_named`]. Left unread, `due: fri 17:00 EAT` kept `EAT` in the action's text and was
/// due at our 17:00, hours off. Not `CAT` (Caterpillar) nor `PET` (the resin), which a rep
/// writes in capitals after a time as often as a customer in Maputo or Lima would: `due: fri
/// 17:00 PET resin re-inspected` is due at our 17:00 with its words whole.
const CAPITALS: &[(&str, Tz)] = &[
    ("EAT", Tz::Africa__Nairobi),
    ("WAT", Tz::Africa__Lagos),
    ("ART", Tz::America__Argentina__Buenos_Aires),
    ("COT", Tz::America__Bogota),
];

/// TEXT as typed (before it is lower-cased), with each abbreviation of [`CAPITALS`] written in
/// capitals right after or before a time (`17:00 EAT`, `(EAT) 9am`) put as its IANA name, which
/// [`split_zone`] reads in any case. Anything else is left as it was: `12:00 eat lunch`, `QA`.
pub fn capitals_named(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let named = |i: usize, word: &str| {
        let bare = word.trim_matches(BRACKETS);
        let (_, zone) = CAPITALS.iter().find(|(name, _)| *name == bare)?;
        let after = i
            .checked_sub(1)
            .is_some_and(|p| ends_in_a_time(&words[p].to_lowercase()));
        let before = words.get(i + 1).is_some_and(|next| starts_a_time(next));
        (after || before).then(|| word.replace(bare, zone.name()))
    };
    words
        .iter()
        .enumerate()
        .map(|(i, word)| named(i, word).unwrap_or_else(|| word.to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Places a customer is said to be in, in English and Japanese (`ドイツ時間`, `Berlin time`).
const PLACES: &[(&str, Tz)] = &[
    ("tokyo", Tz::Asia__Tokyo),
    ("japan", Tz::Asia__Tokyo),
    ("日本", Tz::Asia__Tokyo),
    ("東京", Tz::Asia__Tokyo),
    ("seoul", Tz::Asia__Seoul),
    ("korea", Tz::Asia__Seoul),
    ("韓国", Tz::Asia__Seoul),
    ("shanghai", Tz::Asia__Shanghai),
    ("beijing", Tz::Asia__Shanghai),
    ("china", Tz::Asia__Shanghai),
    ("中国", Tz::Asia__Shanghai),
    ("上海", Tz::Asia__Shanghai),
    ("taipei", Tz::Asia__Taipei),
    ("台湾", Tz::Asia__Taipei),
    ("hong kong", Tz::Asia__Hong_Kong),
    ("香港", Tz::Asia__Hong_Kong),
    ("singapore", Tz::Asia__Singapore),
    ("シンガポール", Tz::Asia__Singapore),
    ("bangkok", Tz::Asia__Bangkok),
    ("タイ", Tz::Asia__Bangkok),
    ("berlin", Tz::Europe__Berlin),
    ("frankfurt", Tz::Europe__Berlin),
    ("munich", Tz::Europe__Berlin),
    ("münchen", Tz::Europe__Berlin),
    ("hamburg", Tz::Europe__Berlin),
    ("stuttgart", Tz::Europe__Berlin),
    ("düsseldorf", Tz::Europe__Berlin),
    ("germany", Tz::Europe__Berlin),
    ("german", Tz::Europe__Berlin),
    ("ドイツ", Tz::Europe__Berlin),
    ("ベルリン", Tz::Europe__Berlin),
    ("paris", Tz::Europe__Paris),
    ("france", Tz::Europe__Paris),
    ("フランス", Tz::Europe__Paris),
    ("amsterdam", Tz::Europe__Amsterdam),
    ("milan", Tz::Europe__Rome),
    ("madrid", Tz::Europe__Madrid),
    ("london", Tz::Europe__London),
    ("uk", Tz::Europe__London),
    ("英国", Tz::Europe__London),
    ("イギリス", Tz::Europe__London),
    ("ロンドン", Tz::Europe__London),
    ("new york", Tz::America__New_York),
    ("nyc", Tz::America__New_York),
    ("boston", Tz::America__New_York),
    ("detroit", Tz::America__Detroit),
    ("eastern", Tz::America__New_York),
    ("東部", Tz::America__New_York),
    ("米国東部", Tz::America__New_York),
    ("ニューヨーク", Tz::America__New_York),
    ("chicago", Tz::America__Chicago),
    ("dallas", Tz::America__Chicago),
    ("houston", Tz::America__Chicago),
    ("central", Tz::America__Chicago),
    ("中部", Tz::America__Chicago),
    ("米国中部", Tz::America__Chicago),
    ("シカゴ", Tz::America__Chicago),
    ("denver", Tz::America__Denver),
    ("los angeles", Tz::America__Los_Angeles),
    ("san francisco", Tz::America__Los_Angeles),
    ("san jose", Tz::America__Los_Angeles),
    ("seattle", Tz::America__Los_Angeles),
    ("california", Tz::America__Los_Angeles),
    ("pacific", Tz::America__Los_Angeles),
    ("太平洋", Tz::America__Los_Angeles),
    ("西海岸", Tz::America__Los_Angeles),
    ("米国西部", Tz::America__Los_Angeles),
    ("カリフォルニア", Tz::America__Los_Angeles),
    ("ロサンゼルス", Tz::America__Los_Angeles),
    ("toronto", Tz::America__Toronto),
    ("mexico city", Tz::America__Mexico_City),
    ("sydney", Tz::Australia__Sydney),
    ("シドニー", Tz::Australia__Sydney),
    ("melbourne", Tz::Australia__Melbourne),
    ("auckland", Tz::Pacific__Auckland),
    ("new zealand", Tz::Pacific__Auckland),
    ("moscow", Tz::Europe__Moscow),
];

/// Abbreviations of one zone each that are also words of a measure's text: `west` and `wet`,
/// and the tests a quality team names in capitals (`PT`, `MT`, `ET`: penetrant, magnetic
/// particle, eddy current; `CT`, the scan). Read as a zone after a time only where nothing of
/// the text follows them: see [`ends_in_a_word_zone`].
const WORD_ABBREVIATIONS: &[&str] = &["west", "wet", "pt", "mt", "et", "ct"];

/// Whether TEXT, a time read with the zone written after it, ends in a zone named by a word
/// that also starts the words of an action (`german`, `central`, `china`, `uk`, `new york`,
/// `ドイツ`, or one of [`WORD_ABBREVIATIONS`]), written as a word of its own. After a due time
/// with more of the action's text after it, such a word is that text (`due: fri 17:00 german
/// supplier audit`: due at our 17:00, "german supplier audit" kept): a rep who means the
/// customer's clock ends the date there, or writes `german time`, `ドイツ時間` or `(german)`,
/// all still read as the zone. An abbreviation that is no word (`CET`, `EST`) is the zone
/// wherever it is written.
pub fn ends_in_a_word_zone(text: &str) -> bool {
    let text = text.trim().to_lowercase();
    let mut names = PLACES
        .iter()
        .map(|(name, _)| *name)
        .chain(WORD_ABBREVIATIONS.iter().copied());
    // A word of its own: glued to its time (`金曜17時ドイツ`), a name is the zone, as typed.
    names.any(|name| {
        text.strip_suffix(name)
            .is_some_and(|before| before.is_empty() || before.ends_with(' '))
    })
}

/// TEXT (already lower-cased and single-spaced) with the zone written at its end taken off:
/// `17:00 cet`, `17:00 (cet)`, `5pm new york`, `5pm new york time`, `17時 ドイツ時間`,
/// `17:00 europe/berlin`, `17:00 utc+1`; or written right after the time, the day after it, as
/// a hurried rep types it (`5pm edt fri`, `17:00 cet on monday`). None when it names no zone
/// this reads.
pub fn split_zone(text: &str) -> Option<(String, Zone)> {
    // Glued as Japanese is typed, with no spaces (`月曜17時ドイツ時間`, `17:00（cet）月曜`): read
    // as if spaced, only when a zone is then found, so nothing else is read differently.
    split_spaced(text).or_else(|| split_spaced(&unglued(text)))
}

/// TEXT with a space put between a time and a bracket or a Japanese word glued to it, after
/// a closing bracket glued to what follows, and between a word and a time glued after it
/// (`ドイツ時間17時`, `cet17:00`).
fn unglued(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        // A zone glued before a time: only a zone's name, before what is unmistakably a time
        // (`17時`, `17:00`, `5pm`), so `12月2日17時` or `est5edt` are left whole.
        let time_follows = || starts_a_time(text[at..].split(' ').next().unwrap_or_default());
        if previous.is_alphabetic() && c.is_ascii_digit() && time_follows() {
            if let Some(zone_at) = zone_glued_last(&out) {
                if !out[..zone_at].ends_with(' ') && zone_at > 0 {
                    out.insert(zone_at, ' ');
                }
                out.push(' ');
            }
        }
        // `17時` is a time, `ドイツ時` is not.
        let time_word = out
            .strip_suffix(['時', '分'])
            .is_none_or(|before| before.ends_with(|d: char| d.is_ascii_digit()));
        let after_time = ends_in_a_time(&out) && time_word && (!c.is_ascii() || c == '(') && !matches!(c, '時' | '分');
        if c != ' ' && previous != ' ' && (after_time || matches!(previous, ')' | '）')) {
            out.push(' ');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// The most bytes a glued word holding a zone's name and the day before it takes
/// (`金曜ドイツ時間`, `(america/argentina/buenos_aires)`).
const LONGEST_GLUED_ZONE: usize = 64;

/// Where the zone's name that TEXT ends with starts: its last word (`cet`, `(cet)`), or the end
/// of a Japanese one (`金曜ドイツ時間`); None when it ends with none.
fn zone_glued_last(text: &str) -> Option<usize> {
    let start = text.rfind(' ').map_or(0, |space| space + 1);
    // No zone's name is longer (`america/argentina/buenos_aires`, `ニューヨーク時間`): a longer
    // glued run is no zone before a time, and looking through it at each digit would take time
    // growing with the cube of what was typed.
    if text.len() - start > LONGEST_GLUED_ZONE {
        return None;
    }
    text[start..].char_indices().map(|(i, _)| start + i).find(|&at| {
        // Inside an English word no name is looked for: `fricet` is no `cet`.
        let boundary = at == start || !text[..at].ends_with(|c: char| c.is_ascii());
        boundary && zone_named(text[at..].trim_matches(BRACKETS)).is_some()
    })
}

/// [`split_zone`] of TEXT as written.
fn split_spaced(text: &str) -> Option<(String, Zone)> {
    if let Some((rest, zone)) = zone_at_end(text) {
        return Some((rest.to_string(), zone));
    }
    // Only right after a time: elsewhere a word such as `central` or `uk` is not a zone. The
    // longest name first: `new york time`, not `new york` and a `time` left over.
    let words: Vec<&str> = text.split(' ').collect();
    (1..words.len())
        .find_map(|at| {
            let before = words[..at].join(" ");
            if !ends_in_a_time(&before) {
                return None;
            }
            (1..=3).rev().filter(|n| at + n < words.len()).find_map(|n| {
                let zone = zone_in_words(&words[at..at + n])?;
                Some((format!("{before} {}", words[at + n..].join(" ")), zone))
            })
        })
        .or_else(|| zone_before_a_time(&words))
}

/// [`split_zone`] of a zone written just before its time, as the rep reads it off the customer's
/// mail (`edt 5pm fri`, `cet 17:00`, `fri edt 5pm`, `ドイツ時間 17時`).
fn zone_before_a_time(words: &[&str]) -> Option<(String, Zone)> {
    (0..words.len()).find_map(|at| {
        (1..=3).rev().filter(|n| at + n < words.len()).find_map(|n| {
            if !starts_a_time(words[at + n]) {
                return None;
            }
            let zone = zone_in_words(&words[at..at + n])?;
            Some(([&words[..at], &words[at + n..]].concat().join(" "), zone))
        })
    })
}

/// Whether WORD is unmistakably a time of day (`17:00`, `5pm`, `17時`): a zone is read before
/// such a word only, so `pt 3 pcs` stays what it was.
fn starts_a_time(word: &str) -> bool {
    let word = word.to_lowercase();
    word.starts_with(|c: char| c.is_ascii_digit())
        && (word.contains(':') || ["am", "pm", "時", "分"].iter().any(|end| word.ends_with(end)))
}

/// Whether TEXT ends as a time of day is written: `17:00`, `5pm`, `5 pm`, `17時`, `1500`.
fn ends_in_a_time(text: &str) -> bool {
    text.ends_with(|c: char| c.is_ascii_digit())
        || ["am", "pm", "時", "分", "noon"].iter().any(|end| text.ends_with(end))
}

/// [`split_zone`] of a zone written last.
fn zone_at_end(text: &str) -> Option<(&str, Zone)> {
    let (rest, word) = match text.strip_suffix([')', '）']) {
        Some(inner) => {
            let open = inner.rfind(['(', '（'])?;
            (&inner[..open], &inner[open..])
        }
        None => {
            // The zone is the last word, or the last two (`new york`, `hong kong`).
            let spaces: Vec<usize> = text.match_indices(' ').map(|(i, _)| i).collect();
            return spaces.iter().rev().take(3).find_map(|&i| {
                let zone = zone_named(&text[i + 1..])?;
                Some((text[..i].trim_end(), zone))
            });
        }
    };
    let word = word.trim_start_matches(['(', '（']);
    Some((rest.trim_end(), zone_named(word)?))
}

/// The brackets a zone is written in (`(CET)`, `（CET）`), taken off before it is read.
const BRACKETS: [char; 4] = ['(', ')', '（', '）'];

/// The zone WORDS name together (`new york time`, `(cet)`), brackets taken off.
fn zone_in_words(words: &[&str]) -> Option<Zone> {
    zone_named(words.join(" ").trim_matches(BRACKETS))
}

/// The zone WORD names: an abbreviation, a place (with ` time`, or `時間` in Japanese, after it
/// or not), an IANA name (`europe/berlin`, any case), or an offset (`utc+1`).
fn zone_named(word: &str) -> Option<Zone> {
    let word = word.trim();
    if let Some(offset) = offset_written(word) {
        return offset.map(Zone::Offset);
    }
    place_named(word).map(Zone::Place)
}

/// The place WORD names, as [`zone_named`] reads it.
fn place_named(word: &str) -> Option<Tz> {
    let place = word
        .strip_suffix(" time")
        .or_else(|| word.strip_suffix("時間"))
        .unwrap_or(word)
        .trim_end();
    let listed = |list: &[(&str, Tz)], w: &str| list.iter().find(|(name, _)| *name == w).map(|(_, tz)| *tz);
    listed(ABBREVIATIONS, place)
        .or_else(|| listed(PLACES, place))
        .or_else(|| {
            // Only a name with a region (`Europe/Berlin`): chrono-tz's bare names (`EST`,
            // `CET`) are fixed offsets or old rules, read above as the places people mean.
            place.contains('/').then_some(())?;
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|tz| tz.name().eq_ignore_ascii_case(place))
                .copied()
        })
}

/// Whether TEXT, not read as a time, has what looks meant as a zone this does not read: an
/// abbreviation of several zones (`CST`), one unknown (`17:00 AZOT`), last or after the time
/// (`5pm CST fri`), or `現地時間` / `local time` last, which name no place. The refusal then
/// says how to name it.
pub fn unread_zone(text: &str) -> bool {
    let words: Vec<&str> = text.trim().split([' ', '(', '（']).collect();
    // The first word too when a time follows it (`CST 5pm fri`).
    let first = words.get(1).is_some_and(|next| starts_a_time(next));
    let abbreviation = words.iter().skip(usize::from(!first)).any(|word| {
        let word = word.trim_end_matches([')', '）']);
        // Capitals that are not zones: `5 PM`, `fri EOD`, `ASAP`.
        let other = ["AM", "PM", "EOD", "COB", "ASAP", "TBD"].contains(&word);
        (2..=5).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_uppercase()) && !other
    });
    let last = words.last().copied().unwrap_or_default().trim_end_matches([')', '）']);
    abbreviation || last.ends_with("時間") || text.trim().to_lowercase().ends_with(" time")
}

/// Abbreviations that name more than one zone, left out of [`ABBREVIATIONS`].
const SEVERAL_ZONES: &[&str] = &["cst", "ist", "bst", "ast", "mst"];

/// Whether WORD, written right after a time, is a zone meant but not read: an offset no clock
/// shows (`UTC+15`) or an abbreviation of several zones (`CST`). A date option reading up to
/// the time keeps it, so the refusal says why, rather than leaving it in the text.
pub fn zone_refused(word: &str) -> bool {
    let word = word.trim_matches(BRACKETS).to_lowercase();
    matches!(offset_written(&word), Some(None)) || SEVERAL_ZONES.contains(&word.as_str())
}

/// The written offset at the end of TEXT that no clock shows (`17:00 UTC+15`), as written, for
/// the refusal to name: it is not read as any zone, nor guessed at.
pub fn impossible_offset(text: &str) -> Option<&str> {
    let last = text
        .trim()
        .rsplit([' ', '(', '（'])
        .next()?
        .trim_end_matches([')', '）']);
    matches!(offset_written(&last.to_lowercase()), Some(None)).then_some(last)
}

/// The zone named so in a stored record (an IANA name or `UTC+01:00`), None for one this build
/// does not know.
pub fn zone_of(name: &str) -> Option<Zone> {
    match name.parse() {
        Ok(tz) => Some(Zone::Place(tz)),
        Err(_) => offset_written(&name.to_lowercase()).flatten().map(Zone::Offset),
    }
}

/// AT as the zone's own clock shows it, with the abbreviation in force then: `17:00 CET` in
/// winter, `17:00 CEST` in summer, so nobody has to know when that country changes its clocks.
pub fn abbreviation(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_written_after_a_time() {
        let berlin = Some(("17:00", Zone::Place(Tz::Europe__Berlin)));
        for text in [
            "17:00 cet",
            "17:00 cest",
            "17:00 (cet)",
            "17:00（cet）",
            "17:00 berlin",
            "17:00 berlin time",
            "17:00 europe/berlin",
            "17:00 ドイツ時間",
            "17:00 ドイツ",
            "17:00 german time",
        ] {
            assert_eq!(split_zone(text), berlin.map(|(t, z)| (t.to_string(), z)), "{text}");
        }
        // Before the time, spaced or glued as Japanese is typed.
        for (text, rest) in [
            ("ドイツ時間 17時", "17時"),
            ("ドイツ時間17時", "17時"),
            ("金曜 ドイツ時間17時", "金曜 17時"),
            ("金曜ドイツ時間17時", "金曜 17時"),
            ("午後3時ドイツ時間", "午後3時"),
            ("cet17:00 fri", "17:00 fri"),
        ] {
            assert_eq!(
                split_zone(text),
                Some((rest.to_string(), Zone::Place(Tz::Europe__Berlin))),
                "{text}"
            );
        }
        let place = |tz| Some(Zone::Place(tz));
        assert_eq!(split_zone("5pm new york").map(|s| s.1), place(Tz::America__New_York));
        assert_eq!(
            split_zone("tomorrow 5pm est"),
            Some(("tomorrow 5pm".to_string(), Zone::Place(Tz::America__New_York)))
        );
        assert_eq!(split_zone("9am pst").map(|s| s.1), place(Tz::America__Los_Angeles));
        assert_eq!(
            split_zone("mon 9:00 america/los_angeles").map(|s| s.1),
            place(Tz::America__Los_Angeles)
        );
        // After the time, before the day, as typed in a hurry; elsewhere a word is not a zone.
        let new_york = |rest: &str| Some((rest.to_string(), Zone::Place(Tz::America__New_York)));
        assert_eq!(split_zone("5pm edt fri"), new_york("5pm fri"));
        // Before the time, as read off the customer's mail; not before a number that is no time.
        assert_eq!(split_zone("edt 5pm fri"), new_york("5pm fri"));
        assert_eq!(split_zone("fri edt 17:00"), new_york("fri 17:00"));
        assert_eq!(split_zone("new york time 5pm"), new_york("5pm"));
        assert_eq!(split_zone("pt 3 pcs"), None);
        assert_eq!(split_zone("5 pm (est) on fri"), new_york("5 pm on fri"));
        assert_eq!(split_zone("5pm new york time tomorrow"), new_york("5pm tomorrow"));
        assert_eq!(split_zone("17:00 cst fri"), None);
        assert_eq!(split_zone("central fri 17:00"), None);
        // Abbreviations of more than one zone are refused rather than guessed; so is no zone.
        for text in [
            "17:00 cst",
            "17:00 ist",
            "17:00 bst",
            "17:00",
            "tomorrow 17:00",
            "17:00 現地時間",
            "17:00 est5edt",
        ] {
            assert_eq!(split_zone(text), None, "{text}");
        }
    }

    /// An offset is a clock of its own, kept and shown as written, and read back from the record.
    #[test]
    fn offsets_from_utc_are_fixed_zones_within_fourteen_hours() {
        let hours = |h: i32, m: i32| Zone::Offset(FixedOffset::east_opt(h * 3600 + m * 60).unwrap());
        for (text, zone, name) in [
            ("17:00 utc+1", hours(1, 0), "UTC+01:00"),
            ("17:00 gmt-5", hours(-5, 0), "UTC-05:00"),
            ("17:00 utc+05:30", hours(5, 30), "UTC+05:30"),
            ("17:00 (utc+0530)", hours(5, 30), "UTC+05:30"),
            ("17:00 utc −3", hours(-3, 0), "UTC-03:00"),
            ("17:00 utc+14", hours(14, 0), "UTC+14:00"),
        ] {
            assert_eq!(split_zone(text), Some(("17:00".to_string(), zone)), "{text}");
            assert_eq!(zone.name(), name);
            assert_eq!(zone_of(name), Some(zone), "{name}");
        }
        assert_eq!(zone_of("Europe/Berlin"), Some(Zone::Place(Tz::Europe__Berlin)));
        for text in ["17:00 UTC+15", "17:00 GMT-24", "17:00 (UTC+01:75)", "17:00 utc+1500"] {
            assert_eq!(split_zone(&text.to_lowercase()), None, "{text}");
            assert!(impossible_offset(text).is_some(), "{text}");
        }
        for text in ["17:00 UTC+1", "17:00 UTC", "17:00 CST", "utc+x"] {
            assert_eq!(impossible_offset(text), None, "{text}");
        }
        // Typed text after the sign is data: never cut inside a character, never a zone.
        for text in ["17:00 utc+€1", "17:00 utc+１２", "17:00 gmt-é5"] {
            assert_eq!(split_zone(text), None, "{text}");
            assert_eq!(impossible_offset(text), None, "{text}");
            assert!(!zone_refused(text), "{text}");
        }
        for word in ["UTC+15", "(cst)", "IST"] {
            assert!(zone_refused(word), "{word}");
        }
        for word in ["UTC+1", "CET", "QA", "pcs"] {
            assert!(!zone_refused(word), "{word}");
        }
    }

    /// An offset is ours when our clock shows it then: in Berlin `UTC+1` only in winter.
    #[test]
    fn an_offset_equal_to_ours_then_is_ours() {
        let winter = "2026-12-01T16:00:00Z".parse().unwrap();
        let summer = "2027-07-01T16:00:00Z".parse().unwrap();
        let plus = |h| Zone::Offset(FixedOffset::east_opt(h * 3600).unwrap());
        assert!(plus(9).is_ours(Tz::Asia__Tokyo, winter));
        assert!(!plus(1).is_ours(Tz::Asia__Tokyo, winter));
        assert!(plus(1).is_ours(Tz::Europe__Berlin, winter));
        assert!(!plus(1).is_ours(Tz::Europe__Berlin, summer));
        assert!(Zone::Place(Tz::Asia__Tokyo).is_ours(Tz::Asia__Tokyo, summer));
        // Another place on our clock is still the customer's: Seoul is named as theirs.
        assert!(!Zone::Place(Tz::Asia__Seoul).is_ours(Tz::Asia__Tokyo, summer));
    }

    /// Capitals that name one zone are read next to a time only, and only in capitals.
    #[test]
    fn capitals_that_are_words_in_lower_case_are_zones_only_in_capitals_by_a_time() {
        for (text, named) in [
            ("fri 17:00 EAT", "fri 17:00 Africa/Nairobi"),
            ("fri 17:00 PET resin", "fri 17:00 PET resin"),
            ("fri 17:00 CAT dealer", "fri 17:00 CAT dealer"),
            ("EAT 9am fri", "Africa/Nairobi 9am fri"),
            ("5 PM (WAT)", "5 PM (Africa/Lagos)"),
            ("12:00 ART", "12:00 America/Argentina/Buenos_Aires"),
            ("12:00 eat lunch", "12:00 eat lunch"),
            ("fri CAT check", "fri CAT check"),
            ("fri 17:00 QA", "fri 17:00 QA"),
        ] {
            assert_eq!(capitals_named(text), named, "{text}");
        }
        let lagos = split_zone(&capitals_named("5 PM (WAT)").to_lowercase()).map(|s| s.1);
        assert_eq!(lagos, Some(Zone::Place(Tz::Africa__Lagos)));
        assert_eq!(split_zone("12:00 eat lunch"), None);
    }

    #[test]
    fn a_zone_not_read_is_told_apart_from_a_time_not_read() {
        for text in [
            "17:00 CST",
            "5pm (IST)",
            "17:00 現地時間",
            "9am local time",
            "17:00 AZOT",
            "5pm CST fri",
            "fri 5pm (IST) please",
        ] {
            assert!(unread_zone(text), "{text}");
        }
        for text in [
            "whenever",
            "after the meeting",
            "17h",
            "明日の午後",
            "ASAP",
            "when ready PM",
        ] {
            assert!(!unread_zone(text), "{text}");
        }
    }

    #[test]
    fn the_abbreviation_is_the_one_in_force_then() {
        let winter = "2026-12-01T16:00:00Z".parse().unwrap();
        let summer = "2027-07-01T16:00:00Z".parse().unwrap();
        assert_eq!(abbreviation(Tz::Europe__Berlin, winter), "CET");
        assert_eq!(abbreviation(Tz::Europe__Berlin, summer), "CEST");
        assert_eq!(abbreviation(Tz::America__New_York, summer), "EDT");
        assert_eq!(abbreviation(Tz::Asia__Tokyo, summer), "JST");
    }
}
