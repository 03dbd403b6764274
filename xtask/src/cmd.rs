//! Running external commands: the cargo binary, captured output.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The cargo that started us (`$CARGO`), or `cargo` from `PATH`.
pub fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(program)
}

/// What a finished command left behind.
#[derive(Debug)]
pub struct Output {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its stdout and stderr, interleaved as written.
    pub text: String,
}

/// Runs `command` with stdout and stderr both sent to `log` (one file, so the two
/// streams keep their order), then reads the file back.
pub fn run_captured(command: &mut Command, log: &Path) -> io::Result<Output> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir)?;
    }
    let file = File::create(log)?;
    let status = command
        .stdin(std::process::Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("could not start `{}`: {err}", describe(command)),
            )
        })?;
    let bytes = fs::read(log)?;
    Ok(Output {
        success: status.success(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Runs `command` with stdout sent to `out` and stderr to `log`; the text is stderr.
pub fn run_captured_stdout(command: &mut Command, out: &Path, log: &Path) -> io::Result<Output> {
    for path in [out, log] {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
    }
    let status = command
        .stdin(std::process::Stdio::null())
        .stdout(File::create(out)?)
        .stderr(File::create(log)?)
        .status()
        .map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("could not start `{}`: {err}", describe(command)),
            )
        })?;
    let bytes = fs::read(log)?;
    Ok(Output {
        success: status.success(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Runs `command` with the terminal's stdout and stderr; true if it exited with 0.
pub fn run_inherited(command: &mut Command) -> io::Result<bool> {
    eprintln!("$ {}", describe(command));
    let status = command.status().map_err(|err| {
        io::Error::new(
            err.kind(),
            format!("could not start `{}`: {err}", describe(command)),
        )
    })?;
    Ok(status.success())
}

/// True if `program args…` can be started and exits with 0 (used to probe for tools).
pub fn succeeds<I, S>(mut command: Command, args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

/// The stdout of `program args…` if it can be started and exits with 0.
pub fn stdout_of<I, S>(mut command: Command, args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = command
        .args(args)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Whether this run is CI's (`CI` set to anything but empty, `0` or `false`): then a step whose
/// tool is missing fails instead of being skipped, so a green run shows that it ran.
pub fn on_ci() -> bool {
    std::env::var("CI")
        .map(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
        .unwrap_or(false)
}

/// `program arg arg…` for messages (environment not shown).
pub fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    // `$CARGO` is an absolute path into the toolchain; `cargo` reads better.
    let mut text = match program.file_stem().and_then(|stem| stem.to_str()) {
        Some("cargo") => "cargo".to_string(),
        _ => program.to_string_lossy().into_owned(),
    };
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Where step logs go: `target/xtask/`.
pub fn log_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    target.join("xtask")
}
