//! Reads the schema model into a [`ProtoFile`]: a message per object component, per request and per
//! wrapped result; JSON's shapes to proto's (`optional` for keys that may be absent or `null`,
//! `repeated`, `map<string, T>`, `Timestamp` for `date-time`, `Value` where proto has no shape: any
//! JSON, lists of lists, lists holding `null`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use servey_core::Registry;
use servey_core::event::SubscribableChannel;
use servey_core::schema::{ObjectType, TypeKind, TypeModel};
use servey_core::trigger::Trigger;

use super::naming::{field_name, message_name, pascal_case};
use super::{
    FieldType, Label, Message, Method, ProtoFile, Reply, STRUCT, TIMESTAMP, Target, VALUE,
    components, is_map, is_timestamp,
};
use crate::GrpcError;

/// How many named links are followed before a type counts as any JSON (a reference cycle).
const MAX_LINKS: usize = 16;

pub(super) fn read(
    registry: &Registry,
    channels: &[SubscribableChannel],
    package: &str,
    service: &str,
) -> Result<ProtoFile, GrpcError> {
    let served: Vec<_> = registry
        .top_level()
        .filter(|action| {
            action
                .triggers
                .iter()
                .any(|trigger| matches!(trigger, Trigger::Web { .. }))
        })
        .collect();
    let models = served
        .iter()
        .map(|action| (action.schema.model(), format!("action `{}`", action.name)))
        .chain(channels.iter().map(|channel| {
            (
                channel.schema.model(),
                format!("channel `{}`", channel.name),
            )
        }));
    let mut reader = Reader {
        package: package.to_owned(),
        components: components(models)?,
        messages: BTreeMap::new(),
        component_messages: HashMap::new(),
        imports: BTreeSet::new(),
    };
    let mut methods = Vec::new();
    for action in served {
        let name = pascal_case(&action.name);
        let model = action.schema.model();
        let input = reader.request(&name, &model.input)?;
        let (output, reply) = reader.response(&name, &model.output)?;
        methods.push(Method {
            name,
            target: Target::Action(action.name.clone()),
            input,
            output,
            reply,
            description: doc(&action.summary, &action.description),
        });
    }
    for channel in channels {
        let name = format!("Subscribe{}", pascal_case(channel.name));
        let model = channel.schema.model();
        let input = reader.subscribe_request(&name, &model.input)?;
        let event = format!("{}Event", pascal_case(channel.name));
        let event_ty = reader.field(&event, "event", &model.output, true)?;
        let output = reader.add(Message {
            name: event.clone(),
            description: Some(format!(
                "One event of the `{}` channel, with its id (to resume after it with `since`).",
                channel.name
            )),
            fields: vec![
                super::Field {
                    name: "id".to_owned(),
                    json_name: "id".to_owned(),
                    number: 1,
                    ty: FieldType::Uint64,
                    label: Label::Singular,
                    description: Some("The event's id, increasing per channel.".to_owned()),
                },
                super::Field {
                    name: "event".to_owned(),
                    json_name: "event".to_owned(),
                    number: 2,
                    ty: event_ty.0,
                    label: event_ty.1,
                    description: channel.description.clone(),
                },
            ],
        })?;
        methods.push(Method {
            name,
            target: Target::Channel(channel.name.to_owned()),
            input,
            output,
            reply: Reply::Wrapped,
            description: channel.description.clone(),
        });
    }
    let mut seen = BTreeSet::new();
    for method in &methods {
        if !seen.insert(method.name.as_str()) {
            return Err(GrpcError::NameClash {
                name: method.name.clone(),
            });
        }
    }
    Ok(ProtoFile {
        package: package.to_owned(),
        service: service.to_owned(),
        messages: reader.messages.into_values().collect(),
        methods,
        imports: reader.imports,
    })
}

/// The summary and description of a doc comment as one text, if any.
fn doc(summary: &str, description: &str) -> Option<String> {
    let text = [summary, description]
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}

struct Reader {
    package: String,
    components: BTreeMap<String, TypeModel>,
    /// Every message so far, by name (the file lists them in name order).
    messages: BTreeMap<String, Message>,
    /// The message made of each object component, by component name.
    component_messages: HashMap<String, String>,
    imports: BTreeSet<&'static str>,
}

impl Reader {
    fn full_name(&self, message: &str) -> String {
        format!(".{}.{}", self.package, message)
    }

    /// Adds `message`; another message of its name is a clash. Returns its full name.
    fn add(&mut self, message: Message) -> Result<String, GrpcError> {
        let full = self.full_name(&message.name);
        if self.messages.contains_key(&message.name) {
            return Err(GrpcError::NameClash { name: message.name });
        }
        self.messages.insert(message.name.clone(), message);
        Ok(full)
    }

    fn well_known(&mut self, name: &'static str) -> FieldType {
        self.imports.insert(match name {
            TIMESTAMP => "google/protobuf/timestamp.proto",
            _ => "google/protobuf/struct.proto",
        });
        FieldType::Message(name.to_owned())
    }

    /// `ty` with named links followed, and the component name it came from (the last one).
    fn resolve<'a>(&'a self, mut ty: &'a TypeModel) -> (&'a TypeModel, Option<&'a str>) {
        let mut component = None;
        for _ in 0..MAX_LINKS {
            match &ty.kind {
                TypeKind::Named { name } => match self.components.get(name) {
                    Some(target) => {
                        component = Some(name.as_str());
                        ty = target;
                    }
                    None => return (ty, None),
                },
                _ => return (ty, component),
            }
        }
        (ty, None)
    }

    /// An action's request message: one field per input key (any JSON object as `Struct` when the
    /// action declares none).
    fn request(&mut self, method: &str, input: &TypeModel) -> Result<String, GrpcError> {
        let (resolved, _) = self.resolve(input);
        let object = match &resolved.kind {
            TypeKind::Object(object) if !is_map(object) || object.additional.is_none() => {
                object.clone()
            }
            _ => {
                self.well_known(STRUCT);
                return Ok(STRUCT.to_owned());
            }
        };
        let name = format!("{method}Request");
        let fields = self.fields(&name, &object)?;
        self.add(Message {
            name,
            description: None,
            fields,
        })
    }

    /// A channel's subscribe request: its subscription parameters, then `since`.
    fn subscribe_request(&mut self, method: &str, params: &TypeModel) -> Result<String, GrpcError> {
        let (resolved, _) = self.resolve(params);
        let object = resolved.as_object().cloned().unwrap_or_default();
        let name = format!("{method}Request");
        let mut fields = self.fields(&name, &object)?;
        if fields.iter().any(|field| field.json_name == "since") {
            return Err(GrpcError::NameClash {
                name: format!("{name}.since"),
            });
        }
        let number = i32::try_from(fields.len() + 1).unwrap_or(i32::MAX);
        fields.push(super::Field {
            name: "since".to_owned(),
            json_name: "since".to_owned(),
            number,
            ty: FieldType::Uint64,
            label: Label::Optional,
            description: Some(
                "Resume after this event id: the kept events after it come first.".to_owned(),
            ),
        });
        self.add(Message {
            name,
            description: None,
            fields,
        })
    }

    /// An action's response: its result's own message when it is an object (or any JSON, as `Value`),
    /// else a `<Method>Response` whose `result` holds it.
    fn response(&mut self, method: &str, output: &TypeModel) -> Result<(String, Reply), GrpcError> {
        let (resolved, _) = self.resolve(output);
        let direct = match &resolved.kind {
            TypeKind::Any => Some(self.well_known(VALUE)),
            TypeKind::Object(object)
                if !output.nullable && !resolved.nullable && !is_map(object) =>
            {
                Some(self.field(method, "result", output, true)?.0)
            }
            _ => None,
        };
        if let Some(FieldType::Message(name)) = direct {
            return Ok((name, Reply::Direct));
        }
        let name = format!("{method}Response");
        let (ty, label) = self.field(&name, "result", output, true)?;
        let message = self.add(Message {
            name,
            description: None,
            fields: vec![super::Field {
                name: "result".to_owned(),
                json_name: "result".to_owned(),
                number: 1,
                ty,
                label,
                description: output.description.clone(),
            }],
        })?;
        Ok((message, Reply::Wrapped))
    }

    fn fields(&mut self, owner: &str, object: &ObjectType) -> Result<Vec<super::Field>, GrpcError> {
        let mut fields = Vec::with_capacity(object.properties.len());
        let mut names = BTreeSet::new();
        for (index, property) in object.properties.iter().enumerate() {
            let name = field_name(&property.name);
            if !names.insert(name.clone()) {
                return Err(GrpcError::NameClash {
                    name: format!("{owner}.{name}"),
                });
            }
            let (ty, label) = self.field(owner, &property.name, &property.ty, property.required)?;
            fields.push(super::Field {
                name,
                json_name: property.name.clone(),
                number: i32::try_from(index + 1).unwrap_or(i32::MAX),
                ty,
                label,
                description: property.ty.description.clone(),
            });
        }
        Ok(fields)
    }

    /// The type and label of the JSON key `key` of `owner` holding `ty`.
    fn field(
        &mut self,
        owner: &str,
        key: &str,
        ty: &TypeModel,
        required: bool,
    ) -> Result<(FieldType, Label), GrpcError> {
        let (resolved, _) = self.resolve(ty);
        let resolved = resolved.clone();
        let nullable = ty.nullable || resolved.nullable;
        match &resolved.kind {
            TypeKind::List { items } => {
                let (item, item_component) = self.resolve(items);
                let item = item.clone();
                let item_component = item_component.map(str::to_owned);
                if items.nullable || item.nullable || is_container(&item) {
                    return Ok((self.well_known(VALUE), Label::Repeated));
                }
                let ty = self.element(owner, key, &item, item_component.as_deref())?;
                Ok((ty, Label::Repeated))
            }
            TypeKind::Map { values } => self.map(owner, key, values),
            TypeKind::Object(object) if is_map(object) && object.additional.is_some() => {
                let values = object
                    .additional
                    .as_deref()
                    .cloned()
                    .unwrap_or_else(TypeModel::any);
                self.map(owner, key, &values)
            }
            _ => {
                let component = self.resolve(ty).1.map(str::to_owned);
                let element = self.element(owner, key, &resolved, component.as_deref())?;
                let label = if matches!(element, FieldType::Message(_)) || required && !nullable {
                    Label::Singular
                } else {
                    Label::Optional
                };
                Ok((element, label))
            }
        }
    }

    fn map(
        &mut self,
        owner: &str,
        key: &str,
        values: &TypeModel,
    ) -> Result<(FieldType, Label), GrpcError> {
        let (value, component) = self.resolve(values);
        let value = value.clone();
        let component = component.map(str::to_owned);
        if values.nullable || value.nullable || is_container(&value) {
            return Ok((self.well_known(VALUE), Label::Map));
        }
        Ok((
            self.element(owner, key, &value, component.as_deref())?,
            Label::Map,
        ))
    }

    /// The type of one value of `ty` (already resolved; `component` is the name it came from).
    fn element(
        &mut self,
        owner: &str,
        key: &str,
        ty: &TypeModel,
        component: Option<&str>,
    ) -> Result<FieldType, GrpcError> {
        Ok(match &ty.kind {
            TypeKind::Any
            | TypeKind::Named { .. }
            | TypeKind::List { .. }
            | TypeKind::Map { .. } => self.well_known(VALUE),
            TypeKind::String if is_timestamp(ty) => self.well_known(TIMESTAMP),
            TypeKind::String | TypeKind::Enum { .. } => FieldType::String,
            TypeKind::Boolean => FieldType::Bool,
            TypeKind::Number => FieldType::Double,
            TypeKind::Integer(integer) => match (integer.signed, integer.bits) {
                (true, Some(bits)) if bits <= 32 => FieldType::Int32,
                (true, _) => FieldType::Int64,
                (false, Some(bits)) if bits <= 32 => FieldType::Uint32,
                (false, _) => FieldType::Uint64,
            },
            TypeKind::Object(object) if is_map(object) => self.well_known(STRUCT),
            TypeKind::Object(object) => match component {
                Some(component) => self.component_message(component, ty, object)?,
                None => {
                    let name = format!("{owner}{}", pascal_case(key));
                    let fields = self.fields(&name, object)?;
                    FieldType::Message(self.add(Message {
                        name,
                        description: ty.description.clone(),
                        fields,
                    })?)
                }
            },
        })
    }

    /// The message of the object component `component`, made on first use.
    fn component_message(
        &mut self,
        component: &str,
        ty: &TypeModel,
        object: &ObjectType,
    ) -> Result<FieldType, GrpcError> {
        if let Some(name) = self.component_messages.get(component) {
            return Ok(FieldType::Message(name.clone()));
        }
        let name = message_name(component);
        let full = self.full_name(&name);
        // Registered before its fields are read, so that a type holding itself ends.
        self.component_messages
            .insert(component.to_owned(), full.clone());
        let fields = self.fields(&name, object)?;
        self.add(Message {
            name,
            description: ty.description.clone(),
            fields,
        })?;
        Ok(FieldType::Message(full))
    }
}

/// Whether values of `ty` are lists or maps (which proto cannot nest in a list or map).
fn is_container(ty: &TypeModel) -> bool {
    match &ty.kind {
        TypeKind::List { .. } | TypeKind::Map { .. } | TypeKind::Any => true,
        TypeKind::Object(object) => is_map(object),
        _ => false,
    }
}
