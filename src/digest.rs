//! The daily digest: what was filed and declined since the last one, grouped by
//! category, as a plain-text and HTML message the daemon APPENDs to the inbox (no
//! SMTP involved). Pure: journal records in, message bytes out.

use crate::classify::Reason;
use crate::state::Record;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use std::collections::BTreeMap;
use std::time::SystemTime;

const TEXT: &str = r#"screener {{ period }}: {{ filed }} filed, {{ declined }} declined.
{% for group in groups %}
{{ group.category }} ({{ group.items | length }})
{% for i in group.items %}  #{{ i.id }}  {{ i.action }}  {{ i.score }}  {{ i.sender }}  {{ i.subject }}
        {{ i.why }}
{% endfor %}{% endfor %}
Something here you wanted? Move it back to your inbox: screener learns from that,
never screens that sender again, and the reply (if one is still queued) is not sent.
Or run: screener release <number>
Details: screener explain <number>
"#;

const HTML: &str = r#"<!DOCTYPE html>
<html><body style="font-family: sans-serif">
<p>screener {{ period }}: <b>{{ filed }}</b> filed, <b>{{ declined }}</b> declined.</p>
{% for group in groups %}<h3>{{ group.category }} ({{ group.items | length }})</h3>
<table cellpadding="4">
{% for i in group.items %}<tr><td>#{{ i.id }}</td><td>{{ i.action }}</td><td>{{ i.score }}</td><td>{{ i.sender }}</td><td>{{ i.subject }}<br><small>{{ i.why }}</small></td></tr>
{% endfor %}</table>
{% endfor %}
<p>Something here you wanted? Move it back to your inbox: screener learns from that,
never screens that sender again, and a reply still queued is not sent.
Or run <code>screener release &lt;number&gt;</code>; details: <code>screener explain &lt;number&gt;</code>.</p>
</body></html>
"#;

#[derive(serde::Serialize)]
struct Item {
    id: i64,
    action: String,
    score: String,
    sender: String,
    subject: String,
    why: String,
}

#[derive(serde::Serialize)]
struct Group {
    category: String,
    items: Vec<Item>,
}

/// The reason that weighed most, or the first policy step for a kept message.
pub fn top_reason(reasons: &[Reason]) -> Option<&Reason> {
    reasons
        .iter()
        .filter(|r| r.weight > 0.0 && !r.rule.starts_with("cap:"))
        .max_by(|a, b| a.weight.total_cmp(&b.weight))
        .or_else(|| reasons.iter().find(|r| r.rule.starts_with("policy:")))
}

/// The digest message: From and To the user, `Auto-Submitted: auto-generated`, a
/// Message-ID made from `day` so that it is recognised after a crash. None when
/// nothing was filed or declined (no empty digests).
pub fn compose(
    records: &[Record],
    user_name: Option<&str>,
    user_address: &str,
    day: &str,
    period: &str,
    now: SystemTime,
) -> Option<(String, Vec<u8>)> {
    let acted: Vec<&Record> =
        records.iter().filter(|r| matches!(r.action.as_str(), "file" | "decline") && r.outcome == "done").collect();
    if acted.is_empty() {
        return None;
    }
    let mut groups: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for r in &acted {
        let reasons: Vec<Reason> = serde_json::from_str(&r.reasons).unwrap_or_default();
        let why = top_reason(&reasons).map(|t| format!("{}: {}", t.rule, t.excerpt)).unwrap_or_default();
        groups.entry(r.category.clone().unwrap_or_else(|| "other".into())).or_default().push(Item {
            id: r.id,
            action: r.action.clone(),
            score: format!("{:.1}", r.score),
            sender: crate::reply::one_line(r.sender.as_deref().unwrap_or("(no sender)")),
            subject: crate::reply::one_line(r.subject.as_deref().unwrap_or("")),
            why: crate::reply::one_line(&why),
        });
    }
    let filed = acted.iter().filter(|r| r.action == "file").count();
    let declined = acted.len() - filed;
    let groups: Vec<Group> = groups.into_iter().map(|(category, items)| Group { category, items }).collect();
    let ctx = minijinja::context! { groups, filed, declined, period };
    let mut env = minijinja::Environment::new();
    // HTML escaping for the HTML part only: names and subjects are the senders' words.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") { minijinja::AutoEscape::Html } else { minijinja::AutoEscape::None }
    });
    env.add_template("digest.txt", TEXT).ok()?;
    env.add_template("digest.html", HTML).ok()?;
    let text = env.get_template("digest.txt").ok()?.render(&ctx).ok()?;
    let html = env.get_template("digest.html").ok()?.render(&ctx).ok()?;

    let domain = user_address.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let message_id = format!("screener-digest.{day}@{domain}");
    let address: lettre::Address = user_address.parse().ok()?;
    let name = user_name.map(|n| format!("screener for {}", crate::reply::one_line(n))).unwrap_or("screener".into());
    let subject = format!("screener: {filed} filed, {declined} declined ({period})");
    let message = lettre::Message::builder()
        .from(Mailbox::new(Some(name), address.clone()))
        .to(Mailbox::new(user_name.map(crate::reply::one_line), address))
        .subject(subject)
        .date(now)
        .message_id(Some(format!("<{message_id}>")))
        .header(AutoGenerated)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .ok()?;
    Some((message_id, message.formatted()))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): nobody's autoresponder answers it.
#[derive(Debug, Clone)]
struct AutoGenerated;

impl Header for AutoGenerated {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoGenerated)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, action: &str, category: &str, sender: &str, subject: &str) -> Record {
        Record {
            id,
            time: "2026-11-26T07:00:00Z".into(),
            mailbox: "INBOX".into(),
            uid: id as u32,
            message_id: Some(format!("{id}@x")),
            sender: Some(sender.into()),
            subject: Some(subject.into()),
            score: 9.5,
            action: action.into(),
            category: Some(category.into()),
            reasons:
                r#"[{"rule":"clients-who","category":"client-fishing","weight":4.5,"excerpt":"who are your clients"}]"#
                    .into(),
            target: Some("Screened/Extractive".into()),
            outcome: "done".into(),
            detail: None,
        }
    }

    #[test]
    fn groups_by_category_escapes_html_and_says_how_to_release() {
        let records = vec![
            record(1, "file", "client-fishing", "a@x.example", "Who are your <b>clients</b>?"),
            record(2, "decline", "intro-request", "b@y.example", "Intro?"),
            record(3, "keep", "-", "c@z.example", "hello"),
        ];
        let (id, raw) =
            compose(&records, Some("Hank"), "hank@b.example", "2026-11-26", "since yesterday", SystemTime::now())
                .unwrap();
        assert_eq!(id, "screener-digest.2026-11-26@b.example");
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("screener: 1 filed, 1 declined (since yesterday)"));
        let text = parsed.body_text(0).unwrap();
        let html = parsed.body_html(0).unwrap();
        assert!(text.contains("client-fishing (1)") && text.contains("intro-request (1)"), "{text}");
        assert!(text.contains("#1") && text.contains("screener release"), "{text}");
        assert!(!text.contains("hello"), "kept mail is not listed");
        assert!(html.contains("&lt;b&gt;clients") && !html.contains("<b>clients</b>"), "{html}");
        assert!(String::from_utf8_lossy(&raw).contains("Auto-Submitted: auto-generated"));
    }

    #[test]
    fn nothing_filed_means_no_digest() {
        let records = vec![record(3, "keep", "-", "c@z.example", "hello")];
        assert!(compose(&records, None, "hank@b.example", "d", "p", SystemTime::now()).is_none());
    }
}
