//! Rate limits per token, and per client address for logins and contact forms.

use reqwest::Method;
use serde_json::json;
use supportdesk::domain::Role;

use crate::helpers::*;
use crate::on_each_backend;

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn a_token_over_its_limit_gets_429_with_retry_after(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.rate_limit_per_minute = 3).await else {
        return;
    };
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = app
            .api(Method::GET, "/api/v1/profile")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(header(&response, "x-ratelimit-limit").as_deref(), Some("3"));
        remaining.push(header(&response, "ratelimit-remaining").unwrap());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let response = app
        .api(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    let retry_after: u64 = header(&response, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_json_error(response, 429).await;
    // Another token has its own allowance; the limit costs no one else.
    let (_, other) = app.create_member(app.account_id, Role::Agent);
    let response = app
        .anonymous(Method::GET, "/api/v1/profile")
        .bearer_auth(other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

on_each_backend!(a_token_over_its_limit_gets_429_with_retry_after);

#[actix_web::test]
async fn password_guessing_is_limited_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.login_rate_limit_per_minute = 5)
        .await
        .unwrap();
    let guess = json!({"email": "admin@example.com", "password": "guess"});
    for _ in 0..5 {
        let response = app
            .anonymous(Method::POST, "/api/v1/auth/login")
            .json(&guess)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .json(&guess)
        .send()
        .await
        .unwrap();
    assert!(header(&response, "retry-after").is_some());
    assert_json_error(response, 429).await;
}

#[actix_web::test]
async fn contact_form_guests_are_limited_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.guest_rate_limit_per_minute = 2)
        .await
        .unwrap();
    app.enable_contact_forms().await;
    let path = app.conversations_path();
    let body =
        json!({"to": "jane@example.org", "interactions": [{"type": "customer", "body": "Hi"}]});
    let fingerprint = "Fingerprint jane@example.org:3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";
    for _ in 0..2 {
        let response = app
            .guest(Method::POST, &path, fingerprint)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let response = app
        .guest(Method::POST, &path, fingerprint)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 429).await;
    // Agents are not guests: their token is not limited by default.
    let (status, _) = app
        .send_json(
            Method::POST,
            &path,
            json!({"customer_email": "x@example.org"}),
        )
        .await;
    assert_eq!(status, 201);
}

/// The login limit follows the route the router matches: percent-encoded spellings of the path
/// reach the login handler, so they must count against the same limit.
async fn encoded_login_paths_count_against_the_login_limit(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.login_rate_limit_per_minute = 3).await else {
        return;
    };
    let guess = json!({"email": "admin@example.com", "password": "guess"});
    // Three wrong guesses by three spellings, then the limit, whatever the spelling.
    for (path, status) in [
        ("/api/v1/auth/%6Cogin", 401),
        ("/api/v1/%61uth/login", 401),
        ("/api/v1/auth/login", 401),
        ("/api/v1/auth/%6cogin", 429),
        ("/api/v1/%61%75th/%6C%6F%67%69%6E", 429),
    ] {
        let response = app
            .anonymous(Method::POST, path)
            .json(&guess)
            .send()
            .await
            .unwrap();
        assert_json_error(response, status).await;
    }
}

on_each_backend!(encoded_login_paths_count_against_the_login_limit);

/// The per-user limit counts every token of the user: a new login starts no new count.
async fn the_user_limit_counts_all_of_a_users_tokens(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.rate_limit_per_minute = 3).await else {
        return;
    };
    let second_token = app.token_for(app.admin_id);
    for token in [&app.token, &second_token, &app.token] {
        let response = app
            .anonymous(Method::GET, "/api/v1/profile")
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let fresh_token = app.token_for(app.admin_id);
    let response = app
        .anonymous(Method::GET, "/api/v1/profile")
        .bearer_auth(fresh_token)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 429).await;
}

on_each_backend!(the_user_limit_counts_all_of_a_users_tokens);

#[test]
fn the_user_limit_is_on_by_default() {
    use clap::Parser;
    let cli = supportdesk::config::Cli::try_parse_from(["supportdesk"]).unwrap();
    assert!(
        cli.settings.rate_limit_per_minute >= 600,
        "a generous limit, but a limit"
    );
}
