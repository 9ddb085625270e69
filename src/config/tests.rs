use super::*;

fn load_text(text: &str, env: &[(&str, &str)]) -> (tempfile::TempDir, Result<Config, ConfigErrors>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("screener.toml");
    std::fs::write(&path, text).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let result = load_with_env(Some(&path), Some(env));
    (dir, result)
}

fn errors(text: &str) -> Vec<String> {
    let (_dir, result) = load_text(text, &[]);
    result.expect_err("expected errors").0.iter().map(ToString::to_string).collect()
}

#[test]
fn defaults_apply_without_a_file() {
    let c = load_with_env(None, Some(Map::new())).unwrap();
    assert_eq!(c.scoring.file_threshold, 5.0);
    assert_eq!(c.scoring.decline_threshold, 8.0);
    assert_eq!(c.scoring.max_scored_bytes, 262_144);
    assert!(!c.decline.enabled);
    assert!(c.decline.require_authenticated);
}

#[test]
fn every_public_key_is_read() {
    let (_d, c) = load_text(
        r#"
[identity]
name = "Hank Bergstrom"
addresses = ["hank@bergstrom.example", "h@bergstrom.example"]
authserv_id = "MX.Bergstrom.example"
[scoring]
file_threshold = 4
decline_threshold = 9.5
max_scored_bytes = 65536
[contacts]
known = ["tom@harbor.example", "@bergstrom.example"]
[decline]
enabled = true
require_authenticated = false
[rule_weights]
some-rule = 0
[category_max]
network-flattery = 2.5
[shorthand]
"TMRW" = "tomorrow"
[[rules]]
id = "mine"
category = "mlm-recruiting"
weight = 3
phrases = ["join my downline"]
where = "body"
"#,
        &[],
    );
    let c = c.unwrap();
    assert_eq!(c.identity.name.as_deref(), Some("Hank Bergstrom"));
    assert_eq!(c.identity.addresses.len(), 2);
    assert_eq!(c.identity.authserv_id.as_deref(), Some("mx.bergstrom.example"));
    assert_eq!(c.scoring.file_threshold, 4.0);
    assert_eq!(c.scoring.decline_threshold, 9.5);
    assert_eq!(c.scoring.max_scored_bytes, 65536);
    assert_eq!(c.contacts.known.len(), 2);
    assert!(c.decline.enabled && !c.decline.require_authenticated);
    assert_eq!(c.rule_weights["some-rule"], 0.0);
    assert_eq!(c.category_max["network-flattery"], 2.5);
    assert_eq!(c.shorthand["tmrw"], "tomorrow");
    assert_eq!(c.rules[0].id, "mine");
    assert_eq!(c.rules[0].weight, 3.0);
}

#[test]
fn a_typo_names_the_key_the_file_and_what_is_allowed() {
    let e = errors("[scoring]\nfile_treshold = 6\n");
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(e[0].contains("screener.toml"), "{}", e[0]);
    assert!(e[0].contains("scoring.file_treshold"), "{}", e[0]);
    assert!(e[0].contains("did you mean `file_threshold`"), "{}", e[0]);
    assert!(e[0].contains("allowed: file_threshold, decline_threshold, max_scored_bytes"), "{}", e[0]);
    let e = errors("[scorring]\nfile_threshold = 6\n");
    assert!(e[0].contains("unknown section; did you mean `scoring`"), "{}", e[0]);
}

#[test]
fn all_errors_are_reported_at_once() {
    let e = errors(
        r#"
[identity]
addresses = ["not-an-address", 7]
[scoring]
file_threshold = "high"
decline_threshold = 5000
max_scored_bytes = -1
[contacts]
known = ["@", "bob"]
[decline]
enabled = "yes"
[shorthand]
u = 3
[[rules]]
id = "x"
category = "y"
weight = 1
phrase = ["typo"]
"#,
    );
    let joined = e.join("\n");
    for needle in [
        "identity.addresses[0]: \"not-an-address\" is not an email address",
        "identity.addresses[1]: expected a string, found the number 7",
        "scoring.file_threshold: expected a number from -1000 to 1000, found the string \"high\"",
        "scoring.decline_threshold: 5000 is out of range",
        "scoring.max_scored_bytes: expected a whole number from 1024 to 67108864",
        "contacts.known[0]",
        "contacts.known[1]",
        "decline.enabled: expected true or false, found the string \"yes\"",
        "shorthand.u: expected a string, found the number 3",
        "rules[0] (id = \"x\"): unknown field `phrase`",
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in:\n{joined}");
    }
    assert_eq!(e.len(), 10, "{joined}");
}

#[test]
fn a_choice_of_the_wrong_type_is_told_what_is_allowed() {
    let e = errors("[imap]\ntls = true\n[decline]\nmode = 5\n[daemon]\ninitial_scan = 30\n");
    let joined = e.join("\n");
    for needle in [
        "imap.tls: expected a string, found the boolean true; allowed: implicit, starttls, none",
        "decline.mode: expected a string, found the number 5; allowed: draft, send",
        "daemon.initial_scan: expected a string, found the number 30; allowed: new, unseen, all, or a number of days",
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in:\n{joined}");
    }
}

#[test]
fn decline_threshold_below_file_threshold_is_refused() {
    let e = errors("[scoring]\nfile_threshold = 6\ndecline_threshold = 5\n");
    assert!(e[0].contains("scoring.decline_threshold: must be at least scoring.file_threshold"), "{}", e[0]);
}

#[test]
fn environment_overrides_the_file() {
    let (_d, c) = load_text(
        "[scoring]\nfile_threshold = 5\n",
        &[("SCREENER_SCORING__FILE_THRESHOLD", "6"), ("SCREENER_CONTACTS__KNOWN", "a@x.example,@y.example")],
    );
    let c = c.unwrap();
    assert_eq!(c.scoring.file_threshold, 6.0);
    assert_eq!(c.contacts.known, ["a@x.example", "@y.example"]);
}

#[test]
fn a_bad_environment_value_says_it_came_from_the_environment() {
    let (_d, c) = load_text("", &[("SCREENER_SCORING__FILE_THRESHOLD", "lots")]);
    let e = c.unwrap_err().0;
    assert!(e[0].to_string().contains("environment"), "{}", e[0]);
    assert!(e[0].key == "scoring.file_threshold");
}

#[test]
fn missing_and_malformed_files_are_clear_errors() {
    let e = load_with_env(Some(Path::new("/nonexistent/screener.toml")), Some(Map::new())).unwrap_err();
    assert!(e.to_string().contains("cannot read the configuration file"), "{e}");
    let e = errors("[scoring\nfile_threshold = 6\n");
    assert!(e[0].contains("not valid TOML"), "{}", e[0]);
}

#[test]
fn contact_files_are_read_relative_to_the_config() {
    let (dir, c) = load_text("[contacts]\nknown = [\"a@x.example\"]\nfiles = [\"contacts.txt\"]\n", &[]);
    std::fs::write(dir.path().join("contacts.txt"), "# friends\nb@x.example\n\n@y.example  # whole domain\n").unwrap();
    let entries = c.unwrap().contact_entries().unwrap();
    assert_eq!(entries, ["a@x.example", "b@x.example", "@y.example"]);
    let (_d2, c) = load_text("[contacts]\nfiles = [\"missing.txt\"]\n", &[]);
    let e = c.unwrap().contact_entries().unwrap_err();
    assert!(e.to_string().contains("contacts.files: cannot read"), "{e}");
    // A line that could never match anyone is an error naming its line.
    let (dir, c) = load_text("[contacts]\nfiles = [\"contacts.txt\"]\n", &[]);
    std::fs::write(dir.path().join("contacts.txt"), "b@x.example\nAnn <ann@x.example>\nx.example\n").unwrap();
    let e = c.unwrap().contact_entries().unwrap_err().to_string();
    assert!(e.contains("contacts.txt line 2") && e.contains("contacts.txt line 3"), "{e}");
}

#[test]
fn the_example_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/screener.toml");
    load_with_env(Some(&path), Some(Map::new())).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn smtp_and_decline_keys_are_read() {
    let (_d, c) = load_text(
        r#"
[identity]
addresses = ["hank@bergstrom.example"]
[decline]
enabled = true
mode = "send"
templates_dir = "templates"
per_sender_days = 7
max_per_hour = 3
null_sender = true
[smtp]
host = "smtp.bergstrom.example"
tls = "implicit"
username = "hank"
password = "smtp-secret-value"
timeout = "10s"
retry_initial = "5s"
[folders]
sent = "Sent Items"
drafts = "Drafts"
"#,
        &[("SCREENER_SMTP__PORT", "2465")],
    );
    let c = c.unwrap();
    assert_eq!(c.decline.mode, DeclineMode::Send);
    assert_eq!(c.decline.per_sender_days, 7);
    assert_eq!(c.decline.max_per_hour, 3);
    assert!(c.decline.null_sender);
    assert_eq!(c.smtp.port(), 2465);
    assert_eq!(c.smtp.tls, TlsMode::Implicit);
    assert_eq!(c.smtp.timeout, Duration::from_secs(10));
    assert_eq!(c.folders.sent.as_deref(), Some("Sent Items"));
    let printed = toml::to_string(&c).unwrap();
    assert!(!printed.contains("smtp-secret-value") && !format!("{c:?}").contains("smtp-secret-value"));
    // Defaults: draft mode, STARTTLS on 587.
    let d = load_with_env(None, Some(Map::new())).unwrap();
    assert_eq!(d.decline.mode, DeclineMode::Draft);
    assert_eq!((d.smtp.tls, d.smtp.port()), (TlsMode::Starttls, 587));
}

#[test]
fn sending_declines_needs_smtp_and_an_identity() {
    let e = errors("[decline]\nenabled = true\nmode = \"send\"\n");
    assert!(e.iter().any(|e| e.contains("smtp.host") && e.contains("needs an SMTP server")), "{e:?}");
    assert!(e.iter().any(|e| e.contains("identity.addresses")), "{e:?}");
    let e = errors(
        "[identity]\naddresses = [\"h@b.example\"]\n[decline]\nenabled = true\nmode = \"send\"\n[smtp]\nhost = \"s.example\"\nusername = \"h\"\n",
    );
    assert!(e.iter().any(|e| e.contains("smtp.password")), "{e:?}");
    let e = errors("[decline]\nmode = \"mail\"\n[smtp]\nhots = \"x\"\ntls = \"none\"\nhost = \"smtp.example\"\n");
    assert!(e.iter().any(|e| e.contains("decline.mode") && e.contains("draft, send")), "{e:?}");
    assert!(e.iter().any(|e| e.contains("smtp.hots") && e.contains("host")), "{e:?}");
    assert!(e.iter().any(|e| e.contains("smtp.tls") && e.contains("loopback")), "{e:?}");
    // Draft mode needs no SMTP server.
    let (_d, ok) = load_text("[identity]\naddresses = [\"h@b.example\"]\n[decline]\nenabled = true\n", &[]);
    assert!(ok.is_ok());
}

#[test]
fn wrong_types_are_errors_not_conversions() {
    let e = errors(
        "[scoring]\nfile_threshold = true\nmax_scored_bytes = 2048.9\n[decline]\nper_sender_days = \"30\"\nmax_per_hour = false\n",
    );
    assert_eq!(e.len(), 4, "{e:#?}");
    assert!(e[0].contains("scoring.file_threshold") && e[0].contains("boolean"), "{}", e[0]);
    assert!(e.iter().any(|m| m.contains("max_scored_bytes") && m.contains("2048.9")), "{e:#?}");
    assert!(e.iter().any(|m| m.contains("per_sender_days") && m.contains("string")), "{e:#?}");
    assert!(e.iter().any(|m| m.contains("max_per_hour") && m.contains("boolean")), "{e:#?}");
}

#[test]
fn the_environment_is_read_as_text_so_a_numeric_password_survives() {
    let (_d, c) = load_text(
        "[imap]\nhost = \"imap.example.org\"\nusername = \"hank\"\n",
        &[
            ("SCREENER_IMAP__PASSWORD", "0123"),
            ("SCREENER_DECLINE__REQUIRE_AUTHENTICATED", "FALSE"),
            ("SCREENER_SMTP__TIMEOUT", "45"),
            ("SCREENER_DAEMON__IDLE_TIMEOUT", "10m"),
        ],
    );
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    match &c.imap.password {
        Some(crate::secret::PasswordSource::Password(p)) => assert_eq!(p.expose(), "0123"),
        other => panic!("{other:?}"),
    }
    assert!(!c.decline.require_authenticated);
    assert_eq!(c.smtp.timeout, Duration::from_secs(45));
}

#[test]
fn a_mistyped_password_is_never_shown() {
    let e = errors("[imap]\nhost = \"imap.example.org\"\nusername = \"hank\"\npassword = 84736251\n");
    assert!(e[0].contains("imap.password"), "{}", e[0]);
    assert!(!e.iter().any(|m| m.contains("84736251")), "{e:#?}");
    // A TOML syntax error quotes the offending line of the file; not here.
    let e = errors("[imap]\nhost = \"imap.example.org\"\npassword = \"hunter2\n");
    assert!(e[0].contains("not valid TOML") && e[0].contains("line 3"), "{}", e[0]);
    assert!(!e.iter().any(|m| m.contains("hunter2")), "{e:#?}");
}
