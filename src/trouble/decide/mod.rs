//! The decisions: given a trouble, an input and `now`, what changes and what the bot must say.
//!
//! Nothing here does I/O or reads the clock. The shell stores a `Decision` in one transaction
//! (trouble, timeline, outbox, timers) and only then answers Slack and delivers.

mod acknowledgement;
mod channel_loss;
mod commands;
mod deliveries;
mod follow_up;
mod open;
pub mod outside;
mod report;
mod roles;
mod stages;
mod vocabulary;
mod work;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::command::{check_length, Command, OpenRequest, UsageError};
use super::first_contact::{first_contact_due, first_contact_reminder};
use super::hours::{
    add_working_time, is_open, last_working_window, next_open, open_or_just_closed, working_time_between,
};
use super::model::*;
use super::record::Record;
use super::timeline::{Entry, Event, GENESIS};
use super::when::{parse_when_opening, WhenError};
use crate::trouble::policy::Policy;

pub(in crate::trouble) use acknowledgement::ask_again_after_reopen;
pub use acknowledgement::org_may_name_someone_new;
use acknowledgement::*;
use channel_loss::*;
pub use channel_loss::{
    manager_dm_may_ask_for_channel, may_ask_for_channel, may_be_refused_unflagged, may_reopen, refusal_unflagged,
};
pub(super) use channel_loss::{reopened_while_lost, set_up_channel_again};
pub(in crate::trouble) use commands::add_participants;
use commands::*;
use deliveries::*;
pub use follow_up::*;
pub use open::*;
pub use report::*;
pub use roles::*;
pub(in crate::trouble) use stages::work_on_stage;
use stages::*;
pub use vocabulary::*;
pub(super) use work::Work;

/// Decides what an input means for an existing trouble.
pub fn decide(ctx: &Ctx, trouble: &Trouble, input: Input) -> Decision {
    let mut w = Work::new(ctx, trouble.clone());
    let reply = match input {
        Input::Command { user, command } => command_on(&mut w, user, command),
        Input::ThreadReply { user, thread_ts } => {
            let asked = w.t.ack.is_none() && may(ctx.policy, &w.t, &user, Act::Acknowledge) && w.t.is_open();
            if asked && w.t.is_kickoff_thread(&thread_ts) {
                acknowledge(&mut w, &user);
            } else if asked && w.t.kickoff.is_none() && w.t.early_replies.len() < Trouble::EARLY_REPLIES {
                // Slack posted the kickoff and the manager answered in its thread before Slack's
                // answer told the bot its ts: kept, it acknowledges once the kickoff is known.
                w.t.early_replies.push(EarlyReply { user, thread_ts });
                w.changed = true;
            }
            None
        }
        Input::DmReply { user } => {
            // Someone else may have acknowledged since it was looked up: the DM's edit says so.
            if w.t.ack.is_none() && w.t.is_open() {
                // Taken for theirs as it asks them, yet they may not (a reorg since): told so,
                // as a tap on the button is, rather than left with no answer at all.
                match may(ctx.policy, &w.t, &user, Act::Acknowledge) {
                    true => {
                        acknowledge(&mut w, &user);
                        w.post(Lane::Dm, Dest::Dm(user), Message::AcknowledgedInDm);
                    }
                    false => w.post(Lane::Dm, Dest::Dm(user), Message::AckRefusedInDm),
                }
            }
            None
        }
        Input::Button { user, action } => button(&mut w, user, action),
        // A modal opened before the close may still be submitted after it.
        Input::UpdateSubmitted { .. } if w.t.closed.is_some() => Some(already_closed(ctx.policy, &w.t)),
        Input::UpdateSubmitted { user, .. } if !may(ctx.policy, &w.t, &user, Act::Update) => {
            refuse(ctx.policy, &w.t, &user, Act::Update)
        }
        Input::UpdateSubmitted { user, text, next } => {
            match check_length(&text).and_then(|_| check_length(next.as_deref().unwrap_or_default())) {
                Err(e) => Some(Reply::Usage(e)),
                Ok(()) => Some(log_update(&mut w, &user, text, next)),
            }
        }
        // Kept for whoever neither owns nor manages it: others may see a private trouble by
        // it, and a department's member finds it in their App Home (the owner and the chain
        // see it by their role, and have it there as theirs).
        Input::MemberJoined { user } => {
            let by_role = user == w.t.owner || w.t.manager_chain().contains(&user);
            if !w.t.members_seen.contains(&user) && !by_role {
                w.t.members_seen.push(user);
                w.changed = true;
            }
            None
        }
        Input::MemberLeft { user } => {
            if w.t.members_seen.contains(&user) {
                w.t.members_seen.retain(|u| *u != user);
                w.changed = true;
            }
            // The owner or the manager leaving an open trouble's channel would silence what it
            // posts for them: a mention of someone not in a channel notifies nobody. They are
            // added back, and the channel says so and how to step off it (a hand-over). So is
            // someone up the chain asked to acknowledge it while nobody has: the escalation's
            // mention in the kickoff thread is how the channel reaches them.
            let owner = user == w.t.owner;
            let manager = w.t.manager.as_ref() == Some(&user);
            let asked = w.t.awaits_ack_of(&user);
            if w.t.is_open() && w.t.channel.is_some() && (owner || manager || asked) {
                w.log(None, Event::AddedBack { user: user.clone() });
                w.invite(vec![user.clone()]);
                let asked = asked && !owner && !manager;
                w.post(
                    Lane::Channel,
                    Dest::TroubleChannel,
                    Message::AddedBack { user, owner, asked },
                );
            }
            None
        }
        Input::ChannelLost { how, by } => {
            channel_lost(&mut w, how, by);
            None
        }
        Input::ChannelBack { how, by } => {
            channel_back(&mut w, how, by);
            None
        }
        Input::MessageDeleted { ts } => {
            message_deleted(&mut w, ts);
            None
        }
        Input::Unpinned { user, ts } => {
            unpinned(&mut w, user, ts);
            None
        }
        Input::ChannelDeleted { by } => {
            channel_deleted(&mut w, by);
            None
        }
        Input::Timer(kind) => {
            timer_fired(&mut w, kind);
            None
        }
        Input::Recurrence(earlier) => {
            crate::trouble::facts::flag_recurrences(&mut w, earlier);
            None
        }
        Input::MeasureElsewhere(measure) => {
            crate::trouble::facts::tell_measure_elsewhere(&mut w, measure);
            None
        }
        Input::OrgRead => {
            ask_owners_manager_at_start(&mut w);
            None
        }
        Input::RefusalOnTimeline { head, replacement } => {
            refusal_on_timeline(&mut w, &head, replacement);
            None
        }
        Input::ChannelShared { org, org_name } => {
            outside::channel_shared(&mut w, org, org_name);
            None
        }
        Input::NoticesShared { channel, org, org_name } => {
            outside::notices_shared(&mut w, channel, org, org_name);
            None
        }
        Input::Delivered(outcome) => {
            delivered(&mut w, outcome);
            None
        }
        Input::Sending(op) => {
            deliveries::sending(&mut w, op);
            None
        }
    };
    w.finish(reply)
}

pub(super) fn timer_fired(w: &mut Work, kind: TimerKind) {
    match kind {
        TimerKind::EffectCheck { n, round, epoch } => return crate::trouble::actions::effect_check(w, n, round, epoch),
        // A closed trouble's report may wait for its channel too.
        TimerKind::ChannelCheck { n } => return check_channel(w, n),
        // An action the close left open is still someone's work.
        TimerKind::ActionDue { n, overdue, round } => {
            return crate::trouble::actions::action_reminder(w, n, overdue, round)
        }
        _ => {}
    }
    if w.t.closed.is_some() {
        return;
    }
    match kind {
        TimerKind::AckTimeout { round } => {
            if round == w.t.escalation.round && w.t.ack.is_none() && !ack_timer_held_till_opening(w) {
                match w.t.escalation.gave_up {
                    false => escalate(w),
                    true => ask_again_daily(w),
                }
            }
        }
        TimerKind::FollowUp { epoch } => {
            if epoch == w.t.followup_epoch {
                follow_up(w);
            }
        }
        TimerKind::ReturnReminder { round } => crate::trouble::facts::return_reminder(w, round),
        // Handled above, or of no trouble (the digest: the engine fires it, `trouble::digest`).
        TimerKind::EffectCheck { .. }
        | TimerKind::ChannelCheck { .. }
        | TimerKind::ActionDue { .. }
        | TimerKind::WeeklyDigest => {}
        TimerKind::FirstContact { missed, epoch } => {
            if !w.t.contacted() && epoch == w.t.first_contact_epoch {
                first_contact(w, missed);
            }
        }
    }
}

#[cfg(test)]
mod tests;
