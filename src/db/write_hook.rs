//! Work a layer around the handlers adds to every [`super::Db::write`] of one request, inside
//! the request's own transaction, without the handlers knowing: `api::idempotency` records there
//! that the request's write commits, so a key can never run a second write.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::{DbConn, Result};

type Step = dyn Fn(&mut DbConn) -> Result<()> + Send + Sync;

/// The last step of each write transaction of the task it is installed on (see [`scope`]).
#[derive(Clone)]
pub struct WriteHook {
    step: Arc<Step>,
    committed: Arc<AtomicBool>,
}

tokio::task_local! {
    static HOOK: WriteHook;
}

impl WriteHook {
    pub fn new(step: impl Fn(&mut DbConn) -> Result<()> + Send + Sync + 'static) -> Self {
        WriteHook {
            step: Arc::new(step),
            committed: Arc::default(),
        }
    }

    /// Whether a write transaction with this hook in it committed.
    pub fn committed(&self) -> bool {
        self.committed.load(Ordering::Acquire)
    }

    pub(super) fn run(&self, conn: &mut DbConn) -> Result<()> {
        (self.step)(conn)
    }

    pub(super) fn mark_committed(&self) {
        self.committed.store(true, Ordering::Release);
    }
}

/// Runs `work` with `hook` in every `Db::write` it makes.
pub async fn scope<F: Future>(hook: WriteHook, work: F) -> F::Output {
    HOOK.scope(hook, work).await
}

/// The hook of the running task, if any.
pub(super) fn current() -> Option<WriteHook> {
    HOOK.try_with(WriteHook::clone).ok()
}
