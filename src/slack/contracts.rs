//! The strings the bot hands Slack and gets back: button action ids and values, modal callback
//! ids and metadata — each with one encode/parse pair, used by i18n/ (which builds the blocks)
//! and http/ (which reads the payloads).

use crate::trouble::facts::{FactKey, Facts, Shown, ShownFacts};

/// A button's `action_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Acknowledge,
    CompleteStage,
    LogUpdate,
    /// The effectiveness check's answers; the value carries the prevention action's number.
    EffectOk,
    EffectNotOk,
    /// A split or cost proposal's answers; the value carries the proposal's number.
    ProposalApprove,
    ProposalReject,
    /// An action's Done in its owner's App Home; the value carries the action's number.
    ActionDone,
    /// On the DM saying Slack refused to create a trouble's channel: ask Slack again.
    CreateChannel,
}

impl Action {
    pub fn id(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::CompleteStage => "complete_stage",
            Action::LogUpdate => "log_update",
            Action::EffectOk => "effect_ok",
            Action::EffectNotOk => "effect_ng",
            Action::ProposalApprove => "proposal_approve",
            Action::ProposalReject => "proposal_reject",
            Action::ActionDone => "action_done",
            Action::CreateChannel => "create_channel",
        }
    }

    /// Every action, for parsing (a new variant goes here as well as in `id`).
    pub const ALL: [Action; 9] = [
        Action::Acknowledge,
        Action::CompleteStage,
        Action::LogUpdate,
        Action::EffectOk,
        Action::EffectNotOk,
        Action::ProposalApprove,
        Action::ProposalReject,
        Action::ActionDone,
        Action::CreateChannel,
    ];

    /// The action's id for the `n`th of several of its buttons in one block: Slack refuses a
    /// message whose block repeats an `action_id` (`invalid_blocks`), and [`Self::parse`]
    /// reads both forms as the same action.
    pub fn id_in_row(self, n: usize) -> String {
        match n {
            0 => self.id().to_string(),
            n => format!("{}#{n}", self.id()),
        }
    }

    pub fn parse(id: &str) -> Option<Action> {
        let id = id.split_once('#').map_or(id, |(action, _)| action);
        Action::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// A button's `value`: the trouble, and on the status message's "Complete stage" button the
/// 0-based stage it showed (`<id>:<stage>`), so a stale click cannot complete a later stage; on
/// the effectiveness check's and a proposal's buttons, the same place carries the prevention
/// action's or the proposal's number; the effectiveness check's buttons add the round of
/// reopenings it was asked in and the action's dates it was asked for
/// (`<id>:<n>:<round>:<epoch>`), so a tap after a reopen or a corrected check date is known
/// stale (one drawn before the epoch was kept has none, and is taken as before).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonValue {
    pub trouble: String,
    pub stage: Option<usize>,
    pub round: Option<u32>,
    pub epoch: Option<u32>,
}

impl ButtonValue {
    pub fn trouble(id: &str) -> ButtonValue {
        ButtonValue {
            trouble: id.to_string(),
            stage: None,
            round: None,
            epoch: None,
        }
    }

    pub fn stage(id: &str, stage: usize) -> ButtonValue {
        ButtonValue {
            trouble: id.to_string(),
            stage: Some(stage),
            round: None,
            epoch: None,
        }
    }

    /// The effectiveness check's buttons for prevention action `n`, asked in `round` for the
    /// action's dates as of `epoch`.
    pub fn effect(id: &str, n: usize, round: Option<u32>, epoch: Option<u32>) -> ButtonValue {
        ButtonValue {
            round,
            epoch: epoch.filter(|_| round.is_some()),
            ..ButtonValue::stage(id, n)
        }
    }

    pub fn encode(&self) -> String {
        match (self.stage, self.round, self.epoch) {
            (Some(stage), Some(round), Some(epoch)) => format!("{}:{stage}:{round}:{epoch}", self.trouble),
            (Some(stage), Some(round), None) => format!("{}:{stage}:{round}", self.trouble),
            (Some(stage), None, _) => format!("{}:{stage}", self.trouble),
            (None, ..) => self.trouble.clone(),
        }
    }

    /// Whatever Slack sent back: an unreadable stage reads as none (the current stage), an
    /// unreadable round as none (a button drawn by an earlier release).
    pub fn parse(value: &str) -> ButtonValue {
        let mut parts = value.splitn(4, ':');
        let trouble = parts.next().unwrap_or_default();
        let stage = parts.next().and_then(|s| s.parse().ok());
        let round = parts.next().and_then(|r| r.parse().ok());
        let epoch = parts.next().and_then(|e| e.parse().ok());
        ButtonValue {
            trouble: trouble.to_string(),
            stage,
            round,
            epoch,
        }
    }
}

/// A modal's `callback_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callback {
    /// The open form (`/trouble open` without text); its metadata is [`OpenMetadata`].
    OpenTrouble,
    /// The Log update form; its metadata is the trouble id.
    LogUpdate,
    /// The facts form (`/trouble fact`); its metadata is [`FactsMetadata`].
    TroubleFacts,
    /// The action form (`/trouble action`); its metadata is the trouble id.
    TroubleAction,
}

impl Callback {
    pub fn id(self) -> &'static str {
        match self {
            Callback::OpenTrouble => "open_trouble",
            Callback::LogUpdate => "log_update",
            Callback::TroubleFacts => "trouble_facts",
            Callback::TroubleAction => "trouble_action",
        }
    }

    /// Every callback, for parsing (a new variant goes here as well as in `id`).
    pub const ALL: [Callback; 4] = [
        Callback::OpenTrouble,
        Callback::LogUpdate,
        Callback::TroubleFacts,
        Callback::TroubleAction,
    ];

    pub fn parse(id: &str) -> Option<Callback> {
        Callback::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// The open form's `private_metadata`: where `/trouble open` was typed, to answer there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenMetadata {
    pub channel: Option<String>,
    pub response_url: Option<String>,
}

impl OpenMetadata {
    pub fn encode(&self) -> String {
        serde_json::json!({"channel": self.channel, "response_url": self.response_url}).to_string()
    }

    /// Unreadable metadata reads as empty: the form still opens a trouble, answered in a DM.
    pub fn parse(metadata: &str) -> OpenMetadata {
        let value: serde_json::Value = serde_json::from_str(metadata).unwrap_or_default();
        let field = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
        OpenMetadata {
            channel: field("channel"),
            response_url: field("response_url"),
        }
    }
}

/// Slack keeps at most this many characters of a modal's `private_metadata`.
pub const METADATA_LIMIT: usize = 3000;

/// The facts form's `private_metadata`: its trouble, and digests of what it showed of each
/// fact when drawn (`{"id": …, "digests": {"part": "…"}, "lots": ["…", …]}`, a digest a lot),
/// so a submit applies only what the person changed; no typed text goes to Slack in it. A form
/// drawn by an earlier release carries the bare trouble id, and shows nothing known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactsMetadata {
    pub trouble: String,
    pub shown: Option<ShownFacts>,
}

impl FactsMetadata {
    /// The metadata of a form drawn now for `trouble`, which holds `facts`: within Slack's limit
    /// whatever the facts hold (a lot list too long for a digest a lot goes as one digest).
    pub fn drawn(trouble: &str, facts: &Facts) -> FactsMetadata {
        let encoded = |shown: &ShownFacts| {
            FactsMetadata {
                trouble: trouble.to_string(),
                shown: Some(shown.clone()),
            }
            .encode()
        };
        let shown = ShownFacts::of(facts, |s| encoded(s).chars().count() <= METADATA_LIMIT);
        FactsMetadata {
            trouble: trouble.to_string(),
            shown: Some(shown),
        }
    }

    pub fn encode(&self) -> String {
        let Some(shown) = &self.shown else {
            return self.trouble.clone();
        };
        let mut digests = serde_json::Map::new();
        let mut lots = None;
        for (key, s) in &shown.0 {
            match s {
                Shown::Digest(d) => {
                    digests.insert(key.code().to_string(), d.clone().into());
                }
                Shown::Lots(each) => lots = Some(each.clone()),
            }
        }
        let mut value = serde_json::json!({"id": self.trouble, "digests": digests});
        if let Some(lots) = lots {
            value["lots"] = lots.into();
        }
        value.to_string()
    }

    /// A bare id (an earlier release's form) reads as the trouble with nothing known shown.
    pub fn parse(metadata: &str) -> FactsMetadata {
        let value: serde_json::Value = serde_json::from_str(metadata).unwrap_or_default();
        let Some(id) = value.get("id").and_then(|v| v.as_str()) else {
            return FactsMetadata {
                trouble: metadata.to_string(),
                shown: None,
            };
        };
        let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
        let mut shown = Vec::new();
        for key in FactKey::ALL {
            if key == FactKey::Lot {
                if let Some(lots) = value.get("lots").and_then(|v| v.as_array()) {
                    shown.push((key, Shown::Lots(lots.iter().filter_map(text).collect())));
                    continue;
                }
            }
            if let Some(d) = value["digests"].get(key.code()).and_then(text) {
                shown.push((key, Shown::Digest(d)));
            }
        }
        FactsMetadata {
            trouble: id.to_string(),
            shown: Some(ShownFacts(shown)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_parses_what_it_encodes() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.id()), Some(a));
        }
        for c in Callback::ALL {
            assert_eq!(Callback::parse(c.id()), Some(c));
        }
        for v in [
            ButtonValue::trouble("20261130-1"),
            ButtonValue::stage("20261130-1", 3),
            ButtonValue::effect("20261130-1", 2, Some(1), None),
            ButtonValue::effect("20261130-1", 2, Some(1), Some(3)),
        ] {
            assert_eq!(ButtonValue::parse(&v.encode()), v);
        }
        let meta = OpenMetadata {
            channel: Some("C0ORIGIN".into()),
            response_url: Some("https://hooks.slack.com/x".into()),
        };
        assert_eq!(OpenMetadata::parse(&meta.encode()), meta);
        let facts = Facts {
            part: Some("HX-200".into()),
            lots: vec!["L41".into(), "L42".into()],
            symptom: Some("“lid” cracked\nat the hinge <!channel> &amp; &lt;".into()),
            ..Facts::default()
        };
        let meta = FactsMetadata::drawn("20261130-1", &facts);
        assert_eq!(FactsMetadata::parse(&meta.encode()), meta);
    }

    #[test]
    fn facts_metadata_stays_within_slacks_limit_whatever_the_facts_hold() {
        let long = "\"<&割れ".repeat(600);
        let facts = Facts {
            part: Some(long.clone()),
            lots: (0..400).map(|n| format!("L{n}{long}")).collect(),
            qty: Some(long.clone()),
            occurred: Some(long.clone()),
            found: Some(long.clone()),
            symptom: Some(long),
        };
        let meta = FactsMetadata::drawn("20261130-1", &facts);
        assert!(meta.encode().chars().count() <= METADATA_LIMIT);
        assert!(!meta.encode().contains("割れ"), "no typed text: {}", meta.encode());
        assert_eq!(FactsMetadata::parse(&meta.encode()), meta);
        // An earlier release's form: the bare id, nothing known of what it showed.
        assert_eq!(
            FactsMetadata::parse("20261130-1"),
            FactsMetadata {
                trouble: "20261130-1".into(),
                shown: None
            }
        );
    }

    #[test]
    fn unknown_or_damaged_strings_read_safely() {
        assert_eq!(Action::parse("delete_everything"), None);
        assert_eq!(Callback::parse(""), None);
        assert_eq!(ButtonValue::parse("20261130-1:x"), ButtonValue::trouble("20261130-1"));
        assert_eq!(OpenMetadata::parse("not json"), OpenMetadata::default());
    }
}
