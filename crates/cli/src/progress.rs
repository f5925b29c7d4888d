//! Progress on stderr: a spinner per stage while it runs (on a terminal only), then a line
//! with each stage's time.

use crate::out::note;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zkwasm_prover::{Control, Stage};

#[derive(Default)]
struct State {
    bar: Option<ProgressBar>,
    started: Option<Instant>,
    done: Vec<(Stage, Duration)>,
}

/// Watches the stages of one command.
#[derive(Clone, Default)]
pub struct Progress {
    state: Arc<Mutex<State>>,
}

impl Progress {
    /// A control that drives the spinners.
    pub fn control(&self) -> Control {
        let state = self.state.clone();
        Control::with_progress(move |stage, fraction| {
            let mut s = state.lock().expect("progress lock");
            if fraction == 0.0 {
                // indicatif draws on stderr only when it is a terminal.
                let bar = ProgressBar::new_spinner().with_style(
                    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                        .expect("valid template"),
                );
                bar.set_message(stage.name());
                bar.enable_steady_tick(Duration::from_millis(100));
                s.bar = Some(bar);
                s.started = Some(Instant::now());
            } else {
                if let Some(bar) = s.bar.take() {
                    bar.finish_and_clear();
                }
                let took = s.started.take().map_or(Duration::ZERO, |t| t.elapsed());
                s.done.push((stage, took));
            }
        })
    }

    /// Prints `WHAT in T s (stage T s, ...)` on stderr.
    pub fn summary(&self, what: &str) {
        let mut s = self.state.lock().expect("progress lock");
        if let Some(bar) = s.bar.take() {
            bar.finish_and_clear();
        }
        let total: Duration = s.done.iter().map(|(_, d)| *d).sum();
        let parts: Vec<String> = s
            .done
            .iter()
            .map(|(stage, d)| format!("{stage} {:.2} s", d.as_secs_f64()))
            .collect();
        note!(
            "{what} in {:.2} s ({})",
            total.as_secs_f64(),
            parts.join(", ")
        );
        s.done.clear();
    }
}
