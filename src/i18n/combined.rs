//! Several troubles in one message: the manager's DM, the escalation's DMs and the channel
//! notices, when many wait at once.

use super::messages::{
    ack_text, answered, asked_again_below, away, channel_outside, channel_ref, closed_note, customer_outside,
    handed_over, kept_in_channel, no_longer_asks_reader, opened_ago, severity_label, standing, user, who_was_asked,
    FALLBACK_TEXT_LIMIT,
};
use super::{format_duration, Locale};
use crate::config::Config;
use crate::slack::blocks::Rendered;
use crate::slack::blocks::{actions, context, cut, fit, section, section_with, Block, MESSAGE_TEXT_BUDGET};
use crate::trouble::decide::{manager_dm_may_ask_for_channel, may_ask_for_channel, Message, NewToChain};
use crate::trouble::model::{PostedMessage, Trouble, UserId};

/// Slack allows 50 blocks in a message: one heading and one line per trouble.
pub const MAX_PER_MESSAGE: usize = 49;
/// The blocks Slack takes in one message, the refused channels' buttons under their lines too.
const MAX_BLOCKS: usize = 50;

/// What a line shows of the customer and of the summary, which the trouble's channel holds
/// whole: a message of many troubles stays within Slack's size.
const LINE_CUSTOMER: usize = 60;
const LINE_SUMMARY: usize = 160;
/// The summary's length in a line when a message drawn again has grown past Slack's size (who
/// acknowledged, who is asked now, who it was handed to): shortened in these steps, never the
/// line's own end (its link, what it asks).
const SHORTER_SUMMARIES: [usize; 3] = [80, 40, 10];

/// The characters of text a combined message is posted with at most, a little under
/// [`MESSAGE_TEXT_BUDGET`]: drawn again, its summaries are shortened should its lines grow.
const POSTED_BUDGET: usize = 10_000;

/// How many of `waiting` troubles one message carries: all when they fit, else one less than
/// fits, leaving room for the line that says how many follow in the next message.
pub fn how_many(waiting: usize) -> usize {
    if waiting <= MAX_PER_MESSAGE {
        waiting
    } else {
        MAX_PER_MESSAGE - 1
    }
}

/// How many of `parts`, from the first, one message posts: as many as [`how_many`] allows
/// whose lines fit Slack's size together (always the first). Slack refuses a message whose
/// blocks pass about 12,000 characters, and every trouble in it would go unheard.
pub fn how_many_fit(l: Locale, config: &Config, kind: Combined, parts: &[(&Trouble, Option<&Message>)]) -> usize {
    let most = how_many(parts.len());
    // The heading, and the line saying how many follow.
    let mut total = 300;
    for (k, (t, alone)) in parts.iter().enumerate().take(most) {
        let again = match reader_may_ask(config, kind, t, *alone, None) {
            true => ChannelAsk::Button(k),
            false => ChannelAsk::No,
        };
        total += line(l, config, kind, t, *alone, None, again, LINE_SUMMARY)
            .iter()
            .map(Block::text_chars)
            .sum::<usize>();
        if total > POSTED_BUDGET {
            return k.max(1);
        }
    }
    most
}

/// Which message several troubles share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Combined {
    /// The manager's ping, with an Acknowledge button per trouble.
    ManagerDm,
    /// The ask of someone up the chain (or the top of it, again) when nobody acknowledged,
    /// with an Acknowledge button per trouble: several troubles escalate in the same instant.
    EscalationDm,
    /// The notice in the channel a trouble was opened from, or an announcement channel.
    Notice,
}

/// One trouble of a combined message, and the message it would have had alone (an escalation's
/// DM says why its reader is asked; None once that is not known, or not needed).
pub type Part = (Trouble, Option<Message>);

/// One message for `troubles` (as many as [`how_many`] allows), each on its own line with what
/// the single message would have said of it; `more` troubles follow in the next message.
/// `drawn_again` is the message when it is edited (None when it is posted): a DM no longer asks
/// of its reader about a trouble that no longer keeps it.
pub fn combined(
    l: Locale,
    config: &Config,
    kind: Combined,
    troubles: &[Part],
    more: usize,
    drawn_again: Option<&PostedMessage>,
) -> Rendered {
    let n = troubles.len() + more;
    // Whom the message asks, read off a trouble that keeps it.
    let reader = drawn_again.and_then(|m| troubles.iter().find_map(|(t, _)| reader_of(config, t, m)));
    let state = |t: &Trouble| asks_reader(l, config, t, drawn_again.map(|m| (m, reader.as_ref())));
    let asking = troubles.iter().filter(|(t, _)| state(t).is_none()).count();
    let all_answered = troubles.iter().all(|(t, _)| answered(l, config, t).is_some());
    let heading = match kind {
        Combined::ManagerDm | Combined::EscalationDm => asking_heading(l, kind, n, asking, more, all_answered),
        Combined::Notice => tr!(
            l,
            format!("🚨 トラブルが{n}件起票されました。"),
            format!("🚨 {n} troubles were opened.")
        ),
    };
    // The most severe first, in the lines and in the notification, which names each one's
    // severity and customer: on a phone that is all there is to tell them apart.
    let mut shown: Vec<&Part> = troubles.iter().take(how_many(troubles.len() + more)).collect();
    shown.sort_by_key(|(t, _)| t.severity);
    // Each refused channel its reader may ask for gets the button under its line, as many as
    // Slack's 50 blocks leave room for (the most severe first); the others say where it is.
    // Only on a line whose trouble keeps the message (asking, or answered): that trouble draws
    // it again when its channel is asked for, and the button goes. A line let go, or asked
    // again in a newer DM, is not drawn again by its trouble, and takes no room.
    let mut room = MAX_BLOCKS - 1 - shown.len() - usize::from(more > 0);
    let kept = |t: &Trouble| drawn_again.is_none_or(|m| t.keeps_dm(m) || state(t).is_none());
    let again: Vec<ChannelAsk> = (shown.iter().enumerate())
        .map(
            |(k, (t, alone))| match kept(t) && reader_may_ask(config, kind, t, alone.as_ref(), reader.as_ref()) {
                false => ChannelAsk::No,
                true if room == 0 => ChannelAsk::InHome,
                true => {
                    room -= 1;
                    ChannelAsk::Button(k)
                }
            },
        )
        .collect();
    let draw = |summary: usize| {
        let mut blocks = vec![section(&heading)];
        blocks.extend(
            shown
                .iter()
                .zip(&again)
                .flat_map(|((t, alone), again)| line(l, config, kind, t, alone.as_ref(), state(t), *again, summary)),
        );
        if more > 0 {
            blocks.push(context(&tr!(
                l,
                format!("…ほか{more}件は次のメッセージでお知らせします。"),
                format!("…and {more} more in the next message.")
            )));
        }
        super::san_blocks(l, &mut blocks);
        blocks
    };
    let size = |blocks: &[Block]| blocks.iter().map(Block::text_chars).sum::<usize>();
    let mut blocks = draw(LINE_SUMMARY);
    for summary in SHORTER_SUMMARIES {
        if size(&blocks) <= MESSAGE_TEXT_BUDGET {
            break;
        }
        blocks = draw(summary);
    }
    let each: Vec<String> = shown
        .iter()
        .map(|(t, _)| {
            let customer = match kind {
                Combined::Notice => cut(&customer_outside(l, config, t), 40),
                _ => cut(&away(&t.customer), 40),
            };
            tr!(
                l,
                format!("sev{} {customer}（{}）", t.severity, t.id),
                format!("sev{} {customer} ({})", t.severity, t.id)
            )
        })
        .collect();
    // Japanese sets no space after a full stop.
    let text = tr!(
        l,
        format!("{heading}{}", super::listed(l, &each)),
        format!("{heading} {}", super::listed(l, &each))
    );
    // Still too long (many people named in its lines): the texts themselves are shortened
    // rather than the edit refused.
    fit(&mut blocks, MESSAGE_TEXT_BUDGET);
    Rendered {
        text: cut(&super::san(l, &text), FALLBACK_TEXT_LIMIT),
        blocks: Some(blocks),
    }
}

/// The first line of a DM asking several troubles' acknowledgement: how many, and how many of
/// them it still asks. Once every one is answered, the first line a phone shows no longer asks.
fn asking_heading(l: Locale, kind: Combined, n: usize, asking: usize, more: usize, all_answered: bool) -> String {
    let (ja, en) = match kind {
        Combined::EscalationDm => (
            format!("確認されていないトラブルが{n}件"),
            format!("{n} troubles were left unacknowledged"),
        ),
        _ => (format!("トラブルの報告が{n}件"), format!("{n} troubles were reported")),
    };
    let mark = match kind {
        Combined::EscalationDm => "⏫",
        _ => "🚨",
    };
    match (asking, more) {
        (0, 0) if all_answered => tr!(
            l,
            format!("{ja}ありました。いずれも確認待ちではありません。"),
            format!("{en}. None waits for acknowledgement now.")
        ),
        // Some still wait, asked again in newer DMs or of others: not of this message's reader.
        (0, 0) => tr!(
            l,
            format!("{ja}ありました。このメッセージでお願いしている確認はもうありません。"),
            format!("{en}. This message asks nothing of you any longer.")
        ),
        (1, 0) if n > 1 => tr!(
            l,
            format!("{mark} {ja}あります。あと1件、確認をお願いします。"),
            format!("{mark} {en}. 1 still waits for acknowledgement.")
        ),
        (asking, 0) if asking < n => tr!(
            l,
            format!("{mark} {ja}あります。あと{asking}件、確認をお願いします。"),
            format!("{mark} {en}. {asking} still wait for acknowledgement.")
        ),
        _ => tr!(
            l,
            format!("{mark} {ja}あります。1件ずつ確認をお願いします。"),
            format!("{mark} {en}. Please acknowledge each one.")
        ),
    }
}

/// Whom trouble `t` asks (or asked, answered) with DM `m`, if it keeps it: its manager, the
/// configured manager, or the one an escalation's DM asks.
fn reader_of(config: &Config, t: &Trouble, m: &PostedMessage) -> Option<UserId> {
    let same = |kept: &PostedMessage| kept.channel == m.channel && kept.ts == m.ts;
    if t.manager_dm.as_ref().is_some_and(same) {
        return t.manager.clone();
    }
    if t.configured_manager_dm.as_ref().is_some_and(same) {
        return config.policy.manager_of(t.opened_by());
    }
    // Answered and kept too: every trouble of it answered, the message still has its reader
    // (whose refused channels keep their button, as the trouble's own DM does).
    (t.escalation.dms.iter())
        .chain(&t.escalation.settled)
        .find(|dm| same(&dm.posted))
        .and_then(|dm| dm.asks().cloned())
}

/// Whether `t`, one of the troubles of the shared DM `m` to `reader`, has not recorded it yet:
/// each trouble records the message in its own turn after the post, and one drawn again by
/// another meanwhile still asks. A trouble that let it go keeps a newer DM in that channel, or
/// its reader is no longer in its chain, or could not be reached.
fn not_recorded_yet(t: &Trouble, m: &PostedMessage, reader: Option<&UserId>) -> bool {
    let in_channel = |kept: &PostedMessage| kept.channel == m.channel;
    let keeps_another = [&t.manager_dm, &t.configured_manager_dm]
        .into_iter()
        .flatten()
        .chain(t.escalation.dms.iter().map(|dm| &dm.posted))
        .any(in_channel);
    reader.is_some_and(|r| t.escalation.holds(r) && !t.escalation.unreachable.contains(r)) && !keeps_another
}

/// What a shared DM no longer asking its reader says of a trouble: its state, or that the
/// trouble let go of it (`let_go`: its reader left the chain; nothing more is shown of it).
struct Settled {
    said: String,
    let_go: bool,
}

/// What a DM asking to acknowledge (the manager's, an escalation's) says of `t` once it no
/// longer asks its reader (answered, the reader asked again in a newer DM, or left the
/// trouble's chain); None while it asks. `drawn_again`: the message edited, and whom it asks.
fn asks_reader(
    l: Locale,
    config: &Config,
    t: &Trouble,
    drawn_again: Option<(&PostedMessage, Option<&UserId>)>,
) -> Option<Settled> {
    // Answered or not, a trouble that let go of the DM because its reader left the chain shows
    // them nothing more of it: redrawn for the other troubles sharing it, its line would go on
    // showing a trouble they are out of (its state, owner, reopening).
    let left = drawn_again.filter(|(m, reader)| reader.is_some_and(|r| !t.escalation.holds(r)) && !t.keeps_dm(m));
    if left.is_some() {
        let said = no_longer_asks_reader(l, t);
        return Some(Settled { said, let_go: true });
    }
    let said = answered(l, config, t).or_else(|| {
        let (let_go, _) =
            drawn_again.filter(|(m, reader)| !t.keeps_asking_dm(m) && !not_recorded_yet(t, m, *reader))?;
        // A DM channel is one reader's: a newer escalation DM in it asks them again.
        let asked_again = t.escalation.dms.iter().any(|dm| dm.posted.channel == let_go.channel);
        Some(match asked_again {
            true => asked_again_below(l),
            false => no_longer_asks_reader(l, t),
        })
    })?;
    Some(Settled { said, let_go: false })
}

/// Whether a trouble's line offers to ask for the channel Slack refused to create.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChannelAsk {
    No,
    /// The single DM's button, under the line (the line's place in the message, which keeps
    /// its block_id unique: Slack refuses a whole message repeating one).
    Button(usize),
    /// No room left for it in the message: the line says where the button is.
    InHome,
}

/// Whether the DM's reader may ask for `t`'s refused channel, judged as its own DM judges it:
/// the managers' DMs for their reader, an escalation's for whom it asks (`alone`, else the
/// `reader` of the DM drawn again). A notice offers nothing.
fn reader_may_ask(
    config: &Config,
    kind: Combined,
    t: &Trouble,
    alone: Option<&Message>,
    reader: Option<&UserId>,
) -> bool {
    match (kind, alone) {
        (Combined::ManagerDm, _) => manager_dm_may_ask_for_channel(&config.policy, t),
        (Combined::EscalationDm, Some(Message::EscalationDm { to, .. })) => may_ask_for_channel(&config.policy, t, to),
        (Combined::EscalationDm, _) => reader.is_some_and(|r| may_ask_for_channel(&config.policy, t, r)),
        (Combined::Notice, _) => false,
    }
}

/// A trouble's line: the same facts as its own message (`alone`, when it says more than the
/// trouble does), its own Acknowledge button while it asks (`settled` None), and under it, as
/// its own DM has (asking or answered), the button asking for its channel again while Slack
/// refuses it (`again`).
#[allow(clippy::too_many_arguments)]
fn line(
    l: Locale,
    config: &Config,
    kind: Combined,
    t: &Trouble,
    alone: Option<&Message>,
    settled: Option<Settled>,
    again: ChannelAsk,
    summary: usize,
) -> Vec<Block> {
    let mut blocks = vec![line_itself(l, config, kind, t, alone, settled, again, summary)];
    if let ChannelAsk::Button(k) = again {
        let button = super::messages::create_channel_button(l, &t.id, false);
        blocks.push(actions(&format!("channel-{k}-{}", t.id), vec![button]));
    }
    blocks
}

/// The line's own section (see [`line`]).
#[allow(clippy::too_many_arguments)]
fn line_itself(
    l: Locale,
    config: &Config,
    kind: Combined,
    t: &Trouble,
    alone: Option<&Message>,
    settled: Option<Settled>,
    again: ChannelAsk,
    summary: usize,
) -> Block {
    let (id, owner) = (&t.id, user(t.opened_by()));
    // No room for the button: where the reader finds it, after the channel's name.
    let link = match again {
        ChannelAsk::InHome => tr!(
            l,
            format!(
                "{}（ボットのホームの「チャンネルの作成を再試行」で依頼できます）",
                channel_ref(l, t)
            ),
            format!(
                "{} (ask for it again with *Try creating the channel again* in the bot's Home)",
                channel_ref(l, t)
            )
        ),
        _ => channel_ref(l, t),
    };
    let what = format!(
        "{} — {}",
        cut(&away(&t.customer), LINE_CUSTOMER),
        cut(&away(&t.summary), summary)
    );
    // A notice is read outside the trouble: a private one's customer and summary stay in it.
    let (what, link) = match kind == Combined::Notice && kept_in_channel(config, t) {
        true => (customer_outside(l, config, t), channel_outside(l, t)),
        false => (what, link),
    };
    let sev = severity_label(l, config, t.severity);
    if let Some(Settled { said, let_go: true }) = &settled {
        // What its own DM says when let go: the trouble, that nothing is asked, whom it went to.
        let owner_now = handed_over(l, t).map(|h| format!(" · {h}")).unwrap_or_default();
        return section(&tr!(
            l,
            format!("*{id}* {what}（{sev}）\n{said}{owner_now}"),
            format!("*{id}* {what} ({sev})\n{said}{owner_now}")
        ));
    }
    match (kind, alone) {
        // Why its reader is asked, who opened it and who was asked before: all a phone shows.
        (
            Combined::EscalationDm,
            Some(Message::EscalationDm {
                waited_secs,
                passed_over,
                new_to_chain,
                asked_before,
                ..
            }),
        ) if settled.is_none() => {
            let why = why_asked(
                l,
                config.policy.timezone,
                *waited_secs,
                passed_over.as_ref(),
                *new_to_chain,
            );
            let who = who_was_asked(l, t, asked_before);
            let text = tr!(
                l,
                format!("*{id}* {what}（{sev}）\n{why} · {who} · {link}"),
                format!("*{id}* {what} ({sev})\n{why} · {who} · {link}")
            );
            section_with(&text, super::messages::ack_button(l, id))
        }
        (Combined::ManagerDm | Combined::EscalationDm, _) => {
            let asks = settled.is_none();
            let ack = settled.map_or_else(|| ack_text(l, config.policy.timezone, t), |s| s.said);
            // What its own DM says under the facts, the state first on this line.
            let ack = standing(l, config, t, Some(ack)).unwrap_or_default();
            // Handed over, the standing names the owner now and who reported it.
            let text = match t.owner == *t.opened_by() {
                true => tr!(
                    l,
                    format!("*{id}* {what}（{sev}）\n報告者 {owner} · {link} · {ack}"),
                    format!("*{id}* {what} ({sev})\nfrom {owner} · {link} · {ack}")
                ),
                false => tr!(
                    l,
                    format!("*{id}* {what}（{sev}）\n{link} · {ack}"),
                    format!("*{id}* {what} ({sev})\n{link} · {ack}")
                ),
            };
            match asks {
                true => section_with(&text, super::messages::ack_button(l, id)),
                false => section(&text),
            }
        }
        (Combined::Notice, _) => {
            let opened = tr!(
                l,
                format!("{owner}がトラブル {id} を起票しました: {what}（{sev}）→ {link}"),
                format!("{owner} opened trouble {id}: {what} ({sev}) → {link}")
            );
            match closed_note(l, config, t) {
                Some(closed) => section(&format!("{opened}\n{closed}")),
                None => section(&opened),
            }
        }
    }
}

/// Why someone up the chain is asked, in a few words: the single DM's sentence, shortened to
/// fit a line among others (and a single DM's notification).
pub(super) fn why_asked(
    l: Locale,
    tz: chrono_tz::Tz,
    waited_secs: i64,
    passed_over: Option<&crate::trouble::model::UserId>,
    new_to_chain: Option<NewToChain>,
) -> String {
    match (passed_over, new_to_chain) {
        (_, Some(NewToChain::Manager)) => tr!(
            l,
            format!("上司に指名されました（{}）", opened_ago(l, waited_secs)),
            format!("you were named its manager ({})", opened_ago(l, waited_secs))
        ),
        (_, Some(NewToChain::Above)) => tr!(
            l,
            format!("確認の依頼先に加わりました（{}）", opened_ago(l, waited_secs)),
            format!("you are now in its manager chain ({})", opened_ago(l, waited_secs))
        ),
        (_, Some(NewToChain::Reopened)) => tr!(
            l,
            "確認されないままクローズされ、再開されました",
            "closed unacknowledged, and open again"
        )
        .to_string(),
        (_, Some(NewToChain::OwnersManagerNow)) => tr!(
            l,
            format!(
                "担当者の上司として新たに設定されました（{}）",
                opened_ago(l, waited_secs)
            ),
            format!(
                "you are now set up as the owner's manager ({})",
                opened_ago(l, waited_secs)
            )
        ),
        (_, Some(NewToChain::AckWithdrawn)) => tr!(
            l,
            format!("確認が取り消されました（{}）", opened_ago(l, waited_secs)),
            format!("its acknowledgement no longer stands ({})", opened_ago(l, waited_secs))
        ),
        (p, Some(NewToChain::BelowAway { away })) => {
            let (p, away) = (p.map(user).unwrap_or_default(), super::away_text(l, tz, &away));
            tr!(
                l,
                format!("先に依頼した {p} は{away}"),
                format!("{p}, asked first, is {away}")
            )
        }
        (Some(p), None) => tr!(
            l,
            format!("先に依頼した {} に連絡がつきません", user(p)),
            format!("the bot could not reach {}, asked first", user(p))
        ),
        (None, None) => {
            let waited = format_duration(l, waited_secs.max(0) as u64);
            tr!(l, format!("{waited}未確認"), format!("unacknowledged for {waited}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::model::TroubleId;

    /// `n` troubles whose typed fields try to ping, link and forge.
    fn hostile(n: usize) -> (Config, Vec<Part>) {
        let (config, t) = super::super::messages::tests::hostile();
        let troubles = (1..=n)
            .map(|i| {
                let t = Trouble {
                    id: TroubleId::new(format!("20261130-{i}")),
                    ..t.clone()
                };
                (t, None)
            })
            .collect();
        (config, troubles)
    }

    /// The blocks as Slack receives them.
    fn as_values(blocks: Vec<Block>) -> Vec<serde_json::Value> {
        blocks
            .iter()
            .map(|b| serde_json::to_value(b).expect("a block serialises"))
            .collect()
    }

    #[test]
    fn a_full_message_stays_within_fifty_blocks_gives_each_trouble_its_button_and_says_how_many_follow() {
        let (config, all) = hostile(MAX_PER_MESSAGE);
        assert_eq!(how_many(MAX_PER_MESSAGE), MAX_PER_MESSAGE);
        assert_eq!(how_many(MAX_PER_MESSAGE + 8), MAX_PER_MESSAGE - 1);
        for l in [Locale::Ja, Locale::En] {
            let last = combined(l, &config, Combined::ManagerDm, &all, 0, None);
            assert_eq!(last.blocks.expect("blocks").len(), 50);
            let troubles = &all[..how_many(MAX_PER_MESSAGE + 8)];
            let r = combined(l, &config, Combined::ManagerDm, troubles, 8, None);
            let blocks = as_values(r.blocks.expect("blocks"));
            assert_eq!(blocks.len(), 50);
            assert!(blocks[49].to_string().contains('8'), "{}", blocks[49]);
            for ((t, _), b) in troubles.iter().zip(&blocks[1..]) {
                assert!(b["text"]["text"].as_str().unwrap().contains(t.id.as_str()));
                assert!(b["accessory"]["value"].as_str().unwrap().contains(t.id.as_str()));
            }
            let all = serde_json::to_string(&blocks).unwrap() + &r.text;
            for live in ["<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0QA1", "<http"] {
                assert!(!all.contains(live), "{live} in {all}");
            }
        }
    }

    #[test]
    fn a_notice_for_several_troubles_names_each_and_has_no_buttons() {
        let (config, troubles) = hostile(3);
        for l in [Locale::Ja, Locale::En] {
            let r = combined(l, &config, Combined::Notice, &troubles, 0, None);
            let blocks = as_values(r.blocks.expect("blocks"));
            assert_eq!(blocks.len(), 4);
            assert!(blocks.iter().all(|b| b.get("accessory").is_none()));
            assert!(troubles.iter().all(|(t, _)| r.text.contains(t.id.as_str())));
        }
    }

    #[test]
    fn an_escalation_several_troubles_share_says_why_each_is_asked_and_gives_each_its_button() {
        use crate::trouble::decide::AskedBefore;
        use crate::trouble::model::UserId;
        let (config, mut troubles) = hostile(3);
        for (_, alone) in &mut troubles {
            *alone = Some(Message::EscalationDm {
                to: UserId::new("U0DIRECTOR"),
                waited_secs: 3600,
                passed_over: None,
                new_to_chain: None,
                asked_before: vec![AskedBefore {
                    who: UserId::new("U0MANAGER"),
                    secs_ago: Some(3600),
                }],
            });
        }
        for (l, waited, heading) in [
            (Locale::Ja, "1時間未確認", "⏫ 確認されていないトラブルが3件あります。"),
            (
                Locale::En,
                "unacknowledged for 1h",
                "⏫ 3 troubles were left unacknowledged.",
            ),
        ] {
            let r = combined(l, &config, Combined::EscalationDm, &troubles, 0, None);
            assert!(r.text.starts_with(heading), "{}", r.text);
            let blocks = as_values(r.blocks.expect("blocks"));
            assert_eq!(blocks.len(), 4);
            for ((t, _), b) in troubles.iter().zip(&blocks[1..]) {
                let text = b["text"]["text"].as_str().unwrap();
                assert!(text.contains(t.id.as_str()) && text.contains(waited), "{text}");
                assert!(text.contains("<@U0MANAGER>"), "who was asked before: {text}");
                assert_eq!(b["accessory"]["action_id"], "acknowledge");
            }
        }
    }

    /// Drawn again with more lines than were posted together fit (its lines grew), the message
    /// shortens the summaries, never a line's end: each still says what it asks, with its
    /// button, and Slack takes the whole.
    #[test]
    fn a_shared_message_too_long_shortens_its_summaries_not_its_lines_ends() {
        let (config, mut troubles) = hostile(45);
        for (t, _) in &mut troubles {
            t.customer = "C".repeat(300);
            t.summary = "housings cracked in the customer's line ".repeat(70);
        }
        for l in [Locale::Ja, Locale::En] {
            let r = combined(l, &config, Combined::ManagerDm, &troubles, 0, None);
            let blocks = r.blocks.expect("blocks");
            let total: usize = blocks.iter().map(Block::text_chars).sum();
            assert!(total <= MESSAGE_TEXT_BUDGET, "{l:?}: {total}");
            let waiting = tr!(l, "⏳ 確認待ち", "⏳ waiting for acknowledgement");
            for b in &as_values(blocks)[1..] {
                let text = b["text"]["text"].as_str().unwrap();
                assert!(text.contains(waiting), "{l:?}: {text}");
                assert_eq!(b["accessory"]["action_id"], "acknowledge");
            }
        }
    }

    /// A trouble's line says what its own DM says under its facts, in either language: whom to
    /// call once it is handed over, and that it is open again, by whom and why.
    #[test]
    fn a_line_says_what_the_troubles_own_dm_says_of_its_owner_and_reopening() {
        let (config, mut troubles) = hostile(2);
        let (t, _) = &mut troubles[0];
        t.owner = UserId::new("U0COLLEAGUE");
        t.substance.reopening = Some(crate::trouble::facts::Reopening {
            by: UserId::new("U0MANAGER"),
            at: t.opened_at,
            reason: "the cracks came back".into(),
            not_effective: None,
        });
        let t = t.clone();
        for l in [Locale::Ja, Locale::En] {
            let alone = super::super::messages::render(l, &config, &t, &Message::ManagerDm).text;
            // As sent: a mention reads with its honorific in Japanese.
            let owner = super::super::san(l, &super::super::messages::handed_over(l, &t).expect("handed over"));
            let reopened =
                super::super::messages::reopened_note(l, &config, &t, Some(crate::slack::text::Where::Elsewhere))
                    .map(|note| super::super::san(l, &note))
                    .expect("reopened");
            assert!(alone.contains(&owner) && alone.contains(&reopened), "{alone}");
            for kind in [Combined::ManagerDm, Combined::EscalationDm] {
                let r = combined(l, &config, kind, &troubles, 0, None);
                let blocks = as_values(r.blocks.expect("blocks"));
                let line = |id: &TroubleId| {
                    blocks
                        .iter()
                        .filter_map(|b| b["text"]["text"].as_str())
                        .find(|text| text.contains(id.as_str()))
                        .expect("its line")
                        .to_string()
                };
                let (mine, other) = (line(&t.id), line(&troubles[1].0.id));
                assert!(mine.contains(&owner) && mine.contains(&reopened), "{l:?}: {mine}");
                assert!(!other.contains(&owner) && !other.contains(&reopened), "{l:?}: {other}");
            }
        }
    }

    /// A trouble whose channel Slack refused has, right under its line, the button its own DM
    /// has (the same action and value), for a reader who may ask; the others have none. With no
    /// room left in Slack's 50 blocks, its line says where the button is instead.
    #[test]
    fn a_refused_channel_has_its_dms_button_under_its_line() {
        let (config, mut troubles) = hostile(3);
        let refused = &mut troubles[1].0;
        refused.channel = None;
        refused.channel_refused = true;
        let refused = refused.clone();
        for l in [Locale::Ja, Locale::En] {
            let own = super::super::messages::render(l, &config, &refused, &Message::ManagerDm);
            let own = serde_json::to_value(own.blocks).expect("json");
            let own = own.as_array().and_then(|b| b.last()).expect("its buttons")["elements"]
                .as_array()
                .and_then(|e| e.iter().find(|b| b["action_id"] == "create_channel"))
                .expect("the DM's button")
                .clone();
            for kind in [Combined::ManagerDm, Combined::EscalationDm] {
                let troubles: Vec<Part> = troubles
                    .iter()
                    .map(|(t, _)| {
                        let ask = Message::EscalationDm {
                            to: UserId::new("U0MANAGER"),
                            waited_secs: 600,
                            passed_over: None,
                            new_to_chain: None,
                            asked_before: Vec::new(),
                        };
                        (t.clone(), (kind == Combined::EscalationDm).then_some(ask))
                    })
                    .collect();
                let blocks = as_values(combined(l, &config, kind, &troubles, 0, None).blocks.expect("blocks"));
                assert_eq!(blocks.len(), 5, "{kind:?}");
                assert_eq!(blocks[3]["type"], "actions", "{kind:?}: {blocks:?}");
                assert!(blocks[2]["text"]["text"]
                    .as_str()
                    .unwrap()
                    .contains(refused.id.as_str()));
                let button = &blocks[3]["elements"][0];
                assert_eq!(
                    (&button["action_id"], &button["value"]),
                    (&own["action_id"], &own["value"])
                );
                assert_eq!(blocks.iter().filter(|b| b["type"] == "actions").count(), 1);
            }
        }
        let (config, mut all) = hostile(MAX_PER_MESSAGE);
        for (t, _) in &mut all {
            t.channel = None;
            t.channel_refused = true;
            (t.customer, t.summary) = ("ACME".into(), "cracked housings".into());
            t.channel_name = Some(format!("trouble-{}-acme", t.id));
        }
        for (l, hint) in [
            (
                Locale::En,
                "(ask for it again with *Try creating the channel again* in the bot's Home)",
            ),
            (
                Locale::Ja,
                "（ボットのホームの「チャンネルの作成を再試行」で依頼できます）",
            ),
        ] {
            let blocks = as_values(
                combined(l, &config, Combined::ManagerDm, &all, 0, None)
                    .blocks
                    .expect("blocks"),
            );
            assert_eq!(blocks.len(), 50);
            for b in &blocks[1..] {
                let text = b["text"]["text"].as_str().unwrap();
                assert!(text.contains(hint), "{l:?}: {text}");
            }
        }
    }

    /// Each button's block_id is its line's own, even were the same trouble ever gathered
    /// twice in one message: Slack refuses a message repeating one, and every trouble in it
    /// would go unheard.
    #[test]
    fn the_channel_buttons_block_ids_are_unique_in_a_message() {
        let (config, mut troubles) = hostile(1);
        troubles[0].0.channel = None;
        troubles[0].0.channel_refused = true;
        let twice = vec![troubles[0].clone(), troubles[0].clone()];
        let blocks = as_values(
            combined(Locale::En, &config, Combined::ManagerDm, &twice, 0, None)
                .blocks
                .expect("blocks"),
        );
        let ids: Vec<&str> = (blocks.iter())
            .filter(|b| b["type"] == "actions")
            .filter_map(|b| b["block_id"].as_str())
            .collect();
        assert_eq!(ids.len(), 2, "{blocks:?}");
        assert_ne!(ids[0], ids[1]);
    }

    /// The button is judged for the DM's reader, by the predicate its own DM uses: an
    /// escalation's reader not yet asked (so who may not ask for the channel) gets none, nor
    /// does a notice, read by anyone in the channel.
    #[test]
    fn a_refused_channels_line_has_no_button_for_a_reader_who_may_not_ask() {
        use crate::trouble::model::UserId;
        let (config, mut troubles) = hostile(3);
        for (t, alone) in &mut troubles {
            t.channel = None;
            t.channel_refused = true;
            *alone = Some(Message::EscalationDm {
                to: UserId::new("U0NOBODY"),
                waited_secs: 600,
                passed_over: None,
                new_to_chain: None,
                asked_before: Vec::new(),
            });
        }
        for l in [Locale::Ja, Locale::En] {
            for kind in [Combined::EscalationDm, Combined::Notice] {
                let r = combined(l, &config, kind, &troubles, 0, None);
                let blocks = as_values(r.blocks.expect("blocks"));
                assert_eq!(blocks.len(), 4, "{kind:?}: {blocks:?}");
                assert!(blocks.iter().all(|b| b["type"] != "actions"), "{kind:?}: {blocks:?}");
                assert!(!serde_json::to_string(&blocks).unwrap().contains("create_channel"));
            }
        }
    }

    /// One rule with the trouble's own escalation DM: drawn again once answered, a line whose
    /// trouble keeps the message (and so draws it again when the channel is asked for) keeps
    /// the button while its reader may ask, though nothing in the message asks any longer; a
    /// line whose trouble let the message go (asked again in a newer DM) has none.
    #[test]
    fn an_answered_escalation_line_keeps_its_channel_button_only_while_its_trouble_keeps_the_dm() {
        use crate::trouble::model::{Acknowledgement, ChannelId, KeptDm, Ts, UserId};
        let (config, mut troubles) = hostile(2);
        let m = PostedMessage {
            channel: ChannelId::new("D0MANAGER"),
            ts: Ts::new("5.5"),
            together: troubles.iter().map(|(t, _)| t.id.clone()).collect(),
        };
        for (t, _) in &mut troubles {
            t.channel = None;
            t.channel_refused = true;
            t.ack = Some(Acknowledgement {
                by: UserId::new("U0MANAGER"),
                at: t.opened_at,
                wait_untold: false,
            });
            t.manager_dm = None;
        }
        // The first keeps it, answered; the second asked its reader again in a newer DM.
        troubles[0].0.escalation.settled = vec![KeptDm {
            posted: m.clone(),
            shown: Some(Message::EscalationDm {
                to: UserId::new("U0MANAGER"),
                waited_secs: 600,
                passed_over: None,
                new_to_chain: None,
                asked_before: Vec::new(),
            }),
        }];
        for l in [Locale::Ja, Locale::En] {
            let r = combined(l, &config, Combined::EscalationDm, &troubles, 0, Some(&m));
            let blocks = as_values(r.blocks.expect("blocks"));
            let buttons: Vec<&serde_json::Value> = (blocks.iter())
                .filter(|b| b["type"] == "actions")
                .flat_map(|b| b["elements"].as_array().expect("elements"))
                .collect();
            assert_eq!(buttons.len(), 1, "{l:?}: {blocks:?}");
            assert_eq!(buttons[0]["action_id"], "create_channel");
            assert!(buttons[0]["value"]
                .as_str()
                .unwrap()
                .contains(troubles[0].0.id.as_str()));
        }
    }

    /// A DM shared by two troubles asking the owner's manager a fixed `[org]` names, from
    /// outside their chains, drawn again before the second recorded it: that one still asks
    /// them, rather than reading as let go.
    #[test]
    fn a_shared_dm_still_asks_the_manager_a_fixed_org_names_before_each_trouble_recorded_it() {
        use crate::trouble::model::{ChannelId, KeptDm, Ts, UserId};
        let (config, mut troubles) = hostile(2);
        let them = UserId::new("U0NEWMGR");
        let m = PostedMessage {
            channel: ChannelId::new("D0NEWMGR"),
            ts: Ts::new("5.5"),
            together: troubles.iter().map(|(t, _)| t.id.clone()).collect(),
        };
        for (t, _) in &mut troubles {
            t.ack = None;
            t.escalation.chain = vec![UserId::new("U0MANAGER")];
            t.escalation.owners_manager_now = Some(them.clone());
        }
        // The first recorded it; the second has yet to.
        troubles[0].0.escalation.dms = vec![KeptDm {
            posted: m.clone(),
            shown: Some(Message::EscalationDm {
                to: them.clone(),
                waited_secs: 600,
                passed_over: None,
                new_to_chain: None,
                asked_before: Vec::new(),
            }),
        }];
        for l in [Locale::Ja, Locale::En] {
            for (t, _) in &troubles {
                let state = asks_reader(l, &config, t, Some((&m, Some(&them))));
                assert!(state.is_none(), "{l:?} {}: {:?}", t.id, state.map(|s| s.said));
            }
        }
    }

    /// The notification in Japanese reads as Japanese is written: no space after the full stop,
    /// full-width brackets round each trouble's id.
    #[test]
    fn the_japanese_notification_sets_no_space_after_its_full_stop() {
        let (config, troubles) = hostile(2);
        let r = combined(Locale::Ja, &config, Combined::ManagerDm, &troubles, 0, None);
        assert!(r.text.contains("確認をお願いします。sev"), "{}", r.text);
        assert!(r.text.contains("（20261130-1）、sev"), "{}", r.text);
    }
}
