//! screener: screens an inbox for extractive networking outreach, explains every
//! decision, and files or politely declines.
//!
//! The crate is a pure core with thin edges (see ARCHITECTURE.md):
//!
//! - [`message`]: raw bytes → a normalized view (addresses, machine markers,
//!   authentication verdicts, the text the sender wrote).
//! - [`classify`]: rules (data, see `config/rules.toml`) → a score with reasons.
//! - [`policy`]: score + facts + settings → keep, file or decline.
//! - [`screen`]: the three above, wired from a [`config::Config`].
//!
//! The core does no I/O and nothing in it is async. [`config`] and [`mailfiles`]
//! read files; the binary in `src/main.rs` only parses arguments and prints.

// Audited exceptions, both in `daemon::release_memory`: glibc's malloc_trim and a
// madvise that lets the kernel drop the pages of the built-in rule data.
#![deny(unsafe_code)]

pub mod classify;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod daemon;
pub mod digest;
pub mod imap;
pub mod learn;
pub mod logging;
pub mod mailfiles;
pub mod message;
pub mod notify;
pub mod policy;
pub mod reply;
pub mod screen;
pub mod secret;
pub mod smtp;
pub mod state;
pub mod tune;

pub use screen::Screener;
