//! Where `screener score`'s time goes, stage by stage, in one process over the
//! shared corpora held in memory (`cargo bench --bench stages`; pin it to one core
//! with `taskset -c 0 cargo bench --bench stages`):
//!
//! 1. mail-parser alone, configured as `message::parse` configures it, reading the
//!    first text part as `message::parse` does: the floor any screener built on
//!    mail-parser 0.11 stands on.
//! 2. `message::parse`: the above plus the normalized view (addresses,
//!    authentication, quoted history and signature split, NFKC and confusables).
//! 3. `Screener::screen`: parse, rules, the learned model where it may speak, and
//!    the decision, as `screener score` runs it for each message.
//!
//! Each figure is the best of `RUNS` passes, after a warm-up pass (which also
//! compiles the lazily built regexes, so this is the steady state a daemon sees,
//! not a cold `score` run's start-up).

use mail_parser::{HeaderName, MessageParser};
use screener::config::Config;
use screener::message;
use screener::screen::Screener;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn corpus() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(root.is_dir(), "the shared corpus is needed at {}", root.display());
    let mut files = Vec::new();
    for dir in ["dev", "spamassassin/easy-ham-2", "spamassassin/spam-2"] {
        collect(&root.join(dir), &mut files);
    }
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "eml") {
            out.push(path);
        }
    }
}

fn best(mut pass: impl FnMut()) -> Duration {
    pass();
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            pass();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported here.
    let mails = corpus();
    let bytes: usize = mails.iter().map(Vec::len).sum();
    println!("{} messages, {:.1} MB, best of {RUNS} passes after a warm-up", mails.len(), bytes as f64 / 1e6);

    let screener = Screener::new(Config::default()).expect("the built-in rules load");
    let limits = screener.limits();
    let parser = MessageParser::new()
        .with_minimal_headers()
        .with_message_ids()
        .ignore_header(HeaderName::Received)
        .default_header_ignore();
    let floor = best(|| {
        for raw in &mails {
            // The prefix `message::parse` reads.
            if let Some(parsed) = parser.parse(&raw[..raw.len().min(limits.max_raw_bytes())]) {
                black_box(parsed.body_text(0).map(|t| t.len()));
            }
        }
    });

    let parse = best(|| {
        for raw in &mails {
            black_box(message::parse(raw, limits, None).ok());
        }
    });

    let screen = best(|| {
        for raw in &mails {
            black_box(screener.screen(raw));
        }
    });

    let row = |what: &str, d: Duration| {
        let s = d.as_secs_f64();
        println!(
            "{what:<44} {:>8.1} ms {:>8.0} msg/s {:>6.1} MB/s  {:>4.0} % of screen",
            s * 1e3,
            mails.len() as f64 / s,
            bytes as f64 / 1e6 / s,
            100.0 * s / screen.as_secs_f64()
        );
    };
    row("mail-parser alone (parse + first text part)", floor);
    row("message::parse (the normalized view)", parse);
    row("Screener::screen (parse, rules, model, decision)", screen);
}
