//! Declines: the one short reply a declined message gets, rendered from the user's
//! templates (minijinja) and built as an RFC 5322 message (lettre's builder). Pure:
//! the templates are read at setup, and nothing here touches the network.
//!
//! Everything taken from the incoming message is data, never header text: values are
//! flattened to one line before a template sees them, the subject a template renders
//! is flattened again, and lettre encodes every header it writes. A display name
//! carrying "\r\nBcc: x" therefore ends up as harmless text.

use crate::message::Message;
use crate::policy::{self, NoReply};
use lettre::message::Mailbox;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::SystemTime;

/// The templates shipped in `config/templates/`, used unless `decline.templates_dir` is set.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("default", include_str!("../config/templates/default.txt")),
    ("client-fishing", include_str!("../config/templates/client-fishing.txt")),
    ("intro-request", include_str!("../config/templates/intro-request.txt")),
    ("mlm-recruiting", include_str!("../config/templates/mlm-recruiting.txt")),
    ("recommendation-request", include_str!("../config/templates/recommendation-request.txt")),
    ("referral-pitch", include_str!("../config/templates/referral-pitch.txt")),
    ("time-grab", include_str!("../config/templates/time-grab.txt")),
];

/// The longest subject or name a reply carries; a hostile sender cannot make the
/// reply arbitrarily large.
const MAX_FIELD_CHARS: usize = 160;

#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error("template {name}: {detail}")]
    Template { name: String, detail: String },
    #[error("no \"default\" template: every template directory needs default.txt")]
    NoDefault,
    #[error("no reply: {0}")]
    NotEligible(#[from] NoReply),
    #[error("{what} {address:?} is not a usable address: {detail}")]
    Address { what: &'static str, address: String, detail: String },
    #[error("identity.addresses is empty: a decline needs a From address")]
    NoIdentity,
    #[error("building the reply failed: {0}")]
    Build(String),
}

/// Compiled templates, one per category plus `default`.
#[derive(Debug)]
pub struct Templates {
    env: minijinja::Environment<'static>,
}

impl Templates {
    /// The templates that ship with screener.
    pub fn builtin() -> Templates {
        Templates::new(BUILTIN_TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())))
            .expect("the built-in templates compile")
    }

    /// Compiles `(name, source)` pairs; names are categories or `default`. Every
    /// template is rendered once with sample values, so that a mistake shows at start
    /// (or on SIGHUP) rather than on the first decline.
    pub fn new(sources: impl IntoIterator<Item = (String, String)>) -> Result<Templates, ReplyError> {
        let mut env = minijinja::Environment::new();
        // Unknown variables are mistakes in a template, not empty strings.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let mut names = Vec::new();
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| ReplyError::Template { name: name.clone(), detail: describe(&e) })?;
            names.push(name);
        }
        if !names.iter().any(|n| n == "default") {
            return Err(ReplyError::NoDefault);
        }
        let templates = Templates { env };
        let sample = Variables::sample();
        for name in &names {
            templates.render(name, &sample)?;
        }
        Ok(templates)
    }

    /// The template used for a category: its own, else `default`.
    pub fn name_for(&self, category: Option<&str>) -> String {
        match category {
            Some(c) if self.env.get_template(c).is_ok() => c.to_string(),
            _ => "default".to_string(),
        }
    }

    /// The names of the compiled templates.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.env.templates().map(|(n, _)| n.to_string()).collect();
        names.sort();
        names
    }

    fn render(&self, name: &str, vars: &Variables) -> Result<(Option<String>, String), ReplyError> {
        let err = |e: minijinja::Error| ReplyError::Template { name: name.to_string(), detail: describe(&e) };
        let text =
            self.env.get_template(name).map_err(err)?.render(minijinja::Value::from_serialize(vars)).map_err(err)?;
        Ok(split_subject(&text))
    }
}

fn describe(e: &minijinja::Error) -> String {
    let mut s = e.to_string();
    if let Some(line) = e.line() {
        s = format!("line {line}: {s}");
    }
    s
}

/// A template may start with a `Subject:` line; the body follows after one blank line.
fn split_subject(text: &str) -> (Option<String>, String) {
    let text = text.replace("\r\n", "\n");
    let trimmed = text.trim_start_matches('\n');
    if trimmed.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("subject:")) {
        let (line, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
        let rest = rest.strip_prefix('\n').unwrap_or(rest);
        return (Some(line[8..].trim().to_string()), rest.to_string());
    }
    (None, trimmed.to_string())
}

/// What a template can use. Every string is one line of plain text.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Variables {
    pub sender_name: String,
    pub sender_first_name: String,
    pub sender_address: String,
    pub user_name: String,
    /// The original subject.
    pub subject: String,
    /// The default reply subject: "Auto: " and the original, without stacking prefixes.
    pub auto_subject: String,
    /// The dominant category, e.g. "intro-request".
    pub category: String,
    /// Every category that contributed to the score, e.g. to spot a job hunter.
    pub categories: Vec<String>,
    /// The original's date, e.g. "26 November 2026" (empty when it had none).
    pub date: String,
}

impl Variables {
    fn sample() -> Variables {
        Variables {
            sender_name: "Sam Sample".into(),
            sender_first_name: "Sam".into(),
            sender_address: "sam@example.com".into(),
            user_name: "Hank".into(),
            subject: "Quick question".into(),
            auto_subject: "Auto: Quick question".into(),
            category: "intro-request".into(),
            categories: vec!["intro-request".into(), "career-transition".into()],
            date: "26 November 2026".into(),
        }
    }
}

/// Who the user is, for the reply's From and signature.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub name: Option<&'a str>,
    pub addresses: &'a [String],
}

/// A rendered decline, ready for the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The envelope and header recipient.
    pub to: String,
    /// The user's address the reply comes from.
    pub from: String,
    /// Without angle brackets; stable for a given original, so a retry after a
    /// crash can be recognised in the Sent folder.
    pub message_id: String,
    pub subject: String,
    pub template: String,
    /// The whole message, CRLF line endings.
    pub raw: Vec<u8>,
}

/// Builds the decline for `message`. `key` identifies the original (its Message-ID
/// or header hash) and makes the reply's Message-ID; `categories` are those that
/// contributed to the score, the dominant one first.
pub fn compose(
    message: &Message,
    key: &str,
    categories: &[String],
    templates: &Templates,
    sender: Sender,
    now: SystemTime,
) -> Result<Reply, ReplyError> {
    let to = policy::reply_target(message)?;
    let to_mailbox: Mailbox = Mailbox::new(None, parse_address("the reply address", &to)?);
    // Reply from the address the stranger wrote to, so the user's aliases stay apart.
    let recipients: Vec<&str> = message.to.iter().chain(&message.cc).map(|m| m.address.as_str()).collect();
    let from = sender
        .addresses
        .iter()
        .find(|a| recipients.iter().any(|r| r.eq_ignore_ascii_case(a)))
        .or(sender.addresses.first())
        .ok_or(ReplyError::NoIdentity)?;
    let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let message_id = format!("screener-decline.{hex}@{domain}");

    let sender_name = message.from.as_ref().and_then(|m| m.name.as_deref()).map(one_line).unwrap_or_default();
    let vars = Variables {
        sender_first_name: first_name(&sender_name),
        sender_name,
        sender_address: message.from.as_ref().map(|m| one_line(&m.address)).unwrap_or_default(),
        user_name: sender.name.map(one_line).unwrap_or_default(),
        subject: one_line(&message.subject),
        auto_subject: auto_subject(&message.subject),
        category: categories.first().cloned().unwrap_or_default(),
        categories: categories.to_vec(),
        date: message.date.as_deref().map(human_date).unwrap_or_default(),
    };
    let template = templates.name_for(categories.first().map(String::as_str));
    let (subject, body) = templates.render(&template, &vars)?;
    let subject = subject.map(|s| one_line(&s)).filter(|s| !s.is_empty()).unwrap_or(vars.auto_subject);

    let from_mailbox =
        Mailbox::new(sender.name.map(one_line).filter(|n| !n.is_empty()), parse_address("identity.addresses", from)?);
    let mut builder = lettre::Message::builder()
        .from(from_mailbox)
        .to(to_mailbox)
        .subject(subject.clone())
        .date(now)
        .message_id(Some(format!("<{message_id}>")))
        .header(AutoSubmitted)
        .header(AutoResponseSuppress)
        .header(ContentType::TEXT_PLAIN);
    if let Some(original) = message.message_id.as_deref().filter(|id| is_msg_id(id)) {
        builder = builder.in_reply_to(format!("<{original}>"));
        // RFC 5322 §3.6.4: the parent's References plus the parent; the oldest few
        // are enough to thread, and a hostile chain cannot bloat the reply.
        let mut refs: Vec<&str> = message.references.iter().map(String::as_str).filter(|r| is_msg_id(r)).collect();
        if refs.len() > 10 {
            refs.drain(1..refs.len() - 9);
        }
        refs.push(original);
        builder = builder.references(refs.iter().map(|r| format!("<{r}>")).collect::<Vec<_>>().join(" "));
    }
    let built = builder.body(normalize_body(&body)).map_err(|e| ReplyError::Build(e.to_string()))?;
    Ok(Reply { to, from: from.clone(), message_id, subject, template, raw: built.formatted() })
}

fn parse_address(what: &'static str, address: &str) -> Result<lettre::Address, ReplyError> {
    address.parse().map_err(|e: lettre::address::AddressError| ReplyError::Address {
        what,
        address: address.to_string(),
        detail: e.to_string(),
    })
}

/// A Message-ID fit to be written back into a header: printable ASCII, no brackets
/// or spaces (anything else is dropped rather than escaped).
fn is_msg_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 250 && id.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>'))
}

/// One line of plain text: control and line-separator characters become spaces,
/// runs of whitespace collapse, and the result is cut at [`MAX_FIELD_CHARS`].
pub fn one_line(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') { ' ' } else { c })
        .collect();
    let mut out = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > MAX_FIELD_CHARS {
        out = out.chars().take(MAX_FIELD_CHARS - 1).collect::<String>() + "…";
    }
    out
}

fn first_name(name: &str) -> String {
    // "Doe, Jane" is last-name-first; otherwise the first word. Titles and initials
    // make a poor greeting, so those give an empty first name (the template's
    // fallback greeting applies).
    let candidate = match name.split_once(',') {
        Some((_, given)) => given.split_whitespace().next(),
        None => name.split_whitespace().next(),
    };
    let candidate = candidate.unwrap_or("").trim_matches(|c: char| !c.is_alphanumeric());
    let lower = candidate.to_lowercase();
    let title = ["mr", "mrs", "ms", "dr", "prof", "sir", "madam"].contains(&lower.as_str());
    if title || candidate.chars().count() < 2 || !candidate.chars().next().is_some_and(char::is_alphabetic) {
        return String::new();
    }
    candidate.to_string()
}

/// "Auto: " + the original subject, without stacking a second "Auto:".
pub fn auto_subject(original: &str) -> String {
    let mut rest = one_line(original);
    while rest.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("auto:")) {
        rest = rest[5..].trim_start().to_string();
    }
    if rest.is_empty() { "Auto: your message".into() } else { format!("Auto: {rest}") }
}

/// RFC 3339 date → "26 November 2026".
fn human_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = rfc3339.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// LF line endings, no trailing blank lines, one final newline.
fn normalize_body(body: &str) -> String {
    let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(0, |i| i + 1);
    let mut out = lines[..end].join("\n");
    out.push('\n');
    out
}

/// `Auto-Submitted: auto-replied` (RFC 3834 §5.2).
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// `X-Auto-Response-Suppress: All`: Exchange's way of saying "don't answer this".
#[derive(Debug, Clone)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoResponseSuppress)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".into())
    }
}

/// The categories that contributed positive weight, dominant first: what a
/// template can look at besides the dominant one.
pub fn contributing_categories(decision: &policy::Decision) -> Vec<String> {
    let mut weights: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &decision.reasons {
        if r.category != "policy" && !r.rule.starts_with("cap:") {
            *weights.entry(r.category.as_str()).or_default() += r.weight;
        }
    }
    let mut out: Vec<String> = decision.category.iter().cloned().collect();
    let mut rest: Vec<(&str, f64)> =
        weights.into_iter().filter(|(c, _)| Some(*c) != decision.category.as_deref()).collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1));
    out.extend(rest.into_iter().map(|(c, _)| c.to_string()));
    out
}

#[cfg(test)]
mod tests;
