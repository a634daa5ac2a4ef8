//! Bearer tokens (SPEC §3): what is accepted, and every way a token is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;

/// Claims like the server's own, for user `sub` and token `jti`, expiring `exp_offset` seconds from now.
fn claims(sub: i64, jti: &str, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub.to_string(), "jti": jti, "iat": now, "exp": now + exp_offset,
           "iss": "supportdesk", "aud": "supportdesk-api"})
}

fn sign(claims: &Value, algorithm: Algorithm, secret: &str) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// The jti of a token, read from its payload.
fn jti_of(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["jti"].as_str().unwrap().to_string()
}

async fn assert_refused(app: &TestApp, authorization: Option<&str>) {
    let mut request = app.anonymous(Method::GET, "/api/v1/profile");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    assert_eq!(
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some(r#"Bearer error="invalid_token""#),
        "for {authorization:?}"
    );
    assert_json_error(response, 401).await;
}

async fn a_valid_token_reads_the_profile_with_its_accounts(app: TestApp) {
    let response = app
        .api(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["id"], app.admin_id);
    assert!(body["data"].get("password_hash").is_none());
    assert_eq!(body["data"]["accounts"][0]["id"], app.account_id);
    assert_eq!(body["data"]["accounts"][0]["role"], "admin");
}

async fn missing_and_malformed_tokens_are_refused(app: TestApp) {
    assert_refused(&app, None).await;
    assert_refused(&app, Some("Bearer")).await;
    assert_refused(&app, Some("Bearer garbage")).await;
    assert_refused(&app, Some("Bearer a.b.c")).await;
    assert_refused(&app, Some(&format!("Basic {}", app.token))).await;
}

async fn forged_tokens_are_refused(app: TestApp) {
    let secret = app.jwt_secret();
    let jti = jti_of(&app.token);
    let good = claims(app.admin_id, &jti, 3600);
    // Our own signing of the real claims is accepted: the refusals below are about one change each.
    let response = app
        .anonymous(Method::GET, "/api/v1/profile")
        .bearer_auth(sign(&good, Algorithm::HS256, &secret))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    assert_refused(&app, Some(&format!("Bearer {header}.{payload}."))).await;
    assert_refused(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&good, Algorithm::HS512, &secret)
        )),
    )
    .await;
    assert_refused(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&good, Algorithm::HS256, "wrong secret")
        )),
    )
    .await;
    let expired = claims(app.admin_id, &jti, -60);
    assert_refused(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&expired, Algorithm::HS256, &secret)
        )),
    )
    .await;
    for (claim, value) in [
        ("aud", json!("someone-else")),
        ("iss", json!("someone-else")),
    ] {
        let mut wrong = good.clone();
        wrong[claim] = value;
        assert_refused(
            &app,
            Some(&format!(
                "Bearer {}",
                sign(&wrong, Algorithm::HS256, &secret)
            )),
        )
        .await;
    }
    for claim in ["exp", "aud", "iss", "sub"] {
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove(claim);
        assert_refused(
            &app,
            Some(&format!(
                "Bearer {}",
                sign(&missing, Algorithm::HS256, &secret)
            )),
        )
        .await;
    }
}

async fn a_token_for_an_unknown_user_or_jti_is_refused(app: TestApp) {
    let secret = app.jwt_secret();
    let unknown_user = claims(999_999, &jti_of(&app.token), 3600);
    assert_refused(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&unknown_user, Algorithm::HS256, &secret)
        )),
    )
    .await;
    let unknown_jti = claims(app.admin_id, "not-issued", 3600);
    assert_refused(
        &app,
        Some(&format!(
            "Bearer {}",
            sign(&unknown_jti, Algorithm::HS256, &secret)
        )),
    )
    .await;
}

async fn a_revoked_token_is_refused_at_once(app: TestApp) {
    let output = app.cli(&["tokens", "revoke", "--id", &jti_of(&app.token)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_refused(&app, Some(&format!("Bearer {}", app.token))).await;
}

async fn a_deactivated_users_tokens_are_refused(app: TestApp) {
    supportdesk::db::users::set_active(&mut app.conn(), app.admin_id, false).unwrap();
    assert_refused(&app, Some(&format!("Bearer {}", app.token))).await;
}

async fn a_token_reaches_only_its_users_accounts(app: TestApp) {
    let other = app.create_account("Other");
    let (_, other_token) = app.create_member(other, Role::Admin);
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/accounts/{}", app.account_id))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_json_error(response, 404).await;
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/accounts/{other}"))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn login_with_the_right_password_issues_a_working_token(app: TestApp) {
    let mut child = cli_command(&app.database.url)
        .args([
            "users",
            "create",
            "--account",
            &app.account_id.to_string(),
            "--email",
            "Agent@Example.com",
            "--first-name",
            "Ada",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"s3cret pass\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());

    let response = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": "agent@example.com", "password": "s3cret pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["user"]["email"], "Agent@Example.com");
    assert!(body["data"]["expires_at"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));
    let token = body["data"]["token"].as_str().unwrap();
    let response = app
        .anonymous(Method::GET, "/api/v1/profile")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    for wrong in [
        json!({"email": "agent@example.com", "password": "nope"}),
        json!({"email": "nobody@example.com", "password": "s3cret pass"}),
    ] {
        let response = app
            .anonymous(Method::POST, "/api/v1/auth/login")
            .json(&wrong)
            .send()
            .await
            .unwrap();
        assert_json_error(response, 401).await;
    }
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(response, 422).await;
    assert!(body["errors"]["email"].is_array() && body["errors"]["password"].is_array());
}

async fn a_user_without_a_password_cannot_log_in(app: TestApp) {
    let profile: Value = app
        .api(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": profile["data"]["email"], "password": ""}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 422).await;
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": profile["data"]["email"], "password": "anything"}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 401).await;
}

async fn a_token_used_before_its_nbf_is_refused(app: TestApp) {
    let jti = jti_of(&app.token);
    let secret = app.jwt_secret();
    let mut early = claims(app.admin_id, &jti, 3600);
    early["nbf"] = json!(chrono::Utc::now().timestamp() + 600);
    let token = sign(&early, Algorithm::HS256, &secret);
    assert_refused(&app, Some(&format!("Bearer {token}"))).await;
    let mut due = claims(app.admin_id, &jti, 3600);
    due["nbf"] = json!(chrono::Utc::now().timestamp() - 5);
    let token = sign(&due, Algorithm::HS256, &secret);
    let response = app
        .anonymous(Method::GET, "/api/v1/profile")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a token past its nbf is good");
}

async fn the_integration_comes_from_the_stored_token_not_the_claim(app: TestApp) {
    // A plain token re-signed with an integration claim (as a leaked secret would allow) gets
    // no integration's powers: the stored token has none, so it is refused outright.
    let jti = jti_of(&app.token);
    let mut claimed = claims(app.admin_id, &jti, 3600);
    claimed["integration"] = json!("zendesk");
    let token = sign(&claimed, Algorithm::HS256, &app.jwt_secret());
    assert_refused(&app, Some(&format!("Bearer {token}"))).await;
    let response = app
        .anonymous(
            Method::POST,
            &format!("/api/v1/accounts/{}/companies", app.account_id),
        )
        .bearer_auth(&token)
        .json(&json!({"name": "Forged"}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 401).await;
    // And the other way round: an integration's token with its claim removed is refused too.
    let integration = app.integration_token(supportdesk::domain::Integration::Zendesk);
    let token = sign(
        &claims(jti_sub(&integration), &jti_of(&integration), 3600),
        Algorithm::HS256,
        &app.jwt_secret(),
    );
    assert_refused(&app, Some(&format!("Bearer {token}"))).await;
}

both_backends!(
    a_valid_token_reads_the_profile_with_its_accounts,
    missing_and_malformed_tokens_are_refused,
    forged_tokens_are_refused,
    a_token_for_an_unknown_user_or_jti_is_refused,
    a_revoked_token_is_refused_at_once,
    a_deactivated_users_tokens_are_refused,
    a_token_reaches_only_its_users_accounts,
    login_with_the_right_password_issues_a_working_token,
    a_user_without_a_password_cannot_log_in,
    a_token_used_before_its_nbf_is_refused,
    the_integration_comes_from_the_stored_token_not_the_claim
);

/// The user id (`sub`) of a token, read from its payload.
fn jti_sub(token: &str) -> i64 {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().parse().unwrap()
}

// The database's word on a token is taken inside each handler's own work (one checkout per
// request): every operation of the API document that takes a bearer token must still refuse
// a revoked one, and an agent of another account must still read every one of them as 404,
// whatever path ids and body it sends.
async fn every_bearer_operation_confirms_the_token(app: TestApp) {
    let document: Value = app
        .anonymous(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (_, outsider) = app.create_member(app.create_account("Elsewhere"), Role::Admin);
    let (_, revoked) = app.create_member(app.account_id, Role::Admin);
    let output = app.cli(&["tokens", "revoke", "--id", &jti_of(&revoked)]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.contains("{account_id}") {
            continue;
        }
        let concrete = path
            .replace("{account_id}", &app.account_id.to_string())
            .replace("{list}", "emails")
            .replace("{id}", "1")
            .replace("{interaction_id}", "1")
            .replace("{delivery_id}", "1")
            .replace("{note_id}", "1")
            .replace("{item_id}", "1");
        for (method, operation) in item.as_object().unwrap() {
            let bearer = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s.get("bearer").is_some());
            if !bearer {
                continue;
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (token, status) in [(&revoked, 401), (&outsider, 404)] {
                let mut request = app.anonymous(method.clone(), &concrete).bearer_auth(token);
                if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
                    request = request.json(&json!({"first_name": 7}));
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status().as_u16(), status, "{method} {concrete}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} requests");
}

both_backends!(every_bearer_operation_confirms_the_token);
