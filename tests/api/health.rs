use reqwest::Method;

use crate::both_backends;
use crate::helpers::*;

async fn health_answers_ok_without_a_token(app: TestApp) {
    let response = app.anonymous(Method::GET, "/health").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok"})
    );
}

async fn ready_answers_ok_while_the_database_answers(app: TestApp) {
    let response = app.anonymous(Method::GET, "/ready").send().await.unwrap();
    assert_eq!(response.status(), 200);
}

both_backends!(
    health_answers_ok_without_a_token,
    ready_answers_ok_while_the_database_answers
);

#[actix_web::test]
#[cfg_attr(skip_postgres, ignore = "SUPPORTDESK_TEST_POSTGRES_URL is not set")]
async fn ready_answers_503_json_when_postgresql_is_gone() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    app.database.drop_now();
    let started = std::time::Instant::now();
    let response = app.anonymous(Method::GET, "/ready").send().await.unwrap();
    assert_json_error(response, 503).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the 503 took {:?}",
        started.elapsed()
    );
    // Authenticated routes need the database too: a 503, not a 401 or a 500.
    let response = app
        .api(Method::GET, "/api/v1/profile")
        .send()
        .await
        .unwrap();
    assert_json_error(response, 503).await;
}
