use super::*;
use crate::message::{Limits, parse};
use std::time::{Duration, UNIX_EPOCH};

const AUTH_OK: &str = "Authentication-Results: mx.b.example; spf=pass smtp.mailfrom=s.example; dkim=pass header.d=s.example; dmarc=pass header.from=s.example\n";

fn msg(headers: &str) -> Message {
    let raw = format!("{AUTH_OK}{headers}\nThe body.\n");
    parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap()
}

fn addresses() -> Vec<String> {
    vec!["hank@b.example".into(), "h.alias@b.example".into()]
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_000_000)
}

fn compose_with(m: &Message, categories: &[&str], templates: &Templates) -> Reply {
    let addrs = addresses();
    let cats: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
    compose(m, "id:orig@s.example", &cats, templates, Sender { name: Some("Hank Hill"), addresses: &addrs }, now())
        .unwrap()
}

/// The reply parsed back, as a mail client would see it.
fn headers_of(raw: &[u8]) -> Vec<(String, String)> {
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    parsed
        .headers()
        .iter()
        .map(|h| {
            (
                h.name().to_string(),
                String::from_utf8_lossy(&raw[h.offset_start() as usize..h.offset_end() as usize]).trim().to_string(),
            )
        })
        .collect()
}

fn body_of(raw: &[u8]) -> String {
    let parsed = mail_parser::MessageParser::default().parse(raw).unwrap();
    parsed.body_text(0).unwrap().into_owned()
}

#[test]
fn a_reply_carries_the_rfc_3834_headers_and_threads() {
    let m = msg(
        "Return-Path: <ann@s.example>\nFrom: Ann Smith <ann@s.example>\nTo: Hank <h.alias@b.example>\nSubject: Re: Auto: Quick intro?\nMessage-ID: <orig@s.example>\nReferences: <a@s.example> <b@s.example>\nDate: Tue, 3 Nov 2026 10:00:00 +0000\n",
    );
    let r = compose_with(&m, &["intro-request"], &Templates::builtin());
    assert_eq!(r.to, "ann@s.example");
    assert_eq!(r.from, "h.alias@b.example", "replies from the address written to");
    assert!(r.message_id.ends_with("@b.example") && r.message_id.starts_with("screener-decline."));
    assert_eq!(r.subject, "Auto: Re: Auto: Quick intro?");
    let h = headers_of(&r.raw);
    let get = |name: &str| h.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    assert_eq!(get("Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(get("X-Auto-Response-Suppress").as_deref(), Some("All"));
    assert_eq!(get("In-Reply-To").as_deref(), Some("<orig@s.example>"));
    assert_eq!(get("References").as_deref(), Some("<a@s.example> <b@s.example> <orig@s.example>"));
    assert_eq!(get("To").as_deref(), Some("ann@s.example"));
    assert!(get("From").unwrap().contains("<h.alias@b.example>"));
    assert!(get("Date").is_some());
    assert_eq!(get("Message-ID").unwrap(), format!("<{}>", r.message_id));
    let body = body_of(&r.raw);
    assert!(body.starts_with("Hi Ann,"), "{body}");
    assert!(body.contains("Hank Hill"));
    assert!(!body.contains("The body"), "never echoes the original");
}

#[test]
fn the_same_original_always_gets_the_same_message_id() {
    let m = msg("Return-Path: <ann@s.example>\nFrom: ann@s.example\nTo: hank@b.example\nSubject: x\n");
    let t = Templates::builtin();
    assert_eq!(compose_with(&m, &[], &t).message_id, compose_with(&m, &[], &t).message_id);
    let addrs = addresses();
    let other = compose(&m, "id:other", &[], &t, Sender { name: None, addresses: &addrs }, now()).unwrap();
    assert_ne!(other.message_id, compose_with(&m, &[], &t).message_id);
}

#[test]
fn subjects_never_stack_auto_prefixes() {
    assert_eq!(auto_subject("Auto: Auto:  hello"), "Auto: hello");
    assert_eq!(auto_subject("AUTO:hello"), "Auto: hello");
    assert_eq!(auto_subject(""), "Auto: your message");
    assert_eq!(auto_subject("Re: lunch"), "Auto: Re: lunch");
    // Byte 5 inside a character must not panic.
    assert_eq!(auto_subject("Привет, мир"), "Auto: Привет, мир");
    assert_eq!(auto_subject("日本語の件名"), "Auto: 日本語の件名");
    assert_eq!(split_subject("Hi André,\n\nbody").0, None);
    assert_eq!(split_subject("Hi Zoë").1, "Hi Zoë");
}

#[test]
fn hostile_names_and_subjects_cannot_add_headers_or_recipients() {
    // Encoded words decode to CR/LF and a Bcc line; mail-parser hands them over decoded.
    let m = msg(
        "Return-Path: <ann@s.example>\nFrom: =?utf-8?q?Ann=0D=0ABcc:_victim@x.example=0D=0A?= <ann@s.example>\nTo: hank@b.example\nSubject: =?utf-8?q?hi=0D=0ABcc:_victim2@x.example=0D=0AX-Evil:_1?=\n",
    );
    let t = Templates::new([(
        "default".to_string(),
        "Subject: {{ subject }} / {{ sender_name }}\n\nHello {{ sender_name }}\n".to_string(),
    )])
    .unwrap();
    let r = compose_with(&m, &[], &t);
    let h = headers_of(&r.raw);
    assert!(!h.iter().any(|(n, _)| n.eq_ignore_ascii_case("Bcc") || n.eq_ignore_ascii_case("X-Evil")), "{h:?}");
    let to: Vec<&(String, String)> = h.iter().filter(|(n, _)| n.eq_ignore_ascii_case("To")).collect();
    assert_eq!(to.len(), 1);
    assert!(!r.subject.contains('\r') && !r.subject.contains('\n'));
    assert!(r.subject.contains("Bcc: victim2@x.example"), "kept as text: {}", r.subject);
    let raw = String::from_utf8_lossy(&r.raw);
    assert!(!raw.contains("\nBcc:") && !raw.contains("\nX-Evil"), "{raw}");
    // A subject line inside the template's rendered body cannot become a header either.
    assert!(body_of(&r.raw).starts_with("Hello Ann Bcc: victim@x.example"));
}

#[test]
fn huge_subjects_are_cut() {
    let long = "word ".repeat(400);
    let m = msg(&format!("Return-Path: <ann@s.example>\nFrom: ann@s.example\nTo: hank@b.example\nSubject: {long}\n"));
    let r = compose_with(&m, &[], &Templates::builtin());
    assert!(r.subject.chars().count() <= MAX_FIELD_CHARS + 6, "{}", r.subject.len());
}

#[test]
fn the_category_picks_the_template_and_job_hunters_get_a_pointer() {
    let m = msg("Return-Path: <ann@s.example>\nFrom: Ann <ann@s.example>\nTo: hank@b.example\nSubject: x\n");
    let t = Templates::builtin();
    let plain = body_of(&compose_with(&m, &["intro-request"], &t).raw);
    let hunting = body_of(&compose_with(&m, &["intro-request", "career-transition"], &t).raw);
    assert!(plain.contains("introduce") && !plain.contains("groundwork"), "{plain}");
    assert!(hunting.contains("groundwork"), "{hunting}");
    assert_eq!(compose_with(&m, &["network-flattery"], &t).template, "default");
    assert_eq!(compose_with(&m, &["mlm-recruiting"], &t).template, "mlm-recruiting");
}

#[test]
fn the_shipped_templates_are_short_and_kind() {
    let m = msg("Return-Path: <ann@s.example>\nFrom: Ann <ann@s.example>\nTo: hank@b.example\nSubject: x\n");
    let t = Templates::builtin();
    for name in t.names() {
        let cats = [name.clone(), "career-transition".to_string()];
        let body = body_of(&compose_with(&m, &cats.iter().map(String::as_str).collect::<Vec<_>>(), &t).raw);
        let words = body.split_whitespace().count();
        // About 200 words a minute: 20 seconds of reading.
        assert!(words <= 80, "{name}: {words} words");
        assert!(body.to_lowercase().contains("thank"), "{name} thanks the sender: {body}");
    }
}

#[test]
fn broken_templates_are_reported_with_their_name() {
    let err = Templates::new([("default".to_string(), "Hi {{ sender_name ".to_string())]).unwrap_err();
    assert!(err.to_string().contains("template default"), "{err}");
    let err = Templates::new([("default".to_string(), "Hi {{ sendr_name }}".to_string())]).unwrap_err();
    assert!(err.to_string().contains("undefined"), "{err}");
    let err = Templates::new([("intro-request".to_string(), "Hi".to_string())]).unwrap_err();
    assert!(matches!(err, ReplyError::NoDefault));
}

#[test]
fn no_reply_without_a_safe_address() {
    let m = parse(b"From: ann@s.example\nTo: hank@b.example\nSubject: x\n\nbody\n", Limits::default(), None).unwrap();
    let addrs = addresses();
    let err =
        compose(&m, "k", &[], &Templates::builtin(), Sender { name: None, addresses: &addrs }, now()).unwrap_err();
    assert!(matches!(err, ReplyError::NotEligible(NoReply::NoReplyAddress(_))), "{err}");
}

#[test]
fn first_names() {
    assert_eq!(first_name("Ann Smith"), "Ann");
    assert_eq!(first_name("Smith, Ann"), "Ann");
    assert_eq!(first_name("Dr. Ann Smith"), "");
    assert_eq!(first_name("J."), "");
    assert_eq!(first_name(""), "");
    assert_eq!(first_name("\"Ann\""), "Ann");
}

#[test]
fn dates_read_like_a_person_wrote_them() {
    assert_eq!(human_date("2026-11-03T10:00:00Z"), "3 November 2026");
    assert_eq!(human_date("garbage"), "");
}
