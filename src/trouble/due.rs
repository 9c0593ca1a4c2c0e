//! Due dates of countermeasure actions: `2026-12-10`, `12/10`, `fri`, `+3d` in business days, and the reminder the business day before.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::hours::{local_date, local_to_utc, BusinessHours};
use super::when::{day_ahead, parse_when, tidy, weekday_alone, WhenError};

/// Without business hours, a day's work is taken to end at 18:00 and start at 9:00.
const DEFAULT_CLOSE: (u32, u32) = (18, 0);
const DEFAULT_OPEN: (u32, u32) = (9, 0);

/// A schedule with no working day in a year is broken; every day then counts.
const MAX_SCAN_DAYS: u32 = 366;

fn is_business_day(schedule: Option<&BusinessHours>, day: NaiveDate) -> bool {
    match schedule {
        None => true,
        Some(h) => h.days.contains(&day.weekday()) && !h.holidays.contains(&day),
    }
}

/// The `n`th business day after `day` (n = 0: `day` itself).
pub fn business_days_after(schedule: Option<&BusinessHours>, day: NaiveDate, n: u32) -> NaiveDate {
    let mut cursor = day;
    let mut left = n;
    let mut scanned = 0;
    while left > 0 {
        cursor = cursor + Days::new(1);
        scanned += 1;
        if scanned > MAX_SCAN_DAYS * (n + 1) || is_business_day(schedule, cursor) {
            left -= 1;
        }
    }
    cursor
}

/// The last business day strictly before `day`.
pub fn business_day_before(schedule: Option<&BusinessHours>, day: NaiveDate) -> NaiveDate {
    let mut cursor = day;
    for _ in 0..MAX_SCAN_DAYS {
        cursor = cursor - Days::new(1);
        if is_business_day(schedule, cursor) {
            return cursor;
        }
    }
    day - Days::new(1)
}

fn at_local(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    local_to_utc(tz, day.and_time(time)).unwrap_or_else(|| day.and_time(time).and_utc())
}

fn close_time(schedule: Option<&BusinessHours>) -> NaiveTime {
    schedule
        .map(|h| h.close)
        .unwrap_or_else(|| NaiveTime::from_hms_opt(DEFAULT_CLOSE.0, DEFAULT_CLOSE.1, 0).expect("valid time"))
}

fn open_time(schedule: Option<&BusinessHours>) -> NaiveTime {
    schedule
        .map(|h| h.open)
        .unwrap_or_else(|| NaiveTime::from_hms_opt(DEFAULT_OPEN.0, DEFAULT_OPEN.1, 0).expect("valid time"))
}

/// Adds a span written like a config duration, whole days counted as business days (the same
/// local time that many business days later) and the rest as plain time: `2d` is two business
/// days, `90s` ninety seconds.
pub fn after_business_span(
    schedule: Option<&BusinessHours>,
    tz: Tz,
    start: DateTime<Utc>,
    span: std::time::Duration,
) -> DateTime<Utc> {
    let secs = span.as_secs();
    let days = (secs / 86_400).min(3_660) as u32;
    let rest = chrono::Duration::seconds((secs % 86_400) as i64);
    let moved = if days == 0 {
        start
    } else {
        let local = start.with_timezone(&tz).naive_local();
        let day = business_days_after(schedule, local.date(), days);
        at_local(tz, day, local.time())
    };
    moved + rest
}

/// Why a due date was not understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DueError {
    Unrecognised,
    InPast,
    /// `17h`: the hour of the day or that many hours from now.
    Ambiguous {
        hour: u32,
    },
    /// Further ahead than a due date may be (decided by the core, not the parser).
    TooFar {
        days: u32,
    },
}

/// Parses a due date relative to `now`: a date (`2026-12-10`, `2026/12/10`, `12/10`, `12月10日`,
/// `Dec 5`) or a weekday (`fri`, `金`, `thurs`, `next fri`), with `eod` or without, is due at the
/// close of that business day; `+3d` or `3 business days` is three business days from today,
/// `in 2 days`, `2 weeks`, `3 months` calendar ones; anything `next:` accepts (`15:00`,
/// `tomorrow 10:00`, `fri 3pm`, `2h`) is that instant.
pub fn parse_due(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
    schedule: Option<&BusinessHours>,
) -> Result<DateTime<Utc>, DueError> {
    let folded = tidy(text);
    let folded = folded.strip_prefix("by ").unwrap_or(&folded).to_string();
    let today = local_date(tz, now);
    // `eod`, `tomorrow eod`, `fri COB`: the close of that business day, which a day alone
    // means anyway; with nothing else, today's.
    let (folded, closing) = match end_of_day(&folded) {
        Some("") => ("today".to_string(), true),
        Some(day) => (day.to_string(), true),
        None => (folded, false),
    };
    // `+3d`, `+3営業日`, and `3営業日` or `3営業日後` as Japanese says it.
    let business = folded.strip_prefix('+').or_else(|| {
        folded
            .trim_end_matches('後')
            .strip_suffix("営業日")
            .map(|_| folded.as_str())
    });
    let day = if let Some(n) = business {
        let n = n
            .trim_end_matches('後')
            .trim_end_matches(['d', '日'])
            .trim_end_matches("営業");
        let n: u32 = n.parse().map_err(|_| DueError::Unrecognised)?;
        Some(business_days_after(schedule, today, n.min(3_660)))
    } else {
        date_of(&folded, today)
            .or_else(|| japanese_day(folded.trim_end_matches("まで"), today, schedule))
            .or_else(|| span(&folded, today, schedule))
    };
    match day {
        Some(day) => {
            let due = at_local(tz, day, close_time(schedule));
            if due <= now {
                Err(DueError::InPast)
            } else {
                Ok(due)
            }
        }
        None if closing => Err(DueError::Unrecognised),
        None => parse_when(&folded, now, tz).map_err(|e| match e {
            WhenError::InPast => DueError::InPast,
            WhenError::Ambiguous { hour } => DueError::Ambiguous { hour },
            _ => DueError::Unrecognised,
        }),
    }
}

/// `fri` typed on a Friday before the close, as a promise reads it: today's close, as `fri
/// 17:00` is today's 17:00 (a promise read as a week on would hold the nudges back a week).
/// None for any other text or moment. A due date alone still means the next such day.
pub fn weekday_today(
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
    schedule: Option<&BusinessHours>,
) -> Option<DateTime<Utc>> {
    let today = local_date(tz, now);
    let text = tidy(text);
    (weekday_alone(text.trim_end_matches("まで").trim_end())? == today.weekday()).then_some(())?;
    let close = at_local(tz, today, close_time(schedule));
    (close > now).then_some(close)
}

/// Whether TEXT reads as a due date at all, whenever it is typed: how an action tells a date
/// typed after `due` from the words of its text. It is read against a fixed moment (in a leap
/// year, so `2/29` reads), and a date already past then still counts as a date, as does `17h`,
/// which reads two ways: it is the date meant, and the answer asks which.
pub fn reads_as_due(text: &str) -> bool {
    let reference = DateTime::from_timestamp(1_830_297_600, 0).expect("2028-01-01 is a valid instant");
    // The weekday written beside a date (`12/2(水)`) is checked against the date when it is
    // read for real; against the fixed moment's year it would not match.
    let text = super::when::without_weekday_note(&tidy(text));
    matches!(
        parse_due(&text, reference, chrono_tz::UTC, None),
        Ok(_) | Err(DueError::InPast | DueError::Ambiguous { .. })
    )
}

/// What people write for the close of the business day.
const END_OF_DAY: &[&str] = &[
    "end of business",
    "end of the day",
    "end of day",
    "close of business",
    "eod",
    "eob",
    "cob",
];

/// TEXT without its end-of-day words (before or after the day), if it has them.
fn end_of_day(text: &str) -> Option<&str> {
    END_OF_DAY.iter().find_map(|words| {
        if text == *words {
            return Some("");
        }
        text.strip_suffix(words)
            .and_then(|day| day.strip_suffix(' '))
            .or_else(|| text.strip_prefix(words).and_then(|day| day.strip_prefix(' ')))
            .map(|day| day.trim_end_matches(" by").trim())
    })
}

/// How people write weeks and months after a count (`2 weeks`, `2週間`, `1か月`): a due date's
/// span and the days `stats` looks back read them alike.
pub(super) const WEEK_WORDS: &[&str] = &["weeks", "week", "wks", "wk", "週間"];
pub(super) const MONTH_WORDS: &[&str] = &["months", "month", "mos", "mo", "か月", "ヶ月", "カ月", "ヵ月", "ケ月"];

/// `in 2 days`, `3 business days`, `2 weeks`, `3 months`: the day that far ahead (its close is
/// the due time). Business days skip what the schedule does not work, as `+3d` does; days,
/// weeks and months are the calendar's. (`2d`, `48h` stay the instants `next:` reads.)
fn span(text: &str, today: NaiveDate, schedule: Option<&BusinessHours>) -> Option<NaiveDate> {
    let text = text.strip_prefix("in ").unwrap_or(text);
    let text = text
        .strip_suffix(" from now")
        .or_else(|| text.strip_suffix(" from today"))
        .or_else(|| text.strip_suffix(" later"))
        .unwrap_or(text);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let n: u32 = text[..digits].parse().ok().filter(|n| *n <= 3_660)?;
    // Japanese says "N days on" (`5日後`) or "within N days" (`5日以内`): the same day.
    let unit = text[digits..].trim_start();
    let unit = unit
        .strip_suffix('後')
        .or_else(|| unit.strip_suffix("以内"))
        .unwrap_or(unit);
    match unit {
        "business days" | "business day" | "working days" | "working day" | "bd" => {
            Some(business_days_after(schedule, today, n))
        }
        "days" | "day" | "日" => today.checked_add_days(Days::new(n.into())),
        u if WEEK_WORDS.contains(&u) => today.checked_add_days(Days::new(u64::from(n) * 7)),
        u if MONTH_WORDS.contains(&u) => today.checked_add_months(chrono::Months::new(n)),
        _ => None,
    }
}

/// The days Japanese reps name without a date, each the last business day of a span: `今週中`
/// (this week), `来週中` / `来週` (next week), `月末` / `今月末` (this month), `来月末`, `12月末`
/// (that month, the nearest such), `年内` / `年末` (this year). (`あさって` is `day_ahead`'s.)
fn japanese_day(text: &str, today: NaiveDate, schedule: Option<&BusinessHours>) -> Option<NaiveDate> {
    let monday = today - Days::new(today.weekday().num_days_from_monday().into());
    let first_of_month = today.with_day(1)?;
    let months = |n: u32| first_of_month.checked_add_months(chrono::Months::new(n));
    // The span ends the day before `end`: its last business day, unless that has passed.
    let end = match text {
        "今週中" => monday.checked_add_days(Days::new(7))?,
        "来週中" | "来週" | "来週末" => monday.checked_add_days(Days::new(14))?,
        "月末" | "今月末" | "今月中" => months(1)?,
        "来月末" | "来月中" => months(2)?,
        "年内" | "年末" | "今年中" => NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)?,
        _ => {
            let month: u32 = text
                .strip_suffix("月末")?
                .parse()
                .ok()
                .filter(|m| (1..=12).contains(m))?;
            // The nearest such month: one more than half a year ahead is the one just past.
            let ahead = Some((month + 12 - today.month()) % 12).filter(|a| *a <= 6)?;
            months(ahead + 1)?
        }
    };
    // Passed already (`今週中` on a Sunday): the day it meant, for the answer to say it is past.
    Some(business_day_before(schedule, end))
}

/// A day on or after TODAY, as `day_ahead` reads one (`fri`, `12/20(日)`, `Dec 5`), with what
/// Japanese reps add: `まで` ("by") after it, and `来週金曜` (that weekday in the
/// week after this one, where `next fri` is the coming Friday).
fn date_of(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    // `明日中` ("within tomorrow"), as a promise reads it: that day.
    let day = text.trim_end_matches("まで").trim_end();
    day_ahead(day, today).or_else(|| day_ahead(day.strip_suffix('中')?, today))
}

pub fn reminder_before(
    schedule: Option<&BusinessHours>,
    tz: Tz,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let day = business_day_before(schedule, local_date(tz, due));
    at_local(tz, day, open_time(schedule)).max(now).min(due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Weekday};

    const TZ: Tz = chrono_tz::Asia::Tokyo;

    fn hours() -> BusinessHours {
        BusinessHours {
            days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            open: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            close: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            holidays: vec![NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()],
        }
    }

    fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        TZ.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
    }

    /// Monday 2026-11-30 10:00 JST; Thursday 12-03 is a holiday.
    fn now() -> DateTime<Utc> {
        jst(2026, 11, 30, 10, 0)
    }

    /// A span whose last business day has passed (`今週中` on a Sunday, `月末` after the month's
    /// last business day) is said to be past, not a date the bot cannot read.
    #[test]
    fn a_span_already_over_is_past_not_unreadable() {
        let h = hours();
        let sunday = jst(2026, 12, 6, 13, 0);
        assert_eq!(parse_due("今週中", sunday, TZ, Some(&h)), Err(DueError::InPast));
        let saturday = jst(2027, 1, 30, 13, 0);
        assert_eq!(parse_due("月末", saturday, TZ, Some(&h)), Err(DueError::InPast));
        assert_eq!(parse_due("今週中", sunday, TZ, None), Ok(jst(2026, 12, 6, 18, 0)));
    }

    #[test]
    fn due_dates_land_on_the_close_of_the_business_day_meant() {
        let h = hours();
        type Case<'a> = (&'a str, Option<&'a BusinessHours>, Result<DateTime<Utc>, DueError>);
        let cases: &[Case] = &[
            ("2026-12-10", Some(&h), Ok(jst(2026, 12, 10, 18, 0))),
            ("2026/12/10", Some(&h), Ok(jst(2026, 12, 10, 18, 0))),
            ("12/10", Some(&h), Ok(jst(2026, 12, 10, 18, 0))),
            ("１２／１０", Some(&h), Ok(jst(2026, 12, 10, 18, 0))),
            ("12月10日", Some(&h), Ok(jst(2026, 12, 10, 18, 0))),
            // Without a year: the nearest such date, next January's; one just past is refused,
            // never taken as a year on (a reminder nobody would see for a year).
            ("1/5", Some(&h), Ok(jst(2027, 1, 5, 18, 0))),
            ("11/27", Some(&h), Err(DueError::InPast)),
            ("11月27日", Some(&h), Err(DueError::InPast)),
            ("明後日", Some(&h), Ok(jst(2026, 12, 2, 18, 0))),
            ("fri", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("金", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            // Today is Monday: "mon" is next week's.
            ("Monday", Some(&h), Ok(jst(2026, 12, 7, 18, 0))),
            // Tue, Wed, (Thu holiday), Fri.
            ("+3d", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            // Fri, (Sat, Sun), Mon.
            ("+4d", Some(&h), Ok(jst(2026, 12, 7, 18, 0))),
            ("+3d", None, Ok(jst(2026, 12, 3, 18, 0))),
            ("+0d", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("15:00", Some(&h), Ok(jst(2026, 11, 30, 15, 0))),
            ("2h", Some(&h), Ok(jst(2026, 11, 30, 12, 0))),
            ("2026-11-27", Some(&h), Err(DueError::InPast)),
            ("9:00", Some(&h), Err(DueError::InPast)),
            ("someday", Some(&h), Err(DueError::Unrecognised)),
            ("2026-13-01", Some(&h), Err(DueError::Unrecognised)),
            ("+xd", Some(&h), Err(DueError::Unrecognised)),
            // As a Japanese rep writes a due date.
            ("明日", Some(&h), Ok(jst(2026, 12, 1, 18, 0))),
            // "Within tomorrow", as a promise reads it.
            ("明日中", Some(&h), Ok(jst(2026, 12, 1, 18, 0))),
            ("本日", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("明後日", Some(&h), Ok(jst(2026, 12, 2, 18, 0))),
            ("12/20(日)", Some(&h), Ok(jst(2026, 12, 20, 18, 0))),
            ("12月20日（日）", Some(&h), Ok(jst(2026, 12, 20, 18, 0))),
            ("12/20まで", Some(&h), Ok(jst(2026, 12, 20, 18, 0))),
            // A weekday beside the date must be its own: 12/20 is a Sunday.
            ("12/20(月)", Some(&h), Err(DueError::Unrecognised)),
            ("金曜日", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("来週金曜日まで", Some(&h), Ok(jst(2026, 12, 11, 18, 0))),
            ("来週月曜", Some(&h), Ok(jst(2026, 12, 7, 18, 0))),
            // Today is Monday 11-30: next week's Friday, not this one.
            ("来週金曜", Some(&h), Ok(jst(2026, 12, 11, 18, 0))),
            ("３営業日", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("3営業日後", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            // A span in days is the day's close, as `in 5 days` is, not this moment 5 days on.
            ("5日後", Some(&h), Ok(jst(2026, 12, 5, 18, 0))),
            ("５日以内", Some(&h), Ok(jst(2026, 12, 5, 18, 0))),
            ("2週間後", Some(&h), Ok(jst(2026, 12, 14, 18, 0))),
            ("1か月後", Some(&h), Ok(jst(2026, 12, 30, 18, 0))),
            ("あさって", Some(&h), Ok(jst(2026, 12, 2, 18, 0))),
            ("今週中", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("月末", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            // Next week's, next month's, December's and the year's last business day.
            ("来週", Some(&h), Ok(jst(2026, 12, 11, 18, 0))),
            ("来週中", Some(&h), Ok(jst(2026, 12, 11, 18, 0))),
            ("来月末", Some(&h), Ok(jst(2026, 12, 31, 18, 0))),
            ("12月末", Some(&h), Ok(jst(2026, 12, 31, 18, 0))),
            ("１２月末まで", Some(&h), Ok(jst(2026, 12, 31, 18, 0))),
            ("年内", Some(&h), Ok(jst(2026, 12, 31, 18, 0))),
            ("10月末", Some(&h), Err(DueError::Unrecognised)),
            ("今月末まで", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("12/20 １７：００", Some(&h), Ok(jst(2026, 12, 20, 17, 0))),
            ("12月20日 15時", Some(&h), Ok(jst(2026, 12, 20, 15, 0))),
            // As hurried English-speaking reps write one.
            ("friday 3pm", Some(&h), Ok(jst(2026, 12, 4, 15, 0))),
            ("tomorrow 10am", Some(&h), Ok(jst(2026, 12, 1, 10, 0))),
            ("12/10 3pm", Some(&h), Ok(jst(2026, 12, 10, 15, 0))),
            ("3pm tomorrow", Some(&h), Ok(jst(2026, 12, 1, 15, 0))),
            ("Dec 5", Some(&h), Ok(jst(2026, 12, 5, 18, 0))),
            ("5 Dec", Some(&h), Ok(jst(2026, 12, 5, 18, 0))),
            ("December 5", Some(&h), Ok(jst(2026, 12, 5, 18, 0))),
            ("dec 5 3pm", Some(&h), Ok(jst(2026, 12, 5, 15, 0))),
            ("jan 5", Some(&h), Ok(jst(2027, 1, 5, 18, 0))),
            ("by fri", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("“fri”", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("fri.", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("at 3pm", Some(&h), Ok(jst(2026, 11, 30, 15, 0))),
            ("noon", Some(&h), Ok(jst(2026, 11, 30, 12, 0))),
            ("tomorrow noon", Some(&h), Ok(jst(2026, 12, 1, 12, 0))),
            ("tomorrow 0900", Some(&h), Ok(jst(2026, 12, 1, 9, 0))),
            ("4.30pm", Some(&h), Ok(jst(2026, 11, 30, 16, 30))),
            ("3 p.m.", Some(&h), Ok(jst(2026, 11, 30, 15, 0))),
            ("eod", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("EOD", None, Ok(jst(2026, 11, 30, 18, 0))),
            ("end of day", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("COB", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("close of business", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("by EOD", Some(&h), Ok(jst(2026, 11, 30, 18, 0))),
            ("tomorrow eod", Some(&h), Ok(jst(2026, 12, 1, 18, 0))),
            ("fri eod", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("eod fri", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("eod someday", Some(&h), Err(DueError::Unrecognised)),
            ("tmrw", Some(&h), Ok(jst(2026, 12, 1, 18, 0))),
            ("tues", Some(&h), Ok(jst(2026, 12, 1, 18, 0))),
            ("weds", Some(&h), Ok(jst(2026, 12, 2, 18, 0))),
            ("thurs", Some(&h), Ok(jst(2026, 12, 3, 18, 0))),
            // "next" is the coming one: today is Monday, so next Monday is a week on.
            ("next monday", Some(&h), Ok(jst(2026, 12, 7, 18, 0))),
            ("next fri", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("in 2 days", Some(&h), Ok(jst(2026, 12, 2, 18, 0))),
            // Tue, Wed, (Thu holiday), Fri.
            ("3 business days", Some(&h), Ok(jst(2026, 12, 4, 18, 0))),
            ("in 30 days", Some(&h), Ok(jst(2026, 12, 30, 18, 0))),
            ("2 weeks", Some(&h), Ok(jst(2026, 12, 14, 18, 0))),
            ("3 months", Some(&h), Ok(jst(2027, 2, 28, 18, 0))),
            ("tomorrow morning", Some(&h), Err(DueError::Unrecognised)),
            ("this afternoon", Some(&h), Err(DueError::Unrecognised)),
            ("1500", Some(&h), Err(DueError::Unrecognised)),
            ("1.5h", Some(&h), Err(DueError::Unrecognised)),
            ("in a fortnight", Some(&h), Err(DueError::Unrecognised)),
        ];
        for (text, schedule, expected) in cases {
            assert_eq!(&parse_due(text, now(), TZ, *schedule), expected, "{text}");
        }
    }

    #[test]
    fn end_of_day_is_the_close_of_the_schedule() {
        let h = BusinessHours {
            close: NaiveTime::from_hms_opt(17, 30, 0).unwrap(),
            ..hours()
        };
        assert_eq!(parse_due("eod", now(), TZ, Some(&h)), Ok(jst(2026, 11, 30, 17, 30)));
        assert_eq!(parse_due("fri COB", now(), TZ, Some(&h)), Ok(jst(2026, 12, 4, 17, 30)));
        let evening = jst(2026, 11, 30, 19, 0);
        assert_eq!(parse_due("eod", evening, TZ, Some(&h)), Err(DueError::InPast));
    }

    #[test]
    fn the_reminder_comes_at_the_opening_of_the_business_day_before() {
        let h = hours();
        let cases: &[(DateTime<Utc>, Option<&BusinessHours>, DateTime<Utc>)] = &[
            // Due Friday: reminded Wednesday, Thursday being a holiday.
            (jst(2026, 12, 4, 18, 0), Some(&h), jst(2026, 12, 2, 9, 0)),
            // Due Monday: reminded the Friday before.
            (jst(2026, 12, 7, 18, 0), Some(&h), jst(2026, 12, 4, 9, 0)),
            (jst(2026, 12, 7, 18, 0), None, jst(2026, 12, 6, 9, 0)),
            // Due tomorrow morning: the day before is today, already open: at once.
            (jst(2026, 12, 1, 10, 0), Some(&h), now()),
            // Due in a few seconds: never later than the due time itself.
            (now() + chrono::Duration::seconds(3), Some(&h), now()),
        ];
        for (due, schedule, expected) in cases {
            assert_eq!(reminder_before(*schedule, TZ, *due, now()), *expected, "{due}");
        }
    }

    #[test]
    fn whole_days_of_a_span_are_business_days() {
        let h = hours();
        let s = |secs: u64| std::time::Duration::from_secs(secs);
        let cases: &[(std::time::Duration, Option<&BusinessHours>, DateTime<Utc>)] = &[
            (s(2 * 86_400), Some(&h), jst(2026, 12, 2, 10, 0)),
            // Friday + 2 business days = Tuesday.
            (s(2 * 86_400), None, jst(2026, 12, 2, 10, 0)),
            (s(90), Some(&h), now() + chrono::Duration::seconds(90)),
            (s(3 * 86_400 + 3_600), Some(&h), jst(2026, 12, 4, 11, 0)),
        ];
        for (span, schedule, expected) in cases {
            assert_eq!(after_business_span(*schedule, TZ, now(), *span), *expected, "{span:?}");
        }
        let friday = jst(2026, 12, 4, 10, 0);
        assert_eq!(
            after_business_span(Some(&h), TZ, friday, s(2 * 86_400)),
            jst(2026, 12, 8, 10, 0)
        );
    }
}
