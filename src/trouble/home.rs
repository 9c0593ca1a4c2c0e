//! What App Home shows of an open trouble to one person, derived from the trouble alone so the read index can keep it beside the person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{ChannelId, Severity, StageId, Trouble, TroubleId, UserId};

/// One row of a person's App Home: a few hundred bytes, so a Home of 200 troubles is one
/// short scan of the index instead of 200 troubles decoded whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeRow {
    pub id: TroubleId,
    pub customer: String,
    pub severity: Severity,
    /// None when every stage is done.
    pub current_stage: Option<StageId>,
    pub channel: Option<ChannelId>,
    pub channel_name: Option<String>,
    pub last_customer_contact: DateTime<Utc>,
    pub promised_next: Option<DateTime<Utc>>,
    /// Nobody has acknowledged and the person is in the chain as far as it has been pinged.
    pub awaits_ack: bool,
    pub owns: bool,
    /// The owner or the manager: whose Home shows a customer update overdue.
    pub answers_customer: bool,
    /// Whether the person may see it whatever its channel's privacy (the owner, the chain,
    /// added or seen in the channel); otherwise the configuration decides (see `may_see`).
    pub participant: bool,
    pub private: Option<bool>,
}

impl HomeRow {
    pub fn of(t: &Trouble, user: &UserId) -> HomeRow {
        let chain = t.manager_chain();
        HomeRow {
            id: t.id.clone(),
            customer: t.customer.clone(),
            severity: t.severity,
            current_stage: t.current_stage(),
            channel: t.channel.clone(),
            channel_name: t.channel_name.clone(),
            last_customer_contact: t.last_customer_contact(),
            promised_next: t.promised_next(),
            awaits_ack: t.ack.is_none() && chain.iter().take(t.escalation.level + 1).any(|u| u == user),
            owns: t.owner == *user,
            answers_customer: t.owner == *user || t.manager.as_ref() == Some(user),
            participant: t.owner == *user
                || chain.contains(user)
                || t.added.contains(user)
                || t.members_seen.contains(user),
            private: t.private,
        }
    }
}
