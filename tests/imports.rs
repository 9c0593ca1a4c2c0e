//! The layering of the crate, read from the `crate::` paths in src/: arrows run one way, from
//! the composition root down to the pure core, never back up.
//!
//! A unit is a top-level module of src/, or one of the leaf modules named in [`LEAVES`] (state
//! shared by a module's runner and the layers below it). Test modules (`#[cfg(test)] mod
//! tests`) are not read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Submodules that stand on their own: they import nothing from the layers above them.
const LEAVES: [&str; 3] = ["socket_mode::state", "runtime::pacer", "i18n::locale"];

/// Each unit's layer, lowest first. A unit may use units of strictly lower layers only, so no
/// two units use each other, not even at the bottom.
const LAYERS: [(&str, u8); 17] = [
    // What stands on nothing: the pure core, the clock, the two languages, Socket Mode's shared state.
    ("trouble", 0),
    ("clock", 0),
    ("i18n::locale", 0),
    ("socket_mode::state", 0),
    // The configuration (it builds the core's Policy) and the store seam with both backends.
    ("config", 1),
    ("store", 1),
    // Slack's wire format and client; logging.
    ("slack", 2),
    ("logs", 2),
    // The catalogue (every text, rendered as Block Kit) and the counters.
    ("i18n", 3),
    ("metrics", 3),
    // The pacing shared by the deliverer and the App's state.
    ("runtime::pacer", 4),
    ("app", 5),
    // The one door for changes.
    ("engine", 6),
    // What talks to Slack and runs in the background.
    ("http", 7),
    ("runtime", 8),
    ("socket_mode", 8),
    // The composition root.
    ("serve", 9),
];

/// Arrows known to run the wrong way, each with what removes it (none today).
const KNOWN_UPWARD: [(&str, &str); 0] = [];

/// Entry points that may use anything: the binary's commands.
const ROOTS: [&str; 1] = ["admin"];

fn layer(unit: &str) -> Option<u8> {
    if ROOTS.contains(&unit) {
        return Some(u8::MAX);
    }
    LAYERS.iter().find(|(u, _)| *u == unit).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The unit a module path (`socket_mode::state::SocketState`, `http::router`) belongs to.
fn unit_of(path: &str) -> String {
    LEAVES
        .iter()
        .find(|leaf| path == **leaf || path.starts_with(&format!("{leaf}::")))
        .map(|leaf| leaf.to_string())
        .unwrap_or_else(|| path.split("::").next().unwrap_or_default().to_string())
}

/// Every `crate::…` path in `text`, test modules left out.
fn crate_paths(text: &str) -> Vec<String> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    code.match_indices("crate::")
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect::<String>()
                .trim_end_matches(':')
                .to_string()
        })
        .collect()
}

/// (from, to, file) for every arrow between two units.
fn arrows() -> Vec<(String, String, String)> {
    paths()
        .into_iter()
        .map(|(from, path, file)| (from, unit_of(&path), file))
        .filter(|(from, to, _)| from != to)
        .collect()
}

/// (unit, crate path, file) for every `crate::` path in src/.
fn paths() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut arrows = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .expect("under src/")
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" || rel.ends_with("/tests.rs") {
            continue;
        }
        let module = rel.trim_end_matches(".rs").trim_end_matches("/mod").replace('/', "::");
        let from = unit_of(&module);
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        for path in crate_paths(&text) {
            arrows.push((from.clone(), path, rel.clone()));
        }
    }
    arrows
}

fn none_of(found: BTreeSet<String>, what: &str) {
    assert!(found.is_empty(), "{what}:\n{}", Vec::from_iter(found).join("\n"));
}

#[test]
fn every_module_of_src_has_a_layer() {
    let unknown: BTreeSet<String> = arrows()
        .into_iter()
        .flat_map(|(from, to, _)| [from, to])
        .filter(|u| layer(u).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "give these a layer in tests/imports.rs: {unknown:?}"
    );
}

#[test]
fn imports_only_run_down_the_layers() {
    let upward: BTreeSet<String> = arrows()
        .into_iter()
        .filter(|(from, to, _)| {
            let (f, t) = (layer(from).unwrap_or(0), layer(to).unwrap_or(0));
            t >= f && !KNOWN_UPWARD.contains(&(from.as_str(), to.as_str()))
        })
        .map(|(from, to, file)| format!("{file}: {from} → {to}"))
        .collect();
    none_of(upward, "imports that run up or sideways");
}

#[test]
fn the_core_uses_nothing_of_the_shell() {
    let outside: BTreeSet<String> = paths()
        .into_iter()
        .filter(|(from, path, _)| from == "trouble" && unit_of(path) != "trouble")
        .map(|(_, path, file)| format!("{file}: crate::{path}"))
        .collect();
    none_of(outside, "the core reaches into the shell");
}
