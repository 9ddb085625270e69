//! Passwords: where they come from, and a type that never shows them.

use anyhow::{Context, Result, bail};
use serde::{Serialize, Serializer};
use std::fmt;
use std::path::{Path, PathBuf};

/// A secret string. Debug, Display and Serialize all print `<redacted>`, so a secret
/// cannot leak through a log line, an error or `check-config`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that needs it (the login command).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

/// Where a password comes from. Resolved at every login, so a rotated password file
/// or a password manager's new answer is picked up on reconnect.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordSource {
    /// `password = "..."` in the config file.
    Password(Secret),
    /// `password_file = "..."`: the first line of the file.
    PasswordFile(PathBuf),
    /// `password_command = "..."`: the first line the command prints (run by `sh -c`).
    PasswordCommand(String),
    /// A systemd credential: `$CREDENTIALS_DIRECTORY/<name>` (LoadCredential=).
    Credential(String),
}

impl PasswordSource {
    /// The systemd credential `name` when the service manager provides it.
    pub fn credential_if_present(name: &str) -> Option<PasswordSource> {
        let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
        Path::new(&dir).join(name).is_file().then(|| PasswordSource::Credential(name.to_string()))
    }

    /// Reads the password. Errors say where it was looked for, never what it is.
    pub fn resolve(&self) -> Result<Secret> {
        match self {
            PasswordSource::Password(secret) => Ok(secret.clone()),
            PasswordSource::PasswordFile(path) => read_first_line(path),
            PasswordSource::Credential(name) => {
                let dir = std::env::var_os("CREDENTIALS_DIRECTORY").context(
                    "CREDENTIALS_DIRECTORY is not set: is screener running under systemd with LoadCredential=?",
                )?;
                read_first_line(&Path::new(&dir).join(name))
            }
            PasswordSource::PasswordCommand(command) => {
                let output = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .with_context(|| format!("cannot run password_command `{command}`"))?;
                if !output.status.success() {
                    // stderr may be useful ("gpg: decryption failed"); stdout may hold the secret.
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    bail!("password_command `{command}` failed ({}): {}", output.status, stderr.trim());
                }
                let text =
                    String::from_utf8(output.stdout).context("password_command printed something that is not UTF-8")?;
                first_line(&text).with_context(|| format!("password_command `{command}` printed nothing"))
            }
        }
    }
}

fn read_first_line(path: &Path) -> Result<Secret> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the password from {}", path.display()))?;
    first_line(&text).with_context(|| format!("{} is empty", path.display()))
}

fn first_line(text: &str) -> Option<Secret> {
    let line = text.lines().next()?.trim_end_matches('\r');
    (!line.is_empty()).then(|| Secret::new(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        let source = PasswordSource::Password(s);
        assert!(!format!("{source:?}").contains("hunter2"));
        assert!(!toml::to_string(&std::collections::BTreeMap::from([("p", &source)])).unwrap().contains("hunter2"));
    }

    #[test]
    fn file_and_command_sources() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\nignored\n").unwrap();
        assert_eq!(PasswordSource::PasswordFile(file).resolve().unwrap().expose(), "s3cret");
        let cmd = PasswordSource::PasswordCommand("printf 'from-cmd\\n'".into());
        assert_eq!(cmd.resolve().unwrap().expose(), "from-cmd");
        let failing = PasswordSource::PasswordCommand("echo oops >&2; exit 3".into());
        let err = format!("{:#}", failing.resolve().unwrap_err());
        assert!(err.contains("oops") && err.contains("failed"), "{err}");
        let empty = PasswordSource::PasswordFile(dir.path().join("missing"));
        assert!(format!("{:#}", empty.resolve().unwrap_err()).contains("cannot read the password"));
    }
}
