//! The `screener` binary end to end: score on files, directories and mbox, broken
//! input, JSON output, exit codes, and check-config.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn screener() -> Command {
    let mut cmd = Command::cargo_bin("screener").unwrap();
    // Keep the developer's own SCREENER_* settings out of the tests.
    for (key, _) in std::env::vars() {
        if key.starts_with("SCREENER_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const EXTRACTIVE: &str = "Return-Path: <pat@pushy.example>\nAuthentication-Results: mx.bergstrom.example; spf=pass smtp.mailfrom=pushy.example; dkim=pass header.d=pushy.example; dmarc=pass header.from=pushy.example\nFrom: Pat Pushy <pat@pushy.example>\nTo: hank@bergstrom.example\nSubject: Quick question\nMessage-ID: <q1@pushy.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\n\nHi Hank,\n\nI came across your profile and you have quite an impressive network. Who are your clients? Could you introduce me to the decision makers at a few of them? Let's get together and see how we can help each other.\n\nPat\n";

const PLAIN: &str = "From: Ann <ann@friend.example>\nTo: hank@bergstrom.example\nSubject: Saturday\nMessage-ID: <s1@friend.example>\n\nSee you at the rink on Saturday.\n";

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn scores_the_bundled_examples() {
    screener()
        .args(["score", "--explain", "--config"])
        .arg(repo().join("examples/screener.toml"))
        .arg(repo().join("examples/mail"))
        .assert()
        .success()
        .stdout(predicate::str::contains("file").or(predicate::str::contains("decline")))
        .stdout(predicate::str::contains("keep"))
        .stderr(predicate::str::contains("scored"));
}

#[test]
fn json_lines_have_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.eml", EXTRACTIVE);
    write(dir.path(), "b.eml", PLAIN);
    let out = screener().args(["score", "--json"]).arg(dir.path()).assert().success().get_output().stdout.clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    for key in ["path", "message_id", "from", "subject", "score", "action", "category", "reasons"] {
        assert!(lines[0].get(key).is_some(), "missing {key}: {}", lines[0]);
    }
    assert_eq!(lines[0]["from"], "pat@pushy.example");
    assert_ne!(lines[0]["action"], "keep", "{}", lines[0]);
    let reason = &lines[0]["reasons"][0];
    for key in ["rule", "category", "weight", "excerpt"] {
        assert!(reason.get(key).is_some(), "reason without {key}: {reason}");
    }
    assert_eq!(lines[1]["action"], "keep");
}

#[test]
fn mbox_messages_are_labelled_file_hash_n() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = format!(
        "From pat@pushy.example Mon Jan  5 10:00:00 2026\n{EXTRACTIVE}\nFrom ann@friend.example Mon Jan  5 11:00:00 2026\n{PLAIN}\n"
    );
    let path = write(dir.path(), "inbox.mbox", &mbox);
    let out = screener().args(["score", "--json"]).arg(&path).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("inbox.mbox#1") && text.contains("inbox.mbox#2"), "{text}");
}

#[test]
fn broken_input_is_kept_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "1-empty.eml", "");
    write(dir.path(), "2-good.eml", EXTRACTIVE);
    std::fs::write(dir.path().join("3-binary.eml"), [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    let out = screener().args(["score", "--json"]).arg(dir.path()).assert().success().get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0]["action"], "keep");
    assert!(lines[0]["error"].as_str().unwrap().contains("empty"), "{}", lines[0]);
    assert_ne!(lines[1]["action"], "keep");
    assert_eq!(lines[2]["action"], "keep");
    assert!(String::from_utf8(out.stderr).unwrap().contains("scored 3 messages"));
}

#[test]
fn an_unreadable_path_fails_the_run_but_not_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.eml", PLAIN);
    screener()
        .args(["score", "/nonexistent/mail"])
        .arg(&good)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Saturday"))
        .stderr(predicate::str::contains("cannot read /nonexistent/mail"));
}

#[test]
fn a_file_gone_from_a_directory_is_skipped_and_its_name_cannot_forge_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.eml", PLAIN);
    // A dangling link stands for a file a mail client renamed mid-run; its name
    // carries a terminal escape and a line of its own.
    let name = "x\u{1b}[2J\nscored 0 messages.eml";
    std::os::unix::fs::symlink(dir.path().join("renamed"), dir.path().join(name)).unwrap();
    let out = screener().arg("score").arg(dir.path()).assert().code(0).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    assert!(stderr.contains("skipped") && stderr.lines().filter(|l| l.starts_with("scored")).count() == 1, "{stderr}");
    assert!(String::from_utf8(out.stdout).unwrap().contains("Saturday"));
}

#[test]
fn hostile_display_names_cannot_break_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "evil.eml",
        "From: =?utf-8?q?Evil=0D=0Afile_99.0_fake_line=1B[2J?= <e@x.example>\nTo: hank@bergstrom.example\nSubject: =?utf-8?q?hi=0Akeep_0.0?=\n\nhello\n",
    );
    let out = screener().args(["score", "--explain"]).arg(&path).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().filter(|l| !l.starts_with(' ')).count(), 1, "{text}");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn explain_shows_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.eml", EXTRACTIVE);
    screener()
        .args(["score", "--explain"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("who are your clients"));
}

#[test]
fn check_config_prints_the_effective_configuration() {
    screener()
        .args(["check-config", "--config"])
        .arg(repo().join("config/screener.toml"))
        .env("SCREENER_SCORING__FILE_THRESHOLD", "6.5")
        .assert()
        .success()
        .stdout(predicate::str::contains("file_threshold = 6.5"))
        .stdout(predicate::str::contains("authserv_id = \"mx.bergstrom.example\""));
}

#[test]
fn check_config_reports_every_error_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.toml", "[scoring]\nfile_treshold = 6\n[decline]\nenabled = \"yes\"\n");
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2 configuration errors"))
        .stderr(predicate::str::contains("scoring.file_treshold: unknown key; did you mean `file_threshold`?"))
        .stderr(predicate::str::contains("decline.enabled: expected true or false"));
}

#[test]
fn a_broken_rule_in_the_config_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.toml",
        "[[rules]]\nid = \"mine\"\ncategory = \"x\"\nweight = 2\nregex = \"(unclosed\"\n\n[rule_weights]\nno-such-rule = 1\n",
    );
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no-such-rule"));
    let path = write(
        dir.path(),
        "bad2.toml",
        "[[rules]]\nid = \"mine\"\ncategory = \"x\"\nweight = 2\nregex = \"(unclosed\"\n",
    );
    screener()
        .args(["score", "--config"])
        .arg(&path)
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rule `mine`: the regex does not compile"));
}

#[test]
fn a_rule_regex_in_the_config_can_be_a_list_of_alternatives() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "list.toml",
        "[[rules]]\nid = \"mine\"\ncategory = \"client-fishing\"\nweight = 2\nregex = [\n  '\\bwhich firms do you advise\\b',\n  '\\bwhose books are you on\\b',\n]\n",
    );
    let mail = write(
        dir.path(),
        "m.eml",
        "From: a@b.example\nTo: hank@example.org\nSubject: hi\n\nWhose books are you on these days?\n",
    );
    screener()
        .args(["score", "--explain", "--config"])
        .arg(&config)
        .arg(&mail)
        .assert()
        .success()
        .stdout(predicate::str::contains("+2.0  mine"));
    // The effective configuration shows the one regex the list stands for.
    screener()
        .args(["check-config", "--config"])
        .arg(&config)
        .assert()
        .success()
        .stdout(predicate::str::contains(r"\bwhich firms do you advise\b|\bwhose books are you on\b"));
    let bad = write(dir.path(), "bad.toml", "[[rules]]\nid = \"mine\"\ncategory = \"x\"\nweight = 2\nregex = []\n");
    screener()
        .args(["check-config", "--config"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("expected at least one alternative for key `regex`"));
}

#[test]
fn rules_lists_ids_and_weights() {
    screener().arg("rules").assert().success().stdout(predicate::str::contains("network-flattery"));
}

#[test]
fn check_config_never_prints_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "s.toml",
        "[imap]\nhost = \"imap.example.org\"\nusername = \"hank\"\npassword = \"hunter2-secret\"\n\
         [smtp]\nhost = \"smtp.example.org\"\nusername = \"hank\"\npassword = \"smtp-hunter3\"\n",
    );
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("password = \"<redacted>\""))
        .stdout(predicate::str::contains("hunter2").not())
        .stdout(predicate::str::contains("hunter3").not());
}

#[test]
fn sending_declines_without_an_smtp_server_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "s.toml",
        "[identity]\naddresses = [\"hank@bergstrom.example\"]\n[decline]\nenabled = true\nmode = \"send\"\n",
    );
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("smtp.host"));
    // A broken template is reported at start, naming the file.
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(templates.join("default.txt"), "Hi {{ sender_nme }}\n").unwrap();
    let path = write(
        dir.path(),
        "t.toml",
        "[identity]\naddresses = [\"hank@bergstrom.example\"]\n[decline]\nenabled = true\ntemplates_dir = \"templates\"\n",
    );
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("template default").and(predicate::str::contains("undefined")));
}

#[test]
fn insecure_imap_to_a_remote_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", "[imap]\nhost = \"imap.example.org\"\ntls = \"none\"\n");
    screener()
        .args(["check-config", "--config"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("imap.tls: \"none\" sends the password in clear text"));
}
