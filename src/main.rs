//! The `trouble-bot` command line: serve, check-config, export, export-list, verify, backup, restore, accept-loss, redact, migrate,
//! migrate-store. Wiring only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use trouble_bot::admin::{self, Outcome};
use trouble_bot::config::Config;
use trouble_bot::i18n::{admin as admin_text, Locale};
use trouble_bot::store::pg;

trouble_bot::use_jemalloc!();

/// Where the configuration and the store come from: every command that reads them says so.
const ENV_CONFIG: &str = concat!(
    "  TROUBLE_CONFIG        the TOML file (default trouble.toml; a missing default file means all defaults)\n",
    "  TROUBLE_DATA_DIR      overrides data_dir (the store)\n",
    "  DATABASE_URL          overrides database_url (postgres://user:password@host:5432/db); never logged"
);
const ENV_SERVE: &str = concat!(
    "  SLACK_SIGNING_SECRET  required over HTTP (not with SLACK_APP_TOKEN); several secrets comma-separated during rotation\n",
    "  SLACK_BOT_TOKEN       required (xoxb-…); never logged\n",
    "  SLACK_APP_TOKEN       xapp-… (scope connections:write): Slack's requests come over Socket Mode; never logged\n",
    "  SLACK_API_URL         Web API base (default https://slack.com/api/)\n",
    "  TROUBLE_LISTEN        overrides listen\n",
    "  TROUBLE_LOG_FORMAT    json for one JSON object per log line\n",
    "  RUST_LOG              the log filter"
);

#[derive(Parser)]
#[command(
    name = "trouble-bot",
    version,
    about = "A Slack bot for handling customer troubles: the first move, the seven stages, follow-ups, a timeline nobody can silently edit.",
    after_help = "Without a command, trouble-bot serves. `trouble-bot <command> --help` lists a command's options and the environment variables it reads.\n\nThe demo (a whole trouble against a simulated Slack) is not in this binary: from the source tree, `cargo run --release --example demo [-- --locale en]`."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot (the default): Slack's requests on `listen`, deliveries and timers.
    #[command(after_help = format!(
        "Environment:\n{ENV_CONFIG}\n{ENV_SERVE}\n\nWhile it runs, export, export-list, verify, backup and redact are answered on DATA_DIR/trouble-admin.sock (mode 0600)."
    ))]
    Serve,
    /// Validate the configuration and print a summary, or every problem (exit 1 on problems).
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}\n{ENV_SERVE}\nThe summary is in the configured locale."))]
    CheckConfig,
    /// Ask Slack whether the bot can do what the configuration asks: the token, each announce
    /// channel, and a DM to everyone in [org] and the departments (exit 1 on problems).
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}\n{ENV_SERVE}\nThe report is in the configured locale."))]
    CheckSlack,
    /// Print one trouble's report to stdout (from PostgreSQL when database_url is set); works beside a running bot. Exit 3 when the trouble's hash chain is broken (the report is printed all the same, saying at which entry).
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}"))]
    Export {
        /// The trouble's id, e.g. 20261127-3
        id: String,
        /// md: the report as Markdown, in the configured locale; json: the trouble and its timeline;
        /// 8d: the 8D report for the customer, in the configured locale
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
    },
    /// Print every trouble opened in a period as CSV for a spreadsheet (Excel, Japanese Excel too): one row per trouble with customer, summary, severity, stages, times to acknowledgement and first customer contact, our share and total costs per currency, prevention measures, reopenings and channel. From PostgreSQL when database_url is set; works beside a running bot. Exit 3 when a trouble's record does not read (listed all the same from what the index knows).
    #[command(
        name = "export-list",
        after_help = format!("Dates are days in the configured time zone, both included; without them, every trouble.\nExample: trouble-bot export-list --since 2026-09-01 --until 2026-11-30 > q3.csv\n\nEnvironment:\n{ENV_CONFIG}")
    )]
    ExportList {
        /// The first day whose troubles are listed (YYYY-MM-DD, opening date)
        #[arg(long, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
        /// The last day whose troubles are listed (YYYY-MM-DD, included)
        #[arg(long, value_name = "DATE")]
        until: Option<chrono::NaiveDate>,
    },
    /// Recompute every timeline's hash chain (in PostgreSQL when database_url is set); exit 1 naming each trouble's first broken entry, each trouble whose record does not read, and (sled) the troubles a damaged log lost; works beside a running bot.
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}"))]
    Verify,
    /// Copy the store into DIR, consistently, even while the bot runs; DIR becomes a data directory. The sled store only: with database_url set, use pg_dump.
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}\n\nCheck a backup with: TROUBLE_DATA_DIR=DIR trouble-bot verify"))]
    Backup {
        /// A new or empty directory for the copy
        dir: PathBuf,
    },
    /// Bring a backup back as the store, only while the bot is stopped (the old store is kept aside). The sled store only: with database_url set, use pg_restore.
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}"))]
    Restore {
        /// A directory written by `trouble-bot backup`
        dir: PathBuf,
        /// Restore a backup that does not verify all the same (a broken chain or a record that
        /// does not read): the bot serves every other trouble, and verify goes on naming those
        #[arg(long)]
        even_if_broken: bool,
    },
    /// Accept that the store lost troubles (its log damaged: serve refuses a store behind its high-water mark): the lost ids are recorded as lost, and the day's numbering goes on after the mark, so no id is given out twice. Only while the bot is stopped; the sled store only.
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}\n\nRestoring a backup (trouble-bot restore DIR) is the other way out; it accepts the loss of whatever the backup lacks the same way."))]
    AcceptLoss,
    /// Erase the free texts of a trouble's entries for an erasure request, recorded on its timeline (an entry names them and the reason; verify lists them as redacted): only entries whose text the trouble's record does not repeat (a note, a severity change's reason). On sled by the running bot (asked on its admin socket, between two of its decisions), or on the store when the bot is stopped; on PostgreSQL beside running instances.
    #[command(after_help = format!("Example: trouble-bot redact 20261127-3 5 --reason \"the customer's erasure request of 2026-12-01\"\n\nThe messages the bot posted with the texts in Slack are not changed: delete those in channels by hand (a severity change's reason also went to the managers' DMs, which stay). Backups taken before, and the store's old pages until they are rewritten, still hold the texts.\n\nEnvironment:\n{ENV_CONFIG}"))]
    Redact {
        /// The trouble's id, e.g. 20261127-3
        id: String,
        /// The entries to erase, numbered as the report's timeline and verify number them (from 1)
        #[arg(required = true, value_name = "ENTRY")]
        entries: Vec<u64>,
        /// Why (recorded on the timeline with the redaction)
        #[arg(long)]
        reason: String,
    },
    /// Create or update the PostgreSQL schema at database_url, then exit (serve also runs this at start).
    #[command(after_help = format!("Environment:\n{ENV_CONFIG}"))]
    Migrate,
    /// Copy a sled data directory (bot stopped) into PostgreSQL, then verify every chain on the copy; safe to run twice.
    #[command(after_help = format!("Without --to, the database is DATABASE_URL, else database_url in the config.\n\nEnvironment:\n{ENV_CONFIG}"))]
    MigrateStore {
        /// The data directory to copy from (data_dir of the bot being moved)
        #[arg(long, value_name = "DATA_DIR")]
        from: PathBuf,
        /// The database to copy into: postgres://user:password@host:5432/db
        #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
        to: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Json,
    /// The 8D report for the customer (no split, costs, approvals or internal notes).
    #[value(name = "8d")]
    EightD,
}

fn main() -> ExitCode {
    // Help, version and usage errors are answered here, before any configuration is read.
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => with_config(serve),
        Command::CheckConfig => with_config(|config| {
            print!("{}", trouble_bot::i18n::config_summary(&config));
            // A credential that is set but wrong fails; one not set yet is only noted.
            match config.credential_problems().iter().any(|p| p.is_malformed()) {
                true => ExitCode::FAILURE,
                false => ExitCode::SUCCESS,
            }
        }),
        // Its report says all it found: the client's log lines are serve's (`Slack refuses the
        // bot token: every call waits…`) and would read as if something were queued.
        Command::CheckSlack => match Config::load_from_env() {
            Ok(config) => check_slack(config),
            Err(problems) => config_problems(problems),
        },
        Command::Export { id, format } => with_config(|config| {
            let format = match format {
                Format::Md => admin::Format::Md,
                Format::Json => admin::Format::Json,
                Format::EightD => admin::Format::EightD,
            };
            print_outcome(match &config.database_url {
                Some(url) => admin::export_from_database(&config, url.expose(), &id, format),
                None => admin::run(&config, admin::Request::Export { id, format }),
            })
        }),
        Command::ExportList { since, until } => with_config(|config| {
            let Some((since, until)) = admin::period(config.policy.timezone, since, until) else {
                eprintln!("{}", admin_text::period_backwards(config.locale));
                return ExitCode::from(2);
            };
            print_outcome(match &config.database_url {
                Some(url) => admin::export_list_from_database(&config, url.expose(), since, until),
                None => admin::run(&config, admin::Request::ExportList { since, until }),
            })
        }),
        Command::Verify => with_config(|config| match &config.database_url {
            Some(url) => verify_database(config.locale, url.expose()),
            None => print_outcome(admin::run(&config, admin::Request::Verify)),
        }),
        Command::Backup { dir } => with_config(|config| print_outcome(admin::backup(&config, &dir))),
        Command::Restore { dir, even_if_broken } => {
            with_config(|config| print_outcome(admin::restore(&config, &dir, even_if_broken)))
        }
        Command::AcceptLoss => with_config(|config| print_outcome(admin::accept_loss(&config))),
        Command::Redact { id, entries, reason } => {
            with_config(|config| print_outcome(admin::redact(&config, &id, &entries, &reason)))
        }
        Command::Migrate => with_config(migrate),
        Command::MigrateStore { from, to: Some(to) } => migrate_store(&from, &to),
        // As every other command, the database the config names when the environment names none.
        Command::MigrateStore { from, to: None } => match Config::load_from_env() {
            Ok(config) => match config.database_url {
                Some(url) => migrate_store(&from, url.expose()),
                None => {
                    eprintln!("no database to copy into: give --to, DATABASE_URL or database_url in the config (postgres://user:password@host:5432/db)");
                    ExitCode::from(2)
                }
            },
            Err(problems) => config_problems(problems),
        },
    }
}

/// Loads the configuration and starts the logs, then runs `command`; on problems, lists every
/// one on stderr and exits 1.
fn with_config(command: impl FnOnce(Config) -> ExitCode) -> ExitCode {
    match Config::load_from_env() {
        Ok(config) => {
            init_logs(&config);
            command(config)
        }
        Err(problems) => config_problems(problems),
    }
}

fn config_problems(problems: Vec<String>) -> ExitCode {
    eprintln!("The configuration has {} problem(s):", problems.len());
    for p in problems {
        eprintln!("  - {p}");
    }
    ExitCode::FAILURE
}

/// Prints what an admin command produced and exits with its code.
fn print_outcome(outcome: Outcome) -> ExitCode {
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.code)
}

/// Logs go to stderr, as text or (with `log_format = "json"`) one JSON object a line.
fn init_logs(config: &Config) {
    trouble_bot::logs::init(config, std::io::stderr);
}

fn check_slack(config: Config) -> ExitCode {
    let Some(token) = config.slack.bot_token.clone() else {
        eprintln!("check-slack needs the bot token: set SLACK_BOT_TOKEN (xoxb-…).");
        return ExitCode::FAILURE;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let findings = runtime.block_on(async {
        let slack = trouble_bot::slack::client::SlackClient::new(&config.slack.api_url, token, config.slack.timeout);
        trouble_bot::slack::check::check_slack(&config, &slack).await
    });
    print!("{}", trouble_bot::i18n::check_slack_report(config.locale, &findings));
    match findings.iter().any(|f| f.is_problem()) {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    }
}

fn serve(config: Config) -> ExitCode {
    let problems = trouble_bot::i18n::serve_problems(&config);
    if !problems.is_empty() {
        eprintln!("{}", trouble_bot::i18n::cannot_serve(config.locale));
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
        // export, verify and backup from the command line are answered here while the bot runs.
        let admin_socket = admin::listen(bot.app.clone());
        // Handlers in place before the line below: a script that stops the bot as soon as it
        // reads it must get the orderly stop, not the default death of SIGTERM.
        let stop_asked = stop_signal();
        // A plain line for operators and for scripts that start the bot on port 0. In Socket
        // Mode Slack never calls this address: the line must not read as if it could.
        match bot.app.config.socket_mode() {
            false => println!("trouble-bot listening on {}", bot.addr),
            true => println!("trouble-bot in Socket Mode; /healthz and /metrics on {}", bot.addr),
        }
        stop_asked.await;
        tracing::info!("shutting down: finishing in-flight work");
        if let Some(socket) = admin_socket {
            socket.close();
        }
        bot.stop().await;
        ExitCode::SUCCESS
    })
}

/// SIGTERM or Ctrl-C, their handlers registered when this is called (not when first awaited).
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        let mut interrupt = signal(SignalKind::interrupt()).expect("SIGINT handler");
        async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn block_on<T>(work: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(work)
}

/// Runs the embedded migrations against database_url and says what it did.
fn migrate(config: Config) -> ExitCode {
    let Some(url) = config.database_url else {
        eprintln!("database_url is not set: put it in the config file or DATABASE_URL (postgres://user:password@host:5432/db)");
        return ExitCode::FAILURE;
    };
    let shown = pg::redacted(url.expose());
    let result = block_on(async {
        let pool = pg::connect(url.expose())?;
        pg::migrate(&pool).await
    });
    match result {
        Ok(applied) if applied.is_empty() => {
            println!("{shown}: schema already at version {}", pg::latest_version());
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            let list: Vec<String> = applied.iter().map(i32::to_string).collect();
            println!(
                "{shown}: applied migration(s) {}; schema at version {}",
                list.join(", "),
                pg::latest_version()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{shown}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Copies a sled store into PostgreSQL and verifies the copy.
fn migrate_store(from: &Path, to: &str) -> ExitCode {
    let shown = pg::redacted(to);
    if let Err(refused) = admin::refuse_unless_store_to_migrate(Locale::En, from) {
        return print_outcome(refused);
    }
    let result = block_on(async {
        let pool = pg::connect(to)?;
        pg::migrate(&pool).await?;
        let copied = pg::copy::copy_from_sled(from, &pool).await?;
        let checked = pg::copy::verify(&pool, &|b| trouble_bot::i18n::chain_broken_short(Locale::En, b)).await?;
        Ok::<_, pg::PgError>((copied, checked))
    });
    match result {
        Ok((copied, checked)) => {
            println!(
                "{} -> {shown}: copied {} troubles, {} timeline entries, {} outbox items, {} timers (already there: kept)",
                from.display(),
                copied.troubles,
                copied.entries,
                copied.outbox,
                copied.timers
            );
            // Run without a config, so in English.
            report_checked(Locale::En, &checked)
        }
        Err(pg::PgError::Store(e)) => {
            eprintln!("cannot open {}: {e} (stop the bot that uses it first)", from.display());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{shown}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Recomputes every chain in the database, in one snapshot, beside running instances.
fn verify_database(l: Locale, url: &str) -> ExitCode {
    let result = block_on(async {
        pg::copy::verify(&pg::connect(url)?, &|b| trouble_bot::i18n::chain_broken_short(l, b)).await
    });
    match result {
        Ok(checked) => report_checked(l, &checked),
        Err(e) => {
            eprintln!("{}: {e}", pg::redacted(url));
            ExitCode::FAILURE
        }
    }
}

/// Prints a chain check as `verify` does for sled: each broken trouble, then the count.
fn report_checked(l: Locale, checked: &pg::copy::Checked) -> ExitCode {
    for broken in &checked.broken {
        // A decode error quotes what it read: stored text never acts on the terminal.
        print!("{}", admin_text::broken_line(&trouble_bot::store::printable(broken)));
    }
    for id in &checked.missing {
        print!("{}", admin_text::broken_line(&admin_text::missing(l, id)));
    }
    for (id, seqs) in &checked.redacted {
        print!("{}", admin_text::redacted(l, id, seqs));
    }
    let broken = checked.broken.len() + checked.missing.len();
    print!(
        "{}",
        admin_text::checked(l, checked.troubles + checked.missing.len(), broken)
    );
    print!("{}", admin::queued_report(l, &checked.queued));
    if broken == 0 && checked.queued.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
