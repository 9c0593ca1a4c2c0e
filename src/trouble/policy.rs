//! What the core reads of the configuration: timeouts and cadences per severity, business hours,
//! the org's manager chains, departments, customer aliases, approval limits. Built once by
//! `config.rs`; no secrets, no addresses, nothing about Slack.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono_tz::Tz;

use chrono::{DateTime, Utc};

use super::hours::{add_working_time, working_amount, BusinessHours};
use super::model::{Severity, Trouble, UserId};
use super::money::Currency;

#[derive(Clone, Debug)]
pub struct Policy {
    /// Where "today", "10:00" and business hours are read.
    pub timezone: Tz,
    pub business_hours: Option<BusinessHours>,
    pub channel_prefix: String,
    /// New trouble channels are private.
    pub private_channels: bool,
    pub default_severity: Severity,
    pub severities: BTreeMap<Severity, SeverityPolicy>,
    /// Who reports to whom (`[org.managers]`), and the manager of anyone not listed.
    pub managers: BTreeMap<UserId, UserId>,
    pub default_manager: Option<UserId>,
    pub departments: BTreeMap<String, Department>,
    /// `[customers]`: other spellings of a customer's name → the name they stand for
    /// (`"アクメ" = "ACME"`), so one customer keeps one history.
    pub customers: BTreeMap<String, String>,
    /// How long returned goods may sit "requested" before the owner is reminded; whole days
    /// are business days (`2d`, the default).
    pub return_reminder_after: Duration,
    /// `[approval_limits]`: our share of a trouble's costs per currency (minor units) above
    /// which an approval must come from one level further up the manager chain.
    pub approval_limits: BTreeMap<Currency, i64>,
}

#[derive(Clone, Debug)]
pub struct Department {
    pub key: String,
    pub name: String,
    pub usergroup: Option<String>,
    pub members: Vec<UserId>,
}

#[derive(Clone, Debug)]
pub struct SeverityPolicy {
    pub level: Severity,
    pub name: Option<String>,
    pub ack_timeout: Duration,
    pub customer_update_every: Duration,
    /// How soon the owner must first talk to the customer (working time): the apology, the
    /// facts repeated back, the goods asked back, and when we will call again.
    pub first_contact_within: Duration,
    pub departments: Vec<String>,
    pub announce_channels: Vec<String>,
    /// With `[business_hours]`: the wait for an acknowledgement counts working time, so the
    /// chain is gone up only while the office is open (for low severities; off by default, as
    /// a trouble that cannot wait must never wait for the morning).
    pub escalate_in_business_hours: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            timezone: chrono_tz::Asia::Tokyo,
            business_hours: None,
            channel_prefix: "trouble".into(),
            private_channels: false,
            default_severity: Severity::new(2),
            severities: default_severities(),
            managers: BTreeMap::new(),
            default_manager: None,
            departments: BTreeMap::new(),
            customers: BTreeMap::new(),
            return_reminder_after: Duration::from_secs(2 * 86_400),
            approval_limits: BTreeMap::new(),
        }
    }
}

/// The three levels a config without `[severity.N]` has.
pub fn default_severities() -> BTreeMap<Severity, SeverityPolicy> {
    let mk = |level, ack_mins: u64, every_mins: u64, first_mins: u64| SeverityPolicy {
        level: Severity::new(level),
        name: None,
        ack_timeout: Duration::from_secs(ack_mins * 60),
        customer_update_every: Duration::from_secs(every_mins * 60),
        first_contact_within: Duration::from_secs(first_mins * 60),
        departments: Vec::new(),
        announce_channels: Vec::new(),
        escalate_in_business_hours: false,
    };
    BTreeMap::from([
        (Severity::new(1), mk(1, 10, 60, 30)),
        (Severity::new(2), mk(2, 30, 240, 60)),
        (Severity::new(3), mk(3, 120, 1440, 240)),
    ])
}

impl Policy {
    /// When the next customer update is due: the promise if there is one, else one cadence on
    /// (in working time).
    pub fn next_update_due(&self, t: &Trouble) -> DateTime<Utc> {
        self.update_due(t.severity, t.cadence_from(), t.promised_next())
    }

    /// When the customer is owed word from us next: the next update, or sooner, while no call
    /// has been made, the first call's deadline. What the status, App Home and the digest show
    /// as due, so a first call missed never reads as on track until the cadence runs out.
    pub fn customer_owed_by(&self, t: &Trouble) -> DateTime<Utc> {
        self.owed_by(t.severity, t.cadence_from(), t.promised_next(), t.first_call_from(self))
    }

    /// [`Policy::customer_owed_by`] from the parts it reads; `first_call_from`: the opening,
    /// while no call has been made (`Trouble::first_call_from`).
    pub fn owed_by(
        &self,
        severity: Severity,
        from: DateTime<Utc>,
        promised: Option<DateTime<Utc>>,
        first_call_from: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        let update = self.update_due(severity, from, promised);
        match first_call_from {
            Some(opened) => update.min(self.first_call_due(severity, opened)),
            None => update,
        }
    }

    /// When the customer must have heard from us for the first time: the severity's
    /// `first_contact_within` of working time after the opening.
    pub fn first_call_due(&self, severity: Severity, opened: DateTime<Utc>) -> DateTime<Utc> {
        let within = self.working(self.severity(severity).first_contact_within);
        add_working_time(self.business_hours.as_ref(), self.timezone, opened, within)
    }

    /// [`Policy::next_update_due`] from the parts it reads: the severity, where the cadence
    /// counts from (`Trouble::cadence_from`) and the promise made at the last contact.
    pub fn update_due(
        &self,
        severity: Severity,
        from: DateTime<Utc>,
        promised: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        match promised.filter(|p| *p > from) {
            Some(p) => p,
            None => {
                let cadence = self.working(self.severity(severity).customer_update_every);
                add_working_time(self.business_hours.as_ref(), self.timezone, from, cadence)
            }
        }
    }

    /// The working time a configured duration (a cadence, a first-call deadline) stands for:
    /// under business hours, each day of it is a working day ([`working_amount`]).
    pub fn working(&self, configured: std::time::Duration) -> chrono::Duration {
        let amount = chrono::Duration::from_std(configured).unwrap_or(chrono::Duration::MAX);
        working_amount(self.business_hours.as_ref(), amount)
    }

    /// The configured departments `names` mean: by key, as configured or in any case
    /// (`+Quality` is `quality`, as a phone capitalises it), or by the name people know them by
    /// (`品質保証部`, `Quality Assurance` written `qualityassurance`, full-width); else the
    /// first name that is no department.
    pub fn departments_named(&self, names: &[String]) -> Result<Vec<String>, String> {
        let fold = |s: &str| -> String {
            super::money::fold_width(s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect()
        };
        names
            .iter()
            .map(|name| {
                let typed = fold(name);
                self.departments
                    .iter()
                    .find(|(k, _)| k.as_str() == name || fold(k) == typed)
                    .or_else(|| self.departments.iter().find(|(_, d)| fold(&d.name) == typed))
                    .map(|(k, _)| k.clone())
                    .ok_or_else(|| name.clone())
            })
            .collect()
    }

    /// The manager of `user`: the org table first, then the default manager, unless `user` is
    /// the default manager or above them (the top of `[org]` has nobody above, never their own
    /// report).
    pub fn manager_of(&self, user: &UserId) -> Option<UserId> {
        self.managers.get(user).cloned().or_else(|| {
            self.default_manager
                .clone()
                .filter(|m| !self.chain_from(m).contains(user))
        })
    }

    /// Whether `boss` is above `user` in `[org]` (through the default manager too): `user` may
    /// then never manage, acknowledge or close `boss`'s trouble.
    pub fn reports_to(&self, user: &UserId, boss: &UserId) -> bool {
        self.manager_of(user)
            .is_some_and(|m| self.chain_from(&m).contains(boss))
    }

    /// The escalation chain above (and including) `manager`, without loops.
    pub fn chain_from(&self, manager: &UserId) -> Vec<UserId> {
        let mut chain = vec![manager.clone()];
        let mut current = manager.clone();
        while let Some(next) = self.managers.get(&current) {
            if chain.contains(next) {
                break;
            }
            chain.push(next.clone());
            current = next.clone();
        }
        chain
    }

    pub fn severity(&self, level: Severity) -> &SeverityPolicy {
        self.severities
            .get(&level)
            .or_else(|| self.severities.get(&self.default_severity))
            .or_else(|| self.severities.values().next())
            .expect("validated config has at least one severity")
    }
}
