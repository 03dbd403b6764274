//! The demo's timeline: steps and what happened in each, printed as it happens — readable
//! lines on stdout, or JSON lines on stdout with readable progress on stderr.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{Value, json};

use crate::output::outln;

/// Shared by the steps and the callback receivers.
#[derive(Clone)]
pub struct Timeline {
    order: Arc<Mutex<()>>,
    started: Instant,
    json: bool,
    progress: bool,
}

impl Timeline {
    /// A timeline printing text on stdout, or JSON lines on stdout and (unless `quiet`) the
    /// text on stderr.
    pub fn new(json: bool, quiet: bool) -> Self {
        Self {
            order: Arc::default(),
            started: Instant::now(),
            json,
            progress: !quiet,
        }
    }

    fn push(&self, step: &str, kind: &'static str, text: String, data: Value) {
        // One line at a time, stamped under the lock, so the times only grow.
        let _order = self.order.lock();
        let at_ms = self.started.elapsed().as_millis();
        let line = match kind {
            "step" => format!("{at_ms:>6} ms  ▸ {text}"),
            _ => format!("{at_ms:>6} ms      {text}"),
        };
        if self.json {
            outln!(
                "{}",
                json!({"at_ms": at_ms as u64, "step": step, "kind": kind, "text": text, "data": data})
            );
            if self.progress {
                eprintln!("{line}");
            }
        } else {
            outln!("{line}");
        }
    }

    /// A step begins.
    pub fn step(&self, step: &str, text: impl Into<String>) {
        self.push(step, "step", text.into(), Value::Null);
    }

    /// Something happened within a step.
    pub fn event(&self, step: &str, text: impl Into<String>, data: Value) {
        self.push(step, "event", text.into(), data);
    }

    /// Milliseconds since the start.
    pub fn elapsed_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }
}
