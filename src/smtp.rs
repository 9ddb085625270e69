//! SMTP submission for declines (lettre on tokio, rustls with the ring provider).
//! Nothing here decides whether to send; `daemon` asks and this module answers with
//! what the server said, sorted into "try again later" and "never".

use crate::config::{Smtp as SmtpConfig, TlsMode};
use crate::secret::{PasswordSource, Secret};
use anyhow::{Context, Result};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::Path;

/// Why a reply was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Unreachable, a 4xx, a timeout, a login refused: retry later.
    #[error("temporary SMTP failure: {0}")]
    Temporary(String),
    /// A 5xx about the message or its recipient: never retried.
    #[error("the SMTP server refused the message: {0}")]
    Permanent(String),
    /// The conversation broke off without a reply to the message (a timeout, a
    /// dropped connection): the server may or may not have taken it. Never retried,
    /// so that it is never sent twice.
    #[error("no answer from the SMTP server: {0}")]
    Unknown(String),
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
}

impl Mailer {
    /// Builds the transport; nothing connects until the first send.
    pub fn new(config: &SmtpConfig, base_dir: Option<&Path>) -> Result<Mailer> {
        let host = config.host.clone().context("smtp.host is not set")?;
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(ca) = &config.ca_file {
            let path = match base_dir {
                Some(dir) if ca.is_relative() => dir.join(ca),
                _ => ca.clone(),
            };
            let pem = std::fs::read(&path).with_context(|| format!("cannot read smtp.ca_file {}", path.display()))?;
            let cert = Certificate::from_pem(&pem)
                .with_context(|| format!("smtp.ca_file {} holds no PEM certificate", path.display()))?;
            tls = tls.add_root_certificate(cert);
        }
        let tls = tls.build_rustls().context("cannot set up TLS for SMTP")?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(config.port())
            .timeout(Some(config.timeout))
            .tls(match config.tls {
                // Tls::Required against an implicit-TLS port would wait for a greeting
                // that never comes in clear text.
                TlsMode::Implicit => Tls::Wrapper(tls),
                TlsMode::Starttls => Tls::Required(tls),
                TlsMode::None => Tls::None,
            });
        if let Some(user) = &config.username {
            let source = config
                .password
                .clone()
                .or_else(|| PasswordSource::credential_if_present("smtp-password"))
                .context("smtp.username is set but no SMTP password is configured")?;
            let password: Secret = source.resolve().context("cannot read the SMTP password")?;
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(Mailer { transport: builder.build(), host })
    }

    /// Connects, greets and logs in, then quits: whether sending can work at all.
    pub async fn check(&self) -> Result<(), SendError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(SendError::Temporary(format!("{} did not answer NOOP", self.host))),
            // Whatever goes wrong before a message is on the wire concerns every
            // message alike (a refused login included): retry, never give up on them.
            Err(e) => Err(SendError::Temporary(format!("{}: {}", self.host, describe(&e)))),
        }
    }

    /// Submits one message. `from` None is the null sender `MAIL FROM:<>`.
    pub async fn send(&self, from: Option<&str>, to: &str, raw: &[u8]) -> Result<(), SendError> {
        let parse = |a: &str| a.parse::<lettre::Address>().map_err(|e| SendError::Permanent(format!("{a}: {e}")));
        let envelope = Envelope::new(from.map(parse).transpose()?, vec![parse(to)?])
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send_raw(&envelope, raw).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let auth = e.status().is_some_and(|c| {
                    let code = c.to_string();
                    matches!(code.as_str(), "530" | "534" | "535" | "538")
                });
                let text = format!("{}: {}", self.host, describe(&e));
                // No connection, no TLS, or lettre's own refusal (STARTTLS missing, no
                // SMTPUTF8): the message never left. lettre offers no test for its
                // connection errors but their wording.
                let never_sent = e.is_tls() || e.is_client() || e.to_string().starts_with("Connection error");
                if e.is_permanent() && !auth {
                    Err(SendError::Permanent(text))
                } else if e.is_transient() || auth || never_sent {
                    // A 4xx reply ("not now") or nothing sent: nothing was kept.
                    Err(SendError::Temporary(text))
                } else {
                    Err(SendError::Unknown(text))
                }
            }
        }
    }
}

/// lettre's error with its sources, on one line.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_that_cannot_be_reached_is_tried_again_later() {
        // A port nobody listens on: refused before any message is on the wire, so the
        // reply stays queued instead of being recorded as perhaps sent.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut config = crate::config::Config::default().smtp;
        config.host = Some("127.0.0.1".into());
        config.port = Some(port);
        config.tls = TlsMode::None;
        let mailer = Mailer::new(&config, None).unwrap();
        let sent = mailer.send(Some("hank@bergstrom.example"), "ann@x.example", b"Subject: t\r\n\r\nhi\r\n").await;
        assert!(matches!(sent, Err(SendError::Temporary(_))), "{sent:?}");
    }
}
