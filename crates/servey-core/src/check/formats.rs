//! The string formats servey checks (`date`, `date-time`, `email`, `uri`, `uuid`), each by the shape
//! its standard gives, with no lookup (an email's domain is not resolved) and the message a caller reads.

/// The words for a value that is not in `format`, when servey checks that format and `text` is not in it.
pub(super) fn violation(format: &str, text: &str) -> Option<&'static str> {
    let (ok, message) = match format {
        "date" => (
            is_date(text),
            "must be a date as in RFC 3339, like `2026-12-07`",
        ),
        "date-time" => (
            is_date_time(text),
            "must be a date and time as in RFC 3339, like `2026-12-07T09:30:00Z`",
        ),
        "email" => (is_email(text), "must be an email address"),
        "uri" => (
            is_uri(text),
            "must be an absolute URI with a scheme, like `https://example.com/`",
        ),
        "uuid" => (
            is_uuid(text),
            "must be a UUID, like `123e4567-e89b-12d3-a456-426614174000`",
        ),
        _ => (true, ""),
    };
    (!ok).then_some(message)
}

/// `YYYY-MM-DD` naming a day that exists.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (
        digits(&bytes[0..4]),
        digits(&bytes[5..7]),
        digits(&bytes[8..10]),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339's `date-time`: a date, `T`, `hh:mm:ss`, an optional fraction, and `Z` or an offset.
fn is_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return false;
    };
    if !is_date(date) || time.len() < 9 {
        return false;
    }
    let (clock, rest) = time.split_at(8);
    let clock = clock.as_bytes();
    let in_range = |bytes: &[u8], most: u32| digits(bytes).is_some_and(|value| value <= most);
    if clock[2] != b':'
        || clock[5] != b':'
        || !in_range(&clock[0..2], 23)
        || !in_range(&clock[3..5], 59)
        || !in_range(&clock[6..8], 60)
    {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            &fraction[digits..]
        }
        None => rest,
    };
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', hours @ .., b':', m1, m2] if hours.len() == 2 => {
            in_range(hours, 23) && in_range(&[*m1, *m2], 59)
        }
        _ => false,
    }
}

/// `local@domain`: a local part without spaces, and a domain of dot-separated labels (letters, digits,
/// hyphens) or an address in brackets.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2
    } else {
        !domain.is_empty()
            && domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
    };
    local_ok && domain_ok
}

/// RFC 3986's absolute URI: a scheme, `:`, then only characters a URI may hold (`%` followed by two
/// hex digits).
fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let bytes = rest.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3);
            if !hex.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            index += 3;
            continue;
        }
        let allowed = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte);
        if !allowed {
            return false;
        }
        index += 1;
    }
    scheme_ok
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

/// The number `bytes` write in ASCII digits, if they are all digits.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0_u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_follow_rfc_3339() {
        for good in ["2026-12-07", "2024-02-29", "2000-02-29"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2026-13-01",
            "2023-02-29",
            "1900-02-29",
            "2026-1-07",
            "07-12-2026",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
        for good in [
            "2026-12-07T09:30:00Z",
            "2026-12-07t09:30:00.123456+01:00",
            "2016-12-31T23:59:60-05:30",
        ] {
            assert!(is_date_time(good), "{good}");
        }
        for bad in [
            "2026-12-07",
            "2026-12-07T24:00:00Z",
            "2026-12-07T09:30:00",
            "2026-12-07T09:30:00.Z",
            "2026-12-07 09:30:00Z",
            "2026-12-07T09:30:00+0100",
        ] {
            assert!(!is_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn emails_uris_and_uuids_have_their_shape() {
        assert!(is_email("jake@jake.jake"));
        assert!(is_email("x@[127.0.0.1]"));
        for bad in [
            "jake",
            "@jake.jake",
            "jake@",
            "ja ke@x.y",
            "jake@x..y",
            "jake@-x.y",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_uri("https://example.com/a?b=c#d"));
        assert!(is_uri("urn:isbn:0451450523"));
        for bad in [
            "example.com",
            "/relative",
            "https://exa mple.com",
            "1http://x",
            "http://%zz",
        ] {
            assert!(!is_uri(bad), "{bad}");
        }
        assert!(is_uuid("123e4567-E89B-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567e89b12d3a456426614174000"));
        assert_eq!(violation("password", "anything"), None);
        assert!(violation("email", "nope").is_some());
    }
}
