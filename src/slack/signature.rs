//! Slack request signing (v0): HMAC-SHA256 over `v0:<timestamp>:<body>`, checked in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Secret;

/// Slack's replay window, symmetric as in Slack's own SDKs.
pub const MAX_SKEW_SECS: i64 = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    MissingHeaders,
    BadTimestamp,
    Stale,
    BadSignature,
}

/// The timestamp check, a pure function of `now` so the ±300 s edge is testable.
pub fn timestamp_fresh(timestamp: i64, now: i64) -> bool {
    // abs_diff: a hostile timestamp near i64::MIN must not overflow the subtraction.
    now.abs_diff(timestamp) <= MAX_SKEW_SECS as u64
}

pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Verifies a request against any of the configured secrets (several during rotation).
pub fn verify(
    secrets: &[Secret],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Rejection> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Rejection::MissingHeaders);
    };
    let ts: i64 = timestamp.trim().parse().map_err(|_| Rejection::BadTimestamp)?;
    if !timestamp_fresh(ts, now) {
        return Err(Rejection::Stale);
    }
    let Some(hex_sig) = signature.strip_prefix("v0=") else {
        return Err(Rejection::BadSignature);
    };
    // HMAC-SHA256: 32 bytes, decoded in place (any other length is no signature of ours).
    let mut expected = [0u8; 32];
    if hex::decode_to_slice(hex_sig, &mut expected).is_err() {
        return Err(Rejection::BadSignature);
    }
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key length");
        mac.update(b"v0:");
        mac.update(timestamp.as_bytes());
        mac.update(b":");
        mac.update(body);
        if mac.verify_slice(&expected).is_ok() {
            return Ok(());
        }
    }
    Err(Rejection::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack/signing/");

    fn docs_example() -> (String, String, String, Vec<u8>) {
        let meta: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{FIXTURES}slack_docs_example.json")).expect("fixture"),
        )
        .expect("json");
        let body = std::fs::read(format!("{FIXTURES}slack_docs_example.body.txt")).expect("body fixture");
        let field = |v: &serde_json::Value| v.as_str().expect("fixture field").to_string();
        let (secret, ts) = (
            field(&meta["signing_secret"]),
            field(&meta["headers"]["X-Slack-Request-Timestamp"]),
        );
        (secret, ts, field(&meta["expected_signature"]), body)
    }

    #[test]
    fn slacks_documented_example_verifies_with_the_clock_pinned_to_it() {
        let (secret, ts, sig, body) = docs_example();
        let now: i64 = ts.parse().unwrap();
        assert_eq!(sign(&secret, &ts, &body), sig);
        assert_eq!(
            verify(
                &[Secret::new("other"), Secret::new(secret.clone())],
                Some(&ts),
                Some(&sig),
                &body,
                now + 299
            ),
            Ok(())
        );
        assert_eq!(
            verify(&[Secret::new(secret.clone())], Some(&ts), Some(&sig), &body, now + 301),
            Err(Rejection::Stale)
        );
        assert_eq!(
            verify(&[Secret::new(secret.clone())], Some(&ts), Some(&sig), &body, now - 301),
            Err(Rejection::Stale)
        );
        let mut altered = body.clone();
        altered[0] ^= 1;
        assert_eq!(
            verify(&[Secret::new(secret.clone())], Some(&ts), Some(&sig), &altered, now),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(&[Secret::new("wrong")], Some(&ts), Some(&sig), &body, now),
            Err(Rejection::BadSignature)
        );
        // Hex in either case is the same signature; one digit more or less is none.
        let upper = format!("v0={}", sig["v0=".len()..].to_ascii_uppercase());
        let (short, long) = (&sig[..sig.len() - 2], format!("{sig}00"));
        for (given, answer) in [
            (upper.as_str(), Ok(())),
            (short, Err(Rejection::BadSignature)),
            (&long, Err(Rejection::BadSignature)),
        ] {
            assert_eq!(
                verify(&[Secret::new(secret.clone())], Some(&ts), Some(given), &body, now),
                answer,
                "{given}"
            );
        }
        assert_eq!(
            verify(&[Secret::new(secret)], None, Some(&sig), &body, now),
            Err(Rejection::MissingHeaders)
        );
    }

    #[test]
    fn the_window_edge_is_inclusive_at_300_seconds() {
        assert!(timestamp_fresh(1000, 1300));
        assert!(timestamp_fresh(1300, 1000));
        assert!(!timestamp_fresh(1000, 1301));
        assert!(!timestamp_fresh(i64::MIN, 1300));
        assert!(!timestamp_fresh(i64::MAX, -1300));
    }
}
