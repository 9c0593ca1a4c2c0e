//! The append-only timeline: every fact about a trouble, hash-chained so an edit or a removal shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Away, ChannelId, Severity, StageId, TroubleId, UserId};

/// The hash the first entry chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Opened {
        customer: String,
        summary: String,
        severity: Severity,
        owner: UserId,
        manager: Option<UserId>,
        /// The departments it pings: those named at open, then those its severity brings.
        departments: Vec<String>,
        /// How many of `departments` were named at open (the record keeps those: its severity
        /// brings the others while it lasts), so a department dropped from the record no longer
        /// verifies. None in an entry an earlier release wrote, which did not say.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        named: Option<usize>,
        /// Whether its channel is private, so its participants alone see it: on the timeline,
        /// so a record edited to hide a trouble (or show a private one) no longer verifies.
        /// None in an entry an earlier release wrote, which did not say.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private: Option<bool>,
    },
    ChannelCreated {
        channel: ChannelId,
        name: String,
    },
    ManagerPinged {
        manager: UserId,
    },
    Acknowledged {
        by: UserId,
        after_secs: i64,
    },
    Escalated {
        to: UserId,
        level: usize,
    },
    Repinged {
        to: UserId,
        count: u32,
    },
    /// `who` is away as their Slack status says: asked to acknowledge, the next one up was
    /// asked at once as well; nudged as the owner, their manager was.
    AwayInSlack {
        who: UserId,
        away: Away,
    },
    NobodyAnswered,
    StageStarted {
        stage: StageId,
        note: String,
    },
    StageDone {
        stage: StageId,
        note: String,
    },
    Note {
        text: String,
    },
    CustomerUpdate {
        text: String,
        promised_next: Option<DateTime<Utc>>,
        /// The customer's zone of the promise (see `CustomerUpdate`); absent from entries
        /// without one, so their hashes are those an earlier release wrote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        promised_zone: Option<String>,
    },
    /// Customer update `n` (1-based, counting every update logged) withdrawn: its entry stays,
    /// this one says it no longer counts as contact with the customer, nor its promise.
    UpdateWithdrawn {
        n: usize,
        reason: String,
    },
    NudgePosted {
        waited_secs: i64,
        manager_mentioned: bool,
    },
    /// The nudge decided before was not sent: by its turn to go, the customer had been updated
    /// (or the trouble closed), so the timeline does not claim a nudge nobody saw.
    NudgeWithdrawn {
        closed: bool,
    },
    SplitSet {
        ours: u8,
        customer: u8,
        other: u8,
        reason: String,
    },
    CostAdded {
        amount: String,
        payer: String,
        note: String,
    },
    MeasureAdded {
        text: String,
    },
    OwnerChanged {
        from: UserId,
        to: UserId,
        /// The former owner's actions not done yet, which went to the new owner with the
        /// trouble (their numbers). Absent from entries written before they did.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        actions: Vec<usize>,
    },
    ManagerChanged {
        from: Option<UserId>,
        to: UserId,
    },
    SeverityChanged {
        from: Severity,
        to: Severity,
        /// Why (needed for a lowering; absent from entries of an earlier release).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
    },
    /// `/trouble add`: people and departments made participants.
    ParticipantsAdded {
        users: Vec<UserId>,
        departments: Vec<String>,
    },
    /// `/trouble remove`: people added by mistake taken off the trouble and out of its channel.
    ParticipantsRemoved {
        users: Vec<UserId>,
    },
    Closed {
        note: String,
        forced_reason: Option<String>,
    },
    DeliveryFailed {
        method: String,
        error: String,
        /// Whom a DM refused for good was to (none in entries kept before it was recorded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<UserId>,
    },
    /// A DM reached `who`, an owner set aside as Slack had refused them a DM for good: they are
    /// DMed as ever again.
    OwnerReachedAgain {
        who: UserId,
    },
    /// The notice in the channel the trouble was opened from was refused for good (`error`):
    /// only the reporter heard, privately, so the timeline says the channel did not.
    OriginNoticeFailed {
        channel: ChannelId,
        error: String,
    },
    /// The acknowledgement by `by` no longer stands: they took the trouble over, and nobody
    /// acknowledges their own trouble (their chain is asked afresh).
    AcknowledgementWithdrawn {
        by: UserId,
    },
    /// The trouble's channel was archived (the entry's actor did it, when Slack said who).
    ChannelArchived,
    /// ... or unarchived.
    ChannelUnarchived,
    /// The bot was removed from the trouble's channel (the entry's actor did it).
    BotRemoved,
    /// ... or added back.
    BotReturned,
    /// The kickoff message was deleted, and posted again.
    KickoffDeleted,
    /// `user`, the owner or the manager, left the open trouble's channel and was added back:
    /// what the channel says to them would reach nobody there.
    AddedBack {
        user: UserId,
    },
    /// The pinned status message was deleted, and posted again.
    StatusDeleted,
    /// The kickoff was unpinned while the trouble was open (the entry's actor did it), and
    /// pinned again.
    KickoffUnpinned,
    /// ... or the status.
    StatusUnpinned,
    /// The trouble's channel was deleted (an open trouble gets a new one: `ChannelCreated`).
    ChannelDeleted {
        channel: ChannelId,
    },
    /// The entry's actor asked for the trouble's channel again after Slack refused to create
    /// it (`ChannelCreated` follows when Slack makes it, `DeliveryFailed` when it refuses again).
    ChannelAskedFor,
    /// The names Slack gave for people the report and the 8D name, which those texts show
    /// instead of their ids: on the timeline, so a name changed
    /// in the store shows as the record disagreeing with it.
    NamesLearned {
        names: std::collections::BTreeMap<UserId, String>,
    },
    /// The trouble's channel was found shared with another organisation (`org`, its Slack id
    /// when Slack said it): the lines posted there earlier for the team alone were withdrawn,
    /// `edited` to what the customer may read and `deleted`; `dropped` older ones were not kept.
    TeamLinesWithdrawn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<String>,
        /// `org`'s name, when Slack gave one (`team.info`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org_name: Option<String>,
        edited: u32,
        deleted: u32,
        #[serde(default, skip_serializing_if = "crate::trouble::model::is_zero")]
        dropped: u32,
    },
    /// `channel`, where the origin notice or an announcement of the trouble stood, was found
    /// shared with another organisation (`org`, its Slack id when Slack said it): `withdrawn`
    /// notices there were edited down to the trouble's id.
    NoticesWithdrawn {
        channel: ChannelId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<String>,
        /// `org`'s name, when Slack gave one (`team.info`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org_name: Option<String>,
        withdrawn: u32,
    },
    /// Facts, returned goods, scope, cause, actions, corrections, reopening (`facts.rs`).
    Stage(super::facts::StepEvent),
    /// Split and cost proposals, approvals, rejections and the customer's agreement.
    Agreement(super::approval::AgreementEvent),
    /// The administrator erased the free texts of earlier entries (`trouble-bot redact`):
    /// each keeps its stored hash and link, and `entries` holds, per seq, the hash of its
    /// redacted form, so a later edit of what it still holds (its time, people, amounts) shows.
    /// Only an entry a `Redacted` entry names verifies without its original content.
    Redacted {
        reason: String,
        entries: Vec<RedactedEntry>,
    },
}

/// An entry a [`Event::Redacted`] names: its seq and the hash of its content once redacted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedEntry {
    pub seq: u64,
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub trouble: TroubleId,
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub event: Event,
    pub prev: String,
    pub hash: String,
    /// Its free texts were erased by the administrator: `hash` is the one it was written with,
    /// which its content no longer gives (see [`Event::Redacted`]). Absent (false) from every
    /// entry not redacted, so their stored form is an earlier release's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

/// The content an entry's hash covers: everything but the hash itself.
#[derive(Serialize)]
struct Content<'a> {
    trouble: &'a TroubleId,
    seq: u64,
    at: &'a DateTime<Utc>,
    actor: &'a Option<UserId>,
    event: &'a Event,
}

pub fn hash_of(
    prev: &str,
    trouble: &TroubleId,
    seq: u64,
    at: &DateTime<Utc>,
    actor: &Option<UserId>,
    event: &Event,
) -> String {
    let content = serde_json::to_vec(&Content {
        trouble,
        seq,
        at,
        actor,
        event,
    })
    .expect("timeline content serializes");
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(&content);
    hex::encode(hasher.finalize())
}

impl Entry {
    pub fn new(
        trouble: &TroubleId,
        seq: u64,
        prev: &str,
        at: DateTime<Utc>,
        actor: Option<UserId>,
        event: Event,
    ) -> Entry {
        let hash = hash_of(prev, trouble, seq, &at, &actor, &event);
        Entry {
            trouble: trouble.clone(),
            seq,
            at,
            actor,
            event,
            prev: prev.to_string(),
            hash,
            redacted: false,
        }
    }

    pub fn recomputed_hash(&self) -> String {
        hash_of(&self.prev, &self.trouble, self.seq, &self.at, &self.actor, &self.event)
    }
}

/// Where a chain is broken, if it is.
#[derive(Debug, PartialEq, Eq)]
pub struct Break {
    pub seq: u64,
    pub why: &'static str,
    /// What is wrong there, for a report to say in its own language (`why` is `verify`'s).
    pub kind: BreakKind,
}

/// What is wrong with a chain at the entry a [`Break`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakKind {
    /// The entry there is not the one numbered so: one was removed or moved.
    Missing,
    /// The entry does not carry the hash of the entry before it.
    NotChained,
    /// The entry's content no longer has the hash it was written with.
    Changed,
    /// The trouble records more entries than there are.
    RemovedFromEnd,
    /// The last entry is not the chain head the trouble records.
    NotTheHead,
    /// The entry is marked redacted, but no later `Redacted` entry names it with its
    /// content as it is now: its content was changed, or the mark set by hand.
    RedactedUnnamed,
    /// Every entry checks, but the trouble's record holds this fact otherwise than they say
    /// (see [`super::replay`]).
    RecordDiffers(super::replay::Fact),
}

impl BreakKind {
    pub fn why(self) -> &'static str {
        match self {
            BreakKind::Missing => "an entry is missing or out of order",
            BreakKind::NotChained => "does not chain from the entry before it",
            BreakKind::Changed => "its content was changed after it was written",
            BreakKind::RemovedFromEnd => "entries were removed from the end",
            BreakKind::NotTheHead => "the last entry is not the recorded chain head",
            BreakKind::RedactedUnnamed => {
                "it is marked redacted, but no redaction entry names it as it is, or it still holds text a redaction erases"
            }
            BreakKind::RecordDiffers(_) => "the trouble's record differs from what its timeline says",
        }
    }
}

impl Break {
    pub(super) fn record_differs(seq: u64, fact: super::replay::Fact) -> Break {
        Break::at(seq, BreakKind::RecordDiffers(fact))
    }

    fn at(seq: u64, kind: BreakKind) -> Break {
        Break {
            seq,
            why: kind.why(),
            kind,
        }
    }
}

/// Checks entries in order against each other and against the head the trouble records.
/// A redacted entry is taken on its stored hash (its link still checks) only when a later,
/// intact `Redacted` entry names it with the hash of its content as it is now, and that content
/// holds no text a redaction would erase.
pub fn verify_chain(entries: &[Entry], expected_len: u64, expected_head: &str) -> Result<(), Break> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let seq = i as u64;
        if e.seq != seq {
            return Err(Break::at(seq, BreakKind::Missing));
        }
        if e.prev != prev {
            return Err(Break::at(seq, BreakKind::NotChained));
        }
        if e.redacted {
            // Erased as `redact` erases, or the mark would let any text be written in its
            // place and still pass as the administrator's redaction.
            let erased_only = super::redact::erased(&e.event) == e.event && super::redact::holds_erased_text(&e.event);
            if !named_redacted(e, &entries[i + 1..]) || !erased_only {
                return Err(Break::at(seq, BreakKind::RedactedUnnamed));
            }
        } else if e.recomputed_hash() != e.hash {
            return Err(Break::at(seq, BreakKind::Changed));
        }
        prev = e.hash.clone();
    }
    if entries.len() as u64 != expected_len {
        return Err(Break::at(entries.len() as u64, BreakKind::RemovedFromEnd));
    }
    if prev != expected_head {
        return Err(Break::at(expected_len.saturating_sub(1), BreakKind::NotTheHead));
    }
    Ok(())
}

/// Whether an intact entry among `later` (the redaction itself is never redacted: its own
/// hash checks) names redacted entry `e` with the hash its content gives now. The last such
/// entry counts: a redaction done again names the entry as the later one left it.
fn named_redacted(e: &Entry, later: &[Entry]) -> bool {
    let named = later.iter().rev().find_map(|l| match &l.event {
        Event::Redacted { entries, .. } if !l.redacted => entries.iter().find(|r| r.seq == e.seq),
        _ => None,
    });
    named.is_some_and(|r| r.hash == e.recomputed_hash())
}

/// The seqs of the redacted entries, for `verify` to name them (not a break).
pub fn redacted_seqs(entries: &[Entry]) -> Vec<u64> {
    entries.iter().filter(|e| e.redacted).map(|e| e.seq).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<Entry> {
        let id = TroubleId::new("20261127-1");
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|seq| {
                let e = Entry::new(
                    &id,
                    seq,
                    &prev,
                    DateTime::from_timestamp(1_800_000_000 + seq as i64, 0).unwrap(),
                    None,
                    Event::Note {
                        text: format!("fact {seq}"),
                    },
                );
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, 5, &c[4].hash), Ok(()));
    }

    #[test]
    fn edits_removals_and_truncation_are_caught() {
        let c = chain(5);
        let head = c[4].hash.clone();
        let mut edited = c.clone();
        edited[2].event = Event::Note {
            text: "softened".into(),
        };
        assert_eq!(verify_chain(&edited, 5, &head).unwrap_err().seq, 2);
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(verify_chain(&removed, 5, &head).unwrap_err().seq, 1);
        assert!(verify_chain(&c[..4], 5, &head).is_err());
    }

    /// What `trouble-bot redact` leaves: entry `seq`'s note erased, marked redacted with its
    /// stored hash kept, and a `Redacted` entry appended naming it with its new content's hash.
    fn redact(c: &[Entry], seq: usize) -> Vec<Entry> {
        let mut c = c.to_vec();
        c[seq].event = super::super::redact::erased(&c[seq].event);
        c[seq].redacted = true;
        let named = RedactedEntry {
            seq: seq as u64,
            hash: c[seq].recomputed_hash(),
        };
        let last = c.last().unwrap().clone();
        c.push(Entry::new(
            &last.trouble,
            last.seq + 1,
            &last.hash,
            last.at,
            None,
            Event::Redacted {
                reason: "customer's erasure request".into(),
                entries: vec![named],
            },
        ));
        c
    }

    #[test]
    fn a_redacted_entry_verifies_only_as_the_later_redaction_names_it() {
        let c = redact(&chain(5), 2);
        let head = c[5].hash.clone();
        assert_eq!(verify_chain(&c, 6, &head), Ok(()));
        assert_eq!(redacted_seqs(&c), vec![2]);

        // What the redaction kept, edited: its time.
        let mut edited = c.clone();
        edited[2].at += chrono::Duration::hours(1);
        assert_eq!(
            verify_chain(&edited, 6, &head).unwrap_err().kind,
            BreakKind::RedactedUnnamed
        );
        // Its erased text written back otherwise.
        let mut edited = c.clone();
        edited[2].event = Event::Note {
            text: "softened".into(),
        };
        assert_eq!(verify_chain(&edited, 6, &head).unwrap_err().seq, 2);
        // Its text written otherwise by whoever writes the redaction entry too: named, hashed,
        // and still no redaction, as a redaction leaves no text.
        let mut forged = c.clone();
        forged[2].event = Event::Note {
            text: "softened".into(),
        };
        let named = RedactedEntry {
            seq: 2,
            hash: forged[2].recomputed_hash(),
        };
        forged[5] = Entry::new(
            &forged[5].trouble,
            5,
            &forged[4].hash,
            forged[5].at,
            None,
            Event::Redacted {
                reason: "customer's erasure request".into(),
                entries: vec![named],
            },
        );
        let forged_head = forged[5].hash.clone();
        let b = verify_chain(&forged, 6, &forged_head).unwrap_err();
        assert_eq!((b.seq, b.kind), (2, BreakKind::RedactedUnnamed));
        // An entry with no text to erase marked redacted and named, its time moved: no redaction.
        let mut untexted = chain(5);
        untexted[3].event = Event::NobodyAnswered;
        untexted[3].hash = untexted[3].recomputed_hash();
        untexted[4].prev = untexted[3].hash.clone();
        untexted[4].hash = untexted[4].recomputed_hash();
        let mut untexted = redact(&untexted, 3);
        untexted[3].at += chrono::Duration::hours(1);
        let named = RedactedEntry {
            seq: 3,
            hash: untexted[3].recomputed_hash(),
        };
        if let Event::Redacted { entries, .. } = &mut untexted[5].event {
            *entries = vec![named];
        }
        untexted[5].hash = untexted[5].recomputed_hash();
        let untexted_head = untexted[5].hash.clone();
        let b = verify_chain(&untexted, 6, &untexted_head).unwrap_err();
        assert_eq!((b.seq, b.kind), (3, BreakKind::RedactedUnnamed));
        // Another entry marked redacted by hand, its text changed: nothing names it.
        let mut marked = c.clone();
        marked[3].event = Event::Note {
            text: "softened".into(),
        };
        marked[3].redacted = true;
        let b = verify_chain(&marked, 6, &head).unwrap_err();
        assert_eq!((b.seq, b.kind), (3, BreakKind::RedactedUnnamed));
        // An entry not marked, its content changed: changed, as ever.
        let mut changed = c.clone();
        changed[4].event = Event::Note {
            text: "softened".into(),
        };
        let b = verify_chain(&changed, 6, &head).unwrap_err();
        assert_eq!((b.seq, b.kind), (4, BreakKind::Changed));
        // The redaction entry itself edited to name another entry, or marked redacted.
        let mut forged = c.clone();
        if let Event::Redacted { entries, .. } = &mut forged[5].event {
            entries.push(RedactedEntry {
                seq: 3,
                hash: String::new(),
            });
        }
        assert_eq!(verify_chain(&forged, 6, &head).unwrap_err().seq, 5);
        let mut hidden = c.clone();
        hidden[5].redacted = true;
        assert_eq!(verify_chain(&hidden, 6, &head).unwrap_err().seq, 2);
        // The redacted entry's kept hash changed: the next entry no longer chains from it.
        let mut rehashed = c.clone();
        rehashed[2].hash = rehashed[2].recomputed_hash();
        assert_eq!(
            verify_chain(&rehashed, 6, &head).unwrap_err().kind,
            BreakKind::NotChained
        );
    }

    #[test]
    fn an_entry_of_an_earlier_release_reads_as_not_redacted_and_is_stored_as_it_was() {
        let e = &chain(1)[0];
        let json = serde_json::to_string(e).unwrap();
        assert!(!json.contains("redacted"), "{json}");
        let back: Entry = serde_json::from_str(&json).unwrap();
        assert!(!back.redacted);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let mut marked = e.clone();
        marked.redacted = true;
        let back: Entry = serde_json::from_str(&serde_json::to_string(&marked).unwrap()).unwrap();
        assert!(back.redacted);
    }
}
