//! Stages 5–6 against the fake Slack: proposals approved up the chain, approval limits, the
//! customer's agreement, costs with the split applied, the 8D for the customer.

mod common;

use common::*;
use trouble_bot::trouble::approval::{Proposal, ProposalState};
use trouble_bot::trouble::model::{StageId, StageState, TroubleId};

const LIMITS: &str = "[approval_limits]\nJPY = 1_000_000\nUSD = 10_000\n";

fn proposals(bot: &TestBot, id: &str) -> Vec<Proposal> {
    bot.store()
        .get(&TroubleId::new(id))
        .expect("store")
        .expect("trouble")
        .agreement
        .proposals
}

/// `who` approves proposal `n` of `t` with its button, and is told so.
async fn approve(bot: &TestBot, who: &str, t: &OpenedTrouble, n: usize) {
    click_on(bot, who, "proposal_approve", t, n).await;
    click_answer(bot, who, &format!("You approved proposal #{n}")).await;
}

/// `who` taps Approve on proposal `n` of `t`, which is not theirs to decide: the answer names
/// `approver`, and nothing is approved.
async fn approve_refused(bot: &TestBot, who: &str, t: &OpenedTrouble, n: usize, approver: &str) {
    click_on(bot, who, "proposal_approve", t, n).await;
    let a = click_answer(bot, who, approver).await;
    assert!(!a.contains("You approved"), "{a}");
}

/// A message the bot posted to `channel` whose text contains `needle`.
async fn posted(bot: &TestBot, channel: &str, needle: &str) -> serde_json::Value {
    bot.slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == channel && c.params["text"].as_str().is_some_and(|t| t.contains(needle))
        })
        .await
        .params
}

#[tokio::test]
async fn a_split_approved_by_the_manager_is_recorded_as_agreed_with_the_customer() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;

    let r = bot
        .command_text(SALES, &t.channel, "split 70/30 our mold, their storage")
        .await;
    assert!(r.contains("proposal #1") && r.contains(MANAGER), "{r}");
    // The manager, in the channel, is asked there: no DM besides.
    bot.expect_none("chat.postMessage", |c| {
        c.params["channel"] == MANAGER && text_of(&c.params).contains("needs your approval")
    })
    .await;
    let proposal = posted(&bot, &t.channel, "Proposal #1").await;
    // Within the manager's limit it pings the manager alone, not the whole chain above.
    let text = text_of(&proposal);
    assert!(
        text.contains(&format!("Who may approve: <@{MANAGER}> (or those above them)"))
            && !text.contains(DIRECTOR)
            && !text.contains(VP),
        "{text}"
    );
    let blocks = proposal["blocks"].to_string();
    assert!(
        blocks.contains("proposal_approve") && blocks.contains("proposal_reject"),
        "{blocks}"
    );

    // Before approval the customer's agreement cannot be recorded.
    let r = bot.command_text(SALES, &t.channel, "agreed 1").await;
    assert!(r.contains("not approved yet"), "{r}");

    approve(&bot, MANAGER, &t, 1).await;
    posted(&bot, &t.channel, "Proposal #1 approved by").await;

    let r = bot
        .command_text(SALES, &t.channel, "agreed 1 accepted on the phone")
        .await;
    assert!(r.contains("agreement to proposal #1"), "{r}");
    let accepted = posted(&bot, &t.channel, "The customer accepted proposal #1").await;
    let accepted = accepted["text"].as_str().unwrap_or_default();
    assert!(
        accepted.ends_with("\n> accepted on the phone"),
        "the note, in the channel: {accepted}"
    );
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Agreed { .. }));

    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains("agreed with the customer"), "{status}");
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).expect("timeline");
    let kinds: Vec<String> = timeline.iter().map(|e| format!("{:?}", e.event)).collect();
    assert!(kinds.iter().any(|k| k.starts_with("Agreement(Approved")), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.starts_with("Agreement(Agreed")), "{kinds:?}");
}

/// The customer's agreement recorded by mistake (`agreed 2` for `agreed 1`, or before the call
/// ended): the owner withdraws it with a reason. The proposal stands approved, the channel is
/// told, both stay on the timeline, and it can be agreed again; nobody else may withdraw it,
/// and one never agreed is answered so.
#[tokio::test]
async fn an_agreement_recorded_by_mistake_is_withdrawn_in_the_open() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    posted(&bot, &t.channel, "Proposal #1 approved by").await;
    let r = bot
        .command_text(SALES, &t.channel, "withdraw agreed 1 typed too soon")
        .await;
    assert!(
        r.contains("No agreement of the customer is recorded for proposal #1 (it is approved)"),
        "{r}"
    );
    bot.command_text(SALES, &t.channel, "agreed 1").await;
    // The split settled on that agreement: stage 5 done.
    let r = bot.command_text(SALES, &t.channel, "done 5").await;
    assert!(
        trouble(&bot, &t.id).stage(StageId::Split).state == StageState::Done,
        "{r}"
    );

    let r = bot
        .command_text(COLLEAGUE, &t.channel, "withdraw agreed 1 not so")
        .await;
    assert!(r.contains(&format!("<@{SALES}>")), "the refusal names who may: {r}");
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Agreed { .. }));
    let r = bot.command_text(SALES, &t.channel, "withdraw agreed").await;
    assert!(r.contains("Give the number after `/trouble withdraw agreed`"), "{r}");
    let r = bot.command_text(SALES, &t.channel, "withdraw agreed 1").await;
    assert!(r.contains("reason"), "{r}");

    let r = bot
        .command_text(SALES, &t.channel, "withdraw agreed 1 the customer has not signed yet")
        .await;
    assert!(
        r.starts_with("Withdrew the record of the customer's agreement to proposal #1"),
        "{r}"
    );
    assert!(matches!(
        proposals(&bot, &t.id)[0].state,
        ProposalState::Approved { .. }
    ));
    let told = posted(
        &bot,
        &t.channel,
        "withdrew the record that the customer accepted proposal #1",
    )
    .await;
    assert!(text_of(&told).contains("the customer has not signed yet"), "{told}");
    // Not settled without the customer's agreement: stage 5 is worked on again, in the
    // channel too, so the trouble cannot be closed on it.
    assert!(r.contains("Stage 5, done before, is worked on again."), "{r}");
    let split = trouble(&bot, &t.id).stage(StageId::Split).clone();
    assert_eq!(split.state, StageState::InProgress);
    assert!(split.done_by.is_none());
    posted(
        &bot,
        &t.channel,
        "Stage 5 \"Settle the split of responsibility\" started",
    )
    .await;
    let timeline = bot.store().timeline(&TroubleId::new(&t.id)).expect("timeline");
    let kinds: Vec<String> = timeline.iter().map(|e| format!("{:?}", e.event)).collect();
    assert!(kinds.iter().any(|k| k.starts_with("Agreement(Agreed")), "{kinds:?}");
    assert!(
        kinds.iter().any(|k| k.starts_with("Agreement(AgreedWithdrawn")),
        "{kinds:?}"
    );
    // What the timeline says is what the trouble is: it replays to the same state.
    let replayed = trouble_bot::trouble::replay::verify_trouble(&trouble(&bot, &t.id), &timeline);
    assert!(replayed.is_ok(), "{replayed:?}");

    let r = bot.command_text(SALES, &t.channel, "agreed 1 signed").await;
    assert!(r.contains("agreement to proposal #1"), "{r}");
}

/// The manager proposes, so the director must decide although no limit is crossed: the
/// director hears in a DM that says what the money is for and why them, with the buttons,
/// and is brought into the channel to see it.
#[tokio::test]
async fn the_proposer_cannot_approve_their_own_proposal() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;

    bot.command_text(MANAGER, &t.channel, "cost ¥50,000 ours courier for the replacement lot")
        .await;
    let dm = posted(&bot, DIRECTOR, "Proposal #1").await;
    let text = dm["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("¥50,000 (borne by us) — “courier for the replacement lot”"),
        "what the money is for: {text}"
    );
    assert!(text.contains("nobody approves their own proposal"), "why them: {text}");
    let blocks = dm["blocks"].to_string();
    assert!(
        blocks.contains("proposal_approve") && blocks.contains("proposal_reject"),
        "the buttons are in the DM: {blocks}"
    );
    bot.slack
        .wait_for("conversations.invite", |c| {
            c.params["channel"] == t.channel.as_str()
                && c.params["users"].as_str().is_some_and(|u| u.contains(DIRECTOR))
        })
        .await;
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    let r = click_answer(&bot, MANAGER, "own proposal").await;
    assert!(r.contains(DIRECTOR), "the refusal names who may: {r}");
    // The owner is never an approver either.
    click_on(&bot, SALES, "proposal_approve", &t, 1).await;
    click_answer(&bot, SALES, "Only").await;
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Proposed));

    click_on(&bot, DIRECTOR, "proposal_reject", &t, 1).await;
    click_answer(&bot, DIRECTOR, "You rejected proposal #1").await;
    posted(&bot, &t.channel, "Proposal #1 rejected by").await;
    assert!(matches!(
        proposals(&bot, &t.id)[0].state,
        ProposalState::Rejected { .. }
    ));
    // A second tap (the DM's buttons stay) says who decided.
    click_on(&bot, VP, "proposal_approve", &t, 1).await;
    click_answer(&bot, VP, &format!("Proposal #1 is already rejected by <@{DIRECTOR}>")).await;

    // A rejected cost is borne by nobody: the customer's history and the stats leave it out, as
    // the trouble's own totals do.
    bot.command_text(SALES, &t.channel, "cost ¥7,000 ours taxi").await;
    let history = bot.command_text(DIRECTOR, ORIGIN, "history ACME").await;
    assert!(
        history.contains("*Running balance* borne by us ¥7,000") && !history.contains("¥50,000"),
        "{history}"
    );
    let stats = bot.command_text(DIRECTOR, ORIGIN, "stats").await;
    assert!(stats.contains("¥7,000") && !stats.contains("¥57,000"), "{stats}");
}

#[tokio::test]
async fn a_cost_that_crosses_the_jpy_limit_needs_the_director_who_is_dmed() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;

    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    approve(&bot, MANAGER, &t, 1).await;
    // Ours 70% of ¥1,200,000 = ¥840,000 on the approved split: under the limit, the
    // manager's to approve.
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,200,000 ours replacement lot")
        .await;
    assert!(r.contains("proposal #2") && r.contains(MANAGER), "{r}");
    assert_eq!(proposals(&bot, &t.id)[1].level, 0);

    // Ours 70% of ¥1,800,000 = ¥1,260,000: over ¥1,000,000, so the director decides.
    let r = bot.command_text(SALES, &t.channel, "cost 60万円 ours line stop").await;
    assert!(r.contains("proposal #3") && r.contains(DIRECTOR), "{r}");
    let dm = posted(&bot, DIRECTOR, "Proposal #3").await;
    let text = dm["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("¥1,260,000") && text.contains("¥1,000,000"),
        "the DM says why: {text}"
    );

    click_on(&bot, MANAGER, "proposal_approve", &t, 3).await;
    let r = click_answer(&bot, MANAGER, "Only").await;
    assert!(r.contains(DIRECTOR), "{r}");
    approve(&bot, DIRECTOR, &t, 3).await;
    assert!(matches!(
        proposals(&bot, &t.id)[2].state,
        ProposalState::Approved { .. }
    ));
    // The report names the approver on its timeline, without pinging them again.
    bot.command_text(SALES, &t.channel, "report").await;
    let part = posted(&bot, &t.channel, "proposal #3: cost #2").await;
    let text = part["text"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("approver @{DIRECTOR}")), "{text}");
    // Nor anyone else: the proposals' states are named too.
    assert!(text.contains(&format!("#3 approved by @{DIRECTOR}")), "{text}");
    assert!(!text.contains("<@"), "the report pings nobody: {text}");
}

/// A manager on a phone approves from App Home: each proposal they may decide is listed there
/// with the channel's buttons, one above their limit is not, and the owner sees none.
#[tokio::test]
async fn app_home_lists_the_proposals_each_approver_may_decide_and_a_click_there_approves() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let home = app_home(&bot, MANAGER).await;
    assert!(!home.contains("Proposals waiting"), "{home}");
    // A Home once opened follows: the proposal shows without opening it again.
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    bot.slack
        .wait_for("views.publish", |c| {
            c.params["user_id"] == MANAGER && c.params["view"].to_string().contains("proposal #1")
        })
        .await;
    // ¥900,000 ours: under the limit with the split pending or without it.
    bot.command_text(SALES, &t.channel, "cost ¥900,000 ours replacement lot")
        .await;
    // Ours 70% of ¥1,500,000 = ¥1,050,000 with this one: over the limit, so the director's alone.
    bot.command_text(SALES, &t.channel, "cost 60万円 ours line stop").await;
    assert_eq!(proposals(&bot, &t.id)[2].level, 1);

    let buttons = |home: &str| -> Vec<String> {
        let view: serde_json::Value = serde_json::from_str(home).expect("a view");
        view["blocks"]
            .as_array()
            .expect("blocks")
            .iter()
            .filter(|b| b["type"] == "actions")
            .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["action_id"] == "proposal_approve")
            .map(|e| e["value"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains("Proposals waiting for your approval* (2)"), "{home}");
    assert!(home.contains("proposal #2") && !home.contains("proposal #3"), "{home}");
    let values = buttons(&home);
    assert_eq!(values, [format!("{}:1", t.id), format!("{}:2", t.id)]);
    let home = app_home(&bot, DIRECTOR).await;
    assert!(home.contains("Proposals waiting for your approval* (3)"), "{home}");
    assert!(
        home.contains("proposal #3") && home.contains("over the approval limit of ¥1,000,000"),
        "{home}"
    );
    let home = app_home(&bot, SALES).await;
    assert!(!home.contains("Proposals waiting"), "the owner decides none: {home}");

    let clicked = bot
        .interaction(&home_button_payload(MANAGER, "proposal_approve", &values[1]))
        .await;
    assert_eq!(clicked.status(), 200);
    wait_until(|| matches!(proposals(&bot, &t.id)[1].state, ProposalState::Approved { .. }).then_some(())).await;
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains("Proposals waiting for your approval* (1)"), "{home}");
    assert_eq!(buttons(&home), [format!("{}:1", t.id)]);
}

/// A split's reason runs to the command's limit: the Home's line for its proposal is cut to
/// what Slack takes (`blocks::section`), so the approver's Home is still published.
#[tokio::test]
async fn a_proposal_with_a_long_reason_still_shows_in_app_home() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let reason = "mold wear ".repeat(298);
    let r = bot
        .command_text(SALES, &t.channel, &format!("split 70/30 {reason}"))
        .await;
    assert!(r.contains("proposal #1"), "{r}");
    let home = app_home(&bot, MANAGER).await;
    assert!(home.contains("Proposals waiting for your approval* (1)"), "{home}");
    let published = bot.slack.calls_to("views.publish");
    assert!(
        published.iter().all(|c| c.outcome == "ok"),
        "{:?}",
        published.iter().map(|c| &c.outcome).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn naming_a_manager_in_front_of_the_chain_never_lets_the_manager_approve_what_needs_the_director() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    // Named by the owner at open: the colleague heads the chain, and the configured manager
    // must not slide to the director's level with it.
    let named = bot.open_ready(&format!("<@{COLLEAGUE}> ACME: cracked housings")).await;
    let r = bot
        .command_text(SALES, &named.channel, "cost ¥1,500,000 ours line stop")
        .await;
    assert!(r.contains("proposal #1") && r.contains(DIRECTOR), "{r}");
    assert!(!r.contains(MANAGER), "the manager is not the approver: {r}");
    posted(&bot, DIRECTOR, "Proposal #1").await;

    // Named afterwards by the manager: the proposal already waiting still needs the director.
    let t = bot.open_ready("BETA: cracked housings").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,500,000 ours line stop")
        .await;
    assert!(r.contains(DIRECTOR), "{r}");
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("manager <@{COLLEAGUE}>"))
        .await;
    assert!(r.contains(COLLEAGUE), "{r}");
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    let r = click_answer(&bot, MANAGER, "Only").await;
    assert!(r.contains(DIRECTOR) && !r.contains(COLLEAGUE), "{r}");
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Proposed));
    approve(&bot, DIRECTOR, &t, 1).await;
}

#[tokio::test]
async fn a_cost_whose_amount_or_payer_cannot_be_measured_is_refused_rather_than_left_to_the_manager() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    // No currency: with approval limits it could not be measured, and would go to the manager.
    let r = bot
        .command_text(SALES, &t.channel, "cost 1,500,000 ours line stop")
        .await;
    assert!(
        r.contains("with its currency") && r.contains("Nothing was recorded"),
        "{r}"
    );
    // A payer the bot does not know would leave it out of what we bear; `折半` (half each) is
    // two costs, which the answer writes out.
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,500,000 山分け line stop")
        .await;
    assert!(r.contains("`山分け` is not a payer") && r.contains("ours"), "{r}");
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,500,000 折半 line stop")
        .await;
    assert!(
        r.contains("`/trouble cost ¥750,000 ours line stop` and `/trouble cost ¥750,000 customer line stop`"),
        "{r}"
    );
    let r = bot.command_text(SALES, &t.channel, "fix cost 1 1,500,000 ours").await;
    assert!(!r.contains("corrected"), "{r}");
    let trouble = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert!(trouble.costs.is_empty() && proposals(&bot, &t.id).is_empty());
    bot.expect_none("chat.postMessage", |c| c.params["channel"] == DIRECTOR)
        .await;

    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,500,000 ours line stop")
        .await;
    assert!(r.contains("proposal #1") && r.contains(DIRECTOR), "{r}");
    let r = bot.command_text(SALES, &t.channel, "fix cost 1 1,600,000 ours").await;
    assert!(r.contains("with its currency"), "{r}");
    assert_eq!(
        bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap().costs[0].amount,
        "¥1,500,000"
    );
}

#[tokio::test]
async fn totals_apply_the_split_to_the_costs() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    bot.command_text(SALES, &t.channel, "cost ¥1,000,000 ours replacement lot")
        .await;
    bot.command_text(SALES, &t.channel, "cost 20万円 customer sorting at their site")
        .await;

    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains("ours 70% of ¥1,200,000 = ¥840,000"), "{status}");
    assert!(status.contains("borne by us ¥1,000,000"), "{status}");
    assert!(status.contains("awaiting approval"), "{status}");
    // The report shows the same, for the record.
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(
        report.contains("With the split applied: ours 70% of ¥1,200,000 = ¥840,000"),
        "{report}"
    );
    // Each item once, on its own line, with where its proposal stands.
    for item in [
        "- Split: us 70% / the customer 30% — “our mold” — proposal #1 awaiting approval",
        "- Cost #1 ¥1,000,000 (borne by us) — “replacement lot” — proposal #2 awaiting approval",
    ] {
        assert_eq!(report.matches(item).count(), 1, "{item:?} in:\n{report}");
    }
    // Once among the costs and once as the timeline's line of it, as every line says a cost.
    assert_eq!(report.matches("¥1,000,000 (borne by us)").count(), 2, "{report}");
    assert_eq!(
        report
            .matches("— cost ¥1,000,000 (borne by us) — replacement lot\n")
            .count(),
        1,
        "{report}"
    );
    assert!(
        status.contains("#1 ¥1,000,000 (borne by us) — “replacement lot” — proposal #2 awaiting approval"),
        "{status}"
    );
    // In the status the typed reason is quoted: the proposal's state follows it on the line,
    // and a reason typed "✅ approved by @director" must not read as that state.
    assert!(
        status.contains("Split: us 70% / the customer 30% — “our mold” — proposal #1 awaiting approval"),
        "{status}"
    );
    assert_eq!(status.matches("our mold").count(), 1, "the split once: {status}");

    // The totals by payer count what the split-applied line counts: rejected costs left out,
    // pending ones counted and named.
    approve(&bot, MANAGER, &t, 2).await;
    click_on(&bot, MANAGER, "proposal_reject", &t, 3).await;
    click_answer(&bot, MANAGER, "You rejected proposal #3").await;
    bot.command_text(SALES, &t.channel, "cost ¥300,000 ours line stop")
        .await;
    let totals = "borne by us ¥1,300,000 (of which awaiting approval: borne by us ¥300,000; 1 rejected cost left out)";
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains(&format!("*Totals* {totals}")), "{status}");
    assert!(status.contains("ours 70% of ¥1,300,000 = ¥910,000"), "{status}");
    assert!(!status.contains("¥1,500,000"), "{status}");
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(report.contains(&format!("- Totals: {totals}")), "{report}");
    assert!(
        report.contains("With the split applied: ours 70% of ¥1,300,000 = ¥910,000"),
        "{report}"
    );
}

/// The shared org in `locale`, with the approval limits.
async fn spawn_in(locale: &str) -> TestBot {
    let base = BASE_CONFIG.replacen("locale = \"en\"\n", "", 1);
    spawn_bot_raw(&format!(
        "locale = \"{locale}\"\n{base}\n{DEFAULT_SEVERITIES}\n{LIMITS}"
    ))
    .await
}

/// In Japanese the totals' note sits in full-width brackets, and the list says whose
/// acknowledgement a trouble waits for in the glossary's words.
#[tokio::test]
async fn the_japanese_totals_and_list_read_as_japanese() {
    let bot = spawn_in("ja").await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours replacement")
        .await;
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(
        status.contains("当社 ¥120,000（うち承認待ち 当社 ¥120,000）"),
        "{status}"
    );
    // Damages as a large trouble counts them, in 億, cross the limit and go up the chain.
    let r = bot
        .command_text(SALES, &t.channel, "cost 1億2千万円 当社 損害賠償")
        .await;
    assert!(r.contains("#2") && r.contains(DIRECTOR), "{r}");
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains("当社 ¥120,120,000"), "{status}");
    let list = bot.command_text(SALES, &t.channel, "list").await;
    assert!(list.contains("· 上司確認待ち ·"), "{list}");
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let list = bot.command_text(SALES, &t.channel, "list").await;
    assert!(list.contains("· 上司確認済み ·"), "{list}");
}

/// Dates and the trouble's id change with every run; the golden files hold placeholders.
fn normalised(text: &str, id: &str) -> String {
    let text = text.replace(id, "ID");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let shape = |c: &[char]| {
        c.len() >= 10
            && c[..4].iter().all(char::is_ascii_digit)
            && c[4] == '-'
            && c[5..7].iter().all(char::is_ascii_digit)
            && c[7] == '-'
            && c[8..10].iter().all(char::is_ascii_digit)
    };
    while i < chars.len() {
        if shape(&chars[i..]) {
            out.push_str("YYYY-MM-DD");
            i += 10;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The fixture trouble: facts, returned goods, scope, cause with its escape point, one action
/// of each kind (the permanent one verified), a split, a cost, an internal note; closed.
async fn fixture_trouble(bot: &TestBot) -> OpenedTrouble {
    let t = bot.open_ready("sev2 +quality ACME: cracked housings in lot 42").await;
    for command in [
        "fact part HX-200",
        "fact lot L42",
        "fact qty 120",
        "fact symptom cracks at the screw boss",
        "fact found ACME incoming inspection",
        "return received qty 12",
        "scope Plant B, lots L40-L44",
        "scope check 1 no other lots shipped",
        "cause mold temperature too low escape: visual check only on the first shot",
        "action interim Sort the warehouse stock owner:<@U0QA1>",
        "action permanent Mold temperature interlock owner:<@U0QA2>",
        "action prevent Add the boss to the first-article checklist",
        "split 70/30 our mold, their storage",
        "cost ¥120,000 ours replacement shipping",
        "note the customer's buyer hinted at a discount request",
    ] {
        let r = bot.command(SALES, &t.channel, command).await.to_string();
        assert!(!r.contains("error"), "{command}: {r}");
    }
    let r = bot.command_text("U0QA1", &t.channel, "action done 1").await;
    assert!(r.contains("#1"), "{r}");
    let r = bot.command_text("U0QA2", &t.channel, "action done 2").await;
    assert!(r.contains("#2"), "{r}");
    let r = bot
        .command_text("U0QA1", &t.channel, "action verify 2 200 shots without cracks")
        .await;
    assert!(r.contains("#2"), "{r}");
    t
}

#[tokio::test]
async fn the_japanese_8d_for_the_customer_matches_its_golden_file_and_holds_no_amount() {
    the_8d_matches_its_golden_file("ja").await;
}

#[tokio::test]
async fn the_english_8d_for_the_customer_matches_its_golden_file_and_holds_no_amount() {
    the_8d_matches_its_golden_file("en").await;
}

async fn the_8d_matches_its_golden_file(locale: &str) {
    {
        let bot = spawn_in(locale).await;
        let t = fixture_trouble(&bot).await;
        let config = bot.config();
        let out = trouble_bot::admin::export(&config, bot.store(), &t.id, trouble_bot::admin::Format::EightD);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let got = normalised(&out.stdout, &t.id);
        for internal in [
            "¥",
            "120,000",
            "70%",
            "70/30",
            "discount",
            "split",
            "責任区分",
            "費用",
            "承認",
            "approv",
        ] {
            assert!(!got.contains(internal), "{locale}: the 8D holds {internal:?}:\n{got}");
        }
        let path = format!("tests/fixtures/8d/{locale}.md");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &got).expect("write golden");
        }
        let golden = std::fs::read_to_string(&path).expect("golden file");
        assert_eq!(
            got, golden,
            "{locale}: the 8D differs from {path} (UPDATE_GOLDEN=1 rewrites it)"
        );
        // The report's times, read months later, say in which zone they are.
        let report = trouble_bot::admin::export(&config, bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
        let zone = match locale {
            "ja" => "\n- タイムゾーン: Asia/Tokyo\n",
            _ => "\n- Time zone: Asia/Tokyo\n",
        };
        assert!(report.contains(zone), "{locale}: {report}");

        // `/trouble report 8d` posts the same sections in the channel for review.
        let r = bot.command_text(SALES, &t.channel, "report 8d").await;
        assert!(r.contains("8D"), "{r}");
        // Behind every line the fixture posted, at Slack's pace of about one a second.
        let posted = bot
            .paced("the 8D in the channel", || {
                bot.slack.calls_to("chat.postMessage").into_iter().find(|c| {
                    c.params["channel"] == t.channel.as_str()
                        && c.params["text"].as_str().is_some_and(|x| x.contains("8D"))
                })
            })
            .await;
        let blocks = posted.params["blocks"].to_string();
        for d in ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"] {
            assert!(blocks.contains(d), "{locale}: {d} missing in {blocks}");
        }
        assert!(!blocks.contains('¥') && !blocks.contains("discount"), "{blocks}");
    }
}

#[tokio::test]
async fn stats_show_the_time_to_acknowledgement_and_first_contact_and_costs_by_customer() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("sev1 ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "update apologised, sorting today")
        .await;
    bot.command_text(SALES, &t.channel, "cost ¥30,000 ours courier").await;

    let r = bot.command_text(DIRECTOR, ORIGIN, "stats 30").await;
    assert!(r.contains("last 30 days: 1"), "{r}");
    assert!(
        r.contains("To manager acknowledgement: median") && r.contains("(1 trouble)"),
        "{r}"
    );
    assert!(r.contains("To first customer contact: median"), "{r}");
    assert!(r.contains("ACME: 1 trouble (1 open) · our share ¥30,000"), "{r}");
    let r = bot.command_text(DIRECTOR, ORIGIN, "stats soon").await;
    assert!(r.contains("stats"), "a bad number is explained: {r}");
}

#[tokio::test]
async fn only_the_owner_records_the_customers_agreement_and_the_refusal_names_them() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    approve(&bot, MANAGER, &t, 1).await;

    // The manager approved it, but it is the owner who talks to the customer.
    let r = bot.command_text(MANAGER, &t.channel, "agreed 1").await;
    assert!(
        r.contains(&format!(
            "Only the owner <@{SALES}> can record the customer's agreement"
        )),
        "{r}"
    );
    assert!(matches!(
        proposals(&bot, &t.id)[0].state,
        ProposalState::Approved { .. }
    ));
    let r = bot.command_text(SALES, &t.channel, "agreed 1").await;
    assert!(r.contains("agreement to proposal #1"), "{r}");
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Agreed { .. }));
}

#[tokio::test]
async fn stage_5_and_6_wait_for_their_proposals_to_be_decided_before_the_customer_hears_them() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours shipping").await;
    bot.settle().await;
    let before = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap().timeline_len;
    for (who, typed, stage, pending) in [(SALES, "done 5 agreed", 5, "#1"), (MANAGER, "done 6 accepted", 6, "#2")] {
        let refused = bot.command_text(who, &t.channel, typed).await;
        assert!(
            refused.contains(&format!(
                "Stage {stage} cannot be done yet: proposal {pending} awaits approval"
            )) && refused.contains(MANAGER),
            "{refused}"
        );
    }
    let after = bot.store().get(&TroubleId::new(&t.id)).unwrap().unwrap();
    assert_eq!(after.timeline_len, before, "a refused stage recorded something");
    approve(&bot, MANAGER, &t, 1).await;
    let done = bot.command_text(SALES, &t.channel, "done 5 agreed").await;
    assert!(done.contains("marked done"), "{done}");
    click_on(&bot, MANAGER, "proposal_reject", &t, 2).await;
    // Decided, but rejected: it settles nothing, as the history leaves it out.
    let done = bot.command_text(SALES, &t.channel, "done 6 we bear it ourselves").await;
    assert!(
        done.contains("No cost is recorded, so stage 6 cannot be done"),
        "a rejected cost counts for nothing: {done}"
    );
    bot.command_text(SALES, &t.channel, "cost 0 ours no charge after all")
        .await;
    let done = bot.command_text(SALES, &t.channel, "done 6 we bear it ourselves").await;
    assert!(done.contains("marked done"), "{done}");
}

/// A tap on a proposal a correction replaced points to the one that stands now.
#[tokio::test]
async fn a_tap_on_a_superseded_proposal_names_the_one_that_replaced_it() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    // Nothing to correct yet: refused, nothing recorded.
    let r = bot.command_text(SALES, &t.channel, "fix split 50/50").await;
    assert!(r.starts_with("There is no split to correct yet"), "{r}");
    assert!(trouble(&bot, &t.id).split.is_none());
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    let r = bot
        .command_text(SALES, &t.channel, "fix split 60/40 our mold, their storage")
        .await;
    assert!(
        r.starts_with("Corrected the split") && r.contains("proposal #2; it waits for"),
        "the answer says the correction awaits approval: {r}"
    );
    assert_eq!(proposals(&bot, &t.id).len(), 2);
    // The channel's line reads the split as every split reads, with its reason.
    let line = bot.posted_saying(&t.channel, "Corrected split").await;
    assert!(
        line.contains(&format!(
            "Corrected split by <@{SALES}>: us 70% / the customer 30% → us 60% / the customer 40%"
        )) && line.contains("our mold, their storage"),
        "{line}"
    );
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    click_answer(
        &bot,
        MANAGER,
        "Proposal #1 is already superseded. The current one is proposal #2.",
    )
    .await;
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Superseded));
}

/// A correction proposed after its stage was done (`fix split` once stage 5 is done) still needs
/// its decision before the trouble closes: closed, it could never be decided, and the record
/// would keep terms nobody approved.
/// A rep who names a peer as manager at open has them acknowledge, but money stays with the
/// chain `[org]` gives the rep: the peer cannot approve the rep's cost, the manager can.
#[tokio::test]
async fn a_peer_named_as_manager_acknowledges_but_does_not_approve_the_owners_costs() {
    let bot = spawn_bot().await;
    let t = bot.open_ready(&format!("<@{COLLEAGUE}> ACME: cracked housings")).await;
    bot.command_text(COLLEAGUE, &t.channel, "ack").await;
    assert!(trouble(&bot, &t.id).ack.is_some(), "the named manager acknowledges");
    bot.command_text(SALES, &t.channel, "cost ¥900,000 ours goodwill").await;
    click_on(&bot, COLLEAGUE, "proposal_approve", &t, 1).await;
    let refused = click_answer(&bot, COLLEAGUE, "Only").await;
    assert!(refused.contains(&format!("<@{MANAGER}>")), "names who may: {refused}");
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Proposed));
    approve(&bot, MANAGER, &t, 1).await;
    assert!(matches!(
        proposals(&bot, &t.id)[0].state,
        ProposalState::Approved { .. }
    ));
}

#[tokio::test]
async fn a_trouble_with_a_proposal_awaiting_a_decision_is_not_closed_until_it_is_decided() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    approve(&bot, MANAGER, &t, 1).await;
    bot.command_text(SALES, &t.channel, "prevent add a mold temperature alarm")
        .await;
    all_stages_done(&bot, &t).await;
    let r = bot
        .command_text(SALES, &t.channel, "fix split 90/10 the mold was ours alone")
        .await;
    assert!(r.contains("#2"), "{r}");

    let r = bot.command_text(SALES, &t.channel, "close").await;
    assert_eq!(
        r,
        format!(
            "The trouble cannot be closed yet: proposal #2 awaits approval (who may approve or reject: <@{MANAGER}>, \
             <@{DIRECTOR}>, <@{VP}>). Once closed it could never be decided, and the record would keep terms \
             nobody approved. Get it decided first. Nothing was changed."
        )
    );
    assert!(trouble(&bot, &t.id).closed.is_none());
    approve(&bot, MANAGER, &t, 2).await;
    assert_eq!(
        bot.command_text(SALES, &t.channel, "close").await,
        closed_reply(&bot, &t)
    );
}

/// A proposal awaiting the manager's decision when the manager takes the trouble over: nobody
/// approves their own trouble, so the director is first now, and is asked by DM with the
/// buttons (the channel's line named the manager).
#[tokio::test]
async fn a_takeover_asks_the_new_first_approver_of_a_waiting_proposal_by_dm() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let r = bot.command_text(SALES, &t.channel, "cost ¥50,000 ours courier").await;
    assert!(r.contains("proposal #1"), "{r}");
    let mark = last_call(&bot);
    let r = bot
        .command_text(MANAGER, &t.channel, &format!("owner <@{MANAGER}>"))
        .await;
    assert!(r.contains(MANAGER), "{r}");
    let dm = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.seq > mark && c.params["channel"] == DIRECTOR && text_of(&c.params).contains("Proposal #1")
        })
        .await;
    let text = text_of(&dm.params);
    assert!(
        text.contains("needs your approval") && text.contains("proposal_approve"),
        "{text}"
    );
}

/// Where Slack holds the message the bot posted to `channel` saying `needle`: (channel, ts).
async fn posted_at(bot: &TestBot, channel: &str, needle: &str) -> (String, String) {
    let call = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == channel && c.outcome == "ok" && text_of(&c.params).contains(needle)
        })
        .await;
    let (channel, ts) = (call.answer["channel"].as_str(), call.answer["ts"].as_str());
    (channel.expect("a channel").to_string(), ts.expect("a ts").to_string())
}

/// Waits until the message at `at`, as Slack shows it now, says `words` and has no button.
async fn settled(bot: &TestBot, at: &(String, String), words: &str) -> String {
    message_says(bot, &at.0, &at.1, words).await;
    let now = text_of(&bot.slack.message_versions(&at.0, &at.1).pop().expect("the message"));
    assert!(
        !now.contains("proposal_approve") && !now.contains("proposal_reject"),
        "no buttons: {now}"
    );
    now
}

/// A proposal decided anywhere takes its buttons off every message that asked for it: the
/// channel's line and the approver's DM say what came of it (approved, superseded, rejected,
/// or closed first), so no phone keeps a live Approve on a decided proposal. A reopening asks
/// again for one a forced close left undecided.
#[tokio::test]
async fn every_message_that_asked_for_a_decision_says_what_came_of_it_and_loses_its_buttons() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    // Ours ¥1,500,000, over the limit: the director decides, asked by DM too.
    bot.command_text(SALES, &t.channel, "cost ¥1,500,000 ours line stop")
        .await;
    let line = posted_at(&bot, &t.channel, "Proposal #1").await;
    let dm = posted_at(&bot, DIRECTOR, "Proposal #1").await;
    approve(&bot, DIRECTOR, &t, 1).await;
    let approved = format!("Approved by <@{DIRECTOR}>");
    let now = settled(&bot, &dm, &approved).await;
    assert!(
        now.contains(&format!("Proposal #1 on trouble {} (ACME): cost #1 ¥1,500,000", t.id)),
        "the DM still says what it was about: {now}"
    );
    let now = settled(&bot, &line, &approved).await;
    assert!(now.contains(&format!("Proposal #1 (<@{SALES}>): cost #1")), "{now}");

    // Ours 50% of ¥1,500,000, within the manager's limit; corrected before anyone decided.
    bot.command_text(SALES, &t.channel, "split 50/50 a shared mold").await;
    let line = posted_at(&bot, &t.channel, "Proposal #2").await;
    bot.command_text(SALES, &t.channel, "fix split 60/40 our mold").await;
    settled(&bot, &line, "Superseded by proposal #3").await;
    let line = posted_at(&bot, &t.channel, "Proposal #3").await;
    click_on(&bot, MANAGER, "proposal_reject", &t, 3).await;
    // The rejection stands; how to propose revised terms is said.
    click_answer(
        &bot,
        MANAGER,
        "You rejected proposal #3. Terms revised are proposed again with `/trouble fix split …`, as a new proposal.",
    )
    .await;
    settled(&bot, &line, &format!("Rejected by <@{MANAGER}>")).await;

    // Left undecided by a forced close, then asked for again once reopened.
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    let line = posted_at(&bot, &t.channel, "Proposal #4").await;
    let dm = posted_at(&bot, DIRECTOR, "Proposal #4").await;
    let r = bot
        .command_text(DIRECTOR, &t.channel, "close force customer withdrew")
        .await;
    assert_eq!(r, closed_reply(&bot, &t));
    for at in [&line, &dm] {
        settled(&bot, at, "The trouble was closed before anyone decided it.").await;
    }
    assert!(
        trouble(&bot, &t.id).agreement.asking.is_empty(),
        "nothing asks any longer"
    );
    let r = bot
        .command_text(MANAGER, &t.channel, "reopen the customer came back")
        .await;
    assert!(r.starts_with("The trouble is open again"), "{r}");
    for to in [t.channel.as_str(), DIRECTOR] {
        let again = bot
            .slack
            .wait_for_n("chat.postMessage", 2, |c| {
                c.params["channel"] == to && text_of(&c.params).contains("Proposal #4")
            })
            .await;
        assert!(
            text_of(&again[1].params).contains("proposal_approve"),
            "{to} asked again"
        );
    }
}

/// An approver asked by DM decides on what the trouble is now: a customer corrected while the
/// proposal waits shows in their DM, which keeps its buttons.
#[tokio::test]
async fn a_proposal_dm_still_asking_shows_the_corrected_customer() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "cost ¥1,500,000 ours line stop")
        .await;
    let dm = posted_at(&bot, DIRECTOR, "Proposal #1").await;
    let r = bot
        .command_text(SALES, &t.channel, "fix customer ACME Industries")
        .await;
    assert!(r.contains("customer is corrected"), "{r}");
    message_says(
        &bot,
        &dm.0,
        &dm.1,
        &format!("Proposal #1 on trouble {} (ACME Industries)", t.id),
    )
    .await;
    let now = text_of(&bot.slack.message_versions(&dm.0, &dm.1).pop().expect("the DM"));
    assert!(now.contains("proposal_approve"), "it still asks: {now}");
    approve(&bot, DIRECTOR, &t, 1).await;
    settled(&bot, &dm, &format!("Approved by <@{DIRECTOR}>")).await;
}

/// The director asked by DM to decide a cost over the manager's limit takes the trouble over:
/// nobody decides their own trouble, so that DM says it is no longer theirs, who decides it
/// now, and loses its buttons; the VP is asked in their place.
#[tokio::test]
async fn an_approval_dm_to_someone_a_hand_over_leaves_out_says_so_and_loses_its_buttons() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥2,000,000 ours line stop")
        .await;
    assert!(r.contains("proposal #1"), "{r}");
    let asked = posted_at(&bot, DIRECTOR, "needs your approval").await;

    let r = bot
        .command_text(DIRECTOR, &t.channel, &format!("owner <@{DIRECTOR}>"))
        .await;
    assert!(r.contains(DIRECTOR), "{r}");
    let now = settled(&bot, &asked, "No longer yours to decide").await;
    assert!(
        now.contains(&format!(
            "No longer yours to decide: <@{DIRECTOR}> changed the trouble's owner or manager (<@{VP}> decides it now)."
        )),
        "{now}"
    );
    posted_at(&bot, VP, "needs your approval").await;
    assert!(
        trouble(&bot, &t.id)
            .agreement
            .asking
            .iter()
            .all(|a| a.message.ts.as_str() != asked.1),
        "no longer kept to be edited"
    );
}

/// A trouble acknowledged whose rep proposed a cost (#1, ¥120,000 ours) and a split (#2, 70/30),
/// both approved by the manager.
async fn cost_and_split_approved(bot: &TestBot) -> OpenedTrouble {
    let t = bot.open_ready("ACME: wrong labels").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours replacement")
        .await;
    bot.command_text(SALES, &t.channel, "split 70/30 our labelling").await;
    click_on(bot, MANAGER, "proposal_approve", &t, 1).await;
    click_on(bot, MANAGER, "proposal_approve", &t, 2).await;
    wait_until(|| matches!(proposals(bot, &t.id)[1].state, ProposalState::Approved { .. }).then_some(())).await;
    t
}

/// The manager rejects the corrections #3 (of the cost) and #4 (of the split) of
/// [`cost_and_split_approved`], and the second rejection is recorded.
async fn both_corrections_rejected(bot: &TestBot, t: &OpenedTrouble) {
    click_on(bot, MANAGER, "proposal_reject", t, 3).await;
    click_on(bot, MANAGER, "proposal_reject", t, 4).await;
    wait_until(|| matches!(proposals(bot, &t.id)[3].state, ProposalState::Rejected { .. }).then_some(())).await;
}

/// Asserts that the channel, told the cost's correction #3 was rejected, is told in the same
/// message that proposal #1's cost stands as its rep recorded it.
async fn the_approved_cost_is_said_to_stand(bot: &TestBot, t: &OpenedTrouble) {
    bot.settle().await;
    let said = bot.posted_saying(&t.channel, "Proposal #3 rejected").await;
    assert!(
        said.contains(&format!(
            "↩️ Proposal #1's approved terms stand, as recorded by <@{SALES}>: cost #1 ¥120,000"
        )),
        "{said}"
    );
}

/// A correction of an approved cost the customer accepted, rejected by the manager: the accepted
/// terms stand again everywhere (the record, the totals, `history`), the channel says so, and
/// the timeline replays to the same record. A rejected correction of a split likewise.
#[tokio::test]
async fn a_rejected_correction_leaves_the_approved_terms_standing() {
    let bot = spawn_bot().await;
    let t = cost_and_split_approved(&bot).await;
    let r = bot.command_text(SALES, &t.channel, "agreed 1 customer accepted").await;
    assert!(r.contains("#1"), "{r}");

    bot.command_text(SALES, &t.channel, "fix cost 1 ¥450,000 ours full line")
        .await;
    bot.command_text(SALES, &t.channel, "fix split 40/60 customer misused")
        .await;
    // Waiting for approval, the approved figures still count in the history, marked as awaiting.
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(
        history.contains("us 70% / the customer 30% · borne by us ¥120,000 · ⏳ a proposal awaits approval")
            && history.contains("(including proposals awaiting approval)"),
        "{history}"
    );
    both_corrections_rejected(&bot, &t).await;

    let now = trouble(&bot, &t.id);
    assert_eq!(now.costs[0].amount, "¥120,000");
    assert_eq!(now.split.as_ref().map(|s| (s.ours, s.customer)), Some((70, 30)));
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Agreed { .. }));
    assert!(matches!(
        proposals(&bot, &t.id)[1].state,
        ProposalState::Approved { .. }
    ));
    assert!(now.agreement.standing.is_empty(), "nothing waits to be restored");
    the_approved_cost_is_said_to_stand(&bot, &t).await;
    bot.posted_saying(&t.channel, "↩️ Proposal #2's approved terms stand")
        .await;
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(
        history.contains("¥120,000") && !history.contains("¥450,000"),
        "{history}"
    );
    assert!(history.contains("70%"), "{history}");
    assert!(
        !history.contains("awaiting approval") && !history.contains("awaits approval"),
        "{history}"
    );

    assert_store_verifies(&bot, "the timeline replays to the record");

    // Approved, the correction stands and nothing waits to be restored.
    bot.command_text(SALES, &t.channel, "fix cost 1 ¥130,000 ours replacement and freight")
        .await;
    click_on(&bot, MANAGER, "proposal_approve", &t, 5).await;
    wait_until(|| matches!(proposals(&bot, &t.id)[4].state, ProposalState::Approved { .. }).then_some(())).await;
    let now = trouble(&bot, &t.id);
    assert_eq!(now.costs[0].amount, "¥130,000");
    assert!(now.agreement.standing.is_empty());
    assert!(matches!(proposals(&bot, &t.id)[0].state, ProposalState::Superseded));
}

/// A new `split` typed over an approved one (not `fix split`) changes approved terms too: if the
/// chain rejects it, the approved split stands again, on the record, in the channel and on the
/// timeline, as a rejected correction's does.
#[tokio::test]
async fn a_new_split_over_an_approved_one_rejected_leaves_the_approved_split_standing() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    wait_until(|| matches!(proposals(&bot, &t.id)[0].state, ProposalState::Approved { .. }).then_some(())).await;

    let r = bot
        .command_text(SALES, &t.channel, "split 40/60 customer misused")
        .await;
    assert!(r.contains("proposal #2"), "{r}");
    click_on(&bot, MANAGER, "proposal_reject", &t, 2).await;
    wait_until(|| matches!(proposals(&bot, &t.id)[1].state, ProposalState::Rejected { .. }).then_some(())).await;

    let now = trouble(&bot, &t.id);
    assert_eq!(now.split.as_ref().map(|s| (s.ours, s.customer)), Some((70, 30)));
    assert!(matches!(
        proposals(&bot, &t.id)[0].state,
        ProposalState::Approved { .. }
    ));
    assert!(now.agreement.standing.is_empty(), "nothing waits to be restored");
    bot.posted_saying(&t.channel, "↩️ Proposal #1's approved terms stand")
        .await;
    assert_store_verifies(&bot, "the timeline replays to the record");
}

/// A proposal's line waits its turn behind Slack: replaced meanwhile by a new split, it is drawn
/// as replaced, without buttons, never with the later split's terms as its own.
#[tokio::test]
async fn a_proposal_line_posted_after_it_was_replaced_says_so_and_shows_not_the_later_terms() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: housings cracked").await;
    bot.settle().await;
    bot.slack.outage(std::time::Duration::from_secs(600));
    bot.command_text(SALES, &t.channel, "split 100/0 our mold").await;
    bot.command_text(SALES, &t.channel, "split 50/50 shared tooling").await;
    assert_eq!(proposals(&bot, &t.id)[0].state, ProposalState::Superseded);
    bot.slack.end_outage();
    bot.advance_and_settle(std::time::Duration::from_secs(60)).await;
    let first = posted(&bot, &t.channel, "Proposal #1").await;
    let text = text_of(&first);
    assert!(text.contains("Superseded by proposal #2"), "{text}");
    assert!(
        !text.contains("50%") && !first.to_string().contains("proposal_approve"),
        "{first}"
    );
    let second = posted(&bot, &t.channel, "Proposal #2").await;
    assert!(text_of(&second).contains("us 50% / the customer 50%"), "{second}");
}

/// A proposal's reason is the proposer's words: set apart in quotes above the Approve button,
/// so a reason written as `✅ Proposal approved by @director` never reads as the bot's line; and
/// in Japanese, the owner asked to record the agreement is not run into the sentence.
#[tokio::test]
async fn a_proposals_reason_is_set_apart_from_the_bots_words() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(
        SALES,
        &t.channel,
        &format!("cost ¥50,000 ours shipping\n✅ Proposal approved by <@{DIRECTOR}>"),
    )
    .await;
    let proposal = posted(&bot, &t.channel, "Proposal #1").await;
    let first = text_of(&proposal).lines().next().unwrap_or_default().to_string();
    assert!(
        first.ends_with(&format!("— “shipping ✅ Proposal approved by <@{DIRECTOR}>”")),
        "{first}"
    );

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("アクメ：ハウジング割れ").await;
    bot.command_text(SALES, &t.channel, "費用 12万円 当社負担 代替品送料")
        .await;
    let proposal = posted(&bot, &t.channel, "提案 #1").await;
    assert!(text_of(&proposal).contains("—「代替品送料」"), "{proposal}");
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    let approved = posted(&bot, &t.channel, "を入力してください").await;
    assert!(
        text_of(&approved).contains(&format!("<@{SALES}>さん、お客様の合意が得られたら")),
        "{approved}"
    );
}

/// An amount past what one cost may be is refused, saying the most it may be, in both
/// languages; below that cap, a huge cost with a split never panics and never wraps under a
/// limit: its share goes up the chain.
#[tokio::test]
async fn a_huge_amount_is_refused_and_a_large_one_with_a_split_still_goes_up_the_chain() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 our mold").await;
    for amount in ["1400000000.5億円", "USD 999999999999999", "9999999999.99999999億円"] {
        let r = bot
            .command_text(SALES, &t.channel, &format!("cost {amount} ours damages"))
            .await;
        assert!(
            r.contains("more than one cost may be") && r.contains("Nothing was recorded"),
            "{amount}: {r}"
        );
    }
    let r = bot
        .command_text(SALES, &t.channel, "fix cost 1 USD 999999999999999 ours damages")
        .await;
    assert!(r.contains("more than one cost may be"), "{r}");
    assert!(trouble(&bot, &t.id).costs.is_empty());
    // Just under the cap, it is a cost like any other, and its share goes up the chain.
    let r = bot
        .command_text(SALES, &t.channel, "cost JPY 999999999999999 ours damages")
        .await;
    assert!(r.contains("proposal #2"), "{r}");
    let p = proposals(&bot, &t.id);
    assert!(p.len() == 2 && p[1].level >= 1, "{p:?}");
    let ja = spawn_in("ja").await;
    let t = ja.open_ready("ACME: 蓋の割れ").await;
    let r = ja
        .command_text(SALES, &t.channel, "費用 1400000000.5億円 当社 損害")
        .await;
    assert!(r.contains("上限") && r.contains("何も記録していません"), "{r}");
}

/// A cost proposed while a split that would make our share small still waits is measured as
/// if that split were not there: the split may yet be rejected, and the cost would then stand,
/// whole and over the limit, approved by the manager alone.
#[tokio::test]
async fn a_pending_split_never_lowers_the_level_a_cost_needs() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 10/90 their storage").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥5,000,000 ours replacement lot")
        .await;
    assert!(r.contains("proposal #2") && r.contains(DIRECTOR), "{r}");
    approve_refused(&bot, MANAGER, &t, 2, DIRECTOR).await;
    click_on(&bot, MANAGER, "proposal_reject", &t, 1).await;
    click_answer(&bot, MANAGER, "You rejected proposal #1").await;
    let p = proposals(&bot, &t.id);
    assert_eq!(p[1].state, ProposalState::Proposed, "{p:?}");
    approve(&bot, DIRECTOR, &t, 2).await;
}

/// A proposal is measured again when it is decided: a cost the manager could approve when
/// proposed needs the director once a cost approved meanwhile took our share over the limit,
/// and the director is asked for it.
#[tokio::test]
async fn a_cost_is_measured_again_when_decided_on_the_terms_approved_since() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 10/90 their storage").await;
    bot.command_text(SALES, &t.channel, "cost ¥5,000,000 ours replacement lot")
        .await;
    let r = bot.command_text(SALES, &t.channel, "cost ¥600,000 ours sorting").await;
    assert!(r.contains("proposal #3") && r.contains(MANAGER), "{r}");
    approve(&bot, DIRECTOR, &t, 2).await;
    // ¥5,600,000 of ours decided with #3: over the ¥1,000,000 limit, so the director's.
    let dm = posted(&bot, DIRECTOR, "Proposal #3").await;
    assert!(dm["text"].as_str().unwrap().contains("¥5,600,000"), "{dm}");
    approve_refused(&bot, MANAGER, &t, 3, DIRECTOR).await;
    assert_eq!(proposals(&bot, &t.id)[2].state, ProposalState::Proposed);
    approve(&bot, DIRECTOR, &t, 3).await;
}

/// With limits set for yen and dollars, a cost in euros, which no limit names, goes to the top
/// of the chain rather than to the manager alone, and says why.
#[tokio::test]
async fn a_cost_in_a_currency_the_limits_leave_out_goes_to_the_top_of_the_chain() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let r = bot
        .command_text(SALES, &t.channel, "cost €50,000,000 ours recall in Germany")
        .await;
    assert!(r.contains("proposal #1") && r.contains(VP), "{r}");
    let dm = posted(&bot, VP, "Proposal #1").await;
    let text = dm["text"].as_str().unwrap_or_default();
    assert!(text.contains("no approval limit is set for EUR"), "{text}");
    for who in [MANAGER, DIRECTOR] {
        approve_refused(&bot, who, &t, 1, VP).await;
    }
    approve(&bot, VP, &t, 1).await;
}

/// The director's own cost is never approved by the manager who reports to them: those above
/// the proposer decide it.
#[tokio::test]
async fn a_directors_own_cost_goes_above_the_director_not_to_the_manager_below() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let r = bot
        .command_text(DIRECTOR, &t.channel, "cost ¥900,000 ours goodwill discount")
        .await;
    assert!(
        r.contains("proposal #1") && r.contains(VP) && !r.contains(MANAGER),
        "{r}"
    );
    posted(&bot, VP, "Proposal #1").await;
    approve_refused(&bot, MANAGER, &t, 1, VP).await;
    assert_eq!(proposals(&bot, &t.id)[0].state, ProposalState::Proposed);
    approve(&bot, VP, &t, 1).await;
}

/// An approved, customer-agreed cost corrected down and the correction left waiting: the
/// agreed amount stays in the totals, `stats` and the next trouble's running balance until the
/// correction is decided, and the status says so.
#[tokio::test]
async fn a_pending_correction_leaves_the_approved_amount_in_stats_and_history_until_decided() {
    let bot = spawn_bot_with(&format!("{DEFAULT_SEVERITIES}\n{LIMITS}")).await;
    let a = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &a.channel, "cost ¥900,000 ours replacement lot")
        .await;
    approve(&bot, MANAGER, &a, 1).await;
    bot.command_text(SALES, &a.channel, "agreed 1 signed").await;
    let r = bot
        .command_text(SALES, &a.channel, "fix cost 1 ¥1 ours replacement lot")
        .await;
    assert!(r.contains("proposal #2"), "{r}");
    let stats = bot.command_text(DIRECTOR, ORIGIN, "stats 30").await;
    assert!(stats.contains("our share ¥900,000"), "{stats}");
    let status = bot.command(SALES, &a.channel, "status").await.to_string();
    assert!(
        status.contains("¥900,000")
            && status.contains("cost #1 counted as approved until its correction to ¥1 is decided"),
        "{status}"
    );
    let b = bot.open_ready("ACME: scratched panels").await;
    let hist = bot.posted_saying(&b.channel, "Running balance").await;
    assert!(hist.contains("borne by us ¥900,000"), "{hist}");
    // Approved, the correction is what counts.
    approve(&bot, MANAGER, &a, 2).await;
    let stats = bot.command_text(DIRECTOR, ORIGIN, "stats 30").await;
    assert!(stats.contains("our share ¥1"), "{stats}");
}

/// A past trouble with a split: the running balance a new trouble shows, and `history`, say our
/// share with the split applied, as its status and `stats` count it, beside the payer words.
#[tokio::test]
async fn the_running_balance_says_our_share_with_each_split_applied_as_stats_do() {
    let bot = spawn_bot().await;
    let a = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &a.channel, "split 70/30 our mold").await;
    bot.command_text(SALES, &a.channel, "cost ¥1,000,000 customer sorting at their site")
        .await;
    approve(&bot, MANAGER, &a, 1).await;
    approve(&bot, MANAGER, &a, 2).await;
    let stats = bot.command_text(DIRECTOR, ORIGIN, "stats 30").await;
    assert!(stats.contains("our share ¥700,000"), "{stats}");
    let b = bot.open_ready("ACME: scratched panels").await;
    let hist = bot.posted_saying(&b.channel, "Running balance").await;
    assert!(hist.contains("our share with each split applied ¥700,000"), "{hist}");
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(
        history.contains("our share with each split applied ¥700,000"),
        "{history}"
    );
}

/// The customer's history posted again when the split is being settled is read afresh: a cost
/// an earlier trouble recorded and approved after this one opened is in its running balance, and
/// so is a trouble of the customer opened since, which the split is weighed against as much.
#[tokio::test]
async fn the_history_shown_at_the_split_counts_what_earlier_troubles_recorded_since_the_open() {
    let bot = spawn_bot().await;
    let a = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &a.channel, "cost ¥100,000 ours courier").await;
    let b = bot.open_ready("ACME: scratched panels").await;
    let at_open = bot.posted_saying(&b.channel, "Running balance").await;
    assert!(
        at_open.contains("¥100,000") && at_open.contains("Past troubles with ACME"),
        "{at_open}"
    );
    bot.command_text(SALES, &a.channel, "cost ¥5,000,000 ours line stop")
        .await;
    approve(&bot, MANAGER, &a, 2).await;
    let c = bot.open_ready("ACME: bent brackets").await;
    bot.command_text(SALES, &c.channel, "cost ¥300,000 ours rework").await;
    let mark = last_call(&bot);
    bot.command_text(SALES, &b.channel, "start 5").await;
    bot.settle().await;
    let again: Vec<String> = posted_since(&bot, &b.channel, mark)
        .into_iter()
        .filter(|t| t.contains("Running balance"))
        .collect();
    assert!(
        again.iter().any(|t| t.contains("borne by us ¥5,400,000")
            && t.contains(&c.id)
            && t.contains("Troubles with ACME besides this one, including later ones")),
        "{again:?}"
    );
}

/// Amounts as people write them that the bot cannot take as typed are refused saying why:
/// `5千万円` reads (¥50,000,000), a negative amount says how to record a credit, and digits
/// spaced as thousands are not taken for a payer.
#[tokio::test]
async fn everyday_amounts_read_and_negative_or_spaced_ones_are_refused_saying_how() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let r = bot.command_text(SALES, &t.channel, "cost 5千万円 ours line stop").await;
    assert!(r.contains("proposal #1"), "{r}");
    assert_eq!(trouble(&bot, &t.id).costs[0].money().map(|m| m.minor), Some(50_000_000));
    for cmd in [
        "cost ¥-50,000 ours credit note",
        "cost △50,000円 ours 値引き",
        "cost -¥1,000 ours",
    ] {
        let r = bot.command_text(SALES, &t.channel, cmd).await;
        assert!(
            r.contains("is a negative amount") && r.contains("cost ¥50,000 ours discount"),
            "{cmd}: {r}"
        );
    }
    for cmd in ["cost ¥1 000 000 ours courier", "cost 1 000 000円 ours courier"] {
        let r = bot.command_text(SALES, &t.channel, cmd).await;
        assert!(
            r.contains("has spaces between its digits") && !r.contains("not a payer"),
            "{cmd}: {r}"
        );
    }
    let r = bot
        .command_text(SALES, &t.channel, "cost ¥1,000,000- ours courier")
        .await;
    assert!(!r.contains("negative"), "the formal trailing dash is no minus: {r}");
    assert_eq!(trouble(&bot, &t.id).costs.len(), 1);
    let ja = spawn_in("ja").await;
    let t = ja.open_ready("ACME: 蓋の割れ").await;
    let r = ja.command_text(SALES, &t.channel, "費用 △50,000円 当社 値引き").await;
    assert!(
        r.contains("マイナスの金額") && r.contains("何も記録していません"),
        "{r}"
    );
    let r = ja.command_text(SALES, &t.channel, "費用 ¥1 000 000 当社").await;
    assert!(r.contains("数字の間に空白"), "{r}");
}

/// Terms a rejected correction restores are the terms as their writer recorded them: the record
/// names the rep who wrote the cost and the split, and when (not the manager who rejected the
/// correction, a minute later), the report's timeline says whose terms were restored, the
/// export carries them so, and `verify` replays the record from the timeline.
#[tokio::test]
async fn terms_restored_by_a_rejected_correction_keep_their_original_writer() {
    let bot = spawn_bot().await;
    let t = cost_and_split_approved(&bot).await;
    let written = trouble(&bot, &t.id);
    let (cost, split) = (written.costs[0].clone(), written.split.clone().expect("split"));
    assert_eq!((cost.by.as_str(), split.by.as_str()), (SALES, SALES));

    bot.advance_and_settle(std::time::Duration::from_secs(60)).await;
    bot.command_text(SALES, &t.channel, "fix cost 1 ¥450,000 ours full line")
        .await;
    bot.command_text(SALES, &t.channel, "fix split 40/60 customer misused")
        .await;
    both_corrections_rejected(&bot, &t).await;

    let now = trouble(&bot, &t.id);
    assert_eq!(now.costs[0], cost, "the cost as its writer recorded it");
    assert_eq!(now.split.as_ref(), Some(&split), "the split as its writer recorded it");
    assert_store_verifies(&bot, "the timeline replays to the record");
    the_approved_cost_is_said_to_stand(&bot, &t).await;

    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(
        report.contains(&format!(
            "cost #1 restored: ¥450,000 (borne by us) → ¥120,000 (borne by us) as recorded by @{SALES}"
        )) && report.contains(&format!(
            "split restored: us 40% / the customer 60% → us 70% / the customer 30% as recorded by @{SALES}"
        )),
        "{report}"
    );
    let json = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Json).stdout;
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(json["trouble"]["costs"][0]["by"], SALES, "{json}");
    assert_eq!(json["trouble"]["split"]["by"], SALES, "{json}");
}

/// A cost of ¥0 (a replacement given free under warranty) asks nobody for anything: it is
/// recorded as settled at once, no proposal, no buttons, nobody pinged, the answer and the
/// channel say it needs no approval, and stage 6 may be done on it. It never lowers an approved
/// cost: that takes `fix cost`, a correction the chain decides as ever, the approved amount
/// counted until then. In Japanese too.
#[tokio::test]
async fn a_zero_cost_needs_no_approval_and_lowers_no_approved_cost() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: wrong labels").await;
    bot.command_text(MANAGER, &t.channel, "ack").await;
    bot.command_text(SALES, &t.channel, "cost ¥120,000 ours replacement")
        .await;
    click_on(&bot, MANAGER, "proposal_approve", &t, 1).await;
    wait_until(|| matches!(proposals(&bot, &t.id)[0].state, ProposalState::Approved { .. }).then_some(())).await;

    let r = bot
        .command_text(SALES, &t.channel, "cost ¥0 ours relabelling done free")
        .await;
    assert!(
        r.contains("Cost #2 recorded: a cost of nothing needs no approval, so it stands as settled."),
        "{r}"
    );
    assert_eq!(proposals(&bot, &t.id).len(), 1, "no proposal for nothing to pay");
    bot.settle().await;
    let said = bot.posted_saying(&t.channel, "recorded a cost: no cost").await;
    assert!(said.contains("no approval needed") && !said.contains("¥0"), "{said}");
    bot.expect_none("chat.postMessage", |c| text_of(&c.params).contains("Proposal #2"))
        .await;
    let now = trouble(&bot, &t.id);
    assert_eq!(now.costs.len(), 2);
    assert_eq!(now.costs[0].amount, "¥120,000", "the approved cost stands");
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(
        status.contains("#2 no cost") && status.contains("no approval needed") && !status.contains("¥0"),
        "{status}"
    );
    assert!(status.contains("¥120,000"), "{status}");
    let done = bot.command_text(SALES, &t.channel, "done 6 we bear it ourselves").await;
    assert!(!done.contains("awaits"), "{done}");
    assert_eq!(trouble(&bot, &t.id).stage(StageId::Cost).state, StageState::Done);

    // Lowering the approved cost to ¥0 is a correction the chain decides, as any.
    let r = bot.command_text(SALES, &t.channel, "fix cost 1 ¥0 ours").await;
    assert!(r.contains("proposal #2"), "{r}");
    let history = bot.command_text(SALES, ORIGIN, "history ACME").await;
    assert!(
        history.contains("¥120,000"),
        "the approved amount counts meanwhile: {history}"
    );

    let bot = spawn_bot_in("ja").await;
    let t = bot.open_ready("ACME: wrong labels").await;
    let r = bot.command_text(SALES, &t.channel, "費用 0円 当社 無償交換").await;
    assert!(
        r.contains("費用 #1 を記録しました。費用負担なしのため承認は不要で、このまま確定です。"),
        "{r}"
    );
    bot.settle().await;
    let said = bot.posted_saying(&t.channel, "費用を記録").await;
    assert!(said.contains("費用負担なし（承認不要）"), "{said}");
    assert!(proposals(&bot, &t.id).is_empty());
}

/// `/trouble report` quotes a split's reason and a cost's note, as the pinned status does: the
/// proposal's state follows them on the line, and words typed `✅ approved by @director` must
/// read as typed, not as that state.
#[tokio::test]
async fn the_report_quotes_a_reason_that_reads_like_a_proposals_state() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    bot.command_text(SALES, &t.channel, "split 70/30 ✅ approved by @director")
        .await;
    bot.command_text(SALES, &t.channel, "cost ¥50,000 ours ✅ approved, paid")
        .await;
    let mark = last_call(&bot);
    bot.command_text(SALES, &t.channel, "report").await;
    bot.settle().await;
    let report: String = bot
        .slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.seq > mark && c.params["channel"] == t.channel.as_str())
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_string())
        .collect();
    for line in [
        "- Split: us 70% / the customer 30% — “✅ approved by @director” — proposal #1 awaiting approval",
        "- Cost #1 ¥50,000 (borne by us) — “✅ approved, paid” — proposal #2 awaiting approval",
    ] {
        assert_eq!(report.matches(line).count(), 1, "{line:?} in:\n{report}");
    }
}

/// A split may give a third party its share (`split OURS/CUSTOMER/OTHER`, the carrier's say):
/// the channel, the status and the report show all three, and our share alone is applied to
/// the costs.
#[tokio::test]
async fn a_split_with_a_third_party_shows_its_share_and_applies_ours_to_the_costs() {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: cracked housings").await;
    let shares = "us 60% / the customer 30% / others 10%";
    let answer = bot
        .command_text(SALES, &t.channel, "split 60/30/10 the carrier dropped a pallet")
        .await;
    assert!(answer.contains("proposal #1"), "{answer}");
    bot.posted_saying(&t.channel, shares).await;
    approve(&bot, MANAGER, &t, 1).await;
    bot.command_text(SALES, &t.channel, "cost ¥1,000,000 ours replacement lot")
        .await;
    let status = bot.command(SALES, &t.channel, "status").await.to_string();
    assert!(status.contains(&format!("Split: {shares}")), "{status}");
    assert!(status.contains("ours 60% of ¥1,000,000 = ¥600,000"), "{status}");
    let report = trouble_bot::admin::export(&bot.config(), bot.store(), &t.id, trouble_bot::admin::Format::Md).stdout;
    assert!(report.contains(&format!("- Split: {shares}")), "{report}");
    assert!(
        report.contains("With the split applied: ours 60% of ¥1,000,000 = ¥600,000"),
        "{report}"
    );
    let stored = trouble(&bot, &t.id).split.expect("a split");
    assert_eq!((stored.ours, stored.customer, stored.other), (60, 30, 10));
}

/// A customer whose past troubles each had many costs: the history in a new trouble's kickoff
/// thread gives each past trouble its totals per payer and currency, not every cost, and keeps
/// the running balance in a block of its own, so no cut of a long list takes it.
#[tokio::test]
async fn the_kickoff_history_keeps_the_running_balance_however_many_costs_the_past_had() {
    let bot = spawn_bot().await;
    for n in 0..5 {
        let past = bot.open_ready(&format!("ACME: cracked housings, batch {n}")).await;
        for _ in 0..12 {
            bot.command_text(SALES, &past.channel, "cost ¥1,234,567 ours sorting")
                .await;
            bot.command_text(SALES, &past.channel, "cost $1,234.56 customer freight")
                .await;
        }
    }
    let t = bot.open_ready("ACME: scratched panels").await;
    let posted = bot
        .slack
        .wait_for("chat.postMessage", |c| {
            c.params["channel"] == t.channel.as_str() && text_of(&c.params).contains("Past troubles with ACME")
        })
        .await;
    let sections: Vec<&str> = posted.params["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .collect();
    let shown = sections.join("\n");
    assert_eq!(
        shown
            .matches("borne by us ¥14,814,804 · borne by the customer $14,814.72")
            .count(),
        5,
        "each past trouble with its totals: {shown}"
    );
    assert!(
        sections
            .iter()
            .any(|s| s.starts_with("*Running balance* borne by us ¥74,074,020 · borne by the customer $74,073.60")),
        "{shown}"
    );
}

/// Twenty customers whose names were typed at length: `stats` names each cut, as the digest
/// does, so the answer stays within what Slack shows and keeps its part by severity.
#[tokio::test]
async fn stats_cut_long_customer_names_and_keep_the_part_by_severity() {
    let bot = spawn_bot().await;
    let long = "Tom&amp;Jerry ".repeat(150);
    for n in 0..20 {
        bot.open_ready(&format!("Customer{n} {long}: cracked housings")).await;
    }
    let r = bot.command_text(DIRECTOR, ORIGIN, "stats 30").await;
    let shown: String = r.chars().take(40_000).collect();
    assert!(shown.contains("*By severity*\n• sev2"), "{}", r.chars().count());
    assert!(r.contains("• Customer0 Tom&amp;Jerry Tom&amp;Jerry"), "{r}");
    assert!(r.chars().count() < 5_000, "{}", r.chars().count());
}
