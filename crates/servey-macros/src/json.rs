//! Checks that example tokens are JSON (as `serde_json::json!` will read them), so a typo is reported on
//! the user's own tokens with a message that says what was expected.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::Error;

/// Checks one JSON value written inline.
pub(crate) fn check_value(tokens: &TokenStream) -> Result<(), Error> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut position = 0;
    value(&trees, &mut position, tokens)?;
    match trees.get(position) {
        None => Ok(()),
        Some(extra) => Err(Error::new(
            extra.span(),
            "unexpected token after the JSON value; separate examples' keys with `,`",
        )),
    }
}

fn value(trees: &[TokenTree], position: &mut usize, whole: &TokenStream) -> Result<(), Error> {
    let Some(tree) = trees.get(*position) else {
        return Err(Error::new_spanned(
            whole,
            "expected a JSON value (an object `{..}`, an array `[..]`, a string, a number, true, false or null)",
        ));
    };
    *position += 1;
    match tree {
        TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => object(group.stream()),
        TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => array(group.stream()),
        TokenTree::Literal(literal) => {
            let text = literal.to_string();
            let is_json = text.starts_with('"') || text.parse::<f64>().is_ok();
            if is_json {
                Ok(())
            } else {
                Err(Error::new(
                    literal.span(),
                    format!(
                        "`{text}` is not JSON; write strings in double quotes and numbers without suffixes"
                    ),
                ))
            }
        }
        TokenTree::Punct(punct) if punct.as_char() == '-' => match trees.get(*position) {
            Some(TokenTree::Literal(_)) => {
                *position += 1;
                Ok(())
            }
            _ => Err(Error::new(punct.span(), "expected a number after `-`")),
        },
        TokenTree::Ident(ident) if ident == "true" || ident == "false" || ident == "null" => Ok(()),
        other => Err(Error::new(
            other.span(),
            format!(
                "`{other}` is not JSON; expected an object `{{..}}`, an array `[..]`, a string, a number, true, false or null"
            ),
        )),
    }
}

fn object(stream: TokenStream) -> Result<(), Error> {
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    let mut position = 0;
    while position < trees.len() {
        match &trees[position] {
            TokenTree::Literal(key) if key.to_string().starts_with('"') => position += 1,
            other => {
                return Err(Error::new(
                    other.span(),
                    "expected a key in double quotes, like `\"name\": ..`",
                ));
            }
        }
        match trees.get(position) {
            Some(TokenTree::Punct(colon)) if colon.as_char() == ':' => position += 1,
            Some(other) => {
                return Err(Error::new(
                    other.span(),
                    "expected `:` between a key and its value",
                ));
            }
            None => {
                return Err(Error::new(
                    trees[position - 1].span(),
                    "expected `:` and a value after this key",
                ));
            }
        }
        value(&trees, &mut position, &stream)?;
        comma(&trees, &mut position)?;
    }
    Ok(())
}

fn array(stream: TokenStream) -> Result<(), Error> {
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    let mut position = 0;
    while position < trees.len() {
        value(&trees, &mut position, &stream)?;
        comma(&trees, &mut position)?;
    }
    Ok(())
}

fn comma(trees: &[TokenTree], position: &mut usize) -> Result<(), Error> {
    match trees.get(*position) {
        None => Ok(()),
        Some(TokenTree::Punct(punct)) if punct.as_char() == ',' => {
            *position += 1;
            Ok(())
        }
        Some(other) => Err(Error::new(other.span(), "expected `,` between JSON items")),
    }
}
