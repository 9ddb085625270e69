//! Hostile input: arbitrary bytes, mangled MIME and pathological text go through
//! parse + score without a panic, and every outcome is a decision.

use proptest::prelude::*;
use screener::{Screener, config};
use std::sync::LazyLock;

static SCREENER: LazyLock<Screener> = LazyLock::new(|| {
    let config = config::load_with_env(None, Some(Default::default())).unwrap();
    Screener::new(config).unwrap()
});

/// Pieces real mail is made of, so that generated input reaches deep into the
/// MIME parser and the quoted-history splitter instead of failing at the first byte.
fn mail_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("From: a@x.example\n".to_string()),
        Just("Content-Type: multipart/mixed; boundary=b\n".to_string()),
        Just("Content-Type: text/html; charset=x-unknown\n".to_string()),
        Just("Content-Transfer-Encoding: base64\n".to_string()),
        Just("Content-Transfer-Encoding: quoted-printable\n".to_string()),
        Just("Authentication-Results: mx; dkim=pass (((( header.d=\n".to_string()),
        Just("Subject: =?utf-8?b?w6k=?= =?iso-8859-1?q?=E9?=\n".to_string()),
        Just("\n--b\n".to_string()),
        Just("\n".to_string()),
        Just("> quoted\n".to_string()),
        Just("On Mon, Jan 5, 2026 Ann <a@x.example> wrote:\n".to_string()),
        Just("-----Original Message-----\n".to_string()),
        Just("-- \n".to_string()),
        Just("<p>impressive&nbsp;<b>network</b></p>".to_string()),
        Just("=E2=80=8B=\n".to_string()),
        Just("who are your clients? ".to_string()),
        "[\\PC\u{200B}\u{0435}\u{202E}]{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let (_, decision) = SCREENER.screen(&bytes);
        prop_assert!(decision.score.is_finite());
    }

    #[test]
    fn mail_shaped_noise_never_panics(parts in proptest::collection::vec(mail_fragment(), 0..60)) {
        let raw = parts.concat();
        let (message, decision) = SCREENER.screen(raw.as_bytes());
        prop_assert!(decision.score.is_finite());
        if let Some(m) = message {
            prop_assert!(!m.subject.contains(['\r', '\n']));
            prop_assert!(m.text.body.len() <= SCREENER.limits().max_scored_bytes);
        }
    }
}

#[test]
fn pathological_text_is_handled() {
    // Long runs that stress the quoted-history splitter, the excerpt builder and the
    // matchers: no spaces at all, thousands of attribution-like lines, nested quotes.
    let cases = [
        format!("From: a@x.example\nSubject: x\n\n{}", "a".repeat(300_000)),
        format!("From: a@x.example\nSubject: x\n\n{}", "On Monday Ann\n".repeat(20_000)),
        format!("From: a@x.example\nSubject: x\n\n{}", ">".repeat(200_000)),
        format!("From: a@x.example\nSubject: x\n\n{}", "From: b\nSent: c\n".repeat(10_000)),
        format!("From: a@x.example\nSubject: x\n\n{}", "impressive network who are your clients ".repeat(10_000)),
        format!("From: a@x.example\nSubject: {}\n\nbody", "=?utf-8?q?=E2=80=8B?= ".repeat(5_000)),
        format!(
            "From: a@x.example\nContent-Type: multipart/mixed; boundary=b\n\n{}",
            "--b\nContent-Type: multipart/mixed; boundary=b\n\n".repeat(5_000)
        ),
    ];
    for raw in &cases {
        let (message, decision) = SCREENER.screen(raw.as_bytes());
        assert!(decision.score.is_finite());
        if let Some(m) = message {
            assert!(m.text.body.len() <= SCREENER.limits().max_scored_bytes);
        }
    }
}
