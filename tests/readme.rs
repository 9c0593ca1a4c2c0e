//! The README as the admin's contract: its links lead somewhere, its contents name every section,
//! and its configuration table, `trouble.example.toml` and what check-config accepts agree.

use std::collections::{BTreeMap, BTreeSet};
use trouble_bot::Config;

fn read(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README's headings, outside code blocks (a `# comment` in a shell example is none).
fn headings(readme: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let level = line.chars().take_while(|&c| c == '#').count();
        if level > 0 && line[level..].starts_with(' ') {
            found.push((level, line[level + 1..].trim().to_string()));
        }
    }
    found
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every `](#anchor)` of the README, in order.
fn links(readme: &str) -> Vec<String> {
    readme
        .split("](#")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap_or_default().to_string())
        .collect()
}

/// A newcomer finds the two commands and every section from the top, and no link inside the
/// README leads nowhere (a heading renamed leaves its links dead without a word from GitHub).
#[test]
fn the_contents_name_every_section_and_every_link_inside_the_readme_leads_to_a_heading() {
    let readme = read("README.md");
    let anchors: BTreeSet<String> = headings(&readme).iter().map(|(_, h)| slug(h)).collect();
    for link in links(&readme) {
        assert!(
            anchors.contains(&link),
            "README.md links to #{link}, which no heading has"
        );
    }
    let contents = readme
        .split("**Contents**")
        .nth(1)
        .expect("README.md has a **Contents** list after its introduction")
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .to_string();
    let listed: BTreeSet<String> = links(&contents).into_iter().collect();
    for (level, heading) in headings(&readme) {
        if level == 2 {
            assert!(listed.contains(&slug(&heading)), "the contents leave out ## {heading}");
        }
    }
    assert!(
        listed.contains("the-two-commands"),
        "the contents lead to the two commands"
    );
    let first_section = readme.find("\n## ").expect("a ## section");
    assert!(
        readme.find("**Contents**").expect("contents") < first_section,
        "the contents come before the first section, where a newcomer starts reading"
    );
}

/// The README's `## Configuration` section: the file's key table, one row per key.
fn configuration_rows(readme: &str) -> Vec<(String, String, String)> {
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("a ## Configuration section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let table = section
        .split("| key | default | meaning |")
        .nth(1)
        .expect("the configuration file's key table");
    table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').splitn(3, " | ").collect();
            assert_eq!(cells.len(), 3, "a row of key, default and meaning: {line}");
            (
                cells[0].trim().to_string(),
                cells[1].trim().to_string(),
                cells[2].trim().to_string(),
            )
        })
        .collect()
}

/// The `code` spans of a cell.
fn code(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The example with its commented-out keys (`# team_id = "T0123ABC"`) given, as an admin
/// uncommenting them would.
fn example_uncommented() -> String {
    read("trouble.example.toml")
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(key, _)| {
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                }) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn accepted(text: &str) -> Config {
    Config::from_sources(Some(text), &BTreeMap::new())
        .unwrap_or_else(|problems| panic!("check-config refuses it: {problems:?}\n{text}"))
}

/// The example is what the README tells an admin to copy: check-config takes it as it is and
/// with its commented keys given, without a warning; each of its keys has a row (or, inside a
/// table, is named in its table's row), and each row's key is in the example, so a key the
/// README promises is one check-config accepts.
#[test]
fn every_key_of_the_example_is_documented_and_every_documented_key_is_in_the_example_and_accepted() {
    let example = read("trouble.example.toml");
    assert!(accepted(&example).warnings().is_empty(), "the example draws no warning");
    let uncommented = example_uncommented();
    assert!(
        accepted(&uncommented).warnings().is_empty(),
        "nor with its commented keys given"
    );
    let table: toml::Table = uncommented.parse().expect("TOML");

    let readme = read("README.md");
    let rows = configuration_rows(&readme);
    let documented: BTreeSet<String> = rows
        .iter()
        .flat_map(|(key, _, _)| code(key))
        .filter(|k| !k.starts_with('['))
        .collect();
    let row_of_table = |name: &str| -> Option<&(String, String, String)> {
        rows.iter().find(|(key, _, _)| {
            code(key)
                .iter()
                .any(|k| k.trim_start_matches('[').starts_with(name) && k.starts_with('['))
        })
    };
    for (key, value) in &table {
        match value.as_table() {
            None => assert!(
                documented.contains(key),
                "trouble.example.toml's {key} has no row in the README"
            ),
            Some(inner) => {
                let row = row_of_table(key).unwrap_or_else(|| panic!("the README has no row for [{key}]"));
                // `[departments.quality]`, `[severity.1]`: the keys of each are named in the
                // row of `[departments.KEY]`, `[severity.N]`.
                let named = format!("{} {}", row.0, row.2);
                for (sub, v) in inner {
                    let keys: Vec<(String, &toml::Value)> = match v.as_table() {
                        Some(t) if key == "departments" || key == "severity" => {
                            t.iter().map(|(k, v)| (k.clone(), v)).collect()
                        }
                        Some(_) => {
                            assert!(
                                row_of_table(&format!("{key}.{sub}")).is_some(),
                                "the README has no row for [{key}.{sub}]"
                            );
                            continue;
                        }
                        None => vec![(sub.clone(), v)],
                    };
                    for (k, _) in keys {
                        let free = key == "approval_limits" || key == "customers";
                        // `name`, or the end of `[org] default_manager`.
                        let said = code(&named).iter().any(|c| c == &k || c.ends_with(&format!(" {k}")));
                        assert!(free || said, "[{key}]'s {k} is not named in its README row");
                    }
                }
            }
        }
    }
    for key in &documented {
        assert!(
            table.contains_key(key),
            "the README documents {key}, which trouble.example.toml lacks"
        );
    }
}

/// A default the README gives is the one the code has: each key written with its documented
/// default reads as no file at all, and the severities' documented timings are the built-in ones.
#[test]
fn the_readme_gives_the_defaults_the_code_has() {
    let rows = configuration_rows(&read("README.md"));
    let none = format!("{:?}", Config::from_sources(None, &BTreeMap::new()).unwrap());
    let mut checked = 0;
    for (keys, default, _) in &rows {
        let keys = code(keys);
        let defaults = code(default);
        if keys.iter().any(|k| k.starts_with('[')) || defaults.is_empty() {
            continue;
        }
        assert_eq!(keys.len(), defaults.len(), "one default per key: {keys:?} {defaults:?}");
        for (key, value) in keys.iter().zip(&defaults) {
            let literal = match value.as_str() {
                "true" | "false" => value.clone(),
                v if v.parse::<i64>().is_ok() => value.clone(),
                v => format!("{v:?}"),
            };
            let written = format!("{:?}", accepted(&format!("{key} = {literal}\n")));
            assert_eq!(written, none, "{key} = {literal} is not the default the README gives");
            checked += 1;
        }
    }
    assert!(checked >= 10, "the README's defaults were read ({checked})");

    let (_, default, _) = rows
        .iter()
        .find(|(key, _, _)| key.contains("[severity.N]"))
        .expect("a row for [severity.N]");
    let built_in = trouble_bot::config::default_severities();
    let documented: Vec<&str> = default.split(", ").collect();
    assert_eq!(documented.len(), built_in.len(), "{default}");
    for (said, (level, policy)) in documented.iter().zip(&built_in) {
        let (n, timings) = said.split_once(": ").expect("N: ack/update/first");
        assert_eq!(n, level.level().to_string());
        let d = |t: &str| trouble_bot::trouble::when::parse_duration(t).expect("a duration");
        let [ack, every, first] = timings.split('/').collect::<Vec<_>>()[..] else {
            panic!("{said}")
        };
        assert_eq!(
            (d(ack), d(every), d(first)),
            (
                policy.ack_timeout,
                policy.customer_update_every,
                policy.first_contact_within
            ),
            "severity {n}: ack_timeout/customer_update_every/first_contact_within"
        );
    }
}

/// The files the README sends the admin to (`[manifest.yml](manifest.yml)`, `deploy/`,
/// `tests/manifest.rs`) are in the repository: a file moved leaves no dead pointer.
#[test]
fn every_file_the_readme_names_is_in_the_repository() {
    let readme = read("README.md");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let linked = readme
        .split("](")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap_or_default().to_string())
        .filter(|target| !target.starts_with('#') && !target.contains("://"));
    let named = code(&readme).into_iter().filter(|span| {
        [
            "tests/",
            "src/",
            "deploy/",
            "examples/",
            "scripts/",
            "benches/",
            "migrations/",
            ".ci/",
            "docs/",
        ]
        .iter()
        .any(|dir| span.starts_with(dir))
            && !span.contains(['…', '*', ' ', '<'])
    });
    let mut checked = 0;
    for path in linked.chain(named) {
        assert!(
            root.join(&path).exists(),
            "README.md names {path}, which is not in the repository"
        );
        checked += 1;
    }
    assert!(checked >= 10, "the README's files were read ({checked})");
}
