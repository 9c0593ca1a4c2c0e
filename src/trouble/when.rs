//! Parsing the promised time of the next customer update ("15:00", "tomorrow 10:00", "2h").

use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::hours::{local_date, local_to_utc};
use super::zone::Zone;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("unrecognised time")]
    Unrecognised,
    #[error("in the past")]
    InPast,
    /// `17h` alone: as many reps write 17:00 as mean seventeen hours from now.
    #[error("{hour}h could be a time of day or a number of hours")]
    Ambiguous { hour: u32 },
    /// Further ahead than a promise may reach (decided by the core, not the parser).
    #[error("more than {days} days ahead")]
    TooFar { days: u32 },
}

/// Parses TEXT relative to `now` in timezone `tz`. Accepted forms (case-insensitive, full-width
/// digits/colon normalised to ASCII, surrounding spaces ignored):
///
/// - `15:00`, `9:30`, `3pm`, `15時`, `午後3時` → today at that local time; already past → InPast
/// - `tomorrow 10:00`, `明日 10:00`, `明日10:00`, `あした 10:00`, `明日の10時` → the next local day
/// - `today 15:00`, `今日 15:00`
/// - `mon 9:00` … `sun 9:00`, `monday 9:00`, `月曜 9:00`, `月 9:00` (火 水 木 金 土 日) → the next
///   such weekday: today if the time is still ahead today, else next week
/// - `2h`, `30m`, `90s`, `1h30m`, `1d`, `2時間`, `30分`, `2時間後`, `in 2h` → now + duration
/// - `2026-12-01 10:00`, `2026/12/01 10:00`, `12/01 10:00`, `12月1日 10:00`, optionally with the
///   weekday as in `12/01(火) 10:00` (a weekday that does not match the date is rejected) → that
///   local date and time; already past → InPast. Without a year, the year that puts the date
///   nearest to `now` is meant, so `1/5` typed in late December is next January.
///
/// Local times skipped by a daylight-saving jump mean the first instant after the jump.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, WhenError> {
    parse_when_opening(text, now, tz, None)
}

/// [`parse_when`], the morning of a promise (`明朝`, `朝一`: first thing) read as `opening`, the
/// business hours' local opening, when they are set (else 9:00).
pub fn parse_when_opening(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
    opening: Option<NaiveTime>,
) -> Result<DateTime<Utc>, WhenError> {
    // `明朝` is tomorrow morning in one word.
    let text = tidy(text).replace("明朝", "明日 朝");
    // `17:00 CET`: the customer's clock, read in their zone (their morning is no opening of ours).
    // A time of day alone is the next time their clock shows it: typed on a Monday morning in
    // Tokyo, `5pm EST` is Monday's 5pm in New York, where it is still Sunday evening; refused
    // as past, the rep would be told their customer's Monday is over before it began.
    if let Some((rest, zone)) = super::zone::split_zone(&text) {
        return match zone {
            Zone::Place(zone) => parse_on_their_clock(&rest, now, zone),
            // A fixed offset is UTC's clock moved by it: read there, and moved back.
            Zone::Offset(offset) => {
                let shift = chrono::Duration::seconds(offset.local_minus_utc().into());
                parse_on_their_clock(&rest, now + shift, Tz::UTC).map(|at| at - shift)
            }
        };
    }
    // `at 3pm`, `by 3pm`: the word says nothing the time does not, except that `at 1500` is a
    // time, where `1500` alone could be a quantity or a year.
    let (text, led) = match ["at ", "by "].iter().find_map(|lead| text.strip_prefix(lead)) {
        Some(rest) => (rest.to_string(), true),
        None => (text, false),
    };
    if let Some(hour) = clock_hour_or_hours(&text) {
        return Err(WhenError::Ambiguous { hour });
    }
    if let Some(duration) = relative(&text) {
        let duration = chrono::Duration::from_std(duration).map_err(|_| WhenError::Unrecognised)?;
        return now.checked_add_signed(duration).ok_or(WhenError::Unrecognised);
    }
    let four_digits = || Some((DaySpec::Today, four_digit_time(&text)?)).filter(|_| led);
    let (day, time) = day_and_time(&text)
        .or_else(|| time_then_day(&text))
        .or_else(|| promised_part_of_day(&text, opening))
        .or_else(four_digits)
        .ok_or(WhenError::Unrecognised)?;
    resolve(day, time, now, tz)
}

/// TEXT, a time the customer's clock shows, read in ZONE (see `parse_when_opening`).
fn parse_on_their_clock(text: &str, now: DateTime<Utc>, zone: Tz) -> Result<DateTime<Utc>, WhenError> {
    let alone = ["at ", "by "].iter().find_map(|lead| text.strip_prefix(lead));
    let time = time_of_day(text).or_else(|| alone.and_then(|t| time_of_day(t).or_else(|| four_digit_time(t))));
    match (parse_when_opening(text, now, zone, None), time) {
        (Err(WhenError::InPast), Some(time)) => resolve(DaySpec::Tomorrow, time, now, zone),
        (read, _) => read,
    }
}

/// The zone written at the end of a time (`17:00 CET`, `5pm New York`, `17:00 UTC+1`), which
/// `parse_when` reads it in; None when it names none.
pub fn written_zone(text: &str) -> Option<Zone> {
    let text = tidy(text);
    super::zone::split_zone(&text).map(|(_, zone)| zone)
}

/// A day alone, as a due date names it: the day it means (a weekday, the next one after today;
/// a month and day without a year, the one nearest to `today`, as `parse_when` reads it, so
/// `11/27` typed on 30 November is the day just past, for the caller to refuse, never a date a
/// year on). The forms `parse_when` reads before a time: `tmrw`, `thurs`, `next fri`, `Dec 5`,
/// `5 Dec`, `明後日`, `来週金曜`.
pub fn day_ahead(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = tidy(text);
    let text = text.strip_prefix("by ").unwrap_or(&text);
    match day_alone(text)? {
        DaySpec::Today => Some(today),
        DaySpec::Tomorrow => today.checked_add_days(Days::new(1)),
        DaySpec::DayAfterTomorrow => today.checked_add_days(Days::new(2)),
        DaySpec::NextWeek(weekday) => in_next_week(today, weekday),
        DaySpec::Weekday(weekday) | DaySpec::ComingWeekday(weekday) => coming_weekday(today, weekday),
        DaySpec::Date(date, weekday) => named(date, weekday),
        DaySpec::MonthDay(month, day, weekday) => named(nearest_year(today, month, day)?, weekday),
    }
}

/// MONTH/DAY in the year that puts it nearest to TODAY: `1/5` typed in late December is next
/// January, `12/20` typed on 5 January the December just past.
fn nearest_year(today: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    [today.year() - 1, today.year(), today.year() + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|date| (*date - today).num_days().abs())
}

/// The first day after TODAY that is WEEKDAY (a week on when today is one).
pub(super) fn coming_weekday(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let days = (6 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7 + 1;
    today.checked_add_days(Days::new(u64::from(days)))
}

/// DATE, unless the weekday written beside it (`12/01(火)`) is another day's.
fn named(date: NaiveDate, weekday: Option<Weekday>) -> Option<NaiveDate> {
    match weekday {
        Some(w) if w != date.weekday() => None,
        _ => Some(date),
    }
}

/// What people add around a time in chat, taken away: quotes (`“3pm”`), a full stop
/// (`15:00.`), the dots of `p.m.`; then `normalise`, after `capitals_named`.
pub(super) fn tidy(text: &str) -> String {
    // `17:00 CAT` is read before lower case makes it a word (`12:00 eat lunch`).
    let text = normalise(&super::zone::capitals_named(text));
    let text = text.trim_matches(super::markup::QUOTES);
    let text = text.replace("a.m.", "am").replace("p.m.", "pm");
    let text = text.trim_end_matches(['.', ',', '!', '。']);
    let text = text
        .strip_suffix(" a.m")
        .map(|t| format!("{t} am"))
        .or_else(|| text.strip_suffix(" p.m").map(|t| format!("{t} pm")))
        .unwrap_or_else(|| text.to_string());
    text.trim().to_string()
}

/// `3pm tomorrow`, `3 pm fri`, `15:00 12/5`: a time first, then the day it falls on.
fn time_then_day(text: &str) -> Option<(DaySpec, NaiveTime)> {
    let words: Vec<&str> = text.split(' ').collect();
    (1..words.len()).find_map(|n| {
        let time = time_of_day(&words[..n].join(" "))?;
        let day = words[n..].join(" ");
        let day = day.strip_prefix("on ").unwrap_or(&day);
        Some((day_alone(day)?, time))
    })
}

/// `0900`, `1500`: a time written as four digits, read only where a time is expected (after a
/// day, or `at`), since alone it could as well be a quantity.
fn four_digit_time(text: &str) -> Option<NaiveTime> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(text[..2].parse().ok()?, text[2..].parse().ok()?, 0)
}

/// `10h` to `23h` alone: an hour of the clock in the way much of the world writes it (`17h`),
/// or that many hours from now; read either way, a wrong guess would silence the nudges or
/// promise the customer a time in the night. `in 17h`, `17:00` and `9h` say which.
fn clock_hour_or_hours(text: &str) -> Option<u32> {
    let hour: u32 = text.strip_suffix('h').filter(|n| n.len() == 2)?.parse().ok()?;
    (10..=23).contains(&hour).then_some(hour)
}

/// When something happened, as far as the person knows it: a moment, or only the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Past {
    At(DateTime<Utc>),
    /// A moment written on the customer's clock (`11/28 17:00 CET`), which the record shows too.
    AtTheirs(DateTime<Utc>, Zone),
    Day(NaiveDate),
}

/// Days back the words for a recent past day mean.
const DAYS_AGO: &[(&str, u64)] = &[
    ("yesterday", 1),
    ("昨日", 1),
    ("きのう", 1),
    ("一昨日", 2),
    ("おととい", 2),
];

/// When something happened (a fact's `occurred`, written into the report and the 8D the
/// customer reads): a date (`2026-11-28 10:00`, `11/28 10:00`, `11月28日 10:00`; without a year,
/// the one nearest to `now`, refused when that is still ahead), a time today or yesterday (`10:00`, `today 10:00`,
/// `昨日 15時`), or the day alone when the time is not known (`11/28`, `yesterday`, `昨日`),
/// never after `now`. Forms that only mean something relative to when they were typed (`2h`,
/// `tomorrow`, a weekday) are refused: kept as typed, they would read as nonsense in the
/// document later, while `yesterday` is kept as the date it meant.
///
/// A zone may be written as for a promise (`11/28 17:00 CET`, `5pm EST yesterday`): the moment
/// is read on that clock, a day alone (`11/28 CET`) is the customer's day as they gave it.
pub fn parse_past(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Past, WhenError> {
    let text = tidy(text);
    let Some((rest, zone)) = super::zone::split_zone(&text) else {
        return past_on(&text, now, tz);
    };
    let theirs = |past| match past {
        Past::At(at) if !zone.is_ours(tz, at) => Past::AtTheirs(at, zone),
        past => past,
    };
    match zone {
        Zone::Place(zone) => past_on(&rest, now, zone).map(theirs),
        // A fixed offset is UTC's clock moved by it, as for a promise.
        Zone::Offset(offset) => {
            let shift = chrono::Duration::seconds(offset.local_minus_utc().into());
            let past = past_on(&rest, now + shift, Tz::UTC)?;
            Ok(theirs(match past {
                Past::At(at) => Past::At(at - shift),
                past => past,
            }))
        }
    }
}

/// [`parse_past`] of TEXT, tidied and with no zone, on the clock of TZ.
fn past_on(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Past, WhenError> {
    use WhenError::Unrecognised;
    let text = text.to_string();
    if relative(&text).is_some() {
        return Err(Unrecognised);
    }
    let today = local_date(tz, now);
    let (day, time) = past_day_and_time(&text, today).ok_or(Unrecognised)?;
    // DATE (at TIME, when known), if it has come by `now`.
    let happened = |date: NaiveDate| match time {
        Some(time) => local_to_utc(tz, date.and_time(time))
            .filter(|at| *at <= now)
            .map(Past::At),
        None => (date <= today).then_some(Past::Day(date)),
    };
    let past = match day {
        DaySpec::Today => happened(today),
        DaySpec::Date(date, weekday) => named(date, weekday).and_then(happened),
        // Without a year, the year that puts the date nearest to today, as `parse_when` reads
        // it: `12/5` typed on 30 November is this December, ahead and so refused, not a
        // December a year gone; `12/20` typed on 5 January is the December just past.
        DaySpec::MonthDay(month, day, weekday) => nearest_year(today, month, day)
            .and_then(|date| named(date, weekday))
            .and_then(happened),
        DaySpec::Tomorrow
        | DaySpec::DayAfterTomorrow
        | DaySpec::Weekday(_)
        | DaySpec::ComingWeekday(_)
        | DaySpec::NextWeek(_) => return Err(Unrecognised),
    };
    past.ok_or(Unrecognised)
}

/// The day and, when given, the time of TEXT read as a past moment; `yesterday` and the like
/// come back as the date they mean.
fn past_day_and_time(text: &str, today: NaiveDate) -> Option<(DaySpec, Option<NaiveTime>)> {
    let alone = |rest: &str| rest.trim().is_empty();
    for (word, back) in DAYS_AGO {
        if let Some(rest) = text.strip_prefix(word) {
            let date = today.checked_sub_days(Days::new(*back))?;
            let time = if alone(rest) { None } else { Some(time_after(rest)?) };
            return Some((DaySpec::Date(date, None), time));
        }
    }
    // `今朝` (this morning), `今日`: today, the time not known.
    if TODAY.contains(&text.trim()) || matches!(text.trim(), "今朝" | "this morning") {
        return Some((DaySpec::Today, None));
    }
    // `先週金曜` (`last fri`): that weekday of last week, with its time when given.
    let last_week = ["先週の", "先週", "last "].iter().find_map(|w| text.strip_prefix(w));
    if let Some((weekday, rest)) = last_week.and_then(|after| {
        weekday_prefixes(after)
            .into_iter()
            .find(|(_, rest)| alone(rest) || time_after(rest).is_some())
    }) {
        let monday = today - Days::new(today.weekday().num_days_from_monday().into());
        let date = monday.checked_sub_days(Days::new(7 - u64::from(weekday.num_days_from_monday())))?;
        let time = if alone(rest) { None } else { time_after(rest) };
        return Some((DaySpec::Date(date, None), time));
    }
    let dates = [date_prefix(text), month_name_date(text)];
    if let Some((day, _)) = dates.into_iter().flatten().find(|(_, rest)| alone(rest)) {
        return Some((day, None));
    }
    day_and_time(text).map(|(day, time)| (day, Some(time)))
}

/// Parses a duration like "90s", "15m", "4h", "1d", "1h30m" (the config format). Zero and empty
/// are errors; overflow is an error, never a panic.
///
/// Units must come largest first and at most once each, so a typo like "30m1h" is caught.
/// Anything over 10,000 years counts as overflow, so that callers can convert the result to a
/// `chrono::Duration` and add it to any present-day instant without overflowing in turn.
pub fn parse_duration(text: &str) -> Option<Duration> {
    sum_units(text.trim(), CONFIG_UNITS, false)
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
const MAX_SECONDS: u64 = 10_000 * 366 * DAY;

/// (spelling, seconds).
const CONFIG_UNITS: &[(&str, u64)] = &[("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1)];

/// Within one unit the longer spellings come first, since the first spelling that prefixes the
/// text wins ("min" must not be read as "m" followed by garbage).
const CHAT_UNITS: &[(&str, u64)] = &[
    ("days", DAY),
    ("day", DAY),
    ("d", DAY),
    ("日", DAY),
    ("hours", HOUR),
    ("hour", HOUR),
    ("hrs", HOUR),
    ("hr", HOUR),
    ("h", HOUR),
    ("時間", HOUR),
    ("minutes", MINUTE),
    ("minute", MINUTE),
    ("mins", MINUTE),
    ("min", MINUTE),
    ("m", MINUTE),
    ("分", MINUTE),
    ("seconds", 1),
    ("second", 1),
    ("secs", 1),
    ("sec", 1),
    ("s", 1),
    ("秒", 1),
];

/// Sums `<number><unit>` pieces. `spaced` lets people write "1h 30m" or "2 hours" in chat.
fn sum_units(text: &str, units: &[(&str, u64)], spaced: bool) -> Option<Duration> {
    let mut rest = text;
    let mut total: u64 = 0;
    let mut previous_unit = u64::MAX;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let count: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        if spaced {
            rest = rest.trim_start();
        }
        let &(name, seconds) = units.iter().find(|(name, _)| rest.starts_with(name))?;
        if seconds >= previous_unit {
            return None;
        }
        previous_unit = seconds;
        total = total.checked_add(count.checked_mul(seconds)?)?;
        rest = &rest[name.len()..];
        if spaced {
            rest = rest.trim_start();
        }
    }
    (1..=MAX_SECONDS).contains(&total).then(|| Duration::from_secs(total))
}

/// Full-width forms are what a Japanese IME produces by default; lower case and single spaces
/// let the grammar below stay small.
fn normalise(text: &str) -> String {
    let mapped: String = text
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn relative(text: &str) -> Option<Duration> {
    let text = text.strip_prefix("in ").unwrap_or(text);
    let text = text
        .strip_suffix("後")
        .or_else(|| text.strip_suffix(" later"))
        .unwrap_or(text);
    sum_units(text, CHAT_UNITS, true)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum DaySpec {
    Today,
    Tomorrow,
    Weekday(Weekday),
    /// `next fri`: the coming such weekday, never today (not the one of the week after).
    ComingWeekday(Weekday),
    /// `明後日`: the day after tomorrow.
    DayAfterTomorrow,
    /// `来週月曜`: that weekday in the calendar week after this one (Monday to Sunday).
    NextWeek(Weekday),
    /// A full date, with the weekday the text named alongside it, if any.
    Date(NaiveDate, Option<Weekday>),
    /// Month and day without a year.
    MonthDay(u32, u32, Option<Weekday>),
}

const TODAY: &[&str] = &["today", "今日", "きょう", "本日"];
const TOMORROW: &[&str] = &["tomorrow", "tmrw", "tmr", "明日", "あした", "あす"];
const DAY_AFTER_TOMORROW: &[&str] = &["day after tomorrow", "明後日", "あさって"];

/// (name, month); a name must end at a space, a dot or a digit (`mar` is not `march`'s start).
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const ENGLISH_WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("weds", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sat", Weekday::Sat),
    ("sunday", Weekday::Sun),
    ("sun", Weekday::Sun),
];

const JAPANESE_WEEKDAYS: &[(&str, Weekday)] = &[
    ("月", Weekday::Mon),
    ("火", Weekday::Tue),
    ("水", Weekday::Wed),
    ("木", Weekday::Thu),
    ("金", Weekday::Fri),
    ("土", Weekday::Sat),
    ("日", Weekday::Sun),
];

/// Every way `text` can start with a weekday name, with what follows it. All are returned
/// because "日" alone, "日曜" and "日曜日" are all names and only the rest decides which fits.
fn weekday_prefixes(text: &str) -> Vec<(Weekday, &str)> {
    let mut found = Vec::new();
    for &(name, weekday) in ENGLISH_WEEKDAYS {
        if let Some(rest) = text.strip_prefix(name) {
            found.push((weekday, rest));
        }
    }
    for &(name, weekday) in JAPANESE_WEEKDAYS {
        let Some(rest) = text.strip_prefix(name) else { continue };
        found.push((weekday, rest));
        let Some(rest) = rest.strip_prefix("曜") else { continue };
        found.push((weekday, rest));
        if let Some(rest) = rest.strip_prefix("日") {
            found.push((weekday, rest));
        }
    }
    found
}

/// TEXT as a weekday and nothing else: `fri`, `friday`, `金`, `金曜`, `金曜日`.
pub(super) fn weekday_alone(text: &str) -> Option<Weekday> {
    weekday_prefixes(text)
        .into_iter()
        .find_map(|(weekday, rest)| rest.is_empty().then_some(weekday))
}

fn day_and_time(text: &str) -> Option<(DaySpec, NaiveTime)> {
    if let Some(time) = time_of_day(text) {
        return Some((DaySpec::Today, time));
    }
    day_prefixes(text)
        .into_iter()
        .find_map(|(day, rest)| Some((day, time_after(rest)?)))
}

/// A part of the day a Japanese promise names, perhaps after its day (`明日午後`, `明日の夕方`,
/// `明朝`): read by its end, as `午前中` is by noon (`午前` by 12:00, `午後` by 17:00, `夕方` by
/// 18:00), but the morning from its start (`朝`, `朝一`: first thing, at `opening` when the
/// business hours set one, else 9:00). Only for what is promised: a fact's past moment is never
/// guessed from a part of the day.
fn promised_part_of_day(text: &str, opening: Option<NaiveTime>) -> Option<(DaySpec, NaiveTime)> {
    let part = |t: &str| {
        let hour = match t.trim().trim_start_matches('の').trim() {
            "朝" | "朝一" | "朝イチ" => return opening.or(NaiveTime::from_hms_opt(9, 0, 0)),
            "午前" => 12,
            "午後" => 17,
            "夕方" => 18,
            _ => return None,
        };
        NaiveTime::from_hms_opt(hour, 0, 0)
    };
    part(text).map(|t| (DaySpec::Today, t)).or_else(|| {
        day_prefixes(text)
            .into_iter()
            .find_map(|(day, rest)| Some((day, part(rest)?)))
    })
}

/// TEXT as a day and nothing else (`tomorrow`, `fri`, `next fri`, `12/5`, `Dec 5`).
fn day_alone(text: &str) -> Option<DaySpec> {
    day_prefixes(text)
        .into_iter()
        .find_map(|(day, rest)| rest.trim().is_empty().then_some(day))
}

/// Every way TEXT can start with a day, with what follows it.
fn day_prefixes(text: &str) -> Vec<(DaySpec, &str)> {
    let mut found = Vec::new();
    let words = TODAY
        .iter()
        .map(|w| (DaySpec::Today, *w))
        .chain(TOMORROW.iter().map(|w| (DaySpec::Tomorrow, *w)))
        .chain(DAY_AFTER_TOMORROW.iter().map(|w| (DaySpec::DayAfterTomorrow, *w)));
    for (day, word) in words {
        if let Some(rest) = text.strip_prefix(word) {
            found.push((day, rest));
        }
    }
    for (weekday, rest) in weekday_prefixes(text) {
        found.push((DaySpec::Weekday(weekday), rest));
    }
    // "next" means the coming one: `next fri` on a Monday is this week's Friday, on a Friday
    // the Friday a week on, never today.
    if let Some(after) = text.strip_prefix("next ") {
        for (weekday, rest) in weekday_prefixes(after) {
            found.push((DaySpec::ComingWeekday(weekday), rest));
        }
    }
    // `来週月曜`, `来週の金曜日`: the week after this one, as Japanese counts weeks.
    if let Some(after) = text.strip_prefix("来週") {
        let after = after.strip_prefix("の").unwrap_or(after);
        for (weekday, rest) in weekday_prefixes(after) {
            found.push((DaySpec::NextWeek(weekday), rest));
        }
    }
    found.extend(month_name_date(text));
    found.extend(date_prefix(text));
    found
}

/// WEEKDAY in the calendar week (Monday to Sunday) after the one TODAY is in.
fn in_next_week(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    coming_weekday(today, Weekday::Mon)?.checked_add_days(Days::new(weekday.num_days_from_monday().into()))
}

/// A month's name at the start of TEXT, and what follows it.
fn month_at(text: &str) -> Option<(u32, &str)> {
    MONTHS.iter().find_map(|&(name, month)| {
        let rest = text.strip_prefix(name)?;
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        (rest.is_empty() || rest.starts_with(|c: char| c == ' ' || c == ',' || c.is_ascii_digit()))
            .then_some((month, rest))
    })
}

/// `dec 5`, `december 5th`, `dec. 5`, `5 dec`, `5th december`.
fn month_name_date(text: &str) -> Option<(DaySpec, &str)> {
    let ordinal = |scan: &mut Scan<'_>| {
        for suffix in ["st", "nd", "rd", "th"] {
            if scan.eat(suffix) {
                break;
            }
        }
    };
    if let Some((month, rest)) = month_at(text) {
        let mut scan = Scan(rest);
        scan.space();
        let day = scan.number(1, 2)?;
        ordinal(&mut scan);
        scan.eat(",");
        return Some((DaySpec::MonthDay(month, day, None), scan.0));
    }
    let mut scan = Scan(text);
    let day = scan.number(1, 2)?;
    ordinal(&mut scan);
    scan.space();
    let (month, rest) = month_at(scan.0)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    Some((DaySpec::MonthDay(month, day, None), rest))
}

/// The time that follows a day, allowing the joining words people put between the two.
fn time_after(rest: &str) -> Option<NaiveTime> {
    let rest = rest.trim_start();
    let rest = ["at ", "の"]
        .iter()
        .find_map(|joint| rest.strip_prefix(joint))
        .unwrap_or(rest);
    let rest = rest.trim_start();
    time_of_day(rest).or_else(|| four_digit_time(rest))
}

/// A tiny cursor; every method leaves it where it was when it fails.
struct Scan<'a>(&'a str);

impl Scan<'_> {
    fn eat(&mut self, literal: &str) -> bool {
        match self.0.strip_prefix(literal) {
            Some(rest) => {
                self.0 = rest;
                true
            }
            None => false,
        }
    }

    fn space(&mut self) {
        self.0 = self.0.trim_start_matches(' ');
    }

    /// A number written with `min..=max` digits; more digits than `max` is not this number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let digits = self.0.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&digits) {
            return None;
        }
        let value = self.0[..digits].parse().ok()?;
        self.0 = &self.0[digits..];
        Some(value)
    }

    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Meridiem {
    None,
    Am,
    Pm,
}

/// "15:00", "9:30", "3pm", "3:30 pm", "15時", "15時30分", "3時半", "午後3時".
fn time_of_day(text: &str) -> Option<NaiveTime> {
    // `午前中` (within the morning), as a promise is often made in Japanese: by noon.
    if matches!(text, "noon" | "12 noon" | "midday" | "正午" | "午前中") {
        return NaiveTime::from_hms_opt(12, 0, 0);
    }
    let mut scan = Scan(text);
    let mut meridiem = if scan.eat("午前") {
        Meridiem::Am
    } else if scan.eat("午後") {
        Meridiem::Pm
    } else {
        Meridiem::None
    };
    let hour = scan.number(1, 2)?;
    let minute = if scan.eat(":") {
        scan.number(2, 2)?
    } else if scan.0.starts_with('.')
        && scan.0[1..]
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with(['a', 'p'])
    {
        // `9.30am`: a dot between hour and minute only with am/pm after, since `1.5` alone
        // reads as a fraction.
        scan.eat(".");
        scan.number(2, 2)?
    } else if scan.eat("時") {
        if scan.eat("半") {
            30
        } else if let Some(minute) = scan.number(1, 2) {
            scan.eat("分").then_some(minute)?
        } else {
            0
        }
    } else {
        // A bare number is too ambiguous to be a time unless "am"/"pm" follows.
        scan.space();
        if meridiem == Meridiem::None && !scan.0.starts_with(['a', 'p']) {
            return None;
        }
        0
    };
    scan.space();
    if meridiem == Meridiem::None {
        if scan.eat("am") {
            meridiem = Meridiem::Am;
        } else if scan.eat("pm") {
            meridiem = Meridiem::Pm;
        }
    }
    if !scan.done() {
        return None;
    }
    let hour = match meridiem {
        Meridiem::None => hour,
        _ if !(1..=12).contains(&hour) => return None,
        Meridiem::Am => hour % 12,
        Meridiem::Pm => hour % 12 + 12,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// "2026-12-01", "2026/12/01", "12/01", "2026年12月1日", "12月1日", each optionally followed by
/// the weekday in parentheses as Japanese writers add it: "12/01(火)".
fn date_prefix(text: &str) -> Option<(DaySpec, &str)> {
    let mut scan = Scan(text);
    let first = scan.number(1, 4)?;
    let full_year = text.bytes().take_while(u8::is_ascii_digit).count() == 4;
    let day = if full_year && (scan.eat("-") || scan.eat("/")) {
        let separator = &text[4..5];
        let month = scan.number(1, 2)?;
        if !scan.eat(separator) {
            return None;
        }
        let day = scan.number(1, 2)?;
        DaySpec::Date(NaiveDate::from_ymd_opt(i32::try_from(first).ok()?, month, day)?, None)
    } else if full_year && scan.eat("年") {
        let month = scan.number(1, 2)?;
        let day = scan.eat("月").then(|| scan.number(1, 2)).flatten()?;
        if !scan.eat("日") {
            return None;
        }
        DaySpec::Date(NaiveDate::from_ymd_opt(i32::try_from(first).ok()?, month, day)?, None)
    } else if !full_year && scan.eat("/") {
        DaySpec::MonthDay(first, scan.number(1, 2)?, None)
    } else if !full_year && scan.eat("月") {
        let day = scan.number(1, 2)?;
        if !scan.eat("日") {
            return None;
        }
        DaySpec::MonthDay(first, day, None)
    } else {
        return None;
    };
    let mut day = day;
    if let DaySpec::Date(_, named) | DaySpec::MonthDay(_, _, named) = &mut day {
        *named = weekday_in_parentheses(&mut scan);
    }
    // ISO 8601 joins date and time with a "T" (lower-cased by `normalise`).
    let rest = scan
        .0
        .strip_prefix('t')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    Some((day, rest.unwrap_or(scan.0)))
}

/// TIDY text without the weekdays written in parentheses beside its dates (`12/2(水)`).
pub(super) fn without_weekday_note(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..];
        match weekday_prefixes(inner)
            .into_iter()
            .find_map(|(_, after)| after.strip_prefix(')'))
        {
            Some(after) => rest = after,
            None => {
                out.push('(');
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

fn weekday_in_parentheses(scan: &mut Scan<'_>) -> Option<Weekday> {
    let inner = scan.0.trim_start().strip_prefix('(')?;
    let (weekday, rest) = weekday_prefixes(inner)
        .into_iter()
        .find_map(|(weekday, rest)| Some((weekday, rest.strip_prefix(')')?)))?;
    scan.0 = rest;
    Some(weekday)
}

fn resolve(day: DaySpec, time: NaiveTime, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, WhenError> {
    use WhenError::{InPast, Unrecognised};
    let today = local_date(tz, now);
    let at = |date: NaiveDate| local_to_utc(tz, date.and_time(time)).ok_or(Unrecognised);
    let after = |date: NaiveDate, days: u64| date.checked_add_days(Days::new(days)).ok_or(Unrecognised);
    let ahead = |instant: DateTime<Utc>| if instant > now { Ok(instant) } else { Err(InPast) };
    let matches = |date: NaiveDate, weekday: Option<Weekday>| named(date, weekday).ok_or(Unrecognised);
    match day {
        DaySpec::Today => ahead(at(today)?),
        DaySpec::Tomorrow => ahead(at(after(today, 1)?)?),
        DaySpec::DayAfterTomorrow => ahead(at(after(today, 2)?)?),
        DaySpec::NextWeek(weekday) => ahead(at(in_next_week(today, weekday).ok_or(Unrecognised)?)?),
        DaySpec::Weekday(weekday) => {
            let days = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            let this_week = at(after(today, u64::from(days))?)?;
            if this_week > now {
                Ok(this_week)
            } else {
                ahead(at(after(today, u64::from(days) + 7)?)?)
            }
        }
        DaySpec::ComingWeekday(weekday) => ahead(at(coming_weekday(today, weekday).ok_or(Unrecognised)?)?),
        DaySpec::Date(date, named) => ahead(at(matches(date, named)?)?),
        DaySpec::MonthDay(month, day, named) => {
            let year = today.year();
            let nearest = [year - 1, year, year + 1]
                .into_iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
                .filter_map(|date| Some((date, at(date).ok()?)))
                .min_by_key(|&(_, instant)| (instant - now).abs());
            let (date, instant) = nearest.ok_or(Unrecognised)?;
            matches(date, named)?;
            ahead(instant)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Tokyo;
    use proptest::prelude::*;
    use WhenError::{InPast, Unrecognised};

    /// Friday 2026-11-27, 12:00 in Tokyo.
    fn now() -> DateTime<Utc> {
        at("2026-11-27T03:00:00Z")
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ok(s: &str) -> Result<DateTime<Utc>, WhenError> {
        Ok(at(s))
    }

    #[test]
    fn parse_past_table() {
        let moment = |s: &str| Ok(Past::At(at(s)));
        let day = |y, m, d| Ok(Past::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        #[rustfmt::skip]
        let cases: &[(&str, Result<Past, WhenError>)] = &[
            ("10:00", moment("2026-11-27T10:00:00+09:00")),
            ("today 10:00", moment("2026-11-27T10:00:00+09:00")),
            ("15:00", Err(Unrecognised)),
            // Without a year, the nearest such day: tomorrow, so refused (not a year ago).
            ("11/28 9:30", Err(Unrecognised)),
            ("11/26 9:30", moment("2026-11-26T09:30:00+09:00")),
            ("11月26日 9:30", moment("2026-11-26T09:30:00+09:00")),
            ("yesterday 15:00", moment("2026-11-26T15:00:00+09:00")),
            ("昨日15時", moment("2026-11-26T15:00:00+09:00")),
            ("昨日の15時", moment("2026-11-26T15:00:00+09:00")),
            ("一昨日 9:00", moment("2026-11-25T09:00:00+09:00")),
            // the day alone, when the time is not known
            ("11/26", day(2026, 11, 26)),
            ("11/27", day(2026, 11, 27)),
            ("11/28", Err(Unrecognised)),
            ("12/5", Err(Unrecognised)),
            ("１１／２６", day(2026, 11, 26)),
            ("11/26(木)", day(2026, 11, 26)),
            ("11/26(金)", Err(Unrecognised)),
            ("2026-11-20", day(2026, 11, 20)),
            ("2026-11-28", Err(Unrecognised)),
            ("11月26日", day(2026, 11, 26)),
            ("Nov 26", day(2026, 11, 26)),
            ("26 November", day(2026, 11, 26)),
            ("nov 26 9:30am", moment("2026-11-26T09:30:00+09:00")),
            ("11/26.", day(2026, 11, 26)),
            ("Dec 5", Err(Unrecognised)),
            ("yesterday", day(2026, 11, 26)),
            ("Yesterday", day(2026, 11, 26)),
            ("昨日", day(2026, 11, 26)),
            ("きのう", day(2026, 11, 26)),
            ("おととい", day(2026, 11, 25)),
            ("今日", day(2026, 11, 27)),
            ("今朝", day(2026, 11, 27)),
            // a weekday of last week (today is Friday the 27th)
            ("先週金曜", day(2026, 11, 20)),
            ("先週の月曜日 9:00", moment("2026-11-16T09:00:00+09:00")),
            ("last fri 15:00", moment("2026-11-20T15:00:00+09:00")),
            // relative to when typed, or ahead
            ("2h", Err(Unrecognised)),
            ("tomorrow", Err(Unrecognised)),
            ("tomorrow 10:00", Err(Unrecognised)),
            ("mon 9:00", Err(Unrecognised)),
            ("yesterday afternoon", Err(Unrecognised)),
            ("someday", Err(Unrecognised)),
            ("", Err(Unrecognised)),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse_past(text, now(), Tokyo), expected, "{text:?}");
        }
    }

    /// When it happened on the customer's clock: Friday 04:00 in Berlin, Thursday 22:00 in New
    /// York, as Tokyo's Friday noon.
    #[test]
    fn parse_past_reads_a_moment_on_the_customers_clock() {
        let berlin = Zone::Place(chrono_tz::Europe::Berlin);
        let theirs = |s: &str, zone| Ok(Past::AtTheirs(at(s), zone));
        assert_eq!(
            parse_past("11/26 17:00 cet", now(), Tokyo),
            theirs("2026-11-26T16:00:00Z", berlin)
        );
        assert_eq!(
            parse_past("3:00 berlin", now(), Tokyo),
            theirs("2026-11-27T02:00:00Z", berlin)
        );
        // Today on their clock is Thursday in New York: 21:00 there has happened, 23:00 not.
        let new_york = Zone::Place(New_York);
        assert_eq!(
            parse_past("9pm est", now(), Tokyo),
            theirs("2026-11-27T02:00:00Z", new_york)
        );
        assert_eq!(parse_past("11pm est", now(), Tokyo), Err(Unrecognised));
        assert_eq!(
            parse_past("yesterday 5pm est", now(), Tokyo),
            theirs("2026-11-25T22:00:00Z", new_york)
        );
        let plus_one = Zone::Offset(chrono::FixedOffset::east_opt(3600).unwrap());
        assert_eq!(
            parse_past("11/26 17:00 utc+1", now(), Tokyo),
            theirs("2026-11-26T16:00:00Z", plus_one)
        );
        // Our own zone named is our clock; a day alone is the day they gave.
        assert_eq!(
            parse_past("11/26 17:00 jst", now(), Tokyo),
            Ok(Past::At(at("2026-11-26T08:00:00Z")))
        );
        let day = Ok(Past::Day(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
        assert_eq!(parse_past("11/26 cet", now(), Tokyo), day);
        assert_eq!(parse_past("11/26 17:00 cst", now(), Tokyo), Err(Unrecognised));
    }

    #[test]
    fn a_past_day_without_a_year_is_the_nearest_one() {
        let day = |y, m, d| Ok(Past::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        // Monday 2026-11-30 10:00 in Tokyo.
        let november = at("2026-11-30T01:00:00Z");
        assert_eq!(parse_past("11/28", november, Tokyo), day(2026, 11, 28));
        assert_eq!(parse_past("12/5", november, Tokyo), Err(Unrecognised));
        assert_eq!(parse_past("12/5 9:00", november, Tokyo), Err(Unrecognised));
        // Next March is nearer than the last: refused, where a year in full reads.
        assert_eq!(parse_past("3/5", november, Tokyo), Err(Unrecognised));
        assert_eq!(parse_past("2026-03-05", november, Tokyo), day(2026, 3, 5));
        assert_eq!(parse_past("6/15", november, Tokyo), day(2026, 6, 15));
        // Tuesday 2027-01-05: last December.
        let january = at("2027-01-05T01:00:00Z");
        assert_eq!(parse_past("12/20", january, Tokyo), day(2026, 12, 20));
        assert_eq!(
            parse_past("12/20 15:00", january, Tokyo),
            Ok(Past::At(at("2026-12-20T15:00:00+09:00")))
        );
        assert_eq!(parse_past("1/6", january, Tokyo), Err(Unrecognised));
    }

    #[test]
    fn parse_when_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Result<DateTime<Utc>, WhenError>)] = &[
            // today at a time
            ("15:00", ok("2026-11-27T15:00:00+09:00")),
            ("9:30", Err(InPast)),
            ("12:00", Err(InPast)),
            ("12:01", ok("2026-11-27T12:01:00+09:00")),
            ("23:59", ok("2026-11-27T23:59:00+09:00")),
            ("  15:00  ", ok("2026-11-27T15:00:00+09:00")),
            ("１５：００", ok("2026-11-27T15:00:00+09:00")),
            ("3pm", ok("2026-11-27T15:00:00+09:00")),
            ("3:30 PM", ok("2026-11-27T15:30:00+09:00")),
            ("12pm", Err(InPast)),
            ("10am", Err(InPast)),
            ("15時", ok("2026-11-27T15:00:00+09:00")),
            ("15時30分", ok("2026-11-27T15:30:00+09:00")),
            ("3時半", Err(InPast)),
            ("午後3時", ok("2026-11-27T15:00:00+09:00")),
            ("today 15:00", ok("2026-11-27T15:00:00+09:00")),
            ("Today 15:00", ok("2026-11-27T15:00:00+09:00")),
            ("今日 15:00", ok("2026-11-27T15:00:00+09:00")),
            ("today 11:00", Err(InPast)),
            // tomorrow
            ("tomorrow 10:00", ok("2026-11-28T10:00:00+09:00")),
            ("TOMORROW 10:00", ok("2026-11-28T10:00:00+09:00")),
            ("tomorrow at 10:00", ok("2026-11-28T10:00:00+09:00")),
            ("明日 10:00", ok("2026-11-28T10:00:00+09:00")),
            ("明日10:00", ok("2026-11-28T10:00:00+09:00")),
            ("明日　１０：００", ok("2026-11-28T10:00:00+09:00")),
            ("あした 10:00", ok("2026-11-28T10:00:00+09:00")),
            ("明日の10時", ok("2026-11-28T10:00:00+09:00")),
            // the day after tomorrow, next week's weekday (Japanese counts calendar weeks: on a
            // Friday, 来週金曜 is a week on), the morning as a promise means it: by noon
            ("明後日 10時", ok("2026-11-29T10:00:00+09:00")),
            ("あさって 10:00", ok("2026-11-29T10:00:00+09:00")),
            ("day after tomorrow 10am", ok("2026-11-29T10:00:00+09:00")),
            ("来週月曜 10時", ok("2026-11-30T10:00:00+09:00")),
            ("来週の金曜日 15:00", ok("2026-12-04T15:00:00+09:00")),
            ("明日午前中", ok("2026-11-28T12:00:00+09:00")),
            ("明日 午前中", ok("2026-11-28T12:00:00+09:00")),
            ("明日午後", ok("2026-11-28T17:00:00+09:00")),
            ("明日の夕方", ok("2026-11-28T18:00:00+09:00")),
            ("夕方", ok("2026-11-27T18:00:00+09:00")),
            ("明朝", ok("2026-11-28T09:00:00+09:00")),
            ("明日朝一", ok("2026-11-28T09:00:00+09:00")),
            ("12月2日（水）14時", ok("2026-12-02T14:00:00+09:00")),
            // weekdays: today is Friday
            ("mon 9:00", ok("2026-11-30T09:00:00+09:00")),
            ("Monday 9:00", ok("2026-11-30T09:00:00+09:00")),
            ("月曜 9:00", ok("2026-11-30T09:00:00+09:00")),
            ("月曜日 9:00", ok("2026-11-30T09:00:00+09:00")),
            ("月 9:00", ok("2026-11-30T09:00:00+09:00")),
            ("tue 9:00", ok("2026-12-01T09:00:00+09:00")),
            ("火 9:00", ok("2026-12-01T09:00:00+09:00")),
            ("wed 9:00", ok("2026-12-02T09:00:00+09:00")),
            ("水 9:00", ok("2026-12-02T09:00:00+09:00")),
            ("thu 9:00", ok("2026-12-03T09:00:00+09:00")),
            ("木曜 9:00", ok("2026-12-03T09:00:00+09:00")),
            ("sat 9:00", ok("2026-11-28T09:00:00+09:00")),
            ("土 9:00", ok("2026-11-28T09:00:00+09:00")),
            ("sun 9:00", ok("2026-11-29T09:00:00+09:00")),
            ("日 9:00", ok("2026-11-29T09:00:00+09:00")),
            ("日曜日 9:00", ok("2026-11-29T09:00:00+09:00")),
            ("fri 13:00", ok("2026-11-27T13:00:00+09:00")),
            ("金 13:00", ok("2026-11-27T13:00:00+09:00")),
            ("fri 11:00", ok("2026-12-04T11:00:00+09:00")),
            ("friday 12:00", ok("2026-12-04T12:00:00+09:00")),
            // durations from now
            ("2h", ok("2026-11-27T05:00:00Z")),
            // An hour of the clock or that many hours: refused, saying both.
            ("17h", Err(WhenError::Ambiguous { hour: 17 })),
            ("15H", Err(WhenError::Ambiguous { hour: 15 })),
            ("10h", Err(WhenError::Ambiguous { hour: 10 })),
            ("in 17h", ok("2026-11-27T20:00:00Z")),
            ("17 hours", ok("2026-11-27T20:00:00Z")),
            ("9h", ok("2026-11-27T12:00:00Z")),
            ("24h", ok("2026-11-28T03:00:00Z")),
            ("30m", ok("2026-11-27T03:30:00Z")),
            ("90s", ok("2026-11-27T03:01:30Z")),
            ("1h30m", ok("2026-11-27T04:30:00Z")),
            ("1h 30m", ok("2026-11-27T04:30:00Z")),
            ("1d", ok("2026-11-28T03:00:00Z")),
            ("2H", ok("2026-11-27T05:00:00Z")),
            ("２ｈ", ok("2026-11-27T05:00:00Z")),
            ("in 2 hours", ok("2026-11-27T05:00:00Z")),
            ("45 min", ok("2026-11-27T03:45:00Z")),
            ("2時間", ok("2026-11-27T05:00:00Z")),
            ("30分", ok("2026-11-27T03:30:00Z")),
            ("2時間30分", ok("2026-11-27T05:30:00Z")),
            ("2時間後", ok("2026-11-27T05:00:00Z")),
            ("３０分後", ok("2026-11-27T03:30:00Z")),
            // dates
            ("2026-12-01 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("2026/12/01 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("2026-12-01T10:00", ok("2026-12-01T10:00:00+09:00")),
            ("2026年12月1日 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("12/01 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("12/1 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("１２／０１　１０：００", ok("2026-12-01T10:00:00+09:00")),
            ("12月1日 10時", ok("2026-12-01T10:00:00+09:00")),
            ("12月1日10時", ok("2026-12-01T10:00:00+09:00")),
            ("12/01(火) 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("12/01（火） 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("2026-12-01 (tue) 10:00", ok("2026-12-01T10:00:00+09:00")),
            ("12/01(水) 10:00", Err(Unrecognised)),
            ("1/5 10:00", ok("2027-01-05T10:00:00+09:00")),
            ("2026-11-27 15:00", ok("2026-11-27T15:00:00+09:00")),
            ("2026-11-26 10:00", Err(InPast)),
            ("2026-11-27 11:59", Err(InPast)),
            ("11/26 10:00", Err(InPast)),
            ("2025-12-01 10:00", Err(InPast)),
            // not times
            ("", Err(Unrecognised)),
            ("   ", Err(Unrecognised)),
            ("soon", Err(Unrecognised)),
            ("asap", Err(Unrecognised)),
            ("15", Err(Unrecognised)),
            ("25:00", Err(Unrecognised)),
            ("24:00", Err(Unrecognised)),
            ("12:60", Err(Unrecognised)),
            ("15:0", Err(Unrecognised)),
            ("115:00", Err(Unrecognised)),
            ("13pm", Err(Unrecognised)),
            ("0am", Err(Unrecognised)),
            ("tomorrow", Err(Unrecognised)),
            ("tomorrow 10", Err(Unrecognised)),
            ("mon", Err(Unrecognised)),
            ("moon 9:00", Err(Unrecognised)),
            ("2026-12-01", Err(Unrecognised)),
            ("2026-02-30 10:00", Err(Unrecognised)),
            ("2026-12/01 10:00", Err(Unrecognised)),
            ("13/01 10:00", Err(Unrecognised)),
            ("12/32 10:00", Err(Unrecognised)),
            ("2/29 10:00", Err(Unrecognised)),
            ("0m", Err(Unrecognised)),
            ("-2h", Err(Unrecognised)),
            ("2x", Err(Unrecognised)),
            ("h", Err(Unrecognised)),
            ("30m1h", Err(Unrecognised)),
            ("1.5h", Err(Unrecognised)),
            ("99999999999999999999h", Err(Unrecognised)),
            ("9999999999999999s", Err(Unrecognised)),
            ("tomorrow morning", Err(Unrecognised)),
            ("this afternoon", Err(Unrecognised)),
            ("1500", Err(Unrecognised)),
            ("9.30", Err(Unrecognised)),
            ("eod", Err(Unrecognised)),
            ("dec 32 10:00", Err(Unrecognised)),
            ("decade 5 10:00", Err(Unrecognised)),
        ];
        for (text, want) in cases {
            assert_eq!(&parse_when(text, now(), Tokyo), want, "{text:?}");
        }
    }

    /// A promise for the morning is kept from the business hours' opening, when they set one;
    /// only the morning: the other parts of the day are read by their end as before.
    #[test]
    fn the_morning_of_a_promise_is_the_business_hours_opening() {
        let ten = NaiveTime::from_hms_opt(10, 0, 0);
        for (text, want) in [
            ("明朝", "2026-11-28T10:00:00+09:00"),
            ("明日朝一", "2026-11-28T10:00:00+09:00"),
            ("明日午後", "2026-11-28T17:00:00+09:00"),
            ("明日 9:00", "2026-11-28T09:00:00+09:00"),
        ] {
            assert_eq!(parse_when_opening(text, now(), Tokyo, ten), ok(want), "{text}");
        }
        assert_eq!(
            parse_when_opening("明朝", now(), Tokyo, None),
            ok("2026-11-28T09:00:00+09:00")
        );
    }

    /// What hurried English-speaking reps type. Now is Friday 2026-11-27, 12:00 in Tokyo.
    #[test]
    fn parse_when_reads_hurried_english() {
        #[rustfmt::skip]
        let cases: &[(&str, Result<DateTime<Utc>, WhenError>)] = &[
            // month names, the day before or after
            ("Dec 5 3pm", ok("2026-12-05T15:00:00+09:00")),
            ("dec 5 15:00", ok("2026-12-05T15:00:00+09:00")),
            ("5 Dec 15:00", ok("2026-12-05T15:00:00+09:00")),
            ("December 5 10:00", ok("2026-12-05T10:00:00+09:00")),
            ("december 5th at 10am", ok("2026-12-05T10:00:00+09:00")),
            ("Dec. 5, 3pm", ok("2026-12-05T15:00:00+09:00")),
            ("5th dec 3 pm", ok("2026-12-05T15:00:00+09:00")),
            ("jan 5 10:00", ok("2027-01-05T10:00:00+09:00")),
            ("nov 26 10:00", Err(InPast)),
            // a leading at/by, a full stop, quotes
            ("at 3pm", ok("2026-11-27T15:00:00+09:00")),
            ("by 3pm", ok("2026-11-27T15:00:00+09:00")),
            ("15:00.", ok("2026-11-27T15:00:00+09:00")),
            ("“3pm”", ok("2026-11-27T15:00:00+09:00")),
            ("\"tomorrow 10am\"", ok("2026-11-28T10:00:00+09:00")),
            // the time before the day
            ("3pm tomorrow", ok("2026-11-28T15:00:00+09:00")),
            ("15:00 tomorrow", ok("2026-11-28T15:00:00+09:00")),
            ("3pm fri", ok("2026-11-27T15:00:00+09:00")),
            ("3 pm mon", ok("2026-11-30T15:00:00+09:00")),
            ("5pm today", ok("2026-11-27T17:00:00+09:00")),
            ("3pm on dec 5", ok("2026-12-05T15:00:00+09:00")),
            // noon
            ("noon", Err(InPast)),
            ("tomorrow noon", ok("2026-11-28T12:00:00+09:00")),
            ("noon tomorrow", ok("2026-11-28T12:00:00+09:00")),
            // day words
            ("tmrw 10am", ok("2026-11-28T10:00:00+09:00")),
            ("tues 9:00", ok("2026-12-01T09:00:00+09:00")),
            ("weds 9:00", ok("2026-12-02T09:00:00+09:00")),
            ("thurs 9:00", ok("2026-12-03T09:00:00+09:00")),
            ("next monday 9:00", ok("2026-11-30T09:00:00+09:00")),
            // "next fri" on a Friday: the coming one, a week on, not today.
            ("next fri 3pm", ok("2026-12-04T15:00:00+09:00")),
            // four digits after a day or `at`; alone they could be anything
            ("tomorrow 0900", ok("2026-11-28T09:00:00+09:00")),
            ("fri 1500", ok("2026-11-27T15:00:00+09:00")),
            ("at 1500", ok("2026-11-27T15:00:00+09:00")),
            ("1500", Err(Unrecognised)),
            ("at 2500", Err(Unrecognised)),
            // dots
            ("9.30am", Err(InPast)),
            ("tomorrow 9.30am", ok("2026-11-28T09:30:00+09:00")),
            ("4.30pm", ok("2026-11-27T16:30:00+09:00")),
            ("3:30 p.m.", ok("2026-11-27T15:30:00+09:00")),
            ("3 p.m.", ok("2026-11-27T15:00:00+09:00")),
            ("tomorrow 10 a.m.", ok("2026-11-28T10:00:00+09:00")),
            // still refused
            ("tomorrow morning", Err(Unrecognised)),
            ("this afternoon", Err(Unrecognised)),
            ("1.5h", Err(Unrecognised)),
        ];
        for (text, want) in cases {
            assert_eq!(&parse_when(text, now(), Tokyo), want, "{text:?}");
        }
    }

    #[test]
    fn parse_when_across_daylight_saving() {
        // Saturday 2026-03-07 12:00 EST; clocks jump from 02:00 to 03:00 on Sunday.
        let spring = at("2026-03-07T17:00:00Z");
        // Saturday 2026-10-31 12:00 EDT; 01:00-02:00 happens twice on Sunday.
        let fall = at("2026-10-31T16:00:00Z");
        #[rustfmt::skip]
        let cases: &[(DateTime<Utc>, &str, &str)] = &[
            (spring, "tomorrow 10:00", "2026-03-08T14:00:00Z"),
            (spring, "tomorrow 2:30", "2026-03-08T07:00:00Z"),
            (spring, "mon 9:00", "2026-03-09T13:00:00Z"),
            (spring, "24h", "2026-03-08T17:00:00Z"),
            (fall, "tomorrow 10:00", "2026-11-01T15:00:00Z"),
            (fall, "tomorrow 1:30", "2026-11-01T05:30:00Z"),
            (fall, "11/02 9:00", "2026-11-02T14:00:00Z"),
        ];
        for &(now, text, want) in cases {
            assert_eq!(parse_when(text, now, New_York), Ok(at(want)), "{text:?}");
        }
    }

    /// A time written with the customer's zone is read on their clock, in Tokyo's office: the
    /// weeks Europe and the US change their clocks on different dates included.
    #[test]
    fn parse_when_reads_a_time_in_the_customers_zone() {
        // Friday 2027-03-12 10:00 in Tokyo: New York moves to EDT on the 14th, Berlin to CEST
        // only on the 28th.
        let before_the_switch = at("2027-03-12T01:00:00Z");
        #[rustfmt::skip]
        let cases: &[(DateTime<Utc>, &str, &str)] = &[
            // Friday 12:00 in Tokyo is Thursday 20:00 in New York: `5pm EST` is Friday's.
            (now(), "5pm est", "2026-11-27T22:00:00Z"),
            (now(), "17:00 cet", "2026-11-27T16:00:00Z"),
            (now(), "tomorrow 9:00 berlin", "2026-11-28T08:00:00Z"),
            (now(), "12/1 10:00 europe/berlin", "2026-12-01T09:00:00Z"),
            (now(), "mon 17時 ドイツ時間", "2026-11-30T16:00:00Z"),
            (now(), "at 1500 (pst)", "2026-11-27T23:00:00Z"),
            (before_the_switch, "mon 9am new york", "2027-03-15T13:00:00Z"),
            (before_the_switch, "mon 9am est", "2027-03-15T13:00:00Z"),
            (before_the_switch, "mon 17:00 cet", "2027-03-15T16:00:00Z"),
        ];
        for &(now, text, want) in cases {
            assert_eq!(parse_when(text, now, Tokyo), Ok(at(want)), "{text:?}");
        }
        // The zone where a hurried rep types it, after the time and before the day.
        for text in [
            "5pm edt fri",
            "fri 5pm edt",
            "5pm est on fri",
            "5 pm (est) fri",
            "fri 5pm new york time",
        ] {
            assert_eq!(parse_when(text, now(), Tokyo), ok("2026-11-27T22:00:00Z"), "{text:?}");
        }
        for text in ["17:00 cet mon", "17時 ドイツ時間 月曜", "17:00 utc+1 mon"] {
            assert_eq!(parse_when(text, now(), Tokyo), ok("2026-11-30T16:00:00Z"), "{text:?}");
        }
        assert_eq!(parse_when("5pm cst fri", now(), Tokyo), Err(Unrecognised));
        // Glued to the time, as Japanese is typed with no spaces.
        for text in [
            "月曜17時ドイツ時間",
            "月曜17:00ドイツ時間",
            "17:00（CET）月曜",
            "月曜 17:00（CET）",
        ] {
            assert_eq!(parse_when(text, now(), Tokyo), ok("2026-11-30T16:00:00Z"), "{text:?}");
        }
        // An offset is that clock: `17:00 utc+1` is 16:00 UTC; a time gone by there is tomorrow's.
        assert_eq!(parse_when("17:00 utc+1", now(), Tokyo), ok("2026-11-27T16:00:00Z"));
        assert_eq!(parse_when("1:00 utc+05:30", now(), Tokyo), ok("2026-11-27T19:30:00Z"));
        assert_eq!(parse_when("mon 9:00 gmt-5", now(), Tokyo), ok("2026-11-30T14:00:00Z"));
        assert_eq!(parse_when("2h utc+1", now(), Tokyo), ok("2026-11-27T05:00:00Z"));
        assert_eq!(parse_when("17:00 utc+15", now(), Tokyo), Err(Unrecognised));
        // A day named that has gone by on their clock stays refused; so is a zone not read.
        assert_eq!(parse_when("today 3:00 cet", now(), Tokyo), Err(InPast));
        assert_eq!(parse_when("17:00 cst", now(), Tokyo), Err(Unrecognised));
    }

    #[test]
    fn month_day_picks_the_nearest_year() {
        let new_years_eve = at("2026-12-31T03:00:00Z");
        assert_eq!(
            parse_when("1/2 10:00", new_years_eve, Tokyo),
            ok("2027-01-02T10:00:00+09:00")
        );
        assert_eq!(parse_when("12/30 10:00", new_years_eve, Tokyo), Err(InPast));
        let new_year = at("2027-01-01T03:00:00Z");
        assert_eq!(parse_when("12/31 10:00", new_year, Tokyo), Err(InPast));
        assert_eq!(
            parse_when("2/29 10:00", at("2028-01-10T00:00:00Z"), Tokyo),
            ok("2028-02-29T10:00:00+09:00")
        );
    }

    #[test]
    fn parse_duration_table() {
        #[rustfmt::skip]
        let cases: &[(&str, Option<u64>)] = &[
            ("90s", Some(90)),
            ("15m", Some(900)),
            ("4h", Some(4 * 3600)),
            ("1d", Some(86_400)),
            ("1h30m", Some(5400)),
            ("1d2h3m4s", Some(93_784)),
            ("0h1s", Some(1)),
            (" 4h ", Some(4 * 3600)),
            ("", None),
            (" ", None),
            ("0s", None),
            ("0h0m", None),
            ("4", None),
            ("h", None),
            ("4x", None),
            ("4H", None),
            ("1m1h", None),
            ("1h1h", None),
            ("1h 30m", None),
            ("-1h", None),
            ("1.5h", None),
            ("4 hours", None),
            ("18446744073709551616s", None),
            ("213503982334602d", None),
            ("18446744073709551615s", None),
            ("3660000d", Some(3_660_000 * 86_400)),
            ("3660001d", None),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_duration(text), want.map(Duration::from_secs), "{text:?}");
        }
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop_oneof![
            Just(Tokyo),
            Just(New_York),
            Just(chrono_tz::Pacific::Kiritimati),
            Just(chrono_tz::UTC)
        ]
    }

    proptest! {
        #[test]
        fn parse_when_never_panics(text in "\\PC{0,40}", seconds in any::<i64>(), tz in zone()) {
            let now = DateTime::from_timestamp(seconds % 8_000_000_000_000, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
            if let Ok(t) = parse_when(&text, now, tz) {
                prop_assert!(t > now);
            }
        }

        #[test]
        fn parse_when_never_panics_on_near_misses(
            text in "[0-9０-９:：/()（） .-]{0,6}(tomorrow|明日|today|mon|月|日|曜|時|分|秒|時間|後|h|m|s|d|am|pm|t|年|午後)?[0-9０-９:：/ ]{0,8}(時|分|h|m|s|pm)?",
            now in prop_oneof![
                Just(DateTime::<Utc>::MIN_UTC),
                Just(DateTime::<Utc>::MAX_UTC),
                (1_700_000_000i64..1_900_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
            ],
            tz in zone(),
        ) {
            if let Ok(t) = parse_when(&text, now, tz) {
                prop_assert!(t > now);
            }
        }

        /// A zone typed after a time, as an offset or glued in Japanese, is read from the rep's
        /// own text: whatever follows the sign or the time, it never panics.
        #[test]
        fn a_zone_written_after_a_time_never_panics(
            text in "(5pm|17:00|17時|11/28 17:00|fri 9am)[ ]?(utc|gmt|UTC|GMT|（|\\(|ドイツ)?[+−-]?\\PC{0,5}( fri| 月曜)?",
            now in (1_700_000_000i64..1_900_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
            tz in zone(),
        ) {
            if let Ok(t) = parse_when(&text, now, tz) {
                prop_assert!(t > now);
            }
            let _ = parse_past(&text, now, tz);
        }

        #[test]
        fn parse_duration_never_panics(text in "\\PC{0,30}|[0-9]{1,22}[dhms]([0-9]{1,22}[dhms])?") {
            if let Some(duration) = parse_duration(&text) {
                let duration = chrono::Duration::from_std(duration);
                prop_assert!(duration.is_ok_and(|d| now().checked_add_signed(d).is_some()));
            }
        }

        #[test]
        fn parse_duration_reads_what_it_is_written_as(d in 0u64..10_000, h in 0u64..24, m in 0u64..60, s in 0u64..60) {
            let text: String = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, unit)| format!("{n}{unit}"))
                .collect();
            let total = d * 86_400 + h * 3600 + m * 60 + s;
            prop_assert_eq!(parse_duration(&text), (total > 0).then(|| Duration::from_secs(total)));
        }
    }
}
