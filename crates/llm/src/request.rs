//! What a caller asks for: messages, the output schema, and limits.

use std::time::Duration;

use crate::output_schema::OutputSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// How long a local server may send nothing before its call is given up: long enough for a
/// laptop to read a 7,000-token prompt at 60 tokens a second.
pub const DEFAULT_SILENCE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a remote provider's call may take in all.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(180);

/// The two deadlines Settings offers. Local servers (Ollama, LM Studio, llama.cpp, vLLM on this
/// computer or the network) stream their answer and time out on silence, because a slow machine
/// is still working as long as tokens arrive; remote providers keep a total deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CallTimeouts {
    /// A remote provider's whole call.
    pub total: Duration,
    /// A local server's longest silence.
    pub silence: Duration,
}

impl Default for CallTimeouts {
    fn default() -> Self {
        CallTimeouts {
            total: DEFAULT_TOTAL_TIMEOUT,
            silence: DEFAULT_SILENCE_TIMEOUT,
        }
    }
}

/// Bounds for one call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The most tokens the model may write (thinking tokens count too on models that think).
    pub max_output_tokens: u32,
    /// The whole call: connect, send, wait, read. Clients that stream with a silence limit
    /// (local servers) do not apply it; those from `discovery::client_for` replace it with the
    /// Settings deadline.
    pub timeout: Duration,
    /// Sent only when set: reasoning models reject it.
    pub temperature: Option<f32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output_tokens: 4096,
            timeout: Duration::from_secs(120),
            temperature: None,
        }
    }
}

/// One structured call: system and conversation messages, the schema the answer must match,
/// and limits.
#[derive(Debug, Clone)]
pub struct StructuredRequest {
    pub messages: Vec<Message>,
    pub schema: OutputSchema,
    pub limits: Limits,
}

impl StructuredRequest {
    pub fn new(schema: OutputSchema) -> Self {
        StructuredRequest {
            messages: Vec::new(),
            schema,
            limits: Limits::default(),
        }
    }

    pub fn system(mut self, content: impl Into<String>) -> Self {
        self.messages.push(Message::system(content));
        self
    }

    pub fn user(mut self, content: impl Into<String>) -> Self {
        self.messages.push(Message::user(content));
        self
    }

    pub fn assistant(mut self, content: impl Into<String>) -> Self {
        self.messages.push(Message::assistant(content));
        self
    }

    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// All system messages joined by blank lines, for providers that take one system text.
    pub(crate) fn system_text(&self) -> Option<String> {
        let parts: Vec<&str> = self
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join("\n\n"))
        }
    }

    /// The user and assistant turns, in order.
    pub(crate) fn turns(&self) -> impl Iterator<Item = &Message> {
        self.messages.iter().filter(|m| m.role != Role::System)
    }
}
