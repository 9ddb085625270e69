//! The built-in seed model (`config/seed-model.tsv`) is exactly what the labeled mail
//! in this repository teaches: regenerated here from `tests/training*` and
//! `tests/validation` and compared. `tests/heldout` is never trained on (it measures),
//! and neither is the shared dev corpus, so both stay honest checks of the seed.
//!
//! After changing a labeled set or the tokenizer:
//! `UPDATE_SEED=1 cargo test --release --test seed` rewrites the file.

use screener::learn::{self, Label, Model, Seed};
use screener::message::{self, Limits};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The labeled sets the seed learns from, in a fixed order.
fn training_sets() -> Vec<PathBuf> {
    let mut numbered: Vec<(u32, PathBuf)> = std::fs::read_dir(repo().join("tests"))
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let n = path.file_name()?.to_str()?.strip_prefix("training")?.parse().ok()?;
            Some((n, path))
        })
        .collect();
    numbered.sort();
    let mut sets: Vec<PathBuf> = numbered.into_iter().map(|(_, p)| p).collect();
    sets.push(repo().join("tests/validation"));
    sets
}

fn train(model: &mut Model, dir: &Path) -> usize {
    let labels = std::fs::read_to_string(dir.join("labels.tsv")).unwrap();
    let mut n = 0;
    for line in labels.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let raw = std::fs::read(dir.join(cols[0])).unwrap();
        let msg = message::parse(&raw, Limits::default(), None)
            .unwrap_or_else(|e| panic!("{}/{}: {e}", dir.display(), cols[0]));
        let label = match cols[1] {
            "extractive" => Label::Extractive,
            "welcome" | "legit" => Label::Ham,
            other => panic!("{}: unknown label {other:?}", dir.display()),
        };
        model.train(&learn::tokens(&msg), label);
        n += 1;
    }
    n
}

#[test]
fn the_shipped_seed_is_what_the_labeled_sets_teach() {
    let sets = training_sets();
    assert!(sets.len() >= 345, "expected training3..348 and validation, found {}", sets.len());
    let mut model = Model::default();
    let messages: usize = sets.iter().map(|dir| train(&mut model, dir)).sum();
    let (e, h) = model.docs();
    assert_eq!(messages, (e + h) as usize);
    let header = format!(
        "screener's built-in seed for learning (learning.seed): how often each token occurred in\n\
         the {e} extractive and {h} welcome or legit messages of tests/training* and tests/validation.\n\
         Generated, not edited: UPDATE_SEED=1 cargo test --release --test seed\n\
         Columns: token, extractive messages, welcome or legit messages. `s:` marks a subject word."
    );
    let rendered = learn::render_seed(&model, &header);
    let path = repo().join("config/seed-model.tsv");
    if std::env::var_os("UPDATE_SEED").is_some() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap();
    assert!(
        shipped == rendered,
        "config/seed-model.tsv is not what the labeled sets teach; regenerate it with \
         UPDATE_SEED=1 cargo test --release --test seed"
    );
    if std::env::var_os("UPDATE_SEED").is_some() {
        // The binary under test still carries the old file.
        eprintln!("config/seed-model.tsv rewritten: run the test again without UPDATE_SEED to check the build");
        return;
    }
    // What the binary carries is that file, compiled by build.rs: every token of the
    // file has its counts there, and nothing else is.
    let builtin = Seed::builtin();
    assert_eq!(builtin, Seed::parse(&shipped).unwrap());
    assert_eq!(builtin.docs(), (e, h));
    let mut tokens = 0;
    for line in shipped.lines().filter(|l| !l.starts_with('#') && !l.starts_with("=docs")) {
        let cols: Vec<&str> = line.split('\t').collect();
        let counts = (cols[1].parse().unwrap(), cols[2].parse().unwrap());
        assert_eq!(model.counts(cols[0]), counts, "{line}");
        tokens += 1;
    }
    assert_eq!(builtin.token_count(), tokens);
}
