//! Stages 5–6 kept in balance: a split or a cost is a proposal until the manager chain approves it (one level further up per approval limit crossed) and the customer agrees.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::decide::{chain_for, who_may, Act, Dest, Lane, Message, Op, Reply, Slot, Who, Work};
use super::facts::{Mark, Written};
use super::model::{Cost, PostedMessage, Split, StageId, StageState, Trouble, UserId};
use super::money::{Currency, Money, Payer};
use super::timeline::Event;
use crate::trouble::policy::Policy;

/// Every proposal of the trouble, numbered from 1 in the order they were made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct Agreements {
    #[serde(default)]
    pub proposals: Vec<Proposal>,
    /// The messages Slack holds that still show a proposal's Approve / Reject buttons (the
    /// channel's line, the DMs to approvers): edited once the proposal no longer waits, so no
    /// phone keeps a live button on a decided proposal. Not part of what the timeline replays.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asking: Vec<Asking>,
    /// Approved terms a correction waiting for approval would replace: a rejected correction
    /// restores them, so approved (or customer-accepted) money never drops out of every total.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standing: Vec<Standing>,
}

/// Proposal `was`'s terms (`value`, as `state` left them: approved or agreed), replaced by the
/// correction `correction` while it waits for a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub correction: usize,
    pub was: usize,
    pub state: ProposalState,
    pub value: Terms,
}

/// The terms a proposal stood for: a cost, or the split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "terms", rename_all = "snake_case")]
pub enum Terms {
    Cost { cost: Cost },
    Split { split: Split },
}

/// A message asking for a decision on proposal `n`, as Slack returned it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Asking {
    pub n: usize,
    /// A DM (it names the trouble and links its channel), not the channel's line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dm: bool,
    pub message: PostedMessage,
    /// What a DM says (`AgreementLine::NeedsYou`, or the channel's line held back from a
    /// shared channel), to edit it again with the trouble's current facts while it asks. None
    /// for the channel's line (which is not edited but to settle) and in DMs kept before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<Message>,
}

/// What a proposal is about: the split, or cost `#n` (1-based, as the status lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum Item {
    Split,
    Cost { n: usize },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub n: usize,
    pub item: Item,
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// How far up the manager chain the approver must be (0: the manager).
    pub level: usize,
    /// The limits our share crossed with this proposal counted: why `level` is above 0.
    pub crossed: Vec<Crossed>,
    pub state: ProposalState,
}

/// Our share in one currency against its configured limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossed {
    pub currency: Currency,
    pub ours: i64,
    pub limit: i64,
    /// `[approval_limits]` names other currencies but not this one: no limit was set for it, so
    /// the top of the chain decides (`limit` is then 0). Absent in records of earlier releases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unset: bool,
}

/// The level a proposal crossing `crossed` needs: one above the manager per currency over its
/// limit, and the top of the chain for a currency `[approval_limits]` sets no limit for
/// ([`approvers`] stops at the chain's last).
pub fn level_of(crossed: &[Crossed]) -> usize {
    if crossed.iter().any(|c| c.unset) {
        TOP_OF_THE_CHAIN
    } else {
        crossed.len()
    }
}

/// A level no chain reaches: its top decides.
pub const TOP_OF_THE_CHAIN: usize = 1000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Approved {
        approved: Mark,
    },
    Rejected {
        rejected: Mark,
    },
    /// Approved, then accepted by the customer (`/trouble agreed N`).
    Agreed {
        approved: Mark,
        agreed: Mark,
    },
    /// A later proposal for the same item (a correction or a new split) replaced it.
    Superseded,
}

impl ProposalState {
    /// Who decided it last: the approver or rejecter, or who recorded the customer's agreement.
    pub fn decided_by(&self) -> Option<&UserId> {
        match self {
            ProposalState::Approved { approved: m } | ProposalState::Rejected { rejected: m } => Some(&m.by),
            ProposalState::Agreed { agreed, .. } => Some(&agreed.by),
            ProposalState::Proposed | ProposalState::Superseded => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Approved { .. } => "approved",
            ProposalState::Rejected { .. } => "rejected",
            ProposalState::Agreed { .. } => "agreed",
            ProposalState::Superseded => "superseded",
        }
    }
}

/// What the timeline keeps of proposals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "agreement", rename_all = "snake_case")]
pub enum AgreementEvent {
    Proposed {
        n: usize,
        item: Item,
        level: usize,
        approver: Option<UserId>,
        crossed: Vec<Crossed>,
    },
    Approved {
        n: usize,
        note: String,
    },
    Rejected {
        n: usize,
        note: String,
    },
    Agreed {
        n: usize,
        note: String,
    },
    /// The customer's agreement to proposal `n` was recorded by mistake: it stands approved.
    AgreedWithdrawn {
        n: usize,
        reason: String,
    },
    /// Correction `n` was rejected: proposal `was` stands again, as `state`.
    Restored {
        n: usize,
        was: usize,
        state: ProposalState,
    },
}

/// What the trouble's channel (and the approver's DM) is told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum AgreementLine {
    /// In the channel, with Approve / Reject buttons.
    Proposed {
        n: usize,
    },
    /// To the approver a limit sent it to: why it is theirs.
    NeedsYou {
        n: usize,
        to: UserId,
    },
    Decided {
        n: usize,
        approved: bool,
        by: UserId,
    },
    Agreed {
        n: usize,
        by: UserId,
    },
    AgreedWithdrawn {
        n: usize,
        by: UserId,
        reason: String,
    },
    /// A `Proposed` or `NeedsYou` message edited once the proposal no longer waits: what came of
    /// it, rendered from the trouble as it then is, without the buttons.
    Settled {
        n: usize,
        dm: bool,
    },
    /// A `NeedsYou` DM edited once `by` changed the chain so that its reader no longer decides
    /// proposal `n`: why, and who does now, without the buttons.
    NoLongerYours {
        n: usize,
        by: UserId,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum AgreementReply {
    /// Cost `n` is of nothing (¥0): settled as recorded, with nobody to ask.
    NothingToApprove {
        n: usize,
    },
    Proposed {
        n: usize,
        item: Item,
        approver: Option<UserId>,
        /// It corrects an earlier split or cost (`fix`), whose approval does not carry over.
        corrected: bool,
        /// A split proposed with no reason: stage 5 records why as well as the shares (the
        /// approver decides on it, the report and the 8D show it), so the answer says how.
        reason_missing: bool,
    },
    Approved {
        n: usize,
    },
    /// `item`: what a correction would propose again (a rejection itself stands).
    Rejected {
        n: usize,
        item: Item,
    },
    Agreed {
        n: usize,
    },
    /// `reworked`: the stage of its item, done before, and worked on again now.
    AgreedWithdrawn {
        n: usize,
        reworked: Option<usize>,
    },
    /// `withdraw agreed N` on a proposal whose agreement was never recorded (`state`).
    NotAgreed {
        n: usize,
        state: &'static str,
    },
    NoSuchProposal {
        n: usize,
    },
    /// Already decided (a double click, a stale button); `by` who decided, when someone did;
    /// `instead` the proposal that superseded it.
    AlreadyDecided {
        n: usize,
        state: &'static str,
        by: Option<UserId>,
        instead: Option<usize>,
    },
    /// `agreed N` before the chain approved it.
    NotApproved {
        n: usize,
    },
    /// The proposer may not approve or reject their own proposal.
    OwnProposal {
        n: usize,
        approvers: Vec<UserId>,
    },
    /// Stage `stage` (5, the split, or 6, the costs) may not be marked done while proposals
    /// `pending` of it await a decision: the customer would hear terms the chain has not
    /// approved. `approvers` may decide them.
    StageAwaitsDecision {
        stage: usize,
        pending: Vec<usize>,
        approvers: Vec<UserId>,
    },
    /// The trouble may not be closed while proposals `pending` await a decision `approvers` may make.
    CloseAwaitsDecision {
        pending: Vec<usize>,
        approvers: Vec<UserId>,
    },
    /// Nobody may approve or reject it yet: its proposer is the only one in the manager chain
    /// (or there is none). `namers` may put a manager in front, who then decides.
    NobodyToApprove {
        n: usize,
        proposer: UserId,
        namers: Vec<UserId>,
    },
}

/// The trouble's costs that still count: those whose latest proposal was not rejected.
pub fn counted_costs(t: &Trouble) -> Vec<Cost> {
    cost_counts(t).counted
}

/// Our share of the trouble's costs per currency, as the totals, history and stats count it:
/// the split applied, rejected proposals left out, approved terms a correction would replace
/// counted until it is decided.
pub fn our_share(t: &Trouble) -> BTreeMap<Currency, i64> {
    borne_by_us(counted_split(t), &counted_costs(t))
}

/// Our share on every term as now written (a correction awaiting a decision in place of the
/// terms it would replace; rejected ones left out): what an approver sees coming.
fn share_as_proposed(t: &Trouble) -> BTreeMap<Currency, i64> {
    let (split, costs) = terms_as_proposed(t);
    borne_by_us(split, &costs)
}

/// The split and costs as now written, rejected ones left out.
fn terms_as_proposed(t: &Trouble) -> (Option<&Split>, Vec<Cost>) {
    let rejected = |item| state_of(t, item).is_some_and(|p| matches!(p.state, ProposalState::Rejected { .. }));
    let split = t.split.as_ref().filter(|_| !rejected(Item::Split));
    let costs: Vec<Cost> = t
        .costs
        .iter()
        .enumerate()
        .filter(|(i, _)| !rejected(Item::Cost { n: i + 1 }))
        .map(|(_, c)| c.clone())
        .collect();
    (split, costs)
}

/// The shares as they would be with every proposal awaiting a decision approved: what a
/// proposal's line shows its approver (a split corrected to 40/60 shows 40%, not the approved
/// split the totals still count).
pub fn proposed_shares(t: &Trouble) -> Vec<Share> {
    let (split, costs) = terms_as_proposed(t);
    shares(split, &costs)
}

/// The approved (or agreed) terms correction proposal `p` would replace, while it waits.
fn standing_for<'a>(t: &'a Trouble, p: &Proposal) -> Option<&'a Terms> {
    (p.state == ProposalState::Proposed)
        .then(|| t.agreement.standing.iter().find(|s| s.correction == p.n))
        .flatten()
        .map(|s| &s.value)
}

/// The costs as the totals and the shares count them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CostCounts {
    /// Every cost but the rejected ones (approved, agreed and still proposed).
    pub counted: Vec<Cost>,
    /// The counted costs still awaiting approval.
    pub pending: Vec<Cost>,
    /// How many costs were rejected and are left out.
    pub rejected: usize,
    /// Costs counted at their approved terms while a correction to them awaits a decision:
    /// the cost's number, and the terms the correction proposes.
    pub corrections: Vec<(usize, Cost)>,
}

/// Each cost by the state of its latest proposal: rejected ones are left out of every total.
pub fn cost_counts(t: &Trouble) -> CostCounts {
    let mut out = CostCounts::default();
    for (i, c) in t.costs.iter().enumerate() {
        let latest = state_of(t, Item::Cost { n: i + 1 });
        // Approved money stays counted while a correction of it waits: a `fix cost 1 ¥1` left
        // pending would otherwise drop it from every total, history and stats.
        if let Some(Terms::Cost { cost }) = latest.and_then(|p| standing_for(t, p)) {
            out.counted.push(cost.clone());
            out.corrections.push((i + 1, c.clone()));
            continue;
        }
        match latest.map(|p| &p.state) {
            Some(ProposalState::Rejected { .. }) => out.rejected += 1,
            Some(ProposalState::Proposed) => {
                out.pending.push(c.clone());
                out.counted.push(c.clone());
            }
            _ => out.counted.push(c.clone()),
        }
    }
    out
}

/// The split as it counts: the latest not rejected, or the approved one while a correction of
/// it awaits a decision.
pub fn counted_split(t: &Trouble) -> Option<&Split> {
    let latest = state_of(t, Item::Split);
    if let Some(Terms::Split { split }) = latest.and_then(|p| standing_for(t, p)) {
        return Some(split);
    }
    let rejected = latest.is_some_and(|p| matches!(p.state, ProposalState::Rejected { .. }));
    t.split.as_ref().filter(|_| !rejected)
}

/// One currency's costs with the split applied: "ours 70% of ¥1,200,000 = ¥840,000".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    pub total: Money,
    pub ours_pct: u8,
    pub ours: Money,
}

/// The split applies to every cost of the trouble, whoever it was first written against.
pub fn shares(split: Option<&Split>, costs: &[Cost]) -> Vec<Share> {
    let Some(split) = split else {
        return Vec::new();
    };
    let mut totals: BTreeMap<Currency, i64> = BTreeMap::new();
    for m in costs.iter().filter_map(Cost::money) {
        let sum = totals.entry(m.currency).or_insert(0i64);
        // Saturating, never wrapping: a share that wrapped negative would pass every limit.
        *sum = sum.saturating_add(m.minor);
    }
    totals
        .into_iter()
        .map(|(currency, total)| Share {
            total: Money { currency, minor: total },
            ours_pct: split.ours,
            // Rounded half up to the minor unit, so 70% of ¥1 is ¥1; in i128, where no total
            // times a percentage overflows (the result is at most the total, so it fits back).
            ours: Money {
                currency,
                minor: ((i128::from(total) * i128::from(split.ours) + 50).div_euclid(100)) as i64,
            },
        })
        .collect()
}

/// What we bear per currency: with a split, our share of all costs; without one, the costs
/// written against us.
pub fn borne_by_us(split: Option<&Split>, costs: &[Cost]) -> BTreeMap<Currency, i64> {
    if split.is_some() {
        return shares(split, costs)
            .into_iter()
            .map(|s| (s.ours.currency, s.ours.minor))
            .collect();
    }
    let mut out = BTreeMap::new();
    for (m, p) in costs.iter().map(|c| (c.money(), c.payer_kind())) {
        if let (Some(m), Some(Payer::Ours)) = (m, p) {
            let sum = out.entry(m.currency).or_insert(0i64);
            *sum = sum.saturating_add(m.minor);
        }
    }
    out
}

/// The shares of the trouble as it stands (rejected proposals left out).
pub fn current_shares(t: &Trouble) -> Vec<Share> {
    shares(counted_split(t), &counted_costs(t))
}

/// Why an approval must come from above the manager: each currency whose share borne by us is
/// over its `[approval_limits]`, and, when limits are set, each currency they do not name in
/// which we bear anything (a limit set for yen and dollars says nothing of euros: the finance
/// controller expects a €50,000,000 recall to reach the top, not the manager alone).
/// [`level_of`] says how far up.
pub fn level_needed(policy: &Policy, borne: &BTreeMap<Currency, i64>) -> Vec<Crossed> {
    let limits = &policy.approval_limits;
    borne
        .iter()
        .filter_map(|(currency, ours)| match limits.get(currency) {
            Some(limit) => (*ours > *limit).then_some(Crossed {
                currency: *currency,
                ours: *ours,
                limit: *limit,
                unset: false,
            }),
            None => (!limits.is_empty() && *ours > 0).then_some(Crossed {
                currency: *currency,
                ours: *ours,
                limit: 0,
                unset: true,
            }),
        })
        .collect()
}

/// The split and costs as decided so far: approved or agreed terms (and those of an earlier
/// release, which knew no proposals); a correction awaiting a decision counts as the terms it
/// would replace, a new split or cost awaiting one not at all, a rejected one never. `with`'s
/// terms count as now written: the proposal being measured.
pub fn decided_terms(t: &Trouble, with: Option<Item>) -> (Option<Split>, Vec<Cost>) {
    // Some(Some(terms)): stands; Some(None): counts not; None: as written.
    let standing = |item: Item| -> Option<Option<Terms>> {
        if with == Some(item) {
            return None;
        }
        let p = state_of(t, item)?;
        match &p.state {
            ProposalState::Approved { .. } | ProposalState::Agreed { .. } => None,
            ProposalState::Proposed => Some(
                t.agreement
                    .standing
                    .iter()
                    .find(|s| s.correction == p.n)
                    .map(|s| s.value.clone()),
            ),
            ProposalState::Rejected { .. } | ProposalState::Superseded => Some(None),
        }
    };
    let split = match standing(Item::Split) {
        None => t.split.clone(),
        Some(Some(Terms::Split { split })) => Some(split),
        Some(_) => None,
    };
    let costs = t
        .costs
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match standing(Item::Cost { n: i + 1 }) {
            None => Some(c.clone()),
            Some(Some(Terms::Cost { cost })) => Some(cost),
            Some(_) => None,
        })
        .collect();
    (split, costs)
}

/// The limits `item`'s proposal crosses once decided: our share on the terms decided so far
/// with it added. Terms still awaiting a decision never lower it (a split that may yet be
/// rejected cannot make a cost the manager's to approve), so no approval ever rests on terms
/// nobody approved, and a later rejection leaves no approval below its level.
pub fn crossed_once_decided(policy: &Policy, t: &Trouble, item: Item) -> Vec<Crossed> {
    let (split, costs) = decided_terms(t, Some(item));
    level_needed(policy, &borne_by_us(split.as_ref(), &costs))
}

/// The limits proposal `p` crosses now: those it was proposed with, or, while it waits, those
/// the terms decided since make it cross when they are more (measured again at each decision).
pub fn crossed_now(policy: &Policy, t: &Trouble, p: &Proposal) -> Vec<Crossed> {
    if p.state != ProposalState::Proposed {
        return p.crossed.clone();
    }
    let now = crossed_once_decided(policy, t, p.item);
    if level_of(&now) > level_of(&p.crossed) {
        now
    } else {
        p.crossed.clone()
    }
}

/// Who may approve or reject proposal `p`: the chain from its level up, never its proposer nor
/// the owner. When `[org]` gives the owner a chain, money is decided by it: a manager named in
/// front of it (at open, or with `/trouble manager`) acknowledges, but approves only when they
/// stand in it (a director named as manager, say), so a rep who names a peer never has that
/// peer approve their costs. The levels above the manager count on the configured chain, so
/// naming one never lets the manager approve what needs their director.
pub fn approvers(policy: &Policy, t: &Trouble, p: &Proposal) -> Vec<UserId> {
    // Measured again while it waits: terms decided since may need someone higher.
    let level = p.level.max(level_of(&crossed_now(policy, t, p)));
    let from_level = |chain: &[UserId]| -> Vec<UserId> {
        let pick = |from: usize| -> Vec<UserId> {
            chain
                .iter()
                .skip(from.min(chain.len().saturating_sub(1)))
                .filter(|u| **u != p.by && **u != t.owner)
                .cloned()
                .collect()
        };
        // Nobody approves the money of someone above them: a director's own cost goes to those
        // above the director. At the top of the chain there is nobody above, and the others in
        // it decide, so even the top's proposal has a second pair of eyes.
        let above = chain.iter().position(|u| *u == p.by).map_or(0, |i| i + 1);
        match pick(level.max(above)) {
            deciders if deciders.is_empty() && above > level => pick(level),
            deciders => deciders,
        }
    };
    let configured = chain_for(policy, &t.owner, None);
    if configured.is_empty() {
        return from_level(t.manager_chain());
    }
    if level > 0 {
        return from_level(&configured);
    }
    let in_configured: Vec<UserId> = t
        .manager_chain()
        .iter()
        .filter(|u| configured.contains(u))
        .cloned()
        .collect();
    match from_level(&in_configured) {
        // The configured chain's only member proposed it: whoever was named to decide it does.
        deciders if deciders.is_empty() => from_level(t.manager_chain()),
        deciders => deciders,
    }
}

/// Each proposal awaiting a decision, with the first who may decide it.
pub(super) fn first_approvers(policy: &Policy, t: &Trouble) -> Vec<(usize, Option<UserId>)> {
    t.agreement
        .proposals
        .iter()
        .filter(|p| p.state == ProposalState::Proposed)
        .map(|p| (p.n, approvers(policy, t, p).into_iter().next()))
        .collect()
}

/// After the chain changed (a hand-over, a manager named): whoever is now first to decide a
/// proposal awaiting one, and was not before, is asked by DM with its buttons. The channel's
/// line mentioned whoever was first then; nobody else would tell them.
pub(super) fn ask_new_approvers(w: &mut Work, before: &[(usize, Option<UserId>)], by: &UserId) {
    release_left_out_approvers(w, by);
    ask_first_approvers(w, before);
}

/// Whoever is now first to decide a proposal awaiting a decision, and was not `before`, is
/// asked by DM with its buttons.
fn ask_first_approvers(w: &mut Work, before: &[(usize, Option<UserId>)]) {
    for (n, now) in first_approvers(w.ctx.policy, &w.t) {
        let Some(a) = now else { continue };
        let was = before.iter().find(|(m, _)| *m == n).and_then(|(_, u)| u.as_ref());
        if was != Some(&a) {
            ask_by_dm(w, n, a);
        }
    }
}

/// After `by` changed the chain: each DM that asked someone who may no longer decide its
/// proposal (left out by a hand-over, or below a manager named in front) says so and loses its
/// buttons, which would only be refused. DMs kept before what they showed was kept stay.
fn release_left_out_approvers(w: &mut Work, by: &UserId) {
    let (policy, t) = (w.ctx.policy, &w.t);
    let left_out = |a: &Asking| match &a.shown {
        Some(Message::Agreement(AgreementLine::NeedsYou { n, to })) => {
            proposal(t, *n).is_some_and(|p| !approvers(policy, t, p).contains(to))
        }
        _ => false,
    };
    let out: Vec<bool> = t.agreement.asking.iter().map(left_out).collect();
    if !out.contains(&true) {
        return;
    }
    let (released, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut w.t.agreement.asking)
        .into_iter()
        .zip(out)
        .partition(|(_, out)| *out);
    w.t.agreement.asking = keep.into_iter().map(|(a, _)| a).collect();
    w.changed = true;
    for (a, _) in released {
        let message = Message::Agreement(AgreementLine::NoLongerYours { n: a.n, by: by.clone() });
        w.send(
            Lane::Dm,
            Op::Edit {
                channel: a.message.channel,
                ts: a.message.ts,
                message,
            },
        );
    }
}

/// Whether any split or cost proposal of `t` awaits a decision: its figures are not settled.
pub fn awaits_decision(t: &Trouble) -> bool {
    t.agreement.proposals.iter().any(|p| p.state == ProposalState::Proposed)
}

/// Whether `c` is a cost of nothing (`¥0`, `$0.00`, `0`): there is nothing to approve, so it is no
/// proposal and is settled as recorded. A cost that does not read as money is no such cost.
pub fn costs_nothing(c: &Cost) -> bool {
    c.costs_nothing()
}

/// The proposals of `t` awaiting a decision that `user` may make (their numbers).
pub fn awaiting(policy: &Policy, t: &Trouble, user: &UserId) -> Vec<usize> {
    t.agreement
        .proposals
        .iter()
        .filter(|p| p.state == ProposalState::Proposed && approvers(policy, t, p).contains(user))
        .map(|p| p.n)
        .collect()
}

/// The latest proposal for the same item made after `p`, when `p` was superseded.
pub fn superseded_by(t: &Trouble, p: &Proposal) -> Option<usize> {
    (p.state == ProposalState::Superseded)
        .then(|| {
            t.agreement
                .proposals
                .iter()
                .rev()
                .find(|q| q.item == p.item && q.n > p.n)
        })
        .flatten()
        .map(|q| q.n)
}

/// Makes the split or cost just recorded a proposal: the earlier one for the same item is
/// superseded, the level is measured on our running share with it counted, the channel gets the
/// buttons and an approver other than the manager a DM with them, saying why.
/// A correction of `item`'s terms (`fix cost`, `fix split`), `old` being what they were: a new
/// proposal, as any change of terms is. When the terms it replaces were approved (or accepted
/// by the customer), they are kept until it is decided: a rejection restores them.
pub(super) fn propose_correction(w: &mut Work, user: &UserId, item: Item, old: Terms) -> Reply {
    let next = w.t.agreement.proposals.len() + 1;
    let of_item: Vec<usize> =
        w.t.agreement
            .proposals
            .iter()
            .filter(|p| p.item == item)
            .map(|p| p.n)
            .collect();
    let latest = state_of(&w.t, item).map(|p| (p.n, p.state.clone()));
    let standing = &mut w.t.agreement.standing;
    match latest {
        Some((was, state @ (ProposalState::Approved { .. } | ProposalState::Agreed { .. }))) => {
            standing.retain(|s| !of_item.contains(&s.correction));
            standing.push(Standing {
                correction: next,
                was,
                state,
                value: old,
            });
        }
        // A correction of a correction still waiting: the approved terms wait on the new one.
        Some((pending, ProposalState::Proposed)) => {
            for s in standing.iter_mut().filter(|s| s.correction == pending) {
                s.correction = next;
            }
        }
        _ => {}
    }
    propose(w, user, item)
}

fn proposal_item(t: &Trouble, n: usize) -> Option<Item> {
    proposal(t, n).map(|p| p.item)
}

/// Correction `n` rejected: the approved terms it would have replaced stand again, on the
/// record, on the timeline (the value as a correction back, then the proposal restored) and so
/// in every total.
fn restore_standing(w: &mut Work, user: &UserId, n: usize) {
    let Some(i) = w.t.agreement.standing.iter().position(|s| s.correction == n) else {
        return;
    };
    let s = w.t.agreement.standing.remove(i);
    match s.value {
        Terms::Cost { cost } => {
            let Some(Item::Cost { n: k }) = proposal_item(&w.t, n) else {
                return;
            };
            let Some(slot) = w.t.costs.get_mut(k - 1) else { return };
            // The terms as their writer recorded them: the rejecter only undid a correction.
            let restored = cost;
            let rejected = std::mem::replace(slot, restored.clone());
            w.log(
                Some(user),
                Event::Stage(super::facts::StepEvent::CostSuperseded {
                    n: k,
                    old_amount: rejected.amount,
                    old_payer: rejected.payer,
                    amount: restored.amount,
                    payer: restored.payer,
                    note: restored.note,
                    restored: Some(Box::new(Written {
                        by: restored.by,
                        at: restored.at,
                    })),
                }),
            );
        }
        Terms::Split { split } => {
            let restored = split;
            let rejected = w.t.split.replace(restored.clone());
            let old = rejected.map(|r| r.shares()).unwrap_or_else(|| "—".into());
            w.log(
                Some(user),
                Event::Stage(super::facts::StepEvent::SplitSuperseded {
                    old,
                    ours: restored.ours,
                    customer: restored.customer,
                    other: restored.other,
                    reason: restored.reason,
                    restored: Some(Box::new(Written {
                        by: restored.by,
                        at: restored.at,
                    })),
                }),
            );
        }
    }
    if let Some(p) = w.t.agreement.proposals.get_mut(s.was - 1) {
        p.state = s.state.clone();
    }
    let event = AgreementEvent::Restored {
        n,
        was: s.was,
        state: s.state,
    };
    w.log(Some(user), Event::Agreement(event));
}

pub(super) fn propose(w: &mut Work, user: &UserId, item: Item) -> Reply {
    let now = w.ctx.now;
    for p in w.t.agreement.proposals.iter_mut().filter(|p| p.item == item) {
        if !matches!(p.state, ProposalState::Superseded) {
            p.state = ProposalState::Superseded;
        }
    }
    // Measured on every term counted (pending ones too, so an approver sees what is coming)
    // and on the decided terms with this one added (so a pending split that may yet be
    // rejected never lowers it): whichever needs more.
    let all = level_needed(w.ctx.policy, &share_as_proposed(&w.t));
    let decided = crossed_once_decided(w.ctx.policy, &w.t, item);
    let crossed = if level_of(&decided) > level_of(&all) {
        decided
    } else {
        all
    };
    let n = w.t.agreement.proposals.len() + 1;
    let proposal = Proposal {
        n,
        item,
        by: user.clone(),
        at: now,
        level: level_of(&crossed),
        crossed: crossed.clone(),
        state: ProposalState::Proposed,
    };
    let approver = approvers(w.ctx.policy, &w.t, &proposal).first().cloned();
    w.t.agreement.proposals.push(proposal);
    w.log(
        Some(user),
        Event::Agreement(AgreementEvent::Proposed {
            n,
            item,
            level: level_of(&crossed),
            approver: approver.clone(),
            crossed: crossed.clone(),
        }),
    );
    ask(w, n, approver.as_ref(), &crossed);
    w.refresh_status();
    let reason_missing = item == Item::Split
        && (w.t.split.as_ref()).is_some_and(|s| !crate::trouble::command::says_something(&s.reason));
    Reply::Agreement(AgreementReply::Proposed {
        n,
        item,
        approver,
        corrected: false,
        reason_missing,
    })
}

/// Asks for a decision on proposal `n`: its line with the buttons in the channel. The manager
/// the channel was made for is mentioned there; anyone else who must decide (a limit crossed,
/// or the manager proposed it) hears in a DM with the buttons, and is brought into the channel
/// to see what they approve, as going up the chain brings them.
fn ask(w: &mut Work, n: usize, approver: Option<&UserId>, crossed: &[Crossed]) {
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message: Message::Agreement(AgreementLine::Proposed { n }),
            keep_as: Some(Slot::Proposal { n, dm: false }),
        },
    );
    if let Some(a) = approver.filter(|a| asked_by_dm(&w.t, crossed, a)) {
        ask_by_dm(w, n, a.clone());
        // Whoever the escalation asks was brought in then (the owner's manager a fixed `[org]`
        // names too, asked from outside the chain): not again.
        let reached = w.t.escalation.asks(a);
        if !reached && !w.t.members_seen.contains(a) && w.t.channel.is_some() {
            w.invite(vec![a.clone()]);
        }
    }
}

/// The DM asking `to` to decide proposal `n`, with its buttons; kept to be edited once decided.
fn ask_by_dm(w: &mut Work, n: usize, to: UserId) {
    w.send(
        Lane::Dm,
        Op::Post {
            to: Dest::Dm(to.clone()),
            message: Message::Agreement(AgreementLine::NeedsYou { n, to }),
            keep_as: Some(Slot::Proposal { n, dm: true }),
        },
    );
}

/// After a reopening, each proposal still awaiting a decision is asked for again: the close
/// took the buttons off every message that asked.
pub(super) fn ask_again(w: &mut Work) {
    for (n, approver) in first_approvers(w.ctx.policy, &w.t) {
        let crossed = proposal(&w.t, n).map(|p| p.crossed.clone()).unwrap_or_default();
        ask(w, n, approver.as_ref(), &crossed);
    }
}

/// A message asking for a decision that Slack now holds: kept while its proposal waits (a
/// decision made while it was on its way settles it at once, in `Work::finish`).
pub(super) fn asking_posted(w: &mut Work, n: usize, dm: bool, message: PostedMessage, shown: Option<Message>) {
    let shown = shown.filter(|_| dm);
    let asking = Asking { n, dm, message, shown };
    // The same post told twice (its outcome recorded again after a retry) is no new message.
    if !w.t.agreement.asking.iter().any(|a| a.message == asking.message) {
        w.t.agreement.asking.push(asking);
        w.changed = true;
    }
}

/// Every message still showing the buttons of a proposal that no longer waits (decided,
/// superseded, or its trouble closed) says what came of it and loses them.
pub(super) fn settle_asking(w: &mut Work) {
    let open = w.t.is_open();
    let waits = |t: &Trouble, n: usize| open && proposal(t, n).is_some_and(|p| p.state == ProposalState::Proposed);
    if w.t.agreement.asking.iter().all(|a| waits(&w.t, a.n)) {
        return;
    }
    let (keep, settle): (Vec<Asking>, Vec<Asking>) = std::mem::take(&mut w.t.agreement.asking)
        .into_iter()
        .partition(|a| waits(&w.t, a.n));
    w.t.agreement.asking = keep;
    w.changed = true;
    for a in settle {
        w.send(
            if a.dm { Lane::Dm } else { Lane::Channel },
            Op::Edit {
                channel: a.message.channel,
                ts: a.message.ts,
                message: Message::Agreement(AgreementLine::Settled { n: a.n, dm: a.dm }),
            },
        );
    }
}

/// Why stage 5 or 6 may not be done yet: a proposal of its item awaits a decision that someone
/// can make (one nobody could decide never holds a stage back).
pub fn stage_awaits_decision(policy: &Policy, t: &Trouble, stage: StageId) -> Option<Reply> {
    let (pending, approvers) = awaiting_decision(policy, t, |item| match item {
        Item::Split => stage == StageId::Split,
        Item::Cost { .. } => stage == StageId::Cost,
    });
    (!pending.is_empty()).then(|| {
        Reply::Agreement(AgreementReply::StageAwaitsDecision {
            stage: stage.number(),
            pending,
            approvers,
        })
    })
}

/// Why the trouble may not be closed yet: a proposal awaits a decision someone can make (a
/// correction made after its stage was done, say). Closed, it could never be decided, and the
/// record would keep terms nobody approved.
pub fn close_awaits_decision(policy: &Policy, t: &Trouble) -> Option<Reply> {
    let (pending, approvers) = awaiting_decision(policy, t, |_| true);
    (!pending.is_empty()).then_some(Reply::Agreement(AgreementReply::CloseAwaitsDecision {
        pending,
        approvers,
    }))
}

/// The proposals awaiting a decision someone can make: each holds the close.
pub fn awaiting_any_decision(policy: &Policy, t: &Trouble) -> Vec<usize> {
    awaiting_decision(policy, t, |_| true).0
}

/// The proposals of the items `of` awaiting a decision someone can make, and who may.
fn awaiting_decision(policy: &Policy, t: &Trouble, of: impl Fn(Item) -> bool) -> (Vec<usize>, Vec<UserId>) {
    let mut pending = Vec::new();
    let mut who: Vec<UserId> = Vec::new();
    for p in &t.agreement.proposals {
        let can = approvers(policy, t, p);
        if of(p.item) && matches!(p.state, ProposalState::Proposed) && !can.is_empty() {
            pending.push(p.n);
            for u in can {
                if !who.contains(&u) {
                    who.push(u);
                }
            }
        }
    }
    (pending, who)
}

/// The Approve / Reject buttons.
pub(super) fn decide_button(w: &mut Work, user: &UserId, n: usize, approve: bool) -> Reply {
    let Some(p) = proposal(&w.t, n).cloned() else {
        return Reply::Agreement(AgreementReply::NoSuchProposal { n });
    };
    if !matches!(p.state, ProposalState::Proposed) {
        return Reply::Agreement(AgreementReply::AlreadyDecided {
            n,
            state: p.state.code(),
            by: p.state.decided_by().cloned(),
            instead: superseded_by(&w.t, &p),
        });
    }
    let allowed = approvers(w.ctx.policy, &w.t, &p);
    if allowed.is_empty() {
        let namers = match who_may(w.ctx.policy, &w.t, Act::NameManager) {
            Who::Chain(chain) => chain,
            Who::OwnerOrChain { owner, chain } => std::iter::once(owner).chain(chain).collect(),
            Who::Owner(owner) | Who::Participants { owner, .. } | Who::TopOfOrg { owner } => vec![owner],
        };
        return Reply::Agreement(AgreementReply::NobodyToApprove {
            n,
            proposer: p.by,
            namers,
        });
    }
    if p.by == *user {
        return Reply::Agreement(AgreementReply::OwnProposal { n, approvers: allowed });
    }
    if !allowed.contains(user) {
        return Reply::NotAllowed {
            act: Act::Approve,
            who: Who::Chain(allowed),
        };
    }
    let before = first_approvers(w.ctx.policy, &w.t);
    let mark = Mark {
        by: user.clone(),
        at: w.ctx.now,
        note: String::new(),
    };
    w.t.agreement.proposals[n - 1].state = if approve {
        ProposalState::Approved { approved: mark }
    } else {
        ProposalState::Rejected { rejected: mark }
    };
    let event = if approve {
        AgreementEvent::Approved { n, note: String::new() }
    } else {
        AgreementEvent::Rejected { n, note: String::new() }
    };
    w.log(Some(user), Event::Agreement(event));
    match approve {
        // The correction stands: the terms it replaced are history.
        true => w.t.agreement.standing.retain(|s| s.correction != n),
        false => restore_standing(w, user, n),
    }
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::Agreement(AgreementLine::Decided {
            n,
            approved: approve,
            by: user.clone(),
        }),
    );
    // Terms decided now may send a proposal still waiting further up: whoever is first to
    // decide it now is asked, as a limit crossed at proposal would have asked them.
    ask_first_approvers(w, &before);
    w.refresh_status();
    Reply::Agreement(if approve {
        AgreementReply::Approved { n }
    } else {
        AgreementReply::Rejected { n, item: p.item }
    })
}

/// `/trouble agreed N [note]`: the customer accepted approved proposal N.
pub(super) fn agreed(w: &mut Work, user: &UserId, n: usize, note: String) -> Reply {
    let Some(p) = proposal(&w.t, n).cloned() else {
        return Reply::Agreement(AgreementReply::NoSuchProposal { n });
    };
    let instead = superseded_by(&w.t, &p);
    let approved = match p.state {
        ProposalState::Approved { approved } => approved,
        ProposalState::Proposed => return Reply::Agreement(AgreementReply::NotApproved { n }),
        other => {
            return Reply::Agreement(AgreementReply::AlreadyDecided {
                n,
                state: other.code(),
                by: other.decided_by().cloned(),
                instead,
            })
        }
    };
    w.t.agreement.proposals[n - 1].state = ProposalState::Agreed {
        approved,
        agreed: Mark {
            by: user.clone(),
            at: w.ctx.now,
            note: note.clone(),
        },
    };
    w.log(Some(user), Event::Agreement(AgreementEvent::Agreed { n, note }));
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::Agreement(AgreementLine::Agreed { n, by: user.clone() }),
    );
    w.refresh_status();
    Reply::Agreement(AgreementReply::Agreed { n })
}

/// `withdraw agreed N REASON`: the customer's agreement to proposal `n` was recorded by
/// mistake. The proposal stands approved again, to be agreed when the customer does; the
/// record and its withdrawal both stay on the timeline, and the channel is told.
pub(super) fn withdraw_agreed(w: &mut Work, user: &UserId, n: usize, reason: String) -> Reply {
    let Some(p) = proposal(&w.t, n) else {
        return Reply::Agreement(AgreementReply::NoSuchProposal { n });
    };
    let ProposalState::Agreed { approved, .. } = &p.state else {
        return Reply::Agreement(AgreementReply::NotAgreed {
            n,
            state: p.state.code(),
        });
    };
    let approved = approved.clone();
    let stage = match p.item {
        Item::Split => StageId::Split,
        Item::Cost { .. } => StageId::Cost,
    };
    w.t.agreement.proposals[n - 1].state = ProposalState::Approved { approved };
    w.log(
        Some(user),
        Event::Agreement(AgreementEvent::AgreedWithdrawn {
            n,
            reason: reason.clone(),
        }),
    );
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::Agreement(AgreementLine::AgreedWithdrawn {
            n,
            by: user.clone(),
            reason,
        }),
    );
    // Its stage marked done on that agreement is not done without it: worked on again, so
    // the trouble cannot be closed on an agreement the customer never gave.
    let reworked = (w.t.stage(stage).state == StageState::Done).then(|| {
        super::decide::work_on_stage(w, user, stage, String::new());
        stage.number()
    });
    w.refresh_status();
    Reply::Agreement(AgreementReply::AgreedWithdrawn { n, reworked })
}

/// A line the trouble's channel could not carry (shared with the customer, Slack Connect): a
/// proposal goes with its buttons to the approver whose turn it is, a decision or the customer's
/// agreement to the owner and the proposer; nothing of it is posted where the customer reads.
pub(super) fn held_back(w: &mut Work, line: AgreementLine) {
    let n = match &line {
        AgreementLine::Proposed { n }
        | AgreementLine::Decided { n, .. }
        | AgreementLine::Agreed { n, .. }
        | AgreementLine::AgreedWithdrawn { n, .. } => *n,
        // A DM already, or an edit.
        AgreementLine::NeedsYou { .. } | AgreementLine::Settled { .. } | AgreementLine::NoLongerYours { .. } => return,
    };
    let Some(p) = proposal(&w.t, n) else {
        return;
    };
    let mut to = match &line {
        // One asked by DM already has the buttons there: a second DM says nothing new.
        AgreementLine::Proposed { .. } => approvers(w.ctx.policy, &w.t, p)
            .into_iter()
            .take(1)
            .filter(|a| !asked_by_dm(&w.t, &p.crossed, a))
            .collect(),
        _ => vec![w.t.owner.clone(), p.by.clone()],
    };
    to.dedup();
    // A proposal's buttons, now in a DM, lose them once it is decided, as the channel's would.
    let keep_as = matches!(line, AgreementLine::Proposed { .. }).then_some(Slot::Proposal { n, dm: true });
    for user in to {
        w.send(
            Lane::Dm,
            Op::Post {
                to: Dest::Dm(user),
                message: Message::Agreement(line.clone()),
                keep_as,
            },
        );
    }
}

/// Whether the first approver of a proposal is asked by a DM with its buttons: anyone but the
/// manager the channel was made for, who is mentioned there, unless a limit sent it up.
fn asked_by_dm(t: &Trouble, crossed: &[Crossed], approver: &UserId) -> bool {
    !crossed.is_empty() || t.manager.as_ref() != Some(approver)
}

/// Whether the trouble holds anything internal: a split, costs, proposals.
pub fn has_internal(t: &Trouble) -> bool {
    t.split.is_some() || !t.costs.is_empty() || !t.agreement.proposals.is_empty()
}

/// Whether the kickoff or status tells how the acknowledgement went inside the company: how
/// long it waited, who up the chain is asked now, that the whole chain was asked.
pub fn tells_the_wait(t: &Trouble) -> bool {
    t.ack.is_some() || t.escalation.level > 0 || t.escalation.gave_up
}

/// The trouble as a channel shared with the customer may show it: no split, costs or proposals,
/// and of the acknowledgement only who gave it: not how long it waited, nor who up the chain was
/// asked (the escalation's lines go by DM there too), nor who of them is away, nor the note
/// given with its close, nor the scope.
pub fn for_outside(t: &Trouble) -> Trouble {
    let mut escalation = t.escalation.clone();
    escalation.level = 0;
    escalation.gave_up = false;
    // Nor that one of ours is away (on vacation, out sick): their own, and the team's.
    escalation.away.clear();
    Trouble {
        split: None,
        costs: Vec::new(),
        agreement: Agreements::default(),
        ack: t
            .ack
            .clone()
            .map(|a| super::model::Acknowledgement { wait_untold: true, ..a }),
        escalation,
        // A close's note is the team's, as a note is (the 8D leaves notes out).
        closed: t.closed.clone().map(|c| super::model::Closure {
            note: String::new(),
            ..c
        }),
        // Nor the scope: the other customers, lots or sites it may reach are the team's (the
        // 8D, reviewed before it is given, carries them).
        substance: super::facts::Substance {
            scope: Vec::new(),
            ..t.substance.clone()
        },
        ..t.clone()
    }
}

/// The trouble as its pinned kickoff and status show it in a channel shared with the customer:
/// as [`for_outside`], and without our deadlines, which the customer would watch pass.
pub fn pinned_for_outside(t: &Trouble) -> Trouble {
    Trouble {
        deadlines_untold: true,
        ..for_outside(t)
    }
}

/// `agreed N [note]`: N is the proposal's number as the channel showed it (`#2`, `２`).
pub fn parse_agreed(rest: &str) -> Result<super::command::Command, super::command::UsageError> {
    let rest = rest.trim();
    let (word, note) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    super::command::numbered(word)
        .map(|n| super::command::Command::Agreed(n, note.trim().to_string()))
        .ok_or(super::command::UsageError::NeedsNumber("agreed"))
}

/// Proposal `n`, numbered from 1 as the channel shows it.
pub fn proposal(t: &Trouble, n: usize) -> Option<&Proposal> {
    n.checked_sub(1).and_then(|i| t.agreement.proposals.get(i))
}

/// The latest proposal about an item: its state for the status and the report.
pub fn state_of(t: &Trouble, item: Item) -> Option<&Proposal> {
    let of_item = || t.agreement.proposals.iter().rev().filter(move |p| p.item == item);
    // The terms standing: a proposal restored when its correction was rejected stands before
    // that rejection (nothing else outlives a later proposal of its item), else the latest.
    of_item()
        .find(|p| !matches!(p.state, ProposalState::Superseded | ProposalState::Rejected { .. }))
        .or_else(|| of_item().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(amount: &str, payer: &str) -> Cost {
        Cost {
            amount: amount.into(),
            payer: payer.into(),
            note: String::new(),
            by: UserId::new("U1"),
            at: DateTime::<Utc>::default(),
        }
    }

    fn split(ours: u8) -> Split {
        Split {
            ours,
            customer: 100 - ours,
            other: 0,
            reason: String::new(),
            by: UserId::new("U1"),
            at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn the_split_applies_to_every_cost_per_currency() {
        let costs = [
            cost("¥1,000,000", "ours"),
            cost("20万円", "customer"),
            cost("$100", "ours"),
        ];
        let s = shares(Some(&split(70)), &costs);
        assert_eq!(
            s[0].total,
            Money {
                currency: Currency::Jpy,
                minor: 1_200_000
            }
        );
        assert_eq!(
            s[0].ours,
            Money {
                currency: Currency::Jpy,
                minor: 840_000
            }
        );
        assert_eq!(
            s[1].ours,
            Money {
                currency: Currency::Usd,
                minor: 7_000
            }
        );
    }

    #[test]
    fn without_a_split_we_bear_what_is_written_against_us() {
        let costs = [cost("¥1,000,000", "ours"), cost("20万円", "customer")];
        assert_eq!(borne_by_us(None, &costs).get(&Currency::Jpy), Some(&1_000_000));
    }

    #[test]
    fn shares_of_huge_stored_costs_saturate_and_never_wrap_under_a_limit() {
        // Read uncapped, as costs stored by an earlier release are: 100 × $999,999,999,999,999.
        let costs: Vec<Cost> = (0..100).map(|_| cost("USD 999999999999999", "ours")).collect();
        let mut policy = Policy::default();
        policy.approval_limits.insert(Currency::Usd, 1_000_000);
        for split in [Some(split(70)), Some(split(100)), None] {
            let borne = borne_by_us(split.as_ref(), &costs);
            assert!(borne[&Currency::Usd] > i64::MAX / 2, "{split:?}: {borne:?}");
            assert_eq!(level_needed(&policy, &borne).len(), 1, "{split:?}");
        }
        let t = crate::trouble::money::totals(costs.iter().map(|c| (c.money(), c.payer_kind())));
        assert_eq!(t[&(Payer::Ours, Currency::Usd)], i64::MAX);
    }

    #[test]
    fn approval_limits_are_read_in_whole_units_and_a_bad_one_is_named() {
        let env = std::collections::BTreeMap::new();
        let config =
            crate::config::Config::from_sources(Some("[approval_limits]\nJPY = 1_000_000\nUSD = 10_000\n"), &env)
                .expect("valid");
        assert_eq!(config.policy.approval_limits[&Currency::Jpy], 1_000_000);
        assert_eq!(config.policy.approval_limits[&Currency::Usd], 1_000_000, "cents");
        let problems = crate::config::Config::from_sources(Some("[approval_limits]\nGBP = 5\nJPY = \"lots\"\n"), &env)
            .expect_err("invalid");
        assert!(
            problems.iter().any(|p| p.contains("approval_limits.GBP")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("approval_limits.JPY")),
            "{problems:?}"
        );
    }

    #[test]
    fn each_currency_over_its_limit_adds_a_level() {
        let mut policy = Policy::default();
        policy.approval_limits.insert(Currency::Jpy, 1_000_000);
        policy.approval_limits.insert(Currency::Usd, 1_000_000);
        let borne: BTreeMap<Currency, i64> = [(Currency::Jpy, 1_000_001), (Currency::Usd, 1_000_000)].into();
        let crossed = level_needed(&policy, &borne);
        assert_eq!(crossed.len(), 1);
        assert_eq!(crossed[0].currency, Currency::Jpy);
        let both: BTreeMap<Currency, i64> = [(Currency::Jpy, 2_000_000), (Currency::Usd, 1_000_001)].into();
        assert_eq!(level_needed(&policy, &both).len(), 2);
        assert_eq!(level_of(&level_needed(&policy, &both)), 2);
    }

    #[test]
    fn a_currency_the_limits_leave_out_goes_to_the_top_and_none_set_leaves_the_manager() {
        let mut policy = Policy::default();
        let euros: BTreeMap<Currency, i64> = [(Currency::Eur, 5_000_000_000), (Currency::Jpy, 1)].into();
        assert!(
            level_needed(&policy, &euros).is_empty(),
            "no limits at all: the manager decides"
        );
        policy.approval_limits.insert(Currency::Jpy, 1_000_000);
        let crossed = level_needed(&policy, &euros);
        assert_eq!(crossed.len(), 1);
        assert!(crossed[0].unset && crossed[0].currency == Currency::Eur);
        assert_eq!(level_of(&crossed), TOP_OF_THE_CHAIN);
        let nothing: BTreeMap<Currency, i64> = [(Currency::Eur, 0)].into();
        assert!(level_needed(&policy, &nothing).is_empty());
    }
}
