//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and the
//! views' `ToSchema` derives; served at `GET /api/v1/openapi.json` (no token) and committed as
//! `docs/openapi.json` (`supportdesk openapi > docs/openapi.json`; a test compares the two).

mod conditional;
mod refine;
pub mod schemas;

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::Method;
use actix_web::HttpResponse;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Components, OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi};

use conditional::ConditionalRequests;
use refine::{Refinements, FORM};

use crate::api::extract::form::Fields;
use crate::api::{
    accounts, companies, conversations, custom_attributes, customers, events, health, notes,
    session, tags, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "supportdesk",
        description = "A support desk's REST/JSON API: accounts, customers with nested emails, \
            phones and websites, conversations and their interactions (also for contact-form \
            guests), companies with tiers, statuses and customer requests. Bodies are JSON or \
            `application/x-www-form-urlencoded` with bracket keys (`emails[0][email]=…`).",
        license(name = "MIT", identifier = "MIT")
    ),
    paths(
        health::health, health::ready,
        session::login, session::profile,
        accounts::show, accounts::update,
        customers::list::list, customers::create, customers::lookup, customers::show, customers::replace,
        customers::patch, customers::delete, customers::delete_contact, customers::upsert,
        customers::merge::merge, customers::duplicates::list, customers::duplicates::of_customer,
        conversations::list, conversations::create, conversations::show, conversations::update,
        conversations::delete,
        conversations::interactions::list, conversations::interactions::create,
        conversations::interactions::show, conversations::interactions::delete,
        companies::list, companies::create, companies::upsert, companies::show, companies::update,
        companies::delete,
        companies::labels::list_labels, companies::labels::create_label,
        companies::labels::show_label, companies::labels::update_label,
        companies::labels::delete_label,
        companies::requests::list_requests, companies::requests::create_request,
        companies::requests::show_request, companies::requests::update_request,
        companies::requests::delete_request,
        notes::list_customer_notes, notes::create_customer_note, notes::show_customer_note,
        notes::update_customer_note, notes::delete_customer_note,
        notes::list_company_notes, notes::create_company_note, notes::show_company_note,
        notes::update_company_note, notes::delete_company_note,
        tags::list,
        custom_attributes::list, custom_attributes::create, custom_attributes::show,
        custom_attributes::update, custom_attributes::delete,
        events::feed,
        webhooks::list, webhooks::create, webhooks::show, webhooks::update, webhooks::delete,
        webhooks::deliveries, webhooks::redeliver,
    ),
    modifiers(&SecuritySchemes, &OperationIds, &SharedRoutes, &ConditionalRequests, &Refinements),
    tags(
        (name = "Customers", description = "The people who contact the desk."),
        (name = "Conversations", description = "The source of customers' stats."),
        (name = "Interactions", description = "A conversation's messages and notes."),
        (name = "Companies", description = "Companies, matched by domain and external id."),
        (name = "Notes", description = "Agents' markdown notes on a customer or a company."),
        (name = "Tags", description = "The labels customers and companies carry."),
        (name = "Custom attributes", description = "The fields an account defines for its customers or companies, with typed values."),
        (name = "Events", description = "The change feed: every change, in order, pulled."),
        (name = "Webhooks", description = "The change feed, pushed: signed deliveries (Standard Webhooks) with retries."),
    )
)]
struct ApiDoc;

/// `bearer`: a JWT from `supportdesk tokens create` or `POST /auth/login`.
/// `fingerprint`: a contact-form guest, `Authorization: Fingerprint <email>:<uuid v4>`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "fingerprint",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Fingerprint <email>:<uuid v4>`: a contact-form guest, on accounts with \
                 contact forms enabled, for its own conversations only.",
            ))),
        );
    }
}

/// utoipa names an operation after its handler, so several resources' `show`, `list`, `create`,
/// `update` and `delete` share one operationId. OpenAPI requires them unique, and tools rely on it
/// (Swagger UI's "Try it out" at `/docs` sends the first operation with the id; client generators
/// name methods after it): a shared one gets its resource, `list_customers`, `show_customer`.
struct OperationIds;

impl Modify for OperationIds {
    fn modify(&self, openapi: &mut Document) {
        let mut uses: HashMap<String, usize> = HashMap::new();
        for item in openapi.paths.paths.values() {
            for op in operations(item) {
                if let Some(id) = &op.operation_id {
                    *uses.entry(id.clone()).or_default() += 1;
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            // The resource: the path's last literal segment (`customers`, `accounts`) that is not
            // an action on it (`upsert`).
            let Some(plural) = path
                .rsplit('/')
                .find(|s| !s.is_empty() && !s.starts_with('{') && *s != "upsert")
            else {
                continue;
            };
            let singular = match plural.strip_suffix("ies") {
                Some(stem) => format!("{stem}y"),
                None => plural.trim_end_matches('s').to_string(),
            };
            for op in operations_mut(item) {
                let Some(id) = op.operation_id.as_mut() else {
                    continue;
                };
                if uses.get(id.as_str()).is_some_and(|n| *n > 1) {
                    let noun = if id == "list" { plural } else { &singular };
                    *id = format!("{id}_{noun}");
                }
            }
        }
    }
}

fn operations(item: &PathItem) -> impl Iterator<Item = &Operation> {
    [&item.get, &item.post, &item.put, &item.patch, &item.delete]
        .into_iter()
        .flatten()
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.post,
        &mut item.put,
        &mut item.patch,
        &mut item.delete,
    ]
    .into_iter()
    .flatten()
}

/// Routes served by the same handlers as others: PUT beside PATCH, statuses beside tiers.
struct SharedRoutes;

impl Modify for SharedRoutes {
    fn modify(&self, openapi: &mut Document) {
        let paths = &mut openapi.paths.paths;
        // PUT is PATCH on records, except customers (PUT requires first_name: annotated apart);
        // notes are records of their own under customers.
        for (path, item) in paths.iter_mut() {
            let record = path.ends_with("/{id}") && !path.contains("/customers/");
            if (record || path.ends_with("/notes/{note_id}")) && item.put.is_none() {
                if let Some(patch) = item.patch.clone() {
                    let mut put = patch;
                    put.operation_id = put.operation_id.map(|id| format!("{id}_put"));
                    item.put = Some(put);
                }
            }
        }
        let tiers: Vec<(String, PathItem)> = paths
            .iter()
            .filter(|(path, _)| path.contains("/customer_tiers"))
            .map(|(path, item)| {
                (
                    path.replace("customer_tiers", "customer_statuses"),
                    item.clone(),
                )
            })
            .collect();
        for (path, mut item) in tiers {
            for op in operations_mut(&mut item) {
                op.tags = Some(vec!["Statuses".into()]);
                op.operation_id = op.operation_id.as_ref().map(|id| format!("{id}_status"));
                op.summary = op.summary.as_ref().map(|s| s.replace("tier", "status"));
            }
            paths.insert(path, item);
        }
    }
}

/// The document as committed: pretty JSON with a trailing newline. Built once: every
/// `GET /api/v1/openapi.json` and every `/docs` visit serves the same text.
#[allow(
    clippy::expect_used,
    reason = "a document of strings and maps always serializes"
)]
pub fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let json = ApiDoc::openapi()
            .to_pretty_json()
            .expect("the document serializes");
        // utoipa 5.5 writes a link's `operationId` as `operation_id`; no other object has that key.
        let mut out = String::with_capacity(json.len() + 1);
        for line in json.lines() {
            match line.trim_start().strip_prefix("\"operation_id\": ") {
                Some(rest) => {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    out.push_str(indent);
                    out.push_str("\"operationId\": ");
                    out.push_str(rest);
                }
                None => out.push_str(line),
            }
            out.push('\n');
        }
        out
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document_json())
}

/// The fields the document names for the form body of `method` on the route `pattern`
/// (`/api/v1/accounts/{account_id}/customers`); `None` for an operation without one. The form
/// parser skips the unreadable keys of any other field (unknown fields are ignored) instead of
/// refusing the body.
pub fn form_fields(method: &Method, pattern: &str) -> Option<&'static Fields> {
    static FIELDS: OnceLock<HashMap<String, HashMap<Method, Fields>>> = OnceLock::new();
    FIELDS
        .get_or_init(|| form_fields_of(&ApiDoc::openapi()))
        .get(pattern)?
        .get(method)
}

fn form_fields_of(document: &Document) -> HashMap<String, HashMap<Method, Fields>> {
    let empty = Components::default();
    let components = document.components.as_ref().unwrap_or(&empty);
    let mut out: HashMap<String, HashMap<Method, Fields>> = HashMap::new();
    for (path, item) in &document.paths.paths {
        for (method, op) in [
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
        ] {
            let schema = op
                .as_ref()
                .and_then(|op| op.request_body.as_ref())
                .and_then(|body| body.content.get(FORM))
                .and_then(|content| content.schema.as_ref());
            if let Some(schema) = schema {
                out.entry(path.clone())
                    .or_default()
                    .insert(method, fields_of(schema, components, 0));
            }
        }
    }
    out
}

/// What `schema` names: an object's properties, a list's items; anything else is a value.
fn fields_of(schema: &RefOr<Schema>, components: &Components, depth: usize) -> Fields {
    // No form schema nests this deep; the bound only keeps a cycle of references finite.
    if depth > 16 {
        return Fields::Value;
    }
    match schema {
        RefOr::Ref(reference) => {
            let name = reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default();
            match components.schemas.get(name) {
                Some(schema) => fields_of(schema, components, depth + 1),
                None => Fields::Value,
            }
        }
        RefOr::T(Schema::Object(object)) if !object.properties.is_empty() => Fields::Object(
            object
                .properties
                .iter()
                .map(|(name, field)| (name.clone(), fields_of(field, components, depth + 1)))
                .collect(),
        ),
        RefOr::T(Schema::Array(array)) => Fields::List(Box::new(match &array.items {
            ArrayItems::RefOrSchema(items) => fields_of(items, components, depth + 1),
            ArrayItems::False => Fields::Value,
        })),
        RefOr::T(Schema::AnyOf(any)) => any
            .items
            .iter()
            .map(|item| fields_of(item, components, depth + 1))
            .find(|fields| !matches!(fields, Fields::Value))
            .unwrap_or(Fields::Value),
        RefOr::T(_) => Fields::Value,
    }
}
