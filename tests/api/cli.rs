//! The command line of SPEC §1, run as a real process against the test database.

use reqwest::Method;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::*;

fn stdout_of(output: std::process::Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn accounts_users_and_tokens_made_on_the_command_line_work_over_http(app: TestApp) {
    let account: Value = serde_json::from_str(&stdout_of(app.cli(&[
        "accounts",
        "create",
        "--name",
        "ACME",
        "--contact-form",
    ])))
    .unwrap();
    assert_eq!(account["name"], "ACME");
    assert_eq!(account["contact_form_enabled"], true);
    let account_id = account["id"].as_i64().unwrap();

    let user: Value = serde_json::from_str(&stdout_of(app.cli(&[
        "users",
        "create",
        "--account",
        &account_id.to_string(),
        "--email",
        "ada@example.com",
        "--first-name",
        "Ada",
        "--last-name",
        "Lovelace",
        "--role",
        "admin",
    ])))
    .unwrap();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["account_id"], account_id);

    let token = stdout_of(app.cli(&[
        "tokens",
        "create",
        "--user",
        &user["id"].to_string(),
        "--expires-in",
        "1d",
    ]));
    let token = token.trim();
    assert_eq!(token.split('.').count(), 3, "a bare JWT: {token}");
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/accounts/{account_id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn commands_with_bad_arguments_fail_with_a_message(app: TestApp) {
    for args in [
        vec![
            "users",
            "create",
            "--account",
            "999999",
            "--email",
            "x@example.com",
            "--first-name",
            "X",
        ],
        vec![
            "users",
            "create",
            "--account",
            "1",
            "--email",
            "not-an-email",
            "--first-name",
            "X",
        ],
        vec!["tokens", "create", "--user", "999999"],
        vec!["tokens", "create", "--user", "1", "--expires-in", "forever"],
        vec!["tokens", "revoke", "--id", "no-such-token"],
        vec!["accounts", "create", "--name", "  "],
    ] {
        let output = app.cli(&args);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(!output.stderr.is_empty(), "{args:?} said nothing");
    }
}

async fn migrate_is_idempotent_and_prints_nothing_when_up_to_date(app: TestApp) {
    assert_eq!(stdout_of(app.cli(&["migrate"])), "");
}

both_backends!(
    accounts_users_and_tokens_made_on_the_command_line_work_over_http,
    commands_with_bad_arguments_fail_with_a_message,
    migrate_is_idempotent_and_prints_nothing_when_up_to_date
);

#[test]
fn migrate_prints_the_applied_migration_names() {
    let database = fresh_database(Backend::Sqlite).unwrap();
    let output = cli_command(&database.url).arg("migrate").output().unwrap();
    let printed = stdout_of(output);
    assert!(
        printed.lines().next().unwrap().contains("foundation"),
        "{printed}"
    );
}

async fn seed_data_fills_an_account_with_customers_the_api_serves(app: TestApp) {
    let account = app.account_id.to_string();
    let args = [
        "seed-data",
        "--account",
        account.as_str(),
        "--customers",
        "30",
        "--conversations-per-customer",
        "4",
    ];
    let summary: Value = serde_json::from_str(&stdout_of(app.cli(&args))).unwrap();
    assert_eq!(
        (
            summary["customers"].as_i64(),
            summary["conversations"].as_i64()
        ),
        (Some(30), Some(120))
    );
    assert!(summary["contacts"].as_i64().unwrap() >= 30);

    let (_, list) = app
        .get_json(&format!("{}?per_page=100", app.customers_path()))
        .await;
    assert_eq!(list["meta"]["total"], 30);
    let customer = &list["data"][0];
    let email = customer["emails"][0]["email"].as_str().unwrap();
    let (_, found) = app
        .get_json(&format!(
            "{}?email={}",
            app.customers_path(),
            email.to_uppercase()
        ))
        .await;
    assert_eq!(found["data"][0]["id"], customer["id"]);
    // Four conversations per customer, cycling through the statuses: one draft, not counted.
    let (_, shown) = app
        .get_json(&format!("{}/{}", app.customers_path(), customer["id"]))
        .await;
    assert_eq!(
        shown["data"]["stats"]["conversations"]["total"], 3,
        "{shown}"
    );
    let (_, conversations) = app
        .get_json(&app.account_path("conversations?per_page=100&sort=created_at"))
        .await;
    assert_eq!(conversations["meta"]["total"], 120);

    // A second run adds to the first without repeating its emails.
    let summary: Value = serde_json::from_str(&stdout_of(app.cli(&[
        "seed-data",
        "--account",
        account.as_str(),
        "--customers",
        "5",
    ])))
    .unwrap();
    assert_eq!(summary["customers"], 5);
    let (_, list) = app.get_json(&app.customers_path()).await;
    assert_eq!(list["meta"]["total"], 35);
    // Conversation numbers carry on from the seeded ones.
    let created = app
        .create_conversation(serde_json::json!({"customer_email": "new@example.com"}))
        .await;
    assert_eq!(created["number"], 131);

    let output = app.cli(&["seed-data", "--account", "999999", "--customers", "1"]);
    assert!(!output.status.success() && !output.stderr.is_empty());
}

both_backends!(seed_data_fills_an_account_with_customers_the_api_serves);
