//! Rate limits: per user (`RATE_LIMIT_PER_MINUTE`, whichever of the user's tokens it sends, so
//! logging in again starts no new count), and per client address for logins (against password
//! guessing) and contact-form guests. Requests are classified by the route the router matches,
//! so a percent-encoded path (`/api/v1/auth/%6Cogin`) counts like the plain one. Fixed one-minute
//! windows, per instance or shared through PostgreSQL (`SHARED_RATE_LIMITS`, see `limits`).
//!
//! Every limited response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
//! (and the `X-RateLimit-*` twins); over the limit the answer is a 429 with `Retry-After`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use crate::error::ApiError;
use crate::limits::{Decision, Limiter};
use crate::state::AppState;

/// Which limiter (and key) a request falls under, if any.
fn classify<'a>(req: &ServiceRequest, state: &'a AppState) -> Option<(&'a Limiter, String)> {
    let address = || {
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    };
    // Login is POST only (anything else there is a 405); matching the route costs an allocation,
    // so only POSTs pay it.
    if req.method() == Method::POST && matched_route(req).as_deref() == Some(LOGIN_ROUTE) {
        return state
            .rate_limits
            .login_per_address
            .as_ref()
            .map(|l| (l, format!("login:{}", address())));
    }
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, credentials) = authorization.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("fingerprint") {
        return state
            .rate_limits
            .guest_per_address
            .as_ref()
            .map(|l| (l, format!("guest:{}", address())));
    }
    // Only a correctly signed token has a key worth counting; anything else is a 401 anyway.
    let limiter = state.rate_limits.per_user.as_ref()?;
    let claims = state.jwt.verify(credentials.trim())?;
    Some((limiter, format!("user:{}", claims.sub)))
}

const LOGIN_ROUTE: &str = "/api/v1/auth/login";

/// The route pattern the router will match for this request. The router matches the path with
/// percent-encoded unreserved characters decoded (`match_info`), not the raw one.
fn matched_route(req: &ServiceRequest) -> Option<String> {
    req.resource_map().match_pattern(req.match_info().as_str())
}

fn set_headers(headers: &mut HeaderMap, decision: &Decision) {
    let values = [
        ("limit", decision.limit as u64),
        ("remaining", decision.remaining as u64),
        ("reset", decision.reset),
    ];
    for (name, value) in values {
        for prefix in ["ratelimit-", "x-ratelimit-"] {
            if let (Ok(name), Ok(value)) = (
                HeaderName::try_from(format!("{prefix}{name}")),
                HeaderValue::try_from(value.to_string()),
            ) {
                headers.insert(name, value);
            }
        }
    }
}

/// The middleware (`middleware::from_fn`).
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let decision = match state.as_deref().and_then(|state| classify(&req, state)) {
        Some((limiter, key)) => Some(limiter.check(&key).await),
        None => None,
    };
    match decision {
        Some(decision) if !decision.allowed => {
            let mut response = ApiError::TooManyRequests(decision.reset).error_response();
            set_headers(response.headers_mut(), &decision);
            Ok(req.into_response(response).map_into_right_body())
        }
        Some(decision) => {
            let mut response = next.call(req).await?;
            set_headers(response.headers_mut(), &decision);
            Ok(response.map_into_left_body())
        }
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn counts_down_then_refuses() {
        let limiter = Limiter::per_minute(2).unwrap();
        let first = limiter.check("a").await;
        assert_eq!((first.allowed, first.remaining), (true, 1));
        assert!(limiter.check("a").await.allowed);
        let third = limiter.check("a").await;
        assert_eq!((third.allowed, third.remaining), (false, 0));
        assert!(third.reset >= 1 && third.reset <= 60);
        assert!(limiter.check("b").await.allowed, "keys are counted apart");
    }

    #[test]
    fn zero_means_off() {
        assert!(Limiter::per_minute(0).is_none());
    }
}
