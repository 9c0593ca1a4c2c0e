//! One customer, one key: 「株式会社ACME」, 「ＡＣＭＥ（株）」 and "ACME Corp." are the same history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{ChannelId, Cost, Split, StageState, Trouble, TroubleId, UserId};
use super::money::fold_width;
use super::policy::Policy;

/// What a new trouble shows of one of the customer's past troubles (principle 3: the balance).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastTrouble {
    pub id: TroubleId,
    pub opened_at: DateTime<Utc>,
    pub summary: String,
    /// The last stage done (1-7), 0 when none was: what records kept before [`Self::done`]
    /// say, read only when that is empty.
    pub reached: usize,
    /// The stages done (1-7), in order: stages are done out of order (`done 3` before 2), so
    /// the last one done is not how far it went. Empty in records kept before it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done: Vec<u8>,
    pub closed: bool,
    pub split: Option<Split>,
    pub costs: Vec<Cost>,
    /// A split or cost of it still awaits approval: its figures are not settled, and are shown
    /// so (absent from histories kept before this was).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting: bool,
    /// Whether its channel was private (None: stored before this was recorded).
    pub private: Option<bool>,
    /// Who owns it and its channel, for the open to tell a second press of the same command
    /// from a new trouble ([`crate::trouble::decide::open`]); never stored with the history.
    #[serde(skip)]
    pub owner: Option<UserId>,
    #[serde(skip)]
    pub channel: Option<ChannelId>,
    /// Its channel's name, and whether Slack refused to create it: the open's answer to a
    /// second press names the channel as every message does (never stored).
    #[serde(skip)]
    pub channel_name: Option<String>,
    #[serde(skip)]
    pub channel_refused: bool,
    /// Who may see it, when it is private ([`past_troubles`] fills it in): it is told in a new
    /// trouble's channel only when everyone there may ([`shown_in`]). Never stored.
    #[serde(skip)]
    pub readers: Option<Vec<UserId>>,
}

impl From<&Trouble> for PastTrouble {
    fn from(t: &Trouble) -> Self {
        PastTrouble {
            id: t.id.clone(),
            opened_at: t.opened_at,
            summary: t.summary.clone(),
            reached: t
                .stages
                .iter()
                .rposition(|s| s.state == StageState::Done)
                .map_or(0, |s| s + 1),
            done: (1u8..)
                .zip(&t.stages)
                .filter(|(_, s)| s.state == StageState::Done)
                .map(|(n, _)| n)
                .collect(),
            closed: !t.is_open(),
            // As the trouble's own totals count them: a rejected split or cost left out.
            split: super::approval::counted_split(t).cloned(),
            costs: super::approval::counted_costs(t),
            awaiting: super::approval::awaits_decision(t),
            private: t.private,
            owner: Some(t.owner.clone()),
            channel: t.channel.clone(),
            channel_name: t.channel_name.clone(),
            channel_refused: t.channel_refused,
            readers: None,
        }
    }
}

/// How many past troubles a new one lists.
pub const PAST_SHOWN: usize = 5;

/// The customer's troubles among `all`, newest first: what the shell hands to `open`. A
/// private one carries who may see it.
pub fn past_troubles(policy: &Policy, customer: &str, all: &[Trouble]) -> Vec<PastTrouble> {
    let aliases = &policy.customers;
    let key = customer_key(aliases, customer);
    let mut past: Vec<PastTrouble> = all
        .iter()
        .filter(|t| customer_key(aliases, &t.customer) == key)
        .map(|t| PastTrouble {
            readers: super::decide::private_readers(policy, t),
            ..PastTrouble::from(t)
        })
        .collect();
    past.sort_by_key(|p| std::cmp::Reverse(p.opened_at));
    past
}

/// What trouble `t`, already open, may show of its customer's troubles `past`: those opened
/// before it, as [`shown_in`] allows (at a corrected customer).
pub fn shown_before(policy: &Policy, t: &Trouble, past: Vec<PastTrouble>) -> Vec<PastTrouble> {
    let earlier: Vec<PastTrouble> = past.into_iter().filter(|p| p.opened_at < t.opened_at).collect();
    shown_besides(policy, t, earlier)
}

/// What trouble `t` may show of its customer's other troubles `past`, whenever opened (at the
/// split: what one opened after it recorded weighs on what we bear as much as an earlier one's),
/// as [`shown_in`] allows.
pub fn shown_besides(policy: &Policy, t: &Trouble, past: Vec<PastTrouble>) -> Vec<PastTrouble> {
    let others: Vec<PastTrouble> = past.into_iter().filter(|p| p.id != t.id).collect();
    shown_in(policy, t, &others)
}

/// What trouble `t` may show of the customer's `past` in its channel: a public trouble, and a
/// private one only where everyone who reads `t`'s channel may see it (a private trouble is not
/// told to the whole company, nor to another chain's people or a department it never had); the
/// last [`PAST_SHOWN`].
pub fn shown_in(policy: &Policy, t: &Trouble, past: &[PastTrouble]) -> Vec<PastTrouble> {
    past.iter()
        .filter(|p| match &p.readers {
            Some(readers) => super::decide::told_in(policy, t, Some(readers)),
            None => p.private == Some(false),
        })
        .take(PAST_SHOWN)
        .map(|p| PastTrouble {
            // What the record keeps, and reads back: the owner, channel and readers are the
            // open's alone.
            owner: None,
            channel: None,
            channel_name: None,
            channel_refused: false,
            readers: None,
            ..p.clone()
        })
        .collect()
}

/// How long after opening a trouble the same person opening the same customer's trouble with
/// the same summary is taken for a second press of the command, not a new trouble.
pub const SAME_OPEN_WITHIN_MINUTES: i64 = 10;

/// The open trouble `owner` opened for this customer with this very summary a moment ago
/// (within [`SAME_OPEN_WITHIN_MINUTES`]), if any: a rep who saw no answer in time types it
/// again, and a second trouble would page the manager twice and split the record.
pub fn same_open<'a>(
    past: &'a [PastTrouble],
    owner: &UserId,
    summary: &str,
    now: DateTime<Utc>,
) -> Option<&'a PastTrouble> {
    past.iter().find(|p| {
        !p.closed
            && p.owner.as_ref() == Some(owner)
            && now - p.opened_at < chrono::Duration::minutes(SAME_OPEN_WITHIN_MINUTES)
            && same_words(&p.summary, summary)
    })
}

/// Whether two texts say the same, width, case and spacing aside: what a second press of the
/// same command types.
pub fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        fold_width(s)
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    words(a) == words(b)
}

/// Company forms that say nothing about which company it is, longest first so `co., ltd.`
/// goes before `ltd.`. Matched on the width-folded, lower-cased name.
const COMPANY_FORMS: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",
    "(有)",
    "㈱",
    "㈲",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co., ltd",
    "co.,ltd",
    "corporation",
    "company",
    "limited",
    "inc.",
    "inc",
    "corp.",
    "corp",
    "ltd.",
    "ltd",
    "llc",
    "k.k.",
    "kabushiki kaisha",
    "kabushikigaisha",
    "kabushiki-kaisha",
    "gmbh",
];

/// The customer's name as a trouble keeps it ([`without_honorific`]), its full-width Latin
/// letters and digits (`ＡＣＭＥ`, an input method's habit) as the rest of the bot shows them.
pub fn as_kept(name: &str) -> String {
    without_honorific(name)
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Whether `name` can be a customer's: not a person, a channel or a broadcast (`<@…>`, `<#…>`,
/// `<!channel>`), nor an honorific or punctuation alone (`様`, `:`), which would name a trouble's
/// channel and file its history under nothing; nor led by an emoji (`✅ Acknowledged by …`),
/// as the bot's own lines are, which the kickoff's header and the manager's notification would
/// show as if the bot had said it.
pub fn is_a_name(name: &str) -> bool {
    let kept = as_kept(name);
    !["<@", "<#", "<!"].iter().any(|m| kept.contains(m))
        && !HONORIFICS.contains(&kept.as_str())
        && kept.chars().any(char::is_alphanumeric)
        && !starts_with_emoji(&kept)
}

/// Whether `text` begins with an emoji, or an emoji's code (`:white_check_mark:`): the arrows,
/// symbols, dingbats and pictographs the bot's lines begin with (🚨, ✅, ⏫, ✏️, ⬜, ⚠️, 🏁).
fn starts_with_emoji(text: &str) -> bool {
    let text = text.trim_start();
    let code = text
        .strip_prefix(':')
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
        });
    code || text.chars().next().is_some_and(|c| {
        matches!(c,
            '\u{2190}'..='\u{21FF}' | '\u{2300}'..='\u{23FF}' | '\u{25A0}'..='\u{27BF}'
            | '\u{2900}'..='\u{297F}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}'
            | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}' | '\u{3030}' | '\u{303D}')
    })
}

/// What a rep writes after a customer's name out of politeness: companies take 様 or 御中, a
/// shop or a person さん, a letter's addressee 殿.
const HONORIFICS: [&str; 5] = ["御中", "様", "さま", "さん", "殿"];

/// The customer's name without the honorific a rep adds out of habit (`ACME様`, `ACME御中`,
/// `ゼータさん`, `イプシロン殿`) or the quotes it was set in (`「ガンマ電機」様`), which the bot
/// adds itself where Japanese wants them (`ACME様との過去のトラブル`) and which would file the
/// customer apart from the ACME of earlier troubles.
pub fn without_honorific(name: &str) -> &str {
    let trimmed = name.trim();
    let unquoted = [('「', '」'), ('『', '』')]
        .iter()
        .find_map(|&(open, close)| strip_honorific(trimmed).strip_prefix(open)?.strip_suffix(close))
        .map(str::trim)
        .filter(|inner| !inner.is_empty())
        .unwrap_or(trimmed);
    strip_honorific(unquoted)
}

/// `name` without one honorific at its end ([`HONORIFICS`]); as it was when nothing else is
/// left, or when the 殿 ends a word of the name (`焼肉御殿`, a palace, is not 焼肉御 addressed).
fn strip_honorific(name: &str) -> &str {
    HONORIFICS
        .iter()
        .find_map(|h| {
            name.strip_suffix(h)
                .filter(|rest| !(*h == "殿" && rest.ends_with('御')))
        })
        .map(str::trim_end)
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
}

/// The key a customer's troubles are filed under: the honorific left out, width and case
/// folded, company forms and punctuation dropped. The spelling as typed is kept on the trouble
/// for display.
pub fn normalize(name: &str) -> String {
    let name = without_honorific(name);
    let mut s = latin_reading(fold_width(&crate::trouble::markup::unescape(name)).to_lowercase());
    // Most names hold no company form: a look first spares a copy of the name per form (every
    // write of a trouble's index entries asks this).
    for form in COMPANY_FORMS {
        if s.contains(form) {
            s = s.replace(form, " ");
        }
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Lower-cased `text` with each word that mixes Latin letters and letters drawn like them
/// (`aсme`, its с Cyrillic: a keyboard left on another layout, or typed to look alike) read as
/// the Latin word it looks like: what customer keys, channel names and searches are made of,
/// so such a word cannot slip past the recurrence check, a customer's history or a search. A
/// word wholly in Cyrillic or Greek keeps its letters (`acme россия`).
pub fn latin_reading(lowercased: String) -> String {
    let mixed =
        |w: &str| w.chars().any(|c| c.is_ascii_alphabetic()) && w.chars().any(|c| latin_look_alike(c).is_some());
    if !lowercased.split_whitespace().any(mixed) {
        return lowercased;
    }
    let mut out = String::with_capacity(lowercased.len());
    let mut rest = lowercased.as_str();
    while !rest.is_empty() {
        let space = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&rest[..space]);
        rest = &rest[space..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..end];
        match mixed(word) {
            true => out.extend(word.chars().map(|c| latin_look_alike(c).unwrap_or(c))),
            false => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out
}

/// The Latin letter a Cyrillic or Greek letter (lower-cased) is drawn like (see
/// [`latin_reading`]).
fn latin_look_alike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'ε' => 'e',
        'н' | 'һ' | 'η' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'ӏ' => 'l',
        'м' | 'μ' => 'm',
        'ν' => 'n',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'у' | 'υ' => 'y',
        'ԝ' => 'w',
        'х' | 'χ' => 'x',
        'ζ' => 'z',
        _ => return None,
    })
}

/// The key after the `[customers]` alias table: an alias resolves to the name it stands for.
pub fn customer_key(aliases: &BTreeMap<String, String>, name: &str) -> String {
    AliasKeys::of(aliases).resolve(&normalize(name))
}

/// The `[customers]` alias table with both sides as keys ([`normalize`]d once), for many
/// keys to be resolved against it.
pub struct AliasKeys(Vec<(String, String)>);

impl AliasKeys {
    pub fn of(aliases: &BTreeMap<String, String>) -> AliasKeys {
        AliasKeys(aliases.iter().map(|(a, t)| (normalize(a), normalize(t))).collect())
    }

    /// Whether `key` is an alias or the name one stands for.
    pub fn knows(&self, key: &str) -> bool {
        self.0.iter().any(|(alias, target)| alias == key || target == key)
    }

    /// The key an alias-free `key` stands for: the first alias's target that it spells, or itself.
    pub fn resolve(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(alias, _)| alias == key)
            .map_or(key, |(_, target)| target)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_mixing_look_alike_letters_with_latin_is_filed_as_the_latin_name() {
        for typed in [
            "AСME",      // Cyrillic С
            "ACMЕ Corp", // Cyrillic Е
            "ΑCME",      // Greek Α
            "acmе",      // Cyrillic е
            "ACME Kabushiki Kaisha",
            "ACME kabushikigaisha",
        ] {
            assert_eq!(normalize(typed), "acme", "{typed}");
        }
        // Written wholly in Cyrillic or Greek, a name keeps its letters.
        assert_eq!(normalize("ООО Ромашка"), "оооромашка");
        assert_eq!(normalize("Αθήνα"), "αθήνα");
        // Word by word: a Cyrillic word beside a Latin one keeps its letters.
        assert_eq!(normalize("ACME Россия"), "acmeроссия");
        assert_eq!(normalize("AСME Россия"), "acmeроссия");
        assert_eq!(latin_reading("  aсme\tlot 42 ".into()), "  acme\tlot 42 ");
    }

    #[test]
    fn a_name_led_by_an_emoji_is_none_as_it_would_pass_for_the_bots_own_line() {
        for name in [
            "✅ Acknowledged by @tanaka",
            "🚨 Trouble 20261130-9",
            "⏫ escalated",
            "✏️ Corrected",
            ":white_check_mark: Acknowledged",
            " ⚠️ ACME",
        ] {
            assert!(!is_a_name(name), "{name}");
        }
        for name in ["ACME ✅", "(株)ACME", "㈱ACME", "3M", "「ガンマ電機」", "Café: Noir"] {
            assert!(is_a_name(name), "{name}");
        }
    }

    #[test]
    fn the_honorific_a_rep_adds_is_not_part_of_the_name() {
        for (typed, kept) in [
            ("ACME様", "ACME"),
            ("株式会社ACME 様", "株式会社ACME"),
            ("ACME御中", "ACME"),
            ("ACME", "ACME"),
            ("ゼータさん", "ゼータ"),
            ("イプシロン殿", "イプシロン"),
            ("デルタさま", "デルタ"),
            ("「ガンマ電機」様", "ガンマ電機"),
            ("「ガンマ電機様」", "ガンマ電機"),
            ("『ガンマ電機』", "ガンマ電機"),
            // A palace (御殿) is part of a name, not an honorific.
            ("焼肉御殿", "焼肉御殿"),
            ("焼肉御殿様", "焼肉御殿"),
            // Nothing but the honorific: kept, rather than a trouble with no customer.
            ("様", "様"),
            ("さん", "さん"),
            ("「」", "「」"),
        ] {
            assert_eq!(without_honorific(typed), kept, "{typed}");
        }
        for (typed, kept) in [
            ("ＡＣＭＥ様", "ACME"),
            ("株式会社ＡＢＣ２", "株式会社ABC2"),
            ("ＡＣＭＥ（株）", "ACME（株）"),
        ] {
            assert_eq!(as_kept(typed), kept, "{typed}");
        }
    }

    #[test]
    fn spellings_of_one_company_share_a_key() {
        for spelling in [
            "株式会社ACME",
            "ACME",
            "ＡＣＭＥ（株）",
            "ACME Corp.",
            "Acme Co., Ltd.",
            "acme inc",
            "㈱ＡＣＭＥ",
            "有限会社 ACME",
            "A.C.M.E",
        ] {
            assert_eq!(normalize(spelling), "acme", "{spelling}");
        }
        assert_ne!(normalize("ACME"), normalize("ACNE"));
        assert_eq!(normalize("東洋精機株式会社"), normalize("東洋精機（株）"));
    }

    #[test]
    fn an_alias_files_a_customer_under_the_name_it_stands_for() {
        let aliases = BTreeMap::from([("アクメ".to_string(), "ACME".to_string())]);
        assert_eq!(
            customer_key(&aliases, "アクメ株式会社"),
            customer_key(&aliases, "ACME Corp.")
        );
        assert_eq!(customer_key(&aliases, "Beta"), "beta");
    }

    fn past(n: i64, private: Option<bool>) -> PastTrouble {
        PastTrouble {
            id: TroubleId::new(format!("2026010{n}-1")),
            opened_at: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(n),
            summary: String::new(),
            reached: 0,
            done: Vec::new(),
            closed: true,
            split: None,
            costs: Vec::new(),
            awaiting: false,
            private,
            owner: None,
            channel: None,
            channel_name: None,
            channel_refused: false,
            readers: None,
        }
    }

    /// A trouble of U0SALES's, managed by U0MANAGER under U0DIRECTOR, private or not.
    fn new_trouble(private: bool) -> Trouble {
        let json = serde_json::json!({
            "id": "20260201-1", "seq": 1, "customer": "ACME", "summary": "s", "severity": 2,
            "owner": "U0SALES", "manager": "U0MANAGER", "departments": [],
            "origin": {"channel": "C1", "response_url": null}, "opened_at": "2026-02-01T01:00:00Z",
            "channel": "C9", "channel_name": "trouble-x", "kickoff": null, "status": null, "manager_dm": null, "origin_notice": null,
            "stages": (0..7).map(|_| serde_json::json!({"state": "not_started", "started_at": null, "done_at": null, "done_by": null, "notes": []})).collect::<Vec<_>>(),
            "ack": null,
            "escalation": {"chain": ["U0MANAGER", "U0DIRECTOR"], "level": 0, "round": 1, "top_repings": 0, "gave_up": false},
            "customer_updates": [], "split": null, "costs": [], "measures": [], "closed": null,
            "timeline_len": 0, "timeline_head": "", "status_refresh_queued": false, "followup_epoch": 0,
            "private": private,
        });
        serde_json::from_value(json).expect("fixture trouble")
    }

    #[test]
    fn a_public_trouble_lists_only_public_past_troubles_and_at_most_five() {
        let policy = Policy::default();
        let all: Vec<PastTrouble> = (1..=8)
            .map(|n| past(n, Some(n % 2 == 0)))
            .chain([past(9, None)])
            .collect();
        let public = shown_in(&policy, &new_trouble(false), &all);
        assert!(public.iter().all(|p| p.private == Some(false)), "{public:?}");
        assert_eq!(public.len(), 4);
    }

    /// A private past trouble is told in a new trouble's channel only when everyone who reads
    /// it may see the past one: never in a public channel, nor to someone it never had.
    #[test]
    fn a_private_past_trouble_is_listed_only_where_everyone_may_see_it() {
        let policy = Policy::default();
        let readers = |who: &[&str]| Some(who.iter().map(|u| UserId::new(*u)).collect::<Vec<_>>());
        let same_chain = PastTrouble {
            readers: readers(&["U0SALES", "U0MANAGER", "U0DIRECTOR", "U0QA1"]),
            ..past(1, Some(true))
        };
        let another_chain = PastTrouble {
            readers: readers(&["U0OTHERREP", "U0OTHERMGR"]),
            ..past(2, Some(true))
        };
        let without_the_director = PastTrouble {
            readers: readers(&["U0SALES", "U0MANAGER"]),
            ..past(3, Some(true))
        };
        let all = [same_chain, another_chain, without_the_director];
        let shown = shown_in(&policy, &new_trouble(true), &all);
        assert_eq!(shown.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["20260101-1"]);
        assert!(shown[0].readers.is_none(), "never stored");
        assert!(shown_in(&policy, &new_trouble(false), &all).is_empty());
    }
}
