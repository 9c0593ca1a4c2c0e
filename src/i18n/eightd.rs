//! The 8D report for the customer (D1 team … D8 closure) from the trouble's facts, cause and actions, in Japanese and English; nothing internal (split, costs, approvals, notes) goes in.

use super::Locale;
use crate::config::Config;
use crate::slack::text::{one_line, Where};
use crate::trouble::actions::{Action, ActionKind};
use crate::trouble::facts::FactKey;
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

fn date(config: &Config, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&config.policy.timezone).format("%Y-%m-%d").to_string()
}

/// The actions a close left open, with their due dates, and the prevention measures whose
/// effectiveness is still to be checked: None when nothing is.
fn still_under_way(l: Locale, config: &Config, t: &Trouble) -> Option<String> {
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
        .filter(|a| a.is_open())
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
    (!left.is_empty()).then(|| super::listed(l, &left))
}

/// One action as the customer reads it: what, who, by when, and how far it got.
fn action_line(l: Locale, config: &Config, a: &Action) -> String {
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
        (Some(_), Some(v)) => tr!(
            l,
            format!("実施済み・{} に検証", date(config, v.at)),
            format!("done, verified {}", date(config, v.at))
        ),
        (Some(d), None) => tr!(
            l,
            format!("{} に実施（検証待ち）", date(config, d.at)),
            format!("done {} (verification pending)", date(config, d.at))
        ),
        // Its effect confirmed after close, a measure never marked done is in place all the same.
        (None, _) if a.effective == Some(true) => tr!(l, "実施済み", "in place").to_string(),
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

/// The 8D as Markdown. Each section is filled from the record or says it is not recorded.
pub fn eightd_markdown(l: Locale, config: &Config, t: &Trouble) -> String {
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
    ];

    // D1: who works on it for the customer.
    let mut d1 = vec![format!("- {}: {}", tr!(l, "担当営業", "Account owner"), who(&t.owner))];
    let manager = t.manager_chain().first();
    if let Some(m) = manager {
        d1.push(format!("- {}: {}", tr!(l, "責任者", "Manager"), who(m)));
    }
    // Whoever did the work the 8D reports: the actions' owners, who carried them out and who
    // verified them, and those added to the trouble.
    let mut members: Vec<&UserId> = Vec::new();
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
            ]
            .into_iter()
            .flatten()
        });
    for u in worked.chain(&t.added) {
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
            facts
                .get(*k)
                .map(|v| format!("- {}: {}", super::stages::fact_label(l, *k), said(&v)))
        })
        .collect();
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
    let scope: Vec<String> = t
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
    d2.extend(scope);
    section(tr!(l, "## D2 問題の記述", "## D2 Problem description").to_string(), d2);

    let interim = actions_of(t, ActionKind::Interim)
        .into_iter()
        .map(|a| action_line(l, config, a))
        .collect();
    section(
        tr!(l, "## D3 暫定対策", "## D3 Interim containment actions").to_string(),
        interim,
    );

    let cause_stage = t.stage(StageId::Cause);
    let d4 = match &t.substance.cause {
        Some(c) => {
            let mut lines = vec![format!("- {}: {}", tr!(l, "発生原因", "Root cause"), said(&c.text))];
            lines.push(format!(
                "- {}: {}",
                tr!(l, "流出原因", "Escape point"),
                c.escape.as_deref().map(said).unwrap_or_else(|| not_recorded(l))
            ));
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
        permanent.iter().map(|a| action_line(l, config, a)).collect(),
    );
    let verification = permanent
        .iter()
        .filter_map(|a| {
            let v = a.verified.as_ref()?;
            let note = if v.note.trim().is_empty() {
                String::new()
            } else {
                format!(" — {}", said(&v.note))
            };
            Some(tr!(
                l,
                format!(
                    "- {}: {} に {} が検証{note}",
                    one_line(&a.text, Where::Elsewhere),
                    date(config, v.at),
                    who(&v.by)
                ),
                format!(
                    "- {}: verified {} by {}{note}",
                    one_line(&a.text, Where::Elsewhere),
                    date(config, v.at),
                    who(&v.by)
                )
            ))
        })
        .collect();
    section(
        tr!(
            l,
            "## D6 恒久対策の実施と効果の検証",
            "## D6 Implementation and verification"
        )
        .to_string(),
        verification,
    );

    let prevent = actions_of(t, ActionKind::Prevent)
        .into_iter()
        .map(|a| {
            let check = match (a.effective, a.check) {
                (Some(true), _) => tr!(
                    l,
                    " · 効果確認: 効果あり".to_string(),
                    " · effectiveness: confirmed".to_string()
                ),
                (Some(false), _) => tr!(
                    l,
                    " · 効果確認: 効果なし（対策を見直し中）".to_string(),
                    " · effectiveness: not effective (being revised)".to_string()
                ),
                (None, Some(c)) => tr!(
                    l,
                    format!(" · 効果確認予定 {}", date(config, c)),
                    format!(" · effectiveness check {}", date(config, c))
                ),
                (None, None) => String::new(),
            };
            format!("{}{check}", action_line(l, config, a))
        })
        .collect();
    section(
        tr!(
            l,
            "## D7 再発防止策と効果の確認",
            "## D7 Recurrence prevention and effectiveness"
        )
        .to_string(),
        prevent,
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
            vec![match (&c.forced_reason, unfinished.is_empty()) {
                (Some(_), false) => tr!(
                    l,
                    format!(
                        "- {} に対応を終了（{}）。次の段階は完了していません: {}",
                        date(config, c.at),
                        who(&c.by),
                        super::listed(l, &unfinished)
                    ),
                    format!(
                        "- Closed {} by {} before these steps were completed: {}",
                        date(config, c.at),
                        who(&c.by),
                        super::listed(l, &unfinished)
                    )
                ),
                _ => match still_under_way(l, config, t) {
                    // Closed with measures still under way (documented, and fine): it does
                    // not read as completed while the 8D above says they are not done.
                    Some(left) => tr!(
                        l,
                        format!(
                            "- {} に対応を終了（{}）。継続中: {left}",
                            date(config, c.at),
                            who(&c.by)
                        ),
                        format!(
                            "- Closed {} by {}; still under way: {left}",
                            date(config, c.at),
                            who(&c.by)
                        )
                    ),
                    None => tr!(
                        l,
                        format!("- {} に完了（{}）", date(config, c.at), who(&c.by)),
                        format!("- Closed {} by {}", date(config, c.at), who(&c.by))
                    ),
                },
            }]
        })
        .unwrap_or_default();
    section(tr!(l, "## D8 完了", "## D8 Closure").to_string(), d8);

    let mut text = head.join("\n");
    text.push('\n');
    text.push_str(&out.join("\n"));
    text.push('\n');
    // It goes to the customer: people by their names, where the bot has learnt them, as a
    // document names them (`佐藤 花子`), not as Slack does (`@佐藤 花子`).
    crate::trouble::people::with_plain_names(&text, |id| t.names.get(&UserId::new(id)).map(|n| n.name.clone()))
}

/// `trouble-bot export ID --format 8d`: plain text for a file, nothing that acts on a terminal.
pub fn export_eightd(l: Locale, config: &Config, t: &Trouble) -> String {
    super::report::markdown_file(&eightd_markdown(l, config, t))
}

/// The 8D in the channel: one message, its sections cut to Slack's limits (and the longest
/// shortened to fit one message, with a note saying so).
pub fn rendered(l: Locale, config: &Config, t: &Trouble) -> super::Rendered {
    let mrkdwn = super::report_mrkdwn(&eightd_markdown(l, config, t));
    let blocks = super::slack_parts(&mrkdwn, 2900)
        .iter()
        .map(|p| crate::slack::blocks::section(p))
        .collect();
    super::Rendered {
        text: tr!(
            l,
            format!("8D報告書 {}（確認用）", t.id),
            format!("8D report {} (for review)", t.id)
        ),
        blocks: Some(blocks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
