//! The customers API (SPEC §4), starting with the seed's own samples.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

const FORM: &str = "application/x-www-form-urlencoded";

/// The seed's create sample exactly as `curl -d … -d …` sends it (joined by `&`, not encoded).
const SEED_CREATE_FORM: &str = "first_name=Jane&last_name=Doe&emails[0][email]=jane@example.org\
&phones[0][phone]=123 123 1234&websites[0][website]=https://www.example.org/";

impl TestApp {
    pub fn customers_path(&self) -> String {
        format!("/api/v1/accounts/{}/customers", self.account_id)
    }

    pub fn customer_path(&self, id: &Value) -> String {
        format!("{}/{}", self.customers_path(), id)
    }

    /// Creates a customer from a JSON body; panics unless 201. Returns `data`.
    pub async fn create_customer(&self, body: Value) -> Value {
        let response = self
            .api(Method::POST, &self.customers_path())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        response.json::<Value>().await.unwrap()["data"].take()
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.api(Method::GET, path).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        let response = self.api(method, path).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// How many customers the account has, by the list's `meta.total`.
    pub async fn customer_count(&self) -> i64 {
        let (_, body) = self.get_json(&self.customers_path()).await;
        body["meta"]["total"].as_i64().unwrap()
    }
}

/// The seed's customer object with this response's ids and times, to compare whole bodies.
fn seed_customer(actual: &Value, email: &str, with_stats: bool) -> Value {
    let mut expected = json!({
        "id": actual["id"], "name": "Jane Doe", "initials": "JD", "first_name": "Jane", "last_name": "Doe",
        "company": null, "account_id": actual["account_id"], "avatar": null,
        "emails": [{"id": actual["emails"][0]["id"], "email": email}],
        "phones": [{"id": actual["phones"][0]["id"], "phone": "123 123 1234"}],
        "websites": [{"id": actual["websites"][0]["id"], "website": "https://www.example.org/"}],
        "created_at": actual["created_at"], "updated_at": actual["updated_at"],
        // Appended after the seed's fields (SPEC §6, issues 18 and 19).
        "company_id": null,
        "external_ids": {},
        "tags": [],
        "notes_count": 0,
        "custom_attributes": {},
    });
    if with_stats {
        expected["stats"] = json!({"conversations": {"total": 0, "posted": 0, "pending": 0, "closed": 0, "email_channel": 0}});
    }
    expected
}

fn seed_json_body() -> Value {
    json!({"first_name": "Jane", "last_name": "Doe", "emails": [{"email": "jane@example.org"}],
           "phones": [{"phone": "123 123 1234"}], "websites": [{"website": "https://www.example.org/"}]})
}

fn emails(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"email": format!("person{i}@example.org")}))
        .collect()
}

fn phones(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"phone": format!("+1 555 {i:04}")}))
        .collect()
}

fn websites(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"website": format!("https://site{i}.example.org/")}))
        .collect()
}

async fn the_seed_create_sample_works_verbatim_as_a_form(app: TestApp) {
    let response = app
        .api(Method::POST, &app.customers_path())
        .header("accept", "application/json")
        .header("content-type", FORM)
        .body(SEED_CREATE_FORM)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    let data = &body["data"];
    assert_eq!(location, app.customer_path(&data["id"]));
    assert_eq!(data, &seed_customer(data, "jane@example.org", true));
    assert_eq!(data["account_id"], app.account_id);
    // The seed's field order, read off the raw text (each key's first occurrence is its own).
    let keys = [
        "id",
        "name",
        "initials",
        "first_name",
        "last_name",
        "company",
        "account_id",
        "avatar",
        "emails",
        "phones",
        "websites",
        "stats",
        "created_at",
        "updated_at",
        "company_id",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "field order differs: {text}"
    );
    let created = data["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with("+00:00"),
        "{created}"
    );
}

async fn the_seed_create_sample_works_as_json(app: TestApp) {
    let data = app.create_customer(seed_json_body()).await;
    assert_eq!(data, seed_customer(&data, "jane@example.org", true));
}

async fn the_seed_retrieve_update_list_and_delete_samples_work(app: TestApp) {
    let created = app.create_customer(seed_json_body()).await;
    let path = app.customer_path(&created["id"]);

    let (status, body) = app.get_json(&path).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        seed_customer(&body["data"], "jane@example.org", true)
    );

    // The update sample: form-encoded, the email given by id.
    let form = format!(
        "first_name=Jane&last_name=Doe&emails[0][id]={}&emails[0][email]=janedoe@example.org",
        created["emails"][0]["id"]
    );
    let response = app
        .api(Method::PUT, &path)
        .header("content-type", FORM)
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(
        updated["data"],
        seed_customer(&updated["data"], "janedoe@example.org", false)
    );
    assert_eq!(
        updated["data"]["emails"][0]["id"],
        created["emails"][0]["id"]
    );

    let (status, list) = app.get_json(&app.customers_path()).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["data"][0],
        seed_customer(&list["data"][0], "janedoe@example.org", false)
    );

    let response = app.api(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, _) = app.get_json(&path).await;
    assert_eq!(status, 404);
}

async fn full_lists_are_accepted_and_one_more_is_refused_with_nothing_written(app: TestApp) {
    let full = json!({"first_name": "Full", "emails": emails(15), "phones": phones(25), "websites": websites(150)});
    let data = app.create_customer(full).await;
    assert_eq!(
        (
            data["emails"].as_array().unwrap().len(),
            data["phones"].as_array().unwrap().len(),
            data["websites"].as_array().unwrap().len()
        ),
        (15, 25, 150)
    );

    for (key, body) in [
        (
            "emails",
            json!({"first_name": "X", "emails": (0..16).map(|i| json!({"email": format!("x{i}@example.org")})).collect::<Vec<_>>()}),
        ),
        ("phones", json!({"first_name": "X", "phones": phones(26)})),
        (
            "websites",
            json!({"first_name": "X", "websites": websites(151)}),
        ),
    ] {
        let (status, body) = app
            .send_json(Method::POST, &app.customers_path(), body)
            .await;
        assert_eq!(status, 422, "{key}");
        assert!(body["errors"][key].is_array(), "{body}");
    }
    assert_eq!(app.customer_count().await, 1);

    // A 16th email added by PUT: refused, and the customer is as it was.
    let path = app.customer_path(&data["id"]);
    let (status, body) = app
        .send_json(
            Method::PUT,
            &path,
            json!({"first_name": "Changed", "emails": [{"email": "sixteenth@example.org"}]}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["emails"].is_array(), "{body}");
    let (_, after) = app.get_json(&path).await;
    assert_eq!(after["data"]["first_name"], "Full");
    assert_eq!(after["data"]["emails"].as_array().unwrap().len(), 15);
}

async fn an_email_belongs_to_one_customer_per_account_in_any_case(app: TestApp) {
    app.create_customer(json!({"first_name": "A", "emails": [{"email": "shared@example.org"}]}))
        .await;
    let (status, body) = app
        .send_json(Method::POST, &app.customers_path(),
                   json!({"first_name": "B", "emails": [{"email": "ok@example.org"}, {"email": "SHARED@Example.org"}]}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["emails.1.email"].is_array(), "{body}");
    assert_eq!(app.customer_count().await, 1);

    // Another account may use it.
    let other = app.create_account("Other");
    let (_, other_token) = app.create_member(other, supportdesk::domain::Role::Agent);
    let response = app
        .anonymous(Method::POST, &format!("/api/v1/accounts/{other}/customers"))
        .bearer_auth(other_token)
        .json(&json!({"first_name": "C", "emails": [{"email": "shared@example.org"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

async fn the_same_email_twice_in_one_request_is_refused(app: TestApp) {
    let (status, body) = app
        .send_json(Method::POST, &app.customers_path(),
                   json!({"first_name": "A", "emails": [{"email": "a@example.org"}, {"email": "A@example.org"}]}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["emails.1.email"].is_array(), "{body}");
}

async fn nested_items_are_upserted_by_id_of_this_customer_only(app: TestApp) {
    let other = app
        .create_customer(json!({"first_name": "Other", "emails": [{"email": "other@example.org"}]}))
        .await;
    let mine = app
        .create_customer(json!({"first_name": "Mine", "emails": [{"email": "one@example.org"}, {"email": "two@example.org"}],
                                "phones": [{"phone": "111 111"}]}))
        .await;
    let (one, two) = (&mine["emails"][0]["id"], &mine["emails"][1]["id"]);
    let others_email = &other["emails"][0]["id"];
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&mine["id"]),
            json!({"emails": [
                {"id": one, "email": "uno@example.org"},
                {"email": "three@example.org"},
                {"id": 999999, "email": "four@example.org"},
                {"id": others_email, "email": "five@example.org"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<(Value, Value)> = body["data"]["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].clone(), e["email"].clone()))
        .collect();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0], (one.clone(), json!("uno@example.org")));
    assert_eq!(listed[1], (two.clone(), json!("two@example.org")));
    let new_ids: Vec<&Value> = listed[2..].iter().map(|(id, _)| id).collect();
    assert!(
        !new_ids.contains(&others_email),
        "another customer's id was reused"
    );
    assert_eq!(body["data"]["phones"][0]["phone"], "111 111");
    assert!(body["data"].get("stats").is_none());

    let (_, other_after) = app.get_json(&app.customer_path(&other["id"])).await;
    assert_eq!(other_after["data"]["emails"], other["emails"]);
}

async fn an_email_moves_between_rows_of_one_customer(app: TestApp) {
    let c = app
        .create_customer(json!({"first_name": "C", "emails": [{"email": "a@example.org"}]}))
        .await;
    // Re-casing one's own email is an update, not a conflict.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&c["id"]),
            json!({"emails": [{"id": c["emails"][0]["id"], "email": "A@Example.org"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["emails"][0]["email"], "A@Example.org");
    // Adding one's own email again as a new item is a duplicate.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&c["id"]),
            json!({"emails": [{"email": "a@example.org"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["emails.0.email"].is_array());
}

async fn patch_changes_only_what_it_names_and_put_requires_first_name(app: TestApp) {
    let c = app
        .create_customer(
            json!({"first_name": "Jane", "last_name": "Doe", "company": "ACME",
                                "avatar": "https://example.org/a.png"}),
        )
        .await;
    let path = app.customer_path(&c["id"]);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"last_name": "Roe", "company": null}),
        )
        .await;
    assert_eq!(status, 200);
    let d = &body["data"];
    assert_eq!(
        (
            d["first_name"].as_str(),
            d["last_name"].as_str(),
            d["name"].as_str(),
            d["initials"].as_str()
        ),
        (Some("Jane"), Some("Roe"), Some("Jane Roe"), Some("JR"))
    );
    assert_eq!(d["company"], Value::Null);
    assert_eq!(d["avatar"], "https://example.org/a.png");

    let (status, body) = app
        .send_json(Method::PUT, &path, json!({"last_name": "Poe"}))
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["first_name"].is_array());
    let (_, after) = app.get_json(&path).await;
    assert_eq!(after["data"]["last_name"], "Roe");
}

async fn without_names_the_name_is_the_first_email(app: TestApp) {
    let c = app
        .create_customer(json!({"first_name": "émile", "last_name": "zola",
                                "emails": [{"email": "emile@example.org"}, {"email": "z@example.org"}]}))
        .await;
    assert_eq!(
        (c["name"].as_str(), c["initials"].as_str()),
        (Some("émile zola"), Some("ÉZ"))
    );
    let path = app.customer_path(&c["id"]);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"first_name": "", "last_name": null}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["data"]["name"].as_str(),
            body["data"]["initials"].as_str()
        ),
        (Some("emile@example.org"), Some("E"))
    );

    // Deleting the first email moves the name to the next one.
    let email_path = format!("{path}/emails/{}", c["emails"][0]["id"]);
    let response = app.api(Method::DELETE, &email_path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let (_, after) = app.get_json(&path).await;
    assert_eq!(after["data"]["name"], "z@example.org");
    assert_eq!(after["data"]["emails"].as_array().unwrap().len(), 1);
}

async fn each_nested_item_can_be_deleted_by_id_but_only_its_own(app: TestApp) {
    let c = app.create_customer(seed_json_body()).await;
    let other = app
        .create_customer(json!({"first_name": "O", "phones": [{"phone": "999 999"}]}))
        .await;
    let path = app.customer_path(&c["id"]);
    // Another customer's phone through this customer, or a phone id under /emails: 404.
    for wrong in [
        format!("{path}/phones/{}", other["phones"][0]["id"]),
        format!("{path}/emails/{}", c["phones"][0]["id"]),
        format!("{path}/addresses/{}", c["phones"][0]["id"]),
        format!("{path}/phones/abc"),
    ] {
        let response = app.api(Method::DELETE, &wrong).send().await.unwrap();
        assert_json_error(response, 404).await;
    }
    for (list, field) in [
        ("emails", "emails"),
        ("phones", "phones"),
        ("websites", "websites"),
    ] {
        let response = app
            .api(
                Method::DELETE,
                &format!("{path}/{list}/{}", c[field][0]["id"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }
    let (_, after) = app.get_json(&path).await;
    for field in ["emails", "phones", "websites"] {
        assert_eq!(after["data"][field], json!([]));
    }
    let (_, other_after) = app.get_json(&app.customer_path(&other["id"])).await;
    assert_eq!(other_after["data"]["phones"], other["phones"]);
}

async fn invalid_fields_are_each_named_and_nothing_is_written(app: TestApp) {
    let (status, body) = app
        .send_json(Method::POST, &app.customers_path(), json!({
            "first_name": "x".repeat(256), "last_name": ["not", "text"], "company": "c".repeat(256),
            "avatar": "not a url",
            "emails": [{"email": "good@example.org"}, {"email": "bad@"}, {"email": format!("{}@example.org", "a".repeat(250))}],
            "phones": [{"phone": "12"}, {"phone": "abc-def"}],
            "websites": [{"website": "example.org"}],
        }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "The given data was invalid.");
    let mut fields: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "avatar",
            "company",
            "emails.1.email",
            "emails.2.email",
            "first_name",
            "last_name",
            "phones.0.phone",
            "phones.1.phone",
            "websites.0.website"
        ]
    );
    assert_eq!(app.customer_count().await, 0);
}

async fn wrong_types_are_422_not_400(app: TestApp) {
    for body in [
        json!({"first_name": 5}),
        json!({"first_name": "A", "emails": "a@example.org"}),
        json!({"first_name": "A", "emails": [5]}),
        json!({"first_name": "A", "emails": [{"id": "x", "email": "a@example.org"}]}),
        json!({"first_name": {"nested": true}}),
    ] {
        let (status, response) = app
            .send_json(Method::POST, &app.customers_path(), body.clone())
            .await;
        assert_eq!(status, 422, "{body} → {response}");
    }
}

async fn bad_bodies_get_json_errors_on_customers_too(app: TestApp) {
    let path = app.customers_path();
    let malformed = app
        .api(Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"first_name\":")
        .send()
        .await
        .unwrap();
    assert_json_error(malformed, 400).await;
    let plain = app
        .api(Method::POST, &path)
        .header("content-type", "text/plain")
        .body("first_name=Jane")
        .send()
        .await
        .unwrap();
    assert_json_error(plain, 415).await;
    let huge = format!("first_name=Jane&company={}", "x".repeat(2_000_000));
    let too_big = app
        .api(Method::POST, &path)
        .header("content-type", FORM)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_json_error(too_big, 413).await;
    assert_eq!(app.customer_count().await, 0);
}

async fn another_accounts_customer_is_a_404_for_every_method(app: TestApp) {
    let other = app.create_account("Other");
    let (_, other_token) = app.create_member(other, supportdesk::domain::Role::Admin);
    let response = app
        .anonymous(Method::POST, &format!("/api/v1/accounts/{other}/customers"))
        .bearer_auth(&other_token)
        .json(&seed_json_body())
        .send()
        .await
        .unwrap();
    let theirs: Value = response.json().await.unwrap();
    let id = &theirs["data"]["id"];
    // Through our account's path, and through theirs with our token.
    for path in [
        app.customer_path(id),
        format!("/api/v1/accounts/{other}/customers/{id}"),
    ] {
        for method in [Method::GET, Method::PUT, Method::PATCH, Method::DELETE] {
            let response = app
                .api(method.clone(), &path)
                .json(&json!({"first_name": "Hijack"}))
                .send()
                .await
                .unwrap();
            assert_json_error(response, 404).await;
        }
        let nested = format!("{path}/emails/{}", theirs["data"]["emails"][0]["id"]);
        assert_json_error(app.api(Method::DELETE, &nested).send().await.unwrap(), 404).await;
    }
    let response = app
        .anonymous(
            Method::GET,
            &format!("/api/v1/accounts/{other}/customers/{id}"),
        )
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    let after: Value = response.json().await.unwrap();
    assert_eq!(after["data"]["first_name"], "Jane");
    assert_eq!(app.customer_count().await, 0);
}

async fn an_agent_manages_customers(app: TestApp) {
    let (_, agent) = app.create_member(app.account_id, supportdesk::domain::Role::Agent);
    let response = app
        .anonymous(Method::POST, &app.customers_path())
        .bearer_auth(agent)
        .json(&seed_json_body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

async fn concurrent_creates_with_one_email_leave_exactly_one_customer(app: TestApp) {
    let requests = (0..10).map(|i| {
        app.api(Method::POST, &app.customers_path())
            .json(&json!({"first_name": format!("Racer {i}"), "emails": [{"email": "race@example.org"}]}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 422),
        "{statuses:?}"
    );
    assert_eq!(app.customer_count().await, 1);
}

both_backends!(
    the_seed_create_sample_works_verbatim_as_a_form,
    the_seed_create_sample_works_as_json,
    the_seed_retrieve_update_list_and_delete_samples_work,
    full_lists_are_accepted_and_one_more_is_refused_with_nothing_written,
    an_email_belongs_to_one_customer_per_account_in_any_case,
    the_same_email_twice_in_one_request_is_refused,
    nested_items_are_upserted_by_id_of_this_customer_only,
    an_email_moves_between_rows_of_one_customer,
    patch_changes_only_what_it_names_and_put_requires_first_name,
    without_names_the_name_is_the_first_email,
    each_nested_item_can_be_deleted_by_id_but_only_its_own,
    invalid_fields_are_each_named_and_nothing_is_written,
    wrong_types_are_422_not_400,
    bad_bodies_get_json_errors_on_customers_too,
    another_accounts_customer_is_a_404_for_every_method,
    an_agent_manages_customers,
    concurrent_creates_with_one_email_leave_exactly_one_customer
);

async fn two_emails_of_one_customer_can_swap_in_one_request(app: TestApp) {
    let c = app
        .create_customer(json!({"first_name": "S", "emails": [{"email": "x@example.org"}, {"email": "y@example.org"}]}))
        .await;
    let (a, b) = (&c["emails"][0]["id"], &c["emails"][1]["id"]);
    for order in [
        json!([{"id": a, "email": "y@example.org"}, {"id": b, "email": "x@example.org"}]),
        json!([{"id": a, "email": "x@example.org"}, {"id": b, "email": "z@example.org"}]),
    ] {
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &app.customer_path(&c["id"]),
                json!({"emails": order}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (_, after) = app.get_json(&app.customer_path(&c["id"])).await;
    let emails: Vec<&str> = after["data"]["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["x@example.org", "z@example.org"]);
}

async fn forwarded_headers_never_break_a_list(app: TestApp) {
    for (name, value) in [
        ("x-forwarded-host", "a b"),
        ("x-forwarded-proto", "1x"),
        ("forwarded", "host=\"a b\";proto=??"),
        ("x-forwarded-host", "evil.example/x?"),
    ] {
        let response = app
            .api(Method::GET, &format!("{}?per_page=1", app.customers_path()))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}: {value}");
        let body: Value = response.json().await.unwrap();
        let first = body["links"]["first"].as_str().unwrap();
        assert!(
            first.starts_with('/') || first.starts_with("http"),
            "{first}"
        );
        assert!(!first.contains("evil.example/x"), "{first}");
    }
}

async fn forged_cursors_are_a_422_not_a_500(app: TestApp) {
    use base64::Engine;
    app.create_customer(json!({"first_name": "C"})).await;
    let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    for (sort, forged) in [
        ("name", encode(r#"{"s":"name","v":"a\u0000b","id":1}"#)),
        (
            "-created_at",
            encode(r#"{"s":"-created_at","v":"-5000-01-01T00:00:00.000000","id":1}"#),
        ),
        (
            "-created_at",
            encode(r#"{"s":"-created_at","v":"99999-01-01T00:00:00.000000","id":1}"#),
        ),
        (
            "name",
            encode(&format!(
                r#"{{"s":"name","v":"{}","id":1}}"#,
                "x".repeat(5000)
            )),
        ),
        (
            "name",
            encode(r#"{"s":"name","v":"x","id":99999999999999999999}"#),
        ),
    ] {
        let (status, body) = app
            .get_json(&format!(
                "{}?sort={sort}&cursor={forged}",
                app.customers_path()
            ))
            .await;
        assert_eq!(status, 422, "{forged}: {body}");
    }
    // A forged but well-formed cursor only moves the start of the list.
    let fine = encode(r#"{"s":"name","v":"B","id":0}"#);
    let (status, _) = app
        .get_json(&format!("{}?sort=name&cursor={fine}", app.customers_path()))
        .await;
    assert_eq!(status, 200);
}

both_backends!(
    two_emails_of_one_customer_can_swap_in_one_request,
    forwarded_headers_never_break_a_list,
    forged_cursors_are_a_422_not_a_500
);
