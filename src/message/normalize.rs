//! Text normalization: the form every rule is matched against.
//!
//! Senders (and spammers) vary spelling in ways a reader never notices: curly quotes,
//! soft hyphens, zero-width spaces, a Cyrillic "о" in "network", accents, line wraps.
//! Folding all of that away here means rule authors write plain lowercase ASCII once.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Normalizes `text` for matching: NFKC, lowercase, diacritics and format characters
/// removed, look-alike letters from other scripts folded to Latin (UTS #39 skeleton),
/// typographic quotes and dashes mapped to ASCII, all whitespace collapsed to one space.
pub fn normalize(text: &str) -> String {
    // Built as bytes, printable ASCII a run at a time: nearly all mail is ASCII, and
    // this pass touches every byte of every message.
    let mut out = Output { bytes: Vec::with_capacity(text.len()), pending_space: false };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_graphic() {
            // A run of printable ASCII words with single spaces between them, copied
            // and lowercased in bulk. NFKC leaves ASCII alone, and a combining mark
            // after an ASCII letter is dropped below just as composing and then
            // stripping the diacritic would.
            let mut run = 0;
            for (k, &c) in bytes[i..].iter().enumerate() {
                if c.is_ascii_graphic() {
                    run = k + 1;
                } else if c != b' ' || !bytes.get(i + k + 1).is_some_and(u8::is_ascii_graphic) {
                    break;
                }
            }
            out.flush_space();
            out.bytes.extend_from_slice(&bytes[i..i + run]);
            let len = out.bytes.len();
            out.bytes[len - run..].make_ascii_lowercase();
            i += run;
        } else if b.is_ascii() {
            if b.is_ascii_whitespace() {
                out.space();
            }
            // Other control characters are dropped.
            i += 1;
        } else {
            let c = text[i..].chars().next().expect("i is at a character boundary");
            i += c.len_utf8();
            fold(c, &mut |f| out.char(f));
        }
    }
    String::from_utf8(out.bytes).expect("only whole characters are written")
}

/// One character of the text in its normalized form: zero or more characters, a
/// space standing for whitespace. Per character: compatibility forms (fullwidth
/// letters, ligatures) decompose on their own; composition across characters would
/// only restore accents that are stripped anyway.
fn fold(c: char, emit: &mut impl FnMut(char)) {
    for k in std::iter::once(c).nfkc() {
        if k.is_ascii() {
            let k = if k.is_ascii_whitespace() { ' ' } else { k.to_ascii_lowercase() };
            if !k.is_ascii_control() {
                emit(k);
            }
        } else {
            fold_char(k, emit);
        }
    }
}

/// The normalized text being built: runs of whitespace become one space, and none
/// is left at either end.
struct Output {
    bytes: Vec<u8>,
    pending_space: bool,
}

impl Output {
    fn space(&mut self) {
        self.pending_space = !self.bytes.is_empty();
    }

    fn flush_space(&mut self) {
        if self.pending_space {
            self.bytes.push(b' ');
            self.pending_space = false;
        }
    }

    fn byte(&mut self, b: u8) {
        self.flush_space();
        self.bytes.push(b);
    }

    fn char(&mut self, c: char) {
        if c == ' ' {
            self.space();
        } else if c.is_ascii() {
            self.byte(c as u8);
        } else {
            self.byte_str(c.encode_utf8(&mut [0; 4]));
        }
    }

    fn byte_str(&mut self, s: &str) {
        self.flush_space();
        self.bytes.extend_from_slice(s.as_bytes());
    }
}

/// Folds one non-ASCII character into zero or more output characters.
fn fold_char(c: char, emit: &mut impl FnMut(char)) {
    if c.is_whitespace() {
        return emit(' ');
    }
    if let Some(mapped) = typographic(c) {
        return emit(mapped);
    }
    match c.general_category() {
        // Zero-width spaces, soft hyphens, bidi controls: invisible, so they must not
        // split a word ("impres\u{200B}sive").
        GeneralCategory::Format | GeneralCategory::Control | GeneralCategory::NonspacingMark => {
            return;
        }
        _ => {}
    }
    for lower in c.to_lowercase() {
        if lower.is_ascii() {
            emit(lower);
        } else if is_latin(lower) {
            strip_diacritics(lower, emit);
        } else if lower.is_alphabetic() {
            fold_confusable(lower, emit);
        } else {
            emit(lower);
        }
    }
}

/// Quotes, dashes and similar punctuation that NFKC leaves alone.
fn typographic(c: char) -> Option<char> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{00B4}' | '\u{0060}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' | '\u{FE58}'
        | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{2026}' => '.',
        _ => return None,
    })
}

fn is_latin(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF)
}

/// "é" → "e": French and Spanish writers and evaders alike use accents inconsistently.
fn strip_diacritics(c: char, emit: &mut impl FnMut(char)) {
    let mut any = false;
    decompose_canonical(c, |d| {
        if d.general_category() != GeneralCategory::NonspacingMark {
            any = true;
            emit(d);
        }
    });
    if !any {
        emit(c);
    }
}

/// A letter from another script that merely looks Latin (Cyrillic "о", Greek "ο")
/// becomes its Latin prototype; letters without an ASCII look-alike stay as they are.
fn fold_confusable(c: char, emit: &mut impl FnMut(char)) {
    let mut buf = [0u8; 4];
    let skeleton: String = unicode_security::skeleton(c.encode_utf8(&mut buf)).collect();
    if !skeleton.is_empty() && skeleton.chars().all(|s| s.is_ascii_alphanumeric()) {
        skeleton.chars().map(|s| s.to_ascii_lowercase()).for_each(&mut *emit);
    } else {
        emit(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition `normalize` implements: every character folded on its own,
    /// then whitespace collapsed.
    fn reference(text: &str) -> String {
        let mut folded = String::new();
        text.chars().for_each(|c| fold(c, &mut |f| folded.push(f)));
        folded.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
    }

    proptest! {
        #[test]
        fn the_fast_path_agrees_with_the_definition(text in "(?s)[a-zA-Z \t\r\n.,'\x00-\x1f\u{80}-\u{3ff}\u{2000}-\u{206f}\u{ff00}-\u{ff5e}\u{400}-\u{4ff}]{0,60}") {
            prop_assert_eq!(normalize(&text), reference(&text));
        }
    }

    #[test]
    fn ascii_is_lowercased_and_whitespace_collapsed() {
        assert_eq!(normalize("  Who ARE\r\n\tyour   Clients?  "), "who are your clients?");
    }

    #[test]
    fn zero_width_and_soft_hyphen_do_not_split_words() {
        assert_eq!(normalize("impres\u{200B}sive net\u{00AD}work"), "impressive network");
        assert_eq!(normalize("net\u{200D}work\u{FEFF}"), "network");
    }

    #[test]
    fn curly_quotes_and_dashes_become_ascii() {
        assert_eq!(normalize("\u{201C}Who are your clients?\u{201D}"), "\"who are your clients?\"");
        assert_eq!(normalize("you\u{2019}re \u{2014} we\u{2019}re"), "you're - we're");
    }

    #[test]
    fn non_breaking_and_exotic_spaces_are_spaces() {
        assert_eq!(normalize("pick\u{00A0}your\u{2009}brain\u{3000}now"), "pick your brain now");
    }

    #[test]
    fn cyrillic_and_greek_lookalikes_fold_to_latin() {
        // Cyrillic о, е, с and Greek ο in otherwise Latin words.
        assert_eq!(normalize("n\u{0435}tw\u{043E}rk"), "network");
        assert_eq!(normalize("\u{0441}lients"), "clients");
        assert_eq!(normalize("netw\u{03BF}rk"), "network");
    }

    #[test]
    fn diacritics_are_removed() {
        assert_eq!(normalize("Présentez-moi à vos clients, señor"), "presentez-moi a vos clients, senor");
    }

    #[test]
    fn compatibility_forms_fold_under_nfkc() {
        // Fullwidth letters and ligatures are a classic filter evasion.
        assert_eq!(normalize("\u{FF4E}\u{FF45}\u{FF54}work \u{FB01}rm"), "network firm");
    }

    #[test]
    fn uppercase_non_ascii_is_lowercased() {
        assert_eq!(normalize("ÉCRIT À"), "ecrit a");
    }

    #[test]
    fn genuine_non_latin_text_survives() {
        // Chinese has no Latin look-alike and must not be dropped.
        assert_eq!(normalize("你好 world"), "你好 world");
    }
}
