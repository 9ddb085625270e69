//! The command line: argument parsing and output. Each subcommand is a small
//! function over the library; nothing here decides anything about mail.

use crate::Screener;
use crate::classify::Reason;
use crate::classify::rules::RuleSet;
use crate::config;
use crate::mailfiles::{self, Item};
use crate::policy::Action;
use crate::screen::SetupError;
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use serde::Serialize;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod learning;
mod review;

#[derive(Parser)]
#[command(name = "screener", version, about = "Screens an inbox for extractive networking outreach")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score mail files (.eml, directories, mbox, Maildir) and print each decision.
    Score {
        /// Configuration file (without it, built-in defaults apply).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// One JSON object per message (JSON Lines) on stdout.
        #[arg(long)]
        json: bool,
        /// Print every reason under each message.
        #[arg(long)]
        explain: bool,
        /// Files, directories, mbox files or Maildirs.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Validate the configuration and print it as screener sees it.
    CheckConfig {
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Watch the IMAP mailbox and act on every new message (the daemon).
    Run {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Decide and journal, but change nothing on the server.
        #[arg(long)]
        dry_run: bool,
        /// Process what is pending, then exit (for cron, tests and benchmarks).
        #[arg(long)]
        once: bool,
        /// Log lines as text (journald-aware) or JSON.
        #[arg(long, value_enum, default_value = "text")]
        log_format: crate::logging::LogFormat,
    },
    /// Recent decisions from the journal: date, action, score, category, sender, subject, top reason.
    Review {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// How far back, e.g. 12h, 7d, 4w.
        #[arg(long, default_value = "7d")]
        since: String,
        /// Only decisions of this action.
        #[arg(long, value_parser = ["keep", "file", "decline"])]
        action: Option<String>,
        /// One JSON object per decision.
        #[arg(long)]
        json: bool,
    },
    /// The full reasoning behind one decision: every rule, its weight and excerpt, the
    /// thresholds, and why a reply was or was not sent.
    Explain {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// A journal id (from `screener review`) or a Message-ID.
        target: String,
    },
    /// Move a filed or declined message back to the inbox, learn it as wanted mail
    /// and trust its sender.
    Release {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// A journal id (from `screener review`) or a Message-ID.
        target: String,
    },
    /// Known contacts learned from your corrections, your Sent folder and this command.
    Contacts {
        #[arg(long, short)]
        config: Option<PathBuf>,
        #[arg(value_parser = ["list", "add", "remove"], default_value = "list")]
        action: String,
        addresses: Vec<String>,
    },
    /// Teach the Bayesian classifier from labeled mail (files or imap:FOLDER), or show what it knows.
    Train {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Mail that is extractive outreach: files, directories, mbox, Maildir, or imap:FOLDER.
        #[arg(long)]
        extractive: Vec<String>,
        /// Mail you want (files, directories, mbox, Maildir, or imap:FOLDER).
        #[arg(long)]
        ham: Vec<String>,
        /// Show what it has learned.
        #[arg(long)]
        stats: bool,
    },
    /// Score labeled mail and recommend file_threshold and decline_threshold.
    Tune {
        #[arg(long, short)]
        config: Option<PathBuf>,
        #[arg(long, required = true)]
        extractive: Vec<String>,
        #[arg(long)]
        ham: Vec<String>,
    },
    /// List the effective rules and combos with their weights.
    Rules {
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

/// Runs the command line; the binary's `main` is only this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score { config, json, explain, paths } => score(config.as_deref(), json, explain, &paths),
        Command::CheckConfig { config } => check_config(config.as_deref()),
        Command::Rules { config } => rules(config.as_deref()),
        Command::Review { config, since, action, json } => {
            load(config.as_deref()).and_then(|c| review::review(&c, &since, action.as_deref(), json))
        }
        Command::Explain { config, target } => load(config.as_deref()).and_then(|c| review::explain(&c, &target)),
        Command::Release { config, target } => load(config.as_deref()).and_then(|c| learning::release(&c, &target)),
        Command::Contacts { config, action, addresses } => {
            load(config.as_deref()).and_then(|c| learning::contacts(&c, &action, &addresses))
        }
        Command::Train { config, extractive, ham, stats } => {
            load(config.as_deref()).and_then(|c| learning::train(&c, &extractive, &ham, stats))
        }
        Command::Tune { config, extractive, ham } => {
            load(config.as_deref()).and_then(|c| learning::tune_command(&c, &extractive, &ham))
        }
        Command::Run { config, dry_run, once, log_format } => run(config, dry_run, once, log_format),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("screener: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load(config: Option<&Path>) -> anyhow::Result<config::Config> {
    Ok(config::load(config)?)
}

fn screener(config: Option<&Path>) -> anyhow::Result<Screener> {
    let config = config::load(config)?;
    Screener::new(config).context("cannot set up the rules")
}

#[derive(Serialize)]
struct ScoredLine<'a> {
    path: &'a str,
    message_id: Option<&'a str>,
    from: Option<&'a str>,
    subject: &'a str,
    score: f64,
    action: Action,
    category: Option<&'a str>,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    path: &'a str,
    error: String,
    action: Action,
}

/// `score` drops its regex caches past this. Over the benchmark corpus the bound took
/// peak RSS from 49.4 to 46.2 MiB for 3.9 % more instructions (8 MiB: 41.9 MiB and
/// 11 %; the daemon, whose backlog budget is tighter, uses a smaller bound).
const SCORE_CACHE_BOUND: usize = 12 << 20;

fn score(config: Option<&Path>, json: bool, explain: bool, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let screener = screener(config)?;
    let max_raw = screener.limits().max_raw_bytes();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut counts = [0usize; 3];
    let mut unparseable = 0usize;
    let mut unreadable = 0usize;
    let mut skipped = 0usize;
    let mut write_error: Option<io::Error> = None;
    for path in paths {
        mailfiles::visit(path, max_raw, &mut |item| {
            if write_error.is_some() {
                return;
            }
            let written = match item {
                Item::Message { label, bytes } => {
                    let (message, decision) = screener.screen(&bytes);
                    counts[decision.action as usize] += 1;
                    // Messages are streamed: memory stays bounded however many there are.
                    if counts.iter().sum::<usize>().is_multiple_of(64) {
                        screener.classifier().bound_caches(SCORE_CACHE_BOUND);
                    }
                    match message {
                        Some(m) => {
                            let line = ScoredLine {
                                path: &label,
                                message_id: m.message_id.as_deref(),
                                from: m.from.as_ref().map(|f| f.address.as_str()),
                                subject: &m.subject,
                                score: decision.score,
                                action: decision.action,
                                category: decision.category.as_deref(),
                                reasons: &decision.reasons,
                            };
                            if json { write_json(&mut out, &line) } else { write_human(&mut out, &line, explain) }
                        }
                        None => {
                            unparseable += 1;
                            let error = decision.reasons.first().map(|r| r.excerpt.clone()).unwrap_or_default();
                            write_error_line(&mut out, json, &label, error)
                        }
                    }
                }
                Item::Unreadable { label, error } => {
                    unreadable += 1;
                    eprintln!("screener: cannot read {}: {}", safe(&label), safe(&error.to_string()));
                    Ok(())
                }
                Item::Skipped { label, why } => {
                    skipped += 1;
                    eprintln!("screener: skipped {}: {why}", safe(&label));
                    Ok(())
                }
            };
            if let Err(e) = written {
                write_error = Some(e);
            }
        });
    }
    out.flush().ok();
    if let Some(e) = write_error {
        // A closed pipe (`screener score ... | head`) is a normal way to stop reading.
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(e).context("cannot write to stdout");
        }
    }
    let total: usize = counts.iter().sum();
    eprintln!(
        "scored {total} message{}: {} keep, {} file, {} decline ({unparseable} could not be parsed and were kept{})",
        if total == 1 { "" } else { "s" },
        counts[Action::Keep as usize],
        counts[Action::File as usize],
        counts[Action::Decline as usize],
        if unreadable > 0 { format!("; {unreadable} path(s) could not be read") } else { String::new() },
    );
    if skipped > 0 {
        eprintln!("{skipped} file(s) skipped: gone before they could be read, or links looping back");
    }
    Ok(if unreadable > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

fn write_json(out: &mut impl Write, line: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}

fn write_error_line(out: &mut impl Write, json: bool, path: &str, error: String) -> io::Result<()> {
    if json {
        write_json(out, &ErrorLine { path, error, action: Action::Keep })
    } else {
        writeln!(out, "{:<7} {:>6}  {:<22} {}  ({})", "keep", "-", "unreadable", safe(path), safe(&error))
    }
}

fn write_human(out: &mut impl Write, line: &ScoredLine, explain: bool) -> io::Result<()> {
    writeln!(
        out,
        "{:<7} {:>6.1}  {:<22} {:<32} {}  [{}]",
        line.action.as_str(),
        line.score,
        line.category.unwrap_or("-"),
        safe(line.from.unwrap_or("(no sender)")),
        safe(line.subject),
        safe(line.path),
    )?;
    if explain {
        for r in line.reasons {
            let weight = if r.weight == 0.0 { "      ".to_string() } else { format!("{:>+6.1}", r.weight) };
            writeln!(out, "        {weight}  {:<34} {}", r.rule, safe(&r.excerpt))?;
        }
    }
    Ok(())
}

/// Text from a message shown on a terminal: no control or bidi characters, which
/// could rewrite the screen or reverse what follows.
pub(crate) fn safe(text: &str) -> String {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    text.chars()
        .map(|c| if c.is_control() || c.general_category() == GeneralCategory::Format { ' ' } else { c })
        .collect()
}

fn check_config(path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = match config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{e}");
            return Ok(ExitCode::from(1));
        }
    };
    let screener = match Screener::new(config.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(1));
        }
    };
    let source = path.map_or_else(|| "built-in defaults".to_string(), |p| p.display().to_string());
    println!("# effective configuration from {source} (and SCREENER_* environment variables)");
    println!(
        "# {} rules and combos active; {} known contact entries",
        screener.classifier().len(),
        screener.contacts().len()
    );
    println!("# decline templates: {}", screener.templates().names().join(", "));
    print!("{}", toml::to_string_pretty(&config).context("cannot print the configuration")?);
    Ok(ExitCode::SUCCESS)
}

fn run(
    config: Option<PathBuf>,
    dry_run: bool,
    once: bool,
    log_format: crate::logging::LogFormat,
) -> anyhow::Result<ExitCode> {
    use crate::daemon::{self, Control, RunOptions};
    use tokio::signal::unix::{SignalKind, signal};
    crate::logging::init(log_format);
    // One connection and one message at a time: a single thread is all it needs.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the runtime")?;
    let result = runtime.block_on(async move {
        let (control, signals) = Control::new();
        let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut hup = signal(SignalKind::hangup()).context("cannot handle SIGHUP")?;
        let signal_control = control.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => { tracing::info!("SIGTERM: finishing the message in hand and stopping"); signal_control.shutdown() }
                    _ = int.recv() => { tracing::info!("SIGINT: finishing the message in hand and stopping"); signal_control.shutdown() }
                    _ = hup.recv() => { tracing::info!("SIGHUP: reloading the configuration"); signal_control.reload() }
                }
            }
        });
        daemon::run(config, RunOptions { dry_run, once }, signals).await
    });
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            tracing::error!("{e:#}");
            Ok(ExitCode::from(1))
        }
    }
}

fn rules(path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = config::load(path)?;
    let set = RuleSet::effective(config.user_rules(), &config.rule_weights).map_err(SetupError::Rules)?;
    let classifier = crate::classify::Classifier::new(&set).map_err(SetupError::Rules)?;
    let slow = classifier.ungated_rules();
    let mut out = io::stdout().lock();
    for r in &set.rules {
        let state = if !r.enabled || r.weight == 0.0 {
            " (disabled)"
        } else if slow.contains(&r.id.as_str()) {
            " (slow: no literal prefix or required word, searched on every message)"
        } else {
            ""
        };
        let kind = if let Some(f) = r.fact {
            format!("fact {f:?}")
        } else if r.regex.is_some() {
            "regex".into()
        } else {
            format!("{} phrases", r.phrases.len())
        };
        writeln!(out, "{:>+6.1}  {:<22} {:<36} {kind}{state}", r.weight, r.category, r.id)?;
    }
    for c in &set.combos {
        let groups: Vec<String> = c.all.iter().map(|g| g.join("|")).collect();
        writeln!(
            out,
            "{:>+6.1}  {:<22} {:<36} combo: {}",
            c.weight,
            c.category.as_deref().unwrap_or("-"),
            c.id,
            groups.join(" + ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
