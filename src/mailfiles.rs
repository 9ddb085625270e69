//! Mail on disk: single message files (.eml, or one message with an mbox `From `
//! line), mbox files, directories and Maildirs, streamed one message at a time so
//! that memory stays flat however much mail is read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use walkdir::WalkDir;

/// One message read from disk, or the reason it could not be read.
pub enum Item {
    /// `label` is the file path, or `FILE#N` for the N-th message of an mbox.
    Message {
        label: String,
        bytes: Vec<u8>,
    },
    Unreadable {
        label: String,
        error: io::Error,
    },
    /// A file met while walking a directory that was gone by the time it was read
    /// (a mail client renames Maildir files to change their flags), or a symbolic
    /// link leading back into the tree. Not an error: there is nothing to read.
    Skipped {
        label: String,
        why: String,
    },
}

/// A path as text for labels and messages. Bytes that are not UTF-8 are written
/// `\xNN`, so that two such names never print alike.
pub fn label(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Calls `visit` for every message under `path`, in a stable (sorted) order.
/// Only the first `max_bytes` of each single-message file are read.
pub fn visit(path: &Path, max_bytes: usize, visit: &mut dyn FnMut(Item)) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(error) => return visit(Item::Unreadable { label: label(path), error }),
    };
    if meta.is_dir() {
        // Links are followed: search-result folders (mu, mairix, notmuch) are made of them.
        // Sorted by name, compared as whole paths: siblings share their parent's
        // path, so the order is the same, without taking every name apart again at
        // each comparison (which cost more than reading the corpus's directories).
        let walk = WalkDir::new(path).follow_links(true).sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()));
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() && !skip(e.path()) => {
                    read_file(e.path(), max_bytes, &mut |item| match item {
                        Item::Unreadable { label, error } if error.kind() == io::ErrorKind::NotFound => {
                            visit(Item::Skipped { label, why: "it disappeared before it could be read".into() })
                        }
                        other => visit(other),
                    })
                }
                Ok(_) => {}
                Err(error) => {
                    let label = label(error.path().unwrap_or(path));
                    let gone = error.io_error().is_some_and(|e| e.kind() == io::ErrorKind::NotFound);
                    if error.loop_ancestor().is_some() {
                        visit(Item::Skipped { label, why: "a symbolic link loops back into the tree".into() })
                    } else if gone {
                        visit(Item::Skipped { label, why: "it disappeared, or is a dangling link".into() })
                    } else {
                        visit(Item::Unreadable { label, error: error.into() });
                    }
                }
            }
        }
    } else {
        read_file(path, max_bytes, visit);
    }
}

/// Files in a mail tree that are not messages: hidden files, Dovecot and Courier
/// metadata in a Maildir, and Maildir's tmp/ (messages still being delivered).
fn skip(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let name = path.file_name().map_or(&b""[..], |n| n.as_bytes());
    let parent = path.parent();
    let is_maildir = |dir: &Path| dir.join("cur").is_dir() && dir.join("new").is_dir();
    // Names first: `is_maildir` costs two `stat` calls, for every file of a large tree.
    name.starts_with(b".")
        || ((name.starts_with(b"dovecot")
            || name.starts_with(b"courier")
            || matches!(name, b"maildirfolder" | b"subscriptions"))
            && parent.is_some_and(is_maildir))
        || parent.is_some_and(|p| p.file_name().is_some_and(|n| n == "tmp") && p.parent().is_some_and(is_maildir))
}

fn read_file(path: &Path, max_bytes: usize, visit: &mut dyn FnMut(Item)) {
    let label = label(path);
    let mut reader = match File::open(path) {
        // The default 8 KiB: a buffer of 64 KiB per file was, freed, enough to make
        // the allocator consolidate its free lists after every message.
        Ok(f) => BufReader::new(f),
        Err(error) => return visit(Item::Unreadable { label, error }),
    };
    let is_mbox = match reader.fill_buf() {
        Ok(head) => head.starts_with(b"From "),
        Err(error) => return visit(Item::Unreadable { label, error }),
    };
    let mut bytes = Vec::new();
    // An mbox is read whole up to one byte past the limit, to tell a file holding
    // one message (the SpamAssassin corpus stores mail that way) from a mailbox.
    let limit = if is_mbox { max_bytes as u64 + 1 } else { max_bytes as u64 };
    if let Err(error) = (&mut reader).take(limit).read_to_end(&mut bytes) {
        return visit(Item::Unreadable { label, error });
    }
    if is_mbox && (bytes.len() > max_bytes || !is_single_message(&bytes)) {
        return read_mbox(BufReader::new(io::Cursor::new(bytes).chain(reader)), &label, max_bytes, visit);
    }
    // `message::parse` drops a single message's `From ` line itself.
    visit(Item::Message { label, bytes })
}

/// Whether an mbox file holds one message that needs no unquoting: no other line
/// starts with `From ` (a message boundary) or with `>From `, `>>From `... (a
/// quoted body line). Then the file minus its first line is what `read_mbox`
/// would produce, without copying it line by line.
fn is_single_message(mbox: &[u8]) -> bool {
    memchr::memmem::find_iter(mbox, b"From ").all(|at| {
        let quotes = mbox[..at].iter().rev().take_while(|&&b| b == b'>').count();
        at == 0 || mbox[at - quotes - 1] != b'\n'
    })
}

/// Splits an mbox into messages (mboxrd: a line starting with `From ` begins one, and
/// one `>` is taken off `>From `, `>>From `...). An mbox holding one message (the
/// SpamAssassin corpus stores mail that way) is labelled like a plain file; messages
/// of a larger mbox get `FILE#N`. Only the first `max_bytes` of each message are
/// kept: the rest, however long its lines, is read past without being held.
/// (mail-parser's own iterator holds each message and each line whole.)
fn read_mbox(mut reader: impl BufRead, label: &str, max_bytes: usize, visit: &mut dyn FnMut(Item)) {
    let mut current: Option<Vec<u8>> = None;
    let mut n = 0usize;
    let mut line = Vec::new();
    loop {
        // Enough of every line to recognise a separator, however full the message is.
        let room = current.as_ref().map_or(0, |m| max_bytes.saturating_sub(m.len()));
        match read_line_capped(&mut reader, &mut line, room.max(256)) {
            Ok(false) => break,
            Ok(true) => {}
            Err(error) => {
                visit(Item::Unreadable { label: format!("{label}#{}", n.max(1)), error });
                return;
            }
        }
        if line.starts_with(b"From ") {
            n += 1;
            // A second message: the first is complete, and the file is a mailbox.
            if let Some(previous) = current.replace(Vec::new()) {
                visit(Item::Message { label: format!("{label}#{}", n - 1), bytes: previous });
            }
            continue;
        }
        let Some(message) = current.as_mut() else { continue };
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        let text = if quotes > 0 && line[quotes..].starts_with(b"From ") { &line[1..] } else { &line[..] };
        let room = max_bytes.saturating_sub(message.len());
        message.extend_from_slice(&text[..text.len().min(room)]);
    }
    if let Some(last) = current {
        let label = if n == 1 { label.to_string() } else { format!("{label}#{n}") };
        visit(Item::Message { label, bytes: last });
    }
}

/// Reads one line (through its `\n`, or to the end of input) into `line`, keeping at
/// most `cap` bytes of it. Returns false at the end of input.
fn read_line_capped(reader: &mut impl BufRead, line: &mut Vec<u8>, cap: usize) -> io::Result<bool> {
    line.clear();
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let (len, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let keep = len.min(cap.saturating_sub(line.len()));
        line.extend_from_slice(&buf[..keep]);
        reader.consume(len);
        if done {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(path: &Path) -> Vec<(String, Result<String, String>)> {
        let mut out = Vec::new();
        visit(path, 1 << 20, &mut |item| match item {
            Item::Message { label, bytes } => out.push((label, Ok(String::from_utf8_lossy(&bytes).into_owned()))),
            Item::Unreadable { label, error } => out.push((label, Err(error.to_string()))),
            Item::Skipped { label, why } => out.push((label, Err(why))),
        });
        out
    }

    #[test]
    fn mbox_messages_are_numbered_and_unescaped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("box");
        std::fs::write(&path, "From a@x Mon Jan  5 10:00:00 2026\nSubject: one\n\n>From the top\n\nFrom b@x Mon Jan  5 11:00:00 2026\nSubject: two\n\nbody\n").unwrap();
        let got = collect(&path);
        assert_eq!(got.len(), 2);
        assert!(got[0].0.ends_with("box#1") && got[1].0.ends_with("box#2"));
        assert!(got[0].1.as_ref().unwrap().contains("\nFrom the top"));
        assert!(got[1].1.as_ref().unwrap().starts_with("Subject: two"));
    }

    #[test]
    fn single_message_mbox_keeps_its_plain_label() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0001.eml");
        std::fs::write(&path, "From a@x Mon Jan  5 10:00:00 2026\nSubject: one\n\nbody\n").unwrap();
        let got = collect(&path);
        assert_eq!(got.len(), 1);
        assert!(got[0].0.ends_with("0001.eml"));
    }

    #[test]
    fn a_single_message_mbox_reads_as_the_mbox_reader_would_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let simple =
            "From a@x.example Mon Jan  1 00:00:00 2024\nSubject: hi\n\nText, with From and >From inside lines.\n";
        let plain = "From a@x.example Mon Jan  1 00:00:00 2024\nSubject: hi\n\nFrom here on, >From is text.\n";
        let quoted = "From a@x.example Mon Jan  1 00:00:00 2024\nSubject: hi\n\n>From the archive\n>>From deeper\n";
        assert!(is_single_message(simple.as_bytes()));
        assert!(!is_single_message(plain.as_bytes()) && !is_single_message(quoted.as_bytes()));
        for (name, text) in [("simple", simple), ("plain", plain), ("quoted", quoted)] {
            std::fs::write(dir.path().join(name), text).unwrap();
            let mut via_reader = Vec::new();
            read_mbox(text.as_bytes(), name, 1 << 20, &mut |item| {
                if let Item::Message { bytes, .. } = item {
                    via_reader.push(String::from_utf8(bytes).unwrap());
                }
            });
            let got: Vec<String> = collect(&dir.path().join(name)).into_iter().map(|(_, m)| m.unwrap()).collect();
            // The fast path hands over the file with its `From ` line, which
            // `message::parse` drops.
            let got: Vec<String> = got
                .iter()
                .map(|m| m.strip_prefix("From a@x.example Mon Jan  1 00:00:00 2024\n").unwrap_or(m).to_string())
                .collect();
            assert_eq!(got, via_reader, "{name}");
        }
        // "From here on" starts a line: by mbox rules a second message.
        assert_eq!(collect(&dir.path().join("plain")).len(), 2);
    }

    #[test]
    fn mbox_messages_are_held_only_up_to_the_limit() {
        // A huge message, a huge single line, then a small message that must still be found.
        let mut mbox = b"From a@x Mon Jan  5 10:00:00 2026\nSubject: big\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'x', 50_000));
        mbox.extend(b"\nFrom b@x Mon Jan  5 11:00:00 2026\nSubject: line\n\n");
        mbox.extend(std::iter::repeat_n(b'y', 50_000));
        mbox.extend(b"\nFrom c@x Mon Jan  5 12:00:00 2026\nSubject: small\n\n>From me\n");
        let mut got = Vec::new();
        read_mbox(&mbox[..], "box", 1000, &mut |item| {
            if let Item::Message { label, bytes } = item {
                got.push((label, bytes));
            }
        });
        let labels: Vec<&str> = got.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["box#1", "box#2", "box#3"]);
        assert!(got.iter().all(|(_, b)| b.len() <= 1000));
        assert_eq!(got[2].1, b"Subject: small\n\nFrom me\n");
    }

    #[test]
    fn maildir_reads_cur_and_new_but_not_tmp_or_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("Maildir");
        for sub in ["cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        std::fs::write(md.join("cur/1.host:2,S"), "Subject: a\n\nx").unwrap();
        std::fs::write(md.join("new/2.host"), "Subject: b\n\nx").unwrap();
        std::fs::write(md.join("tmp/3.host"), "Subject: partial").unwrap();
        std::fs::write(md.join("dovecot-uidlist"), "3 V1 N4").unwrap();
        std::fs::write(md.join(".Sent/cur/4.host:2,S"), "Subject: c\n\nx").unwrap();
        std::fs::write(md.join(".Sent/maildirfolder"), "").unwrap();
        let labels: Vec<String> =
            collect(&md).into_iter().map(|(l, _)| l[md.to_str().unwrap().len()..].to_string()).collect();
        assert_eq!(labels.len(), 3, "{labels:?}");
        assert!(labels.iter().all(|l| !l.contains("tmp") && !l.contains("dovecot")));
    }

    #[test]
    fn links_are_followed_loops_and_dangling_links_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let results = dir.path().join("results/cur");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::create_dir_all(&results).unwrap();
        std::fs::write(store.join("m1"), "Subject: linked\n\nx").unwrap();
        std::os::unix::fs::symlink(store.join("m1"), results.join("1.host:2,S")).unwrap();
        std::os::unix::fs::symlink(store.join("gone"), results.join("2.host:2,S")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("results"), results.join("loop")).unwrap();
        let mut read = Vec::new();
        let mut skipped = Vec::new();
        visit(&dir.path().join("results"), 1 << 20, &mut |item| match item {
            Item::Message { bytes, .. } => read.push(String::from_utf8(bytes).unwrap()),
            Item::Skipped { label, .. } => skipped.push(label),
            Item::Unreadable { label, error } => panic!("{label}: {error}"),
        });
        assert_eq!(read, ["Subject: linked\n\nx"]);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
    }

    #[test]
    fn names_that_are_not_utf8_keep_distinct_labels() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for name in [&b"\xff.eml"[..], b"\xfe.eml", b".\xff-hidden"] {
            std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(name)), "Subject: a\n\nx").unwrap();
        }
        let labels: Vec<String> = collect(dir.path()).into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels.len(), 2, "the hidden file is skipped: {labels:?}");
        assert!(labels[0].ends_with("\\xfe.eml") && labels[1].ends_with("\\xff.eml"), "{labels:?}");
    }

    #[test]
    fn missing_path_is_unreadable_not_fatal() {
        let got = collect(Path::new("/nonexistent/mail"));
        assert_eq!(got.len(), 1);
        assert!(got[0].1.is_err());
    }

    #[test]
    fn large_files_are_read_only_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.eml");
        std::fs::write(&path, format!("Subject: big\n\n{}", "x".repeat(10_000))).unwrap();
        let mut sizes = Vec::new();
        visit(&path, 100, &mut |item| {
            if let Item::Message { bytes, .. } = item {
                sizes.push(bytes.len());
            }
        });
        assert_eq!(sizes, [100]);
    }
}
