//! Who has left or is away: a person's Slack account and status, asked of Slack once and remembered.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::client::PersonSeen;
use super::{SlackClient, SlackError};
use crate::trouble::model::{Absence, Away, UserId};

/// An answer is trusted this long: someone deactivated since is found at their next DM after it.
const REMEMBER_FOR: Duration = Duration::hours(1);

/// What the record says of a DM that reached someone who has left. Slack itself takes a DM to
/// a deactivated account without error, and nobody reads it: the bot asks, once it went, and
/// counts it as one Slack had nobody to deliver to, so the trouble goes past them (see
/// [`SlackError::dm_refusal`]).
pub const DEACTIVATED: &str = "user_deactivated";

#[derive(Default)]
pub struct PeopleLeft {
    known: Mutex<HashMap<UserId, (PersonSeen, DateTime<Utc>)>>,
    /// Until when Slack is not asked at all: it refused for good (an install without
    /// `users:read`), and would refuse everyone alike.
    refused_until: Mutex<Option<DateTime<Utc>>>,
}

impl PeopleLeft {
    /// Whether `who`'s account is deactivated, as Slack said within the last hour (asked now
    /// when not). Unsure (Slack did not answer, or knows nobody by that id) counts as not: the
    /// DM goes, and fails for itself if it must.
    pub async fn has_left(&self, slack: &SlackClient, who: &UserId, now: DateTime<Utc>) -> bool {
        self.seen(slack, who, now).await.is_some_and(|seen| seen.deactivated)
    }

    /// Whether `who` is away for the day or longer, as the status they set in Slack says (from
    /// the same `users.info` answer as [`Self::has_left`], so asking costs no second call).
    /// Unsure counts as present: the acknowledgement timeout still runs for them as ever.
    pub async fn away(&self, slack: &SlackClient, who: &UserId, now: DateTime<Utc>) -> Option<Away> {
        let seen = self.seen(slack, who, now).await?;
        away_from_status(&seen, now)
    }

    /// The time zone `who`'s Slack is set to, from the same remembered `users.info` answer;
    /// None when Slack did not say (or was not asked: an install without `users:read`).
    pub async fn zone(&self, slack: &SlackClient, who: &UserId, now: DateTime<Utc>) -> Option<chrono_tz::Tz> {
        self.seen(slack, who, now).await?.zone?.parse().ok()
    }

    /// What Slack said of `who` within the last hour (asked now when not): one answer for all the
    /// questions above. None when Slack did not say.
    pub async fn seen(&self, slack: &SlackClient, who: &UserId, now: DateTime<Utc>) -> Option<PersonSeen> {
        let known = self
            .known
            .lock()
            .expect("people lock")
            .get(who)
            .filter(|(_, at)| now - *at < REMEMBER_FOR)
            .map(|(seen, _)| seen.clone());
        if known.is_some() {
            return known;
        }
        if self
            .refused_until
            .lock()
            .expect("people lock")
            .is_some_and(|until| now < until)
        {
            return None;
        }
        match slack.person_seen(who.as_str()).await {
            Ok(seen) => {
                let mut known = self.known.lock().expect("people lock");
                // Kept small: the people a bot writes to, forgotten once stale.
                known.retain(|_, (_, at)| now - *at < REMEMBER_FOR);
                known.insert(who.clone(), (seen.clone(), now));
                if seen.deactivated {
                    tracing::warn!(user = %who, "a person the bot writes to has been deactivated in Slack; passing them by");
                }
                Some(seen)
            }
            Err(e) => {
                log_unsure(who, &e);
                if e.is_permanent() {
                    *self.refused_until.lock().expect("people lock") = Some(now + REMEMBER_FOR);
                }
                None
            }
        }
    }
}

fn log_unsure(who: &UserId, e: &SlackError) {
    tracing::debug!(user = %who, error = %e, "cannot tell whether a person has left; writing to them");
}

/// What a Slack status reads as, of the absences that keep someone from answering for a day or
/// more: Slack's own presets (`🌴 Vacationing`, `🤒 Out sick`) and what people write
/// (`OOO until Mon`, `休暇中`, `終日外出`). A meeting or a commute is not: the acknowledgement
/// timeout waits those out. A status already past its expiry is none (Slack may not have
/// cleared it yet).
pub fn away_from_status(seen: &PersonSeen, now: DateTime<Utc>) -> Option<Away> {
    let until = match seen.status_expiration {
        0 => None,
        secs => Some(DateTime::from_timestamp(secs, 0)?),
    };
    if until.is_some_and(|until| until <= now) {
        return None;
    }
    let why = absence_of_emoji(&seen.status_emoji).or_else(|| absence_of_text(&seen.status_text))?;
    Some(Away { why, until })
}

fn absence_of_emoji(emoji: &str) -> Option<Absence> {
    let name = emoji.trim().trim_matches(':');
    // `:airplane::skin-tone-2:` and the like: the emoji's own name comes first.
    let name = name.split("::").next().unwrap_or_default();
    match name {
        "palm_tree" | "desert_island" | "beach_with_umbrella" | "umbrella_on_ground" => Some(Absence::Vacation),
        "face_with_thermometer" | "face_with_head_bandage" | "hospital" | "sneezing_face" | "nauseated_face" => {
            Some(Absence::Sick)
        }
        "airplane" | "airplane_departure" | "airplane_arriving" | "small_airplane" => Some(Absence::Travelling),
        _ => None,
    }
}

fn absence_of_text(text: &str) -> Option<Absence> {
    let lower = text.to_lowercase();
    // English: whole words (`pto`, not the `pto` of a longer word), phrases as written.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let spaced = format!(" {} ", words.join(" "));
    let said = |phrases: &[&str]| phrases.iter().any(|p| spaced.contains(&format!(" {p} ")));
    let written = |marks: &[&str]| marks.iter().any(|m| lower.contains(m));
    if said(&["sick", "out sick", "sick leave"]) || written(&["病欠", "体調不良", "療養"]) {
        return Some(Absence::Sick);
    }
    if said(&[
        "vacation",
        "vacationing",
        "holiday",
        "holidays",
        "pto",
        "on leave",
        "annual leave",
        "parental leave",
        "maternity leave",
        "paternity leave",
    ]) || written(&[
        "休暇",
        "有給",
        "有休",
        "お休み",
        "夏休み",
        "冬休み",
        "年休",
        "育休",
        "産休",
        "休職",
    ]) {
        return Some(Absence::Vacation);
    }
    if said(&["flight", "flying", "on a plane", "in the air"]) || written(&["機内", "フライト", "搭乗"]) {
        return Some(Absence::Travelling);
    }
    if said(&[
        "ooo",
        "ooto",
        "out of office",
        "out of the office",
        "day off",
        "days off",
        "off today",
        "all day",
    ]) || written(&["不在", "終日"])
    {
        return Some(Absence::OutOfOffice);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn status(emoji: &str, text: &str, expiration: i64) -> PersonSeen {
        PersonSeen {
            status_emoji: emoji.into(),
            status_text: text.into(),
            status_expiration: expiration,
            ..Default::default()
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
    }

    #[test]
    fn a_status_reads_as_the_absence_it_says() {
        let cases = [
            (":palm_tree:", "Vacationing", Some(Absence::Vacation)),
            ("", "On vacation until 12/10", Some(Absence::Vacation)),
            ("", "PTO", Some(Absence::Vacation)),
            ("", "夏季休暇中", Some(Absence::Vacation)),
            ("", "本日お休みです", Some(Absence::Vacation)),
            (":face_with_thermometer:", "Out sick", Some(Absence::Sick)),
            ("", "体調不良のため欠勤", Some(Absence::Sick)),
            (":airplane:", "", Some(Absence::Travelling)),
            ("", "On a plane to Osaka", Some(Absence::Travelling)),
            ("", "OOO until Monday", Some(Absence::OutOfOffice)),
            ("", "終日外出（お客様訪問）", Some(Absence::OutOfOffice)),
            ("", "Customer visit all day", Some(Absence::OutOfOffice)),
            // What a working day looks like: waited out by the acknowledgement timeout.
            (":spiral_calendar_pad:", "In a meeting", None),
            (":bus:", "Commuting", None),
            (":house_with_garden:", "Working remotely", None),
            ("", "will reply after lunch", None),
            ("", "昼休み中", None),
            ("", "spotted a leaves issue", None),
            ("", "", None),
        ];
        for (emoji, text, want) in cases {
            assert_eq!(
                away_from_status(&status(emoji, text, 0), now()).map(|a| a.why),
                want,
                "{emoji} {text}"
            );
        }
    }

    #[test]
    fn a_status_says_until_when_and_counts_for_nothing_once_expired() {
        let later = now() + Duration::days(3);
        let away = away_from_status(&status(":palm_tree:", "", later.timestamp()), now());
        assert_eq!(away.and_then(|a| a.until), Some(later));
        let past = now() - Duration::minutes(1);
        assert_eq!(
            away_from_status(&status(":palm_tree:", "", past.timestamp()), now()),
            None
        );
    }
}
