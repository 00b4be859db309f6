//! Progress on a terminal for the long commands (demo, import, extract check, snapshot seal
//! and open, drill, run export), with `indicatif`. Drawn on stderr, and only when both stdout
//! and stderr are terminals: piped into a file or a test, a command prints exactly what it
//! printed before, and nothing else.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Whether a person watches: stdout and stderr both terminals.
pub fn shown() -> bool {
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
}

fn styled(bar: ProgressBar, template: &str) -> ProgressBar {
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

/// A spinner saying what is being done and for how long; `set_message` names each step.
pub fn spinner(what: &str) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = styled(ProgressBar::new_spinner(), "{spinner} {elapsed} {msg}");
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner counting rows read.
pub fn rows(what: &str) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = styled(
        ProgressBar::new_spinner(),
        "{spinner} {elapsed} {msg} : {human_pos} lignes lues",
    );
    bar.set_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar of `total` bytes (wrap the readers with `ProgressBar::wrap_read`).
pub fn bytes(what: &str, total: u64) -> ProgressBar {
    if !shown() {
        return ProgressBar::hidden();
    }
    let bar = styled(
        ProgressBar::new(total),
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta} restantes)",
    );
    bar.set_message(what.to_owned());
    bar
}
