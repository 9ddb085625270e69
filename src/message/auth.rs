//! Authentication-Results (RFC 8601): what the receiving server concluded about
//! SPF, DKIM, DMARC and ARC. Only the user's own server is believed; any earlier
//! hop's header may have been written by the sender.

use serde::Serialize;

/// One `method=result` entry, with the properties that name the checked domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthResult {
    /// Lowercased method: "spf", "dkim", "dmarc", "arc", ...
    pub method: String,
    /// Lowercased result: "pass", "fail", "softfail", "none", ...
    pub result: String,
    /// The domain the result speaks for (header.from, header.d, smtp.mailfrom, ...),
    /// lowercased, when the header names one.
    pub domain: Option<String>,
}

/// Parses one header value. Returns the authserv-id and its results, or `None` when
/// the value has no authserv-id at all.
pub fn parse_header(value: &str) -> Option<(String, Vec<AuthResult>)> {
    let text = strip_comments(value);
    // A quoted value (a local-part such as "a;dmarc=pass") is the sender's text:
    // its ';' and blanks separate nothing.
    let mut sections = split_unquoted(&text, |c| c == ';').into_iter();
    let authserv_id = sections.next()?.split_whitespace().next()?.to_ascii_lowercase();
    let mut results = Vec::new();
    for section in sections {
        // RFC 8601 allows blanks around '=': "spf = fail" is a failure like "spf=fail".
        let section = tighten_equals(section);
        let mut tokens = split_unquoted(&section, char::is_whitespace).into_iter().filter(|t| !t.is_empty());
        let Some(first) = tokens.next() else { continue };
        let Some((method, result)) = first.split_once('=') else {
            continue; // "none", a bare version or garbage: no result to record
        };
        let method = method.split('/').next().unwrap_or(method).to_ascii_lowercase();
        let result = result.trim_matches('"').to_ascii_lowercase();
        let mut domain = None;
        for token in tokens {
            let Some((prop, value)) = token.split_once('=') else { continue };
            let prop = prop.to_ascii_lowercase();
            let value = value.trim_matches('"').to_ascii_lowercase();
            let rank = match prop.as_str() {
                "header.from" | "header.d" | "smtp.mailfrom" => 2,
                "header.i" | "smtp.helo" => 1,
                _ => 0,
            };
            if rank > 0 && (domain.is_none() || rank == 2) {
                let d = value.rsplit('@').next().unwrap_or(&value).to_string();
                domain = Some(d);
            }
        }
        results.push(AuthResult { method, result, domain });
    }
    Some((authserv_id, results))
}

/// `text` cut at each character `at` accepts, except inside double quotes.
fn split_unquoted(text: &str, at: impl Fn(char) -> bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut in_quote, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && in_quote {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if !in_quote && at(c) {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `text` with the blanks around each '=' removed.
fn tighten_equals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_blank = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_blank = true;
            continue;
        }
        if pending_blank && c != '=' && !out.ends_with('=') && !out.is_empty() {
            out.push(' ');
        }
        pending_blank = false;
        out.push(c);
    }
    out
}

/// Removes RFC 5322 comments, which may nest and may hold text such as
/// "(i=1 spf=pass ...)" that must not be mistaken for results.
fn strip_comments(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut depth = 0usize;
    let mut in_quote = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' if depth == 0 => {
                in_quote = !in_quote;
                out.push(c);
            }
            '(' if !in_quote => depth += 1,
            ')' if !in_quote && depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The verdicts the user's own server recorded for a message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthVerdicts {
    pub results: Vec<AuthResult>,
}

impl AuthVerdicts {
    /// Picks the results to believe from the header block (`(name, value)` in order,
    /// topmost first). With `authserv_id` configured: the headers stamped with it that
    /// the user's own server added on top, before the next Received header below them;
    /// a sender can write a header with the same stamp further down, so from those only
    /// failures count, never a pass. Without it: the topmost header (the one the last
    /// hop, normally the user's own server, added).
    pub fn from_headers<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>, authserv_id: Option<&str>) -> Self {
        let mut results = Vec::new();
        // Whether a header with our stamp was seen, and whether a Received header has
        // followed it since (which ends the run our own server wrote).
        let (mut seen_ours, mut run_over) = (false, false);
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("Received") {
                run_over |= seen_ours;
                continue;
            }
            if !name.eq_ignore_ascii_case("Authentication-Results") {
                continue;
            }
            let Some((id, found)) = parse_header(value) else { continue };
            match authserv_id {
                Some(wanted) if id.eq_ignore_ascii_case(wanted) => {
                    seen_ours = true;
                    if run_over {
                        results.extend(found.into_iter().filter(|r| r.result != "pass"));
                    } else {
                        results.extend(found);
                    }
                }
                Some(_) => {}
                None => {
                    results.extend(found);
                    break;
                }
            }
        }
        AuthVerdicts { results }
    }

    fn any(&self, method: &str, pred: impl Fn(&AuthResult) -> bool) -> bool {
        self.results.iter().any(|r| r.method == method && pred(r))
    }

    /// True when some SPF, DKIM or DMARC check failed outright.
    pub fn any_failed(&self) -> bool {
        self.results.iter().any(|r| {
            matches!(r.method.as_str(), "spf" | "dkim" | "dmarc")
                && matches!(r.result.as_str(), "fail" | "softfail" | "permerror")
        })
    }

    /// True when the From domain is authenticated: DMARC passed, or, where the server
    /// does not check DMARC at all, DKIM or SPF passed for that domain (or a subdomain
    /// of it). `dmarc=none` is a verdict, not a missing one: the domain publishes no
    /// policy, so nothing ties its From header to the SPF or DKIM domain a forger can
    /// pick, and an automatic reply could land on someone who never wrote.
    pub fn from_domain_authenticated(&self, from_domain: &str) -> bool {
        if self.results.iter().any(|r| r.method == "dmarc") {
            // A pass for some other domain says nothing about this From.
            return self.dmarc_passed(from_domain) && !self.any("dmarc", |r| r.result != "pass");
        }
        let aligned =
            |r: &AuthResult| r.result == "pass" && r.domain.as_deref().is_some_and(|d| domain_aligned(d, from_domain));
        self.any("dkim", aligned) || self.any("spf", aligned)
    }

    /// True when the envelope sender's `domain` can be believed: SPF passed for it, or
    /// the server recorded no SPF verdict at all.
    pub fn envelope_vouched(&self, domain: &str) -> bool {
        !self.results.iter().any(|r| r.method == "spf")
            || self.any("spf", |r| r.result == "pass" && r.domain.as_deref().is_some_and(|d| domain_aligned(d, domain)))
    }

    /// True when DMARC passed for `from_domain` (a verdict naming no domain counts, as
    /// DMARC is only ever evaluated for the From domain).
    pub fn dmarc_passed(&self, from_domain: &str) -> bool {
        self.any("dmarc", |r| r.result == "pass" && r.domain.as_deref().is_none_or(|d| domain_aligned(d, from_domain)))
    }

    /// True when the server recorded that the From address is not what it claims:
    /// DMARC failed, or, without a DMARC pass for the From domain, SPF or DKIM failed
    /// for it and nothing passed. An ARC pass excuses the failure only for mail that
    /// came `through_list` (List-* headers): mailing lists break the author's DKIM
    /// signature, and list mail never gets a reply. Anywhere else it counts for
    /// nothing, since anyone can seal a chain of their own.
    pub fn from_forged(&self, from_domain: &str, through_list: bool) -> bool {
        let excused = through_list && self.any("arc", |r| r.result == "pass");
        if self.any("dmarc", |r| r.result == "fail") {
            return !excused;
        }
        if self.dmarc_passed(from_domain) {
            return false;
        }
        let for_from = |r: &AuthResult| r.domain.as_deref().is_none_or(|d| domain_aligned(d, from_domain));
        let failed = self.any("spf", |r| matches!(r.result.as_str(), "fail" | "softfail") && for_from(r))
            || self.any("dkim", |r| r.result == "fail" && for_from(r));
        let passed = self.any("spf", |r| r.result == "pass" && for_from(r))
            || self.any("dkim", |r| r.result == "pass" && for_from(r));
        failed && !passed && !excused
    }
}

/// Relaxed alignment (DMARC's default): the same domain or one a subdomain of the other.
pub(crate) fn domain_aligned(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim_end_matches('.'), b.trim_end_matches('.'));
    a.eq_ignore_ascii_case(b)
        || a.to_ascii_lowercase().ends_with(&format!(".{}", b.to_ascii_lowercase()))
        || b.to_ascii_lowercase().ends_with(&format!(".{}", a.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "mx.bergstrom.example; arc=pass (i=1 spf=pass\n spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass\n fromdomain=example.com); spf=pass\n smtp.mailfrom=curlers-bounces@lists.occurling.example; dkim=fail (body hash\n did not verify) header.d=example.com header.s=default; dkim=pass\n header.d=lists.occurling.example header.s=list; dmarc=fail (p=NONE sp=NONE\n dis=NONE) header.from=example.com";

    #[test]
    fn parses_results_and_ignores_comments() {
        let (id, results) = parse_header(LIST).unwrap();
        assert_eq!(id, "mx.bergstrom.example");
        let summary: Vec<_> = results.iter().map(|r| format!("{}={}", r.method, r.result)).collect();
        assert_eq!(summary, ["arc=pass", "spf=pass", "dkim=fail", "dkim=pass", "dmarc=fail"]);
        assert_eq!(results[1].domain.as_deref(), Some("lists.occurling.example"));
        assert_eq!(results[4].domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn version_and_none_are_tolerated() {
        let (id, results) = parse_header("mx.example.org 1; none").unwrap();
        assert_eq!(id, "mx.example.org");
        assert!(results.is_empty());
        assert!(parse_header("").is_none());
    }

    fn ar(values: &[&'static str]) -> impl Iterator<Item = (&'static str, &'static str)> {
        values.iter().copied().map(|v| ("Authentication-Results", v))
    }

    #[test]
    fn only_the_configured_server_counts() {
        let forged = "mx.bergstrom.example; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; dmarc=pass header.from=a.example";
        let real = "mx.bergstrom.example; spf=fail smtp.mailfrom=a.example; dmarc=fail header.from=a.example";
        // The sender prepended a fake header *below* the real one; with an authserv_id
        // configured, a header naming another server is ignored.
        let other = "evil.example; dmarc=pass header.from=a.example";
        let v = AuthVerdicts::from_headers(ar(&[other, real]), Some("mx.bergstrom.example"));
        assert!(v.from_forged("a.example", false));
        assert!(!v.from_domain_authenticated("a.example"));
        // Unset: only the topmost header.
        let v = AuthVerdicts::from_headers(ar(&[real, forged]), None);
        assert!(v.any_failed());
        assert_eq!(v.results.len(), 2);
    }

    #[test]
    fn a_pass_stamped_with_our_id_below_a_received_header_is_not_believed() {
        // The server's own header on top; the sender's, with the same stamp, below the
        // hop that received it. Its failures still count, its passes do not.
        let headers = [
            ("Authentication-Results", "mx.b.example; spf=pass smtp.mailfrom=attacker.example"),
            ("Received", "from attacker.example by mx.b.example"),
            ("Authentication-Results", "mx.b.example; dkim=fail header.d=v.example; dmarc=pass header.from=v.example"),
        ];
        let v = AuthVerdicts::from_headers(headers.into_iter(), Some("mx.b.example"));
        assert!(!v.from_domain_authenticated("v.example"));
        assert!(v.any_failed());
        // Several headers our server wrote together on top all count.
        let headers = [
            ("Authentication-Results", "mx.b.example; spf=pass smtp.mailfrom=v.example"),
            ("Authentication-Results", "mx.b.example; dmarc=pass header.from=v.example"),
            ("Received", "from v.example by mx.b.example"),
        ];
        let v = AuthVerdicts::from_headers(headers.into_iter(), Some("mx.b.example"));
        assert!(v.from_domain_authenticated("v.example"));
    }

    #[test]
    fn a_dmarc_pass_speaks_only_for_its_own_domain() {
        let v = AuthVerdicts::from_headers(ar(&["mx.x; dmarc=pass header.from=attacker.example"]), None);
        assert!(v.from_domain_authenticated("attacker.example"));
        assert!(!v.from_domain_authenticated("victim.example"));
        assert!(!v.dmarc_passed("victim.example"));
    }

    #[test]
    fn blanks_around_the_equals_sign_are_results_too() {
        let v = AuthVerdicts::from_headers(ar(&["mx.x; spf = fail smtp.mailfrom = a.example; dkim=none"]), None);
        assert!(v.any_failed());
        assert_eq!(v.results[0].domain.as_deref(), Some("a.example"));
    }

    #[test]
    fn a_quoted_local_part_cannot_add_results() {
        // The server quotes the envelope sender it was given; the sender chose it.
        let stamped = r#"mx.x; spf=fail smtp.mailfrom="a;dmarc=pass header.from=victim.example"@attacker.example"#;
        let v = AuthVerdicts::from_headers(ar(&[stamped]), None);
        let summary: Vec<_> = v.results.iter().map(|r| format!("{}={}", r.method, r.result)).collect();
        assert_eq!(summary, ["spf=fail"]);
        assert_eq!(v.results[0].domain.as_deref(), Some("attacker.example"));
        assert!(!v.dmarc_passed("victim.example"));
        let spaced = r#"mx.x; spf=pass smtp.mailfrom="a dkim=pass"@a.example; dkim=fail header.d=a.example"#;
        let v = AuthVerdicts::from_headers(ar(&[spaced]), None);
        let summary: Vec<_> = v.results.iter().map(|r| format!("{}={}", r.method, r.result)).collect();
        assert_eq!(summary, ["spf=pass", "dkim=fail"]);
    }

    #[test]
    fn an_arc_pass_excuses_a_dmarc_failure_only_on_list_mail() {
        let v = AuthVerdicts::from_headers(ar(&[LIST]), Some("mx.bergstrom.example"));
        // A list broke the author's signature; the list's chain vouches for it.
        assert!(!v.from_forged("example.com", true));
        // Without List-* headers, the chain may be the forger's own.
        assert!(v.from_forged("example.com", false));
        assert!(v.any_failed());
        assert!(!v.from_domain_authenticated("example.com"));
    }

    #[test]
    fn without_dmarc_aligned_dkim_or_spf_authenticates() {
        let v = AuthVerdicts::from_headers(ar(&["mx.x; spf=pass smtp.mailfrom=bob@mail.a.example; dkim=none"]), None);
        assert!(v.from_domain_authenticated("a.example"));
        assert!(!v.from_domain_authenticated("b.example"));
        // A domain without a DMARC policy is not authenticated by SPF alone.
        let v = AuthVerdicts::from_headers(
            ar(&["mx.x; spf=pass smtp.mailfrom=bob@a.example; dkim=none; dmarc=none header.from=a.example"]),
            None,
        );
        assert!(!v.from_domain_authenticated("a.example"));
        let v = AuthVerdicts::from_headers(ar(&["mx.x; spf=softfail smtp.mailfrom=a.example"]), None);
        assert!(v.from_forged("a.example", false));
    }
}
