//! Configuration: a TOML file (loaded with the `config` crate) plus `SCREENER_*`
//! environment overrides, validated in one pass that reports every problem at once,
//! each naming the key, where it came from and what is allowed.

use crate::classify::rules::{ComboSpec, RuleSet, RuleSpec};
use crate::secret::{PasswordSource, Secret};
use config::{Environment, File, FileFormat, Map, Source, Value, ValueKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The effective configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub identity: Identity,
    pub scoring: Scoring,
    pub contacts: ContactsConfig,
    pub decline: Decline,
    pub imap: Imap,
    pub smtp: Smtp,
    pub folders: Folders,
    pub learning: Learning,
    pub digest: Digest,
    pub daemon: Daemon,
    /// The user's additions to the built-in rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combos: Vec<ComboSpec>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_weights: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub category_max: BTreeMap<String, f64>,
    /// Additions to the built-in texting shorthand ("ur" = "your").
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub shorthand: BTreeMap<String, String>,
    /// The file this was read from, if any.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Identity {
    /// The user's name, used in the quoted-history check and in reply templates.
    pub name: Option<String>,
    /// The user's own addresses: mail to none of them is never declined.
    pub addresses: Vec<String>,
    /// The authserv-id of the user's inbound server; only its Authentication-Results count.
    pub authserv_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scoring {
    pub file_threshold: f64,
    pub decline_threshold: f64,
    pub max_scored_bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactsConfig {
    /// Addresses and "@domain" entries.
    pub known: Vec<String>,
    /// Files with one address or "@domain" per line ('#' starts a comment), relative
    /// to the config file.
    pub files: Vec<PathBuf>,
    /// Everyone the user has written to (the Sent folder) is a known contact.
    pub learn_from_sent: bool,
}

/// The Bayesian classifier trained from the user's corrections.
#[derive(Debug, Clone, Serialize)]
pub struct Learning {
    pub enabled: bool,
    /// Silent until it has seen this many examples of each class.
    pub min_examples: u64,
    /// The most its contribution may add to or take from a score.
    pub max_weight: f64,
    /// Start from the built-in seed model rather than from nothing.
    pub seed: bool,
}

/// A daily summary APPENDed to the inbox.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub enabled: bool,
    /// Local time of day, "HH:MM".
    pub time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decline {
    pub enabled: bool,
    pub require_authenticated: bool,
    /// Draft (the reply waits in Drafts for the user to send) or send.
    pub mode: DeclineMode,
    /// One template per category plus `default.txt`; the built-in ones when unset.
    pub templates_dir: Option<PathBuf>,
    /// At most one decline per sender address in this many days.
    pub per_sender_days: u64,
    /// A brake for a runaway rule: past this many declines in an hour, file instead.
    pub max_per_hour: u64,
    /// Send with `MAIL FROM:<>` instead of the user's address.
    pub null_sender: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclineMode {
    Draft,
    Send,
}

/// How the IMAP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    Implicit,
    /// Plain connection upgraded with STARTTLS (port 143).
    Starttls,
    /// No TLS: only for loopback, or with `allow_insecure = true`.
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Imap {
    pub host: Option<String>,
    /// Defaults to 993 for implicit TLS, 143 otherwise.
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub allow_insecure: bool,
    /// A PEM file of extra CA certificates (a private CA), trusted besides the system's.
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    /// Printed as its key (`password = "<redacted>"`, `password_file = ...`).
    #[serde(flatten)]
    pub password: Option<PasswordSource>,
    pub mailbox: String,
}

impl Imap {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(if self.tls == TlsMode::Implicit { 993 } else { 143 })
    }
}

/// The SMTP submission server declines are sent through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Smtp {
    pub host: Option<String>,
    /// Defaults to 465 for implicit TLS, 587 otherwise.
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub allow_insecure: bool,
    pub ca_file: Option<PathBuf>,
    /// Without a username screener does not authenticate (a local relay).
    pub username: Option<String>,
    #[serde(flatten)]
    pub password: Option<PasswordSource>,
    #[serde(serialize_with = "human_duration")]
    pub timeout: Duration,
    /// The first retry after a temporary failure; doubles up to an hour.
    #[serde(serialize_with = "human_duration")]
    pub retry_initial: Duration,
}

impl Smtp {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(if self.tls == TlsMode::Implicit { 465 } else { 587 })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Folders {
    pub extractive: String,
    pub declined: String,
    /// Where sent declines are copied; default: the SPECIAL-USE \Sent folder, else "Sent".
    pub sent: Option<String>,
    /// Where draft declines go; default: the SPECIAL-USE \Drafts folder, else "Drafts".
    pub drafts: Option<String>,
    /// A message the user moves here is a miss: learned as extractive, then filed.
    pub train_extractive: String,
}

/// Which messages already in the mailbox the first start processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialScan {
    /// Nothing that arrived before the first start.
    New,
    /// Messages without \Seen.
    Unseen,
    All,
    /// Messages from the last N days.
    Days(u32),
}

impl Serialize for InitialScan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            InitialScan::New => s.serialize_str("new"),
            InitialScan::Unseen => s.serialize_str("unseen"),
            InitialScan::All => s.serialize_str("all"),
            InitialScan::Days(n) => s.serialize_str(&format!("{n}d")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Daemon {
    /// The SQLite state database; default `$STATE_DIRECTORY/screener.db` under
    /// systemd, else `~/.local/state/screener/screener.db`.
    pub state_path: Option<PathBuf>,
    #[serde(serialize_with = "human_duration")]
    pub poll_interval: Duration,
    #[serde(serialize_with = "human_duration")]
    pub idle_timeout: Duration,
    pub initial_scan: InitialScan,
}

fn human_duration<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_duration(*d).to_string())
}

impl Daemon {
    /// The state database path, resolved against systemd's and the user's directories.
    pub fn state_path(&self) -> Option<PathBuf> {
        if let Some(p) = &self.state_path {
            return Some(p.clone());
        }
        if let Some(dir) = std::env::var_os("STATE_DIRECTORY") {
            // systemd may pass several colon-separated directories; the first is ours.
            let first = dir.to_string_lossy().split(':').next().unwrap_or_default().to_string();
            return Some(PathBuf::from(first).join("screener.db"));
        }
        let home = std::env::var_os("XDG_STATE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
        Some(home.join("screener/screener.db"))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            identity: Identity::default(),
            scoring: Scoring { file_threshold: 5.0, decline_threshold: 8.0, max_scored_bytes: 256 * 1024 },
            contacts: ContactsConfig { known: Vec::new(), files: Vec::new(), learn_from_sent: true },
            decline: Decline {
                enabled: false,
                require_authenticated: true,
                mode: DeclineMode::Draft,
                templates_dir: None,
                per_sender_days: 30,
                max_per_hour: 10,
                null_sender: false,
            },
            imap: Imap {
                host: None,
                port: None,
                tls: TlsMode::Implicit,
                allow_insecure: false,
                ca_file: None,
                username: None,
                password: None,
                mailbox: "INBOX".into(),
            },
            smtp: Smtp {
                host: None,
                port: None,
                tls: TlsMode::Starttls,
                allow_insecure: false,
                ca_file: None,
                username: None,
                password: None,
                timeout: Duration::from_secs(30),
                retry_initial: Duration::from_secs(60),
            },
            folders: Folders {
                extractive: "Screened/Extractive".into(),
                declined: "Screened/Declined".into(),
                sent: None,
                drafts: None,
                train_extractive: "Screened/Train".into(),
            },
            learning: Learning { enabled: true, min_examples: 20, max_weight: 3.0, seed: true },
            digest: Digest { enabled: false, time: "08:00".into() },
            daemon: Daemon {
                state_path: None,
                poll_interval: Duration::from_secs(60),
                idle_timeout: Duration::from_secs(300),
                initial_scan: InitialScan::New,
            },
            rules: Vec::new(),
            combos: Vec::new(),
            rule_weights: BTreeMap::new(),
            category_max: BTreeMap::new(),
            shorthand: BTreeMap::new(),
            path: None,
        }
    }
}

impl Config {
    /// The user's rule sections as a rule set to merge into the built-in one.
    pub fn user_rules(&self) -> RuleSet {
        RuleSet {
            rules: self.rules.clone(),
            combos: self.combos.clone(),
            category_max: self.category_max.clone(),
            shorthand: self.shorthand.clone(),
        }
    }

    /// Reads `contacts.known` and every file of `contacts.files`.
    pub fn contact_entries(&self) -> Result<Vec<String>, ConfigErrors> {
        let mut entries = self.contacts.known.clone();
        let mut errors = Vec::new();
        for file in &self.contacts.files {
            let path = self.resolve(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let lines =
                        text.lines().enumerate().map(|(i, l)| (i + 1, l.split('#').next().unwrap_or("").trim()));
                    for (number, line) in lines.filter(|(_, l)| !l.is_empty()) {
                        // "Ann <ann@x.example>" or "x.example" would never match anyone.
                        match check_contact(line) {
                            Ok(()) => entries.push(line.to_string()),
                            Err(problem) => errors.push(ConfigError {
                                origin: self.origin(),
                                key: "contacts.files".into(),
                                problem: format!("{} line {number}: {problem}", path.display()),
                            }),
                        }
                    }
                }
                Err(e) => errors.push(ConfigError {
                    origin: self.origin(),
                    key: "contacts.files".into(),
                    problem: format!("cannot read {}: {e}", path.display()),
                }),
            }
        }
        if errors.is_empty() { Ok(entries) } else { Err(ConfigErrors(errors)) }
    }

    /// A path from the config, relative to the config file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match self.path.as_deref().and_then(Path::parent) {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }

    fn origin(&self) -> String {
        self.path.as_ref().map_or_else(|| "the environment".into(), |p| p.display().to_string())
    }
}

/// One problem with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or "the environment") the value came from.
    pub origin: String,
    /// The dotted key, e.g. "scoring.file_threshold".
    pub key: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.origin, self.key, self.problem)
    }
}

/// Every problem found, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} configuration error{}:", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

/// Loads the configuration from `path` (or built-in defaults when `None`) with
/// `SCREENER_SECTION__KEY` environment overrides from the process environment.
pub fn load(path: Option<&Path>) -> Result<Config, ConfigErrors> {
    load_with_env(path, None)
}

/// Like [`load`], with the environment given explicitly (for tests).
pub fn load_with_env(path: Option<&Path>, env: Option<Map<String, String>>) -> Result<Config, ConfigErrors> {
    let origin = path.map_or_else(|| "the environment".to_string(), |p| p.display().to_string());
    let fail = |key: &str, problem: String| {
        ConfigErrors(vec![ConfigError { origin: origin.clone(), key: key.into(), problem }])
    };
    if let Some(path) = path
        && let Err(e) = std::fs::metadata(path)
    {
        return Err(fail("(file)", format!("cannot read the configuration file: {e}")));
    }
    let mut builder = config::Config::builder();
    if let Some(path) = path {
        builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
    }
    let environment = Environment::with_prefix("SCREENER")
        .prefix_separator("_")
        .separator("__")
        // Values stay strings: parsing them here would turn a password such as
        // "0123" into the number 123. Each key's reader parses what it expects from
        // the environment (numbers, booleans, durations, comma-separated lists).
        .try_parsing(false)
        .source(env);
    let built = builder
        .add_source(environment)
        .build()
        .map_err(|e| fail("(file)", format!("the file is not valid TOML: {}", without_source_lines(&e.to_string()))))?;
    let table = built.collect().map_err(|e| fail("(file)", e.to_string()))?;

    let mut errors = Vec::new();
    let mut config = Config { path: path.map(Path::to_path_buf), ..Config::default() };
    let mut root = Section::new("", table, &origin);
    if let Some(t) = root.table("identity") {
        let mut s = Section::new("identity", t, &origin);
        config.identity.name = s.string("name");
        config.identity.addresses = s.strings("addresses", check_address);
        config.identity.authserv_id = s.string("authserv_id").map(|v| v.to_ascii_lowercase());
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("scoring") {
        let mut s = Section::new("scoring", t, &origin);
        let d = &config.scoring;
        config.scoring = Scoring {
            file_threshold: s.float("file_threshold", d.file_threshold, -1000.0, 1000.0),
            decline_threshold: s.float("decline_threshold", d.decline_threshold, -1000.0, 1000.0),
            max_scored_bytes: s.uint("max_scored_bytes", d.max_scored_bytes, 1024, 64 * 1024 * 1024),
        };
        if config.scoring.decline_threshold < config.scoring.file_threshold {
            s.problem(
                "decline_threshold",
                format!(
                    "must be at least scoring.file_threshold ({}), since a declined message is also filed",
                    config.scoring.file_threshold
                ),
            );
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("contacts") {
        let mut s = Section::new("contacts", t, &origin);
        config.contacts.known = s.strings("known", check_contact);
        config.contacts.files = s.strings("files", |_| Ok(())).into_iter().map(PathBuf::from).collect();
        config.contacts.learn_from_sent = s.bool("learn_from_sent", true);
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("decline") {
        let mut s = Section::new("decline", t, &origin);
        config.decline.enabled = s.bool("enabled", config.decline.enabled);
        config.decline.require_authenticated = s.bool("require_authenticated", config.decline.require_authenticated);
        if let Some(mode) = s.choice("mode", &["draft", "send"]) {
            config.decline.mode = if mode == "send" { DeclineMode::Send } else { DeclineMode::Draft };
        }
        config.decline.templates_dir = s.string("templates_dir").map(PathBuf::from);
        config.decline.per_sender_days = s.uint("per_sender_days", config.decline.per_sender_days, 1, 3650);
        config.decline.max_per_hour = s.uint("max_per_hour", config.decline.max_per_hour, 0, 10_000);
        config.decline.null_sender = s.bool("null_sender", false);
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("imap") {
        let mut s = Section::new("imap", t, &origin);
        let imap = &mut config.imap;
        imap.host = s.string("host");
        imap.port = s.uint("port", 0, 1, 65535).try_into().ok().filter(|p| *p != 0);
        imap.tls = s.tls().unwrap_or(TlsMode::Implicit);
        imap.allow_insecure = s.bool("allow_insecure", false);
        imap.ca_file = s.string("ca_file").map(PathBuf::from);
        imap.username = s.string("username");
        imap.password = s.password();
        if let Some(m) = s.string("mailbox") {
            imap.mailbox = m;
        }
        if imap.tls == TlsMode::None && !imap.allow_insecure && imap.host.as_deref().is_some_and(|h| !is_loopback(h)) {
            s.problem(
                "tls",
                "\"none\" sends the password in clear text: it is allowed only for a loopback host \
                 (127.0.0.1, ::1, localhost) or with imap.allow_insecure = true"
                    .into(),
            );
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("smtp") {
        let mut s = Section::new("smtp", t, &origin);
        let smtp = &mut config.smtp;
        smtp.host = s.string("host");
        smtp.port = s.uint("port", 0, 1, 65535).try_into().ok().filter(|p| *p != 0);
        smtp.tls = s.tls().unwrap_or(TlsMode::Starttls);
        smtp.allow_insecure = s.bool("allow_insecure", false);
        smtp.ca_file = s.string("ca_file").map(PathBuf::from);
        smtp.username = s.string("username");
        smtp.password = s.password();
        smtp.timeout = s.duration("timeout", smtp.timeout, Duration::from_secs(1), Duration::from_secs(600));
        smtp.retry_initial =
            s.duration("retry_initial", smtp.retry_initial, Duration::from_secs(1), Duration::from_secs(3600));
        if smtp.tls == TlsMode::None && !smtp.allow_insecure && smtp.host.as_deref().is_some_and(|h| !is_loopback(h)) {
            s.problem(
                "tls",
                "\"none\" sends the password and mail in clear text: it is allowed only for a loopback host \
                 (127.0.0.1, ::1, localhost) or with smtp.allow_insecure = true"
                    .into(),
            );
        }
        if smtp.password.is_some() && smtp.username.is_none() {
            s.problem("username", "a password is set but no username: set smtp.username too".into());
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("folders") {
        let mut s = Section::new("folders", t, &origin);
        if let Some(f) = s.string("extractive") {
            config.folders.extractive = f;
        }
        if let Some(f) = s.string("declined") {
            config.folders.declined = f;
        }
        config.folders.sent = s.string("sent");
        config.folders.drafts = s.string("drafts");
        if let Some(f) = s.string("train_extractive") {
            config.folders.train_extractive = f;
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("learning") {
        let mut s = Section::new("learning", t, &origin);
        let l = &mut config.learning;
        l.enabled = s.bool("enabled", l.enabled);
        l.min_examples = s.uint("min_examples", l.min_examples, 1, 100_000);
        l.max_weight = s.float("max_weight", l.max_weight, 0.0, 20.0);
        l.seed = s.bool("seed", l.seed);
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("digest") {
        let mut s = Section::new("digest", t, &origin);
        config.digest.enabled = s.bool("enabled", false);
        if let Some(time) = s.string("time") {
            if parse_time_of_day(&time).is_some() {
                config.digest.time = time;
            } else {
                s.problem("time", format!("{time:?} is not a time of day: expected \"HH:MM\", e.g. \"08:00\""));
            }
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("daemon") {
        let mut s = Section::new("daemon", t, &origin);
        let d = &mut config.daemon;
        d.state_path = s.string("state_path").map(PathBuf::from);
        d.poll_interval =
            s.duration("poll_interval", d.poll_interval, Duration::from_secs(1), Duration::from_secs(86400));
        d.idle_timeout =
            s.duration("idle_timeout", d.idle_timeout, Duration::from_secs(10), Duration::from_secs(29 * 60));
        if let Some(v) = s.choice_or_days("initial_scan") {
            d.initial_scan = v;
        }
        s.finish(&mut errors);
    }
    config.rules = root.array_of("rules", "id");
    config.combos = root.array_of("combos", "id");
    if let Some(t) = root.table("rule_weights") {
        let mut s = Section::new("rule_weights", t, &origin);
        for key in s.table.keys().cloned().collect::<Vec<_>>() {
            let w = s.float(&key, 0.0, -1000.0, 1000.0);
            config.rule_weights.insert(key, w);
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("category_max") {
        let mut s = Section::new("category_max", t, &origin);
        for key in s.table.keys().cloned().collect::<Vec<_>>() {
            let w = s.float(&key, 0.0, 0.0, 1000.0);
            config.category_max.insert(key, w);
        }
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("shorthand") {
        let mut s = Section::new("shorthand", t, &origin);
        for key in s.table.keys().cloned().collect::<Vec<_>>() {
            if let Some(expansion) = s.string(&key) {
                config.shorthand.insert(crate::message::normalize(&key), expansion);
            }
        }
        s.finish(&mut errors);
    }
    root.finish(&mut errors);
    check_decline(&config, &origin, &mut errors);
    if errors.is_empty() { Ok(config) } else { Err(ConfigErrors(errors)) }
}

/// What declines need from other sections, checked once every section is read.
fn check_decline(config: &Config, origin: &str, errors: &mut Vec<ConfigError>) {
    if !config.decline.enabled {
        return;
    }
    let mut problem = |key: &str, problem: &str| {
        errors.push(ConfigError { origin: origin.to_string(), key: key.into(), problem: problem.into() })
    };
    if config.identity.addresses.is_empty() {
        problem("identity.addresses", "decline.enabled = true needs your address: a decline is sent from it");
    }
    if config.decline.mode == DeclineMode::Send {
        let smtp = &config.smtp;
        if smtp.host.is_none() {
            problem("smtp.host", "decline.enabled = true with decline.mode = \"send\" needs an SMTP server");
        }
        if smtp.username.is_some()
            && smtp.password.is_none()
            && PasswordSource::credential_if_present("smtp-password").is_none()
        {
            problem(
                "smtp.password",
                "smtp.username is set but no password: set one of smtp.password, smtp.password_file, \
                 smtp.password_command (or the systemd credential smtp-password)",
            );
        }
    }
}

/// "HH:MM" → minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn check_address(value: &str) -> Result<(), String> {
    match value.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(format!("{value:?} is not an email address (expected local@domain)")),
    }
}

fn check_contact(value: &str) -> Result<(), String> {
    match value.strip_prefix('@') {
        Some(domain) if domain.contains('.') && !domain.contains(['@', ' ']) => Ok(()),
        Some(_) => Err(format!("{value:?} is not a domain entry (expected \"@example.org\")")),
        None => check_address(value).map_err(|e| format!("{e}, or \"@domain\" for a whole domain")),
    }
}

/// Reads one table, remembering every problem. Keys it was asked about are taken
/// out of the table; whatever is left over is unknown and reported by `finish`.
struct Section<'a> {
    name: &'static str,
    table: Map<String, Value>,
    origin: &'a str,
    known: Vec<String>,
    errors: Vec<ConfigError>,
}

impl<'a> Section<'a> {
    fn new(name: &'static str, table: Map<String, Value>, origin: &'a str) -> Self {
        Section { name, table, origin, known: Vec::new(), errors: Vec::new() }
    }

    fn key(&self, key: &str) -> String {
        if self.name.is_empty() { key.to_string() } else { format!("{}.{key}", self.name) }
    }

    fn problem(&mut self, key: &str, problem: String) {
        self.problem_at(None, key, problem);
    }

    fn problem_at(&mut self, value: Option<&Value>, key: &str, problem: String) {
        let origin = value.and_then(Value::origin).unwrap_or(self.origin).to_string();
        self.errors.push(ConfigError { origin, key: self.key(key), problem });
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.known.push(key.to_string());
        self.table.remove(key)
    }

    fn table(&mut self, key: &str) -> Option<Map<String, Value>> {
        let value = self.take(key)?;
        match value.kind.clone() {
            ValueKind::Table(t) => Some(t),
            other => {
                self.problem_at(Some(&value), key, format!("expected a table ([{key}]), found {}", describe(&other)));
                None
            }
        }
    }

    fn float(&mut self, key: &str, default: f64, min: f64, max: f64) -> f64 {
        let Some(value) = self.take(key) else { return default };
        // Only numbers: `true` or "6" in a file is a mistake, not 1.0 or 6.0.
        let number = match &value.kind {
            ValueKind::Float(x) => Ok(*x),
            ValueKind::I64(n) => Ok(*n as f64),
            ValueKind::U64(n) => Ok(*n as f64),
            ValueKind::String(text) if from_environment(&value) => text.trim().parse::<f64>().map_err(|_| ()),
            _ => Err(()),
        };
        match number {
            Ok(x) if x.is_finite() && (min..=max).contains(&x) => x,
            Ok(x) => {
                self.problem_at(
                    Some(&value),
                    key,
                    format!("{x} is out of range: allowed is a number from {min} to {max}"),
                );
                default
            }
            Err(_) => {
                self.problem_at(
                    Some(&value),
                    key,
                    format!("expected a number from {min} to {max}, found {}", describe(&value.kind)),
                );
                default
            }
        }
    }

    fn uint(&mut self, key: &str, default: u64, min: u64, max: u64) -> u64 {
        let Some(value) = self.take(key) else { return default };
        // Only whole numbers: 2048.9 or `false` is a mistake, not 2049 or 0.
        let number = match &value.kind {
            ValueKind::I64(n) => u64::try_from(*n).ok(),
            ValueKind::U64(n) => Some(*n),
            ValueKind::String(text) if from_environment(&value) => text.trim().parse::<u64>().ok(),
            _ => None,
        };
        match number {
            Some(x) if (min..=max).contains(&x) => x,
            _ => {
                self.problem_at(
                    Some(&value),
                    key,
                    format!("expected a whole number from {min} to {max}, found {}", describe(&value.kind)),
                );
                default
            }
        }
    }

    fn bool(&mut self, key: &str, default: bool) -> bool {
        let Some(value) = self.take(key) else { return default };
        match value.kind {
            ValueKind::Boolean(b) => b,
            ValueKind::String(ref text) if from_environment(&value) && text.trim().eq_ignore_ascii_case("true") => true,
            ValueKind::String(ref text) if from_environment(&value) && text.trim().eq_ignore_ascii_case("false") => {
                false
            }
            ref other => {
                self.problem_at(Some(&value), key, format!("expected true or false, found {}", describe(other)));
                default
            }
        }
    }

    fn duration(&mut self, key: &str, default: Duration, min: Duration, max: Duration) -> Duration {
        let Some(value) = self.take(key) else { return default };
        let parsed = match &value.kind {
            ValueKind::I64(n) if *n >= 0 => Some(Duration::from_secs(*n as u64)),
            ValueKind::U64(n) => Some(Duration::from_secs(*n)),
            // A bare number of seconds from the environment, as in a file.
            ValueKind::String(s) if from_environment(&value) && s.trim().parse::<u64>().is_ok() => {
                s.trim().parse().ok().map(Duration::from_secs)
            }
            ValueKind::String(s) => humantime::parse_duration(s.trim()).ok(),
            _ => None,
        };
        let range = format!("{} to {}", humantime::format_duration(min), humantime::format_duration(max));
        match parsed {
            Some(d) if (min..=max).contains(&d) => d,
            Some(d) => {
                self.problem_at(
                    Some(&value),
                    key,
                    format!("{} is out of range: allowed is {range}", humantime::format_duration(d)),
                );
                default
            }
            None => {
                self.problem_at(
                    Some(&value),
                    key,
                    format!("expected a duration such as \"60s\" or \"5m\" ({range}), found {}", describe(&value.kind)),
                );
                default
            }
        }
    }

    /// A string that must be one of `allowed`.
    fn choice(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        let value = self.table.get(key).cloned();
        let s = self.string_of(key, &allowed.join(", "))?;
        if allowed.contains(&s.as_str()) {
            Some(s)
        } else {
            let hint = did_you_mean(&s, allowed.iter().copied())
                .map(|h| format!("did you mean \"{h}\"? "))
                .unwrap_or_default();
            self.problem_at(
                value.as_ref(),
                key,
                format!("{s:?} is not allowed; {hint}allowed: {}", allowed.join(", ")),
            );
            None
        }
    }

    fn tls(&mut self) -> Option<TlsMode> {
        self.choice("tls", &["implicit", "starttls", "none"]).map(|v| match v.as_str() {
            "starttls" => TlsMode::Starttls,
            "none" => TlsMode::None,
            _ => TlsMode::Implicit,
        })
    }

    /// One of `password`, `password_file`, `password_command`.
    fn password(&mut self) -> Option<PasswordSource> {
        let sources = [
            self.string("password").map(|p| PasswordSource::Password(Secret::new(p))),
            self.string("password_file").map(|p| PasswordSource::PasswordFile(PathBuf::from(p))),
            self.string("password_command").map(PasswordSource::PasswordCommand),
        ];
        let given: Vec<PasswordSource> = sources.into_iter().flatten().collect();
        if given.len() > 1 {
            self.problem("password", "set only one of password, password_file and password_command".into());
        }
        given.into_iter().next()
    }

    fn choice_or_days(&mut self, key: &str) -> Option<InitialScan> {
        let value = self.table.get(key).cloned();
        let s = self.string_of(key, "new, unseen, all, or a number of days such as \"30d\"")?;
        let parsed = match s.as_str() {
            "new" => Some(InitialScan::New),
            "unseen" => Some(InitialScan::Unseen),
            "all" => Some(InitialScan::All),
            other => other.strip_suffix('d').and_then(|n| n.parse().ok()).filter(|n| *n > 0).map(InitialScan::Days),
        };
        if parsed.is_none() {
            self.problem_at(
                value.as_ref(),
                key,
                format!("{s:?} is not allowed; allowed: new, unseen, all, or a number of days such as \"30d\""),
            );
        }
        parsed
    }

    /// A string that must be one of `allowed`: a value of another type is told what
    /// is allowed too, not only that it is no string.
    fn string_of(&mut self, key: &str, allowed: &str) -> Option<String> {
        let value = self.table.get(key)?;
        if matches!(value.kind, ValueKind::String(_)) {
            return self.string(key);
        }
        let value = self.take(key)?;
        self.problem_at(
            Some(&value),
            key,
            format!("expected a string, found {}; allowed: {allowed}", describe(&value.kind)),
        );
        None
    }

    fn string(&mut self, key: &str) -> Option<String> {
        let value = self.take(key)?;
        match &value.kind {
            ValueKind::String(s) => Some(s.clone()),
            // A mistyped secret is not shown: an error message may end up in a log.
            other if is_secret_key(key) => {
                let found = describe(other).split(' ').take(2).collect::<Vec<_>>().join(" ");
                self.problem_at(Some(&value), key, format!("expected a string, found {found} (value not shown)"));
                None
            }
            other => {
                self.problem_at(Some(&value), key, format!("expected a string, found {}", describe(other)));
                None
            }
        }
    }

    fn strings(&mut self, key: &str, check: impl Fn(&str) -> Result<(), String>) -> Vec<String> {
        let Some(value) = self.take(key) else { return Vec::new() };
        let items = match &value.kind {
            ValueKind::Array(items) => items.clone(),
            // From the environment a list is written comma-separated.
            ValueKind::String(text) if from_environment(&value) => text
                .split(',')
                .filter(|item| !item.trim().is_empty())
                .map(|item| {
                    Value::new(value.origin().map(str::to_string).as_ref(), ValueKind::String(item.to_string()))
                })
                .collect(),
            // A single string where a list is expected: accept it as a list of one.
            ValueKind::String(_) => vec![value.clone()],
            other => {
                self.problem_at(Some(&value), key, format!("expected a list of strings, found {}", describe(other)));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match &item.kind {
                ValueKind::String(s) => match check(s.trim()) {
                    Ok(()) => out.push(s.trim().to_string()),
                    Err(problem) => self.problem_at(Some(item), &format!("{key}[{i}]"), problem),
                },
                other => self.problem_at(
                    Some(item),
                    &format!("{key}[{i}]"),
                    format!("expected a string, found {}", describe(other)),
                ),
            }
        }
        out
    }

    /// An array of tables such as `[[rules]]`, each deserialized on its own so that
    /// one broken entry does not hide the problems of the others.
    fn array_of<T: serde::de::DeserializeOwned>(&mut self, key: &str, id_field: &str) -> Vec<T> {
        let Some(value) = self.take(key) else { return Vec::new() };
        let ValueKind::Array(items) = value.kind.clone() else {
            self.problem_at(
                Some(&value),
                key,
                format!("expected an array of tables ([[{key}]]), found {}", describe(&value.kind)),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let label = match &item.kind {
                ValueKind::Table(t) => match t.get(id_field).map(|v| &v.kind) {
                    Some(ValueKind::String(id)) => format!("{key}[{i}] (id = {id:?})"),
                    _ => format!("{key}[{i}]"),
                },
                _ => format!("{key}[{i}]"),
            };
            match item.clone().try_deserialize::<T>() {
                Ok(v) => out.push(v),
                Err(e) => self.problem_at(Some(&item), &label, e.to_string()),
            }
        }
        out
    }

    fn finish(mut self, errors: &mut Vec<ConfigError>) {
        let mut unknown: Vec<(String, Value)> = std::mem::take(&mut self.table).into_iter().collect();
        unknown.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, value) in unknown {
            let hint = did_you_mean(&key, self.known.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let allowed = self.known.join(", ");
            let what = if self.name.is_empty() { "section" } else { "key" };
            self.problem_at(Some(&value), &key, format!("unknown {what}; {hint}allowed: {allowed}"));
        }
        errors.append(&mut self.errors);
    }
}

/// A TOML parse error without the lines of the file it quotes, which may hold a
/// password: "TOML parse error at line 3, column 12 ... invalid basic string".
fn without_source_lines(error: &str) -> String {
    error
        .lines()
        .filter(|line| {
            !line.trim_start().trim_start_matches(|c: char| c.is_ascii_digit()).trim_start().starts_with('|')
        })
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The environment source marks its values with this origin.
fn from_environment(value: &Value) -> bool {
    value.origin() == Some("the environment")
}

/// Keys whose value must never appear in a message.
fn is_secret_key(key: &str) -> bool {
    key == "password"
}

fn describe(kind: &ValueKind) -> String {
    match kind {
        ValueKind::Nil => "nothing".into(),
        ValueKind::Boolean(b) => format!("the boolean {b}"),
        ValueKind::I64(_) | ValueKind::I128(_) | ValueKind::U64(_) | ValueKind::U128(_) | ValueKind::Float(_) => {
            format!("the number {kind}")
        }
        ValueKind::String(s) => format!("the string {s:?}"),
        ValueKind::Table(_) => "a table".into(),
        ValueKind::Array(_) => "a list".into(),
    }
}

/// The candidate closest to a mistyped `word`, if one is close enough to suggest.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(word, c), c))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests;
