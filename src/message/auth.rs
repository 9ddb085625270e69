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
    let mut sections = text.split(';');
    let authserv_id = sections.next()?.split_whitespace().next()?.to_ascii_lowercase();
    let mut results = Vec::new();
    for section in sections {
        let mut tokens = section.split_whitespace();
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
    /// Picks the headers to believe: every header stamped with `authserv_id` when it is
    /// configured, otherwise the topmost header (the one the last hop, normally the
    /// user's own server, added).
    pub fn from_headers<'a>(values: impl Iterator<Item = &'a str>, authserv_id: Option<&str>) -> Self {
        let mut results = Vec::new();
        for value in values {
            let Some((id, found)) = parse_header(value) else { continue };
            match authserv_id {
                Some(wanted) if id.eq_ignore_ascii_case(wanted) => results.extend(found),
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
            return self.any("dmarc", |r| r.result == "pass");
        }
        let aligned =
            |r: &AuthResult| r.result == "pass" && r.domain.as_deref().is_some_and(|d| domain_aligned(d, from_domain));
        self.any("dkim", aligned) || self.any("spf", aligned)
    }

    /// True when DMARC passed for `from_domain` (a verdict naming no domain counts, as
    /// DMARC is only ever evaluated for the From domain).
    pub fn dmarc_passed(&self, from_domain: &str) -> bool {
        self.any("dmarc", |r| r.result == "pass" && r.domain.as_deref().is_none_or(|d| domain_aligned(d, from_domain)))
    }

    /// True when the server recorded that the From address is not what it claims:
    /// DMARC failed (and no ARC chain vouches for a mailing list in between), or,
    /// without a DMARC verdict, SPF or DKIM failed for the From domain and nothing passed.
    pub fn from_forged(&self, from_domain: &str) -> bool {
        let arc_pass = self.any("arc", |r| r.result == "pass");
        if self.any("dmarc", |r| r.result == "fail") {
            return !arc_pass;
        }
        if self.any("dmarc", |r| r.result == "pass") {
            return false;
        }
        let for_from = |r: &AuthResult| r.domain.as_deref().is_none_or(|d| domain_aligned(d, from_domain));
        let failed = self.any("spf", |r| matches!(r.result.as_str(), "fail" | "softfail") && for_from(r))
            || self.any("dkim", |r| r.result == "fail" && for_from(r));
        let passed = self.any("spf", |r| r.result == "pass" && for_from(r))
            || self.any("dkim", |r| r.result == "pass" && for_from(r));
        failed && !passed && !arc_pass
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

    #[test]
    fn only_the_configured_server_counts() {
        let forged = "mx.bergstrom.example; spf=pass smtp.mailfrom=a.example; dkim=pass header.d=a.example; dmarc=pass header.from=a.example";
        let real = "mx.bergstrom.example; spf=fail smtp.mailfrom=a.example; dmarc=fail header.from=a.example";
        // The sender prepended a fake header *below* the real one; with an authserv_id
        // configured, a header naming another server is ignored.
        let other = "evil.example; dmarc=pass header.from=a.example";
        let v = AuthVerdicts::from_headers([other, real].into_iter(), Some("mx.bergstrom.example"));
        assert!(v.from_forged("a.example"));
        assert!(!v.from_domain_authenticated("a.example"));
        // Unset: only the topmost header.
        let v = AuthVerdicts::from_headers([real, forged].into_iter(), None);
        assert!(v.any_failed());
        assert_eq!(v.results.len(), 2);
    }

    #[test]
    fn list_mail_with_arc_is_not_forged() {
        let v = AuthVerdicts::from_headers([LIST].into_iter(), Some("mx.bergstrom.example"));
        assert!(!v.from_forged("example.com"));
        assert!(v.any_failed());
        assert!(!v.from_domain_authenticated("example.com"));
    }

    #[test]
    fn without_dmarc_aligned_dkim_or_spf_authenticates() {
        let v = AuthVerdicts::from_headers(
            ["mx.x; spf=pass smtp.mailfrom=bob@mail.a.example; dkim=none"].into_iter(),
            None,
        );
        assert!(v.from_domain_authenticated("a.example"));
        assert!(!v.from_domain_authenticated("b.example"));
        // A domain without a DMARC policy is not authenticated by SPF alone.
        let v = AuthVerdicts::from_headers(
            ["mx.x; spf=pass smtp.mailfrom=bob@a.example; dkim=none; dmarc=none header.from=a.example"].into_iter(),
            None,
        );
        assert!(!v.from_domain_authenticated("a.example"));
        let v = AuthVerdicts::from_headers(["mx.x; spf=softfail smtp.mailfrom=a.example"].into_iter(), None);
        assert!(v.from_forged("a.example"));
    }
}
