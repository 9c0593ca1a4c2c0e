//! A throwaway PostgreSQL cluster for the tests: one per test binary, started from the installed
//! binaries in a temporary directory on a free port, a fresh database for each test.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The superuser's password: the URLs carry one, as production URLs do.
pub const PASSWORD: &str = "pg-test-password-7731";
/// PostgreSQL refuses to run as root; as root, the cluster runs as this system user.
const TEST_USER: &str = "trouble-test";

pub struct Cluster {
    port: u16,
    bin: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The cluster of this test binary, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

/// A new, empty database on the shared cluster: its URL, password included.
pub fn fresh_database() -> String {
    cluster().create_database()
}

/// Where `initdb` and `pg_ctl` are: on PATH, else Debian's /usr/lib/postgresql/NN/bin
/// (the newest). Missing binaries fail the test: these tests never pass by skipping.
fn find_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    {
        return dir;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): \
             these tests start a throwaway cluster from its binaries. Install it with \
             `apt-get install postgresql` (Debian/Ubuntu) and run the tests again."
        ),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL program, to run as the unprivileged test user when we are root.
fn pg_command(bin: &Path, program: &str) -> Command {
    let path = bin.join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", TEST_USER, "--"]).arg(&path);
        c
    } else {
        Command::new(&path)
    }
}

fn run_pg(bin: &Path, program: &str, args: &[&str]) {
    let out = pg_command(bin, program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ensure_test_user() {
    let exists = Command::new("id")
        .arg(TEST_USER)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !exists {
        let status = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                TEST_USER,
            ])
            .status()
            .expect("useradd runs");
        // Another test binary may have created it at the same moment.
        assert!(
            status.success() || Command::new("id").arg(TEST_USER).status().is_ok_and(|s| s.success()),
            "cannot create the system user {TEST_USER} that runs the test cluster"
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Cluster {
    fn start() -> Cluster {
        let bin = find_bin();
        // Kept past this function: the watchdog below removes it when the test binary exits.
        let dir = tempfile::Builder::new()
            .prefix("trouble-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let data = dir.join("data");
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        if is_root() {
            ensure_test_user();
            let status = Command::new("chown")
                .args(["-R", &format!("{TEST_USER}:")])
                .arg(&dir)
                .status()
                .expect("chown runs");
            assert!(status.success(), "cannot hand {} to {TEST_USER}", dir.display());
        }
        let d = |p: &Path| p.to_string_lossy().into_owned();
        run_pg(
            &bin,
            "initdb",
            &[
                "-D",
                &d(&data),
                "-U",
                "postgres",
                "--pwfile",
                &d(&pwfile),
                "--auth",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // Another binary's cluster may take a port between our probe and the start: try again.
        let mut attempt = 0;
        let port = loop {
            let port = free_port();
            let options = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
                 -c full_page_writes=off -c max_connections=200",
                d(&dir)
            );
            let log = d(&dir.join("log"));
            let ok = pg_command(&bin, "pg_ctl")
                .args(["-D", &d(&data), "-l", &log, "-o", &options, "-w", "-t", "60", "start"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                break port;
            }
            attempt += 1;
            assert!(
                attempt < 3,
                "pg_ctl could not start the test cluster:\n{}",
                std::fs::read_to_string(dir.join("log")).unwrap_or_default()
            );
        };
        spawn_watchdog(&bin, &data, &dir);
        Cluster { port, bin }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/{database}", self.port)
    }

    fn create_database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        let admin = self.url("postgres");
        let sql = format!("CREATE DATABASE {name}");
        // On a thread of its own: the caller may be inside a runtime, where blocking is refused.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                        .await
                        .expect("connects to the test cluster");
                    tokio::spawn(connection);
                    client.batch_execute(&sql).await.expect("CREATE DATABASE");
                })
        })
        .join()
        .expect("the database is created");
        self.url(&name)
    }
}

/// Stops the cluster and removes its directory once this test binary has exited (a static
/// is never dropped): a root-owned shell polls our pid, which the test user could not.
fn spawn_watchdog(bin: &Path, data: &Path, dir: &Path) {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if is_root() {
        format!("runuser -u {TEST_USER} -- '{}'", pg_ctl.display())
    } else {
        format!("'{}'", pg_ctl.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        data = data.display(),
        dir = dir.display()
    );
    // Never waited for: it outlives this process by design, and init reaps it.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the cluster's watchdog starts");
}
