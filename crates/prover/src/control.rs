//! Progress reports and cancellation for long-running calls.
//!
//! A [`Control`] is cheap to clone and shared between the thread that proves and the threads
//! that watch or cancel: the callback is called from the proving thread, cancellation takes
//! effect at the next stage boundary (the backend's proof stage itself cannot be interrupted).

use crate::Error;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A stage of [`crate::setup_with`] or [`crate::prove_with`], in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Run the program and record its trace.
    Execute,
    /// Lay the trace out as tables and check every rule of the circuits on them.
    Tables,
    /// Key generation: the verifying key (commitments to the image and the fixed tables).
    VerifyingKey,
    /// Key generation: the proving key.
    ProvingKey,
    /// Witness assignment and the KZG proof.
    Proof,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Execute => "execute",
            Stage::Tables => "tables",
            Stage::VerifyingKey => "verifying key",
            Stage::ProvingKey => "proving key",
            Stage::Proof => "proof",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

type Callback = dyn Fn(Stage, f64) + Send + Sync;

/// How a caller watches and stops a long call.
#[derive(Clone, Default)]
pub struct Control {
    progress: Option<Arc<Callback>>,
    cancelled: Arc<AtomicBool>,
}

impl fmt::Debug for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Control")
            .field("progress", &self.progress.is_some())
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Control {
    /// Calls `f(stage, fraction)` as stages start (0.0) and finish (1.0).
    pub fn with_progress(f: impl Fn(Stage, f64) + Send + Sync + 'static) -> Control {
        Control {
            progress: Some(Arc::new(f)),
            ..Control::default()
        }
    }

    /// Asks every call using this control (or a clone of it) to stop at its next stage.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Runs one stage: refuses to start it once cancelled, reports its start and end.
    pub(crate) fn stage<T>(
        &self,
        stage: Stage,
        work: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        if self.is_cancelled() {
            return Err(Error::Cancelled(stage));
        }
        self.report(stage, 0.0);
        let out = work()?;
        self.report(stage, 1.0);
        Ok(out)
    }

    fn report(&self, stage: Stage, fraction: f64) {
        if let Some(f) = &self.progress {
            f(stage, fraction);
        }
    }
}
