//! The app's security settings, checked against what ships: the content security policy in
//! `tauri.conf.json` forbids inline and remote scripts, the built `ui/dist/index.html` needs
//! neither, and the window's capabilities grant exactly the commands, dialogs and events the UI
//! uses (no plugin-wide defaults, no file system, shell or HTTP plugins).

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
    // Which dialog functions the UI imports from the plugin.
    let dialog_used = |function: &str| {
        sources.iter().any(|(_, text)| {
            text.contains("@tauri-apps/plugin-dialog") && text.contains(&format!("{function}("))
        })
    };
    let listens = (uses("events.") && uses(".listen(")) || uses("onDragDropEvent(");

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
            for plugin in ["fs:", "shell:", "http:", "process:", "opener:", "updater:"] {
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
                Some(("dialog", function)) => {
                    let function = function.strip_prefix("allow-").unwrap_or(function);
                    assert!(
                        matches!(function, "open" | "save") && dialog_used(function),
                        "{file} grants dialog {function}, which the UI never calls"
                    );
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
