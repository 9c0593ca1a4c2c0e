//! Roles: who may do what to a trouble (the README's roles table).

use super::*;

// ---------------------------------------------------------------------------------------------
// Roles: who may do what to a trouble (the README's roles table). Everyone in the channel may
// read (`status`, `report`) and add a `note`; everything else is checked here.
// ---------------------------------------------------------------------------------------------

/// An act not everyone may do: one row of the roles table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Acknowledge,
    /// `next`, `done`, `start` and the Complete button.
    Stages,
    Update,
    Split,
    Cost,
    Prevent,
    Add,
    /// `remove`: take someone added by mistake off the trouble.
    Remove,
    RaiseSeverity,
    LowerSeverity,
    ChangeOwner,
    NameManager,
    Close,
    CloseForce,
    /// `fact`, `return`, `scope`, `cause`.
    Facts,
    /// `action` (adding one); `action done`/`verify` are checked per action.
    Actions,
    Reopen,
    /// Answer an effectiveness check (Effective / Not effective: the latter reopens). Any
    /// participant may say a measure did not work; that it did is for those who may check it
    /// ([`checkers_of`]), as a verification is: see `effect_answered`.
    JudgeEffect,
    /// `fix cost|split|fact`.
    Fix,
    /// Approve or Reject a proposal: checked per proposal (its level, never the proposer).
    Approve,
    /// `agreed N`: record that the customer accepted an approved proposal (and `withdraw
    /// agreed N`, that record made by mistake).
    Agree,
    /// Ask Slack again for the channel it refused to create (the button of the owner's refusal
    /// DM, the managers' DMs and App Home).
    AskForChannel,
}

/// Who may do an act, as a refusal names them.
#[derive(Clone, Debug, PartialEq)]
pub enum Who {
    /// The manager chain: its head or anyone above them (never the owner).
    Chain(Vec<UserId>),
    /// The owner or the manager chain.
    OwnerOrChain { owner: UserId, chain: Vec<UserId> },
    /// The owner alone (who talks to the customer).
    Owner(UserId),
    /// The participants: owner, chain, members of its departments, people added.
    Participants {
        owner: UserId,
        chain: Vec<UserId>,
        departments: Vec<String>,
    },
    /// Nobody: the owner is at the top of `[org]`, so nobody is above them and nobody can be
    /// named their manager (everyone reports to them). Handing the trouble to someone below
    /// (`/trouble owner`) gives it a chain. Only in a refusal, never from [`who_may`].
    TopOfOrg { owner: UserId },
}

/// Whether `owner` is at the top of `[org]`: a default manager is configured, so everyone
/// reports up to one top, and nobody is above them. Nobody can be named their manager then,
/// unlike someone `[org]` leaves out when there is no default manager.
pub fn at_top_of_org(policy: &Policy, owner: &UserId) -> bool {
    policy.default_manager.is_some() && chain_for(policy, owner, None).is_empty()
}

/// The manager chain of a trouble: a named manager in front of the owner's configured chain
/// (which it never replaces), then the named manager's own superiors; without repeats, never the
/// owner and never anyone who reports to the owner (the chain only goes up: at the top of
/// `[org]`, where the default manager is below, it is empty).
pub fn chain_for(policy: &Policy, owner: &UserId, named: Option<&UserId>) -> Vec<UserId> {
    let below_owner = |u: &UserId| u == owner || policy.reports_to(u, owner);
    let mut chain: Vec<UserId> = named.filter(|n| !below_owner(n)).cloned().into_iter().collect();
    // The owner's own chain is walked up from their manager and stops at the first person seen
    // again. In a loop in `[org]` (which the configuration refuses) everyone in it "reports to"
    // the owner, and filtering on that once emptied the chain: the trouble pinged nobody.
    let mut walked = vec![owner.clone()];
    let mut up = policy.manager_of(owner);
    while let Some(m) = up.filter(|m| !walked.contains(m)) {
        up = policy.managers.get(&m).cloned();
        walked.push(m);
    }
    chain.extend(walked.into_iter().skip(1));
    if let Some(n) = named {
        chain.extend(policy.chain_from(n).into_iter().filter(|u| !below_owner(u)));
    }
    let mut seen = std::collections::HashSet::new();
    chain.retain(|u| seen.insert(u.clone()));
    chain
}

/// Whether `user` is in `owner`'s chain from `[org]` as [`chain_for`] walks it (no manager
/// named), without building it: asked per private trouble on every list read, so it allocates
/// nothing for a listed owner. The walk ends where `[org]` ends, at the owner again, or, in a
/// loop (which the configuration refuses), after as many steps as `[org]` has people.
pub fn in_org_chain(policy: &Policy, owner: &UserId, user: &UserId) -> bool {
    let fallback;
    let mut up = match policy.managers.get(owner) {
        Some(m) => Some(m),
        None => {
            fallback = policy.manager_of(owner);
            fallback.as_ref()
        }
    };
    let mut steps = 0;
    while let Some(m) = up.filter(|m| *m != owner && steps <= policy.managers.len()) {
        if m == user {
            return true;
        }
        steps += 1;
        up = policy.managers.get(m);
    }
    false
}

/// Its departments: those named and those its severity always includes.
pub fn departments_of(policy: &Policy, t: &Trouble) -> Vec<String> {
    Viewers::of(t).departments(policy).cloned().collect()
}

pub fn is_participant(policy: &Policy, t: &Trouble, user: &UserId) -> bool {
    Viewers::of(t).takes_part(policy, user)
}

/// What the rule of who takes part in a trouble and who sees it reads of the trouble, borrowed:
/// from the trouble itself, or from an index entry that carries it (so a read judges a private
/// trouble without its body). Its inputs, never the policy's result: the departments' members
/// and the severities' departments are read from the policy at each judgement.
#[derive(Clone, Copy, Debug)]
pub struct Viewers<'a> {
    pub private: Option<bool>,
    pub severity: Severity,
    pub owner: &'a UserId,
    pub chain: &'a [UserId],
    pub added: &'a [UserId],
    pub members_seen: &'a [UserId],
    /// The departments named on it (its severity's are the policy's).
    pub departments: &'a [String],
}

impl<'a> Viewers<'a> {
    pub fn of(t: &'a Trouble) -> Self {
        Viewers {
            private: t.private,
            severity: t.severity,
            owner: &t.owner,
            chain: t.manager_chain(),
            added: &t.added,
            members_seen: &t.members_seen,
            departments: &t.departments,
        }
    }

    /// Those named, then those its severity always includes.
    fn departments<'p>(&self, policy: &'p Policy) -> impl Iterator<Item = &'p String> + 'p
    where
        'a: 'p,
    {
        let named: &'p [String] = self.departments;
        named.iter().chain(
            policy
                .severity(self.severity)
                .departments
                .iter()
                .filter(move |d| !named.contains(d)),
        )
    }

    /// Owner, manager chain (the one kept on it, and the owner's chain from `[org]` as it is now,
    /// which may always do what the kept chain does, see `who_may`: a new manager after a reorg
    /// sees the rep's private troubles and answers their effectiveness checks), people added, or a
    /// member of one of its departments.
    pub fn takes_part(&self, policy: &Policy, user: &UserId) -> bool {
        self.owner == user
            || self.chain.contains(user)
            || in_org_chain(policy, self.owner, user)
            || self.added.contains(user)
            || self
                .departments(policy)
                .filter_map(|d| policy.departments.get(d))
                .any(|d| d.members.contains(user))
    }

    /// Whether its channel is private (its own say, else the policy's).
    pub fn private(&self, policy: &Policy) -> bool {
        self.private.unwrap_or(policy.private_channels)
    }

    /// Everyone who takes part (owner, manager chain, people added, its departments' members)
    /// and the members the bot has seen join: who reads its channel, and who may see it when
    /// it is private.
    pub fn everyone(&self, policy: &Policy) -> Vec<UserId> {
        let mut everyone: Vec<UserId> = std::iter::once(self.owner)
            .chain(self.chain)
            .chain(self.added)
            .chain(self.members_seen)
            .cloned()
            // The owner's chain from `[org]` as it is now, as `takes_part` counts it.
            .chain(chain_for(policy, self.owner, None))
            .chain(
                self.departments(policy)
                    .filter_map(|d| policy.departments.get(d))
                    .flat_map(|d| d.members.iter().cloned()),
            )
            .collect();
        everyone.sort();
        everyone.dedup();
        everyone
    }

    /// Anyone when its channel is public; for a private one, its participants and the members
    /// the bot has seen join.
    pub fn seen_by(&self, policy: &Policy, user: &UserId) -> bool {
        !self.private(policy) || self.members_seen.contains(user) || self.takes_part(policy, user)
    }
}

/// Who the bot brings into the trouble's channel (at the open, and as a channel made again
/// invites them): the owner, the manager, the chain as the role reads it (never one a change
/// of the chain left out, though asked once) and the owner's manager a fixed `[org]` names now,
/// asked from outside it; those added, its departments' members and the members seen join.
/// Anyone else is mentioned there in vain: Slack notifies nobody of a mention in a channel they
/// are not in (a private one they cannot even read).
pub fn in_its_channel(policy: &Policy, t: &Trouble) -> Vec<UserId> {
    let e = &t.escalation;
    let chain = e
        .chain
        .iter()
        .filter(|u| e.heard_at_once(u))
        .chain(e.owners_manager_now.iter());
    let members = departments_of(policy, t)
        .into_iter()
        .filter_map(|d| policy.departments.get(&d))
        .flat_map(|d| d.members.iter());
    let mut people: Vec<UserId> = Vec::new();
    for who in std::iter::once(&t.owner)
        .chain(t.manager.iter())
        .chain(chain)
        .chain(&t.added)
        .chain(members)
        .chain(&t.members_seen)
    {
        if !people.contains(who) {
            people.push(who.clone());
        }
    }
    people
}

/// Who checks the work on a trouble: that an action was done right (`action verify`), that a
/// measure worked (**Effective**). The one answer to "who confirms" that the checks, their
/// refusals and the effectiveness check's ask all read, so none of them names someone another
/// would refuse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checkers {
    /// The owner's chain that overrules ([`overruling_chain`]): from `[org]` when it names one,
    /// so a colleague the rep named their manager does not certify the rep's work.
    pub chain: Vec<UserId>,
    /// Its departments with a member who checks, as an answer names them.
    pub departments: Vec<String>,
    /// Those members (a quality engineer checks a measure).
    pub members: Vec<UserId>,
    /// The owner, when nobody else could check: a measure that worked would otherwise stay
    /// unconfirmed for ever (at the top of `[org]`, with no department on it, say); who
    /// confirmed it is recorded.
    pub owner: Option<UserId>,
    /// Those who may check but Slack refused for good (gone from Slack, deactivated:
    /// [`Trouble::cannot_be_reached`]), taken out of the above where an answer names them
    /// ([`checkers_to_name`]): nobody is sent to someone who cannot answer.
    /// (Boxed: it rides in a refusal, which is kept small.)
    pub left_out: Box<[UserId]>,
}

impl Checkers {
    pub fn includes(&self, user: &UserId) -> bool {
        self.chain.contains(user) || self.members.contains(user) || self.owner.as_ref() == Some(user)
    }

    /// Nobody may check: nobody above the owner, no department's member, and the owner did the
    /// work themself.
    pub fn is_nobody(&self) -> bool {
        self.chain.is_empty() && self.members.is_empty() && self.owner.is_none()
    }
}

/// Who may check the work on `t` ([`Checkers`]).
pub fn checkers(policy: &Policy, t: &Trouble) -> Checkers {
    checking(policy, t, |_| false)
}

/// Who an answer names as those who may check action `a` of `t` (a refusal of `action verify`
/// or of **Effective**, the effectiveness check's ask): [`checkers_of`] without those Slack
/// refused for good, kept in [`Checkers::left_out`]. With nobody left, nobody is named (the
/// refusal says nobody can, and why), rather than someone nobody can reach.
pub fn checkers_to_name(policy: &Policy, t: &Trouble, a: &crate::trouble::actions::Action) -> Checkers {
    let mut checkers = checkers_of(policy, t, a);
    let gone = |u: &UserId| t.cannot_be_reached(u);
    let mut left_out: Vec<UserId> = Vec::new();
    for u in checkers.chain.iter().chain(&checkers.members).chain(&checkers.owner) {
        if gone(u) && !left_out.contains(u) {
            left_out.push(u.clone());
        }
    }
    checkers.chain.retain(|u| !gone(u));
    checkers.members.retain(|u| !gone(u));
    checkers.owner = checkers.owner.filter(|u| !gone(u));
    // A department whose every checking member is gone names nobody either.
    checkers.departments.retain(|d| {
        policy
            .departments
            .get(d)
            .is_some_and(|d| d.members.iter().any(|m| checkers.members.contains(m)))
    });
    checkers.left_out = left_out.into();
    checkers
}

/// Who may check action `a` of `t`: [`checkers`], never whoever owned it or marked it done (a
/// check is someone else's). With nobody else left, its owner, unless the work was theirs.
pub fn checkers_of(policy: &Policy, t: &Trouble, a: &crate::trouble::actions::Action) -> Checkers {
    checking(policy, t, |u| a.is_theirs(u))
}

fn checking(policy: &Policy, t: &Trouble, did_it: impl Fn(&UserId) -> bool) -> Checkers {
    // The work checked is the owner's: never theirs to certify while anyone else could, nor
    // that of someone who owned it before (it may be theirs), nor of someone reporting to the
    // owner (`[org]` changed since, say), who would certify their own manager's work.
    let checks =
        |u: &UserId| *u != t.owner && !t.former_owners.contains(u) && !policy.reports_to(u, &t.owner) && !did_it(u);
    let chain: Vec<UserId> = overruling_chain(policy, t).into_iter().filter(|u| checks(u)).collect();
    let (mut departments, mut members) = (Vec::new(), Vec::<UserId>::new());
    for key in departments_of(policy, t) {
        let Some(department) = policy.departments.get(&key) else {
            continue;
        };
        let checking: Vec<&UserId> = department.members.iter().filter(|m| checks(m)).collect();
        if checking.is_empty() {
            continue;
        }
        departments.push(key);
        for m in checking {
            if !members.contains(m) {
                members.push(m.clone());
            }
        }
    }
    let owner = (chain.is_empty() && members.is_empty() && !did_it(&t.owner)).then(|| t.owner.clone());
    Checkers {
        chain,
        departments,
        members,
        owner,
        left_out: Box::default(),
    }
}

/// Who may overrule the trouble's own rules (slow its clocks, close what is not done, let a
/// stage pass without what it must find): the owner's chain from `[org]`, or the trouble's chain
/// when `[org]` gives none. A manager named in front of it acknowledges and approves, but does
/// not overrule.
///
/// Never someone who owned it before: handed over, the trouble they caused is no longer theirs
/// to overrule, wherever `[org]` puts them (handed to a colleague of their report's, say, or
/// `[org]` changed since).
pub fn overruling_chain(policy: &Policy, t: &Trouble) -> Vec<UserId> {
    let configured = chain_for(policy, &t.owner, None);
    let chain = if configured.is_empty() {
        t.manager_chain().to_vec()
    } else {
        configured
    };
    // The chain only goes up, as for acknowledging (`who_may`): the kept chain may hold someone
    // `[org]` now has reporting to the owner (a reorg put the owner on top), who would otherwise
    // force-close or lower their own manager's trouble.
    chain
        .into_iter()
        .filter(|u| !t.former_owners.contains(u) && !policy.reports_to(u, &t.owner))
        .collect()
}

pub fn who_may(policy: &Policy, t: &Trouble, act: Act) -> Who {
    // The chain only goes up: someone `[org]` now has reporting to the owner (a reorg since the
    // chain was kept) no longer acknowledges, closes or names the manager of the owner's trouble.
    let chain: Vec<UserId> = t
        .manager_chain()
        .iter()
        .filter(|u| !policy.reports_to(u, &t.owner))
        .cloned()
        .collect();
    // The chain is kept on the trouble as it was when it was last rebuilt; `[org]` may have
    // changed since (a typo fixed, someone gone, a new manager). The owner's chain from `[org]`
    // as it is now may always do what the trouble's chain does, so a chain left with nobody who
    // can answer never holds the trouble: its new manager acknowledges, or names a manager.
    let with_configured = |mut chain: Vec<UserId>| {
        for u in chain_for(policy, &t.owner, None) {
            if !chain.contains(&u) {
                chain.push(u);
            }
        }
        chain
    };
    match act {
        // Slowing every clock, or closing what is not done, overrules the trouble's own rules:
        // that is for the owner's chain from `[org]` when there is one. A manager named in front
        // of it (by the owner at open, say) acknowledges and approves, but does not overrule.
        Act::LowerSeverity | Act::CloseForce => Who::Chain(overruling_chain(policy, t)),
        Act::Acknowledge => Who::Chain(with_configured(chain)),
        // Handing it over chooses whose chain is asked and who overrules it, so it is for the
        // owner's chain from `[org]` too: a colleague named manager (by the owner, at open) who
        // handed it to the owner's own report would make the owner its overruler, or who took it
        // over would drop the owner's manager from its chain. With no chain from `[org]`, the
        // trouble's chain; with nobody above the owner at all (the top of `[org]`), the owner,
        // to someone below whose chain is then asked (never to someone with nobody above either).
        Act::ChangeOwner => match chain_for(policy, &t.owner, None) {
            configured if !configured.is_empty() => Who::Chain(configured),
            _ if chain.is_empty() => Who::OwnerOrChain {
                owner: t.owner.clone(),
                chain,
            },
            _ => Who::Chain(chain),
        },
        // With nobody above the owner, the owner may reopen it: nobody else could, and a
        // reopening hides nothing.
        Act::Reopen => match with_configured(chain) {
            chain if chain.is_empty() => Who::OwnerOrChain {
                owner: t.owner.clone(),
                chain,
            },
            chain => Who::Chain(chain),
        },
        Act::Approve => Who::Chain(chain),
        // With no chain at all, the owner names one (anyone but themself).
        Act::NameManager if !chain.is_empty() => Who::Chain(with_configured(chain)),
        Act::Agree => Who::Owner(t.owner.clone()),
        // Those who heard of the trouble at once: the owner, and the chain as far as it was
        // asked (whoever the escalation reached, or was DMed at the open).
        Act::AskForChannel => Who::OwnerOrChain {
            owner: t.owner.clone(),
            chain: chain.into_iter().filter(|u| t.escalation.heard_at_once(u)).collect(),
        },
        Act::NameManager | Act::Close | Act::Remove => Who::OwnerOrChain {
            owner: t.owner.clone(),
            chain,
        },
        Act::Stages
        | Act::Update
        | Act::Split
        | Act::Cost
        | Act::Prevent
        | Act::Add
        | Act::RaiseSeverity
        | Act::Facts
        | Act::Actions
        | Act::Fix
        // That a measure did not work, anyone taking part may say (it reopens the trouble,
        // hiding nothing); that it did is narrower: see `checkers_of` and `effect_answered`.
        | Act::JudgeEffect => Who::Participants {
            owner: t.owner.clone(),
            chain,
            departments: departments_of(policy, t),
        },
    }
}

pub fn may(policy: &Policy, t: &Trouble, user: &UserId, act: Act) -> bool {
    match who_may(policy, t, act) {
        Who::Chain(chain) => chain.contains(user) && t.owner != *user,
        Who::OwnerOrChain { owner, chain } => owner == *user || chain.contains(user),
        Who::Owner(owner) => owner == *user,
        Who::Participants { .. } => is_participant(policy, t, user),
        Who::TopOfOrg { .. } => false,
    }
}

/// The answer to anything but a read on a closed trouble: closed, and who may reopen it.
pub(in crate::trouble) fn already_closed(policy: &Policy, t: &Trouble) -> Reply {
    Reply::AlreadyClosed {
        reopeners: reopeners(policy, t),
    }
}

/// Who may reopen `t`, as an answer names them.
pub(in crate::trouble) fn reopeners(policy: &Policy, t: &Trouble) -> Vec<UserId> {
    match who_may(policy, t, Act::Reopen) {
        Who::Chain(chain) => chain,
        Who::OwnerOrChain { owner, chain } => std::iter::once(owner).chain(chain).collect(),
        _ => Vec::new(),
    }
}

/// The refusal when `user` may not do `act`, naming who may: never someone the bot found it
/// cannot reach (gone from Slack, deactivated), whom nobody should be sent to, unless nobody
/// else would be named.
pub(in crate::trouble) fn refuse(policy: &Policy, t: &Trouble, user: &UserId, act: Act) -> Option<Reply> {
    if may(policy, t, user, act) {
        return None;
    }
    Some(Reply::NotAllowed {
        act,
        who: who_to_name(policy, t, act),
    })
}

/// Who an answer names as the ones who may do `act` (a refusal, or "not ready to close" naming
/// who may force it): never someone the bot found it cannot reach (gone from Slack,
/// deactivated), whom nobody should be sent to, unless nobody else would be named.
pub(in crate::trouble) fn who_to_name(policy: &Policy, t: &Trouble, act: Act) -> Who {
    let reachable = |chain: Vec<UserId>| {
        let kept = t.escalation.reachable(&chain);
        if kept.is_empty() {
            chain
        } else {
            kept
        }
    };
    match who_may(policy, t, act) {
        // "Name a manager" would be no answer at the top of `[org]`: nobody can be named.
        Who::Chain(chain) if chain.is_empty() && at_top_of_org(policy, &t.owner) => {
            Who::TopOfOrg { owner: t.owner.clone() }
        }
        Who::Chain(chain) => Who::Chain(reachable(chain)),
        Who::OwnerOrChain { owner, chain } => Who::OwnerOrChain {
            owner,
            chain: reachable(chain),
        },
        Who::Participants {
            owner,
            chain,
            departments,
        } => Who::Participants {
            owner,
            chain: reachable(chain),
            departments,
        },
        owner @ (Who::Owner(_) | Who::TopOfOrg { .. }) => owner,
    }
}

/// Who may see a trouble in `list`, `history` and App Home ([`Viewers::seen_by`]).
pub fn may_see(policy: &Policy, t: &Trouble, user: &UserId) -> bool {
    Viewers::of(t).seen_by(policy, user)
}

/// Who may see `t` when it is private (its participants and the members seen: see
/// [`Viewers::everyone`]); None when it is public, for anyone to see.
pub fn private_readers(policy: &Policy, t: &Trouble) -> Option<Vec<UserId>> {
    let viewers = Viewers::of(t);
    viewers.private(policy).then(|| viewers.everyone(policy))
}

/// Whether another trouble may be told of in `t`'s channel (its history, a possible
/// recurrence): a public one (`readers_of_other` None) anywhere; a private one only in a
/// private channel where everyone who reads it may see the other (is among its readers).
pub fn told_in(policy: &Policy, t: &Trouble, readers_of_other: Option<&[UserId]>) -> bool {
    let Some(readers) = readers_of_other else {
        return true;
    };
    let here = Viewers::of(t);
    here.private(policy) && here.everyone(policy).iter().all(|u| readers.contains(u))
}

/// Who hears a warning about a trouble (the customer kept waiting, the first call missed, the
/// owner away, the opening corrected, a promise far off): the owner's own manager from `[org]`,
/// never only a colleague the rep named (naming a friend would move every warning down a rung),
/// and the named manager beside them, who works the trouble.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Warned {
    /// The first of the owner's chain from `[org]`; the trouble's manager when `[org]` gives
    /// the owner none.
    pub manager: Option<UserId>,
    /// The manager named on the trouble, when not the owner's own: mentioned beside them.
    pub named: Option<UserId>,
    /// The one above the owner's manager: told once the customer has waited four periods.
    pub above: Option<UserId>,
}

impl Warned {
    /// The manager, then the one named beside them.
    pub fn mentioned(&self) -> impl Iterator<Item = &UserId> + Clone {
        self.manager.iter().chain(&self.named)
    }
}

/// Who hears a warning about `t`: see [`Warned`].
pub fn warned(policy: &Policy, t: &Trouble) -> Warned {
    let configured = chain_for(policy, &t.owner, None);
    match configured.first() {
        Some(manager) => Warned {
            manager: Some(manager.clone()),
            named: t.manager.clone().filter(|n| n != manager && *n != t.owner),
            above: configured.get(1).cloned(),
        },
        None => Warned {
            manager: t.manager.clone(),
            named: None,
            above: t.manager_chain().get(1).filter(|a| **a != t.owner).cloned(),
        },
    }
}

/// The row of the roles table a command falls under (None: anyone in the channel, or checked
/// where the command is decided).
pub(super) fn act_of(policy: &Policy, t: &Trouble, command: &Command) -> Option<Act> {
    Some(match command {
        // An unknown level is a usage mistake, answered as such to anyone.
        Command::Severity { to, .. } if !policy.severities.contains_key(to) => return None,
        Command::Next(_) | Command::Done(..) | Command::Start(..) => Act::Stages,
        Command::Update { .. } => Act::Update,
        Command::Split { .. } => Act::Split,
        Command::Cost { .. } => Act::Cost,
        Command::Prevent(_) => Act::Prevent,
        Command::Add { .. } => Act::Add,
        Command::Remove { .. } => Act::Remove,
        Command::Severity { to, .. } if !t.severity.is_more_severe_than(*to) => Act::RaiseSeverity,
        Command::Severity { .. } => Act::LowerSeverity,
        Command::Owner(_) => Act::ChangeOwner,
        Command::Manager(_) => Act::NameManager,
        Command::Close(_) => Act::Close,
        Command::CloseForce(_) => Act::CloseForce,
        Command::Step(step) => return step.act(),
        Command::Agreed(..) | Command::WithdrawAgreed { .. } => Act::Agree,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(pairs: &[(&str, &str)], default_manager: Option<&str>) -> Policy {
        Policy {
            managers: pairs.iter().map(|(p, m)| (UserId::new(*p), UserId::new(*m))).collect(),
            default_manager: default_manager.map(UserId::new),
            ..Policy::default()
        }
    }

    fn chain(policy: &Policy, owner: &str, named: Option<&str>) -> Vec<String> {
        chain_for(policy, &UserId::new(owner), named.map(UserId::new).as_ref())
            .into_iter()
            .map(|u| u.as_str().to_string())
            .collect()
    }

    #[test]
    fn a_loop_in_the_org_never_costs_the_owner_their_direct_manager() {
        // U0DIRECTOR reports back to the rep: the walk up stops where it comes round.
        let looped = org(
            &[
                ("U0SALES1", "U0MANAGER"),
                ("U0MANAGER", "U0DIRECTOR"),
                ("U0DIRECTOR", "U0SALES1"),
            ],
            None,
        );
        assert_eq!(chain(&looped, "U0SALES1", None), ["U0MANAGER", "U0DIRECTOR"]);
        assert_eq!(chain(&looped, "U0MANAGER", None), ["U0DIRECTOR", "U0SALES1"]);
        // A person listed as their own manager has none: the default manager is not used for
        // them either, as they are listed (the configuration refuses this too).
        let own = org(&[("U0SALES1", "U0SALES1")], Some("U0MANAGER"));
        assert!(chain(&own, "U0SALES1", None).is_empty());
    }

    #[test]
    fn the_chain_goes_up_from_a_named_manager_without_repeats_or_anyone_below_the_owner() {
        let policy = org(
            &[
                ("U0SALES", "U0MANAGER"),
                ("U0MANAGER", "U0DIRECTOR"),
                ("U0DIRECTOR", "U0VP"),
                ("U0JUNIOR", "U0SALES"),
            ],
            None,
        );
        assert_eq!(chain(&policy, "U0SALES", None), ["U0MANAGER", "U0DIRECTOR", "U0VP"]);
        assert_eq!(
            chain(&policy, "U0SALES", Some("U0DIRECTOR")),
            ["U0DIRECTOR", "U0MANAGER", "U0VP"]
        );
        assert_eq!(
            chain(&policy, "U0SALES", Some("U0JUNIOR")),
            ["U0MANAGER", "U0DIRECTOR", "U0VP"],
            "someone who reports to the owner is never their manager"
        );
        assert_eq!(
            chain(&policy, "U0SALES", Some("U0SALES")),
            ["U0MANAGER", "U0DIRECTOR", "U0VP"]
        );
        assert!(chain(&policy, "U0VP", None).is_empty());
    }
}
