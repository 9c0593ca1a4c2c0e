//! Configuration: the TOML file and the environment, validated into one `Config`.
//!
//! This is the only module that reads environment variables. Every problem is collected so that
//! `check-config` can list them all at once instead of making the admin fix them one by one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::i18n::locale::Locale;
use crate::trouble::hours::BusinessHours;
use crate::trouble::model::{Severity, UserId};
pub use crate::trouble::policy::{default_severities, Department, Policy, SeverityPolicy};
use crate::trouble::when::parse_duration;

/// A secret that never shows up in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    /// `database_url` (or DATABASE_URL): the troubles live in PostgreSQL, shared by every
    /// instance; without it, in sled under `data_dir`. It usually carries a password.
    pub database_url: Option<Secret>,
    pub locale: Locale,
    /// A workspace (`T…`), or an Enterprise Grid organization (`E…`): every workspace of it.
    pub team_id: Option<String>,
    pub slack: SlackSettings,
    /// `log_format = "json"` (or TROUBLE_LOG_FORMAT=json): one JSON object per log line.
    pub log_json: bool,
    /// A tracing filter; RUST_LOG overrides it.
    pub log_filter: String,
    /// What the core reads: the rules' numbers, the org, departments, business hours; no
    /// secrets, no addresses.
    pub policy: Policy,
    /// Where the settings came from, for check-config and the start log to say.
    pub source: Source,
    /// `shutdown_grace`: after the stop signal, how long requests in flight may take before
    /// their clients are cut off (an admin matches it to a container's termination period).
    pub shutdown_grace: Duration,
}

/// Where the configuration was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// This file.
    File(PathBuf),
    /// No file at the default path (`trouble.toml`, TROUBLE_CONFIG unset): all defaults.
    NoFile(PathBuf),
    /// Text handed in by the caller (tests, the demo).
    Text,
}

/// For the log, which is in English: the file, or why there is none.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::NoFile(path) => write!(f, "none found at {}, every setting is its default", path.display()),
            Source::Text => f.write_str("given by the caller"),
        }
    }
}

/// Something valid but probably not what the admin meant: said by check-config and logged at
/// start, never a reason to refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Neither `[org.managers]` nor `[org] default_manager`: every trouble opened pings nobody.
    NobodyHasAManager,
    /// RUST_LOG is not what `log_level` accepts: passed as written (the filter has more forms),
    /// but a word it does not know reads as a module and silences every other line.
    RustLogUnchecked,
    /// A department lists no `members`: its Slack group is pinged, but nobody is invited to its
    /// troubles, and nobody pinged through the group may record anything there.
    DepartmentWithoutMembers,
    /// `[approval_limits]` names some currencies but not all: a cost in one it leaves out goes
    /// to the top of the manager chain, however small.
    CurrencyWithoutLimit,
}

/// `slack_timeout`'s bounds. A stop waits up to the timeout (and a second) for the calls in
/// flight: above 50 s, the systemd unit's 60 s to stop would run out and kill the bot mid-flush.
pub const MIN_SLACK_TIMEOUT: Duration = Duration::from_secs(1);
pub const MAX_SLACK_TIMEOUT: Duration = Duration::from_secs(50);

/// What `serve` needs from the environment to talk to Slack.
#[derive(Clone, Debug)]
pub struct SlackSettings {
    pub signing_secrets: Vec<Secret>,
    pub bot_token: Option<Secret>,
    /// The app-level token (`xapp-…`, scope `connections:write`): when set, the bot receives
    /// Slack's requests over Socket Mode instead of on `/slack/*`.
    pub app_token: Option<Secret>,
    pub api_url: String,
    /// How long one Web API call may take before it is retried (`slack_timeout`).
    pub timeout: Duration,
    /// How often the bot posts into one channel: Slack allows about one message a second per
    /// channel. Not read from the config file, as Slack's limit is not the admin's to choose;
    /// the tests shorten it, all but those of the pacing itself, so they don't wait it out.
    pub channel_turn: Duration,
}

/// Slack allows about one message a second per channel, with short bursts.
pub(crate) const CHANNEL_TURN: Duration = Duration::from_secs(1);

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:3000".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            locale: Locale::Ja,
            team_id: None,
            log_json: false,
            log_filter: "info".into(),
            policy: Policy::default(),
            source: Source::Text,
            shutdown_grace: Duration::from_secs(5),
            slack: SlackSettings {
                signing_secrets: Vec::new(),
                bot_token: None,
                app_token: None,
                api_url: "https://slack.com/api/".into(),
                timeout: Duration::from_secs(10),
                channel_turn: CHANNEL_TURN,
            },
        }
    }
}

impl Config {
    /// `team_id` when it names an Enterprise Grid organization (`E…`): Slack puts that in a
    /// request's `enterprise_id`, and the workspace the request came through in its `team_id`.
    pub fn team_org(&self) -> Option<&str> {
        self.team_id.as_deref().filter(|t| t.starts_with('E'))
    }

    /// `team_id` when it names a workspace (`T…`).
    pub fn team_workspace(&self) -> Option<&str> {
        self.team_id.as_deref().filter(|t| !t.starts_with('E'))
    }

    /// Loads from `TROUBLE_CONFIG` (default `trouble.toml`; a missing file means all defaults)
    /// and the process environment.
    pub fn load_from_env() -> Result<Config, Vec<String>> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let path = env
            .get("TROUBLE_CONFIG")
            .cloned()
            .unwrap_or_else(|| "trouble.toml".into());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !env.contains_key("TROUBLE_CONFIG") => None,
            Err(e) => return Err(vec![format!("cannot read config file {path}: {e}")]),
        };
        let mut config = Config::from_sources(text.as_deref(), &env)?;
        // Named as the admin can find it again, whatever directory they are in.
        let path = std::path::absolute(&path).unwrap_or_else(|_| PathBuf::from(&path));
        config.source = match text {
            Some(_) => Source::File(path),
            None => Source::NoFile(path),
        };
        Ok(config)
    }

    /// What is valid but likely a mistake (see [`Warning`]).
    pub fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        if self.policy.managers.is_empty() && self.policy.default_manager.is_none() {
            warnings.push(Warning::NobodyHasAManager);
        }
        // `log_level` is checked and stored as it reads; a filter that does not read came from
        // RUST_LOG.
        if log_filter(&self.log_filter).is_none() {
            warnings.push(Warning::RustLogUnchecked);
        }
        if self.policy.departments.values().any(|d| d.members.is_empty()) {
            warnings.push(Warning::DepartmentWithoutMembers);
        }
        let limits = &self.policy.approval_limits;
        use crate::trouble::money::Currency;
        let every = [Currency::Jpy, Currency::Usd, Currency::Eur];
        if !limits.is_empty() && every.iter().any(|c| !limits.contains_key(c)) {
            warnings.push(Warning::CurrencyWithoutLimit);
        }
        warnings
    }

    /// Builds a config from TOML text and an environment map; lists every problem found.
    pub fn from_sources(toml_text: Option<&str>, env: &BTreeMap<String, String>) -> Result<Config, Vec<String>> {
        let mut problems = Vec::new();
        let table = match toml_text.map(|t| t.parse::<toml::Table>()) {
            None => toml::Table::new(),
            Some(Ok(table)) => table,
            Some(Err(e)) => return Err(vec![format!("config is not valid TOML: {e}")]),
        };
        let mut config = Config::default();
        let mut root = Fields::new("", table, &mut problems);
        if let Some(v) = root.string("listen") {
            config.listen = v;
        }
        if let Some(v) = root.string("data_dir") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = root.string("database_url") {
            config.database_url = Some(Secret::new(v));
        }
        if let Some(v) = root.string("locale") {
            match Locale::parse(&v) {
                Some(l) => config.locale = l,
                None => root.problem("locale", format!("must be \"ja\" or \"en\", not {v:?}")),
            }
        }
        if let Some(v) = root.string("timezone") {
            match v.parse::<Tz>() {
                Ok(tz) => config.policy.timezone = tz,
                Err(_) => root.problem("timezone", format!("{v:?} is not an IANA time zone name")),
            }
        }
        if let Some(v) = root.string("team_id") {
            if looks_like_team(&v) {
                config.team_id = Some(v);
            } else {
                // Anything else matches no request: every one would be refused with 403.
                root.problem(
                    "team_id",
                    format!(
                        "{v:?} is not a Slack team id: T (or E, for an Enterprise Grid organization) and capital \
                         letters and digits, like \"T012AB3C4\"; check-slack prints the token's workspace id"
                    ),
                );
            }
        }
        if let Some(v) = root.string("channel_prefix") {
            if v.is_empty()
                || v.len() > 40
                || !v
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                root.problem("channel_prefix", "use 1-40 lowercase letters, digits, - or _".into());
            } else {
                config.policy.channel_prefix = v;
            }
        }
        if let Some(v) = root.string("log_format") {
            match v.as_str() {
                "json" => config.log_json = true,
                "text" => config.log_json = false,
                _ => root.problem("log_format", format!("must be \"text\" or \"json\", not {v:?}")),
            }
        }
        if let Some(v) = root.duration("return_reminder_after") {
            config.policy.return_reminder_after = v;
        }
        if let Some(v) = root.duration("slack_timeout") {
            if (MIN_SLACK_TIMEOUT..=MAX_SLACK_TIMEOUT).contains(&v) {
                config.slack.timeout = v;
            } else {
                root.problem(
                    "slack_timeout",
                    format!(
                        "must be between {}s and {}s, not {}s: a stop waits this long for the calls in flight \
                         (the systemd unit allows 60 s), and Slack answers within seconds",
                        MIN_SLACK_TIMEOUT.as_secs(),
                        MAX_SLACK_TIMEOUT.as_secs(),
                        v.as_secs()
                    ),
                );
            }
        }
        if let Some(v) = root.duration("shutdown_grace") {
            // The same bounds and reason as slack_timeout: a stop waits the longer of the two.
            if (MIN_SLACK_TIMEOUT..=MAX_SLACK_TIMEOUT).contains(&v) {
                config.shutdown_grace = v;
            } else {
                root.problem(
                    "shutdown_grace",
                    format!(
                        "must be between {}s and {}s, not {}s: a stop waits this long for the requests in flight \
                         (the systemd unit allows 60 s)",
                        MIN_SLACK_TIMEOUT.as_secs(),
                        MAX_SLACK_TIMEOUT.as_secs(),
                        v.as_secs()
                    ),
                );
            }
        }
        if let Some(v) = root.string("log_level") {
            match log_filter(&v) {
                Some(filter) => config.log_filter = filter,
                None => root.problem(
                    "log_level",
                    format!(
                        "{v:?} is not a log level: one of trace, debug, info, warn (or warning), error, off, \
                         or target=level directives joined by commas, like \"info,trouble_bot=debug\""
                    ),
                ),
            }
        }
        if let Some(v) = root.bool("private_channels") {
            config.policy.private_channels = v;
        }
        let default_severity = root.integer("default_severity");
        if let Some(org) = root.table("org") {
            let mut org = Fields::new("org", org, root.problems);
            config.policy.default_manager = org.user("default_manager");
            if let Some(managers) = org.table("managers") {
                for (person, manager) in managers {
                    match manager.as_str() {
                        Some(m) if looks_like_user(m) && looks_like_user(&person) => {
                            config.policy.managers.insert(UserId::new(person), UserId::new(m));
                        }
                        _ => org.problems.push(format!(
                            "org.managers.{person}: both sides must be Slack user ids like \"U0123ABC\""
                        )),
                    }
                }
            }
            org.finish();
            for cycle in org_loops(&config.policy.managers) {
                let names: Vec<&str> = cycle.iter().map(UserId::as_str).collect();
                root.problems.push(format!(
                    "org.managers: a loop: {} -> {}; the chain above each of them comes back round, so \
                         take one of them out of [org.managers] or give them a manager outside the loop",
                    names.join(" -> "),
                    names[0]
                ));
            }
        }
        if let Some(departments) = root.table("departments") {
            for (key, value) in departments {
                let Some(t) = value.as_table().cloned() else {
                    root.problems.push(format!("departments.{key}: must be a table"));
                    continue;
                };
                if !valid_department_key(&key) {
                    root.problems.push(format!(
                        "departments.{key}: the short name may hold only letters, digits, - and _"
                    ));
                }
                let path = format!("departments.{key}");
                let mut d = Fields::new(&path, t, root.problems);
                let name = d.string("name").unwrap_or_else(|| key.clone());
                if let Some(p) = name_problem(&name) {
                    d.problem("name", p);
                }
                let usergroup = d.string("usergroup");
                if let Some(g) = &usergroup {
                    let id = g.strip_prefix('S').unwrap_or_default();
                    if id.is_empty() || !id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
                        d.problem(
                            "usergroup",
                            format!("{g:?} is not a user group id (S and capital letters or digits: S0ENG)"),
                        );
                    }
                }
                let members = d.users("members");
                d.finish();
                config.policy.departments.insert(
                    key.clone(),
                    Department {
                        key,
                        name,
                        usergroup,
                        members,
                    },
                );
            }
        }
        // A level given replaces that level's defaults; the levels not given keep theirs. An
        // admin adding an announce channel to sev1 must not lose sev2 and sev3 by it, and with
        // them the default severity: every trouble would open at sev1, paging company-wide.
        if let Some(severities) = root.table("severity") {
            let mut given: BTreeMap<Severity, String> = BTreeMap::new();
            for (key, value) in severities {
                let level = match key.parse::<u8>() {
                    Ok(l) if (1..=9).contains(&l) => Severity::new(l),
                    _ => {
                        root.problems
                            .push(format!("severity.{key}: severity levels are numbers 1-9"));
                        continue;
                    }
                };
                // `[severity.01]` beside `[severity.1]`: one would silently replace the other.
                if let Some(first) = given.insert(level, key.clone()) {
                    root.problems.push(format!(
                        "severity.{key}: level {} is given twice (also as [severity.{first}])",
                        level.level()
                    ));
                    continue;
                }
                let Some(t) = value.as_table().cloned() else {
                    root.problems.push(format!("severity.{key}: must be a table"));
                    continue;
                };
                let defaults = default_severities()
                    .remove(&level)
                    .unwrap_or_else(|| default_severities().remove(&Severity::new(3)).expect("default 3"));
                let path = format!("severity.{key}");
                let mut s = Fields::new(&path, t, root.problems);
                let name = s.string("name");
                if let Some(p) = name.as_deref().and_then(name_problem) {
                    s.problem("name", p);
                }
                let policy = SeverityPolicy {
                    level,
                    name,
                    ack_timeout: s.duration("ack_timeout").unwrap_or(defaults.ack_timeout),
                    customer_update_every: s
                        .duration("customer_update_every")
                        .unwrap_or(defaults.customer_update_every),
                    first_contact_within: s
                        .duration("first_contact_within")
                        .unwrap_or(defaults.first_contact_within),
                    departments: s.strings("departments"),
                    announce_channels: s.channels("announce_channels"),
                    escalate_in_business_hours: s.bool("escalate_in_business_hours").unwrap_or(false),
                };
                s.finish();
                config.policy.severities.insert(level, policy);
            }
        }
        if let Some(bh) = root.table("business_hours") {
            let mut b = Fields::new("business_hours", bh, root.problems);
            let days = b
                .strings("days")
                .into_iter()
                .filter_map(|d| match d.parse::<Weekday>() {
                    Ok(w) => Some(w),
                    Err(_) => {
                        b.problems
                            .push(format!("business_hours.days: {d:?} is not a weekday (mon, tue, …)"));
                        None
                    }
                })
                .collect::<Vec<_>>();
            let days = if b.has_seen("days") {
                days
            } else {
                vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri]
            };
            let open = b
                .time("open")
                .unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).expect("valid"));
            let close = b
                .time("close")
                .unwrap_or(NaiveTime::from_hms_opt(18, 0, 0).expect("valid"));
            if close <= open {
                b.problems.push("business_hours: close must be after open".into());
            }
            if b.has_seen("days") && days.is_empty() {
                b.problems.push(
                    "business_hours.days: name at least one day (mon, tue, …), or leave [business_hours] out to work around the clock"
                        .into(),
                );
            }
            let holidays = b
                .strings("holidays")
                .into_iter()
                .filter_map(|d| match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    Ok(date) => Some(date),
                    Err(_) => {
                        b.problems
                            .push(format!("business_hours.holidays: {d:?} is not a date like 2026-12-31"));
                        None
                    }
                })
                .collect();
            b.finish();
            config.policy.business_hours = Some(BusinessHours {
                days,
                open,
                close,
                holidays,
            });
        }
        if config.policy.business_hours.is_none() {
            for s in config
                .policy
                .severities
                .values()
                .filter(|s| s.escalate_in_business_hours)
            {
                root.problems.push(format!(
                    "severity.{}.escalate_in_business_hours: needs [business_hours] (what are business hours otherwise?)",
                    s.level
                ));
            }
        }
        if let Some(customers) = root.table("customers") {
            for (alias, value) in customers {
                match value.as_str() {
                    Some(name) if !name.trim().is_empty() => {
                        config.policy.customers.insert(alias, name.to_string());
                    }
                    _ => root
                        .problems
                        .push(format!("customers.{alias}: must be the customer's name as a string")),
                }
            }
        }
        if let Some(limits) = root.table("approval_limits") {
            for (code, value) in limits {
                let currency = serde_json::from_value::<crate::trouble::money::Currency>(serde_json::Value::String(
                    code.to_uppercase(),
                ));
                match (currency, value.as_integer()) {
                    (Ok(c), Some(limit)) if limit > 0 => {
                        // Written in whole units (`JPY = 1_000_000`, `USD = 10_000`); kept in minor units.
                        let minor = limit.saturating_mul(10i64.pow(c.decimals()));
                        config.policy.approval_limits.insert(c, minor);
                    }
                    (Err(_), _) => root
                        .problems
                        .push(format!("approval_limits.{code}: currency must be JPY, USD or EUR")),
                    _ => root.problems.push(format!(
                        "approval_limits.{code}: must be a whole positive amount like 1_000_000"
                    )),
                }
            }
        }
        root.finish();

        if let Some(level) = default_severity {
            match u8::try_from(level) {
                Ok(l) if config.policy.severities.contains_key(&Severity::new(l)) => {
                    config.policy.default_severity = Severity::new(l)
                }
                _ => problems.push(format!(
                    "default_severity: {level} is not one of the configured severities"
                )),
            }
        }
        for policy in config.policy.severities.values() {
            for d in &policy.departments {
                if !config.policy.departments.contains_key(d) {
                    problems.push(format!(
                        "severity.{}.departments: no department named {d:?}",
                        policy.level
                    ));
                }
            }
        }

        // The environment overrides the file.
        if let Some(v) = env.get("TROUBLE_LISTEN") {
            config.listen = v.clone();
        }
        if let Some(v) = env.get("TROUBLE_LOG_FORMAT").filter(|v| !v.trim().is_empty()) {
            // As strict as `log_format`: a typo would leave the log collector unable to parse.
            match v.trim().to_ascii_lowercase().as_str() {
                "json" => config.log_json = true,
                "text" => config.log_json = false,
                _ => problems.push(format!("TROUBLE_LOG_FORMAT: must be \"text\" or \"json\", not {v:?}")),
            }
        }
        if let Some(v) = env.get("RUST_LOG").filter(|v| !v.is_empty()) {
            // `warning` reads as `warn`, as in `log_level`; other forms pass as written.
            config.log_filter = log_filter(v).unwrap_or_else(|| v.clone());
        }
        if let Some(v) = env.get("TROUBLE_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        // Empty, the store would land in whatever directory the bot was started from.
        if config.data_dir.as_os_str().is_empty() {
            problems.push("data_dir: must name a directory (\"data\", or a full path)".into());
        }
        if let Some(v) = env.get("DATABASE_URL").filter(|v| !v.trim().is_empty()) {
            config.database_url = Some(Secret::new(v.trim()));
        }
        if let Some(url) = &config.database_url {
            if !(url.expose().starts_with("postgres://") || url.expose().starts_with("postgresql://")) {
                problems
                    .push("database_url: must start with postgres:// (postgres://user:password@host:5432/db)".into());
            }
        }
        if config.listen.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "listen: {:?} is not an address like 127.0.0.1:3000",
                config.listen
            ));
        }
        if let Some(v) = env.get("SLACK_SIGNING_SECRET") {
            config.slack.signing_secrets = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .collect();
        }
        if let Some(v) = env.get("SLACK_BOT_TOKEN").filter(|v| !v.trim().is_empty()) {
            config.slack.bot_token = Some(Secret::new(v.trim()));
        }
        if let Some(v) = env.get("SLACK_APP_TOKEN").filter(|v| !v.trim().is_empty()) {
            config.slack.app_token = Some(Secret::new(v.trim()));
        }
        if let Some(v) = env.get("SLACK_API_URL") {
            let mut url = v.clone();
            if !url.ends_with('/') {
                url.push('/');
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                problems.push(format!("SLACK_API_URL: {v:?} must start with http:// or https://"));
            }
            config.slack.api_url = url;
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Whether Slack's requests arrive over Socket Mode (an app-level token is set) rather than
    /// on the `/slack/*` request URLs.
    pub fn socket_mode(&self) -> bool {
        self.slack.app_token.is_some()
    }

    /// What is wrong with the Slack credentials: missing (check-config may run before the secrets
    /// are in place, so it only notes those) or present but malformed (refused by check-config
    /// and serve alike: a value pasted wrong is found before Slack refuses it).
    pub fn credential_problems(&self) -> Vec<Credential> {
        let mut problems = Vec::new();
        // In Socket Mode no request URL is served, so no signing secret is read: the example
        // env file's placeholder, left in place, stops nothing.
        if !self.socket_mode() {
            for secret in &self.slack.signing_secrets {
                problems.extend(malformed(Var::SigningSecret, secret.expose(), None));
            }
        }
        match &self.slack.app_token {
            Some(t) => problems.extend(malformed(Var::AppToken, t.expose(), Some(TokenKind::App))),
            None if self.slack.signing_secrets.is_empty() => problems.push(Credential::Missing(Var::SigningSecret)),
            // Socket Mode: Slack's requests arrive on the socket, unsigned; no secret is needed.
            None => {}
        }
        match &self.slack.bot_token {
            None => problems.push(Credential::Missing(Var::BotToken)),
            Some(t) => problems.extend(malformed(Var::BotToken, t.expose(), Some(TokenKind::Bot))),
        }
        problems
    }
}

/// An environment variable holding a Slack credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    SigningSecret,
    BotToken,
    AppToken,
}

impl Var {
    pub fn name(self) -> &'static str {
        match self {
            Var::SigningSecret => "SLACK_SIGNING_SECRET",
            Var::BotToken => "SLACK_BOT_TOKEN",
            Var::AppToken => "SLACK_APP_TOKEN",
        }
    }
}

/// A kind of Slack token, told by its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// `xoxb-`: the Bot User OAuth Token.
    Bot,
    /// `xapp-`: an app-level token (Socket Mode).
    App,
    /// `xoxp-`: a user token.
    User,
    /// Something else (`xoxe-`, a signing secret, …).
    Other,
}

impl TokenKind {
    pub fn of(value: &str) -> TokenKind {
        match value.get(..5) {
            Some("xoxb-") => TokenKind::Bot,
            Some("xapp-") => TokenKind::App,
            Some("xoxp-") => TokenKind::User,
            _ => TokenKind::Other,
        }
    }
}

/// One thing wrong with a credential (rendered by `i18n::credential_problem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// Not set.
    Missing(Var),
    /// Still the placeholder of `deploy/trouble-bot.env` (`replace-with-…`).
    Placeholder(Var),
    /// In quotes, which Slack's values never are (an env file that keeps them).
    Quoted(Var),
    /// Another kind of token than the variable takes.
    WrongKind { var: Var, found: TokenKind },
}

impl Credential {
    /// Present but malformed: check-config fails on it (a missing one is only noted).
    pub fn is_malformed(&self) -> bool {
        !matches!(self, Credential::Missing(_))
    }
}

/// What is wrong with `value` in `var`, which should be a token of kind `wanted` (None: a secret).
fn malformed(var: Var, value: &str, wanted: Option<TokenKind>) -> Option<Credential> {
    if value.to_ascii_lowercase().contains("replace-with") {
        return Some(Credential::Placeholder(var));
    }
    if value.starts_with(['"', '\'']) || value.ends_with(['"', '\'']) {
        return Some(Credential::Quoted(var));
    }
    let found = TokenKind::of(value);
    match wanted {
        Some(wanted) if found != wanted => Some(Credential::WrongKind { var, found }),
        // A token pasted as the signing secret.
        None if found != TokenKind::Other => Some(Credential::WrongKind { var, found }),
        _ => None,
    }
}

/// Each loop in `[org.managers]` (someone who, followed upward, reports to themself), once,
/// starting from its first person in id order.
fn org_loops(managers: &BTreeMap<UserId, UserId>) -> Vec<Vec<UserId>> {
    let mut loops: Vec<Vec<UserId>> = Vec::new();
    for start in managers.keys() {
        let mut path = vec![start.clone()];
        while let Some(next) = managers.get(path.last().expect("never empty")) {
            if let Some(at) = path.iter().position(|u| u == next) {
                let cycle = &path[at..];
                if !loops.iter().any(|l| l.contains(&cycle[0])) {
                    // Written from the person who sorts first, so a loop reads the same whoever finds it.
                    let first = cycle.iter().enumerate().min_by_key(|(_, u)| *u).map_or(0, |(i, _)| i);
                    loops.push(cycle[first..].iter().chain(&cycle[..first]).cloned().collect());
                }
                break;
            }
            path.push(next.clone());
        }
    }
    loops
}

/// `log_level` as a tracing filter, or None when it is not one. The filter reads a word it does
/// not know as a target (`verbose` = "everything from the module verbose"), which silences every
/// other line, so only level words and `target=level` directives pass; `warning` reads as `warn`.
fn log_filter(value: &str) -> Option<String> {
    let level = |word: &str| {
        let word = word.trim().to_ascii_lowercase();
        match word.as_str() {
            "trace" | "debug" | "info" | "warn" | "error" | "off" => Some(word),
            "warning" => Some("warn".to_string()),
            _ => None,
        }
    };
    let target = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
    };
    let directives = value
        .split(',')
        .map(|d| match d.split_once('=') {
            None => level(d),
            Some((t, l)) if target(t.trim()) => Some(format!("{}={}", t.trim(), level(l)?)),
            Some(_) => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some(directives.join(","))
}

/// A workspace id (`T012AB3C4`), as Slack sends in `team_id`, or an Enterprise Grid
/// organization's (`E0A3BPH11QC`), as it sends in `enterprise_id`.
fn looks_like_team(s: &str) -> bool {
    (s.starts_with('T') || s.starts_with('E'))
        && s.len() >= 3
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn looks_like_user(s: &str) -> bool {
    (s.starts_with('U') || s.starts_with('W')) && s.len() >= 2 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn looks_like_channel(s: &str) -> bool {
    (s.starts_with('C') || s.starts_with('G')) && s.len() >= 2 && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn valid_department_key(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Pulls typed keys out of one TOML table, recording problems, then reports the keys nobody took.
struct Fields<'p> {
    path: String,
    table: toml::Table,
    seen: Vec<String>,
    problems: &'p mut Vec<String>,
}

impl<'p> Fields<'p> {
    fn new(path: &str, table: toml::Table, problems: &'p mut Vec<String>) -> Self {
        Fields {
            path: path.to_string(),
            table,
            seen: Vec::new(),
            problems,
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn problem(&mut self, key: &str, what: String) {
        let name = self.name(key);
        self.problems.push(format!("{name}: {what}"));
    }

    fn has_seen(&self, key: &str) -> bool {
        self.seen.iter().any(|k| k == key) && self.table.contains_key(key)
    }

    fn take(&mut self, key: &str) -> Option<toml::Value> {
        self.seen.push(key.to_string());
        self.table.get(key).cloned()
    }

    fn typed<T>(&mut self, key: &str, kind: &str, get: impl FnOnce(&toml::Value) -> Option<T>) -> Option<T> {
        let value = self.take(key)?;
        let got = get(&value);
        if got.is_none() {
            self.problem(key, format!("must be {kind}"));
        }
        got
    }

    fn string(&mut self, key: &str) -> Option<String> {
        self.typed(key, "a string", |v| v.as_str().map(str::to_string))
    }
    fn bool(&mut self, key: &str) -> Option<bool> {
        self.typed(key, "true or false", toml::Value::as_bool)
    }
    fn integer(&mut self, key: &str) -> Option<i64> {
        self.typed(key, "a whole number", toml::Value::as_integer)
    }
    fn table(&mut self, key: &str) -> Option<toml::Table> {
        self.typed(key, "a table", |v| v.as_table().cloned())
    }
    fn strings(&mut self, key: &str) -> Vec<String> {
        self.typed(key, "a list of strings", |v| {
            v.as_array()?
                .iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or_default()
    }
    fn user(&mut self, key: &str) -> Option<UserId> {
        let v = self.string(key)?;
        if looks_like_user(&v) {
            Some(UserId::new(v))
        } else {
            self.problem(key, format!("{v:?} is not a Slack user id like \"U0123ABC\""));
            None
        }
    }
    fn users(&mut self, key: &str) -> Vec<UserId> {
        let list = self.strings(key);
        let mut users = Vec::new();
        for v in list {
            if looks_like_user(&v) {
                users.push(UserId::new(v));
            } else {
                self.problem(key, format!("{v:?} is not a Slack user id like \"U0123ABC\""));
            }
        }
        users
    }
    /// Channel ids (`C…`, or `G…` for an older private channel): a name (`#general`) would
    /// never be found, and every announcement would be skipped.
    fn channels(&mut self, key: &str) -> Vec<String> {
        let list = self.strings(key);
        let mut channels = Vec::new();
        for v in list {
            if looks_like_channel(&v) {
                channels.push(v);
            } else {
                self.problem(
                    key,
                    format!("{v:?} is not a Slack channel id like \"C0123ABC\" (in Slack: the channel's details, at the bottom)"),
                );
            }
        }
        channels
    }
    fn duration(&mut self, key: &str) -> Option<Duration> {
        let v = self.string(key)?;
        let d = parse_duration(&v);
        if d.is_none() {
            self.problem(
                key,
                format!("{v:?} is not a duration like \"90s\", \"15m\", \"4h\", \"1d\" or \"1h30m\""),
            );
        }
        d
    }
    fn time(&mut self, key: &str) -> Option<NaiveTime> {
        let v = self.string(key)?;
        let t = NaiveTime::parse_from_str(&v, "%H:%M").ok();
        if t.is_none() {
            self.problem(key, format!("{v:?} is not a time like \"09:00\""));
        }
        t
    }

    fn finish(self) {
        for key in self.table.keys() {
            if !self.seen.iter().any(|k| k == key) {
                let name = if self.path.is_empty() {
                    key.clone()
                } else {
                    format!("{}.{key}", self.path)
                };
                self.problems.push(format!("{name}: unknown key"));
            }
        }
    }
}

/// What is wrong with a name the file gives (a severity's, a department's), shown in every
/// kickoff and printed by `check-config`: a line break would forge a line of the bot's, a control
/// or bidi character act on the terminal or reorder the text. `<`, `>` and `&` are fine: every
/// message escapes the name (`severity_label`, `department_named`).
fn name_problem(name: &str) -> Option<String> {
    let acts = |c: char| c.is_control() || crate::trouble::markup::acts_on_display(c);
    name.chars()
        .any(acts)
        .then(|| format!("{name:?} may not hold a line break, a control or bidi character"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn no_file_means_defaults() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:3000");
        assert_eq!(c.policy.severities.len(), 3);
        assert_eq!(
            c.policy.severity(Severity::new(1)).ack_timeout,
            Duration::from_secs(600)
        );
        assert_eq!(c.policy.default_severity, Severity::new(2));
        assert_eq!(c.warnings(), [Warning::NobodyHasAManager]);
    }

    #[test]
    fn rust_log_reads_warning_as_warn_and_passes_other_forms_with_a_warning() {
        let with = |v: &str| {
            Config::from_sources(Some("[org]\ndefault_manager = \"U0M\"\n"), &env(&[("RUST_LOG", v)])).unwrap()
        };
        assert_eq!(with("warning").log_filter, "warn");
        assert!(with("info,trouble_bot=debug").warnings().is_empty());
        let odd = with("trouble_bot[open]=debug");
        assert_eq!(odd.log_filter, "trouble_bot[open]=debug");
        assert_eq!(odd.warnings(), [Warning::RustLogUnchecked]);
    }

    #[test]
    fn a_manager_for_anyone_is_enough_to_not_warn() {
        let default_only = "[org]\ndefault_manager = \"U0M\"\n";
        assert!(Config::from_sources(Some(default_only), &env(&[]))
            .unwrap()
            .warnings()
            .is_empty());
        let chart_only = "[org.managers]\nU0S = \"U0M\"\n";
        assert!(Config::from_sources(Some(chart_only), &env(&[]))
            .unwrap()
            .warnings()
            .is_empty());
        let empty_org = "[org]\n";
        assert_eq!(
            Config::from_sources(Some(empty_org), &env(&[])).unwrap().warnings(),
            [Warning::NobodyHasAManager]
        );
    }

    #[test]
    fn names_that_would_act_in_a_message_or_a_terminal_are_refused() {
        let text = r#"
            [severity.1]
            name = "Critical\n✅ acknowledged by @boss"
            [severity.2]
            name = "\u001b[2JMajor"
            [departments.qa]
            name = "QA \u202Eon call"
            usergroup = "S1> <!channel"
            [severity.3]
            name = "Critical (<1h) & more"
            [departments.ok]
            name = "Quality *(on call)*"
            usergroup = "S0QA"
        "#;
        let all = Config::from_sources(Some(text), &env(&[])).unwrap_err().join("\n");
        for expected in [
            "severity.1.name",
            "severity.2.name",
            "departments.qa.name",
            "departments.qa.usergroup",
        ] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
        // Messages escape names, so `<`, `>` and `&` are text: a config that served stays served.
        assert!(!all.contains("severity.3"), "{all}");
        assert!(!all.contains("departments.ok"), "{all}");
        assert!(
            !all.chars().any(|c| c == '\u{1b}' || c == '\u{202E}'),
            "printed inert: {all:?}"
        );
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let text = r##"
            lisen = "x"
            locale = "fr"
            timezone = "Mars/Olympus"
            data_dir = ""
            [severity.1]
            ack_timeout = "soon"
            colour = "red"
            announce_channels = ["C0BIZUNIT", "#general"]
            [severity.3]
            ack_timeout = "5m"
            [severity.03]
            ack_timeout = "6m"
            [departments.quality]
            usergroup = "G1"
            [business_hours]
            days = []
        "##;
        let problems = Config::from_sources(Some(text), &env(&[("TROUBLE_LOG_FORMAT", "jsn")])).unwrap_err();
        let all = problems.join("\n");
        for expected in [
            "lisen: unknown key",
            "locale:",
            "timezone:",
            "severity.1.ack_timeout",
            "severity.1.colour: unknown key",
            "severity.1.announce_channels: \"#general\" is not a Slack channel id",
            "departments.quality.usergroup",
            "business_hours.days: name at least one day",
            "data_dir: must name a directory",
            "severity.3: level 3 is given twice (also as [severity.03])",
            "TROUBLE_LOG_FORMAT: must be \"text\" or \"json\", not \"jsn\"",
        ] {
            assert!(all.contains(expected), "missing {expected:?} in\n{all}");
        }
    }

    #[test]
    fn durations_down_to_seconds_and_env_overrides() {
        let text = "[severity.1]\nack_timeout = \"2s\"\ncustomer_update_every = \"1h30m\"\n";
        let c = Config::from_sources(
            Some(text),
            &env(&[
                ("TROUBLE_LISTEN", "127.0.0.1:0"),
                ("SLACK_SIGNING_SECRET", "a, b"),
                ("SLACK_API_URL", "http://127.0.0.1:9/api"),
            ]),
        )
        .unwrap();
        assert_eq!(c.policy.severity(Severity::new(1)).ack_timeout, Duration::from_secs(2));
        assert_eq!(
            c.policy.severity(Severity::new(1)).customer_update_every,
            Duration::from_secs(5400)
        );
        assert_eq!(c.listen, "127.0.0.1:0");
        assert_eq!(c.slack.signing_secrets.len(), 2);
        assert_eq!(c.slack.api_url, "http://127.0.0.1:9/api/");
        // The levels not given keep their defaults, and the default severity with them.
        assert_eq!(c.policy.default_severity, Severity::new(2));
        assert_eq!(
            c.policy.severity(Severity::new(3)).ack_timeout,
            Duration::from_secs(2 * 3600)
        );
    }

    #[test]
    fn serve_names_missing_credentials_and_secrets_are_redacted() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        let p = crate::i18n::serve_problems(&c).join("\n");
        assert!(p.contains("SLACK_SIGNING_SECRET") && p.contains("SLACK_BOT_TOKEN"));
        let c = Config::from_sources(
            None,
            &env(&[("SLACK_BOT_TOKEN", "xoxb-very-secret"), ("SLACK_SIGNING_SECRET", "shh")]),
        )
        .unwrap();
        assert!(crate::i18n::serve_problems(&c).is_empty());
        let debug = format!("{c:?}");
        assert!(!debug.contains("very-secret") && !debug.contains("shh"));
    }

    #[test]
    fn a_credential_set_but_wrong_is_malformed_and_one_not_set_is_only_missing() {
        let problems = |pairs: &[(&str, &str)]| Config::from_sources(None, &env(pairs)).unwrap().credential_problems();
        let deploy_env = [
            ("SLACK_SIGNING_SECRET", "replace-with-the-signing-secret"),
            ("SLACK_BOT_TOKEN", "xoxb-replace-with-the-bot-token"),
        ];
        assert_eq!(
            problems(&deploy_env),
            [
                Credential::Placeholder(Var::SigningSecret),
                Credential::Placeholder(Var::BotToken)
            ]
        );
        for (token, found) in [
            ("xapp-1-A0", TokenKind::App),
            ("xoxp-1-2", TokenKind::User),
            ("hunter2", TokenKind::Other),
        ] {
            assert_eq!(
                problems(&[("SLACK_SIGNING_SECRET", "s3cret"), ("SLACK_BOT_TOKEN", token)]),
                [Credential::WrongKind {
                    var: Var::BotToken,
                    found
                }]
            );
        }
        assert_eq!(
            problems(&[("SLACK_SIGNING_SECRET", "s3cret"), ("SLACK_BOT_TOKEN", "\"xoxb-1-2\"")]),
            [Credential::Quoted(Var::BotToken)]
        );
        assert_eq!(
            problems(&[("SLACK_SIGNING_SECRET", "xoxb-1-2"), ("SLACK_BOT_TOKEN", "xoxb-1-2")]),
            [Credential::WrongKind {
                var: Var::SigningSecret,
                found: TokenKind::Bot
            }]
        );
        let missing = problems(&[]);
        assert_eq!(
            missing,
            [
                Credential::Missing(Var::SigningSecret),
                Credential::Missing(Var::BotToken)
            ]
        );
        assert!(!missing.iter().any(Credential::is_malformed));
        // Each reads as a sentence in both languages, naming the variable.
        for p in problems(&deploy_env).into_iter().chain(missing) {
            for l in [Locale::Ja, Locale::En] {
                let text = crate::i18n::credential_problem(l, p);
                assert!(text.starts_with("SLACK_") && text.ends_with(['.', '。']), "{text}");
            }
        }
    }

    #[test]
    fn an_app_token_means_socket_mode_without_a_signing_secret_and_stays_redacted() {
        let socket = |token: &str| {
            Config::from_sources(
                None,
                &env(&[("SLACK_BOT_TOKEN", "xoxb-bot"), ("SLACK_APP_TOKEN", token)]),
            )
            .unwrap()
        };
        let c = socket("xapp-1-A0-very-secret");
        assert!(c.socket_mode());
        assert!(
            crate::i18n::serve_problems(&c).is_empty(),
            "{:?}",
            crate::i18n::serve_problems(&c)
        );
        assert!(!format!("{c:?}").contains("very-secret"));
        assert_eq!(
            socket("xoxb-pasted-in-the-wrong-place").credential_problems(),
            [Credential::WrongKind {
                var: Var::AppToken,
                found: TokenKind::Bot
            }]
        );
        assert!(!socket("  ").socket_mode(), "an empty token is no token");
    }

    #[test]
    fn in_socket_mode_the_example_signing_secret_left_in_place_stops_nothing() {
        let with = |vars: &[(&str, &str)]| {
            let mut all = vec![
                ("SLACK_BOT_TOKEN", "xoxb-bot"),
                ("SLACK_SIGNING_SECRET", "replace-with-the-signing-secret"),
            ];
            all.extend_from_slice(vars);
            Config::from_sources(None, &env(&all)).unwrap()
        };
        let socket = with(&[("SLACK_APP_TOKEN", "xapp-1-A0-x")]);
        assert!(socket.socket_mode());
        assert!(
            socket.credential_problems().is_empty(),
            "{:?}",
            socket.credential_problems()
        );
        assert!(crate::i18n::serve_problems(&socket).is_empty());
        assert_eq!(
            with(&[]).credential_problems(),
            [Credential::Placeholder(Var::SigningSecret)],
            "over HTTP it is read"
        );
    }

    #[test]
    fn log_level_is_a_level_or_target_directives_and_nothing_the_filter_would_read_as_a_target() {
        let level = |v: &str| Config::from_sources(Some(&format!("log_level = \"{v}\"")), &env(&[]));
        for (written, filter) in [
            ("debug", "debug"),
            ("warning", "warn"),
            ("WARN", "warn"),
            ("info,trouble_bot=debug", "info,trouble_bot=debug"),
            ("warn, trouble_bot::http=trace", "warn,trouble_bot::http=trace"),
            ("trouble_bot=warning", "trouble_bot=warn"),
        ] {
            assert_eq!(level(written).unwrap().log_filter, filter, "{written}");
        }
        for bad in ["verbose", "", "info,", "trouble_bot=loud", "=info", "info;debug"] {
            let problems = level(bad).map(|_| ()).unwrap_err().join("\n");
            assert!(
                problems.contains(&format!("log_level: {bad:?} is not a log level"))
                    && problems.contains("trace, debug, info, warn (or warning), error"),
                "{problems}"
            );
        }
    }

    #[test]
    fn slack_timeout_is_bounded_so_a_stop_ends_within_the_units_minute() {
        let timeout = |v: &str| Config::from_sources(Some(&format!("slack_timeout = \"{v}\"")), &env(&[]));
        assert_eq!(timeout("50s").unwrap().slack.timeout, Duration::from_secs(50));
        assert_eq!(timeout("1s").unwrap().slack.timeout, Duration::from_secs(1));
        for (bad, secs) in [("10d", 864_000), ("1h", 3600), ("51s", 51)] {
            let problems = timeout(bad).map(|_| ()).unwrap_err().join("\n");
            assert!(
                problems.contains(&format!("slack_timeout: must be between 1s and 50s, not {secs}s")),
                "{problems}"
            );
        }
    }

    #[test]
    fn shutdown_grace_defaults_to_five_seconds_and_is_bounded_as_slack_timeout_is() {
        let grace = |v: &str| Config::from_sources(Some(&format!("shutdown_grace = \"{v}\"")), &env(&[]));
        assert_eq!(Config::default().shutdown_grace, Duration::from_secs(5));
        assert_eq!(grace("1s").unwrap().shutdown_grace, Duration::from_secs(1));
        assert_eq!(grace("50s").unwrap().shutdown_grace, Duration::from_secs(50));
        for (bad, secs) in [("1h", 3600), ("51s", 51)] {
            let problems = grace(bad).map(|_| ()).unwrap_err().join("\n");
            assert!(
                problems.contains(&format!("shutdown_grace: must be between 1s and 50s, not {secs}s")),
                "{problems}"
            );
        }
    }

    #[test]
    fn team_id_must_look_like_a_slack_team_id() {
        for good in ["T012AB3C4", "T0TEAM", "E0A3BPH11QC"] {
            let c = Config::from_sources(Some(&format!("team_id = \"{good}\"")), &env(&[])).unwrap();
            assert_eq!(c.team_id.as_deref(), Some(good));
        }
        for bad in [
            "acme.slack.com",
            "t012ab3c4",
            "T",
            "U0123ABC",
            " T012AB3C4",
            "https://acme.slack.com",
        ] {
            let problems = Config::from_sources(Some(&format!("team_id = \"{bad}\"")), &env(&[]))
                .map(|_| ())
                .unwrap_err()
                .join("\n");
            assert!(
                problems.contains(&format!("team_id: {bad:?} is not a Slack team id"))
                    && problems.contains("T012AB3C4"),
                "{problems}"
            );
        }
    }

    #[test]
    fn the_chain_follows_managers_upward() {
        let text = "[org]\ndefault_manager = \"U0M\"\n[org.managers]\nU0S = \"U0M\"\nU0M = \"U0D\"\n";
        let c = Config::from_sources(Some(text), &env(&[])).unwrap();
        assert_eq!(c.policy.manager_of(&UserId::new("U0S")), Some(UserId::new("U0M")));
        assert_eq!(c.policy.manager_of(&UserId::new("U0X")), Some(UserId::new("U0M")));
        let chain: Vec<_> = c
            .policy
            .chain_from(&UserId::new("U0M"))
            .into_iter()
            .map(|u| u.as_str().to_string())
            .collect();
        assert_eq!(chain, ["U0M", "U0D"]);
    }

    #[test]
    fn a_loop_in_the_org_is_refused_naming_the_people_in_it() {
        let org = |managers: &str| {
            let text = format!("[org]\ndefault_manager = \"U0M\"\n[org.managers]\n{managers}");
            Config::from_sources(Some(&text), &env(&[]))
                .map(|_| ())
                .unwrap_err()
                .join("\n")
        };
        let three = org(
            "U0SALES1 = \"U0MANAGER\"\nU0MANAGER = \"U0DIRECTOR\"\nU0DIRECTOR = \"U0SALES1\"\nU0NEW = \"U0SALES1\"\n",
        );
        assert!(
            three.contains("org.managers: a loop: U0DIRECTOR -> U0SALES1 -> U0MANAGER -> U0DIRECTOR"),
            "{three}"
        );
        assert_eq!(three.matches("a loop").count(), 1, "one loop, said once: {three}");
        assert!(
            !three.contains("U0NEW"),
            "who only reports into a loop is not in it: {three}"
        );
        let own = org("U0SALES1 = \"U0SALES1\"\n");
        assert!(own.contains("a loop: U0SALES1 -> U0SALES1"), "{own}");
        let two = org("U0A = \"U0B\"\nU0B = \"U0A\"\nU0C = \"U0D\"\nU0D = \"U0C\"\n");
        assert!(
            two.contains("U0A -> U0B -> U0A") && two.contains("U0C -> U0D -> U0C"),
            "{two}"
        );
    }

    #[test]
    fn database_url_comes_from_the_file_or_database_url_and_never_shows_its_password() {
        let file = r#"database_url = "postgres://bot:file-pw@db:5432/t""#;
        let c = Config::from_sources(Some(file), &env(&[])).unwrap();
        assert_eq!(
            c.database_url.as_ref().unwrap().expose(),
            "postgres://bot:file-pw@db:5432/t"
        );
        let c = Config::from_sources(Some(file), &env(&[("DATABASE_URL", "postgres://bot:env-pw@db2/t")])).unwrap();
        assert_eq!(c.database_url.as_ref().unwrap().expose(), "postgres://bot:env-pw@db2/t");
        assert!(!format!("{c:?}").contains("env-pw"));
        assert!(
            crate::i18n::config_summary(&c).contains("postgres://bot:***@db2:5432/t"),
            "{}",
            crate::i18n::config_summary(&c)
        );
        assert!(!crate::i18n::config_summary(&c).contains("env-pw"));
        assert!(Config::from_sources(None, &env(&[])).unwrap().database_url.is_none());
        let problems = Config::from_sources(None, &env(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(problems.iter().any(|p| p.starts_with("database_url:")), "{problems:?}");
    }
}
