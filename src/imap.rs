//! The IMAP connection: TLS, login, and the handful of commands screener needs, with
//! the protocol state (capabilities, hierarchy delimiter, folders known to exist)
//! kept beside the async-imap session. Nothing here decides anything about mail;
//! `daemon` says what to do and this module does it on the wire.

use crate::config::{Imap as ImapConfig, TlsMode};
use crate::secret::Secret;
use anyhow::{Context, Result, anyhow, bail};
use futures::TryStreamExt;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// How long one command may take before the connection is considered dead.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// How long DONE may take: a dropped connection during IDLE only shows up here.
const DONE_TIMEOUT: Duration = Duration::from_secs(15);

/// The server refused the login: retried slowly, never in a hot loop.
#[derive(Debug, thiserror::Error)]
#[error("the IMAP server rejected the login for {user}: {words}")]
pub struct LoginRejected {
    pub user: String,
    pub words: String,
}

/// A plain or TLS stream behind one type, as async-imap wants one stream type.
pub struct Conn(Pin<Box<dyn ReadWrite>>);

trait ReadWrite: AsyncRead + AsyncWrite + Send {}
impl<T: AsyncRead + AsyncWrite + Send> ReadWrite for T {}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Conn")
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.0.as_mut().poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        self.0.as_mut().poll_shutdown(cx)
    }
}

type Session = async_imap::Session<Conn>;

/// What SELECT told us about the watched mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selected {
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub exists: u32,
    /// PERMANENTFLAGS has `\*`: new keywords ($Screened) can be stored.
    pub keywords: bool,
}

/// How an IDLE ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The server sent something (EXISTS, EXPUNGE...): look for new mail.
    Data,
    /// `idle_timeout` passed with no response: restart IDLE (RFC 2177's 29 minutes).
    Timeout,
    /// The caller asked to stop (shutdown or reload).
    Interrupted,
}

/// SPECIAL-USE folders screener looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialUse {
    Sent,
    Drafts,
}

pub struct Connection {
    session: Session,
    capabilities: HashSet<String>,
    delimiter: Option<String>,
    existing: HashSet<String>,
    /// The UIDVALIDITY each folder had when first selected in this session: UIDs
    /// remembered across a re-SELECT mean nothing once it changes.
    validity: HashMap<String, u32>,
    /// The folder selected read-write now, if any. Looking into Drafts or Sent
    /// selects them, and UIDs of the watched mailbox must never be used there.
    selected: Option<String>,
}

/// Builds the rustls configuration: system roots plus `ca_file`, one crypto provider
/// (ring) chosen explicitly so that no process-wide default is needed.
fn tls_config(config: &ImapConfig) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A malformed system certificate is not our problem to fail on.
        let _ = roots.add(cert);
    }
    if let Some(path) = &config.ca_file {
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(path)
            .with_context(|| format!("cannot read imap.ca_file {}", path.display()))?
            .collect::<std::result::Result<_, _>>()
            .with_context(|| format!("imap.ca_file {} is not a PEM certificate file", path.display()))?;
        if certs.is_empty() {
            bail!("imap.ca_file {} holds no certificate", path.display());
        }
        for cert in certs {
            roots.add(cert).with_context(|| format!("imap.ca_file {}: unusable certificate", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("no usable TLS versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(tls))
}

async fn wrap_tls(tcp: TcpStream, host: &str, config: &ImapConfig) -> Result<Conn> {
    let connector = tokio_rustls::TlsConnector::from(tls_config(config)?);
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .with_context(|| format!("imap.host {host:?} is not a valid TLS server name"))?;
    let tls = timeout(COMMAND_TIMEOUT, connector.connect(name, tcp))
        .await
        .context("TLS handshake timed out")?
        .with_context(|| format!("TLS handshake with {host} failed (is the certificate valid for this name?)"))?;
    Ok(Conn(Box::pin(tls)))
}

impl Connection {
    /// Connects, secures and logs in. A refused login is a [`LoginRejected`] error.
    /// Resolves the password (inline, file, command or systemd credential) and connects.
    pub async fn open(config: &ImapConfig) -> Result<Connection> {
        let source = config
            .password
            .clone()
            .or_else(|| crate::secret::PasswordSource::credential_if_present("imap-password"))
            .context("no IMAP password configured")?;
        let password =
            tokio::task::spawn_blocking(move || source.resolve()).await.context("password lookup panicked")??;
        Connection::connect(config, &password).await
    }

    pub async fn connect(config: &ImapConfig, password: &Secret) -> Result<Connection> {
        let host = config.host.as_deref().context("imap.host is not set")?;
        let user = config.username.as_deref().context("imap.username is not set")?;
        let port = config.port();
        let tcp = timeout(COMMAND_TIMEOUT, TcpStream::connect((host, port)))
            .await
            .with_context(|| format!("connecting to {host}:{port} timed out"))?
            .with_context(|| format!("cannot connect to {host}:{port}"))?;
        tcp.set_nodelay(true).ok();
        let stream = match config.tls {
            TlsMode::Implicit => wrap_tls(tcp, host, config).await?,
            TlsMode::None => Conn(Box::pin(tcp)),
            TlsMode::Starttls => {
                let mut client = async_imap::Client::new(tcp);
                timeout(COMMAND_TIMEOUT, client.read_response())
                    .await
                    .context("no greeting from the server")?
                    .context("reading the greeting")?
                    .context("the server closed the connection before its greeting")?;
                timeout(COMMAND_TIMEOUT, client.run_command_and_check_ok("STARTTLS", None))
                    .await
                    .context("STARTTLS timed out")?
                    .context("the server refused STARTTLS")?;
                wrap_tls(client.into_inner(), host, config).await?
            }
        };
        let mut client = async_imap::Client::new(stream);
        if config.tls != TlsMode::Starttls {
            timeout(COMMAND_TIMEOUT, client.read_response())
                .await
                .context("no greeting from the server")?
                .context("reading the greeting")?
                .context("the server closed the connection before its greeting")?;
        }
        let session = match timeout(COMMAND_TIMEOUT, client.login(user, password.expose())).await {
            Err(_) => bail!("LOGIN timed out"),
            Ok(Ok(session)) => session,
            Ok(Err((async_imap::error::Error::No(words), _))) => {
                return Err(LoginRejected { user: user.to_string(), words }.into());
            }
            Ok(Err((e, _))) => return Err(anyhow!(e).context("LOGIN failed")),
        };
        let mut conn = Connection {
            session,
            capabilities: HashSet::new(),
            delimiter: None,
            existing: HashSet::new(),
            validity: HashMap::new(),
            selected: None,
        };
        let capabilities =
            timeout(COMMAND_TIMEOUT, conn.session.capabilities()).await.context("CAPABILITY timed out")??;
        conn.capabilities = capability_names(&capabilities);
        Ok(conn)
    }

    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.contains(&capability.to_ascii_uppercase())
    }

    /// SELECT (read-write) the watched mailbox.
    ///
    /// Fails when a folder selected earlier in this session comes back renumbered
    /// (a new UIDVALIDITY, as after a restore): the caller still holds UIDs of the old
    /// numbering, and acting on them would touch other messages. Ending the session
    /// makes the next one resynchronize from scratch.
    pub async fn select(&mut self, mailbox: &str) -> Result<Selected> {
        // A failed SELECT leaves no folder selected (RFC 9051 6.3.2).
        self.selected = None;
        let m = timeout(COMMAND_TIMEOUT, self.session.select(mailbox))
            .await
            .context("SELECT timed out")?
            .with_context(|| format!("cannot select {mailbox}"))?;
        let keywords = m.permanent_flags.iter().any(|f| matches!(f, async_imap::types::Flag::MayCreate));
        let uidvalidity = m.uid_validity.context("the server sent no UIDVALIDITY")?;
        if let Some(&before) = self.validity.get(mailbox)
            && before != uidvalidity
        {
            anyhow::bail!(
                "the UIDVALIDITY of {mailbox} changed from {before} to {uidvalidity} during this session (the \
                 server renumbered it); reconnecting to resynchronize"
            );
        }
        self.validity.insert(mailbox.to_string(), uidvalidity);
        self.selected = Some(mailbox.to_string());
        Ok(Selected { uidvalidity, uidnext: m.uid_next.unwrap_or(m.exists + 1), exists: m.exists, keywords })
    }

    /// Selects `mailbox` unless it is the folder selected now. Whoever acts on its
    /// UIDs calls this first, so that a step that looked into another folder and
    /// forgot to come back cannot make them land there.
    pub async fn ensure_selected(&mut self, mailbox: &str) -> Result<()> {
        if self.selected.as_deref() != Some(mailbox) {
            self.select(mailbox).await?;
        }
        Ok(())
    }

    /// UID SEARCH, sorted ascending.
    pub async fn uid_search(&mut self, query: &str) -> Result<Vec<u32>> {
        let found = timeout(COMMAND_TIMEOUT, self.session.uid_search(query))
            .await
            .context("UID SEARCH timed out")?
            .with_context(|| format!("UID SEARCH {query} failed"))?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches the first `max_bytes` of each message without setting \Seen, handing
    /// each to `each` as it arrives, so that deciding on one message overlaps with the
    /// server reading and sending the next. When `each` returns false the rest of the
    /// response is still read (the connection must stay in step) but not handed on.
    pub async fn fetch_each(
        &mut self,
        uids: &[u32],
        max_bytes: usize,
        mut each: impl FnMut(u32, &[u8]) -> Result<bool>,
    ) -> Result<()> {
        self.fetch_part_each(uids, &format!("(UID BODY.PEEK[]<0.{max_bytes}>)"), |uid, raw, _| each(uid, raw)).await
    }

    /// Like [`Connection::fetch_each`], with each message's flags and keywords.
    pub async fn fetch_with_flags_each(
        &mut self,
        uids: &[u32],
        max_bytes: usize,
        each: impl FnMut(u32, &[u8], &[String]) -> Result<bool>,
    ) -> Result<()> {
        self.fetch_part_each(uids, &format!("(UID FLAGS BODY.PEEK[]<0.{max_bytes}>)"), each).await
    }

    /// Like [`Connection::fetch_each`], the header block only.
    pub async fn fetch_headers_each(
        &mut self,
        uids: &[u32],
        mut each: impl FnMut(u32, &[u8]) -> Result<bool>,
    ) -> Result<()> {
        self.fetch_part_each(uids, "(UID BODY.PEEK[HEADER])", |uid, raw, _| each(uid, raw)).await
    }

    /// INTERNALDATE (when the server received it) of each of `uids`, in unix seconds.
    pub async fn internal_dates(&mut self, uids: &[u32]) -> Result<Vec<(u32, i64)>> {
        let mut out = Vec::with_capacity(uids.len());
        for chunk in uids.chunks(500) {
            let fetched = self.fetch_items(chunk, "INTERNALDATE").await?;
            out.extend(fetched.iter().filter_map(|f| Some((f.uid?, f.internal_date()?.timestamp()))));
        }
        out.sort_unstable();
        Ok(out)
    }

    /// UID FETCH of small data items (`item`, e.g. "RFC822.SIZE"), collected whole.
    async fn fetch_items(&mut self, uids: &[u32], item: &str) -> Result<Vec<async_imap::types::Fetch>> {
        let stream = timeout(COMMAND_TIMEOUT, self.session.uid_fetch(uid_set(uids), format!("(UID {item})")))
            .await
            .context("UID FETCH timed out")?
            .with_context(|| format!("UID FETCH {item} failed"))?;
        timeout(COMMAND_TIMEOUT, stream.try_collect::<Vec<_>>())
            .await
            .context("UID FETCH timed out")?
            .with_context(|| format!("UID FETCH {item} failed"))
    }

    async fn fetch_part_each(
        &mut self,
        uids: &[u32],
        query: &str,
        mut each: impl FnMut(u32, &[u8], &[String]) -> Result<bool>,
    ) -> Result<()> {
        let stream = timeout(COMMAND_TIMEOUT, self.session.uid_fetch(uid_set(uids), query))
            .await
            .context("UID FETCH timed out")?
            .context("UID FETCH failed")?;
        futures::pin_mut!(stream);
        let mut wanted = true;
        while let Some(fetch) = timeout(COMMAND_TIMEOUT, stream.try_next())
            .await
            .context("UID FETCH timed out")?
            .context("UID FETCH failed")?
        {
            if let (true, Some(uid), Some(body)) = (wanted, fetch.uid, fetch.body().or_else(|| fetch.header())) {
                let flags: Vec<String> = fetch
                    .flags()
                    .map(|f| match f {
                        async_imap::types::Flag::Deleted => "\\Deleted".to_string(),
                        async_imap::types::Flag::Custom(k) => k.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect();
                wanted = each(uid, body, &flags)?;
            }
        }
        Ok(())
    }

    /// The server's name for a folder path written with '/', e.g. "Screened/Extractive"
    /// becomes "Screened.Extractive" on a server whose delimiter is '.'.
    pub async fn folder_name(&mut self, path: &str) -> Result<String> {
        if self.delimiter.is_none() {
            // INBOX always exists; its LIST line carries the hierarchy delimiter.
            let names = self.list("INBOX").await?;
            self.delimiter = Some(names.first().and_then(|n| n.delimiter()).unwrap_or("/").to_string());
        }
        let delimiter = self.delimiter.as_deref().unwrap_or("/");
        Ok(path.split('/').filter(|p| !p.is_empty()).collect::<Vec<_>>().join(delimiter))
    }

    /// LIST "" `pattern`.
    async fn list(&mut self, pattern: &str) -> Result<Vec<async_imap::types::Name>> {
        timeout(COMMAND_TIMEOUT, async {
            let stream = self.session.list(Some(""), Some(pattern)).await?;
            stream.try_collect::<Vec<_>>().await
        })
        .await
        .context("LIST timed out")?
        .context("LIST failed")
    }

    /// The folder the server marks with a SPECIAL-USE attribute (RFC 6154), such as
    /// the Sent folder, whatever it is called in the user's language.
    pub async fn special_use(&mut self, wanted: SpecialUse) -> Result<Option<String>> {
        use async_imap::types::NameAttribute;
        let names = self.list("*").await?;
        Ok(names
            .iter()
            .find(|n| {
                n.attributes().iter().any(|a| match wanted {
                    SpecialUse::Sent => matches!(a, NameAttribute::Sent),
                    SpecialUse::Drafts => matches!(a, NameAttribute::Drafts),
                })
            })
            .map(|n| n.name().to_string()))
    }

    /// Creates `folder` (and its parents) unless it exists.
    pub async fn ensure_folder(&mut self, folder: &str) -> Result<()> {
        if self.existing.contains(folder) {
            return Ok(());
        }
        let found = self.list(folder).await?;
        if found.is_empty() {
            match timeout(COMMAND_TIMEOUT, self.session.create(folder)).await.context("CREATE timed out")? {
                Ok(()) => tracing::info!(folder, "created folder"),
                // Another client may have created it a moment ago.
                Err(async_imap::error::Error::No(words)) if words.to_ascii_lowercase().contains("exist") => {}
                Err(e) => return Err(anyhow!(e).context(format!("cannot create folder {folder}"))),
            }
            // Subscribing makes the folder show up in mail clients; failure is harmless.
            let _ = timeout(COMMAND_TIMEOUT, self.session.subscribe(folder)).await;
        }
        self.existing.insert(folder.to_string());
        Ok(())
    }

    /// Adds keywords to messages (flags survive MOVE and COPY).
    pub async fn add_keywords(&mut self, uids: &[u32], keywords: &[String]) -> Result<()> {
        let query = format!("+FLAGS.SILENT ({})", keywords.join(" "));
        let stream = timeout(COMMAND_TIMEOUT, self.session.uid_store(uid_set(uids), &query))
            .await
            .context("UID STORE timed out")?
            .context("UID STORE failed")?;
        timeout(COMMAND_TIMEOUT, stream.try_collect::<Vec<_>>()).await.context("UID STORE timed out")??;
        Ok(())
    }

    /// Moves messages: UID MOVE when offered; else UID COPY, \Deleted and UID
    /// EXPUNGE of those UIDs only. Never EXPUNGE or CLOSE, which would also remove the
    /// messages the user marked \Deleted. Returns false when the copies could not be
    /// expunged (no UIDPLUS): the originals are flagged \Deleted and left for the user.
    pub async fn move_messages(&mut self, uids: &[u32], folder: &str) -> Result<bool> {
        let set = uid_set(uids);
        let moving = self.has("MOVE");
        for attempt in 0..2 {
            let done = if moving {
                timeout(COMMAND_TIMEOUT, self.session.uid_mv(&set, folder)).await.context("UID MOVE timed out")?
            } else {
                timeout(COMMAND_TIMEOUT, self.session.uid_copy(&set, folder)).await.context("UID COPY timed out")?
            };
            match done {
                Ok(()) => break,
                // The folder was deleted or renamed since it was created or seen (by the
                // user, in another client): create it again rather than failing every
                // message until the next session.
                Err(async_imap::error::Error::No(words))
                    if attempt == 0 && words.to_ascii_uppercase().contains("TRYCREATE") =>
                {
                    tracing::warn!(folder, "the folder is gone: creating it again");
                    self.existing.remove(folder);
                    self.ensure_folder(folder).await?;
                }
                Err(e) => {
                    let verb = if moving { "MOVE" } else { "COPY" };
                    return Err(anyhow!(e).context(format!("UID {verb} {set} to {folder} failed")));
                }
            }
        }
        if moving {
            return Ok(true);
        }
        // The window the journal must survive without MOVE: copied, original still here.
        crate::daemon::test_hook("after-copy", crate::policy::Action::File);
        self.delete_originals(uids).await
    }

    /// Flags copied originals \Deleted and expunges exactly those UIDs when UIDPLUS
    /// allows. Returns whether they were expunged.
    pub async fn delete_originals(&mut self, uids: &[u32]) -> Result<bool> {
        let set = uid_set(uids);
        let stream = timeout(COMMAND_TIMEOUT, self.session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)"))
            .await
            .context("UID STORE timed out")?
            .context("UID STORE \\Deleted failed")?;
        timeout(COMMAND_TIMEOUT, stream.try_collect::<Vec<_>>()).await.context("UID STORE timed out")??;
        if !self.has("UIDPLUS") {
            return Ok(false);
        }
        let stream = timeout(COMMAND_TIMEOUT, self.session.uid_expunge(&set))
            .await
            .context("UID EXPUNGE timed out")?
            .context("UID EXPUNGE failed")?;
        timeout(COMMAND_TIMEOUT, stream.try_collect::<Vec<_>>()).await.context("UID EXPUNGE timed out")??;
        Ok(true)
    }

    /// True when `folder` holds a message whose Message-ID header is `message_id`.
    /// Selects `folder` read-only; the caller selects its mailbox again afterwards.
    pub async fn folder_has_message_id(&mut self, folder: &str, message_id: &str) -> Result<bool> {
        self.examine(folder).await?;
        Ok(!self.uids_with_message_id(message_id).await?.is_empty())
    }

    /// UIDs in the selected folder of the messages whose Message-ID is exactly
    /// `message_id`. SEARCH HEADER matches substrings ("1@x" is found in
    /// "21@x.example"), so each hit's header is fetched and compared: acting on a
    /// near miss would delete, move or trust another message.
    pub async fn uids_with_message_id(&mut self, message_id: &str) -> Result<Vec<u32>> {
        let quoted = message_id.replace(['\\', '"'], "");
        self.search_then_check_headers(&format!("HEADER Message-ID \"{quoted}\""), |header| {
            crate::message::header_message_id(header).as_deref() == Some(message_id)
        })
        .await
    }

    /// UIDs in the selected folder that `query` finds and whose header block then
    /// passes `exact`: SEARCH narrows, the check decides.
    async fn search_then_check_headers(
        &mut self,
        query: &str,
        mut exact: impl FnMut(&[u8]) -> bool,
    ) -> Result<Vec<u32>> {
        let found = self.uid_search(query).await?;
        if found.is_empty() {
            return Ok(found);
        }
        let mut passed = Vec::new();
        self.fetch_headers_each(&found, |uid, header| {
            if exact(header) {
                passed.push(uid);
            }
            Ok(true)
        })
        .await?;
        Ok(passed)
    }

    /// RFC822.SIZE of a message in the selected folder, if it is there.
    pub async fn size(&mut self, uid: u32) -> Result<Option<u32>> {
        let fetched = self.fetch_items(&[uid], "RFC822.SIZE").await?;
        Ok(fetched.iter().find(|f| f.uid == Some(uid)).and_then(|f| f.size))
    }

    /// UIDs in the selected folder of the messages of exactly `size` octets whose
    /// header block passes `same` (a copy keeps both: COPY moves the bytes as they are).
    pub async fn uids_with_size_and_header(&mut self, size: u32, same: impl FnMut(&[u8]) -> bool) -> Result<Vec<u32>> {
        self.search_then_check_headers(&format!("LARGER {} SMALLER {}", size.saturating_sub(1), size + 1), same).await
    }

    /// STATUS of a folder that is not selected: (MESSAGES, UIDNEXT, UIDVALIDITY).
    pub async fn status(&mut self, folder: &str) -> Result<(u32, u32, u32)> {
        let m = timeout(COMMAND_TIMEOUT, self.session.status(folder, "(MESSAGES UIDNEXT UIDVALIDITY)"))
            .await
            .context("STATUS timed out")?
            .with_context(|| format!("STATUS {folder} failed"))?;
        Ok((m.exists, m.uid_next.unwrap_or(0), m.uid_validity.unwrap_or(0)))
    }

    /// EXAMINE (read-only) a folder other than the watched mailbox.
    pub async fn examine(&mut self, folder: &str) -> Result<()> {
        self.selected = None;
        timeout(COMMAND_TIMEOUT, self.session.examine(folder)).await.context("EXAMINE timed out")??;
        Ok(())
    }

    /// APPENDs a message to `folder` with `flags`, e.g. `(\\Seen)`.
    pub async fn append(&mut self, folder: &str, flags: &str, raw: &[u8]) -> Result<()> {
        timeout(COMMAND_TIMEOUT, self.session.append(folder, Some(flags), None, raw))
            .await
            .context("APPEND timed out")?
            .with_context(|| format!("APPEND to {folder} failed"))?;
        // Its APPENDUID lands among the unsolicited responses, which the daemon's
        // loop drains before each IDLE (draining here would hide new-mail news).
        Ok(())
    }

    /// Removes the messages with this Message-ID from `folder` (UID EXPUNGE of those
    /// only). Selects `folder`; the caller selects its mailbox again afterwards.
    pub async fn delete_message_id(&mut self, folder: &str, message_id: &str) -> Result<usize> {
        self.selected = None;
        timeout(COMMAND_TIMEOUT, self.session.select(folder)).await.context("SELECT timed out")??;
        self.selected = Some(folder.to_string());
        let uids = self.uids_with_message_id(message_id).await?;
        if !uids.is_empty() {
            self.delete_originals(&uids).await?;
        }
        Ok(uids.len())
    }

    /// Empties the queue of unsolicited responses async-imap keeps (a full queue drops
    /// responses). Returns true if one announced new mail (EXISTS or RECENT): the
    /// server will not repeat that in IDLE, so the caller must look for it now.
    pub fn drain_unsolicited(&mut self) -> bool {
        use async_imap::types::UnsolicitedResponse;
        let mut new_mail = false;
        while let Ok(response) = self.session.unsolicited_responses.try_recv() {
            new_mail |= matches!(response, UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_));
        }
        new_mail
    }

    /// IDLE until the server says something, `idle_timeout` passes or `interrupt`
    /// resolves. Ends with DONE under a timeout: that is where a dead connection shows.
    pub async fn idle(
        self,
        idle_timeout: Duration,
        interrupt: impl std::future::Future<Output = ()>,
    ) -> Result<(Connection, Woken)> {
        let Connection { session, capabilities, delimiter, existing, validity, selected } = self;
        let mut handle = session.idle();
        timeout(COMMAND_TIMEOUT, handle.init()).await.context("IDLE timed out")?.context("IDLE failed")?;
        let woken = {
            let (wait, _stop) = handle.wait_with_timeout(idle_timeout);
            tokio::select! {
                result = wait => match result.context("IDLE failed")? {
                    async_imap::extensions::idle::IdleResponse::NewData(_) => Woken::Data,
                    async_imap::extensions::idle::IdleResponse::Timeout => Woken::Timeout,
                    // A connection closed by the server looks like an interrupt; DONE
                    // below then fails, which is how it is noticed.
                    async_imap::extensions::idle::IdleResponse::ManualInterrupt => Woken::Data,
                },
                () = interrupt => Woken::Interrupted,
            }
        };
        let session = timeout(DONE_TIMEOUT, handle.done())
            .await
            .context("no answer to DONE: the connection is dead")?
            .context("ending IDLE failed")?;
        Ok((Connection { session, capabilities, delimiter, existing, validity, selected }, woken))
    }

    pub async fn noop(&mut self) -> Result<()> {
        timeout(COMMAND_TIMEOUT, self.session.noop()).await.context("NOOP timed out")?.context("NOOP failed")
    }

    pub async fn logout(mut self) {
        let _ = timeout(Duration::from_secs(3), self.session.logout()).await;
    }
}

fn capability_names(caps: &async_imap::types::Capabilities) -> HashSet<String> {
    use async_imap::types::Capability;
    caps.iter()
        .map(|c| match c {
            Capability::Imap4rev1 => "IMAP4REV1".to_string(),
            Capability::Auth(a) => format!("AUTH={}", a.to_ascii_uppercase()),
            Capability::Atom(a) => a.to_ascii_uppercase(),
        })
        .collect()
}

/// A compact UID set for a command: runs of consecutive UIDs become ranges, so a
/// backlog of thousands of messages does not make a line of thousands of numbers.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted: Vec<u32> = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if start == end { start.to_string() } else { format!("{start}:{end}") });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_are_compact() {
        let cases: &[(&[u32], &str)] = &[
            (&[], ""),
            (&[5], "5"),
            (&[1, 2, 3], "1:3"),
            (&[3, 1, 2, 2], "1:3"),
            (&[1, 3, 4, 5, 9, 10], "1,3:5,9:10"),
            (&[4294967295], "4294967295"),
        ];
        for (uids, want) in cases {
            assert_eq!(uid_set(uids), *want, "{uids:?}");
        }
    }
}
