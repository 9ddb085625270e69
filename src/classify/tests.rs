//! Engine tests with small inline rule sets; the shipped rules are tested by the
//! fixture runner in tests/rules.rs.

use super::*;
use crate::message::{Limits, parse};
use regex_automata::meta::Regex;

fn classifier(toml_text: &str) -> Classifier {
    let set: RuleSet = toml::from_str(toml_text).unwrap();
    Classifier::new(&set).unwrap_or_else(|e| panic!("{e:?}"))
}

fn message(subject: &str, body: &str) -> Message {
    let raw = format!(
        "From: s@x.example\nTo: hank@bergstrom.example\nCc: susan.cho@example.org\nSubject: {subject}\nIn-Reply-To: <a1@bergstrom.example>\n\n{body}"
    );
    parse(raw.as_bytes(), Limits::default(), None).unwrap()
}

fn run(c: &Classifier, m: &Message) -> Classification {
    let contacts = Contacts::new(["susan.cho@example.org"]);
    let users = vec!["hank@bergstrom.example".to_string()];
    c.classify(m, &Context { user_addresses: &users, user_name: Some("Hank Bergstrom"), contacts: &contacts })
}

const RULES: &str = r#"
[[rules]]
id = "flattery"
category = "network-flattery"
weight = 2.0
phrases = ["impressive network", "well connected"]

[[rules]]
id = "flattery-2"
category = "network-flattery"
weight = 2.0
phrases = ["great network"]

[[rules]]
id = "clients"
category = "client-fishing"
weight = 3.0
regex = '\bwho (are|is) your clients?\b'

[[rules]]
id = "subject-only"
category = "time-grab"
weight = 1.0
where = "subject"
phrases = ["quick call"]

[[rules]]
id = "student"
category = "student"
weight = -4.0
phrases = ["i am a student"]

[[rules]]
id = "cc-contact"
category = "introduced"
weight = -3.0
fact = "cc-known-contact"

[[rules]]
id = "refs-user"
category = "thread"
weight = -1.0
fact = "references-user"

[[combos]]
id = "flattery-plus-ask"
weight = 2.5
all = [["network-flattery"], ["client-fishing"]]
none = ["student"]

[category_max]
network-flattery = 3.0
"#;

#[test]
fn phrases_regexes_facts_and_combo_add_up_with_reasons() {
    let c = classifier(RULES);
    let r = run(&c, &message("hello", "You have an impressive network. Who are your clients?"));
    let ids: Vec<&str> = r.reasons.iter().map(|r| r.rule.as_str()).collect();
    for id in ["flattery", "clients", "flattery-plus-ask", "cc-contact", "refs-user"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(r.score, 2.0 + 3.0 + 2.5 - 3.0 - 1.0);
    assert_eq!(r.reasons.iter().map(|r| r.weight).sum::<f64>(), r.score);
    assert_eq!(r.category.as_deref(), Some("client-fishing"));
    let clients = r.reasons.iter().find(|r| r.rule == "clients").unwrap();
    assert!(clients.excerpt.contains("who are your clients?"), "{}", clients.excerpt);
}

#[test]
fn whole_words_only() {
    let c = classifier(RULES);
    let r = run(&c, &message("x", "an unimpressive networking event; the well connectedness"));
    assert!(r.reasons.iter().all(|r| r.rule != "flattery"), "{:?}", r.reasons);
}

#[test]
fn category_cap_limits_repetition_and_is_explained() {
    let c = classifier(RULES);
    let r = run(&c, &message("x", "impressive network, great network"));
    let cap = r.reasons.iter().find(|r| r.rule == "cap:network-flattery").expect("cap reason");
    assert_eq!(cap.weight, -1.0);
    assert_eq!(r.score, 3.0 - 3.0 - 1.0);
}

#[test]
fn combo_needs_every_group_and_respects_none() {
    let c = classifier(RULES);
    let flattery_only = run(&c, &message("x", "impressive network"));
    assert!(flattery_only.reasons.iter().all(|r| r.rule != "flattery-plus-ask"));
    let student = run(&c, &message("x", "I am a student. Impressive network! Who are your clients?"));
    assert!(student.reasons.iter().all(|r| r.rule != "flattery-plus-ask"));
    assert!(student.reasons.iter().any(|r| r.rule == "student"));
}

#[test]
fn scope_limits_a_rule_to_the_subject() {
    let c = classifier(RULES);
    assert!(run(&c, &message("Quick call?", "hi")).reasons.iter().any(|r| r.rule == "subject-only"));
    assert!(run(&c, &message("hi", "quick call?")).reasons.iter().all(|r| r.rule != "subject-only"));
}

#[test]
fn evasions_are_matched_after_normalization() {
    let c = classifier(RULES);
    let r = run(&c, &message("x", "impres\u{200B}sive net\u{00AD}w\u{043E}rk \u{201C}Who are your clients?\u{201D}"));
    assert!(r.reasons.iter().any(|r| r.rule == "flattery"));
    assert!(r.reasons.iter().any(|r| r.rule == "clients"));
}

#[test]
fn broken_rules_are_all_reported() {
    let set: RuleSet = toml::from_str(
        r#"
[[rules]]
id = "Bad Id"
category = "x"
weight = 1.0
regex = "(unclosed"

[[rules]]
id = "two-kinds"
category = "x"
weight = 1.0
phrases = ["a"]
regex = "b"

[[combos]]
id = "c"
weight = 1.0
all = [["x", "netwrok-flattery"]]
"#,
    )
    .unwrap();
    let errors = Classifier::new(&set).err().expect("errors");
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 4, "{text:#?}");
    assert!(text.iter().any(|e| e.contains("Bad Id") && e.contains("a-z")));
    assert!(text.iter().any(|e| e.contains("does not compile")));
    assert!(text.iter().any(|e| e.contains("exactly one")));
    assert!(text.iter().any(|e| e.contains("netwrok-flattery")));
}

#[test]
fn merge_overrides_adds_and_reweights() {
    let base: RuleSet = toml::from_str(RULES).unwrap();
    let user: RuleSet = toml::from_str(
        r#"
[[rules]]
id = "clients"
category = "client-fishing"
weight = 9.0
phrases = ["client list"]

[[rules]]
id = "mine"
category = "mlm-recruiting"
weight = 4.0
phrases = ["be your own boss"]
"#,
    )
    .unwrap();
    let weights = BTreeMap::from([("flattery".to_string(), 0.0), ("flattery-plus-ask".to_string(), 1.0)]);
    let merged = base.merge(user, &weights).unwrap();
    let c = Classifier::new(&merged).unwrap();
    let r = run(&c, &message("x", "impressive network; send your client list; be your own boss"));
    let ids: Vec<&str> = r.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert!(!ids.contains(&"flattery"), "disabled by weight 0: {ids:?}");
    assert!(ids.contains(&"clients") && ids.contains(&"mine"));
    let bad = BTreeMap::from([("flatery".to_string(), 1.0)]);
    let errors = toml::from_str::<RuleSet>(RULES).unwrap().merge(RuleSet::default(), &bad).unwrap_err();
    assert!(errors[0].to_string().contains("did you mean `flattery`"), "{}", errors[0]);
}

#[test]
fn released_regex_caches_are_rebuilt_with_the_same_verdict() {
    let c = Classifier::new(&RuleSet::builtin().unwrap()).unwrap();
    let m = message("quick question", "Could you introduce me to a few of your clients who might need our services?");
    let first = run(&c, &m);
    assert!(first.score > 0.0);
    assert!(c.cache_bytes() > 0, "a regex ran, so its cache holds states");
    c.release_caches();
    assert_eq!(c.cache_bytes(), 0);
    assert_eq!(run(&c, &m), first);
}

#[test]
fn caches_are_dropped_only_past_the_callers_bound() {
    let c = Classifier::new(&RuleSet::builtin().unwrap()).unwrap();
    let m = message("quick question", "Could you introduce me to a few of your clients who might need our services?");
    let first = run(&c, &m);
    let held = c.cache_bytes();
    assert!(held > 0);
    c.bound_caches(held);
    assert_eq!(c.cache_bytes(), held, "at the bound, not past it: kept");
    c.bound_caches(held - 1);
    assert_eq!(c.cache_bytes(), 0);
    assert_eq!(run(&c, &m), first);
}

#[test]
fn builtin_rules_compile() {
    let set = RuleSet::builtin().unwrap();
    let c = Classifier::new(&set).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(c.len() > 20);
    // Their regexes are compiled when first needed, so a broken one would show
    // only on the message that needs it.
    assert!(c.regexes.iter().all(|g| g.engine.get().is_none()));
    for g in &c.regexes {
        let branches = g.branches.lock().unwrap();
        let branches: Vec<&[u8]> = branches.iter().map(Vec::as_slice).collect();
        if let Err(e) = Engine::new(&branches, g.anchored) {
            panic!("rule {}: {e}", c.rules[g.rule].id);
        }
    }
}

#[test]
fn the_builtin_rules_use_the_automaton_stored_at_build_time() {
    // build.rs gathers the built-in patterns on its own; if it missed one, start-up
    // would quietly build the automaton again.
    let builtin = RuleSet::builtin().unwrap();
    assert!(Classifier::new(&builtin).unwrap().patterns.is_builtin());
    // Disabling rules leaves a subset of the patterns: still the stored automaton.
    let off = BTreeMap::from([(builtin.rules[0].id.clone(), 0.0)]);
    let fewer = RuleSet::builtin().unwrap().merge(RuleSet::default(), &off).unwrap();
    assert!(Classifier::new(&fewer).unwrap().patterns.is_builtin());
    // A phrase of the user's own needs an automaton of its own, and finds its phrase.
    let user: RuleSet = toml::from_str(
        r#"
[[rules]]
id = "mine"
category = "mlm-recruiting"
weight = 4.0
phrases = ["zyzzyva opportunity"]
"#,
    )
    .unwrap();
    let c = Classifier::new(&RuleSet::builtin().unwrap().merge(user, &BTreeMap::new()).unwrap()).unwrap();
    assert!(!c.patterns.is_builtin());
    let r = run(&c, &message("hi", "A Zyzzyva opportunity for you"));
    assert!(r.reasons.iter().any(|r| r.rule == "mine"), "{:?}", r.reasons);
}

#[test]
fn build_time_plans_are_what_start_up_would_compute() {
    let plans = builtin_plans();
    let set = RuleSet::builtin().unwrap();
    let regexes: Vec<(&str, &str)> =
        set.rules.iter().filter_map(|r| Some((r.id.as_str(), r.regex.as_deref()?))).collect();
    assert_eq!(plans.len(), regexes.len());
    for (id, source) in regexes {
        assert_eq!(plans.get(source), Some(&pattern::plan(source).unwrap()), "rule {id}");
    }
}

#[test]
fn a_user_regex_is_compiled_at_load() {
    let c = classifier(
        r#"
[[rules]]
id = "mine"
category = "client-fishing"
weight = 2.0
regex = '\bwho (?:\w+ ){0,3}clients\b'
"#,
    );
    assert!(c.regexes.iter().all(|g| g.engine.get().is_some()));
    let m = message("hi", "who are all your clients?");
    assert_eq!(run(&c, &m).score, 2.0);
}

#[test]
fn a_regex_written_as_a_list_is_its_alternatives_joined() {
    let listed: RuleSet = toml::from_str(
        r#"
[[rules]]
id = "mine"
category = "client-fishing"
weight = 2.0
regex = [
  '\bwho (?:\w+ ){0,3}clients\b',
  '\bwhich firms do you advise\b',
]
"#,
    )
    .unwrap();
    assert_eq!(listed.rules[0].regex.as_deref(), Some(r"\bwho (?:\w+ ){0,3}clients\b|\bwhich firms do you advise\b"));
    let c = Classifier::new(&listed).unwrap();
    assert_eq!(run(&c, &message("hi", "which firms do you advise?")).score, 2.0);
    assert_eq!(run(&c, &message("hi", "who are all your clients?")).score, 2.0);
    assert_eq!(run(&c, &message("hi", "which clients")).score, 0.0);

    let empty = toml::from_str::<RuleSet>("[[rules]]\nid = 'e'\ncategory = 'x'\nweight = 1.0\nregex = []\n");
    assert!(empty.unwrap_err().to_string().contains("at least one alternative"));
    let number = toml::from_str::<RuleSet>("[[rules]]\nid = 'n'\ncategory = 'x'\nweight = 1.0\nregex = 5\n");
    assert!(number.unwrap_err().to_string().contains("a regex string or a list of alternative regex strings"));
}

/// The fast path (phrases and expanded regexes in one automaton, gated regexes) must
/// fire exactly the rules a naive evaluation fires: every phrase searched on its own,
/// every regex run over the whole subject and body.
#[test]
fn the_fast_path_fires_exactly_what_a_naive_search_fires() {
    use std::collections::BTreeSet;
    let set = RuleSet::builtin().unwrap();
    let c = Classifier::new(&set).unwrap();
    let naive_regexes: Vec<(String, Where, Regex)> = set
        .rules
        .iter()
        .filter(|r| r.enabled && r.weight != 0.0)
        .filter_map(|r| r.regex.as_ref().map(|src| (r.id.clone(), r.scope, pattern::compile(src).unwrap().regex())))
        .collect();
    let contacts = Contacts::default();
    let users = vec!["hank@bergstrom.example".to_string()];
    let context = Context { user_addresses: &users, user_name: Some("Hank Bergstrom"), contacts: &contacts };
    // Any means the sender's words: the subject and the body, not the user's reply.
    let sees = |rule: Where, region: Where| rule == region || (rule == Where::Any && region != Where::BriefReply);
    let naive = |m: &Message| -> BTreeSet<String> {
        let mut fired = BTreeSet::new();
        // Shorthand is spelled out before either path looks at the text.
        let (subject, body) =
            (c.shorthand.expand(&m.text.subject).into_owned(), c.shorthand.expand(&m.text.body).into_owned());
        let reply = super::brief_reply(m, &context).map(|r| c.shorthand.expand(r).into_owned()).unwrap_or_default();
        let regions = [(&subject, Where::Subject), (&body, Where::Body), (&reply, Where::BriefReply)];
        for spec in set.rules.iter().filter(|r| r.enabled && r.weight != 0.0) {
            for phrase in &spec.phrases {
                let p = normalize(phrase);
                for (text, scope) in regions {
                    if !sees(spec.scope, scope) {
                        continue;
                    }
                    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                    let hit = text.match_indices(&p).any(|(at, _)| {
                        (!word(p.chars().next()) || !word(text[..at].chars().next_back()))
                            && (!word(p.chars().next_back()) || !word(text[at + p.len()..].chars().next()))
                    });
                    if hit {
                        fired.insert(spec.id.clone());
                    }
                }
            }
        }
        for (id, scope, re) in &naive_regexes {
            for (text, s) in regions {
                if sees(*scope, s) && re.is_match(text.as_str()) {
                    fired.insert(id.clone());
                }
            }
        }
        fired
    };
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")];
    // training152 and training175: replies to short replies of Hank's, for the brief-reply rules.
    for extra in [
        "tests/validation",
        "tests/heldout",
        "tests/training152",
        "tests/training175",
        "../shared/corpus/dev",
        "../shared/corpus/spamassassin/spam-2",
    ] {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(extra);
        if dir.is_dir() {
            dirs.push(dir);
        }
    }
    let mut checked = 0;
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "eml")) {
            let Ok(m) = parse(&std::fs::read(file).unwrap(), Limits::default(), None) else { continue };
            let fast: BTreeSet<String> = c
                .classify(&m, &context)
                .reasons
                .into_iter()
                .filter(|r| !r.rule.starts_with("cap:") && set.rules.iter().any(|s| s.id == r.rule && s.fact.is_none()))
                .map(|r| r.rule)
                .collect();
            assert_eq!(fast, naive(&m), "{}", file.display());
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} messages checked");
}

#[test]
fn rules_see_shorthand_spelled_out_and_excerpts_show_it() {
    let c =
        classifier(&format!("{RULES}\n[shorthand]\n\"r\" = \"are\"\n\"ur\" = \"your\"\n\"LMK\" = \"let me know\"\n"));
    let result = run(&c, &message("hi", "who r ur clients? lmk"));
    let clients = result.reasons.iter().find(|r| r.rule == "clients").expect("the clients rule fires");
    assert!(clients.excerpt.contains("who are your clients"), "{}", clients.excerpt);
    // Without the table the same text does not match.
    let plain = classifier(RULES);
    assert!(!run(&plain, &message("hi", "who r ur clients? lmk")).reasons.iter().any(|r| r.rule == "clients"));
}

#[test]
fn a_combo_can_weigh_counter_evidence_that_occurs_together() {
    let c = classifier(
        r#"
[[rules]]
id = "quoted"
category = "discussed-ask"
weight = -1.0
phrases = ["\"who are your clients\""]

[[rules]]
id = "issue"
category = "newsletter"
weight = -1.0
phrases = ["in this issue"]

[[combos]]
id = "discussing"
weight = -5.0
all = [["discussed-ask"], ["newsletter"]]
"#,
    );
    let both = run(&c, &message("hi", "in this issue: why \"who are your clients\" fails"));
    assert!(both.reasons.iter().any(|r| r.rule == "discussing"), "{both:?}");
    assert_eq!(both.score, -7.0);
    let one = run(&c, &message("hi", "in this issue: nothing"));
    assert!(!one.reasons.iter().any(|r| r.rule == "discussing"));
}

#[test]
fn list_mail_fact_names_the_header_that_shows_it() {
    let c = classifier(
        r#"
[[rules]]
id = "list"
category = "bulk"
weight = -0.5
fact = "list-mail"
"#,
    );
    let with = |headers: &str| {
        let raw = format!("From: s@x.example\nTo: hank@bergstrom.example\n{headers}Subject: s\n\nhello");
        let r = run(&c, &parse(raw.as_bytes(), Limits::default(), None).unwrap());
        r.reasons.iter().find(|r| r.rule == "list").map(|r| r.excerpt.clone())
    };
    assert_eq!(with("List-Id: <club.lists.example>\n").as_deref(), Some("List-ID header"));
    assert_eq!(with("Precedence: Bulk\n").as_deref(), Some("Precedence: bulk"), "lowercased when parsed");
    assert_eq!(with("Precedence: first-class\n"), None);
    assert_eq!(with(""), None);
}

#[test]
fn forged_from_fact_counts_only_failures_the_users_server_recorded() {
    let c = classifier(
        r#"
[[rules]]
id = "forged"
category = "forged"
weight = 0.5
fact = "from-forged"
"#,
    );
    let with = |auth: &str, list: &str| {
        let raw = format!(
            "Authentication-Results: mx.bergstrom.example; {auth}\nFrom: s@club.example\nTo: hank@bergstrom.example\n\
             {list}Subject: s\n\nhello"
        );
        let message = parse(raw.as_bytes(), Limits::default(), Some("mx.bergstrom.example")).unwrap();
        run(&c, &message).reasons.iter().find(|r| r.rule == "forged").map(|r| r.excerpt.clone())
    };
    let failed = "spf=fail smtp.mailfrom=club.example; dkim=none; dmarc=fail header.from=club.example";
    assert_eq!(with(failed, "").as_deref(), Some("the server recorded an authentication failure for s@club.example"));
    assert_eq!(with("spf=pass smtp.mailfrom=club.example; dmarc=pass header.from=club.example", ""), None);
    // A list breaks the author's signature; its ARC seal vouches for what it relayed.
    assert_eq!(with(&format!("{failed}; arc=pass"), "List-Id: <members.lists.club.example>\n"), None);
    assert!(with(&format!("{failed}; arc=pass"), "").is_some(), "anyone can seal a chain of their own");
}

#[test]
fn an_exception_cancels_the_rules_it_overrides() {
    let c = classifier(
        r#"
[[rules]]
id = "student"
category = "student"
weight = -3.5
phrases = ["i graduated"]

[[rules]]
id = "alumnus"
category = "stranger-pretext"
weight = 0.5
regex = '\bgraduated in (?:19|200|201)\d\b'
overrides = ["student"]

[[rules]]
id = "clients"
category = "client-fishing"
weight = 3.0
phrases = ["your clients"]

[[combos]]
id = "ask-without-a-student"
weight = 2.0
all = [["client-fishing"]]
none = ["student"]
"#,
    );
    let alumnus = run(&c, &message("hi", "I graduated in 2014. Who are your clients?"));
    assert_eq!(alumnus.score, 5.5, "{alumnus:#?}");
    let cancelled = alumnus.reasons.iter().find(|r| r.rule == "student").expect("shown, not hidden");
    assert_eq!(cancelled.weight, 0.0);
    assert!(cancelled.excerpt.starts_with("overridden by alumnus"), "{}", cancelled.excerpt);
    assert!(alumnus.reasons.iter().any(|r| r.rule == "ask-without-a-student"), "the category counts as absent");
    // Without the exception the student rule counts, and blocks the combo.
    let student = run(&c, &message("hi", "I graduated in May. Who are your clients?"));
    assert_eq!(student.score, -0.5, "{student:#?}");
}

/// An exception to an exception: a rule that is itself overridden cancels nothing.
#[test]
fn an_overridden_exception_cancels_nothing() {
    let c = classifier(
        r#"
[[rules]]
id = "thread"
category = "introduced"
weight = -4.0
phrases = ["thanks again"]

[[rules]]
id = "courtesy"
category = "courtesy"
weight = 0.5
phrases = ["good luck"]
overrides = ["thread"]

[[rules]]
id = "engaged"
category = "introduced"
weight = -0.1
phrases = ["happy to help"]
overrides = ["courtesy"]
"#,
    );
    let courtesy = run(&c, &message("hi", "thanks again, and good luck"));
    assert_eq!(courtesy.score, 0.5, "{courtesy:#?}");
    let engaged = run(&c, &message("hi", "thanks again, good luck, happy to help"));
    assert_eq!(engaged.score, -4.1, "the thread stands: {engaged:#?}");
    let courtesy_reason = engaged.reasons.iter().find(|r| r.rule == "courtesy").unwrap();
    assert!(courtesy_reason.excerpt.starts_with("overridden by engaged"), "{}", courtesy_reason.excerpt);
}

/// `where = "brief-reply"` sees the user's own short reply that the message quotes,
/// and nothing else; the other scopes never see it.
#[test]
fn brief_reply_rules_read_only_the_users_short_quoted_reply() {
    let c = classifier(
        r#"
[[rules]]
id = "courtesy"
category = "courtesy"
weight = 0.5
where = "brief-reply"
phrases = ["good luck"]

[[rules]]
id = "luck-anywhere"
category = "other"
weight = 1.0
phrases = ["good luck"]
"#,
    );
    let fired = |body: &str| -> Vec<String> {
        let mut rules: Vec<String> = run(&c, &message("Re: hello", body)).reasons.into_iter().map(|r| r.rule).collect();
        rules.sort();
        rules
    };
    let quoting_hank = |reply: &str| {
        format!(
            "One more thing.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Hank Bergstrom <hank@bergstrom.example> wrote:\n{reply}"
        )
    };
    assert_eq!(fired(&quoting_hank("> Thanks for the note. Good luck with the fund.\n> Hank\n")), ["courtesy"]);
    // Not the user's reply, a question, or a long letter: not a brief reply.
    let by_someone_else =
        "One more thing.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Ann <ann@x.example> wrote:\n> Good luck!\n";
    assert!(fired(by_someone_else).is_empty());
    assert!(fired(&quoting_hank("> Good luck. Did you try the bank?\n")).is_empty());
    let long = format!("> Good luck. {}\n", "word ".repeat(45));
    assert!(fired(&quoting_hank(&long)).is_empty());
    // The sender's own words are the other rules' business, never the brief-reply rule's.
    assert_eq!(fired("Good luck with the season!"), ["luck-anywhere"]);
    // An Outlook-style quote of the user's reply is read the same way.
    let outlook = "Thanks!\n\n-----Original Message-----\nFrom: Hank Bergstrom <hank@bergstrom.example>\nSent: Tuesday, October 16, 2035 8:02 AM\nTo: Aaron <a@x.example>\nSubject: Re: hi\n\nLikewise, Aaron. Good luck with the new office.\n\nHank\n";
    assert_eq!(fired(outlook), ["courtesy"]);
}

/// Longer chains and cycles, which a user's rules can make: a rule stands when every
/// fired rule that overrides it is cancelled; a cycle cancels itself.
#[test]
fn exception_chains_resolve_from_the_rule_nothing_overrides() {
    let rule = |id: &str, phrase: &str, overrides: &str| {
        format!(
            "[[rules]]\nid = \"{id}\"\ncategory = \"c{id}\"\nweight = 1.0\nphrases = [\"{phrase}\"]\noverrides = [{overrides}]\n"
        )
    };
    let chain = [
        rule("a", "alpha", "\"b\""),
        rule("b", "bravo", "\"c\""),
        rule("c", "charlie", "\"d\""),
        rule("d", "delta", ""),
    ];
    let c = classifier(&chain.concat());
    let all = run(&c, &message("hi", "alpha bravo charlie delta"));
    let standing: Vec<&str> = all.reasons.iter().filter(|r| r.weight != 0.0).map(|r| r.rule.as_str()).collect();
    assert_eq!(standing, ["a", "c"], "{all:#?}");
    let cycle = classifier(&[rule("p", "papa", "\"q\""), rule("q", "quebec", "\"p\"")].concat());
    assert_eq!(run(&cycle, &message("hi", "papa quebec")).score, 0.0, "a cycle cancels itself");
    assert_eq!(run(&cycle, &message("hi", "papa")).score, 1.0);
}

/// The shipped courtesy rules: a reply of Hank's that only declined or wished luck
/// takes the thread evidence back; one that also made plans does not.
#[test]
fn the_shipped_courtesy_rules_tell_a_decline_from_a_plan() {
    let c = Classifier::new(&RuleSet::builtin().unwrap()).unwrap();
    let fired = |reply: &str| -> Vec<String> {
        let body = format!(
            "Understood. One more thing then.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Hank Bergstrom <hank@bergstrom.example> wrote:\n{reply}"
        );
        let reasons = run(&c, &message("Re: hello", &body)).reasons;
        let mut ids: Vec<String> = reasons
            .into_iter()
            .filter(|r| r.rule.starts_with("introduced-"))
            .map(|r| format!("{} {}", r.rule, r.weight))
            .collect();
        ids.sort();
        ids
    };
    let declined = fired("> Thanks for the note. I will have to pass. Best of luck.\n> Hank\n");
    assert!(declined.contains(&"introduced-only-by-courtesy 0.5".to_string()), "{declined:?}");
    assert!(declined.contains(&"introduced-quotes-user 0".to_string()), "{declined:?}");
    let planned = fired("> Tuesday at 3 works for me. All the best, Hank\n");
    assert!(planned.contains(&"introduced-quotes-user -2".to_string()), "{planned:?}");
    assert!(!planned.iter().any(|r| r.starts_with("introduced-only-by-courtesy 0.5")), "{planned:?}");
}

#[test]
fn an_exception_naming_an_unknown_rule_is_an_error() {
    let set: RuleSet = toml::from_str(
        r#"
[[rules]]
id = "student"
category = "student"
weight = -3.5
phrases = ["i graduated"]

[[rules]]
id = "disabled"
category = "student"
weight = 0.0
phrases = ["x"]

[[rules]]
id = "alumnus"
category = "stranger-pretext"
weight = 0.5
phrases = ["graduated in 2014"]
overrides = ["studnet", "disabled"]
"#,
    )
    .unwrap();
    let errors: Vec<String> = Classifier::new(&set).err().expect("errors").iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "a disabled rule is simply not there to cancel: {errors:#?}");
    assert!(errors[0].contains("`studnet`") && errors[0].contains("did you mean `student`"), "{}", errors[0]);
}
