//! `spawn_app`: the real application on a fresh database, plus fixtures and request helpers.

use std::process::{Command, Stdio};
use std::sync::Arc;

use diesel::{Connection, RunQueryDsl};
use reqwest::{Method, RequestBuilder};
use supportdesk::auth;
use supportdesk::config::Settings;
use supportdesk::db::{self, PooledConn};
use supportdesk::domain::Role;
use supportdesk::startup::Application;
use supportdesk::state::AppState;

/// Where the PostgreSQL cases create their databases: a URL whose user may `CREATE DATABASE`.
pub const POSTGRES_URL_VAR: &str = "SUPPORTDESK_TEST_POSTGRES_URL";

/// A Citus coordinator (a database on it with the extension and the workers added): when set,
/// the PostgreSQL cases run there instead, each on a fresh database distributed by
/// `scripts/citus-distribute.sql` (docs/SCALING.md says how to start a cluster).
pub const CITUS_URL_VAR: &str = "SUPPORTDESK_TEST_CITUS_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each test once per backend: `mod NAME { fn sqlite(); fn postgres(); }`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite)
                    .await
                    .unwrap();
                super::$name(app).await;
            }

            #[actix_web::test]
            #[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

/// Runs each `async fn NAME(backend: Backend)` once per backend, as tests `NAME::sqlite` and
/// `NAME::postgres` (for tests that start their own servers rather than take a `TestApp`).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }

            #[actix_web::test]
            #[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await;
            }
        }
    )*};
}

/// Whether `backend`'s cases run on a Citus cluster (`SUPPORTDESK_TEST_CITUS_URL`). The few
/// tests of plain PostgreSQL's catalog and plans say so and stop there (docs/SCALING.md).
pub fn on_citus(backend: Backend, test: &str) -> bool {
    let citus = backend == Backend::Postgres && std::env::var_os(CITUS_URL_VAR).is_some();
    if citus {
        eprintln!("{test}: not run on Citus (it checks plain PostgreSQL's catalog or plans)");
    }
    citus
}

/// A fresh, empty database on `backend`; `None` when PostgreSQL is not configured outside CI.
pub fn fresh_database(backend: Backend) -> Option<TestDatabase> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            Some(TestDatabase {
                url,
                _dir: Some(dir),
                pg_admin: None,
                pg_name: None,
                citus: false,
            })
        }
        Backend::Postgres => {
            if let Ok(coordinator) = std::env::var(CITUS_URL_VAR) {
                return Some(citus::fresh_database(&coordinator));
            }
            let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("CI=true but {POSTGRES_URL_VAR} is not set: the PostgreSQL tests cannot run");
                }
                eprintln!("skipped on PostgreSQL: set {POSTGRES_URL_VAR} to run it");
                return None;
            };
            let name = format!("supportdesk_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = diesel::PgConnection::establish(&admin_url)
                .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_URL_VAR}: {e}"));
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .expect("create database");
            let base = admin_url
                .rsplit_once('/')
                .expect("URL with a database name")
                .0;
            Some(TestDatabase {
                url: format!("{base}/{name}"),
                _dir: None,
                pg_admin: Some(admin_url),
                pg_name: Some(name),
                citus: false,
            })
        }
    }
}

/// A fresh database on `backend` with every migration applied, and a connection to it.
pub fn migrated(backend: Backend) -> Option<(TestDatabase, supportdesk::db::DbConn)> {
    let database = fresh_database(backend)?;
    let mut conn = supportdesk::db::ConnectionManager::new(&database.url)
        .unwrap()
        .connect()
        .unwrap();
    supportdesk::db::migrations::run_pending(&mut conn).unwrap();
    Some((database, conn))
}

/// A database that disappears with the test.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin: Option<String>,
    pg_name: Option<String>,
    /// On a Citus cluster: dropped on every node.
    citus: bool,
}

impl TestDatabase {
    /// A database the test owns some other way (a private server's): nothing is dropped.
    pub fn kept(url: &str) -> TestDatabase {
        TestDatabase {
            url: url.to_string(),
            _dir: None,
            pg_admin: None,
            pg_name: None,
            citus: false,
        }
    }

    /// Drops a PostgreSQL test database now, even with connections open (to simulate an outage).
    pub fn drop_now(&self) {
        if let (Some(admin), Some(name)) = (&self.pg_admin, &self.pg_name) {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                if self.citus {
                    let _ = citus::propagate_databases(&mut conn);
                }
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.drop_now();
    }
}

/// The settings a test server runs with: port 0, no bootstrap, a small pool.
pub fn test_settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".into(),
        jwt_secret: None,
        pool_size: Some(4),
        database_read_urls: Vec::new(),
        read_replica_max_lag_ms: 1000,
        max_body_bytes: 1 << 20,
        cors_allowed_origins: vec!["https://dashboard.example.com".into()],
        rate_limit_per_minute: 0,
        shared_rate_limits: false,
        // The suite logs in and posts as guests far more than a person would.
        login_rate_limit_per_minute: 0,
        guest_rate_limit_per_minute: 0,
        shutdown_timeout_secs: 5,
        bootstrap: false,
        database_work_timeout_ms: 5_000,
        account_concurrency_limit: None,
        account_search_concurrency_limit: None,
        body_read_timeout_secs: 30,
        public_base_url: None,
        require_if_match: false,
        idempotency_key_ttl: chrono::Duration::hours(24),
        idempotency_wait_ms: 10_000,
        event_retention: chrono::Duration::days(30),
        // Test receivers listen on 127.0.0.1.
        webhook_allow_private: true,
        webhook_timeout_secs: 5,
        webhook_retry_for: chrono::Duration::hours(24),
        webhook_first_retry_ms: 100,
        webhook_worker: true,
    }
}

/// A running server with an account whose admin holds `token`.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: Arc<AppState>,
    pub account_id: i64,
    pub admin_id: i64,
    pub token: String,
    pub database: TestDatabase,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with settings adjusted by `tweak` first.
pub async fn spawn_app_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let database = fresh_database(backend)?;
    Some(spawn_app_on(database, tweak).await)
}

/// A test server on `database` (which it drops when done), with an account, its admin and a
/// token: like [`spawn_app_with`], on a database the test made.
pub async fn spawn_app_on(database: TestDatabase, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    // Every statement a request runs on a tenant table must name its account (`db::audit`).
    db::audit::enable();
    let mut settings = test_settings(&database.url);
    tweak(&mut settings);
    let app = Application::build(&settings).expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    actix_web::rt::spawn(app.run_until_stopped());
    let mut test_app = TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        account_id: 0,
        admin_id: 0,
        token: String::new(),
        database,
    };
    test_app.account_id = test_app.create_account("Test account");
    let (admin_id, token) = test_app.create_member(test_app.account_id, Role::Admin);
    test_app.admin_id = admin_id;
    test_app.token = token;
    test_app
}

impl TestApp {
    pub fn conn(&self) -> PooledConn {
        self.state.db.get().expect("a database connection")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request as the account's admin.
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path).bearer_auth(&self.token)
    }

    /// A request with no credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn create_account(&self, name: &str) -> i64 {
        db::accounts::create(&mut self.conn(), name, false)
            .unwrap()
            .id
    }

    /// A new user with `role` in `account_id`, and a token for it.
    pub fn create_member(&self, account_id: i64, role: Role) -> (i64, String) {
        let email = format!("{}@example.com", uuid::Uuid::new_v4().simple());
        let user = new_member(&mut self.conn(), account_id, &email, None, role);
        (user.id, self.token_for(user.id))
    }

    pub fn token_for(&self, user_id: i64) -> String {
        let ttl = chrono::Duration::hours(1);
        auth::issue_token(&mut self.conn(), &self.state.jwt, user_id, ttl, None)
            .unwrap()
            .token
    }

    /// The stored signing secret, for tests that forge tokens.
    pub fn jwt_secret(&self) -> String {
        db::settings::get_or_init(&mut self.conn(), "jwt_secret", || {
            unreachable!("set at start")
        })
        .unwrap()
    }

    /// Runs the `supportdesk` binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        cli_command(&self.database.url)
            .args(args)
            .output()
            .expect("the binary runs")
    }
}

/// The `supportdesk` binary, pointed at `database_url`, with a quiet log.
pub fn cli_command(database_url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_supportdesk"));
    command
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .env_remove("JWT_SECRET")
        .env_remove("BIND_ADDR");
    command
}

/// Asserts an error response: `status`, a JSON body with a `message`; returns the body.
pub async fn assert_json_error(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert!(body["message"].is_string(), "no message in {body}");
    body
}

/// A user made a member of `account_id`, as the command line and the bootstrap make them.
pub fn new_member(
    conn: &mut db::DbConn,
    account_id: i64,
    email: &str,
    password: Option<&str>,
    role: Role,
) -> db::users::User {
    let new = supportdesk::services::members::NewMember {
        account_id,
        email: supportdesk::domain::EmailAddress::parse(email).unwrap(),
        first_name: "Test".into(),
        last_name: Some("User".into()),
        password_hash: password.map(supportdesk::auth::password::hash),
        role,
    };
    conn.transaction(|conn| supportdesk::services::members::create(conn, new))
        .unwrap()
}

/// A PostgreSQL server of the test's own, so it can be stopped without disturbing other tests.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivatePostgres {
    fn script() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-test-server.sh")
    }

    fn run(args: &[&str]) -> String {
        let output = Command::new("bash")
            .arg(Self::script())
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(output.status.success(), "pg-test-server.sh {args:?} failed");
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    /// `None` outside CI when no PostgreSQL is configured for the tests.
    pub fn start() -> Option<(PrivatePostgres, String)> {
        fresh_database(Backend::Postgres)?;
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let url = Self::run(&[
            "start",
            dir.path().join("pg").to_str().unwrap(),
            &port.to_string(),
        ]);
        Some((PrivatePostgres { dir, port }, url))
    }

    /// A streaming replica of this server (`pg_basebackup -R`), with its URL.
    pub fn replica(&self) -> (PrivatePostgres, String) {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let url = Self::run(&[
            "replica",
            &self.port.to_string(),
            dir.path().join("pg").to_str().unwrap(),
            &port.to_string(),
        ]);
        (PrivatePostgres { dir, port }, url)
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("pg").to_string_lossy().into_owned()
    }

    pub fn halt(&self) {
        Self::run(&["halt", &self.data_dir()]);
    }

    pub fn resume(&self) {
        Self::run(&["resume", &self.data_dir(), &self.port.to_string()]);
    }

    pub fn restart(&self) {
        Self::run(&["restart", &self.data_dir(), &self.port.to_string()]);
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Self::script())
            .args(["stop", &self.data_dir()])
            .output();
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Test databases on a Citus cluster.
pub mod citus {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{Integer, Text};
    use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

    use super::TestDatabase;

    /// `CREATE DATABASE` and `DROP DATABASE` on the coordinator reach the workers too.
    pub fn propagate_databases(conn: &mut PgConnection) -> diesel::QueryResult<()> {
        conn.batch_execute("SET citus.enable_create_database_propagation = on")
    }

    #[derive(QueryableByName)]
    struct Node {
        #[diesel(sql_type = Text)]
        nodename: String,
        #[diesel(sql_type = Integer)]
        nodeport: i32,
    }

    /// A fresh database on the cluster of `coordinator_url`: created on every node, with the
    /// extension and the workers, migrated, and distributed by `scripts/citus-distribute.sql`.
    pub fn fresh_database(coordinator_url: &str) -> TestDatabase {
        let name = format!("supportdesk_test_{}", uuid::Uuid::new_v4().simple());
        let admin = url::Url::parse(coordinator_url).expect("SUPPORTDESK_TEST_CITUS_URL");
        let mut conn = PgConnection::establish(coordinator_url)
            .unwrap_or_else(|e| panic!("cannot reach the Citus coordinator: {e}"));
        let workers: Vec<Node> = diesel::sql_query(
            "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND isactive",
        )
        .load(&mut conn)
        .expect("the coordinator's workers");
        propagate_databases(&mut conn).expect("database propagation");
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let url_of = |host: &str, port: u16| {
            let mut url = admin.clone();
            url.set_host(Some(host)).unwrap();
            url.set_port(Some(port)).unwrap();
            url.set_path(&name);
            url.to_string()
        };
        let coordinator = (
            admin.host_str().unwrap().to_string(),
            admin.port().unwrap_or(5432),
        );
        // The extension is per database, and not propagated: each node needs it.
        let nodes = workers
            .iter()
            .map(|w| (w.nodename.clone(), w.nodeport as u16));
        for (host, port) in std::iter::once(coordinator.clone()).chain(nodes) {
            let mut node = PgConnection::establish(&url_of(&host, port))
                .unwrap_or_else(|e| panic!("{host}:{port}: {e}"));
            node.batch_execute("CREATE EXTENSION IF NOT EXISTS citus")
                .unwrap_or_else(|e| panic!("citus on {host}:{port}: {e}"));
        }
        let url = url_of(&coordinator.0, coordinator.1);
        let mut db = PgConnection::establish(&url).expect("the new database");
        db.batch_execute(&format!(
            "SELECT citus_set_coordinator_host('{}', {})",
            coordinator.0, coordinator.1
        ))
        .expect("coordinator host");
        for w in &workers {
            db.batch_execute(&format!(
                "SELECT citus_add_node('{}', {})",
                w.nodename, w.nodeport
            ))
            .expect("add worker");
        }
        drop(db);
        // What `supportdesk migrate` does (its start-up backfills span accounts: they run
        // before the tables are distributed, as docs/SCALING.md says to).
        supportdesk::startup::open_database(&super::test_settings(&url)).expect("migrate");
        // Fewer shards than production's 32: a test database holds a few rows.
        let mut db = PgConnection::establish(&url).expect("the new database");
        db.batch_execute("SET citus.shard_count = 4")
            .and_then(|()| db.batch_execute(include_str!("../../scripts/citus-distribute.sql")))
            .expect("scripts/citus-distribute.sql");
        TestDatabase {
            url,
            _dir: None,
            pg_admin: Some(coordinator_url.to_string()),
            pg_name: Some(name),
            citus: true,
        }
    }
}
