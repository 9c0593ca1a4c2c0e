//! The trouble's channel archived, or the bot removed from it: the channel is the trouble's
//! shared record and where the nudges go, so while the trouble is open nobody hides it or
//! silences them that way unnoticed.

use super::*;

/// Who did it (when Slack says) goes on the timeline. While the trouble is open, its owner and
/// manager hear at once, and so does the manager of whoever did it when they are in the chain
/// (the owner's manager is the manager): a bot token can neither unarchive a channel nor add
/// itself back, people must.
pub(super) fn channel_lost(w: &mut Work, how: ChannelLoss, by: Option<UserId>) {
    let event = match how {
        ChannelLoss::Archived => Event::ChannelArchived,
        ChannelLoss::BotRemoved => Event::BotRemoved,
    };
    w.log(by.as_ref(), event);
    w.t.channel_lost = Some(how);
    w.changed = true;
    if !w.t.is_open() {
        // A closed trouble's channel archived, or left to its members: tidying up.
        return;
    }
    let chain = &w.t.escalation.chain;
    let above_them = by.as_ref().and_then(|by| {
        let at = chain.iter().position(|m| m == by)?;
        chain.get(at + 1).cloned()
    });
    let mut told: Vec<UserId> = Vec::new();
    for who in [Some(w.t.owner.clone()), w.t.manager.clone(), above_them]
        .into_iter()
        .flatten()
    {
        if Some(&who) != by.as_ref() && !told.contains(&who) {
            told.push(who);
        }
    }
    for who in told {
        w.post(Lane::Dm, Dest::Dm(who), Message::ChannelLost { how, by: by.clone() });
    }
}

/// The channel back: on the timeline, and the pinned status catches up with what it missed.
/// The bot joining a channel it never lost (its own, as it creates it) is nothing to record.
pub(super) fn channel_back(w: &mut Work, how: ChannelLoss, by: Option<UserId>) {
    let event = match how {
        ChannelLoss::Archived => Event::ChannelUnarchived,
        ChannelLoss::BotRemoved if w.t.channel_lost == Some(how) => Event::BotReturned,
        ChannelLoss::BotRemoved => return,
    };
    w.log(by.as_ref(), event);
    if w.t.channel_lost == Some(how) {
        w.t.channel_lost = None;
        w.changed = true;
    }
    if w.t.is_open() {
        w.refresh_status();
    }
}
