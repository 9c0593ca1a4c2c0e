//! What a redaction erases from a timeline entry: its free texts, keeping ids, times, stages, severity, people and amounts.
//!
//! A customer's erasure request is served on the timeline itself (see
//! [`super::timeline::Event::Redacted`]): each entry keeps its place, its stored hash and its
//! link, and loses what people typed. Every variant is listed, without a catch-all, so a new
//! kind of entry must say what of it is free text before it compiles.

use chrono::{DateTime, Utc};

use super::approval::AgreementEvent;
use super::decide::{Decision, Delivery, Lane, Message, Op};
use super::facts::StepEvent;
use super::model::Trouble;
use super::replay::{differs, verify_trouble, Fact};
use super::timeline::{Break, Entry, Event, RedactedEntry};

/// What an erased text reads as. Never empty, so a text that was given still reads as given
/// (a note, a reason) and one that was not stays empty: erasing twice changes nothing.
pub const ERASED: &str = "[redacted]";

/// Calls `f` on each of `s`'s text when there is one.
fn some(f: &mut dyn FnMut(&mut String), s: &mut Option<String>) {
    if let Some(s) = s {
        f(s);
    }
}

/// `event` with its free texts erased: the customer and summary, notes, updates told to the
/// customer, reasons, facts, scope, cause, actions, measures, cost notes. Kept: ids, times,
/// stages, severity, people (ids and the names Slack gave), departments, amounts and payers,
/// shares, channel names and Slack's error codes.
pub fn erased(event: &Event) -> Event {
    let mut e = event.clone();
    each_text(&mut e, &mut |s| {
        if !s.is_empty() {
            *s = ERASED.to_string();
        }
    });
    e
}

/// Whether `event` holds a text a redaction erased: an entry marked redacted that holds none
/// (one with no free text at all, or all of it empty) was never a redaction's to mark.
pub fn holds_erased_text(event: &Event) -> bool {
    let mut found = false;
    each_text(&mut event.clone(), &mut |s| found |= s == ERASED);
    found
}

/// Why `trouble-bot redact` wrote nothing. Entries are named by their `seq`.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// No reason given: the redaction entry says why, for whoever reads the timeline later.
    NoReason,
    NoEntries,
    NoSuchEntry(u64),
    /// Marked redacted already, by the redaction entry `by`.
    AlreadyRedacted {
        seq: u64,
        by: Option<u64>,
    },
    /// A redaction entry: the administrator's own record, kept whole.
    TheRedaction(u64),
    /// Nothing in it is free text (or all of it is empty): nothing to erase.
    NoText(u64),
    /// The trouble's record repeats the entry's text (`fact`): erased from the timeline alone,
    /// the record would still show it and no longer match what its timeline says.
    RecordRepeats {
        seq: u64,
        fact: Fact,
    },
    /// The trouble does not verify as it is: a redaction chained onto it would hide that.
    Broken(Break),
    /// A Slack call for the trouble not made yet (being made, or the bot stopped before it
    /// went) holds the entry's text: it would post it after the redaction.
    StillQueued(u64),
    /// The entry's text is still held elsewhere (`place`): erased from the entry alone, it would
    /// still be shown or posted from there.
    StillHeld {
        seq: u64,
        place: Place,
    },
    /// A reason longer than a typed text may be (the redaction entry is never redacted itself).
    ReasonTooLong {
        max: usize,
    },
}

/// Where else the bot keeps an entry's text, besides the entry itself.
#[derive(Debug, PartialEq)]
pub enum Place {
    /// A message the bot held for the trouble's channel while it could not post there: it goes
    /// when the bot is back in the channel. (One held for a channel Slack refused to create was
    /// never posted: the redaction takes it off instead, see [`drop_never_posted`].)
    HeldForChannel,
    /// Another entry of the timeline (a correction quotes what it corrects): that entry's number.
    Entry(u64),
    /// The trouble's record (a correction's earlier text, say), which the reports read.
    Record,
    /// The redaction's own reason, which the redaction entry keeps whole for good.
    Reason,
}

/// What `trouble-bot redact` writes for one trouble, in one write: the named entries as they
/// become, and the entry recording it appended to the chain, with the trouble counting it.
#[derive(Debug)]
pub struct Redaction {
    /// The trouble counting the redaction entry, its kept lines of the erased entries saying
    /// they were redacted.
    pub trouble: Trouble,
    /// The named entries erased and marked redacted, their `hash` and `prev` as written.
    pub erased: Vec<Entry>,
    /// The `Redacted` entry naming each with the hash of what it holds now.
    pub entry: Entry,
    /// The lines in the trouble's channel that carried the erased texts, each edited to say it
    /// was redacted (`Op::Withdraw`), queued in the same write.
    pub edits: Vec<Delivery>,
    /// The named entries no line is known to have carried: a previous release kept no ts of
    /// the line an entry was posted as, a line posted as it is where the customer may read is
    /// not kept (a reopening's), nor are a line's DMs or later reports.
    pub unknown: Vec<u64>,
    /// Whether a report held for a channel Slack refused to create carried a text, and went
    /// with the redaction: nobody will read it unless someone asks for it again.
    pub report_dropped: bool,
}

impl Redaction {
    /// What a store writes besides the erased entries, as for any decision: the trouble
    /// counting the redaction entry, that entry, and the edits of the lines that carried the
    /// texts.
    pub fn decision(&self) -> Decision {
        Decision {
            subject: Some(self.trouble.id.clone()),
            trouble: Some(self.trouble.clone()),
            entries: vec![self.entry.clone()],
            deliveries: self.edits.clone(),
            ..Decision::default()
        }
    }
}

/// The edits of the lines `t` keeps that carried the entries `seqs`' texts (a note's, a
/// severity change's… line in its channel), to say the text was redacted `now`; and the
/// entries of `seqs` no kept line carried. A line carried one when it is kept knowing the entry,
/// or when its outside form, which came from its message, still says one of the entry's typed
/// texts as it was in `timeline` (a forced close's reason, kept so by an earlier release).
/// What the customer may read of such a line, should its channel be shared later, becomes what
/// it says now, so the record keeps no erased text.
fn edit_lines(t: &mut Trouble, timeline: &[Entry], seqs: &[u64], now: DateTime<Utc>) -> (Vec<Delivery>, Vec<u64>) {
    // (seq, its typed texts, whether it is a close: only a close's line an earlier release kept,
    // linked to no entry, may still hold its text in its outside form).
    let typed: Vec<(u64, Vec<String>, bool)> = seqs
        .iter()
        .filter_map(|&seq| {
            let e = timeline.get(usize::try_from(seq).ok()?)?;
            Some((seq, typed_texts(&e.event), matches!(e.event, Event::Closed { .. })))
        })
        .collect();
    let redacted = Message::LineRedacted { at: now };
    let mut edits = Vec::new();
    let mut known = Vec::new();
    for line in t.team_lines.iter_mut() {
        let says = match (&line.outside, line.entry) {
            (Some(outside @ Message::Closed { .. }), None) => free_texts_of(outside),
            _ => Vec::new(),
        };
        let carried = typed
            .iter()
            .filter(|(seq, texts, close)| {
                line.entry == Some(*seq) || *close && texts.iter().any(|text| says.contains(text))
            })
            .map(|(seq, ..)| *seq)
            .collect::<Vec<_>>();
        if carried.is_empty() {
            continue;
        }
        known.extend(carried);
        if line.outside.is_some() {
            line.outside = Some(redacted.clone());
        }
        edits.push(Delivery {
            lane: Lane::Channel,
            op: Op::Withdraw {
                channel: line.channel.clone(),
                ts: line.ts.clone(),
                outside: Some(redacted.clone()),
            },
        });
    }
    let unknown = seqs.iter().copied().filter(|seq| !known.contains(seq)).collect();
    (edits, unknown)
}

/// Erases the free texts of `t`'s entries `seqs` (its `timeline`, read with it), recorded by
/// a `Redacted` entry at `now` by nobody (the administrator): refused, with nothing written,
/// unless `verify` accepts the trouble afterwards exactly as it accepts it now. So only an
/// entry whose texts the record does not repeat qualifies (a note, a severity change's reason,
/// …): the record check tells, as `verify` runs it. `queued` are the trouble's Slack calls not
/// made yet: one holding a text to erase is refused too, as is a text kept anywhere else the
/// bot reads or posts from (see [`held_elsewhere`]).
pub fn redact(
    t: &Trouble,
    timeline: &[Entry],
    queued: &[Op],
    seqs: &[u64],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Redaction, Refusal> {
    if reason.trim().is_empty() {
        return Err(Refusal::NoReason);
    }
    if reason.chars().count() > super::command::TEXT_LIMIT {
        return Err(Refusal::ReasonTooLong {
            max: super::command::TEXT_LIMIT,
        });
    }
    let mut seqs = seqs.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    if seqs.is_empty() {
        return Err(Refusal::NoEntries);
    }
    verify_trouble(t, timeline).map_err(Refusal::Broken)?;
    let queued: Vec<&Op> = queued.iter().collect();
    let mut after = timeline.to_vec();
    for &seq in &seqs {
        let Some(e) = usize::try_from(seq).ok().and_then(|i| after.get_mut(i)) else {
            return Err(Refusal::NoSuchEntry(seq));
        };
        if e.redacted {
            return Err(Refusal::AlreadyRedacted {
                seq,
                by: redacted_by(timeline, seq),
            });
        }
        if matches!(e.event, Event::Redacted { .. }) {
            return Err(Refusal::TheRedaction(seq));
        }
        let erased = erased(&e.event);
        if erased == e.event {
            return Err(Refusal::NoText(seq));
        }
        if held_as_called(&queued, &typed_texts(&e.event)) {
            return Err(Refusal::StillQueued(seq));
        }
        e.event = erased;
        e.redacted = true;
        // Named one by one, so the refusal says which entry the record repeats.
        let mut alone = timeline.to_vec();
        alone[e.seq as usize].event = e.event.clone();
        if let Some(fact) = differs(t, &alone) {
            return Err(Refusal::RecordRepeats { seq, fact });
        }
    }
    let mut trouble = t.clone();
    let (edits, unknown) = edit_lines(&mut trouble, timeline, &seqs, now);
    let report_dropped = drop_never_posted(&mut trouble, timeline, &seqs);
    if let Some((seq, place)) = held_elsewhere(&trouble, timeline, &after, &seqs, reason) {
        return Err(Refusal::StillHeld { seq, place });
    }
    let named = seqs
        .iter()
        .map(|&seq| RedactedEntry {
            seq,
            hash: after[seq as usize].recomputed_hash(),
        })
        .collect();
    let event = Event::Redacted {
        reason: reason.trim().to_string(),
        entries: named,
    };
    let entry = Entry::new(&t.id, t.timeline_len, &t.timeline_head, now, None, event);
    trouble.timeline_len += 1;
    trouble.timeline_head = entry.hash.clone();
    after.push(entry.clone());
    // What verify will say of it: the same as of the trouble before, or nothing is written.
    verify_trouble(&trouble, &after).map_err(Refusal::Broken)?;
    let erased = seqs.iter().map(|&seq| after[seq as usize].clone()).collect();
    Ok(Redaction {
        trouble,
        erased,
        entry,
        edits,
        unknown,
        report_dropped,
    })
}

/// What `t` holds for a channel it never had (Slack refused to create it) that would post one
/// of the entries `seqs`' texts, taken off it: nothing held there was ever posted, so the
/// redaction need not wait for a channel nobody may ever ask for (a closed trouble's). Each line
/// taken off is counted as left out (the timeline has it, as erased); a report held is taken
/// off whole, counted as one (`/trouble report` posts a fresh one, rendered as the timeline
/// reads then): whether one was, the answer says.
fn drop_never_posted(t: &mut Trouble, timeline: &[Entry], seqs: &[u64]) -> bool {
    if t.channel.is_some() {
        return false;
    }
    let Some(held) = t.held.as_mut() else { return false };
    let carries = |op: &Op| {
        seqs.iter().any(|&seq| {
            let texts = timeline
                .get(seq as usize)
                .map(|e| typed_texts(&e.event))
                .unwrap_or_default();
            held_as_called(&[op], &texts)
        })
    };
    let report = held.calls.iter().any(|c| is_report_part(&c.op) && carries(&c.op));
    let refused = held.refused as usize;
    let mut kept = Vec::with_capacity(held.calls.len());
    for (at, call) in std::mem::take(&mut held.calls).into_iter().enumerate() {
        let of_report = call.op.posts_report();
        if !(carries(&call.op) || report && of_report) {
            kept.push(call);
            continue;
        }
        if at < refused {
            held.refused -= 1;
        }
        if matches!(call.op, Op::Post { .. }) && !of_report {
            held.left_out += 1;
        }
    }
    held.calls = kept;
    if report {
        held.left_out += 1;
    }
    report
}

fn is_report_part(op: &Op) -> bool {
    matches!(
        op,
        Op::Post {
            message: Message::ReportPart { .. },
            ..
        }
    )
}

/// The first of the entries `seqs` (erased in `after`, as they were in `timeline`) whose text
/// is still kept somewhere the bot reads or posts from, which `verify`'s record check cannot
/// tell: a call held for the trouble's channel, `t`'s record (a corrected fact's first text),
/// another entry's typed text (a correction, a note quoting it) or the redaction's own
/// `reason`, kept whole for good. The record's and calls' strings are matched whole (their
/// other strings are ids, links, names Slack gave), typed texts and the reason by containing it.
fn held_elsewhere(
    t: &Trouble,
    timeline: &[Entry],
    after: &[Entry],
    seqs: &[u64],
    reason: &str,
) -> Option<(u64, Place)> {
    let held: Vec<&Op> = t.held.iter().flat_map(|h| h.calls.iter().map(|c| &c.op)).collect();
    let record = strings_of(std::iter::once(t));
    seqs.iter().find_map(|&seq| {
        let texts = typed_texts(&timeline[seq as usize].event);
        if held_as_called(&held, &texts) {
            return Some((seq, Place::HeldForChannel));
        }
        if texts.iter().any(|text| record.contains(text)) {
            return Some((seq, Place::Record));
        }
        let quoting = |other: &Entry| {
            let theirs = typed_texts(&other.event);
            texts
                .iter()
                .any(|text| theirs.iter().any(|s| s.contains(text.as_str())))
        };
        if let Some(other) = after.iter().find(|o| !seqs.contains(&o.seq) && quoting(o)) {
            return Some((seq, Place::Entry(other.seq)));
        }
        texts
            .iter()
            .any(|text| reason.contains(text.as_str()))
            .then_some((seq, Place::Reason))
    })
}

/// Whether one of the calls `ops` (queued, or held for the channel) would post one of
/// `texts`: one that carries it as a string of its own, or any part of a report, whose text
/// was rendered (quoted line by line, cut into parts) where the typed text no longer reads whole.
fn held_as_called(ops: &[&Op], texts: &[String]) -> bool {
    let rendered = ops.iter().any(|op| is_report_part(op));
    let strings = strings_of(ops.iter());
    !texts.is_empty() && (rendered || texts.iter().any(|text| strings.contains(text)))
}

/// The latest of the entries `logged` (a decision's, in order) whose typed text `message`
/// carries as one of its strings, as [`held_as_called`] reads a call: the line posting it is
/// kept knowing the entry (`Slot::Entry`), whatever its kind, so a redaction of it edits the
/// line. A line that renders a text from the record, or reworded, carries none of them.
pub fn carried_by(logged: &[Entry], message: &Message) -> Option<u64> {
    let typed: Vec<(u64, Vec<String>)> = logged
        .iter()
        .rev()
        .map(|e| (e.seq, typed_texts(&e.event)))
        .filter(|(_, texts)| !texts.is_empty())
        .collect();
    if typed.is_empty() {
        return None;
    }
    let strings = free_texts_of(message);
    typed
        .into_iter()
        .find(|(_, texts)| texts.iter().any(|text| strings.contains(text)))
        .map(|(seq, _)| seq)
}

/// The keys serde writes the variant of an internally tagged enum under (`#[serde(tag = …)]`
/// in src/trouble): their values are the bot's own words, never anybody's text.
const TAG_KEYS: &[&str] = &[
    "kind",
    "op",
    "timer",
    "reading",
    "outcome",
    "action",
    "step",
    "line",
    "record",
    "type",
    "terms",
    "item",
    "state",
    "agreement",
];

/// The strings of `message` someone may have typed: not a variant's tag, nor a Slack user's or
/// conversation's id. A typed text equal to one of those (`/trouble sev 3 acknowledged` beside
/// the `acknowledged` line) must not mark a line that never said it: one left out is only
/// named to the administrator as a line not recorded, while one marked would be blanked.
fn free_texts_of(message: &Message) -> Vec<String> {
    let mut out = Vec::new();
    strings_in(
        serde_json::to_value(message).unwrap_or_default(),
        Strings::Typed,
        &mut out,
    );
    out
}

/// Which strings [`strings_in`] collects.
#[derive(Clone, Copy, PartialEq)]
enum Strings {
    /// Every one: where a text is held, whatever holds it.
    All,
    /// Those someone may have typed ([`free_texts_of`]).
    Typed,
}

/// The strings `v` holds, nested ones too, as `which` says; its keys are serde's names, not
/// anybody's text.
fn strings_in(v: serde_json::Value, which: Strings, out: &mut Vec<String>) {
    fn slack_id(s: &str) -> bool {
        s.len() >= 7
            && s.starts_with(['U', 'W', 'B', 'C', 'G', 'D'])
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            // A word in capitals (`DUPLICATE`, `CANCELLED`) is someone's text: Slack's ids hold a digit.
            && s.bytes().any(|b| b.is_ascii_digit())
    }
    let typed = which == Strings::Typed;
    match v {
        serde_json::Value::String(s) if !(typed && slack_id(&s)) => out.push(s),
        serde_json::Value::Array(a) => a.into_iter().for_each(|v| strings_in(v, which, out)),
        serde_json::Value::Object(o) => o
            .into_iter()
            .filter(|(k, v)| !(typed && v.is_string() && TAG_KEYS.contains(&k.as_str())))
            .for_each(|(_, v)| strings_in(v, which, out)),
        _ => {}
    }
}

/// `event`'s typed texts, those a redaction erases (the empty ones left out).
fn typed_texts(event: &Event) -> Vec<String> {
    let mut texts = Vec::new();
    each_text(&mut event.clone(), &mut |text| {
        if !text.is_empty() {
            texts.push(text.clone());
        }
    });
    texts
}

/// Every string `values` (calls, a record) hold, nested ones too.
fn strings_of<T: serde::Serialize>(values: impl Iterator<Item = T>) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        strings_in(serde_json::to_value(&v).unwrap_or_default(), Strings::All, &mut out);
    }
    out
}

/// The seq of the last redaction entry naming `seq`.
fn redacted_by(timeline: &[Entry], seq: u64) -> Option<u64> {
    timeline.iter().rev().find_map(|l| match &l.event {
        Event::Redacted { entries, .. } if entries.iter().any(|r| r.seq == seq) => Some(l.seq),
        _ => None,
    })
}

/// Calls `f` on each free text of `e`: every kind of entry is listed, so a new one must say
/// which of its fields are free text before it compiles.
fn each_text(e: &mut Event, f: &mut dyn FnMut(&mut String)) {
    match e {
        Event::Opened { customer, summary, .. } => {
            f(customer);
            f(summary);
        }
        Event::StageStarted { note, .. } | Event::StageDone { note, .. } => f(note),
        Event::Note { text } | Event::CustomerUpdate { text, .. } | Event::MeasureAdded { text } => f(text),
        Event::UpdateWithdrawn { reason, .. }
        | Event::SplitSet { reason, .. }
        | Event::SeverityChanged { reason, .. } => f(reason),
        Event::CostAdded { note, .. } => f(note),
        Event::Closed { note, forced_reason } => {
            f(note);
            some(f, forced_reason);
        }
        Event::Stage(step) => each_step_text(step, f),
        Event::Agreement(a) => each_agreement_text(a, f),
        Event::ChannelCreated { .. }
        | Event::ManagerPinged { .. }
        | Event::Acknowledged { .. }
        | Event::Escalated { .. }
        | Event::Repinged { .. }
        | Event::AwayInSlack { .. }
        | Event::NobodyAnswered
        | Event::NudgePosted { .. }
        | Event::NudgeWithdrawn { .. }
        | Event::OwnerChanged { .. }
        | Event::ManagerChanged { .. }
        | Event::ParticipantsAdded { .. }
        | Event::ParticipantsRemoved { .. }
        | Event::DeliveryFailed { .. }
        | Event::OriginNoticeFailed { .. }
        | Event::OwnerReachedAgain { .. }
        | Event::AcknowledgementWithdrawn { .. }
        | Event::ChannelArchived
        | Event::ChannelUnarchived
        | Event::BotRemoved
        | Event::BotReturned
        | Event::KickoffDeleted
        | Event::AddedBack { .. }
        | Event::StatusDeleted
        | Event::KickoffUnpinned
        | Event::StatusUnpinned
        | Event::ChannelDeleted { .. }
        | Event::ChannelAskedFor
        | Event::NamesLearned { .. } => {}
        // The organisation's name as Slack gave it (the customer's company, often); its id stays.
        Event::TeamLinesWithdrawn { org_name, .. } | Event::NoticesWithdrawn { org_name, .. } => some(f, org_name),
        // The administrator's own record, kept whole: the entries it names verify by it.
        Event::Redacted { .. } => {}
    }
}

fn each_step_text(step: &mut StepEvent, f: &mut dyn FnMut(&mut String)) {
    match step {
        StepEvent::Fact { value, .. } => f(value),
        StepEvent::FactSuperseded { old, value, .. } => {
            f(old);
            f(value);
        }
        StepEvent::ScopeAdded { text, .. } | StepEvent::ActionAdded { text, .. } => f(text),
        StepEvent::MeasureElsewhere { text, .. } => f(text),
        StepEvent::ScopeChecked { note, .. }
        | StepEvent::ActionDone { note, .. }
        | StepEvent::ActionVerified { note, .. }
        | StepEvent::CostSuperseded { note, .. } => f(note),
        StepEvent::Cause { text, escape, .. } => {
            f(text);
            some(f, escape);
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
            ..
        } => {
            f(old);
            some(f, old_escape);
            f(text);
            some(f, escape);
        }
        StepEvent::ActionCorrected { change, .. } => {
            if let Some(text) = &mut change.text {
                f(&mut text.from);
                f(&mut text.to);
            }
        }
        StepEvent::ActionCancelled { reason, .. }
        | StepEvent::Reopened { reason, .. }
        | StepEvent::SplitSuperseded { reason, .. } => f(reason),
        StepEvent::Recurrence { customer, .. } => some(f, customer),
        StepEvent::CustomerCorrected { from, to } | StepEvent::SummaryCorrected { from, to } => {
            f(from);
            f(to);
        }
        StepEvent::Returned { .. }
        | StepEvent::ReturnReminded
        | StepEvent::ActionReminded { .. }
        | StepEvent::ActionReminderWithdrawn { .. }
        | StepEvent::EffectAsked { .. }
        | StepEvent::EffectAnswered { .. } => {}
    }
}

fn each_agreement_text(a: &mut AgreementEvent, f: &mut dyn FnMut(&mut String)) {
    match a {
        AgreementEvent::Approved { note, .. }
        | AgreementEvent::Rejected { note, .. }
        | AgreementEvent::Agreed { note, .. } => f(note),
        AgreementEvent::AgreedWithdrawn { reason, .. } => f(reason),
        AgreementEvent::Proposed { .. } | AgreementEvent::Restored { .. } => {}
    }
}

/// A trouble after some commands, with its timeline, for the tests of what runs a redaction.
#[cfg(test)]
pub(crate) use tests::trouble_after;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Entries as stored, each with a typed text ("SECRET …") and fields that must stay.
    fn samples() -> Vec<Value> {
        vec![
            json!({"type": "opened", "customer": "SECRET ACME", "summary": "SECRET cracks", "severity": 2,
                   "owner": "U0SALES", "manager": "U0MGR", "departments": ["quality"], "named": 1}),
            json!({"type": "stage_done", "stage": 3, "note": "SECRET found at line B"}),
            json!({"type": "note", "text": "SECRET lot 42"}),
            json!({"type": "customer_update", "text": "SECRET told Mr. Sato", "promised_next": "2026-12-07T01:00:00Z"}),
            json!({"type": "cost_added", "amount": "¥120,000", "payer": "ours", "note": "SECRET freight"}),
            json!({"type": "closed", "note": "SECRET satisfied", "forced_reason": "SECRET late"}),
            json!({"type": "severity_changed", "from": 2, "to": 3, "reason": "SECRET calmer"}),
            json!({"type": "stage", "step": "fact", "key": "found", "value": "SECRET 3 of 40 cracked"}),
            json!({"type": "stage", "step": "cause", "text": "SECRET mold", "escape": "SECRET inspection"}),
            json!({"type": "stage", "step": "customer_corrected", "from": "SECRET ACME", "to": "SECRET Acme Co."}),
            json!({"type": "stage", "step": "action_cancelled", "n": 1, "reason": "SECRET moot"}),
            json!({"type": "agreement", "agreement": "rejected", "n": 1, "note": "SECRET too much"}),
        ]
    }

    #[test]
    fn every_typed_text_goes_and_everything_else_stays() {
        for sample in samples() {
            let event: Event = serde_json::from_value(sample.clone()).unwrap_or_else(|e| panic!("{sample}: {e}"));
            let after = serde_json::to_value(erased(&event)).unwrap();
            assert!(!after.to_string().contains("SECRET"), "{after}");
            let (before, after) = (serde_json::to_value(&event).unwrap(), after);
            for (key, was) in before.as_object().unwrap() {
                let now = &after[key];
                match was.as_str() {
                    Some(text) if text.starts_with("SECRET") => assert_eq!(now, ERASED, "{key}"),
                    _ if was.to_string().contains("SECRET") => {}
                    _ => assert_eq!(now, was, "{key} kept"),
                }
            }
        }
    }

    /// A trouble opened by U0SALES (manager U0MANAGER), then `commands` in turn, with its
    /// timeline.
    pub(crate) fn trouble_after(commands: Vec<(&str, crate::trouble::command::Command)>) -> (Trouble, Vec<Entry>) {
        use crate::trouble::decide::{decide, open, Ctx, Input};
        use crate::trouble::model::{ChannelId, Origin, TroubleId, UserId};
        let toml = "[org]\ndefault_manager = \"U0MANAGER\"\n";
        let policy = crate::config::Config::from_sources(Some(toml), &Default::default())
            .unwrap()
            .policy;
        let ctx = Ctx {
            policy: &policy,
            now: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let req = crate::trouble::command::OpenRequest {
            severity: None,
            manager: None,
            departments: Vec::new(),
            customer: "ACME".into(),
            summary: "SECRET cracks".into(),
            past: Vec::new(),
        };
        let origin = Origin {
            channel: ChannelId::new("C0SALESFLOOR"),
            response_url: None,
            by: None,
        };
        let d = open(
            &ctx,
            TroubleId::new("20270115-1"),
            1,
            UserId::new("U0SALES"),
            origin,
            req,
        );
        let (mut t, mut entries) = (d.trouble.unwrap(), d.entries);
        for (user, command) in commands {
            let user = UserId::new(user);
            let d = decide(&ctx, &t, Input::Command { user, command });
            assert!(!d.entries.is_empty(), "{:?}", d.reply);
            t = d.trouble.unwrap_or(t);
            entries.extend(d.entries);
        }
        (t, entries)
    }

    /// A text erased from its entry alone must not live on elsewhere: in another entry (a
    /// correction quotes what it corrects) or the record (which `verify` does not compare with a
    /// note).
    #[test]
    fn a_text_kept_in_another_entry_or_the_record_is_refused() {
        use crate::trouble::command::Command;
        let (t, entries) = trouble_after(vec![
            ("U0SALES", Command::Note("lot 42 at Zebulon".into())),
            ("U0SALES", Command::Note("again: lot 42 at Zebulon".into())),
            ("U0SALES", Command::Note("SECRET cracks".into())),
        ]);
        let notes: Vec<u64> = entries
            .iter()
            .filter(|e| matches!(e.event, Event::Note { .. }))
            .map(|e| e.seq)
            .collect();
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        assert_eq!(
            redact(&t, &entries, &[], &[notes[0]], "erasure", now).unwrap_err(),
            Refusal::StillHeld {
                seq: notes[0],
                place: Place::Entry(notes[1])
            }
        );
        assert!(redact(&t, &entries, &[], &[notes[0], notes[1]], "erasure", now).is_ok());
        // The record's summary says it.
        assert_eq!(
            redact(&t, &entries, &[], &[notes[2]], "erasure", now).unwrap_err(),
            Refusal::StillHeld {
                seq: notes[2],
                place: Place::Record
            }
        );
        // Nor may the reason, kept whole for good, quote it.
        assert_eq!(
            redact(
                &t,
                &entries,
                &[],
                &[notes[0], notes[1]],
                "asked to erase lot 42 at Zebulon",
                now
            )
            .unwrap_err(),
            Refusal::StillHeld {
                seq: notes[0],
                place: Place::Reason
            }
        );
        // A short text is matched as typed, not inside ids, links or serde's names.
        let (mut t, entries) = trouble_after(vec![("U0SALES", Command::Note("ok".into()))]);
        t.origin.response_url = Some("https://hooks.slack.com/commands/T0/1/ok".into());
        let ok = entries
            .iter()
            .rfind(|e| matches!(e.event, Event::Note { .. }))
            .unwrap()
            .seq;
        assert!(redact(&t, &entries, &[], &[ok], "erasure", now).is_ok());
        let long = "x".repeat(crate::trouble::command::TEXT_LIMIT + 1);
        assert!(matches!(
            redact(&t, &entries, &[], &[notes[1]], &long, now),
            Err(Refusal::ReasonTooLong { .. })
        ));
    }

    /// A fact's first text lives on in the record's corrections once it is corrected (the 8D
    /// shows it), and a note's in the call held for the channel the bot lost: erased from the
    /// entry alone, both would still be shown or posted.
    #[test]
    fn a_corrected_facts_text_and_a_held_notes_are_refused() {
        use crate::trouble::command::Command;
        use crate::trouble::decide::{Delivery, Dest, Lane, Message};
        use crate::trouble::facts::{FactKey, Step};
        let fact = |value: &str| {
            (
                "U0SALES",
                Command::Step(Step::Facts(vec![(FactKey::Symptom, value.into())])),
            )
        };
        let (t, entries) = trouble_after(vec![fact("Zebulon's line 3 cracked"), fact("line 3 cracked")]);
        let first = entries
            .iter()
            .find(|e| serde_json::to_string(&e.event).unwrap().contains("Zebulon"))
            .unwrap()
            .seq;
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        assert_eq!(
            redact(&t, &entries, &[], &[first], "erasure", now).unwrap_err(),
            Refusal::StillHeld {
                seq: first,
                place: Place::Record
            }
        );

        let (mut t, entries) = trouble_after(vec![("U0SALES", Command::Note("call Zebulon".into()))]);
        t.channel = Some(crate::trouble::model::ChannelId::new("C0TROUBLE"));
        let note = entries
            .iter()
            .rfind(|e| matches!(e.event, Event::Note { .. }))
            .unwrap()
            .seq;
        let held = |message| crate::trouble::model::Held {
            since: now,
            calls: vec![Delivery {
                lane: Lane::Channel,
                op: Op::Post {
                    to: Dest::TroubleChannel,
                    message,
                    keep_as: None,
                },
            }],
            refused: 0,
            left_out: 0,
            how: None,
        };
        t.held = Some(held(Message::Recorded {
            by: crate::trouble::model::UserId::new("U0SALES"),
            what: crate::trouble::record::Record::Note {
                text: "call Zebulon".into(),
            },
        }));
        assert_eq!(
            redact(&t, &entries, &[], &[note], "erasure", now).unwrap_err(),
            Refusal::StillHeld {
                seq: note,
                place: Place::HeldForChannel
            }
        );
        // A report's part, rendered from the timeline: the note may be in it in another form.
        t.held = Some(held(Message::ReportPart {
            text: "> call\n> Zebulon".into(),
            part: 1,
            of: 1,
        }));
        assert_eq!(
            redact(&t, &entries, &[], &[note], "erasure", now).unwrap_err(),
            Refusal::StillHeld {
                seq: note,
                place: Place::HeldForChannel
            }
        );
    }

    /// Held for a channel Slack refused to create (closed since, say, when nobody will ask for
    /// it again): nothing held was ever posted, so what would post the text (the note's line, the
    /// report whole) goes with the redaction, counted as left out; the rest still waits.
    #[test]
    fn what_is_held_for_a_channel_never_made_goes_with_the_redaction() {
        use crate::trouble::command::Command;
        use crate::trouble::decide::{Delivery, Dest, Lane, Message};
        let (mut t, entries) = trouble_after(vec![
            ("U0SALES", Command::Note("call Zebulon".into())),
            ("U0SALES", Command::Note("lot 42".into())),
        ]);
        assert!(t.channel.is_none());
        t.channel_refused = true;
        let notes: Vec<u64> = entries
            .iter()
            .filter(|e| matches!(e.event, Event::Note { .. }))
            .map(|e| e.seq)
            .collect();
        let post = |to, message| Delivery {
            lane: Lane::Channel,
            op: Op::Post {
                to,
                message,
                keep_as: None,
            },
        };
        let line = |text: &str| {
            post(
                Dest::TroubleChannel,
                Message::Recorded {
                    by: crate::trouble::model::UserId::new("U0SALES"),
                    what: crate::trouble::record::Record::Note { text: text.into() },
                },
            )
        };
        let part = |part| {
            post(
                Dest::ReportThread,
                Message::ReportPart {
                    text: "> call\n> Zebulon".into(),
                    part,
                    of: 2,
                },
            )
        };
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        t.held = Some(crate::trouble::model::Held {
            since: now,
            calls: vec![
                line("call Zebulon"),
                line("lot 42"),
                post(Dest::TroubleChannel, Message::ReportSummary),
                part(1),
                part(2),
            ],
            refused: 2,
            left_out: 1,
            how: None,
        });
        let r = redact(&t, &entries, &[], &notes[..1], "erasure", now).unwrap();
        assert!(r.report_dropped, "the answer says the report must be asked for again");
        // In either language.
        let said = |l| crate::i18n::admin::redacted_now(l, &t.id, &r);
        let ja = said(crate::i18n::Locale::Ja);
        assert!(
            ja.contains("を待っていた報告書はこれらの文面を含んでいたため、一緒に取り除きました")
                && ja.contains("そのときに `/trouble report` でもう一度投稿してください"),
            "{ja}"
        );
        assert!(said(crate::i18n::Locale::En).contains("post it again then with `/trouble report`"));
        let held = r.trouble.held.expect("the other note's line still waits");
        // The note's line and the report, one each, beside the one left out before.
        assert_eq!((held.calls, held.refused, held.left_out), (vec![line("lot 42")], 1, 3));
    }

    /// The note's line the bot kept knowing which entry it carries is edited in the same write,
    /// to say it was redacted and when (never why); one a previous release kept without knowing,
    /// or none kept, is named as not known, not guessed.
    #[test]
    fn the_line_that_carried_a_note_is_edited_and_one_not_known_is_named() {
        use crate::trouble::command::Command;
        use crate::trouble::model::{ChannelId, TeamLine, Ts};
        let (mut t, entries) = trouble_after(vec![
            ("U0SALES", Command::Note("call Zebulon".into())),
            ("U0SALES", Command::Note("lot 42".into())),
        ]);
        let notes: Vec<u64> = entries
            .iter()
            .filter(|e| matches!(e.event, Event::Note { .. }))
            .map(|e| e.seq)
            .collect();
        let line = |ts: &str, entry: Option<u64>| TeamLine {
            channel: ChannelId::new("C0TROUBLE"),
            ts: Ts::new(ts),
            outside: None,
            entry,
        };
        t.team_lines = vec![line("1.1", Some(notes[0])), line("1.2", None)];
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let r = redact(&t, &entries, &[], &notes, "erasure", now).unwrap();
        let edit = Delivery {
            lane: Lane::Channel,
            op: Op::Withdraw {
                channel: ChannelId::new("C0TROUBLE"),
                ts: Ts::new("1.1"),
                outside: Some(Message::LineRedacted { at: now }),
            },
        };
        assert_eq!(r.edits, vec![edit.clone()]);
        assert_eq!(r.unknown, vec![notes[1]]);
        assert!(!r.report_dropped);
        assert_eq!(r.decision().deliveries, vec![edit]);
    }

    /// A kept line's outside form (what a channel shared later may read of it) that still says
    /// the text, as a forced close's did, is the record holding it: it becomes what the line
    /// says once edited, in the same write, rather than refuse the redaction or post the text
    /// again when the channel is shared. So is a close's line kept not knowing its entry (by an
    /// earlier release) whose outside form says the close's reason: the line carried it, and is
    /// edited too, rather than refused for good as a text "the reports show". A note saying the
    /// same words never blanks that line: only a close's own line carries a close's reason. New
    /// outside forms hold no reason at all.
    #[test]
    fn a_kept_lines_outside_form_says_what_the_line_says_once_redacted() {
        use crate::trouble::command::Command;
        use crate::trouble::facts::Step;
        use crate::trouble::model::{ChannelId, TeamLine, Ts, UserId};
        let (mut t, entries) = trouble_after(vec![
            ("U0SALES", Command::Note("call Zebulon".into())),
            ("U0MANAGER", Command::CloseForce("call Zebulon".into())),
            ("U0MANAGER", Command::Step(Step::Reopen("customer found more".into()))),
        ]);
        let seq_of = |kind: fn(&Event) -> bool| entries.iter().rfind(|e| kind(&e.event)).unwrap().seq;
        let note = seq_of(|e| matches!(e, Event::Note { .. }));
        let close = seq_of(|e| matches!(e, Event::Closed { .. }));
        let line = |ts: &str, entry: Option<u64>| TeamLine {
            channel: ChannelId::new("C0TROUBLE"),
            ts: Ts::new(ts),
            outside: Some(Message::Closed {
                by: UserId::new("U0MANAGER"),
                forced_reason: Some("call Zebulon".into()),
                note: None,
                report_withheld: true,
            }),
            entry,
        };
        t.team_lines = vec![line("1.1", Some(close)), line("1.2", None), line("1.3", None)];
        t.team_lines[2].outside = super::super::decide::outside::line_for_outside(&Message::Closed {
            by: UserId::new("U0MANAGER"),
            forced_reason: Some("call Zebulon".into()),
            note: None,
            report_withheld: false,
        });
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        // The note alone never blanks a close's line an earlier release kept, saying the same.
        let mut older = t.clone();
        older.team_lines = vec![line("1.2", None)];
        let (edits, unknown) = edit_lines(&mut older, &entries, &[note], now);
        assert_eq!((edits.len(), unknown), (0, vec![note]));
        // A reason in capitals is someone's text, not a Slack id.
        let capitals = Message::Closed {
            by: UserId::new("U0MANAGER"),
            forced_reason: Some("DUPLICATE".into()),
            note: None,
            report_withheld: true,
        };
        assert!(free_texts_of(&capitals).contains(&"DUPLICATE".to_string()));
        // The note alone: the close's lines still say the words, as the close does.
        assert!(matches!(
            redact(&t, &entries, &[], &[note], "erasure", now),
            Err(Refusal::StillHeld { .. })
        ));
        let r = redact(&t, &entries, &[], &[note, close], "erasure", now).unwrap();
        for kept in &r.trouble.team_lines[..2] {
            assert_eq!(kept.outside, Some(Message::LineRedacted { at: now }), "{kept:?}");
        }
        assert_eq!(r.edits.len(), 2, "{:?}", r.edits);
        assert_eq!(r.unknown, vec![note]);
        assert_eq!(
            r.trouble.team_lines[2].outside,
            Some(Message::Closed {
                by: UserId::new("U0MANAGER"),
                forced_reason: Some(String::new()),
                note: None,
                report_withheld: true,
            })
        );
    }

    /// An entry edited by hand is a break verify names: a redaction of it would chain a
    /// redacted form over the edit and hide it, so the trouble must verify first.
    #[test]
    fn an_entry_edited_by_hand_is_not_laundered_by_a_redaction() {
        use crate::trouble::command::Command;
        let (t, entries) = trouble_after(vec![("U0SALES", Command::Note("what was said".into()))]);
        let note = entries
            .iter()
            .rfind(|e| matches!(e.event, Event::Note { .. }))
            .unwrap()
            .seq;
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let mut edited = entries.clone();
        edited[note as usize].event = Event::Note {
            text: "what was not said".into(),
        };
        assert!(matches!(
            redact(&t, &edited, &[], &[note], "erasure", now),
            Err(Refusal::Broken(_))
        ));
        let mut edited = entries.clone();
        edited[note as usize].actor = Some(crate::trouble::model::UserId::new("U0SOMEONE"));
        assert!(matches!(
            redact(&t, &edited, &[], &[note], "erasure", now),
            Err(Refusal::Broken(_))
        ));
        assert!(redact(&t, &entries, &[], &[note], "erasure", now).is_ok());
    }

    /// What qualifies is what `verify` accepts: a text the record does not repeat.
    #[test]
    fn a_note_and_a_severity_changes_reason_are_redacted_and_texts_the_record_repeats_are_refused() {
        use crate::trouble::command::Command;
        use crate::trouble::model::{Severity, StageId};
        let (t, entries) = trouble_after(vec![
            ("U0SALES", Command::Note("SECRET lot 42".into())),
            (
                "U0MANAGER",
                Command::Severity {
                    to: Severity::new(3),
                    reason: "SECRET calmer".into(),
                },
            ),
            (
                "U0SALES",
                Command::Update {
                    text: "SECRET told".into(),
                    next: None,
                },
            ),
            ("U0SALES", Command::Done(StageId::Facts, "SECRET found".into())),
        ]);
        let seq = |kind: &str| {
            entries
                .iter()
                .find(|e| serde_json::to_value(&e.event).unwrap()["type"] == kind)
                .unwrap_or_else(|| panic!("{kind}"))
                .seq
        };
        let now = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let (note, sev) = (seq("note"), seq("severity_changed"));
        let r = redact(&t, &entries, &[], &[note, sev], "erasure", now).unwrap();
        assert_eq!(r.erased.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![note, sev]);
        assert!(r
            .erased
            .iter()
            .all(|e| e.redacted && !format!("{:?}", e.event).contains("SECRET")));
        for (kind, fact) in [
            ("opened", Fact::Opening),
            ("customer_update", Fact::CustomerUpdates),
            ("stage_done", Fact::Stages),
        ] {
            let seq = seq(kind);
            assert_eq!(
                redact(&t, &entries, &[], &[note, seq], "erasure", now).unwrap_err(),
                Refusal::RecordRepeats { seq, fact },
                "{kind}"
            );
        }
        let pinged = seq("manager_pinged");
        assert_eq!(
            redact(&t, &entries, &[], &[pinged], "erasure", now).unwrap_err(),
            Refusal::NoText(pinged)
        );
    }

    #[test]
    fn erasing_twice_changes_nothing_and_an_empty_text_stays_empty() {
        for sample in samples() {
            let event: Event = serde_json::from_value(sample).unwrap();
            assert_eq!(erased(&erased(&event)), erased(&event));
        }
        let closed = Event::Closed {
            note: String::new(),
            forced_reason: None,
        };
        assert_eq!(erased(&closed), closed);
        let redaction = Event::Redacted {
            reason: "the customer's request".into(),
            entries: vec![],
        };
        assert_eq!(erased(&redaction), redaction, "the redaction itself stays whole");
    }
}
