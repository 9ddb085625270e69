//! The pure pipeline every message goes through: bytes → [`message::parse`] →
//! [`Classifier::classify`] → [`policy::decide`]. Built once from a [`Config`];
//! the `score` command and the daemon both call [`Screener::screen`].

use crate::classify::rules::{RuleError, RuleSet};
use crate::classify::{Classifier, Context};
use crate::config::{Config, ConfigErrors};
use crate::contacts::Contacts;
use crate::message::{self, Limits, Message};
use crate::policy::{self, Decision, Settings};

pub struct Screener {
    config: Config,
    classifier: Classifier,
    contacts: Contacts,
}

/// Why a screener could not be built from a configuration.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    #[error("{} rule error{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<RuleError>),
}

impl Screener {
    /// Merges the built-in rules with the config's, compiles them and loads contacts.
    pub fn new(config: Config) -> Result<Screener, SetupError> {
        let set = RuleSet::effective(config.user_rules(), &config.rule_weights).map_err(SetupError::Rules)?;
        let classifier = Classifier::new(&set).map_err(SetupError::Rules)?;
        let contacts = Contacts::new(config.contact_entries()?.iter().map(String::as_str));
        Ok(Screener { config, classifier, contacts })
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
        let identity = &self.config.identity;
        let context = Context {
            user_addresses: &identity.addresses,
            user_name: identity.name.as_deref(),
            contacts: &self.contacts,
        };
        let classification = self.classifier.classify(msg, &context);
        let settings = Settings {
            file_threshold: self.config.scoring.file_threshold,
            decline_threshold: self.config.scoring.decline_threshold,
            decline_enabled: self.config.decline.enabled,
            require_authenticated: self.config.decline.require_authenticated,
            user_addresses: &identity.addresses,
            contacts: &self.contacts,
        };
        policy::decide(msg, classification, &settings)
    }
}
