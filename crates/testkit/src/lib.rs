//! What Leadscout's tests share, as a dev-dependency only (`publish = false`; never in the app
//! a user runs):
//!
//! - [`site`]: fixture company websites served on 127.0.0.1,
//! - [`fake_model`]: an OpenAI-compatible model provider on 127.0.0.1 that answers, and fails,
//!   the way the API documents,
//! - [`kit`]: the research workflow's engine and model kit over a store,
//! - [`dbus`] (feature `app`): a private session bus, a fake notification server, gnome-keyring,
//! - [`e2e`] (feature `app`): the real app under Xvfb and tauri-driver, and [`e2e::App`], the
//!   one launch fixture the end-to-end tests use.
//!
//! What needs the app crate's internals (the Tauri mock runtime over the app's commands) stays
//! in the app's `tests/mock_app/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "app")]
pub mod dbus;
#[cfg(feature = "app")]
pub mod e2e;
pub mod fake_model;
pub mod kit;
pub mod site;
