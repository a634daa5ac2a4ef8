//! One account cannot take the whole pool: each account's requests hold one of a few slots while
//! they run, so a flood from one tenant (16 parallel searches, say) queues behind itself and the
//! other tenants still find free connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Past this many accounts, the slots of accounts with nothing running are swept out.
const SWEEP_AT: usize = 10_000;

/// The slots of every account seen, created on first use.
pub struct AccountLimits {
    per_account: u32,
    /// How long a request waits for one of its account's slots before it gets a 429.
    wait: Duration,
    slots: Mutex<HashMap<i64, Arc<Semaphore>>>,
}

/// A held slot; dropping it (with the request) frees it.
#[derive(Debug)]
pub struct AccountSlot(#[allow(dead_code)] OwnedSemaphorePermit);

impl AccountLimits {
    /// `per_account` slots per account (at least 1).
    pub fn new(per_account: u32, wait: Duration) -> AccountLimits {
        AccountLimits {
            per_account: per_account.max(1),
            wait,
            slots: Mutex::default(),
        }
    }

    /// The default for a pool of `pool_size`: half of it, so one account leaves the other half.
    pub fn default_for_pool(pool_size: u32) -> u32 {
        pool_size.div_ceil(2).max(1)
    }

    pub fn per_account(&self) -> u32 {
        self.per_account
    }

    /// Waits for a slot of `account_id`; `AccountBusy` (429) when none frees up in time.
    pub async fn enter(&self, account_id: i64) -> Result<AccountSlot, ApiError> {
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
            return Ok(AccountSlot(permit));
        }
        match actix_web::rt::time::timeout(self.wait, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(AccountSlot(permit)),
            _ => Err(ApiError::AccountBusy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn an_account_gets_its_slots_and_no_more_while_others_get_theirs() {
        let limits = AccountLimits::new(2, Duration::from_millis(50));
        let _a1 = limits.enter(1).await.unwrap();
        let a2 = limits.enter(1).await.unwrap();
        assert!(matches!(limits.enter(1).await, Err(ApiError::AccountBusy)));
        let _b = limits
            .enter(2)
            .await
            .expect("another account is not affected");
        drop(a2);
        assert!(limits.enter(1).await.is_ok(), "a freed slot is reused");
    }

    #[test]
    fn the_default_is_half_the_pool() {
        assert_eq!(AccountLimits::default_for_pool(10), 5);
        assert_eq!(AccountLimits::default_for_pool(1), 1);
        assert_eq!(AccountLimits::default_for_pool(7), 4);
    }
}
