//! The compact binary form of the sled store's serde records: JSON's data model, written in a third to a half of its bytes.
//!
//! sled rewrites a whole leaf (up to 17 records) every ten changes to it, and keeps dead
//! versions in its segments until they are cleaned, so the bytes written per decision grow
//! with the size of every record next to the one that changed. This form keeps exactly what
//! the JSON held (decoding writes the same JSON back as text for serde to read, so every serde
//! attribute of the model behaves as with JSON) and spends fewer bytes on it: field names and common words by
//! their number in [`WORDS`], numbers as varints, and strings that are a timestamp as chrono
//! writes it, a Slack message ts or lowercase hex, as numbers or bytes when they read back as
//! the very same string.
//!
//! A record starts with [`VERSION`]; a JSON record starts with `{` (every record type is a
//! struct), so a record stored by an earlier release still reads.

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

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
];

/// A serde record in the compact form, without its null fields (see `sled::encode`).
pub(in crate::store) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_value(value).expect("store records serialize");
    drop_nulls(&mut v);
    encode_value(&v)
}

/// A value in the compact form with its nulls: what serde wrote, exactly (timeline entries,
/// whose hash covers serde's form of their fields).
pub(in crate::store) fn encode_exact<T: Serialize>(value: &T) -> Vec<u8> {
    encode_value(&serde_json::to_value(value).expect("store records serialize"))
}

/// A record in either form: compact, or JSON as earlier releases (and PostgreSQL) wrote it.
pub(in crate::store) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    match bytes.split_first() {
        Some((&VERSION, rest)) => {
            let mut r = Reader { rest, depth: 0 };
            let mut json = Vec::with_capacity(rest.len() * 3);
            r.json(&mut json)?;
            if !r.rest.is_empty() {
                return Err("compact record: bytes after its end".into());
            }
            serde_json::from_slice(&json).map_err(|e| e.to_string())
        }
        _ => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
    }
}

/// Drops every null field: each is an `Option` that serde reads back as None when missing.
pub(in crate::store) fn drop_nulls(v: &mut Value) {
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

fn encode_value(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.push(VERSION);
    write_value(&mut out, v);
    out
}

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
    static PLACES: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    let places = PLACES.get_or_init(|| WORDS.iter().enumerate().map(|(at, w)| (*w, at)).collect());
    places.get(s).copied()
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(UINT);
                varint(out, u);
            } else if let Some(i) = n.as_i64() {
                out.push(NEG);
                varint(out, !(i as u64));
            } else {
                out.push(FLOAT);
                out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_be_bytes());
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(ARRAY);
            varint(out, items.len() as u64);
            items.iter().for_each(|v| write_value(out, v));
        }
        Value::Object(fields) => {
            out.push(OBJECT);
            varint(out, fields.len() as u64);
            for (k, v) in fields {
                // 0 and the name, or the word's place plus one.
                match word(k) {
                    Some(at) => varint(out, at as u64 + 1),
                    None => {
                        out.push(0);
                        bytes(out, k.as_bytes());
                    }
                }
                write_value(out, v);
            }
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

struct Reader<'a> {
    rest: &'a [u8],
    depth: u32,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.rest.split_first().ok_or("compact record: cut short")?;
        self.rest = rest;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        take_varint(&mut self.rest).ok_or_else(|| "compact record: a number cut short or too long".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| "compact record: length")?;
        let (piece, rest) = self.rest.split_at_checked(len).ok_or("compact record: cut short")?;
        self.rest = rest;
        Ok(piece)
    }

    fn word(&mut self, at: u64) -> Result<&'static str, String> {
        usize::try_from(at)
            .ok()
            .and_then(|at| WORDS.get(at))
            .copied()
            .ok_or_else(|| "compact record: unknown word".into())
    }

    fn count(&mut self) -> Result<usize, String> {
        // Every item takes at least one byte: a count beyond the rest is corrupt.
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.rest.len())
            .ok_or_else(|| "compact record: count".into())
    }

    /// Writes the next value as JSON text into `out`: serde reads that as it reads JSON records,
    /// which is faster than building a `Value` first.
    fn json(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        use std::io::Write;
        let quoted = |out: &mut Vec<u8>, s: &str| serde_json::to_writer(out, s).map_err(|e| e.to_string());
        match self.byte()? {
            NULL => out.extend_from_slice(b"null"),
            FALSE => out.extend_from_slice(b"false"),
            TRUE => out.extend_from_slice(b"true"),
            UINT => {
                let n = self.varint()?;
                write!(out, "{n}").map_err(|e| e.to_string())?;
            }
            NEG => {
                let n = !self.varint()? as i64;
                write!(out, "{n}").map_err(|e| e.to_string())?;
            }
            FLOAT => {
                let raw = self.rest.split_at_checked(8).ok_or("compact record: cut short")?;
                self.rest = raw.1;
                let f = f64::from_be_bytes(raw.0.try_into().map_err(|_| "compact record: float")?);
                let n = Number::from_f64(f).ok_or("compact record: float")?;
                serde_json::to_writer(out, &n).map_err(|e| e.to_string())?;
            }
            STR => {
                let s = std::str::from_utf8(self.bytes()?).map_err(|_| "compact record: not UTF-8")?;
                quoted(out, s)?;
            }
            WORD => {
                let at = self.varint()?;
                quoted(out, self.word(at)?)?;
            }
            TIME => {
                let z = self.varint()?;
                let secs = (z >> 1) as i64 ^ -((z & 1) as i64);
                let nanos = u32::try_from(self.varint()?).map_err(|_| "compact record: time")?;
                quoted(out, &time_text(secs, nanos).ok_or("compact record: time")?)?;
            }
            SLACK_TS => {
                let secs = self.varint()?;
                let micros = u32::try_from(self.varint()?).map_err(|_| "compact record: ts")?;
                quoted(out, &slack_ts_text(secs, micros))?;
            }
            HEX => {
                const DIGITS: &[u8; 16] = b"0123456789abcdef";
                let raw = self.bytes()?;
                out.push(b'"');
                for b in raw {
                    out.push(DIGITS[usize::from(b >> 4)]);
                    out.push(DIGITS[usize::from(b & 15)]);
                }
                out.push(b'"');
            }
            tag @ (ARRAY | OBJECT) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err("compact record: nested too deep".into());
                }
                let n = self.count()?;
                out.push(if tag == ARRAY { b'[' } else { b'{' });
                for i in 0..n {
                    if i > 0 {
                        out.push(b',');
                    }
                    if tag == OBJECT {
                        match self.varint()? {
                            0 => {
                                let name =
                                    std::str::from_utf8(self.bytes()?).map_err(|_| "compact record: not UTF-8")?;
                                quoted(out, name)?;
                            }
                            at => quoted(out, self.word(at - 1)?)?,
                        }
                        out.push(b':');
                    }
                    self.json(out)?;
                }
                out.push(if tag == ARRAY { b']' } else { b'}' });
                self.depth -= 1;
            }
            _ => return Err("compact record: unknown tag".into()),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn back(v: &Value) -> Value {
        decode::<Value>(&encode_value(v)).unwrap()
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
        let bytes = encode_value(&packed);
        assert!(bytes.len() * 2 < packed.to_string().len(), "{} bytes", bytes.len());
        assert_eq!(back(&packed), packed);
    }

    #[test]
    fn json_as_earlier_releases_stored_it_still_reads() {
        let v: Value = decode(br#"{"id":"20261130-1","manager":null}"#).unwrap();
        assert_eq!(v, json!({"id": "20261130-1", "manager": null}));
    }

    #[test]
    fn a_damaged_record_is_refused_not_misread() {
        let whole = encode_value(&json!({"id": "20261130-1", "seq": [1, 2, 3], "name": "x"}));
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
