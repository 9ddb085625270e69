//! Learning from the user, in the daemon: a message moved back from a screened
//! folder to the inbox (a false positive), a message moved into the Train folder (a
//! miss), the Sent folder (who the user writes to, and the threads they started),
//! and the daily digest.
//!
//! Screener never moves a message into the inbox or the Train folder itself, so what
//! arrives there from a screened folder is always the user's doing; moves into Trash
//! are not looked at at all, so they teach nothing.

use super::Daemon;
use crate::imap::{Connection, Selected, SpecialUse};
use crate::learn::{self, Label};
use crate::message::{self, Message};
use crate::state::{Outcome, Trained};
use anyhow::Result;
use std::time::{Duration, Instant, SystemTime};

/// The Sent folder is looked at no more often than this (a STATUS command).
const SENT_CHECK_EVERY: Duration = Duration::from_secs(60);
/// The Train folder likewise.
const TRAIN_CHECK_EVERY: Duration = Duration::from_secs(60);

impl Daemon {
    /// Loads what was learned into the screener (at start and after a reload).
    pub(super) fn load_learned(&mut self) -> Result<()> {
        self.learned_version = self.state.data_version()?;
        let contacts = self.state.learned_contacts()?;
        let sent_ids = self.state.sent_ids()?;
        let model = self.state.load_model()?;
        self.screener.set_learned(&contacts, sent_ids, model);
        Ok(())
    }

    /// Trains the model with one message, once per message (a relabel takes the old
    /// label back), in the database and in memory.
    pub(super) fn learn(&mut self, key: &str, msg: &Message, label: Label, source: &str) -> Result<()> {
        let tokens = learn::tokens(msg);
        match self.state.train(key, label, &tokens, source)? {
            Trained::Unchanged => {}
            Trained::New => self.screener.model_mut().train(&tokens, label),
            Trained::Relabelled { old_tokens } => {
                let old = if label == Label::Ham { Label::Extractive } else { Label::Ham };
                let model = self.screener.model_mut();
                model.untrain(&old_tokens, old);
                model.train(&tokens, label);
            }
        }
        Ok(())
    }

    /// A message screener filed is back in the inbox: the user moved it. Learns it
    /// as wanted mail, trusts its sender and cancels a reply not yet sent. Returns
    /// what to journal as the reason for keeping it.
    pub(super) fn released(&mut self, msg: &Message, key: &str, folder: &str) -> Result<String> {
        self.learn(key, msg, Label::Ham, "released")?;
        let mut said = format!("you moved this back from {folder}: learned as wanted mail");
        if let Some(author) = crate::policy::author(msg, &self.config().identity.addresses) {
            self.state.add_contact(&author, "release")?;
            // Also when `screener release` recorded it already: this process learns it now.
            self.screener.learn_contact(&author);
            said.push_str(&format!("; {author} is now a known contact"));
        }
        // `screener release` may have trained the model in the database already.
        self.screener.set_model(self.state.load_model()?);
        if self.state.cancel_declines(key, "released by the user")? > 0 {
            said.push_str("; the reply not yet sent is cancelled (a drafted one is removed from Drafts)");
        }
        tracing::info!(from = msg.from.as_ref().map(|f| f.address.as_str()).unwrap_or(""), "released: {said}");
        Ok(said)
    }

    /// Everything besides new mail that the loop looks after: the Train folder, the
    /// Sent folder, the digest. Leaves the watched mailbox selected.
    /// Returns whether it selected another folder (the caller looks for new mail).
    pub(super) async fn housekeeping(&mut self, conn: &mut Connection) -> Result<bool> {
        if self.options.dry_run {
            return Ok(false);
        }
        let mut reselect = false;
        if self.last_train_check.is_none_or(|t| t.elapsed() >= TRAIN_CHECK_EVERY) {
            reselect |= self.train_folder(conn).await?;
            self.last_train_check = Some(Instant::now());
        }
        if self.last_sent_check.is_none_or(|t| t.elapsed() >= SENT_CHECK_EVERY) {
            reselect |= self.scan_sent(conn).await?;
            self.last_sent_check = Some(Instant::now());
        }
        reselect |= self.digest(conn).await?;
        if reselect {
            conn.select(&self.mailbox()).await?;
        }
        Ok(reselect)
    }

    /// Messages the user put in the Train folder: learned as extractive, then filed.
    /// Journaled like any filing (mailbox = the Train folder), so a crash between the
    /// two neither loses nor repeats anything. Returns whether it selected the folder.
    async fn train_folder(&mut self, conn: &mut Connection) -> Result<bool> {
        let folder = conn.folder_name(&self.config().folders.train_extractive.clone()).await?;
        // Created up front, so it is there in the user's client to drop mail into.
        conn.ensure_folder(&folder).await?;
        let (messages, _, _) = conn.status(&folder).await?;
        // A crash between the MOVE and its journal entry: what is gone from Train was
        // moved (what is still there is moved below).
        let pending = self.state.pending(&folder)?;
        let mut examined = false;
        if !pending.is_empty() {
            let present = if messages == 0 {
                Vec::new()
            } else {
                conn.examine(&folder).await?;
                examined = true;
                let uids: Vec<u32> = pending.iter().map(|e| e.uid).collect();
                conn.uid_search(&format!("UID {}", crate::imap::uid_set(&uids))).await?
            };
            for entry in pending.iter().filter(|e| !present.contains(&e.uid)) {
                self.state.complete(entry.id, Outcome::Done, Some("reconciled: no longer in the Train folder"))?;
            }
        }
        if messages == 0 {
            return Ok(examined);
        }
        let selected: Selected = conn.select(&folder).await?;
        let target = conn.folder_name(&self.config().folders.extractive.clone()).await?;
        conn.ensure_folder(&target).await?;
        // Not what a MOVE without the MOVE extension left behind, marked \\Deleted:
        // that copy was filed already, and may have been released since.
        let uids = conn.uid_search("UNDELETED").await?;
        let max_bytes = self.screener.limits().max_raw_bytes();
        // In small batches: the user may drop thousands of messages in at once.
        for chunk in uids.chunks(50) {
            let mut learned = Vec::new();
            conn.fetch_each(chunk, max_bytes, |uid, raw| {
                learned.push((uid, raw.to_vec()));
                Ok(true)
            })
            .await?;
            let mut ids = Vec::new();
            let mut moved = Vec::new();
            for (uid, raw) in learned {
                let (parsed, decision) = self.screener.screen(&raw);
                let key = super::message_key(parsed.as_ref(), &raw);
                let extractive = Some(self.config().folders.extractive.clone());
                let mut intent = super::intent(
                    folder.clone(),
                    selected.uidvalidity,
                    uid,
                    key.clone(),
                    parsed.as_ref(),
                    &decision,
                    extractive,
                )?;
                // Filed on the user's word, whatever the rules said.
                intent.action = "file".into();
                intent.reasons = serde_json::to_string(&[crate::policy::policy_reason(
                    "trained",
                    format!("you moved this to {folder}: learned as extractive and filed"),
                )])?;
                let (id, outcome) = self.state.record_intent(&intent)?;
                if outcome != Outcome::Pending {
                    // Handled before: filed (a copy left behind without UIDPLUS) or
                    // refused by the server; not tried again every minute, and not
                    // learned again: the user may have released it since.
                    continue;
                }
                if let Some(msg) = &parsed {
                    self.learn(&key, msg, Label::Extractive, "train-folder")?;
                }
                tracing::info!(
                    uid,
                    from = intent.sender.as_deref().unwrap_or(""),
                    "learned as extractive from {folder}; filing it"
                );
                ids.push(id);
                moved.push(uid);
            }
            if !moved.is_empty() {
                let keywords = vec!["$Screened".to_string()];
                if selected.keywords {
                    conn.add_keywords(&moved, &keywords).await?;
                }
                match conn.move_messages(&moved, &target).await {
                    Ok(_) => self.state.complete_all(&ids, Outcome::Done)?,
                    // Refused (quota, permissions): learned all the same; left in
                    // place and recorded, rather than retried every minute.
                    Err(e) if super::is_refusal(&e) => {
                        tracing::error!("could not file the messages from {folder}: {e:#}");
                        for id in &ids {
                            self.state.complete(*id, Outcome::Failed, Some(&format!("{e:#}")))?;
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(true)
    }

    /// New mail in the Sent folder: its recipients become known contacts (with
    /// `contacts.learn_from_sent`) and its Message-IDs make replies in those threads
    /// welcome. Incremental by UID. Returns whether it selected another folder.
    pub(super) async fn scan_sent(&mut self, conn: &mut Connection) -> Result<bool> {
        let folder = self.copy_folder(conn, SpecialUse::Sent).await?;
        let (_, uidnext, uidvalidity) = conn.status(&folder).await?;
        let key = format!("sent-cursor:{folder}");
        let last =
            match self.state.meta(&key)?.and_then(|v| v.split_once(':').map(|(a, b)| (a.to_string(), b.to_string()))) {
                Some((v, last)) if v == uidvalidity.to_string() => last.parse::<u32>().unwrap_or(0),
                _ => 0,
            };
        if uidnext.saturating_sub(1) <= last {
            return Ok(false);
        }
        conn.examine(&folder).await?;
        let uids: Vec<u32> =
            conn.uid_search(&format!("UID {}:*", last + 1)).await?.into_iter().filter(|&u| u > last).collect();
        let learn_contacts = self.config().contacts.learn_from_sent;
        let own: Vec<String> = self.config().identity.addresses.iter().map(|a| a.to_ascii_lowercase()).collect();
        let authserv = self.config().identity.authserv_id.clone();
        let mut addresses = Vec::new();
        let mut ids = Vec::new();
        for chunk in uids.chunks(super::BATCH) {
            conn.fetch_headers_each(chunk, |_, raw| {
                let Ok(msg) = message::parse(raw, message::Limits::default(), authserv.as_deref()) else {
                    return Ok(true);
                };
                // screener's own declines live in Sent too: writing to a stranger
                // automatically is not knowing them.
                if msg.machine.auto_submitted.as_deref().is_some_and(|v| v != "no") {
                    return Ok(true);
                }
                ids.extend(msg.message_id.clone());
                addresses.extend(msg.to.iter().chain(&msg.cc).map(|m| m.address.clone()).filter(|a| !own.contains(a)));
                Ok(true)
            })
            .await?;
        }
        let mut learned = 0;
        if learn_contacts {
            addresses.sort();
            addresses.dedup();
            for address in &addresses {
                if self.state.declined_recipient(address)? {
                    continue;
                }
                if self.state.add_contact(address, "sent")? {
                    self.screener.learn_contact(address);
                    learned += 1;
                }
            }
        }
        self.state.add_sent_ids(&ids)?;
        self.screener.learn_sent_ids(ids.iter().cloned());
        // Past everything the server has numbered so far, even when the newest were
        // expunged again: otherwise the same empty range is searched every minute.
        let newest = uids.last().copied().unwrap_or(last).max(last).max(uidnext.saturating_sub(1));
        self.state.set_meta(&key, &format!("{uidvalidity}:{newest}"))?;
        tracing::info!(messages = uids.len(), new_contacts = learned, "read the Sent folder");
        Ok(true)
    }

    /// The daily digest, APPENDed to the watched mailbox once a day after
    /// `digest.time` (local time). A day is marked pending before the APPEND and done
    /// after; a pending day found at start is APPENDed only if its Message-ID is absent.
    async fn digest(&mut self, conn: &mut Connection) -> Result<bool> {
        let config = self.config().clone();
        if !config.digest.enabled {
            return Ok(false);
        }
        let Some(at) = crate::config::parse_time_of_day(&config.digest.time) else { return Ok(false) };
        let now = chrono::Local::now();
        let minutes = chrono::Timelike::hour(&now) * 60 + chrono::Timelike::minute(&now);
        let today = now.format("%Y-%m-%d").to_string();
        if minutes < at || self.state.meta("digest-done")?.as_deref() == Some(&today) {
            return Ok(false);
        }
        let Some(user) = config.identity.addresses.first() else {
            tracing::warn!("digest.enabled needs identity.addresses (the digest is addressed to you): no digest today");
            self.state.set_meta("digest-done", &today)?;
            return Ok(false);
        };
        // Everything journaled since the last digest (by journal id, so nothing
        // falls between two digests), at most a week back.
        let after: i64 = self.state.meta("digest-last-id")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let week_ago = SystemTime::now() - Duration::from_secs(7 * 86400);
        let mut since = humantime::format_rfc3339_seconds(week_ago).to_string();
        since.truncate(19);
        let records: Vec<_> =
            self.state.records_since(&format!("{since}Z"), None)?.into_iter().filter(|r| r.id > after).rev().collect();
        let mut last_id = records.iter().map(|r| r.id).max().unwrap_or(after);
        let mailbox = self.mailbox();
        let composed = crate::digest::compose(
            &records,
            config.identity.name.as_deref(),
            user,
            &today,
            "since the last digest",
            SystemTime::now(),
        );
        if let Some((message_id, raw)) = composed {
            // Written before the APPEND: today's digest may be in the inbox already,
            // covering decisions up to the id noted here. After a crash before the
            // end, it is not appended twice, and what was journaled since (the
            // backlog of the restart) waits for tomorrow's digest instead of being
            // counted as delivered.
            let planned = self.state.meta("digest-pending")?.and_then(|p| {
                let (day, id) = p.split_once(' ')?;
                if day == today { id.parse::<i64>().ok() } else { None }
            });
            let delivered = match planned {
                Some(id) => {
                    let found = conn.folder_has_message_id(&mailbox, &message_id).await;
                    conn.select(&mailbox).await?;
                    found?.then_some(id)
                }
                None => None,
            };
            match delivered {
                Some(id) => last_id = id,
                None => {
                    self.state.set_meta("digest-pending", &format!("{today} {last_id}"))?;
                    conn.append(&mailbox, "()", &raw).await?;
                }
            }
            tracing::info!(decisions = records.len(), "digest delivered to {mailbox}");
        }
        self.state.set_meta("digest-last-id", &last_id.to_string())?;
        self.state.set_meta("digest-done", &today)?;
        Ok(true)
    }

    /// How long until the digest is due (for the IDLE timeout).
    pub(super) fn until_digest(&self) -> Result<Duration> {
        let config = self.config();
        let Some(at) = config.digest.enabled.then(|| crate::config::parse_time_of_day(&config.digest.time)).flatten()
        else {
            return Ok(Duration::MAX);
        };
        if self.options.dry_run {
            return Ok(Duration::MAX);
        }
        let now = chrono::Local::now();
        let minutes = chrono::Timelike::hour(&now) * 60 + chrono::Timelike::minute(&now);
        let today = now.format("%Y-%m-%d").to_string();
        if self.state.meta("digest-done")?.as_deref() == Some(&today) {
            // Tomorrow's: far enough that IDLE's own timeout comes first.
            return Ok(Duration::from_secs(u64::from(24 * 60 - minutes + at) * 60));
        }
        Ok(Duration::from_secs(u64::from(at.saturating_sub(minutes)) * 60).max(Duration::from_secs(1)))
    }
}
