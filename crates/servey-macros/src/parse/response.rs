//! The response keys: `status = 201` (the status of a success), `headers = ["Location"]` (the
//! headers a `Reply` result sets) and `errors = [404, 409]` (the error statuses the action answers
//! besides the ones servey documents itself). That `headers` needs a `Reply` result is checked in
//! `parse/mod.rs`.

use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Error, LitInt, Token};

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

/// `errors = [404, 409]`: the error statuses the action's own errors answer with, for the documentation.
pub(super) fn errors(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    const FORM: &str = "errors = [404, 409]";
    let input = keys::expect_eq(meta, FORM)?;
    let expected = |span| {
        Error::new(
            span,
            format!("expected a list of status codes: write `{FORM}`"),
        )
    };
    if !input.peek(syn::token::Bracket) {
        return Err(expected(input.span()));
    }
    let list;
    syn::bracketed!(list in input);
    let statuses = match Punctuated::<LitInt, Token![,]>::parse_terminated(&list) {
        Ok(statuses) => statuses,
        Err(error) => {
            // The rest is consumed so that syn does not report it again as "unexpected token".
            let _ = list.parse::<proc_macro2::TokenStream>();
            return Err(expected(error.span()));
        }
    };
    for literal in statuses {
        match literal.base10_parse::<u16>() {
            Ok(status) if (400..=599).contains(&status) => args.errors.push(status),
            _ => errors.push(Error::new(
                literal.span(),
                "an error status is 4xx or 5xx; the success status is `status = ..`",
            )),
        }
    }
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
