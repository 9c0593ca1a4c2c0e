//! Ephemeral answers to the person who typed a command or pressed a button, in both locales.

use chrono::{DateTime, Utc};

use super::{chain_text, format_day_time, format_promise, stage_name, Locale};
use crate::config::Config;
use crate::slack::blocks::cut;
use crate::slack::text::{one_line, Where};
use crate::trouble::command::UsageError;
use crate::trouble::decide::{Act, ChannelAgain, KeptBy, Refused, Reply, Who};
use crate::trouble::model::{ChannelLoss, TroubleSummary};
use crate::trouble::when::WhenError;

/// What someone typed, echoed back in an answer: never a mention or broadcast, and short
/// enough that a list of fifty stays one message.
fn typed(raw: &str) -> String {
    cut(&one_line(raw, Where::Elsewhere), 200)
}

/// What is said after the answer to a command that names people, of the words typed after them
/// that it did not read (`上司 <@U1>さん 至急`): quoted, so nothing typed goes unseen.
pub fn not_read(l: Locale, unread: &crate::trouble::command::Unread) -> String {
    let sub = unread.sub;
    let words = (!unread.words.is_empty()).then(|| {
        let words = typed(&unread.words);
        tr!(
            l,
            format!("「{words}」は読み取っていません。`/trouble {sub}` が読むのは指定された人だけです。"),
            format!("“{words}” was not read: `/trouble {sub}` reads only the people it names.")
        )
    });
    // `add <@U1> @bob`: `@bob` came as text, so no one the bot can know was named by it.
    let at_names = (!unread.at_names.is_empty()).then(|| {
        let names = typed(&unread.at_names.join(" "));
        tr!(
            l,
            format!("「{names}」はメンションではなく文字として届いたため、人として読み取っていません。`@` を入力して表示される候補から選ぶとメンションになります: `/trouble {sub} @名前`"),
            format!("“{names}” reached the bot as plain text, not as a mention, so it was not read as a person: type `@` and pick them from Slack's list so it becomes a mention: `/trouble {sub} @name`.")
        )
    });
    let sentences: Vec<String> = words.into_iter().chain(at_names).collect();
    sentences.join(tr!(l, "", " "))
}

pub fn usage_text(l: Locale, e: &UsageError) -> String {
    match e {
        UsageError::Misspelt { typed: w, meant, rest } => {
            let w = typed(w);
            let meant = if rest.is_empty() {
                format!("/trouble {meant}")
            } else {
                format!("/trouble {meant} {}", typed(rest))
            };
            tr!(
                l,
                format!("`{w}` というコマンドはありません。`{meant}` のことですか？"),
                format!("There is no `{w}` command. Did you mean `{meant}`?")
            )
        }
        UsageError::UnknownSubcommand(w) => {
            let w = typed(w);
            tr!(
            l,
            format!("`{w}` というコマンドはありません。`/trouble help` で使い方を表示します。"),
            format!("There is no `{w}` command. `/trouble help` lists them.")
        )
        }
        UsageError::OpenNeedsCustomerAndSummary => tr!(
            l,
            "お客様名と概要をコロンで区切って入力してください: `/trouble open ACME: ロット42のハウジング不良`（`sev1` や `+部門` は先頭に）。`/trouble open` だけならフォームが開きます。",
            "Write the customer and a summary separated by a colon: `/trouble open ACME: defective housings in lot 42` (`sev1` or `+department` go first). `/trouble open` alone opens a form."
        )
        .to_string(),
        UsageError::OpenSummarySaysNothing { customer } => {
            let customer = typed(customer);
            tr!(
                l,
                format!("概要が記号や絵文字だけで、何が起きたかが伝わりません。呼び出される上司に分かるよう、起きたことを書いてください: `/trouble open {customer}: ロット42の蓋の割れ`。起票していません。"),
                format!("The summary is punctuation or emoji alone, which tells whoever is paged nothing of what happened. Say what happened: `/trouble open {customer}: lid cracked on lot 42`. Nothing was opened.")
            )
        }
        UsageError::SevReadsAsOpen { open, level, reason } => {
            let (open, reason) = (typed(open), typed(reason));
            tr!(
                l,
                format!("新しいトラブルの起票に見えます。`/trouble open {open}` のことですか？何も変更していません。トラブルの重大度を変えるなら、そのチャンネルで理由をコロンなしで: `/trouble sev {level} {reason}`"),
                format!("This reads as a new trouble. Did you mean `/trouble open {open}`? Nothing was changed. To change a trouble's severity, type in its channel the reason with no colon: `/trouble sev {level} {reason}`")
            )
        }
        UsageError::NoSuchWord { typed: w, meant } => no_such_word(l, &typed(w), *meant),
        UsageError::OpenNeedsColon { open } => {
            let open = typed(open);
            tr!(
                l,
                format!("お客様名と概要はコロンで区切ります。`/trouble open {open}` のことですか？起票していません。"),
                format!("The customer and the summary are parted by a colon. Did you mean `/trouble open {open}`? Nothing was opened.")
            )
        }
        UsageError::OpenNamesTwo("manager") => tr!(
            l,
            "上司が二人指定されています。一人だけにしてください: `/trouble open <@上司> ACME: ロット42のハウジング不良`。起票していません。",
            "The command names two managers; name one: `/trouble open <@manager> ACME: defective housings in lot 42`. Nothing was opened."
        )
        .to_string(),
        UsageError::OpenNamesTwo(_) => tr!(
            l,
            "重大度が二つ指定されています。一つだけにしてください: `/trouble open sev1 ACME: ロット42のハウジング不良`。起票していません。",
            "The command gives two severities; give one: `/trouble open sev1 ACME: defective housings in lot 42`. Nothing was opened."
        )
        .to_string(),
        UsageError::OpenSeverityAsName { typed: word, open } => {
            let (word, open) = (typed(word), typed(open));
            tr!(
                l,
                format!("`{word}` は重大度のようですが、このままではお客様名の一部になります。`/trouble open {open}` のことですか？（重大度は `sev1`〜`sev3`、1が最も重大）起票していません。"),
                format!("`{word}` reads as a severity, yet as typed it would be part of the customer's name. Did you mean `/trouble open {open}`? (Severity is `sev1` to `sev3`, 1 the most severe.) Nothing was opened.")
            )
        }
        UsageError::CustomerHoldsAMention => tr!(
            l,
            "お客様名にメンションが含まれています。上司は名前の前に指定してください: `/trouble open <@上司> ACME: ロット42のハウジング不良`。起票していません。",
            "The customer's name holds a mention. Name the manager before the customer: `/trouble open <@manager> ACME: defective housings in lot 42`. Nothing was opened."
        )
        .to_string(),
        // A reopen and a forced close take a reason, not a text.
        UsageError::NeedsText("withdraw update") => tr!(
            l,
            "取り消す理由を入力してください: `/trouble 取消 報告 [N] 理由`（N を省くと最新の報告）。理由はタイムラインに残ります。",
            "Write why it is withdrawn: `/trouble withdraw update [N] REASON` (the latest update when N is left out). The reason goes on the timeline."
        )
        .to_string(),
        UsageError::BadWithdraw => tr!(
            l,
            "取り消せるのはお客様への報告です: `/trouble 取消 報告 [N] 理由`（N を省くと最新の報告）。誤って起票したトラブルは削除できず、オーナーの上司とその上位者（組織設定の順）が理由を添えてクローズします: `/trouble close force 誤って起票`。",
            "What can be withdrawn is a customer update: `/trouble withdraw update [N] REASON` (the latest when N is left out). A trouble opened by mistake is never deleted: the owner's manager chain, as the bot's org settings list it, closes it with the reason, `/trouble close force opened by mistake`."
        )
        .to_string(),
        UsageError::NeedsText(sub @ ("reopen" | "close force" | "withdraw agreed")) => tr!(l, format!("`/trouble {sub}` の後に理由を入力してください。"), format!("Write the reason after `/trouble {sub}`.")),
        UsageError::NeedsText(sub) => tr!(
            l,
            format!("`/trouble {sub}` の後に内容を入力してください（空欄や記号・絵文字だけでは記録しません）。"),
            format!("Write the text after `/trouble {sub}` (nothing, or punctuation or an emoji alone, is not recorded).")
        ),
        UsageError::StartIsNotOpen => tr!(
            l,
            "トラブルの起票は `/trouble 起票 ACME: ロット42のハウジング不良` です（`開始 N` は段階 N の開始です）。起票していません。",
            "To open a trouble: `/trouble open ACME: defective housings in lot 42` (`start N` starts stage N). Nothing was opened."
        )
        .to_string(),
        // `done` alone may mean the trouble is over: the close is said too.
        UsageError::BadStage("done") => tr!(
            l,
            "段階は1〜7の番号で指定してください: `/trouble done 3 原因特定`。トラブル自体を終えるには `/trouble close`。",
            "Give the stage as a number 1-7: `/trouble done 3 cause confirmed`. To close the trouble itself: `/trouble close`."
        )
        .to_string(),
        UsageError::BadStage(sub) => tr!(l, format!("段階は1〜7の番号で指定してください: `/trouble {sub} 3 原因特定`"), format!("Give the stage as a number 1-7: `/trouble {sub} 3 cause confirmed`")),
        UsageError::BadSplit => tr!(l, "責任区分は `当社/お客様[/他]` のパーセントで: `/trouble split 70/30 理由` または `/trouble split 当社70 お客様30 理由`", "Write the split as percentages OURS/CUSTOMER[/OTHER]: `/trouble split 70/30 reason`, or `/trouble split ours 70 customer 30 reason`").to_string(),
        UsageError::SplitNotHundred(total) => tr!(l, format!("責任区分の合計が{total}%です。合計100%にしてください。"), format!("The split adds up to {total}%; it must add up to 100.")),
        UsageError::FixSummaryHoldsOptions { severity, departments } => {
            let mut how = Vec::new();
            if let Some(s) = severity {
                how.push(format!("`/trouble sev {}`", s.level()));
            }
            if !departments.is_empty() {
                let plus: Vec<String> = departments.iter().map(|d| format!("+{}", typed(d))).collect();
                how.push(format!("`/trouble add {}`", plus.join(" ")));
            }
            let how = how.join(tr!(l, "、", ", "));
            tr!(
                l,
                format!("概要の最後の重大度・部署は概要の一部ではなく、訂正では変わりません。変えるには {how} を使い、概要はそれを除いて訂正してください。何も訂正していません。"),
                format!("A severity or department at the end of a summary is no part of it, and a correction does not change them: use {how}, and correct the summary without them. Nothing was corrected.")
            )
        }
        UsageError::CustomerNotAName { at_open: true } => tr!(
            l,
            "お客様名にはブロードキャストや、敬称・記号だけの名前、絵文字で始まる名前は使えません: `/trouble open ACME: ロット42のハウジング不良`。起票していません。",
            "A customer's name is more than an honorific or punctuation, starts with no emoji, and holds no broadcast: `/trouble open ACME: defective housings in lot 42`. Nothing was opened."
        )
        .to_string(),
        UsageError::CustomerNotAName { at_open: false } => tr!(
            l,
            "お客様名にはメンションや、敬称・記号だけの名前、絵文字で始まる名前は使えません: `/trouble fix customer ACME`。何も訂正していません。",
            "A customer's name holds no mention, is more than an honorific or punctuation, and starts with no emoji: `/trouble fix customer ACME`. Nothing was corrected."
        )
        .to_string(),
        UsageError::BadFixCost(n) => tr!(
            l,
            format!("番号の後に金額、負担者の順で入力してください: `/trouble fix cost {n} ¥120,000 当社 交換品送料`"),
            format!("Write the amount, then who pays, after the number: `/trouble fix cost {n} ¥120,000 ours replacement shipping`")
        ),
        UsageError::BadCost => tr!(l, "金額と負担者を入力してください: `/trouble cost ¥120,000 当社 交換品送料`", "Write an amount and who pays: `/trouble cost ¥120,000 ours replacement shipping`").to_string(),
        UsageError::BadOccurred(value) => {
            let how = tr!(l, "発生日時は過去の日付（わかれば時刻も）で入力してください: `2026-11-28 10:00`、`11/28 10:00`、`11月28日`、`昨日 15時`、今日なら `10:00`、お客様の時刻ならタイムゾーンを添えて `11/28 17時 ドイツ時間`（「2時間」「明日」などは報告書で意味をなさないため使えません）。何も記録していません。", "Write when it occurred as a day not in the future, with the time if known: `2026-11-28 10:00`, `11/28 10:00`, `11/28`, `yesterday 15:00`, `10:00` for today, or on the customer's clock with their zone, `11/28 17:00 CET` (forms like `2h` or `tomorrow` mean nothing in the report later). Nothing was recorded.");
            // `11/28 17:00 CST`: why the zone was not read, in the words `next:` gives.
            match impossible_offset_words(l, value).or_else(|| name_the_zone_words(l, value)) {
                Some(why) => format!("{how}\n{why}"),
                None => how.to_string(),
            }
        }
        UsageError::CostHalved { half, note } => {
            let half = half.as_deref().unwrap_or(tr!(l, "半額", "HALF"));
            let note = match note.trim() {
                "" => String::new(),
                note => format!(" {}", typed(note)),
            };
            tr!(l, format!("費用の負担者は1つです。折半なら半額ずつ2件に分けて記録してください: `/trouble cost {half} 当社{note}` と `/trouble cost {half} お客様{note}`（全体の責任区分は `/trouble split 50/50 理由`）。何も記録していません。"), format!("A cost has one payer. To share it half each, record each half as its own cost: `/trouble cost {half} ours{note}` and `/trouble cost {half} customer{note}` (the overall split is `/trouble split 50/50 REASON`). Nothing was recorded."))
        }
        UsageError::BadPayer(p) => {
            let p = typed(p);
            tr!(l, format!("負担者 `{p}` が分かりません。金額の後に `当社`、`お客様`、`他社` のいずれか（`ours`、`customer`、`other` でも可）を入力してください: `/trouble cost ¥120,000 当社 交換品送料`。何も記録していません。"), format!("`{p}` is not a payer. After the amount write `ours`, `customer` or `other` (当社, お客様, 他社): `/trouble cost ¥120,000 ours replacement shipping`. Nothing was recorded."))
        }
        UsageError::BadAmount(a) => {
            let a = typed(a);
            tr!(l, format!("`{a}` を金額として読めません。円・ドル・ユーロのいずれかで、通貨を付けて入力してください（`¥1,500,000`、`150万円`、`1億2000万円`、`JPY 1500000`、`$3,000`）。通貨のない金額は費用の合計にも承認限度額にも数えられません。何も記録していません。"), format!("`{a}` is not an amount I can read: write it with its currency, in yen, dollars or euros (`¥1,500,000`, `150万円`, `JPY 1500000`, `3,000 USD`, `$3,000`). Without one it could count neither in the cost totals nor against approval limits. Nothing was recorded."))
        }
        UsageError::AmountTooLarge { amount, max } => {
            let a = typed(amount);
            tr!(l, format!("`{a}` は1件の費用として記録できる上限（{max}）を超えています。桁を確かめて入力し直してください。本当にこの額なら、上限以下の複数の費用に分けて記録してください（承認限度額で上位者の承認が必要になります）。何も記録していません。"), format!("`{a}` is more than one cost may be (at most {max}): check the digits and type it again. If it really is that much, record it as several costs of at most that each (the approval limits then send it up the chain). Nothing was recorded."))
        }
        UsageError::NegativeAmount(amount) => {
            let a = typed(amount);
            tr!(l, format!("`{a}` はマイナスの金額です。費用は負担する額を正の数で記録します。お客様への値引きや返金は当社負担の費用です: `/trouble cost ¥50,000 当社 値引き`。記録済みの費用を減らすには訂正してください: `/trouble fix cost 番号 金額 負担者`。何も記録していません。"), format!("`{a}` is a negative amount: a cost is recorded as the positive amount someone bears. A discount or credit note we give the customer is a cost we bear: `/trouble cost ¥50,000 ours discount`. To lower a cost already recorded, correct it: `/trouble fix cost N AMOUNT PAYER`. Nothing was recorded."))
        }
        UsageError::SpacedAmount(amount) => {
            let a = typed(amount);
            tr!(l, format!("`{a}` は数字の間に空白があります。空白を入れずに入力してください（`¥1,000,000`、`100万円`）。何も記録していません。"), format!("`{a}` has spaces between its digits: write it without them (`¥1,000,000`, `JPY 1000000`). Nothing was recorded."))
        }
        UsageError::DepartmentStays(d) => {
            let d = typed(d);
            tr!(l, format!("部門（`+{d}`）は一度加わるとトラブルから外せません（誰にもトラブルを隠せないように）。外せるのは参加していない人だけです: `/trouble remove @名前`。何も変更していません。"), format!("A department (`+{d}`) stays on a trouble once it is in: nothing is hidden from it. Only people who take no part in it can be removed: `/trouble remove @name`. Nothing was changed."))
        }
        UsageError::PlainAtName { typed: name, sub: _, open: Some(open) } => {
            let (name, open) = (typed(name), typed(open));
            tr!(
                l,
                format!("`{name}` はメンションではなく文字として届いたため、お客様名の一部になってしまいます。上司を指定するには `@` を入力して表示される候補から選んでください。指定しなければいつもの上司に連絡します: `/trouble open {open}`。起票していません。"),
                format!("`{name}` reached the bot as plain text, not as a mention, so it would become part of the customer's name. To name a manager, pick them from the list Slack shows as you type `@`; without one, your usual manager is told: `/trouble open {open}`. Nothing was opened.")
            )
        }
        UsageError::PlainAtName { typed: name, sub, open: None } => {
            let name = typed(name);
            tr!(
                l,
                format!("`{name}` はメンションではなく文字として届きました。`@` を入力して表示される候補から相手を選んでから送ってください: `/trouble {sub} @名前`。何も変更していません。"),
                format!("`{name}` reached the bot as plain text, not as a mention. Pick the person from the list Slack shows as you type `@`, then send: `/trouble {sub} @name`. Nothing was changed.")
            )
        }
        UsageError::BareMemberId { typed: id, sub } => {
            let id = typed(id);
            tr!(
                l,
                format!("`{id}` はメンバーIDのようです。メンションにしてください: `@` を入力して表示される候補から相手を選んでから送ってください: `/trouble {sub} @名前`。何も変更していません。"),
                format!("`{id}` looks like a Slack member id: make it a mention. Type `@` and pick them from the list Slack shows, then send: `/trouble {sub} @name`. Nothing was changed.")
            )
        }
        UsageError::NeedsUser(sub) => tr!(l, format!("ユーザーをメンションで指定してください: `/trouble {sub} @名前`"), format!("Mention the person: `/trouble {sub} @name`")),
        UsageError::TakesOnePerson(sub) => tr!(
            l,
            format!("`/trouble {sub}` に指定できるのは一人だけです。どちらか一人をメンションしてください: `/trouble {sub} @名前`。何も変更していません。"),
            format!("`/trouble {sub}` takes one person, and this names more than one. Mention the one meant: `/trouble {sub} @name`. Nothing was changed.")
        ),
        UsageError::WordsNotRead(unread) => {
            let sub = unread.sub;
            tr!(
                l,
                format!("{}何も変更していません。人だけを指定して入力し直してください: `/trouble {sub} @名前`", not_read(l, unread)),
                format!("{} Nothing was changed. Type it again with only the people: `/trouble {sub} @name`.", not_read(l, unread))
            )
        }
        UsageError::SevReasonIsAnId(level) => {
            let level = typed(level);
            tr!(l, format!("重大度の変更はトラブルのチャンネルで、番号なしに理由を添えて入力してください: `/trouble sev {level} 理由`。何も変更していません。"), format!("Change the severity in the trouble's channel, with no id and with the reason: `/trouble sev {level} REASON`. Nothing was changed."))
        }
        UsageError::BadSeverity(s) => {
            let s = typed(s);
            tr!(l, format!("重大度 `{s}` が分かりません。`sev1`〜`sev3` のように入力してください。"), format!("`{s}` is not a severity; write it like `sev1`."))
        }
        UsageError::NeedsSeverity => tr!(l, "重大度を指定してください: `/trouble sev 1`（1が最も重大）", "Give the severity: `/trouble sev 1` (1 is the most severe).").to_string(),
        UsageError::NextTakesNoStage(n) => tr!(
            l,
            format!("`/trouble next` はいまの段階を完了にします（番号は付けません）。第{n}段階を完了にするには `/trouble done {n}`、始めるには `/trouble start {n}` と入力してください。何も記録していません。"),
            format!("`/trouble next` completes the current stage and takes no number. To complete stage {n}, write `/trouble done {n}`; to start it, `/trouble start {n}`. Nothing was recorded.")
        ),
        UsageError::NextIsNoPromise(when) => {
            let when = typed(when);
            tr!(
                l,
                format!("`/trouble next` はいまの段階を完了にするコマンドです。お客様への次回連絡の約束は、伝えた内容と一緒に記録してください: `/trouble update 伝えた内容 次回: {when}`。段階を完了にするだけなら `/trouble next` です。何も記録していません。"),
                format!("`/trouble next` completes the current stage. To promise the customer's next update, log it with what you told them: `/trouble update WHAT YOU TOLD THEM next: {when}`. To complete the stage, `/trouble next` alone. Nothing was recorded.")
            )
        }
        UsageError::BadReport(rest) => {
            let rest = typed(rest);
            tr!(
                l,
                format!("`{rest}` の報告書はありません。社内向けは `/trouble report`、お客様向けの8D報告書は `/trouble report 8d` です。"),
                format!("There is no `{rest}` report: `/trouble report` for the internal report, `/trouble report 8d` for the customer's 8D.")
            )
        }
        UsageError::BadStatsDays => tr!(l, "集計する日数を1〜3660の数字で入力してください: `/trouble stats 30`（省略すると直近90日）", "Give the number of days to count, from 1 to 3660: `/trouble stats 30` (or nothing, for the last 90 days).").to_string(),
        UsageError::HistoryNeedsCustomer => tr!(l, "お客様名を指定してください: `/trouble history ACME`", "Name the customer: `/trouble history ACME`").to_string(),
        other @ (UsageError::BadFact(_)
        | UsageError::BadReturn
        | UsageError::BadAction
        | UsageError::BadFix
        | UsageError::NeedsNumber(_)
        | UsageError::ScopeLineStays(_)) => {
            super::stages::usage_text(l, other).unwrap_or_default()
        }
        UsageError::TooLong { limit, len } => tr!(
            l,
            format!("長すぎます（{len}文字）。1つの項目は{limit}文字までです。短くするか、何回かに分けて記録してください。何も記録していません。"),
            format!("That is too long ({len} characters); each text may hold at most {limit}. Shorten it or record it in several parts. Nothing was recorded.")
        ),
        UsageError::LotListFull { limit, len } => tr!(
            l,
            format!("ロットの一覧が{len}文字になり、記録できる{limit}文字を超えます。範囲（`L0001〜L0450` など）でまとめるか、`/trouble fix fact lot …` で一覧を書き直してください。何も記録していません。"),
            format!("The list of lots would be {len} characters, more than the {limit} it may hold. Give a range (`L0001-L0450`, say) or rewrite the list with `/trouble fix fact lot …`. Nothing was recorded.")
        ),
        UsageError::FactEmptied { key, kept } => {
            let (label, kept) = (super::stages::fact_label(l, *key), typed(kept));
            tr!(
                l,
                format!("{label}は空にできません（記録には「{kept}」が残っています）。正しい値を入力してください。不明になった理由は `/trouble note` で記録できます。何も記録していません。"),
                format!("{label} cannot be emptied: the record keeps “{kept}”. Type the right value instead; why it is no longer known can go in a `/trouble note`. Nothing was recorded.")
            )
        }
        UsageError::FactChangedMeanwhile { key, now, by } => {
            let label = super::stages::fact_label(l, *key);
            let now = typed(now.as_deref().unwrap_or_default());
            let code = key.code();
            let (by_ja, by_en) = match by {
                Some(by) => (format!("{}さんが", super::messages::user(by)), format!(" by {}", super::messages::user(by))),
                None => (String::new(), String::new()),
            };
            tr!(
                l,
                format!("このフォームを開いた後に、{by_ja}{label}を「{now}」に変更しました。あなたもこの欄を変えたため、何も記録していません。その値のままにするにはここに「{now}」と入力し、置き換えるにはフォームを閉じて `/trouble fix fact {code} …` を使ってください。"),
                format!("{label} was changed to “{now}”{by_en} after this form was opened, and you changed it too, so nothing was recorded. To keep theirs, type “{now}” here; to replace it, close the form and use `/trouble fix fact {code} …`.")
            )
        }
        UsageError::FactOnEarlierForm { key, now } => {
            let label = super::stages::fact_label(l, *key);
            let now = typed(now);
            let code = key.code();
            tr!(
                l,
                format!("このフォームはボットの更新前に開かれたため、{label}「{now}」がその後に変更されたかどうか分かりません。何も記録していません。フォームを閉じて `/trouble fact` で開き直すか、`/trouble fix fact {code} …` を使ってください。"),
                format!("This form was opened before the bot was updated, so it cannot tell whether {label} “{now}” was changed by someone since; nothing was recorded. Close the form and open it again with `/trouble fact`, or use `/trouble fix fact {code} …`.")
            )
        }
    }
}

fn when_error(l: Locale, text: &str, e: &WhenError) -> String {
    let text = typed(text);
    match e {
        WhenError::InPast => tr!(
            l,
            format!("`{text}` は過去の時刻です。これからの時刻を指定してください。何も記録していません。"),
            format!("`{text}` is in the past; promise a time that is still ahead. Nothing was recorded.")
        ),
        WhenError::TooFar { days } => tr!(
            l,
            format!("`{text}` は{days}日より先です。約束できるのは{days}日以内です。それまでに一度、途中経過を伝えてください。何も記録していません。"),
            format!("`{text}` is more than {days} days ahead. A promise may reach at most {days} days; give the customer an interim update before then. Nothing was recorded.")
        ),
        WhenError::Ambiguous { hour } => tr!(
            l,
            format!("`{text}` は{hour}時とも{hour}時間後とも読めます。{hour}時なら `{hour}:00`、{hour}時間後なら `{hour}時間後`（`in {hour}h`）と入力してください。何も記録していません。"),
            format!("`{text}` could be {hour}:00 or {hour} hours from now: write `{hour}:00` for the time of day, or `in {hour}h` for the hours. Nothing was recorded.")
        ),
        WhenError::Unrecognised => {
            let tried = tr!(
                l,
                format!(
                    "`{text}` を時刻として読めません。`15:00`、`明日 10:00`、`12/5 15:00`、`2時間後`、`月曜 10:00`、`明日中` のように入力してください。何も記録していません。"
                ),
                format!("`{text}` is not a time I can read. Try `15:00`, `tomorrow 10am`, `Dec 5 3pm`, `12/5 15:00`, `2h`, `mon 9:00` or `fri eod`. Nothing was recorded.")
            );
            if let Some(why) = impossible_offset_words(l, text.as_str()) {
                tr!(l, format!("{why}何も記録していません。"), format!("{why} Nothing was recorded."))
            } else if let Some(how) = name_the_zone_words(l, text.as_str()) {
                format!("{tried}\n{how}")
            } else if text.split_whitespace().count() >= 3 {
                tr!(
                    l,
                    format!("{tried}\n`次回:` には、お客様に次に連絡する日時だけを書きます。次に何をするかは報告の本文に書いてください。"),
                    format!("{tried}\n`next:` takes only when the customer hears from us next; what happens next goes in the update's text.")
                )
            } else {
                tried
            }
        }
    }
}

/// Why TEXT, not read as a time, was refused, when it ends in an offset no clock shows
/// (`17:00 UTC+15`: a typo, or the hours in Tokyo); None otherwise. For `next:` and `due:`.
pub(super) fn impossible_offset_words(l: Locale, text: &str) -> Option<String> {
    let offset = typed(crate::trouble::zone::impossible_offset(text)?);
    Some(tr!(
        l,
        format!("`{offset}` はどの国の時刻でもありません。UTCとの時差は14時間までです（`17:00 UTC+1`、`9:00 UTC-5`、`17:00 UTC+05:30`）。"),
        format!("`{offset}` is no clock's offset: no zone is more than 14 hours from UTC (`17:00 UTC+1`, `9:00 UTC-5`, `17:00 UTC+05:30`).")
    ))
}

/// How to name the customer's zone, when TEXT, not read as a time, has one meant that is not
/// read (`17:00 CST`, `現地時間`); None otherwise. For `next:` and `due:`.
pub(super) fn name_the_zone_words(l: Locale, text: &str) -> Option<String> {
    crate::trouble::zone::unread_zone(text).then(|| {
        tr!(
            l,
            "お客様の時刻なら、タイムゾーンを都市名か地域名で書いてください（`17時 ドイツ時間`、`17:00 シカゴ`、`5pm New York`、`America/Chicago`）。`CST` や `IST` のように複数の地域を指す略称は読みません。",
            "For the customer's time, name their zone by its city or region (`17:00 Chicago`, `17:00 Berlin`, `5pm New York`, `America/Chicago`): an abbreviation of several zones, such as `CST` or `IST`, is not read."
        )
        .to_string()
    })
}

pub fn reply_text(l: Locale, config: &Config, reply: &Reply) -> String {
    super::san(l, &reply_words(l, config, reply))
}

fn reply_words(l: Locale, config: &Config, reply: &Reply) -> String {
    let tz = config.policy.timezone;
    match reply {
        Reply::OpenedAlready {
            id,
            channel,
            channel_name,
            refused,
            options,
        } => {
            let channel = match (channel, refused) {
                (Some(c), _) => format!("<#{c}>"),
                (None, true) => super::messages::refused_channel_ref(l, channel_name.as_deref()),
                (None, false) => tr!(l, "（チャンネル作成中）", "(its channel is being set up)").to_string(),
            };
            let minutes = crate::trouble::customer::SAME_OPEN_WITHIN_MINUTES;
            let mut text = tr!(
                l,
                format!("同じお客様・同じ概要のトラブル {id} を{minutes}分以内に起票済みです: {channel}。二重起票を避けるため、何も起票していません。"),
                format!("You opened trouble {id} for this customer with this summary a moment ago: {channel}. Nothing new was opened, so the manager is not paged twice.")
            );
            // Nothing is being set up: where the channel is asked for, and where it works meanwhile.
            if *refused {
                text.push_str(&tr!(
                    l,
                    format!("チャンネルは、ボットからの DM かボットのホームの「チャンネルの作成を再試行」でもう一度依頼できます。それまではボットとの DM で、コマンドのすぐ後に番号を付けて入力してください（`/trouble note {id} …`）。"),
                    format!(" Ask for its channel again with *Try creating the channel again* in the bot's DM to you or in its Home; until then, type its commands in a DM with the bot, its id right after the command (`/trouble note {id} …`).")
                ));
            }
            text.push_str(tr!(
                l,
                "別のトラブルとして起票するには、概要を変えて入力してください。",
                " To open another trouble, give it a summary of its own."
            ));
            if *options {
                match refused {
                    false => text.push_str(tr!(
                        l,
                        "\n今回指定した重大度・上司・部門は反映していません。変更するにはそのチャンネルで `/trouble sev N`、`/trouble manager @上司`、`/trouble add +部門` を入力してください。",
                        "\nThe severity, manager or departments typed with it were not applied: in its channel, `/trouble sev N`, `/trouble manager @…` or `/trouble add +dept` changes them."
                    )),
                    true => text.push_str(&tr!(
                        l,
                        format!("\n今回指定した重大度・上司・部門は反映していません。変更するにはボットとの DM で `/trouble sev {id} N`、`/trouble manager {id} @上司`、`/trouble add {id} +部門` を入力してください。"),
                        format!("\nThe severity, manager or departments typed with it were not applied: in a DM with the bot, `/trouble sev {id} N`, `/trouble manager {id} @…` or `/trouble add {id} +dept` changes them.")
                    )),
                }
            }
            text
        }
        Reply::Opened {
            id,
            customer,
            severity,
            channel_name,
            manager_pinged,
            top_of_org,
        } => {
            let customer = typed(customer);
            let sev = severity.level();
            match manager_pinged {
                false if *top_of_org => tr!(
                    l,
                    format!("トラブル {id} を起票しました（{customer}様、sev{sev}）。チャンネル #{channel_name} を準備しています。⚠️ あなたは組織設定（上司の系列）の最上位のため、上司への連絡はしていません（上司に指名できる人もいません）。お客様の担当営業に任せるときは、チャンネルで `/trouble owner @担当` と担当を変更してください。その上司に確認を依頼します。"),
                    format!("Trouble {id} opened for {customer}, sev{sev}; channel #{channel_name} is coming up. ⚠️ You are at the top of the bot's org settings, so nobody has been pinged: nobody is above you, and nobody can be named your manager. To hand it to the account's rep, type `/trouble owner @rep` in the channel: their manager is then asked to acknowledge.")
                ),
                true => tr!(
                    l,
                    format!("トラブル {id} を起票しました（{customer}様、sev{sev}）。上司に DM で連絡します。チャンネル #{channel_name} を準備しています。"),
                    format!("Trouble {id} opened for {customer}, sev{sev}. Your manager is being told by DM; channel #{channel_name} is coming up.")
                ),
                false => tr!(
                    l,
                    format!("トラブル {id} を起票しました（{customer}様、sev{sev}）。チャンネル #{channel_name} を準備しています。⚠️ 上司が設定されていないため、誰にも連絡できていません。チャンネルで `/trouble manager @上司` と指名してください。"),
                    format!("Trouble {id} opened for {customer}, sev{sev}; channel #{channel_name} is coming up. ⚠️ No manager is configured for you, so nobody has been pinged: name one in the channel with `/trouble manager @manager`.")
                ),
            }
        }
        Reply::Usage(e) => usage_text(l, e),
        Reply::UnknownDepartment { name, known } => {
            let list = if known.is_empty() {
                tr!(l, "（設定された部門はありません）", "(none configured)").to_string()
            } else {
                known.iter().map(|k| format!("`+{k}`")).collect::<Vec<_>>().join(" ")
            };
            let name = typed(name);
            tr!(
                l,
                format!("部門 `+{name}` は設定にありません。使える部門: {list}"),
                format!("There is no department `+{name}`. Known departments: {list}")
            )
        }
        Reply::UnknownSeverity { level, known } => {
            let list = known.iter().map(|k| format!("`sev{k}`")).collect::<Vec<_>>().join(" ");
            tr!(
                l,
                format!("重大度 {level} は設定にありません。使えるのは {list} です。"),
                format!("Severity {level} is not configured. Use one of {list}.")
            )
        }
        Reply::NotInTroubleChannel => tr!(
            l,
            "このコマンドはトラブルのチャンネルで使ってください。`/trouble list` でチャンネルを確認できます。",
            "Use this command in a trouble's channel. `/trouble list` shows where they are."
        )
        .to_string(),
        Reply::NotAllowed { act, who } => not_allowed(l, config, *act, who),
        Reply::AckNotAllowedToOwner { who, id } => {
            let refused = not_allowed(l, config, Act::Acknowledge, who);
            tr!(
                l,
                format!("{refused}\n状況を見るには `/trouble 状況 {id}` と入力してください。"),
                format!("{refused}\nTo see where things stand, type `/trouble status {id}`.")
            )
        }
        Reply::ManagerReportsToOwner { manager, owner } => tr!(
            l,
            format!("<@{manager}>は設定上 <@{owner}>の部下のため、このトラブルの上司にはなれません。<@{owner}>より上の人を指名してください。"),
            format!("<@{manager}> reports to <@{owner}> (in the bot's org settings), so cannot be the manager of their trouble. Name someone above <@{owner}>.")
        ),
        Reply::ManagerOwnedItBefore { manager, former } if manager == former => tr!(
            l,
            format!("<@{former}>さんは以前このトラブルの担当者だったため、上司にはなれません（自分が担当したトラブルを確認・クローズすることはできません）。別の人を指名してください。"),
            format!("<@{former}> owned this trouble before, so cannot be its manager (nobody acknowledges or closes a trouble they owned). Name someone else.")
        ),
        Reply::ManagerOwnedItBefore { manager, former } => tr!(
            l,
            format!("<@{manager}>さんは設定上、以前このトラブルの担当者だった <@{former}>さんの部下のため、上司にはなれません。<@{former}>さんより上の人を指名してください。"),
            format!("<@{manager}> reports to <@{former}>, who owned this trouble before (in the bot's org settings), so cannot be its manager. Name someone above <@{former}>.")
        ),
        Reply::OwnerCannotBeManager => tr!(
            l,
            "担当者は自分の上司になれません。別の人を上司に指名してください（設定された上司は常に確認依頼・エスカレーションの対象です）。",
            "The owner cannot be their own manager. Name someone else (the configured manager chain always stays in the chain)."
        )
        .to_string(),
        Reply::ParticipantsAdded { users: added, depts } if added.is_empty() && depts.is_empty() => tr!(
            l,
            "指定された人と部門はすでに参加者です。",
            "Everyone named is already a participant."
        )
        .to_string(),
        Reply::ParticipantsAdded { users: added, depts } => {
            let who = super::messages::participants_list(l, config, added, depts, false);
            tr!(
                l,
                format!("{who}を参加者に追加し、チャンネルに招待しました。"),
                match added.len() + depts.len() {
                    1 => format!("Added {who} as a participant and invited them to the channel."),
                    _ => format!("Added {who} as participants and invited them to the channel."),
                }
            )
        }
        Reply::ParticipantsRemoved { users } => {
            let who = super::people(l, users);
            tr!(
                l,
                format!("{who}を参加者から外し、チャンネルから退出させました。タイムラインに記録しました。"),
                format!("Removed {who} from the participants and the channel. The timeline records it.")
            )
        }
        Reply::NotRemovable { user, kept } => {
            let who = format!("<@{user}>");
            let why = match kept {
                KeptBy::Owner => tr!(l, format!("{who}はこのトラブルの担当です。担当を替えるには `/trouble owner @名前` を使います。"), format!("{who} owns this trouble: hand it over with `/trouble owner @name`.")),
                KeptBy::Chain => tr!(l, format!("{who}は上司（確認を依頼する系列）です。上司は外せません（`/trouble manager @名前` で別の人を指名できます）。"), format!("{who} is in its manager chain, which stays (name another manager with `/trouble manager @name`).")),
                KeptBy::Department(d) => {
                    let dept = super::messages::participants_list(l, config, &[], std::slice::from_ref(d), false);
                    tr!(l, format!("{who}は関係部門（{dept}）のメンバーです。部門は外せません。"), format!("{who} is a member of its department {dept}, which stays on it."))
                }
                KeptBy::Actions(ns) => {
                    let first = ns[0];
                    tr!(l, format!("{who}には完了していない対策（{}）があります。先に `/trouble fix action {first} 担当:@名前` で引き継いでください。", super::numbers(l, ns)), format!("{who} still has open actions ({}): hand them to someone first with `/trouble fix action {first} owner:@name`.", super::numbers(l, ns)))
                }
            };
            tr!(l, format!("{why}何も変更していません。"), format!("{why} Nothing was changed."))
        }
        // Not "already acknowledged by you" in the third person to the one who did.
        Reply::AlreadyAcknowledged { you: true, .. } => {
            tr!(l, "確認済みです（あなたが確認しています）。", "You have acknowledged it already.").to_string()
        }
        Reply::AlreadyAcknowledged { by, you: false } => tr!(
            l,
            format!("すでに <@{by}>が確認しています。"),
            format!("Already acknowledged by <@{by}>.")
        ),
        Reply::AboutTrouble { id, customer, reply } => {
            let customer = cut(&one_line(customer, Where::Elsewhere), 100);
            match reply.as_ref() {
                Reply::AlreadyAcknowledged { you: true, .. } => tr!(
                    l,
                    format!("トラブル {id}（{customer}）は確認済みです（あなたが確認しています）。"),
                    format!("You have acknowledged trouble {id} ({customer}) already.")
                ),
                Reply::AlreadyAcknowledged { by, you: false } => tr!(
                    l,
                    format!("トラブル {id}（{customer}）は、すでに <@{by}>が確認しています。"),
                    format!("Trouble {id} ({customer}) was already acknowledged by <@{by}>.")
                ),
                Reply::AlreadyClosed { reopeners } if reopeners.is_empty() => tr!(
                    l,
                    format!("トラブル {id}（{customer}）はクローズ済みです。"),
                    format!("Trouble {id} ({customer}) is already closed.")
                ),
                Reply::AlreadyClosed { reopeners } => tr!(
                    l,
                    format!("トラブル {id}（{customer}）はクローズ済みです。作業を続けるには、{}が `/trouble reopen {id} 理由` で再開できます。", super::chain_text(l, &config.policy, reopeners)),
                    format!("Trouble {id} ({customer}) is already closed. To work on it again, {} may reopen it: `/trouble reopen {id} REASON`.", super::chain_text(l, &config.policy, reopeners))
                ),
                other => tr!(
                    l,
                    format!("トラブル {id}（{customer}）: {}", reply_text(l, config, other)),
                    format!("Trouble {id} ({customer}): {}", reply_text(l, config, other))
                ),
            }
        }
        Reply::Acknowledged {
            id,
            customer,
            refused,
            lost,
        } => {
            let customer = cut(&one_line(customer, Where::Elsewhere), 100);
            let done = tr!(
                l,
                format!("トラブル {id}（{customer}）を確認しました。エスカレーションは止まります。"),
                format!("Acknowledged trouble {id} ({customer}). Escalation has stopped.")
            );
            // Nobody reads it in a channel yet: its line waits for the channel Slack refused, and
            // the kickoff and the status say it there anyway (past the lines that may wait).
            let waits = match refused {
                // Lost to the bot, the channel is there: the line follows when the bot is back.
                None => match lost {
                    None => "",
                    Some(ChannelLoss::Archived) => tr!(
                        l,
                        "チャンネルがアーカイブされているため、確認したことはアーカイブが解除されてからそこに表示されます。",
                        " Its channel is archived, so the acknowledgement shows there once it is unarchived."
                    ),
                    Some(ChannelLoss::BotRemoved) => tr!(
                        l,
                        "ボットがチャンネルから外されているため、確認したことはボットがチャンネルに戻ってからそこに表示されます。",
                        " The bot was removed from its channel, so the acknowledgement shows there once the bot is back in it."
                    ),
                }
                .to_string(),
                Some(Refused { may_ask: true }) => tr!(
                    l,
                    "Slack がチャンネルの作成を拒否したため、確認したことはチャンネルができてからそこに表示されます。ボットからの DM かボットのホームの「チャンネルの作成を再試行」でもう一度依頼できます。",
                    " Slack refused to create its channel, so the acknowledgement shows there once it is made: ask for it again with *Try creating the channel again* in the bot's DM to you or in its Home."
                )
                .to_string(),
                Some(Refused { may_ask: false }) => tr!(
                    l,
                    "Slack がチャンネルの作成を拒否したため、確認したことはチャンネルができてからそこに表示されます。",
                    " Slack refused to create its channel, so the acknowledgement shows there once it is made."
                )
                .to_string(),
            };
            format!("{done}{waits}")
        }
        Reply::OneTroubleAtATime { ack, ids } => {
            let word = if *ack { "ack" } else { "status" };
            let each = super::listed(l, ids.iter().map(|id| format!("`/trouble {word} {id}`")));
            tr!(
                l,
                format!("トラブルは1件ずつ指定してください: {each}。何も変更していません。"),
                format!("Name one trouble at a time: {each}. Nothing was changed.")
            )
        }
        Reply::StageDone { stage } => tr!(
            l,
            format!("第{}段階「{}」を完了にしました。", stage.number(), stage_name(l, *stage)),
            format!("Stage {} \"{}\" marked done.", stage.number(), stage_name(l, *stage))
        ),
        Reply::StageStarted { stage } => tr!(
            l,
            format!("第{}段階「{}」を対応中にしました。", stage.number(), stage_name(l, *stage)),
            format!("Stage {} \"{}\" is now in progress.", stage.number(), stage_name(l, *stage))
        ),
        Reply::StageAlreadyDone { stage } => tr!(
            l,
            format!(
                "第{}段階「{}」はすでに完了しています。",
                stage.number(),
                stage_name(l, *stage)
            ),
            format!("Stage {} \"{}\" is already done.", stage.number(), stage_name(l, *stage))
        ),
        Reply::AllStagesDone => tr!(
            l,
            "7段階すべて完了しています。`/trouble close` でクローズできます。",
            "All seven stages are done. `/trouble close` closes the trouble."
        )
        .to_string(),
        Reply::Noted => tr!(l, "タイムラインに記録しました。", "Added to the timeline.").to_string(),
        Reply::UpdateLogged {
            next_due,
            promised,
            reminder,
            near,
            kept,
            unread_promise,
            reminded,
            zone,
            zone_remembered,
            manager_told,
        } => {
            let promise = format_promise(l, tz, *next_due, *zone);
            // A promise logged by someone else is the owner's to keep: they are the one reminded.
            let (you_ja, you_en) = match reminded {
                Some(owner) => (format!("担当者 <@{owner}> に"), format!("<@{owner}>")),
                None => (String::new(), "you".to_string()),
            };
            // Said, so a colleague's update is not taken to have moved the owner's promise.
            let stands = match kept {
                true => tr!(
                    l,
                    "（この報告に次回の約束がないため、以前の約束が引き続き有効です。変更するには `次回:` で新しい時刻を指定してください。）",
                    " (This update gave no new time, so the earlier promise stands; give one with `next:` to change it.)"
                ),
                false => "",
            };
            let text = if *promised && *near {
                // Said as it will happen: a reminder "15 minutes before" would be one already due.
                tr!(
                    l,
                    format!("お客様への報告を記録しました。次回の約束 {promise} まで15分を切っているため、事前のお知らせはしません。それまでに次の報告が記録されなければ、{you_ja}約束の時刻が過ぎたことをお知らせします。"),
                    format!("Customer update logged. The promised {promise} is less than 15 minutes away, so no reminder comes before it: if no update is logged by then, I'll tell {you_en} it is overdue.")
                )
            } else if *promised {
                match reminder {
                    Some(at) if crate::trouble::decide::reminder_at_lead(*next_due, *at) => tr!(
                        l,
                        format!("お客様への報告を記録しました。次回の約束 {promise} の15分前に{you_ja}お知らせします。"),
                        format!("Customer update logged. I'll remind {you_en} 15 minutes before the promised {promise}.")
                    ),
                    // Nothing is posted outside business hours: said now, not found out later.
                    Some(at) => {
                        let at = format_day_time(l, tz, *at);
                        tr!(
                            l,
                            format!("お客様への報告を記録しました。次回の約束 {promise} は営業時間外のため、その前の営業時間内（{at}）に{you_ja}お知らせします。"),
                            format!("Customer update logged. The promised {promise} is outside business hours, so I'll remind {you_en} at {at}, before the hours end.")
                        )
                    }
                    None => tr!(
                        l,
                        format!("お客様への報告を記録しました。次回の約束 {promise} までに営業時間がないため、事前のお知らせはできません。約束の時刻はご自身で守ってください。"),
                        format!("Customer update logged. No business hours are left before the promised {promise}, so no reminder will come before it: keep it yourself.")
                    ),
                }
            } else {
                tr!(
                    l,
                    format!(
                        "お客様への報告を記録しました。次回の報告期限は {} です。",
                        format_day_time(l, tz, *next_due)
                    ),
                    format!(
                        "Customer update logged. The next one is due by {}.",
                        format_day_time(l, tz, *next_due)
                    )
                )
            };
            let unread = match unread_promise {
                Some(words) => {
                    let words = typed(&cut(words, 60));
                    tr!(
                        l,
                        format!("`{words}` からは日時を読み取れなかったため、文として記録し、次回の約束は設定していません。約束するには `次回: 明日 15:00` の形で時刻を指定してください。"),
                        format!(" No time could be read from `{words}`, so it is kept as words and no promise to the customer is set: to promise one, give it as `next: tomorrow 15:00`.")
                    )
                }
                None => String::new(),
            };
            // Read on our clock, the customer's shown beside it: a rep who meant theirs sees it.
            let ours = match zone.filter(|_| *zone_remembered) {
                Some(zone) => {
                    let zone = zone.name();
                    tr!(
                        l,
                        format!("（時刻にタイムゾーンがないため当社の時刻として読み、先方時間はこのトラブルで以前に指定されたタイムゾーンで併記しています。先方の時刻のつもりなら、タイムゾーンを添えてください: `次回: 17:00 {zone}`）"),
                        format!(" (No zone was named, so the time was read on our clock; the customer's is shown in the zone given earlier on this trouble. If you meant their time, name it: `next: 17:00 {zone}`.)")
                    )
                }
                None => String::new(),
            };
            // Far off: said, so nobody learns from elsewhere that their manager heard of it.
            let told = match manager_told {
                Some(m) => tr!(
                    l,
                    format!("この約束は通常の報告間隔の2回分より先のため、上司 <@{m}> にお知らせしました。"),
                    format!(" That is further off than two of the usual update periods, so <@{m}>, the manager, was told.")
                ),
                None => String::new(),
            };
            format!("{text}{stands}{ours}{unread}{told}")
        }
        Reply::BadWhen { text, error } => when_error(l, text, error),
        Reply::UpdateWithdrawn {
            n,
            text,
            last_contact,
            next_due,
            overdue,
            first_contact,
            zone,
        } => {
            let said = typed(text);
            // A time already past reads as a deadline still ahead: say it is owed now.
            let due = match overdue {
                true => tr!(l, "次回の報告はすでに期限を過ぎています（今すぐ必要です）。", "The next update is overdue: it is owed now.").to_string(),
                false => tr!(
                    l,
                    format!("次回の報告期限は {} です。", format_promise(l, tz, *next_due, *zone)),
                    format!("The next update is due by {}.", format_promise(l, tz, *next_due, *zone))
                ),
            };
            // One deadline, the status's: the first call's names no next update beside it.
            let (since, due) = match (last_contact, first_contact) {
                (Some(at), _) => (
                    tr!(
                        l,
                        format!("お客様への最後の報告は {} です。", format_day_time(l, tz, *at)),
                        format!("The customer last heard from us at {}.", format_day_time(l, tz, *at))
                    ),
                    due,
                ),
                (None, Some(by)) => {
                    let by = format_day_time(l, tz, *by);
                    let owed = match overdue {
                        true => tr!(l, format!("初回連絡の期限 {by} を過ぎています（今すぐ必要です）。"), format!("the first contact was due by {by}: it is owed now.")),
                        false => tr!(l, format!("初回連絡の期限は {by} です。"), format!("the first contact is due by {by}.")),
                    };
                    (
                        tr!(
                            l,
                            format!("お客様にはまだ一度も報告していないことになります。{owed}"),
                            format!("The customer has not heard from us yet: {owed}")
                        ),
                        String::new(),
                    )
                }
                (None, None) => (
                    tr!(l, "お客様にはまだ報告していないことになります。", "The customer has not heard from us yet.").to_string(),
                    due,
                ),
            };
            tr!(
                l,
                format!("お客様への報告 #{n}（「{said}」）を取り消しました。タイムラインには残りますが、お客様への連絡としては数えません。{since}{due}お客様に実際に伝えた内容があれば `/trouble update` で記録してください。"),
                format!("Update #{n} (“{said}”) withdrawn: it stays on the timeline but no longer counts as contact with the customer. {}", [since.as_str(), due.as_str(), "If the customer was told something, log it with `/trouble update`."].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" "))
            )
        }
        Reply::NoSuchUpdate { n: _, count: 0 } => tr!(
            l,
            "このトラブルにはまだお客様への報告が記録されていないため、取り消すものはありません。",
            "No customer update is logged on this trouble, so there is nothing to withdraw."
        )
        .to_string(),
        Reply::NoSuchUpdate { n, count } => tr!(
            l,
            format!("お客様への報告 #{n} はありません（このトラブルの報告は #1〜#{count}、記録された順）。"),
            format!("There is no update #{n}: this trouble has updates #1 to #{count}, in the order they were logged.")
        ),
        Reply::UpdateAlreadyLogged { n, at } => tr!(
            l,
            format!("同じ報告を {} に記録済みです（報告 #{n}）。二重には記録していません。", format_day_time(l, tz, *at)),
            format!("You logged this same update at {} (update #{n}): it is not logged twice.", format_day_time(l, tz, *at))
        ),
        Reply::UpdateAlreadyWithdrawn { n, by, at } => tr!(
            l,
            format!("お客様への報告 #{n} は {} に <@{by}> が取り消し済みです。別の報告を取り消すには番号を指定してください: `/trouble 取消 報告 N 理由`", format_day_time(l, tz, *at)),
            format!("Update #{n} was already withdrawn by <@{by}> at {}. To withdraw another, give its number: `/trouble withdraw update N REASON`.", format_day_time(l, tz, *at))
        ),
        Reply::WithdrawNotAllowed { n, logged_by, owner, chain } => {
            let logged = if logged_by == owner {
                tr!(l, format!("記録した担当者 <@{owner}>"), format!("the owner <@{owner}>, who logged it"))
            } else {
                tr!(l, format!("記録した <@{logged_by}>、担当者 <@{owner}>"), format!("<@{logged_by}>, who logged it, the owner <@{owner}>"))
            };
            match chain.is_empty() {
                true => tr!(
                    l,
                    format!("お客様への報告 #{n} を取り消せるのは {logged}だけです。"),
                    format!("Only {logged} can withdraw update #{n}.")
                ),
                false => tr!(
                    l,
                    format!("お客様への報告 #{n} を取り消せるのは {} と {}だけです。", logged, chain_text(l, &config.policy, chain)),
                    format!("Only {logged} or {} can withdraw update #{n}.", chain_text(l, &config.policy, chain))
                ),
            }
        }
        Reply::MeasureAdded => tr!(
            l,
            "再発防止策を記録しました（第7段階）。",
            "Prevention measure recorded (stage 7)."
        )
        .to_string(),
        Reply::OwnerChanged {
            to,
            manager,
            ack_withdrawn,
        } => {
            let mut text = match manager {
                None => tr!(l, format!("担当を <@{to}> に変更しました。"), format!("The owner is now <@{to}>.")),
                Some(m) => tr!(
                    l,
                    format!("担当を <@{to}> に変更しました。担当者は自分の上司になれないため、上司は <@{m}> になりました。"),
                    format!("The owner is now <@{to}>. The owner is never their own manager, so the manager is now <@{m}>.")
                ),
            };
            match ack_withdrawn {
                Some(by) if by == to => text.push_str(tr!(
                    l,
                    "自分のトラブルは確認できないため、これまでの確認は取り消し、上司に確認を依頼しました。",
                    " Nobody acknowledges their own trouble, so the earlier acknowledgement no longer stands and the manager is asked."
                )),
                Some(by) => text.push_str(&tr!(
                    l,
                    format!("<@{by}>さんは新しい担当者の上位ではないため、その確認は取り消し、上司に確認を依頼しました。"),
                    format!(" <@{by}> is not above the new owner, so their acknowledgement no longer stands and the manager is asked.")
                )),
                None => {}
            }
            text
        }
        Reply::NobodyAboveNewOwner { to } => tr!(
            l,
            format!("<@{to}>の上に確認できる人がいないため、担当にできません。先に `/trouble manager @…` で上司を指名してから担当を変更してください。"),
            format!("<@{to}> cannot own this trouble: nobody would be left above them to acknowledge it. Name a manager with `/trouble manager @…` first, then hand it over.")
        ),
        Reply::HandedToOwnersReport {
            to,
            owner,
            overruling,
            former,
        } => {
            let overruling = chain_text(l, &config.policy, overruling);
            let (was_ja, was_en) = match former {
                true => ("以前の担当者", "who owned it before"),
                false => ("担当者", "the owner"),
            };
            tr!(
                l,
                format!("<@{to}>さんは{was_ja} <@{owner}>さんの部下のため、担当にできません。担当にすると、<@{owner}>さんが自分の担当だったトラブルの重大度を下げたり強制クローズしたりできるようになります（今、重大度の引き下げや強制クローズができるのは {overruling}です）。<@{owner}>さんの部下以外に渡してください。<@{to}>さんに対応してもらうには、`/trouble add @…` で参加者に加え、対策を割り当ててください。"),
                format!("<@{to}> reports to <@{owner}>, {was_en}, so cannot own this trouble: <@{owner}> could then lower it or force its close, over a trouble that was theirs (only {overruling} can now). Hand it to someone <@{owner}> does not manage; to have <@{to}> work on it, add them with `/trouble add @…` and give them actions.")
            )
        }
        Reply::ManagerChanged { to, ack_withdrawn } => {
            let mut text = tr!(
                l,
                format!("上司を <@{to}> に変更しました。"),
                format!("The manager is now <@{to}>.")
            );
            if let Some(by) = ack_withdrawn {
                text.push_str(&tr!(
                    l,
                    format!("<@{by}>さんは上司の系統から外れたため、その確認は取り消し、<@{to}>さんに確認を依頼しました。"),
                    format!(" <@{by}> is no longer in the chain, so their acknowledgement no longer stands and <@{to}> is asked.")
                ));
            }
            text
        }
        Reply::SeverityChanged { id, customer, from, to } => {
            let customer = cut(&one_line(customer, Where::Elsewhere), 100);
            tr!(
                l,
                format!("トラブル {id}（{customer}）の重大度を sev{from} から sev{to} に変更しました。"),
                format!("Severity of trouble {id} ({customer}) changed from sev{from} to sev{to}.")
            )
        }
        Reply::LoweringNeedsReason { from, to } => tr!(
            l,
            format!("重大度を sev{from} から下げるには理由を添えてください: `/trouble sev {} 理由`（引き下げは確認と報告の期限をすべて延ばすため、理由とともにチャンネルと上位者に伝えます）。何も変更していません。", to.level()),
            format!("Give the reason for lowering it from sev{from}: `/trouble sev {} REASON` (a lowering slows every clock, so the channel and the level above hear why). Nothing was changed.", to.level())
        ),
        Reply::SeverityUnchanged { level } => tr!(l, format!("重大度はすでに sev{level} です。"), format!("The severity is already sev{level}.")),
        Reply::Closed { id, customer } => {
            let customer = cut(&one_line(customer, Where::Elsewhere), 100);
            tr!(l, format!("トラブル {id}（{customer}）をクローズしました。"), format!("Closed trouble {id} ({customer})."))
        }
        Reply::CloseUnacknowledged { chain } => tr!(
            l,
            format!("このトラブルはまだ誰も確認していないため、クローズできません。先に {} が確認してください（上司が知らないままクローズされることのないように）。", chain_text(l, &config.policy, chain)),
            format!("Nobody has acknowledged this trouble yet, so it cannot be closed: {} acknowledges it first, so that no trouble closes before its manager has heard of it.", chain_text(l, &config.policy, chain))
        ),
        Reply::CloseMissing {
            not_done,
            never_started,
            has_measure,
            not_effective,
            forcers,
            you_may_force,
        } => {
            let mut missing = Vec::new();
            if !has_measure {
                missing.push(super::measure_missing(l, not_effective));
            }
            let never: Vec<String> = never_started.iter().map(|s| s.number().to_string()).collect();
            let never_text = if never.is_empty() {
                String::new()
            } else {
                tr!(l, format!("一度も着手されていない段階: 第{}段階。", never.join("・")), format!("Never started: stage {}. ", never.join(", ")))
            };
            for stage in not_done {
                missing.push(tr!(
                    l,
                    format!("第{}段階「{}」の完了（`/trouble done {}`）", stage.number(), stage_name(l, *stage), stage.number()),
                    format!("stage {} \"{}\" done (`/trouble done {}`)", stage.number(), stage_name(l, *stage), stage.number())
                ));
            }
            // Named, as every refusal names who may: "the manager" would send the rep to the
            // one named at the open, who may not force it.
            let force = match forcers.as_ref() {
                _ if *you_may_force => tr!(
                    l,
                    "`/trouble close force 理由` で強制クローズできます。",
                    "You can force it: `/trouble close force REASON`."
                )
                .to_string(),
                Who::Chain(chain) if !chain.is_empty() => {
                    let chain = chain_text(l, &config.policy, chain);
                    tr!(
                        l,
                        format!("{chain}は `/trouble close force 理由` で強制クローズできます。"),
                        format!("{chain} can force it: `/trouble close force REASON`.")
                    )
                }
                nobody => not_allowed(l, config, Act::CloseForce, nobody),
            };
            tr!(
                l,
                format!("まだクローズできません。足りないもの: {}。{never_text}{force}", missing.join("、")),
                format!("Not ready to close. Missing: {}. {never_text}{force}", missing.join(", "))
            )
        }
        Reply::AlreadyClosed { reopeners } if reopeners.is_empty() => {
            tr!(l, "このトラブルはクローズ済みです。", "This trouble is already closed.").to_string()
        }
        Reply::AlreadyClosed { reopeners } => tr!(
            l,
            format!("このトラブルはクローズ済みです。作業を続けるには、{}が `/trouble reopen 理由` で再開できます。", super::chain_text(l, &config.policy, reopeners)),
            format!("This trouble is already closed. To work on it again, {} may reopen it: `/trouble reopen REASON`.", super::chain_text(l, &config.policy, reopeners))
        ),
        Reply::ReportPosted { parts, shown } if shown < parts => tr!(
            l,
            format!("報告書を投稿しました。チャンネルに概要、そのスレッドに全{parts}件のうち{shown}件があります。全文はボットのサーバーで `trouble-bot export` で出力できます。"),
            format!("Report posted: a summary in the channel, {shown} of its {parts} parts in its thread. `trouble-bot export` on the bot's server prints all of it.")
        ),
        Reply::ReportPosted { parts, .. } => tr!(
            l,
            format!("報告書を投稿しました。チャンネルに概要、そのスレッドに本文（{parts}件）があります。"),
            format!("Report posted: a summary in the channel, the full report in its thread ({}).", super::en_count(*parts, "part", "parts"))
        ),
        Reply::ReportNotInSharedChannel => tr!(
            l,
            "このチャンネルはお客様と共有されているため、社内向けの報告書（費用・責任区分を含む）は投稿しません。お客様向けは `/trouble report 8d`、全文はボットのサーバーで `trouble-bot export` を使ってください。".to_string(),
            "This channel is shared with the customer, so the internal report (with costs and the split) is not posted here. Use `/trouble report 8d` for the customer, or `trouble-bot export` on the bot's server for the full text.".to_string()
        ),
        Reply::ReportRecent { at } => {
            let at = at.with_timezone(&tz).format("%H:%M:%S");
            tr!(
                l,
                format!("報告書は {at} にこのチャンネルに投稿したばかりです（本文はそのスレッドにあります）。1分たってからもう一度どうぞ。"),
                format!("The report was just posted in this channel at {at} (the full text is in its thread). Ask again after a minute.")
            )
        }
        Reply::Status(_) => String::new(),
        Reply::Step(step) => super::stages::reply_text(l, config, step),
        Reply::Agreement(r) => super::agreement::reply_text(l, r),
        Reply::EightDPosted => tr!(
            l,
            "8D報告書を投稿しました。確認してからお客様に送ってください（責任区分・費用・承認・社内メモは含みません）。",
            "The 8D report is posted for review before it goes to the customer (it leaves out the split, costs, approvals and internal notes)."
        )
        .to_string(),
        Reply::EightDSentForReview => tr!(
            l,
            "このチャンネルはお客様と共有されているため、8D報告書の下書きはここには投稿せず、あなたに DM で送りました。確認してからお客様に送ってください（責任区分・費用・承認・社内メモは含みません）。",
            "This channel is shared with the customer, so the 8D draft is not posted here: it is sent to you by DM to review before it goes to the customer (it leaves out the split, costs, approvals and internal notes)."
        )
        .to_string(),
        Reply::CloseActions { open_interim, has_prevention } => super::stages::close_actions_text(l, open_interim, *has_prevention),
        Reply::ChannelAgain { id, answer } => match answer {
            ChannelAgain::Asked { then_held } => {
                // What waited follows only when something did.
                let (then_ja, then_en) = match then_held {
                    true => ("し、それまで投稿を待っていた記録を起きた順に続けます", ", then what waited for it, in order"),
                    false => ("します", ""),
                };
                tr!(
                    l,
                    format!("トラブル {id} のチャンネルの作成を Slack にもう一度依頼しました。作成されたら、関係者を招待してキックオフと状況を投稿{then_ja}。また拒否されたら、担当者に DM で伝えます。"),
                    format!("Slack is asked again to create the channel of trouble {id}. Once it is made, everyone taking part is invited and the kickoff and the status are posted there{then_en}; if Slack refuses again, the owner hears by DM.")
                )
            }
            ChannelAgain::Exists(channel) => tr!(
                l,
                format!("トラブル {id} にはチャンネル <#{channel}> があります。"),
                format!("Trouble {id} has its channel: <#{channel}>.")
            ),
            ChannelAgain::Coming => tr!(
                l,
                format!("トラブル {id} のチャンネルは作成中です。まもなく招待が届きます。"),
                format!("The channel of trouble {id} is being created already: the invitation comes in a moment.")
            ),
        },
    }
}

/// The act as a refusal names it ("only … can acknowledge").
fn act_text(l: Locale, act: Act) -> &'static str {
    match act {
        Act::Acknowledge => tr!(l, "確認", "acknowledge"),
        Act::Stages => tr!(l, "段階の変更", "change the stages"),
        Act::Update => tr!(l, "お客様への報告の記録", "log customer updates"),
        Act::Split => tr!(l, "責任区分の記録", "record the split"),
        Act::Cost => tr!(l, "費用の記録", "record costs"),
        Act::Prevent => tr!(l, "再発防止策の記録", "record prevention measures"),
        Act::Add => tr!(l, "参加者の追加", "add participants"),
        Act::Remove => tr!(l, "参加者を外すこと", "remove participants"),
        Act::RaiseSeverity => tr!(l, "重大度の引き上げ", "raise the severity"),
        Act::LowerSeverity => tr!(l, "重大度の引き下げ", "lower the severity"),
        Act::ChangeOwner => tr!(l, "担当の変更", "change the owner"),
        Act::NameManager => tr!(l, "上司の指名", "name the manager"),
        Act::Close => tr!(l, "クローズ", "close this trouble"),
        Act::CloseForce => tr!(l, "強制クローズ", "force-close this trouble"),
        Act::AskForChannel => tr!(l, "チャンネル作成の再依頼", "ask for the channel again"),
        Act::Facts | Act::Actions | Act::Reopen | Act::JudgeEffect | Act::Fix => {
            super::stages::act_text(l, act).unwrap_or_default()
        }
        Act::Approve | Act::Agree => super::agreement::act_text(l, act).unwrap_or_default(),
    }
}

fn not_allowed(l: Locale, config: &Config, act: Act, who: &Who) -> String {
    let what = act_text(l, act);
    match who {
        Who::TopOfOrg { owner } => tr!(
            l,
            format!("<@{owner}>さんは組織設定（上司の系列）の最上位のため、{what}ができる上位者はいません（上司に指名できる人もいません）。<@{owner}>さんが `/trouble owner @担当` で担当を渡すと、その担当者の上司（と<@{owner}>さん）ができるようになります。"),
            format!("<@{owner}> is at the top of the bot's org settings, so nobody above them can {what} (and nobody can be named their manager). Once <@{owner}> hands it over with `/trouble owner @name`, that owner's manager chain (<@{owner}> in it) can.")
        ),
        Who::Chain(chain) if chain.is_empty() => tr!(
            l,
            format!("上司がまだ指名されていないため、{what}は誰もできません。担当者が `/trouble manager @上司` で指名できます。"),
            format!("No manager is named yet, so nobody can {what}. The owner can name one with `/trouble manager @name`.")
        ),
        Who::Chain(chain) => tr!(
            l,
            format!("{what}ができるのは {}だけです。", chain_text(l, &config.policy, chain)),
            format!("Only {} can {what}.", chain_text(l, &config.policy, chain))
        ),
        Who::OwnerOrChain { owner, chain } if chain.is_empty() && matches!(act, Act::NameManager) => tr!(
            l,
            format!("{what}ができるのは担当者 <@{owner}>（自分以外を指名）だけです。"),
            format!("Only the owner <@{owner}> can {what} (anyone but themself).")
        ),
        Who::OwnerOrChain { owner, chain } if chain.is_empty() => tr!(
            l,
            format!("{what}ができるのは担当者 <@{owner}>だけです。"),
            format!("Only the owner <@{owner}> can {what}.")
        ),
        Who::OwnerOrChain { owner, chain } => tr!(
            l,
            format!("{what}ができるのは担当者 <@{owner}> と {}だけです。", chain_text(l, &config.policy, chain)),
            format!("Only the owner <@{owner}> or {} can {what}.", chain_text(l, &config.policy, chain))
        ),
        Who::Owner(owner) => tr!(
            l,
            format!("{what}ができるのは担当者 <@{owner}>だけです。"),
            format!("Only the owner <@{owner}> can {what}.")
        ),
        Who::Participants {
            owner,
            chain,
            departments,
        } => {
            let depts = if departments.is_empty() {
                String::new()
            } else {
                let depts = super::departments_typed(l, config, departments);
                tr!(l, format!("、{depts}の部門メンバー"), format!(", members of {depts}"))
            };
            // Someone pinged through a department's Slack group who is not on its list in the
            // config: told how to take part, not only that others may.
            let how = match departments.is_empty() {
                true => tr!(
                    l,
                    format!("参加するには担当者 <@{owner}> に `/trouble add @あなた` を依頼してください。"),
                    format!("To take part, ask the owner <@{owner}> to `/trouble add` you.")
                ),
                false => tr!(
                    l,
                    format!("参加するには担当者 <@{owner}> に `/trouble add @あなた` を依頼してください（部門メンバーはボットの設定の `members` に載っている人で、Slack のグループにいるだけでは含まれません）。"),
                    format!("To take part, ask the owner <@{owner}> to `/trouble add` you (a department's members are those the bot's config lists under `members`, not everyone in its Slack group).")
                ),
            };
            tr!(
                l,
                format!(
                    "{what}ができるのはこのトラブルの参加者だけです: 担当者 <@{owner}>、{}{depts}、`/trouble add` で追加された人。{how}",
                    chain_text(l, &config.policy, chain)
                ),
                format!(
                    "Only this trouble's participants can {what}: the owner <@{owner}>, {}{depts}, and people added with `/trouble add`. {how}",
                    chain_text(l, &config.policy, chain)
                )
            )
        }
    }
}

/// `troubles` are the first open troubles to show, of `total`; a row whose customer update is
/// overdue under `policy` says by how much, so the reader need not know each severity's cadence.
pub fn list_text(
    l: Locale,
    troubles: &[TroubleSummary],
    total: usize,
    policy: &crate::trouble::policy::Policy,
    now: DateTime<Utc>,
) -> String {
    if troubles.is_empty() {
        return tr!(l, "対応中のトラブルはありません。", "No open troubles.").to_string();
    }
    let mut out = tr!(
        l,
        format!("*対応中のトラブル {total}件*\n"),
        format!("*{}*\n", super::en_count(total, "open trouble", "open troubles"))
    );
    for t in troubles.iter().take(50) {
        let ack = if t.acknowledged {
            tr!(l, "上司確認済み", "acknowledged")
        } else {
            tr!(l, "上司確認待ち", "not acknowledged")
        };
        // The summary's last contact is the opening until an update is logged.
        let heard = super::customer_waited(l, t.last_customer_contact, now, t.last_customer_contact == t.opened_at);
        let mut said = vec![ack.to_string(), heard];
        if let Some(late) = t.update_late(policy, now) {
            let late = super::format_duration(l, late.num_seconds().max(0) as u64);
            said.push(tr!(
                l,
                format!("⚠️ お客様への報告 {late}超過"),
                format!("⚠️ update overdue by {late}")
            ));
        }
        let line = Line {
            id: &t.id,
            customer: &t.customer,
            summary: &t.summary,
            severity: t.severity,
            stage: t.current_stage,
            channel: t.channel.as_ref(),
            channel_name: t.channel_name.as_deref(),
        };
        out.push_str(&line.text(l, &said));
    }
    let shown = troubles.len().min(50);
    if total > shown {
        let more = total - shown;
        out.push_str(&tr!(l, format!("…ほか{more}件"), format!("…and {more} more")));
    }
    out
}

/// A trouble as a list of troubles shows it (`list`, `mine`).
struct Line<'a> {
    id: &'a crate::trouble::model::TroubleId,
    customer: &'a str,
    summary: &'a str,
    severity: crate::trouble::model::Severity,
    stage: Option<crate::trouble::model::StageId>,
    channel: Option<&'a crate::trouble::model::ChannelId>,
    channel_name: Option<&'a str>,
}

impl Line<'_> {
    /// `• `ID` *CUSTOMER* — summary start · sevN · stage · SAID… · #channel`, ending its line.
    fn text(&self, l: Locale, said: &[String]) -> String {
        let stage = self
            .stage
            .map(|s| format!("{}. {}", s.number(), stage_name(l, s)))
            .unwrap_or_else(|| tr!(l, "全段階完了", "all stages done").into());
        let channel = self
            .channel
            .map(|c| format!("<#{c}>"))
            .unwrap_or_else(|| format!("#{}", self.channel_name.unwrap_or_default()));
        let customer = typed(self.customer);
        // The start of its summary, so two troubles of one customer tell apart (as in App
        // Home); a row the index kept before it held one reads as it did.
        let (summary, sev) = match super::summary_part(self.summary) {
            s if s.is_empty() => (s, " "),
            s => (s, " · "),
        };
        let said: String = said.iter().map(|s| format!(" · {s}")).collect();
        format!(
            "• `{}` *{customer}*{summary}{sev}sev{} · {stage}{said} · {channel}\n",
            self.id, self.severity
        )
    }
}

/// How many troubles `/trouble mine` lists (the rest, the least urgent, are counted).
pub const MINE_SHOWN: usize = 30;

/// `/trouble mine`: the asker's troubles (from [`crate::trouble::home::mine`], the most urgent
/// first), each as `list` shows it with what waits on them in place of the acknowledgement,
/// at most [`MINE_SHOWN`]; or, with none, that none waits and what `list` shows.
pub fn mine_text(l: Locale, mine: &[crate::trouble::home::Mine], now: DateTime<Utc>) -> String {
    if mine.is_empty() {
        return tr!(
            l,
            "あなたが担当・管理する対応中のトラブルはなく、あなたの確認や承認を待つトラブルもありません。あなたが見られる対応中のトラブルはすべて `/trouble list` で表示します。",
            "You own or manage no open trouble, and none waits for your acknowledgement or decision. `/trouble list` shows every open trouble you may see."
        )
        .to_string();
    }
    let total = mine.len();
    let mut out = tr!(
        l,
        format!("*あなたのトラブル {total}件*（あなた待ちのものから順に）\n"),
        format!(
            "*Your {}* (what waits on you first)\n",
            super::en_count(total, "open trouble", "open troubles")
        )
    );
    for m in mine.iter().take(MINE_SHOWN) {
        let t = &m.row;
        let mut said = Vec::new();
        if m.awaits_ack {
            said.push(tr!(l, "⏳ あなたの確認待ち", "⏳ waits for your acknowledgement").to_string());
        }
        if !m.decide.is_empty() {
            let ns = m.decide.iter().map(|n| format!("#{n}")).collect::<Vec<_>>().join(", ");
            said.push(tr!(
                l,
                format!("🗳️ 提案 {ns} があなたの承認待ち"),
                match m.decide.len() {
                    1 => format!("🗳️ proposal {ns} waits for your decision"),
                    _ => format!("🗳️ proposals {ns} wait for your decision"),
                }
            ));
        }
        if m.update_overdue {
            said.push(tr!(l, "⚠️ お客様への報告が期限切れ", "⚠️ customer update overdue").to_string());
        }
        if !t.actions.is_empty() {
            let ns = t
                .actions
                .iter()
                .map(|a| format!("#{}", a.n))
                .collect::<Vec<_>>()
                .join(", ");
            let en = match t.actions.len() {
                1 => format!("🔧 your action {ns}"),
                _ => format!("🔧 your actions {ns}"),
            };
            said.push(tr!(l, format!("🔧 あなたの対策 {ns}"), en));
        }
        said.push(super::customer_waited(l, t.last_customer_contact, now, t.never_updated));
        let line = Line {
            id: &t.id,
            customer: &t.customer,
            summary: &t.summary,
            severity: t.severity,
            stage: t.current_stage,
            channel: t.channel.as_ref(),
            channel_name: t.channel_name.as_deref(),
        };
        out.push_str(&line.text(l, &said));
    }
    if let Some(more) = total.checked_sub(MINE_SHOWN).filter(|m| *m > 0) {
        out.push_str(&tr!(
            l,
            format!("…ほか{more}件（上のものより急ぐものはありません）"),
            format!("…and {more} more, none more urgent than those above")
        ));
    }
    out
}

/// The answer to a word the bot has no command for, with how what it most likely asks is done.
fn no_such_word(l: Locale, w: &str, meant: crate::trouble::command::WordMeant) -> String {
    use crate::trouble::command::WordMeant;
    match meant {
        WordMeant::Escalate => tr!(
            l,
            format!("`{w}` というコマンドはありません。上位者へのエスカレーションはボットが行います: 上司が重大度ごとの確認期限までに確認しなければ一つ上の上位者に依頼し、最上位まで続けます。急ぎを上げるには、トラブルのチャンネルで重大度を上げてください: `/trouble sev 1 理由`（確認期限が短くなり、その重大度で必要な部門が加わり、上司にも伝わります）。すぐに誰かを加えるには `/trouble add @ユーザー`。"),
            format!("There is no `{w}` command: the bot goes up the chain itself. When the manager has not acknowledged within the severity's time, it asks the next one up, and so on to the top. To make it more urgent, raise the severity in the trouble's channel: `/trouble sev 1 REASON` (a shorter time to acknowledge, the departments that severity requires brought in, the manager told). To bring someone in now: `/trouble add @user`.")
        ),
        WordMeant::Close => tr!(
            l,
            format!("`{w}` というコマンドはありません。解決したトラブルはそのチャンネルでクローズします: `/trouble close [メモ]`。上司の確認、7段階すべての完了（`/trouble done N`）、再発防止策（`/trouble prevent 内容`）がそろえばクローズし、足りなければ何が足りないかを答えます。"),
            format!("There is no `{w}` command. A resolved trouble is closed in its channel: `/trouble close [note]`. It closes once the manager chain has acknowledged it, all seven stages are done (`/trouble done N`) and a prevention measure is recorded (`/trouble prevent TEXT`); otherwise the answer says what is missing.")
        ),
        WordMeant::Cancel => tr!(
            l,
            format!("`{w}` というコマンドはありません。トラブルは削除できません（記録を隠さないため）。誤って起票したもの（重複・テストなど）は、オーナーの上司とその上位者（組織設定の順）がそのチャンネルで理由を添えてクローズします: `/trouble close force 誤って起票`（理由はタイムラインに残ります）。誤って記録したお客様への報告は `/trouble 取消 報告 [N] 理由`。"),
            format!("There is no `{w}` command: a trouble is never deleted, so its record hides nothing. One opened by mistake (a duplicate, a test) is closed by the owner's manager chain (as the bot's org settings list it) in its channel, with the reason: `/trouble close force opened by mistake` (the reason stays on the timeline). A customer update logged by mistake: `/trouble withdraw update [N] REASON`.")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The close's refusal lists the measures found not effective as every answer lists numbers,
    /// and says "was" of one and "were" of several; in Japanese too.
    #[test]
    fn the_close_refusal_names_the_measures_found_not_effective() {
        let (config, _) = crate::i18n::messages::tests::hostile();
        let refusal = |l: Locale, not_effective: Vec<usize>| {
            let reply = Reply::CloseMissing {
                not_done: vec![],
                never_started: vec![],
                has_measure: false,
                not_effective,
                forcers: Box::new(Who::Chain(vec![])),
                you_may_force: true,
            };
            reply_text(l, &config, &reply)
        };
        for (l, ns, says) in [
            (
                Locale::En,
                vec![1],
                "Missing: a new prevention measure (#1 was found not effective; `/trouble prevent MEASURE`).",
            ),
            (
                Locale::En,
                vec![1, 2],
                "Missing: a new prevention measure (#1, #2 were found not effective; `/trouble prevent MEASURE`).",
            ),
            (
                Locale::Ja,
                vec![1],
                "足りないもの: 新たな再発防止策（#1 は効果なしと確認されたため。`/trouble prevent 対策`）。",
            ),
            (
                Locale::Ja,
                vec![1, 2],
                "足りないもの: 新たな再発防止策（#1、#2 は効果なしと確認されたため。`/trouble prevent 対策`）。",
            ),
        ] {
            let text = refusal(l, ns);
            assert!(text.contains(says), "{l:?}: {text}");
        }
    }
}
