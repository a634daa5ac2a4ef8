//! Shapes the document describes that have no Rust type of their own: request bodies (handlers
//! read them field by field from JSON or bracket-form bodies, see `domain/`), the error body, list
//! envelopes and path/query parameters. The response objects themselves are the real views.

#![allow(dead_code)] // Read by the OpenAPI derive only.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// Every error: a message, and for 422 (and some 409) the messages per field, keyed by the
/// dotted path into the request body (`emails.3.email`).
#[derive(ToSchema)]
#[schema(example = json!({"message": "The given data was invalid.", "errors": {"emails.0.email": ["must be a valid email address"]}}))]
pub struct ErrorBody {
    message: String,
    errors: Option<BTreeMap<String, Vec<String>>>,
    /// A 412's current entity tag of the record (as in its `ETag` header).
    etag: Option<String>,
    /// A 422 for an email or external id another customer holds: that customer. A 308 for a
    /// merged customer: the survivor, and its path.
    conflict: Option<ConflictHolder>,
}

/// Who holds a value the request asked for (`{"customer_id": 12}`), or the customer a merged
/// one lives on in (with its `location`).
#[derive(ToSchema)]
pub struct ConflictHolder {
    customer_id: i64,
    #[schema(nullable = false)]
    location: Option<String>,
}

/// `{"data": …}`: every single-object response.
#[derive(ToSchema)]
pub struct Data<T: ToSchema> {
    data: T,
}

/// A page of a list. Numbered pages (`page`) carry `meta.current_page`, `total`, `last_page`,
/// `from`, `to` and `links.first`/`last`/`prev`; pages fetched by `cursor` carry only
/// `meta.per_page`, `meta.next_cursor` and `links.next`.
#[derive(ToSchema)]
pub struct ListOf<T: ToSchema> {
    data: Vec<T>,
    meta: ListMeta,
    links: ListLinks,
}

#[derive(ToSchema)]
#[schema(example = json!({"current_page": 1, "per_page": 25, "total": 1, "last_page": 1, "from": 1, "to": 1}))]
pub struct ListMeta {
    current_page: Option<i64>,
    per_page: i64,
    total: Option<i64>,
    last_page: Option<i64>,
    from: Option<i64>,
    to: Option<i64>,
    /// Where the next page starts (`?cursor=`); absent or null on the last page.
    next_cursor: Option<String>,
}

#[derive(ToSchema)]
pub struct ListLinks {
    first: Option<String>,
    last: Option<String>,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(ToSchema)]
pub struct EmailItem {
    id: i64,
    #[schema(example = "jane@example.org")]
    email: String,
}

#[derive(ToSchema)]
pub struct PhoneItem {
    id: i64,
    #[schema(example = "123 123 1234")]
    phone: String,
}

#[derive(ToSchema)]
pub struct WebsiteItem {
    id: i64,
    #[schema(example = "https://www.example.org/")]
    website: String,
}

/// A nested email to add (no `id`, or one that is not this customer's) or update (`id` of one of
/// this customer's emails).
#[derive(ToSchema)]
pub struct EmailInput {
    id: Option<i64>,
    #[schema(example = "jane@example.org", format = Email, max_length = 254)]
    email: String,
}

#[derive(ToSchema)]
pub struct PhoneInput {
    id: Option<i64>,
    /// Digits, spaces and `+ - ( ) . x`, at least 3 digits.
    #[schema(
        example = "123 123 1234",
        max_length = 50,
        pattern = r"^[ +\-().x]*[0-9][ +\-().x]*[0-9][ +\-().x]*[0-9][0-9 +\-().x]*$"
    )]
    phone: String,
}

#[derive(ToSchema)]
pub struct WebsiteInput {
    id: Option<i64>,
    /// An absolute http(s) URL.
    #[schema(
        example = "https://www.example.org/",
        format = "uri",
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    website: String,
}

/// A customer's changes (`PATCH`): any field, none required. Nested items are upserted by id;
/// items not mentioned stay (remove one with its `DELETE`). A text field that is `null` or blank
/// is cleared. Also accepted form-encoded: `emails[0][email]=…`.
#[derive(ToSchema)]
#[schema(example = json!({"first_name": "Jane", "last_name": "Doe",
    "emails": [{"email": "jane@example.org"}], "phones": [{"phone": "123 123 1234"}],
    "websites": [{"website": "https://www.example.org/"}]}))]
pub struct CustomerInput {
    #[schema(max_length = 255)]
    first_name: Option<String>,
    #[schema(max_length = 255)]
    last_name: Option<String>,
    #[schema(max_length = 255)]
    company: Option<String>,
    /// An absolute http(s) URL.
    #[schema(
        format = "uri",
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    avatar: Option<String>,
    /// The company (SPEC §6); null unlinks. Without it, a customer links to the company owning
    /// one of its email domains.
    #[schema(minimum = 1)]
    company_id: Option<i64>,
    /// At most 15, also counting the customer's other emails; unique in the account.
    #[schema(max_items = 15)]
    emails: Option<Vec<EmailInput>>,
    /// At most 25, also counting the customer's other phones.
    #[schema(max_items = 25)]
    phones: Option<Vec<PhoneInput>>,
    /// At most 150, also counting the customer's other websites.
    #[schema(max_items = 150)]
    websites: Option<Vec<WebsiteInput>>,
    /// Ids in other systems, one per source (`{"stripe": "cus_123"}`); each id names one customer
    /// of the account whatever its source. Sources given are set, `null` or `""` removes one,
    /// sources not mentioned stay; `"external_ids": null` removes them all.
    #[schema(schema_with = external_ids_input)]
    external_ids: Option<serde_json::Value>,
    /// The customer's whole list of tags (`null` or `[]` removes them all; absent, they stay).
    /// Normalized (case, width, spaces), each once: at most 50.
    #[schema(max_items = 50)]
    tags: Option<Vec<Tag>>,
    /// Values of the account's custom attributes for customers (`{"plan": "pro"}`), each checked
    /// against its definition's type. Keys given are set, `null` removes one, the others stay;
    /// `"custom_attributes": null` removes them all.
    #[schema(schema_with = custom_attributes_input)]
    custom_attributes: Option<serde_json::Value>,
}

/// `{"<key>": value}`: a key is 1–50 of `a-z`, `0-9` and `_`; a value a string, a number, a
/// boolean, or `null` to remove it.
pub fn custom_attributes_input() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let value = ObjectBuilder::new().schema_type(SchemaType::from_iter([
        Type::String,
        Type::Number,
        Type::Boolean,
        Type::Null,
    ]));
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[a-z][a-z0-9_]{0,49}$")),
        ))
        .additional_properties(Some(value))
        .examples([serde_json::json!({"plan": "pro", "seats": 12})])
        .build()
}

/// `{"<source>": "<id>"}`: a source is letters, digits, `_` and `-` (lower-cased), an id 1–255
/// characters (leading and trailing whitespace aside), at most 20 sources.
pub fn external_ids_input() -> utoipa::openapi::schema::Object {
    external_ids_schema(true)
}

/// A customer's external ids as its view shows them.
pub fn external_ids_view() -> utoipa::openapi::schema::Object {
    external_ids_schema(false)
}

fn external_ids_schema(input: bool) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let id = ObjectBuilder::new()
        .schema_type(match input {
            true => utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]),
            false => Type::String.into(),
        })
        .max_length(Some(255))
        .pattern(Some(r"^[^\x00]*$"));
    ObjectBuilder::new()
        .schema_type(match input {
            true => utoipa::openapi::schema::SchemaType::from_iter([Type::Object, Type::Null]),
            false => Type::Object.into(),
        })
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")),
        ))
        .additional_properties(Some(id))
        .max_properties(Some(20))
        .examples([serde_json::json!({"stripe": "cus_123"})])
        .build()
}

/// A customer to create (`POST`) or replace (`PUT`): `CustomerInput` with `first_name` required.
// The other fields are `CustomerInput`'s: see `variants`.
#[derive(ToSchema)]
pub struct CustomerCreate {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S")]
    first_name: String,
}

/// An account's changes (admins).
#[derive(ToSchema)]
#[schema(example = json!({"contact_form_enabled": true}))]
pub struct AccountInput {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S", nullable = false)]
    name: Option<String>,
    /// Lets guests open conversations through a contact form (`Authorization: Fingerprint`).
    #[schema(nullable = false)]
    contact_form_enabled: Option<bool>,
    /// The region of phones written without a country code, an ISO 3166 code (`US`, `GB`, …;
    /// any case): phones are then compared as E.164 (lookups, the `phone` filter, duplicates),
    /// and the account's stored phones are keyed again. `null` compares by digits.
    #[schema(pattern = r"^\s*[A-Za-z]{2}\s*$", example = "US")]
    phone_region: Option<String>,
}

#[derive(ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub struct LoginInput {
    #[schema(pattern = r"\S")]
    email: String,
    #[schema(pattern = r"\S")]
    password: String,
}

#[derive(ToSchema, Serialize)]
#[schema(example = json!({"type": "customer", "body": "Hello, my order has not arrived."}))]
pub struct InteractionInput {
    /// `customer` (guests may only send these), `agent` (a reply) or `note` (internal).
    #[serde(rename = "type")]
    #[schema(example = "customer", pattern = r"^\s*(customer|agent|note)\s*$")]
    kind: String,
    /// Not blank; at most 64 KiB (UTF-8).
    #[schema(pattern = r"\S", max_length = 65536)]
    body: String,
    #[schema(max_length = 255)]
    source: Option<String>,
}

/// A conversation. `customer_email` (or `to`, the widget's name for it) finds the account's
/// customer with that email, or creates one (named by `first_name`/`last_name`); give it or
/// `customer_id`, not both.
#[derive(ToSchema)]
#[schema(example = json!({"to": "jane@example.org", "first_name": "Jane", "last_name": "Doe",
    "subject": "Where is my order?", "channel": "email",
    "interactions": [{"type": "customer", "body": "Hello, my order has not arrived."}]}))]
pub struct ConversationInput {
    #[schema(minimum = 1)]
    customer_id: Option<i64>,
    #[schema(format = Email, max_length = 254)]
    customer_email: Option<String>,
    #[schema(format = Email, max_length = 254)]
    to: Option<String>,
    #[schema(max_length = 255)]
    first_name: Option<String>,
    #[schema(max_length = 255)]
    last_name: Option<String>,
    /// `posted` (default), `draft`, `pending` or `closed`.
    #[schema(pattern = r"^\s*(posted|draft|pending|closed)\s*$", nullable = false)]
    status: Option<String>,
    /// `email` (default), `chat`, `phone` or `api`.
    #[schema(pattern = r"^\s*(email|chat|phone|api)\s*$", nullable = false)]
    channel: Option<String>,
    #[schema(max_length = 255)]
    subject: Option<String>,
    /// The assignee: a member of the account.
    #[schema(minimum = 1)]
    user_id: Option<i64>,
    /// Messages created with the conversation.
    #[schema(max_items = 100)]
    interactions: Option<Vec<InteractionInput>>,
}

/// A conversation's changes (`PUT` and `PATCH`): absent fields stay.
#[derive(ToSchema)]
#[schema(example = json!({"status": "closed"}))]
pub struct ConversationChanges {
    #[schema(pattern = r"^\s*(posted|draft|pending|closed)\s*$", nullable = false)]
    status: Option<String>,
    #[schema(pattern = r"^\s*(email|chat|phone|api)\s*$", nullable = false)]
    channel: Option<String>,
    /// `null` or blank clears it.
    #[schema(max_length = 255)]
    subject: Option<String>,
    /// The assignee, a member of the account; `null` unassigns.
    #[schema(minimum = 1)]
    user_id: Option<i64>,
}

/// A company's changes (`PUT` and `PATCH`, SPEC §6). Domains are lower-cased, never a public email
/// provider, and unique in the account, as are external ids; the lists given replace the
/// company's (`null` empties them).
#[derive(ToSchema)]
#[schema(example = json!({"name": "ACME", "domains": ["acme.com"], "external_ids": ["cus-acme-12345"], "revenue": 1000000, "size": 50}))]
pub struct CompanyInput {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S", nullable = false)]
    name: Option<String>,
    #[schema(max_items = 50)]
    domains: Option<Vec<Domain>>,
    #[schema(max_items = 50)]
    external_ids: Option<Vec<ExternalId>>,
    /// One of the account's tiers.
    #[schema(minimum = 1)]
    tier_id: Option<i64>,
    /// One of the account's statuses.
    #[schema(minimum = 1)]
    status_id: Option<i64>,
    /// A user.
    #[schema(minimum = 1)]
    owner_id: Option<i64>,
    #[schema(minimum = 0)]
    revenue: Option<i64>,
    #[schema(minimum = 0)]
    size: Option<i64>,
    /// An absolute http(s) URL.
    #[schema(
        format = "uri",
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    logo_url: Option<String>,
    /// The company's whole list of tags, as customers' (an upsert adds to the match's). Never
    /// locked by an integration.
    #[schema(max_items = 50)]
    tags: Option<Vec<Tag>>,
    /// Values of the account's custom attributes for companies, as customers'. Never locked by
    /// an integration.
    #[schema(schema_with = custom_attributes_input)]
    custom_attributes: Option<serde_json::Value>,
}

/// A company to create (`POST`): `CompanyInput` with `name` required.
// The other fields are `CompanyInput`'s: see `variants`.
#[derive(ToSchema)]
pub struct CompanyCreate {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S")]
    name: String,
}

/// An upsert (SPEC §6): matched by external id, then by domain; the lists given are merged into
/// the company's. `name` is required when nothing matches and the company is created.
// `CompanyInput`'s fields and this one: see `variants`.
#[derive(ToSchema)]
#[schema(example = json!({"name": "ACME", "domains": ["acme.com"], "external_id": "cus-acme-12345", "revenue": 1000000, "size": 50}))]
pub struct CompanyUpsert {
    /// One more external id to match by and add (1–255 characters, leading and trailing
    /// whitespace aside).
    #[schema(pattern = r"^\s*\S([\s\S]{0,253}\S)?\s*$")]
    external_id: Option<String>,
}

/// A company domain: a host name with at least two labels (letters, digits, hyphens; IDNs in
/// any form), not a public email provider.
#[derive(ToSchema)]
#[schema(value_type = String, format = Hostname, pattern = r"\.", example = "acme.com")]
pub struct Domain(String);

/// A tag: up to 50 characters once normalized (NFKC, lower-cased, whitespace runs made one
/// space, trimmed), not blank, without commas or control characters (the pattern leaves the
/// control characters to the server: it can't name code points).
#[derive(ToSchema)]
#[schema(
    value_type = String,
    pattern = r"^\s*[^,\s](?:[^,]{0,48}[^,\s])?\s*$",
    example = "vip"
)]
pub struct Tag(String);

/// An external id: 1–255 characters, leading and trailing whitespace aside.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = r"^\s*\S([\s\S]{0,253}\S)?\s*$", example = "cus-acme-12345")]
pub struct ExternalId(String);

/// A customer to create or update (`POST /customers/upsert`): `CustomerInput`, plus `match`,
/// which says which of the body's own values find the customer: its `external_ids`, `emails` or
/// `phones` (the first of them that a customer holds). On a match the body is applied as a
/// `PATCH` (emails, phones and websites the customer already has are not added again); with no
/// match the customer is created, and then `first_name` is required.
// The other fields are `CustomerInput`'s: see `variants`.
#[derive(ToSchema)]
#[schema(example = json!({"match": "email", "first_name": "Jane",
    "emails": [{"email": "jane@example.org"}], "external_ids": {"stripe": "cus_123"}}))]
pub struct CustomerUpsert {
    #[serde(rename = "match")]
    #[schema(pattern = r"^\s*(external_id|email|phone)\s*$")]
    r#match: String,
}

/// `POST /customers/{id}/merge`: the customers to merge into this one, whether only to preview
/// it, and where each field's value comes from. Without a rule a field keeps the target's value,
/// or when the target has none takes the first source's (in `from` order) that has one.
#[derive(ToSchema)]
#[schema(example = json!({"from": [12, 15], "preview": true, "rules": {"last_name": "newest"}}))]
pub struct CustomerMerge {
    /// 1–50 distinct customer ids of the account, not the target's.
    #[schema(schema_with = merge_from)]
    from: Vec<i64>,
    /// Show the result and what moves, write nothing.
    #[schema(nullable = false)]
    preview: Option<bool>,
    #[schema(nullable = false)]
    rules: Option<MergeRules>,
}

fn merge_from() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::Int64,
                )))
                .minimum(Some(1)),
        )
        .min_items(Some(1))
        .max_items(Some(50))
        .unique_items(true)
        .build()
}

/// Per field: `target` (the target's value, even none), `source` (the first source's, in `from`
/// order, that has one; else the target's) or `newest` (the most recently updated customer's
/// that has one). Other fields are refused.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRules {
    #[schema(pattern = r"^\s*(target|source|newest)\s*$", nullable = false)]
    first_name: Option<String>,
    #[schema(pattern = r"^\s*(target|source|newest)\s*$", nullable = false)]
    last_name: Option<String>,
    #[schema(pattern = r"^\s*(target|source|newest)\s*$", nullable = false)]
    company: Option<String>,
    #[schema(pattern = r"^\s*(target|source|newest)\s*$", nullable = false)]
    avatar: Option<String>,
    #[schema(pattern = r"^\s*(target|source|newest)\s*$", nullable = false)]
    company_id: Option<String>,
}

/// A tier or a status to create (`POST`).
// The other fields are `LabelInput`'s: see `variants`.
#[derive(ToSchema)]
pub struct LabelCreate {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S")]
    name: String,
}

/// A tier's or a status's changes (`PUT` and `PATCH`).
#[derive(ToSchema)]
#[schema(example = json!({"name": "Enterprise", "color": "#5e6ad2", "position": 1}))]
pub struct LabelInput {
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S", nullable = false)]
    name: Option<String>,
    /// `null` or blank clears it.
    #[schema(max_length = 32)]
    color: Option<String>,
    #[schema(minimum = 0, maximum = 1000000, nullable = false)]
    position: Option<i64>,
}

/// A custom attribute's definition.
#[derive(ToSchema)]
#[schema(example = json!({"key": "plan", "label": "Plan", "type": "list",
    "object_type": "customer", "options": ["free", "pro", "enterprise"]}))]
pub struct DefinitionCreate {
    /// 1–50 of `a-z`, `0-9` and `_`, starting with a letter; unique per object type.
    #[schema(pattern = r"^\s*[a-z][a-z0-9_]{0,49}\s*$")]
    key: String,
    /// Not blank.
    #[schema(max_length = 255, pattern = r"\S")]
    label: String,
    /// What its values must be: a string, a number, true/false, a `YYYY-MM-DD` date, or one of
    /// a list's `options`.
    #[schema(rename = "type", pattern = r"^\s*(text|number|boolean|date|list)\s*$")]
    data_type: String,
    /// Which records carry it.
    #[schema(pattern = r"^\s*(customer|company)\s*$")]
    object_type: String,
    /// Lists only (and required for them): 1–100 distinct values.
    #[schema(min_items = 1, max_items = 100, nullable = false)]
    options: Option<Vec<DefinitionOption>>,
}

/// A list's value: 1–100 characters, not blank.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = r"^\s*\S.{0,99}$", example = "pro")]
pub struct DefinitionOption(String);

/// A definition's changes (`PUT` and `PATCH`): its label, and a list's options. `key`, `type`
/// and `object_type` can't change (422).
#[derive(ToSchema)]
#[schema(example = json!({"label": "Plan", "options": ["free", "pro", "enterprise", "custom"]}))]
pub struct DefinitionChanges {
    #[schema(max_length = 255, pattern = r"\S", nullable = false)]
    label: Option<String>,
    /// Lists only. An option some record holds can't be removed (409).
    #[schema(min_items = 1, max_items = 100, nullable = false)]
    options: Option<Vec<DefinitionOption>>,
}

/// `?object_type=` of the definitions list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DefinitionFilter {
    /// `customer` or `company`: only that kind's definitions.
    #[param(pattern = r"^\s*(customer|company)?\s*$")]
    object_type: Option<String>,
}

/// A customer request (SPEC §7), attached to a conversation of the account.
// The other fields are `RequestInput`'s: see `variants`.
#[derive(ToSchema)]
#[schema(example = json!({"conversation_id": 1, "body": "Content of the request",
    "company_external_id": "own-customer-id",
    "attachment_url": "https://conversations.support.com/conversations/12345"}))]
pub struct RequestCreate {
    #[schema(minimum = 1)]
    conversation_id: i64,
}

/// A customer request's changes (`PUT` and `PATCH`); its conversation can't be changed.
#[derive(ToSchema)]
#[schema(example = json!({"priority": 1, "body": "Content of the request"}))]
pub struct RequestInput {
    /// Give it or `company_external_id`, not both; in a change, `null` detaches the company.
    company_id: Option<i64>,
    /// One of a company's external ids.
    company_external_id: Option<String>,
    customer_id: Option<i64>,
    /// 0 normal, 1 important.
    #[schema(minimum = 0, maximum = 1, nullable = false)]
    priority: Option<i64>,
    /// Markdown, at most 64 KiB (UTF-8).
    #[schema(max_length = 65536)]
    body: Option<String>,
    /// The request's attachment: an absolute http(s) URL; in a change, `null` removes it.
    #[schema(
        format = "uri",
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    attachment_url: Option<String>,
}

/// A webhook endpoint to create (`POST`).
// The other fields are `EndpointInput`'s: see `variants`.
#[derive(ToSchema)]
#[schema(example = json!({"url": "https://hooks.example.com/supportdesk", "events": ["customer.*", "conversation.created"]}))]
pub struct EndpointCreate {
    /// An http(s) URL without credentials; loopback, private and link-local targets are refused
    /// unless the server allows them (`WEBHOOK_ALLOW_PRIVATE`).
    #[schema(
        format = "uri",
        max_length = 2048,
        pattern = "^\\s*[Hh][Tt][Tt][Pp][Ss]?://"
    )]
    url: String,
    /// `whsec_` and a base64 key of 24 to 64 bytes (standard alphabet, padded); leave it out to
    /// have one generated. Shown once, in the create response.
    // Whole 3-byte groups, then an optional padded tail whose unused bits are zero (what a strict
    // decoder takes): 8–20 groups with either tail, or 21 groups with at most one more byte.
    #[schema(
        pattern = "^\\s*whsec_(?:(?:[A-Za-z0-9+/]{4}){8,20}(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?|(?:[A-Za-z0-9+/]{4}){21}(?:[A-Za-z0-9+/][AQgw]==)?)\\s*$",
        nullable = false
    )]
    secret: Option<String>,
}

/// A webhook endpoint's changes (`PUT` and `PATCH`); its secret can't be changed.
#[derive(ToSchema)]
#[schema(example = json!({"enabled": true}))]
pub struct EndpointInput {
    #[schema(
        format = "uri",
        max_length = 2048,
        pattern = "^\\s*[Hh][Tt][Tt][Pp][Ss]?://",
        nullable = false
    )]
    url: Option<String>,
    /// Event types (`customer.created`) and `kind.*` patterns; `*` is every type (the default).
    #[schema(min_items = 1, max_items = 13, nullable = false, example = json!(["customer.*"]))]
    events: Option<Vec<EventType>>,
    /// `false`: no event is queued for it. `true` also revives a failing endpoint.
    #[schema(nullable = false)]
    enabled: Option<bool>,
}

/// An event type (`customer.created`), a `kind.*` pattern, or `*` (every type).
#[derive(ToSchema)]
#[schema(value_type = String, example = "customer.*",
    pattern = r"^\s*(\*|(customer|conversation|company|customer_request)\.(\*|created|updated|deleted)|interaction\.(\*|created))\s*$")]
pub struct EventType(String);

/// A page of the change feed.
#[derive(ToSchema)]
pub struct EventPage {
    data: Vec<crate::api::events::EventView<'static>>,
    meta: crate::api::events::FeedMeta<'static>,
    links: crate::api::events::FeedLinks,
}

/// The bodies declared as another's fields with a few of their own (`CustomerCreate` is
/// `CustomerInput` with `first_name` required): (variant, the body whose fields it adds). The
/// document's refinements complete each variant: its own fields first, then the other's that it
/// does not redeclare; its description, and its example or else the other's.
pub(super) fn variants() -> [(String, String); 7] {
    [
        (EndpointCreate::name(), EndpointInput::name()),
        (CustomerCreate::name(), CustomerInput::name()),
        (CustomerUpsert::name(), CustomerInput::name()),
        (CompanyCreate::name(), CompanyInput::name()),
        (CompanyUpsert::name(), CompanyInput::name()),
        (LabelCreate::name(), LabelInput::name()),
        (RequestCreate::name(), RequestInput::name()),
    ]
    .map(|(variant, base)| (variant.into_owned(), base.into_owned()))
}

#[derive(ToSchema, Serialize)]
#[schema(example = json!({"status": "ok"}))]
pub struct Status {
    status: String,
}

/// `{account_id}` in a path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AccountPath {
    /// The account; another account's, or a missing one, is a 404.
    #[param(minimum = 1)]
    account_id: i64,
}

/// `{account_id}` and a record's `{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ItemPath {
    #[param(minimum = 1)]
    account_id: i64,
    #[param(minimum = 1)]
    id: i64,
}

/// An interaction of a conversation.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct InteractionPath {
    #[param(minimum = 1)]
    account_id: i64,
    /// The conversation.
    #[param(minimum = 1)]
    id: i64,
    #[param(minimum = 1)]
    interaction_id: i64,
}

/// A note of a customer (or of a company: `id` is then the company's).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NotePath {
    #[param(minimum = 1)]
    account_id: i64,
    /// The customer or company.
    #[param(minimum = 1)]
    id: i64,
    #[param(minimum = 1)]
    note_id: i64,
}

/// A new note.
#[derive(ToSchema)]
#[schema(example = json!({"body": "Prefers **phone** calls; renewal due in March."}))]
pub struct NoteInput {
    /// Markdown, at most 64 KiB (UTF-8); not blank.
    #[schema(min_length = 1, max_length = 65536, pattern = r"\S")]
    body: String,
}

/// A note's change (`PATCH` and `PUT`): without `body`, nothing changes.
#[derive(ToSchema)]
#[schema(example = json!({"body": "Prefers email now."}))]
pub struct NoteChanges {
    /// Markdown, at most 64 KiB (UTF-8); not blank.
    #[schema(min_length = 1, max_length = 65536, pattern = r"\S", nullable = false)]
    body: Option<String>,
}

/// One of a customer's emails, phones or websites.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ContactPath {
    #[param(minimum = 1)]
    account_id: i64,
    /// The customer.
    #[param(minimum = 1)]
    id: i64,
    /// `emails`, `phones` or `websites`.
    #[param(pattern = "^(emails|phones|websites)$")]
    list: String,
    #[param(minimum = 1)]
    item_id: i64,
}

/// Paging, shared by every list. A blank value is the same as none.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1, 2, … (default 1).
    #[param(minimum = 1, maximum = 1000000000)]
    page: Option<i64>,
    /// 1–100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// The `meta.next_cursor` of the previous page: the next page without counting (replaces
    /// `page`; keep the same sort and filters).
    cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilters {
    /// `created_at`, `-created_at` (default), `updated_at`, `-updated_at`, `name`, `-name`.
    #[param(pattern = r"^\s*(-?(created_at|updated_at|name))?\s*$")]
    sort: Option<String>,
    /// Any of the customer's emails, exactly, ignoring case.
    email: Option<String>,
    /// Any of the customer's phones, compared by digits (so it has some).
    #[param(pattern = r"^\s*$|[0-9]")]
    phone: Option<String>,
    /// Search: words that each start a word of the names or company, an email, a phone's digits
    /// (any 4 or more) or a website's host; any order, case and accents aside. Best match first,
    /// not counted; not with `sort` (422), and `page` reaches the first 1,000 results.
    #[param(max_length = 255)]
    q: Option<String>,
    #[param(minimum = 1)]
    company_id: Option<i64>,
    /// Changed at or after this RFC 3339 time.
    #[param(example = "2019-04-25T17:51:31+00:00", format = DateTime)]
    updated_since: Option<String>,
    /// Carries this tag (compared normalized); several `tag=`: every one of them.
    #[param(style = Form, explode, max_items = 50)]
    tag: Option<Vec<Tag>>,
}

/// `GET /customers/lookup`: exactly one of these.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerLookup {
    /// One of the customer's emails, ignoring case (anything else finds no customer).
    #[param(example = "jane@example.org")]
    email: Option<String>,
    /// One of the customer's phones, compared by digits (`+1 (555) 010-0000` = `15550100000`);
    /// when several customers have it, the one that added it first.
    #[param(
        example = "+1 (555) 010-0000",
        max_length = 50,
        pattern = r"^[ +\-().x]*[0-9][ +\-().x]*[0-9][ +\-().x]*[0-9][0-9 +\-().x]*$"
    )]
    phone: Option<String>,
    /// One of the customer's external ids, whatever its source.
    #[param(example = "cus_123", max_length = 255)]
    external_id: Option<String>,
}

/// `GET /customers/duplicates`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateFilters {
    /// Only groups of this reason: `email`, `phone` or `name_domain`.
    #[param(pattern = r"^\s*(email|phone|name_domain)?\s*$")]
    reason: Option<String>,
    /// Groups per page, 1–100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `meta.next_cursor` of the page before.
    cursor: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationFilters {
    /// `created_at`, `-created_at` (default), `updated_at`, `-updated_at`.
    #[param(pattern = r"^\s*(-?(created_at|updated_at))?\s*$")]
    sort: Option<String>,
    #[param(minimum = 1)]
    customer_id: Option<i64>,
    #[param(pattern = r"^\s*(posted|draft|pending|closed)?\s*$")]
    status: Option<String>,
    #[param(pattern = r"^\s*(email|chat|phone|api)?\s*$")]
    channel: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyFilters {
    /// `created_at`, `-created_at` (default), `updated_at`, `-updated_at`, `name`, `-name` (names
    /// ignoring case and accents).
    #[param(pattern = r"^\s*(-?(created_at|updated_at|name))?\s*$")]
    sort: Option<String>,
    /// A part of the name (ignoring case and accents), or the start of a domain or external id.
    #[param(max_length = 255)]
    q: Option<String>,
    /// One of the company's domains.
    domain: Option<String>,
    /// One of the company's external ids.
    external_id: Option<String>,
    #[param(minimum = 1)]
    tier_id: Option<i64>,
    #[param(minimum = 1)]
    status_id: Option<i64>,
    #[param(minimum = 1)]
    owner_id: Option<i64>,
    /// Carries this tag (compared normalized); several `tag=`: every one of them.
    #[param(style = Form, explode, max_items = 50)]
    tag: Option<Vec<Tag>>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestFilters {
    #[param(minimum = 1)]
    conversation_id: Option<i64>,
    #[param(minimum = 1)]
    company_id: Option<i64>,
    #[param(minimum = 1)]
    customer_id: Option<i64>,
    #[param(minimum = 0, maximum = 1)]
    priority: Option<i64>,
}

/// The errors of a read: no valid token, or no such record in this account.
#[derive(IntoResponses)]
pub enum ReadErrors {
    /// Missing, invalid, expired or revoked token
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such record in this account (another account's data reads the same)
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Over the user's rate limit, or too many of the account's requests in progress; see `Retry-After`
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// The database is unreachable, or the request's database work took too long; see `Retry-After`
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The errors of a list: a read's, and 422 for a bad query parameter.
#[derive(IntoResponses)]
pub enum ListErrors {
    /// Missing, invalid, expired or revoked token
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such account, or not the token's
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A query parameter is invalid; `errors` names it
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Over the user's rate limit, or too many of the account's requests in progress; see `Retry-After`
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// The database is unreachable, or the request's database work took too long; see `Retry-After`
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The errors of a write: a read's, and those of its body.
#[derive(IntoResponses)]
pub enum WriteErrors {
    /// Malformed JSON or form body
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Missing, invalid, expired or revoked token
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such record in this account (another account's data reads the same)
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The announced body did not arrive in time
    #[response(status = 408)]
    BodyTimeout(ErrorBody),
    /// Body over the size limit
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// Neither JSON nor a form
    #[response(status = 415)]
    UnsupportedType(ErrorBody),
    /// Validation failed; `errors` names each field
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Over the user's rate limit, or too many of the account's requests in progress; see `Retry-After`
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// The database is unreachable, or the request's database work took too long; see `Retry-After`
    #[response(status = 503)]
    Unavailable(ErrorBody),
}
