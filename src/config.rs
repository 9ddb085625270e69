//! Configuration: a TOML file (loaded with the `config` crate) plus `SCREENER_*`
//! environment overrides, validated in one pass that reports every problem at once,
//! each naming the key, where it came from and what is allowed.

use crate::classify::rules::{ComboSpec, RuleSet, RuleSpec};
use config::{Environment, File, FileFormat, Map, Source, Value, ValueKind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The effective configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub identity: Identity,
    pub scoring: Scoring,
    pub contacts: ContactsConfig,
    pub decline: Decline,
    /// The user's additions to the built-in rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combos: Vec<ComboSpec>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_weights: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub category_max: BTreeMap<String, f64>,
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

#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactsConfig {
    /// Addresses and "@domain" entries.
    pub known: Vec<String>,
    /// Files with one address or "@domain" per line ('#' starts a comment), relative
    /// to the config file.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decline {
    pub enabled: bool,
    pub require_authenticated: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            identity: Identity::default(),
            scoring: Scoring { file_threshold: 5.0, decline_threshold: 8.0, max_scored_bytes: 256 * 1024 },
            contacts: ContactsConfig::default(),
            decline: Decline { enabled: false, require_authenticated: true },
            rules: Vec::new(),
            combos: Vec::new(),
            rule_weights: BTreeMap::new(),
            category_max: BTreeMap::new(),
            path: None,
        }
    }
}

impl Config {
    /// The user's rule sections as a rule set to merge into the built-in one.
    pub fn user_rules(&self) -> RuleSet {
        RuleSet { rules: self.rules.clone(), combos: self.combos.clone(), category_max: self.category_max.clone() }
    }

    /// Reads `contacts.known` and every file of `contacts.files`.
    pub fn contact_entries(&self) -> Result<Vec<String>, ConfigErrors> {
        let mut entries = self.contacts.known.clone();
        let mut errors = Vec::new();
        for file in &self.contacts.files {
            let path = self.resolve(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => entries.extend(
                    text.lines()
                        .map(|l| l.split('#').next().unwrap_or("").trim())
                        .filter(|l| !l.is_empty())
                        .map(str::to_string),
                ),
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
    if let Some(path) = path {
        if let Err(e) = std::fs::metadata(path) {
            return Err(fail("(file)", format!("cannot read the configuration file: {e}")));
        }
    }
    let mut builder = config::Config::builder();
    if let Some(path) = path {
        builder = builder.add_source(File::from(path).format(FileFormat::Toml).required(true));
    }
    let environment = Environment::with_prefix("SCREENER")
        .prefix_separator("_")
        .separator("__")
        .try_parsing(true)
        .list_separator(",")
        .with_list_parse_key("identity.addresses")
        .with_list_parse_key("contacts.known")
        .with_list_parse_key("contacts.files")
        .source(env);
    let built = builder
        .add_source(environment)
        .build()
        .map_err(|e| fail("(file)", format!("the file is not valid TOML: {e}")))?;
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
        s.finish(&mut errors);
    }
    if let Some(t) = root.table("decline") {
        let mut s = Section::new("decline", t, &origin);
        config.decline.enabled = s.bool("enabled", config.decline.enabled);
        config.decline.require_authenticated = s.bool("require_authenticated", config.decline.require_authenticated);
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
    root.finish(&mut errors);
    if errors.is_empty() { Ok(config) } else { Err(ConfigErrors(errors)) }
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
        match value.clone().into_float() {
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
        match value.clone().into_int() {
            Ok(x) if x >= 0 && (min..=max).contains(&(x as u64)) => x as u64,
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
            ref other => {
                self.problem_at(Some(&value), key, format!("expected true or false, found {}", describe(other)));
                default
            }
        }
    }

    fn string(&mut self, key: &str) -> Option<String> {
        let value = self.take(key)?;
        match &value.kind {
            ValueKind::String(s) => Some(s.clone()),
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
