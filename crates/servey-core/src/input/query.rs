//! Input from a simple query string (each key once, each a scalar parameter), decoded straight into the
//! action's parameters: each value's text is read as the type the parameter asks for, with no JSON
//! written and parsed in between. Anything the direct reading does not take (a value of the wrong
//! type, a parameter that asks for "any" value) goes the general way instead: the adapter's own JSON
//! object for the query, so answers and errors are those of that object, whichever way succeeded.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::value::{BorrowedStrDeserializer, CowStrDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

/// The JSON object an adapter makes of a query string (its rules for each parameter's type).
pub type QueryToJson = Arc<dyn Fn(&str) -> Vec<u8> + Send + Sync>;

/// A simple query string and how its adapter makes it a JSON object.
#[derive(Clone)]
pub(crate) struct QueryText {
    pub(crate) text: Box<str>,
    pub(crate) to_json: QueryToJson,
}

impl fmt::Debug for QueryText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("QueryText").field(&self.text).finish()
    }
}

impl QueryText {
    /// The query as its JSON object's bytes.
    pub(crate) fn json(&self) -> Vec<u8> {
        (self.to_json)(&self.text)
    }

    /// Whether a value may be a number written with a fraction or an exponent (which the invoke path
    /// turns into an integer where one is declared): only then is the input walked before decoding.
    pub(crate) fn may_need_conforming(&self) -> bool {
        self.text.contains(['.', 'e', 'E'])
    }
}

/// The decoded `key=value` pairs of a query string, as `application/x-www-form-urlencoded` reads them:
/// split at `&`, empty pairs skipped, a key without `=` given an empty value; a part without `+` or `%`
/// is borrowed as it is.
pub fn query_pairs(query: &str) -> QueryPairs<'_> {
    QueryPairs { rest: query }
}

/// The pairs of a query string still to read (see [`query_pairs`]).
#[derive(Debug, Clone)]
pub struct QueryPairs<'a> {
    rest: &'a str,
}

impl<'a> Iterator for QueryPairs<'a> {
    type Item = (Cow<'a, str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            // One pass over the pair: where it ends, where its `=` is, and which side needs decoding.
            // Split at ASCII bytes, so every piece is whole UTF-8.
            let bytes = self.rest.as_bytes();
            let (mut end, mut equals, mut escaped) = (bytes.len(), None, [false; 2]);
            for (at, &byte) in bytes.iter().enumerate() {
                match byte {
                    b'&' => {
                        end = at;
                        break;
                    }
                    b'=' if equals.is_none() => equals = Some(at),
                    b'+' | b'%' => escaped[usize::from(equals.is_some())] = true,
                    _ => {}
                }
            }
            let pair = &self.rest[..end];
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match equals {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, ""),
            };
            return Some((decoded(key, escaped[0]), decoded(value, escaped[1])));
        }
    }
}

/// One part of a pair, `+` as a space and percent-escapes decoded (invalid UTF-8 replaced) when it
/// has any (`escaped`).
fn decoded(part: &str, escaped: bool) -> Cow<'_, str> {
    if !escaped {
        return Cow::Borrowed(part);
    }
    let spaced = part.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// Why the direct reading stops: the general way takes over (never shown to anyone).
#[derive(Debug)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("read by the general way")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

/// The query string as a map of its keys to their values' texts.
pub(crate) struct QueryDeserializer<'a>(pub(crate) &'a str);

impl<'de> de::Deserializer<'de> for QueryDeserializer<'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_map(Pairs {
            pairs: query_pairs(self.0),
            value: None,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The pairs, handed out as map entries.
struct Pairs<'a> {
    pairs: QueryPairs<'a>,
    value: Option<Cow<'a, str>>,
}

impl<'de> MapAccess<'de> for Pairs<'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Declined> {
        let Some((key, value)) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(CowStrDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Declined> {
        let value = self.value.take().ok_or(Declined)?;
        seed.deserialize(Text(value))
    }
}

/// One value's text, read as the type asked for: the same readings as the adapter's JSON object for
/// a scalar parameter (integers as Rust parses them, finite floats, `true`/`1`/`false`/`0` in any case).
struct Text<'a>(Cow<'a, str>);

impl Text<'_> {
    fn integer<T: TryFrom<i64> + TryFrom<u64>>(&self) -> Result<T, Declined> {
        match self.0.parse::<i64>() {
            Ok(n) => T::try_from(n).map_err(|_| Declined),
            Err(_) => {
                T::try_from(self.0.parse::<u64>().map_err(|_| Declined)?).map_err(|_| Declined)
            }
        }
    }

    fn float(&self) -> Result<f64, Declined> {
        let value = match self.0.parse::<i64>() {
            // As the JSON object holds it: an integer, which a float parameter takes as it is.
            #[allow(clippy::cast_precision_loss)]
            Ok(n) => n as f64,
            Err(_) => match self.0.parse::<u64>() {
                #[allow(clippy::cast_precision_loss)]
                Ok(n) => n as f64,
                Err(_) => self.0.parse::<f64>().map_err(|_| Declined)?,
            },
        };
        if value.is_finite() {
            Ok(value)
        } else {
            Err(Declined)
        }
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $ty:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
            visitor.$visit(self.integer::<$ty>()?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Text<'de> {
    type Error = Declined;

    /// A parameter that takes any value: its type is the schema's to tell, which the general way reads.
    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Declined> {
        Err(Declined)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        let text = self.0.as_ref();
        if text.eq_ignore_ascii_case("true") || text == "1" {
            visitor.visit_bool(true)
        } else if text.eq_ignore_ascii_case("false") || text == "0" {
            visitor.visit_bool(false)
        } else {
            Err(Declined)
        }
    }

    integers! {
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_f64(self.float()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        match self.0 {
            Cow::Borrowed(text) => visitor.visit_borrowed_str(text),
            Cow::Owned(text) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    /// A key that is present has a value (a scalar parameter's JSON is never `null`).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Declined> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant by its name, as a JSON string names it.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Declined> {
        match self.0 {
            Cow::Borrowed(text) => visitor.visit_enum(BorrowedStrDeserializer::new(text)),
            Cow::Owned(text) => visitor.visit_enum(text.into_deserializer()),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Declined> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Color {
        Red,
        DarkBlue,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Params {
        name: String,
        count: Option<u32>,
        ratio: Option<f64>,
        flag: Option<bool>,
        color: Option<Color>,
    }

    fn read(query: &str) -> Result<Params, Declined> {
        Params::deserialize(QueryDeserializer(query))
    }

    #[test]
    fn each_value_is_read_as_its_parameter_asks() {
        assert_eq!(
            read("name=Ada+L%C3%B6w&count=%2B7&ratio=2&flag=TRUE&color=dark_blue").expect("read"),
            Params {
                name: "Ada Löw".into(),
                count: Some(7),
                ratio: Some(2.0),
                flag: Some(true),
                color: Some(Color::DarkBlue),
            }
        );
        assert_eq!(read("name=&flag=0").expect("read").flag, Some(false));
        assert_eq!(
            read("name=x&color=red").expect("read").color,
            Some(Color::Red)
        );
    }

    #[test]
    fn what_does_not_fit_is_declined() {
        for query in [
            "count=1",
            "name=a&count=1.0",
            "name=a&count=-1",
            "name=a&count=4294967296",
            "name=a&ratio=inf",
            "name=a&flag=yes",
            "name=a&color=green",
            "name=a&name=b",
        ] {
            assert!(read(query).is_err(), "{query}");
        }
    }

    #[test]
    fn pairs_split_and_decode() {
        let pairs: Vec<_> = query_pairs("a=1&&b&c=x%26y&d=a+b&e+f=g&h=i=j%3D&=k&l%")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let expected = [
            ("a", "1"),
            ("b", ""),
            ("c", "x&y"),
            ("d", "a b"),
            ("e f", "g"),
            ("h", "i=j="),
            ("", "k"),
            ("l%", ""),
        ];
        assert_eq!(
            pairs,
            expected.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec()
        );
    }
}
