//! Slack Connect safety: nothing internal is posted into a channel shared with another
//! organisation; the reporter (origin) or the owner (announce channels) hears instead.

mod common;

use common::fake_socket::{spawn_bot_behind_front, spawn_bot_behind_front_with, FakeSocket};
use common::*;
use serde_json::json;
use trouble_bot::trouble::timeline::Event;

/// A bot whose Web API calls pass the fake front, which knows which channels are shared.
async fn bot_with_connect() -> (TestBot, FakeSocket) {
    spawn_bot_behind_front(false, |_| {}).await
}

/// As [`bot_with_connect`], the bot speaking `locale` (`ja`, `en`).
async fn bot_with_connect_in(locale: &str) -> (TestBot, FakeSocket) {
    spawn_bot_behind_front_with(&config_speaking(locale), false, |_| {}).await
}

/// Every post and edit of the bot in `channel` after the call `mark`, as text.
fn said_in_since(bot: &TestBot, channel: &str, mark: u64) -> Vec<String> {
    bot.slack
        .calls()
        .iter()
        .filter(|c| c.seq > mark && matches!(c.method.as_str(), "chat.postMessage" | "chat.update"))
        .filter(|c| c.params["channel"] == channel)
        .map(|c| text_of(&c.params))
        .collect()
}

/// Someone shares `channel` with the customer, and Slack says so with its event.
async fn share_with_the_customer(bot: &TestBot, front: &FakeSocket, channel: &str) {
    bot.settle().await;
    front.share_externally(channel);
    assert_eq!(
        bot.event(&channel_shared(channel, "E0CUSTOMER"), None).await.status(),
        200
    );
}

/// Slack's `channel_shared` event: `channel` now shared with the workspace or org `connected`.
fn channel_shared(channel: &str, connected: &str) -> serde_json::Value {
    json!({
        "type": "event_callback", "team_id": "T0TEAM", "event_id": format!("Ev0SHARED{}", unique()),
        "event": {"type": "channel_shared", "connected_team_id": connected, "channel": channel,
                  "event_ts": "1700000100.000100"},
    })
}

/// Waits for the DM, after the call `mark`, to the owner (SALES) and to the manager that says
/// every one of `words`.
async fn dms_to_the_owner_and_manager(bot: &TestBot, mark: u64, words: &[&str]) {
    for who in [SALES, MANAGER] {
        bot.slack
            .wait_for("chat.postMessage", |c| {
                let text = text_of(&c.params);
                c.seq > mark && c.params["channel"] == who && words.iter().all(|w| text.contains(w))
            })
            .await;
    }
}

fn posts_to(slack: &FakeSlack, channel: &str) -> usize {
    slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params["channel"] == channel)
        .count()
}

#[tokio::test]
async fn an_open_in_a_channel_shared_outside_posts_nothing_there_and_tells_the_reporter_alone() {
    let (bot, front) = bot_with_connect().await;
    front.share_externally(ORIGIN);
    let answer = bot
        .command_text(SALES, ORIGIN, "open sev1 ACME: defective housings in lot 42")
        .await;
    assert!(answer.contains("opened"), "the trouble opens all the same: {answer}");
    bot.slack
        .wait_for("chat.postMessage", |c| c.params["channel"] == MANAGER)
        .await;
    let notice = bot
        .slack
        .wait_for("response_url", |c| c.params["_path"] == format!("cmd-{SALES}"))
        .await;
    assert_eq!(notice.params["response_type"], "ephemeral");
    assert!(
        notice.params["text"].as_str().unwrap_or_default().contains("ACME"),
        "the origin notice, to the reporter: {}",
        notice.params
    );
    bot.settle().await;
    assert_eq!(
        posts_to(&bot.slack, ORIGIN),
        0,
        "nothing posted where the customer reads"
    );
    assert_eq!(
        posts_to(&bot.slack, "C0BIZUNIT"),
        1,
        "an internal announce channel still hears"
    );
    assert!(
        bot.slack
            .calls_to("conversations.info")
            .iter()
            .any(|c| c.params["channel"] == ORIGIN),
        "the bot asked Slack about the channel"
    );
}

#[tokio::test]
async fn an_announce_channel_shared_outside_is_skipped_with_a_warning_to_the_owner() {
    let (bot, front) = bot_with_connect().await;
    front.share_externally("C0BIZUNIT");
    bot.command_text(SALES, ORIGIN, "open sev1 ACME: defective housings in lot 42")
        .await;
    let warning = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == SALES && c.params["text"].as_str().is_some_and(|t| t.contains("<#C0BIZUNIT>"))
        })
        .await;
    assert!(
        warning.params["text"]
            .as_str()
            .unwrap_or_default()
            .contains("shared outside the company"),
        "{}",
        warning.params
    );
    bot.settle().await;
    assert_eq!(
        posts_to(&bot.slack, "C0BIZUNIT"),
        0,
        "the shared announce channel is skipped"
    );
    assert_eq!(
        posts_to(&bot.slack, ORIGIN),
        1,
        "the internal origin channel hears as usual"
    );
}

#[tokio::test]
async fn a_channel_shared_event_makes_the_bot_ask_again_before_posting_there() {
    let (bot, front) = bot_with_connect().await;
    bot.command_text(SALES, ORIGIN, "open sev2 ACME: first trouble").await;
    bot.settle().await;
    assert_eq!(
        posts_to(&bot.slack, ORIGIN),
        1,
        "an internal channel hears of the first"
    );

    // The channel is shared with the customer afterwards; Slack says so with an event.
    front.share_externally(ORIGIN);
    assert_eq!(
        bot.event(&channel_shared(ORIGIN, "E0CUSTOMER"), None).await.status(),
        200
    );

    bot.command_text(SALES, ORIGIN, "open sev2 GLOBEX: second trouble")
        .await;
    bot.slack
        .wait_for("response_url", |c| {
            c.params["text"].as_str().is_some_and(|t| t.contains("GLOBEX"))
        })
        .await;
    bot.settle().await;
    assert_eq!(posts_to(&bot.slack, ORIGIN), 1, "nothing more posted once it is shared");
}

#[tokio::test]
async fn a_proposal_in_a_trouble_channel_shared_outside_goes_to_the_approver_by_dm_with_its_buttons() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    // Someone shared the trouble's own channel with the customer.
    front.share_externally(&t.channel);

    let r = bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    assert!(r.contains("proposal #1"), "{r}");
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == MANAGER && c.params["text"].as_str().is_some_and(|t| t.contains("Proposal #1"))
        })
        .await;
    let blocks = dm.params["blocks"].to_string();
    assert!(
        blocks.contains("proposal_approve") && blocks.contains("proposal_reject"),
        "the buttons come with it: {blocks}"
    );

    // Approved from the DM: the decision goes to the owner (also the proposer), not the channel.
    let payload = button_payload_to(
        &bot.slack.response_url(&format!("click-{MANAGER}")),
        MANAGER,
        "proposal_approve",
        &format!("{}:1", t.id),
        MANAGER,
    );
    assert_eq!(bot.interaction(&payload).await.status(), 200);
    click_answer(&bot, MANAGER, "You approved proposal #1").await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == SALES
                && c.params["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Proposal #1 approved by"))
        })
        .await;
    bot.settle().await;
    let in_channel: Vec<String> = bot
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params["channel"] == t.channel.as_str())
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_string())
        .collect();
    let statuses: Vec<String> = bot
        .slack
        .calls_to("chat.update")
        .iter()
        .filter(|c| c.params["channel"] == t.channel.as_str())
        .map(|c| text_of(&c.params))
        .collect();
    assert!(!statuses.is_empty(), "the status was refreshed");
    assert!(
        statuses.iter().all(|s| !s.contains("¥50,000") && !s.contains("Totals")),
        "the status there leaves the costs out: {statuses:?}"
    );
    assert!(
        in_channel
            .iter()
            .all(|text| !text.contains("Proposal #1") && !text.contains("¥50,000") && !text.contains("approved")),
        "neither the cost, the proposal nor its approval where the customer reads: {in_channel:?}"
    );
}

#[tokio::test]
async fn the_internal_report_is_never_posted_in_a_trouble_channel_shared_with_the_customer() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    front.share_externally(&t.channel);
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;

    bot.command_text(SALES, &t.channel, "report").await;
    bot.settle().await;
    let in_channel: Vec<String> = bot
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.params["channel"] == t.channel.as_str())
        .map(|c| c.params.to_string())
        .collect();
    assert!(
        !in_channel
            .iter()
            .any(|p| p.contains("Trouble report") || p.contains("50,000")),
        "neither the report nor its costs reach the shared channel: {in_channel:?}"
    );

    // Once the bot knows the channel is shared, the rep is told why at once.
    let r = bot.command_text(SALES, &t.channel, "report").await;
    assert!(r.contains("shared with the customer") && r.contains("report 8d"), "{r}");
}

/// `/trouble status` in a trouble's channel shared with the customer may be typed by someone of
/// the customer's: it leaves out the split, costs and proposals, as the pinned status there
/// does, and says why; the same status in a channel nobody shared shows them.
#[tokio::test]
async fn the_status_asked_for_in_a_channel_shared_with_the_customer_leaves_the_costs_out() {
    let (bot, front) = bot_with_connect().await;
    let shared = bot.open_ready("sev2 ACME: cracked housings").await;
    let internal = bot.open_ready("sev2 Globex: late delivery").await;
    front.share_externally(&shared.channel);
    for t in [&shared, &internal] {
        bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
        bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    }

    let status = bot.command(SALES, &shared.channel, "status").await.to_string();
    assert!(
        status.contains("shared with the customer, so the split, costs and proposals are left out"),
        "{status}"
    );
    assert!(
        status.contains("Status") && status.contains("Gather facts"),
        "the status itself: {status}"
    );
    for internal in ["¥50,000", "70%", "proposal #", "Totals"] {
        assert!(!status.contains(internal), "{internal:?} in: {status}");
    }
    let status = bot.command(SALES, &internal.channel, "status").await.to_string();
    assert!(status.contains("¥50,000") && status.contains("us 70%"), "{status}");
    assert!(!status.contains("left out"), "{status}");
}

/// `list`, `history`, `stats` and `search` tell of other customers and of costs: typed in a
/// channel shared outside the company they are not answered, and the answer says where to ask;
/// in an internal channel they are.
#[tokio::test]
async fn reads_across_troubles_are_not_answered_in_a_channel_shared_outside() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    // The rep's channel with the customer.
    front.share_externally("C0WITHACME");
    for read in ["list", "history ACME", "stats", "search cracked"] {
        let r = bot.command_text(SALES, "C0WITHACME", read).await;
        assert!(
            r.contains("shared outside the company, so list, history, stats and search are not answered here"),
            "{read}: {r}"
        );
        assert!(!r.contains("ACME") && !r.contains("50,000"), "{read}: {r}");
        let r = bot.command_text(SALES, "C0INTERNAL", read).await;
        assert!(
            r.contains("ACME") || r.contains("1 trouble"),
            "{read} in an internal channel: {r}"
        );
    }
}

/// `status ID` names any trouble; typed in a channel shared with a customer, it would tell them
/// of another customer's trouble, so it is refused there (its own channel still answers).
#[tokio::test]
async fn status_of_another_trouble_is_not_answered_in_a_channel_shared_outside() {
    let (bot, front) = bot_with_connect().await;
    let theirs = bot.open_ready("ACME: lid cracked").await;
    let other = bot.open_ready("Globex: late delivery").await;
    front.share_externally(&theirs.channel);
    let refused = bot
        .command_text(SALES, &theirs.channel, &format!("status {}", other.id))
        .await;
    assert_eq!(
        refused,
        "This channel is shared outside the company, so other troubles are not answered here. \
         Type it in an internal channel or in a DM with the bot."
    );
    let own = bot
        .command_text(SALES, &theirs.channel, &format!("status {}", theirs.id))
        .await;
    assert!(own.contains(&format!("Status {}", theirs.id)), "{own}");
}

/// In a trouble's channel shared with the customer, the costs stay out of every line, not only
/// the proposals': a correction of a split or cost, the customer's past troubles with their costs
/// and running balance (at stage 5), and the split and costs in the closing summary, which is
/// still posted there without them.
#[tokio::test]
async fn corrections_past_costs_and_the_closing_summary_leave_the_costs_out_of_a_shared_channel() {
    let (bot, front) = bot_with_connect().await;
    let earlier = bot.open_ready("sev2 ACME: dented lids").await;
    bot.command_text(SALES, &earlier.channel, "cost ¥900,000 ours replacement")
        .await;
    bot.command_text(MANAGER, &earlier.channel, "close force settled").await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    bot.command_text(SALES, &t.channel, "fix cost 1 ¥80,000 ours courier express")
        .await;
    bot.command_text(SALES, &t.channel, "fix split 60/40 their storage")
        .await;
    bot.command_text(SALES, &t.channel, "start 5").await;
    bot.command_text(MANAGER, &t.channel, "close force customer accepted")
        .await;
    bot.settle().await;
    let in_channel = posted_since(&bot, &t.channel, mark);
    let summary = in_channel
        .iter()
        .find(|p| p.contains("force-closed"))
        .expect("the closing summary is still posted");
    // Its reason is the chain's, kept on the record (as the 8D keeps it out).
    assert!(
        !summary.contains("customer accepted") && summary.contains("its reason is on the record"),
        "{summary}"
    );
    for internal in [
        "¥",
        "Corrected",
        "70%",
        "60%",
        "Past troubles",
        "Running balance",
        "Split",
    ] {
        assert!(
            in_channel.iter().all(|p| !p.contains(internal)),
            "{internal:?} where the customer reads: {in_channel:?}"
        );
    }
}

/// The open form sent from a channel shared outside without a command's response URL (opened
/// from a shortcut, say): nothing is posted there, and the reporter hears of the trouble by DM.
#[tokio::test]
async fn a_form_opened_in_a_shared_channel_without_a_response_url_tells_the_reporter_by_dm() {
    let (bot, front) = bot_with_connect().await;
    front.share_externally(ORIGIN);
    let metadata = json!({"channel": ORIGIN}).to_string();
    let r = bot
        .interaction(&open_submission("ACME", "lid cracked", MANAGER, &metadata))
        .await;
    assert_eq!(r.status(), 200);
    let notice = bot.posted_saying(SALES, "ACME").await;
    assert!(notice.contains("<#"), "the trouble's channel, linked: {notice}");
    bot.settle().await;
    assert_eq!(posts_to(&bot.slack, ORIGIN), 0, "nothing where the customer reads");
}

/// In a trouble's channel shared with the customer, the lines that say the customer is kept
/// waiting (the first-call checklist, the nudges) or that nobody acknowledged are not posted
/// there, where the customer would read them: the owner (and the manager they bring in) get them
/// by DM; the one the escalation goes up to is asked by their own DM as ever.
#[tokio::test]
async fn follow_ups_of_a_shared_trouble_channel_go_by_dm_not_where_the_customer_reads() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let mark = last_call(&bot);
    bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    let in_channel = posted_since(&bot, &t.channel, mark);
    assert!(
        in_channel.iter().all(|p| !p.contains("not heard from us")
            && !p.contains("acknowledged this")
            && !p.contains("please follow up")),
        "{in_channel:?}"
    );
    let to_owner = posted_since(&bot, SALES, mark);
    assert!(
        to_owner.iter().any(|p| p.contains("has not heard from us yet")),
        "the first-call checklist reaches the owner: {to_owner:?}"
    );
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == DIRECTOR && text_of(&c.params).contains(t.id.as_str())
        })
        .await;
}

/// A trouble closed in a channel shared with the customer: the closing line says the internal
/// report is not posted there and where it is, rather than promise it; `report ID` typed in the
/// DM with the bot says the same, rather than send the rep back to that channel.
#[tokio::test]
async fn a_shared_trouble_closed_says_where_its_internal_report_is() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.command_text(SALES, &t.channel, "prevent add a mold temperature alarm")
        .await;
    all_stages_done(&bot, &t).await;
    assert_eq!(
        bot.command_text(SALES, &t.channel, "close").await,
        closed_reply(&bot, &t)
    );
    // Behind the stage lines, paced in the channel: the clock moves through the pacing.
    let closed = bot
        .paced("the closing line", || {
            posted_since(&bot, &t.channel, 0)
                .into_iter()
                .find(|p| p.contains("closed trouble"))
        })
        .await;
    assert!(
        closed.contains("The internal report is not posted here") && !closed.contains("follows in this channel"),
        "{closed}"
    );
    // The kickoff, closed, promises no report either.
    let kickoff = bot
        .paced("the kickoff closed", || {
            let latest = bot.slack.message_versions(&t.channel, t.kickoff_ts.as_str()).pop()?;
            Some(text_of(&latest)).filter(|k| k.contains("🏁 Closed"))
        })
        .await;
    assert!(!kickoff.contains("report"), "{kickoff}");
    let r = bot.command_text(SALES, "D0SALES", &format!("report {}", t.id)).await;
    assert!(
        r.starts_with(&format!(
            "The channel of {}, <#{}>, is shared with the customer",
            t.id, t.channel
        )) && r.contains(&format!("trouble-bot export {}", t.id)),
        "{r}"
    );
}

/// In a trouble channel shared with the customer, a lowering and a forced close are said, but
/// their reasons (the chain's, internal, as in the 8D) stay on the record and in the chain's DMs.
#[tokio::test]
async fn a_lowering_and_a_forced_close_keep_their_reasons_out_of_a_shared_trouble_channel() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let mark = last_call(&bot);
    bot.command_text(MANAGER, &t.channel, "sev 3 cosmetic only, they overreact")
        .await;
    bot.command_text(MANAGER, &t.channel, "close force they stopped answering us")
        .await;
    let said = bot
        .paced("the lowering and the forced close said", || {
            let posts = posted_since(&bot, &t.channel, mark);
            (posts.iter().any(|p| p.contains("lowered the severity"))
                && posts.iter().any(|p| p.contains("force-closed trouble")))
            .then_some(posts)
        })
        .await;
    let all = said.join("\n");
    assert!(
        !all.contains("overreact") && !all.contains("stopped answering"),
        "{all}"
    );
    assert!(all.contains("its reason is on the record, not posted here"), "{all}");
    // The one above the lowerer hears why.
    bot.posted_saying(DIRECTOR, "overreact").await;
}

/// A possible recurrence found in a trouble whose channel is shared with the customer is the
/// team's to weigh, not the customer's to read: it goes to the owner and the manager by DM.
#[tokio::test]
async fn a_possible_recurrence_in_a_shared_trouble_goes_to_the_team_by_dm() {
    let (bot, front) = bot_with_connect().await;
    let earlier = bot.open_ready("ACME: housings cracked").await;
    bot.command_text(SALES, &earlier.channel, "fact part HX-200").await;
    let later = bot.open_ready("ACME: housings cracked again").await;
    share_with_the_customer(&bot, &front, &later.channel).await;
    let mark = last_call(&bot);
    bot.command_text(SALES, &later.channel, "fact part HX-200").await;
    let says = format!("Possible recurrence in {}", later.id);
    dms_to_the_owner_and_manager(&bot, mark, &[&says, &earlier.id]).await;
    bot.settle().await;
    let in_channel = posted_since(&bot, &later.channel, mark);
    assert!(in_channel.iter().all(|p| !p.contains("recurrence")), "{in_channel:?}");
}

/// The same lot at another customer, found in a trouble whose channel is shared with its
/// customer, would tell that customer of another customer's trouble: it goes to the owner and
/// the manager by DM, and the other trouble's own (internal) channel is told as ever.
#[tokio::test]
async fn the_same_lot_at_another_customer_in_a_shared_trouble_goes_to_the_team_by_dm() {
    let (bot, front) = bot_with_connect().await;
    let globex = bot.open_ready("Globex: housings cracked").await;
    bot.command_text(SALES, &globex.channel, "fact lot L42").await;
    let acme = bot.open_ready("ACME: housings cracked").await;
    share_with_the_customer(&bot, &front, &acme.channel).await;
    let mark = last_call(&bot);
    bot.command_text(SALES, &acme.channel, "fact lot L42").await;
    let says = format!("at another customer ({})", acme.id);
    dms_to_the_owner_and_manager(&bot, mark, &[&says, &globex.id]).await;
    bot.settle().await;
    let in_channel = posted_since(&bot, &acme.channel, mark);
    assert!(
        in_channel
            .iter()
            .all(|p| !p.contains("Globex") && !p.contains(&globex.id)),
        "{in_channel:?}"
    );
    let back = posted_since(&bot, &globex.channel, mark);
    assert!(
        back.iter().any(|p| p.contains(&acme.id) && p.contains("ACME")),
        "{back:?}"
    );
    // Globex's prevention measure, told to ACME's trouble, goes to its team by DM too.
    let mark = last_call(&bot);
    bot.command_text(SALES, &globex.channel, "prevent torque audit at Globex line")
        .await;
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == MANAGER && text_of(&c.params).contains("torque audit at Globex line")
        })
        .await;
    bot.settle().await;
    let in_channel = posted_since(&bot, &acme.channel, mark);
    assert!(in_channel.iter().all(|p| !p.contains("torque audit")), "{in_channel:?}");
}

/// A proposal the manager makes goes up to the director by a DM with its buttons; in a channel
/// shared with the customer, where the proposal line is held back, that DM is still the one.
#[tokio::test]
async fn the_approver_of_a_managers_proposal_in_a_shared_channel_gets_one_dm() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let mark = last_call(&bot);
    let r = bot.command_text(MANAGER, &t.channel, "cost ¥50,000 ours courier").await;
    assert!(r.contains("proposal #1"), "{r}");
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == DIRECTOR && text_of(&c.params).contains("Proposal #1")
        })
        .await;
    assert!(dm.params["blocks"].to_string().contains("proposal_approve"), "{dm:?}");
    bot.settle().await;
    let to_director = posted_since(&bot, DIRECTOR, mark);
    assert_eq!(to_director.len(), 1, "{to_director:?}");
}

/// The escalation's lines go by DM when the trouble's channel is shared with the customer; the
/// pinned status, the kickoff and the acknowledgement's line in its thread must not tell the
/// same there: who up the chain is asked now, or how long the acknowledgement took. They say
/// who acknowledged; the team's DMs still tell the wait. In both languages.
#[tokio::test]
async fn a_shared_trouble_channel_is_not_told_how_long_the_acknowledgement_waited_nor_who_is_asked() {
    for (locale, asked, waited, acked) in [
        ("en", "now asked", "after 3h", "✅ Acknowledged by <@U0DIRECTOR>."),
        (
            "ja",
            "に依頼中",
            "起票から3時間",
            "✅ <@U0DIRECTOR>さんが確認しました。",
        ),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        let mark = last_call(&bot);
        // Past the manager's hour and the director's: the escalation has gone up twice.
        bot.advance_and_settle(std::time::Duration::from_secs(2 * 3600 + 60))
            .await;
        bot.advance_and_settle(std::time::Duration::from_secs(3600 - 60)).await;
        bot.command_text(DIRECTOR, &t.channel, "ack").await;
        let line = bot
            .paced("the acknowledgement's line", || {
                posted_since(&bot, &t.channel, mark)
                    .into_iter()
                    .find(|p| p.contains("✅"))
            })
            .await;
        assert!(line.starts_with(acked), "{locale}: {line}");
        bot.settle().await;
        let said = said_in_since(&bot, &t.channel, mark);
        assert!(
            said.iter().any(|p| p.contains("<@U0DIRECTOR>")),
            "{locale}: the status and kickoff say who acknowledged: {said:?}"
        );
        for p in &said {
            assert!(!p.contains(asked) && !p.contains(waited), "{locale}: {p}");
        }
        // Inside, the wait is told as ever: the director's DM that asked, edited, says it.
        bot.slack
            .wait_for("chat.update", |c| {
                c.params["channel"] == format!("D{DIRECTOR}") && text_of(&c.params).contains(waited)
            })
            .await;
    }
}

/// An action's due-soon and overdue reminders tell the customer, in a shared trouble channel,
/// that we are late with our own measures: there they go by DM alone, to the action's owner as
/// ever, and to the trouble's owner when the action is someone else's (once, never twice).
#[tokio::test]
async fn action_reminders_of_a_shared_trouble_go_by_dm_not_where_the_customer_reads() {
    for (locale, overdue) in [("en", "is overdue"), ("ja", "期限を過ぎています")] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        bot.command_text(SALES, &t.channel, "action interim sort the stock due:+1d")
            .await;
        bot.command_text(
            SALES,
            &t.channel,
            &format!("action interim recheck lot 42 owner:<@{COLLEAGUE}> due:+1d"),
        )
        .await;
        let mark = last_call(&bot);
        bot.advance_and_settle(std::time::Duration::from_secs(3 * 86400)).await;
        let in_channel = posted_since(&bot, &t.channel, mark);
        assert!(
            in_channel.iter().all(|p| !p.contains(overdue)),
            "{locale}: {in_channel:?}"
        );
        let reminded = |who: &str, n: usize| {
            posted_since(&bot, who, mark)
                .into_iter()
                .filter(|p| p.contains(overdue) && p.contains(&format!("#{n}")))
                .count()
        };
        assert_eq!(reminded(SALES, 1), 1, "{locale}: the owner's own action, once");
        assert_eq!(reminded(COLLEAGUE, 2), 1, "{locale}: the action's owner");
        assert_eq!(
            reminded(SALES, 2),
            1,
            "{locale}: the trouble's owner hears instead of the channel"
        );
    }
}

/// A trouble handed to someone away, in a channel shared with the customer: that the new owner
/// is away is the team's to hear, by DM to who handed it over and the manager, never there.
#[tokio::test]
async fn a_shared_trouble_handed_to_someone_away_tells_the_team_by_dm() {
    let (bot, front) = bot_with_connect().await;
    bot.slack.set_status(COLLEAGUE, ":palm_tree:", "On vacation", 0);
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let mark = last_call(&bot);
    bot.command_text(DIRECTOR, &t.channel, &format!("owner <@{COLLEAGUE}>"))
        .await;
    bot.posted_saying(DIRECTOR, "just handed this trouble").await;
    bot.posted_saying(MANAGER, "just handed this trouble").await;
    bot.settle().await;
    let said = said_in_since(&bot, &t.channel, mark);
    assert!(said.iter().all(|p| !p.contains("is away")), "{said:?}");
    assert!(posted_since(&bot, COLLEAGUE, mark)
        .iter()
        .all(|p| !p.contains("just handed")));
}

/// Someone of the customer's in a channel shared with them: a `/trouble` command they type, as
/// Slack sends it (their own workspace's `team_id`), or a button they press (their
/// `user.team_id`) never acts for the company: nothing is recorded or opened, and the answer,
/// to them alone, says the bot is the company's and names nobody of its chain.
#[tokio::test]
async fn someone_of_the_customers_organisation_never_acts_on_a_trouble() {
    for (locale, refusal) in [
        ("en", "for the company's own staff"),
        ("ja", "社内の担当者だけが使えます"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        let as_customer = |text: &str| {
            bot.command_form("W0CUSTOMER", &t.channel, text)
                .replace("team_id=T0TEAM", "team_id=T0CUSTOMER")
        };
        let before = trouble(&bot, &t.id).timeline_len;
        // Help too, though it reads nothing stored: it is answered before any other command,
        // and the refusal comes before it.
        for text in [
            "note your housing supplier is to blame",
            "open ACME: a trouble of our own",
            "help",
            "",
        ] {
            let answer = bot
                .post_signed(
                    "/slack/commands",
                    "application/x-www-form-urlencoded",
                    &as_customer(text),
                )
                .await;
            assert_eq!(answer.status(), 200);
            let answer: serde_json::Value = answer.json().await.expect("json");
            assert_eq!(answer["response_type"], "ephemeral", "{locale}: {answer}");
            assert!(
                answer["text"].as_str().unwrap_or_default().contains(refusal),
                "{locale}: {answer}"
            );
        }
        bot.settle().await;
        assert_eq!(trouble(&bot, &t.id).timeline_len, before, "{locale}: nothing recorded");
        assert_eq!(
            bot.slack.calls_to("conversations.create").len(),
            1,
            "{locale}: nothing opened"
        );
        // Their press of Acknowledge: refused without naming who may.
        let mut press = button_payload(&bot.slack, "W0CUSTOMER", "acknowledge", &t.id, &t.channel);
        press["user"]["team_id"] = json!("T0CUSTOMER");
        assert_eq!(bot.interaction(&press).await.status(), 200);
        let answer = bot
            .slack
            .wait_for("response_url", |c| c.params["_path"] == "click-W0CUSTOMER")
            .await;
        let answer = answer.params["text"].as_str().unwrap_or_default().to_string();
        assert!(
            answer.contains(refusal) && !answer.contains(MANAGER),
            "{locale}: {answer}"
        );
        // A colleague of ours in the same channel is answered as ever.
        bot.command_text(SALES, &t.channel, "note checked with QA").await;
        assert!(
            trouble(&bot, &t.id).timeline_len > before,
            "{locale}: our rep's note is recorded"
        );
    }
}

/// The bot remembers Slack's answer for an hour; when the `channel_shared` event is lost or late,
/// any event from the channel that Slack marks `is_ext_shared_channel` (the customer's first
/// message there, say) tells the bot at once, before it posts anything internal there again.
#[tokio::test]
async fn an_event_marked_as_from_a_shared_channel_tells_the_bot_at_once() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    bot.posted_saying(&t.channel, "¥50,000").await;
    // Shared now, and no channel_shared event came; the customer writes in the channel.
    front.share_externally(&t.channel);
    let mut said = message_event(
        &format!("Ev0CUST{}", unique()),
        &t.channel,
        "W0CUSTOMER",
        "1800000000.000100",
        None,
    );
    said["is_ext_shared_channel"] = json!(true);
    said["event"]["user_team"] = json!("T0CUSTOMER");
    assert_eq!(bot.event(&said, None).await.status(), 200);
    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "cost ¥10,000 ours taxi").await;
    bot.settle().await;
    let in_channel = posted_since(&bot, &t.channel, mark);
    assert!(in_channel.iter().all(|p| !p.contains("¥10,000")), "{in_channel:?}");
}

/// Our deadlines (the first customer contact's on the kickoff, the next update's on the status)
/// are not the customer's to watch pass in a trouble channel shared with them: the pinned
/// messages there are edited without them (the team hears of them by DM), while a channel
/// nobody shared keeps showing them. In both languages.
#[tokio::test]
async fn a_shared_trouble_channel_is_not_shown_our_deadlines() {
    for (locale, deadlines) in [
        (
            "en",
            ["First customer contact", "First call due", "Next update due", "due by"],
        ),
        ("ja", ["お客様への初回連絡", "初回連絡の期限", "次回報告の期限", "期限"]),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let shared = bot.open_ready("sev2 ACME: cracked housings").await;
        let internal = bot.open_ready("sev2 Globex: bent brackets").await;
        share_with_the_customer(&bot, &front, &shared.channel).await;
        let mark = last_call(&bot);
        // A fact edits the status before anyone acknowledged (nothing internal in it yet).
        for t in [&shared, &internal] {
            bot.command_text(SALES, &t.channel, "fact part HX-302").await;
        }
        bot.settle().await;
        let acked = last_call(&bot);
        // Past the first call's deadline, then an acknowledgement edits the kickoff and status.
        bot.advance_and_settle(std::time::Duration::from_secs(2 * 3600)).await;
        for t in [&shared, &internal] {
            bot.command_text(MANAGER, &t.channel, "ack").await;
        }
        bot.settle().await;
        let edits = |channel: &str| -> Vec<String> {
            bot.slack
                .calls_to("chat.update")
                .iter()
                .filter(|c| c.seq > mark && c.params["channel"] == channel)
                .map(|c| text_of(&c.params))
                .collect()
        };
        let (in_shared, in_internal) = (edits(&shared.channel), edits(&internal.channel));
        assert!(
            in_shared.len() >= 3,
            "{locale}: the status, then the kickoff and status edited: {in_shared:?}"
        );
        let before_ack = bot
            .slack
            .calls_to("chat.update")
            .iter()
            .filter(|c| c.seq > mark && c.seq <= acked && c.params["channel"] == shared.channel.as_str())
            .count();
        assert!(before_ack >= 1, "{locale}: the fact edited the status");
        for edit in &in_shared {
            for d in deadlines {
                assert!(
                    !edit.contains(d),
                    "{locale}: {d} shown where the customer reads: {edit}"
                );
            }
        }
        assert!(
            in_internal.iter().any(|e| e.contains(deadlines[0]))
                && in_internal.iter().any(|e| e.contains(deadlines[1])),
            "{locale}: {in_internal:?}"
        );
    }
}

/// The reminder to tell the customer the prevention measures before the close is about the
/// customer, for the team: the status pinned in a channel shared with them is drawn without it,
/// as without our deadlines, while a channel nobody shared shows it.
#[tokio::test]
async fn a_shared_trouble_channel_is_not_told_the_customer_has_not_heard_the_measures() {
    let (bot, front) = bot_with_connect().await;
    let shared = bot.open_ready("sev2 ACME: cracked housings").await;
    let internal = bot.open_ready("sev2 Globex: bent brackets").await;
    share_with_the_customer(&bot, &front, &shared.channel).await;
    let mark = last_call(&bot);
    for t in [&shared, &internal] {
        bot.command_text(MANAGER, &t.channel, "ack").await;
        bot.command_text(SALES, &t.channel, "prevent camera check at packing due:2026-12-11")
            .await;
        all_stages_done(&bot, t).await;
    }
    bot.settle().await;
    let untold = "has not been told the prevention measures";
    let edits = |channel: &str| -> Vec<String> {
        bot.slack
            .calls()
            .iter()
            .filter(|c| c.seq > mark && c.method == "chat.update" && c.params["channel"] == channel)
            .map(|c| text_of(&c.params))
            .collect()
    };
    let in_internal = edits(&internal.channel);
    assert!(in_internal.iter().any(|e| e.contains(untold)), "{in_internal:?}");
    let in_shared = edits(&shared.channel);
    assert!(
        in_shared.iter().any(|e| e.contains("All stages done")),
        "the status was redrawn there: {in_shared:?}"
    );
    assert!(
        in_shared.iter().all(|e| !e.contains(untold)),
        "shown where the customer reads: {in_shared:?}"
    );
}

/// A form of the bot's submitted by someone of the customer's organisation (their
/// `user.team_id`, as Slack sends it in `view_submission`) acts no more than their command or
/// button would: the Log update, facts, action and open forms record and open nothing, and the
/// form, replaced, tells them why (in both languages), naming nobody of the chain.
#[tokio::test]
async fn a_form_submitted_by_someone_of_the_customers_organisation_records_nothing() {
    for (locale, refusal) in [
        ("en", "for the company's own staff"),
        ("ja", "社内の担当者だけが使えます"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        let before = trouble(&bot, &t.id).timeline_len;
        let action = json!({
            "kind": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "interim"}, "value": "interim"}}},
            "text": {"value": {"type": "plain_text_input", "value": "we replace every unit free"}},
            "owner": {"value": {"type": "users_select", "selected_user": SALES}},
        });
        let metadata = json!({"channel": t.channel}).to_string();
        for mut form in [
            update_submission("W0CUSTOMER", &t.id, "all fixed, no charge to you", None),
            facts_submission(&t.id, &[("part", "HX-999")]),
            view_submission("W0CUSTOMER", "VACTIONX", "trouble_action", &t.id, action.clone()),
            open_submission("ACME", "a trouble of their own", MANAGER, &metadata),
        ] {
            form["user"]["id"] = json!("W0CUSTOMER");
            form["user"]["team_id"] = json!("T0CUSTOMER");
            let answer = bot.interaction(&form).await;
            assert_eq!(answer.status(), 200, "{locale}");
            let answer: serde_json::Value = answer.json().await.expect("the form is answered");
            assert_eq!(answer["response_action"], "update", "{locale}: {answer}");
            let said = answer["view"].to_string();
            assert!(said.contains(refusal) && !said.contains(MANAGER), "{locale}: {said}");
        }
        bot.settle().await;
        assert_eq!(trouble(&bot, &t.id).timeline_len, before, "{locale}: nothing recorded");
        assert_eq!(
            bot.slack.calls_to("conversations.create").len(),
            1,
            "{locale}: nothing opened"
        );
        // Our rep's form goes through as ever.
        let ours = bot
            .interaction(&update_submission(SALES, &t.id, "told them the cause by phone", None))
            .await;
        assert_eq!(ours.status(), 200);
        assert!(trouble(&bot, &t.id).timeline_len > before, "{locale}: our rep's update");
    }
}

/// Someone of the customer's joining a trouble's channel shared with them (Slack says their
/// workspace in the event's `team`) is not taken for one of ours: a private trouble is not
/// theirs to see by it, and the bot draws them no App Home of our troubles. A colleague of
/// ours joining is kept, as ever.
#[tokio::test]
async fn someone_of_the_customers_organisation_joining_the_channel_is_not_one_who_sees_the_trouble() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let joined = |user: &str, team: &str| {
        json!({
            "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
            "event_id": format!("EvJoin{}", unique()), "event_time": now_secs(),
            "event": {"type": "member_joined_channel", "user": user, "channel": t.channel, "channel_type": "C",
                      "team": team, "inviter": SALES, "event_ts": "1800000000.000100"},
            "authorizations": [{"team_id": "T0TEAM", "user_id": "UBOT", "is_bot": true}],
        })
    };
    let mark = last_call(&bot);
    assert_eq!(bot.event(&joined("W0CUSTOMER", "T0CUSTOMER"), None).await.status(), 200);
    assert_eq!(bot.event(&joined(COLLEAGUE, "T0TEAM"), None).await.status(), 200);
    wait_until(|| {
        trouble(&bot, &t.id)
            .members_seen
            .iter()
            .any(|u| u.as_str() == COLLEAGUE)
            .then_some(())
    })
    .await;
    bot.settle().await;
    let seen = trouble(&bot, &t.id).members_seen;
    assert!(seen.iter().all(|u| u.as_str() != "W0CUSTOMER"), "{seen:?}");
    let homes: Vec<_> = bot
        .slack
        .calls_to("views.publish")
        .into_iter()
        .filter(|c| c.seq > mark && c.params["user_id"] == "W0CUSTOMER")
        .collect();
    assert!(homes.is_empty(), "an App Home drawn for the customer: {homes:?}");
}

/// The kickoff and the status posted again in a trouble channel shared with the customer (an
/// admin deleted them) read as the pinned ones are edited there: no costs, no deadlines of
/// ours, not how long the acknowledgement waited.
#[tokio::test]
async fn the_kickoff_and_status_posted_again_in_a_shared_channel_leave_out_what_is_internal() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    bot.advance_and_settle(std::time::Duration::from_secs(2 * 3600)).await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    let status_ts = trouble(&bot, &t.id).status.expect("status posted").ts.to_string();
    let mark = last_call(&bot);
    for ts in [t.kickoff_ts.as_str(), status_ts.as_str()] {
        bot.slack.delete_message(&t.channel, ts);
        let deleted = json!({
            "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "type": "event_callback",
            "event_id": format!("EvDel{}", unique()), "event_time": now_secs(),
            "event": {"type": "message", "subtype": "message_deleted", "hidden": true, "channel": t.channel,
                      "ts": "1800000000.000400", "deleted_ts": ts, "event_ts": "1800000000.000400"},
            "authorizations": [{"team_id": "T0TEAM", "user_id": "UBOT", "is_bot": true}],
        });
        assert_eq!(bot.event(&deleted, None).await.status(), 200);
    }
    bot.paced("the kickoff and status posted again", || {
        let now = trouble(&bot, &t.id);
        (now.kickoff.is_some_and(|k| k.ts.as_str() != t.kickoff_ts)
            && now.status.is_some_and(|s| s.ts.as_str() != status_ts))
        .then_some(())
    })
    .await;
    bot.settle().await;
    let again = posted_since(&bot, &t.channel, mark);
    assert!(again.len() >= 2, "{again:?}");
    for p in &again {
        for internal in [
            "¥50,000",
            "First customer contact",
            "Next update due",
            "due by",
            "after 2h",
        ] {
            assert!(!p.contains(internal), "{internal} where the customer reads: {p}");
        }
    }
}

/// A lowering said in a trouble channel shared with the customer leaves out the slower cadence
/// of customer updates it brings (our own deadline, which the customer would watch pass, as the
/// status there leaves out the next update's); a channel nobody shared is told it as ever. In
/// both languages.
#[tokio::test]
async fn a_lowering_in_a_shared_trouble_channel_does_not_tell_the_customer_our_update_cadence() {
    for (locale, cadence) in [("en", "Customer updates are now due every"), ("ja", "お客様への報告は")] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let shared = bot.open_ready("sev2 ACME: cracked housings").await;
        let internal = bot.open_ready("sev2 Globex: bent brackets").await;
        share_with_the_customer(&bot, &front, &shared.channel).await;
        let mark = last_call(&bot);
        for t in [&shared, &internal] {
            bot.command_text(MANAGER, &t.channel, "sev 3 cosmetic only").await;
        }
        let lowered = |channel: String| {
            let bot = &bot;
            bot.paced("the lowering said", move || {
                posted_since(bot, &channel, mark)
                    .into_iter()
                    .find(|p| p.starts_with("⬇️"))
            })
        };
        let in_shared = lowered(shared.channel.clone()).await;
        let in_internal = lowered(internal.channel.clone()).await;
        assert!(!in_shared.contains(cadence), "{locale}: {in_shared}");
        assert!(in_internal.contains(cadence), "{locale}: {in_internal}");
    }
}

/// Someone up the chain asked to acknowledge who leaves a trouble channel shared with the
/// customer is added back, as ever, but the channel is not told why: that nobody has
/// acknowledged it and who is asked now is the team's (their own escalation DM asks them).
/// In both languages.
#[tokio::test]
async fn someone_asked_to_acknowledge_added_back_to_a_shared_channel_is_not_said_to_be_asked() {
    for (locale, asked) in [("en", "is asked to acknowledge"), ("ja", "確認をお願いしているため")] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        bot.advance_and_settle(std::time::Duration::from_secs(3600 + 60)).await;
        assert_eq!(
            trouble(&bot, &t.id).escalation.level,
            1,
            "{locale}: the director is asked"
        );
        let mark = last_call(&bot);
        let left = channel_event("member_left_channel", &t.channel, Some(DIRECTOR));
        assert_eq!(bot.event(&left, None).await.status(), 200);
        bot.slack
            .wait_for("conversations.invite", |c| {
                c.seq > mark
                    && c.params["channel"] == t.channel.as_str()
                    && c.params["users"].as_str().is_some_and(|u| u.contains(DIRECTOR))
            })
            .await;
        bot.settle().await;
        let said = said_in_since(&bot, &t.channel, mark);
        assert!(said.iter().all(|p| !p.contains(asked)), "{locale}: {said:?}");
    }
}

/// A trouble's channel the bot has just made is nobody else's: the kickoff and status it posts
/// first ask Slack nothing about sharing (an open makes no call it can do without), while one
/// posted again once the channel was shared still leaves out what is internal (above).
#[tokio::test]
async fn the_first_kickoff_and_status_in_a_channel_the_bot_made_ask_nothing_about_sharing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.settle().await;
    assert!(trouble(&bot, &t.id).status.is_some(), "the status posted");
    let asked: Vec<_> = bot
        .slack
        .calls_to("conversations.info")
        .into_iter()
        .filter(|c| c.params["channel"] == t.channel.as_str())
        .collect();
    assert!(asked.is_empty(), "asked whether the new channel is shared: {asked:?}");
}

/// A note is the team's memo (the 8D leaves notes out): typed in a trouble channel shared with
/// the customer, it is recorded, kept from the channel, and read by the owner and the manager by
/// DM (its writer is not sent their own note), its writer told so; a channel nobody shared is
/// told it as ever. In both languages.
#[tokio::test]
async fn a_note_in_a_shared_trouble_channel_stays_with_the_team() {
    for (locale, told) in [
        ("en", "the note (for the team) is not posted here"),
        ("ja", "メモ（社内向け）はここには投稿せず"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let shared = bot.open_ready("sev2 ACME: cracked housings").await;
        let internal = bot.open_ready("sev2 Globex: bent brackets").await;
        share_with_the_customer(&bot, &front, &shared.channel).await;
        let before = trouble(&bot, &shared.id).timeline_len;
        let mark = last_call(&bot);
        let note = "supplier Foo is likely at fault, do not tell them yet";
        let answer = bot.command_text(SALES, &shared.channel, &format!("note {note}")).await;
        assert!(answer.contains(told), "{locale}: {answer}");
        let dm = bot.posted_saying(MANAGER, note).await;
        assert!(
            dm.contains(shared.id.as_str()),
            "{locale}: the DM names the trouble: {dm}"
        );
        bot.command_text(SALES, &internal.channel, &format!("note {note}"))
            .await;
        bot.posted_saying(&internal.channel, note).await;
        bot.settle().await;
        assert!(
            trouble(&bot, &shared.id).timeline_len > before,
            "{locale}: the note is recorded"
        );
        let in_shared = said_in_since(&bot, &shared.channel, mark);
        assert!(
            in_shared.iter().all(|p| !p.contains("supplier Foo")),
            "{locale}: {in_shared:?}"
        );
        let to_writer = posted_since(&bot, SALES, mark);
        assert!(
            to_writer.iter().all(|p| !p.contains("supplier Foo")),
            "{locale}: {to_writer:?}"
        );
    }
}

/// The 8D is the customer's once reviewed: asked for in a trouble channel shared with the
/// customer, its draft goes to the asker by DM, not where the customer reads it, and the answer
/// says so; a channel nobody shared gets it for review as ever. Should the bot learn that the
/// channel is shared only as it posts (Slack too slow to say when it was asked), the draft goes
/// to the owner by DM, never into the channel. In both languages.
#[tokio::test]
async fn the_8d_draft_asked_for_in_a_shared_channel_goes_to_the_asker_not_the_customer() {
    for (locale, told, title) in [
        (
            "en",
            "the 8D draft is not posted here: it is sent to you by DM",
            "8D report",
        ),
        (
            "ja",
            "8D報告書の下書きはここには投稿せず、あなたに DM で送りました",
            "8D報告書",
        ),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let shared = bot.open_ready("sev2 ACME: cracked housings").await;
        let internal = bot.open_ready("sev2 Globex: bent brackets").await;
        share_with_the_customer(&bot, &front, &shared.channel).await;
        let mark = last_call(&bot);
        let answer = bot.command_text(COLLEAGUE, &shared.channel, "report 8d").await;
        assert!(answer.contains(told), "{locale}: {answer}");
        let draft = bot.posted_saying(COLLEAGUE, title).await;
        assert!(draft.contains(shared.id.as_str()), "{locale}: {draft}");
        bot.command_text(COLLEAGUE, &internal.channel, "report 8d").await;
        bot.posted_saying(&internal.channel, title).await;
        bot.settle().await;
        let in_shared = said_in_since(&bot, &shared.channel, mark);
        assert!(in_shared.iter().all(|p| !p.contains(title)), "{locale}: {in_shared:?}");

        // Slack slow to say, when asked, that this one is shared too.
        let late = bot.open_ready("sev2 ACME: bent lids").await;
        share_with_the_customer(&bot, &front, &late.channel).await;
        let mark = last_call(&bot);
        bot.slack.hold("conversations.info");
        // The command stops waiting for the answer (a second), the draft queued meanwhile.
        bot.command_text(COLLEAGUE, &late.channel, "report 8d").await;
        bot.slack.wait_held("conversations.info", |_| true).await;
        bot.slack.release("conversations.info");
        let draft = bot.posted_saying(SALES, &format!("{title} {}", late.id)).await;
        assert!(!draft.is_empty(), "{locale}: the owner has it");
        bot.settle().await;
        let in_late = said_in_since(&bot, &late.channel, mark);
        assert!(in_late.iter().all(|p| !p.contains(title)), "{locale}: {in_late:?}");
    }
}

/// Someone of the customer's (Slack places them in another workspace, `users.info`'s `team_id`)
/// reads along in the channel shared with them; they are not made one of ours: `add`, `owner`,
/// `manager`, an action's owner (typed, corrected or chosen in the form) naming them is refused,
/// to the typer alone, nothing recorded nor invited. A colleague of ours is added as ever. In
/// both languages.
#[tokio::test]
async fn someone_of_the_customers_organisation_is_never_made_a_participant() {
    for (locale, refusal) in [
        ("en", "<@W0CUSTOMER> is of another organisation"),
        ("ja", "<@W0CUSTOMER> さんは社外"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        front.of_another_org("W0CUSTOMER", "T0CUSTOMER");
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        bot.command_text(SALES, &t.channel, "action interim sort the stock")
            .await;
        bot.settle().await;
        let before = trouble(&bot, &t.id).timeline_len;
        for typed in [
            "add <@W0CUSTOMER>",
            "add <@U0COLLEAGUE> and <@W0CUSTOMER|tanaka>",
            "owner <@W0CUSTOMER>",
            "manager <@W0CUSTOMER>",
            "action interim replace the units owner:<@W0CUSTOMER>",
            "fix action 1 owner:<@W0CUSTOMER>",
        ] {
            let answer = bot.command_text(SALES, &t.channel, typed).await;
            assert!(answer.contains(refusal), "{locale}: {typed}: {answer}");
        }
        let action = json!({
            "kind": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "interim"}, "value": "interim"}}},
            "text": {"value": {"type": "plain_text_input", "value": "we replace every unit"}},
            "owner": {"value": {"type": "users_select", "selected_user": "W0CUSTOMER"}},
        });
        let form = view_submission(SALES, "VACTIONX", "trouble_action", &t.id, action);
        let answer: serde_json::Value = bot.interaction(&form).await.json().await.expect("the form is answered");
        assert_eq!(answer["response_action"], "errors", "{locale}: {answer}");
        assert!(
            answer["errors"]["owner"].as_str().is_some_and(|e| e.contains(refusal)),
            "{locale}: {answer}"
        );
        bot.settle().await;
        let now = trouble(&bot, &t.id);
        assert_eq!(now.timeline_len, before, "{locale}: nothing recorded");
        assert_eq!(now.owner.as_str(), SALES, "{locale}");
        let invited: Vec<_> = bot
            .slack
            .calls_to("conversations.invite")
            .into_iter()
            .filter(|c| c.params["users"].as_str().is_some_and(|u| u.contains("W0CUSTOMER")))
            .collect();
        assert!(invited.is_empty(), "{locale}: {invited:?}");
        // One of ours is added as ever.
        let answer = bot.command_text(SALES, &t.channel, "add <@U0COLLEAGUE>").await;
        assert!(!answer.contains(refusal), "{locale}: {answer}");
        assert!(
            trouble(&bot, &t.id).timeline_len > before,
            "{locale}: the colleague added"
        );
    }
}

/// What the team types with a stage, a raise of the severity, an update withdrawn or a close (a
/// note, a reason) is
/// theirs, as a note is (the 8D leaves notes out): in a trouble channel shared with the customer
/// the lines are said without it, and the pinned messages too; a channel nobody shared is told
/// it as ever.
#[tokio::test]
async fn notes_and_reasons_typed_with_a_stage_a_raise_or_a_close_stay_out_of_a_shared_channel() {
    let (bot, front) = bot_with_connect().await;
    let shared = bot.open_ready("sev2 ACME: cracked housings").await;
    let internal = bot.open_ready("sev2 Globex: bent brackets").await;
    bot.command_text(MANAGER, &shared.channel, "ack").await;
    share_with_the_customer(&bot, &front, &shared.channel).await;
    let mark = last_call(&bot);
    for t in [&shared, &internal] {
        bot.command_text(SALES, &t.channel, "done 1 STAGENOTE supplier Foo is at fault")
            .await;
        bot.command_text(
            MANAGER,
            &t.channel,
            "sev 1 RAISEREASON our biggest account, contract at risk",
        )
        .await;
        bot.command_text(SALES, &t.channel, "update told them the cause").await;
        bot.command_text(
            SALES,
            &t.channel,
            "withdraw update 1 WITHDRAWREASON we never reached them",
        )
        .await;
    }
    bot.posted_saying(&internal.channel, "STAGENOTE").await;
    bot.posted_saying(&internal.channel, "RAISEREASON").await;
    bot.posted_saying(&internal.channel, "WITHDRAWREASON").await;
    bot.command_text(SALES, &shared.channel, "prevent add a mold temperature alarm")
        .await;
    all_stages_done(&bot, &shared).await;
    assert_eq!(
        bot.command_text(SALES, &shared.channel, "close CLOSENOTE credit of ten percent agreed")
            .await,
        closed_reply(&bot, &shared)
    );
    let said = bot
        .paced("the stage, the raise and the close said", || {
            let said = said_in_since(&bot, &shared.channel, mark);
            (said.iter().any(|p| p.contains("Stage 1"))
                && said.iter().any(|p| p.contains("raised the severity"))
                && said
                    .iter()
                    .any(|p| p.contains("Update #1 withdrawn by <@U0SALES> (it said"))
                && said.iter().any(|p| p.contains("closed trouble")))
            .then_some(said)
        })
        .await;
    bot.settle().await;
    let said = said_in_since(&bot, &shared.channel, mark).into_iter().chain(said);
    for p in said {
        for internal in ["STAGENOTE", "RAISEREASON", "WITHDRAWREASON", "CLOSENOTE"] {
            assert!(!p.contains(internal), "{internal} where the customer reads: {p}");
        }
    }
    assert!(
        trouble(&bot, &shared.id)
            .closed
            .is_some_and(|c| c.note.contains("CLOSENOTE")),
        "kept on the record"
    );
}

/// That one of ours is away (out sick, on vacation, as their Slack status says) is theirs and
/// the team's, not the customer's: the status pinned in a trouble channel shared with the
/// customer does not say it, while a channel nobody shared does, as ever.
#[tokio::test]
async fn a_shared_trouble_channel_is_not_told_who_of_ours_is_away() {
    let (bot, front) = bot_with_connect().await;
    bot.slack.set_status(MANAGER, ":face_with_thermometer:", "Out sick", 0);
    let shared = bot.open_ready("sev2 ACME: cracked housings").await;
    let internal = bot.open_ready("sev2 Globex: bent brackets").await;
    bot.posted_saying(DIRECTOR, "needs acknowledging").await;
    share_with_the_customer(&bot, &front, &shared.channel).await;
    let mark = last_call(&bot);
    for t in [&shared, &internal] {
        bot.command_text(SALES, &t.channel, "fact part HX-302").await;
    }
    bot.settle().await;
    let edits = |channel: &str| -> Vec<String> {
        bot.slack
            .calls_to("chat.update")
            .iter()
            .filter(|c| c.seq > mark && c.params["channel"] == channel)
            .map(|c| text_of(&c.params))
            .collect()
    };
    let (in_shared, in_internal) = (edits(&shared.channel), edits(&internal.channel));
    assert!(in_internal.iter().any(|e| e.contains("out sick")), "{in_internal:?}");
    assert!(!in_shared.is_empty(), "the status edited");
    assert!(
        in_shared.iter().all(|e| !e.contains("out sick") && !e.contains("away")),
        "{in_shared:?}"
    );
}

/// The owner or the manager who leaves a trouble channel shared with the customer is added
/// back, as ever, without a word there (the customer would read that one of ours left their
/// trouble, and how we hand it over): they alone hear why, by DM. In both languages.
#[tokio::test]
async fn the_owner_or_manager_added_back_to_a_shared_channel_hear_why_by_dm_alone() {
    for (locale, left, told) in [
        ("en", "left this channel", "You left"),
        ("ja", "退出しました", "退出されましたが"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        bot.command_text(MANAGER, &t.channel, "ack").await;
        share_with_the_customer(&bot, &front, &t.channel).await;
        let mark = last_call(&bot);
        for who in [SALES, MANAGER] {
            let gone = channel_event("member_left_channel", &t.channel, Some(who));
            assert_eq!(bot.event(&gone, None).await.status(), 200);
            bot.slack
                .wait_for("conversations.invite", |c| {
                    c.seq > mark
                        && c.params["channel"] == t.channel.as_str()
                        && c.params["users"].as_str().is_some_and(|u| u.contains(who))
                })
                .await;
            let dm = bot.posted_saying(who, told).await;
            assert!(dm.contains(t.id.as_str()), "{locale}: {dm}");
        }
        bot.settle().await;
        let said = said_in_since(&bot, &t.channel, mark);
        assert!(said.iter().all(|p| !p.contains(left)), "{locale}: {said:?}");
    }
}

/// A scope line names the customers, lots or sites a trouble may reach, often another
/// customer's ("Globex got lot 42 too"): in a trouble channel shared with the customer it is
/// recorded, kept from the channel (its line, the pinned status, `/trouble status` there) and
/// read by the owner and the manager by DM (its writer is not sent their own), its writer told
/// so; a channel nobody shared is told it as ever. In both languages.
#[tokio::test]
async fn a_scope_line_naming_another_customer_stays_out_of_a_shared_channel() {
    for (locale, told) in [
        (
            "en",
            "the scope (other customers, lots or sites, for the team) is not posted here",
        ),
        (
            "ja",
            "波及範囲（他のお客様・ロット・拠点の名前が入りうる社内情報）はここには投稿せず",
        ),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let shared = bot.open_ready("sev2 ACME: cracked housings").await;
        let internal = bot.open_ready("sev2 Initech: bent brackets").await;
        share_with_the_customer(&bot, &front, &shared.channel).await;
        let mark = last_call(&bot);
        let scope = "Globex got lot 42 too";
        let answer = bot
            .command_text(SALES, &shared.channel, &format!("scope {scope}"))
            .await;
        assert!(answer.contains(told) && answer.contains("1"), "{locale}: {answer}");
        let dm = bot.posted_saying(MANAGER, scope).await;
        assert!(
            dm.contains(shared.id.as_str()),
            "{locale}: the DM names the trouble: {dm}"
        );
        // Checked by the manager: the owner reads it by DM, the manager wrote it.
        let answer = bot
            .command_text(MANAGER, &shared.channel, "scope check 1 Globex's lot quarantined")
            .await;
        assert!(answer.contains(told), "{locale}: {answer}");
        bot.posted_saying(SALES, "Globex's lot quarantined").await;
        bot.command_text(SALES, &internal.channel, &format!("scope {scope}"))
            .await;
        bot.posted_saying(&internal.channel, scope).await;
        bot.settle().await;
        assert_eq!(trouble(&bot, &shared.id).substance.scope.len(), 1, "{locale}: recorded");
        let in_shared = said_in_since(&bot, &shared.channel, mark);
        assert!(
            in_shared.iter().all(|p| !p.contains("Globex")),
            "{locale}: {in_shared:?}"
        );
        let to_writer = posted_since(&bot, SALES, mark);
        assert!(to_writer.iter().all(|p| !p.contains(scope)), "{locale}: {to_writer:?}");
        let to_checker = posted_since(&bot, MANAGER, mark);
        assert!(
            to_checker.iter().all(|p| !p.contains("lot quarantined")),
            "{locale}: {to_checker:?}"
        );
        let status = bot.command(SALES, &shared.channel, "status").await.to_string();
        assert!(!status.contains("Globex"), "{locale}: {status}");
    }
}

/// The ts of the line in `channel` that says `words` (as Slack shows it now; the pinned
/// kickoff and status aside).
fn ts_saying(bot: &TestBot, channel: &str, words: &str) -> String {
    let pinned = bot.slack.pins(channel);
    let found = bot
        .slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| !pinned.iter().any(|p| m["ts"] == p.as_str()))
        .find(|m| text_of(m).contains(words));
    let found = found.unwrap_or_else(|| panic!("nothing in {channel} says {words:?}"));
    found["ts"].as_str().expect("a ts").to_string()
}

/// A note posted in `t`'s channel while only the team reads it: its ts.
async fn a_note_for_the_team(bot: &TestBot, t: &OpenedTrouble) -> String {
    bot.command_text(SALES, &t.channel, "note Globex got lot 42 too, keep it quiet")
        .await;
    bot.settle().await;
    ts_saying(bot, &t.channel, "keep it quiet")
}

/// The manager acknowledges with `/trouble ack` a minute after the open: its line in the
/// kickoff thread says how long it waited.
async fn ack_a_minute_later(bot: &TestBot, t: &OpenedTrouble) {
    bot.advance(std::time::Duration::from_secs(70));
    let answer = bot.command_text(MANAGER, &t.channel, "ack").await;
    assert!(!answer.is_empty());
    bot.settle().await;
}

#[tokio::test]
async fn lines_for_the_team_posted_before_the_channel_was_shared_are_withdrawn_once() {
    for (locale, told) in [
        ("en", "3 lines posted there for the team alone withdrawn (2 edited"),
        (
            "ja",
            "社内向けに投稿していた 3 件を取り下げました（お客様に見せられる形に編集 2 件、削除 1 件）",
        ),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let t = bot.open_ready("sev2 ACME: cracked housings").await;
        // Said in the channel while only the team read it: the acknowledgement's line (how long
        // it waited), a note, a stage's note; and what the customer may read (an update).
        ack_a_minute_later(&bot, &t).await;
        bot.command_text(SALES, &t.channel, "note Globex got lot 42 too, keep it quiet")
            .await;
        bot.command_text(SALES, &t.channel, "next supplier blames our drawing, internal only")
            .await;
        bot.command_text(SALES, &t.channel, "update told them we replace the lot")
            .await;
        bot.settle().await;
        let note = ts_saying(&bot, &t.channel, "keep it quiet");
        let stage = ts_saying(&bot, &t.channel, "internal only");
        let update = ts_saying(&bot, &t.channel, "we replace the lot");
        let waited = match locale {
            "en" => "after 1m",
            _ => "起票から1分",
        };
        let ack = ts_saying(&bot, &t.channel, waited);
        let mark = last_call(&bot);

        share_with_the_customer(&bot, &front, &t.channel).await;
        bot.slack
            .wait_for("chat.delete", |c| c.seq > mark && c.params["ts"] == note.as_str())
            .await;
        dms_to_the_owner_and_manager(&bot, mark, &[told, t.id.as_str()]).await;
        bot.settle().await;
        let shown: Vec<String> = bot.slack.messages_in(&t.channel).iter().map(text_of).collect();
        for secret in ["keep it quiet", "internal only", waited] {
            assert!(
                shown.iter().all(|m| !m.contains(secret)),
                "{locale}: {secret:?} is gone from the channel: {shown:?}"
            );
        }
        for edited in [&stage, &ack] {
            assert_eq!(
                bot.slack.message_versions(&t.channel, edited).len(),
                2,
                "{locale}: the stage's and the acknowledgement's lines stay, edited once"
            );
        }
        assert_eq!(
            bot.slack.message_versions(&t.channel, &update).len(),
            1,
            "{locale}: what the customer may read is left as it is"
        );
        let kinds = event_kinds(&bot, &t.id);
        assert_eq!(
            kinds.iter().filter(|k| k.starts_with("TeamLinesWithdrawn")).count(),
            1,
            "{locale}: {kinds:?}"
        );

        // Slack says it again (a retry, another workspace joining): nothing is withdrawn twice.
        let again = last_call(&bot);
        share_with_the_customer(&bot, &front, &t.channel).await;
        bot.settle().await;
        let calls = bot.slack.calls();
        let repeated: Vec<_> = calls
            .iter()
            .filter(|c| c.seq > again && ["chat.delete", "chat.update"].contains(&c.method.as_str()))
            .filter(|c| [&note, &stage, &ack].iter().any(|ts| c.params["ts"] == ts.as_str()))
            .collect();
        assert!(repeated.is_empty(), "{locale}: {repeated:?}");
        assert!(
            posted_since(&bot, SALES, again)
                .iter()
                .all(|p| !p.contains(t.id.as_str())),
            "{locale}: told once"
        );
    }
}

#[tokio::test]
async fn lines_for_the_team_are_withdrawn_when_the_bot_finds_the_channel_shared_without_slacks_event() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    let note = a_note_for_the_team(&bot, &t).await;
    // Shared, and Slack's `channel_shared` lost: the bot learns it when it next asks Slack,
    // its hour of trusting the earlier answer over.
    front.share_externally(&t.channel);
    bot.advance(std::time::Duration::from_secs(61 * 60));
    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "update told them we replace the lot")
        .await;
    bot.slack
        .wait_for("chat.delete", |c| c.seq > mark && c.params["ts"] == note.as_str())
        .await;
    dms_to_the_owner_and_manager(
        &bot,
        mark,
        &[
            "another organisation",
            "the line posted there for the team alone withdrawn (0 edited",
        ],
    )
    .await;
    bot.settle().await;
    assert!(bot.slack.message_versions(&t.channel, &note).is_empty());
}

#[tokio::test]
async fn a_proposal_asked_in_the_channel_before_it_was_shared_goes_to_the_approver_by_dm() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    let r = bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    assert!(r.contains("proposal #1"), "{r}");
    bot.settle().await;
    let asked = ts_saying(&bot, &t.channel, "proposal_approve");
    let mark = last_call(&bot);

    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.slack
        .wait_for("chat.delete", |c| c.seq > mark && c.params["ts"] == asked.as_str())
        .await;
    // The manager, asked in the channel, is asked by DM with the buttons instead.
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark
                && c.params["channel"] == MANAGER
                && c.params["blocks"].to_string().contains("proposal_approve")
        })
        .await;
    assert!(text_of(&dm.params).contains("Proposal #1"), "{}", dm.params);
    bot.settle().await;
    let shown: Vec<String> = bot.slack.messages_in(&t.channel).iter().map(text_of).collect();
    assert!(
        shown.iter().all(|m| !m.contains("50,000")),
        "nothing of the cost is left where the customer reads: {shown:?}"
    );
}

#[tokio::test]
async fn the_customers_first_message_in_a_channel_shared_without_slacks_event_withdraws_the_teams_lines() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    let note = a_note_for_the_team(&bot, &t).await;
    // Shared, no channel_shared came; the customer writes there, and nothing is posted since.
    front.share_externally(&t.channel);
    let mark = last_call(&bot);
    let mut said = message_event(
        &format!("Ev0CUST{}", unique()),
        &t.channel,
        "W0CUSTOMER",
        "1800000000.000100",
        None,
    );
    said["is_ext_shared_channel"] = json!(true);
    said["event"]["user_team"] = json!("T0CUSTOMER");
    assert_eq!(bot.event(&said, None).await.status(), 200);
    bot.slack
        .wait_for("chat.delete", |c| c.seq > mark && c.params["ts"] == note.as_str())
        .await;
    dms_to_the_owner_and_manager(&bot, mark, &["another organisation", t.id.as_str()]).await;
}

#[tokio::test]
async fn a_channel_shared_within_our_own_organisation_keeps_the_teams_lines() {
    let (bot, _front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    let note = a_note_for_the_team(&bot, &t).await;
    let mark = last_call(&bot);
    // Another workspace of ours: Slack sends `channel_shared` naming it, and nobody else reads.
    assert_eq!(
        bot.event(&channel_shared(&t.channel, "T0TEAM"), None).await.status(),
        200
    );
    bot.settle().await;
    assert!(bot.slack.calls_to("chat.delete").iter().all(|c| c.seq <= mark));
    assert_eq!(bot.slack.message_versions(&t.channel, &note).len(), 1);
}

/// The manager named at open, typed (`/trouble open ACME: … <@W0CUSTOMER>`) or chosen in the
/// form, is given a part as `manager` gives one: someone of the customer's is refused there, in
/// both languages, before anything is opened, so they never get the manager's internal DM, an
/// invite to the trouble's channel nor the kickoff's mention. The owner's configured manager,
/// named or not, and one of ours named open as ever.
#[tokio::test]
async fn someone_of_the_customers_organisation_named_manager_at_open_is_refused() {
    for (locale, refusal) in [
        ("en", "<@W0CUSTOMER> is of another organisation"),
        ("ja", "<@W0CUSTOMER> さんは社外"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        front.of_another_org("W0CUSTOMER", "T0CUSTOMER");
        // Asked of Slack the first time, from what the bot remembers the second.
        for typed in [
            "open sev1 <@W0CUSTOMER> ACME: lid cracked",
            "open manager <@W0CUSTOMER|tanaka> ACME: lid cracked",
        ] {
            let answer = bot.command_text(SALES, ORIGIN, typed).await;
            assert!(answer.contains(refusal), "{locale}: {typed}: {answer}");
        }
        let shown = open_form_manager_refused(&bot, "W0CUSTOMER").await;
        assert!(shown.contains(refusal), "{locale}: {shown}");
        bot.settle().await;
        assert_eq!(bot.store().trouble_count(), 0, "{locale}: nothing opened");
        bot.expect_none("chat.postMessage", |c| c.params["channel"] == "W0CUSTOMER")
            .await;
        assert!(bot.slack.calls_to("conversations.create").is_empty(), "{locale}");
        assert!(bot.slack.calls_to("conversations.invite").is_empty(), "{locale}");

        // The owner's configured manager, named or not, opens as ever.
        let t = bot.open_ready(&format!("<@{MANAGER}> ACME: cracked housings")).await;
        assert_eq!(
            trouble(&bot, &t.id).manager.as_ref().map(|m| m.as_str()),
            Some(MANAGER),
            "{locale}"
        );
        bot.open_ready("Globex: bent brackets").await;
        // One of ours named opens as ever, and hears as the manager.
        let t = bot.open_ready(&format!("<@{COLLEAGUE}> Initech: loose screws")).await;
        assert_eq!(
            trouble(&bot, &t.id).manager.as_ref().map(|m| m.as_str()),
            Some(COLLEAGUE),
            "{locale}"
        );
        bot.posted_saying(COLLEAGUE, "Initech").await;
    }
}

/// Every message the bot has in `channel` now (as last edited), as text.
fn shown_in(bot: &TestBot, channel: &str) -> Vec<String> {
    bot.slack.messages_in(channel).iter().map(text_of).collect()
}

/// Edits and deletions of the message `ts` after the call `mark`.
fn touched_since(bot: &TestBot, ts: &str, mark: u64) -> usize {
    bot.slack
        .calls()
        .iter()
        .filter(|c| c.seq > mark && ["chat.update", "chat.delete"].contains(&c.method.as_str()))
        .filter(|c| c.params["ts"] == ts)
        .count()
}

/// An announce channel shared with a customer later shows the newcomers its history: every
/// trouble announced there (another customer's too) is edited down to its id, once, on the
/// record; the origin channel, not shared, keeps its notices; later edits and opens leave the
/// shared channel alone.
#[tokio::test]
async fn notices_in_an_announce_channel_shared_later_are_withdrawn_down_to_the_troubles_id() {
    for (locale, said) in [
        ("en", "this notice was withdrawn when the channel was shared"),
        ("ja", "告知の内容を取り下げました"),
    ] {
        let (bot, front) = bot_with_connect_in(locale).await;
        let acme = bot.open_ready("sev1 ACME: cracked housings in lot 42").await;
        let globex = bot.open_ready("sev1 GLOBEX: bent brackets").await;
        bot.settle().await;
        let acme_notice = ts_saying(&bot, "C0BIZUNIT", "ACME");
        let globex_notice = ts_saying(&bot, "C0BIZUNIT", "GLOBEX");
        assert_ne!(acme_notice, globex_notice, "{locale}: one announcement each");
        let mark = last_call(&bot);

        share_with_the_customer(&bot, &front, "C0BIZUNIT").await;
        for ts in [&acme_notice, &globex_notice] {
            bot.slack
                .wait_for("chat.update", |c| c.seq > mark && c.params["ts"] == ts.as_str())
                .await;
        }
        bot.settle().await;
        let shown = shown_in(&bot, "C0BIZUNIT");
        for secret in [
            "ACME",
            "GLOBEX",
            "cracked",
            "bent",
            SALES,
            acme.channel.as_str(),
            globex.channel.as_str(),
        ] {
            assert!(
                shown.iter().all(|m| !m.contains(secret)),
                "{locale}: {secret:?} where the customer reads: {shown:?}"
            );
        }
        for id in [&acme.id, &globex.id] {
            assert!(
                shown.iter().any(|m| m.contains(id.as_str()) && m.contains(said)),
                "{locale}: the team still finds {id}: {shown:?}"
            );
            let kinds = event_kinds(&bot, id);
            assert_eq!(
                kinds.iter().filter(|k| k.starts_with("NoticesWithdrawn")).count(),
                1,
                "{locale}: {kinds:?}"
            );
            assert!(
                kinds
                    .iter()
                    .any(|k| k.contains("E0CUSTOMER") && k.contains("C0BIZUNIT")),
                "{locale}: {kinds:?}"
            );
        }
        let origin = shown_in(&bot, ORIGIN);
        assert!(
            origin.iter().any(|m| m.contains("ACME")) && origin.iter().any(|m| m.contains("GLOBEX")),
            "{locale}: the origin channel, not shared, keeps its notices: {origin:?}"
        );

        // Slack says it again, ACME's trouble is closed (its notices say so) and another opens:
        // the shared channel is neither edited back nor posted to.
        let again = last_call(&bot);
        share_with_the_customer(&bot, &front, "C0BIZUNIT").await;
        bot.command_text(MANAGER, &acme.channel, "close force settled").await;
        bot.settle().await;
        let origin_notice = ts_saying(&bot, ORIGIN, "ACME");
        assert!(
            touched_since(&bot, &origin_notice, again) > 0,
            "{locale}: the origin notice follows the close"
        );
        bot.open_ready("sev1 INITECH: loose screws").await;
        bot.settle().await;
        for ts in [&acme_notice, &globex_notice] {
            assert_eq!(touched_since(&bot, ts, again), 0, "{locale}: withdrawn once");
        }
        assert_eq!(posts_to(&bot.slack, "C0BIZUNIT"), 2, "{locale}: nothing new there");
        assert!(
            shown_in(&bot, "C0BIZUNIT").iter().all(|m| !m.contains("ACME")),
            "{locale}"
        );
    }
}

/// The `channel_shared` event lost: the bot finds the announce channel shared when it next edits
/// an announcement there, and withdraws that one and the others standing there.
#[tokio::test]
async fn notices_in_an_announce_channel_found_shared_without_slacks_event_are_withdrawn() {
    let (bot, front) = bot_with_connect().await;
    let acme = bot.open_ready("sev1 ACME: cracked housings in lot 42").await;
    let globex = bot.open_ready("sev1 GLOBEX: bent brackets").await;
    bot.settle().await;
    let acme_notice = ts_saying(&bot, "C0BIZUNIT", "ACME");
    let globex_notice = ts_saying(&bot, "C0BIZUNIT", "GLOBEX");
    for t in [&acme, &globex] {
        bot.command_text(MANAGER, &t.channel, "ack").await;
    }
    bot.settle().await;
    front.share_externally("C0BIZUNIT");
    bot.advance(std::time::Duration::from_secs(61 * 60));
    let mark = last_call(&bot);
    bot.command_text(MANAGER, &acme.channel, "close force settled").await;
    for ts in [&acme_notice, &globex_notice] {
        bot.slack
            .wait_for("chat.update", |c| c.seq > mark && c.params["ts"] == ts.as_str())
            .await;
    }
    bot.settle().await;
    let shown = shown_in(&bot, "C0BIZUNIT");
    for secret in ["ACME", "GLOBEX", "cracked", "bent"] {
        assert!(shown.iter().all(|m| !m.contains(secret)), "{secret:?}: {shown:?}");
    }
    // Not even for a moment: the close's edit of its announcement there is not made.
    let said = said_in_since(&bot, "C0BIZUNIT", mark);
    assert!(said.iter().all(|m| !m.contains("ACME")), "{said:?}");
    for id in [&acme.id, &globex.id] {
        let kinds = event_kinds(&bot, id);
        assert_eq!(
            kinds.iter().filter(|k| k.starts_with("NoticesWithdrawn")).count(),
            1,
            "{kinds:?}"
        );
    }
}

/// Without Slack's event, the next announcement the bot would post in the shared channel (not
/// posted) or the first message there marked as from a shared channel withdraws the notices
/// already standing there.
#[tokio::test]
async fn notices_in_an_origin_or_announce_channel_are_withdrawn_when_a_post_or_an_event_finds_it_shared() {
    // The next announcement finds the announce channel shared.
    let (bot, front) = bot_with_connect().await;
    let acme = bot.open_ready("sev1 ACME: cracked housings in lot 42").await;
    bot.command_text(MANAGER, &acme.channel, "ack").await;
    bot.settle().await;
    let acme_notice = ts_saying(&bot, "C0BIZUNIT", "ACME");
    front.share_externally("C0BIZUNIT");
    bot.advance(std::time::Duration::from_secs(61 * 60));
    let mark = last_call(&bot);
    bot.open_ready("sev1 GLOBEX: bent brackets").await;
    bot.slack
        .wait_for("chat.update", |c| {
            c.seq > mark && c.params["ts"] == acme_notice.as_str()
        })
        .await;
    bot.settle().await;
    assert!(shown_in(&bot, "C0BIZUNIT").iter().all(|m| !m.contains("ACME")));
    assert_eq!(posts_to(&bot.slack, "C0BIZUNIT"), 1, "GLOBEX is not announced there");

    // A message in the origin channel says it is shared (Slack's own event lost).
    let (bot, front) = bot_with_connect().await;
    bot.open_ready("sev2 ACME: cracked housings in lot 42").await;
    bot.settle().await;
    let origin_notice = ts_saying(&bot, ORIGIN, "ACME");
    front.share_externally(ORIGIN);
    let mark = last_call(&bot);
    let mut said = message_event(
        &format!("Ev0CUST{}", unique()),
        ORIGIN,
        "W0CUSTOMER",
        "1800000000.000100",
        None,
    );
    said["is_ext_shared_channel"] = json!(true);
    said["event"]["user_team"] = json!("T0CUSTOMER");
    assert_eq!(bot.event(&said, None).await.status(), 200);
    bot.slack
        .wait_for("chat.update", |c| {
            c.seq > mark && c.params["ts"] == origin_notice.as_str()
        })
        .await;
    bot.settle().await;
    assert!(shown_in(&bot, ORIGIN).iter().all(|m| !m.contains("ACME")));
}

/// The timeline and the owner's and manager's DMs name the organisation a channel was shared
/// with as Slack does (`team.info`), beside its id, made harmless; the id alone when Slack
/// gives no name.
#[tokio::test]
async fn the_organisation_a_channel_was_shared_with_is_named_as_slack_names_it() {
    let (bot, front) = bot_with_connect().await;
    bot.slack.name_team("E0CUSTOMER", "Globex <!channel> Holdings");
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    a_note_for_the_team(&bot, &t).await;
    let mark = last_call(&bot);
    share_with_the_customer(&bot, &front, &t.channel).await;
    dms_to_the_owner_and_manager(&bot, mark, &["another organisation (Globex", "Holdings, E0CUSTOMER)"]).await;
    bot.settle().await;
    for said in posted_since(&bot, SALES, mark) {
        assert!(!said.contains("<!channel>"), "{said}");
    }
    let kinds = event_kinds(&bot, &t.id);
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("TeamLinesWithdrawn") && k.contains("Globex")),
        "{kinds:?}"
    );
    assert!(bot.slack.calls_to("team.info").len() == 1);

    // Slack names no such team (or the install lacks `team:read`): the id alone.
    let other = bot.open_ready("sev2 INITECH: loose screws").await;
    a_note_for_the_team(&bot, &other).await;
    let mark = last_call(&bot);
    bot.settle().await;
    front.share_externally(&other.channel);
    assert_eq!(
        bot.event(&channel_shared(&other.channel, "T0OTHER"), None)
            .await
            .status(),
        200
    );
    dms_to_the_owner_and_manager(&bot, mark, &["another organisation (T0OTHER)", other.id.as_str()]).await;
}

/// `team_id` names our Enterprise Grid org: the one trouble opened by a command from one of
/// its workspaces (Slack sends the org as `enterprise_id`), once it is ready.
async fn open_ready_in_our_org(bot: &TestBot, text: &str) -> String {
    let form = format!(
        "{}&enterprise_id=E0ORG&enterprise_name=Org",
        bot.command_form(SALES, ORIGIN, &format!("open {text}"))
    );
    let r = bot
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", &form)
        .await;
    assert_eq!(r.status(), 200);
    let opened = wait_until(|| {
        let troubles = bot.store().all_troubles().ok()?;
        troubles.into_iter().find(|t| t.status.is_some() && t.kickoff.is_some())
    })
    .await;
    opened.id.to_string()
}

/// With `team_id` naming our Enterprise Grid org, a customer's press of Acknowledge in a
/// channel shared with them may come through our workspace, our org in `team.enterprise_id`:
/// they are judged by their own team (`user.team_id`), refused as of another organisation, and
/// nothing is recorded (without our org in `team`, the click is refused with 403). A colleague whom Slack places in the org itself (`user.team_id` is the
/// org's `E…`, as on Grid) acknowledges, with or without the org in `team`.
#[tokio::test]
async fn with_an_org_as_team_id_a_customers_click_through_our_workspace_acknowledges_nothing() {
    let config = format!("team_id = \"E0ORG\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    for team_org in [Some("E0ORG"), None] {
        let bot = spawn_bot_raw(&config).await;
        let id = open_ready_in_our_org(&bot, "ACME: cracked housings").await;
        let t = trouble(&bot, &id);
        let channel = t.channel.expect("channel").to_string();
        let click = |user: &str, user_team: &str| {
            let mut press = button_payload(&bot.slack, user, "acknowledge", &id, &channel);
            press["user"]["team_id"] = json!(user_team);
            press["team"]["enterprise_id"] = json!(team_org);
            press
        };
        let before = trouble(&bot, &id).timeline_len;
        let refused = bot.interaction(&click("W0CUSTOMER", "T0CUSTOMER")).await.status();
        match team_org {
            // Through our workspace of our org: told, to them alone, that the bot is ours.
            Some(_) => {
                assert_eq!(refused, 200);
                let answer = click_answer(&bot, "W0CUSTOMER", "for the company's own staff").await;
                assert!(!answer.contains(MANAGER), "{answer}");
            }
            // Through no workspace of our org: refused at the door.
            None => assert_eq!(refused, 403),
        }
        let t = trouble(&bot, &id);
        assert!(t.ack.is_none(), "{team_org:?}: the customer acknowledged");
        assert_eq!(t.timeline_len, before, "{team_org:?}: nothing recorded");

        assert_eq!(bot.interaction(&click(MANAGER, "E0ORG")).await.status(), 200);
        assert!(
            trouble(&bot, &id).ack.is_some(),
            "{team_org:?}: our manager's click taken"
        );
    }
}

/// With `team_id` naming our Enterprise Grid org, our org is known from the start, before
/// `auth.test` has told the bot its own workspace (Slack unreachable at a restart, the first
/// seconds after it): a customer's click then is refused as ever, and a colleague's is taken.
#[tokio::test]
async fn with_an_org_as_team_id_a_customers_click_is_refused_before_auth_test_answers() {
    let slack = FakeSlack::start().await;
    slack.hold("auth.test");
    let config = format!("team_id = \"E0ORG\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let bot = spawn_bot_on(&config, Default::default(), slack, &[]).await;
    bot.slack.wait_held("auth.test", |_| true).await;
    let id = open_ready_in_our_org(&bot, "ACME: cracked housings").await;
    let channel = trouble(&bot, &id).channel.expect("channel").to_string();
    let click = |user: &str, user_team: &str| {
        let mut press = button_payload(&bot.slack, user, "acknowledge", &id, &channel);
        press["user"]["team_id"] = json!(user_team);
        press["team"]["enterprise_id"] = json!("E0ORG");
        press
    };
    assert_eq!(bot.interaction(&click("W0CUSTOMER", "T0CUSTOMER")).await.status(), 200);
    click_answer(&bot, "W0CUSTOMER", "for the company's own staff").await;
    assert!(trouble(&bot, &id).ack.is_none(), "the customer acknowledged");
    assert_eq!(bot.interaction(&click(MANAGER, "T0TEAM")).await.status(), 200);
    assert!(trouble(&bot, &id).ack.is_some(), "our manager's click taken");
    assert!(bot.app().bot_identity().is_none(), "auth.test was held throughout");
    bot.slack.release("auth.test");
}

/// The owner of a trouble whose channel is shared with the customer cannot be DMed (Slack
/// refuses it for good): the nudges, which go by DM there, reach nobody. Their manager hears it
/// by DM once; the customer reads nothing of it in the channel; and the nudge rounds that
/// follow still try the owner, but with the nudges alone (a DM that goes through brings them
/// back), never anything else, and their refusals are on the timeline once.
#[tokio::test]
async fn an_owner_the_bot_cannot_dm_in_a_shared_trouble_is_told_to_the_manager_alone_and_only_nudged() {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.slack.no_such_user(SALES);
    let mark = last_call(&bot);
    // A working day of four-hourly nudges, each said to the team by DM.
    for _ in 0..4 {
        bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    }
    let told = |to: &str| -> Vec<String> {
        posted_since(&bot, to, mark)
            .into_iter()
            .filter(|m| m.contains(&format!("cannot DM <@{SALES}>")))
            .collect()
    };
    assert_eq!(told(MANAGER).len(), 1, "{:?}", told(MANAGER));
    assert!(told(&t.channel).is_empty(), "the customer reads none of it");
    let to_manager = posted_since(&bot, MANAGER, mark);
    assert!(
        to_manager
            .iter()
            .filter(|m| m.contains("heard nothing from us"))
            .count()
            >= 2,
        "the nudges went on to the manager: {to_manager:?}"
    );
    // The first, refused, set them aside; the rest ask them to act: the first call, the nudges.
    let tried = posted_since(&bot, SALES, mark);
    let asks = |m: &&String| m.contains("heard nothing from us") || m.contains("First call checklist");
    assert!(
        tried
            .iter()
            .skip(1)
            .filter(|m| m.contains("heard nothing from us"))
            .count()
            >= 2
            && tried.iter().skip(1).all(|m| asks(&m)),
        "what asks them to act alone is tried on the owner still: {tried:?}"
    );
    // Each refused again is the fact the timeline has had since they were set aside: said once.
    let refused = |e: &Event| matches!(e, Event::DeliveryFailed { who: Some(w), .. } if w.as_str() == SALES);
    assert_eq!(
        logged(&bot, &t.id, refused),
        1,
        "one line for the owner refused, not one per nudge"
    );
}

/// The owner set aside as Slack refused them a DM for good (a permission missing) is brought
/// back by the first DM that goes through once it is mended, a nudge asking them to update the
/// customer: without a hand-over, the timeline says so once, the customer reads nothing of it,
/// and should Slack refuse them again, their manager hears anew.
#[tokio::test]
async fn an_owner_set_aside_is_brought_back_by_a_nudge_slack_takes_again() {
    let (bot, _front, t) = owner_set_aside_in_a_shared_trouble().await;
    let warning = format!("<@{SALES}>, the owner of trouble");

    bot.slack.accept_dm(SALES);
    let mark = last_call(&bot);
    bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    wait_until(|| trouble(&bot, &t.id).unreachable_owners.is_empty().then_some(())).await;
    assert!(
        posted_since(&bot, SALES, mark)
            .iter()
            .any(|m| m.contains("heard nothing from us")),
        "the nudge reached the owner"
    );
    let back = |bot: &TestBot| {
        logged(
            bot,
            &t.id,
            |e| matches!(e, Event::OwnerReachedAgain { who } if who.as_str() == SALES),
        )
    };
    assert_eq!(back(&bot), 1, "one timeline line");
    let in_channel = posted_since(&bot, &t.channel, mark);
    assert!(in_channel.is_empty(), "the customer reads none of it: {in_channel:?}");
    assert_eq!(trouble(&bot, &t.id).owner.as_str(), SALES, "no hand-over");

    // Refused again: the owner is set aside anew, and their manager hears it anew.
    bot.slack.refuse_dm(SALES, "no_permission");
    let again = last_call(&bot);
    bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    wait_until(|| (!trouble(&bot, &t.id).unreachable_owners.is_empty()).then_some(())).await;
    wait_until(|| {
        posted_since(&bot, MANAGER, again)
            .iter()
            .any(|m| m.contains(&warning))
            .then_some(())
    })
    .await;
    assert_eq!(back(&bot), 1, "said once for each return");
    assert_store_verifies(&bot, "the owner's return replays from the timeline");
}

/// While the owner is set aside (Slack refused them a DM for good), what the bot would only tell
/// them, a promise made in their name and the close, is not tried on them, each to fail into
/// the timeline: the channel says what it always said.
#[tokio::test]
async fn one_off_dms_to_an_owner_set_aside_are_not_tried() {
    let (bot, _front, t) = owner_set_aside_in_a_shared_trouble().await;
    let failed = |bot: &TestBot| logged(bot, &t.id, |e| matches!(e, Event::DeliveryFailed { .. }));
    let failed_before = failed(&bot);
    let mark = last_call(&bot);
    let answer = bot
        .command_text(MANAGER, &t.channel, "update called their QA next: tomorrow 10:00")
        .await;
    assert!(answer.contains(&format!("remind <@{SALES}>")), "{answer}");
    let closed = bot
        .command_text(MANAGER, &t.channel, "close force customer satisfied")
        .await;
    assert!(closed.contains("Closed trouble"), "{closed}");
    bot.settle().await;
    assert!(trouble(&bot, &t.id).closed.is_some());
    assert!(
        said_in_since(&bot, &t.channel, mark)
            .iter()
            .any(|m| m.contains("called their QA")),
        "the channel says the update as ever"
    );
    assert_eq!(
        posted_since(&bot, SALES, mark),
        Vec::<String>::new(),
        "nothing tried on the owner"
    );
    assert_eq!(failed(&bot), failed_before, "no refusal logged");
}

/// A sev2 trouble, acknowledged, its channel shared with the customer, whose owner Slack then
/// refuses a DM for good (a permission missing): the first nudge by DM fails, their manager is
/// told, and the owner is set aside.
async fn owner_set_aside_in_a_shared_trouble() -> (TestBot, FakeSocket, OpenedTrouble) {
    let (bot, front) = bot_with_connect().await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.slack.refuse_dm(SALES, "no_permission");
    bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    bot.posted_saying(MANAGER, &format!("<@{SALES}>, the owner of trouble"))
        .await;
    assert_eq!(trouble(&bot, &t.id).unreachable_owners.len(), 1, "set aside");
    (bot, front, t)
}

/// How many entries of trouble `id`'s timeline are `what`.
fn logged(bot: &TestBot, id: &str, what: impl Fn(&Event) -> bool) -> usize {
    let id = trouble_bot::trouble::model::TroubleId::new(id);
    bot.store()
        .timeline(&id)
        .unwrap()
        .iter()
        .filter(|e| what(&e.event))
        .count()
}

/// An owner whose DM Slack refused, set aside, is reachable again (a permission mended): once
/// the trouble is handed back to them, the nudges that follow DM them again. Typing a command
/// alone does not bring them back (a guest still types in the channel), nor tell their manager
/// anew at each failed DM.
#[tokio::test]
async fn an_owner_set_aside_is_dmed_the_nudges_again_once_the_trouble_is_handed_back_to_them() {
    let (bot, _front, t) = owner_set_aside_in_a_shared_trouble().await;
    let set_aside = vec![trouble_bot::trouble::model::UserId::new(SALES)];
    bot.command_text(SALES, &t.channel, "status").await;
    bot.settle().await;
    assert_eq!(
        trouble(&bot, &t.id).unreachable_owners,
        set_aside,
        "a command is not a DM"
    );
    bot.slack.accept_dm(SALES);
    for to in [COLLEAGUE, SALES] {
        let handed = bot.command_text(MANAGER, &t.channel, &format!("owner <@{to}>")).await;
        assert!(handed.contains(&format!("<@{to}>")), "{handed}");
    }
    bot.settle().await;
    let after = trouble(&bot, &t.id);
    assert!(
        after.owner.as_str() == SALES && after.unreachable_owners.is_empty(),
        "{after:?}"
    );
    let mark = last_call(&bot);
    bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    let to_owner = posted_since(&bot, SALES, mark);
    assert!(
        to_owner.iter().any(|m| m.contains("heard nothing from us")),
        "the nudge reaches the owner again: {to_owner:?}"
    );
}

/// A trouble in a channel shared with the customer whose owner has no manager at all (no
/// `[org]` chain, none named): the owner's notice would reach nobody (the channel's line held
/// back, nobody to DM), so the owner is not marked unreachable and the bot keeps DMing them the
/// nudges, the one way it may still reach them.
#[tokio::test]
async fn an_owner_the_bot_cannot_dm_with_nobody_to_tell_in_a_shared_trouble_is_still_nudged() {
    let config = config_speaking("en")
        .replace("default_manager = \"U0MANAGER\"\n", "")
        .replace("U0SALES = \"U0MANAGER\"\n", "");
    let (bot, front) = spawn_bot_behind_front_with(&config, false, |_| {}).await;
    let t = bot.open_ready("sev2 ACME: cracked housings").await;
    assert!(
        trouble(&bot, &t.id).manager_chain().is_empty(),
        "nobody above the owner"
    );
    share_with_the_customer(&bot, &front, &t.channel).await;
    bot.slack.refuse_dm(SALES, "user_not_visible");
    let mark = last_call(&bot);
    for _ in 0..3 {
        bot.advance_and_settle(std::time::Duration::from_secs(5 * 3600)).await;
    }
    assert!(
        trouble(&bot, &t.id).unreachable_owners.is_empty(),
        "told nobody: not marked"
    );
    let tried = bot
        .slack
        .calls()
        .iter()
        .filter(|c| c.seq > mark && c.method == "chat.postMessage" && c.params["channel"] == SALES)
        .count();
    assert!(tried >= 2, "each nudge round DMs the owner still: {tried}");
    assert!(
        said_in_since(&bot, &t.channel, mark)
            .iter()
            .all(|m| !m.contains("cannot DM")),
        "the customer reads none of it"
    );
}
