//! One customer, one key: 「株式会社ACME」, 「ＡＣＭＥ（株）」 and "ACME Corp." are the same history.

use std::collections::BTreeMap;

use super::money::fold_width;

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
    "gmbh",
];

/// The key a customer's troubles are filed under: width and case folded, company forms and
/// punctuation dropped. The spelling as typed is kept on the trouble for display.
pub fn normalize(name: &str) -> String {
    let mut s = fold_width(&crate::slack::blocks::unescape(name)).to_lowercase();
    for form in COMPANY_FORMS {
        s = s.replace(form, " ");
    }
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The key after the `[customers]` alias table: an alias resolves to the name it stands for.
pub fn customer_key(aliases: &BTreeMap<String, String>, name: &str) -> String {
    let key = normalize(name);
    aliases
        .iter()
        .find(|(alias, _)| normalize(alias) == key)
        .map(|(_, target)| normalize(target))
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_company_share_a_key() {
        for spelling in ["株式会社ACME", "ACME", "ＡＣＭＥ（株）", "ACME Corp.", "Acme Co., Ltd.", "acme inc", "㈱ＡＣＭＥ", "有限会社 ACME", "A.C.M.E"] {
            assert_eq!(normalize(spelling), "acme", "{spelling}");
        }
        assert_ne!(normalize("ACME"), normalize("ACNE"));
        assert_eq!(normalize("東洋精機株式会社"), normalize("東洋精機（株）"));
    }

    #[test]
    fn an_alias_files_a_customer_under_the_name_it_stands_for() {
        let aliases = BTreeMap::from([("アクメ".to_string(), "ACME".to_string())]);
        assert_eq!(customer_key(&aliases, "アクメ株式会社"), customer_key(&aliases, "ACME Corp."));
        assert_eq!(customer_key(&aliases, "Beta"), "beta");
    }
}
