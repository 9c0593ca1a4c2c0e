//! The demo's script: a whole trouble played through the real bot against the fake Slack, told by the narrator.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fake_slack::{Call, FakeSlack, BOT_USER_ID as BOT_USER, TEAM_ID as TEAM};
use serde_json::{json, Value};
use trouble_bot::config::Config;
use trouble_bot::i18n::{format_duration, Locale};
use trouble_bot::slack::signature::sign;
use trouble_bot::Clock;

use crate::narrator::{ok, posted, Cast, Narrator, Sink};

const SECRET: &str = "demo-signing-secret";
const SATO: &str = "U0SATO";
const TANAKA: &str = "U0TANAKA";
const SUZUKI: &str = "U0SUZUKI";
const YAMADA: &str = "U0YAMADA";
const KATO: &str = "U0KATO";
/// Generous: the bot paces channel posts at about one a (virtual) second, and slow machines exist.
const WAIT: Duration = Duration::from_secs(15);
/// Virtual seconds per real second: the bot's pacing passes in moments, and the waits the story
/// needs (the manager's deadline, the first call) are skipped over by advancing the clock.
const SPEED: u32 = 30;
/// How long before today the customer's earlier trouble happened.
const EARLIER_DAYS: i64 = 42;

/// Plays the demo, writing it to `out`, and returns whether it ran to the end.
pub async fn run(locale: Locale, out: Sink) -> bool {
    // Two demos in one process (the tests play them side by side) may read the same instant on
    // a coarse clock: the count tells their data directories apart, or one would open the
    // other's store, or remove it under it at its end.
    static PLAYED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = PLAYED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = Clock::System.now().timestamp_subsec_nanos();
    let dir = std::env::temp_dir().join(format!("trouble-bot-demo-{}-{nanos}-{n}", std::process::id()));
    let result = play(locale, &dir, out.clone()).await;
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok((id, secs, took)) => {
            let took = format_duration(locale, took);
            out(&match locale {
                Locale::Ja => {
                    format!("\n✔ デモ完了: トラブル {id} を起票から {took} でクローズしました（実時間 {secs:.1}秒）\n")
                }
                Locale::En => format!(
                    "\n✔ demo finished: trouble {id} closed {took} after it was opened ({secs:.1}s in real time)\n"
                ),
            });
            true
        }
        Err(why) => {
            out(&match locale {
                Locale::Ja => format!("\n✘ デモは途中で止まりました: {why}\n"),
                Locale::En => format!("\n✘ the demo stopped early: {why}\n"),
            });
            false
        }
    }
}

fn cast(locale: Locale) -> Cast {
    let names: [(&str, &str, &str); 5] = [
        (SATO, "佐藤", "sato"),
        (TANAKA, "田中", "tanaka"),
        (SUZUKI, "鈴木", "suzuki"),
        (YAMADA, "山田", "yamada"),
        (KATO, "加藤", "kato"),
    ];
    let pick = |ja: &str, en: &str| match locale {
        Locale::Ja => ja.to_string(),
        Locale::En => en.to_string(),
    };
    Cast {
        bot_name: "trouble-bot".into(),
        users: names
            .iter()
            .map(|(id, ja, en)| (id.to_string(), pick(ja, en)))
            .collect(),
        groups: BTreeMap::from([("S0QUALITY".to_string(), pick("@品証チーム", "@quality-team"))]),
    }
}

/// The demo's org: sales rep → manager → director, and a quality department with two members.
fn config(locale: Locale, api_url: String, dir: &Path) -> Result<Config, String> {
    let department = match locale {
        Locale::Ja => "品質保証部",
        Locale::En => "Quality Assurance",
    };
    let toml = format!(
        r#"
locale = "{locale}"
timezone = "Asia/Tokyo"
channel_prefix = "trouble"

[org.managers]
{SATO} = "{TANAKA}"
{TANAKA} = "{SUZUKI}"

[departments.quality]
name = "{department}"
usergroup = "S0QUALITY"
members = ["{YAMADA}", "{KATO}"]

[severity.2]
ack_timeout = "15m"
customer_update_every = "4h"
first_contact_within = "1h"
"#,
        locale = locale.code()
    );
    let env: BTreeMap<String, String> = [
        ("SLACK_SIGNING_SECRET", SECRET.to_string()),
        ("SLACK_BOT_TOKEN", "xoxb-demo".to_string()),
        ("SLACK_API_URL", api_url),
        ("TROUBLE_LISTEN", "127.0.0.1:0".to_string()),
        ("TROUBLE_DATA_DIR", dir.to_string_lossy().into_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Config::from_sources(Some(&toml), &env).map_err(|problems| problems.join("; "))
}

/// Where the story starts: the earlier trouble, [`EARLIER_DAYS`] before today, 14:00 in Tokyo.
fn story_start(tz: chrono_tz::Tz) -> DateTime<Utc> {
    let today = Clock::System.now().with_timezone(&tz).date_naive();
    at(tz, today - chrono::Duration::days(EARLIER_DAYS), 14, 0)
}

/// `day` at `hour:minute` in `tz`, as UTC.
fn at(tz: chrono_tz::Tz, day: chrono::NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    local
        .and_local_timezone(tz)
        .earliest()
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// Plays the script; the trouble's id, the real seconds it took and the virtual seconds from
/// opening to closing.
async fn play(locale: Locale, dir: &Path, out: Sink) -> Result<(String, f64, u64), String> {
    let l = locale;
    let started = Instant::now();
    let sales_name = tr(l, "営業部", "sales");
    let tz = chrono_tz::Asia::Tokyo;
    let clock = Clock::fast(story_start(tz), SPEED);
    let fake = FakeSlack::start().await;
    let narrator = Narrator::new(l, cast(l), clock.clone(), tz, out);
    narrator.listen_to(&fake);
    let sales = fake.add_channel(sales_name, false, SATO);
    let members = [BOT_USER, SATO, TANAKA, SUZUKI];
    fake.join(&sales, &members);
    narrator.knows_channel(&sales, sales_name, &members);
    let config = config(l, fake.api_url(), dir)?;
    let bot = trouble_bot::start_on(config, trouble_bot::http::server::Limits::default(), clock.clone())
        .await
        .map_err(|e| e.to_string())?;
    let demo = Demo {
        fake: &fake,
        narrator: &narrator,
        sales,
        app: bot.app.clone(),
        l,
        clock,
        tz,
        http: reqwest::Client::new(),
        bot_url: format!("http://{}", bot.addr),
        events: std::cell::Cell::new(0),
        responses: std::cell::Cell::new(0),
    };
    let result = demo.script().await;
    bot.stop().await;
    result.map(|(id, took)| (id, started.elapsed().as_secs_f64(), took))
}

fn tr(l: Locale, ja: &'static str, en: &'static str) -> &'static str {
    match l {
        Locale::Ja => ja,
        Locale::En => en,
    }
}

struct Demo<'a> {
    fake: &'a FakeSlack,
    narrator: &'a Narrator,
    /// The sales team's channel, where the troubles are opened.
    sales: String,
    app: Arc<trouble_bot::App>,
    l: Locale,
    /// The virtual clock the bot runs on; the script moves it forward where the story waits.
    clock: Clock,
    tz: chrono_tz::Tz,
    http: reqwest::Client,
    bot_url: String,
    events: std::cell::Cell<u32>,
    responses: std::cell::Cell<u32>,
}

impl Demo<'_> {
    async fn script(&self) -> Result<(String, u64), String> {
        let (l, narrator) = (self.l, self.narrator);
        let sales = self.sales.as_str();
        narrator.narrate(tr(
            l,
            "trouble-bot デモ — お客様のトラブル1件を起票からクローズまで。相手は内蔵のSlackシミュレーターで、外部には何も送りません。",
            "trouble-bot demo — one customer trouble from start to finish, against a built-in Slack simulator (nothing leaves this machine).",
        ));
        narrator.aside(tr(
                l,
                "登場人物: @佐藤（営業、ACME担当）→ 上司 @田中 → 部長 @鈴木。品質保証部 @山田・@加藤（@品証チーム）。",
                "Cast: @sato (sales rep for ACME) → her manager @tanaka → director @suzuki; Quality Assurance @yamada and @kato (@quality-team).",
        ));
        narrator.aside(tr(
                l,
                "時刻は仮想時刻で、早回しです: 上司の確認は15分以内、お客様への初回連絡は1時間以内、その後の報告は4時間ごと。待つ場面は ⏩ で飛ばします。",
                "Times are virtual and run fast: the manager acknowledges within 15 minutes, the customer gets a first call within 1 hour, then an update every 4 hours. Waits are skipped (⏩).",
        ));
        self.wait(0, tr(l, "ボットの接続", "the bot to connect"), |calls| {
            calls.iter().any(|c| c.method == "auth.test" && ok(c)).then_some(())
        })
        .await?;

        narrator.narrate(tr(
            l,
            "ACMEとは以前にもトラブルがありました（梱包の破損、当社が送料を負担）。その記録が残っています。",
            "ACME had a trouble before (damaged packaging; we paid the shipping). It is on record.",
        ));
        let before = self
            .command(
                SATO,
                sales,
                tr(
                    l,
                    "open sev2 ACME株式会社: 梱包の破損",
                    "open sev2 ACME Corp.: damaged packaging",
                ),
            )
            .await?;
        let before_id = before["text"]
            .as_str()
            .and_then(|t| t.split_whitespace().nth(1))
            .ok_or_else(|| tr(l, "トラブルが起票されませんでした", "no trouble was opened").to_string())?
            .to_string();
        let before_channel = self
            .wait(
                0,
                tr(l, "前回のトラブルのチャンネル", "the earlier trouble's channel"),
                |calls| {
                    calls
                        .iter()
                        .filter_map(posted)
                        .find(|p| p.has("kickoff"))
                        .map(|p| p.channel.to_string())
                },
            )
            .await?;
        self.command(
            SATO,
            &before_channel,
            tr(l, "split 100/0 梱包仕様の不備", "split 100/0 our packaging spec"),
        )
        .await?;
        self.command(
            SATO,
            &before_channel,
            tr(l, "cost ¥30,000 当社 再送料", "cost ¥30,000 ours re-shipping"),
        )
        .await?;
        self.command(
            TANAKA,
            &before_channel,
            tr(l, "close force 再送で解決", "close force settled by re-shipping"),
        )
        .await?;
        let today = (self.clock.now() + chrono::Duration::days(EARLIER_DAYS))
            .with_timezone(&self.tz)
            .date_naive();
        self.skip_to(at(self.tz, today, 9, 30)).await;

        narrator.narrate(tr(
            l,
            "ACMEから@佐藤に電話: ロット42のハウジングが割れている。初動が命 — その場で #営業部 からトラブルを起票します。",
            "ACME calls @sato: the housings from lot 42 are cracking. The first move decides everything — she opens a trouble right away, from #sales.",
        ));
        let opened = self.mark();
        let opened_at = self.clock.now();
        let answer = self
            .command(
                SATO,
                sales,
                tr(
                    l,
                    "open sev2 +quality ACME: ロット42のハウジング不良",
                    "open sev2 +quality ACME: defective housings in lot 42",
                ),
            )
            .await?;
        let id = answer["text"]
            .as_str()
            .and_then(|t| t.split_whitespace().nth(1))
            .ok_or_else(|| tr(l, "トラブルが起票されませんでした", "no trouble was opened").to_string())?
            .to_string();
        let (channel, kickoff) = self
            .wait(
                opened,
                tr(l, "上司へのDMとキックオフ", "the manager's DM and the kickoff"),
                |calls| {
                    let dm = calls
                        .iter()
                        .filter_map(posted)
                        .any(|p| p.channel == format!("D{TANAKA}"));
                    let kickoff = calls.iter().filter_map(posted).find(|p| p.has("kickoff"))?;
                    let pins = calls
                        .iter()
                        .filter(|c| c.method == "pins.add" && ok(c) && c.params["channel"] == kickoff.channel)
                        .count();
                    (dm && pins >= 2).then(|| (kickoff.channel.to_string(), kickoff.ts.to_string()))
                },
            )
            .await?;

        narrator.narrate(tr(
            l,
            "↑ キックオフのスレッドに、ACMEとの過去のトラブルと負担の累計が出ました。責任区分を決めるときに効いてきます。",
            "↑ The kickoff thread now lists ACME's past troubles and the running balance of who paid: it will matter when the split is settled.",
        ));
        self.wait(
            opened,
            tr(l, "過去のトラブルの一覧", "the customer's history"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.thread_ts == Some(kickoff.as_str()) && p.text.contains(before_id.as_str()))
                    .then_some(())
            },
        )
        .await?;

        narrator.narrate(tr(
            l,
            "@田中はDMで呼ばれましたが、会議中で気づきません。期限が過ぎると、ボットは部長の@鈴木を呼びます。",
            "@tanaka was pinged by DM but is in a meeting. When the deadline passes, the bot goes up to director @suzuki.",
        ));
        self.skip_to(opened_at + chrono::Duration::minutes(15)).await;
        self.wait(
            opened,
            tr(l, "部長へのエスカレーション", "the escalation to the director"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.thread_ts == Some(kickoff.as_str()) && p.text.contains(SUZUKI))
                    .then_some(())
            },
        )
        .await?;
        let mark = self.mark();
        self.reply_in_thread(
            SUZUKI,
            &channel,
            &kickoff,
            tr(
                l,
                "確認しました。田中さんの代わりに見ます。",
                "On it — I'll cover for tanaka.",
            ),
        )
        .await?;
        self.wait(
            mark,
            tr(l, "部長の確認", "the director's acknowledgement"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.thread_ts == Some(kickoff.as_str()))
                    .then_some(())
            },
        )
        .await?;
        // The kickoff, status and DM edits queued with that reply are told before the work starts.
        self.settle().await;

        narrator.narrate(tr(
            l,
            "対応開始: @佐藤がACMEから聞いた品番・ロット・数量を1件ずつ記録します。どれもチャンネルに1行で残り、ピン留めした状況メッセージはその場で更新されます。",
            "The work starts: @sato records what ACME told her — part, lot, quantity — one fact at a time. Each is a line in the channel; the pinned status is edited in place.",
        ));
        for fact in ["fact part HX-200", "fact lot L42", "fact qty 120"] {
            self.command(SATO, &channel, fact).await?;
        }

        narrator.narrate(tr(
            l,
            "その間ACMEにはまだ誰も連絡していません。初回連絡の期限が近づくと、ボットが@佐藤にチェックリスト（お詫び・事実の復唱・現品の返却のお願い・当面の対応・次回連絡の約束）を出します。@佐藤は電話して記録し（何を伝えたかはチャンネルの全員が読めます）、お願いした現品の返却も記録します。",
            "Meanwhile nobody has called ACME. As the first-call deadline nears the bot gives @sato the checklist (apologise, repeat the facts back, ask for the goods back, the interim measure, when we call next); she calls and logs it (everyone in the channel reads what ACME was told), then records the return she asked for.",
        ));
        // The checklist comes from the bot's own timer, halfway to the first-call deadline.
        self.skip_to(opened_at + chrono::Duration::minutes(30)).await;
        self.wait(
            opened,
            tr(l, "初回連絡のチェックリスト", "the first-call checklist"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.has("log_update"))
                    .then_some(())
            },
        )
        .await?;
        let mark = self.mark();
        self.command(
            SATO,
            &channel,
            tr(
                l,
                "update ACMEにお詫び。ロット42の状況を復唱し、現品の返却をお願い。代替品を手配中、原因は調査中 次回: 2時間後",
                "update Apologised to ACME, repeated the facts of lot 42 back, asked for the goods back; replacements on the way, cause under investigation next: 2h",
            ),
        )
        .await?;
        self.wait(
            mark,
            tr(l, "状況メッセージの更新", "the status message to be updated"),
            |calls| calls.iter().any(|c| c.method == "chat.update" && ok(c)).then_some(()),
        )
        .await?;
        self.command(SATO, &channel, "return requested qty 120").await?;
        self.stage(
            SATO,
            &channel,
            tr(
                l,
                "next 事実を記録、現品の返却を依頼済み",
                "next facts recorded, return requested",
            ),
        )
        .await?;

        narrator.narrate(tr(
            l,
            "第2段階: 品質保証部が影響の及びうる範囲を書き出し、1行ずつ確認します。未確認の行が残っていると第2段階は完了できません。",
            "Stage 2: Quality lists what else might be affected and checks each line; stage 2 cannot be marked done while a line is unchecked.",
        ));
        self.command(
            YAMADA,
            &channel,
            tr(l, "scope ACME第1工場、ロット42", "scope ACME plant 1, lot 42"),
        )
        .await?;
        self.command(
            YAMADA,
            &channel,
            tr(
                l,
                "scope check 1 他のロットへの影響なし",
                "scope check 1 no other lots affected",
            ),
        )
        .await?;
        self.stage(YAMADA, &channel, "done 2").await?;

        narrator.narrate(tr(
            l,
            "現品が到着。品質保証部が発生原因と流出原因（検査をすり抜けた理由）を記録し、対策ごとに担当者を決めます。在庫の選別は担当の@加藤が完了にし、@山田が検証します。",
            "The goods arrive. Quality records the cause and why inspection let it through, then countermeasures, each with an owner: @kato marks the stock sort done, @yamada verifies it.",
        ));
        self.skip(chrono::Duration::minutes(25)).await;
        self.command(YAMADA, &channel, "return received").await?;
        self.command(
            YAMADA,
            &channel,
            tr(
                l,
                "cause 金型温度のドリフト escape: 抜き取り検査で見逃し",
                "cause mold temperature drift escape: sampling inspection missed it",
            ),
        )
        .await?;
        self.stage(YAMADA, &channel, "done 3").await?;
        let (due, prevent_due, check) = {
            let today = self.clock.now().with_timezone(&self.tz).date_naive();
            let day = |days: i64| (today + chrono::Duration::days(days)).format("%m/%d").to_string();
            (day(7), day(16), day(90))
        };
        self.command(
            YAMADA,
            &channel,
            &tr(
                l,
                "action interim 倉庫在庫を全数選別 担当:{kato}",
                "action interim sort the warehouse stock owner:{kato}",
            )
            .replace("{kato}", &format!("<@{KATO}>")),
        )
        .await?;
        self.command(
            YAMADA,
            &channel,
            &tr(
                l,
                "action permanent 成形機に金型温度アラームを設置 担当:{yamada} 期限:{due}",
                "action permanent mold temperature alarm on the press owner:{yamada} due:{due}",
            )
            .replace("{yamada}", &format!("<@{YAMADA}>"))
            .replace("{due}", &due),
        )
        .await?;
        self.command(
            KATO,
            &channel,
            tr(
                l,
                "action done 1 1,200個を選別、割れ3個を除去",
                "action done 1 1,200 pcs sorted, 3 cracked ones removed",
            ),
        )
        .await?;
        self.command(
            YAMADA,
            &channel,
            tr(
                l,
                "action verify 1 選別品50個を再検査、割れなし",
                "action verify 1 50 sorted pcs re-inspected, no cracks",
            ),
        )
        .await?;
        self.stage(
            KATO,
            &channel,
            tr(
                l,
                "done 4 代替品を出荷、ラインを再検査",
                "done 4 replacement housings shipped; line re-inspected",
            ),
        )
        .await?;

        narrator.narrate(tr(
            l,
            "次はバランスの問題: 責任区分、費用負担、再発防止策。責任区分も費用も上司が承認してからACMEに伝え、ACMEの合意は@佐藤が記録します。",
            "Then the part that takes balance: the split of responsibility, who pays, and how it never happens again. The manager approves the split and each cost before ACME hears them; @sato records ACME's agreement.",
        ));
        self.skip(chrono::Duration::minutes(20)).await;
        self.command(
            SATO,
            &channel,
            tr(
                l,
                "split 70/30 当社の金型ドリフト、ACMEの受入検査省略",
                "split 70/30 our mold drift; ACME skipped its incoming inspection",
            ),
        )
        .await?;
        // Approved before the customer hears it: stage 5 is not done while it waits.
        self.approve(TANAKA, &channel, &id, 1).await?;
        self.command(
            SATO,
            &channel,
            tr(
                l,
                "agreed 1 ACME購買部が70/30で了承",
                "agreed 1 ACME purchasing accepted 70/30",
            ),
        )
        .await?;
        self.stage(SATO, &channel, "next").await?;
        self.command(
            SATO,
            &channel,
            tr(
                l,
                "cost ¥120,000 当社 交換品送料",
                "cost ¥120,000 ours replacement shipping",
            ),
        )
        .await?;
        self.approve(TANAKA, &channel, &id, 2).await?;
        self.command(SATO, &channel, tr(l, "agreed 2 ACMEが了承", "agreed 2 ACME accepted"))
            .await?;
        self.stage(SATO, &channel, "next").await?;
        self.skip(chrono::Duration::minutes(15)).await;
        self.command(
            YAMADA,
            &channel,
            &tr(
                l,
                "prevent 日常点検項目に金型温度を追加＋3か月間の全数検査 担当:{yamada} 期限:{due} 確認日:{check}",
                "prevent mold temperature added to the daily checks + 100% inspection for 3 months owner:{yamada} due:{due} check:{check}",
            )
            .replace("{yamada}", &format!("<@{YAMADA}>"))
            .replace("{due}", &prevent_due)
            .replace("{check}", &check),
        )
        .await?;
        self.stage(
            SATO,
            &channel,
            tr(l, "done 7 再発防止策をACMEに提示", "done 7 measures presented to ACME"),
        )
        .await?;

        narrator.narrate(tr(
            l,
            "7段階すべて完了、暫定対策も実施済みで再発防止策もあるので、クローズできます。@佐藤がクローズすると、改ざんできないタイムラインから作られた報告書がチャンネルに投稿され、キックオフも「クローズ」に書き換わって報告書へのリンクが付きます。",
            "All seven stages done, the interim action done and a prevention measure recorded: the trouble may close. @sato closes it: the report, built from the tamper-evident timeline, is posted in the channel, and the kickoff says closed and links to it.",
        ));
        let mark = self.mark();
        self.stage(SATO, &channel, "close").await?;
        let took = (self.clock.now() - opened_at).num_seconds().max(0) as u64;
        self.wait(
            mark,
            tr(
                l,
                "報告書とキックオフのリンク",
                "the report and the kickoff's link to it",
            ),
            |calls| {
                let posts: Vec<_> = calls.iter().filter_map(posted).collect();
                // The summary is the top-level post the edited kickoff links to.
                let summary = calls
                    .iter()
                    .filter(|c| c.method == "chat.update" && ok(c) && c.params["ts"] == kickoff.as_str())
                    .find_map(|c| {
                        let edit = c.params.to_string();
                        posts.iter().find(|p| {
                            p.channel == channel && p.thread_ts.is_none() && edit.contains(&p.ts.replace('.', ""))
                        })
                    })?;
                // "… in this thread (2 parts)." / 「…（2件）。」
                let parts: usize = summary
                    .text
                    .rsplit(['(', '（'])
                    .next()
                    .and_then(|tail| tail.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                let posted = posts.iter().filter(|p| p.thread_ts == Some(summary.ts)).count();
                (posted >= parts).then_some(())
            },
        )
        .await?;

        narrator.narrate(tr(
            l,
            "ACMEには8D報告書を提出します。@佐藤がチャンネルに投稿し、提出前に皆で確認します。中身は同じ記録（事実・原因・対策）から作られ、責任区分・費用・社内メモは含みません。",
            "ACME gets an 8D report. @sato posts it in the channel so the team reviews it before it is sent: built from the same record (facts, cause, actions), without the split, costs or internal notes.",
        ));
        let mark = self.mark();
        self.command(SATO, &channel, "report 8d").await?;
        self.wait(
            mark,
            tr(l, "8D報告書の投稿", "the 8D report in the channel"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.channel == channel && p.thread_ts.is_none() && p.text.contains("8D"))
                    .then_some(())
            },
        )
        .await?;
        narrator.narrate(tr(
            l,
            "まとめ: ①上司が応答しなければ部長まで自動で上がる ②お客様に伝えた内容・費用・責任区分はすべてチャンネルに残り、全員が同じ話を読む ③事実・原因・対策を記録しながら進めれば、お客様向けの8D報告書はそこから出来上がる ④次にACMEでトラブルが起きたとき、過去の貸し借りがすぐ見える。\n導入: Slackアプリを manifest.yml から作成し、trouble.toml を書いて `trouble-bot check-config`、`trouble-bot serve` で起動（README参照）。",
            "Recap: 1) if the manager does not answer, the bot goes up to the director by itself; 2) what the customer was told, the costs and the split all stay in the channel, so everyone reads the same story; 3) the facts, cause and actions recorded as the team works make the customer's 8D report; 4) the next time ACME has a trouble, the past give-and-take is right there.\nInstall: create the Slack app from manifest.yml, write trouble.toml, run `trouble-bot check-config`, then `trouble-bot serve` (see the README).",
        ));
        Ok((id, took))
    }

    /// The story moves on by `d`: the clock jumps, and whatever the bot had waiting by then happens.
    async fn skip(&self, d: chrono::Duration) {
        self.skip_to(self.clock.now() + d).await;
    }

    /// The story moves on to `t` (at once if the clock is already there), once what the bot
    /// had to say before it is said.
    async fn skip_to(&self, t: DateTime<Utc>) {
        self.settle().await;
        let Some(manual) = self.clock.as_manual() else {
            return;
        };
        let Ok(d) = (t - self.clock.now()).to_std() else {
            return;
        };
        manual.advance(d);
        let when = t.with_timezone(&self.tz).format("%m/%d %H:%M");
        let by = format_duration(self.l, d.as_secs());
        self.narrator.aside(&match self.l {
            Locale::Ja => format!("⏩ {by}後 — {when}"),
            Locale::En => format!("⏩ {by} later — {when}"),
        });
        // What fell due in the jump happens before the story goes on (the weekly digest due while
        // the six weeks passed fires before the new trouble is opened, not sometimes after it).
        self.settle().await;
    }

    /// Waits until the bot has fired every timer due by now and delivered what it had to say, so
    /// the conversation reads in order. Only for the telling: after [`WAIT`] the story goes on
    /// regardless.
    async fn settle(&self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.quiet().await && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Nothing queued for Slack and no timer due.
    async fn quiet(&self) -> bool {
        let delivered = self.app.store.counts().await.is_ok_and(|c| c.outbox == 0);
        let now = self.clock.now();
        let due = self.app.store.next_timer_due(now).await.ok().flatten();
        delivered && due.is_none_or(|at| at > now)
    }

    /// How many calls were made so far: waits look only at calls after a mark.
    fn mark(&self) -> usize {
        self.fake.call_count() as usize
    }

    /// Waits for something the bot does in Slack, or explains what did not happen.
    async fn wait<T>(
        &self,
        since: usize,
        what: &str,
        mut check: impl FnMut(&[Call]) -> Option<T>,
    ) -> Result<T, String> {
        let since_mark = |calls: &[Call]| check(calls.get(since..).unwrap_or_default());
        self.fake.wait_until(WAIT, since_mark).await.ok_or_else(|| {
            format!(
                "{} ({what}, {}s)",
                tr(self.l, "待っても起きませんでした", "this did not happen in time"),
                WAIT.as_secs()
            )
        })
    }

    /// A stage command, then the bot's message about it in the channel, before the next one.
    async fn stage(&self, user: &str, channel: &str, text: &str) -> Result<(), String> {
        let mark = self.mark();
        self.command(user, channel, text).await?;
        self.wait(
            mark,
            tr(self.l, "チャンネルへの投稿", "the bot's post in the channel"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.channel == channel && p.thread_ts.is_none() && !p.has("log_update"))
                    .then_some(())
            },
        )
        .await
    }

    /// `/trouble <text>` as Slack sends it; prints what was typed and the ephemeral answer.
    async fn command(&self, user: &str, channel: &str, text: &str) -> Result<Value, String> {
        self.narrator.typed(channel, user, &format!("/trouble {text}"));
        self.responses.set(self.responses.get() + 1);
        let response = format!("r{}", self.responses.get());
        self.narrator.expect_response(&response, channel, user);
        let form = serde_urlencoded::to_string([
            ("token", "demo"),
            ("team_id", TEAM),
            ("team_domain", "demo"),
            ("channel_id", channel),
            ("user_id", user),
            ("command", "/trouble"),
            ("text", text),
            ("api_app_id", "A0DEMO"),
            ("response_url", &self.fake.response_url(&response)),
            ("trigger_id", "1.2.demo"),
        ])
        .map_err(|e| e.to_string())?;
        let body = self
            .signed("/slack/commands", "application/x-www-form-urlencoded", form)
            .await?;
        let answer: Value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).map_err(|e| e.to_string())?
        };
        self.narrator.ephemeral(channel, user, &answer);
        self.settle().await;
        Ok(answer)
    }

    /// `user` presses Approve on proposal `n` of trouble `id`, then the bot's line about it.
    async fn approve(&self, user: &str, channel: &str, id: &str, n: usize) -> Result<(), String> {
        self.narrator.pressed(channel, user, tr(self.l, "承認", "Approve"));
        let mark = self.mark();
        self.events.set(self.events.get() + 1);
        self.responses.set(self.responses.get() + 1);
        let response = format!("r{}", self.responses.get());
        self.narrator.expect_response(&response, channel, user);
        let payload = json!({
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0DEMO",
            "team": {"id": TEAM, "domain": "demo"},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": channel},
            "channel": {"id": channel},
            "trigger_id": "1.2.demo",
            "response_url": self.fake.response_url(&response),
            "actions": [{"action_id": "proposal_approve", "block_id": "proposal", "value": format!("{id}:{n}"),
                         "type": "button", "action_ts": format!("1.{}", self.events.get())}],
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).map_err(|e| e.to_string())?;
        self.signed("/slack/interactions", "application/x-www-form-urlencoded", form)
            .await?;
        self.wait(
            mark,
            tr(self.l, "承認の投稿", "the approval in the channel"),
            |calls| {
                calls
                    .iter()
                    .filter_map(posted)
                    .any(|p| p.channel == channel && p.thread_ts.is_none())
                    .then_some(())
            },
        )
        .await
    }

    /// A person's reply in a thread: it appears in Slack and reaches the bot as an event.
    async fn reply_in_thread(&self, user: &str, channel: &str, thread_ts: &str, text: &str) -> Result<(), String> {
        let ts = self.fake.user_posts(channel, user, text, Some(thread_ts));
        self.narrator.user_posted(channel, user, text, &ts, Some(thread_ts));
        self.events.set(self.events.get() + 1);
        let body = json!({
            "token": "demo", "team_id": TEAM, "api_app_id": "A0DEMO", "type": "event_callback",
            "event_id": format!("Ev0DEMO{}", self.events.get()),
            "event_time": self.clock.now().timestamp(),
            "event": {
                "type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
                "thread_ts": thread_ts, "parent_user_id": BOT_USER, "channel_type": "channel", "event_ts": ts,
            },
        });
        self.signed("/slack/events", "application/json", body.to_string())
            .await?;
        Ok(())
    }

    /// POSTs a body signed the way Slack signs it; anything but 200 stops the demo.
    async fn signed(&self, path: &str, content_type: &str, body: String) -> Result<String, String> {
        // The bot checks the timestamp against its own clock: the demo's virtual one.
        let ts = self.clock.now().timestamp().to_string();
        let signature = sign(SECRET, &ts, body.as_bytes());
        let response = self
            .http
            .post(format!("{}{path}", self.bot_url))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{path}: HTTP {status}"));
        }
        Ok(text)
    }
}
