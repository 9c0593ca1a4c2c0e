//! The stages: starting, completing and closing.

use super::*;

pub(super) fn close(w: &mut Work, user: &UserId, note: String, forced_reason: Option<String>) {
    w.t.closed = Some(Closure {
        by: user.clone(),
        at: w.ctx.now,
        note: note.clone(),
        forced_reason: forced_reason.clone(),
    });
    // Bumping the epochs makes every pending nudge and escalation timer stale.
    w.t.followup_epoch += 1;
    w.t.escalation.round += 1;
    w.log(
        Some(user),
        Event::Closed {
            note: note.clone(),
            forced_reason: forced_reason.clone(),
        },
    );
    // The owner and the manager hear of a close someone else made by DM too: a manager on a
    // phone would otherwise only see the trouble gone from their App Home.
    let notice = Message::ClosedNotice {
        by: user.clone(),
        forced_reason: forced_reason.clone(),
    };
    w.tell_owner_and_manager(user, notice);
    let told = [Some(w.t.owner.clone()), w.t.manager.clone()];
    // Where its severity was announced, the heads-up ends with it.
    let announced = w.severity_policy().announce_channels.clone();
    let why = NoLonger::Closed {
        forced_reason: forced_reason.clone(),
    };
    w.tell_announced(announced, user, why);
    // A forced close ends what is not done: the level above whoever forced it hears of it.
    if let Some(reason) = &forced_reason {
        let told: Vec<UserId> = told.iter().flatten().cloned().collect();
        let overruled = Overruled::ForcedClose { reason: reason.clone() };
        w.tell_the_one_above(user, overruled, &told);
    }
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::Closed {
            by: user.clone(),
            forced_reason,
            note: Some(note),
            report_withheld: false,
        },
    );
    // Whoever else owns an action the close leaves open (a measure that takes weeks) hears it
    // is still theirs: its reminders go on, and it is marked done as before.
    let mut owners: Vec<UserId> = crate::trouble::home::undone_actions(&w.t)
        .map(|(_, a)| a.owner.clone())
        .filter(|o| o != user && told.iter().flatten().all(|t| t != o))
        .collect();
    owners.sort();
    owners.dedup();
    for to in owners {
        let by = user.clone();
        w.post(Lane::Dm, Dest::Dm(to.clone()), Message::ActionsLeftOpen { to, by });
    }
    crate::trouble::actions::on_close(w);
    w.send(Lane::Channel, Op::Refresh { slot: Slot::Kickoff });
    w.refresh_status();
    // The channel is the record: a close leaves the report there, and the kickoff links to it.
    w.d.report_due = true;
}

pub(super) fn start_stage(w: &mut Work, _user: &UserId, stage: StageId, note: String) {
    let s = w.t.stage_mut(stage);
    if s.state == StageState::NotStarted {
        s.state = StageState::InProgress;
        s.started_at = Some(w.ctx.now);
        w.changed = true;
        // The customer's history is shown again when the split is being settled.
        if stage == StageId::Split && !w.t.past.is_empty() {
            w.post(Lane::Channel, Dest::TroubleChannel, Message::CustomerHistory);
        }
    }
    if !note.is_empty() {
        w.t.stage_mut(stage).notes.push(note);
        w.changed = true;
    }
}

/// `start N`: stage `stage` is worked on, and the channel hears it. Starting a stage that was
/// done reopens it: rework is part of the record.
pub(in crate::trouble) fn work_on_stage(w: &mut Work, user: &UserId, stage: StageId, note: String) {
    if w.t.stage(stage).state == StageState::Done {
        let s = w.t.stage_mut(stage);
        s.state = StageState::InProgress;
        s.done_at = None;
        s.done_by = None;
    }
    start_stage(w, user, stage, note.clone());
    stage_changed(w, user, stage, false, note);
    w.refresh_status();
}

/// Stage `stage` marked done or in progress by `user`: on the timeline and in the channel.
fn stage_changed(w: &mut Work, user: &UserId, stage: StageId, done: bool, note: String) {
    let event = match done {
        true => Event::StageDone {
            stage,
            note: note.clone(),
        },
        false => Event::StageStarted {
            stage,
            note: note.clone(),
        },
    };
    w.log(Some(user), event);
    w.post(
        Lane::Channel,
        Dest::TroubleChannel,
        Message::StageChanged {
            stage,
            done,
            by: user.clone(),
            note,
        },
    );
}

pub(super) fn complete_stage(w: &mut Work, user: &UserId, stage: StageId, note: String) {
    let now = w.ctx.now;
    let s = w.t.stage_mut(stage);
    if s.started_at.is_none() {
        s.started_at = Some(now);
    }
    s.state = StageState::Done;
    s.done_at = Some(now);
    s.done_by = Some(user.clone());
    if !note.is_empty() {
        s.notes.push(note.clone());
    }
    stage_changed(w, user, stage, true, note);
    // The next stage is now the one being worked on (after the line saying this one is done:
    // what starting it posts, the customer's history at the split, follows in that order).
    if let Some(next) = w.t.current_stage() {
        if w.t.stage(next).state == StageState::NotStarted {
            start_stage(w, user, next, String::new());
        }
    }
    w.refresh_status();
}
