//! What a command that did not succeed reports: what happened, at which stage, the likely
//! cause, the fix — and the documented exit code of its kind.

use std::fmt;

/// The documented exit codes (`wxpay --help`, docs/cli.md). Clap's usage errors exit with 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// 1 — a check did not pass: a signature, a decryption, a comparison, an answer's signature.
    Check,
    /// 2 — usage: arguments that do not fit together (clap reports the others itself).
    Usage,
    /// 3 — configuration: a missing or invalid setting, key file or config file.
    Config,
    /// 4 — input: a file or stdin could not be read, or is not what the command takes.
    Input,
    /// 5 — network: WeChat Pay (or the simulator) could not be reached in time.
    Network,
    /// 6 — WeChat Pay answered with an error status.
    Api,
    /// 7 — a demo step did not happen as expected.
    Demo,
    /// 70 — a bug in wxpay itself.
    Internal,
}

impl Kind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Kind::Check => 1,
            Kind::Usage => 2,
            Kind::Config => 3,
            Kind::Input => 4,
            Kind::Network => 5,
            Kind::Api => 6,
            Kind::Demo => 7,
            Kind::Internal => 70,
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            Kind::Check => "a check did not pass",
            Kind::Usage => "usage error",
            Kind::Config => "configuration error",
            Kind::Input => "input error",
            Kind::Network => "network error",
            Kind::Api => "WeChat Pay answered with an error",
            Kind::Demo => "a demo step failed",
            Kind::Internal => "internal error",
        }
    }
}

/// The exit-code table printed under `wxpay --help` and in docs/cli.md.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   a check did not pass (signature, decryption, --expect comparison, an answer's signature)
  2   usage error (unknown command or flag, missing argument)
  3   configuration error (missing or invalid setting, key file or config file)
  4   input error (a file or stdin could not be read, or is not what the command takes)
  5   network error (WeChat Pay or the simulator could not be reached in time)
  6   WeChat Pay answered with an error status (code, message and hint are printed)
  7   a demo step did not happen as expected (the step is named)
  70  internal error (a bug in wxpay: please report it)";

/// A command that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// Which exit code.
    pub kind: Kind,
    /// What happened, one line.
    pub message: String,
    /// Which stage failed (`signature`, `decrypt`, …), when the command has stages.
    pub stage: Option<String>,
    /// The likely cause.
    pub cause: Option<String>,
    /// What to do about it.
    pub fix: Option<String>,
}

impl Failure {
    /// A failure of `kind` with `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            stage: None,
            cause: None,
            fix: None,
        }
    }

    /// Exit 1: a check did not pass.
    pub fn check(message: impl Into<String>) -> Self {
        Self::new(Kind::Check, message)
    }

    /// Exit 2: usage.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// Exit 3: configuration.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(Kind::Config, message)
    }

    /// Exit 4: input.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(Kind::Input, message)
    }

    /// Exit 70: a bug.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Kind::Internal, message)
    }

    /// Names the stage that failed.
    pub fn stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }

    /// Adds the likely cause.
    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// Adds the fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        self.kind.code()
    }

    /// The report printed on stderr.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

/// The multi-line report of a [`Failure`].
pub struct Report<'a>(&'a Failure);

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        writeln!(f, "wxpay: error: {}", e.message)?;
        if let Some(stage) = &e.stage {
            writeln!(f, "  stage: {stage}")?;
        }
        if let Some(cause) = &e.cause {
            writeln!(f, "  cause: {cause}")?;
        }
        if let Some(fix) = &e.fix {
            writeln!(f, "  fix:   {fix}")?;
        }
        write!(f, "  (exit {}: {})", e.kind.code(), e.kind.meaning())
    }
}

/// Shorthand for command results.
pub type Result<T, E = Failure> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_stage_cause_fix_and_exit_code() {
        let f = Failure::check("the signature did not verify")
            .stage("signature")
            .cause("the body was re-serialized")
            .fix("capture the raw body");
        let text = f.report().to_string();
        assert!(text.starts_with("wxpay: error: the signature did not verify\n"));
        assert!(text.contains("  stage: signature\n"));
        assert!(text.contains("  cause: the body was re-serialized\n"));
        assert!(text.contains("  fix:   capture the raw body\n"));
        assert!(text.ends_with("(exit 1: a check did not pass)"));
    }

    #[test]
    fn every_kind_has_a_documented_code() {
        for kind in [
            Kind::Check,
            Kind::Usage,
            Kind::Config,
            Kind::Input,
            Kind::Network,
            Kind::Api,
            Kind::Demo,
            Kind::Internal,
        ] {
            let line = format!("\n  {:<3} ", kind.code());
            assert!(EXIT_CODES.contains(&line), "{kind:?} not in the table");
        }
    }
}
