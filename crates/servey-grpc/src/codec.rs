//! tonic's codec over dynamic messages: each request decoded by its method's input descriptor, each
//! response encoded as it is.

use prost::Message as _;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use tonic::Status;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

/// Decodes messages of one type, encodes any dynamic message.
#[derive(Debug, Clone)]
pub(crate) struct DynamicCodec {
    input: MessageDescriptor,
}

impl DynamicCodec {
    /// A codec whose requests are `input` messages.
    pub(crate) fn new(input: MessageDescriptor) -> Self {
        Self { input }
    }
}

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DynamicDecoder(self.input.clone())
    }
}

/// Writes a dynamic message's wire form.
#[derive(Debug)]
pub(crate) struct DynamicEncoder;

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|error| Status::internal(format!("encoding the response failed: {error}")))
    }
}

/// Reads messages of one type.
#[derive(Debug)]
pub(crate) struct DynamicDecoder(MessageDescriptor);

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|error| {
                Status::invalid_argument(format!(
                    "the request is not a valid `{}` message: {error}",
                    self.0.full_name()
                ))
            })
    }
}
