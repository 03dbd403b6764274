//! Reading criterion's results: `target/criterion/**/new/{benchmark,estimates}.json`.

use std::fs;
use std::io;
use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

/// One benchmark's median from one criterion run, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Median point estimate.
    pub median: f64,
    /// Lower bound of its 95 % confidence interval.
    pub lower: f64,
    /// Upper bound of its 95 % confidence interval.
    pub upper: f64,
}

/// Every benchmark under `dir` whose `new/estimates.json` was written at or after `since`, as
/// (`group/function` id, estimate).
pub fn read_since(dir: &Path, since: SystemTime) -> io::Result<Vec<(String, Estimate)>> {
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(dir, since, &mut out)?;
    }
    Ok(out)
}

fn walk(dir: &Path, since: SystemTime, out: &mut Vec<(String, Estimate)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some(found) = read_one(&path, since)? {
                out.push(found);
            }
        } else {
            walk(&path, since, out)?;
        }
    }
    Ok(())
}

fn read_one(new: &Path, since: SystemTime) -> io::Result<Option<(String, Estimate)>> {
    let estimates = new.join("estimates.json");
    let benchmark = new.join("benchmark.json");
    let Ok(meta) = fs::metadata(&estimates) else {
        return Ok(None);
    };
    if meta.modified()? < since || !benchmark.is_file() {
        return Ok(None);
    }
    let id = parse(&fs::read_to_string(&benchmark)?)
        .and_then(|v| v.get("full_id")?.as_str().map(String::from));
    let estimate = parse(&fs::read_to_string(&estimates)?).and_then(|v| median(&v));
    Ok(id.zip(estimate))
}

fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// The `median` of an `estimates.json`.
pub fn median(estimates: &Value) -> Option<Estimate> {
    let m = estimates.get("median")?;
    let ci = m.get("confidence_interval")?;
    Some(Estimate {
        median: m.get("point_estimate")?.as_f64()?,
        lower: ci.get("lower_bound")?.as_f64()?,
        upper: ci.get("upper_bound")?.as_f64()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_and_its_interval() {
        let v: Value = serde_json::from_str(
            r#"{"mean":{"point_estimate":9.0},"median":{"confidence_interval":
            {"confidence_level":0.95,"lower_bound":1.5,"upper_bound":2.5},
            "point_estimate":2.0,"standard_error":0.1}}"#,
        )
        .unwrap();
        assert_eq!(
            median(&v),
            Some(Estimate {
                median: 2.0,
                lower: 1.5,
                upper: 2.5
            })
        );
        assert_eq!(median(&serde_json::json!({"mean": {}})), None);
    }

    #[test]
    fn finds_fresh_results_only() {
        let dir = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let new = dir.join("sign [ring]/raw/new");
        fs::create_dir_all(&new).unwrap();
        fs::write(
            new.join("benchmark.json"),
            r#"{"full_id":"sign [ring]/raw"}"#,
        )
        .unwrap();
        fs::write(
            new.join("estimates.json"),
            r#"{"median":{"confidence_interval":{"lower_bound":1,"upper_bound":3},"point_estimate":2}}"#,
        )
        .unwrap();
        let found = read_since(&dir, SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "sign [ring]/raw");
        let later = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read_since(&dir, later).unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
