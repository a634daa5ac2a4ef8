//! Conversations and interactions (SPEC §5), and the customer stats they drive.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    pub fn conversations_path(&self) -> String {
        format!("/api/v1/accounts/{}/conversations", self.account_id)
    }

    pub fn conversation_path(&self, id: &Value) -> String {
        format!("{}/{}", self.conversations_path(), id)
    }

    /// Opens a conversation as the admin; panics unless 201. Returns `data`.
    pub async fn create_conversation(&self, body: Value) -> Value {
        let (status, response) = self
            .send_json(Method::POST, &self.conversations_path(), body)
            .await;
        assert_eq!(status, 201, "{response}");
        response["data"].clone()
    }

    pub async fn stats_of(&self, customer_id: &Value) -> Value {
        let (_, body) = self.get_json(&self.customer_path(customer_id)).await;
        body["data"]["stats"]["conversations"].clone()
    }
}

async fn stats_follow_every_create_status_change_and_delete(app: TestApp) {
    let customer = app
        .create_customer(json!({"first_name": "Counted", "emails": [{"email": "c@example.org"}]}))
        .await;
    let id = &customer["id"];
    let mut opened = Vec::new();
    for (status, channel) in [
        ("posted", "email"),
        ("pending", "email"),
        ("closed", "email"),
        ("closed", "chat"),
        ("draft", "email"),
    ] {
        opened.push(
            app.create_conversation(
                json!({"customer_id": id, "status": status, "channel": channel}),
            )
            .await,
        );
    }
    assert_eq!(
        app.stats_of(id).await,
        json!({"total": 4, "posted": 1, "pending": 1, "closed": 2, "email_channel": 3})
    );

    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.conversation_path(&opened[0]["id"]),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(status, 200);
    let response = app
        .api(Method::DELETE, &app.conversation_path(&opened[3]["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.stats_of(id).await,
        json!({"total": 3, "posted": 0, "pending": 1, "closed": 2, "email_channel": 3})
    );

    // A channel change counts too.
    let (status, _) = app
        .send_json(
            Method::PUT,
            &app.conversation_path(&opened[1]["id"]),
            json!({"channel": "phone"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.stats_of(id).await["email_channel"], 2);
}

async fn a_new_email_creates_its_customer_and_any_case_joins_it(app: TestApp) {
    let first = app
        .create_conversation(
            json!({"customer_email": "New.Person@Example.com", "subject": "Hello"}),
        )
        .await;
    let customer_id = first["customer_id"].clone();
    assert_eq!(first["customer_email"]["email"], "New.Person@Example.com");
    let (_, customer) = app.get_json(&app.customer_path(&customer_id)).await;
    assert_eq!(customer["data"]["name"], "New.Person@Example.com");
    assert_eq!(
        customer["data"]["emails"][0]["email"],
        "New.Person@Example.com"
    );
    assert_eq!(customer["data"]["stats"]["conversations"]["total"], 1);

    let second = app
        .create_conversation(json!({"customer_email": "NEW.person@example.com"}))
        .await;
    assert_eq!(second["customer_id"], customer_id);
    assert_eq!(
        second["customer_email"]["id"],
        first["customer_email"]["id"]
    );
    assert_eq!(app.stats_of(&customer_id).await["total"], 2);
    assert_eq!(app.customer_count().await, 1);
}

async fn a_created_customer_takes_the_given_names(app: TestApp) {
    let c = app
        .create_conversation(
            json!({"to": "jane@example.org", "first_name": "Jane", "last_name": "Doe"}),
        )
        .await;
    let (_, customer) = app.get_json(&app.customer_path(&c["customer_id"])).await;
    assert_eq!(
        (
            customer["data"]["name"].as_str(),
            customer["data"]["initials"].as_str()
        ),
        (Some("Jane Doe"), Some("JD"))
    );
    // Names are ignored when the customer exists already.
    app.create_conversation(json!({"to": "jane@example.org", "first_name": "Someone"}))
        .await;
    let (_, customer) = app.get_json(&app.customer_path(&c["customer_id"])).await;
    assert_eq!(customer["data"]["first_name"], "Jane");
}

async fn numbers_count_up_per_account_without_gaps_even_concurrently(app: TestApp) {
    let customer = app.create_customer(json!({"first_name": "N"})).await;
    let requests = (0..12).map(|_| {
        app.api(Method::POST, &app.conversations_path())
            .json(&json!({"customer_id": customer["id"]}))
            .send()
    });
    let mut numbers: Vec<i64> = Vec::new();
    for response in futures_util::future::join_all(requests).await {
        let response = response.unwrap();
        assert_eq!(response.status(), 201);
        numbers.push(
            response.json::<Value>().await.unwrap()["data"]["number"]
                .as_i64()
                .unwrap(),
        );
    }
    numbers.sort();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>());

    // A failed create takes no number.
    let (status, _) = app
        .send_json(
            Method::POST,
            &app.conversations_path(),
            json!({"customer_id": 999999}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        app.create_conversation(json!({"customer_id": customer["id"]}))
            .await["number"],
        13
    );

    let other = app.create_account("Other");
    let (_, token) = app.create_member(other, Role::Agent);
    let response = app
        .anonymous(
            Method::POST,
            &format!("/api/v1/accounts/{other}/conversations"),
        )
        .bearer_auth(token)
        .json(&json!({"customer_email": "x@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["data"]["number"], 1);
}

async fn bad_conversation_bodies_are_422_and_write_nothing(app: TestApp) {
    let (other_user, _) = app.create_member(app.create_account("Other"), Role::Agent);
    for (body, field) in [
        (
            json!({"customer_email": "a@example.org", "status": "open"}),
            "status",
        ),
        (
            json!({"customer_email": "a@example.org", "channel": "fax"}),
            "channel",
        ),
        (json!({"customer_email": "not an email"}), "customer_email"),
        (json!({"subject": "nobody"}), "customer_email"),
        (json!({"customer_id": 999999}), "customer_id"),
        (
            json!({"customer_email": "a@example.org", "user_id": other_user}),
            "user_id",
        ),
        (
            json!({"customer_email": "a@example.org", "subject": "s".repeat(256)}),
            "subject",
        ),
        (
            json!({"customer_email": "a@example.org", "interactions": [{"type": "agent", "body": "ok"}, {"type": "customer", "body": "  "}]}),
            "interactions.1.body",
        ),
    ] {
        let (status, response) = app
            .send_json(Method::POST, &app.conversations_path(), body.clone())
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(response["errors"][field].is_array(), "{field}: {response}");
    }
    assert_eq!(app.customer_count().await, 0);
    let (_, list) = app.get_json(&app.conversations_path()).await;
    assert_eq!(list["meta"]["total"], 0);
}

async fn interactions_come_with_the_conversation_and_are_signed_by_agents(app: TestApp) {
    let c = app
        .create_conversation(json!({"customer_email": "a@example.org", "interactions": [
            {"type": "customer", "body": "My order is late", "source": "Email"},
            {"type": "note", "body": "VIP"},
        ]}))
        .await;
    assert_eq!(c["interactions_count"], 2);
    let path = format!("{}/interactions", app.conversation_path(&c["id"]));
    let (status, reply) = app
        .send_json(
            Method::POST,
            &path,
            json!({"type": "agent", "body": "On its way"}),
        )
        .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["data"]["user_id"], app.admin_id);
    assert_eq!(reply["data"]["type"], "agent");

    let (_, list) = app.get_json(&path).await;
    let kinds: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["customer", "note", "agent"]);
    assert_eq!(list["data"][0]["user_id"], Value::Null);
    assert_eq!(list["data"][1]["user_id"], app.admin_id);
    assert_eq!(list["data"][0]["source"], "Email");
    assert_eq!(list["meta"]["total"], 3);

    let one = format!("{path}/{}", list["data"][0]["id"]);
    let (status, got) = app.get_json(&one).await;
    assert_eq!(
        (status, got["data"]["body"].as_str()),
        (200, Some("My order is late"))
    );
    let response = app.api(Method::DELETE, &one).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let (_, after) = app.get_json(&app.conversation_path(&c["id"])).await;
    assert_eq!(after["data"]["interactions_count"], 2);

    let (status, body) = app
        .send_json(Method::POST, &path, json!({"type": "shout", "body": ""}))
        .await;
    assert_eq!(status, 422);
    assert!(
        body["errors"]["type"].is_array() && body["errors"]["body"].is_array(),
        "{body}"
    );
}

async fn conversations_list_filters_and_pages(app: TestApp) {
    let a = app.create_customer(json!({"first_name": "A"})).await;
    let b = app.create_customer(json!({"first_name": "B"})).await;
    for (customer, status, channel) in [
        (&a, "posted", "email"),
        (&a, "closed", "chat"),
        (&b, "closed", "email"),
    ] {
        app.create_conversation(
            json!({"customer_id": customer["id"], "status": status, "channel": channel}),
        )
        .await;
    }
    let count = |query: String| {
        let path = format!("{}?{query}", app.conversations_path());
        let app = &app;
        async move {
            app.get_json(&path).await.1["meta"]["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(format!("customer_id={}", a["id"])).await, 2);
    assert_eq!(count("status=closed".into()).await, 2);
    assert_eq!(count("channel=email&status=closed".into()).await, 1);
    let (_, page) = app
        .get_json(&format!("{}?per_page=1&page=2", app.conversations_path()))
        .await;
    assert_eq!(page["data"][0]["number"], 2);
    assert_eq!(page["meta"]["last_page"], 3);
    let (status, _) = app
        .get_json(&format!("{}?status=open", app.conversations_path()))
        .await;
    assert_eq!(status, 422);
}

async fn updates_change_status_subject_assignee_and_channel(app: TestApp) {
    let (agent_id, _) = app.create_member(app.account_id, Role::Agent);
    let c = app
        .create_conversation(json!({"customer_email": "a@example.org", "subject": "Old"}))
        .await;
    let path = app.conversation_path(&c["id"]);
    let (status, body) = app
        .send_json(
            Method::PUT,
            &path,
            json!({"status": "pending", "subject": "New", "user_id": agent_id, "channel": "chat"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"];
    assert_eq!(
        (
            d["status"].as_str(),
            d["subject"].as_str(),
            d["user_id"].as_i64(),
            d["channel"].as_str()
        ),
        (Some("pending"), Some("New"), Some(agent_id), Some("chat"))
    );
    let (_, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"user_id": null, "subject": null}),
        )
        .await;
    assert_eq!(
        (
            body["data"]["user_id"].clone(),
            body["data"]["subject"].clone()
        ),
        (Value::Null, Value::Null)
    );
    assert_eq!(body["data"]["status"], "pending");
    let (status, _) = app
        .send_json(Method::PATCH, &path, json!({"status": "archived"}))
        .await;
    assert_eq!(status, 422);
}

async fn another_accounts_conversation_is_a_404_everywhere(app: TestApp) {
    let other = app.create_account("Other");
    let (_, token) = app.create_member(other, Role::Admin);
    let theirs: Value = app
        .anonymous(Method::POST, &format!("/api/v1/accounts/{other}/conversations"))
        .bearer_auth(&token)
        .json(&json!({"customer_email": "x@example.org", "interactions": [{"type": "customer", "body": "secret"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = &theirs["data"]["id"];
    for path in [
        app.conversation_path(id),
        format!("/api/v1/accounts/{other}/conversations/{id}"),
    ] {
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let response = app
                .api(method, &path)
                .json(&json!({"status": "closed"}))
                .send()
                .await
                .unwrap();
            assert_json_error(response, 404).await;
        }
        let response = app
            .api(Method::GET, &format!("{path}/interactions"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
        let response = app
            .api(Method::POST, &format!("{path}/interactions"))
            .json(&json!({"type": "note", "body": "x"}))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 404).await;
    }
    // Nor can a conversation be opened for another account's customer.
    let (status, _) = app
        .send_json(
            Method::POST,
            &app.conversations_path(),
            json!({"customer_id": theirs["data"]["customer_id"]}),
        )
        .await;
    assert_eq!(status, 422);
}

async fn a_deleted_customers_conversations_stay_unattached(app: TestApp) {
    let c = app
        .create_conversation(json!({"customer_email": "gone@example.org"}))
        .await;
    let response = app
        .api(Method::DELETE, &app.customer_path(&c["customer_id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (status, after) = app.get_json(&app.conversation_path(&c["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            after["data"]["customer_id"].clone(),
            after["data"]["customer_email"].clone()
        ),
        (Value::Null, Value::Null)
    );
}

both_backends!(
    stats_follow_every_create_status_change_and_delete,
    a_new_email_creates_its_customer_and_any_case_joins_it,
    a_created_customer_takes_the_given_names,
    numbers_count_up_per_account_without_gaps_even_concurrently,
    bad_conversation_bodies_are_422_and_write_nothing,
    interactions_come_with_the_conversation_and_are_signed_by_agents,
    conversations_list_filters_and_pages,
    updates_change_status_subject_assignee_and_channel,
    another_accounts_conversation_is_a_404_everywhere,
    a_deleted_customers_conversations_stay_unattached
);
