//! Stages 1–3 with substance: the facts (5W2H), the returned goods, the scope lines and the cause, their grammar and their decisions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::actions::{Action, ActionChange, ActionFix, ActionKind, NewAction};
use super::command::{check_length, UsageError, TEXT_LIMIT};
use super::decide::{Act, Dest, Lane, Message, Reply, TimerKind, Who, Work};
use super::markup::readable;
use super::model::{StageId, TroubleId, UserId};
use super::timeline::Event;

/// What stages 1–4 and 7 hold besides their state; troubles stored before it open with none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Substance {
    #[serde(default)]
    pub facts: Facts,
    #[serde(default)]
    pub returned: Option<Returned>,
    #[serde(default)]
    pub scope: Vec<ScopeLine>,
    #[serde(default)]
    pub cause: Option<Cause>,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Earlier troubles already flagged as a possible recurrence, so each is flagged once.
    #[serde(default)]
    pub recurrences: Vec<TroubleId>,
    /// Bumped at each reopening, so an effectiveness check from before it is stale.
    #[serde(default)]
    pub reopened: u32,
    /// When it was last reopened: the customer-update cadence counts from there, not from an
    /// update logged before the close (absent from troubles never reopened, or reopened
    /// before an earlier release kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopened_at: Option<DateTime<Utc>>,
    /// When it was reopened, every time, oldest first: a first call is judged by the reopening
    /// that came before it (`first_contact_judged_by`), not by a later one (absent from troubles
    /// reopened before a release kept them, whose `reopened_at` alone says the last).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reopenings: Vec<DateTime<Utc>>,
    /// Who reopened it last, when and why: the kickoff, the managers' DMs and the notices of its
    /// opening say it where they said it was closed (absent from troubles never reopened, or
    /// reopened before a release kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopening: Option<Reopening>,
    /// When the close that the latest reopening undid was made: the 8D's D8 gives both dates
    /// (absent from troubles never reopened, or reopened before a release kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_before: Option<DateTime<Utc>>,
    /// What facts, the cause and the escape point read before each correction, oldest first:
    /// the customer may have heard the earlier value, so the 8D shows it was corrected (absent
    /// from troubles stored before it was kept; their timeline has them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    /// Who last changed each fact, so a facts form drawn before that change can say by whom
    /// (absent from troubles stored before an earlier release kept it; the timeline says it too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fact_by: Vec<(FactKey, UserId)>,
    /// The effectiveness checks still asking, with their buttons: edited once answered,
    /// cancelled or superseded (absent from troubles stored before they were kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effect_asking: Vec<EffectAsking>,
}

/// A fact, the cause or the escape point as it read before a correction, who corrected it and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub what: Corrected,
    pub was: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// What a [`Correction`] corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corrected {
    Fact(FactKey),
    Cause,
    Escape,
}

/// The corrections a superseding entry makes (the decision and the replay of the timeline both
/// read them from it, so the two agree): a value that replaced an earlier one, never a first
/// one (an escape point given for the first time corrects nothing).
pub fn corrections_in(step: &StepEvent, by: &UserId, at: DateTime<Utc>) -> Vec<Correction> {
    let was = |what: Corrected, old: &str| Correction {
        what,
        was: old.to_string(),
        by: by.clone(),
        at,
    };
    match step {
        StepEvent::FactSuperseded { key, old, .. } if !old.is_empty() => vec![was(Corrected::Fact(*key), old)],
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
            ..
        } => {
            let mut found = Vec::new();
            if old != text {
                found.push(was(Corrected::Cause, old));
            }
            if let Some(old_escape) = old_escape.as_deref().filter(|e| Some(*e) != escape.as_deref()) {
                found.push(was(Corrected::Escape, old_escape));
            }
            found
        }
        _ => Vec::new(),
    }
}

/// An effectiveness check's message, as Slack returned it: for prevention action `n`, asked in
/// `round` of reopenings for its `epoch` of check dates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectAsking {
    pub n: usize,
    pub round: u32,
    pub epoch: u32,
    pub message: super::model::PostedMessage,
}

/// Why an effectiveness check's message no longer asks (its buttons gone).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectSettled {
    /// Answered (by whom, when this decision knows).
    Answered { effective: bool, by: Option<UserId> },
    /// The action was cancelled, by `by`.
    Cancelled { by: UserId },
    /// The trouble was reopened: the close it asked about no longer stands.
    Reopened,
    /// Its check date was corrected: it is asked on the new date.
    Rescheduled,
    /// No longer asks, for a reason no longer known.
    Superseded,
}

/// The 5W2H of stage 1, as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Facts {
    pub part: Option<String>,
    pub lots: Vec<String>,
    pub qty: Option<String>,
    pub occurred: Option<String>,
    pub found: Option<String>,
    pub symptom: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKey {
    Part,
    Lot,
    Qty,
    Occurred,
    Found,
    Symptom,
}

impl FactKey {
    pub const ALL: [FactKey; 6] = [
        FactKey::Part,
        FactKey::Lot,
        FactKey::Qty,
        FactKey::Occurred,
        FactKey::Found,
        FactKey::Symptom,
    ];

    pub fn parse(word: &str) -> Option<FactKey> {
        Some(match super::money::fold_width(word).to_lowercase().as_str() {
            "part" | "品番" | "部品" | "型番" => FactKey::Part,
            "lot" | "lots" | "ロット" | "ロット番号" | "ロットno" | "ロットno." => FactKey::Lot,
            "qty" | "quantity" | "数量" | "個数" | "不良数" => FactKey::Qty,
            "occurred" | "when" | "発生" | "発生日" | "発生日時" => FactKey::Occurred,
            "found" | "where" | "発見" | "発見場所" => FactKey::Found,
            "symptom" | "症状" | "現象" => FactKey::Symptom,
            _ => return None,
        })
    }

    /// A value as the record keeps it: a part number, lot or quantity typed full-width
    /// (`ＨＸ－２００`, `Ｌ４２`) is the one typed half-width, so a lot is one lot whichever way
    /// it was typed (and an earlier trouble's lot is recognised). Only letters, digits and the
    /// separators a code holds are folded: `＜` stays text, never a Slack token.
    pub fn as_recorded(self, value: &str) -> String {
        match self {
            FactKey::Part | FactKey::Lot | FactKey::Qty => {
                let folded: String = value
                    .chars()
                    .map(|c| match c {
                        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '－' | '／' | '．' | '，' | '＿' | '＃' => {
                            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                        }
                        '\u{3000}' => ' ',
                        _ => c,
                    })
                    .collect();
                // `part no. HX-302`, `part number HX-302`, `lot #46`, `qty 38.`: the label
                // and the full stop are how it was said, not the value.
                let value = folded.trim().trim_end_matches(['.', '。']);
                ["number ", "no. ", "no.", "no ", "#"]
                    .iter()
                    .find_map(|label| {
                        value
                            .get(..label.len())
                            .filter(|p| p.eq_ignore_ascii_case(label))
                            .map(|_| value[label.len()..].trim_start())
                    })
                    .filter(|v| !v.is_empty())
                    .unwrap_or(value)
                    .to_string()
            }
            FactKey::Occurred | FactKey::Found | FactKey::Symptom => value.to_string(),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FactKey::Part => "part",
            FactKey::Lot => "lot",
            FactKey::Qty => "qty",
            FactKey::Occurred => "occurred",
            FactKey::Found => "found",
            FactKey::Symptom => "symptom",
        }
    }
}

impl Facts {
    pub fn get(&self, key: FactKey) -> Option<String> {
        match key {
            FactKey::Part => self.part.clone(),
            FactKey::Lot => (!self.lots.is_empty()).then(|| self.lots.join(", ")),
            FactKey::Qty => self.qty.clone(),
            FactKey::Occurred => self.occurred.clone(),
            FactKey::Found => self.found.clone(),
            FactKey::Symptom => self.symptom.clone(),
        }
    }

    /// Sets a fact; lots accumulate unless `replace` (a correction, or the form's whole list).
    pub(super) fn set(&mut self, key: FactKey, value: &str, replace: bool) {
        let value = value.trim().to_string();
        match key {
            FactKey::Part => self.part = Some(value),
            FactKey::Lot => self.lots = self.lots_with(&value, replace),
            FactKey::Qty => self.qty = Some(value),
            FactKey::Occurred => self.occurred = Some(value),
            FactKey::Found => self.found = Some(value),
            FactKey::Symptom => self.symptom = Some(value),
        }
    }

    pub fn is_empty(&self) -> bool {
        FactKey::ALL.iter().all(|k| self.get(*k).is_none())
    }

    /// The lots after `value` is recorded: added to the list, or replacing it.
    fn lots_with(&self, value: &str, replace: bool) -> Vec<String> {
        let mut lots = if replace { Vec::new() } else { self.lots.clone() };
        for lot in lots_in(value) {
            if !lots.contains(&lot) {
                lots.push(lot);
            }
        }
        lots
    }
}

/// What the facts form showed of one fact when it was drawn, as digests: enough to tell whether
/// it changed since, while the form's metadata (sent to Slack) carries no typed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shown {
    /// A digest of the whole value.
    Digest(String),
    /// A digest of each lot shown, so the lots added or taken off on the form are known (the
    /// lot field only; a list too long for the metadata is shown as one digest).
    Lots(Vec<String>),
}

/// The facts a form showed, as its metadata carries them back; a fact not listed was empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShownFacts(pub Vec<(FactKey, Shown)>);

impl ShownFacts {
    /// What a form drawn now shows of `facts`; the lots as one digest when `fits` says a
    /// digest each is too long.
    pub fn of(facts: &Facts, fits: impl Fn(&ShownFacts) -> bool) -> ShownFacts {
        let shown = |k: FactKey, v: String| match k {
            FactKey::Lot => Shown::Lots(canonical_lots(&v).iter().map(|l| shown_digest(l)).collect()),
            _ => Shown::Digest(shown_digest(&canonical(k, &v))),
        };
        let mut shown = ShownFacts(
            FactKey::ALL
                .iter()
                .filter_map(|k| facts.get(*k).map(|v| (*k, shown(*k, v))))
                .collect(),
        );
        if !fits(&shown) {
            for (k, s) in shown.0.iter_mut().filter(|(k, _)| *k == FactKey::Lot) {
                *s = Shown::Digest(shown_digest(&canonical(*k, &facts.lots.join(", "))));
            }
        }
        shown
    }

    /// Whether `value` (as the record keeps it, or as the form sends it) is what was shown of `key`.
    fn shows(&self, key: FactKey, value: &str) -> bool {
        let shown = self.0.iter().find(|(k, _)| *k == key).map(|(_, s)| s);
        match shown {
            None => canonical(key, value).is_empty(),
            Some(Shown::Digest(d)) => *d == shown_digest(&canonical(key, value)),
            Some(Shown::Lots(was)) => {
                let mut now: Vec<String> = canonical_lots(value).iter().map(|l| shown_digest(l)).collect();
                let mut was = was.clone();
                now.sort();
                was.sort();
                now == was
            }
        }
    }

    /// Whether the form showed `lot` (None: not known lot by lot).
    fn showed_lot(&self, lot: &str) -> Option<bool> {
        match self.0.iter().find(|(k, _)| *k == FactKey::Lot).map(|(_, s)| s) {
            None => Some(false),
            Some(Shown::Lots(was)) => Some(was.contains(&shown_digest(lot))),
            Some(Shown::Digest(_)) => None,
        }
    }
}

/// Lots as compared: each once, in order (their order on the form is not a change).
fn canonical_lots(value: &str) -> Vec<String> {
    let mut lots = lots_in(value);
    lots.sort();
    lots.dedup();
    lots
}

/// A fact as the form's digests take it: as stored, so a change to the record that reads the
/// same (a mention swapped to another Sato, `<@U1|sato>` to `<@U2|sato>`) is still a change, and
/// the digests of forms drawn by earlier releases still mean what they meant.
fn canonical(key: FactKey, value: &str) -> String {
    match key {
        FactKey::Lot => canonical_lots(value).join(", "),
        _ => value.trim().to_string(),
    }
}

/// Whether two facts read the same: the form shows a fact as read ([`readable`]) and sends it
/// back as plain text, so a field left alone reads as the record does but has lost its link or
/// mention.
fn same_fact(key: FactKey, a: &str, b: &str) -> bool {
    match key {
        FactKey::Lot => canonical(key, a) == canonical(key, b),
        _ => readable(a).trim() == readable(b).trim(),
    }
}

/// A short digest of a fact (or a lot) as shown: 64 bits, plenty to tell one trouble's values apart.
fn shown_digest(value: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(value.as_bytes())[..8])
}

/// `L1, L2 L3` or `L1、L2`: several lots at once.
pub fn lots_in(text: &str) -> Vec<String> {
    // `L47とL48`: a Japanese "and" between two lot numbers, written without spaces, parts them.
    let chars: Vec<char> = text.chars().collect();
    let text: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let lot_on_both_sides = i > 0
                && chars[i - 1].is_ascii_alphanumeric()
                && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
            if c == 'と' && lot_on_both_sides {
                ' '
            } else {
                c
            }
        })
        .collect();
    text.split([',', '、', '，', '・', ' ', '\u{3000}'])
        .map(str::trim)
        // `L42 and L43`.
        .filter(|s| !s.is_empty() && !["and", "&", "と", "および"].contains(s))
        .map(str::to_string)
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnState {
    Requested,
    Shipped,
    Received,
}

/// The affected goods coming back (現品回収).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Returned {
    pub state: ReturnState,
    pub qty: Option<String>,
    pub tracking: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Bumped at each change, so only the newest reminder acts.
    pub round: u32,
}

/// A possibly affected customer, lot or site (stage 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScopeLine {
    pub text: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub checked: Option<Mark>,
}

/// Who wrote terms a rejected correction restored, and when: the restored cost or split is
/// theirs, not the rejecter's (who is the entry's actor). Absent from a correction someone
/// typed, and from entries of releases before it was kept, which restored the terms as written
/// by the rejecter at the rejection: those replay so, from the entry's actor and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// Who did something to a numbered line, when, and what they said.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A reopening: by whom, when, and why (the reason typed, or the prevention action the
/// effectiveness check found not to work, `not_effective`, whose text the reason is).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reopening {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_effective: Option<usize>,
}

/// The occurrence cause and why it was not caught (流出原因), the 8D's D4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub text: String,
    pub escape: Option<String>,
    /// Who wrote the occurrence cause as it reads.
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// Who wrote the escape point as it reads: someone adding it to another's cause does not
    /// become the cause's author. None without an escape point, or in a cause an earlier
    /// release recorded, whose `by` stands for both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escape_by: Option<UserId>,
}

impl Cause {
    /// The cause reading `text` and `escape` once `user` gave it over `old`: each part that
    /// changed is theirs, each that reads as before keeps its author. The command and the
    /// timeline's replay both decide it here, from what the cause reads before and after.
    pub fn recorded(
        old: Option<&Cause>,
        text: String,
        escape: Option<String>,
        user: &UserId,
        at: DateTime<Utc>,
    ) -> Cause {
        let by = match old {
            Some(old) if old.text == text => old.by.clone(),
            _ => user.clone(),
        };
        let escape_by = match old {
            _ if escape.is_none() => None,
            Some(old) if old.escape == escape => old.escape_recorder().cloned(),
            _ => Some(user.clone()),
        };
        Cause {
            text,
            escape,
            by,
            at,
            escape_by,
        }
    }

    /// Who wrote the escape point, when there is one.
    pub fn escape_recorder(&self) -> Option<&UserId> {
        self.escape
            .as_ref()
            .map(|_| self.escape_by.as_ref().unwrap_or(&self.by))
    }
}

/// The commands of stages 1–4 and 7, corrections, reopening and search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `/trouble fact` with no text: the form.
    FactModal,
    /// `fact KEY VALUE`: a lot adds to the list.
    Facts(Vec<(FactKey, String)>),
    /// The facts form's fields at once: its lots are the whole list. `shown`: what the form
    /// showed when it was drawn, so only what the person changed is applied (none from a form
    /// of an earlier release, which may then only add, or the open form).
    FactsForm {
        fields: Vec<(FactKey, String)>,
        shown: Option<ShownFacts>,
    },
    Return {
        state: ReturnState,
        qty: Option<String>,
        tracking: Option<String>,
    },
    Scope(String),
    ScopeCheck(usize, String),
    Cause {
        text: String,
        escape: Option<String>,
    },
    /// `/trouble action` with no text: the form.
    ActionModal,
    Action(NewAction),
    ActionDone(usize, String),
    ActionVerify(usize, String),
    /// `fix action N …`: the parts of action N given wrongly.
    FixAction {
        n: usize,
        fix: ActionFix,
    },
    /// `action cancel N REASON`.
    ActionCancel(usize, String),
    Reopen(String),
    FixCost {
        n: usize,
        amount: String,
        payer: String,
        note: String,
    },
    FixSplit {
        ours: u8,
        customer: u8,
        other: u8,
        reason: String,
    },
    FixFact(FactKey, String),
    /// `fix customer NAME`: the customer's name as typed at open was wrong. `past` is the
    /// named customer's troubles, read by the shell (the grammar leaves it empty).
    FixCustomer {
        name: String,
        past: Vec<super::customer::PastTrouble>,
    },
    /// `fix summary TEXT`: the summary as typed at open was wrong.
    FixSummary(String),
    Search(String),
}

impl Step {
    /// Every free-text field, so none is stored over the limit.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Step::FactModal | Step::ActionModal => vec![],
            Step::Facts(fields) | Step::FactsForm { fields, .. } => fields.iter().map(|(_, v)| v.as_str()).collect(),
            Step::Return { qty, tracking, .. } => vec![qty.as_deref().unwrap_or(""), tracking.as_deref().unwrap_or("")],
            Step::Scope(t)
            | Step::ScopeCheck(_, t)
            | Step::ActionDone(_, t)
            | Step::ActionVerify(_, t)
            | Step::ActionCancel(_, t)
            | Step::Reopen(t)
            | Step::FixFact(_, t)
            | Step::FixCustomer { name: t, .. }
            | Step::FixSummary(t)
            | Step::Search(t) => vec![t],
            Step::Cause { text, escape } => vec![text, escape.as_deref().unwrap_or("")],
            Step::Action(a) => a.texts(),
            Step::FixAction { fix, .. } => fix.texts(),
            Step::FixCost {
                amount, payer, note, ..
            } => vec![amount, payer, note],
            Step::FixSplit { reason, .. } => vec![reason],
        }
    }

    /// The row of the roles table it falls under (None: anyone, or checked where it is decided).
    pub fn act(&self) -> Option<Act> {
        Some(match self {
            Step::FactModal
            | Step::Facts(_)
            | Step::FactsForm { .. }
            | Step::Return { .. }
            | Step::Scope(_)
            | Step::ScopeCheck(..)
            | Step::Cause { .. } => Act::Facts,
            Step::ActionModal | Step::Action(_) => Act::Actions,
            Step::Reopen(_) => Act::Reopen,
            Step::FixCost { .. }
            | Step::FixSplit { .. }
            | Step::FixFact(..)
            | Step::FixCustomer { .. }
            | Step::FixSummary(_) => Act::Fix,
            // Correcting or cancelling an action: the trouble's owner or the chain, checked there.
            Step::ActionDone(..)
            | Step::ActionVerify(..)
            | Step::FixAction { .. }
            | Step::ActionCancel(..)
            | Step::Search(_) => return None,
        })
    }
}

fn split_word(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    }
}

fn number(word: &str, sub: &'static str) -> Result<usize, UsageError> {
    super::command::numbered(word).ok_or(UsageError::NeedsNumber(sub))
}

/// Parses a subcommand of this module; None when the word is not one of them.
pub fn parse(word: &str, rest: &str) -> Option<Result<Step, UsageError>> {
    let rest = rest.trim();
    let step = match word.to_lowercase().as_str() {
        "fact" | "事実" => parse_fact(rest),
        "return" | "返品" | "回収" | "現品回収" => parse_return(rest),
        "scope" | "範囲" => parse_scope(rest),
        "cause" | "原因" => parse_cause(rest),
        "action" | "対策" => super::actions::parse_action(rest),
        "reopen" | "re-open" | "再開" => {
            if !super::command::says_something(rest) {
                Err(UsageError::NeedsText("reopen"))
            } else {
                Ok(Step::Reopen(rest.to_string()))
            }
        }
        "fix" | "訂正" => parse_fix(rest),
        "search" | "検索" => {
            if rest.is_empty() {
                Err(UsageError::NeedsText("search"))
            } else {
                Ok(Step::Search(rest.to_string()))
            }
        }
        _ => return None,
    };
    Some(step.and_then(|s| {
        s.texts().into_iter().try_for_each(check_length)?;
        Ok(s)
    }))
}

fn parse_fact_pair(rest: &str, sub: &'static str) -> Result<(FactKey, String), UsageError> {
    let (word, value) = split_word(rest);
    // `品番：HX-300` and `part: HX-300`, as the options are written (`担当:`), read as `品番 HX-300`.
    let (key, value) = match word.find([':', '：']) {
        Some(i) => {
            let inline = word[i..].trim_start_matches([':', '：']);
            (&word[..i], format!("{inline} {value}").trim().to_string())
        }
        None => (word, value.to_string()),
    };
    let key = FactKey::parse(key).ok_or(UsageError::BadFact(sub))?;
    if !super::command::says_something(&value) {
        return Err(UsageError::BadFact(sub));
    }
    Ok((key, key.as_recorded(&value)))
}

fn parse_fact(rest: &str) -> Result<Step, UsageError> {
    if rest.is_empty() {
        return Ok(Step::FactModal);
    }
    parse_fact_pair(rest, "fact").map(|pair| Step::Facts(vec![pair]))
}

/// The counter words a Japanese quantity ends with (`300個`, `12台`, `5本`, `2箱`, `40枚`),
/// and `pcs`.
const COUNTERS: &[&str] = &["個", "台", "本", "箱", "枚", "件", "pcs", "pc"];

fn parse_return(rest: &str) -> Result<Step, UsageError> {
    let (state, mut rest) = split_word(rest);
    // Full-width, and the words the bot's own lines use (`回収依頼済み`, `発送済み`).
    let state = match super::money::fold_width(state)
        .to_lowercase()
        .trim_end_matches("済み")
        .trim_end_matches('済')
    {
        "requested" | "request" | "依頼" | "回収依頼" => ReturnState::Requested,
        "shipped" | "発送" => ReturnState::Shipped,
        "received" | "受領" | "到着" | "受取" | "受け取り" => ReturnState::Received,
        _ => return Err(UsageError::BadReturn),
    };
    let (mut qty, mut tracking) = (None, None);
    while !rest.is_empty() {
        let (word, after) = split_word(rest);
        // `数量：12`, `数量12`: the value may follow the option without a space.
        let folded = super::money::fold_width(word);
        // `300個`, `12台`: a count with its counter word is the quantity.
        if let Some(count) = COUNTERS.iter().find_map(|c| folded.strip_suffix(c)) {
            if !count.is_empty() && count.bytes().all(|b| b.is_ascii_digit()) && qty.is_none() {
                qty = Some(count.to_string());
                rest = after;
                continue;
            }
        }
        let option = ["qty", "数量", "tracking", "伝票番号", "伝票"]
            .into_iter()
            .find(|o| folded.get(..o.len()).is_some_and(|p| p.eq_ignore_ascii_case(o)))
            .ok_or(UsageError::BadReturn)?;
        let inline = folded[option.len()..].trim_start_matches(':');
        let (value, after) = if inline.is_empty() {
            let (value, after) = split_word(after);
            (value.to_string(), after)
        } else {
            (inline.to_string(), after)
        };
        if value.is_empty() {
            return Err(UsageError::BadReturn);
        }
        match option {
            "qty" | "数量" => qty = Some(value),
            _ => tracking = Some(value),
        }
        rest = after;
    }
    Ok(Step::Return { state, qty, tracking })
}

/// Whether WORD (folded, lower-cased) is one `scope` reads next to check a line: one list, so
/// a Japanese compound (`範囲確認`) is read by the same words as the command.
pub(super) fn is_scope_check_word(word: &str) -> bool {
    ["check", "checked", "確認", "確認済み", "確認済", "チェック"].contains(&word)
}

fn parse_scope(rest: &str) -> Result<Step, UsageError> {
    let (first, after) = split_word(rest);
    // `ｃｈｅｃｋ` or `確認済み` must not add a scope line named so, which would hold stage 2.
    let first = super::money::fold_width(first).to_lowercase();
    if is_scope_check_word(&first) {
        let (n, note) = split_word(after);
        return Ok(Step::ScopeCheck(number(n, "scope check")?, note.to_string()));
    }
    // Undoing a line (`scope remove 2`) would otherwise add a line named so, holding stage 2.
    let undoing = [
        "remove",
        "delete",
        "uncheck",
        "undo",
        "cancel",
        "withdraw",
        "削除",
        "取消",
        "取り消し",
        "取り消す",
    ];
    if undoing.contains(&first.as_str()) {
        if let Ok(n) = number(split_word(after).0, "scope check") {
            return Err(UsageError::ScopeLineStays(n));
        }
    }
    if !super::command::says_something(rest) {
        return Err(UsageError::NeedsText("scope"));
    }
    Ok(Step::Scope(rest.to_string()))
}

/// Whoever wrote a part of the cause (`old`) that another replaced hears it by DM, what they
/// wrote quoted. The parts replaced are the corrections the entry makes, as the record and the
/// 8D list them (an escape point given where there was none replaces nothing): the occurrence
/// cause's to its author, the escape point's to its own; one DM to one who wrote both.
fn tell_whose_cause_was_replaced(w: &mut Work, user: &UserId, old: &Cause, event: &StepEvent) {
    let mut told: Vec<(UserId, Option<String>, Option<String>)> = Vec::new();
    for correction in corrections_in(event, user, w.ctx.now) {
        let (to, escape) = match correction.what {
            Corrected::Cause => (&old.by, false),
            Corrected::Escape => match old.escape_recorder() {
                Some(by) => (by, true),
                None => continue,
            },
            Corrected::Fact(_) => continue,
        };
        let notice = match told.iter().position(|(t, ..)| t == to) {
            Some(i) => &mut told[i],
            None => {
                told.push((to.clone(), None, None));
                told.last_mut().expect("just pushed")
            }
        };
        match escape {
            false => notice.1 = Some(correction.was),
            true => notice.2 = Some(correction.was),
        }
    }
    for (to, old, old_escape) in told.into_iter().filter(|(to, ..)| to != user) {
        let notice = Message::CauseReplacedNotice {
            by: user.clone(),
            old,
            old_escape,
        };
        w.post(Lane::Dm, Dest::Dm(to), notice);
    }
}

/// A `CauseSuperseded` that keeps the cause's text and gives it its first escape point: an
/// escape point recorded, not a correction (the channel, timeline and answer say so).
pub fn escape_added(old: &str, old_escape: Option<&str>, text: &str) -> bool {
    old == text && old_escape.is_none()
}

/// Finds `marker` (ASCII case ignored) in `text`: the text before it and after it.
pub fn split_marker<'a>(text: &'a str, markers: &[&str]) -> (&'a str, Option<&'a str>) {
    let found = text.char_indices().find_map(|(i, _)| {
        markers
            .iter()
            .find(|m| text[i..].get(..m.len()).is_some_and(|s| s.eq_ignore_ascii_case(m)))
            .map(|m| (i, m.len()))
    });
    match found {
        Some((i, len)) => (text[..i].trim(), Some(text[i + len..].trim())),
        None => (text.trim(), None),
    }
}

fn parse_cause(rest: &str) -> Result<Step, UsageError> {
    // Longest first: `流出原因：` as the 8D names it, before `流出:`.
    let (text, escape) = split_marker(
        rest,
        &[
            "escape point:",
            "escape point：",
            "escape:",
            "escape：",
            "outflow:",
            "outflow：",
            "流出原因:",
            "流出原因：",
            "流出:",
            "流出：",
        ],
    );
    // `発生原因：…` labels the cause itself, as the 8D does.
    let text = ["発生原因:", "発生原因："]
        .iter()
        .find_map(|l| text.strip_prefix(l))
        .unwrap_or(text)
        .trim();
    // Nor does an escape point of `-`: it would stand in the D4 as if one were recorded.
    let escape = escape.filter(|e| super::command::says_something(e));
    // `cause escape: WHY` alone (empty text) gives the standing cause its escape point; a cause
    // of `.` would unlock stage 3 and stand in the 8D's D4 saying nothing.
    let escape_alone = text.is_empty() && escape.is_some();
    if !(super::command::says_something(text) || escape_alone) {
        return Err(UsageError::NeedsText("cause"));
    }
    Ok(Step::Cause {
        text: text.to_string(),
        escape: escape.map(str::to_string),
    })
}

fn parse_fix(rest: &str) -> Result<Step, UsageError> {
    let (what, after) = split_word(rest);
    // `customer: ACME`, `お客様：ACME`, as an input method writes a label.
    let inline;
    let (what, after) = match what.find([':', '：']) {
        Some(i) => {
            inline = format!("{} {after}", what[i..].trim_start_matches([':', '：']));
            (&what[..i], inline.trim())
        }
        None => (what, after),
    };
    match super::money::fold_width(what).to_lowercase().as_str() {
        "cost" | "費用" => {
            let (n, after) = split_word(after);
            let n = number(n, "fix cost")?;
            // The example a slip is answered with is the correction's, not a new cost's.
            match super::command::parse_cost(after) {
                Ok(super::command::Command::Cost { amount, payer, note }) => {
                    Ok(Step::FixCost { n, amount, payer, note })
                }
                Ok(_) | Err(UsageError::BadCost) => Err(UsageError::BadFixCost(n)),
                Err(other) => Err(other),
            }
        }
        "split" | "責任区分" => match super::command::parse_split(after)? {
            super::command::Command::Split {
                ours,
                customer,
                other,
                reason,
            } => Ok(Step::FixSplit {
                ours,
                customer,
                other,
                reason,
            }),
            _ => Err(UsageError::BadSplit),
        },
        "fact" | "事実" => parse_fact_pair(after, "fix fact").map(|(k, v)| Step::FixFact(k, v)),
        "action" | "対策" => super::actions::parse_fix_action(after),
        // As at open: no person, broadcast, honorific or punctuation alone (`fix customer :`).
        "customer" | "お客様" | "お客さま" | "顧客" | "客先" => match after.trim() {
            "" => Err(UsageError::NeedsText("fix customer")),
            name if !super::customer::is_a_name(name) => Err(UsageError::CustomerNotAName { at_open: false }),
            name => Ok(Step::FixCustomer {
                name: name.to_string(),
                past: Vec::new(),
            }),
        },
        "summary" | "概要" | "件名" => match after.trim() {
            // As at open: punctuation or emoji alone says nothing of what happened.
            text if !super::command::says_something(text) => Err(UsageError::NeedsText("fix summary")),
            text => match super::command::options_after_summary(text) {
                (None, departments) if departments.is_empty() => Ok(Step::FixSummary(text.to_string())),
                (severity, departments) => Err(UsageError::FixSummaryHoldsOptions { severity, departments }),
            },
        },
        _ => Err(UsageError::BadFix),
    }
}

/// Whether every fact of a form reads (the open form checks before it opens anything).
pub fn check_facts(facts: &[(FactKey, String)], now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<(), UsageError> {
    facts
        .iter()
        .try_for_each(|(k, v)| kept_fact(*k, v, now, tz).map(|_| ()))
}

/// A fact's value as it is kept: `occurred` is read as a past moment or day
/// ([`super::when::parse_past`]) and kept as that local date and time, or the date alone when
/// no time was given, so the report and the customer's 8D never show `2h` or `yesterday`;
/// other facts as typed.
fn kept_fact(key: FactKey, value: &str, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Result<String, UsageError> {
    if key != FactKey::Occurred {
        return Ok(value.to_string());
    }
    use super::when::{parse_past, Past};
    let ours = |at: DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    match parse_past(value, now, tz) {
        Ok(Past::At(at)) => Ok(ours(at)),
        // Both clocks, each named: the customer reads their own in the 8D, we ours. In no
        // language's words, as the value is kept once for reports in either.
        Ok(Past::AtTheirs(at, zone)) => Ok(format!(
            "{} {} ({} {})",
            ours(at),
            super::zone::abbreviation(tz, at),
            zone.local(at).format("%Y-%m-%d %H:%M"),
            zone.label(at)
        )),
        Ok(Past::Day(day)) => Ok(day.format("%Y-%m-%d").to_string()),
        Err(_) => Err(UsageError::BadOccurred(value.chars().take(80).collect())),
    }
}

/// The answer to a corrected split or cost: the new proposal, said to be a correction.
fn as_correction(proposed: Reply) -> Reply {
    match proposed {
        Reply::Agreement(super::approval::AgreementReply::Proposed {
            n,
            item,
            approver,
            reason_missing,
            ..
        }) => Reply::Agreement(super::approval::AgreementReply::Proposed {
            n,
            item,
            approver,
            corrected: true,
            reason_missing,
        }),
        other => other,
    }
}

/// Decides a command of stages 1–4 and 7 on an open trouble (roles already checked by `act`).
pub(super) fn decide_step(w: &mut Work, user: &UserId, step: Step) -> Reply {
    let now = w.ctx.now;
    // Forms arrive here without the command grammar's check.
    if let Err(e) = step.texts().into_iter().try_for_each(check_length) {
        return Reply::Usage(e);
    }
    match step {
        Step::Facts(fields) => set_facts(w, user, fields, false, false),
        Step::FactsForm { fields, shown } => {
            let fields = match shown {
                Some(shown) => match changed_on_form(&w.t.substance, fields, &shown) {
                    Ok(fields) => fields,
                    Err(e) => return Reply::Usage(e),
                },
                None => match overwritten_unseen(&w.t.substance.facts, &fields) {
                    Some(e) => return Reply::Usage(e),
                    None => fields,
                },
            };
            match emptied_on_form(&w.t.substance.facts, &fields) {
                Some(e) => Reply::Usage(e),
                None => set_facts(w, user, fields, false, true),
            }
        }
        Step::FixFact(key, value) => set_facts(w, user, vec![(key, value)], true, true),
        Step::FixCustomer { name, past } => fix_customer(w, user, name, past),
        Step::FixSummary(text) => fix_summary(w, user, text),
        Step::Return { state, qty, tracking } => {
            // `return shipped` after `return requested qty 40` still has 40 coming: what an
            // earlier entry gave and this one does not say stays, on this entry too, so the
            // timeline alone tells where the goods stand.
            let before = w.t.substance.returned.as_ref();
            let qty = qty.or_else(|| before.and_then(|r| r.qty.clone()));
            let tracking = tracking.or_else(|| before.and_then(|r| r.tracking.clone()));
            let round = before.map_or(0, |r| r.round) + 1;
            w.t.substance.returned = Some(Returned {
                state,
                qty: qty.clone(),
                tracking: tracking.clone(),
                by: user.clone(),
                at: now,
                round,
            });
            w.start_stage_quietly(StageId::Facts);
            w.step(user, StepEvent::Returned { state, qty, tracking });
            if state == ReturnState::Requested {
                let due = super::due::after_business_span(
                    w.ctx.policy.business_hours.as_ref(),
                    w.ctx.policy.timezone,
                    now,
                    w.ctx.policy.return_reminder_after,
                );
                w.timer(due, TimerKind::ReturnReminder { round });
            }
            w.refresh_status();
            Reply::Step(StepReply::Returned { state })
        }
        Step::Scope(text) => {
            w.t.substance.scope.push(ScopeLine {
                text: text.clone(),
                by: user.clone(),
                at: now,
                checked: None,
            });
            let n = w.t.substance.scope.len();
            w.start_stage_quietly(StageId::Scope);
            w.step(user, StepEvent::ScopeAdded { n, text });
            w.refresh_status();
            Reply::Step(StepReply::ScopeAdded { n })
        }
        Step::ScopeCheck(n, note) => {
            let Some(line) = w.t.substance.scope.get_mut(n - 1) else {
                return Reply::Step(StepReply::NoSuchLine {
                    what: Numbered::Scope,
                    n,
                });
            };
            // A second check would rewrite who checked it and their note.
            if let Some(checked) = &line.checked {
                return Reply::Step(StepReply::ScopeAlreadyChecked {
                    n,
                    by: checked.by.clone(),
                });
            }
            line.checked = Some(Mark {
                by: user.clone(),
                at: now,
                note: note.clone(),
            });
            w.step(user, StepEvent::ScopeChecked { n, note });
            w.refresh_status();
            Reply::Step(StepReply::ScopeChecked { n })
        }
        Step::Cause { text, escape } => {
            // `cause escape: WHY`: the standing cause with its escape point.
            let text = match (text.is_empty(), &w.t.substance.cause) {
                (false, _) => text,
                (true, Some(c)) => c.text.clone(),
                (true, None) => return Reply::Step(StepReply::EscapeWithoutCause),
            };
            // A cause given again without its escape point corrects the cause: the escape point
            // recorded stays (the 8D's D4 would otherwise say it was never recorded), as a cost's
            // note stays when only its amount is corrected.
            let escape = escape.or_else(|| w.t.substance.cause.as_ref().and_then(|c| c.escape.clone()));
            // The cause given as it stands writes nothing: an entry would name the one who typed
            // it again as its recorder in the channel and history, while the record, the 8D and
            // who is told of a replacement keep crediting those who wrote it.
            if w.t
                .substance
                .cause
                .as_ref()
                .is_some_and(|c| (&c.text, &c.escape) == (&text, &escape))
            {
                return Reply::Step(StepReply::CauseUnchanged {
                    escape_missing: escape.is_none(),
                });
            }
            let cause = Cause::recorded(w.t.substance.cause.as_ref(), text.clone(), escape.clone(), user, now);
            let old = w.t.substance.cause.replace(cause);
            w.start_stage_quietly(StageId::Cause);
            // A cause that takes another's place says so, in the channel and on the timeline:
            // the first finding is not rewritten unnoticed, however the second was typed.
            // Stage 3 finds why it happened and why it was not caught (the 8D's D4, the
            // customer's first question of a countermeasure report): the answer says which is
            // still missing.
            let escape_missing = escape.is_none();
            let (event, reply) = match old {
                // The standing cause given its first escape point: nothing of it is replaced, so
                // its author is not told it was, though the entry names who added the escape point.
                Some(old) if escape_added(&old.text, old.escape.as_deref(), &text) => (
                    StepEvent::CauseSuperseded {
                        old: old.text,
                        old_escape: None,
                        text,
                        escape,
                        authors_kept: true,
                    },
                    StepReply::EscapeRecorded,
                ),
                Some(old) => {
                    let event = StepEvent::CauseSuperseded {
                        old: old.text.clone(),
                        old_escape: old.escape.clone(),
                        text,
                        escape,
                        authors_kept: true,
                    };
                    tell_whose_cause_was_replaced(w, user, &old, &event);
                    (event, StepReply::CauseCorrected { escape_missing })
                }
                None => (
                    StepEvent::Cause {
                        text,
                        escape,
                        authors_kept: true,
                    },
                    StepReply::CauseSet { escape_missing },
                ),
            };
            w.step(user, event);
            w.refresh_status();
            Reply::Step(reply)
        }
        Step::FixCost { n, amount, payer, note } => {
            let Some(cost) = w.t.costs.get_mut(n - 1) else {
                return Reply::Step(StepReply::NoSuchLine {
                    what: Numbered::Cost,
                    n,
                });
            };
            // A correction of the amount says nothing new of what the money is for: that stays.
            let note = if note.trim().is_empty() {
                cost.note.clone()
            } else {
                note
            };
            let old = std::mem::replace(
                cost,
                super::model::Cost {
                    amount: amount.clone(),
                    payer: payer.clone(),
                    note: note.clone(),
                    by: user.clone(),
                    at: now,
                },
            );
            w.step(
                user,
                StepEvent::CostSuperseded {
                    n,
                    old_amount: old.amount.clone(),
                    old_payer: old.payer.clone(),
                    amount,
                    payer,
                    note,
                    restored: None,
                },
            );
            // A corrected cost is a new proposal: the approval of the old amount does not carry
            // over, but stands until the correction is decided.
            let old = super::approval::Terms::Cost { cost: old };
            as_correction(super::approval::propose_correction(
                w,
                user,
                super::approval::Item::Cost { n },
                old,
            ))
        }
        Step::FixSplit {
            ours,
            customer,
            other,
            reason,
        } => {
            let Some(old) = w.t.split.take() else {
                return Reply::Step(StepReply::NoSplitToFix);
            };
            // So does the reason of a split whose shares alone are corrected.
            let reason = match reason.trim().is_empty() {
                true => old.reason.clone(),
                false => reason,
            };
            w.t.split = Some(super::model::Split {
                ours,
                customer,
                other,
                reason: reason.clone(),
                by: user.clone(),
                at: now,
            });
            w.step(
                user,
                StepEvent::SplitSuperseded {
                    old: old.shares(),
                    ours,
                    customer,
                    other,
                    reason,
                    restored: None,
                },
            );
            let terms = super::approval::Terms::Split { split: old };
            as_correction(super::approval::propose_correction(
                w,
                user,
                super::approval::Item::Split,
                terms,
            ))
        }
        Step::Action(a) => super::actions::add_action(w, user, a),
        Step::ActionDone(n, note) => super::actions::mark_done(w, user, n, note),
        Step::ActionVerify(n, note) => super::actions::verify(w, user, n, note),
        Step::FixAction { n, fix } => super::actions::fix_action(w, user, n, fix),
        Step::ActionCancel(n, reason) => super::actions::cancel_action(w, user, n, reason),
        Step::Reopen(reason) => super::actions::reopen(w, user, reason, None),
        // Answered by the shell: forms and reads across troubles.
        Step::FactModal | Step::ActionModal | Step::Search(_) => Reply::Step(StepReply::Shell),
    }
}

/// `fix customer`: the name kept as open keeps it (without the honorific), the timeline and the
/// channel told old → new, and every kept message that shows it edited. Filed under the new
/// name at once (the store reindexes on every write), its history is the new customer's.
fn fix_customer(w: &mut Work, user: &UserId, name: String, past: Vec<super::customer::PastTrouble>) -> Reply {
    let name = super::customer::as_kept(&name);
    if name == w.t.customer {
        return Reply::Step(StepReply::OpeningUnchanged {
            field: OpeningField::Customer,
        });
    }
    keep_as_reported(w);
    let from = std::mem::replace(&mut w.t.customer, name.clone());
    // Another customer: the history shown is theirs (at open, and again at the split). The
    // customer as reported had theirs posted at open: corrected back to it, it is not posted
    // again (a name switched to and fro would repeat it in the thread).
    let aliases = &w.ctx.policy.customers;
    let key = |c: &str| super::customer::customer_key(aliases, c);
    if key(&from) != key(&name) {
        w.t.past = super::customer::shown_before(w.ctx.policy, &w.t, past);
        let shown_at_open = w.t.as_reported.as_ref().is_some_and(|r| key(&r.customer) == key(&name));
        if !w.t.past.is_empty() && !shown_at_open {
            w.post(Lane::Channel, Dest::KickoffThread, Message::CustomerHistory);
        }
    }
    tell_of_a_correction(w, user, false, &from, &name);
    w.step(user, StepEvent::CustomerCorrected { from, to: name });
    rename_channel(w);
    refresh_opening(w);
    Reply::Step(StepReply::OpeningCorrected {
        field: OpeningField::Customer,
    })
}

/// The channel's name follows the customer (`<prefix>-<id>-<slug>`): a channel not created yet
/// is created under the new name; one created is renamed, and keeps its name if Slack refuses.
fn rename_channel(w: &mut Work) {
    let name = super::decide::channel_name(&w.ctx.policy.channel_prefix, &w.t.id, &w.t.customer, 1);
    if w.t.channel_name.as_ref() == Some(&name) {
        return;
    }
    match w.t.channel {
        None => w.t.channel_name = Some(name),
        Some(_) => w.send(Lane::Channel, super::decide::Op::RenameChannel { name }),
    }
}

/// `fix summary`: as `fix customer`, for the summary.
fn fix_summary(w: &mut Work, user: &UserId, text: String) -> Reply {
    let text = text.trim().to_string();
    if text == w.t.summary {
        return Reply::Step(StepReply::OpeningUnchanged {
            field: OpeningField::Summary,
        });
    }
    keep_as_reported(w);
    let from = std::mem::replace(&mut w.t.summary, text.clone());
    tell_of_a_correction(w, user, true, &from, &text);
    w.step(user, StepEvent::SummaryCorrected { from, to: text });
    refresh_opening(w);
    Reply::Step(StepReply::OpeningCorrected {
        field: OpeningField::Summary,
    })
}

/// Before the first correction of the opening: what it said, kept for the messages edited to
/// the corrected words (later corrections keep the first words, as reported).
fn keep_as_reported(w: &mut Work) {
    if w.t.as_reported.is_none() {
        w.t.as_reported = Some(crate::trouble::model::AsReported {
            customer: w.t.customer.clone(),
            summary: w.t.summary.clone(),
        });
    }
}

/// The manager, told at open what the trouble is, hears by DM of a correction someone else
/// made to it (old and new), not only from DMs that change under them: the owner's own, and the
/// one named on the trouble beside them (a rep softening "line down" cannot keep it to a
/// colleague they named). So do the channels it was announced in.
fn tell_of_a_correction(w: &mut Work, user: &UserId, summary: bool, from: &str, to: &str) {
    let warned = super::decide::warned(w.ctx.policy, &w.t);
    for m in warned.mentioned().filter(|m| *m != user).cloned() {
        let notice = Message::OpeningCorrectedNotice {
            by: user.clone(),
            summary,
            from: from.to_string(),
            to: to.to_string(),
        };
        w.post(Lane::Dm, Dest::Dm(m), notice);
    }
    // The channels its severity was announced in were told the words corrected: they hear the
    // correction too (that message is not kept to be edited).
    let announced = w.severity_policy().announce_channels.clone();
    let why = super::decide::NoLonger::Corrected {
        summary,
        from: from.to_string(),
        to: to.to_string(),
    };
    w.tell_announced(announced, user, why);
}

/// Edits every kept message that shows what was given at open (the customer, the summary, the
/// severity): the kickoff, the status, the managers' DMs and the notice where it was opened
/// (App Home follows any change).
pub(super) fn refresh_opening(w: &mut Work) {
    use super::decide::{Op, Slot};
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    w.refresh_manager_dms();
    w.refresh_origin_notice();
    w.refresh_asking_dms();
}

/// The facts form's fields that the person changed from what it showed when drawn, each as it
/// is to be recorded: the record may have changed since (a colleague's `fact lot L42`, a
/// `fix fact`), and what the person did not touch is not theirs to put back. Lots are merged:
/// the lots added on the form are added, those taken off are taken off, those recorded
/// meanwhile stay. A field changed both on the form and in the record since is refused, naming
/// who changed it, rather than overwritten unseen.
fn changed_on_form(
    s: &Substance,
    fields: Vec<(FactKey, String)>,
    shown: &ShownFacts,
) -> Result<Vec<(FactKey, String)>, UsageError> {
    let mut changed = Vec::new();
    for (key, sent) in fields {
        let now = s.facts.get(key);
        let recorded = now.clone().unwrap_or_default();
        // Reading as the record does, it says nothing new; written, it would drop the record's
        // link or mention. Left alone while the record changed, the change stands.
        if same_fact(key, &recorded, &sent) || shown.shows(key, &sent) {
            continue;
        }
        if shown.shows(key, &recorded) {
            changed.push((key, sent));
            continue;
        }
        let recorded_lots: Option<Vec<(String, bool)>> = s
            .facts
            .lots
            .iter()
            .map(|l| shown.showed_lot(l).map(|showed| (l.clone(), showed)))
            .collect();
        if let (FactKey::Lot, Some(recorded_lots)) = (key, recorded_lots) {
            let typed = lots_in(&sent);
            // A lot shown and taken off the form goes; one recorded meanwhile stays.
            let mut lots: Vec<String> = recorded_lots
                .into_iter()
                .filter(|(l, showed)| typed.contains(l) || !showed)
                .map(|(l, _)| l)
                .collect();
            for lot in typed {
                if !lots.contains(&lot) {
                    lots.push(lot);
                }
            }
            // Every lot taken off: that is emptying the list, refused as such below.
            changed.push((key, lots.join(", ")));
            continue;
        }
        let by = s
            .fact_by
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, by)| by.clone());
        return Err(UsageError::FactChangedMeanwhile { key, now, by });
    }
    Ok(changed)
}

/// A form that kept no digests of what it showed (drawn by an earlier release, left open across
/// the upgrade) cannot tell a fact the person changed from one changed in the record since: it
/// may add (a fact the record lacks, lots beside those recorded), but a recorded fact it would
/// replace, or a recorded lot missing from it, is refused on its field rather than overwritten
/// unseen and posted as the person's correction. The open form also has none, on a trouble with
/// nothing recorded yet, so it is never refused here.
fn overwritten_unseen(facts: &Facts, fields: &[(FactKey, String)]) -> Option<UsageError> {
    fields.iter().find_map(|(key, sent)| {
        let now = facts.get(*key)?;
        // An emptied field is refused as such (`emptied_on_form`).
        if !super::command::says_something(sent) || same_fact(*key, &now, sent) {
            return None;
        }
        let only_adds = *key == FactKey::Lot && {
            let typed = canonical_lots(sent);
            facts.lots.iter().all(|l| typed.contains(l))
        };
        (!only_adds).then_some(UsageError::FactOnEarlierForm { key: *key, now })
    })
}

/// The facts form sends every field it showed: one emptied that holds a fact would take it off
/// the record with nothing said; it is refused, and the form stays open on it.
fn emptied_on_form(facts: &Facts, fields: &[(FactKey, String)]) -> Option<UsageError> {
    fields.iter().find_map(|(k, v)| {
        let kept = facts.get(*k).filter(|_| !super::command::says_something(v))?;
        Some(UsageError::FactEmptied { key: *k, kept })
    })
}

/// Records facts (`correction`: as `fix fact`, superseding); `replace_lots`: the lots given are
/// the whole list (the form, a correction), not more to add.
fn set_facts(
    w: &mut Work,
    user: &UserId,
    fields: Vec<(FactKey, String)>,
    correction: bool,
    replace_lots: bool,
) -> Reply {
    let (now, tz) = (w.ctx.now, w.ctx.policy.timezone);
    let fields: Result<Vec<(FactKey, String)>, UsageError> = fields
        .into_iter()
        .filter(|(_, v)| super::command::says_something(v))
        .map(|(k, v)| kept_fact(k, &v, now, tz).map(|v| (k, v)))
        .collect();
    let fields = match fields {
        Ok(fields) => fields,
        Err(e) => return Reply::Usage(e),
    };
    if fields.is_empty() {
        return Reply::Step(StepReply::FactsSet {
            keys: Vec::new(),
            corrected: Vec::new(),
        });
    }
    // Lots accumulate: the whole list is one text, bounded as any other (the form shows it
    // whole, in an input Slack caps at that length).
    if let Some((_, value)) = fields.iter().find(|(k, _)| *k == FactKey::Lot) {
        let lots = w.t.substance.facts.lots_with(value, replace_lots).join(", ");
        let len = crate::trouble::markup::unescape(&lots).chars().count();
        if len > TEXT_LIMIT {
            return Reply::Usage(UsageError::LotListFull { limit: TEXT_LIMIT, len });
        }
    }
    w.start_stage_quietly(StageId::Facts);
    let (mut keys, mut corrected) = (Vec::new(), Vec::new());
    for (key, value) in &fields {
        let old = w.t.substance.facts.get(*key);
        let old_lots = w.t.substance.facts.lots.clone();
        w.t.substance.facts.set(*key, value, replace_lots);
        let new = w.t.substance.facts.get(*key);
        // The form sends back what it showed: a fact given as it stands is not news.
        if new == old {
            continue;
        }
        // A value that takes another's place is a correction however it was typed, so the
        // channel and the timeline say what it replaced; lots added to the list replace none.
        let replaces = match key {
            FactKey::Lot => old_lots.iter().any(|lot| !w.t.substance.facts.lots.contains(lot)),
            _ => old.is_some(),
        };
        let event = if correction || replaces {
            corrected.push(*key);
            StepEvent::FactSuperseded {
                key: *key,
                old: old.unwrap_or_default(),
                value: new.unwrap_or_default(),
            }
        } else {
            keys.push(*key);
            StepEvent::Fact {
                key: *key,
                value: value.clone(),
                lots_replaced: (*key == FactKey::Lot).then_some(replace_lots),
            }
        };
        w.step(user, event);
        let fact_by = &mut w.t.substance.fact_by;
        fact_by.retain(|(k, _)| k != key);
        fact_by.push((*key, user.clone()));
    }
    if keys.is_empty() && corrected.is_empty() {
        return Reply::Step(StepReply::FactsUnchanged);
    }
    w.refresh_status();
    Reply::Step(StepReply::FactsSet { keys, corrected })
}

/// Stage 2 may not be marked done with unchecked scope lines, nor stage 3 without a cause, nor
/// stage 5 without a split or 6 without a cost, unless the manager chain says so with a reason
/// (the stage note): the chain that overrules (`overruling_chain`), not a colleague the owner
/// named their manager at open.
pub(super) fn stage_refusal(w: &Work, user: &UserId, stage: StageId, note: &str) -> Option<Reply> {
    if let Some(refusal) = super::approval::stage_awaits_decision(w.ctx.policy, &w.t, stage) {
        return Some(refusal);
    }
    // The cause is what stage 3 finds: done without one, the trouble would close with the 8D's
    // D4 empty. A cause that cannot be found is the manager chain's to accept, with why.
    let chain = &super::decide::overruling_chain(w.ctx.policy, &w.t);
    let chain_with_reason = chain.contains(user) && *user != w.t.owner && super::command::says_something(note);
    if stage == StageId::Cause && w.t.substance.cause.is_none() && !chain_with_reason {
        return Some(Reply::Step(StepReply::CauseUnrecorded { chain: chain.to_vec() }));
    }
    // Stages 5 and 6 are done on what they settle: done with nothing recorded, the history the
    // next rep reads for this customer would say nothing of who was responsible or who paid.
    // A customer who will not discuss it is the manager chain's to accept, with why.
    // Counted as the history counts them: a rejected split or cost settles nothing. One awaiting
    // a decision counts, but `stage_awaits_decision` above has refused the stage already.
    if stage == StageId::Split && super::approval::counted_split(&w.t).is_none() && !chain_with_reason {
        return Some(Reply::Step(StepReply::SplitUnrecorded { chain: chain.to_vec() }));
    }
    if stage == StageId::Cost && super::approval::counted_costs(&w.t).is_empty() && !chain_with_reason {
        return Some(Reply::Step(StepReply::CostUnrecorded { chain: chain.to_vec() }));
    }
    let unchecked: Vec<usize> =
        w.t.substance
            .scope
            .iter()
            .enumerate()
            .filter(|(_, s)| s.checked.is_none())
            .map(|(i, _)| i + 1)
            .collect();
    if stage != StageId::Scope || unchecked.is_empty() || chain_with_reason {
        return None;
    }
    Some(Reply::Step(StepReply::ScopeUnchecked {
        unchecked,
        chain: chain.to_vec(),
    }))
}

/// The returned-goods reminder: once, if the goods are still only requested. It asks the owner
/// now: while the bot cannot post in the channel (or it has none), by DM, as a nudge.
pub(super) fn return_reminder(w: &mut Work, round: u32) {
    let Some(r) = &w.t.substance.returned else { return };
    if r.round != round || r.state != ReturnState::Requested {
        return;
    }
    let since = r.at;
    // Nothing is posted outside business hours: a request typed in the evening keeps its time
    // of day, and a bot down at the due time fires at any hour.
    if w.held_till_opening(TimerKind::ReturnReminder { round }) {
        return;
    }
    let owner = w.t.owner.clone();
    w.log(None, Event::Stage(StepEvent::ReturnReminded));
    w.post_in_channel_or_dm(Message::Step(StepLine::ReturnReminder { owner, since }), None);
}

/// Another trouble that had one of this trouble's parts or lots: an earlier one of the same
/// customer (a possible recurrence), or one of another customer (the same part or lot gone
/// to several customers, whose cause and measures are to be shared across them).
#[derive(Clone, Debug, PartialEq)]
pub struct Earlier {
    pub id: TroubleId,
    pub channel: Option<super::model::ChannelId>,
    pub opened_at: DateTime<Utc>,
    /// The part or lot they share.
    pub shared: String,
    /// The other trouble's customer, when it is another customer's (None: the same customer).
    pub customer: Option<String>,
}

/// Flags possible recurrences in the kickoff thread, each earlier trouble once.
pub(super) fn flag_recurrences(w: &mut Work, earlier: Vec<Earlier>) {
    for e in earlier {
        if w.t.substance.recurrences.contains(&e.id) || e.id == w.t.id {
            continue;
        }
        w.t.substance.recurrences.push(e.id.clone());
        w.log(
            None,
            Event::Stage(StepEvent::Recurrence {
                earlier: e.id.clone(),
                shared: e.shared.clone(),
                customer: e.customer.clone(),
            }),
        );
        // A closed trouble's channel is quiet, often archived: the same part or lot turning up
        // at another customer, or at the same one in a later trouble, after its close may mean
        // its measures did not hold, so its owner and manager hear it by DM, where they read it
        // whatever became of the channel.
        let later = e.customer.is_some() || e.opened_at > w.t.opened_at;
        if let (Some(closed), true) = (&w.t.closed, later) {
            let line = StepLine::SharedAfterClose {
                other: e.id,
                channel: e.channel,
                opened_at: e.opened_at,
                shared: e.shared,
                customer: e.customer,
                closed_at: closed.at,
            };
            let manager = w.t.manager.clone();
            w.dm_owner_and(Message::Step(line), manager);
            continue;
        }
        w.post(
            Lane::Channel,
            Dest::KickoffThread,
            Message::Step(StepLine::Recurrence {
                earlier: e.id,
                channel: e.channel,
                opened_at: e.opened_at,
                shared: e.shared,
                customer: e.customer,
            }),
        );
    }
}

/// A prevention measure recorded in another trouble that shares a part or lot with this one
/// (found by the shell: the troubles whose check named it).
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureElsewhere {
    pub id: TroubleId,
    pub channel: Option<super::model::ChannelId>,
    pub customer: String,
    pub n: usize,
    pub text: String,
    /// The measure's text was corrected (`fix action`) after it was told.
    pub corrected: bool,
    /// How many more of the trouble's measures were not told with it (at link time, the last
    /// one told says so, and where they are).
    pub more: u32,
}

/// How many of a linked trouble's prevention measures its link tells, a line each: a trouble
/// with forty measures does not flood the kickoff thread, the last line saying how many more
/// there are and where.
pub const MEASURES_TOLD_AT_LINK: usize = 5;

/// The prevention measures of trouble FROM to tell a trouble it was just linked to: each with
/// its number and how many are left untold after it (nought but for the last told).
pub fn measures_told_at_link(from: &super::model::Trouble) -> Vec<(usize, &Action, u32)> {
    let measures: Vec<(usize, &Action)> = from
        .substance
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.kind == ActionKind::Prevent && a.cancelled.is_none())
        .map(|(i, a)| (i + 1, a))
        .collect();
    let told = measures.len().min(MEASURES_TOLD_AT_LINK);
    let more = u32::try_from(measures.len() - told).unwrap_or(u32::MAX);
    measures
        .into_iter()
        .take(told)
        .enumerate()
        .map(|(k, (n, a))| (n, a, if k + 1 == told { more } else { 0 }))
        .collect()
}

/// Tells this trouble's kickoff thread of a prevention measure recorded in another trouble with
/// the same part or lot, so it is weighed here too (横展開): only while this one is open, and
/// only of a trouble its check named (so one its readers may be told of).
pub(super) fn tell_measure_elsewhere(w: &mut Work, m: MeasureElsewhere) {
    if w.t.closed.is_some() || m.id == w.t.id || !w.t.substance.recurrences.contains(&m.id) {
        return;
    }
    w.log(
        None,
        Event::Stage(StepEvent::MeasureElsewhere {
            from: m.id.clone(),
            n: m.n,
            text: m.text.clone(),
            corrected: m.corrected,
        }),
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::Step(StepLine::MeasureElsewhere {
            from: m.id,
            channel: m.channel,
            customer: m.customer,
            n: m.n,
            text: m.text,
            corrected: m.corrected,
            more: m.more,
        }),
    );
}

/// What the new stages put on the timeline (one `Event::Stage` entry each).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum StepEvent {
    Fact {
        key: FactKey,
        value: String,
        /// For a lot: whether the lots given replaced the list (the facts form) rather than
        /// adding to it (the command), so a replay of the timeline rebuilds the list exactly.
        /// None in entries written before it was recorded, and for other facts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lots_replaced: Option<bool>,
    },
    /// A fact corrected: the entry it supersedes stays, this one says what replaced it.
    FactSuperseded {
        key: FactKey,
        old: String,
        value: String,
    },
    Returned {
        state: ReturnState,
        qty: Option<String>,
        tracking: Option<String>,
    },
    ReturnReminded,
    ScopeAdded {
        n: usize,
        text: String,
    },
    ScopeChecked {
        n: usize,
        note: String,
    },
    Cause {
        text: String,
        escape: Option<String>,
        /// Written by a release that credits each part of the cause to its own author (see
        /// [`Cause::recorded`]); false in an earlier release's entry, whose record named whoever
        /// gave the cause last. Inside the hash, so `verify` knows which it may meet.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        authors_kept: bool,
    },
    /// A cause given when one was recorded: the entry it supersedes stays, this one says what
    /// replaced it.
    CauseSuperseded {
        old: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_escape: Option<String>,
        text: String,
        escape: Option<String>,
        /// As for [`StepEvent::Cause`].
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        authors_kept: bool,
    },
    ActionAdded {
        n: usize,
        /// Not `kind`: a channel line carries this event inside a `Message`, tagged `kind`.
        #[serde(rename = "action_kind")]
        kind: ActionKind,
        text: String,
        owner: UserId,
        due: Option<DateTime<Utc>>,
        check: Option<DateTime<Utc>>,
    },
    ActionDone {
        n: usize,
        note: String,
    },
    ActionVerified {
        n: usize,
        note: String,
    },
    ActionReminded {
        n: usize,
        overdue: bool,
    },
    /// The reminder of action `n` waited behind others and was not posted: it was done by then,
    /// or `cancelled` (absent from entries written before a cancelled action withdrew its own).
    ActionReminderWithdrawn {
        n: usize,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cancelled: bool,
    },
    /// `fix action`: what action `n` had and has now, the parts changed only.
    ActionCorrected {
        n: usize,
        change: ActionChange,
    },
    /// `action cancel`: action `n` stays on the timeline, no longer open.
    ActionCancelled {
        n: usize,
        reason: String,
    },
    EffectAsked {
        n: usize,
    },
    EffectAnswered {
        n: usize,
        effective: bool,
    },
    Reopened {
        reason: String,
        /// The prevention action whose effectiveness check said "not effective" (`reason` is
        /// then its text); absent when someone reopened it by hand, and from earlier entries.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_effective: Option<usize>,
    },
    /// `fix cost`, or a rejected correction restoring the approved cost (`restored`).
    CostSuperseded {
        n: usize,
        old_amount: String,
        old_payer: String,
        amount: String,
        payer: String,
        note: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        restored: Option<Box<Written>>,
    },
    /// `fix split` (or a new split over one), or a rejected correction restoring the approved
    /// split (`restored`).
    SplitSuperseded {
        old: String,
        ours: u8,
        customer: u8,
        other: u8,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        restored: Option<Box<Written>>,
    },
    Recurrence {
        earlier: TroubleId,
        shared: String,
        /// Another customer's trouble with the same part or lot (absent: the same customer's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<String>,
    },
    /// Prevention measure #`n` of trouble `from`, which shares a part or lot, told here.
    MeasureElsewhere {
        from: TroubleId,
        n: usize,
        text: String,
        /// Told again with its corrected text (absent: told as recorded).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        corrected: bool,
    },
    /// `fix customer`: the customer's name given at open (or last corrected) was `from`.
    CustomerCorrected {
        from: String,
        to: String,
    },
    /// `fix summary`: the summary given at open (or last corrected) was `from`.
    SummaryCorrected {
        from: String,
        to: String,
    },
}

/// What the new stages post in the trouble's channel (rendered by `i18n::stages`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum StepLine {
    /// A change recorded on the timeline, told in the channel as it is, with who made it (`by`
    /// is absent from a line queued before lines named them: it is told as before).
    Logged {
        #[serde(flatten)]
        event: StepEvent,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
    },
    ReturnReminder {
        owner: UserId,
        since: DateTime<Utc>,
    },
    ActionReminder {
        n: usize,
        overdue: bool,
    },
    /// The effectiveness check of a prevention action, with its two buttons; asked in `round`
    /// of reopenings (absent from a check queued by an earlier release).
    EffectCheck {
        n: usize,
        ask: Vec<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<u32>,
        /// The action's dates it was asked for (its `round`); absent from a check queued by an
        /// earlier release, whose buttons are then taken as before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<u32>,
    },
    /// The effectiveness check of action `n`, once it no longer asks: why, with no buttons.
    EffectCheckSettled {
        n: usize,
        why: EffectSettled,
    },
    Recurrence {
        earlier: TroubleId,
        channel: Option<super::model::ChannelId>,
        opened_at: DateTime<Utc>,
        shared: String,
        /// Another customer's trouble with the same part or lot (absent: the same customer's,
        /// and in calls queued by an earlier release).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<String>,
    },
    /// Another customer's trouble `other` (or, with no `customer`, a later one of the same
    /// customer: a possible recurrence) with the same part or lot, found after this one was
    /// closed (at `closed_at`): told to its owner and manager by DM.
    SharedAfterClose {
        other: TroubleId,
        channel: Option<super::model::ChannelId>,
        opened_at: DateTime<Utc>,
        shared: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer: Option<String>,
        closed_at: DateTime<Utc>,
    },
    /// A prevention measure of another trouble with the same part or lot.
    MeasureElsewhere {
        from: TroubleId,
        channel: Option<super::model::ChannelId>,
        customer: String,
        n: usize,
        text: String,
        /// Its text corrected since it was told (absent from calls queued by an earlier release).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        corrected: bool,
        /// The trouble's measures left untold after this one, at link time (absent: none).
        #[serde(default, skip_serializing_if = "super::model::is_zero")]
        more: u32,
    },
}

/// Whether `message` is a scope line (added or checked): the customers, lots or sites the
/// trouble may reach, often another customer's, kept from a channel shared with the customer.
pub fn names_the_scope(message: &Message) -> bool {
    matches!(
        message,
        Message::Step(StepLine::Logged {
            event: StepEvent::ScopeAdded { .. } | StepEvent::ScopeChecked { .. },
            ..
        })
    )
}

/// What `fix customer` and `fix summary` correct of what was given at open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpeningField {
    Customer,
    Summary,
}

/// Which numbered list a number did not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Numbered {
    Scope,
    Action,
    Cost,
}

/// What the user is told, privately, about the new stages.
#[derive(Clone, Debug, PartialEq)]
pub enum StepReply {
    /// `keys` recorded anew, `corrected` replacing a value recorded before.
    FactsSet {
        keys: Vec<FactKey>,
        corrected: Vec<FactKey>,
    },
    /// Every fact given was recorded as given already.
    FactsUnchanged,
    Returned {
        state: ReturnState,
    },
    ScopeAdded {
        n: usize,
    },
    ScopeChecked {
        n: usize,
    },
    /// A cause recorded; `escape_missing`: nothing says yet why it was not caught.
    CauseSet {
        escape_missing: bool,
    },
    /// A cause recorded in place of an earlier one.
    CauseCorrected {
        escape_missing: bool,
    },
    /// The standing cause given its escape point (`cause escape: WHY`, or the same text again).
    EscapeRecorded,
    /// The cause given as it is recorded already (both parts): nothing written. `escape_missing`:
    /// nothing says yet why it was not caught (`escape: -` typed with it gives none).
    CauseUnchanged {
        escape_missing: bool,
    },
    /// `cause escape: WHY` with no cause recorded to give it to.
    EscapeWithoutCause,
    ActionAdded {
        n: usize,
        kind: ActionKind,
        /// When it is due, as read from what was typed (`月末`, `fri`): said back, so a date
        /// read otherwise than meant is seen at once.
        due: Option<DateTime<Utc>>,
    },
    ActionDone {
        n: usize,
    },
    ActionVerified {
        n: usize,
    },
    /// Marked done already, by `by`.
    AlreadyDone {
        n: usize,
        by: UserId,
    },
    /// Verified already, by `by`.
    AlreadyVerified {
        n: usize,
        by: UserId,
    },
    /// Scope line `n` was checked already, by `by`.
    ScopeAlreadyChecked {
        n: usize,
        by: UserId,
    },
    /// Action `n` was owned or marked done by the one verifying it: someone else checks it.
    OwnWork {
        n: usize,
    },
    NotDoneYet {
        n: usize,
    },
    /// `action verify N` without saying what was checked: a verification is its evidence.
    VerifyNeedsEvidence {
        n: usize,
    },
    NoSuchLine {
        what: Numbered,
        n: usize,
    },
    /// `fix split` with no split recorded: there is nothing to correct.
    NoSplitToFix,
    BadDue {
        text: String,
        error: super::due::DueError,
    },
    /// Stage 2 with scope lines not yet checked.
    ScopeUnchecked {
        unchecked: Vec<usize>,
        chain: Vec<UserId>,
    },
    /// Stage 3 with no cause recorded.
    CauseUnrecorded {
        chain: Vec<UserId>,
    },
    /// Stage 5 with no split recorded.
    SplitUnrecorded {
        chain: Vec<UserId>,
    },
    /// Stage 6 with no cost recorded (not even a zero one).
    CostUnrecorded {
        chain: Vec<UserId>,
    },
    /// Who may mark an action done.
    ActionNotAllowed {
        who: Who,
    },
    /// `action verify` by someone who may not check the work on the trouble: who may.
    VerifyNotAllowed {
        checkers: crate::trouble::decide::Checkers,
    },
    /// **Effective** tapped by someone who may not confirm prevention action `n` (not among
    /// those who check the trouble's work, or who owned it or marked it done): who may, as for
    /// a verification; anyone asked may still say it did not work.
    EffectIsSomeoneElses {
        n: usize,
        checkers: crate::trouble::decide::Checkers,
    },
    /// Who may correct (or `cancel`) an action.
    ActionChangeNotAllowed {
        cancel: bool,
        who: Who,
    },
    /// Action `n` is the manager chain's to correct or cancel: someone in it gave it
    /// (`given_by`), or, for a cancellation, the trouble is closed (`given_by` None), its close
    /// having counted on what was open.
    ActionChainOnly {
        n: usize,
        cancel: bool,
        given_by: Option<UserId>,
        chain: Vec<UserId>,
    },
    /// `fix action` recorded: what changed (boxed: the other answers are small).
    ActionCorrected {
        n: usize,
        change: Box<ActionChange>,
    },
    /// `fix action` with every value as recorded already: nothing changed.
    ActionUnchanged {
        n: usize,
    },
    /// `fix action N` with nothing after the number.
    NothingToFix {
        n: usize,
    },
    /// A done action is neither corrected nor (`cancel`) cancelled: done is on the record.
    ActionDoneAlready {
        n: usize,
        by: UserId,
        cancel: bool,
    },
    /// Action `n` was cancelled (by `by`): nothing more is done to it.
    ActionWasCancelled {
        n: usize,
        by: UserId,
    },
    /// `action cancel N` on the last prevention measure a trouble closed (not by force) rests on:
    /// cancelled, the record would read as closed normally with no measure. Reopen first:
    /// `reopeners` may, named when the one who typed it is not among them.
    LastMeasureOfClose {
        n: usize,
        reopeners: Option<Vec<UserId>>,
    },
    /// `action cancel N` without a reason.
    CancelNeedsReason {
        n: usize,
    },
    ActionCancelled {
        n: usize,
    },
    /// Open again, at the first stage not done (stage 4, or earlier after a forced close).
    Reopened {
        stage: Option<StageId>,
        /// Its channel, which the bot still cannot post in (archived, the bot removed): the one
        /// who reopened it is told here what to do, as the owner and the manager are by DM.
        still_lost: Option<(super::model::ChannelLoss, super::model::ChannelId)>,
    },
    NotClosed,
    Corrected,
    /// `fix customer` / `fix summary` recorded.
    OpeningCorrected {
        field: OpeningField,
    },
    /// `fix customer` / `fix summary` with the value recorded already: nothing changed.
    OpeningUnchanged {
        field: OpeningField,
    },
    EffectRecorded {
        effective: bool,
        /// "Not effective" reopened the trouble (it may have been reopened already).
        reopened: bool,
    },
    /// The check of action `n` was asked for a close that no longer stands: trouble `id` was
    /// reopened since (`at`), and the check is asked again at its next close.
    EffectCheckSuperseded {
        n: usize,
        id: TroubleId,
        at: Option<DateTime<Utc>>,
    },
    /// The check of action `n` was asked before its dates were corrected (`fix action N
    /// check:`): it no longer stands; `check` is its check date now, when the check is asked
    /// again (None: it has none now).
    EffectCheckRescheduled {
        n: usize,
        id: TroubleId,
        check: Option<DateTime<Utc>>,
    },
    /// The check of action `n` was answered before (a second tap).
    EffectAlreadyRecorded {
        n: usize,
        effective: bool,
    },
    /// Action `n` is no prevention measure: nobody is asked whether it worked.
    NoEffectCheck {
        n: usize,
    },
    /// Prevention measure `n`'s effectiveness check is not due (`dated`: it has a check date,
    /// still ahead; else it has none): whether it worked is answered when the check asks.
    EffectNotDue {
        n: usize,
        dated: bool,
    },
    /// Handled by the shell (forms, search); never shown.
    Shell,
}

impl StepReply {
    /// Whether this answer warns of something to correct (an action due on a day nobody works,
    /// a prevention measure with no due date) rather than only confirming: a form closing
    /// silently would hide it, where the command's answer shows it.
    pub fn warns(&self, policy: &super::policy::Policy) -> bool {
        match self {
            StepReply::ActionAdded { kind, due, .. } => match due {
                Some(due) => super::hours::closed_day(policy.business_hours.as_ref(), policy.timezone, *due).is_some(),
                None => *kind == ActionKind::Prevent,
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::decide::Message;

    /// A line rides in the outbox inside a `Message` (tagged `kind`), its event inside the line
    /// (tagged `line`, then `step`): no field may take one of those names.
    #[test]
    fn every_kind_of_channel_line_survives_the_outbox() {
        let at = DateTime::<Utc>::default();
        let events = vec![
            StepEvent::Fact {
                key: FactKey::Lot,
                value: "L42".into(),
                lots_replaced: Some(true),
            },
            StepEvent::ActionAdded {
                n: 1,
                kind: ActionKind::Prevent,
                text: "alarm".into(),
                owner: UserId::new("U1"),
                due: Some(at),
                check: None,
            },
            StepEvent::Returned {
                state: ReturnState::Shipped,
                qty: Some("12".into()),
                tracking: None,
            },
            StepEvent::CostSuperseded {
                n: 1,
                old_amount: "¥1".into(),
                old_payer: "ours".into(),
                amount: "¥2".into(),
                payer: "ours".into(),
                note: String::new(),
                restored: None,
            },
        ];
        let mut lines: Vec<StepLine> = events
            .into_iter()
            .map(|event| StepLine::Logged {
                event,
                by: Some(UserId::new("U2")),
            })
            .collect();
        lines.push(StepLine::EffectCheck {
            n: 1,
            ask: vec![UserId::new("U1")],
            round: Some(1),
            epoch: Some(2),
        });
        lines.push(StepLine::EffectCheckSettled {
            n: 1,
            why: EffectSettled::Answered {
                effective: true,
                by: Some(UserId::new("U3")),
            },
        });
        lines.push(StepLine::ActionReminder { n: 2, overdue: true });
        for line in lines {
            let message = Message::Step(line);
            let json = serde_json::to_string(&message).expect("serializes");
            let back: Message = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, message);
        }
    }

    /// A line queued before lines named who made the change (no `by`) is still delivered, told
    /// as it was; one naming them keeps the name.
    #[test]
    fn a_logged_line_queued_before_it_named_its_author_still_reads() {
        // As a line was stored before it carried `by`.
        let stored = r#"{"kind":"step","line":"logged","step":"fact","key":"part","value":"HX-200"}"#;
        let back: Message = serde_json::from_str(stored).unwrap_or_else(|e| panic!("{stored}: {e}"));
        let fact = StepEvent::Fact {
            key: FactKey::Part,
            value: "HX-200".into(),
            lots_replaced: None,
        };
        assert_eq!(back, Message::Step(StepLine::Logged { event: fact, by: None }));
    }
}
