//! The integration tests: one binary, the real server over HTTP, on SQLite and on PostgreSQL.
//! PostgreSQL cases need `SUPPORTDESK_TEST_POSTGRES_URL` (see the README); without it they are
//! compiled as ignored (see build.rs), unless `CI=true`, where they run and fail.

// Tests may panic on anything unexpected, and nothing here is reachable from outside.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod helpers;

mod accounts;
mod auth;
mod bootstrap;
mod cli;
mod companies;
mod conditional;
mod contact_forms;
mod conversations;
mod cursors;
mod custom_attributes;
mod customers;
mod customers_duplicates;
mod customers_identity;
mod customers_list;
mod customers_lookup;
mod customers_merge;
mod customers_search;
mod ecosystem;
mod errors;
mod events;
mod hardening;
mod health;
mod idempotency;
mod migrations;
mod notes;
mod openapi;
mod query_plans;
mod rate_limits;
mod read_replicas;
mod reliability;
mod scaling;
mod schema;
mod tags;
mod tenant_keys;
