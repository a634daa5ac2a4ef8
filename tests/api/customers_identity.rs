//! Issue 18: customers' external ids, lookups by them, and upserts by an identity key.

use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    fn upsert_path(&self) -> String {
        format!("{}/upsert", self.customers_path())
    }

    async fn upsert(&self, body: Value) -> (u16, Value) {
        self.send_json(Method::POST, &self.upsert_path(), body)
            .await
    }
}

async fn external_ids_are_set_removed_unique_and_looked_up(app: TestApp) {
    let jane = app
        .create_customer(json!({"first_name": "Jane", "external_ids": {"Stripe": " cus_1 "}}))
        .await;
    assert_eq!(jane["external_ids"], json!({"stripe": "cus_1"}));
    let path = app.customer_path(&jane["id"]);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"external_ids": {"hubspot": "42"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["external_ids"],
        json!({"hubspot": "42", "stripe": "cus_1"}),
        "sources not mentioned stay"
    );
    let (_, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"external_ids": {"stripe": null}}),
        )
        .await;
    assert_eq!(body["data"]["external_ids"], json!({"hubspot": "42"}));

    let lookup = |id: &str| format!("{}/lookup?external_id={id}", app.customers_path());
    let (status, found) = app.get_json(&lookup("42")).await;
    assert_eq!((status, &found["data"]["id"]), (200, &jane["id"]));
    let (status, _) = app.get_json(&lookup("cus_1")).await;
    assert_eq!(status, 404, "a removed id identifies no one");

    // An id names one customer, whatever its source; the 422 names the holder.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.customers_path(),
            json!({"first_name": "Other", "external_ids": {"zendesk": "42"}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["external_ids.zendesk"].is_array(), "{body}");
    assert_eq!(body["conflict"]["customer_id"], jane["id"]);
    assert_eq!(app.customer_count().await, 1, "nothing written");

    for (ids, field) in [
        (json!({"bad source": "1"}), "external_ids.bad source"),
        (json!({"a": 5}), "external_ids.a"),
        (json!(["cus_1"]), "external_ids"),
    ] {
        let (status, body) = app
            .send_json(Method::PATCH, &path, json!({ "external_ids": ids }))
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    // Form bodies use brackets.
    let response = app
        .api(Method::PATCH, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("external_ids[front]=f-7")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["external_ids"]["front"], "f-7");
    let (_, body) = app
        .send_json(Method::PATCH, &path, json!({"external_ids": null}))
        .await;
    assert_eq!(body["data"]["external_ids"], json!({}));
    let (status, _) = app.get_json(&lookup("42")).await;
    assert_eq!(status, 404);
}

async fn upserts_create_update_and_report_unchanged(app: TestApp) {
    let body =
        json!({"match": "email", "first_name": "Jane", "emails": [{"email": "jane@example.org"}]});
    let response = app
        .api(Method::POST, &app.upsert_path())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["result"], "created");
    let id = created["data"]["id"].clone();
    assert_eq!(location, app.customer_path(&id));

    let (status, again) = app.upsert(body).await;
    assert_eq!((status, again["result"].as_str()), (200, Some("unchanged")));
    assert_eq!(again["data"]["updated_at"], created["data"]["updated_at"]);
    assert_eq!(
        again["data"]["emails"].as_array().unwrap().len(),
        1,
        "not added twice"
    );

    let (status, updated) = app
        .upsert(
            json!({"match": "email", "last_name": "Doe", "emails": [{"email": "JANE@example.org"}],
            "phones": [{"phone": "+1 (555) 010-0000"}], "external_ids": {"stripe": "cus_9"}}),
        )
        .await;
    assert_eq!(
        (status, updated["result"].as_str()),
        (200, Some("updated")),
        "{updated}"
    );
    assert_eq!(updated["data"]["id"], id);
    assert_eq!(updated["data"]["name"], "Jane Doe");
    assert_eq!(updated["data"]["first_name"], "Jane", "absent fields stay");

    // Each key matches by the body's own values, in their normalized form.
    for body in [
        json!({"match": "phone", "phones": [{"phone": "15550100000"}], "company": "Acme"}),
        json!({"match": "external_id", "external_ids": {"other": "nope", "stripe": "cus_9"}}),
    ] {
        let (status, answer) = app.upsert(body.clone()).await;
        assert_eq!(status, 200, "{body}: {answer}");
        assert_eq!(answer["data"]["id"], id, "{body}");
    }
    assert_eq!(app.customer_count().await, 1);

    // Creating needs a first name; matching needs a value of the key.
    for (body, field) in [
        (
            json!({"match": "email", "emails": [{"email": "new@example.org"}]}),
            "first_name",
        ),
        (json!({"match": "email", "first_name": "X"}), "emails"),
        (json!({"match": "name", "first_name": "X"}), "match"),
        (
            json!({"first_name": "X", "emails": [{"email": "x@example.org"}]}),
            "match",
        ),
    ] {
        let (status, answer) = app.upsert(body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert!(answer["errors"][field].is_array(), "{body}: {answer}");
    }
    assert_eq!(app.customer_count().await, 1, "nothing written");
}

async fn concurrent_upserts_of_one_key_make_one_customer(app: TestApp) {
    for (round, body) in [
        json!({"match": "phone", "first_name": "Racer", "phones": [{"phone": "020 7946 0000"}]}),
        json!({"match": "email", "first_name": "Racer", "emails": [{"email": "racer@example.org"}]}),
        json!({"match": "external_id", "first_name": "Racer", "external_ids": {"crm": "r-1"}}),
    ]
    .into_iter()
    .enumerate()
    {
        let requests = (0..20).map(|_| {
            app.api(Method::POST, &app.upsert_path())
                .json(&body)
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
            "{body}: {statuses:?}"
        );
        assert!(statuses.iter().all(|s| [200, 201].contains(s)), "{statuses:?}");
        assert_eq!(app.customer_count().await, round as i64 + 1, "{body}");
    }
}

both_backends!(
    external_ids_are_set_removed_unique_and_looked_up,
    upserts_create_update_and_report_unchanged,
    concurrent_upserts_of_one_key_make_one_customer,
);

async fn phones_compare_as_e164_in_the_accounts_region(app: TestApp) {
    let account = format!("/api/v1/accounts/{}", app.account_id);
    let lookup = |phone: &str| {
        format!(
            "{}/lookup?phone={}",
            app.customers_path(),
            phone.replace('+', "%2B").replace(' ', "%20")
        )
    };
    let before = app
        .create_customer(json!({"first_name": "Before", "phones": [{"phone": "(555) 010-0001"}]}))
        .await;
    // Without a region, phones compare by digits: the national form is another number.
    let (status, _) = app.get_json(&lookup("+1 555 010 0001")).await;
    assert_eq!(status, 404);

    let (status, body) = app
        .send_json(Method::PATCH, &account, json!({"phone_region": "us"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["phone_region"], "US");
    // Setting the region keys the phones already stored again.
    for phone in ["+1 555 010 0001", "555-010-0001", "1 (555) 010-0001"] {
        let (status, found) = app.get_json(&lookup(phone)).await;
        assert_eq!(
            (status, &found["data"]["id"]),
            (200, &before["id"]),
            "{phone}"
        );
    }
    let (_, listed) = app
        .get_json(&format!("{}?phone=%2B15550100001", app.customers_path()))
        .await;
    assert_eq!(listed["meta"]["total"], 1, "{listed}");
    let after = app
        .create_customer(json!({"first_name": "After", "phones": [{"phone": "+1.555.010.0001"}]}))
        .await;
    assert_eq!(
        after["phones"][0]["phone"], "+1.555.010.0001",
        "kept as written"
    );
    let (_, candidates) = app
        .get_json(&format!("{}/duplicates", app.customer_path(&before["id"])))
        .await;
    assert_eq!(
        candidates["data"][0]["customer"]["id"], after["id"],
        "{candidates}"
    );
    let (status, upserted) = app
        .send_json(
            Method::POST,
            &format!("{}/upsert", app.customers_path()),
            json!({"match": "phone", "phones": [{"phone": "555 010 0001"}], "company": "Acme"}),
        )
        .await;
    assert_eq!(
        (status, &upserted["data"]["id"]),
        (200, &before["id"]),
        "{upserted}"
    );

    for region in [json!("Narnia"), json!("XX"), json!(7)] {
        let (status, body) = app
            .send_json(Method::PATCH, &account, json!({ "phone_region": region }))
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(body["errors"]["phone_region"].is_array(), "{body}");
    }
    // Cleared, phones compare by digits again.
    let (_, body) = app
        .send_json(Method::PATCH, &account, json!({"phone_region": null}))
        .await;
    assert_eq!(body["data"]["phone_region"], Value::Null);
    let (status, found) = app.get_json(&lookup("(555) 010-0001")).await;
    assert_eq!((status, &found["data"]["id"]), (200, &before["id"]));
}

both_backends!(phones_compare_as_e164_in_the_accounts_region);
