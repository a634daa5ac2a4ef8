//! Companies, tiers, statuses, upsert, integration locks and customer requests (SPEC §6–7),
//! with the Linear seed's own examples.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::{Integration, Role};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    pub fn account_path(&self, rest: &str) -> String {
        format!("/api/v1/accounts/{}/{rest}", self.account_id)
    }

    /// Creates a company as the admin; panics unless 201. Returns `data`.
    pub async fn create_company(&self, body: Value) -> Value {
        let (status, response) = self
            .send_json(Method::POST, &self.account_path("companies"), body)
            .await;
        assert_eq!(status, 201, "{response}");
        response["data"].clone()
    }

    /// A token of a new admin of this account, issued for `integration`.
    pub fn integration_token(&self, integration: Integration) -> String {
        let (user_id, _) = self.create_member(self.account_id, Role::Admin);
        let ttl = chrono::Duration::hours(1);
        supportdesk::auth::issue_token(
            &mut self.conn(),
            &self.state.jwt,
            user_id,
            ttl,
            Some(integration),
        )
        .unwrap()
        .token
    }

    pub async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let response = self
            .anonymous(method, path)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

async fn the_seed_company_is_created_with_its_metadata(app: TestApp) {
    let (status, tier) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_tiers"),
            json!({"name": "Enterprise", "color": "#ff0000", "position": 1}),
        )
        .await;
    assert_eq!(status, 201, "{tier}");
    let acme = app
        .create_company(
            json!({"name": "ACME", "domains": ["acme.com"], "external_ids": ["cus-acme-12345"],
                               "tier_id": tier["data"]["id"], "revenue": 1250, "size": 12}),
        )
        .await;
    assert_eq!(acme["name"], "ACME");
    assert_eq!(acme["domains"], json!(["acme.com"]));
    assert_eq!(acme["external_ids"], json!(["cus-acme-12345"]));
    assert_eq!(
        (acme["revenue"].as_i64(), acme["size"].as_i64()),
        (Some(1250), Some(12))
    );
    assert_eq!(acme["tier_id"], tier["data"]["id"]);
    assert_eq!(acme["managed_by"], Value::Null);
    assert_eq!(
        (
            acme["request_count"].as_i64(),
            acme["important_request_count"].as_i64()
        ),
        (Some(0), Some(0))
    );
    let (status, fetched) = app
        .get_json(&app.account_path(&format!("companies/{}", acme["id"])))
        .await;
    assert_eq!((status, &fetched["data"]), (200, &acme));
}

async fn the_seed_upsert_merges_domains_and_external_ids_into_the_match(app: TestApp) {
    let acme = app
        .create_company(
            json!({"name": "ACME", "domains": ["acme.com"], "external_ids": ["cus-acme-12345"]}),
        )
        .await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"domains": ["acme.com", "acme.dev"], "external_id": "own-customer-id"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "updated");
    assert_eq!(body["data"]["id"], acme["id"]);
    assert_eq!(body["data"]["name"], "ACME");
    assert_eq!(body["data"]["domains"], json!(["acme.com", "acme.dev"]));
    assert_eq!(
        body["data"]["external_ids"],
        json!(["cus-acme-12345", "own-customer-id"])
    );

    // The same upsert again changes nothing; a match by external id works too.
    let (status, again) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"domains": ["acme.dev"], "external_ids": ["own-customer-id"]}),
        )
        .await;
    assert_eq!((status, again["result"].as_str()), (200, Some("unchanged")));
    let (_, list) = app.get_json(&app.account_path("companies")).await;
    assert_eq!(list["meta"]["total"], 1);
}

async fn an_upsert_without_a_match_creates_and_needs_a_name(app: TestApp) {
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"domains": ["initech.com"]}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["name"].is_array());
    let response = app
        .api(Method::POST, &app.account_path("companies/upsert"))
        .json(&json!({"name": "Initech", "domains": ["initech.com"], "external_id": "ini-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("location").is_some());
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["result"].as_str(), body["data"]["name"].as_str()),
        (Some("created"), Some("Initech"))
    );
}

async fn concurrent_upserts_of_one_new_domain_leave_one_company(app: TestApp) {
    let requests = (0..8).map(|i| {
        app.api(Method::POST, &app.account_path("companies/upsert"))
            .json(&json!({"name": "Globex", "domains": ["globex.com"], "external_id": format!("src-{i}")}))
            .send()
    });
    let results: Vec<Value> = futures_util::future::join_all(
        requests.map(|r| async { r.await.unwrap().json::<Value>().await.unwrap() }),
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r["result"] == "created").count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r["result"] == "created" || r["result"] == "updated"),
        "{results:?}"
    );
    let (_, list) = app.get_json(&app.account_path("companies")).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["external_ids"].as_array().unwrap().len(), 8);
}

async fn domains_are_unique_lower_case_and_never_public_providers(app: TestApp) {
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "Personal", "domains": ["gmail.com"]}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["domains.0"].is_array(), "{body}");
    let acme = app
        .create_company(json!({"name": "ACME", "domains": ["ACME.com"], "external_ids": ["x-1"]}))
        .await;
    assert_eq!(acme["domains"], json!(["acme.com"]));
    for (body, field) in [
        (
            json!({"name": "Copy", "domains": ["acme.com"]}),
            "domains.0",
        ),
        (
            json!({"name": "Copy", "external_ids": ["x-1"]}),
            "external_ids.0",
        ),
        (json!({"name": "Copy", "tier_id": 999999}), "tier_id"),
        (json!({"name": "Copy", "status_id": 999999}), "status_id"),
        (json!({"name": "Copy", "owner_id": 999999}), "owner_id"),
        (json!({"domains": ["copy.com"]}), "name"),
    ] {
        let (status, response) = app
            .send_json(Method::POST, &app.account_path("companies"), body.clone())
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(response["errors"][field].is_array(), "{field}: {response}");
    }
    let (_, list) = app.get_json(&app.account_path("companies")).await;
    assert_eq!(list["meta"]["total"], 1);
    // Another account may use the same domain.
    let other = app.create_account("Other");
    let (_, token) = app.create_member(other, Role::Admin);
    let (status, _) = app
        .send_as(
            &token,
            Method::POST,
            &format!("/api/v1/accounts/{other}/companies"),
            json!({"name": "ACME", "domains": ["acme.com"]}),
        )
        .await;
    assert_eq!(status, 201);
}

async fn a_zendesk_managed_company_locks_all_but_its_allowed_fields(app: TestApp) {
    let zendesk = app.integration_token(Integration::Zendesk);
    let (status, created) = app
        .send_as(
            &zendesk,
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "Umbrella", "domains": ["umbrella.com"]}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(created["data"]["managed_by"], "zendesk");
    let path = app.account_path(&format!("companies/{}", created["data"]["id"]));

    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"name": "Renamed", "revenue": 10}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["errors"]["name"].is_array(), "{body}");
    assert!(body["errors"].get("revenue").is_none(), "{body}");
    let (_, unchanged) = app.get_json(&path).await;
    assert_eq!(
        (
            unchanged["data"]["name"].as_str(),
            unchanged["data"]["revenue"].clone()
        ),
        (Some("Umbrella"), Value::Null)
    );

    let (status, body) = app
        .send_json(Method::PATCH, &path, json!({"revenue": 5000, "size": 40}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["revenue"], 5000);
    // Sending the current name is not a change.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"name": "Umbrella", "size": 41}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"domains": ["umbrella.org"], "logo_url": "https://umbrella.com/logo.png"}),
        )
        .await;
    assert_eq!(status, 409);
    assert!(
        body["errors"]["domains"].is_array() && body["errors"].get("logo_url").is_none(),
        "{body}"
    );
}

async fn an_intercom_managed_company_allows_fewer_fields(app: TestApp) {
    let intercom = app.integration_token(Integration::Intercom);
    let (_, created) = app
        .send_as(
            &intercom,
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "Hooli"}),
        )
        .await;
    let path = app.account_path(&format!("companies/{}", created["data"]["id"]));
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"revenue": 1, "size": 2, "owner_id": app.admin_id}),
        )
        .await;
    assert_eq!(status, 409);
    let mut locked: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
    locked.sort();
    assert_eq!(locked, ["revenue", "size"]);
    let (status, _) = app
        .send_json(Method::PATCH, &path, json!({"owner_id": app.admin_id}))
        .await;
    assert_eq!(status, 200);
    // Upserts still append keys to it.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"name": "Hooli", "external_id": "mine-1"}),
        )
        .await;
    assert_eq!(status, 201, "no match by name alone: {body}");
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"external_ids": ["mine-1"], "domains": ["hooli.xyz"]}),
        )
        .await;
    assert_eq!((status, body["result"].as_str()), (200, Some("updated")));
}

async fn tiers_and_statuses_are_admin_managed_and_guarded_while_in_use(app: TestApp) {
    let (_, agent) = app.create_member(app.account_id, Role::Agent);
    let (status, _) = app
        .send_as(
            &agent,
            Method::POST,
            &app.account_path("customer_statuses"),
            json!({"name": "Active"}),
        )
        .await;
    assert_eq!(status, 403);
    let (_, status_label) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_statuses"),
            json!({"name": "Active"}),
        )
        .await;
    let (_, tier) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_tiers"),
            json!({"name": "Gold"}),
        )
        .await;
    // A tier's id is not a status.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "X", "status_id": tier["data"]["id"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let company = app.create_company(json!({"name": "X", "status_id": status_label["data"]["id"], "tier_id": tier["data"]["id"]})).await;
    let status_path =
        app.account_path(&format!("customer_statuses/{}", status_label["data"]["id"]));
    let response = app.api(Method::DELETE, &status_path).send().await.unwrap();
    assert_json_error(response, 409).await;
    let (status, renamed) = app
        .send_json(
            Method::PATCH,
            &status_path,
            json!({"name": "Live", "color": "green"}),
        )
        .await;
    assert_eq!(
        (status, renamed["data"]["name"].as_str()),
        (200, Some("Live"))
    );
    let (status, list) = app
        .send_as(
            &agent,
            Method::GET,
            &app.account_path("customer_statuses"),
            json!({}),
        )
        .await;
    assert_eq!((status, list["data"].as_array().unwrap().len()), (200, 1));
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &app.account_path(&format!("companies/{}", company["id"])),
            json!({"status_id": null}),
        )
        .await;
    assert_eq!(status, 200);
    let response = app.api(Method::DELETE, &status_path).send().await.unwrap();
    assert_eq!(response.status(), 204);
}

async fn customers_link_to_companies_by_email_domain(app: TestApp) {
    let early = app
        .create_customer(json!({"first_name": "Early", "emails": [{"email": "early@acme.com"}]}))
        .await;
    assert_eq!(early["company_id"], Value::Null);
    let acme = app
        .create_company(json!({"name": "ACME", "domains": ["acme.com"]}))
        .await;
    let (_, early_now) = app.get_json(&app.customer_path(&early["id"])).await;
    assert_eq!(
        early_now["data"]["company_id"], acme["id"],
        "company writes link existing customers"
    );
    let late = app
        .create_customer(json!({"first_name": "Late", "emails": [{"email": "LATE@Acme.com"}]}))
        .await;
    assert_eq!(late["company_id"], acme["id"], "customer writes link too");
    let (_, filtered) = app
        .get_json(&format!(
            "{}?company_id={}",
            app.customers_path(),
            acme["id"]
        ))
        .await;
    assert_eq!(filtered["meta"]["total"], 2);

    // Explicitly cleared or set.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&late["id"]),
            json!({"company_id": null}),
        )
        .await;
    assert_eq!(
        (status, body["data"]["company_id"].clone()),
        (200, Value::Null)
    );
    let other = app.create_company(json!({"name": "Other"})).await;
    let (_, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&late["id"]),
            json!({"company_id": other["id"]}),
        )
        .await;
    assert_eq!(body["data"]["company_id"], other["id"]);
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&late["id"]),
            json!({"company_id": 999999}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["company_id"].is_array());
    // Deleting the company unlinks its customers.
    let response = app
        .api(
            Method::DELETE,
            &app.account_path(&format!("companies/{}", acme["id"])),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, early_after) = app.get_json(&app.customer_path(&early["id"])).await;
    assert_eq!(early_after["data"]["company_id"], Value::Null);
}

async fn the_seed_request_attaches_by_external_id_with_an_attachment(app: TestApp) {
    app.create_company(
        json!({"name": "ACME", "domains": ["acme.com"], "external_ids": ["cus-acme-12345"]}),
    )
    .await;
    let upserted = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"domains": ["acme.com", "acme.dev"], "external_id": "own-customer-id"}),
        )
        .await
        .1;
    let conversation = app
        .create_conversation(json!({"customer_email": "buyer@acme.com"}))
        .await;
    let (status, created) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_requests"),
            json!({
            "conversation_id": conversation["id"], "body": "Content of the request",
            "company_external_id": "own-customer-id",
            "attachment_url": "https://conversations.support.com/conversations/12345"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let request = &created["data"];
    assert_eq!(request["company_id"], upserted["data"]["id"]);
    assert_eq!(request["body"], "Content of the request");
    assert_eq!(
        request["attachment"]["url"],
        "https://conversations.support.com/conversations/12345"
    );
    assert!(request["attachment"]["id"].is_i64());
    assert_eq!(
        (request["priority"].as_i64(), request["creator_id"].as_i64()),
        (Some(0), Some(app.admin_id))
    );

    let (_, important) = app
        .send_json(Method::POST, &app.account_path("customer_requests"),
                   json!({"conversation_id": conversation["id"], "company_id": upserted["data"]["id"], "priority": 1,
                          "customer_id": conversation["customer_id"]}))
        .await;
    assert_eq!(important["data"]["attachment"], Value::Null);
    let (_, company) = app
        .get_json(&app.account_path(&format!("companies/{}", upserted["data"]["id"])))
        .await;
    assert_eq!(
        (
            company["data"]["request_count"].as_i64(),
            company["data"]["important_request_count"].as_i64()
        ),
        (Some(2), Some(1))
    );

    let (_, list) = app
        .get_json(&format!(
            "{}?priority=1",
            app.account_path("customer_requests")
        ))
        .await;
    assert_eq!(list["meta"]["total"], 1);
    let path = app.account_path(&format!("customer_requests/{}", request["id"]));
    let (status, patched) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"priority": 1, "attachment_url": null}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            patched["data"]["priority"].as_i64(),
            patched["data"]["attachment"].clone()
        ),
        (Some(1), Value::Null)
    );
    let response = app.api(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 204);
}

async fn bad_requests_are_422_naming_each_field(app: TestApp) {
    let conversation = app
        .create_conversation(json!({"customer_email": "x@example.org"}))
        .await;
    for (body, field) in [
        (json!({"body": "no conversation"}), "conversation_id"),
        (json!({"conversation_id": 999999}), "conversation_id"),
        (
            json!({"conversation_id": conversation["id"], "company_external_id": "nobody"}),
            "company_external_id",
        ),
        (
            json!({"conversation_id": conversation["id"], "company_id": 999999}),
            "company_id",
        ),
        (
            json!({"conversation_id": conversation["id"], "customer_id": 999999}),
            "customer_id",
        ),
        (
            json!({"conversation_id": conversation["id"], "priority": 2}),
            "priority",
        ),
        (
            json!({"conversation_id": conversation["id"], "attachment_url": "ftp://x"}),
            "attachment_url",
        ),
    ] {
        let (status, response) = app
            .send_json(
                Method::POST,
                &app.account_path("customer_requests"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert!(response["errors"][field].is_array(), "{field}: {response}");
    }
    let (_, list) = app.get_json(&app.account_path("customer_requests")).await;
    assert_eq!(list["meta"]["total"], 0);
}

async fn another_accounts_companies_labels_and_requests_are_404(app: TestApp) {
    let other = app.create_account("Other");
    let (_, token) = app.create_member(other, Role::Admin);
    let base = format!("/api/v1/accounts/{other}");
    let (_, company) = app
        .send_as(
            &token,
            Method::POST,
            &format!("{base}/companies"),
            json!({"name": "Theirs", "external_ids": ["t-1"]}),
        )
        .await;
    let (_, tier) = app
        .send_as(
            &token,
            Method::POST,
            &format!("{base}/customer_tiers"),
            json!({"name": "T"}),
        )
        .await;
    for path in [
        app.account_path(&format!("companies/{}", company["data"]["id"])),
        app.account_path(&format!("customer_tiers/{}", tier["data"]["id"])),
        format!("{base}/companies/{}", company["data"]["id"]),
        format!("{base}/companies"),
    ] {
        let response = app.api(Method::GET, &path).send().await.unwrap();
        assert_json_error(response, 404).await;
    }
    // Their tier and their external id mean nothing here.
    let (status, _) = app
        .send_json(
            Method::POST,
            &app.account_path("companies"),
            json!({"name": "Mine", "tier_id": tier["data"]["id"]}),
        )
        .await;
    assert_eq!(status, 422);
    let conversation = app
        .create_conversation(json!({"customer_email": "x@example.org"}))
        .await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_requests"),
            json!({"conversation_id": conversation["id"], "company_external_id": "t-1"}),
        )
        .await;
    assert_eq!(status, 422);
}

/// Issue 19: companies list as customers do: sorts, filters, `q`, and a 422 for anything else.
async fn companies_sort_filter_and_search_like_customers(app: TestApp) {
    let (_, tier) = app
        .send_json(
            Method::POST,
            &app.account_path("customer_tiers"),
            json!({"name": "Gold"}),
        )
        .await;
    let tier_id = tier["data"]["id"].clone();
    let mut ids = std::collections::HashMap::new();
    for (name, body) in [
        ("zeta", json!({"name": "Zeta Ltd"})),
        (
            "societe",
            json!({"name": "Société Générale", "domains": ["socgen.fr"], "tier_id": tier_id}),
        ),
        (
            "acme",
            json!({"name": "acme", "external_ids": ["CUS-77"], "tier_id": tier_id}),
        ),
        (
            "beta",
            json!({"name": "Beta", "domains": ["beta.io"], "owner_id": app.admin_id}),
        ),
    ] {
        ids.insert(name, app.create_company(body).await["id"].as_i64().unwrap());
    }
    let list = app.account_path("companies");
    let order = |names: &[&str]| names.iter().map(|n| ids[n]).collect::<Vec<i64>>();
    assert_eq!(
        app.listed_ids(&format!("{list}?sort=name")).await,
        order(&["acme", "beta", "societe", "zeta"])
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?sort=-name&per_page=2"))
            .await,
        order(&["zeta", "societe"])
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?sort=created_at")).await,
        order(&["zeta", "societe", "acme", "beta"])
    );
    // A change moves a company to the top of -updated_at.
    let path = format!("{list}/{}", ids["zeta"]);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.send_json(Method::PATCH, &path, json!({"size": 3}))
        .await;
    assert_eq!(
        app.listed_ids(&format!("{list}?sort=-updated_at&per_page=1"))
            .await,
        order(&["zeta"])
    );

    // Filters.
    assert_eq!(
        app.listed_ids(&format!("{list}?tier_id={tier_id}&sort=name"))
            .await,
        order(&["acme", "societe"])
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?owner_id={}", app.admin_id))
            .await,
        order(&["beta"])
    );
    assert!(app
        .listed_ids(&format!("{list}?status_id=999"))
        .await
        .is_empty());
    // q: a part of the name (case and accents aside), or the start of a domain or external id.
    for (q, expected) in [
        ("GENERALE", vec!["societe"]),
        ("soci%C3%A9t%C3%A9", vec!["societe"]),
        ("socgen", vec!["societe"]),
        ("cus-7", vec!["acme"]),
        ("ta", vec!["zeta", "beta"]),
        ("50%25", vec![]),
    ] {
        let mut got = app.listed_ids(&format!("{list}?q={q}")).await;
        let mut want = order(&expected);
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "q={q}");
    }

    // Anything this list doesn't know is a 422 naming it, never ignored.
    for (query, field) in [
        ("sort=revenue", "sort"),
        ("tier=3", "tier"),
        ("tier_id=abc", "tier_id"),
        ("owner_id=0", "owner_id"),
    ] {
        let (status, body) = app.get_json(&format!("{list}?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
    // Every sort walks by cursor in its order.
    for sort in ["name", "-name", "updated_at", "-created_at"] {
        let all = app.listed_ids(&format!("{list}?sort={sort}")).await;
        let mut walked = Vec::new();
        let mut query = format!("sort={sort}&per_page=1");
        loop {
            let (_, page) = app.get_json(&format!("{list}?{query}")).await;
            walked.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].as_i64().unwrap()),
            );
            match page["meta"]["next_cursor"].as_str() {
                Some(cursor) => query = format!("sort={sort}&per_page=1&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(walked, all, "{sort}");
    }
}

both_backends!(
    companies_sort_filter_and_search_like_customers,
    the_seed_company_is_created_with_its_metadata,
    the_seed_upsert_merges_domains_and_external_ids_into_the_match,
    an_upsert_without_a_match_creates_and_needs_a_name,
    concurrent_upserts_of_one_new_domain_leave_one_company,
    domains_are_unique_lower_case_and_never_public_providers,
    a_zendesk_managed_company_locks_all_but_its_allowed_fields,
    an_intercom_managed_company_allows_fewer_fields,
    tiers_and_statuses_are_admin_managed_and_guarded_while_in_use,
    customers_link_to_companies_by_email_domain,
    the_seed_request_attaches_by_external_id_with_an_attachment,
    bad_requests_are_422_naming_each_field,
    another_accounts_companies_labels_and_requests_are_404
);
