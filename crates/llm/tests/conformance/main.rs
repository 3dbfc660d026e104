//! One conformance suite, run against every adapter on a local mock HTTP server serving
//! each provider's recorded bodies (from `shared/eval/llm`) or, where no recording exists,
//! bodies written from the provider's documentation (each says so). No test leaves
//! 127.0.0.1.

// Compiled only where the recordings exist (see build.rs, which warns when they do not).
#![cfg(has_eval_llm)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod capture;
mod fixtures;
mod mock_server;
#[macro_use]
mod suite;

mod anthropic;
mod gemini;
mod ollama;
mod openai;

conformance!(openai_conformance, crate::openai::OpenAi);
conformance!(anthropic_conformance, crate::anthropic::Anthropic);
conformance!(gemini_conformance, crate::gemini::Gemini);
conformance!(ollama_conformance, crate::ollama::Ollama);
