//! Learning from the user's corrections: a token-based Bayesian classifier whose
//! verdict adds one bounded reason to the rule score. Pure: no I/O; `state` persists
//! the counts.
//!
//! The method is Gary Robinson's, as in SpamBayes and bogofilter: a per-token
//! probability corrected towards 0.5 for rarely seen tokens, and the most telling
//! tokens of a message combined with Fisher's chi-square method. Rules stay the
//! primary, explainable signal; the classifier only nudges, within `max_weight`,
//! once it has seen enough of both classes, and never carries a message with welcome
//! evidence across a threshold on its own (see [`apply`]).

use crate::classify::{Classification, Reason};
use crate::message::Message;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::BuildHasherDefault;

/// Distinct tokens kept per message: a huge message costs bounded work and storage.
pub const MAX_TOKENS: usize = 2000;
/// Word length in characters for a word to be a token of its own. Shorter words
/// ("me", "to") carry meaning only in bigrams; longer ones are mostly encoded blobs.
const MIN_WORD: usize = 3;
const MAX_WORD: usize = 30;
/// Robinson's prior: strength `s` and assumed probability `x` of a token never seen.
const PRIOR_STRENGTH: f64 = 1.0;
const PRIOR_PROBABILITY: f64 = 0.5;
/// Tokens seen in fewer training messages are noise, not evidence.
const MIN_TOKEN_COUNT: u32 = 2;
/// Tokens whose probability is this close to 0.5 say nothing and are left out.
const MIN_STRENGTH: f64 = 0.1;
/// At most this many tokens decide: the strongest ones. Words and the bigrams that
/// contain them are correlated, so more would overstate the evidence.
const MAX_CLUES: usize = 20;
/// Probabilities within `BAND` of 0.5's far side (0.2..0.8) weigh nothing; beyond,
/// the weight grows linearly to `max_weight` at 0 or 1.
const BAND: f64 = 0.2;
/// How far below a threshold a clamped score stays, so that a score shown with one
/// decimal never reads as the threshold itself.
const CLAMP_MARGIN: f64 = 0.1;
/// Tokens named in a reason's excerpt.
const EXCERPT_TOKENS: usize = 6;

/// What the user says a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Extractive,
    Ham,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Extractive => "extractive",
            Label::Ham => "ham",
        }
    }

    /// The inverse of [`Label::as_str`], ignoring case and surrounding blanks.
    pub fn parse(s: &str) -> Option<Label> {
        let s = s.trim();
        [Label::Extractive, Label::Ham].into_iter().find(|l| s.eq_ignore_ascii_case(l.as_str()))
    }

    fn index(self) -> usize {
        match self {
            Label::Extractive => 0,
            Label::Ham => 1,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The distinct tokens of a message, as stored and scored, in first-seen order:
///
/// - words of the normalized subject prefixed `s:` (a word in a subject is a stronger
///   signal than the same word in a body), then the sender's domain as `from:domain`,
///   then the words of the body (what the sender wrote, without quoted history);
/// - a word is a run of letters and digits, with inner `'` and `-` ("you're",
///   "follow-up"); as a token it has 3 to 30 characters and at least one letter;
/// - bigrams of adjacent words ("your network", "introduce me") carry the phrases the
///   rules also look for; words separated by punctuation are not adjacent;
/// - at most [`MAX_TOKENS`], so a huge or hostile message costs bounded work.
///
/// The domain is one token among many and the prior keeps a rarely seen one near 0.5,
/// so freemail domains (seen in both classes) are neutral while a domain that only
/// ever sent extractive mail (an outreach agency) becomes evidence. The full address
/// is not a token: remembering people is the job of the known contacts.
pub fn tokens(msg: &Message) -> Vec<String> {
    let mut list = Vec::new();
    each_token(msg, &mut |token, _| list.push(token.to_string()));
    list
}

/// Calls `each` with every token [`tokens`] lists, in the same order, and its
/// [`token_hash`], without building the list: judging a message needs no token that
/// the model does not know.
fn each_token(msg: &Message, each: &mut dyn FnMut(&str, u64)) {
    let mut out = Collector { seen: HashSet::default(), count: 0, buf: String::new(), each };
    if !words(&msg.text.subject, "s:", &mut out) {
        return;
    }
    if let Some(from) = &msg.from {
        let domain = from.domain();
        // A hostile From cannot make a giant token: real domains have at most 253 bytes.
        if !domain.is_empty() && domain.len() <= 253 && !out.add(&["from:", domain]) {
            return;
        }
    }
    words(&msg.text.body, "", &mut out);
}

struct Collector<'a> {
    /// Hashes of the tokens passed on: a 64-bit FNV hash names a token among a
    /// message's two thousand as surely as its text, and costs no allocation.
    seen: HashSet<u64, BuildHasherDefault<Prehashed>>,
    count: usize,
    buf: String,
    each: &'a mut dyn FnMut(&str, u64),
}

impl Collector<'_> {
    /// Passes on the concatenation of `parts` unless already seen; false once full.
    fn add(&mut self, parts: &[&str]) -> bool {
        if self.count >= MAX_TOKENS {
            return false;
        }
        self.buf.clear();
        parts.iter().for_each(|p| self.buf.push_str(p));
        let hash = token_hash(&self.buf);
        if self.seen.insert(hash) {
            self.count += 1;
            (self.each)(&self.buf, hash);
        }
        self.count < MAX_TOKENS
    }
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed with it; this keeps any other use correct.
        self.0 = bytes.iter().fold(self.0, |h, b| h.rotate_left(8) ^ u64::from(*b));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Adds the words and bigrams of `text`; false once the collector is full.
fn words(text: &str, prefix: &str, out: &mut Collector) -> bool {
    // The previous word, when nothing but whitespace separates it from the next.
    let mut previous: Option<&str> = None;
    let mut start: Option<usize> = None;
    let mut joined = true;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if start.is_some()
            && matches!(c, '\'' | '-')
            && text[i + c.len_utf8()..].chars().next().is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        if let Some(s) = start.take() {
            if !emit(&text[s..i], joined, &mut previous, prefix, out) {
                return false;
            }
            joined = true;
        }
        if !c.is_whitespace() {
            joined = false;
        }
    }
    match start {
        Some(s) => emit(&text[s..], joined, &mut previous, prefix, out),
        None => true,
    }
}

/// Adds one word and its bigram with the previous word; false once the collector is full.
fn emit<'t>(word: &'t str, joined: bool, previous: &mut Option<&'t str>, prefix: &str, out: &mut Collector) -> bool {
    let usable = word.chars().any(char::is_alphabetic) && word.chars().nth(MAX_WORD).is_none();
    if !usable {
        *previous = None;
        return true;
    }
    if word.chars().nth(MIN_WORD - 1).is_some() && !out.add(&[prefix, word]) {
        return false;
    }
    if let Some(p) = previous.filter(|_| joined)
        && !out.add(&[prefix, p, " ", word])
    {
        return false;
    }
    *previous = Some(word);
    true
}

/// Per-class message counts and per-token counts of the messages each token occurred
/// in. Training changes one message count and the counts of that message's tokens by
/// one, so `state` can persist every change as the same increments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Indexed by `Label::index`.
    docs: [u32; 2],
    counts: HashMap<String, [u32; 2]>,
}

impl Model {
    /// A model from persisted counts: (token, extractive, ham). Repeated tokens add up;
    /// tokens with no count are dropped.
    pub fn from_parts(
        extractive_docs: u32,
        ham_docs: u32,
        tokens: impl IntoIterator<Item = (String, u32, u32)>,
    ) -> Model {
        let mut counts: HashMap<String, [u32; 2]> = HashMap::new();
        for (token, e, h) in tokens {
            if e == 0 && h == 0 {
                continue;
            }
            let c = counts.entry(token).or_default();
            c[0] = c[0].saturating_add(e);
            c[1] = c[1].saturating_add(h);
        }
        Model { docs: [extractive_docs, ham_docs], counts }
    }

    /// Counts one message of class `label`. Tokens are counted once however often they
    /// are repeated, as [`tokens`] returns them.
    pub fn train(&mut self, tokens: &[String], label: Label) {
        let i = label.index();
        self.docs[i] = self.docs[i].saturating_add(1);
        for token in distinct(tokens) {
            let c = self.counts.entry(token.to_string()).or_default();
            c[i] = c[i].saturating_add(1);
        }
    }

    /// Takes back a message counted as `label` (when the user relabels it). Counts
    /// never go below zero, and tokens left with no count are forgotten.
    pub fn untrain(&mut self, tokens: &[String], label: Label) {
        let i = label.index();
        self.docs[i] = self.docs[i].saturating_sub(1);
        for token in distinct(tokens) {
            if let Some(c) = self.counts.get_mut(token) {
                c[i] = c[i].saturating_sub(1);
                if *c == [0, 0] {
                    self.counts.remove(token);
                }
            }
        }
    }

    /// Messages trained: (extractive, ham).
    pub fn docs(&self) -> (u32, u32) {
        (self.docs[0], self.docs[1])
    }

    /// Distinct tokens known.
    pub fn token_count(&self) -> usize {
        self.counts.len()
    }

    /// Messages of each class `token` occurred in: (extractive, ham).
    pub fn counts(&self, token: &str) -> (u32, u32) {
        self.counts.get(token).map_or((0, 0), |c| (c[0], c[1]))
    }

    /// Every token with its counts (extractive, ham), in no particular order: what a
    /// full save writes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32, u32)> {
        self.counts.iter().map(|(t, c)| (t.as_str(), c[0], c[1]))
    }

    /// True once both classes have at least `min_per_class` messages (and at least one).
    pub fn is_ready(&self, min_per_class: u32) -> bool {
        self.is_ready_over(None, min_per_class)
    }

    /// Whether the user's examples and `seed`'s together are enough: a seed counts as
    /// examples the user gave.
    pub fn is_ready_over(&self, seed: Option<&Seed>, min_per_class: u32) -> bool {
        let min = min_per_class.max(1);
        let docs = self.docs_over(seed);
        docs[0] >= min && docs[1] >= min
    }

    fn docs_over(&self, seed: Option<&Seed>) -> [u32; 2] {
        let s = seed.map_or([0, 0], |s| {
            let (e, h) = s.docs();
            [e, h]
        });
        [self.docs[0].saturating_add(s[0]), self.docs[1].saturating_add(s[1])]
    }

    /// The probability that a message of `tokens` is extractive, with the tokens that
    /// decided it; None until the model [`is_ready`](Model::is_ready).
    pub fn classify(&self, tokens: &[String], min_per_class: u32) -> Option<Verdict> {
        self.classify_over(None, tokens, min_per_class)
    }

    /// As [`classify`](Model::classify), with the user's counts added to `seed`'s:
    /// the seed is where the model starts, the user's corrections move it from there.
    pub fn classify_over(&self, seed: Option<&Seed>, tokens: &[String], min_per_class: u32) -> Option<Verdict> {
        if !self.is_ready_over(seed, min_per_class) {
            return None;
        }
        let docs = self.docs_over(seed);
        let clues =
            distinct(tokens).filter_map(|t| Some((t.to_string(), self.clue(seed, docs, t, token_hash(t))?))).collect();
        Some(verdict(clues))
    }

    /// As [`classify_over`](Model::classify_over) the tokens of `msg`, streamed: only
    /// the tokens the model knows are kept.
    pub fn classify_message(&self, seed: Option<&Seed>, msg: &Message, min_per_class: u32) -> Option<Verdict> {
        if !self.is_ready_over(seed, min_per_class) {
            return None;
        }
        let docs = self.docs_over(seed);
        let mut clues: Vec<(String, f64)> = Vec::new();
        each_token(msg, &mut |token, hash| {
            if let Some(p) = self.clue(seed, docs, token, hash) {
                clues.push((token.to_string(), p));
            }
        });
        Some(verdict(clues))
    }

    /// The probability of one token over the user's counts added to the seed's, when
    /// it tells something (at least [`MIN_STRENGTH`] from 0.5). Most tokens of a
    /// message are known to neither, and cost two lookups.
    fn clue(&self, seed: Option<&Seed>, docs: [u32; 2], token: &str, hash: u64) -> Option<f64> {
        let user = if self.counts.is_empty() { None } else { self.counts.get(token).copied() };
        let seeded = seed.and_then(|s| s.get_hashed(hash));
        if user.is_none() && seeded.is_none() {
            return None;
        }
        let (user, seeded) = (user.unwrap_or_default(), seeded.unwrap_or_default());
        let counts = [user[0].saturating_add(seeded[0]), user[1].saturating_add(seeded[1])];
        probability(docs, counts).filter(|p| (p - 0.5).abs() >= MIN_STRENGTH)
    }

    /// The `n` tokens that most suggest `label`, with the probability that a message
    /// containing one is of that class; empty while a class has no message.
    pub fn top_tokens(&self, label: Label, n: usize) -> Vec<(String, f64)> {
        let mut top: Vec<(&str, f64, u32)> = self
            .counts
            .iter()
            .filter_map(|(t, c)| {
                let p = self.probability(t)?;
                let p = if label == Label::Extractive { p } else { 1.0 - p };
                (p > 0.5).then_some((t.as_str(), p, c[0].saturating_add(c[1])))
            })
            .collect();
        // Equal probabilities: the more often seen token is the better example.
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| a.0.cmp(b.0)));
        top.into_iter().take(n).map(|(t, p, _)| (t.to_string(), round(p))).collect()
    }

    /// Robinson's f(w): the share of extractive messages containing `token`, relative
    /// to the share of ham containing it (so that unequal class sizes do not bias it),
    /// pulled towards 0.5 when the token was seen only a few times.
    fn probability(&self, token: &str) -> Option<f64> {
        probability(self.docs, *self.counts.get(token)?)
    }
}

/// The verdict of the telling tokens: the [`MAX_CLUES`] strongest, combined.
fn verdict(mut clues: Vec<(String, f64)>) -> Verdict {
    clues.sort_by(|a, b| (b.1 - 0.5).abs().total_cmp(&(a.1 - 0.5).abs()).then_with(|| a.0.cmp(&b.0)));
    clues.truncate(MAX_CLUES);
    let probability = fisher(clues.iter().map(|c| c.1));
    Verdict { probability, top: clues.into_iter().map(|(t, p)| (t, round(p))).collect() }
}

/// Robinson's f(w) for a token seen in `counts` of `docs` messages per class.
fn probability(docs: [u32; 2], counts: [u32; 2]) -> Option<f64> {
    let [e, h] = counts;
    let n = e.saturating_add(h);
    if n < MIN_TOKEN_COUNT || docs[0] == 0 || docs[1] == 0 {
        return None;
    }
    let in_extractive = f64::from(e) / f64::from(docs[0]);
    let in_ham = f64::from(h) / f64::from(docs[1]);
    let p = in_extractive / (in_extractive + in_ham);
    let n = f64::from(n);
    Some((PRIOR_STRENGTH * PRIOR_PROBABILITY + n * p) / (PRIOR_STRENGTH + n))
}

mod seed;

pub use seed::SeedError;
use seed::token_hash;

/// The built-in seed: `config/seed-model.tsv` (token counts of the labeled mail in
/// the repository's test sets, regenerated and checked by `tests/seed.rs`), compiled
/// by `build.rs` into the table [`Seed`] reads.
static BUILTIN_SEED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/seed.bin"));

/// Tokens seen in fewer messages of the seed's mail are left out of it: they would
/// weigh little, and every entry costs memory.
const SEED_MIN_COUNT: u32 = 3;

/// A read-only model to start from, so that learning helps before the user has
/// corrected anything: a sorted table of token hashes and counts (`learn::seed`).
/// Hashes, not strings, because a verdict names the message's own tokens; 12 bytes a
/// token. The built-in seed is read in place from the binary: no start-up work and
/// no heap, and the daemon can let the kernel drop its pages while idle.
#[derive(Clone, PartialEq)]
pub struct Seed {
    table: Cow<'static, [u8]>,
    /// `buckets[b]` is the first record whose hash's top [`BUCKET_BITS`] bits are at
    /// least `b`: a look-up searches one bucket of a dozen records, in a cache line or
    /// two, instead of halving the whole table (about sixteen probes, most of them
    /// cache misses).
    buckets: Vec<u32>,
}

const BUCKET_BITS: u32 = 12;

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seed").field("docs", &self.docs()).field("tokens", &self.token_count()).finish()
    }
}

impl Seed {
    /// The seed compiled into screener.
    pub fn builtin() -> Seed {
        Seed::from_table(Cow::Borrowed(BUILTIN_SEED))
    }

    /// A seed from text in the format of `config/seed-model.tsv` ([`render_seed`]).
    pub fn parse(text: &str) -> Result<Seed, SeedError> {
        Ok(Seed::from_table(Cow::Owned(seed::compile(text)?)))
    }

    /// A seed over a compiled table (`seed::compile`: records sorted by hash).
    fn from_table(table: Cow<'static, [u8]>) -> Seed {
        let mut seed = Seed { table, buckets: Vec::with_capacity((1 << BUCKET_BITS) + 1) };
        let mut record = 0;
        for bucket in 0..=(1u64 << BUCKET_BITS) {
            while record < seed.token_count() && seed.hash_at(record) >> (64 - BUCKET_BITS) < bucket {
                record += 1;
            }
            seed.buckets.push(u32::try_from(record).expect("a seed table holds fewer than 2^32 records"));
        }
        seed
    }

    /// The built-in seed's table, as compiled into the binary.
    pub fn builtin_table() -> &'static [u8] {
        BUILTIN_SEED
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.table[at..at + 4].try_into().expect("4 bytes"))
    }

    fn hash_at(&self, i: usize) -> u64 {
        let at = seed::HEADER + i * seed::RECORD;
        u64::from_le_bytes(self.table[at..at + 8].try_into().expect("8 bytes"))
    }

    #[cfg(test)]
    fn get(&self, token: &str) -> Option<[u32; 2]> {
        self.get_hashed(token_hash(token))
    }

    fn get_hashed(&self, hash: u64) -> Option<[u32; 2]> {
        let bucket = (hash >> (64 - BUCKET_BITS)) as usize;
        let (mut lo, mut hi) = (self.buckets[bucket] as usize, self.buckets[bucket + 1] as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.hash_at(mid).cmp(&hash) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let at = seed::HEADER + mid * seed::RECORD + 8;
                    let count = |at: usize| u32::from(u16::from_le_bytes([self.table[at], self.table[at + 1]]));
                    return Some([count(at), count(at + 2)]);
                }
            }
        }
        None
    }

    /// Messages it was made from: (extractive, ham).
    pub fn docs(&self) -> (u32, u32) {
        (self.u32_at(0), self.u32_at(4))
    }

    /// Distinct tokens it knows.
    pub fn token_count(&self) -> usize {
        (self.table.len() - seed::HEADER) / seed::RECORD
    }
}

/// A model as seed data: the tokens seen in at least [`SEED_MIN_COUNT`] messages
/// that say something on their own (a probability at least [`MIN_STRENGTH`] from
/// 0.5; the neutral fifth of them would only take memory),
/// sorted, after `header` (each line becomes a comment). Sender domains are left out:
/// the domains of one corpus say nothing about anyone else's mail.
pub fn render_seed(model: &Model, header: &str) -> String {
    let docs = model.docs;
    let mut rows: Vec<(&str, u32, u32)> = model
        .iter()
        .filter(|(t, e, h)| !t.starts_with("from:") && e.saturating_add(*h) >= SEED_MIN_COUNT)
        .filter(|(_, e, h)| probability(docs, [*e, *h]).is_some_and(|p| (p - 0.5).abs() >= MIN_STRENGTH))
        .collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
    }
    let (e, h) = model.docs();
    out.push_str(&format!("=docs\t{e}\t{h}\n"));
    for (t, e, h) in rows {
        out.push_str(&format!("{t}\t{e}\t{h}\n"));
    }
    out
}

fn distinct(tokens: &[String]) -> impl Iterator<Item = &str> {
    let mut seen = HashSet::new();
    tokens.iter().map(String::as_str).filter(move |t| seen.insert(*t))
}

/// Fisher's method as SpamBayes applies it: how unlikely the token probabilities
/// would be if they were random, tested once for each class, combined so that
/// evidence for both (or neither) lands near 0.5.
fn fisher(probabilities: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut ln_p, mut ln_q) = (0usize, 0.0, 0.0);
    for p in probabilities {
        // Robinson's prior keeps p inside (0, 1); the clamp guards the logarithms.
        let p = p.clamp(1e-9, 1.0 - 1e-9);
        ln_p += p.ln();
        ln_q += (1.0 - p).ln();
        n += 1;
    }
    if n == 0 {
        return 0.5;
    }
    let extractive = 1.0 - chi2q(-2.0 * ln_q, 2 * n);
    let ham = 1.0 - chi2q(-2.0 * ln_p, 2 * n);
    ((extractive - ham + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// P(χ² ≥ x2) with an even number of degrees of freedom `v`, by the closed-form series.
fn chi2q(x2: f64, v: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..v / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// The classifier's opinion of one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// That the message is extractive, from 0 to 1.
    pub probability: f64,
    /// The tokens that weighed most, strongest first, each with its own probability.
    pub top: Vec<(String, f64)>,
}

/// How much the classifier may say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Messages of each class needed before it says anything.
    pub min_per_class: u32,
    /// The largest weight, either way, it adds to a score.
    pub max_weight: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { min_per_class: 20, max_weight: 3.0 }
    }
}

/// The rule id of the learned reason.
pub const RULE: &str = "learned:bayes";
/// The category of the learned reason.
pub const CATEGORY: &str = "learned";

/// The verdict as a reason: 0 for probabilities from 0.2 to 0.8, growing linearly to
/// ±`max_weight` at 1 and 0. None when it weighs nothing.
pub fn reason(verdict: &Verdict, settings: &Settings) -> Option<Reason> {
    let weight = weight(verdict.probability, settings.max_weight);
    if weight == 0.0 {
        return None;
    }
    // Name the tokens that pushed the way the verdict went.
    let telling: Vec<String> = verdict
        .top
        .iter()
        .filter(|(_, p)| (*p > 0.5) == (weight > 0.0))
        .take(EXCERPT_TOKENS)
        .map(|(t, p)| format!("\"{t}\" {p:.2}"))
        .collect();
    let excerpt = if telling.is_empty() {
        format!("p={:.2}", verdict.probability)
    } else {
        format!("p={:.2}; tokens: {}", verdict.probability, telling.join(", "))
    };
    Some(Reason { rule: RULE.into(), category: CATEGORY.into(), weight, excerpt })
}

fn weight(probability: f64, max_weight: f64) -> f64 {
    if !probability.is_finite() || !max_weight.is_finite() || max_weight <= 0.0 {
        return 0.0;
    }
    let p = probability.clamp(0.0, 1.0);
    let strength = if p >= 1.0 - BAND {
        (p - (1.0 - BAND)) / BAND
    } else if p <= BAND {
        -(BAND - p) / BAND
    } else {
        0.0
    };
    round(strength * max_weight)
}

/// Adds the learned reason to a classification and returns the new score.
///
/// A positive learned weight never carries a message that shows welcome evidence (a
/// rule with a negative weight: a student, an introduction, a newsletter...) from below
/// a threshold to it: it is clamped to stay [`CLAMP_MARGIN`] below the next threshold
/// above the rule score, and the excerpt says so. Counter-evidence was written by
/// someone on purpose; token statistics should not overrule it. A negative learned
/// weight is never clamped: it can only keep more mail.
///
/// Known contacts need nothing here: `policy::decide` keeps them before it looks at
/// the score.
///
/// The reasons stay sorted by decreasing |weight| and add up to the score. The
/// dominant category is kept (it picks the reply template); only a message with no
/// positive category gets `learned`, since the classifier is then all that raised it.
pub fn apply(
    classification: &mut Classification,
    learned: Option<Reason>,
    file_threshold: f64,
    decline_threshold: f64,
) -> f64 {
    let Some(mut reason) = learned else { return classification.score };
    let before = classification.score;
    if reason.weight > 0.0
        && let Some(welcome) = welcome_evidence(&classification.reasons)
    {
        let ceiling = [("file", file_threshold), ("decline", decline_threshold)]
            .into_iter()
            .filter(|(_, t)| t.is_finite() && before < *t)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((name, ceiling)) = ceiling
            && round(before + reason.weight) >= ceiling
        {
            let allowed = round((ceiling - CLAMP_MARGIN - before).max(0.0)).min(reason.weight);
            reason.excerpt = format!(
                "{}; clamped from {:+} to {:+}: welcome evidence ({welcome}), so the learned weight alone may not reach the {name} threshold {ceiling}",
                reason.excerpt, reason.weight, allowed
            );
            reason.weight = allowed;
        }
    }
    classification.score = round(before + reason.weight);
    if classification.category.is_none() && reason.weight > 0.0 {
        classification.category = Some(reason.category.clone());
    }
    let at = classification.reasons.iter().position(|r| r.weight.abs() < reason.weight.abs());
    classification.reasons.insert(at.unwrap_or(classification.reasons.len()), reason);
    classification.score
}

/// The rules that speak for the message, named; None when none fired. Caps lower a
/// score without being counter-evidence; policy steps and the learned reason weigh
/// nothing of the sender's; and bulk markers (list headers, an unsubscribe footer)
/// come with extractive blasts as often as with wanted mail.
fn welcome_evidence(reasons: &[Reason]) -> Option<String> {
    let rules: Vec<&str> = reasons
        .iter()
        .filter(|r| {
            r.weight < 0.0
                && r.category != "policy"
                && r.category != "bulk"
                && r.category != CATEGORY
                && !r.rule.starts_with("cap:")
                && !r.rule.starts_with("policy:")
        })
        .map(|r| r.rule.as_str())
        .collect();
    (!rules.is_empty()).then(|| rules.join(", "))
}

/// As `classify` rounds: three decimals, no negative zero.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Limits, parse};

    fn message(from: &str, subject: &str, body: &str) -> Message {
        let raw = format!("From: {from}\nTo: hank@b.example\nSubject: {subject}\n\n{body}");
        parse(raw.as_bytes(), Limits::default(), None).unwrap()
    }

    const EXTRACTIVE: &[&str] = &[
        "i came across your profile and was impressed by your network.",
        "could you introduce me to a few of your clients?",
        "who are your best clients at the moment?",
        "would you share your contact list with me?",
        "i would love to pick your brain for fifteen minutes.",
        "could you write me a linkedin recommendation?",
        "we pay a generous referral fee for every introduction.",
        "let's see how we can help each other grow.",
        "you seem very well connected in the fintech space.",
        "could you forward my deck to your network?",
        "i can draft the introduction email for you.",
        "we have never met but your network is impressive.",
    ];
    const EXTRACTIVE_SUBJECTS: &[&str] =
        &["quick intro?", "mutual benefit", "your network", "partnership opportunity", "connecting"];
    const HAM: &[&str] = &[
        "the quarterly report is attached for review.",
        "can we move our meeting to thursday afternoon?",
        "thanks for sending the invoice so quickly.",
        "dinner at grandma's house on sunday evening.",
        "the build failed on the main branch again.",
        "please review the pull request before friday.",
        "your package has shipped and arrives tomorrow.",
        "the kids loved the museum trip last weekend.",
        "i fixed the typo in the budget spreadsheet.",
        "the plumber will come by on tuesday morning.",
        "here are the slides from yesterday's talk.",
        "the library books are due next week.",
    ];
    const HAM_SUBJECTS: &[&str] = &["report", "meeting", "invoice", "weekend plans", "build failure"];
    const NAMES: &[&str] = &["alice", "bruno", "chen", "dana", "emeka", "farah", "goran", "hana"];

    /// Three sentences of one pool, chosen by `i` with different strides so that no
    /// two messages are alike.
    fn synthetic(pool: &[&str], subjects: &[&str], i: usize, domain: &str) -> Message {
        let body = format!(
            "hi {}, {} {} {} best, {}",
            NAMES[i % NAMES.len()],
            pool[i % pool.len()],
            pool[(i * 5 + 3) % pool.len()],
            pool[(i * 7 + 1) % pool.len()],
            NAMES[(i + 3) % NAMES.len()],
        );
        message(&format!("x{i}@{domain}"), subjects[i % subjects.len()], &body)
    }

    fn trained() -> Model {
        let mut model = Model::default();
        for i in 0..25 {
            model.train(&tokens(&synthetic(EXTRACTIVE, EXTRACTIVE_SUBJECTS, i, "gmail.example")), Label::Extractive);
            model.train(&tokens(&synthetic(HAM, HAM_SUBJECTS, i, "gmail.example")), Label::Ham);
        }
        model
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_seed_reads_back_what_render_wrote_and_counts_as_the_users_examples() {
        let model = trained();
        let text = render_seed(&model, "test seed\n\nsecond line");
        assert!(text.starts_with("# test seed\n#\n# second line\n=docs\t25\t25\n"), "{text}");
        assert!(!text.contains("from:"), "sender domains stay out of a seed");
        let seed = Seed::parse(&text).unwrap();
        assert_eq!(seed.docs(), (25, 25));
        // Rare and neutral tokens are left out, the rest are all there.
        let kept = model
            .iter()
            .filter(|(t, e, h)| !t.starts_with("from:") && e + h >= SEED_MIN_COUNT)
            .filter(|(t, _, _)| model.probability(t).is_some_and(|p| (p - 0.5).abs() >= MIN_STRENGTH))
            .count();
        assert_eq!(seed.token_count(), kept);
        assert!(kept < model.token_count());

        // An empty user model over the seed judges as the model it was made from.
        let empty = Model::default();
        assert!(!empty.is_ready(20));
        assert!(empty.is_ready_over(Some(&seed), 20));
        let ask = tokens(&message("z@x.example", "quick intro", "could you introduce me to a few of your clients?"));
        let from_seed = empty.classify_over(Some(&seed), &ask, 20).unwrap();
        let from_model = model.classify(&ask, 20).unwrap();
        assert!(from_seed.probability > 0.9, "{from_seed:?}");
        assert!((from_seed.probability - from_model.probability).abs() < 0.05, "{from_seed:?} {from_model:?}");

        // The user's corrections add to the seed's counts and can turn a verdict.
        let mut user = Model::default();
        for _ in 0..200 {
            user.train(&ask, Label::Ham);
        }
        let corrected = user.classify_over(Some(&seed), &ask, 20).unwrap();
        assert!(corrected.probability < 0.5, "{corrected:?}");
    }

    #[test]
    fn every_seed_token_is_found_and_no_other() {
        let seed = Seed::builtin();
        let hashes: Vec<u64> = (0..seed.token_count()).map(|i| seed.hash_at(i)).collect();
        assert!(hashes.windows(2).all(|w| w[0] < w[1]), "the table is sorted");
        for (i, &h) in hashes.iter().enumerate() {
            let at = seed::HEADER + i * seed::RECORD + 8;
            let count = |at: usize| u32::from(u16::from_le_bytes([seed.table[at], seed.table[at + 1]]));
            assert_eq!(seed.get_hashed(h), Some([count(at), count(at + 2)]), "record {i}");
            // A neighbour of a stored hash is found exactly when it is stored too.
            for near in [h.wrapping_sub(1), h.wrapping_add(1)] {
                assert_eq!(seed.get_hashed(near).is_some(), hashes.binary_search(&near).is_ok());
            }
        }
        for far in [0, u64::MAX, u64::MAX / 2] {
            assert_eq!(seed.get_hashed(far).is_some(), hashes.binary_search(&far).is_ok());
        }
        // A hand-made table with known hashes and counts, including the largest hash.
        let skewed: Vec<u64> = (1..=40).chain([u64::MAX - 1]).collect();
        let mut table = vec![0u8; seed::HEADER];
        for (i, h) in skewed.iter().enumerate() {
            table.extend(h.to_le_bytes());
            table.extend((i as u16).to_le_bytes());
            table.extend(1u16.to_le_bytes());
        }
        let small = Seed::from_table(Cow::Owned(table));
        for (i, &h) in skewed.iter().enumerate() {
            assert_eq!(small.get_hashed(h), Some([i as u32, 1]));
        }
        for absent in [0, 41, 1 << 40, u64::MAX] {
            assert_eq!(small.get_hashed(absent), None);
        }
        assert_eq!(Seed::parse("=docs\t3\t4\n").unwrap().get("any"), None);
    }

    #[test]
    fn bad_seed_data_is_an_error_naming_the_line() {
        let no_docs = Seed::parse("# nothing\nword\t1\t2\n").unwrap_err().to_string();
        assert!(no_docs.contains("=docs"), "{no_docs}");
        let columns = Seed::parse("=docs\t3\t4\nword\t1\n").unwrap_err().to_string();
        assert!(columns.starts_with("seed model line 2:") && columns.contains("three"), "{columns}");
        let number = Seed::parse("=docs\t3\t4\nword\t1\tmany\n").unwrap_err().to_string();
        assert!(number.contains("line 2") && number.contains("whole numbers"), "{number}");
        // A word spelled "docs" is a token like any other.
        let seed = Seed::parse("=docs\t3\t4\ndocs\t1\t2\n").unwrap();
        assert_eq!((seed.docs(), seed.token_count(), seed.get("docs")), ((3, 4), 1, Some([1, 2])));
    }

    #[test]
    fn the_builtin_seed_knows_the_asks_and_the_welcome_mail() {
        let seed = Seed::builtin();
        let (e, h) = seed.docs();
        assert!(e > 1000 && h > 1000 && seed.token_count() > 5000, "{e} {h} {}", seed.token_count());
        let empty = Model::default();
        let verdict = |from: &str, subject: &str, body: &str| {
            empty.classify_over(Some(&seed), &tokens(&message(from, subject, body)), 20).unwrap().probability
        };
        let ask = verdict(
            "pat@agency.example",
            "quick question",
            "i came across your profile and your network is impressive. could you introduce me to a few of \
             your clients? happy to return the favor.",
        );
        let student = verdict(
            "sam@uni.example",
            "advice as a student",
            "i'm a final-year student and would be grateful for any advice on getting started in the field. \
             thank you for your time.",
        );
        assert!(ask > 0.9 && student < 0.5, "ask {ask}, student {student}");
    }

    #[test]
    fn token_hashes_are_fnv1a_so_a_seed_reads_the_same_on_every_build() {
        // The published FNV-1a 64-bit test vectors.
        assert_eq!(token_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(token_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(token_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn labels_round_trip() {
        for label in [Label::Extractive, Label::Ham] {
            assert_eq!(Label::parse(label.as_str()), Some(label));
        }
        assert_eq!(Label::parse(" HAM "), Some(Label::Ham));
        assert_eq!(Label::parse("spam"), None);
        assert_eq!(serde_json::to_string(&Label::Extractive).unwrap(), "\"extractive\"");
    }

    #[test]
    fn tokens_are_normalized_words_bigrams_and_the_domain() {
        let m = message(
            "Ann <Ann@Agency.Example>",
            "Quick INTRO? Café",
            "I love YOUR network. Your network is great, great! Call 2026 or 555-1234; 100k users, you're in a follow-up mood.",
        );
        let t = tokens(&m);
        let has = |s: &str| t.iter().any(|x| x == s);
        for present in [
            "s:quick",
            "s:intro",
            "s:quick intro",
            "s:cafe",
            "from:agency.example",
            "love",
            "your network",
            "network",
            "your",
            "network is",
            "100k",
            "you're",
            "follow-up",
            "a follow-up",
        ] {
            assert!(has(present), "{present} missing from {t:?}");
        }
        for absent in [
            "intro",        // subject words are prefixed
            "s:intro cafe", // '?' breaks adjacency
            "great great",  // ',' breaks adjacency
            "is",           // too short alone
            "2026",         // numbers are not words
            "555-1234",
            "1234",
            "Network",
        ] {
            assert!(!has(absent), "{absent} in {t:?}");
        }
        assert_eq!(t.iter().filter(|x| *x == "your network").count(), 1, "deduplicated");
        assert_eq!(t[0], "s:quick", "subject first");
        let distinct: HashSet<&String> = t.iter().collect();
        assert_eq!(distinct.len(), t.len());
    }

    #[test]
    fn tokens_are_capped_and_long_blobs_skipped() {
        let blob = "a".repeat(31);
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}x")).collect();
        let m = message("a@x.example", "subject words", &format!("{blob} {}", words.join(" ")));
        let t = tokens(&m);
        assert_eq!(t.len(), MAX_TOKENS);
        assert_eq!(&t[..3], ["s:subject", "s:words", "s:subject words"]);
        assert!(t.iter().all(|x| x.chars().count() <= 2 * MAX_WORD + 1 + "s:".len()));
        assert!(!t.iter().any(|x| x.contains(&blob)));
        // The blob breaks adjacency: no bigram reaches across it.
        assert!(t.contains(&"w0x".to_string()) && !t.iter().any(|x| x.ends_with(" w0x")));
    }

    #[test]
    fn hostile_huge_message_costs_bounded_work() {
        // The parser's own limit applies first; the tokenizer bounds what is kept.
        let mut body = String::new();
        let mut i = 0u64;
        while body.len() < 1024 * 1024 {
            i = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            body.push_str(&format!("q{:x} ", i >> 20));
        }
        let m = message("a@x.example", &"s".repeat(10_000), &body);
        assert!(m.text.truncated);
        let t = tokens(&m);
        assert!(t.len() <= MAX_TOKENS);
        let mut model = trained();
        let before = model.token_count();
        model.train(&t, Label::Extractive);
        assert!(model.token_count() <= before + MAX_TOKENS);
        let verdict = model.classify(&t, 20).unwrap();
        assert!(verdict.top.len() <= MAX_CLUES);
    }

    #[test]
    fn training_and_untraining_count_messages_and_tokens() {
        let mut model = Model::default();
        let a = strings(&["alpha", "beta", "alpha"]);
        model.train(&a, Label::Extractive);
        model.train(&a, Label::Extractive);
        model.train(&strings(&["beta"]), Label::Ham);
        assert_eq!(model.docs(), (2, 1));
        assert_eq!(model.counts("alpha"), (2, 0), "a token counts once per message");
        assert_eq!(model.counts("beta"), (2, 1));
        assert_eq!(model.token_count(), 2);

        model.untrain(&a, Label::Extractive);
        assert_eq!(model.docs(), (1, 1));
        assert_eq!(model.counts("alpha"), (1, 0));
        model.untrain(&a, Label::Extractive);
        assert_eq!(model.counts("alpha"), (0, 0));
        assert_eq!(model.token_count(), 1, "tokens without counts are forgotten");
        // Saturating: untraining what was never trained changes nothing below zero.
        model.untrain(&strings(&["alpha", "gamma"]), Label::Extractive);
        model.untrain(&strings(&["beta"]), Label::Ham);
        model.untrain(&strings(&["beta"]), Label::Ham);
        assert_eq!(model.docs(), (0, 0));
        assert_eq!(model.token_count(), 0);
    }

    #[test]
    fn from_parts_rebuilds_the_same_model() {
        let model = trained();
        let (e, h) = model.docs();
        let parts: Vec<(String, u32, u32)> = model.iter().map(|(t, e, h)| (t.to_string(), e, h)).collect();
        assert_eq!(Model::from_parts(e, h, parts), model);
        let merged = Model::from_parts(1, 1, [("a".into(), 1, 0), ("a".into(), 0, 2), ("z".into(), 0, 0)]);
        assert_eq!(merged.counts("a"), (1, 2));
        assert_eq!(merged.token_count(), 1);
    }

    #[test]
    fn silent_until_both_classes_have_enough_examples() {
        let t = strings(&["network", "clients"]);
        let mut model = Model::default();
        for _ in 0..30 {
            model.train(&t, Label::Extractive);
        }
        for _ in 0..19 {
            model.train(&strings(&["report"]), Label::Ham);
        }
        assert!(!model.is_ready(20));
        assert_eq!(model.classify(&t, 20), None);
        model.train(&strings(&["report"]), Label::Ham);
        assert!(model.is_ready(20));
        assert!(model.classify(&t, 20).is_some());
        assert!(!Model::default().is_ready(0), "an empty model is never ready");
    }

    #[test]
    fn learns_to_tell_extractive_from_ham() {
        let model = trained();
        assert_eq!(model.docs(), (25, 25));
        let unseen_extractive = message(
            "zed@outreach.example",
            "quick intro?",
            "hi hank, we have never met but i came across your profile. could you introduce me to your clients? we pay a referral fee.",
        );
        let unseen_ham = message(
            "mum@home.example",
            "weekend plans",
            "hi hank, dinner on sunday evening? also the plumber will come by on tuesday, and the report is attached.",
        );
        let e = model.classify(&tokens(&unseen_extractive), 20).unwrap();
        let h = model.classify(&tokens(&unseen_ham), 20).unwrap();
        assert!(e.probability > 0.8, "{e:?}");
        assert!(h.probability < 0.2, "{h:?}");
        // The top tokens are sorted by strength and name real evidence.
        let strength = |p: f64| (p - 0.5).abs();
        assert!(e.top.windows(2).all(|w| strength(w[0].1) >= strength(w[1].1)));
        assert!(e.top.iter().any(|(t, p)| t.contains("clients") && *p > 0.5), "{:?}", e.top);
        // Shared words (names, greetings, the common domain) are not evidence either way.
        assert!(!e.top.iter().any(|(t, _)| t == "hank" || t == "from:gmail.example"), "{:?}", e.top);

        let extractive_top = model.top_tokens(Label::Extractive, 10);
        let ham_top = model.top_tokens(Label::Ham, 10);
        assert_eq!(extractive_top.len(), 10);
        assert!(extractive_top.iter().all(|(_, p)| *p > 0.5));
        assert!(ham_top.iter().all(|(t, _)| !extractive_top.iter().any(|(u, _)| u == t)));
        // Each class's telling tokens come from that class's own sentences.
        let from_pool = |pool: &[&str], subjects: &[&str], t: &str| {
            pool.iter().chain(subjects).any(|s| s.contains(t.trim_start_matches("s:")))
        };
        assert!(ham_top.iter().all(|(t, _)| from_pool(HAM, HAM_SUBJECTS, t)), "{ham_top:?}");
        assert!(
            extractive_top.iter().all(|(t, _)| from_pool(EXTRACTIVE, EXTRACTIVE_SUBJECTS, t)),
            "{extractive_top:?}"
        );
        assert!(extractive_top.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn fisher_combination_matches_the_chi_square_distribution() {
        // With 2 degrees of freedom the tail is exp(-x/2); with 4, exp(-m)(1 + m).
        assert!((chi2q(4.0, 2) - (-2.0f64).exp()).abs() < 1e-12);
        assert!((chi2q(6.0, 4) - (-3.0f64).exp() * 4.0).abs() < 1e-12);
        assert_eq!(chi2q(0.0, 10), 1.0);
        assert_eq!(fisher(std::iter::empty()), 0.5);
        assert!((fisher([0.5, 0.5, 0.5].into_iter()) - 0.5).abs() < 1e-9);
        assert!(fisher([0.99; 10].into_iter()) > 0.99);
        assert!(fisher([0.01; 10].into_iter()) < 0.01);
        // Strong evidence both ways is uncertainty, not a verdict.
        assert!((fisher([0.99, 0.01, 0.99, 0.01].into_iter()) - 0.5).abs() < 0.01);
    }

    fn verdict(probability: f64) -> Verdict {
        Verdict {
            probability,
            top: vec![("your network".into(), 0.97), ("report".into(), 0.04), ("s:intro".into(), 0.93)],
        }
    }

    #[test]
    fn weight_is_zero_in_the_middle_and_bounded_outside() {
        let s = Settings::default();
        for p in [0.2, 0.5, 0.79, 0.8, 0.21] {
            assert_eq!(reason(&verdict(p), &s), None, "{p}");
        }
        let strong = reason(&verdict(1.0), &s).unwrap();
        assert_eq!((strong.rule.as_str(), strong.category.as_str(), strong.weight), (RULE, CATEGORY, 3.0));
        assert_eq!(strong.excerpt, "p=1.00; tokens: \"your network\" 0.97, \"s:intro\" 0.93");
        assert_eq!(reason(&verdict(0.9), &s).unwrap().weight, 1.5);
        let ham = reason(&verdict(0.0), &s).unwrap();
        assert_eq!(ham.weight, -3.0);
        assert!(ham.excerpt.contains("\"report\" 0.04") && !ham.excerpt.contains("your network"));
        assert_eq!(reason(&verdict(0.05), &s).unwrap().weight, -2.25);
        for p in [-1.0, 2.0, f64::NAN] {
            let w = reason(&verdict(p), &s).map_or(0.0, |r| r.weight);
            assert!(w.abs() <= s.max_weight, "{p}: {w}");
        }
        assert_eq!(reason(&verdict(1.0), &Settings { max_weight: 0.0, ..s }), None);
        assert_eq!(reason(&verdict(1.0), &Settings { max_weight: f64::NAN, ..s }), None);
    }

    fn rule(id: &str, category: &str, weight: f64) -> Reason {
        Reason { rule: id.into(), category: category.into(), weight, excerpt: "x".into() }
    }

    fn classification(reasons: Vec<Reason>) -> Classification {
        let score = round(reasons.iter().map(|r| r.weight).sum());
        let category = reasons.iter().find(|r| r.weight > 0.0 && !r.rule.contains(':')).map(|r| r.category.clone());
        Classification { score, category, reasons }
    }

    fn learned(weight: f64) -> Option<Reason> {
        Some(Reason { rule: RULE.into(), category: CATEGORY.into(), weight, excerpt: "p=0.99".into() })
    }

    fn sum(c: &Classification) -> f64 {
        round(c.reasons.iter().map(|r| r.weight).sum())
    }

    #[test]
    fn learned_weight_alone_never_carries_welcome_evidence_across_a_threshold() {
        // A student (welcome) asking for an intro: 7.5 - 3.5 = 4.0, kept by the rules.
        let mut c = classification(vec![rule("intro", "intro-request", 7.5), rule("student", "student", -3.5)]);
        let score = apply(&mut c, learned(3.0), 5.0, 8.0);
        assert_eq!(score, 4.9);
        assert_eq!(c.score, 4.9);
        assert_eq!(sum(&c), c.score, "the reasons add up to the score");
        let r = c.reasons.iter().find(|r| r.rule == RULE).unwrap();
        assert_eq!(r.weight, 0.9);
        assert!(r.excerpt.contains("clamped from +3 to +0.9") && r.excerpt.contains("student"), "{}", r.excerpt);
        assert_eq!(c.category.as_deref(), Some("intro-request"));

        // Already filed by the rules: it may not reach the decline threshold either.
        let mut c = classification(vec![rule("intro", "intro-request", 9.0), rule("introduced", "introduced", -3.0)]);
        assert_eq!(apply(&mut c, learned(3.0), 5.0, 8.0), 7.9);
        // Too close to the threshold to move at all.
        let mut c = classification(vec![rule("intro", "intro-request", 8.45), rule("student", "student", -3.5)]);
        assert_eq!(apply(&mut c, learned(2.0), 5.0, 8.0), 4.95);
        assert_eq!(c.reasons.iter().find(|r| r.rule == RULE).unwrap().weight, 0.0);
        // List headers and unsubscribe footers come with extractive blasts too: not
        // welcome evidence.
        let mut c = classification(vec![rule("harvest", "contact-harvest", 5.4), rule("list", "bulk", -0.5)]);
        assert_eq!(apply(&mut c, learned(3.0), 5.0, 8.0), 7.9);
        // Staying below the threshold is not clamped.
        let mut c = classification(vec![rule("intro", "intro-request", 4.5), rule("student", "student", -3.5)]);
        assert_eq!(apply(&mut c, learned(2.0), 5.0, 8.0), 3.0);
        assert!(!c.reasons.iter().any(|r| r.excerpt.contains("clamped")));
    }

    #[test]
    fn learned_weight_counts_fully_without_welcome_evidence() {
        let mut c =
            classification(vec![rule("intro", "intro-request", 4.0), rule("flattery", "network-flattery", 1.0)]);
        assert_eq!(apply(&mut c, learned(3.0), 5.0, 8.0), 8.0);
        assert_eq!(sum(&c), 8.0);
        // Caps, policy steps and an earlier learned reason are not welcome evidence.
        let mut c = classification(vec![
            rule("intro", "intro-request", 6.0),
            rule("cap:intro-request", "intro-request", -2.0),
            rule("policy:x", "policy", -0.5),
        ]);
        assert_eq!(apply(&mut c, learned(3.0), 5.0, 8.0), 6.5);
        // A negative learned weight is never clamped, and may keep a message.
        let mut c = classification(vec![rule("intro", "intro-request", 6.0), rule("student", "student", -0.5)]);
        assert_eq!(apply(&mut c, learned(-3.0), 5.0, 8.0), 2.5);
        assert_eq!(c.category.as_deref(), Some("intro-request"));
        // Nothing learned, nothing changed.
        let mut c = classification(vec![rule("intro", "intro-request", 6.0)]);
        let before = c.clone();
        assert_eq!(apply(&mut c, None, 5.0, 8.0), 6.0);
        assert_eq!(c, before);
    }

    #[test]
    fn apply_keeps_reasons_sorted_and_names_a_category_only_when_none() {
        let mut c = classification(vec![rule("flattery", "network-flattery", 2.0), rule("coffee", "meeting-ask", 0.5)]);
        apply(&mut c, learned(1.0), 5.0, 8.0);
        let order: Vec<&str> = c.reasons.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(order, ["flattery", RULE, "coffee"]);
        assert_eq!(c.category.as_deref(), Some("network-flattery"));

        let mut c = classification(vec![]);
        apply(&mut c, learned(2.0), 5.0, 8.0);
        assert_eq!((c.score, c.category.as_deref()), (2.0, Some(CATEGORY)));
        let mut c = classification(vec![]);
        apply(&mut c, learned(-2.0), 5.0, 8.0);
        assert_eq!((c.score, c.category.as_deref()), (-2.0, None));
    }
}
