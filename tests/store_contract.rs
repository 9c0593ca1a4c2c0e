//! The store seam's contract, written once and run against both backends: embedded sled and
//! PostgreSQL (a throwaway cluster, tests/pg/mod.rs). Whatever the engine, the deliverer and
//! the timer loop rely on is here.

mod pg;
#[path = "common/sled_db.rs"]
mod sled_db;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sled_db::sled_db;
use trouble_bot::config::Config;
use trouble_bot::store::{Skip, Store, ATTEMPT_COVERED};
use trouble_bot::trouble::command::OpenRequest;
use trouble_bot::trouble::decide::{self, Ctx, Decision, Delivery, Dest, Input, Lane, Message, Op, Outcome};
use trouble_bot::trouble::digest::DmRefused;
use trouble_bot::trouble::model::{ChannelId, Closure, Origin, Severity, Trouble, TroubleId, UserId};

const DAY: &str = "20261130";
const LEASE: Duration = Duration::from_secs(30);

/// A store on `backend`, empty; `also` is a second instance on the same data where the
/// backend has instances (PostgreSQL), else the same store again.
async fn stores(backend: &str) -> (Store, Store, Option<tempfile::TempDir>) {
    match backend {
        "sled" => {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open_sled(dir.path()).unwrap();
            (store.clone(), store, Some(dir))
        }
        _ => {
            let url = pg::fresh_database();
            let a = Store::connect_postgres(&url, "instance-a", LEASE).await.unwrap();
            let b = Store::connect_postgres(&url, "instance-b", LEASE).await.unwrap();
            (a, b, None)
        }
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-30T01:00:00Z".parse().unwrap()
}

fn config() -> Config {
    Config::from_sources(None, &Default::default()).unwrap()
}

fn request(severity: u8) -> OpenRequest {
    OpenRequest {
        severity: Some(Severity::new(severity)),
        manager: Some(UserId::new("U0MGR")),
        departments: vec![],
        customer: "ACME".into(),
        summary: "cracked housing".into(),
        past: vec![],
    }
}

async fn open(store: &Store, key: &str, severity: u8) -> Result<Decision, Skip> {
    let config = config();
    let ctx = Ctx {
        policy: &config.policy,
        now: now(),
    };
    store
        .open_trouble(DAY, &[key], now(), |id, seq| {
            let origin = Origin {
                channel: ChannelId::new("C0ORIGIN"),
                response_url: None,
                by: None,
            };
            decide::open(&ctx, id, seq, UserId::new("U0SALES"), origin, request(severity))
        })
        .await
        .expect("the store answers")
}

async fn opens_number_the_day_and_skip_a_request_seen_before(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    // A refusal writes nothing and uses up no number.
    assert!(open(&store, "sig:refused", 9).await.is_ok_and(|d| d.trouble.is_none()));
    let first = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let second = open(&other, "sig:b", 1).await.unwrap().trouble.unwrap();
    assert_eq!(first.id.as_str(), "20261130-1");
    assert_eq!(second.id.as_str(), "20261130-2");
    // The same request again, through either instance, is skipped.
    assert!(matches!(open(&other, "sig:a", 1).await, Err(Skip::Duplicate)));
    assert!(matches!(open(&store, "sig:b", 1).await, Err(Skip::Duplicate)));
    assert_eq!(store.counts().await.unwrap().troubles, 2);
}

async fn a_decision_is_stored_whole_with_its_entries_calls_and_timers(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let decision = open(&store, "sig:a", 1).await.unwrap();
    let t = decision.trouble.clone().unwrap();
    assert!(!decision.entries.is_empty() && !decision.deliveries.is_empty() && !decision.timers.is_empty());
    let read = other.get(&t.id).await.unwrap().expect("the trouble is stored");
    assert_eq!(read.id, t.id);
    assert_eq!(other.timeline(&t.id).await.unwrap().len(), decision.entries.len());
    assert_eq!(other.outbox_items().await.unwrap().len(), decision.deliveries.len());
    let counts = other.counts().await.unwrap();
    assert_eq!(counts.timers as usize, decision.timers.len());
    let earliest = decision.timers.iter().map(|t| t.due).min();
    assert_eq!(other.next_timer_due(t.opened_at).await.unwrap(), earliest);
    assert!(other.open_summaries().await.unwrap().iter().any(|s| s.id == t.id));
    assert_eq!(other.all_troubles().await.unwrap().len(), 1);
}

async fn a_lane_head_is_claimed_by_one_instance_and_its_outcome_leaves_with_the_decision(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let lanes = store.lanes_with_work().await.unwrap();
    assert!(!lanes.is_empty());
    let lane = lanes
        .iter()
        .find(|l| l.as_str().starts_with(t.id.as_str()))
        .expect("the trouble's lane")
        .clone();
    let claim = store.claim_lane_head(&lane, now()).await.unwrap().expect("a head");
    assert!(!claim.reclaimed);
    assert_eq!(claim.item.lane_key(), lane);
    if store.is_shared() {
        // Another instance does not get it while the lease runs, then does, told it may have gone out.
        assert!(other.claim_lane_head(&lane, now()).await.unwrap().is_none());
        assert!(!other.claimable(&lane, now()).await.unwrap());
        let later = now() + chrono::Duration::from_std(LEASE * 2).unwrap();
        let taken = other
            .claim_lane_head(&lane, later)
            .await
            .unwrap()
            .expect("the lapsed claim");
        assert!(taken.reclaimed);
        assert!(!store.renew(&claim, later).await.unwrap(), "the first instance lost it");
        assert!(!store.mark_attempt(&claim, later).await.unwrap());
        assert!(other.mark_attempt(&taken, later).await.unwrap());
    } else {
        // Later than the item's own cover (see the next test), so the attempt is recorded.
        let later = now() + ATTEMPT_COVERED + chrono::Duration::seconds(1);
        assert!(store.mark_attempt(&claim, later).await.unwrap());
    }
    let attempted = store.outbox_items().await.unwrap();
    assert!(attempted
        .iter()
        .any(|i| i.id == claim.item.id && i.attempt_started_at.is_some()));
    // The outcome is decided and the item removed in one write.
    let before = store.outbox_items().await.unwrap().len();
    let config = config();
    let ctx = Ctx {
        policy: &config.policy,
        now: now(),
    };
    let outcome = Outcome::ChannelCreated {
        channel: ChannelId::new("C0TROUBLE"),
        name: "trouble-acme".into(),
    };
    let decision = store
        .transact(&t.id, &[], Some(&claim.item), now(), |t| {
            decide::decide(&ctx, t, Input::Delivered(outcome.clone()))
        })
        .await
        .unwrap()
        .unwrap();
    let after = store.outbox_items().await.unwrap();
    assert!(after.iter().all(|i| i.id != claim.item.id));
    assert_eq!(after.len(), before - 1 + decision.deliveries.len());
    assert_eq!(
        other.by_channel(&ChannelId::new("C0TROUBLE")).await.unwrap(),
        Some(t.id.clone())
    );
    // The channel deleted and a new one made: only the new one leads to the trouble.
    for input in [
        Input::ChannelDeleted { by: None },
        Input::Delivered(Outcome::ChannelCreated {
            channel: ChannelId::new("C0AGAIN"),
            name: "trouble-acme".into(),
        }),
    ] {
        store
            .transact(&t.id, &[], None, now(), |t| decide::decide(&ctx, t, input.clone()))
            .await
            .unwrap()
            .unwrap();
    }
    for (channel, leads_to) in [("C0TROUBLE", None), ("C0AGAIN", Some(t.id.clone()))] {
        assert_eq!(
            other.by_channel(&ChannelId::new(channel)).await.unwrap(),
            leads_to,
            "{channel}"
        );
    }
    // Read with others (history, App Home), a trouble reads as it does alone: with its channel,
    // which its tracking record holds.
    let alone = other.get(&t.id).await.unwrap().expect("stored");
    let many = other.get_many(std::slice::from_ref(&t.id)).await.unwrap();
    assert_eq!(many[0].channel, Some(ChannelId::new("C0AGAIN")));
    assert_eq!(many, vec![(*alone).clone()]);
    let judged = other
        .which_of(vec![t.id.clone()], |t| t.channel.is_some())
        .await
        .unwrap();
    assert!(judged.contains(&t.id), "judged with its channel");
}

async fn a_call_begun_at_once_reads_as_attempted_after_a_restart(backend: &str) {
    let (store, other, dir) = stores(backend).await;
    let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let lane = trouble_bot::store::LaneKey::of(Some(&t.id), Lane::Dm);
    let claim = store.claim_lane_head(&lane, now()).await.unwrap().expect("the DM");
    assert!(matches!(claim.item.op, Op::Post { .. }));
    // The call leaves as soon as it was queued: on sled the item is its own attempt record.
    assert!(store.mark_attempt(&claim, now()).await.unwrap());
    let again = if store.is_shared() {
        // Its instance dies: another takes the call once the lease has run out.
        let later = now() + chrono::Duration::from_std(LEASE * 2).unwrap();
        other
            .claim_lane_head(&lane, later)
            .await
            .unwrap()
            .expect("the lapsed claim")
    } else {
        drop((store, other));
        let dir = dir.expect("sled's directory");
        let store = reopen_sled(dir.path()).await;
        store
            .claim_lane_head(&lane, now())
            .await
            .unwrap()
            .expect("the DM, still queued")
    };
    // The next run waits out an attempt begun no earlier than this, and looks before posting.
    assert!(
        again.item.attempt_started_at.is_some_and(|at| at >= now()),
        "{:?}",
        again.item.attempt_started_at
    );
}

/// sled: a clean stop vouches that the calls it left queued never left, so the next run sends
/// them without looking for them in Slack; a later run that begins one and crashes leaves a
/// record of it all the same, even within `ATTEMPT_COVERED` of its queueing.
#[tokio::test]
async fn on_sled_a_call_a_clean_stop_left_queued_reads_as_never_begun_until_a_later_run_begins_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sled(dir.path()).unwrap();
    let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let lane = trouble_bot::store::LaneKey::of(Some(&t.id), Lane::Dm);
    store.stopped_cleanly().await.unwrap();
    drop(store);
    let store = reopen_sled(dir.path()).await;
    let claim = store.claim_lane_head(&lane, now()).await.unwrap().expect("the DM");
    assert_eq!(claim.item.attempt_started_at, None, "never begun: not looked for");
    assert!(store.mark_attempt(&claim, now()).await.unwrap());
    drop(store);
    let store = reopen_sled(dir.path()).await;
    let again = store
        .claim_lane_head(&lane, now())
        .await
        .unwrap()
        .expect("still queued");
    assert_eq!(
        again.item.attempt_started_at,
        Some(now()),
        "begun after the clean stop: waited out and looked for"
    );
}

async fn a_due_timer_is_claimed_once_and_fires_once(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let decision = open(&store, "sig:a", 1).await.unwrap();
    let due = decision.timers.iter().map(|t| t.due).min().unwrap();
    let before = due - chrono::Duration::seconds(1);
    assert!(store.claim_due_timers(before, 16).await.unwrap().is_empty());
    let claimed = store.claim_due_timers(due, 16).await.unwrap();
    assert!(!claimed.is_empty());
    if store.is_shared() {
        assert!(
            other.claim_due_timers(due, 16).await.unwrap().is_empty(),
            "claimed twice"
        );
    }
    let config = config();
    let ctx = Ctx {
        policy: &config.policy,
        now: due,
    };
    let timer = &claimed[0];
    let fire = |s: Store| {
        let timer = timer.clone();
        let ctx = &ctx;
        async move {
            s.fire_timer(&timer, due, |t| {
                decide::decide(ctx, t, Input::Timer(timer.kind.clone()))
            })
            .await
            .unwrap()
        }
    };
    let first = fire(store.clone()).await;
    let second = fire(other.clone()).await;
    assert!(first.trouble.is_some() || !first.entries.is_empty() || !first.deliveries.is_empty());
    assert!(second.trouble.is_none() && second.entries.is_empty() && second.deliveries.is_empty());
}

async fn a_request_key_is_remembered_once_until_pruned(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    assert!(store.remember_key("event:Ev1", now()).await.unwrap());
    assert!(!other.remember_key("event:Ev1", now()).await.unwrap());
    assert_eq!(store.prune_keys(now() + chrono::Duration::seconds(1)).await.unwrap(), 1);
    assert!(other.remember_key("event:Ev1", now()).await.unwrap());
    // A key remembered with a decision skips the same request through the engine's path too.
    let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let config = config();
    let ctx = Ctx {
        policy: &config.policy,
        now: now(),
    };
    let again = other
        .transact(&t.id, &["sig:a"], None, now(), |t| {
            decide::decide(&ctx, t, Input::Timer(decide::TimerKind::AckTimeout { round: 0 }))
        })
        .await
        .unwrap();
    assert!(matches!(again, Err(Skip::Duplicate)));
}

/// An answer that belongs to no trouble (in someone's DM) is queued with its event's key: the
/// same event again, on any instance, queues nothing more.
async fn an_answer_to_an_event_is_queued_once(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let answer = Decision {
        deliveries: vec![Delivery {
            lane: Lane::Dm,
            op: Op::Post {
                to: Dest::Dm(UserId::new("U0MGR")),
                message: Message::Text {
                    text: "not recorded".into(),
                },
                keep_as: None,
            },
        }],
        ..Decision::default()
    };
    assert!(store.answer_once("event:Ev1", now(), &answer).await.unwrap());
    assert!(!other.answer_once("event:Ev1", now(), &answer).await.unwrap());
    let lanes = store.lanes_with_work().await.unwrap();
    assert_eq!(lanes.len(), 1, "{lanes:?}");
    let claim = store
        .claim_lane_head(&lanes[0], now())
        .await
        .unwrap()
        .expect("the answer");
    assert_eq!(claim.item.op, answer.deliveries[0].op);
    assert!(
        !store.remember_key("event:Ev1", now()).await.unwrap(),
        "the key is remembered"
    );
}

async fn an_app_home_viewer_gets_one_waiting_publish(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let user = UserId::new("U0VIEWER");
    assert!(!store.home_needs_publish(&user).await.unwrap(), "not a viewer yet");
    store.mark_home_viewer(&user).await.unwrap();
    assert!(other.home_needs_publish(&user).await.unwrap());
    other
        .enqueue_loose(
            vec![Delivery {
                lane: Lane::Home,
                op: Op::PublishHome { user: user.clone() },
            }],
            now(),
        )
        .await
        .unwrap();
    assert!(!store.home_needs_publish(&user).await.unwrap(), "a publish is waiting");
}

/// Whom Slack refuses DMs is shared by the instances: recorded on one, read on the other, a
/// later refusal taking the earlier's place, and forgotten once (a DM reached them).
async fn a_refusal_of_dms_is_kept_shared_and_forgotten_once(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let (who, someone) = (UserId::new("U0GONE"), UserId::new("U0HERE"));
    assert!(store.refused_dms().await.unwrap().is_empty());
    assert!(!store.dm_reached(&who).await.unwrap(), "nothing to forget");
    let refusal = |error: &str| DmRefused {
        error: error.into(),
        at: now(),
    };
    store.refuse_dms(&who, &refusal("user_not_visible")).await.unwrap();
    other.refuse_dms(&who, &refusal("user_not_found")).await.unwrap();
    other.refuse_dms(&someone, &refusal("user_not_found")).await.unwrap();
    let refused = store.refused_dms().await.unwrap();
    assert_eq!(refused.get(&who), Some(&refusal("user_not_found")), "the latest");
    assert_eq!(refused.len(), 2);
    assert!(other.dm_reached(&who).await.unwrap());
    assert!(!store.dm_reached(&who).await.unwrap(), "forgotten once");
    assert_eq!(
        store.refused_dms().await.unwrap().keys().collect::<Vec<_>>(),
        [&someone]
    );
}

/// A publish the deliverer has claimed may have read its rows already: a change after that
/// must get a publish of its own, or the Home keeps what was before it. One claimed is so no
/// longer waiting, on any instance; the next one is, and is the only one.
async fn an_app_home_publish_the_deliverer_claimed_no_longer_counts_as_waiting(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let user = UserId::new("U0VIEWER");
    store.mark_home_viewer(&user).await.unwrap();
    let publish = || Delivery {
        lane: Lane::Home,
        op: Op::PublishHome { user: user.clone() },
    };
    other.enqueue_loose(vec![publish()], now()).await.unwrap();
    assert!(!other.home_needs_publish(&user).await.unwrap(), "a publish is waiting");
    let home = trouble_bot::store::LaneKey::of(None, Lane::Home);
    let claim = store.claim_lane_head(&home, now()).await.unwrap().expect("the publish");
    assert!(
        other.home_needs_publish(&user).await.unwrap(),
        "the claimed publish may show what was before the change"
    );
    assert!(store.home_needs_publish(&user).await.unwrap());
    other.enqueue_loose(vec![publish()], now()).await.unwrap();
    assert!(!other.home_needs_publish(&user).await.unwrap(), "the next one waits");
    assert!(!store.home_needs_publish(&user).await.unwrap());
    store.finish(&claim.item).await.unwrap();
    assert!(
        !other.home_needs_publish(&user).await.unwrap(),
        "the next one still waits"
    );

    // Let go unsent (the bot stops), a claimed publish waits again, to be read anew.
    let next = store
        .claim_lane_head(&home, now())
        .await
        .unwrap()
        .expect("the next publish");
    assert!(other.home_needs_publish(&user).await.unwrap());
    store.release(&next, now()).await.unwrap();
    assert!(
        !other.home_needs_publish(&user).await.unwrap(),
        "released, it waits again"
    );
}

async fn the_attempts_of_a_combined_post_are_recorded_together_for_the_calls_still_held(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    for key in ["sig:a", "sig:b", "sig:c"] {
        open(&store, key, 1).await.unwrap();
    }
    let mut claims = Vec::new();
    for lane in store.lanes_with_work().await.unwrap() {
        if lane.as_str().ends_with("/dm") {
            claims.push(store.claim_lane_head(&lane, now()).await.unwrap().expect("a head"));
        }
    }
    assert_eq!(claims.len(), 3, "one manager DM per trouble");
    let mut expected = vec![true; 3];
    if store.is_shared() {
        // The last one's lease lapses and another instance takes it: it is no longer ours to mark.
        let later = now() + chrono::Duration::from_std(LEASE * 2).unwrap();
        for claim in &claims[..2] {
            assert!(store.renew(claim, later).await.unwrap());
        }
        let lost = claims[2].item.lane_key();
        other
            .claim_lane_head(&lost, later)
            .await
            .unwrap()
            .expect("the lapsed claim");
        expected[2] = false;
    }
    let held: Vec<_> = claims.iter().collect();
    // Past the moment until which a sled item stands for its own record (a unit test of the sled
    // store covers the window itself).
    let marked_at = now() + trouble_bot::store::ATTEMPT_COVERED;
    assert_eq!(store.mark_attempts(&held, marked_at).await.unwrap(), expected);
    let items = other.outbox_items().await.unwrap();
    for (claim, marked) in claims.iter().zip(expected) {
        let item = items.iter().find(|i| i.id == claim.item.id).expect("still queued");
        assert_eq!(item.attempt_started_at.is_some(), marked, "{:?}", claim.item.lane_key());
    }
}

/// A decision that stores `change` made to trouble `id`: what the store indexes is whatever a
/// decision writes, whichever rule made it.
async fn store_change(store: &Store, id: &TroubleId, change: impl Fn(&mut Trouble)) {
    store
        .transact(id, &[], None, now(), |t| {
            let mut t = t.clone();
            change(&mut t);
            Decision {
                trouble: Some(t),
                ..Decision::default()
            }
        })
        .await
        .unwrap()
        .unwrap();
}

/// Closes the trouble as withdrawn (a forced close).
fn close_withdrawn(t: &mut Trouble) {
    t.closed = Some(Closure {
        by: UserId::new("U0MGR"),
        at: now(),
        note: String::new(),
        forced_reason: Some("withdrawn".into()),
    })
}

fn ids(troubles: Vec<Trouble>) -> Vec<String> {
    troubles.into_iter().map(|t| t.id.to_string()).collect()
}

async fn the_read_indexes_follow_a_trouble_through_its_changes_and_a_restart(backend: &str) {
    let (store, other, dir) = stores(backend).await;
    let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
    let id = t.id.to_string();
    let aliases = BTreeMap::from([("アクメ".to_string(), "ACME".to_string())]);
    let (sales, manager, newcomer) = (UserId::new("U0SALES"), UserId::new("U0MGR"), UserId::new("U0NEW"));
    let day = now() - chrono::Duration::days(1)..=now();
    let words = |w: &[&str]| w.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    assert_eq!(
        ids(other.customer_troubles(&aliases, "アクメ株式会社").await.unwrap()),
        [id.as_str()]
    );
    assert_eq!(ids(other.home_troubles(&sales).await.unwrap()), [id.as_str()]);
    assert_eq!(ids(other.home_troubles(&manager).await.unwrap()), [id.as_str()]);
    let hits = other.search(words(&["cracked", "housing"])).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!((hits[0].id.as_str(), hits[0].opened_at), (id.as_str(), t.opened_at));
    assert!(other.search(words(&["cracked", "gasket"])).await.unwrap().is_empty());
    let rows = other.stats_rows(*day.start(), *day.end()).await.unwrap();
    assert!(
        rows.len() == 1 && rows[0].open && rows[0].severity == Severity::new(1),
        "{rows:?}"
    );
    assert!(other
        .stats_rows(now() - chrono::Duration::days(9), *day.start())
        .await
        .unwrap()
        .is_empty());
    let counts = other.counts().await.unwrap();
    assert_eq!((counts.troubles, counts.open), (1, 1));

    // A new owner moves the App Home entry; a corrected customer moves the history.
    store_change(&store, &t.id, |t| t.owner = newcomer.clone()).await;
    assert!(other.home_troubles(&sales).await.unwrap().is_empty());
    assert_eq!(ids(other.home_troubles(&newcomer).await.unwrap()), [id.as_str()]);
    store_change(&store, &t.id, |t| t.customer = "Globex".into()).await;
    assert!(other.customer_troubles(&aliases, "ACME").await.unwrap().is_empty());
    assert_eq!(
        ids(other.customer_troubles(&aliases, "GLOBEX Inc.").await.unwrap()),
        [id.as_str()]
    );
    assert_eq!(other.search(words(&["globex"])).await.unwrap().len(), 1);

    // Closed: off every App Home, still in the history, the window and the counts.
    store_change(&store, &t.id, close_withdrawn).await;
    let check = |s: Store| {
        let (id, aliases, day) = (id.clone(), aliases.clone(), day.clone());
        let (manager, newcomer) = (manager.clone(), newcomer.clone());
        async move {
            assert!(s.home_troubles(&manager).await.unwrap().is_empty());
            assert!(s.home_troubles(&newcomer).await.unwrap().is_empty());
            assert_eq!(
                ids(s.customer_troubles(&aliases, "Globex").await.unwrap()),
                [id.as_str()]
            );
            let rows = s.stats_rows(*day.start(), *day.end()).await.unwrap();
            assert!(rows.len() == 1 && !rows[0].open, "{rows:?}");
            let counts = s.counts().await.unwrap();
            assert_eq!((counts.troubles, counts.open), (1, 0));
        }
    };
    check(other.clone()).await;
    // A restart (sled) or another instance (PostgreSQL) reads the same.
    let reopened = match &dir {
        Some(dir) => {
            drop((store, other));
            reopen_sled(dir.path()).await
        }
        None => other,
    };
    check(reopened).await;
}

/// Opens the sled store in `dir` once an earlier handle has let go of its file lock.
async fn reopen_sled(dir: &std::path::Path) -> Store {
    sled_db::once_unlocked(dir, || Store::open_sled(dir))
}

async fn troubles_stored_before_the_index_are_indexed_when_the_store_opens(backend: &str) {
    let older = tempfile::tempdir().unwrap();
    let (t, reopened) = if backend == "sled" {
        let (store, _other, _dir) = stores(backend).await;
        let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
        // The data as a release before the index wrote it: every tree but the index.
        let records = store.sled().unwrap().records().unwrap();
        drop((store, _other));
        let db = sled::open(older.path().join("db")).unwrap();
        for (name, records) in records.into_iter().filter(|(name, _)| name.as_slice() != b"index") {
            let tree = db.open_tree(name).unwrap();
            for (k, v) in records {
                tree.insert(k, v).unwrap();
            }
        }
        db.flush().unwrap();
        drop(db);
        (t, reopen_sled(older.path()).await)
    } else {
        let url = pg::fresh_database();
        let store = Store::connect_postgres(&url, "instance-a", LEASE).await.unwrap();
        let t = open(&store, "sig:a", 1).await.unwrap().trouble.unwrap();
        if let Store::Postgres(p) = &store {
            let client = p.pool().get().await.unwrap();
            client.execute("DELETE FROM trouble_index", &[]).await.unwrap();
        }
        (t, Store::connect_postgres(&url, "instance-b", LEASE).await.unwrap())
    };
    let aliases = BTreeMap::new();
    assert_eq!(
        ids(reopened.customer_troubles(&aliases, "acme").await.unwrap()),
        [t.id.to_string()]
    );
    assert_eq!(
        ids(reopened.home_troubles(&UserId::new("U0MGR")).await.unwrap()),
        [t.id.to_string()]
    );
    assert_eq!(reopened.search(vec!["cracked".into()]).await.unwrap().len(), 1);
    let counts = reopened.counts().await.unwrap();
    assert_eq!((counts.troubles, counts.open), (1, 1));
}

/// `/trouble list`'s reads: the head of the open troubles (severity, then age) and how many are
/// open with those not known to be public, after a change of privacy, of severity and a close.
async fn the_list_reads_follow_the_open_troubles_their_order_and_privacy(backend: &str) {
    let (store, other, dir) = stores(backend).await;
    let mut opened = Vec::new();
    for (key, severity) in [("sig:a", 2), ("sig:b", 1), ("sig:c", 3), ("sig:d", 2)] {
        opened.push(open(&store, key, severity).await.unwrap().trouble.unwrap().id);
    }
    let [a, b, c, d] = [0, 1, 2, 3].map(|i| opened[i].clone());
    let public = |ids: &[&TroubleId]| ids.iter().map(|id| ((*id).clone(), Some(false))).collect::<Vec<_>>();
    assert_eq!(other.open_head(10).await.unwrap(), public(&[&b, &a, &d, &c]));
    assert_eq!(other.open_head(2).await.unwrap(), public(&[&b, &a]));
    let unsure = other.open_unsure().await.unwrap();
    assert_eq!((unsure.open, flagged(&unsure)), (4, vec![]));

    // Private, then less severe; one whose privacy is not known; one closed.
    store_change(&store, &a, |t| t.private = Some(true)).await;
    store_change(&store, &a, |t| t.severity = Severity::new(3)).await;
    store_change(&store, &c, |t| t.private = None).await;
    store_change(&store, &d, close_withdrawn).await;
    let wanted_head = vec![(b.clone(), Some(false)), (a.clone(), Some(true)), (c.clone(), None)];
    let wanted_unsure = vec![(a.clone(), Some(true)), (c.clone(), None)];
    assert_eq!(other.open_head(10).await.unwrap(), wanted_head);
    assert_eq!(other.open_head(1).await.unwrap(), wanted_head[..1]);
    let unsure = other.open_unsure().await.unwrap();
    assert_eq!((unsure.open, &flagged(&unsure)), (3, &wanted_unsure));

    // The index as the release before these reads left it (sled: no `u:` keys) reads the same
    // once the store is opened again; another instance reads the same (PostgreSQL).
    let reopened = match &dir {
        Some(dir) => {
            drop((store, other));
            let db = sled_db(dir.path()).await;
            let index = db.open_tree("index").unwrap();
            let unsure_keys: Vec<_> = index.scan_prefix(b"u:").keys().map(Result::unwrap).collect();
            assert_eq!(unsure_keys.len(), 2, "filed on write");
            for key in unsure_keys.into_iter().chain([sled::IVec::from(b"built:unsure")]) {
                index.remove(key).unwrap();
            }
            db.flush().unwrap();
            drop((index, db));
            reopen_sled(dir.path()).await
        }
        // PostgreSQL's reads are queries on the rows every release kept.
        None => other,
    };
    assert_eq!(reopened.open_head(10).await.unwrap(), wanted_head);
    let unsure = reopened.open_unsure().await.unwrap();
    assert_eq!((unsure.open, flagged(&unsure)), (3, wanted_unsure));
}

/// The open troubles not known to be public, each with its channel's privacy.
fn flagged(unsure: &trouble_bot::store::index::OpenUnsure) -> Vec<(TroubleId, Option<bool>)> {
    unsure.unsure.iter().map(|u| (u.id.clone(), u.private)).collect()
}

/// `which_of`: the troubles among those asked for that the judgement keeps, read from the other
/// instance too; one not stored is left out, and nothing asked reads nothing.
async fn a_judgement_over_many_troubles_keeps_those_it_holds_for(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let mut opened = Vec::new();
    for (key, severity) in [("sig:a", 1), ("sig:b", 2), ("sig:c", 1)] {
        opened.push(open(&store, key, severity).await.unwrap().trouble.unwrap().id);
    }
    let asked = [opened.clone(), vec![TroubleId::new("20991231-9")]].concat();
    let severe = |t: &Trouble| t.severity.level() == 1;
    let kept = other.which_of(asked, severe).await.unwrap();
    assert_eq!(kept, [opened[0].clone(), opened[2].clone()].into_iter().collect());
    assert!(other.which_of(Vec::new(), severe).await.unwrap().is_empty());
}

/// App Home's read of the troubles whose channel Slack refused, from the other instance too:
/// among the rows without a channel, the refused ones (whoever looks), and those the viewer may
/// ask for again (the manager asked at the open, not someone outside the chain).
async fn app_home_reads_which_rows_had_their_channel_refused(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let policy = config().policy;
    let mut opened = Vec::new();
    for key in ["sig:a", "sig:b", "sig:c"] {
        opened.push(open(&store, key, 2).await.unwrap().trouble.unwrap().id);
    }
    // The third's channel is still being made: no refusal.
    for id in &opened[..2] {
        store_change(&store, id, |t| t.channel_refused = true).await;
    }
    let sorted = |mut ids: Vec<TroubleId>| {
        ids.sort_by_key(|id| id.to_string());
        ids
    };
    let manager = UserId::new("U0MGR");
    let rows = other.home_rows(&policy, &manager).await.unwrap();
    assert_eq!(rows.len(), 3);
    let refusals = other.home_channel_refusals(&policy, &manager, &rows).await.unwrap();
    assert_eq!(sorted(refusals.refused), opened[..2]);
    assert_eq!(sorted(refusals.asks), opened[..2]);
    let outsider = UserId::new("U0NOBODY");
    let refusals = other.home_channel_refusals(&policy, &outsider, &rows).await.unwrap();
    assert_eq!(
        (sorted(refusals.refused), refusals.asks),
        (opened[..2].to_vec(), Vec::new())
    );
}

/// Decisions on one trouble and opens made at the same moment from several threads (and both
/// instances): each lands, none overwrites another's change, no number is given twice.
async fn decisions_made_at_once_all_land(backend: &str) {
    let (store, other, _dir) = stores(backend).await;
    let t = open(&store, "sig:first", 1).await.unwrap().trouble.unwrap();
    let runtime = tokio::runtime::Handle::current();
    let mut running = Vec::new();
    for i in 0..12 {
        let store = if i % 2 == 0 { store.clone() } else { other.clone() };
        let (id, runtime) = (t.id.clone(), runtime.clone());
        running.push(tokio::task::spawn_blocking(move || {
            runtime.block_on(async {
                store_change(&store, &id, |t| {
                    t.members_seen.push(UserId::new(format!("U0VISITOR{i}")))
                })
                .await;
                open(&store, &format!("sig:{i}"), 2).await.unwrap().trouble.unwrap().id
            })
        }));
    }
    let mut opened = Vec::new();
    for r in running {
        opened.push(r.await.unwrap().to_string());
    }
    let mut seen = store.get(&t.id).await.unwrap().unwrap().members_seen.clone();
    seen.sort();
    let mut wanted: Vec<UserId> = (0..12).map(|i| UserId::new(format!("U0VISITOR{i}"))).collect();
    wanted.sort();
    assert_eq!(seen, wanted, "every decision's change is there");
    opened.sort();
    opened.dedup();
    assert_eq!(opened.len(), 12, "every open got its own number");
    assert_eq!(other.counts().await.unwrap().troubles, 13);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod on_sled {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name("sled").await
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name("postgres").await
                }
            )*
        }
    };
}

contract!(
    opens_number_the_day_and_skip_a_request_seen_before,
    a_decision_is_stored_whole_with_its_entries_calls_and_timers,
    a_lane_head_is_claimed_by_one_instance_and_its_outcome_leaves_with_the_decision,
    a_call_begun_at_once_reads_as_attempted_after_a_restart,
    a_due_timer_is_claimed_once_and_fires_once,
    a_request_key_is_remembered_once_until_pruned,
    an_answer_to_an_event_is_queued_once,
    an_app_home_viewer_gets_one_waiting_publish,
    an_app_home_publish_the_deliverer_claimed_no_longer_counts_as_waiting,
    a_refusal_of_dms_is_kept_shared_and_forgotten_once,
    the_attempts_of_a_combined_post_are_recorded_together_for_the_calls_still_held,
    the_read_indexes_follow_a_trouble_through_its_changes_and_a_restart,
    troubles_stored_before_the_index_are_indexed_when_the_store_opens,
    the_list_reads_follow_the_open_troubles_their_order_and_privacy,
    a_judgement_over_many_troubles_keeps_those_it_holds_for,
    app_home_reads_which_rows_had_their_channel_refused,
    decisions_made_at_once_all_land,
);
