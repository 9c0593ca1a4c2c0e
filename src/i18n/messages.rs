//! The bot's Slack messages in both locales, rendered from the trouble's current state.

use chrono::{DateTime, Utc};

use super::{
    format_day_time, format_duration, format_promise, severity_default_name, stage_icon_at, stage_name, stage_state_at,
    Locale,
};
use crate::config::Config;
use crate::slack::blocks::{
    actions, button, context, cut, divider, escape, fields, fit, header, longest_fitting, section, Block, Button,
    Rendered, MESSAGE_TEXT_BUDGET, SECTION_TEXT_LIMIT,
};
use crate::slack::contracts::{Action, ButtonValue};
use crate::slack::text::{one_line, quoted, Where};
use crate::trouble::approval::Item;
use crate::trouble::decide::{Dest, DmRefusal, Message, NewToChain, Nudge};
use crate::trouble::first_contact::{first_contact_judged_by, first_contact_made};
use crate::trouble::model::{ChannelLoss, Cost, Severity, StageId, StageState, Trouble, TroubleId, UserId};
use crate::trouble::money::{parse_amount, parse_payer, Payer};
use crate::trouble::record::{cost_totals, Record};

/// A severity as configured, for plain text (a modal's options, the terminal).
pub fn severity_name(l: Locale, config: &Config, level: Severity) -> String {
    let name = config
        .policy
        .severities
        .get(&level)
        .and_then(|s| s.name.clone())
        .unwrap_or_else(|| severity_default_name(l, level));
    format!("sev{level} {name}")
}

/// [`severity_name`] in a message: escaped, so a name such as `Critical (<1h)` reads as written
/// and never opens a token that swallows what follows it (the manager's mention).
pub fn severity_label(l: Locale, config: &Config, level: Severity) -> String {
    escape(&severity_name(l, config, level))
}

/// Slack's `text` is the notification and fallback; chat.update refuses more than 4,000.
pub(super) const FALLBACK_TEXT_LIMIT: usize = 3000;

/// User text inline in the trouble's own channel.
fn here(raw: &str) -> String {
    one_line(raw, Where::OwnChannel)
}

/// User text inline anywhere else (DMs, announce and origin channels, headers).
pub(super) fn away(raw: &str) -> String {
    one_line(raw, Where::Elsewhere)
}

/// Once the opening was corrected, for the kept messages edited to the corrected words: what
/// was first reported, so an edited kickoff or DM never reads as what was said from the start.
fn as_reported_line(l: Locale, t: &Trouble, place: Where) -> Option<String> {
    let r = t.as_reported.as_ref()?;
    let said = |raw: &str| cut(&one_line(raw, place), 120);
    let mut was = Vec::new();
    if r.customer != t.customer {
        was.push(tr!(
            l,
            format!("お客様「{}」", said(&r.customer)),
            format!("customer “{}”", said(&r.customer))
        ));
    }
    if r.summary != t.summary {
        was.push(tr!(
            l,
            format!("概要「{}」", said(&r.summary)),
            format!("summary “{}”", said(&r.summary))
        ));
    }
    (!was.is_empty()).then(|| {
        tr!(
            l,
            format!("✏️ 起票後に訂正されています。起票時は {}（訂正の経緯はチャンネルとタイムラインに）", was.join("、")),
            format!("✏️ Corrected since it was reported. As reported: {} (each correction is in the channel and on the timeline)", was.join("; "))
        )
    })
}

/// Why a trouble was reopened, as its DM and announcement say it: the reason given, or the
/// measure the effectiveness check found not to work.
fn reopened_because(l: Locale, reason: &str, not_effective: Option<usize>) -> String {
    match not_effective {
        Some(n) => {
            let measure = cut(&away(reason), 300);
            tr!(
                l,
                format!("理由: 再発防止策 #{n}「{measure}」の効果確認で「効果なし」と判断されました。"),
                format!("Reason: the effectiveness check found prevention action #{n} “{measure}” not effective.")
            )
        }
        None => tr!(
            l,
            format!("理由:\n{}", quoted(reason, Where::Elsewhere)),
            format!("Reason:\n{}", quoted(reason, Where::Elsewhere))
        ),
    }
}

/// A reason given with a change, after the bot's own words: `\nReason:\n> …` (nothing when none).
fn because(l: Locale, reason: &str, place: Where) -> String {
    match reason.trim().is_empty() {
        true => String::new(),
        false => tr!(
            l,
            format!("\n理由:\n{}", quoted(reason, place)),
            format!("\nReason:\n{}", quoted(reason, place))
        ),
    }
}

/// The owner's manager mentioned, and the manager named on the trouble beside them.
fn managers(manager: &UserId, named: Option<&UserId>) -> String {
    match named {
        Some(n) => format!("{} {}", user(manager), user(n)),
        None => user(manager),
    }
}

/// What is said of someone whose Slack account is deactivated: they left, not that Slack
/// could not find them.
fn left_workspace(l: Locale) -> &'static str {
    tr!(
        l,
        "Slack のアカウントが無効になっています（退職などでワークスペースを離れています）",
        "has been deactivated in Slack: they have left the workspace"
    )
}

pub(super) fn user(u: &UserId) -> String {
    format!("<@{u}>")
}

/// After "reopened, but": the trouble's channel (`channel`, as shown) still lost to the bot
/// (`how`), what someone must do, and what waits meanwhile. Told to the owner and the manager by
/// DM, and to whoever reopened it in the answer.
pub(super) fn still_lost(l: Locale, how: ChannelLoss, channel: &str) -> String {
    match how {
        ChannelLoss::Archived => tr!(
            l,
            format!("チャンネル {channel} はアーカイブされたままです。チャンネルを開いてアーカイブを解除してください（ボットには解除できません）。解除されるまで、ボットがそこに投稿することは保留し、催促は DM で届きます。"),
            format!("its channel {channel} is still archived. Please open it and unarchive it (the bot cannot): until then what the bot would post there waits, and the nudges come by DM.")
        ),
        ChannelLoss::BotRemoved => tr!(
            l,
            format!("ボットはチャンネル {channel} から削除されたままです。チャンネルでボットを `/invite` してください。戻されるまで、ボットがそこに投稿することは保留し、催促は DM で届きます。"),
            format!("the bot is still out of its channel {channel}. Please add it back (`/invite` it in the channel): until then what the bot would post there waits, and the nudges come by DM.")
        ),
    }
}

/// The trouble's channel where a sentence names it: its link, else its name and why there is
/// no link yet. Always shaped as a channel's name, so it reads wherever a sentence puts one
/// ("or in …", "Channel: …", "type it in …").
pub(super) fn channel_ref(l: Locale, t: &Trouble) -> String {
    match (&t.channel, &t.channel_name) {
        (Some(c), _) => format!("<#{c}>"),
        (None, name) if t.channel_refused => refused_channel_ref(l, name.as_deref()),
        // Deleted once closed, nothing replaces it (a reopening makes a new one); closed while
        // its replacement is on the way, it is being set up.
        (None, Some(name)) if t.channel_deleted && !t.is_open() && !t.channel_create_queued => {
            tr!(l, format!("#{name}（削除済み）"), format!("#{name} (deleted)"))
        }
        (None, Some(name)) => tr!(l, format!("#{name}（作成中）"), format!("#{name} (being set up)")),
        (None, None) => tr!(l, "（チャンネル作成中）", "(channel being set up)").to_string(),
    }
}

/// A command of `t`'s channel (`word`, then `rest`) as typed where it works, and that place: in
/// its channel, or, while it has none to type in (Slack refused it, being made), in a DM with
/// the bot, its id right after the command word (`Trouble::takes_commands_by_id`): nobody is
/// sent to a channel that does not exist.
pub(super) fn typed_where(l: Locale, t: &Trouble, word: &str, rest: &str) -> Typed {
    match t.takes_commands_by_id() {
        false => Typed {
            command: format!("`/trouble {word} {rest}`"),
            place: channel_ref(l, t),
            by_id: false,
        },
        true => Typed {
            command: format!("`/trouble {word} {} {rest}`", t.id),
            place: tr!(l, "ボットとの DM", "a DM with the bot").to_string(),
            by_id: true,
        },
    }
}

/// A command as [`typed_where`] gives it: the command, where to type it, and whether that is
/// a DM by the trouble's id (it has no channel to type in).
pub(super) struct Typed {
    command: String,
    place: String,
    by_id: bool,
}

/// A channel Slack refused to create, as [`channel_ref`] names it: by its name when known.
/// Not "being set up": nothing is, until someone asks again.
pub(super) fn refused_channel_ref(l: Locale, name: Option<&str>) -> String {
    match name {
        Some(name) => tr!(
            l,
            format!("#{name}（Slack が作成を拒否）"),
            format!("#{name} (Slack refused to create it)")
        ),
        None => channel_refused(l).to_string(),
    }
}

/// Where a trouble's channel would be named, without its name, while Slack's refusal to create
/// it is recorded: words that stand where a name would.
fn channel_refused(l: Locale) -> &'static str {
    tr!(
        l,
        "トラブルのチャンネル（Slack が作成を拒否）",
        "the trouble's channel (Slack refused to create it)"
    )
}

/// Whether the trouble is private: what it says of itself, else the configuration.
pub(super) fn kept_in_channel(config: &Config, t: &Trouble) -> bool {
    crate::trouble::decide::Viewers::of(t).private(&config.policy)
}

/// The trouble's channel for people who may not read a private trouble: a link while it
/// exists (Slack shows them no more than that it is private), never its name being set up,
/// whose slug spells the customer.
pub(super) fn channel_outside(l: Locale, t: &Trouble) -> String {
    match &t.channel {
        Some(c) => format!("<#{c}>"),
        None if t.channel_refused => channel_refused(l).to_string(),
        None => tr!(l, "（チャンネル作成中）", "(channel being set up)").to_string(),
    }
}

/// The customer as a channel outside the trouble reads it: `private` for a private trouble.
pub(super) fn customer_outside(l: Locale, config: &Config, t: &Trouble) -> String {
    match kept_in_channel(config, t) {
        true => tr!(l, "🔒 非公開", "🔒 private").to_string(),
        false => customer_short(t),
    }
}

/// The Acknowledge button naming its trouble, where several stand side by side: the `n`th in
/// its row.
pub(super) fn ack_button_for(l: Locale, id: &TroubleId, n: usize) -> crate::slack::blocks::Button {
    button(
        &Action::Acknowledge.id_in_row(n),
        &tr!(l, format!("{id} を確認"), format!("Acknowledge {id}")),
        &ButtonValue::trouble(id.as_str()).encode(),
        false,
    )
}

/// The Acknowledge button, wherever the manager chain is asked (kickoff, DMs, App Home). A
/// screen reader names its trouble: in App Home and a list, one stands beside each.
pub(super) fn ack_button(l: Locale, id: &TroubleId) -> crate::slack::blocks::Button {
    button(
        Action::Acknowledge.id(),
        tr!(l, "確認しました", "Acknowledge"),
        &ButtonValue::trouble(id.as_str()).encode(),
        true,
    )
    .labelled(&tr!(
        l,
        format!("トラブル {id} を確認"),
        format!("Acknowledge trouble {id}")
    ))
}

/// The trouble's departments, each by its user group (which pings them) and name:
/// `@quality (Quality Assurance), @field (Field Service)`, `@品証（品質保証部）、@現場（…）`.
fn department_mentions(l: Locale, config: &Config, t: &Trouble) -> String {
    departments_pinged(l, config, &department_keys(config, t))
}

/// The trouble's departments: those named at open, then those its severity always includes.
fn department_keys(config: &Config, t: &Trouble) -> Vec<String> {
    let mut keys = t.departments.clone();
    for d in &config.policy.severity(t.severity).departments {
        if !keys.contains(d) {
            keys.push(d.clone());
        }
    }
    keys
}

/// The trouble's departments' user groups alone, `<!subteam^S1> <!subteam^S2>`: the kickoff's
/// notification pings them as its blocks do, without their names taking a lock screen's room.
fn department_groups(config: &Config, t: &Trouble) -> String {
    department_keys(config, t)
        .iter()
        .filter_map(|k| config.policy.departments.get(k)?.usergroup.as_ref())
        .map(|g| format!("<!subteam^{g}>"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a notification (a phone's lock screen, a banner: Slack shows a message's `text` there,
/// cut after about 100–150 characters) says of the trouble after the ask: the severity, the id,
/// the customer and the start of the summary (the message itself has them whole).
/// `sev1 critical · Trouble 20261130-1: ACME — defective housings`.
pub(super) fn notified_as(l: Locale, t: &Trouble, sev: &str, place: Where) -> String {
    let customer = cut(&one_line(&t.customer, place), NOTIFIED_CUSTOMER);
    let summary = cut(&one_line(&t.summary, place), NOTIFIED_SUMMARY);
    tr!(
        l,
        format!("{sev} · トラブル {}: {customer} — {summary}", t.id),
        format!("{sev} · Trouble {}: {customer} — {summary}", t.id)
    )
}

/// How much of the customer's name and of the summary a notification's text carries.
const NOTIFIED_CUSTOMER: usize = 60;
const NOTIFIED_SUMMARY: usize = 120;

/// The customer and the summary cut as a notification carries them, for a DM that names the
/// trouble beside what it asks: however long they are, what follows them is read (and a
/// section block, cut at Slack's limit, keeps it).
fn named_short(t: &Trouble) -> (String, String) {
    (customer_short(t), cut(&away(&t.summary), NOTIFIED_SUMMARY))
}

/// The customer as a sentence outside the trouble's own view names them (a DM, a line, an
/// answer): cut as a notification carries it, so a name typed 3,000 characters long never
/// pushes what the sentence says after it (the ask, the channel's link) past a section's limit.
pub(super) fn customer_short(t: &Trouble) -> String {
    cut(&away(&t.customer), NOTIFIED_CUSTOMER)
}

/// The trouble as a sentence about it names it: its id, then its customer and summary cut short
/// ([`named_short`]), `20261130-1 (ACME — housings cracked)`, `20261130-1（ACME — 蓋の割れ）`.
/// However long they were typed, what the sentence says after them (what the reader must do,
/// the channel's link, who did it) stays within a section's text and is read.
fn id_named(l: Locale, t: &Trouble) -> String {
    let (id, (customer, summary)) = (&t.id, named_short(t));
    tr!(
        l,
        format!("{id}（{customer} — {summary}）"),
        format!("{id} ({customer} — {summary})")
    )
}

/// `say` given as much of the trouble's summary as leaves the whole within a section's text,
/// for a message whose point is the summary (an announcement): it shows all of the summary
/// that fits, and a cut never takes what `say` puts after it (the link, a closing).
fn with_summary_fitted(t: &Trouble, say: impl Fn(&str) -> String) -> String {
    // The Japanese さん follows each of the bot's own mentions once the message is said.
    const ROOM_FOR_SAN: usize = 40;
    let room = SECTION_TEXT_LIMIT.saturating_sub(say("").chars().count() + ROOM_FOR_SAN);
    say(&cut(&away(&t.summary), room))
}

/// The departments of `keys`, each by its user group (which pings it) and name.
fn departments_pinged(l: Locale, config: &Config, keys: &[String]) -> String {
    let each = keys
        .iter()
        .filter_map(|k| config.policy.departments.get(k))
        .map(|d| department_named(l, d, true));
    super::listed(l, each)
}

/// A department as people read it: by its name, after its user group when `pinged` (which pings
/// them): `品質保証部`, `<!subteam^S1>（品質保証部）`, `<!subteam^S1> (Quality Assurance)`.
fn department_named(l: Locale, d: &crate::trouble::policy::Department, pinged: bool) -> String {
    match (&d.usergroup, pinged) {
        (Some(g), true) => tr!(
            l,
            format!("<!subteam^{g}>（{}）", escape(&d.name)),
            format!("<!subteam^{g}> ({})", escape(&d.name))
        ),
        _ => escape(&d.name),
    }
}

fn stages_text(l: Locale, config: &Config, t: &Trouble) -> String {
    let closed = t.closed.is_some();
    StageId::all()
        .map(|i| {
            let s = t.stage(i);
            let when = match s.state {
                StageState::Done => s
                    .done_at
                    .map(|at| format!(" · {}", format_day_time(l, config.policy.timezone, at)))
                    .unwrap_or_default(),
                StageState::InProgress => s
                    .started_at
                    .map(|at| {
                        format!(
                            " · {} {}",
                            tr!(l, "開始", if closed { "started" } else { "since" }),
                            format_day_time(l, config.policy.timezone, at)
                        )
                    })
                    .unwrap_or_default(),
                StageState::NotStarted => String::new(),
            };
            format!(
                "{} {}. {} — {}{}",
                stage_icon_at(s.state, closed),
                i.number(),
                stage_name(l, i),
                stage_state_at(l, s.state, closed),
                when
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn ack_text(l: Locale, tz: chrono_tz::Tz, t: &Trouble) -> String {
    match &t.ack {
        Some(a) if a.wait_untold => tr!(
            l,
            format!("✅ {}が確認", user(&a.by)),
            format!("✅ acknowledged by {}", user(&a.by))
        ),
        Some(a) => tr!(
            l,
            format!(
                "✅ {}が確認（起票から{}）",
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
        None if t.escalation.gave_up => tr!(
            l,
            "🛑 誰も確認していません（上位者まで呼び出し済み）",
            "🛑 nobody has acknowledged (the whole chain was asked)"
        )
        .to_string(),
        // Gone up the chain: whoever reads the status sees who is asked now, not only the manager.
        None => {
            let waiting = match t.escalation.asked_now().as_slice() {
                [] => tr!(l, "⏳ 確認待ち", "⏳ waiting for acknowledgement").to_string(),
                asked => tr!(
                    l,
                    format!("⏳ 確認待ち · 現在 {} に依頼中", super::people(l, asked)),
                    format!(
                        "⏳ waiting for acknowledgement · now asked: {}",
                        super::people(l, asked)
                    )
                ),
            };
            // Why the one asked before is not answering, when Slack said: they are away; and
            // the top of the chain, asked now with nobody above to bring in, likewise.
            let escalation = &t.escalation;
            let below = &escalation.chain[..(escalation.level + 1).min(escalation.chain.len())];
            escalation
                .away
                .iter()
                .filter(|n| below.contains(&n.who) && !escalation.unreachable.contains(&n.who))
                .fold(waiting, |said, n| {
                    let away = super::away_text(l, tz, &n.away);
                    tr!(
                        l,
                        format!("{said} · {}は{away}", user(&n.who)),
                        format!("{said} · {} is {away}", user(&n.who))
                    )
                })
        }
    }
}

/// What a DM that asked someone to acknowledge (the manager's, an escalation's) says once
/// nobody needs to: who acknowledged and after how long, as the status says it, and that it was
/// closed, when it was (first, or since). None while it still asks.
pub(super) fn answered(l: Locale, config: &Config, t: &Trouble) -> Option<String> {
    match (&t.ack, &t.closed) {
        (Some(_), None) => Some(ack_text(l, config.policy.timezone, t)),
        (Some(_), Some(c)) => Some(format!(
            "{} · {}",
            ack_text(l, config.policy.timezone, t),
            closed_by(l, config, c)
        )),
        (None, Some(c)) => Some(tr!(
            l,
            format!("{} · 確認なし", closed_by(l, config, c)),
            format!("{} · never acknowledged", closed_by(l, config, c))
        )),
        (None, None) => None,
    }
}

/// Who owns the trouble now, once it was handed over, and who reported it: a manager's DM names
/// whom to call, not only the reporter.
pub(super) fn handed_over(l: Locale, t: &Trouble) -> Option<String> {
    (t.owner != *t.opened_by()).then(|| {
        tr!(
            l,
            format!("現在の担当: {}（報告者: {}）", user(&t.owner), user(t.opened_by())),
            format!("Owner now: {} (reported by {})", user(&t.owner), user(t.opened_by()))
        )
    })
}

/// How `t` stands, as every DM about it says under its facts (the manager's, one naming a
/// manager, an escalation's once answered, and a trouble's line in a DM several share): `state`
/// (who acknowledged, who is asked now, why this DM no longer asks), who owns it once handed
/// over, and its reopening, one a line. A manager on a phone reads whom to call, and that it is
/// open again, whichever DM reached them.
pub(super) fn standing(l: Locale, config: &Config, t: &Trouble, state: Option<String>) -> Option<String> {
    let lines: Vec<String> = [
        state,
        handed_over(l, t),
        reopened_note(l, config, t, Some(Where::Elsewhere)),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// An asking DM superseded by a newer one to the same person.
pub(super) fn asked_again_below(l: Locale) -> String {
    tr!(
        l,
        "↪ 下の新しいメッセージで改めて確認をお願いしています",
        "↪ asked again in a newer message below"
    )
    .to_string()
}

/// A manager's DM several troubles share, on one whose chain its reader has left (handed over,
/// or another named manager): nothing is asked of them, and who is asked now while nobody
/// acknowledged (whom it was handed to, [`handed_over`] says beside it).
pub(super) fn no_longer_asks_reader(l: Locale, t: &Trouble) -> String {
    let asked = match t.escalation.asked_now() {
        _ if t.ack.is_some() => Vec::new(),
        now if now.is_empty() => t.manager.iter().cloned().collect(),
        now => now,
    };
    let mut said = tr!(
        l,
        "↪️ あなたへの確認の依頼は取り下げました",
        "↪️ nothing is asked of you any longer"
    )
    .to_string();
    if !asked.is_empty() {
        let asked = super::people(l, &asked);
        said += &tr!(l, format!(" · 現在 {asked} に依頼中"), format!(" · now asked: {asked}"));
    }
    said
}

/// The trouble an escalation DM asks about: `⏫ Trouble ID (customer — summary, sev…)`, its
/// customer and summary cut short ([`named_short`]), so what follows (why they are asked, where
/// to answer, who opened it) stays in the section however long the summary.
fn asked_about(l: Locale, t: &Trouble, sev: &str) -> String {
    let (id, (customer, summary)) = (&t.id, named_short(t));
    tr!(
        l,
        format!("⏫ トラブル {id}（{customer} — {summary}、{sev}）"),
        format!("⏫ Trouble {id} ({customer} — {summary}, {sev})")
    )
}

/// Under an escalation's ask: who opened the trouble (and owns it now, when someone else),
/// and who was asked before and how long ago: `opened by @rep · asked: @manager 1h ago`.
pub(super) fn who_was_asked(l: Locale, t: &Trouble, asked_before: &[crate::trouble::decide::AskedBefore]) -> String {
    let opener = user(t.opened_by());
    let mut line = match t.owner != *t.opened_by() {
        true => tr!(
            l,
            format!("起票: {opener}（担当: {}）", user(&t.owner)),
            format!("opened by {opener} (owner now: {})", user(&t.owner))
        ),
        false => tr!(l, format!("起票: {opener}"), format!("opened by {opener}")),
    };
    let asked: Vec<String> = asked_before
        .iter()
        .map(|a| match a.secs_ago {
            Some(..60) => tr!(
                l,
                format!("{}（たった今）", user(&a.who)),
                format!("{} just now", user(&a.who))
            ),
            Some(secs) => {
                let ago = format_duration(l, secs as u64);
                tr!(
                    l,
                    format!("{}（{ago}前）", user(&a.who)),
                    format!("{} {ago} ago", user(&a.who))
                )
            }
            None => user(&a.who),
        })
        .collect();
    if !asked.is_empty() {
        line += &tr!(
            l,
            format!(" · 依頼済み: {}", asked.join("、")),
            format!(" · asked: {}", asked.join(", "))
        );
    }
    line
}

/// The status's last update before any: where the wait it counts starts, as the nudge says it
/// (a trouble reopened past its first-call deadline owes its customer word a cadence after the
/// reopening, not the opening: `model::first_call_from`).
fn not_yet_counting_from(l: Locale, policy: &crate::trouble::policy::Policy, t: &Trouble) -> &'static str {
    match t.first_call_from(policy) {
        None => tr!(
            l,
            "まだありません（再開時刻から計測）",
            "not yet (counting from the reopening)"
        ),
        Some(_) => tr!(
            l,
            "まだありません（起票時刻から計測）",
            "not yet (counting from opening)"
        ),
    }
}

/// What the status's due field names: the first call until one is made (its deadline comes
/// before a cadence from the opening), the promise made, or the next update.
fn due_label(l: Locale, t: &Trouble, promised: bool) -> &'static str {
    match (t.contacted(), promised) {
        (false, _) => tr!(l, "初回連絡の期限", "First call due"),
        (true, true) => tr!(l, "次回報告（約束）", "Next update (promised)"),
        (true, false) => tr!(l, "次回報告の期限", "Next update due"),
    }
}

/// The status's due field: when the customer is owed word, overdue once it had passed when the
/// status was last drawn (`Trouble::status_as_of`), as `list` and App Home say it.
fn due_field(l: Locale, tz: chrono_tz::Tz, t: &Trouble, due: DateTime<Utc>) -> String {
    let at = format_promise(l, tz, due, t.promise_zone(due));
    match t.status_as_of.is_some_and(|now| due <= now) {
        true => super::overdue_since(l, &at),
        false => at,
    }
}

/// The status's line once every stage is done: that it may be closed, or what the close still
/// waits for (an interim action, a prevention measure, a decision, the chain's acknowledgement),
/// so the pinned status never offers a close that would be refused.
fn all_stages_done(l: Locale, config: &Config, t: &Trouble) -> String {
    use crate::trouble::actions::CloseWait;
    let waits: Vec<String> = crate::trouble::actions::close_waits_for(&config.policy, t)
        .into_iter()
        .map(|wait| match wait {
            CloseWait::InterimAction(n) => tr!(
                l,
                format!("暫定対策 #{n} の完了（`/trouble action done {n}`）"),
                format!("interim action #{n} done (`/trouble action done {n}`)")
            ),
            // As the close's refusal words it, so both say why #1 no longer counts.
            CloseWait::PreventionMeasure { not_effective } => super::measure_missing(l, &not_effective),
            CloseWait::Decision(n) => tr!(l, format!("提案 #{n} の決定"), format!("a decision on proposal #{n}")),
            CloseWait::Acknowledgement => tr!(l, "上司の確認", "the manager's acknowledgement").to_string(),
        })
        .collect();
    if waits.is_empty() {
        let ready = tr!(
            l,
            "全段階完了 — `/trouble close` でクローズできます",
            "All stages done — `/trouble close` to close"
        );
        // Not a wait: a close by the chain may not need it. But after the close no update
        // can be logged, so the customer's hearing of the measures and the close comes first.
        // An instruction about the customer, so never in the status drawn for their eyes.
        let untold = match !t.deadlines_untold && crate::trouble::actions::measures_untold(t) {
            false => "",
            true => tr!(
                l,
                "。お客様には再発防止策をまだ伝えていません。クローズの前に、再発防止策とクローズをお客様に伝えて `/trouble update 内容` で記録してください",
                ". The customer has not been told the prevention measures yet: before the close, tell them the measures and that it is closing, and log it with `/trouble update TEXT`"
            ),
        };
        return format!("{ready}{untold}");
    }
    tr!(
        l,
        format!("全段階完了 — クローズの前に必要なもの: {}", super::listed(l, &waits)),
        format!("All stages done — before the close: {}", super::listed(l, &waits))
    )
}

/// How long ago a trouble was opened, for someone just asked without having been waited for:
/// under a minute reads "just now", not "0s".
pub(super) fn opened_ago(l: Locale, secs: i64) -> String {
    match secs {
        ..60 => tr!(l, "起票されたばかり", "opened just now").to_string(),
        _ => {
            let ago = format_duration(l, secs as u64);
            tr!(l, format!("起票から{ago}"), format!("opened {ago} ago"))
        }
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

/// `message` rendered for where it goes: one written for the trouble's own channel (a nudge,
/// the first-call checklist) that goes by DM instead, while the bot has lost the channel, first
/// says which trouble it is about.
pub fn render_to(l: Locale, config: &Config, t: &Trouble, message: &Message, to: &Dest) -> Rendered {
    // An announce channel told of a private trouble's raise hears of it as of its opening:
    // which trouble and how severe now, never its customer or the reason typed with it.
    if let (Dest::Channel(_), Message::SeverityRaised { from, to, by, .. }, true) =
        (to, message, kept_in_channel(config, t))
    {
        let (id, channel) = (&t.id, channel_outside(l, t));
        let (from, to) = (severity_label(l, config, *from), severity_label(l, config, *to));
        let text = match by {
            Some(by) => tr!(
                l,
                format!(
                    "⬆️ 非公開のトラブル {id} の重大度を {}が {from} から {to} に引き上げました。{channel}",
                    user(by)
                ),
                format!(
                    "⬆️ Private trouble {id} was raised from {from} to {to} by {}. {channel}",
                    user(by)
                )
            ),
            None => tr!(
                l,
                format!("⬆️ 非公開のトラブル {id} の重大度を {from} から {to} に引き上げました。{channel}"),
                format!("⬆️ Private trouble {id} was raised from {from} to {to}. {channel}")
            ),
        };
        return polished(l, Rendered::text(text));
    }
    // The owner or manager added back to a channel shared with the customer hears why by DM,
    // never in front of the customer.
    if let (
        Dest::Dm(_),
        Message::AddedBack {
            owner, asked: false, ..
        },
    ) = (to, message)
    {
        let (id, channel) = (&t.id, channel_ref(l, t));
        let text = match owner {
            true => tr!(
                l,
                format!("↩️ トラブル {id} のチャンネル {channel}（お客様と共有）を退出されましたが、担当者なので再追加しました（チャンネルには何も投稿していません）。担当を外れるには、上司が `/trouble owner @担当者` で引き継いでください。"),
                format!("↩️ You left {channel}, the channel of trouble {id}, shared with the customer; as its owner you were added back (nothing was said there). To step off it, the manager hands it over with `/trouble owner @someone`.")
            ),
            false => tr!(
                l,
                format!("↩️ トラブル {id} のチャンネル {channel}（お客様と共有）を退出されましたが、上司なので再追加しました（チャンネルには何も投稿していません）。上司を替えるには `/trouble manager @上司` を入力してください。"),
                format!("↩️ You left {channel}, the channel of trouble {id}, shared with the customer; as its manager you were added back (nothing was said there). To name another manager: `/trouble manager @someone`.")
            ),
        };
        return polished(l, Rendered::text(text));
    }
    let mut rendered = render(l, config, t, message);
    // A note or a scope line kept from a channel shared with the customer reaches the team by
    // DM: which trouble it is about comes with it.
    let asked_in_dm = matches!(
        message,
        Message::Nudge(_)
            | Message::Recorded {
                what: crate::trouble::record::Record::Note { .. },
                ..
            }
            | Message::FirstContact { .. }
            | Message::FarPromise { .. }
            | Message::Step(
                crate::trouble::facts::StepLine::EffectCheck { .. }
                    | crate::trouble::facts::StepLine::ReturnReminder { .. }
            )
    ) || crate::trouble::facts::names_the_scope(message);
    if matches!(to, Dest::Dm(_)) && asked_in_dm {
        let (named, channel) = (id_named(l, t), channel_ref(l, t));
        let about = tr!(
            l,
            format!("📌 トラブル {named}· {channel}"),
            format!("📌 Trouble {named} · {channel}")
        );
        // The notification says the ask first (it names the customer itself); which trouble
        // follows, its summary cut short, so a long one never pushes the ask off the lock screen.
        rendered.text = cut(&format!("{}\n{about}", rendered.text), FALLBACK_TEXT_LIMIT);
        if let Some(blocks) = rendered.blocks.as_mut() {
            blocks.insert(0, context(&about));
        }
    }
    rendered
}

pub fn render(l: Locale, config: &Config, t: &Trouble, message: &Message) -> Rendered {
    let mut rendered = render_whole(l, config, t, message);
    let mut shortened = false;
    if rendered.blocks.as_deref().is_some_and(too_big) {
        // What people typed is shortened, never the message's shape: its headings, stages and
        // totals stay. Each typed text gets the longest common length that fits.
        let capped = |cap: usize| render_whole(l, config, &with_texts_capped(t, cap), message);
        let fits = |cap: usize| !capped(cap).blocks.as_deref().is_some_and(too_big);
        if let Some(cap) = longest_fitting(MIN_TYPED_CAP, crate::trouble::command::TEXT_LIMIT, fits) {
            (rendered, shortened) = (capped(cap), true);
        } else if matches!(message, Message::EightD) {
            // Too many items for one message even so: the 8D's lists give way, each saying how
            // many it leaves out, rather than the text being cut wherever a block ends (and its
            // headings with it). Each list keeps the most items that let the message fit.
            let short = with_texts_capped(t, MIN_TYPED_CAP);
            let listed = |keep: usize| polished(l, super::eightd::rendered(l, config, &short, Some(keep)));
            let fits = |keep: usize| !listed(keep).blocks.as_deref().is_some_and(too_big);
            let keep = longest_fitting(0, super::eightd::longest_list(t), fits).unwrap_or(0);
            // Its own last line says what the lists left out; the usual note, what was shortened.
            (rendered, shortened) = (listed(keep), short != *t);
        }
    }
    if let Some(blocks) = rendered.blocks.as_mut() {
        fit_message(l, blocks, shortened);
    }
    rendered
}

/// [`render_full`] with the fallback text cut to its limit and the Japanese wording applied.
fn render_whole(l: Locale, config: &Config, t: &Trouble, message: &Message) -> Rendered {
    polished(l, render_full(l, config, t, message))
}

/// A rendered message with its fallback text cut to its limit and the Japanese wording applied.
fn polished(l: Locale, mut rendered: Rendered) -> Rendered {
    rendered.text = cut(&super::san(l, &rendered.text), FALLBACK_TEXT_LIMIT);
    if let Some(blocks) = rendered.blocks.as_mut() {
        super::san_blocks(l, blocks);
    }
    rendered
}

/// The shortest a typed text is cut to when a message must shrink to fit.
const MIN_TYPED_CAP: usize = 80;

fn too_big(blocks: &[Block]) -> bool {
    blocks.len() > MAX_BLOCKS - 1 || blocks.iter().map(Block::text_chars).sum::<usize>() > MESSAGE_TEXT_BUDGET
}

/// `t` with every text someone typed cut to `cap` characters (as [`cut`] does: never inside an
/// entity or a mention), for a message that would not fit whole.
fn with_texts_capped(t: &Trouble, cap: usize) -> Trouble {
    let mut t = t.clone();
    let c = |s: &mut String| *s = cut(s, cap);
    let facts = &mut t.substance.facts;
    for text in [&mut t.summary, &mut t.customer].into_iter().chain(
        [
            &mut facts.part,
            &mut facts.qty,
            &mut facts.occurred,
            &mut facts.found,
            &mut facts.symptom,
        ]
        .into_iter()
        .flatten(),
    ) {
        c(text);
    }
    let s = &mut t.substance;
    s.scope.iter_mut().for_each(|l| {
        c(&mut l.text);
        l.checked.iter_mut().for_each(|m| c(&mut m.note));
    });
    if let Some(cause) = s.cause.as_mut() {
        c(&mut cause.text);
        cause.escape.iter_mut().for_each(c);
    }
    s.actions.iter_mut().for_each(|a| {
        c(&mut a.text);
        a.done
            .iter_mut()
            .chain(a.verified.iter_mut())
            .for_each(|m| c(&mut m.note));
    });
    if let Some(r) = s.returned.as_mut() {
        r.qty.iter_mut().chain(r.tracking.iter_mut()).for_each(c);
    }
    t.stages.iter_mut().flat_map(|s| s.notes.iter_mut()).for_each(c);
    t.customer_updates.iter_mut().for_each(|u| {
        c(&mut u.text);
        u.withdrawn.iter_mut().for_each(|w| c(&mut w.reason));
    });
    t.costs.iter_mut().for_each(|k| c(&mut k.note));
    t.measures.iter_mut().for_each(|m| c(&mut m.text));
    t.split.iter_mut().for_each(|s| c(&mut s.reason));
    if let Some(closed) = t.closed.as_mut() {
        c(&mut closed.note);
        closed.forced_reason.iter_mut().for_each(c);
    }
    t
}

/// Slack takes at most 50 blocks in a message.
const MAX_BLOCKS: usize = 50;

/// Keeps a message within what Slack takes as one (50 blocks, about 12,000 characters of
/// text in all: beyond, it refuses the whole message, and a status would stay stale or an 8D
/// be lost). The longest texts are shortened to fit, the button kept, and a note says so.
fn fit_message(l: Locale, blocks: &mut Vec<Block>, shortened: bool) {
    let note = context(tr!(
        l,
        "✂️ Slackの1件のメッセージに収まるよう、長い記述を短くしています。全文は `/trouble report` で確認できます。",
        "✂️ Long texts are shortened here to fit one Slack message: `/trouble report` has everything, whole."
    ));
    let buttons = matches!(blocks.last(), Some(Block::Actions { .. }))
        .then(|| blocks.pop())
        .flatten();
    let room = MAX_BLOCKS - 1 - usize::from(buttons.is_some());
    let mut shortened = shortened || blocks.len() > room;
    blocks.truncate(room);
    let mut budget = MESSAGE_TEXT_BUDGET;
    if let Some(Block::Actions { elements, .. }) = &buttons {
        budget -= elements.iter().map(|b| b.text.chars().count()).sum::<usize>();
    }
    shortened |= fit(blocks, budget);
    if shortened {
        blocks.push(note);
    }
    blocks.extend(buttons);
}

fn render_full(l: Locale, config: &Config, t: &Trouble, message: &Message) -> Rendered {
    let tz = config.policy.timezone;
    let sev = severity_label(l, config, t.severity);
    match message {
        Message::Kickoff => {
            let manager_line = match &t.manager {
                Some(m) if t.ack.is_none() => {
                    let ask = tr!(
                        l,
                        format!("{} 確認をお願いします。このスレッドに返信するか、下のボタンを押してください。", user(m)),
                        format!("{} please acknowledge: reply in this thread or press the button below.", user(m))
                    );
                    // Gone up the chain, given up, or asked someone outside it: the kickoff
                    // says so, as the status does.
                    let escalation = &t.escalation;
                    if escalation.level > 0 || escalation.gave_up || escalation.owners_manager_now.is_some() {
                        format!("{ask}\n{}", ack_text(l, tz, t))
                    } else {
                        ask
                    }
                }
                // The manager who acknowledged is named once, in the acknowledgement.
                Some(m) if t.ack.as_ref().is_some_and(|a| a.by == *m) => ack_text(l, tz, t),
                Some(m) => format!("{} · {}", user(m), ack_text(l, tz, t)),
                None => ack_text(l, tz, t),
            };
            let depts = department_mentions(l, config, t);
            let manager_line = match (&t.closed, reopened_note(l, config, t, Some(Where::OwnChannel))) {
                (Some(c), _) => closed_line(l, config, t, c),
                (None, Some(reopened)) => format!("{manager_line}\n{reopened}"),
                (None, None) => manager_line,
            };
            let mut blocks = vec![
                header(&title(l, t)),
                section(&quoted(&t.summary, Where::OwnChannel)),
            ];
            blocks.extend(as_reported_line(l, t, Where::OwnChannel).map(|line| context(&line)));
            let mut shown = vec![
                (tr!(l, "お客様", "Customer").into(), here(&t.customer)),
                (tr!(l, "重大度", "Severity").into(), sev.clone()),
                (tr!(l, "担当営業", "Owner").into(), user(&t.owner)),
                (tr!(l, "上司", "Manager").into(), t.manager.as_ref().map(user).unwrap_or_else(|| "—".into())),
            ];
            // Our deadline, not the customer's to watch pass where they read (Slack Connect).
            if !t.deadlines_untold {
                shown.push((tr!(l, "お客様への初回連絡", "First customer contact").into(), first_contact_field(l, config, t)));
            }
            blocks.extend([fields(&shown), section(&manager_line)]);
            if !depts.is_empty() {
                blocks.push(section(&tr!(l, format!("関係部門: {depts}"), format!("Related departments: {depts}"))));
            }
            // The stages by name only: their states live in the status message, which is kept current.
            let stages = StageId::all().map(|i| format!("{}. {}", i.number(), stage_name(l, i))).collect::<Vec<_>>().join("\n");
            blocks.push(context(&stages));
            if t.ack.is_none() && t.manager.is_some() && t.is_open() {
                blocks.push(actions("kickoff", vec![ack_button(l, &t.id)]));
            }
            // What the manager's phone shows (and the departments'): the ask and whom it asks
            // first, then which trouble, its summary cut short, and the groups it pings, so no
            // summary however long pushes the ask off the lock screen or out of the text.
            let ask = match &t.manager {
                Some(m) if t.ack.is_none() && t.is_open() => tr!(l, format!("🚨 {} 確認をお願いします · ", user(m)), format!("🚨 {} please acknowledge · ", user(m))),
                _ if t.is_open() => "🚨 ".to_string(),
                _ => "🏁 ".to_string(),
            };
            let groups = department_groups(config, t);
            let groups = match groups.is_empty() {
                true => groups,
                false => format!(" · {groups}"),
            };
            // Once answered, the text says so in words as the blocks do: a screen reader reads
            // the text, never the blocks, and 🏁 alone is read as "chequered flag".
            let text = format!("{ask}{}{groups}", notified_as(l, t, &sev, Where::OwnChannel));
            let text = [Some(text), answered(l, config, t), reopened_note(l, config, t, Some(Where::OwnChannel))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            Rendered { text, blocks: Some(blocks) }
        }
        Message::Status => {
            let last = t.last_customer_contact();
            let due = config.policy.customer_owed_by(t);
            let promised = t.standing_promise().is_some();
            let state = if let Some(c) = &t.closed {
                tr!(l, format!("🏁 クローズ {}", format_day_time(l, tz, c.at)), format!("🏁 closed {}", format_day_time(l, tz, c.at)))
            } else {
                match t.current_stage() {
                    Some(s) => tr!(l, format!("現在: 第{}段階 {}", s.number(), stage_name(l, s)), format!("Now: stage {} {}", s.number(), stage_name(l, s))),
                    None => all_stages_done(l, config, t),
                }
            };
            // The due field last: left out where the customer reads (Slack Connect), as our deadline.
            let mut blocks = vec![
                header(&tr!(l, format!("📋 状況 {} — {}", t.id, away(&t.customer)), format!("📋 Status {} — {}", t.id, away(&t.customer)))),
                section(&state),
                fields(&[
                    (tr!(l, "重大度", "Severity").into(), sev.clone()),
                    (tr!(l, "担当営業", "Owner").into(), user(&t.owner)),
                    (tr!(l, "上司", "Manager").into(), t.manager.as_ref().map(user).unwrap_or_else(|| "—".into())),
                    (tr!(l, "上司確認", "Acknowledged").into(), ack_text(l, tz, t)),
                    (tr!(l, "直近のお客様報告", "Customer last updated").into(), if !t.contacted() { not_yet_counting_from(l, &config.policy, t).into() } else { format_day_time(l, tz, last) }),
                    (due_label(l, t, promised).into(), if t.is_open() { due_field(l, tz, t, due) } else { "—".into() }),
                ][..if t.deadlines_untold { 5 } else { 6 }]),
                divider(),
                section(&stages_text(l, config, t)),
            ];
            // Seen in `/trouble status` while the bot cannot post in the channel (the pinned
            // status is refreshed once it can, without this line), or Slack refused to make it.
            let why = match t.channel_lost {
                Some(how) => Some(Some(how)),
                None if t.channel.is_none() && t.channel_refused => Some(None),
                None => None,
            };
            if let (Some(how), true) = (why, t.is_open()) {
                let lost = match how {
                    None => tr!(
                        l,
                        "⚠️ Slack がこのトラブルのチャンネルを作成できませんでした。もう一度依頼されるまで（担当者と上司の DM、App Home のボタン）、ボットはチャンネルに何も投稿できません（催促は DM で届きます。ほかの記録は保留し、チャンネルができたら起きた順に投稿します）。",
                        "⚠️ Slack refused to create this trouble's channel: until someone asks for it again (the button in the owner's and the managers' DMs, or App Home), the bot posts nothing in a channel (the nudges go by DM; the rest waits and follows, in order, once it is made)."
                    ),
                    Some(ChannelLoss::Archived) => tr!(
                        l,
                        "⚠️ このチャンネルはアーカイブされています。解除されるまで、ボットは状況・催促・報告書をここに投稿できません（催促は DM で届きます。ほかの記録は保留し、解除後に起きた順に投稿します）。",
                        "⚠️ This channel is archived: until someone unarchives it, the bot cannot post the status, the nudges or the report here (the nudges go by DM; the rest waits and follows, in order, once it can)."
                    ),
                    Some(ChannelLoss::BotRemoved) => tr!(
                        l,
                        "⚠️ ボットはこのチャンネルから削除されています。`/invite` で戻されるまで、状況・催促・報告書をここに投稿できません（催促は DM で届きます。ほかの記録は保留し、戻された後に起きた順に投稿します）。",
                        "⚠️ The bot was removed from this channel: until someone adds it back (`/invite`), it cannot post the status, the nudges or the report here (the nudges go by DM; the rest waits and follows, in order, once it can)."
                    ),
                };
                blocks.insert(2, context(lost));
            }
            if let Some(s) = &t.split {
                let split = super::agreement::split_with_reason(l, s, Where::OwnChannel);
                let line = tr!(l, format!("責任区分 {split}"), format!("Split: {split}"));
                blocks.push(context(&super::agreement::with_item_state(l, t, Item::Split, Where::OwnChannel, line)));
            }
            blocks.extend(super::stages::status_blocks(l, config, t));
            blocks.extend(record_blocks(l, config, t));
            if t.is_open() {
                if let Some(s) = t.current_stage() {
                    blocks.push(actions("status", vec![button(Action::CompleteStage.id(), &tr!(l, format!("第{}段階を完了", s.number()), format!("Complete stage {}", s.number())), &ButtonValue::stage(t.id.as_str(), s.index()).encode(), false)]));
                }
            }
            let text = tr!(l, format!("状況 {}: {}", t.id, state), format!("Status {}: {}", t.id, state));
            Rendered { text, blocks: Some(blocks) }
        }
        Message::ManagerDm => {
            let answered = answered(l, config, t);
            // Once answered, the first line a phone shows no longer asks: the state below says why.
            let intro = match answered {
                None => tr!(
                    l,
                    format!("🚨 {}からトラブルの報告です。確認をお願いします。", user(t.opened_by())),
                    format!("🚨 {} reported a trouble. Please acknowledge it.", user(t.opened_by()))
                ),
                Some(_) => tr!(
                    l,
                    format!("{}からのトラブルの報告です。", user(t.opened_by())),
                    format!("{} reported this trouble.", user(t.opened_by()))
                ),
            };
            let mut blocks = vec![
                section(&intro),
                fields(&[
                    (tr!(l, "お客様", "Customer").into(), away(&t.customer)),
                    (tr!(l, "重大度", "Severity").into(), sev.clone()),
                    (tr!(l, "概要", "Summary").into(), quoted(&t.summary, Where::Elsewhere)),
                    (tr!(l, "チャンネル", "Channel").into(), channel_ref(l, t)),
                ]),
            ];
            blocks.extend(as_reported_line(l, t, Where::Elsewhere).map(|line| context(&line)));
            let asks = answered.is_none();
            // Under the facts: who acknowledged, whom to call now, and a reopening where it said
            // it was closed.
            let state = answered.clone().unwrap_or_else(|| ack_text(l, tz, t));
            blocks.extend(standing(l, config, t, Some(state)).map(|lines| context(&lines)));
            // The manager may ask for a refused channel as the owner may (whose DM says why),
            // as the core judges the click.
            let again = crate::trouble::decide::manager_dm_may_ask_for_channel(&config.policy, t);
            let buttons: Vec<Button> = [
                asks.then(|| ack_button(l, &t.id)),
                again.then(|| create_channel_button(l, &t.id, !asks)),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !buttons.is_empty() {
                blocks.push(actions("dm", buttons));
            }
            // What a phone's notification shows: the ask while it waits, the severity, then the
            // customer and a summary short enough for a lock screen (the blocks have it whole).
            let ask = match asks {
                true => tr!(l, "🚨 確認をお願いします · ", "🚨 Please acknowledge · "),
                false => "",
            };
            let what = notified_as(l, t, &sev, Where::Elsewhere);
            let text = tr!(
                l,
                format!("{ask}{what} · 報告者 {} · {}", user(t.opened_by()), channel_ref(l, t)),
                format!("{ask}{what} · from {} · {}", user(t.opened_by()), channel_ref(l, t))
            );
            // The answer, whom to call now and a reopening, as the blocks show them: a screen
            // reader reads only the text.
            let text = [Some(text), standing(l, config, t, answered)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n");
            Rendered { text, blocks: Some(blocks) }
        }
        Message::OriginNotice | Message::Announcement if kept_in_channel(config, t) => {
            // A private trouble is its participants' to read: the channel it was typed in and
            // the announce channels hear that it was opened and where, never its customer or
            // summary (a notification there would show them to everyone in it).
            let text = tr!(
                l,
                format!("🔒 {}が非公開のトラブル {} を起票しました（{}）→ {}。お客様と概要は参加者だけがチャンネルで確認できます。", user(t.opened_by()), t.id, sev, channel_outside(l, t)),
                format!("🔒 {} opened private trouble {} ({}) → {}. Its customer and summary are for those taking part, in its channel.", user(t.opened_by()), t.id, sev, channel_outside(l, t))
            );
            match closed_note(l, config, t) {
                Some(closed) => Rendered::text(format!("{text}\n{closed}")),
                None => Rendered::text(text),
            }
        }
        Message::OriginNotice | Message::Announcement => {
            // Its point is the summary: all of it that fits is shown, never at the cost of its
            // link or, drawn again, of its being closed. The customer is named as a DM names it.
            let (opener, id, channel, customer) = (user(t.opened_by()), &t.id, channel_ref(l, t), customer_short(t));
            // Those who saw it opened see it closed, and reopened since (who, when, why).
            let lines: String = [as_reported_line(l, t, Where::Elsewhere), closed_note(l, config, t)]
                .into_iter()
                .flatten()
                .map(|line| format!("\n{line}"))
                .collect();
            Rendered::text(with_summary_fitted(t, |summary| {
                tr!(
                    l,
                    format!("🚨 {opener}がトラブル {id} を起票しました: *{customer}* — {summary}（{sev}）→ {channel}{lines}"),
                    format!("🚨 {opener} opened trouble {id}: *{customer}* — {summary} ({sev}) → {channel}{lines}")
                )
            }))
        }
        Message::NoManagerHint => Rendered::text(tr!(
            l,
            format!("⚠️ 上司が設定されていないため、誰にも確認を依頼できていません。`/trouble manager @上司` で指名してください（設定ファイルの `[org]` で既定の上司を決められます）。 {}", user(&t.owner)),
            format!("⚠️ No manager is configured, so nobody was asked to acknowledge. Name one with `/trouble manager @manager` (the `[org]` section of the config sets a default). {}", user(&t.owner))
        )),
        Message::TopOfOrgHint => Rendered::text(tr!(
            l,
            format!("ℹ️ {} は組織設定（上司の系列）の最上位のため、確認を依頼する上司はいません（部下は確認・強制クローズ・重大度の引き下げができません）。進捗の催促と記録はほかのトラブルと同じように続きます。担当営業に任せるときは `/trouble owner @担当` で担当を変更すると、その上司に確認を依頼します。", user(&t.owner)),
            format!("ℹ️ {} is at the top of the bot's org settings (nobody is set above them), so there is no manager to ask for an acknowledgement (their reports may not acknowledge, force a close or lower the severity). Nudges and the record run as for any trouble. To hand it to the account's rep, `/trouble owner @rep`: their manager is then asked to acknowledge.", user(&t.owner))
        )),
        Message::AcknowledgedInDm => Rendered::text(tr!(
            l,
            format!("✅ トラブル {}（{}）を確認しました。エスカレーションは止まります。チャンネル: {}", t.id, customer_short(t), channel_ref(l, t)),
            format!("✅ You acknowledged trouble {} ({}). Escalation has stopped. Its channel: {}", t.id, customer_short(t), channel_ref(l, t))
        )),
        Message::AckRefusedInDm => {
            use crate::trouble::decide::{who_may, Act, Reply};
            let refused = Reply::NotAllowed {
                act: Act::Acknowledge,
                who: who_may(&config.policy, t, Act::Acknowledge),
            };
            let named = Reply::AboutTrouble {
                id: t.id.clone(),
                customer: t.customer.clone(),
                reply: Box::new(refused),
            };
            Rendered::text(super::replies::reply_text(l, config, &named))
        }
        Message::Acknowledged { by, wait_withheld: true, .. } => Rendered::text(tr!(l, format!("✅ {}が確認しました。", user(by)), format!("✅ Acknowledged by {}.", user(by)))),
        Message::Acknowledged { by, after_secs, .. } => Rendered::text(tr!(
            l,
            format!("✅ {}が確認しました（起票から{}）。", user(by), format_duration(l, (*after_secs).max(0) as u64)),
            format!("✅ Acknowledged by {} after {}.", user(by), format_duration(l, (*after_secs).max(0) as u64))
        )),
        Message::EscalationMention { to, waited_secs, passed_over, new_to_chain } => {
            let waited = format_duration(l, (*waited_secs).max(0) as u64);
            let ask = tr!(l, "このスレッドに返信するか、「確認しました」ボタンを押してください。", "Please reply in this thread or press Acknowledge.");
            Rendered::text(match (passed_over, new_to_chain) {
                (_, Some(NewToChain::Manager)) => tr!(
                    l,
                    format!("⏫ {} このトラブルの上司に指名されました（{}）。{ask}", user(to), opened_ago(l, *waited_secs)),
                    format!("⏫ {} you were named manager of this trouble ({}). {ask}", user(to), opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::Above)) => tr!(
                    l,
                    format!("⏫ {} このトラブルの確認の依頼先に加わりました（{}）。{ask}", user(to), opened_ago(l, *waited_secs)),
                    format!("⏫ {} you are now in this trouble's manager chain ({}). {ask}", user(to), opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::Reopened)) => tr!(
                    l,
                    format!("⏫ {} このトラブルは誰も確認しないままクローズされ、再開されました。{ask}", user(to)),
                    format!("⏫ {} this trouble was closed before anyone acknowledged it, and is open again. {ask}", user(to))
                ),
                (_, Some(NewToChain::OwnersManagerNow)) => tr!(
                    l,
                    format!("⏫ {} 担当者の上司として新たに設定されました。このトラブルはまだ誰も確認していません（{}）。{ask}", user(to), opened_ago(l, *waited_secs)),
                    format!("⏫ {} the bot now has you as the owner's manager, and nobody has acknowledged this trouble yet ({}). {ask}", user(to), opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::AckWithdrawn)) => tr!(
                    l,
                    format!("⏫ {} このトラブルの確認は取り消され、再び確認待ちです（{}）。{ask}", user(to), opened_ago(l, *waited_secs)),
                    format!("⏫ {} the acknowledgement of this trouble no longer stands, so it waits again ({}). {ask}", user(to), opened_ago(l, *waited_secs))
                ),
                (p, Some(NewToChain::BelowAway { away })) => {
                    let (p, away) = (p.as_ref().map(user).unwrap_or_default(), super::away_text(l, tz, away));
                    tr!(
                        l,
                        format!("⏫ {} 先に依頼した {p} は Slack で{away}のため、あわせて確認をお願いします（{p} も確認できます）。{ask}", user(to)),
                        format!("⏫ {} {p}, asked first, is {away} in Slack, so you are asked as well ({p} may still acknowledge). {ask}", user(to))
                    )
                }
                (None, None) => tr!(
                    l,
                    format!("⏫ {} 起票から{waited}経っても確認がありません。{ask}", user(to)),
                    format!("⏫ {} nobody has acknowledged this in {waited}. {ask}", user(to))
                ),
                (Some(p), None) => tr!(
                    l,
                    format!("⏫ {} 先に依頼した {} には連絡がつきませんでした。{ask}", user(to), user(p)),
                    format!("⏫ {} the bot could not reach {}, who was asked first. {ask}", user(to), user(p))
                ),
            })
        }
        Message::EscalationDm { to, waited_secs, passed_over, new_to_chain, asked_before } => {
            let (head, channel) = (asked_about(l, t, &sev), channel_ref(l, t));
            // Where else it is acknowledged: in its channel, or, with none to type in, by its id
            // (`ack ID` works anywhere).
            let (there_en, there_ja) = match t.channel {
                Some(_) => (format!("in {channel}"), format!("{channel} で")),
                None => (format!("with `/trouble ack {}`", t.id), format!("`/trouble ack {}` で", t.id)),
            };
            let waited = format_duration(l, (*waited_secs).max(0) as u64);
            let text = match (passed_over, new_to_chain) {
                (_, Some(NewToChain::Manager)) => tr!(
                    l,
                    format!("{head}の上司に指名されました（{}）。下のボタンか {there_ja}確認をお願いします。", opened_ago(l, *waited_secs)),
                    format!("{head}: you were named its manager ({}). Acknowledge it with the button below, or {there_en}.", opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::Above)) => tr!(
                    l,
                    format!("{head}の確認の依頼先に加わりました（{}）。下のボタンか {there_ja}確認をお願いします。", opened_ago(l, *waited_secs)),
                    format!("{head}: you are now in its manager chain ({}). Acknowledge it with the button below, or {there_en}.", opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::Reopened)) => tr!(
                    l,
                    format!("{head}は誰も確認しないままクローズされ、再開されました。下のボタンか {there_ja}確認をお願いします。"),
                    format!("{head} was closed before anyone acknowledged it, and is open again. Acknowledge it with the button below, or {there_en}.")
                ),
                (_, Some(NewToChain::OwnersManagerNow)) => tr!(
                    l,
                    format!("{head}：担当者の上司として新たに設定されました。まだ誰も確認していません（{}）。下のボタンか {there_ja}確認をお願いします。", opened_ago(l, *waited_secs)),
                    format!("{head}: the bot now has you as the owner's manager, and nobody has acknowledged it yet ({}). Acknowledge it with the button below, or {there_en}.", opened_ago(l, *waited_secs))
                ),
                (_, Some(NewToChain::AckWithdrawn)) => tr!(
                    l,
                    format!("{head}の確認は取り消され、再び確認待ちです（{}）。下のボタンか {there_ja}確認をお願いします。", opened_ago(l, *waited_secs)),
                    format!("{head}: the acknowledgement it had no longer stands, so it waits for one again ({}). Acknowledge it with the button below, or {there_en}.", opened_ago(l, *waited_secs))
                ),
                (p, Some(NewToChain::BelowAway { away })) => {
                    let (p, away) = (p.as_ref().map(user).unwrap_or_default(), super::away_text(l, tz, away));
                    tr!(
                        l,
                        format!("{head}の確認をお願いします。先に依頼した {p} は Slack で{away}です（{p} も確認できます）。下のボタンか {there_ja}確認をお願いします。"),
                        format!("{head} needs acknowledging: {p}, asked first, is {away} in Slack ({p} may still acknowledge). Acknowledge it with the button below, or {there_en}.")
                    )
                }
                (None, None) => tr!(
                    l,
                    format!("{head}は起票から{waited}経っても確認されていません。下のボタンか {there_ja}確認をお願いします。"),
                    format!("{head} has not been acknowledged for {waited}. Acknowledge it with the button below, or {there_en}.")
                ),
                (Some(p), None) => tr!(
                    l,
                    format!("{head}の確認をお願いします。先に依頼した {} には連絡がつきませんでした。下のボタンか {there_ja}確認をお願いします。", user(p)),
                    format!("{head} needs acknowledging: the bot could not reach {}, who was asked first. Acknowledge it with the button below, or {there_en}.", user(p))
                ),
            };
            // Enough to act on from a phone: whose trouble it is, and who has had it unanswered.
            let who = who_was_asked(l, t, asked_before);
            // Up the chain as far as it was asked, they may ask for a refused channel too, as
            // the core judges the click (not green: the acknowledgement is asked first).
            let again = crate::trouble::decide::may_ask_for_channel(&config.policy, t, to);
            let buttons = std::iter::once(ack_button(l, &t.id))
                .chain(again.then(|| create_channel_button(l, &t.id, false)))
                .collect();
            let blocks = vec![section(&format!("{text}\n{who}")), actions("dm", buttons)];
            // The notification asks first, as the manager's does; the summary, whole in the
            // message, is cut short there so that why they are asked still shows.
            let why = super::combined::why_asked(l, tz, *waited_secs, passed_over.as_ref(), *new_to_chain);
            let what = notified_as(l, t, &sev, Where::Elsewhere);
            let text = tr!(
                l,
                format!("⏫ 確認をお願いします · {what} · {why} · {channel}\n{who}"),
                format!("⏫ Please acknowledge · {what} · {why} · {channel}\n{who}")
            );
            Rendered { text, blocks: Some(blocks) }
        }
        // The ask above, once it no longer asks: the state in the manager's DM's words. Only
        // the button asking for a refused channel stays, while its reader (`to`, named while
        // the trouble keeps it) may ask, as on the managers' DM: the Acknowledge answer sends
        // them to it.
        Message::EscalationDmSettled { asked_again, to } => {
            let head = format!("{} · {}", asked_about(l, t, &sev), channel_ref(l, t));
            let state = match answered(l, config, t) {
                Some(answered) => answered,
                None if *asked_again => asked_again_below(l),
                None => ack_text(l, tz, t),
            };
            // Whom to call now, as the manager's DM says it, and a reopening.
            let state = standing(l, config, t, Some(state)).unwrap_or_default();
            let text = format!("{head}\n{state}");
            let again = to.as_ref().is_some_and(|to| crate::trouble::decide::may_ask_for_channel(&config.policy, t, to));
            let mut blocks = vec![section(&head), context(&state)];
            if again {
                blocks.push(actions("dm", vec![create_channel_button(l, &t.id, true)]));
            }
            Rendered { text, blocks: Some(blocks) }
        }
        Message::NobodyAnswered => Rendered::text(tr!(
            l,
            format!("🛑 上位者まで繰り返し呼び出しましたが、誰も確認していません。{} 直接電話などで連絡を取ってください。", user(&t.owner)),
            format!("🛑 The whole chain was pinged repeatedly and nobody has acknowledged. {} please reach them directly, by phone if need be.", user(&t.owner))
        )),
        // Kept and edited as the manager's DM is: its state line follows the trouble (who
        // acknowledged, or that it waits again; closed), as does who owns it.
        Message::NamedManager { by, to } => {
            let (id, (customer, summary)) = (&t.id, named_short(t));
            let named = tr!(
                l,
                format!("👤 {}があなたをトラブル {id} の上司に指名しました: *{customer}* — {summary}。チャンネル: {}", user(by), channel_ref(l, t)),
                format!("👤 {} named you manager of trouble {id}: *{customer}* — {summary}. Channel: {}", user(by), channel_ref(l, t))
            );
            let state = answered(l, config, t).unwrap_or_else(|| ack_text(l, tz, t));
            // Landed after someone else was named in their place (or a hand-over left them out):
            // it says who manages it now, under the news it brought too late.
            let replaced = to.as_ref().filter(|reader| !t.manager_chain().contains(reader)).map(|_| match &t.manager {
                Some(m) => tr!(
                    l,
                    format!("↪️ その後、上司は {}に変わりました。あなたへの依頼はもうありません。", user(m)),
                    format!("↪️ {} manages it now, in your place: nothing of it is asked of you any longer.", user(m))
                ),
                None => tr!(l, "↪️ あなたへの依頼はもうありません。", "↪️ Nothing of it is asked of you any longer.").to_string(),
            });
            let lines: Vec<String> = [Some(named), replaced, standing(l, config, t, Some(state))].into_iter().flatten().collect();
            Rendered::text(lines.join("\n"))
        }
        Message::HandedToYourReport { by, to } => {
            let (id, (customer, summary)) = (&t.id, named_short(t));
            let state = match &t.ack {
                Some(a) => tr!(l, format!("{}が確認済み", user(&a.by)), format!("acknowledged by {}", user(&a.by))),
                None => tr!(l, "まだ誰も確認していません".to_string(), "nobody has acknowledged it yet".to_string()),
            };
            Rendered::text(tr!(
                l,
                format!("👤 {}がトラブル {id} をあなたの部下の{}に引き継ぎました: *{customer}* — {summary}（{state}）。チャンネル: {}", user(by), user(to), channel_ref(l, t)),
                format!("👤 {} handed trouble {id} to {}, who reports to you: *{customer}* — {summary} ({state}). Channel: {}", user(by), user(to), channel_ref(l, t))
            ))
        }
        Message::NoLongerManager {
            by,
            to,
            handed_to,
            above,
            yours,
            by_you,
        } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            // Its reader made the change: they read that they did, not their own name.
            let (by_name, by_first) = match by_you {
                true => (tr!(l, "あなた", "you").to_string(), tr!(l, "あなた", "You").to_string()),
                false => (user(by), user(by)),
            };
            let (by_id, by) = (by, &by_name);
            Rendered::text(match (handed_to, above) {
                // Its reader owns it now: nothing in their chain would ask them, and it says so
                // in those words, not that it was handed to them by whoever did.
                (Some(owner), _) if *yours => {
                    let yours = match by_id == owner {
                        true => tr!(
                            l,
                            format!("↪️ トラブル {id}（*{customer}*）はあなたが引き継ぎ、いまはあなたの担当です。"),
                            format!("↪️ You took trouble {id} (*{customer}*) over: it is yours now.")
                        ),
                        false => tr!(
                            l,
                            format!("↪️ トラブル {id}（*{customer}*）は {}があなたに引き継ぎ、いまはあなたの担当です。", user(by_id)),
                            format!("↪️ {} handed trouble {id} (*{customer}*) to you: it is yours now.", user(by_id))
                        ),
                    };
                    // Who manages it, as the arms below say it (drawn from the state then).
                    let manager = match &t.ack {
                        Some(a) if t.manager.as_ref() == Some(to) => tr!(
                            l,
                            format!("いまの上司は {}です（{}が確認済み）。", user(to), user(&a.by)),
                            format!(" {} is its manager (acknowledged by {}).", user(to), user(&a.by))
                        ),
                        Some(a) => tr!(l, format!("{}が確認済みです。", user(&a.by)), format!(" Acknowledged by {}.", user(&a.by))),
                        None => tr!(
                            l,
                            format!("いまは {}に確認を依頼しています。", user(to)),
                            format!(" {} is asked to acknowledge it now.", user(to))
                        ),
                    };
                    tr!(
                        l,
                        format!("{yours}{manager}このメッセージでのお願いはもうありません。チャンネル: {channel}"),
                        format!("{yours}{manager} This message asks nothing of you any longer. Channel: {channel}")
                    )
                }
                // Acknowledged, nobody is asked: `to` is its manager now, unless the chain moved
                // again before this was drawn (someone else acknowledged meanwhile, say).
                (Some(owner), _) if t.ack.is_some() => {
                    let acked = t.ack.as_ref().map(|a| user(&a.by)).unwrap_or_default();
                    match t.manager.as_ref() == Some(to) {
                        true => tr!(
                            l,
                            format!("↪️ トラブル {id}（*{customer}*）は {}が {}に引き継ぎ、いまの上司は {}です（{acked}が確認済み）。あなたへの依頼はもうありません。チャンネル: {channel}", by, user(owner), user(to)),
                            format!("↪️ Trouble {id} (*{customer}*) was handed to {} by {}; {} is its manager now (acknowledged by {acked}). Nothing is asked of you any longer. Channel: {channel}", user(owner), by, user(to))
                        ),
                        false => tr!(
                            l,
                            format!("↪️ トラブル {id}（*{customer}*）は {}が {}に引き継ぎました（{acked}が確認済み）。あなたへの依頼はもうありません。チャンネル: {channel}", by, user(owner)),
                            format!("↪️ Trouble {id} (*{customer}*) was handed to {} by {} (acknowledged by {acked}). Nothing is asked of you any longer. Channel: {channel}", user(owner), by)
                        ),
                    }
                }
                (Some(owner), _) => tr!(
                    l,
                    format!("↪️ トラブル {id}（*{customer}*）は {}が {}に引き継ぎ、いまは {}に確認を依頼しています。あなたへの確認の依頼は取り下げました。チャンネル: {channel}", by, user(owner), user(to)),
                    format!("↪️ Trouble {id} (*{customer}*) was handed to {} by {}; {} is asked now. Nothing is asked of you any longer. Channel: {channel}", user(owner), by, user(to))
                ),
                (None, true) => tr!(
                    l,
                    format!("👤 {by_first}がトラブル {id}（*{customer}*）の上司に {}を指名し、あなたは確認の依頼先から外れました。確認は不要です。チャンネル: {channel}", user(to)),
                    format!("👤 {by_first} named {} manager of trouble {id} (*{customer}*), which leaves you out of its chain: nothing is asked of you any longer. Channel: {channel}", user(to))
                ),
                (None, false) if *by_you => tr!(
                    l,
                    format!("👤 トラブル {id}（*{customer}*）の上司をご自身から {}に変更しました。確認は不要です。チャンネル: {channel}", user(to)),
                    format!("👤 You named {} manager of trouble {id} (*{customer}*) in your place: nothing is asked of you any longer. Channel: {channel}", user(to))
                ),
                (None, false) => tr!(
                    l,
                    format!("👤 {by_first}がトラブル {id}（*{customer}*）の上司をあなたから {}に変更しました。確認は不要です。チャンネル: {channel}", user(to)),
                    format!("👤 {by_first} named {} manager of trouble {id} (*{customer}*) instead of you: nothing is asked of you any longer. Channel: {channel}", user(to))
                ),
            })
        }
        Message::ActionsLeftOpen { to, by } => Rendered::text(super::stages::actions_left_open(l, config, t, to, by)),
        Message::ActionChanged { to, by, event } => {
            Rendered::text(super::stages::action_changed(l, config, t, to, by, event))
        }
        Message::OverruledNotice { by, overruled } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            Rendered::text(match overruled {
                crate::trouble::decide::Overruled::ForcedClose { reason } => {
                    let r = quoted(reason, Where::Elsewhere);
                    let left = t.stages.iter().filter(|s| s.state != StageState::Done).count();
                    let left = match left {
                        0 => String::new(),
                        7 => tr!(l, "（7段階のどれも完了していません）", " with none of its seven stages done").to_string(),
                        n => tr!(l, format!("（7段階のうち{n}段階が未完了）"), format!(" with {n} of its seven stages not done")),
                    };
                    tr!(
                        l,
                        format!("🏁 {}がトラブル {id}（{customer}、{}）を強制クローズしました{left}。{channel}\n理由:\n{r}\n強制クローズは終わっていない対応を終わらせるため、上位者としてご確認ください。再開するにはボットとの DM で `/trouble reopen {id} 理由`（チャンネルがアーカイブされていても使えます）。", user(by), severity_label(l, config, t.severity)),
                        format!("🏁 {} force-closed trouble {id} ({customer}, {}){left}. {channel}\nReason:\n{r}\nYou are told as the one above them in its chain: a forced close ends what is not done. `/trouble reopen {id} REASON` in a DM with the bot opens it again, even once its channel is archived.", user(by), severity_label(l, config, t.severity))
                    )
                }
                crate::trouble::decide::Overruled::Lowered { from, to, reason } => {
                    let (from_label, to_label) = (severity_label(l, config, *from), severity_label(l, config, *to));
                    let why = because(l, reason, Where::Elsewhere);
                    tr!(
                        l,
                        format!("⬇️ {}がトラブル {id}（{customer}）の重大度を {from_label} から {to_label} に引き下げました。{channel}{why}\n引き下げで確認・報告の期限がすべて延びるため、上位者としてご確認ください。戻すにはチャンネルで `/trouble sev {}`。", user(by), from.level()),
                        format!("⬇️ {} lowered the severity of trouble {id} ({customer}) from {from_label} to {to_label}. {channel}{why}\nYou are told as the one above them in its chain: a lowering slows every clock. `/trouble sev {}` in its channel raises it again.", user(by), from.level())
                    )
                }
            })
        }
        Message::AnnouncedNoLonger { by, why } => {
            // A private trouble's reasons, like its summary, are for those taking part; so is its
            // channel's name, which spells the customer (named while it has no link).
            let private = kept_in_channel(config, t);
            let channel = match private {
                true => channel_outside(l, t),
                false => channel_ref(l, t),
            };
            let (id, customer) = (&t.id, customer_outside(l, config, t));
            Rendered::text(match why {
                crate::trouble::decide::NoLonger::Lowered { from, to, reason } => {
                    let (from, to) = (severity_label(l, config, *from), severity_label(l, config, *to));
                    let why = match private {
                        true => String::new(),
                        false => because(l, reason, Where::Elsewhere),
                    };
                    tr!(
                        l,
                        format!("⬇️ ここで {from} としてお知らせしたトラブル {id}（{customer}）は、{}が {to} に引き下げました。{channel}{why}", user(by)),
                        format!("⬇️ Trouble {id} ({customer}), announced here as {from}, was lowered to {to} by {}. {channel}{why}", user(by))
                    )
                }
                crate::trouble::decide::NoLonger::Closed { forced_reason: None } => tr!(
                    l,
                    format!("🏁 ここでお知らせしたトラブル {id}（{customer}）は、{}がクローズしました。{channel}", user(by)),
                    format!("🏁 Trouble {id} ({customer}), announced here, was closed by {}. {channel}", user(by))
                ),
                crate::trouble::decide::NoLonger::Closed { forced_reason: Some(_) } if private => tr!(
                    l,
                    format!("🏁 ここでお知らせしたトラブル {id}（{customer}）は、{}が強制クローズしました。{channel}", user(by)),
                    format!("🏁 Trouble {id} ({customer}), announced here, was force-closed by {}. {channel}", user(by))
                ),
                crate::trouble::decide::NoLonger::Closed { forced_reason: Some(r) } => {
                    let r = quoted(r, Where::Elsewhere);
                    tr!(
                        l,
                        format!("🏁 ここでお知らせしたトラブル {id}（{customer}）は、{}が強制クローズしました。{channel}\n理由:\n{r}", user(by)),
                        format!("🏁 Trouble {id} ({customer}), announced here, was force-closed by {}. {channel}\nReason:\n{r}", user(by))
                    )
                }
                crate::trouble::decide::NoLonger::Reopened { reason, not_effective } => {
                    let why = match private {
                        true => String::new(),
                        false => format!("\n{}", reopened_because(l, reason, *not_effective)),
                    };
                    tr!(
                        l,
                        format!("🔄 ここでお知らせし、クローズしたトラブル {id}（{customer}）を、{}が再開しました。{channel}{why}", user(by)),
                        format!("🔄 Trouble {id} ({customer}), announced here and closed, was reopened by {}. {channel}{why}", user(by))
                    )
                }
                crate::trouble::decide::NoLonger::Corrected { summary, from, to } => {
                    let what = match summary {
                        true => tr!(l, "概要", "summary"),
                        false => tr!(l, "お客様名", "customer"),
                    };
                    let (from, now) = (cut(&away(from), 200), cut(&away(to), 200));
                    match private {
                        true => tr!(
                            l,
                            format!("✏️ ここでお知らせした非公開のトラブル {id} の{what}を{}が訂正しました。{channel}", user(by)),
                            format!("✏️ Private trouble {id}, announced here: {} corrected its {what}. {channel}", user(by))
                        ),
                        false => tr!(
                            l,
                            format!("✏️ ここでお知らせしたトラブル {id} の{what}を{}が訂正しました: 「{from}」→「{now}」。{channel}", user(by)),
                            format!("✏️ Trouble {id}, announced here: {} corrected its {what} from “{from}” to “{now}”. {channel}", user(by))
                        ),
                    }
                }
            })
        }
        Message::OwnerAway { owner, manager, named, away: gone, waited_secs } => {
            let waited = format_duration(l, (*waited_secs).max(0) as u64);
            let (customer, gone) = (customer_short(t), super::away_text(l, tz, gone));
            let manager = managers(manager, named.as_ref());
            Rendered::text(tr!(
                l,
                format!("⚠️ 担当の {} は Slack で{gone}です。{manager} {customer}様への報告が{waited}ありません。お客様へのご連絡を手配するか、`/trouble owner @…` で対応できる人に引き継いでください。", user(owner)),
                format!("⚠️ {}, the owner, is {gone} in Slack. {manager} {customer} has heard nothing for {waited}: please see they hear from us, or hand the trouble to someone present with `/trouble owner @…`.", user(owner))
            ))
        }
        Message::FarPromise { by, promise, ahead_secs, severity, manager, named } => {
            let manager = managers(manager, named.as_ref());
            let customer = customer_short(t);
            let when = format_promise(l, tz, *promise, t.promise_zone(*promise));
            // Days off are said in whole hours: "10d", not the "9d23h" a few seconds short.
            let secs = (*ahead_secs).max(0) as u64;
            let ahead = format_duration(l, if secs >= 86_400 { (secs + 1800) / 3600 * 3600 } else { secs });
            let every = format_duration(l, config.policy.severity(*severity).customer_update_every.as_secs());
            let sev = severity_label(l, config, *severity);
            Rendered::text(tr!(
                l,
                format!("📣 {manager}：{} が{customer}様に次回の報告を {when} と約束しました（{ahead}先）。{sev}のお客様には通常{every}ごとに報告します。それまでの催促は直前のリマインダーだけです。", user(by)),
                format!("📣 {manager}: {} promised {customer} the next update {when} — {ahead} off; a {sev} customer usually hears every {every}. Until then the only nudge is the reminder just before it.", user(by))
            ))
        }
        Message::ActionOwnerAway { n, who, away: gone, owner_away } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            let gone = super::away_text(l, tz, gone);
            // Told to the manager: why not to the trouble's owner.
            let why_you = match owner_away {
                None => String::new(),
                Some(_) if t.owner == *who => tr!(
                    l,
                    "トラブルの担当者本人のため、上司のあなたにお知らせしています。",
                    " They own the trouble too, so you are told as its manager."
                )
                .to_string(),
                Some(owner_away) => {
                    let owner_away = super::away_text(l, tz, owner_away);
                    tr!(
                        l,
                        format!("トラブルの担当 {} も Slack で{owner_away}のため、上司のあなたにお知らせしています。", user(&t.owner)),
                        format!(" {}, the trouble's owner, is {owner_away} in Slack too, so you are told as its manager.", user(&t.owner))
                    )
                }
            };
            Rendered::text(tr!(
                l,
                format!("⚠️ トラブル {id}（{customer}）の対策 #{n} の担当 {} は Slack で{gone}です。リマインドを読んで動ける人がいません。{channel} で `/trouble 訂正 対策 {n} 担当:@…` と入力し、対応できる人に引き継いでください。{why_you}", user(who)),
                format!("⚠️ {}, owner of action #{n} of trouble {id} ({customer}), is {gone} in Slack: its reminders reach nobody who will act on them. Hand it to someone present with `/trouble fix action {n} owner:@…` in {channel}.{why_you}", user(who))
            ))
        }
        Message::HandedToAway { to, by, manager, named, away: gone } => {
            let gone = super::away_text(l, tz, gone);
            let customer = customer_short(t);
            let asked = std::iter::once(by).chain(manager).chain(named).map(user).collect::<Vec<_>>().join(" ");
            Rendered::text(tr!(
                l,
                format!("⚠️ {}が担当を引き継いだ {} は Slack で{gone}です。{asked} {customer}様へのご連絡が途切れないよう手配するか、`/trouble owner @…` で対応できる人に引き継いでください。", user(by), user(to)),
                format!("⚠️ {}, just handed this trouble by {}, is {gone} in Slack. {asked} please see {customer} still hears from us, or hand it to someone present with `/trouble owner @…`.", user(to), user(by))
            ))
        }
        Message::CustomerStillWaiting { waited_secs, manager, .. } => {
            let waited = format_duration(l, (*waited_secs).max(0) as u64);
            let every = format_duration(l, config.policy.severity(t.severity).customer_update_every.as_secs());
            let (id, customer, sev, channel) = (&t.id, customer_short(t), severity_label(l, config, t.severity), channel_ref(l, t));
            Rendered::text(tr!(
                l,
                format!("📣 {customer}様（トラブル {id}、{sev}）へのお客様報告が{waited}ありません（報告は{every}ごと）。{}には催促済みです。上位者としてご確認ください。{channel}", user(manager)),
                format!("📣 The customer of trouble {id} ({customer}, {sev}) has heard nothing from us for {waited} (updates are due every {every}); {} has been reminded. {channel}\nYou are told as the one above them.", user(manager))
            ))
        }
        // The alarm above, or a nudge by DM, once the customer heard from us: no button, nothing
        // to chase.
        Message::CustomerWaitSettled { by, at, promise } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            let when = format_day_time(l, tz, *at);
            let was = match promise {
                Some(p) => {
                    let p = format_promise(l, tz, *p, t.promise_zone(*p));
                    tr!(l, format!("{p} に約束した報告は遅れましたが、"), format!("the update promised for {p} was overdue; "))
                }
                None => tr!(l, "お客様を待たせていましたが、".to_string(), "the customer was waiting; ".to_string()),
            };
            Rendered::text(tr!(
                l,
                format!("✅ 対応済み: トラブル {id}（{customer}様）は、{was}{when} に {}がお客様に報告しました。{channel}", user(by)),
                format!("✅ Settled: on trouble {id} ({customer}), {was}{} updated the customer {when}. {channel}", user(by))
            ))
        }
        // The same alarm once nothing is left to act on in it: a newer one says it, or the
        // trouble was closed.
        Message::CustomerWaitOver { newer } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            Rendered::text(match newer {
                true => tr!(
                    l,
                    format!("⏩ トラブル {id}（{customer}様）: お客様の待ち時間は下の新しいメッセージをご覧ください。{channel}"),
                    format!("⏩ Trouble {id} ({customer}): the newer message below says how long the customer has waited. {channel}")
                ),
                false => tr!(
                    l,
                    format!("🏁 トラブル {id}（{customer}様）はクローズされました。お客様への報告の催促はもうありません。{channel}"),
                    format!("🏁 Trouble {id} ({customer}) was closed: nothing more to chase for the customer's update. {channel}")
                ),
            })
        }
        Message::CauseReplacedNotice { by, old, old_escape } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            // The parts of theirs replaced, as they wrote them and as they read now; the escape
            // point labelled when the cause comes first.
            let (cause, escape) = (old.is_some() || old_escape.is_none(), old_escape.is_some());
            let parts = |text: Option<&str>, e: Option<&str>| {
                let mut lines: Vec<String> = text.filter(|_| cause).map(|c| quoted(c, Where::Elsewhere)).into_iter().collect();
                if let Some(e) = e.filter(|_| escape) {
                    if cause {
                        lines.push(tr!(l, "流出原因:", "Why it was not caught:").to_string());
                    }
                    lines.push(quoted(e, Where::Elsewhere));
                }
                lines.join("\n")
            };
            let yours = parts(old.as_deref(), old_escape.as_deref());
            let now = t.substance.cause.as_ref().map(|c| parts(Some(&c.text), c.escape.as_deref())).unwrap_or_default();
            let what = match (cause, escape) {
                (true, true) => tr!(l, "発生原因と流出原因", "cause and the escape point"),
                (false, _) => tr!(l, "流出原因", "escape point"),
                (true, false) => tr!(l, "発生原因", "cause"),
            };
            Rendered::text(tr!(
                l,
                format!("✏️ {}が、トラブル {id}（{customer}）であなたが記録した{what}を置き換えました（元の記録はタイムラインに残ります）。{channel}\nあなたの記録:\n{yours}\nいまの記録:\n{now}", user(by)),
                format!("✏️ {} replaced the {what} you recorded on trouble {id} ({customer}); yours stays on the timeline. {channel}\nYours:\n{yours}\nNow:\n{now}", user(by))
            ))
        }
        Message::PromiseMadeForYou { n, by } => {
            let update = t.customer_updates.get(n.wrapping_sub(1));
            let said = update.map(|u| quoted(&u.text, Where::Elsewhere)).unwrap_or_default();
            let when = update
                .and_then(|u| u.promised_next)
                .map(|at| format_promise(l, tz, at, t.promise_zone(at)))
                .unwrap_or_default();
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            Rendered::text(tr!(
                l,
                format!("📞 {}がトラブル {id}（{customer}）にお客様への報告 #{n} を記録し、次回の連絡を {when} までと約束しました。以後の催促はこの約束に合わせ、その前にあなたにお知らせします。{channel}\n報告:\n{said}\nあなたが守れない約束なら、チャンネルで `/trouble withdraw update {n} 理由` で取り消せます。", user(by)),
                format!("📞 {} logged customer update #{n} on trouble {id} ({customer}), promising the next contact by {when}. The follow-up now keeps to that promise: you are reminded before it. {channel}\nThe update:\n{said}\nNot a promise you can keep? `/trouble withdraw update {n} REASON` in its channel.", user(by))
            ))
        }
        Message::UpdateWithdrawnNotice { n, by } => {
            let update = t.customer_updates.get(n.wrapping_sub(1));
            let said = update.map(|u| quoted(&u.text, Where::Elsewhere)).unwrap_or_default();
            let reason = update
                .and_then(|u| u.withdrawn.as_ref())
                .map(|w| quoted(&w.reason, Where::Elsewhere))
                .unwrap_or_default();
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            Rendered::text(tr!(
                l,
                format!("✏️ {}が、トラブル {id}（{customer}）にあなたが記録したお客様への報告 #{n} を取り消しました。もう連絡としては数えません。{channel}\n報告:\n{said}\n理由:\n{reason}", user(by)),
                format!("✏️ {} withdrew customer update #{n} you logged on trouble {id} ({customer}): it no longer counts as contact. {channel}\nThe update:\n{said}\nWhy:\n{reason}", user(by))
            ))
        }
        Message::OpeningCorrectedNotice { by, summary, from, to } => {
            let (id, channel) = (&t.id, channel_ref(l, t));
            let what = match summary {
                true => tr!(l, "概要", "summary"),
                false => tr!(l, "お客様名", "customer"),
            };
            let (from, to) = (crate::slack::blocks::cut(&away(from), 300), crate::slack::blocks::cut(&away(to), 300));
            Rendered::text(tr!(
                l,
                format!("✏️ {}がトラブル {id} の{what}を訂正しました: 「{from}」→「{to}」。{channel}", user(by)),
                format!("✏️ {} corrected the {what} of trouble {id}: “{from}” → “{to}”. {channel}", user(by))
            ))
        }
        Message::ClosedNotice { by, forced_reason } => {
            let (id, customer) = (&t.id, customer_short(t));
            Rendered::text(match forced_reason {
                Some(r) => {
                    let r = quoted(r, Where::Elsewhere);
                    tr!(
                        l,
                        format!("🏁 {}がトラブル {id}（{customer}）を強制クローズしました。{}\n理由:\n{r}", user(by), channel_ref(l, t)),
                        format!("🏁 {} force-closed trouble {id} ({customer}). {}\nReason:\n{r}", user(by), channel_ref(l, t))
                    )
                }
                None => tr!(
                    l,
                    format!("🏁 {}がトラブル {id}（{customer}）をクローズしました。{}", user(by), channel_ref(l, t)),
                    format!("🏁 {} closed trouble {id} ({customer}). {}", user(by), channel_ref(l, t))
                ),
            })
        }
        Message::ReopenedNotice { by, reason, not_effective } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            let why = reopened_because(l, reason, *not_effective);
            Rendered::text(tr!(
                l,
                format!("🔄 {}がトラブル {id}（{customer}）を再開しました。{channel}\n{why}", user(by)),
                format!("🔄 {} reopened trouble {id} ({customer}). {channel}\n{why}", user(by))
            ))
        }
        Message::AddedBack { user: u, owner, asked } => Rendered::text(match owner {
            false if *asked => tr!(
                l,
                format!("↩️ {}がこのチャンネルを退出しましたが、まだ誰も確認していないトラブル {} の確認をお願いしているため再追加しました。キックオフのスレッドに返信するか「確認しました」ボタンで確認できます。", user(u), t.id),
                format!("↩️ {} left this channel but is asked to acknowledge trouble {}, which nobody has yet, so the bot added them back. Reply in the kickoff's thread or press Acknowledge.", user(u), t.id)
            ),
            true => tr!(
                l,
                format!("↩️ {}がこのチャンネルを退出しましたが、トラブル {} の担当者なので再追加しました。催促やお客様への報告はここに投稿されます。担当を外れるには、上司が `/trouble owner @担当者` で引き継いでください。", user(u), t.id),
                format!("↩️ {} left this channel but owns trouble {}, so the bot added them back: its reminders and the customer's updates are posted here. To step off it, the manager hands it over with `/trouble owner @someone`.", user(u), t.id)
            ),
            false => tr!(
                l,
                format!("↩️ {}がこのチャンネルを退出しましたが、トラブル {} の上司なので再追加しました。上司を替えるには `/trouble manager @上司` を入力してください。", user(u), t.id),
                format!("↩️ {} left this channel but is the manager of trouble {}, so the bot added them back. To name another manager: `/trouble manager @someone`.", user(u), t.id)
            ),
        }),
        Message::PinnedAgain { user: u, slot } => Rendered::text(match slot {
            crate::trouble::decide::Slot::Status => tr!(
                l,
                format!("📌 {}がトラブル {} の状況メッセージのピン留めを外しましたが、全員が同じ記録を見られるよう、ボットが再度ピン留めしました。", user(u), t.id),
                format!("📌 {} unpinned the status of trouble {}; the bot pinned it again so that everyone finds the one shared record.", user(u), t.id)
            ),
            _ => tr!(
                l,
                format!("📌 {}がトラブル {} のキックオフのピン留めを外しましたが、全員が同じ記録を見られるよう、ボットが再度ピン留めしました。", user(u), t.id),
                format!("📌 {} unpinned the kickoff of trouble {}; the bot pinned it again so that everyone finds the one shared record.", user(u), t.id)
            ),
        }),
        Message::StageChanged { stage, done, by, note } => {
            let note = if note.trim().is_empty() { String::new() } else { format!("\n{}", quoted(note, Where::OwnChannel)) };
            Rendered::text(if *done {
                tr!(l, format!("✅ 第{}段階「{}」完了（{}）{}", stage.number(), stage_name(l, *stage), user(by), note), format!("✅ Stage {} \"{}\" done ({}){}", stage.number(), stage_name(l, *stage), user(by), note))
            } else {
                tr!(l, format!("🔶 第{}段階「{}」開始（{}）{}", stage.number(), stage_name(l, *stage), user(by), note), format!("🔶 Stage {} \"{}\" started ({}){}", stage.number(), stage_name(l, *stage), user(by), note))
            })
        }
        Message::SeverityRaised { from, to, by, brought, reason } => {
            // The departments it brought in (when any), then the channel, which an announcement
            // and a DM link to.
            let tail: Vec<String> = [departments_pinged(l, config, brought), channel_ref(l, t)]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect();
            let tail = tail.join(" ");
            let (from, to) = (severity_label(l, config, *from), severity_label(l, config, *to));
            // Mentions stay live in the trouble's channel alone; a DM or an announce channel
            // reads the reason as text.
            let why = because(l, reason, Where::Elsewhere);
            Rendered::text(match by {
                Some(by) => tr!(
                    l,
                    format!("⬆️ {}がトラブル {}（{}）の重大度を {from} から {to} に引き上げました。{tail}{why}", user(by), t.id, customer_short(t)),
                    format!("⬆️ {} raised the severity of trouble {} ({}) from {from} to {to}. {tail}{why}", user(by), t.id, customer_short(t))
                ),
                None => tr!(
                    l,
                    format!("⬆️ トラブル {}（{}）の重大度を {from} から {to} に引き上げました。{tail}", t.id, customer_short(t)),
                    format!("⬆️ Severity of trouble {} ({}) raised from {from} to {to}. {tail}", t.id, customer_short(t))
                ),
            })
        }
        Message::LoweredAboveYou { by, from, to, reason } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            let (from_label, to_label) = (severity_label(l, config, *from), severity_label(l, config, *to));
            let every = format_duration(l, config.policy.severity(*to).customer_update_every.as_secs());
            let why = because(l, reason, Where::Elsewhere);
            // In its channel, the words this DM always had; else by id in a DM (in Japanese,
            // with the particle spaced after the Latin "DM", as elsewhere).
            let (raise, there) = match typed_where(l, t, "sev", &from.level().to_string()) {
                Typed { command, by_id: false, .. } => (command, tr!(l, "チャンネルで", "its channel").to_string()),
                Typed { command, place, .. } => (command, tr!(l, format!("{place} で"), place)),
            };
            Rendered::text(tr!(
                l,
                format!("⬇️ {}がトラブル {id}（{customer}）の重大度を {from_label} から {to_label} に引き下げました。{channel}{why}\nお客様への報告は{every}ごとになります。戻すには{there} {raise}。", user(by)),
                format!("⬇️ {} lowered the severity of trouble {id} ({customer}) from {from_label} to {to_label}. {channel}{why}\nCustomer updates are now due every {every}. {raise} in {there} raises it again.", user(by))
            ))
        }
        Message::SeverityLowered { by, from, to, reason, cadence_withheld } => {
            let every = format_duration(l, config.policy.severity(*to).customer_update_every.as_secs());
            let cadence = match cadence_withheld {
                true => String::new(),
                false => tr!(l, format!("お客様への報告は{every}ごとになります。"), format!(" Customer updates are now due every {every}.")),
            };
            // A reason pings nobody, here too, as a raise's DM and announcement read it.
            let why = because(l, reason, Where::Elsewhere);
            Rendered::text(tr!(
                l,
                format!("⬇️ {}が重大度を {} から {} に引き下げました。{cadence}{why}", user(by), severity_label(l, config, *from), severity_label(l, config, *to)),
                format!("⬇️ {} lowered the severity from {} to {}.{cadence}{why}", user(by), severity_label(l, config, *from), severity_label(l, config, *to))
            ))
        }
        Message::ParticipantsAdded { by, users, departments } => {
            let who = participants_list(l, config, users, departments, true);
            Rendered::text(tr!(
                l,
                format!("➕ {}が {} をこのトラブルの参加者に追加しました。", user(by), who),
                format!("➕ {} added {} to this trouble's participants.", user(by), who)
            ))
        }
        Message::ParticipantsRemoved { by, users } => Rendered::text(tr!(
            l,
            format!("➖ {}が {} をこのトラブルの参加者から外しました。", user(by), super::people(l, users)),
            format!("➖ {} removed {} from this trouble's participants.", user(by), super::people(l, users))
        )),
        Message::Nudge(n) => nudge(l, config, t, n),
        Message::FirstContact { owner, manager, named, due } => {
            let manager = manager.as_ref().map(|m| managers(m, named.as_ref()));
            first_contact(l, config, t, owner, manager, *due)
        }
        Message::Closed { by, forced_reason, note, report_withheld } => Rendered::text(format!("{}\n{}", match forced_reason {
            None => {
                let note = match note {
                    Some(note) => super::note_below(note, Where::OwnChannel),
                    None => t.closed.as_ref().map(|c| super::note_below(&c.note, Where::OwnChannel)).unwrap_or_default(),
                };
                let report = match report_withheld {
                    // Shared with the customer: the internal report is not posted here.
                    true => tr!(l, "社内向けの報告書は、お客様と共有されたこのチャンネルには投稿しません（お客様向けは `/trouble report 8d`、全文はボットのサーバーで `trouble-bot export`）。", "The internal report is not posted here, where the customer reads (`/trouble report 8d` is theirs; the full text: `trouble-bot export` on the bot's server)."),
                    false => tr!(l, "報告書をこのチャンネルに投稿します。", "The report follows in this channel."),
                };
                tr!(l, format!("🏁 {}がトラブル {} をクローズしました。おつかれさまでした。{report}{note}", user(by), t.id), format!("🏁 {} closed trouble {}. Well done. {report}{note}", user(by), t.id))
            }
            // Shared with the customer: why the chain overruled the rules is theirs, as in the 8D.
            Some(_) if *report_withheld => tr!(
                l,
                format!("🏁 {}がトラブル {} を強制クローズしました（理由は記録にあり、お客様と共有されたこのチャンネルには投稿しません）。", user(by), t.id),
                format!("🏁 {} force-closed trouble {} (its reason is on the record, not posted here, where the customer reads).", user(by), t.id)
            ),
            Some(r) => {
                let r = quoted(r, Where::OwnChannel);
                tr!(l, format!("🏁 {}がトラブル {} を強制クローズしました。理由:\n{}", user(by), t.id, r), format!("🏁 {} force-closed trouble {}. Reason:\n{}", user(by), t.id, r))
            }
        }, closing_summary(l, t))),
        // Reopened after this report was posted: what the thread holds no longer stands.
        Message::ReportSummary if t.last_report.as_ref().zip(t.substance.reopened_at).is_some_and(|(r, at)| at > r.at) => {
            let at = format_day_time(l, tz, t.substance.reopened_at.unwrap_or_default());
            Rendered::text(tr!(
                l,
                format!("📄 ~トラブル報告書 {}~ — {at} に再開したため、この報告書はもう有効ではありません。スレッドの本文は再開前の内容です。再びクローズしたときに新しい報告書を投稿します。", t.id),
                format!("📄 ~Trouble report {}~ — superseded: the trouble was reopened {at}. This thread shows it as it stood before; a new report follows when it closes again.", t.id)
            ))
        }
        Message::ReportSummary => {
            let parts = t.last_report.as_ref().map_or(0, |r| r.parts);
            let stage = match (&t.closed, t.current_stage()) {
                (Some(c), _) => tr!(l, format!("クローズ {}", format_day_time(l, tz, c.at)), format!("closed {}", format_day_time(l, tz, c.at))),
                (None, Some(s)) => tr!(l, format!("第{}段階 {}", s.number(), stage_name(l, s)), format!("stage {} {}", s.number(), stage_name(l, s))),
                (None, None) => tr!(l, "全段階完了", "all stages done").to_string(),
            };
            // The timeline's hash where everyone can see it, outside the store: whoever rewrites
            // the store and hashes the chain again still cannot make it match this message,
            // which is posted even when the thread stops short of the report's last part.
            Rendered::text(tr!(
                l,
                format!("📄 *トラブル報告書 {}* — {}（{}）· {} · 記録{}件\n本文はこのスレッドにあります（{}件）。\n改ざん検知用ハッシュ（SHA-256、記録{}件）: `{}`", t.id, customer_short(t), sev, stage, t.timeline_len, parts, t.timeline_len, t.timeline_head),
                format!("📄 *Trouble report {}* — {} ({}) · {} · {} timeline entries\nThe full report is in this thread ({}).\nIntegrity hash (SHA-256) of its {} entries: `{}`", t.id, customer_short(t), sev, stage, t.timeline_len, super::en_count(parts, "part", "parts"), t.timeline_len, t.timeline_head)
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
        Message::CustomerHistory => {
            // The running balance in a block of its own: never the part a long list is cut at;
            // first in the fallback text (notifications, screen readers), which is cut at its end.
            let (list, balance) = customer_history(l, config, t);
            let mut blocks = vec![section(&list)];
            blocks.extend(balance.as_deref().map(section));
            Rendered {
                text: [balance, Some(list)].into_iter().flatten().collect::<Vec<_>>().join("\n"),
                blocks: Some(blocks),
            }
        }
        Message::Recorded { by, what } => Rendered::text(record_line(l, config, by, what)),
        Message::Step(line) => super::stages::step_line(l, config, t, line),
        Message::Agreement(line) => super::agreement::line(l, config, t, line),
        Message::EightD => super::eightd::rendered(l, config, t, None),
        Message::Text { .. } | Message::TextWithAcks { .. } => super::shell_rendered(l, message).unwrap_or_default(),
        Message::WorkUnreachable { who, error, actions } => {
            let (id, customer, error) = (&t.id, customer_short(t), away(error));
            let numbers = super::listed(l, actions.iter().map(|n| format!("#{n}")));
            let first = actions.first().copied().unwrap_or(1);
            let ja = typed_where(Locale::Ja, t, "訂正", &format!("対策 {first} 担当:@…"));
            let en = typed_where(Locale::En, t, "fix", &format!("action {first} owner:@…"));
            let (by_id, fix_ja, there_ja, fix_en, there_en) = (en.by_id, ja.command, ja.place, en.command, en.place);
            // With no channel to type in, the one it would be, named as every message names it.
            let (none_ja, none_en) = match by_id {
                true => {
                    let channel = channel_ref(l, t);
                    (format!("このトラブルには入力できるチャンネルがないため（{channel}）、"), format!(", the trouble having no channel to type in: {channel}"))
                }
                false => (String::new(), String::new()),
            };
            let (kind, left) = (if actions.len() == 1 { "action" } else { "actions" }, left_workspace(l));
            // Someone who left is said to have left, not to be someone the bot cannot find.
            Rendered::text(match error.as_str() == crate::slack::people::DEACTIVATED {
                true => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の対策 {numbers} の担当 {} は、{left}。この対策のリマインドは誰にも届きません。{none_ja}{there_ja} で {fix_ja} と入力し、引き継ぐ人を指名してください。", user(who)),
                    format!("⚠️ {}, owner of {kind} {numbers} of trouble {id} ({customer}), {left}, so the reminders reach nobody. Hand the work to someone with {fix_en} in {there_en}{none_en}.", user(who))
                ),
                false => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の対策 {numbers} の担当 {} に DM を送れませんでした（{error}）。退職などで Slack にいない可能性があります。この対策のリマインドは誰にも届きません。{none_ja}{there_ja} で {fix_ja} と入力し、引き継ぐ人を指名してください。", user(who)),
                    format!("⚠️ The bot could not DM {}, owner of {kind} {numbers} of trouble {id} ({customer}) ({error}): they may have left Slack, so the reminders reach nobody. Hand the work to someone with {fix_en} in {there_en}{none_en}.", user(who))
                ),
            })
        }
        Message::OwnerUnreachable {
            owner,
            error,
            why,
            manager,
            named,
            actions,
        } => {
            let (id, customer, error, owner) = (&t.id, customer_short(t), away(error), user(owner));
            let typed = typed_where(l, t, "owner", "@…");
            let (command, place) = (typed.command, typed.place);
            // Asked of the one who may hand it over (`manager`), in the channel as in their DM;
            // the one named beside them (`named`), who would be refused, reads it for
            // information.
            let (to_ja, to_en) = match manager {
                Some(m) => (format!("{} ", user(m)), format!("{}, please", user(m))),
                None => (String::new(), "Please".to_string()),
            };
            let (fyi_ja, fyi_en) = match named {
                Some(n) => (
                    format!("（{} にも参考までにお知らせしています）", user(n)),
                    format!(" ({}: for your information.)", user(n)),
                ),
                None => (String::new(), String::new()),
            };
            // Their open actions are handed over with the trouble (`Record::Owner`).
            let (with_ja, with_en) = match actions.is_empty() {
                true => (String::new(), String::new()),
                false => {
                    let numbers = super::listed(l, actions.iter().map(|n| format!("#{n}")));
                    let their = if actions.len() == 1 { "action" } else { "actions" };
                    let go = if actions.len() == 1 { "goes" } else { "go" };
                    (format!("担当の対策 {numbers} も一緒に引き継がれます。"), format!(" Their open {their} {numbers} {go} with it."))
                }
            };
            let (gone, left) = (error == crate::slack::people::DEACTIVATED, left_workspace(l));
            Rendered::text(match (gone, why) {
                (true, _) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の担当 {owner} は、{left}。お客様への報告の催促など、担当への連絡は誰にも届きません。{to_ja}{place} で {command} と入力し、担当を引き継いでください。{with_ja}{fyi_ja}"),
                    format!("⚠️ {owner}, the owner of trouble {id} ({customer}), {left}, so the reminders to update the customer, and all the bot tells the owner, reach nobody. {to_en} hand the trouble over with {command} in {place}.{with_en}{fyi_en}")
                ),
                (false, DmRefusal::NotVisible) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の担当 {owner} に DM を送れません（{error}）。ゲストや別のワークスペースの人、またはワークスペースの設定により、ボットはこの人に DM を送れません。お客様への報告の催促など、担当への DM は届きません。{to_ja}直接伝えるか、{place} で {command} と入力し、ボットが連絡できる人に担当を引き継いでください。{with_ja}{fyi_ja}"),
                    format!("⚠️ The bot cannot DM {owner}, the owner of trouble {id} ({customer}): Slack does not let it reach them ({error}): a guest, someone in another workspace, or a workspace setting. Its DMs to the owner, the reminders to update the customer among them, do not reach them. {to_en} tell them yourself, or hand the trouble to someone the bot can reach with {command} in {place}.{with_en}{fyi_en}")
                ),
                (false, _) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の担当 {owner} に DM を送れません（{error}）。存在しないユーザーか、ボットです。お客様への報告の催促など、担当への DM は誰にも届きません。{to_ja}{place} で {command} と入力し、担当を引き継いでください。{with_ja}{fyi_ja}"),
                    format!("⚠️ The bot cannot DM {owner}, the owner of trouble {id} ({customer}): Slack has no such person to write to ({error}), or it is a bot. Its DMs to the owner, the reminders to update the customer among them, reach nobody. {to_en} hand the trouble over with {command} in {place}.{with_en}{fyi_en}")
                ),
            })
        }
        Message::PersonUnreachable {
            who,
            error,
            why: DmRefusal::AppLacksPermission,
            ..
        } => {
            let (id, customer, error) = (&t.id, customer_short(t), away(error));
            // The bot can DM nobody now, whoever it reached before: the owner, who reads this in
            // the channel, is to tell each of them.
            let mut chain: Vec<&UserId> = t.escalation.chain.iter().collect();
            if chain.is_empty() {
                chain.push(who);
            }
            let chain = super::listed(l, chain.into_iter().map(user));
            let owner = user(&t.owner);
            Rendered::text(tr!(
                l,
                format!("⚠️ {owner} トラブル {id}（{customer}）の確認を DM で依頼できませんでした。アプリに Slack の権限がなく（{error}）、*ボットはもう誰にも DM を送れません*。{chain} に直接伝えてください。Slack の管理者に、`manifest.yml` のスコープ（`im:write`、`chat:write`）でアプリを再インストールするか、ボットの投稿を止めているワークスペースの設定を見直すよう依頼してください（`trouble-bot check-slack` で不足しているスコープが分かります）。"),
                format!("⚠️ {owner} The bot could not DM anyone to acknowledge trouble {id} ({customer}): the app lacks a Slack permission ({error}), so *the bot can no longer DM anyone*. Tell {chain} yourself, and ask your Slack admin to reinstall the app with the scopes of `manifest.yml` (`im:write`, `chat:write`) or lift the workspace preference that keeps the bot from posting (`trouble-bot check-slack` names a missing scope).")
            ))
        }
        Message::PersonUnreachable {
            who,
            error,
            why,
            nobody_above,
            asked,
        } => {
            let (id, customer, error) = (&t.id, customer_short(t), away(error));
            let then = match nobody_above {
                false => tr!(l, "次の上位者に依頼しました。", "It asked the next one up the chain instead.").to_string(),
                // Those below were asked and have not answered: nobody above them can be.
                true if !asked.is_empty() => {
                    let asked = super::listed(l, asked.iter().map(user));
                    tr!(
                        l,
                        format!("これより上位の人はいません。{asked}には確認を依頼済みですが、まだ応答がありません。直接連絡してください。組織設定（上司の系列）を直した後は、設定上の上司も確認できます。"),
                        format!("Nobody is above them to ask; the bot asked {asked} and has no answer yet: reach them yourself. Once the bot's org settings are fixed, your manager there can acknowledge it too.")
                    )
                }
                // Nobody at all is asked: the owner must hear it plainly, and what unblocks it.
                true => tr!(
                    l,
                    "上位者がいないため、*誰にも確認を依頼できていません*。組織設定（上司の系列）を直した後は、設定上のあなたの上司が確認するか、`/trouble manager @名前` で上司を指名できます。",
                    "Nobody is above them, so *nobody has been asked to acknowledge it*. Once the bot's org settings are fixed, your manager there can acknowledge it or name a manager with `/trouble manager @name`."
                )
                .to_string(),
            };
            // Someone who left reads nothing: said so, rather than as a mistyped id.
            let left = error == crate::slack::people::DEACTIVATED;
            Rendered::text(match (left, why) {
                // They are there, but the bot may not write to them: someone must, and the
                // admin either lets the bot reach them or names someone it can in `[org]`.
                (false, DmRefusal::NotVisible) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の確認を {} に DM で依頼できませんでした（{error}）。ゲストや別のワークスペースの人、またはワークスペースの設定により、ボットはこの人に DM を送れません。{then}{} には直接伝えてください。ボットの管理者に設定（`[org]`）の確認を、または Slack の管理者にボットがこの人に連絡できるよう依頼してください。", user(who), user(who)),
                    format!("⚠️ The bot could not DM {} to acknowledge trouble {id} ({customer}): Slack does not let it reach them ({error}): a guest, someone in another workspace, or a workspace setting. {then} Tell {} yourself, and ask the bot's admin to check `[org]` in its configuration, or your Slack admin to let the bot reach them.", user(who), user(who))
                ),
                (true, _) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の確認を依頼する {} は、Slack のアカウントが無効になっています（退職や異動の可能性があります）。{then}ボットの管理者に設定（`[org]`）の更新を依頼してください。", user(who)),
                    format!("⚠️ {}, whom the bot would ask to acknowledge trouble {id} ({customer}), has been deactivated in Slack (they may have left). {then} Please ask the bot's admin to update `[org]` in its configuration.", user(who))
                ),
                (false, _) => tr!(
                    l,
                    format!("⚠️ トラブル {id}（{customer}）の確認を {} に DM で依頼できませんでした（{error}）。存在しないユーザーか、ボットです。{then}ボットの管理者に設定（`[org]`）の確認を依頼してください。", user(who)),
                    format!("⚠️ The bot could not DM {} to acknowledge trouble {id} ({customer}): Slack has no such person to write to ({error}), or it is a bot. {then} Please ask the bot's admin to check `[org]` in its configuration.", user(who))
                ),
            })
        }
        Message::DeliveryProblem { method, error } => Rendered::text(tr!(
            l,
            format!("⚠️ Slackへの送信に失敗しました（{}: {}）。権限や設定を確認してください。", escape(method), away(error)),
            format!("⚠️ A Slack call failed for good ({}: {}). Please check the app's permissions and settings.", escape(method), away(error))
        )),
        Message::ChannelNotCreated { error, again: true } => {
            let named = id_named(l, t);
            with_create_channel_button(l, t, tr!(
                l,
                format!("⚠️ トラブル {named}のチャンネルが削除され、Slack が新しいチャンネルを作成できませんでした（{}）。チャンネルでこのトラブルを追える人はいません。Slack の管理者にアプリの権限と設定を確認してもらってください。", away(error)),
                format!("⚠️ The channel of trouble {named} was deleted and Slack refused to create a new one: {}. Nobody can follow the trouble in a channel. Please ask your Slack admin to check the app's permissions and settings.", away(error))
            ))
        }
        Message::ChannelNotCreated { error, again: false } => {
            let named = id_named(l, t);
            // Everyone DMed at the open: the manager, and the configured one when another was
            // named; not one whose DM reached nobody (no such user, a bot), who heard nothing.
            let managers: Vec<String> = t
                .escalation
                .asked
                .iter()
                .filter(|a| !t.escalation.unreachable.contains(&a.who))
                .map(|a| user(&a.who))
                .collect();
            let told = match managers.is_empty() {
                true => String::new(),
                false => {
                    let names = super::listed(l, &managers);
                    tr!(l, format!("{names}には DM で伝えてあります。"), format!("{names} {} told by DM. ", if managers.len() == 1 { "was" } else { "were" }))
                }
            };
            // By name, never by user group: a mention pings nobody in a DM, and the owner is
            // the one to pass it on.
            let names: Vec<String> = department_keys(config, t)
                .iter()
                .filter_map(|k| config.policy.departments.get(k))
                .map(|d| department_named(l, d, false))
                .collect();
            let departments = match names.is_empty() {
                true => String::new(),
                false => {
                    let names = super::listed(l, &names);
                    tr!(
                        l,
                        format!("関係部門（{names}）には伝わっておらず、誰も招待されていません。直接伝えてください。"),
                        format!("The related departments ({names}) have not been told and nobody was invited: please tell them yourself. ")
                    )
                }
            };
            with_create_channel_button(l, t, tr!(
                l,
                format!("⚠️ トラブル {named}のチャンネルを Slack が作成できませんでした（{}）。{told}{departments}Slack の管理者にアプリの権限と設定を確認してもらってください。", away(error)),
                format!("⚠️ Slack refused to create the channel of trouble {named}: {}. {told}{departments}Please ask your Slack admin to check the app's permissions and settings.", away(error))
            ))
        }
        Message::ChannelLost { how, by } => {
            let who = match by {
                Some(by) => user(by),
                None => tr!(l, "誰か", "Someone").to_string(),
            };
            let (named, channel) = (id_named(l, t), channel_ref(l, t));
            Rendered::text(match how {
                ChannelLoss::Archived => tr!(
                    l,
                    format!("⚠️ {who}が、対応中のトラブル {named}のチャンネル {channel} をアーカイブしました。このチャンネルはトラブルの共有記録です。チャンネルを開いてアーカイブを解除してください（ボットには解除できず、解除されるまでそこに投稿できません）。"),
                    format!("⚠️ {who} archived {channel}, the channel of trouble {named}, which is still open. The channel is the trouble's shared record: please open it and unarchive it (the bot cannot, and cannot post there until someone does).")
                ),
                ChannelLoss::BotRemoved => tr!(
                    l,
                    format!("⚠️ {who}が、対応中のトラブル {named}のチャンネル {channel} からボットを削除しました。状況、催促、報告書がそこに投稿されなくなります。チャンネルでボットを `/invite` して戻してください。"),
                    format!("⚠️ {who} removed the bot from {channel}, the channel of trouble {named}, which is still open. The status, the update nudges and the report can no longer be posted there: please add the bot back (`/invite` it in the channel).")
                ),
            })
        }
        Message::ReopenedWhileLost { how } => {
            let (named, channel) = (id_named(l, t), channel_ref(l, t));
            let lost = still_lost(l, *how, &channel);
            Rendered::text(tr!(
                l,
                format!("⚠️ トラブル {named}が再開されましたが、{lost}"),
                format!("⚠️ Trouble {named} was reopened, but {lost}")
            ))
        }
        Message::ChannelMadeLate { asked, held } => {
            let (named, channel) = (id_named(l, t), channel_ref(l, t));
            let made = match asked {
                Some(who) => tr!(
                    l,
                    format!("{}の依頼でボットがチャンネル {channel} を作成し", user(who)),
                    format!("At {}'s request the bot made it now, {channel}: it", user(who))
                ),
                None => tr!(
                    l,
                    format!("トラブルが再開されたため、ボットがチャンネル {channel} を作成し"),
                    format!("The trouble was reopened, so the bot made it now, {channel}: it")
                ),
            };
            let mut text = tr!(
                l,
                format!("⚠️ トラブル {named}のチャンネルは、起票時に Slack が作成を拒否したためありませんでした。{made}、関係者を招待し、キックオフと状況を投稿しました。起票以降の記録はすべてタイムラインにあります（`/trouble report`）。"),
                format!("⚠️ Trouble {named} had no channel: Slack refused to create it when the trouble was opened. {made} invited everyone taking part and posted the kickoff and the status. Everything recorded since the opening is on the timeline (`/trouble report`).")
            );
            if let Some(held) = held {
                text.push_str(&held_lines_follow(l, tz, t, held));
            }
            Rendered::text(text)
        }
        // Rendered once the creation behind which it was queued is done: Slack refused it when
        // the trouble still has no channel.
        Message::ChannelReplaced { .. } if t.channel.is_none() => {
            let (named, owner) = (id_named(l, t), user(&t.owner));
            Rendered::text(tr!(
                l,
                format!("⚠️ 対応中のトラブル {named}のチャンネルが削除され、Slack が新しいチャンネルの作成を拒否しました。チャンネルでこのトラブルを追える人はいません。アプリの権限が直れば、{owner} が作成をもう一度依頼できます。タイムラインと記録はすべて残っています（`/trouble report`）。"),
                format!("⚠️ The channel of trouble {named}, which is still open, was deleted, and Slack refused to create a new one: nobody can follow the trouble in a channel. Once the app's permissions are fixed, {owner} can ask for the channel again. The timeline and the whole record are kept (`/trouble report`).")
            ))
        }
        Message::ChannelReplaced { held } => {
            let (named, channel) = (id_named(l, t), channel_ref(l, t));
            let mut text = tr!(
                l,
                format!("⚠️ 対応中のトラブル {named}のチャンネルが削除されました。ボットは新しいチャンネル {channel} を作り、関係者を招待し、キックオフと状況を投稿し直しました。タイムラインと記録はすべて残っています（`/trouble report`）。"),
                format!("⚠️ The channel of trouble {named}, which is still open, was deleted. The bot made a new one, {channel}, invited everyone taking part, and posted the kickoff and the status again. The timeline and the whole record are kept (`/trouble report`).")
            );
            if let Some(held) = held {
                text.push_str(&held_lines_follow(l, tz, t, held));
            }
            Rendered::text(text)
        }
        Message::HeldFollow {
            how,
            since,
            count,
            left_out,
        } => {
            let (id, since) = (&t.id, format_day_time(l, tz, *since));
            let mut text = match how {
                Some(how) => {
                    let why = match how {
                        ChannelLoss::Archived => tr!(l, "このチャンネルがアーカイブされていた", "this channel was archived"),
                        ChannelLoss::BotRemoved => tr!(l, "ボットがこのチャンネルから削除されていた", "the bot was removed from this channel"),
                    };
                    tr!(
                        l,
                        match count {
                            0 => format!("📥 {why}ため、{since}からトラブル {id} の記録を投稿できませんでした。"),
                            _ => format!("📥 {why}ため、{since}から投稿できなかったトラブル {id} の記録{count}件を、起きた順に続けて投稿します。"),
                        },
                        match count {
                            0 => format!("📥 While {why}, the bot could not post the messages of trouble {id} here since {since}."),
                            1 => format!("📥 While {why}, the bot could not post here. The message of trouble {id} it held since {since} follows."),
                            _ => format!("📥 While {why}, the bot could not post here. The {count} messages of trouble {id} it held since {since} follow, in the order they happened."),
                        }
                    )
                }
                // Made since: what follows was decided before it, and comes after what was
                // posted here meanwhile, out of order.
                None => tr!(
                    l,
                    match count {
                        0 => format!("📥 このチャンネルの作成中、ボットはそれより前に決まったトラブル {id} の記録を{since}から保留していました。"),
                        _ => format!("📥 このチャンネルの作成中、ボットはそれより前に決まったトラブル {id} の記録{count}件を{since}から保留していました。その後の投稿より遅れて、起きた順に続けて投稿します。"),
                    },
                    match count {
                        0 => format!("📥 While this channel was being made, the bot held messages of trouble {id} decided before it, since {since}."),
                        1 => format!("📥 While this channel was being made, the bot held the message of trouble {id} decided before it, since {since}: it follows late, after what was posted here since."),
                        _ => format!("📥 While this channel was being made, the bot held the {count} messages of trouble {id} decided before it, since {since}: they follow late, after what was posted here since, in the order they happened."),
                    }
                ),
            };
            text.push_str(&left_out_of_held(l, *count, *left_out));
            Rendered::text(text)
        }
        Message::NotAnnounced {
            channel,
            error,
            raised_to: None,
        } => Rendered::text(tr!(
            l,
            format!("⚠️ トラブル {}（{}）の告知を <#{}> に投稿できませんでした（{}）。告知先の人たちにはご自身で伝え、ボットの管理者にボットの招待か告知先の設定（`announce_channels`）の見直しを依頼してください。", t.id, customer_short(t), channel, away(error)),
            format!("⚠️ Trouble {}'s announcement ({}) could not be posted in <#{}> ({}). Tell the people there yourself, and ask the bot's admin to invite the bot there or fix `announce_channels` in the configuration.", t.id, customer_short(t), channel, away(error))
        )),
        Message::NotAnnounced {
            channel,
            error,
            raised_to: Some(to),
        } => Rendered::text(tr!(
            l,
            format!("⚠️ トラブル {}（{}）の重大度を {} に引き上げたことを <#{}> に告知できませんでした（{}）。告知先の人たちにはご自身で伝え、ボットの管理者にボットの招待か告知先の設定（`announce_channels`）の見直しを依頼してください。", t.id, customer_short(t), severity_label(l, config, *to), channel, away(error)),
            format!("⚠️ Trouble {}'s raise to {} ({}) could not be announced in <#{}> ({}). Tell the people there yourself, and ask the bot's admin to invite the bot there or fix `announce_channels` in the configuration.", t.id, severity_label(l, config, *to), customer_short(t), channel, away(error))
        )),
        Message::TeamLinesWithdrawn {
            org,
            org_name,
            edited,
            deleted,
            dropped,
        } => {
            let (id, customer, channel) = (&t.id, customer_short(t), channel_ref(l, t));
            let n = edited + deleted;
            let lines = match n {
                1 => "the line posted".to_string(),
                n => format!("{n} lines posted"),
            };
            let with = super::other_org(l, org.as_deref(), org_name.as_deref(), away);
            let older = match dropped {
                0 => String::new(),
                d => tr!(
                    l,
                    format!("さらに古い {d} 件は記録しておらず取り下げられませんでした。チャンネルの履歴を確認してください。"),
                    format!(" {d} older ones were not kept to withdraw: look through the channel's history.")
                ),
            };
            Rendered::text(tr!(
                l,
                format!("🔒 トラブル {id}（{customer}）のチャンネル {channel} が{with}と共有されました（Slack コネクト）。共有先は過去の投稿も読めるため、社内向けに投稿していた {n} 件を取り下げました（お客様に見せられる形に編集 {edited} 件、削除 {deleted} 件）。内容はトラブルの記録に残っています。{older}"),
                format!("🔒 {channel}, the channel of trouble {id} ({customer}), was shared with {with} (Slack Connect), who can read what was posted there before: {lines} there for the team alone withdrawn ({edited} edited to what the customer may read, {deleted} deleted). They stay on the trouble's record.{older}")
            ))
        }
        Message::NoticeWithdrawn { together } => {
            // Its id alone: the team there can still find it, the newcomers read nothing of it.
            let ids = match together.is_empty() {
                true => t.id.to_string(),
                false => together.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(tr!(l, "、", ", ")),
            };
            Rendered::text(tr!(
                l,
                format!("🔒 トラブル {ids}: このチャンネルが社外と共有されたため（Slack コネクト）、告知の内容を取り下げました。参加者はトラブルのチャンネルで確認できます。"),
                format!("🔒 Trouble {ids}: this notice was withdrawn when the channel was shared with another organisation (Slack Connect). Those taking part find it in its own channel.")
            ))
        }
        // Nothing of what it said, nor why (the reason may be private): that it was, and when.
        Message::LineRedacted { at } => {
            let on = at.with_timezone(&config.policy.timezone).format("%Y-%m-%d");
            Rendered::text(tr!(
                l,
                format!("［{on} に管理者により削除されました］"),
                format!("[redacted by an administrator on {on}]")
            ))
        }
        Message::SharedChannelSkipped { channel } => Rendered::text(tr!(
            l,
            format!("⚠️ トラブル {} の告知を <#{}> には投稿しませんでした。このチャンネルは社外と共有されています（Slack コネクト）。告知先の設定を見直してください。", t.id, channel),
            format!("⚠️ Trouble {}'s announcement was not posted in <#{}>: that channel is shared outside the company (Slack Connect). Please review the announce channels in the configuration.", t.id, channel)
        )),
    }
}

/// People and departments made participants, as a list in a sentence: `<@U1>、品質保証部`,
/// `<@U1>, Quality Assurance`; with `pinged`, each department after its user group, as the
/// kickoff names them. A department no longer configured keeps its key, `+quality`.
pub fn participants_list(l: Locale, config: &Config, users: &[UserId], departments: &[String], pinged: bool) -> String {
    super::listed(
        l,
        users
            .iter()
            .map(user)
            .chain(departments_named(l, config, departments, pinged)),
    )
}

fn departments_named<'a>(
    l: Locale,
    config: &'a Config,
    departments: &'a [String],
    pinged: bool,
) -> impl Iterator<Item = String> + 'a {
    departments.iter().map(move |k| match config.policy.departments.get(k) {
        Some(d) => department_named(l, d, pinged),
        None => format!("+{}", escape(k)),
    })
}

/// The timeline line of `/trouble add` in the report, which names people as `@U…` (a mention
/// would ping them; the report writes their names in place of these).
pub fn participants_added(l: Locale, config: &Config, users: &[UserId], departments: &[String]) -> String {
    let people = users.iter().map(super::named);
    let who = super::listed(l, people.chain(departments_named(l, config, departments, false)));
    tr!(l, format!("参加者を追加: {who}"), format!("participants added: {who}"))
}

fn nudge(l: Locale, config: &Config, t: &Trouble, n: &Nudge) -> Rendered {
    let tz = config.policy.timezone;
    let waited = format_duration(l, n.waited_secs.max(0) as u64);
    // A promise someone else made (the owner before a hand-over, a colleague) is not "yours".
    let promiser = |p: DateTime<Utc>| {
        t.counted_updates()
            .rev()
            .find(|u| u.promised_next == Some(p))
            .map(|u| &u.by)
            .filter(|by| **by != n.owner)
    };
    let (you_ja, you_en) = match n.promise.and_then(promiser) {
        Some(by) => (format!("（{}が約束）", user(by)), user(by)),
        None => (String::new(), "you".to_string()),
    };
    // A rep with several troubles reads which customer waits in the notification itself.
    let customer = customer_short(t);
    let opening = match (n.promise, n.promise_missed) {
        (Some(p), false) => {
            let (ja, en) = match n.last_reminder {
                true => (
                    "。営業時間外のため、これがその前の最後のお知らせです。",
                    ". That is outside business hours, so this is the last reminder before it.",
                ),
                false => ("（まもなくです）。", " — it is coming up."),
            };
            tr!(
                l,
                format!("⏰ {} {customer}様に {} に次の報告をすると約束しています{you_ja}{ja}", user(&n.owner), format_promise(l, tz, p, t.promise_zone(p))),
                format!("⏰ {} {you_en} promised {customer} an update at {}{en}", user(&n.owner), format_promise(l, tz, p, t.promise_zone(p)))
            )
        }
        (Some(p), true) => tr!(
            l,
            format!(
                "⚠️ {} {customer}様に約束した報告の時刻 {}{you_ja} を過ぎています。{customer}様は{}待っています。",
                user(&n.owner),
                format_promise(l, tz, p, t.promise_zone(p)),
                waited
            ),
            format!(
                "⚠️ {} the update {you_en} promised {customer} for {} is overdue. {customer} has been waiting {}.",
                user(&n.owner),
                format_promise(l, tz, p, t.promise_zone(p)),
                waited
            )
        ),
        (None, _) if n.since_reopened => tr!(
            l,
            format!(
                "⏰ {} 再開から{}、{customer}様にはまだ報告していません。対応を再開したことと、いまの状況を伝えましょう。",
                user(&n.owner),
                waited
            ),
            format!(
                "⏰ {} {customer} has heard nothing from us in the {} since the trouble was reopened. Tell them it is being handled again and where things stand.",
                user(&n.owner),
                waited
            )
        ),
        (None, _) if !t.contacted() => tr!(
            l,
            format!(
                "⏰ {} 起票から{}、{customer}様にはまだ途中経過を伝えていません。原因が分からなくても、いまの状況を伝えましょう。",
                user(&n.owner),
                waited
            ),
            format!(
                "⏰ {} {customer} has heard nothing from us in the {} since the trouble was opened. Give them an update, even if the cause is not known yet.",
                user(&n.owner),
                waited
            )
        ),
        (None, _) => tr!(
            l,
            format!(
                "⏰ {} {customer}様は最後の報告から{}待っています。原因が分からなくても、途中経過を伝えましょう。",
                user(&n.owner),
                waited
            ),
            format!(
                "⏰ {} {customer} has heard nothing for {}. Give them an update, even if the cause is not known yet.",
                user(&n.owner),
                waited
            )
        ),
    };
    // The manager brought in reads what the customer was last told, and when, without
    // opening the status: on a phone, that is what following up starts from.
    let last_told = match t.counted_updates().last() {
        Some(u) => tr!(
            l,
            format!(
                "\n最後の報告（{}、{}）:「{}」",
                format_day_time(l, tz, u.at),
                user(&u.by),
                cut(&away(&u.text), 200)
            ),
            format!(
                "\nLast told to the customer ({}, {}): “{}”",
                format_day_time(l, tz, u.at),
                user(&u.by),
                cut(&away(&u.text), 200)
            )
        ),
        None => String::new(),
    };
    let manager = n
        .manager
        .as_ref()
        .map(|m| {
            let m = managers(m, n.named.as_ref());
            tr!(
                l,
                format!("\n{m} 報告が大きく遅れています。フォローをお願いします。{last_told}"),
                format!("\n{m} the customer update is well overdue; please follow up.{last_told}")
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
        actions("nudge", vec![log_update_button(l, &t.id)]),
    ];
    Rendered {
        text,
        blocks: Some(blocks),
    }
}

/// Who bears a cost, in the locale: 当社 / お客様 / 他社, "us" / "the customer" / "others".
pub fn payer_label(l: Locale, payer: Payer) -> &'static str {
    match payer {
        Payer::Ours => tr!(l, "当社", "us"),
        Payer::Customer => tr!(l, "お客様", "the customer"),
        Payer::Other => tr!(l, "他社", "others"),
    }
}

/// A split of responsibility, the same words everywhere: `当社 70% / お客様 30%`, `us 70% /
/// the customer 30%`, and others' share when they have one (`/ 他社 10%`, `/ others 10%`).
pub fn split_shares(l: Locale, ours: u8, customer: u8, other: u8) -> String {
    let others = match other {
        0 => String::new(),
        _ => tr!(l, format!(" / 他社 {other}%"), format!(" / others {other}%")),
    };
    tr!(
        l,
        format!("当社 {ours}% / お客様 {customer}%{others}"),
        format!("us {ours}% / the customer {customer}%{others}")
    )
}

/// Said at the end of the line of a channel made late: what the bot meant to post in it while
/// Slack refused it (`held`) follows, in order, and since when.
fn held_lines_follow(l: Locale, tz: chrono_tz::Tz, t: &Trouble, held: &crate::trouble::decide::HeldLines) -> String {
    let (id, count) = (&t.id, held.count);
    let since = format_day_time(l, tz, held.since);
    let mut text = tr!(
        l,
        match count {
            0 => format!("\n📥 チャンネルがなかったため、{since}からトラブル {id} の記録を投稿できませんでした。"),
            _ => format!("\n📥 チャンネルがなかったため{since}から投稿できなかったトラブル {id} の記録{count}件を、起きた順に続けて投稿します。"),
        },
        match count {
            0 => format!("\n📥 While it had no channel, the bot could not post the messages of trouble {id} since {since}."),
            1 => format!("\n📥 The message of trouble {id} the bot held for it since {since}, while it had no channel, follows."),
            _ => format!("\n📥 The {count} messages of trouble {id} the bot held for it since {since}, while it had no channel, follow, in the order they happened."),
        }
    );
    text.push_str(&left_out_of_held(l, count, held.left_out));
    text
}

/// How many held messages were not kept (`left_out`), said after the `count` that follow: with
/// none following (all left out beyond the cap, or dropped by a redaction), nothing is "more".
fn left_out_of_held(l: Locale, count: usize, left_out: u32) -> String {
    match (count, left_out) {
        (_, 0) => String::new(),
        (0, _) => tr!(
            l,
            format!("{left_out}件は保持できず、ここには続きません。タイムラインにはすべて残っています（`/trouble report`）。"),
            format!(" {left_out} could not be kept, and none follows here; the timeline has all of them (`/trouble report`).")
        ),
        _ => tr!(
            l,
            format!("ほかに{left_out}件は保持しきれませんでした。タイムラインにはすべて残っています（`/trouble report`）。"),
            format!(" {left_out} more could not be kept here; the timeline has all of them (`/trouble report`).")
        ),
    }
}

/// A refusal to create the trouble's channel, with the button that asks Slack again once the
/// app's permissions are fixed: while the core records the refusal (none asked since), never
/// from the channel's absence alone, which a creation under way shares.
fn with_create_channel_button(l: Locale, t: &Trouble, text: String) -> Rendered {
    if !t.channel_refused || !t.is_open() {
        return Rendered::text(text);
    }
    let text = tr!(
        l,
        format!("{text}直ったら、下のボタンでチャンネルの作成をもう一度依頼できます。"),
        format!("{text} Once they are fixed, ask for the channel again with the button below.")
    );
    Rendered {
        blocks: Some(vec![
            section(&text),
            actions("channel", vec![create_channel_button(l, &t.id, true)]),
        ]),
        text,
    }
}

/// The button that asks Slack again for a channel it refused: on the refusal's DM, the
/// managers' DMs and in App Home for whoever else may ask; `primary` (green) where it is the
/// one thing asked, never beside Acknowledge, the first move, which must not wait.
pub(super) fn create_channel_button(l: Locale, id: &TroubleId, primary: bool) -> Button {
    button(
        Action::CreateChannel.id(),
        tr!(l, "チャンネルの作成を再試行", "Try creating the channel again"),
        &ButtonValue::trouble(id.as_str()).encode(),
        primary,
    )
    .labelled(&tr!(
        l,
        format!("トラブル {id} のチャンネルの作成を再試行"),
        format!("Try creating the channel of trouble {id} again")
    ))
}

/// The button that opens the customer-update form, on nudges and the first-call checklist.
pub(super) fn log_update_button(l: Locale, id: &TroubleId) -> Button {
    button(
        Action::LogUpdate.id(),
        tr!(l, "報告を記録", "Log update"),
        &ButtonValue::trouble(id.as_str()).encode(),
        true,
    )
    .labelled(&tr!(
        l,
        format!("トラブル {id} のお客様への報告を記録"),
        format!("Log a customer update on trouble {id}")
    ))
}

/// Who bears a cost, as someone wrote it: in the locale when it names a payer (`ours`, `当社`,
/// `customer`…: [`payer_label`]), else as written (neutralised for `place`).
pub fn payer_text(l: Locale, written: &str, place: Where) -> String {
    parse_payer(written)
        .map(|p| payer_label(l, p).to_string())
        .unwrap_or_else(|| one_line(written, place))
}

/// A cost as one phrase: the parsed amount and payer when they parse, else as written
/// (neutralised for `place`).
pub fn cost_phrase(l: Locale, c: &Cost, place: Where) -> String {
    written_cost_phrase(l, &c.amount, &c.payer, place)
}

/// [`cost_phrase`] of an amount and a payer as written (a correction's old and new cost).
pub fn written_cost_phrase(l: Locale, amount: &str, payer: &str, place: Where) -> String {
    // `cost 0 ours`, `¥0`, `$0`: one outcome, that nobody pays, read alike whatever was typed.
    if crate::trouble::record::costs_nothing(amount) {
        return tr!(l, "費用負担なし", "no cost").to_string();
    }
    let unescaped = crate::trouble::markup::unescape(amount);
    let amount = parse_amount(&unescaped)
        .map(|m| m.to_string())
        .unwrap_or_else(|| one_line(amount, place));
    let payer = payer_text(l, payer, place);
    tr!(
        l,
        format!("{amount}（{payer}負担）"),
        format!("{amount} (borne by {payer})")
    )
}

/// The running totals of costs per payer and currency: `当社 ¥240,000 · お客様 $10.00`.
pub fn cost_totals_text(l: Locale, costs: &[Cost]) -> Option<String> {
    // A payer whose costs are all `¥0` bore nothing: "borne by us ¥0" beside "no cost" says it twice.
    let mut totals = cost_totals(costs);
    totals.retain(|_, minor| *minor != 0);
    if totals.is_empty() {
        return None;
    }
    Some(
        totals
            .iter()
            .map(|((payer, currency), minor)| {
                let m = crate::trouble::money::Money {
                    currency: *currency,
                    minor: *minor,
                };
                tr!(
                    l,
                    format!("{} {m}", payer_label(l, *payer)),
                    format!("borne by {} {m}", payer_label(l, *payer))
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
    )
}

/// One line in the trouble's channel per change to the record.
fn record_line(l: Locale, config: &Config, by: &UserId, what: &Record) -> String {
    let tz = config.policy.timezone;
    let who = user(by);
    let tail = |note: &str| {
        if note.trim().is_empty() {
            String::new()
        } else {
            format!(" — {}", here(note))
        }
    };
    match what {
        Record::Update {
            text,
            promised_next,
            promised_zone,
        } => {
            let zone = promised_zone.as_deref().and_then(crate::trouble::zone::zone_of);
            let next = promised_next.map(|p| format_promise(l, tz, p, zone));
            tr!(
                l,
                format!(
                    "📞 {who}がお客様へ報告:「{}」{}",
                    here(text),
                    next.map(|n| format!(" · 次回連絡の約束 {n}")).unwrap_or_default()
                ),
                format!(
                    "📞 {who} told the customer: “{}”{}",
                    here(text),
                    next.map(|n| format!(" · next contact promised by {n}"))
                        .unwrap_or_default()
                )
            )
        }
        // Said without its reason in a channel shared with the customer (the team's, as a note is).
        Record::UpdateWithdrawn { n, text, reason } if reason.trim().is_empty() => tr!(
            l,
            format!(
                "✏️ お客様への報告 #{n} を{who}が取り消しました（取り消した報告:「{}」）",
                cut(&here(text), 200)
            ),
            format!(
                "✏️ Update #{n} withdrawn by {who} (it said: “{}”)",
                cut(&here(text), 200)
            )
        ),
        Record::UpdateWithdrawn { n, text, reason } => tr!(
            l,
            format!(
                "✏️ お客様への報告 #{n} を{who}が取り消しました: {}（取り消した報告:「{}」）",
                here(reason),
                cut(&here(text), 200)
            ),
            format!(
                "✏️ Update #{n} withdrawn by {who}: {} (it said: “{}”)",
                here(reason),
                cut(&here(text), 200)
            )
        ),
        Record::Note { text } => tr!(
            l,
            format!("📝 {who}がメモを記録: {}", here(text)),
            format!("📝 {who} noted: {}", here(text))
        ),
        Record::Split {
            ours,
            customer,
            other,
            reason,
        } => tr!(
            l,
            format!(
                "⚖️ {who}が責任区分を提案: {}{}",
                split_shares(l, *ours, *customer, *other),
                tail(reason)
            ),
            format!(
                "⚖️ {who} proposed the split: {}{}",
                split_shares(l, *ours, *customer, *other),
                tail(reason)
            )
        ),
        Record::Cost { amount, payer, note } => {
            let c = Cost {
                amount: amount.clone(),
                payer: payer.clone(),
                note: note.clone(),
                by: by.clone(),
                at: DateTime::<Utc>::default(),
            };
            // Nothing to pay asks nobody: the line says so, as no proposal follows it.
            let free = match crate::trouble::approval::costs_nothing(&c) {
                true => tr!(
                    l,
                    format!("（{}）", super::agreement::nothing_to_approve(l)),
                    format!(" — {}", super::agreement::nothing_to_approve(l))
                ),
                false => String::new(),
            };
            tr!(
                l,
                format!(
                    "💴 {who}が費用を記録: {}{free}{}",
                    cost_phrase(l, &c, Where::OwnChannel),
                    tail(note)
                ),
                format!(
                    "💴 {who} recorded a cost: {}{free}{}",
                    cost_phrase(l, &c, Where::OwnChannel),
                    tail(note)
                )
            )
        }
        Record::Measure { text } => tr!(
            l,
            format!("🛡️ {who}が再発防止策を追加: {}", here(text)),
            format!("🛡️ {who} added a prevention measure: {}", here(text))
        ),
        Record::Owner { from, to, actions } => {
            let numbers = super::numbers(l, actions);
            let with = match actions.is_empty() {
                true => String::new(),
                false => tr!(
                    l,
                    format!("（未完了の対策 {numbers} も引き継ぎ）"),
                    format!(", with their open actions {numbers}")
                ),
            };
            tr!(
                l,
                format!("👤 {who}が担当営業を {} から {} に変更{with}", user(from), user(to)),
                format!("👤 {who} handed the trouble from {} to {}{with}", user(from), user(to))
            )
        }
        Record::Manager { from, to } => match from {
            Some(f) => tr!(
                l,
                format!("👤 {who}が上司を {} から {} に変更", user(f), user(to)),
                format!("👤 {who} changed the manager from {} to {}", user(f), user(to))
            ),
            None => tr!(
                l,
                format!("👤 {who}が {} を上司に指名", user(to)),
                format!("👤 {who} named {} the manager", user(to))
            ),
        },
    }
}

/// The status message's record: what the customer was last told, the costs, the measures.
fn record_blocks(l: Locale, config: &Config, t: &Trouble) -> Vec<Block> {
    let tz = config.policy.timezone;
    let mut blocks = Vec::new();
    if let Some(u) = t.counted_updates().last() {
        // A promise that no longer stands (closed, or reopened since) is not shown as one.
        let promise = t
            .standing_promise()
            .map(|p| {
                tr!(
                    l,
                    format!("\n次回連絡の約束: {}", format_promise(l, tz, p, t.promise_zone(p))),
                    format!(
                        "\nNext contact promised by {}",
                        format_promise(l, tz, p, t.promise_zone(p))
                    )
                )
            })
            .unwrap_or_default();
        blocks.push(section(&tr!(
            l,
            format!(
                "*お客様に最後に伝えた内容*（{}、{}）\n{}{}",
                format_day_time(l, tz, u.at),
                user(&u.by),
                quoted(&u.text, Where::OwnChannel),
                promise
            ),
            format!(
                "*Last told to the customer* ({}, {})\n{}{}",
                format_day_time(l, tz, u.at),
                user(&u.by),
                quoted(&u.text, Where::OwnChannel),
                promise
            )
        )));
    }
    if !t.costs.is_empty() {
        // The totals first: a long list of costs is what gets cut to Slack's limits, never them.
        let mut lines = Vec::new();
        if let Some(totals) = super::agreement::totals_text(l, t) {
            lines.push(tr!(
                l,
                format!("*負担者別の合計* {totals}"),
                format!("*Totals* {totals}")
            ));
        }
        if let Some(shares) = super::agreement::shares_text(l, t) {
            lines.push(tr!(
                l,
                format!("*責任区分による分担* {shares}"),
                format!("*With the split applied* {shares}")
            ));
        }
        let costs = t.costs.iter().enumerate().map(|(i, c)| {
            // The note quoted: the proposal's state follows on this line.
            let cost = super::agreement::cost_with_note(l, c, Where::OwnChannel);
            let line = format!("• #{} {cost}", i + 1);
            let line = super::agreement::with_item_state(l, t, Item::Cost { n: i + 1 }, Where::OwnChannel, line);
            super::lists::Item {
                n: i + 1,
                line,
                weight: super::lists::Weight::Shown,
            }
        });
        // The totals go with the heading: a long list of costs goes on below them, never they.
        lines.insert(0, tr!(l, "*補償・費用*", "*Costs*").to_string());
        let long = super::lists::Long {
            max: super::stages::MAX_STATUS_LINES,
            folds: None,
        };
        blocks.extend(super::lists::sections(l, &lines.join("\n"), costs.collect(), long));
    }
    if !t.measures.is_empty() {
        let lines = t.measures.iter().enumerate().map(|(i, m)| super::lists::Item {
            n: i + 1,
            line: format!("• {}", here(&m.text)),
            weight: super::lists::Weight::Shown,
        });
        let long = super::lists::Long {
            max: super::stages::MAX_STATUS_LINES,
            folds: None,
        };
        let heading = tr!(l, "*再発防止策*", "*Prevention measures*");
        blocks.extend(super::lists::sections(l, heading, lines.collect(), long));
    }
    blocks
}

/// The kickoff's first-contact field: the deadline until it is met, then when it was, and by
/// how much it was late when it was (a ✅ alone would pass a late first call for one in time).
/// Until it is met, the deadline is the one the status shows and the nudges go by: a trouble
/// reopened past its deadline owes its customer word a cadence after the reopening, not the
/// first call of an opening days before, and its call is judged by that; a closed one owes
/// nothing more, and its record keeps that the call was never made, once it was owed.
fn first_contact_field(l: Locale, config: &Config, t: &Trouble) -> String {
    let tz = config.policy.timezone;
    match first_contact_made(t) {
        Some(at) => {
            let due = first_contact_judged_by(&config.policy, t, at);
            match at > due {
                true => {
                    // To the minute: seconds late are noise on a phone.
                    let secs = (at - due).num_seconds().max(0) as u64;
                    let late = format_duration(l, if secs >= 60 { secs / 60 * 60 } else { secs });
                    tr!(
                        l,
                        format!(
                            "⚠️ {}（期限 {} から{late}遅れ）",
                            format_day_time(l, tz, at),
                            format_day_time(l, tz, due)
                        ),
                        format!(
                            "⚠️ {} ({late} after the deadline, {})",
                            format_day_time(l, tz, at),
                            format_day_time(l, tz, due)
                        )
                    )
                }
                false => format!("✅ {}", format_day_time(l, tz, at)),
            }
        }
        // Closed past its deadline, the call was missed; closed before it (a duplicate, say),
        // nothing was owed yet.
        None => match &t.closed {
            Some(c) if c.at > first_contact_judged_by(&config.policy, t, c.at) => {
                tr!(l, "❌ 未実施", "❌ never made").into()
            }
            Some(_) => "—".into(),
            // Past its deadline by when the status was last drawn, overdue as the status says.
            None => {
                let due = config.policy.customer_owed_by(t);
                let at = format_day_time(l, tz, due);
                match t.status_as_of.is_some_and(|now| due <= now) {
                    true => super::overdue_since(l, &at),
                    false => tr!(l, format!("⏳ 期限 {at}"), format!("⏳ due by {at}")),
                }
            }
        },
    }
}

/// The first-call checklist (初動): what the first call to the customer must carry.
fn first_contact(
    l: Locale,
    config: &Config,
    t: &Trouble,
    owner: &UserId,
    manager: Option<String>,
    due: DateTime<Utc>,
) -> Rendered {
    let tz = config.policy.timezone;
    // The allowance, as configured: opened on a Friday evening, the deadline is days of the
    // calendar away, but it is still "1h of business hours".
    let allowance = format_duration(
        l,
        crate::trouble::first_contact::within(&config.policy, t)
            .num_seconds()
            .max(0) as u64,
    );
    let since = match config.policy.business_hours {
        Some(_) => tr!(
            l,
            format!("起票から営業時間で{allowance}"),
            format!("{allowance} of business hours after opening")
        ),
        None => tr!(l, format!("起票から{allowance}"), format!("{allowance} after opening")),
    };
    // The customer named, as the nudges name them: a phone's notification says which trouble.
    let customer = customer_short(t);
    let opening = match manager {
        None => tr!(
            l,
            format!("📞 {} {customer}様にはまだ連絡が記録されていません。初回連絡の期限は {}（{}）です。", user(owner), format_day_time(l, tz, due), since),
            format!("📞 {} {customer} has not heard from us yet. The first call is due by {} ({}).", user(owner), format_day_time(l, tz, due), since)
        ),
        Some(m) => tr!(
            l,
            format!("⚠️ {} {customer}様への初回連絡の期限 {} を過ぎました。\n{m} 初回連絡がまだです。フォローをお願いします。", user(owner), format_day_time(l, tz, due)),
            format!("⚠️ {} the first call to {customer} was due by {}.\n{m} {customer} has not heard from us yet; please follow up.", user(owner), format_day_time(l, tz, due))
        ),
    };
    let checklist = tr!(
        l,
        "*初回連絡のチェックリスト*\n1. お詫び — まずご迷惑をおかけしたことを謝る\n2. 伺った事実の復唱 — いつ・どこで・何が・いくつ\n3. 現品の返却のお願い — 回収の方法と送り先\n4. 当面の対応 — 代替品・応急処置\n5. 次回の連絡日時の約束",
        "*First call checklist*\n1. Apologise — first, for the trouble caused\n2. Repeat back the facts you heard — when, where, what, how many\n3. Ask for the affected goods back — how and where to send them\n4. The interim measure — replacement, workaround\n5. When we will call next"
    );
    let blocks = vec![
        section(&opening),
        section(checklist),
        actions("first_contact", vec![log_update_button(l, &t.id)]),
    ];
    // The checklist in the text too: a screen reader reads the text, never the blocks, and the
    // checklist is what this message is for. A phone's notification still starts with the ask.
    Rendered {
        text: format!("{opening}\n{checklist}"),
        blocks: Some(blocks),
    }
}

/// The kickoff of a closed trouble: closed by whom and when, and where its report is.
fn closed_line(l: Locale, config: &Config, t: &Trouble, c: &crate::trouble::model::Closure) -> String {
    let report = match t.last_report.as_ref().and_then(|r| r.message.as_ref()) {
        Some(m) => {
            let link = format!(
                "https://slack.com/archives/{}/p{}",
                m.channel,
                m.ts.as_str().replace('.', "")
            );
            tr!(l, format!(" · <{link}|報告書>"), format!(" · <{link}|the report>"))
        }
        // Closing posts the report and the link follows once Slack has it; until then, and in
        // a channel shared with the customer, where the internal report is never posted, the
        // kickoff promises nothing.
        None => String::new(),
    };
    format!("{}{report}", closed_by(l, config, c))
}

/// `🏁 Closed Mon 2026-12-07 09:30 by @x`: the kickoff's closing line without the report.
/// Who closed `t` and when, while it is closed, or who reopened it since (`reopened_note`):
/// under a notice of its opening. A private trouble's reason stays in its channel, as its
/// reopening's own notice leaves it out.
pub(super) fn closed_note(l: Locale, config: &Config, t: &Trouble) -> Option<String> {
    match &t.closed {
        Some(c) => Some(closed_by(l, config, c)),
        None => reopened_note(l, config, t, (!kept_in_channel(config, t)).then_some(Where::Elsewhere)),
    }
}

/// `🔄 Reopened Mon 2026-12-07 09:30 by @x: the cracks came back`: where the 🏁 line stood while
/// it was closed, once it is open again, so nobody reads it as never closed (the report says it
/// too). None while it is closed, or was never reopened. The reason typed is written for
/// `reason_in` (None: left out, for those who may not read the trouble).
pub(super) fn reopened_note(l: Locale, config: &Config, t: &Trouble, reason_in: Option<Where>) -> Option<String> {
    let r = t.substance.reopening.as_ref().filter(|_| t.is_open())?;
    let when = format_day_time(l, config.policy.timezone, r.at);
    let why = match r.not_effective {
        Some(n) => tr!(
            l,
            format!("（再発防止策 #{n} の効果確認で「効果なし」）"),
            format!(": prevention action #{n} found not effective")
        ),
        None => match reason_in.filter(|_| !r.reason.trim().is_empty()) {
            None => String::new(),
            Some(place) => {
                let reason = cut(&one_line(&r.reason, place), 200);
                tr!(l, format!("（理由: {reason}）"), format!(": {reason}"))
            }
        },
    };
    Some(tr!(
        l,
        format!("🔄 {when} に {}が再開しました{why}", user(&r.by)),
        format!("🔄 Reopened {when} by {}{why}", user(&r.by))
    ))
}

fn closed_by(l: Locale, config: &Config, c: &crate::trouble::model::Closure) -> String {
    let when = format_day_time(l, config.policy.timezone, c.at);
    tr!(
        l,
        format!("🏁 {} に {}がクローズしました", when, user(&c.by)),
        format!("🏁 Closed {} by {}", when, user(&c.by))
    )
}

/// What a closing leaves on the record, in a few lines: stages, customer updates, split,
/// costs by payer, measures.
fn closing_summary(l: Locale, t: &Trouble) -> String {
    let done = t.stages.iter().filter(|s| s.state == StageState::Done).count();
    let took = format_duration(
        l,
        (t.closed.as_ref().map_or(t.opened_at, |c| c.at) - t.opened_at)
            .num_seconds()
            .max(0) as u64,
    );
    let mut lines = vec![tr!(
        l,
        format!(
            "起票から{took} · 完了した段階 {done}/7 · お客様への報告 {}回 · 再発防止策 {}件",
            t.counted_updates().count(),
            crate::trouble::actions::prevention_count(t)
        ),
        format!(
            "{took} after opening · stages done {done}/7 · customer updates {} · prevention measures {}",
            t.counted_updates().count(),
            crate::trouble::actions::prevention_count(t)
        )
    )];
    // The split as it counts, as the totals below and `history` count it: a rejected one is no
    // split, and an approved one stands while a correction of it waits.
    if let Some(s) = crate::trouble::approval::counted_split(t) {
        let shares = split_shares(l, s.ours, s.customer, s.other);
        lines.push(tr!(l, format!("責任区分 {shares}"), format!("Split: {shares}")));
    }
    if let Some(totals) = super::agreement::totals_text(l, t) {
        lines.push(tr!(l, format!("費用 {totals}"), format!("Costs {totals}")));
    }
    lines.join("\n")
}

/// Our share summed over troubles, each with its own split applied, as `stats` counts it: said
/// after the totals by payer when any trouble had a split, since a split can make us bear what
/// a cost's payer word puts on the customer (` · our share with each split applied ¥700,000`).
pub fn our_share_total_text(
    l: Locale,
    any_split: bool,
    shares: impl Iterator<Item = std::collections::BTreeMap<crate::trouble::money::Currency, i64>>,
) -> String {
    if !any_split {
        return String::new();
    }
    let mut sum: std::collections::BTreeMap<crate::trouble::money::Currency, i64> = Default::default();
    for share in shares {
        for (currency, minor) in share {
            let s = sum.entry(currency).or_insert(0);
            *s = s.saturating_add(minor);
        }
    }
    let amounts: Vec<String> = sum
        .into_iter()
        .map(|(currency, minor)| crate::trouble::money::Money { currency, minor }.to_string())
        .collect();
    if amounts.is_empty() {
        return String::new();
    }
    tr!(
        l,
        format!(" · 責任区分を適用した当社分 {}", amounts.join(" · ")),
        format!(" · our share with each split applied {}", amounts.join(" · "))
    )
}

/// The customer's past troubles and the running balance, in the kickoff thread at opening and
/// again in the channel when the split is being settled.
fn customer_history(l: Locale, config: &Config, t: &Trouble) -> (String, Option<String>) {
    let lines: Vec<String> = t
        .past
        .iter()
        .map(|p| super::report::past_trouble_line(l, config, p, Where::OwnChannel))
        .collect();
    let costs: Vec<Cost> = t.past.iter().flat_map(|p| p.costs.clone()).collect();
    let with_split = t.past.iter().any(|p| p.split.is_some());
    let ours = our_share_total_text(
        l,
        with_split,
        t.past
            .iter()
            .map(|p| crate::trouble::approval::borne_by_us(p.split.as_ref(), &p.costs)),
    );
    let balance = cost_totals_text(l, &costs).map(|b| format!("{b}{ours}")).map(|b| {
        tr!(
            l,
            format!("*これまでの負担の累計* {b}"),
            format!("*Running balance* {b}")
        )
    });
    let (customer, shown, lines) = (cut(&here(&t.customer), 200), t.past.len(), lines.join("\n"));
    // Shown again at the split, the list counts the customer's troubles opened since this one:
    // "past" would misdate them.
    let list = match t.past.iter().any(|p| p.opened_at > t.opened_at) {
        true => tr!(
            l,
            format!("📚 {customer}様とのこの件以外のトラブル（後から起票されたものを含む・直近{shown}件）\n{lines}"),
            format!("📚 Troubles with {customer} besides this one, including later ones (last {shown})\n{lines}")
        ),
        false => tr!(
            l,
            format!("📚 {customer}様との過去のトラブル（直近{shown}件）\n{lines}"),
            format!("📚 Past troubles with {customer} (last {shown})\n{lines}")
        ),
    };
    (list, balance)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::trouble::command::OpenRequest;
    use crate::trouble::decide::{open, Ctx};
    use crate::trouble::model::{ChannelId, Origin, TroubleId};

    /// Its only measure found not effective, the status says what the close's refusal says is
    /// missing: a new measure, and why #1 no longer counts.
    #[test]
    fn the_status_says_a_new_measure_is_missing_as_the_close_refusal_does() {
        use crate::trouble::actions::{Action, ActionKind};
        let (config, mut t) = hostile();
        let owner = t.owner.clone();
        t.substance.actions.push(Action {
            kind: ActionKind::Prevent,
            text: "Mold temperature alarm".into(),
            owner: owner.clone(),
            due: None,
            check: None,
            by: owner,
            at: t.opened_at,
            done: None,
            verified: None,
            effective: Some(false),
            judged: None,
            cancelled: None,
            round: 0,
        });
        for l in [Locale::En, Locale::Ja] {
            let status = all_stages_done(l, &config, &t);
            assert!(
                status.contains(&crate::i18n::measure_missing(l, &[1])),
                "{l:?}: {status}"
            );
        }
    }

    /// A trouble whose every typed field tries to ping, link and forge.
    pub(in crate::i18n) fn hostile() -> (Config, Trouble) {
        let config = Config::from_sources(
            Some("[departments.quality]\nname = \"QA <!here>\"\nusergroup = \"S0QUALITY\"\nmembers = []\n[severity.1]\ndepartments = [\"quality\"]"),
            &Default::default(),
        )
        .expect("config");
        let hostile = "x <!channel> <!here|here> <!everyone> <!subteam^S123|@devs> <http://evil|click> <@U0QA1|sato>\n# forged\n\u{1b}[31m\u{202e}";
        let req = OpenRequest {
            severity: Some(Severity::new(1)),
            manager: Some(UserId::new("U0MANAGER")),
            departments: vec![],
            customer: hostile.into(),
            summary: hostile.into(),
            past: Vec::new(),
        };
        let ctx = Ctx {
            policy: &config.policy,
            now: chrono::DateTime::UNIX_EPOCH,
        };
        let origin = Origin {
            channel: ChannelId::new("C0ORIGIN"),
            response_url: None,
            by: None,
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

    /// However long the list of past troubles, the fallback text keeps the running balance.
    #[test]
    fn the_history_fallback_text_keeps_the_running_balance_however_long_the_list() {
        let (config, mut t) = hostile();
        let mut past = crate::trouble::customer::PastTrouble::from(&t);
        past.summary = "cracked housings ".repeat(40);
        let cost = |amount: &str, payer: &str| Cost {
            amount: amount.into(),
            payer: payer.into(),
            note: String::new(),
            by: UserId::new("U0SALES"),
            at: chrono::DateTime::UNIX_EPOCH,
        };
        for payer in ["ours", "customer", "other"] {
            for amount in ["¥1,234,567,890", "$12,345,678.90", "€12,345,678.90"] {
                past.costs.push(cost(amount, payer));
            }
        }
        past.costs.push(cost(&"about three pallets ".repeat(20), "ours"));
        t.past = vec![past; 5];
        for l in [Locale::Ja, Locale::En] {
            let text = render(l, &config, &t, &Message::CustomerHistory).text;
            let balance = tr!(l, "*これまでの負担の累計*", "*Running balance*");
            assert!(text.contains(balance), "{text}");
        }
    }

    /// Others are named in a split only when they bear a share.
    #[test]
    fn a_split_names_others_only_when_they_bear_a_share() {
        assert_eq!(split_shares(Locale::En, 70, 30, 0), "us 70% / the customer 30%");
        assert_eq!(split_shares(Locale::Ja, 60, 30, 10), "当社 60% / お客様 30% / 他社 10%");
    }

    #[test]
    fn typed_text_never_pings_from_elsewhere_and_never_broadcasts_or_links() {
        let (config, mut t) = hostile();
        // Corrected since it was reported: the words first reported are shown beside it too.
        t.as_reported = Some(crate::trouble::model::AsReported {
            customer: format!("{} (old)", t.customer),
            summary: format!("{} (old)", t.summary),
        });
        let by = UserId::new("U0SALES");
        let own = [
            Message::Kickoff,
            Message::Status,
            Message::StageChanged {
                stage: StageId::Scope,
                done: true,
                by: by.clone(),
                note: t.summary.clone(),
            },
            Message::Closed {
                by: by.clone(),
                forced_reason: Some(t.summary.clone()),
                note: None,
                report_withheld: false,
            },
        ];
        let elsewhere = [
            Message::ManagerDm,
            Message::OriginNotice,
            Message::Announcement,
            Message::ReopenedNotice {
                by: by.clone(),
                reason: t.summary.clone(),
                not_effective: None,
            },
            Message::AnnouncedNoLonger {
                by: by.clone(),
                why: crate::trouble::decide::NoLonger::Reopened {
                    reason: t.summary.clone(),
                    not_effective: None,
                },
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 60,
                passed_over: None,
                new_to_chain: None,
                asked_before: Vec::new(),
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 0,
                passed_over: Some(by.clone()),
                new_to_chain: None,
                asked_before: Vec::new(),
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 0,
                passed_over: None,
                new_to_chain: Some(crate::trouble::decide::NewToChain::Manager),
                asked_before: Vec::new(),
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 0,
                passed_over: None,
                new_to_chain: Some(crate::trouble::decide::NewToChain::Reopened),
                asked_before: vec![crate::trouble::decide::AskedBefore {
                    who: by.clone(),
                    secs_ago: Some(3600),
                }],
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 7200,
                passed_over: None,
                new_to_chain: Some(crate::trouble::decide::NewToChain::OwnersManagerNow),
                asked_before: Vec::new(),
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 3600,
                passed_over: None,
                new_to_chain: Some(crate::trouble::decide::NewToChain::AckWithdrawn),
                asked_before: Vec::new(),
            },
            Message::EscalationMention {
                to: by.clone(),
                waited_secs: 3600,
                passed_over: None,
                new_to_chain: Some(crate::trouble::decide::NewToChain::AckWithdrawn),
            },
            Message::EscalationDm {
                to: by.clone(),
                waited_secs: 0,
                passed_over: Some(by.clone()),
                new_to_chain: Some(crate::trouble::decide::NewToChain::BelowAway {
                    away: crate::trouble::model::Away {
                        why: crate::trouble::model::Absence::Sick,
                        until: Some(t.opened_at),
                    },
                }),
                asked_before: Vec::new(),
            },
            Message::EscalationMention {
                to: by.clone(),
                waited_secs: 0,
                passed_over: Some(by.clone()),
                new_to_chain: Some(crate::trouble::decide::NewToChain::BelowAway {
                    away: crate::trouble::model::Away {
                        why: crate::trouble::model::Absence::OutOfOffice,
                        until: None,
                    },
                }),
            },
            Message::OwnerAway {
                owner: by.clone(),
                manager: by.clone(),
                named: Some(by.clone()),
                away: crate::trouble::model::Away {
                    why: crate::trouble::model::Absence::Vacation,
                    until: None,
                },
                waited_secs: 3600,
            },
            Message::ActionOwnerAway {
                n: 1,
                who: by.clone(),
                away: crate::trouble::model::Away {
                    why: crate::trouble::model::Absence::Sick,
                    until: None,
                },
                owner_away: Some(crate::trouble::model::Away {
                    why: crate::trouble::model::Absence::Vacation,
                    until: None,
                }),
            },
            Message::FarPromise {
                by: by.clone(),
                promise: t.opened_at,
                ahead_secs: 86_400 * 13,
                severity: Severity::new(1),
                manager: by.clone(),
                named: Some(by.clone()),
            },
            Message::HandedToAway {
                to: by.clone(),
                by: by.clone(),
                manager: Some(by.clone()),
                named: Some(by.clone()),
                away: crate::trouble::model::Away {
                    why: crate::trouble::model::Absence::Travelling,
                    until: None,
                },
            },
            Message::EscalationDmSettled {
                asked_again: true,
                to: None,
            },
            Message::SeverityRaised {
                from: Severity::new(2),
                to: Severity::new(1),
                reason: t.summary.clone(),
                by: Some(by.clone()),
                brought: vec!["quality".into()],
            },
            Message::SeverityLowered {
                by: by.clone(),
                from: Severity::new(1),
                to: Severity::new(2),
                reason: t.summary.clone(),
                cadence_withheld: false,
            },
            Message::LoweredAboveYou {
                by: by.clone(),
                from: Severity::new(1),
                to: Severity::new(3),
                reason: t.summary.clone(),
            },
            Message::DeliveryProblem {
                method: "chat.postMessage".into(),
                error: t.summary.clone(),
            },
            Message::ChannelNotCreated {
                error: t.summary.clone(),
                again: false,
            },
            Message::ChannelNotCreated {
                error: t.summary.clone(),
                again: true,
            },
            Message::ChannelLost {
                how: ChannelLoss::Archived,
                by: Some(by.clone()),
            },
            Message::NamedManager {
                by: by.clone(),
                to: Some(by.clone()),
            },
            Message::HandedToYourReport {
                by: by.clone(),
                to: by.clone(),
            },
            Message::NoLongerManager {
                by: by.clone(),
                to: by.clone(),
                handed_to: None,
                above: false,
                yours: false,
                by_you: false,
            },
            Message::NoLongerManager {
                by: by.clone(),
                to: by.clone(),
                handed_to: Some(by.clone()),
                above: true,
                yours: false,
                by_you: false,
            },
            Message::ActionsLeftOpen {
                to: by.clone(),
                by: by.clone(),
            },
            Message::ActionChanged {
                to: by.clone(),
                by: by.clone(),
                event: crate::trouble::facts::StepEvent::ActionCancelled {
                    n: 1,
                    reason: t.summary.clone(),
                },
            },
            Message::ActionChanged {
                to: by.clone(),
                by: by.clone(),
                event: crate::trouble::facts::StepEvent::ActionCorrected {
                    n: 1,
                    change: crate::trouble::actions::ActionChange {
                        text: Some(crate::trouble::actions::Changed {
                            from: t.summary.clone(),
                            to: t.summary.clone(),
                        }),
                        ..Default::default()
                    },
                },
            },
            Message::AddedBack {
                user: by.clone(),
                owner: true,
                asked: false,
            },
            Message::AddedBack {
                user: by.clone(),
                owner: false,
                asked: true,
            },
            Message::ClosedNotice {
                by: by.clone(),
                forced_reason: Some(t.summary.clone()),
            },
            Message::AnnouncedNoLonger {
                by: by.clone(),
                why: crate::trouble::decide::NoLonger::Lowered {
                    from: Severity::new(1),
                    to: Severity::new(3),
                    reason: t.summary.clone(),
                },
            },
            Message::AnnouncedNoLonger {
                by: by.clone(),
                why: crate::trouble::decide::NoLonger::Closed {
                    forced_reason: Some(t.summary.clone()),
                },
            },
            Message::AnnouncedNoLonger {
                by: by.clone(),
                why: crate::trouble::decide::NoLonger::Closed { forced_reason: None },
            },
            Message::AnnouncedNoLonger {
                by: by.clone(),
                why: crate::trouble::decide::NoLonger::Corrected {
                    summary: true,
                    from: t.summary.clone(),
                    to: t.customer.clone(),
                },
            },
            Message::CustomerStillWaiting {
                waited_secs: 16 * 3600,
                manager: by.clone(),
                last_contact: None,
            },
            Message::CustomerWaitSettled {
                by: by.clone(),
                at: t.opened_at,
                promise: Some(t.opened_at),
            },
            Message::CustomerWaitOver { newer: true },
            Message::CustomerWaitOver { newer: false },
            Message::UpdateWithdrawnNotice { n: 1, by: by.clone() },
            Message::PromiseMadeForYou { n: 1, by: by.clone() },
            Message::CauseReplacedNotice {
                by: by.clone(),
                old: Some(t.summary.clone()),
                old_escape: None,
            },
            Message::CauseReplacedNotice {
                by: by.clone(),
                old: Some(t.summary.clone()),
                old_escape: Some(t.customer.clone()),
            },
            Message::CauseReplacedNotice {
                by: by.clone(),
                old: None,
                old_escape: Some(t.customer.clone()),
            },
            Message::OpeningCorrectedNotice {
                by: by.clone(),
                summary: true,
                from: t.summary.clone(),
                to: t.customer.clone(),
            },
            Message::OverruledNotice {
                by: by.clone(),
                overruled: crate::trouble::decide::Overruled::ForcedClose {
                    reason: t.summary.clone(),
                },
            },
            Message::OverruledNotice {
                by: by.clone(),
                overruled: crate::trouble::decide::Overruled::Lowered {
                    from: Severity::new(1),
                    to: Severity::new(3),
                    reason: t.summary.clone(),
                },
            },
            Message::ClosedNotice {
                by: by.clone(),
                forced_reason: None,
            },
            Message::AddedBack {
                user: by.clone(),
                owner: false,
                asked: false,
            },
            Message::PinnedAgain {
                user: by.clone(),
                slot: crate::trouble::decide::Slot::Kickoff,
            },
            Message::PinnedAgain {
                user: by.clone(),
                slot: crate::trouble::decide::Slot::Status,
            },
            Message::WorkUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                actions: vec![1, 2],
            },
            Message::OwnerUnreachable {
                owner: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NotVisible,
                manager: Some(by.clone()),
                named: Some(by.clone()),
                actions: vec![1, 2],
            },
            Message::OwnerUnreachable {
                owner: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NoSuchPerson,
                manager: None,
                named: None,
                actions: Vec::new(),
            },
            Message::PersonUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NoSuchPerson,
                nobody_above: false,
                asked: Vec::new(),
            },
            Message::PersonUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NoSuchPerson,
                nobody_above: true,
                asked: Vec::new(),
            },
            Message::PersonUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NoSuchPerson,
                nobody_above: true,
                asked: vec![by.clone()],
            },
            Message::PersonUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::NotVisible,
                nobody_above: true,
                asked: vec![by.clone()],
            },
            Message::PersonUnreachable {
                who: by.clone(),
                error: t.summary.clone(),
                why: DmRefusal::AppLacksPermission,
                nobody_above: true,
                asked: Vec::new(),
            },
            Message::ChannelLost {
                how: ChannelLoss::BotRemoved,
                by: None,
            },
            Message::SharedChannelSkipped {
                channel: ChannelId::new("C0SHARED"),
            },
            Message::NoticeWithdrawn { together: Vec::new() },
            Message::LineRedacted { at: t.opened_at },
            Message::TeamLinesWithdrawn {
                org: Some(t.summary.clone()),
                org_name: Some(t.customer.clone()),
                edited: 2,
                deleted: 1,
                dropped: 3,
            },
            Message::ChannelReplaced { held: None },
            Message::ChannelReplaced {
                held: Some(crate::trouble::decide::HeldLines {
                    since: t.opened_at,
                    count: 1,
                    left_out: 0,
                }),
            },
            Message::ChannelMadeLate {
                asked: Some(by.clone()),
                held: None,
            },
            Message::ChannelMadeLate {
                asked: None,
                held: Some(crate::trouble::decide::HeldLines {
                    since: t.opened_at,
                    count: 3,
                    left_out: 2,
                }),
            },
            Message::ReopenedWhileLost {
                how: ChannelLoss::Archived,
            },
            Message::ReopenedWhileLost {
                how: ChannelLoss::BotRemoved,
            },
            Message::NotAnnounced {
                channel: ChannelId::new("C0BIZUNIT"),
                error: t.summary.clone(),
                raised_to: None,
            },
            Message::NotAnnounced {
                channel: ChannelId::new("C0BIZUNIT"),
                error: t.summary.clone(),
                raised_to: Some(Severity::new(1)),
            },
        ];
        // Its channel refused by Slack: the DMs saying so carry the button that asks again, and
        // so does the manager's, which says where the channel would be linked that it was refused.
        let mut refused = t.clone();
        refused.channel = None;
        refused.channel_refused = true;
        let mut refusals = [false, true]
            .map(|again| Message::ChannelNotCreated {
                error: t.summary.clone(),
                again,
            })
            .to_vec();
        refusals.push(Message::ManagerDm);
        for l in [Locale::Ja, Locale::En] {
            for (on, m, from_elsewhere) in own
                .iter()
                .map(|m| (&t, m, false))
                .chain(elsewhere.iter().map(|m| (&t, m, true)))
                .chain(refusals.iter().map(|m| (&refused, m, true)))
            {
                let r = render(l, &config, on, m);
                let all = format!("{} {}", r.text, serde_json::to_string(&r.blocks).expect("json"));
                if on.channel_refused {
                    let (sentence, label, labelled) = tr!(
                        l,
                        (
                            "直ったら、下のボタンでチャンネルの作成をもう一度依頼できます。",
                            "チャンネルの作成を再試行",
                            "トラブル 20261130-1 のチャンネルの作成を再試行"
                        ),
                        (
                            "Once they are fixed, ask for the channel again with the button below.",
                            "Try creating the channel again",
                            "Try creating the channel of trouble 20261130-1 again"
                        )
                    );
                    let sentence = match m {
                        Message::ManagerDm => tr!(l, "（Slack が作成を拒否）", "(Slack refused to create it)"),
                        _ => sentence,
                    };
                    let button = [
                        sentence.to_string(),
                        format!("\"text\":\"{label}\",\"type\":\"plain_text\""),
                        format!("\"accessibility_label\":\"{labelled}\""),
                        "\"action_id\":\"create_channel\"".to_string(),
                    ];
                    for said in button {
                        assert!(all.contains(&said), "{m:?} in {l:?} lacks {said:?}: {all}");
                    }
                }
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
                if matches!(m, Message::Kickoff | Message::ManagerDm | Message::OriginNotice) {
                    assert!(all.contains("(old)"), "{m:?} shows what was first reported: {all}");
                }
            }
        }
    }

    /// The DM saying Slack refused the channel names the trouble as a notification does: a
    /// long summary never pushes its end (what to do, the button's sentence) past Slack's limit
    /// on a section's text.
    #[test]
    fn a_refusal_dm_keeps_its_end_however_long_the_summary() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        t.summary = "cracked housing & <lot> ".repeat(120);
        for again in [false, true] {
            let m = Message::ChannelNotCreated {
                error: "restricted_action".into(),
                again,
            };
            for (l, end) in [
                (Locale::En, "ask for the channel again with the button below."),
                (Locale::Ja, "下のボタンでチャンネルの作成をもう一度依頼できます。"),
            ] {
                let blocks = serde_json::to_string(&render(l, &config, &t, &m).blocks).expect("json");
                assert!(blocks.contains(end), "{again} {l:?}: {blocks}");
            }
        }
    }

    /// The notice that the owner cannot be reached by DM names the customer short: however long
    /// it was typed, what the managers must do (hand the trouble over, and where) is read.
    #[test]
    fn the_owner_unreachable_notice_keeps_its_end_however_long_the_customer() {
        let (config, mut t) = hostile();
        t.customer = "Acme Precision Housings & <Sons> ".repeat(90);
        for why in [DmRefusal::NotVisible, DmRefusal::NoSuchPerson] {
            let m = Message::OwnerUnreachable {
                owner: UserId::new("U0SALES"),
                error: "user_not_visible".into(),
                why,
                manager: Some(UserId::new("U0MANAGER")),
                named: None,
                actions: vec![1],
            };
            for (l, end) in [(Locale::En, "goes with it."), (Locale::Ja, "も一緒に引き継がれます。")] {
                let blocks = serde_json::to_string(&render(l, &config, &t, &m).blocks).expect("json");
                assert!(blocks.contains(end), "{why:?} {l:?}: {blocks}");
            }
        }
    }

    /// So do the DMs that ask someone up the chain to acknowledge (whatever the reason), say they
    /// were named manager or handed a report's trouble, and an escalation's once answered: a long
    /// summary never cuts off why they are asked, where to answer, who opened it, the channel's
    /// link or how it stands, on a phone that shows the section alone.
    #[test]
    fn the_asking_dms_keep_their_end_however_long_the_summary() {
        use crate::trouble::decide::{AskedBefore, NewToChain};
        use crate::trouble::model::{Absence, Away};
        let (config, mut t) = hostile();
        t.summary = "cracked housing & <lot> ".repeat(120);
        let (manager, director) = (UserId::new("U0MANAGER"), UserId::new("U0DIRECTOR"));
        t.escalation.chain = vec![manager.clone(), director.clone()];
        t.escalation.level = 1;
        let away = Away {
            why: Absence::Sick,
            until: None,
        };
        let reasons = [
            (None, None),
            (Some(manager.clone()), None),
            (None, Some(NewToChain::Manager)),
            (None, Some(NewToChain::Above)),
            (None, Some(NewToChain::Reopened)),
            (None, Some(NewToChain::OwnersManagerNow)),
            (None, Some(NewToChain::AckWithdrawn)),
            (Some(manager.clone()), Some(NewToChain::BelowAway { away })),
        ];
        // Each section's text, as Slack is given it (cut at its limit).
        let sections = |l, m: &Message| -> String {
            let blocks = serde_json::to_value(render(l, &config, &t, m).blocks).expect("json");
            let blocks = blocks.as_array().cloned().unwrap_or_default();
            let texts = blocks.iter().filter_map(|b| match b["type"].as_str() {
                Some("section") => b.pointer("/text/text").and_then(|s| s.as_str()).map(str::to_string),
                Some("context") => b
                    .pointer("/elements/0/text")
                    .and_then(|s| s.as_str())
                    .map(str::to_string),
                _ => None,
            });
            texts.collect::<Vec<_>>().join("\n")
        };
        for (l, ask, opened, channel, waiting) in [
            (
                Locale::En,
                "Acknowledge it with the button below, or in <#C0TROUBLE>.",
                "opened by <@U0SALES> · asked: <@U0MANAGER> 1h ago",
                "Channel: <#C0TROUBLE>",
                "nobody has acknowledged it yet",
            ),
            (
                Locale::Ja,
                "下のボタンか <#C0TROUBLE> で確認をお願いします。",
                "起票: <@U0SALES>さん · 依頼済み: <@U0MANAGER>さん（1時間前）",
                "チャンネル: <#C0TROUBLE>",
                "まだ誰も確認していません",
            ),
        ] {
            for (passed_over, new_to_chain) in &reasons {
                let m = Message::EscalationDm {
                    to: director.clone(),
                    waited_secs: 7200,
                    passed_over: passed_over.clone(),
                    new_to_chain: *new_to_chain,
                    asked_before: vec![AskedBefore {
                        who: manager.clone(),
                        secs_ago: Some(3600),
                    }],
                };
                let said = sections(l, &m);
                assert!(
                    said.contains(ask) && said.contains(opened),
                    "{l:?} {new_to_chain:?}: {said}"
                );
            }
            let settled = Message::EscalationDmSettled {
                asked_again: false,
                to: Some(director.clone()),
            };
            let said = sections(l, &settled);
            assert!(said.contains("<#C0TROUBLE>\n"), "{l:?}: {said}");
            let named = Message::NamedManager {
                by: UserId::new("U0SALES"),
                to: Some(UserId::new("U0OTHERMGR")),
            };
            let said = sections(l, &named);
            assert!(said.contains(channel) && said.contains("↪️"), "{l:?}: {said}");
            let handed = Message::HandedToYourReport {
                by: UserId::new("U0SALES"),
                to: UserId::new("U0QA1"),
            };
            let said = sections(l, &handed);
            assert!(said.contains(waiting) && said.ends_with(channel), "{l:?}: {said}");
        }
    }

    /// The close's line says the note typed with that close, carried in the line: reopened (or
    /// closed again with another note) before it went out, it neither loses nor swaps it.
    #[test]
    fn a_close_line_says_its_own_note_whatever_the_trouble_holds_when_it_goes_out() {
        let (config, mut t) = hostile();
        let m = Message::Closed {
            by: UserId::new("U0SALES"),
            forced_reason: None,
            note: Some("replacement shipped".into()),
            report_withheld: false,
        };
        for closed in [None, Some("customer found more")] {
            t.closed = closed.map(|note| crate::trouble::model::Closure {
                by: UserId::new("U0MANAGER"),
                at: t.opened_at,
                note: note.into(),
                forced_reason: None,
            });
            for l in [Locale::En, Locale::Ja] {
                let text = render(l, &config, &t, &m).text;
                assert!(text.contains("replacement shipped"), "{text}");
                assert!(!text.contains("customer found more"), "{text}");
            }
        }
    }

    /// The DM saying Slack refused the channel names as told by DM only those the open's DM
    /// reached: a manager whose DM reached nobody (no such user, a bot) heard nothing.
    #[test]
    fn a_refusal_dm_names_as_told_only_the_managers_reached() {
        let (config, mut t) = hostile();
        t.channel = None;
        let asked: Vec<UserId> = t.escalation.asked.iter().map(|a| a.who.clone()).collect();
        assert!(!asked.is_empty(), "the fixture's manager was asked at the open");
        let m = Message::ChannelNotCreated {
            error: "restricted_action".into(),
            again: false,
        };
        let told = |t: &Trouble| render(Locale::En, &config, t, &m).text;
        assert!(told(&t).contains("told by DM"), "{}", told(&t));
        t.escalation.unreachable = asked;
        assert!(!told(&t).contains("told by DM"), "{}", told(&t));
    }

    /// The line before what waited for the channel says how many follow and how many were not
    /// kept, in both locales; when none follows (all dropped: left out beyond the cap, or by a
    /// redaction), it says so rather than "the 0 messages … follow".
    #[test]
    fn the_held_line_says_what_follows_and_never_that_none_follows_as_zero() {
        let (config, t) = hostile();
        let line = |l, how, count, left_out| {
            let m = Message::HeldFollow {
                how,
                since: t.opened_at,
                count,
                left_out,
            };
            render(l, &config, &t, &m).text
        };
        let made = line(Locale::En, None, 2, 1);
        assert!(
            made.contains("While this channel was being made, the bot held the 2 messages")
                && made.contains("they follow late, after what was posted here since")
                && made.contains(" 1 more could not be kept here"),
            "{made}"
        );
        for how in [None, Some(ChannelLoss::Archived)] {
            let none = line(Locale::En, how, 0, 3);
            assert!(
                !none.contains(" 0 ") && !none.contains("follows.") && !none.contains("more"),
                "{none}"
            );
            assert!(none.contains(" 3 could not be kept, and none follows here"), "{none}");
            let ja = line(Locale::Ja, how, 0, 3);
            assert!(
                !ja.contains("0件") && !ja.contains("続けて投稿") && ja.contains("3件は保持できず"),
                "{ja}"
            );
        }
        let held = crate::trouble::decide::HeldLines {
            since: t.opened_at,
            count: 0,
            left_out: 3,
        };
        let replaced = Message::ChannelReplaced { held: Some(held) };
        let mut with_channel = t.clone();
        with_channel.channel = Some(ChannelId::new("C0NEW"));
        let replaced = render(Locale::En, &config, &with_channel, &replaced).text;
        assert!(
            replaced.contains("could not post the messages of trouble")
                && replaced.contains(" 3 could not be kept, and none follows here")
                && !replaced.contains(" 0 "),
            "{replaced}"
        );
    }

    /// An escalation DM answered keeps the button asking for a refused channel while its
    /// reader may ask, as the managers' DM does (the Acknowledge answer points them to it): not
    /// for a reader who may not, nor once the channel is asked for, nor for an unknown reader.
    #[test]
    fn an_answered_escalation_dm_keeps_the_channel_button_while_its_reader_may_ask() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        t.ack = Some(crate::trouble::model::Acknowledgement {
            by: UserId::new("U0MANAGER"),
            at: t.opened_at,
            wait_untold: false,
        });
        let settled = |to: Option<&str>| Message::EscalationDmSettled {
            asked_again: false,
            to: to.map(UserId::new),
        };
        let buttons = |l, t: &Trouble, m: &Message| {
            let blocks = serde_json::to_value(render(l, &config, t, m).blocks).expect("json");
            let found: Vec<(String, bool)> = (blocks.as_array().expect("blocks").iter())
                .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
                .filter_map(|e| Some((e["action_id"].as_str()?.to_string(), e["style"] == "primary")))
                .collect();
            found
        };
        for l in [Locale::Ja, Locale::En] {
            let own = vec![("create_channel".to_string(), true)];
            assert_eq!(buttons(l, &t, &settled(Some("U0MANAGER"))), own, "{l:?}");
            assert!(buttons(l, &t, &settled(Some("U0NOBODY"))).is_empty(), "{l:?}");
            assert!(buttons(l, &t, &settled(None)).is_empty(), "{l:?}");
            let mut asked = t.clone();
            asked.channel_refused = false;
            assert!(buttons(l, &asked, &settled(Some("U0MANAGER"))).is_empty(), "{l:?}");
        }
    }

    /// Where a sentence names the channel of a trouble whose channel Slack refused, it reads as
    /// a channel there, in both locales: its name and the refusal, or words standing for it
    /// (nameless, or private, whose name spells the customer), never a bare clause after "in".
    #[test]
    fn a_refused_channel_is_named_where_a_sentence_puts_a_channel() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        let ask = Message::EscalationDm {
            to: UserId::new("U0DIRECTOR"),
            waited_secs: 600,
            passed_over: None,
            new_to_chain: None,
            asked_before: Vec::new(),
        };
        let said = |l, t: &Trouble, m: &Message| {
            let r = render(l, &config, t, m);
            format!("{} {}", r.text, serde_json::to_string(&r.blocks).expect("json"))
        };
        t.channel_name = None;
        let (en, ja) = (said(Locale::En, &t, &ask), said(Locale::Ja, &t, &ask));
        t.channel_name = Some("trouble-20261130-1-acme".into());
        let said = |l, m: &Message| said(l, &t, m);
        let cases = [
            (
                en,
                "Acknowledge it with the button below, or with `/trouble ack 20261130-1`.",
            ),
            (ja, "下のボタンか `/trouble ack 20261130-1` で確認"),
            (
                said(Locale::En, &ask),
                "· #trouble-20261130-1-acme (Slack refused to create it)\n",
            ),
            (
                said(Locale::Ja, &ask),
                "· #trouble-20261130-1-acme（Slack が作成を拒否）\n",
            ),
            (
                said(Locale::En, &Message::AcknowledgedInDm),
                "Its channel: #trouble-20261130-1-acme (Slack refused to create it)",
            ),
            (
                crate::i18n::report_in_its_channel(Locale::En, &t),
                "type `/trouble report` in #trouble-20261130-1-acme (Slack refused to create it), the channel of",
            ),
            (
                crate::i18n::report_in_its_channel(Locale::Ja, &t),
                "のチャンネル #trouble-20261130-1-acme（Slack が作成を拒否） で `/trouble report`",
            ),
            // A private trouble's channel outside it: never its name.
            (
                channel_outside(Locale::En, &t),
                "the trouble's channel (Slack refused to create it)",
            ),
            (
                channel_outside(Locale::Ja, &t),
                "トラブルのチャンネル（Slack が作成を拒否）",
            ),
        ];
        for (text, says) in cases {
            assert!(text.contains(says), "{says:?} in {text}");
        }
        // Deleted once closed, it is not being set up: nothing will be until a reopening.
        let mut closed = t.clone();
        closed.channel_refused = false;
        closed.channel_deleted = true;
        closed.channel_create_queued = false;
        closed.closed = Some(
            serde_json::from_value(
                serde_json::json!({"by": "U0MANAGER", "at": closed.opened_at, "forced_reason": null, "note": ""}),
            )
            .expect("a closure"),
        );
        assert_eq!(channel_ref(Locale::En, &closed), "#trouble-20261130-1-acme (deleted)");
        assert_eq!(channel_ref(Locale::Ja, &closed), "#trouble-20261130-1-acme（削除済み）");
        // Closed while its replacement's creation is queued, it is being set up after all.
        closed.channel_create_queued = true;
        assert_eq!(
            channel_ref(Locale::En, &closed),
            "#trouble-20261130-1-acme (being set up)"
        );
    }

    /// The manager's DM asks for the acknowledgement first: beside Acknowledge, the button
    /// asking for a refused channel again is not green too; alone (acknowledged), and on the
    /// owner's refusal DM, it is.
    #[test]
    fn the_channel_button_is_green_only_where_nothing_else_is_asked() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        let styles = |t: &Trouble, m: &Message| -> Vec<(String, bool)> {
            let blocks = serde_json::to_value(render(Locale::En, &config, t, m).blocks).expect("json");
            let buttons = blocks
                .as_array()
                .expect("blocks")
                .iter()
                .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default());
            buttons
                .filter(|e| e["type"] == "button")
                .map(|e| {
                    (
                        e["action_id"].as_str().unwrap_or_default().to_string(),
                        e["style"] == "primary",
                    )
                })
                .collect()
        };
        let both = styles(&t, &Message::ManagerDm);
        assert_eq!(both, [("acknowledge".into(), true), ("create_channel".into(), false)]);
        let refusal = Message::ChannelNotCreated {
            error: "restricted_action".into(),
            again: false,
        };
        assert_eq!(styles(&t, &refusal), [("create_channel".into(), true)]);
        t.ack = Some(crate::trouble::model::Acknowledgement {
            by: UserId::new("U0MANAGER"),
            at: t.opened_at,
            wait_untold: false,
        });
        assert_eq!(styles(&t, &Message::ManagerDm), [("create_channel".into(), true)]);
    }

    /// The manager's DM offers the button as the core judges the click, for its reader: one
    /// whom the role does not let ask (here, outside the chain) gets none.
    #[test]
    fn the_managers_dm_offers_the_channel_button_only_to_a_reader_who_may_ask() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        let offered = |t: &Trouble| {
            let r = render(Locale::En, &config, t, &Message::ManagerDm);
            serde_json::to_string(&r.blocks)
                .expect("json")
                .contains("\"create_channel\"")
        };
        assert!(offered(&t));
        t.escalation.manager_dm_to = Some(UserId::new("U0OUTSIDER"));
        assert!(!offered(&t));
    }

    /// The DMs saying the severity was lowered above the manager and that an action's owner
    /// cannot be DMed send nobody to a channel Slack refused to create: they name it as every
    /// message does, and give the command with the trouble's id, to type in a DM with the bot.
    #[test]
    fn the_lowered_and_unreachable_dms_of_a_refused_channel_say_to_type_by_id_in_a_dm() {
        let (config, mut t) = hostile();
        let lowered = Message::LoweredAboveYou {
            by: UserId::new("U0DIRECTOR"),
            from: Severity::new(1),
            to: Severity::new(3),
            reason: String::new(),
        };
        let unreachable = Message::WorkUnreachable {
            who: UserId::new("U0GONE"),
            error: "user_not_found".into(),
            actions: vec![2],
        };
        let said = |t: &Trouble, l, m: &Message| render(l, &config, t, m).text;
        // With its channel, the commands are typed there, as before.
        assert!(said(&t, Locale::En, &lowered).contains("`/trouble sev 1` in its channel"));
        assert!(said(&t, Locale::Ja, &lowered).contains("戻すにはチャンネルで `/trouble sev 1`。"));
        assert!(said(&t, Locale::Ja, &unreachable).contains("で `/trouble 訂正 対策 2 担当:@…` と入力"));
        t.channel = None;
        t.channel_refused = true;
        t.channel_name = Some("trouble-20261130-1-acme".into());
        for (l, refused, sev, fix, channel) in [
            (
                Locale::En,
                "#trouble-20261130-1-acme (Slack refused to create it)",
                "`/trouble sev 20261130-1 1` in a DM with the bot",
                "`/trouble fix 20261130-1 action 2 owner:@…` in a DM with the bot",
                "in its channel",
            ),
            (
                Locale::Ja,
                "#trouble-20261130-1-acme（Slack が作成を拒否）",
                "ボットとの DM で `/trouble sev 20261130-1 1`",
                "ボットとの DM で `/trouble 訂正 20261130-1 対策 2 担当:@…`",
                "チャンネルで",
            ),
        ] {
            for (m, typed) in [(&lowered, sev), (&unreachable, fix)] {
                let text = said(&t, l, m);
                assert!(text.contains(refused) && text.contains(typed), "{l:?}: {text}");
                assert!(!text.contains(channel), "{l:?}: {text}");
            }
        }
    }

    /// An announce channel told a private trouble was closed never reads its channel's name,
    /// which spells the customer, while the channel has no link (Slack refused it).
    #[test]
    fn an_announce_channel_never_reads_a_private_troubles_channel_name() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        t.channel_name = Some("trouble-20261130-1-initech".into());
        let told = Message::AnnouncedNoLonger {
            by: UserId::new("U0MANAGER"),
            why: crate::trouble::decide::NoLonger::Closed { forced_reason: None },
        };
        let said = |t: &Trouble| render(Locale::En, &config, t, &told).text;
        assert!(
            said(&t).contains("#trouble-20261130-1-initech (Slack refused"),
            "{}",
            said(&t)
        );
        t.private = Some(true);
        assert!(!said(&t).contains("initech"), "{}", said(&t));
    }

    /// An escalation's DM asking someone up the chain offers the refused channel's button
    /// beside Acknowledge (not green), to whom the core lets click: the chain as far as asked.
    #[test]
    fn an_escalation_dm_offers_the_channel_button_to_whom_it_reached() {
        let (config, mut t) = hostile();
        t.channel = None;
        t.channel_refused = true;
        let director = UserId::new("U0DIRECTOR");
        t.escalation.chain = vec![UserId::new("U0MANAGER"), director.clone()];
        t.escalation.level = 1;
        let offered = |t: &Trouble, to: &UserId| {
            let ask = Message::EscalationDm {
                to: to.clone(),
                waited_secs: 600,
                passed_over: None,
                new_to_chain: None,
                asked_before: Vec::new(),
            };
            let blocks = serde_json::to_value(render(Locale::En, &config, t, &ask).blocks).expect("json");
            let buttons = blocks
                .pointer("/1/elements")
                .and_then(|b| b.as_array())
                .cloned()
                .unwrap_or_default();
            let again = buttons.iter().find(|b| b["action_id"] == "create_channel").cloned();
            (buttons.len(), again.map(|b| b.get("style").is_some()))
        };
        assert_eq!(offered(&t, &director), (2, Some(false)));
        t.escalation.level = 0;
        assert_eq!(offered(&t, &director), (1, None), "not reached yet");
        t.escalation.level = 1;
        t.channel_refused = false;
        assert_eq!(offered(&t, &director), (1, None), "asked for again already");
    }

    /// The button on the DM saying Slack refused the channel is offered as the core records the
    /// refusal, not from the missing channel: one queued before it was recorded (by an earlier
    /// release) shows none, whose click would be answered that the channel is being created.
    #[test]
    fn a_refusal_dm_asks_again_only_while_the_refusal_is_recorded() {
        let (config, mut t) = hostile();
        t.channel = None;
        for refused in [false, true] {
            t.channel_refused = refused;
            for again in [false, true] {
                let m = Message::ChannelNotCreated {
                    error: "restricted_action".into(),
                    again,
                };
                let r = render(Locale::En, &config, &t, &m);
                let all = format!("{} {}", r.text, serde_json::to_string(&r.blocks).expect("json"));
                assert_eq!(all.contains("create_channel"), refused, "{again}: {all}");
            }
        }
    }

    /// A DM let go by a hand-over of an acknowledged trouble names its manager now and who
    /// acknowledged it, not someone "asked now" that nobody asks.
    #[test]
    fn a_dm_let_go_by_an_acknowledged_hand_over_names_the_manager_now() {
        let (config, mut t) = hostile();
        t.ack = Some(crate::trouble::model::Acknowledgement {
            by: UserId::new("U0VP"),
            at: t.opened_at,
            wait_untold: false,
        });
        t.manager = Some(UserId::new("U0VP"));
        let m = Message::NoLongerManager {
            by: UserId::new("U0MANAGER"),
            to: UserId::new("U0VP"),
            handed_to: Some(UserId::new("U0DIRECTOR")),
            above: false,
            yours: false,
            by_you: false,
        };
        for (l, says) in [
            (Locale::En, "<@U0VP> is its manager now (acknowledged by <@U0VP>)"),
            (Locale::Ja, "いまの上司は <@U0VP>さんです（<@U0VP>さんが確認済み）"),
        ] {
            let text = render(l, &config, &t, &m).text;
            assert!(
                text.contains(says) && !text.contains("asked now") && !text.contains("確認を依頼しています"),
                "{text}"
            );
        }
        // Drawn after the chain moved again: it names nobody its manager.
        t.manager = Some(UserId::new("U0OTHERMGR"));
        for (l, never) in [(Locale::En, "is its manager now"), (Locale::Ja, "いまの上司は")] {
            let text = render(l, &config, &t, &m).text;
            assert!(!text.contains(never) && text.contains("U0VP"), "{text}");
        }
    }

    /// A DM let go because its reader owns the trouble now says so (handed to them, or taken
    /// over), in either language: never "handed to @you by @someone".
    #[test]
    fn a_dm_let_go_by_a_hand_over_to_its_reader_says_it_is_theirs_now() {
        let (config, mut t) = hostile();
        let m = |by: &str| Message::NoLongerManager {
            by: UserId::new(by),
            to: UserId::new("U0VP"),
            handed_to: Some(UserId::new("U0DIRECTOR")),
            above: true,
            yours: true,
            by_you: false,
        };
        for (l, handed, took, asked) in [
            (
                Locale::En,
                "<@U0MANAGER> handed trouble 20261130-1 (*",
                "You took trouble 20261130-1 (*",
                "<@U0VP> is asked to acknowledge it now.",
            ),
            (
                Locale::Ja,
                "<@U0MANAGER>さんがあなたに引き継ぎ、いまはあなたの担当です。",
                "はあなたが引き継ぎ、いまはあなたの担当です。",
                "いまは <@U0VP>さんに確認を依頼しています。",
            ),
        ] {
            for (by, says) in [("U0MANAGER", handed), ("U0DIRECTOR", took)] {
                let text = render(l, &config, &t, &m(by)).text;
                assert!(text.contains(says) && text.contains(asked), "{text}");
                assert!(
                    !text.contains("handed to <@U0DIRECTOR>") && !text.contains("<@U0DIRECTOR>さんに引き継"),
                    "{text}"
                );
            }
        }
        // Acknowledged by the VP, its manager now.
        t.ack = Some(crate::trouble::model::Acknowledgement {
            by: UserId::new("U0VP"),
            at: t.opened_at,
            wait_untold: false,
        });
        t.manager = Some(UserId::new("U0VP"));
        for (l, says) in [
            (
                Locale::En,
                "it is yours now. <@U0VP> is its manager (acknowledged by <@U0VP>).",
            ),
            (
                Locale::Ja,
                "いまはあなたの担当です。いまの上司は <@U0VP>さんです（<@U0VP>さんが確認済み）。",
            ),
        ] {
            let text = render(l, &config, &t, &m("U0MANAGER")).text;
            assert!(text.contains(says), "{text}");
        }
    }

    /// The DM telling someone they were named manager, once another manages the trouble in
    /// their place (it landed late), says who, in either language.
    #[test]
    fn a_named_managers_dm_says_who_manages_once_another_does() {
        let (config, mut t) = hostile();
        t.manager = Some(UserId::new("U0QA1"));
        t.escalation.chain = vec![UserId::new("U0QA1"), UserId::new("U0MANAGER")];
        let m = |reader: &str| Message::NamedManager {
            by: UserId::new("U0MANAGER"),
            to: Some(UserId::new(reader)),
        };
        for (l, says) in [
            (Locale::En, "<@U0QA1> manages it now, in your place"),
            (Locale::Ja, "その後、上司は <@U0QA1>さんに変わりました"),
        ] {
            let text = render(l, &config, &t, &m("U0OTHERMGR")).text;
            assert!(text.contains(says), "{text}");
            let text = render(l, &config, &t, &m("U0QA1")).text;
            assert!(!text.contains("↪️"), "still theirs: {text}");
        }
    }

    /// A cost of nothing reads "no cost" however it was typed, and its channel line names no
    /// currency: "(¥0)" beside `$0` or a bare `0` would be wrong.
    #[test]
    fn a_cost_of_nothing_reads_alike_however_typed_and_names_no_currency() {
        let (config, _) = hostile();
        let by = UserId::new("U0SALES");
        for amount in ["0", "¥0", "$0", "0円", "USD 0.00"] {
            let c = Cost {
                amount: amount.into(),
                payer: "ours".into(),
                note: String::new(),
                by: by.clone(),
                at: DateTime::<Utc>::default(),
            };
            assert_eq!(cost_phrase(Locale::En, &c, Where::OwnChannel), "no cost", "{amount}");
            assert_eq!(
                cost_phrase(Locale::Ja, &c, Where::OwnChannel),
                "費用負担なし",
                "{amount}"
            );
            let what = Record::Cost {
                amount: amount.into(),
                payer: "ours".into(),
                note: String::new(),
            };
            let en = record_line(Locale::En, &config, &by, &what);
            assert!(en.contains("recorded a cost: no cost — no approval needed"), "{en}");
            let ja = record_line(Locale::Ja, &config, &by, &what);
            assert!(ja.contains("費用を記録: 費用負担なし（承認不要）"), "{ja}");
            for line in [&en, &ja] {
                assert!(
                    !line.contains('¥') && !line.contains('$') && !line.contains("0円"),
                    "{line}"
                );
            }
        }
    }
}
