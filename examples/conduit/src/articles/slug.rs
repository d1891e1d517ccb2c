//! Slugs: the URL name of an article, made from its title and unique among articles. A title whose slug
//! is taken gets the first free numbered one: `dragons`, `dragons-2`, `dragons-3`, ...

use std::collections::HashSet;

use sqlx::SqliteConnection;

/// The slug of a title when there is no letter or digit in it to make one from.
const FALLBACK: &str = "article";

/// The title lowercased, each run of other characters than letters and digits made one `-`.
pub(super) fn slugify(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        FALLBACK.to_owned()
    } else {
        slug.to_owned()
    }
}

/// The first of `base`, `base-2`, `base-3`, ... that no article other than `except` has.
pub(super) async fn unique(
    conn: &mut SqliteConnection,
    base: &str,
    except: Option<i64>,
) -> Result<String, sqlx::Error> {
    let taken: HashSet<String> = sqlx::query_scalar(
        "SELECT slug FROM articles WHERE (slug = ?1 OR slug LIKE ?1 || '-%') AND id IS NOT ?2",
    )
    .bind(base)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    if !taken.contains(base) {
        return Ok(base.to_owned());
    }
    // At most `taken.len()` numbered slugs are taken, so one of the first `taken.len() + 1` is free.
    let free = (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("an unbounded range has a slug that is not taken");
    Ok(free)
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugify_lowercases_and_joins_words_with_dashes() {
        assert_eq!(
            slugify("How to train your dragon"),
            "how-to-train-your-dragon"
        );
        assert_eq!(slugify("  Rust: 2024, édition!  "), "rust-2024-édition");
        assert_eq!(slugify("?!"), "article");
    }
}
