//! Running the `screener` binary against the private Dovecot: a config for the
//! test server, `screener run` as a child process killed on drop, and helpers to
//! wait for what it does.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::dovecot::Dovecot;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example(name: &str) -> Vec<u8> {
    fs::read(repo().join("examples/mail").join(name)).unwrap()
}

/// A message that is filed, with its own Message-ID.
pub fn extractive(n: u32) -> Vec<u8> {
    let raw = String::from_utf8(example("02-who-are-your-clients.eml")).unwrap();
    with_message_id(&raw, &format!("<extractive-{n}@test.example>"))
}

/// A message that is kept, with its own Message-ID.
pub fn welcome(n: u32) -> Vec<u8> {
    let raw = String::from_utf8(example("04-student-advice.eml")).unwrap();
    with_message_id(&raw, &format!("<welcome-{n}@test.example>"))
}

pub fn with_message_id(raw: &str, id: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in raw.lines() {
        if line.to_ascii_lowercase().starts_with("message-id:") {
            out.push_str(&format!("Message-ID: {id}\r\n"));
        } else {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.into_bytes()
}

/// A running `screener run`, killed on drop; its log is kept for assertions.
pub struct Screener {
    child: Option<Child>,
    dir: PathBuf,
}

pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new(server: &Dovecot, extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup { dir };
        setup.write_config(server, extra);
        setup
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("screener.toml")
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join("state/screener.db")
    }

    pub fn write_config(&self, server: &Dovecot, extra: &str) {
        let text = format!(
            r#"
[identity]
name = "Hank Bergstrom"
addresses = ["hank@bergstrom.example"]
authserv_id = "mx.bergstrom.example"

[contacts]
known = ["@bergstrom.example", "susan.cho@example.org"]

[imap]
host = "127.0.0.1"
port = {port}
tls = "none"
username = "{user}"
password = "{password}"

[daemon]
state_path = "{state}"
idle_timeout = "30s"
poll_interval = "1s"
{extra}
"#,
            port = server.port(),
            user = server.user(),
            password = server.password(),
            state = self.state_path().display(),
        );
        // [daemon] keys in `extra` would repeat the section: let callers pass whole sections
        // or keys that belong to [daemon] (written last on purpose).
        fs::write(self.config_path(), text).unwrap();
    }

    pub fn start(&self, args: &[&str], env: &[(&str, &str)]) -> Screener {
        let log = fs::File::create(self.dir.path().join("screener.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_screener"));
        cmd.arg("run").arg("--config").arg(self.config_path()).args(args);
        for (key, _) in std::env::vars() {
            if key.starts_with("SCREENER") || key == "NOTIFY_SOCKET" || key == "JOURNAL_STREAM" {
                cmd.env_remove(key);
            }
        }
        cmd.env("RUST_LOG", "info");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.stdout(Stdio::null()).stderr(log).spawn().unwrap();
        Screener { child: Some(child), dir: self.dir.path().to_path_buf() }
    }

    /// `screener run --once`, waited for; returns (exit code, log).
    pub fn once(&self, env: &[(&str, &str)]) -> (i32, String) {
        self.once_with(&[], env)
    }

    /// `screener run --once` with more arguments (`--dry-run`), waited for.
    pub fn once_with(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
        let args: Vec<&str> = ["--once"].iter().chain(args).copied().collect();
        let mut s = self.start(&args, env);
        let code = s.wait(Duration::from_secs(60));
        (code, s.log())
    }

    pub fn journal(&self) -> Vec<(u32, String, String)> {
        let out = Command::new("sqlite3")
            .arg(self.state_path())
            .arg("SELECT uid, action, outcome FROM journal ORDER BY id")
            .output();
        match out {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| {
                    let mut p = l.split('|');
                    (p.next().unwrap().parse().unwrap(), p.next().unwrap().to_string(), p.next().unwrap().to_string())
                })
                .collect(),
            _ => journal_via_rust(&self.state_path()),
        }
    }
}

/// Reads the journal without the sqlite3 tool, through screener's own state module.
pub fn journal_via_rust(path: &Path) -> Vec<(u32, String, String)> {
    let state = screener::state::State::open(path).unwrap();
    state.all().unwrap().into_iter().map(|e| (e.uid, e.action, e.outcome.as_str().to_string())).collect()
}

impl Screener {
    pub fn log(&self) -> String {
        let mut s = String::new();
        fs::File::open(self.dir.join("screener.log")).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    pub fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().unwrap().success();
        assert!(ok, "kill -{name} failed");
    }

    /// Waits for the process to exit; returns its exit code (-1 for a signal).
    pub fn wait(&mut self, limit: Duration) -> i32 {
        let child = self.child.as_mut().unwrap();
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "screener did not exit within {limit:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for_log(&self, needle: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.log().contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} in the log within {limit:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Screener {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Messages in `mailbox`, 0 while it does not exist yet.
pub fn count(server: &Dovecot, mailbox: &str) -> usize {
    if server.mailboxes().iter().any(|m| m == mailbox) { server.count(mailbox) } else { 0 }
}

pub fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}
