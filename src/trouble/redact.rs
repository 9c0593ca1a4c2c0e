//! What a redaction erases from a timeline entry: its free texts, keeping ids, times, stages, severity, people and amounts.
//!
//! A customer's erasure request is served on the timeline itself (see
//! [`super::timeline::Event::Redacted`]): each entry keeps its place, its stored hash and its
//! link, and loses what people typed. Every variant is listed, without a catch-all, so a new
//! kind of entry must say what of it is free text before it compiles.

use super::approval::AgreementEvent;
use super::facts::StepEvent;
use super::timeline::Event;

/// What an erased text reads as. Never empty, so a text that was given still reads as given
/// (a note, a reason) and one that was not stays empty: erasing twice changes nothing.
pub const ERASED: &str = "[redacted]";

fn erase(s: &mut String) {
    if !s.is_empty() {
        *s = ERASED.to_string();
    }
}

fn erase_some(s: &mut Option<String>) {
    if let Some(s) = s {
        erase(s);
    }
}

/// `event` with its free texts erased: the customer and summary, notes, updates told to the
/// customer, reasons, facts, scope, cause, actions, measures, cost notes. Kept: ids, times,
/// stages, severity, people (ids and the names Slack gave), departments, amounts and payers,
/// shares, channel names and Slack's error codes.
pub fn erased(event: &Event) -> Event {
    let mut e = event.clone();
    match &mut e {
        Event::Opened { customer, summary, .. } => {
            erase(customer);
            erase(summary);
        }
        Event::StageStarted { note, .. } | Event::StageDone { note, .. } => erase(note),
        Event::Note { text } | Event::CustomerUpdate { text, .. } | Event::MeasureAdded { text } => erase(text),
        Event::UpdateWithdrawn { reason, .. }
        | Event::SplitSet { reason, .. }
        | Event::SeverityChanged { reason, .. } => erase(reason),
        Event::CostAdded { note, .. } => erase(note),
        Event::Closed { note, forced_reason } => {
            erase(note);
            erase_some(forced_reason);
        }
        Event::Stage(step) => erase_step(step),
        Event::Agreement(a) => erase_agreement(a),
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
        Event::TeamLinesWithdrawn { org_name, .. } | Event::NoticesWithdrawn { org_name, .. } => erase_some(org_name),
        // The administrator's own record, kept whole: the entries it names verify by it.
        Event::Redacted { .. } => {}
    }
    e
}

fn erase_step(step: &mut StepEvent) {
    match step {
        StepEvent::Fact { value, .. } => erase(value),
        StepEvent::FactSuperseded { old, value, .. } => {
            erase(old);
            erase(value);
        }
        StepEvent::ScopeAdded { text, .. } | StepEvent::ActionAdded { text, .. } => erase(text),
        StepEvent::MeasureElsewhere { text, .. } => erase(text),
        StepEvent::ScopeChecked { note, .. }
        | StepEvent::ActionDone { note, .. }
        | StepEvent::ActionVerified { note, .. }
        | StepEvent::CostSuperseded { note, .. } => erase(note),
        StepEvent::Cause { text, escape } => {
            erase(text);
            erase_some(escape);
        }
        StepEvent::CauseSuperseded {
            old,
            old_escape,
            text,
            escape,
        } => {
            erase(old);
            erase_some(old_escape);
            erase(text);
            erase_some(escape);
        }
        StepEvent::ActionCorrected { change, .. } => {
            if let Some(text) = &mut change.text {
                erase(&mut text.from);
                erase(&mut text.to);
            }
        }
        StepEvent::ActionCancelled { reason, .. }
        | StepEvent::Reopened { reason, .. }
        | StepEvent::SplitSuperseded { reason, .. } => erase(reason),
        StepEvent::Recurrence { customer, .. } => erase_some(customer),
        StepEvent::CustomerCorrected { from, to } | StepEvent::SummaryCorrected { from, to } => {
            erase(from);
            erase(to);
        }
        StepEvent::Returned { .. }
        | StepEvent::ReturnReminded
        | StepEvent::ActionReminded { .. }
        | StepEvent::ActionReminderWithdrawn { .. }
        | StepEvent::EffectAsked { .. }
        | StepEvent::EffectAnswered { .. } => {}
    }
}

fn erase_agreement(a: &mut AgreementEvent) {
    match a {
        AgreementEvent::Approved { note, .. }
        | AgreementEvent::Rejected { note, .. }
        | AgreementEvent::Agreed { note, .. } => erase(note),
        AgreementEvent::AgreedWithdrawn { reason, .. } => erase(reason),
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
