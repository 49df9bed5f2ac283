//! # bucket-admin-estate
//!
//! Bucket configuration as code. An *estate file* (TOML, or JSON) lists buckets by target URL
//! with the sections each one manages; [`parse`] validates the whole file and reports every
//! problem with its path; [`plan()`] compares it, purely, with what the buckets hold and
//! returns a [`Plan`] that can be inspected, rendered and serialised. The `bucket-admin`
//! binary does the I/O (`export`, `plan`, `apply`, `drift`).
//!
//! ```
//! use bucket_admin_core::{Capabilities, Provider};
//! use bucket_admin_estate::{parse, plan, BucketState, FetchedState, CapabilityMap};
//!
//! let estate = parse(r#"
//! [shared.cors]
//! web = [{ allowed_origins = ["https://example.com"], allowed_methods = ["GET"] }]
//!
//! [buckets."r2://assets"]
//! cors = { use = "web" }
//! "#).unwrap();
//! let mut caps = Capabilities::none(Provider::R2);
//! caps.cors = true;
//! let state = FetchedState::from([("r2://assets".to_owned(), BucketState::existing())]);
//! let p = plan(&estate, &state, &CapabilityMap::from([("r2://assets".to_owned(), caps)]));
//! assert!(p.has_changes());
//! assert_eq!(p.drift_lines(), ["r2://assets cors: put"]);
//! ```
#![deny(missing_docs)]

mod model;
mod plan;

pub use model::{
    BucketSpec, CreateSpec, Desired, Estate, InvalidEstate, SectionName, from_value, parse,
    to_toml, to_value,
};
pub use plan::{
    Action, BucketPlan, BucketState, CapabilityMap, FetchedState, Plan, SectionPlan, SectionValue,
    plan,
};

/// A `--retarget FROM=TO` rule: bucket URLs under the account `FROM` move to the account `TO`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retarget {
    from: (String, Vec<(String, String)>),
    to: (String, Vec<(String, String)>),
}

fn split_account(url: &str) -> Option<(String, Vec<(String, String)>)> {
    let (scheme, rest) = url.split_once("://")?;
    let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !bucket.trim_end_matches('/').is_empty() {
        return None;
    }
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    Some((scheme.to_ascii_lowercase(), params))
}

impl Retarget {
    /// Parses `FROM=TO`, both account URLs (`cos://?region=ap-beijing=r2://`). The `=` that
    /// separates them is the one followed by a `scheme://`.
    pub fn parse(s: &str) -> Result<Retarget, String> {
        let bad = || {
            format!(
                "--retarget `{s}`: expected FROM=TO with two account URLs, such as cos://?region=ap-beijing=r2://"
            )
        };
        let cut = s
            .match_indices('=')
            .map(|(i, _)| i)
            .find(|&i| {
                let rest = &s[i + 1..];
                rest.split_once("://").is_some_and(|(scheme, _)| {
                    !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric())
                })
            })
            .ok_or_else(bad)?;
        let from = split_account(&s[..cut]).ok_or_else(bad)?;
        let to = split_account(&s[cut + 1..]).ok_or_else(bad)?;
        Ok(Retarget { from, to })
    }

    /// The new URL of `url`, or `None` when it is not under `FROM`. A COS bucket name loses its
    /// `-<appid>` suffix on another provider.
    pub fn apply(&self, url: &str) -> Option<String> {
        let (scheme, rest) = url.split_once("://")?;
        if !scheme.eq_ignore_ascii_case(&self.from.0) {
            return None;
        }
        let (bucket, query) = rest.split_once('?').unwrap_or((rest, ""));
        let bucket = bucket.trim_end_matches('/');
        let params: Vec<(&str, &str)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        if !self
            .from
            .1
            .iter()
            .all(|(k, v)| params.iter().any(|(pk, pv)| pk == k && pv == v))
        {
            return None;
        }
        let name = if self.from.0 == "cos" && self.to.0 != "cos" {
            match bucket.rsplit_once('-') {
                Some((n, appid))
                    if !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    n
                }
                _ => bucket,
            }
        } else {
            bucket
        };
        let query: Vec<String> = self.to.1.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Some(if query.is_empty() {
            format!("{}://{name}", self.to.0)
        } else {
            format!("{}://{name}?{}", self.to.0, query.join("&"))
        })
    }
}

/// Rewrites every bucket URL of `estate` under a rule's `FROM` account. Two buckets landing on
/// one URL is an error.
pub fn retarget(estate: &Estate, rules: &[Retarget]) -> Result<Estate, String> {
    let mut out = Estate::default();
    for (url, spec) in &estate.buckets {
        let new = rules
            .iter()
            .find_map(|r| r.apply(url))
            .unwrap_or_else(|| url.clone());
        if out.buckets.insert(new.clone(), spec.clone()).is_some() {
            return Err(format!("--retarget moves two buckets onto {new}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
