//! The App Home tab: a person's troubles at a glance, in both locales.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{customer_waited, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::{button, context, cut, divider, header, section, section_with, Block};
use crate::slack::contracts::{Action, ButtonValue};
use crate::slack::text::{one_line, Where};
use crate::trouble::home::{ChannelRefusals, HomeAction, HomeRow};
use crate::trouble::model::Trouble;

/// Slack allows 100 blocks in a Home view: four sections of rows (acknowledgements, overdue
/// updates, actions, troubles owned) with their headings and a line for the rest, the proposals
/// (two blocks each, and a line for the rest) and the troubles taken part in (one block of
/// lines) stay within it.
const MAX_ROWS_PER_SECTION: usize = 17;
const MAX_PROPOSALS: usize = 5;
/// Lines of the troubles a person takes part in: one block, within Slack's 3,000 characters.
const MAX_TAKING_PART: usize = 10;

/// The row's channel as a link, its name while Slack has not said its id, or that Slack
/// refused to create it: on every row of such a trouble, whoever looks.
fn channel_of(l: Locale, t: &HomeRow, refusals: &ChannelRefusals) -> String {
    match (&t.channel, &t.channel_name) {
        (Some(c), _) => format!("<#{c}>"),
        (None, _) if refusals.refused.contains(&t.id) => tr!(
            l,
            "⚠️ Slack がチャンネルを作成できませんでした",
            "⚠️ Slack refused to create its channel"
        )
        .to_string(),
        (None, Some(name)) => format!("#{name}"),
        (None, None) => tr!(l, "（チャンネル作成中）", "(channel being set up)").to_string(),
    }
}

/// What a section's rows offer to do from the Home.
#[derive(Clone, Copy)]
enum RowButton {
    /// A manager on a phone acknowledges without finding the channel.
    Acknowledge,
    /// The owner (or manager) logs the overdue update in the form the nudge's button opens.
    LogUpdate,
    /// Where Slack refused the trouble's channel and the person may ask for it again (`asks`),
    /// the button of the owner's refusal DM and the managers' DMs, for whoever reads Home
    /// rather than a DM (a phone, a DM long scrolled away).
    ChannelAgain,
}

/// A row, with its section's button (the one that asks for a refused channel only for whoever
/// may ask).
fn row(l: Locale, t: &HomeRow, now: DateTime<Utc>, offer: RowButton, refusals: &ChannelRefusals) -> Block {
    let text = row_text(l, t, now, refusals);
    match offer {
        RowButton::Acknowledge => section_with(&text, super::messages::ack_button(l, &t.id)),
        RowButton::LogUpdate => section_with(&text, super::messages::log_update_button(l, &t.id)),
        RowButton::ChannelAgain if refusals.asks.contains(&t.id) => {
            section_with(&text, super::messages::create_channel_button(l, &t.id, true))
        }
        RowButton::ChannelAgain => section(&text),
    }
}

/// What a row says of its trouble: customer, summary, id, severity, stage, the customer's wait,
/// whose it is, and its channel (or that Slack refused to create it).
fn row_text(l: Locale, t: &HomeRow, now: DateTime<Utc>, refusals: &ChannelRefusals) -> String {
    let channel = channel_of(l, t, refusals);
    let stage = t
        .current_stage
        .map(|s| format!("{}. {}", s.number(), stage_name(l, s)))
        .unwrap_or_else(|| tr!(l, "全段階完了", "all stages done").into());
    let heard = customer_waited(l, t.last_customer_contact, now, t.never_updated);
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    let summary = super::summary_part(&t.summary);
    // Whom to follow up with, on someone else's trouble.
    let owner = t
        .owner
        .as_ref()
        .map(|o| {
            tr!(
                l,
                format!(" · 担当 {}", super::messages::user(o)),
                format!(" · owner {}", super::messages::user(o))
            )
        })
        .unwrap_or_default();
    format!(
        "*{customer}*{summary} `{}` sev{} · {stage} · {heard}{owner} · {channel}",
        t.id, t.severity
    )
}

/// The troubles this person takes part in that "Troubles you own or manage" does not list
/// (`owned`; added, or a department's member in the channel), after the rest: one block of
/// lines, so a busy quality engineer's list never crowds the sections above out of Slack's
/// 100 blocks.
fn taking_part_section(
    l: Locale,
    rows: &[&HomeRow],
    owned: &[&HomeRow],
    refusals: &ChannelRefusals,
    now: DateTime<Utc>,
    blocks: &mut Vec<Block>,
) {
    let part: Vec<&HomeRow> = rows
        .iter()
        .copied()
        .filter(|t| t.takes_part && !owned.iter().any(|o| o.id == t.id))
        .collect();
    if part.is_empty() {
        return;
    }
    heading(
        l,
        blocks,
        tr!(l, "👥 参加しているトラブル", "👥 Troubles you take part in"),
        part.len(),
    );
    let mut lines: Vec<String> = part
        .iter()
        .take(MAX_TAKING_PART)
        .map(|t| format!("• {}", cut(&row_text(l, t, now, refusals), 280)))
        .collect();
    if part.len() > MAX_TAKING_PART {
        let more = part.len() - MAX_TAKING_PART;
        lines.push(tr!(
            l,
            format!("ほか{more}件（`/trouble list` で一覧）"),
            format!("{more} more (`/trouble list` lists them)")
        ));
    }
    blocks.push(section(&lines.join("\n")));
}

/// A proposal awaiting this person's decision, with the buttons the channel's has: a manager on
/// a phone approves from here. Only internal people see a Home, so the costs are shown.
fn proposal(l: Locale, t: &Trouble, n: usize) -> Vec<Block> {
    let Some(p) = crate::trouble::approval::proposal(t, n) else {
        return Vec::new();
    };
    let what = super::agreement::item_phrase(l, t, p.item, Where::Elsewhere);
    let customer = cut(&one_line(&t.customer, Where::Elsewhere), 200);
    let channel = t.channel.as_ref().map(|c| format!(" · <#{c}>")).unwrap_or_default();
    let by = super::messages::user(&p.by);
    // Why it came this far up, as the DM to the approver says.
    let why = if p.crossed.is_empty() {
        String::new()
    } else {
        format!("\n{}", super::agreement::crossed_text(l, &p.crossed))
    };
    let text = tr!(
        l,
        format!("*{customer}* `{}` 提案 #{n}（{by}）: {what}{channel}{why}", t.id),
        format!("*{customer}* `{}` proposal #{n} ({by}): {what}{channel}{why}", t.id)
    );
    // Block ids are unique within a view.
    let buttons = super::agreement::proposal_buttons(l, t, n, &format!("proposal-{}-{n}", t.id));
    vec![section(&text), buttons]
}

/// `user`'s App Home from their rows (the open troubles they may see: the store filters them
/// by the same rule as `list`), the proposals they may decide and the troubles whose channel
/// Slack refused (those they may ask for again among them).
pub fn home_view(
    l: Locale,
    config: &Config,
    rows: &[HomeRow],
    decisions: &[(Arc<Trouble>, Vec<usize>)],
    refusals: &ChannelRefusals,
    now: DateTime<Utc>,
) -> Value {
    let mut blocks = home_blocks(l, config, rows, decisions, refusals, now);
    // さん before the blocks are serialised, where each text is held to its limit.
    super::san_blocks(l, &mut blocks);
    json!({"type": "home", "blocks": blocks})
}

fn home_blocks(
    l: Locale,
    config: &Config,
    rows: &[HomeRow],
    decisions: &[(Arc<Trouble>, Vec<usize>)],
    refusals: &ChannelRefusals,
    now: DateTime<Utc>,
) -> Vec<Block> {
    // The most severe first in every section.
    let mut rows: Vec<&HomeRow> = rows.iter().collect();
    rows.sort_by(|a, b| (a.severity, a.id.opening_order()).cmp(&(b.severity, b.id.opening_order())));
    let waiting: Vec<&HomeRow> = rows.iter().copied().filter(|t| t.awaits_ack).collect();
    let overdue: Vec<&HomeRow> = rows
        .iter()
        .copied()
        .filter(|t| t.update_overdue(&config.policy, now))
        .collect();
    // With whoever may ask for its refused channel, though asked from beyond the escalation
    // (the configured manager beside one named at the open), who has no other place for it;
    // those rows first, so that their button is never among the rows left out.
    let asks = |t: &HomeRow| refusals.asks.contains(&t.id);
    let mut owned: Vec<&HomeRow> = rows
        .iter()
        .copied()
        .filter(|t| t.owns || t.manages || asks(t))
        .collect();
    owned.sort_by_key(|t| !asks(t));
    let mut blocks = vec![header(tr!(l, "🚨 トラブル対応", "🚨 Troubles"))];
    let sections: [(&str, &Vec<&HomeRow>, &str, RowButton); 3] = [
        (
            tr!(l, "⏳ あなたの確認待ち", "⏳ Waiting for your acknowledgement"),
            &waiting,
            tr!(l, "ありません", "None"),
            RowButton::Acknowledge,
        ),
        (
            tr!(l, "⚠️ お客様への報告が期限切れ", "⚠️ Customer update overdue"),
            &overdue,
            tr!(l, "ありません", "None"),
            RowButton::LogUpdate,
        ),
        (
            tr!(l, "📋 担当・管理しているトラブル", "📋 Troubles you own or manage"),
            &owned,
            tr!(l, "ありません", "None"),
            RowButton::ChannelAgain,
        ),
    ];
    for (i, (title, list, empty, offer)) in sections.into_iter().enumerate() {
        match i {
            1 => proposals_section(l, decisions, &mut blocks),
            2 => actions_section(l, config, &rows, refusals, now, &mut blocks),
            _ => {}
        }
        heading(l, &mut blocks, title, list.len());
        if list.is_empty() {
            blocks.push(context(empty));
        }
        for t in list.iter().take(MAX_ROWS_PER_SECTION) {
            blocks.push(row(l, t, now, offer, refusals));
        }
        if let Some(more) = list.len().checked_sub(MAX_ROWS_PER_SECTION).filter(|&n| n > 0) {
            blocks.push(context(&tr!(
                l,
                format!("ほか{more}件（`/trouble list` で一覧）"),
                format!("{more} more (`/trouble list` lists them)")
            )));
        }
    }
    taking_part_section(l, &rows, &owned, refusals, now, &mut blocks);
    blocks.push(context(tr!(
        l,
        "`/trouble open お客様名: 概要` でトラブルを起票できます。",
        "Open a trouble with `/trouble open CUSTOMER: SUMMARY`."
    )));
    blocks
}

/// A section's heading, after a divider: its title and how many it holds (in Japanese inside
/// the bold, so no full-width bracket sits against the closing `*`).
fn heading(l: Locale, blocks: &mut Vec<Block>, title: &str, count: usize) {
    blocks.push(divider());
    blocks.push(section(&tr!(
        l,
        format!("*{title}（{count}）*"),
        format!("*{title}* ({count})")
    )));
}

/// Proposals waiting for this person's approval, after the acknowledgements: the section shows
/// only when there is one, since most people never approve anything.
fn proposals_section(l: Locale, decisions: &[(Arc<Trouble>, Vec<usize>)], blocks: &mut Vec<Block>) {
    let all: Vec<(&Trouble, usize)> = decisions
        .iter()
        .flat_map(|(t, ns)| ns.iter().map(move |n| (&**t, *n)))
        .collect();
    if all.is_empty() {
        return;
    }
    let title = tr!(l, "🗳️ あなたの承認待ちの提案", "🗳️ Proposals waiting for your approval");
    heading(l, blocks, title, all.len());
    for (t, n) in all.iter().take(MAX_PROPOSALS) {
        blocks.extend(proposal(l, t, *n));
    }
    if all.len() > MAX_PROPOSALS {
        let more = all.len() - MAX_PROPOSALS;
        blocks.push(context(&tr!(
            l,
            format!("ほか{more}件は各トラブルのチャンネルで判断してください。"),
            format!("{more} more: decide them in their troubles' channels.")
        )));
    }
}

/// The actions this person owns that are not done, with **Done**: a quality engineer assigned
/// one sees it with its due date, on troubles they do not own. Shown only when there is one.
fn actions_section(
    l: Locale,
    config: &Config,
    rows: &[&HomeRow],
    refusals: &ChannelRefusals,
    now: DateTime<Utc>,
    blocks: &mut Vec<Block>,
) {
    let all: Vec<(&HomeRow, &HomeAction)> = rows
        .iter()
        .copied()
        .flat_map(|r| r.actions.iter().map(move |a| (r, a)))
        .collect();
    if all.is_empty() {
        return;
    }
    let title = tr!(l, "🔧 あなたが担当する対策", "🔧 Actions you own");
    heading(l, blocks, title, all.len());
    for (row, a) in all.iter().take(MAX_ROWS_PER_SECTION) {
        let customer = cut(&one_line(&row.customer, Where::Elsewhere), 200);
        let what = cut(&one_line(&a.text, Where::Elsewhere), 200);
        let kind = super::stages::kind_label(l, a.kind);
        let due = match a.due {
            None => String::new(),
            Some(d) => {
                let at = super::format_day_time(l, config.policy.timezone, d);
                match d <= now {
                    true => format!(" · {}", super::overdue_since(l, &at)),
                    false => tr!(l, format!(" · 期限 {at}"), format!(" · due {at}")),
                }
            }
        };
        // Its trouble closed by force, it reads as the status and the report say it.
        let left_open = match row.closed_by_force {
            true => format!(" · {}", super::left_open_mark(l)),
            false => String::new(),
        };
        let text = format!(
            "*{customer}* `{}` #{} {kind}: {what}{due}{left_open} · {}",
            row.id,
            a.n,
            channel_of(l, row, refusals)
        );
        let value = ButtonValue::stage(row.id.as_str(), a.n).encode();
        blocks.push(section_with(
            &text,
            button(Action::ActionDone.id(), tr!(l, "完了", "Done"), &value, false).labelled(&tr!(
                l,
                format!("トラブル {} の対策 #{} を完了にする", row.id, a.n),
                format!("Mark action #{} of trouble {} done", a.n, row.id)
            )),
        ));
    }
    // The newest are the ones left out (a trouble's prevention measures come last): never silently.
    if let Some(more) = all.len().checked_sub(MAX_ROWS_PER_SECTION).filter(|&n| n > 0) {
        blocks.push(context(&tr!(
            l,
            format!("ほか{more}件（各トラブルのチャンネルで `/trouble status`、完了にすると次が表示されます）"),
            format!("{more} more (`/trouble status` in each trouble's channel; each one marked done makes room for the next)")
        )));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::trouble::actions::ActionKind;
    use crate::trouble::home::HomeAction;
    use crate::trouble::model::{Severity, TroubleId};

    /// `n` rows of sev1 troubles in every section.
    pub(crate) fn full_rows(now: DateTime<Utc>, n: usize) -> Vec<HomeRow> {
        (0..n)
            .map(|i| HomeRow {
                last_customer_contact: now - chrono::Duration::days(3),
                awaits_ack: true,
                summary: "lids cracked in lot 42, found at the customer's line".into(),
                owner: Some(crate::trouble::model::UserId::new("U0SALES")),
                manages: true,
                actions: (1..=3)
                    .map(|n| HomeAction {
                        n,
                        kind: ActionKind::Interim,
                        text: "sort".into(),
                        due: None,
                    })
                    .collect(),
                ..crate::trouble::home::tests::row(i, 1, now)
            })
            .collect()
    }

    /// A person in every section with more rows than shown still gets a view Slack takes
    /// (100 blocks), with room left for the most proposals the Home lists.
    #[test]
    fn a_full_home_stays_within_slacks_block_limit() {
        let now = Utc::now();
        let mut rows = full_rows(now, 40);
        // As many again that the person only takes part in.
        rows.extend(full_rows(now, 40).into_iter().enumerate().map(|(i, r)| HomeRow {
            id: TroubleId::new(format!("20261201-{i}")),
            awaits_ack: false,
            owns: false,
            manages: false,
            takes_part: true,
            ..r
        }));
        for l in [Locale::En, Locale::Ja] {
            let view = home_view(l, &Config::default(), &rows, &[], &ChannelRefusals::default(), now);
            let blocks = view["blocks"].as_array().expect("blocks").len();
            assert!(blocks + 2 + 2 * MAX_PROPOSALS < 100, "{blocks} blocks");
        }
    }

    /// A trouble whose channel Slack refused: each of its rows says so, in every section and for
    /// whoever looks, in both locales; the button that asks again is beside it, among the
    /// troubles owned or managed and first there, only for whoever may ask (`asks`), though the
    /// escalation has not reached them; and a row listed there is not listed again below.
    #[test]
    fn a_refused_channel_is_said_on_its_rows_and_asked_for_again_where_one_may() {
        let now = Utc::now();
        let asked_at_open = HomeRow {
            owns: false,
            awaits_ack: false,
            takes_part: true,
            ..crate::trouble::home::tests::row(1, 3, now)
        };
        let id = asked_at_open.id.clone();
        let refused_for = |asks: bool| ChannelRefusals {
            refused: vec![id.clone()],
            asks: if asks { vec![id.clone()] } else { Vec::new() },
        };
        // Taking part, with an action of theirs on it: two rows of it, neither with the button.
        let added = HomeRow {
            actions: vec![HomeAction {
                n: 1,
                kind: ActionKind::Interim,
                text: "sort".into(),
                due: None,
            }],
            ..asked_at_open.clone()
        };
        // A busy manager: more troubles of their own, more severe, than a section shows.
        let mut busy = full_rows(now, MAX_ROWS_PER_SECTION + 3);
        for (i, r) in busy.iter_mut().enumerate() {
            r.id = crate::trouble::model::TroubleId::new(format!("20261201-{i}"));
            r.channel = Some(crate::trouble::model::ChannelId::new("C0OTHER"));
        }
        busy.push(asked_at_open.clone());
        let config = Config::default();
        let count = |view: &str, what: &str| view.matches(what).count();
        for (l, label, refused) in [
            (
                Locale::En,
                "\"Try creating the channel again\"",
                "Slack refused to create its channel",
            ),
            (
                Locale::Ja,
                "\"チャンネルの作成を再試行\"",
                "Slack がチャンネルを作成できませんでした",
            ),
        ] {
            let view = |rows: &[HomeRow], refusals| home_view(l, &config, rows, &[], &refusals, now).to_string();
            let asker = view(std::slice::from_ref(&asked_at_open), refused_for(true));
            assert!(
                count(&asker, "\"create_channel\"") == 1 && asker.contains(label),
                "{asker}"
            );
            assert_eq!(
                (count(&asker, refused), count(&asker, "`20261130-1` sev")),
                (1, 1),
                "{asker}"
            );
            let other = view(std::slice::from_ref(&added), refused_for(false));
            assert!(!other.contains("create_channel"), "{other}");
            assert_eq!(count(&other, refused), 2, "the line and the action: {other}");
            // Managing it, and yet not one who may ask (`[org]` has them report to its owner).
            let managing = HomeRow {
                manages: true,
                ..asked_at_open.clone()
            };
            let managing = view(std::slice::from_ref(&managing), refused_for(false));
            assert!(
                !managing.contains("create_channel") && managing.contains(refused),
                "{managing}"
            );
            let busy = view(&busy, refused_for(true));
            assert!(busy.contains("\"create_channel\""), "{busy}");
            let none = view(std::slice::from_ref(&added), ChannelRefusals::default());
            assert!(!none.contains("create_channel") && !none.contains(refused), "{none}");
        }
    }

    /// The most severe first, whatever order the index keeps them in.
    #[test]
    fn each_section_lists_the_most_severe_first() {
        let now = Utc::now();
        let mut rows = full_rows(now, 2);
        rows[0].severity = Severity::new(3);
        rows[1].severity = Severity::new(1);
        let view = home_view(
            Locale::En,
            &Config::default(),
            &rows,
            &[],
            &ChannelRefusals::default(),
            now,
        )
        .to_string();
        let (sev1, sev3) = (view.find("` sev1 ·"), view.find("` sev3 ·"));
        assert!(sev1.is_some() && sev1 < sev3, "{view}");
    }
}
