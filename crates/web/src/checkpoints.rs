//! The journal's hourly checkpoint while the server runs: every minute, the head is signed
//! when entries were written since the last checkpoint and that one is an hour old
//! (`relais_app::checkpoints::Signer::hourly`). A failure is logged and tried again.

use crate::app::Shared;
use std::time::Duration;

/// How often the server looks.
const EVERY: Duration = Duration::from_secs(60);

pub(crate) async fn hourly(app: Shared) {
    let Some(signer) = app.config.checkpoints.clone() else {
        return;
    };
    let mut ticks = tokio::time::interval(EVERY);
    loop {
        ticks.tick().await;
        let now = app.instant();
        let signer = signer.clone();
        let signed = app
            .with_store(move |s| {
                Ok(signer.hourly(s, now).map_err(|e| {
                    tracing::error!(problem = %e, "hourly journal checkpoint not signed");
                }))
            })
            .await;
        if let Err(e) = signed {
            tracing::error!(error = ?e, "hourly journal checkpoint: store unavailable");
        }
    }
}
