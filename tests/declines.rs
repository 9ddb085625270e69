//! Declines end to end: `screener run` against a private Dovecot, sending through a
//! real SMTP server (aiosmtpd) that delivers into that Dovecot over LMTP, so each
//! test reads the reply back as delivered mail. Covers the eligibility matrix, the
//! per-sender and hourly limits, draft mode, the Sent copy, header injection, SMTP
//! down then up, a crash between send and ledger, a 5xx, and TLS.

mod support;

use screener::state::{DeclineRow, DeclineStatus, State};
use std::time::Duration;
use support::dovecot::Dovecot;
use support::run::*;
use support::smtp::{Smtp, SmtpOptions, SmtpTls};

const DECLINED: &str = "Screened.Declined";
const FILED: &str = "Screened.Extractive";
const BODY: &str = "Hi Hank,\r\n\r\nQuick question: who are your clients? We run outsourced bookkeeping for\r\nfamily businesses, and I suspect many of yours could use us.\r\n\r\nIf you send me a list of your clients with an email for each, I'll reach\r\nout myself and mention that you sent me.\r\n\r\nNoelle\r\n";

/// A client-fishing message from `local@domain`, authenticated by Hank's server:
/// it is declined unless `extra` headers say otherwise.
fn ask(n: u32, local: &str, domain: &str, extra: &str) -> Vec<u8> {
    format!(
        "Return-Path: <{local}@{domain}>\r\n\
         Authentication-Results: mx.bergstrom.example; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}\r\n\
         From: Noelle Varga <{local}@{domain}>\r\n\
         To: Hank Bergstrom <hank@bergstrom.example>\r\n\
         Subject: Who are your clients?\r\n\
         Date: Tue, 3 Nov 2026 10:15:52 -0800\r\n\
         Message-ID: <ask-{n}@{domain}>\r\n\
         {extra}\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{BODY}"
    )
    .into_bytes()
}

fn smtp_section(smtp: &Smtp, tls: &str, extra: &str) -> String {
    let ca = smtp.ca_cert_path();
    format!(
        "\n[smtp]\nhost = \"{host}\"\nport = {port}\ntls = \"{tls}\"\nusername = \"{user}\"\npassword = \"{pw}\"\n\
         ca_file = \"{ca}\"\ntimeout = \"5s\"\nretry_initial = \"1s\"\n{extra}\n",
        host = if tls == "none" { "127.0.0.1" } else { "localhost" },
        port = smtp.port(),
        user = smtp.username(),
        pw = smtp.password(),
        ca = ca.display(),
    )
}

/// Dovecot, an SMTP server delivering into it, and a config that sends declines.
fn send_setup(options: SmtpOptions, decline_extra: &str) -> (Dovecot, Smtp, Setup) {
    let server = Dovecot::start();
    let tls = match options.tls {
        SmtpTls::None => "none",
        SmtpTls::StartTls => "starttls",
        SmtpTls::Implicit => "implicit",
    };
    let smtp = Smtp::start(&server, options);
    let extra = format!(
        "initial_scan = \"all\"\n[decline]\nenabled = true\nmode = \"send\"\n{decline_extra}\n{}",
        smtp_section(&smtp, tls, "")
    );
    let setup = Setup::new(&server, &extra);
    (server, smtp, setup)
}

fn ledger(setup: &Setup) -> Vec<DeclineRow> {
    State::open(&setup.state_path()).unwrap().all_declines().unwrap()
}

/// (Message-ID, action, reasons JSON) of every journal entry.
fn journal_reasons(setup: &Setup) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(setup.state_path()).unwrap();
    let mut stmt = conn.prepare("SELECT coalesce(message_id, ''), action, reasons FROM journal ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

fn run_once(setup: &Setup, smtp: &Smtp) -> String {
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}\nSMTP server:\n{}", smtp.log());
    log
}

fn delivered(server: &Dovecot, smtp: &Smtp) -> usize {
    count(server, smtp.mailbox())
}

#[test]
fn a_decline_is_sent_once_threaded_and_copied_to_sent() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let log = run_once(&setup, &smtp);

    assert_eq!(delivered(&server, &smtp), 1, "{log}\n{}", smtp.log());
    let mailbox = smtp.mailbox();
    assert_eq!(server.headers(mailbox, "X-Test-Rcpt-To"), vec!["noelle@brightbooks.example"]);
    assert_eq!(server.headers(mailbox, "X-Test-Mail-From"), vec!["hank@bergstrom.example"]);
    assert_eq!(server.headers(mailbox, "Auto-Submitted"), vec!["auto-replied"]);
    assert_eq!(server.headers(mailbox, "X-Auto-Response-Suppress"), vec!["All"]);
    assert_eq!(server.headers(mailbox, "In-Reply-To"), vec!["<ask-1@brightbooks.example>"]);
    assert_eq!(server.headers(mailbox, "References"), vec!["<ask-1@brightbooks.example>"]);
    assert_eq!(server.headers(mailbox, "Subject"), vec!["Auto: Who are your clients?"]);
    let id = server.message_ids(mailbox).pop().unwrap();
    assert!(id.ends_with("@bergstrom.example>"), "{id}");
    let body = server.raw_messages(mailbox).pop().unwrap();
    assert!(body.contains("Hi Noelle,") && body.contains("Hank Bergstrom"), "{body}");
    assert!(!body.contains("outsourced bookkeeping"), "the original is not echoed: {body}");

    // The original is in the declined folder, the copy in Sent, read.
    assert_eq!(count(&server, DECLINED), 1);
    assert_eq!(server.count("INBOX"), 0);
    assert_eq!(server.message_ids("Sent"), vec![id]);
    let sent_uid = server.list_uids("Sent")[0];
    assert!(server.flags("Sent", sent_uid).contains(&"\\Seen".to_string()));
    let rows = ledger(&setup);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].status, rows[0].copied), (DeclineStatus::Sent, true));
    assert!(log.contains("decline sent"), "{log}");

    // Nothing is sent twice.
    run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 1);
}

#[test]
fn every_exclusion_files_without_a_reply_and_says_why() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    let no_return_path = String::from_utf8(ask(9, "rp", "norp.example", ""))
        .unwrap()
        .replace("Return-Path: <rp@norp.example>\r\n", "")
        // A server that records no DMARC verdict: the From domain is authenticated by
        // DKIM and SPF, and only the missing Return-Path stands in the way.
        .replace("; dmarc=pass header.from=norp.example", "");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (ask(1, "a", "list.example", "List-Id: <club.list.example>\r\n"), "List-Id"),
        (ask(2, "b", "auto.example", "Auto-Submitted: auto-generated\r\n"), "Auto-Submitted"),
        (ask(3, "c", "bulk.example", "Precedence: bulk\r\n"), "Precedence"),
        (ask(4, "d", "oof.example", "X-Auto-Response-Suppress: All\r\n"), "X-Auto-Response-Suppress"),
        (
            String::from_utf8(ask(5, "e", "null.example", ""))
                .unwrap()
                .replace("Return-Path: <e@null.example>", "Return-Path: <>")
                .into_bytes(),
            "Return-Path is null",
        ),
        (ask(6, "noreply", "robot.example", ""), "robot address"),
        (
            String::from_utf8(ask(7, "g", "bcc.example", ""))
                .unwrap()
                .replace("To: Hank Bergstrom <hank@bergstrom.example>", "To: undisclosed-recipients:;")
                .into_bytes(),
            "not addressed to you",
        ),
        (
            String::from_utf8(ask(8, "h", "forged.example", ""))
                .unwrap()
                .replace("dkim=pass header.d=forged.example", "dkim=fail header.d=forged.example")
                .into_bytes(),
            "authentication failure",
        ),
        (no_return_path.into_bytes(), "no Return-Path"),
    ];
    for (raw, _) in &cases {
        server.append("INBOX", raw, &[]);
    }
    server.append("INBOX", &ask(99, "ok", "fine.example", ""), &[]);
    let log = run_once(&setup, &smtp);

    let transactions = smtp.transactions();
    assert_eq!(transactions.len(), 1, "{transactions:?}\n{log}");
    assert_eq!(transactions[0].rcpt_to, vec!["ok@fine.example"]);
    let journal = journal_reasons(&setup);
    for (n, (_, why)) in cases.iter().enumerate() {
        let n = n + 1;
        let entry = journal
            .iter()
            .find(|(id, _, _)| id.starts_with(&format!("ask-{n}@")))
            .unwrap_or_else(|| panic!("case {n} not journaled: {journal:?}"));
        assert_eq!(entry.1, "file", "case {n} ({why}): {entry:?}");
        assert!(entry.2.to_lowercase().contains(&why.to_lowercase()), "case {n}: expected {why:?} in {}", entry.2);
    }
    assert_eq!(count(&server, FILED), cases.len());
    assert_eq!(count(&server, DECLINED), 1);
}

#[test]
fn one_decline_per_sender_and_an_hourly_brake() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "max_per_hour = 2");
    server.append("INBOX", &ask(1, "ann", "a.example", ""), &[]);
    server.append("INBOX", &ask(2, "ann", "a.example", ""), &[]);
    server.append("INBOX", &ask(3, "bob", "b.example", ""), &[]);
    server.append("INBOX", &ask(4, "cat", "c.example", ""), &[]);
    server.append("INBOX", &ask(5, "dan", "d.example", ""), &[]);
    let socket_path = setup.dir.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    let (code, log) = setup.once(&[("NOTIFY_SOCKET", socket_path.to_str().unwrap())]);
    assert_eq!(code, 0, "{log}");
    socket.set_nonblocking(true).unwrap();
    let mut notes = String::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = socket.recv(&mut buf) {
        notes.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(notes.contains("decline brake on (2 an hour)"), "the STATUS line says so: {notes}");

    let rcpts: Vec<String> = smtp.transactions().iter().map(|t| t.rcpt_to.join(",")).collect();
    assert_eq!(rcpts, vec!["ann@a.example", "bob@b.example"], "{log}");
    let journal = journal_reasons(&setup);
    let reasons = |n: u32| journal.iter().find(|(id, _, _)| id.starts_with(&format!("ask-{n}@"))).unwrap().clone();
    assert!(reasons(2).2.contains("policy:per-sender-limit") && reasons(2).1 == "file", "{:?}", reasons(2));
    for n in [4, 5] {
        assert!(reasons(n).2.contains("policy:hourly-limit") && reasons(n).1 == "file", "{:?}", reasons(n));
    }
    assert_eq!(log.matches("decline brake").count(), 1, "warned once:\n{log}");
    assert_eq!(count(&server, DECLINED), 2);
    assert_eq!(count(&server, FILED), 3);
}

/// Withdrawing a draft selects Drafts. The running daemon must go back to the inbox
/// before it looks for new mail there: with Drafts still selected, its UIDs (here
/// above the inbox's) were once taken for inbox UIDs, journaled, and the inbox
/// cursor moved past mail that then was never screened.
#[test]
fn after_withdrawing_a_draft_the_daemon_screens_the_inbox_again() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"\n[decline]\nenabled = true\nmode = \"draft\"\n");
    for n in 1..=5 {
        let draft = format!(
            "From: Hank Bergstrom <hank@bergstrom.example>\r\nTo: x@y.example\r\nSubject: draft {n}\r\n\
             Message-ID: <draft-{n}@bergstrom.example>\r\n\r\nunfinished\r\n"
        );
        server.append("Drafts", draft.as_bytes(), &["\\Draft"]);
    }
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let daemon = setup.start(&[], &[]);
    wait_until(Duration::from_secs(30), "the first reply drafted", || server.count("Drafts") == 6);
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", DECLINED, "all"]);
    daemon.wait_for_log("drafted decline removed", Duration::from_secs(30));

    server.append("INBOX", &ask(2, "pat", "pushy.example", ""), &[]);
    wait_until(Duration::from_secs(30), "the new message screened", || count(&server, DECLINED) == 1);
    assert_eq!(server.count("INBOX"), 1, "only the released original stays: {}", daemon.log());
    assert_eq!(server.count("Drafts"), 6, "the user's five drafts and the new reply: {}", daemon.log());
    // The first ask, its return to the inbox (kept: the user released it), the second
    // ask; nothing from Drafts.
    let journal = setup.journal();
    let expected = [(1, "decline", "done"), (2, "keep", "done"), (3, "decline", "done")];
    assert_eq!(journal, expected.map(|(u, a, o)| (u, a.to_string(), o.to_string())), "{}", daemon.log());
}

#[test]
fn draft_mode_puts_the_reply_in_drafts_and_sends_nothing() {
    let server = Dovecot::start();
    let setup = Setup::new(&server, "initial_scan = \"all\"\n[decline]\nenabled = true\nmode = \"draft\"\n");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("Drafts"), 1, "{log}");
    let uid = server.list_uids("Drafts")[0];
    assert!(server.flags("Drafts", uid).contains(&"\\Draft".to_string()));
    assert_eq!(count(&server, "Sent"), 0);
    assert_eq!(count(&server, DECLINED), 1);
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Drafted);
    assert!(log.contains("decline drafted"), "{log}");
    let (code, _) = setup.once(&[]);
    assert_eq!(code, 0);
    assert_eq!(server.count("Drafts"), 1, "never drafted twice");

    // The user disagrees and moves the original back: the draft goes too, so that it
    // cannot be sent by mistake.
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", DECLINED, "all"]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(server.count("INBOX"), 1, "kept: {log}");
    assert_eq!(server.count("Drafts"), 0, "{log}");
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Cancelled);
    assert!(log.contains("drafted decline removed"), "{log}");
}

#[test]
fn hostile_names_and_subjects_cannot_add_headers_or_recipients() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    let raw = String::from_utf8(ask(1, "eve", "evil.example", ""))
        .unwrap()
        .replace(
            "From: Noelle Varga <eve@evil.example>",
            "From: =?utf-8?q?Eve=0D=0ABcc:_victim@target.example=0D=0AX-Evil:_1?= <eve@evil.example>",
        )
        .replace(
            "Subject: Who are your clients?",
            "Subject: =?utf-8?q?Who_are_your_clients=3F=0D=0ABcc:_victim2@target.example=0D=0A=0D=0Abody?=",
        );
    server.append("INBOX", raw.as_bytes(), &[]);
    let log = run_once(&setup, &smtp);

    let transactions = smtp.transactions();
    assert_eq!(transactions.len(), 1, "{log}");
    assert_eq!(transactions[0].rcpt_to, vec!["eve@evil.example"], "one recipient, the sender");
    let mailbox = smtp.mailbox();
    assert_eq!(server.headers(mailbox, "Bcc"), vec![""], "no Bcc header");
    assert_eq!(server.headers(mailbox, "X-Evil"), vec![""]);
    let subject = server.headers(mailbox, "Subject").pop().unwrap();
    assert!(subject.contains("Bcc: victim2@target.example"), "kept as text in the subject: {subject}");
}

#[test]
fn smtp_down_then_up_delivers_exactly_one_reply_across_a_restart() {
    let (server, mut smtp, setup) = send_setup(SmtpOptions::default(), "");
    smtp.stop();
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let (code, log) = setup.once(&[]);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("decline queued"), "{log}");
    let rows = ledger(&setup);
    assert_eq!(rows[0].status, DeclineStatus::Queued, "{rows:?}");
    // The original waits in the declined folder meanwhile.
    assert_eq!(count(&server, DECLINED), 1);

    smtp.start_again();
    // The retry is due after smtp.retry_initial (1 s, plus jitter); a daemon started now
    // waits for it and sends.
    let daemon = setup.start(&[], &[]);
    wait_until(Duration::from_secs(15), "the queued reply", || delivered(&server, &smtp) == 1);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(delivered(&server, &smtp), 1, "exactly one:\n{}", daemon.log());
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Sent);
    assert_eq!(server.count("Sent"), 1, "one copy in Sent");
}

#[test]
fn smtp_back_while_running_delivers_the_queued_reply() {
    let (server, mut smtp, setup) = send_setup(SmtpOptions::default(), "");
    smtp.stop();
    let daemon = setup.start(&[], &[]);
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    daemon.wait_for_log("decline queued", Duration::from_secs(10));
    smtp.start_again();
    wait_until(Duration::from_secs(15), "the queued reply", || delivered(&server, &smtp) == 1);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(delivered(&server, &smtp), 1, "{}", daemon.log());
}

#[test]
fn a_crash_after_the_server_took_the_reply_never_sends_it_again() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let (code, log) = setup.once(&[("SCREENERTEST_ABORT", "after-send")]);
    assert_ne!(code, 0, "the hook aborts the process:\n{log}");
    assert_eq!(delivered(&server, &smtp), 1);
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Sending, "the crash left the ledger behind");

    let log = run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 1, "no second reply:\n{log}");
    assert_eq!(delivered(&server, &smtp), 1);
    assert!(log.contains("not sent again"), "{log}");
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Sent);
}

/// A reply that may have left stays a sent reply even when the configuration changed
/// before the restart: cancelling it would delete its copy from Sent and stop it
/// counting for the per-sender limit.
#[test]
fn a_reply_interrupted_while_sending_stays_sent_after_declines_are_switched_off() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let (code, log) = setup.once(&[("SCREENERTEST_ABORT", "after-send")]);
    assert_ne!(code, 0, "the hook aborts the process:\n{log}");
    let (code, log) = setup.once(&[("SCREENER_DECLINE__ENABLED", "false")]);
    assert_eq!(code, 0, "{log}");
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Sent, "{log}");
    assert_eq!(count(&server, "Sent"), 1, "its copy stays: {log}");
    assert_eq!(smtp.transactions().len(), 1);
}

#[test]
fn a_crash_before_the_move_finishes_still_sends_exactly_one_reply() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let (code, _) = setup.once(&[("SCREENERTEST_ABORT", "after-intent")]);
    assert_ne!(code, 0);
    assert_eq!(smtp.transactions().len(), 0, "nothing sent before the original is filed");
    run_once(&setup, &smtp);
    run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 1);
    assert_eq!(count(&server, DECLINED), 1);
}

#[test]
fn a_permanent_refusal_is_recorded_with_the_servers_words_and_not_retried() {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    smtp.set_reply(Some("550 5.7.1 Recipient refused by local policy"));
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let log = run_once(&setup, &smtp);
    let rows = ledger(&setup);
    assert_eq!(rows[0].status, DeclineStatus::Failed, "{log}");
    assert!(rows[0].detail.as_deref().unwrap_or("").contains("refused by local policy"), "{rows:?}");
    assert!(log.contains("refused by local policy"), "{log}");
    assert_eq!(count(&server, "Sent"), 0, "no copy claims a reply that never left");
    smtp.set_reply(None);
    run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 1, "not retried");
    assert_eq!(delivered(&server, &smtp), 0);
}

/// A decline the SMTP server refused for now (451): queued, its copy already in Sent.
fn queued_after_a_temporary_refusal() -> (Dovecot, Smtp, Setup) {
    let (server, smtp, setup) = send_setup(SmtpOptions::default(), "");
    smtp.set_reply(Some("451 4.3.0 Try again later"));
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    run_once(&setup, &smtp);
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Queued);
    assert_eq!(count(&server, "Sent"), 1, "the copy is made before the first attempt");
    (server, smtp, setup)
}

#[test]
fn a_temporary_refusal_is_retried() {
    let (server, smtp, setup) = queued_after_a_temporary_refusal();
    smtp.set_reply(None);
    std::thread::sleep(Duration::from_millis(2500));
    run_once(&setup, &smtp);
    assert_eq!(delivered(&server, &smtp), 1);
    assert_eq!(server.count("Sent"), 1, "the copy made before the first attempt is not made again");
}

#[test]
fn a_reply_given_up_after_three_days_takes_its_sent_copy_with_it() {
    let (server, smtp, setup) = queued_after_a_temporary_refusal();
    // Three days of temporary failures, compressed: the reply is made older than the
    // retry window and due now.
    let db = rusqlite::Connection::open(setup.state_path()).unwrap();
    db.execute("UPDATE decline SET created_at = created_at - 4 * 86400, next_attempt_at = 0", []).unwrap();
    drop(db);
    let log = run_once(&setup, &smtp);
    let row = &ledger(&setup)[0];
    assert_eq!(row.status, DeclineStatus::Failed, "{log}");
    assert!(row.detail.as_deref().unwrap_or("").contains("gave up after 3 days"), "{row:?}");
    assert_eq!(delivered(&server, &smtp), 0);
    assert_eq!(count(&server, "Sent"), 0, "Sent never shows a reply nobody received:\n{log}");
}

#[test]
fn a_released_message_takes_its_unsent_reply_and_its_sent_copy_with_it() {
    let (server, smtp, setup) = queued_after_a_temporary_refusal();
    // The user disagrees and moves the original back to the inbox.
    server.doveadm(&["move", "-u", server.user(), "INBOX", "mailbox", DECLINED, "all"]);
    smtp.set_reply(None);
    std::thread::sleep(Duration::from_millis(2500));
    let log = run_once(&setup, &smtp);
    assert_eq!(delivered(&server, &smtp), 0, "{log}");
    let row = &ledger(&setup)[0];
    assert_eq!(row.status, DeclineStatus::Cancelled, "{row:?}");
    assert_eq!(count(&server, "Sent"), 0, "Sent never shows a reply nobody received:\n{log}");
}

#[test]
fn the_rules_apply_again_at_send_time() {
    let (server, mut smtp, setup) = send_setup(SmtpOptions::default(), "");
    smtp.stop();
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    run_once(&setup, &smtp);
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Queued);
    // Meanwhile the user adds the sender to the known contacts.
    let config = std::fs::read_to_string(setup.config_path())
        .unwrap()
        .replace("known = [\"@bergstrom.example\"", "known = [\"@brightbooks.example\", \"@bergstrom.example\"");
    std::fs::write(setup.config_path(), config).unwrap();
    smtp.start_again();
    std::thread::sleep(Duration::from_millis(2500));
    run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 0);
    let row = &ledger(&setup)[0];
    assert_eq!(row.status, DeclineStatus::Cancelled);
    assert!(row.detail.as_deref().unwrap_or("").contains("known contact"), "{row:?}");
    assert_eq!(count(&server, "Sent"), 0, "the copy of a reply that never left is removed");
}

#[test]
fn starttls_with_auth_and_a_private_ca() {
    let (server, smtp, setup) = send_setup(SmtpOptions { tls: SmtpTls::StartTls, auth: true }, "");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    run_once(&setup, &smtp);
    let t = smtp.transactions();
    assert_eq!(t.len(), 1);
    assert!(t[0].accepted && t[0].tls, "{t:?}");
    assert_eq!(t[0].username.as_deref(), Some(smtp.username()));
}

#[test]
fn implicit_tls_and_the_null_sender() {
    let (server, smtp, setup) = send_setup(SmtpOptions { tls: SmtpTls::Implicit, auth: true }, "null_sender = true");
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    run_once(&setup, &smtp);
    let t = smtp.transactions();
    assert_eq!(t.len(), 1);
    assert!(t[0].accepted && t[0].tls, "{t:?}");
    assert_eq!(t[0].mail_from, "", "MAIL FROM:<>");
}

#[test]
fn an_untrusted_certificate_is_refused_and_the_reply_waits() {
    let (server, smtp, setup) = send_setup(SmtpOptions { tls: SmtpTls::StartTls, auth: true }, "");
    // Without the private CA the server's certificate cannot be verified.
    let config = std::fs::read_to_string(setup.config_path()).unwrap();
    let config: String = config.lines().filter(|l| !l.starts_with("ca_file")).collect::<Vec<_>>().join("\n");
    std::fs::write(setup.config_path(), config).unwrap();
    server.append("INBOX", &ask(1, "noelle", "brightbooks.example", ""), &[]);
    let log = run_once(&setup, &smtp);
    assert_eq!(smtp.transactions().len(), 0, "{log}");
    assert_eq!(ledger(&setup)[0].status, DeclineStatus::Queued);
    assert!(log.to_lowercase().contains("certificate"), "{log}");
}
