//! `GET /customers?q=`: search by any word of names, emails, phones and websites (issue 19).

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::*;

impl TestApp {
    /// The names `q` finds, in the order found.
    async fn searched(&self, q: &str) -> Vec<String> {
        let path = url_with_q(&self.customers_path(), q, "");
        let (status, body) = self.get_json(&path).await;
        assert_eq!(status, 200, "q={q}: {body}");
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    }
}

fn url_with_q(path: &str, q: &str, more: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("{path}?q={q}{more}")
}

async fn words_match_in_any_order_case_and_accents_aside(app: TestApp) {
    app.create_customer(
        json!({"first_name": "Émile", "last_name": "Zola", "company": "Straße AG"}),
    )
    .await;
    app.create_customer(json!({"first_name": "Jane", "last_name": "O'Brien-Doe"}))
        .await;
    app.create_customer(json!({"first_name": "Janet", "last_name": "Smith"}))
        .await;
    for (q, want) in [
        ("emile", vec!["Émile Zola"]),
        ("ÉMILE", vec!["Émile Zola"]),
        ("zola emile", vec!["Émile Zola"]),
        ("Zo Em", vec!["Émile Zola"]),
        ("strasse", vec!["Émile Zola"]),
        ("STRAßE ag", vec!["Émile Zola"]),
        ("doe jane", vec!["Jane O'Brien-Doe"]),
        ("o'brien", vec!["Jane O'Brien-Doe"]),
        ("brien", vec!["Jane O'Brien-Doe"]),
        // Prefixes: `jan` starts both first names; a whole word ranks before a longer one.
        ("jan", vec!["Jane O'Brien-Doe", "Janet Smith"]),
        ("janet", vec!["Janet Smith"]),
        ("emile smith", vec![]),
        ("mile", vec![]),
        ("_", vec![]),
    ] {
        assert_eq!(app.searched(q).await, want, "q={q}");
    }
}

async fn emails_phones_and_websites_are_searched(app: TestApp) {
    app.create_customer(json!({
        "first_name": "Jane",
        "emails": [{"email": "jane.doe@example.org"}, {"email": "jd@work.test"}],
        "phones": [{"phone": "123-123-1234"}],
        "websites": [{"website": "https://www.acme-corp.example/about"}]
    }))
    .await;
    app.create_customer(json!({"first_name": "John", "phones": [{"phone": "+44 20 7946 0000"}]}))
        .await;
    for (q, want) in [
        ("jane.doe@example.org", vec!["Jane"]),
        ("JANE.DOE@EXA", vec!["Jane"]),
        ("doe", vec!["Jane"]),
        ("work.test", vec!["Jane"]),
        ("example", vec!["Jane"]),
        // Phones by their digits, from any four of them, however written.
        ("+1 123-123-1234", vec!["Jane"]),
        ("(123) 123-1234", vec!["Jane"]),
        ("1231231234", vec!["Jane"]),
        ("1234", vec!["Jane"]),
        ("3123", vec!["Jane"]),
        ("jane 1231", vec!["Jane"]),
        ("7946 0000", vec!["John"]),
        ("+44 20 7946 0000", vec!["John"]),
        ("9999", vec![]),
        // Websites by host and labels, not path.
        ("acme-corp.example", vec!["Jane"]),
        ("www.acme", vec!["Jane"]),
        ("corp", vec!["Jane"]),
        ("about", vec![]),
    ] {
        assert_eq!(app.searched(q).await, want, "q={q}");
    }

    // In an account with a region, a number written nationally there finds the stored one.
    let account = format!("/api/v1/accounts/{}", app.account_id);
    let (status, _) = app
        .send_json(Method::PATCH, &account, json!({"phone_region": "GB"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.searched("020 7946 0000").await, ["John"]);
}

async fn an_exact_email_or_phone_ranks_first_and_cursors_show_each_once(app: TestApp) {
    // Many customers under one prefix, one of them its exact email; each matches several terms
    // of the range (names, email words), which must not show it twice.
    for n in 0..12 {
        app.create_customer(json!({
            "first_name": format!("Ann{n:02}"),
            "last_name": "Annson",
            "emails": [{"email": format!("ann{n:02}@ann.example")}]
        }))
        .await;
    }
    app.create_customer(json!({"first_name": "Zed", "emails": [{"email": "ann@ann.example"}]}))
        .await;
    assert_eq!(app.searched("ann@ann.example").await[0], "Zed");

    let mut seen = Vec::new();
    let mut path = url_with_q(&app.customers_path(), "ann", "&per_page=5");
    loop {
        let (status, page) = app.get_json(&path).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page["meta"].get("total").is_none(),
            "a search is not counted"
        );
        for c in page["data"].as_array().unwrap() {
            seen.push(c["id"].as_i64().unwrap());
        }
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                path = url_with_q(
                    &app.customers_path(),
                    "ann",
                    &format!("&per_page=5&cursor={cursor}"),
                )
            }
            None => break,
        }
    }
    let mut distinct = seen.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(seen.len(), 13, "{seen:?}");
    assert_eq!(distinct.len(), 13, "each once: {seen:?}");

    // Page numbers reach the first results too.
    let (status, page) = app
        .get_json(&url_with_q(
            &app.customers_path(),
            "ann",
            "&per_page=5&page=3",
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
}

async fn writes_keep_the_index_and_other_filters_apply(app: TestApp) {
    let jane = app
        .create_customer(json!({"first_name": "Jane", "emails": [{"email": "jane@old.example"}], "tags": ["vip"]}))
        .await;
    app.create_customer(json!({"first_name": "Jane", "last_name": "Other"}))
        .await;
    let path = app.customer_path(&jane["id"]);
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &path,
            json!({"last_name": "Rowe", "emails": [{"id": jane["emails"][0]["id"], "email": "jane@new.example"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.searched("rowe").await, ["Jane Rowe"]);
    assert_eq!(app.searched("new.example").await, ["Jane Rowe"]);
    assert_eq!(app.searched("old.example").await, Vec::<String>::new());

    // Filters narrow a search.
    let (_, tagged) = app
        .get_json(&url_with_q(&app.customers_path(), "jane", "&tag=vip"))
        .await;
    assert_eq!(tagged["data"].as_array().unwrap().len(), 1);

    // A deleted email is no longer searched; a merge's survivor is found by what it took in.
    let email = format!("{path}/emails/{}", jane["emails"][0]["id"]);
    let response = app.api(Method::DELETE, &email).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.searched("new.example").await, Vec::<String>::new());
    let source = app
        .create_customer(
            json!({"first_name": "Old", "emails": [{"email": "moved@source.example"}]}),
        )
        .await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &format!("{path}/merge"),
            json!({"from": [source["id"]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.searched("source.example").await, ["Jane Rowe"]);
    let response = app.api(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.searched("rowe").await, Vec::<String>::new());

    // Another account's customers are not found.
    let other = app.create_account("Other");
    let (_, stranger) = app.create_member(other, supportdesk::domain::Role::Admin);
    let body: Value = app
        .anonymous(
            Method::GET,
            &format!("/api/v1/accounts/{other}/customers?q=jane"),
        )
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"], json!([]));
}

async fn a_search_refuses_a_sort_and_deep_page_numbers(app: TestApp) {
    for query in ["q=jane&sort=name", "q=jane&page=11&per_page=100"] {
        let (status, body) = app
            .get_json(&format!("{}?{query}", app.customers_path()))
            .await;
        assert_eq!(status, 422, "{query}: {body}");
    }
    let (status, body) = app
        .get_json(&format!("{}?q={}", app.customers_path(), "x".repeat(256)))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["q"].is_array());
}

async fn customers_from_before_search_are_indexed_at_start(app: TestApp) {
    app.create_customer(json!({"first_name": "Émile", "phones": [{"phone": "555 010 0000"}]}))
        .await;
    {
        let mut conn = app.conn();
        let conn = &mut *conn;
        for sql in [
            "DELETE FROM customer_search_terms",
            "DELETE FROM settings WHERE name = 'search_terms.built'",
        ] {
            supportdesk::db_run!(conn, { diesel::sql_query(sql).execute(conn) }).unwrap();
        }
    }
    assert_eq!(app.searched("emile").await, Vec::<String>::new());
    supportdesk::startup::open_database(&test_settings(&app.database.url)).unwrap();
    assert_eq!(app.searched("emile").await, ["Émile"]);
    assert_eq!(app.searched("0100").await, ["Émile"]);
}

both_backends!(
    words_match_in_any_order_case_and_accents_aside,
    emails_phones_and_websites_are_searched,
    an_exact_email_or_phone_ranks_first_and_cursors_show_each_once,
    writes_keep_the_index_and_other_filters_apply,
    a_search_refuses_a_sort_and_deep_page_numbers,
    customers_from_before_search_are_indexed_at_start
);
