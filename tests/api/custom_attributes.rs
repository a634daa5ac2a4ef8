//! Custom attributes (issue 19): definitions, typed values on customers and companies, filters.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Role;

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    fn definitions_path(&self) -> String {
        self.account_path("custom_attribute_definitions")
    }

    /// Defines an attribute as the admin; panics unless 201. Returns `data`.
    async fn define(&self, body: Value) -> Value {
        let (status, response) = self
            .send_json(Method::POST, &self.definitions_path(), body)
            .await;
        assert_eq!(status, 201, "{response}");
        response["data"].clone()
    }

    /// Deletes the account's definition of `key` (204).
    async fn delete_definition(&self, key: &str) {
        let (_, definitions) = self.get_json(&self.definitions_path()).await;
        let definition = definitions["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == key)
            .unwrap()
            .clone();
        let response = self
            .api(
                Method::DELETE,
                &format!("{}/{}", self.definitions_path(), definition["id"]),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    /// The customers plan, seats, renewal date, beta tester and note (the five types).
    async fn define_customer_attributes(&self) {
        for body in [
            json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer", "options": ["free", "pro", "enterprise"]}),
            json!({"key": "seats", "label": "Seats", "type": "number", "object_type": "customer"}),
            json!({"key": "renewal", "label": "Renewal", "type": "date", "object_type": "customer"}),
            json!({"key": "beta", "label": "Beta tester", "type": "boolean", "object_type": "customer"}),
            json!({"key": "segment", "label": "Segment", "type": "text", "object_type": "customer"}),
        ] {
            self.define(body).await;
        }
    }

    /// The first names a customers list query finds, sorted.
    async fn first_names(&self, query: &str) -> Vec<String> {
        let (status, page) = self
            .get_json(&format!("{}?{query}", self.customers_path()))
            .await;
        assert_eq!(status, 200, "{query}: {page}");
        let mut names: Vec<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    }
}

async fn definitions_are_checked_listed_changed_and_admin_only(app: TestApp) {
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.definitions_path(),
            json!({"key": "Bad Key", "label": " ", "type": "money", "object_type": "deal", "options": ["a"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    for field in ["key", "label", "type", "object_type"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.definitions_path(),
            json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer"}),
        )
        .await;
    assert_eq!(status, 422, "a list needs options: {body}");
    assert!(body["errors"]["options"].is_array());

    let plan = app
        .define(json!({"key": "plan", "label": "Plan", "type": "list", "object_type": "customer", "options": ["free", "pro"]}))
        .await;
    assert_eq!(plan["type"], "list");
    assert_eq!(plan["options"], json!(["free", "pro"]));
    // One key per kind of record: taken for customers, free for companies.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.definitions_path(),
            json!({"key": "plan", "label": "Plan again", "type": "text", "object_type": "customer"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["key"].is_array());
    app.define(json!({"key": "plan", "label": "Plan", "type": "text", "object_type": "company"}))
        .await;
    let (_, all) = app.get_json(&app.definitions_path()).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 2);
    let (_, companies) = app
        .get_json(&format!("{}?object_type=company", app.definitions_path()))
        .await;
    assert_eq!(companies["data"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .get_json(&format!("{}?object_type=deal", app.definitions_path()))
        .await;
    assert_eq!(status, 422);

    // Label and options change; key and type don't.
    let path = format!("{}/{}", app.definitions_path(), plan["id"]);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"label": "Pricing plan", "options": ["free", "pro", "enterprise"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["label"], "Pricing plan");
    let (status, body) = app
        .send_json(Method::PATCH, &path, json!({"type": "text"}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["type"].is_array());
    // An option some customer holds can't go.
    app.create_customer(json!({"first_name": "Ann", "custom_attributes": {"plan": "pro"}}))
        .await;
    let (status, body) = app
        .send_json(Method::PATCH, &path, json!({"options": ["free"]}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["errors"]["options"].is_array());

    // Agents read definitions but don't write them; other accounts don't see them.
    let (_, agent) = app.create_member(app.account_id, Role::Agent);
    let response = app
        .anonymous(Method::GET, &path)
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .anonymous(Method::DELETE, &path)
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let other = app.create_account("Other");
    let (_, stranger) = app.create_member(other, Role::Admin);
    let response = app
        .anonymous(
            Method::GET,
            &format!(
                "/api/v1/accounts/{other}/custom_attribute_definitions/{}",
                plan["id"]
            ),
        )
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

async fn values_are_typed_merged_and_removed(app: TestApp) {
    app.define_customer_attributes().await;
    let ann = app
        .create_customer(json!({"first_name": "Ann", "custom_attributes": {
            "plan": "pro", "seats": 12, "renewal": "2027-01-31", "beta": true, "segment": " Retail "}}))
        .await;
    assert_eq!(
        ann["custom_attributes"],
        json!({"beta": true, "plan": "pro", "renewal": "2027-01-31", "seats": 12, "segment": "Retail"})
    );
    let path = app.customer_path(&ann["id"]);
    let (_, shown) = app.get_json(&path).await;
    assert_eq!(shown["data"]["custom_attributes"], ann["custom_attributes"]);

    // Wrong types, unknown keys, nested values: 422 naming each, and nothing written.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"custom_attributes": {"nested": {"a": 1}, "Bad-Key": 1}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    for key in ["nested", "Bad-Key"] {
        assert!(
            body["errors"][format!("custom_attributes.{key}")].is_array(),
            "{key}: {body}"
        );
    }
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"first_name": "Changed", "custom_attributes": {"plan": "gold", "seats": "many", "renewal": "31/01/2027",
                "beta": "maybe", "segment": 5, "unknown": 1}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    for key in ["plan", "seats", "renewal", "beta", "segment", "unknown"] {
        assert!(
            body["errors"][format!("custom_attributes.{key}")].is_array(),
            "{key}: {body}"
        );
    }
    let (_, unchanged) = app.get_json(&path).await;
    assert_eq!(unchanged["data"]["first_name"], "Ann");
    assert_eq!(unchanged["data"]["updated_at"], ann["updated_at"]);

    // A PATCH sets what it names, null removes, the rest stay; a form's text is typed.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"custom_attributes": {"seats": 15.5, "beta": null}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["custom_attributes"],
        json!({"plan": "pro", "renewal": "2027-01-31", "seats": 15.5, "segment": "Retail"})
    );
    let response = app
        .api(Method::PATCH, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("custom_attributes[seats]=20&custom_attributes[beta]=false")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["custom_attributes"]["seats"], 20);
    assert_eq!(body["data"]["custom_attributes"]["beta"], false);
    // The same values again change nothing.
    let (_, again) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"custom_attributes": {"seats": 20}}),
        )
        .await;
    assert_eq!(again["data"]["updated_at"], body["data"]["updated_at"]);
    let (_, cleared) = app
        .send_json(Method::PATCH, &path, json!({"custom_attributes": null}))
        .await;
    assert_eq!(cleared["data"]["custom_attributes"], json!({}));
}

async fn lists_filter_by_value_and_range(app: TestApp) {
    app.define_customer_attributes().await;
    for (name, attributes) in [
        (
            "Ann",
            json!({"plan": "pro", "seats": 12, "renewal": "2027-01-31", "beta": true, "segment": "Retail"}),
        ),
        (
            "Bob",
            json!({"plan": "free", "seats": 1, "renewal": "2026-12-15", "segment": "RÉTAIL"}),
        ),
        (
            "Cid",
            json!({"plan": "enterprise", "seats": 250, "renewal": "2027-06-01", "beta": false}),
        ),
        ("Dee", json!({})),
    ] {
        app.create_customer(json!({"first_name": name, "custom_attributes": attributes}))
            .await;
    }
    for (query, want) in [
        ("custom_attributes[plan]=pro", vec!["Ann"]),
        ("custom_attributes[beta]=true", vec!["Ann"]),
        ("custom_attributes[beta]=false", vec!["Cid"]),
        ("custom_attributes[segment]=retail", vec!["Ann", "Bob"]),
        ("custom_attributes[seats]=12", vec!["Ann"]),
        ("custom_attributes[seats][gt]=10", vec!["Ann", "Cid"]),
        (
            "custom_attributes[seats][gte]=12&custom_attributes[seats][lt]=250",
            vec!["Ann"],
        ),
        ("custom_attributes[seats][lte]=12", vec!["Ann", "Bob"]),
        (
            "custom_attributes[renewal][lt]=2027-02-01",
            vec!["Ann", "Bob"],
        ),
        ("custom_attributes[renewal][gt]=2027-01-31", vec!["Cid"]),
        ("custom_attributes[plan]=pro&q=ann", vec!["Ann"]),
        (
            "custom_attributes[plan]=pro&sort=name&per_page=1",
            vec!["Ann"],
        ),
    ] {
        assert_eq!(app.first_names(query).await, want, "{query}");
    }
    for (query, param) in [
        ("custom_attributes[nope]=1", "custom_attributes[nope]"),
        (
            "custom_attributes[plan][gt]=a",
            "custom_attributes[plan][gt]",
        ),
        ("custom_attributes[seats]=many", "custom_attributes[seats]"),
        (
            "custom_attributes[renewal][lt]=soon",
            "custom_attributes[renewal][lt]",
        ),
        (
            "custom_attributes[seats][between]=1",
            "custom_attributes[seats][between]",
        ),
    ] {
        let (status, body) = app
            .get_json(&format!("{}?{query}", app.customers_path()))
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"][param].is_array(), "{query}: {body}");
    }
}

async fn companies_carry_and_filter_theirs(app: TestApp) {
    app.define(json!({"key": "industry", "label": "Industry", "type": "list", "object_type": "company", "options": ["retail", "saas"]}))
        .await;
    app.define(json!({"key": "arr", "label": "ARR", "type": "number", "object_type": "company"}))
        .await;
    let acme = app
        .create_company(json!({"name": "ACME", "domains": ["acme.example"], "custom_attributes": {"industry": "saas", "arr": 120000}}))
        .await;
    assert_eq!(
        acme["custom_attributes"],
        json!({"arr": 120000, "industry": "saas"})
    );
    app.create_company(json!({"name": "Shop", "custom_attributes": {"industry": "retail"}}))
        .await;
    // A customer's attribute is not a company's.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "X", "custom_attributes": {"plan": "pro"}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let companies = app.account_path("companies");
    let (_, found) = app
        .get_json(&format!("{companies}?custom_attributes[arr][gte]=100000"))
        .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["name"], "ACME");
    // An upsert sets the attributes it gives, as a PATCH does.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"domains": ["acme.example"], "custom_attributes": {"arr": 150000}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["custom_attributes"],
        json!({"arr": 150000, "industry": "saas"})
    );
}

async fn deleting_a_definition_strips_its_values_and_merges_keep_them(app: TestApp) {
    app.define_customer_attributes().await;
    let ann = app
        .create_customer(
            json!({"first_name": "Ann", "custom_attributes": {"plan": "pro", "seats": 3}}),
        )
        .await;
    let bob = app
        .create_customer(
            json!({"first_name": "Bob", "custom_attributes": {"plan": "free", "segment": "smb"}}),
        )
        .await;
    // The survivor keeps its own values and takes the ones it lacked.
    let (status, body) = app
        .send_json(
            Method::POST,
            &format!("{}/merge", app.customer_path(&ann["id"])),
            json!({"from": [bob["id"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["custom_attributes"],
        json!({"plan": "pro", "seats": 3, "segment": "smb"})
    );
    assert_eq!(
        app.first_names("custom_attributes[segment]=smb").await,
        ["Ann"]
    );
    assert!(app
        .first_names("custom_attributes[plan]=free")
        .await
        .is_empty());

    app.delete_definition("plan").await;
    let (_, shown) = app.get_json(&app.customer_path(&ann["id"])).await;
    assert_eq!(
        shown["data"]["custom_attributes"],
        json!({"seats": 3, "segment": "smb"})
    );
    let (status, _) = app
        .get_json(&format!(
            "{}?custom_attributes[plan]=pro",
            app.customers_path()
        ))
        .await;
    assert_eq!(status, 422, "no such attribute any more");
    // Defined again, it starts empty.
    app.define(json!({"key": "plan", "label": "Plan", "type": "text", "object_type": "customer"}))
        .await;
    assert!(app
        .first_names("custom_attributes[plan]=pro")
        .await
        .is_empty());
}

/// Each total of an equality filter equals how many customers hold that value, read from their
/// own `custom_attributes` (any case for text).
async fn check_equality_totals(app: &TestApp, step: &str) {
    let (_, all) = app
        .get_json(&format!("{}?per_page=100", app.customers_path()))
        .await;
    let customers = all["data"].as_array().unwrap();
    for (key, value) in [
        ("plan", json!("free")),
        ("plan", json!("pro")),
        ("plan", json!("enterprise")),
        ("beta", json!(true)),
        ("beta", json!(false)),
        ("segment", json!("smb")),
    ] {
        let held = customers
            .iter()
            .filter(|c| match c["custom_attributes"][key].as_str() {
                Some(text) => Some(text.to_lowercase().as_str()) == value.as_str(),
                None => c["custom_attributes"][key] == value,
            })
            .count() as i64;
        let query = match &value {
            Value::String(text) => format!("custom_attributes[{key}]={text}"),
            other => format!("custom_attributes[{key}]={other}"),
        };
        let (status, page) = app
            .get_json(&format!("{}?{query}&per_page=1", app.customers_path()))
            .await;
        assert_eq!(status, 200, "{step}, {query}: {page}");
        assert_eq!(page["meta"]["total"], held, "{step}, {query}");
    }
    // Ranges sum the counts of the values in them.
    let seats = |c: &&Value| c["custom_attributes"]["seats"].as_f64();
    let renewal = |c: &&Value| {
        c["custom_attributes"]["renewal"]
            .as_str()
            .map(str::to_string)
    };
    let ranges: [(&str, usize); 4] = [
        (
            "custom_attributes[seats][gt]=2",
            customers
                .iter()
                .filter(|c| seats(c).is_some_and(|n| n > 2.0))
                .count(),
        ),
        (
            "custom_attributes[seats][lte]=5",
            customers
                .iter()
                .filter(|c| seats(c).is_some_and(|n| n <= 5.0))
                .count(),
        ),
        (
            "custom_attributes[seats]=3",
            customers.iter().filter(|c| seats(c) == Some(3.0)).count(),
        ),
        (
            "custom_attributes[renewal][lt]=2027-06-01",
            customers
                .iter()
                .filter(|c| renewal(c).is_some_and(|d| d.as_str() < "2027-06-01"))
                .count(),
        ),
    ];
    for (query, held) in ranges {
        let (status, page) = app
            .get_json(&format!("{}?{query}&per_page=1", app.customers_path()))
            .await;
        assert_eq!(status, 200, "{step}, {query}: {page}");
        assert_eq!(page["meta"]["total"], held as i64, "{step}, {query}");
    }
}

/// A lone attribute filter's total is summed from counts every write keeps
/// (`customer_attribute_counts`, `customer_attribute_number_counts`), not counted on the value
/// index: after creates, changes, removals, a merge, a delete and a definition's delete, equal
/// values and ranges still say how many customers hold them.
async fn equality_totals_follow_every_write(app: TestApp) {
    app.define_customer_attributes().await;
    let ann = app
        .create_customer(json!({"first_name": "Ann",
            "custom_attributes": {"plan": "pro", "beta": true, "segment": "SMB", "seats": 3, "renewal": "2027-01-31"}}))
        .await;
    let bob = app
        .create_customer(
            json!({"first_name": "Bob", "custom_attributes": {"plan": "pro", "seats": 3}}),
        )
        .await;
    let cid = app
        .create_customer(json!({"first_name": "Cid",
            "custom_attributes": {"plan": "free", "beta": false, "seats": 7, "renewal": "2027-09-01"}}))
        .await;
    let dee = app
        .create_customer(json!({"first_name": "Dee",
            "custom_attributes": {"plan": "enterprise", "segment": "smb"}}))
        .await;
    app.create_customer(json!({"first_name": "Eve"})).await;
    check_equality_totals(&app, "created").await;

    for (customer, attributes) in [
        (&bob, json!({"plan": "free"})),
        (&ann, json!({"plan": null, "segment": "Mid"})),
        (&ann, json!({"beta": true, "seats": 12, "renewal": null})),
        (&bob, json!({"seats": 1.5, "renewal": "2026-12-31"})),
    ] {
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &app.customer_path(&customer["id"]),
                json!({ "custom_attributes": attributes }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    check_equality_totals(&app, "changed").await;

    let (status, body) = app
        .send_json(
            Method::POST,
            &format!("{}/merge", app.customer_path(&dee["id"])),
            json!({"from": [cid["id"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    check_equality_totals(&app, "merged").await;

    let response = app
        .api(Method::DELETE, &app.customer_path(&bob["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    check_equality_totals(&app, "deleted").await;

    // A text and a number attribute deleted (their values and counts go) and defined again.
    for (key, kind) in [("segment", "text"), ("seats", "number")] {
        app.delete_definition(key).await;
        app.define(json!({"key": key, "label": key, "type": kind, "object_type": "customer"}))
            .await;
    }
    check_equality_totals(&app, "defined again").await;
}

both_backends!(
    equality_totals_follow_every_write,
    definitions_are_checked_listed_changed_and_admin_only,
    values_are_typed_merged_and_removed,
    lists_filter_by_value_and_range,
    companies_carry_and_filter_theirs,
    deleting_a_definition_strips_its_values_and_merges_keep_them
);

/// A filter matching thousands is checked row by row along the sort index, a rare one read
/// first (`db::customers::Breadth`): both answer what the value index holds, totals included.
async fn broad_and_narrow_filters_answer_alike(app: TestApp) {
    let plan = supportdesk::services::seed_data::SeedPlan {
        account_id: app.account_id,
        customers: 24_000,
        conversations_per_customer: 0,
        seed: 3,
    };
    supportdesk::services::seed_data::seed(&app.state.db, &plan, |_| {}).unwrap();
    let customers = app.customers_path();
    for (query, key, value) in [
        ("custom_attributes[plan]=free", "plan", "free"),
        ("custom_attributes[plan]=enterprise", "plan", "enterprise"),
    ] {
        // What the value index holds, newest first.
        let mut want: Vec<(String, i64)> = Vec::new();
        for page in 1..=2000 {
            let (_, body) = app
                .get_json(&format!("{customers}?per_page=100&page={page}"))
                .await;
            let rows = body["data"].as_array().unwrap();
            for c in rows {
                if c["custom_attributes"][key] == value {
                    want.push((
                        c["created_at"].as_str().unwrap().into(),
                        c["id"].as_i64().unwrap(),
                    ));
                }
            }
            if rows.len() < 100 || want.len() >= 60 {
                break;
            }
        }
        let (status, page) = app
            .get_json(&format!("{customers}?{query}&per_page=50"))
            .await;
        assert_eq!(status, 200, "{page}");
        let got: Vec<i64> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        let want: Vec<i64> = want.iter().take(50).map(|(_, id)| *id).collect();
        assert_eq!(got, want, "{query}");
        let total = page["meta"]["total"].as_i64().unwrap();
        assert!(total >= got.len() as i64, "{query}: {total}");
    }
    // The broad one really is broad, and its total is exact.
    let (_, free) = app
        .get_json(&format!(
            "{customers}?custom_attributes[plan]=free&per_page=1"
        ))
        .await;
    assert!(
        free["meta"]["total"].as_i64().unwrap() > 5_000,
        "{}",
        free["meta"]
    );
    let (_, by_cursor) = app
        .get_json(&format!(
            "{customers}?custom_attributes[plan]=free&per_page=1&cursor={}",
            free["meta"]["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_cursor["data"][0]["custom_attributes"]["plan"], "free");
}

both_backends!(broad_and_narrow_filters_answer_alike);
