//! The thin Web API client: bearer token, JSON bodies, Slack's `ok` envelope and 429s.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::Secret;
use crate::slack::blocks::{Block, Ephemeral, Rendered};
use crate::trouble::decide::DmRefusal;
use crate::trouble::model::{ChannelId, ChannelSeen, TroubleId, Ts, UserId};

/// What a post carries in its metadata so it can be found again: the outbox items it delivers
/// (several when troubles share one message) and the troubles it speaks of.
#[derive(Clone, Debug, Default)]
pub struct Marker {
    pub deliveries: Vec<u64>,
    pub troubles: Vec<TroubleId>,
}

impl Marker {
    fn metadata(&self) -> serde_json::Value {
        let join = |parts: Vec<String>| parts.join(",");
        let deliveries = join(self.deliveries.iter().map(u64::to_string).collect());
        let mut payload = json!({ "delivery": deliveries });
        // A message of one trouble needs no list: the trouble whose item found it is the one.
        if self.troubles.len() > 1 {
            payload["troubles"] = json!(join(self.troubles.iter().map(|t| t.as_str().to_string()).collect()));
        }
        json!({"event_type": "trouble_bot_delivery", "event_payload": payload})
    }
}

/// The body of `chat.postMessage` and `chat.update`, borrowing the rendered message rather than
/// copying its blocks into a `Value` first.
#[derive(Serialize)]
struct MessageBody<'a> {
    channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<&'a Ts>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<&'a [Block]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_ts: Option<&'a Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unfurl_links: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
}

/// Slack's envelope, read before the answer itself: every other field is skipped, not built.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    ok: bool,
    #[serde(borrow, default)]
    error: Option<std::borrow::Cow<'a, str>>,
}

/// What a post's answer says of it (Slack echoes the whole message besides: skipped).
#[derive(Deserialize)]
struct PostAnswer {
    channel: Option<String>,
    ts: Option<String>,
}

/// What `conversations.create` answers of the channel it made.
#[derive(Deserialize)]
struct CreateAnswer {
    channel: Option<CreatedChannel>,
}

#[derive(Default, Deserialize)]
struct CreatedChannel {
    id: Option<String>,
    name: Option<String>,
}

/// What `users.info` answers of a person's names.
#[derive(Deserialize)]
struct UserAnswer {
    user: Option<UserInfo>,
}

#[derive(Deserialize)]
struct UserInfo {
    profile: Option<Profile>,
    /// A deactivated account: someone who left.
    #[serde(default)]
    deleted: bool,
    /// Their workspace: another organisation's for a customer met through Slack Connect.
    team_id: Option<String>,
    enterprise_user: Option<EnterpriseUser>,
    /// The time zone their Slack is set to (IANA name), to say in which zone a DM's times are.
    #[serde(default)]
    tz: Option<String>,
}

/// Of someone on an Enterprise Grid org: which org.
#[derive(Deserialize)]
struct EnterpriseUser {
    enterprise_id: Option<String>,
}

#[derive(Default, Deserialize)]
struct Profile {
    display_name: Option<String>,
    real_name: Option<String>,
    /// The status its owner set (`🌴 On vacation`): read for an absence, never shown.
    /// Options: a field Slack sends as `null` reads as none rather than failing the answer.
    status_text: Option<String>,
    status_emoji: Option<String>,
    /// When Slack clears the status (Unix seconds; 0: never).
    status_expiration: Option<i64>,
}

/// What `users.info` says of someone the bot asks to act: whether they left, and their status.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PersonSeen {
    pub deactivated: bool,
    pub status_text: String,
    pub status_emoji: String,
    /// Unix seconds; 0: never.
    pub status_expiration: i64,
    /// Their workspace and Enterprise Grid org, as Slack gives them (another organisation's for
    /// someone met through Slack Connect).
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
    /// The time zone their Slack is set to (`America/Los_Angeles`), when Slack says.
    pub zone: Option<String>,
}

/// What `conversations.info` answers of whether a channel is shared outside the organisation.
#[derive(Deserialize)]
struct InfoAnswer {
    channel: Option<SharedFlags>,
}

#[derive(Deserialize)]
struct SharedFlags {
    #[serde(default)]
    is_ext_shared: bool,
    #[serde(default)]
    is_pending_ext_shared: bool,
}

/// What `team.info` answers of a workspace or organisation: its name.
#[derive(Deserialize)]
struct TeamAnswer {
    team: Option<TeamName>,
}

#[derive(Deserialize)]
struct TeamName {
    #[serde(default)]
    name: Option<String>,
}

/// What `conversations.info` answers of whether the bot can post in a channel.
#[derive(Deserialize)]
struct ReachAnswer {
    channel: Option<ReachFlags>,
}

#[derive(Deserialize)]
struct ReachFlags {
    #[serde(default)]
    is_archived: bool,
    /// A channel's name as Slack shows it now (none for a DM).
    #[serde(default)]
    name: Option<String>,
    /// Absent for a conversation the bot is in by nature (a DM): taken as in.
    #[serde(default = "yes")]
    is_member: bool,
}

fn yes() -> bool {
    true
}

/// A message found by its marker.
#[derive(Clone, Debug, PartialEq)]
pub struct Marked {
    pub channel: ChannelId,
    pub ts: Ts,
    /// Every trouble the message speaks of, when it speaks of several.
    pub troubles: Vec<TroubleId>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SlackError {
    /// HTTP 200 with `"ok": false`.
    #[error("{method}: {error}")]
    Api { method: String, error: String },
    #[error("{method}: rate limited, retry after {retry_after:?}")]
    RateLimited { method: String, retry_after: Duration },
    #[error("{method}: HTTP {status}")]
    Http { method: String, status: u16 },
    #[error("{method}: {detail}")]
    Network { method: String, detail: String },
}

/// Errors Slack documents as passing: worth another try.
const TRANSIENT_ERRORS: &[&str] = &[
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
    "rate_limited",
    "team_added_to_org",
];

/// Errors with which Slack refuses the bot's token itself (revoked, expired, the app
/// uninstalled, the bot user deactivated, the workspace or network shut to it): every call
/// fails alike until an admin mends it, so a call refused so waits rather than being dropped.
const TOKEN_REFUSED_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "org_login_required",
    "ekm_access_denied",
    "accesslimited",
];

/// What `conversations.open` and `chat.postMessage` answer a DM to nobody Slack can write to.
const NO_SUCH_PERSON: &[&str] = &["channel_not_found", "user_not_found", "user_disabled", "cannot_dm_bot"];

/// What they answer a DM to someone who is there but whom the bot may not reach: a guest or
/// someone else it cannot see, someone outside the workspaces it is in; or, for the one
/// conversation, `no_permission` (Slack: the app is to be a member of it), which says nothing of
/// anyone else's DM, so it is told of one person at a time.
const NOT_VISIBLE: &[&str] = &["user_not_visible", "invalid_user_combination", "no_permission"];

/// What they answer when the app itself may not DM anyone: a bot scope missing (`im:write`,
/// `chat:write`), the wrong kind of token, a workspace preference that keeps the bot from
/// posting (`restricted_action`, about the bot, never its reader). An install or workspace
/// setting for a Slack admin to mend.
const APP_LACKS_PERMISSION: &[&str] = &["missing_scope", "not_allowed_token_type", "restricted_action"];

impl SlackError {
    /// A permanent error will fail the same way on every retry (bad scope, unknown channel, …).
    pub fn is_permanent(&self) -> bool {
        match self {
            SlackError::Api { error, .. } => {
                !TRANSIENT_ERRORS.contains(&error.as_str()) && !TOKEN_REFUSED_ERRORS.contains(&error.as_str())
            }
            SlackError::Http { status, .. } => (400..500).contains(status) && *status != 408 && *status != 429,
            SlackError::RateLimited { .. } | SlackError::Network { .. } => false,
        }
    }
    /// Whether Slack may have acted on the call although we saw an error (timeouts, 5xx).
    pub fn is_ambiguous(&self) -> bool {
        match self {
            SlackError::Network { detail, .. } => detail != "could not connect",
            SlackError::Http { status, .. } => *status >= 500,
            SlackError::Api { error, .. } => {
                error == "internal_error" || error == "fatal_error" || error == "request_timeout"
            }
            SlackError::RateLimited { .. } => false,
        }
    }

    /// Why a DM failed for good, when it is for want of someone to write to or of leave to, in
    /// the class the owner is told of: Slack has nobody there (no such user, or one whose DM
    /// cannot be opened, a bot, or someone who left: refused by the bot itself); someone the bot
    /// may not reach (a guest it cannot see, someone of another workspace of the organisation,
    /// a workspace setting); or the app itself lacking a permission, so that every DM fails
    /// alike. None for any other error (one of the message's own, say). Asked only of a DM: for
    /// a channel post `channel_not_found` means the channel. Slack's codes are classed here only.
    pub fn dm_refusal(&self) -> Option<DmRefusal> {
        let SlackError::Api { error, .. } = self else {
            return None;
        };
        let error = error.as_str();
        if NO_SUCH_PERSON.contains(&error) || error == super::people::DEACTIVATED {
            Some(DmRefusal::NoSuchPerson)
        } else if NOT_VISIBLE.contains(&error) {
            Some(DmRefusal::NotVisible)
        } else if APP_LACKS_PERMISSION.contains(&error) {
            Some(DmRefusal::AppLacksPermission)
        } else {
            None
        }
    }

    /// Whether a call in a channel failed for good because the bot cannot post there now: the
    /// channel archived, or the bot removed from it (a private channel is then not found).
    pub fn channel_unavailable(&self) -> bool {
        matches!(self, SlackError::Api { error, .. }
            if ["is_archived", "not_in_channel", "channel_not_found"].contains(&error.as_str()))
    }

    /// Whether Slack refused the token the call carried (see [`TOKEN_REFUSED_ERRORS`]).
    pub fn refuses_token(&self) -> bool {
        self.token_refusal().is_some()
    }

    /// The error with which Slack refused the token the call carried, if it did.
    fn token_refusal(&self) -> Option<&'static str> {
        match self {
            SlackError::Api { error, .. } => TOKEN_REFUSED_ERRORS.iter().find(|e| **e == error.as_str()).copied(),
            _ => None,
        }
    }

    /// Whether the way to Slack failed, rather than Slack answering this call: no connection,
    /// no answer in time, or a 5xx from Slack's edge. Every call would fail alike meanwhile.
    pub fn is_unreachable(&self) -> bool {
        match self {
            SlackError::Network { .. } => true,
            SlackError::Http { status, .. } => *status >= 500,
            SlackError::Api { .. } | SlackError::RateLimited { .. } => false,
        }
    }

    pub fn code(&self) -> String {
        match self {
            SlackError::Api { error, .. } => error.clone(),
            SlackError::RateLimited { .. } => "ratelimited".into(),
            SlackError::Http { status, .. } => format!("http_{status}"),
            SlackError::Network { .. } => "network".into(),
        }
    }
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SlackError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// The Web API methods the bot calls, whose URLs are parsed once (see [`SlackClient::call_as`]).
const METHODS: &[&str] = &[
    "apps.connections.open",
    "auth.test",
    "chat.delete",
    "chat.postMessage",
    "chat.update",
    "conversations.create",
    "conversations.history",
    "conversations.info",
    "conversations.invite",
    "conversations.list",
    "conversations.members",
    "conversations.open",
    "conversations.rename",
    "conversations.replies",
    "pins.add",
    "team.info",
    "users.info",
    "views.open",
    "views.publish",
];

/// The methods among [`METHODS`] that read query or form arguments only (Slack's OpenAPI spec:
/// `get`, consuming `application/x-www-form-urlencoded` alone). Slack drops a JSON body to them
/// unread and answers as though the call had none: `channel_not_found` for a channel that is
/// there, `invalid_arguments`, or the first page again whatever the cursor.
const FORM_ONLY: &[&str] = &[
    "conversations.history",
    "conversations.info",
    "conversations.list",
    "conversations.members",
    "conversations.replies",
    "team.info",
    "users.info",
];

/// `Bearer <token>` as a header value hidden from debug output; None for a token no header can
/// carry (`bearer_auth` then fails the call, as it always did).
fn bearer(token: &Secret) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// How many pages of 200 messages a look for an earlier post reads at most (the channel's
/// messages since the call was queued; beyond, posting again beats reading on for ever).
const MARKED_PAGES: usize = 25;

/// How long `views.open` may take: its trigger id is only valid for 3 s.
const OPEN_VIEW_TIMEOUT: Duration = Duration::from_secs(2);

/// Idle connections kept to Slack: as many as the calls the deliverer lets be in flight at
/// once (64 delivery slots and the DM lane's 192; `runtime::pacer` checks it), so each comes
/// back to the pool.
pub(crate) const POOL_IDLE_PER_HOST: usize = 256;

#[derive(Clone)]
pub struct SlackClient {
    http: reqwest::Client,
    base: String,
    /// The URL of each method the bot calls, parsed once: parsing a URL (host and IDNA
    /// included) on every call cost a visible share of a delivery's CPU.
    urls: std::sync::Arc<HashMap<&'static str, reqwest::Url>>,
    token: Secret,
    /// `Authorization` with the bot token, built once (marked sensitive: never logged).
    bearer: Option<HeaderValue>,
    /// `slack_timeout`: after this, a call may still reach Slack, but no later.
    pub timeout: Duration,
    /// Slack's answers so far (any status below 500): how the deliverer knows Slack can be
    /// reached again, whatever the call that heard it.
    answers: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// What Slack last said of the bot token: the error it refused it with, or None once a
    /// call carrying it was answered otherwise (see [`SlackClient::token_refused`]).
    token_refused: std::sync::Arc<TokenRefused>,
}

/// The error Slack last refused the bot token with, as 1 + its index in
/// [`TOKEN_REFUSED_ERRORS`] (0 while accepted): every call's answer sets it without a lock.
#[derive(Default)]
struct TokenRefused(std::sync::atomic::AtomicUsize);

impl TokenRefused {
    fn get(&self) -> Option<&'static str> {
        let index = self.0.load(std::sync::atomic::Ordering::Relaxed);
        TOKEN_REFUSED_ERRORS.get(index.checked_sub(1)?).copied()
    }

    /// Records what a call carrying the bot token heard: the error if Slack refused the token
    /// with it, None if it answered otherwise.
    fn heard(&self, refused_with: Option<&'static str>) {
        let index = refused_with
            .and_then(|e| TOKEN_REFUSED_ERRORS.iter().position(|known| *known == e))
            .map_or(0, |i| i + 1);
        // Read first: nearly every answer finds it as it was, and a store bounces its cache line.
        if self.0.load(std::sync::atomic::Ordering::Relaxed) == index {
            return;
        }
        match (self.0.swap(index, std::sync::atomic::Ordering::Relaxed), refused_with) {
            (0, Some(error)) => tracing::error!(
                error,
                "Slack refuses the bot token: every call waits until it takes it again (put the app's \
                 Bot User OAuth Token, xoxb-…, in the SLACK_BOT_TOKEN environment variable, under systemd \
                 in /etc/trouble-bot/trouble-bot.env, and restart; reinstall the app first if the token \
                 was revoked)"
            ),
            (_, None) => tracing::info!("Slack takes the bot token again"),
            _ => {}
        }
    }
}

/// What the bot learns about itself at start-up.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: UserId,
    pub bot_id: Option<String>,
    /// The workspace (and the Enterprise Grid org, on one) the bot is installed in: a request
    /// from someone of another organisation (Slack Connect) is told apart by it.
    pub team_id: Option<String>,
    pub enterprise_id: Option<String>,
}

impl Identity {
    /// Whether Slack shows message `m` as posted by this bot (its user, or its bot id).
    fn posted(&self, m: &Value) -> bool {
        m["user"].as_str() == Some(self.user_id.as_str())
            || self.bot_id.as_deref().is_some_and(|b| m["bot_id"].as_str() == Some(b))
    }
}

impl SlackClient {
    pub fn new(base: &str, token: Secret, timeout: Duration) -> SlackClient {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            // Every call in flight may come back to the pool: the DM lane is not bounded by
            // the delivery slots, and a connection dropped for want of room is a new one later.
            .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
            .build()
            .expect("the HTTP client builds with rustls");
        let mut base = base.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        let urls = METHODS
            .iter()
            .filter_map(|m| Some((*m, reqwest::Url::parse(&format!("{base}{m}")).ok()?)))
            .collect();
        SlackClient {
            http,
            base,
            urls: std::sync::Arc::new(urls),
            bearer: bearer(&token),
            token,
            timeout,
            answers: Default::default(),
            token_refused: Default::default(),
        }
    }

    /// The error with which Slack refused the bot token on the last call that carried it (None
    /// while it is accepted, or before any call): nobody hears from the bot meanwhile.
    pub fn token_refused(&self) -> Option<&'static str> {
        self.token_refused.get()
    }

    /// Slack said (an event) that the bot token was revoked or the app uninstalled: known
    /// before any call hears it, so nobody is told meanwhile that their manager is being told.
    pub fn token_revoked(&self) {
        self.token_refused.heard(Some("token_revoked"));
    }

    /// How many answers Slack has given this client (see `answers`).
    pub fn answers(&self) -> u64 {
        self.answers.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts an answer with `status`: a 5xx is the way to Slack failing, not Slack's answer.
    fn heard(&self, status: u16) {
        if status < 500 {
            self.answers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Calls a Web API method with a JSON body and checks Slack's envelope.
    pub async fn call(&self, method: &str, body: &impl Serialize) -> Result<Value, SlackError> {
        self.call_for(method, body).await
    }

    /// `call`, reading of the answer only what `A` names: the calls of a delivery hear back a
    /// message or a channel they read one or two fields of, and building the whole answer as
    /// a `Value` (and dropping it) cost more than the rest of reading it.
    async fn call_for<A: DeserializeOwned>(&self, method: &str, body: &impl Serialize) -> Result<A, SlackError> {
        self.call_as(&self.token, method, body, None).await
    }

    /// `call` with `token` (the app-level token opens sockets), read as `A`, giving up after
    /// `limit` rather than `slack_timeout` when one is given.
    async fn call_as<A: DeserializeOwned>(
        &self,
        token: &Secret,
        method: &str,
        body: &impl Serialize,
        limit: Option<Duration>,
    ) -> Result<A, SlackError> {
        let answer = self.answer(token, method, body, limit).await?;
        serde_json::from_slice(&answer).map_err(|e| unreadable(method, &e))
    }

    /// The bot token's scopes as Slack lists them with every answer (`x-oauth-scopes`), asked
    /// with `auth.test`, and that answer: None when Slack did not say.
    pub async fn auth_test_and_scopes(&self) -> Result<(Value, Option<Vec<String>>), SlackError> {
        let method = "auth.test";
        let response = self.send(&self.token, method, &json!({}), None).await?;
        let scopes = response
            .headers()
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
        let answer = self.envelope(method, true, response).await?;
        let answer = serde_json::from_slice(&answer).map_err(|e| unreadable(method, &e))?;
        Ok((answer, scopes))
    }

    /// Makes the call and checks Slack's envelope: the answer's bytes when `ok`.
    async fn answer(
        &self,
        token: &Secret,
        method: &str,
        body: &impl Serialize,
        limit: Option<Duration>,
    ) -> Result<bytes::Bytes, SlackError> {
        let response = self.send(token, method, body, limit).await?;
        self.envelope(method, std::ptr::eq(token, &self.token), response).await
    }

    /// Makes the call: Slack's response when it answered 2xx.
    async fn send(
        &self,
        token: &Secret,
        method: &str,
        body: &impl Serialize,
        limit: Option<Duration>,
    ) -> Result<reqwest::Response, SlackError> {
        let request = match self.urls.get(method) {
            Some(url) => self.http.post(url.clone()),
            None => self.http.post(format!("{}{method}", self.base)),
        };
        let bot_token = std::ptr::eq(token, &self.token);
        let auth = if bot_token { self.bearer.clone() } else { bearer(token) };
        let request = match auth {
            Some(auth) => request.header(AUTHORIZATION, auth),
            None => request.bearer_auth(token.expose()),
        };
        let mut request = if FORM_ONLY.contains(&method) {
            request.form(body)
        } else {
            request.json(body)
        };
        if let Some(limit) = limit {
            request = request.timeout(limit);
        }
        let response = request.send().await.map_err(|e| SlackError::Network {
            method: method.into(),
            detail: network_detail(&e),
        })?;
        let status = response.status().as_u16();
        self.heard(status);
        if status == 429 {
            return Err(SlackError::RateLimited {
                method: method.into(),
                retry_after: retry_after(&response, METHOD_WAIT_CAP),
            });
        }
        if !(200..300).contains(&status) {
            return Err(SlackError::Http {
                method: method.into(),
                status,
            });
        }
        Ok(response)
    }

    /// Reads a response's envelope: the answer's bytes when `ok`. What Slack says of the bot
    /// token (`bot_token`: it was the one used) is noted.
    async fn envelope(
        &self,
        method: &str,
        bot_token: bool,
        response: reqwest::Response,
    ) -> Result<bytes::Bytes, SlackError> {
        let answer = response.bytes().await.map_err(|e| SlackError::Network {
            method: method.into(),
            detail: network_detail(&e),
        })?;
        let envelope: Envelope = serde_json::from_slice(&answer).map_err(|e| unreadable(method, &e))?;
        if envelope.ok {
            if bot_token {
                self.token_refused.heard(None);
            }
            return Ok(answer);
        }
        let error = SlackError::Api {
            method: method.into(),
            error: envelope.error.as_deref().unwrap_or("unknown_error").to_string(),
        };
        if bot_token {
            self.token_refused.heard(error.token_refusal());
        }
        Err(error)
    }

    /// Posts to a `response_url` (no token: the URL itself is the credential).
    pub async fn respond(&self, url: &str, rendered: &Rendered, replace: bool) -> Result<(), SlackError> {
        let body = Ephemeral {
            replace_original: Some(replace),
            ..Ephemeral::of(rendered)
        };
        let response = self
            .http
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| SlackError::Network {
                method: "response_url".into(),
                detail: network_detail(&e),
            })?;
        let status = response.status().as_u16();
        self.heard(status);
        match status {
            // Slack answers `ok`; an answer in its JSON envelope saying otherwise is a refusal.
            200..=299 => match response.json::<Value>().await.ok().filter(|v| v["ok"] == false) {
                Some(refused) => Err(SlackError::Api {
                    method: "response_url".into(),
                    error: refused["error"].as_str().unwrap_or("unknown").to_string(),
                }),
                None => Ok(()),
            },
            429 => Err(SlackError::RateLimited {
                method: "response_url".into(),
                retry_after: retry_after(&response, RESPOND_WAIT_CAP),
            }),
            _ => Err(SlackError::Http {
                method: "response_url".into(),
                status,
            }),
        }
    }

    /// A fresh Socket Mode URL (`wss://…`, valid once), asked with the app-level token.
    pub async fn open_connection(&self, app_token: &Secret) -> Result<String, SlackError> {
        let v: Value = self
            .call_as(app_token, "apps.connections.open", &json!({}), None)
            .await?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| SlackError::Api {
                method: "apps.connections.open".into(),
                error: "no_url".into(),
            })
    }

    /// The name Slack shows for `user`: their display name, else their full name; None when
    /// they have neither.
    pub async fn user_name(&self, user: &str) -> Result<Option<String>, SlackError> {
        let answer: UserAnswer = self.call_for("users.info", &json!({"user": user})).await?;
        let profile = answer.user.and_then(|u| u.profile).unwrap_or_default();
        Ok([profile.display_name, profile.real_name]
            .into_iter()
            .flatten()
            .find(|name| !name.trim().is_empty()))
    }

    /// Whether `user`'s account is deactivated (someone who left); not for an id Slack does not
    /// know, which a DM finds out for itself.
    pub async fn is_deactivated(&self, user: &str) -> Result<bool, SlackError> {
        Ok(self.person_seen(user).await?.deactivated)
    }

    /// Whether `user`'s account is deactivated, and the status they set, in one `users.info`.
    /// Nobody by that id is someone who has not left, with no status.
    pub async fn person_seen(&self, user: &str) -> Result<PersonSeen, SlackError> {
        match self.call_for::<UserAnswer>("users.info", &json!({"user": user})).await {
            Ok(UserAnswer { user: Some(u) }) => {
                let profile = u.profile.unwrap_or_default();
                Ok(PersonSeen {
                    deactivated: u.deleted,
                    status_text: profile.status_text.unwrap_or_default(),
                    status_emoji: profile.status_emoji.unwrap_or_default(),
                    status_expiration: profile.status_expiration.unwrap_or_default(),
                    team_id: u.team_id,
                    enterprise_id: u.enterprise_user.and_then(|e| e.enterprise_id),
                    zone: u.tz,
                })
            }
            Ok(UserAnswer { user: None }) => Ok(PersonSeen::default()),
            Err(SlackError::Api { error, .. }) if error == "user_not_found" => Ok(PersonSeen::default()),
            Err(e) => Err(e),
        }
    }

    /// Whether a channel is shared with another organisation (Slack Connect), or invited to be.
    pub async fn is_externally_shared(&self, channel: &ChannelId) -> Result<bool, SlackError> {
        let info: InfoAnswer = self
            .call_for("conversations.info", &json!({"channel": channel.as_str()}))
            .await?;
        Ok(info.channel.is_some_and(|c| c.is_ext_shared || c.is_pending_ext_shared))
    }

    /// Whether the bot can post in `channel`, and if not, what Slack shows of it.
    pub async fn channel_seen(&self, channel: &ChannelId) -> Result<ChannelSeen, SlackError> {
        match self
            .call_for::<ReachAnswer>("conversations.info", &json!({"channel": channel.as_str()}))
            .await
        {
            Ok(ReachAnswer { channel: Some(c) }) if c.is_archived => Ok(ChannelSeen::Archived),
            Ok(ReachAnswer { channel: Some(c) }) if !c.is_member => Ok(ChannelSeen::BotOut),
            Ok(_) => Ok(ChannelSeen::Usable),
            Err(SlackError::Api { error, .. }) if error == "channel_not_found" => Ok(ChannelSeen::NotFound),
            Err(e) => Err(e),
        }
    }

    pub async fn auth_test(&self) -> Result<Identity, SlackError> {
        let v = self.call("auth.test", &json!({})).await?;
        Ok(Identity {
            user_id: UserId::new(v.get("user_id").and_then(Value::as_str).unwrap_or_default()),
            bot_id: v.get("bot_id").and_then(Value::as_str).map(str::to_string),
            team_id: v.get("team_id").and_then(Value::as_str).map(str::to_string),
            enterprise_id: v.get("enterprise_id").and_then(Value::as_str).map(str::to_string),
        })
    }

    pub async fn create_channel(&self, name: &str, private: bool) -> Result<(ChannelId, String), SlackError> {
        let answer: CreateAnswer = self
            .call_for("conversations.create", &json!({"name": name, "is_private": private}))
            .await?;
        let channel = answer.channel.unwrap_or_default();
        Ok((
            ChannelId::new(channel.id.unwrap_or_default()),
            channel.name.unwrap_or_else(|| name.to_string()),
        ))
    }

    /// The name of workspace or organisation `team` (`T…`, `E…`) as Slack shows it (team:read);
    /// None when Slack gives none.
    pub async fn team_name(&self, team: &str) -> Result<Option<String>, SlackError> {
        let answer: TeamAnswer = self.call_for("team.info", &json!({"team": team})).await?;
        Ok(answer.team.and_then(|t| t.name))
    }

    /// The channel's name as Slack shows it now: None for a conversation without one.
    pub async fn channel_name(&self, channel: &ChannelId) -> Result<Option<String>, SlackError> {
        let answer: ReachAnswer = self
            .call_for("conversations.info", &json!({"channel": channel.as_str()}))
            .await?;
        Ok(answer.channel.and_then(|c| c.name))
    }

    /// Renames `channel` (channels:manage, or groups:write for a private one); the name Slack gave it.
    pub async fn rename_channel(&self, channel: &ChannelId, name: &str) -> Result<String, SlackError> {
        let answer: CreateAnswer = self
            .call_for("conversations.rename", &json!({"channel": channel, "name": name}))
            .await?;
        Ok(answer.channel.and_then(|c| c.name).unwrap_or_else(|| name.to_string()))
    }

    pub async fn invite(&self, channel: &ChannelId, users: &[UserId]) -> Result<(), SlackError> {
        let users = users.iter().map(UserId::as_str).collect::<Vec<_>>().join(",");
        let body = json!({"channel": channel, "users": users, "force": true});
        // Inviting people who are already there is what we wanted anyway.
        self.call_for_state(
            "conversations.invite",
            &body,
            &["already_in_channel", "cant_invite_self"],
        )
        .await
    }

    /// Whether each of `people` is a member of `channel` now, as `conversations.members` lists
    /// it (page by page, 200 a page: a trouble's channel holds a few dozen at most).
    pub async fn members_among(&self, channel: &ChannelId, people: &[&UserId]) -> Result<Vec<bool>, SlackError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            members: Vec<String>,
            #[serde(default)]
            response_metadata: Option<Cursor>,
        }
        #[derive(Deserialize)]
        struct Cursor {
            #[serde(default)]
            next_cursor: String,
        }
        let mut found = vec![false; people.len()];
        let mut cursor = String::new();
        loop {
            let mut body = json!({"channel": channel.as_str(), "limit": 200});
            if !cursor.is_empty() {
                body["cursor"] = json!(cursor);
            }
            let page: Page = self.call_for("conversations.members", &body).await?;
            for member in &page.members {
                for (seen, who) in found.iter_mut().zip(people) {
                    *seen |= who.as_str() == member;
                }
            }
            cursor = page.response_metadata.map(|m| m.next_cursor).unwrap_or_default();
            if cursor.is_empty() || found.iter().all(|f| *f) {
                return Ok(found);
            }
        }
    }

    /// Takes `user` out of `channel`: one who already left is where we wanted them.
    pub async fn kick(&self, channel: &ChannelId, user: &UserId) -> Result<(), SlackError> {
        let body = json!({"channel": channel, "user": user});
        self.call_for_state("conversations.kick", &body, &["not_in_channel"])
            .await
    }

    /// A call made for the state it leaves: the `errors` Slack answers when that state holds
    /// already are success.
    async fn call_for_state(&self, method: &str, body: &Value, errors: &[&str]) -> Result<(), SlackError> {
        match self.call_for::<IgnoredAny>(method, body).await {
            Err(SlackError::Api { error, .. }) if errors.contains(&error.as_str()) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Posts a message; `marker` (its metadata) marks it as ours so a re-send after a crash can
    /// be detected.
    /// Posts `rendered`; should Slack refuse its blocks (a Block Kit rule the bot's builders do
    /// not model, a size Slack counts differently), posts what they say as text alone, without
    /// buttons: a trouble's message reaches its channel or its reader plainer, rather than not
    /// at all (a kickoff's thread still takes the acknowledgement).
    pub async fn post_message(
        &self,
        channel: &str,
        rendered: &Rendered,
        thread_ts: Option<&Ts>,
        marker: Option<&Marker>,
    ) -> Result<(ChannelId, Ts), SlackError> {
        match self.post_once(channel, rendered, thread_ts, marker).await {
            Err(e) if blocks_refused(rendered, &e) => {
                tracing::warn!(channel, error = %e, "Slack refused the message's blocks: posting its text alone");
                self.post_once(channel, &rendered.text_alone(), thread_ts, marker).await
            }
            other => other,
        }
    }

    async fn post_once(
        &self,
        channel: &str,
        rendered: &Rendered,
        thread_ts: Option<&Ts>,
        marker: Option<&Marker>,
    ) -> Result<(ChannelId, Ts), SlackError> {
        let body = MessageBody {
            channel,
            ts: None,
            text: &rendered.text,
            blocks: rendered.blocks.as_deref(),
            thread_ts,
            unfurl_links: Some(false),
            metadata: marker.map(Marker::metadata),
        };
        let posted: PostAnswer = self.call_for("chat.postMessage", &body).await?;
        Ok((
            ChannelId::new(posted.channel.as_deref().unwrap_or(channel)),
            Ts::new(posted.ts.unwrap_or_default()),
        ))
    }

    /// Finds a message this bot (`own`) posted for outbox item `delivery` (after a crash or an
    /// ambiguous error), alone or combined with others, so it is not posted twice. `channel` may
    /// be a user id (a DM). Looks back from `since`. Only the bot's own message counts: anyone
    /// in the channel could post another app's message carrying the same marker, and it would
    /// stand in for the kickoff (pinned, with no Acknowledge button) or a mention never posted.
    pub async fn find_marked(
        &self,
        channel: &str,
        thread_ts: Option<&Ts>,
        delivery: u64,
        since: i64,
        own: &Identity,
    ) -> Result<Option<Marked>, SlackError> {
        let channel = if channel.starts_with('U') || channel.starts_with('W') {
            let v = self.call("conversations.open", &json!({"users": channel})).await?;
            v["channel"]["id"].as_str().unwrap_or(channel).to_string()
        } else {
            channel.to_string()
        };
        let oldest = format!("{}.000000", since.saturating_sub(60));
        let (method, mut args) = match thread_ts {
            Some(ts) => (
                "conversations.replies",
                json!({"channel": channel, "ts": ts, "oldest": oldest, "limit": 200, "include_all_metadata": true}),
            ),
            None => (
                "conversations.history",
                json!({"channel": channel, "oldest": oldest, "limit": 200, "include_all_metadata": true}),
            ),
        };
        let wanted = delivery.to_string();
        // Every page since the call was queued: history lists the newest first, so a call that
        // went long after its queueing (an outage) in a busy channel sits pages back.
        let mut found = None;
        for _ in 0..MARKED_PAGES {
            let v = self.call(method, &args).await?;
            found = v["messages"].as_array().into_iter().flatten().find_map(|m| {
                let listed = m["metadata"]["event_payload"]["delivery"].as_str().unwrap_or_default();
                (listed.split(',').any(|d| d == wanted) && own.posted(m)).then(|| m.clone())
            });
            let next = v["response_metadata"]["next_cursor"].as_str().unwrap_or_default();
            if found.is_some() || next.is_empty() {
                break;
            }
            args["cursor"] = json!(next);
        }
        Ok(found.and_then(|m| {
            let troubles = m["metadata"]["event_payload"]["troubles"]
                .as_str()
                .unwrap_or_default()
                .split(',')
                .filter(|t| !t.is_empty())
                .map(TroubleId::new)
                .collect();
            Some(Marked {
                channel: ChannelId::new(&channel),
                ts: Ts::new(m["ts"].as_str()?),
                troubles,
            })
        }))
    }

    /// A channel named `name` that this bot (`bot_user`) created (after a crash or an ambiguous
    /// error): never one someone created under the name the bot would give, in advance.
    pub async fn find_own_channel(&self, name: &str, bot_user: &UserId) -> Result<Option<ChannelId>, SlackError> {
        let mut cursor = String::new();
        for _ in 0..50 {
            let mut args = json!({"types": "public_channel,private_channel", "exclude_archived": true, "limit": 1000});
            if !cursor.is_empty() {
                args["cursor"] = json!(cursor);
            }
            let v = self.call("conversations.list", &args).await?;
            let found = v["channels"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["name"] == name && c["creator"].as_str() == Some(bot_user.as_str()));
            if let Some(c) = found {
                return Ok(c["id"].as_str().map(ChannelId::new));
            }
            cursor = v["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if cursor.is_empty() {
                break;
            }
        }
        Ok(None)
    }

    /// Edits a message to `rendered`, or to its text alone should Slack refuse its blocks (see
    /// [`Self::post_message`]).
    pub async fn update_message(&self, channel: &ChannelId, ts: &Ts, rendered: &Rendered) -> Result<(), SlackError> {
        match self.update_once(channel, ts, rendered).await {
            Err(e) if blocks_refused(rendered, &e) => {
                tracing::warn!(channel = %channel, error = %e, "Slack refused the edit's blocks: editing to its text alone");
                self.update_once(channel, ts, &rendered.text_alone()).await
            }
            other => other,
        }
    }

    async fn update_once(&self, channel: &ChannelId, ts: &Ts, rendered: &Rendered) -> Result<(), SlackError> {
        let body = MessageBody {
            channel: channel.as_str(),
            ts: Some(ts),
            text: &rendered.text,
            blocks: rendered.blocks.as_deref(),
            thread_ts: None,
            unfurl_links: None,
            metadata: None,
        };
        self.call_for::<IgnoredAny>("chat.update", &body).await.map(drop)
    }

    /// Deletes a message the bot posted (`chat.delete`, under `chat:write`).
    pub async fn delete_message(&self, channel: &ChannelId, ts: &Ts) -> Result<(), SlackError> {
        let body = json!({"channel": channel, "ts": ts});
        self.call_for::<IgnoredAny>("chat.delete", &body).await.map(drop)
    }

    pub async fn pin(&self, channel: &ChannelId, ts: &Ts) -> Result<(), SlackError> {
        let body = json!({"channel": channel, "timestamp": ts});
        self.call_for_state("pins.add", &body, &["already_pinned"]).await
    }

    pub async fn publish_home(&self, user: &UserId, view: &Value) -> Result<(), SlackError> {
        self.call_for::<IgnoredAny>("views.publish", &json!({"user_id": user, "view": view}))
            .await
            .map(drop)
    }

    /// Opens a modal. A trigger id expires 3 s after the click or command, and the bot opens
    /// the modal while Slack waits for its answer: give up in time to answer inside 3 s.
    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), SlackError> {
        self.call_as::<IgnoredAny>(
            &self.token,
            "views.open",
            &json!({"trigger_id": trigger_id, "view": view}),
            Some(self.timeout.min(OPEN_VIEW_TIMEOUT)),
        )
        .await
        .map(drop)
    }
}

/// Whether Slack refused `rendered` for its blocks, which its text alone would not carry.
fn blocks_refused(rendered: &Rendered, e: &SlackError) -> bool {
    const REFUSED_BLOCKS: [&str; 3] = ["invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long"];
    rendered.blocks.is_some() && matches!(e, SlackError::Api { error, .. } if REFUSED_BLOCKS.contains(&error.as_str()))
}

/// An answer that is not the JSON it should be: Slack (or what stands in its way) answered
/// something else, and whether the call acted is unknown.
fn unreadable(method: &str, e: &serde_json::Error) -> SlackError {
    tracing::debug!(method, error = %e, "an answer that is not Slack's JSON");
    SlackError::Network {
        method: method.into(),
        detail: "unreadable answer".into(),
    }
}

/// The longest a Web API method's 429 holds it.
const METHOD_WAIT_CAP: Duration = Duration::from_secs(600);
/// The longest a `response_url`'s 429 holds its answer: the lane of answers to clicks is shared
/// by every clicker, so one URL Slack limits (five posts in 30 minutes) must not keep the
/// others' answers waiting for minutes.
const RESPOND_WAIT_CAP: Duration = Duration::from_secs(30);

/// How long a 429 asks to wait (`Retry-After`, in seconds; 1 s when it does not say, at most
/// `cap`): a Web API method's and a `response_url`'s alike.
fn retry_after(response: &reqwest::Response, cap: Duration) -> Duration {
    let asked = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1);
    Duration::from_secs(asked).min(cap)
}

fn network_detail(e: &reqwest::Error) -> String {
    // reqwest errors carry the URL, which is fine (no token in it); keep it short.
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal of a DM that is about its reader or the app, not the message, is classed,
    /// so the chain never waits out a timeout for it; a refusal of the message itself is not.
    #[test]
    fn a_refused_dm_is_classed_by_what_the_owner_must_do() {
        let class = |method: &str, error: &str| {
            SlackError::Api {
                method: method.into(),
                error: error.into(),
            }
            .dm_refusal()
        };
        for (error, want) in [
            ("channel_not_found", Some(DmRefusal::NoSuchPerson)),
            ("user_not_found", Some(DmRefusal::NoSuchPerson)),
            ("cannot_dm_bot", Some(DmRefusal::NoSuchPerson)),
            ("user_deactivated", Some(DmRefusal::NoSuchPerson)),
            ("user_not_visible", Some(DmRefusal::NotVisible)),
            ("no_permission", Some(DmRefusal::NotVisible)),
            ("restricted_action", Some(DmRefusal::AppLacksPermission)),
            ("missing_scope", Some(DmRefusal::AppLacksPermission)),
            ("not_allowed_token_type", Some(DmRefusal::AppLacksPermission)),
            // Documented for neither method: a refusal of the message, never of a reader.
            ("user_is_restricted", None),
            ("team_access_not_granted", None),
            ("messages_tab_disabled", None),
            ("msg_too_long", None),
            ("invalid_blocks", None),
        ] {
            for method in ["conversations.open", "chat.postMessage"] {
                assert_eq!(class(method, error), want, "{method}: {error}");
            }
            assert!(
                SlackError::Api {
                    method: "chat.postMessage".into(),
                    error: error.into()
                }
                .is_permanent(),
                "{error}"
            );
        }
        let network = SlackError::Network {
            method: "chat.postMessage".into(),
            detail: "could not connect".into(),
        };
        assert_eq!(network.dm_refusal(), None);
    }

    /// `users.info` as Slack documents it (its example, cut to the fields read), a status with
    /// no expiry as Slack leaves it out, and one whose fields Slack sent as `null`.
    #[test]
    fn a_users_info_answer_gives_the_status_and_null_fields_read_as_none() {
        let documented = json!({"ok": true, "user": {"id": "W012A3CDE", "deleted": false,
            "tz": "America/Los_Angeles", "tz_offset": -25200,
            "profile": {"status_text": "Print is dead", "status_emoji": ":books:",
                "real_name": "Egon Spengler", "display_name": "spengler"}}});
        let answer: UserAnswer = serde_json::from_value(documented).expect("reads");
        let user = answer.user.expect("a user");
        assert_eq!(user.tz.as_deref(), Some("America/Los_Angeles"));
        let profile = user.profile.expect("a profile");
        assert_eq!(profile.status_text.as_deref(), Some("Print is dead"));
        assert_eq!(profile.status_emoji.as_deref(), Some(":books:"));
        assert_eq!(profile.status_expiration, None);
        let nulls = json!({"ok": true, "user": {"id": "U1", "deleted": true,
            "profile": {"status_text": null, "status_emoji": null, "status_expiration": null}}});
        let answer: UserAnswer = serde_json::from_value(nulls).expect("reads");
        assert!(answer
            .user
            .is_some_and(|u| u.deleted && u.profile.is_some_and(|p| p.status_text.is_none())));
    }

    fn rendered() -> Rendered {
        Rendered {
            text: "Trouble 20261130-1 opened".into(),
            blocks: Some(vec![crate::slack::blocks::section("*x*")]),
        }
    }

    #[test]
    fn a_post_body_carries_the_fields_slack_reads_and_no_empty_ones() {
        let r = rendered();
        let marker = Marker {
            deliveries: vec![7, 9],
            troubles: vec![TroubleId::new("20261130-1"), TroubleId::new("20261130-2")],
        };
        let thread = Ts::new("1.000100");
        let body = MessageBody {
            channel: "C1",
            ts: None,
            text: &r.text,
            blocks: r.blocks.as_deref(),
            thread_ts: Some(&thread),
            unfurl_links: Some(false),
            metadata: Some(marker.metadata()),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "channel": "C1",
                "text": "Trouble 20261130-1 opened",
                "unfurl_links": false,
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*x*"}}],
                "thread_ts": "1.000100",
                "metadata": {"event_type": "trouble_bot_delivery", "event_payload": {"delivery": "7,9", "troubles": "20261130-1,20261130-2"}},
            })
        );
        let plain = Rendered {
            text: "hello".into(),
            blocks: None,
        };
        let edit = MessageBody {
            channel: "C1",
            ts: Some(&thread),
            text: &plain.text,
            blocks: plain.blocks.as_deref(),
            thread_ts: None,
            unfurl_links: None,
            metadata: None,
        };
        assert_eq!(
            serde_json::to_value(&edit).unwrap(),
            json!({"channel": "C1", "ts": "1.000100", "text": "hello"})
        );
    }

    #[test]
    fn every_method_the_bot_calls_has_its_url_parsed_once_under_the_configured_base() {
        let client = SlackClient::new("http://127.0.0.1:9/api", Secret::new("xoxb-1"), Duration::from_secs(1));
        assert_eq!(client.urls.len(), METHODS.len());
        assert_eq!(
            client.urls["chat.postMessage"].as_str(),
            "http://127.0.0.1:9/api/chat.postMessage"
        );
        assert!(client.bearer.as_ref().is_some_and(HeaderValue::is_sensitive));
        assert_eq!(client.bearer.unwrap(), "Bearer xoxb-1");
    }

    /// A server on 127.0.0.1 answering each method with a canned body, as Slack shapes it.
    async fn answering(answers: &'static [(&'static str, &'static str)]) -> SlackClient {
        let app = axum::Router::new().route(
            "/api/{method}",
            axum::routing::post(
                move |axum::extract::Path(method): axum::extract::Path<String>| async move {
                    let body = answers.iter().find(|(m, _)| *m == method).map_or("{}", |(_, b)| b);
                    ([(reqwest::header::CONTENT_TYPE, "application/json")], body)
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        SlackClient::new(&base, Secret::new("xoxb-1"), Duration::from_secs(5))
    }

    /// A `response_url` rate-limited holds it for as long as Slack asks, as a method does: a
    /// fixed second had every lane try again while Slack still refused. At most 30 s: the
    /// answers to every clicker wait behind it.
    #[tokio::test]
    async fn a_response_url_answered_429_is_held_for_its_retry_after_at_most_30_s() {
        let limited = |asked: &'static str| {
            axum::routing::post(move || async move {
                (
                    reqwest::StatusCode::TOO_MANY_REQUESTS,
                    [(reqwest::header::RETRY_AFTER, asked)],
                    r#"{"ok":false,"error":"ratelimited"}"#,
                )
            })
        };
        let app = axum::Router::new()
            .route("/hook", limited("20"))
            .route("/huge", limited("99999"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = SlackClient::new(&base, Secret::new("xoxb-1"), Duration::from_secs(5));
        for (path, held) in [("/hook", 20), ("/huge", 30)] {
            let e = client
                .respond(&format!("{base}{path}"), &Rendered::text("t".into()), false)
                .await
                .unwrap_err();
            assert_eq!(
                e,
                SlackError::RateLimited {
                    method: "response_url".into(),
                    retry_after: Duration::from_secs(held)
                },
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn a_response_url_answered_in_slacks_envelope_with_ok_false_is_a_refusal() {
        let slack = answering(&[
            ("refused", r#"{"ok":false,"error":"used_url"}"#),
            ("taken", r#"{"ok":true}"#),
        ])
        .await;
        let base = slack.base.clone();
        let said = Rendered::text("t".into());
        let refused = slack
            .respond(&format!("{base}refused"), &said, false)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "used_url");
        assert!(refused.is_permanent(), "{refused:?}");
        assert_eq!(slack.respond(&format!("{base}taken"), &said, false).await, Ok(()));
    }

    #[tokio::test]
    async fn a_refused_bot_token_is_remembered_until_a_call_carrying_it_is_answered_otherwise() {
        let slack = answering(&[
            ("auth.test", r#"{"ok":false,"error":"account_inactive"}"#),
            ("apps.connections.open", r#"{"ok":false,"error":"invalid_auth"}"#),
            ("pins.add", r#"{"ok":false,"error":"already_pinned"}"#),
        ])
        .await;
        assert_eq!(slack.token_refused(), None);
        let refused = slack.auth_test().await.unwrap_err();
        assert!(refused.refuses_token() && !refused.is_permanent(), "{refused:?}");
        assert_eq!(slack.token_refused(), Some("account_inactive"));
        // The app-level token's answer says nothing of the bot token.
        assert!(slack.open_connection(&Secret::new("xapp-1")).await.is_err());
        assert_eq!(slack.token_refused(), Some("account_inactive"));
        // Any other answer to the bot token, an error too, shows Slack takes it.
        let other = slack.pin(&ChannelId::new("C1"), &Ts::new("1.2")).await;
        assert_eq!(other, Ok(()), "already pinned is done");
        assert_eq!(slack.token_refused(), None);
        slack.token_revoked();
        assert_eq!(slack.token_refused(), Some("token_revoked"));
    }

    #[tokio::test]
    async fn an_answer_is_read_for_the_fields_a_call_needs_and_its_envelope_decides() {
        let slack = answering(&[
            // Slack echoes the posted message, blocks and all: only channel and ts are read.
            (
                "chat.postMessage",
                r#"{"ok":true,"channel":"C123","ts":"1503435956.000247","message":{"text":"x","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*x* \u00e9"}}],"metadata":{"event_type":"e","event_payload":{"delivery":"7"}},"ts":"1503435956.000247"}}"#,
            ),
            (
                "conversations.create",
                r#"{"ok":true,"channel":{"id":"C0EAQDV4Z","name":"trouble-acme","is_channel":true,"created":1504554479,"purpose":{"value":""}}}"#,
            ),
            ("pins.add", r#"{"ok":false,"error":"already_pinned"}"#),
            ("chat.update", r#"{"ok":false,"error":"message_not_found","warning":"x"}"#),
            ("conversations.invite", r#"{"ok":true,"channel":{"id":"C1"}} trailing"#),
            ("views.publish", r#"{"ok":"yes"}"#),
            (
                "conversations.info",
                r#"{"ok":true,"channel":{"id":"C1","name":"trouble-acme","is_ext_shared":false,"is_pending_ext_shared":true,"topic":{"value":""}}}"#,
            ),
        ])
        .await;
        let (channel, ts) = slack.post_message("U1", &rendered(), None, None).await.unwrap();
        assert_eq!((channel.as_str(), ts.as_str()), ("C123", "1503435956.000247"));
        let (channel, name) = slack.create_channel("trouble-acme", false).await.unwrap();
        assert_eq!((channel.as_str(), name.as_str()), ("C0EAQDV4Z", "trouble-acme"));
        let c1 = ChannelId::new("C1");
        assert_eq!(slack.pin(&c1, &ts).await, Ok(()));
        let refused = slack.update_message(&c1, &ts, &rendered()).await.unwrap_err();
        assert_eq!(refused.code(), "message_not_found");
        assert!(refused.is_permanent(), "{refused:?}");
        // Not JSON: whether Slack acted is unknown.
        let unreadable = slack.invite(&c1, &[UserId::new("U2")]).await.unwrap_err();
        assert!(
            matches!(&unreadable, SlackError::Network { detail, .. } if detail == "unreadable answer"),
            "{unreadable:?}"
        );
        assert!(unreadable.is_ambiguous());
        assert!(slack
            .publish_home(&UserId::new("U2"), &json!({"type": "home"}))
            .await
            .is_err());
        assert!(slack.is_externally_shared(&c1).await.unwrap(), "invited to be shared");
        assert_eq!(slack.answers(), 7);
    }
}
