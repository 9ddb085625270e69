//! The one multi-pattern automaton of a rule set: every phrase, regex prefix and
//! cover literal, found in one overlapping pass over a message.
//!
//! It is a double-array Aho-Corasick automaton (daachorse). Over these twenty
//! thousand patterns and the corpora's text it searched in about half the time of
//! aho-corasick's NFA, and it can be stored. So `build.rs` builds the automaton of
//! every built-in pattern, and start-up reads it instead of building it; building
//! was half of the start-up. A rule set whose patterns are all built in (the
//! built-in rules, with any of them disabled or reweighted) uses it, and still
//! searches for the patterns of the rules it does not use, dropping their matches:
//! cheaper than building a smaller automaton at every start. A user's own phrases
//! or regexes make a new one.

use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder, MatchKind};

/// The built-in automaton and its patterns, sorted; its values are indexes into them.
static BUILTIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/automaton.bin"));
static BUILTIN_PATTERNS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/automaton-patterns.bin"));

/// No pattern of the caller's: the built-in pattern of a rule that is not in use.
const UNUSED: u32 = u32::MAX;

pub struct Automaton {
    automaton: DoubleArrayAhoCorasick<u32>,
    /// The built-in automaton's values → the caller's pattern indexes; empty when the
    /// automaton was built from the caller's patterns, whose values are their indexes.
    ids: Vec<u32>,
}

impl Automaton {
    /// The automaton for `patterns` (distinct, non-empty), reporting matches by their
    /// index in it.
    pub fn new(patterns: &[String]) -> Result<Automaton, String> {
        if let Some(builtin) = Automaton::builtin(patterns) {
            return Ok(builtin);
        }
        let automaton = DoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .map_err(|e| e.to_string())?;
        Ok(Automaton { automaton, ids: Vec::new() })
    }

    /// The built-in automaton, if it has every one of `patterns`. Anything unusual
    /// (a pattern given twice, or stored data that does not read) builds a new
    /// automaton instead, which reports exactly what the caller gave it.
    fn builtin(patterns: &[String]) -> Option<Automaton> {
        let sorted: Vec<&str> = postcard::from_bytes(BUILTIN_PATTERNS).ok()?;
        let mut ids = vec![UNUSED; sorted.len()];
        for (index, pattern) in patterns.iter().enumerate() {
            let id = sorted.binary_search(&pattern.as_str()).ok()?;
            if ids[id] != UNUSED {
                return None;
            }
            ids[id] = u32::try_from(index).ok()?;
        }
        let (automaton, _) = DoubleArrayAhoCorasick::deserialize(BUILTIN).ok()?;
        Some(Automaton { automaton, ids })
    }

    /// Whether this is the stored automaton of the built-in patterns.
    #[cfg(test)]
    pub fn is_builtin(&self) -> bool {
        !self.ids.is_empty()
    }

    /// Calls `each(pattern, start, end)` for every occurrence of every pattern, in
    /// the order of their ends.
    pub fn find_overlapping(&self, haystack: &str, mut each: impl FnMut(usize, usize, usize)) {
        for m in self.automaton.find_overlapping_iter(haystack) {
            let value = m.value();
            let index =
                if self.ids.is_empty() { value } else { self.ids.get(value as usize).copied().unwrap_or(UNUSED) };
            if index != UNUSED {
                each(index as usize, m.start(), m.end());
            }
        }
    }

    /// The stored automaton and its pattern list, which only start-up reads: their
    /// pages can be dropped once a classifier is built.
    pub fn setup_only_data() -> [&'static [u8]; 2] {
        [BUILTIN, BUILTIN_PATTERNS]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(a: &Automaton, haystack: &str) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        a.find_overlapping(haystack, |p, s, e| out.push((p, s, e)));
        out.sort();
        out
    }

    #[test]
    fn a_users_patterns_get_their_own_automaton_with_their_indexes() {
        let patterns: Vec<String> = ["zzq your", "your network", "net"].map(String::from).to_vec();
        let a = Automaton::new(&patterns).unwrap();
        assert!(!a.is_builtin());
        assert_eq!(matches(&a, "zzq your network"), vec![(0, 0, 8), (1, 4, 16), (2, 9, 12)]);
    }

    #[test]
    fn built_in_patterns_use_the_stored_automaton_and_the_callers_indexes() {
        let sorted: Vec<&str> = postcard::from_bytes(BUILTIN_PATTERNS).unwrap();
        assert!(sorted.len() > 1000, "build.rs stores every built-in pattern");
        // Two built-in patterns, in the caller's order: the others are not reported.
        let (first, second) = (sorted[sorted.len() / 2].to_string(), sorted[sorted.len() / 3].to_string());
        let a = Automaton::new(&[first.clone(), second.clone()]).unwrap();
        assert!(a.is_builtin());
        let haystack = format!("{first} / {second}");
        let found = matches(&a, &haystack);
        assert!(found.contains(&(0, 0, first.len())), "{found:?}");
        let at = first.len() + 3;
        assert!(found.contains(&(1, at, at + second.len())), "{found:?}");
        assert!(found.iter().all(|&(p, _, _)| p < 2));
    }
}
