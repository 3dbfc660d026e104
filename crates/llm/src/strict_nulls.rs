//! Undoing OpenAI strict mode's nulls before validating against the original schema.
//!
//! Strict mode makes every property required, so an optional property `p: T` is sent as
//! `p: T | null` and the model writes `"p": null` when it has nothing. The original schema
//! rejects that null. Removing *every* null would be wrong too: a property the original
//! declares nullable (`["string", "null"]`), required or not, means something by its null.
//!
//! So a null is removed exactly where the transform introduced it: on an object member that
//! the original schema declares, does not require, and whose declared schema rejects null.
//! The walk follows the value and the original schema together, through `$ref`, `allOf`, and
//! the `anyOf`/`oneOf` branches whose type fits the value. Where branches disagree, the null
//! stays and validation reports it.

use serde_json::Value;

use crate::schema_transform::{is_object_typed, resolve};

const MAX_DEPTH: usize = 64;

/// Removes the nulls strict mode introduced from `value`, per the original `schema`.
pub(crate) fn strip_introduced_nulls(value: &mut Value, schema: &Value) {
    strip(value, &[schema], schema, 0);
}

fn strip(value: &mut Value, schemas: &[&Value], root: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut nodes = Vec::new();
    for schema in schemas {
        applicable(schema, value, root, &mut nodes, depth);
    }
    match value {
        Value::Object(members) => {
            let keys: Vec<String> = members.keys().cloned().collect();
            for key in keys {
                let declared: Vec<&Value> = nodes
                    .iter()
                    .filter_map(|n| n.get("properties").and_then(|p| p.get(&key)))
                    .collect();
                if declared.is_empty() {
                    continue;
                }
                let Some(member) = members.get_mut(&key) else {
                    continue;
                };
                if member.is_null() {
                    let required = nodes.iter().any(|n| {
                        n.get("required")
                            .and_then(Value::as_array)
                            .is_some_and(|r| r.iter().any(|k| k == key.as_str()))
                    });
                    if !required && declared.iter().all(|s| !accepts_null(s, root, 0)) {
                        members.remove(&key);
                    }
                } else {
                    strip(member, &declared, root, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                let item_schemas: Vec<&Value> = nodes
                    .iter()
                    .filter_map(|n| {
                        n.get("prefixItems")
                            .and_then(|p| p.get(index))
                            .or_else(|| n.get("items").filter(|i| i.is_object()))
                    })
                    .collect();
                if !item_schemas.is_empty() {
                    strip(item, &item_schemas, root, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Every schema object that applies to `value`: the node, what its `$ref` points to, every
/// `allOf` branch, and the `anyOf`/`oneOf` branches whose type fits.
fn applicable<'a>(
    schema: &'a Value,
    value: &Value,
    root: &'a Value,
    out: &mut Vec<&'a Value>,
    depth: usize,
) {
    if depth > MAX_DEPTH || !schema.is_object() {
        return;
    }
    out.push(schema);
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(root, r))
    {
        applicable(target, value, root, out, depth + 1);
    }
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        for branch in branches {
            applicable(branch, value, root, out, depth + 1);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            for branch in branches {
                if fits(branch, value, root, depth + 1) {
                    applicable(branch, value, root, out, depth + 1);
                }
            }
        }
    }
}

/// Whether a branch could describe this value, judged by type, `enum` and `const` only.
fn fits(schema: &Value, value: &Value, root: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let Value::Object(obj) = schema else {
        return schema.as_bool().unwrap_or(false);
    };
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(root, r))
    {
        if !fits(target, value, root, depth + 1) {
            return false;
        }
    }
    if let Some(c) = obj.get("const") {
        return c == value;
    }
    if let Some(Value::Array(values)) = obj.get("enum") {
        return values.contains(value);
    }
    match obj.get("type") {
        Some(Value::String(t)) => type_fits(t, value),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| type_fits(t, value)),
        _ if is_object_typed(obj) => value.is_object(),
        _ if obj.contains_key("items") => value.is_array(),
        _ => true,
    }
}

fn type_fits(t: &str, value: &Value) -> bool {
    match t {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => false,
    }
}

/// Whether the schema accepts `null`, per the keywords that can reject it.
fn accepts_null(schema: &Value, root: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    let Value::Object(obj) = schema else {
        return schema.as_bool().unwrap_or(true);
    };
    if let Some(target) = obj
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(root, r))
    {
        if !accepts_null(target, root, depth + 1) {
            return false;
        }
    }
    match obj.get("type") {
        Some(Value::String(t)) if t != "null" => return false,
        Some(Value::Array(ts)) if !ts.iter().any(|t| t == "null") => return false,
        _ => {}
    }
    if obj.get("const").is_some_and(|c| !c.is_null()) {
        return false;
    }
    if obj
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.contains(&Value::Null))
    {
        return false;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = obj.get(key) {
            if !branches.iter().any(|b| accepts_null(b, root, depth + 1)) {
                return false;
            }
        }
    }
    if let Some(Value::Array(branches)) = obj.get("allOf") {
        if !branches.iter().all(|b| accepts_null(b, root, depth + 1)) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output_schema::OutputSchema;
    use crate::schema_transform;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "nickname": {"type": "string"},
                "middle_name": {"type": ["string", "null"]},
                "fax": {"type": ["string", "null"]},
                "company": {"$ref": "#/$defs/Company"},
                "contacts": {"type": "array", "items": {"$ref": "#/$defs/Contact"}},
                "channel": {"anyOf": [
                    {"type": "object", "properties": {"email": {"type": "string"}, "verified": {"type": "boolean"}}, "required": ["email"]},
                    {"type": "object", "properties": {"phone": {"type": "string"}}, "required": ["phone"]}
                ]}
            },
            "required": ["name", "fax", "company"],
            "$defs": {
                "Company": {"type": "object", "properties": {"domain": {"type": "string"}, "size": {"type": "integer"}}, "required": ["domain"]},
                "Contact": {"type": "object", "properties": {"role": {"type": "string", "enum": ["buyer", "user"]}}}
            }
        })
    }

    #[test]
    fn removes_only_the_nulls_strict_mode_introduced() {
        let original = schema();
        let mut value = json!({
            "name": "Ada",
            "nickname": null,
            "middle_name": null,
            "fax": null,
            "company": {"domain": "acme.com", "size": null},
            "contacts": [{"role": null}, {"role": "buyer"}],
            "channel": {"email": "a@acme.com", "verified": null}
        });
        strip_introduced_nulls(&mut value, &original);
        assert_eq!(
            value,
            json!({
                "name": "Ada",
                // optional and nullable in the original: the null means something, kept
                "middle_name": null,
                // required and nullable: kept
                "fax": null,
                "company": {"domain": "acme.com"},
                "contacts": [{}, {"role": "buyer"}],
                "channel": {"email": "a@acme.com"}
            })
        );
        let full = OutputSchema::new("lead", original).unwrap();
        assert!(
            full.validate(&value).is_empty(),
            "{:?}",
            full.validate(&value)
        );
    }

    #[test]
    fn a_null_for_a_required_non_nullable_property_stays_and_fails_validation() {
        let original = schema();
        let mut value = json!({"name": null, "fax": null, "company": {"domain": "a.com"}});
        strip_introduced_nulls(&mut value, &original);
        assert_eq!(value["name"], Value::Null);
        let full = OutputSchema::new("lead", original).unwrap();
        let violations = full.validate(&value);
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].instance_path, "/name");
    }

    #[test]
    fn strict_round_trip_accepts_what_the_strict_schema_allows() {
        // Every answer valid under the strict schema, once stripped, is valid under the
        // original: check it on an answer with every optional property null.
        let original = schema();
        let strict = schema_transform::openai(&original).schema;
        let strict_validator = OutputSchema::new("strict", strict).unwrap();
        let mut answer = json!({
            "name": "Ada", "nickname": null, "middle_name": null, "fax": "+1 555",
            "company": {"domain": "acme.com", "size": null},
            "contacts": null,
            "channel": null
        });
        assert!(strict_validator.validate(&answer).is_empty());
        let full = OutputSchema::new("lead", original.clone()).unwrap();
        assert!(!full.validate(&answer).is_empty());
        strip_introduced_nulls(&mut answer, &original);
        assert!(
            full.validate(&answer).is_empty(),
            "{:?}",
            full.validate(&answer)
        );
    }
}
