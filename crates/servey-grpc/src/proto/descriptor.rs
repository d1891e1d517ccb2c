//! The descriptors of a [`ProtoFile`], as protoc would compile its text: what the server decodes and
//! encodes messages with, and what reflection hands to clients.

use prost_types::field_descriptor_proto::{Label as ProtoLabel, Type};
use prost_types::{
    DescriptorProto, FieldDescriptorProto, FileDescriptorProto, MessageOptions,
    MethodDescriptorProto, OneofDescriptorProto, ServiceDescriptorProto,
};

use super::{Field, FieldType, Label, Message, ProtoFile};

impl ProtoFile {
    /// The file's descriptor.
    pub(crate) fn descriptor(&self) -> FileDescriptorProto {
        FileDescriptorProto {
            name: Some(self.file_name()),
            package: Some(self.package.clone()),
            dependency: self
                .imports
                .iter()
                .map(|import| (*import).to_owned())
                .collect(),
            message_type: self
                .messages
                .iter()
                .map(|item| message(item, &self.package))
                .collect(),
            service: vec![ServiceDescriptorProto {
                name: Some(self.service.clone()),
                method: self
                    .methods
                    .iter()
                    .map(|method| MethodDescriptorProto {
                        name: Some(method.name.clone()),
                        input_type: Some(method.input.clone()),
                        output_type: Some(method.output.clone()),
                        server_streaming: Some(method.is_streaming()),
                        client_streaming: Some(false),
                        ..MethodDescriptorProto::default()
                    })
                    .collect(),
                ..ServiceDescriptorProto::default()
            }],
            syntax: Some("proto3".to_owned()),
            ..FileDescriptorProto::default()
        }
    }
}

fn message(message: &Message, package: &str) -> DescriptorProto {
    let owner = format!(".{package}.{}", message.name);
    let mut descriptor = DescriptorProto {
        name: Some(message.name.clone()),
        ..DescriptorProto::default()
    };
    for field in &message.fields {
        let mut proto = FieldDescriptorProto {
            name: Some(field.name.clone()),
            number: Some(field.number),
            json_name: Some(field.json_name.clone()),
            label: Some(ProtoLabel::Optional as i32),
            ..FieldDescriptorProto::default()
        };
        set_type(&mut proto, &field.ty);
        match field.label {
            Label::Singular => {}
            Label::Repeated => proto.label = Some(ProtoLabel::Repeated as i32),
            Label::Optional => {
                // proto3 `optional`: a synthetic oneof of its own, as protoc makes.
                let index = i32::try_from(descriptor.oneof_decl.len()).unwrap_or(i32::MAX);
                descriptor.oneof_decl.push(OneofDescriptorProto {
                    name: Some(format!("_{}", field.name)),
                    options: None,
                });
                proto.oneof_index = Some(index);
                proto.proto3_optional = Some(true);
            }
            Label::Map => {
                let entry = map_entry(field);
                proto.label = Some(ProtoLabel::Repeated as i32);
                proto.r#type = Some(Type::Message as i32);
                proto.type_name = Some(format!("{owner}.{}", entry.name()));
                descriptor.nested_type.push(entry);
            }
        }
        descriptor.field.push(proto);
    }
    descriptor
}

/// The nested `<Field>Entry` message of a map field: `key` and `value`.
fn map_entry(field: &Field) -> DescriptorProto {
    let mut value = FieldDescriptorProto {
        name: Some("value".to_owned()),
        number: Some(2),
        json_name: Some("value".to_owned()),
        label: Some(ProtoLabel::Optional as i32),
        ..FieldDescriptorProto::default()
    };
    set_type(&mut value, &field.ty);
    DescriptorProto {
        name: Some(format!("{}Entry", super::pascal_case(&field.name))),
        field: vec![
            FieldDescriptorProto {
                name: Some("key".to_owned()),
                number: Some(1),
                json_name: Some("key".to_owned()),
                label: Some(ProtoLabel::Optional as i32),
                r#type: Some(Type::String as i32),
                ..FieldDescriptorProto::default()
            },
            value,
        ],
        options: Some(MessageOptions {
            map_entry: Some(true),
            ..MessageOptions::default()
        }),
        ..DescriptorProto::default()
    }
}

fn set_type(proto: &mut FieldDescriptorProto, ty: &FieldType) {
    let kind = match ty {
        FieldType::Double => Type::Double,
        FieldType::Int32 => Type::Int32,
        FieldType::Int64 => Type::Int64,
        FieldType::Uint32 => Type::Uint32,
        FieldType::Uint64 => Type::Uint64,
        FieldType::Bool => Type::Bool,
        FieldType::String => Type::String,
        FieldType::Message(name) => {
            proto.type_name = Some(name.clone());
            Type::Message
        }
    };
    proto.r#type = Some(kind as i32);
}
