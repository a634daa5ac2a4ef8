//! Guests of contact forms: `Authorization: Fingerprint <email>:<uuid>` (SPEC §5).

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

const UUID: &str = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";

/// The body Full Help's widget sends.
fn widget_body(message: &str) -> Value {
    json!({"subject": "Question about my order", "channel": "email", "status": "posted",
           "first_name": "Jane", "last_name": "Doe", "to": "jane@example.org",
           "interactions": [{"type": "customer", "body": message, "source": "Form @ www.example.com"}]})
}

fn fingerprint(email: &str, uuid: &str) -> String {
    format!("Fingerprint {email}:{uuid}")
}

impl TestApp {
    pub async fn enable_contact_forms(&self) {
        let (status, _) = self
            .send_json(
                Method::PATCH,
                &format!("/api/v1/accounts/{}", self.account_id),
                json!({"contact_form_enabled": true}),
            )
            .await;
        assert_eq!(status, 200);
    }

    /// A request as a contact-form guest.
    pub fn guest(
        &self,
        method: Method,
        path: &str,
        authorization: &str,
    ) -> reqwest::RequestBuilder {
        self.anonymous(method, path)
            .header("authorization", authorization)
    }
}

async fn the_widget_opens_a_conversation_and_creates_its_customer(app: TestApp) {
    app.enable_contact_forms().await;
    let guest = fingerprint("jane@example.org", UUID);
    let response = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .header("origin", "https://www.example.com")
        .json(&widget_body("Hi, where is my order?"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://www.example.com"
    );
    let created: Value = response.json().await.unwrap();
    let conversation = &created["data"];
    assert_eq!(conversation["interactions_count"], 1);
    assert_eq!(conversation["status"], "posted");

    // The agent sees which customer it is; the guest was not told.
    assert_eq!(conversation["customer_id"], Value::Null);
    let (_, as_agent) = app
        .get_json(&app.conversation_path(&conversation["id"]))
        .await;
    let (_, customer) = app
        .get_json(&app.customer_path(&as_agent["data"]["customer_id"]))
        .await;
    assert_eq!(customer["data"]["name"], "Jane Doe");
    assert_eq!(customer["data"]["emails"][0]["email"], "jane@example.org");
    assert_eq!(customer["data"]["stats"]["conversations"]["total"], 1);

    // The guest reads its conversation and its messages, and writes another.
    let path = app.conversation_path(&conversation["id"]);
    let response = app.guest(Method::GET, &path, &guest).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .guest(Method::GET, &format!("{path}/interactions"), &guest)
        .send()
        .await
        .unwrap();
    let messages: Value = response.json().await.unwrap();
    assert_eq!(messages["data"][0]["body"], "Hi, where is my order?");
    assert_eq!(messages["data"][0]["source"], "Form @ www.example.com");
    let response = app
        .guest(Method::POST, &format!("{path}/interactions"), &guest)
        .json(&json!({"type": "customer", "body": "Any news?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

async fn an_empty_message_is_a_422_on_its_path_and_writes_nothing(app: TestApp) {
    app.enable_contact_forms().await;
    let response = app
        .guest(
            Method::POST,
            &app.conversations_path(),
            &fingerprint("jane@example.org", UUID),
        )
        .json(&widget_body(""))
        .send()
        .await
        .unwrap();
    let body = assert_json_error(response, 422).await;
    assert!(body["errors"]["interactions.0.body"].is_array(), "{body}");
    assert_eq!(app.customer_count().await, 0);
    let (_, list) = app.get_json(&app.conversations_path()).await;
    assert_eq!(list["meta"]["total"], 0);
}

async fn guests_are_refused_where_contact_forms_are_off_or_the_header_is_bad(app: TestApp) {
    let path = app.conversations_path();
    let response = app
        .guest(Method::POST, &path, &fingerprint("jane@example.org", UUID))
        .json(&widget_body("Hi"))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 401).await;
    app.enable_contact_forms().await;
    for bad in [
        "garbage",
        "Fingerprint",
        "Fingerprint jane@example.org",
        &format!("Fingerprint {UUID}"),
        "Fingerprint jane@example.org:not-a-uuid",
        "Fingerprint jane@example.org:6fa459ea-ee8a-11e9-8a34-2a2ae2dbcce4",
        &format!("Fingerprint not-an-email:{UUID}"),
    ] {
        let response = app
            .guest(Method::POST, &path, bad)
            .json(&widget_body("Hi"))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 401).await;
    }
    // A missing account reads like one without contact forms.
    let response = app
        .guest(
            Method::POST,
            "/api/v1/accounts/999999/conversations",
            &fingerprint("jane@example.org", UUID),
        )
        .json(&widget_body("Hi"))
        .send()
        .await
        .unwrap();
    assert_json_error(response, 401).await;
    assert_eq!(app.customer_count().await, 0);
}

async fn a_guest_reaches_only_its_own_conversations_on_the_listed_routes(app: TestApp) {
    app.enable_contact_forms().await;
    let guest = fingerprint("jane@example.org", UUID);
    let mine: Value = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&widget_body("Hi"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine_path = app.conversation_path(&mine["data"]["id"]);
    let (_, mine_as_agent) = app.get_json(&mine_path).await;
    let someone = app.create_conversation(json!({"customer_email": "other@example.org", "interactions": [{"type": "customer", "body": "private"}]})).await;
    let theirs_path = app.conversation_path(&someone["id"]);

    // The same email with another UUID is another visitor.
    let stranger = fingerprint("jane@example.org", "9f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b");
    for (method, path, who) in [
        (Method::GET, theirs_path.clone(), &guest),
        (Method::GET, format!("{theirs_path}/interactions"), &guest),
        (Method::POST, format!("{theirs_path}/interactions"), &guest),
        (Method::GET, mine_path.clone(), &stranger),
        (Method::GET, app.conversations_path(), &guest),
        (Method::PATCH, mine_path.clone(), &guest),
        (Method::DELETE, mine_path.clone(), &guest),
        (Method::GET, app.customers_path(), &guest),
        (
            Method::GET,
            app.customer_path(&mine_as_agent["data"]["customer_id"]),
            &guest,
        ),
        (
            Method::GET,
            format!("/api/v1/accounts/{}", app.account_id),
            &guest,
        ),
        (Method::GET, "/api/v1/profile".to_string(), &guest),
    ] {
        let response = app
            .guest(method.clone(), &path, who)
            .json(&json!({"type": "customer", "body": "x", "status": "closed"}))
            .send()
            .await
            .unwrap();
        assert_json_error(response, 401).await;
    }
    let (_, still) = app.get_json(&mine_path).await;
    assert_eq!(still["data"]["status"], "posted");
}

async fn a_guest_writes_only_as_its_own_customer(app: TestApp) {
    app.enable_contact_forms().await;
    let guest = fingerprint("jane@example.org", UUID);
    let mut body = widget_body("Hi");
    body["to"] = json!("ceo@example.org");
    let response = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(assert_json_error(response, 422).await["errors"]["to"].is_array());
    let mut body = widget_body("Hi");
    body["interactions"][0]["type"] = json!("agent");
    let response = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(assert_json_error(response, 422).await["errors"]["interactions.0.type"].is_array());
    // Without `to`, the fingerprint's email is the customer.
    let mut body = widget_body("Hi");
    body.as_object_mut().unwrap().remove("to");
    let response = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(app.customer_count().await, 1);
}

async fn guests_never_see_notes_or_agent_ids(app: TestApp) {
    app.enable_contact_forms().await;
    let guest = fingerprint("jane@example.org", UUID);
    let mine: Value = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&widget_body("Hi"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = format!(
        "{}/interactions",
        app.conversation_path(&mine["data"]["id"])
    );
    for (kind, body) in [("note", "internal: refund abuse?"), ("agent", "Hello Jane")] {
        let (status, _) = app
            .send_json(Method::POST, &path, json!({"type": kind, "body": body}))
            .await;
        assert_eq!(status, 201);
    }
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.conversation_path(&mine["data"]["id"]),
            json!({"user_id": app.admin_id}),
        )
        .await;
    assert_eq!(status, 200);
    let seen: Value = app
        .guest(Method::GET, &path, &guest)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bodies: Vec<&str> = seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Hi", "Hello Jane"]);
    assert!(seen["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["user_id"].is_null()));
    let conversation: Value = app
        .guest(
            Method::GET,
            &app.conversation_path(&mine["data"]["id"]),
            &guest,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(conversation["data"]["user_id"], Value::Null);
    // Nor how many notes there are.
    assert_eq!(conversation["data"]["interactions_count"], 2);
    let (_, as_agent) = app
        .get_json(&app.conversation_path(&mine["data"]["id"]))
        .await;
    assert_eq!(as_agent["data"]["interactions_count"], 3);
}

async fn contact_form_routes_answer_preflights_from_any_origin(app: TestApp) {
    let response = app
        .anonymous(Method::OPTIONS, &app.conversations_path())
        .header("origin", "https://shop.example.net")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://shop.example.net"
    );
    let methods = response.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(methods.contains("POST"), "{methods}");
    // Routes for agents only answer no preflight.
    let response = app
        .anonymous(Method::OPTIONS, &app.customers_path())
        .header("origin", "https://shop.example.net")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

async fn a_guest_learns_nothing_about_existing_customers_or_the_account(app: TestApp) {
    app.enable_contact_forms().await;
    // An agent already knows Jane, stored with her own casing, and the account has history.
    let jane = app
        .create_customer(json!({"first_name": "Jane", "emails": [{"email": "Jane@Example.ORG"}]}))
        .await;
    for i in 0..3 {
        app.create_conversation(json!({"customer_email": format!("c{i}@example.org")}))
            .await;
    }
    let guest = fingerprint("jane@example.org", UUID);
    let response = app
        .guest(Method::POST, &app.conversations_path(), &guest)
        .json(&widget_body("Hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let path = app.conversation_path(&created["data"]["id"]);
    let read: Value = app
        .guest(Method::GET, &path, &guest)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for seen in [&created["data"], &read["data"]] {
        assert_eq!(
            seen["customer_email"],
            json!({"id": null, "email": "jane@example.org"}),
            "what the guest sent, not what is stored"
        );
        assert_eq!(seen["customer_id"], Value::Null);
        assert_eq!(
            seen["number"],
            Value::Null,
            "the number counts the account's conversations"
        );
        assert_eq!(seen["user_id"], Value::Null);
    }
    // The agent sees it all: the conversation went to the existing customer, as number 4.
    let (_, as_agent) = app.get_json(&path).await;
    assert_eq!(as_agent["data"]["customer_id"], jane["id"]);
    assert_eq!(as_agent["data"]["number"], 4);
    assert_eq!(
        as_agent["data"]["customer_email"]["email"],
        "Jane@Example.ORG"
    );
}

both_backends!(
    the_widget_opens_a_conversation_and_creates_its_customer,
    an_empty_message_is_a_422_on_its_path_and_writes_nothing,
    guests_are_refused_where_contact_forms_are_off_or_the_header_is_bad,
    a_guest_reaches_only_its_own_conversations_on_the_listed_routes,
    a_guest_writes_only_as_its_own_customer,
    guests_never_see_notes_or_agent_ids,
    contact_form_routes_answer_preflights_from_any_origin,
    a_guest_learns_nothing_about_existing_customers_or_the_account
);
