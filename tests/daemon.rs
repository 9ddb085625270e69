//! `screener run` against a real, private Dovecot: backlog and initial scans, IDLE,
//! MOVE and its fallback, exactly-once across restarts and crashes, UIDVALIDITY
//! changes, a server that dies, a wrong password, signals, TLS.

mod support;

use std::fs;
use std::time::{Duration, Instant};
use support::dovecot::{Dovecot, Options};
use support::run::*;

const FILED: &str = "Screened.Extractive";

#[test]
fn backlog_is_filed_kept_mail_untouched_and_seen_state_preserved() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let unread = server.append("INBOX", &extractive(1), &[]);
    let read = server.append("INBOX", &extractive(2), &["\\Seen"]);
    let kept = server.append("INBOX", &welcome(1), &[]);
    // The user's own message marked \Deleted must survive screener's expunges.
    let deleted = server.append("INBOX", &welcome(2), &["\\Deleted"]);

    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(server.mailboxes().contains(&FILED.to_string()), "folder created: {:?}\n{log}", server.mailboxes());
    assert_eq!(server.count(FILED), 2, "{log}");
    assert_eq!(server.list_uids("INBOX"), vec![kept, deleted]);
    assert!(server.flags("INBOX", deleted).contains(&"\\Deleted".to_string()));
    assert!(server.flags("INBOX", kept).iter().all(|f| f != "\\Seen"), "kept message stays unread");
    let filed = server.list_uids(FILED);
    let flags: Vec<Vec<String>> = filed.iter().map(|u| server.flags(FILED, *u)).collect();
    assert!(flags.iter().all(|f| f.contains(&"$Screened".to_string())), "{flags:?}");
    assert!(flags.iter().all(|f| f.iter().any(|k| k.starts_with("$Screened-"))), "{flags:?}");
    // Exactly one of the two filed messages was read before; MOVE kept that state.
    assert_eq!(flags.iter().filter(|f| f.contains(&"\\Seen".to_string())).count(), 1, "{flags:?}");
    let _ = (unread, read);
    assert!(log.contains("filed"), "one log line per action:\n{log}");
    // MOVE was offered, so no COPY fallback was used.
    assert!(server.client_commands().iter().any(|c| c.to_uppercase().contains("UID MOVE")));

    // Running again acts on nothing twice.
    let (code, log2) = setup.once(&[]);
    assert_eq!(code, 0, "{log2}");
    assert_eq!(server.count(FILED), 2);
    assert_eq!(setup.journal().len(), 4);
}

#[test]
fn initial_scan_new_leaves_old_mail_alone() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    server.append("INBOX", &extractive(1), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("INBOX"), 1, "a message from before the first start is not touched");
    server.append("INBOX", &extractive(2), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1, "{log}");
    assert_eq!(server.message_ids(FILED), vec!["<extractive-2@test.example>"]);
}

#[test]
fn initial_scan_unseen_takes_only_unread_mail() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"unseen\"");
    server.append("INBOX", &extractive(1), &["\\Seen"]);
    server.append("INBOX", &extractive(2), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.message_ids(FILED), vec!["<extractive-2@test.example>"]);
}

#[test]
fn without_move_copy_and_uid_expunge_spare_the_users_deleted_mail() {
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE"], ..Options::default() });
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let deleted = server.append("INBOX", &welcome(1), &["\\Deleted"]);
    server.append("INBOX", &extractive(1), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1);
    assert_eq!(server.list_uids("INBOX"), vec![deleted], "only the filed UID was expunged");
    let commands: Vec<String> = server.client_commands().iter().map(|c| c.to_uppercase()).collect();
    assert!(commands.iter().any(|c| c.contains("UID COPY")), "{commands:?}");
    assert!(commands.iter().any(|c| c.contains("UID EXPUNGE")), "{commands:?}");
    assert!(
        !commands
            .iter()
            .any(|c| c.contains(" MOVE ") || c.ends_with(" EXPUNGE") && !c.contains("UID") || c.contains(" CLOSE")),
        "{commands:?}"
    );
}

/// Without MOVE a crash can fall between COPY and the original's removal. The copy
/// is recognised by its Message-ID, or, for a message that has none, by its size and
/// header block: finishing the move must not file it a second time.
#[test]
fn a_crash_between_copy_and_expunge_is_finished_without_a_second_copy() {
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE"], ..Options::default() });
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let anonymous: String = String::from_utf8(extractive(2))
        .unwrap()
        .split_inclusive('\n')
        .filter(|line| !line.to_ascii_lowercase().starts_with("message-id:"))
        .collect();
    server.append("INBOX", &extractive(1), &[]);
    server.append("INBOX", anonymous.as_bytes(), &[]);
    let (code, _) = setup.once(&[("SCREENERTEST_ABORT", "after-copy")]);
    assert_ne!(code, 0, "the process was to abort");
    assert_eq!(server.count(FILED), 2, "both copied (one batch) before the crash");
    assert_eq!(server.count("INBOX"), 2, "neither original removed yet");
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(log.matches("reconciled: copy found, original removed").count(), 2, "{log}");
    assert_eq!(server.count(FILED), 2, "no second copy: {log}");
    assert_eq!(server.count("INBOX"), 0, "{log}");
    let journal = setup.journal();
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert!(journal.iter().all(|(_, _, o)| o == "done"), "{journal:?}");
}

#[test]
fn dry_run_changes_nothing_but_journals() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    let mut s = setup.start(&["--once", "--dry-run"], &[]);
    assert_eq!(s.wait(Duration::from_secs(30)), 0, "{}", s.log());
    assert_eq!(server.count("INBOX"), 1);
    assert!(!server.mailboxes().contains(&FILED.to_string()));
    assert!(s.log().contains("dry run"), "{}", s.log());
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "dry-run".to_string())]);
}

#[test]
fn a_message_appended_while_idle_is_filed_within_two_seconds() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300)); // let it enter IDLE
    server.append("INBOX", &extractive(1), &[]);
    let took = wait_until(Duration::from_secs(2), "the message to be filed", || count(&server, FILED) == 1);
    eprintln!("filed {took:?} after APPEND");
    assert_eq!(server.count("INBOX"), 0);
}

#[test]
fn sigterm_leaves_idle_logs_out_and_exits_zero_quickly() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let mut s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    s.signal("TERM");
    assert_eq!(s.wait(Duration::from_secs(5)), 0, "{}", s.log());
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(server.client_commands().iter().any(|c| c.to_uppercase().ends_with("LOGOUT")), "logged out");
}

#[test]
fn sigterm_during_a_backlog_finishes_cleanly_with_nothing_half_done() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    for n in 0..300 {
        server.append("INBOX", &if n % 2 == 0 { extractive(n) } else { welcome(n) }, &[]);
    }
    let mut s = setup.start(&[], &[]);
    s.wait_for_log("initial scan", Duration::from_secs(10));
    s.signal("TERM");
    assert_eq!(s.wait(Duration::from_secs(5)), 0, "{}", s.log());
    let journal = setup.journal();
    assert!(journal.iter().all(|(_, _, outcome)| outcome != "pending"), "{journal:?}");
    // Everything journaled as filed is in the folder; nothing else is. (The signal
    // may land before the first message is filed, when the folder does not exist.)
    let filed = journal.iter().filter(|(_, a, o)| a == "file" && o == "done").count();
    assert_eq!(server.count_or_zero(FILED), filed);
    assert_eq!(server.count("INBOX") + filed, 300);
    // A new start finishes the job without repeating any of it.
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 150);
    assert_eq!(server.count("INBOX"), 150);
}

/// Runs screener once and kills it right after it journals its first mailbox change.
fn crash_after_intent(setup: &Setup) {
    let (code, _) = setup.once(&[("SCREENERTEST_ABORT", "after-intent")]);
    assert_ne!(code, 0, "the process was to abort");
}

/// A folder the server will not create for now concerns every pending action, not
/// one: they stay pending for the next session instead of being marked failed for
/// good (the cursor is already past them, so nothing would pick them up again).
#[test]
fn a_folder_that_cannot_be_created_for_now_leaves_unfinished_actions_for_later() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    crash_after_intent(&setup);
    // A file where the folder's directory would go: Dovecot refuses the CREATE.
    let blocker = server.maildir().join(format!(".{FILED}"));
    std::fs::write(&blocker, "in the way").unwrap();
    let (code, log) = setup.once(&[]);
    assert_ne!(code, 0, "the session ends: {log}");
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "pending".to_string())], "{log}");
    std::fs::remove_file(&blocker).unwrap();
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1, "{log}");
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "done".to_string())], "{log}");
}

#[test]
fn crash_after_the_intent_is_reconciled_without_acting_twice() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    crash_after_intent(&setup);
    assert_eq!(server.count("INBOX"), 1, "nothing moved before the crash");
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "pending".to_string())]);
    // Initial scan again after the crash: the pending entry is reconciled, not redone blind.
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1);
    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "done".to_string())]);
    assert!(log.contains("reconciled: moved after restart"), "{log}");
}

#[test]
fn crash_after_the_move_is_reconciled_without_moving_again() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    server.append("INBOX", &extractive(2), &[]);
    let (code, _) = setup.once(&[("SCREENERTEST_ABORT", "after-move")]);
    assert_ne!(code, 0);
    assert_eq!(server.count(FILED), 2, "both moved (one batch) before the crash");
    assert_eq!(setup.journal().iter().filter(|(_, _, o)| o == "pending").count(), 2);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("reconciled: already in the target folder"), "{log}");
    assert_eq!(server.count(FILED), 2);
    assert_eq!(server.count("INBOX"), 0);
    let journal = setup.journal();
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert!(journal.iter().all(|(_, _, o)| o == "done"), "{journal:?}");
}

#[test]
fn a_folder_deleted_while_running_is_created_again() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    server.append("INBOX", &extractive(1), &[]);
    wait_until(Duration::from_secs(20), "the first message to be filed", || count(&server, FILED) == 1);
    // The user deletes the folder in their mail client; screener still believes it exists.
    server.doveadm(&["mailbox", "delete", "-u", server.user(), "-r", "-s", FILED]);
    assert!(!server.mailboxes().contains(&FILED.to_string()));
    server.append("INBOX", &extractive(2), &[]);
    wait_until(Duration::from_secs(20), "the second message to be filed", || count(&server, FILED) == 1);
    assert_eq!(server.message_ids(FILED), vec!["<extractive-2@test.example>"], "{}", s.log());
    assert!(s.log().contains("the folder is gone: creating it again"), "{}", s.log());
}

#[test]
fn reconciliation_needs_the_exact_message_id_in_the_target() {
    // IMAP's SEARCH HEADER matches substrings: a message in the target folder whose
    // Message-ID merely contains the pending one's must not be taken for its copy,
    // or the original would be deleted with no copy anywhere.
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let raw = String::from_utf8(extractive(1)).unwrap();
    server.append("INBOX", &with_message_id(&raw, "<1@t.example>"), &[]);
    crash_after_intent(&setup);
    server.create_mailbox(FILED);
    server.append(FILED, &with_message_id(&raw, "<21@t.example>"), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("reconciled: moved after restart"), "{log}");
    let mut ids = server.message_ids(FILED);
    ids.sort();
    assert_eq!(ids, vec!["<1@t.example>", "<21@t.example>"], "{log}");
    assert_eq!(server.count("INBOX"), 0);
}

#[test]
fn a_dry_run_leaves_an_interrupted_action_to_the_next_real_run() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    crash_after_intent(&setup);
    let (code, log) = setup.once_with(&["--dry-run"], &[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("leaving unfinished actions for the next real run"), "{log}");
    assert_eq!(server.count("INBOX"), 1, "a dry run changes nothing");
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "pending".to_string())]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1, "{log}");
    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(setup.journal(), vec![(1, "file".to_string(), "done".to_string())]);
}

#[test]
fn an_action_interrupted_before_a_uidvalidity_change_is_decided_again() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    crash_after_intent(&setup);
    let old = server.uidvalidity("INBOX");
    server.doveadm(&["mailbox", "update", "-u", server.user(), "--uid-validity", &(old + 1000).to_string(), "INBOX"]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    // Not left in the inbox for good as "already handled": the move never happened.
    assert_eq!(server.count(FILED), 1, "{log}");
    assert_eq!(server.count("INBOX"), 0, "{log}");
    let outcomes: Vec<String> = setup.journal().into_iter().map(|(_, _, o)| o).collect();
    assert_eq!(outcomes, vec!["superseded", "done"], "{log}");
}

#[test]
fn uidvalidity_change_does_not_act_again_on_journaled_mail() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    server.append("INBOX", &welcome(1), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1);
    // The user disagrees and moves the filed message back to the inbox, then the
    // server renumbers the mailbox (as after a restore).
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", FILED, "all"]);
    assert_eq!(server.count("INBOX"), 2);
    let old = server.uidvalidity("INBOX");
    server.doveadm(&["mailbox", "update", "-u", server.user(), "--uid-validity", &(old + 1000).to_string(), "INBOX"]);
    assert_ne!(server.uidvalidity("INBOX"), old);
    // A new message from another stranger (moving the first one back made its sender
    // a known contact).
    let other = String::from_utf8(example("03-linkedin-recommendation.eml")).unwrap();
    server.append("INBOX", &with_message_id(&other, "<other-2@test.example>"), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("UIDVALIDITY changed"), "{log}");
    // The message the user moved back stays; the new one is filed.
    assert_eq!(server.message_ids(FILED), vec!["<other-2@test.example>"], "{log}");
    assert_eq!(server.count("INBOX"), 2);
}

/// Mail that was in the inbox before screener began watching is left alone by
/// `initial_scan = "new"`, and a renumbered mailbox must not change that: only what
/// arrived since is screened again (and only if the journal does not know it).
#[test]
fn a_renumbered_mailbox_is_screened_again_only_for_mail_that_came_since() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"new\"");
    server.append("INBOX", &extractive(1), &[]);
    // INTERNALDATE counts whole seconds.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("INBOX"), 1, "there before screener: left alone");
    server.append("INBOX", &extractive(2), &[]);
    let old = server.uidvalidity("INBOX");
    server.doveadm(&["mailbox", "update", "-u", server.user(), "--uid-validity", &(old + 1000).to_string(), "INBOX"]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("UIDVALIDITY changed"), "{log}");
    assert_eq!(server.message_ids(FILED), vec!["<extractive-2@test.example>"], "{log}");
    assert_eq!(server.message_ids("INBOX"), vec!["<extractive-1@test.example>"], "{log}");
    // And the cursor is past both: a third run does nothing.
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("INBOX"), 1, "{log}");
    assert_eq!(setup.journal().len(), 1, "{log}");
}

#[test]
fn the_server_dying_during_idle_is_survived() {
    let mut server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    server.kill();
    std::thread::sleep(Duration::from_millis(500));
    server.restart();
    server.append("INBOX", &extractive(1), &[]);
    wait_until(Duration::from_secs(20), "the message to be filed after reconnecting", || count(&server, FILED) == 1);
    assert!(s.log().contains("reconnecting"), "{}", s.log());
}

#[test]
fn trace_logging_shows_neither_the_password_nor_the_mail() {
    // People turn on trace logging when a login fails: the IMAP library's own trace
    // of every command it sends (LOGIN with the password) and of every response (the
    // mail itself) must not reach screener's log.
    let server = Dovecot::start();
    server.append("INBOX", &extractive(1), &[]);
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let (code, log) = setup.once(&[("RUST_LOG", "trace")]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(count(&server, FILED), 1, "the run did its work:\n{log}");
    assert!(!log.contains(server.password()), "the password never appears in the log:\n{log}");
    assert!(!log.contains("LOGIN"), "no IMAP command is logged:\n{log}");
}

#[test]
fn a_wrong_password_is_reported_and_retried_slowly() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let text = fs::read_to_string(setup.config_path()).unwrap().replace(server.password(), "wrong-password");
    fs::write(setup.config_path(), text).unwrap();
    let s = setup.start(&[], &[]);
    s.wait_for_log("rejected the login", Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(3));
    let log = s.log();
    assert_eq!(log.matches("rejected the login").count(), 1, "no hot loop:\n{log}");
    assert!(log.contains("retrying in 5m"), "{log}");
    assert!(!log.contains("wrong-password"), "the password never appears in the log:\n{log}");
    // --once gives up at once with a non-zero exit.
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("rejected the login"), "{log}");
}

#[test]
fn sighup_reloads_a_good_file_and_refuses_a_broken_one() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    let good = fs::read_to_string(setup.config_path()).unwrap();

    // Broken: the old configuration stays and the daemon keeps working.
    fs::write(setup.config_path(), format!("{good}\n[scoring]\nfile_treshold = 1\n")).unwrap();
    s.signal("HUP");
    s.wait_for_log("reload failed", Duration::from_secs(5));
    assert!(s.log().contains("file_treshold"), "{}", s.log());
    server.append("INBOX", &extractive(1), &[]);
    wait_until(Duration::from_secs(5), "filing with the old configuration", || count(&server, FILED) == 1);

    // Good: a threshold so high nothing is filed, applied without reconnecting.
    fs::write(setup.config_path(), format!("{good}\n[scoring]\nfile_threshold = 900\ndecline_threshold = 900\n"))
        .unwrap();
    s.signal("HUP");
    s.wait_for_log("configuration reloaded", Duration::from_secs(5));
    assert_eq!(s.log().matches("connected").count(), 1, "no reconnect for a scoring change");
    server.append("INBOX", &extractive(2), &[]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(server.count(FILED), 1, "{}", s.log());
    assert_eq!(server.count("INBOX"), 1);
}

#[test]
fn implicit_tls_and_starttls_with_a_private_ca() {
    let server = Dovecot::start_with(Options { tls: true, ..Options::default() });
    for (tls, port) in [("implicit", server.tls_port()), ("starttls", server.port())] {
        let setup = Setup::new(&server, "initial_scan = \"all\"");
        let text = fs::read_to_string(setup.config_path())
            .unwrap()
            .replace("host = \"127.0.0.1\"", "host = \"localhost\"")
            .replace(&format!("port = {}", server.port()), &format!("port = {port}"))
            .replace("tls = \"none\"", &format!("tls = \"{tls}\"\nca_file = \"{}\"", server.ca_cert_path().display()));
        fs::write(setup.config_path(), text).unwrap();
        server.append("INBOX", &extractive(port as u32), &[]);
        let (code, log) = setup.once(&[]);
        assert_eq!(code, 0, "{tls}: {log}");
        // Without the private CA the certificate is refused.
        let text = fs::read_to_string(setup.config_path()).unwrap();
        let without_ca: String = text.lines().filter(|l| !l.starts_with("ca_file")).collect::<Vec<_>>().join("\n");
        fs::write(setup.config_path(), without_ca).unwrap();
        let (code, log) = setup.once(&[]);
        assert_eq!(code, 1, "{tls}: an unknown CA must be refused: {log}");
        assert!(log.contains("certificate") || log.contains("TLS"), "{log}");
    }
    assert_eq!(server.count(FILED), 2);
}

#[test]
fn without_idle_it_polls() {
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["IDLE"], ..Options::default() });
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("idle=false", Duration::from_secs(10));
    server.append("INBOX", &extractive(1), &[]);
    // poll_interval is 1 s in these tests.
    wait_until(Duration::from_secs(5), "the message to be filed by polling", || count(&server, FILED) == 1);
    assert!(!server.client_commands().iter().any(|c| c.to_uppercase().ends_with(" IDLE")));
}

#[test]
fn systemd_notifications_and_journald_log_lines() {
    use std::os::unix::net::UnixDatagram;
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let socket_path = setup.dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut s = setup.start(&[], &[("NOTIFY_SOCKET", socket_path.to_str().unwrap()), ("JOURNAL_STREAM", "8:1234")]);
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !(seen.contains("READY=1") && seen.contains("STATUS=watching INBOX")) {
        let n = socket.recv(&mut buf).unwrap_or_else(|e| panic!("no notification ({e}); got {seen:?}\n{}", s.log()));
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        seen.push('\n');
    }
    assert!(seen.contains("STATUS=watching INBOX: 0 filed, 0 declined today"), "{seen}");
    s.signal("TERM");
    assert_eq!(s.wait(Duration::from_secs(5)), 0);
    let n = socket.recv(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1"));
    // Under journald: a priority prefix, no timestamp, no colour codes.
    let log = s.log();
    let first = log.lines().next().unwrap();
    assert!(first.starts_with("<6>"), "{first}");
    assert!(!log.contains('\u{1b}') && !first.contains("2026-"), "{log}");
}

#[test]
fn json_logs_for_log_shippers() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &extractive(1), &[]);
    let mut s = setup.start(&["--once", "--log-format", "json"], &[]);
    assert_eq!(s.wait(Duration::from_secs(30)), 0);
    let log = s.log();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let filed = lines
        .iter()
        .find(|l| l["fields"]["message"].as_str().is_some_and(|m| m.starts_with("filed")))
        .expect("a filed line");
    assert_eq!(filed["level"], "INFO");
    assert_eq!(filed["fields"]["folder"], FILED);
    assert!(filed["fields"]["score"].as_f64().unwrap() >= 5.0);
}

#[test]
fn a_decline_is_drafted_by_default_and_a_dry_run_touches_nothing() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let text =
        fs::read_to_string(setup.config_path()).unwrap().replace("[imap]", "[decline]\nenabled = true\n\n[imap]");
    fs::write(setup.config_path(), text).unwrap();
    server.append("INBOX", &extractive(1), &[]);
    let mut dry = setup.start(&["--once", "--dry-run"], &[]);
    let code = dry.wait(Duration::from_secs(60));
    let log = dry.log();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("would decline"), "{log}");
    assert_eq!(server.count("INBOX"), 1, "a dry run moves nothing");
    assert_eq!(server.count("Drafts"), 0, "a dry run appends nothing");

    // The real run: the original is filed, the reply waits in Drafts.
    for suffix in ["", "-wal", "-shm"] {
        let _ = fs::remove_file(format!("{}{suffix}", setup.state_path().display()));
    }
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("Screened.Declined"), 1, "{log}");
    assert_eq!(server.count("Drafts"), 1, "{log}");
    assert!(log.contains("decline drafted"), "{log}");
    assert_eq!(setup.journal(), vec![(1, "decline".to_string(), "done".to_string())]);
}

#[test]
fn without_move_or_uidplus_the_original_is_flagged_and_left_for_the_client() {
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE", "UIDPLUS"], ..Options::default() });
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    server.append("INBOX", &welcome(1), &["\\Deleted"]);
    server.append("INBOX", &extractive(1), &[]);
    server.append("INBOX", &extractive(2), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 2);
    // Nothing was expunged: the copies' originals wait, flagged, for the user's client.
    assert_eq!(server.count("INBOX"), 3);
    for uid in server.list_uids("INBOX") {
        assert!(server.flags("INBOX", uid).contains(&"\\Deleted".to_string()));
    }
    assert_eq!(log.matches("neither MOVE nor UIDPLUS").count(), 1, "said once:\n{log}");
    let commands: Vec<String> = server.client_commands().iter().map(|c| c.to_uppercase()).collect();
    assert!(!commands.iter().any(|c| c.contains("EXPUNGE") || c.contains(" CLOSE")), "{commands:?}");
}

#[test]
fn the_password_can_come_from_a_systemd_credential() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"");
    let text = fs::read_to_string(setup.config_path()).unwrap();
    let text: String = text.lines().filter(|l| !l.starts_with("password")).map(|l| format!("{l}\n")).collect();
    fs::write(setup.config_path(), text).unwrap();
    let creds = setup.dir.path().join("creds");
    fs::create_dir(&creds).unwrap();
    fs::write(creds.join("imap-password"), format!("{}\n", server.password())).unwrap();
    server.append("INBOX", &extractive(1), &[]);
    let (code, log) = setup.once(&[("CREDENTIALS_DIRECTORY", creds.to_str().unwrap())]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count(FILED), 1);
    // Without it, `run` says what is missing.
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 1);
    assert!(log.contains("imap.password"), "{log}");
}

#[test]
fn sighup_with_new_connection_settings_reconnects() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    let text = fs::read_to_string(setup.config_path()).unwrap().replace("mailbox = \"INBOX\"", "");
    fs::write(setup.config_path(), text.replace("[imap]", "[imap]\nmailbox = \"Archive\"")).unwrap();
    s.signal("HUP");
    s.wait_for_log("mailbox=Archive", Duration::from_secs(10));
    assert!(s.log().contains("reconnect=true"), "{}", s.log());
}

#[test]
fn a_silently_dead_connection_is_noticed_within_idle_timeout_plus_the_done_timeout() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "");
    let text =
        fs::read_to_string(setup.config_path()).unwrap().replace("idle_timeout = \"30s\"", "idle_timeout = \"10s\"");
    fs::write(setup.config_path(), text).unwrap();
    let s = setup.start(&[], &[]);
    s.wait_for_log("connected", Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(300));
    let frozen = Instant::now();
    server.pause();
    // 10 s of IDLE, then at most 15 s for an answer to DONE.
    s.wait_for_log("the connection is dead", Duration::from_secs(30));
    let noticed = frozen.elapsed();
    server.resume();
    assert!(noticed <= Duration::from_secs(27), "noticed after {noticed:?}");
    // And it comes back on its own once the server answers again.
    server.append("INBOX", &extractive(1), &[]);
    wait_until(Duration::from_secs(70), "filing after the server thawed", || count(&server, FILED) == 1);
}

/// A plain IMAP session with the library's own `Connection`, for tests of it alone.
fn imap_session(server: &Dovecot) -> (tokio::runtime::Runtime, screener::imap::Connection) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("s.toml"),
        format!(
            "[imap]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"{}\"\n",
            server.port(),
            server.user()
        ),
    )
    .unwrap();
    let config = screener::config::load_with_env(Some(&dir.path().join("s.toml")), Some(Default::default())).unwrap();
    let password = screener::secret::Secret::new(server.password());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let conn = runtime.block_on(screener::imap::Connection::connect(&config.imap, &password)).unwrap();
    (runtime, conn)
}

#[test]
fn special_use_folders_are_found_by_their_attributes() {
    use screener::imap::SpecialUse;
    let server = Dovecot::start();
    let (runtime, mut conn) = imap_session(&server);
    runtime.block_on(async {
        assert_eq!(conn.special_use(SpecialUse::Sent).await.unwrap().as_deref(), Some("Sent"));
        assert_eq!(conn.special_use(SpecialUse::Drafts).await.unwrap().as_deref(), Some("Drafts"));
        conn.logout().await;
    });
}

#[test]
fn a_mailbox_renumbered_while_another_folder_was_selected_ends_the_session() {
    let server = Dovecot::start();
    let (runtime, mut conn) = imap_session(&server);
    runtime.block_on(async {
        let first = conn.select("INBOX").await.unwrap();
        conn.select("Sent").await.unwrap();
        // Selecting the same numbering again is fine.
        assert_eq!(conn.select("INBOX").await.unwrap().uidvalidity, first.uidvalidity);
        conn.select("Sent").await.unwrap();
        let renumbered = (first.uidvalidity + 1000).to_string();
        server.doveadm(&["mailbox", "update", "-u", server.user(), "--uid-validity", &renumbered, "INBOX"]);
        let e = conn.select("INBOX").await.expect_err("the old UIDs must not be used");
        let words = format!("{e:#}");
        assert!(words.contains("UIDVALIDITY of INBOX changed") && words.contains("resynchronize"), "{words}");
    });
}
