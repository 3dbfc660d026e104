//! The commands the UI can invoke, grouped by the screen they serve.

pub mod activities;
pub mod app;
pub mod board;
pub mod drafts;
pub mod export;
pub mod fields;
pub mod followups;
pub mod import;
pub mod keys;
pub mod lead;
pub mod logs;
pub mod models;
pub mod reports;
pub mod research;
pub mod search;
pub mod stages;
pub mod views;
