//! Time zones written after a time, as a rep quotes the customer's: `17:00 CET`, `5pm New York`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

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
];

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
];

/// TEXT (already lower-cased and single-spaced) with the zone written at its end taken off:
/// `17:00 cet`, `17:00 (cet)`, `5pm new york`, `5pm new york time`, `17時 ドイツ時間`,
/// `17:00 europe/berlin`. None when it ends in no zone this reads.
pub fn split_zone(text: &str) -> Option<(&str, Tz)> {
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

/// The zone WORD names: an abbreviation, a place (with ` time`, or `時間` in Japanese, after it
/// or not), or an IANA name (`europe/berlin`, any case).
fn zone_named(word: &str) -> Option<Tz> {
    let word = word.trim();
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

/// Whether TEXT, not read as a time, ends in what looks meant as a zone this does not read: an
/// abbreviation of several zones (`CST`), one unknown (`17:00 AEST`), or `現地時間` / `local
/// time`, which name no place. The refusal then says how to name it.
pub fn unread_zone(text: &str) -> bool {
    let last = text.trim().rsplit([' ', '(', '（']).next().unwrap_or_default();
    let last = last.trim_end_matches([')', '）']);
    let abbreviation = (2..=5).contains(&last.len()) && last.bytes().all(|b| b.is_ascii_uppercase());
    abbreviation || last.ends_with("時間") || text.trim().to_lowercase().ends_with(" time")
}

/// The zone named so in a stored record (an IANA name), None for one this build does not know.
pub fn zone_of(name: &str) -> Option<Tz> {
    name.parse().ok()
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
        let berlin = Some(("17:00", Tz::Europe__Berlin));
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
            assert_eq!(split_zone(text), berlin, "{text}");
        }
        assert_eq!(split_zone("5pm new york"), Some(("5pm", Tz::America__New_York)));
        assert_eq!(
            split_zone("tomorrow 5pm est"),
            Some(("tomorrow 5pm", Tz::America__New_York))
        );
        assert_eq!(split_zone("9am pst"), Some(("9am", Tz::America__Los_Angeles)));
        assert_eq!(
            split_zone("mon 9:00 america/los_angeles"),
            Some(("mon 9:00", Tz::America__Los_Angeles))
        );
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

    #[test]
    fn a_zone_not_read_is_told_apart_from_a_time_not_read() {
        for text in [
            "17:00 CST",
            "5pm (IST)",
            "17:00 現地時間",
            "9am local time",
            "17:00 AEST",
        ] {
            assert!(unread_zone(text), "{text}");
        }
        for text in ["whenever", "after the meeting", "17h", "明日の午後"] {
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
