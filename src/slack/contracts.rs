//! The strings the bot hands Slack and gets back: button action ids and values, modal callback
//! ids and metadata — each with one encode/parse pair, used by i18n/ (which builds the blocks)
//! and http/ (which reads the payloads).

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
        }
    }

    /// Every action, for parsing (a new variant goes here as well as in `id`).
    pub const ALL: [Action; 8] = [
        Action::Acknowledge,
        Action::CompleteStage,
        Action::LogUpdate,
        Action::EffectOk,
        Action::EffectNotOk,
        Action::ProposalApprove,
        Action::ProposalReject,
        Action::ActionDone,
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
/// action's or the proposal's number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonValue {
    pub trouble: String,
    pub stage: Option<usize>,
}

impl ButtonValue {
    pub fn trouble(id: &str) -> ButtonValue {
        ButtonValue {
            trouble: id.to_string(),
            stage: None,
        }
    }

    pub fn stage(id: &str, stage: usize) -> ButtonValue {
        ButtonValue {
            trouble: id.to_string(),
            stage: Some(stage),
        }
    }

    pub fn encode(&self) -> String {
        match self.stage {
            Some(stage) => format!("{}:{stage}", self.trouble),
            None => self.trouble.clone(),
        }
    }

    /// Whatever Slack sent back: an unreadable stage reads as none (the current stage).
    pub fn parse(value: &str) -> ButtonValue {
        let (trouble, stage) = match value.split_once(':') {
            Some((trouble, stage)) => (trouble, stage.parse().ok()),
            None => (value, None),
        };
        ButtonValue {
            trouble: trouble.to_string(),
            stage,
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
    /// The facts form (`/trouble fact`); its metadata is the trouble id.
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
        for v in [ButtonValue::trouble("20261130-1"), ButtonValue::stage("20261130-1", 3)] {
            assert_eq!(ButtonValue::parse(&v.encode()), v);
        }
        let meta = OpenMetadata {
            channel: Some("C0ORIGIN".into()),
            response_url: Some("https://hooks.slack.com/x".into()),
        };
        assert_eq!(OpenMetadata::parse(&meta.encode()), meta);
    }

    #[test]
    fn unknown_or_damaged_strings_read_safely() {
        assert_eq!(Action::parse("delete_everything"), None);
        assert_eq!(Callback::parse(""), None);
        assert_eq!(ButtonValue::parse("20261130-1:x"), ButtonValue::trouble("20261130-1"));
        assert_eq!(OpenMetadata::parse("not json"), OpenMetadata::default());
    }
}
