//! Every path in one place. Anything unmatched answers JSON: 404 for an unknown path, 405 for a
//! known path with the wrong method.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{middleware, web, Resource};

use crate::api::conversations::{self, interactions};
use crate::api::{
    accounts, companies, custom_attributes, customers, docs_page, events, extract, fallback,
    health, idempotency, notes, openapi, session, tags, webhooks,
};
use crate::domain::label::LabelKind;

/// A resource whose unmatched methods answer 405 JSON with `Allow: <allow>`, and whose POSTs
/// under an account honour `Idempotency-Key` (see `api::idempotency`; on the resource, where
/// the path's `account_id` is known). Resources that take no POST under an account skip that
/// layer: GET customer is the hot path.
fn resource(
    path: &str,
    allow: &'static str,
) -> Resource<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + 'static>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let takes_keys = allow.contains("POST") && path.contains("{account_id}");
    web::resource(path)
        .wrap(middleware::Condition::new(
            takes_keys,
            middleware::from_fn(idempotency::guard),
        ))
        .default_service(web::to(move || fallback::method_not_allowed(allow)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(extract::path_not_found))
        .service(resource("/health", "GET").route(web::get().to(health::health)))
        .service(resource("/ready", "GET").route(web::get().to(health::ready)))
        // The interactive docs (Swagger UI, compiled in), reading /api/v1/openapi.json.
        .service(resource("/docs", "GET").route(web::get().to(docs_page::redirect)))
        .service(resource("/docs/{file:.*}", "GET").route(web::get().to(docs_page::file)))
        .service(
            web::scope("/api/v1")
                .service(resource("/openapi.json", "GET").route(web::get().to(openapi::serve)))
                .service(resource("/auth/login", "POST").route(web::post().to(session::login)))
                .service(resource("/profile", "GET").route(web::get().to(session::profile)))
                .service(
                    resource("/accounts/{account_id}", "GET, PATCH")
                        .route(web::get().to(accounts::show))
                        .route(web::patch().to(accounts::update)),
                )
                .service(
                    resource("/accounts/{account_id}/customers", "GET, POST")
                        .route(web::get().to(customers::list))
                        .route(web::post().to(customers::create)),
                )
                // Before /customers/{id}, so "lookup" and "upsert" are not taken for ids.
                .service(
                    resource("/accounts/{account_id}/customers/lookup", "GET")
                        .route(web::get().to(customers::lookup)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/upsert", "POST")
                        .route(web::post().to(customers::upsert)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/duplicates", "GET")
                        .route(web::get().to(customers::duplicates::list)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/customers/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(customers::show))
                    .route(web::put().to(customers::replace))
                    .route(web::patch().to(customers::patch))
                    .route(web::delete().to(customers::delete)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/{id}/merge", "POST")
                        .route(web::post().to(customers::merge)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/{id}/duplicates", "GET")
                        .route(web::get().to(customers::duplicates::of_customer)),
                )
                .service(
                    resource("/accounts/{account_id}/customers/{id}/notes", "GET, POST")
                        .route(web::get().to(notes::list_customer_notes))
                        .route(web::post().to(notes::create_customer_note)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/customers/{id}/notes/{note_id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(notes::show_customer_note))
                    .route(web::put().to(notes::update_customer_note))
                    .route(web::patch().to(notes::update_customer_note))
                    .route(web::delete().to(notes::delete_customer_note)),
                )
                .service(
                    resource("/accounts/{account_id}/conversations", "GET, POST")
                        .route(web::get().to(conversations::list))
                        .route(web::post().to(conversations::create)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/conversations/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(conversations::show))
                    .route(web::put().to(conversations::update))
                    .route(web::patch().to(conversations::update))
                    .route(web::delete().to(conversations::delete)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/conversations/{id}/interactions",
                        "GET, POST",
                    )
                    .route(web::get().to(interactions::list))
                    .route(web::post().to(interactions::create)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/conversations/{id}/interactions/{interaction_id}",
                        "GET, DELETE",
                    )
                    .route(web::get().to(interactions::show))
                    .route(web::delete().to(interactions::delete)),
                )
                .service(
                    resource("/accounts/{account_id}/companies", "GET, POST")
                        .route(web::get().to(companies::list))
                        .route(web::post().to(companies::create)),
                )
                // Before /companies/{id}, so "upsert" is not taken for an id.
                .service(
                    resource("/accounts/{account_id}/companies/upsert", "POST")
                        .route(web::post().to(companies::upsert)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/companies/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(companies::show))
                    .route(web::put().to(companies::update))
                    .route(web::patch().to(companies::update))
                    .route(web::delete().to(companies::delete)),
                )
                .service(
                    resource("/accounts/{account_id}/tags", "GET").route(web::get().to(tags::list)),
                )
                .service(
                    resource("/accounts/{account_id}/companies/{id}/notes", "GET, POST")
                        .route(web::get().to(notes::list_company_notes))
                        .route(web::post().to(notes::create_company_note)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/companies/{id}/notes/{note_id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(notes::show_company_note))
                    .route(web::put().to(notes::update_company_note))
                    .route(web::patch().to(notes::update_company_note))
                    .route(web::delete().to(notes::delete_company_note)),
                )
                .service(
                    resource("/accounts/{account_id}/custom_attribute_definitions", "GET, POST")
                        .route(web::get().to(custom_attributes::list))
                        .route(web::post().to(custom_attributes::create)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/custom_attribute_definitions/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(custom_attributes::show))
                    .route(web::put().to(custom_attributes::update))
                    .route(web::patch().to(custom_attributes::update))
                    .route(web::delete().to(custom_attributes::delete)),
                )
                .configure(|cfg| labels(cfg, LabelKind::Tier))
                .configure(|cfg| labels(cfg, LabelKind::Status))
                .service(
                    resource("/accounts/{account_id}/customer_requests", "GET, POST")
                        .route(web::get().to(companies::list_requests))
                        .route(web::post().to(companies::create_request)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/customer_requests/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(companies::show_request))
                    .route(web::put().to(companies::update_request))
                    .route(web::patch().to(companies::update_request))
                    .route(web::delete().to(companies::delete_request)),
                )
                .service(
                    resource("/accounts/{account_id}/events", "GET")
                        .route(web::get().to(events::feed)),
                )
                .service(
                    resource("/accounts/{account_id}/webhook_endpoints", "GET, POST")
                        .route(web::get().to(webhooks::list))
                        .route(web::post().to(webhooks::create)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/webhook_endpoints/{id}",
                        "GET, PUT, PATCH, DELETE",
                    )
                    .route(web::get().to(webhooks::show))
                    .route(web::put().to(webhooks::update))
                    .route(web::patch().to(webhooks::update))
                    .route(web::delete().to(webhooks::delete)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/webhook_endpoints/{id}/deliveries",
                        "GET",
                    )
                    .route(web::get().to(webhooks::deliveries)),
                )
                .service(
                    resource(
                        "/accounts/{account_id}/webhook_endpoints/{id}/deliveries/{delivery_id}/redeliver",
                        "POST",
                    )
                    .route(web::post().to(webhooks::redeliver)),
                )
                .service(
                    // {list} is emails, phones or websites.
                    resource(
                        "/accounts/{account_id}/customers/{id}/{list}/{item_id}",
                        "DELETE",
                    )
                    .route(web::delete().to(customers::delete_contact)),
                ),
        );
}

/// Tiers and statuses: the same handlers, told which by the resource's `LabelKind`.
fn labels(cfg: &mut web::ServiceConfig, kind: LabelKind) {
    let segment = kind.route();
    let kind = web::Data::new(kind);
    cfg.service(
        resource(&format!("/accounts/{{account_id}}/{segment}"), "GET, POST")
            .app_data(kind.clone())
            .route(web::get().to(companies::list_labels))
            .route(web::post().to(companies::create_label)),
    )
    .service(
        resource(
            &format!("/accounts/{{account_id}}/{segment}/{{id}}"),
            "GET, PUT, PATCH, DELETE",
        )
        .app_data(kind)
        .route(web::get().to(companies::show_label))
        .route(web::put().to(companies::update_label))
        .route(web::patch().to(companies::update_label))
        .route(web::delete().to(companies::delete_label)),
    );
}
