//! The SMTP test harness itself (tests/support/smtp.rs and smtp_server.py): the decline tests
//! rely on it to take mail over plain text, STARTTLS or implicit TLS, with AUTH, deliver it to
//! Dovecot with the envelope kept, answer with injected failures, and go away and come back.
//!
//! The client here is deliberately minimal and speaks the protocol by hand, so that what is
//! tested is the server, not a client library.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use support::dovecot::Dovecot;
use support::smtp::{Smtp, SmtpOptions, SmtpTls, Transaction};

const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A bare-bones SMTP client that panics on anything unexpected. It reads byte by byte, so that
/// nothing is buffered when STARTTLS hands the socket to TLS.
struct Client<S: Read + Write> {
    stream: S,
}

type TlsStream = StreamOwned<ClientConnection, TcpStream>;

impl Client<TcpStream> {
    /// Connects and reads the 220 greeting.
    fn plain(port: u16) -> Client<TcpStream> {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect to the SMTP server");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("set timeout");
        let mut client = Client { stream };
        let greeting = client.reply();
        assert!(greeting.starts_with("220 "), "{greeting}");
        client
    }

    /// TLS from the first byte, trusting only `ca`; reads the greeting.
    fn implicit_tls(port: u16, ca: &Path) -> Client<TlsStream> {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect to the SMTP server");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("set timeout");
        let mut client = Client { stream: tls(stream, ca) };
        let greeting = client.reply();
        assert!(greeting.starts_with("220 "), "{greeting}");
        client
    }

    /// STARTTLS (after EHLO); the caller must EHLO again.
    fn starttls(mut self, ca: &Path) -> Client<TlsStream> {
        let reply = self.command("STARTTLS");
        assert!(reply.starts_with("220 "), "{reply}");
        Client { stream: tls(self.stream, ca) }
    }
}

impl<S: Read + Write> Client<S> {
    /// Reads one reply, all its lines joined by `\n`, without CRLF.
    fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = Vec::new();
            let mut byte = [0];
            while !line.ends_with(b"\r\n") {
                match self.stream.read(&mut byte) {
                    Ok(0) => panic!("the server closed the connection after {:?}", String::from_utf8_lossy(&line)),
                    Ok(_) => line.push(byte[0]),
                    Err(error) => panic!("reading from the server: {error}"),
                }
            }
            line.truncate(line.len() - 2);
            let line = String::from_utf8(line).expect("reply is UTF-8");
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    fn command(&mut self, command: &str) -> String {
        self.stream.write_all(format!("{command}\r\n").as_bytes()).expect("write to the server");
        self.reply()
    }

    /// EHLO; returns the extension keywords.
    fn ehlo(&mut self) -> Vec<String> {
        let reply = self.command("EHLO client.example");
        assert!(reply.starts_with("250"), "{reply}");
        reply.lines().skip(1).map(|line| line[4..].to_owned()).collect()
    }

    fn auth_plain(&mut self, username: &str, password: &str) -> String {
        self.command(&format!("AUTH PLAIN {}", base64(format!("\0{username}\0{password}").as_bytes())))
    }

    fn auth_login(&mut self, username: &str, password: &str) -> String {
        let reply = self.command("AUTH LOGIN");
        assert!(reply.starts_with("334 "), "{reply}");
        let reply = self.command(&base64(username.as_bytes()));
        assert!(reply.starts_with("334 "), "{reply}");
        self.command(&base64(password.as_bytes()))
    }

    /// One transaction; returns the reply to the end of DATA.
    fn send(&mut self, from: &str, to: &[&str], message: &str) -> String {
        let reply = self.command(&format!("MAIL FROM:<{from}>"));
        assert!(reply.starts_with("250 "), "MAIL: {reply}");
        for rcpt in to {
            let reply = self.command(&format!("RCPT TO:<{rcpt}>"));
            assert!(reply.starts_with("250 "), "RCPT: {reply}");
        }
        let reply = self.command("DATA");
        assert!(reply.starts_with("354 "), "DATA: {reply}");
        let stuffed = message.replace("\r\n.", "\r\n..");
        self.command(&format!("{stuffed}."))
    }
}

fn tls(stream: TcpStream, ca: &Path) -> TlsStream {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("read the CA certificate") {
        roots.add(cert.expect("parse the CA certificate")).expect("trust the CA certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").expect("server name");
    let connection = ClientConnection::new(Arc::new(config), name).expect("TLS client");
    StreamOwned::new(connection, stream)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, byte)| n | u32::from(*byte) << (16 - 8 * i));
        for i in 0..4 {
            let sextet = (n >> (18 - 6 * i)) & 63;
            out.push(if i <= chunk.len() { char::from(ALPHABET[sextet as usize]) } else { '=' });
        }
    }
    out
}

fn message(id: &str) -> String {
    format!(
        "From: Hank <hank@bergstrom.example>\r\nTo: Ann <ann@friend.example>\r\nSubject: Thanks, but no\r\n\
         Message-ID: <{id}>\r\n\r\nHello.\r\n.A line that starts with a dot.\r\n"
    )
}

fn refuses_connections(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err()
}

fn no_auth() -> SmtpOptions {
    SmtpOptions { auth: false, ..SmtpOptions::default() }
}

#[test]
fn base64_encodes_like_rfc_4648() {
    let cases = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
    for (plain, encoded) in cases {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}

#[test]
fn auth_plain_delivers_with_the_envelope() {
    let dovecot = Dovecot::start();
    let started = Instant::now();
    let smtp = Smtp::start(&dovecot, SmtpOptions::default());
    eprintln!("SMTP server started in {:?}", started.elapsed());
    let mut client = Client::plain(smtp.port());
    let extensions = client.ehlo();
    assert!(extensions.iter().any(|line| line == "AUTH LOGIN PLAIN"), "{extensions:?}");
    assert!(!extensions.iter().any(|line| line == "STARTTLS"), "{extensions:?}");

    let refused = client.command("MAIL FROM:<hank@bergstrom.example>");
    assert!(refused.starts_with("530 "), "MAIL without AUTH: {refused}");
    let wrong = client.auth_plain(smtp.username(), "wrong-password");
    assert!(wrong.starts_with("535 "), "{wrong}");
    let authenticated = client.auth_plain(smtp.username(), smtp.password());
    assert!(authenticated.starts_with("235 "), "{authenticated}");

    let recipients = ["ann@friend.example", "bob@friend.example"];
    let reply = client.send("hank@bergstrom.example", &recipients, &message("one@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}\n{}\n{}", smtp.log(), dovecot.log());
    assert_eq!(client.command("QUIT").get(..3), Some("221"));

    let mailbox = smtp.mailbox();
    assert_eq!(dovecot.message_ids(mailbox), vec!["<one@bergstrom.example>"]);
    assert_eq!(dovecot.headers(mailbox, "X-Test-Mail-From"), vec!["hank@bergstrom.example"]);
    assert_eq!(dovecot.headers(mailbox, "X-Test-Rcpt-To"), vec!["ann@friend.example, bob@friend.example"]);
    let raw = &dovecot.raw_messages(mailbox)[0];
    assert!(raw.contains("\n.A line that starts with a dot."), "dot-stuffing not undone: {raw}");
    assert_eq!(dovecot.count("INBOX"), 0);
    assert_eq!(
        smtp.transactions(),
        vec![Transaction {
            accepted: true,
            mail_from: "hank@bergstrom.example".into(),
            rcpt_to: recipients.map(String::from).to_vec(),
            reply,
            tls: false,
            username: Some(smtp.username().into()),
            message_id: "<one@bergstrom.example>".into(),
        }]
    );
}

#[test]
fn auth_login_and_the_null_sender() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, SmtpOptions::default());
    let mut client = Client::plain(smtp.port());
    client.ehlo();
    let authenticated = client.auth_login(smtp.username(), smtp.password());
    assert!(authenticated.starts_with("235 "), "{authenticated}");
    let reply = client.send("", &["ann@friend.example"], &message("bounce@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}\n{}", smtp.log());

    assert_eq!(dovecot.headers(smtp.mailbox(), "X-Test-Mail-From"), vec![""]);
    let transactions = smtp.transactions();
    assert_eq!(transactions.len(), 1);
    assert_eq!(transactions[0].mail_from, "");
    assert_eq!(transactions[0].rcpt_to, vec!["ann@friend.example"]);
}

#[test]
fn without_auth_none_is_offered_or_needed() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, no_auth());
    let mut client = Client::plain(smtp.port());
    let extensions = client.ehlo();
    assert!(!extensions.iter().any(|line| line.starts_with("AUTH")), "{extensions:?}");
    let reply = client.send("hank@bergstrom.example", &["ann@friend.example"], &message("open@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}\n{}", smtp.log());
    assert_eq!(smtp.transactions()[0].username, None);
    assert_eq!(dovecot.message_ids(smtp.mailbox()), vec!["<open@bergstrom.example>"]);
}

#[test]
fn injected_replies_reject_without_delivering() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, no_auth());
    let mut client = Client::plain(smtp.port());
    client.ehlo();
    let send = |client: &mut Client<TcpStream>, id: &str| {
        client.send("hank@bergstrom.example", &["ann@friend.example"], &message(id))
    };

    smtp.set_reply(Some("550 5.7.1 Rejected by policy"));
    assert_eq!(send(&mut client, "rejected@bergstrom.example"), "550 5.7.1 Rejected by policy");
    // Read again at every transaction, on the same connection.
    smtp.set_reply(Some("451 4.3.0 Try again later\n451 4.3.0 Really"));
    assert_eq!(send(&mut client, "deferred@bergstrom.example"), "451-4.3.0 Try again later\n451 4.3.0 Really");
    assert!(!dovecot.mailboxes().iter().any(|name| name == smtp.mailbox()), "a rejected message was delivered");

    smtp.set_reply(None);
    let accepted = send(&mut client, "accepted@bergstrom.example");
    assert!(accepted.starts_with("250 "), "{accepted}");
    assert_eq!(dovecot.message_ids(smtp.mailbox()), vec!["<accepted@bergstrom.example>"]);

    let outcomes: Vec<(bool, String)> =
        smtp.transactions().into_iter().map(|transaction| (transaction.accepted, transaction.message_id)).collect();
    assert_eq!(
        outcomes,
        vec![
            (false, "<rejected@bergstrom.example>".into()),
            (false, "<deferred@bergstrom.example>".into()),
            (true, "<accepted@bergstrom.example>".into()),
        ]
    );
}

#[test]
#[should_panic(expected = "not a 4xx/5xx SMTP reply")]
fn injecting_a_success_panics() {
    let dovecot = Dovecot::start();
    Smtp::start(&dovecot, no_auth()).set_reply(Some("250 OK"));
}

#[test]
fn failed_delivery_gets_451() {
    let mut dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, no_auth());
    dovecot.stop();
    let mut client = Client::plain(smtp.port());
    client.ehlo();
    let reply = client.send("hank@bergstrom.example", &["ann@friend.example"], &message("lost@bergstrom.example"));
    assert!(reply.starts_with("451 "), "{reply}");
    assert!(!smtp.transactions()[0].accepted);
    assert!(smtp.log().contains("LMTP delivery failed"), "{}", smtp.log());
}

#[test]
fn stop_refuses_connections_and_start_again_serves() {
    let dovecot = Dovecot::start();
    let mut smtp = Smtp::start(&dovecot, no_auth());
    let port = smtp.port();
    let mut client = Client::plain(port);
    client.ehlo();

    let started = Instant::now();
    smtp.stop();
    eprintln!("SMTP server stopped in {:?}", started.elapsed());
    assert!(!smtp.is_running());
    assert!(refuses_connections(port));
    assert!(client.reply().starts_with("421 "), "no goodbye for an open connection");

    smtp.start_again();
    assert_eq!(smtp.port(), port);
    let mut client = Client::plain(port);
    client.ehlo();
    let reply = client.send("hank@bergstrom.example", &["ann@friend.example"], &message("again@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}");

    smtp.kill();
    assert!(refuses_connections(port));
    let mut buffer = [0; 64];
    let dropped = client.stream.read(&mut buffer);
    assert!(
        matches!(dropped, Ok(0)) || dropped.as_ref().is_err_and(|error| error.kind() != ErrorKind::WouldBlock),
        "the connection survived the crash: {dropped:?}"
    );
    smtp.start_again();
    Client::plain(port).ehlo();
    assert_eq!(dovecot.message_ids(smtp.mailbox()), vec!["<again@bergstrom.example>"]);
}

#[test]
fn implicit_tls_with_the_test_ca() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, SmtpOptions { tls: SmtpTls::Implicit, auth: true });
    let mut client = Client::implicit_tls(smtp.port(), &smtp.ca_cert_path());
    let extensions = client.ehlo();
    assert!(!extensions.iter().any(|line| line == "STARTTLS"), "{extensions:?}");
    let authenticated = client.auth_plain(smtp.username(), smtp.password());
    assert!(authenticated.starts_with("235 "), "{authenticated}");
    let reply = client.send("hank@bergstrom.example", &["ann@friend.example"], &message("tls@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}\n{}", smtp.log());
    assert!(smtp.transactions()[0].tls);
    assert_eq!(dovecot.message_ids(smtp.mailbox()), vec!["<tls@bergstrom.example>"]);
}

#[test]
fn starttls_comes_before_auth() {
    let dovecot = Dovecot::start();
    let smtp = Smtp::start(&dovecot, SmtpOptions { tls: SmtpTls::StartTls, auth: true });
    let mut client = Client::plain(smtp.port());
    let extensions = client.ehlo();
    assert!(extensions.iter().any(|line| line == "STARTTLS"), "{extensions:?}");
    assert!(!extensions.iter().any(|line| line.starts_with("AUTH")), "{extensions:?}");
    let refused = client.auth_plain(smtp.username(), smtp.password());
    assert!(refused.starts_with("538 "), "AUTH before STARTTLS: {refused}");

    let mut client = client.starttls(&smtp.ca_cert_path());
    let extensions = client.ehlo();
    assert!(extensions.iter().any(|line| line == "AUTH LOGIN PLAIN"), "{extensions:?}");
    let authenticated = client.auth_plain(smtp.username(), smtp.password());
    assert!(authenticated.starts_with("235 "), "{authenticated}");
    let reply = client.send("hank@bergstrom.example", &["ann@friend.example"], &message("starttls@bergstrom.example"));
    assert!(reply.starts_with("250 "), "{reply}\n{}", smtp.log());
    assert!(smtp.transactions()[0].tls);
}
