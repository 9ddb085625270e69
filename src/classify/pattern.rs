//! Turning rule regexes into something fast. Rule authors write regexes for
//! readability ("(introduce|connect) (me|us) (to|with)"); most of them describe a
//! finite set of phrases, which are then matched by the shared Aho-Corasick automaton
//! like any `phrases` list. The rest run only where one of their literal prefixes was
//! found, anchored there.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look, Repetition,
};
use serde::{Deserialize, Serialize};

/// A rule regex, parsed, its syntax tree kept for analysis and compilation.
pub struct Compiled {
    hir: Hir,
}

/// Parses a rule regex. Normalized text is ASCII but for the rare letter without a
/// Latin look-alike, so `\w`, `\s`, `\d` and `\b` are given their ASCII meaning: the
/// Unicode classes are huge and make every search slower for no gain.
pub fn compile(source: &str) -> Result<Compiled, String> {
    let hir = regex_syntax::Parser::new().parse(&ascii_classes(source)).map_err(|e| e.to_string())?;
    // A lazy DFA cannot decide a Unicode word boundary on non-ASCII text.
    if hir.properties().look_set().contains_word_unicode() {
        return Err("Unicode word boundaries (`\\<`, `\\>`, `\\b{start}`) are not supported: use `\\b`".into());
    }
    Ok(Compiled { hir })
}

impl Compiled {
    /// The whole regex, for the tests' naive evaluation.
    #[cfg(test)]
    pub fn regex(&self) -> regex_automata::meta::Regex {
        regex_automata::meta::Regex::builder().build_from_hir(&self.hir).unwrap()
    }

    /// The regex's top-level alternatives, each a regex of its own: the regex matches
    /// where one of them does. Rule regexes are long lists of ways to say one thing
    /// (`\b(?:A|B|C)\b`); split, each way can be expanded into phrases or gated on
    /// its own literals, where the whole would be gated on the union of all of them.
    pub fn branches(&self) -> Vec<Compiled> {
        let mut out = Vec::new();
        split(&self.hir, &mut out);
        out.into_iter().map(|hir| Compiled { hir }).collect()
    }
}

/// Flattens alternations, and distributes the assertions around one (`\b(?:A|B)\b`
/// becomes `\bA\b`, `\bB\b`). Anything else is left whole: an alternation between
/// literals is a choice of words within one way of saying something.
fn split(hir: &Hir, out: &mut Vec<Hir>) {
    match hir.kind() {
        HirKind::Alternation(alts) => alts.iter().for_each(|a| split(a, out)),
        HirKind::Capture(c) => split(&c.sub, out),
        HirKind::Concat(parts) => {
            let is_look = |h: &Hir| matches!(h.kind(), HirKind::Look(_));
            let alternation = |h: &Hir| match h.kind() {
                HirKind::Alternation(alts) => Some(alts.clone()),
                HirKind::Capture(c) => match c.sub.kind() {
                    HirKind::Alternation(alts) => Some(alts.clone()),
                    _ => None,
                },
                _ => None,
            };
            let alts: Vec<(usize, Vec<Hir>)> =
                parts.iter().enumerate().filter_map(|(i, p)| alternation(p).map(|a| (i, a))).collect();
            match alts.as_slice() {
                [(k, alts)] if parts.iter().enumerate().all(|(i, p)| i == *k || is_look(p)) => {
                    for alt in alts {
                        let mut whole = parts[..*k].to_vec();
                        whole.push(alt.clone());
                        whole.extend_from_slice(&parts[k + 1..]);
                        split(&Hir::concat(whole), out);
                    }
                }
                _ => out.push(hir.clone()),
            }
        }
        _ => out.push(hir.clone()),
    }
}

/// What a rule regex becomes. Computed by `build.rs` for the built-in rules and at
/// start-up for the user's: the analysis costs more than compiling the result.
/// (Stored with one-letter field names: the daemon keeps the pages it read.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// What the finite branches (or the whole regex, when finite) stand for: phrases
    /// for the shared automaton.
    #[serde(rename = "f")]
    pub phrases: Vec<Phrase>,
    /// The rest, each run as a regex behind its gates.
    #[serde(rename = "b")]
    pub branches: Vec<Branch>,
}

/// A branch left as a regex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// The branch's syntax tree, as `Tree` in postcard's compact binary form:
    /// compiled when first needed. (Not
    /// regex source: parsing it again cost more than compiling it.)
    #[serde(rename = "t")]
    pub syntax: Vec<u8>,
    /// Every match starts with one of these: the branch runs anchored where one
    /// occurs. Empty: it runs over the whole region.
    #[serde(rename = "p")]
    pub prefixes: Vec<String>,
    /// Every match contains one of these (a `cover`, or else the suffixes): the
    /// branch need not run where none occurs. Empty when there is no such set.
    #[serde(rename = "c")]
    pub cover: Vec<String>,
}

/// Analyses a rule regex: splits it into branches, expands the finite ones, and
/// finds the gates of the others.
pub fn plan(source: &str) -> Result<Plan, String> {
    let compiled = compile(source)?;
    // A branch that stands for thousands of phrases costs more start-up and
    // automaton memory than it saves as a gated regex.
    if let Some(phrases) = expand(&compiled, MAX_REGEX_PHRASES) {
        return Ok(Plan { phrases, branches: Vec::new() });
    }
    let mut plan = Plan::default();
    for branch in compiled.branches() {
        if let Some(phrases) = expand(&branch, MAX_BRANCH_PHRASES) {
            plan.phrases.extend(phrases);
            continue;
        }
        let gates = gates(&branch);
        let mut cover = cover(&branch, &gates.prefixes);
        if cover.is_empty() {
            // Suffixes are a cover too (computed only without prefixes).
            cover = gates.suffixes;
        }
        let syntax = postcard::to_allocvec(&Tree::from(&branch.hir)).expect("a tree serializes");
        plan.branches.push(Branch { syntax, prefixes: gates.prefixes, cover });
    }
    Ok(plan)
}

/// The most phrases a finite regex, or a branch of an infinite one, is expanded into.
const MAX_REGEX_PHRASES: usize = 128;
const MAX_BRANCH_PHRASES: usize = 16;

/// A regex syntax tree that serde can store (`Hir` cannot be): the built-in branches
/// are stored this way by build.rs and rebuilt with `Hir`'s constructors, which is
/// a fraction of the cost of parsing regex source. Variant names are short because
/// there are tens of thousands of nodes. Capture groups are left out: rules need
/// only where a match is.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tree {
    #[serde(rename = "e")]
    Empty,
    #[serde(rename = "l")]
    Literal(String),
    #[serde(rename = "y")]
    Bytes(Vec<u8>),
    /// Ranges of characters, as code points.
    #[serde(rename = "c")]
    Chars(Vec<(u32, u32)>),
    #[serde(rename = "b")]
    ByteRanges(Vec<(u8, u8)>),
    /// `Look::as_repr`.
    #[serde(rename = "k")]
    Look(u32),
    /// min, max, greedy, what repeats.
    #[serde(rename = "r")]
    Repeat(u32, Option<u32>, bool, Box<Tree>),
    #[serde(rename = "s")]
    Concat(Vec<Tree>),
    #[serde(rename = "a")]
    Alternation(Vec<Tree>),
}

impl From<&Hir> for Tree {
    fn from(hir: &Hir) -> Tree {
        match hir.kind() {
            HirKind::Empty => Tree::Empty,
            HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
                Ok(text) => Tree::Literal(text.to_string()),
                Err(_) => Tree::Bytes(lit.0.to_vec()),
            },
            HirKind::Class(Class::Unicode(c)) => {
                Tree::Chars(c.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end()))).collect())
            }
            HirKind::Class(Class::Bytes(c)) => {
                Tree::ByteRanges(c.ranges().iter().map(|r| (r.start(), r.end())).collect())
            }
            HirKind::Look(look) => Tree::Look(look.as_repr()),
            HirKind::Repetition(r) => Tree::Repeat(r.min, r.max, r.greedy, Box::new(Tree::from(&*r.sub))),
            HirKind::Capture(c) => Tree::from(&*c.sub),
            HirKind::Concat(parts) => Tree::Concat(parts.iter().map(Tree::from).collect()),
            HirKind::Alternation(alts) => Tree::Alternation(alts.iter().map(Tree::from).collect()),
        }
    }
}

impl Tree {
    /// The syntax tree again; `None` for a tree no `Hir` produced.
    pub fn to_hir(&self) -> Option<Hir> {
        let char_range = |&(a, b): &(u32, u32)| Some(ClassUnicodeRange::new(char::from_u32(a)?, char::from_u32(b)?));
        Some(match self {
            Tree::Empty => Hir::empty(),
            Tree::Literal(text) => Hir::literal(text.as_bytes()),
            Tree::Bytes(bytes) => Hir::literal(bytes.as_slice()),
            Tree::Chars(ranges) => {
                let ranges: Option<Vec<_>> = ranges.iter().map(char_range).collect();
                Hir::class(Class::Unicode(ClassUnicode::new(ranges?)))
            }
            Tree::ByteRanges(ranges) => {
                Hir::class(Class::Bytes(ClassBytes::new(ranges.iter().map(|&(a, b)| ClassBytesRange::new(a, b)))))
            }
            Tree::Look(repr) => Hir::look(Look::from_repr(*repr)?),
            Tree::Repeat(min, max, greedy, sub) => {
                if max.is_some_and(|max| max < *min) {
                    return None;
                }
                Hir::repetition(Repetition { min: *min, max: *max, greedy: *greedy, sub: Box::new(sub.to_hir()?) })
            }
            Tree::Concat(parts) => Hir::concat(parts.iter().map(Tree::to_hir).collect::<Option<_>>()?),
            Tree::Alternation(alts) => Hir::alternation(alts.iter().map(Tree::to_hir).collect::<Option<_>>()?),
        })
    }
}

/// A phrase the regex stands for, with the word boundaries the regex demands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phrase {
    #[serde(rename = "t")]
    pub text: String,
    #[serde(rename = "s")]
    pub word_start: bool,
    #[serde(rename = "e")]
    pub word_end: bool,
}

/// The phrases a regex is equivalent to, when its language is finite and at most
/// `max` strings, and its only assertions are `\b` at the very start or end of a phrase.
pub fn expand(compiled: &Compiled, max: usize) -> Option<Vec<Phrase>> {
    let mut out = Vec::new();
    for piece in expand_hir(&compiled.hir, max)? {
        if piece.inner_boundary {
            return None;
        }
        let (lead, trail) = (piece.lead, piece.trail && piece.tokens > 1);
        let text = String::from_utf8(piece.bytes).ok()?;
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        // `\b` next to a non-word character means something else entirely (a word
        // character must be adjacent); leave such regexes to the regex engine.
        if text.is_empty() || (lead && !word(text.chars().next())) || (trail && !word(text.chars().next_back())) {
            return None;
        }
        out.push(Phrase { text, word_start: lead, word_end: trail });
    }
    Some(out)
}

/// One string of a regex's language: its bytes and where its `\b` assertions are.
/// (A flat byte string rather than a token list: expansion builds thousands of
/// these, and start-up pays for every allocation.)
#[derive(Debug, Clone, Default)]
struct Piece {
    bytes: Vec<u8>,
    /// Literals and assertions it was built from.
    tokens: usize,
    /// It starts / ends with `\b`.
    lead: bool,
    trail: bool,
    /// A `\b` somewhere else, which a phrase cannot express.
    inner_boundary: bool,
}

impl Piece {
    fn literal(bytes: Vec<u8>) -> Piece {
        Piece { bytes, tokens: 1, ..Piece::default() }
    }

    fn then(&self, next: &Piece) -> Piece {
        if self.tokens == 0 {
            return next.clone();
        }
        if next.tokens == 0 {
            return self.clone();
        }
        let mut bytes = Vec::with_capacity(self.bytes.len() + next.bytes.len());
        bytes.extend_from_slice(&self.bytes);
        bytes.extend_from_slice(&next.bytes);
        Piece {
            bytes,
            tokens: self.tokens + next.tokens,
            lead: self.lead,
            trail: next.trail,
            // A boundary that ended `self` or began `next` is now in the middle,
            // unless it was the whole of that side.
            inner_boundary: self.inner_boundary
                || next.inner_boundary
                || (self.trail && self.tokens > 1)
                || (next.lead && next.tokens > 1)
                || (self.trail && next.lead),
        }
    }
}

/// Every string the regex matches; `None` when the language is infinite, has large
/// classes or grows past `max` strings.
fn expand_hir(hir: &Hir, max: usize) -> Option<Vec<Piece>> {
    let out = match hir.kind() {
        HirKind::Empty => vec![Piece::default()],
        HirKind::Literal(lit) => vec![Piece::literal(lit.0.to_vec())],
        HirKind::Look(Look::WordAscii | Look::WordUnicode) => {
            vec![Piece { tokens: 1, lead: true, trail: true, ..Piece::default() }]
        }
        HirKind::Look(_) => return None,
        HirKind::Class(class) => {
            let chars: Vec<Vec<u8>> = match class {
                regex_syntax::hir::Class::Unicode(c) => {
                    let n: u32 = c.ranges().iter().map(|r| r.end() as u32 - r.start() as u32 + 1).sum();
                    if n > 4 {
                        return None;
                    }
                    c.iter().flat_map(|r| r.start()..=r.end()).map(|c| c.to_string().into_bytes()).collect()
                }
                regex_syntax::hir::Class::Bytes(c) => {
                    let n: u32 = c.ranges().iter().map(|r| u32::from(r.end() - r.start()) + 1).sum();
                    if n > 4 {
                        return None;
                    }
                    c.iter().flat_map(|r| r.start()..=r.end()).map(|b| (b as char).to_string().into_bytes()).collect()
                }
            };
            chars.into_iter().map(Piece::literal).collect()
        }
        HirKind::Capture(c) => expand_hir(&c.sub, max)?,
        HirKind::Repetition(r) => {
            let times = r.max.filter(|&m| m <= 4)?;
            let sub = expand_hir(&r.sub, max)?;
            let mut all = Vec::new();
            let mut power = vec![Piece::default()];
            for k in 0..=times {
                if k >= r.min {
                    all.extend(power.iter().cloned());
                }
                power = cross(&power, &sub, max)?;
            }
            all
        }
        HirKind::Concat(parts) => {
            let mut acc = vec![Piece::default()];
            for part in parts {
                acc = cross(&acc, &expand_hir(part, max)?, max)?;
            }
            acc
        }
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(expand_hir(alt, max)?);
                if all.len() > max {
                    return None;
                }
            }
            all
        }
    };
    Some(out)
}

fn cross(a: &[Piece], b: &[Piece], max: usize) -> Option<Vec<Piece>> {
    if a.len().saturating_mul(b.len()) > max {
        return None;
    }
    Some(a.iter().flat_map(|x| b.iter().map(move |y| x.then(y))).collect())
}

/// How a regex is kept off messages it cannot match.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gates {
    /// Every match starts with one of these: the regex runs anchored where one occurs.
    /// Empty when no usable set exists; the regex then runs on the whole region.
    pub prefixes: Vec<String>,
    /// Every match ends with one of these: a region without any is skipped. Empty when
    /// no usable set exists, and not computed when there are prefixes: suffix literals
    /// are common words that kept about 1 % of anchored searches from running, for
    /// more than it saved in start-up and automaton size.
    pub suffixes: Vec<String>,
}

/// The prefix and suffix literal sets of a regex, each kept only when all its
/// literals are worth looking for (not empty, not a lone letter or space).
pub fn gates(compiled: &Compiled) -> Gates {
    let extract = |prefix: bool| -> Vec<String> {
        let mut extractor = Extractor::new();
        let kind = if prefix { ExtractKind::Prefix } else { ExtractKind::Suffix };
        extractor.kind(kind).limit_total(300).limit_class(10).limit_repeat(3);
        let mut seq = extractor.extract(&compiled.hir);
        if prefix {
            // Not `optimize_for_prefix_by_preference`: that shortens literals to a
            // few bytes for a prefilter's sake ("your", "some"), and every place
            // such a stub occurs costs an anchored search. Twelve bytes are about
            // as selective as the whole literal, and cutting there merges the long
            // tails of cross products ("names, direct lines and e-mails") that
            // otherwise cost the automaton 6 MB.
            seq.keep_first_bytes(PREFIX_BYTES);
            seq.dedup();
            seq.minimize_by_preference();
        } else {
            seq.optimize_for_suffix_by_preference();
        }
        let Some(literals) = seq.literals() else { return Vec::new() };
        let mut out = Vec::with_capacity(literals.len());
        for literal in literals {
            // An empty literal matches everywhere, a single letter or space nearly
            // so; a digit or a quote is rare enough to be worth it.
            match literal.as_bytes() {
                [] => return Vec::new(),
                [b] if b.is_ascii_alphabetic() || b.is_ascii_whitespace() => return Vec::new(),
                bytes => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => out.push(text),
                    Err(_) => return Vec::new(),
                },
            }
        }
        out
    };
    let prefixes = extract(true);
    let suffixes = if prefixes.is_empty() { extract(false) } else { Vec::new() };
    Gates { prefixes, suffixes }
}

/// How long a prefix gate may be (see `gates`).
const PREFIX_BYTES: usize = 12;

/// Literals of which every match contains at least one, chosen to be rarer than the
/// regex's `prefixes`: a regex anchored at "your " need not run where none of
/// "clients", "customers" follows. Empty when no set is rarer than the prefixes.
pub fn cover(compiled: &Compiled, prefixes: &[String]) -> Vec<String> {
    let baseline = rarity(prefixes);
    if baseline >= GOOD_RARITY {
        return Vec::new();
    }
    // Every match of a concatenation contains a match of each of its parts, so the
    // literals every match of one part starts with are a cover. (Crossing each part
    // with the next into longer literals was tried: a sixth fewer searches ran, for
    // 130 ms more start-up.)
    let mut hir = &compiled.hir;
    while let HirKind::Capture(c) = hir.kind() {
        hir = &c.sub;
    }
    let HirKind::Concat(parts) = hir.kind() else { return Vec::new() };
    let mut extractor = Extractor::new();
    extractor.limit_total(100).limit_class(10).limit_repeat(3).limit_literal_len(COVER_BYTES);
    let candidates = parts.iter().skip(1).filter_map(|part| {
        let seq = extractor.extract(part);
        seq.literals()?.iter().map(|l| String::from_utf8(l.as_bytes().to_vec()).ok()).collect::<Option<Vec<_>>>()
    });
    candidates
        .into_iter()
        .filter(|c| rarity(c) > baseline && rarity(c) >= MIN_RARITY)
        .max_by_key(|c| (rarity(c), std::cmp::Reverse(c.len())))
        .unwrap_or_default()
}

/// How long cover literals are extracted: long enough to reach the rare word of
/// "who are your clients".
const COVER_BYTES: usize = 24;

/// Covers worth their automaton patterns have, in every literal, an uncommon word
/// (or fragment) of at least this many letters; prefixes with a word of
/// `GOOD_RARITY` letters are rare enough not to need one.
const MIN_RARITY: usize = 3;
const GOOD_RARITY: usize = 5;

/// How rare a set of literals is likely to be in ordinary mail: the length of the
/// longest uncommon word of its most common literal. Words cut short by extraction
/// count as the fragment they are.
fn rarity(literals: &[String]) -> usize {
    literals.iter().map(|l| rarest_word(l).len()).min().unwrap_or(0)
}

/// The longest word of `literal` that is not among the commonest (empty if none).
fn rarest_word(literal: &str) -> &str {
    literal
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .filter(|w| COMMON_WORDS.binary_search(w).is_err())
        .max_by_key(|w| w.len())
        .unwrap_or("")
}

/// Words in nearly every message, whatever their length. Sorted, for `binary_search`.
const COMMON_WORDS: &[&str] = &[
    "able",
    "about",
    "after",
    "again",
    "all",
    "also",
    "always",
    "and",
    "another",
    "any",
    "anyone",
    "are",
    "back",
    "because",
    "been",
    "before",
    "being",
    "between",
    "business",
    "but",
    "can",
    "come",
    "company",
    "could",
    "did",
    "does",
    "don't",
    "each",
    "email",
    "emails",
    "even",
    "every",
    "everyone",
    "first",
    "for",
    "from",
    "get",
    "getting",
    "going",
    "good",
    "great",
    "had",
    "has",
    "have",
    "having",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "information",
    "into",
    "it's",
    "its",
    "just",
    "know",
    "let",
    "let's",
    "like",
    "little",
    "looking",
    "make",
    "making",
    "many",
    "may",
    "maybe",
    "message",
    "might",
    "more",
    "most",
    "much",
    "need",
    "never",
    "new",
    "not",
    "now",
    "one",
    "only",
    "other",
    "our",
    "out",
    "over",
    "people",
    "please",
    "pleased",
    "really",
    "right",
    "see",
    "she",
    "should",
    "since",
    "some",
    "someone",
    "something",
    "still",
    "such",
    "take",
    "than",
    "thanks",
    "that",
    "that's",
    "the",
    "their",
    "them",
    "then",
    "there",
    "there's",
    "these",
    "they",
    "they're",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "though",
    "through",
    "time",
    "today",
    "under",
    "very",
    "want",
    "was",
    "way",
    "we'd",
    "we'll",
    "we're",
    "we've",
    "well",
    "were",
    "what",
    "what's",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "will",
    "with",
    "within",
    "without",
    "work",
    "working",
    "would",
    "years",
    "you",
    "you'd",
    "you'll",
    "you're",
    "you've",
    "your",
];

fn ascii_classes(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\x0B\\x0C\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\x0B\\x0C\\r ]"),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(source: &str) -> Option<Vec<String>> {
        expand(&compile(source).unwrap(), 5000).map(|v| v.into_iter().map(|p| p.text).collect())
    }

    #[test]
    fn finite_regexes_become_phrases() {
        let mut got = phrases(r"\b(?:introduce|connect) (?:me|us) (?:to|with)\b").unwrap();
        got.sort();
        assert_eq!(got.len(), 8);
        assert_eq!(got[0], "connect me to");
        assert_eq!(phrases(r"\bclients?\b|\bcustomer list\b").unwrap(), ["client", "clients", "customer list"]);
    }

    #[test]
    fn boundaries_are_kept_as_word_checks() {
        let p = expand(&compile(r"\bnet ?work").unwrap(), 5000).unwrap();
        assert!(p.iter().all(|p| p.word_start && !p.word_end));
    }

    #[test]
    fn infinite_or_inner_assertions_stay_regexes() {
        assert!(phrases(r"\byour (?:\w+ )?network\b").is_none());
        assert!(phrases(r"network\b.{0,40}\bincome").is_none());
        assert!(phrases(r"\b[a-z]+ing\b").is_none());
        // `\b` before a non-word character is not a phrase boundary.
        assert!(phrases(r"\b 15 minutes").is_none());
    }

    #[test]
    fn gates_are_prefix_and_suffix_literals() {
        let g = gates(&compile(r"\byour (?:\w+ )?network\b").unwrap());
        assert_eq!(g.prefixes, ["your "]);
        assert!(g.suffixes.is_empty(), "suffixes only stand in for missing prefixes");
        let g = gates(&compile(r"\w+ing (?:\w+ )?network\b").unwrap());
        assert_eq!(g.suffixes, [" network"]);
        assert_eq!(gates(&compile(r"\w+ing \w+").unwrap()), Gates::default());
    }

    #[test]
    fn prefix_gates_keep_their_length() {
        // Shortened to a prefilter's taste these would both be "your", which occurs
        // in nearly every message.
        let g = gates(&compile(r"\b(?:your clients|your customers) (?:\w+ )?(?:would|might)\b").unwrap());
        assert_eq!(g.prefixes, ["your clients", "your custome"]);
    }

    #[test]
    fn common_words_are_sorted_for_binary_search() {
        assert!(COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    fn branch_sources(source: &str) -> Vec<String> {
        compile(source).unwrap().branches().iter().map(|b| b.hir.to_string()).collect()
    }

    #[test]
    fn branches_split_top_level_alternations_and_keep_the_boundaries() {
        let got = branch_sources(r"\b(?:our (?:\w+ )?product|we help \w+)\b|\bsweet spot\b");
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|b| b.contains(r"\b")), "{got:?}");
        // A choice of words inside one way of saying it stays whole.
        assert_eq!(branch_sources(r"\b(?:our|my) (?:\w+ )?pipeline\b").len(), 1);
    }

    #[test]
    fn covers_are_rarer_than_the_prefixes() {
        let c = compile(r"\byour (?:[\w'-]+ )?(?:clients|customers) (?:would|might)\b").unwrap();
        assert_eq!(cover(&c, &gates(&c).prefixes), ["clients", "customers"]);
        // Digits are everywhere; "min" is not.
        let c = compile(r"\b\d{1,3} ?(?:min|minutes) of your time").unwrap();
        assert_eq!(gates(&c).prefixes.len(), 10);
        assert!(cover(&c, &gates(&c).prefixes).iter().any(|l| l.starts_with("min")));
        // A prefix with a rare word needs no cover, and common words are no cover.
        let c = compile(r"\breferral (?:[\w'-]+ )?(?:fee|bonus)").unwrap();
        assert!(cover(&c, &gates(&c).prefixes).is_empty());
        let c = compile(r"\bwe (?:[\w'-]+ )?(?:would|could) (?:help|work)").unwrap();
        assert!(cover(&c, &gates(&c).prefixes).is_empty());
    }

    #[test]
    fn trees_rebuild_the_syntax_they_were_made_from() {
        // Capture groups are dropped on the way (rules need only the match), so
        // this regex has none.
        let hir = compile(r"\b(?:intro|connect)\w* (?:[\w'-]+ ){0,3}[^.?!]{0,9}\d+\b").unwrap().hir;
        let bytes = postcard::to_allocvec(&Tree::from(&hir)).unwrap();
        let tree: Tree = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(tree.to_hir(), Some(hir));
        // A stored tree that no regex could produce is refused, not trusted.
        assert_eq!(Tree::Look(3).to_hir(), None);
        assert_eq!(Tree::Repeat(3, Some(1), true, Box::new(Tree::Empty)).to_hir(), None);
    }

    #[test]
    fn unicode_word_boundaries_are_refused_with_the_reason() {
        // `\b` is always made ASCII; the word-start form is not.
        let err = compile(r"\<network").err().unwrap();
        assert!(err.contains("Unicode word boundaries"), "{err}");
        assert!(compile(r"\bnetwork\b").is_ok());
    }

    #[test]
    fn ascii_classes_rewrite_escapes_only() {
        assert_eq!(ascii_classes(r"\w\\w\."), r"[0-9A-Za-z_]\\w\.");
        assert!(compile(r"[^.?!]{0,40}\bincome").is_ok());
    }
}
