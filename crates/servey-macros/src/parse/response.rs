//! The response keys: `status = 201` (the status of a success) and `headers = ["Location"]` (the
//! headers a `Reply` result sets). That `headers` needs a `Reply` result is checked in `parse/mod.rs`.

use syn::Error;
use syn::meta::ParseNestedMeta;

use super::Errors;
use super::attribute::Arguments;
use super::keys;

/// `status = 201`: the status of a success.
pub(super) fn status(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    _: &mut Errors,
) -> syn::Result<()> {
    let input = keys::expect_eq(meta, "status = 201")?;
    let literal = input.parse::<syn::LitInt>().map_err(|error| {
        Error::new(error.span(), "expected a status code: write `status = 201`")
    })?;
    match literal.base10_parse::<u16>() {
        Ok(status) if (200..=299).contains(&status) => {
            args.status = Some(status);
            Ok(())
        }
        _ => Err(Error::new(
            literal.span(),
            "a success status is 2xx; errors get their status from `ActionError`",
        )),
    }
}

/// `headers = ["Location"]`: the response headers the result sets, for the documentation.
pub(super) fn headers(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    let names = keys::strings(meta, "headers = [\"Location\"]")?;
    let mut valid = Vec::new();
    for name in names {
        let value = name.value();
        if is_header_name(&value) {
            valid.push(value);
        } else {
            errors.push(Error::new(
                name.span(),
                format!("`{value}` is not a header name: use letters, digits and `-`, like \"Location\" or \"X-Request-Id\""),
            ));
        }
    }
    args.headers = Some((valid, meta.path.segments[0].ident.span()));
    Ok(())
}

/// An HTTP field name: one or more token characters (RFC 9110).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_tokens() {
        assert!(is_header_name("Location") && is_header_name("X-Request-Id"));
        for bad in ["", "Content Type", "X:Y", "Ünicode", "a\"b"] {
            assert!(!is_header_name(bad), "{bad:?}");
        }
    }
}
