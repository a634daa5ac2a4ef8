//! The OpenAPI document: served without a token, and the same as the committed `docs/openapi.json`.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

#[actix_web::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let response = app
        .anonymous(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.unwrap();
    assert_eq!(served["openapi"], "3.1.0");
    if std::env::var("SUPPORTDESK_UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(COMMITTED, supportdesk::api::openapi::document_json()).unwrap();
    }
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(COMMITTED).unwrap()).unwrap();
    assert!(
        served == committed,
        "docs/openapi.json is stale: run `cargo run -- openapi > docs/openapi.json` \
         (or the tests with SUPPORTDESK_UPDATE_OPENAPI=1) and commit it"
    );
}

#[actix_web::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let document = supportdesk::api::openapi::document_json();
    let document: Value = serde_json::from_str(document).unwrap();
    let paths = document["paths"].as_object().unwrap();
    let routes = [
        "/health",
        "/ready",
        "/api/v1/auth/login",
        "/api/v1/profile",
        "/api/v1/accounts/{account_id}",
        "/api/v1/accounts/{account_id}/customers",
        "/api/v1/accounts/{account_id}/customers/lookup",
        "/api/v1/accounts/{account_id}/customers/upsert",
        "/api/v1/accounts/{account_id}/customers/duplicates",
        "/api/v1/accounts/{account_id}/customers/{id}",
        "/api/v1/accounts/{account_id}/customers/{id}/merge",
        "/api/v1/accounts/{account_id}/customers/{id}/duplicates",
        "/api/v1/accounts/{account_id}/customers/{id}/{list}/{item_id}",
        "/api/v1/accounts/{account_id}/customers/{id}/notes",
        "/api/v1/accounts/{account_id}/customers/{id}/notes/{note_id}",
        "/api/v1/accounts/{account_id}/conversations",
        "/api/v1/accounts/{account_id}/conversations/{id}",
        "/api/v1/accounts/{account_id}/conversations/{id}/interactions",
        "/api/v1/accounts/{account_id}/conversations/{id}/interactions/{interaction_id}",
        "/api/v1/accounts/{account_id}/companies",
        "/api/v1/accounts/{account_id}/companies/upsert",
        "/api/v1/accounts/{account_id}/companies/{id}",
        "/api/v1/accounts/{account_id}/companies/{id}/notes",
        "/api/v1/accounts/{account_id}/companies/{id}/notes/{note_id}",
        "/api/v1/accounts/{account_id}/customer_tiers",
        "/api/v1/accounts/{account_id}/customer_tiers/{id}",
        "/api/v1/accounts/{account_id}/customer_statuses",
        "/api/v1/accounts/{account_id}/customer_statuses/{id}",
        "/api/v1/accounts/{account_id}/customer_requests",
        "/api/v1/accounts/{account_id}/customer_requests/{id}",
        "/api/v1/accounts/{account_id}/events",
        "/api/v1/accounts/{account_id}/tags",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions",
        "/api/v1/accounts/{account_id}/custom_attribute_definitions/{id}",
        "/api/v1/accounts/{account_id}/webhook_endpoints",
        "/api/v1/accounts/{account_id}/webhook_endpoints/{id}",
        "/api/v1/accounts/{account_id}/webhook_endpoints/{id}/deliveries",
        "/api/v1/accounts/{account_id}/webhook_endpoints/{id}/deliveries/{delivery_id}/redeliver",
    ];
    let mut documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    documented.sort_unstable();
    let mut expected = routes.to_vec();
    expected.sort_unstable();
    assert_eq!(documented, expected);

    // Each documented method is routed: a wrong method would answer 405.
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    for (path, item) in paths {
        let url = path
            .replace("{account_id}", &app.account_id.to_string())
            .replace("{list}", "emails")
            .replace(['{', '}'], "")
            .replace("interaction_id", "1")
            .replace("item_id", "1")
            .replace("/id", "/1");
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = app.api(method.clone(), &url).send().await.unwrap();
            assert_ne!(response.status(), 405, "{method} {url}");
        }
    }
}

#[test]
fn every_operation_id_is_unique() {
    // OpenAPI requires it; Swagger UI's "Try it out" sends the first operation with the id.
    let document: Value = serde_json::from_str(supportdesk::api::openapi::document_json()).unwrap();
    let mut ids = Vec::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            ids.push(operation["operationId"].as_str().unwrap().to_string());
        }
    }
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "shared operationIds among {ids:?}");
    assert!(ids.contains(&"show_customer".to_string()), "{ids:?}");
}

/// The interactive docs: Swagger UI from the binary itself, reading the served document.
#[actix_web::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let get = |path: &str| app.anonymous(Method::GET, path).send();

    let response = get("/docs").await.unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "docs/");

    let response = get("/docs/").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains("<title>supportdesk API</title>"), "{page}");
    // Every file the page loads is its own, relative to /docs/: nothing from a CDN.
    for file in [
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-initializer.js",
        "favicon-32x32.png",
    ] {
        assert!(page.contains(file), "the page does not load {file}");
        let response = get(&format!("/docs/{file}")).await.unwrap();
        assert_eq!(response.status(), 200, "{file}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{file}");
    }
    assert!(!page.contains("://"), "an absolute URL in the page: {page}");
    let initializer = get("/docs/swagger-initializer.js")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        initializer.contains(r#""url": "/api/v1/openapi.json""#),
        "{initializer}"
    );

    assert_json_error(get("/docs/no-such-file.js").await.unwrap(), 404).await;
    let response = app.anonymous(Method::POST, "/docs/").send().await.unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert_json_error(response, 405).await;
}

/// Whether `pattern` is anchored at both ends and no atom of it can match U+0000: no `.`, `\S`,
/// `\D`, `\W`, or escape naming a code point outside a class; every negated class excludes
/// `\x00`, every other names no code point by number; no lookaround.
/// Whether a (non-negated) class's items leave out U+0000: no shorthand that takes it, and no
/// code point escape naming it (`\x0B` or `\u1680` are fine; `\x00` and `\u0000` are not).
fn class_excludes_nul(class: &str) -> bool {
    let mut chars = class.chars();
    while let Some(c) = chars.next() {
        match c {
            '\0' => return false,
            '\\' => match chars.next() {
                Some('x') => {
                    if chars.by_ref().take(2).collect::<String>() == "00" {
                        return false;
                    }
                }
                Some('u') => {
                    if chars.by_ref().take(4).collect::<String>() == "0000" {
                        return false;
                    }
                }
                Some('S' | 'D' | 'W' | 'c' | 'p' | 'P' | '0'..='9') | None => return false,
                Some(_) => {}
            },
            _ => {}
        }
    }
    true
}

fn excludes_nul(pattern: &str) -> bool {
    let lookaround = pattern.replace("(?:", "").contains("(?");
    if !(pattern.starts_with('^') && pattern.ends_with('$')) || lookaround {
        return false;
    }
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' | '\0' => return false,
            '\\' => {
                if matches!(
                    chars.next(),
                    Some('S' | 'D' | 'W' | 'x' | 'u' | 'c' | 'p' | 'P' | '0'..='9')
                ) {
                    return false;
                }
            }
            '[' => {
                let mut class = String::new();
                loop {
                    match chars.next() {
                        None => return false,
                        Some(']') => break,
                        Some('\\') => class.extend(['\\', chars.next().unwrap_or('\0')]),
                        Some(c) => class.push(c),
                    }
                }
                let safe = match class.strip_prefix('^') {
                    Some(negated) => negated.ends_with(r"\x00"),
                    None => class_excludes_nul(&class),
                };
                if !safe {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// Every text a request may carry (body fields at any depth, parameters) says that U+0000 is
/// refused, with a pattern that `excludes_nul` (so not the lookahead the refinement falls back
/// to: schemathesis builds strings for these directly, where a lookahead makes it draw and
/// discard).
#[test]
fn every_text_of_a_request_excludes_nul_in_its_pattern() {
    fn walk(schema: &Value, document: &Value, at: &str, seen: &mut Vec<String>, texts: &mut usize) {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap().to_string();
            if !seen.contains(&name) {
                seen.push(name.clone());
                walk(
                    &document["components"]["schemas"][&name],
                    document,
                    &name,
                    seen,
                    texts,
                );
            }
            return;
        }
        let text = schema["type"] == "string"
            || schema["type"]
                .as_array()
                .is_some_and(|types| types.contains(&Value::from("string")));
        if text && schema.get("enum").is_none() {
            *texts += 1;
            let pattern = schema["pattern"].as_str().unwrap_or_default();
            assert!(excludes_nul(pattern), "{at}: {schema}");
        }
        for (key, child) in schema["properties"].as_object().into_iter().flatten() {
            walk(child, document, &format!("{at}.{key}"), seen, texts);
        }
        for child in schema["anyOf"].as_array().into_iter().flatten() {
            walk(child, document, at, seen, texts);
        }
        if schema.get("items").is_some() {
            walk(&schema["items"], document, at, seen, texts);
        }
    }
    let document: Value = serde_json::from_str(supportdesk::api::openapi::document_json()).unwrap();
    let (mut seen, mut texts) = (Vec::new(), 0);
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for content in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                walk(&content.1["schema"], &document, &at, &mut seen, &mut texts);
            }
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                walk(&parameter["schema"], &document, &at, &mut seen, &mut texts);
            }
        }
    }
    assert!(texts > 50, "{texts}");
}
