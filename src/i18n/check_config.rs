//! What `check-config` prints: the configuration read back to the admin, in their locale.

use std::time::Duration;

use super::Locale;
use crate::config::{Config, Credential, Source, TokenKind, Var, Warning};
use crate::trouble::model::UserId;

/// A human summary for `check-config`, in the configured locale, ending with what `serve`
/// still needs from the environment.
pub fn config_summary(config: &Config) -> String {
    let l = config.locale;
    let t = |ja: &'static str, en: &'static str| if l == Locale::Ja { ja } else { en };
    let duration = |d: Duration| super::format_duration(l, d.as_secs());
    let none = t("なし", "none");
    let sep = t("、", ", ");
    let mut out = String::new();
    match &config.source {
        Source::File(path) => line(&mut out, t("設定ファイル:", "config file:"), path.display().to_string()),
        Source::NoFile(path) => line(
            &mut out,
            t("設定ファイル:", "config file:"),
            match l {
                Locale::Ja => format!("{} はありません。すべて既定値です", path.display()),
                Locale::En => format!("none found ({}); every setting is its default", path.display()),
            },
        ),
        Source::Text => {}
    }
    line(&mut out, t("待ち受け:", "listen:"), config.listen.clone());
    line(
        &mut out,
        t("データ:", "data_dir:"),
        config.data_dir.display().to_string(),
    );
    if let Some(url) = &config.database_url {
        line(
            &mut out,
            t("データベース:", "database:"),
            crate::store::pg::redacted(url.expose()),
        );
    }
    line(&mut out, t("言語:", "locale:"), config.locale.code().into());
    line(
        &mut out,
        t("タイムゾーン:", "time zone:"),
        config.policy.timezone.name().into(),
    );
    line(
        &mut out,
        t("ワークスペース:", "workspace:"),
        match &config.team_id {
            Some(team) => team.clone(),
            None => t("制限なし", "any").into(),
        },
    );
    line(
        &mut out,
        t("チャンネル名:", "channels:"),
        format!(
            "{}-<yyyymmdd>-<n>[-<customer>] ({})",
            config.policy.channel_prefix,
            match config.policy.private_channels {
                true => t("非公開", "private"),
                false => t("公開", "public"),
            }
        ),
    );
    let mut people: std::collections::BTreeSet<&UserId> = config.policy.managers.keys().collect();
    people.extend(config.policy.managers.values());
    people.extend(config.policy.default_manager.as_ref());
    line(
        &mut out,
        t("組織図:", "org chart:"),
        format!(
            "{}{}{sep}{}{}",
            count(l, people.len(), "人", "person", "people"),
            t("", " in it"),
            t("既定の上司 ", "default manager "),
            config
                .policy
                .default_manager
                .as_ref()
                .map(UserId::as_str)
                .unwrap_or(none)
        ),
    );
    line(
        &mut out,
        t("お客様の別名:", "customer aliases:"),
        count(l, config.policy.customers.len(), "件", "alias", "aliases"),
    );
    line(
        &mut out,
        t("営業時間:", "business hours:"),
        match &config.policy.business_hours {
            None => t("24時間（営業時間の設定なし）", "around the clock (none set)").into(),
            Some(b) => format!(
                "{} {}-{}{sep}{} {}{}",
                b.days
                    .iter()
                    .map(|d| super::weekday(l, *d))
                    .collect::<Vec<_>>()
                    .join(t("・", ", ")),
                b.open.format("%H:%M"),
                b.close.format("%H:%M"),
                t("休業日", "holidays:"),
                count(l, b.holidays.len(), "日", "day", "days"),
                if b.holidays.is_empty() {
                    String::new()
                } else {
                    let days: Vec<String> = b.holidays.iter().map(|d| d.to_string()).collect();
                    format!(" ({})", days.join(", "))
                }
            ),
        },
    );
    out.push_str(&format!(
        "{}sev{}{}:\n",
        t("重大度（既定 ", "severities (default "),
        config.policy.default_severity,
        t("）", ")")
    ));
    for s in config.policy.severities.values() {
        let departments = match s.departments.is_empty() {
            true => none.to_string(),
            false => format!("+{}", s.departments.join(" +")),
        };
        let announce = match s.announce_channels.is_empty() {
            true => none.to_string(),
            false => s.announce_channels.join(" "),
        };
        let parts = [
            format!(
                "{} {}{}{}",
                t("上司の確認", "acknowledge within"),
                duration(s.ack_timeout),
                t("以内", ""),
                match s.escalate_in_business_hours {
                    true => t("（営業時間で数える）", " of business hours"),
                    false => "",
                }
            ),
            format!(
                "{} {}{}",
                t("お客様への初回連絡", "first call to the customer within"),
                duration(s.first_contact_within),
                t("以内", "")
            ),
            format!(
                "{} {}{}",
                t("お客様への報告", "customer update every"),
                duration(s.customer_update_every),
                t("ごと", "")
            ),
            format!("{} {departments}", t("必ず呼ぶ部門", "departments")),
            format!("{} {announce}", t("告知チャンネル", "announce channels")),
        ];
        out.push_str(&format!(
            "  {}: {}\n",
            super::severity_name(l, config, s.level),
            parts.join(sep)
        ));
    }
    out.push_str(t("部門:\n", "departments:\n"));
    if config.policy.departments.is_empty() {
        out.push_str(&format!("  {none}\n"));
    }
    for d in config.policy.departments.values() {
        out.push_str(&format!(
            "  {} +{}: {}{sep}{}{sep}{}\n",
            t("部門", "department"),
            d.key,
            d.name,
            count(l, d.members.len(), "人", "member", "members"),
            match &d.usergroup {
                Some(g) => format!("{} {g}", t("グループ", "group")),
                None => t("グループなし", "no group").into(),
            }
        ));
    }
    out.push_str(t("Slack:\n", "slack:\n"));
    line(&mut out, t("  API:", "  api:"), config.slack.api_url.clone());
    line(
        &mut out,
        t("  署名シークレット:", "  signing secrets:"),
        count(l, config.slack.signing_secrets.len(), "個", "set", "set"),
    );
    line(
        &mut out,
        t("  ボットトークン:", "  bot token:"),
        match config.slack.bot_token.is_some() {
            true => t("設定済み", "set"),
            false => t("未設定", "not set"),
        }
        .into(),
    );
    line(
        &mut out,
        t("  受信方式:", "  receiver:"),
        match config.slack.app_token.is_some() {
            true => t("ソケットモード (SLACK_APP_TOKEN)", "Socket Mode (SLACK_APP_TOKEN)"),
            false => t("HTTP (/slack/*)", "HTTP (/slack/*)"),
        }
        .into(),
    );
    for w in config.warnings() {
        out.push_str(&format!("{} {}\n", t("注意:", "warning:"), warning(l, w)));
    }
    let (malformed, missing): (Vec<Credential>, Vec<Credential>) = config
        .credential_problems()
        .into_iter()
        .partition(Credential::is_malformed);
    if !malformed.is_empty() {
        out.push_str(t(
            "✗ Slack の認証情報が正しくありません（serve は起動しません）:\n",
            "✗ the Slack credentials are wrong (serve would refuse to start):\n",
        ));
        for p in &malformed {
            out.push_str(&format!("  - {}\n", credential_problem(l, *p)));
        }
    }
    match (malformed.is_empty(), missing.is_empty()) {
        (true, true) => out.push_str(t("設定は正常です (configuration OK)\n", "configuration OK\n")),
        (true, false) => out.push_str(t(
            "設定は正常です (configuration OK)。serve には次も必要です:\n",
            "configuration OK; to serve, also set:\n",
        )),
        (false, false) => out.push_str(t("serve には次も必要です:\n", "to serve, also set:\n")),
        (false, true) => {}
    }
    for p in &missing {
        out.push_str(&format!("  - {}\n", credential_problem(l, *p)));
    }
    out
}

/// What `serve` says above the credential problems it refuses to start with.
pub fn cannot_serve(l: Locale) -> &'static str {
    match l {
        Locale::Ja => "起動できません (cannot serve):",
        Locale::En => "Cannot serve:",
    }
}

/// What `serve` needs beyond a valid file, the Slack credentials, in the configured language.
pub fn serve_problems(config: &Config) -> Vec<String> {
    config
        .credential_problems()
        .into_iter()
        .map(|p| credential_problem(config.locale, p))
        .collect()
}

/// What is wrong with a Slack credential and where the right value is, as a whole sentence.
pub fn credential_problem(l: Locale, p: Credential) -> String {
    let kind = |k: TokenKind| match (k, l) {
        (TokenKind::Bot, Locale::Ja) => "ボットトークン (xoxb-…)",
        (TokenKind::Bot, Locale::En) => "a bot token (xoxb-…)",
        (TokenKind::App, Locale::Ja) => "アプリレベルトークン (xapp-…)",
        (TokenKind::App, Locale::En) => "an app-level token (xapp-…)",
        (TokenKind::User, Locale::Ja) => "ユーザートークン (xoxp-…)",
        (TokenKind::User, Locale::En) => "a user token (xoxp-…)",
        (TokenKind::Other, Locale::Ja) => "Slack のトークンではない値",
        (TokenKind::Other, Locale::En) => "no Slack token",
    };
    let wanted = |var: Var| match (var, l) {
        (Var::BotToken, Locale::Ja) => "OAuth & Permissions の Bot User OAuth Token (xoxb-…)",
        (Var::BotToken, Locale::En) => "the Bot User OAuth Token (xoxb-…, under OAuth & Permissions)",
        (Var::AppToken, Locale::Ja) => {
            "Basic Information → App-Level Tokens のトークン (xapp-…、権限 connections:write)"
        }
        (Var::AppToken, Locale::En) => {
            "an app-level token (xapp-…, scope connections:write, under Basic Information → App-Level Tokens)"
        }
        (Var::SigningSecret, Locale::Ja) => "Basic Information の Signing Secret",
        (Var::SigningSecret, Locale::En) => "the app's Signing Secret (under Basic Information)",
    };
    match (p, l) {
        (Credential::Missing(Var::SigningSecret), Locale::Ja) => format!(
            "SLACK_SIGNING_SECRET が設定されていません。{}を設定してください（ソケットモードなら代わりに SLACK_APP_TOKEN）。",
            wanted(Var::SigningSecret)
        ),
        (Credential::Missing(Var::SigningSecret), Locale::En) => format!(
            "SLACK_SIGNING_SECRET is not set: set it to {} (or set SLACK_APP_TOKEN for Socket Mode).",
            wanted(Var::SigningSecret)
        ),
        (Credential::Missing(var), Locale::Ja) => {
            format!("{} が設定されていません。{}を設定してください。", var.name(), wanted(var))
        }
        (Credential::Missing(var), Locale::En) => format!("{} is not set: set it to {}.", var.name(), wanted(var)),
        (Credential::Placeholder(var), Locale::Ja) => format!(
            "{} が見本の値 (replace-with-…) のままです。{}に置き換えてください。",
            var.name(),
            wanted(var)
        ),
        (Credential::Placeholder(var), Locale::En) => format!(
            "{} still holds the example's placeholder (replace-with-…): replace it with {}.",
            var.name(),
            wanted(var)
        ),
        (Credential::Quoted(var), Locale::Ja) => {
            format!("{} の値が引用符で囲まれています。引用符を外してください。", var.name())
        }
        (Credential::Quoted(var), Locale::En) => {
            format!("{} is in quotes: remove them (Slack's values have none).", var.name())
        }
        (Credential::WrongKind { var, found }, Locale::Ja) => format!(
            "{} の値は{}です。{}を設定してください。",
            var.name(),
            kind(found),
            wanted(var)
        ),
        (Credential::WrongKind { var, found }, Locale::En) => format!(
            "{} holds {}: it takes {}.",
            var.name(),
            kind(found),
            wanted(var)
        ),
    }
}

/// What a [`Warning`] means and what to do, for check-config and the start log.
pub fn warning(l: Locale, w: Warning) -> &'static str {
    match (w, l) {
        (Warning::NobodyHasAManager, Locale::Ja) => {
            "誰にも上司が設定されていません。[org.managers] か [org] の default_manager を設定するまで、トラブルを起票しても誰にも通知されません。"
        }
        (Warning::NobodyHasAManager, Locale::En) => {
            "no one has a manager: a trouble opened will ping nobody until [org.managers] or [org] default_manager is set."
        }
        (Warning::RustLogUnchecked, Locale::Ja) => {
            "RUST_LOG がログレベル（info など）でも target=level の指定でもないため、書かれたとおりにフィルタへ渡します。フィルタが知らない語（verbose など）はモジュール名と読まれ、ほかのログがすべて出なくなります。"
        }
        (Warning::DepartmentWithoutMembers, Locale::Ja) => {
            "members のない部門があります（上の部門の行で 0人）。その部門の Slack グループにはメンションが届きますが、トラブルのチャンネルには誰も招待されず、グループから来た人も参加者として記録できません。[departments.キー] の members に部門の人を並べてください。"
        }
        (Warning::DepartmentWithoutMembers, Locale::En) => {
            "a department lists no members (0 members in its line above): its Slack group is pinged, but nobody is invited to its troubles' channels, and nobody who comes from the group may record anything as a participant. List its people under [departments.KEY] members."
        }
        (Warning::CurrencyWithoutLimit, Locale::Ja) => {
            "[approval_limits] が JPY・USD・EUR の一部にしか限度額を設定していません。設定のない通貨の費用は、金額にかかわらず上司の系統の最上位が承認します。上司に承認させたい通貨には限度額を設定してください。"
        }
        (Warning::CurrencyWithoutLimit, Locale::En) => {
            "[approval_limits] sets a limit for some of JPY, USD and EUR but not all: a cost in a currency without one goes to the top of the manager chain, however small. Set a limit for each currency the manager should approve."
        }
        (Warning::RustLogUnchecked, Locale::En) => {
            "RUST_LOG is not a log level (like info) nor target=level directives, so it is passed to the log filter as written; a word the filter does not know (like verbose) reads as a module name and silences every other line."
        }
    }
}

/// One `label value` line, the values aligned (a Japanese character takes two columns).
fn line(out: &mut String, label: &str, value: String) {
    let width: usize = label.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    out.push_str(label);
    out.push_str(&" ".repeat(20usize.saturating_sub(width).max(1)));
    out.push_str(&value);
    out.push('\n');
}

/// `1 member`, `2 members`; Japanese counts have no plural (`2人`).
fn count(l: Locale, n: usize, ja_unit: &str, one: &str, many: &str) -> String {
    match l {
        Locale::Ja => format!("{n}{ja_unit}"),
        Locale::En if n == 1 => format!("1 {one}"),
        Locale::En => format!("{n} {many}"),
    }
}

/// What `check-slack` prints, in the configured locale: one line for each thing asked of Slack
/// (a problem says what to do about it), then how many problems there were.
pub fn check_slack_report(l: Locale, findings: &[crate::slack::check::Finding]) -> String {
    use crate::slack::check::{ChannelState, Finding};
    let t = |ja: &'static str, en: &'static str| if l == Locale::Ja { ja } else { en };
    let mut out = String::new();
    for f in findings {
        match f {
            Finding::Token { bot, team } => line(
                &mut out,
                t("トークン:", "token:"),
                match l {
                    Locale::Ja => format!("有効（ボット {bot}、ワークスペース {team}）"),
                    Locale::En => format!("works (bot {bot}, workspace {team})"),
                },
            ),
            Finding::NoToken { error } => line(
                &mut out,
                t("トークン:", "token:"),
                match l {
                    Locale::Ja => format!("✗ Slack に確認できません（{error}）。SLACK_BOT_TOKEN と SLACK_API_URL を確認してください。ほかの項目は確認していません。"),
                    Locale::En => format!("✗ Slack cannot be asked ({error}): check SLACK_BOT_TOKEN and SLACK_API_URL. Nothing else was checked."),
                },
            ),
            Finding::OtherTeam { configured, actual } => line(
                &mut out,
                t("ワークスペース:", "workspace:"),
                match l {
                    Locale::Ja => format!("✗ トークンはワークスペース {actual} のものですが、team_id は {configured} です。どちらかを直してください（このままでは Slack からの要求をすべて断ります）。"),
                    Locale::En => format!("✗ the token is for workspace {actual}, but team_id is {configured}: fix one (as it is, every request from Slack is refused)."),
                },
            ),
            Finding::Scopes { needed, missing } if missing.is_empty() => line(
                &mut out,
                t("権限:", "scopes:"),
                match l {
                    Locale::Ja => format!("必要な{needed}件すべてあります"),
                    Locale::En => format!("all {needed} the bot needs are granted"),
                },
            ),
            Finding::Scopes { missing, .. } => line(
                &mut out,
                t("権限:", "scopes:"),
                match l {
                    Locale::Ja => format!("✗ 次の権限がありません: {}。manifest.yml からアプリを作り直すか、OAuth & Permissions で追加して再インストールしてください（manifest のイベント購読も再インストールで有効になります）。", missing.join(", ")),
                    Locale::En => format!("✗ missing {}: update the app from manifest.yml (or add them under OAuth & Permissions) and reinstall it; reinstalling also turns on the manifest's event subscriptions.", missing.join(", ")),
                },
            ),
            Finding::Channel { id, severities, state } => {
                let label = match l {
                    Locale::Ja => format!("告知 {id}（重大度 {}）:", severities.join("、")),
                    Locale::En => format!("announce {id} (severity {}):", severities.join(", ")),
                };
                let state = match (state, l) {
                    (ChannelState::Ok { private: false }, Locale::Ja) => "投稿できます（公開）".to_string(),
                    (ChannelState::Ok { private: false }, Locale::En) => "can post (public)".to_string(),
                    (ChannelState::Ok { private: true }, Locale::Ja) => "投稿できます（非公開、ボット参加済み）".to_string(),
                    (ChannelState::Ok { private: true }, Locale::En) => "can post (private, the bot is in it)".to_string(),
                    (ChannelState::NotFound { error }, Locale::Ja) => format!("✗ 見つかりません（{error}）。ID の誤り、削除済み、またはボットのいない非公開チャンネルです。ボットを招待するか announce_channels を直してください。"),
                    (ChannelState::NotFound { error }, Locale::En) => format!("✗ not found ({error}): a mistyped id, a deleted channel, or a private one without the bot. Invite the bot or fix announce_channels."),
                    (ChannelState::Archived, Locale::Ja) => "✗ アーカイブされています。解除するか announce_channels から外してください。".to_string(),
                    (ChannelState::Archived, Locale::En) => "✗ archived: unarchive it or take it out of announce_channels.".to_string(),
                    (ChannelState::PrivateWithoutBot, Locale::Ja) => "✗ 非公開で、ボットが参加していません。告知は失敗します。チャンネルでボットを `/invite` してください。".to_string(),
                    (ChannelState::PrivateWithoutBot, Locale::En) => "✗ private, and the bot is not in it: announcements there fail. `/invite` the bot in the channel.".to_string(),
                    (ChannelState::SharedOutside, Locale::Ja) => "✗ 社外と共有されています（Slack コネクト）。告知は投稿されません。announce_channels から外してください。".to_string(),
                    (ChannelState::SharedOutside, Locale::En) => "✗ shared outside the company (Slack Connect): announcements are never posted there. Take it out of announce_channels.".to_string(),
                };
                line(&mut out, &label, state);
            }
            Finding::AppToken { error: None } => line(
                &mut out,
                t("アプリレベルトークン:", "app token:"),
                t("有効（ソケットモードで接続できます）", "works (Socket Mode can connect)").to_string(),
            ),
            Finding::AppToken { error: Some(error) } => line(
                &mut out,
                t("アプリレベルトークン:", "app token:"),
                match l {
                    Locale::Ja => format!("✗ Slack が受け付けません（{error}）。アプリの Basic Information → App-Level Tokens で connections:write 付きのトークンを作り、xapp-… を SLACK_APP_TOKEN に設定して再起動してください。それまで Slack からの要求は届きません。"),
                    Locale::En => format!("✗ Slack refuses it ({error}): generate an app-level token with the connections:write scope under the app's Basic Information → App-Level Tokens, put it, xapp-…, in SLACK_APP_TOKEN and restart; until then no request from Slack reaches the bot."),
                },
            ),
            Finding::People { checked, unreachable } => {
                let checked = count(l, *checked, "人", "person", "people");
                let summary = match (unreachable.len(), l) {
                    (0, Locale::Ja) => format!("{checked}を確認、全員に DM できます"),
                    (0, Locale::En) => format!("{checked} checked, the bot can DM each"),
                    (n, Locale::Ja) => format!("{checked}を確認、✗ {n}人に DM できません。`[org]` と部門の members を直してください:"),
                    (n, Locale::En) => format!("{checked} checked, ✗ the bot cannot DM {n}: fix them in `[org]` and the departments' members:"),
                };
                line(&mut out, t("[org] と部門の人:", "[org], departments:"), summary);
                for (who, error) in unreachable {
                    out.push_str(&format!("  - {who} ({error})\n"));
                }
            }
            Finding::UsergroupsNotChecked { ids } => line(
                &mut out,
                t("部門のユーザーグループ:", "department usergroups:"),
                match l {
                    Locale::Ja => format!("確認していません（{}。ボットに読む権限がありません）。Slack の「メンバー」→「ユーザーグループ」で各 ID を確かめてください（ID はグループのリンクにあります）。メンションで試すと部署全員に通知が届きます。", ids.join("、")),
                    Locale::En => format!("not checked ({}; the bot has no scope to read them): check each id in Slack under People → User groups (the id is in the group's link); mentioning one to test it notifies the whole department.", ids.join(", ")),
                },
            ),
        }
    }
    let problems = findings.iter().filter(|f| f.is_problem()).count();
    out.push_str(&match (problems, l) {
        (0, Locale::Ja) => "問題はありません。\n".to_string(),
        (0, Locale::En) => "No problems.\n".to_string(),
        (n, Locale::Ja) => format!("問題が{n}件あります。\n"),
        (n, Locale::En) => format!("{} found.\n", count(l, n, "", "problem", "problems")),
    });
    out
}
