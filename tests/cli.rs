//! The command line as an admin meets it: help and version without a valid config, where the demo
//! went, and check-config's summary and problem list.

mod common;

use std::process::Command;

use common::{BASE_CONFIG, DEFAULT_SEVERITIES};

/// A configuration with three problems in it.
const BROKEN: &str = "locale = \"fr\"\nlisten = \"nowhere\"\n[severity.1]\nack_timeout = \"soon\"\n";

/// Runs the built binary with `config` as trouble.toml and no Slack credentials:
/// (succeeded, stdout, stderr).
fn run(args: &[&str], config: &str) -> (bool, String, String) {
    run_with(args, config, &[])
}

/// `run`, with these variables set besides.
/// `check-slack` with `config`, against the fake Slack, off the async workers (the fake
/// answers on them).
async fn check_slack(slack: &common::FakeSlack, config: String) -> (bool, String, String) {
    let api = slack.api_url();
    tokio::task::spawn_blocking(move || {
        run_with(
            &["check-slack"],
            &config,
            &[("SLACK_BOT_TOKEN", "xoxb-test"), ("SLACK_API_URL", &api)],
        )
    })
    .await
    .unwrap()
}

fn run_with(args: &[&str], config: &str, env: &[(&str, &str)]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, config).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .args(args)
        .env("TROUBLE_CONFIG", &path)
        .env("TROUBLE_DATA_DIR", dir.path().join("data"))
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("TROUBLE_LISTEN")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn config_in(locale: &str) -> String {
    let base = BASE_CONFIG.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
    // Severity 1 gets a name of its own; 2 and 3 keep the default names.
    format!("{base}\n{DEFAULT_SEVERITIES}").replace("[severity.1]\n", "[severity.1]\nname = \"Line stop\"\n")
}

/// Two spellings that name one customer.
const ALIASES: &str = "[customers]\n\"アクメ\" = \"ACME\"\n\"ACME Japan\" = \"ACME\"\n";

/// Severity 3 calls the customer first within 20 minutes; 1 and 2 keep the defaults.
fn with_first_contact(config: &str) -> String {
    config.replace("[severity.3]\n", "[severity.3]\nfirst_contact_within = \"20m\"\n")
}

#[test]
fn version_prints_the_package_version() {
    let (ok, stdout, stderr) = run(&["--version"], BROKEN);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), format!("trouble-bot {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_for_the_bot_and_each_command_works_with_a_broken_config() {
    let (ok, stdout, stderr) = run(&["--help"], BROKEN);
    assert!(ok, "{stderr}");
    for command in [
        "serve",
        "check-config",
        "check-slack",
        "export",
        "export-list",
        "verify",
        "backup",
        "restore",
        "accept-loss",
    ] {
        assert!(stdout.contains(command), "{command} missing from --help:\n{stdout}");
    }
    let (ok, stdout, stderr) = run(&["export", "--help"], BROKEN);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("--format") && stdout.contains("TROUBLE_DATA_DIR"),
        "export names its option and the environment it reads:\n{stdout}"
    );
    let (ok, stdout, stderr) = run(&["serve", "--help"], BROKEN);
    assert!(ok, "{stderr}");
    for variable in [
        "SLACK_SIGNING_SECRET",
        "SLACK_BOT_TOKEN",
        "TROUBLE_CONFIG",
        "TROUBLE_LISTEN",
    ] {
        assert!(
            stdout.contains(variable),
            "{variable} missing from serve --help:\n{stdout}"
        );
    }
}

#[test]
fn a_usage_mistake_exits_2_and_says_what_is_allowed() {
    let (ok, _, stderr) = run(&["export", "20261127-1", "--format", "xml"], &config_in("en"));
    assert!(!ok);
    assert!(stderr.contains("md") && stderr.contains("json"), "{stderr}");
}

#[test]
fn the_binary_has_no_demo_and_its_help_says_how_to_run_the_example() {
    let (ok, _, stderr) = run(&["demo"], BROKEN);
    assert!(!ok, "the production binary carries no demo");
    assert!(stderr.contains("demo"), "{stderr}");
    let (ok, stdout, stderr) = run(&["--help"], BROKEN);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("cargo run --release --example demo"),
        "--help points to the demo:\n{stdout}"
    );
}

#[test]
fn check_config_summarises_severities_departments_hours_and_customer_aliases_in_english() {
    let config = format!(
        "{}\n[business_hours]\ndays = [\"mon\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n{ALIASES}",
        with_first_contact(&config_in("en"))
    );
    let (ok, stdout, stderr) = run(&["check-config"], &config);
    assert!(ok, "{stdout}\n{stderr}");
    for expected in [
        "sev1 Line stop: acknowledge within 1h, first call to the customer within 30m, customer update every 4h, departments +quality, announce channels C0BIZUNIT",
        "sev2 major: acknowledge within 1h, first call to the customer within 1h,",
        "sev3 minor: acknowledge within 2h, first call to the customer within 20m, customer update every 1d",
        "customer aliases:   2 aliases",
        "+quality: Quality Assurance, 2 members, group S0QUALITY",
        "+field: Field Service, 1 member, group S0FIELD",
        "org chart:",
        "5 people",
        "Mon, Fri 09:00-18:00",
        "Asia/Tokyo",
        "to serve, also set",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing from:\n{stdout}");
    }
    assert!(!stdout.contains("1 members"), "{stdout}");
}

#[test]
fn check_config_speaks_japanese_when_the_locale_is_ja() {
    let config = format!("{}\n{ALIASES}", with_first_contact(&config_in("ja")));
    let (ok, stdout, stderr) = run(&["check-config"], &config);
    assert!(ok, "{stdout}\n{stderr}");
    for expected in [
        "sev1 Line stop: 上司の確認 1時間以内、お客様への初回連絡 30分以内、お客様への報告 4時間ごと",
        "お客様への初回連絡 20分以内",
        "お客様の別名:",
        "2件",
        "sev2 重要",
        "+quality: Quality Assurance、2人、グループ S0QUALITY",
        "営業時間:",
        "24時間",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing from:\n{stdout}");
    }
}

#[test]
fn check_config_with_problems_exits_non_zero_and_lists_each() {
    let (ok, stdout, stderr) = run(&["check-config"], BROKEN);
    assert!(!ok, "{stdout}");
    for problem in ["locale", "listen", "severity.1.ack_timeout"] {
        assert!(stderr.contains(problem), "{problem} missing from:\n{stderr}");
    }
    assert!(stderr.contains("3 problem(s)"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_slack_names_each_announce_channel_and_person_the_bot_cannot_reach_and_what_to_do() {
    let slack = common::FakeSlack::start().await;
    let public = slack.add_channel("bizunit", false, "U0MANAGER");
    let without_bot = slack.add_channel("exec", true, "U0DIRECTOR");
    let with_bot = slack.add_channel("quality-leads", true, "U0QA1");
    slack.join(&with_bot, &["UBOT"]);
    slack.no_such_user("U0FS1");
    // Someone who left: Slack still opens a DM with them.
    slack.deactivate("U0QA1");
    // An app installed before the bot needed pins and reading channels.
    let scopes = trouble_bot::slack::check::BOT_SCOPES;
    let older: Vec<&str> = scopes
        .iter()
        .copied()
        .filter(|s| !["pins:write", "channels:read"].contains(s))
        .collect();
    slack.grant_scopes(&older);
    let config = |sev1: &[&str], sev2: &[&str]| {
        let list = |ids: &[&str]| ids.iter().map(|id| format!("\"{id}\"")).collect::<Vec<_>>().join(", ");
        format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")
            .replace(
                "announce_channels = [\"C0BIZUNIT\"]",
                &format!("announce_channels = [{}]", list(sev1)),
            )
            .replace(
                "[severity.2]\n",
                &format!("[severity.2]\nannounce_channels = [{}]\n", list(sev2)),
            )
    };
    let (ok, stdout, stderr) = check_slack(
        &slack,
        config(&[&public, &without_bot], &[&public, &with_bot, "C0GONE"]),
    )
    .await;
    assert!(!ok, "problems exit 1: {stdout} {stderr}");
    let line = |start: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("{start}: {stdout}"))
            .to_string()
    };
    assert!(line("token:").contains("works (bot UBOT"), "{stdout}");
    assert!(
        line("scopes:").contains("✗ missing channels:read, pins:write: update the app from manifest.yml"),
        "{stdout}"
    );
    assert!(line(&format!("announce {public} (severity 1, 2):")).contains("can post (public)"));
    assert!(line(&format!("announce {without_bot} (severity 1):")).contains("the bot is not in it"));
    assert!(line(&format!("announce {with_bot} (severity 2):")).contains("can post (private"));
    assert!(line("announce C0GONE (severity 2):").contains("not found (channel_not_found)"));
    // The org chart (both sides), the default manager, the departments' members: 8 people.
    assert!(
        line("[org], departments:").contains("8 people checked, ✗ the bot cannot DM 2"),
        "{stdout}"
    );
    assert!(stdout.contains("  - U0FS1 (user_not_found)"), "{stdout}");
    assert!(stdout.contains("  - U0QA1 (user_deactivated)"), "{stdout}");
    // The departments' Slack groups are not asked about (no usergroups:read): said so, and no problem.
    assert!(
        line("department usergroups:").contains("not checked (S0FIELD, S0QUALITY; "),
        "{stdout}"
    );
    // Where to check them, never by mentioning them: that would notify whole departments.
    assert!(
        line("department usergroups:").contains("under People → User groups")
            && !line("department usergroups:").contains("mention each"),
        "{stdout}"
    );
    assert!(stdout.ends_with("4 problems found.\n"), "{stdout}");

    // All fixed: exit 0.
    slack.grant_scopes(scopes);
    let config = config(&[&public], &[&with_bot])
        .replace("members = [\"U0FS1\"]", "members = [\"U0QA2\"]")
        .replace("members = [\"U0QA1\", \"U0QA2\"]", "members = [\"U0QA2\"]");
    let (ok, stdout, stderr) = check_slack(&slack, config).await;
    assert!(ok, "{stdout} {stderr}");
    assert!(stdout.ends_with("No problems.\n"), "{stdout}");
    let granted = format!("all {} the bot needs are granted", scopes.len());
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("scopes:") && l.ends_with(&granted)),
        "{stdout}"
    );

    // Without a token it says what it needs; with one Slack refuses, that.
    let (ok, _, stderr) = run(&["check-slack"], &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"));
    assert!(!ok && stderr.contains("SLACK_BOT_TOKEN"), "{stderr}");
    slack.refuse_token(Some("invalid_auth"));
    let (ok, stdout, stderr) = check_slack(&slack, format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}")).await;
    assert!(
        !ok && stdout.contains("Slack cannot be asked (invalid_auth)"),
        "{stdout}"
    );
    // The report says it; serve's log line (every call waits) is not printed beside it.
    assert!(!stderr.contains("every call waits"), "{stderr}");
}

/// An Enterprise Grid organization in `team_id` (as serve takes it: its requests carry it as
/// `enterprise_id`) is checked against the org `auth.test` gives, not the workspace.
#[tokio::test(flavor = "multi_thread")]
async fn check_slack_takes_an_enterprise_grid_org_as_team_id_when_the_token_is_of_it() {
    let slack = common::FakeSlack::start().await;
    slack.on_enterprise_grid("E0ORG");
    let check = |team: &str| {
        let config = format!("team_id = \"{team}\"\n{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
        check_slack(&slack, config)
    };
    let (_, stdout, _) = check("E0ORG").await;
    assert!(stdout.contains("token:"), "{stdout}");
    assert!(!stdout.contains("workspace:"), "{stdout}");
    let (ok, stdout, _) = check("E0OTHER").await;
    assert!(!ok, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("workspace:") && l.contains("T0TEAM (E0ORG), but team_id is E0OTHER")),
        "{stdout}"
    );
}

#[test]
fn a_loop_in_the_org_stops_check_config_and_serve_with_the_same_message() {
    let config =
        format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}").replace("U0DIRECTOR = \"U0VP\"", "U0DIRECTOR = \"U0SALES\"");
    let loop_named = "org.managers: a loop: U0DIRECTOR -> U0SALES -> U0MANAGER -> U0DIRECTOR";
    let (ok, stdout, stderr) = run(&["check-config"], &config);
    assert!(!ok, "{stdout}");
    assert!(stderr.contains(loop_named), "{stderr}");
    let (ok, _, stderr) = run_with(
        &["serve"],
        &config,
        &[
            ("SLACK_SIGNING_SECRET", "s"),
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("TROUBLE_LISTEN", "127.0.0.1:0"),
        ],
    );
    assert!(!ok, "serve must refuse a loop");
    assert!(stderr.contains(loop_named), "{stderr}");
}

/// `serve` with `config` as trouble.toml and credentials in place, until its stderr says
/// `needle` (or 20 s pass): everything it printed by then, stdout and stderr. The bot is killed.
fn serve_until(config: &str, env: &[(&str, &str)], needle: &str) -> String {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("serve")
        .env("TROUBLE_CONFIG", &path)
        .env("TROUBLE_DATA_DIR", dir.path().join("data"))
        .env("TROUBLE_LISTEN", "127.0.0.1:0")
        .env("SLACK_SIGNING_SECRET", "a-real-looking-secret")
        .env("SLACK_BOT_TOKEN", "xoxb-1-a-real-looking-token")
        .env("SLACK_API_URL", "http://127.0.0.1:9/api/")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let (tx, rx) = std::sync::mpsc::channel();
    for out in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    drop(tx);
    let mut seen = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains(needle) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    seen
}

/// The shared configuration without its org chart: nobody has a manager.
fn without_org() -> String {
    let base = BASE_CONFIG;
    let org = &base[base.find("[org]").unwrap()..base.find("[departments.quality]").unwrap()];
    format!("{}\n{DEFAULT_SEVERITIES}", base.replace(org, ""))
}

/// `log_level` is checked; RUST_LOG overrides it and may use the filter's richer forms, so a
/// value that is not a level or `target=level` is passed as written, with a warning.
#[test]
fn check_config_warns_of_a_rust_log_the_filter_would_read_as_a_module() {
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let (ok, stdout, stderr) = run_with(&["check-config"], &config, &[("RUST_LOG", "verbose")]);
    assert!(ok, "a warning is not a failure: {stdout}\n{stderr}");
    assert!(
        stdout.contains("warning: RUST_LOG is not a log level") && stdout.contains("silences every other line"),
        "{stdout}"
    );
    for fine in ["debug", "warning", "info,trouble_bot=debug"] {
        let (ok, stdout, stderr) = run_with(&["check-config"], &config, &[("RUST_LOG", fine)]);
        assert!(ok && !stdout.contains("warning:"), "{fine}: {stdout}\n{stderr}");
    }
}

#[test]
fn check_config_names_its_file_and_warns_when_nobody_has_a_manager() {
    let (ok, stdout, stderr) = run(&["check-config"], &without_org());
    assert!(ok, "a warning is not a failure: {stdout}\n{stderr}");
    assert!(
        stdout.contains("config file:") && stdout.contains("trouble.toml"),
        "{stdout}"
    );
    let warning = "warning: no one has a manager: a trouble opened will ping nobody until [org.managers] or [org] default_manager is set.";
    assert!(stdout.contains(warning), "{stdout}");
    let (_, stdout, _) = run(
        &["check-config"],
        &without_org().replace("locale = \"en\"", "locale = \"ja\""),
    );
    assert!(
        stdout.contains("設定ファイル:") && stdout.contains("注意: 誰にも上司が設定されていません"),
        "{stdout}"
    );
    let (ok, stdout, stderr) = run(&["check-config"], &format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}"));
    assert!(ok && !stdout.contains("warning:"), "{stdout}\n{stderr}");
    // A department whose Slack group is pinged but whose members the config does not list.
    let empty_department = format!(
        "{BASE_CONFIG}\n[departments.eng]\nname = \"Engineering\"\nusergroup = \"S0ENG\"\n{DEFAULT_SEVERITIES}"
    );
    let (ok, stdout, stderr) = run(&["check-config"], &empty_department);
    assert!(
        ok && stdout.contains("warning: a department lists no members")
            && stdout.contains("List its people under [departments.KEY] members."),
        "{stdout}\n{stderr}"
    );

    // No file at the default path: it says so, and that every setting is its default.
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("check-config")
        .current_dir(empty.path())
        .env_remove("TROUBLE_CONFIG")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("trouble.toml はありません。すべて既定値です"),
        "{stdout}"
    );
    assert!(stdout.contains("注意: 誰にも上司が設定されていません"), "{stdout}");
}

#[test]
fn serve_logs_its_config_file_and_the_warning_that_troubles_will_ping_nobody() {
    let seen = serve_until(&without_org(), &[], "ping nobody");
    assert!(
        seen.contains("WARN") && seen.contains("no one has a manager: a trouble opened will ping nobody"),
        "{seen}"
    );
    assert!(seen.contains("config_file=") && seen.contains("trouble.toml"), "{seen}");
}

#[test]
fn check_config_fails_on_a_credential_set_but_wrong_and_only_notes_one_not_set() {
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    // deploy/trouble-bot.env as shipped.
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/trouble-bot.env")).unwrap();
    let value = |name: &str| {
        shipped
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in deploy/trouble-bot.env"))
            .to_string()
    };
    let (secret, token) = (value("SLACK_SIGNING_SECRET"), value("SLACK_BOT_TOKEN"));
    let env = [
        ("SLACK_SIGNING_SECRET", secret.as_str()),
        ("SLACK_BOT_TOKEN", token.as_str()),
    ];
    let (ok, stdout, _) = run_with(&["check-config"], &config, &env);
    assert!(!ok, "{stdout}");
    for var in ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"] {
        assert!(
            stdout.contains(&format!(
                "{var} still holds the example's placeholder (replace-with-…): replace it with"
            )),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("configuration OK"), "{stdout}");
    let (ok, _, stderr) = run_with(&["serve"], &config, &env);
    assert!(
        !ok && stderr.contains("SLACK_BOT_TOKEN still holds the example's placeholder"),
        "{stderr}"
    );

    let with_token = |token: &str| {
        run_with(
            &["check-config"],
            &config,
            &[("SLACK_SIGNING_SECRET", "s3cret"), ("SLACK_BOT_TOKEN", token)],
        )
    };
    let (ok, stdout, _) = with_token("xapp-1-A0-123");
    assert!(!ok, "{stdout}");
    assert!(
        stdout.contains("SLACK_BOT_TOKEN holds an app-level token (xapp-…): it takes the Bot User OAuth Token (xoxb-…, under OAuth & Permissions)."),
        "{stdout}"
    );
    let (ok, stdout, _) = with_token("xoxp-1-2-3");
    assert!(
        !ok && stdout.contains("SLACK_BOT_TOKEN holds a user token (xoxp-…)"),
        "{stdout}"
    );
    let (ok, stdout, _) = with_token("'xoxb-1-2-3'");
    assert!(!ok && stdout.contains("SLACK_BOT_TOKEN is in quotes"), "{stdout}");
    let (ok, stdout, _) = run_with(
        &["check-config"],
        &config.replace("locale = \"en\"", "locale = \"ja\""),
        &[("SLACK_SIGNING_SECRET", "s3cret"), ("SLACK_BOT_TOKEN", "xapp-1-A0-123")],
    );
    assert!(
        !ok && stdout.contains("SLACK_BOT_TOKEN の値はアプリレベルトークン (xapp-…)です。OAuth & Permissions の Bot User OAuth Token (xoxb-…)を設定してください。"),
        "{stdout}"
    );
    let (ok, _, stderr) = run_with(
        &["serve"],
        &config.replace("locale = \"en\"", "locale = \"ja\""),
        &[("SLACK_SIGNING_SECRET", "s3cret"), ("SLACK_BOT_TOKEN", "xapp-1-A0-123")],
    );
    assert!(
        !ok && stderr.contains("起動できません (cannot serve):\n  - SLACK_BOT_TOKEN の値はアプリレベルトークン"),
        "{stderr}"
    );
    // Not set yet: a note, and check-config passes (it may run before the secrets are in place).
    let (ok, stdout, _) = run(&["check-config"], &config);
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("configuration OK; to serve, also set:\n  - SLACK_SIGNING_SECRET is not set: set it to the app's Signing Secret"),
        "{stdout}"
    );
}

#[test]
fn a_second_serve_on_the_same_data_directory_says_another_bot_uses_it_and_store_errors_name_the_path() {
    use std::io::BufRead;
    let config = format!("{BASE_CONFIG}\n{DEFAULT_SEVERITIES}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("trouble.toml");
    std::fs::write(&path, &config).unwrap();
    let creds = [
        ("SLACK_SIGNING_SECRET", "s3cret"),
        ("SLACK_BOT_TOKEN", "xoxb-1-2-3"),
        ("TROUBLE_LISTEN", "127.0.0.1:0"),
    ];
    let mut first = Command::new(env!("CARGO_BIN_EXE_trouble-bot"))
        .arg("serve")
        .env("TROUBLE_CONFIG", &path)
        .env("TROUBLE_DATA_DIR", &data)
        .env("SLACK_API_URL", "http://127.0.0.1:9/api/")
        .envs(creds)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(first.stdout.take().unwrap());
    assert!(stdout
        .lines()
        .map_while(Result::ok)
        .any(|l| l.starts_with("trouble-bot listening on")));

    let data_text = data.to_str().unwrap();
    let mut env = creds.to_vec();
    env.push(("TROUBLE_DATA_DIR", data_text));
    let (ok, _, stderr) = run_with(&["serve"], &config, &env);
    let _ = first.kill();
    let _ = first.wait();
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another trouble-bot seems to be using the data directory {data_text}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("WouldBlock"), "{stderr}");

    // A file where the directory should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let file_text = file.to_str().unwrap();
    env.pop();
    env.push(("TROUBLE_DATA_DIR", file_text));
    let (ok, _, stderr) = run_with(&["serve"], &config, &env);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains(&format!("cannot open the store in the data directory {file_text}"))
            && stderr.contains("something that is not a directory is in the way"),
        "{stderr}"
    );
}

/// `escalate_in_business_hours` is shown with the severity's acknowledgement time, and refused
/// where no `[business_hours]` says what business hours are.
#[test]
fn check_config_shows_escalation_in_business_hours_and_refuses_it_without_them() {
    let sev3 = "[severity.3]\nescalate_in_business_hours = true\n";
    let hours =
        "[business_hours]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nopen = \"09:00\"\nclose = \"18:00\"\n";
    let (ok, stdout, stderr) = run(&["check-config"], &format!("{BASE_CONFIG}\n{sev3}{hours}"));
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains("acknowledge within 2h of business hours"), "{stdout}");
    let (ok, stdout, stderr) = run(&["check-config"], &format!("{BASE_CONFIG}\n{sev3}"));
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("severity.3.escalate_in_business_hours: needs [business_hours]"),
        "{stderr}"
    );
}

#[test]
fn check_config_warns_of_a_currency_the_approval_limits_leave_to_the_top_of_the_chain() {
    let limits = "[approval_limits]\nJPY = 1_000_000\nUSD = 10_000\n";
    let (ok, stdout, stderr) = run(&["check-config"], &format!("{}\n{limits}", config_in("en")));
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("warning: [approval_limits] sets a limit for some"),
        "{stdout}"
    );
    let (_, stdout, _) = run(
        &["check-config"],
        &format!("{}\n{limits}EUR = 10_000\n", config_in("en")),
    );
    assert!(!stdout.contains("[approval_limits]"), "{stdout}");
    let (_, stdout, _) = run(&["check-config"], &format!("{}\n{limits}", config_in("ja")));
    assert!(
        stdout.contains("注意: [approval_limits] が JPY・USD・EUR の一部"),
        "{stdout}"
    );
}
