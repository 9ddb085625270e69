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
    /// The most recent quoted message: the one this message answers.
    pub latest: Option<Quoted>,
}

/// What the message being answered said, in brief: whether it was a conversation
/// (a question, a long letter) or a courtesy ("Thanks for the note. Best of luck").
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quoted {
    /// Who its attribution or header block names: addresses and names, lowercased.
    pub addresses: Vec<String>,
    pub names: Vec<String>,
    /// Its own lines (not the history it quoted in turn), at most `LATEST_BYTES`;
    /// `message::parse` normalizes them.
    pub text: String,
    /// Words in those lines.
    pub words: usize,
    /// A question mark in those lines.
    pub asks: bool,
    /// The sender wrote between its lines (an interleaved reply).
    pub interleaved: bool,
}

/// How much of the answered message is read: enough for any courtesy reply.
const LATEST_LINES: usize = 60;
const LATEST_BYTES: usize = 4096;
/// How far below a `--` a P.S. is looked for: a signature's length.
const SIGNATURE_LINES: usize = 12;

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
    // Below a signature's `--` nothing more is written, but the history a mail
    // client puts under the signature still says whom the message answers.
    let mut in_signature = false;
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
                let known = (out.quoted_addresses.len(), out.quoted_names.len());
                own_quote = names_sender(quoted, sender, &mut out);
                if out.latest.is_none() {
                    // Its text is quoted at the attribution's own depth.
                    out.latest = Some(summarize_quote(&lines[i + 1..], &out, known));
                }
            } else if own_quote && !quoted.starts_with('>') {
                // Only the sender's own lines: deeper levels quote someone else.
                written.push(quoted);
            }
            i += 1;
            continue;
        }
        let nothing_written = written.iter().all(|l| l.trim().is_empty());
        if !in_signature && (trimmed == "--" || line == "-- ") {
            if nothing_written {
                // A signature with no message above it: the "signature" is the message
                // (else a leading "--" would hide any ask from scoring).
                i += 1;
                continue;
            }
            // A P.S. below the signature is still the sender's writing, and often
            // where the ask is.
            if let Some(ps) = postscript_below(&lines, i + 1) {
                i = ps;
                continue;
            }
            in_signature = true;
            i += 1;
            continue;
        }
        if let Some(span) = attribution_at(&lines, i) {
            out.has_history = true;
            let known = (out.quoted_addresses.len(), out.quoted_names.len());
            own_quote = names_sender(&lines[i..i + span].join(" "), sender, &mut out);
            if out.latest.is_none() {
                out.latest = Some(summarize_quote(&lines[i + span..], &out, known));
            }
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
            // The blank line that ends its header lines.
            let blank = lines[i + 1..].iter().take(12).position(|l| l.trim().is_empty());
            if out.latest.is_none() {
                // Its author is named in its own header lines, not in a block further down.
                let header = &lines[i..blank.map_or(lines.len().min(i + 12), |p| i + 1 + p)];
                let text = blank.map_or(&lines[lines.len()..], |p| &lines[i + 2 + p..]);
                out.latest = Some(summarize_block(header, text));
            }
            if !own && !nothing_written {
                break;
            }
            // The sender's own original, or a forward with nothing written above it
            // (which is then what the sender has to say): skip its header lines,
            // keep its text.
            i = blank.map_or(i + 1, |p| i + 2 + p);
            continue;
        }
        if !written.is_empty() && may_start_disclaimer(trimmed) && DISCLAIMER.is_match(trimmed) {
            break;
        }
        if !in_signature {
            written.push(line);
        }
        i += 1;
    }
    out.written = written.join("\n");
    out
}

/// The first line of a P.S. within a signature's first lines (`from` is the line
/// below the `--`), unless quoted history comes first.
fn postscript_below(lines: &[&str], from: usize) -> Option<usize> {
    for (j, line) in lines.iter().enumerate().skip(from).take(SIGNATURE_LINES) {
        let trimmed = line.trim();
        if trimmed.starts_with('>')
            || attribution_at(lines, j).is_some()
            || (may_start_original(trimmed) && ORIGINAL_MARKER.is_match(trimmed))
        {
            return None;
        }
        if is_postscript(trimmed) {
            return Some(j);
        }
    }
    None
}

/// "P.S.", "PS:", "P.P.S." and the like at the start of a line; a bare "PS" is a
/// company's initials as often as a postscript.
fn is_postscript(line: &str) -> bool {
    let head: String = line.chars().take(6).flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).collect();
    ["p.s.", "p.s:", "p.s,", "p.p.s", "ps:", "ps.", "ps-", "ps,", "pps:", "pps."].iter().any(|p| head.starts_with(p))
}

/// The message quoted below an attribution: its `>` lines, up to the attribution of
/// the message it quoted in turn. `known` is where the attribution's people start in
/// `out`'s lists.
fn summarize_quote(below: &[&str], out: &Split, known: (usize, usize)) -> Quoted {
    let mut quoted = people_since(out, known);
    let below = &below[..below.len().min(LATEST_LINES)];
    for (j, line) in below.iter().enumerate() {
        let Some(text) = line.trim_start().strip_prefix('>') else {
            if line.trim().is_empty() {
                continue;
            }
            // Text of the sender's between quoted lines: an interleaved reply, whose
            // quoted parts are not one message to be judged as a whole.
            quoted.interleaved = below[j..].iter().any(|l| l.trim_start().starts_with('>'));
            break;
        };
        let text = text.trim_start();
        if text.starts_with('>') || attribution_at(&[text], 0).is_some() || ORIGINAL_MARKER.is_match(text) {
            break;
        }
        count(text, &mut quoted);
    }
    quoted
}

/// The text of a quoted original below its header block (Outlook), up to the next
/// quoted message.
fn summarize_block(header: &[&str], text: &[&str]) -> Quoted {
    let mut people = Split::default();
    header.iter().filter(|l| FROM_LINE.is_match(l)).for_each(|l| collect_people(l, &mut people));
    let mut quoted = Quoted { addresses: people.quoted_addresses, names: people.quoted_names, ..Quoted::default() };
    for (j, line) in text.iter().enumerate().take(LATEST_LINES) {
        let trimmed = line.trim();
        if attribution_at(text, j).is_some()
            || (may_start_original(trimmed) && ORIGINAL_MARKER.is_match(trimmed))
            || is_header_block(text, j)
        {
            break;
        }
        count(trimmed, &mut quoted);
    }
    quoted
}

fn people_since(out: &Split, known: (usize, usize)) -> Quoted {
    Quoted {
        addresses: out.quoted_addresses[known.0..].to_vec(),
        names: out.quoted_names[known.1..].to_vec(),
        ..Quoted::default()
    }
}

fn count(text: &str, quoted: &mut Quoted) {
    if text.is_empty() {
        return;
    }
    quoted.words += text.split_whitespace().count();
    quoted.asks |= text.contains(['?', '\u{FF1F}', '\u{061F}']);
    if quoted.text.len() + text.len() < LATEST_BYTES {
        quoted.text.push_str(text);
        quoted.text.push('\n');
    }
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
    let (addresses, names) = (out.quoted_addresses.len(), out.quoted_names.len());
    collect_people(attribution, out);
    out.quoted_addresses[addresses..].iter().any(|a| sender.iter().any(|s| a.eq_ignore_ascii_case(s)))
        // Many clients name only the author when the address book knows it ("On Mon,
        // ... Nate Corrigan wrote:"): the sender's display name counts as well.
        || out.quoted_names[names..].iter().any(|n| {
            let n = n.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
            sender.iter().any(|s| !s.contains('@') && s.len() > 2 && n == s.to_lowercase())
        })
}

fn collect_people(text: &str, out: &mut Split) {
    for m in EMAIL.find_iter(text) {
        out.quoted_addresses.push(m.as_str().to_ascii_lowercase());
    }
    let lower = text.to_lowercase();
    if let Some(name) = lower.split(" wrote").next().and_then(|s| s.rsplit(',').next()) {
        // An Outlook header line names the author after its label ("From: Hank
        // Bergstrom [mailto:...]" or "*From:* Hank Bergstrom <...>").
        let name = name.split(['<', '[']).next().unwrap_or("");
        let name = FROM_LINE.find(name).map_or(name, |label| &name[label.end()..]);
        // Drop the year and time some clients put before the name ("2030 at 7:12 am
        // Hank Bergstrom").
        let words: Vec<&str> = name.split_whitespace().collect();
        let time =
            |w: &&&str| w.chars().any(|c| c.is_ascii_digit()) || matches!(**w, "at" | "am" | "pm" | "a.m." | "p.m.");
        let name = words[words.iter().take_while(time).count()..].join(" ");
        if !name.is_empty() && name.len() < 80 {
            out.quoted_names.push(name);
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
    fn the_answered_message_is_summarized() {
        let s = split(
            "Totally understand. Could you forward my note?\n\nOn Wed, Oct 9, 2030 at 7:12 AM Hank Bergstrom <hank@bergstrom.example> wrote:\n> Victor,\n>\n> I don't know your firm. Best of luck with the fund.\n>\n> Hank\n>\n>> On Tue, Victor <v@x.example> wrote:\n>> Would you introduce me to Rachel?\n",
            &["v@x.example", "Victor"],
        );
        let latest = s.latest.expect("the answered message");
        assert_eq!(latest.addresses, ["hank@bergstrom.example"]);
        assert_eq!(latest.names, ["hank bergstrom"]);
        // Its own lines only: Victor's question below it is his, not Hank's.
        assert_eq!(latest.words, 13);
        assert!(!latest.asks);
        assert_eq!(latest.text, "Victor,\nI don't know your firm. Best of luck with the fund.\nHank\n");
        // Apple Mail puts the attribution inside the quote.
        let apple = split(
            "No worries!\n\n> On Nov 15, 2033, at 8:02 PM, Hank <hank@b.example> wrote:\n>\n> Thanks, but no?\n",
            &[],
        );
        let latest = apple.latest.unwrap();
        assert_eq!((latest.words, latest.asks), (3, true));
        assert!(split("No history here.", &[]).latest.is_none());
    }

    #[test]
    fn the_answered_message_is_its_own_and_whole() {
        // A bump quoting the sender's own mail, which quotes Hank's further down: the
        // answered message is the sender's, named by its own header lines.
        let bump = "Just bumping this up.\n\n-----Original Message-----\nFrom: Victor <s@x.example>\nSent: Monday\nTo: Hank\nSubject: Re: hi\n\nWould love an intro. All the best, Victor\n\n-----Original Message-----\nFrom: Hank Bergstrom <hank@bergstrom.example>\nSent: Sunday\nTo: Victor\nSubject: hi\n\nGood luck.\n";
        let latest = split(bump, &[]).latest.unwrap();
        assert_eq!(latest.addresses, ["s@x.example"]);
        assert_eq!(latest.text, "Would love an intro. All the best, Victor\n");
        // An interleaved reply: Hank's quoted paragraphs are not one message.
        let inline = "On Mon, Jan 5, 2026 at 10:00 AM Hank Bergstrom <hank@bergstrom.example> wrote:\n> Thanks for the note. Best of luck.\n\nThank you! Quick reply inline.\n\n> Happy to talk next week. What times work?\nTuesday at 3.\n";
        assert!(split(inline, &[]).latest.unwrap().interleaved);
    }

    #[test]
    fn outlook_header_lines_name_the_author_without_their_label() {
        let s = split(
            "Thanks!\n\n-----Original Message-----\nFrom: Hank Bergstrom\nSent: Tuesday\nTo: Aaron\nSubject: hi\n\nGood luck.\n",
            &[],
        );
        assert_eq!(s.quoted_names, ["hank bergstrom"]);
        assert_eq!(s.latest.unwrap().names, ["hank bergstrom"]);
        let starred = split("Ok\n\n*From:* Ann Lee [mailto:ann@x.example]\n*Sent:* Monday\n*To:* Hank\n\nhi\n", &[]);
        assert_eq!(starred.quoted_names, ["ann lee"]);
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
    fn a_postscript_below_the_signature_is_written() {
        let s = split("Thanks!\n\n--\nJo Smith\nFounder, Acme\n\nP.S. Could you introduce me to Dana?", &[]);
        assert_eq!(s.written, "Thanks!\n\nP.S. Could you introduce me to Dana?");
        // Not when the signature is followed by quoted history, nor for initials.
        let s = split("Thanks!\n--\nJo\n> P.S. from the last message", &[]);
        assert_eq!(s.written, "Thanks!");
        let s = split("Thanks!\n--\nJo\nPS Consulting, Irvine", &[]);
        assert_eq!(s.written, "Thanks!");
    }

    #[test]
    fn history_below_the_signature_still_names_whom_it_answers() {
        let body = "One small follow-up: who else should I ask?\n\n--\nJasmine Colter\nHost, Boardroom Bites\n\n\
                    On Mon, Sep 26, 2044 at 10:05 AM Hank Bergstrom <hank@bergstrom.example>\nwrote:\n\
                    > Thanks for the invitation. I'll have to pass. Best of luck with the show.\n> Hank";
        let s = split(body, &[]);
        assert_eq!(s.written, "One small follow-up: who else should I ask?\n");
        assert!(s.has_history);
        assert_eq!(s.quoted_addresses, ["hank@bergstrom.example"]);
        let latest = s.latest.expect("the answered message");
        assert!(latest.text.contains("Best of luck with the show"), "{latest:?}");
        assert!(!latest.asks);
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
    fn a_follow_up_quoting_the_senders_own_message_by_name_keeps_its_ask() {
        let body = "Just floating this back up.\n\nOn Mon, Sep 10, 2040 at 9:02 AM, Nate Corrigan wrote:\n> Would you mind if I mentioned your name?\n";
        let own = split(body, &["nate@x.example", "Nate Corrigan"]);
        assert!(own.written.contains("mentioned your name"), "{:?}", own.written);
        // Someone else's name is someone else's message.
        let other = split(body, &["pat@x.example", "Pat Corrigan"]);
        assert!(!other.written.contains("mentioned your name"), "{:?}", other.written);
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
