//! Separates what the sender wrote from what they quoted, forwarded or signed.
//!
//! Rules must judge the sender's own words: a polite reply quoting an extractive
//! message is not extractive, and a legal disclaimer full of "clients" and "recommend"
//! says nothing about the sender's intent.

use regex::Regex;
use std::sync::LazyLock;

/// The sender's own text and what the quoted history tells about the thread.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Split {
    /// The lines the sender wrote, joined with newlines.
    pub written: String,
    /// Addresses named in attribution lines ("On ..., Ann <ann@x> wrote:") and in
    /// the header blocks of quoted or forwarded originals, lowercased.
    pub quoted_addresses: Vec<String>,
    /// Names found in those attribution lines, lowercased.
    pub quoted_names: Vec<String>,
    /// True when something was cut away as quoted history or a forwarded original.
    pub has_history: bool,
}

static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    // English, French, Spanish, German, Dutch, Italian, Portuguese attribution lines.
    Regex::new(r"(?i)^\s*(on|le|el|am|op|il|em)\b.{0,300}\b(wrote|a [ée]crit|escribi[óo]|schrieb|schreef|ha scritto|escreveu)\s*:\s*$").unwrap()
});

static ORIGINAL_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(-{2,}\s*(original message|forwarded message|message d'origine|message transf[ée]r[ée]|mensaje original|mensaje reenviado)\s*-{2,}|begin forwarded message:|_{20,})\s*$").unwrap()
});

static FROM_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^\s*\*?(from|de|von)\s*:\*?\s").unwrap());

static DISCLAIMER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(confidentiality notice|disclaimer|this e-?mail (message )?(and any (files|attachments)|is confidential|may contain)|the information (contained )?in this (e-?mail|message|communication)|ce message (et toutes les pi[eè]ces jointes )?(est|sont) confidentiel|este (correo|mensaje) (electr[oó]nico )?(y sus anexos )?(es|contiene) (confidencial|informaci[oó]n))").unwrap()
});

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap());

/// Splits a plain-text body into the written part and the history. `sender` holds
/// the From address and display name: a follow-up that quotes or forwards the
/// sender's own earlier message ("just bumping this" above "On Tue, Vince <vince@x>
/// wrote: > ..." or above "-----Original Message----- From: Vince Caruso") still
/// asks what that message asked, so its lines count as written.
pub fn split(body: &str, sender: &[&str]) -> Split {
    let mut out = Split::default();
    let lines: Vec<&str> = body.lines().collect();
    let mut written: Vec<&str> = Vec::with_capacity(lines.len());
    let mut own_quote = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_end();
        if let Some(quoted) = trimmed.strip_prefix('>') {
            out.has_history = true;
            let quoted = quoted.trim_start();
            // Apple Mail puts the attribution inside the quote ("> On ..., Ann
            // <ann@x> wrote:"): it still says whose lines follow.
            if attribution_at(&[quoted], 0).is_some() {
                own_quote = names_sender(quoted, sender, &mut out);
            } else if own_quote && !quoted.starts_with('>') {
                // Only the sender's own lines: deeper levels quote someone else.
                written.push(quoted);
            }
            i += 1;
            continue;
        }
        let nothing_written = written.iter().all(|l| l.trim().is_empty());
        if trimmed == "--" || line == "-- " {
            if nothing_written {
                // A signature with no message above it: the "signature" is the message
                // (else a leading "--" would hide any ask from scoring).
                i += 1;
                continue;
            }
            break; // signature: everything below is signature or history below it
        }
        if let Some(span) = attribution_at(&lines, i) {
            out.has_history = true;
            own_quote = names_sender(&lines[i..i + span].join(" "), sender, &mut out);
            // Top-posted replies carry the whole history below the attribution; for
            // interleaved replies the `>` lines are skipped one by one above.
            if !own_quote && lines[i + span..].iter().all(|l| l.trim().is_empty() || l.trim_start().starts_with('>')) {
                break;
            }
            i += span;
            continue;
        }
        if may_start_original(trimmed) && ORIGINAL_MARKER.is_match(trimmed) || is_header_block(&lines, i) {
            out.has_history = true;
            // Only the author of the quoted original counts: a sender quoting their
            // own earlier mail "To: Hank" is not quoting Hank.
            let mut own = false;
            for l in lines[i..].iter().take(12) {
                if FROM_LINE.is_match(l) {
                    collect_people(l, &mut out);
                    let l = l.to_lowercase();
                    own |= sender.iter().any(|s| s.len() > 2 && l.contains(&s.to_lowercase()));
                }
            }
            if !own && !nothing_written {
                break;
            }
            // The sender's own original, or a forward with nothing written above it
            // (which is then what the sender has to say): skip its header lines,
            // keep its text.
            let blank = lines[i + 1..].iter().take(12).position(|l| l.trim().is_empty());
            i = blank.map_or(i + 1, |p| i + 2 + p);
            continue;
        }
        if !written.is_empty() && may_start_disclaimer(trimmed) && DISCLAIMER.is_match(trimmed) {
            break;
        }
        written.push(line);
        i += 1;
    }
    out.written = written.join("\n");
    out
}

/// An attribution line, possibly wrapped over two or three lines by the mail client.
/// Returns how many lines it spans.
fn attribution_at(lines: &[&str], i: usize) -> Option<usize> {
    if !starts_like_attribution(lines[i]) {
        return None;
    }
    let first = lines[i].trim();
    if first.len() > 400 {
        return None;
    }
    let mut joined = first.to_string();
    for span in 1..=3 {
        // Every attribution ends with a colon: most lines that start with "on" or "el"
        // are spared the regex.
        if joined.trim_end().ends_with(':') && ATTRIBUTION.is_match(&joined) {
            return Some(span);
        }
        let next = lines.get(i + span)?.trim();
        if next.is_empty() {
            return None;
        }
        joined.push(' ');
        joined.push_str(next);
    }
    None
}

/// The line's first word is "On" or its counterpart in another language. Called on
/// every line of every message, so it looks at bytes rather than splitting words.
fn starts_like_attribution(line: &str) -> bool {
    let line = line.trim_start();
    let b = line.as_bytes();
    let word = match b {
        [x, y, ..] => [x.to_ascii_lowercase(), y.to_ascii_lowercase()],
        _ => return false,
    };
    // Both bytes are ASCII once they match, so `line[2..]` is on a char boundary.
    matches!(&word, b"on" | b"le" | b"el" | b"am" | b"op" | b"il" | b"em")
        && line[2..].chars().next().is_none_or(char::is_whitespace)
}

// Cheap first-character checks that keep the regexes below off most lines.
fn may_start_original(line: &str) -> bool {
    matches!(line.trim_start().bytes().next(), Some(b'-' | b'_' | b'b' | b'B'))
}

fn may_start_disclaimer(line: &str) -> bool {
    // The first words DISCLAIMER can start with: "the" and "this" begin many lines,
    // the other words few, and this test costs a fraction of the regex.
    let word = line.trim_start().split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    line.len() > 10
        && ["confidentiality", "disclaimer", "this", "the", "ce", "este"].iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// `line` starts with `prefix`, ignoring ASCII case, leading blanks and a Markdown-ish `*`.
fn starts_with_ci(line: &str, prefix: &str) -> bool {
    let line = line.trim_start().trim_start_matches('*').as_bytes();
    line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// An Outlook-style block: "From: ..." followed closely by "Sent:"/"Date:" and
/// "To:"/"Subject:" lines, which begins a quoted original.
fn is_header_block(lines: &[&str], i: usize) -> bool {
    let starts = |l: &str, names: &[&str]| names.iter().any(|n| starts_with_ci(l, n));
    if !starts(lines[i], &["from:", "de :", "de:", "von:"]) {
        return false;
    }
    let window = &lines[i + 1..lines.len().min(i + 6)];
    window.iter().any(|l| starts(l, &["sent:", "date:", "envoy", "enviado:", "gesendet:"]))
        && window
            .iter()
            .any(|l| starts(l, &["to:", "subject:", "à :", "a :", "para:", "objet", "asunto:", "an:", "betreff:"]))
}

/// Collects the people an attribution names and tells whether the sender is one.
fn names_sender(attribution: &str, sender: &[&str], out: &mut Split) -> bool {
    let known = out.quoted_addresses.len();
    collect_people(attribution, out);
    out.quoted_addresses[known..].iter().any(|a| sender.iter().any(|s| a.eq_ignore_ascii_case(s)))
}

fn collect_people(text: &str, out: &mut Split) {
    for m in EMAIL.find_iter(text) {
        out.quoted_addresses.push(m.as_str().to_ascii_lowercase());
    }
    let lower = text.to_lowercase();
    if let Some(name) = lower.split(" wrote").next().and_then(|s| s.rsplit(',').next()) {
        let name = name.split('<').next().unwrap_or("").trim();
        // Drop a trailing time such as "10:02 am" that some clients put before the name.
        let name = name.trim_start_matches(|c: char| !c.is_alphabetic());
        if !name.is_empty() && name.len() < 80 {
            out.quoted_names.push(name.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn an_attribution_inside_the_quote_still_names_the_sender() {
        let body = "^ any thoughts?\n\n> On Mar 3, 2026, at 9:14 AM, Blake <blake@x.example> wrote:\n>\n> would you intro me to a few members?\n>> older text\n";
        let own = split(body, &["blake@x.example", "Blake"]);
        assert_eq!(own.written, "^ any thoughts?\n\n\nwould you intro me to a few members?");
        let other = split(body, &["someone@else.example"]);
        assert_eq!(other.written.trim(), "^ any thoughts?");
        assert_eq!(other.quoted_addresses, ["blake@x.example"]);
    }

    #[test]
    fn top_posted_reply_drops_history() {
        let s = split(
            "Sounds good, see you then.\n\nOn Wed, Mar 5, 2025 at 8:30 AM Susan Cho <susan.cho@example.org> wrote:\n> Hank, meet Priya.\n> Who are your clients?\n",
            &[],
        );
        assert_eq!(s.written.trim(), "Sounds good, see you then.");
        assert!(s.has_history);
        assert_eq!(s.quoted_addresses, ["susan.cho@example.org"]);
    }

    #[test]
    fn wrapped_attribution_is_recognized() {
        let s = split(
            "Thanks!\nOn Mon, Jan 5, 2026 at 10:00 AM Hank Bergstrom <\nhank@bergstrom.example> wrote:\n> hi\n",
            &[],
        );
        assert_eq!(s.written, "Thanks!");
        assert_eq!(s.quoted_addresses, ["hank@bergstrom.example"]);
    }

    #[test]
    fn french_and_spanish_attributions() {
        assert_eq!(
            split("Merci\nLe 3 mars 2026 à 10:00, Marc <m@x.example> a écrit :\n> bonjour", &[]).written,
            "Merci"
        );
        assert_eq!(split("Gracias\nEl lun, 3 mar 2026, Ana <a@x.example> escribió:\n> hola", &[]).written, "Gracias");
    }

    #[test]
    fn interleaved_quotes_keep_the_reply_between_them() {
        let s = split("> Can you make Friday?\nYes, Friday works.\n> And the budget?\nApproved.", &[]);
        assert_eq!(s.written, "Yes, Friday works.\nApproved.");
    }

    #[test]
    fn signature_and_disclaimer_are_cut() {
        let s = split("Let's talk.\n-- \nJo Smith\nWe help clients network", &[]);
        assert_eq!(s.written, "Let's talk.");
        let s = split("Let's talk.\n\nCONFIDENTIALITY NOTICE: this message is for our clients only", &[]);
        assert_eq!(s.written.trim(), "Let's talk.");
    }

    #[test]
    fn only_the_quoted_author_counts_not_the_quoted_recipients() {
        let s = split(
            "Just following up.\n\nFrom: Pat <pat@x.example>\nSent: Monday\nTo: Hank <hank@bergstrom.example>\nSubject: clients\n\nWho are your clients?",
            &[],
        );
        assert_eq!(s.quoted_addresses, ["pat@x.example"]);
    }

    #[test]
    fn outlook_original_message_block() {
        let s = split(
            "See below.\n\nFrom: Tom Reilly <tom.reilly@harborline.example>\nSent: Monday, May 4, 2026 9:00 AM\nTo: Hank\nSubject: intro\n\nPlease introduce me to your clients.",
            &[],
        );
        assert_eq!(s.written.trim(), "See below.");
        assert_eq!(s.quoted_addresses, ["tom.reilly@harborline.example"]);
        let s = split("FYI\n-----Original Message-----\nFrom: a@b.example\nwho are your clients", &[]);
        assert_eq!(s.written, "FYI");
    }

    #[test]
    fn forwarded_message_is_history() {
        let s = split(
            "Hank, thought you'd want to see this.\n\n---------- Forwarded message ---------\nFrom: Pushy <p@x.example>\nCould you introduce me to your board?",
            &[],
        );
        assert_eq!(s.written.trim(), "Hank, thought you'd want to see this.");
        assert!(s.has_history);
    }

    #[test]
    fn a_follow_up_quoting_the_senders_own_message_keeps_its_ask() {
        let body = "Just floating this back up.\n\nOn Tue, Jan 6, 2026 at 8:41 AM Vince\n<vince@x.example> wrote:\n> Who are your clients?\n>> Hank wrote: not now\n";
        let own = split(body, &["Vince@X.example"]);
        assert_eq!(own.written, "Just floating this back up.\n\nWho are your clients?");
        assert!(own.has_history);
        // Quoting someone else, the same lines are history.
        assert_eq!(split(body, &["pat@y.example"]).written.trim(), "Just floating this back up.");
    }

    #[test]
    fn a_follow_up_forwarding_the_senders_own_original_keeps_its_text() {
        let body = "Any thoughts, Hank?\n\n-----Original Message-----\nFrom: Marco Bellini\nSent: Thursday\nTo: hank@bergstrom.example\nSubject: quotes\n\nWould you give us a sentence for our homepage?";
        let own = split(body, &["marco@lumaweb.example", "Marco Bellini"]);
        assert_eq!(own.written, "Any thoughts, Hank?\n\nWould you give us a sentence for our homepage?");
        assert!(own.has_history);
        assert_eq!(split(body, &["pat@y.example", "Pat Doe"]).written.trim(), "Any thoughts, Hank?");
    }

    #[test]
    fn plain_body_is_unchanged() {
        let body = "Hello Hank,\nOn the topic of curling: see you Saturday.\nBest";
        assert_eq!(split(body, &[]).written, body);
    }
}
