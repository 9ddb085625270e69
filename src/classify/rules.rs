//! The rule data: what a rule, a combination and a category cap look like in TOML,
//! and how the built-in set and the user's additions and overrides are merged.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in rule set, compiled into the binary. Readable in the repository as
/// `config/rules.toml`.
pub const DEFAULT_RULES: &str = include_str!("../../config/rules.toml");

/// Which part of the message a rule looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Where {
    /// The subject and what the sender wrote.
    #[default]
    Any,
    Subject,
    Body,
    /// Not the sender's words but yours: the reply of yours that this message quotes
    /// and answers, when it is short (at most `BRIEF_REPLY_WORDS` words) and asks
    /// nothing. Empty otherwise. It tells a courtesy ("Thanks for the note. Best of
    /// luck with the fund.") from a conversation you took part in.
    BriefReply,
}

/// The most words a quoted reply of the user's has for `Where::BriefReply` to see it.
pub const BRIEF_REPLY_WORDS: usize = 40;

/// A message fact a rule can test instead of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// A known contact is among To/Cc: typically a double opt-in introduction.
    CcKnownContact,
    /// The quoted history names a known contact ("On ..., Ann <ann@x> wrote:").
    QuotesKnownContact,
    /// The quoted history names the user: the sender is answering him.
    QuotesUser,
    /// In-Reply-To/References name a Message-ID on one of the user's domains.
    ReferencesUser,
    /// Mail from a list or a bulk sender: a List-* header or Precedence bulk/list/junk.
    ListMail,
    /// The user's server recorded that the From address is not what it claims
    /// (`AuthVerdicts::from_forged`): whoever wrote it hides who they are.
    FromForged,
}

impl Fact {
    pub const ALL: [&'static str; 6] =
        ["cc-known-contact", "quotes-known-contact", "quotes-user", "references-user", "list-mail", "from-forged"];
}

/// One rule as written in TOML. Exactly one of `phrases`, `regex` and `fact` is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub category: String,
    pub weight: f64,
    #[serde(default, rename = "where")]
    pub scope: Where,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Written as one string or, for a long list of ways to say one thing, as a list
    /// of alternatives, one per line, which are joined with `|`.
    #[serde(default, deserialize_with = "regex_or_alternatives", skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<Fact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Rules this one cancels when it fires: an exception written as data. ("I
    /// graduated from Asper in 2014" names an alumna, not a student: the rule that
    /// finds a long-past graduation overrides the student rules that "I graduated"
    /// also matches.) A cancelled rule is shown with weight 0 and counts nowhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
}

/// Extra weight when categories occur together: every group in `all` must have at
/// least one category with a rule that fired, and no category in `none` may have
/// fired at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComboSpec {
    pub id: String,
    /// The category the combo's weight counts toward when the dominant category is
    /// picked; without one, the combo only adds to the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub weight: f64,
    pub all: Vec<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub none: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `regex = '...'` or `regex = ['A', 'B']`, the latter meaning `A|B`. The joined
/// string is the rule's regex everywhere (`build.rs` joins the built-in lists the same
/// way), so the two spellings are one rule.
fn regex_or_alternatives<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a regex string or a list of alternative regex strings")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut alternatives = Vec::new();
            while let Some(alternative) = seq.next_element::<String>()? {
                alternatives.push(alternative);
            }
            if alternatives.is_empty() {
                return Err(serde::de::Error::invalid_length(0, &"at least one alternative"));
            }
            Ok(Some(alternatives.join("|")))
        }
    }
    d.deserialize_any(Visitor)
}

/// A whole rule file: the built-in one, or the rule sections of the user's config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    #[serde(default)]
    pub combos: Vec<ComboSpec>,
    /// Caps the summed positive weight of one category, so that ten ways of saying
    /// the same flattering thing count as one.
    #[serde(default)]
    pub category_max: BTreeMap<String, f64>,
    /// Texting shorthand spelled out before matching ("ur" = "your").
    #[serde(default)]
    pub shorthand: BTreeMap<String, String>,
}

/// A problem in the rule data, naming the rule and what is wrong.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RuleError {
    #[error("the built-in rule file does not parse: {0}")]
    Builtin(String),
    #[error("rule `{id}`: {problem}")]
    Rule { id: String, problem: String },
    #[error("combo `{id}`: {problem}")]
    Combo { id: String, problem: String },
    #[error("rule_weights.{id}: there is no rule or combo with this id{hint}")]
    UnknownWeight { id: String, hint: String },
}

impl RuleSet {
    /// The built-in rules.
    pub fn builtin() -> Result<RuleSet, RuleError> {
        toml::from_str(DEFAULT_RULES).map_err(|e| RuleError::Builtin(e.to_string()))
    }

    /// The built-in rules with the user's additions, replacements and weights.
    pub fn effective(user: RuleSet, weights: &BTreeMap<String, f64>) -> Result<RuleSet, Vec<RuleError>> {
        RuleSet::builtin().map_err(|e| vec![e])?.merge(user, weights)
    }

    /// Merges the user's rules into `self`: a user rule or combo with the id of a
    /// built-in one replaces it, others are added; `weights` then sets the weight of
    /// any rule or combo by id (0 disables it).
    pub fn merge(mut self, user: RuleSet, weights: &BTreeMap<String, f64>) -> Result<RuleSet, Vec<RuleError>> {
        for rule in user.rules {
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => self.rules.push(rule),
            }
        }
        for combo in user.combos {
            match self.combos.iter_mut().find(|c| c.id == combo.id) {
                Some(existing) => *existing = combo,
                None => self.combos.push(combo),
            }
        }
        self.category_max.extend(user.category_max);
        self.shorthand.extend(user.shorthand);
        let mut errors = Vec::new();
        for (id, &weight) in weights {
            if let Some(rule) = self.rules.iter_mut().find(|r| &r.id == id) {
                rule.weight = weight;
            } else if let Some(combo) = self.combos.iter_mut().find(|c| &c.id == id) {
                combo.weight = weight;
            } else {
                let ids = self.rules.iter().map(|r| r.id.as_str()).chain(self.combos.iter().map(|c| c.id.as_str()));
                let hint = crate::config::did_you_mean(id, ids)
                    .map(|s| format!("; did you mean `{s}`? (`screener rules` lists them all)"))
                    .unwrap_or_else(|| " (`screener rules` lists them all)".into());
                errors.push(RuleError::UnknownWeight { id: id.clone(), hint });
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}
