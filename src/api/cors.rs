//! One CORS policy for the whole API: browser dashboards from the origins in
//! `CORS_ALLOWED_ORIGINS`, and contact-form widgets from any origin on the routes guests use.
//! No cookies are involved, so an allowed origin gains nothing a token doesn't already grant.

use actix_cors::Cors;
use actix_web::http::header;

use super::{idempotency, request_id};

/// Whether `path` is one of the routes a contact-form widget calls:
/// `/api/v1/accounts/{id}/conversations[/{id}[/interactions]]`.
pub fn is_contact_form_route(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        ["", "api", "v1", "accounts", _, "conversations"]
            | ["", "api", "v1", "accounts", _, "conversations", _]
            | [
                "",
                "api",
                "v1",
                "accounts",
                _,
                "conversations",
                _,
                "interactions"
            ]
    )
}

pub fn policy(allowed_origins: &[String]) -> Cors {
    let allowed: Vec<String> = allowed_origins.to_vec();
    Cors::default()
        .allowed_origin_fn(move |origin, request| {
            let origin = origin.to_str().unwrap_or_default();
            allowed.iter().any(|o| o == origin) || is_contact_form_route(request.uri.path())
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            request_id::HEADER,
            idempotency::KEY,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::LOCATION,
            header::ETAG,
            header::RETRY_AFTER,
            request_id::HEADER,
            idempotency::REPLAYED,
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_widgets_routes_are_open_to_every_origin() {
        for open in [
            "/api/v1/accounts/1/conversations",
            "/api/v1/accounts/1/conversations/9",
            "/api/v1/accounts/1/conversations/9/interactions",
        ] {
            assert!(is_contact_form_route(open), "{open}");
        }
        for closed in [
            "/api/v1/accounts/1/customers",
            "/api/v1/accounts/1/conversations/9/interactions/3",
            "/api/v1/accounts/1",
            "/api/v1/profile",
        ] {
            assert!(!is_contact_form_route(closed), "{closed}");
        }
    }
}
