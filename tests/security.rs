//! The app's security settings, checked against what ships: the content security policy in
//! `tauri.conf.json` forbids inline and remote scripts, the built `ui/dist/index.html` needs
//! neither, the window's capabilities grant exactly the commands and events the UI uses (no
//! plugin-wide defaults, no dialog, file system, shell or HTTP plugins), no command takes a
//! filesystem path from the window, and the app's build has no Tauri mock runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The shipped CSP, directive by directive, each as its list of sources.
fn csp() -> BTreeMap<String, Vec<String>> {
    let config = json(&root().join("tauri.conf.json"));
    let csp = &config["app"]["security"]["csp"];
    let directives: BTreeMap<String, String> = match csp {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect(),
        Value::String(text) => text
            .split(';')
            .filter_map(|d| d.trim().split_once(' '))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        other => panic!("tauri.conf.json has no CSP: {other}"),
    };
    directives
        .into_iter()
        .map(|(k, v)| (k, v.split_whitespace().map(str::to_owned).collect()))
        .collect()
}

/// A source that lets in code from outside the app's own bundle.
fn remote_or_unsafe(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    s == "*"
        || s.contains("://")
        || s.starts_with("//")
        || matches!(
            s.as_str(),
            "http:"
                | "https:"
                | "data:"
                | "blob:"
                | "filesystem:"
                | "'unsafe-inline'"
                | "'unsafe-eval'"
                | "'unsafe-hashes'"
                | "'wasm-unsafe-eval'"
                | "'strict-dynamic'"
        )
}

#[test]
fn the_csp_allows_only_the_apps_own_scripts() {
    let csp = csp();
    let get = |name: &str| {
        csp.get(name)
            .unwrap_or_else(|| panic!("the CSP has no {name}"))
    };
    assert_eq!(get("default-src"), &["'self'"]);
    assert_eq!(get("object-src"), &["'none'"]);
    assert_eq!(get("base-uri"), &["'none'"]);
    for directive in ["script-src", "style-src", "font-src"] {
        for source in get(directive) {
            let hash = ["'sha256-", "'sha384-", "'sha512-"]
                .iter()
                .any(|h| source.starts_with(h));
            assert!(
                source == "'self'" || hash,
                "{directive} allows {source}: only the app's own files may run"
            );
        }
    }
    // Images may be inline data (icons); nothing else may come from outside, and the only
    // connection is Tauri's IPC.
    for (directive, sources) in &csp {
        for source in sources {
            let allowed = match directive.as_str() {
                "img-src" => source == "'self'" || source == "data:",
                "connect-src" => source == "ipc:" || source == "http://ipc.localhost",
                _ => !remote_or_unsafe(source),
            };
            assert!(allowed, "{directive} allows {source}");
        }
    }

    let config = json(&root().join("tauri.conf.json"));
    let security = &config["app"]["security"];
    assert_eq!(
        config["app"]["withGlobalTauri"],
        Value::Bool(false),
        "a global window.__TAURI__ hands every injected script the IPC"
    );
    for dangerous in [
        "dangerousDisableAssetCspModification",
        "dangerousRemoteDomainIpcAccess",
    ] {
        assert!(
            security.get(dangerous).is_none_or(|v| v == false),
            "{dangerous} is set"
        );
    }
}

/// Every `<tag ...>` in the page with its attributes' raw text and, for elements with a body
/// (`script`, `style`), the body.
fn elements<'a>(html: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{tag}");
    let close = format!("</{tag}");
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&open) {
        let start = at + found;
        let after = start + open.len();
        // `<scripts>` or `<styles>` are other tags.
        if !lower[after..].starts_with([' ', '>', '\n', '\t', '/']) {
            at = after;
            continue;
        }
        let end = lower[after..].find('>').map_or(html.len(), |e| after + e);
        let attrs = &html[after..end];
        let body_start = (end + 1).min(html.len());
        let body = match lower[body_start..].find(&close) {
            Some(e) if matches!(tag, "script" | "style") => &html[body_start..body_start + e],
            _ => "",
        };
        out.push((attrs, body));
        at = body_start;
    }
    out
}

/// The value of `name=` in a tag's attribute text.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut at = 0;
    while let Some(found) = lower[at..].find(name) {
        let start = at + found;
        let before_ok = start == 0 || lower.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = attrs[start + name.len()..].trim_start();
        if before_ok {
            if let Some(value) = rest.strip_prefix('=') {
                let value = value.trim_start();
                return Some(match value.chars().next() {
                    Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                    _ => value.split([' ', '>']).next().unwrap_or(""),
                });
            }
        }
        at = start + name.len();
    }
    None
}

fn is_remote(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("//") || u.contains("://") || u.starts_with("data:")
}

#[test]
fn the_built_page_has_no_inline_or_remote_scripts() {
    let index = root().join("ui/dist/index.html");
    if !index.exists() {
        eprintln!(
            "SKIPPED: {} is missing; `make test` builds the UI first (cd ui && npm run build)",
            index.display()
        );
        return;
    }
    let html = std::fs::read_to_string(&index).unwrap();
    let scripts = elements(&html, "script");
    assert!(!scripts.is_empty(), "the page loads its bundle");
    for (attrs, body) in &scripts {
        let src = attr(attrs, "src");
        assert!(
            src.is_some() && body.trim().is_empty(),
            "an inline script: <script{attrs}>{body}"
        );
        let src = src.unwrap();
        assert!(!is_remote(src), "a remote script: {src}");
    }
    if let Some((attrs, body)) = elements(&html, "style").first() {
        panic!("an inline style block (style-src 'self' would block it): <style{attrs}>{body}");
    }
    for (attrs, _) in elements(&html, "link") {
        if let Some(href) = attr(attrs, "href") {
            assert!(!is_remote(href), "a remote resource: <link{attrs}>");
        }
    }
    // Event-handler attributes are inline scripts too.
    let lower = html.to_ascii_lowercase();
    for handler in ["onload=", "onerror=", "onclick=", "javascript:"] {
        assert!(!lower.contains(handler), "the page holds {handler}");
    }
}

/// The UI's own sources (tests and generated bindings left out): what it actually calls.
fn ui_sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "test" && name != "node_modules" {
                    walk(&path, out);
                }
            } else if (name.ends_with(".ts") || name.ends_with(".svelte"))
                && !name.contains(".test.")
                && name != "bindings.ts"
                && name != "test-setup.ts"
            {
                out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("ui/src"), &mut out);
    assert!(!out.is_empty());
    out
}

/// `commands.someName` in the generated bindings, with the command each invokes.
fn bound_commands() -> BTreeMap<String, String> {
    let bindings = std::fs::read_to_string(root().join("ui/src/ipc/bindings.ts")).unwrap();
    let block = bindings
        .split("export const commands = {")
        .nth(1)
        .and_then(|rest| rest.split("\n};").next())
        .expect("the bindings list their commands");
    block
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let (name, rest) = line.split_once(": (")?;
            let command = rest.split("__TAURI_INVOKE").nth(1)?;
            let command = command.split('"').nth(1)?;
            Some((name.to_owned(), command.to_owned()))
        })
        .collect()
}

fn granted() -> Vec<(PathBuf, Value)> {
    let dir = root().join("src-tauri/capabilities");
    let mut files: Vec<(PathBuf, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let value = json(&p);
            (p, value)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        !files.is_empty(),
        "no capability files in {}",
        dir.display()
    );
    files
}

#[test]
fn capabilities_grant_only_what_the_ui_uses() {
    let sources = ui_sources();
    let uses = |needle: &str| sources.iter().any(|(_, text)| text.contains(needle));
    let bound = bound_commands();
    assert!(bound.len() > 20, "the bindings were read: {bound:?}");
    // The commands the UI calls, by their Rust names.
    let invoked: BTreeSet<&str> = bound
        .iter()
        .filter(|(name, _)| uses(&format!("commands.{name}(")))
        .map(|(_, command)| command.as_str())
        .collect();
    let known: BTreeSet<String> = std::fs::read_dir(root().join("permissions/autogenerated"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    let listens = uses("events.") && uses(".listen(");
    // Files are chosen in dialogs Rust opens, and a dropped file is taken by Rust's window
    // event: the window never learns a path to send back.
    for (path, text) in &sources {
        for api in ["@tauri-apps/plugin-dialog", "onDragDropEvent("] {
            assert!(
                !text.contains(api),
                "{} uses {api}: files are chosen in Rust",
                path.display()
            );
        }
    }

    let mut commands_granted = BTreeSet::new();
    for (path, capability) in granted() {
        let file = path.display();
        assert!(
            capability.get("remote").is_none(),
            "{file} lets remote pages use the IPC"
        );
        assert_eq!(
            capability["windows"],
            serde_json::json!(["main"]),
            "{file}: only the main window"
        );
        assert!(
            capability.get("webviews").is_none(),
            "{file}: webviews are granted by window"
        );
        for permission in capability["permissions"].as_array().unwrap() {
            // One scoped grant: research sources open in the system browser, web addresses
            // only, from the one place the UI calls the opener.
            if permission["identifier"] == "opener:allow-open-url" {
                let mut allowed: Vec<&str> = permission["allow"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["url"].as_str().unwrap())
                    .collect();
                allowed.sort_unstable();
                assert_eq!(
                    allowed,
                    ["http://*", "https://*"],
                    "{file}: the opener may open web addresses only"
                );
                assert!(
                    permission.get("deny").is_none() && permission.as_object().unwrap().len() == 2,
                    "{file}: {permission}"
                );
                assert!(
                    sources.iter().any(|(_, text)| {
                        text.contains("@tauri-apps/plugin-opener") && text.contains("openUrl(")
                    }),
                    "{file} grants opening URLs, which the UI never does"
                );
                continue;
            }
            let id = permission
                .as_str()
                .unwrap_or_else(|| panic!("{file}: scoped permission {permission}: say why"));
            assert!(
                !id.contains('*') && !id.ends_with(":default") && id != "default",
                "{file} grants the broad set {id}"
            );
            for plugin in [
                "fs:", "shell:", "http:", "process:", "opener:", "updater:", "dialog:",
            ] {
                assert!(!id.starts_with(plugin), "{file} grants {id}");
            }
            match id.split_once(':') {
                // The app's own commands: allow-<command>, each one the UI invokes.
                None => {
                    let command = id
                        .strip_prefix("allow-")
                        .unwrap_or_else(|| panic!("{file}: {id} is not an allow- permission"))
                        .replace('-', "_");
                    assert!(known.contains(&command), "{file}: no command {command}");
                    assert!(
                        invoked.contains(command.as_str()),
                        "{file} grants {command}, which the UI never invokes"
                    );
                    commands_granted.insert(command);
                }
                Some(("core", "event:allow-listen" | "event:allow-unlisten")) => {
                    assert!(listens, "{file} grants {id}, but the UI listens to nothing");
                }
                _ => panic!("{file} grants {id}: teach this test which UI code needs it"),
            }
        }
    }
    // And the other way: a command the UI calls without a grant fails in the app.
    for command in &invoked {
        assert!(
            commands_granted.contains(*command),
            "the UI invokes {command}, but no capability grants it"
        );
    }
}

/// Words in a parameter or field name that say it names a place on disk.
const PATH_WORDS: &[&str] = &[
    "path",
    "paths",
    "file",
    "files",
    "filename",
    "dir",
    "dirs",
    "directory",
    "folder",
    "dest",
    "destination",
];

/// String parameters a command takes directly, each reviewed: none is a place on disk. A new
/// one must be added here with its reason, so no path slips in under another name.
const REVIEWED_STRINGS: &[(&str, &str, &str)] = &[
    ("search", "query", "what the user typed in the search box"),
    (
        "reset_prompt",
        "id",
        "checked against the shipped prompt ids",
    ),
    ("set_api_key", "key", "the API key, stored in the keychain"),
    (
        "discover_models",
        "base_url",
        "a model server's web address",
    ),
    ("test_model", "base_url", "a model server's web address"),
    ("test_model", "model", "a model name"),
];

/// `file_name`, `fileName` and `FileName` are the words `file` and `name`.
fn words(name: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for c in name.chars() {
        if c == '_' || c == '-' {
            out.push(String::new());
        } else {
            if c.is_uppercase() && !out.last().unwrap().is_empty() {
                out.push(String::new());
            }
            out.last_mut().unwrap().extend(c.to_lowercase());
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

fn is_string(ty: &specta::datatype::DataType) -> bool {
    use specta::datatype::{DataType, Primitive};
    match ty {
        DataType::Primitive(Primitive::str | Primitive::char) => true,
        DataType::Nullable(inner) => is_string(inner),
        _ => false,
    }
}

/// Everything the window can send in one parameter: each field, variant and element, through
/// the named types it refers to. Names that say "path" are recorded in `found`.
struct Walk<'a> {
    types: &'a specta::Types,
    seen: BTreeSet<String>,
    found: Vec<String>,
}

impl Walk<'_> {
    fn name(&mut self, at: &str, name: &str) {
        if words(name).iter().any(|w| PATH_WORDS.contains(&w.as_str())) {
            self.found.push(format!("{at}.{name}"));
        }
    }

    fn fields(&mut self, at: &str, fields: &specta::datatype::Fields) {
        use specta::datatype::Fields;
        match fields {
            Fields::Unit => {}
            Fields::Unnamed(unnamed) => {
                for field in &unnamed.fields {
                    if let Some(ty) = &field.ty {
                        self.ty(at, ty);
                    }
                }
            }
            Fields::Named(named) => {
                for (name, field) in &named.fields {
                    self.name(at, name);
                    if let Some(ty) = &field.ty {
                        self.ty(&format!("{at}.{name}"), ty);
                    }
                }
            }
        }
    }

    fn ty(&mut self, at: &str, ty: &specta::datatype::DataType) {
        use specta::datatype::{DataType, NamedReferenceType, Reference};
        match ty {
            DataType::Primitive(_) | DataType::Generic(_) => {}
            DataType::List(list) => self.ty(at, &list.ty),
            DataType::Map(map) => {
                self.ty(at, map.key_ty());
                self.ty(at, map.value_ty());
            }
            DataType::Struct(s) => self.fields(at, &s.fields),
            DataType::Enum(e) => {
                for (name, variant) in &e.variants {
                    self.name(at, name);
                    self.fields(&format!("{at}::{name}"), &variant.fields);
                }
            }
            DataType::Tuple(t) => t.elements.iter().for_each(|e| self.ty(at, e)),
            DataType::Nullable(inner) => self.ty(at, inner),
            DataType::Intersection(parts) => parts.iter().for_each(|p| self.ty(at, p)),
            DataType::Reference(Reference::Named(named)) => match &named.inner {
                NamedReferenceType::Inline { dt, .. } => self.ty(at, dt),
                NamedReferenceType::Reference { generics, .. } => {
                    for (_, g) in generics {
                        self.ty(at, g);
                    }
                    let Some(definition) = self.types.get(named) else {
                        return;
                    };
                    if self.seen.insert(definition.name.to_string()) {
                        if let Some(inner) = &definition.ty {
                            self.ty(&format!("{at}: {}", definition.name), inner);
                        }
                    }
                }
                NamedReferenceType::Recursive(_) => {}
            },
            DataType::Reference(Reference::Opaque(_)) => {}
        }
    }
}

/// A tauri-specta "language" that, instead of writing bindings, hands over the command list
/// with the types its parameters use: the very list the invoke handler is built from.
struct CommandList(std::sync::Arc<std::sync::Mutex<Option<tauri_specta::BuilderConfiguration>>>);

impl tauri_specta::LanguageExt for CommandList {
    type Error = std::io::Error;

    fn export(self, cfg: &tauri_specta::BuilderConfiguration, _: &Path) -> std::io::Result<()> {
        *self.0.lock().unwrap() = Some(cfg.clone());
        Ok(())
    }
}

fn commands() -> tauri_specta::BuilderConfiguration {
    let sink = std::sync::Arc::new(std::sync::Mutex::new(None));
    leadscout_app::bindings_builder::<tauri::test::MockRuntime>()
        .export(CommandList(sink.clone()), Path::new("unused"))
        .unwrap();
    let cfg = sink.lock().unwrap().take().unwrap();
    cfg
}

/// Issue 18: commands took a path (and a report's text) from the window, so a script in the
/// window could write a shell command into ~/.bashrc. Files are chosen in dialogs Rust opens;
/// no parameter, at any depth, names a place on disk, and every plain string one is reviewed.
#[test]
fn no_command_takes_a_filesystem_path_from_the_window() {
    let cfg = commands();
    assert!(cfg.commands.len() > 30, "the command list was read");
    let mut found = Vec::new();
    let mut strings = BTreeSet::new();
    for function in &cfg.commands {
        let mut walk = Walk {
            types: &cfg.types,
            seen: BTreeSet::new(),
            found: Vec::new(),
        };
        for (arg, ty) in function.args() {
            walk.name(function.name(), arg);
            walk.ty(&format!("{}({arg})", function.name()), ty);
            if is_string(ty) {
                strings.insert((function.name().to_owned(), words(arg).join("_")));
            }
        }
        found.extend(walk.found);
    }
    assert!(
        found.is_empty(),
        "these parameters name files; open a dialog in Rust instead: {found:#?}"
    );
    let reviewed: BTreeSet<(String, String)> = REVIEWED_STRINGS
        .iter()
        .map(|(cmd, arg, _)| ((*cmd).to_owned(), (*arg).to_owned()))
        .collect();
    let unreviewed: Vec<_> = strings.difference(&reviewed).collect();
    assert!(
        unreviewed.is_empty(),
        "string parameters nobody has checked are not paths: {unreviewed:?}"
    );
}

/// The walk above sees through named types, enums and options: a path hidden two levels down
/// is found.
#[test]
fn a_path_inside_a_parameter_type_is_found() {
    use specta::Type;
    #[derive(Type)]
    #[allow(dead_code)]
    struct Job {
        kind: JobKind,
        label: String,
    }
    #[derive(Type)]
    #[allow(dead_code)]
    enum JobKind {
        Export { destination_folder: Option<String> },
        Nothing,
    }
    let mut types = specta::Types::default();
    let ty = Job::definition(&mut types);
    let mut walk = Walk {
        types: &types,
        seen: BTreeSet::new(),
        found: Vec::new(),
    };
    walk.ty("job", &ty);
    assert_eq!(walk.found.len(), 1, "{:?}", walk.found);
    assert!(
        walk.found[0].ends_with(".destination_folder"),
        "{:?}",
        walk.found
    );
    assert_eq!(words("backupFileName"), ["backup", "file", "name"]);
}

/// Tauri's `test` feature (its mock runtime) is for the command tests only: the graph of the
/// app a user runs, without dev-dependencies, must not turn it on.
#[test]
fn the_app_build_has_no_tauri_mock_runtime() {
    let features = |edges: &str| -> BTreeSet<String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = std::process::Command::new(cargo)
            .current_dir(root())
            .args(["tree", "--offline", "-e", edges])
            .args(["-i", "tauri", "-f", "{p}|{f}", "--depth", "0"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .find(|l| l.starts_with("tauri v2"))
            .unwrap_or_else(|| panic!("cargo tree shows no tauri: {stdout}"));
        let (_, features) = line.split_once('|').unwrap();
        features.split(',').map(|f| f.trim().to_owned()).collect()
    };
    let app = features("normal,build");
    assert!(
        app.contains("specta"),
        "tauri's features were read: {app:?}"
    );
    assert!(
        !app.contains("test"),
        "the app's build turns on tauri's mock runtime: {app:?}"
    );
    // The same question with the tests' dev-dependencies finds it: the check can see it.
    assert!(features("normal,build,dev").contains("test"));
}
