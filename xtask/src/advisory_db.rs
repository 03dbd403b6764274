//! Lays out the offline RustSec snapshot (`../shared/advisory-db`) where cargo-deny
//! looks for its database, so `cargo deny --offline check advisories` needs no network.
//!
//! cargo-deny reads `<db-path>/<name>-<hash of the URL>/crates/**.md` and takes the
//! database's age from the modification time of `.git/FETCH_HEAD`. We point `crates`
//! at the snapshot and date `FETCH_HEAD` to the snapshot's own date (from its
//! `SNAPSHOT.txt`), so cargo-deny's staleness limit (`deny.toml`) measures the real age.

use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `db-path` in `deny.toml`, relative to the workspace root.
pub const DB_ROOT: &str = "target/xtask/advisory-dbs";

/// The directory name cargo-deny derives from `https://github.com/rustsec/advisory-db`
/// (the `db-urls` entry in `deny.toml`): last path segment, `-`, XxHash64 of the URL.
/// Read off `cargo deny -L debug` (cargo-deny 0.20); change both together.
pub const DB_DIR: &str = "advisory-db-3157b0e258782691";

/// Where the snapshot lives, relative to the workspace root.
pub const SNAPSHOT: &str = "../shared/advisory-db";

/// A snapshot laid out for cargo-deny.
#[derive(Debug)]
pub struct Prepared {
    /// What the snapshot says about itself: `snapshot 2026-08-21`, or its file date.
    pub date: String,
}

/// Prepares `<root>/DB_ROOT/DB_DIR` from the snapshot; `None` if there is no snapshot.
pub fn prepare(root: &Path) -> io::Result<Option<Prepared>> {
    let snapshot = root.join(SNAPSHOT);
    if !snapshot.join("crates").is_dir() {
        return Ok(None);
    }
    let snapshot = snapshot.canonicalize()?;
    let db = root.join(DB_ROOT).join(DB_DIR);
    if db.exists() {
        fs::remove_dir_all(&db)?;
    }
    fs::create_dir_all(db.join(".git"))?;
    link_dir(&snapshot.join("crates"), &db.join("crates"))?;
    let fetched = snapshot_time(&snapshot)?;
    File::create(db.join(".git/FETCH_HEAD"))?.set_modified(fetched)?;
    let days = fetched
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    Ok(Some(Prepared {
        date: format!("advisory snapshot of {y:04}-{m:02}-{d:02}"),
    }))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of
/// [`days_from_civil`], Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(unix)]
fn link_dir(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn link_dir(target: &Path, link: &Path) -> io::Result<()> {
    copy_dir(target, link)
}

#[cfg(not(unix))]
fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// The snapshot's date from `SNAPSHOT.txt` (`… (YYYY-MM-DD) …`), else that file's mtime.
fn snapshot_time(snapshot: &Path) -> io::Result<SystemTime> {
    let note = snapshot.join("SNAPSHOT.txt");
    let text = fs::read_to_string(&note).unwrap_or_default();
    match parse_date(&text) {
        Some(secs) => Ok(UNIX_EPOCH + Duration::from_secs(secs)),
        None => fs::metadata(&note).and_then(|meta| meta.modified()),
    }
}

/// Seconds since the epoch of the first `(YYYY-MM-DD)` in `text` (midnight UTC).
fn parse_date(text: &str) -> Option<u64> {
    text.split('(').skip(1).find_map(|rest| {
        let date = rest.get(..10)?;
        if rest.get(10..11) != Some(")") {
            return None;
        }
        let mut parts = date.split('-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: i64 = parts.next()?.parse().ok()?;
        let day: i64 = parts.next()?.parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        u64::try_from(days_from_civil(year, month, day) * 86_400).ok()
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_note_date_is_read() {
        let note = "snapshot of rustsec/advisory-db at commit bf5c0d2 (2026-08-21); data only";
        // 2026-08-21T00:00:00Z, as `date -ud 2026-08-21 +%s` prints it.
        assert_eq!(parse_date(note), Some(1_787_270_400));
    }

    #[test]
    fn civil_from_days_inverts_days_from_civil() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 8, 21), (1969, 12, 31)] {
            assert_eq!(civil_from_days(days_from_civil(y, m, d)), (y, m, d));
        }
    }

    #[test]
    fn known_days_from_civil() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn notes_without_a_date_give_none() {
        assert_eq!(parse_date("no date here"), None);
        assert_eq!(parse_date("(2026-13-01)"), None);
        assert_eq!(parse_date("(soon)"), None);
    }
}
