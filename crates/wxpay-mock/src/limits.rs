//! The simulator's resource limits: how many connections it serves at once, how long a client
//! may take to send its headers, and how much it remembers for idempotent replays. Each has a
//! default and a range; [`Limits::check`] refuses a value outside it with [`Error::Config`].

use std::time::Duration;

use crate::error::Error;

/// Default [`Limits::max_connections`].
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default [`Limits::header_read_timeout`].
pub(crate) const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default [`Limits::idempotency_capacity`].
pub(crate) const DEFAULT_IDEMPOTENCY_CAPACITY: usize = 100_000;
/// Default [`Limits::idempotency_max_bytes`].
pub(crate) const DEFAULT_IDEMPOTENCY_MAX_BYTES: usize = 64 << 20;

const MAX_CONNECTIONS: std::ops::RangeInclusive<usize> = 1..=1_000_000;
const HEADER_READ_TIMEOUT: std::ops::RangeInclusive<Duration> =
    Duration::from_millis(10)..=Duration::from_secs(3600);
const IDEMPOTENCY_CAPACITY: std::ops::RangeInclusive<usize> = 1..=100_000_000;
const IDEMPOTENCY_MAX_BYTES: std::ops::RangeInclusive<usize> = 1024..=(1 << 40);

/// The configured limits (see the `MockBuilder` setters of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Connections served at once; more are accepted and closed at once.
    pub(crate) max_connections: usize,
    /// Time a client has to send a request's complete headers.
    pub(crate) header_read_timeout: Duration,
    /// Request numbers remembered for idempotent replays (oldest forgotten first).
    pub(crate) idempotency_capacity: usize,
    /// Approximate bytes those remembered requests and answers may take.
    pub(crate) idempotency_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idempotency_capacity: DEFAULT_IDEMPOTENCY_CAPACITY,
            idempotency_max_bytes: DEFAULT_IDEMPOTENCY_MAX_BYTES,
        }
    }
}

impl Limits {
    /// Every setting within its range, or the first one that is not.
    pub(crate) fn check(&self) -> Result<(), Error> {
        in_range("max_connections", self.max_connections, &MAX_CONNECTIONS)?;
        if !HEADER_READ_TIMEOUT.contains(&self.header_read_timeout) {
            return Err(Error::Config {
                setting: "header_read_timeout",
                problem: format!(
                    "is {:?}; choose between {:?} and {:?}",
                    self.header_read_timeout,
                    HEADER_READ_TIMEOUT.start(),
                    HEADER_READ_TIMEOUT.end()
                ),
            });
        }
        in_range(
            "idempotency_capacity",
            self.idempotency_capacity,
            &IDEMPOTENCY_CAPACITY,
        )?;
        in_range(
            "idempotency_max_bytes",
            self.idempotency_max_bytes,
            &IDEMPOTENCY_MAX_BYTES,
        )
    }
}

fn in_range(
    setting: &'static str,
    value: usize,
    range: &std::ops::RangeInclusive<usize>,
) -> Result<(), Error> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(Error::Config {
            setting,
            problem: format!(
                "is {value}; choose between {} and {}",
                range.start(),
                range.end()
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(limits: Limits) -> (&'static str, String) {
        match limits.check() {
            Err(Error::Config { setting, problem }) => (setting, problem),
            other => panic!("expected Error::Config, got {other:?}"),
        }
    }

    #[test]
    fn defaults_pass_and_each_bound_is_checked() {
        let ok = Limits::default();
        ok.check().unwrap();
        let edges = Limits {
            max_connections: 1,
            header_read_timeout: Duration::from_millis(10),
            idempotency_capacity: 1,
            idempotency_max_bytes: 1024,
        };
        edges.check().unwrap();
        let (setting, problem) = refused(Limits {
            max_connections: 0,
            ..ok
        });
        assert_eq!(setting, "max_connections");
        assert!(problem.contains("is 0; choose between 1 and"), "{problem}");
        let (setting, _) = refused(Limits {
            header_read_timeout: Duration::from_millis(9),
            ..ok
        });
        assert_eq!(setting, "header_read_timeout");
        let (setting, _) = refused(Limits {
            idempotency_capacity: 100_000_001,
            ..ok
        });
        assert_eq!(setting, "idempotency_capacity");
        let (setting, _) = refused(Limits {
            idempotency_max_bytes: 1023,
            ..ok
        });
        assert_eq!(setting, "idempotency_max_bytes");
    }

    #[test]
    fn the_message_names_the_setting_and_the_fix() {
        let e = Limits {
            max_connections: 0,
            ..Limits::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "simulator setting `max_connections` is 0; choose between 1 and 1000000"
        );
    }
}
