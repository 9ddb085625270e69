//! Analyses the built-in rule regexes (`config/rules.toml`) at build time: splitting
//! them into branches, expanding the finite ones into phrases and finding the gates
//! of the rest is most of the start-up cost of the rule set, and its result is the
//! same on every run. `Classifier::new` looks each regex up in the result and
//! analyses only the ones a user added or changed.

#[allow(dead_code)]
#[path = "src/classify/pattern.rs"]
mod pattern;

use std::collections::BTreeMap;

fn main() {
    println!("cargo::rerun-if-changed=config/rules.toml");
    println!("cargo::rerun-if-changed=src/classify/pattern.rs");
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
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("plans.bin");
    std::fs::write(out, postcard::to_allocvec(&plans).unwrap()).expect("OUT_DIR is writable");
}
