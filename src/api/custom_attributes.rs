//! `/custom_attribute_definitions`: the account's custom attributes (issue 19). Members read
//! them; only admins define, change and delete them.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::paging::query_pairs;
use crate::api::extract::{BearerToken, Body, Caller, Credentials, ItemPath};
use crate::api::openapi::schemas as doc;
use crate::api::resource::{self, Create, Delete, Resource, Show, Update};
use crate::api::views::{ok_list, timestamp};
use crate::db::custom_attributes::Definition;
use crate::db::row_lock::Table;
use crate::db::{DbConn, Scope};
use crate::domain::custom_attribute::{AttributeOwner, AttributeType, DefinitionInput};
use crate::domain::input::Mode;
use crate::domain::paging::{param, refuse_unknown};
use crate::domain::FieldErrors;
use crate::error::ApiError;
use crate::services::custom_attributes;
use crate::state::AppState;

/// A custom attribute's definition.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "key": "plan", "label": "Plan", "type": "list", "object_type": "customer",
    "options": ["free", "pro", "enterprise"],
    "created_at": "2026-12-03T10:00:00+00:00", "updated_at": "2026-12-03T10:00:00+00:00"
}))]
pub(crate) struct DefinitionView {
    id: i64,
    /// What values are set and filtered by: `custom_attributes: {"plan": …}`,
    /// `?custom_attributes[plan]=…`.
    key: String,
    label: String,
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "list")]
    data_type: AttributeType,
    /// `customer` or `company`.
    #[schema(value_type = String, example = "customer")]
    object_type: AttributeOwner,
    /// A list's values, in order; `[]` for the other types.
    options: Vec<String>,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    created_at: NaiveDateTime,
    #[serde(serialize_with = "timestamp")]
    #[schema(value_type = String, format = DateTime, example = "2019-04-25T17:51:31+00:00")]
    updated_at: NaiveDateTime,
}

impl From<Definition> for DefinitionView {
    fn from(d: Definition) -> Self {
        DefinitionView {
            options: d.options(),
            id: d.id,
            key: d.key,
            label: d.label,
            data_type: d.data_type,
            object_type: d.object_type,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// `GET`: every definition, by object type then key; `?object_type=customer` keeps one kind.
#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    tag = "Custom attributes",
    summary = "List custom attribute definitions",
    params(doc::AccountPath, doc::DefinitionFilter),
    responses(
        (status = 200, description = "Every definition (of the object type asked for)", body = doc::Data<Vec<DefinitionView>>),
        doc::ListErrors
    ),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs = caller.checked(&state.db, query_pairs(&req)).await?;
    let object_type = caller.checked(&state.db, parse_filter(&pairs)).await?;
    let rows = caller
        .read(&state.db, move |conn, scope| {
            custom_attributes::list(conn, scope, object_type)
        })
        .await?;
    Ok(ok_list(
        rows.into_iter().map(DefinitionView::from).collect(),
    ))
}

fn parse_filter(pairs: &[(String, String)]) -> Result<Option<AttributeOwner>, FieldErrors> {
    let mut errors = FieldErrors::new();
    refuse_unknown(
        pairs,
        &["object_type"],
        "is not a parameter of this list (object_type)",
        &mut errors,
    );
    let object_type = param(pairs, "object_type").and_then(|raw| {
        AttributeOwner::parse(raw).or_else(|| {
            errors.add("object_type", AttributeOwner::choices());
            None
        })
    });
    errors.into_result(object_type)
}

#[utoipa::path(
    post,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions",
    tag = "Custom attributes",
    summary = "Define a custom attribute (admins)",
    params(doc::AccountPath),
    request_body(content((doc::DefinitionCreate = "application/json"), (doc::DefinitionCreate = "application/x-www-form-urlencoded"))),
    responses(
        (status = 201, description = "The definition", body = doc::Data<DefinitionView>, headers(("Location" = String, description = "The definition's path"))),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::create::<Definitions>(state, caller, req, body).await
}

#[utoipa::path(
    get,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "Custom attributes",
    summary = "Retrieve a custom attribute definition",
    params(doc::ItemPath),
    responses(
        (status = 200, description = "The definition", body = doc::Data<DefinitionView>),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::show::<Definitions>(state, caller, req, path.id).await
}

#[utoipa::path(
    patch,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "Custom attributes",
    summary = "Change a definition's label or a list's options (admins; PUT does the same)",
    params(doc::ItemPath),
    request_body(content((doc::DefinitionChanges = "application/json"), (doc::DefinitionChanges = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The definition", body = doc::Data<DefinitionView>),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        (status = 409, description = "An option some record holds can't be removed", body = doc::ErrorBody),
        doc::WriteErrors
    ),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
    body: Body,
) -> Result<HttpResponse, ApiError> {
    resource::update::<Definitions>(state, caller, req, path.id, body, Mode::Patch).await
}

/// `DELETE`: 204; every record's value of the attribute goes with it.
#[utoipa::path(
    delete,
    path = "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
    tag = "Custom attributes",
    summary = "Delete a custom attribute and every record's value of it (admins)",
    params(doc::ItemPath),
    responses(
        (status = 204, description = "Deleted, with its values"),
        (status = 403, description = "Admins only", body = doc::ErrorBody),
        doc::ReadErrors
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<ItemPath>,
) -> Result<HttpResponse, ApiError> {
    resource::delete::<Definitions>(state, caller, req, path.id).await
}

/// Definitions as a [`Resource`].
pub(crate) struct Definitions;

impl Resource for Definitions {
    type Credentials = BearerToken;
    type Context = ();
    type Record = Definition;
    type View = DefinitionView;
    const TABLE: Table = Table::CustomAttributeDefinitions;
    const ADMIN_WRITES: bool = true;

    fn context<C: Credentials>(_: &HttpRequest, _: &Caller<C>) -> Result<(), ApiError> {
        Ok(())
    }

    fn view(_: &(), definition: Definition) -> DefinitionView {
        DefinitionView::from(definition)
    }
}

impl Show for Definitions {
    fn load(conn: &mut DbConn, scope: Scope, _: &(), id: i64) -> Result<Definition, ApiError> {
        custom_attributes::load(conn, scope, id)
    }
}

impl Create for Definitions {
    type New = DefinitionInput;

    fn parse(body: &Value) -> Result<DefinitionInput, FieldErrors> {
        DefinitionInput::parse(body, Mode::Create)
    }

    fn create(
        conn: &mut DbConn,
        scope: Scope,
        _: &(),
        new: DefinitionInput,
    ) -> Result<Definition, ApiError> {
        custom_attributes::create(conn, scope, &new)
    }

    fn location(account_id: i64, _: &(), definition: &Definition) -> String {
        format!(
            "/api/v1/accounts/{account_id}/custom_attribute_definitions/{}",
            definition.id
        )
    }
}

impl Update for Definitions {
    type Changes = DefinitionInput;

    fn parse_changes(body: &Value, mode: Mode) -> Result<DefinitionInput, FieldErrors> {
        DefinitionInput::parse(body, mode)
    }

    fn update(
        conn: &mut DbConn,
        scope: Scope,
        _: &(),
        id: i64,
        changes: DefinitionInput,
    ) -> Result<Definition, ApiError> {
        custom_attributes::update(conn, scope, id, &changes)
    }
}

impl Delete for Definitions {
    fn delete(conn: &mut DbConn, scope: Scope, _: &(), id: i64) -> Result<(), ApiError> {
        custom_attributes::delete(conn, scope, id)
    }
}
