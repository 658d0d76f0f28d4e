//! SIGINT and SIGTERM during an image command: remove this process's temporary files, then exit with
//! 130 or 143 (128 + the signal, what a shell reports for a process the signal ended).
//!
//! Without this, the default action ends the process on the spot: its locks are released by the kernel,
//! but its temporary ingest files stay until the next garbage collection. Resumable partial downloads
//! are kept either way, so the next `pull` continues where this one stopped. Container commands handle
//! signals their own way (they forward them to the container) and do not install this.

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Starts the thread that waits for SIGINT or SIGTERM. The handlers are in place when this returns.
pub fn install() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return;
    };
    let registered: std::io::Result<(Signal, Signal)> = runtime.block_on(async {
        Ok((
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        ))
    });
    let Ok((mut interrupt, mut terminate)) = registered else {
        tracing::debug!("could not install the SIGINT/SIGTERM handlers");
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("berth-signals".into())
        .spawn(move || {
            let code = runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => 130,
                    _ = terminate.recv() => 143,
                }
            });
            let removed = berth_store::cleanup::remove_temp_files();
            tracing::debug!(removed, "interrupted: removed temporary files");
            std::process::exit(code);
        });
    if spawned.is_err() {
        tracing::debug!("could not start the signal thread");
    }
}
