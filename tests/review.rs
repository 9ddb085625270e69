//! The review loop against a private Dovecot: corrections made the way a mail client
//! makes them (moving messages between folders in another session), `screener
//! release`, `review`, `explain`, `contacts`, `train`, learning from the Sent folder,
//! the thread rule and the daily digest.

mod support;

use std::process::Command;
use support::dovecot::Dovecot;
use support::run::*;

const FILED: &str = "Screened.Extractive";
const TRAIN: &str = "Screened.Train";

fn cli(setup: &Setup, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_screener"))
        .args(args)
        .arg("--config")
        .arg(setup.config_path())
        .env_remove("SCREENER_IMAP__PASSWORD")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn once(setup: &Setup) -> String {
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    log
}

/// (id, action, reasons JSON) of the journal entries of a Message-ID.
fn journal_of(setup: &Setup, message_id: &str) -> Vec<(i64, String, String)> {
    let conn = rusqlite::Connection::open(setup.state_path()).unwrap();
    let mut stmt = conn.prepare("SELECT id, action, reasons FROM journal WHERE message_id = ?1 ORDER BY id").unwrap();
    stmt.query_map([message_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

/// A client-fishing message from `from` (filed by the rules).
fn ask(id: &str, from: &str) -> Vec<u8> {
    let raw = String::from_utf8(example("02-who-are-your-clients.eml")).unwrap();
    let raw = raw.replace("noelle@brightbooks-outsourcing.example", from);
    with_message_id(&raw, &format!("<{id}>"))
}

#[test]
fn moving_a_filed_message_back_teaches_and_trusts_its_sender() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("a1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);

    // The user disagrees: another session (their mail client) moves it back.
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    let log = once(&setup);
    assert_eq!(server.count("INBOX"), 1, "not filed again:\n{log}");
    let journal = journal_of(&setup, "a1@x.example");
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert_eq!(journal[1].1, "keep");
    assert!(
        journal[1].2.contains("policy:released") && journal[1].2.contains("pat@pushy.example is now a known contact")
    );
    let (ok, contacts, _) = cli(&setup, &["contacts", "list"]);
    assert!(ok && contacts.contains("pat@pushy.example") && contacts.contains("release"), "{contacts}");
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("0 extractive, 1 ham"), "{stats}");

    // The sender is never screened again.
    server.append("INBOX", &ask("a2@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count("INBOX"), 2);
    assert!(journal_of(&setup, "a2@x.example")[0].2.contains("policy:known-contact"));

    // review and explain tell the story.
    let (ok, review, _) = cli(&setup, &["review", "--since", "1h"]);
    assert!(
        ok && review.contains("file") && review.contains("keep") && review.contains("Who are your clients?"),
        "{review}"
    );
    let (ok, filed_only, _) = cli(&setup, &["review", "--action", "file", "--json"]);
    assert!(ok);
    let lines: Vec<serde_json::Value> = filed_only.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{filed_only}");
    assert_eq!(lines[0]["sender"], "pat@pushy.example");
    let id = journal[0].0.to_string();
    let (ok, explained, _) = cli(&setup, &["explain", &id]);
    assert!(
        ok && explained.contains("clients-who-are-your-clients") && explained.contains("file at 5.0"),
        "{explained}"
    );
    let (ok, by_id, _) = cli(&setup, &["explain", "<a1@x.example>"]);
    assert!(ok && by_id.contains("policy:released"), "{by_id}");
    let (ok, _, err) = cli(&setup, &["explain", "nobody@nowhere"]);
    assert!(!ok && err.contains("no decision recorded"), "{err}");
}

#[test]
fn a_message_moved_to_train_is_learned_as_extractive_and_filed() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    // A first run creates the Train folder for the user to drop mail into.
    once(&setup);
    assert!(server.mailboxes().contains(&TRAIN.to_string()), "{:?}", server.mailboxes());
    // A message the rules kept, which the user considers extractive.
    server.append(TRAIN, &welcome(1), &[]);
    let log = once(&setup);
    assert_eq!(server.count(TRAIN), 0, "{log}");
    assert_eq!(server.count(FILED), 1);
    let uid = server.list_uids(FILED)[0];
    assert!(server.flags(FILED, uid).contains(&"$Screened".to_string()));
    let journal = journal_of(&setup, "welcome-1@test.example");
    assert_eq!(journal[0].1, "file");
    assert!(journal[0].2.contains("policy:trained"));
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("1 extractive, 0 ham") && stats.contains("train-folder"), "{stats}");
    // Nothing happens twice.
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    assert_eq!(journal_of(&setup, "welcome-1@test.example").len(), 1);
}

#[test]
fn moves_into_trash_teach_nothing() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("t1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    server.doveadm(&["move", "-u", server.user(), "Trash", "mailbox", FILED, "all"]);
    once(&setup);
    assert_eq!(server.count("Trash"), 1);
    let (_, contacts, _) = cli(&setup, &["contacts", "list"]);
    assert!(!contacts.contains("pat@pushy.example"), "{contacts}");
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("0 extractive, 0 ham"), "{stats}");
    assert_eq!(journal_of(&setup, "t1@x.example").len(), 1);
}

#[test]
fn release_moves_it_back_learns_and_trusts_the_sender() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("r1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    let id = journal_of(&setup, "r1@x.example")[0].0.to_string();
    let (ok, out, err) = cli(&setup, &["release", &id]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("moved back to INBOX") && out.contains("pat@pushy.example is now a known contact"), "{out}");
    assert_eq!(server.count("INBOX"), 1);
    assert_eq!(server.count(FILED), 0);
    // The daemon sees it back and leaves it; releasing again finds nothing to move.
    once(&setup);
    assert_eq!(server.count("INBOX"), 1);
    let (ok, _, err) = cli(&setup, &["release", &id]);
    assert!(!ok && err.contains("no longer in"), "{err}");
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("0 extractive, 1 ham"), "learned once: {stats}");
}

#[test]
fn contacts_can_be_added_and_removed_by_hand() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    once(&setup);
    let (ok, out, _) = cli(&setup, &["contacts", "add", "Pat@Pushy.example"]);
    assert!(ok && out.contains("added"), "{out}");
    server.append("INBOX", &ask("c1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count("INBOX"), 1, "a contact added by hand is kept");
    let (ok, out, _) = cli(&setup, &["contacts", "remove", "pat@pushy.example"]);
    assert!(ok && out.contains("removed"), "{out}");
    server.append("INBOX", &ask("c2@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1, "and screened again once removed");
    let (ok, _, err) = cli(&setup, &["contacts", "add", "not an address"]);
    assert!(!ok && err.contains("not an email address"), "{err}");
}

#[test]
fn the_sent_folder_makes_contacts_and_threads_welcome() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append(
        "Sent",
        b"From: Hank Bergstrom <hank@bergstrom.example>\r\nTo: Dana <dana@newfriend.example>\r\nCc: lee@other.example\r\n\
          Subject: Lunch\r\nMessage-ID: <mine-1@bergstrom.example>\r\n\r\nSee you.\r\n",
        &["\\Seen"],
    );
    // screener's own decline copies in Sent teach nothing.
    server.append(
        "Sent",
        b"From: hank@bergstrom.example\r\nTo: stranger@pushy.example\r\nAuto-Submitted: auto-replied\r\n\
          Subject: Auto: x\r\nMessage-ID: <screener-decline.1@bergstrom.example>\r\n\r\nNo.\r\n",
        &["\\Seen"],
    );
    server.append("INBOX", &ask("s1@x.example", "dana@newfriend.example"), &[]);
    let thread = String::from_utf8(ask("s2@x.example", "someone@pushy.example"))
        .unwrap()
        .replace("Subject: Who are your clients?", "Subject: Re: Lunch\r\nIn-Reply-To: <mine-1@bergstrom.example>");
    server.append("INBOX", thread.as_bytes(), &[]);
    server.append("INBOX", &ask("s3@x.example", "stranger@pushy.example"), &[]);
    // The first run reads Sent after the backlog; the second sees its effects.
    let log = once(&setup);
    assert!(log.contains("read the Sent folder"), "{log}");
    let (_, contacts, _) = cli(&setup, &["contacts", "list"]);
    assert!(contacts.contains("dana@newfriend.example") && contacts.contains("lee@other.example"), "{contacts}");
    assert!(!contacts.contains("stranger@pushy.example"), "{contacts}");

    server.append("INBOX", &ask("s4@x.example", "dana@newfriend.example"), &[]);
    let thread2 = thread.replace("<s2@x.example>", "<s5@x.example>");
    server.append("INBOX", thread2.as_bytes(), &[]);
    server.append("INBOX", &ask("s6@x.example", "stranger@pushy.example"), &[]);
    once(&setup);
    assert!(journal_of(&setup, "s4@x.example")[0].2.contains("policy:known-contact"));
    assert!(journal_of(&setup, "s5@x.example")[0].2.contains("policy:your-thread"));
    assert_eq!(journal_of(&setup, "s6@x.example")[0].1, "file");
}

#[test]
fn the_daily_digest_arrives_once_and_lists_what_was_screened() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"\n[digest]\nenabled = true\ntime = \"00:00\"\n");
    server.append("INBOX", &ask("d1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    assert_eq!(server.count("INBOX"), 1, "the digest");
    let digest = server.raw_messages("INBOX").pop().unwrap();
    assert!(digest.contains("screener: 1 filed, 0 declined"), "{digest}");
    assert!(digest.contains("pat@pushy.example") && digest.contains("screener release"), "{digest}");
    assert!(digest.contains("text/html"), "a simple HTML part too");
    // Not twice the same day; the digest itself is left alone (it is from you).
    once(&setup);
    assert_eq!(server.count("INBOX"), 1);
    assert_eq!(server.count(FILED), 1);
}

#[test]
fn a_crash_after_the_digest_was_appended_neither_repeats_it_nor_loses_later_decisions() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"\n[digest]\nenabled = true\ntime = \"00:00\"\n");
    server.append("INBOX", &ask("c1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count("INBOX"), 1, "the digest");
    let meta = |key: &str| -> Option<String> {
        let conn = rusqlite::Connection::open(setup.state_path()).unwrap();
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).ok()
    };
    let covered = meta("digest-last-id").unwrap();
    let today = meta("digest-done").unwrap();
    // Back to the moment between the APPEND and the bookkeeping after it: the digest
    // is in the inbox, the database only knows it was about to be appended.
    let conn = rusqlite::Connection::open(setup.state_path()).unwrap();
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'digest-last-id'", []).unwrap();
    conn.execute("UPDATE meta SET value = '1970-01-01' WHERE key = 'digest-done'", []).unwrap();
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'digest-pending'", [format!("{today} {covered}")]).unwrap();
    drop(conn);
    // Mail that arrived while screener was down is screened at the restart, before
    // the digest is looked at again.
    server.append("INBOX", &ask("c2@x.example", "sam@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 2);
    assert_eq!(server.count("INBOX"), 1, "today's digest is not appended twice");
    // The second decision was in no digest: the next one must list it.
    assert_eq!(meta("digest-last-id").unwrap(), covered);
    assert_eq!(meta("digest-done").unwrap(), today);
}

/// `screener tune` over labelled mail files, with the built-in configuration.
fn tune_files(extractive: &std::path::Path, ham: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_screener"))
        .args(["tune", "--extractive"])
        .arg(extractive)
        .arg("--ham")
        .arg(ham)
        .output()
        .unwrap()
}

#[test]
fn tune_recommends_thresholds_from_labeled_mail() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("ex");
    let ham = dir.path().join("ham");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::create_dir_all(&ham).unwrap();
    for name in ["01-help-each-other.eml", "02-who-are-your-clients.eml", "03-linkedin-recommendation.eml"] {
        std::fs::write(ex.join(name), example(name)).unwrap();
    }
    for name in ["04-student-advice.eml", "06-it-network-outage.eml"] {
        std::fs::write(ham.join(name), example(name)).unwrap();
    }
    let out = tune_files(&ex, &ham);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("3 extractive and 2 wanted messages scored"), "{text}");
    assert!(text.contains("recommended:") && text.contains("file_threshold = "), "{text}");
}

#[test]
fn train_and_tune_read_imap_folders() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("i1@x.example", "pat@pushy.example"), &[]);
    server.append("INBOX", &ask("i2@x.example", "kim@pushy.example"), &[]);
    server.append("INBOX", &welcome(1), &[]);
    once(&setup);
    let (ok, out, err) = cli(&setup, &["train", "--extractive", "imap:Screened/Extractive", "--ham", "imap:INBOX"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("imap:Screened/Extractive: 2 learned as extractive"), "{out}");
    assert!(out.contains("imap:INBOX: 1 learned as ham"), "{out}");
    let (ok, out, err) = cli(&setup, &["tune", "--extractive", "imap:Screened/Extractive", "--ham", "imap:INBOX"]);
    assert!(ok && out.contains("2 extractive and 1 wanted messages scored"), "{out}{err}");
    // The user's mail is only read: nothing moved, nothing marked \Seen.
    assert_eq!(server.count(FILED), 2);
    let uid = server.list_uids("INBOX")[0];
    assert!(!server.flags("INBOX", uid).contains(&"\\Seen".to_string()));
    let (ok, _, err) = cli(&setup, &["train", "--ham", "imap:No/Such/Folder"]);
    assert!(!ok && err.contains("No.Such.Folder"), "{err}");
}

#[test]
fn a_second_copy_or_a_reused_message_id_is_not_a_release() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("dup@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    // The same message delivered again (or a new one reusing its Message-ID): it
    // lacks the $Screened keyword screener set on the one it filed.
    server.append("INBOX", &ask("dup@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    let (_, contacts, _) = cli(&setup, &["contacts", "list"]);
    assert!(!contacts.contains("pat@pushy.example"), "{contacts}");
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("0 extractive, 0 ham"), "{stats}");
    assert!(!journal_of(&setup, "dup@x.example")[1].2.contains("policy:released"));
}

#[test]
fn release_moves_and_trusts_only_the_message_it_names() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    // The stranger's Message-ID contains pat's as a substring, and is filed first.
    server.append("INBOX", &ask("x1@x.example", "stranger@evil.example"), &[]);
    server.append("INBOX", &ask("1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 2);
    let id = journal_of(&setup, "1@x.example")[0].0.to_string();
    let (ok, out, err) = cli(&setup, &["release", &id]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("pat@pushy.example is now a known contact"), "{out}");
    assert_eq!(server.message_ids("INBOX"), vec!["<1@x.example>"]);
    assert_eq!(server.message_ids(FILED), vec!["<x1@x.example>"]);
    once(&setup);
    let (_, contacts, _) = cli(&setup, &["contacts", "list"]);
    assert!(!contacts.contains("stranger@evil.example"), "{contacts}");
    assert_eq!(server.count(FILED), 1, "the stranger's message stays filed");
}

#[test]
fn a_released_sender_with_non_ascii_capitals_is_still_known_after_a_restart() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("u1@x.example", "Ünal@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    once(&setup);
    // The next run is a new process: the contact comes from the state database.
    server.append("INBOX", &ask("u2@x.example", "Ünal@pushy.example"), &[]);
    let log = once(&setup);
    assert_eq!(server.count("INBOX"), 2, "a released sender is never screened again:\n{log}");
}

/// A contact form on the user's own site relays a stranger's words.
fn form(id: &str, author: &str) -> Vec<u8> {
    let raw = String::from_utf8(example("02-who-are-your-clients.eml")).unwrap();
    let raw = raw.replace(
        "From: Noelle Varga <noelle@brightbooks-outsourcing.example>",
        &format!("From: Website form <forms@bergstrom.example>\r\nReply-To: {author}"),
    );
    with_message_id(&raw, &format!("<{id}>"))
}

#[test]
fn releasing_a_contact_form_message_trusts_its_author_not_the_form() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &form("f1@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    let log = once(&setup);
    assert!(log.contains("pat@pushy.example is now a known contact"), "{log}");
    server.append("INBOX", &form("f2@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count("INBOX"), 2, "the author the user released is not screened again");
    // Another stranger using the same form still is.
    server.append("INBOX", &form("f3@x.example", "lee@elsewhere.example"), &[]);
    once(&setup);
    assert_eq!(server.message_ids(FILED), vec!["<f3@x.example>"]);
}

#[test]
fn without_move_a_train_leftover_does_not_undo_a_release() {
    use support::dovecot::Options;
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE", "UIDPLUS"], ..Options::default() });
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    once(&setup);
    server.append(TRAIN, &welcome(7), &[]);
    once(&setup);
    assert_eq!(server.count(FILED), 1);
    // The user changes their mind and moves the filed copy back to the inbox, while
    // the original, marked \Deleted, may still sit in Train.
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    let log = once(&setup);
    assert!(log.contains("learned as wanted mail"), "{log}");
    once(&setup);
    let (_, stats, _) = cli(&setup, &["train", "--stats"]);
    assert!(stats.contains("0 extractive, 1 ham"), "the release stands: {stats}");
    assert_eq!(server.count("INBOX"), 1);
}

#[test]
fn a_release_made_while_screener_was_down_after_a_crash_still_counts() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &ask("k1@x.example", "pat@pushy.example"), &[]);
    // Moved, but the journal entry was left pending.
    let (code, _) = setup.once(&[("SCREENERTEST_ABORT", "after-move")]);
    assert_ne!(code, 0);
    assert_eq!(server.count(FILED), 1);
    // While screener is down, the user moves it back.
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    let log = once(&setup);
    assert!(log.contains("pat@pushy.example is now a known contact"), "{log}");
    server.append("INBOX", &ask("k2@x.example", "pat@pushy.example"), &[]);
    once(&setup);
    assert_eq!(server.count("INBOX"), 2, "the sender the user released is not screened again");
}

#[test]
fn a_contact_added_on_the_command_line_reaches_the_running_daemon() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let daemon = setup.start(&[], &[]);
    daemon.wait_for_log("connected", std::time::Duration::from_secs(10));
    let (ok, out, err) = cli(&setup, &["contacts", "add", "pat@pushy.example"]);
    assert!(ok, "{out}{err}");
    server.append("INBOX", &ask("p1@x.example", "pat@pushy.example"), &[]);
    server.append("INBOX", &ask("s1@x.example", "stranger@elsewhere.example"), &[]);
    // The stranger's message is filed after pat's is decided: by then pat's is done.
    wait_until(std::time::Duration::from_secs(20), "the stranger's message filed", || count(&server, FILED) == 1);
    assert_eq!(server.message_ids(FILED), vec!["<s1@x.example>"], "{}", daemon.log());
    assert_eq!(server.message_ids("INBOX"), vec!["<p1@x.example>"]);
}

/// Messages of `label` from some training sets, copied into `dir`.
fn labelled(dir: &std::path::Path, label: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for set in ["training120", "training125", "training131", "training139", "training145"] {
        let from = repo().join("tests").join(set);
        for entry in std::fs::read_dir(&from).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.starts_with(label) && name.ends_with(".eml") {
                std::fs::copy(from.join(&name), dir.join(format!("{set}-{name}"))).unwrap();
            }
        }
    }
}

#[test]
fn tune_counts_what_each_threshold_would_really_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ex, ham) = (dir.path().join("ex"), dir.path().join("ham"));
    labelled(&ex, "extractive");
    labelled(&ham, "welcome");
    labelled(&ham, "legit");
    let out = tune_files(&ex, &ham);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    // Each table row against `screener score` run with that file threshold: the
    // learned weight speaks only near the threshold in place, so the rows can only
    // be right if tune replays each threshold.
    let mut checked = 0;
    for line in text.lines() {
        // "  2.0   97 ( 97.0%)    3 (  2.0%)", percentages dropped.
        let bare: String = line.split('(').map(|part| part.split_once(')').map_or(part, |(_, rest)| rest)).collect();
        let cols: Vec<&str> = bare.split_whitespace().collect();
        let Some(threshold) = cols.first().and_then(|t| t.parse::<f64>().ok()) else { continue };
        if !(1.0..=6.0).contains(&threshold) || cols.len() != 3 {
            continue;
        }
        let filed = |path: &std::path::Path| -> usize {
            let out = Command::new(env!("CARGO_BIN_EXE_screener"))
                .args(["score", "--json"])
                .arg(path)
                .env("SCREENER_SCORING__FILE_THRESHOLD", threshold.to_string())
                .env("SCREENER_SCORING__DECLINE_THRESHOLD", "50")
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.contains("\"action\":\"keep\"")).count()
        };
        assert_eq!(cols[1].parse::<usize>().unwrap(), filed(&ex), "extractive at {threshold}:\n{text}");
        assert_eq!(cols[2].parse::<usize>().unwrap(), filed(&ham), "wanted at {threshold}:\n{text}");
        checked += 1;
    }
    assert!(checked >= 5, "{text}");
}
