//! Texting shorthand spelled out before the rules run: "who r ur clients? lmk" asks
//! what "who are your clients? let me know" asks, and a rule set that had to list
//! every abbreviation of every phrase would be unreadable. The table is data
//! (`[shorthand]` in `config/rules.toml` and in the user's config).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Only text up to this many bytes is scanned. Shorthand is how quick notes are
/// written: the terse asks it hides are a few lines long, while a lone "u" or "r" in
/// a long newsletter or report is more often a list item, a unit or a language.
/// Scanning every byte of long mail cost 3 % of `screener score`'s time for nothing.
pub const MAX_TEXT: usize = 4000;

pub struct Shorthand {
    /// First word of a form → the rest of the form after that word ("" for a
    /// one-word form) and its expansion, longest first.
    forms: HashMap<String, Vec<(String, String)>>,
    /// Bit `n` of `starts[b]` (`ends[b]`): some form's first word starts (ends) with
    /// byte `b` and is `n` bytes long. Looking a word up costs more than these tests,
    /// which nearly every word fails ("the", "to", "in" pass one of them).
    starts: [u32; 256],
    ends: [u32; 256],
}

impl Shorthand {
    /// `table` maps a normalized short form (one or more words) to what it stands for.
    pub fn new(table: &BTreeMap<String, String>) -> Result<Shorthand, String> {
        let mut forms: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let (mut starts, mut ends) = ([0u32; 256], [0u32; 256]);
        for (form, expansion) in table {
            let first_len = form.bytes().take_while(|&b| is_word_byte(b)).count();
            if first_len == 0 || first_len > 31 {
                return Err(format!("shorthand {form:?} must start with a word of 1 to 31 letters"));
            }
            let (first, rest) = form.split_at(first_len);
            starts[usize::from(first.as_bytes()[0])] |= 1 << first_len;
            ends[usize::from(first.as_bytes()[first_len - 1])] |= 1 << first_len;
            forms.entry(first.to_string()).or_default().push((rest.to_string(), expansion.clone()));
        }
        for candidates in forms.values_mut() {
            candidates.sort_by_key(|(rest, _)| std::cmp::Reverse(rest.len()));
        }
        Ok(Shorthand { forms, starts, ends })
    }

    /// `text` (normalized) with every short form that stands as a word of its own
    /// replaced. "u" in "u.s." or "r" in "r&d" is part of another word and stays.
    /// Text longer than `MAX_TEXT` stays as it is.
    pub fn expand<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.forms.is_empty() || text.len() > MAX_TEXT {
            return Cow::Borrowed(text);
        }
        let bytes = text.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        let mut i = 0;
        while let Some(skip) = bytes[i..].iter().position(|&b| is_word_byte(b)) {
            let start = i + skip;
            let len = bytes[start..].iter().position(|&b| !is_word_byte(b)).unwrap_or(bytes.len() - start);
            i = start + len;
            if len > 31
                || self.starts[usize::from(bytes[start])] & (1 << len) == 0
                || self.ends[usize::from(bytes[i - 1])] & (1 << len) == 0
            {
                continue;
            }
            if start > 0 && joins(bytes[start - 1]) {
                continue;
            }
            let Some(candidates) = self.forms.get(&text[start..i]) else { continue };
            let found = candidates
                .iter()
                .find(|(rest, _)| bytes[i..].starts_with(rest.as_bytes()) && ends_word(bytes, i + rest.len()));
            if let Some((rest, expansion)) = found {
                out.push_str(&text[copied..start]);
                out.push_str(expansion);
                i += rest.len();
                copied = i;
            }
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }
}

/// The bytes a word (or a short form such as "w/", "intro'ing") is made of, as a
/// table: the scan tests every byte of every message.
const WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c >= 0x80 || c == b'\'' || c == b'/' || c == b'-';
        b += 1;
    }
    table
};

fn is_word_byte(b: u8) -> bool {
    WORD[usize::from(b)]
}

/// A byte that ties the word after it to the one before: "x@u", "r&d".
fn joins(b: u8) -> bool {
    is_word_byte(b) || matches!(b, b'&' | b'@' | b'_' | b'.')
}

/// Whether a form ending at `end` ends a word: not followed by a letter, a digit, a
/// joining character, nor by a '.' that continues a word ("u.s.").
fn ends_word(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(&b) if is_word_byte(b) || matches!(b, b'&' | b'@' | b'_') => false,
        Some(b'.') => !bytes.get(end + 1).is_some_and(|&n| n.is_ascii_alphanumeric() || n >= 0x80),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Shorthand {
        let t: BTreeMap<String, String> = [
            ("u", "you"),
            ("ur", "your"),
            ("r", "are"),
            ("w/", "with"),
            ("w/o", "without"),
            ("li rec", "linkedin recommendation"),
            ("on li", "on linkedin"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        Shorthand::new(&t).unwrap()
    }

    #[test]
    fn short_forms_standing_alone_are_spelled_out() {
        assert_eq!(
            table().expand("who r ur clients? can u intro me w/ them, w/o fuss."),
            "who are your clients? can you intro me with them, without fuss."
        );
        assert_eq!(table().expand("thx u."), "thx you.");
        assert_eq!(table().expand("u there?"), "you there?");
        assert_eq!(table().expand("ur"), "your");
        assert_eq!(table().expand("a quick li rec? we're on li"), "a quick linkedin recommendation? we're on linkedin");
    }

    #[test]
    fn parts_of_other_words_stay() {
        for text in [
            "the u.s. market",
            "r&d budget",
            "run your own",
            "u-turn",
            "r-value",
            "our",
            "x@u.example",
            "don't u'd",
            "li",
            "lisbon li recipe",
        ] {
            assert_eq!(table().expand(text), text, "{text}");
        }
    }

    #[test]
    fn long_text_is_left_alone() {
        let long = format!("can u intro me {}", "word ".repeat(MAX_TEXT / 5));
        assert_eq!(table().expand(&long), long);
    }

    #[test]
    fn text_without_short_forms_is_not_copied() {
        assert!(matches!(table().expand("who are your clients"), Cow::Borrowed(_)));
        assert!(matches!(Shorthand::new(&BTreeMap::new()).unwrap().expand("u r"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_form_must_start_with_a_word() {
        let t: BTreeMap<String, String> = [(" u".to_string(), "you".to_string())].into_iter().collect();
        assert!(Shorthand::new(&t).is_err());
    }
}
