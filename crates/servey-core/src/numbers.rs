//! Whole numbers in input, read by the action's schema model before the parameters are decoded: a float
//! with no fraction (`1999.0`, what Python's `json.dumps` writes for a float) is an integer where the
//! schema says integer, as JSON Schema counts it; an integer outside its declared range (a `u64` above
//! `i64::MAX`, the most a documented `int64` holds) is a 422 naming the field. Decided here, so REST,
//! GraphQL and the CLI agree.

use serde_json::Number;

use crate::schema::IntegerType;

/// The fewest digits an integer beyond `i64` can have (`i64::MAX` has 19).
const BIG_INTEGER_DIGITS: usize = 19;

/// Whether JSON text may hold a number this module changes or refuses: a fraction or exponent right
/// after a digit, a run of digits too long for `i64`, or a negative number (which an unsigned-looking
/// range refuses). Most bodies have none and pass untouched.
pub(crate) fn may_need_conforming(text: &[u8]) -> bool {
    let mut digits = 0;
    let mut after_value_start = false;
    for &byte in text {
        if byte.is_ascii_digit() {
            digits += 1;
            if digits >= BIG_INTEGER_DIGITS {
                return true;
            }
        } else {
            if digits > 0 && matches!(byte, b'.' | b'e' | b'E') {
                return true;
            }
            if byte == b'-' && after_value_start {
                return true;
            }
            digits = 0;
        }
        if !byte.is_ascii_whitespace() {
            after_value_start = matches!(byte, b':' | b',' | b'[');
        }
    }
    false
}

/// Why a number is not an integer of its type.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotInteger {
    /// It has a fraction.
    Fraction,
    /// It is outside the type's range.
    OutOfRange {
        /// The least allowed.
        minimum: i128,
        /// The most allowed.
        maximum: i128,
    },
}

/// Turns a whole float into an integer and checks the range.
pub(crate) fn conform_integer(
    number: &mut Number,
    integer: &IntegerType,
) -> Result<(), NotInteger> {
    let (minimum, maximum) = range(integer);
    let out_of_range = NotInteger::OutOfRange { minimum, maximum };
    if let Some(float) = number.as_f64().filter(|_| number.is_f64()) {
        if float.fract() != 0.0 || !float.is_finite() {
            return Err(NotInteger::Fraction);
        }
        if float < minimum as f64 || float > maximum as f64 {
            return Err(out_of_range);
        }
        // In range of i128 now; `as` cannot lose a whole value this small.
        let whole = float as i128;
        *number = match (i64::try_from(whole), u64::try_from(whole)) {
            (Ok(signed), _) => Number::from(signed),
            (_, Ok(unsigned)) => Number::from(unsigned),
            _ => return Err(out_of_range),
        };
    }
    let value = number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
        .ok_or(NotInteger::Fraction)?;
    if value < minimum || value > maximum {
        return Err(out_of_range);
    }
    Ok(())
}

/// The range an integer type declares: its bounds, else its width's.
pub(crate) fn range(integer: &IntegerType) -> (i128, i128) {
    let (width_min, width_max) = match (integer.bits, integer.signed) {
        (Some(bits @ 8..=64), true) => (-(1_i128 << (bits - 1)), (1_i128 << (bits - 1)) - 1),
        (Some(bits @ 8..=64), false) => (0, (1_i128 << bits) - 1),
        (_, true) => (i128::MIN, i128::MAX),
        (_, false) => (0, i128::MAX),
    };
    let bound = |declared: Option<f64>, width: i128| {
        // A fractional bound rounds inward. The model keeps bounds as f64, which cannot hold i64's own
        // ends: 2^63 there is the `i64::MAX` an `int64` schema declares.
        declared.map_or(width, |declared| {
            (declared as i128).clamp(i64::MIN.into(), i64::MAX.into())
        })
    };
    (
        bound(integer.minimum.map(f64::ceil), width_min),
        bound(integer.maximum.map(f64::floor), width_max),
    )
}

/// Whether the integer's range is just a Rust type's (`u8`, `i32`, `u64` as `0..=i64::MAX`, ...), which
/// decoding enforces by itself, rather than narrower bounds the user declared.
pub(crate) fn is_width_range(integer: &IntegerType) -> bool {
    let (minimum, maximum) = range(integer);
    let signed = [8, 16, 32, 64].map(|bits| (-(1_i128 << (bits - 1)), (1_i128 << (bits - 1)) - 1));
    let unsigned = [8, 16, 32].map(|bits| (0, (1_i128 << bits) - 1));
    signed
        .into_iter()
        .chain(unsigned)
        .chain([(0, i128::from(i64::MAX))])
        .any(|width| width == (minimum, maximum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodies_with_fractions_exponents_or_long_digit_runs_are_looked_at() {
        assert!(!may_need_conforming(br#"{"price": 1999, "name": "v.e"}"#));
        assert!(may_need_conforming(br#"{"price": 1999.0}"#));
        assert!(may_need_conforming(br#"{"price": 2e3}"#));
        assert!(may_need_conforming(br#"{"price": 18446744073709551615}"#));
        assert!(!may_need_conforming(br#"{"price": 922337203685477580}"#));
        assert!(may_need_conforming(br#"{"offset": -1}"#));
        assert!(may_need_conforming(br#"{"at": [3, -1]}"#));
        assert!(!may_need_conforming(br#"{"day": "2026-12-07"}"#));
    }
}
