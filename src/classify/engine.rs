//! Running a rule regex's branches: anchored at their prefixes, or over a region.

use super::pattern::Tree;
use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;
use std::ops::Range;

/// How a gated regex runs.
pub enum Engine {
    /// Anchored at one of its prefixes: only the end of the match is unknown, so a
    /// forward lazy DFA is enough. No reverse automaton and no dispatch, which are most
    /// of the memory and of the cost of a short search.
    Forward(Box<DFA>),
    /// Without prefixes: the full regex finds both ends.
    Full(Regex),
}

/// The mutable search state of an `Engine`. One per regex, held in a vector: the
/// common forward variant stays inline rather than behind a pointer on every search.
#[allow(clippy::large_enum_variant)]
pub enum EngineCache {
    Forward(dfa::Cache),
    Full(Box<meta::Cache>),
}

impl EngineCache {
    pub fn memory_usage(&self) -> usize {
        match self {
            EngineCache::Forward(c) => c.memory_usage(),
            EngineCache::Full(c) => c.memory_usage(),
        }
    }
}

impl Engine {
    /// The engine for the regex matching where any of `branches` (the `syntax` of
    /// `pattern::Branch`es) does.
    pub fn new(branches: &[&[u8]], anchored: bool) -> Result<Engine, String> {
        let trees: Result<Vec<Hir>, String> = branches
            .iter()
            .map(|b| {
                let tree: Tree = postcard::from_bytes(b).map_err(|e| e.to_string())?;
                tree.to_hir().ok_or_else(|| "the stored syntax tree is not valid".to_string())
            })
            .collect();
        let hir = Hir::alternation(trees?);
        if anchored {
            let nfa = thompson::Compiler::new()
                .configure(thompson::Config::new().which_captures(WhichCaptures::None))
                .build_from_hir(&hir)
                .map_err(|e| e.to_string())?;
            DFA::builder().build_from_nfa(nfa).map(|dfa| Engine::Forward(Box::new(dfa))).map_err(|e| e.to_string())
        } else {
            // Rules only need the match span: skip the engines for capture groups.
            let config = meta::Config::new().onepass(false).backtrack(false);
            Regex::builder().configure(config).build_from_hir(&hir).map(Engine::Full).map_err(|e| e.to_string())
        }
    }

    pub fn cache(&self) -> EngineCache {
        match self {
            Engine::Forward(dfa) => EngineCache::Forward(dfa.create_cache()),
            Engine::Full(regex) => EngineCache::Full(Box::new(regex.create_cache())),
        }
    }

    /// The first match in `span`; an anchored engine's match starts at `span.start`.
    pub fn find(&self, cache: &mut EngineCache, haystack: &str, span: Range<usize>) -> Option<Range<usize>> {
        match (self, cache) {
            (Engine::Forward(dfa), EngineCache::Forward(cache)) => {
                let input = Input::new(haystack).span(span.clone()).anchored(Anchored::Yes);
                // The DFA gives up only on a Unicode word boundary, which `pattern::compile`
                // refuses, or after thrashing its cache, which it is never told to do.
                dfa.try_search_fwd(cache, &input).ok().flatten().map(|m| span.start..m.offset())
            }
            (Engine::Full(regex), EngineCache::Full(cache)) => {
                regex.search_with(cache, &Input::new(haystack).span(span)).map(|m| m.range())
            }
            _ => None,
        }
    }
}
