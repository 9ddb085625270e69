//! systemd notifications (sd_notify): READY once the mailbox is selected, a STATUS
//! line a person can read in `systemctl status`, WATCHDOG pings and STOPPING. Outside
//! systemd (no NOTIFY_SOCKET) every call is a no-op.

use sd_notify::NotifyState;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Notifier {
    ready: bool,
    last_status: String,
}

impl Notifier {
    pub fn ready(&mut self) {
        if !self.ready {
            self.ready = true;
            send(&[NotifyState::Ready]);
        }
    }

    /// Sets the one-line status; repeated identical lines are not resent.
    pub fn status(&mut self, line: &str) {
        if self.last_status != line {
            self.last_status = line.to_string();
            send(&[NotifyState::Status(line)]);
        }
    }

    pub fn reloading(&self) {
        send(&[NotifyState::Reloading]);
    }

    pub fn reloaded(&self) {
        send(&[NotifyState::Ready]);
    }

    pub fn stopping(&self) {
        send(&[NotifyState::Stopping]);
    }

    /// The interval at which the service manager expects WATCHDOG=1, halved to leave
    /// room for a slow moment.
    pub fn watchdog_interval() -> Option<Duration> {
        sd_notify::watchdog_enabled().map(|d| d / 2)
    }

    pub fn watchdog() {
        send(&[NotifyState::Watchdog]);
    }
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!("sd_notify failed: {e}");
    }
}
