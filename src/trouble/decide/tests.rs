//! Table-driven unit tests of the pure core: `open`, `decide` and `channel_name`.
//!
//! Every test starts at the same instant (Friday 2026-11-27 03:00 UTC, 12:00 in Tokyo) and moves
//! time on explicitly. The org is U0SALES → U0MANAGER → U0DIRECTOR → U0VP.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::config::Config;
use crate::trouble::timeline::verify_chain;

const CONFIG: &str = r#"
channel_prefix = "trouble"
default_severity = 2

[org.managers]
U0SALES = "U0MANAGER"
U0MANAGER = "U0DIRECTOR"
U0DIRECTOR = "U0VP"
U0OTHERREP = "U0OTHERMGR"

[departments.quality]
name = "品質保証部"
usergroup = "S0QUALITY"
members = ["U0QA1", "U0QA2"]

[departments.field]
name = "フィールドサービス部"
usergroup = "S0FIELD"
members = ["U0FS1", "U0QA1"]

[severity.1]
ack_timeout = "10m"
customer_update_every = "1h"
departments = ["quality"]
announce_channels = ["C0BIZUNIT", "C0COMPANY"]

[severity.2]
ack_timeout = "30m"
customer_update_every = "4h"

[severity.3]
ack_timeout = "2h"
customer_update_every = "1d"
"#;

const T0: &str = "2026-11-27T03:00:00Z";
const ID: &str = "20261127-3";
const TROUBLE_CHANNEL: &str = "C0TROUBLE";
const KICKOFF_TS: &str = "1795748400.000100";
const RESPONSE_URL: &str = "https://hooks.slack.test/commands/T0/1/abc";
const CHAIN: [&str; 3] = ["U0MANAGER", "U0DIRECTOR", "U0VP"];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    T0.parse().expect("a valid instant")
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("a valid instant")
}

fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

fn u(id: &str) -> UserId {
    UserId::new(id)
}

fn users(ids: &[&str]) -> Vec<UserId> {
    ids.iter().map(|id| u(id)).collect()
}

fn config() -> Policy {
    config_with("")
}

/// The test configuration whole, as rendering an answer reads it.
fn full_config() -> Config {
    Config::from_sources(Some(CONFIG), &BTreeMap::new()).expect("the test config is valid")
}

/// The test config plus extra TOML (more departments, business hours, a default manager).
fn config_with(extra: &str) -> Policy {
    let text = format!("{CONFIG}\n{extra}");
    Config::from_sources(Some(&text), &BTreeMap::new())
        .expect("the test config is valid")
        .policy
}

fn req(customer: &str) -> OpenRequest {
    OpenRequest {
        severity: None,
        manager: None,
        departments: Vec::new(),
        customer: customer.to_string(),
        summary: "defective housings in lot 42".to_string(),
        past: Vec::new(),
    }
}

/// `/trouble cause TEXT [escape: WHY]` (an empty text: the escape point alone).
fn cause(text: &str, escape: Option<&str>) -> Command {
    Command::Step(crate::trouble::facts::Step::Cause {
        text: text.into(),
        escape: escape.map(str::to_string),
    })
}

fn sev(level: u8, customer: &str) -> OpenRequest {
    OpenRequest {
        severity: Some(Severity::new(level)),
        ..req(customer)
    }
}

/// A stage by its 0-based place, for tables of many stages.
fn stage_at(i: usize) -> StageId {
    StageId::from_index(i).expect("one of the seven stages")
}

/// `/trouble prevent TEXT`: a prevention action owned by the trouble's owner.
fn prevent(text: &str) -> Command {
    Command::Prevent(crate::trouble::actions::parse_prevent(text).expect("a prevention measure"))
}

fn depts(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn origin() -> Origin {
    Origin {
        channel: ChannelId::new("C0SALESFLOOR"),
        response_url: Some(RESPONSE_URL.to_string()),
        by: None,
    }
}

fn try_open(config: &Policy, owner: &str, req: OpenRequest) -> Decision {
    let ctx = Ctx {
        policy: config,
        now: t0(),
    };
    open(&ctx, TroubleId::new(ID), 3, u(owner), origin(), req)
}

/// The trouble after a decision: the decision's copy when it changed, else the one before.
fn apply(t: &Trouble, d: &Decision) -> Trouble {
    d.trouble.clone().unwrap_or_else(|| t.clone())
}

fn post_op(to: Dest, message: Message, keep_as: Option<Slot>) -> Op {
    Op::Post { to, message, keep_as }
}

fn posted(slot: Slot, channel: &str, ts: &str) -> Input {
    Input::Delivered(Outcome::Posted {
        slot,
        channel: ChannelId::new(channel),
        ts: Ts::new(ts),
        together: Vec::new(),
        shown: None,
    })
}

fn channel_created(name: &str) -> Input {
    Input::Delivered(Outcome::ChannelCreated {
        channel: ChannelId::new(TROUBLE_CHANNEL),
        name: name.to_string(),
    })
}

fn ops(d: &Decision, lane: Lane) -> Vec<Op> {
    d.deliveries
        .iter()
        .filter(|x| x.lane == lane)
        .map(|x| x.op.clone())
        .collect()
}

fn has_op(d: &Decision, lane: Lane, op: &Op) -> bool {
    ops(d, lane).contains(op)
}

/// Every DM posted: to whom, and what.
fn dms(d: &Decision) -> Vec<(UserId, Message)> {
    ops(d, Lane::Dm)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post {
                to: Dest::Dm(who),
                message,
                ..
            } => Some((who, message)),
            _ => None,
        })
        .collect()
}

/// Every message posted, in any lane.
fn messages(d: &Decision) -> Vec<Message> {
    d.deliveries
        .iter()
        .filter_map(|x| match &x.op {
            Op::Post { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn nudges(d: &Decision) -> Vec<Nudge> {
    messages(d)
        .into_iter()
        .filter_map(|m| match m {
            Message::Nudge(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn invite_batches(d: &Decision) -> Vec<Vec<UserId>> {
    d.deliveries
        .iter()
        .filter_map(|x| match &x.op {
            Op::Invite { users } => Some(users.clone()),
            _ => None,
        })
        .collect()
}

fn invited(d: &Decision) -> BTreeSet<UserId> {
    invite_batches(d).into_iter().flatten().collect()
}

fn events(d: &Decision) -> Vec<Event> {
    d.entries.iter().map(|e| e.event.clone()).collect()
}

/// The refusal of an act only the manager chain may do.
fn chain_only(act: Act) -> Reply {
    Reply::NotAllowed {
        act,
        who: Who::Chain(users(&CHAIN)),
    }
}

fn status_refreshes(d: &Decision) -> usize {
    d.deliveries
        .iter()
        .filter(|x| x.op == Op::Refresh { slot: Slot::Status })
        .count()
}

fn ack_timers(d: &Decision) -> Vec<(DateTime<Utc>, u32)> {
    d.timers
        .iter()
        .filter_map(|t| match t.kind {
            TimerKind::AckTimeout { round } => Some((t.due, round)),
            _ => None,
        })
        .collect()
}

fn followup_timers(d: &Decision) -> Vec<(DateTime<Utc>, u32)> {
    d.timers
        .iter()
        .filter_map(|t| match t.kind {
            TimerKind::FollowUp { epoch } => Some((t.due, epoch)),
            _ => None,
        })
        .collect()
}

/// A decision that changes nothing and says nothing to anyone (a reply may still be given).
fn assert_no_effect(d: &Decision, what: &str) {
    assert!(d.trouble.is_none(), "{what}: the trouble changed");
    assert!(d.entries.is_empty(), "{what}: timeline entries {:?}", d.entries);
    assert!(d.deliveries.is_empty(), "{what}: deliveries {:?}", d.deliveries);
    assert!(d.timers.is_empty(), "{what}: timers {:?}", d.timers);
}

fn assert_nothing_happens(d: &Decision, what: &str) {
    assert_no_effect(d, what);
    assert_eq!(d.reply, None, "{what}");
}

/// One trouble driven through a sequence of inputs, the way the shell would: each decision's
/// trouble replaces the stored one, entries are appended, timers collected.
struct Sim {
    config: Policy,
    now: DateTime<Utc>,
    t: Trouble,
    entries: Vec<Entry>,
    timers: Vec<Timer>,
}

impl Sim {
    fn open(config: Policy, owner: &str, req: OpenRequest) -> (Sim, Decision) {
        let d = try_open(&config, owner, req);
        let t = d.trouble.clone().expect("a valid open creates the trouble");
        let sim = Sim {
            config,
            now: t0(),
            t,
            entries: d.entries.clone(),
            timers: d.timers.clone(),
        };
        (sim, d)
    }

    /// Opened by U0SALES, with the DM, channel, origin notice, kickoff and status delivered.
    fn ready(req: OpenRequest) -> Sim {
        Sim::ready_with(config(), req)
    }

    fn ready_with(config: Policy, req: OpenRequest) -> Sim {
        let (mut sim, _) = Sim::open(config, "U0SALES", req);
        let name = sim.t.channel_name.clone().expect("a channel name at opening");
        sim.feed(posted(Slot::ManagerDm, "D0MANAGER", "1795748400.000001"));
        sim.feed(channel_created(&name));
        sim.feed(posted(Slot::OriginNotice, "C0SALESFLOOR", "1795748400.000002"));
        sim.feed(posted(Slot::Kickoff, TROUBLE_CHANNEL, KICKOFF_TS));
        sim.feed(posted(Slot::Status, TROUBLE_CHANNEL, "1795748400.000200"));
        sim
    }

    fn feed(&mut self, input: Input) -> Decision {
        let ctx = Ctx {
            policy: &self.config,
            now: self.now,
        };
        let what = format!("{input:?}");
        let d = decide(&ctx, &self.t, input);
        self.t = apply(&self.t, &d);
        self.entries.extend(d.entries.iter().cloned());
        self.timers.extend(d.timers.iter().cloned());
        // Every decision keeps the record as its timeline tells it: `verify` never cries wolf.
        let differs = crate::trouble::replay::differs(&self.t, &self.entries);
        assert_eq!(differs, None, "the record and its timeline disagree after {what}");
        d
    }

    fn cmd(&mut self, user: &str, command: Command) -> Decision {
        self.feed(Input::Command { user: u(user), command })
    }

    /// `user` clicks a button; what they are answered.
    fn click(&mut self, user: &str, action: ButtonAction) -> Reply {
        self.feed(Input::Button { user: u(user), action })
            .reply
            .expect("an answer")
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Time moves on to the timer's due instant and the timer fires.
    fn fire_when_due(&mut self, timer: &Timer) -> Decision {
        assert!(timer.due >= self.now, "time never runs backwards");
        self.now = timer.due;
        self.feed(Input::Timer(timer.kind.clone()))
    }

    /// The timer fires a millisecond after its due instant, as a real one does (it is decided
    /// after the wake-up and the store read, never at the very instant).
    fn fire_late(&mut self, timer: &Timer) -> Decision {
        assert!(timer.due >= self.now, "time never runs backwards");
        self.now = timer.due + Duration::milliseconds(1);
        self.feed(Input::Timer(timer.kind.clone()))
    }

    fn last_ack_timer(&self) -> Timer {
        let timer = self
            .timers
            .iter()
            .rev()
            .find(|t| matches!(t.kind, TimerKind::AckTimeout { .. }));
        timer.expect("an ack timer was set").clone()
    }

    fn last_followup_timer(&self) -> Timer {
        let timer = self
            .timers
            .iter()
            .rev()
            .find(|t| matches!(t.kind, TimerKind::FollowUp { .. }));
        timer.expect("a follow-up timer was set").clone()
    }

    /// What the deliverer tells the core as the queued status refresh goes.
    fn status_refresh_delivered(&mut self) {
        self.feed(Input::Sending(Op::Refresh { slot: Slot::Status }));
        assert!(!self.t.status_refresh_queued);
    }

    /// Every stage done and a measure recorded: what `close` needs.
    /// Every stage done and a prevention measure recorded.
    fn ready_to_close(&mut self) {
        self.cmd("U0SALES", prevent("outgoing inspection of lot markings"));
        self.cause_found();
        self.settled();
        for stage in StageId::all() {
            if self.t.stage(stage).state != StageState::Done {
                self.cmd("U0SALES", Command::Done(stage, String::new()));
            }
        }
    }

    /// A split approved and a cost of nothing recorded, as stages 5 and 6 need to be done
    /// (unless the chain says why not).
    fn settled(&mut self) {
        if self.t.split.is_none() {
            self.cmd(
                "U0SALES",
                Command::Split {
                    ours: 100,
                    customer: 0,
                    other: 0,
                    reason: "our packing".into(),
                },
            );
            let p = self
                .t
                .agreement
                .proposals
                .last()
                .expect("the split is proposed")
                .clone();
            let by = crate::trouble::approval::approvers(&self.config, &self.t, &p)[0].clone();
            self.click(by.as_str(), ButtonAction::Proposal { n: p.n, approve: true });
        }
        if self.t.costs.is_empty() {
            let cost = Command::Cost {
                amount: "¥0".into(),
                payer: "ours".into(),
                note: "replaced free".into(),
            };
            self.cmd("U0SALES", cost);
        }
    }

    /// The cause recorded, as stage 3 needs to be done (unless the chain says why not).
    fn cause_found(&mut self) {
        if self.t.substance.cause.is_none() {
            let cause = crate::trouble::facts::Step::Cause {
                text: "mold temperature drifted".into(),
                escape: None,
            };
            self.cmd("U0SALES", Command::Step(cause));
        }
    }

    /// Acknowledged (no owner closes a trouble its chain has not heard of) and ready to close.
    fn acknowledged_and_ready_to_close(&mut self) {
        if self.t.ack.is_none() {
            self.cmd("U0MANAGER", Command::Ack);
        }
        self.ready_to_close();
    }

    fn close_properly(&mut self) {
        self.acknowledged_and_ready_to_close();
        let d = self.cmd("U0SALES", Command::Close("customer satisfied".into()));
        assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    }

    fn assert_chain_valid(&self) {
        if let Err(b) = verify_chain(&self.entries, self.t.timeline_len, &self.t.timeline_head) {
            panic!("timeline chain broken at entry {}: {}", b.seq, b.why);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// open: the first move
// ---------------------------------------------------------------------------------------------

#[test]
fn open_uses_the_default_severity_unless_one_is_given() {
    // (asked for, severity, ack timeout, customer-update cadence)
    let cases = [
        (None, 2, mins(30), hours(4)),
        (Some(1), 1, mins(10), hours(1)),
        (Some(2), 2, mins(30), hours(4)),
        (Some(3), 3, hours(2), hours(24)),
    ];
    for (asked, severity, ack, cadence) in cases {
        let (asked, severity) = (asked.map(Severity::new), Severity::new(severity));
        let (sim, d) = Sim::open(
            config(),
            "U0SALES",
            OpenRequest {
                severity: asked,
                ..req("ACME")
            },
        );
        assert_eq!(sim.t.severity, severity, "asked {asked:?}");
        assert_eq!(
            d.reply,
            Some(Reply::Opened {
                id: TroubleId::new(ID),
                customer: "ACME".into(),
                severity,
                channel_name: "trouble-20261127-3-acme".into(),
                manager_pinged: true,
                top_of_org: false,
            })
        );
        assert_eq!(ack_timers(&d), vec![(t0() + ack, 1)], "asked {asked:?}");
        assert_eq!(followup_timers(&d), vec![(t0() + cadence, 1)], "asked {asked:?}");
        assert!(d.timers.iter().all(|t| t.trouble == TroubleId::new(ID)));
        assert_eq!(sim.t.escalation.round, 1);
        assert_eq!(sim.t.followup_epoch, 1);
        assert_eq!(sim.t.opened_at, t0());
        assert!(sim.t.is_open() && sim.t.ack.is_none());
        assert_eq!(sim.t.stages.len(), STAGE_COUNT);
        assert_eq!(
            sim.t.stages[0].state,
            StageState::InProgress,
            "gathering facts starts at once"
        );
        assert_eq!(sim.t.stages[0].started_at, Some(t0()));
        assert!(sim.t.stages[1..].iter().all(|s| s.state == StageState::NotStarted));
    }
}

#[test]
fn open_refuses_an_unknown_department_and_creates_nothing() {
    for named in [vec!["legal"], vec!["quality", "legal"]] {
        let d = try_open(
            &config(),
            "U0SALES",
            OpenRequest {
                departments: depts(&named),
                ..req("ACME")
            },
        );
        let bad = named.iter().find(|n| **n != "quality").expect("a bad name");
        assert_eq!(
            d.reply,
            Some(Reply::UnknownDepartment {
                name: bad.to_string(),
                known: depts(&["field", "quality"]),
            }),
            "{named:?}"
        );
        assert_no_effect(&d, "unknown department");
    }
}

/// A department named in another case (`+Quality`, as a phone capitalises it) is the
/// department as configured.
#[test]
fn open_reads_a_department_in_any_case_as_configured() {
    let (sim, _) = Sim::open(
        config(),
        "U0SALES",
        OpenRequest {
            departments: depts(&["Quality", "FIELD"]),
            ..req("ACME")
        },
    );
    assert_eq!(sim.t.departments, depts(&["quality", "field"]));
}

#[test]
fn open_refuses_an_unknown_severity_and_creates_nothing() {
    for level in [0, 4, 9] {
        let d = try_open(&config(), "U0SALES", sev(level, "ACME"));
        assert_eq!(
            d.reply,
            Some(Reply::UnknownSeverity {
                level: Severity::new(level),
                known: [1, 2, 3].map(Severity::new).to_vec()
            })
        );
        assert_no_effect(&d, "unknown severity");
    }
}

#[test]
fn open_puts_a_named_manager_in_front_of_the_configured_chain_and_dms_both() {
    /// (owner, named manager, manager, escalation chain, the configured manager DMed as well)
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static [&'static str],
        Option<&'static str>,
    );
    let cases: [Case; 6] = [
        ("U0SALES", None, Some("U0MANAGER"), &CHAIN, None),
        (
            "U0SALES",
            Some("U0OTHERMGR"),
            Some("U0OTHERMGR"),
            &["U0OTHERMGR", "U0MANAGER", "U0DIRECTOR", "U0VP"],
            Some("U0MANAGER"),
        ),
        (
            "U0SALES",
            Some("U0DIRECTOR"),
            Some("U0DIRECTOR"),
            &["U0DIRECTOR", "U0MANAGER", "U0VP"],
            Some("U0MANAGER"),
        ),
        ("U0OTHERREP", None, Some("U0OTHERMGR"), &["U0OTHERMGR"], None),
        // Nobody configured above the owner: the named manager's own superiors follow.
        ("U0LONER", Some("U0MANAGER"), Some("U0MANAGER"), &CHAIN, None),
        ("U0LONER", None, None, &[], None),
    ];
    for (owner, named, manager, chain, configured) in cases {
        let (sim, d) = Sim::open(
            config(),
            owner,
            OpenRequest {
                manager: named.map(u),
                ..req("ACME")
            },
        );
        let case = format!("{owner} naming {named:?}");
        assert_eq!(sim.t.owner, u(owner), "{case}");
        assert_eq!(sim.t.manager, manager.map(u), "{case}");
        assert_eq!(sim.t.manager_chain(), users(chain).as_slice(), "{case}");
        let mut dms: Vec<Op> = manager
            .iter()
            .map(|m| post_op(Dest::Dm(u(m)), Message::ManagerDm, Some(Slot::ManagerDm)))
            .collect();
        dms.extend(configured.map(|c| post_op(Dest::Dm(u(c)), Message::ManagerDm, Some(Slot::ConfiguredManagerDm))));
        assert_eq!(ops(&d, Lane::Dm), dms, "{case}");
        if let Some(c) = configured {
            assert!(invited(&d).contains(&u(c)), "{case}: the configured manager is invited");
        }
    }
}

#[test]
fn an_owner_missing_from_the_org_table_gets_the_default_manager() {
    let config = config_with("[org]\ndefault_manager = \"U0DEFAULT\"\n");
    let (loner, _) = Sim::open(config.clone(), "U0LONER", req("ACME"));
    assert_eq!(loner.t.manager, Some(u("U0DEFAULT")));
    let (listed, _) = Sim::open(config, "U0SALES", req("ACME"));
    assert_eq!(
        listed.t.manager,
        Some(u("U0MANAGER")),
        "the org table wins over the default"
    );
}

#[test]
fn open_dms_the_manager_first_in_its_own_lane() {
    let (_, d) = Sim::open(config(), "U0SALES", sev(1, "ACME"));
    assert_eq!(
        d.deliveries.first(),
        Some(&Delivery {
            lane: Lane::Dm,
            op: post_op(Dest::Dm(u("U0MANAGER")), Message::ManagerDm, Some(Slot::ManagerDm)),
        }),
        "the manager's ping is the very first delivery"
    );
    assert_eq!(ops(&d, Lane::Dm).len(), 1);
}

#[test]
fn open_sets_up_the_channel_in_order_and_invites_everyone_concerned() {
    // Severity 1 always includes quality; field is named. U0QA1 is in both and is invited once.
    let (_, d) = Sim::open(
        config(),
        "U0SALES",
        OpenRequest {
            severity: Some(Severity::new(1)),
            departments: depts(&["field"]),
            ..req("ACME")
        },
    );
    let mut channel = ops(&d, Lane::Channel);
    for op in &mut channel {
        if let Op::Invite { users } = op {
            users.sort();
        }
    }
    assert_eq!(
        channel,
        vec![
            Op::CreateChannel,
            Op::Invite {
                users: users(&["U0FS1", "U0MANAGER", "U0QA1", "U0QA2", "U0SALES"])
            },
            post_op(Dest::TroubleChannel, Message::Kickoff, Some(Slot::Kickoff)),
            Op::Pin { slot: Slot::Kickoff },
            post_op(Dest::TroubleChannel, Message::Status, Some(Slot::Status)),
            Op::Pin { slot: Slot::Status },
        ]
    );
    assert!(!messages(&d).contains(&Message::NoManagerHint));
}

#[test]
fn open_invites_in_batches_of_at_most_one_hundred_without_duplicates() {
    // 150 members of "big", who also list the owner and a quality member.
    let big: Vec<String> = (1..=150).map(|i| format!("\"U0BIG{i:03}\"")).collect();
    let extra = format!(
        "[departments.big]\nmembers = [{}, \"U0SALES\", \"U0QA1\"]\n",
        big.join(", ")
    );
    let (_, d) = Sim::open(
        config_with(&extra),
        "U0SALES",
        OpenRequest {
            departments: depts(&["big", "quality"]),
            ..req("ACME")
        },
    );
    let batches = invite_batches(&d);
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![100, 54], "owner + manager + 150 + U0QA1 + U0QA2");
    let all: Vec<UserId> = batches.iter().flatten().cloned().collect();
    let unique: BTreeSet<UserId> = all.iter().cloned().collect();
    assert_eq!(unique.len(), all.len(), "nobody is invited twice");
    for who in ["U0SALES", "U0MANAGER", "U0BIG001", "U0BIG150", "U0QA1", "U0QA2"] {
        assert!(unique.contains(&u(who)), "{who} is invited");
    }
    // The batches sit between the channel's creation and the kickoff post.
    let channel = ops(&d, Lane::Channel);
    assert_eq!(channel[0], Op::CreateChannel);
    assert!(matches!(channel[1], Op::Invite { .. }) && matches!(channel[2], Op::Invite { .. }));
    assert_eq!(
        channel[3],
        post_op(Dest::TroubleChannel, Message::Kickoff, Some(Slot::Kickoff))
    );
}

#[test]
fn open_tells_the_origin_channel_and_every_announce_channel_of_the_severity() {
    // (severity, announce channels)
    let cases: [(u8, &[&str]); 3] = [(1, &["C0BIZUNIT", "C0COMPANY"]), (2, &[]), (3, &[])];
    for (level, announce) in cases {
        let (_, d) = Sim::open(config(), "U0SALES", sev(level, "ACME"));
        assert_eq!(
            ops(&d, Lane::Origin),
            vec![post_op(
                Dest::Channel(ChannelId::new("C0SALESFLOOR")),
                Message::OriginNotice,
                Some(Slot::OriginNotice)
            )],
            "severity {level}"
        );
        let expected: Vec<Op> = announce
            .iter()
            .enumerate()
            .map(|(n, c)| {
                let kept = Some(Slot::Announcement { n });
                post_op(Dest::Channel(ChannelId::new(*c)), Message::Announcement, kept)
            })
            .collect();
        assert_eq!(ops(&d, Lane::Announce), expected, "severity {level}");
    }
}

#[test]
fn open_writes_opened_and_manager_pinged_on_a_valid_chain() {
    let (sim, d) = Sim::open(
        config(),
        "U0SALES",
        OpenRequest {
            severity: Some(Severity::new(1)),
            departments: depts(&["field"]),
            ..req("ACME")
        },
    );
    assert_eq!(
        events(&d),
        vec![
            Event::Opened {
                customer: "ACME".into(),
                summary: "defective housings in lot 42".into(),
                severity: Severity::new(1),
                owner: u("U0SALES"),
                manager: Some(u("U0MANAGER")),
                departments: depts(&["field", "quality"]),
                named: Some(1),
                private: Some(false),
            },
            Event::ManagerPinged {
                manager: u("U0MANAGER")
            },
        ]
    );
    assert_eq!(d.entries[0].actor, Some(u("U0SALES")));
    assert_eq!(d.entries[1].actor, None);
    assert!(d
        .entries
        .iter()
        .all(|e| e.at == t0() && e.trouble == TroubleId::new(ID)));
    assert_eq!(d.entries[0].prev, GENESIS);
    assert_eq!(sim.t.timeline_len, 2);
    assert_eq!(
        verify_chain(&d.entries, sim.t.timeline_len, &sim.t.timeline_head),
        Ok(())
    );
}

#[test]
fn open_without_any_manager_posts_a_hint_and_sets_no_ack_timer() {
    let (sim, d) = Sim::open(config(), "U0LONER", req("ACME"));
    assert_eq!(sim.t.manager, None);
    assert!(sim.t.manager_chain().is_empty());
    assert!(ops(&d, Lane::Dm).is_empty(), "nobody to DM");
    let hint = post_op(Dest::TroubleChannel, Message::NoManagerHint, None);
    let channel = ops(&d, Lane::Channel);
    assert_eq!(channel.iter().filter(|op| **op == hint).count(), 1);
    assert!(
        channel.iter().position(|op| *op == hint) > channel.iter().position(|op| *op == Op::CreateChannel),
        "the hint goes into the channel, after it exists"
    );
    assert_eq!(invited(&d), BTreeSet::from([u("U0LONER")]));
    assert!(ack_timers(&d).is_empty());
    assert_eq!(followup_timers(&d), vec![(t0() + hours(4), 1)]);
    assert_eq!(events(&d).len(), 1, "only Opened: {:?}", events(&d));
    assert!(matches!(events(&d)[0], Event::Opened { manager: None, .. }));
    assert_eq!(
        verify_chain(&d.entries, sim.t.timeline_len, &sim.t.timeline_head),
        Ok(())
    );
}

#[test]
fn naming_a_department_twice_records_and_pings_it_once() {
    let (sim, d) = Sim::open(
        config(),
        "U0SALES",
        OpenRequest {
            departments: depts(&["quality", "field", "quality"]),
            ..req("ACME")
        },
    );
    assert_eq!(sim.t.departments, depts(&["quality", "field"]));
    assert!(
        matches!(&events(&d)[0], Event::Opened { departments, .. } if *departments == depts(&["quality", "field"]))
    );
}

// ---------------------------------------------------------------------------------------------
// channel_name
// ---------------------------------------------------------------------------------------------

#[test]
fn channel_names_are_built_from_the_ascii_letters_and_digits_of_the_customer() {
    // (customer, attempt, name)
    let cases = [
        ("ACME", 1, "trouble-20261127-3-acme"),
        ("ACME Corp.", 1, "trouble-20261127-3-acme-corp"),
        ("--Big   Co--", 1, "trouble-20261127-3-big-co"),
        ("Plant 42", 1, "trouble-20261127-3-plant-42"),
        ("株式会社山田製作所", 1, "trouble-20261127-3"),
        ("山田 Yamada工業 (Osaka) K.K.", 1, "trouble-20261127-3-yamada-osaka-k-k"),
        ("ÉCOLE Süd", 1, "trouble-20261127-3-cole-s-d"),
        ("ACME", 2, "trouble-20261127-3-acme-2"),
        ("ACME Corp.", 3, "trouble-20261127-3-acme-corp-3"),
        ("株式会社山田製作所", 2, "trouble-20261127-3-2"),
    ];
    for (customer, attempt, expected) in cases {
        assert_eq!(
            channel_name("trouble", &TroubleId::new(ID), customer, attempt),
            expected,
            "{customer:?} attempt {attempt}"
        );
    }
}

#[test]
fn channel_names_never_exceed_eighty_characters() {
    let long_word = "A".repeat(300);
    let long_words = "Very Long Customer Name Holdings ".repeat(10);
    let long_prefix = "a".repeat(40);
    for (prefix, customer) in [
        ("trouble", long_word.as_str()),
        ("trouble", long_words.as_str()),
        (long_prefix.as_str(), long_words.as_str()),
    ] {
        for attempt in [1, 2, 17, 1000] {
            let name = channel_name(prefix, &TroubleId::new(ID), customer, attempt);
            let case = format!("{prefix}/{customer:.20}… attempt {attempt}: {name}");
            assert!(name.chars().count() <= 80, "{case}");
            assert!(name.starts_with(&format!("{prefix}-{ID}-")), "{case}");
            assert_eq!(name, name.to_lowercase(), "{case}");
            assert!(!name.contains("--") && !name.ends_with('-'), "{case}");
            if attempt > 1 {
                assert!(name.ends_with(&format!("-{attempt}")), "{case}");
            }
        }
    }
    // Long names still fill the room they have.
    assert_eq!(channel_name("trouble", &TroubleId::new(ID), &long_word, 1).len(), 80);
}

// ---------------------------------------------------------------------------------------------
// Acknowledgement
// ---------------------------------------------------------------------------------------------

#[test]
fn a_reply_in_the_kickoff_thread_acknowledges_only_when_it_comes_from_the_manager_chain() {
    // (who replies, in which thread, acknowledges?)
    let cases = [
        ("U0MANAGER", KICKOFF_TS, true),
        ("U0DIRECTOR", KICKOFF_TS, true),
        ("U0VP", KICKOFF_TS, true),
        ("U0QA1", KICKOFF_TS, false),
        ("U0SALES", KICKOFF_TS, false),
        ("U0MANAGER", "1795748999.000900", false),
    ];
    for (who, thread, acks) in cases {
        let mut sim = Sim::ready(req("ACME"));
        sim.advance(mins(4) + Duration::seconds(12));
        let d = sim.feed(Input::ThreadReply {
            user: u(who),
            thread_ts: Ts::new(thread),
        });
        let case = format!("{who} in thread {thread}");
        assert_eq!(d.reply, None, "{case}");
        if !acks {
            assert_nothing_happens(&d, &case);
            assert_eq!(sim.t.ack, None);
            continue;
        }
        assert_eq!(
            sim.t.ack,
            Some(Acknowledgement {
                by: u(who),
                at: t0() + Duration::seconds(252),
                wait_untold: false,
            }),
            "{case}"
        );
        assert!(has_op(
            &d,
            Lane::Channel,
            &post_op(
                Dest::KickoffThread,
                Message::Acknowledged {
                    by: u(who),
                    after_secs: 252,
                    wait_withheld: false,
                },
                None
            )
        ));
        assert!(has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Kickoff }));
        assert_eq!(status_refreshes(&d), 1);
        assert_eq!(ops(&d, Lane::Dm), vec![Op::Refresh { slot: Slot::ManagerDm }]);
        assert_eq!(
            events(&d),
            vec![Event::Acknowledged {
                by: u(who),
                after_secs: 252
            }]
        );
        assert_eq!(d.entries[0].actor, Some(u(who)));
    }
}

/// Slack posted the kickoff and the manager answered in its thread before the post's answer
/// told the bot its ts: the reply is kept (nothing said, nothing logged), and acknowledges once
/// the kickoff turns out to be that thread; a reply in another thread does not.
#[test]
fn a_thread_reply_before_the_kickoff_is_known_acknowledges_once_it_is() {
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    let elsewhere = sim.feed(Input::ThreadReply {
        user: u("U0DIRECTOR"),
        thread_ts: Ts::new("1795748400.000777"),
    });
    let d = sim.feed(Input::ThreadReply {
        user: u("U0MANAGER"),
        thread_ts: Ts::new(KICKOFF_TS),
    });
    for d in [&elsewhere, &d] {
        assert!(
            d.entries.is_empty() && d.deliveries.is_empty() && d.reply.is_none(),
            "{d:?}"
        );
    }
    assert_eq!(sim.t.early_replies.len(), 2);
    assert_eq!(sim.t.ack, None);
    let known = sim.feed(posted(Slot::Kickoff, TROUBLE_CHANNEL, KICKOFF_TS));
    assert_eq!(sim.t.ack.as_ref().map(|a| &a.by), Some(&u("U0MANAGER")));
    assert!(sim.t.early_replies.is_empty());
    assert!(matches!(&known.entries[..], [e] if matches!(e.event, Event::Acknowledged { .. })));
}

#[test]
fn the_ack_command_and_button_acknowledge_for_the_manager_chain() {
    let inputs = [
        Input::Command {
            user: u("U0MANAGER"),
            command: Command::Ack,
        },
        Input::Button {
            user: u("U0DIRECTOR"),
            action: ButtonAction::Acknowledge,
        },
    ];
    for input in inputs {
        let mut sim = Sim::ready(req("ACME"));
        sim.advance(mins(3));
        let d = sim.feed(input.clone());
        assert!(matches!(d.reply, Some(Reply::Acknowledged { .. })), "{input:?}");
        assert!(sim.t.ack.is_some(), "{input:?}");
        assert!(matches!(events(&d)[..], [Event::Acknowledged { after_secs: 180, .. }]));
    }
}

#[test]
fn a_second_acknowledgement_changes_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(mins(2));
    sim.cmd("U0MANAGER", Command::Ack);
    let first = sim.t.ack.clone();
    sim.advance(mins(5));
    // (second attempt, reply)
    let cases = [
        (
            Input::Command {
                user: u("U0DIRECTOR"),
                command: Command::Ack,
            },
            Some(Reply::AlreadyAcknowledged {
                by: u("U0MANAGER"),
                you: false,
            }),
        ),
        (
            Input::Button {
                user: u("U0MANAGER"),
                action: ButtonAction::Acknowledge,
            },
            // The button, on a DM beside others, names its trouble.
            Some(Reply::AboutTrouble {
                id: sim.t.id.clone(),
                customer: sim.t.customer.clone(),
                reply: Box::new(Reply::AlreadyAcknowledged {
                    by: u("U0MANAGER"),
                    you: true,
                }),
            }),
        ),
        (
            Input::ThreadReply {
                user: u("U0VP"),
                thread_ts: Ts::new(KICKOFF_TS),
            },
            None,
        ),
    ];
    for (input, reply) in cases {
        let d = sim.feed(input.clone());
        assert_eq!(d.reply, reply, "{input:?}");
        assert_no_effect(&d, &format!("{input:?}"));
        assert_eq!(sim.t.ack, first);
    }
}

#[test]
fn someone_outside_the_manager_chain_may_not_acknowledge() {
    for who in ["U0QA1", "U0SALES"] {
        for input in [
            Input::Button {
                user: u(who),
                action: ButtonAction::Acknowledge,
            },
            Input::Command {
                user: u(who),
                command: Command::Ack,
            },
        ] {
            let mut sim = Sim::ready(req("ACME"));
            let typed_by_owner = who == "U0SALES" && matches!(input, Input::Command { .. });
            let d = sim.feed(input.clone());
            let refused = match chain_only(Act::Acknowledge) {
                // The owner typing it (確認, "check" to many) is pointed to the status too.
                Reply::NotAllowed { who, .. } if typed_by_owner => Reply::AckNotAllowedToOwner {
                    who,
                    id: sim.t.id.clone(),
                },
                // The button, on a DM beside others, names its trouble.
                refused if matches!(input, Input::Button { .. }) => Reply::AboutTrouble {
                    id: sim.t.id.clone(),
                    customer: sim.t.customer.clone(),
                    reply: Box::new(refused),
                },
                refused => refused,
            };
            assert_eq!(d.reply, Some(refused), "{input:?}");
            assert_no_effect(&d, &format!("{input:?}"));
            assert_eq!(sim.t.ack, None);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escalation
// ---------------------------------------------------------------------------------------------

/// Who an escalation's DM says was asked before: the manager at opening, then each step's.
fn asked_before(sim: &Sim, steps: &[(&str, usize, Duration, Duration, u32)]) -> Vec<AskedBefore> {
    let ago = |at: DateTime<Utc>| Some((sim.now - at).num_seconds());
    std::iter::once(AskedBefore {
        who: u("U0MANAGER"),
        secs_ago: ago(t0()),
    })
    .chain(steps.iter().map(|(who, _, waited, _, _)| AskedBefore {
        who: u(who),
        secs_ago: ago(t0() + *waited),
    }))
    .collect()
}

#[test]
fn no_ack_within_the_timeout_escalates_one_level_up_the_chain() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: 30 minutes
                                           // (reached, level, waited, next timer due, next round)
    let steps = [
        ("U0DIRECTOR", 1, mins(30), mins(60), 2),
        ("U0VP", 2, mins(60), mins(90), 3),
    ];
    for (to, level, waited, next_due, next_round) in steps {
        let timer = sim.last_ack_timer();
        assert_eq!(timer.due, t0() + waited);
        sim.status_refresh_delivered();
        let d = sim.fire_when_due(&timer);
        let waited_secs = waited.num_seconds();
        assert_eq!(sim.t.escalation.level, level);
        assert_eq!(
            ops(&d, Lane::Channel),
            vec![
                Op::Invite { users: users(&[to]) },
                post_op(
                    Dest::KickoffThread,
                    Message::EscalationMention {
                        to: u(to),
                        waited_secs,
                        passed_over: None,
                        new_to_chain: None,
                    },
                    None
                ),
                Op::Refresh { slot: Slot::Status },
                Op::Refresh { slot: Slot::Kickoff },
            ],
            "{to}"
        );
        assert_eq!(
            ops(&d, Lane::Dm),
            vec![
                post_op(
                    Dest::Dm(u(to)),
                    Message::EscalationDm {
                        to: u(to),
                        waited_secs,
                        passed_over: None,
                        new_to_chain: None,
                        asked_before: asked_before(&sim, &steps[..level - 1]),
                    },
                    Some(Slot::EscalationDm)
                ),
                Op::Refresh { slot: Slot::ManagerDm }
            ],
            "{to}"
        );
        assert_eq!(ack_timers(&d), vec![(t0() + next_due, next_round)], "{to}");
        assert_eq!(sim.t.escalation.round, next_round);
        assert_eq!(events(&d), vec![Event::Escalated { to: u(to), level }]);
    }
}

/// The edits of DMs no slot names (the escalation DMs): which message, and what it is told.
fn edits(d: &Decision) -> Vec<(String, Message)> {
    ops(d, Lane::Dm)
        .into_iter()
        .filter_map(|op| match op {
            Op::Edit { ts, message, .. } => Some((ts.to_string(), message)),
            _ => None,
        })
        .collect()
}

fn escalation_dm_posted(who: &str, ts: &str) -> Input {
    Input::Delivered(Outcome::Posted {
        slot: Slot::EscalationDm,
        channel: ChannelId::new(format!("D{who}")),
        ts: Ts::new(ts),
        together: Vec::new(),
        shown: Some(Box::new(Message::EscalationDm {
            to: u(who),
            waited_secs: 3600,
            passed_over: None,
            new_to_chain: None,
            asked_before: Vec::new(),
        })),
    })
}

fn kept_dms(t: &Trouble) -> Vec<&str> {
    t.escalation.dms.iter().map(|m| m.posted.ts.as_str()).collect()
}

#[test]
fn escalation_dms_are_kept_one_per_person_and_lose_their_button_once_acknowledged() {
    // Answered, each names whom it asked (for the refused channel's button, none here).
    let answered = |to: &str| Message::EscalationDmSettled {
        asked_again: false,
        to: Some(u(to)),
    };
    let asked_again = Message::EscalationDmSettled {
        asked_again: true,
        to: None,
    };
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    assert!(edits(&sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"))).is_empty());
    sim.fire_when_due(&sim.last_ack_timer()); // the VP, the top
    sim.feed(escalation_dm_posted("U0VP", "2.1"));
    sim.fire_when_due(&sim.last_ack_timer()); // the VP again
                                              // Only the newest DM to a person asks: the older one is edited as the newer one lands.
    let d = sim.feed(escalation_dm_posted("U0VP", "2.2"));
    assert_eq!(edits(&d), vec![("2.1".to_string(), asked_again)]);
    assert_eq!(kept_dms(&sim.t), vec!["1.1", "2.2"]);
    // The same post told twice is not a newer one.
    assert!(edits(&sim.feed(escalation_dm_posted("U0VP", "2.2"))).is_empty());
    assert_eq!(kept_dms(&sim.t), vec!["1.1", "2.2"], "told twice");
    sim.advance(mins(3));
    let d = sim.cmd("U0VP", Command::Ack);
    assert!(matches!(d.reply, Some(Reply::Acknowledged { .. })));
    assert_eq!(
        edits(&d),
        vec![
            ("1.1".to_string(), answered("U0DIRECTOR")),
            ("2.2".to_string(), answered("U0VP"))
        ]
    );
    assert!(sim.t.escalation.dms.is_empty(), "nothing kept once answered");
    // A DM still on its way when someone acknowledged is edited as soon as Slack has it.
    let d = sim.feed(escalation_dm_posted("U0DIRECTOR", "1.2"));
    assert_eq!(edits(&d), vec![("1.2".to_string(), answered("U0DIRECTOR"))]);
    assert!(sim.t.escalation.dms.is_empty());
}

#[test]
fn escalation_dms_kept_before_what_they_said_was_kept_still_read_and_write_back_alike() {
    let stored = serde_json::json!({
        "chain": ["U0MANAGER", "U0DIRECTOR"], "level": 1, "round": 2, "top_repings": 0,
        "gave_up": false, "dms": [{"channel": "D0DIRECTOR", "ts": "1.1"}],
    });
    let e: Escalation = serde_json::from_value(stored.clone()).expect("reads");
    assert_eq!(
        kept_dms(&Trouble {
            escalation: e.clone(),
            ..Sim::ready(req("ACME")).t
        }),
        vec!["1.1"]
    );
    assert!(e.dms[0].shown.is_none() && e.asked.is_empty());
    let written = serde_json::to_value(&e).expect("writes");
    assert_eq!(written["dms"], stored["dms"]);
    assert!(written.get("asked").is_none());
}

#[test]
fn a_hand_over_releases_every_dm_asking_someone_it_leaves_out() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0DIRECTOR")));
    assert!(matches!(d.reply, Some(Reply::OwnerChanged { .. })), "{:?}", d.reply);
    assert_eq!(sim.t.escalation.chain, users(&["U0VP"]));
    // The director, asked above, owns it now: their DM says so.
    let released = |above| Message::NoLongerManager {
        by: u("U0MANAGER"),
        to: u("U0VP"),
        handed_to: Some(u("U0DIRECTOR")),
        above,
        yours: above,
        // The manager's own DM: they handed it over.
        by_you: !above,
    };
    assert_eq!(
        edits(&d),
        vec![
            ("1795748400.000001".to_string(), released(false)),
            ("1.1".to_string(), released(true)),
        ]
    );
    assert!(
        sim.t.manager_dm.is_none() && sim.t.escalation.dms.is_empty(),
        "forgotten"
    );
    // The one the new chain asks is asked, and kept.
    assert!(dms(&d)
        .iter()
        .any(|(who, m)| who.as_str() == "U0VP" && matches!(m, Message::EscalationDm { .. })));
    sim.feed(escalation_dm_posted("U0VP", "2.1"));
    assert_eq!(kept_dms(&sim.t), vec!["2.1"]);
    // A DM to someone left out, landing after the change, no longer asks at once.
    let d = sim.feed(escalation_dm_posted("U0DIRECTOR", "1.2"));
    assert_eq!(
        edits(&d),
        vec![(
            "1.2".to_string(),
            Message::EscalationDmSettled {
                asked_again: false,
                to: None
            }
        )]
    );
    assert_eq!(kept_dms(&sim.t), vec!["2.1"]);
}

#[test]
fn a_severity_change_edits_the_dms_still_asking_and_a_raise_reaches_whoever_is_asked() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    let raised = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter(|(_, m)| matches!(m, Message::SeverityRaised { .. }))
            .map(|(who, _)| who)
            .collect()
    };
    assert_eq!(raised(&d), users(&["U0MANAGER", "U0DIRECTOR"]));
    let asked = |ts: &str, m: &(String, Message)| m.0 == ts && matches!(m.1, Message::EscalationDm { .. });
    assert!(edits(&d).iter().any(|m| asked("1.1", m)), "{:?}", edits(&d));
    // Raised by the one asked: they are not told what they did.
    let d = sim.cmd(
        "U0DIRECTOR",
        Command::Severity {
            to: Severity::new(2),
            reason: "r".into(),
        },
    );
    assert!(edits(&d).iter().any(|m| asked("1.1", m)));
    let d = sim.cmd(
        "U0DIRECTOR",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert_eq!(raised(&d), users(&["U0MANAGER"]));
}

#[test]
fn a_trouble_closed_before_anyone_acknowledged_edits_every_dm_that_still_asks() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer());
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    sim.ready_to_close();
    let d = sim.cmd("U0DIRECTOR", Command::CloseForce("settled by phone".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    assert_eq!(
        edits(&d),
        vec![(
            "1.1".to_string(),
            Message::EscalationDmSettled {
                asked_again: false,
                to: Some(u("U0DIRECTOR"))
            }
        )]
    );
    // The manager's first DM loses its button too.
    assert!(has_op(&d, Lane::Dm, &Op::Refresh { slot: Slot::ManagerDm }));
    assert!(sim.t.escalation.dms.is_empty());
    // Closed once acknowledged, the manager's DM, answered, is edited to say it was closed, and
    // the manager hears of the close the owner made.
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    sim.ready_to_close();
    let d = sim.cmd("U0SALES", Command::Close("done".into()));
    let dms = ops(&d, Lane::Dm);
    assert!(
        matches!(&dms[..], [Op::Post { to: Dest::Dm(m), message: Message::ClosedNotice { .. }, .. }, Op::Refresh { slot: Slot::ManagerDm }] if m.as_str() == "U0MANAGER"),
        "{dms:?}"
    );
}

#[test]
fn someone_named_manager_is_told_so_with_the_time_since_opening_not_a_wait() {
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(mins(25));
    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0OTHERMGR")));
    assert_eq!(
        d.reply,
        Some(Reply::ManagerChanged {
            to: u("U0OTHERMGR"),
            ack_withdrawn: None
        })
    );
    let asked = Message::EscalationDm {
        to: u("U0OTHERMGR"),
        waited_secs: mins(25).num_seconds(),
        passed_over: None,
        new_to_chain: Some(NewToChain::Manager),
        asked_before: Vec::new(),
    };
    assert_eq!(dms(&d), vec![(u("U0OTHERMGR"), asked)]);
    assert!(messages(&d).contains(&Message::EscalationMention {
        to: u("U0OTHERMGR"),
        waited_secs: mins(25).num_seconds(),
        passed_over: None,
        new_to_chain: Some(NewToChain::Manager),
    }));
}

#[test]
fn a_stale_ack_timer_does_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    let first = sim.last_ack_timer();
    sim.fire_when_due(&first); // → round 2
    sim.advance(mins(1));
    for round in [0, 1, 3, 99] {
        let d = sim.feed(Input::Timer(TimerKind::AckTimeout { round }));
        assert_nothing_happens(&d, &format!("round {round}"));
    }
    assert_eq!(sim.t.escalation.level, 1);
}

#[test]
fn after_acknowledgement_an_ack_timer_does_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(mins(5));
    sim.cmd("U0MANAGER", Command::Ack);
    let timer = sim.last_ack_timer();
    let d = sim.fire_when_due(&timer);
    assert_nothing_happens(&d, "acknowledged");
    assert_eq!(sim.t.escalation.level, 0);
}

#[test]
fn at_the_top_of_the_chain_the_bot_repings_five_times_then_says_nobody_answered_once() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // director
    sim.fire_when_due(&sim.last_ack_timer()); // vp, the top
    assert_eq!(sim.t.escalation.level, 2);
    for count in 1..=5 {
        let timer = sim.last_ack_timer();
        let d = sim.fire_when_due(&timer);
        let waited_secs = (sim.now - t0()).num_seconds();
        assert_eq!(events(&d), vec![Event::Repinged { to: u("U0VP"), count }]);
        assert_eq!(
            ops(&d, Lane::Dm),
            vec![post_op(
                Dest::Dm(u("U0VP")),
                Message::EscalationDm {
                    to: u("U0VP"),
                    waited_secs,
                    passed_over: None,
                    new_to_chain: None,
                    asked_before: vec![
                        AskedBefore {
                            who: u("U0MANAGER"),
                            secs_ago: Some((sim.now - t0()).num_seconds()),
                        },
                        AskedBefore {
                            who: u("U0DIRECTOR"),
                            secs_ago: Some((sim.now - t0() - mins(30)).num_seconds()),
                        },
                    ],
                },
                Some(Slot::EscalationDm)
            )]
        );
        assert!(has_op(
            &d,
            Lane::Channel,
            &post_op(
                Dest::KickoffThread,
                Message::EscalationMention {
                    to: u("U0VP"),
                    waited_secs,
                    passed_over: None,
                    new_to_chain: None,
                },
                None
            )
        ));
        assert!(invite_batches(&d).is_empty(), "the top is already in the channel");
        assert_eq!(ack_timers(&d).len(), 1, "re-ping {count}");
        assert_eq!(ack_timers(&d)[0].0, sim.now + mins(30), "every ack_timeout");
    }
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(events(&d), vec![Event::NobodyAnswered]);
    assert_eq!(
        messages(&d),
        vec![Message::NobodyAnswered],
        "posted once, and no more pings"
    );
    assert!(has_op(
        &d,
        Lane::Channel,
        &post_op(Dest::TroubleChannel, Message::NobodyAnswered, None)
    ));
    assert!(sim.t.escalation.gave_up);
    // Then the chain is asked again once a day, never more often.
    assert_eq!(ack_timers(&d).len(), 1);
    assert_eq!(ack_timers(&d)[0].0, sim.now + hours(24), "a day on");
    let daily = sim.last_ack_timer();
    sim.advance(hours(1));
    let stale = sim.t.escalation.round - 1;
    let d = sim.feed(Input::Timer(TimerKind::AckTimeout { round: stale }));
    assert_nothing_happens(&d, "an earlier round after giving up");
    let d = sim.fire_when_due(&daily);
    let asked: Vec<Message> = messages(&d)
        .into_iter()
        .filter(|m| matches!(m, Message::EscalationDm { .. }))
        .collect();
    assert_eq!(asked.len(), 2, "the manager and the top: {asked:?}");
    assert_eq!(ack_timers(&d).len(), 1, "and again the next day");
    // The manager chain may still acknowledge late.
    let d = sim.cmd("U0DIRECTOR", Command::Ack);
    assert!(matches!(d.reply, Some(Reply::Acknowledged { .. })));
}

/// The test config with business hours, 09:00-18:00 in Tokyo, severity 3 set to escalate in
/// them.
fn office_config() -> Policy {
    let text = CONFIG.replace(
        "ack_timeout = \"2h\"",
        "ack_timeout = \"2h\"\nescalate_in_business_hours = true",
    );
    let text = format!("{text}\n[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\n");
    Config::from_sources(Some(&text), &BTreeMap::new())
        .expect("the test config is valid")
        .policy
}

/// Who was asked to acknowledge in D.
fn asked_to_ack(d: &Decision) -> Vec<UserId> {
    dms(d)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::EscalationDm { .. }))
        .map(|(who, _)| who)
        .collect()
}

#[test]
fn an_escalation_in_business_hours_whose_timer_fires_at_night_waits_for_the_opening() {
    let mut sim = Sim::ready_with(office_config(), sev(3, "ACME")); // Friday 12:00 in Tokyo
    let timer = sim.last_ack_timer();
    assert_eq!(timer.due, at("2026-11-27T05:00:00Z"), "Friday 14:00");
    // The bot was down from 13:50 to 21:30: the timer fires at night, and nobody is paged.
    sim.now = at("2026-11-27T12:30:00Z");
    let d = sim.feed(Input::Timer(timer.kind));
    assert!(messages(&d).is_empty() && d.entries.is_empty(), "{:?}", d.deliveries);
    let monday = at("2026-11-30T00:00:00Z");
    assert_eq!(ack_timers(&d), vec![(monday, sim.t.escalation.round)]);
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(asked_to_ack(&d), users(&["U0DIRECTOR"]), "asked at Monday's opening");
}

/// Working time that fills the day lands a step's due time on the close; its timer fires a
/// moment after, and the step is that day's, not the next working day's.
#[test]
fn an_escalation_in_business_hours_due_at_the_close_goes_then() {
    // Opened Friday 12:00 in Tokyo. The bot was down from 13:50 to 16:00: the director is asked
    // at 16:00, two working hours before the close.
    let mut sim = Sim::ready_with(office_config(), sev(3, "ACME"));
    sim.now = at("2026-11-27T07:00:00Z");
    let d = sim.feed(Input::Timer(sim.last_ack_timer().kind));
    assert_eq!(asked_to_ack(&d), users(&["U0DIRECTOR"]));
    let timer = sim.last_ack_timer();
    assert_eq!(timer.due, at("2026-11-27T09:00:00Z"), "Friday 18:00, the close");
    let d = sim.fire_late(&timer);
    assert_eq!(asked_to_ack(&d), users(&["U0VP"]), "asked at the close: {:?}", d.timers);
    let monday = at("2026-11-30T02:00:00Z");
    assert_eq!(ack_timers(&d), vec![(monday, sim.t.escalation.round)], "Monday 11:00");
}

/// The top's re-ping due at the close goes then too, as the steps below it do.
#[test]
fn a_top_reping_in_business_hours_due_at_the_close_goes_then() {
    let mut sim = Sim::ready_with(office_config(), sev(3, "ACME")); // Friday 12:00 in Tokyo
    sim.fire_when_due(&sim.last_ack_timer()); // 14:00, the director
    sim.fire_when_due(&sim.last_ack_timer()); // 16:00, the VP, the top
    let timer = sim.last_ack_timer();
    assert_eq!(timer.due, at("2026-11-27T09:00:00Z"), "Friday 18:00, the close");
    let d = sim.fire_late(&timer);
    assert_eq!(
        asked_to_ack(&d),
        users(&["U0VP"]),
        "re-pinged at the close: {:?}",
        d.timers
    );
    assert_eq!(
        events(&d),
        vec![Event::Repinged {
            to: u("U0VP"),
            count: 1
        }]
    );
}

#[test]
fn the_daily_round_whose_timer_fires_at_night_waits_for_the_opening() {
    let mut sim = Sim::ready_with(office_config(), req("ACME")); // severity 2: on the clock
    while !sim.t.escalation.gave_up {
        sim.fire_when_due(&sim.last_ack_timer());
    }
    let daily = sim.last_ack_timer();
    // The bot was down at its time and back twelve hours on, at night.
    sim.now = daily.due + hours(12);
    let hours = sim.config.business_hours.clone();
    assert!(!is_open(hours.as_ref(), sim.config.timezone, sim.now));
    let d = sim.feed(Input::Timer(daily.kind));
    assert!(messages(&d).is_empty() && d.entries.is_empty(), "{:?}", d.deliveries);
    let opening = next_open(hours.as_ref(), sim.config.timezone, sim.now);
    assert_eq!(ack_timers(&d), vec![(opening, sim.t.escalation.round)]);
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(asked_to_ack(&d), users(&["U0MANAGER", "U0VP"]), "asked at the opening");
}

#[test]
fn the_daily_rounds_timeline_names_everyone_it_asked() {
    let mut sim = Sim::ready(req("ACME"));
    while !sim.t.escalation.gave_up {
        sim.fire_when_due(&sim.last_ack_timer());
    }
    // The manager was asked once before the rounds, the VP five times more: each end's count
    // is its own.
    for (round, top) in [(1, 6), (2, 7)] {
        let d = sim.fire_when_due(&sim.last_ack_timer());
        assert_eq!(asked_to_ack(&d), users(&["U0MANAGER", "U0VP"]));
        assert_eq!(
            events(&d),
            vec![
                Event::Repinged {
                    to: u("U0MANAGER"),
                    count: round
                },
                Event::Repinged {
                    to: u("U0VP"),
                    count: top
                }
            ],
            "round {round}"
        );
    }
    // A record kept before the rounds were counted goes by the top's re-pings.
    sim.t.escalation.daily_rounds = 0;
    let d = sim.fire_when_due(&sim.last_ack_timer());
    let manager = Event::Repinged {
        to: u("U0MANAGER"),
        count: 3,
    };
    assert_eq!(events(&d)[0], manager);
}

/// The bot gave up going up, the manager acknowledged late, then took the trouble over: the
/// acknowledgement is withdrawn, and whoever the escalation had reached in the new chain is
/// asked again at once, saying why, and asked daily from then on, never left without a timer.
#[test]
fn an_acknowledgement_withdrawn_after_the_bot_gave_up_asks_again_and_daily_from_then() {
    let mut sim = Sim::ready(req("ACME"));
    // Up to the VP, five re-pings there, then it gives up.
    for _ in 0..(2 + 5 + 1) {
        sim.fire_when_due(&sim.last_ack_timer());
    }
    assert!(sim.t.escalation.gave_up);
    sim.advance(hours(2));
    sim.cmd("U0MANAGER", Command::Ack);
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0MANAGER")));
    assert!(sim.t.ack.is_none());
    let asked: Vec<(UserId, Option<NewToChain>)> = messages(&d)
        .into_iter()
        .filter_map(|m| match m {
            Message::EscalationDm { to, new_to_chain, .. } => Some((to, new_to_chain)),
            _ => None,
        })
        .collect();
    let again = Some(NewToChain::AckWithdrawn);
    assert_eq!(asked, vec![(u("U0DIRECTOR"), again), (u("U0VP"), again)]);
    assert!(sim.t.escalation.gave_up);
    assert_eq!(ack_timers(&d).len(), 1, "a timer runs");
    assert_eq!(ack_timers(&d)[0].0, sim.now + hours(24), "the daily round, from now");
}

/// Told they were named manager after the acknowledgement, their DM is kept and edited with
/// the managers' DMs; someone else named in their place edits it to say nothing is theirs any
/// longer, and it is forgotten, while the first manager's DM, theirs still, is left alone.
#[test]
fn a_named_managers_dm_is_kept_edited_and_released_when_another_is_named() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0OTHERMGR")));
    let told = Message::NamedManager {
        by: u("U0MANAGER"),
        to: Some(u("U0OTHERMGR")),
    };
    let kept = Some(Slot::NamedManagerDm);
    assert!(has_op(
        &d,
        Lane::Dm,
        &post_op(Dest::Dm(u("U0OTHERMGR")), told.clone(), kept)
    ));
    let dm = |ts: &str| Outcome::Posted {
        slot: Slot::NamedManagerDm,
        channel: ChannelId::new("D0OTHERMGR"),
        ts: Ts::new(ts),
        together: Vec::new(),
        shown: Some(Box::new(told.clone())),
    };
    sim.feed(Input::Delivered(dm("1.1")));
    sim.feed(Input::Delivered(dm("1.1")));
    assert_eq!(sim.t.escalation.named.len(), 1, "kept once");
    let edit = |message: Message| Op::Edit {
        channel: ChannelId::new("D0OTHERMGR"),
        ts: Ts::new("1.1"),
        message,
    };
    let raise = Command::Severity {
        to: Severity::new(1),
        reason: "r".into(),
    };
    let d = sim.cmd("U0SALES", raise);
    assert!(has_op(&d, Lane::Dm, &edit(told.clone())), "{:?}", ops(&d, Lane::Dm));

    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0QA1")));
    let released = Message::NoLongerManager {
        by: u("U0MANAGER"),
        to: u("U0QA1"),
        handed_to: None,
        above: false,
        yours: false,
        by_you: false,
    };
    assert!(has_op(&d, Lane::Dm, &edit(released)), "{:?}", ops(&d, Lane::Dm));
    assert!(!has_op(&d, Lane::Dm, &edit(told)), "not edited back");
    // The first manager's DM stays theirs: they are still in the chain, and acknowledged it.
    let first_released = ops(&d, Lane::Dm).into_iter().any(|op| {
        matches!(op, Op::Edit { channel, message: Message::NoLongerManager { .. }, .. } if channel.as_str() != "D0OTHERMGR")
    });
    assert!(!first_released, "{:?}", ops(&d, Lane::Dm));
    assert!(sim.t.manager_dm.is_some());
    assert!(sim.t.escalation.named.is_empty(), "forgotten");
}

/// An acknowledged trouble handed to the manager named after the acknowledgement: the new
/// owner's chain leaves them and the first manager out, and it lets their DMs go as naming
/// another manager does: each says who manages it now, and neither is edited as theirs again.
#[test]
fn an_acknowledged_hand_over_lets_go_of_the_dms_of_managers_it_leaves_out() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0VP", Command::Ack);
    sim.cmd("U0MANAGER", Command::Manager(u("U0DIRECTOR")));
    let told = Message::NamedManager {
        by: u("U0MANAGER"),
        to: Some(u("U0DIRECTOR")),
    };
    sim.feed(Input::Delivered(Outcome::Posted {
        slot: Slot::NamedManagerDm,
        channel: ChannelId::new("D0DIRECTOR"),
        ts: Ts::new("1.1"),
        together: Vec::new(),
        shown: Some(Box::new(told)),
    }));
    assert_eq!(sim.t.escalation.named.len(), 1);
    let first = sim.t.manager_dm.clone().expect("the manager's DM is kept");

    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0DIRECTOR")));
    assert_eq!(sim.t.escalation.chain, users(&["U0VP"]));
    assert_eq!(
        sim.t.ack.as_ref().map(|a| a.by.clone()),
        Some(u("U0VP")),
        "it stays acknowledged"
    );
    // The director's DM is theirs, the owner's now: it says so.
    let released = |yours| Message::NoLongerManager {
        by: u("U0MANAGER"),
        to: u("U0VP"),
        handed_to: Some(u("U0DIRECTOR")),
        above: false,
        yours,
        // The manager's own DM: they handed it over.
        by_you: !yours,
    };
    for (channel, ts, yours) in [
        ("D0DIRECTOR", "1.1", true),
        (first.channel.as_str(), first.ts.as_str(), false),
    ] {
        let edit = Op::Edit {
            channel: ChannelId::new(channel),
            ts: Ts::new(ts),
            message: released(yours),
        };
        assert!(has_op(&d, Lane::Dm, &edit), "{channel}: {:?}", ops(&d, Lane::Dm));
    }
    assert!(
        sim.t.escalation.named.is_empty() && sim.t.manager_dm.is_none(),
        "forgotten"
    );
    let d = sim.cmd(
        "U0DIRECTOR",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert!(matches!(d.reply, Some(Reply::SeverityChanged { .. })), "{:?}", d.reply);
    let edited = ops(&d, Lane::Dm)
        .into_iter()
        .any(|op| matches!(op, Op::Edit { .. } | Op::Refresh { slot: Slot::ManagerDm }));
    assert!(!edited, "{:?}", ops(&d, Lane::Dm));
}

/// The director answered the escalation's DM, and the trouble is handed to them: the DM is
/// theirs as owner now, says so, and is let go; later changes no longer edit it.
#[test]
fn an_answered_escalation_dm_is_let_go_once_its_reader_leaves_the_chain() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    sim.cmd("U0DIRECTOR", Command::Ack);
    let answered: Vec<Option<&UserId>> = sim.t.escalation.settled.iter().map(KeptDm::asks).collect();
    assert_eq!(answered, vec![Some(&u("U0DIRECTOR"))], "kept with whom it asked");

    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0DIRECTOR")));
    assert_eq!(sim.t.escalation.chain, users(&["U0VP"]));
    let let_go = Message::NoLongerManager {
        by: u("U0MANAGER"),
        to: u("U0VP"),
        handed_to: Some(u("U0DIRECTOR")),
        above: true,
        yours: true,
        by_you: false,
    };
    let of_director: Vec<Message> = (edits(&d).into_iter())
        .filter(|(ts, _)| ts == "1.1")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(of_director, vec![let_go], "edited once, to say it is theirs");
    assert!(sim.t.escalation.settled.is_empty(), "forgotten");
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert!(edits(&d).iter().all(|(ts, _)| ts != "1.1"), "{:?}", ops(&d, Lane::Dm));
}

/// The director answered the escalation's DM; a colleague named manager by mistake is replaced
/// by another, leaving the chain while the director stays in it: the director's DM is still
/// theirs, kept and edited with the corrections after.
#[test]
fn an_answered_escalation_dm_is_kept_while_someone_else_leaves_the_chain() {
    let mut sim = Sim::ready(req("ACME"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    sim.cmd("U0DIRECTOR", Command::Ack);
    sim.cmd("U0MANAGER", Command::Manager(u("U0QA1")));
    assert!(
        sim.t.escalation.chain.contains(&u("U0QA1")),
        "{:?}",
        sim.t.escalation.chain
    );
    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0QA2")));
    assert!(matches!(d.reply, Some(Reply::ManagerChanged { .. })), "{:?}", d.reply);
    let chain = &sim.t.escalation.chain;
    assert!(
        !chain.contains(&u("U0QA1")) && chain.contains(&u("U0DIRECTOR")),
        "{chain:?}"
    );
    let of_director = |d: &Decision| -> Vec<Message> {
        (edits(d).into_iter())
            .filter(|(ts, _)| ts == "1.1")
            .map(|(_, m)| m)
            .collect()
    };
    assert!(
        !of_director(&d)
            .iter()
            .any(|m| matches!(m, Message::NoLongerManager { .. })),
        "not let go: {:?}",
        ops(&d, Lane::Dm)
    );
    let kept = |sim: &Sim| {
        sim.t
            .escalation
            .settled
            .iter()
            .any(|dm| dm.asks() == Some(&u("U0DIRECTOR")))
    };
    assert!(kept(&sim), "kept");
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert_eq!(
        of_director(&d),
        vec![Message::EscalationDmSettled {
            asked_again: false,
            to: Some(u("U0DIRECTOR"))
        }]
    );
    assert!(kept(&sim), "still kept");
}

/// An answered DM kept by an earlier release (the bare message: whose it is, unknown) still
/// reads and is edited as before while the chain keeps everyone; a change of the chain that
/// leaves anyone out lets it go unedited, since it may be theirs.
#[test]
fn an_answered_dm_kept_without_its_reader_is_let_go_unedited_once_anyone_leaves_the_chain() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    let stored: KeptDm = serde_json::from_value(serde_json::json!({"channel": "D0DIRECTOR", "ts": "9.9"}))
        .expect("an earlier release's answered DM reads");
    assert_eq!(stored.asks(), None);
    sim.t.escalation.settled = vec![stored.clone()];
    let of_it = |d: &Decision| -> Vec<Message> {
        (edits(d).into_iter())
            .filter(|(ts, _)| ts == "9.9")
            .map(|(_, m)| m)
            .collect()
    };
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert_eq!(
        of_it(&d),
        vec![Message::EscalationDmSettled {
            asked_again: false,
            to: None
        }]
    );
    // A manager named above the chain: nobody leaves it, and it is kept.
    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0QA1")));
    assert!(matches!(d.reply, Some(Reply::ManagerChanged { .. })), "{:?}", d.reply);
    assert_eq!(sim.t.escalation.settled, vec![stored]);
    // Handed to the director: the manager and the director leave the chain.
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0DIRECTOR")));
    assert!(matches!(d.reply, Some(Reply::OwnerChanged { .. })), "{:?}", d.reply);
    assert!(of_it(&d).is_empty(), "{:?}", ops(&d, Lane::Dm));
    assert!(sim.t.escalation.settled.is_empty(), "forgotten");
}

/// The DM telling someone they were named manager lands after someone else was named in their
/// place: it is edited at once (its rendering says who manages now) and not kept, so the
/// trouble's later changes (a private one's too) are not shown to someone out of it.
#[test]
fn a_named_managers_dm_landing_after_another_was_named_is_edited_at_once_and_let_go() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    sim.cmd("U0MANAGER", Command::Manager(u("U0OTHERMGR")));
    sim.cmd("U0MANAGER", Command::Manager(u("U0QA1")));
    let told = Message::NamedManager {
        by: u("U0MANAGER"),
        to: Some(u("U0OTHERMGR")),
    };
    let d = sim.feed(Input::Delivered(Outcome::Posted {
        slot: Slot::NamedManagerDm,
        channel: ChannelId::new("D0OTHERMGR"),
        ts: Ts::new("1.1"),
        together: Vec::new(),
        shown: Some(Box::new(told.clone())),
    }));
    let edit = Op::Edit {
        channel: ChannelId::new("D0OTHERMGR"),
        ts: Ts::new("1.1"),
        message: told,
    };
    assert!(has_op(&d, Lane::Dm, &edit), "{:?}", ops(&d, Lane::Dm));
    assert!(sim.t.escalation.named.is_empty(), "not kept");
    let raise = Command::Severity {
        to: Severity::new(1),
        reason: "r".into(),
    };
    let d = sim.cmd("U0MANAGER", raise);
    assert!(!has_op(&d, Lane::Dm, &edit), "{:?}", ops(&d, Lane::Dm));
}

/// A nudge by DM that waited in the queue while the customer was updated lands after it: it is
/// settled at once, by the update that came first, and not kept; one that lands before any
/// update is kept until the next, and settled by it once.
#[test]
fn a_nudge_dm_landing_after_the_update_is_settled_at_once() {
    let mut sim = Sim::ready(req("ACME"));
    let nudge = |last_contact| {
        Message::Nudge(Nudge {
            owner: u("U0SALES"),
            waited_secs: 3600,
            manager: None,
            named: None,
            promise: None,
            promise_missed: false,
            last_contact,
            last_reminder: false,
            since_reopened: false,
        })
    };
    let landed = |ts: &str, message: Message| {
        Input::Delivered(Outcome::Posted {
            slot: Slot::WaitingDm,
            channel: ChannelId::new("D0SALES"),
            ts: Ts::new(ts),
            together: Vec::new(),
            shown: Some(Box::new(message)),
        })
    };
    let settled = |ts: &str, at| Op::Edit {
        channel: ChannelId::new("D0SALES"),
        ts: Ts::new(ts),
        message: Message::CustomerWaitSettled {
            by: u("U0SALES"),
            at,
            promise: None,
        },
    };
    let first = nudge(t0());
    let d = sim.feed(landed("1.1", first.clone()));
    assert!(ops(&d, Lane::Dm).is_empty());
    assert_eq!(sim.t.waiting_dms.len(), 1);
    sim.advance(mins(5));
    let update = || Command::Update {
        text: "called".into(),
        next: None,
    };
    let d = sim.cmd("U0SALES", update());
    let at = sim.now;
    assert!(has_op(&d, Lane::Dm, &settled("1.1", at)), "{:?}", ops(&d, Lane::Dm));
    assert!(sim.t.waiting_dms.is_empty());
    let d = sim.feed(landed("1.2", first));
    assert_eq!(ops(&d, Lane::Dm), vec![settled("1.2", at)]);
    assert!(sim.t.waiting_dms.is_empty());
    sim.advance(mins(5));
    let d = sim.cmd("U0SALES", update());
    assert!(ops(&d, Lane::Dm).is_empty(), "settled once");
}

/// Update #1 promised the customer an update in 2h, update #2 in 4h, and the owner's DM
/// reminds them of #2's promise. #2 is withdrawn once #1's promise has passed: that promise
/// stands again, missed, and the kept DM names it as the follow-up reads it, rather than saying
/// the customer has merely heard nothing.
#[test]
fn a_kept_waiting_dm_names_the_older_promise_standing_again_once_its_own_is_withdrawn() {
    let mut sim = Sim::ready(req("ACME"));
    let update = |next: &str| Command::Update {
        text: "called".into(),
        next: Some(next.into()),
    };
    sim.advance(hours(1));
    sim.cmd("U0SALES", update("2h"));
    let first = sim.t.standing_promise().expect("promised");
    sim.advance(mins(30));
    sim.cmd("U0SALES", update("4h"));
    let second_at = sim.now;
    let second = sim.t.standing_promise().expect("promised");
    assert!(first < second - mins(15));
    sim.now = second - mins(15);
    let reminder = Nudge {
        owner: u("U0SALES"),
        waited_secs: (sim.now - second_at).num_seconds(),
        manager: None,
        named: None,
        promise: Some(second),
        promise_missed: false,
        last_contact: second_at,
        last_reminder: false,
        since_reopened: false,
    };
    sim.feed(Input::Delivered(Outcome::Posted {
        slot: Slot::WaitingDm,
        channel: ChannelId::new("D0SALES"),
        ts: Ts::new("1.1"),
        together: Vec::new(),
        shown: Some(Box::new(Message::Nudge(reminder.clone()))),
    }));
    assert_eq!(sim.t.waiting_dms.len(), 1, "kept");
    let d = sim.cmd(
        "U0SALES",
        Command::WithdrawUpdate {
            n: Some(2),
            reason: "wrong trouble".into(),
        },
    );
    assert_eq!(sim.t.standing_promise(), Some(first), "#1's promise stands again");
    // Counted from #1 now, as the wait it says is.
    let first_at = t0() + hours(1);
    let now_reads = Message::Nudge(Nudge {
        waited_secs: (sim.now - first_at).num_seconds(),
        promise: Some(first),
        promise_missed: true,
        last_contact: first_at,
        ..reminder
    });
    assert_eq!(edits(&d), vec![("1.1".to_string(), now_reads.clone())]);
    assert_eq!(sim.t.waiting_dms[0].shown, Some(now_reads), "kept as it reads now");
}

/// A nudge by DM counted from an update later withdrawn lands after the withdrawal: the
/// customer's last contact moved back, not on, so it is kept (not "settled" by the older
/// update); at the close it says so and is forgotten, and one landing after the close is
/// edited so at once, not kept.
#[test]
fn a_waiting_dm_is_settled_only_by_a_later_contact_and_by_the_close() {
    let mut sim = Sim::ready(req("ACME"));
    let update = || Command::Update {
        text: "called".into(),
        next: None,
    };
    sim.advance(mins(5));
    sim.cmd("U0SALES", update());
    sim.advance(mins(5));
    sim.cmd("U0SALES", update());
    let second = sim.now;
    sim.advance(mins(5));
    sim.cmd(
        "U0SALES",
        Command::WithdrawUpdate {
            n: Some(2),
            reason: "wrong trouble".into(),
        },
    );
    let landed = |ts: &str| {
        Input::Delivered(Outcome::Posted {
            slot: Slot::WaitingDm,
            channel: ChannelId::new("D0SALES"),
            ts: Ts::new(ts),
            together: Vec::new(),
            shown: Some(Box::new(Message::Nudge(Nudge {
                owner: u("U0SALES"),
                waited_secs: 3600,
                manager: None,
                named: None,
                promise: None,
                promise_missed: false,
                last_contact: second,
                last_reminder: false,
                since_reopened: false,
            }))),
        })
    };
    let d = sim.feed(landed("1.1"));
    assert!(ops(&d, Lane::Dm).is_empty(), "{:?}", ops(&d, Lane::Dm));
    assert_eq!(sim.t.waiting_dms.len(), 1);
    let closed = |ts: &str| Op::Edit {
        channel: ChannelId::new("D0SALES"),
        ts: Ts::new(ts),
        message: Message::CustomerWaitOver { newer: false },
    };
    sim.ready_to_close();
    let d = sim.cmd("U0DIRECTOR", Command::CloseForce("settled by phone".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    assert!(has_op(&d, Lane::Dm, &closed("1.1")), "{:?}", ops(&d, Lane::Dm));
    assert!(sim.t.waiting_dms.is_empty());
    let d = sim.feed(landed("1.2"));
    assert_eq!(ops(&d, Lane::Dm), vec![closed("1.2")]);
    assert!(sim.t.waiting_dms.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------

#[test]
fn next_done_and_start_move_the_stages() {
    use StageState::{Done as D, InProgress as P, NotStarted as N};
    let mut sim = Sim::ready(req("ACME"));
    // (command, reply, states afterwards, current stage afterwards)
    let steps: Vec<(Command, Reply, [StageState; 7], Option<StageId>)> = vec![
        (
            Command::Next("12 units returned".into()),
            Reply::StageDone { stage: StageId::Facts },
            [D, P, N, N, N, N, N],
            Some(StageId::Scope),
        ),
        (
            Command::Done(StageId::Scope, "lots 40-44 affected".into()),
            Reply::StageDone { stage: StageId::Scope },
            [D, D, P, N, N, N, N],
            Some(StageId::Cause),
        ),
        (
            Command::Start(StageId::Split, "talking about the split early".into()),
            Reply::StageStarted { stage: StageId::Split },
            [D, D, P, N, P, N, N],
            Some(StageId::Cause),
        ),
        (
            Command::Start(StageId::Countermeasures, String::new()),
            Reply::StageStarted {
                stage: StageId::Countermeasures,
            },
            [D, D, P, P, P, N, N],
            Some(StageId::Cause),
        ),
        (
            Command::Next("solder joint cracks".into()),
            Reply::StageDone { stage: StageId::Cause },
            [D, D, D, P, P, N, N],
            Some(StageId::Countermeasures),
        ),
        (
            Command::Done(StageId::Prevention, "measures presented".into()),
            Reply::StageDone {
                stage: StageId::Prevention,
            },
            [D, D, D, P, P, N, D],
            Some(StageId::Countermeasures),
        ),
        (
            Command::Done(StageId::Countermeasures, String::new()),
            Reply::StageDone {
                stage: StageId::Countermeasures,
            },
            [D, D, D, D, P, N, D],
            Some(StageId::Split),
        ),
    ];
    for (step, (command, reply, states, current)) in steps.into_iter().enumerate() {
        sim.advance(mins(10));
        let case = format!("step {step}: {command:?}");
        let (done, stage, note) = match &command {
            Command::Next(note) => (true, sim.t.current_stage().expect("a stage"), note.clone()),
            Command::Done(n, note) => (true, *n, note.clone()),
            Command::Start(n, note) => (false, *n, note.clone()),
            other => unreachable!("{other:?}"),
        };
        if done && stage == StageId::Cause {
            sim.cause_found();
        }
        let d = sim.cmd("U0SALES", command);
        assert_eq!(d.reply, Some(reply), "{case}");
        let got: Vec<StageState> = sim.t.stages.iter().map(|s| s.state).collect();
        assert_eq!(got, states, "{case}");
        assert_eq!(sim.t.current_stage(), current, "{case}");
        assert!(
            messages(&d).contains(&Message::StageChanged {
                stage,
                done,
                by: u("U0SALES"),
                note: note.clone()
            }),
            "{case}"
        );
        let event = if done {
            Event::StageDone {
                stage,
                note: note.clone(),
            }
        } else {
            Event::StageStarted {
                stage,
                note: note.clone(),
            }
        };
        assert_eq!(events(&d), vec![event], "{case}");
        let s = sim.t.stage(stage);
        if done {
            assert_eq!(
                (s.done_at, s.done_by.clone()),
                (Some(sim.now), Some(u("U0SALES"))),
                "{case}"
            );
        }
        if !note.is_empty() {
            assert_eq!(s.notes.last(), Some(&note), "{case}");
        }
        for s in &sim.t.stages {
            assert_eq!(s.started_at.is_some(), s.state != N, "{case}: started_at iff started");
            assert_eq!(s.done_at.is_some(), s.state == D, "{case}: done_at iff done");
        }
    }
    // Stage 5 keeps the time it was really started, though later changes touched its neighbours.
    assert_eq!(sim.t.stages[4].started_at, Some(t0() + mins(30)));
    sim.assert_chain_valid();
}

#[test]
fn next_after_every_stage_is_done_says_so_and_changes_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cause_found();
    sim.settled();
    for _ in 0..STAGE_COUNT {
        sim.cmd("U0SALES", Command::Next(String::new()));
    }
    assert_eq!(sim.t.current_stage(), None);
    let d = sim.cmd("U0SALES", Command::Next("again".into()));
    assert_eq!(d.reply, Some(Reply::AllStagesDone));
    assert_no_effect(&d, "all done");
    let d = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CompleteStage { stage: None },
    });
    assert_eq!(d.reply, Some(Reply::AllStagesDone));
    assert_no_effect(&d, "all done, by button");
}

#[test]
fn split_cost_and_prevent_record_and_start_their_stages() {
    // (command, reply, the stage it starts)
    let cases = [
        (
            Command::Split {
                ours: 70,
                customer: 30,
                other: 0,
                reason: "our lot".into(),
            },
            "split",
            4,
        ),
        (
            Command::Cost {
                amount: "¥120,000".into(),
                payer: "ours".into(),
                note: "replacement shipping".into(),
            },
            "cost",
            5,
        ),
        (prevent("outgoing inspection of lot markings"), "prevent", 6),
    ];
    for (command, kind, stage) in cases {
        let mut sim = Sim::ready(req("ACME"));
        sim.advance(hours(1));
        let case = format!("{command:?}");
        let d = sim.cmd("U0SALES", command);
        let expected = match kind {
            // A split or cost is a proposal for the manager to approve.
            "split" | "cost" => Reply::Agreement(crate::trouble::approval::AgreementReply::Proposed {
                n: 1,
                item: match kind {
                    "split" => crate::trouble::approval::Item::Split,
                    _ => crate::trouble::approval::Item::Cost { n: 1 },
                },
                approver: sim.t.manager_chain().first().cloned(),
                corrected: false,
                reason_missing: false,
            }),
            _ => Reply::Step(crate::trouble::facts::StepReply::ActionAdded {
                n: 1,
                kind: crate::trouble::actions::ActionKind::Prevent,
                due: None,
            }),
        };
        assert_eq!(d.reply, Some(expected), "{case}");
        for (i, s) in sim.t.stages.iter().enumerate() {
            let expected = if i == stage || i == 0 {
                StageState::InProgress
            } else {
                StageState::NotStarted
            };
            assert_eq!(s.state, expected, "{case}: stage {i}");
        }
        assert_eq!(sim.t.stages[stage].started_at, Some(sim.now), "{case}");
        assert_eq!(
            sim.t.current_stage(),
            Some(StageId::Facts),
            "{case}: stage 1 is still the current one"
        );
        match kind {
            "split" => {
                let split = sim.t.split.clone().expect("split recorded");
                assert_eq!((split.ours, split.customer, split.other), (70, 30, 0));
                assert!(matches!(
                    events(&d)[..],
                    [Event::SplitSet { ours: 70, .. }, Event::Agreement(..)]
                ));
            }
            "cost" => {
                assert_eq!(sim.t.costs.len(), 1);
                assert_eq!(sim.t.costs[0].amount, "¥120,000");
                assert!(matches!(
                    events(&d)[..],
                    [Event::CostAdded { .. }, Event::Agreement(..)]
                ));
            }
            // A measure is a prevention action owned by the trouble's owner.
            _ => {
                let actions = &sim.t.substance.actions;
                assert_eq!(actions.len(), 1);
                assert_eq!(actions[0].kind, crate::trouble::actions::ActionKind::Prevent);
                assert_eq!(actions[0].owner, sim.t.owner);
                assert!(matches!(
                    events(&d)[..],
                    [Event::Stage(crate::trouble::facts::StepEvent::ActionAdded { .. })]
                ));
            }
        }
        assert_eq!(status_refreshes(&d), 1, "{case}");
    }
}

#[test]
fn close_is_refused_with_what_is_missing() {
    // (stages marked done, a prevention measure?, the stages it names as not done)
    let cases: [(&[usize], bool, &[usize]); 5] = [
        (&[], false, &[0, 1, 2, 3, 4, 5, 6]),
        (&[6], false, &[0, 1, 2, 3, 4, 5]),
        (&[6], true, &[0, 1, 2, 3, 4, 5]),
        (&[0, 1, 2, 3, 4, 6], true, &[5]),
        (&[0, 1, 2, 3, 4, 5, 6], false, &[]),
    ];
    for (done, has_measure, not_done) in cases {
        let mut sim = Sim::ready(req("ACME"));
        sim.cause_found();
        sim.settled();
        if has_measure {
            sim.cmd("U0SALES", prevent("double-check lot labels"));
        }
        for stage in done {
            sim.cmd("U0SALES", Command::Done(stage_at(*stage), String::new()));
        }
        let d = sim.cmd("U0SALES", Command::Close("done".into()));
        assert_eq!(
            d.reply,
            Some(Reply::CloseMissing {
                not_done: not_done.iter().copied().map(stage_at).collect(),
                never_started: not_done
                    .iter()
                    .copied()
                    .map(stage_at)
                    .filter(|&s| sim.t.stage(s).state == StageState::NotStarted)
                    .collect(),
                has_measure,
                not_effective: vec![],
                forcers: Box::new(Who::Chain(users(&CHAIN))),
                you_may_force: false,
            }),
            "done {done:?}, measure {has_measure}"
        );
        assert_no_effect(&d, "refused close");
        assert!(sim.t.is_open());
    }
}

#[test]
fn close_after_every_stage_and_a_measure_closes_the_trouble() {
    let mut sim = Sim::ready(req("ACME"));
    sim.ready_to_close();
    // Not before the chain has heard of it: the owner's close would end the escalation.
    let d = sim.cmd("U0SALES", Command::Close("customer satisfied".into()));
    assert_eq!(
        d.reply,
        Some(Reply::CloseUnacknowledged {
            chain: vec![u("U0MANAGER"), u("U0DIRECTOR"), u("U0VP")]
        })
    );
    assert!(sim.t.is_open() && d.entries.is_empty());
    sim.cmd("U0MANAGER", Command::Ack);
    sim.advance(hours(2));
    sim.status_refresh_delivered();
    let (epoch, round) = (sim.t.followup_epoch, sim.t.escalation.round);
    let d = sim.cmd("U0SALES", Command::Close("customer satisfied".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    assert_eq!(
        sim.t.closed,
        Some(Closure {
            by: u("U0SALES"),
            at: sim.now,
            note: "customer satisfied".into(),
            forced_reason: None,
        })
    );
    assert_eq!(
        events(&d),
        vec![Event::Closed {
            note: "customer satisfied".into(),
            forced_reason: None
        }]
    );
    // The line carries the close's note: kept knowing its entry, so a redaction of it edits the line.
    let seq = d
        .entries
        .iter()
        .find(|e| matches!(e.event, Event::Closed { .. }))
        .map(|e| e.seq);
    assert!(has_op(
        &d,
        Lane::Channel,
        &post_op(
            Dest::TroubleChannel,
            Message::Closed {
                by: u("U0SALES"),
                forced_reason: None,
                note: Some("customer satisfied".into()),
                report_withheld: false,
            },
            seq.map(|seq| Slot::Entry { seq })
        )
    ));
    assert!(has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Kickoff }));
    assert_eq!(status_refreshes(&d), 1);
    assert!(
        sim.t.followup_epoch > epoch && sim.t.escalation.round > round,
        "pending timers go stale"
    );
}

/// A measure its check found not effective reopened the trouble: closing again on it alone
/// would close on what is known not to work (and ask nobody again), so a new one is asked for.
#[test]
fn a_measure_found_not_effective_does_not_count_for_closing_again() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    let not_effective = ButtonAction::Effect {
        n: 1,
        effective: false,
        round: None,
        epoch: None,
    };
    sim.click("U0MANAGER", not_effective);
    assert!(sim.t.is_open(), "reopened");
    for stage in [StageId::Countermeasures, StageId::Prevention] {
        sim.cmd("U0SALES", Command::Done(stage, String::new()));
    }
    let d = sim.cmd("U0SALES", Command::Close("again".into()));
    assert_eq!(
        d.reply,
        Some(Reply::CloseMissing {
            not_done: vec![],
            never_started: vec![],
            has_measure: false,
            not_effective: vec![1],
            forcers: Box::new(Who::Chain(users(&CHAIN))),
            you_may_force: false,
        })
    );
    assert_no_effect(&d, "close on a measure found not effective");
    assert!(crate::trouble::actions::close_waits_for(&sim.config, &sim.t)
        .contains(&crate::trouble::actions::CloseWait::PreventionMeasure { not_effective: vec![1] }));
    // A new measure: the close goes through.
    sim.cmd("U0SALES", prevent("weekly mold temperature audit"));
    sim.cmd("U0SALES", Command::Done(StageId::Prevention, String::new()));
    let d = sim.cmd("U0SALES", Command::Close("again".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
}

/// Closed on one prevention measure, the trouble keeps it while closed: cancelled, the record
/// would read as a normal close with none. Reopened first, it may be cancelled.
#[test]
fn the_last_measure_a_close_rested_on_is_not_cancelled_while_it_is_closed() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    let cancel = || crate::trouble::command::parse("action cancel 1 duplicate").expect("a cancel");
    let d = sim.cmd("U0MANAGER", cancel());
    assert_eq!(
        d.reply,
        Some(Reply::Step(crate::trouble::facts::StepReply::LastMeasureOfClose {
            n: 1,
            reopeners: None
        }))
    );
    assert_no_effect(&d, "cancel of the last measure of a close");
    assert!(sim.t.substance.actions[0].cancelled.is_none());
    // After a reorg the kept chain still lets the manager cancel, but they now report to the
    // owner and may not reopen: the refusal names who may.
    let mut reorg = sim.config.clone();
    sim.config
        .managers
        .insert(UserId::new("U0MANAGER"), UserId::new("U0SALES"));
    sim.config
        .managers
        .insert(UserId::new("U0SALES"), UserId::new("U0DIRECTOR"));
    let d = sim.cmd("U0MANAGER", cancel());
    assert_eq!(
        d.reply,
        Some(Reply::Step(crate::trouble::facts::StepReply::LastMeasureOfClose {
            n: 1,
            reopeners: Some(vec![UserId::new("U0DIRECTOR"), UserId::new("U0VP")])
        }))
    );
    std::mem::swap(&mut sim.config, &mut reorg);
    sim.cmd(
        "U0MANAGER",
        Command::Step(crate::trouble::facts::Step::Reopen("wrong measure".into())),
    );
    let d = sim.cmd("U0MANAGER", cancel());
    assert_eq!(
        d.reply,
        Some(Reply::Step(crate::trouble::facts::StepReply::ActionCancelled { n: 1 }))
    );
}

#[test]
fn close_force_is_only_for_the_manager_chain() {
    // (who, allowed?)
    let cases = [
        ("U0SALES", false),
        ("U0QA1", false),
        ("U0MANAGER", true),
        ("U0DIRECTOR", true),
        ("U0VP", true),
    ];
    for (who, allowed) in cases {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(who, Command::CloseForce("customer withdrew the claim".into()));
        if !allowed {
            assert_eq!(d.reply, Some(chain_only(Act::CloseForce)), "{who}");
            assert_no_effect(&d, who);
            assert!(sim.t.is_open());
            continue;
        }
        assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{who}: {:?}", d.reply);
        let closure = sim.t.closed.clone().expect("closed");
        assert_eq!(closure.by, u(who));
        assert_eq!(closure.forced_reason.as_deref(), Some("customer withdrew the claim"));
        // Nobody had acknowledged it: whoever forced the close had heard of it.
        assert_eq!(
            events(&d),
            vec![
                Event::Acknowledged {
                    by: u(who),
                    after_secs: 0
                },
                Event::Closed {
                    note: String::new(),
                    forced_reason: Some("customer withdrew the claim".into())
                }
            ]
        );
        assert!(messages(&d).contains(&Message::Closed {
            by: u(who),
            forced_reason: Some("customer withdrew the claim".into()),
            note: Some(String::new()),
            report_withheld: false,
        }));
    }
}

#[test]
fn commands_buttons_and_replies_after_close_change_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    sim.advance(hours(1));
    let commands = [
        Command::Ack,
        Command::Next(String::new()),
        Command::Done(StageId::Cause, String::new()),
        Command::Start(StageId::Countermeasures, String::new()),
        Command::Update {
            text: "called".into(),
            next: None,
        },
        Command::Note("late fact".into()),
        Command::Split {
            ours: 50,
            customer: 50,
            other: 0,
            reason: String::new(),
        },
        Command::Cost {
            amount: "¥1".into(),
            payer: "ours".into(),
            note: String::new(),
        },
        prevent("more"),
        Command::Owner(u("U0QA1")),
        Command::Manager(u("U0DIRECTOR")),
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
        Command::Close(String::new()),
        Command::CloseForce("again".into()),
    ];
    for command in commands {
        let case = format!("{command:?}");
        let d = sim.cmd("U0MANAGER", command);
        assert_eq!(
            d.reply,
            Some(Reply::AlreadyClosed {
                reopeners: sim.t.manager_chain().to_vec()
            }),
            "{case}"
        );
        assert_no_effect(&d, &case);
    }
    for action in [
        ButtonAction::Acknowledge,
        ButtonAction::CompleteStage { stage: None },
        ButtonAction::CreateChannel,
    ] {
        let d = sim.feed(Input::Button {
            user: u("U0MANAGER"),
            action: action.clone(),
        });
        let closed = Reply::AlreadyClosed {
            reopeners: sim.t.manager_chain().to_vec(),
        };
        // Acknowledge, on a DM beside others, names its trouble.
        let closed = match action {
            ButtonAction::Acknowledge => Reply::AboutTrouble {
                id: sim.t.id.clone(),
                customer: sim.t.customer.clone(),
                reply: Box::new(closed),
            },
            _ => closed,
        };
        assert_eq!(d.reply, Some(closed));
        assert_no_effect(&d, "button after close");
    }
    let d = sim.feed(Input::ThreadReply {
        user: u("U0MANAGER"),
        thread_ts: Ts::new(KICKOFF_TS),
    });
    assert_nothing_happens(&d, "thread reply after close");
    // Status still answers.
    let d = sim.cmd("U0QA1", Command::Status);
    assert_eq!(d.reply, Some(Reply::Status(Box::new(sim.t.clone()))));
    assert_no_effect(&d, "status");
}

#[test]
fn an_update_submitted_from_the_modal_after_close_is_refused_like_the_command() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    let d = sim.feed(Input::UpdateSubmitted {
        user: u("U0SALES"),
        text: "told them it is closed".into(),
        next: Some("2h".into()),
    });
    assert_eq!(
        d.reply,
        Some(Reply::AlreadyClosed {
            reopeners: sim.t.manager_chain().to_vec()
        })
    );
    assert_no_effect(&d, "modal update after close");
}

#[test]
fn status_refreshes_are_coalesced_while_one_is_queued() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cause_found();
    // One is already waiting in the outbox: later changes ride on it.
    sim.t.status_refresh_queued = true;
    let first = sim.cmd("U0SALES", Command::Next(String::new()));
    let second = sim.cmd("U0SALES", Command::Next(String::new()));
    assert!(first.trouble.is_some() && second.trouble.is_some());
    assert_eq!((status_refreshes(&first), status_refreshes(&second)), (0, 0));
    // Once it was delivered, the next change queues exactly one again.
    sim.status_refresh_delivered();
    let first = sim.cmd("U0SALES", Command::Next(String::new()));
    let second = sim.cmd("U0SALES", Command::Next(String::new()));
    assert_eq!((status_refreshes(&first), status_refreshes(&second)), (1, 0));
    assert!(sim.t.status_refresh_queued);
}

// ---------------------------------------------------------------------------------------------
// Severity
// ---------------------------------------------------------------------------------------------

#[test]
fn raising_the_severity_invites_the_newly_required_departments_and_announces() {
    let mut sim = Sim::ready(OpenRequest {
        severity: Some(Severity::new(3)),
        departments: depts(&["field"]),
        ..req("ACME")
    });
    sim.advance(mins(10));
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert_eq!(
        d.reply,
        Some(Reply::SeverityChanged {
            id: sim.t.id.clone(),
            customer: sim.t.customer.clone(),
            from: Severity::new(3),
            to: Severity::new(1)
        })
    );
    assert_eq!(sim.t.severity, Severity::new(1));
    let invited = invited(&d);
    assert!(
        invited.contains(&u("U0QA2")),
        "quality comes with severity 1: {invited:?}"
    );
    let quality: BTreeSet<UserId> = users(&["U0QA1", "U0QA2"]).into_iter().collect();
    assert!(invited.is_subset(&quality), "only the new department: {invited:?}");
    // The channel's line carries the change's reason: kept with its entry, for a redaction.
    let seq = d
        .entries
        .iter()
        .find(|e| matches!(e.event, Event::SeverityChanged { .. }))
        .expect("the change logged")
        .seq;
    assert!(has_op(
        &d,
        Lane::Channel,
        &post_op(
            Dest::TroubleChannel,
            Message::SeverityRaised {
                from: Severity::new(3),
                to: Severity::new(1),
                reason: "r".into(),
                by: Some(u("U0SALES")),
                brought: vec!["quality".into()],
            },
            Some(Slot::Entry { seq })
        )
    ));
    assert_eq!(
        ops(&d, Lane::Announce),
        vec![
            post_op(
                Dest::Channel(ChannelId::new("C0BIZUNIT")),
                Message::SeverityRaised {
                    from: Severity::new(3),
                    to: Severity::new(1),
                    reason: "r".into(),
                    by: Some(u("U0SALES")),
                    brought: Vec::new(),
                },
                None
            ),
            post_op(
                Dest::Channel(ChannelId::new("C0COMPANY")),
                Message::SeverityRaised {
                    from: Severity::new(3),
                    to: Severity::new(1),
                    reason: "r".into(),
                    by: Some(u("U0SALES")),
                    brought: Vec::new(),
                },
                None
            ),
        ]
    );
    assert!(has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Kickoff }));
    assert_eq!(
        events(&d),
        vec![Event::SeverityChanged {
            from: Severity::new(3),
            to: Severity::new(1),
            reason: "r".into(),
        }]
    );
}

#[test]
fn lowering_the_severity_is_said_in_the_channel_and_to_the_one_above_and_logged() {
    let mut sim = Sim::ready(sev(1, "ACME"));
    let d = sim.cmd(
        "U0MANAGER",
        Command::Severity {
            to: Severity::new(3),
            reason: "r".into(),
        },
    );
    assert_eq!(
        d.reply,
        Some(Reply::SeverityChanged {
            id: sim.t.id.clone(),
            customer: sim.t.customer.clone(),
            from: Severity::new(1),
            to: Severity::new(3)
        })
    );
    assert_eq!(sim.t.severity, Severity::new(3));
    assert_eq!(
        messages(&d),
        vec![
            Message::SeverityLowered {
                by: UserId::new("U0MANAGER"),
                from: Severity::new(1),
                to: Severity::new(3),
                reason: "r".into(),
                cadence_withheld: false,
            },
            // Lowered before anyone acknowledged it: the manager who lowered it has heard of it.
            Message::Acknowledged {
                by: UserId::new("U0MANAGER"),
                after_secs: 0,
                wait_withheld: false,
            },
            Message::OverruledNotice {
                by: UserId::new("U0MANAGER"),
                overruled: Overruled::Lowered {
                    from: Severity::new(1),
                    to: Severity::new(3),
                    reason: "r".into(),
                }
            },
            Message::AnnouncedNoLonger {
                by: UserId::new("U0MANAGER"),
                why: NoLonger::Lowered {
                    from: Severity::new(1),
                    to: Severity::new(3),
                    reason: "r".into(),
                }
            },
            Message::AnnouncedNoLonger {
                by: UserId::new("U0MANAGER"),
                why: NoLonger::Lowered {
                    from: Severity::new(1),
                    to: Severity::new(3),
                    reason: "r".into(),
                }
            }
        ],
        "said in the trouble's channel, with who did it, to the director, and in both channels \
         the sev1 was announced in"
    );
    let dmed: Vec<String> = ops(&d, Lane::Dm)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post { to: Dest::Dm(u), .. } => Some(u.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(dmed, ["U0DIRECTOR"]);
    assert!(invite_batches(&d).is_empty());
    let told: Vec<String> = ops(&d, Lane::Announce)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post {
                to: Dest::Channel(c), ..
            } => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(told, ["C0BIZUNIT", "C0COMPANY"]);
    // Quality, which sev1 brought in, stays: named, so its members keep their say.
    assert_eq!(
        events(&d),
        vec![
            Event::SeverityChanged {
                from: Severity::new(1),
                to: Severity::new(3),
                reason: "r".into(),
            },
            Event::ParticipantsAdded {
                users: Vec::new(),
                departments: vec!["quality".to_string()],
            },
            Event::Acknowledged {
                by: u("U0MANAGER"),
                after_secs: 0
            }
        ]
    );
    assert!(sim.t.departments.contains(&"quality".to_string()));
    assert_eq!(d.entries[0].actor, Some(u("U0MANAGER")));
}

#[test]
fn setting_the_same_or_an_unknown_severity_changes_nothing() {
    // (asked, reply)
    let cases = [
        (
            2,
            Reply::SeverityUnchanged {
                level: Severity::new(2),
            },
        ),
        (
            5,
            Reply::UnknownSeverity {
                level: Severity::new(5),
                known: [1, 2, 3].map(Severity::new).to_vec(),
            },
        ),
    ];
    for (level, reply) in cases {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(
            "U0SALES",
            Command::Severity {
                to: Severity::new(level),
                reason: "r".into(),
            },
        );
        assert_eq!(d.reply, Some(reply), "sev {level}");
        assert_no_effect(&d, "same or unknown severity");
    }
}

#[test]
fn raising_the_severity_brings_the_next_nudge_forward_to_the_new_cadence() {
    // Severity 3 owes the customer an update every day, severity 1 every hour.
    let mut sim = Sim::ready(sev(3, "ACME"));
    sim.advance(mins(10));
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    let due = followup_timers(&d);
    assert!(
        due.iter()
            .any(|(at, epoch)| *at <= t0() + hours(1) && *epoch == sim.t.followup_epoch),
        "a nudge due within the new cadence; timers set: {due:?}"
    );
}

#[test]
fn raising_the_severity_of_an_unacknowledged_trouble_shortens_the_wait_for_an_ack() {
    // Severity 3 waits 2h for an ack, severity 1 only 10 minutes.
    let mut sim = Sim::ready(sev(3, "ACME"));
    sim.advance(mins(5));
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    let due = ack_timers(&d);
    assert!(
        due.iter()
            .any(|(at, round)| *at <= sim.now + mins(10) && *round == sim.t.escalation.round),
        "an ack timer within the new ack_timeout; timers set: {due:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Following up with the customer
// ---------------------------------------------------------------------------------------------

#[test]
fn a_due_follow_up_nudges_the_owner_and_the_manager_once_twice_overdue() {
    // Severity 2: an update every 4h; the next nudge comes a cadence after this one.
    // (fired at, manager mentioned, next nudge due)
    let cases = [
        (hours(4), None, hours(8)),
        (hours(7) + mins(59), None, hours(11) + mins(59)),
        (hours(8), Some("U0MANAGER"), hours(12)),
        (hours(9), Some("U0MANAGER"), hours(13)),
    ];
    for (fired, manager, next) in cases {
        let mut sim = Sim::ready(req("ACME"));
        assert_eq!(sim.last_followup_timer().due, t0() + hours(4));
        sim.advance(fired);
        let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
        let case = format!("fired after {}m", fired.num_minutes());
        let waited_secs = fired.num_seconds();
        let nudge = Nudge {
            owner: u("U0SALES"),
            waited_secs,
            manager: manager.map(u),
            named: None,
            promise: None,
            promise_missed: false,
            last_contact: t0(),
            last_reminder: false,
            since_reopened: false,
        };
        assert_eq!(
            ops(&d, Lane::Channel)
                .into_iter()
                .filter(|op| matches!(op, Op::Post { .. }))
                .collect::<Vec<_>>(),
            vec![post_op(Dest::TroubleChannel, Message::Nudge(nudge), None)],
            "{case}"
        );
        assert_eq!(followup_timers(&d), vec![(t0() + next, 2)], "{case}");
        assert_eq!(
            events(&d),
            vec![Event::NudgePosted {
                waited_secs,
                manager_mentioned: manager.is_some()
            }],
            "{case}"
        );
    }
}

#[test]
fn a_queued_nudge_goes_while_true_and_is_withdrawn_once_the_customer_was_updated_or_the_trouble_closed() {
    let nudge_of = |sim: &mut Sim| {
        sim.advance(hours(4));
        let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
        let op = ops(&d, Lane::Channel)
            .into_iter()
            .find(|op| {
                matches!(
                    op,
                    Op::Post {
                        message: Message::Nudge(_),
                        ..
                    }
                )
            })
            .expect("a nudge");
        Input::Sending(op)
    };
    let mut sim = Sim::ready(req("ACME"));
    let sending = nudge_of(&mut sim);
    let d = sim.feed(sending.clone());
    assert!(
        !d.withdrawn && d.trouble.is_none(),
        "still true: it goes, nothing changes"
    );
    sim.cmd(
        "U0SALES",
        Command::Update {
            text: "called them, replacement on its way".into(),
            next: None,
        },
    );
    let d = sim.feed(sending);
    assert!(d.withdrawn, "the customer was updated meanwhile");
    assert_eq!(
        events(&d),
        vec![Event::NudgeWithdrawn { closed: false }],
        "the timeline says the nudge it logged never went"
    );

    let mut sim = Sim::ready(req("ACME"));
    let sending = nudge_of(&mut sim);
    sim.close_properly();
    let d = sim.feed(sending);
    assert!(d.withdrawn, "closed meanwhile");
    assert_eq!(events(&d), vec![Event::NudgeWithdrawn { closed: true }]);
}

#[test]
fn a_status_refresh_as_it_goes_lets_the_next_change_queue_another() {
    let mut sim = Sim::ready(req("ACME"));
    sim.t.status_refresh_queued = true;
    let d = sim.feed(Input::Sending(Op::Refresh { slot: Slot::Status }));
    assert!(d.trouble.is_some_and(|t| !t.status_refresh_queued));
    assert!(d.deliveries.is_empty() && d.entries.is_empty() && !d.withdrawn);
    let again = sim.feed(Input::Sending(Op::Refresh { slot: Slot::Status }));
    assert!(again.trouble.is_none(), "nothing to clear twice");
}

#[test]
fn a_stale_follow_up_timer_does_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(hours(1));
    sim.cmd(
        "U0SALES",
        Command::Update {
            text: "explained where things stand".into(),
            next: None,
        },
    );
    assert_eq!(sim.t.followup_epoch, 2);
    sim.advance(hours(3));
    for epoch in [0, 1, 3] {
        let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch }));
        assert_nothing_happens(&d, &format!("epoch {epoch}"));
    }
}

#[test]
fn no_nudge_after_close() {
    let mut sim = Sim::ready(req("ACME"));
    let before_close = sim.t.followup_epoch;
    sim.close_properly();
    sim.advance(hours(5));
    for epoch in [before_close, sim.t.followup_epoch] {
        let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch }));
        assert_nothing_happens(&d, &format!("epoch {epoch} after close"));
    }
}

#[test]
fn an_update_restarts_the_clock_and_a_promise_sets_the_nudge_fifteen_minutes_before_it() {
    // Now is 12:00 in Tokyo. (next:, promised time, nudge due)
    let cases = [
        (None, None, t0() + hours(4)),
        (Some("2h"), Some(t0() + hours(2)), t0() + hours(2) - mins(15)),
        (
            Some("15:00"),
            Some(at("2026-11-27T06:00:00Z")),
            at("2026-11-27T05:45:00Z"),
        ),
        (
            Some("tomorrow 10:00"),
            Some(at("2026-11-28T01:00:00Z")),
            at("2026-11-28T00:45:00Z"),
        ),
        // Nearer than the reminder lead: no reminder at once, the follow-up looks at the promise.
        (Some("10m"), Some(t0() + mins(10)), t0() + mins(10)),
    ];
    for (next, promise, due) in cases {
        let near = promise.is_some_and(|p| p - mins(15) <= t0());
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(
            "U0SALES",
            Command::Update {
                text: "cause still under investigation; replacement parts ship today".into(),
                next: next.map(str::to_string),
            },
        );
        let case = format!("next: {next:?}");
        assert_eq!(
            d.reply,
            Some(Reply::UpdateLogged {
                next_due: promise.unwrap_or(due),
                promised: promise.is_some(),
                reminder: promise.map(|_| due).filter(|_| !near),
                near,
                kept: false,
                unread_promise: None,
                reminded: None,
                zone: None,
                zone_remembered: false,
                // More than two periods (8h, around the clock) off: the manager hears of it.
                manager_told: (next == Some("tomorrow 10:00")).then(|| u("U0MANAGER")),
            }),
            "{case}"
        );
        assert_eq!(followup_timers(&d), vec![(due, 2)], "{case}");
        assert_eq!(sim.t.last_customer_contact(), t0(), "{case}");
        assert_eq!(sim.t.promised_next(), promise, "{case}");
        assert!(
            matches!(&events(&d)[..], [Event::CustomerUpdate { promised_next, .. }] if *promised_next == promise),
            "{case}"
        );
    }
}

#[test]
fn the_update_modal_does_what_the_update_command_does() {
    let mut by_command = Sim::ready(req("ACME"));
    let mut by_modal = Sim::ready(req("ACME"));
    let a = by_command.cmd(
        "U0SALES",
        Command::Update {
            text: "called Mr. Sato".into(),
            next: Some("2h".into()),
        },
    );
    let b = by_modal.feed(Input::UpdateSubmitted {
        user: u("U0SALES"),
        text: "called Mr. Sato".into(),
        next: Some("2h".into()),
    });
    assert_eq!(a.reply, b.reply);
    assert_eq!(a.trouble, b.trouble);
    assert_eq!(a.entries, b.entries);
    assert_eq!(a.timers, b.timers);
    assert_eq!(a.deliveries, b.deliveries);
}

#[test]
fn a_promise_that_cannot_be_read_is_refused_and_changes_nothing() {
    // (next:, error) — it is 12:00 in Tokyo, so 09:00 today has passed.
    let cases = [("someday", WhenError::Unrecognised), ("09:00", WhenError::InPast)];
    for (next, error) in cases {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(
            "U0SALES",
            Command::Update {
                text: "called".into(),
                next: Some(next.into()),
            },
        );
        assert_eq!(
            d.reply,
            Some(Reply::BadWhen {
                text: next.into(),
                error
            }),
            "{next}"
        );
        assert_no_effect(&d, next);
        assert!(sim.t.customer_updates.is_empty());
    }
}

#[test]
fn a_nudge_before_the_promise_reminds_of_it_and_one_after_says_it_was_missed() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: every 4h
    sim.advance(hours(1));
    sim.cmd(
        "U0SALES",
        Command::Update {
            text: "cause under investigation".into(),
            next: Some("2h".into()),
        },
    );
    let spoke = t0() + hours(1);
    let promise = spoke + hours(2);
    // (fires at, manager mentioned, promise missed, next nudge due)
    let steps = [
        (promise - mins(15), None, false, promise),
        (promise, None, true, promise + hours(4)),
        (promise + hours(4), Some("U0MANAGER"), true, promise + hours(8)),
    ];
    for (fires, manager, promise_missed, next) in steps {
        let timer = sim.last_followup_timer();
        assert_eq!(timer.due, fires);
        let d = sim.fire_when_due(&timer);
        assert_eq!(
            nudges(&d),
            vec![Nudge {
                owner: u("U0SALES"),
                waited_secs: (fires - spoke).num_seconds(),
                manager: manager.map(u),
                named: None,
                promise: Some(promise),
                promise_missed,
                last_contact: spoke,
                last_reminder: false,
                since_reopened: false,
            }],
            "fired at {fires}"
        );
        assert_eq!(
            followup_timers(&d),
            vec![(next, sim.t.followup_epoch)],
            "fired at {fires}"
        );
    }
}

/// The waits the one above the manager was told of in D (`CustomerStillWaiting` DMs: to whom,
/// how long).
fn still_waiting_told(d: &Decision) -> Vec<(UserId, i64)> {
    dms(d)
        .into_iter()
        .filter_map(|(who, m)| match m {
            Message::CustomerStillWaiting { waited_secs, .. } => Some((who, waited_secs)),
            _ => None,
        })
        .collect()
}

/// A record from the release before `still_waiting_told` was kept, whose director was told of
/// this wait and whose DM still stands unsettled: not told again at the next nudge.
#[test]
fn after_the_upgrade_a_wait_the_previous_release_told_of_is_not_told_again() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: every 4h
    let told = follow_ups_told(&mut sim, 4);
    assert_eq!(told, vec![(u("U0DIRECTOR"), hours(16).num_seconds())]);
    let message = Message::CustomerStillWaiting {
        waited_secs: hours(16).num_seconds(),
        manager: u("U0MANAGER"),
        last_contact: Some(t0()),
    };
    sim.feed(Input::Delivered(Outcome::Posted {
        slot: Slot::WaitingDm,
        channel: ChannelId::new("D0DIRECTOR"),
        ts: Ts::new("1.1"),
        together: Vec::new(),
        shown: Some(Box::new(message)),
    }));
    assert_eq!(sim.t.waiting_dms.len(), 1, "kept until the customer is updated");
    // The upgrade: the record as the previous release wrote it, without the field.
    let mut stored = serde_json::to_value(&sim.t).expect("writes");
    let field = stored.as_object_mut().expect("an object").remove("still_waiting_told");
    assert!(field.is_some(), "the field is written as it is set");
    sim.t = serde_json::from_value(stored).expect("reads");
    assert_eq!(sim.t.still_waiting_told, None);
    assert_eq!(
        follow_ups_told(&mut sim, 2),
        vec![],
        "told once per wait, before the upgrade too"
    );
    assert_eq!(sim.t.still_waiting_told, Some(t0()), "and now the record says so");
}

/// Fires the follow-up timers as they fall due, N of them: the director's DMs saying the
/// customer waits, as the wait since the last contact stood.
fn follow_ups_told(sim: &mut Sim, n: usize) -> Vec<(UserId, i64)> {
    (0..n)
        .flat_map(|_| {
            let d = sim.fire_when_due(&sim.last_followup_timer());
            still_waiting_told(&d)
        })
        .collect()
}

#[test]
fn a_promise_made_and_missed_does_not_keep_the_one_above_the_manager_from_hearing() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: every 4h
    sim.advance(hours(1));
    let update = Command::Update {
        text: "cause under investigation".into(),
        next: Some("2h".into()),
    };
    sim.cmd("U0SALES", update);
    // Nudged 15 minutes before the promise, at it, then every 4h: at 18h the customer has
    // waited four periods and more, the promise long missed.
    let told = follow_ups_told(&mut sim, 8);
    assert_eq!(told, vec![(u("U0DIRECTOR"), hours(18).num_seconds())], "once");
}

#[test]
fn a_nudge_late_past_the_fourth_period_still_tells_the_one_above_the_manager_once() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: every 4h
    assert!(follow_ups_told(&mut sim, 3).is_empty(), "12h: not yet");
    // The bot was down from 12h to 21h: the one nudge on its return finds five periods passed.
    sim.now = t0() + hours(21);
    let d = sim.feed(Input::Timer(sim.last_followup_timer().kind));
    assert_eq!(still_waiting_told(&d), vec![(u("U0DIRECTOR"), hours(21).num_seconds())]);
    assert!(follow_ups_told(&mut sim, 3).is_empty(), "told once per wait");
    // A word to the customer starts a new wait, which is told of in its turn.
    sim.cmd(
        "U0SALES",
        Command::Update {
            text: "replacement ships today".into(),
            next: None,
        },
    );
    let spoke = sim.now;
    let told = follow_ups_told(&mut sim, 5);
    assert_eq!(told, vec![(u("U0DIRECTOR"), hours(16).num_seconds())]);
    assert_eq!(sim.now, spoke + hours(20), "five nudges later");
}

#[test]
fn a_severity_raised_past_four_periods_tells_the_one_above_the_manager() {
    let mut sim = Sim::ready(sev(3, "ACME")); // every day
    sim.advance(hours(9));
    let raise = Command::Severity {
        to: Severity::new(1),
        reason: "line stopped".into(),
    };
    sim.cmd("U0SALES", raise); // every hour: nine periods already
    let told = follow_ups_told(&mut sim, 3);
    assert_eq!(told, vec![(u("U0DIRECTOR"), hours(9).num_seconds())]);
}

#[test]
fn a_nudge_that_fell_due_long_ago_is_posted_once_and_the_next_is_in_the_future() {
    let mut sim = Sim::ready(req("ACME"));
    // Three and a quarter cadences later (the bot was down), the first timer finally fires.
    sim.advance(hours(13));
    let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
    let nudges = nudges(&d);
    assert_eq!(nudges.len(), 1, "one nudge, not one per missed period");
    assert_eq!(nudges[0].manager, Some(u("U0MANAGER")));
    assert_eq!(nudges[0].waited_secs, hours(13).num_seconds());
    let timers = followup_timers(&d);
    assert_eq!(timers.len(), 1);
    assert!(timers[0].0 > sim.now, "next nudge in the future: {timers:?}");
    assert_eq!(timers[0].0, sim.now + hours(4), "a cadence after this nudge");
}

/// A day's cadence from an update logged in the evening falls due at the next day's close, as
/// the status says: the nudge goes then, while its owner is still at work, not the morning after,
/// though its timer fires a little after the close.
#[test]
fn a_nudge_due_at_closing_time_goes_then_not_the_next_morning() {
    let mut sim = Sim::ready_with(office_config(), sev(3, "ACME")); // every working day
    sim.now = at("2026-11-30T10:30:00Z"); // Monday 19:30 in Tokyo
    let update = Command::Update {
        text: "called them after hours".into(),
        next: None,
    };
    sim.cmd("U0SALES", update);
    let timer = sim.last_followup_timer();
    assert_eq!(timer.due, at("2026-12-01T09:00:00Z"), "Tuesday 18:00, the close");
    let d = sim.fire_late(&timer);
    assert_eq!(nudges(&d).len(), 1, "nudged at the close: {:?}", d.timers);
    // The next one is a working day on: Wednesday's close.
    assert_eq!(
        followup_timers(&d),
        vec![(at("2026-12-02T09:00:00Z"), sim.t.followup_epoch)]
    );
}

#[test]
fn outside_business_hours_a_due_nudge_waits_for_the_opening() {
    let config = config_with("[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\n");
    let mut sim = Sim::ready_with(config, req("ACME")); // Friday 12:00 JST
    let first = sim.last_followup_timer();
    assert_eq!(first.due, at("2026-11-27T07:00:00Z"), "Friday 16:00 JST");
    // It fires on Saturday noon: nothing is posted, the nudge waits for Monday 09:00 JST.
    sim.now = at("2026-11-28T03:00:00Z");
    let d = sim.feed(Input::Timer(first.kind.clone()));
    assert!(messages(&d).is_empty() && d.entries.is_empty());
    let monday = at("2026-11-30T00:00:00Z");
    assert_eq!(followup_timers(&d), vec![(monday, 2)]);
    // On Monday it is posted once; 6 working hours have passed, so no manager yet.
    let d = sim.fire_when_due(&sim.last_followup_timer());
    let nudges = nudges(&d);
    assert_eq!(nudges.len(), 1);
    assert_eq!(nudges[0].manager, None);
    assert_eq!(
        followup_timers(&d),
        vec![(at("2026-11-30T04:00:00Z"), 3)],
        "a cadence of working time later: Monday 13:00 JST"
    );
}

// ---------------------------------------------------------------------------------------------
// Delivery outcomes
// ---------------------------------------------------------------------------------------------

#[test]
fn channel_created_records_the_channel_and_refreshes_what_was_already_posted() {
    // (DM posted already?, origin notice posted already?, refreshes)
    let cases = [
        (false, false, vec![]),
        (
            true,
            false,
            vec![Delivery {
                lane: Lane::Dm,
                op: Op::Refresh { slot: Slot::ManagerDm },
            }],
        ),
        (
            true,
            true,
            vec![
                Delivery {
                    lane: Lane::Dm,
                    op: Op::Refresh { slot: Slot::ManagerDm },
                },
                Delivery {
                    lane: Lane::Origin,
                    op: Op::Refresh {
                        slot: Slot::OriginNotice,
                    },
                },
            ],
        ),
    ];
    for (dm_posted, notice_posted, refreshes) in cases {
        let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
        if dm_posted {
            let d = sim.feed(posted(Slot::ManagerDm, "D0MANAGER", "1.000001"));
            assert!(ops(&d, Lane::Dm).is_empty(), "no channel yet, no link to add");
        }
        if notice_posted {
            sim.feed(posted(Slot::OriginNotice, "C0SALESFLOOR", "1.000002"));
        }
        // The first name was taken, so the shell created the `-2` one.
        let d = sim.feed(channel_created("trouble-20261127-3-acme-2"));
        let case = format!("dm {dm_posted}, notice {notice_posted}");
        let got: Vec<Delivery> = d
            .deliveries
            .iter()
            .filter(|x| matches!(x.lane, Lane::Dm | Lane::Origin | Lane::Channel))
            .cloned()
            .collect();
        assert_eq!(got, refreshes, "{case}");
        assert_eq!(sim.t.channel, Some(ChannelId::new(TROUBLE_CHANNEL)), "{case}");
        assert_eq!(sim.t.channel_name.as_deref(), Some("trouble-20261127-3-acme-2"));
        assert_eq!(
            events(&d),
            vec![Event::ChannelCreated {
                channel: ChannelId::new(TROUBLE_CHANNEL),
                name: "trouble-20261127-3-acme-2".into()
            }]
        );
    }
}

#[test]
fn a_message_posted_after_the_channel_exists_is_refreshed_with_its_link() {
    // (slot, lane of its refresh)
    let cases = [(Slot::ManagerDm, Lane::Dm), (Slot::OriginNotice, Lane::Origin)];
    for (slot, lane) in cases {
        let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
        sim.feed(channel_created("trouble-20261127-3-acme"));
        let d = sim.feed(posted(slot, "D0ANY", "1.000001"));
        assert_eq!(ops(&d, lane), vec![Op::Refresh { slot }], "{slot:?}");
        let kept = match slot {
            Slot::ManagerDm => &sim.t.manager_dm,
            _ => &sim.t.origin_notice,
        };
        assert_eq!(
            kept,
            &Some(PostedMessage {
                channel: ChannelId::new("D0ANY"),
                ts: Ts::new("1.000001"),
                together: Vec::new(),
            })
        );
    }
}

#[test]
fn posted_kickoff_and_status_are_kept_for_later_edits() {
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    sim.feed(channel_created("trouble-20261127-3-acme"));
    for (slot, ts) in [(Slot::Kickoff, KICKOFF_TS), (Slot::Status, "1795748400.000200")] {
        let d = sim.feed(posted(slot, TROUBLE_CHANNEL, ts));
        assert!(d.trouble.is_some() && d.entries.is_empty());
        assert!(ops(&d, Lane::Channel).is_empty() && ops(&d, Lane::Dm).is_empty());
    }
    let kept = |ts: &str| {
        Some(PostedMessage {
            channel: ChannelId::new(TROUBLE_CHANNEL),
            ts: Ts::new(ts),
            together: Vec::new(),
        })
    };
    assert_eq!(sim.t.kickoff, kept(KICKOFF_TS));
    assert_eq!(sim.t.status, kept("1795748400.000200"));
}

#[test]
fn an_unreachable_origin_channel_is_answered_through_the_response_url() {
    // (response url, what goes out in the origin lane)
    let cases = [
        (
            Some(RESPONSE_URL),
            vec![Op::Respond {
                url: RESPONSE_URL.into(),
                message: Message::OriginNotice,
                replace: false,
            }],
        ),
        (None, vec![]),
    ];
    for (url, origin_ops) in cases {
        let mut sim = Sim::ready(req("ACME"));
        sim.t.origin.response_url = url.map(str::to_string);
        let d = sim.feed(Input::Delivered(Outcome::OriginUnreachable {
            channel: Some(ChannelId::new("C0SALESFLOOR")),
            error: "not_in_channel".into(),
        }));
        assert_eq!(ops(&d, Lane::Origin), origin_ops, "{url:?}");
        // Without a response URL the reporter hears by DM instead.
        let dm = if url.is_none() {
            vec![Message::OriginNotice]
        } else {
            vec![]
        };
        assert_eq!(messages(&d), dm, "{url:?}");
        assert_eq!(
            events(&d),
            vec![Event::OriginNoticeFailed {
                channel: ChannelId::new("C0SALESFLOOR"),
                error: "not_in_channel".into(),
            }]
        );
    }
}

#[test]
fn a_failed_delivery_is_noted_in_the_timeline() {
    let mut sim = Sim::ready(req("ACME"));
    let len = sim.t.timeline_len;
    let d = sim.feed(Input::Delivered(Outcome::Failed {
        method: "chat.postMessage".into(),
        error: "channel_not_found".into(),
    }));
    assert_eq!(
        events(&d),
        vec![Event::DeliveryFailed {
            method: "chat.postMessage".into(),
            error: "channel_not_found".into(),
            who: None,
        }]
    );
    assert_eq!(d.entries[0].actor, None);
    assert_eq!(sim.t.timeline_len, len + 1);
    sim.assert_chain_valid();
}

#[test]
fn a_slack_error_code_starting_with_no_is_noted_like_any_other() {
    for code in ["no_text", "no_user", "no_permission"] {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.feed(Input::Delivered(Outcome::Failed {
            method: "chat.postMessage".into(),
            error: code.into(),
        }));
        assert_eq!(
            events(&d),
            vec![Event::DeliveryFailed {
                method: "chat.postMessage".into(),
                error: code.into(),
                who: None,
            }],
            "{code}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The timeline across a whole trouble
// ---------------------------------------------------------------------------------------------

#[test]
fn the_timeline_chain_stays_valid_across_a_whole_trouble() {
    let mut sim = Sim::ready(OpenRequest {
        departments: depts(&["field"]),
        ..req("ACME Corp.")
    });
    sim.fire_when_due(&sim.last_ack_timer()); // escalated to the director
    sim.advance(mins(2));
    sim.feed(Input::ThreadReply {
        user: u("U0DIRECTOR"),
        thread_ts: Ts::new(KICKOFF_TS),
    });
    let steps: Vec<(&str, Command)> = vec![
        ("U0SALES", Command::Note("customer reports 12 failed units".into())),
        ("U0SALES", Command::Next("12 units returned".into())),
        (
            "U0SALES",
            Command::Update {
                text: "scope confirmed, cause unknown".into(),
                next: Some("2h".into()),
            },
        ),
        ("U0QA1", Command::Next("lots 40-44".into())),
        (
            "U0QA1",
            Command::Start(StageId::Countermeasures, "replacement parts shipped".into()),
        ),
        (
            "U0QA1",
            Command::Step(crate::trouble::facts::Step::Cause {
                text: "cracked solder joints".into(),
                escape: Some("no thermal cycling test".into()),
            }),
        ),
        ("U0QA1", Command::Next("cracked solder joints".into())),
        (
            "U0SALES",
            Command::Split {
                ours: 80,
                customer: 20,
                other: 0,
                reason: "our process".into(),
            },
        ),
        (
            "U0SALES",
            Command::Cost {
                amount: "¥120,000".into(),
                payer: "ours".into(),
                note: "replacement shipping".into(),
            },
        ),
        (
            "U0MANAGER",
            Command::Severity {
                to: Severity::new(1),
                reason: "r".into(),
            },
        ),
        ("U0MANAGER", Command::Owner(u("U0OTHERREP"))),
        ("U0OTHERREP", prevent("outgoing inspection of lot markings")),
        ("U0OTHERREP", Command::Done(StageId::Countermeasures, String::new())),
        ("U0OTHERREP", Command::Done(StageId::Split, String::new())),
        ("U0OTHERREP", Command::Done(StageId::Cost, String::new())),
        (
            "U0OTHERREP",
            Command::Done(StageId::Prevention, "measures presented".into()),
        ),
    ];
    for (step, (who, command)) in steps.into_iter().enumerate() {
        sim.advance(mins(20));
        // Stages 5 and 6 are done once their proposals are decided.
        if matches!(command, Command::Done(StageId::Split | StageId::Cost, _)) {
            for p in sim.t.agreement.proposals.clone() {
                if matches!(p.state, crate::trouble::approval::ProposalState::Proposed) {
                    let by = crate::trouble::approval::approvers(&sim.config, &sim.t, &p)[0].clone();
                    let approve = ButtonAction::Proposal { n: p.n, approve: true };
                    sim.feed(Input::Button {
                        user: by,
                        action: approve,
                    });
                }
            }
        }
        let case = format!("{who}: {command:?}");
        let d = sim.cmd(who, command);
        assert!(
            !matches!(
                d.reply,
                Some(Reply::NotAllowed { .. } | Reply::BadWhen { .. } | Reply::AlreadyClosed { .. })
            ),
            "{case}: {:?}",
            d.reply
        );
        if step == 2 {
            // After the update with its promise, a nudge and a failed delivery land in between.
            sim.feed(Input::Timer(TimerKind::FollowUp {
                epoch: sim.t.followup_epoch,
            }));
            sim.feed(Input::Delivered(Outcome::Failed {
                method: "pins.add".into(),
                error: "not_pinnable".into(),
            }));
        }
        sim.assert_chain_valid();
    }
    sim.advance(hours(1));
    let d = sim.cmd("U0OTHERREP", Command::Close("customer satisfied".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    sim.assert_chain_valid();
    assert_eq!(sim.entries.len() as u64, sim.t.timeline_len);
    assert!(sim.entries.len() >= 20, "{} entries", sim.entries.len());
    let kinds: BTreeSet<String> = sim
        .entries
        .iter()
        .map(|e| {
            let json = serde_json::to_value(&e.event).expect("serializes");
            json["type"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    for kind in [
        "opened",
        "manager_pinged",
        "channel_created",
        "escalated",
        "acknowledged",
        "note",
        "stage_done",
        "stage_started",
        "customer_update",
        "nudge_posted",
        "delivery_failed",
        "split_set",
        "cost_added",
        "severity_changed",
        "owner_changed",
        "stage",
        "closed",
    ] {
        assert!(kinds.contains(kind), "no {kind} entry in {kinds:?}");
    }
    // And the chain really guards the entries: a softened one breaks it.
    let mut tampered = sim.entries.clone();
    tampered[5].event = Event::Note {
        text: "nothing happened".into(),
    };
    assert!(verify_chain(&tampered, sim.t.timeline_len, &sim.t.timeline_head).is_err());
}

/// `done` on `stage` is refused (`refused`) and the stage left as it was, for the owner with no
/// note and with one (`owners_note`), and for the manager chain with no reason and with a note
/// that says nothing (`says_nothing`): only the chain's reason overrules.
fn assert_done_refused_but_for_the_chains_reason(
    sim: &mut Sim,
    stage: StageId,
    refused: &Option<Reply>,
    owners_note: &str,
    says_nothing: &str,
) {
    for (user, note) in [
        ("U0SALES", ""),
        ("U0SALES", owners_note),
        ("U0MANAGER", ""),
        ("U0MANAGER", says_nothing),
    ] {
        let d = sim.cmd(user, Command::Done(stage, note.into()));
        assert_eq!(d.reply, *refused, "{user} {note:?}");
        assert_ne!(sim.t.stage(stage).state, StageState::Done);
    }
}

/// `done` on `stage` by `user` with `note` marks it done.
fn assert_marks_done(sim: &mut Sim, user: &str, stage: StageId, note: &str) {
    let d = sim.cmd(user, Command::Done(stage, note.into()));
    assert_eq!(d.reply, Some(Reply::StageDone { stage }), "{user} {note:?}");
}

/// Stage 3 finds the cause: done without one recorded, the trouble would close with the 8D's
/// D4 empty. The owner is told to record it; the manager chain may accept a cause that cannot
/// be found, with a reason, never without; once recorded, anyone may mark it done.
#[test]
fn stage_3_is_done_on_a_cause_recorded_or_the_chains_reason() {
    use crate::trouble::facts::StepReply;
    let mut sim = Sim::ready(req("ACME"));
    let chain = sim.t.manager_chain().to_vec();
    let refused = Some(Reply::Step(StepReply::CauseUnrecorded { chain }));
    assert_done_refused_but_for_the_chains_reason(&mut sim, StageId::Cause, &refused, "no idea", "…");
    let d = sim.cmd("U0SALES", Command::Next(String::new()));
    assert_eq!(d.reply, Some(Reply::StageDone { stage: StageId::Facts }));
    sim.cmd("U0SALES", Command::Next(String::new()));
    let d = sim.cmd("U0SALES", Command::Next(String::new()));
    assert_eq!(d.reply, refused, "`next` on stage 3 too");
    assert_marks_done(
        &mut sim,
        "U0MANAGER",
        StageId::Cause,
        "not reproducible; monitoring the next lots",
    );

    let mut sim = Sim::ready(req("ACME"));
    sim.cause_found();
    assert_marks_done(&mut sim, "U0SALES", StageId::Cause, "");
}

#[test]
fn done_on_a_stage_already_done_says_so_and_records_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cause_found();
    sim.cmd("U0SALES", Command::Done(StageId::Cause, "cause found".into()));
    let again = sim.cmd("U0SALES", Command::Done(StageId::Cause, "cause found again".into()));
    assert_eq!(again.reply, Some(Reply::StageAlreadyDone { stage: StageId::Cause }));
    assert!(again.trouble.is_none() && again.entries.is_empty() && again.deliveries.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Roles: who may do what (the README's roles table)
// ---------------------------------------------------------------------------------------------

const OUTSIDER: &str = "U0OUTSIDER";
const ADDED: &str = "U0ADDED";

/// Opened by U0SALES with +quality (U0QA1 a member), U0ADDED brought in with `/trouble add`.
fn sim_with_participants() -> Sim {
    let mut sim = Sim::ready(OpenRequest {
        departments: depts(&["quality"]),
        ..req("ACME")
    });
    let d = sim.cmd(
        "U0SALES",
        Command::Add {
            users: users(&[ADDED]),
            departments: Vec::new(),
        },
    );
    assert_eq!(
        d.reply,
        Some(Reply::ParticipantsAdded {
            users: users(&[ADDED]),
            depts: Vec::new()
        })
    );
    sim
}

/// A channel Slack refused to create is asked for again with the refusal's button: by those
/// who heard at once, once (a second click while it is being made makes no second channel, nor
/// does a reopening after a close meanwhile: the coming channel's set-up serves, one kickoff,
/// one line saying why it is new), and answered with the channel once it exists. (Closed, it
/// is answered as closed: see `commands_buttons_and_replies_after_close_change_nothing`.)
#[test]
fn a_channel_slack_refused_is_asked_for_again_once() {
    use crate::trouble::facts::Step;
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    let name = sim.t.channel_name.clone().expect("a channel name at opening");
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    assert!(sim.t.channel_refused);
    let click = |sim: &mut Sim, who: &str| {
        sim.feed(Input::Button {
            user: u(who),
            action: ButtonAction::CreateChannel,
        })
    };
    let creates = |d: &Decision| d.deliveries.iter().filter(|c| c.op == Op::CreateChannel).count();
    let answer = |d: &Decision| match &d.reply {
        Some(Reply::ChannelAgain { answer, .. }) => answer.clone(),
        other => panic!("{other:?}"),
    };

    let refused = click(&mut sim, OUTSIDER);
    assert!(matches!(
        refused.reply,
        Some(Reply::NotAllowed {
            act: Act::AskForChannel,
            ..
        })
    ));
    assert_eq!(creates(&refused), 0);
    let asked = click(&mut sim, "U0SALES");
    let answered_asked = matches!(answer(&asked), ChannelAgain::Asked { .. });
    assert_eq!((answered_asked, creates(&asked)), (true, 1));
    assert!(asked
        .entries
        .iter()
        .any(|e| e.event == Event::ChannelAskedFor && e.actor == Some(u("U0SALES"))));
    let again = click(&mut sim, "U0MANAGER");
    assert_eq!((answer(&again), creates(&again)), (ChannelAgain::Coming, 0));

    // Closed and reopened before Slack answered the creation; a line back from behind the
    // refused one meanwhile waits for the coming channel, closed or not.
    sim.cmd("U0DIRECTOR", Command::CloseForce("settled by phone".into()));
    sim.feed(found_no_channel(note_line("decided before")));
    let reopened = sim.cmd("U0MANAGER", Command::Step(Step::Reopen("customer found more".into())));
    let set_up = |d: &Decision| {
        let posts = |what: &dyn Fn(&Message, &Option<Slot>) -> bool| {
            let post = |op: &Op| matches!(op, Op::Post { message, keep_as, .. } if what(message, keep_as));
            d.deliveries.iter().filter(|c| post(&c.op)).count()
        };
        let kickoffs = posts(&|_, keep_as| *keep_as == Some(Slot::Kickoff));
        let made = posts(&|m, _| matches!(m, Message::ChannelMadeLate { .. } | Message::ChannelReplaced { .. }));
        (creates(d), kickoffs, made)
    };
    // One creation, one kickoff, one line saying why the channel is new (and its DM to the
    // manager, the owner having asked).
    assert_eq!((set_up(&asked), set_up(&reopened)), ((1, 1, 2), (0, 0, 0)));
    let again = click(&mut sim, "U0SALES");
    assert_eq!((answer(&again), creates(&again)), (ChannelAgain::Coming, 0));

    let created = sim.feed(channel_created(&name));
    assert!(!sim.t.channel_create_queued);
    assert!(has_op(&created, Lane::Channel, &note_line("decided before")));
    let made = click(&mut sim, "U0SALES");
    assert_eq!(answer(&made), ChannelAgain::Exists(ChannelId::new(TROUBLE_CHANNEL)));
}

/// The manager's DM says Slack refused the channel, with the button, whichever the DM and
/// channel lanes recorded first: refused before the DM's post is known, the post refreshes it;
/// after, the refusal does; once each way. A click that asks refreshes it again (its button
/// goes while the channel is made).
#[test]
fn the_managers_dm_says_the_refusal_whichever_lane_comes_first_and_loses_its_button_once_asked() {
    let refused = || {
        Input::Delivered(Outcome::Failed {
            method: "conversations.create".into(),
            error: "restricted_action".into(),
        })
    };
    let dm_posted = || posted(Slot::ManagerDm, "D0MANAGER", "1.000001");
    let refresh = Op::Refresh { slot: Slot::ManagerDm };
    let refreshes = |d: &Decision| ops(d, Lane::Dm).iter().filter(|op| **op == refresh).count();
    for refusal_first in [true, false] {
        let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
        let (first, then) = match refusal_first {
            true => (refused(), dm_posted()),
            false => (dm_posted(), refused()),
        };
        let first = sim.feed(first);
        let then = sim.feed(then);
        assert_eq!(
            (refreshes(&first), refreshes(&then)),
            (0, 1),
            "refusal first: {refusal_first}"
        );
        let asked = sim.feed(Input::Button {
            user: u("U0MANAGER"),
            action: ButtonAction::CreateChannel,
        });
        assert!(matches!(
            &asked.reply,
            Some(Reply::ChannelAgain {
                answer: ChannelAgain::Asked { .. },
                ..
            })
        ));
        assert_eq!(refreshes(&asked), 1, "refusal first: {refusal_first}");
    }
}

/// The escalation's DMs name the channel too: while they ask and once answered, each is edited
/// when Slack refuses the channel, when someone asks for it again and when it is made, so
/// none says it was refused once it exists.
#[test]
fn the_escalation_dms_follow_a_refused_channel_until_it_is_made() {
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    let name = sim.t.channel_name.clone().expect("a channel name at opening");
    sim.feed(posted(Slot::ManagerDm, "D0MANAGER", "1.000001"));
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    let asking = |d: &Decision| {
        edits(d)
            .iter()
            .any(|(ts, m)| ts == "1.1" && matches!(m, Message::EscalationDm { .. }))
    };
    let refused = sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    assert!(asking(&refused), "{:?}", refused.deliveries);
    let asked = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    assert!(asking(&asked), "{:?}", asked.deliveries);
    // Answered, the DM says so, and still follows the channel.
    sim.cmd("U0MANAGER", Command::Ack);
    let made = sim.feed(channel_created(&name));
    let settled = Message::EscalationDmSettled {
        asked_again: false,
        to: Some(u("U0DIRECTOR")),
    };
    assert!(
        edits(&made).contains(&("1.1".to_string(), settled)),
        "{:?}",
        made.deliveries
    );
}

/// The channel made late invites the chain the role reads, not everyone it ever asked: a
/// manager named at the open whom `/trouble manager` left out since stays out of it.
#[test]
fn a_channel_made_late_leaves_out_a_manager_the_chain_left() {
    let named = OpenRequest {
        manager: Some(u("U0OTHERMGR")),
        ..req("ACME")
    };
    let (mut sim, _) = Sim::open(config(), "U0SALES", named);
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    sim.cmd("U0MANAGER", Command::Manager(u("U0NEWMGR")));
    assert!(sim.t.escalation.asked_at(&u("U0OTHERMGR")).is_some());
    // The owner's manager a fixed `[org]` names now, asked from outside the chain, is invited.
    sim.t.escalation.owners_manager_now = Some(u("U0ORGMGR"));
    let d = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    let invited = invited(&d);
    assert!(!invited.contains(&u("U0OTHERMGR")), "{invited:?}");
    assert!(
        invited.contains(&u("U0NEWMGR")) && invited.contains(&u("U0MANAGER")) && invited.contains(&u("U0ORGMGR")),
        "{invited:?}"
    );
}

/// A channel Slack refused at the open and made late is set up as at the open: the hint that
/// nobody manages the trouble (and the past troubles, by the same code) come with the kickoff.
#[test]
fn a_channel_made_late_gets_what_the_open_posted_beside_the_kickoff() {
    let (mut sim, _) = Sim::open(config(), "U0LONER", req("ACME"));
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    let d = sim.feed(Input::Button {
        user: u("U0LONER"),
        action: ButtonAction::CreateChannel,
    });
    let hint = post_op(Dest::TroubleChannel, Message::NoManagerHint, None);
    let channel = ops(&d, Lane::Channel);
    assert_eq!(channel.iter().filter(|op| **op == hint).count(), 1, "{channel:?}");
}

/// While Slack refuses to create the trouble's channel, what the bot would say there waits on
/// the trouble as for a lost channel, and a nudge goes to the owner by DM at once. What the open
/// queued behind the creation comes back from the outbox for want of a channel: a line waits,
/// ahead of what was decided since; what setting a channel up does anyway (the kickoff, the
/// status, the invitations) does not. Asked for again, the new channel gets its kickoff and
/// status, then one line saying why what follows comes late, then each line once, in order.
#[test]
fn while_slack_refuses_the_channel_its_lines_wait_and_follow_the_channel_made_late() {
    let (mut sim, opened) = Sim::open(config(), "U0SALES", req("ACME"));
    let refused_at = sim.now;
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    let in_channel = |d: &Decision| d.deliveries.iter().filter(|c| c.op.in_trouble_channel()).count();
    let d = sim.cmd("U0SALES", Command::Note("decided after".into()));
    assert_eq!(in_channel(&d), 0, "{:?}", d.deliveries);
    let nudge = sim.last_followup_timer();
    let d = sim.fire_when_due(&nudge);
    assert_eq!(in_channel(&d), 0, "{:?}", d.deliveries);
    let nudged: Vec<UserId> = dms(&d)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::Nudge(_)))
        .map(|(who, _)| who)
        .collect();
    assert_eq!(nudged, vec![u("U0SALES")]);

    let queued = opened.deliveries.iter().filter(|c| c.op.in_trouble_channel()).cloned();
    let before = Delivery {
        lane: Lane::Channel,
        op: note_line("decided before"),
    };
    for call in queued.chain([before]) {
        sim.feed(Input::Delivered(Outcome::ChannelUnavailable {
            call: Box::new(call),
            channel: None,
            method: "chat.postMessage".into(),
            error: "no channel".into(),
        }));
    }
    let d = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    let note = |text: &str| Message::Recorded {
        by: u("U0SALES"),
        what: Record::Note { text: text.into() },
    };
    let late = Message::ChannelMadeLate {
        asked: Some(u("U0SALES")),
        held: Some(HeldLines {
            since: refused_at,
            count: 2,
            left_out: 0,
        }),
    };
    assert_eq!(
        channel_lines(&d),
        vec![late, note("decided before"), note("decided after")]
    );
    let kickoffs = ops(&d, Lane::Channel)
        .into_iter()
        .filter(|op| {
            matches!(
                op,
                Op::Post {
                    keep_as: Some(Slot::Kickoff),
                    ..
                }
            )
        })
        .count();
    assert_eq!((kickoffs, invite_batches(&d).len()), (1, 1));
    assert!(sim.t.held.is_none());

    // A deleted channel whose replacement Slack refused is the same: the line saying it was
    // replaced says what follows.
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(Input::ChannelDeleted { by: None });
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    sim.advance(mins(5));
    sim.cmd("U0SALES", Command::Note("meanwhile".into()));
    let d = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    let replaced = Message::ChannelReplaced {
        held: Some(HeldLines {
            since: sim.now,
            count: 1,
            left_out: 0,
        }),
    };
    assert_eq!(channel_lines(&d), vec![replaced, note("meanwhile")]);
}

/// The lines `d` posts in the trouble's channel, in order (not the kickoff's or status's posts).
fn channel_lines(d: &Decision) -> Vec<Message> {
    ops(d, Lane::Channel)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post {
                to: Dest::TroubleChannel,
                message,
                keep_as: None | Some(Slot::Entry { .. }),
            } => Some(message),
            _ => None,
        })
        .collect()
}

/// A call to the trouble's channel as the deliverer hands it back having found no channel.
fn found_no_channel(op: Op) -> Input {
    Input::Delivered(Outcome::ChannelUnavailable {
        call: Box::new(Delivery {
            lane: Lane::Channel,
            op,
        }),
        channel: None,
        method: "chat.postMessage".into(),
        error: "no channel".into(),
    })
}

/// A closed trouble's effectiveness check that comes back having found its channel deleted
/// still asks, by DM: the owner and the manager hear it whatever became of the channel.
#[test]
fn a_closed_troubles_check_that_finds_no_channel_asks_by_dm() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    sim.feed(Input::ChannelDeleted { by: None });
    let check = Message::Step(crate::trouble::facts::StepLine::EffectCheck {
        n: 1,
        ask: vec![UserId::new("U0SALES")],
        round: None,
        epoch: None,
    });
    let d = sim.feed(found_no_channel(Op::Post {
        to: Dest::TroubleChannel,
        message: check.clone(),
        keep_as: None,
    }));
    let asked: Vec<UserId> = dms(&d)
        .into_iter()
        .filter(|(_, m)| *m == check)
        .map(|(to, _)| to)
        .collect();
    assert_eq!(
        asked,
        vec![UserId::new("U0SALES"), UserId::new("U0MANAGER")],
        "{:?}",
        d.deliveries
    );
}

/// Slack refuses the channel of a trouble just opened: (the trouble, the open's decision).
fn refused_at_open() -> (Sim, Decision) {
    let (mut sim, opened) = Sim::open(config(), "U0SALES", req("ACME"));
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    (sim, opened)
}

/// The same open typed again while Slack refuses the first one's channel: the answer names the
/// channel as refused, never as being set up, and says where to ask for it and to type the
/// trouble's commands meanwhile (its options, too, by its id in a DM).
#[test]
fn the_same_open_again_names_the_refused_channel_and_the_way_forward() {
    let (sim, _) = refused_at_open();
    let again = OpenRequest {
        past: vec![crate::trouble::customer::PastTrouble::from(&sim.t)],
        ..sev(1, "ACME")
    };
    let reply = try_open(&config(), "U0SALES", again).reply.expect("an answer");
    let config = full_config();
    let name = sim.t.channel_name.clone().expect("a channel name");
    for (l, refused, setting_up, button, typed) in [
        (
            crate::i18n::Locale::En,
            format!("#{name} (Slack refused to create it)"),
            "being set up",
            "Try creating the channel again",
            format!("in a DM with the bot, `/trouble sev {ID} N`"),
        ),
        (
            crate::i18n::Locale::Ja,
            format!("#{name}（Slack が作成を拒否）"),
            "作成中",
            "チャンネルの作成を再試行",
            format!("ボットとの DM で `/trouble sev {ID} N`"),
        ),
    ] {
        let said = crate::i18n::reply_text(l, &config, &reply);
        assert!(said.contains(&refused) && !said.contains(setting_up), "{said}");
        for way in [button, &format!("`/trouble note {ID} …`"), &typed] {
            assert!(said.contains(way), "{l:?} lacks {way}: {said}");
        }
    }
}

/// The manager's answers while Slack refuses the channel say that what the bot posts there
/// waits for it: the acknowledgement (with the button where they have it), and the channel
/// asked for again (what waited follows the kickoff and the status).
#[test]
fn the_managers_answers_say_what_waits_for_a_refused_channel() {
    let (mut sim, _) = refused_at_open();
    let ack = sim.click("U0MANAGER", ButtonAction::Acknowledge);
    assert!(
        matches!(
            &ack,
            Reply::Acknowledged {
                refused: Some(Refused { may_ask: true }),
                ..
            }
        ),
        "{ack:?}"
    );
    let asked = sim.click("U0MANAGER", ButtonAction::CreateChannel);
    assert!(
        matches!(
            &asked,
            Reply::ChannelAgain {
                answer: ChannelAgain::Asked { then_held: true },
                ..
            }
        ),
        "{asked:?}"
    );
    // Nothing held, or all that was held left out (dropped by a redaction): nothing follows.
    let asked_with = |left_out: u32| {
        let (mut fresh, _) = refused_at_open();
        if left_out > 0 {
            fresh.t.held = Some(Held {
                since: fresh.t.opened_at,
                calls: Vec::new(),
                refused: 0,
                left_out,
                how: None,
            });
        }
        let reply = fresh.click("U0MANAGER", ButtonAction::CreateChannel);
        assert!(
            matches!(
                &reply,
                Reply::ChannelAgain {
                    answer: ChannelAgain::Asked { then_held: false },
                    ..
                }
            ),
            "{reply:?}"
        );
        reply
    };
    let nothing_held = asked_with(0);
    asked_with(3);
    let tr_ends = |l| match l {
        crate::i18n::Locale::Ja => "キックオフと状況を投稿します。",
        crate::i18n::Locale::En => "the status are posted there; if Slack refuses again",
    };
    let config = full_config();
    for (l, waits, button, follows) in [
        (
            crate::i18n::Locale::En,
            "the acknowledgement shows there once it is made",
            "*Try creating the channel again*",
            "then what waited for it, in order",
        ),
        (
            crate::i18n::Locale::Ja,
            "確認したことはチャンネルができてからそこに表示されます",
            "「チャンネルの作成を再試行」",
            "それまで投稿を待っていた記録を起きた順に続けます",
        ),
    ] {
        let said = crate::i18n::reply_text(l, &config, &ack);
        assert!(said.contains(waits) && said.contains(button), "{said}");
        let said = crate::i18n::reply_text(l, &config, &asked);
        assert!(said.contains(follows), "{said}");
        // Asked before anything waited: nothing is said to follow.
        let said = crate::i18n::reply_text(l, &config, &nothing_held);
        assert!(!said.contains(follows), "{said}");
        assert!(said.contains(tr_ends(l)), "{said}");
    }
}

/// A manager acknowledging from their DM while the trouble's channel is lost to the bot is told
/// the acknowledgement shows there once the channel is back, as for a refused one, in both
/// locales; with the channel there, the answer says nothing of it.
#[test]
fn an_acknowledgement_while_the_channel_is_lost_says_it_shows_there_once_back() {
    let config = full_config();
    for (how, en, ja) in [
        (
            ChannelLoss::Archived,
            "Its channel is archived, so the acknowledgement shows there once it is unarchived.",
            "アーカイブが解除されてからそこに表示されます",
        ),
        (
            ChannelLoss::BotRemoved,
            "The bot was removed from its channel, so the acknowledgement shows there once the bot is back in it.",
            "ボットがチャンネルに戻ってからそこに表示されます",
        ),
    ] {
        let mut sim = Sim::ready(req("ACME"));
        sim.feed(Input::ChannelLost { how, by: None });
        let ack = sim.click("U0MANAGER", ButtonAction::Acknowledge);
        assert!(
            matches!(&ack, Reply::Acknowledged { lost: Some(l), .. } if *l == how),
            "{ack:?}"
        );
        let said = crate::i18n::reply_text(crate::i18n::Locale::En, &config, &ack);
        assert!(said.contains(en), "{said}");
        let said = crate::i18n::reply_text(crate::i18n::Locale::Ja, &config, &ack);
        assert!(said.contains(ja), "{said}");
    }
    let ack = Sim::ready(req("ACME")).click("U0MANAGER", ButtonAction::Acknowledge);
    let said = crate::i18n::reply_text(crate::i18n::Locale::En, &config, &ack);
    assert!(said.ends_with("Escalation has stopped."), "{said}");
}

/// Someone up the chain not asked yet may acknowledge (`/trouble ack ID`) but not ask for the
/// channel: the answer says the acknowledgement waits for it, and names no button, in either
/// locale.
#[test]
fn one_who_may_acknowledge_but_not_ask_is_not_pointed_to_the_button() {
    let (mut sim, _) = refused_at_open();
    assert!(!may_ask_for_channel(&sim.config, &sim.t, &u("U0DIRECTOR")));
    let acked = sim.cmd("U0DIRECTOR", Command::Ack);
    let ack = acked.reply.expect("an answer");
    assert!(
        matches!(
            &ack,
            Reply::Acknowledged {
                refused: Some(Refused { may_ask: false }),
                ..
            }
        ),
        "{ack:?}"
    );
    let config = full_config();
    for (l, waits, button) in [
        (
            crate::i18n::Locale::En,
            "the acknowledgement shows there once it is made",
            "Try creating the channel again",
        ),
        (
            crate::i18n::Locale::Ja,
            "確認したことはチャンネルができてからそこに表示されます",
            "チャンネルの作成を再試行",
        ),
    ] {
        let said = crate::i18n::reply_text(l, &config, &ack);
        assert!(said.contains(waits) && !said.contains(button), "{said}");
    }
}

/// Someone up the chain who acknowledges from their escalation DM while Slack refuses the
/// channel is told the button is in their DM or Home, and the DM, answered, names them so it
/// keeps that button (rendered: see messages.rs); asked for, the channel's edit drops it there.
#[test]
fn an_escalated_acknowledgement_keeps_the_channel_button_in_the_dm_it_points_to() {
    let (mut sim, _) = refused_at_open();
    sim.fire_when_due(&sim.last_ack_timer()); // the director
    sim.feed(escalation_dm_posted("U0DIRECTOR", "1.1"));
    let acked = sim.feed(Input::Button {
        user: u("U0DIRECTOR"),
        action: ButtonAction::Acknowledge,
    });
    assert!(
        matches!(
            acked.reply,
            Some(Reply::Acknowledged {
                refused: Some(Refused { may_ask: true }),
                ..
            })
        ),
        "{:?}",
        acked.reply
    );
    let answered = Message::EscalationDmSettled {
        asked_again: false,
        to: Some(u("U0DIRECTOR")),
    };
    assert_eq!(edits(&acked), vec![("1.1".to_string(), answered.clone())]);
    assert!(may_ask_for_channel(&sim.config, &sim.t, &u("U0DIRECTOR")));
    let asked = sim.feed(Input::Button {
        user: u("U0DIRECTOR"),
        action: ButtonAction::CreateChannel,
    });
    assert!(
        edits(&asked).contains(&("1.1".to_string(), answered)),
        "{:?}",
        asked.deliveries
    );
    assert!(!may_ask_for_channel(&sim.config, &sim.t, &u("U0DIRECTOR")));
}

/// The channel asked for again while the refusal's backlog still drains (the click came before
/// the lane reached it): a line that comes back finding no channel waits for the channel being
/// made and follows once it is, once, after a line saying it comes late, since when, and how
/// many more could not be kept; what the set-up posts anyway (the kickoff) does not.
#[test]
fn a_line_back_from_behind_a_channel_asked_for_again_follows_once_it_is_made() {
    let (mut sim, opened) = refused_at_open();
    let asked = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    assert_eq!(ops(&asked, Lane::Channel).first(), Some(&Op::CreateChannel));
    let kickoff = opened
        .deliveries
        .iter()
        .find(|c| {
            matches!(
                c.op,
                Op::Post {
                    keep_as: Some(Slot::Kickoff),
                    ..
                }
            )
        })
        .expect("the open's kickoff")
        .op
        .clone();
    sim.advance(mins(5));
    let back_at = sim.now;
    let d = sim.feed(found_no_channel(kickoff));
    assert!(ops(&d, Lane::Channel).is_empty(), "{:?}", d.deliveries);
    let lines: Vec<Op> = (0..=Held::MOST)
        .map(|n| note_line(&format!("decided before {n}")))
        .collect();
    for line in &lines {
        let d = sim.feed(found_no_channel(line.clone()));
        assert!(ops(&d, Lane::Channel).is_empty(), "{:?}", d.deliveries);
    }
    sim.advance(mins(5));
    let name = sim.t.channel_name.clone().expect("a channel name");
    let d = sim.feed(channel_created(&name));
    let late = Message::HeldFollow {
        how: None,
        since: back_at,
        count: Held::MOST,
        left_out: 1,
    };
    let followed: Vec<Op> = std::iter::once(post_op(Dest::TroubleChannel, late, None))
        .chain(lines[..Held::MOST].iter().cloned())
        .collect();
    assert_eq!(
        ops(&d, Lane::Channel)
            .into_iter()
            .filter(|op| op.in_trouble_channel())
            .collect::<Vec<_>>(),
        followed
    );
    assert!(sim.t.held.is_none());
}

/// Asked for again and refused again: the lines held come back and wait once more, and the line
/// that finally says they follow still says since when, and how many could not be kept.
#[test]
fn refused_again_the_lines_held_still_say_since_when_and_how_many_were_left_out() {
    let (mut sim, _) = refused_at_open();
    let refused_at = sim.now;
    sim.cmd("U0SALES", Command::Note("meanwhile".into()));
    sim.t.held.as_mut().expect("the note's line held").left_out = 10;
    sim.advance(mins(60));
    let click = Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    };
    let asked = sim.feed(click.clone());
    sim.advance(mins(60));
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    for call in asked.deliveries.iter().filter(|c| c.op.in_trouble_channel()) {
        sim.feed(found_no_channel(call.op.clone()));
    }
    sim.advance(mins(60));
    let d = sim.feed(click);
    let late = Message::ChannelMadeLate {
        asked: Some(u("U0SALES")),
        held: Some(HeldLines {
            since: refused_at,
            count: 1,
            left_out: 10,
        }),
    };
    assert!(
        has_op(&d, Lane::Channel, &post_op(Dest::TroubleChannel, late, None)),
        "{:?}",
        d.deliveries
    );
}

/// A change while Slack refuses the channel asks for a status refresh that never goes (the
/// set-up posts the status afresh): in the channel made late, the status pinned is still edited
/// after the next change.
#[test]
fn the_status_of_a_channel_made_late_is_edited_after_a_later_change() {
    let (mut sim, _) = refused_at_open();
    let update = |text: &str| Command::Update {
        text: text.into(),
        next: None,
    };
    sim.cmd("U0SALES", update("told the buyer"));
    sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    let name = sim.t.channel_name.clone().expect("a channel name");
    sim.feed(channel_created(&name));
    sim.feed(posted(Slot::Kickoff, TROUBLE_CHANNEL, KICKOFF_TS));
    sim.feed(posted(Slot::Status, TROUBLE_CHANNEL, "1795748400.000200"));
    sim.advance(mins(30));
    let d = sim.cmd("U0SALES", update("told the buyer again"));
    assert!(
        has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Status }),
        "{:?}",
        d.deliveries
    );
}

/// A deleted channel whose replacement Slack refused: the set-up of the one asked for again
/// posts nothing beside its kickoff, so the customer's history a correction told meanwhile waits
/// for it, and follows there, once.
#[test]
fn a_refused_replacement_gets_the_customer_history_told_meanwhile() {
    use crate::trouble::facts::Step;
    let mut sim = Sim::ready(req("ACMF"));
    sim.feed(Input::ChannelDeleted { by: None });
    sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    }));
    let past: crate::trouble::customer::PastTrouble = serde_json::from_value(serde_json::json!({
        "id": "20250101-1", "opened_at": "2025-01-01T00:00:00Z", "summary": "cracked lids",
        "reached": 7, "closed": true, "split": null, "costs": [], "private": false,
    }))
    .unwrap();
    sim.cmd(
        "U0SALES",
        Command::Step(Step::FixCustomer {
            name: "ACME".into(),
            past: vec![past],
        }),
    );
    let d = sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    let history = post_op(Dest::KickoffThread, Message::CustomerHistory, None);
    assert_eq!(
        ops(&d, Lane::Channel).iter().filter(|op| **op == history).count(),
        1,
        "{:?}",
        d.deliveries
    );
}

/// The owner records that the customer is to return the goods: the reminder timer it sets.
fn request_a_return(sim: &mut Sim) -> Timer {
    use crate::trouble::facts::{ReturnState, Step};
    let request = Step::Return {
        state: ReturnState::Requested,
        qty: None,
        tracking: None,
    };
    sim.cmd("U0SALES", Command::Step(request));
    sim.timers
        .iter()
        .rev()
        .find(|t| matches!(t.kind, TimerKind::ReturnReminder { .. }))
        .expect("a reminder set")
        .clone()
}

/// Requested on a Friday evening, the returned goods' reminder falls due at the same hour two
/// working days on: posted at the next opening, not at 20:00.
#[test]
fn the_returned_goods_reminder_waits_for_business_hours() {
    use crate::trouble::facts::StepLine;
    let mut sim = Sim::ready_with(office_config(), req("ACME"));
    sim.now = at("2026-11-27T11:00:00Z"); // Friday 20:00 in Tokyo
    let timer = request_a_return(&mut sim);
    let reminded = |d: &Decision| {
        messages(d)
            .iter()
            .filter(|m| matches!(m, Message::Step(StepLine::ReturnReminder { .. })))
            .count()
    };
    let d = sim.fire_when_due(&timer);
    assert_eq!(reminded(&d), 0, "at {}", sim.now);
    assert!(d.entries.is_empty(), "{:?}", d.entries);
    let wednesday = at("2026-12-02T00:00:00Z");
    assert_eq!(
        d.timers,
        vec![Timer {
            due: wednesday,
            ..timer.clone()
        }]
    );
    let d = sim.fire_when_due(&d.timers[0].clone());
    assert_eq!(reminded(&d), 1, "at the opening");
}

/// The returned goods still only requested while Slack refuses the channel: the owner is
/// reminded by DM at once, as a nudge would be, not held for a channel nobody may ask for.
#[test]
fn the_returned_goods_reminder_goes_by_dm_while_there_is_no_channel() {
    use crate::trouble::facts::StepLine;
    let (mut sim, _) = refused_at_open();
    let timer = request_a_return(&mut sim);
    let reminded = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter(|(_, m)| matches!(m, Message::Step(StepLine::ReturnReminder { .. })))
            .map(|(who, _)| who)
            .collect()
    };
    let d = sim.fire_when_due(&timer);
    assert_eq!(reminded(&d), vec![u("U0SALES")]);
    assert!(
        d.deliveries.iter().all(|c| !c.op.in_trouble_channel()),
        "{:?}",
        d.deliveries
    );
    // Decided before the refusal came back, it comes back too, and goes by DM at once.
    let line = Message::Step(StepLine::ReturnReminder {
        owner: u("U0SALES"),
        since: sim.now,
    });
    let d = sim.feed(found_no_channel(post_op(Dest::TroubleChannel, line, None)));
    assert_eq!(reminded(&d), vec![u("U0SALES")]);
    let held = serde_json::to_string(&sim.t.held).unwrap();
    assert!(!held.contains("return_reminder"), "{held}");
}

/// Closed while Slack refused its channel, then reopened: the reopening makes the channel, and
/// what waited (the note, the close's line) follows the line saying it was made at the reopening,
/// before the reopening's own line.
#[test]
fn reopened_after_a_close_while_refused_the_channel_gets_what_waited_then_the_reopening() {
    use crate::trouble::facts::Step;
    let (mut sim, _) = refused_at_open();
    sim.cmd("U0SALES", Command::Note("before the close".into()));
    sim.cmd("U0DIRECTOR", Command::CloseForce("settled by phone".into()));
    assert!(sim.t.held.is_some());
    sim.advance(mins(60));
    let d = sim.cmd("U0MANAGER", Command::Step(Step::Reopen("customer found more".into())));
    let lines = channel_lines(&d);
    let at = |what: &dyn Fn(&Message) -> bool| lines.iter().position(what).unwrap_or_else(|| panic!("{lines:#?}"));
    let made = at(&|m| {
        matches!(
            m,
            Message::ChannelMadeLate {
                asked: None,
                held: Some(HeldLines { count, .. }),
            } if *count >= 2
        )
    });
    let note = at(&|m| *m == note_message("before the close"));
    let reopened = at(&|m| format!("{m:?}").contains("customer found more"));
    assert!(made < note && note < reopened, "{lines:#?}");
    assert!(sim.t.held.is_none());
}

/// What the previous release stored (an outbox item, a held call) still reads: its line saying
/// a deleted channel was replaced held nothing, its line saying what follows a channel back
/// says how it was lost; each is written back the same.
#[test]
fn a_replaced_line_the_previous_release_stored_still_reads() {
    let stored = r#"{"kind":"channel_replaced"}"#;
    let read: Message = serde_json::from_str(stored).expect("reads");
    assert_eq!(read, Message::ChannelReplaced { held: None });
    assert_eq!(serde_json::to_string(&read).unwrap(), stored);
    let stored = r#"{"kind":"held_follow","how":"archived","since":"2026-11-27T03:00:00Z","count":2,"left_out":1}"#;
    let read: Message = serde_json::from_str(stored).expect("reads");
    let since = "2026-11-27T03:00:00Z".parse().unwrap();
    assert_eq!(
        read,
        Message::HeldFollow {
            how: Some(ChannelLoss::Archived),
            since,
            count: 2,
            left_out: 1,
        }
    );
    assert_eq!(serde_json::to_string(&read).unwrap(), stored);
}

/// A refusal an earlier release heard but kept no flag of (`channel_refused`, nor
/// `channel_deleted`) is read from the timeline and flagged, the managers' DMs redrawn with the
/// button; a deleted channel's replacement as one. Never once something since asked Slack for a
/// channel (asked for again, the trouble reopened, the channel made or deleted), or once the
/// timeline moved on from what was read. A closed trouble's is flagged too, offering nothing.
#[test]
fn a_refusal_an_earlier_release_did_not_flag_is_read_from_its_timeline() {
    use crate::trouble::facts::Step;
    let as_stored_before = |sim: &mut Sim| {
        sim.t.channel_refused = false;
        sim.t.channel_deleted = false;
    };
    let refused = || Outcome::Failed {
        method: "conversations.create".into(),
        error: "restricted_action".into(),
    };
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    sim.feed(posted(Slot::ManagerDm, "D0MANAGER", "1795748400.000900"));
    sim.feed(Input::Delivered(refused()));
    as_stored_before(&mut sim);
    let read = refusal_unflagged(&sim.t, &sim.entries).expect("the refusal is read");
    assert_eq!(
        read,
        Input::RefusalOnTimeline {
            head: sim.t.timeline_head.clone(),
            replacement: false
        }
    );
    sim.cmd("U0SALES", Command::Note("after the read".into()));
    sim.feed(read);
    assert!(!sim.t.channel_refused, "read from a timeline that moved on since");
    let d = sim.feed(refusal_unflagged(&sim.t, &sim.entries).expect("read again"));
    assert!(sim.t.channel_refused && !sim.t.channel_deleted);
    assert!(
        ops(&d, Lane::Dm).contains(&Op::Refresh { slot: Slot::ManagerDm }),
        "{d:#?}"
    );
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries), None, "flagged");

    // Asked for again, then made: nothing to flag while it is on its way, nor once it is there.
    sim.feed(Input::Button {
        user: u("U0SALES"),
        action: ButtonAction::CreateChannel,
    });
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries), None, "on its way");
    let name = sim.t.channel_name.clone().expect("a name");
    sim.feed(channel_created(&name));
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries), None, "made");
    // Deleted: its replacement is on its way. Refused too, it is flagged as a replacement.
    sim.feed(Input::ChannelDeleted { by: None });
    as_stored_before(&mut sim);
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries), None, "replaced");
    sim.feed(Input::Delivered(refused()));
    as_stored_before(&mut sim);
    let read = refusal_unflagged(&sim.t, &sim.entries).expect("the replacement's refusal");
    sim.feed(read);
    assert!(sim.t.channel_refused && sim.t.channel_deleted);

    // Closed while refused: flagged as a refusal this release heard would be, nothing offered
    // (the trouble is closed). Reopened: its channel is on its way again.
    let (mut sim, _) = refused_at_open();
    sim.cmd("U0DIRECTOR", Command::CloseForce("settled by phone".into()));
    as_stored_before(&mut sim);
    sim.feed(refusal_unflagged(&sim.t, &sim.entries).expect("closed, read all the same"));
    assert!(sim.t.channel_refused && !may_ask_for_channel(&config(), &sim.t, &u("U0SALES")));
    sim.cmd("U0MANAGER", Command::Step(Step::Reopen("customer found more".into())));
    as_stored_before(&mut sim);
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries), None, "reopened");
    // Its creation queued says so on its own, the timeline read before the reopening's entry.
    let reopening = sim
        .entries
        .iter()
        .rposition(|e| matches!(e.event, Event::Stage(crate::trouble::facts::StepEvent::Reopened { .. })))
        .expect("the reopening");
    assert!(sim.t.channel_create_queued);
    assert_eq!(refusal_unflagged(&sim.t, &sim.entries[..reopening]), None, "queued");
    sim.feed(Input::RefusalOnTimeline {
        head: sim.t.timeline_head.clone(),
        replacement: false,
    });
    assert!(!sim.t.channel_refused, "queued");
}

#[test]
fn the_roles_table_says_who_may_do_what() {
    let people = ["U0SALES", "U0MANAGER", "U0VP", "U0QA1", ADDED, OUTSIDER];
    // Allowed, in the order of `people`: owner, manager, top of the chain, department member,
    // added, outsider.
    let participants = [true, true, true, true, true, false];
    let chain = [false, true, true, false, false, false];
    let rows: [(Act, [bool; 6]); 15] = [
        (Act::Acknowledge, chain),
        (Act::Stages, participants),
        (Act::Update, participants),
        (Act::Split, participants),
        (Act::Cost, participants),
        (Act::Prevent, participants),
        (Act::Add, participants),
        (Act::RaiseSeverity, participants),
        (Act::LowerSeverity, chain),
        (Act::ChangeOwner, chain),
        (Act::NameManager, chain),
        (Act::CloseForce, chain),
        (Act::Close, [true, true, true, false, false, false]),
        // The customer's agreement is the owner's to record: they talk to the customer.
        (Act::Agree, [true, false, false, false, false, false]),
        // Asking for a channel Slack refused: those who heard at once (the chain as far as asked).
        (Act::AskForChannel, [true, true, false, false, false, false]),
    ];
    let sim = sim_with_participants();
    for (act, allowed) in rows {
        for (who, expected) in people.iter().zip(allowed) {
            assert_eq!(may(&sim.config, &sim.t, &u(who), act), expected, "{who} {act:?}");
        }
    }
}

#[test]
fn an_outsider_is_refused_everything_but_reading_and_notes_and_nothing_changes() {
    let participants = Who::Participants {
        owner: u("U0SALES"),
        chain: users(&CHAIN),
        departments: depts(&["quality"]),
    };
    let owner_or_chain = Who::OwnerOrChain {
        owner: u("U0SALES"),
        chain: users(&CHAIN),
    };
    let cases: Vec<(Command, Act, Who)> = vec![
        (
            Command::Done(StageId::Prevention, String::new()),
            Act::Stages,
            participants.clone(),
        ),
        (Command::Next(String::new()), Act::Stages, participants.clone()),
        (
            Command::Start(StageId::Countermeasures, String::new()),
            Act::Stages,
            participants.clone(),
        ),
        (
            Command::Update {
                text: "all fine".into(),
                next: Some("3660000d".into()),
            },
            Act::Update,
            participants.clone(),
        ),
        (
            Command::Split {
                ours: 0,
                customer: 100,
                other: 0,
                reason: String::new(),
            },
            Act::Split,
            participants.clone(),
        ),
        (
            Command::Cost {
                amount: "¥1".into(),
                payer: "customer".into(),
                note: String::new(),
            },
            Act::Cost,
            participants.clone(),
        ),
        (prevent("x"), Act::Prevent, participants.clone()),
        (
            Command::Add {
                users: users(&[OUTSIDER]),
                departments: Vec::new(),
            },
            Act::Add,
            participants.clone(),
        ),
        (
            Command::Severity {
                to: Severity::new(1),
                reason: "r".into(),
            },
            Act::RaiseSeverity,
            participants.clone(),
        ),
        (
            Command::Severity {
                to: Severity::new(3),
                reason: "r".into(),
            },
            Act::LowerSeverity,
            Who::Chain(users(&CHAIN)),
        ),
        (Command::Owner(u(OUTSIDER)), Act::ChangeOwner, Who::Chain(users(&CHAIN))),
        (
            Command::Manager(u(OUTSIDER)),
            Act::NameManager,
            Who::Chain(users(&CHAIN)),
        ),
        (Command::Close(String::new()), Act::Close, owner_or_chain),
        (Command::Agreed(1, String::new()), Act::Agree, Who::Owner(u("U0SALES"))),
        (
            Command::CloseForce("gone".into()),
            Act::CloseForce,
            Who::Chain(users(&CHAIN)),
        ),
    ];
    for (command, act, who) in cases {
        let mut sim = sim_with_participants();
        let before = sim.t.clone();
        let d = sim.cmd(OUTSIDER, command.clone());
        assert_eq!(d.reply, Some(Reply::NotAllowed { act, who }), "{command:?}");
        assert_no_effect(&d, &format!("{command:?}"));
        assert_eq!(sim.t, before, "{command:?}");
    }
    let mut sim = sim_with_participants();
    assert_eq!(
        sim.cmd(OUTSIDER, Command::Note("seen at the plant".into())).reply,
        Some(Reply::Noted)
    );
    assert!(matches!(
        sim.cmd(OUTSIDER, Command::Status).reply,
        Some(Reply::Status(_))
    ));
}

#[test]
fn an_outsiders_buttons_and_update_form_are_refused() {
    let inputs = [
        (
            Input::Button {
                user: u(OUTSIDER),
                action: ButtonAction::CompleteStage { stage: Some(0) },
            },
            Act::Stages,
        ),
        (
            Input::Button {
                user: u(OUTSIDER),
                action: ButtonAction::LogUpdate {
                    trigger_id: "1.2.3".into(),
                },
            },
            Act::Update,
        ),
        (
            Input::UpdateSubmitted {
                user: u(OUTSIDER),
                text: "told them".into(),
                next: None,
            },
            Act::Update,
        ),
    ];
    for (input, act) in inputs {
        let mut sim = sim_with_participants();
        let d = sim.feed(input.clone());
        assert!(
            matches!(&d.reply, Some(Reply::NotAllowed { act: a, .. }) if *a == act),
            "{input:?}: {:?}",
            d.reply
        );
        assert_no_effect(&d, &format!("{input:?}"));
    }
}

#[test]
fn the_owner_is_never_their_own_manager() {
    let d = try_open(
        &config(),
        "U0SALES",
        OpenRequest {
            manager: Some(u("U0SALES")),
            ..req("ACME")
        },
    );
    assert_eq!(d.reply, Some(Reply::OwnerCannotBeManager));
    assert!(d.trouble.is_none() && d.deliveries.is_empty() && d.entries.is_empty());

    // Nobody configured above the owner: they may name a manager, anyone but themself, once.
    let (mut loner, _) = Sim::open(config(), "U0LONER", req("ACME"));
    let d = loner.cmd("U0LONER", Command::Manager(u("U0LONER")));
    assert_eq!(d.reply, Some(Reply::OwnerCannotBeManager));
    assert_no_effect(&d, "owner naming themself");
    let d = loner.cmd("U0LONER", Command::Manager(u("U0MANAGER")));
    assert_eq!(
        d.reply,
        Some(Reply::ManagerChanged {
            to: u("U0MANAGER"),
            ack_withdrawn: None
        })
    );
    assert_eq!(loner.t.manager_chain(), users(&CHAIN).as_slice());
    let d = loner.cmd("U0LONER", Command::Manager(u("U0OTHERMGR")));
    assert_eq!(d.reply, Some(chain_only(Act::NameManager)));

    // The chain names another manager: put in front, the configured chain stays behind.
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Manager(u("U0OTHERMGR")));
    assert_eq!(
        sim.t.manager_chain(),
        users(&["U0OTHERMGR", "U0MANAGER", "U0DIRECTOR", "U0VP"]).as_slice()
    );
    assert!(may(&sim.config, &sim.t, &u("U0MANAGER"), Act::Acknowledge));
}

#[test]
fn a_raise_brings_the_escalation_forward_and_a_lowering_by_the_chain_acknowledges() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: the ack is due 30 minutes after opening
    assert_eq!(sim.last_ack_timer().due, t0() + mins(30));
    sim.advance(mins(5));
    // Raised to sev1 (10 minutes): the escalation comes forward, never later.
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "r".into(),
        },
    );
    assert!(matches!(d.reply, Some(Reply::SeverityChanged { .. })), "{:?}", d.reply);
    assert_eq!(sim.last_ack_timer().due, t0() + mins(15));
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert!(events(&d).contains(&Event::Escalated {
        to: u("U0DIRECTOR"),
        level: 1
    }));
    // Lowered by the manager, who has heard of it: that is their acknowledgement, and nobody
    // above them is asked about what they have just done.
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(mins(5));
    let d = sim.cmd(
        "U0MANAGER",
        Command::Severity {
            to: Severity::new(3),
            reason: "r".into(),
        },
    );
    assert!(events(&d).contains(&Event::Acknowledged {
        by: u("U0MANAGER"),
        after_secs: 300
    }));
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert!(!events(&d).iter().any(|e| matches!(e, Event::Escalated { .. })));
}

#[test]
fn a_promise_may_reach_fourteen_days_and_no_further() {
    // (promise, accepted?)
    let cases = [("14d", true), ("15d", false), ("3660000d", false), ("2h", true)];
    for (promise, accepted) in cases {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(
            "U0SALES",
            Command::Update {
                text: "called".into(),
                next: Some(promise.into()),
            },
        );
        if accepted {
            assert!(
                matches!(d.reply, Some(Reply::UpdateLogged { promised: true, .. })),
                "{promise}"
            );
        } else {
            assert_eq!(
                d.reply,
                Some(Reply::BadWhen {
                    text: promise.into(),
                    error: WhenError::TooFar { days: 14 }
                }),
                "{promise}"
            );
            assert_no_effect(&d, promise);
        }
    }
}

#[test]
fn a_missed_promise_no_longer_holds_back_the_nudges() {
    let mut sim = Sim::ready(req("ACME")); // severity 2: an update every 4 hours
    sim.cmd(
        "U0SALES",
        Command::Update {
            text: "called".into(),
            next: Some("2h".into()),
        },
    );
    let promise = t0() + hours(2);
    sim.fire_when_due(&sim.last_followup_timer()); // the reminder, 15 minutes before
    let d = sim.fire_when_due(&sim.last_followup_timer());
    assert_eq!(sim.now, promise);
    assert!(nudges(&d).iter().all(|n| n.promise_missed), "missed at the promise");
    // After the promise, the cadence runs again.
    assert_eq!(sim.last_followup_timer().due, promise + hours(4));
}

#[test]
fn add_makes_participants_invites_them_and_says_so() {
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.cmd(
        "U0SALES",
        Command::Add {
            users: users(&[ADDED, ADDED]),
            departments: depts(&["field"]),
        },
    );
    assert_eq!(
        d.reply,
        Some(Reply::ParticipantsAdded {
            users: users(&[ADDED]),
            depts: depts(&["field"])
        })
    );
    assert_eq!(invited(&d), users(&[ADDED, "U0FS1", "U0QA1"]).into_iter().collect());
    assert_eq!(
        events(&d),
        vec![Event::ParticipantsAdded {
            users: users(&[ADDED]),
            departments: depts(&["field"])
        }]
    );
    assert!(messages(&d).contains(&Message::ParticipantsAdded {
        by: u("U0SALES"),
        users: users(&[ADDED]),
        departments: depts(&["field"])
    }));
    for who in [ADDED, "U0FS1"] {
        assert!(may(&sim.config, &sim.t, &u(who), Act::Stages), "{who}");
    }
    // Again: nothing new.
    let d = sim.cmd(
        "U0SALES",
        Command::Add {
            users: users(&[ADDED]),
            departments: depts(&["field"]),
        },
    );
    // Nothing recorded or said; invited again in case they left the channel.
    assert!(
        d.trouble.is_none() && d.entries.is_empty() && d.timers.is_empty(),
        "{d:?}"
    );
    assert_eq!(
        d.deliveries.iter().map(|c| c.op.clone()).collect::<Vec<_>>(),
        vec![Op::Invite { users: users(&[ADDED]) }]
    );
    let d = sim.cmd(
        "U0SALES",
        Command::Add {
            users: Vec::new(),
            departments: depts(&["nosuch"]),
        },
    );
    assert!(matches!(d.reply, Some(Reply::UnknownDepartment { .. })));
    assert_no_effect(&d, "unknown department");
}

#[test]
fn a_private_trouble_is_seen_by_participants_and_members_seen_join() {
    // (private channels?, who, sees it?)
    let cases = [
        (false, OUTSIDER, true),
        (true, OUTSIDER, false),
        (true, "U0SALES", true),
        (true, "U0VP", true),
        (true, "U0QA1", true),
        (true, ADDED, true),
    ];
    for (private, who, sees) in cases {
        let extra = if private { "private_channels = true\n" } else { "" };
        let config = Config::from_sources(Some(&format!("{extra}{CONFIG}")), &BTreeMap::new())
            .expect("config")
            .policy;
        let mut sim = Sim::ready_with(
            config,
            OpenRequest {
                departments: depts(&["quality"]),
                ..req("ACME")
            },
        );
        sim.cmd(
            "U0SALES",
            Command::Add {
                users: users(&[ADDED]),
                departments: Vec::new(),
            },
        );
        assert_eq!(may_see(&sim.config, &sim.t, &u(who)), sees, "private {private}, {who}");
        if private && !sees {
            sim.feed(Input::MemberJoined { user: u(who) });
            assert!(may_see(&sim.config, &sim.t, &u(who)), "{who} joined");
            sim.feed(Input::MemberLeft { user: u(who) });
            assert!(!may_see(&sim.config, &sim.t, &u(who)), "{who} left");
        }
    }
}

#[test]
fn a_trouble_stored_before_roles_existed_still_opens_and_follows_the_configured_privacy() {
    let sim = Sim::ready(req("ACME"));
    let mut stored = serde_json::to_value(&sim.t).expect("serializes");
    for field in ["added", "members_seen", "private"] {
        stored.as_object_mut().expect("an object").remove(field);
    }
    stored["escalation"].as_object_mut().expect("an object").remove("due");
    let old: Trouble = serde_json::from_value(stored).expect("old data decodes");
    assert_eq!((old.private, old.escalation.due), (None, None));
    assert!(old.added.is_empty() && old.members_seen.is_empty());
    let private = Config::from_sources(Some(&format!("private_channels = true\n{CONFIG}")), &BTreeMap::new())
        .expect("config")
        .policy;
    assert!(may_see(&sim.config, &old, &u(OUTSIDER)), "public by the config");
    assert!(!may_see(&private, &old, &u(OUTSIDER)), "private by the config");
    assert!(may_see(&private, &old, &u("U0SALES")));
}

// ---------------------------------------------------------------------------------------------
// The report: one summary, a bounded thread, not again within a minute
// ---------------------------------------------------------------------------------------------

impl Sim {
    fn report(&mut self, parts: usize) -> Decision {
        let ctx = Ctx {
            policy: &self.config,
            now: self.now,
        };
        let texts = (1..=parts).map(|i| format!("part {i}")).collect();
        let d =
            report_posts(&ctx, &self.t, texts, Some(&self.t.timeline_head)).expect("drawn from the timeline as it is");
        self.t = apply(&self.t, &d);
        d
    }
}

/// A report drawn from a timeline that moved on before it was posted (an entry appended, or
/// one redacted, whose erased text it may still hold) is not posted: the shell draws it again.
#[test]
fn a_report_drawn_before_the_timeline_moved_is_not_posted() {
    let mut sim = Sim::ready(req("ACME"));
    let drawn_from = sim.t.timeline_head.clone();
    sim.cmd("U0SALES", Command::Note("one more fact".into()));
    let ctx = Ctx {
        policy: &sim.config,
        now: sim.now,
    };
    let parts = vec!["part 1".to_string()];
    assert!(report_posts(&ctx, &sim.t, parts.clone(), Some(&drawn_from)).is_none());
    let posted = report_posts(&ctx, &sim.t, parts, None).expect("posted as it reads");
    assert!(!posted.deliveries.is_empty());
}

#[test]
fn a_report_is_one_summary_in_the_channel_and_its_parts_in_the_summarys_thread() {
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.report(3);
    assert_eq!(d.reply, Some(Reply::ReportPosted { parts: 3, shown: 3 }));
    let channel = ops(&d, Lane::Channel);
    assert_eq!(
        channel[0],
        post_op(Dest::TroubleChannel, Message::ReportSummary, Some(Slot::Report))
    );
    for (i, op) in channel[1..].iter().enumerate() {
        let part = Message::ReportPart {
            text: format!("part {}", i + 1),
            part: i + 1,
            of: 3,
        };
        assert_eq!(*op, post_op(Dest::ReportThread, part, None));
    }
    assert_eq!(channel.len(), 4);
    assert!(d.entries.is_empty(), "a report adds nothing to the timeline");
    sim.feed(posted(Slot::Report, TROUBLE_CHANNEL, "1795748400.000900"));
    let last = sim.t.last_report.clone().expect("remembered");
    assert_eq!((last.at, last.parts), (t0(), 3));
    assert_eq!(last.message.map(|m| m.ts), Some(Ts::new("1795748400.000900")));
}

#[test]
fn a_report_longer_than_ten_parts_shows_nine_and_says_how_to_export_the_rest() {
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.report(25);
    let thread: Vec<Message> = messages(&d).into_iter().skip(1).collect();
    assert_eq!(d.reply, Some(Reply::ReportPosted { parts: 25, shown: 9 }));
    assert_eq!(thread.len(), MAX_REPORT_PARTS);
    assert_eq!(thread.last(), Some(&Message::ReportContinues { shown: 9, of: 25 }));
}

#[test]
fn a_report_again_within_a_minute_is_answered_privately_and_after_it_is_posted() {
    let mut sim = Sim::ready(req("ACME"));
    sim.report(1);
    sim.feed(posted(Slot::Report, TROUBLE_CHANNEL, "1795748400.000900"));
    sim.advance(Duration::seconds(59));
    let again = sim.report(1);
    assert_eq!(again.reply, Some(Reply::ReportRecent { at: t0() }));
    assert!(again.deliveries.is_empty() && again.trouble.is_none());

    // Something recorded since: the report is asked of a changed record, and posted at once.
    let noted = sim.cmd("U0SALES", Command::Note("called the plant".into()));
    assert!(noted.trouble.is_some());
    let changed = sim.report(1);
    assert!(
        matches!(changed.reply, Some(Reply::ReportPosted { .. })),
        "{:?}",
        changed.reply
    );
    let again = sim.report(1);
    assert_eq!(again.reply, Some(Reply::ReportRecent { at: sim.now }));

    sim.advance(Duration::seconds(60));
    let later = sim.report(2);
    assert_eq!(later.reply, Some(Reply::ReportPosted { parts: 2, shown: 2 }));
    // Until the new summary is posted, the old one keeps its thread for parts still queued.
    let last = sim.t.last_report.clone().expect("remembered");
    assert_eq!(last.message.map(|m| m.ts), Some(Ts::new("1795748400.000900")));
}

#[test]
fn text_over_the_limit_from_a_form_is_refused_and_nothing_changes() {
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.feed(Input::UpdateSubmitted {
        user: u("U0SALES"),
        text: "x".repeat(crate::trouble::command::TEXT_LIMIT + 1),
        next: None,
    });
    assert!(matches!(d.reply, Some(Reply::Usage(UsageError::TooLong { .. }))));
    assert!(d.trouble.is_none() && d.entries.is_empty() && d.deliveries.is_empty());
    let mut long = req("ACME");
    long.summary = "y".repeat(crate::trouble::command::TEXT_LIMIT + 1);
    let d = try_open(&config(), "U0SALES", long);
    assert!(d.trouble.is_none() && matches!(d.reply, Some(Reply::Usage(UsageError::TooLong { .. }))));
}

/// A report asked for while the bot cannot post in the channel waits whole, as one thing: it
/// neither pushes out the lines waiting nor is cut by their cap; a later report takes the place
/// of an earlier one, and one that comes back refused from the outbox (decided before the bot
/// knew) is older than the one held, and goes; with none held, it is kept ahead of the lines
/// decided since. The line before what follows counts it once, and what follows it is what
/// waited, each once, in order.
#[test]
fn a_report_waits_whole_as_one_thing_and_only_the_latest() {
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    let held = |sim: &Sim| sim.t.held.clone().expect("held");
    let lines = |sim: &Sim| sim.t.held.as_ref().map_or(0, held_line_count);
    let report_calls = |sim: &Sim| {
        let h = held(sim);
        let summaries = h.calls.iter().filter(|c| c.op.posts_report_summary()).count();
        (summaries, h.calls.iter().filter(|c| c.op.posts_report()).count())
    };
    for n in 1.. {
        if lines(&sim) == Held::MOST - 1 {
            break;
        }
        assert!(n < 2 * Held::MOST, "the notes are held as lines");
        sim.cmd("U0SALES", Command::Note(format!("note {n}")));
    }
    sim.report(12);
    assert_eq!(report_calls(&sim), (1, 1 + MAX_REPORT_PARTS), "the summary, its parts");
    sim.cmd("U0SALES", Command::Note("the last line that fits".into()));
    assert_eq!((lines(&sim), held(&sim).left_out), (Held::MOST, 0));
    sim.cmd("U0SALES", Command::Note("one too many".into()));
    assert_eq!((lines(&sim), held(&sim).left_out), (Held::MOST, 1));

    // A later report in place of the earlier, after the lines held before it.
    sim.advance(mins(2));
    sim.report(2);
    assert_eq!(report_calls(&sim), (1, 3));
    let calls = held(&sim).calls;
    let summary = calls.iter().position(|c| c.op.posts_report_summary()).expect("one");
    assert!(calls[..summary].iter().all(|c| !c.op.posts_report()), "{calls:#?}");
    // An earlier one, refused from the outbox, goes: its summary and its part.
    let earlier = [
        post_op(Dest::TroubleChannel, Message::ReportSummary, Some(Slot::Report)),
        post_op(
            Dest::ReportThread,
            Message::ReportPart {
                text: "part 1".into(),
                part: 1,
                of: 1,
            },
            None,
        ),
    ];
    let refused = |op| {
        Input::Delivered(Outcome::ChannelUnavailable {
            call: Box::new(Delivery {
                lane: Lane::Channel,
                op,
            }),
            channel: Some(ChannelId::new(TROUBLE_CHANNEL)),
            method: "chat.postMessage".into(),
            error: "is_archived".into(),
        })
    };
    for op in earlier.clone() {
        sim.feed(refused(op));
    }
    assert_eq!(held(&sim).calls, calls);

    let d = sim.feed(Input::ChannelBack {
        how: ChannelLoss::Archived,
        by: None,
    });
    let held_follow = |d: &Decision| {
        channel_lines(d).into_iter().find_map(|m| match m {
            Message::HeldFollow { count, left_out, .. } => Some((count, left_out)),
            _ => None,
        })
    };
    assert_eq!(held_follow(&d), Some((Held::MOST + 1, 1)), "the lines and the report");
    // What follows it is what waited, each once, in order: the lines, then the later report
    // whole (its summary, its two parts), none of the earlier one.
    let after: Vec<Op> = ops(&d, Lane::Channel)
        .into_iter()
        .skip_while(|op| {
            !matches!(
                op,
                Op::Post {
                    message: Message::HeldFollow { .. },
                    ..
                }
            )
        })
        .skip(1)
        .collect();
    let waited: Vec<Op> = calls.iter().map(|c| c.op.clone()).collect();
    assert_eq!(after.get(..waited.len()), Some(&waited[..]), "{after:#?}");
    assert_eq!(after.iter().filter(|op| op.posts_report()).count(), 3, "{after:#?}");

    // Refused from the outbox with no later report held, a report is kept, whole, ahead of
    // the lines decided since: it was decided before them.
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    sim.cmd("U0SALES", Command::Note("decided since".into()));
    for op in earlier.clone() {
        sim.feed(refused(op));
    }
    let calls: Vec<Op> = held(&sim).calls.into_iter().map(|c| c.op).collect();
    assert_eq!(calls.get(..2), Some(&earlier[..]), "{calls:#?}");
    assert_eq!(lines(&sim), 1, "{calls:#?}");

    // Its parts alone (the summary went before the channel was lost) are the report, late:
    // the line before them counts it.
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    sim.feed(refused(earlier[1].clone()));
    let d = sim.feed(Input::ChannelBack {
        how: ChannelLoss::Archived,
        by: None,
    });
    assert_eq!(held_follow(&d), Some((1, 0)), "{d:#?}");
}

#[test]
fn a_channel_shared_outside_gets_nothing_internal_the_reporter_or_owner_hears_instead() {
    // (shared channel, response url, what goes out in the origin lane, what goes to the owner)
    let origin = |url: &str| Op::Respond {
        url: url.into(),
        message: Message::OriginNotice,
        replace: false,
    };
    let warning = |c: &str| Message::SharedChannelSkipped {
        channel: ChannelId::new(c),
    };
    let cases = [
        ("ORIGIN", Some(RESPONSE_URL), vec![origin(RESPONSE_URL)], vec![]),
        // No response URL (a form from a shortcut): the reporter hears by DM.
        ("ORIGIN", None, vec![], vec![Message::OriginNotice]),
        ("C0BIZUNIT", Some(RESPONSE_URL), vec![], vec![warning("C0BIZUNIT")]),
    ];
    for (shared, url, origin_ops, to_owner) in cases {
        let mut sim = Sim::ready(req("ACME"));
        sim.t.origin.response_url = url.map(str::to_string);
        let channel = match shared {
            "ORIGIN" => sim.t.origin.channel.clone(),
            c => ChannelId::new(c),
        };
        let d = sim.feed(Input::Delivered(Outcome::SharedExternally { channel }));
        assert_eq!(ops(&d, Lane::Origin), origin_ops, "{shared} {url:?}");
        let owner_dms: Vec<Message> = ops(&d, Lane::Dm)
            .into_iter()
            .filter_map(|op| match op {
                Op::Post {
                    to: Dest::Dm(u),
                    message,
                    ..
                } if u == sim.t.owner => Some(message),
                _ => None,
            })
            .collect();
        assert_eq!(owner_dms, to_owner, "{shared}");
        assert!(
            ops(&d, Lane::Announce).is_empty(),
            "nothing is posted again into {shared}"
        );
    }
}

#[test]
fn an_announcement_refused_for_good_is_on_the_timeline_and_the_owner_hears_where() {
    for raised_to in [None, Some(Severity::new(1))] {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.feed(Input::Delivered(Outcome::NotAnnounced {
            channel: ChannelId::new("C0BIZUNIT"),
            error: "not_in_channel".into(),
            raised_to,
        }));
        assert!(matches!(
            d.entries.last().map(|e| &e.event),
            Some(Event::DeliveryFailed { error, .. }) if error == "not_in_channel"
        ));
        let told = Message::NotAnnounced {
            channel: ChannelId::new("C0BIZUNIT"),
            error: "not_in_channel".into(),
            raised_to,
        };
        assert_eq!(dms(&d), vec![(u("U0SALES"), told)]);
    }
}

// ---------------------------------------------------------------------------------------------
// the trouble's channel lost (archived, or the bot removed): nobody hides or silences it unnoticed
// ---------------------------------------------------------------------------------------------

#[test]
fn an_open_troubles_channel_lost_is_on_the_timeline_and_told_to_the_owner_the_manager_and_the_doers_manager() {
    // (who did it, who hears of it)
    let cases: [(Option<&str>, &[&str]); 5] = [
        (Some("U0SALES"), &["U0MANAGER"]),
        (Some("U0MANAGER"), &["U0SALES", "U0DIRECTOR"]),
        (Some("U0DIRECTOR"), &["U0SALES", "U0MANAGER", "U0VP"]),
        (Some("U0COLLEAGUE"), &["U0SALES", "U0MANAGER"]),
        (None, &["U0SALES", "U0MANAGER"]),
    ];
    let losses = [
        (ChannelLoss::Archived, Event::ChannelArchived, Event::ChannelUnarchived),
        (ChannelLoss::BotRemoved, Event::BotRemoved, Event::BotReturned),
    ];
    for (how, lost, back) in losses {
        for (by, told) in cases {
            let mut sim = Sim::ready(req("ACME"));
            let d = sim.feed(Input::ChannelLost { how, by: by.map(u) });
            let entry = d.entries.last().expect("an entry");
            assert_eq!((&entry.event, entry.actor.clone()), (&lost, by.map(u)));
            assert_eq!(sim.t.channel_lost, Some(how));
            let dms: Vec<Op> = told
                .iter()
                .map(|who| post_op(Dest::Dm(u(who)), Message::ChannelLost { how, by: by.map(u) }, None))
                .collect();
            assert_eq!(ops(&d, Lane::Dm), dms, "{how:?} by {by:?}");

            // Back: on the timeline, and the status catches up.
            let d = sim.feed(Input::ChannelBack {
                how,
                by: Some(u("U0MANAGER")),
            });
            assert_eq!(d.entries.last().map(|e| &e.event), Some(&back));
            assert_eq!(ops(&d, Lane::Channel), vec![Op::Refresh { slot: Slot::Status }]);
            assert_eq!(sim.t.channel_lost, None);
            sim.assert_chain_valid();
        }
    }

    // The bot joining a channel it never lost (its own, as it makes it) is nothing.
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.feed(Input::ChannelBack {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    assert!(
        d.entries.is_empty() && d.deliveries.is_empty() && d.trouble.is_none(),
        "{d:?}"
    );

    // A closed trouble's channel archived is tidying up: recorded, nobody bothered.
    sim.close_properly();
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: Some(u("U0SALES")),
    });
    assert_eq!(d.entries.last().map(|e| &e.event), Some(&Event::BotRemoved));
    assert!(d.deliveries.is_empty(), "{:?}", d.deliveries);
    // ... until it is reopened: then the owner and the manager hear (the manager, who reopened
    // it, in the answer).
    let reopen = crate::trouble::facts::Step::Reopen("the customer found more".into());
    let d = sim.cmd("U0MANAGER", Command::Step(reopen));
    let lost = Message::ReopenedWhileLost {
        how: ChannelLoss::BotRemoved,
    };
    let told: Vec<(UserId, Message)> = dms(&d)
        .into_iter()
        .filter(|(_, m)| matches!(m, Message::ReopenedWhileLost { .. }))
        .collect();
    assert_eq!(told, vec![(u("U0SALES"), lost)]);
}

#[test]
fn while_the_bot_has_lost_the_channel_the_nudges_go_to_the_owner_and_the_manager_by_dm() {
    let nudged = |d: &Decision| -> (Vec<Dest>, usize) {
        let by_dm = dms(d)
            .into_iter()
            .filter(|(_, message)| matches!(message, Message::Nudge(_) | Message::FirstContact { .. }))
            .map(|(who, _)| Dest::Dm(who))
            .collect();
        let in_channel = ops(d, Lane::Channel)
            .into_iter()
            .filter(|op| matches!(op, Op::Post { .. }))
            .count();
        (by_dm, in_channel)
    };
    // Severity 2: an update every 4h; twice that brings the manager in.
    for (fired, to) in [(hours(4), vec!["U0SALES"]), (hours(8), vec!["U0SALES", "U0MANAGER"])] {
        let mut sim = Sim::ready(req("ACME"));
        sim.feed(Input::ChannelLost {
            how: ChannelLoss::BotRemoved,
            by: Some(u("U0SALES")),
        });
        sim.advance(fired);
        let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
        let to: Vec<Dest> = to.into_iter().map(|who| Dest::Dm(u(who))).collect();
        assert_eq!(nudged(&d), (to, 0), "after {}h", fired.num_hours());
    }
    // The first-contact reminder too; and once the bot is back, in the channel again.
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    let d = sim.feed(Input::Timer(TimerKind::FirstContact {
        missed: false,
        epoch: 0,
    }));
    assert_eq!(nudged(&d), (vec![Dest::Dm(u("U0SALES"))], 0));
    sim.feed(Input::ChannelBack {
        how: ChannelLoss::Archived,
        by: None,
    });
    let d = sim.feed(Input::Timer(TimerKind::FirstContact { missed: true, epoch: 0 }));
    assert_eq!(nudged(&d), (vec![], 1));
}

#[test]
fn what_the_bot_meant_to_say_in_a_lost_channel_waits_and_follows_in_order_once_it_is_back() {
    let in_channel = |d: &Decision| -> Vec<Op> {
        d.deliveries
            .iter()
            .filter(|c| c.op.in_trouble_channel())
            .map(|c| c.op.clone())
            .collect()
    };
    let line = |note: &str| Message::Recorded {
        by: u("U0SALES"),
        what: Record::Note { text: note.into() },
    };
    let refused = |sim: &mut Sim, channel: &str, op: Op| {
        sim.feed(Input::Delivered(Outcome::ChannelUnavailable {
            call: Box::new(Delivery {
                lane: Lane::Channel,
                op,
            }),
            channel: Some(ChannelId::new(channel)),
            method: "chat.postMessage".into(),
            error: "is_archived".into(),
        }))
    };
    let failed = |d: &Decision| matches!(d.entries.last().map(|e| &e.event), Some(Event::DeliveryFailed { error, .. }) if error == "is_archived");
    let mut sim = Sim::ready(req("ACME"));
    sim.status_refresh_delivered();
    sim.advance(mins(1));
    let lost_at = sim.now;
    // A line already on its way as the channel was archived, refused before the bot heard: the
    // refusal is on the timeline, and the line waits.
    let first = post_op(Dest::TroubleChannel, line("already on its way"), None);
    let d = refused(&mut sim, TROUBLE_CHANNEL, first.clone());
    assert!(failed(&d) && d.deliveries.is_empty(), "{d:?}");
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: Some(u("U0SALES")),
    });

    // Meanwhile nothing is tried there: notes, people added.
    let d = sim.cmd("U0SALES", Command::Note("note 0".into()));
    assert!(in_channel(&d).is_empty(), "{:?}", d.deliveries);
    // Refused after the bot heard (decided before it knew): no word on the timeline, and it goes
    // before what was decided since, after what was refused before it. So does a pin.
    let second = post_op(Dest::TroubleChannel, line("decided before the loss"), None);
    let d = refused(&mut sim, TROUBLE_CHANNEL, second.clone());
    assert!(d.entries.is_empty());
    refused(&mut sim, TROUBLE_CHANNEL, Op::Pin { slot: Slot::Kickoff });
    // A nudge is about now: to the owner (and the manager it names) by DM at once, not kept.
    let nudge = Message::Nudge(Nudge {
        owner: u("U0SALES"),
        waited_secs: 3600,
        manager: Some(u("U0MANAGER")),
        named: None,
        promise: None,
        promise_missed: false,
        last_contact: sim.t.opened_at,
        last_reminder: false,
        since_reopened: false,
    });
    let d = refused(
        &mut sim,
        TROUBLE_CHANNEL,
        post_op(Dest::TroubleChannel, nudge.clone(), None),
    );
    assert_eq!(dms(&d), vec![(u("U0SALES"), nudge.clone()), (u("U0MANAGER"), nudge)]);
    // A call for a channel the trouble no longer has is only noted.
    let d = refused(&mut sim, "C0OLD", post_op(Dest::TroubleChannel, line("old"), None));
    assert!(failed(&d));
    for n in 1..=Held::MOST + 1 {
        let d = sim.cmd("U0SALES", Command::Note(format!("note {n}")));
        assert!(in_channel(&d).is_empty(), "{:?}", d.deliveries);
    }
    let d = sim.cmd(
        "U0SALES",
        Command::Add {
            users: users(&["U0ADDED"]),
            departments: Vec::new(),
        },
    );
    assert!(in_channel(&d).is_empty(), "{:?}", d.deliveries);
    // The kickoff deleted meanwhile: posted again when the channel is back, past the limit of
    // lines, and pinned after it is posted.
    let kickoff_ts = sim.t.kickoff.clone().expect("kickoff").ts;
    sim.feed(Input::MessageDeleted { ts: kickoff_ts });
    // An older pin refused late does not move the newer one ahead of its post.
    refused(&mut sim, TROUBLE_CHANNEL, Op::Pin { slot: Slot::Kickoff });
    let held = sim.t.held.clone().expect("held");
    // 55 lines (two refused, 52 notes, the one saying who was added): the first 50 kept.
    assert_eq!((held.since, held.left_out), (lost_at, 5));

    // Unarchived: the line saying why they come late, then each once, in order.
    let d = sim.feed(Input::ChannelBack {
        how: ChannelLoss::Archived,
        by: None,
    });
    let ops = in_channel(&d);
    let posts: Vec<&Op> = ops.iter().filter(|op| matches!(op, Op::Post { .. })).collect();
    let header = post_op(
        Dest::TroubleChannel,
        Message::HeldFollow {
            how: Some(ChannelLoss::Archived),
            since: lost_at,
            count: Held::MOST + 1,
            left_out: 5,
        },
        None,
    );
    let kickoff = post_op(Dest::TroubleChannel, Message::Kickoff, Some(Slot::Kickoff));
    assert_eq!(posts[..3], [&header, &first, &second]);
    // A note's line kept with its entry, so a redaction edits it.
    assert!(
        matches!(posts[3], Op::Post { message, keep_as: Some(Slot::Entry { .. }), .. } if *message == line("note 0")),
        "{:?}",
        posts[3]
    );
    assert_eq!(posts.last(), Some(&&kickoff));
    assert_eq!(
        posts.len(),
        2 + Held::MOST,
        "the header, the first {} lines, the kickoff",
        Held::MOST
    );
    let at = |wanted: &Op| ops.iter().position(|op| op == wanted).expect("released");
    assert!(at(&kickoff) < at(&Op::Pin { slot: Slot::Kickoff }), "{ops:?}");
    let count = |wanted: &Op| ops.iter().filter(|op| *op == wanted).count();
    assert_eq!(count(&Op::Pin { slot: Slot::Kickoff }), 1, "{ops:?}");
    assert_eq!(count(&Op::Refresh { slot: Slot::Status }), 1, "{ops:?}");
    assert_eq!(
        count(&Op::Invite {
            users: users(&["U0ADDED"])
        }),
        1,
        "{ops:?}"
    );
    assert!(sim.t.held.is_none() && sim.t.status_refresh_queued);
    // Afterwards, straight to the channel again.
    let d = sim.cmd("U0SALES", Command::Note("after".into()));
    let seq = sim.t.timeline_len - 1;
    assert_eq!(
        in_channel(&d),
        vec![post_op(Dest::TroubleChannel, line("after"), Some(Slot::Entry { seq }))]
    );
    sim.assert_chain_valid();
}

/// The line a note by U0SALES posts in the trouble's channel.
fn note_line(text: &str) -> Op {
    post_op(Dest::TroubleChannel, note_message(text), None)
}

/// What a note by U0SALES says in the trouble's channel.
fn note_message(text: &str) -> Message {
    Message::Recorded {
        by: u("U0SALES"),
        what: Record::Note { text: text.into() },
    }
}

/// A refusal from the trouble's channel, as the deliverer reports it.
fn channel_refused(op: Op, error: &str) -> Input {
    Input::Delivered(Outcome::ChannelUnavailable {
        call: Box::new(Delivery {
            lane: Lane::Channel,
            op,
        }),
        channel: Some(ChannelId::new(TROUBLE_CHANNEL)),
        method: "chat.postMessage".into(),
        error: error.into(),
    })
}

/// Slack's answer to the check last asked (`n`, the one before the check set next).
fn checked(sim: &Sim, seen: ChannelSeen) -> Input {
    let next = sim.t.channel_check.expect("a check was asked");
    Input::Delivered(Outcome::ChannelChecked {
        channel: ChannelId::new(TROUBLE_CHANNEL),
        seen,
        n: next - 1,
    })
}

/// Whether `d` asks Slack about the channel, and nothing else there.
fn asks_about_the_channel(d: &Decision) -> bool {
    matches!(ops(d, Lane::Channel)[..], [Op::CheckChannel { .. }])
}

/// The channel check timers of `d`: when each is due, and its number.
fn check_timers(d: &Decision) -> Vec<(DateTime<Utc>, u32)> {
    d.timers
        .iter()
        .filter_map(|t| match t.kind {
            TimerKind::ChannelCheck { n } => Some((t.due, n)),
            _ => None,
        })
        .collect()
}

#[test]
fn without_slacks_events_the_bot_checks_the_channel_and_learns_it_is_lost_and_then_back() {
    let mut sim = Sim::ready(req("ACME"));
    sim.status_refresh_delivered();
    // Archived, and Slack's event never comes (an app installed before it was subscribed): a
    // line refused waits, and a check is set a minute on.
    let d = sim.feed(channel_refused(note_line("refused"), "is_archived"));
    assert_eq!(check_timers(&d), vec![(sim.now + mins(1), 0)]);
    assert!(d.deliveries.is_empty(), "{:?}", d.deliveries);
    // A second refusal sets no second check.
    let d = sim.feed(channel_refused(note_line("refused too"), "is_archived"));
    assert!(check_timers(&d).is_empty(), "{:?}", d.timers);

    // The check asks Slack, and sets the next one, twice as far.
    let d = sim.fire_when_due(&next_check(&sim));
    assert!(asks_about_the_channel(&d), "{d:?}");
    assert_eq!(check_timers(&d), vec![(sim.now + mins(2), 1)]);
    // The same timer again (another instance, a crash before it was removed) is stale.
    let d = sim.feed(Input::Timer(TimerKind::ChannelCheck { n: 0 }));
    assert_nothing_happens(&d, "a stale check");

    // Slack says it is archived: taken as its event would be, by nobody in particular.
    let d = sim.feed(checked(&sim, ChannelSeen::Archived));
    assert_eq!(events(&d), vec![Event::ChannelArchived]);
    let lost = Message::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    };
    assert_eq!(dms(&d), vec![(u("U0SALES"), lost.clone()), (u("U0MANAGER"), lost)]);
    assert_eq!(sim.t.channel_lost, Some(ChannelLoss::Archived));
    // Saying so again is nothing new.
    let d = sim.feed(checked(&sim, ChannelSeen::Archived));
    assert!(d.entries.is_empty() && d.deliveries.is_empty(), "{d:?}");

    // What Slack said brings the next check to a minute (an answer on its way is stale now);
    // then they go on, twice as far apart each time (the spacing reached), up to an hour.
    let mut next = next_check(&sim);
    let mut gaps = vec![(next.due - sim.now).num_minutes()];
    for _ in 0..6 {
        let d = sim.fire_when_due(&next);
        assert!(asks_about_the_channel(&d), "{d:?}");
        next = next_check(&sim);
        gaps.push((next.due - sim.now).num_minutes());
    }
    assert_eq!(gaps, [1, 8, 16, 32, 60, 60, 60]);

    // Unarchived, still without an event: the check finds it, and what waited follows.
    let d = sim.feed(checked(&sim, ChannelSeen::Usable));
    assert_eq!(events(&d), vec![Event::ChannelUnarchived]);
    let posted: Vec<Message> = ops(&d, Lane::Channel)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert!(
        matches!(
            posted[..],
            [
                Message::HeldFollow {
                    how: Some(ChannelLoss::Archived),
                    count: 2,
                    ..
                },
                _,
                _
            ]
        ),
        "{posted:?}"
    );
    assert_eq!((sim.t.held.clone(), sim.t.channel_check), (None, None));
    // The check set before is stale now.
    let d = sim.fire_when_due(&next);
    assert_nothing_happens(&d, "a check after the channel is back");
    sim.assert_chain_valid();
}

#[test]
fn a_refusal_heard_after_the_channel_is_back_is_released_by_the_next_check() {
    let mut sim = Sim::ready(req("ACME"));
    sim.status_refresh_delivered();
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    sim.feed(Input::ChannelBack {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    assert_eq!(sim.t.channel_check, None, "nothing waits: checking stopped");
    // Sent while the bot was out, refused, and heard of only now.
    let line = note_line("late");
    sim.feed(channel_refused(line.clone(), "not_in_channel"));
    let d = sim.fire_when_due(&next_check(&sim));
    assert!(asks_about_the_channel(&d), "{d:?}");
    // Slack says the bot can post there: it goes, after the line saying why it is late.
    let d = sim.feed(checked(&sim, ChannelSeen::Usable));
    let posts: Vec<Op> = ops(&d, Lane::Channel)
        .into_iter()
        .filter(|op| matches!(op, Op::Post { .. }))
        .collect();
    let header = post_op(
        Dest::TroubleChannel,
        Message::HeldFollow {
            how: Some(ChannelLoss::BotRemoved),
            since: sim.now - mins(1),
            count: 1,
            left_out: 0,
        },
        None,
    );
    assert_eq!(posts, vec![header, line]);
    assert!(
        d.entries.is_empty(),
        "nothing was lost, nothing came back: {:?}",
        d.entries
    );
    assert_eq!((sim.t.held.clone(), sim.t.channel_check), (None, None));
}

#[test]
fn a_channel_slack_no_longer_shows_is_replaced_when_public_and_taken_as_the_bot_removed_when_private() {
    for private in [false, true] {
        let policy = Policy {
            private_channels: private,
            ..config()
        };
        let mut sim = Sim::ready_with(policy, req("ACME"));
        let note = note_line("waits");
        // Deleted, or left without the bot if private, and no event came.
        sim.feed(channel_refused(note, "channel_not_found"));
        sim.fire_when_due(&next_check(&sim));
        let d = sim.feed(checked(&sim, ChannelSeen::NotFound));
        if private {
            assert_eq!(events(&d), vec![Event::BotRemoved], "private");
            assert_eq!(sim.t.channel_lost, Some(ChannelLoss::BotRemoved));
            assert_eq!(dms(&d).len(), 2, "the owner and the manager: {d:?}");
        } else {
            assert_eq!(
                events(&d),
                vec![Event::ChannelDeleted {
                    channel: ChannelId::new(TROUBLE_CHANNEL)
                }],
                "public"
            );
            assert!(has_op(&d, Lane::Channel, &Op::CreateChannel), "{d:?}");
            assert_eq!(
                (sim.t.channel.clone(), sim.t.held.clone(), sim.t.channel_check),
                (None, None, None)
            );
        }
        sim.assert_chain_valid();
    }
}

/// The latest check timer set, whatever the trouble waits for.
fn next_check_timer_any(sim: &Sim) -> Timer {
    sim.timers
        .iter()
        .rev()
        .find(|t| matches!(t.kind, TimerKind::ChannelCheck { .. }))
        .cloned()
        .expect("a check timer")
}

/// The check timer the trouble waits for (the one of its `channel_check`).
fn next_check(sim: &Sim) -> Timer {
    let n = sim.t.channel_check.expect("a check is set");
    sim.timers
        .iter()
        .rev()
        .find(|t| t.kind == TimerKind::ChannelCheck { n })
        .cloned()
        .expect("its timer")
}

#[test]
fn a_refused_nudge_alone_is_checked_and_what_slack_shows_settles_what_the_bot_knows() {
    let mut sim = Sim::ready(req("ACME"));
    sim.status_refresh_delivered();
    // Archived, no event: only a nudge was refused, and went to the owner and manager by DM.
    let nudge = Message::Nudge(Nudge {
        owner: u("U0SALES"),
        waited_secs: 3600,
        manager: Some(u("U0MANAGER")),
        named: None,
        promise: None,
        promise_missed: false,
        last_contact: sim.t.opened_at,
        last_reminder: false,
        since_reopened: false,
    });
    let d = sim.feed(channel_refused(
        post_op(Dest::TroubleChannel, nudge, None),
        "is_archived",
    ));
    assert!(sim.t.held.is_none() && dms(&d).len() == 2, "{d:?}");
    // Still the bot asks, and learns why: the chain hears, once.
    let d = sim.fire_when_due(&next_check(&sim));
    assert!(asks_about_the_channel(&d), "{d:?}");
    let d = sim.feed(checked(&sim, ChannelSeen::Archived));
    assert_eq!(events(&d), vec![Event::ChannelArchived]);
    assert_eq!(dms(&d).len(), 2, "{d:?}");
    // Slack's event, late: it adds who did it, and nobody is told twice; the manager did it,
    // so the director hears now.
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: Some(u("U0MANAGER")),
    });
    assert_eq!(events(&d), vec![Event::ChannelArchived]);
    assert_eq!(d.entries[0].actor, Some(u("U0MANAGER")));
    let by_manager = Message::ChannelLost {
        how: ChannelLoss::Archived,
        by: Some(u("U0MANAGER")),
    };
    assert_eq!(dms(&d), vec![(u("U0DIRECTOR"), by_manager)]);
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: Some(u("U0COLLEAGUE")),
    });
    assert!(d.deliveries.is_empty(), "{:?}", d.deliveries);
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    assert_nothing_happens(&d, "the same loss again, by nobody");

    // Unarchived without the bot in it: back one way, lost another. Both are recorded and the
    // chain is asked to add the bot back; checking goes on.
    let check = next_check(&sim);
    let d = sim.fire_when_due(&check);
    assert!(asks_about_the_channel(&d), "{d:?}");
    let d = sim.feed(checked(&sim, ChannelSeen::BotOut));
    assert_eq!(events(&d), vec![Event::ChannelUnarchived, Event::BotRemoved]);
    let removed = Message::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: None,
    };
    assert_eq!(
        dms(&d),
        vec![(u("U0SALES"), removed.clone()), (u("U0MANAGER"), removed)]
    );
    assert_eq!(sim.t.channel_lost, Some(ChannelLoss::BotRemoved));

    // A check on its way as Slack's event says the bot is back: its answer is stale.
    let d = sim.fire_when_due(&next_check(&sim));
    assert!(asks_about_the_channel(&d), "{d:?}");
    let stale = checked(&sim, ChannelSeen::BotOut);
    sim.feed(Input::ChannelBack {
        how: ChannelLoss::BotRemoved,
        by: Some(u("U0SALES")),
    });
    assert_eq!(sim.t.channel_check, None);
    let d = sim.feed(stale);
    assert_nothing_happens(&d, "a stale answer");
    assert_eq!(sim.t.channel_lost, None);
    sim.assert_chain_valid();
}

#[test]
fn an_answer_asked_before_a_loss_was_heard_of_changes_nothing() {
    let mut sim = Sim::ready(req("ACME"));
    let note = note_line("waits");
    sim.feed(channel_refused(note, "not_in_channel"));
    // The check asks while the bot is still in the channel (the refusal was for a moment)...
    assert!(asks_about_the_channel(&sim.fire_when_due(&next_check(&sim))));
    let usable = checked(&sim, ChannelSeen::Usable);
    // ... then the channel is archived, and Slack's event comes before the answer.
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: Some(u("U0SALES")),
    });
    let d = sim.feed(usable);
    assert_nothing_happens(&d, "an answer from before the loss");
    assert_eq!(sim.t.channel_lost, Some(ChannelLoss::Archived));
    assert!(sim.t.held.is_some());
}

#[test]
fn a_check_slack_refuses_for_good_is_recorded_once_until_the_channel_is_back() {
    let mut sim = Sim::ready(req("ACME"));
    sim.status_refresh_delivered();
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    assert!(asks_about_the_channel(&sim.fire_when_due(&next_check(&sim))));
    let d = sim.feed(Input::Delivered(Outcome::Failed {
        method: "conversations.info".into(),
        error: "missing_scope".into(),
    }));
    assert!(matches!(events(&d)[..], [Event::DeliveryFailed { .. }]), "{d:?}");
    // Lines held meanwhile start no check; the one set is stale.
    let d = sim.cmd("U0SALES", Command::Note("held".into()));
    assert!(check_timers(&d).is_empty() && sim.t.held.is_some(), "{d:?}");
    let stale = next_check_timer_any(&sim);
    assert_nothing_happens(&sim.fire_when_due(&stale), "a check after the refusal");
    // Back (Slack's event): what waited follows, and a later loss is checked again.
    sim.feed(Input::ChannelBack {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    assert!(sim.t.held.is_none());
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    assert_eq!(check_timers(&d).len(), 1, "{d:?}");
}

#[test]
fn a_closed_troubles_daily_checks_come_back_to_a_minute_when_it_is_reopened() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    // Its effectiveness check falls due before the answer below (only then may it be given).
    sim.cmd(
        "U0SALES",
        crate::trouble::command::parse("fix action 1 check:+14d").expect("a correction"),
    );
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    // The manager answers, weeks later, that the prevention worked: its line waits, and the
    // channel is checked, a day apart at most.
    sim.advance(hours(24 * 21));
    sim.feed(Input::Button {
        user: u("U0MANAGER"),
        action: ButtonAction::Effect {
            n: 1,
            effective: true,
            round: None,
            epoch: None,
        },
    });
    assert!(sim.t.held.is_some());
    let mut check = next_check(&sim);
    for _ in 0..12 {
        assert!(asks_about_the_channel(&sim.fire_when_due(&check)));
        check = next_check(&sim);
    }
    assert_eq!(check.due - sim.now, hours(24));
    // Reopened: checked as an open trouble's channel, a minute on.
    let reopen = crate::trouble::facts::Step::Reopen("the customer found more".into());
    let d = sim.cmd("U0MANAGER", Command::Step(reopen));
    let (due, n) = check_timers(&d)[0];
    assert_eq!((due, sim.t.channel_check), (sim.now + mins(1), Some(n)));
    // The daily one still set is stale.
    let d = sim.feed(Input::Timer(check.kind.clone()));
    assert_nothing_happens(&d, "the closed trouble's check");
}

#[test]
fn a_closed_troubles_channel_is_checked_daily_for_about_a_week_while_something_waits_for_it() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    // Its effectiveness check falls due in the days below (only then may it be answered).
    sim.cmd(
        "U0SALES",
        crate::trouble::command::parse("fix action 1 check:+5d").expect("a correction"),
    );
    // Archived once closed, as teams tidy up: nothing waits, nothing is checked.
    let d = sim.feed(Input::ChannelLost {
        how: ChannelLoss::Archived,
        by: None,
    });
    assert!(d.deliveries.is_empty() && d.timers.is_empty(), "{d:?}");
    assert_eq!(sim.t.channel_check, None);

    // Something for the channel meanwhile (a line refused): it waits, checked a day apart at
    // most, since nothing else may bring the channel back.
    sim.feed(channel_refused(note_line("after the close"), "is_archived"));
    let refused_at = sim.now;
    let mut asked = 0;
    let mut daily = 0;
    // Bounded, so that checks going on for good fail here rather than hang.
    for _ in 0..100 {
        let d = sim.fire_when_due(&next_check(&sim));
        if !asks_about_the_channel(&d) {
            break;
        }
        asked += 1;
        let apart = next_check(&sim).due - sim.now;
        assert!(apart <= hours(24), "{apart:?} apart");
        daily += usize::from(apart == hours(24));
    }
    // About a week of daily checks, then none: a closed trouble's channel archived is the usual
    // end of it (Slack's event, or a reopening, still brings what waited).
    assert_eq!((asked, daily), (18, 8));
    assert!(sim.now - refused_at < Duration::days(10), "{:?}", sim.now - refused_at);
    assert_eq!(sim.t.channel_check, None);
    assert!(sim.t.held.is_some(), "what waited still waits");
    // Another line for the channel (the prevention found effective) starts them again.
    let d = sim.feed(Input::Button {
        user: u("U0MANAGER"),
        action: ButtonAction::Effect {
            n: 1,
            effective: true,
            round: None,
            epoch: None,
        },
    });
    assert_eq!(check_timers(&d).len(), 1, "{d:?}");
}

#[test]
fn an_open_troubles_channel_deleted_gets_a_new_one_set_up_as_at_opening_and_the_chain_hears() {
    // Quality's members (U0QA1, U0QA2), U0ADDED added, U0WATCHER joined on their own; the director
    // asked after the manager did not answer; the bot was out of the channel with a line waiting.
    let mut sim = sim_with_participants();
    sim.feed(Input::MemberJoined { user: u("U0WATCHER") });
    let timer = sim.last_ack_timer();
    sim.fire_when_due(&timer);
    sim.feed(Input::ChannelLost {
        how: ChannelLoss::BotRemoved,
        by: None,
    });
    sim.cmd("U0SALES", Command::Note("waiting".into()));
    assert!(sim.t.held.is_some());

    let d = sim.feed(Input::ChannelDeleted {
        by: Some(u("U0DIRECTOR")),
    });
    let entry = d.entries.last().expect("an entry");
    assert_eq!(
        (&entry.event, entry.actor.clone()),
        (
            &Event::ChannelDeleted {
                channel: ChannelId::new(TROUBLE_CHANNEL)
            },
            Some(u("U0DIRECTOR"))
        )
    );
    assert!(sim.t.channel.is_none() && sim.t.kickoff.is_none() && sim.t.status.is_none());
    assert!(sim.t.held.is_none() && sim.t.channel_lost.is_none());
    let invited = users(&[
        "U0SALES",
        "U0MANAGER",
        "U0DIRECTOR",
        ADDED,
        "U0QA1",
        "U0QA2",
        "U0WATCHER",
    ]);
    let kept = |message, slot| post_op(Dest::TroubleChannel, message, Some(slot));
    let told = |who: &str| post_op(Dest::Dm(u(who)), Message::ChannelReplaced { held: None }, None);
    assert_eq!(
        ops(&d, Lane::Channel),
        vec![
            Op::CreateChannel,
            Op::Invite { users: invited },
            kept(Message::Kickoff, Slot::Kickoff),
            Op::Pin { slot: Slot::Kickoff },
            kept(Message::Status, Slot::Status),
            Op::Pin { slot: Slot::Status },
            post_op(Dest::TroubleChannel, Message::ChannelReplaced { held: None }, None),
            // The director did it: the owner, the manager and the director's manager hear.
            told("U0SALES"),
            told("U0MANAGER"),
            told("U0VP"),
        ]
    );
    // The new channel: the manager's DM and the origin notice link it.
    let name = sim.t.channel_name.clone().expect("a name");
    let d = sim.feed(channel_created(&name));
    assert!(has_op(&d, Lane::Dm, &Op::Refresh { slot: Slot::ManagerDm }));
    assert!(has_op(
        &d,
        Lane::Origin,
        &Op::Refresh {
            slot: Slot::OriginNotice
        }
    ));
    sim.assert_chain_valid();

    // A closed trouble's channel deleted is only recorded, until the trouble is reopened: then
    // it gets a new one before the line saying it was reopened.
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    let d = sim.feed(Input::ChannelDeleted { by: None });
    assert!(matches!(
        d.entries.last().map(|e| &e.event),
        Some(Event::ChannelDeleted { .. })
    ));
    assert!(d.deliveries.is_empty() && sim.t.channel.is_none(), "{:?}", d.deliveries);
    let reopen = crate::trouble::facts::Step::Reopen("the customer found more".into());
    let d = sim.cmd("U0MANAGER", Command::Step(reopen));
    let ops = ops(&d, Lane::Channel);
    assert_eq!(ops.first(), Some(&Op::CreateChannel), "{ops:?}");
    let replaced = post_op(Dest::TroubleChannel, Message::ChannelReplaced { held: None }, None);
    let replaced = ops.iter().position(|op| *op == replaced).expect("the line saying why");
    let reopened = ops.iter().position(|op| {
        matches!(
            op,
            Op::Post {
                message: Message::Step(crate::trouble::facts::StepLine::Logged {
                    event: crate::trouble::facts::StepEvent::Reopened { .. },
                    ..
                }),
                ..
            }
        )
    });
    assert!(reopened.is_some_and(|r| replaced < r), "{ops:?}");
}

/// A closed trouble whose channel was deleted under the release before `channel_deleted` was
/// kept (stored without it) is told its channel was replaced when it is reopened, as it was then:
/// not that Slack refused to create it, which nothing recorded.
#[test]
fn a_channel_deleted_before_it_was_recorded_is_replaced_at_a_reopen() {
    let mut sim = Sim::ready(req("ACME"));
    sim.close_properly();
    sim.feed(Input::ChannelDeleted { by: None });
    sim.t.channel_deleted = false;
    let reopen = crate::trouble::facts::Step::Reopen("the customer found more".into());
    let d = sim.cmd("U0MANAGER", Command::Step(reopen));
    let lines: Vec<Message> = messages(&d)
        .into_iter()
        .filter(|m| matches!(m, Message::ChannelReplaced { .. } | Message::ChannelMadeLate { .. }))
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|m| *m == Message::ChannelReplaced { held: None }),
        "{lines:?}"
    );
}

#[test]
fn the_kickoff_or_the_status_deleted_is_on_the_timeline_and_posted_and_pinned_again() {
    let cases = [
        (Slot::Kickoff, Event::KickoffDeleted, Message::Kickoff),
        (Slot::Status, Event::StatusDeleted, Message::Status),
    ];
    for (slot, event, message) in cases {
        let mut sim = Sim::ready(req("ACME"));
        let kept = |t: &Trouble| match slot {
            Slot::Kickoff => t.kickoff.clone(),
            _ => t.status.clone(),
        };
        let ts = kept(&sim.t).expect("posted").ts;
        let d = sim.feed(Input::MessageDeleted { ts });
        let logged: Vec<&Event> = d.entries.iter().map(|e| &e.event).collect();
        assert_eq!(logged, vec![&event]);
        assert_eq!(
            ops(&d, Lane::Channel),
            vec![post_op(Dest::TroubleChannel, message, Some(slot)), Op::Pin { slot }]
        );
        assert_eq!(kept(&sim.t), None);
        // Posted again: the new one is kept.
        sim.feed(posted(slot, TROUBLE_CHANNEL, "1795748500.000001"));
        assert_eq!(kept(&sim.t).map(|m| m.ts), Some(Ts::new("1795748500.000001")));
        // Any other message deleted is nothing to the bot.
        let d = sim.feed(Input::MessageDeleted {
            ts: Ts::new("1795748400.000999"),
        });
        assert!(
            d.trouble.is_none() && d.entries.is_empty() && d.deliveries.is_empty(),
            "{d:?}"
        );
        sim.assert_chain_valid();
    }

    // A reply in the new kickoff's thread acknowledges, and so does one in the deleted one's,
    // whose replies Slack keeps under a tombstone.
    for thread in ["1795748500.000001", KICKOFF_TS] {
        let mut sim = Sim::ready(req("ACME"));
        sim.feed(Input::MessageDeleted {
            ts: Ts::new(KICKOFF_TS),
        });
        sim.feed(posted(Slot::Kickoff, TROUBLE_CHANNEL, "1795748500.000001"));
        sim.feed(Input::ThreadReply {
            user: u("U0MANAGER"),
            thread_ts: Ts::new(thread),
        });
        assert!(sim.t.ack.is_some(), "a reply in {thread}");
    }
}

/// The manager and the top of the chain both left: the daily round after the bot gave up asks
/// the one in the middle who can still answer, not the two who cannot.
#[test]
fn the_daily_round_asks_whoever_in_the_chain_can_still_be_reached() {
    let unreachable = |who: &str| {
        Input::Delivered(Outcome::PersonUnreachable {
            who: u(who),
            method: "chat.postMessage".into(),
            error: "user_deactivated".into(),
            why: DmRefusal::NoSuchPerson,
        })
    };
    let asked = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter_map(|(who, message)| matches!(message, Message::EscalationDm { .. }).then_some(who))
            .collect()
    };
    let mut sim = Sim::ready(req("ACME"));
    assert_eq!(asked(&sim.feed(unreachable("U0MANAGER"))), users(&["U0DIRECTOR"]));
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(asked(&d), users(&["U0VP"]));
    sim.feed(unreachable("U0VP"));
    assert!(sim.t.escalation.gave_up);
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(asked(&d), users(&["U0DIRECTOR"]), "the daily round");
    assert_eq!(ack_timers(&d).len(), 1, "and again the next day");
}

#[test]
fn someone_in_the_chain_nobody_can_dm_is_passed_over_at_once_and_the_owner_hears_why() {
    let unreachable = |who: &str| {
        Input::Delivered(Outcome::PersonUnreachable {
            who: u(who),
            method: "chat.postMessage".into(),
            error: "channel_not_found".into(),
            why: DmRefusal::NoSuchPerson,
        })
    };
    let asked = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter_map(|(who, message)| match message {
                Message::EscalationDm { passed_over, .. } => {
                    assert!(passed_over.is_some(), "the one passed over is named");
                    Some(who)
                }
                _ => None,
            })
            .collect()
    };
    let told_owner = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter_map(|(to, message)| match message {
                Message::PersonUnreachable { who, .. } if to == u("U0SALES") => Some(who),
                _ => None,
            })
            .collect()
    };
    let mut sim = Sim::ready(req("ACME"));
    assert_eq!(sim.t.escalation.chain, users(&CHAIN));
    // The manager's first ping reached nobody: the director is asked now, not after the timeout.
    let d = sim.feed(unreachable("U0MANAGER"));
    assert_eq!(told_owner(&d), users(&["U0MANAGER"]));
    assert_eq!(asked(&d), users(&["U0DIRECTOR"]));
    assert_eq!(sim.t.escalation.level, 1);
    assert!(events(&d).contains(&Event::DeliveryFailed {
        method: "chat.postMessage".into(),
        error: "channel_not_found".into(),
        who: Some(u("U0MANAGER")),
    }));
    // A late failure for someone no longer waited for changes nothing but the timeline.
    let d = sim.feed(unreachable("U0MANAGER"));
    assert!(asked(&d).is_empty() && told_owner(&d).is_empty() && sim.t.escalation.level == 1);
    // Up to the top, which is not re-pinged in vain: the channel hears nobody can answer.
    sim.feed(unreachable("U0DIRECTOR"));
    let d = sim.feed(unreachable("U0VP"));
    assert_eq!(told_owner(&d), users(&["U0VP"]));
    assert!(asked(&d).is_empty(), "no re-ping of an unreachable top");
    assert!(sim.t.escalation.gave_up);
    assert!(events(&d).contains(&Event::NobodyAnswered));
    sim.assert_chain_valid();

    // Acknowledged already: nothing moves.
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    let d = sim.feed(unreachable("U0MANAGER"));
    assert!(asked(&d).is_empty() && told_owner(&d).is_empty());
}

/// Lots are replayed exactly: the facts form replaces the list, the command adds to it, and a
/// lot removed from the record is caught. Entries written before that was recorded leave the
/// lots unsure: then a lot the entries never gave is still caught, a removed one cannot be.
#[test]
fn lots_replay_exactly_and_older_entries_still_catch_a_lot_never_given() {
    use crate::trouble::facts::{FactKey, Step, StepEvent};
    use crate::trouble::replay::{differs, Fact};
    let mut sim = Sim::ready(req("ACME"));
    let lots = |text: &str| vec![(FactKey::Lot, text.to_string())];
    sim.cmd("U0SALES", Command::Step(Step::Facts(lots("L41 L42"))));
    // The form drawn now, showing both.
    let shown = crate::trouble::facts::ShownFacts::of(&sim.t.substance.facts, |_| true);
    sim.cmd(
        "U0SALES",
        Command::Step(Step::FactsForm {
            fields: lots("L41"),
            shown: Some(shown),
        }),
    );
    assert_eq!(sim.t.substance.facts.lots, ["L41"]);
    let mut removed = sim.t.clone();
    removed.substance.facts.lots.clear();
    assert_eq!(differs(&removed, &sim.entries), Some(Fact::Substance));

    for e in sim.entries.iter_mut() {
        if let Event::Stage(StepEvent::Fact { lots_replaced, .. }) = &mut e.event {
            *lots_replaced = None;
        }
    }
    assert_eq!(
        differs(&sim.t, &sim.entries),
        None,
        "the form's list, from older entries"
    );
    assert_eq!(
        differs(&removed, &sim.entries),
        None,
        "unsure: a removed lot is not caught"
    );
    let mut added = sim.t.clone();
    added.substance.facts.lots.push("L99".into());
    assert_eq!(differs(&added, &sim.entries), Some(Fact::Substance));
}

/// Each part of the cause is its author's, and `verify` holds a record of this release to
/// exactly that: the record rewritten to name the escape point's adder as the cause's recorder
/// (as an earlier release recorded it) is refused; behind entries an earlier release wrote, it
/// is what that release left, and agrees.
#[test]
fn a_cause_this_release_recorded_verifies_with_its_authors_only() {
    use crate::trouble::facts::{Cause, StepEvent};
    use crate::trouble::replay::{differs, Fact};
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0SALES", cause("mold temperature drifted", None));
    sim.cmd("U0MANAGER", cause("", Some("visual check only")));
    let recorded = sim.t.substance.cause.clone().expect("a cause");
    assert_eq!(
        (recorded.by.as_str(), recorded.escape_by.as_ref().map(UserId::as_str)),
        ("U0SALES", Some("U0MANAGER"))
    );
    let mut rewritten = sim.t.clone();
    rewritten.substance.cause = Some(Cause {
        by: u("U0MANAGER"),
        escape_by: None,
        ..recorded
    });
    assert_eq!(differs(&rewritten, &sim.entries), Some(Fact::Substance));

    for e in sim.entries.iter_mut() {
        if let Event::Stage(StepEvent::Cause { authors_kept, .. } | StepEvent::CauseSuperseded { authors_kept, .. }) =
            &mut e.event
        {
            *authors_kept = false;
        }
    }
    assert_eq!(
        differs(&rewritten, &sim.entries),
        None,
        "the record an earlier release would have left"
    );
}

/// A cause or a fact given again in place of another is a correction on the timeline, and the
/// record replays from it exactly (`feed` checks); the same value again writes nothing, and is
/// answered so.
#[test]
fn a_cause_or_fact_given_again_is_logged_as_superseding_and_replays() {
    use crate::trouble::facts::{FactKey, Step, StepEvent, StepReply};
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0SALES", cause("mold drift", None));
    // Typed again, it is recorded already, and the answer still says what stage 3 lacks.
    let before = sim.entries.len();
    let d = sim.cmd("U0SALES", cause("mold drift", None));
    assert_eq!(sim.entries.len(), before, "the same cause again writes nothing");
    assert_eq!(
        d.reply,
        Some(Reply::Step(StepReply::CauseUnchanged { escape_missing: true }))
    );
    sim.cmd("U0SALES", cause("resin grade", Some("no incoming check")));
    let part = |text: &str| Command::Step(Step::Facts(vec![(FactKey::Part, text.to_string())]));
    sim.cmd("U0SALES", part("HX-200"));
    sim.cmd("U0SALES", part("HX-210"));
    let before = sim.entries.len();
    sim.cmd("U0SALES", part("HX-210"));
    assert_eq!(sim.entries.len(), before, "the same value again writes nothing");
    // So does the cause, both parts as they stand (its escape point kept when none is given),
    // whoever types it: it stays credited to its author.
    for again in [
        cause("resin grade", Some("no incoming check")),
        cause("resin grade", None),
        cause("", Some("no incoming check")),
    ] {
        let d = sim.cmd("U0MANAGER", again);
        assert_eq!(sim.entries.len(), before, "the same cause again writes nothing");
        assert_eq!(
            d.reply,
            Some(Reply::Step(StepReply::CauseUnchanged { escape_missing: false }))
        );
    }
    assert_eq!(sim.t.substance.cause.as_ref().map(|c| c.by.as_str()), Some("U0SALES"));
    let config = full_config();
    let said = |l, escape_missing| {
        crate::i18n::reply_text(l, &config, &Reply::Step(StepReply::CauseUnchanged { escape_missing }))
    };
    assert!(said(crate::i18n::Locale::En, false).contains("recorded already, with its escape point; nothing changed"));
    assert!(said(crate::i18n::Locale::Ja, false).contains("流出原因とともにそのとおり記録されています"));
    assert!(said(crate::i18n::Locale::En, true).contains("is not recorded yet: give it with `/trouble cause escape:"));
    assert!(said(crate::i18n::Locale::Ja, true).contains("何も変えていません。なぜ見逃したか"));
    let steps: Vec<&StepEvent> = sim
        .entries
        .iter()
        .filter_map(|e| match &e.event {
            Event::Stage(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(steps.iter().any(|s| matches!(s,
        StepEvent::CauseSuperseded { old, old_escape: None, text, escape: Some(e), .. }
            if old == "mold drift" && text == "resin grade" && e == "no incoming check")));
    assert!(steps.iter().any(|s| matches!(s,
        StepEvent::FactSuperseded { key: FactKey::Part, old, value } if old == "HX-200" && value == "HX-210")));
    assert_eq!(
        sim.t.substance.cause.as_ref().map(|c| c.text.as_str()),
        Some("resin grade")
    );
}

/// `fix customer` edits every kept message that shows the customer, renames the channel to
/// match, and the record agrees with its timeline (`feed` checks it); a rename Slack answered
/// keeps the new name, and the same name again decides nothing.
#[test]
fn fix_customer_refreshes_what_shows_it_and_renames_the_channel() {
    use crate::trouble::facts::{Step, StepEvent};
    let mut sim = Sim::ready(req("ACMF"));
    let fix = |name: &str| {
        Command::Step(Step::FixCustomer {
            name: name.into(),
            past: Vec::new(),
        })
    };
    let d = sim.cmd("U0SALES", fix("ACME様"));
    assert_eq!(sim.t.customer, "ACME");
    let name = format!("trouble-{}-acme", sim.t.id);
    assert!(has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Kickoff }));
    assert!(has_op(&d, Lane::Channel, &Op::Refresh { slot: Slot::Status }));
    assert!(has_op(&d, Lane::Dm, &Op::Refresh { slot: Slot::ManagerDm }));
    assert!(has_op(
        &d,
        Lane::Origin,
        &Op::Refresh {
            slot: Slot::OriginNotice
        }
    ));
    assert!(has_op(&d, Lane::Channel, &Op::RenameChannel { name: name.clone() }));
    assert!(matches!(
        &d.entries[..],
        [e] if e.event == Event::Stage(StepEvent::CustomerCorrected { from: "ACMF".into(), to: "ACME".into() })
    ));
    sim.feed(Input::Delivered(Outcome::ChannelRenamed { name: name.clone() }));
    assert_eq!(sim.t.channel_name.as_deref(), Some(name.as_str()));

    let again = sim.cmd("U0SALES", fix("ACME"));
    assert!(again.trouble.is_none() && again.deliveries.is_empty(), "{again:?}");
}

#[test]
fn the_kickoff_or_the_status_unpinned_while_open_is_pinned_again_and_the_channel_hears_who() {
    for (slot, event) in [
        (Slot::Kickoff, Event::KickoffUnpinned),
        (Slot::Status, Event::StatusUnpinned),
    ] {
        let mut sim = Sim::ready(req("ACME"));
        let kept = match slot {
            Slot::Kickoff => sim.t.kickoff.clone(),
            _ => sim.t.status.clone(),
        };
        let ts = kept.expect("posted").ts;
        let d = sim.feed(Input::Unpinned {
            user: u("U0COLLEAGUE"),
            ts: ts.clone(),
        });
        let logged: Vec<(&Event, Option<&str>)> = d
            .entries
            .iter()
            .map(|e| (&e.event, e.actor.as_ref().map(|a| a.as_str())))
            .collect();
        assert_eq!(logged, vec![(&event, Some("U0COLLEAGUE"))]);
        let told = Message::PinnedAgain {
            user: u("U0COLLEAGUE"),
            slot,
        };
        assert_eq!(
            ops(&d, Lane::Channel),
            vec![Op::Pin { slot }, post_op(Dest::TroubleChannel, told, None)]
        );
        sim.assert_chain_valid();

        // Any other message unpinned is the channel's own business.
        let d = sim.feed(Input::Unpinned {
            user: u("U0COLLEAGUE"),
            ts: Ts::new("1795748400.000999"),
        });
        assert!(
            d.trouble.is_none() && d.entries.is_empty() && d.deliveries.is_empty(),
            "{d:?}"
        );

        // Once closed, so are its kickoff and status.
        sim.close_properly();
        let d = sim.feed(Input::Unpinned {
            user: u("U0COLLEAGUE"),
            ts,
        });
        assert!(d.entries.is_empty() && d.deliveries.is_empty(), "{d:?}");
    }
}

/// What the shell tells the core of a DM or nudge `who` read while their Slack status says
/// they are away (`why`, with no end set).
fn read_while_away(who: &str, why: Absence) -> Input {
    Input::Delivered(Outcome::ReaderAway {
        posted: None,
        who: u(who),
        away: Away { why, until: None },
        reading: None,
    })
}

/// A DM reaching someone away (their Slack status) asks the next one up at once, once: the same
/// outcome told again, a DM of someone no longer waited for, the top's, or one after the
/// acknowledgement brings in nobody more; and nobody is taken out of the chain.
#[test]
fn someone_away_brings_the_next_one_in_once_and_leaves_nobody_out() {
    let away = |who: &str| read_while_away(who, Absence::Vacation);
    let asked = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter_map(|(who, message)| matches!(message, Message::EscalationDm { .. }).then_some(who))
            .collect()
    };
    let mut sim = Sim::ready(req("ACME"));
    assert_eq!(asked(&sim.feed(away("U0MANAGER"))), users(&["U0DIRECTOR"]));
    assert!(asked(&sim.feed(away("U0MANAGER"))).is_empty(), "told twice, asked once");
    assert_eq!(asked(&sim.feed(away("U0DIRECTOR"))), users(&["U0VP"]));
    assert!(asked(&sim.feed(away("U0VP"))).is_empty(), "nobody above the top");
    assert_eq!(sim.t.escalation.top_repings, 0, "the top's absence uses up no re-ping");
    assert_eq!(sim.t.escalation.chain, users(&CHAIN));
    assert!(sim.t.escalation.unreachable.is_empty());
    sim.feed(Input::ThreadReply {
        user: u("U0MANAGER"),
        thread_ts: Ts::new(KICKOFF_TS),
    });
    assert!(sim.t.ack.is_some(), "the one away may still acknowledge");
}

/// A nudge read by an owner away brings the manager in, in the channel; an owner handed the
/// trouble since (the nudge named the one before) brings in nobody.
#[test]
fn an_owner_away_brings_the_manager_in_but_a_former_owner_does_not() {
    let away = |who: &str| read_while_away(who, Absence::Sick);
    let owner_away = |d: &Decision| -> Vec<UserId> {
        messages(d)
            .into_iter()
            .filter_map(|m| match m {
                Message::OwnerAway { manager, .. } => Some(manager),
                _ => None,
            })
            .collect()
    };
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.feed(away("U0SALES"));
    assert_eq!(owner_away(&d), users(&["U0MANAGER"]));
    assert_eq!(
        sim.t.escalation.level, 0,
        "the acknowledgement's chain is left as it was"
    );
    sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert!(owner_away(&sim.feed(away("U0SALES"))).is_empty());
}

#[test]
fn a_line_for_the_team_is_withdrawn_once_and_one_posted_as_the_sharing_became_known_at_once() {
    let line = |ts: &str, outside: Option<Message>| crate::trouble::model::TeamLine {
        channel: ChannelId::new(TROUBLE_CHANNEL),
        ts: Ts::new(ts),
        outside,
        entry: None,
    };
    let posted = |l: crate::trouble::model::TeamLine, judged: DateTime<Utc>| {
        Input::Delivered(Outcome::TeamLinePosted {
            line: Box::new(l),
            judged,
            then: None,
        })
    };
    let withdrawals = |d: &Decision| -> Vec<Op> {
        ops(d, Lane::Channel)
            .into_iter()
            .filter(|op| matches!(op, Op::Withdraw { .. }))
            .collect()
    };
    let mut sim = Sim::ready(req("ACME"));
    let note = line("1795748400.000200", None);
    let stage = line(
        "1795748400.000300",
        Some(Message::StageChanged {
            stage: StageId::Facts,
            done: true,
            by: UserId::new("U0SALES"),
            note: String::new(),
        }),
    );
    let judged = sim.now;
    sim.feed(posted(note.clone(), judged));
    sim.feed(posted(stage.clone(), judged));
    // Told twice (the outcome recorded again after a retry): one line.
    sim.feed(posted(stage.clone(), judged));
    assert_eq!(sim.t.team_lines.len(), 2);

    sim.advance(mins(1));
    let d = sim.feed(Input::ChannelShared {
        org: Some("E0CUSTOMER".into()),
        org_name: None,
    });
    // The newest first, each as the customer may read it or deleted.
    let expected = [&stage, &note].map(|l| Op::Withdraw {
        channel: l.channel.clone(),
        ts: l.ts.clone(),
        outside: l.outside.clone(),
    });
    assert_eq!(withdrawals(&d), expected.to_vec());
    assert!(d.entries.iter().any(|e| matches!(
        &e.event,
        Event::TeamLinesWithdrawn { org: Some(org), edited: 1, deleted: 1, dropped: 0, .. } if org == "E0CUSTOMER"
    )));
    for who in ["U0SALES", "U0MANAGER"] {
        assert!(
            ops(&d, Lane::Dm).iter().any(|op| matches!(
                op,
                Op::Post { to: Dest::Dm(u), message: Message::TeamLinesWithdrawn { edited: 1, deleted: 1, .. }, .. }
                    if u.as_str() == who
            )),
            "{who} is told"
        );
    }
    assert!(sim.t.team_lines.is_empty());

    // Slack says it again: nothing left to withdraw, nobody told again.
    let d = sim.feed(Input::ChannelShared {
        org: None,
        org_name: None,
    });
    assert!(withdrawals(&d).is_empty());
    assert!(ops(&d, Lane::Dm).is_empty());

    // A line whose post was judged before the bot learnt it is withdrawn as it is told; one
    // judged since (the channel unshared meanwhile, as the deliverer found) is kept.
    let late = line("1795748400.000400", None);
    let d = sim.feed(posted(late.clone(), judged));
    assert_eq!(withdrawals(&d).len(), 1);
    assert!(sim.t.team_lines.is_empty());
    sim.advance(mins(1));
    let d = sim.feed(posted(line("1795748400.000500", None), sim.now));
    assert!(withdrawals(&d).is_empty());
    assert_eq!(sim.t.team_lines.len(), 1);
}

#[test]
fn notices_in_a_channel_shared_later_are_edited_down_to_the_id_once() {
    use crate::trouble::model::PostedMessage;
    let at = |channel: &str, ts: &str| PostedMessage {
        channel: ChannelId::new(channel),
        ts: Ts::new(ts),
        together: Vec::new(),
    };
    let mut sim = Sim::ready(req("ACME"));
    sim.t.origin_notice = Some(at("C0ORIGIN", "1795748400.000100"));
    sim.t.announcements = vec![
        Some(at("C0BIZUNIT", "1795748400.000200")),
        Some(at("C0ALL", "1795748400.000300")),
    ];
    let shared = |sim: &mut Sim| {
        sim.feed(Input::NoticesShared {
            channel: ChannelId::new("C0BIZUNIT"),
            org: Some("E0CUSTOMER".into()),
            org_name: None,
        })
    };
    let d = shared(&mut sim);
    assert_eq!(
        ops(&d, Lane::Announce),
        vec![Op::Edit {
            channel: ChannelId::new("C0BIZUNIT"),
            ts: Ts::new("1795748400.000200"),
            message: Message::NoticeWithdrawn { together: Vec::new() },
        }]
    );
    assert!(ops(&d, Lane::Origin).is_empty(), "the origin channel is not shared");
    assert!(d.entries.iter().any(|e| matches!(
        &e.event,
        Event::NoticesWithdrawn { org: Some(org), withdrawn: 1, .. } if org == "E0CUSTOMER"
    )));
    assert_eq!(sim.t.announcements[0], None);
    assert!(sim.t.announcements[1].is_some() && sim.t.origin_notice.is_some());

    // Said again: nothing more.
    let d = shared(&mut sim);
    assert!(ops(&d, Lane::Announce).is_empty() && d.entries.is_empty());
}

/// The start's look at whom `[org]` names reads a trouble whole only when its summary says the
/// owner's manager `[org]` names now is not its escalation's yet; deciding on it then asks them,
/// and its summary says so, so the next start passes it over. A summary an earlier release wrote
/// (which does not say) is read whole, as before; an acknowledged trouble never is.
#[test]
fn the_start_reads_whole_only_the_troubles_whose_summary_says_org_names_someone_new() {
    let fixed = Config::from_sources(
        Some(&CONFIG.replace("U0SALES = \"U0MANAGER\"", "U0SALES = \"U0NEWMGR\"")),
        &BTreeMap::new(),
    )
    .expect("the fixed config is valid")
    .policy;
    let mut sim = Sim::ready(req("ACME"));
    let summary = TroubleSummary::from(&sim.t);
    assert!(
        !org_may_name_someone_new(&sim.config, &summary),
        "[org] names its manager already"
    );
    assert!(
        org_may_name_someone_new(&fixed, &summary),
        "[org] fixed since it opened"
    );
    let earlier = TroubleSummary {
        awaiting: None,
        ..summary.clone()
    };
    assert!(
        org_may_name_someone_new(&sim.config, &earlier),
        "an earlier release's summary"
    );

    sim.config = fixed.clone();
    let d = sim.feed(Input::OrgRead);
    assert!(dms(&d).iter().any(|(to, _)| *to == u("U0NEWMGR")), "{:?}", dms(&d));
    assert!(
        !org_may_name_someone_new(&fixed, &TroubleSummary::from(&sim.t)),
        "asked once"
    );

    sim.cmd("U0NEWMGR", Command::Ack);
    assert!(sim.t.ack.is_some());
    let acknowledged = TroubleSummary::from(&sim.t);
    assert_eq!(acknowledged.awaiting, None);
    assert!(!org_may_name_someone_new(&config(), &acknowledged));
}

/// Every line in the trouble's channel carrying the typed text of an entry the decision logged
/// is kept knowing it, whatever the entry's kind, so a redaction of it edits the line: a
/// raise's and a lowering's reason as a note's. Their DMs, and a line carrying no typed text
/// (the acknowledgement a lowering gives), are not.
#[test]
fn a_line_carrying_an_entrys_typed_text_is_kept_with_its_entry_whatever_its_kind() {
    let mut sim = Sim::ready(req("ACME"));
    let posted = |d: &Decision| -> Vec<(Message, Option<Slot>)> {
        ops(d, Lane::Channel)
            .into_iter()
            .filter_map(|op| match op {
                Op::Post { message, keep_as, .. } => Some((message, keep_as)),
                _ => None,
            })
            .collect()
    };
    let entry = |d: &Decision| {
        let seq = d
            .entries
            .iter()
            .find(|e| matches!(e.event, Event::SeverityChanged { .. }))
            .expect("the change logged")
            .seq;
        Some(Slot::Entry { seq })
    };
    let d = sim.cmd(
        "U0SALES",
        Command::Severity {
            to: Severity::new(1),
            reason: "Zebulon stopped its line".into(),
        },
    );
    let raised: Vec<_> = posted(&d)
        .into_iter()
        .filter(|(m, _)| matches!(m, Message::SeverityRaised { .. }))
        .collect();
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert_eq!(raised[0].1, entry(&d));
    assert!(!dms(&d).is_empty());
    for lane in [Lane::Dm, Lane::Announce] {
        assert!(
            ops(&d, lane).iter().all(|op| !matches!(
                op,
                Op::Post {
                    keep_as: Some(Slot::Entry { .. }),
                    ..
                }
            )),
            "{:?}",
            ops(&d, lane)
        );
    }
    let d = sim.cmd(
        "U0MANAGER",
        Command::Severity {
            to: Severity::new(3),
            reason: "Zebulon runs again".into(),
        },
    );
    let lines = posted(&d);
    let lowered = lines
        .iter()
        .find(|(m, _)| matches!(m, Message::SeverityLowered { .. }))
        .expect("the lowering's line");
    assert_eq!(lowered.1, entry(&d));
    let acked = lines
        .iter()
        .find(|(m, _)| matches!(m, Message::Acknowledged { .. }))
        .expect("the acknowledgement's line");
    assert_eq!(acked.1, None);
}

/// A typed text equal to one of the bot's own words (a message's tag) or to someone's id does
/// not mark a line that never said it: `/trouble sev 3 acknowledged` keeps the lowering's line
/// with its entry, not the acknowledgement it gives, which a redaction would then blank. A
/// text shaped as an id is never read as typed, not even in its own line: the redaction then
/// names it as a line not recorded, to delete by hand, which is true.
#[test]
fn a_typed_text_equal_to_a_tag_or_an_id_marks_no_other_line() {
    for (reason, own_line_kept) in [("acknowledged", true), ("U0MANAGER", false)] {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.cmd(
            "U0MANAGER",
            Command::Severity {
                to: Severity::new(3),
                reason: reason.into(),
            },
        );
        let seq = d
            .entries
            .iter()
            .find(|e| matches!(e.event, Event::SeverityChanged { .. }))
            .expect("the change logged")
            .seq;
        let kept = |kind: fn(&Message) -> bool| {
            ops(&d, Lane::Channel)
                .into_iter()
                .find_map(|op| match op {
                    Op::Post { message, keep_as, .. } if kind(&message) => Some(keep_as),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{reason}: the line posted"))
        };
        assert_eq!(
            kept(|m| matches!(m, Message::SeverityLowered { .. })),
            own_line_kept.then_some(Slot::Entry { seq }),
            "{reason}"
        );
        assert_eq!(kept(|m| matches!(m, Message::Acknowledged { .. })), None, "{reason}");
    }
}

/// The Log update form closes silently only on the plain answer: a promise reminded a quarter
/// of an hour before, or no promise (whoever logged it). Anything else is shown.
#[test]
fn an_update_answer_says_more_than_logged_only_when_the_rep_must_hear_it() {
    let promise = t0() + Duration::hours(3);
    let plain = Reply::UpdateLogged {
        next_due: promise,
        promised: true,
        reminder: Some(promise - REMINDER_LEAD),
        near: false,
        kept: false,
        unread_promise: None,
        reminded: None,
        zone: None,
        zone_remembered: false,
        manager_told: None,
    };
    let with = |change: fn(&mut Reply)| {
        let mut reply = plain.clone();
        change(&mut reply);
        reply.update_warns()
    };
    assert!(!plain.update_warns());
    // No promise, a colleague's update: "the next one is due by" is all it says.
    assert!(!with(|r| {
        if let Reply::UpdateLogged {
            promised,
            reminder,
            reminded,
            ..
        } = r
        {
            (*promised, *reminder, *reminded) = (false, None, Some(UserId::new("U0SALES")));
        }
    }));
    // A zone remembered with no zone to name: the answer says nothing of a clock, plain.
    assert!(!with(|r| {
        if let Reply::UpdateLogged { zone_remembered, .. } = r {
            *zone_remembered = true
        }
    }));
    let warns: [fn(&mut Reply); 7] = [
        |r| {
            if let Reply::UpdateLogged { reminder, .. } = r {
                *reminder = None
            }
        },
        |r| {
            if let Reply::UpdateLogged { reminder, .. } = r {
                *reminder = reminder.map(|at| at - Duration::hours(2))
            }
        },
        |r| {
            if let Reply::UpdateLogged { kept, .. } = r {
                *kept = true
            }
        },
        |r| {
            if let Reply::UpdateLogged {
                zone, zone_remembered, ..
            } = r
            {
                (*zone, *zone_remembered) = (Some(crate::trouble::zone::Zone::Place(chrono_tz::Asia::Tokyo)), true)
            }
        },
        |r| {
            if let Reply::UpdateLogged { reminded, .. } = r {
                *reminded = Some(UserId::new("U0SALES"))
            }
        },
        |r| {
            if let Reply::UpdateLogged { unread_promise, .. } = r {
                *unread_promise = Some("あさって昼過ぎ".into())
            }
        },
        // A promise far off, told to the manager.
        |r| {
            if let Reply::UpdateLogged { manager_told, .. } = r {
                *manager_told = Some(UserId::new("U0MANAGER"))
            }
        },
    ];
    for (i, change) in warns.into_iter().enumerate() {
        assert!(with(change), "case {i}");
    }
}

// ---------------------------------------------------------------------------------------------
// The manager on a phone: the owner's manager a fixed `[org]` names, an old Acknowledge button
// ---------------------------------------------------------------------------------------------

/// The test config with `[org]` fixed since the trouble opened: the owner's manager is new.
fn org_fixed() -> Policy {
    Config::from_sources(
        Some(&CONFIG.replace("U0SALES = \"U0MANAGER\"", "U0SALES = \"U0NEWMGR\"")),
        &BTreeMap::new(),
    )
    .expect("the fixed config is valid")
    .policy
}

/// A trouble waiting while `[org]` was fixed: the bot started and asked the owner's new manager,
/// from outside the chain kept on the trouble, and Slack holds the DM asking them (ts "5.1").
fn asked_the_manager_org_names_now() -> Sim {
    let mut sim = Sim::ready(req("ACME"));
    sim.advance(mins(20));
    sim.config = org_fixed();
    let d = sim.feed(Input::OrgRead);
    let asked = ops(&d, Lane::Dm).into_iter().any(|op| {
        matches!(op, Op::Post { to: Dest::Dm(who), keep_as: Some(Slot::EscalationDm), .. } if who == u("U0NEWMGR"))
    });
    assert!(asked, "{:?}", d.deliveries);
    assert_eq!(sim.t.escalation.asked_outside(), Some(&u("U0NEWMGR")));
    let d = sim.feed(escalation_dm_posted("U0NEWMGR", "5.1"));
    // It asks as every other DM of the escalation does: kept, its button live.
    assert!(edits(&d).is_empty(), "{:?}", d.deliveries);
    assert_eq!(kept_dms(&sim.t), vec!["5.1"]);
    sim
}

/// The DM asking the owner's manager a fixed `[org]` names keeps its button; its answer counts
/// there, App Home lists the trouble as waiting for them, and once they acknowledge it the DM is
/// settled as the others are, naming them.
#[test]
fn the_manager_a_fixed_org_names_is_asked_as_the_chain_is() {
    let mut sim = asked_the_manager_org_names_now();
    let them = u("U0NEWMGR");
    assert!(sim.t.awaits_ack_of(&them));
    assert!(sim.t.is_asking_dm_thread(&Ts::new("5.1")));
    assert!(crate::trouble::home::people(&sim.t).contains(&them));
    let row = crate::trouble::home::HomeRow::of(&sim.t, &them);
    assert!(row.awaits_ack && row.manages && row.participant, "{row:?}");

    let d = sim.feed(Input::DmReply { user: them.clone() });
    assert_eq!(sim.t.ack.as_ref().map(|a| &a.by), Some(&them));
    let settled = Message::EscalationDmSettled {
        asked_again: false,
        to: Some(them.clone()),
    };
    assert!(edits(&d).contains(&("5.1".to_string(), settled)), "{:?}", d.deliveries);
    assert!(!sim.t.awaits_ack_of(&them));
}

/// Handed to another owner, whose chain `[org]` names, the manager asked from outside the old
/// chain is asked no longer: their DM says so, their answer is not taken, Home drops it.
#[test]
fn a_hand_over_stops_asking_the_manager_a_fixed_org_named_for_the_owner_before() {
    let mut sim = asked_the_manager_org_names_now();
    let them = u("U0NEWMGR");
    let d = sim.cmd("U0NEWMGR", Command::Owner(u("U0OTHERREP")));
    assert_eq!(sim.t.escalation.asked_outside(), None);
    assert!(kept_dms(&sim.t).is_empty(), "{:?}", sim.t.escalation.dms);
    let released = edits(&d);
    assert!(
        released
            .iter()
            .any(|(ts, m)| ts == "5.1" && matches!(m, Message::NoLongerManager { .. })),
        "{released:?}"
    );
    assert!(!sim.t.awaits_ack_of(&them));
    assert!(!crate::trouble::home::people(&sim.t).contains(&them));
}

/// An Acknowledge tapped on a DM after its reader left the chain (another manager named in
/// their place) names the trouble, as a late one on a closed trouble does; once someone
/// acknowledged it, the tap learns that first, rather than whom the acknowledgement is for.
#[test]
fn an_acknowledge_tapped_after_leaving_the_chain_names_its_trouble() {
    let named = OpenRequest {
        manager: Some(u("U0OTHERMGR")),
        ..req("ACME")
    };
    let mut sim = Sim::ready(named);
    sim.cmd("U0MANAGER", Command::Manager(u("U0NEWMGR")));
    assert!(!sim.t.manager_chain().contains(&u("U0OTHERMGR")));
    let named = |sim: &Sim, reply: Reply| Reply::AboutTrouble {
        id: sim.t.id.clone(),
        customer: sim.t.customer.clone(),
        reply: Box::new(reply),
    };
    let d = sim.feed(Input::Button {
        user: u("U0OTHERMGR"),
        action: ButtonAction::Acknowledge,
    });
    let refused = refuse(&sim.config, &sim.t, &u("U0OTHERMGR"), Act::Acknowledge).expect("refused");
    assert!(matches!(refused, Reply::NotAllowed { .. }), "{refused:?}");
    assert_eq!(d.reply, Some(named(&sim, refused)));
    assert_no_effect(&d, "refused");

    sim.cmd("U0NEWMGR", Command::Ack);
    let d = sim.feed(Input::Button {
        user: u("U0OTHERMGR"),
        action: ButtonAction::Acknowledge,
    });
    let already = Reply::AlreadyAcknowledged {
        by: u("U0NEWMGR"),
        you: false,
    };
    assert_eq!(d.reply, Some(named(&sim, already)));
    assert_no_effect(&d, "already acknowledged");
}

// ---------------------------------------------------------------------------------------------
// Roles: who hands a trouble over, and who confirms a measure worked
// ---------------------------------------------------------------------------------------------

/// The test org with U0JUNIOR reporting to the rep, U0SALES.
fn config_with_a_junior() -> Policy {
    let mut config = config();
    config.managers.insert(u("U0JUNIOR"), u("U0SALES"));
    config
}

/// A refusal as both locales say it.
fn said_both(reply: &Reply) -> [String; 2] {
    let config = full_config();
    [crate::i18n::Locale::En, crate::i18n::Locale::Ja].map(|l| crate::i18n::reply_text(l, &config, reply))
}

/// A colleague the rep named manager at the open acknowledges but never overrules, so they do
/// not hand the trouble over either: to the rep's own report, the rep would overrule the trouble
/// they caused (lower it, force its close); taken over by the colleague, the rep's manager would
/// leave its chain. The refusal names the rep's chain from `[org]`; their manager hands it over.
#[test]
fn a_colleague_named_manager_may_not_hand_the_trouble_over() {
    let named = OpenRequest {
        manager: Some(u("U0OTHERMGR")),
        ..req("ACME")
    };
    let mut sim = Sim::ready_with(config_with_a_junior(), named);
    sim.cmd("U0OTHERMGR", Command::Ack);
    assert_eq!(sim.t.ack.as_ref().map(|a| a.by.clone()), Some(u("U0OTHERMGR")));
    let refused = Reply::NotAllowed {
        act: Act::ChangeOwner,
        who: Who::Chain(users(&CHAIN)),
    };
    for to in ["U0JUNIOR", "U0OTHERMGR"] {
        let before = sim.t.clone();
        let d = sim.cmd("U0OTHERMGR", Command::Owner(u(to)));
        assert_eq!(d.reply, Some(refused.clone()), "{to}");
        assert_no_effect(&d, to);
        assert_eq!(sim.t, before, "{to}");
    }
    for said in said_both(&refused) {
        assert!(said.contains("<@U0MANAGER>") && !said.contains("U0OTHERMGR"), "{said}");
    }
    // The rep's manager hands it to a colleague of the rep's: it goes, to that colleague's chain.
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert!(matches!(d.reply, Some(Reply::OwnerChanged { .. })), "{:?}", d.reply);
    assert_eq!(sim.t.owner, u("U0OTHERREP"));
}

/// Handed to someone who reports to its owner, a trouble would be overruled by that owner (in
/// the new owner's chain from `[org]`): refused, even by the owner's own manager, naming who
/// overrules it now and what to do instead. At the top of `[org]`, with nobody above the owner,
/// handing it down is how it gets a chain at all, and goes.
#[test]
fn a_trouble_is_not_handed_to_its_owners_own_report() {
    let mut sim = Sim::ready_with(config_with_a_junior(), req("ACME"));
    let before = sim.t.clone();
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0JUNIOR")));
    let refused = Reply::HandedToOwnersReport {
        to: u("U0JUNIOR"),
        owner: u("U0SALES"),
        overruling: users(&CHAIN),
        former: false,
    };
    assert_eq!(d.reply, Some(refused.clone()));
    assert_no_effect(&d, "handed to the owner's report");
    assert_eq!(sim.t, before);
    for said in said_both(&refused) {
        assert!(
            said.contains("<@U0JUNIOR>") && said.contains("<@U0MANAGER>") && said.contains("`/trouble add"),
            "{said}"
        );
    }
    // Who overrules it now is said as such, never as who may hand it over.
    let [_, ja] = said_both(&refused);
    assert!(
        ja.contains("重大度の引き下げや強制クローズができるのは <@U0MANAGER>"),
        "{ja}"
    );

    // Nobody above U0VP: their trouble handed to the rep is asked of the rep's chain, U0VP in it.
    let (mut top, _) = Sim::open(config_with_a_junior(), "U0VP", req("ACME"));
    let d = top.cmd("U0VP", Command::Owner(u("U0SALES")));
    assert!(matches!(d.reply, Some(Reply::OwnerChanged { .. })), "{:?}", d.reply);
    assert_eq!(top.t.manager_chain(), users(&CHAIN).as_slice());
}

/// That a measure worked is for those who may verify it (the chain, its departments' members),
/// never whoever did it: the owner who gave it to someone they added, who marked it done, does
/// not confirm it, nor does that colleague. A quality engineer's **Effective** is recorded.
#[test]
fn the_owner_may_not_confirm_that_a_measure_someone_they_added_did_worked() {
    use crate::trouble::facts::StepReply;
    let mut sim = sim_with_participants();
    let given = "action prevent mold temperature alarm owner:<@U0ADDED> check:+1d";
    sim.cmd("U0SALES", crate::trouble::command::parse(given).expect("an action"));
    let done = crate::trouble::command::parse("action done 1 installed").expect("a done");
    let d = sim.cmd(ADDED, done);
    assert_eq!(d.reply, Some(Reply::Step(StepReply::ActionDone { n: 1 })));
    sim.close_properly();
    sim.advance(hours(48));
    let effective = ButtonAction::Effect {
        n: 1,
        effective: true,
        round: None,
        epoch: None,
    };
    let refused = Reply::Step(StepReply::EffectIsSomeoneElses {
        n: 1,
        checkers: crate::trouble::decide::Checkers {
            chain: users(&CHAIN),
            departments: depts(&["quality"]),
            members: users(&["U0QA1", "U0QA2"]),
            owner: None,
            left_out: Box::default(),
        },
    });
    for who in ["U0SALES", ADDED] {
        let before = sim.t.clone();
        let d = sim.feed(Input::Button {
            user: u(who),
            action: effective.clone(),
        });
        assert_eq!(d.reply, Some(refused.clone()), "{who}");
        assert_no_effect(&d, who);
        assert_eq!(sim.t, before, "{who}");
    }
    for said in said_both(&refused) {
        assert!(
            said.contains("<@U0MANAGER>") && said.contains("+quality") && !said.contains("U0SALES"),
            "{said}"
        );
    }
    let recorded = Reply::Step(StepReply::EffectRecorded {
        effective: true,
        reopened: false,
    });
    assert_eq!(sim.click("U0QA1", effective), recorded);
    let judged = sim.t.substance.actions[0].judged.as_ref().map(|m| m.by.clone());
    assert_eq!(judged, Some(u("U0QA1")));
}

// ---------------------------------------------------------------------------------------------
// Stages 5 and 6 are done on what they settle

/// Stage 5 settles who is responsible: done without a split recorded, the customer's history
/// would say nothing of it to the next rep. As stage 3: the owner is told to record one; the
/// manager chain may accept a split that cannot be settled, with a reason, never without; once
/// one is recorded (and decided), anyone may mark it done, by command or by the button.
#[test]
fn stage_5_is_done_on_a_split_recorded_or_the_chains_reason() {
    use crate::trouble::facts::StepReply;
    let mut sim = Sim::ready(req("ACME"));
    let chain = sim.t.manager_chain().to_vec();
    let refused = Some(Reply::Step(StepReply::SplitUnrecorded { chain }));
    assert_done_refused_but_for_the_chains_reason(
        &mut sim,
        StageId::Split,
        &refused,
        "customer declined to discuss",
        "…",
    );
    sim.cause_found();
    for _ in 0..4 {
        sim.cmd("U0SALES", Command::Next(String::new()));
    }
    assert_eq!(sim.t.current_stage(), Some(StageId::Split));
    let d = sim.cmd("U0SALES", Command::Next("agreed verbally".into()));
    assert_eq!(d.reply, refused, "`next` on stage 5 too");
    let button = ButtonAction::CompleteStage {
        stage: Some(StageId::Split.index()),
    };
    assert_eq!(Some(sim.click("U0SALES", button)), refused, "the status's button too");
    assert_marks_done(
        &mut sim,
        "U0MANAGER",
        StageId::Split,
        "responsibility not settled: customer declined to discuss",
    );

    let mut sim = Sim::ready(req("ACME"));
    sim.settled();
    assert_marks_done(&mut sim, "U0SALES", StageId::Split, "");
}

/// Stage 6 settles who bears the cost: done with none recorded, nobody could tell "nothing to
/// pay" from "never asked". A cost of nothing (`cost 0 ours`) is the truthful record of the
/// former; the chain may accept a cost that cannot be settled, with a reason.
#[test]
fn stage_6_is_done_on_a_cost_recorded_or_the_chains_reason() {
    use crate::trouble::facts::StepReply;
    let mut sim = Sim::ready(req("ACME"));
    let chain = sim.t.manager_chain().to_vec();
    let refused = Some(Reply::Step(StepReply::CostUnrecorded { chain }));
    assert_done_refused_but_for_the_chains_reason(&mut sim, StageId::Cost, &refused, "no compensation", " ");
    assert_marks_done(
        &mut sim,
        "U0MANAGER",
        StageId::Cost,
        "customer will claim later; closing our side",
    );

    let mut sim = Sim::ready(req("ACME"));
    let none = crate::trouble::command::parse("cost 0 ours no charge").expect("no cost reads");
    let d = sim.cmd("U0SALES", none);
    assert!(
        matches!(
            d.reply,
            Some(Reply::Agreement(
                crate::trouble::approval::AgreementReply::NothingToApprove { n: 1 }
            ))
        ),
        "{:?}",
        d.reply
    );
    assert_marks_done(&mut sim, "U0SALES", StageId::Cost, "");
}

// ---------------------------------------------------------------------------------------------
// A DM asking someone to acknowledge refused for good for any reason, not only for want of
// anyone there: the chain moves at once, and the owner hears why in words fit to the refusal.

fn refused_dm(who: &str, error: &str, why: DmRefusal) -> Input {
    Input::Delivered(Outcome::PersonUnreachable {
        who: u(who),
        method: "chat.postMessage".into(),
        error: error.into(),
        why,
    })
}

/// Every post of a `PersonUnreachable`, wherever it goes: where, about whom, and why.
fn told_unreachable(d: &Decision) -> Vec<(Dest, UserId, DmRefusal, bool)> {
    d.deliveries
        .iter()
        .filter_map(|x| match &x.op {
            Op::Post {
                to,
                message: Message::PersonUnreachable {
                    who, why, nobody_above, ..
                },
                ..
            } => Some((to.clone(), who.clone(), *why, *nobody_above)),
            _ => None,
        })
        .collect()
}

fn escalation_asked(d: &Decision) -> Vec<UserId> {
    dms(d)
        .into_iter()
        .filter_map(|(who, message)| matches!(message, Message::EscalationDm { .. }).then_some(who))
        .collect()
}

#[test]
fn a_manager_the_bot_may_not_reach_is_passed_over_at_once_and_the_owner_is_told_to_reach_them() {
    for error in ["user_not_visible", "no_permission"] {
        let mut sim = Sim::ready(req("ACME"));
        let d = sim.feed(refused_dm("U0MANAGER", error, DmRefusal::NotVisible));
        assert_eq!(escalation_asked(&d), users(&["U0DIRECTOR"]), "{error}: asked at once");
        assert_eq!(sim.t.escalation.level, 1);
        assert_eq!(
            told_unreachable(&d),
            vec![(Dest::Dm(u("U0SALES")), u("U0MANAGER"), DmRefusal::NotVisible, false)],
            "{error}"
        );
        assert!(events(&d).contains(&Event::DeliveryFailed {
            method: "chat.postMessage".into(),
            error: error.into(),
            who: Some(u("U0MANAGER")),
        }));
        assert!(sim.t.escalation.unreachable.contains(&u("U0MANAGER")));
        sim.assert_chain_valid();
    }
}

#[test]
fn without_leave_to_dm_the_chain_is_walked_at_once_and_the_owner_told_once_in_the_channel() {
    let mut sim = Sim::ready(req("ACME"));
    let no_scope = |who: &str| refused_dm(who, "missing_scope", DmRefusal::AppLacksPermission);
    let d = sim.feed(no_scope("U0MANAGER"));
    assert_eq!(escalation_asked(&d), users(&["U0DIRECTOR"]), "no timeout waited out");
    assert!(
        told_unreachable(&d).is_empty(),
        "the director's DM will fail alike: not yet"
    );
    let d = sim.feed(no_scope("U0DIRECTOR"));
    assert_eq!(escalation_asked(&d), users(&["U0VP"]));
    assert!(told_unreachable(&d).is_empty());
    let d = sim.feed(no_scope("U0VP"));
    // Once, with nobody above, in the channel: a DM to the owner would fail as well.
    assert_eq!(
        told_unreachable(&d),
        vec![(Dest::TroubleChannel, u("U0VP"), DmRefusal::AppLacksPermission, true)]
    );
    assert!(dms(&d).is_empty(), "{d:?}");
    assert!(sim.t.escalation.gave_up);
    assert!(events(&d).contains(&Event::DeliveryFailed {
        method: "chat.postMessage".into(),
        error: "missing_scope".into(),
        who: Some(u("U0VP")),
    }));
    // A late failure ends there: no loop, nobody told again.
    let d = sim.feed(no_scope("U0VP"));
    assert!(
        told_unreachable(&d).is_empty() && escalation_asked(&d).is_empty(),
        "{d:?}"
    );
    // Nobody is written off: once an admin mends the install, the daily round reaches them.
    assert!(sim.t.escalation.unreachable.is_empty());
    let d = sim.fire_when_due(&sim.last_ack_timer());
    assert_eq!(escalation_asked(&d), users(&["U0MANAGER", "U0VP"]), "the daily round");
    sim.assert_chain_valid();
}

#[test]
fn without_leave_to_dm_and_with_the_channel_refused_the_owner_is_told_by_dm() {
    let no_token_type = |who: &str| refused_dm(who, "not_allowed_token_type", DmRefusal::AppLacksPermission);
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    assert!(sim.t.channel.is_none());
    sim.t.channel_refused = true;
    for who in ["U0MANAGER", "U0DIRECTOR"] {
        let d = sim.feed(no_token_type(who));
        assert!(told_unreachable(&d).is_empty(), "not for {who}: told once");
    }
    let d = sim.feed(no_token_type("U0VP"));
    assert_eq!(
        told_unreachable(&d),
        vec![(Dest::Dm(u("U0SALES")), u("U0VP"), DmRefusal::AppLacksPermission, true)]
    );
    // That DM fails alike, to the owner, whom nobody waits for: nothing more comes of it.
    let d = sim.feed(no_token_type("U0SALES"));
    assert!(d.deliveries.is_empty(), "{d:?}");
}

#[test]
fn an_action_owner_the_bot_may_not_dm_for_want_of_a_scope_is_not_handed_on_by_a_dm_that_would_fail() {
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Ack);
    sim.cmd("U0SALES", prevent("weekly mold temperature audit"));
    assert_eq!(sim.t.substance.actions.len(), 1, "an action the owner owns");
    let d = sim.feed(refused_dm("U0SALES", "missing_scope", DmRefusal::AppLacksPermission));
    assert!(
        !messages(&d)
            .iter()
            .any(|m| matches!(m, Message::WorkUnreachable { .. } | Message::OwnerUnreachable { .. })),
        "{d:?}"
    );
    let d = sim.feed(refused_dm("U0SALES", "user_not_visible", DmRefusal::NotVisible));
    assert!(
        messages(&d)
            .iter()
            .any(|m| matches!(m, Message::OwnerUnreachable { .. })),
        "the owner of the open trouble, their actions with it: {d:?}"
    );
}

#[test]
fn a_refused_dm_stored_by_the_previous_release_reads_as_no_such_person() {
    let outcome: Outcome = serde_json::from_value(serde_json::json!({
        "outcome": "person_unreachable", "who": "U0MANAGER", "method": "chat.postMessage", "error": "user_not_found"
    }))
    .unwrap();
    assert!(matches!(
        outcome,
        Outcome::PersonUnreachable {
            why: DmRefusal::NoSuchPerson,
            ..
        }
    ));
    // And writes as it did, so the previous release reads it back.
    assert!(serde_json::to_value(&outcome).unwrap().get("why").is_none());
    let message = Message::PersonUnreachable {
        who: u("U0MANAGER"),
        error: "user_not_found".into(),
        why: DmRefusal::NoSuchPerson,
        nobody_above: false,
        asked: Vec::new(),
    };
    let json = serde_json::to_value(&message).unwrap();
    assert!(json.get("why").is_none(), "{json}");
    assert_eq!(serde_json::from_value::<Message>(json).unwrap(), message);
    let seen = Outcome::PersonUnreachable {
        who: u("U0VP"),
        method: "conversations.open".into(),
        error: "user_not_visible".into(),
        why: DmRefusal::NotVisible,
    };
    let json = serde_json::to_string(&seen).unwrap();
    assert!(json.contains("\"why\":\"not_visible\""), "{json}");
}

// ---------------------------------------------------------------------------------------------
// Warnings reach the owner's own manager; a promise far off is told to them
// ---------------------------------------------------------------------------------------------

/// Opened by U0SALES naming a colleague at their own level, U0PEER, its manager: the chain is
/// U0PEER, then U0SALES's own (U0MANAGER, U0DIRECTOR, U0VP).
fn named_a_peer(level: u8) -> Sim {
    let sim = Sim::ready(OpenRequest {
        manager: Some(u("U0PEER")),
        ..sev(level, "ACME")
    });
    assert_eq!(sim.t.manager, Some(u("U0PEER")));
    sim
}

/// Who a decision mentions as manager, and as the one named beside them, in its warnings.
fn warned_in(d: &Decision) -> Vec<(UserId, Option<UserId>)> {
    messages(d)
        .into_iter()
        .filter_map(|m| match m {
            Message::Nudge(Nudge {
                manager: Some(manager),
                named,
                ..
            })
            | Message::FirstContact {
                manager: Some(manager),
                named,
                ..
            }
            | Message::OwnerAway { manager, named, .. }
            | Message::FarPromise { manager, named, .. } => Some((manager, named)),
            _ => None,
        })
        .collect()
}

/// The far promises a decision tells of: who made it, to whom it is told, beside whom.
fn far_promises(d: &Decision) -> Vec<(Dest, UserId, UserId, Option<UserId>)> {
    ops(d, Lane::Channel)
        .into_iter()
        .filter_map(|op| match op {
            Op::Post {
                to,
                message: Message::FarPromise { by, manager, named, .. },
                ..
            } => Some((to, by, manager, named)),
            _ => None,
        })
        .collect()
}

fn update_promising(next: &str) -> Command {
    Command::Update {
        text: "replacement parts ordered".into(),
        next: Some(next.into()),
    }
}

fn manager_told(d: &Decision) -> Option<UserId> {
    match &d.reply {
        Some(Reply::UpdateLogged { manager_told, .. }) => manager_told.clone(),
        other => panic!("not an update logged: {other:?}"),
    }
}

#[test]
fn a_colleague_named_manager_never_keeps_a_warning_from_the_owners_own_manager() {
    let beside = || vec![(u("U0MANAGER"), Some(u("U0PEER")))];
    // The update twice overdue (severity 2: every 4h).
    let mut sim = named_a_peer(2);
    sim.advance(hours(8));
    let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
    assert_eq!(warned_in(&d), beside(), "twice overdue");
    // Four periods: the one above the owner's manager hears, not the owner's manager by DM.
    let told = follow_ups_told(&mut sim, 2);
    assert_eq!(
        told,
        vec![(u("U0DIRECTOR"), hours(16).num_seconds())],
        "four times overdue"
    );
    // The first call missed.
    let mut sim = named_a_peer(2);
    let d = sim.feed(Input::Timer(TimerKind::FirstContact { missed: true, epoch: 0 }));
    assert_eq!(warned_in(&d), beside(), "first call missed");
    // The owner away when nudged.
    let mut sim = named_a_peer(2);
    let d = sim.feed(read_while_away("U0SALES", Absence::Sick));
    assert_eq!(warned_in(&d), beside(), "owner away");
    // "Line down" softened into "minor delay": both hear of it by DM.
    let mut sim = named_a_peer(2);
    let d = sim.cmd(
        "U0SALES",
        Command::Step(crate::trouble::facts::Step::FixSummary("minor delay".into())),
    );
    let corrected: Vec<UserId> = dms(&d)
        .into_iter()
        .filter_map(|(who, m)| matches!(m, Message::OpeningCorrectedNotice { .. }).then_some(who))
        .collect();
    assert_eq!(corrected, users(&["U0MANAGER", "U0PEER"]), "summary corrected");
    // With no chain from `[org]` for the owner, the one named is the manager, as before.
    let named = OpenRequest {
        manager: Some(u("U0PEER")),
        ..req("ACME")
    };
    let (mut sim, _) = Sim::open(config(), "U0LONER", named);
    sim.feed(channel_created(&sim.t.channel_name.clone().expect("a channel name")));
    sim.feed(posted(Slot::Kickoff, TROUBLE_CHANNEL, KICKOFF_TS));
    sim.advance(hours(8));
    let d = sim.feed(Input::Timer(TimerKind::FollowUp { epoch: 1 }));
    assert_eq!(
        warned_in(&d),
        vec![(u("U0PEER"), None)],
        "nobody above the owner in [org]"
    );
}

#[test]
fn a_promise_further_off_than_two_update_periods_is_told_to_the_owners_manager_at_once() {
    // Severity 1 (every hour): a promise ten days off is told, in the channel.
    let mut sim = Sim::ready(sev(1, "ACME"));
    let d = sim.cmd("U0SALES", update_promising("12/7 10:00"));
    let promise = sim.t.promised_next().expect("the promise is accepted");
    assert!(promise > t0() + Duration::days(9), "{promise}");
    let told = (Dest::TroubleChannel, u("U0SALES"), u("U0MANAGER"), None);
    assert_eq!(far_promises(&d), vec![told.clone()]);
    assert!(messages(&d).iter().any(|m| matches!(m,
        Message::FarPromise { promise: p, severity, ahead_secs, .. }
            if *p == promise && *severity == Severity::new(1) && *ahead_secs == (promise - t0()).num_seconds())));
    assert_eq!(manager_told(&d), Some(u("U0MANAGER")), "the answer says so");
    assert!(d.reply.as_ref().is_some_and(Reply::update_warns), "a form says it too");
    // Moved later again: told again. Brought nearer (still far): not.
    sim.advance(hours(1));
    let d = sim.cmd("U0SALES", update_promising("12/8 10:00"));
    assert_eq!(far_promises(&d), vec![told]);
    sim.advance(hours(1));
    let d = sim.cmd("U0SALES", update_promising("12/4 10:00"));
    assert_eq!(far_promises(&d), vec![]);
    assert_eq!(manager_told(&d), None);

    // Severity 3 (every day): a promise for tomorrow morning is within two periods.
    let mut sim = Sim::ready(sev(3, "ACME"));
    let d = sim.cmd("U0SALES", update_promising("tomorrow 10:00"));
    assert_eq!(far_promises(&d), vec![]);
    assert_eq!(manager_told(&d), None);

    // Made by the chain itself: they know.
    let mut sim = Sim::ready(sev(1, "ACME"));
    let d = sim.cmd("U0MANAGER", update_promising("12/7 10:00"));
    assert!(sim.t.promised_next().is_some());
    assert_eq!(far_promises(&d), vec![]);
    assert_eq!(manager_told(&d), None);

    // Made by the colleague the rep named: the owner's manager hears; the colleague, who
    // typed it, is not mentioned to themself.
    let mut sim = named_a_peer(1);
    let d = sim.cmd("U0PEER", update_promising("12/7 10:00"));
    let by_peer = (Dest::TroubleChannel, u("U0PEER"), u("U0MANAGER"), None);
    assert_eq!(far_promises(&d), vec![by_peer]);
    // Made by the rep: their manager, and the colleague beside them.
    let mut sim = named_a_peer(1);
    let d = sim.cmd("U0SALES", update_promising("12/7 10:00"));
    let beside = (Dest::TroubleChannel, u("U0SALES"), u("U0MANAGER"), Some(u("U0PEER")));
    assert_eq!(far_promises(&d), vec![beside]);
}

#[test]
fn a_severity_raised_while_a_far_promise_stands_tells_the_owners_manager_then() {
    // Severity 3: tomorrow morning (22h off) is within two days; at severity 1, not two hours.
    let mut sim = Sim::ready(sev(3, "ACME"));
    let d = sim.cmd("U0SALES", update_promising("tomorrow 10:00"));
    assert_eq!(far_promises(&d), vec![]);
    sim.advance(hours(1));
    let raise = |to: u8| Command::Severity {
        to: Severity::new(to),
        reason: "line down".into(),
    };
    let d = sim.cmd("U0SALES", raise(1));
    let told = (Dest::TroubleChannel, u("U0SALES"), u("U0MANAGER"), None);
    assert_eq!(far_promises(&d), vec![told]);
    assert!(messages(&d)
        .iter()
        .any(|m| matches!(m, Message::FarPromise { severity, .. } if *severity == Severity::new(1))));
    // A promise the chain made is theirs to know, raised or not.
    let mut sim = Sim::ready(sev(3, "ACME"));
    sim.cmd("U0MANAGER", update_promising("tomorrow 10:00"));
    let d = sim.cmd("U0SALES", raise(1));
    assert_eq!(far_promises(&d), vec![]);
}

// ---------------------------------------------------------------------------------------------
// A rejected split or cost settles nothing

/// A split or cost the chain rejected is not what the customer's history counts: stages 5 and 6
/// stay refused as if nothing were recorded, until terms are proposed again (or the chain says
/// why not).
#[test]
fn a_rejected_split_or_cost_does_not_settle_stage_5_or_6() {
    use crate::trouble::facts::StepReply;
    let mut sim = Sim::ready(req("ACME"));
    let chain = sim.t.manager_chain().to_vec();
    let split = Command::Split {
        ours: 0,
        customer: 100,
        other: 0,
        reason: "their spec".into(),
    };
    sim.cmd("U0SALES", split);
    let cost = Command::Cost {
        amount: "¥120,000".into(),
        payer: "ours".into(),
        note: "replacement lot".into(),
    };
    sim.cmd("U0SALES", cost);
    let proposals: Vec<usize> = sim.t.agreement.proposals.iter().map(|p| p.n).collect();
    assert_eq!(proposals.len(), 2, "the split and the cost are proposed");
    for n in proposals {
        sim.click("U0MANAGER", ButtonAction::Proposal { n, approve: false });
    }
    assert!(
        sim.t.split.is_some() && !sim.t.costs.is_empty(),
        "a reject leaves the terms written"
    );
    let d = sim.cmd("U0SALES", Command::Done(StageId::Split, String::new()));
    let refused = Some(Reply::Step(StepReply::SplitUnrecorded { chain: chain.clone() }));
    assert_eq!(d.reply, refused);
    let d = sim.cmd("U0SALES", Command::Done(StageId::Cost, String::new()));
    assert_eq!(d.reply, Some(Reply::Step(StepReply::CostUnrecorded { chain })));
    assert_ne!(sim.t.stage(StageId::Split).state, StageState::Done);
    assert_ne!(sim.t.stage(StageId::Cost).state, StageState::Done);
}

/// `fix cost N 0` is a correction like any, not a cost of nothing that asks nobody: lowering
/// an approved cost to nothing is the chain's to decide, the approved amount counted until then.
#[test]
fn fixing_a_cost_to_a_bare_zero_is_a_correction_the_chain_decides() {
    use crate::trouble::approval::{counted_costs, AgreementReply};
    let mut sim = Sim::ready(req("ACME"));
    let cost = Command::Cost {
        amount: "¥120,000".into(),
        payer: "ours".into(),
        note: "replacement lot".into(),
    };
    sim.cmd("U0SALES", cost);
    sim.click("U0MANAGER", ButtonAction::Proposal { n: 1, approve: true });
    let fix = crate::trouble::command::parse("fix cost 1 0 ours").expect("a bare zero reads");
    let d = sim.cmd("U0SALES", fix);
    assert!(
        matches!(d.reply, Some(Reply::Agreement(AgreementReply::Proposed { n: 2, .. }))),
        "{:?}",
        d.reply
    );
    assert_eq!(
        counted_costs(&sim.t)[0].amount,
        "¥120,000",
        "the approved amount counts meanwhile"
    );
    sim.click("U0MANAGER", ButtonAction::Proposal { n: 2, approve: true });
    let counted = counted_costs(&sim.t);
    assert!(counted.len() == 1 && counted[0].costs_nothing(), "{counted:?}");
}

// ---------------------------------------------------------------------------------------------
// Roles mended: who confirms at the top of `[org]`, former owners

/// Opened by U0VP, nobody above them, given a prevention measure `doer` owns and marks done,
/// every stage done and closed; its effectiveness check fallen due.
fn closed_at_the_top_with_a_measure_done_by(config: Policy, opened: OpenRequest, doer: &str) -> Sim {
    use crate::trouble::facts::StepReply;
    let (mut sim, _) = Sim::open(config, "U0VP", opened);
    assert!(sim.t.manager_chain().is_empty());
    let given = format!("action prevent mold temperature alarm owner:<@{doer}> check:+1d");
    sim.cmd("U0VP", crate::trouble::command::parse(&given).expect("an action"));
    let done = crate::trouble::command::parse("action done 1 installed").expect("a done");
    let d = sim.cmd(doer, done);
    assert_eq!(d.reply, Some(Reply::Step(StepReply::ActionDone { n: 1 })));
    sim.cmd("U0VP", prevent("outgoing inspection of lot markings"));
    let cause = crate::trouble::facts::Step::Cause {
        text: "mold temperature drifted".into(),
        escape: None,
    };
    sim.cmd("U0VP", Command::Step(cause));
    let split = Command::Split {
        ours: 100,
        customer: 0,
        other: 0,
        reason: "our packing".into(),
    };
    sim.cmd("U0VP", split);
    let cost = Command::Cost {
        amount: "¥0".into(),
        payer: "ours".into(),
        note: "replaced free".into(),
    };
    sim.cmd("U0VP", cost);
    for stage in StageId::all() {
        sim.cmd("U0VP", Command::Done(stage, String::new()));
    }
    let d = sim.cmd("U0VP", Command::Close("customer satisfied".into()));
    assert!(matches!(d.reply, Some(Reply::Closed { .. })), "{:?}", d.reply);
    sim.advance(hours(48));
    sim
}

/// At the top of `[org]`, with no department on the trouble, nobody but its owner could confirm
/// that a measure worked: the owner may, as they reopen it then, and it is recorded as theirs.
/// Whoever did the measure still may not, and hears that the owner confirms it.
#[test]
fn at_the_top_of_the_org_without_departments_the_owner_confirms_a_measure_worked() {
    use crate::trouble::facts::StepReply;
    let mut sim = closed_at_the_top_with_a_measure_done_by(config_with_a_junior(), req("ACME"), "U0JUNIOR");
    let effective = ButtonAction::Effect {
        n: 1,
        effective: true,
        round: None,
        epoch: None,
    };
    let refused = Reply::Step(StepReply::EffectIsSomeoneElses {
        n: 1,
        checkers: crate::trouble::decide::Checkers {
            owner: Some(u("U0VP")),
            ..Default::default()
        },
    });
    let before = sim.t.clone();
    let d = sim.feed(Input::Button {
        user: u("U0JUNIOR"),
        action: effective.clone(),
    });
    assert_eq!(d.reply, Some(refused.clone()), "whoever did it never confirms it");
    assert_no_effect(&d, "U0JUNIOR");
    assert_eq!(sim.t, before);
    for said in said_both(&refused) {
        assert!(said.contains("<@U0VP>") && !said.contains("U0JUNIOR"), "{said}");
    }
    let recorded = Reply::Step(StepReply::EffectRecorded {
        effective: true,
        reopened: false,
    });
    assert_eq!(sim.click("U0VP", effective), recorded);
    let judged = sim.t.substance.actions[0].judged.as_ref().map(|m| m.by.clone());
    assert_eq!(judged, Some(u("U0VP")), "recorded as the owner's");
}

/// At the top of `[org]`, with no department, a measure the owner did themself is checked by
/// nobody (the owner never certifies their own work): the refusals say nobody can, and why,
/// rather than naming "the manager chain", which is nobody here; nothing is recorded.
#[test]
fn a_measure_the_owner_at_the_top_did_is_refused_as_checked_by_nobody() {
    use crate::trouble::facts::StepReply;
    let mut sim = closed_at_the_top_with_a_measure_done_by(config_with_a_junior(), req("ACME"), "U0VP");
    let before = sim.t.clone();
    let verify = crate::trouble::command::parse("action verify 1 alarm sounds at 60C").expect("a verify");
    let d = sim.cmd("U0VP", verify);
    assert_eq!(d.reply, Some(Reply::Step(StepReply::OwnWork { n: 1 })));
    // Anyone else taking part who asks hears that nobody may.
    let refused = Reply::Step(StepReply::VerifyNotAllowed {
        checkers: checkers_of(&sim.config, &sim.t, &sim.t.substance.actions[0]),
    });
    let effective = ButtonAction::Effect {
        n: 1,
        effective: true,
        round: None,
        epoch: None,
    };
    let d = sim.feed(Input::Button {
        user: u("U0VP"),
        action: effective,
    });
    let unconfirmed = Reply::Step(StepReply::EffectIsSomeoneElses {
        n: 1,
        checkers: Checkers::default(),
    });
    assert_eq!(d.reply, Some(unconfirmed.clone()));
    assert_eq!(sim.t, before, "nothing recorded");
    for said in said_both(&refused).into_iter().chain(said_both(&unconfirmed)) {
        assert!(
            said.starts_with("Nobody can") || said.contains("できる人がいません"),
            "{said}"
        );
        assert!(!said.contains("manager chain") && !said.starts_with("Only"), "{said}");
    }
}

/// At the top of `[org]`, a measure done by the only member of the trouble's one department
/// would be confirmed by nobody: that member did it, and the trouble, closed, takes no other
/// department. Nobody else could confirm it, so its owner does, as with no department at all.
#[test]
fn at_the_top_of_the_org_the_owner_confirms_a_measure_the_only_other_checker_did() {
    use crate::trouble::facts::StepReply;
    let lab = "[departments.lab]\nname = \"Lab\"\nusergroup = \"S0LAB\"\nmembers = [\"U0LAB1\"]\n";
    let opened = OpenRequest {
        departments: depts(&["lab"]),
        ..req("ACME")
    };
    let mut sim = closed_at_the_top_with_a_measure_done_by(config_with(lab), opened, "U0LAB1");
    let add = Command::Add {
        users: Vec::new(),
        departments: depts(&["quality"]),
    };
    let d = sim.cmd("U0VP", add);
    assert!(matches!(d.reply, Some(Reply::AlreadyClosed { .. })), "{:?}", d.reply);
    let effective = ButtonAction::Effect {
        n: 1,
        effective: true,
        round: None,
        epoch: None,
    };
    let before = sim.t.clone();
    let d = sim.feed(Input::Button {
        user: u("U0LAB1"),
        action: effective.clone(),
    });
    let refused = Reply::Step(StepReply::EffectIsSomeoneElses {
        n: 1,
        checkers: Checkers {
            owner: Some(u("U0VP")),
            ..Default::default()
        },
    });
    assert_eq!(d.reply, Some(refused), "whoever did it never confirms it");
    assert_no_effect(&d, "U0LAB1");
    assert_eq!(sim.t, before);
    let verify = crate::trouble::command::parse("action verify 1 alarm sounds at 60C").expect("a verify");
    let d = sim.cmd("U0VP", verify);
    assert_eq!(d.reply, Some(Reply::Step(StepReply::ActionVerified { n: 1 })));
    let recorded = Reply::Step(StepReply::EffectRecorded {
        effective: true,
        reopened: false,
    });
    assert_eq!(sim.click("U0VP", effective), recorded);
}

/// The chain only goes up, for checking too: `[org]` changed to put the rep at its top, those of
/// the chain kept on their trouble now report to them, and none of them certifies the rep's
/// work. Nobody else could: the rep checks it, and the refusal names them.
#[test]
fn after_a_reorg_putting_the_owner_on_top_their_former_chain_checks_nothing() {
    use crate::trouble::facts::StepReply;
    let mut sim = Sim::ready(req("ACME"));
    let parse = |text: &str| crate::trouble::command::parse(text).expect("a command");
    sim.cmd("U0SALES", parse("action interim sort the stock owner:<@U0QA1>"));
    let d = sim.cmd("U0QA1", parse("action done 1 480 sorted"));
    assert_eq!(d.reply, Some(Reply::Step(StepReply::ActionDone { n: 1 })));
    sim.config.managers.remove(&u("U0SALES"));
    for below in CHAIN {
        sim.config.managers.insert(u(below), u("U0SALES"));
    }
    assert_eq!(sim.t.manager_chain(), users(&CHAIN).as_slice(), "the chain kept");
    let only_the_owner = Checkers {
        owner: Some(u("U0SALES")),
        ..Default::default()
    };
    assert_eq!(checkers(&sim.config, &sim.t), only_the_owner);
    let refused = Reply::Step(StepReply::VerifyNotAllowed {
        checkers: only_the_owner,
    });
    for who in CHAIN {
        let before = sim.t.clone();
        let d = sim.cmd(who, parse("action verify 1 counted again"));
        assert_eq!(d.reply, Some(refused.clone()), "{who}");
        assert_no_effect(&d, who);
        assert_eq!(sim.t, before, "{who}");
    }
    for said in said_both(&refused) {
        assert!(said.contains("<@U0SALES>") && !said.contains("U0MANAGER"), "{said}");
    }
    let d = sim.cmd("U0SALES", parse("action verify 1 counted again"));
    assert_eq!(d.reply, Some(Reply::Step(StepReply::ActionVerified { n: 1 })));
}

/// Handed on by its owner's manager to a colleague, then on to a report of the first owner's, a
/// trouble would be overruled by whoever first owned it (in the new owner's chain from `[org]`):
/// refused, naming them as who owned it before. Whoever owned it never overrules it (lowers it,
/// forces its close) nor checks its work, wherever `[org]` puts them later.
#[test]
fn a_former_owner_never_comes_to_overrule_the_trouble_they_owned() {
    let mut sim = Sim::ready_with(config_with_a_junior(), req("ACME"));
    let d = sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert!(matches!(d.reply, Some(Reply::OwnerChanged { .. })), "{:?}", d.reply);
    assert_eq!(sim.t.former_owners, users(&["U0SALES"]));
    let before = sim.t.clone();
    let overruling = crate::trouble::decide::chain_for(&sim.config, &u("U0OTHERREP"), None);
    assert!(!overruling.contains(&u("U0SALES")));
    let d = sim.cmd("U0OTHERMGR", Command::Owner(u("U0JUNIOR")));
    let refused = Reply::HandedToOwnersReport {
        to: u("U0JUNIOR"),
        owner: u("U0SALES"),
        overruling,
        former: true,
    };
    assert_eq!(d.reply, Some(refused.clone()));
    assert_no_effect(&d, "handed to a former owner's report");
    assert_eq!(sim.t, before);
    let [en, ja] = said_both(&refused);
    assert!(en.contains("<@U0SALES>, who owned it before"), "{en}");
    assert!(ja.contains("以前の担当者 <@U0SALES>"), "{ja}");

    // `[org]` changed since: the first owner now manages the new owner. They do not overrule.
    sim.config.managers.insert(u("U0OTHERREP"), u("U0SALES"));
    let lower = Command::Severity {
        to: Severity::new(3),
        reason: "minor after all".into(),
    };
    let d = sim.cmd("U0SALES", lower);
    assert!(matches!(d.reply, Some(Reply::NotAllowed { .. })), "{:?}", d.reply);
    assert_eq!(sim.t.severity, before.severity);
    assert!(!crate::trouble::decide::overruling_chain(&sim.config, &sim.t).contains(&u("U0SALES")));
    assert!(!crate::trouble::decide::checkers(&sim.config, &sim.t).includes(&u("U0SALES")));
}

/// Named manager of the trouble they owned, or their report named, whoever owned it before
/// would acknowledge and close it: refused, as for the owner, and nothing changes.
#[test]
fn a_former_owner_or_their_report_is_not_named_manager() {
    let mut sim = Sim::ready_with(config_with_a_junior(), req("ACME"));
    sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert_eq!(sim.t.owner, u("U0OTHERREP"));
    for named in ["U0SALES", "U0JUNIOR"] {
        let before = sim.t.clone();
        let d = sim.cmd("U0OTHERMGR", Command::Manager(u(named)));
        let refused = Reply::ManagerOwnedItBefore {
            manager: u(named),
            former: u("U0SALES"),
        };
        assert_eq!(d.reply, Some(refused.clone()), "{named}");
        // Said as what it is: the former owner is never told they report to themself.
        for text in said_both(&refused) {
            assert!(!text.contains("<@U0SALES> reports to <@U0SALES>"), "{text}");
            assert!(text.contains("U0SALES"), "{text}");
        }
        assert_no_effect(&d, named);
        assert_eq!(sim.t, before, "{named}");
    }
}

// ---------------------------------------------------------------------------------------------
// The DM refusals mended: what the customer may read, and who hears of whom.
// ---------------------------------------------------------------------------------------------

/// The notice that the app may DM nobody names the chain and the install to mend: internal, so
/// a trouble's channel shared with the customer never reads it (kept to withdraw should it be
/// shared later), and the copy held from it goes to the owner by DM as other held lines do.
#[test]
fn the_notice_that_nobody_can_be_dmed_is_for_the_team_alone() {
    let mut sim = Sim::ready(req("ACME"));
    let no_scope = |who: &str| refused_dm(who, "missing_scope", DmRefusal::AppLacksPermission);
    sim.feed(no_scope("U0MANAGER"));
    sim.feed(no_scope("U0DIRECTOR"));
    let d = sim.feed(no_scope("U0VP"));
    let notice = messages(&d)
        .into_iter()
        .find(|m| matches!(m, Message::PersonUnreachable { .. }))
        .expect("told in the channel");
    assert!(outside::for_the_team_alone(&notice), "{notice:?}");
    let d = sim.feed(Input::Delivered(Outcome::FollowUpHeld {
        message: notice.clone(),
    }));
    assert_eq!(dms(&d), vec![(u("U0SALES"), notice)]);
}

/// A channel still being made is no channel refused: the notice waits for it in the outbox
/// rather than going by a DM that fails alike.
#[test]
fn without_leave_to_dm_a_channel_being_made_is_told_once_it_is() {
    let no_scope = |who: &str| refused_dm(who, "missing_scope", DmRefusal::AppLacksPermission);
    let (mut sim, _) = Sim::open(config(), "U0SALES", req("ACME"));
    assert!(sim.t.channel.is_none() && !sim.t.channel_refused);
    sim.feed(no_scope("U0MANAGER"));
    sim.feed(no_scope("U0DIRECTOR"));
    let d = sim.feed(no_scope("U0VP"));
    assert_eq!(
        told_unreachable(&d),
        vec![(Dest::TroubleChannel, u("U0VP"), DmRefusal::AppLacksPermission, true)]
    );
}

// ---------------------------------------------------------------------------------------------
// The manager a fixed `[org]` names is asked wherever the chain is (mends of the `phone` work)
// ---------------------------------------------------------------------------------------------

/// A manager named while the owner's manager a fixed `[org]` names is asked from outside the
/// chain takes them into it (behind the one named): they are still asked, as their DM says, and
/// the escalation goes on from them. Their answer counts, Home lists it, the status names them.
#[test]
fn naming_a_manager_keeps_asking_the_manager_a_fixed_org_names() {
    let mut sim = asked_the_manager_org_names_now();
    let them = u("U0NEWMGR");
    // The chain kept since opening may still name a manager (`who_may`, NameManager).
    let d = sim.cmd("U0MANAGER", Command::Manager(u("U0OTHERMGR")));
    assert_eq!(sim.t.manager_chain(), &[u("U0OTHERMGR"), them.clone()]);
    assert!(sim.t.escalation.asks(&them), "{:?}", sim.t.escalation);
    assert!(sim.t.awaits_ack_of(&them));
    assert_eq!(kept_dms(&sim.t), vec!["5.1"]);
    assert!(!edits(&d).iter().any(|(ts, _)| ts == "5.1"), "{:?}", d.deliveries);
    assert!(crate::trouble::home::people(&sim.t).contains(&them));
    assert!(sim.t.escalation.asked_now().contains(&them), "{:?}", sim.t.escalation);
    // The one named is new to it, and asked.
    assert!(
        dms(&d).iter().any(|(who, _)| *who == u("U0OTHERMGR")),
        "{:?}",
        d.deliveries
    );

    sim.feed(Input::DmReply { user: them.clone() });
    assert_eq!(sim.t.ack.as_ref().map(|a| &a.by), Some(&them));
}

/// `[org]` fixed again since the owner's manager it named was asked from outside the chain:
/// back to the manager the chain holds, or on to a third person. The start lets the one asked
/// before go (they may no longer acknowledge): their DM loses its button, Home and a DM answer
/// no longer take it for theirs; a third person is asked in their place.
#[test]
fn org_fixed_again_lets_go_of_the_manager_it_named_before() {
    let them = u("U0NEWMGR");
    for (org, third) in [("U0MANAGER", None), ("U0THIRD", Some(u("U0THIRD")))] {
        let mut sim = asked_the_manager_org_names_now();
        sim.config = Config::from_sources(
            Some(&CONFIG.replace("U0SALES = \"U0MANAGER\"", &format!("U0SALES = \"{org}\""))),
            &BTreeMap::new(),
        )
        .expect("the fixed config is valid")
        .policy;
        // The start reads the trouble: its summary says whom it asked from outside the chain.
        let summary = crate::trouble::model::TroubleSummary::from(&sim.t);
        assert!(super::org_may_name_someone_new(&sim.config, &summary), "{org}");
        let d = sim.feed(Input::OrgRead);
        assert!(!sim.t.escalation.asks(&them), "{org}");
        assert!(!sim.t.awaits_ack_of(&them), "{org}");
        assert!(!crate::trouble::home::people(&sim.t).contains(&them), "{org}");
        let settled = Message::EscalationDmSettled {
            asked_again: false,
            to: None,
        };
        assert!(
            edits(&d).contains(&("5.1".to_string(), settled)),
            "{org}: {:?}",
            d.deliveries
        );
        assert_eq!(sim.t.escalation.asked_outside(), third.as_ref(), "{org}");
        let asked: Vec<UserId> = dms(&d).into_iter().map(|(who, _)| who).collect();
        assert_eq!(asked, third.into_iter().collect::<Vec<_>>(), "{org}");
        assert!(!kept_dms(&sim.t).contains(&"5.1"), "{org}");
    }
}

/// Someone whose DM answer reaches a trouble they may not acknowledge (the chain kept on it
/// asks them, a reorg since puts them below its owner) hears the refusal a tap on the button
/// gets, naming the trouble and who may, in both locales: never nothing at all.
#[test]
fn a_dm_answer_by_someone_who_may_not_acknowledge_is_answered() {
    let mut sim = Sim::ready(req("ACME"));
    let d = sim.feed(Input::DmReply { user: u("U0OTHERMGR") });
    assert!(sim.t.ack.is_none());
    assert_eq!(dms(&d), vec![(u("U0OTHERMGR"), Message::AckRefusedInDm)]);
    let config = full_config();
    for l in [crate::i18n::Locale::En, crate::i18n::Locale::Ja] {
        let text = crate::i18n::render(l, &config, &sim.t, &Message::AckRefusedInDm).text;
        assert!(text.contains(sim.t.id.as_str()) && text.contains("U0MANAGER"), "{text}");
    }
}

/// The owner's manager a fixed `[org]` names, asked from outside the chain, leaving the
/// trouble's channel while nobody has acknowledged it is added back, as anyone asked is: the
/// escalation's mentions there are how the channel reaches them.
#[test]
fn the_manager_a_fixed_org_names_is_added_back_when_they_leave_the_channel() {
    let mut sim = asked_the_manager_org_names_now();
    let them = u("U0NEWMGR");
    let d = sim.feed(Input::MemberLeft { user: them.clone() });
    let added_back = Message::AddedBack {
        user: them.clone(),
        owner: false,
        asked: true,
    };
    assert!(messages(&d).contains(&added_back), "{:?}", d.deliveries);
}

/// A cost over the limit goes to the owner's chain from `[org]`: the manager a fixed `[org]`
/// names, asked from outside the trouble's chain and brought into the channel then, is asked
/// by DM to decide it, and not invited again.
#[test]
fn the_manager_a_fixed_org_names_deciding_a_cost_is_not_invited_again() {
    let mut sim = asked_the_manager_org_names_now();
    let them = u("U0NEWMGR");
    sim.config
        .approval_limits
        .insert(crate::trouble::money::Currency::Jpy, 100_000);
    let d = sim.cmd(
        "U0SALES",
        Command::Cost {
            amount: "¥120,000".into(),
            payer: "ours".into(),
            note: "replacement shipping".into(),
        },
    );
    assert!(dms(&d).iter().any(|(who, _)| *who == them), "{:?}", d.deliveries);
    assert!(!invited(&d).contains(&them), "{:?}", d.deliveries);
}

#[test]
fn a_hand_over_to_someone_away_is_told_to_the_owners_manager_and_the_colleague_named() {
    let handed_away = |by: &str| {
        Input::Delivered(Outcome::ReaderAway {
            posted: None,
            who: u("U0OTHERREP"),
            away: Away {
                why: Absence::Vacation,
                until: None,
            },
            reading: Some(AwayReading::HandedOver { by: u(by) }),
        })
    };
    let asked = |d: &Decision| -> Vec<(Option<UserId>, Option<UserId>)> {
        messages(d)
            .into_iter()
            .filter_map(|m| match m {
                Message::HandedToAway { manager, named, .. } => Some((manager, named)),
                _ => None,
            })
            .collect()
    };
    // The rep's manager hands it to a rep of another team, away: the new owner's own manager
    // hears, and the colleague the rep named, who is first in the chain.
    let mut sim = named_a_peer(2);
    sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert_eq!(sim.t.owner, u("U0OTHERREP"));
    assert_eq!(sim.t.manager_chain().first(), Some(&u("U0PEER")));
    let d = sim.feed(handed_away("U0MANAGER"));
    assert_eq!(asked(&d), vec![(Some(u("U0OTHERMGR")), Some(u("U0PEER")))]);
    assert_eq!(ops(&d, Lane::Channel).len(), 1, "one line, in the channel");
    // The one handing it over is not mentioned twice.
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    let d = sim.feed(handed_away("U0MANAGER"));
    let (manager, named) = asked(&d).pop().expect("told");
    assert_eq!(manager, Some(u("U0OTHERMGR")));
    assert_ne!(named, Some(u("U0MANAGER")));
}

#[test]
fn a_far_promise_is_counted_in_working_time() {
    let config = config_with("[business_hours]\nopen = \"09:00\"\nclose = \"18:00\"\n");
    // Severity 1 (every hour), Friday 17:30 JST: Monday 09:30 is one working hour off, though
    // two days and a half away.
    let mut sim = Sim::ready_with(config.clone(), sev(1, "ACME"));
    sim.now = at("2026-11-27T08:30:00Z");
    let d = sim.cmd("U0SALES", update_promising("11/30 09:30"));
    assert_eq!(sim.t.promised_next(), Some(at("2026-11-30T00:30:00Z")));
    assert_eq!(far_promises(&d), vec![]);
    assert_eq!(manager_told(&d), None);
    // Three working days off: told.
    let mut sim = Sim::ready_with(config, sev(1, "ACME"));
    sim.now = at("2026-11-27T08:30:00Z");
    let d = sim.cmd("U0SALES", update_promising("12/2 10:00"));
    assert_eq!(sim.t.promised_next(), Some(at("2026-12-02T01:00:00Z")));
    let told = (Dest::TroubleChannel, u("U0SALES"), u("U0MANAGER"), None);
    assert_eq!(far_promises(&d), vec![told]);
}

#[test]
fn an_owner_away_or_unreachable_with_work_to_hand_on_is_told_to_the_owners_manager_and_the_colleague() {
    let away = |who: &str, reading: AwayReading| {
        Input::Delivered(Outcome::ReaderAway {
            posted: None,
            who: u(who),
            away: Away {
                why: Absence::Sick,
                until: None,
            },
            reading: Some(reading),
        })
    };
    let told = |d: &Decision| -> Vec<UserId> {
        dms(d)
            .into_iter()
            .filter_map(|(who, m)| {
                matches!(
                    m,
                    Message::ActionOwnerAway { .. }
                        | Message::WorkUnreachable { .. }
                        | Message::OwnerUnreachable { .. }
                )
                .then_some(who)
            })
            .collect()
    };
    let both = users(&["U0MANAGER", "U0PEER"]);
    // The owner's own action's reminder read while they are away.
    let mut sim = named_a_peer(2);
    sim.cmd("U0SALES", prevent("weekly mold temperature audit"));
    let d = sim.feed(away("U0SALES", AwayReading::ActionReminder { n: 1 }));
    assert_eq!(told(&d), both, "the owner's action, the owner away");
    // A colleague's action: the owner hears; the owner away too, the managers then.
    let mut sim = named_a_peer(2);
    sim.cmd("U0SALES", prevent("weekly mold temperature audit owner:<@U0QA1>"));
    assert_eq!(sim.t.substance.actions[0].owner, u("U0QA1"));
    let d = sim.feed(away("U0QA1", AwayReading::ActionReminder { n: 1 }));
    assert_eq!(told(&d), users(&["U0SALES"]));
    let d = sim.feed(away("U0SALES", AwayReading::ActionOwnerAway { n: 1 }));
    assert_eq!(told(&d), both, "the owner away as well");
    // The owner no longer reachable by DM, with an action of their own.
    let mut sim = named_a_peer(2);
    sim.cmd("U0SALES", prevent("weekly mold temperature audit"));
    let d = sim.feed(refused_dm("U0SALES", "user_not_visible", DmRefusal::NotVisible));
    assert_eq!(told(&d), both, "the owner unreachable");
}

/// The owner unreachable, with `[org]` giving them a manager (U0MANAGER) and a colleague named
/// beside them (U0PEER): both hear it, yet only the owner's manager may hand the trouble over
/// (`who_may`), so the ask names them alone and the colleague reads it for information, in both
/// locales: never asked to type a command that would refuse them.
#[test]
fn the_owner_unreachable_notice_asks_the_hand_over_of_whoever_may_do_it() {
    let mut sim = named_a_peer(2);
    let d = sim.feed(refused_dm("U0SALES", "user_not_visible", DmRefusal::NotVisible));
    assert!(may(&sim.config, &sim.t, &u("U0MANAGER"), Act::ChangeOwner));
    assert!(!may(&sim.config, &sim.t, &u("U0PEER"), Act::ChangeOwner));
    let notice = messages(&d)
        .into_iter()
        .find(|m| matches!(m, Message::OwnerUnreachable { .. }))
        .expect("the notice");
    let config = full_config();
    for (l, asked, not_asked, fyi) in [
        (
            crate::i18n::Locale::En,
            "<@U0MANAGER>, please tell them yourself",
            "<@U0PEER>, please",
            "(<@U0PEER>: for your information.)",
        ),
        (
            crate::i18n::Locale::Ja,
            "<@U0MANAGER>さん 直接伝えるか",
            "<@U0PEER>さん 直接",
            "（<@U0PEER>さんにも参考までにお知らせしています）",
        ),
    ] {
        let text = crate::i18n::render(l, &config, &sim.t, &notice).text;
        assert!(text.contains(asked) && text.contains(fyi), "{text}");
        assert!(
            !text.contains(not_asked) && !text.contains("<@U0MANAGER> <@U0PEER>"),
            "{text}"
        );
    }
}

/// An owner marked unreachable starts fresh once the trouble is handed over: the new owner is
/// DMed as ever, and so is the first should it be handed back to them.
#[test]
fn a_hand_over_clears_the_owners_marked_unreachable() {
    let mut sim = Sim::ready(req("ACME"));
    sim.feed(refused_dm("U0SALES", "user_not_visible", DmRefusal::NotVisible));
    assert_eq!(sim.t.unreachable_owners, vec![u("U0SALES")]);
    sim.cmd("U0MANAGER", Command::Owner(u("U0COLLEAGUE")));
    assert_eq!(sim.t.owner, u("U0COLLEAGUE"));
    assert!(sim.t.unreachable_owners.is_empty(), "{:?}", sim.t.unreachable_owners);
}

// ---------------------------------------------------------------------------------------------
// Who owned a trouble before is kept as its timeline tells it

/// The former owners decide who may never overrule a trouble, so `verify` holds the record to its
/// hand-overs: a name put in or taken out is found; an empty list is what a record an earlier
/// release kept (it named none) and agrees.
#[test]
fn the_former_owners_a_record_names_are_those_its_hand_overs_tell() {
    use crate::trouble::replay::{differs, Fact};
    let mut sim = Sim::ready(req("ACME"));
    sim.cmd("U0MANAGER", Command::Owner(u("U0OTHERREP")));
    assert_eq!(sim.t.former_owners, vec![u("U0SALES")]);
    let mut rewritten = sim.t.clone();
    rewritten.former_owners = vec![u("U0DIRECTOR")];
    assert_eq!(differs(&rewritten, &sim.entries), Some(Fact::Owner), "one swapped");
    rewritten.former_owners = vec![u("U0SALES"), u("U0DIRECTOR")];
    assert_eq!(differs(&rewritten, &sim.entries), Some(Fact::Owner), "one put in");
    rewritten.former_owners = Vec::new();
    assert_eq!(differs(&rewritten, &sim.entries), None, "an earlier release's record");
}

/// `in_org_chain` answers as `chain_for(..).contains(..)` does, without building the chain:
/// through the default manager, past the top, and in a loop of `[org]`.
#[test]
fn in_org_chain_agrees_with_the_chain_built() {
    let mut policy = crate::trouble::policy::Policy::default();
    for (report, boss) in [("U1", "U2"), ("U2", "U3"), ("U3", "U4"), ("L1", "L2"), ("L2", "L1")] {
        policy.managers.insert(u(report), u(boss));
    }
    let people = ["U1", "U2", "U3", "U4", "U5", "L1", "L2", "D"];
    for default in [None, Some(u("D"))] {
        policy.default_manager = default;
        for owner in people {
            for user in people {
                let built = chain_for(&policy, &u(owner), None).contains(&u(user));
                assert_eq!(in_org_chain(&policy, &u(owner), &u(user)), built, "{owner} {user}");
            }
        }
    }
}
