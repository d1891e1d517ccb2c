//! The one word split every generated name starts from: an action's, a parameter's or a schema's name
//! cut at each character that is not an ASCII letter or digit. Each adapter then guards the result by
//! its own rules (GraphQL's reserved `__`, proto's leading digit).

/// The words of `name`: its runs of ASCII letters and digits (`say_hello` -> `say`, `hello`).
pub fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
}

/// `name`'s words, each with its first letter upper-cased (`say_hello` -> `SayHello`, `sayHello` ->
/// `SayHello`, `Page<Item>` -> `PageItem`); empty when `name` has no letter or digit.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in words(name) {
        push_capitalized(&mut out, word);
    }
    out
}

/// Appends `word` with its first letter upper-cased.
pub fn push_capitalized(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.push(first.to_ascii_uppercase());
        out.push_str(chars.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits() {
        assert_eq!(words("say_hello").collect::<Vec<_>>(), ["say", "hello"]);
        assert_eq!(pascal_case("number_stats"), "NumberStats");
        assert_eq!(pascal_case("sayHello"), "SayHello");
        assert_eq!(pascal_case("Page<Item>"), "PageItem");
        assert_eq!(pascal_case("__"), "");
    }
}
