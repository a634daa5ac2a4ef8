//! One account cannot take the whole machine: each account's requests hold one of a few slots
//! while they run, so a flood from one tenant (16 parallel searches, say) queues behind itself.
//!
//! Two lanes. Every request holds a slot of the account's general lane (half the pool by default),
//! so the other tenants still find free connections. A search or a tag/custom attribute filter
//! (see [`is_search`]) first holds a slot of the account's search lane too (one per core by
//! default): that work is CPU-bound in the database, and with more of it running than there are
//! cores, the scheduler shares the cores among them and another tenant's cheap read waits its turn
//! (measured on PostgreSQL at 300k customers: another account's `GET customer` p99 went from
//! 11–12 ms to 2.3–2.4 ms with two searches running instead of five; docs/PERFORMANCE.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::Method;
use actix_web::HttpRequest;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Past this many accounts, the slots of accounts with nothing running are swept out.
const SWEEP_AT: usize = 10_000;

/// The slots of every account seen, created on first use.
pub struct AccountLimits {
    general: Lane,
    search: Lane,
    /// How long a request waits for one of its account's slots before it gets a 429.
    wait: Duration,
}

/// One lane: `per_account` slots for each account.
struct Lane {
    per_account: u32,
    slots: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

/// The held slots; dropping them (with the request) frees them.
#[derive(Debug)]
pub struct AccountSlot {
    _general: OwnedSemaphorePermit,
    _search: Option<OwnedSemaphorePermit>,
}

impl AccountLimits {
    /// `per_account` general slots and `search_per_account` search slots per account (each at
    /// least 1, and the search lane no wider than the general one: a search holds both).
    pub fn new(per_account: u32, search_per_account: u32, wait: Duration) -> AccountLimits {
        let per_account = per_account.max(1);
        AccountLimits {
            general: Lane::new(per_account),
            search: Lane::new(search_per_account.clamp(1, per_account)),
            wait,
        }
    }

    /// The default for a pool of `pool_size`: half of it, so one account leaves the other half.
    pub fn default_for_pool(pool_size: u32) -> u32 {
        pool_size.div_ceil(2).max(1)
    }

    /// The default search lane: one slot per core, so one account's searches leave the
    /// scheduler room for the others' reads while still using the whole machine when alone.
    pub fn default_search_lane() -> u32 {
        std::thread::available_parallelism().map_or(2, |n| n.get() as u32)
    }

    pub fn per_account(&self) -> u32 {
        self.general.per_account
    }

    pub fn search_per_account(&self) -> u32 {
        self.search.per_account
    }

    /// Waits for a slot of `account_id` (and, for a search, a search slot first, so a queued
    /// search holds nothing its account's cheap requests need); `AccountBusy` (429) when none
    /// frees up in time.
    pub async fn enter(&self, account_id: i64, search: bool) -> Result<AccountSlot, ApiError> {
        let search = match search {
            true => Some(self.search.enter(account_id, self.wait).await?),
            false => None,
        };
        Ok(AccountSlot {
            _general: self.general.enter(account_id, self.wait).await?,
            _search: search,
        })
    }
}

impl Lane {
    fn new(per_account: u32) -> Lane {
        Lane {
            per_account,
            slots: Mutex::default(),
        }
    }

    async fn enter(
        &self,
        account_id: i64,
        wait: Duration,
    ) -> Result<OwnedSemaphorePermit, ApiError> {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            if slots.len() > SWEEP_AT {
                // Only the map holds an idle account's semaphore.
                slots.retain(|_, s| Arc::strong_count(s) > 1);
            }
            slots
                .entry(account_id)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_account as usize)))
                .clone()
        };
        // A free slot is taken at once; only a contended account pays for a timer.
        if let Ok(permit) = semaphore.clone().try_acquire_owned() {
            return Ok(permit);
        }
        match actix_web::rt::time::timeout(wait, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::AccountBusy),
        }
    }
}

/// The query parameters that make a list a search: `q`, `tag` and `custom_attributes[…]`.
const SEARCH_PARAMETERS: [&str; 3] = ["q", "tag", "custom_attributes"];

/// Whether `req` is a search of a customer or company list: its work is a walk of an index
/// bounded per page, but far dearer than reading one object, and all of it CPU.
pub fn is_search(req: &HttpRequest) -> bool {
    searches(
        req.method(),
        req.match_pattern().as_deref(),
        req.query_string(),
    )
}

fn searches(method: &Method, route: Option<&str>, query: &str) -> bool {
    let listed = route.is_some_and(|route| {
        route.ends_with("/{account_id}/customers") || route.ends_with("/{account_id}/companies")
    });
    listed
        && (method == Method::GET || method == Method::HEAD)
        && url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| {
            let name = name.split('[').next().unwrap_or_default();
            SEARCH_PARAMETERS.contains(&name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn an_account_gets_its_slots_and_no_more_while_others_get_theirs() {
        let limits = AccountLimits::new(2, 1, Duration::from_millis(50));
        let _a1 = limits.enter(1, false).await.unwrap();
        let a2 = limits.enter(1, false).await.unwrap();
        assert!(matches!(
            limits.enter(1, false).await,
            Err(ApiError::AccountBusy)
        ));
        let _b = limits
            .enter(2, false)
            .await
            .expect("another account is not affected");
        drop(a2);
        assert!(
            limits.enter(1, false).await.is_ok(),
            "a freed slot is reused"
        );
    }

    #[actix_web::test]
    async fn searches_share_their_own_narrower_lane_and_leave_the_rest_to_reads() {
        let limits = AccountLimits::new(3, 1, Duration::from_millis(50));
        let search = limits.enter(1, true).await.unwrap();
        assert!(
            matches!(limits.enter(1, true).await, Err(ApiError::AccountBusy)),
            "a second search waits for the first"
        );
        let _read = limits
            .enter(1, false)
            .await
            .expect("a waiting search holds no general slot");
        let _other = limits
            .enter(2, true)
            .await
            .expect("another account searches");
        drop(search);
        assert!(
            limits.enter(1, true).await.is_ok(),
            "a freed search slot is reused"
        );
    }

    #[test]
    fn the_search_lane_is_never_wider_than_the_general_one() {
        let limits = AccountLimits::new(2, 8, Duration::from_millis(50));
        assert_eq!(limits.search_per_account(), 2);
        assert_eq!(
            AccountLimits::new(4, 0, Duration::ZERO).search_per_account(),
            1
        );
    }

    #[test]
    fn the_default_is_half_the_pool() {
        assert_eq!(AccountLimits::default_for_pool(10), 5);
        assert_eq!(AccountLimits::default_for_pool(1), 1);
        assert_eq!(AccountLimits::default_for_pool(7), 4);
    }

    #[test]
    fn a_search_is_a_list_with_q_a_tag_or_a_custom_attribute() {
        let customers = Some("/api/v1/accounts/{account_id}/customers");
        let companies = Some("/api/v1/accounts/{account_id}/companies");
        let get = &Method::GET;
        assert!(searches(get, customers, "q=ada"));
        assert!(searches(get, customers, "per_page=5&tag=vip"));
        assert!(searches(get, customers, "tag%5B%5D=vip"));
        assert!(searches(get, customers, "custom_attributes%5Bplan%5D=pro"));
        assert!(searches(&Method::HEAD, companies, "q=acme"));
        assert!(
            !searches(get, customers, ""),
            "a plain list walks its sort index"
        );
        assert!(!searches(get, customers, "sort=name&email=a%40b.c"));
        assert!(!searches(get, customers, "query=ada"));
        assert!(!searches(&Method::POST, customers, "q=ada"));
        let one = Some("/api/v1/accounts/{account_id}/customers/{customer_id}");
        assert!(!searches(get, one, "q=ada"));
        assert!(!searches(get, None, "q=ada"));
    }
}
