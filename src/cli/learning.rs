//! `screener release`, `contacts`, `train` and `tune`: correcting and teaching
//! screener from the command line. Mail comes from files (as for `score`) or from an
//! IMAP folder of the configured account, written `imap:FOLDER`.

use super::review::open_state;
use super::safe;
use crate::config::Config;
use crate::imap::Connection;
use crate::learn::{self, Label};
use crate::mailfiles::{self, Item};
use crate::message;
use crate::screen::Screener;
use crate::state::State;
use crate::tune;
use anyhow::{Context as _, Result, bail};
use std::path::Path;
use std::process::ExitCode;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

/// Calls `each(label, raw)` for every message of `source`: a path as for `score`, or
/// `imap:FOLDER` for a folder of the configured IMAP account.
fn for_each_message(config: &Config, source: &str, each: &mut dyn FnMut(&str, &[u8])) -> Result<()> {
    let max = crate::message::Limits { max_scored_bytes: config.scoring.max_scored_bytes as usize }.max_raw_bytes();
    if let Some(folder) = source.strip_prefix("imap:") {
        crate::daemon::check_runnable(config)?;
        return runtime()?.block_on(async {
            let mut conn = Connection::open(&config.imap).await?;
            let name = conn.folder_name(folder).await?;
            conn.examine(&name).await.with_context(|| format!("cannot open the IMAP folder {name}"))?;
            let uids = conn.uid_search("ALL").await?;
            for chunk in uids.chunks(500) {
                conn.fetch_each(chunk, max, |uid, raw| {
                    each(&format!("imap:{name}#{uid}"), raw);
                    Ok(true)
                })
                .await?;
            }
            conn.logout().await;
            Ok(())
        });
    }
    let mut unreadable = Vec::new();
    mailfiles::visit(Path::new(source), max, &mut |item| match item {
        Item::Message { label, bytes } => each(&label, &bytes),
        Item::Unreadable { label, error } => unreadable.push(format!("{label}: {error}")),
        Item::Skipped { label, why } => eprintln!("screener: skipped {}: {why}", super::safe(&label)),
    });
    if !unreadable.is_empty() {
        bail!("cannot read {}", unreadable.join("; "));
    }
    Ok(())
}

/// The screener of `config` with what the daemon learned, when there is a state database.
fn screener_with_learned(config: &Config) -> Result<(Screener, Option<State>)> {
    let mut screener = Screener::new(config.clone()).context("cannot set up the rules")?;
    let state = open_state(config).ok();
    if let Some(state) = &state {
        screener.set_learned(&state.learned_contacts()?, state.sent_ids()?, state.load_model()?);
    }
    Ok((screener, state))
}

pub fn release(config: &Config, target: &str) -> Result<ExitCode> {
    let state = open_state(config)?;
    let records = state.find_records(target)?;
    let Some(record) = records.iter().rev().find(|r| r.action != "keep" && r.outcome == "done") else {
        bail!("nothing to release for {target:?}: no filed or declined message with that journal id or Message-ID");
    };
    let folder = record.target.clone().context("the journal entry names no folder")?;
    let Some(message_id) = record.message_id.clone() else {
        bail!("journal #{} has no Message-ID to find it by: move it back in your mail client instead", record.id);
    };
    crate::daemon::check_runnable(config)?;
    let screener = Screener::new(config.clone()).context("cannot set up the rules")?;
    let mailbox = config.imap.mailbox.clone();
    let raw = runtime()?.block_on(async {
        let mut conn = Connection::open(&config.imap).await?;
        let name = conn.folder_name(&folder).await?;
        conn.select(&name).await?;
        let uids = conn.uids_with_message_id(&message_id).await?;
        if uids.is_empty() {
            bail!("<{message_id}> is no longer in {name}: it was moved or deleted already");
        }
        let mut raw = Vec::new();
        conn.fetch_each(&uids[..1], screener.limits().max_raw_bytes(), |_, bytes| {
            raw = bytes.to_vec();
            Ok(true)
        })
        .await?;
        conn.move_messages(&uids, &mailbox).await?;
        conn.logout().await;
        anyhow::Ok(raw)
    })?;
    let mut said = format!("released journal #{}: moved back to {mailbox}", record.id);
    if let Ok(msg) = message::parse(&raw, screener.limits(), config.identity.authserv_id.as_deref()) {
        let key = crate::daemon::message_key(Some(&msg), &raw);
        state.train(&key, Label::Ham, &learn::tokens(&msg), "released")?;
        if let Some(author) = crate::policy::author(&msg, &config.identity.addresses) {
            state.add_contact(&author, "release")?;
            said.push_str(&format!("; {author} is now a known contact"));
        }
        if state.cancel_declines(&key, "released by the user")? > 0 {
            said.push_str("; the reply not yet sent is cancelled (the daemon removes a drafted one from Drafts)");
        }
    }
    println!("{}", safe(&said));
    Ok(ExitCode::SUCCESS)
}

pub fn contacts(config: &Config, action: &str, addresses: &[String]) -> Result<ExitCode> {
    let state = open_state(config)?;
    match action {
        "list" => {
            for entry in config.contact_entries()? {
                println!("{entry:<40} config");
            }
            for c in state.contact_list()?.into_iter().filter(|c| c.source != "removed") {
                let when = humantime::format_rfc3339_seconds(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(c.added_at.max(0) as u64),
                );
                println!("{:<40} learned ({}, {when})", c.address, c.source);
            }
        }
        "add" | "remove" => {
            if addresses.is_empty() {
                bail!("`screener contacts {action}` needs at least one address");
            }
            for a in addresses {
                if !a.contains('@') || a.contains(char::is_whitespace) {
                    bail!("{a:?} is not an email address");
                }
                let changed = if action == "add" { state.add_contact(a, "cli")? } else { state.remove_contact(a)? };
                let verb = match (action, changed) {
                    ("add", true) => "added",
                    ("add", false) => "already a contact",
                    (_, true) => "removed",
                    _ => "not a learned contact (contacts in the config file are changed there)",
                };
                println!("{a}: {verb}");
            }
            println!("a running daemon uses this from the next message it decides");
        }
        other => bail!("unknown contacts action {other:?}: use list, add or remove"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn train(config: &Config, extractive: &[String], ham: &[String], stats: bool) -> Result<ExitCode> {
    let state = open_state(config).or_else(|_| {
        let path = config.daemon.state_path().context("no place for the state database: set daemon.state_path")?;
        State::open(&path)
    })?;
    let limits = crate::message::Limits { max_scored_bytes: config.scoring.max_scored_bytes as usize };
    for (sources, label) in [(extractive, Label::Extractive), (ham, Label::Ham)] {
        for source in sources {
            let (mut new, mut same, mut unreadable) = (0, 0, 0);
            let mut failure = None;
            for_each_message(config, source, &mut |_, raw| {
                let Ok(msg) = message::parse(raw, limits, config.identity.authserv_id.as_deref()) else {
                    unreadable += 1;
                    return;
                };
                let key = crate::daemon::message_key(Some(&msg), raw);
                match state.train(&key, label, &learn::tokens(&msg), "train") {
                    Ok(crate::state::Trained::Unchanged) => same += 1,
                    Ok(_) => new += 1,
                    Err(e) => failure = Some(e),
                }
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
            println!("{source}: {new} learned as {label}, {same} already known, {unreadable} unreadable");
        }
    }
    if stats || (extractive.is_empty() && ham.is_empty()) {
        let model = state.load_model()?;
        let (e, h) = model.docs();
        let min = config.learning.min_examples as u32;
        println!("examples: {e} extractive, {h} ham; {} distinct tokens", model.token_count());
        let seed = config.learning.seed.then(learn::Seed::builtin);
        match &seed {
            Some(seed) => {
                let (e, h) = seed.docs();
                println!(
                    "seed: built in, {e} extractive and {h} ham messages, {} tokens; your examples add to it",
                    seed.token_count()
                );
            }
            None => println!("seed: off (learning.seed = false)"),
        }
        println!(
            "status: {}",
            if !config.learning.enabled {
                "off (learning.enabled = false)".to_string()
            } else if model.is_ready_over(seed.as_ref(), min) {
                format!("active: adds at most ±{} to a score", config.learning.max_weight)
            } else {
                format!("silent until it has {min} examples of each class (learning.min_examples)")
            }
        );
        for (source, label, n) in state.training_sources()? {
            println!("  {n:>6} {label:<10} from {source}");
        }
        for label in [Label::Extractive, Label::Ham] {
            let top: Vec<String> =
                model.top_tokens(label, 12).into_iter().map(|(t, p)| format!("{} ({p:.2})", safe(&t))).collect();
            if !top.is_empty() {
                println!("most {label}: {}", top.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn tune_command(config: &Config, extractive: &[String], ham: &[String]) -> Result<ExitCode> {
    if extractive.is_empty() {
        bail!("`screener tune` needs --extractive mail (and --ham mail) to measure against");
    }
    let (screener, _state) = screener_with_learned(config)?;
    // Each message taken apart once; its score is then replayed at every threshold,
    // since the learned weight and its clamp depend on the threshold in place.
    let mut parts = Vec::new();
    let mut unreadable = 0;
    for (sources, is_extractive) in [(extractive, true), (ham, false)] {
        for source in sources {
            let limits = screener.limits();
            for_each_message(config, source, &mut |_, raw| match message::parse(
                raw,
                limits,
                config.identity.authserv_id.as_deref(),
            ) {
                Ok(msg) => parts.push((Some(screener.parts(&msg)), is_extractive)),
                Err(_) => {
                    unreadable += 1;
                    parts.push((None, is_extractive));
                }
            })?;
        }
    }
    // A message the policy keeps whatever it scores (a known contact, a thread of
    // yours) is caught by no threshold; an unreadable one is kept and scores 0.
    let samples_at = |threshold: f64| -> Vec<tune::Sample> {
        parts
            .iter()
            .map(|(p, extractive)| {
                let score = match p {
                    Some(p) if p.always_kept => f64::NEG_INFINITY,
                    Some(p) => screener.score_at(p, threshold),
                    None => 0.0,
                };
                tune::Sample { score, extractive: *extractive }
            })
            .collect()
    };
    let current = samples_at(config.scoring.file_threshold);
    let (ne, nh) = (parts.iter().filter(|(_, e)| *e).count(), parts.iter().filter(|(_, e)| !*e).count());
    println!("{ne} extractive and {nh} wanted messages scored ({unreadable} unreadable, scored 0)");
    println!("{:>9}  {:>18}  {:>18}", "threshold", "extractive caught", "wanted caught");
    let pct = |n: usize, of: usize| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
    let row_at = |threshold: f64| tune::sweep(&samples_at(threshold), &[threshold])[0];
    for threshold in tune::grid(&current) {
        let row = row_at(threshold);
        println!(
            "{:>9.1}  {:>9} ({:>5.1}%)  {:>9} ({:>5.1}%)",
            row.threshold,
            row.extractive_at_or_above,
            pct(row.extractive_at_or_above, ne),
            row.ham_at_or_above,
            pct(row.ham_at_or_above, nh)
        );
    }
    let scoring = &config.scoring;
    println!("current: file_threshold = {}, decline_threshold = {}", scoring.file_threshold, scoring.decline_threshold);
    // Recommended from the scores at the current threshold, then checked at its own:
    // raised by half a point while it files more wanted mail there than allowed.
    match tune::recommend(&current, 0.01) {
        Some(mut r) => {
            let budget = (0.01 * nh as f64 + 1e-9).floor() as usize;
            let mut row = row_at(r.file_threshold);
            while row.ham_at_or_above > budget && r.file_threshold < r.decline_threshold {
                r.file_threshold += 0.5;
                row = row_at(r.file_threshold);
            }
            println!(
                "recommended:\n[scoring]\nfile_threshold = {}\ndecline_threshold = {}",
                r.file_threshold, r.decline_threshold
            );
            println!("# {}", r.rationale);
            println!(
                "# at file_threshold {}: {} of {ne} extractive and {} of {nh} wanted messages filed",
                r.file_threshold, row.extractive_at_or_above, row.ham_at_or_above
            );
        }
        None => println!("no recommendation: no extractive message could be scored"),
    }
    Ok(ExitCode::SUCCESS)
}
