//! The schema an answer must match, compiled once for local validation.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::error::SchemaViolation;

/// Why a schema cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("schema name `{0}` must be 1-64 characters of a-z, A-Z, 0-9, `_` or `-`")]
    InvalidName(String),
    #[error("the schema must be a JSON object")]
    NotAnObject,
    #[error("the schema does not compile: {0}")]
    Invalid(String),
}

/// A named JSON Schema. Providers get a version of it they can enforce; the answer is always
/// validated locally against this full schema (formats included).
#[derive(Clone)]
pub struct OutputSchema {
    name: String,
    description: Option<String>,
    schema: Value,
    validator: Arc<jsonschema::Validator>,
}

impl OutputSchema {
    /// `name` is sent to providers that want one (OpenAI's `json_schema.name`, the Anthropic
    /// tool name), so it follows their shared rule: `^[a-zA-Z0-9_-]{1,64}$`.
    pub fn new(name: impl Into<String>, schema: Value) -> Result<Self, SchemaError> {
        let name = name.into();
        let name_ok = (1..=64).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(SchemaError::InvalidName(name));
        }
        if !schema.is_object() {
            return Err(SchemaError::NotAnObject);
        }
        // Formats are asserted: the provider versions of the schema may drop `format`, so
        // this is the only place an `email` or `date` is checked.
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| SchemaError::Invalid(e.to_string()))?;
        Ok(OutputSchema {
            name,
            description: None,
            schema,
            validator: Arc::new(validator),
        })
    }

    /// A description some providers pass to the model with the schema.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The full schema as given.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Every violation of the full schema, each with the answer's JSON Pointer; empty when
    /// the value is valid.
    pub fn validate(&self, value: &Value) -> Vec<SchemaViolation> {
        self.validator
            .iter_errors(value)
            .map(|e| SchemaViolation {
                instance_path: e.instance_path().to_string(),
                message: e.to_string(),
            })
            .collect()
    }
}

impl fmt::Debug for OutputSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputSchema")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_names_providers_would_reject() {
        assert!(matches!(
            OutputSchema::new("has space", json!({})),
            Err(SchemaError::InvalidName(_))
        ));
        assert!(matches!(
            OutputSchema::new("", json!({})),
            Err(SchemaError::InvalidName(_))
        ));
        assert!(OutputSchema::new("company_facts-v2", json!({})).is_ok());
    }

    #[test]
    fn rejects_schemas_that_do_not_compile() {
        let err = OutputSchema::new("x", json!({"type": "no-such-type"})).unwrap_err();
        assert!(matches!(err, SchemaError::Invalid(_)), "{err:?}");
        assert_eq!(
            OutputSchema::new("x", json!(true)).unwrap_err(),
            SchemaError::NotAnObject
        );
    }

    #[test]
    fn violations_carry_instance_paths() {
        let schema = OutputSchema::new(
            "order",
            json!({
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"price": {"type": "number", "minimum": 0}},
                        "required": ["price"]
                    }},
                    "email": {"type": "string", "format": "email"}
                },
                "required": ["items"]
            }),
        )
        .unwrap();
        let violations = schema.validate(&json!({
            "items": [{"price": 1}, {"price": -2}],
            "email": "not an email"
        }));
        let mut paths: Vec<&str> = violations
            .iter()
            .map(|v| v.instance_path.as_str())
            .collect();
        paths.sort();
        assert_eq!(paths, vec!["/email", "/items/1/price"]);
        assert!(schema
            .validate(&json!({"items": [], "email": "a@b.co"}))
            .is_empty());
    }
}
