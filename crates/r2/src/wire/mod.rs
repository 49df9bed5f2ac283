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
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// The envelope around every Cloudflare API v4 answer.
///
/// `result` and `result_info` are kept as the raw JSON text (validated, not parsed into a
/// tree): each operation decodes its `result` straight into its typed wire struct, so an
/// answer is never built as a `serde_json::Value` first.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub(crate) success: Option<bool>,
    #[serde(default)]
    pub(crate) errors: Vec<ApiMessage>,
    /// `None` for a missing or `null` result.
    #[serde(default)]
    pub(crate) result: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) result_info: Option<Box<RawValue>>,
}

/// The JSON text of an optional raw value (`null` when absent).
pub(crate) fn raw_text(raw: Option<&RawValue>) -> &str {
    raw.map_or("null", RawValue::get)
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

/// Deserializes the raw `result` into `T`, naming `what` on failure.
pub(crate) fn from_raw<T: serde::de::DeserializeOwned>(
    raw: Option<&RawValue>,
    what: &str,
) -> Result<T, Error> {
    serde_json::from_str(raw_text(raw))
        .map_err(|e| decode(format!("unexpected {what} in the response: {e}")).with_source(e))
}

/// A `result` document whose decoding names a list it must hold: whether the decoded value
/// saw the list (a wire struct defaulting it cannot tell, and answers `false`).
pub(crate) trait Listed: serde::de::DeserializeOwned {
    fn has_list(&self) -> bool;
}

/// [`require_list`] then [`from_raw`], in one pass when the answer is what it should be: an
/// object whose typed decoding saw the list. Anything else (an array, which a struct also
/// reads from; a missing or `null` list; a decoding error) takes the two checked passes, so
/// the outcome and its wording are theirs. The shape pass walked the whole `result` on every
/// answer (issue 16).
pub(crate) fn from_raw_list<T: Listed>(
    raw: Option<&RawValue>,
    field: &str,
    what: &str,
) -> Result<T, Error> {
    if raw_text(raw).trim_start().starts_with('{')
        && let Ok(value) = serde_json::from_str::<T>(raw_text(raw))
        && value.has_list()
    {
        return Ok(value);
    }
    require_list(raw, field, what)?;
    from_raw(raw, what)
}

/// Checks that a raw `result` is an object holding the list `field` before it is decoded: the
/// wire structs default a missing list to empty, which would read another document (or an
/// empty object) as "no rules". The check walks the text once without allocating (every
/// value but `field`'s kind is skipped).
pub(crate) fn require_list(raw: Option<&RawValue>, field: &str, what: &str) -> Result<(), Error> {
    let mut de = serde_json::Deserializer::from_str(raw_text(raw));
    let shape = de::Deserializer::deserialize_any(&mut de, ShapeVisitor { field })
        .map_err(|e| decode(format!("unexpected {what} in the response: {e}")))?;
    match shape {
        Shape::Field("a list") => Ok(()),
        Shape::Field(kind) => Err(decode(format!(
            "unexpected {what} in the response: `{field}` is {kind}, not a list"
        ))),
        Shape::Missing => Err(decode(format!(
            "unexpected {what} in the response: an object without a `{field}` list"
        ))),
        Shape::NotObject(kind) => Err(decode(format!(
            "unexpected {what} in the response: {kind} without a `{field}` list"
        ))),
    }
}

/// What [`require_list`] found: the kind of `field`, or why there is none.
enum Shape {
    Field(&'static str),
    Missing,
    NotObject(&'static str),
}

struct ShapeVisitor<'f> {
    field: &'f str,
}

/// Visits any JSON value and names its kind, skipping its content.
struct KindVisitor;

macro_rules! scalar_kinds {
    ($wrap:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($wrap("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($wrap("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($wrap("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrap("a string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($wrap("null"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($wrap("a list"))
        }
    };
}

impl<'de> Visitor<'de> for KindVisitor {
    type Value = &'static str;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    scalar_kinds!(|k| k);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok("an object")
    }
}

impl<'de> DeserializeSeed<'de> for KindVisitor {
    type Value = &'static str;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Deserializes an object key as "is it `field`?", without allocating for it.
struct KeyIs<'f>(&'f str);

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for ShapeVisitor<'_> {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    scalar_kinds!(Shape::NotObject);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        // The last occurrence counts, as it did when the result was a `serde_json::Value`.
        let mut found = Shape::Missing;
        while let Some(is_field) = map.next_key_seed(KeyIs(self.field))? {
            if is_field {
                found = Shape::Field(map.next_value_seed(KindVisitor)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
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
    fn exact_uint_takes_whole_floats_up_to_the_limit_and_nothing_else() {
        // Whole floats are integers, at every boundary.
        assert_eq!(exact_uint(&num("0.0"), 10), Ok(0));
        assert_eq!(exact_uint(&num("10.0"), 10), Ok(10));
        assert_eq!(exact_uint(&num("3600.0"), 86_400), Ok(3600));
        // One above the limit, as an integer or as a float, is refused.
        assert!(
            exact_uint(&num("11"), 10)
                .unwrap_err()
                .contains("larger than 10")
        );
        assert!(
            exact_uint(&num("11.0"), 10)
                .unwrap_err()
                .contains("larger than 10")
        );
        assert!(
            exact_uint(&num("1e300"), u64::MAX)
                .unwrap_err()
                .contains("larger")
        );
        // 2^64 itself does not fit, even against u64::MAX.
        assert!(exact_uint(&num("18446744073709551616.0"), u64::MAX).is_err());
        // Negative zero is zero; other negatives and fractions are refused.
        assert_eq!(exact_uint(&num("-0.0"), 10), Ok(0));
        assert!(exact_uint(&num("-1"), 10).unwrap_err().contains("negative"));
        assert!(
            exact_uint(&num("-1.5"), 10)
                .unwrap_err()
                .contains("negative")
        );
        assert!(exact_uint(&num("1.5"), 10).unwrap_err().contains("whole"));
    }

    fn shape(json: &str) -> Result<(), String> {
        let raw: Option<Box<RawValue>> = serde_json::from_str(json).unwrap();
        require_list(raw.as_deref(), "rules", "CORS policy").map_err(|e| e.message().to_owned())
    }

    #[test]
    fn the_one_pass_list_decode_answers_what_the_two_checked_passes_answer() {
        let docs = [
            r#"{"rules": [{"allowed": {"origins": ["*"], "methods": ["GET"]}}]}"#,
            r#"  {"rules": []}"#,
            r#"{"rul\u0065s": [], "other": {"rules": 1}}"#,
            "{}",
            r#"{"rules": null}"#,
            r#"{"rules": {}}"#,
            r#"{"rules": [], "rules": []}"#,
            r#"{"rules": [{"allowed": 3}]}"#,
            // A struct also reads from an array; the result must be an object.
            r#"[[{"allowed": {"origins": ["*"], "methods": ["GET"]}}]]"#,
            "[]",
            "null",
            r#""rules""#,
        ];
        let mut one_pass_taken = 0;
        for doc in docs {
            let raw: Option<Box<RawValue>> = serde_json::from_str(doc).unwrap();
            let raw = raw.as_deref();
            let one: Result<super::cors::WireCors, Error> =
                from_raw_list(raw, "rules", "CORS policy");
            let two: Result<super::cors::WireCors, Error> =
                require_list(raw, "rules", "CORS policy")
                    .and_then(|()| from_raw(raw, "CORS policy"));
            match (one, two) {
                (Ok(a), Ok(b)) => {
                    one_pass_taken += 1;
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{doc}");
                }
                (Err(a), Err(b)) => assert_eq!(a.message(), b.message(), "{doc}"),
                (a, b) => panic!("{doc}: one pass {a:?}, two passes {b:?}"),
            }
        }
        assert_eq!(one_pass_taken, 3);
    }

    #[test]
    fn require_list_names_what_the_result_holds() {
        assert_eq!(shape(r#"{"rules": []}"#), Ok(()));
        assert_eq!(
            shape(r#"{"a": {"rules": 1}, "rules": [{"x": [1, {"y": null}]}], "b": "c"}"#),
            Ok(())
        );
        let err = |json| shape(json).unwrap_err();
        assert!(err(r#"{"rules": "none"}"#).ends_with("`rules` is a string, not a list"));
        assert!(err(r#"{"rules": null}"#).ends_with("`rules` is null, not a list"));
        assert!(err(r#"{"rules": {}}"#).ends_with("`rules` is an object, not a list"));
        assert!(err(r#"{"rules": 3.5}"#).ends_with("`rules` is a number, not a list"));
        assert!(err(r#"{"rules": [], "rules": true}"#).ends_with("is a boolean, not a list"));
        assert!(err("{}").ends_with("an object without a `rules` list"));
        assert!(err(r#"{"buckets": []}"#).ends_with("an object without a `rules` list"));
        assert!(err("null").ends_with("null without a `rules` list"));
        assert!(err("[]").ends_with("a list without a `rules` list"));
        assert!(err(r#""x""#).ends_with("a string without a `rules` list"));
        // An escaped key is still the field.
        assert_eq!(shape(r#"{"rul\u0065s": []}"#), Ok(()));
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
