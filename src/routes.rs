//! Every path in one place. Anything unmatched answers JSON: 404 for an unknown path, 405 for a
//! known path with the wrong method.

use actix_web::{web, Resource};

use crate::api::{accounts, customers, fallback, health, session};

/// A resource whose unmatched methods answer 405 JSON.
fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(fallback::method_not_allowed))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/health").route(web::get().to(health::health)))
        .service(resource("/ready").route(web::get().to(health::ready)))
        .service(
            web::scope("/api/v1")
                .service(resource("/auth/login").route(web::post().to(session::login)))
                .service(resource("/profile").route(web::get().to(session::profile)))
                .service(
                    resource("/accounts/{account_id}")
                        .route(web::get().to(accounts::show))
                        .route(web::patch().to(accounts::update)),
                )
                .service(
                    resource("/accounts/{account_id}/customers")
                        .route(web::get().to(customers::list))
                        .route(web::post().to(customers::create)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/{id}")
                        .route(web::get().to(customers::show))
                        .route(web::put().to(customers::replace))
                        .route(web::patch().to(customers::patch))
                        .route(web::delete().to(customers::delete)),
                )
                .service(
                    // {list} is emails, phones or websites.
                    resource("/accounts/{account_id}/customers/{id}/{list}/{item_id}")
                        .route(web::delete().to(customers::delete_contact)),
                ),
        );
}
