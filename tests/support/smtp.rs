//! A private, throwaway SMTP server for integration tests: `smtp_server.py` (aiosmtpd), which
//! hands every accepted message to a [`Dovecot`] over LMTP.
//!
//! A test checks what its client sent by looking at hank's mailbox [`Smtp::mailbox`] in Dovecot,
//! like any mail, and at [`Smtp::transactions`] for what the server answered. Delivered messages
//! get two headers that keep the envelope, `X-Test-Mail-From` (empty for the null sender) and
//! `X-Test-Rcpt-To` (recipients joined with `, `). DATA is answered 250 only once Dovecot has the
//! message, so a test may look at the mailbox as soon as its client saw the 250.
//!
//! ```no_run
//! mod support;
//! use support::dovecot::Dovecot;
//! use support::smtp::{Smtp, SmtpOptions, SmtpTls};
//!
//! let dovecot = Dovecot::start();
//! let smtp = Smtp::start(&dovecot, SmtpOptions { tls: SmtpTls::StartTls, ..SmtpOptions::default() });
//! // ... the client under test sends to 127.0.0.1:smtp.port() as smtp.username() ...
//! assert_eq!(dovecot.message_ids(smtp.mailbox()), vec!["<decline-1@bergstrom.example>"]);
//! assert_eq!(dovecot.headers(smtp.mailbox(), "X-Test-Rcpt-To"), vec!["ann@friend.example"]);
//!
//! smtp.set_reply(Some("451 4.3.0 Try again later"));
//! // ... the client must keep the message and retry ...
//! assert!(!smtp.transactions().last().unwrap().accepted);
//! ```
//!
//! Each [`Smtp`] is its own process with its own port and temp directory, so tests can run in
//! parallel. It needs Debian's python3 with aiosmtpd (`apt-get install -y python3-aiosmtpd`;
//! `scripts/test` does it); without it [`Smtp::start`] panics rather than let a test skip.

use std::fs::{self, OpenOptions};
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tempfile::TempDir;

use super::dovecot::{self, Dovecot};

const USERNAME: &str = "screener";
const PASSWORD: &str = "smtp-test-password";
/// The mailbox (of [`Dovecot::user`]) that every accepted message is delivered to.
const MAILBOX: &str = "Delivered";
/// Debian's, not whatever python3 comes first on PATH (e.g. pyenv's), which lacks the Debian
/// package's aiosmtpd.
const PYTHON: &str = "/usr/bin/python3";
const MISSING: &str = "the test SMTP server needs /usr/bin/python3 with aiosmtpd: \
     run `apt-get install -y python3-aiosmtpd` (scripts/test does this)";
/// Exit codes of smtp_server.py.
const EXIT_MISSING: i32 = 3;
const EXIT_PORT_TAKEN: i32 = 4;
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const REPLY_FILE: &str = "reply";
const TRANSACTIONS_FILE: &str = "transactions.jsonl";
const LOG_FILE: &str = "server.log";

/// How the server does TLS, with the certificate in `tests/support/certs` (for `localhost` and
/// `127.0.0.1`, signed by [`Smtp::ca_cert_path`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain text throughout; AUTH is offered all the same.
    #[default]
    None,
    /// Offers STARTTLS; AUTH is only offered and accepted after it.
    StartTls,
    /// TLS from the first byte (port 465 style).
    Implicit,
}

impl SmtpTls {
    fn arg(self) -> &'static str {
        match self {
            SmtpTls::None => "none",
            SmtpTls::StartTls => "starttls",
            SmtpTls::Implicit => "implicit",
        }
    }
}

/// How to set up a server; the default is plain text with AUTH required.
#[derive(Debug, Clone)]
pub struct SmtpOptions {
    pub tls: SmtpTls,
    /// Require AUTH (PLAIN or LOGIN) as [`Smtp::username`] before MAIL, which gets 530 otherwise.
    /// Without it, AUTH is not offered.
    pub auth: bool,
}

impl Default for SmtpOptions {
    fn default() -> SmtpOptions {
        SmtpOptions { tls: SmtpTls::None, auth: true }
    }
}

/// One mail transaction that reached the end of DATA, as the server recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Transaction {
    /// Whether DATA got a 2xx reply, i.e. the message was delivered.
    pub accepted: bool,
    /// The envelope sender; "" for the null sender `<>`.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The reply to DATA, without the final CRLF (lines of a multi-line reply joined by CRLF).
    pub reply: String,
    /// Whether the transaction ran over TLS (implicit or after STARTTLS).
    pub tls: bool,
    /// Who the client authenticated as, if it did.
    pub username: Option<String>,
    /// The message's Message-ID header, unfolded; "" if missing.
    pub message_id: String,
}

/// A running (or stopped) SMTP server; dropping it kills the server and deletes its files.
pub struct Smtp {
    dir: TempDir,
    options: SmtpOptions,
    lmtp_socket: PathBuf,
    deliver_to: String,
    port: u16,
    server: Option<Child>,
}

impl Smtp {
    /// Starts a server that delivers to `dovecot` and waits until it listens. The server keeps
    /// only Dovecot's LMTP socket path: while Dovecot is stopped, DATA gets 451.
    pub fn start(dovecot: &Dovecot, options: SmtpOptions) -> Smtp {
        assert!(Path::new(PYTHON).is_file(), "{MISSING}");
        let dir = tempfile::Builder::new().prefix("smtp-harness-").tempdir().expect("create temp dir");
        let mut smtp = Smtp {
            dir,
            options,
            lmtp_socket: dovecot.lmtp_socket(),
            deliver_to: format!("{}+{MAILBOX}", dovecot.user()),
            port: 0,
            server: None,
        };
        // The port is only free when we look; if someone takes it before the server binds it,
        // the server exits at once and we try again with another.
        for _ in 0..10 {
            smtp.port = free_port();
            if smtp.launch() {
                return smtp;
            }
        }
        panic!("smtp: every port tried was taken")
    }

    /// The port on 127.0.0.1, which stays the same across [`Smtp::start_again`].
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn username(&self) -> &'static str {
        USERNAME
    }

    pub fn password(&self) -> &'static str {
        PASSWORD
    }

    pub fn options(&self) -> &SmtpOptions {
        &self.options
    }

    /// hank's mailbox in Dovecot that accepted messages are delivered to.
    pub fn mailbox(&self) -> &'static str {
        MAILBOX
    }

    /// The CA certificate that signed the server certificate, for the client's trust store.
    pub fn ca_cert_path(&self) -> PathBuf {
        dovecot::certs_dir().join("ca.pem")
    }

    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// Stops the server the polite way (SIGTERM): open connections get `421` and are closed,
    /// and once this returns the port refuses connections. Does nothing if it isn't running.
    pub fn stop(&mut self) {
        let Some(mut server) = self.server.take() else { return };
        dovecot::signal(&server.id().to_string(), "TERM");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while server.try_wait().expect("wait for the SMTP server").is_none() {
            if Instant::now() > deadline {
                let _ = server.kill();
                let _ = server.wait();
                panic!("the SMTP server ignored SIGTERM for {STOP_TIMEOUT:?}:\n{}", self.log());
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// Starts the server again (stopping it first if it is running) on the same port, with the
    /// same reply setting and transaction log.
    pub fn start_again(&mut self) {
        self.stop();
        // A client may briefly hold the port; keep trying for a few seconds.
        for _ in 0..50 {
            if self.launch() {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("smtp: port {} stayed taken, cannot start again", self.port)
    }

    /// Kills the server with SIGKILL, like a crash: open connections drop without a reply.
    /// Does nothing if it isn't running.
    pub fn kill(&mut self) {
        let Some(mut server) = self.server.take() else { return };
        let _ = server.kill();
        let _ = server.wait();
    }

    /// Makes DATA of the following transactions get `reply` instead of delivering the message,
    /// until set back with `None`. `reply` is a complete reply line such as
    /// `451 4.3.0 Try again later` or `550 5.7.1 Rejected by policy`; several lines separated by
    /// `\n` make a multi-line reply (the `-` continuation marks are added as needed).
    pub fn set_reply(&self, reply: Option<&str>) {
        let path = self.dir.path().join(REPLY_FILE);
        let Some(reply) = reply else {
            match fs::remove_file(&path) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => panic!("remove {}: {error}", path.display()),
                _ => return,
            }
        };
        let lines: Vec<&str> = reply.lines().collect();
        let valid = |line: &&str| {
            let bytes = line.as_bytes();
            bytes.len() >= 4
                && matches!(bytes[0], b'4' | b'5')
                && bytes[1..3].iter().all(u8::is_ascii_digit)
                && matches!(bytes[3], b' ' | b'-')
                && bytes[..3] == lines[0].as_bytes()[..3]
        };
        assert!(!lines.is_empty() && lines.iter().all(valid), "not a 4xx/5xx SMTP reply: {reply:?}");
        // Written aside and renamed, so that the server never reads half a reply.
        let partial = self.dir.path().join(format!("{REPLY_FILE}.partial"));
        fs::write(&partial, format!("{reply}\n")).expect("write reply file");
        fs::rename(&partial, &path).expect("rename reply file");
    }

    /// Every transaction that reached the end of DATA, oldest first. Complete as soon as the
    /// client has its reply to DATA: the server records before it answers.
    pub fn transactions(&self) -> Vec<Transaction> {
        let path = self.dir.path().join(TRANSACTIONS_FILE);
        let content = match fs::read_to_string(&path) {
            Ok(content) => content,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Vec::new(),
            Err(error) => panic!("read {}: {error}", path.display()),
        };
        content
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("transaction log ({error}): {line}")))
            .collect()
    }

    /// The server's log (stderr) so far, across restarts, to print when a test fails.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join(LOG_FILE)).unwrap_or_default()
    }

    /// Starts the server and waits until it listens. False if the port was taken.
    fn launch(&mut self) -> bool {
        let dir = self.dir.path();
        let stderr = OpenOptions::new().create(true).append(true).open(dir.join(LOG_FILE)).expect("open server.log");
        let log_start = stderr.metadata().map_or(0, |meta| meta.len());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py");

        // SIGKILL if the test process dies without dropping us (Ctrl-C, abort), so an
        // interrupted `cargo test` leaves no server behind.
        let mut command = match dovecot::program("setpriv") {
            Some(setpriv) => {
                let mut command = Command::new(setpriv);
                command.args(["--pdeathsig", "KILL", "--", PYTHON]);
                command
            }
            None => Command::new(PYTHON),
        };
        // -I: nothing from the environment (PYTHONPATH, user site-packages) may leak in.
        command.arg("-I").arg(script).arg("--port").arg(self.port.to_string());
        command.args(["--tls", self.options.tls.arg()]).arg("--certs").arg(dovecot::certs_dir());
        command.arg("--lmtp").arg(&self.lmtp_socket).args(["--deliver-to", &self.deliver_to]);
        if self.options.auth {
            command.args(["--username", USERNAME, "--password", PASSWORD]);
        }
        command.current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(stderr).process_group(0);
        let mut server = dovecot::spawn_from_lasting_thread(command).expect("run the SMTP server");

        // The server prints one line once it listens; reading it on a thread allows a timeout.
        let stdout = server.stdout.take().expect("server stdout");
        let (sender, ready) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        match ready.recv_timeout(STARTUP_TIMEOUT) {
            Ok(line) if line.starts_with("listening") => {
                self.server = Some(server);
                true
            }
            Ok(_) => {
                // End of output: the server is exiting.
                let status = server.wait().expect("wait for the SMTP server");
                let output = dovecot::read_from(&dir.join(LOG_FILE), log_start);
                match status.code() {
                    Some(EXIT_PORT_TAKEN) => false,
                    Some(EXIT_MISSING) => panic!("{MISSING}\n{output}"),
                    _ => panic!("the SMTP server exited at startup ({}):\n{output}", describe(status)),
                }
            }
            Err(_) => {
                let _ = server.kill();
                let _ = server.wait();
                panic!("the SMTP server did not listen within {STARTUP_TIMEOUT:?}:\n{}", self.log());
            }
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

fn describe(status: ExitStatus) -> String {
    // setpriv exits with 127 when it cannot run python at all.
    if status.code() == Some(127) { format!("{status}; {MISSING}") } else { status.to_string() }
}
