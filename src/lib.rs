//! supportdesk: a REST/JSON support-desk backend on embedded SQLite or PostgreSQL.
//!
//! Read in this order: a request enters through [`routes`], is handled in [`api`] (extract, parse
//! into [`domain`] types, run a [`services`] use case over [`db`] code in one transaction, render a
//! view). Each layer has its errors: [`domain`] parsers return field errors, [`db`] its own
//! [`db::Error`], and [`error::ApiError`] turns them into statuses and bodies. Every write also
//! appends its events to the change feed ([`db::journal`], [`api::events`]); [`delivery`] pushes
//! them to webhook endpoints. [`startup`] wires it together; [`cli`] is the command line.

/// HTTP handlers, extractors and views.
pub mod api;
/// Tokens and passwords.
pub mod auth;
/// The commands `supportdesk` runs.
pub mod cli;
/// Settings and the command line.
pub mod config;
/// Connections, migrations and queries, for both backends.
pub mod db;
/// The webhook delivery worker beside the server.
pub mod delivery;
/// Pure request types and validation.
pub mod domain;
/// HTTP errors: every status and error body.
pub mod error;
/// Request counters (rate limits).
pub mod limits;
/// Every path in one place.
pub mod routes;
/// Use cases: one request's work inside its transaction.
pub mod services;
/// Building and running the HTTP server.
pub mod startup;
/// What handlers share.
pub mod state;
