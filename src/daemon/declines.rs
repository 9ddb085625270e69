//! Carrying out declines: the limits checked when a decline is decided, then the
//! ledger worked off over IMAP (the copy in Sent or Drafts) and SMTP.
//!
//! Exactly once: the reply is recorded with the decision (`queued`); its copy is
//! APPENDed to Sent *before* the SMTP transaction and the row marked `sending`; only
//! after the server's 250 is it `sent`. A crash leaves either a `queued` row (never
//! sent: the copy, if any, is found by Message-ID and not appended twice) or a
//! `sending` one, whose copy sits in Sent. A `sending` row is sent again only if
//! its Message-ID is absent from Sent, so a crash right after the server took the
//! message never makes a second reply; the price is that a crash in the middle of
//! the SMTP transaction itself may lose that one reply, which is the safe side.

use super::{Daemon, test_hook};
use crate::config::DeclineMode;
use crate::imap::{Connection, SpecialUse};
use crate::message::{self, Message};
use crate::policy::{Action, Decision};
use crate::smtp::{Mailer, SendError};
use crate::state::{DeclineRow, DeclineStatus, NewDecline, Outcome};
use anyhow::{Context, Result};
use std::time::Duration;

/// Temporary failures are retried for this long, then the reply is given up.
const GIVE_UP_AFTER: i64 = 3 * 86400;
/// The longest wait between two attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);

fn now() -> i64 {
    crate::state::unix_now()
}

impl Daemon {
    /// For a message decided `decline`: the reply to record with it, or None with the
    /// decision turned into `file` and the reason added (a limit, no safe address).
    pub(super) fn prepare_decline(
        &mut self,
        msg: &Message,
        key: &str,
        raw: &[u8],
        decision: &mut Decision,
    ) -> Result<Option<NewDecline>> {
        if self.options.dry_run {
            return Ok(None);
        }
        let decline = self.config().decline.clone();
        let sender = msg.from.as_ref().map(|m| m.address.clone()).unwrap_or_default();
        let file = |decision: &mut Decision, step: &str, why: String| {
            decision.action = Action::File;
            decision.reasons.push(crate::policy::policy_reason(step, format!("filed without a reply: {why}")));
        };
        let reply = match self.screener.compose_reply(msg, key, decision) {
            Ok(reply) => reply,
            Err(e) => {
                file(decision, "no-reply", e.to_string());
                return Ok(None);
            }
        };
        let since = now() - decline.per_sender_days as i64 * 86400;
        if self.state.declines_to(&sender, &reply.to, since)? > 0 {
            let days = decline.per_sender_days;
            file(decision, "per-sender-limit", format!("{sender} already got a decline in the last {days} days"));
            return Ok(None);
        }
        if decline.mode == DeclineMode::Send {
            let sent = self.state.sends_since(now() - 3600)?;
            if sent >= decline.max_per_hour {
                let limit = decline.max_per_hour;
                if !self.brake_on {
                    tracing::warn!(
                        "decline brake: {sent} declines in the last hour reached decline.max_per_hour = {limit}; \
                         filing instead of replying until the hour has passed (a rule may be misfiring: check \
                         `screener review`)"
                    );
                }
                self.brake_on = true;
                file(decision, "hourly-limit", format!("decline.max_per_hour ({limit}) reached"));
                return Ok(None);
            }
            self.brake_on = false;
        }
        let envelope_from = (!decline.null_sender).then(|| reply.from.clone());
        Ok(Some(NewDecline {
            sender,
            recipient: reply.to,
            reply_message_id: reply.message_id,
            mode: if decline.mode == DeclineMode::Send { "send" } else { "draft" }.into(),
            envelope_from,
            raw: reply.raw,
            original_headers: header_block(raw).to_vec(),
        }))
    }

    /// How long until a queued decline's next attempt.
    pub(super) fn until_next_decline(&self) -> Result<Duration> {
        if self.options.dry_run {
            return Ok(Duration::MAX);
        }
        Ok(match self.state.next_decline_at()? {
            Some(at) => Duration::from_secs((at - now()).max(1) as u64),
            None => Duration::MAX,
        })
    }

    /// Works off every due row of the ledger. IMAP failures end the session (the
    /// ledger makes that safe); SMTP failures are recorded per row.
    /// Returns whether it selected another folder (the caller looks for new mail).
    pub(super) async fn send_declines(&mut self, conn: &mut Connection) -> Result<bool> {
        if self.options.dry_run {
            return Ok(false);
        }
        let mut reselect = self.withdraw_drafts(conn).await?;
        let due = self.state.due_declines(now())?;
        if due.is_empty() {
            if reselect {
                conn.select(&self.mailbox()).await?;
            }
            return Ok(reselect);
        }
        // Mail the user sent a moment ago may answer this very stranger: read Sent
        // first, so that the send-time check knows.
        reselect |= self.scan_sent(conn).await?;
        self.last_sent_check = Some(std::time::Instant::now());
        let mut smtp_ok: Option<Result<(), SendError>> = None;
        for row in due {
            match row.journal_outcome {
                // The original is not yet in the declined folder: after reconciliation.
                Outcome::Pending => continue,
                Outcome::Done => {}
                other => {
                    let why = format!("the original was not filed ({})", other.as_str());
                    self.state.decline_done(row.id, DeclineStatus::Cancelled, Some(&why))?;
                    reselect |= self.discard_sent_copy(conn, &row).await?;
                    continue;
                }
            }
            // Before any check of today's configuration: a reply that may have left
            // cannot be taken back, and must keep counting for the per-sender limit.
            if row.status == DeclineStatus::Sending {
                // A crash during the SMTP transaction: the server may have taken it.
                // Its copy went to Sent before the transaction began, so the Sent
                // folder already shows it; never send it a second time.
                tracing::warn!(
                    to = %row.recipient,
                    "a restart interrupted this decline while it was being sent; it is assumed sent (its copy is in \
                     Sent) and not sent again"
                );
                self.state.decline_done(
                    row.id,
                    DeclineStatus::Sent,
                    Some("interrupted while sending: not sent again"),
                )?;
                continue;
            }
            if let Err(why) = self.still_allowed(&row) {
                tracing::info!(to = %row.recipient, "decline cancelled: {why}");
                self.state.decline_done(row.id, DeclineStatus::Cancelled, Some(&why))?;
                reselect |= self.discard_sent_copy(conn, &row).await?;
                continue;
            }
            // Switching to draft mode applies to replies not yet on their way.
            let draft = row.mode == "draft"
                || (self.config().decline.mode == DeclineMode::Draft && row.status == DeclineStatus::Queued);
            if draft {
                reselect |= self.discard_sent_copy(conn, &row).await?;
                reselect |= self.draft(conn, &row).await?;
                continue;
            }
            let sent_folder = self.copy_folder(conn, SpecialUse::Sent).await?;
            if !row.copied {
                // Copied before a crash but not yet recorded? The Sent folder knows.
                reselect = true;
                let present = conn.folder_has_message_id(&sent_folder, &row.reply_message_id).await?;
                if !present && let Err(e) = conn.append(&sent_folder, "(\\Seen)", &row.raw).await {
                    if !super::is_refusal(&e) {
                        return Err(e);
                    }
                    // Sent over quota, say: the reply waits rather than leaving
                    // without the copy that makes it safe to send exactly once.
                    self.retry_later(&row, &format!("cannot copy it to {sent_folder}: {e:#}"))?;
                    continue;
                }
                self.state.decline_copied(row.id)?;
            }
            let check = match &smtp_ok {
                Some(result) => result.clone(),
                None => {
                    let result = self.smtp_check().await;
                    if let Err(e) = &result {
                        tracing::warn!("cannot send declines now: {e}");
                    }
                    smtp_ok = Some(result.clone());
                    result
                }
            };
            // The brake holds at send time too: after an SMTP outage the queue must
            // not all leave in one burst.
            let limit = self.config().decline.max_per_hour;
            if check.is_ok() && self.state.sent_since(now() - 3600)? >= limit {
                tracing::warn!(to = %row.recipient, "decline.max_per_hour ({limit}) reached: this reply waits");
                self.state.decline_retry(row.id, now() + 600, "waiting for decline.max_per_hour")?;
                continue;
            }
            let result = match check {
                Ok(()) => {
                    if !self.state.decline_sending(row.id)? {
                        tracing::info!(to = %row.recipient, "you released the original: this decline is not sent");
                        continue;
                    }
                    let mailer = self.mailer.as_ref().context("the SMTP transport is missing")?;
                    let result = mailer.send(row.envelope_from.as_deref(), &row.recipient, &row.raw).await;
                    if result.is_ok() {
                        test_hook("after-send", Action::Decline);
                    }
                    result
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    tracing::info!(to = %row.recipient, message_id = %row.reply_message_id, "decline sent");
                    self.state.decline_done(row.id, DeclineStatus::Sent, None)?;
                }
                Err(SendError::Permanent(words)) => {
                    tracing::error!(to = %row.recipient, "decline refused, not retried: {words}");
                    self.state.decline_done(row.id, DeclineStatus::Failed, Some(&words))?;
                    // The copy in Sent would claim a reply that never left.
                    reselect = true;
                    if let Err(e) = conn.delete_message_id(&sent_folder, &row.reply_message_id).await {
                        tracing::warn!("could not remove the unsent copy from {sent_folder}: {e:#}");
                    }
                }
                Err(SendError::Temporary(words)) => {
                    if self.retry_later(&row, &words)? {
                        // Given up: the copy in Sent would claim a reply that never left.
                        reselect = true;
                        if let Err(e) = conn.delete_message_id(&sent_folder, &row.reply_message_id).await {
                            tracing::warn!("could not remove the unsent copy from {sent_folder}: {e:#}");
                        }
                    }
                }
                Err(SendError::Unknown(words)) => {
                    tracing::warn!(
                        to = %row.recipient,
                        "the SMTP server did not answer after the message was handed over; not retried, so it cannot \
                         arrive twice: {words}"
                    );
                    self.state.decline_done(row.id, DeclineStatus::Sent, Some(&format!("outcome unknown: {words}")))?;
                }
            }
        }
        if reselect {
            conn.select(&self.mailbox()).await?;
        }
        Ok(reselect)
    }

    /// Removes the Sent copy of a reply that will not leave after all, so that Sent
    /// never shows a reply nobody received. Returns whether it selected Sent.
    async fn discard_sent_copy(&mut self, conn: &mut Connection, row: &DeclineRow) -> Result<bool> {
        if !row.copied || row.mode != "send" {
            return Ok(false);
        }
        let sent = self.copy_folder(conn, SpecialUse::Sent).await?;
        if let Err(e) = conn.delete_message_id(&sent, &row.reply_message_id).await {
            tracing::warn!("could not remove the unsent copy from {sent}: {e:#}");
        }
        Ok(true)
    }

    /// Removes the drafts of declines whose originals the user released: the user
    /// wants no reply, and a draft left behind could still be sent by mistake. A
    /// draft the user already sent is no longer in Drafts and is not looked for
    /// elsewhere. Returns whether another folder was selected.
    async fn withdraw_drafts(&mut self, conn: &mut Connection) -> Result<bool> {
        let rows = self.state.withdrawals()?;
        if rows.is_empty() {
            return Ok(false);
        }
        for row in rows {
            // A draft sits in Drafts; a send-mode reply that never left has its copy in Sent.
            let (which, what, described) = if row.mode == "send" {
                (SpecialUse::Sent, "copy", "copy of the unsent decline")
            } else {
                (SpecialUse::Drafts, "draft", "drafted decline")
            };
            let folder = self.copy_folder(conn, which).await?;
            conn.delete_message_id(&folder, &row.reply_message_id)
                .await
                .with_context(|| format!("removing the {what} of the reply to {} from {folder}", row.recipient))?;
            self.state.decline_done(
                row.id,
                DeclineStatus::Cancelled,
                Some(&format!("released by the user; its {what} removed")),
            )?;
            tracing::info!(to = %row.recipient, "{described} removed from {folder}: you released the original");
        }
        Ok(true)
    }

    /// The send-time check: the original's headers against today's configuration.
    fn still_allowed(&self, row: &DeclineRow) -> Result<(), String> {
        let limits = self.screener.limits();
        let authserv = self.config().identity.authserv_id.clone();
        let msg = message::parse(&row.original_headers, limits, authserv.as_deref())
            .map_err(|e| format!("the original's headers no longer parse: {e}"))?;
        self.screener.may_reply(&msg)
    }

    /// Puts the reply in Drafts for the user to read and send. Returns whether
    /// another folder was selected.
    async fn draft(&mut self, conn: &mut Connection, row: &DeclineRow) -> Result<bool> {
        let folder = self.copy_folder(conn, SpecialUse::Drafts).await?;
        let present = conn.folder_has_message_id(&folder, &row.reply_message_id).await?;
        if !present && let Err(e) = conn.append(&folder, "(\\Draft \\Seen)", &row.raw).await {
            if !super::is_refusal(&e) {
                return Err(e);
            }
            self.retry_later(row, &format!("cannot put it in {folder}: {e:#}"))?;
            return Ok(true);
        }
        if self.state.decline_drafted(row.id)? {
            tracing::info!(to = %row.recipient, folder = %folder, "decline drafted: read it and send it yourself");
        } else {
            tracing::info!(to = %row.recipient, "you released the original while its reply was drafted: the draft goes");
        }
        Ok(true)
    }

    /// The Sent or Drafts folder: configured, else marked SPECIAL-USE, else by name.
    pub(super) async fn copy_folder(&mut self, conn: &mut Connection, which: SpecialUse) -> Result<String> {
        if let Some(folder) = self.copy_folders.get(&which) {
            return Ok(folder.clone());
        }
        let (configured, fallback) = match which {
            SpecialUse::Sent => (self.config().folders.sent.clone(), "Sent"),
            SpecialUse::Drafts => (self.config().folders.drafts.clone(), "Drafts"),
        };
        let folder = match configured {
            Some(path) => conn.folder_name(&path).await?,
            None => match conn.special_use(which).await? {
                Some(name) => name,
                None => conn.folder_name(fallback).await?,
            },
        };
        conn.ensure_folder(&folder).await?;
        // LIST "*" can be long on a big account: once per session is enough.
        self.copy_folders.insert(which, folder.clone());
        Ok(folder)
    }

    async fn smtp_check(&mut self) -> Result<(), SendError> {
        if self.mailer.is_none() {
            let base =
                self.config().path.as_deref().and_then(std::path::Path::parent).map(std::path::Path::to_path_buf);
            match Mailer::new(&self.config().smtp, base.as_deref()) {
                Ok(m) => self.mailer = Some(m),
                Err(e) => return Err(SendError::Temporary(format!("{e:#}"))),
            }
        }
        match &self.mailer {
            Some(m) => m.check().await,
            None => Err(SendError::Temporary("no SMTP transport".into())),
        }
    }

    /// Schedules another attempt, or gives the reply up once it is 3 days old.
    /// Returns whether it gave up.
    fn retry_later(&mut self, row: &DeclineRow, words: &str) -> Result<bool> {
        if now() - row.created_at > GIVE_UP_AFTER {
            tracing::error!(to = %row.recipient, "decline given up after 3 days of temporary failures: {words}");
            self.state.decline_done(row.id, DeclineStatus::Failed, Some(&format!("gave up after 3 days: {words}")))?;
            return Ok(true);
        }
        let wait = retry_delay(self.config().smtp.retry_initial, row.attempts);
        tracing::warn!(
            to = %row.recipient,
            "decline queued, next attempt in {}: {words}",
            humantime::format_duration(Duration::from_secs(wait.as_secs()))
        );
        self.state.decline_retry(row.id, now() + wait.as_secs().max(1) as i64, words)?;
        Ok(false)
    }
}

/// `initial` doubling per attempt, at most an hour, plus up to 10 % jitter.
fn retry_delay(initial: Duration, attempts: u32) -> Duration {
    let base = initial.saturating_mul(1u32 << attempts.saturating_sub(1).min(16)).min(MAX_RETRY);
    base + base.mul_f64(fastrand::f64() * 0.1)
}

/// The header block of a raw message (through the blank line).
fn header_block(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2));
    &raw[..end.unwrap_or(raw.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_an_hour() {
        let first = retry_delay(Duration::from_secs(60), 1);
        assert!(first >= Duration::from_secs(60) && first <= Duration::from_secs(66));
        let third = retry_delay(Duration::from_secs(60), 3);
        assert!(third >= Duration::from_secs(240) && third <= Duration::from_secs(264));
        assert!(retry_delay(Duration::from_secs(60), 40) <= MAX_RETRY + MAX_RETRY / 10);
    }

    #[test]
    fn header_blocks_end_at_the_blank_line() {
        assert_eq!(header_block(b"A: 1\r\nB: 2\r\n\r\nbody"), b"A: 1\r\nB: 2\r\n\r\n");
        assert_eq!(header_block(b"A: 1\n\nbody"), b"A: 1\n\n");
        assert_eq!(header_block(b"A: 1"), b"A: 1");
    }
}
