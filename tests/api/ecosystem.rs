//! Fitting browser dashboards and tooling: CORS for configured origins, request ids.

use reqwest::Method;

use crate::both_backends;
use crate::helpers::*;

/// `test_settings` allows this dashboard origin.
const DASHBOARD: &str = "https://dashboard.example.com";

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    app.anonymous(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization, content-type, if-match, if-none-match",
        )
        .send()
        .await
        .unwrap()
}

fn allow_origin(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

async fn a_configured_dashboard_origin_passes_preflight_and_others_do_not(app: TestApp) {
    let path = app.customers_path();
    let allowed = preflight(&app, &path, DASHBOARD).await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(allow_origin(&allowed), Some(DASHBOARD));
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        methods.contains("PATCH") && methods.contains("DELETE"),
        "{methods}"
    );

    let refused = preflight(&app, &path, "https://evil.example.net").await;
    assert_eq!(allow_origin(&refused), None);
    let status = refused.status().as_u16();
    assert!((400..500).contains(&status), "{status}");
    assert_json_error(refused, status).await;

    let response = app
        .api(Method::GET, &path)
        .header("origin", DASHBOARD)
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&response), Some(DASHBOARD));
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("location") && exposed.contains("x-request-id"),
        "{exposed}"
    );
    // A dashboard reads ETags and sends them back.
    assert!(exposed.contains("etag"), "{exposed}");
    let response = app
        .api(Method::GET, &path)
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(&response), None);
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let generated = app
        .api(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    // Errors too, even the router's own.
    let missing = app
        .api(Method::GET, "/api/v1/nowhere")
        .header("origin", DASHBOARD)
        .send()
        .await
        .unwrap();
    assert!(missing.headers().contains_key("x-request-id"));
    assert_eq!(
        allow_origin(&missing),
        Some(DASHBOARD),
        "errors stay readable cross-origin"
    );

    let echoed = app
        .api(Method::GET, "/health")
        .header("x-request-id", "trace-abc.123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-abc.123");
    let replaced = app
        .api(Method::GET, "/health")
        .header("x-request-id", "x".repeat(200))
        .send()
        .await
        .unwrap();
    assert_ne!(
        replaced.headers()["x-request-id"].to_str().unwrap(),
        "x".repeat(200)
    );
}

both_backends!(
    a_configured_dashboard_origin_passes_preflight_and_others_do_not,
    every_response_carries_a_request_id
);
