//! `cargo run --release --example demo [-- --locale en]`: a whole trouble played through the real bot against the fake Slack.
//!
//! An example rather than a command of `trouble-bot`, so that the production binary carries no fake
//! Slack: the demo's Slack is the tests' (`fake-slack`, a dev-dependency), and what it prints is
//! told from the calls the fake answers (`narrator.rs`). `tests/demo.rs` plays the same script.

mod narrator;
mod story;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use trouble_bot::i18n::Locale;
use trouble_bot::Config;

/// Plays one customer trouble from start to finish against a simulated Slack (nothing leaves
/// this machine) and prints the conversation as it would appear in Slack.
#[derive(Parser)]
#[command(
    name = "demo",
    after_help = "Environment:\n  TROUBLE_CONFIG        read for its locale only, when it is valid\n  RUST_LOG              the log filter (default warn)"
)]
struct Args {
    /// The language of the conversation (default: the configured locale, else ja)
    #[arg(long, value_enum)]
    locale: Option<LocaleArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LocaleArg {
    Ja,
    En,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // The demo runs whatever state trouble.toml is in: a broken file only loses its locale.
    let mut config = Config::load_from_env().unwrap_or_else(|problems| {
        eprintln!(
            "(trouble.toml has {} problem(s), see check-config; the demo uses the defaults)",
            problems.len()
        );
        Config::default()
    });
    // The demo prints a conversation; routine info lines would only clutter it.
    if config.log_filter == "info" {
        config.log_filter = "warn".into();
    }
    trouble_bot::logs::init(&config, std::io::stderr);
    let locale = match args.locale {
        Some(LocaleArg::Ja) => Locale::Ja,
        Some(LocaleArg::En) => Locale::En,
        None => config.locale,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if runtime.block_on(story::run(locale, Arc::new(print))) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes to stdout, ignoring a closed pipe (`… --example demo | head` must not panic).
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
