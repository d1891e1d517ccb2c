//! What `#[action]`'s typed calls (`say_hello::call(&client, ..)`) are made of. The bounds name the
//! client's type so that an action whose types cannot travel (no `Serialize` on an input, no
//! `Deserialize` on the result) still compiles, and only a typed call of it fails, at the call.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::ClientError;

/// What a typed call can be made through: a [`Client`], or anything that holds one.
pub trait Caller {
    /// The client to call with.
    fn client(&self) -> &Client;
}

impl Caller for Client {
    fn client(&self) -> &Client {
        self
    }
}

/// `T` as a typed call of a client of type `C` carries it.
pub struct Typed<C: ?Sized, T>(PhantomData<fn(&C) -> T>);

/// A parameter a typed call sends: serializable.
pub trait Encode {
    /// The parameter's type.
    type Value;
    /// The parameter as JSON.
    fn encode(value: &Self::Value) -> Result<Value, ClientError>;
}

impl<C: ?Sized, T: Serialize> Encode for Typed<C, T> {
    type Value = T;

    fn encode(value: &T) -> Result<Value, ClientError> {
        serde_json::to_value(value).map_err(|error| ClientError::Input(error.to_string()))
    }
}

/// A result a typed call reads: deserializable.
pub trait Decode {
    /// The result's type.
    type Value;
    /// The result read from JSON.
    fn decode(value: Value) -> Result<Self::Value, ClientError>;
}

impl<C: ?Sized, T: DeserializeOwned> Decode for Typed<C, T> {
    type Value = T;

    fn decode(value: Value) -> Result<T, ClientError> {
        serde_json::from_value(value).map_err(ClientError::answer)
    }
}

/// Calls `action` with the encoded `input` object through `caller`.
pub async fn call<C: Caller + ?Sized>(
    caller: &C,
    action: &str,
    input: Map<String, Value>,
    is_idempotent: bool,
) -> Result<Value, ClientError> {
    caller
        .client()
        .call_value(action, Value::Object(input), is_idempotent)
        .await
}
