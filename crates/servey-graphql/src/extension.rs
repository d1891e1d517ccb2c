//! servey's one async-graphql extension: the document cache's validation step, the depth and complexity
//! limits, the answer's size bound, a request slot for an operation sent over a websocket, and the
//! action spans of fields. One extension rather than one per concern, because async-graphql wraps every
//! field of every request in every extension's `resolve` (a boxed future each).

use std::any::TypeId;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextResolve, NextSubscribe, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{
    QueryPathSegment, Request, Response, ServerError, ServerResult, ValidationResult, Value,
    Variables,
};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use servey_core::{RequestSlot, RequestSlots};
use tracing::Instrument;

use crate::answer::{AnswerBudget, bound_errors, json_bytes};
use crate::cost::Costs;
use crate::document::selected_operation;
use crate::documents::Documents;
use crate::limits::GraphqlLimits;
use crate::subscription::EventIds;
use crate::trace::ActionSpans;

/// What the extension of every request of one schema shares.
pub(crate) struct ServeyExtension {
    pub(crate) documents: Documents,
    pub(crate) limits: GraphqlLimits,
    pub(crate) spans: ActionSpans,
    pub(crate) costs: Arc<Costs>,
    /// The output object types: a field of one of them is counted by its own fields as they resolve.
    pub(crate) objects: Arc<HashSet<String>>,
}

/// The cost of a request, when servey computed it before handing the request to async-graphql.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cost(pub(crate) usize);

/// The app's request slots, in the data of a websocket connection: each of its queries and mutations
/// holds one while it runs (an HTTP request holds its own in the web envelope).
#[derive(Debug, Clone)]
pub(crate) struct SocketSlots(pub(crate) RequestSlots);

impl ServeyExtension {
    /// The factory async-graphql calls for every request: each request's extension shares this one
    /// instance (one reference count to raise, rather than one per cache and table it holds).
    pub(crate) fn shared(self) -> SharedExtension {
        SharedExtension(Arc::new(self))
    }
}

/// [`ServeyExtension`] as the schema's extension factory.
pub(crate) struct SharedExtension(Arc<ServeyExtension>);

impl ExtensionFactory for SharedExtension {
    fn create(&self) -> Arc<dyn Extension> {
        let limits = &self.0.limits;
        Arc::new(PerRequest {
            shared: self.0.clone(),
            state: Arc::new(State {
                operation_name: OnceLock::new(),
                answer: OnceLock::new(),
                max_depth: AtomicUsize::new(limits.max_depth),
                cost: AtomicUsize::new(0),
                is_subscription: AtomicBool::new(false),
                slot: Mutex::new(None),
                event_ids: EventIds::default(),
            }),
        })
    }
}

/// The extension of one request.
struct PerRequest {
    shared: Arc<ServeyExtension>,
    state: Arc<State>,
}

/// What one request's extension learns as the request goes through async-graphql.
struct State {
    operation_name: OnceLock<Option<String>>,
    /// The batch's budget when the request is one operation of a batch, else its own.
    answer: OnceLock<AnswerBudget>,
    /// The depth its document is allowed, known once it is parsed.
    max_depth: AtomicUsize,
    cost: AtomicUsize,
    /// Whether the operation is a subscription: its events are not counted against the answer's size.
    is_subscription: AtomicBool,
    /// The websocket operation's request slot, held until the request ends.
    slot: Mutex<Option<RequestSlot>>,
    /// The ids of a subscription's events, in the order its responses go out.
    event_ids: EventIds,
}

impl State {
    fn answer(&self, limits: &GraphqlLimits) -> &AnswerBudget {
        self.answer
            .get_or_init(|| AnswerBudget::new(limits.max_response_bytes))
    }
}

#[async_trait::async_trait]
impl Extension for PerRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let _ = self
            .state
            .operation_name
            .set(request.operation_name.clone());
        let shared = request
            .data
            .get(&TypeId::of::<AnswerBudget>())
            .and_then(|budget| budget.downcast_ref::<AnswerBudget>());
        if let Some(budget) = shared {
            let _ = self.state.answer.set(budget.clone());
        }
        let request = request.data(self.state.event_ids.clone());
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let state = &self.state;
        let operation_name = state.operation_name.get().and_then(Option::as_deref);
        state.max_depth.store(
            self.shared.limits.max_depth_of(&document),
            Ordering::Relaxed,
        );
        let cost = match ctx.data_opt::<Cost>() {
            Some(Cost(cost)) => *cost,
            None => {
                self.shared
                    .costs
                    .of_operation(&document, operation_name, variables)
                    .cost
            }
        };
        state.cost.store(cost, Ordering::Relaxed);
        let is_subscription = selected_operation(&document, operation_name)
            .is_some_and(|operation| operation.node.ty == OperationType::Subscription);
        state
            .is_subscription
            .store(is_subscription, Ordering::Relaxed);
        // A subscription waits for events rather than works: it holds no slot.
        if let Some(SocketSlots(slots)) = ctx.data_opt::<SocketSlots>()
            && !is_subscription
        {
            let slot = slots.try_acquire().ok_or_else(busy)?;
            *state.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(slot);
        }
        Ok(document)
    }

    /// The cached or fresh validation, then the limits, so that they apply to a cached one too.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = self
            .shared
            .documents
            .validate(ctx, next)
            .await
            .map_err(bound_errors)?;
        self.shared.limits.check(
            result,
            self.state.max_depth.load(Ordering::Relaxed),
            self.state.cost.load(Ordering::Relaxed),
        )
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        self.state.answer(&self.shared.limits).finish(response)
    }

    /// A websocket operation's responses, bounded as [`execute`](Self::execute) bounds one over HTTP
    /// (async-graphql runs those without `execute`), each event's with its id in `extensions.eventId`.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let state = self.state.clone();
        let limits = self.shared.limits;
        let stream = stream.map(move |mut response| {
            if let Some(id) = state.event_ids.next_response() {
                response
                    .extensions
                    .insert("eventId".to_owned(), Value::from(id));
            }
            state.answer(&limits).finish(response)
        });
        next.run(ctx, stream.boxed())
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // A disabled span when the field is not an action's or no subscriber records them: entering
        // it does nothing.
        let span = self.shared.spans.span_of(ctx, &info);
        if self.state.is_subscription.load(Ordering::Relaxed) {
            return next.run(ctx, info).instrument(span).await;
        }
        let answer = self.state.answer(&self.shared.limits);
        if answer.is_spent() {
            return Err(answer.too_large());
        }
        // An item of a list adds a comma, a field its key; an object or a list adds its braces or
        // brackets, its fields and items counting themselves as they resolve.
        let prefix = match info.path_node.segment {
            QueryPathSegment::Index(_) => 1,
            QueryPathSegment::Name(_) => info.alias.unwrap_or(info.name).len() + 4,
        };
        let return_type = info.return_type;
        let value = next.run(ctx, info).instrument(span).await?;
        let bytes = prefix
            + match &value {
                None => 4,
                Some(_) if return_type.starts_with('[') => 2,
                Some(Value::Object(_))
                    if self
                        .shared
                        .objects
                        .contains(return_type.trim_end_matches('!')) =>
                {
                    2
                }
                Some(value) => json_bytes(value),
            };
        if answer.spend(bytes) {
            Ok(value)
        } else {
            Err(answer.too_large())
        }
    }
}

/// The error of a websocket operation refused because every request slot is held.
fn busy() -> ServerError {
    let mut error = ServerError::new(
        "The server is busy: too many requests are in flight. Retry later.",
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "SERVICE_UNAVAILABLE");
    error.extensions = Some(extensions);
    error
}
