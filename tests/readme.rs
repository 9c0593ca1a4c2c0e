//! The README as the newcomer's map: its links lead somewhere, its contents name every section.

use std::collections::BTreeSet;

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
