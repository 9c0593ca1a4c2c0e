//! `trouble-bot demo`: a whole trouble played through the real bot against a built-in Slack simulator.

mod simulator;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use self::simulator::{emit, Call, Cast, Simulator, BOT_USER, TEAM};
use crate::config::Config;
use crate::i18n::Locale;
use crate::slack::signature::sign;

const SECRET: &str = "demo-signing-secret";
const SATO: &str = "U0SATO";
const TANAKA: &str = "U0TANAKA";
const SUZUKI: &str = "U0SUZUKI";
const YAMADA: &str = "U0YAMADA";
const KATO: &str = "U0KATO";
const SALES: &str = "C0SALES";
/// Generous: the bot paces channel posts at about one a second, and slow machines exist.
const WAIT: Duration = Duration::from_secs(15);

/// Plays the demo and returns whether it ran to the end.
pub async fn run(locale: Locale) -> bool {
    let nanos = crate::Clock::System.now().timestamp_subsec_nanos();
    let dir = std::env::temp_dir().join(format!("trouble-bot-demo-{}-{nanos}", std::process::id()));
    let result = play(locale, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok((id, secs)) => {
            emit(&match locale {
                Locale::Ja => format!("\n✔ デモ完了: トラブル {id} をクローズしました（{secs:.1}秒）\n"),
                Locale::En => format!("\n✔ demo finished: trouble {id} closed ({secs:.1}s)\n"),
            });
            true
        }
        Err(why) => {
            emit(&match locale {
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
ack_timeout = "4s"
customer_update_every = "3s"
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

async fn play(locale: Locale, dir: &Path) -> Result<(String, f64), String> {
    let l = locale;
    let sales_name = tr(l, "営業部", "sales");
    let sim = Simulator::start(l, cast(l), &[(SALES, sales_name, &[BOT_USER, SATO, TANAKA, SUZUKI])])
        .await
        .map_err(|e| e.to_string())?;
    let config = config(l, sim.api_url(), dir)?;
    let bot = crate::start(config).await.map_err(|e| e.to_string())?;
    let demo = Demo {
        sim: &sim,
        l,
        http: reqwest::Client::new(),
        bot_url: format!("http://{}", bot.addr),
        events: std::cell::Cell::new(0),
    };
    let result = demo.script().await;
    bot.stop().await;
    result.map(|id| (id, sim.elapsed().as_secs_f64()))
}

fn tr(l: Locale, ja: &'static str, en: &'static str) -> &'static str {
    match l {
        Locale::Ja => ja,
        Locale::En => en,
    }
}

struct Demo<'a> {
    sim: &'a Simulator,
    l: Locale,
    http: reqwest::Client,
    bot_url: String,
    events: std::cell::Cell<u32>,
}

impl Demo<'_> {
    async fn script(&self) -> Result<String, String> {
        let (l, sim) = (self.l, self.sim);
        sim.narrate(tr(
            l,
            "trouble-bot デモ — 顧客トラブル1件を最初から最後まで。相手は内蔵のSlackシミュレーターで、外部には何も送りません。",
            "trouble-bot demo — one customer trouble from start to finish, against a built-in Slack simulator (nothing leaves this machine).",
        ));
        sim.aside(tr(
                l,
                "登場人物: @佐藤（営業、ACME担当）→ 上司 @田中 → 部長 @鈴木。品質保証部 @山田・@加藤（@品証チーム）。",
                "Cast: @sato (sales rep for ACME) → her manager @tanaka → director @suzuki; Quality Assurance @yamada and @kato (@quality-team).",
        ));
        sim.aside(tr(
                l,
                "時間は圧縮しています: 受領期限は4秒、顧客への報告は3秒ごと（実際には例えば30分と4時間）。",
                "Time is compressed: acknowledgement is due within 4s, the customer is owed an update every 3s (in real life, say, 30 minutes and 4 hours).",
        ));
        self.wait(0, tr(l, "ボットの接続", "the bot to connect"), |calls| {
            calls.iter().any(|c| c.method == "auth.test" && c.ok()).then_some(())
        })
        .await?;

        sim.narrate(tr(
            l,
            "ACMEから@佐藤に電話: ロット42のハウジングが割れている。初動が命 — その場で #営業部 からトラブルを開始します。",
            "ACME calls @sato: the housings from lot 42 are cracking. The first move decides everything — she opens a trouble right away, from #sales.",
        ));
        let opened = sim.mark();
        let answer = self
            .command(
                SATO,
                SALES,
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
            .ok_or_else(|| tr(l, "トラブルが開始されませんでした", "no trouble was opened").to_string())?
            .to_string();
        let (channel, kickoff) = self
            .wait(
                opened,
                tr(l, "上司へのDMとキックオフ", "the manager's DM and the kickoff"),
                |calls| {
                    let dm = calls
                        .iter()
                        .filter_map(Call::post)
                        .any(|p| p.channel == format!("D{TANAKA}"));
                    let kickoff = calls.iter().filter_map(Call::post).find(|p| p.has("kickoff"))?;
                    let pins = calls
                        .iter()
                        .filter(|c| c.method == "pins.add" && c.ok() && c.params["channel"] == kickoff.channel)
                        .count();
                    (dm && pins >= 2).then(|| (kickoff.channel.to_string(), kickoff.ts.to_string()))
                },
            )
            .await?;

        sim.narrate(tr(
            l,
            "@田中はチャンネルの準備を待たずにDMで呼ばれました。キックオフのスレッドに返信して受領します。",
            "@tanaka was pinged by DM before the channel even existed. He acknowledges by replying in the kickoff thread.",
        ));
        let mark = sim.mark();
        self.reply_in_thread(
            TANAKA,
            &channel,
            &kickoff,
            tr(
                l,
                "了解。ACMEの工場長に電話します。",
                "Got it — calling ACME's plant manager now.",
            ),
        )
        .await?;
        self.wait(mark, tr(l, "受領の返信", "the acknowledgement"), |calls| {
            calls
                .iter()
                .filter_map(Call::post)
                .any(|p| p.thread_ts == Some(kickoff.as_str()))
                .then_some(())
        })
        .await?;

        sim.narrate(tr(
            l,
            "対応開始: まず情報収集と現品回収、次に波及範囲。1段階ごとにコマンド1つ。ピン留めした状況メッセージはその場で更新されます。",
            "The work starts: facts and returned goods, then the scope. One command per stage; the pinned status message is edited in place.",
        ));
        self.stage(
            SATO,
            &channel,
            tr(
                l,
                "next 事実確認済み、120個回収",
                "next facts gathered, 120 units recalled",
            ),
        )
        .await?;
        self.stage(
            YAMADA,
            &channel,
            tr(
                l,
                "done 2 影響はロット42のみ（ACME第1工場）",
                "done 2 only lot 42 is affected (ACME plant 1)",
            ),
        )
        .await?;

        sim.narrate(tr(
            l,
            "その間ACMEは何も聞いていません。原因が分からなくても途中経過は伝えるもの — ボットが@佐藤に報告を促し、@佐藤は電話して記録します。",
            "Meanwhile ACME has heard nothing. Even before the cause is known the customer must hear where things stand — the bot nudges @sato, she calls ACME and logs it.",
        ));
        // The one deliberate wait: the nudge comes from the bot's own timer (3 s after opening).
        self.wait(
            opened,
            tr(l, "顧客への報告の催促", "a customer-update nudge"),
            |calls| {
                calls
                    .iter()
                    .filter_map(Call::post)
                    .any(|p| p.has("log_update"))
                    .then_some(())
            },
        )
        .await?;
        let mark = sim.mark();
        self.command(
            SATO,
            &channel,
            tr(
                l,
                "update ACMEに報告: ロット42を回収済み、原因を調査中、代替品を手配中 次回: 2時間後",
                "update Told ACME: lot 42 recalled, cause under investigation, replacements on the way next: 2h",
            ),
        )
        .await?;
        self.wait(
            mark,
            tr(l, "状況メッセージの更新", "the status message to be updated"),
            |calls| calls.iter().any(|c| c.method == "chat.update" && c.ok()).then_some(()),
        )
        .await?;

        sim.narrate(tr(
            l,
            "品質保証部が原因を突き止め、対策を実施。次はバランスの問題: 責任区分、費用負担、再発防止策。",
            "Quality finds the cause and fixes it. Then the part that takes balance: the split of responsibility, who pays, and how it never happens again.",
        ));
        self.stage(
            YAMADA,
            &channel,
            tr(
                l,
                "done 3 金型温度のドリフト。抜き取り検査で見逃し",
                "done 3 mold temperature drift; the sampling inspection missed it",
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
        self.stage(
            TANAKA,
            &channel,
            tr(l, "next ACME購買部と合意", "next agreed with ACME purchasing"),
        )
        .await?;
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
        self.stage(SATO, &channel, tr(l, "next ACMEが了承", "next ACME accepted"))
            .await?;
        self.command(
            YAMADA,
            &channel,
            tr(
                l,
                "prevent 金型温度アラーム導入＋3か月間の全数検査（担当: 山田、12/20まで）",
                "prevent mold temperature alarm + 100% inspection for 3 months (owner: yamada, due 12/20)",
            ),
        )
        .await?;
        self.stage(
            SATO,
            &channel,
            tr(l, "done 7 再発防止策をACMEに提示", "done 7 measures presented to ACME"),
        )
        .await?;

        sim.narrate(tr(
            l,
            "7段階すべて完了。@佐藤がクローズし、改ざんできないタイムラインから作られた報告書を投稿します。",
            "All seven stages done. @sato closes the trouble and posts the report, built from the tamper-evident timeline.",
        ));
        self.stage(SATO, &channel, "close").await?;
        let mark = sim.mark();
        let answer = self.command(SATO, &channel, "report").await?;
        // The answer says how many parts the summary's thread holds: "… in its thread (2 part(s))."
        let parts: usize = answer["text"]
            .as_str()
            .unwrap_or_default()
            .split(|c: char| !c.is_ascii_digit())
            .find_map(|n| n.parse().ok())
            .unwrap_or(1);
        self.wait(mark, tr(l, "報告書", "the report"), |calls| {
            let posted = calls
                .iter()
                .filter_map(Call::post)
                .filter(|p| p.channel == channel && p.thread_ts.is_some())
                .count();
            (posted >= parts).then_some(())
        })
        .await?;
        Ok(id)
    }

    /// Waits for something the bot does in Slack, or explains what did not happen.
    async fn wait<T>(&self, since: usize, what: &str, check: impl FnMut(&[Call]) -> Option<T>) -> Result<T, String> {
        self.sim.wait_for(since, WAIT, check).await.ok_or_else(|| {
            format!(
                "{} ({what}, {}s)",
                tr(self.l, "待っても起きませんでした", "this did not happen in time"),
                WAIT.as_secs()
            )
        })
    }

    /// A stage command, then the bot's message about it in the channel, before the next one.
    async fn stage(&self, user: &str, channel: &str, text: &str) -> Result<(), String> {
        let mark = self.sim.mark();
        self.command(user, channel, text).await?;
        self.wait(
            mark,
            tr(self.l, "チャンネルへの投稿", "the bot's post in the channel"),
            |calls| {
                calls
                    .iter()
                    .filter_map(Call::post)
                    .any(|p| p.channel == channel && p.thread_ts.is_none() && !p.has("log_update"))
                    .then_some(())
            },
        )
        .await
    }

    /// `/trouble <text>` as Slack sends it; prints what was typed and the ephemeral answer.
    async fn command(&self, user: &str, channel: &str, text: &str) -> Result<Value, String> {
        self.sim.typed(channel, user, &format!("/trouble {text}"));
        let form = serde_urlencoded::to_string([
            ("token", "demo"),
            ("team_id", TEAM),
            ("team_domain", "demo"),
            ("channel_id", channel),
            ("user_id", user),
            ("command", "/trouble"),
            ("text", text),
            ("api_app_id", "A0DEMO"),
            ("response_url", &self.sim.response_url(channel, user)),
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
        self.sim.ephemeral(channel, user, &answer);
        Ok(answer)
    }

    /// A person's reply in a thread: it appears in the simulator and reaches the bot as an event.
    async fn reply_in_thread(&self, user: &str, channel: &str, thread_ts: &str, text: &str) -> Result<(), String> {
        let ts = self.sim.user_posts(channel, user, text, Some(thread_ts));
        self.events.set(self.events.get() + 1);
        let body = json!({
            "token": "demo", "team_id": TEAM, "api_app_id": "A0DEMO", "type": "event_callback",
            "event_id": format!("Ev0DEMO{}", self.events.get()),
            "event_time": crate::Clock::System.now().timestamp(),
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
        let ts = crate::Clock::System.now().timestamp().to_string();
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
