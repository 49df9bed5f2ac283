//! Private wire types: the JSON Cloudflare sends and expects, and their conversion to and from
//! the neutral models of `bucket-admin-core` (and the public models of [`crate::extras`]).
//!
//! Decoding is strict where a silent change would mislead (numbers that do not fit, dates with
//! a time of day) and lenient where Cloudflare adds fields (unknown fields are ignored).

pub(crate) mod bucket;
pub(crate) mod cors;
pub(crate) mod domains;
pub(crate) mod lifecycle;
pub(crate) mod lock;

use bucket_admin_core::{Error, ErrorKind, LifecycleDate};
use serde::Deserialize;
use serde_json::{Number, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The envelope around every Cloudflare API v4 answer.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub(crate) success: Option<bool>,
    #[serde(default)]
    pub(crate) errors: Vec<ApiMessage>,
    #[serde(default)]
    pub(crate) result: Value,
    #[serde(default)]
    pub(crate) result_info: Option<Value>,
}

/// One entry of `errors`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ApiMessage {
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) message: String,
}

/// A Decode error with `message`.
pub(crate) fn decode(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Decode, message)
}

/// Deserializes `value` into `T`, naming `what` on failure.
pub(crate) fn from_value<T: serde::de::DeserializeOwned>(
    value: Value,
    what: &str,
) -> Result<T, Error> {
    serde_json::from_value(value)
        .map_err(|e| decode(format!("unexpected {what} in the response: {e}")).with_source(e))
}

/// An exact non-negative integer from a JSON number: `3600` and `3600.0` are accepted, while a
/// fraction, a negative value or anything above `max` is an error (never truncated or clamped).
pub(crate) fn exact_uint(n: &Number, max: u64) -> Result<u64, String> {
    if let Some(v) = n.as_u64() {
        return if v <= max {
            Ok(v)
        } else {
            Err(format!("{n} is larger than {max}"))
        };
    }
    if n.is_i64() {
        return Err(format!("{n} is negative"));
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if !f.is_finite() {
        return Err(format!("{n} is not a finite number"));
    }
    if f < 0.0 {
        return Err(format!("{n} is negative"));
    }
    if f.fract() != 0.0 {
        return Err(format!("{n} is not a whole number"));
    }
    // `max` as f64 may round up (u64::MAX); comparing against it is still exact for u32 limits,
    // and values at or above 2^64 are rejected before the cast.
    if f > max as f64 || f >= 18_446_744_073_709_551_616.0 {
        return Err(format!("{n} is larger than {max}"));
    }
    let v = f as u64;
    if v > max {
        return Err(format!("{n} is larger than {max}"));
    }
    Ok(v)
}

/// `2031-04-20T00:00:00Z`: the RFC 3339 form R2 lifecycle and lock dates travel in.
pub(crate) fn date_to_wire(date: Date) -> String {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
}

/// A date from the wire: RFC 3339 at UTC midnight, or a bare `YYYY-MM-DD` (what the official
/// SDK sends for a `datetime.date`). A time of day other than midnight UTC cannot be expressed
/// by the neutral model and is an error rather than being truncated.
pub(crate) fn date_from_wire(raw: &str) -> Result<Date, String> {
    if let Ok(dt) = OffsetDateTime::parse(raw, &Rfc3339) {
        let utc = dt.to_offset(UtcOffset::UTC);
        if utc.time() != Time::MIDNIGHT {
            return Err(format!(
                "`{raw}` is not midnight UTC; only whole dates are supported"
            ));
        }
        return Ok(utc.date());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw, &fmt).map_err(|_| format!("`{raw}` is not an RFC 3339 date"))
}

/// A lifecycle date for R2, whose dates are midnights UTC. The caller has validated the zone.
pub(crate) fn lifecycle_date_to_wire(date: LifecycleDate) -> String {
    date.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn num(s: &str) -> Number {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn exact_uint_accepts_only_exact_values() {
        let max = u64::from(u32::MAX);
        assert_eq!(exact_uint(&num("3600"), max), Ok(3600));
        assert_eq!(exact_uint(&num("3600.0"), max), Ok(3600));
        assert_eq!(exact_uint(&num("0"), max), Ok(0));
        assert_eq!(exact_uint(&num("4294967295"), max), Ok(u64::from(u32::MAX)));
        assert!(exact_uint(&num("4294967296"), max).is_err());
        assert!(
            exact_uint(&num("3600.5"), max)
                .unwrap_err()
                .contains("whole")
        );
        assert!(
            exact_uint(&num("-1"), max)
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            exact_uint(&num("-1.0"), max)
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            exact_uint(&num("1e12"), max)
                .unwrap_err()
                .contains("larger")
        );
        assert!(exact_uint(&num("1e300"), u64::MAX).is_err());
        assert_eq!(
            exact_uint(&num("18446744073709551615"), u64::MAX),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn dates_round_trip_and_reject_times_of_day() {
        assert_eq!(date_to_wire(date!(2031 - 04 - 20)), "2031-04-20T00:00:00Z");
        assert_eq!(
            date_from_wire("2031-04-20T00:00:00Z"),
            Ok(date!(2031 - 04 - 20))
        );
        assert_eq!(
            date_from_wire("2031-04-20T00:00:00.000Z"),
            Ok(date!(2031 - 04 - 20))
        );
        assert_eq!(date_from_wire("2031-04-20"), Ok(date!(2031 - 04 - 20)));
        assert!(date_from_wire("2031-04-20T12:00:00Z").is_err());
        assert!(date_from_wire("2031-04-20T00:00:00+02:00").is_err());
        assert!(date_from_wire("tomorrow").is_err());
    }
}
