//! Business-hours arithmetic: when a cadence measured in working time falls due.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Clone, Debug, PartialEq)]
pub struct BusinessHours {
    /// Working weekdays.
    pub days: Vec<Weekday>,
    /// Local opening time.
    pub open: NaiveTime,
    /// Local closing time (> open).
    pub close: NaiveTime,
    /// Local dates that are closed.
    pub holidays: Vec<NaiveDate>,
}

/// A schedule that yields no working day for this long (every day a holiday, say) is broken;
/// giving up and letting time run around the clock beats searching forever or never nudging.
const MAX_IDLE_DAYS: u32 = 2 * 366;

/// Bounds the work of one call for absurd cadences or instants centuries apart. Past it time runs
/// around the clock, the same way in every function, so they stay consistent with each other.
const MAX_SCAN_DAYS: u32 = 100 * 366;

/// How much working time a configured duration stands for. Under business hours a day (`1d`)
/// is a working day, one day's opening hours, so a `1d` cadence set at 10:00 falls due at
/// 10:00 the next working day, not 24 working hours later (15:00 two days on, with 9-hour
/// days). Whole days count so and the rest as it is: `1d12h` is a working day and 12 working
/// hours. Without business hours time runs around the clock and a day is 24 hours.
pub fn working_amount(schedule: Option<&BusinessHours>, amount: Duration) -> Duration {
    let Some(hours) = effective(schedule) else {
        return amount;
    };
    let days = amount.num_days();
    let rest = amount - Duration::days(days);
    i32::try_from(days)
        .ok()
        .and_then(|days| (hours.close - hours.open).checked_mul(days))
        .and_then(|whole| whole.checked_add(&rest))
        .unwrap_or(Duration::MAX)
}

/// Adds `amount` of working time to `start`. Where `schedule` is None, time runs around the clock.
///
/// The result is the earliest instant by which `amount` of working time has passed since `start`:
/// a start outside hours counts from the next opening, and an amount that exactly fills the rest
/// of a day lands on that day's closing instant rather than the next opening. A zero or negative
/// amount yields `start`.
pub fn add_working_time(
    schedule: Option<&BusinessHours>,
    tz: Tz,
    start: DateTime<Utc>,
    amount: Duration,
) -> DateTime<Utc> {
    if amount <= Duration::zero() {
        return start;
    }
    let Some(hours) = effective(schedule) else {
        return saturating_add(start, amount);
    };
    let mut cursor = start;
    let mut remaining = amount;
    for (open, close) in windows(hours, tz, start) {
        if close <= cursor {
            continue;
        }
        let from = open.max(cursor);
        let available = close - from;
        if remaining <= available {
            return from + remaining;
        }
        remaining -= available;
        cursor = close;
    }
    saturating_add(cursor, remaining)
}

/// Working time elapsed between two instants (0 if to <= from).
pub fn working_time_between(
    schedule: Option<&BusinessHours>,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Duration {
    if to <= from {
        return Duration::zero();
    }
    let Some(hours) = effective(schedule) else {
        return to - from;
    };
    let mut cursor = from;
    let mut total = Duration::zero();
    for (open, close) in windows(hours, tz, from) {
        if open >= to {
            return total;
        }
        if close <= cursor {
            continue;
        }
        total += close.min(to) - open.max(cursor);
        if close >= to {
            return total;
        }
        cursor = close;
    }
    // Mirrors the fallback of `add_working_time`, so that adding then measuring round-trips.
    total + (to - cursor)
}

/// True when `at` lies inside business hours (always true without a schedule).
///
/// A broken schedule (see `next_open`) counts as always open, so nudges are not held back forever.
pub fn is_open(schedule: Option<&BusinessHours>, tz: Tz, at: DateTime<Utc>) -> bool {
    next_open(schedule, tz, at) == at
}

/// How late after a close a timer may fire and still count as due while the hours lasted: a
/// timer is decided a few milliseconds after its due time (the wake-up, the store read), never
/// at it, and one due at the very closing instant is that day's to post.
pub const CLOSING_GRACE: Duration = Duration::minutes(1);

/// True inside business hours or less than [`CLOSING_GRACE`] after they closed: working time that
/// fills a day exactly lands on its close (see `add_working_time`), and what falls due then is
/// that day's to post, not the next morning's, though its timer fires a little after.
pub fn open_or_just_closed(schedule: Option<&BusinessHours>, tz: Tz, at: DateTime<Utc>) -> bool {
    is_open(schedule, tz, at) || last_working_window(schedule, tz, at - CLOSING_GRACE, at).is_some()
}

/// Why the local day of `at` has no business hours: a weekday off (`days`) or a holiday; None
/// on a working day, and without a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClosedDay {
    DayOff,
    Holiday,
}

pub fn closed_day(schedule: Option<&BusinessHours>, tz: Tz, at: DateTime<Utc>) -> Option<ClosedDay> {
    let hours = effective(schedule)?;
    let day = local_date(tz, at);
    if !hours.days.contains(&day.weekday()) {
        Some(ClosedDay::DayOff)
    } else if hours.holidays.contains(&day) {
        Some(ClosedDay::Holiday)
    } else {
        None
    }
}

/// The first instant >= at that is inside business hours (at itself when open).
///
/// When the schedule yields no working day for two years, time is taken to run around the clock
/// and `at` is returned.
pub fn next_open(schedule: Option<&BusinessHours>, tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    let Some(hours) = effective(schedule) else {
        return at;
    };
    windows(hours, tz, at)
        .find(|&(_, close)| close > at)
        .map_or(at, |(open, _)| open.max(at))
}

/// The last stretch of business hours between `from` and `to`, as (its start, its end), each
/// clipped to the two; None when none lies between them (or without a schedule, when all time
/// is working time and the stretch is the whole of it).
pub fn last_working_window(
    schedule: Option<&BusinessHours>,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if to <= from {
        return None;
    }
    let Some(hours) = effective(schedule) else {
        return Some((from, to));
    };
    windows(hours, tz, from)
        .take_while(|&(open, _)| open < to)
        .filter(|&(_, close)| close > from)
        .last()
        .map(|(open, close)| (open.max(from), close.min(to)))
}

/// Converts a local wall-clock time to an instant. A time skipped by a daylight-saving jump maps
/// to the first instant after the gap; a time that occurs twice maps to the earlier one.
pub(crate) fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local).earliest() {
        Some(t) => Some(t.with_timezone(&Utc)),
        None => first_instant_reaching(tz, local),
    }
}

/// The earliest instant whose local time is at or after `local`. For a skipped time that is the
/// moment of the jump; a binary search finds it without knowing the zone's transition table.
fn first_instant_reaching(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    const DAY: i64 = 86_400;
    let naive = local.and_utc().timestamp();
    // UTC offsets are well under a day, so local(lo) < local <= local(hi).
    let (mut lo, mut hi) = (naive.checked_sub(DAY)?, naive.checked_add(DAY)?);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if tz.timestamp_opt(mid, 0).single()?.naive_local() >= local {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

/// An empty week or an inverted day cannot be honoured; treating it as no schedule keeps
/// every function total instead of letting each one give up after a long search.
fn effective(schedule: Option<&BusinessHours>) -> Option<&BusinessHours> {
    schedule.filter(|h| !h.days.is_empty() && h.open < h.close)
}

/// The local date of an instant; near the ends of chrono's range the local time may not be
/// representable, and the UTC date is then close enough.
pub(crate) fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc()).fix();
    at.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or(at.naive_utc())
        .date()
}

fn saturating_add(at: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
    at.checked_add_signed(amount).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl BusinessHours {
    /// The working window of one local date, as instants, if that date is a working day.
    fn window(&self, date: NaiveDate, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.days.contains(&date.weekday()) || self.holidays.contains(&date) {
            return None;
        }
        let open = local_to_utc(tz, date.and_time(self.open))?;
        let close = local_to_utc(tz, date.and_time(self.close))?;
        // Both ends inside one daylight-saving gap leave nothing of the day.
        (open < close).then_some((open, close))
    }
}

/// Working windows in order, from the local day before `from` (whose window cannot reach past
/// `from`'s local day, but checking costs nothing and survives odd zone transitions).
fn windows(hours: &BusinessHours, tz: Tz, from: DateTime<Utc>) -> Windows<'_> {
    let today = local_date(tz, from);
    Windows {
        hours,
        tz,
        next: Some(today.pred_opt().unwrap_or(today)),
        idle_days: 0,
        scanned_days: 0,
    }
}

struct Windows<'a> {
    hours: &'a BusinessHours,
    tz: Tz,
    next: Option<NaiveDate>,
    idle_days: u32,
    scanned_days: u32,
}

impl Iterator for Windows<'_> {
    type Item = (DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.idle_days < MAX_IDLE_DAYS && self.scanned_days < MAX_SCAN_DAYS {
            let date = self.next?;
            self.next = date.succ_opt();
            self.scanned_days += 1;
            if let Some(window) = self.hours.window(date, self.tz) {
                self.idle_days = 0;
                return Some(window);
            }
            self.idle_days += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Tokyo;
    use proptest::prelude::*;

    const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    const ALL_DAYS: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// (name, schedule, zone, start, amount, expected end)
    type AddCase<'a> = (&'a str, Option<&'a BusinessHours>, Tz, &'a str, Duration, &'a str);
    /// (name, schedule, zone, from, to, expected working time)
    type BetweenCase<'a> = (&'a str, Option<&'a BusinessHours>, Tz, &'a str, &'a str, Duration);

    fn time(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Instants are written with their local offset so the tables read as wall-clock times.
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hours(days: &[Weekday], open: &str, close: &str, holidays: &[&str]) -> BusinessHours {
        BusinessHours {
            days: days.to_vec(),
            open: time(open),
            close: time(close),
            holidays: holidays.iter().map(|d| date(d)).collect(),
        }
    }

    fn office(holidays: &[&str]) -> BusinessHours {
        hours(&WEEKDAYS, "09:00", "18:00", holidays)
    }

    fn h(n: i64) -> Duration {
        Duration::hours(n)
    }

    fn m(n: i64) -> Duration {
        Duration::minutes(n)
    }

    /// A timer due at the close fires a moment after it: still the day's; one fired well after
    /// is held for the opening, as is one a moment before the hours begin.
    #[test]
    fn just_after_the_close_counts_as_the_days_and_no_later() {
        let office = office(&[]);
        let ms = Duration::milliseconds;
        #[rustfmt::skip]
        let cases: &[(&str, Option<&BusinessHours>, DateTime<Utc>, bool)] = &[
            ("open", Some(&office), at("2026-12-01T12:00:00+09:00"), true),
            ("at the opening", Some(&office), at("2026-12-01T09:00:00+09:00"), true),
            ("just before the opening", Some(&office), at("2026-12-01T09:00:00+09:00") - ms(1), false),
            ("at the close", Some(&office), at("2026-12-01T18:00:00+09:00"), true),
            ("a moment after the close", Some(&office), at("2026-12-01T18:00:00+09:00") + ms(4), true),
            ("within the minute", Some(&office), at("2026-12-01T18:00:59+09:00"), true),
            ("a minute after the close", Some(&office), at("2026-12-01T18:01:00+09:00"), false),
            ("a weekend", Some(&office), at("2026-12-05T12:00:00+09:00"), false),
            ("no schedule", None, at("2026-12-05T03:00:00+09:00"), true),
        ];
        for &(name, schedule, when, want) in cases {
            assert_eq!(open_or_just_closed(schedule, Tokyo, when), want, "{name}");
        }
    }

    #[test]
    fn a_day_is_a_working_day_under_business_hours_and_24_hours_without() {
        let office = office(&[]);
        let nothing_open = hours(&[], "09:00", "18:00", &[]);
        #[rustfmt::skip]
        let cases: &[(&str, Option<&BusinessHours>, Duration, Duration)] = &[
            ("a day is the opening hours", Some(&office), h(24), h(9)),
            ("two days, two days' hours", Some(&office), h(48), h(18)),
            ("a day and a half is a day's hours and 12", Some(&office), h(36), h(21)),
            ("hours stay hours", Some(&office), h(4), h(4)),
            ("no schedule: a day is 24 hours", None, h(24), h(24)),
            ("no working day: a day is 24 hours", Some(&nothing_open), h(24), h(24)),
            ("too long saturates", Some(&office), Duration::MAX, Duration::MAX),
        ];
        for &(name, schedule, amount, want) in cases {
            assert_eq!(working_amount(schedule, amount), want, "{name}");
        }
    }

    #[test]
    fn add_working_time_table() {
        let office = office(&[]);
        let monday_off = self::office(&["2026-11-30"]);
        let new_year = self::office(&["2026-12-31", "2027-01-01"]);
        let nothing_open = hours(&[], "09:00", "18:00", &[]);
        #[rustfmt::skip]
        let cases: &[AddCase] = &[
            ("rolls over the weekend", Some(&office), Tokyo, "2026-11-27T17:30:00+09:00", h(1), "2026-11-30T09:30:00+09:00"),
            ("lands on the close, not next morning", Some(&office), Tokyo, "2026-11-27T17:00:00+09:00", h(1), "2026-11-27T18:00:00+09:00"),
            ("inside one day", Some(&office), Tokyo, "2026-11-26T10:15:00+09:00", m(90), "2026-11-26T11:45:00+09:00"),
            ("start on Saturday counts from Monday", Some(&office), Tokyo, "2026-11-28T11:00:00+09:00", h(1), "2026-11-30T10:00:00+09:00"),
            ("start before opening", Some(&office), Tokyo, "2026-11-30T07:00:00+09:00", m(30), "2026-11-30T09:30:00+09:00"),
            ("start at the close", Some(&office), Tokyo, "2026-11-27T18:00:00+09:00", m(1), "2026-11-30T09:01:00+09:00"),
            ("holiday Monday skipped", Some(&monday_off), Tokyo, "2026-11-27T17:30:00+09:00", h(1), "2026-12-01T09:30:00+09:00"),
            ("holidays and a weekend in a row", Some(&new_year), Tokyo, "2026-12-30T17:00:00+09:00", h(2), "2027-01-04T10:00:00+09:00"),
            ("24 working hours span three days", Some(&office), Tokyo, "2026-11-30T09:00:00+09:00", h(24), "2026-12-02T15:00:00+09:00"),
            ("a full week ends on Friday's close", Some(&office), Tokyo, "2026-11-30T09:00:00+09:00", h(45), "2026-12-04T18:00:00+09:00"),
            ("a minute more is next Monday", Some(&office), Tokyo, "2026-11-30T09:00:00+09:00", h(45) + m(1), "2026-12-07T09:01:00+09:00"),
            ("zero is the start itself", Some(&office), Tokyo, "2026-11-28T11:00:00+09:00", Duration::zero(), "2026-11-28T11:00:00+09:00"),
            ("negative is the start itself", Some(&office), Tokyo, "2026-11-26T11:00:00+09:00", -h(3), "2026-11-26T11:00:00+09:00"),
            ("seconds count", Some(&office), Tokyo, "2026-11-27T17:59:30+09:00", Duration::seconds(90), "2026-11-30T09:01:00+09:00"),
            // 10:00 EDT on Monday is 14:00 UTC: the jump to summer time is on Sunday 2026-03-08.
            ("spring forward over the weekend", Some(&office), New_York, "2026-03-06T17:00:00-05:00", h(2), "2026-03-09T10:00:00-04:00"),
            // Back to standard time on Sunday 2026-11-01: Monday 10:00 EST is 15:00 UTC.
            ("fall back over the weekend", Some(&office), New_York, "2026-10-30T17:00:00-04:00", h(2), "2026-11-02T10:00:00-05:00"),
            ("no schedule is plain addition", None, Tokyo, "2026-11-28T03:00:00+09:00", h(5), "2026-11-28T08:00:00+09:00"),
            ("no schedule over a DST change", None, New_York, "2026-03-08T01:00:00-05:00", h(2), "2026-03-08T04:00:00-04:00"),
            ("empty days is no schedule", Some(&nothing_open), Tokyo, "2026-11-28T03:00:00+09:00", h(5), "2026-11-28T08:00:00+09:00"),
        ];
        for &(name, schedule, tz, start, amount, want) in cases {
            assert_eq!(add_working_time(schedule, tz, at(start), amount), at(want), "{name}");
        }
    }

    #[test]
    fn dst_examples_in_utc() {
        let office = office(&[]);
        let spring = add_working_time(Some(&office), New_York, at("2026-03-06T22:00:00Z"), h(2));
        assert_eq!(spring, at("2026-03-09T14:00:00Z"));
        let fall = add_working_time(Some(&office), New_York, at("2026-10-30T21:00:00Z"), h(2));
        assert_eq!(fall, at("2026-11-02T15:00:00Z"));
    }

    #[test]
    fn working_time_between_table() {
        let office = office(&[]);
        let monday_off = self::office(&["2026-11-30"]);
        #[rustfmt::skip]
        let cases: &[BetweenCase] = &[
            ("over a weekend", Some(&office), Tokyo, "2026-11-27T17:00:00+09:00", "2026-11-30T10:00:00+09:00", h(2)),
            ("all weekend", Some(&office), Tokyo, "2026-11-28T00:00:00+09:00", "2026-11-30T09:00:00+09:00", Duration::zero()),
            ("a whole week", Some(&office), Tokyo, "2026-11-28T00:00:00+09:00", "2026-12-05T00:00:00+09:00", h(45)),
            ("Monday to Wednesday", Some(&office), Tokyo, "2026-11-30T09:00:00+09:00", "2026-12-02T15:00:00+09:00", h(24)),
            ("holiday counts nothing", Some(&monday_off), Tokyo, "2026-11-27T17:00:00+09:00", "2026-12-01T10:00:00+09:00", h(2)),
            ("within one day", Some(&office), Tokyo, "2026-11-26T10:00:00+09:00", "2026-11-26T10:00:42+09:00", Duration::seconds(42)),
            ("to before from", Some(&office), Tokyo, "2026-11-26T12:00:00+09:00", "2026-11-26T10:00:00+09:00", Duration::zero()),
            ("to equals from", Some(&office), Tokyo, "2026-11-26T12:00:00+09:00", "2026-11-26T12:00:00+09:00", Duration::zero()),
            ("spring forward weekend", Some(&office), New_York, "2026-03-06T17:00:00-05:00", "2026-03-09T10:00:00-04:00", h(2)),
            ("fall back weekend", Some(&office), New_York, "2026-10-30T17:00:00-04:00", "2026-11-02T10:00:00-05:00", h(2)),
            ("no schedule", None, Tokyo, "2026-11-28T00:00:00+09:00", "2026-11-30T09:00:00+09:00", h(57)),
            ("no schedule, to before from", None, Tokyo, "2026-11-28T00:00:00+09:00", "2026-11-27T09:00:00+09:00", Duration::zero()),
        ];
        for &(name, schedule, tz, from, to, want) in cases {
            assert_eq!(working_time_between(schedule, tz, at(from), at(to)), want, "{name}");
        }
    }

    #[test]
    fn open_and_next_open_table() {
        let office = office(&["2026-11-30"]);
        #[rustfmt::skip]
        let cases: &[(&str, Option<&BusinessHours>, &str, bool, &str)] = &[
            ("at opening", Some(&office), "2026-11-27T09:00:00+09:00", true, "2026-11-27T09:00:00+09:00"),
            ("a second before the close", Some(&office), "2026-11-27T17:59:59+09:00", true, "2026-11-27T17:59:59+09:00"),
            ("at the close", Some(&office), "2026-11-27T18:00:00+09:00", false, "2026-12-01T09:00:00+09:00"),
            ("early morning", Some(&office), "2026-11-26T08:59:59+09:00", false, "2026-11-26T09:00:00+09:00"),
            ("Saturday, then a holiday Monday", Some(&office), "2026-11-28T12:00:00+09:00", false, "2026-12-01T09:00:00+09:00"),
            ("no schedule", None, "2026-11-28T03:00:00+09:00", true, "2026-11-28T03:00:00+09:00"),
        ];
        for &(name, schedule, instant, open, next) in cases {
            assert_eq!(is_open(schedule, Tokyo, at(instant)), open, "{name}");
            assert_eq!(next_open(schedule, Tokyo, at(instant)), at(next), "{name}");
        }
    }

    /// Opening and closing times that fall on the New York DST changes themselves.
    #[test]
    fn local_times_on_dst_days() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, &str, &str, &str, Duration)] = &[
            // 02:30 does not exist on 2026-03-08: the day opens at the jump, 03:00 EDT.
            ("skipped opening", "02:30", "05:00", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", h(2)),
            ("window across the jump", "01:00", "04:00", "2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z", h(2)),
            // 01:30 happens twice on 2026-11-01: the earlier one (EDT) opens the day.
            ("ambiguous opening", "01:30", "05:00", "2026-11-01T04:00:00Z", "2026-11-01T05:30:00Z", h(4) + m(30)),
            ("window across the repeat", "00:30", "03:00", "2026-11-01T04:00:00Z", "2026-11-01T04:30:00Z", h(3) + m(30)),
        ];
        for &(name, open, close, before, want_open, length) in cases {
            let schedule = hours(&ALL_DAYS, open, close, &[]);
            let opened = next_open(Some(&schedule), New_York, at(before));
            assert_eq!(opened, at(want_open), "{name}");
            let day_end = at(before) + h(23);
            assert_eq!(
                working_time_between(Some(&schedule), New_York, at(before), day_end),
                length,
                "{name}"
            );
        }
    }

    #[test]
    fn schedules_that_never_open_fall_back_to_the_clock() {
        let first = date("2026-11-01");
        let every_day: Vec<NaiveDate> = first.iter_days().take(800).collect();
        let all_holidays = BusinessHours {
            holidays: every_day,
            ..office(&[])
        };
        let inverted = hours(&WEEKDAYS, "18:00", "09:00", &[]);
        let start = at("2026-11-28T03:00:00+09:00");
        for schedule in [&all_holidays, &inverted] {
            assert_eq!(add_working_time(Some(schedule), Tokyo, start, h(5)), start + h(5));
            assert_eq!(working_time_between(Some(schedule), Tokyo, start, start + h(5)), h(5));
            assert_eq!(next_open(Some(schedule), Tokyo, start), start);
            assert!(is_open(Some(schedule), Tokyo, start));
        }
    }

    #[test]
    fn huge_amounts_saturate_instead_of_panicking() {
        let office = office(&[]);
        let start = at("2026-11-27T12:00:00+09:00");
        let end = add_working_time(Some(&office), Tokyo, start, Duration::MAX);
        assert_eq!(end, DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            add_working_time(None, Tokyo, start, Duration::MAX),
            DateTime::<Utc>::MAX_UTC
        );
        let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
        for tz in [
            Tokyo,
            New_York,
            chrono_tz::Pacific::Kiritimati,
            chrono_tz::Pacific::Niue,
        ] {
            assert!(working_time_between(Some(&office), tz, min, max) > Duration::zero());
            for instant in [min, max] {
                assert!(next_open(Some(&office), tz, instant) >= instant);
                is_open(Some(&office), tz, instant);
                add_working_time(Some(&office), tz, instant, h(1));
            }
        }
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop_oneof![Just(Tokyo), Just(New_York), Just(chrono_tz::Europe::London)]
    }

    /// An instant inside hours: some weekday in 2026-2027, some second between 09:00 and 18:00.
    fn inside_hours() -> impl Strategy<Value = (NaiveDate, u32)> {
        (0u64..100, 0u64..5, 0u32..9 * 3600).prop_map(|(week, day, second)| {
            let monday = date("2026-01-05") + chrono::Days::new(7 * week + day);
            (monday, second)
        })
    }

    proptest! {
        #[test]
        fn add_then_measure_round_trips(
            tz in zone(),
            (day, second) in inside_hours(),
            a in 0i64..100 * 3600,
            b in 0i64..100 * 3600,
        ) {
            let office = office(&["2026-03-20", "2026-12-31", "2027-01-01"]);
            prop_assume!(!office.holidays.contains(&day));
            let local = day.and_time(office.open) + Duration::seconds(i64::from(second));
            let start = local_to_utc(tz, local).unwrap();
            prop_assert!(is_open(Some(&office), tz, start));
            let (a, b) = (Duration::seconds(a.min(b)), Duration::seconds(a.max(b)));
            let end_a = add_working_time(Some(&office), tz, start, a);
            let end_b = add_working_time(Some(&office), tz, start, b);
            prop_assert_eq!(working_time_between(Some(&office), tz, start, end_a), a);
            prop_assert_eq!(working_time_between(Some(&office), tz, start, end_b), b);
            prop_assert!(start <= end_a && end_a <= end_b);
        }

        #[test]
        fn any_start_round_trips_and_next_open_is_open(
            tz in zone(),
            seconds in 1_750_000_000i64..1_850_000_000,
            amount in 0i64..100 * 3600,
        ) {
            let office = office(&["2026-03-20", "2026-12-31"]);
            let start = DateTime::from_timestamp(seconds, 0).unwrap();
            let amount = Duration::seconds(amount);
            let end = add_working_time(Some(&office), tz, start, amount);
            prop_assert_eq!(working_time_between(Some(&office), tz, start, end), amount);
            let opened = next_open(Some(&office), tz, start);
            prop_assert!(opened >= start);
            prop_assert!(is_open(Some(&office), tz, opened));
            prop_assert_eq!(working_time_between(Some(&office), tz, start, opened), Duration::zero());
        }
    }
}
