//! The compact binary form of the sled store's serde records: JSON's data model, written in a third to a half of its bytes.
//!
//! sled rewrites a whole leaf (up to 17 records) every ten changes to it, and keeps dead
//! versions in its segments until they are cleaned, so the bytes written per decision grow
//! with the size of every record next to the one that changed. This form keeps exactly what
//! the JSON held and spends fewer bytes on it: field names and common words by their number
//! in [`WORDS`], numbers as varints, and strings that are a timestamp as chrono writes it, a
//! Slack message ts or lowercase hex, as numbers or bytes when they read back as the very
//! same string. serde writes and reads it directly (`write.rs`, `read.rs`), giving and taking
//! the same calls as with `serde_json`, so every serde attribute of the model behaves as with
//! JSON.
//!
//! A record starts with [`VERSION`]; a JSON record starts with `{` (every record type is a
//! struct), so a record stored by an earlier release still reads.

use serde::{Deserialize, Serialize};

mod read;
mod write;

/// The first byte of a record in this form. JSON records start with `{` (0x7b).
pub(in crate::store) const VERSION: u8 = 1;

/// Words stored as their number. Append only: a record names a word by its place here.
const WORDS: &[&str] = &[
    "id",
    "seq",
    "customer",
    "summary",
    "severity",
    "owner",
    "manager",
    "departments",
    "origin",
    "channel",
    "response_url",
    "opened_at",
    "closed",
    "stages",
    "state",
    "notes",
    "started_at",
    "not_started",
    "in_progress",
    "done",
    "kickoff",
    "status",
    "manager_dm",
    "origin_notice",
    "last_report",
    "at",
    "parts",
    "message",
    "ts",
    "together",
    "channel_name",
    "status_refresh_queued",
    "timeline_len",
    "timeline_head",
    "members_seen",
    "added",
    "private",
    "past",
    "ack",
    "escalation",
    "chain",
    "due",
    "gave_up",
    "level",
    "round",
    "top_repings",
    "customer_updates",
    "split",
    "costs",
    "measures",
    "followup_epoch",
    "substance",
    "actions",
    "facts",
    "lots",
    "recurrences",
    "reopened",
    "scope",
    "agreement",
    "proposals",
    "current_stage",
    "acknowledged",
    "last_customer_contact",
    "promised_next",
    "trouble",
    "lane",
    "op",
    "created_at",
    "attempt_started_at",
    "to",
    "keep_as",
    "slot",
    "kind",
    "users",
    "user",
    "url",
    "trigger_id",
    "create_channel",
    "invite",
    "post",
    "refresh",
    "pin",
    "respond",
    "open_update_modal",
    "publish_home",
    "dm",
    "announce",
    "view",
    "home",
    "trouble_channel",
    "kickoff_thread",
    "report_thread",
    "report",
    "announcement",
    "no_manager_hint",
    "escalation_mention",
    "timer",
    "ack_timeout",
    "follow_up",
    "return_reminder",
    "action_due",
    "overdue",
    "n",
    "effect_check",
    "first_contact",
    "missed",
    "weekly_digest",
    "i",
    "c",
    "s",
    "g",
    "ch",
    "cn",
    "l",
    "p",
    "a",
    "o",
    "u",
    // Timeline entries.
    "actor",
    "event",
    "hash",
    "prev",
    "type",
    "name",
    "opened",
    "channel_created",
    "manager_pinged",
    "escalated",
    "repinged",
    "nobody_answered",
    "stage_started",
    "stage_done",
    "note",
    "customer_update",
    "nudge_posted",
    "split_set",
    "cost_added",
    "measure_added",
    "owner_changed",
    "manager_changed",
    "severity_changed",
    "participants_added",
    "channel_create_queued",
];

/// A serde record in the compact form, without its null fields (see `sled::encode`).
pub(in crate::store) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    encode_with(value, true)
}

/// A value in the compact form with its nulls: what serde wrote, exactly (timeline entries,
/// whose hash covers serde's form of their fields).
pub(in crate::store) fn encode_exact<T: Serialize>(value: &T) -> Vec<u8> {
    encode_with(value, false)
}

fn encode_with<T: Serialize>(value: &T, drop_nulls: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.push(VERSION);
    write::write(&mut out, value, drop_nulls).expect("store records are JSON's data model");
    out
}

/// Why a record did not read or write: damaged bytes, a value its type does not take, or a
/// value JSON cannot hold either (a map key that is not a string or a number, a number beyond
/// 64 bits; the store's types have none).
#[derive(Debug)]
struct Failed(String);

impl From<String> for Failed {
    fn from(why: String) -> Self {
        Failed(why)
    }
}

impl From<&str> for Failed {
    fn from(why: &str) -> Self {
        Failed(why.into())
    }
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl serde::de::Error for Failed {
    fn custom<T: std::fmt::Display>(why: T) -> Self {
        Failed(why.to_string())
    }
}

impl serde::ser::Error for Failed {
    fn custom<T: std::fmt::Display>(why: T) -> Self {
        Failed(why.to_string())
    }
}

/// A record in either form: compact, or JSON as earlier releases (and PostgreSQL) wrote it.
pub(in crate::store) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    match bytes.split_first() {
        Some((&VERSION, rest)) => read::Reader::new(rest).whole(),
        _ => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
    }
}

/// Drops every null field, as `encode` leaves them out: for tests that compare with JSON.
#[cfg(test)]
pub(in crate::store) fn drop_nulls(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(fields) => {
            fields.retain(|_, v| !v.is_null());
            fields.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
/// A negative integer n, stored as -(n + 1).
const NEG: u8 = 4;
const FLOAT: u8 = 5;
const STR: u8 = 6;
const WORD: u8 = 7;
const ARRAY: u8 = 8;
const OBJECT: u8 = 9;
/// A timestamp as chrono's serde writes it: seconds (zigzag) and nanoseconds.
const TIME: u8 = 10;
/// A Slack message ts, `<seconds>.<six digits>`.
const SLACK_TS: u8 = 11;
/// Lowercase hex of an even length (hashes): its bytes.
const HEX: u8 = 12;

/// Nesting deeper than this is refused on decode (a corrupt record must not overflow the stack).
const MAX_DEPTH: u32 = 64;

/// LEB128: seven bits a byte, low first.
pub(in crate::store) fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A number as [`varint`] writes it, taken off the front of `rest`: `None` when `rest` ends
/// first or the number runs past 64 bits (every reader of a stored layout refuses both).
pub(in crate::store) fn take_varint(rest: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, after) = rest.split_first()?;
        *rest = after;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// A varint length, then the bytes.
pub(in crate::store) fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn word(s: &str) -> Option<usize> {
    type Places = std::collections::HashMap<&'static str, usize, std::hash::BuildHasherDefault<Fnv>>;
    static PLACES: std::sync::OnceLock<(Places, usize)> = std::sync::OnceLock::new();
    let (places, longest) = PLACES.get_or_init(|| {
        let places = WORDS.iter().enumerate().map(|(at, w)| (*w, at)).collect();
        (places, WORDS.iter().map(|w| w.len()).max().unwrap_or(0))
    });
    // Every string of a record is looked up, user text too: a long one is no word.
    if s.len() > *longest {
        return None;
    }
    places.get(s).copied()
}

/// FNV-1a, for the words' fixed map: their names are a few bytes, which SipHash spends most of
/// a look-up on; strings from outside are only looked up, never added, so no chosen set of
/// them can crowd one bucket.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// A field's name: the word's place plus one, or 0 and the name.
fn write_key(out: &mut Vec<u8>, k: &str) {
    match word(k) {
        Some(at) => varint(out, at as u64 + 1),
        None => {
            out.push(0);
            bytes(out, k.as_bytes());
        }
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    if let Some(at) = word(s) {
        out.push(WORD);
        varint(out, at as u64);
    } else if let Some((secs, nanos)) = as_time(s) {
        out.push(TIME);
        varint(out, ((secs << 1) ^ (secs >> 63)) as u64);
        varint(out, nanos.into());
    } else if let Some((secs, micros)) = as_slack_ts(s) {
        out.push(SLACK_TS);
        varint(out, secs);
        varint(out, micros.into());
    } else if let Some(raw) = as_hex(s) {
        out.push(HEX);
        bytes(out, &raw);
    } else {
        out.push(STR);
        bytes(out, s.as_bytes());
    }
}

/// A UTC timestamp as RFC 3339 with 0, 3, 6 or 9 digits of fraction, as chrono's serde writes
/// it. Exactness does not rest on that: a string is packed only when this gives it back.
fn time_text(secs: i64, nanos: u32) -> Option<String> {
    let at = chrono::DateTime::from_timestamp(secs, nanos)?;
    Some(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
}

/// `s` as a timestamp, when writing that timestamp back gives `s` exactly.
fn as_time(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if !(20..=35).contains(&b.len()) || b[4] != b'-' || b[10] != b'T' || !s.ends_with('Z') {
        return None;
    }
    let at = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    let (secs, nanos) = (at.timestamp(), at.timestamp_subsec_nanos());
    (time_text(secs, nanos)? == s).then_some((secs, nanos))
}

fn slack_ts_text(secs: u64, micros: u32) -> String {
    format!("{secs}.{micros:06}")
}

/// `s` as a Slack message ts, when writing it back gives `s` exactly.
fn as_slack_ts(s: &str) -> Option<(u64, u32)> {
    let (secs, micros) = s.split_once('.')?;
    if micros.len() != 6 || secs.len() > 12 {
        return None;
    }
    let (secs, micros) = (secs.parse().ok()?, micros.parse().ok()?);
    (slack_ts_text(secs, micros) == s).then_some((secs, micros))
}

fn as_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() < 16 || !b.len().is_multiple_of(2) || !b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let nibble = |c: u8| if c <= b'9' { c - b'0' } else { c - b'a' + 10 };
    Some(b.chunks(2).map(|p| nibble(p[0]) << 4 | nibble(p[1])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn back(v: &Value) -> Value {
        decode::<Value>(&encode_exact(v)).unwrap()
    }

    #[test]
    fn any_json_value_reads_back_exactly_nulls_and_unknown_names_included() {
        let v = json!({
            "id": "20261130-1", "not a word": [null, true, false, 0, 1, -1, i64::MIN, u64::MAX, 1.5, -0.25],
            "nested": {"deeper": {"ts": "1700000000.000100", "s": "日本語 and \u{0}"}},
            "at": "2026-11-30T01:00:00.155062626Z", "whole": "2026-11-30T01:00:00Z",
            "hash": "e3cea1644e6db0f79191a85e95c6959fee4389a03c00e6b411ff3aa968dc9cc6",
            "empty": {}, "none": [], "blank": "",
        });
        assert_eq!(back(&v), v);
    }

    #[test]
    fn a_string_that_only_looks_like_a_time_a_ts_or_hex_keeps_its_exact_spelling() {
        for s in [
            "2026-11-30T01:00:00+00:00",
            "2026-11-30T01:00:00.1Z",
            "2026-11-30T01:00:00.000Z",
            "2026-11-30t01:00:00Z",
            "2026-13-30T01:00:00Z",
            "0123.000001",
            "123.0000001",
            "+123.000001",
            "1700000000.00010",
            "E3CEA1644E6DB0F79191A85E95C6959F",
            "e3cea1644e6db0f79191a85e95c6959",
            "e3cea1644e6db0f",
            "channel",
        ] {
            let v = json!({ "x": s });
            assert_eq!(back(&v), v, "{s}");
        }
        // The forms it does pack come back as written, and smaller than JSON's.
        let packed = json!({
            "at": "2026-11-30T01:00:00.155062626Z",
            "ts": "1796036415.013365",
            "timeline_head": "1be380efdad1faef419b424d16129b035709c3d189fd7064611811c0ad9cb860",
        });
        let bytes = encode_exact(&packed);
        assert!(bytes.len() * 2 < packed.to_string().len(), "{} bytes", bytes.len());
        assert_eq!(back(&packed), packed);
    }

    /// Every shape serde gives, written and read straight: each reads back to itself, and the
    /// form holds just what `serde_json` makes of it (nulls left out where `encode` drops them).
    #[test]
    fn every_serde_shape_reads_back_itself_and_holds_what_serde_json_makes_of_it() {
        use chrono::{DateTime, Utc};
        use std::collections::BTreeMap;

        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        enum Shape {
            Unit,
            Newtype(u8),
            Tuple(i32, String),
            Struct { a: Option<u64>, b: Vec<Shape> },
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        enum Tagged {
            One { text: String },
            Two { at: DateTime<Utc>, ts: Option<String> },
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Id(String);
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct All {
            id: Id,
            small: u8,
            negative: i16,
            float: f64,
            flag: bool,
            missing: Option<String>,
            present: Option<Option<u32>>,
            shapes: Vec<Shape>,
            tagged: Vec<Tagged>,
            by_number: BTreeMap<u32, String>,
            wide: BTreeMap<String, u64>,
            pair: (u8, char),
            #[serde(default)]
            added_later: Vec<u8>,
        }
        let at: DateTime<Utc> = "2026-12-01T10:00:00.123456789Z".parse().unwrap();
        let all = All {
            id: Id("20261201-7".into()),
            small: 255,
            negative: -300,
            float: -0.5,
            flag: true,
            missing: None,
            present: Some(Some(3)),
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-1, "channel".into()),
                Shape::Struct {
                    a: None,
                    b: vec![
                        Shape::Unit,
                        Shape::Struct {
                            a: Some(u64::MAX),
                            b: vec![],
                        },
                    ],
                },
            ],
            tagged: vec![
                Tagged::One {
                    text: "日本語 and \u{0}".into(),
                },
                Tagged::Two {
                    at,
                    ts: Some("1796036415.013365".into()),
                },
            ],
            by_number: BTreeMap::from([(3, "three".into()), (40_000, String::new())]),
            // More fields than one byte counts.
            wide: (0..300u64).map(|i| (format!("field {i}"), i * 1000)).collect(),
            pair: (1, 'é'),
            added_later: vec![],
        };
        for (form, drops) in [(encode(&all), true), (encode_exact(&all), false)] {
            assert_eq!(form[0], VERSION);
            assert_eq!(decode::<All>(&form).unwrap(), all);
            let mut json = serde_json::to_value(&all).unwrap();
            if drops {
                drop_nulls(&mut json);
            }
            assert_eq!(decode::<Value>(&form).unwrap(), json);
        }
        // Fields in the order of their names, as records were stored through `serde_json`'s
        // map: byte for byte the form of the same value built as JSON first.
        let as_json = serde_json::to_value(&all).unwrap();
        assert_eq!(encode(&all), encode(&as_json));
        assert_eq!(encode_exact(&all), encode_exact(&as_json));
        let mut without = serde_json::to_value(&all).unwrap();
        without.as_object_mut().unwrap().remove("added_later");
        assert_eq!(decode::<All>(&encode(&without)).unwrap(), all, "a field added later");
        // A value of another type is refused, not misread.
        assert!(decode::<All>(&encode(&serde_json::json!({"id": 1}))).is_err());
        assert!(decode::<u8>(&encode(&256u32)).is_err());
        assert!(decode::<Shape>(&encode_exact(&serde_json::json!({"Unit": null, "Newtype": 1}))).is_err());
    }

    #[test]
    fn json_as_earlier_releases_stored_it_still_reads() {
        let v: Value = decode(br#"{"id":"20261130-1","manager":null}"#).unwrap();
        assert_eq!(v, json!({"id": "20261130-1", "manager": null}));
    }

    #[test]
    fn a_damaged_record_is_refused_not_misread() {
        let whole = encode_exact(&json!({"id": "20261130-1", "seq": [1, 2, 3], "name": "x"}));
        for cut in 1..whole.len() {
            assert!(decode::<Value>(&whole[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = whole.clone();
        trailing.push(0);
        assert!(decode::<Value>(&trailing).is_err());
        assert!(decode::<Value>(&[VERSION, 99]).is_err(), "an unknown tag");
        assert!(
            decode::<Value>(&[VERSION, WORD, 0xff, 0x7f]).is_err(),
            "a word not in the list"
        );
        assert!(
            decode::<Value>(&[VERSION, ARRAY, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err(),
            "a count beyond the record"
        );
        let deep: Vec<u8> = std::iter::once(VERSION)
            .chain(std::iter::repeat_n([ARRAY, 1], 100).flatten())
            .chain([NULL])
            .collect();
        assert!(decode::<Value>(&deep).is_err(), "nesting beyond the limit");
    }
}
