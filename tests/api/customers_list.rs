//! `GET /customers`: paging, sorting, filters; and `stats` counted from real conversation rows.

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{json, Value};
use supportdesk::db::{self, schema::conversations};

use crate::both_backends;
use crate::helpers::*;

async fn list_total(app: &TestApp) -> Value {
    app.get_json(&app.customers_path()).await.1["meta"]["total"].clone()
}

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

impl TestApp {
    /// Stores a conversation row directly (the conversations API is not needed to count stats).
    pub fn insert_conversation(&self, customer_id: i64, status: &str, channel: &str) {
        use diesel::ExpressionMethods;
        let mut pooled = self.conn();
        let conn = &mut *pooled;
        let now = db::now();
        let number: i64 = rand_number();
        supportdesk::db_run!(conn, {
            diesel::insert_into(conversations::table)
                .values((
                    conversations::account_id.eq(self.account_id),
                    conversations::number.eq(number),
                    conversations::customer_id.eq(customer_id),
                    conversations::channel.eq(channel),
                    conversations::status.eq(status),
                    conversations::created_at.eq(now),
                    conversations::updated_at.eq(now),
                ))
                .execute(conn)
        })
        .unwrap();
    }
}

fn rand_number() -> i64 {
    (uuid::Uuid::new_v4().as_u128() % 1_000_000_000) as i64
}

async fn pages_carry_meta_and_links_that_keep_the_query(app: TestApp) {
    for i in 0..5 {
        app.create_customer(json!({"first_name": format!("Person {i}")}))
            .await;
    }
    let (status, body) = app
        .get_json(&format!(
            "{}?per_page=2&page=2&sort=name",
            app.customers_path()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(names(&body), ["Person 2", "Person 3"]);
    let mut meta = body["meta"].clone();
    assert!(meta
        .as_object_mut()
        .unwrap()
        .remove("next_cursor")
        .unwrap()
        .is_string());
    assert_eq!(
        meta,
        json!({"current_page": 2, "per_page": 2, "total": 5, "last_page": 3, "from": 3, "to": 4})
    );
    let base = app.customers_path();
    assert_eq!(
        body["links"]["first"],
        format!("{base}?per_page=2&sort=name&page=1")
    );
    assert_eq!(
        body["links"]["last"],
        format!("{base}?per_page=2&sort=name&page=3")
    );
    assert_eq!(
        body["links"]["prev"],
        format!("{base}?per_page=2&sort=name&page=1")
    );
    assert_eq!(
        body["links"]["next"],
        format!("{base}?per_page=2&sort=name&page=3")
    );
    assert!(body["data"][0].get("stats").is_none());

    let (_, last) = app.get_json(body["links"]["next"].as_str().unwrap()).await;
    assert_eq!(names(&last), ["Person 4"]);
    assert_eq!(last["links"]["next"], Value::Null);

    let (_, beyond) = app
        .get_json(&format!("{}?page=9", app.customers_path()))
        .await;
    assert_eq!(beyond["data"], json!([]));
    assert_eq!(
        (beyond["meta"]["from"].clone(), beyond["meta"]["to"].clone()),
        (Value::Null, Value::Null)
    );
}

async fn the_default_order_is_newest_first_and_sorts_apply(app: TestApp) {
    for name in ["Bravo", "Alpha", "Charlie"] {
        app.create_customer(json!({"first_name": name})).await;
    }
    let (_, newest) = app.get_json(&app.customers_path()).await;
    assert_eq!(names(&newest), ["Charlie", "Alpha", "Bravo"]);
    let (_, oldest) = app
        .get_json(&format!("{}?sort=created_at", app.customers_path()))
        .await;
    assert_eq!(names(&oldest), ["Bravo", "Alpha", "Charlie"]);
    let (_, by_name) = app
        .get_json(&format!("{}?sort=-name", app.customers_path()))
        .await;
    assert_eq!(names(&by_name), ["Charlie", "Bravo", "Alpha"]);
}

/// Issue 19: `sort=name` ignores case and accents (a stored folded key) and breaks ties by id.
async fn sorting_by_name_ignores_case_and_accents(app: TestApp) {
    for name in ["zoë", "Émile", "adam", "Bob", "emile", "ÉMILE"] {
        app.create_customer(json!({"first_name": name})).await;
    }
    let expected = ["adam", "Bob", "Émile", "emile", "ÉMILE", "zoë"];
    let (_, by_name) = app
        .get_json(&format!("{}?sort=name", app.customers_path()))
        .await;
    assert_eq!(names(&by_name), expected);
    let (_, backwards) = app
        .get_json(&format!("{}?sort=-name", app.customers_path()))
        .await;
    let mut reversed = expected.to_vec();
    reversed.reverse();
    assert_eq!(names(&backwards), reversed);
    // By cursor, two at a time: the same order, across the ties.
    let mut walked = Vec::new();
    let mut query = "sort=name&per_page=2".to_string();
    loop {
        let (_, page) = app
            .get_json(&format!("{}?{query}", app.customers_path()))
            .await;
        walked.extend(names(&page));
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => query = format!("sort=name&per_page=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked, expected);
    // A rename moves the customer.
    let (_, zoe) = app
        .get_json(&format!("{}?sort=-name&per_page=1", app.customers_path()))
        .await;
    let path = app.customer_path(&zoe["data"][0]["id"]);
    app.send_json(Method::PATCH, &path, json!({"first_name": "Aaron"}))
        .await;
    let (_, by_name) = app
        .get_json(&format!("{}?sort=name&per_page=1", app.customers_path()))
        .await;
    assert_eq!(names(&by_name), ["Aaron"]);

    // A database migrated from before the key (which SQL filled with lower(name), right for
    // ASCII only) has the others folded when the server first starts on it.
    {
        let mut conn = app.conn();
        let conn = &mut *conn;
        for sql in [
            "UPDATE customers SET sort_name = lower(name)",
            "DELETE FROM settings WHERE name = 'sort_name.folded'",
        ] {
            supportdesk::db_run!(conn, { diesel::sql_query(sql).execute(conn) }).unwrap();
        }
    }
    supportdesk::startup::open_database(&test_settings(&app.database.url)).unwrap();
    let (_, by_name) = app
        .get_json(&format!("{}?sort=name", app.customers_path()))
        .await;
    assert_eq!(
        names(&by_name),
        ["Aaron", "adam", "Bob", "Émile", "emile", "ÉMILE"]
    );
}

async fn bad_list_parameters_are_422_naming_each(app: TestApp) {
    let (status, body) = app
        .get_json(&format!(
            "{}?per_page=101&page=0&sort=id&updated_since=yesterday",
            app.customers_path()
        ))
        .await;
    assert_eq!(status, 422);
    for key in ["per_page", "page", "sort", "updated_since"] {
        assert!(body["errors"][key].is_array(), "{key}: {body}");
    }
}

async fn filters_find_by_email_phone_text_and_update_time(app: TestApp) {
    let jane = app
        .create_customer(json!({"first_name": "Jane", "last_name": "Doe", "emails": [{"email": "Jane@Example.org"}, {"email": "jd@work.test"}],
                                "phones": [{"phone": "(123) 123-1234"}]}))
        .await;
    app.create_customer(json!({"first_name": "John", "company": "Globex 100%", "emails": [{"email": "john@globex.test"}]}))
        .await;
    let path = app.customers_path();
    let app = &app;
    let found = |query: &str| {
        let path = format!("{path}?{query}");
        async move { names(&app.get_json(&path).await.1) }
    };
    assert_eq!(found("email=JD%40WORK.test").await, ["Jane Doe"]);
    assert_eq!(found("email=jd%40work").await, Vec::<String>::new());
    assert_eq!(found("phone=123.123.1234").await, ["Jane Doe"]);
    assert_eq!(found("phone=%2B1231231234").await, ["Jane Doe"]);
    assert_eq!(found("q=doe").await, ["Jane Doe"]);
    assert_eq!(found("q=globex").await, ["John"]);
    assert_eq!(found("q=100%25").await, ["John"]);
    assert_eq!(
        found("q=0%25").await,
        Vec::<String>::new(),
        "words match by their start"
    );
    assert_eq!(found("q=_").await, Vec::<String>::new());
    assert_eq!(found("q=work.test").await, ["Jane Doe"]);
    assert_eq!(
        found("q=doe&email=john%40globex.test").await,
        Vec::<String>::new()
    );

    let since = jane["updated_at"].as_str().unwrap();
    assert_eq!(
        found(&format!("updated_since={}", since.replace('+', "%2B")))
            .await
            .len(),
        2
    );
    assert_eq!(
        found("updated_since=2999-01-01T00:00:00Z").await,
        Vec::<String>::new()
    );
}

async fn stats_count_conversations_by_status_and_channel(app: TestApp) {
    let c = app.create_customer(json!({"first_name": "Counted"})).await;
    let id = c["id"].as_i64().unwrap();
    for (status, channel) in [
        ("posted", "email"),
        ("pending", "email"),
        ("closed", "email"),
        ("closed", "chat"),
        ("draft", "email"),
    ] {
        app.insert_conversation(id, status, channel);
    }
    let other = app.create_customer(json!({"first_name": "Other"})).await;
    app.insert_conversation(other["id"].as_i64().unwrap(), "posted", "email");
    let (_, body) = app.get_json(&app.customer_path(&c["id"])).await;
    assert_eq!(
        body["data"]["stats"],
        json!({"conversations": {"total": 4, "posted": 1, "pending": 1, "closed": 2, "email_channel": 3}})
    );
}

async fn deleting_a_customer_keeps_its_conversations_unattached(app: TestApp) {
    let c = app.create_customer(json!({"first_name": "Gone"})).await;
    app.insert_conversation(c["id"].as_i64().unwrap(), "posted", "email");
    let response = app
        .api(Method::DELETE, &app.customer_path(&c["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let mut pooled = app.conn();
    let conn = &mut *pooled;
    let remaining: Vec<Option<i64>> = supportdesk::db_run!(conn, {
        use diesel::QueryDsl;
        conversations::table
            .select(conversations::customer_id)
            .load(conn)
    })
    .unwrap();
    assert_eq!(remaining, [None]);
}

both_backends!(
    pages_carry_meta_and_links_that_keep_the_query,
    the_default_order_is_newest_first_and_sorts_apply,
    sorting_by_name_ignores_case_and_accents,
    bad_list_parameters_are_422_naming_each,
    filters_find_by_email_phone_text_and_update_time,
    stats_count_conversations_by_status_and_channel,
    deleting_a_customer_keeps_its_conversations_unattached
);

async fn cursors_walk_every_sort_once_in_page_order(app: TestApp) {
    // Equal names, and equal timestamps within a second, make ties the cursor must break by id.
    for name in [
        "Bravo", "Alpha", "Bravo", "Charlie", "Alpha", "Delta", "Bravo",
    ] {
        app.create_customer(json!({"first_name": name})).await;
    }
    for sort in [
        "-created_at",
        "created_at",
        "updated_at",
        "-updated_at",
        "name",
        "-name",
    ] {
        let (_, all) = app
            .get_json(&format!(
                "{}?sort={sort}&per_page=100",
                app.customers_path()
            ))
            .await;
        let expected: Vec<Value> = all["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].clone())
            .collect();

        let mut seen = Vec::new();
        let (_, mut page) = app
            .get_json(&format!("{}?sort={sort}&per_page=2", app.customers_path()))
            .await;
        loop {
            seen.extend(
                page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["id"].clone()),
            );
            let Some(cursor) = page["meta"]["next_cursor"].as_str() else {
                break;
            };
            let (status, next) = app
                .get_json(&format!(
                    "{}?sort={sort}&per_page=2&cursor={cursor}",
                    app.customers_path()
                ))
                .await;
            assert_eq!(status, 200, "{next}");
            assert!(
                next["meta"].get("total").is_none(),
                "cursor pages count nothing"
            );
            if let Some(link) = next["links"]["next"].as_str() {
                assert!(
                    link.contains("cursor=")
                        && !link.contains("&page=")
                        && !link.contains("?page="),
                    "{link}"
                );
            }
            page = next;
        }
        assert_eq!(seen, expected, "sort {sort}");
    }
}

async fn a_cursor_from_elsewhere_is_a_422(app: TestApp) {
    for _ in 0..3 {
        app.create_customer(json!({"first_name": "C"})).await;
    }
    let (_, page) = app
        .get_json(&format!("{}?per_page=1", app.customers_path()))
        .await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_string();
    for query in [
        format!("cursor={cursor}&sort=name"),
        "cursor=garbage".to_string(),
        "cursor=eyJzIjoiLWNyZWF0ZWRfYXQiLCJ2IjoieCIsImlkIjoxfQ".to_string(),
    ] {
        let (status, body) = app
            .get_json(&format!("{}?{query}", app.customers_path()))
            .await;
        assert_eq!(status, 422, "{query}");
        assert!(body["errors"]["cursor"].is_array());
    }
}

both_backends!(
    cursors_walk_every_sort_once_in_page_order,
    a_cursor_from_elsewhere_is_a_422
);

async fn the_whole_lists_total_is_kept_exact_through_creates_deletes_and_failures(app: TestApp) {
    let kept = app
        .create_customer(json!({"first_name": "Kept", "emails": [{"email": "kept@example.com"}]}))
        .await;
    let gone = app.create_customer(json!({"first_name": "Gone"})).await;
    app.create_conversation(json!({"customer_email": "from-a-conversation@example.com"}))
        .await;
    // A failed create and a failed delete change nothing.
    let (status, _) = app
        .send_json(
            Method::POST,
            &app.customers_path(),
            json!({"first_name": "Dup", "emails": [{"email": "KEPT@example.com"}]}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &format!("{}/999999", app.customers_path()),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(list_total(&app).await, 3);
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &format!("{}/{}", app.customers_path(), gone["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    // Another account's customers are not counted here.
    let other = app.create_account("Other");
    let (_, token) = app.create_member(other, supportdesk::domain::Role::Admin);
    let response = app
        .anonymous(Method::POST, &format!("/api/v1/accounts/{other}/customers"))
        .bearer_auth(token)
        .json(&json!({"first_name": "Elsewhere"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);

    assert_eq!(list_total(&app).await, 2);
    // The counted total of a filtered list agrees.
    let (_, filtered) = app
        .get_json(&format!(
            "{}?updated_since=2000-01-01T00:00:00Z",
            app.customers_path()
        ))
        .await;
    assert_eq!(filtered["meta"]["total"], 2);
    assert_eq!(
        filtered["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == kept["id"])
            .count(),
        1
    );
}

both_backends!(the_whole_lists_total_is_kept_exact_through_creates_deletes_and_failures);
