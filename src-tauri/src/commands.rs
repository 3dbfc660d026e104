//! The commands the UI can invoke, grouped by the screen they serve.

pub mod app;
pub mod board;
pub mod export;
pub mod import;
pub mod keys;
pub mod lead;
pub mod logs;
pub mod models;
pub mod research;
pub mod search;
pub mod stages;
