//! The `/trouble` command grammar: text in, a typed command or a precise usage error out.

use super::model::{Severity, StageId, TroubleId, UserId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRequest {
    pub severity: Option<Severity>,
    pub manager: Option<UserId>,
    pub departments: Vec<String>,
    pub customer: String,
    pub summary: String,
    /// The customer's past troubles, read by the shell (the grammar leaves it empty).
    pub past: Vec<super::customer::PastTrouble>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    /// `/trouble open` with no text: the modal.
    OpenModal,
    Open(OpenRequest),
    List,
    /// The open troubles the asker owns, manages, or is asked to acknowledge or decide
    /// something on, the most urgent first.
    Mine,
    History(String),
    Status,
    Ack,
    Next(String),
    Done(StageId, String),
    Start(StageId, String),
    Update {
        text: String,
        next: Option<String>,
    },
    /// `withdraw update [N] REASON`: customer update N (the latest when none is given) no
    /// longer counts; it stays on the timeline.
    WithdrawUpdate {
        n: Option<usize>,
        reason: String,
    },
    Note(String),
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
    Prevent(super::actions::NewAction),
    /// `add <@U>… +dept…`: makes them participants.
    Add {
        users: Vec<UserId>,
        departments: Vec<String>,
    },
    /// `remove <@U>…`: takes people added by mistake off the trouble and out of its channel.
    Remove {
        users: Vec<UserId>,
    },
    Owner(UserId),
    Manager(UserId),
    /// `sev N [reason]`: a lowering needs the reason (the level above hears it with the news).
    Severity {
        to: Severity,
        reason: String,
    },
    Close(String),
    CloseForce(String),
    Report,
    /// Facts, returned goods, scope, cause, actions, corrections, reopening, search (`facts.rs`).
    Step(super::facts::Step),
    /// `stats [days]`: the manager's numbers over the troubles the asker may see.
    Stats(Option<u32>),
    /// `report 8d`: the 8D for the customer, posted in the channel for review; sent to the
    /// asker alone when `shared` (its channel shared with the customer, read by the shell; the
    /// grammar leaves it false), so the customer never reads a draft nobody reviewed.
    Report8d {
        shared: bool,
    },
    /// `agreed N [note]`: the customer accepted approved proposal N (`approval.rs`).
    Agreed(usize, String),
    /// `withdraw agreed N REASON`: the customer's agreement to proposal N was recorded by
    /// mistake; it stands approved again, and both stay on the timeline.
    WithdrawAgreed {
        n: usize,
        reason: String,
    },
}

/// The part a command gives someone in a trouble, as a refusal names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Owner,
    Manager,
    Participant,
}

impl Command {
    /// The people the command gives a part in a trouble: its manager, owner, participants, an
    /// action's owner.
    pub fn people_given_a_part(&self) -> Vec<&UserId> {
        use super::facts::Step;
        match self {
            Command::Open(req) => req.manager.iter().collect(),
            Command::Add { users, .. } | Command::Remove { users } => users.iter().collect(),
            Command::Owner(u) | Command::Manager(u) => vec![u],
            Command::Prevent(a) | Command::Step(Step::Action(a)) => a.owner.iter().collect(),
            Command::Step(Step::FixAction { fix, .. }) => fix.owner.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// Of [`Self::people_given_a_part`], those the command makes take part in a trouble already
    /// open (not the ones it takes off, nor an open's manager: checked apart, and only when not
    /// the owner's configured one, by `App::unfit_named_at_open`).
    pub fn people_joining(&self) -> Vec<&UserId> {
        match self {
            Command::Remove { .. } | Command::Open(_) => Vec::new(),
            command => command.people_given_a_part(),
        }
    }

    /// Of [`Self::people_given_a_part`], those the bot will have to reach, with the part they
    /// take: the owner of the trouble (`owner`) or of an action (nudges and reminders go to them
    /// alone), its manager (asked to acknowledge it) or a participant (`add`: invited to read
    /// it). One whose Slack account is deactivated would read none of it, so is refused
    /// (`App::unfit_among`).
    pub fn people_to_reach(&self) -> Option<(Part, Vec<&UserId>)> {
        use super::facts::Step;
        let part = match self {
            Command::Owner(_) | Command::Prevent(_) | Command::Step(Step::Action(_) | Step::FixAction { .. }) => {
                Part::Owner
            }
            Command::Manager(_) => Part::Manager,
            Command::Add { .. } => Part::Participant,
            _ => return None,
        };
        Some((part, self.people_given_a_part()))
    }

    /// Whether the command records a prevention measure, which the troubles sharing a part or
    /// lot with this one are told of (横展開): `prevent`, or an action of that kind.
    pub fn records_a_measure(&self) -> bool {
        use super::actions::ActionKind;
        use super::facts::Step;
        match self {
            Command::Prevent(_) => true,
            Command::Step(Step::Action(a)) => a.kind == ActionKind::Prevent,
            _ => false,
        }
    }

    /// Commands that act on the trouble whose channel they are typed in.
    pub fn needs_trouble(&self) -> bool {
        !matches!(
            self,
            Command::Help
                | Command::OpenModal
                | Command::Open(_)
                | Command::List
                | Command::Mine
                | Command::History(_)
                | Command::Stats(_)
                | Command::Step(super::facts::Step::Search(_))
        )
    }
}

/// A user mistake, explained by the message catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageError {
    UnknownSubcommand(String),
    /// A word one slip away from a command (`opne`): answered with the command as meant, the
    /// rest of the line kept, so it can be sent again as is. Never acted on: a guess must not
    /// ping a manager.
    Misspelt {
        typed: String,
        meant: &'static str,
        rest: String,
    },
    OpenNeedsCustomerAndSummary,
    /// `open ACME: 🔥🔥`: a summary of punctuation or emoji alone (no [`says_something`]), which
    /// would page the manager telling them nothing of what happened; `customer` as typed.
    OpenSummarySaysNothing {
        customer: String,
    },
    /// A word for what the bot does otherwise (`escalate`, `resolved`, `cancel`): answered
    /// with how it is done, nothing acted on.
    NoSuchWord {
        typed: String,
        meant: WordMeant,
    },
    /// `open ACME - lid cracked`: the customer and the summary parted by a dash, not the colon
    /// the open reads; `open` is the open as meant, to send.
    OpenNeedsColon {
        open: String,
    },
    /// `fix summary lid cracked, sev1, +quality`: what the open reads as options is no part of
    /// a summary, and a correction does not change them (`sev`, `add` do).
    FixSummaryHoldsOptions {
        severity: Option<Severity>,
        departments: Vec<String>,
    },
    /// A customer's name that names none (`customer::is_a_name`): a broadcast, an honorific or
    /// punctuation alone, typed at open or in `fix customer` (a mention there too).
    CustomerNotAName {
        at_open: bool,
    },
    /// `fix cost N` without an amount and a payer after the number (`fix cost 1 ours ¥120,000`).
    BadFixCost(usize),
    /// `scope remove 2`, `scope uncheck 2`: a scope line stays on the record; one typed by
    /// mistake is checked with why it needs no check.
    ScopeLineStays(usize),
    NeedsText(&'static str),
    /// `withdraw` without saying it is an update: the one thing that can be withdrawn.
    BadWithdraw,
    BadStage(&'static str),
    /// `開始 ACME: …` (or `start ACME: …`): a trouble described where a stage's number was asked
    /// for; `start` starts a stage, `open` (`起票`) opens a trouble.
    StartIsNotOpen,
    BadSplit,
    SplitNotHundred(u32),
    BadCost,
    /// A fact's `occurred` that is no past date or time today, as typed (cut short): the answer
    /// says why a zone in it was not read (`11/28 17:00 CST`).
    BadOccurred(String),
    /// A cost's payer that is none of the words for us, the customer or another party.
    BadPayer(String),
    /// `cost ¥30,000 折半 運賃`: half each, which is two costs; `half`, each half's amount when
    /// even, and the note typed.
    CostHalved {
        half: Option<String>,
        note: String,
    },
    /// `sev 3 20261130-1` in the trouble's own channel: its id where the reason goes.
    SevReasonIsAnId(String),
    /// `sev1 ACME: lid cracked`: an open with `open` left out (`open`, as meant, to send),
    /// never a change of the trouble whose channel it was typed in; `reason` is the text as a
    /// reason reads it, for a change that was meant (`sev 1 ACME - lid cracked`).
    SevReadsAsOpen {
        open: String,
        level: u8,
        reason: String,
    },
    /// `open s1 ACME: …`, `open 緊急 ACME: …`: a severity written as no option reads, which would
    /// open at the default severity under a customer named `s1 ACME`; `open` is the open as meant.
    OpenSeverityAsName {
        typed: String,
        open: String,
    },
    /// `open` naming two managers or two severities: which one was meant is not the bot's to guess.
    OpenNamesTwo(&'static str),
    /// `open`'s customer holding a mention of a person or a channel that is no option (`<@bob>`,
    /// `<#C1|sales>`), which would become the name and the channel's.
    CustomerHoldsAMention,
    /// A cost whose amount does not read as money (`1,500,000` with no currency, `3k`).
    BadAmount(String),
    /// An amount over the most one cost may be (`max`, as shown): a slip of the keyboard, and
    /// past it the sums the approval limits measure could no longer be trusted.
    AmountTooLarge {
        amount: String,
        max: String,
    },
    /// An amount written negative (`¥-50,000`, `△50,000円`): a cost is what someone bears.
    NegativeAmount(String),
    /// Digits spaced as thousands (`¥1 000 000`), which read as an amount and a payer.
    SpacedAmount(String),
    NeedsUser(&'static str),
    /// `owner <@U1> <@U2>`: a command that gives one person a part naming two; which one was
    /// meant is not the bot's to guess.
    TakesOnePerson(&'static str),
    /// `owner <@U1> from monday`, `外す <@U1>さん以外`: words after the people a command that
    /// hands a part over or takes one away names, which may qualify or undo the request. Refused,
    /// nothing changed: a hand-over lasts (a former owner loses their rights for good).
    WordsNotRead(Unread),
    /// `owner @bob`, `open @tanaka ACME: …`: a name typed after `@` that Slack did not turn
    /// into a mention (not picked from its list), so the bot cannot tell who is meant; for an
    /// open, the open without it (the usual manager told).
    PlainAtName {
        typed: String,
        sub: &'static str,
        open: Option<String>,
    },
    /// `担当 U0QA1B2C3 至急`: a word that looks like a Slack member id where a person is asked
    /// for, and the command does not read as one. Refused: the answer asks for a mention.
    BareMemberId {
        typed: String,
        sub: &'static str,
    },
    /// `remove +quality`: a department, once in, stays (nothing is hidden from it).
    DepartmentStays(String),
    BadSeverity(String),
    /// `sev` alone.
    NeedsSeverity,
    /// `next N`: `next` completes the current stage; stage N is `done N`.
    NextTakesNoStage(usize),
    /// `next: 15:00`, `next tomorrow 10am`: a promise of the next customer update typed as
    /// the help's `[next: 15:00]`, which alone would complete the current stage noting a time.
    NextIsNoPromise(String),
    /// `report` followed by anything but `8d`.
    BadReport(String),
    HistoryNeedsCustomer,
    /// `fact`/`fix fact` without a known key and a value, or an `occurred` not understood.
    BadFact(&'static str),
    BadReturn,
    BadAction,
    BadFix,
    NeedsNumber(&'static str),
    /// `/trouble stats` with something other than a number of days from 1 to 3660.
    BadStatsDays,
    /// Free text longer than [`TEXT_LIMIT`] characters as typed.
    TooLong {
        limit: usize,
        len: usize,
    },
    /// The lots recorded would, listed, be longer than [`TEXT_LIMIT`] characters.
    LotListFull {
        limit: usize,
        len: usize,
    },
    /// A fact emptied on the facts form: the record keeps `kept` (a fact is corrected, never
    /// taken off unnoticed).
    FactEmptied {
        key: crate::trouble::facts::FactKey,
        kept: String,
    },
    /// A fact changed on a facts form that was also changed in the record after the form was
    /// drawn: the record holds `now`, last changed by `by` (unknown for a trouble stored before
    /// that was kept).
    FactChangedMeanwhile {
        key: crate::trouble::facts::FactKey,
        now: Option<String>,
        by: Option<crate::trouble::model::UserId>,
    },
    /// A facts form drawn by an earlier release (no record of what it showed) would replace
    /// the recorded `now` of `key`, or leave out a recorded lot: whether the person changed it
    /// or the record changed since cannot be told.
    FactOnEarlierForm {
        key: crate::trouble::facts::FactKey,
        now: String,
    },
}

/// What a word the bot has no command for most likely asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordMeant {
    /// `escalate`, `エスカレ`: the chain goes up by itself; `sev` raises the urgency.
    Escalate,
    /// `resolved`, `finish`, `解決`: `close`, and what it needs.
    Close,
    /// `cancel`, `delete`, `キャンセル`: a trouble is never deleted; one opened by mistake is
    /// closed by the chain with `close force`.
    Cancel,
}

/// The words [`WordMeant`] reads, folded as command words are.
fn word_meant(word: &str) -> Option<WordMeant> {
    match word {
        "escalate" | "escalated" | "escalation" | "エスカレ" | "エスカレーション" | "エスカレート" | "上申" => {
            Some(WordMeant::Escalate)
        }
        "resolve" | "resolved" | "solved" | "fixed" | "finish" | "finished" | "end" | "closed" | "解決"
        | "解決済み" | "解決済" | "終了" | "対応完了" => Some(WordMeant::Close),
        "cancel" | "canceled" | "cancelled" | "delete" | "abort" | "キャンセル" | "削除" | "取り下げ" | "取下げ" => {
            Some(WordMeant::Cancel)
        }
        _ => None,
    }
}

/// The most characters, as typed, any free-text field may hold (a note, an update, a reason,
/// the customer, the summary…): enough for any real fact, small enough that a report stays a
/// handful of Slack messages and nobody can flood the trouble's channel.
pub const TEXT_LIMIT: usize = 3000;

/// Refuses text longer than [`TEXT_LIMIT`]. Slack sends `&`, `<` and `>` as entities; they
/// count as the one character that was typed.
pub fn check_length(text: &str) -> Result<(), UsageError> {
    let len = crate::trouble::markup::unescape(text).chars().count();
    if len > TEXT_LIMIT {
        Err(UsageError::TooLong { limit: TEXT_LIMIT, len })
    } else {
        Ok(())
    }
}

/// The texts a command carries as typed (its reasons, notes and values): each is bounded in size
/// ([`check_lengths`]), and a trouble's id or channel opening one names that trouble
/// ([`named_trouble`]).
fn texts(command: &Command) -> Vec<&str> {
    match command {
        Command::Open(r) => vec![&r.customer, &r.summary],
        Command::History(t)
        | Command::Next(t)
        | Command::Done(_, t)
        | Command::Start(_, t)
        | Command::Note(t)
        | Command::Close(t)
        | Command::CloseForce(t)
        | Command::Agreed(_, t)
        | Command::WithdrawUpdate { reason: t, .. }
        | Command::WithdrawAgreed { reason: t, .. }
        | Command::Severity { reason: t, .. } => vec![t],
        Command::Update { text, next } => vec![text, next.as_deref().unwrap_or_default()],
        Command::Split { reason, .. } => vec![reason],
        Command::Prevent(a) => a.texts(),
        Command::Cost { amount, payer, note } => vec![amount, payer, note],
        Command::Help
        | Command::OpenModal
        | Command::List
        | Command::Mine
        | Command::Status
        | Command::Ack
        | Command::Owner(_)
        | Command::Manager(_)
        | Command::Add { .. }
        | Command::Remove { .. }
        | Command::Report
        | Command::Report8d { .. }
        | Command::Stats(_) => vec![],
        Command::Step(step) => step.texts(),
    }
}

/// Every free-text field of a command, so none is stored over the limit.
fn check_lengths(command: &Command) -> Result<(), UsageError> {
    texts(command).into_iter().try_for_each(check_length)
}

pub fn parse(text: &str) -> Result<Command, UsageError> {
    read(text).map(|(command, _)| command)
}

/// [`parse`], with the words typed after the people the command names that it does not read,
/// for the answer to quote ([`Unread`]).
pub fn read(text: &str) -> Result<(Command, Option<Unread>), UsageError> {
    let mut unread = None;
    let command = read_unchecked(text, &mut unread)?;
    check_lengths(&command)?;
    Ok((command, unread))
}

/// The command words that ask for help (as folded; `""`: nothing typed after `/trouble`).
const HELP_WORDS: [&str; 5] = ["", "help", "ヘルプ", "使い方", "?"];

/// Whether [`parse`] reads `text` as [`Command::Help`]. Its first word decides whether the text
/// is read whole: help can only be asked by a help word, the command pasted whole (`/trouble
/// help`) or a word glued to the next by a colon, so every other command, which is parsed
/// again on its way to its answer, is not parsed twice.
pub fn is_help(text: &str) -> bool {
    let (word, _) = split_word(text.trim());
    let folded = super::money::fold_word(word);
    let word = folded.trim_end_matches([':', '.', ',', '。', '、']);
    let may_be = HELP_WORDS.contains(&word) || matches!(word, "/trouble" | "trouble") || folded.contains([':', '：']);
    may_be && parse(text) == Ok(Command::Help)
}

/// Whether the command is one that may name its trouble by id (`status`, `ack`, in any of the
/// words the parser takes for them).
pub fn may_name_its_trouble(text: &str) -> bool {
    let (word, _) = split_word(text.trim());
    matches!(parse_unchecked(word), Ok(Command::Status | Command::Ack))
}

/// The trouble `status ID` or `ack ID` names, so it can be typed anywhere: in a DM with the
/// bot, by a manager on a phone. Other commands act on the trouble whose channel they are typed in.
pub fn addressed_trouble(text: &str) -> Option<TroubleId> {
    if !may_name_its_trouble(text) {
        return None;
    }
    let (_, rest) = split_word(text.trim());
    trouble_id(split_word(rest.trim()).0)
}

/// Every trouble id `status` or `ack` is typed with (`ack 20261130-2 20261130-3`): they act on
/// one trouble, so more than one is answered rather than all but the first left unsaid.
pub fn addressed_troubles(text: &str) -> Vec<TroubleId> {
    if !may_name_its_trouble(text) {
        return Vec::new();
    }
    let (_, rest) = split_word(text.trim());
    rest.split(|c: char| c.is_whitespace() || c == ',' || c == '、')
        .filter_map(trouble_id)
        .collect()
}

/// The channels mentioned where [`trouble_named_first`] or [`named_by_channel`] reads a
/// trouble's name (`<#C…>`), for the shell to look up which trouble's each is.
pub fn channels_named_first(text: &str) -> Vec<super::model::ChannelId> {
    let (first, rest) = split_word(text.trim());
    let (second, _) = split_word(rest.trim());
    let command = parse(text).ok();
    let opening = command.as_ref().map(words_opening_texts).unwrap_or_default();
    [first, second]
        .into_iter()
        .chain(opening)
        .filter_map(|w| channel_mention(w).map(|(channel, _)| channel))
        .collect()
}

/// The first word of each text the command carries.
fn words_opening_texts(command: &Command) -> Vec<&str> {
    texts(command)
        .into_iter()
        .map(|t| split_word(t.trim()).0)
        .filter(|w| !w.is_empty())
        .collect()
}

/// The trouble a word names by its channel (`<#C…|trouble-20261130-3-initech>`, or
/// `#trouble-20261130-3-initech`): `of_channel` knows the channel, or its name is one the bot
/// gives. A channel's name only after `#`: bare, `lot-20261130-5` is as likely a lot number.
fn trouble_of_channel_word(
    word: &str,
    of_channel: &impl Fn(&super::model::ChannelId) -> Option<TroubleId>,
) -> Option<TroubleId> {
    match channel_mention(word) {
        Some((channel, name)) => of_channel(&channel).or_else(|| trouble_of_channel_name(name)),
        None => word.strip_prefix('#').and_then(trouble_of_channel_name),
    }
}

/// The [`NamedTrouble`] of a command whose text opens with a trouble's channel, as a phone's
/// autocomplete inserts it (`close force #trouble-20261130-2-acme duplicate`): that trouble is
/// named as by its id. The text itself is left as typed (a channel inside a note stays a link).
pub fn named_by_channel(
    text: &str,
    of_channel: impl Fn(&super::model::ChannelId) -> Option<TroubleId>,
) -> Option<NamedTrouble> {
    let command = parse(text).ok()?;
    words_opening_texts(&command).into_iter().find_map(|word| {
        let id = trouble_of_channel_word(word, &of_channel)?;
        named_trouble(&text.replacen(word, id.as_str(), 1)).filter(|named| named.names_a_trouble)
    })
}

/// `text` as the parser reads it, when a trouble is named where it is not read otherwise: by
/// its channel, first or right after the command word (`ack #trouble-20261130-3-initech`,
/// `status <#C…|trouble-20261130-3-initech>`, as a phone's autocomplete inserts it), or by its
/// id before the command (`20261130-3 確認`, in Japanese order) or alone (`20261130-3`: its
/// status). `of_channel` is the trouble of a channel, when the shell knows it (a channel
/// renamed by hand, a mention without its name). None when the text reads as typed.
pub fn trouble_named_first(
    text: &str,
    of_channel: impl Fn(&super::model::ChannelId) -> Option<TroubleId>,
) -> Option<String> {
    let named = |word: &str| trouble_of_channel_word(word, &of_channel);
    let (first, rest) = split_word(text.trim());
    let rest = rest.trim();
    let (second, tail) = split_word(rest);
    let is_command = |text: &str| parse_unchecked(text).map_or_else(|e| lacks_an_argument(&e), |_| true);
    if let Some(id) = trouble_id(first).or_else(|| named(first)) {
        return match rest {
            "" => Some(format!("status {id}")),
            _ if is_command(rest) => Some(format!("{second} {id}{tail}")),
            _ => None,
        };
    }
    let id = named(second)?;
    is_command(first).then(|| format!("{first} {id}{tail}"))
}

/// A channel as Slack writes it in a command's text (`<#C123|name>`, `<#C123|>`, `<#C123>`):
/// its id and its name (empty when not given).
fn channel_mention(word: &str) -> Option<(super::model::ChannelId, &str)> {
    let inner = word.strip_prefix("<#")?.strip_suffix('>')?;
    let (id, name) = inner.split_once('|').unwrap_or((inner, ""));
    let id_like = !id.is_empty() && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    id_like.then(|| (super::model::ChannelId::new(id), name))
}

/// The trouble whose channel a name is, as the bot names one (`<prefix>-<yyyymmdd>-<n>[-<slug>]`):
/// `trouble-20261130-3-initech` → `20261130-3`.
fn trouble_of_channel_name(name: &str) -> Option<TroubleId> {
    let channel_like = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    if !name.bytes().all(channel_like) {
        return None;
    }
    let parts: Vec<&str> = name.split('-').collect();
    // The prefix stands before the day: a bare id is no channel's name.
    (1..parts.len().saturating_sub(1)).find_map(|i| trouble_id(&format!("{}-{}", parts[i], parts[i + 1])))
}

/// The trouble ids among a query's words (`search 20261130-3`): a trouble is found by its id
/// as by what it is about.
pub fn trouble_ids_in(query: &str) -> Vec<TroubleId> {
    query
        .split(|c: char| c.is_whitespace() || c == ',' || c == '、')
        .filter_map(trouble_id)
        .collect()
}

/// What a Japanese keyboard types for the id's `-`: the long-vowel mark of the hiragana mode
/// (`ー`, half-width `ｰ`, and `―`, which an input method offers for it), the minus sign and the
/// other dashes. Read as `-` only in a word an id could be typed as (see [`trouble_id`]): an
/// amount's `−` stays what it was.
const ID_DASHES: &[char] = &['ー', 'ｰ', '―', '−', '‐', '‑', '–', '—'];

/// A word that is a trouble's id as people type one: `20261130-1`, `#20261130-1`, full-width,
/// with a Japanese keyboard's dash (`２０２６１１３０ー１`), perhaps ending a sentence
/// (`20261130-1.`). Its 8 digits are a real day, as every id's are, so a part number
/// (`12345678-01`) is no id. Typed with one of [`ID_DASHES`], as a word of text is as often,
/// the number is at most 4 digits (a day's troubles), so a range of days (`20261201ー20261205`)
/// stays text; a lot number that is a day and a serial (`20261125ー3`) has an id's shape and is
/// read as one. The ASCII `-` keeps the longer number it always took.
fn trouble_id(word: &str) -> Option<TroubleId> {
    let folded = super::money::fold_width(word);
    let dashed = folded.contains(ID_DASHES);
    let id: String = folded
        .chars()
        .map(|c| if ID_DASHES.contains(&c) { '-' } else { c })
        .collect();
    let id = id.strip_prefix('#').unwrap_or(&id).trim_end_matches(OPTION_SEPARATORS);
    let (day, n) = id.split_once('-')?;
    let digits =
        |s: &str, len: std::ops::RangeInclusive<usize>| len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let n_len = if dashed { 1..=4 } else { 1..=9 };
    let real_day = || {
        let part = |r: std::ops::Range<usize>| day[r].parse::<u32>().ok();
        let (y, m, d) = (part(0..4)?, part(4..6)?, part(6..8)?);
        chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
    };
    (digits(day, 8..=8) && digits(n, n_len) && real_day().is_some()).then(|| TroubleId::new(id))
}

/// A command that acts on the trouble whose channel it is typed in, typed with a trouble's id
/// among its words (`sev 3 20261130-1`, `report 20261130-1`, `manager <@U1> 20261130-1`), as a
/// manager on a phone types it in a DM with the bot: read as meant for that trouble, so the
/// answer can say where it works rather than misread the id as the command's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedTrouble {
    /// The first id among the words after the command's.
    pub id: TroubleId,
    /// The whole text read as a command, the id as part of it (`note called about 20261130-1`).
    pub reads_whole: bool,
    /// The id stands where a trouble would be named: first after the command word (`update
    /// 20261130-2 told them`), last of a short command (`done 1 20261130-2`), or first of the
    /// command's text (`close force 20261130-2 duplicate`). Typed in another trouble's channel,
    /// it names that trouble, not words of this one's record.
    pub names_a_trouble: bool,
    /// The command as it would be typed in that trouble's channel: the text without the id
    /// when that reads as a command, else the command word alone (as typed).
    pub without_id: String,
    /// Whether it is the internal report (`report`), which is posted in the channel.
    pub report: bool,
    /// What the command still lacks once the id is taken out (`done 20261130-1`: the stage;
    /// `close force 20261130-1`, whose id read as the reason), said with where it works.
    pub lacks: Option<UsageError>,
    /// Whether `without_id` is the whole text without the id, read as a command (not the
    /// command word alone): what a trouble with no channel to type in may do where it is typed.
    pub reads_without: bool,
    /// The id is all the command did not read after the people it names (`manager <@U1>
    /// 20261130-1`): typed in that trouble's own channel, it names the trouble, no words to refuse
    /// or quote.
    pub after_the_people: bool,
    /// Whether the command is `reopen` (its reason given or not): a closed trouble's channel is
    /// often archived, which nobody can type in and the bot cannot undo, so `reopen` takes the
    /// trouble by its id outside every trouble's channel, whatever the state of its own.
    pub reopens: bool,
}

/// The [`NamedTrouble`] of `text`: None when no word after the command word is a trouble's id,
/// when neither the text nor the text without the id reads as a command, when the command acts
/// on no trouble (`history`, `search`…), and for `status` and `ack`, which take the id (see
/// [`addressed_trouble`]).
pub fn named_trouble(text: &str) -> Option<NamedTrouble> {
    let text = text.trim();
    let (word, rest) = split_word(text);
    let mut at = word.len();
    let words = rest.split_whitespace().count();
    let (start, end, id, place) = rest.split_whitespace().enumerate().find_map(|(i, w)| {
        // Words are slices of `text`: where this one starts.
        let start = at + text[at..].find(w)?;
        at = start + w.len();
        trouble_id(w).map(|id| (start, at, id, i))
    })?;
    let without_id = format!("{} {}", text[..start].trim_end(), text[end..].trim_start());
    let without_id = without_id.trim();
    // A text whose words after the people it names are not read (`manager <@U1> 20261130-1`)
    // does not read whole: the id there is a trouble's.
    let read_whole = read(text);
    let after_the_people = match &read_whole {
        Ok((_, Some(unread))) | Err(UsageError::WordsNotRead(unread)) => {
            trouble_id(unread.words.trim()) == Some(id.clone())
        }
        _ => false,
    };
    let whole = read_whole
        .ok()
        .filter(|(_, unread)| unread.is_none())
        .map(|(command, _)| command);
    // First after the command word, last of a short command, or opening the command's text:
    // `close force 20261130-2 duplicate`, `sev 3 20261130-2 cosmetic`, `done 1 20261130-2 ok`
    // name that trouble as surely as `close 20261130-2` does, and a forced close must never
    // land on the trouble whose channel it was typed in with the id read as its reason.
    let names_a_trouble = place == 0
        || (place + 1 == words && words <= 3)
        || whole.as_ref().is_some_and(|c| {
            texts(c)
                .iter()
                .any(|t| trouble_id(split_word(t.trim()).0).as_ref() == Some(&id))
        });
    let read = match whole.clone().map_or_else(|| parse(without_id), Ok) {
        Ok(read) => read,
        // `done 20261130-1`: a command of a trouble's channel that lacks its argument once the
        // id is out. Every command that acts on no trouble reads bare or with an id as its text
        // (`open`, `stats`, `history ID`, `search ID`), so this error is one of a trouble's.
        Err(lacks) if lacks_an_argument(&lacks) => {
            return Some(NamedTrouble {
                id,
                reads_whole: false,
                names_a_trouble,
                without_id: word.to_string(),
                report: false,
                lacks: Some(lacks),
                reads_without: false,
                after_the_people,
                // `reopen ID` reads whole, the id as its reason: never here.
                reopens: false,
            });
        }
        Err(_) => return None,
    };
    if !read.needs_trouble() || matches!(read, Command::Status | Command::Ack) {
        return None;
    }
    let without = parse(without_id);
    let reads_without = without.is_ok();
    Some(NamedTrouble {
        id,
        reads_whole: whole.is_some(),
        names_a_trouble,
        without_id: if reads_without { without_id } else { word }.to_string(),
        report: read == Command::Report,
        // The whole read only with the id as its text (`close force 20261130-1`, `note
        // 20261130-1`): without it, what it lacks.
        lacks: without.err().filter(lacks_an_argument),
        reads_without,
        after_the_people,
        reopens: matches!(read, Command::Step(super::facts::Step::Reopen(_))),
    })
}

/// Whether `text` is `reopen` with its reason ([`NamedTrouble::reopens`]).
pub fn is_reopening(text: &str) -> bool {
    matches!(parse(text), Ok(Command::Step(super::facts::Step::Reopen(_))))
}

/// Whether `e` is a known command's complaint about what follows it, rather than a word the bot
/// does not know (or a text too long to read).
fn lacks_an_argument(e: &UsageError) -> bool {
    !matches!(
        e,
        UsageError::UnknownSubcommand(_)
            | UsageError::Misspelt { .. }
            | UsageError::TooLong { .. }
            | UsageError::OpenNeedsCustomerAndSummary
            | UsageError::OpenSummarySaysNothing { .. }
            | UsageError::NoSuchWord { .. }
            | UsageError::OpenNeedsColon { .. }
            | UsageError::HistoryNeedsCustomer
    )
}

fn parse_unchecked(text: &str) -> Result<Command, UsageError> {
    read_unchecked(text, &mut None)
}

/// [`parse_unchecked`], the words a command that names people does not read put in UNREAD.
fn read_unchecked(text: &str, unread: &mut Option<Unread>) -> Result<Command, UsageError> {
    let text = text.trim();
    // No command holds more than a few fields of TEXT_LIMIT; one far longer is refused before
    // it is read, so no reading of it costs more than its length.
    if text.len() > 16 * TEXT_LIMIT {
        // The length said is that of what follows the command word, as the user sees it.
        return Err(UsageError::TooLong {
            limit: TEXT_LIMIT,
            len: split_word(text).1.trim().chars().count(),
        });
    }
    let (word, rest) = split_word(text);
    let rest = rest.trim();
    // `担当：<@U1>`: a command word with its argument glued on by a colon, as a Japanese input
    // method types it without a space. Read as the two words, when what stands before the colon
    // is a command's word (so `ACME:cracked` stays what it was).
    if let Some(at) = word.find([':', '：']) {
        let (head, tail) = (&word[..at], word[at..].trim_start_matches([':', '：']));
        if !head.is_empty() && !tail.is_empty() && parse_unchecked(head).as_ref().err().is_none_or(lacks_an_argument) {
            return read_unchecked(&format!("{head} {tail} {rest}"), unread);
        }
    }
    // `担当<@U1>`: the mention typed onto the command word with no space, as a Japanese
    // keyboard types it. Read as the two words when the word alone is a command that asks for
    // what follows (the commands that take a person do).
    if let Some(at) = word.find("<@").filter(|at| *at > 0) {
        let (head, tail) = word.split_at(at);
        if parse_unchecked(head).as_ref().is_err_and(lacks_an_argument) {
            return read_unchecked(&format!("{head} {tail} {rest}"), unread);
        }
    }
    // A Japanese input method may type the word full-width (`ｓｔａｔｕｓ`); a hurried hand
    // follows it with a colon or a full stop (`owner: <@U1>`, `Status.`).
    let folded = super::money::fold_word(word);
    match folded.trim_end_matches([':', '.', ',', '。', '、']) {
        w if HELP_WORDS.contains(&w) => Ok(Command::Help),
        // Not `開始`: it reads "start", and in a trouble's channel `開始 3` must not open another.
        // `new` as `新規` says it; `create`, as other tools name it.
        "open" | "起票" | "新規" | "new" | "create" => {
            if rest.is_empty() {
                Ok(Command::OpenModal)
            } else {
                parse_open(rest).map(Command::Open)
            }
        }
        // `/trouble /trouble open …`, `/trouble trouble open …`: the command pasted whole.
        "/trouble" | "trouble" if !rest.is_empty() => read_unchecked(rest, unread),
        "list" | "一覧" => Ok(Command::List),
        // `自分` as a Japanese team says "mine" (`担当` is `owner`); `自分の` as it is written
        // before the noun, `自分のトラブル` whole.
        "mine" | "自分" | "自分の" | "自分のトラブル" => Ok(Command::Mine),
        "history" | "履歴" => {
            if rest.is_empty() {
                Err(UsageError::HistoryNeedsCustomer)
            } else {
                Ok(Command::History(rest.to_string()))
            }
        }
        "status" | "状況" | "状態" | "ステータス" | "進捗" => Ok(Command::Status),
        // What a manager answers on a phone: `ok`, `確認しました`, `承知しました`. Only the
        // manager chain's acknowledges; anyone else is told who may.
        "ack" | "acknowledge" | "acknowledged" | "ok" | "okay" | "roger" | "了解" | "了解です" | "了解しました"
        | "確認" | "確認しました" | "確認済み" | "承知" | "承知です" | "承知しました" => {
            Ok(Command::Ack)
        }
        // `next 3` reads as "go to stage 3", yet would complete the current stage noting "3".
        "next" | "次へ" | "次" => match super::money::fold_width(rest).parse::<usize>() {
            Ok(n) => Err(UsageError::NextTakesNoStage(n)),
            // `next: 15:00` is how the help writes a promise, after an update's text.
            Err(_) if super::due::reads_as_due(rest) => Err(UsageError::NextIsNoPromise(truncate(rest, 40))),
            Err(_) => Ok(Command::Next(rest.to_string())),
        },
        "done" | "complete" | "完了" => parse_stage(rest, "done").map(|(n, note)| Command::Done(n, note)),
        "start" | "開始" | "着手" => match parse_stage(rest, "start") {
            Ok((n, note)) => Ok(Command::Start(n, note)),
            Err(_) if rest.contains([':', '：']) => Err(UsageError::StartIsNotOpen),
            Err(e) => Err(e),
        },
        // `報告` is also "report": `報告 8d` asks for the 8D, never records "8d" as told to the customer.
        "報告" if super::money::fold_width(rest).eq_ignore_ascii_case("8d") => {
            Ok(Command::Report8d { shared: false })
        }
        "update" | "報告" => parse_update(rest),
        "withdraw" | "retract" | "取消" | "取り消し" | "取消し" | "撤回" => parse_withdraw(rest),
        // `fix update 2 …`, as the other corrections are written: an update cannot be rewritten
        // (the customer heard what they heard), only withdrawn.
        "fix" | "訂正" if update_word(split_word(rest.trim()).0) => parse_withdraw(rest),
        "note" | "メモ" => needs_text(rest, "note").map(Command::Note),
        "split" | "責任区分" => parse_split(rest),
        "cost" | "費用" => parse_cost(rest),
        // `再発防止策`, as the stage and the replies name what it records.
        "prevent" | "再発防止" | "再発防止策" => match prevent_meant_action(word, rest) {
            // Named with the word after it: `再発防止策` alone is a command.
            Some(meant) => Err(UsageError::Misspelt {
                typed: truncate(&format!("{word} {}", split_word(rest.trim()).0), 40),
                meant,
                rest: truncate(rest, 200),
            }),
            None => super::actions::parse_prevent(rest).map(Command::Prevent),
        },
        // Names people, and says back the words among them it does not read; the other three
        // refuse them.
        "add" | "追加" | "参加" => parse_add(rest).map(|(add, words)| {
            *unread = words;
            add
        }),
        "remove" | "外す" | "除外" => parse_remove(rest),
        "owner" | "担当" => parse_role_user(rest, "owner").map(Command::Owner),
        "manager" | "上司" => parse_role_user(rest, "manager").map(Command::Manager),
        "sev" | "severity" | "重大度" => parse_severity(rest),
        // `sev1`, as `open` teaches it, is `sev 1`.
        w if w.starts_with("sev") && w.len() > 3 && rest.is_empty() => parse_severity(word),
        // `sev3 cosmetic only`: the level, then the reason.
        w if w
            .strip_prefix("sev")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            parse_severity(&format!("{} {rest}", &w[3..]))
        }
        // `重大度1 理由：ライン停止`, as `open` reads `重大度1`: the level glued to the word.
        w if w
            .strip_prefix("重大度")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            parse_severity(format!("{} {rest}", &w["重大度".len()..]).trim_end())
        }
        "close" | "クローズ" => {
            let (first, reason) = split_word(rest);
            if matches!(
                super::money::fold_width(first)
                    .to_lowercase()
                    .trim_end_matches([':', ',']),
                "force" | "強制"
            ) {
                needs_text(reason.trim(), "close force").map(Command::CloseForce)
            } else {
                Ok(Command::Close(rest.to_string()))
            }
        }
        "report" | "報告書" if super::money::fold_width(rest).eq_ignore_ascii_case("8d") => {
            Ok(Command::Report8d { shared: false })
        }
        "report" | "報告書" if rest.is_empty() => Ok(Command::Report),
        "8d" | "8d報告" | "8d報告書" => Ok(Command::Report8d { shared: false }),
        "強制クローズ" => needs_text(rest.trim(), "close force").map(Command::CloseForce),
        "report" | "報告書" => Err(UsageError::BadReport(truncate(rest, 40))),
        "agreed" | "合意" => super::approval::parse_agreed(rest),
        "stats" | "統計" if rest.is_empty() => Ok(Command::Stats(None)),
        // `stats 30日`, as a day count is said in Japanese; `1か月`, `2 weeks`: that many days.
        "stats" | "統計" => stats_days(rest)
            .filter(|d| (1..=3660).contains(d))
            .map(|d| Command::Stats(Some(d)))
            .ok_or(UsageError::BadStatsDays),
        // Taking a done stage back is starting it again (the completion stays on the timeline):
        // said as a slip, never acted on, so `undone 3` is not answered with `done 3`.
        "undone" | "undo" | "uncomplete" | "未完了" | "差し戻し" => Err(UsageError::Misspelt {
            typed: truncate(word, 40),
            meant: "start",
            rest: truncate(rest, 200),
        }),
        // 更新 is the word a Japanese rep reaches for first for "update" (the command is 報告):
        // said as a slip, never logged, since a wrong update would stop the customer nudges;
        // left to the guesses below it was answered as the open of a customer named 更新.
        "更新" => Err(UsageError::Misspelt {
            typed: truncate(word, 40),
            meant: "update",
            rest: truncate(rest, 200),
        }),
        other => match word_meant(other) {
            Some(meant) => Err(UsageError::NoSuchWord {
                typed: truncate(word, 40),
                meant,
            }),
            None => match super::facts::parse(other, rest) {
                Some(step) => step.map(Command::Step),
                None => Err(unknown_word(word, other, rest, text)),
            },
        },
    }
}

/// The answer to WORD (`other` as folded, `rest` after it, `text` whole) that is no command:
/// the command most likely meant, shown as it would be sent, never run on a guess.
fn unknown_word(word: &str, other: &str, rest: &str, text: &str) -> UsageError {
    let misspelt = |meant: &'static str, rest: String| UsageError::Misspelt {
        typed: truncate(word, 40),
        meant,
        rest,
    };
    if let Some(meant) = closest_command(other).or_else(|| kanji_slip(other)) {
        // `done1`: the number typed onto the word is kept as its argument.
        let glued = other
            .strip_prefix(meant)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        return misspelt(
            meant,
            match glued {
                Some(n) => truncate(format!("{n} {rest}").trim(), 200),
                None => truncate(rest, 200),
            },
        );
    }
    // `s1`, `緊急`: a severity said as `open` does not read it either.
    // `P1 ACME: lid cracked` is the open with its `open` forgotten, as `sev1 ACME: …` is.
    if let Some(level) = severity_said_otherwise(other) {
        let sev = format!("{level} {rest}");
        return match parse_severity(sev.trim()) {
            Err(UsageError::SevReadsAsOpen { open, .. }) => misspelt("open", open),
            _ => misspelt("sev", truncate(sev.trim(), 200)),
        };
    }
    // `完了３`, `開始2`: a Japanese command word with its stage glued on.
    if let Some((meant, n)) = glued_stage(other) {
        return misspelt(meant, truncate(format!("{n} {rest}").trim(), 200));
    }
    // `暫定対策 全数選別`, `対策完了 1`: a command and its next word said as one.
    if let Some((meant, words)) = compound_meant(other, rest) {
        return misspelt(meant, truncate(format!("{} {rest}", words.trim()).trim(), 200));
    }
    // `強制 クローズ 理由`: the forced close in the order 強制クローズ says it.
    let (next, after) = split_word(rest);
    if other == "強制" && matches!(super::money::fold_word(next).as_ref(), "クローズ" | "close") {
        return misspelt("クローズ 強制", truncate(after.trim(), 200));
    }
    // `ACME: lid cracked`: a trouble described with no command before it. Shown as the open,
    // never opened: a guess must not page a manager.
    if reads_as_an_open(text) {
        return misspelt("open", truncate(text, 200));
    }
    UsageError::UnknownSubcommand(truncate(word, 40))
}

/// The command meant by `prevent` (or `再発防止策`, WORD as typed) followed by what the action
/// command does to a measure already recorded (`再発防止策 完了 1`, `prevent verify 2`, `prevent
/// done`): `action` (`対策` when typed in Japanese), as the bot numbers these measures 再発防止策
/// #N. Recorded as it reads, it would be a new measure named "完了 1", which counts as the
/// prevention a close needs and goes into the 8D. A measure that merely opens with such a word
/// (`prevent verify torque at every shift`) is one: only a number or nothing may follow it.
fn prevent_meant_action(word: &str, rest: &str) -> Option<&'static str> {
    let (first, after) = split_word(rest.trim());
    let first = super::money::fold_width(first).to_lowercase();
    let (n, tail) = split_word(after.trim());
    let numbered_or_bare = (n.is_empty() && tail.trim().is_empty()) || numbered(n).is_some();
    (super::actions::is_action_sub_word(&first) && numbered_or_bare).then_some(
        if super::money::fold_word(word).is_ascii() {
            "action"
        } else {
            "対策"
        },
    )
}

/// The stage command and the number glued to it in WORD (folded: `完了3`, `着手2`).
fn glued_stage(word: &str) -> Option<(&'static str, &str)> {
    let digits = word.len() - word.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, n) = word.split_at(word.len() - digits);
    let meant = ["完了", "開始", "着手"].into_iter().find(|w| *w == head)?;
    (!n.is_empty()).then_some((meant, n))
}

/// The command and its words that WORD (folded) says as one Japanese compound, as it is said
/// aloud: an action's kind with 対策 or 策 (`暫定対策`, `恒久策`: `対策 暫定`), or `対策` or `範囲`
/// with the word after it glued on (`対策完了1`: `対策 完了 1`, `範囲確認`: `範囲 確認`). Only
/// the words those commands read next: nothing else is guessed. REST, the words after WORD,
/// tells a kind said before what is done to an action (`暫定対策 完了 1`, `恒久策取消2`): that is
/// `対策 完了 1`, since `対策 暫定 完了 1` would record a new action named "完了 1".
fn compound_meant(word: &str, rest: &str) -> Option<(&'static str, String)> {
    for kind in ["暫定", "恒久", "再発防止"] {
        let tail = word
            .strip_prefix(kind)
            .and_then(|t| t.strip_prefix("対策").or_else(|| t.strip_prefix('策')));
        if let Some(tail) = tail {
            let (sub, n) = tail.split_at(tail.trim_end_matches(|c: char| c.is_ascii_digit()).len());
            if super::actions::is_action_sub_word(sub) {
                return Some(("対策", format!("{sub} {n}")));
            }
            let next = super::money::fold_width(split_word(rest.trim()).0).to_lowercase();
            if tail.is_empty() && super::actions::is_action_sub_word(&next) {
                return Some(("対策", String::new()));
            }
            return Some(("対策", format!("{kind} {tail}")));
        }
    }
    ["対策", "範囲"].into_iter().find_map(|command| {
        let tail = word.strip_prefix(command)?;
        let (sub, n) = tail.split_at(tail.trim_end_matches(|c: char| c.is_ascii_digit()).len());
        let reads_next = match command {
            "対策" => super::actions::is_action_sub_word(sub),
            _ => super::facts::is_scope_check_word(sub),
        };
        reads_next.then(|| (command, format!("{sub} {n}")))
    })
}

/// Whether TEXT, typed with no command word, is a trouble described as `open` takes it
/// (`ACME: lid cracked`), and not a promise's marker (`次回: 明日10時`).
fn reads_as_an_open(text: &str) -> bool {
    let folded = super::money::fold_width(text).to_lowercase();
    // `理由：ライン停止`: a label, which names no customer; offered as an open, it would
    // start a new trouble and page a manager for a reason typed in the wrong place.
    let names_a_customer =
        |r: &OpenRequest| !REASON_LABELS.contains(&super::money::fold_width(r.customer.trim()).to_lowercase().as_str());
    !NEXT_CONTACT.iter().any(|marker| folded.starts_with(marker))
        && parse_open(text).is_ok_and(|r| names_a_customer(&r))
}

/// The days `stats` looks back: `30`, `30d`, `30 days`, `30日`; weeks and months, written as a
/// due date's span writes them, as that many days (`2 weeks`, `2週間`, `1か月` is 30).
fn stats_days(rest: &str) -> Option<u32> {
    let folded = super::money::fold_width(rest).to_lowercase();
    let text = folded.trim_end_matches('.').trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let n: u32 = text[..digits].parse().ok()?;
    use super::due::{MONTH_WORDS, WEEK_WORDS};
    let days_per = match text[digits..].trim() {
        "" | "d" | "day" | "days" | "日" | "日間" => 1,
        u if WEEK_WORDS.contains(&u) => 7,
        u if MONTH_WORDS.contains(&u) => 30,
        _ => return None,
    };
    n.checked_mul(days_per)
}

/// Every command word, as `/trouble help` teaches it.
const COMMAND_WORDS: &[&str] = &[
    "help", "open", "list", "mine", "history", "status", "ack", "next", "done", "start", "update", "note", "split",
    "cost", "prevent", "add", "remove", "owner", "manager", "sev", "close", "report", "agreed", "stats", "fact",
    "return", "scope", "cause", "action", "reopen", "fix", "search", "withdraw",
];

/// The one command `word` is a slip away from: one edit (a letter wrong, missing, extra, or two
/// swapped) for words of up to four letters, two for longer ones. Between as close ones, the one
/// as long as the word (`stauts` is `status` with two letters swapped, not `stats` with one
/// extra); None when that still leaves two.
fn closest_command(word: &str) -> Option<&'static str> {
    let word: Vec<char> = word.chars().collect();
    let allowed = if word.len() <= 4 { 1 } else { 2 };
    let mut best: Option<((usize, bool), &'static str)> = None;
    let mut tied = false;
    for candidate in COMMAND_WORDS {
        let letters: Vec<char> = candidate.chars().collect();
        let edits = edit_distance(&word, &letters);
        if edits > allowed {
            continue;
        }
        let d = (edits, letters.len() != word.len());
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, candidate));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, w)| w)
}

/// The command word an input method's wrong kanji stands for: `起表` for `起票` (both きひょう).
fn kanji_slip(word: &str) -> Option<&'static str> {
    const SLIPS: &[(&str, &str)] = &[("起表", "起票"), ("記票", "起票"), ("帰票", "起票")];
    SLIPS.iter().find(|(slip, _)| *slip == word).map(|(_, meant)| *meant)
}

/// Edits between two words, a swap of neighbours counting as one (optimal string alignment).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    rows[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

fn truncate(s: &str, max: usize) -> String {
    super::markup::start_within(s, max).to_string()
}

fn split_word(text: &str) -> (&str, &str) {
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], &text[i..]),
        None => (text, ""),
    }
}

/// [`split_word`], except that a mention (`<@U1|Taro Yamada>`) is one word: Slack writes a
/// person's name after the id, and a name may hold spaces.
fn split_word_or_mention(text: &str) -> (&str, &str) {
    match text.starts_with('<').then(|| text.find('>')).flatten() {
        Some(end) => text.split_at(end + 1),
        None => split_word(text),
    }
}

/// Whether a text says something: a letter or a digit in any script, outside a mention and
/// an emoji's code. `update .`, `update ㅤ` (a Hangul filler, a letter that shows as blank),
/// `update ー` (a mark that lengthens the letter before it), `update <@U1>`, `update :ok:` or
/// `update &` (which Slack sends as `&amp;`) would count as a customer contact, and restart the
/// clock, or as a reason, a cause or a measure, while saying nothing.
pub fn says_something(text: &str) -> bool {
    let mut rest = text;
    while !rest.is_empty() {
        let skip = markup_at(rest);
        if skip == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            if c.is_alphanumeric() && !is_no_word(c) {
                return true;
            }
            rest = &rest[c.len_utf8()..];
        } else {
            rest = &rest[skip..];
        }
    }
    false
}

/// The length of the Slack markup `text` starts with that carries no words of the writer's:
/// a mention (`<@U1>`, `<#C1|name>`, `<!here>`, `<!subteam^S1>`), an emoji's code (`:ok:`,
/// `:+1::skin-tone-2:`) or a sign Slack escapes (`&amp;`, `&lt;`, `&gt;`); 0 when it starts
/// with none. A link (`<https://…|the spec>`) counts as words.
fn markup_at(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'&') => ["&amp;", "&lt;", "&gt;"]
            .iter()
            .find(|entity| text.starts_with(**entity))
            .map_or(0, |entity| entity.len()),
        Some(b'<') if matches!(bytes.get(1), Some(b'@' | b'#' | b'!')) => text.find('>').map_or(0, |end| end + 1),
        Some(b':') => {
            let code = bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'\''))
                .count();
            if code > 0 && bytes.get(code + 1) == Some(&b':') && !bytes[1..=code].iter().all(u8::is_ascii_digit) {
                code + 2
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// What Unicode counts as a letter but says nothing on its own: the Hangul fillers, which
/// show as blank; the marks that lengthen or repeat the letter before them (`ー`, `ｰ`, `々`,
/// `ゝ`, the Arabic tatweel); and the marks that combine with a letter (accents, vowel signs),
/// which are words only with the letter they sit on.
fn is_no_word(c: char) -> bool {
    matches!(c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        | '\u{30FC}' | '\u{FF70}' | '\u{3005}' | '\u{3031}'..='\u{3035}' | '\u{309D}' | '\u{309E}'
        | '\u{30FD}' | '\u{30FE}' | '\u{0640}' | '\u{07FA}'
        | '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05C7}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}'
        | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}' | '\u{0962}' | '\u{0963}'
        | '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}'
        | '\u{0EB1}' | '\u{0EB4}'..='\u{0EBC}' | '\u{0EC8}'..='\u{0ECD}'
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}'
    )
}

fn needs_text(rest: &str, sub: &'static str) -> Result<String, UsageError> {
    if !says_something(rest) {
        Err(UsageError::NeedsText(sub))
    } else {
        Ok(rest.to_string())
    }
}

/// The person `sub` asks for is missing from TEXT: said as a name typed after `@` that is no
/// mention when TEXT starts with one (`@bob`), or as a member id typed bare (`U0QA1B2C3`), so
/// the answer does not ask for what was typed.
fn needs_user(text: &str, sub: &'static str) -> UsageError {
    let word = split_word(text.trim()).0;
    if let Some(name) = plain_at_name(word) {
        return UsageError::PlainAtName {
            typed: name,
            sub,
            open: None,
        };
    }
    let id = word.trim_end_matches(OPTION_SEPARATORS);
    if looks_like_member_id(id) {
        return UsageError::BareMemberId {
            typed: id.to_string(),
            sub,
        };
    }
    UsageError::NeedsUser(sub)
}

/// Whether WORD is written as Slack writes a member id (`U0QA1B2C3`, `W0FS1AB2C`): `U` or `W`
/// and 8 to 11 upper-case letters or digits, a digit among them (`UNIVERSAL` is a word shouted).
/// Only then is a bare word said to be one.
fn looks_like_member_id(word: &str) -> bool {
    word.strip_prefix(['U', 'W']).is_some_and(|tail| {
        (8..=11).contains(&tail.len())
            && tail.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && tail.contains(|c: char| c.is_ascii_digit())
    })
}

/// WORD when it is `@` and a name as typed, not a mention Slack made of it (`<@U1>`).
fn plain_at_name(word: &str) -> Option<String> {
    let folded = super::money::fold_width(word);
    let name = folded.strip_prefix('@')?;
    name.starts_with(char::is_alphanumeric).then(|| truncate(word, 40))
}

/// `<@U123>`, `<@U123|name>`, or a bare `U123`; a mention perhaps followed by an honorific,
/// as the bot itself writes one (`<@U123>さん`, `<@U123> 様`), and nothing else.
pub fn parse_user(text: &str) -> Option<UserId> {
    // `<@U1>.` at the end of a sentence.
    let t = text.trim().trim_end_matches(OPTION_SEPARATORS);
    if !t.starts_with("<@") {
        return user_id(t);
    }
    let (user, rest) = person_at(t)?;
    rest.trim_end_matches(OPTION_SEPARATORS)
        .trim()
        .is_empty()
        .then_some(user)
}

/// The user a mention's inside (`U123`, `U123|name`) or a bare id names, when it is one.
fn user_id(inner: &str) -> Option<UserId> {
    let id = inner.split('|').next()?;
    let valid =
        id.len() >= 2 && (id.starts_with('U') || id.starts_with('W')) && id.chars().all(|c| c.is_ascii_alphanumeric());
    valid.then(|| UserId::new(id))
}

/// The person a mention at the start of TEXT names (`<@U1>`, `<@U1|山田 太郎>`), and what
/// follows it: the one reader of a mention for every command that takes a person (`owner`,
/// `manager`, `add`, `remove`, an open's manager, an action's owner). The honorific after it is
/// the mention's ([`honorific_after_mention`]), and so is the punctuation that ends the two
/// (`、` `。` `：` `:` `,` a bracket closing an aside, a full-width space): `<@U1>さん、全数選別`
/// is the person, then `全数選別`. None when TEXT starts with no mention of a person.
pub fn person_at(text: &str) -> Option<(UserId, &str)> {
    let mention = text.trim_start().strip_prefix("<@")?;
    let (inner, after) = mention.split_once('>')?;
    let user = user_id(inner)?;
    let rest = honorific_after_mention(after).unwrap_or(after);
    // A colon or a bracket ends it too: `担当：<@U1>さん：全数選別`, `(担当：<@U1>)`; so does the
    // exclamation mark a particle may end with (`<@U1>さんで！全数選別`, see `particle_alone`).
    let ends_it = |c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c) || ":：)）!！".contains(c);
    Some((user, rest.trim_start_matches(ends_it)))
}

/// AFTER (what follows a mention) past the honorific it starts with, when that honorific is the
/// mention's: one glued on is, where it ends a word ([`glued_honorific`]: `<@U1>さんアクメ：…`,
/// `<@U1>様、…`, not `<@U1>君津製作所：…`); one after a space is, when it stands as a word
/// ([`strip_honorific`]: `<@U1> さん、…`, not `<@U1> さんぷる`). None when there is none, or
/// when it opens a phrase with a particle (`さんに確認してもらう`, `さんにお願いします`), left
/// whole for the command to read; `と` before another mention or a department joins them
/// (`<@U1>さんと<@U2>さん`, `<@U1>様と＋品質保証部`), and opens no phrase.
fn honorific_after_mention(after: &str) -> Option<&str> {
    let rest = if after.starts_with(char::is_whitespace) {
        strip_honorific(after)?
    } else {
        glued_honorific(after)?
    };
    let joins = rest
        .strip_prefix('と')
        .map(str::trim_start)
        .is_some_and(|r| r.starts_with("<@") || r.starts_with(['+', '＋']));
    // `<@U1>様へ 全数選別`: a particle standing alone after the honorific is the mention's too.
    if let Some(after) = particle_alone(rest) {
        return Some(after);
    }
    let opens_a_phrase = rest.starts_with(|c: char| PARTICLES.contains(c)) || rest.starts_with("お願い");
    (joins || !opens_a_phrase).then_some(rest)
}

/// TEXT past the particle it starts with ([`PARTICLES_ALONE`]), when the particle ends there
/// (the end, a space, punctuation): `へ 全数選別`, `に、至急`, not `に確認してもらう`.
fn particle_alone(text: &str) -> Option<&str> {
    PARTICLES_ALONE.iter().find_map(|p| {
        let rest = text.strip_prefix(p)?;
        rest.chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || OPTION_SEPARATORS.contains(&c) || ":：)）!！".contains(c))
            .then_some(rest)
    })
}

/// The particles that, alone after a person's name and honorific, say only whom a part goes
/// to (`担当 <@U1>様へ`, `owner <@U1>さんに`, `<@U1>さんで`, `<@U1>さんを`).
const PARTICLES_ALONE: &[&str] = &["に", "へ", "を", "で"];

/// TEXT (typed straight after a mention) past the honorific it starts with, when that honorific
/// ends there: Slack shows the mention as a name, and the next word may be typed onto it
/// (`<@U1>さんアクメ`), yet the same characters may open a word of their own (`君津製作所`,
/// `様式工業`, `様子見`, `さんぷる`). A kana honorific ends where no hiragana follows (or a particle
/// does: `さんに`, `さんと`); a kanji one where no other kanji follows; punctuation, a space or
/// the end always ends either.
fn glued_honorific(text: &str) -> Option<&str> {
    HONORIFICS.iter().find_map(|h| {
        let rest = text.strip_prefix(h)?;
        let ends = match rest.chars().next() {
            None => true,
            Some(next) if h.starts_with(is_hiragana) => !is_hiragana(next) || PARTICLES.contains(next),
            Some(next) => !is_kanji(next),
        };
        ends.then_some(rest)
    })
}

/// Whether C is hiragana (`さ`, `に`), as Japanese writes its particles and endings.
pub fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

/// Whether C is a kanji (a CJK ideograph, or `々` repeating one), as names are written.
fn is_kanji(c: char) -> bool {
    matches!(c, '\u{3005}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// What Japanese writes after a person's name, as the bot writes `<@U1>さん`: part of the
/// mention, never a word of its own.
pub const HONORIFICS: &[&str] = &["さん", "様", "さま", "殿", "君", "くん", "ちゃん"];

/// The particles Japanese glues onto a name (`さんに`, `さんと`, `様へ`).
const PARTICLES: &str = "とにでへがはのもを";

/// TEXT after the honorific it starts with (`さん アクメ`, `様、`, `さんにお願いします`, `さん`),
/// when one stands there as a word, perhaps with a particle glued on; None when TEXT starts
/// with none, or with a word that only begins like one (`様子`, `さんぷる`). After a mention,
/// [`person_at`] reads it as the mention's.
pub fn strip_honorific(text: &str) -> Option<&str> {
    let t = text.trim_start();
    HONORIFICS.iter().filter_map(|h| t.strip_prefix(h)).find(|after| {
        after
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() || PARTICLES.contains(c))
            // A request made at once (`さんお願いします`).
            || after.starts_with("お願い")
    })
}

/// What a rep writes after the people a command names (`担当 <@U1> にお願いします`): only these
/// words, which name nobody else and ask for nothing more, are read past in silence; any other
/// words there are [`Unread`]: said back, or the command refused.
const CLOSERS: &[&str] = &[
    "にお願いします",
    "にお願いいたします",
    "でお願いします",
    "でお願いいたします",
    "お願いします",
    "お願いいたします",
    "よろしく",
    "よろしくお願いします",
    "よろしくお願いいたします",
    "に変更",
    "に変更します",
    "に変更してください",
    "に変更をお願いします",
    "へ変更",
    "に交代",
    "に交代します",
    "です",
    "please",
    "thanks",
    "thank you",
];

/// Words typed after the people a command names that it does not read (`上司 <@U1>さん 至急`:
/// `至急`, `manager <@U1> asap`: `asap`): `add` is taken for the people named, the answer
/// quoting these words, so nothing typed is dropped unseen; `owner`, `manager` and `remove` are
/// refused with them ([`UsageError::WordsNotRead`]), as the words may undo what they do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unread {
    /// The command, as its usage names it (`manager`, `add`).
    pub sub: &'static str,
    /// The words as typed.
    pub words: String,
    /// Names typed after `@` that Slack did not make mentions (`add <@U1> @bob`): no person the
    /// bot can know, said back with how to make one a mention. Each bounded as typed.
    pub at_names: Vec<String>,
}

/// WORDS typed after the people `sub` names, as [`Unread`]; None when they are nothing, or
/// only close the request ([`CLOSERS`], after the honorific that opens them: `さんにお願いします`).
fn words_not_read(words: &str, sub: &'static str) -> Option<Unread> {
    let words = words
        .trim_end_matches(|c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c) || "!！".contains(c))
        .trim_start();
    let said = strip_honorific(words).unwrap_or(words).trim_start();
    // The particle alone after the honorific (`担当 <@U1> 様へ`) too.
    let closes = said.is_empty()
        || CLOSERS
            .iter()
            .chain(PARTICLES_ALONE)
            .any(|c| said.eq_ignore_ascii_case(c));
    (!closes).then(|| Unread {
        sub,
        words: words.to_string(),
        at_names: Vec::new(),
    })
}

/// Whether TEXT mentions a person anywhere.
fn names_a_person(text: &str) -> bool {
    text.match_indices("<@").any(|(at, _)| person_at(&text[at..]).is_some())
}

/// The person `owner` or `manager` (SUB) is given. A second person there is refused: which of
/// the two was meant is not the bot's to guess; so are other words after them
/// ([`UsageError::WordsNotRead`]: `担当 <@U1> 来週から` is no hand-over now).
fn parse_role_user(text: &str, sub: &'static str) -> Result<UserId, UsageError> {
    let Some((user, rest)) = person_at(text) else {
        return parse_user(text).ok_or_else(|| needs_user(text, sub));
    };
    if names_a_person(rest) {
        return Err(UsageError::TakesOnePerson(sub));
    }
    refuse_unread(words_not_read(rest, sub))?;
    Ok(user)
}

/// The refusal of a command that acts only on exactly what it read, when words were not read.
fn refuse_unread(unread: Option<Unread>) -> Result<(), UsageError> {
    unread.map_or(Ok(()), |u| Err(UsageError::WordsNotRead(u)))
}

/// One option of `/trouble open`, as [`open_option`] reads it.
enum OpenOption {
    Severity(String),
    Manager(UserId),
    Departments(Vec<String>),
}

/// The commas Japanese writes, with no space after them.
const JAPANESE_COMMAS: &[char] = &['、', '，'];

/// Punctuation a hurried hand puts between options (`sev1, +quality`, `<@U1>、sev1`).
const OPTION_SEPARATORS: &[char] = &[',', '.', ';', '、', '，', '。', '；'];

/// The open option at the start of TEXT and what follows it, or None when TEXT starts with
/// anything else (the customer's name). Read as people write them: `sev1`, `sev 1`, `sev-1`,
/// `sev:1`, `severity 1`, `重大度1`, full-width `ｓｅｖ１`; `<@U…>` or `manager <@U…>`;
/// `+quality` or `+quality,+field`; each perhaps followed by a comma or a full stop, and by
/// a colon when another colon still comes before the summary (`SEV1: ACME: lid cracked`).
fn open_option(text: &str) -> Option<(OpenOption, &str)> {
    let (word, after) = split_word_or_mention(text);
    // Whether a colon ending a word is an option's, not the one before the summary; asked
    // only of such a word, so a long text is not read again for each of its words.
    let colon_is_not_the_last = |word: &str, after: &str| word.ends_with(':') && after.contains([':', '：']);
    let folded = super::money::fold_width(word);
    let mut bare = folded.trim_end_matches(OPTION_SEPARATORS);
    if colon_is_not_the_last(bare, after) {
        bare = bare.trim_end_matches(':');
    }
    let digits = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit());
    // `sev 1`: the level is the next word.
    let next_word = || {
        let (n, rest) = split_word_or_mention(after.trim_start());
        let n = super::money::fold_width(n);
        let n = n.trim_end_matches(OPTION_SEPARATORS);
        let n = if colon_is_not_the_last(n, rest) {
            n.trim_end_matches(':')
        } else {
            n
        };
        (n.to_string(), rest)
    };
    let lower = bare.to_lowercase();
    if let Some(level) = ["severity", "sev", "重大度"].iter().find_map(|p| lower.strip_prefix(p)) {
        let level = level.trim_start_matches(['-', '_', ':', '=']);
        if digits(level) {
            return Some((OpenOption::Severity(level.to_string()), after));
        }
        if level.is_empty() && bare.len() == folded.len() {
            let (n, rest) = next_word();
            return digits(&n).then_some((OpenOption::Severity(n), rest));
        }
        return None;
    }
    // `<@U1>さん アクメ：…`, `<@U1>さんアクメ：…`: the honorific is the manager's, not the
    // first word of the name.
    if word.starts_with("<@") && word.ends_with('>') {
        return person_at(text).map(|(u, rest)| (OpenOption::Manager(u), rest));
    }
    if ["manager", "mgr", "上司"].contains(&lower.as_str()) {
        return person_at(after).map(|(u, rest)| (OpenOption::Manager(u), rest));
    }
    let departments: Vec<String> = bare
        .split(',')
        .map(|d| {
            // A department's name starts with a letter: `+5%` ends a summary as text.
            d.strip_prefix('+')
                .filter(|d| d.starts_with(char::is_alphabetic) && !d.contains([':', '：']))
                .map(str::to_string)
        })
        .collect::<Option<_>>()?;
    Some((OpenOption::Departments(departments), after))
}

/// The severity a word opening a customer's name says in a way no option reads: `s1` or `P1`
/// (level 1), or a word for the most urgent (`urgent`, `緊急`, `至急`, `重大`, the name the
/// configuration example gives severity 1). Words a company's name may start with (`High`,
/// `Critical`) are not among them.
fn severity_said_otherwise(word: &str) -> Option<u8> {
    let folded = super::money::fold_width(word).to_lowercase();
    let folded = folded.trim_end_matches(OPTION_SEPARATORS);
    if let Some(n) = folded.strip_prefix(['s', 'p']) {
        return n.parse::<u8>().ok().filter(|n| (1..=9).contains(n));
    }
    ["urgent", "緊急", "至急", "大至急", "重大"]
        .contains(&folded)
        .then_some(1)
}

/// `open s1 ACME: …` refused, with the open as meant (`sev1`, the manager and departments as
/// read, then the rest of the name and the summary), when the customer's name opens with a
/// severity no option reads and no severity was given otherwise. Asked after the names the
/// configuration gives severities were read (`decide::severity_by_name`), so those open.
pub fn severity_said_as_name(req: &OpenRequest) -> Option<UsageError> {
    if req.severity.is_some() {
        return None;
    }
    let (first, rest) = req.customer.trim().split_once(char::is_whitespace)?;
    let level = severity_said_otherwise(first)?;
    let mut open = format!("sev{level}");
    if let Some(manager) = &req.manager {
        open.push_str(&format!(" <@{}>", manager.as_str()));
    }
    for department in &req.departments {
        open.push_str(&format!(" +{department}"));
    }
    open.push_str(&format!(" {}: {}", rest.trim(), req.summary));
    Some(UsageError::OpenSeverityAsName {
        typed: truncate(first, 40),
        open: truncate(&open, 200),
    })
}

/// Options taken from an open command, wherever they stood.
#[derive(Default)]
struct OpenOptions {
    severity: Option<Severity>,
    manager: Option<UserId>,
    departments: Vec<String>,
}

impl OpenOptions {
    fn take(&mut self, option: OpenOption, typed: &str) -> Result<(), UsageError> {
        match option {
            OpenOption::Severity(level) => {
                let level = level
                    .parse::<Severity>()
                    .map_err(|_| UsageError::BadSeverity(typed.to_string()))?;
                if self.severity.is_some_and(|had| had != level) {
                    return Err(UsageError::OpenNamesTwo("sev"));
                }
                self.severity = Some(level);
            }
            OpenOption::Manager(user) => {
                if self.manager.as_ref().is_some_and(|had| *had != user) {
                    return Err(UsageError::OpenNamesTwo("manager"));
                }
                self.manager = Some(user);
            }
            OpenOption::Departments(names) => self.departments.extend(names),
        }
        Ok(())
    }

    /// Takes the options at the start of TEXT; what follows them.
    fn take_leading<'t>(&mut self, mut text: &'t str) -> Result<&'t str, UsageError> {
        while let Some((option, after)) = open_option(text) {
            let typed = &text[..text.len() - after.len()];
            self.take(option, typed.trim())?;
            text = after.trim_start_matches(|c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c));
        }
        Ok(text)
    }
}

/// `/trouble open [options] CUSTOMER: SUMMARY`. Options come first, but a hurried hand also
/// puts them inside the customer's name (`ACME sev1: …`) or after the summary (`…, sev1,
/// +quality`): a severity read as part of a name would open a sev1 at the default severity,
/// with nobody told, so they are taken wherever they stand, and the answer says the severity.
fn parse_open(rest: &str) -> Result<OpenRequest, UsageError> {
    let mut options = OpenOptions::default();
    let remaining = options.take_leading(rest.trim())?;
    let split_at = remaining.find([':', '：']).ok_or_else(|| {
        match [" - ", " – ", " — "].into_iter().find(|dash| remaining.contains(dash)) {
            // Shown, never opened on: a dash may be the customer's own (`ACME - Osaka plant`).
            Some(dash) => UsageError::OpenNeedsColon {
                open: truncate(&rest.trim().replacen(dash, ": ", 1), 200),
            },
            None => UsageError::OpenNeedsCustomerAndSummary,
        }
    })?;
    // The customer's name, its words that are options taken out.
    let typed_name = remaining[..split_at].trim();
    let (mut name, mut took) = (Vec::new(), false);
    let mut words = typed_name;
    while !words.is_empty() {
        let after = options.take_leading(words)?;
        if after.len() < words.len() {
            (words, took) = (after, true);
            continue;
        }
        let (word, after) = split_word_or_mention(words);
        name.push(word);
        words = after.trim_start();
    }
    // As typed (its spaces full-width or doubled) unless an option came out of it.
    let customer = if took { name.join(" ") } else { typed_name.to_string() };
    let sep_len = remaining[split_at..].chars().next().map(char::len_utf8).unwrap_or(1);
    let after = remaining[split_at + sep_len..].trim();
    // A person or a channel is no customer: most likely the manager typed after the name.
    if customer.contains("<@") || customer.contains("<#") {
        return Err(UsageError::CustomerHoldsAMention);
    }
    if !customer.is_empty() && !super::customer::is_a_name(&customer) {
        return Err(UsageError::CustomerNotAName { at_open: true });
    }
    // `@tanaka` that Slack did not make a mention: a manager meant, whom the bot cannot know.
    if let Some(typed) = name.iter().find_map(|w| plain_at_name(w)) {
        let kept: Vec<&str> = name.iter().copied().filter(|w| plain_at_name(w).is_none()).collect();
        return Err(UsageError::PlainAtName {
            typed,
            sub: "open",
            open: Some(truncate(&format!("{}: {after}", kept.join(" ")), 200)),
        });
    }
    let summary = trailing_options(&mut options, after)?;
    if customer.is_empty() || summary.is_empty() {
        return Err(UsageError::OpenNeedsCustomerAndSummary);
    }
    // The summary is what the manager is paged with: `🔥🔥` says it is urgent, not what happened.
    if !says_something(summary) {
        return Err(UsageError::OpenSummarySaysNothing {
            customer: truncate(&customer, 80),
        });
    }
    Ok(OpenRequest {
        severity: options.severity,
        manager: options.manager,
        departments: options.departments,
        customer,
        summary: summary.to_string(),
        past: Vec::new(),
    })
}

/// `open ACME: Japan K.K.: lid cracked`: read as the customer `ACME`, the summary opening with
/// more of a name and a colon. The other reading, the name whole (`ACME Japan K.K.`) and the
/// summary after it, for the shell to take when that names a customer the bot knows.
pub fn customer_continued(req: &OpenRequest) -> Option<OpenRequest> {
    let summary = &req.summary;
    let at = first_separating_colon(summary)?;
    if at != summary.find([':', '：'])? {
        return None;
    }
    let more = summary[..at].trim();
    let sep = summary[at..].chars().next().map_or(1, char::len_utf8);
    let rest = summary[at + sep..].trim();
    let name_like = more.split_whitespace().count() <= 4 && super::customer::is_a_name(more);
    (name_like && says_something(rest)).then(|| OpenRequest {
        customer: format!("{} {more}", req.customer),
        summary: rest.to_string(),
        ..req.clone()
    })
}

/// The severity and departments typed at the end of `summary` (`lid cracked, sev1, +quality`),
/// as the open reads them: empty when none.
pub(super) fn options_after_summary(summary: &str) -> (Option<Severity>, Vec<String>) {
    let mut options = OpenOptions::default();
    match trailing_options(&mut options, summary) {
        Ok(_) => (options.severity, options.departments),
        Err(_) => (None, Vec::new()),
    }
}

/// SUMMARY without the severity and departments typed after it (`lid cracked, sev1,
/// +quality`), which go into OPTIONS; a mention there is the summary's (`reported by <@U1>`).
fn trailing_options<'s>(options: &mut OpenOptions, summary: &'s str) -> Result<&'s str, UsageError> {
    // Japanese joins them with a comma and no space (`蓋の割れ、sev3、+field`): each is a word.
    let ends_a_word = |c: char| c.is_whitespace() || JAPANESE_COMMAS.contains(&c);
    let spaced = |tail: &str| tail.replace('、', "、 ").replace('，', "， ");
    // Where its last words start (a few: options typed after a summary are a handful).
    let mut starts: Vec<usize> = summary
        .char_indices()
        .rev()
        .filter(|&(i, c)| i > 0 && !c.is_whitespace() && summary[..i].ends_with(ends_a_word))
        .map(|(i, _)| i)
        .take(8)
        .collect();
    starts.reverse();
    // The earliest word from which everything to the end is severity or departments.
    let all_options = |tail: &str| {
        let mut probe = OpenOptions::default();
        let tail = spaced(tail);
        let mut text = tail.as_str();
        while let Some((option, after)) = open_option(text) {
            if matches!(option, OpenOption::Manager(_)) || probe.take(option, "").is_err() {
                return false;
            }
            text = after.trim_start_matches(|c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c));
        }
        text.is_empty()
    };
    let Some(&from) = starts.iter().find(|&&i| all_options(&summary[i..])) else {
        return Ok(summary);
    };
    options.take_leading(&spaced(&summary[from..]))?;
    Ok(summary[..from]
        .trim_end_matches(|c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c) || c == '—' || c == '-'))
}

/// `<@U1> <@U2|name> +quality`: at least one person or department; other words are said back.
fn parse_add(rest: &str) -> Result<(Command, Option<Unread>), UsageError> {
    let (users, departments, unread) = people_and_departments(rest, "add")?;
    if users.is_empty() && departments.is_empty() {
        return Err(UsageError::NeedsUser("add"));
    }
    Ok((Command::Add { users, departments }, unread))
}

/// `<@U1> <@U2>`: at least one person; a department is refused, as it stays, and so are other
/// words (`外す <@U1>さん以外` says who stays, not who goes).
fn parse_remove(rest: &str) -> Result<Command, UsageError> {
    let (users, departments, unread) = people_and_departments(rest, "remove")?;
    if let Some(d) = departments.into_iter().next() {
        return Err(UsageError::DepartmentStays(d));
    }
    if users.is_empty() {
        return Err(UsageError::NeedsUser("remove"));
    }
    refuse_unread(unread)?;
    Ok(Command::Remove { users })
}

/// The people (`<@U1>, <@U2> and <@U3>`) and departments (`+quality`) of `add` or `remove`
/// (`sub`), and the other words typed among them, which it does not read ([`Unread`]).
type PeopleAndDepartments = (Vec<UserId>, Vec<String>, Option<Unread>);

fn people_and_departments(rest: &str, sub: &'static str) -> Result<PeopleAndDepartments, UsageError> {
    let mut users = Vec::new();
    let mut departments = Vec::new();
    let mut other = Vec::new();
    let mut at_names = Vec::new();
    let mut remaining = rest.trim();
    while !remaining.is_empty() {
        let after = match person_at(remaining) {
            // `<@U1>さん <@U2> さん`: the honorific, glued on or not, is the mention's.
            Some((user, after)) => {
                users.push(user);
                after
            }
            None => {
                let (word, after) = split_word(remaining);
                // `＋品質保証部`: the plus full-width, as a Japanese input method types it.
                if let Some(dept) = word.strip_prefix(['+', '＋']).filter(|d| !d.is_empty()) {
                    departments.extend(
                        dept.trim_end_matches(OPTION_SEPARATORS)
                            .split([',', '、'])
                            .map(|d| d.trim_start_matches(['+', '＋']).to_string()),
                    );
                } else if let Some(user) = parse_user(word) {
                    users.push(user);
                } else if let Some(name) = plain_at_name(word) {
                    // `@bob`: a person meant, whom the bot cannot know; never passed over.
                    at_names.push((name, word));
                } else {
                    other.push(word);
                }
                after
            }
        };
        // `<@U1>, <@U2>` and `<@U1> and <@U2>`.
        remaining = after.trim_start_matches(|c: char| c.is_whitespace() || OPTION_SEPARATORS.contains(&c));
        // Only before a person or a department: `とても急ぎ` is words of its own.
        remaining = ["and ", "& ", "と"]
            .iter()
            .find_map(|w| remaining.strip_prefix(w))
            .map(str::trim_start)
            .filter(|next| next.starts_with(['<', '+', '＋']))
            .unwrap_or(remaining);
    }
    // `add <@U1> @bob`: the people Slack made mentions are added and `@bob` said back; with no
    // one else named, or for `remove` (which takes away exactly what it names), refused.
    if let Some((_, word)) = at_names.first() {
        if sub != "add" || (users.is_empty() && departments.is_empty()) {
            return Err(needs_user(word, sub));
        }
    }
    let mut unread = words_not_read(&other.join(" "), sub);
    if !at_names.is_empty() {
        unread
            .get_or_insert_with(|| Unread {
                sub,
                ..Unread::default()
            })
            .at_names = at_names.into_iter().map(|(name, _)| name).collect();
    }
    Ok((users, departments, unread))
}

/// `2`, `sev2` or `ｓｅｖ２`: a severity level, then the reason for the change, if any
/// (`sev 3 cosmetic only, no line stop`).
fn parse_severity(rest: &str) -> Result<Command, UsageError> {
    if rest.is_empty() {
        return Err(UsageError::NeedsSeverity);
    }
    let (level, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    // `sev 3 20261130-1`, as a DM would name the trouble: no reason, a trouble.
    if trouble_id(reason.trim()).is_some() {
        return Err(UsageError::SevReasonIsAnId(level.to_string()));
    }
    let to = super::money::fold_width(level)
        .to_ascii_lowercase()
        .trim_start_matches("sev")
        .parse::<Severity>()
        .map_err(|_| UsageError::BadSeverity(rest.to_string()))?;
    // `sev1 ACME: lid cracked`: an open whose `open` was forgotten, the severity first as the
    // open takes it. Read as a change, typed in a trouble's channel it would raise (or lower)
    // THAT trouble and page whoever its new severity brings in: answered, nothing changed.
    if let Some(open) = open_in_reason(to, reason.trim()) {
        return Err(sev_reads_as_open(to, reason, &open));
    }
    Ok(Command::Severity {
        to,
        reason: reason.trim().to_string(),
    })
}

/// Words a reason may open with before a colon (`sev 1 理由：ライン停止`) that name no customer.
const REASON_LABELS: &[&str] = &[
    "reason", "because", "why", "note", "cause", "update", "details", "detail", "理由", "原因", "経緯", "詳細", "補足",
    "メモ", "備考",
];

/// The open a severity change's REASON is, when it reads as `CUSTOMER: SUMMARY` the way `open`
/// takes it (a short name not in lower case, then the colon): `sev1 ACME: lid cracked` is `open
/// sev1 ACME: lid cracked`. Not a time (`since 10:00`), a link, a label (`reason: …`), words in
/// lower case (`only cosmetic: …`), nor a sentence that reaches a colon late, which a reason is.
fn open_in_reason(to: Severity, reason: &str) -> Option<String> {
    // A name is written capitalised (or in a script with no case): `only cosmetic: no fire
    // risk` is a lowering's reason.
    open_read_in_reason(to, reason).and_then(|(open, lower_case)| (!lower_case).then_some(open))
}

/// The open REASON reads as whatever the case of its name (see [`open_in_reason`]), and
/// whether that name begins in lower case.
fn open_read_in_reason(to: Severity, reason: &str) -> Option<(String, bool)> {
    let at = first_separating_colon(reason)?;
    if at != reason.find([':', '：'])? {
        return None;
    }
    let name = reason[..at].trim();
    let lower_case = name.chars().next().is_some_and(char::is_lowercase);
    // A label (`理由：…`) is no open: `reads_as_an_open` says so, in one place.
    if name.split_whitespace().count() > 6 {
        return None;
    }
    let open = format!("sev{} {reason}", to.level());
    (reads_as_an_open(reason) && parse_open(&open).is_ok()).then_some((open, lower_case))
}

/// `sev1 acme: lid cracked`: a severity change whose reason would read as an open but for
/// the name before its colon, typed in lower case (as `only cosmetic: …` is a reason). The
/// customer that open would take and the answer to give when it is one the bot knows, which
/// the shell asks (`[customers]`, or an earlier trouble the rep may see): then it is the open
/// with its `open` forgotten, as `sev1 ACME: …` is, and changes nothing.
pub fn open_in_lower_case_reason(command: &Command) -> Option<(String, UsageError)> {
    let Command::Severity { to, reason } = command else {
        return None;
    };
    let (open, lower_case) = open_read_in_reason(*to, reason.trim())?;
    let customer = parse_open(&open).ok()?.customer;
    lower_case.then(|| (customer, sev_reads_as_open(*to, reason, &open)))
}

/// The answer to a severity change to `to` whose REASON reads as OPEN: that open, and the
/// reason as a change would take it, its colons as dashes.
fn sev_reads_as_open(to: Severity, reason: &str, open: &str) -> UsageError {
    UsageError::SevReadsAsOpen {
        open: truncate(open, 200),
        level: to.level(),
        reason: truncate(&colons_as_dashes(reason.trim()), 200),
    }
}

/// Where the first colon in TEXT stands that parts words (`ACME: …`, `理由：…`), as neither a
/// time's (`10:00`) nor a link's (`https://…`).
fn first_separating_colon(text: &str) -> Option<usize> {
    text.char_indices()
        .find(|&(i, c)| match c {
            '：' => true,
            ':' => {
                let before = text[..i].chars().next_back();
                let after = text[i + 1..].chars().next();
                let in_a_time = before.is_some_and(|b| b.is_ascii_digit()) && after.is_some_and(|a| a.is_ascii_digit());
                !in_a_time && !text[i + 1..].starts_with("//")
            }
            _ => false,
        })
        .map(|(i, _)| i)
}

/// TEXT with each colon that parts words written as a dash, so it no longer reads as an open's
/// `CUSTOMER: SUMMARY` (a time's and a link's colons stay).
fn colons_as_dashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = first_separating_colon(rest) {
        out.push_str(rest[..at].trim_end());
        out.push_str(" - ");
        let sep = rest[at..].chars().next().map_or(1, char::len_utf8);
        rest = rest[at + sep..].trim_start();
    }
    out.push_str(rest);
    out
}

fn parse_stage(rest: &str, sub: &'static str) -> Result<(StageId, String), UsageError> {
    let (mut n, mut note) = split_word(rest);
    // `done stage 3`, `完了 段階3`.
    if let Some(after) = ["stage", "段階", "ステージ"].iter().find_map(|w| {
        let tail = super::money::strip_lowercase_prefix(n, w)?;
        Some(if tail.is_empty() {
            split_word(note.trim_start())
        } else {
            (tail, note)
        })
    }) {
        (n, note) = after;
    }
    // `第1段階`, `1段階目`, as the bot itself names a stage.
    let n = super::money::fold_width(n);
    let n = n.strip_prefix('第').unwrap_or(&n);
    let n = n.strip_suffix('目').unwrap_or(n);
    let n = n.strip_suffix("段階").unwrap_or(n);
    // `完了 二`, `第三段階`: the stages counted in kanji, as they are said.
    let kanji = ["一", "二", "三", "四", "五", "六", "七"]
        .iter()
        .position(|k| *k == n)
        .map(|i| i + 1);
    match kanji.or_else(|| numbered(n)).and_then(StageId::from_number) {
        Some(stage) => Ok((stage, note.trim().to_string())),
        None => Err(UsageError::BadStage(sub)),
    }
}

/// A number as people write one after a command: `3`, `#3`, `No.3`, `3番`, `3.`, full-width.
pub(super) fn numbered(word: &str) -> Option<usize> {
    number_part(word).parse::<usize>().ok().filter(|n| *n >= 1)
}

/// WORD as a number is written in it: `#2`, `no.2`, `2.`, `２番` are all `2`.
fn number_part(word: &str) -> String {
    super::money::fold_width(word)
        .to_lowercase()
        .trim_end_matches(['.', ',', ':', '、', '。'])
        .trim_start_matches('#')
        .trim_start_matches("no.")
        .trim_end_matches('番')
        .to_string()
}

/// Whether WORD was meant as a number (`0`, `-1`, `#0`, `no.0`, `1.5`, `２`), read or not; a
/// word that only starts with digits (`3pm`) is not.
fn looks_numbered(word: &str) -> bool {
    let part = number_part(word);
    let number = part.trim_start_matches(['-', '+']);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    !whole.is_empty() && !fraction.is_empty() && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
}

/// The markers of an update's promised next contact, longest first at one place.
const NEXT_CONTACT: &[&str] = &[
    "next contact:",
    "next contact：",
    "next update:",
    "next update：",
    "next call:",
    "next call：",
    "next :",
    "next:",
    "next：",
    "次回の連絡:",
    "次回の連絡：",
    "次回連絡:",
    "次回連絡：",
    "次回は:",
    "次回は：",
    "次回:",
    "次回：",
];

/// The markers of a promise when typed without a colon, as a word of their own:
/// `調査中 次回 明日 10:00`, `checking, next call tomorrow 10am`. Longest first; those ending
/// in a particle need no space after them (`次回は明日10時`). A bare `next` must be followed by
/// a time of day too (see [`bare_next_contact`]).
const NEXT_CONTACT_BARE: &[&str] = &[
    "次回の連絡は",
    "次回連絡は",
    "次回は",
    "次回の連絡",
    "次回連絡",
    "次回",
    "next contact",
    "next update",
    "next call",
    "next",
];

/// `次回 明日 10:00` at the end of an update typed without the colon: the text before it and
/// the promise, when what follows the word reads as a time (or as `17h`, which the answer
/// then asks about). What does not read stays text (`次回 出荷分から対策品`), as the word is
/// also the start of a sentence. A bare `next` is so common a word (`we ship next friday`)
/// that it marks a promise only before a time of day (`next 15:00`, `next tomorrow 10am`).
fn bare_next_contact(rest: &str) -> Option<(&str, &str)> {
    // Lowercased ASCII keeps every byte where it was: its positions slice `rest`.
    let folded = rest.to_ascii_lowercase();
    NEXT_CONTACT_BARE.iter().find_map(|marker| {
        folded.match_indices(marker).find_map(|(at, _)| {
            let before = &rest[..at];
            let after = &rest[at + marker.len()..];
            let after = match marker.ends_with('は') {
                true => after,
                false => after.strip_prefix(char::is_whitespace)?,
            }
            .trim();
            let a_word = starts_a_word(before);
            let before = before.trim_end_matches(|c: char| c.is_whitespace() || "、,".contains(c));
            let timed = *marker != "next" || has_time_of_day(after);
            (a_word && timed && !after.is_empty() && super::due::reads_as_due(after)).then_some((before, after))
        })
    })
}

/// Whether what stands before a word lets it start one: it starts the text or follows a space
/// or a comma (`調査中、次回は…`).
fn starts_a_word(before: &str) -> bool {
    before.is_empty() || before.ends_with(|c: char| c.is_whitespace() || "、,。".contains(c))
}

/// The words after a promise's marker in an update's text, when no time was read from them
/// (`調査中 次回は あさって昼過ぎ`): the update is logged with them as words, and its answer says
/// that no promise was set, so nobody takes words for a promise the bot will remind them of.
/// Only the markers that say a promise: a bare `次回` or `next` starts sentences too.
pub fn unread_promise(text: &str) -> Option<&str> {
    // Lowercased ASCII keeps every byte where it was: its positions slice `text`.
    let folded = text.to_ascii_lowercase();
    NEXT_CONTACT_BARE
        .iter()
        .filter(|marker| !matches!(**marker, "次回" | "next"))
        .find_map(|marker| {
            folded.match_indices(marker).find_map(|(at, _)| {
                let after = text[at + marker.len()..].trim();
                (starts_a_word(&text[..at]) && !after.is_empty()).then_some(after)
            })
        })
}

/// Whether TEXT names a time of day: `15:00`, `3pm`, `10 am`, `10時`.
fn has_time_of_day(text: &str) -> bool {
    let folded = super::money::fold_width(text).to_ascii_lowercase();
    let bytes = folded.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        b.is_ascii_digit()
            && (folded[i + 1..].starts_with(':')
                || ["am", "pm", " am", " pm", "時"]
                    .iter()
                    .any(|s| folded[i + 1..].starts_with(s)))
    })
}

/// The words naming a customer update after `withdraw` (and `fix`).
fn update_word(word: &str) -> bool {
    matches!(
        super::money::fold_width(word)
            .to_lowercase()
            .trim_end_matches([':', '：']),
        "update" | "updates" | "報告" | "連絡" | "お客様報告"
    )
}

/// `update [N] REASON` after `withdraw`: N is optional (the latest), the reason is not; or
/// `agreed N REASON`, where N is not: an agreement is not withdrawn by guessing which.
fn parse_withdraw(rest: &str) -> Result<Command, UsageError> {
    let (word, after) = split_word(rest.trim());
    let folded = super::money::fold_width(word).to_lowercase();
    if matches!(folded.trim_end_matches([':', '：']), "agreed" | "agreement" | "合意") {
        let (first, reason) = split_word(after.trim_start());
        let n = numbered(first).ok_or(UsageError::NeedsNumber("withdraw agreed"))?;
        return match reason.trim() {
            reason if !says_something(reason) => Err(UsageError::NeedsText("withdraw agreed")),
            reason => Ok(Command::WithdrawAgreed {
                n,
                reason: reason.to_string(),
            }),
        };
    }
    if !update_word(word) {
        return Err(UsageError::BadWithdraw);
    }
    let after = after.trim_start();
    let (first, reason) = split_word(after);
    let (n, reason) = match numbered(first) {
        Some(n) => (Some(n), reason),
        // `0`, `-1`, `1.5`: a number meant, and none that names an update. Read as the reason,
        // it would withdraw the latest, for good.
        None if looks_numbered(first) => return Err(UsageError::NeedsNumber("withdraw update")),
        None => (None, after),
    };
    match reason.trim() {
        reason if !says_something(reason) => Err(UsageError::NeedsText("withdraw update")),
        reason => Ok(Command::WithdrawUpdate {
            n,
            reason: reason.to_string(),
        }),
    }
}

fn parse_update(rest: &str) -> Result<Command, UsageError> {
    let (text, next) = match super::facts::split_marker(rest, NEXT_CONTACT) {
        (text, None) => bare_next_contact(rest).map_or((text, None), |(text, next)| (text, Some(next))),
        found => found,
    };
    if !says_something(text) {
        return Err(UsageError::NeedsText("update"));
    }
    Ok(Command::Update {
        text: text.to_string(),
        next: next.filter(|n| !n.is_empty()).map(str::to_string),
    })
}

/// `当社70 お客様30 …`, `ours 70% customer 30% …`: shares named by their payer (in any order),
/// as the plain `70/30 …` they stand for (ours/customer[/other]); None when TEXT does not
/// start with two or three of them.
fn labelled_split(text: &str) -> Option<String> {
    use super::money::{parse_payer, Payer};
    let mut shares: Vec<(Payer, u32)> = Vec::new();
    let mut pending: Option<Payer> = None;
    let mut rest = text.trim_start();
    // What follows the last whole share: the reason starts there.
    let mut after_shares = rest;
    while shares.len() < 3 {
        let (word, after) = split_word(rest);
        let word = word.trim_end_matches([',', '、']);
        let digits_at = word.find(|c: char| c.is_ascii_digit());
        let (label, number) = match digits_at {
            Some(i) => (&word[..i], &word[i..]),
            None => (word, ""),
        };
        // `7割` is seventy per cent, as Japanese says shares.
        let number = match number.strip_suffix('割') {
            Some(tenths) => tenths.parse::<u32>().ok().filter(|n| *n <= 10).map(|n| n * 10),
            None => number.trim_end_matches('%').parse::<u32>().ok(),
        };
        let payer = match (label.is_empty(), pending.take()) {
            (true, Some(payer)) => Some(payer),
            (false, None) => parse_payer(label),
            _ => None,
        };
        match (payer, number) {
            (Some(payer), Some(n)) if !shares.iter().any(|(p, _)| *p == payer) => {
                shares.push((payer, n));
                after_shares = after.trim_start();
            }
            // `当社 70`: the label, then its number.
            (Some(payer), None) if digits_at.is_none() && !word.is_empty() => pending = Some(payer),
            _ => break,
        }
        rest = after.trim_start();
    }
    // One share alone is the whole (`当社100%`, `当社10割`); others take none.
    let whole = matches!(shares[..], [(_, 100)]);
    if shares.len() < 2 && !whole {
        return None;
    }
    let rest = after_shares;
    let of = |payer: Payer| shares.iter().find(|(p, _)| *p == payer).map_or(0, |(_, n)| *n);
    let numbers = match of(Payer::Other) {
        0 => format!("{}/{}", of(Payer::Ours), of(Payer::Customer)),
        other => format!("{}/{}/{other}", of(Payer::Ours), of(Payer::Customer)),
    };
    Some(format!("{numbers} {rest}"))
}

pub(super) fn parse_split(rest: &str) -> Result<Command, UsageError> {
    // `70 / 30` and `70 - 30` are one word: the numbers run until a word that is no number.
    let rest = super::money::fold_width(rest);
    // `折半 理由` is half each; `当社6:お客様4` the labelled shares glued by a colon.
    let (first, after) = split_word(&rest);
    let rest = match first {
        "折半" | "半々" => format!("50/50 {after}"),
        _ => labelled_split(&rest)
            .or_else(|| labelled_split(&format!("{} {after}", first.replacen([':', '対'], " ", 1))))
            .unwrap_or(rest),
    };
    let glued = glue_ratio(&rest);
    let (numbers, reason) = split_word(&glued);
    let numbers = numbers.trim_end_matches(['.', ',']);
    let numbers = &numbers.replace('-', "/");
    // `70/30`, `70:30`, `7対3`; a ratio in tenths (`7:3`, `5対5`) is read as the percentages.
    let mut parts: Vec<u32> = super::money::fold_width(numbers)
        .split(['/', ':', '対'])
        .map(|p| p.trim_end_matches('%').parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| UsageError::BadSplit)?;
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| *p > 100) {
        return Err(UsageError::BadSplit);
    }
    if parts.iter().sum::<u32>() == 10 && !numbers.contains('%') {
        parts.iter_mut().for_each(|p| *p *= 10);
    }
    let total: u32 = parts.iter().sum();
    if total != 100 {
        return Err(UsageError::SplitNotHundred(total));
    }
    Ok(Command::Split {
        ours: parts[0] as u8,
        customer: parts[1] as u8,
        other: parts.get(2).copied().unwrap_or(0) as u8,
        reason: reason.trim().to_string(),
    })
}

pub(super) fn parse_cost(rest: &str) -> Result<Command, UsageError> {
    // `120万円（税込）`: what the amount includes, in brackets right after it, goes to the note.
    let (first_word, after_first) = split_word(rest);
    let bracket_at = first_word
        .find(['（', '('])
        .filter(|i| *i > 0 && first_word.ends_with(['）', ')']));
    let (rest, bracket) = match bracket_at {
        Some(i) => (format!("{} {after_first}", &first_word[..i]), Some(&first_word[i..])),
        None => (rest.to_string(), None),
    };
    let rest = rest.as_str();
    // The amount may be written `JPY 120000` or `3000 USD`, `120,000 yen` (two words) or
    // `¥120,000` (one), perhaps followed by a comma.
    let unpunctuated = |w: &str| w.trim_end_matches([',', ';', '、']).to_string();
    let (first, after) = split_word(rest);
    let (second, after_two) = split_word(after.trim_start());
    let code = first.chars().all(|c| c.is_ascii_alphabetic()) && first.len() == 3;
    let two_words = format!("{first} {}", unpunctuated(second));
    let (amount, after) =
        if code || (super::money::parse_amount(first).is_none() && super::money::parse_amount(&two_words).is_some()) {
            (two_words, after_two)
        } else {
            (unpunctuated(first), after)
        };
    // Full-width digits count: `￥１２０，０００` is an amount; so do kanji numerals (`十二万円`).
    // `¥1 000 000`: digits spaced as thousands, read as an amount and a payer `000`.
    let digits = |w: &str| super::money::fold_width(w).starts_with(|c: char| c.is_ascii_digit());
    if digits(split_word(after.trim_start()).0) {
        let groups: Vec<&str> = after.split_whitespace().take_while(|w| digits(w)).collect();
        let written = format!("{amount} {}", groups.join(" "));
        return Err(UsageError::SpacedAmount(truncate(&written, 40)));
    }
    // `¥-50,000`, `△50,000円`: a credit or discount written negative.
    let folded = super::money::fold_width(&amount);
    let before_digits = &folded[..folded.find(|c: char| c.is_ascii_digit()).unwrap_or(0)];
    if before_digits.contains(['-', '−', '△', '▲'])
        && super::money::parse_amount(&folded.replace(['-', '−', '△', '▲'], "")).is_some()
    {
        return Err(UsageError::NegativeAmount(truncate(&amount, 40)));
    }
    let read = super::money::read_amount(&amount);
    if let Err(super::money::AmountRefusal::TooLarge { max }) = read {
        return Err(UsageError::AmountTooLarge {
            amount: truncate(&amount, 40),
            max: max.to_string(),
        });
    }
    let read = read.ok();
    // `cost 0 ours`: nothing to pay is an amount in any currency, the truthful record of a
    // trouble settled without compensation.
    let nothing = super::money::is_zero_amount(&amount);
    if read.is_none() && !nothing && !super::money::fold_width(&amount).chars().any(|c| c.is_ascii_digit()) {
        return Err(UsageError::BadCost);
    }
    // An amount that does not read as money would be listed but left out of the totals and
    // of the approval limits without a word: what is `1,500,000`, yen or dollars?
    if read.is_none() && !nothing {
        return Err(UsageError::BadAmount(truncate(&amount, 40)));
    }
    let (mut payer, mut note) = split_word(after.trim_start());
    // `the customer`.
    if payer.eq_ignore_ascii_case("the") {
        (payer, note) = split_word(note.trim_start());
    }
    // `ours,`, `us:`.
    let payer = payer.trim_end_matches([',', ';', ':', '：', '、']);
    // `we pay`, `customer pays`, `third party`: the second word says who, not what for.
    let (word, rest_of_note) = split_word(note.trim_start());
    if ["pay", "pays", "party", "bears"].contains(&word.trim_end_matches([',', ':']).to_lowercase().as_str()) {
        note = rest_of_note;
    }
    // `— express shipping`.
    let note = note.trim_start().trim_start_matches(['—', '–', '-', ':', ',']).trim();
    if payer.is_empty() {
        return Err(UsageError::BadCost);
    }
    // Who bears it decides the totals and the approval: a word the bot does not know would
    // leave the cost out of both without anyone noticing.
    if super::money::parse_payer(payer).is_none() {
        // `折半` (half each): a cost has one payer, so each half is a cost of its own.
        if ["折半", "半々", "半額ずつ", "half", "halves", "50/50"].contains(&payer.to_lowercase().as_str()) {
            let half = read.filter(|m| m.minor % 2 == 0).map(|m| {
                super::money::Money {
                    minor: m.minor / 2,
                    ..m
                }
                .to_string()
            });
            return Err(UsageError::CostHalved {
                half,
                note: truncate(note, 40),
            });
        }
        return Err(UsageError::BadPayer(truncate(payer, 40)));
    }
    let note = match bracket {
        Some(b) => format!("{b} {}", note.trim()).trim().to_string(),
        None => note.trim().to_string(),
    };
    Ok(Command::Cost {
        amount,
        payer: payer.to_string(),
        note,
    })
}

/// `70 / 30 reason` → `70/30 reason`: spaces around the ratio's separators taken out, the
/// reason left as typed.
fn glue_ratio(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text.trim_start();
    loop {
        let (word, after) = split_word(rest);
        let joins = |w: &str| matches!(w, "/" | "-" | ":" | "対");
        let next = split_word(after.trim_start()).0;
        out.push_str(word);
        if !word.is_empty() && (joins(word) || joins(next)) && !after.trim_start().is_empty() {
            rest = after.trim_start();
            continue;
        }
        out.push_str(after);
        return out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_words_after_a_promises_marker_no_time_was_read_from_are_found() {
        for (text, words) in [
            ("調査中 次回は あさって昼過ぎ", Some("あさって昼過ぎ")),
            ("調査中、次回の連絡は来週のどこか", Some("来週のどこか")),
            ("checking, next call sometime soon", Some("sometime soon")),
            ("次回 出荷分から対策品", None),
            ("we ship next friday", None),
            ("called them", None),
            ("調査中 次回は", None),
        ] {
            assert_eq!(unread_promise(text), words, "{text}");
        }
    }

    #[test]
    fn a_trouble_named_by_its_channel_or_before_its_command_reads_as_its_id() {
        let renamed = super::super::model::ChannelId::new("C0RENAMED");
        let known = |c: &super::super::model::ChannelId| (*c == renamed).then(|| TroubleId::new("20261130-7"));
        let read = |text: &str| trouble_named_first(text, known);
        for (typed, meant) in [
            ("ack <#C0000003|trouble-20261130-3-initech>", "ack 20261130-3"),
            ("status #trouble-20261130-3-initech", "status 20261130-3"),
            ("ack #incident-20261130-12", "ack 20261130-12"),
            ("ack #trouble-20261130-3-acme-2", "ack 20261130-3"),
            ("status <#C0RENAMED|acme-war-room>", "status 20261130-7"),
            ("ack <#C0RENAMED>", "ack 20261130-7"),
            ("20261130-3 確認", "確認 20261130-3"),
            ("20261130-3", "status 20261130-3"),
            ("#trouble-20261130-3-initech status", "status 20261130-3"),
            ("20261130-3 done 2", "done 20261130-3 2"),
            ("  20261130-3   ack  ", "ack 20261130-3"),
        ] {
            assert_eq!(read(typed).as_deref(), Some(meant), "{typed}");
        }
        for as_typed in [
            "ack 20261130-3",
            "ack <#C0OTHER|general>",
            "ack <#C0OTHER>",
            "status #general",
            "20261130-3 ACME called again",
            "update told them 20261130-3",
            "open ACME: cracked",
            "ack #20261130-3",
            "note <!channel> 20261130-3",
            "ack trouble-20261130-3-initech",
            "update lot-20261130-5 returned",
        ] {
            assert_eq!(read(as_typed), None, "{as_typed}");
        }
        assert_eq!(
            channels_named_first("ack <#C0000003|x> <#C0000004>"),
            vec![super::super::model::ChannelId::new("C0000003")]
        );
    }

    fn open(text: &str) -> OpenRequest {
        match parse(text) {
            Ok(Command::Open(r)) => r,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    /// `withdraw agreed N REASON`: the number and the reason are both needed.
    #[test]
    fn withdraw_agreed_takes_a_number_and_a_reason() {
        let withdraw = |n: usize, reason: &str| Command::WithdrawAgreed {
            n,
            reason: reason.to_string(),
        };
        for (text, want) in [
            ("withdraw agreed 1 typed too soon", withdraw(1, "typed too soon")),
            ("withdraw agreement #2 wrong proposal", withdraw(2, "wrong proposal")),
            ("取消 合意 1 署名前", withdraw(1, "署名前")),
            ("撤回 合意 ２ 別の提案", withdraw(2, "別の提案")),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
        assert_eq!(
            parse("withdraw agreed"),
            Err(UsageError::NeedsNumber("withdraw agreed"))
        );
        assert_eq!(
            parse("withdraw agreed typo"),
            Err(UsageError::NeedsNumber("withdraw agreed"))
        );
        assert_eq!(
            parse("withdraw agreed 1 ."),
            Err(UsageError::NeedsText("withdraw agreed"))
        );
    }

    /// `withdraw update [N] REASON`, in its spellings: the number is optional, the reason not.
    #[test]
    fn withdraw_update_takes_an_optional_number_and_a_reason() {
        let withdraw = |n: Option<usize>, reason: &str| Command::WithdrawUpdate {
            n,
            reason: reason.to_string(),
        };
        for (text, want) in [
            ("withdraw update wrong trouble", withdraw(None, "wrong trouble")),
            ("withdraw update 2 wrong trouble", withdraw(Some(2), "wrong trouble")),
            ("withdraw update #3 typo", withdraw(Some(3), "typo")),
            (
                "retract update 3pm call was ACME's",
                withdraw(None, "3pm call was ACME's"),
            ),
            (
                "fix update 2 logged here by mistake",
                withdraw(Some(2), "logged here by mistake"),
            ),
            ("取消 報告 1 別件", withdraw(Some(1), "別件")),
            ("取り消し 連絡 ２ 別件", withdraw(Some(2), "別件")),
            ("訂正 報告 別件", withdraw(None, "別件")),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
        assert_eq!(parse("withdraw update"), Err(UsageError::NeedsText("withdraw update")));
        for (text, sub) in [
            ("withdraw update 1 .", "withdraw update"),
            ("update .", "update"),
            ("update - next: 15:00", "update"),
            ("close force -", "close force"),
            ("note ...", "note"),
            ("reopen 。", "reopen"),
            // Letters that show as blank, and Slack markup that carries no words.
            ("update \u{3164}", "update"),
            ("update \u{FFA0} next: 15:00", "update"),
            ("update \u{115F}\u{1160}", "update"),
            ("update <@U0SALES>", "update"),
            ("update <@U0SALES|taro> :ok: :+1::skin-tone-2:", "update"),
            ("note <!here> <#C0ORIGIN|sales>", "note"),
            ("close force :thinking_face:", "close force"),
            // Signs Slack escapes, and marks that only lengthen, repeat or sit on a letter.
            ("update &amp;", "update"),
            ("update &lt;&gt;", "update"),
            ("withdraw update 1 &gt;", "withdraw update"),
            ("update ー", "update"),
            ("update ｰ 々", "update"),
            ("reopen \u{0640}", "reopen"),
            ("update \u{064B}", "update"),
            ("update \u{0363}", "update"),
            ("close force \u{0E31}", "close force"),
        ] {
            assert_eq!(parse(text), Err(UsageError::NeedsText(sub)), "{text}");
        }
        // A word beside them, a link, or a time with colons says something.
        for text in [
            "update <@U0SALES> called them",
            "update :ok: 了解とのこと",
            "update <https://example.com/spec|the spec> sent",
            "update 10:30:",
            "update \u{3164}x",
            "update A&amp;B agreed",
            "update ラーメン",
            "update 佐々木さんに連絡",
            "update café",
        ] {
            assert!(matches!(parse(text), Ok(Command::Update { .. })), "{text}");
        }
        assert_eq!(
            parse("withdraw update 2"),
            Err(UsageError::NeedsText("withdraw update"))
        );
        assert_eq!(parse("withdraw 2 wrong trouble"), Err(UsageError::BadWithdraw));
        // A number that names no update is refused, never read as the reason (which would
        // withdraw the latest, for good).
        for text in [
            "withdraw update 0 typo",
            "withdraw update -1 typo",
            "withdraw update #0 typo",
            "withdraw update 0. typo",
            "withdraw update no.0 typo",
            "withdraw update 1.5 typo",
            "取消 報告 0 間違い",
        ] {
            assert_eq!(parse(text), Err(UsageError::NeedsNumber("withdraw update")), "{text}");
        }
        // `fix` of anything else is still a correction of that.
        assert!(matches!(parse("fix fact lot L42"), Ok(Command::Step(_))));
    }

    #[test]
    fn open_with_every_option() {
        let r = open("open sev1 <@U0BOSS|boss> +quality +field ACME: defective housings in lot 42");
        assert_eq!(r.severity, Some(Severity::new(1)));
        assert_eq!(r.manager, Some(UserId::new("U0BOSS")));
        assert_eq!(r.departments, ["quality", "field"]);
        assert_eq!(r.customer, "ACME");
        assert_eq!(r.summary, "defective housings in lot 42");
    }

    /// What a hurried hand types: the severity, manager and departments are read wherever they
    /// stand and however they are punctuated, never left in the customer's name.
    #[test]
    fn open_options_as_people_type_them() {
        let (sev1, boss) = (Some(Severity::new(1)), Some(UserId::new("U0BOSS")));
        #[rustfmt::skip]
        type Read<'a> = (&'a str, Option<Severity>, Option<UserId>, &'a [&'a str], &'a str, &'a str);
        let cases: &[Read] = &[
            ("open sev-1 ACME: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            ("open sev:1 ACME: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            ("open sev1, ACME: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            ("open sev1. ACME: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            (
                "open Severity 1 ACME: lid cracked",
                sev1,
                None,
                &[],
                "ACME",
                "lid cracked",
            ),
            ("open SEV1: ACME: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            ("open 重大度1 ACME：蓋割れ", sev1, None, &[], "ACME", "蓋割れ"),
            ("open ACME sev1: lid cracked", sev1, None, &[], "ACME", "lid cracked"),
            ("open ACME: lid cracked sev1", sev1, None, &[], "ACME", "lid cracked"),
            // Japanese commas join them with no space.
            (
                "起票 ACME：蓋の割れ、sev1、+quality",
                sev1,
                None,
                &["quality"],
                "ACME",
                "蓋の割れ",
            ),
            (
                "起票 ACME： 蓋の割れ、重大度１、＋quality",
                sev1,
                None,
                &["quality"],
                "ACME",
                "蓋の割れ",
            ),
            (
                "起票 ACME：蓋の割れ、ロット42、sev表記なし",
                None,
                None,
                &[],
                "ACME",
                "蓋の割れ、ロット42、sev表記なし",
            ),
            (
                "open ACME: lid cracked, sev1, +quality",
                sev1,
                None,
                &["quality"],
                "ACME",
                "lid cracked",
            ),
            (
                "open <@U0BOSS>, sev1 ACME: lid cracked",
                sev1,
                boss.clone(),
                &[],
                "ACME",
                "lid cracked",
            ),
            // The honorific is the manager's (`<@U1>さん`), never the start or end of the name.
            (
                "open <@U0BOSS>さん アクメ：蓋割れ",
                None,
                boss.clone(),
                &[],
                "アクメ",
                "蓋割れ",
            ),
            (
                "open <@U0BOSS> 様、アクメ：蓋割れ",
                None,
                boss.clone(),
                &[],
                "アクメ",
                "蓋割れ",
            ),
            (
                "open 上司 <@U0BOSS>さん アクメ：蓋割れ",
                None,
                boss.clone(),
                &[],
                "アクメ",
                "蓋割れ",
            ),
            (
                "open アクメ <@U0BOSS>さん：蓋割れ",
                None,
                boss.clone(),
                &[],
                "アクメ",
                "蓋割れ",
            ),
            (
                "open アクメ 上司 <@U0BOSS> さん：蓋割れ",
                None,
                boss.clone(),
                &[],
                "アクメ",
                "蓋割れ",
            ),
            // A word that only begins like one is the customer's.
            (
                "open <@U0BOSS> 様子見工業：蓋割れ",
                None,
                boss.clone(),
                &[],
                "様子見工業",
                "蓋割れ",
            ),
            (
                "open manager <@U0BOSS> ACME: lid cracked",
                None,
                boss.clone(),
                &[],
                "ACME",
                "lid cracked",
            ),
            (
                "open manager: <@U0BOSS> ACME: lid cracked",
                None,
                boss.clone(),
                &[],
                "ACME",
                "lid cracked",
            ),
            (
                "open +quality,+field ACME: lid cracked",
                None,
                None,
                &["quality", "field"],
                "ACME",
                "lid cracked",
            ),
            (
                "open +quality, +field ACME: lid cracked",
                None,
                None,
                &["quality", "field"],
                "ACME",
                "lid cracked",
            ),
            (
                "open sev1 <@U0BOSS> <@U0BOSS|boss> ACME: x",
                sev1,
                boss.clone(),
                &[],
                "ACME",
                "x",
            ),
            // Not options: names and summaries that only look alike.
            (
                "open Severn Trent: lid cracked",
                None,
                None,
                &[],
                "Severn Trent",
                "lid cracked",
            ),
            (
                "open Sev Motors: lid cracked",
                None,
                None,
                &[],
                "Sev Motors",
                "lid cracked",
            ),
            ("open ACME: price up +5%", None, None, &[], "ACME", "price up +5%"),
            (
                "open ACME: found by <@U0BOSS>",
                None,
                None,
                &[],
                "ACME",
                "found by <@U0BOSS>",
            ),
            ("open ACME: sev1", None, None, &[], "ACME", "sev1"),
        ];
        for (text, severity, manager, departments, customer, summary) in cases {
            let r = open(text);
            assert_eq!(
                (
                    &r.severity,
                    &r.manager,
                    r.departments.as_slice(),
                    r.customer.as_str(),
                    r.summary.as_str()
                ),
                (
                    severity,
                    manager,
                    departments.iter().map(|d| d.to_string()).collect::<Vec<_>>().as_slice(),
                    *customer,
                    *summary
                ),
                "{text}"
            );
        }
        #[rustfmt::skip]
        let refused: &[(&str, UsageError)] = &[
            ("open <@U0BOSS> <@U0VP> ACME: x", UsageError::OpenNamesTwo("manager")),
            ("open sev1 ACME: x sev2", UsageError::OpenNamesTwo("sev")),
            ("open ACME <@bob>: x", UsageError::CustomerHoldsAMention),
            ("open ACME <#C1|general>: x", UsageError::CustomerHoldsAMention),
        ];
        for (text, expected) in refused {
            assert_eq!(parse(text).as_ref(), Err(expected), "{text}");
        }
    }

    /// Commands as a hurried hand, or a phone, types them: read as meant, never stored askew.
    #[test]
    fn commands_as_hurried_hands_type_them() {
        use super::super::facts::{FactKey, Step};
        let u = UserId::new;
        let stage = |n| StageId::from_number(n).unwrap();
        let cost = |amount: &str, payer: &str, note: &str| Command::Cost {
            amount: amount.into(),
            payer: payer.into(),
            note: note.into(),
        };
        let split = |ours, customer, reason: &str| Command::Split {
            ours,
            customer,
            other: 0,
            reason: reason.into(),
        };
        let update = |text: &str, next: &str| Command::Update {
            text: text.into(),
            next: Some(next.into()),
        };
        let cases: Vec<(&str, Command)> = vec![
            // `次回` without its colon, before a time: the promise.
            ("update 調査中 次回 明日 10:00", update("調査中", "明日 10:00")),
            ("update 調査中 次回連絡 金曜", update("調査中", "金曜")),
            ("報告 お詫びと状況説明 次回 17h", update("お詫びと状況説明", "17h")),
            (
                "報告 調査中 次回 12月2日（水）14時",
                update("調査中", "12月2日（水）14時"),
            ),
            ("報告 調査中 次回 明後日 10時", update("調査中", "明後日 10時")),
            ("報告 調査中 次回 来週月曜 10時", update("調査中", "来週月曜 10時")),
            ("報告 調査中 次回 明日午前中", update("調査中", "明日午前中")),
            ("報告 調査中、次回は明日10時", update("調査中", "明日10時")),
            ("報告 調査中 次回の連絡 明日10時", update("調査中", "明日10時")),
            ("報告 調査中 次回連絡は 明日 10:00", update("調査中", "明日 10:00")),
            // `次回の連絡：`, `次回は：`: the marker as it is said, then the colon.
            ("報告 調査中 次回の連絡：明日10時", update("調査中", "明日10時")),
            ("報告 調査中 次回は：明日10時", update("調査中", "明日10時")),
            (
                "update 次回 出荷分から対策品",
                Command::Update {
                    text: "次回 出荷分から対策品".into(),
                    next: None,
                },
            ),
            // In English too; a bare `next` only before a time of day.
            (
                "update told them we are checking next 15:00",
                update("told them we are checking", "15:00"),
            ),
            (
                "update checking, Next tomorrow 10am",
                update("checking", "tomorrow 10am"),
            ),
            ("update checking next call fri 3pm", update("checking", "fri 3pm")),
            ("update checking next update friday", update("checking", "friday")),
            ("update 確認中 next 15:00", update("確認中", "15:00")),
            (
                "update we ship the new lot next friday",
                Command::Update {
                    text: "we ship the new lot next friday".into(),
                    next: None,
                },
            ),
            ("owner: <@U0B>", Command::Owner(u("U0B"))),
            ("owner <@U0B|rep>.", Command::Owner(u("U0B"))),
            ("Status.", Command::Status),
            ("Acknowledged", Command::Ack),
            ("complete 3", Command::Done(stage(3), String::new())),
            ("8D", Command::Report8d { shared: false }),
            (
                "re-open customer found more",
                Command::Step(Step::Reopen("customer found more".into())),
            ),
            ("?", Command::Help),
            (
                "close force: duplicate of 3",
                Command::CloseForce("duplicate of 3".into()),
            ),
            ("stats 30 days", Command::Stats(Some(30))),
            ("stats 30d", Command::Stats(Some(30))),
            ("統計 1か月", Command::Stats(Some(30))),
            ("統計 ２週間", Command::Stats(Some(14))),
            ("stats 3 months", Command::Stats(Some(90))),
            ("統計 30日間", Command::Stats(Some(30))),
            ("done stage 3", Command::Done(stage(3), String::new())),
            ("done #2 sorted", Command::Done(stage(2), "sorted".into())),
            ("done 3.", Command::Done(stage(3), String::new())),
            ("完了 段階3", Command::Done(stage(3), String::new())),
            ("ステータス", Command::Status),
            ("状態", Command::Status),
            ("使い方", Command::Help),
            ("完了 第1段階", Command::Done(stage(1), String::new())),
            (
                "done 1段階 事実確認済み",
                Command::Done(stage(1), "事実確認済み".into()),
            ),
            ("完了 第２段階目", Command::Done(stage(2), String::new())),
            ("update told them next contact: 15:00", update("told them", "15:00")),
            ("update told them. Next update: 3pm", update("told them.", "3pm")),
            (
                "update told them next call: tomorrow 10:00",
                update("told them", "tomorrow 10:00"),
            ),
            ("update told them next : 15:00", update("told them", "15:00")),
            (
                "add <@U1>, <@U2> and <@U3>",
                Command::Add {
                    users: vec![u("U1"), u("U2"), u("U3")],
                    departments: vec![],
                },
            ),
            (
                "add +quality,+field",
                Command::Add {
                    users: vec![],
                    departments: vec!["quality".into(), "field".into()],
                },
            ),
            ("split 70 / 30 their spec", split(70, 30, "their spec")),
            // Shares named by their payer, in any order.
            ("split 当社70 お客様30 金型の不良", split(70, 30, "金型の不良")),
            ("split お客様30% 当社70%", split(70, 30, "")),
            // In tenths (割), and one share alone when it is the whole.
            ("責任区分 当社７割 お客様３割 金型", split(70, 30, "金型")),
            ("責任区分 当社100% 金型の不良", split(100, 0, "金型の不良")),
            ("責任区分 当社10割", split(100, 0, "")),
            (
                "split 当社 60 先方 30 他社 10",
                Command::Split {
                    ours: 60,
                    customer: 30,
                    other: 10,
                    reason: String::new(),
                },
            ),
            ("split ours 70 customer 30 our mold", split(70, 30, "our mold")),
            ("split 70-30", split(70, 30, "")),
            ("split 70/30.", split(70, 30, "")),
            ("cost 3000 USD ours", cost("3000 USD", "ours", "")),
            (
                "cost 120,000 yen customer rework",
                cost("120,000 yen", "customer", "rework"),
            ),
            ("cost $500, ours, shipping", cost("$500", "ours", "shipping")),
            ("cost $500 us: shipping", cost("$500", "us", "shipping")),
            ("cost $3,000 we pay express", cost("$3,000", "we", "express")),
            (
                "cost $500 the customer their rework",
                cost("$500", "customer", "their rework"),
            ),
            ("cost $500 third party storage", cost("$500", "third", "storage")),
            ("cost $500 supplier", cost("$500", "supplier", "")),
            (
                "cost $500 ours — express shipping",
                cost("$500", "ours", "express shipping"),
            ),
            ("agreed 3, by email", Command::Agreed(3, "by email".into())),
            ("Agreed 3.", Command::Agreed(3, String::new())),
            ("scope checked 2", Command::Step(Step::ScopeCheck(2, String::new()))),
            ("action done #2.", Command::Step(Step::ActionDone(2, String::new()))),
            (
                "cause mold worn escape point: no gauge check",
                Command::Step(Step::Cause {
                    text: "mold worn".into(),
                    escape: Some("no gauge check".into()),
                }),
            ),
            (
                "fact part no. HX-302",
                Command::Step(Step::Facts(vec![(FactKey::Part, "HX-302".into())])),
            ),
            (
                "fact part number HX-303",
                Command::Step(Step::Facts(vec![(FactKey::Part, "HX-303".into())])),
            ),
            (
                "fact Lot #46",
                Command::Step(Step::Facts(vec![(FactKey::Lot, "46".into())])),
            ),
            (
                "fact qty 38.",
                Command::Step(Step::Facts(vec![(FactKey::Qty, "38".into())])),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text}");
        }
        assert_eq!(super::super::facts::lots_in("42 and 43"), ["42", "43"]);
        // As Japanese writes a list: `・`, and `と` between two lot numbers.
        assert_eq!(super::super::facts::lots_in("L45・L46"), ["L45", "L46"]);
        assert_eq!(super::super::facts::lots_in("L47とL48"), ["L47", "L48"]);
        assert_eq!(super::super::facts::lots_in("とL49"), ["とL49"]);
        for text in [
            "sev1 customer escalated",
            "sev 1 customer escalated",
            "重大度　１　customer escalated",
        ] {
            let reason = "customer escalated".to_string();
            assert_eq!(
                parse(text),
                Ok(Command::Severity {
                    to: Severity::new(1),
                    reason
                }),
                "{text}"
            );
        }
        // `重大度1`, the level glued on as `open` reads it, whatever the width and the reason.
        for (text, level, reason) in [
            ("重大度1 理由：ライン停止", 1, "理由：ライン停止"),
            ("重大度３", 3, ""),
            ("重大度3 理由：外観のみ", 3, "理由：外観のみ"),
            ("重大度２ ライン停止は回避", 2, "ライン停止は回避"),
        ] {
            let reason = reason.to_string();
            let to = Severity::new(level);
            assert_eq!(parse(text), Ok(Command::Severity { to, reason }), "{text}");
        }
        // An open forgotten is still answered as one, as after `重大度 1`.
        assert!(
            matches!(
                parse("重大度1 ベータ：蓋の割れ"),
                Err(UsageError::SevReadsAsOpen { .. })
            ),
            "an open"
        );
    }

    /// A mention as the bot writes it (`<@U1>さん`), with the request a rep says after it, or
    /// typed onto its command word: the person. Words after it that may say more (another
    /// person, a time) are not dropped unread.
    #[test]
    fn a_mention_with_an_honorific_or_glued_to_its_command_is_the_person() {
        let u = |id: &str| UserId::new(id);
        let add = |users: &[&str]| Command::Add {
            users: users.iter().map(|id| u(id)).collect(),
            departments: vec![],
        };
        for (text, want) in [
            ("担当 <@U1>さん", Command::Owner(u("U1"))),
            ("担当 <@U1|山田> さん", Command::Owner(u("U1"))),
            ("上司 <@U1>さん", Command::Manager(u("U1"))),
            ("上司 <@U1>様。", Command::Manager(u("U1"))),
            ("担当 <@U1> にお願いします", Command::Owner(u("U1"))),
            ("担当 <@U1>さんにお願いします。", Command::Owner(u("U1"))),
            ("上司 <@U1>さんに変更", Command::Manager(u("U1"))),
            ("担当 <@U1>！", Command::Owner(u("U1"))),
            ("担当 <@U1>さん！", Command::Owner(u("U1"))),
            ("担当<@U1>", Command::Owner(u("U1"))),
            ("担当<@U1>さん", Command::Owner(u("U1"))),
            ("上司<@U1|山田 太郎>", Command::Manager(u("U1"))),
            ("追加<@U1>", add(&["U1"])),
            ("追加 <@U1> さん", add(&["U1"])),
            ("追加 <@U1>さん、<@U2>様", add(&["U1", "U2"])),
            ("追加 <@U1>さんと<@U2>さん", add(&["U1", "U2"])),
            ("参加 <@U1> さん <@U2> くん", add(&["U1", "U2"])),
            ("外す <@U1>さん", Command::Remove { users: vec![u("U1")] }),
            ("担当 <@U1>ちゃん", Command::Owner(u("U1"))),
            ("担当 <@U1> ちゃん、", Command::Owner(u("U1"))),
            ("追加 <@U1>ちゃん、<@U2>くん、<@U3>君", add(&["U1", "U2", "U3"])),
            ("追加 <@U1>ちゃんと<@U2>ちゃん", add(&["U1", "U2"])),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
        // The particle alone after the honorific, or a closing request: the person taken.
        for (text, want) in [
            ("担当 <@U1>様へ", Command::Owner(u("U1"))),
            ("owner <@U1>さんに", Command::Owner(u("U1"))),
            ("上司 <@U1>さんで", Command::Manager(u("U1"))),
            ("担当 <@U1>さんを", Command::Owner(u("U1"))),
            ("担当 <@U1>ちゃんへ", Command::Owner(u("U1"))),
            ("担当 <@U1> 様へ", Command::Owner(u("U1"))),
            ("owner <@U1> thanks", Command::Owner(u("U1"))),
            (
                "外す <@U1>さん よろしくお願いします",
                Command::Remove { users: vec![u("U1")] },
            ),
            // `と` before a department joins it, the honorific before it the mention's.
            (
                "追加 <@U1>様と＋品質保証部",
                Command::Add {
                    users: vec![u("U1")],
                    departments: vec!["品質保証部".into()],
                },
            ),
            (
                "add <@U1>さん、<@U2>さんと+quality",
                Command::Add {
                    users: vec![u("U1"), u("U2")],
                    departments: vec!["quality".into()],
                },
            ),
        ] {
            assert_eq!(read(text), Ok((want, None)), "{text}");
        }
        // Other words after the person, whatever parts them from the mention: `add` takes the
        // people and says the words back as not read.
        let unread = |sub: &'static str, words: &str| Unread {
            sub,
            words: words.to_string(),
            at_names: vec![],
        };
        for (text, want, words) in [
            ("追加 <@U1> さんぷる", add(&["U1"]), "さんぷる"),
            ("追加 <@U1>さん 至急 <@U2>", add(&["U1", "U2"]), "至急"),
            ("add <@U1> asap", add(&["U1"]), "asap"),
            ("追加 <@U1>さん以外", add(&["U1"]), "以外"),
            // `ちゃん` only where it ends a word: `ちゃんと` ("properly") opens a phrase.
            ("追加 <@U1>ちゃんと確認", add(&["U1"]), "ちゃんと確認"),
        ] {
            assert_eq!(read(text), Ok((want, Some(unread("add", words)))), "{text}");
        }
        // `owner`, `manager` and `remove` refuse them, changing nothing: the words may qualify
        // or undo the request (`from monday`, `以外`), and a hand-over lasts.
        for (text, sub, words) in [
            ("担当 <@U1> 明日から", "owner", "明日から"),
            ("担当 <@U2> 来週から", "owner", "来週から"),
            ("owner <@U2> from monday", "owner", "from monday"),
            ("担当 <@U2>さん以外", "owner", "以外"),
            ("上司 <@U1>さん 至急", "manager", "至急"),
            ("上司 <@U1>さん至急", "manager", "至急"),
            ("manager <@U1>さん 至急", "manager", "至急"),
            ("上司<@U1>さん、至急です", "manager", "至急です"),
            ("担当：<@U1>さん、全数選別", "owner", "全数選別"),
            ("担当 <@U1>さん　全数選別", "owner", "全数選別"),
            ("manager <@U1> asap", "manager", "asap"),
            ("owner <@U1|Ann Lee>: from tomorrow.", "owner", "from tomorrow"),
            ("担当 <@U1> さんぷる", "owner", "さんぷる"),
            ("担当 <@U1>君津工場で", "owner", "君津工場で"),
            ("外す <@U1>さん以外", "remove", "以外"),
            ("外す <@U1>さん 間違い", "remove", "間違い"),
        ] {
            assert_eq!(read(text), Err(UsageError::WordsNotRead(unread(sub, words))), "{text}");
        }
        // The id of a trouble after the people: handed back for the shell to weigh, as the
        // words not read, never as the person's.
        let named = named_trouble("manager <@U1> 20261130-1").expect("names a trouble");
        assert!(named.after_the_people && named.reads_without, "{named:?}");
        assert_eq!(named.without_id, "manager <@U1>");
        let named = named_trouble("add <@U1> 20261130-1").expect("names a trouble");
        assert!(named.after_the_people, "{named:?}");
        assert!(
            !named_trouble("update 20261130-1 told them")
                .expect("names a trouble")
                .after_the_people
        );
        // A second person for a part one person takes: which was meant is not the bot's guess.
        for (text, sub) in [
            ("担当 <@U1> <@U2>", "owner"),
            ("上司 <@U1>さんと<@U2>さん", "manager"),
            ("manager <@U1> or <@U2>", "manager"),
        ] {
            assert_eq!(parse(text), Err(UsageError::TakesOnePerson(sub)), "{text}");
        }
        // With a particle the honorific opens a phrase of the action's text, kept as typed.
        assert!(
            matches!(
                parse("対策 暫定 担当：<@U1> さんに確認してもらう"),
                Ok(Command::Step(super::super::facts::Step::Action(ref a)))
                    if a.text == "さんに確認してもらう" && a.owner == Some(u("U1"))
            ),
            "{:?}",
            parse("対策 暫定 担当：<@U1> さんに確認してもらう")
        );
        // Not a command before the mention: no command.
        assert!(matches!(parse("アクメ<@U1>"), Err(UsageError::UnknownSubcommand(_))));
        // An action's owner, the honorific glued on or a word of its own.
        for text in [
            "対策 暫定 全数選別 担当：<@U1>さん",
            "対策 暫定 全数選別 担当：<@U1> さん",
            "対策 暫定 全数選別 担当 <@U1> さん",
            "対策 暫定 担当：<@U1> さん、全数選別",
            "対策 暫定 担当 <@U1> さん、 全数選別",
            "対策 暫定 担当：<@U1>さん、全数選別",
            "対策 暫定 担当：<@U1>さん：全数選別",
            "対策 暫定 担当：<@U1>さん　全数選別",
            "対策 暫定 担当 <@U1>さん。全数選別",
            "対策 暫定 担当：<@U1>全数選別",
            "対策 暫定 全数選別 (担当：<@U1>さん)",
            // The honorific with a particle standing alone is the mention's, as the honorific is.
            "対策 恒久 担当 <@U1>様へ 全数選別",
            "対策 暫定 担当：<@U1>さんへ 全数選別",
            "対策 暫定 担当 <@U1> さんに、全数選別",
            "対策 暫定 担当 <@U1>ちゃんで 全数選別",
            "対策 暫定 全数選別 担当 <@U1>さんに",
            "対策 暫定 担当 <@U1>さんで! 全数選別",
            "対策 暫定 担当 <@U1>さんで！全数選別",
        ] {
            assert!(
                matches!(
                    parse(text),
                    Ok(Command::Step(super::super::facts::Step::Action(ref a)))
                        if a.text == "全数選別" && a.owner == Some(u("U1"))
                ),
                "{text}: {:?}",
                parse(text)
            );
        }
        // A glued honorific that opens a word of the text is the text's.
        for (text, want) in [
            ("対策 暫定 全数選別 担当：<@U1>様子見", "全数選別 様子見"),
            ("対策 暫定 担当 <@U1>君津工場で全数選別", "君津工場で全数選別"),
            ("対策 暫定 担当 <@U1>さんぷる検査", "さんぷる検査"),
            ("対策 暫定 担当 <@U1>様アクメ向け選別", "アクメ向け選別"),
            ("対策 暫定 担当 <@U1>ちゃんぽん検査", "ちゃんぽん検査"),
            ("対策 暫定 担当 <@U1>さんに確認してもらう", "さんに確認してもらう"),
        ] {
            assert!(
                matches!(
                    parse(text),
                    Ok(Command::Step(super::super::facts::Step::Action(ref a)))
                        if a.text == want && a.owner == Some(u("U1"))
                ),
                "{text}: {:?}",
                parse(text)
            );
        }
    }

    /// A reason's label before a colon names no customer: a text opening with one is never
    /// offered as an open, which would start a new trouble and page a manager.
    #[test]
    fn a_reason_label_is_never_offered_as_a_customer() {
        for text in [
            "理由：ライン停止",
            "理由: ライン停止",
            "Reason: line stopped",
            "経緯：金型摩耗",
            "詳細: 金型摩耗",
        ] {
            let got = parse(text);
            assert!(
                !matches!(got, Err(UsageError::Misspelt { meant: "open", .. })),
                "{text}: {got:?}"
            );
        }
        assert!(matches!(
            parse("ACME: lid cracked"),
            Err(UsageError::Misspelt { meant: "open", .. })
        ));
    }

    #[test]
    fn open_accepts_full_width_colon_and_plain_mentions() {
        let named = open("open <@U0BOSS|Taro Yamada> ACME: cracked housings");
        assert_eq!(named.manager, Some(UserId::new("U0BOSS")));
        assert_eq!(
            (named.customer.as_str(), named.summary.as_str()),
            ("ACME", "cracked housings")
        );
        let r = open("open <@U0BOSS> 山田工業：ハウジング不良");
        assert_eq!(r.customer, "山田工業");
        assert_eq!(r.summary, "ハウジング不良");
        assert_eq!(r.manager, Some(UserId::new("U0BOSS")));
        // The honorific after the manager is theirs, whatever follows it: glued to the name,
        // parted by Japanese punctuation or a full-width space.
        for text in [
            "open <@U0BOSS>さんアクメ：不良",
            "open <@U0BOSS>様アクメ：不良",
            "open 上司 <@U0BOSS>さんアクメ：不良",
            "open <@U0BOSS>さん、アクメ：不良",
            "open <@U0BOSS>さん　アクメ：不良",
            "open <@U0BOSS> さん アクメ：不良",
            "起票 sev1 <@U0BOSS>殿アクメ：不良",
        ] {
            let r = open(text);
            assert_eq!(
                (r.manager, r.customer.as_str(), r.summary.as_str()),
                (Some(UserId::new("U0BOSS")), "アクメ", "不良"),
                "{text}"
            );
        }
        // Glued on, an honorific is the mention's only where it ends a word: kana where no
        // hiragana follows, kanji where no other kanji does. `君津`, `様式` are names.
        for (text, customer) in [
            ("open <@U0BOSS>君津製作所：不良", "君津製作所"),
            ("open <@U0BOSS>様式工業：不良", "様式工業"),
            ("open <@U0BOSS>殿山工業：不良", "殿山工業"),
            ("open <@U0BOSS>君、君津製作所：不良", "君津製作所"),
            ("open <@U0BOSS>様ACME：不良", "ACME"),
            ("open <@U0BOSS>さん123工業：不良", "123工業"),
        ] {
            let r = open(text);
            assert_eq!(
                (r.manager, r.customer.as_str(), r.summary.as_str()),
                (Some(UserId::new("U0BOSS")), customer, "不良"),
                "{text}"
            );
        }
    }

    #[test]
    fn usage_errors_are_precise() {
        let cases: &[(&str, UsageError)] = &[
            ("open ACME defective", UsageError::OpenNeedsCustomerAndSummary),
            ("open : only summary", UsageError::OpenNeedsCustomerAndSummary),
            ("open ACME:   ", UsageError::OpenNeedsCustomerAndSummary),
            ("frobnicate", UsageError::UnknownSubcommand("frobnicate".into())),
            ("fix cost 1 ours ¥120,000", UsageError::BadFixCost(1)),
            (
                "undone 3",
                UsageError::Misspelt {
                    typed: "undone".into(),
                    meant: "start",
                    rest: "3".into(),
                },
            ),
            (
                "done1 checked",
                UsageError::Misspelt {
                    typed: "done1".into(),
                    meant: "done",
                    rest: "1 checked".into(),
                },
            ),
            (
                "opne ACME: lid cracked",
                UsageError::Misspelt {
                    typed: "opne".into(),
                    meant: "open",
                    rest: "ACME: lid cracked".into(),
                },
            ),
            ("done 9", UsageError::BadStage("done")),
            ("split 50/40", UsageError::SplitNotHundred(90)),
            ("split 当社70 お客様20", UsageError::SplitNotHundred(90)),
            ("split 当社 先方", UsageError::BadSplit),
            ("split abc", UsageError::BadSplit),
            ("cost ours", UsageError::BadCost),
            ("cost 1,500,000 ours", UsageError::BadAmount("1,500,000".into())),
            ("cost 3k ours", UsageError::BadAmount("3k".into())),
            ("cost ¥1,50,000 ours", UsageError::BadAmount("¥1,50,000".into())),
            ("費用 １２００ 当社", UsageError::BadAmount("１２００".into())),
            ("owner bob", UsageError::NeedsUser("owner")),
            ("note", UsageError::NeedsText("note")),
            ("update next: 15:00", UsageError::NeedsText("update")),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).as_ref(), Err(expected), "{text}");
        }
    }

    #[test]
    fn every_word_a_slip_is_measured_against_is_a_command() {
        for word in COMMAND_WORDS {
            assert!(
                !matches!(
                    parse(word),
                    Err(UsageError::UnknownSubcommand(_) | UsageError::Misspelt { .. })
                ),
                "{word}"
            );
        }
    }

    #[test]
    fn a_slip_of_one_or_two_letters_is_answered_with_the_command_meant() {
        for (typed, meant) in [
            ("opne", Some("open")),
            ("stauts", Some("status")),
            ("histroy", Some("history")),
            ("clsoe", Some("close")),
            ("updte", Some("update")),
            ("akc", Some("ack")),
            ("remvoe", Some("remove")),
            ("frobnicate", None),
            // `stats` and `start` are as close: no guess.
            ("stat", None),
            ("起", None),
        ] {
            assert_eq!(closest_command(typed), meant, "{typed}");
        }
        // An input method's wrong kanji, answered with the word meant and what was typed after it.
        assert_eq!(
            parse("起表 ACME：テスト"),
            Err(UsageError::Misspelt {
                typed: "起表".into(),
                meant: "起票",
                rest: "ACME：テスト".into()
            })
        );
        assert!(matches!(parse("進捗"), Ok(Command::Status)));
        assert!(matches!(parse("次 原因を調査"), Ok(Command::Next(_))));
        // `開始` reads "start": a trouble described after it is answered with how to open one.
        assert_eq!(
            parse("開始 ACME様: ロット42のハウジング不良"),
            Err(UsageError::StartIsNotOpen)
        );
        assert_eq!(parse("開始 ACME"), Err(UsageError::BadStage("start")));
        assert_eq!(
            parse("起票 ACME: lid cracked").map(|c| matches!(c, Command::Open(_))),
            Ok(true)
        );
    }

    /// A Japanese compound of a command and its next word (`暫定対策`, `対策完了`, `範囲確認`) is
    /// answered with the command meant, its words parted, ready to send; `再発防止策`, the
    /// stage's own word, is `prevent`. Nothing else glued to `対策` or `範囲` is guessed.
    #[test]
    fn a_japanese_compound_of_a_command_and_its_next_word_is_answered_with_the_command_meant() {
        let meant = |text: &str| match parse(text) {
            Err(UsageError::Misspelt { meant, rest, .. }) => Some(format!("{meant} {rest}")),
            _ => None,
        };
        for (typed, command) in [
            ("暫定対策 全数選別 担当：<@U1>", "対策 暫定 全数選別 担当：<@U1>"),
            ("恒久対策 金型の修正", "対策 恒久 金型の修正"),
            ("恒久策 金型の修正", "対策 恒久 金型の修正"),
            ("再発防止対策 検査基準の改訂", "対策 再発防止 検査基準の改訂"),
            ("暫定対策全数選別", "対策 暫定 全数選別"),
            ("対策完了 1", "対策 完了 1"),
            ("対策完了１ 済", "対策 完了 1 済"),
            ("対策確認 1 現場で確認", "対策 確認 1 現場で確認"),
            ("対策取消 2 重複", "対策 取消 2 重複"),
            ("範囲確認 2", "範囲 確認 2"),
            ("範囲確認済み 2", "範囲 確認済み 2"),
            ("強制 クローズ 重複起票", "クローズ 強制 重複起票"),
        ] {
            assert_eq!(meant(typed).as_deref(), Some(command), "{typed}");
            assert!(parse(command).is_ok(), "{command}");
        }
        use crate::trouble::facts::Step;
        // What the suggestion does when sent, not only that it parses: a kind said before what
        // is done to an action is that done to it, never a new action named "完了 1".
        for (typed, command, step) in [
            ("暫定対策 完了 1", "対策 完了 1", Step::ActionDone(1, String::new())),
            ("暫定対策完了1", "対策 完了 1", Step::ActionDone(1, String::new())),
            ("再発防止策完了1", "対策 完了 1", Step::ActionDone(1, String::new())),
            (
                "恒久策 取消 2 重複",
                "対策 取消 2 重複",
                Step::ActionCancel(2, "重複".into()),
            ),
            ("恒久対策 確認 3", "対策 確認 3", Step::ActionVerify(3, String::new())),
            ("対策完了 1", "対策 完了 1", Step::ActionDone(1, String::new())),
            (
                "対策取消 2 重複",
                "対策 取消 2 重複",
                Step::ActionCancel(2, "重複".into()),
            ),
            ("範囲確認 2", "範囲 確認 2", Step::ScopeCheck(2, String::new())),
        ] {
            assert_eq!(meant(typed).as_deref(), Some(command), "{typed}");
            assert_eq!(parse(command), Ok(Command::Step(step)), "{command}");
        }

        for typed in ["対策追加 暫定 全数選別", "範囲ロット42", "強制 完了 1", "暫定 全数選別"]
        {
            assert_eq!(meant(typed), None, "{typed}");
        }
        assert_eq!(parse("再発防止策 検査基準の改訂"), parse("prevent 検査基準の改訂"),);
        assert!(matches!(parse("再発防止策 検査基準の改訂"), Ok(Command::Prevent(_))));
    }

    #[test]
    fn status_and_ack_may_name_their_trouble_by_id() {
        for (text, id) in [
            ("status 20261130-1", Some("20261130-1")),
            ("ack #20261130-12", Some("20261130-12")),
            ("ＡＣＫ　２０２６１１３０－３", Some("20261130-3")),
            ("確認 20261130-1", Some("20261130-1")),
            ("status please", None),
            ("status 2026-1", None),
            ("note 20261130-1", None),
            ("ack", None),
        ] {
            assert_eq!(addressed_trouble(text), id.map(TroubleId::new), "{text}");
        }
    }

    /// An id typed with a Japanese keyboard's dash is the id, wherever an id is read: a forced
    /// close, a lowered severity or an update typed in another trouble's channel names that
    /// trouble, as with `-`, rather than landing here with the id read as its text.
    #[test]
    fn an_id_typed_with_a_japanese_keyboards_dash_is_the_id() {
        for dash in ['ー', 'ｰ', '―', '−', '‐', '‑', '–', '—', '－'] {
            let id = format!("２０２６１１３０{dash}２");
            assert_eq!(
                addressed_trouble(&format!("確認 {id}")),
                Some(TroubleId::new("20261130-2")),
                "{id}"
            );
            assert_eq!(
                trouble_ids_in(&format!("ACME {id}")),
                vec![TroubleId::new("20261130-2")],
                "{id}"
            );
            for text in [
                format!("close force {id} 重複"),
                format!("sev 3 {id}"),
                format!("update {id} 先方に説明済み"),
            ] {
                let named = named_trouble(&text).unwrap_or_else(|| panic!("{text}"));
                assert!(
                    named.names_a_trouble && named.id.as_str() == "20261130-2",
                    "{text}: {named:?}"
                );
            }
            assert_eq!(
                parse(&format!("sev 3 {id}")),
                Err(UsageError::SevReasonIsAnId("3".into())),
                "{id}"
            );
            assert_eq!(
                trouble_named_first(&format!("{id} 確認"), |_| None).as_deref(),
                Some("確認 20261130-2")
            );
        }
        // Only the id's shape: a long vowel elsewhere is a word's.
        for text in [
            "status 20261130ーー2",
            "status 2026ー1",
            "status ー",
            "status 20261130ー",
        ] {
            assert_eq!(addressed_trouble(text), None, "{text}");
        }
        // An id's 8 digits are a real day; typed with a Japanese dash, its number is a day's
        // count (4 digits at most), so a part number or a range of days is text.
        for word in [
            "12345678ー01",
            "20261131ー2",
            "20260229-1",
            "20261301-1",
            "00000000-1",
            "12345678-01",
            "20261201ー20261205",
            "20261130ー12345",
        ] {
            assert_eq!(trouble_id(word), None, "{word}");
            assert_eq!(trouble_ids_in(&format!("出荷停止 {word}")), vec![], "{word}");
            let text = format!("範囲 {word} 出荷分 1200個");
            assert!(named_trouble(&text).filter(|n| n.names_a_trouble).is_none(), "{text}");
        }
        for (word, id) in [
            ("20280229ー1", "20280229-1"),
            ("20261130ー1234", "20261130-1234"),
            // As the ASCII dash always read it.
            ("20261130-12345", "20261130-12345"),
            ("20261201-20261205", "20261201-20261205"),
        ] {
            assert_eq!(trouble_id(word), Some(TroubleId::new(id)), "{word}");
        }
    }

    /// An id opening the command's text names its trouble as surely as one right after the
    /// command word; inside the text, it is the text's.
    #[test]
    fn an_id_opening_the_commands_text_names_its_trouble() {
        for text in [
            "close force 20261130-2 duplicate",
            "クローズ 強制 20261130-2 お客様が注文を取消",
            "sev 3 20261130-2 cosmetic only",
            "done 1 20261130-2 facts gathered by QA",
            "withdraw update 20261130-2 logged on the wrong trouble",
            "action done 1 20261130-2 sorted",
        ] {
            let named = named_trouble(text).unwrap_or_else(|| panic!("{text}"));
            assert!(
                named.names_a_trouble && named.id.as_str() == "20261130-2",
                "{text}: {named:?}"
            );
        }
        for text in [
            "close force duplicate of 20261130-2",
            "note same lot as 20261130-2 and L43",
        ] {
            assert!(named_trouble(text).is_some_and(|n| !n.names_a_trouble), "{text}");
        }
        let known = |_: &crate::trouble::model::ChannelId| Some(TroubleId::new("20261130-2"));
        for text in [
            "close force <#C0000002> duplicate",
            "sev 3 #trouble-20261130-2-acme cosmetic",
        ] {
            let named = named_by_channel(text, known).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(named.id.as_str(), "20261130-2", "{text}");
        }
        assert!(named_by_channel("note see <#C0000002> too", known).is_none());
    }

    #[test]
    fn a_command_of_a_trouble_channel_typed_with_an_id_names_that_trouble() {
        let named = |text: &str| {
            named_trouble(text).map(|n| (n.id.as_str().to_string(), n.reads_whole, n.without_id, n.report))
        };
        let some = |id: &str, whole: bool, without: &str, report: bool| {
            Some((id.to_string(), whole, without.to_string(), report))
        };
        assert_eq!(
            named("manager <@U0DIRECTOR> 20261130-1"),
            some("20261130-1", false, "manager <@U0DIRECTOR>", false)
        );
        assert_eq!(
            named("sev 3 ２０２６１１３０－１"),
            some("20261130-1", false, "sev 3", false)
        );
        assert_eq!(named("report #20261130-1."), some("20261130-1", false, "report", true));
        assert_eq!(
            named("report 8d 20261130-1"),
            some("20261130-1", false, "report 8d", false)
        );
        assert_eq!(
            named("note 20261130-2 called them"),
            some("20261130-2", true, "note called them", false)
        );
        // The id taken out, `done` still lacks its stage: the command word alone, and what it lacks.
        let done = named_trouble("done 20261130-1").expect("named");
        assert_eq!((done.id.as_str(), done.without_id.as_str()), ("20261130-1", "done"));
        assert!(done.lacks.is_some());
        assert!(named_trouble("sev 3 20261130-1").expect("named").lacks.is_none());
        assert_eq!(named("next 20261130-1"), some("20261130-1", true, "next", false));
        for text in [
            "status 20261130-1",
            "ack 20261130-1",
            "status please 20261130-1",
            "history ACME 20261130-1",
            "search 20261130-1",
            "open ACME: again, see 20261130-1",
            "sev 3",
            "note 2026-1",
            "opne 20261130-1",
            "frobnicate 20261130-1",
        ] {
            assert_eq!(named(text), None, "{text}");
        }
    }

    /// What a Japanese input method types, read as meant (each of these once stored something else).
    #[test]
    fn japanese_input_method_forms_read_as_meant() {
        use super::super::actions::ActionKind;
        use super::super::facts::{FactKey, Step};
        for text in [
            "open sev１ ＋quality ACME：lid",
            "open ｓｅｖ　１ +quality ACME: lid",
            "open sev 1 +quality ACME: lid",
        ] {
            let Ok(Command::Open(r)) = parse(text) else {
                panic!("{text}")
            };
            assert_eq!(r.severity, Some(Severity::new(1)), "{text}");
            assert_eq!(r.departments, ["quality"], "{text}");
            assert_eq!(r.customer, "ACME", "{text}");
        }
        assert_eq!(
            parse("開始 3 原因調査").unwrap(),
            Command::Start(StageId::Cause, "原因調査".into())
        );
        assert_eq!(parse("着手 ３").unwrap(), Command::Start(StageId::Cause, String::new()));
        assert_eq!(parse("完了 ２").unwrap(), Command::Done(StageId::Scope, String::new()));
        assert_eq!(
            parse("update 謝罪済み 次回連絡：15:00").unwrap(),
            Command::Update {
                text: "謝罪済み".into(),
                next: Some("15:00".into())
            }
        );
        assert_eq!(
            parse("クローズ 強制 取り下げ").unwrap(),
            Command::CloseForce("取り下げ".into())
        );
        assert_eq!(
            parse("close ｆｏｒｃｅ 取り下げ").unwrap(),
            Command::CloseForce("取り下げ".into())
        );
        assert_eq!(parse("report ８Ｄ").unwrap(), Command::Report8d { shared: false });
        // Every word the Japanese help teaches is a command.
        for text in [
            "起票 ACME：蓋割れ",
            "確認",
            "完了 3",
            "報告 お詫び 次回 明日10時",
            "メモ 電話中",
            "事実 品番 HX-1",
            "原因 金型",
            "対策 暫定 選別",
            "費用 1万円 当社",
            "責任区分 70/30",
            "担当 <@U0B>",
            "上司 <@U0B>",
            "重大度 1",
            "クローズ",
            "報告書",
            "一覧",
            "自分",
            "履歴 ACME",
            "検索 L42",
        ] {
            assert!(parse(text).is_ok(), "{text}: {:?}", parse(text));
        }
        // Words a Japanese team reaches for first.
        assert!(matches!(parse("新規 ACME：蓋割れ"), Ok(Command::Open(_))));
        assert!(matches!(parse("参加 <@U0QA1>"), Ok(Command::Add { .. })));
        // A colon glued between the word and its argument, as an input method types it.
        assert_eq!(parse("担当：<@U0QA1>"), Ok(Command::Owner(UserId::new("U0QA1"))));
        // "My troubles", as a Japanese team says it; `担当` stays `owner`.
        for mine in ["mine", "Mine.", "ｍｉｎｅ", "自分", "自分の", "自分のトラブル"] {
            assert_eq!(parse(mine), Ok(Command::Mine), "{mine}");
        }
        assert_eq!(parse("完了 二"), Ok(Command::Done(StageId::Scope, String::new())));
        assert_eq!(
            parse("返品 依頼 ３００個"),
            Ok(Command::Step(super::super::facts::Step::Return {
                state: super::super::facts::ReturnState::Requested,
                qty: Some("300".into()),
                tracking: None,
            }))
        );
        for (typed, (ours, customer)) in [
            ("責任区分 当社６：お客様４ 金型", (60, 40)),
            ("責任区分 折半 金型", (50, 50)),
        ] {
            assert_eq!(
                parse(typed),
                Ok(Command::Split {
                    ours,
                    customer,
                    other: 0,
                    reason: "金型".into()
                }),
                "{typed}"
            );
        }
        assert_eq!(
            parse("費用 ３０，０００円 折半 運賃"),
            Err(UsageError::CostHalved {
                half: Some("¥15,000".into()),
                note: "運賃".into()
            })
        );
        assert_eq!(
            parse("開始 第三段階"),
            Ok(Command::Start(StageId::Cause, String::new()))
        );
        assert_eq!(
            parse("note:called the buyer"),
            Ok(Command::Note("called the buyer".into()))
        );
        // No command glued on: a trouble described, answered with the open to send.
        assert!(matches!(
            parse("ACME:lid cracked"),
            Err(UsageError::Misspelt { meant: "open", .. })
        ));
        assert!(matches!(
            parse("再発防止 作業手順書の改訂 担当：<@U0QA2>"),
            Ok(Command::Prevent(a)) if a.text == "作業手順書の改訂" && a.owner == Some(UserId::new("U0QA2"))
        ));
        for text in ["remove <@U0QA1>", "外す <@U0QA1>", "除外 <@U0QA1>"] {
            assert_eq!(
                parse(text),
                Ok(Command::Remove {
                    users: vec![UserId::new("U0QA1")]
                }),
                "{text}"
            );
        }
        assert_eq!(parse("remove"), Err(UsageError::NeedsUser("remove")));
        assert_eq!(parse("remove bob"), Err(UsageError::NeedsUser("remove")));
        assert_eq!(
            parse("remove <@U0QA1> +quality"),
            Err(UsageError::DepartmentStays("quality".into()))
        );
        assert!(matches!(parse("現品回収 依頼"), Ok(Command::Step(_))));
        assert!(matches!(parse("費用 1万円 運送会社 再配送"), Ok(Command::Cost { .. })));
        assert_eq!(
            parse("費用 120万円（税込） 当社 交換品"),
            Ok(Command::Cost {
                amount: "120万円".into(),
                payer: "当社".into(),
                note: "（税込） 交換品".into()
            })
        );
        // `報告` is also "report": with `8d` it asks for the 8D, never logs "8d" as an update.
        for eightd in ["報告 8d", "報告 ８Ｄ", "8D報告", "８Ｄ報告書"] {
            assert_eq!(parse(eightd).unwrap(), Command::Report8d { shared: false }, "{eightd}");
        }
        assert_eq!(
            parse("報告 8d の件でお詫び").unwrap(),
            Command::Update {
                text: "8d の件でお詫び".into(),
                next: None
            }
        );
        assert_eq!(
            parse("強制クローズ 顧客が取り下げ").unwrap(),
            Command::CloseForce("顧客が取り下げ".into())
        );
        for text in ["split 7:3 金型", "split ７対３ 金型", "split 70:30 金型"] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Split {
                    ours: 70,
                    customer: 30,
                    other: 0,
                    reason: "金型".into()
                },
                "{text}"
            );
        }
        use super::super::facts::ReturnState;
        for (text, state, qty, tracking) in [
            (
                "return 受取 数量：１２ 伝票番号 AB-123",
                ReturnState::Received,
                Some("12"),
                Some("AB-123"),
            ),
            ("返品 回収依頼済み 数量12", ReturnState::Requested, Some("12"), None),
            (
                "return shipped tracking YM-123",
                ReturnState::Shipped,
                None,
                Some("YM-123"),
            ),
        ] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Step(Step::Return {
                    state,
                    qty: qty.map(Into::into),
                    tracking: tracking.map(Into::into)
                }),
                "{text}"
            );
        }
        assert_eq!(parse("統計 ３０ 日").unwrap(), Command::Stats(Some(30)));
        assert_eq!(
            parse("合意 1番 電話で了承").unwrap(),
            Command::Agreed(1, "電話で了承".into())
        );
        assert_eq!(parse("担当 <@U0QA1>").unwrap(), Command::Owner(UserId::new("U0QA1")));
        assert_eq!(
            parse("重大度 1").unwrap(),
            Command::Severity {
                to: Severity::new(1),
                reason: String::new()
            }
        );
        assert!(matches!(parse("費用 12万円 当社 送料"), Ok(Command::Cost { .. })));
        // Kanji numerals read as the money reader reads them, at the command as in the table.
        for (text, amount) in [
            ("費用 十二万円 当社 梱包材", "十二万円"),
            ("cost 十二万円 ours", "十二万円"),
            ("fix cost 1 三万円 当社", "三万円"),
        ] {
            let read = parse(text).unwrap();
            assert!(
                format!("{read:?}").contains(&format!("amount: {amount:?}")),
                "{text}: {read:?}"
            );
        }
        assert_eq!(parse("費用 当社 梱包材"), Err(UsageError::BadCost));
        assert_eq!(
            parse("訂正 事実 品番 HX-300").unwrap(),
            Command::Step(Step::FixFact(FactKey::Part, "HX-300".into()))
        );
        let customer = |name: &str| {
            Command::Step(Step::FixCustomer {
                name: name.into(),
                past: Vec::new(),
            })
        };
        for text in [
            "fix customer ACME",
            "fix customer: ACME",
            "訂正 お客様 ACME",
            "訂正 お客様：ACME",
            "訂正 顧客 ACME",
        ] {
            assert_eq!(parse(text).unwrap(), customer("ACME"), "{text}");
        }
        for text in [
            "fix summary lid cracked",
            "訂正 概要 lid cracked",
            "訂正 件名：lid cracked",
        ] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Step(Step::FixSummary("lid cracked".into())),
                "{text}"
            );
        }
        assert_eq!(parse("fix customer"), Err(UsageError::NeedsText("fix customer")));
        assert_eq!(parse("fix summary "), Err(UsageError::NeedsText("fix summary")));
        assert_eq!(
            parse("fix summary lid cracked, sev1, +quality"),
            Err(UsageError::FixSummaryHoldsOptions {
                severity: Some(Severity::new(1)),
                departments: vec!["quality".into()]
            })
        );
        // Words that only look so stay the summary's.
        assert_eq!(
            parse("fix summary sev1 customer asked for 8D").unwrap(),
            Command::Step(Step::FixSummary("sev1 customer asked for 8D".into()))
        );
        for text in [
            "fix customer <@U0BOB>",
            "fix customer ACME <!here>",
            "fix customer <!channel>",
            "fix customer :",
            "fix customer 様",
            "訂正 お客様 <!channel>",
        ] {
            assert_eq!(
                parse(text),
                Err(UsageError::CustomerNotAName { at_open: false }),
                "{text}"
            );
        }
        for text in [
            "open <!channel>: x",
            "open ACME <!here>: x",
            "open 様: x",
            "open ・: x",
            "open sev1 御中: x",
        ] {
            assert_eq!(
                parse(text),
                Err(UsageError::CustomerNotAName { at_open: true }),
                "{text}"
            );
        }
        // Percentages that add up to 10 are a mistake, not tenths.
        assert_eq!(parse("split 7%/3%"), Err(UsageError::SplitNotHundred(10)));
        for text in ["fact 品番：HX-300", "fact 品番: HX-300", "fact 型番 HX-300"] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Step(Step::Facts(vec![(FactKey::Part, "HX-300".into())])),
                "{text}"
            );
        }
        for (text, key, value) in [
            ("fact lot Ｌ４２", FactKey::Lot, "L42"),
            ("fact part ＨＸ－２００", FactKey::Part, "HX-200"),
            ("fact 数量 １２０個", FactKey::Qty, "120個"),
            // Only a code's characters fold: a full-width bracket never becomes a Slack token.
            ("fact part ＜!channel＞", FactKey::Part, "＜!channel＞"),
            ("fact symptom ＨＸ割れ", FactKey::Symptom, "ＨＸ割れ"),
        ] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Step(Step::Facts(vec![(key, value.into())])),
                "{text}"
            );
        }
        for (text, kind) in [
            ("action 暫定対策 選別", ActionKind::Interim),
            ("対策 恒久対策 金型交換", ActionKind::Permanent),
        ] {
            let Ok(Command::Step(Step::Action(a))) = parse(text) else {
                panic!("{text}")
            };
            assert_eq!(a.kind, kind, "{text}");
        }
        assert_eq!(
            parse("cause 発生原因：金型温度 流出原因：目視のみ").unwrap(),
            Command::Step(Step::Cause {
                text: "金型温度".into(),
                escape: Some("目視のみ".into())
            })
        );
        for text in ["scope ｃｈｅｃｋ 1", "scope 確認済み 1"] {
            assert_eq!(
                parse(text).unwrap(),
                Command::Step(Step::ScopeCheck(1, String::new())),
                "{text}"
            );
        }
        use super::super::money::{parse_payer, Payer};
        assert_eq!(parse_payer("当社負担"), Some(Payer::Ours));
        assert_eq!(parse_payer("お客様負担"), Some(Payer::Customer));
        assert_eq!(parse_payer("先方"), Some(Payer::Customer));
    }

    #[test]
    fn record_commands() {
        assert_eq!(parse("open").unwrap(), Command::OpenModal);
        assert_eq!(parse("").unwrap(), Command::Help);
        assert_eq!(
            parse("done 3 cause found").unwrap(),
            Command::Done(StageId::Cause, "cause found".into())
        );
        assert_eq!(
            parse("update Called Mr. Sato next: tomorrow 10:00").unwrap(),
            Command::Update {
                text: "Called Mr. Sato".into(),
                next: Some("tomorrow 10:00".into())
            }
        );
        assert_eq!(
            parse("split 70/30 our lot").unwrap(),
            Command::Split {
                ours: 70,
                customer: 30,
                other: 0,
                reason: "our lot".into()
            }
        );
        assert_eq!(
            parse("cost ¥120,000 ours replacement shipping").unwrap(),
            Command::Cost {
                amount: "¥120,000".into(),
                payer: "ours".into(),
                note: "replacement shipping".into()
            }
        );
        assert_eq!(
            parse("cost JPY 120000 customer").unwrap(),
            Command::Cost {
                amount: "JPY 120000".into(),
                payer: "customer".into(),
                note: String::new()
            }
        );
        assert_eq!(
            parse("close force customer withdrew").unwrap(),
            Command::CloseForce("customer withdrew".into())
        );
        assert_eq!(
            parse("sev 1").unwrap(),
            Command::Severity {
                to: Severity::new(1),
                reason: String::new()
            }
        );
        assert_eq!(
            parse("add <@U0QA1|qa one> <@W0FS1> +field").unwrap(),
            Command::Add {
                users: vec![UserId::new("U0QA1"), UserId::new("W0FS1")],
                departments: vec!["field".into()]
            }
        );
    }

    #[test]
    fn add_needs_people_or_departments_and_nothing_else() {
        for text in ["add", "add bob", "add with +", "add +"] {
            assert_eq!(parse(text), Err(UsageError::NeedsUser("add")), "{text}");
        }
        // A word among the people is said back, the people added.
        assert_eq!(
            read("add <@U0QA1> with +field").map(|(_, unread)| unread.map(|u| u.words)),
            Ok(Some("with".to_string()))
        ); // `@bob` typed among mentions: the people added, `@bob` said back, never dropped.
        let users = |ids: &[&str]| ids.iter().map(|id| UserId::new(*id)).collect::<Vec<_>>();
        for (text, want, words, at) in [
            ("add <@U1> @bob <@U2>", users(&["U1", "U2"]), "", "@bob"),
            ("追加 <@U1>さん、@山田 至急", users(&["U1"]), "至急", "@山田"),
        ] {
            let (command, unread) = read(text).expect(text);
            assert_eq!(
                command,
                Command::Add {
                    users: want,
                    departments: vec![]
                },
                "{text}"
            );
            let unread = unread.expect(text);
            assert_eq!(
                (unread.words.as_str(), unread.at_names),
                (words, vec![at.to_string()]),
                "{text}"
            );
        }
        // With no one else named, or for `remove`, `@bob` is refused as before.
        for (text, sub) in [("add @bob", "add"), ("remove <@U1> @bob", "remove")] {
            assert!(
                matches!(parse(text), Err(UsageError::PlainAtName { sub: s, .. }) if s == sub),
                "{text}"
            );
        }
    }

    /// A word that looks like a Slack member id where a person is asked for: refused, saying so;
    /// any other word is answered as before.
    #[test]
    fn a_bare_member_id_is_said_to_be_one() {
        for (text, sub) in [
            ("担当 U0QA1B2C3 至急", "owner"),
            ("manager W0QA1B2C3D4, asap", "manager"),
        ] {
            let id = text.split(' ').nth(1).unwrap().trim_end_matches(',');
            assert_eq!(
                parse(text),
                Err(UsageError::BareMemberId {
                    typed: id.to_string(),
                    sub
                }),
                "{text}"
            );
        }
        for text in [
            "担当 U1 至急",
            "owner u0qa1b2c3 asap",
            "owner UNIVERSAL asap",
            "owner U0QA1B2C3456789 x",
        ] {
            assert_eq!(parse(text), Err(UsageError::NeedsUser("owner")), "{text}");
        }
        // The id alone, as a form's user picker gives it, is read as before.
        assert_eq!(parse("owner U0QA1B2C3"), Ok(Command::Owner(UserId::new("U0QA1B2C3"))));
    }

    #[test]
    fn text_over_the_limit_is_refused_with_its_length() {
        let long = "x".repeat(TEXT_LIMIT + 1);
        for text in [
            format!("note {long}"),
            format!("update {long}"),
            format!("update ok next: {long}"),
            format!("prevent {long}"),
            format!("done 2 {long}"),
            format!("close force {long}"),
            format!("sev 3 {long}"),
            format!("split 50/50 {long}"),
            format!("cost ¥1 ours {long}"),
            format!("open ACME: {long}"),
            format!("open {long}: summary"),
        ] {
            assert_eq!(
                parse(&text),
                Err(UsageError::TooLong {
                    limit: TEXT_LIMIT,
                    len: TEXT_LIMIT + 1
                }),
                "{}",
                &text[..20]
            );
        }
        // As typed: Slack's `&amp;` is one character.
        assert!(parse(&format!("note A{}", "&amp;".repeat(TEXT_LIMIT - 1))).is_ok());
        assert!(parse(&format!("note {}", "x".repeat(TEXT_LIMIT))).is_ok());
    }

    #[test]
    fn next_is_found_where_it_is_whatever_comes_before_it() {
        assert_eq!(
            parse("update İİİİ told them next:12h").unwrap(),
            Command::Update {
                text: "İİİİ told them".into(),
                next: Some("12h".into())
            }
        );
        assert_eq!(
            parse("update called NEXT： 15:00").unwrap(),
            Command::Update {
                text: "called".into(),
                next: Some("15:00".into())
            }
        );
    }

    /// A severity change whose reason is `CUSTOMER: SUMMARY` is the open forgotten; a reason
    /// with a label, a time, a link or a late colon is a reason.
    #[test]
    fn a_severity_before_a_customer_and_summary_is_an_open() {
        for (text, open) in [
            ("sev1 ACME: lid cracked", Some("sev1 ACME: lid cracked")),
            ("sev 2 +quality ACME: lid", Some("sev2 +quality ACME: lid")),
            ("重大度 1 ベータ：蓋の割れ", Some("sev1 ベータ：蓋の割れ")),
            ("sev1 reason: line stopped", None),
            ("sev 1 理由：ライン停止", None),
            ("sev1 since 10:00 the line is down", None),
            ("sev1 see https://example.com/x the line is down", None),
            ("sev1 the customer says the whole line is down: call them", None),
            ("sev1 ACME - lid cracked", None),
            ("sev 3 only cosmetic: no fire risk after all", None),
        ] {
            match (parse(text), open) {
                (Err(UsageError::SevReadsAsOpen { open: got, .. }), Some(want)) => assert_eq!(got, want, "{text}"),
                (Ok(Command::Severity { .. }), None) => {}
                (other, _) => panic!("{text}: {other:?}"),
            }
        }
        // The reason as the answer offers it reads as a reason, however many colons it had.
        let Err(UsageError::SevReadsAsOpen { reason, .. }) = parse("sev1 ACME: Japan: lid at 10:00") else {
            panic!("an open")
        };
        assert_eq!(reason, "ACME - Japan - lid at 10:00");
        assert!(matches!(
            parse(&format!("sev 1 {reason}")),
            Ok(Command::Severity { .. })
        ));
    }

    #[test]
    fn a_stage_word_with_a_letter_that_changes_length_in_lower_case_is_no_stage() {
        for text in [
            "done stage\u{212A}3",
            "done stage\u{212B} 3",
            "完了 段階3\u{130}",
            "完了 段階\u{212A}",
        ] {
            assert_eq!(parse(text), Err(UsageError::BadStage("done")), "{text}");
        }
    }

    proptest! {
        #[test]
        fn next_splits_on_the_marker_whatever_the_text_before(before in "[^nN次]{1,40}", after in "[0-9]{1,2}h") {
            let parsed = parse(&format!("update {before} next:{after}"));
            if !says_something(&before) {
                prop_assert_eq!(parsed, Err(UsageError::NeedsText("update")));
            } else {
                prop_assert_eq!(parsed, Ok(Command::Update { text: before.trim().to_string(), next: Some(after) }));
            }
        }

        #[test]
        fn any_text_gives_a_command_or_a_usage_error(text in "\\PC{0,200}") {
            let _ = parse(&text);
        }
        /// The first-word check answers what a whole parse answers, for texts made of the
        /// words that lead to help (a help word, the command pasted whole, a glued colon,
        /// widths and cases) and of others.
        #[test]
        fn is_help_reads_a_text_as_parse_reads_it(
            words in prop::collection::vec(prop::sample::select(vec![
                "help", "HELP", "ｈｅｌｐ", "Help:", "help.", "ヘルプ", "使い方", "?", "？", "/trouble", "trouble",
                "／ｔｒｏｕｂｌｅ", "Trouble:", "help:status", "担当：", "status", "open", "ACME:", "sev1", "20261130-1",
                "<#C1|trouble-20261130-1-acme>", "x", "", "　", "ok",
            ]), 0..5)
        ) {
            let text = words.join(" ");
            prop_assert_eq!(is_help(&text), parse(&text) == Ok(Command::Help), "{:?}", text);
        }

        #[test]
        fn a_folded_word_is_what_folding_and_lowercasing_made_it(word in "\\PC{0,12}") {
            prop_assert_eq!(super::super::money::fold_word(&word), super::super::money::fold_width(&word).to_lowercase());
        }

        /// Letters whose lower case is longer or shorter than they are (the Kelvin sign `K`,
        /// the Ångström sign, `İ`), typed where a word is matched lower-cased and the rest of it
        /// is kept as typed.
        #[test]
        fn letters_that_change_length_in_lower_case_give_a_command_or_a_usage_error(
            start in prop::sample::select(vec![
                "done stage", "完了 段階", "start ステージ", "prevent sort stock ", "action interim fix seal ",
                "fix action 1 ", "return received ",
            ]),
            text in "[\u{212A}\u{212B}\u{2126}\u{130}\u{23A}kK3:a-z ]{0,8}",
            option in prop::sample::select(vec!["", "chec\u{212A}:", "check:", "due:", "owner:", "qty:", "\u{130}"]),
        ) {
            let _ = parse(&format!("{start}{option}{text}"));
            let _ = parse(&format!("{start}{text}{option}fri"));
        }

        #[test]
        fn any_open_text_gives_a_command_or_a_usage_error(text in "(sev[0-9]{1,4} |<@[A-Z0-9|]{0,8}> |\\+[a-z：:]{0,5} ){0,4}\\PC{0,40}") {
            let _ = parse(&format!("open {text}"));
        }
    }
}
