//! Acknowledgement and escalation up the manager chain until someone answers.

use super::*;

pub(super) fn try_acknowledge(w: &mut Work, user: &UserId) -> Reply {
    if let Some(ack) = &w.t.ack {
        return Reply::AlreadyAcknowledged { by: ack.by.clone() };
    }
    if let Some(refusal) = refuse(w.ctx.policy, &w.t, user, Act::Acknowledge) {
        return refusal;
    }
    acknowledge(w, user);
    Reply::Acknowledged
}

pub(super) fn acknowledge(w: &mut Work, user: &UserId) {
    let after_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    w.t.ack = Some(Acknowledgement {
        by: user.clone(),
        at: w.ctx.now,
    });
    w.log(
        Some(user),
        Event::Acknowledged {
            by: user.clone(),
            after_secs,
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::Acknowledged {
            by: user.clone(),
            after_secs,
        },
    );
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    if w.t.manager_dm.is_some() {
        w.send(Lane::Dm, Op::Refresh { slot: Slot::ManagerDm });
    }
}

const MAX_TOP_REPINGS: u32 = 5;

pub(super) fn escalate(w: &mut Work) {
    let chain = w.t.escalation.chain.clone();
    let next_level = w.t.escalation.level + 1;
    if let Some(next) = chain.get(next_level) {
        w.t.escalation.level = next_level;
        w.log(
            None,
            Event::Escalated {
                to: next.clone(),
                level: next_level,
            },
        );
        w.invite(vec![next.clone()]);
        ask_to_acknowledge(w, next);
        w.start_ack_timer();
        w.refresh_status();
    } else if let Some(top) = chain.last() {
        if w.t.escalation.top_repings < MAX_TOP_REPINGS {
            w.t.escalation.top_repings += 1;
            let count = w.t.escalation.top_repings;
            w.log(None, Event::Repinged { to: top.clone(), count });
            ask_to_acknowledge(w, top);
            w.start_ack_timer();
        } else {
            w.t.escalation.gave_up = true;
            w.log(None, Event::NobodyAnswered);
            w.post(Lane::Channel, Dest::TroubleChannel, Message::NobodyAnswered);
            w.refresh_status();
        }
    }
}

/// Asks someone in the chain to acknowledge: a DM (which never waits for the channel) and a
/// mention in the kickoff thread, where a reply acknowledges.
pub(super) fn ask_to_acknowledge(w: &mut Work, who: &UserId) {
    let waited_secs = (w.ctx.now - w.t.opened_at).num_seconds();
    w.post(
        Lane::Dm,
        Dest::Dm(who.clone()),
        Message::EscalationDm {
            to: who.clone(),
            waited_secs,
        },
    );
    w.post(
        Lane::Channel,
        Dest::KickoffThread,
        Message::EscalationMention {
            to: who.clone(),
            waited_secs,
        },
    );
}
