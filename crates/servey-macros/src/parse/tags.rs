//! The `tags = ["shop", "admin"]` key: the groups an action is listed under in the OpenAPI document
//! (Swagger UI's sections, generated clients' modules). Without it, core uses the module's name.

use std::collections::BTreeSet;

use syn::Error;
use syn::meta::ParseNestedMeta;

use super::Errors;
use super::attribute::Arguments;
use super::keys;

/// `tags = ["shop"]`: non-empty strings, each once.
pub(super) fn tags(
    meta: &ParseNestedMeta<'_>,
    args: &mut Arguments,
    errors: &mut Errors,
) -> syn::Result<()> {
    let literals = keys::strings(meta, "tags = [\"shop\"]")?;
    let mut seen = BTreeSet::new();
    for literal in literals {
        let tag = literal.value();
        if tag.trim().is_empty() {
            errors.push(Error::new(
                literal.span(),
                "a tag cannot be empty: name the group, like \"shop\"",
            ));
        } else if !seen.insert(tag.clone()) {
            errors.push(Error::new(
                literal.span(),
                format!("the tag \"{tag}\" is listed twice; list each tag once"),
            ));
        } else {
            args.tags.push(tag);
        }
    }
    Ok(())
}
