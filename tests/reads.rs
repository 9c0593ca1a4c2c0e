//! The reads served from indexes (App Home, list, history, search, stats) stay right as troubles
//! change: a close, a new owner, an added participant, an alias, a restart.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

const ALIASES: &str = "[customers]\n\"アクメ\" = \"ACME\"\n";

#[tokio::test]
async fn a_closed_trouble_leaves_the_list_and_app_home_and_stays_in_history_search_and_stats_across_a_restart() {
    let mut bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{ALIASES}")).await;
    let acme = bot.open_ready("株式会社ACME: cracked housings in lot 42").await;
    let globex = bot.open_ready("Globex: late delivery").await;
    let home = app_home(&bot, MANAGER).await;
    assert!(
        home.contains("Waiting for your acknowledgement* (2)") && home.contains(&acme.id) && home.contains(&globex.id),
        "{home}"
    );
    assert!(
        home.contains("customer not updated yet (opened") && !home.contains("last heard"),
        "{home}"
    );
    bot.command_text(SALES, &globex.channel, "update told them the truck left today")
        .await;

    let closed = bot
        .command_text(MANAGER, &acme.channel, "close force the customer withdrew")
        .await;
    assert!(!closed.starts_with("Only"), "{closed}");
    wait_until(|| trouble(&bot, &acme.id).closed.is_some().then_some(())).await;

    for round in ["before the restart", "after the restart"] {
        let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
        assert!(!list.contains(&acme.id) && list.contains(&globex.id), "{round}: {list}");
        let home = app_home(&bot, MANAGER).await;
        assert!(
            home.contains("Waiting for your acknowledgement* (1)") && !home.contains(&acme.id),
            "{round}: {home}"
        );
        assert!(
            home.contains("customer last heard") && !home.contains("not updated yet"),
            "{round}: {home}"
        );
        // The alias, another spelling, and the name as written all find the closed trouble.
        for asked in ["アクメ", "ＡＣＭＥ（株）", "ACME Corp."] {
            let history = bot
                .command_text(MANAGER, "D0MANAGER", &format!("history {asked}"))
                .await;
            assert!(
                history.contains(&acme.id) && !history.contains(&globex.id),
                "{round}, history {asked}: {history}"
            );
        }
        let search = bot.command_text(MANAGER, "D0MANAGER", "search ｌｏｔ 42 cracked").await;
        assert!(
            search.contains(&acme.id) && !search.contains(&globex.id),
            "{round}: {search}"
        );
        let by_customer = bot.command_text(MANAGER, "D0MANAGER", "search アクメ").await;
        assert!(by_customer.contains(&acme.id), "{round}: {by_customer}");
        let stats = bot.command_text(MANAGER, "D0MANAGER", "stats").await;
        assert!(stats.contains("Troubles in the last 90 days: 2*"), "{round}: {stats}");
        bot.restart().await;
    }
    // Nothing new goes into the window 91 days on.
    bot.advance(Duration::from_secs(91 * 24 * 3600));
    let stats = bot.command_text(MANAGER, "D0MANAGER", "stats").await;
    assert!(stats.contains("Troubles in the last 90 days: 0*"), "{stats}");
}

#[tokio::test]
async fn a_new_owner_moves_the_trouble_between_app_homes() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housing cracked").await;
    let owners = app_home(&bot, SALES).await;
    assert!(
        owners.contains("Troubles you own or manage* (1)") && owners.contains(&t.id),
        "{owners}"
    );
    // The manager, once they acknowledged, still finds it there: with its summary, to tell
    // two troubles of one customer apart, and whom to follow up with.
    bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(trouble(&bot, &t.id).ack.is_some());
    let managers = app_home(&bot, MANAGER).await;
    assert!(
        managers.contains("Troubles you own or manage* (1)")
            && managers.contains(&format!("*ACME* — housing cracked `{}`", t.id))
            && managers.contains(&format!("owner <@{SALES}>")),
        "{managers}"
    );
    let colleagues = app_home(&bot, COLLEAGUE).await;
    assert!(!colleagues.contains(&t.id), "{colleagues}");

    let handed = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    assert!(!handed.starts_with("Only"), "{handed}");
    wait_until(|| (trouble(&bot, &t.id).owner.as_str() == COLLEAGUE).then_some(())).await;
    let colleagues = app_home(&bot, COLLEAGUE).await;
    assert!(
        colleagues.contains("Troubles you own or manage* (1)") && colleagues.contains(&t.id),
        "{colleagues}"
    );
    let former = app_home(&bot, SALES).await;
    assert!(!former.contains(&t.id), "{former}");
    // The pinned kickoff names the new owner, as the status does.
    message_says(&bot, &t.channel, &t.kickoff_ts, &format!("*Owner*\\n<@{COLLEAGUE}>")).await;
}

#[tokio::test]
async fn an_added_participant_finds_a_private_trouble_by_search_history_and_stats() {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let t = bot.open_ready("ACME: housing cracked").await;
    let elsewhere = "D0COLLEAGUE";
    let asks = ["search housing", "history ACME", "stats"];
    for ask in asks {
        let answer = bot.command_text(COLLEAGUE, elsewhere, ask).await;
        assert!(
            !answer.contains(&t.id) && !answer.contains("housing cracked"),
            "{ask}: {answer}"
        );
    }
    let stats = bot.command_text(COLLEAGUE, elsewhere, "stats").await;
    assert!(stats.contains("Troubles in the last 90 days: 0*"), "{stats}");

    let added = bot
        .command_text(SALES, &t.channel, &format!("add <@{COLLEAGUE}>"))
        .await;
    assert!(!added.starts_with("Only"), "{added}");
    wait_added(&bot, &t.id, COLLEAGUE).await;
    for ask in ["search housing", "history ACME"] {
        let answer = bot.command_text(COLLEAGUE, elsewhere, ask).await;
        assert!(answer.contains(&t.id), "{ask}: {answer}");
    }
    let stats = bot.command_text(COLLEAGUE, elsewhere, "stats").await;
    assert!(stats.contains("Troubles in the last 90 days: 1*"), "{stats}");
}

/// `/trouble stats` as counting every stored trouble one by one would answer it (the way it
/// was answered before the per-day aggregates), for an asker who may see them all.
fn stats_counted_one_by_one(bot: &TestBot, days: u32) -> String {
    use trouble_bot::trouble::stats::{stats, StatsRow};
    let config = bot.config();
    let troubles = bot.store().all_troubles().expect("store readable");
    let rows: Vec<StatsRow> = troubles.iter().map(StatsRow::from).collect();
    let aliases = trouble_bot::trouble::customer::AliasKeys::of(&config.policy.customers);
    let now = bot.clock.now();
    let counted = stats(&rows, days, now, |key| aliases.resolve(key));
    trouble_bot::i18n::stats::stats_text(config.locale, &config, &counted)
}

#[tokio::test]
async fn stats_after_opens_acknowledgements_costs_and_closes_over_several_days_match_counting_each_trouble() {
    let mut bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{ALIASES}")).await;
    let day = Duration::from_secs(24 * 3600);
    let acme = bot.open_ready("sev1 株式会社ACME: cracked housings").await;
    bot.command_text(MANAGER, &acme.channel, "ack").await;
    bot.command_text(SALES, &acme.channel, "update apologised, sorting today")
        .await;
    let globex = bot.open_ready("Globex: late delivery").await;
    // More customers in a day than one stored chunk of them holds.
    let mut others = Vec::new();
    for i in 0..20 {
        others.push(bot.open_ready(&format!("sev3 Customer{i:02}: scratched covers")).await);
    }

    // The next day: another spelling of ACME (an alias), a cost, and the first day's trouble closed.
    bot.advance_and_settle(day).await;
    let again = bot.open_ready("sev2 アクメ: wrong labels").await;
    bot.command_text(MANAGER, &again.channel, "ack").await;
    bot.command_text(SALES, &again.channel, "cost ¥30,000 ours courier")
        .await;
    bot.command_text(MANAGER, &acme.channel, "close force the customer withdrew")
        .await;
    wait_until(|| trouble(&bot, &acme.id).closed.is_some().then_some(())).await;
    for other in [&others[1], &others[18]] {
        bot.command_text(MANAGER, &other.channel, "close force duplicate").await;
        wait_until(|| trouble(&bot, &other.id).closed.is_some().then_some(())).await;
    }

    // A whole day with a trouble of its own, and an acknowledgement of the first day's.
    bot.advance_and_settle(day).await;
    bot.open_ready("sev3 Initech: noisy bearings").await;
    bot.command_text(MANAGER, &globex.channel, "ack").await;
    bot.advance_and_settle(day).await;
    bot.open_ready("Umbrella: dented crates").await;

    for round in ["before the restart", "after the restart"] {
        for days in [90, 2, 1] {
            let answered = bot.command_text(MANAGER, "D0MANAGER", &format!("stats {days}")).await;
            assert_eq!(answered, stats_counted_one_by_one(&bot, days), "{round}, {days} days");
        }
        let all = bot.command_text(MANAGER, "D0MANAGER", "stats").await;
        assert!(
            all.contains("Troubles in the last 90 days: 25*")
                && all.contains("Customer18: 1 trouble (0 open)")
                && all.contains("1 trouble (0 open)")
                && all.contains("2 troubles (1 open) · our share ¥30,000")
                // Twenty-four customers: the twenty with the most troubles (ACME's two first,
                // then by name), Customer19, Globex, Initech and Umbrella summed.
                && all.contains("*By customer* (most troubles first)\n• 株式会社ACME: 2 troubles")
                && all.contains("\n• 4 more customers: 4 troubles (4 open) · no share of ours\n*By severity*")
                && !all.contains("Umbrella"),
            "{round}: {all}"
        );
        bot.restart().await;
    }
}

/// A customer of some years: its history lists the latest thirty troubles, says how many
/// earlier ones it leaves out, and its running balance still counts them all.
#[tokio::test]
async fn a_long_history_lists_the_latest_thirty_and_its_balance_counts_the_earlier_ones() {
    let bot = spawn_bot().await;
    let oldest = bot.open_ready("Initech: bent brackets").await;
    bot.command_text(SALES, &oldest.channel, "cost ¥30,000 ours courier")
        .await;
    bot.advance(Duration::from_secs(60));
    let mut later = Vec::new();
    for n in 0..31 {
        later.push(open_as(&bot, SALES, &format!("Initech: loose rivets {n}")).await);
    }
    let history = bot.command_text(MANAGER, "D0MANAGER", "history Initech").await;
    let listed = later.iter().filter(|id| history.contains(&format!("`{id}`"))).count();
    assert!(
        history.contains("*History with Initech (32 troubles)*")
            && listed == 30
            && !history.contains(&format!("`{}`", oldest.id))
            && history.contains("\n…and 2 earlier troubles, not listed\n*Running balance*")
            && history.contains("¥30,000"),
        "{listed} listed: {history}"
    );
}

/// `/trouble open <text>` typed by `user`; the id of the trouble it opened.
async fn open_as(bot: &TestBot, user: &str, text: &str) -> String {
    let answer = bot.command_text(user, ORIGIN, &format!("open {text}")).await;
    let id = answer
        .strip_prefix("Trouble ")
        .and_then(|a| a.split_whitespace().next());
    id.unwrap_or_else(|| panic!("{text}: {answer}")).to_string()
}

#[tokio::test]
async fn a_list_headed_by_private_troubles_the_asker_may_not_see_shows_the_next_fifty_they_may_and_counts_them_all() {
    // Two troubles opened while channels were public: anyone sees them.
    let mut bot = spawn_bot().await;
    let mut public = Vec::new();
    for n in 0..2 {
        public.push(open_as(&bot, SALES, &format!("sev1 Initech: public housing {n}")).await);
    }
    bot.restart_with_config(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"))
        .await;
    // Then three private ones of the same severity, listed right after them, which the
    // colleague takes no part in, and fifty-one of the colleague's own, less severe.
    let mut private = Vec::new();
    for n in 0..3 {
        private.push(open_as(&bot, SALES, &format!("sev1 ACME: private gasket {n}")).await);
    }
    let mut own = Vec::new();
    for n in 0..51 {
        own.push(open_as(&bot, COLLEAGUE, &format!("sev2 Globex: colleague's lot {n}")).await);
    }
    let ask = |user: &'static str| {
        let bot = &bot;
        async move { list_rows(&bot.command_text(user, "D0ASKER", "list").await) }
    };

    let (total, rows) = ask(COLLEAGUE).await;
    assert_eq!((total, &rows), (53, &[&public[..], &own[..48]].concat()));
    assert!(private.iter().all(|id| !rows.contains(id)), "{rows:?}");
    assert_eq!((total, rows), list_counted_one_by_one(&bot, COLLEAGUE));

    // Their manager takes part in all of them: the private ones are counted and shown.
    let (total, rows) = ask(MANAGER).await;
    assert_eq!((total, &rows), (56, &[&public[..], &private[..], &own[..45]].concat()));
    assert_eq!((total, rows), list_counted_one_by_one(&bot, MANAGER));

    // The rep sees their own and the public ones; a stranger the public ones alone.
    let (total, rows) = ask(SALES).await;
    assert_eq!((total, &rows), (5, &[&public[..], &private[..]].concat()));
    assert_eq!(ask("U0STRANGER").await, (2, public));
}

/// A member joining or leaving `channel`, as Slack reports it.
fn membership(kind: &str, channel: &str, user: &str) -> serde_json::Value {
    json!({
        "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
        "event_id": format!("EvMember{}", unique()), "event_time": now_secs(),
        "event": {"type": kind, "user": user, "channel": channel, "channel_type": "G", "team": "T0TEAM",
                  "inviter": SALES, "event_ts": "1800000000.000100"},
        "authorizations": [{"team_id": "T0TEAM", "user_id": "UBOT", "is_bot": true}],
    })
}

/// `asker`'s `/trouble list` as a count and its rows sorted; asserted to be what reading every
/// open trouble answers.
async fn private_list(bot: &TestBot, asker: &str) -> (usize, Vec<String>) {
    let (total, mut rows) = list_rows(&bot.command_text(asker, "D0ASKER", "list").await);
    let (counted, mut by_reading) = list_counted_one_by_one(bot, asker);
    rows.sort();
    by_reading.sort();
    assert_eq!((total, &rows), (counted, &by_reading), "{asker}'s list");
    (total, rows)
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_private_list_shows_each_asker_the_troubles_they_own_lead_were_added_to_serve_in_or_joined_and_follows_each_change(
) {
    let private = format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let mut bot = spawn_bot_raw(&private).await;
    // The asker is a member of quality, which severity 1 always brings in.
    let asker = "U0QA1";
    let owned = open_as(&bot, asker, "sev2 Initech: their own gasket").await;
    let leads = open_as(&bot, SALES, &format!("sev2 <@{asker}> Initech: they are the manager")).await;
    let named = open_as(&bot, SALES, "sev2 +quality Initech: quality named").await;
    let severe = open_as(&bot, SALES, "sev1 Initech: severe enough for quality").await;
    let added = bot.open_ready("sev2 Initech: they are added").await;
    let joined = bot.open_ready("sev2 Initech: they join its channel").await;
    let nobody = open_as(&bot, SALES, "sev2 Initech: nothing to do with them").await;
    let [later_added, later_manager, later_owner, later_joined, later_severe] = [
        bot.open_ready("sev2 Initech: added later").await,
        bot.open_ready("sev2 Initech: managed later").await,
        bot.open_ready("sev2 Initech: owned later").await,
        bot.open_ready("sev2 Initech: joined later").await,
        bot.open_ready("sev2 Initech: severe later").await,
    ];
    let answer = bot
        .command_text(SALES, &added.channel, &format!("add <@{asker}>"))
        .await;
    assert!(answer.contains(asker), "{answer}");
    let event = bot
        .event(&membership("member_joined_channel", &joined.channel, asker), None)
        .await;
    assert_eq!(event.status(), 200);

    let first = [&owned, &leads, &named, &severe, &added.id, &joined.id];
    assert_eq!(private_list(&bot, asker).await, (6, sorted(&first)));
    assert_eq!(private_list(&bot, "U0STRANGER").await, (0, vec![]));
    // The director is in every chain (the default manager's too): all twelve.
    assert_eq!(private_list(&bot, DIRECTOR).await.0, 12);

    // Each change of who sees a trouble shows on the next request; so does a leave.
    let answer = bot
        .command_text(SALES, &later_added.channel, &format!("add <@{asker}>"))
        .await;
    assert!(answer.contains(asker), "{answer}");
    let answer = bot
        .command_text(MANAGER, &later_manager.channel, &format!("manager <@{asker}>"))
        .await;
    assert!(answer.contains(asker), "{answer}");
    let answer = bot
        .command_text(MANAGER, &later_owner.channel, &format!("owner <@{asker}>"))
        .await;
    assert!(answer.contains(asker), "{answer}");
    let answer = bot.command_text(SALES, &later_severe.channel, "sev 1").await;
    assert!(!answer.starts_with("Only"), "{answer}");
    for (kind, channel) in [
        ("member_joined_channel", &later_joined.channel),
        ("member_left_channel", &joined.channel),
    ] {
        assert_eq!(bot.event(&membership(kind, channel, asker), None).await.status(), 200);
    }
    let acknowledged = bot.command_text(MANAGER, &later_severe.channel, "ack").await;
    assert!(!acknowledged.starts_with("Only"), "{acknowledged}");
    let now = [
        &owned,
        &leads,
        &named,
        &severe,
        &added.id,
        &later_added.id,
        &later_manager.id,
        &later_owner.id,
        &later_joined.id,
        &later_severe.id,
    ];
    assert_eq!(private_list(&bot, asker).await, (10, sorted(&now)));
    assert!(!private_list(&bot, asker).await.1.contains(&nobody));

    // The departments' members are the configuration's at each read: out of quality, the
    // troubles that named it or are severe enough for it are no longer theirs to see.
    let quality = r#"members = ["U0QA1", "U0QA2"]"#;
    assert!(BASE_CONFIG.contains(quality));
    let moved = private.replace(quality, r#"members = ["U0QA2"]"#);
    bot.restart_with_config(&moved).await;
    let kept = [
        &owned,
        &leads,
        &added.id,
        &later_added.id,
        &later_manager.id,
        &later_owner.id,
        &later_joined.id,
    ];
    assert_eq!(private_list(&bot, asker).await, (7, sorted(&kept)));
    assert_eq!(private_list(&bot, "U0QA2").await.0, 3);
}

#[tokio::test]
async fn a_trouble_whose_record_does_not_read_is_passed_over_by_the_reads_and_the_next_open_for_its_customer() {
    let mut bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let unreadable = bot.open_ready("ACME: housing cracked").await;
    let readable = bot.open_ready("ACME: housing scratched").await;
    bot.settle().await;
    bot.stop().await;
    // Its index entries stay (a torn write, or a newer release's record after a rollback).
    overwrite_trouble(&bot.config().data_dir, &unreadable.id, UNREADABLE_BODY).await;
    bot.restart().await;

    // The list still shows it (its row needs no body), and every read that judges or shows
    // troubles whole passes over it and shows the rest.
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    assert!(list.contains(&readable.id) && list.contains(&unreadable.id), "{list}");
    for ask in ["history ACME", "search housing"] {
        let answer = bot.command_text(SALES, ORIGIN, ask).await;
        assert!(
            answer.contains(&readable.id) && !answer.contains(&unreadable.id),
            "{ask}: {answer}"
        );
    }
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains(&readable.id), "{home}");
    // The customer's next trouble opens, and reads its customer's history, as ever.
    let next = bot.open_ready("ACME: housing dented").await;
    let answer = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(answer.contains(&next.id), "{answer}");
}

/// Two troubles' records swapped by hand in the stopped bot's store: each record names the
/// trouble it is, so neither is shown as the other (the status, the export); each does not
/// read, as a damaged record does, and the rest of the bot goes on.
#[tokio::test]
async fn a_record_stored_under_another_troubles_id_is_never_shown_as_that_trouble() {
    let mut bot = spawn_bot().await;
    let acme = bot.open_ready("ACME: housing cracked").await;
    let globex = bot.open_ready("Globex: labels smudged").await;
    bot.settle().await;
    bot.stop().await;
    let dir = bot.config().data_dir;
    let acme_body = overwrite_trouble(&dir, &acme.id, UNREADABLE_BODY).await;
    let globex_body = overwrite_trouble(&dir, &globex.id, &acme_body).await;
    overwrite_trouble(&dir, &acme.id, &globex_body).await;
    bot.restart().await;

    let status = bot.command_text(SALES, ORIGIN, &format!("status {}", acme.id)).await;
    assert!(!status.contains(&globex.id) && !status.contains("Globex"), "{status}");
    let export = trouble_bot::admin::export(&bot.config(), bot.store(), &acme.id, trouble_bot::admin::Format::Md);
    assert!(
        export.code != 0 && !export.stdout.contains("Globex"),
        "{}",
        export.stdout
    );
    assert!(
        export.stderr.contains(&format!(
            "the record stored as trouble {} is trouble {}'s",
            acme.id, globex.id
        )),
        "{}",
        export.stderr
    );
    // The others go on.
    let next = bot.open_ready("Initech: bearings noisy").await;
    let status = bot.command_text(SALES, ORIGIN, &format!("status {}", next.id)).await;
    assert!(status.starts_with(&format!("Status {}:", next.id)), "{status}");
}

/// A trouble deleted whole from the stopped bot's store (its record, tracking and timeline)
/// leaves no chain to break; `verify` still names it from the day's numbering, and says the
/// store is broken.
#[tokio::test]
async fn a_trouble_deleted_whole_is_named_by_verify() {
    let mut bot = spawn_bot().await;
    let gone = bot.open_ready("ACME: housing cracked").await;
    let kept = bot.open_ready("ACME: housing scratched").await;
    bot.settle().await;
    bot.stop().await;
    let dir = bot.config().data_dir;
    let (ok, before) = verify_stopped(&dir);
    assert!(ok, "{before}");
    {
        let db = sled_db(&dir).await;
        for tree in ["troubles", "tracking"] {
            db.open_tree(tree).unwrap().remove(gone.id.as_bytes()).unwrap();
        }
        let timeline = db.open_tree("timeline").unwrap();
        let mut prefix = gone.id.as_bytes().to_vec();
        prefix.push(0);
        for key in timeline.scan_prefix(&prefix).keys() {
            timeline.remove(key.unwrap()).unwrap();
        }
        db.flush().unwrap();
    }
    let (ok, out) = verify_stopped(&dir);
    assert!(!ok, "{out}");
    // The CLI's default locale is Japanese.
    assert!(
        out.contains(&format!(
            "BROKEN {}: 起票で番号が振られたトラブルの記録とタイムラインがありません（削除されています）",
            gone.id
        )) && out.contains("2件のトラブルを検査し、1件が壊れています")
            && !out.contains(&format!("BROKEN {}", kept.id)),
        "{out}"
    );
}

/// A manager on a phone opens App Home and acknowledges there: each trouble waiting for them has
/// the Acknowledge button; the tap acknowledges and the Home, drawn again, no longer lists it as
/// waiting, with no DM; a tap that is refused (already acknowledged) is answered over the Home.
#[tokio::test]
async fn the_manager_acknowledges_from_app_home_and_a_refused_tap_is_answered_over_the_home() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings in lot 42").await;
    let home = app_home(&bot, MANAGER).await;
    let view: serde_json::Value = serde_json::from_str(&home).expect("a view");
    let waiting_row = view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|b| b["text"]["text"].as_str().is_some_and(|x| x.contains(&t.id)))
        .expect("the trouble's row")
        .clone();
    assert_eq!(waiting_row["accessory"]["action_id"], "acknowledge", "{waiting_row}");
    let value = waiting_row["accessory"]["value"].as_str().expect("a value").to_string();

    let mark = last_call(&bot);
    let clicked = bot
        .interaction(&home_button_payload(MANAGER, "acknowledge", &value))
        .await;
    assert_eq!(clicked.status(), 200);
    let acked = wait_until(|| trouble(&bot, &t.id).ack).await;
    assert_eq!(acked.by.as_str(), MANAGER);
    // The Home the tap came from is drawn again: that is the answer, and nothing opens over it.
    let home = home_published_after(&bot, MANAGER, mark).await;
    assert!(home.contains("Waiting for your acknowledgement* (0)"), "{home}");
    assert!(!home.contains("\"acknowledge\""), "no button left: {home}");
    bot.settle().await;
    bot.expect_none("views.open", |c| c.seq > mark).await;
    bot.expect_none("chat.postMessage", |c| c.seq > mark && c.params["channel"] == MANAGER)
        .await;

    // The director taps an old Home of theirs: refused, and told so over the Home.
    let mark = last_call(&bot);
    let clicked = bot
        .interaction(&home_button_payload(DIRECTOR, "acknowledge", &value))
        .await;
    assert_eq!(clicked.status(), 200);
    let answer = tap_answer(&bot, mark).await;
    assert!(answer.contains("already acknowledged by <@U0MANAGER>"), "{answer}");
}

/// When Slack does not open the answer over the Home (the tap's trigger expired), it comes by
/// DM, led by the trouble's id: a refused tap never passes in silence.
#[tokio::test]
async fn a_refused_tap_in_app_home_is_answered_by_dm_when_no_window_opens() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings in lot 42").await;
    bot.slack.fail_next("views.open", "expired_trigger_id", 1);
    let clicked = bot
        .interaction(&home_button_payload(SALES, "acknowledge", t.id.as_str()))
        .await;
    assert_eq!(clicked.status(), 200);
    let answer = bot.posted_saying(SALES, &t.id).await;
    assert!(answer.starts_with(&format!("`{}` · ", t.id)), "{answer}");
    assert!(trouble(&bot, &t.id).ack.is_none());
}

/// A colleague given an action sees it in their App Home with its due date and **Done**,
/// though they do not own the trouble; someone else's click is refused by DM naming who may,
/// theirs marks it done, and the Home drops it.
#[tokio::test]
async fn an_actions_owner_sees_it_in_app_home_and_marks_it_done_there() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings in lot 42").await;
    bot.command_text(
        SALES,
        &t.channel,
        "action interim sort stock owner: <@U0COLLEAGUE> due: 12/5",
    )
    .await;
    let home = app_home(&bot, COLLEAGUE).await;
    assert!(home.contains("Actions you own* (1)"), "{home}");
    assert!(
        home.contains("#1 interim: sort stock · due Sat 2026-12-05 18:00"),
        "{home}"
    );
    let view: serde_json::Value = serde_json::from_str(&home).expect("a view");
    let done = view["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .find(|b| b["accessory"]["action_id"] == "action_done")
        .expect("the Done button")["accessory"]["value"]
        .as_str()
        .expect("a value")
        .to_string();
    assert_eq!(done, format!("{}:1", t.id));
    let home = app_home(&bot, SALES).await;
    assert!(!home.contains("Actions you own"), "the owner was given none: {home}");

    let outsider = "U0OUTSIDER";
    let mark = last_call(&bot);
    let clicked = bot
        .interaction(&home_button_payload(outsider, "action_done", &done))
        .await;
    assert_eq!(clicked.status(), 200);
    let refusal = tap_answer(&bot, mark).await;
    assert!(refusal.contains("U0COLLEAGUE"), "the refusal names who may: {refusal}");
    assert!(trouble(&bot, &t.id).substance.actions[0].done.is_none());

    let clicked = bot
        .interaction(&home_button_payload(COLLEAGUE, "action_done", &done))
        .await;
    assert_eq!(clicked.status(), 200);
    let marked = wait_until(|| trouble(&bot, &t.id).substance.actions[0].done.clone()).await;
    assert_eq!(marked.by.as_str(), COLLEAGUE);
    // A second tap (an old Home, a double tap) changes nothing and says who did it.
    let mark = last_call(&bot);
    let clicked = bot
        .interaction(&home_button_payload(MANAGER, "action_done", &done))
        .await;
    assert_eq!(clicked.status(), 200);
    let answer = tap_answer(&bot, mark).await;
    assert!(
        answer.contains("already marked done") && answer.contains("U0COLLEAGUE"),
        "{answer}"
    );
    assert_eq!(
        trouble(&bot, &t.id).substance.actions[0]
            .done
            .as_ref()
            .map(|d| d.by.as_str()),
        Some(COLLEAGUE)
    );
    let home = app_home(&bot, COLLEAGUE).await;
    assert!(!home.contains("Actions you own"), "{home}");
}

/// A Home someone has open is drawn again when the trouble leaves it, not only when it changes
/// there: the colleague's Done tap takes the action (and its button) off their Home at once, and
/// the rep who hands a trouble over no longer finds it among theirs, nor does anyone once it is
/// closed.
#[tokio::test]
async fn a_home_is_drawn_again_when_a_trouble_leaves_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings in lot 42").await;
    bot.command_text(
        SALES,
        &t.channel,
        "action interim sort stock owner: <@U0COLLEAGUE> due: 12/5",
    )
    .await;
    assert!(app_home(&bot, COLLEAGUE).await.contains("Actions you own* (1)"));
    let mark = last_call(&bot);
    let clicked = bot
        .interaction(&home_button_payload(COLLEAGUE, "action_done", &format!("{}:1", t.id)))
        .await;
    assert_eq!(clicked.status(), 200);
    let home = home_published_after(&bot, COLLEAGUE, mark).await;
    assert!(
        !home.contains("Actions you own") && !home.contains("action_done"),
        "{home}"
    );

    assert!(app_home(&bot, SALES).await.contains(&t.id));
    let mark = last_call(&bot);
    let answer = bot.command_text(MANAGER, &t.channel, "owner <@U0COLLEAGUE>").await;
    assert!(answer.contains("U0COLLEAGUE"), "{answer}");
    let home = home_published_after(&bot, SALES, mark).await;
    assert!(!home.contains(&t.id), "the former owner's Home: {home}");
    let home = home_published_after(&bot, COLLEAGUE, mark).await;
    assert!(home.contains(&t.id), "the new owner's Home: {home}");

    let mark = last_call(&bot);
    bot.command_text(MANAGER, &t.channel, "close force customer withdrew the claim")
        .await;
    let home = home_published_after(&bot, COLLEAGUE, mark).await;
    assert!(!home.contains(&t.id), "a closed trouble leaves every Home: {home}");
}

/// Someone added to a trouble, or a department's member seen joining its channel, finds it in
/// their App Home under the troubles they take part in, with whose it is and its channel; it
/// leaves their Home when it closes.
#[tokio::test]
async fn app_home_lists_the_troubles_someone_takes_part_in() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev1 ACME: cracked housings in lot 42").await;
    let joined = channel_event("member_joined_channel", &t.channel, Some("U0QA1"));
    assert_eq!(bot.event(&joined, None).await.status(), 200);
    wait_until(|| {
        trouble(&bot, &t.id)
            .members_seen
            .iter()
            .any(|u| u.as_str() == "U0QA1")
            .then_some(())
    })
    .await;
    bot.command_text(SALES, &t.channel, "add <@U0FS1>").await;

    for who in ["U0QA1", "U0FS1"] {
        let home = app_home(&bot, who).await;
        assert!(home.contains("Troubles you take part in* (1)"), "{who}: {home}");
        assert!(
            home.contains(&format!("• *ACME* — cracked housings in lot 42 `{}` sev1", t.id))
                && home.contains(&format!("owner <@{SALES}>")),
            "{who}: {home}"
        );
    }
    // The owner's and the manager's Homes list it as theirs, not twice.
    let home = app_home(&bot, SALES).await;
    assert!(!home.contains("take part in"), "{home}");

    let mark = last_call(&bot);
    bot.command_text(MANAGER, &t.channel, "close force customer withdrew the claim")
        .await;
    let home = home_published_after(&bot, "U0FS1", mark).await;
    assert!(!home.contains(&t.id), "a closed trouble leaves every Home: {home}");
}

/// The line of `text` that names trouble `id`.
fn row_of<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines().find(|l| l.contains(id)).unwrap_or("")
}

/// Moves the bot's clock to `at` (UTC) and lets everything due by then happen.
async fn advance_to(bot: &TestBot, at: &str) {
    let target: chrono::DateTime<chrono::Utc> = at.parse().expect("a UTC instant");
    let by = (target - bot.clock.now()).to_std().expect("ahead of the clock");
    bot.advance_and_settle(by).await;
}

/// Each of `places` (what it is, its text) names both troubles, each line with the start of its
/// own summary next to its id, and shows no typed text live.
fn told_apart(places: &[(&str, String)], troubles: [(&str, &str); 2]) {
    let mut same = Vec::new();
    for (place, text) in places {
        for (id, summary) in troubles {
            let row = row_of(text, id);
            if !row.contains(summary) {
                same.push(format!("{place}: {id} without “{summary}”: {row:?}"));
            }
        }
        assert!(
            !text.contains("<!channel>"),
            "{place}: a typed broadcast went live: {text}"
        );
    }
    assert!(
        same.is_empty(),
        "rows that do not tell the two apart:\n{}",
        same.join("\n")
    );
}

/// A rep with two ACME troubles open and their manager with both waiting tell them apart in
/// every list that names them, as in App Home: each row has the start of its summary next to
/// its id (`/trouble list`, `/trouble ack` in a DM, the answer to a DM message that could be for
/// either, the troubles listed with a channel command typed in a DM, the weekly digest), and
/// a broadcast typed in a summary stays text there.
#[tokio::test]
async fn two_troubles_of_one_customer_tell_apart_in_every_list_by_the_start_of_their_summary() {
    let bot = spawn_bot().await;
    let a1 = bot.open_ready("ACME: cracked housings lot 42").await;
    let a2 = bot
        .open_ready("ACME: late delivery of spare parts, <!channel> told")
        .await;
    let troubles = [
        (a1.id.as_str(), "— cracked housings lot 42"),
        (a2.id.as_str(), "— late delivery of spare parts, "),
    ];
    let mut places = vec![
        ("list", bot.command_text(SALES, "D0SALES", "list").await),
        (
            "where to type",
            bot.command_text(SALES, "D0SALES", "update told them").await,
        ),
    ];
    assert!(places[1].1.contains("Yours:"), "{}", places[1].1);
    let ack = bot.command(MANAGER, "D0MANAGER", "ack").await;
    places.push(("ack list", ack["text"].as_str().unwrap_or_default().to_string()));
    // The rows beside their buttons too.
    let rows = ack["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["text"]["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    places.push(("ack list's rows", rows));
    bot.event(&dm_event("EvDmApart", MANAGER, "on it", None), None).await;
    places.push((
        "several wait",
        bot.posted_saying(MANAGER, "Several troubles wait").await,
    ));
    advance_to(&bot, "2026-12-07T00:00:00Z").await;
    let digest = bot.posted_saying(MANAGER, "Weekly trouble digest").await;
    for section in ["*⏳ Not acknowledged*", "*📂 Open troubles*"] {
        let rows = digest
            .split(section)
            .nth(1)
            .expect(section)
            .split("\n\n")
            .next()
            .unwrap_or_default();
        places.push((section, rows.to_string()));
    }
    told_apart(&places, troubles);
    // The list, the digest and App Home say it the same way.
    let home = app_home(&bot, MANAGER).await;
    assert!(
        home.contains(&format!("*ACME* — cracked housings lot 42 `{}`", a1.id)),
        "{home}"
    );
    assert!(
        row_of(&places[0].1, &a1.id).starts_with(&format!("• `{}` *ACME* — cracked housings lot 42 · sev2 · ", a1.id)),
        "{}",
        places[0].1
    );
}

/// The same in Japanese: the list, the DM's list to acknowledge from and the digest.
#[tokio::test]
async fn two_troubles_of_one_customer_tell_apart_in_japanese() {
    let bot = spawn_bot_in("ja").await;
    let a1 = bot.open_ready("アクメ: 筐体割れ ロット42").await;
    let a2 = bot.open_ready("アクメ: 予備部品の納期遅れ").await;
    let troubles = [
        (a1.id.as_str(), "— 筐体割れ ロット42"),
        (a2.id.as_str(), "— 予備部品の納期遅れ"),
    ];
    let mut places = vec![
        ("一覧", bot.command_text(SALES, "D0SALES", "一覧").await),
        ("確認", bot.command_text(MANAGER, "D0MANAGER", "確認").await),
    ];
    advance_to(&bot, "2026-12-07T00:00:00Z").await;
    let digest = bot.posted_saying(MANAGER, "週次トラブルダイジェスト").await;
    let open = digest
        .split("*📂 対応中のトラブル*")
        .nth(1)
        .expect("the open troubles")
        .to_string();
    places.push(("ダイジェスト", open));
    told_apart(&places, troubles);
}

// ---- A confidential (private) trouble never reaches anyone with no part in it through another
// trouble's channel: its history, a possible recurrence, a channel set up again.

/// Someone in another chain: their manager is not the rep's, so neither of them takes part in
/// the rep's troubles.
const OTHER_REP: &str = "U0OTHERREP";
const OTHER_MGR: &str = "U0OTHERMGR";

fn private_config() -> String {
    let org = BASE_CONFIG.replace(
        "[org.managers]\n",
        &format!("[org.managers]\n{OTHER_REP} = \"{OTHER_MGR}\"\n"),
    );
    format!("private_channels = true\n{org}\n{DEFAULT_SEVERITIES}")
}

/// Every message the bot posted in `channel` (thread replies too), as text.
fn said_in(bot: &TestBot, channel: &str) -> Vec<String> {
    bot.slack.messages_in(channel).iter().map(text_of).collect()
}

/// Asserts that nothing said in `channel` (a user: their DM) mentions any of `words`; `what`
/// names the leak.
fn assert_none_say(bot: &TestBot, channel: &str, words: &[&str], what: &str) {
    let leaked: Vec<String> = said_in(bot, channel)
        .into_iter()
        .filter(|m| words.iter().any(|w| m.contains(w)))
        .collect();
    assert!(leaked.is_empty(), "{what}: {leaked:#?}");
}

/// A confidential trouble of the rep's: a safety incident at ACME with a cost and a split.
async fn confidential(bot: &TestBot) -> OpenedTrouble {
    let a = bot
        .open_ready("sev2 ACME: SAFETY-INCIDENT operator injured by guard")
        .await;
    bot.command_text(SALES, &a.channel, "cost ¥4,200,000 ours settlement")
        .await;
    bot.command_text(SALES, &a.channel, "split 80/20 our guard design")
        .await;
    bot.command_text(SALES, &a.channel, "fact lot LOT-SECRET-7").await;
    bot.settle().await;
    a
}

/// The rep in another chain is told nothing of the rep's private trouble by the bot's reads:
/// the baseline the tests below build on.
async fn other_rep_may_not_see(bot: &TestBot, a: &OpenedTrouble) {
    for ask in ["list", "history ACME", "search SAFETY-INCIDENT"] {
        let answer = bot.command_text(OTHER_REP, "D0OTHER", ask).await;
        assert!(
            !answer.contains(&a.id) && !answer.contains("operator injured"),
            "baseline: {ask} hides it: {answer}"
        );
    }
}

/// A rep in another chain opens their own (private) trouble for the same customer. Its
/// kickoff thread lists "Past troubles with ACME" — the rep's confidential trouble among them,
/// with its summary, split, cost and running balance — in a channel of people none of whom may
/// see it (`history ACME` typed by the same person hides it).
#[tokio::test]
async fn a_new_private_trouble_never_lists_a_private_past_trouble_of_another_chain() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    other_rep_may_not_see(&bot, &a).await;

    let b = bot.open_ready_as(OTHER_REP, "ACME: late delivery of brackets").await;
    bot.settle().await;
    let stored = trouble(&bot, &b.id);
    assert!(
        stored.private == Some(true),
        "B is a private trouble too: {:?}",
        stored.private
    );
    // Nobody in B's channel may see A.
    for member in bot.slack.members(&b.channel) {
        let policy = bot.config().policy;
        let sees = trouble_bot::trouble::decide::may_see(
            &policy,
            &trouble(&bot, &a.id),
            &trouble_bot::trouble::model::UserId::new(&member),
        );
        assert!(!sees, "{member} in B's channel may not see A");
    }
    assert_none_say(
        &bot,
        &b.channel,
        &[&a.id, "SAFETY-INCIDENT", "4,200,000"],
        "A's summary/costs posted where only B's people read",
    );
    let policy = bot.config().policy;
    let who = trouble_bot::trouble::model::UserId::new(OTHER_REP);
    assert!(!trouble_bot::trouble::decide::may_see(
        &policy,
        &trouble(&bot, &a.id),
        &who
    ));
}

/// The same through a recurrence: the other rep records the lot on their private
/// trouble and its kickoff thread names the confidential trouble (id, date, channel link,
/// shared lot) as a "possible recurrence".
#[tokio::test]
async fn a_recurrence_flag_never_names_a_private_trouble_of_another_chain() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    let b = bot.open_ready_as(OTHER_REP, "Globex: dented crates").await;
    // Filed under the wrong customer at first, then corrected and given the lot.
    bot.command_text(OTHER_REP, &b.channel, "fix customer ACME").await;
    bot.command_text(OTHER_REP, &b.channel, "fact lot LOT-SECRET-7").await;
    bot.settle().await;
    let leaked: Vec<String> = said_in(&bot, &b.channel)
        .into_iter()
        .filter(|m| m.contains("Possible recurrence") && m.contains(&a.id))
        .collect();
    assert!(leaked.is_empty(), "A named in B's channel: {leaked:#?}");
}

/// The same through a lot gone to another customer: the other rep's private trouble of
/// Globex gets the confidential trouble's lot. Neither channel names the other trouble (nor its
/// customer): none of the people in one may see the other.
#[tokio::test]
async fn a_same_lot_flag_never_names_a_private_trouble_of_another_chain() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    let b = bot.open_ready_as(OTHER_REP, "Globex: dented crates").await;
    bot.command_text(OTHER_REP, &b.channel, "fact lot lot-secret-7").await;
    bot.settle().await;
    assert_none_say(&bot, &b.channel, &[&a.id, "ACME"], "A named in B's channel");
    assert_none_say(&bot, &a.channel, &[&b.id, "Globex"], "B named in A's channel");
    // Two private troubles of one chain, for two customers, are told of each other.
    let c = bot.open_ready("Initech: cracked housings").await;
    bot.command_text(SALES, &c.channel, "fact lot LOT-SECRET-7").await;
    bot.settle().await;
    let told: Vec<String> = said_in(&bot, &c.channel)
        .into_iter()
        .filter(|m| m.contains("at another customer"))
        .collect();
    assert!(
        told.len() == 1 && told[0].contains(&a.id) && !told[0].contains(&b.id),
        "{told:#?}"
    );
    // A's prevention measure is told in C's channel, never in B's.
    bot.command_text(SALES, &a.channel, "prevent guard interlock on every press")
        .await;
    bot.settle().await;
    assert!(said_in(&bot, &c.channel).iter().any(|m| m.contains("guard interlock")));
    assert_none_say(
        &bot,
        &b.channel,
        &[&a.id, "guard interlock"],
        "A's measure in B's channel",
    );
}

/// A closed private trouble is told of the same lot turning up at another customer only
/// where its people may see that trouble: the other chain's private trouble of Globex is never
/// named to the confidential trouble's owner or manager (nor the confidential trouble's measure
/// told in Globex's channel); a private trouble of the same chain is.
#[tokio::test]
async fn a_closed_private_trouble_is_told_of_the_same_lot_only_from_a_trouble_its_people_may_see() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    bot.command_text(MANAGER, &a.channel, "ack").await;
    bot.command_text(SALES, &a.channel, "prevent guard interlock on every press")
        .await;
    all_stages_done(&bot, &a).await;
    // Its split and cost still await approval: the chain closes it all the same.
    let r = bot
        .command_text(MANAGER, &a.channel, "close force settled with the customer")
        .await;
    assert!(trouble(&bot, &a.id).closed.is_some(), "{r}");
    let b = bot.open_ready_as(OTHER_REP, "Globex: dented crates").await;
    bot.command_text(OTHER_REP, &b.channel, "fact lot lot-secret-7").await;
    bot.settle().await;
    for who in [SALES, MANAGER] {
        assert_none_say(&bot, who, &[&b.id, "Globex"], &format!("B named to {who}"));
    }
    assert_none_say(&bot, &b.channel, &[&a.id, "guard interlock"], "A in B's channel");
    let c = bot.open_ready("Initech: cracked housings").await;
    bot.command_text(SALES, &c.channel, "fact lot LOT-SECRET-7").await;
    bot.settle().await;
    for who in [SALES, MANAGER] {
        let told: Vec<String> = said_in(&bot, who)
            .into_iter()
            .filter(|m| m.contains("turned up at another customer"))
            .collect();
        assert!(
            told.len() == 1 && told[0].contains(&c.id) && told[0].contains(&a.id),
            "{who}: {told:#?}"
        );
    }
    assert!(said_in(&bot, &c.channel).iter().any(|m| m.contains("guard interlock")));
}

/// A trouble whose own channel is public (opened while the bot made public channels)
/// gets `fix customer ACME` while the bot makes private ones: the history it posts is judged by
/// today's `private_channels`, not by the trouble's own channel (`t.private`), so an earlier
/// private confidential trouble is posted into a public channel the whole company reads. (A new
/// public trouble lists only public past troubles: README, "The customer's history".)
#[tokio::test]
async fn fix_customer_on_a_public_trouble_never_posts_a_private_past_trouble_there() {
    let mut bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    assert_eq!(trouble(&bot, &a.id).private, Some(true));
    // For a while the company runs public channels; a trouble is opened then.
    bot.restart_with_config(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"))
        .await;
    let p = bot.open_ready("Globex: dented crates").await;
    assert_eq!(trouble(&bot, &p.id).private, Some(false));
    bot.settle().await;
    // Back to private channels; P's channel stays public.
    bot.restart_with_config(&private_config()).await;

    let r = bot.command_text(SALES, &p.channel, "fix customer ACME").await;
    assert!(r.contains("orrected"), "{r}");
    bot.settle().await;
    assert_none_say(
        &bot,
        &p.channel,
        &[&a.id, "operator injured"],
        "a private trouble posted in a public channel",
    );
}

/// A confidential trouble's private channel is deleted after the company switched new
/// troubles to public channels (`private_channels = false`): the channel set up again is
/// private, as the trouble's own say (`t.private`) is, never a public one holding its kickoff,
/// summary and costs.
#[tokio::test]
async fn a_private_troubles_channel_set_up_again_after_a_deletion_stays_private() {
    let mut bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    let first = bot
        .slack
        .channels()
        .into_iter()
        .find(|c| c.id == a.channel)
        .expect("A's channel");
    assert!(first.is_private, "created private: {first:?}");
    bot.restart_with_config(&format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"))
        .await;

    bot.slack.delete_channel(&a.channel);
    let deleted = channel_event("group_deleted", &a.channel, None);
    assert_eq!(bot.event(&deleted, None).await.status(), 200);
    let again = wait_until(|| trouble(&bot, &a.id).channel.filter(|c| c.as_str() != a.channel)).await;
    bot.settle().await;
    let channel = bot
        .slack
        .channels()
        .into_iter()
        .find(|c| c.id == again.as_str())
        .expect("the new channel");
    assert_eq!(trouble(&bot, &a.id).private, Some(true), "the trouble is still private");
    let kickoff = said_in(&bot, again.as_str()).join("\n");
    assert!(
        channel.is_private,
        "set up again as a PUBLIC channel {:?} holding: {}",
        channel.name,
        kickoff.chars().take(400).collect::<String>()
    );
}

/// The everyday case: the same rep opens a second, severe ACME trouble; severity 1 brings in
/// Quality, whose members take no part in the confidential one: its kickoff thread never shows
/// them the confidential trouble's summary and costs.
#[tokio::test]
async fn the_same_reps_next_trouble_never_shows_a_private_past_trouble_to_a_new_department() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = confidential(&bot).await;
    let policy = bot.config().policy;
    let qa = trouble_bot::trouble::model::UserId::new("U0QA1");
    assert!(!trouble_bot::trouble::decide::may_see(
        &policy,
        &trouble(&bot, &a.id),
        &qa
    ));
    let answer = bot.command_text("U0QA1", "D0QA1", "history ACME").await;
    assert!(!answer.contains(&a.id), "{answer}");

    let b = bot.open_ready("sev1 ACME: labels smudged").await;
    bot.settle().await;
    assert!(bot.slack.members(&b.channel).iter().any(|m| m == "U0QA1"));
    assert_none_say(
        &bot,
        &b.channel,
        &[&a.id, "operator injured"],
        "Quality reads A's summary and costs in B's channel",
    );
    // The rep's next trouble among the same people (no department A did not have) lists it:
    // its history is for them.
    let c = bot.open_ready("ACME: paint peeling").await;
    bot.settle().await;
    assert!(
        said_in(&bot, &c.channel)
            .iter()
            .any(|m| m.contains(&a.id) && m.contains("4,200,000")),
        "{:#?}",
        said_in(&bot, &c.channel)
    );
}

/// `/trouble mine`: the asker's open troubles (owned, managed, or asking their acknowledgement
/// or decision), what waits on them first, then an overdue customer update, then the rest, each
/// as `list` shows it with what waits on them; a private trouble they take no part in stays out.
#[tokio::test]
async fn mine_lists_what_waits_on_you_first_and_never_a_trouble_you_may_not_see() {
    let bot = spawn_bot_raw(&format!("private_channels = true\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let acme = bot.open_ready("sev1 ACME: lids cracked in lot 42").await;
    let globex = bot.open_ready("sev3 Globex: labels printed wrong").await;
    let initech = bot.open_ready_as(COLLEAGUE, "sev2 Initech: pallets crushed").await;
    bot.command_text(MANAGER, &acme.channel, "ack").await;
    wait_until(|| trouble(&bot, &acme.id).ack.is_some().then_some(())).await;

    let at = |answer: &str, id: &str| {
        answer
            .find(&format!("`{id}`"))
            .unwrap_or_else(|| panic!("{id}: {answer}"))
    };
    let line = |answer: &str, id: &str| {
        answer
            .lines()
            .find(|l| l.contains(&format!("`{id}`")))
            .unwrap_or_else(|| panic!("{id}: {answer}"))
            .to_string()
    };
    // The manager: the two waiting for their acknowledgement first, the more severe first, then
    // the acknowledged sev1, which the list's order would put first.
    let answer = bot.command(MANAGER, "D0MANAGER", "mine").await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    let mine = answer["text"].as_str().unwrap_or_default().to_string();
    assert!(mine.starts_with("*Your 3 open troubles*"), "{mine}");
    assert!(
        at(&mine, &initech.id) < at(&mine, &globex.id) && at(&mine, &globex.id) < at(&mine, &acme.id),
        "{mine}"
    );
    let waiting = line(&mine, &globex.id);
    assert!(
        waiting.contains("*Globex* — labels printed wrong · sev3 · 1. ")
            && waiting.contains("⏳ waits for your acknowledgement")
            && waiting.contains("customer not updated yet")
            && waiting.ends_with(&format!("· <#{}>", globex.channel)),
        "{waiting}"
    );
    assert!(!line(&mine, &acme.id).contains("⏳"), "{mine}");

    // A proposal the manager decides asks them too: the sev1 is among those first now.
    bot.command_text(SALES, &acme.channel, "cost ¥100,000 ours replacement lot")
        .await;
    let mine = bot.command_text(MANAGER, "D0MANAGER", "mine").await;
    assert!(
        at(&mine, &acme.id) < at(&mine, &initech.id) && at(&mine, &initech.id) < at(&mine, &globex.id),
        "{mine}"
    );
    assert!(
        line(&mine, &acme.id).contains("🗳️ proposal #1 waits for your decision"),
        "{mine}"
    );
    bot.command_text(SALES, &acme.channel, "cost ¥20,000 ours express freight")
        .await;
    let mine = bot.command_text(MANAGER, "D0MANAGER", "mine").await;
    assert!(
        line(&mine, &acme.id).contains("🗳️ proposals #1, #2 wait for your decision"),
        "{mine}"
    );

    // The rep: their own two, never the colleague's private trouble they take no part in.
    let mine = bot.command_text(SALES, "D0SALES", "mine").await;
    assert!(mine.starts_with("*Your 2 open troubles*"), "{mine}");
    assert!(mine.contains(&acme.id) && mine.contains(&globex.id), "{mine}");
    assert!(!mine.contains(&initech.id) && !mine.contains("Initech"), "{mine}");
    assert!(!mine.contains("proposal #1"), "the owner decides none: {mine}");

    // Past the sev3's first-call deadline, with the sev1's customer told just now: the overdue
    // update comes before the more severe trouble.
    bot.advance_and_settle(Duration::from_secs(4 * 3600 + 300)).await;
    bot.command_text(SALES, &acme.channel, "update told them a new lot ships today")
        .await;
    let mine = bot.command_text(SALES, "D0SALES", "mine").await;
    assert!(at(&mine, &globex.id) < at(&mine, &acme.id), "{mine}");
    assert!(
        line(&mine, &globex.id).contains("⚠️ customer update overdue") && !line(&mine, &acme.id).contains("overdue"),
        "{mine}"
    );

    // Someone with none is told so, and what `list` shows.
    let none = bot.command_text("U0NOBODY", "D0NOBODY", "mine").await;
    assert!(
        none.starts_with("You own or manage no open trouble") && none.contains("`/trouble list`"),
        "{none}"
    );
    let help = bot.command_text(SALES, ORIGIN, "help").await;
    assert!(help.contains("`/trouble mine`"), "{help}");
}

/// `/trouble mine` names several of the asker's actions, and several proposals waiting for
/// their decision, in the plural, in both languages.
#[tokio::test]
async fn mine_names_several_actions_and_proposals_in_the_plural_in_both_languages() {
    for (locale, actions, proposals) in [
        (
            "en",
            "🔧 your actions #1, #2",
            "🗳️ proposals #1, #2 wait for your decision",
        ),
        ("ja", "🔧 あなたの対策 #1, #2", "🗳️ 提案 #1, #2 があなたの承認待ち"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("sev1 ACME: lids cracked in lot 42").await;
        for typed in [
            "action interim sort the stock owner: <@U0SALES>",
            "action permanent fix the mold owner: <@U0SALES>",
            "cost ¥100,000 ours replacement lot",
            "cost ¥20,000 ours express freight",
        ] {
            bot.command_text(SALES, &t.channel, typed).await;
        }
        let mine = bot.command_text(SALES, "D0SALES", "mine").await;
        assert!(mine.contains(actions), "{locale}: {mine}");
        let mine = bot.command_text(MANAGER, "D0MANAGER", "mine").await;
        assert!(mine.contains(proposals), "{locale}: {mine}");
    }
}

/// The rep names the wrong manager (another chain's) on a confidential trouble; the chain
/// names the right one. The person named by mistake is out of the chain and the bot no longer
/// lets them see the trouble, so they are taken out of its private channel too, where the
/// costs, split and notes recorded from then on are posted (`remove` refuses them: they were
/// not `add`ed). On the timeline and said in the channel.
#[tokio::test]
async fn a_manager_named_by_mistake_on_a_private_trouble_leaves_its_channel_once_replaced() {
    let bot = spawn_bot_raw(&private_config()).await;
    let a = bot
        .open_ready(&format!("sev2 <@{OTHER_MGR}> ACME: SAFETY-INCIDENT operator injured"))
        .await;
    bot.settle().await;
    assert!(bot.slack.members(&a.channel).contains(&OTHER_MGR.to_string()));
    let answer = bot
        .command_text(MANAGER, &a.channel, &format!("manager <@{MANAGER}>"))
        .await;
    assert!(answer.contains("manager is now"), "{answer}");
    bot.settle().await;
    let members = bot.slack.members(&a.channel);
    assert!(
        !members.contains(&OTHER_MGR.to_string()),
        "the manager named by mistake still reads the private channel: {members:?}"
    );
    for kept in [SALES, MANAGER] {
        assert!(members.contains(&kept.to_string()), "{kept}: {members:?}");
    }
    bot.posted_saying(&a.channel, "removed <@U0OTHERMGR> from this trouble's participants")
        .await;
    assert!(
        event_kinds(&bot, &a.id)
            .iter()
            .any(|k| k.contains("ParticipantsRemoved")),
        "{:?}",
        event_kinds(&bot, &a.id)
    );
    // A public trouble's channel is open to anyone: the one named by mistake stays.
    let public = spawn_bot().await;
    let b = public
        .open_ready(&format!("sev2 <@{COLLEAGUE}> Globex: labels smudged"))
        .await;
    public
        .command_text(MANAGER, &b.channel, &format!("manager <@{MANAGER}>"))
        .await;
    public.settle().await;
    assert!(public.slack.members(&b.channel).contains(&COLLEAGUE.to_string()));
}

/// `search` lists the newest twenty of what it finds and counts the rest (README: "the newest
/// twenty listed"), so a common word answers in one message rather than one per trouble.
#[tokio::test]
async fn search_lists_the_newest_twenty_and_counts_the_rest() {
    let bot = spawn_bot().await;
    let mut ids = Vec::new();
    for n in 1..=22 {
        let answer = bot
            .command_text(SALES, ORIGIN, &format!("open Customer{n}: cracked housings"))
            .await;
        ids.push(answer.split_whitespace().nth(1).expect("the id").to_string());
    }
    let search = bot.command_text(MANAGER, "D0MANAGER", "search housings").await;
    assert!(
        search.starts_with("*22 troubles match “housings”* (newest first)"),
        "{search}"
    );
    let listed: Vec<&str> = search.lines().filter(|l| l.starts_with("• ")).collect();
    assert_eq!(listed.len(), 20, "{search}");
    assert!(listed[0].contains(&ids[21]) && listed[19].contains(&ids[2]), "{search}");
    assert!(!search.contains(&format!("{} ", ids[1])), "{search}");
    assert!(search.trim_end().ends_with("…and 2 more"), "{search}");
}

/// `list` shows fifty open troubles and counts the rest (README: "fifty at most").
#[tokio::test]
async fn list_shows_fifty_and_counts_the_rest() {
    let bot = spawn_bot().await;
    for n in 1..=52 {
        bot.command_text(SALES, ORIGIN, &format!("open Customer{n}: cracked housings"))
            .await;
    }
    let list = bot.command_text(MANAGER, "D0MANAGER", "list").await;
    assert!(list.starts_with("*52 open troubles*"), "{list}");
    let listed = list.matches("Customer").count();
    assert_eq!(listed, 50, "{list}");
    assert!(list.trim_end().ends_with("…and 2 more"), "{list}");
}

/// `stats`' times to acknowledgement and to first contact are measured over the troubles that
/// have one; those without (a sev1 nobody acknowledged all night, a customer never called) are
/// counted beside them, so a median of 0s over the others never reads as all well. Once
/// acknowledged and called, the trouble is measured and the count goes.
#[tokio::test]
async fn stats_counts_the_troubles_its_times_leave_out_for_want_of_an_acknowledgement_or_a_call() {
    let bot = spawn_bot().await;
    let night = bot.open_ready("sev1 MegaCorp: line 3 stopped").await;
    let calm = bot.open_ready("sev3 ACME: label misprint").await;
    bot.command_text(MANAGER, &calm.channel, "ack").await;
    bot.command_text(SALES, &calm.channel, "update called them").await;
    bot.advance_and_settle(std::time::Duration::from_secs(3600 * 8)).await;

    let stats = bot.command_text(VP, "D0VP", "stats").await;
    assert!(
        with_times_elided(&stats).contains(
            "To manager acknowledgement: median _ · p90 _ (1 trouble) · not acknowledged: 1 (⚠️ 1 still waiting now)\n"
        ),
        "{stats}"
    );
    assert!(
        with_times_elided(&stats)
            .contains("To first customer contact: median _ · p90 _ (1 trouble) · customer not updated: 1\n"),
        "{stats}"
    );

    bot.command_text(VP, &night.channel, "ack").await;
    bot.command_text(SALES, &night.channel, "update called them").await;
    let stats = bot.command_text(VP, "D0VP", "stats").await;
    assert!(stats.contains("(2 troubles)\n"), "{stats}");
    assert!(
        !stats.contains("not acknowledged") && !stats.contains("not updated"),
        "{stats}"
    );

    // In Japanese alike.
    let ja = spawn_bot_in("ja").await;
    ja.open_ready("sev1 MegaCorp: ライン停止").await;
    let stats = ja.command_text(VP, "D0VP", "stats").await;
    assert!(
        stats.contains("上司の確認まで: 記録なし · 上司の確認なし 1件（⚠️ 今も確認待ち 1件）\n")
            && stats.contains("お客様への初回連絡まで: 記録なし · お客様への連絡なし 1件\n"),
        "{stats}"
    );
}

/// `list` (§4) gives each open trouble its id, customer, severity, stage, whether it was
/// acknowledged, how long the customer has not heard from us, and a link to its channel.
#[tokio::test]
async fn list_rows_say_id_customer_severity_stage_acknowledgement_wait_and_channel() {
    let bot = spawn_bot().await;
    let acked = bot.open_ready("sev3 ACME: cracked housings").await;
    bot.command_text(MANAGER, &acked.channel, "ack").await;
    bot.command_text(SALES, &acked.channel, "next goods recovered").await;
    bot.command_text(SALES, &acked.channel, "update told them we replace the lot")
        .await;
    let waiting = bot.open_ready("Globex: label misprint").await;
    bot.advance(Duration::from_secs(2 * 3600 + 10 * 60));
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    let row = |id: &str| -> String {
        list.lines()
            .find(|l| l.contains(&format!("`{id}`")))
            .unwrap_or_else(|| panic!("{id} in:\n{list}"))
            .to_string()
    };
    let first = row(&acked.id);
    for said in [
        "*ACME*",
        "sev3",
        "2. Share the scope of impact",
        "· acknowledged ·",
        "customer last heard 2h10m ago",
        &format!("<#{}>", acked.channel),
    ] {
        assert!(first.contains(said), "{said} in: {first}");
    }
    let second = row(&waiting.id);
    for said in [
        "*Globex*",
        "sev2",
        "1. Gather facts, recover the affected goods",
        "not acknowledged",
        "customer not updated yet (opened 2h10m ago)",
        &format!("<#{}>", waiting.channel),
    ] {
        assert!(second.contains(said), "{said} in: {second}");
    }
}
