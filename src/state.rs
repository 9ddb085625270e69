//! The state database (SQLite): how far each mailbox has been processed and a journal
//! of every decision and mailbox change, so that a crash or restart at any point
//! neither repeats nor drops an action.
//!
//! The protocol for each message: [`State::record_intent`] before the mailbox is
//! touched, [`State::complete`] after, which also advances the mailbox cursor in the
//! same transaction. An entry still `pending` at start-up is reconciled by looking at
//! the server, never redone blindly.

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// Schema migrations, applied in order; the index is the version they lead to.
const MIGRATIONS: &[&str] = &[
    // 1: mailbox cursors and the decision journal.
    "CREATE TABLE mailbox (
        name TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid INTEGER NOT NULL
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        mailbox TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        uid INTEGER NOT NULL,
        message_key TEXT NOT NULL,
        message_id TEXT,
        sender TEXT,
        subject TEXT,
        score REAL NOT NULL,
        action TEXT NOT NULL,
        category TEXT,
        reasons TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        detail TEXT
    );
    CREATE UNIQUE INDEX journal_message ON journal (mailbox, uidvalidity, uid);
    CREATE INDEX journal_key ON journal (message_key);",
    // 2: the decline ledger (see `state/declines.rs`).
    "CREATE TABLE decline (
        id INTEGER PRIMARY KEY,
        journal_id INTEGER NOT NULL UNIQUE REFERENCES journal (id),
        created_at INTEGER NOT NULL,
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        reply_message_id TEXT NOT NULL,
        mode TEXT NOT NULL,
        envelope_from TEXT,
        raw BLOB NOT NULL,
        original_headers BLOB NOT NULL,
        status TEXT NOT NULL,
        copied INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        detail TEXT,
        done_at INTEGER
    );
    CREATE INDEX decline_recipient ON decline (recipient, created_at);
    CREATE INDEX decline_sender ON decline (sender, created_at);
    CREATE INDEX decline_due ON decline (status, next_attempt_at);",
    // 3: what screener learns from the user (see `state/learning.rs`).
    "CREATE TABLE contact (
        address TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        added_at INTEGER NOT NULL
    );
    CREATE TABLE sent_id (message_id TEXT PRIMARY KEY);
    CREATE TABLE trained (
        message_key TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        tokens TEXT NOT NULL,
        source TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE TABLE bayes_token (
        token TEXT PRIMARY KEY,
        extractive INTEGER NOT NULL,
        ham INTEGER NOT NULL
    );
    CREATE TABLE bayes_docs (label TEXT PRIMARY KEY, docs INTEGER NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // 4: since when each mailbox is watched (unix seconds), so that a renumbered
    // mailbox is screened again only for mail that arrived since; for existing state,
    // the first decision journaled there.
    "ALTER TABLE mailbox ADD COLUMN since INTEGER;
    UPDATE mailbox SET since = (SELECT CAST(strftime('%s', min(time)) AS INTEGER) FROM journal
                                WHERE journal.mailbox = mailbox.name);",
];

mod declines;
mod learning;
pub use declines::{DeclineRow, DeclineStatus, NewDecline, unix_now};
pub use learning::{LearnedContact, Trained};

/// What became of a journaled decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The intent is recorded; the mailbox change may or may not have happened.
    Pending,
    /// Done (or nothing to do, for `keep`).
    Done,
    /// Dry run: decided and journaled, the mailbox left alone.
    DryRun,
    /// The message could not be read or acted on; it was left where it was.
    Failed,
    /// At reconciliation the message was in neither place (the user moved it).
    Vanished,
    /// Never carried out: the mailbox was renumbered (UIDVALIDITY) before it could be
    /// reconciled. Unlike the others, it does not make the message count as handled.
    Superseded,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pending => "pending",
            Outcome::Done => "done",
            Outcome::DryRun => "dry-run",
            Outcome::Failed => "failed",
            Outcome::Vanished => "vanished",
            Outcome::Superseded => "superseded",
        }
    }

    fn parse(s: &str) -> Outcome {
        match s {
            "done" => Outcome::Done,
            "dry-run" => Outcome::DryRun,
            "failed" => Outcome::Failed,
            "vanished" => Outcome::Vanished,
            "superseded" => Outcome::Superseded,
            _ => Outcome::Pending,
        }
    }
}

/// How far a mailbox has been processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub uidvalidity: u32,
    pub last_uid: u32,
}

/// A decision about to be carried out.
#[derive(Debug, Clone)]
pub struct Intent {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub uid: u32,
    /// Message-ID, or a hash of the headers for messages without one.
    pub message_key: String,
    pub message_id: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub score: f64,
    pub action: String,
    pub category: Option<String>,
    /// The reasons as JSON.
    pub reasons: String,
    /// The folder the message goes to, if any.
    pub target: Option<String>,
}

/// A journal row.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub time: String,
    pub mailbox: String,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_key: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: Outcome,
}

/// A journal row with everything `review` and `explain` show.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Record {
    pub id: i64,
    pub time: String,
    pub mailbox: String,
    pub uid: u32,
    pub message_id: Option<String>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub score: f64,
    pub action: String,
    pub category: Option<String>,
    /// The reasons as JSON (`[{rule, category, weight, excerpt}]`).
    #[serde(skip)]
    pub reasons: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
}

pub struct State {
    conn: Connection,
}

/// Adds a journal row, unless this message (mailbox, UIDVALIDITY, UID) has one.
fn insert(conn: &Connection, i: &Intent, outcome: Outcome) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO journal (mailbox, uidvalidity, uid, message_key, message_id, sender, subject,
                                        score, action, category, reasons, target, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        i.mailbox,
        i.uidvalidity,
        i.uid,
        i.message_key,
        i.message_id,
        i.sender,
        i.subject,
        i.score,
        i.action,
        i.category,
        i.reasons,
        i.target,
        outcome.as_str(),
    ])
}

/// Records an outcome and advances the entry's mailbox cursor past it; the caller
/// holds the transaction that makes the two one step.
fn finish(conn: &Connection, id: i64, outcome: Outcome, detail: Option<&str>) -> rusqlite::Result<()> {
    conn.execute("UPDATE journal SET outcome = ?2, detail = ?3 WHERE id = ?1", params![id, outcome.as_str(), detail])?;
    conn.execute(
        "UPDATE mailbox SET last_uid = max(last_uid, (SELECT uid FROM journal WHERE id = ?1))
         WHERE name = (SELECT mailbox FROM journal WHERE id = ?1)
           AND uidvalidity = (SELECT uidvalidity FROM journal WHERE id = ?1)",
        params![id],
    )?;
    Ok(())
}

impl State {
    /// Hands SQLite's page cache for this connection back to the heap (the daemon
    /// trims the heap next): after a backlog it holds up to 2 MB of journal pages
    /// that an idle daemon has no use for; the next query reads what it needs.
    pub fn release_memory(&self) {
        if let Err(e) = self.conn.release_memory() {
            tracing::debug!(error = %e, "could not release the state database's cache");
        }
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<State> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
        }
        let conn =
            Connection::open(path).with_context(|| format!("cannot open the state database {}", path.display()))?;
        Self::init(conn).with_context(|| format!("cannot prepare the state database {}", path.display()))
    }

    /// A number that changes whenever another process (`screener release`,
    /// `screener contacts add`, `screener train`) commits to the database: the daemon
    /// reloads what was learned when it moves. (SQLite's `PRAGMA data_version`; this
    /// connection's own writes leave it alone.)
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A throwaway database, for tests and dry runs without a state path.
    pub fn in_memory() -> Result<State> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<State> {
        // WAL keeps readers (`screener review`) from blocking the daemon. NORMAL sync
        // in WAL mode survives any crash of the process (kill -9 included); only a
        // power loss may forget the last commits, and then the cursor is merely
        // behind: messages already moved are gone from the inbox, so nothing repeats.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let state = State { conn };
        state.migrate()?;
        Ok(state)
    }

    fn migrate(&self) -> Result<()> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            anyhow::bail!(
                "the state database has schema version {version}, newer than this screener knows ({}); \
                 upgrade screener or point daemon.state_path elsewhere",
                MIGRATIONS.len()
            );
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.unchecked_transaction()?;
            tx.execute_batch(sql).with_context(|| format!("migration {} failed", i + 1))?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    pub fn cursor(&self, mailbox: &str) -> Result<Option<Cursor>> {
        Ok(self
            .conn
            .query_row("SELECT uidvalidity, last_uid FROM mailbox WHERE name = ?1", [mailbox], |r| {
                Ok(Cursor { uidvalidity: r.get(0)?, last_uid: r.get(1)? })
            })
            .optional()?)
    }

    /// The first start's cursor, and since when the mailbox is watched (kept if it
    /// was known already).
    pub fn start_cursor(&self, mailbox: &str, cursor: Cursor, since: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO mailbox (name, uidvalidity, last_uid, since) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2, last_uid = ?3, since = coalesce(since, ?4)",
            params![mailbox, cursor.uidvalidity, cursor.last_uid, since],
        )?;
        Ok(())
    }

    /// Since when `mailbox` is watched, in unix seconds: None for state from before
    /// this was recorded in which nothing was ever journaled there.
    pub fn watched_since(&self, mailbox: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT since FROM mailbox WHERE name = ?1", [mailbox], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Sets the cursor outright (first run, UIDVALIDITY change).
    pub fn set_cursor(&self, mailbox: &str, cursor: Cursor) -> Result<()> {
        self.conn.execute(
            "INSERT INTO mailbox (name, uidvalidity, last_uid) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2, last_uid = ?3",
            params![mailbox, cursor.uidvalidity, cursor.last_uid],
        )?;
        Ok(())
    }

    /// True when the message `intent` names (mailbox, UIDVALIDITY, UID) is journaled.
    pub fn has_entry(&self, intent: &Intent) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM journal WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                params![intent.mailbox, intent.uidvalidity, intent.uid],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records a decision before the mailbox is touched. Returns the journal id; if
    /// this message (mailbox, UIDVALIDITY, UID) was journaled before, returns that
    /// entry instead of adding another.
    pub fn record_intent(&self, intent: &Intent) -> Result<(i64, Outcome)> {
        if let Some((id, outcome)) = self
            .conn
            .query_row(
                "SELECT id, outcome FROM journal WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                params![intent.mailbox, intent.uidvalidity, intent.uid],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
        {
            return Ok((id, Outcome::parse(&outcome)));
        }
        insert(&self.conn, intent, Outcome::Pending)?;
        Ok((self.conn.last_insert_rowid(), Outcome::Pending))
    }

    /// Journals decisions that need no mailbox change (keep) as done, and advances the
    /// cursor past them, in one transaction: a backlog of thousands of messages costs
    /// one commit per batch instead of two per message. Already journaled messages
    /// are left as they are.
    pub fn record_kept(&self, intents: &[Intent]) -> Result<()> {
        if intents.is_empty() {
            return Ok(());
        }
        // Each cursor moves only past its own mailbox's UIDs under its own UIDVALIDITY:
        // keeps left over from a session that ended mid-batch may name an older
        // numbering, whose UIDs say nothing about the current one.
        let mut cursors: Vec<(&str, u32, u32)> = Vec::new();
        let tx = self.conn.unchecked_transaction()?;
        for intent in intents {
            insert(&tx, intent, Outcome::Done)?;
            match cursors.iter_mut().find(|(m, v, _)| *m == intent.mailbox && *v == intent.uidvalidity) {
                Some(cursor) => cursor.2 = cursor.2.max(intent.uid),
                None => cursors.push((&intent.mailbox, intent.uidvalidity, intent.uid)),
            }
        }
        for (mailbox, uidvalidity, uid) in cursors {
            tx.execute(
                "UPDATE mailbox SET last_uid = max(last_uid, ?3) WHERE name = ?1 AND uidvalidity = ?2",
                params![mailbox, uidvalidity, uid],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records the outcome of entry `id` and advances the cursor of its mailbox past
    /// its UID, in one transaction: either both happen or neither.
    pub fn complete(&self, id: i64, outcome: Outcome, detail: Option<&str>) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        finish(&tx, id, outcome, detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Like [`State::complete`] for several entries, in one transaction.
    pub fn complete_all(&self, ids: &[i64], outcome: Outcome) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for &id in ids {
            finish(&tx, id, outcome, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Entries of `mailbox` whose mailbox change may or may not have happened.
    pub fn pending(&self, mailbox: &str) -> Result<Vec<Entry>> {
        self.entries("WHERE mailbox = ?1 AND outcome = 'pending' ORDER BY uid", params![mailbox])
    }

    /// True when a message with this key was already acted on (or deliberately left)
    /// in this mailbox, under any UIDVALIDITY.
    pub fn seen_key(&self, mailbox: &str, message_key: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM journal WHERE mailbox = ?1 AND message_key = ?2 \
                 AND outcome NOT IN ('pending', 'superseded') LIMIT 1",
                params![mailbox, message_key],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The folder this message was last filed into, when its latest journal entry (in
    /// any mailbox: the watched one or the Train folder) is a completed file or
    /// decline: seeing it in the watched mailbox again means the user moved it back.
    pub fn last_filed(&self, message_key: &str) -> Result<Option<String>> {
        let last: Option<(String, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT action, outcome, target FROM journal WHERE message_key = ?1 ORDER BY id DESC LIMIT 1",
                params![message_key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        Ok(match last {
            // `vanished`: a move interrupted by a crash, then reconciled while the user
            // had already moved the message back. The $Screened keyword on it says
            // screener did move it.
            Some((action, outcome, target)) if action != "keep" && (outcome == "done" || outcome == "vanished") => {
                target
            }
            _ => None,
        })
    }

    /// How many messages got `action` with a completed outcome since `since`
    /// (an SQLite datetime string such as "2026-01-05T00:00:00Z").
    pub fn count_since(&self, action: &str, since: &str) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM journal WHERE action = ?1 AND outcome = 'done' AND time >= ?2",
            params![action, since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Every journal entry, oldest first (for tests and `review`).
    pub fn all(&self) -> Result<Vec<Entry>> {
        self.entries("ORDER BY id", [])
    }

    /// Decisions since `since` (an SQLite datetime such as "2026-01-05T00:00:00Z"),
    /// newest first, optionally of one action.
    pub fn records_since(&self, since: &str, action: Option<&str>) -> Result<Vec<Record>> {
        self.records("WHERE time >= ?1 AND (?2 IS NULL OR action = ?2) ORDER BY id DESC", params![since, action])
    }

    /// The journal entry `id`, or the entries of a Message-ID (angle brackets optional).
    pub fn find_records(&self, target: &str) -> Result<Vec<Record>> {
        if let Ok(id) = target.parse::<i64>() {
            return self.records("WHERE id = ?1", params![id]);
        }
        let id = target.trim().trim_start_matches('<').trim_end_matches('>');
        self.records("WHERE message_id = ?1 ORDER BY id", params![id])
    }

    fn records(&self, clause: &str, params: impl rusqlite::Params) -> Result<Vec<Record>> {
        let sql = format!(
            "SELECT id, time, mailbox, uid, message_id, sender, subject, score, action, category, reasons, target,
                    outcome, detail FROM journal {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(Record {
                id: r.get(0)?,
                time: r.get(1)?,
                mailbox: r.get(2)?,
                uid: r.get(3)?,
                message_id: r.get(4)?,
                sender: r.get(5)?,
                subject: r.get(6)?,
                score: r.get(7)?,
                action: r.get(8)?,
                category: r.get(9)?,
                reasons: r.get(10)?,
                target: r.get(11)?,
                outcome: r.get(12)?,
                detail: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn entries(&self, clause: &str, params: impl rusqlite::Params) -> Result<Vec<Entry>> {
        let sql = format!(
            "SELECT id, time, mailbox, uidvalidity, uid, message_key, action, target, outcome FROM journal {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(Entry {
                id: r.get(0)?,
                time: r.get(1)?,
                mailbox: r.get(2)?,
                uidvalidity: r.get(3)?,
                uid: r.get(4)?,
                message_key: r.get(5)?,
                action: r.get(6)?,
                target: r.get(7)?,
                outcome: Outcome::parse(&r.get::<_, String>(8)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(uid: u32, key: &str) -> Intent {
        Intent {
            mailbox: "INBOX".into(),
            uidvalidity: 7,
            uid,
            message_key: key.into(),
            message_id: Some(key.into()),
            sender: Some("a@x.example".into()),
            subject: Some("hi".into()),
            score: 9.0,
            action: "file".into(),
            category: Some("client-fishing".into()),
            reasons: "[]".into(),
            target: Some("Screened/Extractive".into()),
        }
    }

    #[test]
    fn kept_messages_are_journaled_in_one_batch() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 7, last_uid: 0 }).unwrap();
        let kept: Vec<Intent> =
            (1..=3).map(|u| Intent { action: "keep".into(), target: None, ..intent(u, &format!("<{u}@x>")) }).collect();
        s.record_kept(&kept).unwrap();
        s.record_kept(&kept[..1]).unwrap(); // again: ignored, not duplicated
        assert_eq!(s.all().unwrap().len(), 3);
        assert!(s.all().unwrap().iter().all(|e| e.outcome == Outcome::Done));
        assert_eq!(s.cursor("INBOX").unwrap().unwrap().last_uid, 3);
        // An idle daemon drops the page cache; the journal reads back from disk.
        s.release_memory();
        assert_eq!(s.all().unwrap().len(), 3);
        s.record_kept(&kept[1..]).unwrap();
        assert_eq!(s.all().unwrap().len(), 3);
    }

    #[test]
    fn keeps_of_an_older_numbering_do_not_move_the_new_cursor() {
        // A session ended mid-batch left keeps of UIDVALIDITY 7 unflushed; the server
        // renumbered the mailbox (UIDVALIDITY 8) and the next session starts from 0.
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 8, last_uid: 0 }).unwrap();
        let keep = |uid, uidvalidity| Intent {
            action: "keep".into(),
            target: None,
            uidvalidity,
            ..intent(uid, &format!("<{uid}-{uidvalidity}@x>"))
        };
        s.record_kept(&[keep(900, 7), keep(901, 7), keep(2, 8)]).unwrap();
        assert_eq!(s.cursor("INBOX").unwrap().unwrap(), Cursor { uidvalidity: 8, last_uid: 2 });
        assert_eq!(s.all().unwrap().len(), 3, "the old keeps are still journaled");
    }

    #[test]
    fn intent_then_outcome_advances_the_cursor() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 7, last_uid: 3 }).unwrap();
        let (id, outcome) = s.record_intent(&intent(5, "<a@x>")).unwrap();
        assert_eq!(outcome, Outcome::Pending);
        assert_eq!(s.cursor("INBOX").unwrap().unwrap().last_uid, 3, "not before the action is complete");
        assert_eq!(s.pending("INBOX").unwrap().len(), 1);
        s.complete(id, Outcome::Done, None).unwrap();
        assert_eq!(s.cursor("INBOX").unwrap().unwrap(), Cursor { uidvalidity: 7, last_uid: 5 });
        assert!(s.pending("INBOX").unwrap().is_empty());
        assert!(s.seen_key("INBOX", "<a@x>").unwrap());
        assert!(!s.seen_key("INBOX", "<b@x>").unwrap());
    }

    #[test]
    fn the_same_message_is_journaled_once() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 7, last_uid: 0 }).unwrap();
        let (id, _) = s.record_intent(&intent(5, "<a@x>")).unwrap();
        s.complete(id, Outcome::Done, None).unwrap();
        let (again, outcome) = s.record_intent(&intent(5, "<a@x>")).unwrap();
        assert_eq!((again, outcome), (id, Outcome::Done));
        assert_eq!(s.all().unwrap().len(), 1);
    }

    #[test]
    fn the_cursor_never_moves_back() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 7, last_uid: 10 }).unwrap();
        let (id, _) = s.record_intent(&intent(4, "<old@x>")).unwrap();
        s.complete(id, Outcome::Done, None).unwrap();
        assert_eq!(s.cursor("INBOX").unwrap().unwrap().last_uid, 10);
    }

    #[test]
    fn a_cursor_of_another_uidvalidity_is_not_advanced() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 8, last_uid: 1 }).unwrap();
        let (id, _) = s.record_intent(&intent(5, "<a@x>")).unwrap();
        s.complete(id, Outcome::Done, None).unwrap();
        assert_eq!(s.cursor("INBOX").unwrap().unwrap(), Cursor { uidvalidity: 8, last_uid: 1 });
    }

    #[test]
    fn reopening_keeps_everything_and_migrations_run_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/screener.db");
        {
            let s = State::open(&path).unwrap();
            s.set_cursor("INBOX", Cursor { uidvalidity: 1, last_uid: 2 }).unwrap();
            s.record_intent(&intent(3, "<k@x>")).unwrap();
        }
        let s = State::open(&path).unwrap();
        assert_eq!(s.cursor("INBOX").unwrap().unwrap().last_uid, 2);
        assert_eq!(s.pending("INBOX").unwrap().len(), 1);
    }

    #[test]
    fn since_when_a_mailbox_is_watched_survives_later_cursors_and_is_filled_in_on_upgrade() {
        let s = State::in_memory().unwrap();
        assert_eq!(s.watched_since("INBOX").unwrap(), None);
        s.start_cursor("INBOX", Cursor { uidvalidity: 1, last_uid: 5 }, 1_000).unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 2, last_uid: 0 }).unwrap();
        s.start_cursor("INBOX", Cursor { uidvalidity: 2, last_uid: 9 }, 2_000).unwrap();
        assert_eq!(s.watched_since("INBOX").unwrap(), Some(1_000));
        assert_eq!(s.cursor("INBOX").unwrap().unwrap().last_uid, 9);

        // State written before `since` existed: the first journaled decision stands in.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let s = State::open(&path).unwrap();
            s.set_cursor("INBOX", Cursor { uidvalidity: 1, last_uid: 2 }).unwrap();
            s.record_intent(&intent(3, "<k@x>")).unwrap();
            s.conn.execute_batch("UPDATE journal SET time = '2026-01-02T03:04:05Z'; ALTER TABLE mailbox DROP COLUMN since; PRAGMA user_version = 3;").unwrap();
        }
        let s = State::open(&path).unwrap();
        assert_eq!(s.watched_since("INBOX").unwrap(), Some(1_767_323_045));
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("screener.db");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        let err = State::open(&path).err().unwrap();
        assert!(format!("{err:#}").contains("newer than this screener knows"), "{err:#}");
    }

    #[test]
    fn counts_for_the_status_line() {
        let s = State::in_memory().unwrap();
        s.set_cursor("INBOX", Cursor { uidvalidity: 7, last_uid: 0 }).unwrap();
        for uid in 1..=3 {
            let (id, _) = s.record_intent(&intent(uid, &format!("<{uid}@x>"))).unwrap();
            s.complete(id, if uid == 3 { Outcome::Failed } else { Outcome::Done }, None).unwrap();
        }
        assert_eq!(s.count_since("file", "2000-01-01T00:00:00Z").unwrap(), 2);
    }
}
