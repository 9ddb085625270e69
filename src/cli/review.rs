//! `screener review` and `screener explain`: what the daemon decided, read from the
//! journal in the state database.

use super::safe;
use crate::classify::Reason;
use crate::config::Config;
use crate::digest::top_reason;
use crate::state::{Record, State};
use anyhow::{Context as _, Result, bail};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// Opens the state database of `config` without creating one.
pub fn open_state(config: &Config) -> Result<State> {
    let path = config
        .daemon
        .state_path()
        .context("no state database: set daemon.state_path (or HOME, XDG_STATE_HOME or STATE_DIRECTORY)")?;
    if !path.exists() {
        bail!("no state database at {}: has `screener run` been started with this configuration?", path.display());
    }
    State::open(&path)
}

/// "7d" → the SQLite datetime that long ago.
fn since(duration: &str) -> Result<String> {
    let d: Duration = humantime::parse_duration(duration)
        .with_context(|| format!("--since {duration:?}: expected a duration such as 12h, 7d or 4w"))?;
    let then = SystemTime::now().checked_sub(d).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut text = humantime::format_rfc3339_seconds(then).to_string();
    text.truncate(19);
    Ok(format!("{text}Z"))
}

fn reasons(record: &Record) -> Vec<Reason> {
    serde_json::from_str(&record.reasons).unwrap_or_default()
}

pub fn review(config: &Config, since_arg: &str, action: Option<&str>, json: bool) -> Result<ExitCode> {
    let state = open_state(config)?;
    let records = state.records_since(&since(since_arg)?, action)?;
    let mut out = std::io::stdout().lock();
    if json {
        for r in &records {
            let reasons = reasons(r);
            let mut value = serde_json::to_value(r)?;
            value["top_reason"] = serde_json::to_value(top_reason(&reasons))?;
            value["reply"] = match state.decline_for(r.id)? {
                Some(d) => serde_json::json!({"to": d.recipient, "status": d.status.as_str(), "detail": d.detail}),
                None => serde_json::Value::Null,
            };
            writeln!(out, "{value}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<6} {:<16} {:<7} {:>6}  {:<22} {:<30} {:<40} top reason",
        "id", "date", "action", "score", "category", "sender", "subject"
    )?;
    for r in &records {
        let reasons = reasons(r);
        let top = top_reason(&reasons).map(|t| format!("{} ({:+.1})", t.rule, t.weight)).unwrap_or_default();
        let action = if r.outcome == "dry-run" { format!("({})", r.action) } else { r.action.clone() };
        writeln!(
            out,
            "{:<6} {:<16} {:<7} {:>6.1}  {:<22} {:<30} {:<40} {}",
            r.id,
            r.time.get(..16).unwrap_or(&r.time).replace('T', " "),
            action,
            r.score,
            r.category.as_deref().unwrap_or("-"),
            clip(&safe(r.sender.as_deref().unwrap_or("(no sender)")), 30),
            clip(&safe(r.subject.as_deref().unwrap_or("")), 40),
            top
        )?;
    }
    let count = |a: &str| records.iter().filter(|r| r.action == a).count();
    eprintln!(
        "{} decisions since {since_arg} ago: {} filed, {} declined, {} kept{}",
        records.len(),
        count("file"),
        count("decline"),
        count("keep"),
        if records.iter().any(|r| r.outcome == "dry-run") { "; (action) = dry run, nothing was done" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn explain(config: &Config, target: &str) -> Result<ExitCode> {
    let state = open_state(config)?;
    let records = state.find_records(target)?;
    if records.is_empty() {
        eprintln!(
            "screener: no decision recorded for {target:?} (give a journal id from `screener review` or a Message-ID)"
        );
        return Ok(ExitCode::from(1));
    }
    let mut out = std::io::stdout().lock();
    let scoring = &config.scoring;
    for r in &records {
        writeln!(out, "journal #{}  {}  {} UID {}", r.id, r.time, r.mailbox, r.uid)?;
        writeln!(out, "  from:     {}", safe(r.sender.as_deref().unwrap_or("(no sender)")))?;
        writeln!(out, "  subject:  {}", safe(r.subject.as_deref().unwrap_or("")))?;
        writeln!(out, "  id:       {}", safe(r.message_id.as_deref().unwrap_or("(none)")))?;
        writeln!(
            out,
            "  decision: {} (score {:.1}; file at {:.1}, decline at {:.1}{})",
            r.action,
            r.score,
            scoring.file_threshold,
            scoring.decline_threshold,
            if config.decline.enabled { "" } else { ", declines off" }
        )?;
        writeln!(out, "  category: {}", r.category.as_deref().unwrap_or("-"))?;
        let outcome = match (&r.target, r.outcome.as_str()) {
            (_, "dry-run") => "dry run: nothing was done".to_string(),
            (Some(t), "done") => format!("moved to {t}"),
            (None, "done") => "left in place".to_string(),
            (t, o) => format!("{o}{}", t.as_ref().map(|t| format!(" (target {t})")).unwrap_or_default()),
        };
        writeln!(out, "  outcome:  {outcome}{}", r.detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())?;
        writeln!(out, "  reasons:")?;
        for reason in reasons(r) {
            let weight = if reason.weight == 0.0 { "      ".to_string() } else { format!("{:>+6.1}", reason.weight) };
            writeln!(out, "    {weight}  {:<34} {}", reason.rule, safe(&reason.excerpt))?;
        }
        match state.decline_for(r.id)? {
            Some(d) => writeln!(
                out,
                "  reply:    {} to {} ({}){}",
                d.status.as_str(),
                safe(&d.recipient),
                d.mode,
                d.detail.map(|x| format!(": {}", safe(&x))).unwrap_or_default()
            )?,
            None if r.action == "decline" => writeln!(out, "  reply:    none recorded (dry run)")?,
            None => {
                let why = reasons(r).into_iter().find(|x| x.rule == "policy:no-reply" || x.rule.ends_with("-limit"));
                if let Some(why) = why {
                    writeln!(out, "  reply:    none: {}", safe(&why.excerpt))?;
                }
            }
        }
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    s.chars().take(width - 1).collect::<String>() + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_sortable_utc_datetime() {
        let s = since("7d").unwrap();
        assert_eq!(s.len(), 20, "{s}");
        assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T');
        assert!(since("a week").is_err());
    }

    #[test]
    fn the_top_reason_is_the_heaviest_rule() {
        let r =
            |rule: &str, w: f64| Reason { rule: rule.into(), category: "c".into(), weight: w, excerpt: String::new() };
        let reasons = vec![r("cap:c", -3.0), r("a", 2.0), r("b", 4.5), r("policy:x", 0.0)];
        assert_eq!(top_reason(&reasons).unwrap().rule, "b");
        assert_eq!(top_reason(&[r("policy:known-contact", 0.0)]).unwrap().rule, "policy:known-contact");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
