//! The decline ledger: every reply screener means to send or draft, recorded before
//! anything goes out and updated after each step, so that a crash at any point
//! neither sends a reply twice nor forgets one.
//!
//! A row's life: `queued` (recorded with the decision) → the copy is APPENDed to
//! Sent or Drafts (`copied`) → `sending` (just before the SMTP transaction) → `sent`;
//! or `drafted` in draft mode. A temporary SMTP failure puts it back to `queued` with
//! a later `next_attempt_at`; a permanent one makes it `failed`; a reply the
//! configuration no longer allows becomes `cancelled`. A draft whose original the
//! user released becomes `withdrawing` until its copy is removed from Drafts, then
//! `cancelled`.

use super::{Intent, Outcome, State, insert};
use anyhow::Result;
use rusqlite::{OptionalExtension, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclineStatus {
    Queued,
    /// The SMTP transaction began; whether the server took the message is unknown
    /// until it answers.
    Sending,
    Sent,
    Drafted,
    /// Released by the user after it was drafted: the draft is to be removed.
    Withdrawing,
    Failed,
    Cancelled,
}

impl DeclineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineStatus::Queued => "queued",
            DeclineStatus::Sending => "sending",
            DeclineStatus::Sent => "sent",
            DeclineStatus::Drafted => "drafted",
            DeclineStatus::Withdrawing => "withdrawing",
            DeclineStatus::Failed => "failed",
            DeclineStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> DeclineStatus {
        match s {
            "sending" => DeclineStatus::Sending,
            "sent" => DeclineStatus::Sent,
            "drafted" => DeclineStatus::Drafted,
            "withdrawing" => DeclineStatus::Withdrawing,
            "failed" => DeclineStatus::Failed,
            "cancelled" => DeclineStatus::Cancelled,
            _ => DeclineStatus::Queued,
        }
    }
}

/// A reply to record with its decision.
#[derive(Debug, Clone)]
pub struct NewDecline {
    /// The original's From address: the per-sender limit counts it.
    pub sender: String,
    pub recipient: String,
    pub reply_message_id: String,
    /// "send" or "draft".
    pub mode: String,
    /// None for the null sender.
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
    /// The original's header block, to check eligibility again at send time.
    pub original_headers: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclineRow {
    pub id: i64,
    pub journal_id: i64,
    /// The outcome of the original's move into the declined folder.
    pub journal_outcome: Outcome,
    pub created_at: i64,
    pub sender: String,
    pub recipient: String,
    pub reply_message_id: String,
    pub mode: String,
    pub envelope_from: Option<String>,
    pub raw: Vec<u8>,
    pub original_headers: Vec<u8>,
    pub status: DeclineStatus,
    pub copied: bool,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub detail: Option<String>,
}

/// Rows that still count against the limits: everything but failures and cancellations.
const ACTIVE: &str = "status IN ('queued', 'sending', 'sent', 'drafted')";

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl State {
    /// Journals a decline decision and its reply in one transaction. Like
    /// [`State::record_intent`], a message journaled before returns its old entry
    /// (and its reply, if any, is left as it was).
    pub fn record_decline(&self, intent: &Intent, reply: &NewDecline) -> Result<(i64, Outcome)> {
        let tx = self.conn.unchecked_transaction()?;
        let existing = tx
            .query_row(
                "SELECT id, outcome FROM journal WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3",
                params![intent.mailbox, intent.uidvalidity, intent.uid],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        if let Some((id, outcome)) = existing {
            return Ok((id, Outcome::parse(&outcome)));
        }
        insert(&tx, intent, Outcome::Pending)?;
        let journal_id = tx.last_insert_rowid();
        let now = unix_now();
        tx.execute(
            "INSERT INTO decline (journal_id, created_at, sender, recipient, reply_message_id, mode, envelope_from,
                                  raw, original_headers, status, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?2)",
            params![
                journal_id,
                now,
                reply.sender.to_lowercase(),
                reply.recipient.to_lowercase(),
                reply.reply_message_id,
                reply.mode,
                reply.envelope_from,
                reply.raw,
                reply.original_headers,
            ],
        )?;
        tx.commit()?;
        Ok((journal_id, Outcome::Pending))
    }

    /// Replies to `sender` or `recipient` since `since` (unix seconds) that count
    /// against the per-sender limit.
    pub fn declines_to(&self, sender: &str, recipient: &str, since: i64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            &format!(
                "SELECT count(*) FROM decline WHERE (sender = ?1 OR recipient = ?2) AND created_at >= ?3 AND {ACTIVE}"
            ),
            params![sender.to_lowercase(), recipient.to_lowercase(), since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Replies to be sent (not drafted) since `since`: the hourly brake counts these.
    pub fn sends_since(&self, since: i64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM decline WHERE mode = 'send' AND created_at >= ?1 AND {ACTIVE}"),
            params![since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Replies that actually went out since `since` (unix seconds).
    pub fn sent_since(&self, since: i64) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM decline WHERE mode = 'send' AND status = 'sent' AND done_at >= ?1",
            params![since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Replies with work left whose time has come (`queued` and due, or `sending`,
    /// which only a crash leaves behind), oldest first.
    pub fn due_declines(&self, now: i64) -> Result<Vec<DeclineRow>> {
        self.decline_rows(
            "WHERE (d.status = 'queued' AND d.next_attempt_at <= ?1) OR d.status = 'sending' ORDER BY d.id",
            params![now],
        )
    }

    /// The earliest retry time among queued replies.
    pub fn next_decline_at(&self) -> Result<Option<i64>> {
        // Only rows whose original is filed: the others wait for reconciliation, and
        // waking up for them would spin.
        Ok(self.conn.query_row(
            "SELECT min(d.next_attempt_at) FROM decline d JOIN journal j ON j.id = d.journal_id
             WHERE d.status = 'queued' AND j.outcome = 'done'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Every ledger row, oldest first (for tests and `review`).
    pub fn all_declines(&self) -> Result<Vec<DeclineRow>> {
        self.decline_rows("ORDER BY d.id", [])
    }

    /// True when screener ever meant to decline mail to `address`: writing to a
    /// stranger (even by sending a drafted decline) is not knowing them.
    pub fn declined_recipient(&self, address: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM decline WHERE recipient = ?1 OR sender = ?1 LIMIT 1",
                [address.to_lowercase()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The reply of journal entry `journal_id`, if one was recorded.
    pub fn decline_for(&self, journal_id: i64) -> Result<Option<DeclineRow>> {
        Ok(self.decline_rows("WHERE d.journal_id = ?1", params![journal_id])?.pop())
    }

    /// Cancels the replies not yet on their way for a message the user released, and
    /// marks a drafted reply, or the Sent copy of a reply not yet sent, for removal
    /// (see `withdrawals`).
    pub fn cancel_declines(&self, message_key: &str, why: &str) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let of_message = "journal_id IN (SELECT id FROM journal WHERE message_key = ?1)";
        // A queued reply whose copy already went to Sent (an earlier attempt failed)
        // is withdrawn like a draft, so that the copy goes too.
        let cancelled = tx.execute(
            &format!(
                "UPDATE decline SET status = 'cancelled', detail = ?2, done_at = ?3 \
                 WHERE status = 'queued' AND NOT (copied = 1 AND mode = 'send') AND {of_message}"
            ),
            params![message_key, why, unix_now()],
        )?;
        let withdrawn = tx.execute(
            &format!(
                "UPDATE decline SET status = 'withdrawing', detail = ?2 \
                 WHERE (status = 'drafted' OR (status = 'queued' AND copied = 1 AND mode = 'send')) AND {of_message}"
            ),
            params![message_key, why],
        )?;
        tx.commit()?;
        Ok(cancelled + withdrawn)
    }

    /// Drafted replies whose original the user released: their drafts are to go.
    pub fn withdrawals(&self) -> Result<Vec<DeclineRow>> {
        self.decline_rows("WHERE d.status = 'withdrawing' ORDER BY d.id", [])
    }

    /// The copy in Sent or Drafts exists.
    pub fn decline_copied(&self, id: i64) -> Result<()> {
        self.conn.execute("UPDATE decline SET copied = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Just before the SMTP transaction: after a crash, `sending` means "maybe sent".
    /// False when the row is no longer queued: the user released the original since
    /// the daemon read the queue (`screener release` runs beside it), and the reply
    /// must not leave.
    pub fn decline_sending(&self, id: i64) -> Result<bool> {
        let changed =
            self.conn.execute("UPDATE decline SET status = 'sending' WHERE id = ?1 AND status = 'queued'", [id])?;
        Ok(changed == 1)
    }

    /// The reply is in Drafts. False when the user released the original while it was
    /// being put there: the row, cancelled meanwhile, becomes a withdrawal instead, so
    /// that the draft is removed on the next round rather than left to be sent.
    pub fn decline_drafted(&self, id: i64) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let drafted = tx.execute(
            "UPDATE decline SET status = 'drafted', copied = 1, done_at = ?2 WHERE id = ?1 AND status = 'queued'",
            params![id, unix_now()],
        )?;
        if drafted == 0 {
            tx.execute(
                "UPDATE decline SET status = 'withdrawing', copied = 1, done_at = NULL WHERE id = ?1 AND status = 'cancelled'",
                [id],
            )?;
        }
        tx.commit()?;
        Ok(drafted == 1)
    }

    /// A temporary failure: try again at `next_at`.
    pub fn decline_retry(&self, id: i64, next_at: i64, detail: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE decline SET status = 'queued', attempts = attempts + 1, next_attempt_at = ?2, detail = ?3 WHERE id = ?1",
            params![id, next_at, detail],
        )?;
        Ok(())
    }

    /// A final state: sent, drafted, failed or cancelled.
    pub fn decline_done(&self, id: i64, status: DeclineStatus, detail: Option<&str>) -> Result<()> {
        self.conn.execute(
            "UPDATE decline SET status = ?2, detail = coalesce(?3, detail), done_at = ?4 WHERE id = ?1",
            params![id, status.as_str(), detail, unix_now()],
        )?;
        Ok(())
    }

    fn decline_rows(&self, clause: &str, params: impl rusqlite::Params) -> Result<Vec<DeclineRow>> {
        let sql = format!(
            "SELECT d.id, d.journal_id, j.outcome, d.created_at, d.sender, d.recipient, d.reply_message_id, d.mode,
                    d.envelope_from, d.raw, d.original_headers, d.status, d.copied, d.attempts, d.next_attempt_at,
                    d.detail
             FROM decline d JOIN journal j ON j.id = d.journal_id {clause}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok(DeclineRow {
                id: r.get(0)?,
                journal_id: r.get(1)?,
                journal_outcome: Outcome::parse(&r.get::<_, String>(2)?),
                created_at: r.get(3)?,
                sender: r.get(4)?,
                recipient: r.get(5)?,
                reply_message_id: r.get(6)?,
                mode: r.get(7)?,
                envelope_from: r.get(8)?,
                raw: r.get(9)?,
                original_headers: r.get(10)?,
                status: DeclineStatus::parse(&r.get::<_, String>(11)?),
                copied: r.get(12)?,
                attempts: r.get(13)?,
                next_attempt_at: r.get(14)?,
                detail: r.get(15)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(uid: u32) -> Intent {
        Intent {
            mailbox: "INBOX".into(),
            uidvalidity: 1,
            uid,
            message_key: format!("id:{uid}@x"),
            message_id: Some(format!("{uid}@x")),
            sender: Some("ann@s.example".into()),
            subject: Some("s".into()),
            score: 9.0,
            action: "decline".into(),
            category: Some("intro-request".into()),
            reasons: "[]".into(),
            target: Some("Screened/Declined".into()),
        }
    }

    fn reply(sender: &str, recipient: &str, mode: &str) -> NewDecline {
        NewDecline {
            sender: sender.into(),
            recipient: recipient.into(),
            reply_message_id: "r@b.example".into(),
            mode: mode.into(),
            envelope_from: Some("hank@b.example".into()),
            raw: b"raw".to_vec(),
            original_headers: b"From: x\r\n".to_vec(),
        }
    }

    #[test]
    fn a_decline_is_recorded_once_with_its_decision() {
        let s = State::in_memory().unwrap();
        let (id, outcome) = s.record_decline(&intent(1), &reply("Ann@S.example", "ann@s.example", "send")).unwrap();
        assert_eq!(outcome, Outcome::Pending);
        let again = s.record_decline(&intent(1), &reply("ann@s.example", "ann@s.example", "send")).unwrap();
        assert_eq!(again.0, id);
        let rows = s.all_declines().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].status, rows[0].sender.as_str()), (DeclineStatus::Queued, "ann@s.example"));
        assert_eq!(rows[0].journal_outcome, Outcome::Pending);
    }

    #[test]
    fn limits_count_active_replies_by_sender_or_recipient() {
        let s = State::in_memory().unwrap();
        let t0 = unix_now() - 5;
        s.record_decline(&intent(1), &reply("ann@s.example", "bounce@esp.example", "send")).unwrap();
        s.record_decline(&intent(2), &reply("bob@s.example", "bob@s.example", "draft")).unwrap();
        assert_eq!(s.declines_to("ann@s.example", "other@x.example", t0).unwrap(), 1);
        assert_eq!(s.declines_to("x@x.example", "bounce@esp.example", t0).unwrap(), 1);
        assert_eq!(s.declines_to("ann@s.example", "x", unix_now() + 10).unwrap(), 0, "outside the window");
        assert_eq!(s.sends_since(t0).unwrap(), 1, "drafts do not count against the hourly brake");
        let id = s.all_declines().unwrap()[0].id;
        s.decline_done(id, DeclineStatus::Failed, Some("550")).unwrap();
        assert_eq!(s.declines_to("ann@s.example", "x", t0).unwrap(), 0, "a failed reply does not count");
        assert_eq!(s.sends_since(t0).unwrap(), 0);
    }

    #[test]
    fn retries_wait_for_their_time_and_sending_is_always_due() {
        let s = State::in_memory().unwrap();
        let (j1, _) = s.record_decline(&intent(1), &reply("a@s.example", "a@s.example", "send")).unwrap();
        let (j2, _) = s.record_decline(&intent(2), &reply("b@s.example", "b@s.example", "send")).unwrap();
        assert_eq!(s.next_decline_at().unwrap(), None, "nothing to wake up for before the originals are filed");
        s.complete_all(&[j1, j2], Outcome::Done).unwrap();
        let rows = s.all_declines().unwrap();
        s.decline_sending(rows[0].id).unwrap();
        s.decline_retry(rows[1].id, unix_now() + 60, "451 later").unwrap();
        let due = s.due_declines(unix_now()).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].status, due[0].attempts), (DeclineStatus::Sending, 0));
        assert_eq!(s.all_declines().unwrap()[1].attempts, 1, "a retry counts as an attempt");
        let next = s.next_decline_at().unwrap().unwrap();
        assert!((unix_now() + 58..=unix_now() + 60).contains(&next), "{next}");
        assert_eq!(s.due_declines(unix_now() + 61).unwrap().len(), 2);
        s.decline_copied(rows[0].id).unwrap();
        s.decline_done(rows[0].id, DeclineStatus::Sent, None).unwrap();
        let row = &s.all_declines().unwrap()[0];
        assert!(row.copied && row.status == DeclineStatus::Sent);
        assert_eq!(s.sent_since(unix_now() - 5).unwrap(), 1, "the brake at send time counts what left");
        assert_eq!(s.sent_since(unix_now() + 5).unwrap(), 0);
    }

    /// `screener release` runs beside the daemon, which works from the queue it read a
    /// moment earlier: a release in between must win.
    #[test]
    fn a_reply_released_after_the_queue_was_read_neither_leaves_nor_stays_drafted() {
        let s = State::in_memory().unwrap();
        let (j1, _) = s.record_decline(&intent(1), &reply("a@s.example", "a@s.example", "send")).unwrap();
        let (j2, _) = s.record_decline(&intent(2), &reply("b@s.example", "b@s.example", "draft")).unwrap();
        s.complete_all(&[j1, j2], Outcome::Done).unwrap();
        let read = s.due_declines(unix_now()).unwrap();
        assert_eq!(read.len(), 2);
        s.cancel_declines("id:1@x", "released").unwrap();
        s.cancel_declines("id:2@x", "released").unwrap();
        assert!(!s.decline_sending(read[0].id).unwrap(), "not sent");
        assert_eq!(s.all_declines().unwrap()[0].status, DeclineStatus::Cancelled);
        // The draft was appended as the release came in: it is withdrawn, not kept.
        assert!(!s.decline_drafted(read[1].id).unwrap());
        assert_eq!(s.all_declines().unwrap()[1].status, DeclineStatus::Withdrawing);
        assert_eq!(s.withdrawals().unwrap().len(), 1);
        // Unreleased, both go ahead.
        let (j3, _) = s.record_decline(&intent(3), &reply("c@s.example", "c@s.example", "send")).unwrap();
        let (j4, _) = s.record_decline(&intent(4), &reply("d@s.example", "d@s.example", "draft")).unwrap();
        s.complete_all(&[j3, j4], Outcome::Done).unwrap();
        let rows = s.all_declines().unwrap();
        assert!(s.decline_sending(rows[2].id).unwrap());
        assert!(s.decline_drafted(rows[3].id).unwrap());
        let rows = s.all_declines().unwrap();
        assert_eq!((rows[2].status, rows[3].status), (DeclineStatus::Sending, DeclineStatus::Drafted));
        assert!(rows[3].copied);
    }
}
