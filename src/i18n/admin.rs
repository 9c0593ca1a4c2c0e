//! What the admin commands (export, verify, backup, restore, accept-loss, redact) say when they refuse, in the configured locale.

use std::path::Path;

use super::Locale;
use crate::store::sled::high_water::Loss;
use crate::trouble::model::TroubleId;
use crate::trouble::redact::{Place, Redaction, Refusal};

/// `dir` has no store in it: the command refused rather than create an empty one there.
pub fn no_store(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} にはストアがありません（{dir}/db がありません）。何も作成していません。TROUBLE_DATA_DIR（または設定の data_dir）にボットのデータディレクトリを指定してください。ボットが PostgreSQL で動いているなら、serve と同じ DATABASE_URL（または設定の database_url）をこのコマンドにも渡してください。"),
        format!("{dir} holds no store (there is no {dir}/db); nothing was created. Point TROUBLE_DATA_DIR (or data_dir in the config) at the bot's data directory. If the bot runs on PostgreSQL, give this command DATABASE_URL (or database_url in the config) as serve has it.")
    )
}

/// `migrate-store --from DIR` where `dir` holds no store.
pub fn no_store_to_migrate(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} にはストアがありません（{dir}/db がありません）。何もコピーしていません。--from にボットの data_dir を指定してください。"),
        format!("{dir} holds no store (there is no {dir}/db); nothing was copied. Give --from the bot's data_dir.")
    )
}

/// Whether `dir` holds a store could not be read, for a reason other than permission (an I/O
/// error, a symlink loop): neither said as empty nor as another user's.
pub fn store_unreadable(l: Locale, dir: &Path, e: &dyn std::fmt::Display) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} を読めません: {e}\n何もしていません。"),
        format!("cannot read {dir}: {e}\nNothing was done.")
    )
}

/// `restore DIR` where `dir` holds no store: not a backup, or one whose writing did not finish.
pub fn no_store_backup(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} はバックアップではありません（ストアがありません。書き込みが終わっていないバックアップかもしれません）。何も復元していません。バックアップは trouble-bot backup DIR で作成します。"),
        format!("{dir} is not a backup: it holds no store (perhaps a backup whose writing did not finish); nothing was restored. Make one with: trouble-bot backup DIR")
    )
}

/// `backup` or `restore` with `database_url` set: the troubles are in PostgreSQL, which has tools
/// of its own for that; these two copy the embedded store only.
pub fn sled_only(l: Locale) -> String {
    tr!(
        l,
        "database_url が設定されているため、トラブルは PostgreSQL にあります。trouble-bot backup と restore は組み込みストア（sled）専用で、何もしていません。データベースのバックアップは pg_dump（例: pg_dump -Fc -f trouble.dump \"$DATABASE_URL\"）、復元は pg_restore（例: pg_restore -d \"$DATABASE_URL\" trouble.dump）で行ってください。",
        "database_url is set, so the troubles are in PostgreSQL: trouble-bot backup and restore copy only the embedded (sled) store, and did nothing. Back the database up with pg_dump (e.g. pg_dump -Fc -f trouble.dump \"$DATABASE_URL\") and bring it back with pg_restore (e.g. pg_restore -d \"$DATABASE_URL\" trouble.dump)."
    )
    .to_string()
}

/// `export ID` of an id the store does not hold.
pub fn no_trouble(l: Locale, id: &str) -> String {
    tr!(l, format!("トラブル {id} はありません。"), format!("no trouble {id}"))
}

/// `export-list` asked for a period that ends before it starts.
pub fn period_backwards(l: Locale) -> String {
    tr!(l, "--until の日付が --since より前です。", "--until is before --since.").to_string()
}

/// `export-list`'s line on stderr for a trouble in the period whose record does not read (its
/// row says so too).
pub fn unreadable_listed(l: Locale, id: &str) -> String {
    tr!(
        l,
        format!("{id}: 記録が読めないため、一覧には分かっている項目だけを載せました（trouble-bot verify で確認してください）\n"),
        format!("{id}: its record does not read; the list has only what its index knows (check with trouble-bot verify)\n")
    )
}

/// `verify`'s line for a trouble whose timeline does not read or whose chain breaks.
pub fn broken_line(what: &dyn std::fmt::Display) -> String {
    // The keyword stays as it is in every locale: scripts look for it.
    format!("BROKEN {what}\n")
}

/// `verify`'s line for a trouble whose chain holds with entries the administrator redacted
/// (`seqs`, 0-based): said, not counted as broken.
pub fn redacted(l: Locale, id: &TroubleId, seqs: &[u64]) -> String {
    let n = seqs.iter().map(|s| (s + 1).to_string()).collect::<Vec<_>>().join(", ");
    tr!(
        l,
        format!("{id}: 記録 {n} は管理者が文面を削除済み（削除の記録があり、チェーンは正常）\n"),
        format!("{id}: entries {n} redacted by the administrator (a redaction entry names them; the chain holds)\n")
    )
}

/// `verify`'s line for a trouble the day's numbering gave out whose record and timeline are gone.
pub fn missing(l: Locale, id: &crate::trouble::model::TroubleId) -> String {
    tr!(
        l,
        format!("{id}: 起票で番号が振られたトラブルの記録とタイムラインがありません（削除されています）"),
        format!("{id}: numbered at its opening, its record and timeline are gone (deleted)")
    )
}

/// `verify`'s line for a store behind its high-water mark: troubles numbered whose records,
/// timelines and numbering its damaged log lost.
pub fn lost(l: Locale, loss: &Loss) -> String {
    let (missing, issued) = (loss.missing_shown(), &loss.issued);
    let held = loss.held.as_ref().map(ToString::to_string);
    tr!(
        l,
        format!(
            "{missing}: 起票で番号が振られましたが、ストアにありません（ストアにあるのは{}まで、高水位標によれば{issued}まで番号が振られています）。ストアのログが壊れ、sled が最初の壊れた記録で切り詰めました。バックアップを復元するか（trouble-bot restore DIR）、損失を受け入れてください（trouble-bot accept-loss: 番号は{issued}の次から振られます）",
            held.unwrap_or_else(|| "なし".into())
        ),
        format!(
            "{missing}: numbered, but the store no longer holds them (it holds troubles numbered up to {}, the high-water mark says {issued} was numbered): its log was damaged and sled cut it short at the first bad record. Restore a backup (trouble-bot restore DIR) or accept the loss (trouble-bot accept-loss: the numbering goes on after {issued})",
            held.unwrap_or_else(|| "none".into())
        )
    )
}

/// `verify`'s note of an id lost with a damaged log whose loss was accepted (not counted as broken).
pub fn accepted_lost(l: Locale, id: &TroubleId, when: &str) -> String {
    tr!(
        l,
        format!("{id}: 壊れたログとともに失われました（{when} に損失を受け入れ済み）\n"),
        format!("{id}: lost with a damaged log (the loss accepted at {when})\n")
    )
}

/// `accept-loss` done.
pub fn loss_accepted(l: Locale, loss: &Loss) -> String {
    let (missing, issued) = (loss.missing_shown(), &loss.issued);
    tr!(
        l,
        format!("{missing} の損失を受け入れました（番号は振られましたが、ストアにはありません）。その日の番号は{issued}の次から振られ、同じ番号が二度使われることはありません。verify はこれらを失われたものとして挙げます。ボットを起動できます。\n"),
        format!("accepted the loss of {missing} (numbered, but no longer in the store): the day's numbering goes on after {issued}, so no id is given out twice, and verify names them as lost. The bot can be started.\n")
    )
}

/// `accept-loss` on a store that holds every trouble its mark says was numbered.
pub fn nothing_lost(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} のストアは番号が振られたトラブルをすべて保持しています。何もしていません。\n"),
        format!("the store in {dir} holds every trouble numbered; nothing was done\n")
    )
}

/// `accept-loss` while a bot serves the data directory: it started, so nothing was lost.
pub fn running_nothing_lost(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} でボットが動いています。トラブルを失ったストアではボットは起動しないので、失われたものはありません。何もしていません。\n"),
        format!("the bot is running on {dir}; it does not start on a store that lost troubles, so none was lost; nothing was done\n")
    )
}

/// `accept-loss` with `database_url` set.
pub fn sled_only_loss(l: Locale) -> String {
    tr!(
        l,
        "database_url が設定されているため、トラブルは PostgreSQL にあります。trouble-bot accept-loss は組み込みストア（sled）専用で、何もしていません。",
        "database_url is set, so the troubles are in PostgreSQL: trouble-bot accept-loss is for the embedded (sled) store only, and did nothing."
    )
    .to_string()
}

pub fn loss_not_accepted(l: Locale, e: &dyn std::fmt::Display) -> String {
    tr!(
        l,
        format!("損失を受け入れられません（何も変えていないか、もう一度実行すれば完了します）: {e}"),
        format!("cannot accept the loss (nothing changed, or running it again completes it): {e}")
    )
}

/// Said after a restore of a backup older than the data directory's high-water mark.
pub fn restore_lost(l: Locale, loss: &Loss) -> String {
    let (missing, issued) = (loss.missing_shown(), &loss.issued);
    tr!(
        l,
        format!("このバックアップより後に番号が振られた {missing} は、復元したストアにありません。その日の番号は{issued}の次から振られ、verify はこれらを失われたものとして挙げます（以前のストアに残っていれば、そこから手で取り出せます）。\n"),
        format!("{missing}, numbered after this backup, are not in the restored store: the day's numbering goes on after {issued}, and verify names them as lost (the previous store, if kept, may still hold them for recovery by hand).\n")
    )
}

/// `verify`'s count.
pub fn checked(l: Locale, checked: usize, broken: usize) -> String {
    tr!(
        l,
        format!("{checked}件のトラブルを検査し、{broken}件が壊れています\n"),
        format!(
            "{} checked, {broken} broken\n",
            super::en_count(checked, "trouble", "troubles")
        )
    )
}

/// `verify`'s count of stored timers and queued calls that do not read.
pub fn unreadable_queued(l: Locale, n: usize) -> String {
    tr!(
        l,
        format!("保存されたタイマーと送信待ちの呼び出しのうち{n}件が読めません\n"),
        format!("{n} stored timers or queued calls do not read\n")
    )
}

/// `backup DIR` where `dir` already holds a store.
pub fn backup_target_taken(l: Locale, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} にはすでにストアがあります。新しいディレクトリか空のディレクトリにバックアップしてください。"),
        format!("{dir} already holds a store: back up into a new or empty directory")
    )
}

pub fn backup_written(l: Locale, troubles: usize, dir: &Path) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{troubles}件のトラブルのバックアップを {dir} に書き込みました\n確認: TROUBLE_DATA_DIR={dir} trouble-bot verify\n"),
        format!("backup of {} written to {dir}\ncheck it with: TROUBLE_DATA_DIR={dir} trouble-bot verify\n", super::en_count(troubles, "trouble", "troubles"))
    )
}

pub fn backup_not_written(l: Locale, dir: &Path, e: &dyn std::fmt::Display) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("バックアップを {dir} に書き込めません: {e}"),
        format!("cannot write the backup to {dir}: {e}")
    )
}

/// `restore` while a bot serves the data directory.
pub fn bot_running(l: Locale, data_dir: &Path, socket: &Path) -> String {
    let (dir, socket) = (data_dir.display(), socket.display());
    tr!(
        l,
        format!("{dir} でボットが動いています（{socket} で応答しました）。先に止めてから（例: systemctl stop trouble-bot）復元してください。"),
        format!("the bot is running on {dir} (it answered on {socket}): stop it first (e.g. systemctl stop trouble-bot), then restore")
    )
}

pub fn backup_unopenable(l: Locale, dir: &Path, e: &dyn std::fmt::Display) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} のバックアップを開けません: {e}"),
        format!("cannot open the backup in {dir}: {e}")
    )
}

pub fn backup_does_not_verify(l: Locale, dir: &Path, findings: &str) -> String {
    let dir = dir.display();
    tr!(
        l,
        format!("{dir} のバックアップは検査に通りません。何も復元していません（それでも復元するには --even-if-broken）:\n{findings}"),
        format!("the backup in {dir} does not verify; nothing was restored (to restore it all the same: --even-if-broken):\n{findings}")
    )
}

pub fn store_not_moved_aside(l: Locale, e: &dyn std::fmt::Display) -> String {
    tr!(
        l,
        format!("いまのストアを退避できません: {e}"),
        format!("cannot move the current store aside: {e}")
    )
}

/// Said after a restore (or its failure) when the store it replaced was moved aside.
pub fn kept_aside(l: Locale, aside: &Path) -> String {
    let aside = aside.display();
    tr!(
        l,
        format!("。以前のストアは {aside} に残してあります"),
        format!("; the previous store is kept in {aside}")
    )
}

pub fn restored(l: Locale, troubles: usize, from: &Path, data_dir: &Path, kept: &str) -> String {
    let (from, dir) = (from.display(), data_dir.display());
    tr!(
        l,
        format!("{from} から {dir} に{troubles}件のトラブルを復元しました{kept}\n"),
        format!(
            "restored {} from {from} into {dir}{kept}\n",
            super::en_count(troubles, "trouble", "troubles")
        )
    )
}

/// After a restore asked for with `--even-if-broken`: what verify found in the backup, which the
/// restored store holds as it was.
pub fn restored_though_broken(l: Locale, findings: &str) -> String {
    tr!(
        l,
        format!("バックアップは検査に通らないまま復元しました。ボットはほかのトラブルを扱い、verify は次のものを挙げ続けます:\n{findings}\n"),
        format!("the backup was restored though it does not verify; the bot serves every other trouble, and verify goes on naming these:\n{findings}\n")
    )
}

pub fn store_not_written(l: Locale, data_dir: &Path, e: &dyn std::fmt::Display, kept: &str) -> String {
    let dir = data_dir.display();
    tr!(
        l,
        format!("{dir} にストアを書き込めません: {e}{kept}"),
        format!("cannot write the store in {dir}: {e}{kept}")
    )
}

pub fn store_unopenable(l: Locale, data_dir: &Path, e: &dyn std::fmt::Display, socket: &Path) -> String {
    let (dir, socket) = (data_dir.display(), socket.display());
    tr!(
        l,
        format!("{dir} のストアを開けません: {e}\n（ボットが動いているなら、その管理ソケット {socket} が応答しませんでした）"),
        format!("cannot open the store in {dir}: {e}\n(if a bot is running on it, its admin socket {socket} did not answer)")
    )
}

/// The store could not be copied for a command that reads it (see `admin::open_existing_copy`).
pub fn store_not_copied(l: Locale, data_dir: &Path, copy: &Path, e: &dyn std::fmt::Display) -> String {
    let (dir, copy) = (data_dir.display(), copy.display());
    tr!(
        l,
        format!("{dir} のストアを読むためのコピーを {copy} に作れません: {e}\n（ストアそのものは変更していません。空きのある一時ディレクトリを TMPDIR で指定してください）"),
        format!("cannot copy the store in {dir} to {copy} to read it: {e}\n(the store itself is unchanged; point TMPDIR to a temporary directory with room for it)")
    )
}

/// The caller may not open `path` (the admin socket, or a data directory): not the bot's silence,
/// nor an empty directory, but another user's files.
pub fn no_permission(l: Locale, path: &Path) -> String {
    let path = path.display();
    tr!(
        l,
        format!("{path} を開く権限がありません。何もしていません。ボットのユーザーで実行してください（例: sudo -u trouble-bot …）。"),
        format!("permission denied on {path}, so nothing was done: run this as the bot's user (e.g. sudo -u trouble-bot …).")
    )
}

pub fn bot_not_answering(l: Locale, socket: &Path, e: &dyn std::fmt::Display) -> String {
    let socket = socket.display();
    tr!(
        l,
        format!("動いているボットが {socket} で応答しませんでした: {e}"),
        format!("the running bot did not answer on {socket}: {e}")
    )
}

/// `redact` refused: `why` says what, and nothing was changed.
pub fn redact_refused(l: Locale, id: &str, refusal: &Refusal) -> String {
    let n = |seq: &u64| seq.wrapping_add(1);
    let why = match refusal {
        Refusal::NoReason => tr!(
            l,
            "理由がありません。--reason \"…\" で理由を指定してください（削除の記録に残ります）".to_string(),
            "no reason given: say why with --reason \"…\" (the redaction entry records it)".to_string()
        ),
        Refusal::NoEntries => tr!(
            l,
            "削除する記録の番号がありません".to_string(),
            "no entry named: give the numbers of the entries to redact".to_string()
        ),
        Refusal::NoSuchEntry(seq) => tr!(
            l,
            format!(
                "{}番目の記録はありません（番号は 1 から、報告書のタイムラインと verify の番号です）",
                n(seq)
            ),
            format!(
                "it has no entry {} (entries are numbered from 1, as the report's timeline and verify number them)",
                n(seq)
            )
        ),
        Refusal::AlreadyRedacted { seq, by } => {
            let by = by.map(|b| b + 1).map_or_else(String::new, |b| b.to_string());
            tr!(
                l,
                format!(
                    "{}番目の記録は削除済みです（{by}番目の記録が削除を記録しています）",
                    n(seq)
                ),
                format!("entry {} is redacted already (entry {by} records it)", n(seq))
            )
        }
        Refusal::TheRedaction(seq) => tr!(
            l,
            format!(
                "{}番目の記録は削除の記録そのもの（管理者の記録）で、そのまま残ります",
                n(seq)
            ),
            format!(
                "entry {} is a redaction entry, the administrator's own record, which stays whole",
                n(seq)
            )
        ),
        Refusal::NoText(seq) => tr!(
            l,
            format!(
                "{}番目の記録には削除する文面がありません（ID、日時、人、金額は残ります）",
                n(seq)
            ),
            format!(
                "entry {} holds no text to erase (ids, times, people and amounts stay)",
                n(seq)
            )
        ),
        Refusal::RecordRepeats { seq, fact } => {
            let fact = super::report::fact_name(l, *fact);
            tr!(
                l,
                format!("{}番目の記録の文面はトラブルの記録（{fact}）にもあり、報告書と 8D はそちらを読みます。このコマンドが削除するのはタイムラインの文面だけなので、記録が食い違い verify が失敗します。記録の文面は手で編集するしかなく、その場合 verify は改ざんとして挙げます（削除できるのはメモや重大度変更の理由など、記録にない文面です）", n(seq)),
                format!("the trouble's record repeats entry {}'s text (its {fact}), which the report and the 8D read: this command erases timeline texts only, so the record would no longer match its timeline and verify would fail. The record's text can only be edited by hand, which verify then names as a break (a note or a severity change's reason, texts the record does not hold, can be redacted)", n(seq))
            )
        }
        Refusal::StillQueued(seq) => tr!(
            l,
            format!("{}番目の記録の文面を含む Slack への呼び出しがまだ送信されていません（送信中か、ボットが送る前に止まりました）。いま削除してもボットがその文面を投稿してしまいます。ボットを動かしたまま送信されるのを待ってから、もう一度実行してください（投稿されたメッセージはチャンネルで手で削除してください）", n(seq)),
            format!("a Slack call for the trouble not made yet holds entry {}'s text (being sent, or the bot stopped before it went), and the bot would still post it: with the bot running, wait until it went, then redact again (and delete the message in the channel by hand)", n(seq))
        ),
        Refusal::StillHeld { seq, place } => match place {
            Place::HeldForChannel => tr!(
                l,
                format!("{}番目の記録の文面を含むメッセージを、ボットがトラブルのチャンネルに投稿できない間、保留しています（ボットがチャンネルに戻ると投稿されます）。ボットをチャンネルに戻して投稿させてから、もう一度実行してください（投稿されたメッセージはチャンネルで手で削除してください）", n(seq)),
                format!("a message the bot holds for the trouble's channel while it cannot post there holds entry {}'s text, and goes when the bot is back in the channel: let the bot back in so it goes, then redact again (and delete the message in the channel by hand)", n(seq))
            ),
            Place::Entry(other) => tr!(
                l,
                format!("{}番目の記録の文面は{}番目の記録（訂正など）にも書かれています。両方を一緒に指定してください（そちらの文面をトラブルの記録が繰り返している場合は、それも拒否されます）", n(seq), n(other)),
                format!("entry {}'s text is also written in entry {} (a correction, say): name both together, which is refused in turn if the trouble's record repeats it there", n(seq), n(other))
            ),
            Place::Record => tr!(
                l,
                format!("{}番目の記録の文面はトラブルの記録（訂正前の文面、顧客名や概要などとして）にも残っていて、報告書と 8D がそれを表示します。このコマンドはタイムラインの文面だけを削除します", n(seq)),
                format!("the trouble's record still holds entry {}'s text (as a correction's earlier text, or as the customer, the summary or another field), which the reports show: this command erases timeline texts only", n(seq))
            ),
            Place::Reason => tr!(
            l,
            format!("理由に{}番目の記録の文面が含まれています。削除の記録はそのまま残るので、文面を引用しない理由にしてください", n(seq)),
            format!("the reason quotes entry {}'s text, and the redaction entry keeps its reason whole for good: give a reason that does not quote it", n(seq))
        ),
        },
        Refusal::ReasonTooLong { max } => tr!(
            l,
            format!("理由が長すぎます（{max} 文字まで）"),
            format!("the reason is too long ({max} characters at most)")
        ),
        Refusal::Broken(b) => {
            let b = super::chain_broken_short(l, b);
            tr!(
                l,
                format!("このトラブルはいまの時点で検査に通りません（{b}）。削除の記録がその上に連なってしまいます。trouble-bot verify で確認してください"),
                format!("the trouble does not verify as it is ({b}): a redaction would chain onto the break. Check it with trouble-bot verify")
            )
        }
    };
    tr!(
        l,
        format!("トラブル {id}: {why}。何も変更していません。"),
        format!("trouble {id}: {why}; nothing was changed.")
    )
}

/// `redact` done (`r`): the entries erased, the entry recording it, the lines in Slack being
/// edited, and the entries of which no line is known.
pub fn redacted_now(l: Locale, id: &TroubleId, r: &Redaction) -> String {
    let numbers =
        |seqs: &mut dyn Iterator<Item = u64>| seqs.map(|s| (s + 1).to_string()).collect::<Vec<_>>().join(", ");
    let n = numbers(&mut r.erased.iter().map(|e| e.seq));
    let by = r.entry.seq + 1;
    let lines = r.edits.len();
    let edited = match (lines, r.trouble.channel_lost.is_some()) {
        (0, _) => String::new(),
        (_, false) => tr!(
            l,
            format!("トラブルチャンネルでこれらを載せていたメッセージ {lines} 件は「［…に管理者により削除されました］」と編集されます（ボットが止まっていれば、起動したときに）。"),
            format!("The {lines} message(s) in the trouble's channel that carried them are edited to read \"[redacted by an administrator on …]\" (once the bot runs, if it is stopped). ")
        ),
        // Slack refuses the edit while the channel is archived or the bot is out of it: it waits.
        (_, true) => tr!(
            l,
            format!("トラブルチャンネルでこれらを載せていたメッセージ {lines} 件は「［…に管理者により削除されました］」と編集されますが、チャンネルがアーカイブされたかボットが外されているため、チャンネルが戻るまで待ちます。すぐに消すには、アーカイブを解除してボットを戻すか、手で削除してください。"),
            format!("The {lines} message(s) in the trouble's channel that carried them are to be edited to read \"[redacted by an administrator on …]\", but the channel is archived or the bot is out of it: the edit waits until it is back. To have them gone now, unarchive it and add the bot back, or delete them by hand. ")
        ),
    };
    let unknown = match r.unknown.is_empty() {
        true => String::new(),
        false => {
            let u = numbers(&mut r.unknown.iter().copied());
            tr!(
                l,
                format!("記録 {u} については、それを載せたメッセージをボットが記録していません（以前のリリースが投稿したもの、記録から読んで載せたクローズのメモ、再開の理由のようにお客様も読める形でそのまま投稿した行、社外と共有されたチャンネルのため DM で送ったものや共有時に削除したもの、記録を保つ上限を超えた古い行など）。Slack に残っていれば手で削除してください。"),
                format!("For entries {u} the bot keeps no record of a message carrying them (one posted by an earlier release; a close's note, which its line read from the record; a line posted as it is where the customer may read, such as a reopening's reason; one sent by DM or deleted because the channel was shared outside, or older than the lines it keeps): if one is still in Slack, delete it by hand. ")
            )
        }
    };
    // Dropped with the texts it carried, the report is posted by nobody unless asked again.
    let report = match r.report_dropped {
        false => String::new(),
        true => tr!(
            l,
            "トラブルのチャンネル（Slack が作成を拒否しました）を待っていた報告書はこれらの文面を含んでいたため、一緒に取り除きました。チャンネルができても投稿されないので、そのときに `/trouble report` でもう一度投稿してください（削除した文面は [redacted] と表示されます）。".to_string(),
            "The report waiting for the trouble's channel (Slack refused to create it) carried these texts and was dropped with them: it is not posted when the channel is made, so post it again then with `/trouble report` (the erased texts read [redacted]). ".to_string()
        ),
    };
    tr!(
        l,
        format!("{id}: 記録 {n} の文面を削除しました（[redacted] と表示されます。{by}番目の記録が削除と理由を記録しています。verify はこれらを削除済みとして挙げます）。\n{edited}{unknown}{report}その後に投稿された報告書と DM（重大度変更・強制クローズ・再開の理由は DM と告知チャンネルにも送られています）は変わっていません。チャンネルでは手で削除してください（DM は残ります）。これより前のバックアップと、書き換えられるまでのストアの古いページ（sled のログ、PostgreSQL の VACUUM 前の行）には文面が残っています。\n"),
        format!("{id}: the texts of entries {n} erased (they read [redacted]; entry {by} records the redaction and its reason; verify lists them as redacted).\n{edited}{unknown}{report}Any report posted since and the DMs (a severity change's, a forced close's or a reopening's reason also went by DM and to the announce channels) are unchanged: delete those in channels by hand (the DMs stay). Backups taken before, and the store's old pages until they are rewritten (sled's log, PostgreSQL's rows until a vacuum), still hold the texts.\n")
    )
}

/// `redact` asked of a bot of an earlier release, which does not take it on its admin socket
/// (and holds the store: sled lets one process open it).
pub fn redact_bot_too_old(l: Locale, data_dir: &Path, socket: &Path) -> String {
    let (dir, socket) = (data_dir.display(), socket.display());
    tr!(
        l,
        format!("{dir} で動いているボット（{socket} で応答しました）は以前のリリースで、動いたままでは削除できません。ストア（sled）は一つのプロセスしか開けません。ボットを止めてから（例: systemctl stop trouble-bot）削除し、もう一度起動するか、先にボットを更新してください。何も変更していません。"),
        format!("the bot running on {dir} (it answered on {socket}) is of an earlier release, which does not redact while it runs, and the store (sled) opens in one process only: stop the bot (e.g. systemctl stop trouble-bot), redact, then start it again, or upgrade the bot first; nothing was changed")
    )
}

/// After [`bot_not_answering`] to a `redact` sent: the bot may have made it all the same.
pub fn redaction_not_known(l: Locale) -> String {
    tr!(
        l,
        "削除が行われたかどうかは分かりません。trouble-bot verify で確かめてください（削除されていれば挙げられます）。\n".to_string(),
        "Whether the redaction was made is not known: trouble-bot verify lists it if it was.\n".to_string()
    )
}

/// After [`bot_not_answering`] when the connection to the bot failed: the request never left.
pub fn redaction_not_sent(l: Locale) -> String {
    tr!(
        l,
        "削除の依頼はボットに届いていません。何も変更していません。\n".to_string(),
        "The request did not reach the bot: nothing was changed.\n".to_string()
    )
}

/// `redact` could not open the store: another process holds it, most likely.
pub fn redact_store_held(l: Locale, data_dir: &Path, e: &dyn std::fmt::Display) -> String {
    let dir = data_dir.display();
    tr!(
        l,
        format!("{dir} のストアを開けません: {e}\nストア（sled）は一つのプロセスしか開けません。ボット（管理ソケットのないものも）など、ストアを開いているプロセスを止めてから実行してください。何も変更していません。"),
        format!("cannot open the store in {dir}: {e}\nThe store (sled) opens in one process only: stop whatever holds it (the bot, even one without its admin socket), then redact; nothing was changed")
    )
}
