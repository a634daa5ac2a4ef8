//! Issue 19: tags on customers and companies, normalized, filtered by (`?tag=`, several = all),
//! and counted by `GET /tags`; kept right through deletes and merges.

use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::domain::Integration;

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    /// `GET /tags` as `{name: [customers, companies]}`.
    async fn tag_counts(&self) -> Vec<(String, i64, i64)> {
        let (status, page) = self.get_json(&self.account_path("tags?per_page=100")).await;
        assert_eq!(status, 200, "{page}");
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_string(),
                    t["customers_count"].as_i64().unwrap(),
                    t["companies_count"].as_i64().unwrap(),
                )
            })
            .collect()
    }

    /// The ids a list answers, in order.
    pub async fn listed_ids(&self, path: &str) -> Vec<i64> {
        let (status, page) = self.get_json(path).await;
        assert_eq!(status, 200, "{page}");
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    }
}

fn counts(items: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    items
        .iter()
        .map(|(name, a, b)| (name.to_string(), *a, *b))
        .collect()
}

async fn customer_tags_are_normalized_replaced_and_filtered(app: TestApp) {
    let jane = app
        .create_customer(
            json!({"first_name": "Jane", "tags": ["VIP", " beta ", "vip", "Billing  Issue"]}),
        )
        .await;
    assert_eq!(jane["tags"], json!(["beta", "billing issue", "vip"]));
    let john = app
        .create_customer(json!({"first_name": "John", "tags": ["ｖｉｐ"]}))
        .await;
    assert_eq!(john["tags"], json!(["vip"]));
    let none = app.create_customer(json!({"first_name": "Nobody"})).await;
    assert_eq!(none["tags"], json!([]));

    // Several tags: every one of them; a tag is compared normalized.
    let list = app.customers_path();
    let (jane_id, john_id) = (jane["id"].as_i64().unwrap(), john["id"].as_i64().unwrap());
    assert_eq!(
        app.listed_ids(&format!("{list}?tag=VIP&sort=created_at"))
            .await,
        [jane_id, john_id]
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?tag=vip&tag=Beta")).await,
        [jane_id]
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?tag[]=billing%20%20issue"))
            .await,
        [jane_id]
    );
    assert!(app.listed_ids(&format!("{list}?tag=gold")).await.is_empty());
    let (_, page) = app.get_json(&format!("{list}?tag=vip")).await;
    assert_eq!(page["meta"]["total"], 2, "{page}");
    let (status, body) = app.get_json(&format!("{list}?tag=%20")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["tag"].is_array(), "{body}");

    // A body's tags replace the list; absent, they stay; null empties it.
    let jane_path = app.customer_path(&jane["id"]);
    let (status, body) = app
        .send_json(Method::PATCH, &jane_path, json!({"last_name": "Doe"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["tags"], jane["tags"]);
    let (_, body) = app
        .send_json(Method::PATCH, &jane_path, json!({"tags": ["Gold", "vip"]}))
        .await;
    assert_eq!(body["data"]["tags"], json!(["gold", "vip"]));
    // The same list again (in another spelling) changes nothing.
    let (_, again) = app
        .send_json(Method::PATCH, &jane_path, json!({"tags": ["VIP", "gold"]}))
        .await;
    assert_eq!(again["data"]["updated_at"], body["data"]["updated_at"]);
    let response = app
        .api(Method::PATCH, &app.customer_path(&john["id"]))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("tags[]=beta&tags[]=Gold")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["tags"], json!(["beta", "gold"]));
    assert_eq!(
        app.tag_counts().await,
        counts(&[("beta", 1, 0), ("gold", 2, 0), ("vip", 1, 0)])
    );

    // Refused, nothing written.
    let many: Vec<String> = (0..51).map(|i| format!("tag {i}")).collect();
    for (bad, field) in [
        (json!({"tags": many}), "tags"),
        (json!({"tags": ["ok", 7]}), "tags.1"),
        (json!({"tags": ["ok", "  "]}), "tags.1"),
        (json!({"tags": ["a,b"]}), "tags.0"),
        (json!({"tags": ["x".repeat(51)]}), "tags.0"),
        (json!({"tags": "vip"}), "tags"),
    ] {
        let (status, body) = app.send_json(Method::PATCH, &jane_path, bad).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (_, shown) = app.get_json(&jane_path).await;
    assert_eq!(shown["data"]["tags"], json!(["gold", "vip"]));

    // Deleting a customer takes its tags off the counts; a tag nobody carries leaves the list.
    let response = app.api(Method::DELETE, &jane_path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.tag_counts().await,
        counts(&[("beta", 1, 0), ("gold", 1, 0)])
    );
    let (_, body) = app
        .send_json(
            Method::PATCH,
            &app.customer_path(&john["id"]),
            json!({"tags": null}),
        )
        .await;
    assert_eq!(body["data"]["tags"], json!([]));
    assert!(app.tag_counts().await.is_empty());
}

async fn company_tags_work_the_same_and_are_never_locked(app: TestApp) {
    let acme = app
        .create_company(
            json!({"name": "ACME", "domains": ["acme.com"], "tags": ["Enterprise", "EU"]}),
        )
        .await;
    assert_eq!(acme["tags"], json!(["enterprise", "eu"]));
    let globex = app
        .create_company(json!({"name": "Globex", "external_ids": ["glx"], "tags": ["eu"]}))
        .await;
    let list = app.account_path("companies");
    let (acme_id, globex_id) = (acme["id"].as_i64().unwrap(), globex["id"].as_i64().unwrap());
    assert_eq!(
        app.listed_ids(&format!("{list}?tag=EU")).await,
        [globex_id, acme_id]
    );
    assert_eq!(
        app.listed_ids(&format!("{list}?tag=eu&tag=enterprise"))
            .await,
        [acme_id]
    );
    let customer = app
        .create_customer(json!({"first_name": "Jane", "tags": ["eu"]}))
        .await;
    assert_eq!(
        app.tag_counts().await,
        counts(&[("enterprise", 0, 1), ("eu", 1, 2)])
    );

    // An upsert adds its tags to the match's.
    let (status, body) = app
        .send_json(
            Method::POST,
            &app.account_path("companies/upsert"),
            json!({"external_id": "glx", "tags": ["Partner", "eu"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["tags"], json!(["eu", "partner"]));
    assert_eq!(body["result"], "updated");

    // An integration's company: its name is locked, its tags are not.
    let token = app.integration_token(Integration::Intercom);
    let (status, managed) = app
        .send_as(
            &token,
            Method::POST,
            &list,
            json!({"name": "Initech", "tags": ["trial"]}),
        )
        .await;
    assert_eq!(status, 201, "{managed}");
    let managed_path = format!("{list}/{}", managed["data"]["id"]);
    let (status, body) = app
        .send_json(Method::PATCH, &managed_path, json!({"tags": ["customer"]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["tags"], json!(["customer"]));

    // Deleting a company uncounts its tags.
    let response = app
        .api(Method::DELETE, &format!("{list}/{acme_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.tag_counts().await,
        counts(&[("customer", 0, 1), ("eu", 1, 1), ("partner", 0, 1)])
    );
    let _ = customer;
}

async fn tags_are_paged_by_name(app: TestApp) {
    for (name, tags) in [("A", json!(["c", "a"])), ("B", json!(["b", "a"]))] {
        app.create_customer(json!({"first_name": name, "tags": tags}))
            .await;
    }
    let (_, page) = app.get_json(&app.account_path("tags?per_page=2")).await;
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(page["meta"]["total"], 3);
    assert_eq!(page["data"][0]["customers_count"], 2);
    let cursor = page["meta"]["next_cursor"].as_str().unwrap();
    let (_, page) = app
        .get_json(&app.account_path(&format!("tags?per_page=2&cursor={cursor}")))
        .await;
    assert_eq!(page["data"][0]["name"], "c");
    assert_eq!(page["meta"]["next_cursor"], Value::Null);

    // Another account's tags are its own.
    let other = app.create_account("Other");
    let (_, stranger) = app.create_member(other, supportdesk::domain::Role::Admin);
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/accounts/{other}/tags"))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"], json!([]));
}

async fn a_merge_unions_the_tags(app: TestApp) {
    let target = app
        .create_customer(json!({"first_name": "Jane", "tags": ["vip", "eu"]}))
        .await;
    let source = app
        .create_customer(json!({"first_name": "J.", "tags": ["vip", "beta"]}))
        .await;
    let merge_path = format!("{}/merge", app.customer_path(&target["id"]));
    let (status, preview) = app
        .send_json(
            Method::POST,
            &merge_path,
            json!({"from": [source["id"]], "preview": true}),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["data"]["tags"], json!(["beta", "eu", "vip"]));
    assert_eq!(
        app.tag_counts().await,
        counts(&[("beta", 1, 0), ("eu", 1, 0), ("vip", 2, 0)])
    );
    let (status, merged) = app
        .send_json(Method::POST, &merge_path, json!({"from": [source["id"]]}))
        .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["data"]["tags"], json!(["beta", "eu", "vip"]));
    assert_eq!(
        app.tag_counts().await,
        counts(&[("beta", 1, 0), ("eu", 1, 0), ("vip", 1, 0)])
    );
    let list = app.customers_path();
    assert_eq!(
        app.listed_ids(&format!("{list}?tag=beta")).await,
        [target["id"].as_i64().unwrap()]
    );

    // Past 50 tags together: the preview says so, the merge is refused.
    let many: Vec<String> = (0..30).map(|i| format!("a{i}")).collect();
    let more: Vec<String> = (0..30).map(|i| format!("b{i}")).collect();
    let a = app
        .create_customer(json!({"first_name": "A", "tags": many}))
        .await;
    let b = app
        .create_customer(json!({"first_name": "B", "tags": more}))
        .await;
    let path = format!("{}/merge", app.customer_path(&a["id"]));
    let (status, preview) = app
        .send_json(
            Method::POST,
            &path,
            json!({"from": [b["id"]], "preview": true}),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["mergeable"], false);
    assert!(preview["errors"]["tags"][0]
        .as_str()
        .unwrap()
        .contains("10 over the limit of 50"));
    let (status, body) = app
        .send_json(Method::POST, &path, json!({"from": [b["id"]]}))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.get_json(&app.customer_path(&b["id"])).await;
    assert_eq!(status, 200, "nothing was merged");
}

async fn concurrent_taggings_are_all_counted(app: TestApp) {
    let mut paths = Vec::new();
    for i in 0..16 {
        let customer = app
            .create_customer(json!({"first_name": format!("C{i}")}))
            .await;
        paths.push(app.customer_path(&customer["id"]));
    }
    // Each customer tagged twice at once (the same new tags), and untagged from one of them.
    let writes = paths.iter().flat_map(|path| {
        [json!({"tags": ["new", "other"]}), json!({"tags": ["new"]})].map(|body| {
            let app = &app;
            async move { app.send_json(Method::PATCH, path, body).await.0 }
        })
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let mut with_other = 0;
    for path in &paths {
        let (_, shown) = app.get_json(path).await;
        if shown["data"]["tags"] == json!(["new", "other"]) {
            with_other += 1;
        }
    }
    let mut expected = vec![("new".to_string(), 16, 0)];
    if with_other > 0 {
        expected.push(("other".to_string(), with_other, 0));
    }
    assert_eq!(app.tag_counts().await, expected);
}

both_backends!(
    concurrent_taggings_are_all_counted,
    customer_tags_are_normalized_replaced_and_filtered,
    company_tags_work_the_same_and_are_never_locked,
    tags_are_paged_by_name,
    a_merge_unions_the_tags,
);
