//! What a redaction erases from a timeline entry: its free texts, keeping ids, times, stages, severity, people and amounts.
//!
//! A customer's erasure request is served on the timeline itself (see
//! [`super::timeline::Event::Redacted`]): each entry keeps its place, its stored hash and its
//! link, and loses what people typed. Every variant is listed, without a catch-all, so a new
//! kind of entry must say what of it is free text before it compiles.

use chrono::{DateTime, Utc};

use super::approval::AgreementEvent;
use super::decide::Op;
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
    /// A Slack call still queued for the trouble (the bot stopped before it went) holds the
    /// entry's text: it would post it after the redaction.
    StillQueued(u64),
}

/// What `trouble-bot redact` writes for one trouble, in one write: the named entries as they
/// become, and the entry recording it appended to the chain, with the trouble counting it.
#[derive(Debug)]
pub struct Redaction {
    pub trouble: Trouble,
    /// The named entries erased and marked redacted, their `hash` and `prev` as written.
    pub erased: Vec<Entry>,
    /// The `Redacted` entry naming each with the hash of what it holds now.
    pub entry: Entry,
}

/// Erases the free texts of `t`'s entries `seqs` (its `timeline`, read with it), recorded by
/// a `Redacted` entry at `now` by nobody (the administrator): refused, with nothing written,
/// unless `verify` accepts the trouble afterwards exactly as it accepts it now. So only an
/// entry whose texts the record does not repeat qualifies (a note, a severity change's or a
/// reopening's reason, …): the record check tells, as `verify` runs it. `queued` are the
/// trouble's Slack calls not made yet: one holding a text to erase is refused too.
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
    let mut seqs = seqs.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    if seqs.is_empty() {
        return Err(Refusal::NoEntries);
    }
    verify_trouble(t, timeline).map_err(Refusal::Broken)?;
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
        if holds_a_text_of(queued, &e.event) {
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
    let mut trouble = t.clone();
    trouble.timeline_len += 1;
    trouble.timeline_head = entry.hash.clone();
    after.push(entry.clone());
    // What verify will say of it: the same as of the trouble before, or nothing is written.
    verify_trouble(&trouble, &after).map_err(Refusal::Broken)?;
    let erased = seqs.iter().map(|&seq| after[seq as usize].clone()).collect();
    Ok(Redaction { trouble, erased, entry })
}

/// Whether one of the calls `queued` holds one of `event`'s texts (as serde writes it).
fn holds_a_text_of(queued: &[Op], event: &Event) -> bool {
    let calls: Vec<String> = queued
        .iter()
        .map(|op| serde_json::to_string(op).unwrap_or_default())
        .collect();
    let mut found = false;
    each_text(&mut event.clone(), &mut |text| {
        let quoted = serde_json::to_string(text.as_str()).unwrap_or_default();
        let written = quoted.trim_matches('"');
        found |= !written.is_empty() && calls.iter().any(|c| c.contains(written));
    });
    found
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
        StepEvent::Cause { text, escape } => {
            f(text);
            some(f, escape);
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
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
    fn trouble_after(commands: Vec<(&str, crate::trouble::command::Command)>) -> (Trouble, Vec<Entry>) {
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
