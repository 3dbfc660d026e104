//! The version of a caller's schema each provider is sent.
//!
//! Providers enforce different subsets of JSON Schema, and some reject a request that uses a
//! keyword they do not support. So each gets a rewritten copy; the caller's full schema is
//! still what the answer is validated against, locally. Constraints a provider cannot take
//! are moved into the `description` as a hint to the model (as Anthropic's own SDK does), so
//! the model still sees them even where the API cannot enforce them.

use serde_json::{json, Map, Value};

/// Key of the wrapper object used when a provider needs an object at the root.
pub(crate) const WRAP_KEY: &str = "value";

/// Schemas nest; a hostile or cyclic one must not recurse forever.
const MAX_DEPTH: usize = 64;

/// A provider-ready schema and what was done to it, so the answer can be mapped back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    pub schema: Value,
    /// The answer arrives as `{"value": <answer>}` and must be unwrapped.
    pub wrapped: bool,
    /// Optional properties were made required-but-nullable (OpenAI strict mode); nulls the
    /// model wrote for them must be removed before validating against the original schema.
    pub nulls_added: bool,
    /// OpenAI's `strict` flag: false when the schema needs something strict mode cannot
    /// express (free-form maps, open objects), so the model is only guided by it.
    pub strict: bool,
}

/// OpenAI Chat Completions `response_format.json_schema` with `strict: true`: the root is an
/// object, every object is closed, every property is required (optional ones become
/// `T | null`), `oneOf` becomes `anyOf`, `allOf` is merged, `$ref` with siblings is inlined,
/// and only the keywords strict mode has always accepted are kept.
pub(crate) fn openai(original: &Value) -> Prepared {
    let wrapped = !is_object_root(original);
    let base = if wrapped {
        wrap(original)
    } else {
        original.clone()
    };
    if strict_compatible(&base, 0) {
        Prepared {
            schema: OPENAI_STRICT.apply(&base, &base, 0),
            wrapped,
            nulls_added: true,
            strict: true,
        }
    } else {
        Prepared {
            schema: without_meta(&base),
            wrapped,
            nulls_added: false,
            strict: false,
        }
    }
}

/// Local servers that turn the schema into a sampling grammar (llama.cpp, LM Studio, vLLM):
/// the caller's full schema, so `maxItems`, `maxLength`, `minItems`, `enum` and the rest bound
/// what the model can write as it writes it. Nothing is dropped into hints, no property made
/// nullable, and any root type is taken as it is.
pub(crate) fn grammar(original: &Value) -> Prepared {
    Prepared {
        schema: without_meta(original),
        wrapped: false,
        nulls_added: false,
        strict: true,
    }
}

/// Whether every object in the schema can be closed (`additionalProperties: false`) without
/// changing what it means: no free-form maps, no open objects, no unconstrained parts.
/// OpenAI strict mode and Anthropic structured outputs both require closed objects.
pub(crate) fn closable(schema: &Value) -> bool {
    strict_compatible(schema, 0)
}

/// Anthropic `output_config.format.schema`: closed objects, no numeric or length bounds,
/// string formats from its supported list, `minItems` only 0 or 1.
pub(crate) fn anthropic_output(original: &Value) -> Prepared {
    let wrapped = !is_object_root(original);
    let base = if wrapped {
        wrap(original)
    } else {
        original.clone()
    };
    Prepared {
        schema: ANTHROPIC.apply(&base, &base, 0),
        wrapped,
        nulls_added: false,
        strict: true,
    }
}

/// Anthropic forced-tool `input_schema`: tools take ordinary JSON Schema, but a tool's input
/// is always an object.
pub(crate) fn anthropic_tool(original: &Value) -> Prepared {
    let wrapped = !is_object_root(original);
    let base = if wrapped {
        wrap(original)
    } else {
        original.clone()
    };
    Prepared {
        schema: without_meta(&base),
        wrapped,
        nulls_added: false,
        strict: false,
    }
}

/// Gemini `generationConfig.responseJsonSchema`: the documented subset (types, properties,
/// items, prefixItems, enum, anyOf, $ref/$defs, min/max, minItems/maxItems, date formats).
pub(crate) fn gemini(original: &Value) -> Value {
    GEMINI.apply(original, original, 0)
}

/// Ollama `format`: the bare schema; its grammar converter takes the rest.
pub(crate) fn ollama(original: &Value) -> Value {
    without_meta(original)
}

struct Rules {
    close_objects: bool,
    require_all: bool,
    inline_ref_siblings: bool,
    const_to_enum: bool,
    keeps: fn(&str, &Value) -> bool,
}

const OPENAI_STRICT: Rules = Rules {
    close_objects: true,
    require_all: true,
    inline_ref_siblings: true,
    const_to_enum: false,
    keeps: |k, _| {
        matches!(
            k,
            "type"
                | "properties"
                | "required"
                | "additionalProperties"
                | "items"
                | "enum"
                | "const"
                | "anyOf"
                | "$ref"
                | "$defs"
                | "definitions"
                | "description"
                | "title"
        )
    },
};

const ANTHROPIC: Rules = Rules {
    close_objects: true,
    require_all: false,
    inline_ref_siblings: false,
    const_to_enum: false,
    keeps: |k, v| match k {
        "type"
        | "properties"
        | "required"
        | "additionalProperties"
        | "items"
        | "enum"
        | "const"
        | "anyOf"
        | "$ref"
        | "$defs"
        | "definitions"
        | "description"
        | "title"
        | "default" => true,
        "format" => matches!(
            v.as_str(),
            Some(
                "date-time"
                    | "time"
                    | "date"
                    | "duration"
                    | "email"
                    | "hostname"
                    | "uri"
                    | "ipv4"
                    | "ipv6"
                    | "uuid"
            )
        ),
        "minItems" => matches!(v.as_u64(), Some(0 | 1)),
        _ => false,
    },
};

const GEMINI: Rules = Rules {
    close_objects: false,
    require_all: false,
    inline_ref_siblings: false,
    const_to_enum: true,
    keeps: |k, v| match k {
        "type"
        | "properties"
        | "required"
        | "additionalProperties"
        | "items"
        | "prefixItems"
        | "enum"
        | "anyOf"
        | "$ref"
        | "$defs"
        | "definitions"
        | "$id"
        | "$anchor"
        | "description"
        | "title"
        | "minimum"
        | "maximum"
        | "minItems"
        | "maxItems"
        | "propertyOrdering" => true,
        "format" => matches!(v.as_str(), Some("date-time" | "date" | "time")),
        _ => false,
    },
};

/// Dropped keywords worth telling the model about (the rest are metadata).
const HINTED: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "default",
];

impl Rules {
    fn apply(&self, node: &Value, root: &Value, depth: usize) -> Value {
        let Value::Object(source) = node else {
            return node.clone();
        };
        if depth > MAX_DEPTH {
            return node.clone();
        }
        let mut obj = source.clone();

        if self.inline_ref_siblings && obj.len() > 1 {
            let target = obj
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| resolve(root, r));
            if let Some(Value::Object(target)) = target {
                let mut merged = target.clone();
                for (k, v) in obj {
                    if k != "$ref" {
                        merged.insert(k, v);
                    }
                }
                obj = merged;
            }
        }

        if let Some(Value::Array(branches)) = obj.remove("allOf") {
            for branch in branches {
                let branch = match branch.get("$ref").and_then(Value::as_str) {
                    Some(r) => resolve(root, r).cloned().unwrap_or(branch),
                    None => branch,
                };
                merge_into(&mut obj, branch);
            }
        }

        if let Some(one_of) = obj.remove("oneOf") {
            obj.entry("anyOf").or_insert(one_of);
        }

        if self.const_to_enum {
            if let Some(c) = obj.remove("const") {
                obj.insert("enum".into(), json!([c]));
            }
        }

        let object_typed = is_object_typed(&obj);
        let declared_required = string_set(obj.get("required"));
        let mut out = Map::new();
        let mut hints = Map::new();
        for (key, value) in obj {
            if !(self.keeps)(&key, &value) {
                if HINTED.contains(&key.as_str()) {
                    hints.insert(key, value);
                }
                continue;
            }
            let value = match key.as_str() {
                "properties" | "$defs" | "definitions" => match value {
                    Value::Object(map) => Value::Object(
                        map.into_iter()
                            .map(|(k, s)| (k, self.apply(&s, root, depth + 1)))
                            .collect(),
                    ),
                    other => other,
                },
                "items" | "additionalProperties" => match value {
                    Value::Array(list) => Value::Array(
                        list.iter()
                            .map(|s| self.apply(s, root, depth + 1))
                            .collect(),
                    ),
                    other => self.apply(&other, root, depth + 1),
                },
                "anyOf" | "prefixItems" => match value {
                    Value::Array(list) => Value::Array(
                        list.iter()
                            .map(|s| self.apply(s, root, depth + 1))
                            .collect(),
                    ),
                    other => other,
                },
                _ => value,
            };
            out.insert(key, value);
        }

        if object_typed && self.close_objects {
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
        if object_typed && self.require_all {
            let mut names = Vec::new();
            if let Some(Value::Object(props)) = out.get_mut("properties") {
                for (name, schema) in props.iter_mut() {
                    if !declared_required.contains(name) {
                        make_nullable(schema);
                    }
                    names.push(Value::String(name.clone()));
                }
            }
            out.insert("required".into(), Value::Array(names));
        }
        if !hints.is_empty() {
            let hint = Value::Object(hints).to_string();
            let description = match out.get("description").and_then(Value::as_str) {
                Some(d) if !d.is_empty() => format!("{d}\n\n{hint}"),
                _ => hint,
            };
            out.insert("description".into(), Value::String(description));
        }
        Value::Object(out)
    }
}

/// `T` becomes `T | null`, in the form strict mode accepts.
fn make_nullable(schema: &mut Value) {
    let Value::Object(obj) = schema else {
        return;
    };
    let type_allows_null = match obj.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    let enum_allows_null = obj
        .get("enum")
        .and_then(Value::as_array)
        .is_none_or(|e| e.contains(&Value::Null));
    let any_of_allows_null = obj
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|branches| {
            branches
                .iter()
                .any(|b| b.get("type") == Some(&json!("null")))
        });
    if (type_allows_null && enum_allows_null) || any_of_allows_null {
        return;
    }
    let simple =
        !obj.contains_key("$ref") && !obj.contains_key("anyOf") && !obj.contains_key("const");
    match obj.get_mut("type") {
        Some(Value::String(t)) if simple => {
            let t = t.clone();
            obj.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(ts)) if simple => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
        }
        _ => {
            let inner = std::mem::take(schema);
            *schema = json!({"anyOf": [inner, {"type": "null"}]});
            return;
        }
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}

/// Whether strict mode can express this schema without changing what it accepts beyond
/// nullability: no free-form maps (`additionalProperties: {schema}`, `patternProperties`),
/// no open objects, no unconstrained `{}`/`true` sub-schemas.
fn strict_compatible(node: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let obj = match node {
        Value::Bool(accepts) => return !accepts,
        Value::Object(obj) => obj,
        _ => return false,
    };
    if obj.contains_key("patternProperties") {
        return false;
    }
    if matches!(
        obj.get("additionalProperties"),
        Some(Value::Object(_) | Value::Bool(true))
    ) {
        return false;
    }
    let structured = [
        "type",
        "$ref",
        "anyOf",
        "oneOf",
        "allOf",
        "enum",
        "const",
        "properties",
        "items",
    ]
    .iter()
    .any(|k| obj.contains_key(*k));
    if !structured {
        return false;
    }
    let composed = ["$ref", "anyOf", "oneOf", "allOf"]
        .iter()
        .any(|k| obj.contains_key(*k));
    if is_object_typed(obj) && !obj.contains_key("properties") && !composed {
        return false;
    }
    let maps = ["properties", "$defs", "definitions"];
    let maps_ok = maps.iter().all(|k| match obj.get(*k) {
        Some(Value::Object(m)) => m.values().all(|s| strict_compatible(s, depth + 1)),
        _ => true,
    });
    let lists = ["anyOf", "oneOf", "allOf", "prefixItems"];
    let lists_ok = lists.iter().all(|k| match obj.get(*k) {
        Some(Value::Array(l)) => l.iter().all(|s| strict_compatible(s, depth + 1)),
        _ => true,
    });
    let items_ok = match obj.get("items") {
        Some(Value::Array(l)) => l.iter().all(|s| strict_compatible(s, depth + 1)),
        Some(s) => strict_compatible(s, depth + 1),
        None => true,
    };
    maps_ok && lists_ok && items_ok
}

fn merge_into(obj: &mut Map<String, Value>, branch: Value) {
    let Value::Object(branch) = branch else {
        return;
    };
    for (key, value) in branch {
        match (key.as_str(), obj.get_mut(&key), value) {
            ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                for (k, v) in theirs {
                    mine.entry(k).or_insert(v);
                }
            }
            ("required", Some(Value::Array(mine)), Value::Array(theirs)) => {
                for v in theirs {
                    if !mine.contains(&v) {
                        mine.push(v);
                    }
                }
            }
            (_, Some(_), _) => {}
            (_, None, value) => {
                obj.insert(key, value);
            }
        }
    }
}

/// `{"type": "object", "properties": {"value": <schema>}}`, with `$defs` hoisted to the new
/// root so `#/$defs/...` references still resolve.
fn wrap(original: &Value) -> Value {
    let mut inner = without_meta(original);
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    if let Value::Object(inner_obj) = &mut inner {
        for defs in ["$defs", "definitions"] {
            if let Some(d) = inner_obj.remove(defs) {
                root.insert(defs.into(), d);
            }
        }
    }
    root.insert("properties".into(), json!({ WRAP_KEY: inner }));
    root.insert("required".into(), json!([WRAP_KEY]));
    root.insert("additionalProperties".into(), json!(false));
    Value::Object(root)
}

fn without_meta(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(obj) = &mut schema {
        obj.remove("$schema");
    }
    schema
}

fn is_object_root(schema: &Value) -> bool {
    schema.get("type") == Some(&json!("object"))
}

pub(crate) fn is_object_typed(obj: &Map<String, Value>) -> bool {
    match obj.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        None => obj.contains_key("properties"),
        _ => false,
    }
}

/// A local `$ref` (`#/$defs/Name`, `#`); remote references were refused when the schema
/// compiled.
pub(crate) fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

fn string_set(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead_schema() -> Value {
        json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Lead",
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "email": {"type": "string", "format": "email", "description": "Work email"},
                "size": {"type": "string", "enum": ["small", "large"]},
                "score": {"type": "integer", "minimum": 0, "maximum": 100, "default": 50},
                "company": {"$ref": "#/$defs/Company", "description": "Employer"},
                "kind": {"oneOf": [{"const": "person"}, {"const": "team"}]},
                "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}}
            },
            "required": ["name", "size"],
            "$defs": {
                "Company": {
                    "type": "object",
                    "properties": {"domain": {"type": "string"}, "employees": {"type": ["integer", "null"]}},
                    "required": ["domain"]
                }
            }
        })
    }

    #[test]
    fn grammar_servers_get_every_bound_the_caller_wrote() {
        let bounded = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "required": ["facts"],
            "properties": {"facts": {
                "type": "array", "minItems": 1, "maxItems": 8,
                "items": {"type": "object", "required": ["value"], "properties": {
                    "value": {"type": "string", "maxLength": 80},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "rank": {"type": "integer", "minimum": 1, "maximum": 5}
                }}
            }}
        });
        let prepared = grammar(&bounded);
        assert!(prepared.strict && !prepared.nulls_added && !prepared.wrapped);
        let mut expected = bounded.clone();
        expected.as_object_mut().unwrap().remove("$schema");
        assert_eq!(prepared.schema, expected);
        // OpenAI's strict subset, by contrast, moves the same bounds into hints.
        let strict = openai(&bounded).schema;
        assert!(strict["properties"]["facts"].get("maxItems").is_none());
        // A non-object root goes as it is: grammar servers need no wrapper.
        assert_eq!(
            grammar(&json!({"type": "array"})).schema,
            json!({"type": "array"})
        );
    }

    #[test]
    fn openai_strict_closes_objects_and_requires_every_property() {
        let prepared = openai(&lead_schema());
        assert!(prepared.strict && prepared.nulls_added && !prepared.wrapped);
        let s = &prepared.schema;
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(
            s["required"],
            json!(["name", "email", "size", "score", "company", "kind", "tags"])
        );
        assert!(s.get("$schema").is_none());
        // Required stays as it was; optional becomes nullable.
        assert_eq!(s["properties"]["name"]["type"], json!("string"));
        assert_eq!(
            s["properties"]["size"],
            json!({"type": "string", "enum": ["small", "large"]})
        );
        assert_eq!(s["properties"]["email"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["score"]["type"], json!(["integer", "null"]));
        // Nested definitions are closed and made strict too; an already-nullable optional
        // property keeps its type.
        let company = &s["$defs"]["Company"];
        assert_eq!(company["additionalProperties"], json!(false));
        assert_eq!(company["required"], json!(["domain", "employees"]));
        assert_eq!(
            company["properties"]["employees"]["type"],
            json!(["integer", "null"])
        );
    }

    #[test]
    fn openai_strict_drops_unsupported_keywords_into_the_description() {
        let s = openai(&lead_schema()).schema;
        let name = &s["properties"]["name"];
        assert!(name.get("minLength").is_none());
        assert_eq!(name["description"], json!("{\"minLength\":1}"));
        let email = &s["properties"]["email"];
        assert!(email.get("format").is_none());
        assert_eq!(
            email["description"],
            json!("Work email\n\n{\"format\":\"email\"}")
        );
        let score = &s["properties"]["score"];
        assert!(score.get("default").is_none() && score.get("minimum").is_none());
        assert!(s["properties"]["tags"]["items"].get("pattern").is_none());
    }

    #[test]
    fn openai_strict_turns_one_of_into_any_of_and_inlines_refs_with_siblings() {
        let s = openai(&lead_schema()).schema;
        let kind = &s["properties"]["kind"];
        // Optional, so the anyOf gains a null branch (wrapped, since it has no plain type).
        assert_eq!(
            kind,
            &json!({"anyOf": [
                {"anyOf": [{"const": "person"}, {"const": "team"}]},
                {"type": "null"}
            ]})
        );
        let company = &s["properties"]["company"];
        assert!(company.get("$ref").is_none());
        assert_eq!(company["description"], json!("Employer"));
        assert_eq!(company["type"], json!(["object", "null"]));
        assert_eq!(company["additionalProperties"], json!(false));
    }

    #[test]
    fn openai_merges_all_of() {
        let schema = json!({
            "type": "object",
            "allOf": [
                {"properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"$ref": "#/$defs/B"}
            ],
            "$defs": {"B": {"properties": {"b": {"type": "number"}}, "required": ["b"]}}
        });
        let s = openai(&schema).schema;
        assert!(s.get("allOf").is_none());
        assert_eq!(s["required"], json!(["a", "b"]));
        assert_eq!(s["properties"]["b"]["type"], json!("number"));
    }

    #[test]
    fn openai_wraps_a_non_object_root() {
        let schema = json!({
            "type": "array",
            "items": {"$ref": "#/$defs/P"},
            "$defs": {"P": {"type": "object", "properties": {"n": {"type": "string"}}, "required": ["n"]}}
        });
        let prepared = openai(&schema);
        assert!(prepared.wrapped && prepared.strict);
        let s = &prepared.schema;
        assert_eq!(s["type"], json!("object"));
        assert_eq!(s["required"], json!(["value"]));
        assert_eq!(s["properties"]["value"]["type"], json!("array"));
        assert_eq!(s["$defs"]["P"]["additionalProperties"], json!(false));
    }

    #[test]
    fn openai_falls_back_to_non_strict_for_free_form_maps() {
        let schema = json!({
            "type": "object",
            "properties": {
                "scores": {"type": "object", "additionalProperties": {"type": "number"}}
            },
            "required": ["scores"]
        });
        let prepared = openai(&schema);
        assert!(!prepared.strict && !prepared.nulls_added);
        assert_eq!(prepared.schema, schema);

        let open = json!({"type": "object", "properties": {"extra": {"type": "object"}}});
        assert!(!openai(&open).strict);
        let anything = json!({"type": "object", "properties": {"extra": {}}});
        assert!(!openai(&anything).strict);
    }

    #[test]
    fn anthropic_keeps_optional_properties_and_drops_bounds() {
        let prepared = anthropic_output(&lead_schema());
        let s = &prepared.schema;
        assert!(!prepared.nulls_added && !prepared.wrapped);
        assert_eq!(s["required"], json!(["name", "size"]));
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["email"]["format"], json!("email"));
        assert_eq!(s["properties"]["score"]["default"], json!(50));
        assert!(s["properties"]["score"].get("minimum").is_none());
        assert_eq!(
            s["properties"]["score"]["description"],
            json!("{\"minimum\":0,\"maximum\":100}")
        );
        assert_eq!(s["properties"]["company"]["$ref"], json!("#/$defs/Company"));
        assert_eq!(s["$defs"]["Company"]["additionalProperties"], json!(false));
        assert!(s["properties"]["kind"].get("anyOf").is_some());
    }

    #[test]
    fn anthropic_leaves_an_already_conforming_schema_unchanged() {
        // The schema the Anthropic SDK sent in the recorded exchange.
        let recorded = json!({
            "type": "object",
            "title": "OrderItem",
            "properties": {
                "product_name": {"type": "string", "title": "Product Name"},
                "price": {"type": "number", "title": "Price"},
                "quantity": {"type": "integer", "title": "Quantity"}
            },
            "additionalProperties": false,
            "required": ["product_name", "price", "quantity"]
        });
        assert_eq!(anthropic_output(&recorded).schema, recorded);
    }

    #[test]
    fn gemini_gets_its_subset() {
        let s = gemini(&lead_schema());
        assert!(s.get("$schema").is_none());
        assert!(s.get("additionalProperties").is_none());
        assert_eq!(s["required"], json!(["name", "size"]));
        assert_eq!(s["properties"]["score"]["minimum"], json!(0));
        assert!(s["properties"]["email"].get("format").is_none());
        assert_eq!(
            s["properties"]["kind"]["anyOf"],
            json!([{"enum": ["person"]}, {"enum": ["team"]}])
        );
        // Gemini takes a bare array root.
        let array = json!({"type": "array", "items": {"type": "string"}, "maxItems": 3});
        assert_eq!(gemini(&array), array);
    }

    #[test]
    fn anthropic_tool_input_is_always_an_object() {
        let schema = json!({"$schema": "x", "type": "array", "items": {"type": "string"}});
        let tool = anthropic_tool(&schema);
        assert!(tool.wrapped);
        assert_eq!(
            tool.schema,
            json!({
                "type": "object",
                "properties": {"value": {"type": "array", "items": {"type": "string"}}},
                "required": ["value"],
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn maps_and_open_objects_are_not_closable() {
        assert!(closable(&lead_schema()));
        let map = json!({"type": "object", "additionalProperties": {"type": "number"}});
        assert!(!closable(&map));
        let nested_open = json!({"type": "object", "properties": {"meta": {"type": "object"}}});
        assert!(!closable(&nested_open));
    }

    #[test]
    fn ollama_and_tool_mode_get_the_schema_as_is() {
        let mut expected = lead_schema();
        expected.as_object_mut().unwrap().remove("$schema");
        assert_eq!(ollama(&lead_schema()), expected);
        let tool = anthropic_tool(&lead_schema());
        assert!(!tool.wrapped);
        assert_eq!(tool.schema, expected);
    }
}
