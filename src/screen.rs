//! The pure pipeline every message goes through: bytes → [`message::parse`] →
//! [`Classifier::classify`] → [`policy::decide`]. Built once from a [`Config`];
//! the `score` command and the daemon both call [`Screener::screen`].

use crate::classify::rules::{RuleError, RuleSet};
use crate::classify::{Classification, Classifier, Context, Reason};
use crate::config::{Config, ConfigErrors};
use crate::contacts::Contacts;
use crate::learn::{self, Model, Seed};
use crate::message::{self, Limits, Message};
use crate::policy::{self, Action, Decision, Settings};
use crate::reply::{self, Reply, ReplyError, Templates};
use std::collections::HashSet;
use std::time::SystemTime;

pub struct Screener {
    config: Config,
    classifier: Classifier,
    /// The contacts of the configuration (`contacts.known` and `contacts.files`).
    config_contacts: Vec<String>,
    /// Those plus the learned ones.
    contacts: Contacts,
    /// Message-IDs of the user's own mail: a reply in one of these threads is kept.
    sent_ids: HashSet<String>,
    /// The user's corrections.
    model: Model,
    /// Where the model starts (`learning.seed`): None when off.
    seed: Option<Seed>,
    templates: Templates,
}

/// Why a screener could not be built from a configuration.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    #[error("{} rule error{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<RuleError>),
    #[error("decline.templates_dir {dir}: {error}")]
    Templates { dir: String, error: String },
}

impl Screener {
    /// Merges the built-in rules with the config's, compiles them and loads contacts.
    pub fn new(config: Config) -> Result<Screener, SetupError> {
        let set = RuleSet::effective(config.user_rules(), &config.rule_weights).map_err(SetupError::Rules)?;
        let classifier = Classifier::new(&set).map_err(SetupError::Rules)?;
        let config_contacts = config.contact_entries()?;
        let contacts = Contacts::new(config_contacts.iter().map(String::as_str));
        let templates = match &config.decline.templates_dir {
            None => Templates::builtin(),
            Some(dir) => {
                let dir = config.resolve(dir);
                let fail = |error: String| SetupError::Templates { dir: dir.display().to_string(), error };
                let sources = read_templates(&dir).map_err(|e| fail(e.to_string()))?;
                Templates::new(sources).map_err(|e| fail(e.to_string()))?
            }
        };
        let seed = (config.learning.enabled && config.learning.seed).then(Seed::builtin);
        Ok(Screener {
            config,
            classifier,
            config_contacts,
            contacts,
            sent_ids: HashSet::new(),
            model: Model::default(),
            seed,
            templates,
        })
    }

    /// What was learned from the user (kept in the state database): contacts, the
    /// Message-IDs of their own mail, the Bayesian model.
    pub fn set_learned(&mut self, contacts: &[String], sent_ids: HashSet<String>, model: Model) {
        self.contacts = Contacts::new(self.config_contacts.iter().chain(contacts).map(String::as_str));
        self.sent_ids = sent_ids;
        self.model = model;
    }

    /// Adds a learned contact without reloading everything.
    pub fn learn_contact(&mut self, address: &str) {
        self.contacts.add(address);
    }

    pub fn learn_sent_ids(&mut self, ids: impl IntoIterator<Item = String>) {
        self.sent_ids.extend(ids);
    }

    pub fn set_model(&mut self, model: Model) {
        self.model = model;
    }

    pub fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The built-in seed the model starts from, when `learning.seed` is on.
    pub fn seed(&self) -> Option<&Seed> {
        self.seed.as_ref()
    }

    fn learn_settings(&self) -> learn::Settings {
        learn::Settings {
            min_per_class: self.config.learning.min_examples as u32,
            max_weight: self.config.learning.max_weight,
        }
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The decline for a message decided `decline`; `key` identifies the original.
    pub fn compose_reply(&self, msg: &Message, key: &str, decision: &Decision) -> Result<Reply, ReplyError> {
        let identity = &self.config.identity;
        let sender = reply::Sender { name: identity.name.as_deref(), addresses: &identity.addresses };
        let categories = reply::contributing_categories(decision);
        reply::compose(msg, key, &categories, &self.templates, sender, SystemTime::now())
    }

    /// Whether `msg` may get a reply under the current configuration: the send-time
    /// check, since the configuration may have changed since the decision.
    pub fn may_reply(&self, msg: &Message) -> Result<(), String> {
        let config = &self.config;
        if !config.decline.enabled {
            return Err("decline.enabled is now false".into());
        }
        if let Some(from) = &msg.from {
            let own = config.identity.addresses.iter().any(|a| a.eq_ignore_ascii_case(&from.address));
            if (own || self.contacts.contains(&from.address)) && policy::known_address_doubt(msg).is_none() {
                return Err(format!("{} is now a known contact", from.address));
            }
        }
        if let Some(id) = msg.in_reply_to.iter().chain(&msg.references).find(|id| self.sent_ids.contains(*id)) {
            return Err(format!("it answers your own message <{id}>"));
        }
        policy::reply_eligibility(msg, &config.identity.addresses, config.decline.require_authenticated)
            .map_err(|e| e.to_string())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn classifier(&self) -> &Classifier {
        &self.classifier
    }

    pub fn contacts(&self) -> &Contacts {
        &self.contacts
    }

    pub fn limits(&self) -> Limits {
        Limits { max_scored_bytes: self.config.scoring.max_scored_bytes as usize }
    }

    /// Parses, scores and decides. A message that cannot be parsed is kept, with the
    /// error as its reason, and no `Message`.
    pub fn screen(&self, raw: &[u8]) -> (Option<Message>, Decision) {
        match message::parse(raw, self.limits(), self.config.identity.authserv_id.as_deref()) {
            Ok(msg) => {
                let decision = self.decide(&msg);
                (Some(msg), decision)
            }
            Err(e) => (None, policy::unreadable(&e)),
        }
    }

    /// Scores and decides an already parsed message.
    pub fn decide(&self, msg: &Message) -> Decision {
        let mut classification = self.classify(msg);
        let scoring = &self.config.scoring;
        // Tokenizing costs as much as parsing: only when the model may speak, and only
        // when what it says could change the action.
        if self.learned_may_speak(&classification, scoring.file_threshold) {
            let learned = self.learned_reason(msg);
            if learned.is_some() {
                learn::apply(&mut classification, learned, scoring.file_threshold, scoring.decline_threshold);
            }
        }
        self.policy(msg, classification)
    }

    /// What [`decide`](Self::decide) weighs, apart, for `screener tune` to replay at
    /// other file thresholds: the rules' classification, the learned reason (before
    /// any clamp) where the model may speak at all, and whether the policy keeps the
    /// message whatever it scores (a known contact, a thread of yours).
    pub fn parts(&self, msg: &Message) -> Parts {
        let rules = self.classify(msg);
        let learned = self.learned_may_speak(&rules, f64::NEG_INFINITY).then(|| self.learned_reason(msg)).flatten();
        let mut forced = rules.clone();
        forced.score = f64::INFINITY;
        let always_kept = self.policy(msg, forced).action == Action::Keep;
        Parts { rules, learned, always_kept }
    }

    /// The score `decide` would give with `file_threshold`, from [`parts`](Self::parts).
    pub fn score_at(&self, parts: &Parts, file_threshold: f64) -> f64 {
        match &parts.learned {
            Some(reason) if self.learned_may_speak(&parts.rules, file_threshold) => {
                let mut c = parts.rules.clone();
                learn::apply(&mut c, Some(reason.clone()), file_threshold, self.config.scoring.decline_threshold)
            }
            _ => parts.rules.score,
        }
    }

    fn classify(&self, msg: &Message) -> Classification {
        let identity = &self.config.identity;
        let context = Context {
            user_addresses: &identity.addresses,
            user_name: identity.name.as_deref(),
            contacts: &self.contacts,
        };
        self.classifier.classify(msg, &context)
    }

    /// Whether the learned weight may weigh in: only with some rule evidence (it
    /// completes a case the rules made in part, it never files mail they found
    /// nothing in, which a file_threshold at or under max_weight would otherwise
    /// allow), and only when what it says could reach the file threshold.
    fn learned_may_speak(&self, classification: &Classification, file_threshold: f64) -> bool {
        let settings = self.learn_settings();
        self.config.learning.enabled
            && classification.reasons.iter().any(|r| r.weight > 0.0)
            && classification.score + settings.max_weight >= file_threshold
            && self.model.is_ready_over(self.seed.as_ref(), settings.min_per_class)
    }

    fn learned_reason(&self, msg: &Message) -> Option<Reason> {
        let settings = self.learn_settings();
        self.model
            .classify_message(self.seed.as_ref(), msg, settings.min_per_class)
            .and_then(|verdict| learn::reason(&verdict, &settings))
    }

    fn policy(&self, msg: &Message, classification: Classification) -> Decision {
        let settings = Settings {
            file_threshold: self.config.scoring.file_threshold,
            decline_threshold: self.config.scoring.decline_threshold,
            decline_enabled: self.config.decline.enabled,
            require_authenticated: self.config.decline.require_authenticated,
            user_addresses: &self.config.identity.addresses,
            contacts: &self.contacts,
            sent_ids: &self.sent_ids,
        };
        policy::decide(msg, classification, &settings)
    }
}

/// See [`Screener::parts`].
pub struct Parts {
    pub rules: Classification,
    pub learned: Option<Reason>,
    pub always_kept: bool,
}

/// Read-only data compiled into the binary that the daemon lets the kernel drop from
/// memory while idle: the built-in rules, their plans and the stored automaton
/// (about 3 MB, read only by [`Screener::new`]; a reload reads them again) and the
/// learning seed (about 700 KB, read page by page from the binary when a message
/// next needs it).
pub fn droppable_data() -> [&'static [u8]; 5] {
    let [plans, rules, automaton, patterns] = crate::classify::setup_only_data();
    [plans, rules, automaton, patterns, learn::Seed::builtin_table()]
}

/// The `*.txt` files of a template directory, named by their stem.
fn read_templates(dir: &std::path::Path) -> std::io::Result<Vec<(String, String)>> {
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
        {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            sources.push((stem.to_string(), text));
        }
    }
    Ok(sources)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::{CATEGORY, RULE};

    fn screener(seed: bool) -> Screener {
        let mut config = Config::default();
        config.identity.addresses = vec!["hank@b.example".into()];
        config.learning.seed = seed;
        Screener::new(config).unwrap()
    }

    fn learned(screener: &Screener, subject: &str, body: &str) -> Option<f64> {
        let raw = format!("From: Pat <pat@agency.example>\nTo: hank@b.example\nSubject: {subject}\n\n{body}\n");
        let (_, decision) = screener.screen(raw.as_bytes());
        decision.reasons.iter().find(|r| r.rule == RULE && r.category == CATEGORY).map(|r| r.weight)
    }

    #[test]
    fn the_seed_speaks_only_where_it_could_change_the_action() {
        let with_seed = screener(true);
        assert!(with_seed.seed().is_some());
        // Rule evidence within max_weight of the file threshold: the seed weighs in.
        let ask = "We haven't met, but I came across your profile. Would you be open to sharing a few \
                   names from your client list? Happy to return the favor.";
        let score = with_seed.screen(format!("Subject: hello\n\n{ask}").as_bytes()).1.score;
        let weight = learned(&with_seed, "hello", ask);
        assert!(weight.is_some_and(|w| w > 0.0), "score {score}, learned {weight:?}");
        // Nothing for the rules to go on: not asked, whatever the words.
        let plain = "Thanks for the notes from Tuesday. The invoice is attached; see you at the review.";
        assert_eq!(learned(&with_seed, "notes", plain), None);
        // Nor where a low threshold would let it file on words alone.
        let mut low = Config::default();
        low.identity.addresses = vec!["hank@b.example".into()];
        low.scoring.file_threshold = 0.5;
        let low = Screener::new(low).unwrap();
        let pitch = "Quick one. I'm the co-founder of Tallyroom, a tool for independent advisors. I've set you \
                     up with a free account, no card. We're raising our seed round this spring.";
        let (_, decision) = low.screen(format!("From: Pat <pat@agency.example>\nSubject: hello\n\n{pitch}").as_bytes());
        if !decision.reasons.iter().any(|r| r.weight > 0.0 && r.rule != RULE) {
            assert_eq!(learned(&low, "hello", pitch), None, "{decision:?}");
        }
        let ilug = "Has anyone got the new kernel to boot on a ThinkPad? Mine hangs after the network card.";
        assert_eq!(learned(&low, "kernel", ilug), None);
        // Without the seed and without corrections the classifier is silent.
        let without = screener(false);
        assert!(without.seed().is_none());
        assert_eq!(learned(&without, "hello", ask), None);
    }
}
