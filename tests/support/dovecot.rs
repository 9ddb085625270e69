//! A private, throwaway Dovecot IMAP server for integration tests.
//!
//! The IMAP daemon is tested against real Dovecot rather than a mock, because what matters is
//! real-server behaviour: IDLE wake-ups caused by other sessions, UIDVALIDITY, missing
//! capabilities, a server that dies mid-session.
//!
//! Each [`Dovecot`] is its own `dovecot -F` master with its own config, temp directory, ports and
//! mail, on 127.0.0.1. Tests can run in parallel and stop, crash or restart their server freely.
//! There is one user, `hank`, with a maildir INBOX and the SPECIAL-USE mailboxes Sent, Drafts,
//! Trash, Junk and Archive. The hierarchy separator is Dovecot's maildir default, `.`.
//!
//! ```no_run
//! mod support;
//! use support::dovecot::{Dovecot, Options};
//!
//! let server = Dovecot::start_with(Options { hide_capabilities: vec!["MOVE"], ..Options::default() });
//! let uid = server.append("INBOX", b"Message-ID: <a@example>\r\n\r\nhi\r\n", &["\\Seen"]);
//! // ... run the client under test against 127.0.0.1:server.port() as server.user() ...
//! assert_eq!(server.list_uids("INBOX"), vec![uid]);
//! assert!(!server.client_commands().iter().any(|line| line.to_uppercase().contains(" MOVE ")));
//! ```
//!
//! Mail can also arrive the way an MTA delivers it, over LMTP on [`Dovecot::lmtp_socket`], where
//! `hank+Name` lands in mailbox `Name`; `tests/support/smtp.rs` builds a real SMTP server on it.
//!
//! The inspection helpers (`list_uids`, `flags`, ...) use `doveadm`, which reads the mail store
//! directly: they don't depend on any IMAP code, and reading doesn't disturb the client's
//! sessions (no \Recent taken, no IDLE wake-up). They need the server running, because doveadm
//! looks the user up through the server's auth socket.
//!
//! Dovecot must be installed (`apt-get install -y dovecot-imapd dovecot-lmtpd`; `scripts/test`
//! does it). If it isn't, [`Dovecot::start`] panics: an IMAP test that skips silently would pass
//! without testing anything.

use std::env;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tempfile::TempDir;

const USER: &str = "hank";
const PASSWORD: &str = "hank-test-password";
const MISSING: &str =
    "dovecot is not installed: run `apt-get install -y dovecot-imapd dovecot-lmtpd` (scripts/test does this)";
/// Tag prefix of the harness's own IMAP sessions, so that [`Dovecot::client_commands`] can leave
/// them out.
const HARNESS_TAG: &str = "harness";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// How to set up a server; `Options::default()` is what [`Dovecot::start`] uses.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Capabilities to leave out of CAPABILITY, e.g. `vec!["MOVE"]`, to exercise a client's
    /// fallbacks. Dovecot still *accepts* the commands, so check with
    /// [`Dovecot::client_commands`] that the client did not send them. Panics at start if Dovecot
    /// doesn't advertise one of them (most likely a typo).
    pub hide_capabilities: Vec<&'static str>,
    /// Also offer STARTTLS on [`Dovecot::port`] and implicit TLS on [`Dovecot::tls_port`], with
    /// the certificate in `tests/support/certs` (for `localhost` and `127.0.0.1`, signed by
    /// [`Dovecot::ca_cert_path`]).
    pub tls: bool,
}

/// A running (or stopped) Dovecot instance; dropping it kills the server and deletes its data.
pub struct Dovecot {
    dir: TempDir,
    /// Unique per instance; also the greeting text, which tells our server from whatever else
    /// may have grabbed the port.
    name: String,
    port: u16,
    tls_port: Option<u16>,
    server: Option<Child>,
}

impl Dovecot {
    /// Starts a server with default options and waits until it greets.
    pub fn start() -> Dovecot {
        Dovecot::start_with(Options::default())
    }

    /// Starts a server and waits until it greets.
    pub fn start_with(options: Options) -> Dovecot {
        program("dovecot").expect(MISSING);
        let imap_capability =
            (!options.hide_capabilities.is_empty()).then(|| capabilities_without(&options.hide_capabilities));
        let dir = tempfile::Builder::new().prefix("dovecot-harness-").tempdir().expect("create temp dir");
        // Dovecot's unprivileged processes must reach into it; tempfile makes it 0700.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
        let name = dir.path().file_name().unwrap().to_string_lossy().into_owned();
        let mut dovecot = Dovecot { dir, name, port: 0, tls_port: None, server: None };
        dovecot.prepare_files();
        // The ports are only free when we look; if someone takes one before Dovecot binds it,
        // Dovecot exits at once and we try again with new ones.
        for _ in 0..10 {
            let (port, tls_port) = free_ports(options.tls);
            dovecot.port = port;
            dovecot.tls_port = tls_port;
            fs::write(dovecot.config_path(), dovecot.config(imap_capability.as_deref())).expect("write dovecot.conf");
            if dovecot.launch() {
                return dovecot;
            }
        }
        panic!("dovecot: every port tried was taken")
    }

    /// The plain-text (and, with [`Options::tls`], STARTTLS) IMAP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The implicit-TLS IMAP port on 127.0.0.1; panics unless started with [`Options::tls`].
    pub fn tls_port(&self) -> u16 {
        self.tls_port.expect("dovecot was started without Options::tls")
    }

    pub fn user(&self) -> &'static str {
        USER
    }

    pub fn password(&self) -> &'static str {
        PASSWORD
    }

    /// The CA certificate that signed the server certificate, for the client's trust store.
    pub fn ca_cert_path(&self) -> PathBuf {
        certs_dir().join("ca.pem")
    }

    /// hank's maildir (INBOX itself; other mailboxes are `.Name` subdirectories).
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("home").join(USER).join("Maildir")
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("dovecot.conf")
    }

    /// Dovecot's LMTP unix socket. Delivering to `hank+Name` files the message in hank's
    /// mailbox `Name`, created (and subscribed) if need be; plain `hank` means INBOX.
    pub fn lmtp_socket(&self) -> PathBuf {
        self.dir.path().join("run").join("lmtp")
    }

    /// Dovecot's log so far, to print when a test fails.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    pub fn is_running(&self) -> bool {
        self.server.is_some()
    }

    /// Stops the server the polite way, like `systemctl stop`: SIGTERM to all its processes, so
    /// logged-in clients get `* BYE Server shutting down.` before the connection closes.
    /// Does nothing if it isn't running.
    ///
    /// Signalling only the master would take about 10 s: its imap processes notice late.
    pub fn stop(&mut self) {
        let Some(mut master) = self.server.take() else { return };
        let group = format!("-{}", master.id());
        signal(&group, "TERM");
        let _ = master.wait();
        wait_until_gone(&group);
    }

    /// Kills the server and all its processes with SIGKILL, like a crash: open connections drop
    /// without BYE. Does nothing if it isn't running.
    ///
    /// Killing only the master would not do: its imap processes keep serving their connections.
    pub fn kill(&mut self) {
        let Some(mut master) = self.server.take() else { return };
        let group = format!("-{}", master.id());
        signal(&group, "KILL");
        let _ = master.wait();
        wait_until_gone(&group);
    }

    /// Freezes every process of the server (SIGSTOP): connections stay open but nothing
    /// answers, like a peer behind a dead network path. [`Dovecot::resume`] undoes it.
    pub fn pause(&self) {
        let master = self.server.as_ref().expect("dovecot is not running");
        signal(&format!("-{}", master.id()), "STOP");
    }

    pub fn resume(&self) {
        let master = self.server.as_ref().expect("dovecot is not running");
        signal(&format!("-{}", master.id()), "CONT");
    }

    /// Starts the server again (stopping it first if it is running), on the same port and with
    /// the same mail, UIDs and UIDVALIDITY.
    pub fn restart(&mut self) {
        self.stop();
        // A client may briefly hold the port; keep trying for a few seconds.
        for _ in 0..50 {
            if self.launch() {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("dovecot: port {} stayed taken, cannot restart", self.port)
    }

    /// An IMAP connection that has read the greeting and not logged in.
    pub fn connect(&self) -> Imap {
        Imap::connect(self.port, "a")
    }

    /// An IMAP connection logged in as hank.
    pub fn login(&self) -> Imap {
        self.login_tagged("a")
    }

    /// Appends a message over IMAP (so it arrives like new mail: IDLE clients see EXISTS) and
    /// returns its UID. The mailbox name must be ASCII.
    pub fn append(&self, mailbox: &str, raw: &[u8], flags: &[&str]) -> u32 {
        let mut imap = self.login_tagged(HARNESS_TAG);
        let uid = imap.append(mailbox, raw, flags);
        imap.command("LOGOUT");
        uid
    }

    /// Creates and subscribes a mailbox (intermediate levels included).
    pub fn create_mailbox(&self, name: &str) {
        self.doveadm(&["mailbox", "create", "-s", "-u", USER, name]);
    }

    /// Every mailbox, as doveadm lists them (UTF-8, `.` separated).
    pub fn mailboxes(&self) -> Vec<String> {
        self.doveadm(&["mailbox", "list", "-u", USER]).lines().map(str::to_owned).collect()
    }

    /// UIDs in the mailbox, ascending.
    pub fn list_uids(&self, mailbox: &str) -> Vec<u32> {
        self.fetch(mailbox, "uid", &["all"]).iter().map(|message| parse(field(message, "uid"))).collect()
    }

    /// The Message-ID header of each message in UID order, unfolded and trimmed; "" if missing.
    pub fn message_ids(&self, mailbox: &str) -> Vec<String> {
        self.headers(mailbox, "Message-ID").iter().map(|id| id.split_whitespace().collect()).collect()
    }

    /// One header of each message in UID order, unfolded and trimmed; "" if missing.
    pub fn headers(&self, mailbox: &str, name: &str) -> Vec<String> {
        let item = format!("hdr.{}", name.to_lowercase());
        let messages = self.fetch(mailbox, &item, &["all"]);
        messages.iter().map(|message| field(message, &item).split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    }

    /// Each message in UID order, headers and body, as stored (CRLF may have become LF).
    pub fn raw_messages(&self, mailbox: &str) -> Vec<String> {
        self.fetch(mailbox, "text", &["all"]).iter().map(|message| field(message, "text").to_owned()).collect()
    }

    /// The flags of one message, sorted, without \Recent (which belongs to sessions, not to the
    /// message). Panics if there is no such message.
    pub fn flags(&self, mailbox: &str, uid: u32) -> Vec<String> {
        let messages = self.fetch(mailbox, "flags", &["uid", &uid.to_string()]);
        let message = messages.first().unwrap_or_else(|| panic!("no message with UID {uid} in {mailbox}"));
        let mut flags: Vec<String> =
            field(message, "flags").split_whitespace().filter(|flag| *flag != "\\Recent").map(str::to_owned).collect();
        flags.sort();
        flags
    }

    pub fn uidvalidity(&self, mailbox: &str) -> u32 {
        parse(&self.status(mailbox, "uidvalidity"))
    }

    /// Number of messages in the mailbox, \Deleted ones included.
    pub fn count(&self, mailbox: &str) -> usize {
        parse(&self.status(mailbox, "messages"))
    }

    /// Like `count`, but a mailbox that does not exist (yet: screener creates its
    /// folders when it first files into them) holds no messages.
    pub fn count_or_zero(&self, mailbox: &str) -> usize {
        let list = self.doveadm(&["mailbox", "list", "-u", USER]);
        if list.lines().any(|l| l.trim() == mailbox) { self.count(mailbox) } else { 0 }
    }

    /// Every line that logged-in IMAP clients sent, tags included, in the order received (from
    /// Dovecot's rawlog; the harness's own sessions are left out). Lets a test check which
    /// commands the client under test used, e.g. that it fell back from a hidden MOVE.
    /// Pre-login lines (LOGIN, STARTTLS) are not recorded.
    pub fn client_commands(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for entry in fs::read_dir(self.dir.path().join("rawlog")).expect("read rawlog dir") {
            let path = entry.expect("read rawlog dir").path();
            if path.extension().is_none_or(|ext| ext != "in") {
                continue;
            }
            let content = String::from_utf8_lossy(&fs::read(&path).expect("read rawlog")).into_owned();
            // Each line is "<unix time with microseconds> <line as received>".
            let session: Vec<(f64, String)> = content
                .lines()
                .filter_map(|line| line.split_once(' '))
                .map(|(time, line)| (time.parse().unwrap_or(0.0), line.trim_end_matches('\r').to_owned()))
                .collect();
            if session.first().is_some_and(|(_, line)| line.starts_with(HARNESS_TAG)) {
                continue;
            }
            lines.extend(session);
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.into_iter().map(|(_, line)| line).collect()
    }

    fn login_tagged(&self, tag_prefix: &'static str) -> Imap {
        let mut imap = Imap::connect(self.port, tag_prefix);
        imap.login(USER, PASSWORD);
        imap
    }

    /// Creates everything the config refers to, owned by whoever Dovecot will access it as.
    fn prepare_files(&self) {
        let identity = identity();
        let dir = self.dir.path();
        // Read by the auth process, which runs as Dovecot's internal user.
        fs::write(dir.join("passwd"), format!("{USER}:{PASSWORD}\n")).expect("write passwd");
        fs::set_permissions(dir.join("passwd"), fs::Permissions::from_mode(0o644)).expect("chmod passwd");
        // The maildir exists from the start so that maildir() does; Dovecot would only create it
        // on first access.
        fs::create_dir(dir.join("home")).expect("create dir");
        let maildir = self.maildir();
        let owned_by_mail_user = [maildir.parent().unwrap().to_owned(), maildir.clone()]
            .into_iter()
            .chain(["cur", "new", "tmp"].map(|sub| maildir.join(sub)))
            .chain([dir.join("rawlog")]);
        for path in owned_by_mail_user {
            fs::create_dir(&path).expect("create dir");
            if identity.root {
                chown(&path, Some(identity.mail_uid), Some(identity.mail_gid)).expect("chown");
            }
            fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).expect("chmod");
        }
    }

    fn config(&self, imap_capability: Option<&str>) -> String {
        let identity = identity();
        let mut conf = CONFIG
            .replace("@NAME@", &self.name)
            .replace("@DIR@", &self.dir.path().to_string_lossy())
            .replace("@UID@", &identity.mail_uid.to_string())
            .replace("@GID@", &identity.mail_gid.to_string())
            .replace("@PORT@", &self.port.to_string())
            .replace("@TLS_PORT@", &self.tls_port.unwrap_or(0).to_string());
        if self.tls_port.is_some() {
            let certs = certs_dir();
            conf += &format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\n",
                certs.join("server.pem").display(),
                certs.join("server.key").display()
            );
        } else {
            conf += "ssl = no\n";
        }
        if let Some(capability) = imap_capability {
            conf += &format!("imap_capability = {capability}\n");
        }
        if !identity.root {
            // A non-root master can neither switch users nor chroot.
            conf += &format!("default_internal_user = {0}\ndefault_login_user = {0}\n", identity.user);
            conf += &format!("default_internal_group = {}\n", identity.group);
            for service in ["anvil", "imap-login", "ipc", "old-stats", "aggregator", "imap-urlauth-login"] {
                conf += &format!("service {service} {{\n  chroot =\n}}\n");
            }
        }
        conf
    }

    /// Starts the master and waits for its greeting. False if the port was taken.
    fn launch(&mut self) -> bool {
        let dovecot = program("dovecot").expect(MISSING);
        let dir = self.dir.path();
        let log = dir.join("dovecot.log");
        let log_start = fs::metadata(&log).map_or(0, |meta| meta.len());
        // After a kill the pid file is stale, and its pid may belong to a new process by now,
        // which Dovecot would take for itself still running.
        let _ = fs::remove_file(dir.join("run").join("master.pid"));
        let stderr = File::create(dir.join("dovecot.stderr")).expect("create dovecot.stderr");

        // The master gets SIGKILL if the test process dies without dropping us (Ctrl-C, abort),
        // so an interrupted `cargo test` leaves no server behind. Its own process group lets
        // kill() take all its processes down with it.
        let mut command = match program("setpriv") {
            Some(setpriv) => {
                let mut command = Command::new(setpriv);
                command.args(["--pdeathsig", "KILL", "--"]).arg(dovecot);
                command
            }
            None => Command::new(dovecot),
        };
        command
            .arg("-F")
            .arg("-c")
            .arg(self.config_path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0);
        self.server = Some(spawn_from_lasting_thread(command).expect("run dovecot"));

        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let master = self.server.as_mut().unwrap();
            if let Some(status) = master.try_wait().expect("wait for dovecot") {
                let pid = master.id();
                self.server = None;
                let group = format!("-{pid}");
                signal(&group, "KILL");
                wait_until_gone(&group);
                let mut output = read_from(&log, log_start);
                output += &fs::read_to_string(dir.join("dovecot.stderr")).unwrap_or_default();
                if output.contains("Address already in use") {
                    return false;
                }
                let hint = if output.contains("lmtp") { format!("\n{MISSING}") } else { String::new() };
                panic!("dovecot exited at startup ({status}):\n{output}{hint}");
            }
            if self.greets() {
                return true;
            }
            if Instant::now() > deadline {
                self.kill();
                panic!("dovecot did not greet on port {} within {STARTUP_TIMEOUT:?}:\n{}", self.port, self.log());
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Whether *this* instance answers on the port; another one may hold it.
    fn greets(&self) -> bool {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else { return false };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut greeting = String::new();
        let _ = BufReader::new(stream).read_line(&mut greeting);
        greeting.contains(&self.name)
    }

    /// Runs `doveadm -c <this config> ARGS` and returns its output; panics if it fails. For what
    /// the helpers don't cover, e.g. `["mailbox", "update", "-u", server.user(), "--uid-validity",
    /// "7", "INBOX"]`.
    pub fn doveadm(&self, args: &[&str]) -> String {
        assert!(self.is_running(), "dovecot is stopped; doveadm needs it running (call restart() first)");
        let doveadm = program("doveadm").expect(MISSING);
        let output = Command::new(doveadm).arg("-c").arg(self.config_path()).args(args).output().expect("run doveadm");
        assert!(
            output.status.success(),
            "doveadm {args:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("doveadm output is UTF-8")
    }

    /// `doveadm fetch` in JSON, which, unlike the other formats, survives folded headers.
    fn fetch(&self, mailbox: &str, fields: &str, query: &[&str]) -> Vec<Map<String, Value>> {
        let mut args = vec!["-f", "json", "fetch", "-u", USER, fields, "mailbox", mailbox];
        args.extend(query);
        parse_json(&self.doveadm(&args))
    }

    fn status(&self, mailbox: &str, item: &str) -> String {
        let rows = parse_json(&self.doveadm(&["-f", "json", "mailbox", "status", "-u", USER, item, mailbox]));
        let row = rows.first().unwrap_or_else(|| panic!("doveadm: no status for {mailbox}"));
        field(row, item).to_owned()
    }
}

impl Drop for Dovecot {
    /// Kills rather than stops: nobody is left to care about a polite goodbye.
    fn drop(&mut self) {
        self.kill();
    }
}

/// A bare-bones IMAP connection, for tests that speak the protocol themselves and for the
/// harness's own needs. It trusts the server and panics on anything unexpected.
pub struct Imap {
    stream: BufReader<TcpStream>,
    greeting: String,
    tag_prefix: &'static str,
    tags: u32,
}

impl Imap {
    fn connect(port: u16, tag_prefix: &'static str) -> Imap {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect to dovecot");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("set timeout");
        let mut imap = Imap { stream: BufReader::new(stream), greeting: String::new(), tag_prefix, tags: 0 };
        imap.greeting = imap.read_line();
        imap
    }

    /// The server's first line, `* OK [CAPABILITY ...] ...`.
    pub fn greeting(&self) -> &str {
        &self.greeting
    }

    /// Sends one command (without tag) and returns every response line up to and including the
    /// tagged one, without CRLF; literals are inlined. The status is the tagged line's second
    /// word: see [`Imap::status`].
    pub fn command(&mut self, command: &str) -> Vec<String> {
        let tag = self.send(command);
        self.read_until_tagged(&tag)
    }

    /// Sends one command (without tag) and returns its tag without reading anything: for
    /// commands that go on, like IDLE.
    pub fn send(&mut self, command: &str) -> String {
        let tag = self.next_tag();
        self.write(format!("{tag} {command}\r\n").as_bytes());
        tag
    }

    /// Reads response lines up to and including the one tagged `tag`.
    pub fn read_until_tagged(&mut self, tag: &str) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = self.read_line();
            let done = line.strip_prefix(tag).is_some_and(|rest| rest.starts_with(' '));
            lines.push(line);
            if done {
                return lines;
            }
        }
    }

    /// The socket, to send raw bytes (e.g. `DONE`) or to see it drop.
    pub fn stream(&mut self) -> &mut TcpStream {
        self.stream.get_mut()
    }

    /// `OK`, `NO` or `BAD`: the status of a response returned by [`Imap::command`].
    pub fn status(response: &[String]) -> &str {
        response.last().and_then(|line| line.split(' ').nth(1)).unwrap_or("")
    }

    /// Logs in; panics unless the server says OK.
    pub fn login(&mut self, user: &str, password: &str) {
        let response = self.command(&format!("LOGIN {} {}", quote(user), quote(password)));
        assert_eq!(Imap::status(&response), "OK", "LOGIN failed: {response:?}");
    }

    /// Appends a message and returns its UID (from the APPENDUID response code).
    pub fn append(&mut self, mailbox: &str, raw: &[u8], flags: &[&str]) -> u32 {
        let tag = self.next_tag();
        let command = format!("{tag} APPEND {} ({}) {{{}}}\r\n", quote(mailbox), flags.join(" "), raw.len());
        self.write(command.as_bytes());
        let reply = self.read_line();
        assert!(reply.starts_with('+'), "APPEND to {mailbox} refused: {reply}");
        self.write(raw);
        self.write(b"\r\n");
        let response = self.read_until_tagged(&tag);
        let done = response.last().unwrap();
        let uid = done
            .split_once("[APPENDUID ")
            .and_then(|(_, code)| code.split(']').next())
            .and_then(|code| code.split(' ').nth(1))
            .unwrap_or_else(|| panic!("APPEND to {mailbox} failed: {response:?}"));
        parse(uid)
    }

    fn next_tag(&mut self) -> String {
        self.tags += 1;
        format!("{}{}", self.tag_prefix, self.tags)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).expect("write to dovecot");
    }

    /// Reads one response line (without CRLF, literals inlined), e.g. the EXISTS that an IDLE
    /// connection gets after an [`Dovecot::append`]. Panics after 10 s without one.
    pub fn read_line(&mut self) -> String {
        let mut line = Vec::new();
        loop {
            let start = line.len();
            match self.stream.read_until(b'\n', &mut line) {
                Ok(0) => panic!("dovecot closed the connection after {:?}", String::from_utf8_lossy(&line)),
                Ok(_) => {}
                Err(error) => panic!("reading from dovecot: {error}"),
            }
            while line.last().is_some_and(|byte| *byte == b'\n' || *byte == b'\r') {
                line.pop();
            }
            let Some(length) = literal_length(&line[start..]) else { break };
            let mut literal = vec![0; length];
            self.stream.read_exact(&mut literal).expect("read literal from dovecot");
            line.extend(literal);
        }
        String::from_utf8_lossy(&line).into_owned()
    }
}

/// Dovecot's config with everything that doesn't depend on options; see `Dovecot::config`.
/// Self-contained on purpose: nothing from /etc/dovecot may leak in.
const CONFIG: &str = r"# Written by tests/support/dovecot.rs for one throwaway test server.
instance_name = @NAME@
base_dir = @DIR@/run
state_dir = @DIR@/state
log_path = @DIR@/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
login_greeting = @NAME@ ready.
# Loopback counts as secure, and a wrong password is answered within 0.5 s (auth's failure
# timer) instead of after 2 s, and doesn't delay the next LOGIN from 127.0.0.1 by seconds.
login_trusted_networks = 127.0.0.0/8
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_verbose = yes
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN @DIR@/passwd
}
userdb {
  driver = static
  args = uid=@UID@ gid=@GID@ home=@DIR@/home/%n
}
mail_location = maildir:~/Maildir
# Tests kill the server, never the machine: the page cache keeps the mail safe.
mail_fsync = never
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \Archive
    auto = subscribe
  }
}
protocol imap {
  # The default, 10, is easy to reach with a client and the harness connected at once.
  mail_max_userip_connections = 1000
  rawlog_dir = @DIR@/rawlog
}
# LMTP delivers hank+Name into hank's mailbox Name, creating and subscribing it if need be.
recipient_delimiter = +
lmtp_save_to_detail_mailbox = yes
lda_mailbox_autocreate = yes
lda_mailbox_autosubscribe = yes
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = @PORT@
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = @TLS_PORT@
    ssl = yes
  }
}
";

pub(super) fn certs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/certs")
}

/// Finds a program on PATH or in the sbin directories, which a non-root PATH usually lacks.
pub(super) fn program(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Sends a signal with kill(1) (std can't, and this avoids a libc dependency). A negative
/// `target` means a process group. Errors are ignored: the processes may be gone already.
pub(super) fn signal(target: &str, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits until no process of the group `-pgid` is alive, SIGKILLing it after 10 s; gives up
/// after 20 s.
fn wait_until_gone(group: &str) {
    let started = Instant::now();
    let mut killed = false;
    while group_alive(group) && started.elapsed() < 2 * STARTUP_TIMEOUT {
        if !killed && started.elapsed() > STARTUP_TIMEOUT {
            signal(group, "KILL");
            killed = true;
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// Whether a process of the group `-pgid` is alive. Zombies don't count: they hold no ports or
/// files any more, and when the master is killed, reaping its children is up to init, which
/// may take seconds.
fn group_alive(group: &str) -> bool {
    let pgid = group.trim_start_matches('-');
    let Ok(processes) = fs::read_dir("/proc") else { return false };
    processes.flatten().any(|process| {
        let Ok(stat) = fs::read_to_string(process.path().join("stat")) else { return false };
        // "pid (command) state ppid pgrp ...", where the command may contain anything.
        let Some((_, fields)) = stat.rsplit_once(')') else { return false };
        let fields: Vec<&str> = fields.split_whitespace().collect();
        fields.first().is_some_and(|state| *state != "Z") && fields.get(2) == Some(&pgid)
    })
}

/// Spawns from a thread that lives as long as the test process, because the parent-death
/// signal that `setpriv --pdeathsig` sets fires when the *thread* that forked the child ends,
/// and a test may well restart a server from a short-lived thread.
pub(super) fn spawn_from_lasting_thread(command: Command) -> io::Result<Child> {
    type Request = (Command, mpsc::Sender<io::Result<Child>>);
    static SPAWNER: OnceLock<mpsc::Sender<Request>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (sender, requests) = mpsc::channel::<Request>();
        thread::Builder::new()
            .name("test-server-spawner".into())
            .spawn(move || {
                for (mut command, reply) in requests {
                    let _ = reply.send(command.spawn());
                }
            })
            .expect("start spawner thread");
        sender
    });
    let (reply, child) = mpsc::channel();
    spawner.send((command, reply)).expect("spawner thread is gone");
    child.recv().expect("spawner thread is gone")
}

/// Two distinct free ports (the second only with TLS), held open together so they differ.
fn free_ports(tls: bool) -> (u16, Option<u16>) {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    let plain = bind();
    let secure = tls.then(bind);
    let port = |listener: &TcpListener| listener.local_addr().unwrap().port();
    (port(&plain), secure.as_ref().map(port))
}

/// Who Dovecot accesses mail as, and how to configure it for that.
struct Identity {
    root: bool,
    /// The current user's and group's names, for a non-root Dovecot's internal and login users.
    user: String,
    group: String,
    mail_uid: u32,
    mail_gid: u32,
}

fn identity() -> &'static Identity {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    IDENTITY.get_or_init(|| {
        let id = |args: &[&str]| {
            let output = Command::new("id").args(args).output().expect("run id");
            assert!(output.status.success(), "id {args:?} failed");
            String::from_utf8(output.stdout).expect("id output").trim().to_owned()
        };
        let root = id(&["-u"]) == "0";
        // Dovecot refuses to access mail as root.
        let mail_user = if root { Some("nobody") } else { None };
        let mail_id = |flag| parse(&id(&[flag].into_iter().chain(mail_user).collect::<Vec<_>>()));
        Identity { root, user: id(&["-un"]), group: id(&["-gn"]), mail_uid: mail_id("-u"), mail_gid: mail_id("-g") }
    })
}

/// Dovecot's own capability list minus `hide`, as an `imap_capability` value.
///
/// Dovecot's list depends on its version, so rather than hard-code it, the first call asks a
/// throwaway server.
fn capabilities_without(hide: &[&str]) -> String {
    static DEFAULT: OnceLock<Vec<String>> = OnceLock::new();
    let all = DEFAULT.get_or_init(|| {
        let probe = Dovecot::start();
        let response = probe.login().command("CAPABILITY");
        let line = response.iter().find_map(|line| line.strip_prefix("* CAPABILITY "));
        line.expect("CAPABILITY response").split(' ').map(str::to_owned).collect()
    });
    for capability in hide {
        assert!(
            all.iter().any(|known| known.eq_ignore_ascii_case(capability)),
            "Dovecot does not advertise {capability:?}, so it cannot be hidden; it has {all:?}"
        );
    }
    let kept = all.iter().filter(|known| !hide.iter().any(|hidden| known.eq_ignore_ascii_case(hidden)));
    kept.map(String::as_str).collect::<Vec<_>>().join(" ")
}

pub(super) fn read_from(path: &Path, offset: u64) -> String {
    let content = fs::read(path).unwrap_or_default();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(content.len());
    String::from_utf8_lossy(&content[start..]).into_owned()
}

/// The length of the `{n}` (or `{n+}`) literal announced at the end of a response line.
fn literal_length(line: &[u8]) -> Option<usize> {
    let line = std::str::from_utf8(line).ok()?;
    let inner = line.strip_suffix('}')?.rsplit_once('{')?.1;
    inner.trim_end_matches('+').parse().ok()
}

/// An IMAP quoted string; only ASCII is allowed (anything else needs modified UTF-7).
fn quote(text: &str) -> String {
    assert!(text.is_ascii() && !text.contains(['\r', '\n']), "the IMAP helper only quotes plain ASCII: {text:?}");
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn parse_json(output: &str) -> Vec<Map<String, Value>> {
    // doveadm prints nothing at all for no results.
    if output.trim().is_empty() {
        return Vec::new();
    }
    serde_json::from_str(output).unwrap_or_else(|error| panic!("doveadm JSON ({error}): {output}"))
}

fn field<'a>(row: &'a Map<String, Value>, name: &str) -> &'a str {
    row.get(name).and_then(Value::as_str).unwrap_or_else(|| panic!("doveadm output lacks {name}: {row:?}"))
}

fn parse<T: std::str::FromStr>(text: &str) -> T {
    text.trim().parse().unwrap_or_else(|_| panic!("not a number: {text:?}"))
}
