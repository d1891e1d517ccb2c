//! [`JobBuilder`]: several actions in one request, stopping at the first error unless told otherwise.

use serde_json::Value;
use servey_core::job::{JobAction, JobRequest};

use crate::client::Client;
use crate::error::ClientError;

/// A job being put together by [`Client::job`]; [`send`](Self::send) runs it.
#[derive(Debug)]
#[must_use]
pub struct JobBuilder<'c> {
    client: &'c Client,
    job: JobRequest,
}

impl<'c> JobBuilder<'c> {
    pub(crate) fn new<I, N>(client: &'c Client, actions: I) -> Self
    where
        I: IntoIterator<Item = (N, Value)>,
        N: Into<String>,
    {
        let actions = actions
            .into_iter()
            .map(|(action, body)| JobAction {
                action: action.into(),
                body,
            })
            .collect();
        Self {
            client,
            job: JobRequest {
                actions,
                continue_on_error: false,
            },
        }
    }

    /// Whether the actions after a failed one still run (default: no, the job stops there).
    pub fn continue_on_error(mut self, continue_on_error: bool) -> Self {
        self.job.continue_on_error = continue_on_error;
        self
    }

    /// Runs the job: one outcome per action that ran, in order (a job that stopped at an error has
    /// fewer outcomes than actions, the last one that error). The outer error is the job's own (the
    /// service unreachable, the job refused as a whole).
    pub async fn send(self) -> Result<Vec<Result<Value, ClientError>>, ClientError> {
        let answer = self.client.send(self.job, false).await?;
        Ok(answer
            .results
            .into_iter()
            .map(|outcome| outcome.into_result().map_err(ClientError::Problem))
            .collect())
    }
}
