//! The words of proposals, approvals and the customer's agreement, and of costs with the split applied, in Japanese and English.

use super::messages::{cost_phrase, cost_totals_text, split_shares};
use super::Locale;
use crate::config::Config;
use crate::slack::blocks::{actions, button, context, section};
use crate::slack::blocks::{Block, Rendered};
use crate::slack::contracts::{Action, ButtonValue};
use crate::slack::text::{one_line, Where};
use crate::trouble::approval::{
    approvers, cost_counts, current_shares, proposal, state_of, superseded_by, AgreementEvent, AgreementLine,
    AgreementReply, Crossed, Item, ProposalState,
};
use crate::trouble::decide::Act;
use crate::trouble::model::{Cost, Split, Trouble, UserId};
use crate::trouble::money::Money;

fn user(u: &UserId) -> String {
    format!("<@{u}>")
}

/// What a proposal is about, as it stands on the trouble now, with what it is for: an approver
/// deciding from a DM or App Home sees why the money is asked for, not only how much. The
/// proposer's words are in quotes, set apart from the bot's as an update's are, so no reason
/// reads as a line of the message (`✅ Proposal approved by …` above the Approve button).
pub fn item_phrase(l: Locale, t: &Trouble, item: Item, place: Where) -> String {
    match item {
        Item::Split => match &t.split {
            Some(s) => {
                let split = with_reason(l, split_shares(l, s.ours, s.customer, s.other), &s.reason, place, true);
                tr!(l, format!("責任区分 {split}"), format!("split: {split}"))
            }
            None => tr!(l, "責任区分", "split").to_string(),
        },
        Item::Cost { n } => match t.costs.get(n - 1) {
            Some(c) => {
                let cost = with_reason(l, cost_phrase(l, c, place), &c.note, place, true);
                tr!(l, format!("費用 #{n} {cost}"), format!("cost #{n} {cost}"))
            }
            None => format!("#{n}"),
        },
    }
}

/// The split's shares and, when given, its reason: `us 70% / the customer 30% — …`.
pub fn split_with_reason(l: Locale, s: &Split, place: Where) -> String {
    with_reason(l, split_shares(l, s.ours, s.customer, s.other), &s.reason, place, false)
}

/// A cost and, when given, its note in quotes: `¥50,000 (borne by us) — “courier”`.
pub fn cost_with_note(l: Locale, c: &Cost, place: Where) -> String {
    with_reason(l, cost_phrase(l, c, place), &c.note, place, false)
}

/// How much of a reason a proposal's line quotes.
const QUOTED_REASON: usize = 300;

/// WHAT followed by the reason typed with it, on one line and in quotes, when there is one:
/// in the pinned status and the report the proposal's state follows it, and a reason typed `✅ approved by
/// @director` must read as what someone typed, not as the state.
fn with_reason(l: Locale, what: String, reason: &str, place: Where, short: bool) -> String {
    if reason.trim().is_empty() {
        return what;
    }
    // Shortened in a proposal's line, where who may approve it follows: however long the reason
    // (the status and the report have it whole), the ask stays in the message and its text.
    let reason = match short {
        true => crate::slack::blocks::cut(&one_line(reason, place), QUOTED_REASON),
        false => one_line(reason, place),
    };
    tr!(l, format!("{what} —「{reason}」"), format!("{what} — “{reason}”"))
}

pub fn state_label(l: Locale, state: &ProposalState, place: Where) -> String {
    let user = |u: &UserId| super::person(u, place);
    match state {
        ProposalState::Proposed => tr!(l, "承認待ち", "awaiting approval").to_string(),
        ProposalState::Approved { approved } => tr!(
            l,
            format!("承認済み（{}）", user(&approved.by)),
            format!("approved by {}", user(&approved.by))
        ),
        ProposalState::Rejected { rejected } => tr!(
            l,
            format!("却下（{}）", user(&rejected.by)),
            format!("rejected by {}", user(&rejected.by))
        ),
        ProposalState::Agreed { .. } => tr!(l, "お客様と合意済み", "agreed with the customer").to_string(),
        ProposalState::Superseded => tr!(l, "訂正により差し替え", "superseded by a correction").to_string(),
    }
}

/// Why a limit sends the approval further up: `¥1,260,000 > ¥1,000,000`.
pub(super) fn crossed_text(l: Locale, crossed: &[Crossed]) -> String {
    crossed
        .iter()
        .map(|c| {
            let ours = Money {
                currency: c.currency,
                minor: c.ours,
            };
            let limit = Money {
                currency: c.currency,
                minor: c.limit,
            };
            if c.unset {
                let code = format!("{:?}", c.currency).to_uppercase();
                return tr!(
                    l,
                    format!("当社負担 {ours}: {code} の承認限度額が設定されていないため、上司の系統の最上位が承認します"),
                    format!("our share {ours}: no approval limit is set for {code}, so the top of the manager chain decides")
                );
            }
            tr!(
                l,
                format!("当社負担 {ours} が承認限度 {limit} を超えています"),
                format!("our share {ours} is over the approval limit of {limit}")
            )
        })
        .collect::<Vec<_>>()
        .join(tr!(l, "。", "; "))
}

/// Costs with the split applied: `当社分 70% × ¥1,200,000 = ¥840,000`. Our *share* (当社分),
/// apart from who pays each cost (当社負担), which the cost lines say.
pub fn shares_text(l: Locale, t: &Trouble) -> Option<String> {
    shares_line(l, &current_shares(t))
}

fn shares_line(l: Locale, shares: &[crate::trouble::approval::Share]) -> Option<String> {
    if shares.is_empty() {
        return None;
    }
    Some(
        shares
            .iter()
            .map(|s| {
                tr!(
                    l,
                    format!("当社分 {}% × {} = {}", s.ours_pct, s.total, s.ours),
                    format!("ours {}% of {} = {}", s.ours_pct, s.total, s.ours)
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
    )
}

/// The totals per payer counted as the shares are: rejected costs left out, those awaiting
/// approval counted and named, so the two lines agree and say why.
pub fn totals_text(l: Locale, t: &Trouble) -> Option<String> {
    let counts = cost_counts(t);
    let totals = cost_totals_text(l, &counts.counted);
    let mut notes = Vec::new();
    if let Some(pending) = cost_totals_text(l, &counts.pending) {
        notes.push(tr!(
            l,
            format!("うち承認待ち {pending}"),
            format!("of which awaiting approval: {pending}")
        ));
    }
    for (n, proposed) in &counts.corrections {
        let to = proposed
            .money()
            .map(|m| m.to_string())
            .unwrap_or_else(|| proposed.amount.clone());
        notes.push(tr!(
            l,
            format!("費用 #{n} は訂正（{to}）の承認まで承認済みの額で計上"),
            format!("cost #{n} counted as approved until its correction to {to} is decided")
        ));
    }
    if counts.rejected > 0 {
        let n = counts.rejected;
        notes.push(tr!(
            l,
            format!("却下された費用 {n}件は含みません"),
            format!("{} left out", super::en_count(n, "rejected cost", "rejected costs"))
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        tr!(
            l,
            format!("（{}）", notes.join("。")),
            format!(" ({})", notes.join("; "))
        )
    };
    match totals {
        Some(totals) => Some(format!("{totals}{notes}")),
        None if counts.rejected > 0 => Some(notes.trim().to_string()),
        None => None,
    }
}

/// Where an item's latest proposal stands, to follow the item's own line in the status message
/// and the report: `proposal #2 approved by @tanaka`. `None` when nobody proposed it.
pub fn item_state(l: Locale, t: &Trouble, item: Item, place: Where) -> Option<String> {
    let Some(p) = state_of(t, item) else {
        // A cost of nothing is no proposal: it says why nobody approves it.
        let free = match item {
            Item::Cost { n } => t
                .costs
                .get(n.wrapping_sub(1))
                .is_some_and(crate::trouble::approval::costs_nothing),
            Item::Split => false,
        };
        return free.then(|| nothing_to_approve(l).to_string());
    };
    let state = state_label(l, &p.state, place);
    Some(tr!(
        l,
        format!("提案 #{} {state}", p.n),
        format!("proposal #{} {state}", p.n)
    ))
}

/// Said of a cost of nothing, wherever it is listed or told. No currency: the cost itself reads
/// "no cost" however it was typed (`0`, `¥0`, `$0`), and "(¥0)" beside a dollar cost is wrong.
pub(super) fn nothing_to_approve(l: Locale) -> &'static str {
    tr!(l, "承認不要", "no approval needed")
}

/// An item's line followed by where its proposal stands, if anyone proposed it.
pub fn with_item_state(l: Locale, t: &Trouble, item: Item, place: Where, line: String) -> String {
    match item_state(l, t, item, place) {
        Some(state) => format!("{line} — {state}"),
        None => line,
    }
}

/// Approve and Reject on proposal `n`, wherever it is asked (its channel, App Home);
/// `block_id` tells the block apart where there are several.
pub(super) fn proposal_buttons(l: Locale, t: &Trouble, n: usize, block_id: &str) -> Block {
    let value = ButtonValue::stage(t.id.as_str(), n).encode();
    actions(
        block_id,
        vec![
            button(Action::ProposalApprove.id(), tr!(l, "承認", "Approve"), &value, true).labelled(&tr!(
                l,
                format!("トラブル {} の提案 #{n} を承認", t.id),
                format!("Approve proposal #{n} on trouble {}", t.id)
            )),
            button(Action::ProposalReject.id(), tr!(l, "却下", "Reject"), &value, false).labelled(&tr!(
                l,
                format!("トラブル {} の提案 #{n} を却下", t.id),
                format!("Reject proposal #{n} on trouble {}", t.id)
            )),
        ],
    )
}

/// Who may decide a proposal, as the channel asks it: the first of them mentioned, the rest
/// only said to exist, so a proposal within the manager's limit pings the manager alone, not the
/// director and the VP above (a refusal, which pings nobody, names them all). "Above" only when
/// they are (see `chain_text`: a director named manager comes before the configured manager).
fn first_who_may(l: Locale, policy: &crate::trouble::policy::Policy, approvers: &[UserId]) -> String {
    match approvers {
        [] => String::new(),
        [only] => format!("<@{only}>"),
        [first, rest @ ..] if super::all_above(policy, first, rest) => tr!(
            l,
            format!("<@{first}>（またはその上位者）"),
            format!("<@{first}> (or those above them)")
        ),
        [first, ..] => tr!(
            l,
            format!("<@{first}>（またはこのトラブルの確認の依頼先のほかの方）"),
            format!("<@{first}> (or the others in its manager chain)")
        ),
    }
}

/// The trouble's channel as a DM about a proposal links it (its id while it has none).
fn dm_channel(t: &Trouble) -> String {
    t.channel
        .as_ref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| t.id.to_string())
}

/// The customer as a DM about a proposal names it: one line, pinging nobody, bounded.
fn dm_customer(t: &Trouble) -> String {
    crate::slack::blocks::cut(&one_line(&t.customer, Where::Elsewhere), 200)
}

pub fn line(l: Locale, config: &Config, t: &Trouble, line: &AgreementLine) -> Rendered {
    let text = match line {
        AgreementLine::Proposed { n } => {
            let Some(p) = proposal(t, *n) else {
                return Rendered::text(format!("#{n}"));
            };
            // Drawn when Slack's turn comes: replaced meanwhile (a new split typed while the
            // line waited behind others), its item now holds the later terms. It says what
            // became of it, without buttons, rather than show those terms as its own.
            if p.state == ProposalState::Superseded {
                return settled(l, t, *n, false);
            }
            let what = item_phrase(l, t, p.item, Where::OwnChannel);
            let who = first_who_may(l, &config.policy, &approvers(&config.policy, t, p));
            let crossed = crate::trouble::approval::crossed_now(&config.policy, t, p);
            let why = if crossed.is_empty() {
                String::new()
            } else {
                format!("\n{}", crossed_text(l, &crossed))
            };
            let shares = shares_line(l, &crate::trouble::approval::proposed_shares(t))
                .map(|s| format!("\n{s}"))
                .unwrap_or_default();
            let text = tr!(
                l,
                format!("🗳️ 提案 #{n}（{}）: {what}\n承認できる人: {}{why}{shares}\nお客様に提示する前に承認してください。", user(&p.by), if who.is_empty() { "（上司が未指名）".into() } else { who.clone() }),
                format!("🗳️ Proposal #{n} ({}): {what}\nWho may approve: {}{why}{shares}\nApprove it before it goes to the customer.", user(&p.by), if who.is_empty() { "(no manager named yet)".into() } else { who.clone() })
            );
            let blocks = vec![section(&text), proposal_buttons(l, t, *n, "proposal")];
            return Rendered {
                text,
                blocks: Some(blocks),
            };
        }
        // A DM: the recipient needs no mention, and a phone's notification starts with the ask.
        AgreementLine::NeedsYou { n, to: _ } => {
            let Some(p) = proposal(t, *n) else {
                return Rendered::text(format!("#{n}"));
            };
            if p.state == ProposalState::Superseded {
                return settled(l, t, *n, true);
            }
            let what = item_phrase(l, t, p.item, Where::Elsewhere);
            let channel = dm_channel(t);
            let crossed = crate::trouble::approval::crossed_now(&config.policy, t, p);
            let why = if crossed.is_empty() {
                tr!(
                    l,
                    "提案者とトラブルの担当者は承認できないため、上位のあなたにお願いしています".to_string(),
                    "nobody approves their own proposal or trouble, so it goes up the chain to you".to_string()
                )
            } else {
                crossed_text(l, &crossed)
            };
            let customer = dm_customer(t);
            let text = tr!(
                l,
                format!(
                    "🗳️ トラブル {}（{customer}）の提案 #{n} はあなたの承認が必要です: {what}\n理由: {why}。\nこのボタンか {channel} で承認／却下してください。",
                    t.id,
                ),
                format!(
                    "🗳️ Proposal #{n} on trouble {} ({customer}) needs your approval: {what}\nWhy you: {why}.\nApprove or reject it here or in {channel}.",
                    t.id,
                )
            );
            let blocks = vec![section(&text), proposal_buttons(l, t, *n, "proposal")];
            return Rendered {
                text,
                blocks: Some(blocks),
            };
        }
        AgreementLine::Settled { n, dm } => return settled(l, t, *n, *dm),
        AgreementLine::NoLongerYours { n, by } => {
            let Some(p) = proposal(t, *n) else {
                return Rendered::text(format!("#{n}"));
            };
            let what = item_phrase(l, t, p.item, Where::Elsewhere);
            let customer = dm_customer(t);
            let channel = dm_channel(t);
            let now = match approvers(&config.policy, t, p).first() {
                Some(a) => tr!(
                    l,
                    format!("今は {}が承認します", user(a)),
                    format!("{} decides it now", user(a))
                ),
                None => tr!(
                    l,
                    "承認できる上司はいま指名されていません",
                    "nobody is named to decide it now"
                )
                .to_string(),
            };
            return Rendered::text(tr!(
                l,
                format!("🗳️ トラブル {}（{customer}）の提案 #{n}: {what}\n{}が担当・上司を変更したため、あなたの承認は不要になりました（{now}）。{channel}", t.id, user(by)),
                format!("🗳️ Proposal #{n} on trouble {} ({customer}): {what}\nNo longer yours to decide: {} changed the trouble's owner or manager ({now}). {channel}", t.id, user(by))
            ));
        }
        AgreementLine::Decided { n, approved: true, by } => {
            let owner = user(&t.owner);
            tr!(
                l,
                format!("✅ 提案 #{n} を {}が承認しました。{owner}、お客様の合意が得られたら `/trouble agreed {n}` を入力してください。", user(by)),
                format!("✅ Proposal #{n} approved by {}. {owner} once the customer accepts it: `/trouble agreed {n}`.", user(by))
            )
        }
        AgreementLine::Decided { n, approved: false, by } => {
            let rejected = tr!(
                l,
                format!(
                    "⛔ 提案 #{n} を {}が却下しました。お客様には提示しないでください。",
                    user(by)
                ),
                format!(
                    "⛔ Proposal #{n} rejected by {}. Do not present it to the customer.",
                    user(by)
                )
            );
            // A rejected correction: the approved terms it would have replaced stand again.
            let standing = proposal(t, *n)
                .and_then(|p| crate::trouble::approval::state_of(t, p.item))
                .filter(|s| {
                    s.n != *n && matches!(s.state, ProposalState::Approved { .. } | ProposalState::Agreed { .. })
                });
            match standing {
                Some(s) => {
                    let what = item_phrase(l, t, s.item, Where::OwnChannel);
                    // Restored as their writer recorded them: whose terms they are, not the
                    // rejecter's, so whoever talks to the customer knows they stand again.
                    let writer = match s.item {
                        Item::Split => t.split.as_ref().map(|s| &s.by),
                        Item::Cost { n } => t.costs.get(n.wrapping_sub(1)).map(|c| &c.by),
                    };
                    let (of_ja, of_en) = match writer {
                        Some(w) => (
                            format!("（{}の記録）", user(w)),
                            format!(", as recorded by {}", user(w)),
                        ),
                        None => (String::new(), String::new()),
                    };
                    tr!(
                        l,
                        format!(
                            "{rejected}\n↩️ 提案 #{} の承認済みの条件{of_ja}が引き続き有効です: {what}",
                            s.n
                        ),
                        format!("{rejected}\n↩️ Proposal #{}'s approved terms stand{of_en}: {what}", s.n)
                    )
                }
                None => rejected,
            }
        }
        AgreementLine::AgreedWithdrawn { n, by, reason } => {
            let reason = super::note_below(reason, Where::OwnChannel);
            tr!(
                l,
                format!("↩️ {}が、提案 #{n} へのお客様の合意の記録を取り消しました。提案は承認済みに戻り、お客様の合意を待っています。{reason}", user(by)),
                format!("↩️ {} withdrew the record that the customer accepted proposal #{n}: it stands approved, waiting for the customer's agreement.{reason}", user(by))
            )
        }
        AgreementLine::Agreed { n, by } => {
            let p = proposal(t, *n);
            let what = p
                .map(|p| item_phrase(l, t, p.item, Where::OwnChannel))
                .unwrap_or_default();
            let note = match p.map(|p| &p.state) {
                Some(ProposalState::Agreed { agreed, .. }) => super::note_below(&agreed.note, Where::OwnChannel),
                _ => String::new(),
            };
            tr!(
                l,
                format!(
                    "🤝 提案 #{n} にお客様が合意しました（{}が記録）: {what}{note}",
                    user(by)
                ),
                format!(
                    "🤝 The customer accepted proposal #{n} (recorded by {}): {what}{note}",
                    user(by)
                )
            )
        }
    };
    Rendered::text(text)
}

/// A message that asked for a decision, once the proposal no longer waits: what it was and
/// what came of it, with no buttons. A DM names the trouble, as its question did.
fn settled(l: Locale, t: &Trouble, n: usize, dm: bool) -> Rendered {
    let Some(p) = proposal(t, n) else {
        return Rendered::text(format!("#{n}"));
    };
    let head = if dm {
        let customer = dm_customer(t);
        tr!(
            l,
            format!("🗳️ トラブル {}（{customer}）の提案 #{n}", t.id),
            format!("🗳️ Proposal #{n} on trouble {} ({customer})", t.id)
        )
    } else {
        tr!(
            l,
            format!("🗳️ 提案 #{n}（{}）", user(&p.by)),
            format!("🗳️ Proposal #{n} ({})", user(&p.by))
        )
    };
    // A superseded proposal's item now reads as its correction: only the number of that is said.
    let head = match &p.state {
        ProposalState::Superseded => head,
        _ => {
            let place = if dm { Where::Elsewhere } else { Where::OwnChannel };
            format!("{head}: {}", item_phrase(l, t, p.item, place))
        }
    };
    let outcome = match &p.state {
        ProposalState::Approved { approved } => tr!(
            l,
            format!("✅ {}が承認しました。", user(&approved.by)),
            format!("✅ Approved by {}.", user(&approved.by))
        ),
        ProposalState::Agreed { approved, .. } => tr!(
            l,
            format!("✅ {}が承認し、🤝 お客様が合意しました。", user(&approved.by)),
            format!("✅ Approved by {}; 🤝 the customer accepted it.", user(&approved.by))
        ),
        ProposalState::Rejected { rejected } => tr!(
            l,
            format!("⛔ {}が却下しました。", user(&rejected.by)),
            format!("⛔ Rejected by {}.", user(&rejected.by))
        ),
        ProposalState::Superseded => match superseded_by(t, p) {
            Some(m) => tr!(
                l,
                format!("↩️ 提案 #{m} に差し替えられました。"),
                format!("↩️ Superseded by proposal #{m}.")
            ),
            None => tr!(l, "↩️ 差し替えられました。", "↩️ Superseded.").to_string(),
        },
        ProposalState::Proposed => tr!(
            l,
            "🔒 決定される前にトラブルがクローズされました。",
            "🔒 The trouble was closed before anyone decided it."
        )
        .to_string(),
    };
    Rendered {
        text: format!("{head}\n{outcome}"),
        blocks: Some(vec![section(&head), context(&outcome)]),
    }
}

pub fn reply_text(l: Locale, r: &AgreementReply) -> String {
    match r {
        AgreementReply::NothingToApprove { n } => tr!(
            l,
            format!("費用 #{n} を記録しました。費用負担なしのため承認は不要で、このまま確定です。"),
            format!("Cost #{n} recorded: a cost of nothing needs no approval, so it stands as settled.")
        ),
        AgreementReply::Proposed {
            n,
            item,
            approver,
            corrected,
            reason_missing,
        } => {
            let what = match (item, corrected) {
                (Item::Split, false) => tr!(l, "責任区分を", "Responsibility split recorded"),
                (Item::Cost { .. }, false) => tr!(l, "補償・費用を", "Cost recorded"),
                (Item::Split, true) => tr!(
                    l,
                    "責任区分を訂正しました（元の記録はタイムラインに残り、無効として扱います）。新しい",
                    "Corrected the split (the earlier entry stays on the timeline, marked superseded), recorded"
                ),
                (Item::Cost { .. }, true) => tr!(
                    l,
                    "費用を訂正しました（元の記録はタイムラインに残り、無効として扱います）。新しい",
                    "Corrected the cost (the earlier entry stays on the timeline, marked superseded), recorded"
                ),
            };
            let recorded = match approver {
                Some(a) => tr!(
                    l,
                    format!("{what}提案 #{n} として記録しました。{}の承認待ちです。", user(a)),
                    format!("{what} as proposal #{n}; it waits for {}'s approval.", user(a))
                ),
                None => tr!(
                    l,
                    format!("{what}提案 #{n} として記録しました。承認できる上司がまだいません。`/trouble manager @上司` で指名してください。"),
                    format!("{what} as proposal #{n}. Nobody can approve it yet: name a manager with `/trouble manager @name`.")
                ),
            };
            // Stage 5 settles who is responsible, in what share and why: a share with no why
            // leaves the approver, and later the report, to guess.
            let why = match reason_missing {
                false => "",
                true => tr!(
                    l,
                    "理由が記録されていません。承認者と報告書が読むのは割合とその理由です。理由を付けるには `/trouble fix split 当社/お客様[/他社] 理由` で訂正してください（新しい提案になります）。",
                    " No reason is recorded with it: the approver and the report read why as well as the shares. To give it, `/trouble fix split OURS/CUSTOMER[/OTHER] REASON` (a new proposal)."
                ),
            };
            format!("{recorded}{why}")
        }
        AgreementReply::Approved { n } => tr!(
            l,
            format!("提案 #{n} を承認しました。"),
            format!("You approved proposal #{n}.")
        ),
        AgreementReply::Rejected { n, item } => {
            // A rejection stands; what the owner may bring again is a correction, a new proposal.
            let again = match item {
                Item::Split => "/trouble fix split …".to_string(),
                Item::Cost { n } => format!("/trouble fix cost {n} …"),
            };
            tr!(
                l,
                format!("提案 #{n} を却下しました。条件を見直して再提案するには `{again}` を入力します（新しい提案になります）。"),
                format!("You rejected proposal #{n}. Terms revised are proposed again with `{again}`, as a new proposal.")
            )
        }
        AgreementReply::Agreed { n } => tr!(
            l,
            format!("提案 #{n} のお客様との合意を記録しました。"),
            format!("Recorded the customer's agreement to proposal #{n}.")
        ),
        AgreementReply::NoSuchProposal { n } => tr!(
            l,
            format!("提案 #{n} はありません。番号は `/trouble status` で確認できます。"),
            format!("There is no proposal #{n}; `/trouble status` lists them.")
        ),
        AgreementReply::AlreadyDecided { n, state, by, instead } => tr!(
            l,
            format!(
                "提案 #{n} はすでに{}です{}。{}",
                state_word(l, state),
                by.as_ref().map(|b| format!("（{}）", user(b))).unwrap_or_default(),
                instead.map(|m| format!("いまの提案は #{m} です。")).unwrap_or_default()
            ),
            format!(
                "Proposal #{n} is already {}{}.{}",
                state_word(l, state),
                by.as_ref().map(|b| format!(" by {}", user(b))).unwrap_or_default(),
                instead.map(|m| format!(" The current one is proposal #{m}.")).unwrap_or_default()
            )
        ),
        AgreementReply::AgreedWithdrawn { n, reworked } => {
            let reworked = reworked
                .map(|s| tr!(l, format!("第{s}段階は完了から作業中に戻りました。"), format!(" Stage {s}, done before, is worked on again.")))
                .unwrap_or_default();
            tr!(
                l,
                format!("提案 #{n} のお客様との合意の記録を取り消しました。提案は承認済みに戻りました（記録と取消はタイムラインに残ります）。{reworked}お客様が合意したら、改めて `/trouble 合意 {n}` で記録してください。"),
                format!("Withdrew the record of the customer's agreement to proposal #{n}: it stands approved again (the record and its withdrawal stay on the timeline).{reworked} Once the customer agrees, record it with `/trouble agreed {n}`.")
            )
        }
        AgreementReply::NotAgreed { n, state } => tr!(
            l,
            format!("提案 #{n} はお客様との合意が記録されていません（{}）。何も変更していません。", state_word(l, state)),
            format!("No agreement of the customer is recorded for proposal #{n} (it is {}); nothing changed.", state_word(l, state))
        ),
        AgreementReply::NotApproved { n } => tr!(
            l,
            format!("提案 #{n} はまだ承認されていません。お客様に提示できるのは承認済みの提案だけです。"),
            format!("Proposal #{n} is not approved yet; only an approved proposal may go to the customer.")
        ),
        AgreementReply::OwnProposal { n, approvers } => tr!(
            l,
            format!("自分の提案 #{n} は承認・却下できません。承認できる人: {}", super::people(l, approvers)),
            format!("You cannot approve or reject your own proposal #{n}. Who may: {}", super::people(l, approvers))
        ),
        AgreementReply::CloseAwaitsDecision { pending, approvers } => {
            let numbers = super::numbers(l, pending);
            tr!(
                l,
                format!("まだクローズできません。提案 {numbers} が承認待ちです（承認・却下できる人: {}）。クローズすると判断できなくなり、承認されていない条件が記録に残ります。先に判断を受けてください。何も変更していません。", super::people(l, approvers)),
                format!("The trouble cannot be closed yet: proposal {numbers} awaits approval (who may approve or reject: {}). Once closed it could never be decided, and the record would keep terms nobody approved. Get it decided first. Nothing was changed.", super::people(l, approvers))
            )
        }
        AgreementReply::StageAwaitsDecision { stage, pending, approvers } => {
            let numbers = pending.iter().map(|n| format!("#{n}")).collect::<Vec<_>>().join(" ");
            tr!(
                l,
                format!("第{stage}段階はまだ完了にできません。提案 {numbers} が承認待ちです（承認・却下できる人: {}）。承認前の内容をお客様に伝えないよう、先に判断を受けてください。何も記録していません。", super::people(l, approvers)),
                format!("Stage {stage} cannot be done yet: proposal {numbers} awaits approval (who may approve or reject: {}). Get it decided before the customer hears it. Nothing was recorded.", super::people(l, approvers))
            )
        }
        AgreementReply::NobodyToApprove { n, proposer, namers } => tr!(
            l,
            format!(
                "提案 #{n} はまだ誰も承認・却下できません。提案した <@{proposer}> のほかに上司の系列に人がいないためです。{} が `/trouble manager @上司` で上司を指名すると、その人が判断できます。",
                super::people(l, namers)
            ),
            format!(
                "Nobody can approve or reject proposal #{n} yet: <@{proposer}> proposed it and nobody else is in the manager chain. {} can name a manager with `/trouble manager @name`, who then decides.",
                super::people(l, namers)
            )
        ),
    }
}

fn state_word(l: Locale, code: &str) -> &'static str {
    match code {
        "approved" => tr!(l, "承認済み", "approved"),
        "rejected" => tr!(l, "却下済み", "rejected"),
        "agreed" => tr!(l, "合意済み", "agreed"),
        "superseded" => tr!(l, "差し替え済み", "superseded"),
        _ => tr!(l, "承認待ち", "awaiting approval"),
    }
}

/// The timeline's words for proposals (the internal report).
pub fn event_text(l: Locale, e: &AgreementEvent) -> String {
    match e {
        AgreementEvent::Proposed {
            n,
            item,
            level,
            approver,
            crossed,
        } => {
            let what = match item {
                Item::Split => tr!(l, "責任区分".to_string(), "the split".to_string()),
                Item::Cost { n } => tr!(l, format!("費用 #{n}"), format!("cost #{n}")),
            };
            // Named, not mentioned: the report is posted in the channel, and a line of it must
            // not ping the approver again each time it is.
            let who = approver.as_ref().map(super::named).unwrap_or_else(|| "—".into());
            // Inside the Japanese line's own full-width brackets: a clause after 、, not a
            // half-width bracket nested in a full-width one.
            let why = match (crossed.is_empty(), l) {
                (true, _) => String::new(),
                (false, Locale::Ja) => format!("、{}", crossed_text(l, crossed)),
                (false, Locale::En) => format!(" ({})", crossed_text(l, crossed)),
            };
            // Level 0 is the manager: only a level above needs saying.
            let above = match (l, level) {
                (_, 0) => String::new(),
                (Locale::Ja, n) => format!("、上司から{n}段上"),
                (Locale::En, n) => format!(", {} above the manager", super::en_count(*n, "level", "levels")),
            };
            tr!(
                l,
                format!("提案 #{n}: {what}（承認者 {who}{above}{why}）"),
                format!("proposal #{n}: {what} (approver {who}{above}{why})")
            )
        }
        AgreementEvent::Approved { n, .. } => tr!(l, format!("提案 #{n} を承認"), format!("approved proposal #{n}")),
        AgreementEvent::Rejected { n, .. } => tr!(l, format!("提案 #{n} を却下"), format!("rejected proposal #{n}")),
        AgreementEvent::Restored { n, was, .. } => tr!(
            l,
            format!("提案 #{n} の却下により、提案 #{was} の条件が再び有効"),
            format!("proposal #{was}'s terms stand again, proposal #{n} rejected")
        ),
        AgreementEvent::AgreedWithdrawn { n, reason } => {
            let reason = one_line(reason, Where::Elsewhere);
            tr!(
                l,
                format!("提案 #{n} へのお客様の合意の記録を取消 — {reason}"),
                format!("withdrew the record that the customer accepted proposal #{n} — {reason}")
            )
        }
        AgreementEvent::Agreed { n, note } => {
            let note = if note.trim().is_empty() {
                String::new()
            } else {
                format!(" — {}", one_line(note, Where::Elsewhere))
            };
            tr!(
                l,
                format!("提案 #{n} にお客様が合意{note}"),
                format!("the customer accepted proposal #{n}{note}")
            )
        }
    }
}

pub fn act_text(l: Locale, act: Act) -> Option<&'static str> {
    Some(match act {
        Act::Approve => tr!(l, "提案の承認・却下", "approve or reject this proposal"),
        Act::Agree => tr!(l, "お客様との合意の記録", "record the customer's agreement"),
        _ => return None,
    })
}

/// The help lines of proposals, the 8D and the numbers.
pub fn help(l: Locale) -> &'static str {
    tr!(
        l,
        "• `split` / `cost` は提案になり、上司（承認限度を超えるとさらに上位者）が承認／却下します。`/trouble agreed N [メモ]` — 承認済みの提案 N にお客様が合意（誤りは `取消 合意 N 理由`）\n\
         • `/trouble report 8d` — お客様向けの8D報告書をチャンネルに投稿（確認用。責任区分・費用・承認・社内メモは含みません）",
        "• `split` / `cost` become proposals the manager (or, over an approval limit, someone further up) approves or rejects; `/trouble agreed N [note]` — the customer accepted approved proposal N (one recorded by mistake: `withdraw agreed N REASON`)\n\
         • `/trouble report 8d` — the 8D report for the customer, posted in the channel for review (no split, costs, approvals or internal notes)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::approval::Crossed;
    use crate::trouble::money::Currency;

    #[test]
    fn a_proposal_over_a_limit_reads_in_one_kind_of_bracket_in_japanese() {
        let proposed = AgreementEvent::Proposed {
            n: 2,
            item: Item::Cost { n: 1 },
            level: 1,
            approver: Some(UserId::new("U0DIRECTOR")),
            crossed: vec![Crossed {
                currency: Currency::Jpy,
                ours: 203_000,
                limit: 100_000,
                unset: false,
            }],
        };
        let ja = event_text(Locale::Ja, &proposed);
        assert!(
            ja.starts_with("提案 #2: 費用 #1（承認者 @U0DIRECTOR、上司から1段上、"),
            "{ja}"
        );
        assert!(ja.ends_with('）') && !ja.contains('(') && !ja.contains(')'), "{ja}");
        let en = event_text(Locale::En, &proposed);
        assert!(
            en.contains("(approver @U0DIRECTOR, 1 level above the manager ("),
            "{en}"
        );
    }
}
