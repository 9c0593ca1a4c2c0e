//! The trouble's channel archived or unarchived: it is the trouble's shared record, so while
//! the trouble is open nobody hides it that way unnoticed.

use super::*;

/// Who archived it (when Slack says) goes on the timeline. While the trouble is open, its owner
/// and manager hear at once, and so does the manager of whoever archived it in the chain (the
/// owner's manager is the manager): a bot token cannot unarchive a channel, people must.
pub(super) fn channel_archived(w: &mut Work, by: Option<UserId>) {
    w.log(by.as_ref(), Event::ChannelArchived);
    if !w.t.is_open() {
        // Archiving a closed trouble's channel is tidying up.
        return;
    }
    let chain = &w.t.escalation.chain;
    let above_archiver = by.as_ref().and_then(|by| {
        let at = chain.iter().position(|m| m == by)?;
        chain.get(at + 1).cloned()
    });
    let mut told: Vec<UserId> = Vec::new();
    for who in [Some(w.t.owner.clone()), w.t.manager.clone(), above_archiver]
        .into_iter()
        .flatten()
    {
        if Some(&who) != by.as_ref() && !told.contains(&who) {
            told.push(who);
        }
    }
    for who in told {
        w.post(Lane::Dm, Dest::Dm(who), Message::ChannelArchived { by: by.clone() });
    }
}

/// Unarchived: on the timeline, and the pinned status catches up with what the channel missed.
pub(super) fn channel_unarchived(w: &mut Work, by: Option<UserId>) {
    w.log(by.as_ref(), Event::ChannelUnarchived);
    if w.t.is_open() {
        w.refresh_status();
    }
}
