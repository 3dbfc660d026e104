//! Runs the real app headless: a private Xvfb display, tauri-driver (which starts
//! WebKitWebDriver, which starts the app), and a WebDriver client talking to it over loopback.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// Generous on purpose: these bound how long a broken setup takes to report, they are not
/// how long anything is expected to take.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);
pub const UI_TIMEOUT: Duration = Duration::from_secs(30);

/// The app binary cargo built for this test run, or the one `LEADSCOUT_APP_BINARY` names (the
/// installed copy `make bundle-check` unpacks).
pub fn app_binary() -> PathBuf {
    std::env::var_os("LEADSCOUT_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_leadscout")))
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
}

impl ProcessGroup {
    /// SIGKILL to the whole group, as a crash or a power cut would end it; waits until gone.
    /// (Used by the crash test, which shares this harness.)
    #[allow(dead_code)]
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

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind an ephemeral loopback port")
}

/// tauri-driver serving one display, with the app's environment.
pub struct Driver {
    _process: ProcessGroup,
    port: u16,
}

impl Driver {
    pub fn start(display: &str, data_dir: &Path) -> Driver {
        Driver::start_with(display, data_dir, &[])
    }

    /// [`Driver::start`] with extra environment for the app.
    pub fn start_with(display: &str, data_dir: &Path, env: &[(&str, &str)]) -> Driver {
        let program = find_program("tauri-driver", "TAURI_DRIVER");
        let port = free_port();
        let native_port = free_port();
        let process = ProcessGroup::spawn(
            "tauri-driver",
            Command::new(program)
                .args(["--port", &port.to_string()])
                .args(["--native-port", &native_port.to_string()])
                .env("DISPLAY", display)
                .env("LEADSCOUT_DATA_DIR", data_dir)
                // The app must not reach a desktop session of whoever runs the tests.
                .env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env("RUST_LOG", "info")
                // No accessibility bus under Xvfb; skip the warning it would print.
                .env("NO_AT_BRIDGE", "1")
                .envs(env.iter().copied())
                .stdin(Stdio::null()),
        );
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + READY_TIMEOUT;
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {addr} within {READY_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            _process: process,
            port,
        }
    }

    /// Starts the app and connects to its webview. tauri-driver accepts connections before
    /// the WebKit driver behind it is ready; a session request that meets a reset connection
    /// is sent again (a few times, then the error is reported).
    pub async fn launch_app(&self) -> Client {
        self.launch_app_with_args(&[]).await
    }

    /// [`Driver::launch_app`] with arguments for the app (`--minimized`, as the login entry).
    pub async fn launch_app_with_args(&self, args: &[&str]) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary(), "args": args }),
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
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
    client
        .wait()
        .at_most(UI_TIMEOUT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|err| panic!("no element matches {css:?}: {err}"))
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
