//! The bot's Slack messages in both locales, rendered from the trouble's current state.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{format_duration, format_time, severity_default_name, stage_icon, stage_name, stage_state, Locale};
use crate::config::Config;
use crate::slack::blocks::{actions, button, context, cut, divider, escape, fields, header, section};
use crate::slack::contracts::{Action, ButtonValue};
use crate::slack::text::{one_line, quoted, user_text, Where};
use crate::trouble::decide::{Message, Nudge};
use crate::trouble::hours::add_working_time;
use crate::trouble::model::{StageState, Trouble, UserId};

/// A message ready for chat.postMessage / chat.update: fallback text plus blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub blocks: Option<Vec<Value>>,
}

impl Rendered {
    fn text(text: String) -> Rendered {
        Rendered {
            blocks: Some(vec![section(&text)]),
            text,
        }
    }
}

pub fn severity_label(l: Locale, config: &Config, level: u8) -> String {
    let name = config
        .severities
        .get(&level)
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| severity_default_name(l, level));
    format!("sev{level} {name}")
}

/// Slack's `text` is the notification and fallback; chat.update refuses more than 4,000.
const FALLBACK_TEXT_LIMIT: usize = 3000;

/// User text inline in the trouble's own channel.
fn here(raw: &str) -> String {
    one_line(raw, Where::OwnChannel)
}

/// User text inline anywhere else (DMs, announce and origin channels, headers).
fn away(raw: &str) -> String {
    one_line(raw, Where::Elsewhere)
}

fn user(u: &UserId) -> String {
    format!("<@{u}>")
}

fn channel_ref(l: Locale, t: &Trouble) -> String {
    match (&t.channel, &t.channel_name) {
        (Some(c), _) => format!("<#{c}>"),
        (None, Some(name)) => tr!(l, format!("#{name}（作成中）"), format!("#{name} (being set up)")),
        (None, None) => tr!(l, "（チャンネル作成中）", "(channel being set up)").to_string(),
    }
}

/// When the next customer update is due: the promise if there is one, else one cadence on.
pub fn next_update_due(config: &Config, t: &Trouble) -> DateTime<Utc> {
    let last = t.last_customer_contact();
    match t.promised_next().filter(|p| *p > last) {
        Some(p) => p,
        None => {
            let cadence = chrono::Duration::from_std(config.severity(t.severity).customer_update_every)
                .unwrap_or(chrono::Duration::MAX);
            add_working_time(config.business_hours.as_ref(), config.timezone, last, cadence)
        }
    }
}

fn department_mentions(config: &Config, t: &Trouble) -> Vec<String> {
    let mut keys = t.departments.clone();
    for d in &config.severity(t.severity).departments {
        if !keys.contains(d) {
            keys.push(d.clone());
        }
    }
    keys.iter()
        .filter_map(|k| config.departments.get(k))
        .map(|d| match &d.usergroup {
            Some(g) => format!("<!subteam^{g}> ({})", escape(&d.name)),
            None => escape(&d.name),
        })
        .collect()
}

fn stages_text(l: Locale, config: &Config, t: &Trouble) -> String {
    t.stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let when = match s.state {
                StageState::Done => s
                    .done_at
                    .map(|at| format!(" · {}", format_time(config.timezone, at)))
                    .unwrap_or_default(),
                StageState::InProgress => s
                    .started_at
                    .map(|at| format!(" · {} {}", tr!(l, "開始", "since"), format_time(config.timezone, at)))
                    .unwrap_or_default(),
                StageState::NotStarted => String::new(),
            };
            format!(
                "{} {}. {} — {}{}",
                stage_icon(s.state),
                i + 1,
                stage_name(l, i),
                stage_state(l, s.state),
                when
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ack_text(l: Locale, t: &Trouble) -> String {
    match &t.ack {
        Some(a) => tr!(
            l,
            format!(
                "✅ {} が受領（{}後）",
                user(&a.by),
                format_duration(l, (a.at - t.opened_at).num_seconds().max(0) as u64)
            ),
            format!(
                "✅ acknowledged by {} after {}",
                user(&a.by),
                format_duration(l, (a.at - t.opened_at).num_seconds().max(0) as u64)
            )
        ),
        None if t.manager.is_none() => tr!(l, "⚠️ 上司が未設定です", "⚠️ no manager set").to_string(),
        None => tr!(l, "⏳ 受領待ち", "⏳ waiting for acknowledgement").to_string(),
    }
}

/// A header is plain text: a mention there would show as raw syntax, so it reads as elsewhere.
fn title(l: Locale, t: &Trouble) -> String {
    tr!(
        l,
        format!("🚨 トラブル {} — {}", t.id, away(&t.customer)),
        format!("🚨 Trouble {} — {}", t.id, away(&t.customer))
    )
}

pub fn render(l: Locale, config: &Config, t: &Trouble, message: &Message) -> Rendered {
    let mut rendered = render_full(l, config, t, message);
    rendered.text = cut(&rendered.text, FALLBACK_TEXT_LIMIT);
    rendered
}

fn render_full(l: Locale, config: &Config, t: &Trouble, message: &Message) -> Rendered {
    let tz = config.timezone;
    let sev = severity_label(l, config, t.severity);
    match message {
        Message::Kickoff => {
            let manager_line = match &t.manager {
                Some(m) if t.ack.is_none() => tr!(
                    l,
                    format!("{} 受領をお願いします。このスレッドに返信するか、下のボタンを押してください。", user(m)),
                    format!("{} please acknowledge: reply in this thread or press the button below.", user(m))
                ),
                Some(m) => format!("{} · {}", user(m), ack_text(l, t)),
                None => ack_text(l, t),
            };
            let depts = department_mentions(config, t);
            let mut blocks = vec![
                header(&title(l, t)),
                section(&user_text(&t.summary, Where::OwnChannel)),
                fields(&[
                    (tr!(l, "顧客", "Customer").into(), here(&t.customer)),
                    (tr!(l, "重大度", "Severity").into(), sev.clone()),
                    (tr!(l, "担当営業", "Owner").into(), user(&t.owner)),
                    (tr!(l, "上司", "Manager").into(), t.manager.as_ref().map(user).unwrap_or_else(|| "—".into())),
                ]),
                section(&manager_line),
            ];
            if !depts.is_empty() {
                blocks.push(section(&tr!(l, format!("関係部門: {}", depts.join(" ")), format!("Related departments: {}", depts.join(" ")))));
            }
            // The stages by name only: their states live in the status message, which is kept current.
            let stages = (0..crate::trouble::model::STAGE_COUNT).map(|i| format!("{}. {}", i + 1, stage_name(l, i))).collect::<Vec<_>>().join("\n");
            blocks.push(context(&stages));
            if t.ack.is_none() && t.manager.is_some() && t.is_open() {
                blocks.push(actions("kickoff", vec![button(Action::Acknowledge.id(), tr!(l, "受領する", "Acknowledge"), &ButtonValue::trouble(t.id.as_str()).encode(), true)]));
            }
            let text = tr!(
                l,
                format!("トラブル {}: {} — {}（{}）{}", t.id, here(&t.customer), here(&t.summary), sev, t.manager.as_ref().filter(|_| t.ack.is_none()).map(|m| format!(" {} 受領をお願いします", user(m))).unwrap_or_default()),
                format!("Trouble {}: {} — {} ({}){}", t.id, here(&t.customer), here(&t.summary), sev, t.manager.as_ref().filter(|_| t.ack.is_none()).map(|m| format!(" {} please acknowledge", user(m))).unwrap_or_default())
            );
            Rendered { text, blocks: Some(blocks) }
        }
        Message::Status => {
            let last = t.last_customer_contact();
            let due = next_update_due(config, t);
            let promised = t.promised_next().filter(|p| *p > last).is_some();
            let state = if let Some(c) = &t.closed {
                tr!(l, format!("🏁 クローズ {}", format_time(tz, c.at)), format!("🏁 closed {}", format_time(tz, c.at)))
            } else {
                match t.current_stage() {
                    Some(s) => tr!(l, format!("現在: 第{}段階 {}", s + 1, stage_name(l, s)), format!("Now: stage {} {}", s + 1, stage_name(l, s))),
                    None => tr!(l, "全段階完了 — `/trouble close` でクローズできます", "All stages done — `/trouble close` to close").to_string(),
                }
            };
            let mut blocks = vec![
                header(&tr!(l, format!("📋 状況 {} — {}", t.id, away(&t.customer)), format!("📋 Status {} — {}", t.id, away(&t.customer)))),
                section(&state),
                fields(&[
                    (tr!(l, "重大度", "Severity").into(), sev.clone()),
                    (tr!(l, "担当営業", "Owner").into(), user(&t.owner)),
                    (tr!(l, "上司", "Manager").into(), t.manager.as_ref().map(user).unwrap_or_else(|| "—".into())),
                    (tr!(l, "受領", "Acknowledged").into(), ack_text(l, t)),
                    (tr!(l, "顧客への最終報告", "Customer last updated").into(), if t.customer_updates.is_empty() { tr!(l, "まだありません（開始時刻から計測）", "not yet (counting from opening)").into() } else { format_time(tz, last) }),
                    (tr!(l, if promised { "次回報告（約束）" } else { "次回報告の期限" }, if promised { "Next update (promised)" } else { "Next update due" }).into(), if t.is_open() { format_time(tz, due) } else { "—".into() }),
                ]),
                divider(),
                section(&stages_text(l, config, t)),
            ];
            if let Some(s) = &t.split {
                blocks.push(context(&tr!(l, format!("責任区分 当社{}% / 顧客{}% / 他{}%", s.ours, s.customer, s.other), format!("Responsibility: ours {}% / customer {}% / other {}%", s.ours, s.customer, s.other))));
            }
            if t.is_open() {
                if let Some(s) = t.current_stage() {
                    blocks.push(actions("status", vec![button(Action::CompleteStage.id(), &tr!(l, format!("第{}段階を完了", s + 1), format!("Complete stage {}", s + 1)), &ButtonValue::stage(t.id.as_str(), s).encode(), false)]));
                }
            }
            let text = tr!(l, format!("状況 {}: {}", t.id, state), format!("Status {}: {}", t.id, state));
            Rendered { text, blocks: Some(blocks) }
        }
        Message::ManagerDm => {
            let intro = tr!(
                l,
                format!("🚨 {} からトラブルの報告です。受領をお願いします。", user(&t.owner)),
                format!("🚨 {} reported a trouble. Please acknowledge it.", user(&t.owner))
            );
            let mut blocks = vec![
                section(&intro),
                fields(&[
                    (tr!(l, "顧客", "Customer").into(), away(&t.customer)),
                    (tr!(l, "重大度", "Severity").into(), sev.clone()),
                    (tr!(l, "概要", "Summary").into(), user_text(&t.summary, Where::Elsewhere)),
                    (tr!(l, "チャンネル", "Channel").into(), channel_ref(l, t)),
                ]),
                context(&ack_text(l, t)),
            ];
            if t.ack.is_none() && t.is_open() {
                blocks.push(actions("dm", vec![button(Action::Acknowledge.id(), tr!(l, "受領する", "Acknowledge"), &ButtonValue::trouble(t.id.as_str()).encode(), true)]));
            }
            let text = tr!(
                l,
                format!("トラブル {}: {} — {}（{}）報告者 {} · {}", t.id, away(&t.customer), away(&t.summary), sev, user(&t.owner), channel_ref(l, t)),
                format!("Trouble {}: {} — {} ({}) from {} · {}", t.id, away(&t.customer), away(&t.summary), sev, user(&t.owner), channel_ref(l, t))
            );
            Rendered { text, blocks: Some(blocks) }
        }
        Message::OriginNotice | Message::Announcement => {
            let text = tr!(
                l,
                format!("🚨 {} がトラブル {} を開始しました: *{}* — {}（{}）→ {}", user(&t.owner), t.id, away(&t.customer), away(&t.summary), sev, channel_ref(l, t)),
                format!("🚨 {} opened trouble {}: *{}* — {} ({}) → {}", user(&t.owner), t.id, away(&t.customer), away(&t.summary), sev, channel_ref(l, t))
            );
            Rendered::text(text)
        }
        Message::NoManagerHint => Rendered::text(tr!(
            l,
            format!("⚠️ 上司が設定されていないため、誰にも受領依頼を送れていません。`/trouble manager @上司` で指名してください（設定ファイルの `[org]` で既定の上司を決められます）。 {}", user(&t.owner)),
            format!("⚠️ No manager is configured, so nobody was asked to acknowledge. Name one with `/trouble manager @manager` (the `[org]` section of the config sets a default). {}", user(&t.owner))
        )),
        Message::Acknowledged { by, after_secs } => Rendered::text(tr!(
            l,
            format!("✅ {} が受領しました（{}後）。", user(by), format_duration(l, (*after_secs).max(0) as u64)),
            format!("✅ Acknowledged by {} after {}.", user(by), format_duration(l, (*after_secs).max(0) as u64))
        )),
        Message::EscalationMention { to, waited_secs } => Rendered::text(tr!(
            l,
            format!("⏫ {} 開始から{}経っても受領がありません。このスレッドに返信するか、受領ボタンを押してください。", user(to), format_duration(l, (*waited_secs).max(0) as u64)),
            format!("⏫ {} nobody has acknowledged this in {}. Please reply in this thread or press Acknowledge.", user(to), format_duration(l, (*waited_secs).max(0) as u64))
        )),
        Message::EscalationDm { to: _, waited_secs } => {
            let text = tr!(
                l,
                format!("⏫ トラブル {}（{} — {}、{}）が{}間受領されていません。{} で受領してください。", t.id, away(&t.customer), away(&t.summary), sev, format_duration(l, (*waited_secs).max(0) as u64), channel_ref(l, t)),
                format!("⏫ Trouble {} ({} — {}, {}) has not been acknowledged for {}. Please acknowledge it in {}.", t.id, away(&t.customer), away(&t.summary), sev, format_duration(l, (*waited_secs).max(0) as u64), channel_ref(l, t))
            );
            let blocks = vec![section(&text), actions("dm", vec![button(Action::Acknowledge.id(), tr!(l, "受領する", "Acknowledge"), &ButtonValue::trouble(t.id.as_str()).encode(), true)])];
            Rendered { text, blocks: Some(blocks) }
        }
        Message::NobodyAnswered => Rendered::text(tr!(
            l,
            format!("🛑 上位者まで繰り返し呼び出しましたが、誰も受領していません。{} 直接電話などで連絡を取ってください。", user(&t.owner)),
            format!("🛑 The whole chain was pinged repeatedly and nobody has acknowledged. {} please reach them directly, by phone if need be.", user(&t.owner))
        )),
        Message::StageChanged { stage, done, by, note } => {
            let note = if note.trim().is_empty() { String::new() } else { format!("\n{}", quoted(note, Where::OwnChannel)) };
            Rendered::text(if *done {
                tr!(l, format!("✅ 第{}段階「{}」完了（{}）{}", stage + 1, stage_name(l, *stage), user(by), note), format!("✅ Stage {} \"{}\" done ({}){}", stage + 1, stage_name(l, *stage), user(by), note))
            } else {
                tr!(l, format!("🔶 第{}段階「{}」開始（{}）{}", stage + 1, stage_name(l, *stage), user(by), note), format!("🔶 Stage {} \"{}\" started ({}){}", stage + 1, stage_name(l, *stage), user(by), note))
            })
        }
        Message::SeverityRaised { from, to } => {
            let depts = department_mentions(config, t);
            Rendered::text(tr!(
                l,
                format!("⬆️ トラブル {}（{}）の重大度を {} から {} に引き上げました。{} {}", t.id, away(&t.customer), severity_label(l, config, *from), severity_label(l, config, *to), depts.join(" "), channel_ref(l, t)),
                format!("⬆️ Severity of trouble {} ({}) raised from {} to {}. {} {}", t.id, away(&t.customer), severity_label(l, config, *from), severity_label(l, config, *to), depts.join(" "), channel_ref(l, t))
            ))
        }
        Message::ParticipantsAdded { by, users, departments } => {
            let mut who = participants_list(users, departments);
            for d in departments.iter().filter_map(|d| config.departments.get(d)) {
                if let Some(g) = &d.usergroup {
                    who.push_str(&format!(" <!subteam^{g}>"));
                }
            }
            Rendered::text(tr!(
                l,
                format!("➕ {} が {} をこのトラブルの参加者に追加しました。", user(by), who),
                format!("➕ {} added {} to this trouble's participants.", user(by), who)
            ))
        }
        Message::Nudge(n) => nudge(l, config, t, n),
        Message::Closed { by, forced_reason } => Rendered::text(match forced_reason {
            None => tr!(l, format!("🏁 {} がトラブル {} をクローズしました。おつかれさまでした。`/trouble report` で報告書を投稿できます。", user(by), t.id), format!("🏁 {} closed trouble {}. Well done. `/trouble report` posts the report.", user(by), t.id)),
            Some(r) => {
                let r = quoted(r, Where::OwnChannel);
                tr!(l, format!("🏁 {} がトラブル {} を強制クローズしました。理由:\n{}", user(by), t.id, r), format!("🏁 {} force-closed trouble {}. Reason:\n{}", user(by), t.id, r))
            }
        }),
        Message::ReportSummary => {
            let parts = t.last_report.as_ref().map_or(0, |r| r.parts);
            let stage = match (&t.closed, t.current_stage()) {
                (Some(c), _) => tr!(l, format!("クローズ {}", format_time(tz, c.at)), format!("closed {}", format_time(tz, c.at))),
                (None, Some(s)) => tr!(l, format!("第{}段階 {}", s + 1, stage_name(l, s)), format!("stage {} {}", s + 1, stage_name(l, s))),
                (None, None) => tr!(l, "全段階完了", "all stages done").to_string(),
            };
            Rendered::text(tr!(
                l,
                format!("📄 *トラブル報告書 {}* — {}（{}）· {} · 記録{}件\n本文はこのスレッドにあります（{}件）。", t.id, away(&t.customer), sev, stage, t.timeline_len, parts),
                format!("📄 *Trouble report {}* — {} ({}) · {} · {} timeline entries\nThe full report is in this thread ({} part(s)).", t.id, away(&t.customer), sev, stage, t.timeline_len, parts)
            ))
        }
        Message::ReportPart { text, part, of } => {
            let head = if *of > 1 { format!("({part}/{of})\n") } else { String::new() };
            Rendered { text: format!("{head}{text}"), blocks: Some(vec![section(&format!("{head}{text}"))]) }
        }
        Message::ReportContinues { shown, of } => Rendered::text(tr!(
            l,
            format!("報告書は全{of}件のうち{shown}件をここに載せました。全文は `trouble-bot export {}` で出力できます（ボットを動かしているサーバーで）。", t.id),
            format!("This thread shows {shown} of the report's {of} parts. The whole report: `trouble-bot export {}` (on the server that runs the bot).", t.id)
        )),
        Message::Text { text } => Rendered { text: text.clone(), blocks: None },
        Message::DeliveryProblem { method, error } => Rendered::text(tr!(
            l,
            format!("⚠️ Slackへの送信に失敗しました（{}: {}）。権限や設定を確認してください。", escape(method), away(error)),
            format!("⚠️ A Slack call failed for good ({}: {}). Please check the app's permissions and settings.", escape(method), away(error))
        )),
    }
}

/// `<@U1>, <@U2>, +quality`: people and departments made participants.
pub fn participants_list(users: &[UserId], departments: &[String]) -> String {
    users
        .iter()
        .map(user)
        .chain(departments.iter().map(|d| format!("+{}", escape(d))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The timeline line of `/trouble add`.
pub fn participants_added(l: Locale, users: &[UserId], departments: &[String]) -> String {
    let who = participants_list(users, departments);
    tr!(l, format!("参加者を追加: {who}"), format!("participants added: {who}"))
}

fn nudge(l: Locale, config: &Config, t: &Trouble, n: &Nudge) -> Rendered {
    let tz = config.timezone;
    let waited = format_duration(l, n.waited_secs.max(0) as u64);
    let opening = match (n.promise, n.promise_missed) {
        (Some(p), false) => tr!(
            l,
            format!(
                "⏰ {} 顧客に {} に次の報告をすると約束しています（あと少しです）。",
                user(&n.owner),
                format_time(tz, p)
            ),
            format!(
                "⏰ {} you promised the customer an update at {} — it is coming up.",
                user(&n.owner),
                format_time(tz, p)
            )
        ),
        (Some(p), true) => tr!(
            l,
            format!(
                "⚠️ {} 約束した報告の時刻 {} を過ぎています。顧客は{}待っています。",
                user(&n.owner),
                format_time(tz, p),
                waited
            ),
            format!(
                "⚠️ {} the update you promised for {} is overdue. The customer has been waiting {}.",
                user(&n.owner),
                format_time(tz, p),
                waited
            )
        ),
        (None, _) if t.customer_updates.is_empty() => tr!(
            l,
            format!(
                "⏰ {} トラブル発生から{}、顧客にはまだ途中経過を伝えていません。原因が分からなくても、いまの状況を伝えましょう。",
                user(&n.owner),
                waited
            ),
            format!(
                "⏰ {} the customer has heard nothing from us in the {} since the trouble was opened. Give them an update, even if the cause is not known yet.",
                user(&n.owner),
                waited
            )
        ),
        (None, _) => tr!(
            l,
            format!(
                "⏰ {} 顧客は最後の報告から{}待っています。原因が分からなくても、途中経過を伝えましょう。",
                user(&n.owner),
                waited
            ),
            format!(
                "⏰ {} the customer has heard nothing for {}. Give them an update, even if the cause is not known yet.",
                user(&n.owner),
                waited
            )
        ),
    };
    let manager = n
        .manager
        .as_ref()
        .map(|m| {
            tr!(
                l,
                format!("\n{} 報告が大きく遅れています。フォローをお願いします。", user(m)),
                format!("\n{} the customer update is well overdue; please follow up.", user(m))
            )
        })
        .unwrap_or_default();
    let tips = tr!(
        l,
        "良い途中報告: いまの状況 · 次に何をするか · 次の連絡はいつか",
        "A good update says: where things stand · what happens next · when they will hear from us next"
    );
    let text = format!("{opening}{manager}");
    let blocks = vec![
        section(&text),
        context(tips),
        actions(
            "nudge",
            vec![button(
                Action::LogUpdate.id(),
                tr!(l, "報告を記録", "Log update"),
                &ButtonValue::trouble(t.id.as_str()).encode(),
                true,
            )],
        ),
    ];
    Rendered {
        text,
        blocks: Some(blocks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::command::OpenRequest;
    use crate::trouble::decide::{open, Ctx};
    use crate::trouble::model::{ChannelId, Origin, TroubleId};

    /// A trouble whose every typed field tries to ping, link and forge.
    fn hostile() -> (Config, Trouble) {
        let config = Config::from_sources(
            Some("[departments.quality]\nname = \"QA <!here>\"\nusergroup = \"S0QUALITY\"\nmembers = []\n[severity.1]\ndepartments = [\"quality\"]"),
            &Default::default(),
        )
        .expect("config");
        let hostile = "x <!channel> <!here|here> <!everyone> <!subteam^S123|@devs> <http://evil|click> <@U0QA1|sato>\n# forged\n\u{1b}[31m\u{202e}";
        let req = OpenRequest {
            severity: Some(1),
            manager: Some(UserId::new("U0MANAGER")),
            departments: vec![],
            customer: hostile.into(),
            summary: hostile.into(),
        };
        let ctx = Ctx {
            config: &config,
            now: chrono::DateTime::UNIX_EPOCH,
        };
        let origin = Origin {
            channel: ChannelId::new("C0ORIGIN"),
            response_url: None,
        };
        let d = open(
            &ctx,
            TroubleId::new("20261130-1"),
            1,
            UserId::new("U0SALES"),
            origin,
            req,
        );
        let mut t = d.trouble.expect("opened");
        t.channel = Some(ChannelId::new("C0TROUBLE"));
        (config, t)
    }

    #[test]
    fn typed_text_never_pings_from_elsewhere_and_never_broadcasts_or_links() {
        let (config, t) = hostile();
        let by = UserId::new("U0SALES");
        let own = [
            Message::Kickoff,
            Message::Status,
            Message::StageChanged {
                stage: 1,
                done: true,
                by: by.clone(),
                note: t.summary.clone(),
            },
            Message::Closed {
                by: by.clone(),
                forced_reason: Some(t.summary.clone()),
            },
        ];
        let elsewhere = [
            Message::ManagerDm,
            Message::OriginNotice,
            Message::Announcement,
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 60,
            },
            Message::SeverityRaised { from: 2, to: 1 },
            Message::DeliveryProblem {
                method: "chat.postMessage".into(),
                error: t.summary.clone(),
            },
        ];
        for l in [Locale::Ja, Locale::En] {
            for (m, from_elsewhere) in own
                .iter()
                .map(|m| (m, false))
                .chain(elsewhere.iter().map(|m| (m, true)))
            {
                let r = render(l, &config, &t, m);
                let all = format!("{} {}", r.text, serde_json::to_string(&r.blocks).expect("json"));
                // The configured user group is the bot's own mention; only it may be a `<!…>`.
                let typed = all.replace("<!subteam^S0QUALITY>", "");
                for live in ["<!", "<http", "\u{1b}", "\u{202e}"] {
                    assert!(!typed.contains(live), "{m:?} in {l:?} carries {live:?}: {all}");
                }
                assert_eq!(
                    all.contains("<@U0QA1>"),
                    !from_elsewhere && !matches!(m, Message::Status),
                    "{m:?}: {all}"
                );
                // Inline it is one line; after the bot's own words it is a quoted block.
                assert!(
                    !r.text.contains("\n# forged"),
                    "{m:?} lets a typed line start a line: {}",
                    r.text
                );
                if matches!(m, Message::StageChanged { .. } | Message::Closed { .. }) {
                    assert!(r.text.contains("\n> # forged"), "{m:?}: {}", r.text);
                }
            }
        }
    }
}
