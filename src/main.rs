//! The `trouble-bot` command: serve, check-config, export, verify. Wiring only.

use std::process::ExitCode;

use trouble_bot::config::Config;
use trouble_bot::store::Store;
use trouble_bot::trouble::model::TroubleId;
use trouble_bot::trouble::timeline::verify_chain;

const USAGE: &str = "usage: trouble-bot [serve | check-config | export <trouble-id> [--format md|json] | verify | demo [--locale ja|en]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::load_from_env() {
        Ok(c) => c,
        Err(problems) => {
            eprintln!("The configuration has {} problem(s):", problems.len());
            for p in problems {
                eprintln!("  - {p}");
            }
            return ExitCode::FAILURE;
        }
    };
    let mut config = config;
    // The demo prints a conversation; routine info lines would only clutter it.
    if args.first().map(String::as_str) == Some("demo") && config.log_filter == "info" {
        config.log_filter = "warn".into();
    }
    init_logs(&config);
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(config),
        Some("check-config") => {
            print!("{}", config.summary());
            let problems = config.serve_problems();
            if problems.is_empty() {
                println!("configuration OK");
            } else {
                println!("configuration OK; to serve, also set:");
                for p in problems {
                    println!("  - {p}");
                }
            }
            ExitCode::SUCCESS
        }
        Some("export") => export(&config, &args[1..]),
        Some("verify") => verify(&config),
        Some("demo") => demo(&config, &args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, as text or (with `log_format = "json"`) one JSON object a line.
fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::new(&config.log_filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        builder.json().init();
    } else {
        builder.with_ansi(false).init();
    }
}

fn serve(config: Config) -> ExitCode {
    let problems = config.serve_problems();
    if !problems.is_empty() {
        eprintln!("Cannot serve:");
        for p in problems {
            eprintln!("  - {p}");
        }
        return ExitCode::FAILURE;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let bot = match trouble_bot::start(config).await {
            Ok(bot) => bot,
            Err(e) => {
                eprintln!("Cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        // A plain line for operators and for scripts that start the bot on port 0.
        println!("trouble-bot listening on {}", bot.addr);
        wait_for_signal().await;
        tracing::info!("shutting down: finishing in-flight work");
        bot.stop().await;
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Plays a whole trouble against a built-in Slack simulator: nothing to install or configure.
fn demo(config: &Config, args: &[String]) -> ExitCode {
    let locale = match args {
        [flag, l] if flag == "--locale" => match trouble_bot::i18n::Locale::parse(l) {
            Some(l) => l,
            None => {
                eprintln!("unknown locale {l:?}: use ja or en");
                return ExitCode::from(2);
            }
        },
        [] => config.locale,
        _ => {
            eprintln!("usage: trouble-bot demo [--locale ja|en]");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if runtime.block_on(trouble_bot::demo::run(locale)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn open_store(config: &Config) -> Result<Store, ExitCode> {
    Store::open(&config.data_dir).map_err(|e| {
        eprintln!("cannot open the store in {}: {e}", config.data_dir.display());
        ExitCode::FAILURE
    })
}

fn export(config: &Config, args: &[String]) -> ExitCode {
    let Some(id) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let format = match args.get(1..) {
        Some([flag, f]) if flag == "--format" => f.as_str(),
        Some([]) | None => "md",
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let store = match open_store(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let id = TroubleId::new(id);
    let (trouble, timeline) = match (store.get(&id), store.timeline(&id)) {
        (Ok(Some(t)), Ok(timeline)) => (t, timeline),
        (Ok(None), _) => {
            eprintln!("no trouble {id}");
            return ExitCode::FAILURE;
        }
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match format {
        "md" => print!(
            "{}",
            trouble_bot::i18n::export_markdown(config.locale, config, &trouble, &timeline)
        ),
        "json" => println!("{}", trouble_bot::i18n::export_json(&trouble, &timeline)),
        other => {
            eprintln!("unknown format {other:?}: use md or json");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

fn verify(config: &Config) -> ExitCode {
    let store = match open_store(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let troubles = match store.all_troubles() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut broken = 0;
    for t in &troubles {
        let result = store.timeline(&t.id).map_err(|e| e.to_string()).and_then(|entries| {
            verify_chain(&entries, t.timeline_len, &t.timeline_head)
                .map_err(|b| format!("entry {} {}", b.seq + 1, b.why))
        });
        if let Err(why) = result {
            broken += 1;
            println!("BROKEN {}: {why}", t.id);
        }
    }
    println!("{} troubles checked, {} broken", troubles.len(), broken);
    if broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
