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

both_backends! {
    async fn accounts_users_and_tokens_made_on_the_command_line_work_over_http(app: TestApp) {
        let account: Value =
            serde_json::from_str(&stdout_of(app.cli(&["accounts", "create", "--name", "ACME", "--contact-form"]))).unwrap();
        assert_eq!(account["name"], "ACME");
        assert_eq!(account["contact_form_enabled"], true);
        let account_id = account["id"].as_i64().unwrap();

        let user: Value = serde_json::from_str(&stdout_of(app.cli(&[
            "users", "create", "--account", &account_id.to_string(), "--email", "ada@example.com",
            "--first-name", "Ada", "--last-name", "Lovelace", "--role", "admin",
        ])))
        .unwrap();
        assert_eq!(user["email"], "ada@example.com");
        assert_eq!(user["role"], "admin");
        assert_eq!(user["account_id"], account_id);

        let token = stdout_of(app.cli(&["tokens", "create", "--user", &user["id"].to_string(), "--expires-in", "1d"]));
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
            vec!["users", "create", "--account", "999999", "--email", "x@example.com", "--first-name", "X"],
            vec!["users", "create", "--account", "1", "--email", "not-an-email", "--first-name", "X"],
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
}

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
