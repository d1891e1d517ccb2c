//! Reads the schema model into a [`ProtoFile`]: a method per served action and channel, with a request
//! message per action, the result's own message or a response holding it, and each channel's event
//! message (the types of their fields: `types.rs`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use servey_core::Registry;
use servey_core::event::SubscribableChannel;
use servey_core::schema::{TypeKind, TypeModel};
use servey_core::trigger::Trigger;

use super::naming::pascal_case;
use super::{
    FieldType, Label, Message, Method, ProtoFile, Reply, STRUCT, TIMESTAMP, Target, VALUE,
    components, is_map,
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

pub(super) struct Reader {
    package: String,
    components: BTreeMap<String, TypeModel>,
    /// Every message so far, by name (the file lists them in name order).
    messages: BTreeMap<String, Message>,
    /// The message made of each object component, by component name.
    pub(super) component_messages: HashMap<String, String>,
    imports: BTreeSet<&'static str>,
}

impl Reader {
    pub(super) fn full_name(&self, message: &str) -> String {
        format!(".{}.{}", self.package, message)
    }

    /// Adds `message`; another message of its name is a clash. Returns its full name.
    pub(super) fn add(&mut self, message: Message) -> Result<String, GrpcError> {
        let full = self.full_name(&message.name);
        if self.messages.contains_key(&message.name) {
            return Err(GrpcError::NameClash { name: message.name });
        }
        self.messages.insert(message.name.clone(), message);
        Ok(full)
    }

    pub(super) fn well_known(&mut self, name: &'static str) -> FieldType {
        self.imports.insert(match name {
            TIMESTAMP => "google/protobuf/timestamp.proto",
            _ => "google/protobuf/struct.proto",
        });
        FieldType::Message(name.to_owned())
    }

    /// `ty` with named links followed, and the component name it came from (the last one).
    pub(super) fn resolve<'a>(&'a self, mut ty: &'a TypeModel) -> (&'a TypeModel, Option<&'a str>) {
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
}
