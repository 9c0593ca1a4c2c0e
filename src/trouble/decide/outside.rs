//! What a trouble's channel shared with the customer (Slack Connect) may read of what the bot posts there.

use super::*;
use crate::trouble::facts::{StepEvent, StepLine};

/// Internal even in the trouble's own channel, which someone may have shared with the customer:
/// a proposal or its decision goes by DM instead (the core decides to whom); the line recording
/// a split or cost is left out (its proposal carries it); the report is withheld (`report 8d` is
/// the customer's). The corrections of a split or cost, and the customer's past troubles with
/// their costs and running balance, are as internal; so are the split and costs in the closing
/// summary, which is posted there without them.
pub fn internal(message: &Message) -> bool {
    match message {
        Message::Agreement(_)
        | Message::ReportSummary
        | Message::ReportPart { .. }
        | Message::ReportContinues { .. }
        | Message::CustomerHistory => true,
        Message::Recorded { what, .. } => matches!(what, Record::Split { .. } | Record::Cost { .. }),
        Message::Step(StepLine::Logged { event, .. }) => matches!(
            event,
            StepEvent::CostSuperseded { .. } | StepEvent::SplitSuperseded { .. }
        ),
        _ => false,
    }
}

/// For the team alone, said to them by DM instead (the core decides to whom): that the customer
/// is kept waiting or promised an update far off, that nobody acknowledged (who is asked now,
/// added back when they left), that an action of ours is late, that this may be the customer's
/// trouble come back, or that one of ours left the channel of the customer's trouble and was
/// added back; nor that the bot could ask nobody up the chain (an install to mend, said in the
/// channel since a DM would fail alike, naming the chain), nor that the owner cannot be DMed.
/// So is a note, a memo for
/// the team (the 8D leaves notes out); the 8D's draft, should the channel have been shared since
/// it was asked for (the customer reads it once it is reviewed); and a scope line (added or
/// checked): the other customers, lots or sites the trouble may reach ("Globex got lot 42 too")
/// are not this customer's to read.
pub fn for_the_team_alone(message: &Message) -> bool {
    matches!(
        message,
        Message::Nudge(_)
            | Message::EightD
            | Message::Recorded {
                what: Record::Note { .. },
                ..
            }
            | Message::OwnerAway { .. }
            | Message::FarPromise { .. }
            | Message::HandedToAway { .. }
            | Message::FirstContact { .. }
            | Message::EscalationMention { .. }
            | Message::NobodyAnswered
            | Message::PersonUnreachable { .. }
            | Message::OwnerUnreachable { .. }
            | Message::AddedBack { .. }
            | Message::Step(
                StepLine::Recurrence { .. }
                    | StepLine::MeasureElsewhere { .. }
                    | StepLine::ActionReminder { .. }
                    | StepLine::ReturnReminder { .. }
            )
    ) || crate::trouble::facts::names_the_scope(message)
}

/// Whether `decision` posts in the trouble's channel a line [`for_the_team_alone`]: where the
/// customer reads, the deliverer keeps it from there, and whoever typed it is told why.
pub fn holds_a_line(decision: &Decision) -> bool {
    decision.deliveries.iter().any(|delivery| match &delivery.op {
        Op::Post { message, .. } => delivery.op.in_trouble_channel() && for_the_team_alone(message),
        _ => false,
    })
}

/// The line said instead of `message` where the customer reads, when it is posted there without
/// part of it: a close and a lowering without their reasons (the chain's, internal), and a close
/// without promising the report; an acknowledgement without how long it waited; a raise, a
/// stage's line and an update withdrawn without the reason or note typed with them (the team's,
/// as the 8D leaves notes out). `None` for a line posted as it is, or not at all.
pub fn line_for_outside(message: &Message) -> Option<Message> {
    let said = |text: &String| !text.trim().is_empty();
    Some(match message {
        // Forced or not is said, the reason never is, nor the note (the team's, as a stage's
        // is): the form the bot keeps for a later sharing must not hold a text a redaction erases.
        Message::Closed {
            by,
            forced_reason,
            note,
            ..
        } => Message::Closed {
            by: by.clone(),
            forced_reason: forced_reason.as_ref().map(|_| String::new()),
            note: note.as_ref().map(|_| String::new()),
            report_withheld: true,
        },
        Message::SeverityLowered { by, from, to, .. } => Message::SeverityLowered {
            by: by.clone(),
            from: *from,
            to: *to,
            reason: String::new(),
            cadence_withheld: true,
        },
        Message::Acknowledged { by, after_secs, .. } => Message::Acknowledged {
            by: by.clone(),
            after_secs: *after_secs,
            wait_withheld: true,
        },
        Message::StageChanged { stage, done, by, note } if said(note) => Message::StageChanged {
            stage: *stage,
            done: *done,
            by: by.clone(),
            note: String::new(),
        },
        Message::SeverityRaised {
            from,
            to,
            by,
            brought,
            reason,
        } if said(reason) => Message::SeverityRaised {
            from: *from,
            to: *to,
            by: by.clone(),
            brought: brought.clone(),
            reason: String::new(),
        },
        Message::Recorded {
            by,
            what: Record::UpdateWithdrawn { n, text, reason },
        } if said(reason) => Message::Recorded {
            by: by.clone(),
            what: Record::UpdateWithdrawn {
                n: *n,
                text: text.clone(),
                reason: String::new(),
            },
        },
        _ => return None,
    })
}

/// A line for the team was posted as it is in the trouble's channel, judged not shared at
/// `judged`. Kept to withdraw once the channel is shared; withdrawn at once when the bot has
/// learnt since that it is (the post was on its way as the sharing became known).
pub(super) fn team_line_posted(w: &mut Work, line: TeamLine, judged: DateTime<Utc>) {
    if w.t
        .team_lines
        .iter()
        .any(|l| l.ts == line.ts && l.channel == line.channel)
    {
        return;
    }
    w.changed = true;
    if w.t.shared_seen.is_some_and(|seen| judged <= seen) {
        return withdraw(w, vec![line], (None, None), 0);
    }
    if w.t.team_lines.len() >= Trouble::TEAM_LINES {
        w.t.team_lines.remove(0);
        w.t.team_lines_dropped = w.t.team_lines_dropped.saturating_add(1);
    }
    w.t.team_lines.push(line);
}

/// The trouble's channel is shared with another organisation, which reads its history: the pinned
/// kickoff and status are drawn again as the customer may read them, and every line posted
/// there for the team alone is withdrawn (once: the kept lines leave the record in the same
/// write as the calls that withdraw them).
pub(super) fn channel_shared(w: &mut Work, org: Option<String>, org_name: Option<String>) {
    w.t.shared_seen = Some(w.ctx.now);
    w.changed = true;
    if w.t.channel.is_none() {
        return;
    }
    if w.t.kickoff.is_some() {
        w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    }
    if w.t.status.is_some() {
        w.refresh_status();
    }
    let lines = std::mem::take(&mut w.t.team_lines);
    let dropped = std::mem::take(&mut w.t.team_lines_dropped);
    if !lines.is_empty() || dropped > 0 {
        withdraw(w, lines, (org, org_name), dropped);
    }
}

fn withdraw(w: &mut Work, lines: Vec<TeamLine>, (org, org_name): (Option<String>, Option<String>), dropped: u32) {
    let (mut edited, mut deleted) = (0u32, 0u32);
    // The newest first: a thread's replies (a report's parts) go before the line they answer.
    for line in lines.into_iter().rev() {
        // A proposal's Approve / Reject buttons leave the channel: whoever must decide is asked
        // by DM, as a proposal in a shared channel is.
        let asked_here =
            w.t.agreement
                .asking
                .iter()
                .position(|a| !a.dm && a.message.ts == line.ts);
        if let Some(i) = asked_here {
            let asking = w.t.agreement.asking.remove(i);
            crate::trouble::approval::held_back(w, crate::trouble::approval::AgreementLine::Proposed { n: asking.n });
        }
        // The internal report's summary gone, its thread can take no more parts.
        if let Some(report) = w.t.last_report.as_mut() {
            if report.message.as_ref().is_some_and(|m| m.ts == line.ts) {
                report.message = None;
            }
        }
        match line.outside {
            Some(_) => edited += 1,
            None => deleted += 1,
        }
        w.send(
            Lane::Channel,
            Op::Withdraw {
                channel: line.channel,
                ts: line.ts,
                outside: line.outside,
            },
        );
    }
    w.log(
        None,
        Event::TeamLinesWithdrawn {
            org: org.clone(),
            org_name: org_name.clone(),
            edited,
            deleted,
            dropped,
        },
    );
    let manager = w.t.manager.clone();
    w.dm_owner_and(
        Message::TeamLinesWithdrawn {
            org,
            org_name,
            edited,
            deleted,
            dropped,
        },
        manager,
    );
}

/// `channel` is shared with another organisation, which reads its history: the origin notice and
/// the announcements of the trouble standing there (customer, summary, severity, the opener,
/// its channel) are edited down to its id, once (their slots are forgotten in the same write,
/// so nothing edits them back), and the timeline says so.
pub(super) fn notices_shared(w: &mut Work, channel: ChannelId, org: Option<String>, org_name: Option<String>) {
    let mut withdrawn = Vec::new();
    if w.t.origin_notice.as_ref().is_some_and(|p| p.channel == channel) {
        withdrawn.extend(w.t.origin_notice.take().map(|p| (Lane::Origin, p)));
    }
    for slot in w.t.announcements.iter_mut() {
        if slot.as_ref().is_some_and(|p| p.channel == channel) {
            withdrawn.extend(slot.take().map(|p| (Lane::Announce, p)));
        }
    }
    if withdrawn.is_empty() {
        return;
    }
    w.changed = true;
    let count = u32::try_from(withdrawn.len()).unwrap_or(u32::MAX);
    for (lane, posted) in withdrawn {
        w.send(
            lane,
            Op::Edit {
                channel: posted.channel,
                ts: posted.ts,
                message: Message::NoticeWithdrawn {
                    together: posted.together,
                },
            },
        );
    }
    w.log(
        None,
        Event::NoticesWithdrawn {
            channel,
            org,
            org_name,
            withdrawn: count,
        },
    );
}
