//! `/trouble open` end to end: the first move, the channel, the kickoff, and bad input.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn manager_is_pinged_before_the_channel_exists_and_the_dm_later_links_it() {
    let bot = spawn_bot().await;
    // Slack does not answer conversations.create until the DM has gone out.
    bot.slack.hold("conversations.create");
    let answer = bot
        .command_text(SALES, ORIGIN, "open ACME: defective housings in lot 42")
        .await;
    assert!(answer.contains("opened"), "{answer}");
    // The answer goes before any DM is tried: it says the DM is on its way, not that it arrived.
    assert!(
        answer.contains("Your manager is being told by DM") && !answer.contains("has been pinged"),
        "{answer}"
    );

    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    bot.slack.wait_held("conversations.create", |_| true).await;
    // §5.1: customer, summary, severity and owner, before any channel exists.
    for said in ["ACME", "defective housings in lot 42", "sev2", &format!("<@{SALES}>")] {
        assert!(text_of(&dm.params).contains(said), "the DM says {said}: {}", dm.params);
    }
    assert!(
        bot.slack.channels().is_empty(),
        "the DM went out while the channel was still being created"
    );
    bot.slack.release("conversations.create");

    let update = bot
        .slack
        .wait_for("chat.update", |c| {
            c.params["channel"].as_str().is_some_and(|ch| ch.starts_with('D'))
        })
        .await;
    let channel = bot.slack.channels()[0].id.clone();
    assert!(
        text_of(&update.params).contains(&format!("<#{channel}>")),
        "the DM now links the channel: {}",
        update.params
    );
}

#[tokio::test]
async fn kickoff_mentions_the_manager_and_every_department_and_is_pinned() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev1 +field ACME: defective housings in lot 42").await;
    let text = kickoff_text(&bot, &t);
    assert!(text.contains(&format!("<@{MANAGER}>")), "{text}");
    assert!(
        text.contains("<!subteam^S0QUALITY"),
        "sev1 always brings quality: {text}"
    );
    assert!(text.contains("<!subteam^S0FIELD"), "+field was named: {text}");
    assert!(
        text.contains(
            "Related departments: <!subteam^S0FIELD> (Field Service), <!subteam^S0QUALITY> (Quality Assurance)"
        ),
        "each department by its group and name, as a list: {text}"
    );
    // What it is about and whose it is, and the seven stages to go through.
    for said in ["defective housings in lot 42", "ACME", "sev1", &format!("<@{SALES}>")] {
        assert!(text.contains(said), "{said} in the kickoff: {text}");
    }
    for stage in trouble_bot::trouble::model::StageId::all() {
        let name = trouble_bot::i18n::stage_name(trouble_bot::i18n::Locale::En, stage);
        assert!(text.contains(name), "stage {name:?} in the kickoff: {text}");
    }
    assert!(
        text.contains("\"action_id\":\"acknowledge\""),
        "the Acknowledge button: {text}"
    );
    let pins = bot.slack.pins(&t.channel);
    assert!(pins.contains(&t.kickoff_ts), "kickoff pinned");
    assert_eq!(pins.len(), 2, "kickoff and status pinned");
    // The announce channel of sev1 and the origin channel heard of it.
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == "C0BIZUNIT")
        .await;
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == ORIGIN)
        .await;
}

#[tokio::test]
async fn everyone_expected_is_invited() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("+quality +field ACME: broken").await;
    bot.slack.wait_for("conversations.invite", |_| true).await;
    let members = bot.slack.members(&t.channel);
    for user in [SALES, MANAGER, "U0QA1", "U0QA2", "U0FS1"] {
        assert!(members.iter().any(|m| m == user), "{user} not in {members:?}");
    }
}

#[tokio::test]
async fn more_than_100_invitees_are_split_into_batches() {
    let members: Vec<String> = (0..150).map(|i| format!("\"U1{i:05}\"")).collect();
    let extra = format!(
        "{DEFAULT_SEVERITIES}\n[departments.plant]\nname = \"Plant\"\nmembers = [{}]\n",
        members.join(",")
    );
    let bot = spawn_bot_with(&extra).await;
    let t = bot.open_ready("+plant ACME: broken").await;
    let invites = bot
        .slack
        .wait_for_n("conversations.invite", 2, |c| c.params["channel"] == t.channel.as_str())
        .await;
    for i in &invites {
        let n = i.params["users"].as_str().unwrap().split(',').count();
        assert!(n <= 100, "batch of {n}");
    }
    assert_eq!(
        bot.slack.members(&t.channel).len(),
        1 + 152,
        "the bot, the rep, the manager and 150 plant members"
    );
}

#[tokio::test]
async fn a_taken_name_gets_a_suffix_and_a_japanese_only_customer_gets_no_slug() {
    let bot = spawn_bot().await;
    let day = bot
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y%m%d")
        .to_string();
    bot.slack.take_name(&format!("trouble-{day}-1-acme"));
    let first = bot.open_ready("ACME: broken").await;
    let second = bot.open_ready("山田工業：ハウジング不良").await;
    let names: Vec<String> = bot.slack.channels().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&format!("trouble-{day}-1-acme-2")), "{names:?}");
    assert!(names.contains(&format!("trouble-{day}-2")), "{names:?}");
    assert_ne!(first.channel, second.channel);
}

#[tokio::test]
async fn bad_signatures_stale_timestamps_and_missing_headers_get_401_and_change_nothing() {
    let bot = spawn_bot().await;
    let form = bot.command_form(SALES, ORIGIN, "open ACME: broken");
    let now = bot.now_secs().to_string();
    let stale = (bot.now_secs() - 301).to_string();
    let good = trouble_bot::slack::signature::sign(SECRET, &now, form.as_bytes());
    let other_secret = trouble_bot::slack::signature::sign("another-secret", &now, form.as_bytes());
    let stale_sig = trouble_bot::slack::signature::sign(SECRET, &stale, form.as_bytes());
    type Case<'a> = (&'a str, Vec<u8>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "other secret",
            form.clone().into_bytes(),
            vec![
                ("x-slack-request-timestamp", &now),
                ("x-slack-signature", &other_secret),
            ],
        ),
        (
            "stale",
            form.clone().into_bytes(),
            vec![("x-slack-request-timestamp", &stale), ("x-slack-signature", &stale_sig)],
        ),
        ("no headers", form.clone().into_bytes(), vec![]),
        (
            "no signature",
            form.clone().into_bytes(),
            vec![("x-slack-request-timestamp", &now)],
        ),
        (
            "altered body",
            form.replace("ACME", "ACNE").into_bytes(),
            vec![("x-slack-request-timestamp", &now), ("x-slack-signature", &good)],
        ),
        (
            "duplicated signature",
            form.clone().into_bytes(),
            vec![
                ("x-slack-request-timestamp", &now),
                ("x-slack-signature", &other_secret),
                ("x-slack-signature", &good),
            ],
        ),
    ];
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        for (what, body, headers) in &cases {
            let r = bot
                .post_raw(path, "application/x-www-form-urlencoded", body.clone(), headers)
                .await;
            assert_eq!(r.status(), 401, "{what} on {path}");
            assert!(r.text().await.unwrap().is_empty(), "no detail");
        }
    }
    let big = vec![b'a'; 1024 * 1024 + 10];
    let r = bot
        .post_raw("/slack/commands", "application/x-www-form-urlencoded", big, &[])
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(bot.store().trouble_count(), 0);
    bot.expect_none("chat.postMessage", |_| true).await;
    assert!(
        bot.slack.calls().iter().all(|c| c.method == "auth.test"),
        "no Slack call but auth.test: {:?}",
        bot.slack.calls().iter().map(|c| c.method.clone()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_foreign_workspace_gets_403_when_a_team_is_configured() {
    let bot = spawn_bot_raw(&format!("team_id = \"T0MINE\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let r = bot
        .post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            &bot.command_form(SALES, ORIGIN, "open ACME: x"),
        )
        .await;
    assert_eq!(r.status(), 403, "the form says T0TEAM");
    assert_eq!(bot.store().trouble_count(), 0);
}

/// An event refused for another workspace's, or for a body that does not read, tells Slack not
/// to send it again: its three retries would fail alike, and count against the app's events.
#[tokio::test]
async fn an_event_of_another_workspace_or_that_does_not_read_asks_slack_not_to_retry() {
    let bot = spawn_bot_raw(&format!("team_id = \"T0MINE\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let foreign = bot
        .event(&message_event("EvOTHER", "C0ELSEWHERE", SALES, "1.1", None), None)
        .await;
    let unreadable = bot.post_signed("/slack/events", "application/json", "{not json").await;
    for (r, status) in [(foreign, 403), (unreadable, 400)] {
        assert_eq!(r.status(), status);
        assert_eq!(
            r.headers().get("x-slack-no-retry").map(|v| v.as_bytes()),
            Some(&b"1"[..]),
            "{status}"
        );
    }
}

/// `team_id` may name an Enterprise Grid organization (README, Configuration): Slack sends it
/// as `enterprise_id` in commands, interactions (`team.enterprise_id`) and events, beside the
/// workspace's `T…` in `team_id` (slack-fixtures/inbound). A request of the org is taken, and one
/// of another org or of no org is refused.
#[tokio::test]
async fn an_enterprise_grid_org_as_team_id_takes_its_workspaces_requests_and_refuses_the_rest() {
    let bot = spawn_bot_raw(&format!("team_id = \"E0ORG\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    let command = |org: Option<&str>, text: &str| {
        let form = bot.command_form(SALES, ORIGIN, text);
        match org {
            Some(org) => format!("{form}&enterprise_id={org}&enterprise_name=Org"),
            None => form,
        }
    };
    let event = |org: Option<&str>| {
        let mut body = message_event(&format!("Ev{}", unique()), "C0ELSEWHERE", SALES, "1.1", None);
        body["enterprise_id"] = org.map_or(Value::Null, |o| Value::String(o.into()));
        body
    };
    let click = |org: Option<&str>| {
        let mut payload = button_payload(&bot.slack, MANAGER, "nosuchaction", "20261130-1", ORIGIN);
        payload["team"]["enterprise_id"] = org.map_or(Value::Null, |o| Value::String(o.into()));
        payload
    };
    let form = "application/x-www-form-urlencoded";
    for org in [None, Some("E0OTHER")] {
        let r = bot
            .post_signed("/slack/commands", form, &command(org, "open ACME: x"))
            .await;
        assert_eq!(r.status(), 403, "{org:?}");
        assert_eq!(bot.event(&event(org), None).await.status(), 403, "{org:?}");
        assert_eq!(bot.interaction(&click(org)).await.status(), 403, "{org:?}");
    }
    assert_eq!(bot.store().trouble_count(), 0);

    let r = bot
        .post_signed(
            "/slack/commands",
            form,
            &command(Some("E0ORG"), "open ACME: defective housings"),
        )
        .await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert!(text_of(&answer).contains("opened"), "{answer}");
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    assert_eq!(bot.event(&event(Some("E0ORG")), None).await.status(), 200);
    assert_eq!(bot.interaction(&click(Some("E0ORG"))).await.status(), 200);
}

#[tokio::test]
async fn a_malformed_open_gets_usage_and_nothing_is_stored_or_sent() {
    let bot = spawn_bot().await;
    for text in [
        "open ACME defective housings",
        "open : no customer",
        "open ACME:",
        "open +nosuchdept ACME: x",
        "open sev9 ACME: x",
        "frobnicate",
    ] {
        let answer = bot.command_text(SALES, ORIGIN, text).await;
        assert!(!answer.is_empty(), "{text} explained");
    }
    let usage = bot.command_text(SALES, ORIGIN, "open ACME defective").await;
    assert!(usage.contains("colon"), "{usage}");
    let dept = bot.command_text(SALES, ORIGIN, "open +nosuchdept ACME: x").await;
    assert!(
        dept.contains("+quality") && dept.contains("+field"),
        "lists the known departments: {dept}"
    );
    assert_eq!(bot.store().trouble_count(), 0);
    bot.expect_none("chat.postMessage", |_| true).await;
}

#[tokio::test]
async fn help_ssl_check_url_verification_and_health() {
    let bot = spawn_bot().await;
    let help = bot.command_text(SALES, ORIGIN, "help").await;
    assert!(help.contains("/trouble open"));
    // A trouble with no channel to type in takes its commands named: the help says how.
    assert!(
        help.contains("a trouble with no channel takes any of them in a DM, its id right after the command"),
        "{help}"
    );
    let r = bot
        .post_raw(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            b"ssl_check=1&token=x".to_vec(),
            &[],
        )
        .await;
    assert_eq!(r.status(), 200);
    // Unsigned, anything but the check itself is refused: a command that also says ssl_check,
    // or the check with another value.
    for form in ["ssl_check=1&command=%2Ftrouble&text=help", "ssl_check=0&token=x"] {
        let r = bot
            .post_raw("/slack/commands", "application/x-www-form-urlencoded", form.into(), &[])
            .await;
        assert_eq!(r.status(), 401, "{form}");
    }
    // Signed, a command naming its user twice names nobody: refused, nothing opened.
    let twice = format!(
        "{}&user_id=U0OTHER",
        bot.command_form(SALES, ORIGIN, "open ACME: broken")
    );
    let r = bot
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", &twice)
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(bot.store().trouble_count(), 0);
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/slack/inbound/events/url_verification.json"
    ))
    .unwrap();
    let r = bot.post_signed("/slack/events", "application/json", &body).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let expected: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["challenge"], expected["challenge"]);
    let health = http_get(format!("{}/healthz", bot.base_url)).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn when_the_bot_cannot_post_in_the_origin_channel_the_reporter_hears_through_response_url() {
    let bot = spawn_bot().await;
    bot.slack.set_not_in_channel(ORIGIN);
    bot.command_text(SALES, ORIGIN, "open ACME: broken").await;
    let respond = bot.slack.wait_for("response_url", |_| true).await;
    assert!(
        respond.params["text"].as_str().unwrap().contains("ACME"),
        "{}",
        respond.params
    );
}

/// Slack takes a command's response_url for half an hour. The notice the origin channel refused
/// after an outage longer than that reaches the reporter by DM, never through the dead URL.
#[tokio::test]
async fn a_notice_refused_after_the_response_url_expired_reaches_the_reporter_by_dm() {
    let bot = spawn_bot().await;
    let clock = bot.clock.clone();
    bot.slack.use_clock(move || std::time::SystemTime::from(clock.now()));
    bot.slack.set_not_in_channel(ORIGIN);
    bot.slack.outage(Duration::from_secs(3600));
    let answer = bot.command_text(SALES, ORIGIN, "open ACME: broken").await;
    assert!(answer.contains("opened"), "{answer}");
    bot.slack.wait_for("chat.postMessage", |_| true).await;
    bot.advance(Duration::from_secs(31 * 60));
    bot.slack.end_outage();
    bot.advance_and_settle(Duration::from_secs(60)).await;
    let told = bot.posted_saying(SALES, "opened trouble").await;
    assert!(told.contains("ACME"), "{told}");
    bot.expect_none("response_url", |_| true).await;
}

/// A response_url Slack refuses (used up, or expired while the notice waited) is no lost
/// notice: the reporter hears by DM, and the timeline says the URL was refused.
#[tokio::test]
async fn a_response_url_slack_refuses_leaves_the_reporter_told_by_dm() {
    let bot = spawn_bot().await;
    bot.slack.set_not_in_channel(ORIGIN);
    bot.slack.fail_http_next("response_url", 404, 1);
    let t = bot.open_ready("ACME: broken").await;
    bot.slack.wait_for("response_url", |_| true).await;
    let told = bot.posted_saying(SALES, "opened trouble").await;
    assert!(told.contains("ACME"), "{told}");
    bot.settle().await;
    let kinds = event_kinds(&bot, &t.id);
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("DeliveryFailed") && k.contains("response_url")),
        "{kinds:?}"
    );
}

/// The reporter alone heard, privately: the timeline says the channel did not, and /metrics
/// counts the refused post as refused, not as a call that went through.
#[tokio::test]
async fn a_notice_the_origin_channel_refuses_is_on_the_timeline_and_counted_as_refused() {
    let bot = spawn_bot().await;
    bot.slack.set_not_in_channel(ORIGIN);
    let t = bot.open_ready("ACME: broken").await;
    bot.slack.wait_for("response_url", |_| true).await;
    bot.settle().await;
    let kinds = event_kinds(&bot, &t.id);
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("OriginNoticeFailed") && k.contains(ORIGIN) && k.contains("not_in_channel")),
        "{kinds:?}"
    );
    let metrics = metrics_at(&bot.base_url).await;
    assert!(
        metrics.contains("trouble_bot_slack_calls_total{method=\"chat.postMessage\",outcome=\"permanent_error\"} 1\n"),
        "{metrics}"
    );
    bot.command_text(SALES, &t.channel, "report").await;
    bot.posted_saying(&t.channel, "only the reporter was told").await;
}

/// Slack writes a person's name after their id in a mention, and a name may hold spaces: the
/// mention still names the manager, and the customer is what follows it.
#[tokio::test]
async fn a_manager_named_with_a_name_of_two_words_is_the_manager_and_not_part_of_the_customer() {
    let bot = spawn_bot().await;
    let t = bot
        .open_ready(&format!("sev2 <@{COLLEAGUE}|Taro Yamada> ACME: cracked housings"))
        .await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(opened.manager.as_ref().map(|m| m.as_str()), Some(COLLEAGUE));
    assert_eq!(
        (opened.customer.as_str(), opened.summary.as_str()),
        ("ACME", "cracked housings")
    );
    bot.posted_saying(COLLEAGUE, "Please acknowledge").await;
}

#[tokio::test]
async fn without_any_manager_the_trouble_opens_and_the_channel_says_how_to_name_one() {
    let bot = spawn_bot_raw("locale = \"en\"\n").await;
    let answer = bot.command_text(SALES, ORIGIN, "open ACME: broken").await;
    assert!(answer.contains("opened"), "{answer}");
    let hint = bot
        .slack
        .wait_for("chat.postMessage", |c| text_of(&c.params).contains("/trouble manager"))
        .await;
    assert!(hint.params["channel"].as_str().unwrap().starts_with('C'));
}

#[tokio::test]
async fn after_a_restart_list_still_shows_the_trouble_and_nothing_is_resent() {
    let mut bot = spawn_bot().await;
    let t = bot.open_ready("ACME: broken").await;
    bot.slack
        .wait_for("chat.update", |c| {
            c.params["channel"].as_str().is_some_and(|ch| ch.starts_with('D'))
        })
        .await;
    // The origin's notice goes in its own lane and may be the last to carry the channel's link.
    wait_until(|| {
        let calls = bot.slack.calls();
        calls
            .into_iter()
            .find(|c| c.params["channel"] == ORIGIN && text_of(&c.params).contains("<#C"))
    })
    .await;
    // Reads are not sends: the start-up's identity check, and the look at whether the channel
    // `list` is typed in is shared outside.
    let sent = |c: &&Call| !["auth.test", "conversations.info"].contains(&c.method.as_str());
    let before = bot.slack.calls().iter().filter(sent).count();
    let mark = last_call(&bot);
    bot.restart().await;
    let list = bot.command_text(SALES, ORIGIN, "list").await;
    assert!(list.contains(&t.id) && list.contains("ACME"), "{list}");
    assert!(
        list.starts_with("*1 open trouble*\n"),
        "one, as English counts it: {list}"
    );
    bot.expect_none("chat.postMessage", |c| c.seq > mark).await;
    let after = bot.slack.calls().iter().filter(sent).count();
    assert_eq!(before, after, "nothing re-sent");
}

/// A bot stopped cleanly while a trouble's lines wait their turn in its channel leaves them
/// queued as never sent: the next start posts each once, at once, looking for none of them in
/// Slack (what it may have begun is looked for instead: see pacing.rs), rather than waiting out
/// a Slack timeout for calls that never left.
#[tokio::test]
async fn lines_a_clean_stop_left_waiting_their_turn_go_out_after_the_restart_without_a_look_in_slack() {
    use trouble_bot::trouble::decide::{Dest, Op};
    let mut bot = spawn_bot().await;
    let answer = bot.command_text(SALES, ORIGIN, "open ACME: broken").await;
    assert!(answer.contains("opened"), "{answer}");
    // The kickoff took the new channel's turn; the lines after it wait for the next (the test's
    // clock stands still).
    let kickoff = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"]
                .as_str()
                .is_some_and(|ch| ch.starts_with('C') && ch != ORIGIN)
        })
        .await;
    let channel = kickoff.params["channel"].as_str().unwrap().to_string();
    bot.stop().await;
    let store = sled_store(bot.dir.path()).await;
    let waiting: Vec<_> = store
        .outbox_items()
        .expect("outbox")
        .into_iter()
        .filter(|i| {
            matches!(
                &i.op,
                Op::Post {
                    to: Dest::TroubleChannel | Dest::KickoffThread,
                    ..
                }
            )
        })
        .collect();
    assert!(!waiting.is_empty(), "lines wait their turn in the channel");
    let head = store.lane_head(&waiting[0].lane_key()).expect("lane").expect("queued");
    assert_eq!(
        head.attempt_started_at, None,
        "as the next run reads it: never begun, so not looked for"
    );
    drop(store);
    let posted_before = bot.slack.messages_in(&channel).len();

    bot.restart().await;
    bot.settle().await;
    let looked = bot.slack.calls_to("conversations.history").len() + bot.slack.calls_to("conversations.replies").len();
    assert_eq!(looked, 0, "nothing looked for in Slack");
    let lines: Vec<String> = bot.slack.messages_in(&channel).iter().map(text_of).collect();
    assert!(
        lines.len() >= posted_before + waiting.len(),
        "every waiting line posted: {lines:#?}"
    );
    for line in &lines {
        assert_eq!(lines.iter().filter(|l| *l == line).count(), 1, "posted once: {line}");
    }
}

#[tokio::test]
async fn text_slack_escaped_in_the_command_is_posted_back_once_escaped_and_slugs_plainly() {
    let bot = spawn_bot().await;
    // Slack sends a typed `A&B: housing <lot 42>` as entities; mentions stay real references.
    let t = bot
        .open_ready("A&amp;B Co: housing &lt;lot 42&gt; cracked, ask <@U0QA1>")
        .await;
    let kickoff = bot
        .slack
        .messages_in(&t.channel)
        .into_iter()
        .find(|m| m["ts"] == t.kickoff_ts.as_str())
        .unwrap();
    let text = text_of(&kickoff);
    assert!(text.contains("A&amp;B Co") && text.contains("&lt;lot 42&gt;"), "{text}");
    assert!(
        !text.contains("&amp;amp;") && !text.contains("&amp;lt;"),
        "escaped twice: {text}"
    );
    assert!(
        text.contains("<@U0QA1>"),
        "a mention in the summary stays a mention: {text}"
    );
    let name = bot.slack.channels()[0].name.clone();
    assert!(name.ends_with("-a-b-co"), "{name}");
}

#[tokio::test]
async fn eighty_opens_at_once_for_eighty_managers_reach_slack_over_connections_kept_alive() {
    let bot = std::sync::Arc::new(spawn_bot().await);
    let n = 80;
    let mut opens = tokio::task::JoinSet::new();
    for i in 0..n {
        let bot = bot.clone();
        opens.spawn(async move {
            // Each its own manager: eighty DM lanes, which no delivery slot bounds, run at once.
            let text = format!("open <@U0MGR{i:03}> ACME{i}: housing cracked on lot {i}");
            bot.command_text(SALES, ORIGIN, &text).await
        });
    }
    while let Some(answer) = opens.join_next().await {
        let answer = answer.expect("the open ran");
        assert!(answer.contains("opened"), "{answer}");
    }
    eventually("every kickoff and status pinned", Duration::from_secs(60), || {
        (bot.slack.calls_to("pins.add").len() >= 2 * n).then_some(())
    })
    .await;
    let (calls, connections) = (bot.slack.call_count(), bot.slack.connection_count());
    println!("{calls} calls to Slack over {connections} connections");
    assert!(calls >= 6 * n as u64, "every open made its calls: {calls}");
    // Dropping connections beyond a small idle pool would open a new one for most calls.
    assert!(
        connections * 4 <= calls,
        "{calls} calls over {connections} connections: connections are not reused"
    );
}

#[tokio::test]
async fn an_announcement_slack_refuses_is_on_the_timeline_and_the_owner_is_told_to_pass_it_on() {
    let bot = spawn_bot().await;
    // A private announce channel the bot was never invited to.
    bot.slack.lose_channel("C0BIZUNIT", "channel_not_found");
    let t = bot.open_ready("sev1 ACME: defective housings in lot 42").await;
    let text = bot.posted_saying(SALES, "announcement").await;
    assert!(
        text.contains("could not be posted in <#C0BIZUNIT> (channel_not_found)") && text.contains(&t.id),
        "{text}"
    );
    bot.settle().await;
    let timeline = bot
        .store()
        .timeline(&trouble_bot::trouble::model::TroubleId::new(&t.id))
        .unwrap();
    assert!(timeline.iter().any(|e| matches!(
        &e.event,
        trouble_bot::trouble::timeline::Event::DeliveryFailed { error, .. } if error == "channel_not_found"
    )));
    bot.nothing_posted_saying(MANAGER, "announcement").await;
}

/// A raise whose announce channel refuses it is told to the owner as the announcement at open
/// is: the people there must hear of it somehow.
#[tokio::test]
async fn a_raise_the_announce_channel_refuses_is_told_to_the_owner_to_pass_on() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev2 ACME: defective housings in lot 42").await;
    bot.slack.lose_channel("C0BIZUNIT", "channel_not_found");
    bot.command_text(SALES, &t.channel, "sev 1").await;
    let text = bot.posted_saying(SALES, "could not be announced").await;
    assert!(
        text.contains(&t.id) && text.contains("raise to") && text.contains("<#C0BIZUNIT> (channel_not_found)"),
        "{text}"
    );
    bot.settle().await;
    assert!(event_kinds(&bot, &t.id)
        .iter()
        .any(|k| k.starts_with("DeliveryFailed") && k.contains("channel_not_found")));
}

/// A rep in a hurry who types `opne` is shown the command they meant, ready to send again, and
/// nothing opens: a guess must never ping a manager. `起票`, the word the bot itself uses, opens.
#[tokio::test]
async fn a_slip_in_the_command_word_is_answered_with_the_command_meant_and_opens_nothing() {
    let bot = spawn_bot().await;
    let answer = bot
        .command_text(SALES, ORIGIN, "opne ACME: lid cracked <!channel>")
        .await;
    assert_eq!(
        answer,
        "There is no `opne` command. Did you mean `/trouble open ACME: lid cracked @channel`?"
    );
    assert_eq!(
        bot.command_text(SALES, ORIGIN, "frobnicate").await,
        "There is no `frobnicate` command. `/trouble help` lists them."
    );
    assert_eq!(bot.store().trouble_count(), 0, "nothing opened");
    bot.expect_none("chat.postMessage", |_| true).await;

    let opened = bot.command_text(SALES, ORIGIN, "起票 山田工業：ハウジング割れ").await;
    assert!(opened.starts_with("Trouble "), "{opened}");
    assert_eq!(bot.store().trouble_count(), 1);
}

/// In Japanese the departments read as a Japanese list: full-width brackets, 、 between them.
#[tokio::test]
async fn the_kickoff_lists_the_departments_as_japanese_reads_them() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("sev1 +field ACME: ハウジング割れ").await;
    let text = kickoff_text(&bot, &t);
    assert!(
        text.contains("関係部門: <!subteam^S0FIELD>（Field Service）、<!subteam^S0QUALITY>（Quality Assurance）"),
        "{text}"
    );
}

/// A Japanese team reads what it did in Japanese words: a note is a memo, a split only a
/// proposal, the status names the latest customer update (not a "final" one), the payer is
/// 当社, a list takes 、 and a department its name, and a command missing its reason asks for one.
#[tokio::test]
async fn a_japanese_team_reads_its_work_in_japanese_words() {
    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: ハウジング割れ").await;

    let help = bot.command_text(SALES, &t.channel, "help").await;
    for shown in [
        "`¥120,000 当社 交換品送料`",
        "`/trouble note メモ` — メモを記録",
        "チャンネルのないトラブルは、どのコマンドもコマンドのすぐ後に番号を付けて DM で",
        "[次回：15:00]",
        "`/trouble action 暫定|恒久|再発防止 ",
        "（項目は 品番、ロット番号、個数、発生日、発見場所、症状）",
    ] {
        assert!(help.contains(shown), "{shown:?} in: {help}");
    }
    let usage = bot.command_text(SALES, &t.channel, "cost").await;
    assert!(usage.contains("`/trouble cost ¥120,000 当社 交換品送料`"), "{usage}");
    for (typed, asked) in [
        ("reopen", "`/trouble reopen` の後に理由を入力してください。"),
        ("close force", "`/trouble close force` の後に理由を入力してください。"),
        (
            "note",
            "`/trouble note` の後に内容を入力してください（空欄や記号・絵文字だけでは記録しません）。",
        ),
        // Punctuation alone is no reason, and no customer contact restarting the clock.
        ("close force .", "`/trouble close force` の後に理由を入力してください。"),
        (
            "update 。",
            "`/trouble update` の後に内容を入力してください（空欄や記号・絵文字だけでは記録しません）。",
        ),
    ] {
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert_eq!(r, asked, "{typed}");
    }
    let sev = trouble(&bot, &t.id).severity.level();
    let r = bot.command_text(MANAGER, &t.channel, &format!("sev {sev}")).await;
    assert_eq!(r, format!("重大度はすでに sev{sev} です。"));

    bot.command_text(SALES, &t.channel, "note 先方の購買から電話あり").await;
    bot.posted_saying(
        &t.channel,
        &format!("📝 <@{SALES}>さんがメモを記録: 先方の購買から電話あり"),
    )
    .await;
    bot.command_text(SALES, &t.channel, "split 70/30 金型の摩耗").await;
    bot.posted_saying(&t.channel, &format!("⚖️ <@{SALES}>さんが責任区分を提案: 当社 70%"))
        .await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 当社 交換品送料")
        .await;

    let r = bot.command_text(SALES, &t.channel, "add <@U0FS1> +field").await;
    assert!(r.starts_with("<@U0FS1>さん、Field Serviceを参加者に追加し"), "{r}");
    bot.posted_saying(
        &t.channel,
        &format!("➕ <@{SALES}>さんが <@U0FS1>さん、<!subteam^S0FIELD>（Field Service） をこのトラブルの参加者に追加しました。"),
    )
    .await;

    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(
        status.contains("直近のお客様報告") && !status.contains("最終報告"),
        "{status}"
    );

    // The report's timeline: a memo, and the cost as every other line says one.
    bot.command_text(SALES, &t.channel, "report").await;
    let report = bot.posted_saying(&t.channel, "メモ: 先方の購買から電話あり").await;
    assert!(report.contains("費用 ¥120,000（当社負担） — 交換品送料"), "{report}");
    assert!(!report.contains("事実: ") && !report.contains("負担 当社"), "{report}");
}

/// The kickoff message as posted: its text and blocks.
fn kickoff_text(bot: &TestBot, t: &OpenedTrouble) -> String {
    let messages = bot.slack.messages_in(&t.channel);
    let kickoff = messages
        .iter()
        .find(|m| m["ts"] == t.kickoff_ts.as_str())
        .expect("kickoff posted");
    text_of(kickoff)
}

/// A Japanese input method types the options full-width: `ｓｅｖ１ ＋quality` still brings the
/// severity's people in rather than becoming part of the customer's name, and `開始 3` typed in
/// the trouble's channel starts stage 3 instead of opening another trouble.
#[tokio::test]
async fn full_width_options_open_as_typed_and_kaishi_starts_a_stage() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ｓｅｖ１ ＋field ACME：ハウジング割れ").await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(opened.severity.level(), 1);
    assert_eq!(opened.customer, "ACME");
    assert_eq!(opened.departments, ["field"]);
    let text = kickoff_text(&bot, &t);
    assert!(
        text.contains("<!subteam^S0FIELD>") && text.contains("<!subteam^S0QUALITY>"),
        "{text}"
    );

    let answer = bot.command_text(SALES, &t.channel, "開始 3 原因調査に着手").await;
    assert!(answer.contains("Stage 3"), "{answer}");
    assert_eq!(bot.store().trouble_count(), 1, "nothing else opened");
}

/// A customer typed with a letter from another script that looks Latin (`AСME`, its С
/// Cyrillic) is ACME: its past troubles are shown in the kickoff thread, and `history ACME`
/// and `search` find it, so a look-alike never slips past the recurrence check.
#[tokio::test]
async fn a_customer_typed_with_a_look_alike_letter_is_the_same_customer() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: lid cracked").await;
    // Cyrillic С in the name, Cyrillic о in "housings".
    let second = bot.open_ready("AСME: hоusings cracked again").await;
    bot.paced("the kickoff thread shows ACME's earlier trouble", || {
        bot.slack
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| {
                c.params["channel"] == second.channel.as_str()
                    && c.params["thread_ts"] == second.kickoff_ts.as_str()
                    && text_of(&c.params).contains(&first.id)
            })
            .then_some(())
    })
    .await;
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(history.contains(&first.id) && history.contains(&second.id), "{history}");
    let found = bot.command_text(SALES, ORIGIN, "search acme").await;
    assert!(found.contains(&second.id), "{found}");
    let found = bot.command_text(SALES, ORIGIN, "search housings cracked").await;
    assert!(
        found.contains(&second.id),
        "a word typed with a look-alike is found: {found}"
    );
    // The channel is named as ACME's would be, not `a-me`.
    let name = trouble(&bot, &second.id).channel_name.expect("a channel name");
    assert_eq!(name, format!("trouble-{}-acme", second.id));
}

/// A trouble's id typed into `search` finds that trouble (a manager pasting the id from a DM),
/// beside what its words find, and only for those who may see it: a private trouble's id finds
/// nothing for someone outside its chain.
#[tokio::test]
async fn search_by_a_troubles_id_finds_it_for_those_who_may_see_it() {
    let bot = spawn_bot_raw(&format!(
        "{}\n{DEFAULT_SEVERITIES}",
        BASE_CONFIG.replace("locale = \"en\"", "locale = \"en\"\nprivate_channels = true")
    ))
    .await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let other = bot.open_ready("Globex: late delivery").await;
    // The answer repeats the query: what it found is read by its customer.
    let found = bot
        .command_text(MANAGER, "D0MANAGER", &format!("search {}", t.id))
        .await;
    assert!(found.contains("ACME") && !found.contains(&other.id), "{found}");
    // Full-width, as a Japanese keyboard types it.
    let wide: String =
        t.id.chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
                '-' => '－',
                c => c,
            })
            .collect();
    let found = bot.command_text(SALES, ORIGIN, &format!("search {wide}")).await;
    assert!(found.contains("ACME") && found.contains(&t.id), "{found}");
    let outside = bot
        .command_text("U0OUTSIDER", ORIGIN, &format!("search {}", t.id))
        .await;
    assert!(
        outside.starts_with("No trouble matches") && !outside.contains("ACME"),
        "a private trouble stays hidden: {outside}"
    );
}

/// `ACME様` is how a rep writes a customer, out of habit: the trouble keeps `ACME` (the bot adds
/// 様 itself where Japanese wants it), so it is filed with ACME's earlier troubles; a customer
/// typed full-width still names the channel.
#[tokio::test]
async fn a_customer_typed_with_its_honorific_is_the_same_customer() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: lid cracked").await;
    let second = bot.open_ready("ACME様：ハウジング割れ").await;
    assert_eq!(trouble(&bot, &second.id).customer, "ACME");
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(history.contains(&first.id) && history.contains(&second.id), "{history}");
    // Each opened when, with its weekday, as every date a person reads.
    assert!(history.contains("Mon 2026-11-30 10:00"), "{history}");
    let third = bot.open_ready("ＡＣＭＥ御中：梱包破損").await;
    let name = trouble(&bot, &third.id).channel_name.expect("a channel name");
    assert!(name.ends_with("-acme"), "{name}");
}

/// A severity typed the way a hurried hand types it (`sev-1`, after the summary) still opens a
/// sev1: read as part of the customer's name it would open at the default severity, with the
/// sev1 departments and announcement lost. The answer says what was read; a department
/// capitalised by a phone is the department; two managers are refused, nothing opened.
#[tokio::test]
async fn options_typed_in_haste_are_read_and_the_answer_says_what_was_read() {
    let bot = spawn_bot().await;
    let answer = bot.command_text(SALES, ORIGIN, "open sev-1 ACME: lid cracked").await;
    assert!(answer.contains("opened for ACME, sev1"), "{answer}");
    let t = bot.open_ready("ACME: housings cracked, sev1, +Field").await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(
        (
            opened.severity.level(),
            opened.customer.as_str(),
            opened.summary.as_str()
        ),
        (1, "ACME", "housings cracked")
    );
    assert_eq!(opened.departments, ["field"]);
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == "C0BIZUNIT" && c.params["text"].as_str().is_some_and(|s| s.contains(&t.id))
        })
        .await;

    let before = bot.store().trouble_count();
    for (typed, says) in [
        ("open <@U0MANAGER> <@U0DIRECTOR> ACME: lid cracked", "two managers"),
        (
            "open mgr <@U0MANAGER> <#C0SALES|sales> ACME: lid cracked",
            "holds a mention",
        ),
        // No name to file its history under or to name its channel after.
        ("open 様: lid cracked", "more than an honorific"),
        ("open sev1 <!channel>: lid cracked", "holds no broadcast"),
        // The bot's own lines begin with an emoji: a name that does would pass for one in the
        // kickoff's header and the manager's notification.
        (
            "open ✅ Acknowledged by @tanaka (0m 41s) · escalation stopped: housings cracked",
            "starts with no emoji",
        ),
    ] {
        let answer = bot.command_text(SALES, ORIGIN, typed).await;
        assert!(
            answer.contains(says) && answer.contains("Nothing was opened"),
            "{typed}: {answer}"
        );
    }
    assert_eq!(bot.store().trouble_count(), before, "nothing else opened");
}

/// A double submit: the same `/trouble open` sent twice at once (on the threads a real server
/// runs on) opens one trouble, and the other answer names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_open_sent_twice_at_once_opens_one_trouble() {
    let bot = spawn_bot().await;
    for round in 0..6 {
        let text = format!("open ACME{round}: lid cracked in lot {round}");
        let (a, b) = tokio::join!(
            bot.command_text(SALES, ORIGIN, &text),
            bot.command_text(SALES, ORIGIN, &text)
        );
        let opened = [&a, &b].into_iter().filter(|r| r.starts_with("Trouble ")).count();
        let named = [&a, &b]
            .into_iter()
            .filter(|r| r.starts_with("You opened trouble "))
            .count();
        assert_eq!((opened, named), (1, 1), "round {round}:\n{a}\n{b}");
    }
    bot.settle().await;
    let channels = bot.slack.calls_to("conversations.create").len();
    assert_eq!(channels, 6, "one channel a round");
}

/// A rep who saw no answer in time types the same `/trouble open` again: the trouble opened a
/// moment ago is named, with its channel, and nothing new is opened, so the manager is not
/// paged twice. A colleague's, another summary, or the same much later, is a trouble of its own.
#[tokio::test]
async fn the_same_open_typed_again_a_moment_later_names_the_one_opened_and_opens_nothing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: defective housings in lot 42").await;
    let again = bot
        .command_text(SALES, ORIGIN, "open ACME様: Defective  housings in lot 42")
        .await;
    assert_eq!(
        again,
        format!(
            "You opened trouble {} for this customer with this summary a moment ago: <#{}>. Nothing new was \
             opened, so the manager is not paged twice. To open another trouble, give it a summary of its own.",
            t.id, t.channel
        )
    );
    bot.settle().await;
    let pages = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.params["channel"] == MANAGER)
        .count();
    assert_eq!(pages, 1, "the manager was paged once");
    // Typed again to escalate: nothing opens, and the answer says the severity was not applied.
    let r = bot
        .command_text(SALES, ORIGIN, "open sev1 ACME: defective housings in lot 42")
        .await;
    assert!(
        r.starts_with(&format!("You opened trouble {}", t.id))
            && r.ends_with("`/trouble sev N`, `/trouble manager @…` or `/trouble add +dept` changes them."),
        "{r}"
    );
    // Someone else's, or another summary: a trouble of its own.
    for (who, text) in [
        (COLLEAGUE, "ACME: defective housings in lot 42"),
        (SALES, "ACME: defective housings in lot 43"),
    ] {
        let r = bot.command_text(who, ORIGIN, &format!("open {text}")).await;
        assert!(r.starts_with("Trouble "), "{r}");
    }
    // The same, after a while: a new trouble (the first may have been a different batch).
    bot.advance(Duration::from_secs(11 * 60));
    let r = bot
        .command_text(SALES, ORIGIN, "open ACME: defective housings in lot 42")
        .await;
    assert!(r.starts_with("Trouble "), "{r}");
    // Typed full-width, as an input method writes it: kept as the rest of the bot shows it.
    let r = bot.command_text(SALES, ORIGIN, "open ＡＣＭＥ２様: lids loose").await;
    let id = r.split_whitespace().nth(1).expect("an id");
    assert_eq!(trouble(&bot, id).customer, "ACME2");
}

/// A rep types a command of a trouble's channel where the trouble was opened: the answer says
/// where it works and lists the troubles they own, each with its channel, so the next try goes
/// to the right one. Someone who owns none is told where commands work; nothing is recorded.
#[tokio::test]
async fn a_channel_command_typed_where_the_trouble_was_opened_lists_the_reps_troubles() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    let where_it_works = "Use this command in a trouble's channel. `/trouble list` shows where they are.";
    let r = bot
        .command_text(SALES, ORIGIN, "update told them we are checking")
        .await;
    assert!(
        r.starts_with(&format!("{where_it_works}\nYours:\n• `{}` sev", t.id))
            && r.ends_with(&format!(" ACME — housings cracked · <#{}>", t.channel)),
        "{r}"
    );
    // Their manager, who owns none of them, is shown the troubles they manage.
    let r = bot.command_text(MANAGER, ORIGIN, "note called them").await;
    assert!(
        r.starts_with(&format!("{where_it_works}\nYours:\n• `{}` sev", t.id)),
        "{r}"
    );
    let before = trouble(&bot, &t.id).timeline_len;
    let r = bot.command_text(COLLEAGUE, ORIGIN, "note called them").await;
    assert_eq!(r, where_it_works);
    let after = trouble(&bot, &t.id);
    assert!(after.customer_updates.is_empty() && after.timeline_len == before);
}

/// A severity typed by the name the configuration gives it (`重大`), before the customer, is
/// that severity: the trouble opens at sev1, for the customer named after it. A default name
/// the configuration does not set (`critical`) stays part of the customer's name.
#[tokio::test]
async fn a_severity_typed_by_its_configured_name_opens_at_that_severity() {
    let named = DEFAULT_SEVERITIES.replace("[severity.1]\n", "[severity.1]\nname = \"重大\"\n");
    let bot = spawn_bot_with(&named).await;
    let t = bot.open_ready("重大 ベータ：蓋の割れ").await;
    let opened = trouble(&bot, &t.id);
    assert_eq!((opened.severity.level(), opened.customer.as_str()), (1, "ベータ"));
    bot.posted_saying("C0BIZUNIT", &t.id).await;

    let t = bot.open_ready("Critical Systems: lids cracked").await;
    let opened = trouble(&bot, &t.id);
    assert_eq!(
        (opened.severity.level(), opened.customer.as_str()),
        (2, "Critical Systems")
    );
}

/// An admin who sets one level (sev1's announce channel) keeps the others: a trouble opened
/// without a severity is the default sev2, not sev1 paging company-wide, and sev3 still opens.
#[tokio::test]
async fn one_severity_set_in_the_config_leaves_the_others_and_the_default_as_they_were() {
    let bot = spawn_bot_raw(&format!(
        "{BASE_CONFIG}\n[severity.1]\nannounce_channels = [\"C0BIZUNIT\"]\n"
    ))
    .await;
    let opened = bot.command_text(SALES, ORIGIN, "open ACME: small label misprint").await;
    assert!(opened.contains("sev2"), "{opened}");
    let opened = bot
        .command_text(SALES, ORIGIN, "open sev3 Globex: a typo on the invoice")
        .await;
    assert!(opened.contains("sev3"), "{opened}");
    let t = bot.open_ready("sev1 Initech: line stopped").await;
    assert_eq!(trouble(&bot, &t.id).severity.level(), 1);
    bot.posted_saying("C0BIZUNIT", "Initech").await;
}

/// `default_severity` is the severity of an open that names none, with all that severity
/// brings: its departments pinged and its announce channels told.
#[tokio::test]
async fn the_configured_default_severity_is_that_of_an_open_naming_none() {
    let config = BASE_CONFIG.replace(
        "channel_prefix = \"trouble\"",
        "channel_prefix = \"trouble\"\ndefault_severity = 1",
    );
    let bot = spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}")).await;
    let t = bot.open_ready("ACME: line stopped").await;
    assert_eq!(trouble(&bot, &t.id).severity.level(), 1);
    let kickoff = bot.posted_saying(&t.channel, "line stopped").await;
    assert!(
        kickoff.contains("<!subteam^S0QUALITY>"),
        "sev1 pings quality: {kickoff}"
    );
    bot.posted_saying("C0BIZUNIT", "ACME").await;
    // A severity typed still wins.
    let opened = bot
        .command_text(SALES, ORIGIN, "open sev3 Globex: a typo on the invoice")
        .await;
    assert!(opened.contains("sev3"), "{opened}");
}

/// During a rotation `SLACK_SIGNING_SECRET` holds the old and the new secret: a request signed
/// with either is served, one signed with neither gets 401 and opens nothing.
#[tokio::test]
async fn either_of_two_signing_secrets_given_during_a_rotation_is_accepted() {
    let bot = spawn_bot_on(
        &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"),
        trouble_bot::http::server::Limits::default(),
        FakeSlack::start().await,
        &[("SLACK_SIGNING_SECRET", format!("{SECRET}, the-new-secret"))],
    )
    .await;
    let refused = command_signed(&bot, "a-third-secret", 0, "open Initech: refused").await;
    assert_eq!(refused.status(), 401);
    let new = command_signed(&bot, "the-new-secret", 0, "open ACME: signed with the new secret").await;
    assert_eq!(new.status(), 200);
    assert!(new.text().await.unwrap().contains("opened"));
    let old = bot
        .command_text(SALES, ORIGIN, "open Globex: signed with the old secret")
        .await;
    assert!(old.contains("opened"), "{old}");
    assert_eq!(bot.store().trouble_count(), 2);
}

/// A trouble's id and its channel's name carry the day in the configured time zone (Tokyo's
/// 00:30 on 1 December is still 30 November in UTC), numbered from 1 each day; a long
/// customer's slug is cut so the name stays within Slack's 80 characters.
#[tokio::test]
async fn ids_and_channel_names_are_dated_in_the_configured_zone_and_kept_within_80_characters() {
    let bot = spawn_bot().await;
    let first = bot.open_ready("ACME: lid cracked").await;
    assert_eq!(first.id, "20261130-1");
    // 10:00 on Monday in Tokyo, then 00:30 on Tuesday there (15:30 UTC on Monday).
    bot.advance(Duration::from_secs(14 * 3600 + 30 * 60));
    let long = "Acme Precision Manufacturing and Industrial Components International Holdings Company";
    let next = bot.open_ready(&format!("{long}: lid cracked")).await;
    assert_eq!(next.id, "20261201-1");
    let names: Vec<String> = bot.slack.channels().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"trouble-20261130-1-acme".to_string()), "{names:?}");
    let name = names
        .iter()
        .find(|n| n.starts_with("trouble-20261201-1-acme-precision"))
        .unwrap_or_else(|| panic!("{names:?}"));
    assert!(name.chars().count() <= 80, "{name} is {} long", name.chars().count());
    assert!(!name.ends_with('-'), "{name}");
}

/// The notice where the open was typed and the severity's announcement do not wait behind the
/// channel (§9: only create → invite → post depend on each other): both go out while Slack is
/// still creating it, and are edited with its link once it exists.
#[tokio::test]
async fn the_origin_notice_and_the_announcement_do_not_wait_for_the_channel() {
    let bot = spawn_bot().await;
    bot.slack.hold("conversations.create");
    let answer = bot.command_text(SALES, ORIGIN, "open sev1 ACME: line stopped").await;
    assert!(answer.contains("opened"), "{answer}");
    bot.slack.wait_held("conversations.create", |_| true).await;
    for to in [MANAGER, ORIGIN, "C0BIZUNIT"] {
        bot.posted_saying(to, "ACME").await;
    }
    assert!(
        bot.slack.channels().is_empty(),
        "all three went out before the channel existed"
    );
    bot.slack.release("conversations.create");
    let channel = bot
        .paced("the channel", || bot.slack.channels().first().map(|c| c.id.clone()))
        .await;
    for to in [ORIGIN, "C0BIZUNIT"] {
        bot.slack
            .wait_for("chat.update", |c| {
                c.params["channel"] == to && text_of(&c.params).contains(&format!("<#{channel}>"))
            })
            .await;
    }
}

/// `channel_prefix` names the trouble's channel: `<prefix>-<yyyymmdd>-<n>-<slug>`.
#[tokio::test]
async fn the_configured_channel_prefix_names_the_channel() {
    let config = BASE_CONFIG.replace("channel_prefix = \"trouble\"", "channel_prefix = \"incident\"");
    let bot = spawn_bot_raw(&format!("{config}\n{DEFAULT_SEVERITIES}")).await;
    let t = bot.open_ready("ACME: lid cracked").await;
    let names: Vec<String> = bot.slack.channels().into_iter().map(|c| c.name).collect();
    assert_eq!(names, [format!("incident-{}-acme", t.id)]);
}

/// `/trouble TEXT` from SALES in ORIGIN, signed with `secret` and stamped `offset` seconds from
/// the bot's clock.
async fn command_signed(bot: &TestBot, secret: &str, offset: i64, text: &str) -> reqwest::Response {
    let form = bot.command_form(SALES, ORIGIN, text);
    let at = (bot.now_secs() + offset).to_string();
    let signature = trouble_bot::slack::signature::sign(secret, &at, form.as_bytes());
    bot.post_raw(
        "/slack/commands",
        "application/x-www-form-urlencoded",
        form.into_bytes(),
        &[("x-slack-request-timestamp", &at), ("x-slack-signature", &signature)],
    )
    .await
}

/// The five minutes run both ways (§3): a request stamped more than five minutes ahead of the
/// bot's clock is refused as a stale one is, and one stamped within them either way is served.
#[tokio::test]
async fn a_timestamp_more_than_five_minutes_ahead_is_refused_and_one_within_them_served() {
    let bot = spawn_bot().await;
    let ahead = command_signed(&bot, SECRET, 310, "open Initech: stamped ahead").await;
    assert_eq!(ahead.status(), 401);
    assert!(ahead.text().await.unwrap().is_empty(), "no detail");
    for (offset, text) in [
        (290, "open ACME: a clock a little fast"),
        (-290, "open Globex: a clock a little slow"),
    ] {
        let served = command_signed(&bot, SECRET, offset, text).await;
        assert_eq!(served.status(), 200, "{text}");
        assert!(served.text().await.unwrap().contains("opened"), "{text}");
    }
    assert_eq!(bot.store().trouble_count(), 2);
}
