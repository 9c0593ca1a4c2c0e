//! Hostile input: a thousand malformed, oversized, unsigned or nonsensical requests. The bot answers
//! each with the status its kind deserves (never a 5xx), keeps serving, and changes nothing.
//! Everything random here comes from a seeded PRNG, so a failure names a request that can be replayed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use trouble_bot::slack::signature::sign;
use trouble_bot::trouble::model::Trouble;
use trouble_bot::trouble::timeline::Entry;

const ONE_MIB: usize = 1024 * 1024;
/// How many requests are in flight at once.
const CONCURRENCY: usize = 16;
const ROUTES: [&str; 3] = ["/slack/commands", "/slack/events", "/slack/interactions"];

/// splitmix64: deterministic, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// Up to `max` random bytes.
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// Printable text from the scripts and syntax people (and attackers) actually type.
    fn unicode(&mut self, max_chars: usize) -> String {
        const FRAGMENTS: &[&str] = &[
            "<@U0MANAGER>",
            "<@U0SALES|sales>",
            "<!channel>",
            "<!here>",
            "<#C0ORIGIN|origin>",
            "<!subteam^S0QUALITY>",
            ":",
            "：",
            "+quality",
            "+",
            "sev1",
            "sev99999999999",
            "next:",
            "next: tomorrow 10:00",
            "¥120,000",
            "50/50",
            "&amp;",
            "%20",
            "%ZZ",
            "\\",
            "\"",
            "'",
            "`",
            "```",
            "*bold*",
            "\u{202E}",
            "\u{200D}",
            "\u{FEFF}",
            "\u{3000}",
            "👩‍👩‍👧‍👦",
            "🏳️‍🌈",
            "e\u{301}\u{302}\u{303}\u{304}",
            "\n",
            "\t",
            "null",
            "NaN",
            "-1",
            "99999999999999999999",
            "{\"a\":1}",
            "<script>",
            "' OR 1=1 --",
            "../../etc/passwd",
        ];
        let n = self.below(max_chars + 1);
        let mut out = String::new();
        for _ in 0..n {
            let c = match self.below(10) {
                0 => {
                    out.push_str(self.pick(FRAGMENTS));
                    continue;
                }
                1..=3 => char::from_u32(self.range(0x20, 0x7E) as u32),
                4 => char::from_u32(self.range(0xA0, 0x24F) as u32),
                5 => char::from_u32(self.range(0x3040, 0x30FF) as u32),
                6 => char::from_u32(self.range(0x4E00, 0x9FFF) as u32),
                7 => char::from_u32(self.range(0xFF01, 0xFF5E) as u32),
                8 => char::from_u32(self.range(0x1F300, 0x1FAFF) as u32),
                _ => char::from_u32(self.range(0x0300, 0x10FFFF) as u32),
            };
            if let Some(c) = c.filter(|c| !c.is_control()) {
                out.push(c);
            }
        }
        out
    }
}

/// Whether `/trouble <text>` would open a trouble (or its modal): its first word is `open` or `起票`.
fn opens(text: &str) -> bool {
    let word = text
        .trim()
        .split(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .to_lowercase();
    ["open", "起票"].contains(&word.as_str())
}

/// Headers of a request signed at `now` (the bot's clock, in seconds) with the test secret.
fn signed(body: &[u8], now: i64) -> Vec<(&'static str, String)> {
    let ts = now.to_string();
    let signature = sign(SECRET, &ts, body);
    vec![("x-slack-request-timestamp", ts), ("x-slack-signature", signature)]
}

/// What a 200 must look like for a kind.
#[derive(Clone, Copy, Debug)]
enum Body {
    Any,
    /// A slash command's answer: empty, or JSON with `response_type: ephemeral`.
    EphemeralOrEmpty,
}

struct Req {
    kind: &'static str,
    what: String,
    method: Method,
    path: String,
    content_type: Option<String>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    expect: &'static [u16],
    body_check: Body,
}

impl Req {
    fn post(kind: &'static str, what: impl Into<String>, path: &str, content_type: &str, body: Vec<u8>) -> Req {
        Req {
            kind,
            what: what.into(),
            method: Method::POST,
            path: path.to_string(),
            content_type: Some(content_type.to_string()),
            headers: Vec::new(),
            body,
            expect: &[200],
            body_check: Body::Any,
        }
    }

    fn signed(mut self, now: i64) -> Req {
        self.headers.extend(signed(&self.body, now));
        self
    }

    fn expect(mut self, statuses: &'static [u16]) -> Req {
        self.expect = statuses;
        self
    }

    fn ephemeral_or_empty(mut self) -> Req {
        self.body_check = Body::EphemeralOrEmpty;
        self
    }

    /// A one-line description that is enough to rebuild the request.
    fn describe(&self) -> String {
        let mut body = String::from_utf8_lossy(&self.body[..self.body.len().min(160)]).into_owned();
        if self.body.len() > 160 {
            body.push_str(&format!("… ({} bytes)", self.body.len()));
        }
        let headers: Vec<&str> = self.headers.iter().map(|(k, _)| *k).collect();
        format!(
            "[{}] {} {} {} content-type={:?} headers={headers:?} body={body:?}",
            self.kind, self.what, self.method, self.path, self.content_type
        )
    }
}

/// What the test knows about the world it attacks.
struct Target {
    base_url: String,
    response_url: String,
    trouble_id: String,
    trouble_channel: String,
    /// The bot's clock, which signatures are checked against.
    clock: trouble_bot::Clock,
}

impl Target {
    fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    fn command_form(&self, user: &str, channel: &str, text: &str) -> String {
        slash_command_form(user, channel, text, &self.response_url)
    }

    fn command(&self, kind: &'static str, what: impl Into<String>, user: &str, channel: &str, text: &str) -> Req {
        let body = self.command_form(user, channel, text).into_bytes();
        Req::post(kind, what, "/slack/commands", "application/x-www-form-urlencoded", body)
    }

    fn interaction(&self, kind: &'static str, what: impl Into<String>, payload: &str) -> Req {
        let body = serde_urlencoded::to_string([("payload", payload)]).expect("form");
        Req::post(
            kind,
            what,
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
    }

    fn event(&self, kind: &'static str, what: impl Into<String>, body: &Value) -> Req {
        Req::post(
            kind,
            what,
            "/slack/events",
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    fn block_actions(&self, user: &str, action_id: &str, value: &str, channel: &str) -> Value {
        button_payload_to(&self.response_url, user, action_id, value, channel)
    }

    /// One hostile request of a kind chosen by `rng`.
    fn hostile(&self, rng: &mut Rng) -> Req {
        match rng.below(19) {
            0 => self.unsigned_garbage(rng),
            1 => self.bad_signature(rng),
            2 => self.missing_or_duplicated_headers(rng),
            3 => self.signed_garbage(rng),
            4 => self.wrong_content_type(rng),
            5 => self.oversized(rng),
            6 => self.bad_json_payload(rng),
            7 => self.odd_payload_shape(rng),
            8 => self.unknown_event(rng),
            9 => self.odd_events_body(rng),
            10 => self.unknown_action(rng),
            11 => self.action_on_missing_trouble(rng),
            12 => self.huge_command(rng),
            13 => self.random_unicode_command(rng),
            14 => self.odd_command_form(rng),
            15 => self.json_to_commands(rng),
            16 => self.wrong_method(rng),
            17 => self.unknown_path(rng),
            _ => self.too_many_headers(rng),
        }
    }

    fn unsigned_garbage(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&ROUTES);
        let content_type = rng.pick(&["application/x-www-form-urlencoded", "application/json", "text/plain"]);
        let body = if rng.chance(50) {
            rng.bytes(4096)
        } else {
            self.command_form(SALES, ORIGIN, "open ACME: unsigned").into_bytes()
        };
        Req::post("unsigned", "no signature headers", path, content_type, body).expect(&[401])
    }

    fn bad_signature(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&ROUTES);
        let body = self.command_form(SALES, ORIGIN, "open ACME: forged").into_bytes();
        let now = self.now();
        let good_ts = now.to_string();
        let good = sign(SECRET, &good_ts, &body);
        let (what, ts, signature) = match rng.below(12) {
            0 => (
                "another secret",
                good_ts.clone(),
                sign("not-the-secret", &good_ts, &body),
            ),
            1 => {
                let ts = (now - 301).to_string();
                ("stale timestamp", ts.clone(), sign(SECRET, &ts, &body))
            }
            2 => {
                let ts = (now + 301).to_string();
                ("future timestamp", ts.clone(), sign(SECRET, &ts, &body))
            }
            3 => ("v1 prefix", good_ts.clone(), good.replacen("v0=", "v1=", 1)),
            4 => ("truncated", good_ts.clone(), good[..good.len() - 2].to_string()),
            5 => return self.upper_case_signature(),
            6 => ("not hex", good_ts.clone(), format!("v0={}", "zz".repeat(32))),
            7 => ("empty signature", good_ts.clone(), String::new()),
            8 => (
                "timestamp not a number",
                "soon".to_string(),
                sign(SECRET, "soon", &body),
            ),
            9 => {
                let ts = format!("{now}.5");
                ("fractional timestamp", ts.clone(), sign(SECRET, &ts, &body))
            }
            10 => (
                "signed over another body",
                good_ts.clone(),
                sign(SECRET, &good_ts, b"text=help"),
            ),
            _ => {
                let ts = format!(" {now}");
                ("padded timestamp", ts.clone(), sign(SECRET, &ts, &body))
            }
        };
        let mut req = Req::post("bad signature", what, path, "application/x-www-form-urlencoded", body).expect(&[401]);
        req.headers = vec![("x-slack-request-timestamp", ts), ("x-slack-signature", signature)];
        req
    }

    /// The right MAC spelled in upper-case hex is still the right MAC: accepting it forges nothing.
    fn upper_case_signature(&self) -> Req {
        let mut req = self
            .command("bad signature", "upper-case hex, same MAC", SALES, ORIGIN, "help")
            .signed(self.now())
            .expect(&[200, 401])
            .ephemeral_or_empty();
        req.headers[1].1 = format!("v0={}", req.headers[1].1[3..].to_uppercase());
        req
    }

    fn missing_or_duplicated_headers(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&ROUTES);
        let body = self.command_form(SALES, ORIGIN, "open ACME: smuggled").into_bytes();
        let good = signed(&body, self.now());
        let (ts, sig) = (good[0].clone(), good[1].clone());
        let (what, headers) = match rng.below(6) {
            0 => ("no headers", vec![]),
            1 => ("timestamp only", vec![ts]),
            2 => ("signature only", vec![sig]),
            3 => ("signature twice", vec![ts, sig.clone(), sig]),
            4 => ("timestamp twice", vec![ts.clone(), ts, sig]),
            _ => ("both twice", vec![ts.clone(), sig.clone(), ts, sig]),
        };
        let mut req = Req::post("headers", what, path, "application/x-www-form-urlencoded", body).expect(&[401]);
        req.headers = headers;
        req
    }

    fn signed_garbage(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&ROUTES);
        let (what, body) = if rng.chance(50) {
            ("random bytes", rng.bytes(4096))
        } else {
            ("random text", rng.unicode(200).into_bytes())
        };
        let content_type = if path == "/slack/events" {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        Req::post("signed garbage", what, path, content_type, body)
            .signed(self.now())
            .expect(&[400])
    }

    fn wrong_content_type(&self, rng: &mut Rng) -> Req {
        let content_type = rng.pick(&[
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=xyz",
            "application/xml",
            "",
            "application/x-www-form-urlencoded; charset=shift_jis",
            "image/png",
        ]);
        let text = rng.pick(&["help", "list", "mine", "history ACME", "status", ""]);
        let body = self.command_form(SALES, ORIGIN, text).into_bytes();
        Req::post(
            "content type",
            format!("`{text}` as {content_type:?}"),
            "/slack/commands",
            content_type,
            body,
        )
        .signed(self.now())
        .expect(&[200, 400, 415])
        .ephemeral_or_empty()
    }

    fn oversized(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&ROUTES);
        let size = ONE_MIB + rng.range(1, 4096);
        let mut body = b"text=".to_vec();
        body.resize(size, b'a');
        let req = Req::post(
            "oversized",
            format!("{size} bytes"),
            path,
            "application/x-www-form-urlencoded",
            body,
        )
        .expect(&[413]);
        if rng.chance(50) {
            req.signed(self.now())
        } else {
            req
        }
    }

    fn bad_json_payload(&self, rng: &mut Rng) -> Req {
        let deep = "[".repeat(100_000);
        let random = String::from_utf8_lossy(&rng.bytes(300)).into_owned();
        let payload = match rng.below(9) {
            0 => "{".to_string(),
            1 => "{\"type\":\"block_actions\",".to_string(),
            2 => format!("x{random}"),
            3 => "{\"type\":\"block_actions\",\"user\":{\"id\":1},\"actions\":[]}".to_string(),
            4 => "{} trailing".to_string(),
            5 => deep,
            6 => "{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"}}".to_string(),
            7 => "{\"type\":\"block_actions\",\"user\":{\"id\":\"U1\"},\"actions\":[{\"value\":\"x\"}]}".to_string(),
            _ => "\u{FEFF}{\"type\":\"block_actions\"}".to_string(),
        };
        let what = format!("payload starting {:?}", &payload.chars().take(40).collect::<String>());
        let req = if rng.chance(90) {
            self.interaction("bad payload", what, &payload)
        } else {
            let body = format!("payload=a&payload={}", payload.len()).into_bytes();
            Req::post(
                "bad payload",
                "payload twice",
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                body,
            )
        };
        req.signed(self.now()).expect(&[400])
    }

    fn odd_payload_shape(&self, rng: &mut Rng) -> Req {
        let payload = rng.pick(&[
            "[]",
            "\"block_actions\"",
            "42",
            "null",
            "{}",
            "{\"type\":42}",
            "{\"type\":null}",
            "{\"type\":\"block_actions\"}",
            "{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"},\"view\":7}",
        ]);
        self.interaction("payload shape", format!("payload {payload}"), payload)
            .signed(self.now())
            .expect(&[200, 400])
    }

    fn unknown_event(&self, rng: &mut Rng) -> Req {
        let event_id = format!("Ev{}", rng.unicode(12));
        let channel = if rng.chance(50) {
            self.trouble_channel.clone()
        } else {
            format!("C{}", rng.unicode(8))
        };
        let event = match rng.below(10) {
            0 => json!({"type": "reaction_added", "user": MANAGER, "reaction": "+1",
                "item": {"type": "message", "channel": channel, "ts": "1.2"}}),
            1 => {
                json!({"type": "app_mention", "user": MANAGER, "text": rng.unicode(50), "channel": channel, "ts": "1.2"})
            }
            2 => json!({"type": "member_joined_channel", "user": MANAGER, "channel": channel}),
            3 => json!({"type": "message", "subtype": "message_changed", "channel": channel, "ts": "1.3",
                "message": {"user": MANAGER, "text": "on it", "thread_ts": "1.2", "ts": "1.3"}}),
            4 => json!({"type": "message", "subtype": "bot_message", "bot_id": "B1", "channel": channel,
                "user": MANAGER, "ts": "1.3", "thread_ts": "1.2"}),
            5 => json!({"type": "message", "channel": channel, "user": MANAGER, "ts": "1.3", "text": "no thread"}),
            6 => json!({"type": "message", "channel": channel, "user": MANAGER, "ts": "1.3", "thread_ts": "1.3"}),
            7 => json!({"type": "message", "channel": [channel], "user": null, "ts": 5, "thread_ts": {}}),
            8 => json!(rng.unicode(30)),
            _ => json!({"type": rng.unicode(20)}),
        };
        let what = format!("event {}", event.get("type").unwrap_or(&event));
        let body = json!({
            "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0APP", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": self.now(),
        });
        let mut req = self.event("unknown event", what, &body).signed(self.now());
        if rng.chance(30) {
            req.headers.push(("x-slack-retry-num", "1".to_string()));
            req.headers.push(("x-slack-retry-reason", "http_timeout".to_string()));
        }
        req
    }

    fn odd_events_body(&self, rng: &mut Rng) -> Req {
        let (body, expect): (Value, &'static [u16]) = match rng.below(7) {
            0 => (
                json!({"type": "app_rate_limited", "minute_rate_limited": 1, "team_id": "T0TEAM"}),
                &[200],
            ),
            1 => (json!({"type": rng.unicode(20)}), &[200, 400]),
            2 => (
                json!({"type": "url_verification", "challenge": rng.unicode(40)}),
                &[200],
            ),
            3 => (json!({"type": "url_verification"}), &[200, 400]),
            4 => (json!({"type": "url_verification", "challenge": 42}), &[200, 400]),
            5 => (
                json!({"type": "event_callback", "event": {"type": "message"}}),
                &[200, 400],
            ),
            _ => (json!([{"type": "event_callback"}]), &[200, 400]),
        };
        let what = format!("{:.80}", body.to_string());
        self.event("odd events body", what, &body)
            .signed(self.now())
            .expect(expect)
    }

    fn unknown_action(&self, rng: &mut Rng) -> Req {
        let value = if rng.chance(50) {
            self.trouble_id.clone()
        } else {
            rng.unicode(20)
        };
        let payload = match rng.below(4) {
            0 | 1 => {
                let random_id = rng.unicode(30);
                let action_id = rng.pick(&[
                    String::new(),
                    "acknowledge ".to_string(),
                    "ACKNOWLEDGE".to_string(),
                    "close".to_string(),
                    "delete_everything".to_string(),
                    random_id,
                ]);
                self.block_actions(MANAGER, &action_id, &value, &self.trouble_channel)
            }
            2 => {
                let mut p = self.block_actions(MANAGER, "acknowledge", &value, &self.trouble_channel);
                p["actions"] = json!([]);
                p
            }
            _ => {
                let kind = rng.pick(&[
                    "shortcut",
                    "message_action",
                    "view_closed",
                    "block_suggestion",
                    "interactive_message",
                    "dialog_submission",
                ]);
                json!({"type": kind, "user": {"id": MANAGER}, "team": {"id": "T0TEAM"},
                    "callback_id": "x", "trigger_id": "1.2.3", "view": {"id": "V1", "callback_id": "log_update",
                    "private_metadata": self.trouble_id}})
            }
        };
        let what = format!(
            "{} action {}",
            payload["type"],
            payload["actions"]
                .get(0)
                .map(|a| a["action_id"].clone())
                .unwrap_or_default()
        );
        self.interaction("unknown action", what, &payload.to_string())
            .signed(self.now())
    }

    fn action_on_missing_trouble(&self, rng: &mut Rng) -> Req {
        let random_id = rng.unicode(30);
        let missing = rng.pick(&[
            "20991231-1".to_string(),
            String::new(),
            "../../etc/passwd".to_string(),
            "x".repeat(10_000),
            format!("{}-x", self.trouble_id),
            format!(" {}", self.trouble_id),
            format!("{}\u{0}", self.trouble_id),
            random_id,
        ]);
        let user = rng.pick(&[MANAGER, SALES, DIRECTOR, "U0NOBODY"]);
        let payload = if rng.chance(70) {
            let action = rng.pick(&["acknowledge", "complete_stage", "log_update"]);
            self.block_actions(user, action, &missing, &self.trouble_channel)
        } else {
            let callback = rng.pick(&["log_update", "open_trouble", "something_else"]);
            // Empty inputs: an `open_trouble` submission is refused with field errors, nothing opens.
            let text = if callback == "log_update" { "told them" } else { "" };
            json!({
                "type": "view_submission", "user": {"id": user}, "team": {"id": "T0TEAM"},
                "view": {"id": "V1", "callback_id": callback, "private_metadata": missing,
                    "state": {"values": {
                        "text": {"t": {"type": "plain_text_input", "value": text}},
                        "customer": {"c": {"type": "plain_text_input", "value": ""}},
                        "summary": {"s": {"type": "plain_text_input", "value": ""}}
                    }}}
            })
        };
        let what = format!(
            "{} {} on {:?}",
            payload["type"],
            payload["actions"][0]["action_id"]
                .as_str()
                .unwrap_or_else(|| payload["view"]["callback_id"].as_str().unwrap_or_default()),
            missing.chars().take(30).collect::<String>()
        );
        self.interaction("missing trouble", what, &payload.to_string())
            .signed(self.now())
    }

    fn huge_command(&self, rng: &mut Rng) -> Req {
        let sub = rng.pick(&[
            "note",
            "status",
            "ack",
            "close force",
            "update",
            "history",
            "list",
            "mine",
            "cost",
        ]);
        let filler = if rng.chance(50) {
            "a".repeat(100 * 1024)
        } else {
            "障害".repeat(100 * 1024 / 6)
        };
        let text = format!("{sub} {filler}");
        let req = self.command(
            "huge command",
            format!("`{sub}` + {} bytes", filler.len()),
            SALES,
            ORIGIN,
            &text,
        );
        // Percent-encoding triples multibyte text: past 1 MiB the body limit answers first.
        let expect: &'static [u16] = if req.body.len() > ONE_MIB { &[413] } else { &[200] };
        req.signed(self.now()).expect(expect).ephemeral_or_empty()
    }

    fn random_unicode_command(&self, rng: &mut Rng) -> Req {
        let mut text = rng.unicode(120);
        if opens(&text) {
            text.insert(0, 'x');
        }
        let channel = if rng.chance(70) {
            ORIGIN.to_string()
        } else {
            format!("C{}", rng.unicode(10))
        };
        let user = if rng.chance(70) {
            SALES.to_string()
        } else {
            rng.unicode(10)
        };
        self.command("unicode command", format!("text {text:?}"), &user, &channel, &text)
            .signed(self.now())
            .ephemeral_or_empty()
    }

    fn odd_command_form(&self, rng: &mut Rng) -> Req {
        let (what, body): (&str, String) = match rng.below(8) {
            0 => ("no user_id", "channel_id=C0ORIGIN&text=help".into()),
            1 => ("no channel_id", "user_id=U0SALES&text=list".into()),
            2 => ("empty ids", "channel_id=&user_id=&text=status".into()),
            3 => (
                "bad percent escapes",
                "channel_id=C0ORIGIN&user_id=U0SALES&text=%ZZ%E3%81%".into(),
            ),
            4 => (
                "text twice",
                "channel_id=C0ORIGIN&user_id=U0SALES&text=help&text=open+A%3A+b".into(),
            ),
            5 => (
                "another command",
                "channel_id=C0ORIGIN&user_id=U0SALES&command=%2Fother&text=list".into(),
            ),
            6 => (
                "nul bytes",
                "channel_id=C0%00&user_id=U0%00SALES&text=note%00%00".into(),
            ),
            _ => ("only separators", "&&&===&=&".into()),
        };
        Req::post(
            "odd command form",
            what,
            "/slack/commands",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .signed(self.now())
        .expect(&[200, 400])
        .ephemeral_or_empty()
    }

    fn json_to_commands(&self, rng: &mut Rng) -> Req {
        let text = rng.pick(&["open ACME: json", "list", "help"]);
        let body =
            json!({"channel_id": ORIGIN, "user_id": SALES, "team_id": "T0TEAM", "command": "/trouble", "text": text});
        Req::post(
            "json command",
            format!("JSON {text:?}"),
            "/slack/commands",
            "application/json",
            body.to_string().into_bytes(),
        )
        .signed(self.now())
        .expect(&[400, 415])
    }

    fn wrong_method(&self, rng: &mut Rng) -> Req {
        let (method, path) = if rng.chance(75) {
            let method = rng.pick(&[Method::GET, Method::PUT, Method::DELETE, Method::PATCH, Method::HEAD]);
            (method, rng.pick(&ROUTES))
        } else {
            (Method::POST, rng.pick(&["/healthz", "/metrics"]))
        };
        let body = self.command_form(SALES, ORIGIN, "open ACME: via GET").into_bytes();
        let mut req = Req::post(
            "method",
            format!("{method} {path}"),
            path,
            "application/x-www-form-urlencoded",
            body,
        )
        .signed(self.now())
        .expect(&[405]);
        req.method = method;
        req
    }

    fn unknown_path(&self, rng: &mut Rng) -> Req {
        let path = rng.pick(&[
            "/slack/commands/",
            "/SLACK/COMMANDS",
            "/slack",
            "/slack/command",
            "/slack/events/x",
            "/admin",
            "/%2e%2e/etc/passwd",
        ]);
        let body = self.command_form(SALES, ORIGIN, "open ACME: wrong door").into_bytes();
        Req::post("path", path, path, "application/x-www-form-urlencoded", body)
            .signed(self.now())
            .expect(&[404])
    }

    fn too_many_headers(&self, rng: &mut Rng) -> Req {
        let mut req = self
            .command("many headers", "help with 150+ extra headers", SALES, ORIGIN, "help")
            .signed(self.now())
            .expect(&[200, 431])
            .ephemeral_or_empty();
        let extra = 150 + rng.below(50);
        for i in 0..extra {
            req.headers.push(("x-junk", format!("{i}-{}", "j".repeat(100))));
        }
        req
    }
}

/// The response to one request, or why there was none.
struct Outcome {
    status: Option<u16>,
    body: String,
    error: Option<String>,
}

async fn send(client: &reqwest::Client, base_url: &str, req: &Req) -> Outcome {
    let mut builder = client.request(req.method.clone(), format!("{base_url}{}", req.path));
    if let Some(ct) = &req.content_type {
        builder = builder.header("content-type", ct.as_str());
    }
    for (k, v) in &req.headers {
        builder = builder.header(*k, v.as_str());
    }
    match builder.body(req.body.clone()).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.text().await {
                Ok(body) => Outcome {
                    status: Some(status),
                    body,
                    error: None,
                },
                Err(e) => Outcome {
                    status: Some(status),
                    body: String::new(),
                    error: Some(format!("reading the body: {e}")),
                },
            }
        }
        Err(e) => Outcome {
            status: None,
            body: String::new(),
            error: Some(format!("{e:?}")),
        },
    }
}

/// Why a response is wrong for its request, if it is.
fn judge(req: &Req, outcome: &Outcome) -> Option<String> {
    if let Some(e) = &outcome.error {
        return Some(format!("no answer: {e}"));
    }
    let status = outcome.status?;
    if !req.expect.contains(&status) {
        return Some(format!("status {status}, expected one of {:?}", req.expect));
    }
    if status == 200 && matches!(req.body_check, Body::EphemeralOrEmpty) && !outcome.body.is_empty() {
        let ephemeral = serde_json::from_str::<Value>(&outcome.body)
            .is_ok_and(|v| v["response_type"] == "ephemeral" && v["text"].is_string());
        if !ephemeral {
            return Some(format!("200 but not an ephemeral answer: {:.200}", outcome.body));
        }
    }
    None
}

/// Sends every request with bounded concurrency and returns the descriptions of the wrong answers.
async fn barrage(target: Arc<Target>, seed: u64, count: usize, make: fn(&Target, &mut Rng) -> Req) -> Vec<String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut rng = Rng(seed);
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for i in 0..count {
        let req = make(&target, &mut rng);
        let permit = permits.clone().acquire_owned().await.expect("semaphore");
        let (client, target) = (client.clone(), target.clone());
        tasks.spawn(async move {
            let outcome = send(&client, &target.base_url, &req).await;
            drop(permit);
            let seen = (req.kind, outcome.status.map_or("none".to_string(), |s| s.to_string()));
            let failure = judge(&req, &outcome).map(|why| format!("#{i} {why}\n    request: {}", req.describe()));
            (seen, failure)
        });
    }
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeMap::<_, usize>::new();
    while let Some(joined) = tasks.join_next().await {
        let (kind_status, failure) = joined.expect("request task");
        *seen.entry(kind_status).or_default() += 1;
        failures.extend(failure);
    }
    // What was thrown and what came back, for the log of a passing run too.
    for ((kind, status), n) in &seen {
        println!("{kind:>18} -> {status}: {n}");
    }
    failures.sort();
    failures
}

/// Everything a request could change in the store.
#[derive(Debug, PartialEq)]
struct Snapshot {
    troubles: Vec<Trouble>,
    timelines: Vec<Vec<Entry>>,
    outbox: usize,
    timers: usize,
}

fn snapshot(bot: &TestBot) -> Snapshot {
    let store = bot.store();
    let mut troubles = store.all_troubles().expect("troubles");
    troubles.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    let timelines = troubles
        .iter()
        .map(|t| store.timeline(&t.id).expect("timeline"))
        .collect();
    Snapshot {
        troubles,
        timelines,
        outbox: store.outbox_len(),
        timers: store.timers_len(),
    }
}

/// A bot with one real trouble whose deliveries have all gone out.
async fn bot_with_a_settled_trouble() -> (TestBot, Arc<Target>) {
    let bot = spawn_bot().await;
    let t = bot.open_ready("ACME: defective housings").await;
    wait_until(|| (bot.store().outbox_len() == 0).then_some(())).await;
    let target = Arc::new(Target {
        base_url: bot.base_url.clone(),
        response_url: bot.slack.response_url("hostile"),
        trouble_id: t.id.clone(),
        trouble_channel: t.channel.clone(),
        clock: bot.clock.clone(),
    });
    (bot, target)
}

/// Slack's documented limits on a message: text 40,000 characters, 50 blocks, 3,000 per section text.
fn over_slack_limits(params: &Value) -> Option<String> {
    let chars = |v: &Value| v.as_str().map_or(0, |t| t.chars().count());
    if chars(&params["text"]) > 40_000 {
        return Some(format!("text of {} characters", chars(&params["text"])));
    }
    let blocks = match &params["blocks"] {
        Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let blocks = blocks.as_array().cloned().unwrap_or_default();
    if blocks.len() > 50 {
        return Some(format!("{} blocks", blocks.len()));
    }
    for block in &blocks {
        let texts = std::iter::once(&block["text"]["text"])
            .chain(block["elements"].as_array().into_iter().flatten().map(|e| &e["text"]))
            .chain(block["fields"].as_array().into_iter().flatten().map(|f| &f["text"]));
        for text in texts {
            if chars(text) > 3000 {
                return Some(format!("a {} block text of {} characters", block["type"], chars(text)));
            }
        }
    }
    None
}

async fn still_serves(bot: &TestBot) {
    let health = http_get(format!("{}/healthz", bot.base_url)).await.expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let help = bot.command_text(SALES, ORIGIN, "help").await;
    assert!(help.contains("/trouble open"), "{help}");
}

/// Panics with every wrong answer (the first 30), each with the request that got it.
fn assert_no_failures(failures: &[String], count: usize) {
    assert!(
        failures.is_empty(),
        "{} of {count} hostile requests got a wrong answer:\n{}",
        failures.len(),
        failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n")
    );
}

const NO_RECORD_OF_TAPPED_TROUBLE: &str =
    "The bot holds no record of this button's trouble, so nothing was done. `/trouble list` shows yours.";

#[tokio::test]
async fn a_thousand_hostile_requests_get_the_right_status_and_change_nothing() {
    let (bot, target) = bot_with_a_settled_trouble().await;
    let before = snapshot(&bot);
    let mark = bot.slack.calls().len();

    let failures = barrage(target.clone(), 0x0005_EED0_0001, 1000, Target::hostile).await;
    assert_no_failures(&failures, 1000);

    still_serves(&bot).await;
    // Any work wrongly queued was stored before its request was answered: delivered, it shows.
    bot.settle().await;
    assert_eq!(bot.store().trouble_count(), 1);
    assert!(before == snapshot(&bot), "the store changed under hostile input");
    let calls: Vec<String> = bot.slack.calls()[mark..]
        .iter()
        .filter(|c| c.method != "auth.test")
        // A tap on a trouble the bot does not hold is told so, in words of the bot's own.
        .filter(|c| !(c.method == "response_url" && c.params["text"] == NO_RECORD_OF_TAPPED_TROUBLE))
        .map(|c| format!("{} {:.200}", c.method, c.params.to_string()))
        .collect();
    assert!(calls.is_empty(), "hostile input reached Slack: {calls:#?}");
}

#[tokio::test]
async fn a_200_kb_open_and_a_100_kb_note_are_answered_and_never_crash_the_bot() {
    let (bot, target) = bot_with_a_settled_trouble().await;

    // A 100 KB note typed outside any trouble channel: the usual "not a trouble channel" answer.
    let note = format!("note {}", "メモ 📎 <@U0MANAGER> ::: ".repeat(100 * 1024 / 30));
    let answer = bot.command(SALES, ORIGIN, &note).await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer:.300}");
    assert!(
        answer.to_string().len() < 10_000,
        "the answer does not echo 100 KB back"
    );

    // A 200 KB summary: either refused with an explanation or opened; never a crash or a 5xx.
    let open = format!("open ACME: {}", "lot 42 housings cracked; ".repeat(200 * 1024 / 25));
    let form = target.command_form(SALES, ORIGIN, &open);
    assert!(form.len() < ONE_MIB);
    let response = bot
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", &form)
        .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("a JSON answer");
    assert_eq!(answer["response_type"], "ephemeral", "{answer:.300}");
    let opened = answer["text"].as_str().unwrap_or_default().contains("opened");
    println!("200 KB summary answered: {:.200}", answer["text"]);
    assert_eq!(bot.store().trouble_count(), 1 + usize::from(opened));
    if opened {
        // Whatever Slack makes of it, every delivery ends: delivered or given up.
        wait_until(|| (bot.store().outbox_len() == 0).then_some(())).await;
        // The fake accepts any size; real Slack refuses these limits, so the bot must cut first.
        for call in bot.slack.calls() {
            if let Some(why) = over_slack_limits(&call.params) {
                panic!("{} #{} would be refused by Slack: {why}", call.method, call.seq);
            }
        }
    }
    still_serves(&bot).await;
}

#[tokio::test]
async fn any_text_after_trouble_gets_an_ephemeral_answer_or_an_empty_200() {
    let (bot, target) = bot_with_a_settled_trouble().await;
    let before = snapshot(&bot);
    fn case(target: &Target, rng: &mut Rng) -> Req {
        let mut text = rng.unicode(80);
        if opens(&text) {
            text.insert(0, '_');
        }
        target
            .command("property", format!("text {text:?}"), SALES, ORIGIN, &text)
            .signed(target.now())
            .ephemeral_or_empty()
    }
    let failures = barrage(target, 0x5EED_0002, 200, case).await;
    assert_no_failures(&failures, 200);
    assert!(
        before == snapshot(&bot),
        "a command outside a trouble channel changed the store"
    );
    still_serves(&bot).await;
}

#[test]
fn opens_spots_what_would_open_a_trouble() {
    for text in ["open", " OPEN ACME: x", "起票 山田工業：不良", "Open\u{3000}x"] {
        assert!(opens(text), "{text:?}");
    }
    for text in ["opener", "xopen", "list", "", "history open", "開始 3：原因調査"] {
        assert!(!opens(text), "{text:?}");
    }
}

/// Someone in the trouble's channel posts (with another app's token) a message carrying the
/// marker the bot puts on its own posts, listing a range of delivery ids.
async fn post_forged_marker(bot: &TestBot, channel: &str) -> String {
    let ids: Vec<String> = (1..=400).map(|i| i.to_string()).collect();
    let body = json!({
        "channel": channel, "text": "✅ Trouble closed, nothing to do.", "user": "U0MALLORY",
        "metadata": {"event_type": "trouble_bot_delivery", "event_payload": {"delivery": ids.join(",")}},
    });
    // The fake may be failing posts just now (the test's faults): post until it takes it.
    for _ in 0..50 {
        let answer: Value = http_client()
            .post(format!("{}chat.postMessage", bot.slack.api_url()))
            .bearer_auth("xoxb-another-app")
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default();
        if let Some(ts) = answer["ts"].as_str() {
            return ts.to_string();
        }
    }
    panic!("the fake never took the forged post")
}

/// After an ambiguous failure (a 5xx, a timeout, a crash), the bot looks in Slack for its
/// earlier post by the marker in its metadata: only a message the bot itself posted counts.
/// Another app's message carrying the marker never becomes the pinned kickoff (with no
/// Acknowledge button) or the status.
#[tokio::test]
async fn a_message_someone_else_posted_with_the_bots_marker_is_never_taken_for_the_bots_own_post() {
    let slack = FakeSlack::start().await;
    // Every post fails once with a 5xx (Slack may have posted it): each is looked for before it
    // is sent again, once the backoff passes.
    slack.fail_http_next("chat.postMessage", 500, 12);
    let bot = spawn_bot_on_slack(slack).await;
    let (_, id) = bot.opened(SALES, "ACME: lid cracked").await;
    let channel = wait_until(|| trouble(&bot, &id).channel.map(|c| c.to_string())).await;
    let forged = post_forged_marker(&bot, &channel).await;
    for _ in 0..20 {
        bot.advance_and_settle(Duration::from_secs(2)).await;
        let t = trouble(&bot, &id);
        if t.kickoff.is_some() && t.status.is_some() {
            break;
        }
    }
    let t = trouble(&bot, &id);
    let kickoff = t.kickoff.as_ref().map(|k| k.ts.to_string()).expect("a kickoff");
    let status = t.status.as_ref().map(|k| k.ts.to_string()).expect("a status");
    assert_ne!(kickoff, forged, "the forged message became the kickoff");
    assert_ne!(status, forged, "the forged message became the status");
    assert!(
        !bot.slack.pins(&channel).contains(&forged),
        "the bot pinned the forged message"
    );
    let posted = bot.slack.messages_in(&channel);
    let kickoff = posted
        .iter()
        .find(|m| m["ts"] == kickoff.as_str())
        .expect("the kickoff posted");
    assert!(kickoff.to_string().contains("<@U0MANAGER>"), "{kickoff}");
}

/// A channel someone created in advance under the name the bot gives a trouble's channel is
/// never taken for the one the bot created, even before the bot knows who it is (`auth.test`
/// failing): it waits to know, then creates its own.
#[tokio::test]
async fn a_channel_squatted_under_the_predictable_name_is_never_adopted_as_the_troubles() {
    let slack = FakeSlack::start().await;
    slack.fail_http_next("auth.test", 500, 3);
    let squatted = slack.add_channel("trouble-20261130-1-acme", false, "U0MALLORY");
    // The first creation fails ambiguously (a 5xx: Slack may have created it).
    slack.fail_http_next("conversations.create", 500, 1);
    let bot = spawn_bot_on_slack(slack).await;
    let (_, id) = bot.opened(SALES, "ACME: lid cracked").await;
    let mut channel = None;
    for _ in 0..40 {
        bot.advance_and_settle(Duration::from_secs(1)).await;
        channel = trouble(&bot, &id).channel.map(|c| c.to_string());
        if channel.is_some() {
            break;
        }
    }
    let channel = channel.expect("a channel of its own");
    assert_ne!(
        channel, squatted,
        "the trouble was set up in a channel U0MALLORY created"
    );
    assert!(bot.slack.messages_in(&squatted).is_empty());
}
