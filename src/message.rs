//! Message understanding: raw RFC 5322 bytes in, a normalized view out. Pure: no I/O.
//!
//! Everything the classifier and the policy need is extracted here once, so that
//! neither of them touches MIME, charsets or header syntax.

pub(crate) mod auth;
mod normalize;
mod quoted;

pub use auth::{AuthResult, AuthVerdicts};
pub use normalize::normalize;

use mail_parser::{Address, HeaderName, HeaderValue, MessageParser};
use std::sync::LazyLock;

/// Only the headers read through mail-parser's typed accessors are parsed. The rest
/// are read from `headers_raw`, which slices the original bytes, so mail-parser is told
/// to skip them rather than copy them into values nobody reads (Received alone cost
/// more than all others together on real mail).
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_minimal_headers()
        .with_message_ids()
        .ignore_header(HeaderName::Received)
        .default_header_ignore()
});
use serde::Serialize;

/// Why a message could not be read. Such a message is left alone.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("no RFC 5322 header found: this does not look like an email message")]
    NoHeaders,
}

/// How much of a message is looked at.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of decoded text (subject plus body) that are scored.
    pub max_scored_bytes: usize,
}

impl Limits {
    /// Raw bytes parsed: enough for the headers and the first text parts, however
    /// large the attachments behind them. The daemon fetches the same prefix.
    pub fn max_raw_bytes(&self) -> usize {
        self.max_scored_bytes.saturating_mul(4).max(64 * 1024)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_scored_bytes: 256 * 1024 }
    }
}

/// An address with its display name. Addresses are lowercased; names have control
/// characters replaced so they can never inject a line into a log or a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// The envelope sender recorded at delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "address")]
pub enum ReturnPath {
    Missing,
    /// `<>`: a bounce or another automatic message; never answer it.
    Null,
    Address(String),
}

/// Headers by which machines mark mail that must never get an automatic answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MachineMarkers {
    pub auto_submitted: Option<String>,
    /// Names of the List-* headers present (List-Id, List-Unsubscribe, ...).
    pub list_headers: Vec<String>,
    pub precedence: Option<String>,
    pub x_auto_response_suppress: Option<String>,
    /// The From or Return-Path local part is noreply, mailer-daemon, a list robot...
    pub robot_sender: bool,
}

impl MachineMarkers {
    /// The Precedence value when it marks bulk or list mail (bulk, list, junk).
    pub fn bulk_precedence(&self) -> Option<&str> {
        self.precedence.as_deref().filter(|p| matches!(first_token(p), "bulk" | "list" | "junk"))
    }
}

/// The keyword a header value starts with: "auto-generated" in
/// "auto-generated; type=feedback", "bulk" in "bulk (list mail)".
pub fn first_token(value: &str) -> &str {
    value.trim_start().split([';', ' ', '\t', '(', ',']).next().unwrap_or("")
}

/// The normalized text the rules are matched against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Text {
    pub subject: String,
    /// What the sender wrote: quoted history, forwarded originals and signatures removed.
    pub body: String,
    /// True when the text was cut at `max_scored_bytes`.
    pub truncated: bool,
}

/// What the quoted history reveals about the thread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    pub present: bool,
    pub addresses: Vec<String>,
    pub names: Vec<String>,
    /// The message this one answers, in brief.
    pub latest: Option<quoted::Quoted>,
}

/// The normalized view of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub from: Option<Mailbox>,
    /// More than one From header, or a From naming more than one mailbox: who wrote
    /// is unknown, so the sender is neither a known contact nor owed a reply.
    pub sender_ambiguous: bool,
    pub reply_to: Vec<Mailbox>,
    pub return_path: ReturnPath,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    /// RFC 3339, when the Date header parses.
    pub date: Option<String>,
    /// The decoded subject as the sender wrote it (control characters replaced).
    pub subject: String,
    pub machine: MachineMarkers,
    pub auth: AuthVerdicts,
    pub text: Text,
    pub history: History,
}

impl Message {
    /// True when the user's server recorded that the From address is not what it
    /// claims (`AuthVerdicts::from_forged`; list mail may be excused by its ARC seal).
    /// The policy distrusts a "known contact" for it and rules can weigh it.
    pub fn from_forged(&self) -> bool {
        self.from
            .as_ref()
            .is_some_and(|from| self.auth.from_forged(from.domain(), !self.machine.list_headers.is_empty()))
    }
}

/// Parses raw message bytes (an mbox `From ` line first is allowed) into the
/// normalized view. `authserv_id` selects which Authentication-Results to believe.
pub fn parse(raw: &[u8], limits: Limits, authserv_id: Option<&str>) -> Result<Message, ParseError> {
    let unix_lines = classic_mac_lines_to_lf(raw);
    let raw = strip_mbox_from_line(unix_lines.as_deref().unwrap_or(raw));
    let raw = &raw[..raw.len().min(limits.max_raw_bytes())];
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let parsed = PARSER.parse(raw).ok_or(ParseError::NoHeaders)?;
    if parsed.headers().is_empty() {
        return Err(ParseError::NoHeaders);
    }

    // Every header, its bytes read lossily: mail-parser's `headers_raw` skips a value
    // that is not UTF-8, and a List-Id or Authentication-Results header must not
    // vanish because the sender put one Latin-1 byte in it.
    let raw_headers: Vec<(&str, std::borrow::Cow<'_, str>)> = parsed
        .parts
        .first()
        .map(|part| part.headers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|h| {
            let bytes = parsed.raw_message.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default();
            (h.name.as_str(), String::from_utf8_lossy(bytes))
        })
        .collect();
    let header = |name: &str| {
        raw_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| clean(v).trim().to_ascii_lowercase())
    };

    let from_mailboxes = mailboxes(parsed.from());
    // Which of several From headers, or of several mailboxes in one, the server
    // authenticated is unknown, and mail-parser reads the last header.
    let from_headers = raw_headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("From")).count();
    let sender_ambiguous = from_headers > 1 || from_mailboxes.len() > 1;
    let from = from_mailboxes.into_iter().next();
    // Every occurrence of a machine marker counts: "Auto-Submitted: no" above
    // "Auto-Submitted: auto-generated" is still a machine's mail.
    let all = |name: &str| -> Vec<String> {
        raw_headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| clean(v).trim().to_ascii_lowercase())
            .collect()
    };
    let auto_submitted = all("Auto-Submitted");
    let precedence = all("Precedence");
    let suppress = all("X-Auto-Response-Suppress");
    let return_path = match header("Return-Path") {
        None => ReturnPath::Missing,
        Some(v) => {
            let addr = v.trim_start_matches('<').trim_end_matches('>').trim().to_string();
            if addr.is_empty() { ReturnPath::Null } else { ReturnPath::Address(addr) }
        }
    };
    let robot_sender = from.as_ref().is_some_and(|m| is_robot_address(&m.address))
        || matches!(&return_path, ReturnPath::Address(a) if is_robot_address(a));
    let machine = MachineMarkers {
        auto_submitted: auto_submitted.iter().find(|v| first_token(v) != "no").or(auto_submitted.first()).cloned(),
        list_headers: raw_headers
            .iter()
            .filter(|(n, _)| n.len() > 5 && n.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("list-")))
            .map(|(n, _)| n.to_string())
            .collect(),
        precedence: precedence
            .iter()
            .find(|v| matches!(first_token(v), "bulk" | "list" | "junk"))
            .or(precedence.first())
            .cloned(),
        x_auto_response_suppress: (!suppress.is_empty()).then(|| suppress.join(", ")),
        robot_sender,
    };
    let auth = AuthVerdicts::from_headers(raw_headers.iter().map(|(n, v)| (*n, v.as_ref())), authserv_id);

    let subject = clean(parsed.subject().unwrap_or(""));
    let mut body = String::new();
    // The subject counts against the budget too: a sender must not be able to have
    // a megabyte scored by putting it in the Subject.
    let mut truncated = subject.len() > limits.max_scored_bytes;
    let scored_subject =
        normalized_within(&subject[..subject.floor_char_boundary(limits.max_scored_bytes)], limits.max_scored_bytes);
    let budget = limits.max_scored_bytes.saturating_sub(scored_subject.len());
    for i in 0..parsed.text_body_count() {
        let Some(part) = parsed.body_text(i) else { continue };
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&part);
        if body.len() >= budget {
            truncate_at_char(&mut body, budget);
            truncated = true;
            break;
        }
    }
    if !truncated && let Some(html) = hidden_html(&parsed, &body) {
        body.push('\n');
        body.push_str(&html);
        truncate_at_char(&mut body, budget);
    }
    let sender: Vec<&str> =
        from.iter().flat_map(|m| std::iter::once(m.address.as_str()).chain(m.name.as_deref())).collect();
    let mut split = quoted::split(&body, &sender);
    if let Some(latest) = split.latest.as_mut() {
        latest.text = normalize(&latest.text);
    }

    Ok(Message {
        reply_to: mailboxes(parsed.reply_to()),
        to: parsed.all_to().flat_map(|a| mailboxes(Some(a))).collect(),
        cc: parsed.all_cc().flat_map(|a| mailboxes(Some(a))).collect(),
        message_id: parsed.message_id().map(|id| clean(id).to_string()),
        in_reply_to: ids(parsed.in_reply_to()),
        references: ids(parsed.references()),
        date: parsed.date().map(|d| d.to_rfc3339()),
        text: Text { subject: scored_subject, body: normalized_within(&split.written, budget), truncated },
        history: History {
            present: split.has_history,
            addresses: split.quoted_addresses,
            names: split.quoted_names,
            latest: split.latest,
        },
        subject: subject.into_owned(),
        from,
        sender_ambiguous,
        return_path,
        machine,
        auth,
    })
}

/// The text of an HTML alternative that says much more than the plain one. Mail
/// clients show the HTML; a sender who puts "Hello." in the plain part and the ask in
/// the HTML must not have only "Hello." scored. Checked only when the plain text is
/// short, so ordinary alternatives are never converted twice.
fn hidden_html(parsed: &mail_parser::Message, plain: &str) -> Option<String> {
    let plain_len = plain.trim().len();
    if plain_len >= 200 || parsed.text_body_count() == 0 {
        return None;
    }
    let mut html = String::new();
    for i in 0..parsed.html_body_count() {
        if let Some(part) = parsed.html_part(i as u32)
            && let mail_parser::PartType::Html(h) = &part.body
        {
            html.push_str(&mail_parser::decoders::html::html_to_text(h));
            html.push('\n');
        }
    }
    (html.trim().len() > 2 * plain_len + 100).then_some(html)
}

/// `text` normalized, at most `budget` bytes: NFKC can expand a character many times
/// (U+FDFA is 18 letters), and the text was cut to the budget before normalization.
fn normalized_within(text: &str, budget: usize) -> String {
    let mut normalized = normalize(text);
    if normalized.len() > budget {
        truncate_at_char(&mut normalized, budget);
    }
    normalized
}

/// True for local parts that belong to software, not people: RFC 3834 §3.1 and
/// common practice (noreply, mailer-daemon, list robots, and the notification
/// senders of calendars and platforms, which relay a person's words from their own
/// address: a reply there reaches nobody).
pub fn is_robot_address(address: &str) -> bool {
    let local = address.rsplit_once('@').map_or(address, |(l, _)| l).to_ascii_lowercase();
    let squashed: String = local.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    squashed.contains("noreply")
        || squashed.contains("donotreply")
        || squashed.contains("donotrespond")
        || squashed.contains("notification")
        || squashed.starts_with("notify")
        || squashed.starts_with("autorespon")
        || squashed.starts_with("autoreply")
        || squashed.starts_with("mailerdaemon")
        || squashed.starts_with("postmaster")
        || squashed.starts_with("listserv")
        || squashed.starts_with("majordomo")
        || squashed.starts_with("bounce")
        || local.ends_with("-request")
        || local.starts_with("owner-")
        || local.ends_with("-owner")
        || local.ends_with("-bounces")
}

/// A file saved with classic Mac line ends (CR alone) reads to mail-parser as one
/// header line and no body, so such a message would be kept without anyone learning
/// it was never read. Only a text with CR and no LF at all is converted: a stray CR
/// in LF or CRLF mail is left as it is.
fn classic_mac_lines_to_lf(raw: &[u8]) -> Option<Vec<u8>> {
    let head = &raw[..raw.len().min(64 * 1024)];
    (head.contains(&b'\r') && !head.contains(&b'\n'))
        .then(|| raw.iter().map(|&b| if b == b'\r' { b'\n' } else { b }).collect())
}

/// What comes before the first header: an mbox `From ` line, or a UTF-8 byte order
/// mark (some Windows tools save .eml files with one, and it hides the first header).
fn strip_mbox_from_line(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    if raw.starts_with(b"From ") {
        match raw.iter().position(|&b| b == b'\n') {
            Some(nl) => &raw[nl + 1..],
            None => &[],
        }
    } else {
        raw
    }
}

fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// The Message-ID of a header block, as [`parse`] reads it into `Message::message_id`:
/// for matching a message found on the server against one that was journaled.
pub fn header_message_id(header: &[u8]) -> Option<String> {
    PARSER.parse_headers(header)?.message_id().map(|id| clean(id).to_string())
}

/// Replaces control characters (CR, LF, NUL, ESC ...) with spaces.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
    } else {
        s.into()
    }
}

fn mailboxes(address: Option<&Address>) -> Vec<Mailbox> {
    let Some(address) = address else { return Vec::new() };
    address
        .iter()
        .filter_map(|a| {
            let addr = a.address()?.trim().to_ascii_lowercase();
            if addr.is_empty() {
                return None;
            }
            let name = a.name().map(|n| clean(n).trim().to_string()).filter(|n| !n.is_empty());
            Some(Mailbox { name, address: clean(&addr).into_owned() })
        })
        .collect()
}

fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![clean(t).into_owned()],
        HeaderValue::TextList(list) => list.iter().map(|t| clean(t).into_owned()).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Message {
        parse(s.as_bytes(), Limits::default(), Some("mx.example.org")).unwrap()
    }

    #[test]
    fn normalization_cannot_grow_the_text_past_the_budget() {
        // U+FDFA becomes 18 letters under NFKC.
        let body = "\u{FDFA}".repeat(3000);
        let raw = format!("From: a@s.example\nSubject: s\nContent-Type: text/plain; charset=utf-8\n\n{body}");
        let limits = Limits { max_scored_bytes: 4096 };
        let m = parse(raw.as_bytes(), limits, None).unwrap();
        assert!(m.text.truncated);
        assert!(m.text.body.len() <= 4096, "{}", m.text.body.len());
    }

    #[test]
    fn a_huge_subject_counts_against_the_budget() {
        let subject = "hello ".repeat(3400) + "who are your clients?";
        let raw = format!("From: a@s.example\nSubject: {subject}\n\nThanks.\n");
        let m = parse(raw.as_bytes(), Limits { max_scored_bytes: 1024 }, None).unwrap();
        assert!(m.text.truncated);
        assert!(m.text.subject.len() + m.text.body.len() <= 1024, "{}", m.text.subject.len());
        assert!(!m.text.subject.contains("clients"), "text past the budget is not scored");
        assert_eq!(m.subject, subject.trim_end(), "the subject itself is kept whole for display");
    }

    #[test]
    fn a_header_that_is_not_utf8_is_still_seen() {
        let raw = b"From: ann@s.example\nList-Id: Caf\xe9 <cafe.s.example>\nAuthentication-Results: mx.b.example; dkim=fail header.i=\xe9@s.example\nTo: hank@b.example\nSubject: hi\n\nbody";
        let m = parse(raw, Limits::default(), Some("mx.b.example")).unwrap();
        assert_eq!(m.machine.list_headers.len(), 1);
        assert!(m.machine.list_headers[0].eq_ignore_ascii_case("list-id"));
        assert!(m.auth.any_failed(), "{:?}", m.auth);
    }

    #[test]
    fn headers_are_extracted() {
        let m = parse_str(
            "From \"Ann O'Neil\" Mon Jan  5 10:00:00 2026\nReturn-Path: <Ann@X.example>\nFrom: \"Ann O'Neil\" <Ann@X.example>\nTo: hank@bergstrom.example, Bo <bo@y.example>\nCc: cc@z.example\nReply-To: other@w.example\nSubject: =?utf-8?q?Caf=C3=A9?= chat\nMessage-ID: <abc@x.example>\nIn-Reply-To: <p@bergstrom.example>\nReferences: <o@x.example> <p@bergstrom.example>\nDate: Mon, 5 Jan 2026 10:00:00 +0000\nList-Unsubscribe: <mailto:u@x.example>\nPrecedence: Bulk\n\nHello there.\n",
        );
        let from = m.from.as_ref().unwrap();
        assert_eq!(from.address, "ann@x.example");
        assert_eq!(from.name.as_deref(), Some("Ann O'Neil"));
        assert_eq!(m.return_path, ReturnPath::Address("ann@x.example".into()));
        assert_eq!(m.to.len(), 2);
        assert_eq!(m.cc[0].address, "cc@z.example");
        assert_eq!(m.reply_to[0].address, "other@w.example");
        assert_eq!(m.subject, "Café chat");
        assert_eq!(m.text.subject, "cafe chat");
        assert_eq!(m.message_id.as_deref(), Some("abc@x.example"));
        assert_eq!(m.in_reply_to, ["p@bergstrom.example"]);
        assert_eq!(m.references, ["o@x.example", "p@bergstrom.example"]);
        assert_eq!(m.date.as_deref(), Some("2026-01-05T10:00:00Z"));
        assert_eq!(m.machine.list_headers, ["List-Unsubscribe"]);
        assert_eq!(m.machine.precedence.as_deref(), Some("bulk"));
        assert_eq!(m.text.body, "hello there.");
    }

    #[test]
    fn null_return_path_and_robots() {
        let m = parse_str("Return-Path: <>\nFrom: MAILER-DAEMON@x.example\nSubject: failure\n\nbounced");
        assert_eq!(m.return_path, ReturnPath::Null);
        assert!(m.machine.robot_sender);
        for robot in [
            "no-reply@x",
            "noreply@x",
            "do_not_reply@x",
            "postmaster@x",
            "list-request@x",
            "owner-list@x",
            "listserv@x",
            "majordomo@x",
            "calendar-notification@x",
            "notifications@x",
            "notify@x",
            "do-not-respond@x",
            "autoresponder@x",
        ] {
            assert!(is_robot_address(robot), "{robot}");
        }
        for person in ["hank@x", "norene@x", "replyguy@x", "notley@x"] {
            assert!(!is_robot_address(person), "{person}");
        }
    }

    #[test]
    fn html_only_body_becomes_text() {
        let m = parse_str(
            "From: a@x.example\nSubject: hi\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>You have an <b>impressive</b>&nbsp;network.</p></body></html>",
        );
        assert!(m.text.body.contains("you have an impressive network."), "{}", m.text.body);
    }

    #[test]
    fn base64_quoted_printable_and_latin1_decode() {
        let m = parse_str(
            "From: a@x.example\nSubject: x\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nQui sont vos clients? Pr=E9sentez-moi.\n",
        );
        assert_eq!(m.text.body, "qui sont vos clients? presentez-moi.");
        let m = parse_str(
            "From: a@x.example\nSubject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nV2hvIGFyZSB5b3VyIGNsaWVudHM/\n",
        );
        assert_eq!(m.text.body, "who are your clients?");
    }

    #[test]
    fn unknown_charset_still_yields_text() {
        let m = parse_str(
            "From: a@x.example\nSubject: x\nContent-Type: text/plain; charset=x-klingon-42\n\nplain words survive\n",
        );
        assert_eq!(m.text.body, "plain words survive");
    }

    #[test]
    fn attachments_are_skipped_and_alternatives_not_doubled() {
        let m = parse_str(
            "From: a@x.example\nSubject: x\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\nContent-Type: text/plain\n\nplain part\n--b2\nContent-Type: text/html\n\n<p>html part</p>\n--b2--\n--b1\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=deck.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n",
        );
        assert_eq!(m.text.body, "plain part");
    }

    #[test]
    fn quoted_history_is_not_scored() {
        let m = parse_str(
            "From: a@x.example\nSubject: Re: x\n\nNo thanks.\n\nOn Mon, Jan 5, 2026 at 9:00 AM Pushy <p@y.example> wrote:\n> who are your clients?\n",
        );
        assert_eq!(m.text.body, "no thanks.");
        assert!(m.history.present);
        assert_eq!(m.history.addresses, ["p@y.example"]);
    }

    #[test]
    fn nothing_before_a_signature_or_forward_marker_hides_the_text() {
        let ask = "Who are your clients? I would like a list.";
        for lead in ["--\n", "____________________\n", "From: Pat\nSent: now\nTo: Hank\nSubject: hi\n\n"] {
            let m = parse_str(&format!("From: p@s.example\nSubject: x\n\n{lead}{ask}\n"));
            assert!(m.text.body.contains("who are your clients"), "{lead:?}: {:?}", m.text.body);
        }
        // With something written above, the marker still ends the sender's text.
        let m = parse_str(&format!("From: p@s.example\nSubject: x\n\nThanks!\n--\n{ask}\n"));
        assert!(!m.text.body.contains("clients"), "{:?}", m.text.body);
    }

    #[test]
    fn an_html_alternative_that_says_much_more_is_read_too() {
        let raw = "From: p@s.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nHello.\n--b\nContent-Type: text/html\n\n<p>Hello.</p><p>I run a staffing firm and would love to know who your clients are, so that I can reach out to each of them and mention that you sent me. A list with emails would be perfect.</p>\n--b--\n";
        assert!(parse_str(raw).text.body.contains("who your clients are"));
        // The usual alternative, the same words twice, is read once.
        let same = raw.replace("Hello.\n--b\nContent-Type: text/html", "Hello. I run a staffing firm and would love to know who your clients are, so that I can reach out to each of them and mention that you sent me. A list with emails would be perfect.\n--b\nContent-Type: text/html");
        assert_eq!(parse_str(&same).text.body.matches("clients").count(), 1);
    }

    #[test]
    fn a_byte_order_mark_before_the_headers_is_ignored() {
        let m = parse_str("\u{feff}From: Ann <ann@s.example>\nSubject: hi\n\nbody\n");
        assert_eq!(m.from.map(|f| f.address), Some("ann@s.example".to_string()));
    }

    #[test]
    fn hostile_display_name_and_subject_lose_control_characters() {
        let m = parse_str(
            "From: =?utf-8?q?Evil=0D=0ABcc=3A_x=40y?= <e@x.example>\nSubject: =?utf-8?q?hi=0D=0ABcc=3A_victim=40x?=\n\nbody",
        );
        let name = m.from.unwrap().name.unwrap();
        assert!(!name.contains('\n') && !name.contains('\r'), "{name:?}");
        assert!(!m.subject.contains('\n') && !m.subject.contains('\r'), "{:?}", m.subject);
    }

    #[test]
    fn large_bodies_are_truncated_to_the_limit() {
        let body = "network ".repeat(100_000);
        let raw = format!("From: a@x.example\nSubject: big\n\n{body}");
        let m = parse(raw.as_bytes(), Limits { max_scored_bytes: 1000 }, None).unwrap();
        assert!(m.text.truncated);
        assert!(m.text.body.len() <= 1000);
    }

    #[test]
    fn classic_mac_line_ends_are_read_like_lf() {
        let lf =
            "From x@y Mon Jan  5 10:00:00 2026\nFrom: Ann <ann@x.example>\nSubject: Hello\n\nWho are your clients?\n";
        let cr = lf.replace('\n', "\r");
        let (a, b) = (parse_str(lf), parse(cr.as_bytes(), Limits::default(), None).unwrap());
        assert_eq!(b.from.as_ref().map(|f| f.address.as_str()), Some("ann@x.example"));
        assert_eq!((a.subject, a.text.body), (b.subject, b.text.body));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(parse(b"", Limits::default(), None), Err(ParseError::Empty));
        assert_eq!(parse(b" \n\n ", Limits::default(), None), Err(ParseError::Empty));
    }
}
