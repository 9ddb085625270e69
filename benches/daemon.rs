//! Daemon benchmarks against a private Dovecot (`cargo bench --bench daemon`):
//!
//! 1. Backlog: the shared corpora (SpamAssassin + dev, ~2,900 messages) in INBOX;
//!    `screener run --once` with `initial_scan = "all"` triages them all. imapfilter
//!    filing the same mailbox with 40 phrases through server-side SEARCH is measured
//!    in the same run for comparison.
//! 2. Latency: 200 messages appended one at a time while screener IDLEs; the time
//!    from the end of each APPEND to the message being in its folder. The floor is
//!    measured in the same run: a bare IDLE client waiting for the EXISTS.
//! 3. Memory: peak RSS of the backlog run, and RSS of the daemon once idle.
//!
//! Needs dovecot-imapd and imapfilter (`apt-get install -y dovecot-imapd imapfilter`).

#[path = "../tests/support/dovecot.rs"]
#[allow(dead_code)]
mod dovecot;

use dovecot::Dovecot;
use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILED: &str = "Screened.Extractive";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<Vec<u8>> {
    let root = repo().join("../shared/corpus");
    assert!(root.is_dir(), "the shared corpus is needed at {}", root.display());
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["spamassassin/easy-ham-2", "spamassassin/spam-2", "dev"] {
        for entry in fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|p| {
            let raw = fs::read(p).unwrap();
            // Drop the mbox "From " line the SpamAssassin files start with.
            if raw.starts_with(b"From ") {
                let nl = raw.iter().position(|&b| b == b'\n').unwrap();
                raw[nl + 1..].to_vec()
            } else {
                raw
            }
        })
        .collect()
}

fn fill(server: &Dovecot, messages: &[Vec<u8>]) {
    let mut imap = server.login();
    for raw in messages {
        imap.append("INBOX", raw, &[]);
    }
    imap.command("LOGOUT");
}

fn config(server: &Dovecot, dir: &Path, scan: &str) -> PathBuf {
    let path = dir.join("screener.toml");
    let text = format!(
        "[identity]\nname = \"Hank Bergstrom\"\naddresses = [\"hank@bergstrom.example\"]\nauthserv_id = \"mx.bergstrom.example\"\n\
         [contacts]\nfiles = [\"{contacts}\"]\n\
         [imap]\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nusername = \"{user}\"\npassword = \"{password}\"\n\
         [daemon]\nstate_path = \"{state}\"\ninitial_scan = \"{scan}\"\n",
        contacts = repo().join("../shared/corpus/dev/contacts.txt").display(),
        port = server.port(),
        user = server.user(),
        password = server.password(),
        state = dir.join("state.db").display(),
    );
    fs::write(&path, text).unwrap();
    path
}

/// Runs a command to completion; returns wall time and peak RSS in KiB (VmHWM, read
/// from /proc every few milliseconds until the process exits).
fn measure(cmd: &mut Command) -> (Duration, i64) {
    let start = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0i64;
    let status = loop {
        if let Some(hwm) = fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
            .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = start.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{cmd:?} failed ({:?}): {stderr}", status.code().or(status.signal()));
    (elapsed, peak)
}

fn imapfilter_config(server: &Dovecot, dir: &Path) -> PathBuf {
    let rules = fs::read_to_string(repo().join("config/rules.toml")).unwrap();
    let table: toml::Table = toml::from_str(&rules).unwrap();
    // 40 phrases: the literal phrase lists of the rules, or fixed ones from the
    // issue's examples when the rules are mostly regexes.
    let mut phrases: Vec<String> = table["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("phrases").and_then(|p| p.as_array()))
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    for p in [
        "impressive network",
        "well connected",
        "help each other",
        "explore synergies",
        "who are your clients",
        "who do you work with",
        "introduce me to",
        "connect me with",
        "you're connected to",
        "linkedin recommendation",
        "endorse me",
        "referral fee",
        "business opportunity",
        "be your own boss",
        "came across your profile",
        "connected on linkedin",
        "we haven't met",
        "pick your brain",
        "15 minutes of your time",
        "quick call",
        "your network",
        "your contacts",
        "your clients",
        "warm introduction",
        "decision makers",
        "member list",
        "monetize your network",
        "passive income",
        "finder's fee",
        "put me in touch",
        "any introductions",
        "forward this to",
        "people you know",
        "your rolodex",
        "grab a coffee",
        "mutually beneficial",
        "write me a recommendation",
        "testimonial",
        "downline",
        "join my team",
    ] {
        phrases.push(p.to_string());
    }
    phrases.truncate(40);
    let list: Vec<String> = phrases.iter().map(|p| format!("'{}'", p.replace('\'', "\\'"))).collect();
    let lua = format!(
        "options.timeout = 120\noptions.create = true\n\
         account = IMAP {{ server = '127.0.0.1', port = {port}, username = '{user}', password = '{password}' }}\n\
         local phrases = {{ {list} }}\n\
         local results = account.INBOX:contain_body(phrases[1])\n\
         for i = 2, #phrases do results = results + account.INBOX:contain_body(phrases[i]) end\n\
         results:move_messages(account['{FILED}'])\n",
        port = server.port(),
        user = server.user(),
        password = server.password(),
        list = list.join(", "),
    );
    let path = dir.join("imapfilter.lua");
    fs::write(&path, lua).unwrap();
    path
}

/// Seconds within the day of a log line's RFC 3339 timestamp (2026-01-05T10:00:00.123456Z).
fn timestamp(word: &str) -> Option<f64> {
    let time = word.split('T').nth(1)?.trim_end_matches('Z');
    let mut parts = time.split(':');
    let (h, m, s): (f64, f64, f64) =
        (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    Some(h * 3600.0 + m * 60.0 + s)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    // `cargo bench --bench daemon -- latency` runs only part 2, `-- backlog` only
    // screener's own backlog runs.
    let only_latency = std::env::args().any(|a| a == "latency");
    let only_backlog = std::env::args().any(|a| a == "backlog");
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/screener");
    assert!(bin.exists(), "build first: cargo build --release");
    let messages = corpus();
    let size: usize = messages.iter().map(Vec::len).sum();
    println!("corpus: {} messages, {:.1} MB", messages.len(), size as f64 / 1e6);

    // 1. Backlog, screener.
    if !only_latency {
        // Best of three, each on a freshly filled server: the machine is shared.
        let mut best: Option<(Duration, i64, usize)> = None;
        for _ in 0..3 {
            let server = Dovecot::start();
            fill(&server, &messages);
            let dir = tempfile::tempdir().unwrap();
            let cfg = config(&server, dir.path(), "all");
            let mut run = match std::env::var_os("BENCH_PERF") {
                // `BENCH_PERF=out.data cargo bench --bench daemon` profiles the backlog run.
                Some(out) => {
                    let mut c = Command::new("perf");
                    c.args(["record", "-g", "-o"]).arg(out).arg("--").arg(&bin);
                    c
                }
                None => Command::new(&bin),
            };
            let (elapsed, peak) = measure(run.args(["run", "--once", "--config"]).arg(&cfg).env("RUST_LOG", "warn"));
            let filed = server.count(FILED);
            if best.is_none_or(|(b, _, _)| elapsed < b) {
                best = Some((elapsed, peak, filed));
            }
        }
        let (elapsed, peak, filed) = best.unwrap();
        println!(
            "backlog  screener run --once (best of 3): {:7.0} ms  {:6.0} msg/s  peak RSS {:.1} MiB  ({} filed)",
            elapsed.as_secs_f64() * 1000.0,
            messages.len() as f64 / elapsed.as_secs_f64(),
            peak as f64 / 1024.0,
            filed
        );

        // The same backlog decided and journaled, without moving anything: the
        // difference is the cost of the mailbox changes.
        let mut best_dry = Duration::MAX;
        for _ in 0..3 {
            let server = Dovecot::start();
            fill(&server, &messages);
            let dir = tempfile::tempdir().unwrap();
            let cfg = config(&server, dir.path(), "all");
            let (elapsed, _) = measure(
                Command::new(&bin).args(["run", "--once", "--dry-run", "--config"]).arg(&cfg).env("RUST_LOG", "warn"),
            );
            best_dry = best_dry.min(elapsed);
        }
        println!("backlog  screener run --once --dry-run (best of 3): {:7.0} ms", best_dry.as_secs_f64() * 1000.0);

        // 1b. Backlog, imapfilter with 40 phrases, on an identical mailbox.
        if only_backlog {
            return;
        }
        if Command::new("imapfilter").arg("-V").stdout(Stdio::null()).status().is_ok() {
            let server = Dovecot::start();
            fill(&server, &messages);
            let dir = tempfile::tempdir().unwrap();
            let lua = imapfilter_config(&server, dir.path());
            let (elapsed, _) = measure(Command::new("imapfilter").arg("-c").arg(&lua).env("HOME", dir.path()));
            println!(
                "backlog  imapfilter (40 SEARCH BODY phrases): {:7.0} ms  ({} moved)",
                elapsed.as_secs_f64() * 1000.0,
                server.count(FILED)
            );
        } else {
            println!("imapfilter not installed (apt-get install -y imapfilter): comparison skipped");
        }
    }

    // 2. Latency while idle, and idle RSS.
    let server = Dovecot::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&server, dir.path(), "new");
    let mut daemon = Command::new(&bin)
        .args(["run", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info,screener::daemon=debug")
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.path().join("daemon.log")).unwrap())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    let extractive = fs::read(repo().join("examples/mail/02-who-are-your-clients.eml")).unwrap();
    // Dovecot 2.3 holds IDLE notifications back for a fixed 500 ms
    // (NOTIFY_DELAY_MSECS in src/lib-storage/mailbox-watch.c), so APPEND → filed can
    // never be below that. screener's own part is measured from its log: the time
    // from IDLE ending (the server's EXISTS) to the "filed" line.
    let mut probe = server.login();
    let mut imap = server.login();
    let mut latencies = Vec::new();
    for n in 0..200u32 {
        // Mail arrives while the daemon waits in IDLE, as it does in real life: give it
        // time to go back to IDLE after the previous message. (Appending at once
        // would often beat the next IDLE command, whose start reports new mail
        // without Dovecot's delay, and make the figure look better than it is.)
        std::thread::sleep(Duration::from_millis(50));
        let raw = String::from_utf8_lossy(&extractive).replace("Message-ID: <", &format!("Message-ID: <lat{n}."));
        imap.append("INBOX", raw.as_bytes(), &[]);
        let appended = Instant::now();
        loop {
            let status = probe.command(&format!("STATUS {FILED} (MESSAGES)"));
            if status.iter().any(|l| l.contains(&format!("MESSAGES {}", n + 1))) {
                break;
            }
            assert!(
                appended.elapsed() < Duration::from_secs(10),
                "message {n} not filed: {status:?}\n{}",
                fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_micros(200));
        }
        latencies.push(appended.elapsed());
    }
    let log = fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    let mut own = Vec::new();
    let mut woken: Option<f64> = None;
    for line in log.lines() {
        let Some(t) = line.split_whitespace().next().and_then(timestamp) else { continue };
        if line.contains("IDLE ended") {
            woken = Some(t);
        } else if line.contains(" filed")
            && let Some(w) = woken.take()
        {
            own.push(Duration::from_secs_f64(t - w));
        }
    }
    own.sort();
    println!(
        "latency  EXISTS → filed (screener's part): p50 {:.1} ms  p99 {:.1} ms",
        percentile(&own, 0.5).as_secs_f64() * 1000.0,
        percentile(&own, 0.99).as_secs_f64() * 1000.0
    );
    latencies.sort();
    // Idle means idle: let the daemon finish its last batch and go back to IDLE.
    std::thread::sleep(Duration::from_millis(500));
    let rss: i64 = fs::read_to_string(format!("/proc/{}/status", daemon.id()))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|v| v.parse().unwrap()))
        .unwrap();
    println!(
        "latency  APPEND → filed (200 messages): p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    println!("memory   RSS of the idle daemon: {:.1} MiB", rss as f64 / 1024.0);
    // What the resident memory is: the binary's pages, or heap.
    if let Ok(rollup) = fs::read_to_string(format!("/proc/{}/smaps_rollup", daemon.id())) {
        let field = |name: &str| {
            rollup
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_string()
        };
        println!(
            "memory   of which file-backed (the binary, libraries) {} KiB, anonymous (heap, stacks) {} KiB",
            field("Rss:").parse::<i64>().unwrap_or(0) - field("Anonymous:").parse::<i64>().unwrap_or(0),
            field("Anonymous:")
        );
    }
    let _ = daemon.kill();
    let _ = daemon.wait();

    // The floor any IDLE client gets from this server: a bare client that only waits
    // for the EXISTS, measured against the same Dovecot.
    let mut watcher = server.login();
    watcher.command("CREATE Probe");
    watcher.command("SELECT Probe");
    let mut floor = Vec::new();
    for n in 0..50u32 {
        let tag = watcher.send("IDLE");
        assert!(watcher.read_line().starts_with('+'), "IDLE refused");
        std::thread::sleep(Duration::from_millis(50));
        imap.append("Probe", &extractive, &[]);
        let appended = Instant::now();
        while !watcher.read_line().ends_with(&format!(" {} EXISTS", n + 1)) {}
        floor.push(appended.elapsed());
        watcher.stream().write_all(b"DONE\r\n").unwrap();
        watcher.read_until_tagged(&tag);
    }
    floor.sort();
    println!(
        "latency  APPEND → EXISTS at a bare IDLE client (50 messages, Dovecot's floor): p50 {:.1} ms  p99 {:.1} ms",
        percentile(&floor, 0.5).as_secs_f64() * 1000.0,
        percentile(&floor, 0.99).as_secs_f64() * 1000.0
    );
}
