//! Runs the real app headless: a private Xvfb display, tauri-driver (which starts
//! WebKitWebDriver, which starts the app), and a WebDriver client talking to it over loopback.
//!
//! [`App::launch`] is the one way the end-to-end tests start the app: its own display, a driver
//! with the data folder and environment of a [`Setup`], the app's window with the board shown.
//! [`App::restart`] quits it and starts a fresh process on the same data folder; dropping the
//! `App` ends the WebDriver session and stops the driver, WebKitWebDriver, the app and Xvfb.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use ports::{free_port, group_sockets, listener, listening_inodes, Listener};

mod ports;

/// Generous on purpose: these bound how long a broken setup takes to report, they are not
/// how long anything is expected to take.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);
pub const UI_TIMEOUT: Duration = Duration::from_secs(30);

/// The app binary to drive: the one `LEADSCOUT_APP_BINARY` names (the installed copy `make
/// bundle-check` unpacks), else `built`, the one cargo built for this test run (pass
/// `env!("CARGO_BIN_EXE_leadscout")`, which only the app's own tests and benches know).
pub fn app_binary(built: &str) -> PathBuf {
    std::env::var_os("LEADSCOUT_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(built))
}

fn find_program(name: &str, env_override: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_override) {
        return PathBuf::from(path);
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin").join(name));
    }
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is not installed. `make test` installs everything the end-to-end tests \
                 need (or set {env_override} to its path)."
            )
        })
}

/// A child process started in its own process group, stopped with SIGTERM to the whole group
/// when dropped (a plain kill of tauri-driver would leave WebKitWebDriver and the app behind).
pub struct ProcessGroup {
    child: Child,
    name: &'static str,
}

impl ProcessGroup {
    pub fn spawn(name: &'static str, command: &mut Command) -> ProcessGroup {
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("could not start {name}: {err}"));
        ProcessGroup { child, name }
    }

    /// The group's leader (its id is the group's id).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl ProcessGroup {
    /// SIGKILL to the whole group, as a crash or a power cut would end it; waits until gone.
    /// (Used by the crash test.)
    pub fn kill_hard(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => {
                    eprintln!("{} did not stop on SIGTERM; killing it", self.name);
                    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                    let _ = self.child.wait();
                    return;
                }
            }
        }
    }
}

/// A headless X server on a display number of its own choosing.
pub struct Xvfb {
    _process: ProcessGroup,
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Xvfb {
        let program = find_program("Xvfb", "LEADSCOUT_XVFB");
        let mut process = ProcessGroup::spawn(
            "Xvfb",
            Command::new(program)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                    // Without it the server resets when its last client leaves, and a client
                    // connecting meanwhile is refused: the app restarted on this display while
                    // the one before quits fails with "Failed to initialize GTK" (on this
                    // machine 55 of 900 overlapping connections failed without it, none with).
                    "-noreset",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let stdout = process.child.stdout.take().expect("Xvfb stdout is piped");
        // Xvfb prints the display number once it accepts connections.
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the display number from Xvfb");
        let number = line.trim();
        assert!(
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            "Xvfb did not report a display (got {line:?}); is another X server misbehaving?"
        );
        Xvfb {
            display: format!(":{number}"),
            _process: process,
        }
    }
}

/// What the app is started with: the binary, its data folder, extra environment and arguments.
#[derive(Debug, Clone)]
pub struct Setup {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    pub env: Vec<(String, String)>,
    pub args: Vec<String>,
}

impl Setup {
    /// `binary` (see [`app_binary`]) on the data folder `data_dir`, no extra environment or
    /// arguments.
    pub fn new(binary: impl Into<PathBuf>, data_dir: &Path) -> Setup {
        Setup {
            binary: binary.into(),
            data_dir: data_dir.to_path_buf(),
            env: Vec::new(),
            args: Vec::new(),
        }
    }

    /// With `key=value` in the app's environment.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Setup {
        let value = value.as_ref().to_string_lossy().into_owned();
        self.env.push((key.to_owned(), value));
        self
    }

    /// With `arg` on the app's command line (`--minimized`, as the login entry starts it).
    pub fn arg(mut self, arg: &str) -> Setup {
        self.args.push(arg.to_owned());
        self
    }
}

/// The real app in its own Xvfb display, driven over WebDriver.
pub struct App {
    /// The WebDriver session with the app's window.
    pub client: Client,
    driver: Option<Driver>,
    xvfb: Xvfb,
    setup: Setup,
    closed: bool,
}

impl App {
    /// Starts the app and waits until its board is shown.
    pub async fn launch(setup: Setup) -> App {
        let app = App::start(setup).await;
        find(&app.client, "[data-testid=board]").await;
        app
    }

    /// Starts the app without waiting for anything in its window (a start that fails shows an
    /// error instead of the board).
    pub async fn start(setup: Setup) -> App {
        let xvfb = Xvfb::start();
        let driver = Driver::start(&xvfb.display, &setup);
        let client = driver.launch_app(&setup).await;
        App {
            client,
            driver: Some(driver),
            xvfb,
            setup,
            closed: false,
        }
    }

    /// Quits the app (the session is closed, then the driver and the app are stopped) and
    /// starts a fresh process on the same data folder, display and environment; waits until
    /// its board is shown.
    pub async fn restart(&mut self) {
        self.restart_with(self.setup.clone()).await;
    }

    /// [`App::restart`] with another environment or arguments (the same display).
    pub async fn restart_with(&mut self, setup: Setup) {
        self.stop().await;
        self.setup = setup;
        let driver = Driver::start(&self.xvfb.display, &self.setup);
        self.client = driver.launch_app(&self.setup).await;
        self.driver = Some(driver);
        self.closed = false;
        find(&self.client, "[data-testid=board]").await;
    }

    /// The X display the app draws on.
    pub fn display(&self) -> &str {
        &self.xvfb.display
    }

    /// What the app was started with.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Ends the WebDriver session (which quits the app) and stops the driver.
    pub async fn close(mut self) {
        self.stop().await;
    }

    /// Stops the driver's processes with SIGTERM without ending the session first, as the
    /// end of a desktop session does: the app is asked to quit by the signal. [`App::restart`]
    /// starts it again.
    pub fn terminate(&mut self) {
        self.closed = true;
        self.driver = None;
    }

    async fn stop(&mut self) {
        if !self.closed {
            self.closed = true;
            self.client
                .clone()
                .close()
                .await
                .expect("end the WebDriver session");
        }
        self.driver = None;
    }
}

impl Drop for App {
    /// A test that ends without [`App::close`] (or panics) still ends the session; the driver's
    /// process group, the app with it, and Xvfb are stopped by their own drops.
    fn drop(&mut self) {
        if self.closed || std::thread::panicking() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread {
            let client = self.client.clone();
            // Whether the session could still be ended does not matter here (the app may have
            // quit on its own); the driver's group is stopped either way.
            tokio::task::block_in_place(|| {
                let _ = runtime.block_on(client.close());
            });
        }
    }
}

/// How long the app may take to start and show its window to WebDriver (a debug build on a
/// busy machine takes seconds; this only ends a test whose app will never come).
const SESSION_TIMEOUT: Duration = Duration::from_secs(180);

/// How many times [`Driver::start`] tries fresh ports before it reports the failure.
const DRIVER_ATTEMPTS: u32 = 5;

/// tauri-driver serving one display, with the app's environment.
pub struct Driver {
    _process: ProcessGroup,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver (and the WebKitWebDriver it starts) on two fresh loopback ports and
    /// returns once both ports are served by this driver's own processes. A port taken by
    /// another process between asking for it and binding it (another test starting its driver
    /// at the same time) makes tauri-driver exit or its WebKitWebDriver fail; either is seen
    /// here, and the driver is started again on fresh ports, never left talking to another
    /// test's driver.
    pub fn start(display: &str, setup: &Setup) -> Driver {
        Driver::start_on(display, setup, || (free_port(), free_port()))
    }

    /// [`Driver::start`] on the ports `ports` gives, asked again for each attempt.
    fn start_on(display: &str, setup: &Setup, mut ports: impl FnMut() -> (u16, u16)) -> Driver {
        let program = find_program("tauri-driver", "TAURI_DRIVER");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (port, native_port) = ports();
            if port == native_port {
                continue;
            }
            let mut process = ProcessGroup::spawn(
                "tauri-driver",
                Command::new(&program)
                    .args(["--port", &port.to_string()])
                    .args(["--native-port", &native_port.to_string()])
                    .env("DISPLAY", display)
                    .env("LEADSCOUT_DATA_DIR", &setup.data_dir)
                    // The app must not reach a desktop session of whoever runs the tests.
                    .env_remove("DBUS_SESSION_BUS_ADDRESS")
                    .env("RUST_LOG", "info")
                    // No accessibility bus under Xvfb; skip the warning it would print.
                    .env("NO_AT_BRIDGE", "1")
                    .envs(setup.env.iter().map(|(k, v)| (k, v)))
                    .stdin(Stdio::null()),
            );
            match Driver::wait_until_served(&mut process, port, native_port) {
                Ok(()) => {
                    return Driver {
                        _process: process,
                        port,
                    }
                }
                Err(why) => {
                    drop(process);
                    assert!(
                        attempt < DRIVER_ATTEMPTS,
                        "tauri-driver could not be started in {attempt} attempts; the last: {why}"
                    );
                    eprintln!(
                        "tauri-driver on ports {port}/{native_port}: {why}; retrying on fresh ports"
                    );
                }
            }
        }
    }

    /// Waits until both ports are listened on by the driver's process group; `Err` when the
    /// driver exits or another process holds either port.
    fn wait_until_served(
        process: &mut ProcessGroup,
        port: u16,
        native_port: u16,
    ) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = process.child().try_wait() {
                return Err(format!("tauri-driver exited ({status})"));
            }
            let listening = listening_inodes(port);
            let listening_native = listening_inodes(native_port);
            let ours = group_sockets(process.child().id());
            match (
                listener(&listening, &ours),
                listener(&listening_native, &ours),
            ) {
                (Listener::Ours, Listener::Ours) => return Ok(()),
                (Listener::Foreign, _) => {
                    return Err(format!("port {port} is held by another process"))
                }
                (_, Listener::Foreign) => {
                    return Err(format!("port {native_port} is held by another process"))
                }
                _ => {}
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "ports {port} and {native_port} were not both served within {READY_TIMEOUT:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the app and connects to its webview. tauri-driver accepts connections before
    /// the WebKit driver behind it is ready; a session request that meets a reset connection
    /// is sent again (a few times, then the error is reported).
    pub async fn launch_app(&self, setup: &Setup) -> Client {
        self.launch_app_within(setup, SESSION_TIMEOUT).await
    }

    async fn launch_app_within(&self, setup: &Setup, within: Duration) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": setup.binary, "args": setup.args }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut attempt = 0;
        loop {
            attempt += 1;
            // WebKitWebDriver waits for the app's browser without end: an app that crashes at
            // start (its panic is in the test's output) would hang the test, not fail it.
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(caps.clone());
            let session = builder.connect(&url);
            let Ok(session) = tokio::time::timeout(within, session).await else {
                panic!(
                    "the app opened no window within {within:?}: did it exit at start? \
                     (its output is above)"
                );
            };
            match session {
                Ok(client) => return client,
                Err(
                    err @ (fantoccini::error::NewSessionError::Failed(_)
                    | fantoccini::error::NewSessionError::FailedC(_)
                    | fantoccini::error::NewSessionError::Lost(_)),
                ) if attempt < 4 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({err}); retrying");
                    tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
                }
                Err(err) => panic!("start a WebDriver session with the app: {err:?}"),
            }
        }
    }
}

/// Waits for the first element matching `css`.
pub async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    match client
        .wait()
        .at_most(UI_TIMEOUT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(err) => panic!(
            "no element matches {css:?}: {err}\non screen: {}",
            on_screen(client).await
        ),
    }
}

/// What the window shows that explains a wait that timed out: the open dialogs, the toasts,
/// every alert and status message, and what has focus. Best effort: a dead session says so.
pub async fn on_screen(client: &Client) -> String {
    const SCRIPT: &str = r#"
        const text = (e) => (e.textContent || "").replace(/\s+/g, " ").trim().slice(0, 300);
        const all = (css) => [...document.querySelectorAll(css)];
        const active = document.activeElement;
        return [
          "dialogs: " + all(".modal, dialog[open], [role=dialog]")
            .map((e) => e.dataset.testid || e.className).join(", "),
          "toasts: " + all(".toast").map(text).join(" | "),
          "alerts: " + all("[role=alert]").map(text).join(" | "),
          "status: " + all("[role=status]").map(text).join(" | "),
          "busy: " + all("[aria-busy=true]").map((e) => e.dataset.testid || e.className).join(", "),
          "focus: " + (active ? active.tagName + " " + text(active).slice(0, 60) : "none"),
        ].join("\n");
    "#;
    match client.execute(SCRIPT, vec![]).await {
        Ok(serde_json::Value::String(shown)) => shown,
        Ok(other) => other.to_string(),
        Err(err) => format!("(the window could not be read: {err})"),
    }
}

/// Opens Settings and waits until every section has its data (the dialog stops saying
/// `aria-busy`): before that its parts move as they arrive, and a click could land beside its
/// target. Answers the dialog.
pub async fn open_settings(client: &Client) -> fantoccini::elements::Element {
    find(client, "[data-testid=open-settings]")
        .await
        .click()
        .await
        .expect("click the Settings button");
    find(client, SETTINGS_READY).await
}

/// Settings once every section has its data; until then the dialog shows only its title.
pub const SETTINGS_READY: &str = "[data-testid=settings-dialog]:not([aria-busy=true])";

/// Waits until no element matches `css` (a dialog closed, a notice gone); `what` names it in
/// the failure.
pub async fn none_match(client: &Client, css: &str, what: &str) {
    eventually(what, || async {
        let shown = client.find_all(Locator::Css(css)).await.ok()?;
        shown.is_empty().then_some(())
    })
    .await;
}

/// Waits until `probe` returns `Some`, polling the live UI.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The names of the board's columns, left to right.
pub async fn column_names(client: &Client) -> Vec<String> {
    let mut names = Vec::new();
    for column in client
        .find_all(Locator::Css("[data-testid=column]"))
        .await
        .expect("list columns")
    {
        if let Some(name) = column
            .attr("data-stage-name")
            .await
            .expect("read stage name")
        {
            names.push(name);
        }
    }
    names
}

/// The lead names shown in the column of `stage`, top to bottom. Reads `textContent`: WebKit's
/// WebDriver returned empty rendered text for the card headings although they are on screen.
pub async fn lead_names_in(client: &Client, stage: &str) -> Vec<String> {
    let css = format!("[data-testid=column][data-stage-name=\"{stage}\"] [data-testid=lead-name]");
    let mut names = Vec::new();
    for el in client
        .find_all(Locator::Css(&css))
        .await
        .expect("list lead names")
    {
        let text = el.prop("textContent").await.expect("read lead name");
        names.push(text.unwrap_or_default().trim().to_owned());
    }
    names
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, TcpListener};

    use super::*;

    /// Two ports another process holds (as another test's driver would) are given first: the
    /// driver is started again on the next ports and serves there, never on the held ones.
    #[test]
    fn a_driver_whose_port_is_taken_is_started_again_on_fresh_ports() {
        let dir = std::env::temp_dir();
        let setup = Setup::new("/nonexistent/leadscout", &dir);
        let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let native_holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let held = holder.local_addr().unwrap().port();
        let held_native = native_holder.local_addr().unwrap().port();
        for taken in [(held, free_port()), (free_port(), held_native)] {
            let mut given = Vec::new();
            let driver = Driver::start_on(":99", &setup, || {
                let ports = if given.is_empty() {
                    taken
                } else {
                    (free_port(), free_port())
                };
                given.push(ports);
                ports
            });
            assert_eq!(given.len(), 2, "one retry: {given:?}");
            assert_eq!(driver.port, given[1].0);
            assert!(driver.port != held && given[1].1 != held_native);
        }
    }

    /// An app that exits at start (as one that cannot open the display does) fails the test
    /// that launched it; it does not leave the test waiting for a window forever.
    #[tokio::test(flavor = "multi_thread")]
    #[should_panic(expected = "app")]
    async fn an_app_that_exits_at_start_fails_the_launch_instead_of_hanging() {
        let setup = Setup::new("/bin/false", &std::env::temp_dir());
        let xvfb = Xvfb::start();
        let driver = Driver::start(&xvfb.display, &setup);
        driver
            .launch_app_within(&setup, Duration::from_secs(20))
            .await;
    }
}
