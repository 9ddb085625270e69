//! The Dovecot test harness itself (tests/support/dovecot.rs): the IMAP daemon's tests rely on
//! it starting a real server, seeding and inspecting mail, hiding capabilities, serving TLS, and
//! crashing and coming back on demand.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::dovecot::{Dovecot, Imap, Options};

fn message(id: &str, subject: &str) -> Vec<u8> {
    format!("From: Ann <ann@friend.example>\r\nTo: hank@bergstrom.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\nHello.\r\n")
        .into_bytes()
}

fn capabilities(imap: &mut Imap) -> Vec<String> {
    let response = imap.command("CAPABILITY");
    let line = response.iter().find_map(|line| line.strip_prefix("* CAPABILITY ")).expect("CAPABILITY line");
    line.split(' ').map(str::to_owned).collect()
}

fn refuses_connections(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err()
}

#[test]
fn appended_messages_can_be_inspected() {
    let server = Dovecot::start();
    assert!(server.maildir().is_dir());
    assert!(server.config_path().is_file());
    assert_eq!(server.count("INBOX"), 0);

    let first = server.append("INBOX", &message("one@friend.example", "One"), &[]);
    let second = server.append("INBOX", &message("two@friend.example", "Two"), &["\\Seen", "\\Flagged"]);
    assert!(first < second);
    assert_eq!(server.list_uids("INBOX"), vec![first, second]);
    assert_eq!(server.message_ids("INBOX"), vec!["<one@friend.example>", "<two@friend.example>"]);
    assert_eq!(server.count("INBOX"), 2);
    assert!(server.flags("INBOX", first).is_empty());
    assert_eq!(server.flags("INBOX", second), vec!["\\Flagged", "\\Seen"]);
    assert!(server.uidvalidity("INBOX") > 0);

    let mailboxes = server.mailboxes();
    for special in ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"] {
        assert!(mailboxes.iter().any(|name| name == special), "{special} missing from {mailboxes:?}");
    }
    server.create_mailbox("Screener.Declined");
    assert!(server.mailboxes().iter().any(|name| name == "Screener.Declined"));
    let uid = server.append("Screener.Declined", b"Subject: no id\r\n\r\nx\r\n", &[]);
    assert_eq!(server.list_uids("Screener.Declined"), vec![uid]);
    assert_eq!(server.message_ids("Screener.Declined"), vec![""]);
}

#[test]
fn speaks_imap_with_idle_and_move() {
    let server = Dovecot::start();
    server.append("INBOX", &message("one@friend.example", "One"), &[]);
    let mut imap = server.login();
    let capabilities = capabilities(&mut imap);
    for wanted in ["IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "SPECIAL-USE"] {
        assert!(capabilities.iter().any(|cap| cap == wanted), "{wanted} missing from {capabilities:?}");
    }
    let selected = imap.command("SELECT INBOX");
    assert_eq!(Imap::status(&selected), "OK", "{selected:?}");
    assert!(selected.iter().any(|line| line == "* 1 EXISTS"), "{selected:?}");

    let list = imap.command("LIST \"\" \"*\"");
    assert!(list.iter().any(|line| line.contains("\\Junk") && line.ends_with("Junk")), "{list:?}");
}

#[test]
fn append_wakes_an_idle_client() {
    let server = Dovecot::start();
    let mut imap = server.login();
    imap.command("SELECT INBOX");
    imap.send("IDLE");
    assert!(imap.read_line().starts_with('+'));
    let started = Instant::now();
    server.append("INBOX", &message("new@friend.example", "New"), &[]);
    assert_eq!(imap.read_line(), "* 1 EXISTS");
    assert!(started.elapsed() < Duration::from_secs(5), "EXISTS took {:?}", started.elapsed());
}

#[test]
fn hidden_capability_is_not_advertised() {
    let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE"], ..Options::default() });
    assert!(!server.connect().greeting().contains("MOVE"));
    let mut imap = server.login();
    let capabilities = capabilities(&mut imap);
    assert!(!capabilities.iter().any(|cap| cap == "MOVE"), "{capabilities:?}");
    assert!(capabilities.iter().any(|cap| cap == "IDLE"), "{capabilities:?}");

    // Dovecot still accepts MOVE; client_commands() is how a test catches a client using it.
    let uid = server.append("INBOX", &message("one@friend.example", "One"), &[]);
    imap.command("SELECT INBOX");
    let moved = imap.command(&format!("UID MOVE {uid} Junk"));
    assert_eq!(Imap::status(&moved), "OK", "{moved:?}");
    let commands = server.client_commands();
    assert!(commands.iter().any(|line| line.ends_with(&format!("UID MOVE {uid} Junk"))), "{commands:?}");
    assert!(!commands.iter().any(|line| line.contains("APPEND")), "harness sessions leak: {commands:?}");
}

#[test]
#[should_panic(expected = "cannot be hidden")]
fn hiding_an_unknown_capability_panics() {
    Dovecot::start_with(Options { hide_capabilities: vec!["NO-SUCH-CAPABILITY"], ..Options::default() });
}

#[test]
fn tls_presents_the_test_certificate() {
    let server = Dovecot::start_with(Options { tls: true, ..Options::default() });
    assert!(server.connect().greeting().contains("STARTTLS"));
    let ca = server.ca_cert_path();
    let implicit = ["-connect", &format!("127.0.0.1:{}", server.tls_port()), "-verify_ip", "127.0.0.1"];
    let starttls =
        ["-connect", &format!("127.0.0.1:{}", server.port()), "-starttls", "imap", "-verify_hostname", "localhost"];
    for args in [&implicit[..], &starttls[..]] {
        let output = Command::new("openssl")
            .arg("s_client")
            .args(args)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-verify_return_error", "-brief"])
            .stdin(Stdio::null())
            .output()
            .expect("run openssl s_client");
        let text = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "openssl s_client {args:?}: {text}");
        assert!(text.contains("Verification: OK") && text.contains("CN = localhost"), "{args:?}: {text}");
    }
}

#[test]
fn kill_and_restart_keep_the_mail() {
    let mut server = Dovecot::start();
    let uid = server.append("INBOX", &message("one@friend.example", "One"), &["\\Seen"]);
    let uidvalidity = server.uidvalidity("INBOX");
    let port = server.port();
    let mut imap = server.login();
    imap.command("SELECT INBOX");

    server.kill();
    assert!(!server.is_running());
    assert!(refuses_connections(port));
    let mut buffer = [0; 64];
    let dropped = std::io::Read::read(imap.stream(), &mut buffer);
    assert!(matches!(dropped, Ok(0) | Err(_)), "the connection survived the crash: {dropped:?}");

    server.restart();
    assert_eq!(server.port(), port);
    assert_eq!(server.list_uids("INBOX"), vec![uid]);
    assert_eq!(server.uidvalidity("INBOX"), uidvalidity);
    assert_eq!(server.flags("INBOX", uid), vec!["\\Seen"]);
    let selected = server.login().command("SELECT INBOX");
    assert!(selected.iter().any(|line| line == "* 1 EXISTS"), "{selected:?}");
}

#[test]
fn stop_says_bye_and_restart_comes_back() {
    let mut server = Dovecot::start();
    let mut imap = server.login();
    server.stop();
    assert!(imap.read_line().starts_with("* BYE"));
    assert!(refuses_connections(server.port()));
    server.restart();
    server.login();
}

#[test]
fn wrong_password_gets_no_at_once() {
    let server = Dovecot::start();
    let mut imap = server.connect();
    let started = Instant::now();
    let response = imap.command(&format!("LOGIN {} wrong-password", server.user()));
    assert_eq!(Imap::status(&response), "NO", "{response:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "NO took {:?}", started.elapsed());
    // The right password still works on the same connection.
    let response = imap.command(&format!("LOGIN {} {}", server.user(), server.password()));
    assert_eq!(Imap::status(&response), "OK", "{response:?}");
}

#[test]
fn lmtp_delivers_to_the_detail_mailbox() {
    let server = Dovecot::start();
    let mut lmtp = BufReader::new(UnixStream::connect(server.lmtp_socket()).expect("connect to LMTP"));
    lmtp.get_ref().set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let reply = |lmtp: &mut BufReader<UnixStream>, send: &str| {
        lmtp.get_mut().write_all(send.as_bytes()).unwrap();
        let mut last = String::new();
        // Multi-line replies have "-" after the code on every line but the last.
        while last.len() < 4 || last.as_bytes()[3] == b'-' {
            last.clear();
            lmtp.read_line(&mut last).unwrap();
        }
        last
    };
    assert!(reply(&mut lmtp, "").starts_with("220"));
    assert!(reply(&mut lmtp, "LHLO test\r\n").starts_with("250"));
    assert!(reply(&mut lmtp, "MAIL FROM:<ann@friend.example>\r\n").starts_with("250"));
    assert!(reply(&mut lmtp, "RCPT TO:<hank+Delivered>\r\n").starts_with("250"));
    assert!(reply(&mut lmtp, "DATA\r\n").starts_with("354"));
    let message = String::from_utf8(message("lmtp@friend.example", "Via LMTP")).unwrap();
    let done = reply(&mut lmtp, &format!("{message}.\r\n"));
    assert!(done.starts_with("250"), "{done}\n{}", server.log());

    assert!(server.mailboxes().iter().any(|name| name == "Delivered"));
    assert_eq!(server.message_ids("Delivered"), vec!["<lmtp@friend.example>"]);
    assert_eq!(server.headers("Delivered", "Subject"), vec!["Via LMTP"]);
    assert!(server.raw_messages("Delivered")[0].contains("Hello."));
    assert_eq!(server.count("INBOX"), 0);
}
