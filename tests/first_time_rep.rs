//! What a rep who has never used the bot types in a hurry, in English or on a Japanese phone: read as meant, or answered with the command to type instead, nothing recorded by a guess.

mod common;

use common::*;
use trouble_bot::trouble::model::StageState;

/// The help writes a promise as `[next: 15:00]`; typed alone, `next` would complete the stage
/// the team is working on, noting a time, and set no promise.
#[tokio::test]
async fn a_promise_typed_after_next_completes_no_stage() {
    for (locale, typed, answer) in [
        ("en", "next: 15:00", "`/trouble update WHAT YOU TOLD THEM next: 15:00`"),
        (
            "en",
            "next tomorrow 10am",
            "`/trouble update WHAT YOU TOLD THEM next: tomorrow 10am`",
        ),
        ("ja", "next: 明日10時", "`/trouble update 伝えた内容 次回: 明日10時`"),
        ("ja", "次へ 15:00", "`/trouble update 伝えた内容 次回: 15:00`"),
    ] {
        let bot = spawn_bot_in(locale).await;
        let t = bot.open_ready("ACME: lid cracked").await;
        let r = bot.command_text(SALES, &t.channel, typed).await;
        assert!(r.contains(answer), "{locale} {typed}: {r}");
        let now = trouble(&bot, &t.id);
        assert_eq!(now.stages[0].state, StageState::InProgress, "{locale} {typed}");
        assert!(now.customer_updates.is_empty(), "{locale} {typed}");
        // A note that is no time still completes the stage, as the help says.
        bot.command_text(SALES, &t.channel, "next samples collected").await;
        assert_eq!(trouble(&bot, &t.id).stages[0].state, StageState::Done, "{locale}");
    }
}
