//! How much a model learned from earlier labeled sets adds to the rules on sets
//! written later, by other authors: the experiment behind the built-in learning seed
//! (README, "Quality"). It trains a model on the TRAIN sets (as `tests/seed.rs` makes
//! the seed) and scores each EVAL set twice, with the rules alone and with the model,
//! using `tests/corpus-hank.toml` and each set's `contacts.txt`. Optional SA
//! directories (the SpamAssassin ham and spam) are scored both ways too.
//!
//! The measure is honest only with rules that never saw the EVAL sets: run it on a
//! checkout of a commit from before they were written (see README), with
//! `SCREENER_LEARNING__SEED=false` on a commit that has the seed.
//!
//! cargo run --release --example learning_first_sight -- HANK_TOML TRAIN... -- EVAL... [-- SA...]

use screener::Screener;
use screener::config;
use screener::learn::{self, Label, Model};
use screener::mailfiles::{self, Item};
use screener::policy::Action;
use std::path::{Path, PathBuf};

fn labels(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("labels.tsv")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c[0].to_string(), c[1].to_string())
        })
        .collect()
}

fn screener_for(hank: &Path, contacts: Option<PathBuf>) -> Screener {
    let mut config = config::load_with_env(Some(hank), None).unwrap_or_else(|e| panic!("{e}"));
    config.contacts.files = contacts.into_iter().collect();
    Screener::new(config).unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let groups: Vec<&[String]> = args.split(|a| a == "--").collect();
    let (Some([hank, train @ ..]), Some(eval)) = (groups.first().map(|g| &g[..]), groups.get(1)) else {
        eprintln!("usage: learning_first_sight HANK_TOML TRAIN... -- EVAL... [-- SA...]");
        std::process::exit(2);
    };
    let hank = Path::new(hank);
    let limits = screener_for(hank, None).limits();
    let mut model = Model::default();
    for dir in train.iter().map(Path::new) {
        for (file, label) in labels(dir) {
            let raw = std::fs::read(dir.join(&file)).unwrap();
            let msg = screener::message::parse(&raw, limits, None).unwrap();
            model.train(&learn::tokens(&msg), if label == "extractive" { Label::Extractive } else { Label::Ham });
        }
    }
    println!("model: {:?} (extractive, ham) messages", model.docs());
    let screened = |d: &screener::policy::Decision| d.action != Action::Keep;
    let mut total = [0; 6];
    for dir in eval.iter().map(Path::new) {
        let rules = screener_for(hank, Some(dir.join("contacts.txt")));
        let mut learned = screener_for(hank, Some(dir.join("contacts.txt")));
        learned.set_learned(&[], Default::default(), model.clone());
        let mut n = [0; 6];
        for (file, label) in labels(dir) {
            let raw = std::fs::read(dir.join(&file)).unwrap();
            let (a, b) = (rules.screen(&raw).1, learned.screen(&raw).1);
            let base = if label == "extractive" { 0 } else { 3 };
            n[base] += 1;
            n[base + 1] += screened(&a) as usize;
            n[base + 2] += screened(&b) as usize;
            if screened(&a) != screened(&b) {
                println!("  {file} ({label}): {:.1} -> {:.1}", a.score, b.score);
            }
        }
        println!(
            "{}: extractive screened {}/{} -> {}; welcome+legit screened {}/{} -> {}",
            dir.display(),
            n[1],
            n[0],
            n[2],
            n[4],
            n[3],
            n[5]
        );
        total.iter_mut().zip(n).for_each(|(t, n)| *t += n);
    }
    println!(
        "all: extractive screened {}/{} -> {}; welcome+legit screened {}/{} -> {}",
        total[1], total[0], total[2], total[4], total[3], total[5]
    );
    let rules = screener_for(hank, None);
    let mut learned = screener_for(hank, None);
    learned.set_learned(&[], Default::default(), model);
    for dir in groups.get(2).copied().unwrap_or_default() {
        let (mut n, mut a, mut b) = (0, 0, 0);
        mailfiles::visit(Path::new(dir), 1 << 20, &mut |item| {
            if let Item::Message { bytes, .. } = item {
                n += 1;
                a += screened(&rules.screen(&bytes).1) as usize;
                b += screened(&learned.screen(&bytes).1) as usize;
            }
        });
        println!("{dir}: screened {a}/{n} -> {b}");
    }
}
