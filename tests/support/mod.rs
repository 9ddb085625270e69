//! Helpers shared by integration tests (`mod support;` in the test file).

// Each test crate compiles this module but uses only part of it.
#![allow(dead_code)]

pub mod dovecot;
pub mod run;
pub mod smtp;
