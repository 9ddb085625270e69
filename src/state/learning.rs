//! What screener learned from the user: contacts (from releases, the Sent folder and
//! `screener contacts add`), the Message-IDs of the user's own mail (for the thread
//! rule), the Bayesian model's counts and the messages it was trained on, and a few
//! markers (`meta`) such as the last digest and the Sent folder's cursor.

use super::State;
use crate::learn::{Label, Model};
use anyhow::Result;
use rusqlite::{OptionalExtension, params};
use std::collections::HashSet;

/// A learned contact as listed by `screener contacts list`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LearnedContact {
    pub address: String,
    /// "release", "sent", "cli"; "removed" marks one the user took out, which the
    /// Sent folder scan must not bring back.
    pub source: String,
    pub added_at: i64,
}

/// What a training call changed, so the in-memory model can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trained {
    /// Already trained with this label: nothing changed.
    Unchanged,
    New,
    /// It had been trained with the other label, which was taken back.
    Relabelled {
        old_tokens: Vec<String>,
    },
}

impl State {
    /// Learned contacts in force (not removed).
    pub fn learned_contacts(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT address FROM contact WHERE source != 'removed' ORDER BY address")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    pub fn contact_list(&self) -> Result<Vec<LearnedContact>> {
        let mut stmt = self.conn.prepare("SELECT address, source, added_at FROM contact ORDER BY address")?;
        let rows =
            stmt.query_map([], |r| Ok(LearnedContact { address: r.get(0)?, source: r.get(1)?, added_at: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Adds a learned contact. The Sent folder scan (`source` "sent") never brings
    /// back one the user removed; the user's own actions do. Returns true when the
    /// address became a contact now.
    pub fn add_contact(&self, address: &str, source: &str) -> Result<bool> {
        // ASCII only, as the parser and `Contacts` fold addresses: "Ünal@x" must be
        // found again after a restart.
        let address = address.trim().to_ascii_lowercase();
        let existing: Option<String> = self
            .conn
            .query_row("SELECT source FROM contact WHERE address = ?1", [&address], |r| r.get(0))
            .optional()?;
        match existing.as_deref() {
            Some("removed") if source == "sent" => Ok(false),
            Some("removed") | None => {
                self.conn.execute(
                    "INSERT INTO contact (address, source, added_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (address) DO UPDATE SET source = ?2, added_at = ?3",
                    params![address, source, super::unix_now()],
                )?;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    /// Removes a learned contact (and keeps it from being learned again from Sent).
    /// Returns false when it was not a learned contact.
    pub fn remove_contact(&self, address: &str) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE contact SET source = 'removed', added_at = ?2 WHERE address = ?1 AND source != 'removed'",
            params![address.trim().to_ascii_lowercase(), super::unix_now()],
        )?;
        Ok(n > 0)
    }

    pub fn add_sent_ids(&self, ids: &[String]) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for id in ids {
            tx.execute("INSERT OR IGNORE INTO sent_id (message_id) VALUES (?1)", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn sent_ids(&self) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare("SELECT message_id FROM sent_id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<HashSet<String>>>()?)
    }

    /// Records a training example once per message: the same message again with the
    /// same label changes nothing; with the other label, the old one is taken back.
    pub fn train(&self, message_key: &str, label: Label, tokens: &[String], source: &str) -> Result<Trained> {
        let tx = self.conn.unchecked_transaction()?;
        let old: Option<(String, String)> = tx
            .query_row("SELECT label, tokens FROM trained WHERE message_key = ?1", [message_key], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let mut result = Trained::New;
        if let Some((old_label, old_tokens)) = old {
            if old_label == label.as_str() {
                return Ok(Trained::Unchanged);
            }
            let old_tokens: Vec<String> = serde_json::from_str(&old_tokens).unwrap_or_default();
            let other = Label::parse(&old_label).unwrap_or(label);
            count(&tx, &old_tokens, other, -1)?;
            result = Trained::Relabelled { old_tokens };
        }
        count(&tx, tokens, label, 1)?;
        tx.execute(
            "INSERT INTO trained (message_key, label, tokens, source, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (message_key) DO UPDATE SET label = ?2, tokens = ?3, source = ?4, at = ?5",
            params![message_key, label.as_str(), serde_json::to_string(tokens)?, source, super::unix_now()],
        )?;
        tx.commit()?;
        Ok(result)
    }

    /// The Bayesian model as stored.
    pub fn load_model(&self) -> Result<Model> {
        let docs = |label: Label| -> Result<u32> {
            Ok(self
                .conn
                .query_row("SELECT docs FROM bayes_docs WHERE label = ?1", [label.as_str()], |r| r.get(0))
                .optional()?
                .unwrap_or(0))
        };
        let (e, h) = (docs(Label::Extractive)?, docs(Label::Ham)?);
        let mut stmt = self.conn.prepare("SELECT token, extractive, ham FROM bayes_token")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, u32>(2)?)))?;
        let tokens = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Model::from_parts(e, h, tokens))
    }

    /// Training examples by source and label, for `screener train --stats`.
    pub fn training_sources(&self) -> Result<Vec<(String, String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, label, count(*) FROM trained GROUP BY source, label ORDER BY source, label")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }
}

/// Adds `delta` (±1) to the counts of `tokens` and of the label's documents.
fn count(tx: &rusqlite::Transaction, tokens: &[String], label: Label, delta: i64) -> rusqlite::Result<()> {
    let column = match label {
        Label::Extractive => "extractive",
        Label::Ham => "ham",
    };
    let mut stmt = tx.prepare_cached(
        "INSERT INTO bayes_token (token, extractive, ham) VALUES (?1, 0, 0) ON CONFLICT (token) DO NOTHING",
    )?;
    let mut update =
        tx.prepare_cached(&format!("UPDATE bayes_token SET {column} = max(0, {column} + ?2) WHERE token = ?1"))?;
    for token in tokens {
        stmt.execute([token])?;
        update.execute(params![token, delta])?;
    }
    tx.execute("DELETE FROM bayes_token WHERE extractive = 0 AND ham = 0", [])?;
    tx.execute(
        "INSERT INTO bayes_docs (label, docs) VALUES (?1, max(0, ?2)) ON CONFLICT (label) DO UPDATE SET docs = max(0, docs + ?2)",
        params![label.as_str(), delta],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn contacts_are_learned_removed_and_not_brought_back_by_the_sent_scan() {
        let s = State::in_memory().unwrap();
        assert!(s.add_contact("Ann@S.example", "release").unwrap());
        assert!(!s.add_contact("ann@s.example", "sent").unwrap(), "already known");
        assert_eq!(s.learned_contacts().unwrap(), vec!["ann@s.example"]);
        assert!(s.remove_contact("ann@s.example").unwrap());
        assert!(s.learned_contacts().unwrap().is_empty());
        assert!(!s.add_contact("ann@s.example", "sent").unwrap(), "the scan respects the removal");
        assert!(s.add_contact("ann@s.example", "cli").unwrap(), "the user may add it back");
        assert!(!s.remove_contact("nobody@x.example").unwrap());
    }

    #[test]
    fn training_is_idempotent_and_a_relabel_takes_the_old_label_back() {
        let s = State::in_memory().unwrap();
        assert_eq!(s.train("k1", Label::Extractive, &toks(&["your", "network"]), "train").unwrap(), Trained::New);
        assert_eq!(s.train("k1", Label::Extractive, &toks(&["your", "network"]), "train").unwrap(), Trained::Unchanged);
        assert_eq!(s.load_model().unwrap().docs(), (1, 0));
        let r = s.train("k1", Label::Ham, &toks(&["your", "network"]), "release").unwrap();
        assert!(matches!(r, Trained::Relabelled { .. }));
        let m = s.load_model().unwrap();
        assert_eq!(m.docs(), (0, 1));
        assert_eq!(m.token_count(), 2);
        assert_eq!(s.training_sources().unwrap(), vec![("release".to_string(), "ham".to_string(), 1)]);
    }

    #[test]
    fn sent_ids_and_meta() {
        let s = State::in_memory().unwrap();
        s.add_sent_ids(&toks(&["a@x", "b@x", "a@x"])).unwrap();
        assert_eq!(s.sent_ids().unwrap().len(), 2);
        assert_eq!(s.meta("digest").unwrap(), None);
        s.set_meta("digest", "2026-11-26").unwrap();
        s.set_meta("digest", "2026-11-27").unwrap();
        assert_eq!(s.meta("digest").unwrap().as_deref(), Some("2026-11-27"));
    }
}
