//! Posting a report: a summary in the channel and its parts in the thread.

use super::*;

/// The most messages a report puts in its thread; a longer one says how to export it.
pub const MAX_REPORT_PARTS: usize = 10;

/// How long a posted report stands while nothing is recorded: asking again within it is
/// answered privately.
const REPORT_AGAIN_AFTER_SECS: i64 = 60;

/// Posts a report (already split for Slack): one summary message in the trouble's channel,
/// the parts in its thread, at most [`MAX_REPORT_PARTS`] messages there. Asked again within a
/// minute with nothing recorded since, it is not posted twice; a close (or anything recorded)
/// since the last one makes a new report, however soon. Rendered from the timeline whose head
/// was `rendered_from`, it is not posted once the timeline moved on (None: to be drawn again),
/// since an entry redacted meanwhile would have its erased text posted; without it, as it reads.
pub fn report_posts(ctx: &Ctx, trouble: &Trouble, parts: Vec<String>, rendered_from: Option<&str>) -> Option<Decision> {
    if rendered_from.is_some_and(|head| head != trouble.timeline_head) {
        return None;
    }
    Some(report_posts_now(ctx, trouble, parts))
}

fn report_posts_now(ctx: &Ctx, trouble: &Trouble, parts: Vec<String>) -> Decision {
    if let Some(last) = &trouble.last_report {
        let unchanged = last.timeline_len.is_none_or(|len| len == trouble.timeline_len);
        if unchanged && ctx.now - last.at < Duration::seconds(REPORT_AGAIN_AFTER_SECS) {
            return Decision::reply(Reply::ReportRecent { at: last.at });
        }
    }
    let mut w = Work::new(ctx, trouble.clone());
    let of = parts.len();
    // The previous summary stays known until the new one is posted: parts of an earlier
    // report still queued go to their own thread.
    let message = w.t.last_report.take().and_then(|r| r.message);
    w.t.last_report = Some(LastReport {
        at: ctx.now,
        parts: of,
        message,
        timeline_len: Some(trouble.timeline_len),
    });
    w.changed = true;
    w.send(
        Lane::Channel,
        Op::Post {
            to: Dest::TroubleChannel,
            message: Message::ReportSummary,
            keep_as: Some(Slot::Report),
        },
    );
    let shown = if of > MAX_REPORT_PARTS {
        MAX_REPORT_PARTS - 1
    } else {
        of
    };
    for (i, text) in parts.into_iter().take(shown).enumerate() {
        w.post(
            Lane::Channel,
            Dest::ReportThread,
            Message::ReportPart { text, part: i + 1, of },
        );
    }
    if shown < of {
        w.post(
            Lane::Channel,
            Dest::ReportThread,
            Message::ReportContinues { shown, of },
        );
    }
    w.finish(Some(Reply::ReportPosted { parts: of, shown }))
}

/// The shell asked Slack the names of people the report and the 8D name: the trouble keeps
/// them (as asked now) for those texts, which are read far from Slack. Nothing is posted.
pub fn names_learned(ctx: &Ctx, trouble: &Trouble, names: Vec<(UserId, String)>) -> Decision {
    let mut w = Work::new(ctx, trouble.clone());
    for (id, name) in &names {
        let known = KnownName {
            name: name.clone(),
            at: ctx.now,
        };
        w.t.names.insert(id.clone(), known);
    }
    if !names.is_empty() {
        w.log(
            None,
            Event::NamesLearned {
                names: names.into_iter().collect(),
            },
        );
    }
    w.finish(None)
}
