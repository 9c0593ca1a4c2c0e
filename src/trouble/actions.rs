//! Countermeasure actions (stages 4 and 7) with owners and due dates, their reminders, the close rule, the effectiveness check and reopening.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{parse_user, person_at, UsageError};
use super::decide::{Dest, Lane, Message, Op, Reply, Slot, TimerKind, Who, Work};
use super::due::{parse_due, reminder_before};
use super::facts::{EffectAsking, EffectSettled, Mark, Numbered, Step, StepEvent, StepLine, StepReply};
use super::model::{Away, AwayWorker, PostedMessage, StageId, StageState, Trouble, UserId};
use super::timeline::Event;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Containment (暫定対策), stage 4.
    Interim,
    /// Permanent correction (恒久対策), stage 4.
    Permanent,
    /// Systemic recurrence prevention (再発防止), stage 7.
    Prevent,
}

impl ActionKind {
    pub fn parse(word: &str) -> Option<ActionKind> {
        Some(
            match super::money::fold_width(word)
                .to_lowercase()
                .trim_end_matches('策')
                .trim_end_matches("対")
            {
                // The 8D's own words too: D3 containment, D5 corrective, D7 preventive.
                "interim" | "containment" | "temporary" | "暫定" => ActionKind::Interim,
                "permanent" | "perm" | "corrective" | "恒久" => ActionKind::Permanent,
                "prevent" | "prevention" | "preventive" | "再発防止" => ActionKind::Prevent,
                _ => return None,
            },
        )
    }

    pub fn code(self) -> &'static str {
        match self {
            ActionKind::Interim => "interim",
            ActionKind::Permanent => "permanent",
            ActionKind::Prevent => "prevent",
        }
    }

    /// The stage it belongs to.
    pub(super) fn stage(self) -> StageId {
        match self {
            ActionKind::Interim | ActionKind::Permanent => StageId::Countermeasures,
            ActionKind::Prevent => StageId::Prevention,
        }
    }
}

/// A numbered countermeasure: what, who, by when, and how it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub text: String,
    pub owner: UserId,
    pub due: Option<DateTime<Utc>>,
    /// When to ask whether a prevention action worked (after close).
    pub check: Option<DateTime<Utc>>,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub done: Option<Mark>,
    pub verified: Option<Mark>,
    /// The answer to the effectiveness check.
    pub effective: Option<bool>,
    /// Who answered the effectiveness check, and when: the 8D says who confirmed a measure
    /// worked, as D6 says who verified one. None for an answer an earlier release recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Mark>,
    /// Cancelled (given by mistake, a duplicate): who, when and why. It stays on the timeline
    /// and in the lists, marked so, and is no longer open: no reminders, no close rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<Mark>,
    /// Bumped when its due or check date is corrected: a reminder set for the old date is stale.
    #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
    pub round: u32,
}

impl Action {
    /// Still someone's work: neither done nor cancelled.
    pub fn is_open(&self) -> bool {
        self.done.is_none() && self.cancelled.is_none()
    }

    /// Whether `user` owns it or marked it done: verifying it, or that it worked, is someone
    /// else's to say.
    pub fn is_theirs(&self, user: &UserId) -> bool {
        self.owner == *user || self.done.as_ref().is_some_and(|d| d.by == *user)
    }
}

/// An action as typed: `interim|permanent|prevent TEXT owner:<@U> due:DATE check:DATE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAction {
    pub kind: ActionKind,
    pub text: String,
    pub owner: Option<UserId>,
    pub due: Option<String>,
    pub check: Option<String>,
}

impl NewAction {
    /// Its free-text fields, each bounded like every typed text.
    pub(super) fn texts(&self) -> Vec<&str> {
        vec![
            &self.text,
            self.due.as_deref().unwrap_or(""),
            self.check.as_deref().unwrap_or(""),
        ]
    }
}

/// What `fix action N …` changes: only the parts given.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ActionFix {
    pub text: Option<String>,
    pub owner: Option<UserId>,
    pub due: Option<String>,
    pub check: Option<String>,
}

impl ActionFix {
    pub(super) fn texts(&self) -> Vec<&str> {
        [&self.text, &self.due, &self.check]
            .into_iter()
            .map(|t| t.as_deref().unwrap_or(""))
            .collect()
    }
}

/// A value an action had (`from`) and has (`to`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Changed<T> {
    pub from: T,
    pub to: T,
}

/// What a correction of an action changed, part by part (a part not changed is absent).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct ActionChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Changed<UserId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Changed<Option<DateTime<Utc>>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Changed<Option<DateTime<Utc>>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Changed<String>>,
}

impl ActionChange {
    /// Applies it to the action: a new due or check date starts a new round of its reminders.
    pub(super) fn apply(&self, a: &mut Action) {
        if let Some(c) = &self.owner {
            a.owner = c.to.clone();
        }
        if let Some(c) = &self.due {
            a.due = c.to;
        }
        if let Some(c) = &self.check {
            a.check = c.to;
        }
        if let Some(c) = &self.text {
            a.text = c.to.clone();
        }
        if self.due.is_some() || self.check.is_some() {
            a.round += 1;
        }
    }
}

/// `fix action N [owner:<@U>] [due:DATE] [check:DATE] [TEXT]`: read as `action` reads them.
pub(super) fn parse_fix_action(rest: &str) -> Result<Step, UsageError> {
    let (n, after) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let n = super::command::numbered(n).ok_or(UsageError::NeedsNumber("fix action"))?;
    let (text, owner, due, check) = read_options(after, "fix action N owner:")?;
    Ok(Step::FixAction {
        n,
        fix: ActionFix {
            text: (!text.is_empty()).then_some(text),
            owner,
            due,
            check,
        },
    })
}

/// The words `action` reads next for an action already recorded, by what is done to it:
/// completed, verified, cancelled. One list, so a Japanese compound (`対策完了`) and a slip
/// after `prevent` are read by the same words as the command itself.
pub(super) const ACTION_DONE_WORDS: &[&str] = &["done", "complete", "completed", "完了"];
pub(super) const ACTION_VERIFY_WORDS: &[&str] = &["verify", "verified", "検証", "確認"];
pub(super) const ACTION_CANCEL_WORDS: &[&str] = &["cancel", "withdraw", "取消", "取り消し", "取消し"];

/// Whether WORD (lower-cased) is one `action` reads next for an action already recorded.
pub(super) fn is_action_sub_word(word: &str) -> bool {
    [ACTION_DONE_WORDS, ACTION_VERIFY_WORDS, ACTION_CANCEL_WORDS]
        .iter()
        .any(|words| words.contains(&word))
}

pub(super) fn parse_action(rest: &str) -> Result<Step, UsageError> {
    if rest.is_empty() {
        return Ok(Step::ActionModal);
    }
    let (word, after) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let word = word.to_lowercase();
    match word.as_str() {
        w if ACTION_DONE_WORDS.contains(&w) || ACTION_VERIFY_WORDS.contains(&w) => {
            let (n, note) = match after.find(char::is_whitespace) {
                Some(i) => (&after[..i], after[i..].trim()),
                None => (after, ""),
            };
            let n = super::command::numbered(n).ok_or(UsageError::NeedsNumber("action done"))?;
            Ok(if ACTION_DONE_WORDS.contains(&w) {
                Step::ActionDone(n, note.to_string())
            } else {
                Step::ActionVerify(n, note.to_string())
            })
        }
        w if ACTION_CANCEL_WORDS.contains(&w) => {
            let (n, reason) = match after.find(char::is_whitespace) {
                Some(i) => (&after[..i], after[i..].trim()),
                None => (after, ""),
            };
            let n = super::command::numbered(n).ok_or(UsageError::NeedsNumber("action cancel"))?;
            Ok(Step::ActionCancel(n, reason.to_string()))
        }
        kind => {
            let kind = ActionKind::parse(kind).ok_or(UsageError::BadAction)?;
            parse_new_action(kind, after).map(Step::Action)
        }
    }
}

/// The options may come in any order around the text: `owner:<@U>` (one mention), `due:` and
/// `check:` (a date, with its time when given: `12/10 15:00`, `fri 3pm`, `in 2 weeks`).
/// A colon is often left out in a hurry: `owner <@U>` (the word followed by a mention) and
/// `due DATE` (when DATE reads as a due date, so "due to mold" stays text) are the options too,
/// and so is an option written as an aside, `(due: 12/5)`. `by DATE` is left as text: it is
/// too often prose ("replaced by 2 new units").
#[derive(Clone, Copy, PartialEq)]
enum Opt {
    Owner,
    Due,
    Check,
}

/// (marker, option); a full-width `：` is folded to `:` before these are matched.
const MARKERS: &[(&str, Opt)] = &[
    ("owner:", Opt::Owner),
    ("担当:", Opt::Owner),
    ("due:", Opt::Due),
    ("期限:", Opt::Due),
    ("期日:", Opt::Due),
    ("納期:", Opt::Due),
    ("check:", Opt::Check),
    ("確認日:", Opt::Check),
    ("効果確認:", Opt::Check),
];

/// The option `word` starts with, and the value written in the same word.
fn marker(word: &str) -> Option<(Opt, &str)> {
    MARKERS
        .iter()
        .find_map(|&(m, opt)| Some((opt, super::money::strip_lowercase_prefix(word, m)?)))
}

/// The options written without a colon: `owner`/`担当` (followed by a mention), `due`/`期限`
/// and `効果確認` (followed by a date).
fn bare_option(word: &str) -> Option<Opt> {
    match word.to_lowercase().as_str() {
        "owner" | "担当" => Some(Opt::Owner),
        "due" | "期限" | "期日" | "納期" => Some(Opt::Due),
        "確認日" | "効果確認" => Some(Opt::Check),
        _ => None,
    }
}

/// The longest a date with its time runs, in words: `next fri at 3 pm`.
const MAX_DATE_WORDS: usize = 5;

/// The date that `words` start with, as many of them as read as one (the longest reading wins,
/// so `fri 3pm` keeps its time); with `bracketed`, it must end at the closing `)`.
fn date_words(words: &[String], bracketed: bool) -> Option<(String, usize)> {
    let (value, n) = longest_date(words, bracketed)?;
    // `due: 12/25 24:00`: a clock time straight after the date that does not read with it is
    // the date meant, refused as typed, never left in the action's text with the day's close
    // as its due time (six hours early).
    // So is a zone after its time that is not read (`due: fri 17:00 CST`, `17:00 UTC+15`):
    // refused saying why, not left in the text with the time read on our clock.
    let timed = || {
        let value = value.to_lowercase();
        value.ends_with(|c: char| c.is_ascii_digit()) || value.ends_with("am") || value.ends_with("pm")
    };
    match words
        .get(n)
        .filter(|w| !bracketed && (clock_like(w) || (timed() && super::zone::zone_refused(w))))
    {
        Some(time) => Some((format!("{value} {time}"), n + 1)),
        None => Some((value, n)),
    }
}

/// Whether `word` is written as a time of day (`24:00`, `２５：３０`), read or not.
fn clock_like(word: &str) -> bool {
    let folded = super::money::fold_width(word);
    let Some((h, m)) = folded.trim_end_matches([',', ';']).split_once(':') else {
        return false;
    };
    (1..=2).contains(&h.len()) && m.len() == 2 && (h.to_string() + m).bytes().all(|b| b.is_ascii_digit())
}

/// The longest run of `words` from the start that reads as a date.
fn longest_date(words: &[String], bracketed: bool) -> Option<(String, usize)> {
    (1..=words.len().min(MAX_DATE_WORDS)).rev().find_map(|n| {
        let mut value = words[..n].join(" ");
        if bracketed {
            value = value.strip_suffix(')')?.to_string();
        }
        let value = value.trim_end_matches([',', ';']).to_string();
        // `due: 12/5 1500 pcs`: four digits followed by more of the text count something; they
        // are a time (`12/5 1500`) only where the date ends, at the end or before an option.
        let counted = n < words.len()
            && words[n - 1].len() == 4
            && words[n - 1].bytes().all(|b| b.is_ascii_digit())
            && marker(&super::money::fold_width(&words[n])).is_none();
        // `due: fri 17:00 german supplier audit`: a place (or an abbreviation that is a word)
        // read as the zone, with more of the text after it, starts that text; the date ends
        // before it, on our clock. Ending the option (the end, another option, a comma, the
        // aside's bracket), it is the zone, as `german time`, `(german)` and `CET` are anywhere.
        let text_follows = !bracketed
            && n < words.len()
            && !words[n - 1].ends_with([',', ';'])
            && is_a_word(&words[n])
            && super::zone::ends_in_a_word_zone(&value)
            && !starts_an_option(&words[n..]);
        (!counted && !text_follows && super::due::reads_as_due(&value)).then_some((value, n))
    })
}

/// Whether WORDS start another option (`owner:<@U>`, `check:`, `owner <@U>`, `確認:3/1`),
/// which ends the one before it. `確認:` is the check option only with a date after it, as
/// `read_options` reads it (`確認:全数` is text).
fn starts_an_option(words: &[String]) -> bool {
    let word = super::money::fold_width(&words[0]);
    let word = word.strip_prefix('(').unwrap_or(&word);
    let check_date = || {
        let inline = word.strip_prefix("確認:")?;
        let value: Vec<String> = std::iter::once(inline.to_string())
            .filter(|w| !w.is_empty())
            .chain(words[1..].iter().cloned())
            .collect();
        // Read as a due date is read, without the date's own rules for what ends it: this runs
        // inside `longest_date`, and a text of many `確認:` must not recurse through it.
        let reads = (1..=value.len().min(MAX_DATE_WORDS)).any(|n| super::due::reads_as_due(&value[..n].join(" ")));
        Some(()).filter(|_| reads)
    };
    marker(word).is_some() || bare_option(word).is_some() || check_date().is_some()
}

/// Whether WORD is one of the action's words, not a separator or an aside the rep put after the
/// date (`- supplier audit`, `/ check seals`, `(their time)`): those end the date. A quoted,
/// numbered or priced word (`「工場監査」`, `#42`, `¥20,000`) is the action's.
fn is_a_word(word: &str) -> bool {
    let separator = |c: char| matches!(c, '-' | '–' | '—' | '/' | '|' | '・' | ':' | '：' | '>' | '→');
    !word.chars().all(separator) && !word.starts_with(['(', '（', '['])
}

pub fn parse_new_action(kind: ActionKind, text: &str) -> Result<NewAction, UsageError> {
    parse_options(kind, text, ("action", "action … owner:"))
}

/// `/trouble prevent TEXT [owner:<@U>] [due:DATE] [check:DATE]`: a prevention action, typed as
/// `action prevent` takes it (a mistake is answered with `prevent`'s own words).
pub fn parse_prevent(text: &str) -> Result<NewAction, UsageError> {
    parse_options(ActionKind::Prevent, text, ("prevent", "prevent … owner:"))
}

/// An action's text and options; a missing text, or an owner who is not a mention, is explained
/// with the command typed (`sub`, and the owner option's place in it).
fn parse_options(
    kind: ActionKind,
    text: &str,
    (sub, owner_sub): (&'static str, &'static str),
) -> Result<NewAction, UsageError> {
    let (text, owner, due, check) = read_options(text, owner_sub)?;
    // A measure of `.` would count as the prevention a close needs, saying nothing.
    if !crate::trouble::command::says_something(&text) {
        return Err(UsageError::NeedsText(sub));
    }
    Ok(NewAction {
        kind,
        text,
        owner,
        due,
        check,
    })
}

/// The text and the options (owner, due, check) of an action as typed; the text may be empty.
type ReadOptions = (String, Option<UserId>, Option<String>, Option<String>);

/// TEXT's words; a mention's label may hold spaces (`<@U1|qa one>`): it runs to its closing `>`.
fn words_of(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match words.last_mut() {
            Some(open) if open.rfind("<@").is_some_and(|at| !open[at..].contains('>')) => {
                open.push(' ');
                open.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    words
}

/// The owner named by the mention WORDS[AT] starts with, read as every command reads a person
/// ([`person_at`]: `担当：<@U1>さん、全数選別`, `担当 <@U1> さん`), WORDS from AT on then being
/// what follows them (`全数選別`). None, WORDS untouched, when no person is mentioned there.
fn owner_at(words: &mut Vec<String>, at: usize) -> Option<UserId> {
    let joined = words.get(at..)?.join(" ");
    let (user, rest) = person_at(&joined)?;
    let rest = words_of(rest);
    words.truncate(at);
    words.extend(rest);
    Some(user)
}

fn read_options(text: &str, owner_sub: &'static str) -> Result<ReadOptions, UsageError> {
    let mut words = words_of(text);
    let (mut owner, mut due, mut check) = (None, None, None);
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = super::money::fold_width(&words[i]);
        // `(due: 12/5)`: the option as an aside.
        let (bracketed, word) = match word.strip_prefix('(') {
            Some(inner) if marker(inner).is_some() || bare_option(inner).is_some() => (true, inner.to_string()),
            _ => (false, word),
        };
        let unbracket = |v: &str| {
            if bracketed {
                v.strip_suffix(')').unwrap_or(v).to_string()
            } else {
                v.to_string()
            }
        };
        // `確認：3/1` is a check date, as `確認日:` is, when a date follows: 確認 ("check") is
        // also a word of a measure's text (`確認:全数`), which stays text.
        if let Some(inline) = word.strip_prefix("確認:").filter(|_| !bracketed) {
            let own = usize::from(!inline.is_empty());
            let value_words: Vec<String> = inline
                .is_empty()
                .then(Vec::new)
                .unwrap_or_else(|| vec![inline.to_string()])
                .into_iter()
                .chain(words[i + 1..].iter().cloned())
                .collect();
            if let Some((value, used)) = date_words(&value_words, false) {
                check = Some(value);
                i += 1 + used - own;
                continue;
            }
        }
        if let Some((opt, inline)) = marker(&word) {
            let after = &words[i + 1..];
            if opt == Opt::Owner {
                // The mention in the same word (from where it starts, as typed) or the next one.
                let at = match words[i].find("<@").filter(|_| inline.starts_with("<@")) {
                    Some(start) => {
                        words[i] = words[i][start..].to_string();
                        i
                    }
                    None if inline.is_empty() => i + 1,
                    None => {
                        owner = Some(parse_user(&unbracket(inline)).ok_or(UsageError::NeedsUser(owner_sub))?);
                        i += 1;
                        continue;
                    }
                };
                match owner_at(&mut words, at) {
                    Some(user) => {
                        owner = Some(user);
                        i = at;
                    }
                    // Not a mention: a bare member id (`担当：U0QA1B2C3`) is read as that person,
                    // anything else refused.
                    None => {
                        let value = words.get(at).cloned().unwrap_or_default();
                        owner = Some(parse_user(&unbracket(&value)).ok_or(UsageError::NeedsUser(owner_sub))?);
                        i = (at + 1).min(words.len());
                    }
                }
                continue;
            }
            // The value: the rest of this word and the words after it.
            let own = usize::from(!inline.is_empty());
            let mut value_words: Vec<String> = inline
                .is_empty()
                .then(Vec::new)
                .unwrap_or_else(|| vec![inline.to_string()]);
            value_words.extend(after.iter().cloned());
            let (value, used) = date_words(&value_words, bracketed).unwrap_or_else(|| {
                // Not a date: refused with every word typed up to the next option, so the
                // answer shows what was typed rather than its first word (`in`); but when the
                // option comes first, what follows its first word is the text.
                let n = if rest.is_empty() {
                    value_words.len().min(1)
                } else {
                    value_words
                        .iter()
                        .skip(own)
                        .position(|w| marker(&super::money::fold_width(w)).is_some())
                        .map_or(value_words.len(), |p| p + own)
                };
                (unbracket(&value_words[..n].join(" ")), n)
            });
            match opt {
                Opt::Due => due = Some(value),
                _ => check = Some(value),
            }
            i += 1 + used - own;
            continue;
        }
        if bare_option(&word) == Some(Opt::Owner) && words.get(i + 1).is_some_and(|w| w.starts_with("<@")) {
            if let Some(user) = owner_at(&mut words, i + 1) {
                owner = Some(user);
                i += 1;
                continue;
            }
        }
        if let Some(opt) = bare_option(&word) {
            let after = &words[i + 1..];
            let taken = match opt {
                Opt::Owner => None,
                Opt::Due => date_words(after, bracketed).map(|(value, used)| {
                    due = Some(value);
                    used
                }),
                Opt::Check => date_words(after, bracketed).map(|(value, used)| {
                    check = Some(value);
                    used
                }),
            };
            if let Some(used) = taken {
                i += 1 + used;
                continue;
            }
        }
        rest.push(words[i].clone());
        i += 1;
    }
    Ok((
        rest.join(" "),
        owner,
        due.filter(|d: &String| !d.is_empty()),
        check.filter(|c: &String| !c.is_empty()),
    ))
}

fn due_of(w: &Work, text: &Option<String>) -> Result<Option<DateTime<Utc>>, Reply> {
    let Some(text) = text else { return Ok(None) };
    let policy = w.ctx.policy;
    let now = w.ctx.now;
    parse_due(text, now, policy.timezone, policy.business_hours.as_ref())
        // A date years off is a typed year gone wrong (`2036` for `2026`), or a measure pushed
        // out of every reminder and overdue list: either way not to be taken as it reads.
        .and_then(|due| match due - now > chrono::Duration::days(DUE_WITHIN_DAYS.into()) {
            true => Err(super::due::DueError::TooFar { days: DUE_WITHIN_DAYS }),
            false => Ok(due),
        })
        .map(Some)
        .map_err(|e| {
            Reply::Step(StepReply::BadDue {
                text: text.clone(),
                error: e,
            })
        })
}

/// How far ahead an action's due or check date may be: a year (a measure that takes longer is
/// given a nearer step, and its date corrected as it goes).
const DUE_WITHIN_DAYS: u32 = 366;

pub(super) fn add_action(w: &mut Work, user: &UserId, a: NewAction) -> Reply {
    let due = match due_of(w, &a.due) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let check = match due_of(w, &a.check) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let owner = a.owner.unwrap_or_else(|| w.t.owner.clone());
    w.t.substance.actions.push(Action {
        kind: a.kind,
        text: a.text.clone(),
        owner: owner.clone(),
        due,
        check,
        by: user.clone(),
        at: w.ctx.now,
        done: None,
        verified: None,
        effective: None,
        judged: None,
        cancelled: None,
        round: 0,
    });
    let n = w.t.substance.actions.len();
    w.start_stage_quietly(a.kind.stage());
    w.step(
        user,
        StepEvent::ActionAdded {
            n,
            kind: a.kind,
            text: a.text,
            owner: owner.clone(),
            due,
            check,
        },
    );
    // Whoever is given an action takes part: invited to the channel, they see the trouble (a
    // private channel's too) and may record what they find, as `/trouble add` does.
    if !super::decide::is_participant(w.ctx.policy, &w.t, &owner) {
        super::decide::add_participants(w, user, vec![owner.clone()], Vec::new());
    }
    if let Some(due) = due {
        // Given to oneself, an action due before the next reminder time needs none now: the
        // line just posted says it; given to another, that reminder is their notice, by DM.
        set_reminders(w, n, due, owner != *user);
    }
    w.refresh_status();
    Reply::Step(StepReply::ActionAdded { n, kind: a.kind, due })
}

/// Action `n`'s reminders: at the opening of the business day before `due` (unless that has
/// come already; then at once if `remind_now`), and when it is overdue (at once if it is).
fn set_reminders(w: &mut Work, n: usize, due: DateTime<Utc>, remind_now: bool) {
    let (policy, now) = (w.ctx.policy, w.ctx.now);
    let round = w.t.substance.actions.get(n.wrapping_sub(1)).map_or(0, |a| a.round);
    let remind = reminder_before(policy.business_hours.as_ref(), policy.timezone, due, now);
    if due > now && (remind > now || remind_now) {
        w.timer(
            remind,
            TimerKind::ActionDue {
                n,
                overdue: false,
                round,
            },
        );
    }
    w.timer(
        due.max(now),
        TimerKind::ActionDue {
            n,
            overdue: true,
            round,
        },
    );
}

fn action_index(w: &Work, n: usize) -> Result<usize, Reply> {
    if n >= 1 && n <= w.t.substance.actions.len() {
        Ok(n - 1)
    } else {
        Err(Reply::Step(StepReply::NoSuchLine {
            what: Numbered::Action,
            n,
        }))
    }
}

/// Marked done by its owner or the manager chain.
pub(super) fn mark_done(w: &mut Work, user: &UserId, n: usize, note: String) -> Reply {
    let i = match action_index(w, n) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let owner = w.t.substance.actions[i].owner.clone();
    if let Some(cancelled) = &w.t.substance.actions[i].cancelled {
        return Reply::Step(StepReply::ActionWasCancelled {
            n,
            by: cancelled.by.clone(),
        });
    }
    if owner != *user && !w.t.manager_chain().contains(user) {
        return Reply::Step(StepReply::ActionNotAllowed {
            who: Who::OwnerOrChain {
                owner,
                chain: w.t.manager_chain().to_vec(),
            },
        });
    }
    // A second Done (a double tap in App Home, say) would rewrite who did it and when.
    if let Some(done) = &w.t.substance.actions[i].done {
        return Reply::Step(StepReply::AlreadyDone { n, by: done.by.clone() });
    }
    mark(w, user, n, note, false)
}

/// Verified by the manager chain or a member of a department on the trouble, once done.
pub(super) fn verify(w: &mut Work, user: &UserId, n: usize, note: String) -> Reply {
    let i = match action_index(w, n) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let policy = w.ctx.policy;
    let action = &w.t.substance.actions[i];
    // Whoever did it is told so below (once it is done), not that they are no checker.
    let checkers = super::decide::checkers_of(policy, &w.t, action);
    if !checkers.includes(user) && !super::decide::checkers(policy, &w.t).includes(user) {
        let checkers = super::decide::checkers_to_name(policy, &w.t, action);
        return Reply::Step(StepReply::VerifyNotAllowed { checkers });
    }
    if action.done.is_none() {
        return Reply::Step(StepReply::NotDoneYet { n });
    }
    // A check is someone else's: who owned the work or marked it done does not verify it.
    if action.is_theirs(user) {
        return Reply::Step(StepReply::OwnWork { n });
    }
    // A second check would rewrite who verified it, and the evidence they gave, on the action.
    if let Some(verified) = &action.verified {
        return Reply::Step(StepReply::AlreadyVerified {
            n,
            by: verified.by.clone(),
        });
    }
    // A verification is what was checked: "verified by X" alone is no evidence to the customer
    // reading D6, nor to an auditor months later.
    let note = note.trim().to_string();
    if !crate::trouble::command::says_something(&note) {
        return Reply::Step(StepReply::VerifyNeedsEvidence { n });
    }
    mark(w, user, n, note, true)
}

/// Records action `n` done (or verified): on the action, the timeline and in the channel.
fn mark(w: &mut Work, user: &UserId, n: usize, note: String, verified: bool) -> Reply {
    let m = Some(Mark {
        by: user.clone(),
        at: w.ctx.now,
        note: note.clone(),
    });
    let action = &mut w.t.substance.actions[n - 1];
    let (event, reply) = if verified {
        action.verified = m;
        (StepEvent::ActionVerified { n, note }, StepReply::ActionVerified { n })
    } else {
        action.done = m;
        (StepEvent::ActionDone { n, note }, StepReply::ActionDone { n })
    };
    w.step(user, event);
    w.refresh_status();
    Reply::Step(reply)
}

/// Who may correct or cancel action `n`: the trouble's owner or the manager chain; the chain
/// alone for one someone in it gave (the owner could otherwise give it to themself and mark it
/// done, or cancel an interim action the chain set), and for a cancellation once the trouble
/// is closed (its close counted on the measures then open).
fn refuse_change(w: &Work, user: &UserId, n: usize, cancel: bool) -> Option<Reply> {
    let chain = w.t.manager_chain();
    let in_chain = |u: &UserId| chain.contains(u) && *u != w.t.owner;
    let given_by = &w.t.substance.actions[n - 1].by;
    let given_by_chain = in_chain(given_by).then(|| given_by.clone());
    if !in_chain(user) && (given_by_chain.is_some() || (cancel && w.t.closed.is_some())) {
        return Some(Reply::Step(StepReply::ActionChainOnly {
            n,
            cancel,
            given_by: given_by_chain,
            chain: chain.to_vec(),
        }));
    }
    (w.t.owner != *user && !chain.contains(user)).then(|| {
        Reply::Step(StepReply::ActionChangeNotAllowed {
            cancel,
            who: Who::OwnerOrChain {
                owner: w.t.owner.clone(),
                chain: chain.to_vec(),
            },
        })
    })
}

/// `fix action N …`: the owner, due date, check date or text given wrongly is corrected; only
/// the parts given change. The timeline keeps both values; the reminders follow the new date
/// (those set for the old one are stale); a new owner takes part; whoever's action it was or
/// is now hears of it by DM when someone else made the change.
pub(super) fn fix_action(w: &mut Work, user: &UserId, n: usize, fix: ActionFix) -> Reply {
    let i = match changeable(w, user, n, false) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if fix == ActionFix::default() {
        return Reply::Step(StepReply::NothingToFix { n });
    }
    let due = match due_of(w, &fix.due) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let check = match due_of(w, &fix.check) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let a = &w.t.substance.actions[i];
    let change = ActionChange {
        owner: fix.owner.filter(|o| *o != a.owner).map(|to| Changed {
            from: a.owner.clone(),
            to,
        }),
        due: due.filter(|d| a.due != Some(*d)).map(|d| Changed {
            from: a.due,
            to: Some(d),
        }),
        check: check.filter(|c| a.check != Some(*c)).map(|c| Changed {
            from: a.check,
            to: Some(c),
        }),
        text: fix.text.filter(|t| *t != a.text).map(|to| Changed {
            from: a.text.clone(),
            to,
        }),
    };
    if change == ActionChange::default() {
        return Reply::Step(StepReply::ActionUnchanged { n });
    }
    let (former, giver) = (a.owner.clone(), a.by.clone());
    change.apply(&mut w.t.substance.actions[i]);
    let a = &w.t.substance.actions[i];
    let (owner, new_due, new_check, kind) = (a.owner.clone(), a.due, a.check, a.kind);
    let event = StepEvent::ActionCorrected {
        n,
        change: change.clone(),
    };
    w.step(user, event.clone());
    if change.owner.is_some() && !super::decide::is_participant(w.ctx.policy, &w.t, &owner) {
        super::decide::add_participants(w, user, vec![owner.clone()], Vec::new());
    }
    // A new date: the reminders set for the old one are stale (the action's round moved on).
    if change.due.is_some() || change.check.is_some() {
        if let Some(due) = new_due {
            set_reminders(w, n, due, change.due.is_some() && owner != *user);
        }
        let asked = !w.t.is_open() && kind == ActionKind::Prevent;
        if let Some(check) = new_check.filter(|_| asked && w.t.substance.actions[i].effective.is_none()) {
            let round = w.t.substance.reopened;
            set_effect_check(w, n, check, round);
        }
    }
    tell_of_change(w, user, &[former, owner, giver], &event);
    w.refresh_status();
    Reply::Step(StepReply::ActionCorrected {
        n,
        change: Box::new(change),
    })
}

/// Action `n`'s index when `user` may correct (or `cancel`) it and it is still open: done is on
/// the record (a note, not a rewrite, says what was wrong with it), and a cancelled one is over.
fn changeable(w: &Work, user: &UserId, n: usize, cancel: bool) -> Result<usize, Reply> {
    let i = action_index(w, n)?;
    if let Some(refusal) = refuse_change(w, user, n, cancel) {
        return Err(refusal);
    }
    let a = &w.t.substance.actions[i];
    if let Some(done) = &a.done {
        return Err(Reply::Step(StepReply::ActionDoneAlready {
            n,
            by: done.by.clone(),
            cancel,
        }));
    }
    if let Some(cancelled) = &a.cancelled {
        return Err(Reply::Step(StepReply::ActionWasCancelled {
            n,
            by: cancelled.by.clone(),
        }));
    }
    Ok(i)
}

/// `action cancel N REASON`: an action given by mistake (a duplicate line) is cancelled. It
/// stays on the timeline and in the lists, marked so, with who, when and why; it is no longer
/// open: no reminders, no close rule, out of App Home. A done action is not cancelled.
pub(super) fn cancel_action(w: &mut Work, user: &UserId, n: usize, reason: String) -> Reply {
    let i = match changeable(w, user, n, true) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let a = &w.t.substance.actions[i];
    // A close (not forced) rested on its measures: the last standing one stays while it is
    // closed, or the record would read as a normal close with none. Reopened, it may go: the
    // answer names who may reopen it when the one cancelling may not (a reorg since the chain
    // was kept can leave them able to cancel and not to reopen).
    let rested_on = w.t.closed.as_ref().is_some_and(|c| c.forced_reason.is_none());
    let standing = a.kind == ActionKind::Prevent && a.effective != Some(false);
    if rested_on && standing && standing_prevention(&w.t) <= 1 {
        let reopeners = (!super::decide::may(w.ctx.policy, &w.t, user, super::decide::Act::Reopen))
            .then(|| super::decide::reopeners(w.ctx.policy, &w.t));
        return Reply::Step(StepReply::LastMeasureOfClose { n, reopeners });
    }
    let reason = reason.trim().to_string();
    if !crate::trouble::command::says_something(&reason) {
        return Reply::Step(StepReply::CancelNeedsReason { n });
    }
    let (owner, giver) = (a.owner.clone(), a.by.clone());
    w.t.substance.actions[i].cancelled = Some(Mark {
        by: user.clone(),
        at: w.ctx.now,
        note: reason.clone(),
    });
    let event = StepEvent::ActionCancelled { n, reason };
    w.step(user, event.clone());
    tell_of_change(w, user, &[owner, giver], &event);
    w.refresh_status();
    Reply::Step(StepReply::ActionCancelled { n })
}

/// DMs each of `people` (the action's former owner, its owner now, whoever gave it), once and
/// not the one who made the change, that `by` corrected or cancelled the action: nobody's work
/// is taken from them, or what they asked of someone dropped, without their hearing of it.
fn tell_of_change(w: &mut Work, by: &UserId, people: &[UserId], event: &StepEvent) {
    for (i, to) in people.iter().enumerate() {
        if to == by || people[..i].contains(to) {
            continue;
        }
        let notice = Message::ActionChanged {
            to: to.clone(),
            by: by.clone(),
            event: event.clone(),
        };
        w.post(Lane::Dm, Dest::Dm(to.clone()), notice);
    }
}

/// What a close still waits for once every stage is done, whoever asks: what the status shows
/// instead of offering a close that would be refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseWait {
    /// Interim action N, not done.
    InterimAction(usize),
    /// No prevention action standing (nor a measure stored before actions existed): a new one
    /// when those recorded were found not effective (`not_effective`, by number).
    PreventionMeasure { not_effective: Vec<usize> },
    /// Proposal N awaits a decision someone can make.
    Decision(usize),
    /// Nobody in the chain has acknowledged it (the owner may not close it before).
    Acknowledgement,
}

/// [`CloseWait`]s of `t`, in the order the close's refusals name them.
pub fn close_waits_for(policy: &crate::trouble::policy::Policy, t: &Trouble) -> Vec<CloseWait> {
    let (open_interim, has_prevention) = close_gaps(t);
    let mut waits: Vec<CloseWait> = open_interim.into_iter().map(CloseWait::InterimAction).collect();
    if !has_prevention {
        waits.push(CloseWait::PreventionMeasure {
            not_effective: not_effective_measures(t),
        });
    }
    waits.extend(
        super::approval::awaiting_any_decision(policy, t)
            .into_iter()
            .map(CloseWait::Decision),
    );
    if t.ack.is_none() && t.manager.is_some() {
        waits.push(CloseWait::Acknowledgement);
    }
    waits
}

/// Whether a prevention measure was recorded after the customer last heard from us (or they
/// never did): stage 7 presents the measures to the customer, and the closing decision is theirs
/// to hear too (ISO 10002), which no update may log once the trouble is closed.
pub fn measures_untold(t: &Trouble) -> bool {
    let prevention = t
        .substance
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::Prevent && a.cancelled.is_none());
    let latest = t.measures.iter().map(|m| m.at).chain(prevention.map(|a| a.at)).max();
    latest.is_some_and(|at| t.counted_updates().last().is_none_or(|u| u.at < at))
}

/// Interim actions not yet done, and whether a prevention action (or a measure stored before
/// actions existed) is recorded: what the close rule asks besides the stages.
pub fn close_gaps(t: &Trouble) -> (Vec<usize>, bool) {
    let open_interim = t
        .substance
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActionKind::Interim && a.is_open())
        .map(|(i, _)| i + 1)
        .collect();
    let has_prevention = standing_prevention(t) > 0;
    (open_interim, has_prevention)
}

/// The prevention measures a close may rest on: those counted, less any found not effective
/// (its check reopened the trouble; closing again on it alone would close on a measure known
/// not to work, and set no check again).
pub fn standing_prevention(t: &Trouble) -> usize {
    prevention_count(t) - not_effective_measures(t).len()
}

/// Prevention actions (by number) found not effective and not cancelled since.
pub fn not_effective_measures(t: &Trouble) -> Vec<usize> {
    t.substance
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActionKind::Prevent && a.cancelled.is_none() && a.effective == Some(false))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Prevention actions (a cancelled one is none) plus measures stored before actions existed.
pub fn prevention_count(t: &Trouble) -> usize {
    t.measures.len()
        + t.substance
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Prevent && a.cancelled.is_none())
            .count()
}

/// At close: the effectiveness checks of prevention actions carrying a `check:` date.
pub(super) fn on_close(w: &mut Work) {
    let round = w.t.substance.reopened;
    let checks: Vec<(usize, DateTime<Utc>)> =
        w.t.substance
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == ActionKind::Prevent && a.effective.is_none() && a.cancelled.is_none())
            .filter_map(|(i, a)| a.check.map(|c| (i + 1, c)))
            .collect();
    for (n, at) in checks {
        set_effect_check(w, n, at, round);
    }
}

fn set_effect_check(w: &mut Work, n: usize, at: DateTime<Utc>, round: u32) {
    let epoch = w.t.substance.actions.get(n.wrapping_sub(1)).map_or(0, |a| a.round);
    w.timer(at.max(w.ctx.now), TimerKind::EffectCheck { n, round, epoch });
}

/// An action's reminder: the business day before, and when overdue; nothing once it is done
/// or cancelled, nor for a due date corrected since (`round`).
pub(super) fn action_reminder(w: &mut Work, n: usize, overdue: bool, round: u32) {
    let Some(a) = w.t.substance.actions.get(n.wrapping_sub(1)) else {
        return;
    };
    let (open, owner) = (a.is_open() && a.round == round, a.owner.clone());
    // A "due soon" that comes once the action is already due (the bot was down, or held it
    // till an opening past the due time) is the overdue reminder's to say, once.
    let (late, due) = (!overdue && a.due.is_some_and(|due| due <= w.ctx.now), a.due);
    if !open || late {
        return;
    }
    // The status shows it overdue from now on, as `list` and App Home do.
    if let (true, Some(due)) = (overdue, due) {
        w.redraw_status_past(due);
    }
    if w.held_till_opening(TimerKind::ActionDue { n, overdue, round }) {
        return;
    }
    w.log(None, Event::Stage(StepEvent::ActionReminded { n, overdue }));
    // Once the trouble is closed its channel has moved on (or is archived): the owner alone.
    if w.t.is_open() {
        w.post(
            Lane::Channel,
            Dest::TroubleChannel,
            Message::Step(StepLine::ActionReminder { n, overdue }),
        );
    }
    // The owner hears of it directly too: an action may belong to someone outside the channel.
    // The trouble's owner Slack refused a DM for good too: it asks them to act, and one that
    // goes through brings them back (see `Work::send`).
    w.post(
        Lane::Dm,
        Dest::Dm(owner),
        Message::Step(StepLine::ActionReminder { n, overdue }),
    );
}

/// The reminder of action `n` reached its owner `who`, whose Slack status says they are away:
/// the work waits on someone who will not read it, so whoever answers for the trouble hears
/// it, to hand it on; once per action and absence (the same status seen again by the next
/// reminder says nothing new). The reminders go on to `who` as ever: a status silences nothing.
/// Told to the trouble's owner, or to its manager when the owner is the one away.
pub(in crate::trouble) fn action_owner_away(w: &mut Work, n: usize, who: UserId, away: Away) {
    let Some(a) = w.t.substance.actions.get(n.wrapping_sub(1)) else {
        return;
    };
    // Handed to someone else, or done, while the reminder was on its way: nothing waits on them.
    if a.owner != who || !a.is_open() {
        return;
    }
    let noted = AwayWorker {
        n,
        who: who.clone(),
        away,
    };
    if w.t.away_workers.contains(&noted) {
        return;
    }
    w.t.away_workers.retain(|x| x.n != n);
    w.t.away_workers.push(noted);
    w.changed = true;
    // The owner away: whoever hears a warning (the owner's manager, the one named beside them).
    let (to, owner_away): (Vec<UserId>, _) = match who == w.t.owner {
        false => (vec![w.t.owner.clone()], None),
        true => (
            super::decide::warned(w.ctx.policy, &w.t).mentioned().cloned().collect(),
            Some(away),
        ),
    };
    let message = Message::ActionOwnerAway {
        n,
        who: who.clone(),
        away,
        owner_away,
    };
    for to in to.into_iter().filter(|to| *to != who) {
        w.post(Lane::Dm, Dest::Dm(to), message.clone());
    }
}

/// The trouble's owner, told that action `n`'s owner is away, is away too (`owner_away`):
/// the manager hears it instead, once, as that one message reached them.
pub(in crate::trouble) fn action_owner_away_unread(w: &mut Work, n: usize, owner: UserId, owner_away: Away) {
    let Some(a) = w.t.substance.actions.get(n.wrapping_sub(1)) else {
        return;
    };
    let noted = w.t.away_workers.iter().find(|x| x.n == n && x.who == a.owner);
    let (Some(noted), true, true) = (noted, a.is_open(), owner == w.t.owner) else {
        return;
    };
    let warned = super::decide::warned(w.ctx.policy, &w.t);
    let message = Message::ActionOwnerAway {
        n,
        who: a.owner.clone(),
        away: noted.away,
        owner_away: Some(owner_away),
    };
    let to: Vec<UserId> = warned
        .mentioned()
        .filter(|m| **m != a.owner && **m != owner)
        .cloned()
        .collect();
    for manager in to {
        w.post(Lane::Dm, Dest::Dm(manager), message.clone());
    }
}

/// The effectiveness check falls due (after close): the owner and the manager are asked.
pub(super) fn effect_check(w: &mut Work, n: usize, round: u32, epoch: u32) {
    if round != w.t.substance.reopened || w.t.is_open() {
        return;
    }
    let Some(a) = w.t.substance.actions.get(n.wrapping_sub(1)) else {
        return;
    };
    let stale = a.round != epoch || a.cancelled.is_some();
    let measure_owner = a.owner.clone();
    let manager = effect_check_manager(w.ctx.policy, &w.t, a);
    let measure_owner_answers = super::decide::is_participant(w.ctx.policy, &w.t, &measure_owner)
        || super::decide::checkers_of(w.ctx.policy, &w.t, a).includes(&measure_owner);
    if stale || a.effective.is_some() || w.held_till_opening(TimerKind::EffectCheck { n, round, epoch }) {
        return;
    }
    // The measure's own owner too: who carried it out knows first whether it held; unless they
    // may not answer it (taken off the trouble since, or its former owner): the ask would tell
    // them what they may not see, and refuse their answer.
    let mut ask = vec![w.t.owner.clone()];
    ask.extend(manager.iter().cloned());
    if !ask.contains(&measure_owner) && measure_owner_answers {
        ask.push(measure_owner);
    }
    w.log(None, Event::Stage(StepEvent::EffectAsked { n }));
    let keep_as = Some(Slot::EffectCheck { n, round, epoch });
    let message = Message::Step(StepLine::EffectCheck {
        n,
        ask: ask.clone(),
        round: Some(round),
        epoch: Some(epoch),
    });
    let post = |to: Dest| Op::Post {
        to,
        message: message.clone(),
        keep_as,
    };
    // Each one asked must hear it where they read. A closed trouble's channel is often
    // archived: then everyone it names is asked by DM. In its channel, a mention of someone the
    // channel does not hold notifies nobody (the checker `[org]` names since a reorg, who never
    // took part): they get the ask by DM too, with its buttons, kept as the channel's is so an
    // answer anywhere settles both. A DM rather than an invitation: it reaches them whether or
    // not the bot may still invite into the channel (a closed trouble's channel moves on), asks
    // them alone, and brings nobody into a private trouble's history to answer one question.
    let mut dm_to = ask;
    if w.posts_in_channel() {
        w.send(Lane::Channel, post(Dest::TroubleChannel));
        let there = super::decide::in_its_channel(w.ctx.policy, &w.t);
        dm_to.retain(|u| !there.contains(u));
    }
    dm_to.retain(|u| !w.t.cannot_be_reached(u));
    for who in dm_to {
        w.send(Lane::Dm, post(Dest::Dm(who)));
    }
}

/// Whom of the chain the effectiveness check of `a` asks beside the owner: the first who may
/// confirm it worked ([`checkers_to_name`](super::decide::checkers_to_name)), so the owner's
/// manager from `[org]`, not a colleague the rep named their manager, who may not, nor someone
/// Slack refused for good (gone from Slack), whom nobody could answer for.
pub(in crate::trouble) fn effect_check_manager(
    policy: &crate::trouble::policy::Policy,
    t: &Trouble,
    a: &Action,
) -> Option<UserId> {
    super::decide::checkers_to_name(policy, t, a).chain.first().cloned()
}

/// Whether the check of action `n` asked in `round` for `epoch` still asks.
fn check_asks(t: &Trouble, n: usize, round: u32, epoch: u32) -> bool {
    let asks = |a: &Action| a.effective.is_none() && a.cancelled.is_none() && a.round == epoch;
    !t.is_open() && t.substance.reopened == round && t.substance.actions.get(n.wrapping_sub(1)).is_some_and(asks)
}

/// An effectiveness check that Slack now holds: kept while it asks (settled at once if it was
/// answered or superseded while it was on its way).
pub(super) fn effect_check_posted(w: &mut Work, n: usize, round: u32, epoch: u32, message: PostedMessage) {
    let asking = EffectAsking {
        n,
        round,
        epoch,
        message,
    };
    // The same post told twice (its outcome recorded again after a retry) is no new message.
    if !w.t.substance.effect_asking.iter().any(|a| a.message == asking.message) {
        w.t.substance.effect_asking.push(asking);
        w.changed = true;
    }
}

/// Every effectiveness check's message that no longer asks (answered, its action cancelled,
/// the trouble reopened, its check date corrected) says why and loses its buttons.
pub(super) fn settle_effect_checks(w: &mut Work) {
    let asking = &w.t.substance.effect_asking;
    if asking.iter().all(|a| check_asks(&w.t, a.n, a.round, a.epoch)) {
        return;
    }
    let (keep, settle): (Vec<EffectAsking>, Vec<EffectAsking>) = std::mem::take(&mut w.t.substance.effect_asking)
        .into_iter()
        .partition(|a| check_asks(&w.t, a.n, a.round, a.epoch));
    w.t.substance.effect_asking = keep;
    w.changed = true;
    for a in settle {
        let action = w.t.substance.actions.get(a.n.wrapping_sub(1));
        let why = match action {
            Some(Action { cancelled: Some(c), .. }) => EffectSettled::Cancelled { by: c.by.clone() },
            Some(Action {
                effective: Some(effective),
                ..
            }) => {
                let effective = *effective;
                let n = a.n;
                let by = w.actor_here(|e| matches!(e, Event::Stage(StepEvent::EffectAnswered { n: m, .. }) if *m == n));
                EffectSettled::Answered { effective, by }
            }
            Some(action) if action.round != a.epoch => EffectSettled::Rescheduled,
            Some(_) if w.t.substance.reopened != a.round || w.t.is_open() => EffectSettled::Reopened,
            _ => EffectSettled::Superseded,
        };
        let lane = if w.t.channel.as_ref() == Some(&a.message.channel) {
            Lane::Channel
        } else {
            Lane::Dm
        };
        w.send(
            lane,
            Op::Edit {
                channel: a.message.channel,
                ts: a.message.ts,
                message: Message::Step(StepLine::EffectCheckSettled { n: a.n, why }),
            },
        );
    }
}

/// Which check a tap on an effectiveness check's button answers: the one asked in `round` of
/// reopenings, for the action's dates as of `epoch` (None: drawn by an earlier release).
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked {
    pub round: Option<u32>,
    pub epoch: Option<u32>,
}

/// The answer to an effectiveness check, by the owner or the manager chain: "not effective"
/// reopens the trouble. Taken only while it means something: not for a measure cancelled since,
/// not twice, not once the close it was asked for no longer stands (`asked.round`: the
/// reopenings when it was asked; None from a button of an earlier release, then an open trouble
/// reopened since a close tells it), and not for a check asked before the action's dates were
/// corrected (`asked.epoch`): the check asked for the new date is the one that counts.
pub(super) fn effect_answered(w: &mut Work, user: &UserId, n: usize, effective: bool, asked: Asked) -> Reply {
    let round = asked.round;
    // Whoever may confirm it worked answers the check, taking part or not: a reorg since the
    // close may have made someone who never did its checker (asked by DM, see `effect_check`).
    let checks = |a: &Action| super::decide::checkers_of(w.ctx.policy, &w.t, a).includes(user);
    let a_checker = w.t.substance.actions.get(n.wrapping_sub(1)).is_some_and(checks);
    if let Some(refusal) =
        super::decide::refuse(w.ctx.policy, &w.t, user, super::decide::Act::JudgeEffect).filter(|_| !a_checker)
    {
        return refusal;
    }
    let i = match action_index(w, n) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let a = &w.t.substance.actions[i];
    // Only what the check asks is answered: a button forged for another action changes nothing.
    if a.kind != ActionKind::Prevent {
        return Reply::Step(StepReply::NoEffectCheck { n });
    }
    if let Some(cancelled) = &a.cancelled {
        return Reply::Step(StepReply::ActionWasCancelled {
            n,
            by: cancelled.by.clone(),
        });
    }
    if let Some(effective) = a.effective {
        return Reply::Step(StepReply::EffectAlreadyRecorded { n, effective });
    }
    let reopened = w.t.substance.reopened;
    let superseded = match round {
        Some(round) => round != reopened,
        None => reopened > 0 && w.t.is_open(),
    };
    if superseded {
        return Reply::Step(StepReply::EffectCheckSuperseded {
            n,
            id: w.t.id.clone(),
            at: w.t.substance.reopened_at,
        });
    }
    if asked.epoch.is_some_and(|e| e != a.round) {
        return Reply::Step(StepReply::EffectCheckRescheduled {
            n,
            id: w.t.id.clone(),
            check: a.check,
        });
    }
    // "Effective" answers a check that fell due: early (a forged button, a stale one) it would
    // settle a measure nobody has yet seen work. "Not effective" hides nothing and may come
    // any time.
    if effective && a.check.is_none_or(|c| c > w.ctx.now) {
        let dated = a.check.is_some();
        return Reply::Step(StepReply::EffectNotDue { n, dated });
    }
    // That a measure worked is for those who may verify it, the chain or a quality engineer of
    // its departments, and never whoever did it: the owner who gave it to someone they added
    // could otherwise confirm their own measure. That it did not, anyone asked may say (it
    // reopens the trouble, hiding nothing).
    if effective && !checks(a) {
        let checkers = super::decide::checkers_to_name(w.ctx.policy, &w.t, a);
        return Reply::Step(StepReply::EffectIsSomeoneElses { n, checkers });
    }
    w.t.substance.actions[i].effective = Some(effective);
    w.t.substance.actions[i].judged = Some(Mark {
        by: user.clone(),
        at: w.ctx.now,
        note: String::new(),
    });
    w.step(user, StepEvent::EffectAnswered { n, effective });
    let reopened = !effective && !w.t.is_open();
    if reopened {
        let reason = w.t.substance.actions[i].text.clone();
        reopen(w, user, reason, Some(n));
    }
    w.refresh_status();
    Reply::Step(StepReply::EffectRecorded { effective, reopened })
}

/// Open again at stage 4: acknowledgement kept, the follow-up cadence restarted, the reason on
/// the timeline (`not_effective`: the prevention action found not to work, whose text it is);
/// stage 7 is to be done again too.
pub(super) fn reopen(w: &mut Work, user: &UserId, reason: String, not_effective: Option<usize>) -> Reply {
    if w.t.is_open() {
        return Reply::Step(StepReply::NotClosed);
    }
    w.t.substance.closed_before = w.t.closed.take().map(|c| c.at);
    w.t.substance.reopened += 1;
    w.t.substance.reopened_at = Some(w.ctx.now);
    w.t.substance.reopenings.push(w.ctx.now);
    w.t.substance.reopening = Some(crate::trouble::facts::Reopening {
        by: user.clone(),
        at: w.ctx.now,
        reason: reason.clone(),
        not_effective,
    });
    // The measures are worked on again, once done: a close forced before them (by mistake,
    // say) reopens where the work stood, not at stages it never reached.
    for stage in [StageId::Countermeasures, StageId::Prevention] {
        let s = w.t.stage_mut(stage);
        if s.state == StageState::Done {
            s.state = StageState::InProgress;
            s.done_at = None;
            s.done_by = None;
        }
    }
    // Its channel deleted while it was closed: a new one first, for the lines that follow.
    if w.t.channel.is_none() {
        super::decide::set_up_channel_again(w, None, None);
    }
    w.step(
        user,
        StepEvent::Reopened {
            reason: reason.clone(),
            not_effective,
        },
    );
    // Who heard of the close hears it is open again: the owner and the manager, by DM, and
    // the channels its severity announces to.
    let notice = Message::ReopenedNotice {
        by: user.clone(),
        reason: reason.clone(),
        not_effective,
    };
    w.tell_owner_and_manager(user, notice);
    let announced = w.severity_policy().announce_channels.clone();
    let why = super::decide::NoLonger::Reopened { reason, not_effective };
    w.tell_announced(announced, user, why);
    // The reminders of actions still open fell silent while it was closed: they are set again.
    let undone: Vec<(usize, DateTime<Utc>)> =
        w.t.substance
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_open())
            .filter_map(|(i, a)| a.due.map(|d| (i + 1, d)))
            .collect();
    for (n, due) in undone {
        set_reminders(w, n, due, false);
    }
    // A call promised before the close still stands: its reminder comes, not a nudge early.
    let standing = w.t.standing_promise().filter(|p| *p > w.ctx.now);
    let (due, _) = super::decide::next_follow_up(w, standing);
    w.start_followup_timer(due);
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    // The report posted at the close no longer stands: its summary says so (see `ReportSummary`).
    if w.t.last_report.as_ref().is_some_and(|r| r.message.is_some()) {
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Report });
    }
    w.refresh_status();
    // Its channel lost while it was closed was only recorded: open again, the chain hears.
    super::decide::reopened_while_lost(w, user);
    // Closed before anyone acknowledged it (forced, say): open again, the chain is asked anew.
    super::decide::ask_again_after_reopen(w, user);
    // So is a proposal a forced close left undecided: the close took its buttons away.
    super::approval::ask_again(w);
    Reply::Step(StepReply::Reopened {
        stage: w.t.current_stage(),
        still_lost: w.t.channel_lost.zip(w.t.channel.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_(text: &str) -> NewAction {
        NewAction {
            kind: ActionKind::Interim,
            text: text.into(),
            owner: None,
            due: None,
            check: None,
        }
    }

    fn due_(text: &str, due: &str) -> NewAction {
        NewAction {
            due: Some(due.into()),
            ..text_(text)
        }
    }

    #[test]
    fn the_8ds_words_name_the_kinds_and_complete_and_verified_mark_an_action() {
        use ActionKind::*;
        let kinds: &[(&str, Option<ActionKind>)] = &[
            ("interim", Some(Interim)),
            ("containment", Some(Interim)),
            ("Temporary", Some(Interim)),
            ("暫定対策", Some(Interim)),
            ("permanent", Some(Permanent)),
            ("perm", Some(Permanent)),
            ("corrective", Some(Permanent)),
            ("恒久策", Some(Permanent)),
            ("prevent", Some(Prevent)),
            ("preventive", Some(Prevent)),
            ("再発防止策", Some(Prevent)),
            ("fix", None),
        ];
        for (word, kind) in kinds {
            assert_eq!(ActionKind::parse(word), *kind, "{word}");
        }
        let marks: &[(&str, Step)] = &[
            ("done 1", Step::ActionDone(1, String::new())),
            ("complete 2 shipped", Step::ActionDone(2, "shipped".into())),
            ("completed 2", Step::ActionDone(2, String::new())),
            ("完了 3", Step::ActionDone(3, String::new())),
            ("verify 1", Step::ActionVerify(1, String::new())),
            ("verified 1 ok", Step::ActionVerify(1, "ok".into())),
            ("検証 2", Step::ActionVerify(2, String::new())),
            // 確認 is the word a Japanese user reaches for first.
            ("確認 2 現場で確認", Step::ActionVerify(2, "現場で確認".into())),
        ];
        for (text, step) in marks {
            assert_eq!(&parse_action(text).expect(text), step, "{text}");
        }
    }

    #[test]
    fn fix_action_reads_its_options_as_action_does_and_cancel_takes_a_reason() {
        let fix = |text: &str| parse_fix_action(text);
        let cases: &[(&str, Result<Step, UsageError>)] = &[
            (
                "1 owner:<@U1> due:12/12",
                Ok(Step::FixAction {
                    n: 1,
                    fix: ActionFix {
                        owner: Some(UserId::new("U1")),
                        due: Some("12/12".into()),
                        ..ActionFix::default()
                    },
                }),
            ),
            (
                "#2 担当：<@U3> 期限 来週金曜 確認日:2027-03-04 全数選別",
                Ok(Step::FixAction {
                    n: 2,
                    fix: ActionFix {
                        text: Some("全数選別".into()),
                        owner: Some(UserId::new("U3")),
                        due: Some("来週金曜".into()),
                        check: Some("2027-03-04".into()),
                    },
                }),
            ),
            (
                "3",
                Ok(Step::FixAction {
                    n: 3,
                    fix: ActionFix::default(),
                }),
            ),
            ("1 owner:bob", Err(UsageError::NeedsUser("fix action N owner:"))),
            ("owner:<@U1>", Err(UsageError::NeedsNumber("fix action"))),
        ];
        for (text, expected) in cases {
            assert_eq!(&fix(text), expected, "{text}");
        }
        let cancels: &[(&str, Step)] = &[
            (
                "cancel 2 duplicate of #1",
                Step::ActionCancel(2, "duplicate of #1".into()),
            ),
            ("withdraw #2", Step::ActionCancel(2, String::new())),
            ("取消 2 重複のため", Step::ActionCancel(2, "重複のため".into())),
        ];
        for (text, step) in cancels {
            assert_eq!(&parse_action(text).expect(text), step, "{text}");
        }
        assert_eq!(parse_action("cancel"), Err(UsageError::NeedsNumber("action cancel")));
    }

    /// The DM and the line ride in the outbox: they read back as they were written.
    #[test]
    fn a_correction_and_a_cancellation_survive_the_outbox() {
        let change = ActionChange {
            owner: Some(Changed {
                from: UserId::new("U1"),
                to: UserId::new("U2"),
            }),
            due: Some(Changed {
                from: None,
                to: Some(DateTime::<Utc>::default()),
            }),
            ..ActionChange::default()
        };
        let events = [
            StepEvent::ActionCorrected { n: 1, change },
            StepEvent::ActionCancelled {
                n: 2,
                reason: "dup".into(),
            },
        ];
        for event in events {
            for message in [
                Message::Step(StepLine::Logged {
                    event: event.clone(),
                    by: None,
                }),
                Message::ActionChanged {
                    to: UserId::new("U1"),
                    by: UserId::new("U2"),
                    event: event.clone(),
                },
            ] {
                let json = serde_json::to_string(&message).expect("serializes");
                let back: Message = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
                assert_eq!(back, message);
            }
        }
    }

    #[test]
    fn a_check_date_reads_after_kakunin_and_kakunin_without_a_date_stays_text() {
        let a = parse_prevent("検査基準改訂 担当：<@U0QA2> 期限：12/20 確認：2027/3/1").expect("read");
        assert_eq!(
            (a.text.as_str(), a.due.as_deref(), a.check.as_deref()),
            ("検査基準改訂", Some("12/20"), Some("2027/3/1"))
        );
        let a = parse_prevent("出荷前 確認：全数 実施").expect("read");
        assert_eq!((a.text.as_str(), a.check), ("出荷前 確認：全数 実施", None));
    }

    /// The Kelvin sign lower-cases to `k`: `chec\u{212A}:` is the check option, its value the
    /// rest of the word as typed (slicing by the marker's length once cut inside the sign).
    #[test]
    fn an_option_typed_with_the_kelvin_sign_is_read_as_typed_with_k() {
        let a = parse_prevent("sort stock chec\u{212A}:fri").expect("read");
        assert_eq!((a.text.as_str(), a.check.as_deref()), ("sort stock", Some("fri")));
        assert_eq!(marker("CHEC\u{212A}:+5d").map(|m| m.1), Some("+5d"));
    }

    #[test]
    fn an_action_reads_its_options_in_any_order() {
        let cases: &[(&str, Result<NewAction, UsageError>)] = &[
            (
                "Sort stock at the warehouse owner:<@U1> due:fri",
                Ok(NewAction {
                    kind: ActionKind::Interim,
                    text: "Sort stock at the warehouse".into(),
                    owner: Some(UserId::new("U1")),
                    due: Some("fri".into()),
                    check: None,
                }),
            ),
            (
                "due:2026-12-10 owner:<@U2|qa> 全数検査",
                Ok(NewAction {
                    kind: ActionKind::Interim,
                    text: "全数検査".into(),
                    owner: Some(UserId::new("U2")),
                    due: Some("2026-12-10".into()),
                    check: None,
                }),
            ),
            (
                // As the Japanese help writes them, with an input method's full-width colons.
                "金型温度アラーム 担当：<@U3> 期限:12/20 確認日：2027-03-04",
                Ok(NewAction {
                    kind: ActionKind::Interim,
                    text: "金型温度アラーム".into(),
                    owner: Some(UserId::new("U3")),
                    due: Some("12/20".into()),
                    check: Some("2027-03-04".into()),
                }),
            ),
            (
                // A time typed after the date, full-width or in 時, belongs to it.
                "選別 期限:12/20 １７：００",
                Ok(NewAction {
                    kind: ActionKind::Interim,
                    text: "選別".into(),
                    owner: None,
                    due: Some("12/20 １７：００".into()),
                    check: None,
                }),
            ),
            (
                "選別 期限:12月20日 15時",
                Ok(NewAction {
                    kind: ActionKind::Interim,
                    text: "選別".into(),
                    owner: None,
                    due: Some("12月20日 15時".into()),
                    check: None,
                }),
            ),
            // A time with am/pm after the date belongs to it, as `15:00` does.
            ("sort stock due: friday 3pm", Ok(due_("sort stock", "friday 3pm"))),
            ("sort stock due: tomorrow 10am", Ok(due_("sort stock", "tomorrow 10am"))),
            ("sort stock due: 12/10 3pm", Ok(due_("sort stock", "12/10 3pm"))),
            ("sort stock due:tomorrow 3 pm", Ok(due_("sort stock", "tomorrow 3 pm"))),
            ("due: fri 3:30pm sort stock", Ok(due_("sort stock", "fri 3:30pm"))),
            ("sort stock due: in 2 days", Ok(due_("sort stock", "in 2 days"))),
            (
                "sort stock check: 12/10 3pm",
                Ok(NewAction {
                    check: Some("12/10 3pm".into()),
                    due: None,
                    ..due_("sort stock", "")
                }),
            ),
            // Without the colon: `due` before a date, `owner` before a mention.
            ("sort stock due 12/5", Ok(due_("sort stock", "12/5"))),
            ("sort stock due fri 3pm", Ok(due_("sort stock", "fri 3pm"))),
            ("sort stock due to mold", Ok(text_("sort stock due to mold"))),
            ("在庫の再印字 期限 明日", Ok(due_("在庫の再印字", "明日"))),
            ("在庫の再印字 納期 12/5", Ok(due_("在庫の再印字", "12/5"))),
            ("期限 の確認", Ok(text_("期限 の確認"))),
            (
                "警報の設置 効果確認 12/20",
                Ok(NewAction {
                    check: Some("12/20".into()),
                    due: None,
                    ..due_("警報の設置", "")
                }),
            ),
            // Four digits are a time where the date ends; with more text after them, a count.
            ("sort due: 12/5 1500 pcs", Ok(due_("sort 1500 pcs", "12/5"))),
            ("sort due 12/5 1500 pcs", Ok(due_("sort 1500 pcs", "12/5"))),
            ("sort stock due: 12/5 1500", Ok(due_("sort stock", "12/5 1500"))),
            // A clock time after the date that does not read with it stays with the date, to be
            // refused as typed: never left in the text, the day's close taken instead.
            ("sort due: 12/25 24:00", Ok(due_("sort", "12/25 24:00"))),
            (
                "sort due 12/25 ２５：００ now",
                Ok(due_("sort now", "12/25 ２５：００")),
            ),
            ("sort due: 12/25 23:59", Ok(due_("sort", "12/25 23:59"))),
            (
                "sort due: 12/5 1500 owner: <@U1>",
                Ok(NewAction {
                    owner: Some(UserId::new("U1")),
                    ..due_("sort", "12/5 1500")
                }),
            ),
            ("sort stock due", Ok(text_("sort stock due"))),
            ("replace by 12/5", Ok(text_("replace by 12/5"))),
            ("talk to the owner about it", Ok(text_("talk to the owner about it"))),
            ("owner bob fix it", Ok(text_("owner bob fix it"))),
            (
                "sort owner <@U0COLLEAGUE> due: 12/5",
                Ok(NewAction {
                    owner: Some(UserId::new("U0COLLEAGUE")),
                    ..due_("sort", "12/5")
                }),
            ),
            (
                "選別 担当 <@U3>",
                Ok(NewAction {
                    owner: Some(UserId::new("U3")),
                    ..text_("選別")
                }),
            ),
            // As an aside.
            ("sort stock (due: 12/5)", Ok(due_("sort stock", "12/5"))),
            ("sort stock (due 12/5 3pm)", Ok(due_("sort stock", "12/5 3pm"))),
            ("sort stock (due: 12/20(日))", Ok(due_("sort stock", "12/20(日)"))),
            (
                "sort (owner: <@U1>) stock",
                Ok(NewAction {
                    owner: Some(UserId::new("U1")),
                    ..text_("sort stock")
                }),
            ),
            // A date that does not read is kept whole, up to the next option, for the refusal.
            ("sort due: in a fortnight", Ok(due_("sort", "in a fortnight"))),
            ("due:someday sort stock", Ok(due_("sort stock", "someday"))),
            ("due: someday sort stock", Ok(due_("sort stock", "someday"))),
            (
                "sort due: someday owner:<@U1>",
                Ok(NewAction {
                    owner: Some(UserId::new("U1")),
                    ..due_("sort", "someday")
                }),
            ),
            ("owner:bob fix it", Err(UsageError::NeedsUser("action … owner:"))),
            ("owner:<@U1>", Err(UsageError::NeedsText("action"))),
        ];
        for (text, expected) in cases {
            assert_eq!(&parse_new_action(ActionKind::Interim, text), expected, "{text}");
        }
    }

    /// A text of many `確認:` after a place is read in one pass: whether `確認:` starts the check
    /// option is read without reading each one after it again (which grew fivefold a word).
    #[test]
    fn many_checks_after_a_due_place_are_read_at_once() {
        let text = format!("audit due: fri 17:00 german {}", ["確認:"; 80].join(" "));
        let a = parse_new_action(ActionKind::Interim, &text).expect("read");
        assert_eq!(a.due.as_deref(), Some("fri 17:00"));
    }

    /// A place (or an abbreviation that is a word) after a due time is the zone where the date
    /// ends; followed by more of the action's words, it starts them, and the date is ours.
    #[test]
    fn a_place_after_a_due_time_is_its_zone_only_where_the_date_ends() {
        for (text, action, due) in [
            // The words of the action after the due clause: kept whole.
            (
                "due: fri 17:00 german supplier audit",
                "german supplier audit",
                "fri 17:00",
            ),
            (
                "due: fri 5pm central warehouse recount",
                "central warehouse recount",
                "fri 5pm",
            ),
            ("due: fri 17:00 UK shipment held", "UK shipment held", "fri 17:00"),
            (
                "due: fri 17:00 china supplier audit",
                "china supplier audit",
                "fri 17:00",
            ),
            ("due: fri 5pm new york office visit", "new york office visit", "fri 5pm"),
            ("due: fri 17:00 west gate re-check", "west gate re-check", "fri 17:00"),
            ("due: fri 17:00 PT on the welds", "PT on the welds", "fri 17:00"),
            ("期限: 金曜 17時 ドイツ 工場監査", "ドイツ 工場監査", "金曜 17時"),
            // Ending the option, or said to be the zone: read as the zone.
            ("audit due: fri 17:00 german", "audit", "fri 17:00 german"),
            ("audit due: fri 17:00 german owner:<@U1>", "audit", "fri 17:00 german"),
            (
                "due: fri 17:00 german, supplier audit",
                "supplier audit",
                "fri 17:00 german",
            ),
            (
                "due: fri 17:00 german time supplier audit",
                "supplier audit",
                "fri 17:00 german time",
            ),
            (
                "due: fri 17:00 (german) supplier audit",
                "supplier audit",
                "fri 17:00 (german)",
            ),
            (
                "supplier audit (due: fri 17:00 german)",
                "supplier audit",
                "fri 17:00 german",
            ),
            ("due: 5pm german fri supplier audit", "supplier audit", "5pm german fri"),
            ("due: fri 17:00 CET check the seals", "check the seals", "fri 17:00 CET"),
            ("due: fri 5pm EST check the seals", "check the seals", "fri 5pm EST"),
            (
                "期限: 金曜 17時 ドイツ時間 工場監査",
                "工場監査",
                "金曜 17時 ドイツ時間",
            ),
            ("工場監査 期限: 金曜17時ドイツ", "工場監査", "金曜17時ドイツ"),
            // Japanese's check option ends it too (with a date: `確認:全数` is text), as does a
            // separator or an aside after it; a quoted or numbered word is the action's.
            (
                "工場監査 期限: 金曜 17時 ドイツ 確認:全数",
                "工場監査 ドイツ 確認:全数",
                "金曜 17時",
            ),
            (
                "期限: 金曜 17時 ドイツ 「工場監査」",
                "ドイツ 「工場監査」",
                "金曜 17時",
            ),
            ("due: fri 17:00 german #42 recount", "german #42 recount", "fri 17:00"),
            (
                "工場監査 期限: 金曜 17時 ドイツ 確認: 3/1",
                "工場監査",
                "金曜 17時 ドイツ",
            ),
            (
                "due: fri 17:00 german - supplier audit",
                "- supplier audit",
                "fri 17:00 german",
            ),
            (
                "due: fri 17:00 berlin / check seals",
                "/ check seals",
                "fri 17:00 berlin",
            ),
            (
                "due: fri 5pm eastern (their time) call back",
                "(their time) call back",
                "fri 5pm eastern",
            ),
            // Glued to its time as Japanese is typed, a place is the zone.
            (
                "期限: 金曜17時中国 サプライヤー監査",
                "サプライヤー監査",
                "金曜17時中国",
            ),
        ] {
            let a = parse_new_action(ActionKind::Interim, text).expect("read");
            assert_eq!((a.text.as_str(), a.due.as_deref()), (action, Some(due)), "{text}");
        }
    }
}
