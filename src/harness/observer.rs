//! What a sweep tells its caller while it runs ([`Observer`]), and the observer of the command
//! line ([`StderrObserver`]: a progress bar on a terminal, a line per configuration otherwise).

use super::child::Failure;
use super::plan::Configuration;

/// What a sweep tells its caller while it runs (every method does nothing by default).
pub trait Observer {
    /// A line worth showing (the default graph made, capacity, resuming).
    fn note(&mut self, _message: &str) {}
    /// The sweep is about to measure `total` configurations.
    fn start(&mut self, _total: usize) {}
    /// Configuration number `done` of `total` begins (or is re-used from the journal).
    fn begin(&mut self, _done: usize, _total: usize, _configuration: &Configuration, _reused: bool) {}
    /// A configuration failed; the sweep goes on.
    fn failed(&mut self, _configuration: &Configuration, _failure: &Failure) {}
    /// A configuration was measured and journaled.
    fn end(&mut self, _configuration: &Configuration) {}
    /// Every configuration is done.
    fn finish(&mut self) {}
}

/// An [`Observer`] that shows a progress bar on a terminal (a line per configuration otherwise)
/// and writes notes to stderr.
pub struct StderrObserver {
    bar: Option<indicatif::ProgressBar>,
}

impl StderrObserver {
    /// A new observer.
    pub fn new() -> StderrObserver {
        StderrObserver { bar: None }
    }

    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }
}

impl Default for StderrObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl Observer for StderrObserver {
    fn note(&mut self, message: &str) {
        self.say(message);
    }

    fn start(&mut self, total: usize) {
        self.bar = Some(crate::progress::bar(total as u64, "cost sweep", false));
    }

    fn begin(&mut self, done: usize, total: usize, configuration: &Configuration, reused: bool) {
        let note = if reused { " (re-used from runs.jsonl)" } else { "" };
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{}{note}", configuration.describe()));
            if bar.is_hidden() {
                eprintln!("[{done}/{total}] {}{note}", configuration.describe());
            }
        }
    }

    fn failed(&mut self, configuration: &Configuration, failure: &Failure) {
        self.say(&format!("{} failed ({failure}); the sweep goes on", configuration.describe()));
    }

    fn end(&mut self, _configuration: &Configuration) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
