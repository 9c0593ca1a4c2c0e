//! The shared record: what each change says in the trouble's channel, and the cost totals it shows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{Cost, UserId};
use super::money::{parse_amount, parse_payer, totals, Currency, Money, Payer};

/// One change to the trouble, posted as one line in its channel so that everyone there reads
/// the same story (what the customer was told, what was decided, who pays) as it happens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Update {
        text: String,
        promised_next: Option<DateTime<Utc>>,
        /// The customer's zone of the promise, to show it in their time too.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        promised_zone: Option<String>,
    },
    /// Customer update `n` withdrawn (`text` is what it said), with the reason.
    UpdateWithdrawn {
        n: usize,
        text: String,
        reason: String,
    },
    Note {
        text: String,
    },
    Split {
        ours: u8,
        customer: u8,
        other: u8,
        reason: String,
    },
    Cost {
        amount: String,
        payer: String,
        note: String,
    },
    Measure {
        text: String,
    },
    Owner {
        from: UserId,
        to: UserId,
        /// The former owner's actions not done yet, handed over with the trouble (their numbers).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        actions: Vec<usize>,
    },
    Manager {
        from: Option<UserId>,
        to: UserId,
    },
}

impl Cost {
    /// The amount as money; None when it was written in a way that names no currency.
    pub fn money(&self) -> Option<Money> {
        parse_amount(&crate::trouble::markup::unescape(&self.amount))
    }

    pub fn payer_kind(&self) -> Option<Payer> {
        parse_payer(&self.payer)
    }

    /// Whether [`cost_totals`] leaves it out: its amount or its payer did not parse (as an
    /// earlier release could store either), so wherever totals stand for costs it is listed
    /// as written.
    pub fn outside_totals(&self) -> bool {
        (self.money().is_none() && !self.costs_nothing()) || self.payer_kind().is_none()
    }

    /// Whether it is a cost of nothing (`¥0`, or `0` with no currency): "no cost", which adds
    /// nothing to any total and needs no approval.
    pub fn costs_nothing(&self) -> bool {
        costs_nothing(&self.amount)
    }
}

/// [`Cost::costs_nothing`] of an amount as stored (a correction's old and new amount too).
pub fn costs_nothing(amount: &str) -> bool {
    crate::trouble::money::is_zero_amount(&crate::trouble::markup::unescape(amount))
}

/// What each payer bore, per currency; costs whose amount or payer did not parse are left out
/// (they are still listed as written).
pub fn cost_totals(costs: &[Cost]) -> BTreeMap<(Payer, Currency), i64> {
    totals(costs.iter().map(|c| (c.money(), c.payer_kind())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(amount: &str, payer: &str) -> Cost {
        Cost {
            amount: amount.into(),
            payer: payer.into(),
            note: String::new(),
            by: UserId::new("U1"),
            at: DateTime::<Utc>::default(),
        }
    }

    #[test]
    fn costs_written_as_text_stay_outside_the_totals() {
        let t = cost_totals(&[
            cost("¥120,000", "ours"),
            cost("12万", "当社"),
            cost("about 3 pallets", "ours"),
            cost("$10", "お客様"),
        ]);
        assert_eq!(t.get(&(Payer::Ours, Currency::Jpy)), Some(&240_000));
        assert_eq!(t.get(&(Payer::Customer, Currency::Usd)), Some(&1_000));
        assert_eq!(t.len(), 2);
    }
}
