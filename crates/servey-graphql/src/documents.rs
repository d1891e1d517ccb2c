//! The app's bounded cache of parsed and validated GraphQL documents, so that a repeated query skips
//! parsing and validation. Documents are keyed by their text; a validation is keyed by the text, the
//! operation name and, when the document declares variables, their values (async-graphql checks the
//! values of variables against the arguments they fill). Only successful validations are kept: a bad
//! query is checked, and refused, every time it is sent. Each entry weighs what it keeps in memory: a
//! document its text and syntax tree, a validation its key's text (which outlives the document's entry)
//! and variables. A document is kept from the second time its text is sent (see [`Doorkeeper`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use async_graphql::extensions::{ExtensionContext, NextValidation};
use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerError, ValidationResult};
use moka::sync::Cache;

use crate::cost::Costed;
use crate::document::{tree_bytes, unknown_variable_type};
use crate::doorkeeper::Doorkeeper;

/// One app's document cache, shared by its `/graphql` endpoint and its schema's validation step.
#[derive(Clone)]
pub(crate) struct Documents {
    parsed: Option<Cache<Arc<str>, Arc<Parsed>>>,
    validated: Option<Cache<ValidationKey, ValidationResult>>,
    /// Which texts were sent before: only those are kept.
    doorkeeper: Option<Arc<Doorkeeper>>,
    counts: Arc<Counts>,
}

/// A parsed document and what servey's own checks found in it, computed once per text.
pub(crate) struct Parsed {
    /// The text it was parsed from.
    pub(crate) query: Arc<str>,
    /// The syntax tree.
    pub(crate) document: ExecutableDocument,
    /// Why it cannot run (a variable of a type the schema does not define), if it cannot.
    pub(crate) refusal: Option<String>,
    /// Whether an operation declares variables (their values then take part in validation).
    declares_variables: bool,
    /// Whether the cache keeps it (and then its validations).
    kept: bool,
    /// About how many bytes this holds when kept: the text and the syntax tree (0 when not kept).
    held_bytes: usize,
    /// The cost of the first operation name asked for, when it reads no variable's value.
    fixed_cost: OnceLock<(Option<String>, usize)>,
}

impl Parsed {
    /// The cost of the operation `operation_name` picks: remembered, or from `compute` (and then
    /// remembered when it reads no variable, for the first operation name asked for).
    pub(crate) fn cost(
        &self,
        operation_name: Option<&str>,
        compute: impl FnOnce(&ExecutableDocument) -> Costed,
    ) -> usize {
        if let Some((name, cost)) = self.fixed_cost.get()
            && name.as_deref() == operation_name
        {
            return *cost;
        }
        let costed = compute(&self.document);
        if !costed.reads_variables {
            let _ = self
                .fixed_cost
                .set((operation_name.map(str::to_owned), costed.cost));
        }
        costed.cost
    }
}

/// What one validation depends on besides the schema.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ValidationKey {
    query: Arc<str>,
    operation_name: Option<String>,
    variables: Option<String>,
}

/// How often documents were parsed and validated: what the cache saved is what these do not count.
#[derive(Debug, Default)]
struct Counts {
    parses: AtomicU64,
    validations: AtomicU64,
}

/// Counts of the work the document cache of one app's `/graphql` endpoint did not save.
#[derive(Clone, Debug)]
pub struct DocumentStats(Arc<Counts>);

impl DocumentStats {
    /// How many documents servey has parsed since the router was built.
    pub fn parses(&self) -> u64 {
        self.0.parses.load(Ordering::Relaxed)
    }

    /// How many times async-graphql's validation has run since the router was built.
    pub fn validations(&self) -> u64 {
        self.0.validations.load(Ordering::Relaxed)
    }
}

impl Documents {
    /// A cache holding up to `capacity` documents and as many validations; 0 keeps none.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            parsed: bounded(capacity, |_, parsed: &Arc<Parsed>| parsed.held_bytes),
            validated: bounded(capacity, |key: &ValidationKey, _| {
                size_of::<ValidationKey>()
                    + key.query.len()
                    + key.operation_name.as_ref().map_or(0, String::len)
                    + key.variables.as_ref().map_or(0, String::len)
            }),
            doorkeeper: (capacity > 0).then(|| Arc::new(Doorkeeper::new(capacity))),
            counts: Arc::default(),
        }
    }

    /// The counters of this cache.
    pub(crate) fn stats(&self) -> DocumentStats {
        DocumentStats(self.counts.clone())
    }

    /// The parsed `query`, from the cache or parsed now; a syntax error as async-graphql reports it.
    /// A text parsed now is kept when it was sent before, or at once when `keep` (a persisted query,
    /// whose hash is then stored to be sent again).
    pub(crate) fn parse(
        &self,
        query: &str,
        type_names: &HashSet<String>,
        keep: bool,
    ) -> Result<Arc<Parsed>, ServerError> {
        if let Some(parsed) = self.parsed.as_ref().and_then(|cache| cache.get(query)) {
            return Ok(parsed);
        }
        self.counts.parses.fetch_add(1, Ordering::Relaxed);
        let document = parse_query(query)?;
        let refusal = unknown_variable_type(&document, type_names).map(|(variable, ty)| {
            format!(
                "The variable `${variable}` has the type `{ty}`, which the schema does not define."
            )
        });
        let declares_variables = document
            .operations
            .iter()
            .any(|(_, operation)| !operation.node.variable_definitions.is_empty());
        let kept = self
            .doorkeeper
            .as_ref()
            .is_some_and(|doorkeeper| doorkeeper.seen_before(query) || keep);
        // Weighed only to be kept.
        let held_bytes = if kept {
            size_of::<Parsed>()
                + query.len()
                + tree_bytes(&document)
                + refusal.as_ref().map_or(0, String::len)
        } else {
            0
        };
        let parsed = Arc::new(Parsed {
            query: Arc::from(query),
            document,
            refusal,
            declares_variables,
            kept,
            held_bytes,
            fixed_cost: OnceLock::new(),
        });
        if let Some(cache) = self.parsed.as_ref().filter(|_| kept) {
            cache.insert(parsed.query.clone(), parsed.clone());
        }
        Ok(parsed)
    }

    /// `request` carrying its parsed document, and the key under which its validation is kept.
    pub(crate) fn attach(
        &self,
        parsed: Arc<Parsed>,
        mut request: async_graphql::Request,
    ) -> async_graphql::Request {
        // A document the cache does not keep has no validation kept either.
        let key = self
            .validated
            .as_ref()
            .filter(|_| parsed.kept)
            .and_then(|_| {
                let variables = if parsed.declares_variables {
                    // Not serializable: not keyed, so validated as if there were no cache.
                    Some(serde_json::to_string(&request.variables).ok()?)
                } else {
                    None
                };
                Some(ValidationKey {
                    query: parsed.query.clone(),
                    operation_name: request.operation_name.clone(),
                    variables,
                })
            });
        // async-graphql takes the document by value; one the cache does not hold is moved, not copied.
        let document = Arc::try_unwrap(parsed)
            .map_or_else(|shared| shared.document.clone(), |owned| owned.document);
        request.set_parsed_query(document);
        match key {
            Some(key) => request.data(key),
            None => request,
        }
    }

    /// The validation of the request in `ctx`, answered from the cache when [`attach`](Self::attach)
    /// prepared it and it is there, else run by `next` and kept when it succeeds.
    pub(crate) async fn validate(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let cached = ctx.data_opt::<ValidationKey>().zip(self.validated.as_ref());
        if let Some((key, cache)) = cached
            && let Some(result) = cache.get(key)
        {
            return Ok(result);
        }
        self.counts.validations.fetch_add(1, Ordering::Relaxed);
        let result = next.run(ctx).await?;
        if let Some((key, cache)) = cached {
            cache.insert(key.clone(), result);
        }
        Ok(result)
    }
}

/// The bytes one entry may hold and still weigh as one.
const ENTRY_BYTES: usize = 2048;

/// A cache of up to `capacity` entries of at most [`ENTRY_BYTES`] (`bytes_of` an entry: what it keeps
/// in memory); a larger entry weighs as many as it fills, so that the cache holds at most `capacity`
/// times [`ENTRY_BYTES`] whatever it is sent. `None` when `capacity` is 0.
pub(crate) fn bounded<K, V>(
    capacity: usize,
    bytes_of: impl Fn(&K, &V) -> usize + Send + Sync + 'static,
) -> Option<Cache<K, V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let weight = move |key: &K, value: &V| {
        u32::try_from(bytes_of(key, value).div_ceil(ENTRY_BYTES).max(1)).unwrap_or(u32::MAX)
    };
    let capacity = u64::try_from(capacity).unwrap_or(u64::MAX);
    (capacity > 0).then(|| {
        Cache::builder()
            .max_capacity(capacity)
            .weigher(weight)
            .build()
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::types::Selection;

    use super::*;

    #[test]
    fn a_long_query_weighs_as_many_entries_as_it_fills() {
        let documents = Documents::new(2);
        let long = format!("{{ a {} }}", "b ".repeat(3 * ENTRY_BYTES));
        for _ in 0..3 {
            documents
                .parse(&long, &HashSet::new(), false)
                .expect("parses");
            if let Some(cache) = &documents.parsed {
                cache.run_pending_tasks();
            }
        }
        assert_eq!(documents.stats().parses(), 3, "too heavy to keep");
        for _ in 0..3 {
            documents
                .parse("{ a }", &HashSet::new(), false)
                .expect("parses");
        }
        assert_eq!(
            documents.stats().parses(),
            5,
            "a short one is kept from its second send"
        );
    }

    #[test]
    fn a_text_sent_once_is_not_kept_unless_asked() {
        let documents = Documents::new(10);
        let once = documents
            .parse("{ once }", &HashSet::new(), false)
            .expect("parses");
        assert!(!once.kept);
        let persisted = documents
            .parse("{ persisted }", &HashSet::new(), true)
            .expect("parses");
        assert!(persisted.kept);
        documents
            .parse("{ persisted }", &HashSet::new(), false)
            .expect("parses");
        assert_eq!(documents.stats().parses(), 2, "kept from its first send");
    }

    /// A query of `fields` one-letter fields, unique by `tag`: about two bytes of text per field.
    fn flat_query(tag: usize, fields: usize) -> String {
        format!("{{ t{tag} {} }}", "b ".repeat(fields))
    }

    #[test]
    fn a_flood_of_huge_documents_keeps_at_most_the_budget_in_syntax_trees() {
        let capacity = 100;
        let documents = Documents::new(capacity);
        let cache = documents.parsed.clone().expect("on");
        for tag in 0..10 {
            documents
                .parse(&flat_query(tag, 10_000), &HashSet::new(), true)
                .expect("parses");
            cache.run_pending_tasks();
        }
        // What the kept entries hold at the least: their text, and one selection node per field.
        let held: usize = cache
            .iter()
            .map(|(query, parsed)| {
                let fields = parsed
                    .document
                    .operations
                    .iter()
                    .map(|(_, operation)| operation.node.selection_set.node.items.len())
                    .sum::<usize>();
                query.len() + fields * size_of::<async_graphql::Positioned<Selection>>()
            })
            .sum();
        assert!(
            held <= capacity * ENTRY_BYTES,
            "{held} bytes held in {} entries, over {}",
            cache.entry_count(),
            capacity * ENTRY_BYTES
        );
    }

    #[test]
    fn a_flood_of_huge_validations_keeps_at_most_the_budget_in_texts() {
        let capacity = 100;
        let documents = Documents::new(capacity);
        let cache = documents.validated.clone().expect("on");
        for tag in 0..20 {
            let key = ValidationKey {
                query: Arc::from(flat_query(tag, 30_000)),
                operation_name: None,
                variables: None,
            };
            let result = ValidationResult {
                cache_control: async_graphql::CacheControl::default(),
                complexity: 1,
                depth: 1,
            };
            cache.insert(key, result);
            cache.run_pending_tasks();
        }
        let held: usize = cache.iter().map(|(key, _)| key.query.len()).sum();
        assert!(
            held <= capacity * ENTRY_BYTES,
            "{held} bytes of query text held in {} entries, over {}",
            cache.entry_count(),
            capacity * ENTRY_BYTES
        );
        assert!(cache.entry_count() > 0, "a query under the budget is kept");
    }

    #[test]
    fn a_cost_is_remembered_only_when_no_variable_sets_it() {
        let documents = Documents::new(10);
        let parsed = documents
            .parse("query A { a } query B { b }", &HashSet::new(), false)
            .expect("parses");
        let fixed = |cost| {
            move |_: &ExecutableDocument| Costed {
                cost,
                reads_variables: false,
            }
        };
        assert_eq!(parsed.cost(Some("A"), fixed(3)), 3);
        assert_eq!(parsed.cost(Some("A"), fixed(99)), 3, "remembered");
        assert_eq!(parsed.cost(Some("B"), fixed(4)), 4, "another operation");
        let variable = Documents::new(10)
            .parse("query ($n: Int) { a }", &HashSet::new(), false)
            .expect("parses");
        let read = |cost| {
            move |_: &ExecutableDocument| Costed {
                cost,
                reads_variables: true,
            }
        };
        assert_eq!(variable.cost(None, read(5)), 5);
        assert_eq!(variable.cost(None, read(6)), 6, "counted again");
    }
}
