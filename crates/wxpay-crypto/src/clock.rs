//! Time and nonce sources, injectable so that signing and verification stay pure in tests.

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::backend;
use crate::error::Result;

/// A source of the current Unix time in seconds.
///
/// Any `Fn() -> i64 + Send + Sync` closure is a clock, so tests can pass `&|| 1_554_208_460`.
///
/// ```
/// use wxpay_crypto::{Clock, FixedClock, SystemClock};
/// assert_eq!(FixedClock(1_554_208_460).now_unix(), 1_554_208_460);
/// let replay = || 1_722_850_421_i64;
/// assert_eq!(replay.now_unix(), 1_722_850_421);
/// assert!(SystemClock.now_unix() > 1_700_000_000);
/// ```
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> i64;
}

impl<F: Fn() -> i64 + Send + Sync> Clock for F {
    fn now_unix(&self) -> i64 {
        self()
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        }
    }
}

/// A clock stopped at one instant, for tests and replays of captured traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

/// A source of request nonces (`nonce_str`). [`SystemNonce`] is the production one; tests
/// implement this to sign with a known nonce through [`crate::Signer::authorize_with`].
///
/// ```
/// use wxpay_crypto::{NonceSource, SystemNonce};
/// struct Fixed;
/// impl NonceSource for Fixed {
///     fn nonce(&self) -> wxpay_crypto::Result<String> {
///         Ok("593BEC0C930BF1AFEB40B4A08C8FB242".to_owned())
///     }
/// }
/// assert_eq!(Fixed.nonce()?, "593BEC0C930BF1AFEB40B4A08C8FB242");
/// assert_eq!(SystemNonce.nonce()?.len(), wxpay_crypto::NONCE_LEN);
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub trait NonceSource: Send + Sync {
    /// Returns a fresh nonce: printable ASCII, no `"`.
    fn nonce(&self) -> Result<String>;
}

/// 32 characters from `[0-9A-Za-z]` drawn from the operating system's CSPRNG, as the official
/// SDKs do.
#[derive(Clone, Copy, Default)]
pub struct SystemNonce;

impl fmt::Debug for SystemNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SystemNonce")
    }
}

impl NonceSource for SystemNonce {
    fn nonce(&self) -> Result<String> {
        random_nonce()
    }
}

/// Length of the nonces [`SystemNonce`] draws.
pub const NONCE_LEN: usize = 32;

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Draws a 32-character `[0-9A-Za-z]` nonce from the CSPRNG (unbiased: rejection sampling).
///
/// ```
/// let n = wxpay_crypto::random_nonce()?;
/// assert_eq!(n.len(), 32);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// # Ok::<(), wxpay_crypto::Error>(())
/// ```
pub fn random_nonce() -> Result<String> {
    random_alphanumeric(NONCE_LEN)
}

/// `len` characters from `[0-9A-Za-z]`, drawn from the CSPRNG.
pub(crate) fn random_alphanumeric(len: usize) -> Result<String> {
    nonce_from(len, backend::fill_random)
}

fn nonce_from(len: usize, mut fill: impl FnMut(&mut [u8]) -> Result<()>) -> Result<String> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 48];
    while out.len() < len {
        fill(&mut buf)?;
        for b in buf {
            // 248 = 4 * 62: values at or above it would bias the modulo.
            if b < 248 && out.len() < len {
                out.push(ALPHABET[usize::from(b % 62)] as char);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_differ_and_use_the_alphabet() {
        let a = SystemNonce.nonce().unwrap();
        let b = SystemNonce.nonce().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), NONCE_LEN);
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn rng_failure_is_reported() {
        let err = nonce_from(NONCE_LEN, |_| Err(crate::Error::RandomUnavailable)).unwrap_err();
        assert_eq!(err, crate::Error::RandomUnavailable);
        // A source of only rejected bytes (>= 248) keeps drawing; one of zeros gives '0's.
        let mut calls = 0;
        let n = nonce_from(NONCE_LEN, |b| {
            calls += 1;
            b.fill(if calls < 3 { 255 } else { 0 });
            Ok(())
        })
        .unwrap();
        assert_eq!(n, "0".repeat(NONCE_LEN));
        assert_eq!(calls, 3);
    }

    #[test]
    fn clocks() {
        assert_eq!(FixedClock(7).now_unix(), 7);
        assert_eq!((|| 9).now_unix(), 9);
        assert!(SystemClock.now_unix() > 1_700_000_000);
    }
}
