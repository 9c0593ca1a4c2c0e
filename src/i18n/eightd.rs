//! The 8D report for the customer (D1 team … D8 closure) from the trouble's facts, cause and actions, in Japanese and English; nothing internal (split, costs, approvals, notes) goes in.

use super::Locale;
use crate::config::Config;
use crate::slack::text::{one_line, Where};
use crate::trouble::actions::{Action, ActionKind};
use crate::trouble::facts::{Cause, Corrected, FactKey};
use crate::trouble::model::{StageId, StageState, Trouble, UserId};

// Text someone typed reads as in the report: one line inline, several quoted, never a mention.
use super::report::said;

/// A person, named without a mention (the 8D is read far from Slack). No さん: the 8D goes to
/// the customer, and a company writing to its customer names its own people without an
/// honorific.
fn who(u: &UserId) -> String {
    super::named(u)
}

fn not_recorded(l: Locale) -> String {
    tr!(l, "未記入", "not recorded").to_string()
}

/// The label of a line naming what was not recorded: `未記入: 発生日時`.
fn not_recorded_heading(l: Locale) -> &'static str {
    tr!(l, "未記入", "Not recorded")
}

fn date(config: &Config, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&config.policy.timezone).format("%Y-%m-%d").to_string()
}

/// The actions a close left open, with their due dates, and the prevention measures whose
/// effectiveness is still to be checked: None when nothing is. Kept to `keep` items, the rest
/// is counted (and that count added to `left_out`).
fn still_under_way(
    l: Locale,
    config: &Config,
    t: &Trouble,
    keep: Option<usize>,
    left_out: &mut Vec<String>,
) -> Option<String> {
    let due = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| {
            tr!(
                l,
                format!("（期限 {}）", date(config, d)),
                format!(" (due {})", date(config, d))
            )
        })
        .unwrap_or_default()
    };
    let mut left: Vec<String> = t
        .substance
        .actions
        .iter()
        // A measure confirmed effective is in place (D7 says so), marked done or not.
        .filter(|a| a.is_open() && a.effective != Some(true))
        .map(|a| format!("{}{}", one_line(&a.text, Where::Elsewhere), due(a.due)))
        .collect();
    left.extend(
        t.substance
            .actions
            .iter()
            .filter(|a| {
                a.kind == ActionKind::Prevent && a.done.is_some() && a.cancelled.is_none() && a.effective.is_none()
            })
            .filter_map(|a| a.check.map(|c| (a, c)))
            .map(|(a, c)| {
                let what = one_line(&a.text, Where::Elsewhere);
                tr!(
                    l,
                    format!("{what} の効果確認（{}）", date(config, c)),
                    format!("the effectiveness check of {what} ({})", date(config, c))
                )
            }),
    );
    if left.is_empty() {
        return None;
    }
    let more = keep.map_or(0, |k| left.len().saturating_sub(k));
    left.truncate(left.len() - more);
    if more > 0 {
        left_out.push(tr!(
            l,
            format!("継続中の項目{more}件"),
            super::en_count(more, "item still under way", "items still under way")
        ));
        left.push(tr!(l, format!("…ほか{more}件"), format!("…and {more} more")));
    }
    Some(super::listed(l, &left))
}

/// How many of one item's corrections the 8D shows, the newest; the earlier ones are counted.
const CORRECTIONS_SHOWN: usize = 3;

/// The lines under a fact, the cause or the escape point that was corrected: when, by whom and
/// what it read before, since the customer may have heard that, not only the value now.
fn corrected_lines(l: Locale, config: &Config, t: &Trouble, what: Corrected) -> Vec<String> {
    let all: Vec<_> = t.substance.corrections.iter().filter(|c| c.what == what).collect();
    let more = all.len().saturating_sub(CORRECTIONS_SHOWN);
    let mut lines: Vec<String> = all[more..]
        .iter()
        .map(|c| {
            let (on, by) = (date(config, c.at), who(&c.by));
            let was = crate::slack::blocks::cut(&one_line(&c.was, Where::Elsewhere), 200);
            tr!(
                l,
                format!("  - {on} に {by} が訂正（訂正前: {was}）"),
                format!("  - corrected {on} by {by} (before: {was})")
            )
        })
        .collect();
    if more > 0 {
        let earlier = super::en_count(more, "earlier correction", "earlier corrections");
        lines.insert(
            0,
            tr!(l, format!("  - ほかに以前の訂正{more}回"), format!("  - and {earlier}")),
        );
    }
    lines
}

/// One of the 8D's lists, as the Slack message may have to shorten it.
#[derive(Clone, Copy)]
enum List {
    Scope,
    Interim,
    Permanent,
    Verification,
    Prevent,
}

impl List {
    /// What the list holds, for `n` of them: `暫定対策`, `interim actions`.
    fn noun(self, l: Locale, n: usize) -> &'static str {
        let (ja, one, many) = match self {
            List::Scope => ("波及範囲", "scope line", "scope lines"),
            List::Interim => ("暫定対策", "interim action", "interim actions"),
            List::Permanent => ("恒久対策", "permanent action", "permanent actions"),
            List::Verification => ("検証", "verification", "verifications"),
            List::Prevent => ("再発防止策", "prevention action", "prevention actions"),
        };
        tr!(l, ja, if n == 1 { one } else { many })
    }
}

/// `lines` kept to `keep` items, with a last line saying how many more there are (and that
/// count added to `left_out`): the 8D posted in Slack never drops an item unsaid.
fn at_most(
    l: Locale,
    mut lines: Vec<String>,
    list: List,
    keep: Option<usize>,
    left_out: &mut Vec<String>,
) -> Vec<String> {
    let more = keep.map_or(0, |k| lines.len().saturating_sub(k));
    if more > 0 {
        lines.truncate(lines.len() - more);
        let noun = list.noun(l, more);
        lines.push(tr!(
            l,
            format!("- …ほか{noun}{more}件（ここでは省略）"),
            format!("- …and {more} more {noun}, not shown here")
        ));
        left_out.push(tr!(l, format!("{noun}{more}件"), format!("{more} {noun}")));
    }
    lines
}

/// One action of `t` as the customer reads it: what, who, by when, and how far it got.
fn action_line(l: Locale, config: &Config, t: &Trouble, a: &Action) -> String {
    let mut parts = vec![one_line(&a.text, Where::Elsewhere)];
    parts.push(tr!(
        l,
        format!("担当 {}", who(&a.owner)),
        format!("owner {}", who(&a.owner))
    ));
    if let Some(d) = a.due {
        parts.push(tr!(
            l,
            format!("期限 {}", date(config, d)),
            format!("due {}", date(config, d))
        ));
    }
    parts.push(match (&a.done, &a.verified) {
        // D6 gives a permanent action's verification whole; a containment action (D3) or a
        // prevention measure (D7) has no section of its own, so its line says who checked
        // it, when, and what they found, or the 8D would show no evidence of it at all.
        (Some(d), Some(v)) if a.kind != ActionKind::Permanent => {
            let found = one_line(&v.note, Where::Elsewhere);
            let found = if found.is_empty() {
                String::new()
            } else {
                format!(" — {found}")
            };
            tr!(
                l,
                format!(
                    "{} に実施・{} に {} が検証{found}",
                    date(config, d.at),
                    date(config, v.at),
                    who(&v.by)
                ),
                format!(
                    "done {}, verified {} by {}{found}",
                    date(config, d.at),
                    date(config, v.at),
                    who(&v.by)
                )
            )
        }
        (Some(_), Some(v)) => tr!(
            l,
            format!("実施済み・{} に検証", date(config, v.at)),
            format!("done, verified {}", date(config, v.at))
        ),
        // A prevention measure whose effect was judged was checked that way: the line that
        // follows says how, and "verification pending" beside it would read as work left.
        (Some(d), None) if a.effective.is_some() => tr!(
            l,
            format!("{} に実施", date(config, d.at)),
            format!("done {}", date(config, d.at))
        ),
        (Some(d), None) => tr!(
            l,
            format!("{} に実施（検証待ち）", date(config, d.at)),
            format!("done {} (verification pending)", date(config, d.at))
        ),
        // Its effect confirmed after close, a measure never marked done is in place all the same.
        (None, _) if a.effective == Some(true) => tr!(l, "実施済み", "in place").to_string(),
        // Unfinished at a forced close, as the status and the internal report say, not under
        // way (an ordinary close leaves only measures that are).
        (None, _) if t.closed_by_force() => super::left_open_at_close(l).to_string(),
        (None, _) => tr!(l, "実施中", "in progress").to_string(),
    });
    format!("- {}", parts.join(" · "))
}

/// The customer's 8D leaves out an action cancelled (given by mistake, a duplicate): it was
/// never work done for them. The internal report shows it, marked cancelled.
fn actions_of(t: &Trouble, kind: ActionKind) -> Vec<&Action> {
    t.substance
        .actions
        .iter()
        .filter(|a| a.kind == kind && a.cancelled.is_none())
        .collect()
}

/// Whether a prevention measure (not cancelled) was recorded after `a` was found not effective
/// (or, for an answer an earlier release kept without its time, since the latest reopening) and
/// by the latest close (open again, the close the latest reopening undid): what "revised" says
/// of it. One added after that close revised nothing the close rested on; one that a later
/// check found not effective in turn was still the revision made before that close.
fn revised_since(t: &Trouble, a: &Action) -> bool {
    let since = a.judged.as_ref().map(|m| m.at).or(t.substance.reopened_at);
    let Some(until) = t.closed.as_ref().map(|c| c.at).or(t.substance.closed_before) else {
        return false;
    };
    let actions = &t.substance.actions;
    let after = actions.iter().position(|b| std::ptr::eq(b, a)).map_or(0, |i| i + 1);
    actions[after.min(actions.len())..].iter().any(|b| {
        b.kind == ActionKind::Prevent && b.cancelled.is_none() && since.is_none_or(|s| b.at >= s) && b.at <= until
    })
}

/// A trouble closed and reopened says so in D8, before its latest close (or alone, while it is
/// open again): the customer and an auditor read that an earlier close did not hold, and when,
/// never a reopened trouble's D8 as "not recorded" or as closed once. A measure found not
/// effective is named as the cause when one was (D7 says which); a reason typed with `reopen`
/// stays internal, as a forced close's does.
fn reopenings(l: Locale, config: &Config, t: &Trouble) -> Option<String> {
    let n = t.substance.reopened;
    if n == 0 {
        return None;
    }
    // Reopened before an earlier release kept when: said without the date.
    let on = t.substance.reopened_at.map(|at| date(config, at));
    let (when_ja, when_en) = match &on {
        Some(d) => (format!("{d} に"), format!(" {d}")),
        None => (String::new(), String::new()),
    };
    let (times_ja, times_en) = match n {
        1 => (String::new(), String::new()),
        n => (format!("計{n}回、"), format!(" ({n} times in all)")),
    };
    // The close it undid, so the customer reads when they were told it was over.
    let (before_ja, before_en) = match t.substance.closed_before.map(|at| date(config, at)) {
        Some(d) => (format!("{d} に"), format!(" on {d}")),
        None => (String::new(), String::new()),
    };
    let not_effective = actions_of(t, ActionKind::Prevent)
        .iter()
        .any(|a| a.effective == Some(false));
    let line = match not_effective {
        true => tr!(
            l,
            format!("- {when_ja}再開（{times_ja}{before_ja}一度対応を終了した後、再発防止策に効果がないと確認されたため。D7参照）"),
            format!("- Reopened{when_en} after an earlier close{before_en}{times_en}: a prevention measure was found not effective (D7)")
        ),
        false => tr!(
            l,
            format!("- {when_ja}再開（{times_ja}{before_ja}一度対応を終了した後）"),
            format!("- Reopened{when_en} after an earlier close{before_en}{times_en}")
        ),
    };
    Some(match t.closed {
        Some(_) => line,
        None => tr!(
            l,
            format!("{line}。再開後はまだ終了していません"),
            format!("{line}; not closed again yet")
        ),
    })
}

/// The 8D as Markdown. Each section is filled from the record or says it is not recorded.
pub fn eightd_markdown(l: Locale, config: &Config, t: &Trouble) -> String {
    document(l, config, t, None).0
}

/// The 8D as Markdown, each of its lists kept to `keep` items when given (the rest counted on
/// a line of its own), and what the lists left out: `38 interim actions`.
fn document(l: Locale, config: &Config, t: &Trouble, keep: Option<usize>) -> (String, Vec<String>) {
    let mut left_out: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let mut section = |heading: String, lines: Vec<String>| {
        out.push(String::new());
        out.push(heading);
        if lines.is_empty() {
            out.push(not_recorded(l));
        } else {
            out.extend(lines);
        }
    };
    let head = [
        tr!(l, format!("# 8D報告書 {}", t.id), format!("# 8D report {}", t.id)),
        String::new(),
        // A Japanese company writes its customer's name with 様 (the name is kept without one).
        tr!(
            l,
            format!("- お客様: {}様", one_line(&t.customer, Where::Elsewhere)),
            format!("- Customer: {}", one_line(&t.customer, Where::Elsewhere))
        ),
        format!("- {}: {}", tr!(l, "件名", "Subject"), said(&t.summary)),
        format!("- {}: {}", tr!(l, "受付日", "Reported"), date(config, t.opened_at)),
        // The day a date falls on depends on the zone: the customer may be in another one.
        format!(
            "- {}: {}",
            tr!(l, "タイムゾーン", "Time zone"),
            config.policy.timezone.name()
        ),
    ];

    // D1: who works on it for the customer.
    let mut d1 = vec![format!("- {}: {}", tr!(l, "担当営業", "Account owner"), who(&t.owner))];
    let manager = t.manager_chain().first();
    if let Some(m) = manager {
        d1.push(format!("- {}: {}", tr!(l, "責任者", "Manager"), who(m)));
    }
    // Whoever did the work the 8D reports: who recorded the root cause and the escape point and
    // checked the scope, the actions' owners, who carried them out, verified them or judged
    // their effect, and those added.
    let mut members: Vec<&UserId> = Vec::new();
    let cause = t.substance.cause.as_ref();
    let found = cause
        .map(|c| &c.by)
        .into_iter()
        .chain(cause.and_then(Cause::escape_recorder))
        .chain(
            t.substance
                .scope
                .iter()
                .filter_map(|s| s.checked.as_ref().map(|m| &m.by)),
        );
    let worked = t
        .substance
        .actions
        .iter()
        .filter(|a| a.cancelled.is_none())
        .flat_map(|a| {
            [
                Some(&a.owner),
                a.done.as_ref().map(|m| &m.by),
                a.verified.as_ref().map(|m| &m.by),
                a.judged.as_ref().map(|m| &m.by),
            ]
            .into_iter()
            .flatten()
        });
    for u in found.chain(worked).chain(&t.added) {
        if *u != t.owner && Some(u) != manager && !members.contains(&u) {
            members.push(u);
        }
    }
    if !members.is_empty() {
        d1.push(format!(
            "- {}: {}",
            tr!(l, "メンバー", "Members"),
            super::listed(l, members.iter().map(|u| who(u)))
        ));
    }
    let departments: Vec<String> = crate::trouble::decide::departments_of(&config.policy, t)
        .iter()
        .map(|d| {
            config
                .policy
                .departments
                .get(d)
                .map_or_else(|| d.clone(), |d| d.name.clone())
        })
        .collect();
    if !departments.is_empty() {
        d1.push(format!(
            "- {}: {}",
            tr!(l, "関係部門", "Departments"),
            one_line(&super::listed(l, &departments), Where::Elsewhere)
        ));
    }
    section(tr!(l, "## D1 チーム", "## D1 Team").to_string(), d1);

    // D2: the facts (5W2H), the returned goods and the scope.
    let facts = &t.substance.facts;
    let mut d2: Vec<String> = FactKey::ALL
        .iter()
        .filter_map(|k| {
            facts.get(*k).map(|v| {
                let line = format!("- {}: {}", super::stages::fact_label(l, *k), said(&v));
                std::iter::once(line).chain(corrected_lines(l, config, t, Corrected::Fact(*k)))
            })
        })
        .flatten()
        .collect();
    // A fact of the 5W2H nobody recorded is named as such, never silently absent: the reader
    // sees what is not known (when it occurred, say) as plainly as what is.
    let missing: Vec<&str> = FactKey::ALL
        .iter()
        .filter(|k| facts.get(**k).is_none())
        .map(|k| super::stages::fact_label(l, *k))
        .collect();
    if !missing.is_empty() {
        d2.push(format!("- {}: {}", not_recorded_heading(l), super::listed(l, &missing)));
    }
    if let Some(r) = &t.substance.returned {
        d2.push(format!(
            "- {}: {}",
            tr!(l, "現品回収", "Returned goods"),
            super::stages::return_phrase(l, r.state, r.qty.as_deref(), r.tracking.as_deref(), Where::Elsewhere)
        ));
    }
    // Stage 2 done with lines unchecked: the manager chain set them aside. The customer reads
    // that they were not checked and who accepted it; the reason the chain gave is an internal
    // note (the channel, the report and the timeline keep it), as the force reason of a close is.
    let scope_stage = t.stage(StageId::Scope);
    let set_aside = |line: &crate::trouble::facts::ScopeLine| {
        scope_stage.state == StageState::Done && scope_stage.done_at.is_none_or(|done| line.at <= done)
    };
    let scope = t
        .substance
        .scope
        .iter()
        .map(|s| {
            let text = one_line(&s.text, Where::Elsewhere);
            match (s.checked.is_some(), set_aside(s), &scope_stage.done_by) {
                (true, _, _) => tr!(
                    l,
                    format!("- 波及範囲: {text}（確認済み）"),
                    format!("- Scope: {text} (checked)")
                ),
                (false, false, _) => tr!(
                    l,
                    format!("- 波及範囲: {text}（確認中）"),
                    format!("- Scope: {text} (being checked)")
                ),
                (false, true, None) => tr!(
                    l,
                    format!("- 波及範囲: {text}（確認せず）"),
                    format!("- Scope: {text} (not checked)")
                ),
                (false, true, Some(by)) => tr!(
                    l,
                    format!("- 波及範囲: {text}（確認せず・{} が了承）", who(by)),
                    format!("- Scope: {text} (not checked; accepted as such by {})", who(by))
                ),
            }
        })
        .collect();
    d2.extend(at_most(l, scope, List::Scope, keep, &mut left_out));
    section(tr!(l, "## D2 問題の記述", "## D2 Problem description").to_string(), d2);

    let interim = actions_of(t, ActionKind::Interim)
        .into_iter()
        .map(|a| action_line(l, config, t, a))
        .collect();
    section(
        tr!(l, "## D3 暫定対策", "## D3 Interim containment actions").to_string(),
        at_most(l, interim, List::Interim, keep, &mut left_out),
    );

    let cause_stage = t.stage(StageId::Cause);
    let d4 = match &t.substance.cause {
        Some(c) => {
            let mut lines = vec![format!("- {}: {}", tr!(l, "発生原因", "Root cause"), said(&c.text))];
            lines.extend(corrected_lines(l, config, t, Corrected::Cause));
            lines.push(format!(
                "- {}: {}",
                tr!(l, "流出原因", "Escape point"),
                c.escape.as_deref().map(said).unwrap_or_else(|| not_recorded(l))
            ));
            lines.extend(corrected_lines(l, config, t, Corrected::Escape));
            lines
        }
        // Stage 3 done without a cause: the manager chain accepted that it could not be found.
        // The 8D says so and who accepted it, never leaving D4 blank; their reason stays
        // internal, as the scope's does.
        None if cause_stage.state == StageState::Done => {
            let accepted = match (&cause_stage.done_by, cause_stage.done_at) {
                (Some(by), Some(at)) => tr!(
                    l,
                    format!("（{} に {} が了承）", date(config, at), who(by)),
                    format!(" (accepted as such by {} on {})", who(by), date(config, at))
                ),
                (Some(by), None) => tr!(
                    l,
                    format!("（{} が了承）", who(by)),
                    format!(" (accepted as such by {})", who(by))
                ),
                (None, _) => String::new(),
            };
            vec![
                format!(
                    "- {}: {}{accepted}",
                    tr!(l, "発生原因", "Root cause"),
                    tr!(l, "特定に至りませんでした", "could not be identified")
                ),
                format!("- {}: {}", tr!(l, "流出原因", "Escape point"), not_recorded(l)),
            ]
        }
        None => Vec::new(),
    };
    section(
        tr!(l, "## D4 原因と流出点", "## D4 Root cause and escape point").to_string(),
        d4,
    );

    let permanent: Vec<&Action> = actions_of(t, ActionKind::Permanent);
    section(
        tr!(l, "## D5 恒久対策", "## D5 Permanent corrective actions").to_string(),
        at_most(
            l,
            permanent.iter().map(|a| action_line(l, config, t, a)).collect(),
            List::Permanent,
            keep,
            &mut left_out,
        ),
    );
    // D6 is implementation and verification: each permanent action carried out, by whom and
    // when, then who verified it, when and on what evidence, or that it is not verified yet,
    // so D6 never reads "not recorded" while D5 says the work is done.
    let verification = permanent
        .iter()
        .filter_map(|a| {
            let d = a.done.as_ref()?;
            let what = one_line(&a.text, Where::Elsewhere);
            let (done_ja, done_en) = (
                format!("{} に {} が実施", date(config, d.at), who(&d.by)),
                format!("implemented {} by {}", date(config, d.at), who(&d.by)),
            );
            Some(match &a.verified {
                Some(v) => {
                    let note = if v.note.trim().is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", said(&v.note))
                    };
                    let (when, by) = (date(config, v.at), who(&v.by));
                    tr!(
                        l,
                        format!("- {what}: {done_ja}、{when} に {by} が検証{note}"),
                        format!("- {what}: {done_en}; verified {when} by {by}{note}")
                    )
                }
                None => tr!(
                    l,
                    format!("- {what}: {done_ja}（検証待ち）"),
                    format!("- {what}: {done_en}; not verified yet")
                ),
            })
        })
        .collect();
    section(
        tr!(
            l,
            "## D6 恒久対策の実施と効果の検証",
            "## D6 Implementation and verification"
        )
        .to_string(),
        at_most(l, verification, List::Verification, keep, &mut left_out),
    );

    let prevent = actions_of(t, ActionKind::Prevent)
        .into_iter()
        .map(|a| {
            // Who answered the check, and when, as D6 names who verified: the effect is the
            // measure's evidence. An answer an earlier release recorded does not say.
            let (by_ja, by_en) = a.judged.as_ref().map_or((String::new(), String::new()), |m| {
                (
                    format!("{} に {} が確認", date(config, m.at), who(&m.by)),
                    format!("{} by {}", date(config, m.at), who(&m.by)),
                )
            });
            // Found not effective, the trouble was reopened. "Revised" only when a new measure
            // was recorded after the finding and by the latest close (open again: the close the
            // latest reopening undid); a close with no measure recorded since the finding is not.
            let (revision_ja, revision_en) = match t.closed {
                _ if revised_since(t, a) => ("見直しのうえ再クローズ", "revised before the trouble was closed again"),
                Some(_) => ("新たな対策なしで再クローズ", "closed again without a new measure"),
                None => ("対策を見直し中", "being revised"),
            };
            let check = match (a.effective, a.check) {
                (Some(true), _) if a.judged.is_some() => tr!(
                    l,
                    format!(" · 効果確認: 効果あり（{by_ja}）"),
                    format!(" · effectiveness: confirmed {by_en}")
                ),
                (Some(true), _) => tr!(
                    l,
                    " · 効果確認: 効果あり".to_string(),
                    " · effectiveness: confirmed".to_string()
                ),
                (Some(false), _) if a.judged.is_some() => tr!(
                    l,
                    format!(" · 効果確認: 効果なし（{by_ja}・{revision_ja}）"),
                    format!(" · effectiveness: not effective, found {by_en} ({revision_en})")
                ),
                (Some(false), _) => tr!(
                    l,
                    format!(" · 効果確認: 効果なし（{revision_ja}）"),
                    format!(" · effectiveness: not effective ({revision_en})")
                ),
                (None, Some(c)) => tr!(
                    l,
                    format!(" · 効果確認予定 {}", date(config, c)),
                    format!(" · effectiveness check {}", date(config, c))
                ),
                (None, None) => String::new(),
            };
            format!("{}{check}", action_line(l, config, t, a))
        })
        .collect();
    section(
        tr!(
            l,
            "## D7 再発防止策と効果の確認",
            "## D7 Recurrence prevention and effectiveness"
        )
        .to_string(),
        at_most(l, prevent, List::Prevent, keep, &mut left_out),
    );

    let d8 = t
        .closed
        .as_ref()
        .map(|c| {
            // Closed over unfinished steps (`close force`), it does not read as completed. The
            // steps the 8D covers are named; the money stages, like the reason, stay internal.
            let unfinished: Vec<&str> = StageId::all()
                .filter(|s| !matches!(s, StageId::Split | StageId::Cost))
                .filter(|s| t.stage(*s).state != StageState::Done)
                .map(|s| super::stage_name(l, s))
                .collect();
            let (when, by) = (date(config, c.at), who(&c.by));
            vec![match (&c.forced_reason, unfinished.is_empty()) {
                (Some(_), false) => tr!(
                    l,
                    format!(
                        "- {when} に対応を終了（{by}）。次の段階は完了していません: {}",
                        super::listed(l, &unfinished)
                    ),
                    format!(
                        "- Closed {when} by {by} before these steps were completed: {}",
                        super::listed(l, &unfinished)
                    )
                ),
                _ => match still_under_way(l, config, t, keep, &mut left_out) {
                    // Closed with measures still under way (documented, and fine): it does
                    // not read as completed while the 8D above says they are not done.
                    Some(left) => tr!(
                        l,
                        format!("- {when} に対応を終了（{by}）。継続中: {left}"),
                        format!("- Closed {when} by {by}; still under way: {left}")
                    ),
                    None => tr!(
                        l,
                        format!("- {when} に完了（{by}）"),
                        format!("- Closed {when} by {by}")
                    ),
                },
            }]
        })
        .unwrap_or_default();
    section(
        tr!(l, "## D8 完了", "## D8 Closure").to_string(),
        reopenings(l, config, t).into_iter().chain(d8).collect(),
    );

    let mut text = head.join("\n");
    text.push('\n');
    text.push_str(&out.join("\n"));
    text.push('\n');
    // It goes to the customer: people by their names, where the bot has learnt them, as a
    // document names them (`佐藤 花子`), not as Slack does (`@佐藤 花子`).
    let text =
        crate::trouble::people::with_plain_names(&text, |id| t.names.get(&UserId::new(id)).map(|n| n.name.clone()));
    (text, left_out)
}

/// `trouble-bot export ID --format 8d`: plain text for a file, nothing that acts on a terminal.
pub fn export_eightd(l: Locale, config: &Config, t: &Trouble) -> String {
    super::report::markdown_file(&eightd_markdown(l, config, t))
}

/// The 8D in the channel: one message, its sections cut to Slack's limits. When even its
/// typed texts shortened do not make it fit, `render` asks for it with each list kept
/// to `keep` items: every heading stays, each shortened list says how many it leaves out, and
/// a last line sums them up and says where the whole 8D is.
pub fn rendered(l: Locale, config: &Config, t: &Trouble, keep: Option<usize>) -> super::Rendered {
    let (markdown, left_out) = document(l, config, t, keep);
    let mrkdwn = super::report_mrkdwn(&markdown);
    let mut blocks: Vec<crate::slack::blocks::Block> = super::slack_parts(&mrkdwn, 2900)
        .iter()
        .map(|p| crate::slack::blocks::section(p))
        .collect();
    if !left_out.is_empty() {
        let left_out = super::listed(l, &left_out);
        blocks.push(crate::slack::blocks::context(&tr!(
            l,
            format!(
                "✂️ Slackの1件のメッセージに収まるよう、ここでは次の項目を省略しています: {left_out}。8D報告書の全文は `trouble-bot export {} --format 8d` で出力できます（ボットを動かしているサーバーで）。",
                t.id
            ),
            format!(
                "✂️ Left out here to fit one Slack message: {left_out}. The whole 8D: `trouble-bot export {} --format 8d` (on the server that runs the bot).",
                t.id
            )
        )));
    }
    let title = tr!(
        l,
        format!("8D報告書 {}（確認用）", t.id),
        format!("8D report {} (for review)", t.id)
    );
    // The 8D in the text too, as far as Slack shows a text: a screen reader reads the text,
    // never the blocks, and whoever reviews the 8D with one must hear the 8D, not its title.
    let mut rendered = super::Rendered {
        text: title.to_string(),
        blocks: Some(blocks),
    };
    let said = format!("{title}\n{}", rendered.blocks_said());
    rendered.text = crate::slack::blocks::cut(&said, crate::slack::blocks::TEXT_ALONE_LIMIT);
    rendered
}

/// The most items any of the 8D's lists holds: keeping that many keeps them all.
pub fn longest_list(t: &Trouble) -> usize {
    t.substance.scope.len().max(t.substance.actions.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trouble::decide::Message;
    use crate::trouble::facts::{Mark, ScopeLine};
    use chrono::{DateTime, Utc};

    const MANAGER: &str = "U0MANAGER";

    fn at(day: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(3, 0, 0))
            .expect("a day")
            .and_utc()
    }

    fn trouble() -> (Config, Trouble) {
        let (config, mut t) = crate::i18n::messages::tests::hostile();
        t.customer = "ACME".into();
        t.summary = "housings cracked".into();
        (config, t)
    }

    /// Stage `id` marked done by the manager chain, with the reason it gave.
    fn waived(t: &mut Trouble, id: StageId, reason: &str) {
        let stage = t.stage_mut(id);
        stage.state = StageState::Done;
        stage.done_at = Some(at(2));
        stage.done_by = Some(UserId::new(MANAGER));
        stage.notes.push(reason.into());
    }

    fn action(kind: ActionKind, text: String) -> Action {
        Action {
            kind,
            text,
            owner: UserId::new("U0SALES"),
            due: None,
            check: None,
            by: UserId::new("U0SALES"),
            at: at(1),
            done: None,
            verified: None,
            effective: None,
            judged: None,
            cancelled: None,
            round: 0,
        }
    }

    /// A cause the manager chain accepted could not be found: D4 says so and who accepted it,
    /// never "not recorded"; the reason they typed is an internal note, left out.
    #[test]
    fn d4_says_the_cause_was_not_identified_and_who_accepted_it() {
        let (config, mut t) = trouble();
        let d4 = |l: Locale, t: &Trouble| {
            let md = eightd_markdown(l, &config, t);
            let from = md.find("## D4").expect("D4");
            let to = md.find("## D5").expect("D5");
            md[from..to].to_string()
        };
        assert!(d4(Locale::En, &t).contains("not recorded"), "{}", d4(Locale::En, &t));
        waived(&mut t, StageId::Cause, "cause could not be reproduced");
        let en = d4(Locale::En, &t);
        assert!(
            en.contains("- Root cause: could not be identified (accepted as such by @U0MANAGER on 2026-11-02)"),
            "{en}"
        );
        assert!(en.contains("- Escape point: not recorded"), "{en}");
        let ja = d4(Locale::Ja, &t);
        assert!(
            ja.contains("- 発生原因: 特定に至りませんでした（2026-11-02 に @U0MANAGER が了承）"),
            "{ja}"
        );
        for l in [Locale::En, Locale::Ja] {
            let md = eightd_markdown(l, &config, &t);
            assert!(!md.contains("reproduced"), "{md}");
        }
    }

    /// The scope's waiver reads as the cause's does: not checked, accepted by whom, without the
    /// chain's reason. A line added after the stage was done is still being checked.
    #[test]
    fn d2_says_a_scope_line_was_not_checked_and_who_accepted_it_not_why() {
        let (config, mut t) = trouble();
        let line = |text: &str, day: u32| ScopeLine {
            text: text.into(),
            by: UserId::new("U0SALES"),
            at: at(day),
            checked: None,
        };
        t.substance.scope.push(line("Beta Corp lot 42", 1));
        t.substance.scope.push(ScopeLine {
            checked: Some(Mark {
                by: UserId::new("U0SALES"),
                at: at(1),
                note: String::new(),
            }),
            ..line("Gamma lot 7", 1)
        });
        waived(&mut t, StageId::Scope, "Beta confirmed by phone, no time to check");
        t.substance.scope.push(line("Delta lot 9", 3));
        let en = eightd_markdown(Locale::En, &config, &t);
        assert!(
            en.contains("- Scope: Beta Corp lot 42 (not checked; accepted as such by @U0MANAGER)"),
            "{en}"
        );
        assert!(en.contains("- Scope: Gamma lot 7 (checked)"), "{en}");
        assert!(en.contains("- Scope: Delta lot 9 (being checked)"), "{en}");
        let ja = eightd_markdown(Locale::Ja, &config, &t);
        assert!(
            ja.contains("- 波及範囲: Beta Corp lot 42（確認せず・@U0MANAGER が了承）"),
            "{ja}"
        );
        for md in [en, ja, export_eightd(Locale::En, &config, &t)] {
            assert!(!md.contains("phone"), "{md}");
        }
    }

    /// A measure found not effective reads "revised" once closed again only when a measure was
    /// recorded after that finding: a forced close, or one resting on a measure older than the
    /// finding, says it was closed again without a new one.
    #[test]
    fn d7_says_revised_only_when_a_new_measure_followed_the_finding() {
        let (config, mut t) = trouble();
        let older = action(ActionKind::Prevent, "Operator training".into());
        let found = Action {
            effective: Some(false),
            judged: Some(Mark {
                by: UserId::new(MANAGER),
                at: at(5),
                note: String::new(),
            }),
            ..action(ActionKind::Prevent, "Mold temperature alarm".into())
        };
        t.substance.actions = vec![older, found];
        t.substance.reopened = 1;
        t.substance.reopened_at = Some(at(5));
        t.closed = Some(crate::trouble::model::Closure {
            by: UserId::new(MANAGER),
            at: at(7),
            note: String::new(),
            forced_reason: None,
        });
        let says = |t: &Trouble, en: &str, ja: &str| {
            let (e, j) = (
                eightd_markdown(Locale::En, &config, t),
                eightd_markdown(Locale::Ja, &config, t),
            );
            assert!(e.contains(en), "{e}");
            assert!(j.contains(ja), "{j}");
        };
        says(&t, "(closed again without a new measure)", "新たな対策なしで再クローズ");
        t.substance.actions.push(Action {
            at: at(6),
            ..action(ActionKind::Prevent, "Weekly mold temperature audit".into())
        });
        says(
            &t,
            "(revised before the trouble was closed again)",
            "見直しのうえ再クローズ",
        );
        // A measure recorded only after the close (`prevent` is open to a closed trouble) came
        // too late to be what it was closed again on.
        t.substance.actions.pop();
        t.substance.actions.push(Action {
            at: at(9),
            ..action(ActionKind::Prevent, "Weekly mold temperature audit".into())
        });
        says(&t, "(closed again without a new measure)", "新たな対策なしで再クローズ");
    }

    /// Reopened twice: the measure recorded after the first finding, itself found not effective
    /// at its own check, is still the revision #1 was closed again on, open again or closed
    /// again (by force, with nothing new), so D7 never contradicts itself over #1.
    #[test]
    fn d7_of_a_trouble_reopened_twice_says_the_first_measure_was_revised() {
        let (config, mut t) = trouble();
        let found = |text: &str, recorded: u32, day: u32| Action {
            at: at(recorded),
            effective: Some(false),
            judged: Some(Mark {
                by: UserId::new(MANAGER),
                at: at(day),
                note: String::new(),
            }),
            ..action(ActionKind::Prevent, text.into())
        };
        // #1 closed on day 2, found not effective on day 4; #2 recorded day 5, closed again
        // day 6, found not effective on day 8: open again.
        t.substance.actions = vec![found("Mold temperature alarm", 1, 4), found("Weekly mold audit", 5, 8)];
        t.substance.reopened = 2;
        t.substance.reopened_at = Some(at(8));
        t.substance.closed_before = Some(at(6));
        let line = |l: Locale, t: &Trouble, text: &str| {
            let md = eightd_markdown(l, &config, t);
            md.lines()
                .find(|s| s.contains(text))
                .map(str::to_string)
                .unwrap_or_else(|| panic!("{text} in {md}"))
        };
        let says = |t: &Trouble, text: &str, en: &str, ja: &str| {
            let (e, j) = (line(Locale::En, t, text), line(Locale::Ja, t, text));
            assert!(e.contains(en), "{e}");
            assert!(j.contains(ja), "{j}");
        };
        says(
            &t,
            "Mold temperature alarm",
            "(revised before the trouble was closed again)",
            "見直しのうえ再クローズ",
        );
        says(&t, "Weekly mold audit", "(being revised)", "対策を見直し中");
        t.closed = Some(crate::trouble::model::Closure {
            by: UserId::new(MANAGER),
            at: at(10),
            note: String::new(),
            forced_reason: Some("customer accepted".into()),
        });
        says(
            &t,
            "Mold temperature alarm",
            "(revised before the trouble was closed again)",
            "見直しのうえ再クローズ",
        );
        says(
            &t,
            "Weekly mold audit",
            "(closed again without a new measure)",
            "新たな対策なしで再クローズ",
        );
    }

    /// An 8D with more items than one Slack message holds keeps every heading and every list,
    /// each shortened list saying how many it leaves out, and a last line summing them up.
    #[test]
    fn an_8d_too_long_for_slack_keeps_its_headings_and_counts_what_it_leaves_out() {
        let (config, mut t) = trouble();
        let long = |tag: String| format!("{tag} {}", "we keep inspecting at the customer's line, ".repeat(5));
        for i in 0..100 {
            t.substance
                .actions
                .push(action(ActionKind::Interim, long(format!("interim-{i:02}"))));
        }
        for i in 0..20 {
            t.substance
                .actions
                .push(action(ActionKind::Prevent, long(format!("prevent-{i:02}"))));
        }
        for l in [Locale::En, Locale::Ja] {
            let r = crate::i18n::render(l, &config, &t, &Message::EightD);
            let blocks = r.blocks.expect("blocks");
            let json = serde_json::to_string(&blocks).expect("json");
            let total: usize = blocks.iter().map(crate::slack::blocks::Block::text_chars).sum();
            assert!(
                total <= crate::slack::blocks::MESSAGE_TEXT_BUDGET + 300,
                "{l:?}: {total} chars"
            );
            assert!(blocks.len() < 50, "{l:?}: {} blocks", blocks.len());
            for d in ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"] {
                assert!(json.contains(&format!("*{d} ")), "{l:?}: {d} missing in {json}");
            }
            // What is shown runs from the first item on, without a gap; the rest is counted.
            let shown = |kind: &str, n: usize| (0..n).take_while(|i| json.contains(&format!("{kind}-{i:02}"))).count();
            let (interim, prevent) = (shown("interim", 100), shown("prevent", 20));
            assert!(
                !json.contains(&format!("interim-{interim:02}")),
                "{l:?}: a gap in {json}"
            );
            assert!(interim >= 10, "{l:?}: only {interim} interim actions shown");
            let (more_interim, more_prevent) = match l {
                Locale::En => (
                    format!("…and {} more interim actions, not shown here", 100 - interim),
                    (prevent < 20).then(|| format!("…and {} more prevention actions", 20 - prevent)),
                ),
                Locale::Ja => (
                    format!("…ほか暫定対策{}件（ここでは省略）", 100 - interim),
                    (prevent < 20).then(|| format!("…ほか再発防止策{}件", 20 - prevent)),
                ),
            };
            assert!(
                json.contains(&more_interim),
                "{l:?}: {more_interim:?} missing in {json}"
            );
            if let Some(more) = more_prevent {
                assert!(json.contains(&more), "{l:?}: {more:?} missing in {json}");
            }
            let whole = format!("`trouble-bot export {} --format 8d`", t.id);
            assert!(
                json.contains(&whole),
                "{l:?}: the note does not say where the whole 8D is: {json}"
            );
        }
        // Closed with them open, D8 lists them as still under way: kept as short, and counted.
        t.closed = Some(crate::trouble::model::Closure {
            by: UserId::new("U0SALES"),
            at: at(20),
            note: String::new(),
            forced_reason: None,
        });
        let r = crate::i18n::render(Locale::En, &config, &t, &Message::EightD);
        let json = serde_json::to_string(&r.blocks.expect("blocks")).expect("json");
        let d8 = &json[json.find("*D8 Closure*").expect("D8")..];
        assert!(d8.contains("still under way: interim-00"), "{d8}");
        let kept = (0..100).take_while(|i| d8.contains(&format!("interim-{i:02}"))).count();
        assert!(
            d8.contains(&format!("…and {} more", 120 - kept))
                && d8.contains(&format!("{} items still under way", 120 - kept)),
            "{d8}"
        );
        // The export is the whole 8D: nothing left out there.
        let md = export_eightd(Locale::En, &config, &t);
        assert!(
            md.contains("interim-99") && md.contains("prevent-19") && !md.contains("more interim"),
            "{md}"
        );
    }
}
