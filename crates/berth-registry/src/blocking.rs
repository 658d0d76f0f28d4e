//! Blocking work, off the async threads. The store and the archive code are synchronous: a store
//! call that fsyncs a layer, takes a lock or re-hashes a file runs on tokio's blocking pool, so
//! the downloads and uploads in flight beside it keep moving (a pull or push polls all of its
//! layers from one task; a commit that blocked it stalled every other layer).
//!
//! Only calls that may wait on a disk or a lock come here; looking a file up (`has_blob`, a layer
//! record) stays inline. Nothing here runs once per chunk: a blob's bytes reach its file through
//! the writer thread of `blob.rs`.

use std::sync::Arc;

use berth_store::Store;

use crate::error::{Error, Result};

/// A store handle that blocking tasks can own: one per pull or push, shared by its tasks.
pub(crate) type SharedStore = Arc<Store>;

/// A handle on `store` for the blocking tasks of one operation.
pub(crate) fn share(store: &Store) -> Result<SharedStore> {
    Ok(Arc::new(store.try_clone()?))
}

/// Runs `work` on the blocking pool and waits for it.
pub(crate) async fn unblock<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Task(e.to_string()))
}

/// Runs `work` against the store on the blocking pool and waits for it.
pub(crate) async fn on_store<T: Send + 'static>(
    store: &SharedStore,
    work: impl FnOnce(&Store) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = Arc::clone(store);
    unblock(move || work(&store)).await?
}
