//! Decisions: a classification plus the message's facts and the user's settings
//! become keep, file or decline. Pure: no I/O. Every step that shaped the decision
//! is added to the reasons, so `--explain` shows why a reply was or was not sent.

use crate::classify::{Classification, Reason};
use crate::contacts::Contacts;
use crate::message::{Message, ReturnPath};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Leave the message where it is.
    Keep,
    /// Move it to the screened folder.
    File,
    /// File it and send a polite templated decline.
    Decline,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::File => "file",
            Action::Decline => "decline",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The settings decisions depend on.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub file_threshold: f64,
    pub decline_threshold: f64,
    pub decline_enabled: bool,
    pub require_authenticated: bool,
    pub user_addresses: &'a [String],
    pub contacts: &'a Contacts,
    /// Message-IDs of the user's own mail (the Sent folder).
    pub sent_ids: &'a std::collections::HashSet<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub action: Action,
    pub score: f64,
    pub category: Option<String>,
    pub reasons: Vec<Reason>,
}

/// Why a message must not get an automatic reply (RFC 3834 and common sense).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoReply {
    #[error("Auto-Submitted: {0}: the message was sent by a machine")]
    AutoSubmitted(String),
    #[error("{0} header present: mail from a list never gets an automatic reply")]
    ListHeader(String),
    #[error("Precedence: {0}: bulk or list mail")]
    Precedence(String),
    #[error("X-Auto-Response-Suppress: {0}: the sender asked for no automatic replies")]
    Suppressed(String),
    #[error("the Return-Path is null (<>): a bounce or notification")]
    NullReturnPath,
    #[error("{0} is a robot address (noreply, mailer-daemon, list software)")]
    RobotSender(String),
    #[error("the message has no From address")]
    NoSender,
    #[error("the message names more than one sender (several From headers or mailboxes): who wrote is unknown")]
    AmbiguousSender,
    #[error("none of identity.addresses is among To/Cc: the message was not addressed to you personally")]
    NotAddressedToUser,
    #[error("the server recorded an authentication failure ({0}): the sender may be forged")]
    AuthFailed(String),
    #[error(
        "the From domain {0} is not authenticated (DMARC did not pass; only where the server records no DMARC verdict does a DKIM or SPF pass for it count)"
    )]
    NotAuthenticated(String),
    #[error("no Return-Path was recorded at delivery and DMARC did not pass for {0}: nowhere safe to reply")]
    NoReplyAddress(String),
    #[error("the Return-Path {0} is not on the From domain and DMARC did not pass for it: nowhere safe to reply")]
    UnalignedReturnPath(String),
}

/// Why the From address, known or not, cannot be taken for the person it names:
/// (rule, reason), or `None` when nothing speaks against it. Decisions and the
/// send-time check both ask.
pub fn known_address_doubt(message: &Message) -> Option<(&'static str, &'static str)> {
    // Without a From there is no address to doubt.
    message.from.as_ref()?;
    if message.sender_ambiguous {
        Some(("ambiguous-contact", "the message names more than one sender"))
    } else if message.from_forged() {
        Some(("forged-contact", "the server recorded an authentication failure"))
    } else {
        None
    }
}

/// Where an automatic reply goes (RFC 3834 §4): the Return-Path recorded at delivery
/// when it is on the (authenticated) From domain; otherwise, or without one, the From
/// address, but only when DMARC vouches for its domain. An envelope sender on some
/// other domain is either forged (a replayed DKIM signature) or an email service's
/// bounce robot: never the person.
pub fn reply_target(message: &Message) -> Result<String, NoReply> {
    let dmarc_from =
        || message.from.as_ref().filter(|f| message.auth.dmarc_passed(f.domain())).map(|f| f.address.clone());
    match &message.return_path {
        ReturnPath::Null => Err(NoReply::NullReturnPath),
        ReturnPath::Address(a) if crate::message::is_robot_address(a) => Err(NoReply::RobotSender(a.clone())),
        ReturnPath::Address(a) => {
            let from = message.from.as_ref().ok_or(NoReply::NoSender)?;
            let domain = a.rsplit_once('@').map_or("", |(_, d)| d);
            // A replayed DKIM signature can come with any envelope on the From domain.
            if crate::message::auth::domain_aligned(domain, from.domain()) && message.auth.envelope_vouched(domain) {
                Ok(a.clone())
            } else {
                dmarc_from().ok_or_else(|| NoReply::UnalignedReturnPath(a.clone()))
            }
        }
        ReturnPath::Missing => {
            let from = message.from.as_ref().ok_or(NoReply::NoSender)?;
            if message.auth.dmarc_passed(from.domain()) {
                Ok(from.address.clone())
            } else {
                Err(NoReply::NoReplyAddress(from.domain().to_string()))
            }
        }
    }
}

/// Whether `message` may get an automatic reply at all, whatever its score. The
/// same check runs again at send time, since the configuration may change between.
pub fn reply_eligibility(
    message: &Message,
    user_addresses: &[String],
    require_authenticated: bool,
) -> Result<(), NoReply> {
    let markers = &message.machine;
    if let Some(value) = markers.auto_submitted.as_deref().filter(|v| crate::message::first_token(v) != "no") {
        return Err(NoReply::AutoSubmitted(value.to_string()));
    }
    if let Some(name) = markers.list_headers.first() {
        return Err(NoReply::ListHeader(name.clone()));
    }
    if let Some(p) = markers.bulk_precedence() {
        return Err(NoReply::Precedence(p.to_string()));
    }
    if let Some(v) = markers.x_auto_response_suppress.as_deref() {
        let v = v.to_ascii_lowercase();
        // MS-OXCMAIL 2.2.3.2.14: OOF and AutoReply each ask for no automatic reply
        // (a decline is one); All for none of anything.
        if v.split(',').map(str::trim).any(|t| matches!(t, "all" | "oof" | "autoreply")) {
            return Err(NoReply::Suppressed(v));
        }
    }
    if message.return_path == ReturnPath::Null {
        return Err(NoReply::NullReturnPath);
    }
    let from = message.from.as_ref().ok_or(NoReply::NoSender)?;
    if message.sender_ambiguous {
        return Err(NoReply::AmbiguousSender);
    }
    if markers.robot_sender {
        let robot = match &message.return_path {
            ReturnPath::Address(a) if crate::message::is_robot_address(a) => a.clone(),
            _ => from.address.clone(),
        };
        return Err(NoReply::RobotSender(robot));
    }
    let to_user =
        message.to.iter().chain(&message.cc).any(|m| user_addresses.iter().any(|u| u.eq_ignore_ascii_case(&m.address)));
    if !to_user {
        return Err(NoReply::NotAddressedToUser);
    }
    if require_authenticated {
        if message.auth.any_failed() {
            let failed: Vec<String> = message
                .auth
                .results
                .iter()
                .filter(|r| matches!(r.result.as_str(), "fail" | "softfail" | "permerror"))
                .map(|r| format!("{}={}", r.method, r.result))
                .collect();
            return Err(NoReply::AuthFailed(failed.join(", ")));
        }
        if !message.auth.from_domain_authenticated(from.domain()) {
            return Err(NoReply::NotAuthenticated(from.domain().to_string()));
        }
    }
    reply_target(message).map(|_| ())
}

/// The decision for a message the classifier has scored.
pub fn decide(message: &Message, classification: Classification, settings: &Settings) -> Decision {
    let Classification { score, category, mut reasons } = classification;
    let keep = |reasons| Decision { action: Action::Keep, score, category: None, reasons };

    let relayed_for = relayed_author(message, settings);
    if let Some(author) = &relayed_for {
        let from = message.from.as_ref().map_or("", |f| f.address.as_str());
        reasons.insert(
            0,
            policy_reason(
                "relayed",
                format!(
                    "{from} relays a message whose Reply-To is {author}, not a known contact: judged as the stranger's"
                ),
            ),
        );
    } else if let Some(from) = &message.from {
        let own = settings.user_addresses.iter().any(|u| u.eq_ignore_ascii_case(&from.address));
        if own || settings.contacts.contains(&from.address) {
            if let Some((rule, why)) = known_address_doubt(message) {
                reasons.push(policy_reason(
                    rule,
                    format!("{} is a known address, but {why}: treated as a stranger", from.address),
                ));
            } else {
                let who = if own { "one of your own addresses" } else { "a known contact" };
                reasons.insert(0, policy_reason("known-contact", format!("{} is {who}: always kept", from.address)));
                return keep(reasons);
            }
        }
    }

    let thread = message.in_reply_to.iter().chain(&message.references).find(|id| settings.sent_ids.contains(*id));
    if let Some(id) = thread {
        reasons
            .insert(0, policy_reason("your-thread", format!("a reply in a thread you started (<{id}>): always kept")));
        return keep(reasons);
    }

    if message.text.truncated {
        // Said, not weighed: the verdict stands on the part that was read.
        reasons.push(policy_reason(
            "truncated",
            "the text is longer than scoring.max_scored_bytes: only its beginning was scored".into(),
        ));
    }
    if score < settings.file_threshold {
        reasons.push(policy_reason(
            "below-threshold",
            format!("score {score} is below scoring.file_threshold {}", settings.file_threshold),
        ));
        return keep(reasons);
    }
    let mut action = Action::File;
    if score >= settings.decline_threshold {
        if !settings.decline_enabled {
            reasons.push(policy_reason("no-reply", "decline.enabled is false: filed without a reply".into()));
        } else if let Some(author) = relayed_for {
            // The envelope is your own system's; a reply would not reach the author
            // through any authenticated path.
            reasons.push(policy_reason("no-reply", format!("filed without a reply: relayed for {author}")));
        } else {
            match reply_eligibility(message, settings.user_addresses, settings.require_authenticated) {
                Ok(()) => action = Action::Decline,
                Err(why) => reasons.push(policy_reason("no-reply", format!("filed without a reply: {why}"))),
            }
        }
    }
    Decision { action, score, category, reasons }
}

/// The author of a message your own systems relayed: mail From one of your domains (a
/// website's contact form, a scheduler, a shared inbox) whose Reply-To is someone
/// outside them who is not a known contact. The known-contact shortcut is meant for
/// the author, and a form anyone can fill in is not a contact.
/// Who wrote a message, for trusting them when the user releases it: the From
/// address, or for mail relayed from the user's own domain (a website's contact form)
/// the Reply-To author, which is whom the policy judged. Trusting the form's address
/// would trust every stranger who uses it.
pub fn author(message: &Message, user_addresses: &[String]) -> Option<String> {
    let domain = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    let own_domains: Vec<String> = user_addresses.iter().filter_map(|a| domain(a)).collect();
    let is_own = |a: &str| domain(a).is_some_and(|d| own_domains.contains(&d));
    let from = message.from.as_ref()?;
    if !is_own(&from.address) {
        return Some(from.address.clone());
    }
    message.reply_to.iter().map(|m| m.address.clone()).find(|a| !is_own(a)).or_else(|| Some(from.address.clone()))
}

fn relayed_author(message: &Message, settings: &Settings) -> Option<String> {
    let domain = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase());
    let own_domains: Vec<String> = settings.user_addresses.iter().filter_map(|a| domain(a)).collect();
    let is_own = |a: &str| domain(a).is_some_and(|d| own_domains.contains(&d));
    let from = message.from.as_ref()?;
    if !is_own(&from.address) {
        return None;
    }
    message.reply_to.iter().map(|m| m.address.clone()).find(|a| !is_own(a) && !settings.contacts.contains(a))
}

/// The decision for a message that could not be read: never act on what you cannot read.
pub fn unreadable(error: &dyn fmt::Display) -> Decision {
    Decision {
        action: Action::Keep,
        score: 0.0,
        category: None,
        reasons: vec![policy_reason("unreadable", format!("the message could not be parsed: {error}"))],
    }
}

/// A decision the daemon overrules to `keep` for a reason only it can see (a message
/// handled before, one the user moved back): the score stays, the reasons become that one.
pub fn kept_because(decision: Decision, step: &str, excerpt: String) -> Decision {
    Decision { action: Action::Keep, reasons: vec![policy_reason(step, excerpt)], ..decision }
}

/// A policy step as a reason: weight 0, so the reasons still add up to the score.
pub fn policy_reason(step: &str, excerpt: String) -> Reason {
    Reason { rule: format!("policy:{step}"), category: "policy".into(), weight: 0.0, excerpt }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Limits, parse};

    const AUTH_OK: &str = "Authentication-Results: mx.b.example; spf=pass smtp.mailfrom=s.example; dkim=pass header.d=s.example; dmarc=pass header.from=s.example\n";

    fn msg(extra_headers: &str) -> Message {
        let raw = format!(
            "{extra_headers}Return-Path: <ann@s.example>\nFrom: Ann <ann@s.example>\nTo: hank@b.example\nSubject: hi\n\nbody"
        );
        parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap()
    }

    fn scored(score: f64) -> Classification {
        Classification {
            score,
            category: Some("client-fishing".into()),
            reasons: vec![Reason {
                rule: "r".into(),
                category: "client-fishing".into(),
                weight: score,
                excerpt: "x".into(),
            }],
        }
    }

    fn settings<'a>(users: &'a [String], contacts: &'a Contacts) -> Settings<'a> {
        Settings {
            file_threshold: 5.0,
            decline_threshold: 8.0,
            decline_enabled: true,
            require_authenticated: true,
            user_addresses: users,
            contacts,
            sent_ids: Box::leak(Box::default()),
        }
    }

    fn users() -> Vec<String> {
        vec!["hank@b.example".into()]
    }

    #[test]
    fn thresholds_pick_the_action() {
        let (u, c) = (users(), Contacts::default());
        let s = settings(&u, &c);
        let m = msg(AUTH_OK);
        assert_eq!(decide(&m, scored(4.9), &s).action, Action::Keep);
        assert_eq!(decide(&m, scored(5.0), &s).action, Action::File);
        assert_eq!(decide(&m, scored(8.0), &s).action, Action::Decline);
        let off = Settings { decline_enabled: false, ..s };
        let d = decide(&m, scored(9.0), &off);
        assert_eq!(d.action, Action::File);
        assert!(d.reasons.iter().any(|r| r.excerpt.contains("decline.enabled")));
    }

    #[test]
    fn a_form_relayed_by_your_own_domain_is_judged_as_its_author() {
        let relay = |reply_to: &str| {
            let raw = format!(
                "{AUTH_OK}From: Website <website@b.example>\nReply-To: {reply_to}\nTo: hank@b.example\nSubject: form\n\nbody"
            );
            parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap()
        };
        let u = users();
        let c = Contacts::new(["@b.example", "doug@known.example"]);
        let s = settings(&u, &c);
        let d = decide(&relay("vince@stranger.example"), scored(9.0), &s);
        assert_eq!(d.action, Action::File, "{d:?}");
        assert_eq!(d.reasons[0].rule, "policy:relayed");
        assert!(d.reasons.iter().any(|r| r.rule == "policy:no-reply" && r.excerpt.contains("vince@stranger.example")));
        // Written by a known contact, or without a Reply-To: your own domain's mail.
        assert_eq!(decide(&relay("doug@known.example"), scored(9.0), &s).action, Action::Keep);
        assert_eq!(decide(&relay("maria@b.example"), scored(9.0), &s).action, Action::Keep);
    }

    #[test]
    fn known_contacts_and_own_addresses_are_kept() {
        let u = users();
        let c = Contacts::new(["@s.example"]);
        let d = decide(&msg(AUTH_OK), scored(20.0), &settings(&u, &c));
        assert_eq!(d.action, Action::Keep);
        assert_eq!(d.reasons[0].rule, "policy:known-contact");
        let own = vec!["ann@s.example".to_string()];
        assert_eq!(decide(&msg(AUTH_OK), scored(20.0), &settings(&own, &Contacts::default())).action, Action::Keep);
    }

    #[test]
    fn two_senders_are_no_known_contact_and_get_no_reply() {
        // The server judged one From; mail-parser reads the last. Neither is trusted.
        let u = users();
        let c = Contacts::new(["victim@v.example"]);
        let raw = format!(
            "{AUTH_OK}Return-Path: <ann@s.example>\nFrom: ann@s.example\nFrom: Victim <victim@v.example>\nTo: hank@b.example\n\nx"
        );
        let m = parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap();
        assert!(m.sender_ambiguous);
        let d = decide(&m, scored(9.0), &settings(&u, &c));
        assert_eq!(d.action, Action::File, "{:?}", d.reasons);
        assert!(d.reasons.iter().any(|r| r.rule == "policy:ambiguous-contact"), "{:?}", d.reasons);
        assert!(d.reasons.iter().any(|r| r.excerpt.contains("more than one sender")), "{:?}", d.reasons);
        let group = format!("{AUTH_OK}From: ann@s.example, bob@s.example\nTo: hank@b.example\n\nx");
        let m = parse(group.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap();
        assert_eq!(reply_eligibility(&m, &u, true), Err(NoReply::AmbiguousSender));
    }

    #[test]
    fn forged_known_contact_is_a_stranger() {
        let u = users();
        let c = Contacts::new(["ann@s.example"]);
        let forged = "Authentication-Results: mx.b.example; spf=fail smtp.mailfrom=s.example; dmarc=fail header.from=s.example\n";
        let d = decide(&msg(forged), scored(9.0), &settings(&u, &c));
        assert_eq!(d.action, Action::File, "{:?}", d.reasons);
        assert!(d.reasons.iter().any(|r| r.rule == "policy:forged-contact"));
        assert!(d.reasons.iter().any(|r| r.excerpt.contains("authentication failure")));
    }

    #[test]
    fn every_reply_exclusion_files_instead_with_its_reason() {
        let (u, c) = (users(), Contacts::default());
        let s = settings(&u, &c);
        let cases: &[(&str, &str)] = &[
            ("Auto-Submitted: auto-generated\n", "Auto-Submitted"),
            ("List-Id: <l.s.example>\n", "List-Id"),
            ("List-Unsubscribe: <mailto:u@s.example>\n", "List-Unsubscribe"),
            ("Precedence: bulk\n", "Precedence"),
            ("Precedence: junk\n", "Precedence"),
            ("X-Auto-Response-Suppress: OOF, AutoReply\n", "X-Auto-Response-Suppress"),
            ("X-Auto-Response-Suppress: All\n", "X-Auto-Response-Suppress"),
            ("X-Auto-Response-Suppress: AutoReply\n", "X-Auto-Response-Suppress"),
            // Every occurrence counts, and only the keyword "no" means a person.
            ("Auto-Submitted: no\nAuto-Submitted: auto-generated\n", "Auto-Submitted"),
            ("Auto-Submitted: notified\n", "Auto-Submitted"),
            ("Precedence: normal\nPrecedence: bulk\n", "Precedence"),
            ("Precedence: bulk; x\n", "Precedence"),
            ("X-Auto-Response-Suppress: DR\nX-Auto-Response-Suppress: OOF\n", "X-Auto-Response-Suppress"),
        ];
        for (header, why) in cases {
            let d = decide(&msg(&format!("{AUTH_OK}{header}")), scored(9.0), &s);
            assert_eq!(d.action, Action::File, "{header}");
            assert!(
                d.reasons.iter().any(|r| r.excerpt.to_lowercase().contains(&why.to_lowercase())),
                "{header}: {:?}",
                d.reasons
            );
        }
        let m = |raw: &str| parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap();
        let other: &[(String, &str)] = &[
            (format!("{AUTH_OK}Return-Path: <>\nFrom: ann@s.example\nTo: hank@b.example\n\nx"), "null"),
            (format!("{AUTH_OK}From: no-reply@s.example\nTo: hank@b.example\n\nx"), "robot"),
            (format!("{AUTH_OK}From: ann@s.example\nTo: list@b.example\n\nx"), "not addressed"),
            ("Authentication-Results: mx.b.example; spf=pass smtp.mailfrom=s.example; dkim=fail header.d=s.example; dmarc=pass header.from=s.example\nFrom: ann@s.example\nTo: hank@b.example\n\nx".into(), "authentication failure"),
            ("Authentication-Results: mx.b.example; spf=none; dkim=none\nFrom: ann@s.example\nTo: hank@b.example\n\nx".into(), "not authenticated"),
            ("From: ann@s.example\nTo: hank@b.example\n\nx".into(), "not authenticated"),
            (format!("{AUTH_OK}To: hank@b.example\nSubject: no from\n\nx"), "no From"),
        ];
        for (raw, why) in other {
            let d = decide(&m(raw), scored(9.0), &s);
            assert_eq!(d.action, Action::File, "{why}");
            assert!(d.reasons.iter().any(|r| r.excerpt.contains(why)), "{why}: {:?}", d.reasons);
        }
        // Auto-Submitted: no is a person writing.
        assert_eq!(decide(&msg(&format!("{AUTH_OK}Auto-Submitted: no\n")), scored(9.0), &s).action, Action::Decline);
        // Cc counts as addressed to the user.
        let cc = m(&format!("{AUTH_OK}From: ann@s.example\nTo: x@s.example\nCc: Hank <HANK@b.example>\n\nx"));
        assert_eq!(decide(&cc, scored(9.0), &s).action, Action::Decline);
    }

    #[test]
    fn unauthenticated_may_reply_only_when_the_user_allows_it() {
        let (u, c) = (users(), Contacts::default());
        let lax = Settings { require_authenticated: false, ..settings(&u, &c) };
        assert_eq!(decide(&msg(""), scored(9.0), &lax).action, Action::Decline);
        assert_eq!(decide(&msg(""), scored(9.0), &settings(&u, &c)).action, Action::File);
    }

    #[test]
    fn replies_go_to_the_return_path_else_a_dmarc_verified_from() {
        let m = |raw: &str| parse(raw.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap();
        let bounce = m(&format!("{AUTH_OK}Return-Path: <ann.smith@mail.s.example>\nFrom: ann@s.example\n\nx"));
        assert_eq!(reply_target(&bounce), Ok("ann.smith@mail.s.example".into()));
        // No Return-Path: From only when DMARC passed for its domain.
        assert_eq!(reply_target(&m(&format!("{AUTH_OK}From: ann@s.example\n\nx"))), Ok("ann@s.example".into()));
        // An envelope sender on another domain (an ESP's bounce robot, or a replay):
        // the DMARC-verified From instead, or nothing.
        let esp = m(&format!("{AUTH_OK}Return-Path: <b-123@mail.esp.example>\nFrom: ann@s.example\n\nx"));
        assert_eq!(reply_target(&esp), Ok("ann@s.example".into()));
        let replay = m(
            "Authentication-Results: mx.b.example; dkim=pass header.d=s.example\nReturn-Path: <victim@t.example>\nFrom: ann@s.example\n\nx",
        );
        assert_eq!(reply_target(&replay), Err(NoReply::UnalignedReturnPath("victim@t.example".into())));
        let spf_only = "Authentication-Results: mx.b.example; spf=pass smtp.mailfrom=s.example\n";
        let no_dmarc = m(&format!("{spf_only}From: ann@s.example\n\nx"));
        assert_eq!(reply_target(&no_dmarc), Err(NoReply::NoReplyAddress("s.example".into())));
        let other_domain = "Authentication-Results: mx.b.example; dmarc=pass header.from=t.example\n";
        assert!(reply_target(&m(&format!("{other_domain}From: ann@s.example\n\nx"))).is_err());
        // On the From domain but without an SPF pass for it (a replayed signature from
        // a host SPF does not fail outright): the DMARC-verified From, not the envelope.
        let neutral = "Authentication-Results: mx.b.example; spf=neutral smtp.mailfrom=s.example; dkim=pass header.d=s.example; dmarc=pass header.from=s.example\n";
        let replayed = m(&format!("{neutral}Return-Path: <victim@s.example>\nFrom: attacker@s.example\n\nx"));
        assert_eq!(reply_target(&replayed), Ok("attacker@s.example".into()));
        let robot = m(&format!("{AUTH_OK}Return-Path: <mailer-daemon@s.example>\nFrom: ann@s.example\n\nx"));
        assert!(matches!(reply_target(&robot), Err(NoReply::RobotSender(_))));
        // Even with authentication not required, an unverified From without Return-Path gets nothing.
        let (u, c) = (users(), Contacts::default());
        let lax = Settings { require_authenticated: false, ..settings(&u, &c) };
        let d = decide(&m("From: ann@s.example\nTo: hank@b.example\n\nx"), scored(9.0), &lax);
        assert_eq!(d.action, Action::File);
        assert!(d.reasons.iter().any(|r| r.excerpt.contains("no Return-Path")), "{:?}", d.reasons);
    }

    #[test]
    fn a_reply_in_a_thread_the_user_started_is_kept() {
        let (u, c) = (users(), Contacts::default());
        let sent: std::collections::HashSet<String> = ["mine@b.example".to_string()].into();
        let s = Settings { sent_ids: &sent, ..settings(&u, &c) };
        let m = |h: &str| {
            parse(
                format!("{AUTH_OK}{h}From: ann@s.example\nTo: hank@b.example\n\nx").as_bytes(),
                Limits::default(),
                Some("mx.b.example"),
            )
            .unwrap()
        };
        let d = decide(&m("In-Reply-To: <mine@b.example>\n"), scored(20.0), &s);
        assert_eq!(d.action, Action::Keep);
        assert_eq!(d.reasons[0].rule, "policy:your-thread");
        assert_eq!(decide(&m("References: <x@y> <mine@b.example>\n"), scored(20.0), &s).action, Action::Keep);
        assert_eq!(decide(&m("In-Reply-To: <other@b.example>\n"), scored(20.0), &s).action, Action::Decline);
    }

    #[test]
    fn unreadable_messages_are_kept_with_the_error() {
        let d = unreadable(&"bad bytes");
        assert_eq!(d.action, Action::Keep);
        assert!(d.reasons[0].excerpt.contains("bad bytes"));
    }

    #[test]
    fn a_truncated_text_is_said_in_the_reasons() {
        let (u, c) = (users(), Contacts::default());
        let s = settings(&u, &c);
        let long = format!(
            "{AUTH_OK}From: Ann <ann@s.example>\nTo: hank@b.example\nSubject: hi\n\n{}",
            "Who are your clients? ".repeat(20_000)
        );
        let m = parse(long.as_bytes(), Limits::default(), Some("mx.b.example")).unwrap();
        assert!(m.text.truncated);
        let d = decide(&m, scored(9.0), &s);
        assert!(d.reasons.iter().any(|r| r.rule == "policy:truncated" && r.weight == 0.0), "{:?}", d.reasons);
        let short = msg(AUTH_OK);
        assert!(!decide(&short, scored(9.0), &s).reasons.iter().any(|r| r.rule == "policy:truncated"));
    }
}
