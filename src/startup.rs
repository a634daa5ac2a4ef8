//! Starting the server: pool, migrations, signing keys, first-start bootstrap, then HTTP.
//! Tests start it exactly the same way, on port 0.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::HttpService;
use actix_service::{fn_service, map_config, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::{self, ErrorHandlers, Logger};
use actix_web::rt::net::TcpStream;
use actix_web::{web, App};
use anyhow::{bail, Context};

use crate::api::account_limit::AccountLimits;
use crate::api::fallback;
use crate::api::parse_errors::JsonParseErrors;
use crate::api::rate_limit;
use crate::api::{cors, etag, head, request_id};
use crate::api::{events, idempotency};
use crate::auth::{self, JwtKeys};
use crate::config::Settings;
use crate::db::{self, Backend, Db, DbConn, PoolOptions};
use crate::delivery;
use crate::domain::{EmailAddress, Role};
use crate::limits::{Limiter, RateLimits};
use crate::routes;
use crate::services;
use crate::services::members::{self, NewMember};
use crate::state::AppState;

/// Opens the pool and brings the schema up to date; what every command does first.
pub fn open_database(settings: &Settings) -> anyhow::Result<(Db, Vec<String>)> {
    let mut options = PoolOptions::new(&settings.database_url);
    options.size = settings.pool_size;
    options.work_timeout = settings.database_work_timeout();
    options.read_urls = settings.database_read_urls.clone();
    options.max_replica_lag = std::time::Duration::from_millis(settings.read_replica_max_lag_ms);
    let db = Db::new(&options).context("cannot open the database")?;
    // Migrations may rewrite large tables: a connection of their own, without the work bound.
    let mut conn = db
        .connect_unbounded()
        .context("cannot connect to the database")?;
    let applied = db::migrations::run_pending(&mut conn)?;
    let folded = db::sort_names::fold_pending(&mut conn).context("cannot fold sort names")?;
    if folded > 0 {
        log::info!("folded the sort names of {folded} customers and companies");
    }
    let indexed =
        db::search_terms::build_pending(&mut conn).context("cannot build the search index")?;
    if indexed > 0 {
        log::info!("indexed {indexed} customers for search");
    }
    if !applied.is_empty() && db.backend() == Backend::Sqlite {
        // New tables and indexes get statistics before the first request plans with them.
        conn.batch_execute("PRAGMA optimize")
            .context("cannot refresh SQLite's statistics")?;
    }
    Ok((db, applied))
}

/// The signing keys for this database (see [`auth::load_keys`]).
pub fn signing_keys(db: &Db, settings: &Settings) -> anyhow::Result<JwtKeys> {
    let mut conn = db.get().context("cannot connect to the database")?;
    auth::load_keys(&mut conn, settings.jwt_secret.as_deref())
        .context("cannot load the signing keys")
}

/// `PUBLIC_BASE_URL` without its trailing slash, checked to be an http(s) origin (links are
/// built on it by plain concatenation).
fn public_base_url(settings: &Settings) -> anyhow::Result<Option<String>> {
    let Some(raw) = settings.public_base_url.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Ok(None);
    }
    let base = raw.trim_end_matches('/');
    match url::Url::parse(base) {
        Ok(url)
            if ["http", "https"].contains(&url.scheme())
                && url.host().is_some()
                && url.query().is_none()
                && url.fragment().is_none() =>
        {
            Ok(Some(base.to_string()))
        }
        _ => bail!(
            "PUBLIC_BASE_URL must be an http(s) URL like https://api.example.com, not {raw:?}"
        ),
    }
}

/// How often a running server refreshes SQLite's planner statistics.
const STATISTICS_REFRESH_INTERVAL: Duration = Duration::from_secs(3600);

/// How often a running server deletes expired idempotency keys.
const IDEMPOTENCY_PURGE_INTERVAL: Duration = Duration::from_secs(300);

/// How often a running server deletes events past their retention.
const EVENT_PURGE_INTERVAL: Duration = Duration::from_secs(300);

/// A running server, bound and ready.
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    /// `None`: this instance leaves deliveries to others (`WEBHOOK_WORKER=false`).
    delivery: Option<delivery::Settings>,
    event_retention: chrono::Duration,
    /// Where rate limits are counted, when in the database (its old windows are purged).
    shared_limits: Option<Db>,
}

impl Application {
    /// Binds `settings.bind`, prepares the database and builds the server (not yet polled).
    pub fn build(settings: &Settings) -> anyhow::Result<Application> {
        let public_base_url = public_base_url(settings)?;
        let (db, _) = open_database(settings)?;
        let jwt = signing_keys(&db, settings)?;
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot bind {}", settings.bind))?;
        let address = listener.local_addr()?;
        let port = address.port();
        if settings.bootstrap {
            let host = match address {
                addr if addr.ip().is_unspecified() => format!("127.0.0.1:{port}"),
                addr => addr.to_string(),
            };
            bootstrap(&db, &jwt, &host)?;
        }
        let account_limit = settings
            .account_concurrency_limit
            .unwrap_or_else(|| AccountLimits::default_for_pool(db.max_size()));
        let search_limit = settings
            .account_search_concurrency_limit
            .unwrap_or_else(AccountLimits::default_search_lane);
        // A request waits for its account's slot as long as it would for a connection.
        let account_limits =
            AccountLimits::new(account_limit, search_limit, db.connection_timeout());
        // With SHARED_RATE_LIMITS on PostgreSQL, rate limits are counted in the database: one
        // limit for every instance on it.
        let shared_limits =
            (settings.shared_rate_limits && db.backend() == Backend::Postgres).then(|| db.clone());
        let limiter = |per_minute: u32| {
            Limiter::per_minute(per_minute).map(|l| l.shared_in(shared_limits.clone()))
        };
        let state = web::Data::new(AppState {
            db,
            jwt,
            max_body_bytes: settings.max_body_bytes,
            rate_limits: RateLimits {
                per_user: limiter(settings.rate_limit_per_minute),
                login_per_address: limiter(settings.login_rate_limit_per_minute),
                guest_per_address: limiter(settings.guest_rate_limit_per_minute),
            },
            body_read_timeout: Duration::from_secs(settings.body_read_timeout_secs.max(1)),
            public_base_url,
            require_if_match: settings.require_if_match,
            account_limits,
        });
        let cors_origins: Vec<String> = settings
            .cors_allowed_origins
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect();
        let policies = Policies {
            idempotency: web::Data::new(idempotency::Policy {
                ttl: settings.idempotency_key_ttl,
                wait: Duration::from_millis(settings.idempotency_wait_ms),
            }),
            webhooks: web::Data::new(services::webhooks::Policy {
                allow_private: settings.webhook_allow_private,
                retry_for: settings.webhook_retry_for,
            }),
            retention: web::Data::new(events::Retention(settings.event_retention)),
        };
        let server = run(
            listener,
            state.clone(),
            policies,
            cors_origins,
            settings.shutdown_timeout_secs,
        )
        .context("cannot start the HTTP server")?;
        let delivery = settings.webhook_worker.then(|| delivery::Settings {
            timeout: Duration::from_secs(settings.webhook_timeout_secs.max(1)),
            retry_for: settings.webhook_retry_for,
            first_retry: Duration::from_millis(settings.webhook_first_retry_ms.max(1)),
            allow_private: settings.webhook_allow_private,
        });
        Ok(Application {
            port,
            server,
            state,
            delivery,
            event_retention: settings.event_retention,
            shared_limits,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The state the handlers share (tests use it to arrange data).
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone().into_inner()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let statistics = actix_web::rt::spawn(db::refresh_statistics(
            self.state.db.clone(),
            STATISTICS_REFRESH_INTERVAL,
        ));
        let purge = actix_web::rt::spawn(db::idempotency::purge_expired_periodically(
            self.state.db.clone(),
            IDEMPOTENCY_PURGE_INTERVAL,
        ));
        let event_purge = actix_web::rt::spawn(delivery::purge_expired_periodically(
            self.state.db.clone(),
            self.event_retention,
            EVENT_PURGE_INTERVAL,
        ));
        let replicas = actix_web::rt::spawn(db::watch_replicas(self.state.db.clone()));
        let windows = actix_web::rt::spawn(crate::limits::purge_shared_windows(self.shared_limits));
        let worker = self
            .delivery
            .map(|settings| actix_web::rt::spawn(delivery::run(self.state.db.clone(), settings)));
        let stopped = self.server.await;
        statistics.abort();
        replicas.abort();
        windows.abort();
        purge.abort();
        event_purge.abort();
        if let Some(worker) = worker {
            worker.abort();
        }
        stopped
    }
}

/// The settings some routes read, as app data.
struct Policies {
    idempotency: web::Data<idempotency::Policy>,
    webhooks: web::Data<services::webhooks::Policy>,
    retention: web::Data<events::Retention>,
}

/// SIGTERM and SIGINT stop accepting connections and give in-flight requests `shutdown_timeout`
/// seconds to finish; the pool closes when the state is dropped.
fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    policies: Policies,
    cors_origins: Vec<String>,
    shutdown_timeout: u64,
) -> std::io::Result<Server> {
    let app = move || {
        // The last `wrap` runs first: the request id exists before anything logs or answers.
        App::new()
            .app_data(state.clone())
            .app_data(policies.idempotency.clone())
            .app_data(policies.webhooks.clone())
            .app_data(policies.retention.clone())
            .wrap(middleware::from_fn(head::route_as_get))
            .wrap(middleware::from_fn(etag::not_modified))
            .wrap(middleware::from_fn(rate_limit::enforce))
            .wrap(cors::policy(&cors_origins))
            .wrap(ErrorHandlers::new().default_handler(fallback::json_error_body))
            .wrap(Logger::new(r#"%a "%r" %s %b %Dms id=%{x-request-id}i"#))
            .wrap(middleware::from_fn(request_id::attach))
            .configure(routes::configure)
            .default_service(web::to(fallback::not_found))
    };
    // What `HttpServer` builds, but with each socket wrapped so that the answers actix-http
    // gives on its own (unparsable or oversized request heads) get JSON bodies too.
    let server = Server::build()
        .listen("supportdesk", listener, move || {
            let http = HttpService::build().h1(map_config(app(), |_| AppConfig::default()));
            fn_service(|io: TcpStream| {
                let peer = io.peer_addr().ok();
                std::future::ready(Ok::<_, DispatchError>((JsonParseErrors::new(io), peer)))
            })
            .and_then(http)
        })?
        .shutdown_timeout(shutdown_timeout)
        .run();
    Ok(server)
}

/// On an empty database: account 1, an admin and a 30-day token, announced as one curl line on
/// stderr — the only place a secret is ever printed — after a log line linking the docs page.
fn bootstrap(db: &Db, jwt: &JwtKeys, host: &str) -> anyhow::Result<()> {
    let mut conn = db.get().context("cannot connect to the database")?;
    let issued = conn
        .transaction(|conn: &mut DbConn| {
            // Instances starting together on one empty PostgreSQL bootstrap once.
            db::lock_for_startup(conn)?;
            if db::accounts::any_exist(conn)? {
                return Ok::<_, anyhow::Error>(None);
            }
            let account = db::accounts::create(conn, "Default account", false)?;
            let admin = members::create(
                conn,
                NewMember {
                    account_id: account.id,
                    email: EmailAddress::parse("admin@example.com").map_err(anyhow::Error::msg)?,
                    first_name: "Admin".into(),
                    last_name: None,
                    password_hash: None,
                    role: Role::Admin,
                },
            )?;
            let ttl = chrono::Duration::days(30);
            Ok(Some((
                account.id,
                auth::issue_token(conn, jwt, admin.id, ttl, None)?,
            )))
        })
        .context("cannot bootstrap the empty database")?;
    if let Some((account_id, issued)) = issued {
        log::info!(
            "first start: created account {account_id} and its admin; their token follows \
             (to try the API in a browser: http://{host}/docs, Authorize, paste the token)"
        );
        eprintln!(
            "curl -H \"Authorization: Bearer {}\" http://{host}/api/v1/profile",
            issued.token
        );
    }
    Ok(())
}
