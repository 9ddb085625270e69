//! Data-driven rule tests: every tests/fixtures/*.eml states the outcome it expects in
//! `X-Screener-Expect-Action` (keep | file | decline; for a file that is not mail, the
//! file name's first word) and, optionally, `X-Screener-Expect-Category`. One runner checks them all and lists every mismatch.

use screener::{Screener, config};
use std::path::PathBuf;

fn expected(raw: &[u8], header: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\n\n").next().unwrap_or("");
    head.lines().find_map(|l| l.strip_prefix(header).and_then(|v| v.strip_prefix(':'))).map(|v| v.trim().to_string())
}

#[test]
fn fixtures_get_their_expected_decisions() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let config = config::load_with_env(Some(&dir.join("screener.toml")), Some(Default::default())).unwrap();
    let screener = Screener::new(config).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "expected the fixture set in {}", dir.display());
    let mut mismatches = Vec::new();
    for file in &files {
        let raw = std::fs::read(file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy();
        // A fixture that is not mail at all cannot carry a header: its file name
        // starts with the expected action instead.
        let action =
            expected(&raw, "X-Screener-Expect-Action").or_else(|| name.split('-').next().map(str::to_string)).unwrap();
        let (_, decision) = screener.screen(&raw);
        let category = expected(&raw, "X-Screener-Expect-Category");
        let category_ok = category.as_deref().is_none_or(|c| decision.category.as_deref() == Some(c));
        if decision.action.as_str() != action || !category_ok {
            let reasons: Vec<String> =
                decision.reasons.iter().map(|r| format!("{}({:+}: {})", r.rule, r.weight, r.excerpt)).collect();
            mismatches.push(format!(
                "{name}: expected {action} {}, got {} {} (score {})\n    {}",
                category.unwrap_or_default(),
                decision.action,
                decision.category.unwrap_or_default(),
                decision.score,
                reasons.join("\n    ")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} fixtures mismatch:\n{}",
        mismatches.len(),
        files.len(),
        mismatches.join("\n")
    );
}
