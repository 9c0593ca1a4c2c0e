//! The trouble record read against its timeline: what the entries say the record must hold.
//!
//! The hash chain guards the entries, but reports also read the record (who acknowledged and
//! when, the stages, what the customer was told, the split, the costs, the closure, the names
//! people are shown by, the 8D's facts, scope, cause and actions, which go to the customer;
//! who opened it, the departments taking part, what the opening said before a correction,
//! when each stage started).
//! An edit of
//! the record in the store would change the report while every entry still checks, so the
//! facts the timeline establishes are replayed from it and compared with the record.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::actions::Action;
use super::approval::{AgreementEvent, Proposal, ProposalState};
use super::facts::{Cause, FactKey, Facts, Mark, Reopening, Returned, ScopeLine, StepEvent, Substance, Written};
use super::model::{
    Acknowledgement, AsReported, Closure, Cost, CustomerUpdate, KnownName, Measure, Severity, Split, StageId,
    StageState, Trouble, UserId, Withdrawal, STAGE_COUNT,
};
use super::timeline::{verify_chain, Break, Entry, Event};

/// A part of the trouble record that its timeline establishes, named when the two disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The customer, the summary, when it was opened and whether it is private.
    Opening,
    Severity,
    Owner,
    Manager,
    Acknowledgement,
    /// Which stages are done, by whom and when, and the notes given with them.
    Stages,
    CustomerUpdates,
    Split,
    Costs,
    Closure,
    /// The names the report and the 8D show for people.
    Names,
    /// The split and cost proposals: who proposed, who approved or rejected, what the
    /// customer agreed to.
    Proposals,
    /// What the 8D tells the customer: the facts, the returned goods, the scope, the cause and
    /// the actions with who did and verified them and whether they worked.
    Substance,
    /// Prevention measures recorded before actions existed.
    Measures,
    /// The people `add` made participants (and `remove` took off): who may see a private
    /// trouble, and who is asked about it.
    Added,
    /// The departments named at open and those `add` (or a lowered severity) brought in: whose
    /// members take part (see a private trouble, are asked, may verify an action).
    Departments,
    /// When it was reopened, and who reopened it last and why: the kickoff, the managers' DMs
    /// and the notices of its opening say so, and the first call is judged by them.
    Reopenings,
}

/// Checks the timeline's chain against the head the trouble records, then the record against
/// what the timeline says: what `verify`, `export` and the posted report rely on.
pub fn verify_trouble(t: &Trouble, entries: &[Entry]) -> Result<(), Break> {
    verify_chain(entries, t.timeline_len, &t.timeline_head)?;
    match differs(t, entries) {
        None => Ok(()),
        Some(fact) => Err(Break::record_differs(t.timeline_len.saturating_sub(1), fact)),
    }
}

/// The record as its timeline tells it, fact by fact.
#[derive(Default)]
struct Told {
    opening: Option<(String, String, DateTime<Utc>)>,
    /// Who opened it: the owner the opening named (a hand-over changes the owner only).
    opened_by: Option<UserId>,
    /// The customer and summary as the first correction of either found them.
    as_reported: Option<AsReported>,
    /// The departments the opening pinged and how many of them were named (None when an
    /// earlier release's entry does not say), then those added since, in order.
    departments: (Vec<String>, Option<usize>, Vec<String>),
    /// Whether it is private, when the opening's entry says (an earlier release's does not).
    private: Option<bool>,
    severity: Option<Severity>,
    owner: Option<UserId>,
    /// Each hand-over's former owner, in turn, once each.
    former_owners: Vec<UserId>,
    manager: Option<UserId>,
    ack: Option<Acknowledgement>,
    done: [Option<(UserId, DateTime<Utc>)>; STAGE_COUNT],
    /// When each stage was first worked on: at the opening (stage 1), its `start`, its `done`,
    /// the previous stage's `done` (the next one not done starts), or what it records.
    started: [Option<DateTime<Utc>>; STAGE_COUNT],
    stage_notes: [Vec<String>; STAGE_COUNT],
    updates: Vec<CustomerUpdate>,
    split: Option<Split>,
    costs: Vec<Cost>,
    closed: Option<Closure>,
    names: BTreeMap<UserId, KnownName>,
    proposals: Vec<Proposal>,
    substance: Substance,
    /// An entry gave lots without saying whether they replaced the list (written before that
    /// was recorded): the record's lots can then only be checked to be among those given.
    lots_unsure: bool,
    measures: Vec<Measure>,
    added: Vec<UserId>,
    /// When it was reopened, oldest first, and the latest reopening whole.
    reopenings: Vec<DateTime<Utc>>,
    reopening: Option<Reopening>,
    /// The causes the record may hold if an earlier release recorded the cause before the
    /// timeline's last cause entry: that release named whoever gave the cause last as its
    /// recorder of both parts, and this one keeps the authors from there on. Each is what one
    /// moment of the upgrade would leave, duplicates dropped; only an earlier release's entry
    /// (before the first that says `authors_kept`) may be the last it wrote, so a trouble whose
    /// cause entries this release wrote all is held to their authors exactly.
    causes_across_upgrade: Vec<Cause>,
    /// A cause entry of this release has come: no earlier release wrote after it.
    cause_authors_kept: bool,
}

/// The first fact the record holds otherwise than its timeline says; None when they agree.
pub fn differs(t: &Trouble, entries: &[Entry]) -> Option<Fact> {
    let told = replay(entries);
    let done: Vec<Option<(UserId, DateTime<Utc>)>> = t
        .stages
        .iter()
        .map(|s| match (s.state, &s.done_by, s.done_at) {
            (StageState::Done, Some(by), Some(at)) => Some((by.clone(), at)),
            // Done without saying by whom: no entry says that.
            (StageState::Done, ..) => Some((UserId::new(""), DateTime::<Utc>::MIN_UTC)),
            _ => None,
        })
        .collect();
    let checks = [
        (
            Fact::Opening,
            told.opening == Some((t.customer.clone(), t.summary.clone(), t.opened_at))
                && told.private.is_none_or(|private| t.private == Some(private))
                && told.as_reported == t.as_reported
                // A trouble stored before who opened it was kept names none.
                && t.origin.by.as_ref().is_none_or(|by| told.opened_by.as_ref() == Some(by)),
        ),
        (Fact::Severity, told.severity == Some(t.severity)),
        // Who owned it before decides who may never overrule it: the record names them as the
        // hand-overs did, or none at all (a record an earlier release kept, which named none).
        (
            Fact::Owner,
            told.owner.as_ref() == Some(&t.owner)
                && (t.former_owners == told.former_owners || t.former_owners.is_empty()),
        ),
        (Fact::Manager, told.manager == t.manager),
        (Fact::Acknowledgement, told.ack == t.ack),
        (
            Fact::Stages,
            told.done[..] == done[..]
                && t.stages.iter().map(|s| &s.notes).eq(told.stage_notes.iter())
                && t.stages.iter().map(|s| s.started_at).eq(told.started),
        ),
        (Fact::CustomerUpdates, told.updates == t.customer_updates),
        (Fact::Split, told.split == t.split),
        (Fact::Costs, told.costs == t.costs),
        (Fact::Closure, told.closed == t.closed),
        (Fact::Names, told.names == t.names),
        (Fact::Proposals, told.proposals == t.agreement.proposals),
        (Fact::Substance, same_substance(&told, &t.substance)),
        (Fact::Measures, told.measures == t.measures),
        (Fact::Added, told.added == t.added),
        (Fact::Departments, same_departments(&told.departments, &t.departments)),
        (Fact::Reopenings, same_reopenings(&told, &t.substance)),
    ];
    checks.into_iter().find(|(_, agrees)| !agrees).map(|(fact, _)| fact)
}

/// The record's departments are those the opening named, then those added since. An opening
/// an earlier release wrote does not say how many it named: they are then some first ones of
/// those it pinged (the others its severity brought).
fn same_departments((pinged, named, added): &(Vec<String>, Option<usize>, Vec<String>), record: &[String]) -> bool {
    let Some(at_open) = record.len().checked_sub(added.len()) else {
        return false;
    };
    let (opening, since) = record.split_at(at_open);
    since == &added[..]
        && match named {
            Some(n) => pinged.get(..*n) == Some(opening),
            None => pinged.starts_with(opening),
        }
}

/// Who wrote the terms an entry sets: those a rejected correction restored are their writer's
/// (`restored`); a correction's, and a restoration written by an earlier release (which kept
/// the rejecter as their writer), are the entry's actor's, at its time.
fn written(restored: Option<&Written>, by: UserId, at: DateTime<Utc>) -> (UserId, DateTime<Utc>) {
    match restored {
        Some(w) => (w.by.clone(), w.at),
        None => (by, at),
    }
}

impl Told {
    /// Stage `stage` worked on from `at`, unless it was already.
    fn start(&mut self, stage: StageId, at: DateTime<Utc>) {
        self.started[stage.index()].get_or_insert(at);
    }

    /// Before the first correction of the opening: its words as reported.
    fn keep_as_reported(&mut self) {
        if let (None, Some((customer, summary, _))) = (&self.as_reported, &self.opening) {
            self.as_reported = Some(AsReported {
                customer: customer.clone(),
                summary: summary.clone(),
            });
        }
    }
}

/// The stage recording `step` starts (its substance: facts and returned goods, scope, cause,
/// actions), as the core starts it quietly.
fn started_by(step: &StepEvent) -> Option<StageId> {
    match step {
        StepEvent::Fact { .. } | StepEvent::FactSuperseded { .. } | StepEvent::Returned { .. } => Some(StageId::Facts),
        StepEvent::ScopeAdded { .. } => Some(StageId::Scope),
        StepEvent::Cause { .. } | StepEvent::CauseSuperseded { .. } => Some(StageId::Cause),
        StepEvent::ActionAdded { kind, .. } => Some(kind.stage()),
        _ => None,
    }
}

fn replay(entries: &[Entry]) -> Told {
    let mut told = Told::default();
    for e in entries {
        // Every entry that sets a fact of the record was written by someone.
        let by = e.actor.clone().unwrap_or_else(|| UserId::new(""));
        let at = e.at;
        match &e.event {
            Event::Opened {
                customer,
                summary,
                severity,
                owner,
                manager,
                departments,
                named,
                private,
            } => {
                told.opening = Some((customer.clone(), summary.clone(), at));
                told.opened_by = Some(owner.clone());
                told.departments = (departments.clone(), *named, Vec::new());
                told.start(StageId::Facts, at);
                told.private = *private;
                told.severity = Some(*severity);
                told.owner = Some(owner.clone());
                told.manager = manager.clone();
            }
            Event::SeverityChanged { to, .. } => told.severity = Some(*to),
            Event::OwnerChanged { from, to, actions } => {
                told.owner = Some(to.clone());
                if !told.former_owners.contains(from) {
                    told.former_owners.push(from.clone());
                }
                for n in actions {
                    if let Some(a) = told.substance.actions.get_mut(n.wrapping_sub(1)) {
                        a.owner = to.clone();
                    }
                }
            }
            Event::ManagerChanged { to, .. } => told.manager = Some(to.clone()),
            Event::Acknowledged { by: who, .. } => {
                told.ack = Some(Acknowledgement {
                    by: who.clone(),
                    at,
                    wait_untold: false,
                })
            }
            Event::AcknowledgementWithdrawn { .. } => told.ack = None,
            Event::StageDone { stage, note } => {
                told.start(*stage, at);
                told.done[stage.index()] = Some((by, at));
                noted(&mut told.stage_notes[stage.index()], note);
                // The next stage not done is worked on from then.
                if let Some(next) = StageId::all().find(|s| told.done[s.index()].is_none()) {
                    told.start(next, at);
                }
            }
            Event::StageStarted { stage, note } => {
                told.start(*stage, at);
                told.done[stage.index()] = None;
                noted(&mut told.stage_notes[stage.index()], note);
            }
            Event::CustomerUpdate {
                text,
                promised_next,
                promised_zone,
            } => told.updates.push(CustomerUpdate {
                text: text.clone(),
                by,
                at,
                promised_next: *promised_next,
                promised_zone: promised_zone.clone(),
                withdrawn: None,
            }),
            Event::UpdateWithdrawn { n, reason } => {
                if let Some(u) = told.updates.get_mut(n.wrapping_sub(1)) {
                    u.withdrawn = Some(Withdrawal {
                        by,
                        at,
                        reason: reason.clone(),
                    });
                }
            }
            Event::SplitSet {
                ours,
                customer,
                other,
                reason,
            } => {
                told.start(StageId::Split, at);
                told.split = Some(Split {
                    ours: *ours,
                    customer: *customer,
                    other: *other,
                    reason: reason.clone(),
                    by,
                    at,
                })
            }
            Event::Stage(StepEvent::SplitSuperseded {
                ours,
                customer,
                other,
                reason,
                restored,
                ..
            }) => {
                let (by, at) = written(restored.as_deref(), by, at);
                told.split = Some(Split {
                    ours: *ours,
                    customer: *customer,
                    other: *other,
                    reason: reason.clone(),
                    by,
                    at,
                })
            }
            Event::CostAdded { amount, payer, note } => {
                told.start(StageId::Cost, at);
                told.costs.push(Cost {
                    amount: amount.clone(),
                    payer: payer.clone(),
                    note: note.clone(),
                    by,
                    at,
                })
            }
            Event::Stage(StepEvent::CostSuperseded {
                n,
                amount,
                payer,
                note,
                restored,
                ..
            }) => {
                let (by, at) = written(restored.as_deref(), by, at);
                let cost = Cost {
                    amount: amount.clone(),
                    payer: payer.clone(),
                    note: note.clone(),
                    by,
                    at,
                };
                match told.costs.get_mut(n.wrapping_sub(1)) {
                    Some(c) => *c = cost,
                    // A correction of a cost no entry added: the record cannot agree.
                    None => told.costs.push(cost),
                }
            }
            Event::Closed { note, forced_reason } => {
                told.closed = Some(Closure {
                    by,
                    at,
                    note: note.clone(),
                    forced_reason: forced_reason.clone(),
                })
            }
            Event::NamesLearned { names } => {
                for (id, name) in names {
                    let known = KnownName { name: name.clone(), at };
                    told.names.insert(id.clone(), known);
                }
            }
            Event::Agreement(event) => replay_agreement(&mut told.proposals, event, by, at),
            Event::ParticipantsAdded { users, departments } => {
                told.added.extend(users.iter().cloned());
                told.departments.2.extend(departments.iter().cloned());
            }
            Event::ParticipantsRemoved { users } => told.added.retain(|u| !users.contains(u)),
            Event::MeasureAdded { text } => told.measures.push(Measure {
                text: text.clone(),
                by,
                at,
            }),
            Event::Stage(StepEvent::Reopened { reason, not_effective }) => {
                told.reopenings.push(at);
                told.reopening = Some(Reopening {
                    by,
                    at,
                    reason: reason.clone(),
                    not_effective: *not_effective,
                });
                told.substance.closed_before = told.closed.take().map(|c| c.at);
                // Open again at stage 4: it and stage 7 are to be done again.
                for stage in [StageId::Countermeasures, StageId::Prevention] {
                    told.done[stage.index()] = None;
                }
            }
            Event::Stage(StepEvent::Fact {
                key: FactKey::Lot,
                lots_replaced: None,
                value,
            }) => {
                told.start(StageId::Facts, at);
                told.lots_unsure = true;
                told.substance.facts.set(FactKey::Lot, value, false);
            }
            // `fix customer` / `fix summary`: what was given at open, corrected.
            Event::Stage(StepEvent::CustomerCorrected { to, .. }) => {
                told.keep_as_reported();
                if let Some(opening) = told.opening.as_mut() {
                    opening.0 = to.clone();
                }
            }
            Event::Stage(StepEvent::SummaryCorrected { to, .. }) => {
                told.keep_as_reported();
                if let Some(opening) = told.opening.as_mut() {
                    opening.1 = to.clone();
                }
            }
            Event::Stage(step) => {
                if let Some(stage) = started_by(step) {
                    told.start(stage, at);
                }
                if let StepEvent::Cause {
                    text,
                    escape,
                    authors_kept,
                }
                | StepEvent::CauseSuperseded {
                    text,
                    escape,
                    authors_kept,
                    ..
                } = step
                {
                    told.cause_authors_kept |= *authors_kept;
                    let earlier = (!told.cause_authors_kept).then(|| Cause {
                        text: text.clone(),
                        escape: escape.clone(),
                        by: by.clone(),
                        at,
                        escape_by: None,
                    });
                    let mut causes: Vec<Cause> = earlier.into_iter().collect();
                    for c in &told.causes_across_upgrade {
                        let c = Cause::recorded(Some(c), text.clone(), escape.clone(), &by, at);
                        if !causes.contains(&c) {
                            causes.push(c);
                        }
                    }
                    told.causes_across_upgrade = causes;
                }
                replay_step(&mut told.substance, step, by, at)
            }
            _ => {}
        }
    }
    told
}

/// The 8D's substance as its timeline tells it: the facts set as the command or the form set
/// them (an older entry of lots: see [`Told::lots_unsure`]).
fn replay_step(s: &mut Substance, step: &StepEvent, by: UserId, at: DateTime<Utc>) {
    s.corrections.extend(super::facts::corrections_in(step, &by, at));
    let mark = |note: &String| {
        Some(Mark {
            by: by.clone(),
            at,
            note: note.clone(),
        })
    };
    match step {
        StepEvent::Fact {
            key,
            value,
            lots_replaced,
        } => s.facts.set(*key, value, *lots_replaced == Some(true)),
        StepEvent::FactSuperseded { key, value, .. } => s.facts.set(*key, value, true),
        StepEvent::Returned { state, qty, tracking } => {
            s.returned = Some(Returned {
                state: *state,
                qty: qty.clone(),
                tracking: tracking.clone(),
                by,
                at,
                round: 0,
            })
        }
        StepEvent::ScopeAdded { text, .. } => s.scope.push(ScopeLine {
            text: text.clone(),
            by,
            at,
            checked: None,
        }),
        StepEvent::ScopeChecked { n, note } => {
            if let Some(line) = s.scope.get_mut(n.wrapping_sub(1)) {
                line.checked = mark(note);
            }
        }
        StepEvent::Cause { text, escape, .. } | StepEvent::CauseSuperseded { text, escape, .. } => {
            s.cause = Some(Cause::recorded(s.cause.as_ref(), text.clone(), escape.clone(), &by, at))
        }
        StepEvent::ActionAdded {
            kind,
            text,
            owner,
            due,
            check,
            ..
        } => s.actions.push(Action {
            kind: *kind,
            text: text.clone(),
            owner: owner.clone(),
            due: *due,
            check: *check,
            by: by.clone(),
            at,
            done: None,
            verified: None,
            effective: None,
            judged: None,
            cancelled: None,
            round: 0,
        }),
        StepEvent::ActionDone { n, note } => {
            if let Some(a) = s.actions.get_mut(n.wrapping_sub(1)) {
                a.done = mark(note);
            }
        }
        StepEvent::ActionVerified { n, note } => {
            if let Some(a) = s.actions.get_mut(n.wrapping_sub(1)) {
                a.verified = mark(note);
            }
        }
        StepEvent::ActionCorrected { n, change } => {
            if let Some(a) = s.actions.get_mut(n.wrapping_sub(1)) {
                change.apply(a);
            }
        }
        StepEvent::ActionCancelled { n, reason } => {
            if let Some(a) = s.actions.get_mut(n.wrapping_sub(1)) {
                a.cancelled = mark(reason);
            }
        }
        StepEvent::EffectAnswered { n, effective } => {
            if let Some(a) = s.actions.get_mut(n.wrapping_sub(1)) {
                a.effective = Some(*effective);
                a.judged = mark(&String::new());
            }
        }
        _ => {}
    }
}

/// The record's substance agrees with the replayed one: every part equal but the counters only
/// the bot keeps (reminder rounds, reopenings, recurrences already flagged), and the lots, when
/// an older entry leaves them unsure, each among the lots the entries gave.
fn same_substance(told: &Told, record: &Substance) -> bool {
    let (lots_unsure, causes_across_upgrade, told) = (told.lots_unsure, &told.causes_across_upgrade, &told.substance);
    let facts_but_lots = |f: &Facts| Facts {
        lots: Vec::new(),
        ..f.clone()
    };
    let returned = |r: &Option<Returned>| {
        r.as_ref()
            .map(|r| (r.state, r.qty.clone(), r.tracking.clone(), r.by.clone(), r.at))
    };
    facts_but_lots(&told.facts) == facts_but_lots(&record.facts)
        && if lots_unsure {
            record.facts.lots.iter().all(|lot| told.facts.lots.contains(lot))
        } else {
            record.facts.lots == told.facts.lots
        }
        && returned(&told.returned) == returned(&record.returned)
        // A reopening an earlier release recorded kept no earlier close's date.
        && record.closed_before.is_none_or(|at| told.closed_before == Some(at))
        // Corrections an earlier release made were not kept on the record: only the latest are.
        && told.corrections.ends_with(&record.corrections)
        && told.scope == record.scope
        && (told.cause == record.cause
            || record.cause.as_ref().is_some_and(|c| causes_across_upgrade.contains(c)))
        && told.actions.len() == record.actions.len()
        && told.actions.iter().zip(&record.actions).all(|(told, record)| {
            // An effectiveness answer an earlier release recorded does not say who gave it.
            let judged = if record.judged.is_none() {
                None
            } else {
                told.judged.clone()
            };
            Action { judged, ..told.clone() } == *record
        })
}

/// The record's reopenings are the latest the timeline tells, the last of them whole, or none
/// (those an earlier release recorded were not kept; the last one's time, when kept alone, is
/// the timeline's last).
fn same_reopenings(told: &Told, record: &Substance) -> bool {
    let latest = match (record.reopenings.is_empty(), &record.reopening) {
        (true, None) => true,
        (false, Some(r)) => told.reopening.as_ref() == Some(r),
        _ => false,
    };
    latest
        && told.reopenings.ends_with(&record.reopenings)
        && record.reopened_at.is_none_or(|at| told.reopenings.last() == Some(&at))
}

/// A note given with a stage's start or completion is kept with the stage (an empty one is none).
fn noted(notes: &mut Vec<String>, note: &str) {
    if !note.is_empty() {
        notes.push(note.to_string());
    }
}

/// A proposal's life as the timeline tells it: proposed (the earlier one for the same item
/// superseded), then approved or rejected, then agreed by the customer.
fn replay_agreement(proposals: &mut Vec<Proposal>, event: &AgreementEvent, by: UserId, at: DateTime<Utc>) {
    let decided = |note: &String| Mark {
        by: by.clone(),
        at,
        note: note.clone(),
    };
    let state = match event {
        AgreementEvent::Proposed {
            n,
            item,
            level,
            crossed,
            ..
        } => {
            for p in proposals.iter_mut().filter(|p| p.item == *item) {
                p.state = ProposalState::Superseded;
            }
            proposals.push(Proposal {
                n: *n,
                item: *item,
                by: by.clone(),
                at,
                level: *level,
                crossed: crossed.clone(),
                state: ProposalState::Proposed,
            });
            return;
        }
        AgreementEvent::Approved { n, note } => (
            n,
            ProposalState::Approved {
                approved: decided(note),
            },
        ),
        AgreementEvent::Rejected { n, note } => (
            n,
            ProposalState::Rejected {
                rejected: decided(note),
            },
        ),
        AgreementEvent::Restored { was, state, .. } => (was, state.clone()),
        AgreementEvent::AgreedWithdrawn { n, .. } => {
            match n.checked_sub(1).and_then(|i| proposals.get(i)).map(|p| &p.state) {
                Some(ProposalState::Agreed { approved, .. }) => (
                    n,
                    ProposalState::Approved {
                        approved: approved.clone(),
                    },
                ),
                _ => return,
            }
        }
        AgreementEvent::Agreed { n, note } => {
            let approved = match n.checked_sub(1).and_then(|i| proposals.get(i)).map(|p| &p.state) {
                Some(ProposalState::Approved { approved }) => approved.clone(),
                // Agreed to what was never approved: the record cannot agree.
                _ => decided(&String::new()),
            };
            let agreed = decided(note);
            (n, ProposalState::Agreed { approved, agreed })
        }
    };
    let (n, state) = state;
    if let Some(p) = n.checked_sub(1).and_then(|i| proposals.get_mut(i)) {
        p.state = state;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::model::TroubleId;

    /// A restoration entry as a release before `restored` wrote it (no such key) still reads,
    /// hashes as it was written, and replays its cost as written by the entry's actor (the
    /// rejecter, as that release recorded it); one that carries `restored` replays it as its
    /// writer's.
    #[test]
    fn a_restoration_written_by_an_earlier_release_replays_as_its_actors() {
        let id = TroubleId::new("20261130-1");
        let (wrote, rejected) = (
            DateTime::parse_from_rfc3339("2026-11-30T01:00:00Z").unwrap().to_utc(),
            DateTime::parse_from_rfc3339("2026-11-30T02:00:00Z").unwrap().to_utc(),
        );
        let old = r#"{"type":"stage","step":"cost_superseded","n":1,"old_amount":"¥450,000","old_payer":"ours","amount":"¥120,000","payer":"ours","note":"replacement"}"#;
        let event: Event = serde_json::from_str(old).expect("an earlier release's entry reads");
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            old,
            "and hashes as it was written"
        );
        let added = Event::CostAdded {
            amount: "¥120,000".into(),
            payer: "ours".into(),
            note: "replacement".into(),
        };
        let first = Entry::new(&id, 0, "genesis", wrote, Some(UserId::new("U0SALES")), added);
        let old = Entry::new(&id, 1, &first.hash, rejected, Some(UserId::new("U0MANAGER")), event);
        let cost = replay(&[first.clone(), old]).costs[0].clone();
        assert_eq!((cost.by.as_str(), cost.at), ("U0MANAGER", rejected));

        let new = Event::Stage(StepEvent::CostSuperseded {
            n: 1,
            old_amount: "¥450,000".into(),
            old_payer: "ours".into(),
            amount: "¥120,000".into(),
            payer: "ours".into(),
            note: "replacement".into(),
            restored: Some(Box::new(Written {
                by: UserId::new("U0SALES"),
                at: wrote,
            })),
        });
        let new = Entry::new(&id, 1, &first.hash, rejected, Some(UserId::new("U0MANAGER")), new);
        let cost = replay(&[first, new]).costs[0].clone();
        assert_eq!((cost.by.as_str(), cost.at), ("U0SALES", wrote));
    }

    /// A cause an earlier release stored, whose escape point someone else added alone, names
    /// that person as its recorder and has no `escape_by`: it still reads, and still agrees with
    /// its timeline, which now tells the cause as its author's; so does one this release
    /// changed since. A recorder the timeline never tells does not agree.
    #[test]
    fn a_cause_an_earlier_release_stored_agrees_with_its_timeline() {
        let id = TroubleId::new("20261130-1");
        let at = |h: u32| {
            DateTime::parse_from_rfc3339(&format!("2026-11-30T0{h}:00:00Z"))
                .unwrap()
                .to_utc()
        };
        let entry = |n: u64, prev: &str, h: u32, by: &str, step: StepEvent| {
            Entry::new(&id, n, prev, at(h), Some(UserId::new(by)), Event::Stage(step))
        };
        let first = entry(
            0,
            "genesis",
            1,
            "U0QA1",
            StepEvent::Cause {
                text: "mold temperature drifted".into(),
                escape: None,
                authors_kept: false,
            },
        );
        let added = entry(
            1,
            &first.hash,
            2,
            "U0MANAGER",
            StepEvent::CauseSuperseded {
                old: "mold temperature drifted".into(),
                old_escape: None,
                text: "mold temperature drifted".into(),
                escape: Some("visual check only".into()),
                authors_kept: false,
            },
        );
        let stored = r#"{"text":"mold temperature drifted","escape":"visual check only","by":"U0MANAGER","at":"2026-11-30T02:00:00Z"}"#;
        let stored: Cause = serde_json::from_str(stored).expect("an earlier release's cause reads");
        assert_eq!(stored.escape_recorder().map(UserId::as_str), Some("U0MANAGER"));
        let agrees = |entries: &[Entry], cause: &Cause| {
            let record = Substance {
                cause: Some(cause.clone()),
                ..Substance::default()
            };
            same_substance(&replay(entries), &record)
        };
        let entries = [first.clone(), added.clone()];
        let told = replay(&entries).substance.cause.expect("a cause");
        assert_eq!(
            (told.by.as_str(), told.escape_recorder().map(UserId::as_str)),
            ("U0QA1", Some("U0MANAGER"))
        );
        assert!(agrees(&entries, &told) && agrees(&entries, &stored));
        let forged = Cause {
            by: UserId::new("U0DIRECTOR"),
            ..stored.clone()
        };
        assert!(!agrees(&entries, &forged));

        // This release corrects the escape point of the stored cause: its cause keeps the
        // recorder the record named.
        let corrected = entry(
            2,
            &added.hash,
            3,
            "U0SALES",
            StepEvent::CauseSuperseded {
                old: "mold temperature drifted".into(),
                old_escape: Some("visual check only".into()),
                text: "mold temperature drifted".into(),
                escape: Some("sampling too thin".into()),
                authors_kept: true,
            },
        );
        let now = Cause::recorded(
            Some(&stored),
            "mold temperature drifted".into(),
            Some("sampling too thin".into()),
            &UserId::new("U0SALES"),
            at(3),
        );
        assert_eq!(
            (now.by.as_str(), now.escape_by.as_ref().map(UserId::as_str)),
            ("U0MANAGER", Some("U0SALES"))
        );
        assert!(agrees(&[first, added, corrected], &now));
    }
}
