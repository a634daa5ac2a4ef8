//! The headers of safe writes, on every operation they apply to (see `api::etag` and
//! `api::idempotency`): `ETag` on what returns an object or a page, `If-None-Match` and 304 on
//! reads, `If-Match` with 412 and 428 on PUT, PATCH and DELETE, `Idempotency-Key` on POSTs
//! under an account. Added here once rather than on each of some forty annotations.

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{
    ContentBuilder, OpenApi as Document, Ref, RefOr, Required, Response, ResponseBuilder,
};
use utoipa::Modify;

/// Runs after the routes are complete (PUT twins copied from PATCH).
pub(super) struct ConditionalRequests;

impl Modify for ConditionalRequests {
    fn modify(&self, openapi: &mut Document) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let tagged = path.starts_with("/api/v1/accounts/") || path == "/api/v1/profile";
            if !tagged {
                continue;
            }
            let in_account = path.starts_with("/api/v1/accounts/");
            if let Some(op) = item.get.as_mut() {
                tag_successes(op);
                if_none_match(op);
            }
            for op in [&mut item.put, &mut item.patch, &mut item.delete]
                .into_iter()
                .flatten()
            {
                tag_successes(op);
                if_match(op);
            }
            if let (true, Some(op)) = (in_account, item.post.as_mut()) {
                tag_successes(op);
                idempotency_key(op);
            }
        }
    }
}

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn etag_header() -> Header {
    HeaderBuilder::new()
        .schema(text())
        .description(Some(
            "The object's entity tag (a page's is weak, `W/\"…\"`): send it back in `If-Match` \
             or `If-None-Match`",
        ))
        .build()
}

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// Every 200 and 201 with a body carries the `ETag` of what it shows.
fn tag_successes(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        if let ("200" | "201", RefOr::T(response)) = (status.as_str(), response) {
            if !response.content.is_empty() {
                response.headers.insert("ETag".into(), etag_header());
            }
        }
    }
}

fn header_parameter(op: &mut Operation, name: &str, description: &str, schema: ObjectBuilder) {
    let parameter = ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(parameter);
}

fn if_none_match(op: &mut Operation) {
    header_parameter(
        op,
        "If-None-Match",
        "ETags the client holds: when one is the current one (or `*`), the answer is 304 with \
         no body",
        text(),
    );
    op.responses.responses.insert(
        "304".into(),
        RefOr::T(
            ResponseBuilder::new()
                .description("Not modified: the `If-None-Match` tag is still the current one")
                .header("ETag", etag_header())
                .build(),
        ),
    );
}

fn if_match(op: &mut Operation) {
    header_parameter(
        op,
        "If-Match",
        "The ETag the change was based on (`*`: the record exists): anything else is a 412 and \
         nothing is written. Required when the server runs with `REQUIRE_IF_MATCH=true`",
        text(),
    );
    op.responses.responses.insert(
        "412".into(),
        error("`If-Match` names a tag that is no longer the current one; nothing was written. `etag` (and the `ETag` header) is the current one"),
    );
    op.responses.responses.insert(
        "428".into(),
        error("No `If-Match`, and the server requires one (`REQUIRE_IF_MATCH=true`)"),
    );
}

fn idempotency_key(op: &mut Operation) {
    header_parameter(
        op,
        "Idempotency-Key",
        "A key unique to this logical request (a UUID): a retry with the same key and body gets \
         the first answer again, with `Idempotent-Replayed: true`, for 24 hours",
        text()
            .min_length(Some(1))
            .max_length(Some(255))
            .pattern(Some("^[!-~]+$")),
    );
    for (status, response) in op.responses.responses.iter_mut() {
        if let ("200" | "201", RefOr::T(response)) = (status.as_str(), response) {
            response.headers.insert(
                "Idempotent-Replayed".into(),
                HeaderBuilder::new()
                    .schema(text())
                    .description(Some(
                        "`true` on an answer replayed for an `Idempotency-Key`",
                    ))
                    .build(),
            );
        }
    }
    op.responses.responses.entry("409".into()).or_insert_with(|| {
        error("A request with the same `Idempotency-Key` is still in progress; retry after `Retry-After`")
    });
}
