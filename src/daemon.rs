//! `screener run`: watch one IMAP mailbox and act on every new message exactly once.
//!
//! The loop: connect → select → reconcile what a crash may have left half-done →
//! catch up on everything past the stored cursor → IDLE (or poll) → catch up → ...
//! Any I/O error ends the session and a new one starts after a backoff; the state
//! database makes that safe at any point. Decisions come from the pure core
//! ([`Screener`]); this module only carries them out and journals them.

use crate::config::{self, Config, InitialScan};
use crate::imap::{Connection, LoginRejected, Selected, Woken};
use crate::message::{self, Message};
use crate::notify::Notifier;
use crate::policy::{self, Action, Decision};
use crate::screen::Screener;
use crate::state::{Cursor, Intent, Outcome, State};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::watch;

mod declines;
mod learning;

/// Messages fetched per round trip while catching up (and moved per MOVE): large
/// batches matter because every expunge costs the server time in proportion to the
/// mailbox.
pub(crate) const BATCH: usize = 500;
/// The regex caches are dropped when they hold more than this during a backlog, to
/// keep its peak RSS under the 40 MiB target: with session 16's rules the peak was
/// 40.5 MiB at 6 MiB, 39.2-39.8 at 5 and 38.1-38.9 at 4, each step costing time in
/// rebuilt states (about a quarter from 6 to 4; README, Performance, has the history).
const CACHE_BOUND: usize = 4 << 20;
/// A refused login is retried no faster than this.
const LOGIN_RETRY: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Decide and journal, but change nothing on the server.
    pub dry_run: bool,
    /// Process what is pending and exit.
    pub once: bool,
}

/// Requests from outside the loop: SIGTERM/SIGINT and SIGHUP in the binary, direct
/// calls in tests.
#[derive(Clone)]
pub struct Control {
    shutdown: watch::Sender<bool>,
    reload: watch::Sender<u64>,
}

/// The daemon's side of [`Control`].
pub struct Signals {
    shutdown: watch::Receiver<bool>,
    reload: watch::Receiver<u64>,
    /// A reload seen while waiting, not yet applied.
    reload_pending: bool,
}

impl Control {
    pub fn new() -> (Control, Signals) {
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (reload, reload_rx) = watch::channel(0);
        (Control { shutdown, reload }, Signals { shutdown: shutdown_rx, reload: reload_rx, reload_pending: false })
    }

    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    pub fn reload(&self) {
        self.reload.send_modify(|n| *n += 1);
    }
}

impl Signals {
    fn shutdown_requested(&self) -> bool {
        *self.shutdown.borrow()
    }

    fn reload_requested(&mut self) -> bool {
        self.reload_pending || self.reload.has_changed().unwrap_or(false)
    }

    /// Marks the pending reload as applied.
    fn reload_taken(&mut self) {
        self.reload.borrow_and_update();
        self.reload_pending = false;
    }

    /// Resolves when shutdown or reload is requested.
    async fn interrupted(&mut self) {
        if self.shutdown_requested() || self.reload_requested() {
            return;
        }
        tokio::select! {
            _ = self.shutdown.changed() => {}
            _ = self.reload.changed() => self.reload_pending = true,
        }
    }

    /// Waits `duration`, or less if interrupted. Returns true when interrupted.
    async fn sleep(&mut self, duration: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(duration) => false,
            () = self.interrupted() => true,
        }
    }
}

enum SessionEnd {
    Shutdown,
    Done,
    /// Connection settings changed on reload.
    Reconnect,
}

/// Exponential backoff with jitter: 1 s doubling to 5 min.
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(300);

    fn new() -> Backoff {
        Backoff { next: Self::FIRST }
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    fn next(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        // Up to +25 % jitter so that many instances do not reconnect in lockstep.
        let jitter = base.mul_f64(fastrand::f64() * 0.25);
        (base + jitter).min(Self::MAX)
    }
}

pub struct Daemon {
    config_path: Option<PathBuf>,
    screener: Screener,
    state: State,
    options: RunOptions,
    notifier: Notifier,
    warned_no_uidplus: bool,
    /// The hourly decline brake is on (warned once per episode, shown in STATUS).
    brake_on: bool,
    /// The SMTP transport, built on first use and after a reload.
    mailer: Option<crate::smtp::Mailer>,
    last_train_check: Option<Instant>,
    /// The Sent and Drafts folders found this session.
    copy_folders: std::collections::HashMap<crate::imap::SpecialUse, String>,
    last_sent_check: Option<Instant>,
    /// Keep decisions not yet journaled: written in one transaction per batch, always
    /// before any later message is acted on, so the cursor order is kept.
    kept: Vec<Intent>,
    /// The state database's `data_version` when learned data was last loaded.
    learned_version: i64,
}

/// Runs the daemon until shutdown (or, with `--once`, until the backlog is done).
pub async fn run(config_path: Option<PathBuf>, options: RunOptions, signals: Signals) -> Result<()> {
    let config = config::load(config_path.as_deref())?;
    check_runnable(&config)?;
    let state_path = config.daemon.state_path().context(
        "no place for the state database: set daemon.state_path (or HOME, XDG_STATE_HOME or STATE_DIRECTORY)",
    )?;
    let state = State::open(&state_path)?;
    let screener = Screener::new(config).context("cannot set up the rules")?;
    tracing::info!(
        state = %state_path.display(),
        dry_run = options.dry_run,
        "screener {} starting",
        env!("CARGO_PKG_VERSION")
    );
    let mut daemon = Daemon {
        config_path,
        screener,
        state,
        options,
        notifier: Notifier::default(),
        warned_no_uidplus: false,
        brake_on: false,
        mailer: None,
        last_train_check: None,
        copy_folders: Default::default(),
        last_sent_check: None,
        kept: Vec::new(),
        learned_version: 0,
    };
    let watchdog = Notifier::watchdog_interval().map(|every| {
        tokio::spawn(async move {
            loop {
                Notifier::watchdog();
                tokio::time::sleep(every).await;
            }
        })
    });
    daemon.load_learned()?;
    drop_setup_pages();
    let result = daemon.supervise(signals).await;
    daemon.notifier.stopping();
    if let Some(task) = watchdog {
        task.abort();
    }
    result
}

/// The settings `run` needs beyond those of `score`, checked before anything starts.
pub fn check_runnable(config: &Config) -> Result<()> {
    let imap = &config.imap;
    let mut missing = Vec::new();
    if imap.host.is_none() {
        missing.push("imap.host");
    }
    if imap.username.is_none() {
        missing.push("imap.username");
    }
    if imap.password.is_none() && crate::secret::PasswordSource::credential_if_present("imap-password").is_none() {
        missing.push(
            "imap.password, imap.password_file or imap.password_command (or the systemd credential imap-password)",
        );
    }
    if !missing.is_empty() {
        anyhow::bail!("`screener run` needs {}", missing.join(", "));
    }
    if config.decline.enabled && config.decline.mode == config::DeclineMode::Send {
        // A CA file that cannot be read or a password that cannot be found would
        // otherwise only show at the first decline.
        let base = config.path.as_deref().and_then(std::path::Path::parent);
        crate::smtp::Mailer::new(&config.smtp, base).context("the [smtp] settings cannot be used")?;
    }
    Ok(())
}

impl Daemon {
    async fn supervise(&mut self, mut signals: Signals) -> Result<()> {
        let mut backoff = Backoff::new();
        loop {
            if signals.shutdown_requested() {
                return Ok(());
            }
            let started = Instant::now();
            match self.session(&mut signals, &mut backoff).await {
                Ok(SessionEnd::Shutdown | SessionEnd::Done) => return Ok(()),
                Ok(SessionEnd::Reconnect) => backoff.reset(),
                Err(e) if self.options.once => return Err(e),
                Err(e) => {
                    let rejected = e.downcast_ref::<LoginRejected>().is_some();
                    let mut wait = backoff.next();
                    if rejected {
                        wait = wait.max(LOGIN_RETRY);
                        tracing::error!("{e:#}; retrying in {}", humantime::format_duration(wait));
                    } else {
                        tracing::warn!(
                            "IMAP session ended after {}: {e:#}; reconnecting in {}",
                            humantime::format_duration(Duration::from_secs(started.elapsed().as_secs())),
                            humantime::format_duration(Duration::from_secs(wait.as_secs().max(1)))
                        );
                    }
                    self.notifier.status(&format!("disconnected: {}", first_line(&format!("{e:#}"))));
                    if signals.sleep(wait).await && signals.shutdown_requested() {
                        return Ok(());
                    }
                    if signals.reload_requested() {
                        self.reload(&mut signals);
                    }
                }
            }
        }
    }

    fn config(&self) -> &Config {
        self.screener.config()
    }

    fn mailbox(&self) -> String {
        self.config().imap.mailbox.clone()
    }

    async fn session(&mut self, signals: &mut Signals, backoff: &mut Backoff) -> Result<SessionEnd> {
        let imap = self.config().imap.clone();
        let mut conn = Connection::open(&imap).await?;
        self.copy_folders.clear();
        let mailbox = self.mailbox();
        let selected = conn.select(&mailbox).await?;
        tracing::info!(
            host = imap.host.as_deref().unwrap_or(""),
            mailbox = %mailbox,
            uidvalidity = selected.uidvalidity,
            exists = selected.exists,
            idle = conn.has("IDLE"),
            "connected"
        );
        self.notifier.ready();
        self.reconcile(&mut conn, &selected).await?;
        // Whom the user wrote to, and which threads they started, before deciding
        // anything: a reply to them must never be filed or declined.
        if !self.options.dry_run && self.scan_sent(&mut conn).await? {
            conn.select(&mailbox).await?;
        }
        self.last_sent_check = Some(Instant::now());
        self.catch_up(&mut conn, &selected, signals).await?;
        let mut elsewhere = self.send_declines(&mut conn).await?;
        elsewhere |= self.housekeeping(&mut conn).await?;
        // A session that got this far is healthy: the next failure starts afresh.
        backoff.reset();
        loop {
            self.update_status(&mailbox);
            if signals.shutdown_requested() {
                conn.logout().await;
                return Ok(SessionEnd::Shutdown);
            }
            if self.options.once {
                conn.logout().await;
                return Ok(SessionEnd::Done);
            }
            if signals.reload_requested() && self.reload(signals) {
                conn.logout().await;
                return Ok(SessionEnd::Reconnect);
            }
            // Wake up in time for a queued decline's next attempt.
            let idle_timeout =
                self.config().daemon.idle_timeout.min(self.until_next_decline()?).min(self.until_digest()?);
            if conn.drain_unsolicited() || std::mem::take(&mut elsewhere) {
                // Mail arrived while the last batch was being handled, or while
                // another folder was selected (whose EXISTS the inbox never heard).
            } else if conn.has("IDLE") {
                // IDLE reports news of the selected folder only.
                conn.ensure_selected(&mailbox).await?;
                self.release_memory();
                let (c, woken) = conn.idle(idle_timeout, signals.interrupted()).await?;
                conn = c;
                tracing::debug!(?woken, "IDLE ended");
                if woken == Woken::Timeout {
                    // Keep NAT boxes and the server's autologout at bay.
                    conn.noop().await?;
                }
            } else {
                self.release_memory();
                signals.sleep(self.config().daemon.poll_interval.min(idle_timeout)).await;
                conn.noop().await?;
            }
            if !signals.shutdown_requested() {
                self.process_new(&mut conn, &selected, signals).await?;
                elsewhere |= self.send_declines(&mut conn).await?;
                elsewhere |= self.housekeeping(&mut conn).await?;
            }
        }
    }

    /// Applies a SIGHUP. Returns true when the connection must be re-established
    /// because connection settings changed. A broken file keeps the old configuration.
    fn reload(&mut self, signals: &mut Signals) -> bool {
        signals.reload_taken();
        self.notifier.reloading();
        let loaded = config::load(self.config_path.as_deref())
            .map_err(anyhow::Error::from)
            .and_then(|c| check_runnable(&c).map(|()| c))
            .and_then(|c| Screener::new(c).map_err(anyhow::Error::from));
        let reconnect = match loaded {
            Ok(screener) => {
                let old = self.config();
                let reconnect = old.imap != screener.config().imap;
                if old.daemon.state_path != screener.config().daemon.state_path {
                    tracing::warn!("daemon.state_path changed: restart screener for that to take effect");
                }
                self.screener = screener;
                self.mailer = None;
                self.copy_folders.clear();
                if let Err(e) = self.load_learned() {
                    tracing::error!("cannot load what was learned: {e:#}");
                }
                tracing::info!(reconnect, "configuration reloaded");
                reconnect
            }
            Err(e) => {
                tracing::error!("configuration reload failed, keeping the old configuration: {e:#}");
                false
            }
        };
        // A failed reload may have read them too.
        drop_setup_pages();
        self.notifier.reloaded();
        reconnect
    }

    /// Before waiting. The regex caches grow with every new kind of text: a few
    /// hundred KiB after one message, 7-11 MiB after a backlog, the largest part of
    /// the daemon's memory. They are dropped whenever the daemon goes idle: the next
    /// message rebuilds what it needs in about 3 ms, against the half second the
    /// server takes to report it. glibc keeps freed pages otherwise.
    fn release_memory(&self) {
        self.screener.classifier().release_caches();
        self.state.release_memory();
        trim_heap();
        for data in crate::screen::droppable_data() {
            drop_pages(data);
        }
    }

    fn update_status(&mut self, mailbox: &str) {
        let today = format!("{}T00:00:00Z", &humantime::format_rfc3339(std::time::SystemTime::now()).to_string()[..10]);
        let filed = self.state.count_since("file", &today).unwrap_or(0);
        let declined = self.state.count_since("decline", &today).unwrap_or(0);
        let mode = if self.options.dry_run { " (dry run)" } else { "" };
        let brake = if self.brake_on {
            format!("; decline brake on ({} an hour): filing instead of replying", self.config().decline.max_per_hour)
        } else {
            String::new()
        };
        self.notifier.status(&format!("watching {mailbox}{mode}: {filed} filed, {declined} declined today{brake}"));
    }

    /// Entries left `pending` by a crash between intent and outcome: look at the
    /// server to learn what happened instead of acting blind.
    async fn reconcile(&mut self, conn: &mut Connection, selected: &Selected) -> Result<()> {
        let mailbox = self.mailbox();
        let pending = self.state.pending(&mailbox)?;
        if self.options.dry_run {
            // A dry run changes nothing on the server, so it cannot finish what a real
            // run left half done; closing the entries would lose those actions.
            if !pending.is_empty() {
                tracing::info!(count = pending.len(), "dry run: leaving unfinished actions for the next real run");
            }
            return Ok(());
        }
        for entry in pending {
            if entry.uidvalidity != selected.uidvalidity {
                // The UIDs it names are gone. Superseded entries do not count as handled,
                // so the message, if it is still in the mailbox, is decided again.
                let why = "UIDVALIDITY changed before reconciliation: the message is decided again";
                self.state.complete(entry.id, Outcome::Superseded, Some(why))?;
                continue;
            }
            let Some(target) = entry.target.clone() else {
                self.state.complete(entry.id, Outcome::Done, None)?;
                continue;
            };
            // As in `act`: a folder that cannot be created concerns every entry, not
            // this one; the session ends and the next one tries again, rather than
            // marking them all failed (the cursor is past them already).
            let folder = conn.folder_name(&target).await?;
            conn.ensure_folder(&folder).await?;
            match self.reconcile_one(conn, &mailbox, selected, &entry, &folder).await {
                Ok((outcome, detail, folder)) => {
                    tracing::info!(uid = entry.uid, folder = %folder, "{detail}");
                    self.state.complete(entry.id, outcome, Some(detail))?;
                }
                Err(e) if is_refusal(&e) => {
                    // As in `act_one`: one message the server refuses to move must not
                    // stop the daemon at every restart.
                    tracing::error!(uid = entry.uid, "could not finish an earlier action: {e:#}");
                    self.state.complete(entry.id, Outcome::Failed, Some(&format!("{e:#}")))?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn reconcile_one(
        &mut self,
        conn: &mut Connection,
        mailbox: &str,
        selected: &Selected,
        entry: &crate::state::Entry,
        folder: &str,
    ) -> Result<(Outcome, &'static str, String)> {
        let in_source = conn.uid_search(&format!("UID {}", entry.uid)).await?.contains(&entry.uid);
        let folder = folder.to_string();
        let in_target = match entry.message_key.strip_prefix("id:") {
            Some(id) => {
                let found = conn.folder_has_message_id(&folder, id).await;
                conn.select(mailbox).await?;
                found?
            }
            // No Message-ID: a copy is the same number of octets with the same header
            // block. Without this a crash between COPY and EXPUNGE filed it twice. Once
            // the original is gone there is nothing left to do either way.
            None if in_source => match conn.size(entry.uid).await? {
                Some(size) => {
                    let key = entry.message_key.clone();
                    conn.examine(&folder).await?;
                    let found = conn.uids_with_size_and_header(size, |header| message_key(None, header) == key).await;
                    conn.select(mailbox).await?;
                    !found?.is_empty()
                }
                None => false,
            },
            None => false,
        };
        let (outcome, detail) = match (in_source, in_target) {
            (true, true) => {
                // Copied, not yet removed: finish the fallback move.
                conn.delete_originals(&[entry.uid]).await?;
                (Outcome::Done, "reconciled: copy found, original removed")
            }
            (false, true) => (Outcome::Done, "reconciled: already in the target folder"),
            (true, false) => {
                self.apply(conn, selected, &[(entry.uid, None)], &folder).await?;
                (Outcome::Done, "reconciled: moved after restart")
            }
            (false, false) => (Outcome::Vanished, "reconciled: no longer in the mailbox"),
        };
        Ok((outcome, detail, folder))
    }

    /// First start (initial scan), UIDVALIDITY change (resync), then everything new.
    async fn catch_up(&mut self, conn: &mut Connection, selected: &Selected, signals: &mut Signals) -> Result<()> {
        let mailbox = self.mailbox();
        match self.state.cursor(&mailbox)? {
            None => {
                let query = match self.config().daemon.initial_scan {
                    InitialScan::New => None,
                    InitialScan::Unseen => Some("UNSEEN".to_string()),
                    InitialScan::All => Some("ALL".to_string()),
                    InitialScan::Days(n) => Some(format!("SINCE {}", imap_date_days_ago(n))),
                };
                // Mail that arrives during the scan is after this moment too.
                let since = crate::state::unix_now();
                let uids = match query {
                    Some(q) => conn.uid_search(&q).await?,
                    None => Vec::new(),
                };
                tracing::info!(messages = uids.len(), "first start: initial scan");
                let done = self.process_uids(conn, selected, &uids, signals).await?;
                if done {
                    // Only now: a crash during the scan repeats it, and the journal
                    // keeps it from acting twice.
                    let last = uids.last().copied().unwrap_or(0).max(selected.uidnext.saturating_sub(1));
                    let cursor = Cursor { uidvalidity: selected.uidvalidity, last_uid: last };
                    self.state.start_cursor(&mailbox, cursor, since)?;
                }
                return Ok(());
            }
            Some(cursor) if cursor.uidvalidity != selected.uidvalidity => {
                // Every UID is new, and most of these messages were seen before: the
                // journal knows those by Message-ID. The rest arrived since the daemon
                // began watching, or were there before it and left out by
                // `initial_scan`, as they stay (INTERNALDATE tells them apart).
                let since = self.state.watched_since(&mailbox)?.unwrap_or_else(crate::state::unix_now);
                let all = conn.uid_search("ALL").await?;
                let uids: Vec<u32> = conn
                    .internal_dates(&all)
                    .await?
                    .into_iter()
                    .filter(|&(_, at)| at >= since)
                    .map(|(u, _)| u)
                    .collect();
                tracing::warn!(
                    old = cursor.uidvalidity,
                    new = selected.uidvalidity,
                    messages = uids.len(),
                    "UIDVALIDITY changed: resynchronizing the messages that arrived since screener began watching; \
                     those already journaled are recognised by Message-ID"
                );
                // As on a first start, the cursor moves only once the scan is done: a
                // crash during it repeats it, and the journal keeps it from acting twice.
                if self.process_uids(conn, selected, &uids, signals).await? {
                    let last = all.last().copied().unwrap_or(0).max(selected.uidnext.saturating_sub(1));
                    self.state.set_cursor(&mailbox, Cursor { uidvalidity: selected.uidvalidity, last_uid: last })?;
                }
                return Ok(());
            }
            Some(_) => {}
        }
        self.process_new(conn, selected, signals).await
    }

    async fn process_new(&mut self, conn: &mut Connection, selected: &Selected, signals: &mut Signals) -> Result<()> {
        // A contact the user added or a message released with the command line since
        // the last look: known before the next message is decided.
        let version = self.state.data_version()?;
        if version != self.learned_version {
            self.load_learned()?;
        }
        let mailbox = self.mailbox();
        let Some(cursor) = self.state.cursor(&mailbox)? else { return Ok(()) };
        conn.ensure_selected(&mailbox).await?;
        // "N:*" always includes the highest UID, even below N: filter.
        let uids: Vec<u32> = conn
            .uid_search(&format!("UID {}:*", cursor.last_uid + 1))
            .await?
            .into_iter()
            .filter(|&u| u > cursor.last_uid)
            .collect();
        self.process_uids(conn, selected, &uids, signals).await?;
        Ok(())
    }

    /// Fetches, decides and acts on `uids` in order. Returns false when interrupted by
    /// a shutdown request (the message in hand is always finished first).
    async fn process_uids(
        &mut self,
        conn: &mut Connection,
        selected: &Selected,
        uids: &[u32],
        signals: &Signals,
    ) -> Result<bool> {
        let max_bytes = self.screener.limits().max_raw_bytes();
        for chunk in uids.chunks(BATCH) {
            let mut moves = Vec::new();
            let mut interrupted = false;
            let mut decided = 0usize;
            conn.fetch_with_flags_each(chunk, max_bytes, |uid, raw, flags| {
                if signals.shutdown_requested() {
                    interrupted = true;
                    return Ok(false);
                }
                if let Some(m) = self.decide(selected, uid, raw, flags)? {
                    moves.push(m);
                }
                // Keeps a long backlog's peak where the idle daemon expects it.
                decided += 1;
                if decided.is_multiple_of(64) {
                    self.screener.classifier().bound_caches(CACHE_BOUND);
                }
                Ok(true)
            })
            .await?;
            // Journaled intents are carried out even when stopping: that is the
            // "message in hand", and finishing it leaves nothing to reconcile.
            self.flush_kept()?;
            self.act(conn, selected, moves).await?;
            if interrupted {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn flush_kept(&mut self) -> Result<()> {
        self.state.record_kept(&self.kept)?;
        self.kept.clear();
        Ok(())
    }

    /// Decides one message and journals the decision. A keep is buffered for the
    /// batch's journal transaction; a mailbox change is journaled as intent and
    /// returned for [`Daemon::act`].
    fn decide(&mut self, selected: &Selected, uid: u32, raw: &[u8], flags: &[String]) -> Result<Option<Move>> {
        let mailbox = self.mailbox();
        let (parsed, mut decision) = self.screener.screen(raw);
        let key = message_key(parsed.as_ref(), raw);
        // Moved back by the user: the very message screener filed (it carries the
        // $Screened keyword screener set before moving it, which no sender can set),
        // not a second delivery or a new message reusing the Message-ID, and not an
        // original left \Deleted by the COPY fallback.
        let tagged = flags.iter().any(|f| f == "$Screened") && !flags.iter().any(|f| f == "\\Deleted");
        let moved_back = match &parsed {
            Some(_) if !self.options.dry_run && tagged => self.state.last_filed(&key)?,
            _ => None,
        };
        if let (Some(folder), Some(msg)) = (moved_back, &parsed) {
            let said = self.released(msg, &key, &folder)?;
            decision = policy::kept_because(decision, "released", said);
        } else if self.state.seen_key(&mailbox, &key)? {
            // The same message again (a duplicate delivery, or after a UIDVALIDITY
            // change): it was handled once, so leave it.
            decision = policy::kept_because(decision, "already-handled", "this Message-ID was handled before".into());
        }
        let reply = match (&parsed, decision.action) {
            (Some(msg), Action::Decline) => self.prepare_decline(msg, &key, raw, &mut decision)?,
            _ => None,
        };
        let folders = &self.config().folders;
        let target = match decision.action {
            Action::Keep => None,
            Action::File => Some(folders.extractive.clone()),
            Action::Decline => Some(folders.declined.clone()),
        };
        let intent = intent(mailbox, selected.uidvalidity, uid, key, parsed.as_ref(), &decision, target.clone())?;
        let from = intent.sender.clone();
        let Some(target) = target else {
            tracing::debug!(uid, score = decision.score, "kept");
            self.kept.push(intent);
            return Ok(None);
        };
        if self.options.dry_run && self.state.has_entry(&intent)? {
            // Journaled before: finished, or an interrupted real run's action, which
            // only the next real run can finish (see `reconcile`).
            return Ok(None);
        }
        let (id, outcome) = match &reply {
            Some(reply) => self.state.record_decline(&intent, reply)?,
            None => self.state.record_intent(&intent)?,
        };
        if outcome != Outcome::Pending {
            return Ok(None); // journaled and finished in an earlier session
        }
        test_hook("after-intent", decision.action);
        let top = decision.reasons.iter().find(|r| r.weight != 0.0).or(decision.reasons.first());
        let why = top.map(|r| format!("{}: {}", r.rule, r.excerpt)).unwrap_or_default();
        let verb = match (decision.action, &reply) {
            (Action::Decline, Some(r)) => format!("declined ({} to {}); filed", r.mode, r.recipient),
            (Action::Decline, None) => "would decline; filed".to_string(),
            _ => "filed".to_string(),
        };
        let subject = intent.subject.unwrap_or_default();
        let sender = from.unwrap_or_else(|| "(no sender)".into());
        if self.options.dry_run {
            tracing::info!(uid, score = decision.score, from = %sender, subject = %subject, folder = %target, "dry run: {verb}: {why}");
            self.state.complete(id, Outcome::DryRun, None)?;
            return Ok(None);
        }
        let log = format!("{verb}: {why}");
        Ok(Some(Move { id, uid, target, category: decision.category, score: decision.score, sender, subject, log }))
    }

    /// Carries out a batch of journaled moves: per target folder one keyword STORE per
    /// category and one MOVE, then one journal transaction. If the server refuses the
    /// batch, each message is tried alone so that one bad message cannot hold back the
    /// others.
    async fn act(&mut self, conn: &mut Connection, selected: &Selected, moves: Vec<Move>) -> Result<()> {
        let mut folders: Vec<String> = moves.iter().map(|m| m.target.clone()).collect();
        folders.sort();
        folders.dedup();
        for target in folders {
            let batch: Vec<&Move> = moves.iter().filter(|m| m.target == target).collect();
            let folder = conn.folder_name(&target).await?;
            // A folder that cannot be created concerns every message, not one: end the
            // session and retry later rather than marking messages failed.
            conn.ensure_folder(&folder).await?;
            let items: Vec<(u32, Option<&str>)> = batch.iter().map(|m| (m.uid, m.category.as_deref())).collect();
            match self.apply(conn, selected, &items, &folder).await {
                Ok(()) => {
                    test_hook("after-move", Action::File);
                    for m in &batch {
                        tracing::info!(uid = m.uid, score = m.score, from = %m.sender, subject = %m.subject, folder = %folder, "{}", m.log);
                    }
                    self.state.complete_all(&batch.iter().map(|m| m.id).collect::<Vec<_>>(), Outcome::Done)?;
                }
                Err(e) if is_refusal(&e) && batch.len() > 1 => {
                    tracing::warn!("the server refused a batch move ({e:#}); moving one by one");
                    for m in batch {
                        self.act_one(conn, selected, m, &folder).await?;
                    }
                }
                Err(e) if is_refusal(&e) => self.act_one(conn, selected, batch[0], &folder).await?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn act_one(&mut self, conn: &mut Connection, selected: &Selected, m: &Move, folder: &str) -> Result<()> {
        match self.apply(conn, selected, &[(m.uid, m.category.as_deref())], folder).await {
            Ok(()) => {
                tracing::info!(uid = m.uid, score = m.score, from = %m.sender, subject = %m.subject, folder = %folder, "{}", m.log);
                self.state.complete(m.id, Outcome::Done, None)
            }
            Err(e) if is_refusal(&e) => {
                // The server said NO (quota, permissions): record it and move on rather
                // than retrying the same message forever.
                tracing::error!(uid = m.uid, folder = %folder, "could not file the message: {e:#}");
                self.state.complete(m.id, Outcome::Failed, Some(&format!("{e:#}")))
            }
            Err(e) => Err(e),
        }
    }

    /// The one place that changes the mailbox: tag, then move, messages of
    /// `(uid, category)` into `folder`.
    async fn apply(
        &mut self,
        conn: &mut Connection,
        selected: &Selected,
        items: &[(u32, Option<&str>)],
        folder: &str,
    ) -> Result<()> {
        conn.ensure_folder(folder).await?;
        if selected.keywords {
            let mut categories: Vec<Option<&str>> = items.iter().map(|(_, c)| *c).collect();
            categories.sort();
            categories.dedup();
            for category in categories {
                let uids: Vec<u32> = items.iter().filter(|(_, c)| *c == category).map(|(u, _)| *u).collect();
                let mut keywords = vec!["$Screened".to_string()];
                if let Some(c) = category.filter(|c| c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')) {
                    keywords.push(format!("$Screened-{c}"));
                }
                if let Err(e) = conn.add_keywords(&uids, &keywords).await {
                    if !is_refusal(&e) {
                        return Err(e);
                    }
                    tracing::warn!(?uids, "could not tag the messages: {e:#}");
                }
            }
        }
        let uids: Vec<u32> = items.iter().map(|(u, _)| *u).collect();
        let expunged = conn.move_messages(&uids, folder).await?;
        if !expunged && !self.warned_no_uidplus {
            self.warned_no_uidplus = true;
            tracing::warn!(
                "the server offers neither MOVE nor UIDPLUS: filed messages are copied and flagged \\Deleted in the \
                 inbox; your mail client expunges them (screener never expunges the whole mailbox)"
            );
        }
        Ok(())
    }
}

/// A journaled decision to move a message, waiting for its batch.
struct Move {
    id: i64,
    uid: u32,
    target: String,
    category: Option<String>,
    score: f64,
    sender: String,
    subject: String,
    /// The reason, for the log line once it is done.
    log: String,
}

/// The key that recognises a message across UIDVALIDITY changes: its Message-ID, or
/// a hash of its header block when it has none.
pub fn message_key(parsed: Option<&message::Message>, raw: &[u8]) -> String {
    if let Some(id) = parsed.and_then(|m| m.message_id.as_deref()).filter(|id| !id.is_empty()) {
        return format!("id:{id}");
    }
    let header_end =
        raw.windows(4).position(|w| w == b"\r\n\r\n").or_else(|| raw.windows(2).position(|w| w == b"\n\n"));
    let header = &raw[..header_end.unwrap_or(raw.len())];
    let digest = Sha256::digest(header);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The journal entry for `decision` on message `uid` (`parsed` when it could be read).
fn intent(
    mailbox: String,
    uidvalidity: u32,
    uid: u32,
    key: String,
    parsed: Option<&Message>,
    decision: &Decision,
    target: Option<String>,
) -> Result<Intent> {
    Ok(Intent {
        mailbox,
        uidvalidity,
        uid,
        message_key: key,
        message_id: parsed.and_then(|m| m.message_id.clone()),
        sender: parsed.and_then(|m| m.from.as_ref()).map(|f| f.address.clone()),
        subject: parsed.map(|m| m.subject.clone()),
        score: decision.score,
        action: decision.action.as_str().to_string(),
        category: decision.category.clone(),
        reasons: serde_json::to_string(&decision.reasons)?,
        target,
    })
}

/// Hands the heap pages freed by the last batch back to the kernel before waiting:
/// glibc keeps them otherwise, and a daemon that idles for hours should not hold the
/// high-water mark of its busiest minute.
#[allow(unsafe_code)]
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; it takes no pointers and is
    // thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The built-in rule data (rules, plans, the stored automaton: some 3 MB) is read
/// only while a classifier is built. Its pages go right after, not only when the
/// daemon first goes idle: a backlog at start-up would otherwise carry them at its
/// peak.
fn drop_setup_pages() {
    for data in crate::classify::setup_only_data() {
        drop_pages(data);
    }
}

/// Lets the kernel drop the resident pages of read-only data compiled into the
/// binary (`screen::droppable_data`): read at start-up or now and then, they count
/// against the idle daemon's memory until evicted. Only whole pages inside `data`.
#[allow(unsafe_code)]
fn drop_pages(data: &'static [u8]) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf reads a constant of the system.
        let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
            n if n > 0 => n as usize,
            _ => return,
        };
        let start = (data.as_ptr() as usize).next_multiple_of(page);
        let end = (data.as_ptr() as usize + data.len()) / page * page;
        if end > start {
            // SAFETY: [start, end) lies inside a `'static` read-only slice of the
            // executable's own file mapping, which nothing ever writes. MADV_DONTNEED
            // on such a private file mapping only unmaps the pages: the next read
            // faults them in again from the file, with the same contents. The
            // advice changes no memory that Rust considers owned or mutable. A
            // failure (the advice is only advice) leaves the pages where they are.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    }
}

fn is_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|c| matches!(c.downcast_ref::<async_imap::error::Error>(), Some(async_imap::error::Error::No(_))))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// IMAP's date format (RFC 3501 date: 5-Jan-2026) for `days` ago.
fn imap_date_days_ago(days: u32) -> String {
    let then = std::time::SystemTime::now() - Duration::from_secs(u64::from(days) * 86400);
    let rfc = humantime::format_rfc3339(then).to_string(); // 2026-01-05T...
    let (y, m, d) = (&rfc[0..4], &rfc[5..7], &rfc[8..10]);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS[m.parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
    format!("{}-{month}-{y}", d.trim_start_matches('0'))
}

/// Crash injection for the exactly-once tests: with SCREENERTEST_ABORT set to a
/// point name, the process aborts there (like kill -9) when filing a message.
pub(crate) fn test_hook(point: &str, action: Action) {
    if action != Action::Keep
        && let Some(wanted) = std::env::var_os("SCREENERTEST_ABORT")
        && wanted == point
    {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_rule_pages_read_back_the_same_and_build_the_same_classifier() {
        let before: Vec<Vec<u8>> = crate::screen::droppable_data().iter().map(|d| d.to_vec()).collect();
        for data in crate::screen::droppable_data() {
            drop_pages(data);
        }
        let after: Vec<Vec<u8>> = crate::screen::droppable_data().iter().map(|d| d.to_vec()).collect();
        assert!(before.iter().all(|d| d.len() > 100_000), "the built-in rule data is compiled in");
        assert_eq!(before, after);
        let config = crate::config::load_with_env(None, Some(Default::default())).unwrap();
        let screener = crate::Screener::new(config).unwrap();
        let raw = b"From: a@example.com\r\nTo: hank@example.org\r\nSubject: hi\r\n\r\nYou have quite an impressive network. Let's see how we can help each other.\r\n";
        assert_ne!(screener.screen(raw).1.action, crate::policy::Action::Keep);
    }

    #[test]
    fn backoff_doubles_to_five_minutes_with_bounded_jitter() {
        let mut b = Backoff::new();
        let waits: Vec<Duration> = (0..12).map(|_| b.next()).collect();
        assert!(waits[0] >= Duration::from_secs(1) && waits[0] <= Duration::from_millis(1250));
        assert!(waits[3] >= Duration::from_secs(8) && waits[3] <= Duration::from_secs(10));
        assert!(waits.iter().all(|w| *w <= Backoff::MAX));
        assert_eq!(waits[11], Backoff::MAX);
        b.reset();
        assert!(b.next() <= Duration::from_millis(1250));
    }

    #[test]
    fn message_keys_prefer_the_message_id() {
        let raw = b"Message-ID: <a@x>\nSubject: s\n\nbody";
        let parsed = message::parse(raw, message::Limits::default(), None).unwrap();
        assert_eq!(message_key(Some(&parsed), raw), "id:a@x");
        let raw2 = b"Subject: s\n\nbody one";
        let raw3 = b"Subject: s\n\nbody two";
        let p2 = message::parse(raw2, message::Limits::default(), None).unwrap();
        let k2 = message_key(Some(&p2), raw2);
        assert!(k2.starts_with("sha256:"));
        // The same headers give the same key whatever the body.
        assert_eq!(k2, message_key(None, raw3));
        assert_ne!(k2, message_key(None, b"Subject: other\n\nbody one"));
    }

    #[test]
    fn imap_dates() {
        let d = imap_date_days_ago(0);
        let parts: Vec<&str> = d.split('-').collect();
        assert_eq!(parts.len(), 3, "{d}");
        assert!(parts[1].len() == 3 && parts[2].len() == 4, "{d}");
    }
}
