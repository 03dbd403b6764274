//! Writing to stdout without panicking when the reader goes away (`wxpay … | head`).

use std::fmt;
use std::io::Write;

/// Writes `args` and a line break to stdout.
pub fn line(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let result = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
    handle(result);
}

/// Writes `bytes` to stdout as they are.
pub fn bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(bytes).and_then(|()| out.flush());
    handle(result);
}

fn handle(result: std::io::Result<()>) {
    if let Err(e) = result {
        // The reader closed the pipe: like any Unix tool, stop quietly.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("wxpay: cannot write to stdout: {e}");
        std::process::exit(70);
    }
}

/// `println!` for stdout that stops quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::output::line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::line(format_args!($($arg)*)) };
}
pub(crate) use outln;
