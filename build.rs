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

use std::collections::BTreeMap;

fn main() {
    println!("cargo::rerun-if-changed=config/rules.toml");
    println!("cargo::rerun-if-changed=src/classify/pattern.rs");
    println!("cargo::rerun-if-changed=config/seed-model.tsv");
    println!("cargo::rerun-if-changed=src/learn/seed.rs");
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
    let regexes = rules["rules"].as_array().into_iter().flatten().filter_map(|r| r.get("regex")?.as_str());
    for source in regexes {
        // A broken built-in regex is reported by `Classifier::new` (and its tests),
        // which analyses whatever has no plan here.
        if let Ok(plan) = pattern::plan(source) {
            plans.insert(source.to_string(), plan);
        }
    }
    // postcard, not JSON: a third of the size, which the daemon keeps resident as
    // pages of its binary, and several times faster to read at start-up.
    std::fs::write(out_dir.join("plans.bin"), postcard::to_allocvec(&plans).unwrap()).expect("OUT_DIR is writable");
}
