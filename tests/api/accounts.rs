//! `GET`/`PATCH /api/v1/accounts/{id}`: members only, admins to change.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;

async fn a_member_reads_its_account(app: TestApp) {
    let (_, agent_token) = app.create_member(app.account_id, Role::Agent);
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/accounts/{}", app.account_id))
        .bearer_auth(agent_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["id"], app.account_id);
    assert_eq!(body["data"]["name"], "Test account");
    assert_eq!(body["data"]["contact_form_enabled"], false);
    let created = body["data"]["created_at"].as_str().unwrap();
    assert!(
        created.ends_with("+00:00") && created.len() == 25,
        "{created}"
    );
}

async fn another_account_and_a_missing_one_are_the_same_404(app: TestApp) {
    let other = app.create_account("Someone else");
    let other_response = app
        .api(Method::GET, &format!("/api/v1/accounts/{other}"))
        .send()
        .await
        .unwrap();
    let other_body = assert_json_error(other_response, 404).await;
    let missing_response = app
        .api(Method::GET, "/api/v1/accounts/999999")
        .send()
        .await
        .unwrap();
    let missing_body = assert_json_error(missing_response, 404).await;
    assert_eq!(other_body, missing_body);
    for bad in ["0", "-1", "abc", "99999999999999999999"] {
        let response = app
            .api(Method::GET, &format!("/api/v1/accounts/{bad}"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
    }
    let response = app
        .api(Method::PATCH, &format!("/api/v1/accounts/{other}"))
        .json(&json!({"name": "Taken over"}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 404).await;
}

async fn an_admin_renames_the_account_and_enables_contact_forms(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .json(&json!({"name": "  ACME  ", "contact_form_enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = app
        .api(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["name"], "ACME");
    assert_eq!(body["data"]["contact_form_enabled"], true);
}

async fn a_form_body_patches_like_json(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .form(&[("name", "Form Co"), ("contact_form_enabled", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["name"], "Form Co");
    assert_eq!(body["data"]["contact_form_enabled"], true);
}

async fn an_agent_may_not_change_the_account(app: TestApp) {
    let (_, agent_token) = app.create_member(app.account_id, Role::Agent);
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .anonymous(Method::PATCH, &path)
        .bearer_auth(agent_token)
        .json(&json!({"name": "Agent was here"}))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 403).await;
    let body: Value = app
        .api(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["name"], "Test account");
}

async fn an_empty_name_is_a_422_and_changes_nothing(app: TestApp) {
    let path = format!("/api/v1/accounts/{}", app.account_id);
    let response = app
        .api(Method::PATCH, &path)
        .json(&json!({"name": "   ", "contact_form_enabled": true}))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(response, 422).await;
    assert_eq!(body["message"], "The given data was invalid.");
    assert!(body["errors"]["name"].is_array());
    let body: Value = app
        .api(Method::GET, &path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["contact_form_enabled"], false);
}

both_backends!(
    a_member_reads_its_account,
    another_account_and_a_missing_one_are_the_same_404,
    an_admin_renames_the_account_and_enables_contact_forms,
    a_form_body_patches_like_json,
    an_agent_may_not_change_the_account,
    an_empty_name_is_a_422_and_changes_nothing
);
