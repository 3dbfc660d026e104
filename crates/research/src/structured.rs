//! schema.org organisations, businesses and people a page describes about itself, read from
//! JSON-LD, microdata and RDFa alike: microdata and RDFa items are first turned into the same
//! JSON shape JSON-LD has, so one reader picks the fields from all three.

use dom_query::{Document, NodeRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Entities kept per page, and how deep nested items are followed.
const MAX_ENTITIES: usize = 20;
const MAX_DEPTH: usize = 24;
/// Items (microdata or RDFa) read per page.
const MAX_ITEMS: usize = 200;

/// The schema.org types read as an organisation, a business or a person (the common subtypes
/// of Organization and LocalBusiness included).
const KINDS: &[&str] = &[
    "Organization",
    "Corporation",
    "LocalBusiness",
    "Person",
    "OnlineBusiness",
    "OnlineStore",
    "NewsMediaOrganization",
    "EducationalOrganization",
    "CollegeOrUniversity",
    "NGO",
    "GovernmentOrganization",
    "MedicalOrganization",
    "ResearchOrganization",
    "SportsOrganization",
    "PerformingGroup",
    "MusicGroup",
    "Airline",
    "Consortium",
    "WorkersUnion",
    "Store",
    "Restaurant",
    "FoodEstablishment",
    "ProfessionalService",
    "LegalService",
    "Attorney",
    "AccountingService",
    "FinancialService",
    "AutomotiveBusiness",
    "HomeAndConstructionBusiness",
    "HealthAndBeautyBusiness",
    "LodgingBusiness",
    "Hotel",
    "RealEstateAgent",
    "TravelAgency",
    "EmploymentAgency",
    "Dentist",
    "Physician",
    "MedicalClinic",
    "Bakery",
    "CafeOrCoffeeShop",
    "BarOrPub",
    "ClothingStore",
    "ElectronicsStore",
    "InsuranceAgency",
    "Brewery",
    "Winery",
];

/// Whether a schema.org type name is one read as an organisation, business or person.
pub fn is_entity_kind(name: &str) -> bool {
    KINDS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(type_name(name)))
}

/// Where an entity was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    JsonLd,
    Microdata,
    Rdfa,
}

/// An organisation, business or person as the page's markup states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// The schema.org type (`Organization`, `Restaurant`, `Person`...).
    pub kind: String,
    pub syntax: Syntax,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub same_as: Vec<String>,
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub telephone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub founding_date: Option<String>,
    #[serde(default)]
    pub number_of_employees: Option<String>,
    #[serde(default)]
    pub founder: Vec<String>,
}

impl Entity {
    /// A person is not the company; an organisation or business is.
    pub fn is_organisation(&self) -> bool {
        self.kind != "Person"
    }
}

/// The entities in parsed JSON-LD blocks, microdata and RDFa of `doc`.
pub fn entities(doc: &Document, jsonld: &[Value]) -> Vec<Entity> {
    let mut out = Vec::new();
    for value in jsonld {
        collect(value, Syntax::JsonLd, &mut out, 0);
    }
    for item in items(doc, "itemscope", "itemtype", "itemprop") {
        collect(&item, Syntax::Microdata, &mut out, 0);
    }
    for item in items(doc, "typeof", "typeof", "property") {
        collect(&item, Syntax::Rdfa, &mut out, 0);
    }
    out
}

/// The schema.org type name of a type value: `http://schema.org/Restaurant`, `schema:Person`
/// and `Organization` all give the last part.
fn type_name(t: &str) -> &str {
    let t = t.trim();
    t.rsplit(['/', '#', ':']).next().unwrap_or(t)
}

fn types(map: &Map<String, Value>) -> Vec<String> {
    match map.get("@type").or_else(|| map.get("type")) {
        Some(Value::String(t)) => t
            .split_whitespace()
            .map(|t| type_name(t).to_owned())
            .collect(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(|t| type_name(t).to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

fn collect(value: &Value, syntax: Syntax, out: &mut Vec<Entity>, depth: usize) {
    if depth > MAX_DEPTH || out.len() >= MAX_ENTITIES {
        return;
    }
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect(v, syntax, out, depth + 1)),
        Value::Object(map) => {
            // extruct's shape keeps microdata properties under `properties`.
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p,
                _ => map,
            };
            let kind = types(map)
                .into_iter()
                .find(|t| KINDS.iter().any(|k| k.eq_ignore_ascii_case(t)));
            if let Some(kind) = kind {
                let entity = entity(kind, syntax, props);
                let known = out
                    .iter_mut()
                    .find(|e| e.kind == entity.kind && e.name == entity.name);
                match known {
                    Some(known) => merge(known, entity),
                    None => out.push(entity),
                }
            }
            for (key, v) in props {
                // A sameAs or url is never an entity; everything else may hold one
                // (`publisher`, `author`, `@graph`, `mainEntity`...).
                if !matches!(key.as_str(), "sameAs" | "url" | "@context" | "@id") {
                    collect(v, syntax, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

fn merge(known: &mut Entity, more: Entity) {
    macro_rules! fill {
        ($($f:ident),*) => { $( if known.$f.is_none() { known.$f = more.$f; } )* };
    }
    fill!(
        description,
        url,
        logo,
        telephone,
        email,
        address,
        founding_date,
        number_of_employees
    );
    for s in more.same_as {
        if !known.same_as.contains(&s) {
            known.same_as.push(s);
        }
    }
    for f in more.founder {
        if !known.founder.contains(&f) {
            known.founder.push(f);
        }
    }
}

fn squash(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty() && s.chars().count() <= 2_000).then_some(s)
}

/// A text value: a string, a number, the first of a list, or an object's name.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => squash(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => items.iter().find_map(|v| text(Some(v))),
        Value::Object(map) => {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p,
                _ => map,
            };
            text(props.get("name")).or_else(|| text(props.get("@value")))
        }
        _ => None,
    }
}

/// A link value: a string, an object's `url`, `contentUrl` or `@id`.
fn link(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => squash(s),
        Value::Array(items) => items.iter().find_map(|v| link(Some(v))),
        Value::Object(map) => {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p,
                _ => map,
            };
            link(props.get("url"))
                .or_else(|| link(props.get("contentUrl")))
                .or_else(|| link(props.get("@id")))
        }
        _ => None,
    }
}

fn texts(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(other).into_iter().collect(),
    }
}

fn links(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| link(Some(v))).collect(),
        other => link(other).into_iter().collect(),
    }
}

/// A postal address as one line, or a plain-text address as written.
pub(crate) fn address_line(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => squash(s),
        Value::Array(items) => items.iter().find_map(address_line),
        Value::Object(map) => {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p,
                _ => map,
            };
            let line: Vec<String> = [
                "streetAddress",
                "postalCode",
                "addressLocality",
                "addressRegion",
                "addressCountry",
            ]
            .iter()
            .filter_map(|k| text(props.get(*k)))
            .collect();
            (!line.is_empty()).then(|| line.join(", "))
        }
        _ => None,
    }
}

fn employees(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Object(map) => {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p,
                _ => map,
            };
            text(props.get("value")).or_else(|| {
                match (text(props.get("minValue")), text(props.get("maxValue"))) {
                    (Some(min), Some(max)) => Some(format!("{min}-{max}")),
                    (Some(min), None) => Some(format!("{min}+")),
                    (None, Some(max)) => Some(format!("up to {max}")),
                    (None, None) => None,
                }
            })
        }
        other => text(Some(other)),
    }
}

fn entity(kind: String, syntax: Syntax, props: &Map<String, Value>) -> Entity {
    let get = |k: &str| props.get(k);
    Entity {
        kind,
        syntax,
        name: text(get("name")).or_else(|| text(get("legalName"))),
        description: text(get("description")),
        url: link(get("url")),
        same_as: links(get("sameAs")),
        logo: link(get("logo")),
        telephone: text(get("telephone")),
        email: text(get("email")).map(|e| {
            e.trim_start_matches("mailto:")
                .trim_start_matches("MAILTO:")
                .to_owned()
        }),
        address: get("address").and_then(address_line),
        founding_date: text(get("foundingDate")),
        number_of_employees: employees(get("numberOfEmployees")),
        founder: texts(get("founder")),
    }
}

/// Microdata (`itemscope`/`itemtype`/`itemprop`) or RDFa (`typeof`/`property`) items of a
/// document that are not themselves a property of another item, each in JSON-LD's shape.
fn items(doc: &Document, scope: &str, kind: &str, prop: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut budget = MAX_ITEMS;
    for node in doc.select(&format!("[{scope}]")).nodes() {
        if node.has_attr(prop) || out.len() >= MAX_ENTITIES {
            continue;
        }
        out.push(item(node, kind, scope, prop, &mut budget, 0));
    }
    out
}

fn item(
    node: &NodeRef,
    kind: &str,
    scope: &str,
    prop: &str,
    budget: &mut usize,
    depth: usize,
) -> Value {
    *budget = budget.saturating_sub(1);
    let mut map = Map::new();
    if let Some(t) = node.attr(kind) {
        map.insert("@type".into(), Value::String(t.to_string()));
    }
    let mut props: Vec<(String, Value)> = Vec::new();
    for child in node.children() {
        properties(&child, kind, scope, prop, budget, depth + 1, &mut props);
    }
    for (name, value) in props {
        match map.get_mut(&name) {
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                map.insert(name, value);
            }
        }
    }
    Value::Object(map)
}

fn properties(
    node: &NodeRef,
    kind: &str,
    scope: &str,
    prop: &str,
    budget: &mut usize,
    depth: usize,
    out: &mut Vec<(String, Value)>,
) {
    if !node.is_element() || depth > MAX_DEPTH || *budget == 0 {
        return;
    }
    let nested = node.has_attr(scope);
    if let Some(names) = node.attr(prop) {
        let value = if nested {
            item(node, kind, scope, prop, budget, depth + 1)
        } else {
            Value::String(property_value(node))
        };
        for name in names.split_whitespace() {
            out.push((type_name(name).to_owned(), value.clone()));
        }
    }
    // A nested item's properties are its own, not this item's.
    if nested {
        return;
    }
    for child in node.children() {
        properties(&child, kind, scope, prop, budget, depth + 1, out);
    }
}

/// A property's value as the microdata and RDFa specs define it per element.
fn property_value(node: &NodeRef) -> String {
    let name = node
        .node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default();
    let attr = |a: &str| node.attr(a).map(|v| v.to_string());
    let from_attr = attr("content").or_else(|| match name.as_str() {
        "a" | "link" | "area" => attr("href"),
        "img" | "audio" | "video" | "source" | "embed" | "iframe" => attr("src"),
        "object" => attr("data"),
        "time" => attr("datetime"),
        "data" | "meter" => attr("value"),
        _ => attr("resource"),
    });
    from_attr.unwrap_or_else(|| node.text().split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(html: &str) -> Vec<Entity> {
        let doc = Document::from(html);
        let jsonld: Vec<Value> = doc
            .select("script[type=\"application/ld+json\"]")
            .iter()
            .filter_map(|s| serde_json::from_str(&s.text()).ok())
            .collect();
        entities(&doc, &jsonld)
    }

    #[test]
    fn json_ld_organisation_keeps_every_profile_field() {
        let html = r#"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Acme site"},
            {"@type":"Corporation","name":"Acme Anvils","description":"Anvils.","url":"https://acme.example/",
             "sameAs":["https://www.linkedin.com/company/acme","https://x.com/acme"],
             "logo":{"@type":"ImageObject","url":"https://acme.example/logo.png"},
             "telephone":"+1 415 555 0100","email":"mailto:hi@acme.example",
             "address":{"@type":"PostalAddress","streetAddress":"1 Dock St","addressLocality":"Leeds","addressCountry":{"@type":"Country","name":"GB"}},
             "foundingDate":"1999","numberOfEmployees":{"@type":"QuantitativeValue","minValue":50,"maxValue":200},
             "founder":[{"@type":"Person","name":"Jane Doe"},"John Roe"]}]}</script>"#;
        let found = parse(html);
        let acme = found.iter().find(|e| e.kind == "Corporation").unwrap();
        assert_eq!(acme.name.as_deref(), Some("Acme Anvils"));
        assert_eq!(acme.same_as.len(), 2);
        assert_eq!(acme.logo.as_deref(), Some("https://acme.example/logo.png"));
        assert_eq!(acme.email.as_deref(), Some("hi@acme.example"));
        assert_eq!(acme.address.as_deref(), Some("1 Dock St, Leeds, GB"));
        assert_eq!(acme.founding_date.as_deref(), Some("1999"));
        assert_eq!(acme.number_of_employees.as_deref(), Some("50-200"));
        assert_eq!(acme.founder, ["Jane Doe", "John Roe"]);
        // The founder is read as a person too.
        assert!(found
            .iter()
            .any(|e| e.kind == "Person" && e.name.as_deref() == Some("Jane Doe")));
        assert!(!found.iter().any(|e| e.kind == "WebSite"));
    }

    #[test]
    fn microdata_local_business_is_read_with_its_nested_address() {
        let html = r#"<div itemscope itemtype="http://schema.org/Restaurant">
            <h1 itemprop="name">GreatFood</h1>
            <div itemprop="aggregateRating" itemscope itemtype="http://schema.org/AggregateRating">
              <span itemprop="name">not the restaurant's name</span></div>
            <div itemprop="address" itemscope itemtype="http://schema.org/PostalAddress">
              <span itemprop="streetAddress">1901 Lemur Ave</span>
              <span itemprop="addressLocality">Sunnyvale</span>,
              <span itemprop="addressRegion">CA</span> <span itemprop="postalCode">94086</span></div>
            <span itemprop="telephone">(408) 714-1489</span>
            <a itemprop="url" href="http://www.dishdash.com">www.dishdash.com</a>
            <meta itemprop="foundingDate" content="2001"></div>"#;
        let found = parse(html);
        assert_eq!(found.len(), 1, "{found:?}");
        let r = &found[0];
        assert_eq!(r.kind, "Restaurant");
        assert_eq!(r.syntax, Syntax::Microdata);
        assert_eq!(r.name.as_deref(), Some("GreatFood"));
        assert_eq!(r.telephone.as_deref(), Some("(408) 714-1489"));
        assert_eq!(r.url.as_deref(), Some("http://www.dishdash.com"));
        assert_eq!(r.founding_date.as_deref(), Some("2001"));
        assert_eq!(
            r.address.as_deref(),
            Some("1901 Lemur Ave, 94086, Sunnyvale, CA")
        );
    }

    #[test]
    fn rdfa_organisation_is_read() {
        let html = r#"<div vocab="https://schema.org/" typeof="Organization">
            <span property="name">Acme Anvils</span>
            <a property="sameAs" href="https://www.linkedin.com/company/acme">LinkedIn</a>
            <a property="sameAs" href="https://x.com/acme">X</a>
            <img property="logo" src="https://acme.example/logo.png">
            <span property="email">hi@acme.example</span>
            <div property="founder" typeof="Person"><span property="name">Jane Doe</span></div>
            </div>"#;
        let found = parse(html);
        let acme = found.iter().find(|e| e.kind == "Organization").unwrap();
        assert_eq!(acme.syntax, Syntax::Rdfa);
        assert_eq!(acme.name.as_deref(), Some("Acme Anvils"));
        assert_eq!(acme.same_as.len(), 2);
        assert_eq!(acme.logo.as_deref(), Some("https://acme.example/logo.png"));
        assert_eq!(acme.email.as_deref(), Some("hi@acme.example"));
        assert_eq!(acme.founder, ["Jane Doe"]);
    }
}
