//! Body formats: JSON, and MessagePack (`application/msgpack`) as its compact twin. Which one a request
//! body is in, and which one the caller wants back, are decided here once for every transport. Without
//! the `msgpack` feature a MessagePack body is `415` and a caller that accepts only MessagePack `406`,
//! each naming the feature.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ActionError, ErrorCode};

/// The media type of MessagePack bodies.
pub const MSGPACK_CONTENT_TYPE: &str = "application/msgpack";

/// The media types read as MessagePack (the registered one and the two in common use before it).
const MSGPACK_ESSENCES: [&str; 3] = [
    "application/msgpack",
    "application/x-msgpack",
    "application/vnd.msgpack",
];

/// How a body is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// JSON (`application/json`).
    #[default]
    Json,
    /// MessagePack (`application/msgpack`), maps keyed by field name.
    MessagePack,
}

impl BodyFormat {
    /// The media type a body in this format is sent with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::MessagePack => MSGPACK_CONTENT_TYPE,
        }
    }

    /// The format of a request body sent with `content_type`: JSON (`application/json` or any
    /// `application/*+json`) or MessagePack; anything else, or no type, is `415`.
    pub fn of_request(content_type: Option<&str>) -> Result<Self, ActionError> {
        if content_type.is_some_and(|value| MSGPACK_ESSENCES.contains(&essence(value).as_str())) {
            if !crate::features::HAS_MSGPACK {
                return Err(msgpack_off(ErrorCode::UnsupportedMediaType, "read"));
            }
            return Ok(Self::MessagePack);
        }
        crate::input::check_json_media_type(content_type).map(|()| Self::Json)
    }

    /// The format of the answer a caller asks for with `accept`: MessagePack when its first known media
    /// type is a MessagePack one, JSON otherwise (also with no `Accept` at all). Without the `msgpack`
    /// feature, an `Accept` that names MessagePack and neither JSON nor a wildcard is refused: the
    /// detail of a `406`.
    pub fn of_answer(accept: Option<&str>) -> Result<Self, NotAcceptable> {
        let Some(accept) = accept else {
            return Ok(Self::Json);
        };
        let mut asks_msgpack = false;
        for range in accept.split(',') {
            let essence = essence(range);
            if MSGPACK_ESSENCES.contains(&essence.as_str()) && !is_refused(range) {
                if crate::features::HAS_MSGPACK {
                    return Ok(Self::MessagePack);
                }
                asks_msgpack = true;
            }
            if essence == "application/json"
                || essence.ends_with("+json")
                || essence == "*/*"
                || essence == "application/*"
            {
                return Ok(Self::Json);
            }
        }
        if asks_msgpack {
            return Err(NotAcceptable(
                msgpack_off(ErrorCode::Internal, "write")
                    .detail()
                    .to_owned(),
            ));
        }
        Ok(Self::Json)
    }

    /// `value` encoded in this format.
    pub fn encode<T: Serialize + ?Sized>(self, value: &T) -> Result<Vec<u8>, ActionError> {
        match self {
            Self::Json => Ok(serde_json::to_vec(value)?),
            #[cfg(feature = "msgpack")]
            Self::MessagePack => rmp_serde::to_vec_named(value).map_err(ActionError::internal),
            #[cfg(not(feature = "msgpack"))]
            Self::MessagePack => Err(msgpack_off(ErrorCode::Internal, "write")),
        }
    }

    /// A `T` decoded from `bytes` in this format; a body that is not well-formed is malformed input.
    pub fn decode<T: DeserializeOwned>(self, bytes: &[u8]) -> Result<T, ActionError> {
        match self {
            Self::Json => serde_json::from_slice(bytes).map_err(|error| {
                malformed(format!(
                    "The body is not valid JSON for its schema: {error}."
                ))
            }),
            #[cfg(feature = "msgpack")]
            Self::MessagePack => decode_msgpack(bytes),
            #[cfg(not(feature = "msgpack"))]
            Self::MessagePack => Err(msgpack_off(ErrorCode::UnsupportedMediaType, "read")),
        }
    }

    /// A MessagePack body as the JSON value an action's input is read from.
    pub fn decode_value(self, bytes: &[u8]) -> Result<Value, ActionError> {
        self.decode(bytes)
    }
}

/// A caller accepts only a format this build cannot write: the detail of its `406`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAcceptable(pub String);

/// The error of a MessagePack body this build cannot `read` or `write`, naming the feature.
#[cfg_attr(feature = "msgpack", allow(dead_code))]
fn msgpack_off(code: ErrorCode, verb: &str) -> ActionError {
    ActionError::new(
        code,
        format!(
            "This server cannot {verb} MessagePack (`{MSGPACK_CONTENT_TYPE}`): servey's `msgpack` cargo feature is off; use JSON (`application/json`)."
        ),
    )
}

/// A media range's type without parameters, in lower case.
fn essence(range: &str) -> String {
    range
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether a media range says `q=0` (not acceptable).
fn is_refused(range: &str) -> bool {
    range.split(';').skip(1).any(|parameter| {
        parameter
            .trim()
            .strip_prefix("q=")
            .and_then(|q| q.trim().parse::<f32>().ok())
            .is_some_and(|q| q <= 0.0)
    })
}

/// How deep arrays and maps may nest in a MessagePack body: serde_json's recursion limit, so a body
/// nests as deep in either format (127 levels pass, the 128th is refused). Without a bound a small body
/// nested some hundreds deep overflows the stack of the task decoding it.
#[cfg(feature = "msgpack")]
const MSGPACK_MAX_DEPTH: usize = 128;

/// A `T` decoded from the whole of `bytes`, nesting at most [`MSGPACK_MAX_DEPTH`] deep. rmp-serde 1.3
/// counts depth at each array, map and extension, which bounds `Value` and every struct and sequence;
/// the one thing it does not count is an externally tagged enum's variant, so a recursive enum read
/// straight from MessagePack would still need its own bound (none is read that way: action inputs go
/// through `Value`, jobs are structs).
#[cfg(feature = "msgpack")]
fn decode_msgpack<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ActionError> {
    let mut reader = std::io::Cursor::new(bytes);
    let mut deserializer = rmp_serde::Deserializer::new(&mut reader);
    deserializer.set_max_depth(MSGPACK_MAX_DEPTH);
    let value = T::deserialize(&mut deserializer).map_err(|error| {
        malformed(match error {
            rmp_serde::decode::Error::DepthLimitExceeded => format!(
                "The MessagePack body nests arrays and maps deeper than {} levels.",
                MSGPACK_MAX_DEPTH - 1
            ),
            error => format!("The body is not valid MessagePack for its schema: {error}."),
        })
    })?;
    let trailing = bytes.len() as u64 - reader.position();
    if trailing > 0 {
        return Err(malformed(format!(
            "The body holds {trailing} more bytes after its MessagePack value."
        )));
    }
    Ok(value)
}

fn malformed(detail: String) -> ActionError {
    ActionError::new(ErrorCode::MalformedInput, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "msgpack")]
    fn request_bodies_are_json_or_msgpack_and_nothing_else() {
        assert_eq!(
            BodyFormat::of_request(Some("application/msgpack")).expect("known"),
            BodyFormat::MessagePack
        );
        assert_eq!(
            BodyFormat::of_request(Some("Application/X-MsgPack; charset=binary")).expect("known"),
            BodyFormat::MessagePack
        );
        assert_eq!(
            BodyFormat::of_request(Some("application/json")).expect("known"),
            BodyFormat::Json
        );
        let refused = BodyFormat::of_request(Some("text/plain")).expect_err("unknown");
        assert_eq!(refused.status(), 415);
    }

    #[test]
    #[cfg(feature = "msgpack")]
    fn the_first_known_accepted_type_decides_the_answer() {
        let answer = |accept| BodyFormat::of_answer(accept).expect("acceptable");
        assert_eq!(answer(None), BodyFormat::Json);
        assert_eq!(answer(Some("application/msgpack")), BodyFormat::MessagePack);
        assert_eq!(
            answer(Some("text/html, application/json, application/msgpack")),
            BodyFormat::Json
        );
        assert_eq!(
            answer(Some("application/msgpack;q=0, */*")),
            BodyFormat::Json
        );
    }

    #[test]
    #[cfg(feature = "msgpack")]
    fn values_round_trip_through_msgpack_with_field_names() {
        let value =
            serde_json::json!({"name": "ann", "items": [1, -2, 3.5], "nested": {"ok": true}});
        let bytes = BodyFormat::MessagePack.encode(&value).expect("encodes");
        assert_eq!(
            BodyFormat::MessagePack
                .decode_value(&bytes)
                .expect("decodes"),
            value
        );
        let broken = BodyFormat::MessagePack
            .decode_value(&[0xc1])
            .expect_err("0xc1 is never used");
        assert_eq!(broken.code_str(), "malformed_input");
    }

    /// `depth` arrays, each holding the next, around `0`.
    #[cfg(feature = "msgpack")]
    fn nested_msgpack(depth: usize) -> Vec<u8> {
        let mut bytes = vec![0x91; depth];
        bytes.push(0x00);
        bytes
    }

    #[test]
    #[cfg(feature = "msgpack")]
    fn msgpack_nests_as_deep_as_json_and_no_deeper() {
        let json = |depth: usize| format!("{}0{}", "[".repeat(depth), "]".repeat(depth));
        let decode = |format: BodyFormat, bytes: &[u8]| format.decode_value(bytes).map(|_| ());
        assert!(decode(BodyFormat::Json, json(127).as_bytes()).is_ok());
        assert!(decode(BodyFormat::MessagePack, &nested_msgpack(127)).is_ok());
        assert!(decode(BodyFormat::Json, json(128).as_bytes()).is_err());
        let refused = decode(BodyFormat::MessagePack, &nested_msgpack(128)).expect_err("too deep");
        assert_eq!(
            (refused.status(), refused.code_str(), refused.detail()),
            (
                422,
                "malformed_input",
                "The MessagePack body nests arrays and maps deeper than 127 levels."
            )
        );
        let typed = BodyFormat::MessagePack
            .decode::<Vec<Value>>(&nested_msgpack(625))
            .expect_err("typed decodes are bounded too");
        assert_eq!(typed.code_str(), "malformed_input");
    }

    #[test]
    #[cfg(feature = "msgpack")]
    fn bytes_after_a_msgpack_value_are_refused() {
        let mut bytes = BodyFormat::MessagePack
            .encode(&serde_json::json!({"a": 1}))
            .expect("encodes");
        bytes.extend([0x01, 0x02]);
        let refused = BodyFormat::MessagePack
            .decode_value(&bytes)
            .expect_err("trailing bytes");
        assert_eq!(
            (refused.status(), refused.detail()),
            (
                422,
                "The body holds 2 more bytes after its MessagePack value."
            )
        );
    }

    #[test]
    #[cfg(not(feature = "msgpack"))]
    fn without_the_feature_msgpack_is_415_and_406_naming_it() {
        let detail = |verb: &str| {
            format!(
                "This server cannot {verb} MessagePack (`application/msgpack`): servey's `msgpack` cargo feature is off; use JSON (`application/json`)."
            )
        };
        let refused = BodyFormat::of_request(Some("application/msgpack")).expect_err("off");
        assert_eq!(
            (refused.status(), refused.detail()),
            (415, detail("read").as_str())
        );
        assert_eq!(
            BodyFormat::of_answer(Some("application/x-msgpack")),
            Err(NotAcceptable(detail("write")))
        );
        assert_eq!(
            BodyFormat::of_answer(Some("application/msgpack, */*;q=0.1")),
            Ok(BodyFormat::Json)
        );
        let encoded = BodyFormat::MessagePack.encode(&1).expect_err("off");
        assert_eq!(encoded.detail(), detail("write"));
    }
}
