//! Analyses the built-in rule regexes (`config/rules.toml`) at build time: splitting
//! them into branches, expanding the finite ones into phrases and finding the gates
//! of the rest is most of the start-up cost of the rule set, and its result is the
//! same on every run. `Classifier::new` looks each regex up in the result and
//! analyses only the ones a user added or changed. It also compiles the learning
//! seed (`config/seed-model.tsv`) into the table `learn::Seed` reads in place.

#[allow(dead_code)]
#[path = "src/classify/pattern.rs"]
mod pattern;

#[allow(dead_code)]
#[path = "src/learn/seed.rs"]
mod seed;

#[allow(dead_code)]
#[path = "src/message/normalize.rs"]
mod normalize;

use std::collections::{BTreeMap, BTreeSet};

fn main() {
    println!("cargo::rerun-if-changed=config/rules.toml");
    println!("cargo::rerun-if-changed=src/classify/pattern.rs");
    println!("cargo::rerun-if-changed=config/seed-model.tsv");
    println!("cargo::rerun-if-changed=src/learn/seed.rs");
    println!("cargo::rerun-if-changed=src/message/normalize.rs");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // The learning seed as the sorted table `learn::Seed` reads in place.
    let seed_text = std::fs::read_to_string("config/seed-model.tsv").expect("config/seed-model.tsv is readable");
    let table = seed::compile(&seed_text).unwrap_or_else(|e| panic!("config/seed-model.tsv: {e}"));
    std::fs::write(out_dir.join("seed.bin"), table).expect("OUT_DIR is writable");

    let rules: toml::Table = std::fs::read_to_string("config/rules.toml")
        .expect("config/rules.toml is readable")
        .parse()
        .expect("config/rules.toml is valid TOML");
    let mut plans = BTreeMap::new();
    // Every pattern `Classifier::new` gives the automaton for the built-in rules, as it
    // gives them: normalized phrases, and the phrases, prefixes and covers of the plans.
    let mut patterns = BTreeSet::new();
    for rule in rules["rules"].as_array().into_iter().flatten() {
        let phrases = rule.get("phrases").and_then(|p| p.as_array()).into_iter().flatten();
        // An empty phrase is an error `Classifier::new` reports; it is no pattern.
        patterns.extend(phrases.filter_map(|p| p.as_str()).map(normalize::normalize).filter(|p| !p.is_empty()));
        // A broken built-in regex is reported by `Classifier::new` (and its tests),
        // which analyses whatever has no plan here.
        // A list of alternatives is joined as `RuleSpec` joins it.
        let source = match rule.get("regex") {
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(toml::Value::Array(alternatives)) => {
                let parts: Option<Vec<&str>> = alternatives.iter().map(|a| a.as_str()).collect();
                parts.map(|p| p.join("|"))
            }
            _ => None,
        };
        if let Some(source) = source.as_deref()
            && let Ok(plan) = pattern::plan(source)
        {
            patterns.extend(plan.phrases.iter().map(|p| p.text.clone()));
            for branch in &plan.branches {
                patterns.extend(branch.prefixes.iter().chain(&branch.cover).cloned());
            }
            assert!(!patterns.contains(""), "the plan of {source:?} has an empty literal");
            plans.insert(source.to_string(), plan);
        }
    }
    let patterns: Vec<String> = patterns.into_iter().collect();
    let automaton = daachorse::DoubleArrayAhoCorasickBuilder::new()
        .match_kind(daachorse::MatchKind::Standard)
        .build::<_, _, u32>(&patterns)
        .expect("the built-in patterns make an automaton");
    std::fs::write(out_dir.join("automaton.bin"), automaton.serialize()).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join("automaton-patterns.bin"), postcard::to_allocvec(&patterns).unwrap())
        .expect("OUT_DIR is writable");
    // The same literals one per line, for `benches/score.py` to give grep (which
    // cannot take the few that hold a line break).
    let lines: Vec<&str> = patterns.iter().map(String::as_str).filter(|p| !p.contains('\n')).collect();
    std::fs::write(out_dir.join("automaton-patterns.txt"), lines.join("\n") + "\n").expect("OUT_DIR is writable");
    // postcard, not JSON: a third of the size, which the daemon keeps resident as
    // pages of its binary, and several times faster to read at start-up.
    std::fs::write(out_dir.join("plans.bin"), postcard::to_allocvec(&plans).unwrap()).expect("OUT_DIR is writable");
}
