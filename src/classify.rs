//! Classification: rules matched against a message's normalized text and facts,
//! summed into a score with a reason for every contribution. Pure: no I/O.
//!
//! All phrases of all rules are found in one Aho-Corasick pass, so the cost per
//! message barely grows with the phrase count. A rule regex is split into its
//! top-level alternatives; small finite ones are expanded into phrases. For the rest
//! the same pass finds the literals their matches must start with (prefixes) and
//! rarer literals their matches must contain (covers): the regex runs anchored at a
//! prefix only if a matching cover occurs later in the same region, and a branch
//! without prefixes runs over a region only where its cover occurs. That analysis
//! (`pattern::plan`) is done at build time for the built-in rules, and their
//! branch regexes are compiled when a message first needs them. (A combined
//! `RegexSet` over the rule regexes was measured thirty times slower than the
//! target; one shared anchored DFA for all of them saved a tenth of the time for a
//! quarter more memory.)

mod automaton;
mod engine;
mod pattern;
pub mod rules;
mod shorthand;

use crate::contacts::Contacts;
use crate::message::{Message, normalize};
use engine::{Engine, EngineCache};
use rules::{ComboSpec, Fact, RuleError, RuleSet, Where};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock, PoisonError};

/// One contribution to a score, or one step of a decision: a decision nobody can
/// explain is a bug.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Reason {
    /// The rule or combo id (policy steps are prefixed `policy:`).
    pub rule: String,
    pub category: String,
    pub weight: f64,
    /// The matched text in context, or what the step looked at.
    pub excerpt: String,
}

/// The classifier's verdict on one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    pub score: f64,
    /// The category with the largest positive contribution, if any.
    pub category: Option<String>,
    pub reasons: Vec<Reason>,
}

/// Who the user is and whom he knows: what the fact rules compare against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub user_addresses: &'a [String],
    pub user_name: Option<&'a str>,
    pub contacts: &'a Contacts,
}

/// What a pattern found by the automaton stands for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A phrase of a rule; the flags say whether the phrase starts/ends with a word
    /// character and so needs a word-boundary check.
    Phrase { rule: usize, word_start: bool, word_end: bool },
    /// A literal some matches of regex `regex` start with: the regex runs anchored
    /// here if a literal of `cover` occurs from here on in the same region (those
    /// matches contain one).
    Prefix { regex: usize, cover: Option<usize> },
    /// A literal of cover `i`.
    Cover(usize),
}

/// What finding each automaton pattern means, stored flat: most patterns mean one
/// thing, and a `Vec` per pattern was 32 thousand heap blocks (3 MB of a `score`
/// run's peak), read scattered during the automaton pass.
struct Targets {
    /// `all[starts[p]..starts[p + 1]]` are pattern `p`'s targets.
    starts: Vec<u32>,
    all: Vec<Target>,
}

impl Targets {
    /// From (pattern, target) pairs in the order they were added; a pattern's
    /// targets keep that order.
    fn new(patterns: usize, mut pairs: Vec<(u32, Target)>) -> Targets {
        pairs.sort_by_key(|&(pattern, _)| pattern);
        let mut starts = Vec::with_capacity(patterns + 1);
        let mut all = Vec::with_capacity(pairs.len());
        for (pattern, target) in pairs {
            while starts.len() <= pattern as usize {
                starts.push(all.len() as u32);
            }
            all.push(target);
        }
        while starts.len() <= patterns {
            starts.push(all.len() as u32);
        }
        Targets { starts, all }
    }

    fn of(&self, pattern: usize) -> &[Target] {
        &self.all[self.starts[pattern] as usize..self.starts[pattern + 1] as usize]
    }
}

struct GatedRegex {
    rule: usize,
    /// Anchored at prefix hits, or over the whole region without prefixes.
    anchored: bool,
    /// The branches it is made of (`pattern::Branch::syntax`), until compiled:
    /// the idle daemon has no use for a third of a megabyte of syntax trees.
    branches: Mutex<Vec<Vec<u8>>>,
    /// Compiled when first needed: a run over a few messages needs only some of the
    /// regexes, and compiling them all is a fifth of the start-up. (A user's regex
    /// is compiled at load, so that a mistake is reported then; the built-in ones
    /// are checked by a test.)
    engine: OnceLock<Engine>,
    /// Unanchored: runs only in a region where one of these covers was seen (every
    /// match contains a literal of one of them); `None` when some branch has none.
    covers: Option<Vec<usize>>,
}

impl GatedRegex {
    fn find(
        &self,
        cache: &mut Option<EngineCache>,
        haystack: &str,
        span: std::ops::Range<usize>,
    ) -> Option<std::ops::Range<usize>> {
        let engine = self.engine.get_or_init(|| {
            // Runs once: later calls wait for this one and then find the engine.
            let branches = std::mem::take(&mut *self.branches.lock().unwrap_or_else(PoisonError::into_inner));
            Engine::new(&branches.iter().map(Vec::as_slice).collect::<Vec<_>>(), self.anchored)
                .expect("the built-in rule regexes compile: see classify::tests")
        });
        engine.find(cache.get_or_insert_with(|| engine.cache()), haystack, span)
    }
}

/// What classifying one message needs besides the message, reused by the next.
struct Scratch {
    caches: Vec<Option<EngineCache>>,
    /// Indexed by cover: where it was last seen in each region (subject, body, brief
    /// reply). All `None` between messages: only the entries listed in `covers_seen`
    /// are reset, which is cheaper than clearing thousands of them per message.
    cover_seen: Vec<[Option<usize>; 3]>,
    covers_seen: Vec<usize>,
    /// (regex, where, cover) of each prefix found.
    prefix_hits: Vec<(usize, usize, Option<usize>)>,
}

struct Rule {
    id: String,
    category: String,
    weight: f64,
    scope: Where,
    /// Indices of the rules this one cancels when it fires.
    overrides: Vec<usize>,
}

/// A compiled rule set, built once and shared by every message.
pub struct Classifier {
    rules: Vec<Rule>,
    /// Every phrase and every regex's possible prefixes, in one automaton.
    patterns: automaton::Automaton,
    /// Pattern index of the automaton → what finding that pattern means.
    targets: Targets,
    regexes: Vec<GatedRegex>,
    /// How many covers the automaton looks for.
    cover_count: usize,
    /// Per-message working memory, kept between messages (a second thread
    /// classifying at the same time gets its own): the regexes' lazy-DFA caches, so
    /// that states built for one message serve the next, dropped by `release_caches`
    /// when the daemon goes idle (warm, they are the largest part of its memory).
    scratch: std::sync::Mutex<Vec<Scratch>>,
    facts: Vec<(usize, Fact)>,
    combos: Vec<ComboSpec>,
    category_max: BTreeMap<String, f64>,
    shorthand: shorthand::Shorthand,
}

impl Classifier {
    /// Compiles a merged rule set. Every problem is reported, not just the first.
    pub fn new(set: &RuleSet) -> Result<Classifier, Vec<RuleError>> {
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<(u32, Target)> = Vec::new();
        let mut pattern_index: HashMap<String, u32> = HashMap::new();
        let mut add_pattern = |pattern: String, target: Target| {
            let i = *pattern_index.entry(pattern.clone()).or_insert_with(|| {
                patterns.push(pattern);
                (patterns.len() - 1) as u32
            });
            targets.push((i, target));
        };
        let mut regexes = Vec::new();
        let mut covers: HashMap<Vec<String>, usize> = HashMap::new();
        let mut facts = Vec::new();
        let mut seen = HashMap::new();
        let rule_err = |id: &str, problem: String| RuleError::Rule { id: id.to_string(), problem };

        let builtin_plans = builtin_plans();
        for spec in &set.rules {
            if let Some(()) = seen.insert(spec.id.clone(), ()) {
                errors.push(rule_err(&spec.id, "the id is used twice".into()));
                continue;
            }
            if !valid_id(&spec.id) {
                errors.push(rule_err(&spec.id, "ids may contain only a-z, 0-9, '-' and '_'".into()));
            }
            if spec.category.trim().is_empty() {
                errors.push(rule_err(&spec.id, "the category is empty".into()));
            }
            if !spec.weight.is_finite() || spec.weight.abs() > 1000.0 {
                errors.push(rule_err(&spec.id, format!("weight {} is out of range (-1000 to 1000)", spec.weight)));
            }
            let kinds = usize::from(!spec.phrases.is_empty())
                + usize::from(spec.regex.is_some())
                + usize::from(spec.fact.is_some());
            if kinds != 1 {
                errors.push(rule_err(&spec.id, "a rule needs exactly one of `phrases`, `regex` or `fact`".into()));
                continue;
            }
            if !spec.enabled || spec.weight == 0.0 {
                continue;
            }
            let index = rules.len();
            for phrase in &spec.phrases {
                let normalized = normalize(phrase);
                if normalized.is_empty() {
                    errors.push(rule_err(&spec.id, format!("phrase {phrase:?} is empty after normalization")));
                    continue;
                }
                let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                let (word_start, word_end) = (word(normalized.chars().next()), word(normalized.chars().last()));
                add_pattern(normalized, Target::Phrase { rule: index, word_start, word_end });
            }
            if let Some(source) = &spec.regex {
                let plan = match builtin_plans.get(source) {
                    Some(plan) => Cow::Borrowed(plan),
                    None => match pattern::plan(source) {
                        Ok(plan) => Cow::Owned(plan),
                        Err(e) => {
                            errors.push(rule_err(&spec.id, format!("the regex does not compile: {e}")));
                            continue;
                        }
                    },
                };
                let builtin = matches!(plan, Cow::Borrowed(_));
                // Finite branches are only a compact way to write many phrases: they
                // go into the shared automaton. The rest run as up to two regexes:
                // the branches with prefixes anchored at them, the others unanchored.
                for p in &plan.phrases {
                    let target = Target::Phrase { rule: index, word_start: p.word_start, word_end: p.word_end };
                    add_pattern(p.text.clone(), target);
                }
                let mut hits: Vec<(&str, Option<usize>)> = Vec::new();
                // A regex can have hundreds of prefixes: found by hash, not by scanning.
                let mut hit_index: HashMap<&str, usize> = HashMap::new();
                let (mut anchored, mut unanchored, mut gate) = (Vec::new(), Vec::new(), Some(Vec::new()));
                for branch in &plan.branches {
                    // Covers are shared between branches that need the same literals.
                    let cover = (!branch.cover.is_empty()).then(|| match covers.get(&branch.cover) {
                        Some(&i) => i,
                        None => {
                            let i = covers.len();
                            for literal in &branch.cover {
                                add_pattern(literal.clone(), Target::Cover(i));
                            }
                            covers.insert(branch.cover.clone(), i);
                            i
                        }
                    });
                    if branch.prefixes.is_empty() {
                        unanchored.push(branch.syntax.as_slice());
                        gate = gate.zip(cover).map(|(mut g, c)| {
                            g.push(c);
                            g
                        });
                        continue;
                    }
                    anchored.push(branch.syntax.as_slice());
                    for literal in &branch.prefixes {
                        // A literal that some branch needs no cover for needs none.
                        match hit_index.get(literal.as_str()) {
                            Some(&i) if hits[i].1 != cover => hits[i].1 = None,
                            Some(_) => {}
                            None => {
                                hit_index.insert(literal, hits.len());
                                hits.push((literal, cover));
                            }
                        }
                    }
                }
                // The anchored regex, if any, comes first: the prefixes point at it.
                let first = regexes.len();
                for (branches, anchored, covers) in [(anchored, true, None), (unanchored, false, gate)] {
                    if branches.is_empty() {
                        continue;
                    }
                    let engine = OnceLock::new();
                    if !builtin {
                        match Engine::new(&branches, anchored) {
                            Ok(compiled) => _ = engine.set(compiled),
                            Err(e) => errors.push(rule_err(&spec.id, format!("the regex does not compile: {e}"))),
                        }
                    }
                    let branches = match engine.get() {
                        Some(_) => Vec::new(),
                        None => branches.into_iter().map(<[u8]>::to_vec).collect(),
                    };
                    regexes.push(GatedRegex { rule: index, anchored, branches: Mutex::new(branches), engine, covers });
                }
                for (literal, cover) in hits {
                    add_pattern(literal.to_string(), Target::Prefix { regex: first, cover });
                }
            }
            if let Some(fact) = spec.fact {
                facts.push((index, fact));
            }
            rules.push(Rule {
                id: spec.id.clone(),
                category: spec.category.clone(),
                weight: spec.weight,
                scope: spec.scope,
                overrides: Vec::new(),
            });
        }
        // Exceptions: resolved once every rule has its index. A disabled target is
        // simply not there to cancel.
        let index_of: HashMap<String, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        for spec in set.rules.iter().filter(|s| !s.overrides.is_empty()) {
            let mut targets = Vec::new();
            for target in &spec.overrides {
                match index_of.get(target) {
                    Some(&i) => targets.push(i),
                    None if seen.contains_key(target) => {}
                    None => {
                        let hint = crate::config::did_you_mean(target, set.rules.iter().map(|r| r.id.as_str()))
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        errors.push(rule_err(
                            &spec.id,
                            format!("`overrides` names `{target}`, which is not a rule{hint}"),
                        ));
                    }
                }
            }
            if let Some(&i) = index_of.get(&spec.id) {
                rules[i].overrides = targets;
            }
        }

        let categories: Vec<&str> = set.rules.iter().map(|r| r.category.as_str()).collect();
        let mut combo_ids = HashMap::new();
        for combo in &set.combos {
            let combo_err = |problem: String| RuleError::Combo { id: combo.id.clone(), problem };
            if combo_ids.insert(combo.id.clone(), ()).is_some() || seen.contains_key(&combo.id) {
                errors.push(combo_err("the id is used twice".into()));
            }
            if combo.all.is_empty() || combo.all.iter().any(Vec::is_empty) {
                errors.push(combo_err("`all` needs at least one non-empty group of categories".into()));
            }
            for category in combo.all.iter().flatten().chain(&combo.none) {
                if !categories.contains(&category.as_str()) {
                    let hint = crate::config::did_you_mean(category, categories.iter().copied())
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    errors.push(combo_err(format!("no rule has the category `{category}`{hint}")));
                }
            }
        }
        for (category, max) in &set.category_max {
            if !categories.contains(&category.as_str()) {
                errors.push(RuleError::Rule {
                    id: format!("category_max.{category}"),
                    problem: "no rule has this category".into(),
                });
            } else if !max.is_finite() || *max < 0.0 {
                errors.push(RuleError::Rule {
                    id: format!("category_max.{category}"),
                    problem: "the cap must be a number of 0 or more".into(),
                });
            }
        }

        let normalized: BTreeMap<String, String> =
            set.shorthand.iter().map(|(k, v)| (normalize(k), normalize(v))).collect();
        let shorthand = shorthand::Shorthand::new(&normalized).unwrap_or_else(|e| {
            errors.push(RuleError::Rule { id: "(shorthand)".into(), problem: e });
            shorthand::Shorthand::new(&BTreeMap::new()).expect("an empty table builds")
        });
        let cover_count = covers.len();
        if !errors.is_empty() {
            return Err(errors);
        }
        let targets = Targets::new(patterns.len(), targets);
        let patterns = automaton::Automaton::new(&patterns)
            .map_err(|problem| vec![RuleError::Rule { id: "(all phrases)".into(), problem }])?;
        Ok(Classifier {
            rules,
            patterns,
            targets,
            regexes,
            cover_count,
            scratch: Default::default(),
            facts,
            combos: set.combos.iter().filter(|c| c.enabled && c.weight != 0.0).cloned().collect(),
            category_max: set.category_max.clone(),
            shorthand,
        })
    }

    /// Ids of the regex rules that have no usable literal prefix and so must be searched
    /// on every message: the slow ones, worth rewriting.
    pub fn ungated_rules(&self) -> Vec<&str> {
        self.regexes
            .iter()
            .filter(|r| !r.anchored && r.covers.is_none())
            .map(|r| self.rules[r.rule].id.as_str())
            .collect()
    }

    /// Frees the per-message working memory, the regex caches above all; the next
    /// message builds what it needs again.
    pub fn release_caches(&self) {
        if let Ok(mut pool) = self.scratch.lock() {
            pool.clear();
        }
    }

    /// Drops the regex caches when they hold more than `limit` bytes. A long run meets
    /// ever more kinds of text and the caches would grow with each (about 16 MiB over
    /// the benchmark's 2,916 messages); starting afresh past the limit costs the
    /// states rebuilt. Summing the caches walks them all, so callers check every few
    /// dozen messages, not after each.
    pub fn bound_caches(&self, limit: usize) {
        if self.cache_bytes() > limit {
            self.release_caches();
        }
    }

    /// Bytes held by the regex caches now (for tests and benchmarks).
    pub fn cache_bytes(&self) -> usize {
        let bytes = |s: &Scratch| s.caches.iter().flatten().map(EngineCache::memory_usage).sum::<usize>();
        self.scratch.lock().map(|pool| pool.iter().map(bytes).sum()).unwrap_or(0)
    }

    /// Number of active rules and combos.
    pub fn len(&self) -> usize {
        self.rules.len() + self.combos.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scores one message.
    pub fn classify(&self, message: &Message, context: &Context) -> Classification {
        let subject = self.shorthand.expand(&message.text.subject);
        let body = self.shorthand.expand(&message.text.body);
        let reply = brief_reply(message, context).map(|t| self.shorthand.expand(t));
        // One haystack, one pass: the subject, a newline (never inside a normalized
        // phrase, so no match spans two regions), the body, and the user's brief reply
        // it answers, if any.
        let mut haystack = format!("{subject}\n{body}");
        let body_start = subject.len() + 1;
        let reply_start = haystack.len() + 1;
        if let Some(reply) = &reply {
            haystack.push('\n');
            haystack.push_str(reply);
        }
        let bounds = Bounds { body: body_start, reply: reply_start };
        let mut fired: Vec<Option<String>> = vec![None; self.rules.len()];

        let mut scratch = self.scratch.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_else(|| Scratch {
            caches: self.regexes.iter().map(|_| None).collect(),
            cover_seen: vec![[None; 3]; self.cover_count],
            covers_seen: Vec::new(),
            prefix_hits: Vec::new(),
        });
        let Scratch { caches, cover_seen, covers_seen, prefix_hits } = &mut scratch;
        // Where each cover was last seen, per region (subject, body), in `cover_seen`
        // (the covers that are set are listed in `covers_seen`, to be reset); and
        // where prefixes occurred, in match-end order, which is close to ascending.
        // Prefixes hit often (common words start many regexes), so the list gets
        // room for the text's length once rather than by doubling.
        prefix_hits.clear();
        prefix_hits.reserve(haystack.len() / 16);
        self.patterns.find_overlapping(&haystack, |pattern, start, end| {
            for target in self.targets.of(pattern) {
                match *target {
                    Target::Prefix { regex, cover } => prefix_hits.push((regex, start, cover)),
                    Target::Cover(i) => {
                        if cover_seen[i] == [None; 3] {
                            covers_seen.push(i);
                        }
                        let seen = &mut cover_seen[i][bounds.region(start)];
                        *seen = Some(seen.map_or(start, |s| s.max(start)));
                    }
                    Target::Phrase { rule, word_start, word_end } => {
                        if fired[rule].is_some() || !bounds.in_scope(self.rules[rule].scope, start) {
                            continue;
                        }
                        let boundary_ok = (!word_start || !is_word_before(&haystack, start))
                            && (!word_end || !is_word_after(&haystack, end));
                        if boundary_ok {
                            fired[rule] = Some(excerpt(bounds.visible(&haystack, start), start, end));
                        }
                    }
                }
            }
        });

        // A region is the subject, the body or the brief reply, so that no match spans two.
        let regions = [0..subject.len(), body_start..reply_start - 1, reply_start.min(haystack.len())..haystack.len()];
        let possible = |g: &GatedRegex, r: usize, fired: &[Option<String>]| {
            fired[g.rule].is_none()
                && !regions[r].is_empty()
                && bounds.in_scope(self.rules[g.rule].scope, regions[r].start)
        };
        // Where each regex last ran without a match: several prefixes can start at
        // the same place.
        let mut tried = vec![usize::MAX; self.regexes.len()];
        for &(i, at, cover) in prefix_hits.iter() {
            let g = &self.regexes[i];
            let r = bounds.region(at);
            let covered = cover.is_none_or(|c| cover_seen[c][r].is_some_and(|seen| seen >= at));
            if covered && tried[i] != at && possible(g, r, &fired) {
                tried[i] = at;
                if let Some(m) = g.find(&mut caches[i], &haystack, at..regions[r].end) {
                    fired[g.rule] = Some(excerpt(bounds.visible(&haystack, m.start), m.start, m.end));
                }
            }
        }
        for (i, g) in self.regexes.iter().enumerate().filter(|(_, g)| !g.anchored) {
            for (r, span) in regions.iter().enumerate() {
                let covered = g.covers.as_ref().is_none_or(|cs| cs.iter().any(|&c| cover_seen[c][r].is_some()));
                if covered
                    && possible(g, r, &fired)
                    && let Some(m) = g.find(&mut caches[i], &haystack, span.clone())
                {
                    fired[g.rule] = Some(excerpt(bounds.visible(&haystack, m.start), m.start, m.end));
                }
            }
        }

        for i in covers_seen.drain(..) {
            cover_seen[i] = [None; 3];
        }
        if let Ok(mut pool) = self.scratch.lock() {
            pool.push(scratch);
        }

        for (rule, fact) in &self.facts {
            fired[*rule] = fact_evidence(*fact, message, context);
        }

        self.score(fired)
    }

    /// For each fired rule an exception cancels, the id of the rule that cancels it.
    /// An exception can have its own exception: a cancelled rule cancels nothing. A
    /// rule stands when every fired rule that overrides it is cancelled; rules that
    /// override each other in a cycle cancel each other.
    fn cancellations(&self, fired: &[Option<String>]) -> Vec<Option<&str>> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Open,
            Stands,
            Cancelled(usize),
        }
        // Nearly every message: no fired rule is an exception.
        if !self.rules.iter().zip(fired).any(|(r, f)| f.is_some() && !r.overrides.is_empty()) {
            return vec![None; self.rules.len()];
        }
        let mut overriders: Vec<Vec<usize>> = vec![Vec::new(); self.rules.len()];
        for (i, rule) in self.rules.iter().enumerate().filter(|(i, _)| fired[*i].is_some()) {
            for &target in &rule.overrides {
                overriders[target].push(i);
            }
        }
        let mut state: Vec<State> =
            overriders.iter().map(|o| if o.is_empty() { State::Stands } else { State::Open }).collect();
        loop {
            let mut changed = false;
            for r in 0..self.rules.len() {
                if state[r] != State::Open {
                    continue;
                }
                if let Some(&by) = overriders[r].iter().find(|&&o| state[o] == State::Stands) {
                    state[r] = State::Cancelled(by);
                    changed = true;
                } else if overriders[r].iter().all(|&o| matches!(state[o], State::Cancelled(_))) {
                    state[r] = State::Stands;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        state
            .iter()
            .zip(&overriders)
            .map(|(s, o)| match s {
                State::Stands => None,
                State::Cancelled(by) => Some(self.rules[*by].id.as_str()),
                State::Open => Some(self.rules[o[0]].id.as_str()),
            })
            .collect()
    }

    fn score(&self, fired: Vec<Option<String>>) -> Classification {
        let mut reasons = Vec::new();
        let mut positive: BTreeMap<&str, f64> = BTreeMap::new();
        let mut present: Vec<&str> = Vec::new();
        let overridden = self.cancellations(&fired);
        for ((rule, excerpt), by) in self.rules.iter().zip(fired).zip(overridden) {
            let Some(excerpt) = excerpt else { continue };
            if let Some(by) = by {
                reasons.push(Reason {
                    rule: rule.id.clone(),
                    category: rule.category.clone(),
                    weight: 0.0,
                    excerpt: format!("overridden by {by}: {excerpt}"),
                });
                continue;
            }
            if rule.weight > 0.0 {
                *positive.entry(&rule.category).or_default() += rule.weight;
            }
            present.push(&rule.category);
            reasons.push(Reason {
                rule: rule.id.clone(),
                category: rule.category.clone(),
                weight: rule.weight,
                excerpt,
            });
        }
        // Caps are reasons too, so that the reasons always add up to the score.
        let mut contribution: BTreeMap<String, f64> = BTreeMap::new();
        for (category, sum) in &positive {
            let capped = match self.category_max.get(*category) {
                Some(max) if sum > max => {
                    reasons.push(Reason {
                        rule: format!("cap:{category}"),
                        category: category.to_string(),
                        weight: max - sum,
                        excerpt: format!("{category} counts at most {max}"),
                    });
                    *max
                }
                _ => *sum,
            };
            contribution.insert(category.to_string(), capped);
        }
        for combo in &self.combos {
            // Any fired rule counts, so that a combo can also weigh counter-evidence
            // that occurs together. (No built-in category mixes positive and negative
            // rules, so for the asks this is the same as "a positive rule fired".)
            let fired_in = |c: &String| present.contains(&c.as_str());
            let satisfied = combo.all.iter().all(|group| group.iter().any(fired_in))
                && !combo.none.iter().any(|c| present.contains(&c.as_str()));
            if !satisfied {
                continue;
            }
            let matched: Vec<&str> =
                combo.all.iter().filter_map(|group| group.iter().find(|c| fired_in(c)).map(String::as_str)).collect();
            // A combo counts toward the dominant category only when it names one.
            if let Some(category) = &combo.category
                && combo.weight > 0.0
            {
                *contribution.entry(category.clone()).or_default() += combo.weight;
            }
            let category = combo.category.clone().unwrap_or_else(|| "combo".into());
            reasons.push(Reason {
                rule: combo.id.clone(),
                category,
                weight: combo.weight,
                excerpt: matched.join(" + "),
            });
        }
        let score = reasons.iter().map(|r| r.weight).sum::<f64>();
        let category =
            contribution.into_iter().filter(|(_, w)| *w > 0.0).max_by(|a, b| a.1.total_cmp(&b.1)).map(|(c, _)| c);
        reasons.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        Classification { score: round(score), category, reasons }
    }
}

/// The plans `build.rs` made for the built-in rule regexes, in postcard form.
static BUILTIN_PLANS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/plans.bin"));

/// The plans `build.rs` made for the built-in rule regexes, by regex source. Read
/// anew by each `Classifier::new` rather than kept: the daemon has no use for them
/// afterwards.
fn builtin_plans() -> HashMap<String, pattern::Plan> {
    postcard::from_bytes(BUILTIN_PLANS).expect("build.rs writes the plans")
}

/// The data compiled into the binary that only `Classifier::new` reads (the built-in
/// rules, their plans and the stored automaton with its patterns, about 3 MB): once
/// a classifier is built, the daemon may let the kernel drop these pages from
/// memory; they are read again from the binary if a reload needs them.
pub fn setup_only_data() -> [&'static [u8]; 4] {
    let [automaton, patterns] = automaton::Automaton::setup_only_data();
    [BUILTIN_PLANS, rules::DEFAULT_RULES.as_bytes(), automaton, patterns]
}

/// Scores are shown with one decimal; rounding here keeps sums such as 0.1 + 0.2
/// from landing just below a threshold.
fn round(x: f64) -> f64 {
    // `+ 0.0` turns -0.0 into 0.0, which would otherwise print as "-0".
    (x * 1000.0).round() / 1000.0 + 0.0
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Where the body and the brief reply start in a classification's haystack.
struct Bounds {
    body: usize,
    /// Past the end of the haystack when there is no brief reply.
    reply: usize,
}

impl Bounds {
    fn region(&self, at: usize) -> usize {
        usize::from(at >= self.body) + usize::from(at >= self.reply)
    }

    /// The text an excerpt of a match at `at` may show: the sender's words never run
    /// on into the user's reply.
    fn visible<'h>(&self, haystack: &'h str, at: usize) -> &'h str {
        if at < self.reply { &haystack[..(self.reply - 1).min(haystack.len())] } else { haystack }
    }

    fn in_scope(&self, scope: Where, start: usize) -> bool {
        match scope {
            Where::Any => start < self.reply,
            Where::Subject => start < self.body,
            Where::Body => start >= self.body && start < self.reply,
            Where::BriefReply => start >= self.reply,
        }
    }
}

/// The user's own reply that `message` quotes, normalized, when it is short and asks
/// nothing (see `Where::BriefReply`).
fn brief_reply<'m>(message: &'m Message, context: &Context) -> Option<&'m str> {
    let latest = message.history.latest.as_ref()?;
    let users = user_among(&latest.addresses, &latest.names, context).is_some();
    let brief = !latest.asks && !latest.interleaved && latest.words <= rules::BRIEF_REPLY_WORDS;
    (users && brief).then_some(latest.text.as_str())
}

/// The user, if quoted people (an attribution's addresses and names) include them.
fn user_among<'a>(addresses: &'a [String], names: &'a [String], context: &Context) -> Option<&'a str> {
    let by_address = addresses.iter().find(|a| context.user_addresses.iter().any(|u| u.eq_ignore_ascii_case(a)));
    let name = context.user_name.map(str::to_lowercase);
    let by_name = names.iter().find(|q| name.as_deref() == Some(q.as_str()));
    by_address.or(by_name).map(String::as_str)
}

fn is_word_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(char::is_alphanumeric)
}

fn is_word_after(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(char::is_alphanumeric)
}

/// The match with some words of context on each side.
fn excerpt(text: &str, start: usize, end: usize) -> String {
    const CONTEXT: usize = 40;
    let mut from = start.saturating_sub(CONTEXT);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + CONTEXT).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    // Widen to whole words so an excerpt never starts or ends mid-word.
    if from > 0 {
        from = text[..from].rfind([' ', '\n']).map_or(0, |i| i + 1);
    }
    if to < text.len() {
        to = text[to..].find([' ', '\n']).map_or(text.len(), |i| to + i);
    }
    let inner = text[from..to].replace('\n', " | ");
    format!("{}{}{}", if from > 0 { "..." } else { "" }, inner.trim(), if to < text.len() { "..." } else { "" })
}

fn fact_evidence(fact: Fact, message: &Message, context: &Context) -> Option<String> {
    let is_user = |a: &str| context.user_addresses.iter().any(|u| u.eq_ignore_ascii_case(a));
    match fact {
        Fact::CcKnownContact => message
            .to
            .iter()
            .chain(&message.cc)
            .find(|m| !is_user(&m.address) && context.contacts.contains(&m.address))
            .map(|m| format!("known contact {} is a recipient", m.address)),
        Fact::QuotesKnownContact => message
            .history
            .addresses
            .iter()
            .find(|a| !is_user(a) && context.contacts.contains(a))
            .map(|a| format!("quotes known contact {a}")),
        Fact::QuotesUser => user_among(&message.history.addresses, &message.history.names, context)
            .map(|who| format!("quotes a message from {who}")),
        Fact::ReferencesUser => {
            let domains: Vec<&str> =
                context.user_addresses.iter().filter_map(|a| a.rsplit_once('@').map(|(_, d)| d)).collect();
            message
                .in_reply_to
                .iter()
                .chain(&message.references)
                .find(|id| id.rsplit_once('@').is_some_and(|(_, d)| domains.iter().any(|u| d.eq_ignore_ascii_case(u))))
                .map(|id| format!("answers <{id}>"))
        }
        Fact::ListMail => {
            let machine = &message.machine;
            machine
                .list_headers
                .first()
                .map(|h| format!("{h} header"))
                .or_else(|| machine.bulk_precedence().map(|p| format!("Precedence: {p}")))
        }
        Fact::FromForged => message
            .from
            .as_ref()
            .filter(|_| message.from_forged())
            .map(|from| format!("the server recorded an authentication failure for {}", from.address)),
    }
}

#[cfg(test)]
mod tests;
