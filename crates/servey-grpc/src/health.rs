//! The standard health service (`grpc.health.v1.Health`), answering what `/health/ready` answers:
//! `SERVING` while every required backend is reachable, `NOT_SERVING` otherwise, for the whole server
//! (`""`) and for the app's service by name.

use std::pin::Pin;
use std::time::Duration;

use futures_util::Stream;
use servey_core::backend::Probes;
use tonic::{Request, Response, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_server::Health;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};

/// How often a `Watch` looks at the backends again.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The health of one app.
pub(crate) struct AppHealth {
    pub(crate) service: String,
    pub(crate) probes: Probes,
}

impl AppHealth {
    fn knows(&self, service: &str) -> bool {
        service.is_empty() || service == self.service
    }
}

async fn status(probes: &Probes) -> ServingStatus {
    if probes.is_empty() || probes.unready().await.is_empty() {
        ServingStatus::Serving
    } else {
        ServingStatus::NotServing
    }
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse {
        status: status as i32,
    }
}

#[tonic::async_trait]
impl Health for AppHealth {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if !self.knows(&service) {
            return Err(Status::not_found(format!("no service named `{service}`")));
        }
        Ok(Response::new(response(status(&self.probes).await)))
    }

    type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let service = request.into_inner().service;
        if !self.knows(&service) {
            let unknown = response(ServingStatus::ServiceUnknown);
            return Ok(Response::new(Box::pin(futures_util::stream::once(
                async move { Ok(unknown) },
            ))));
        }
        let probes = self.probes.clone();
        // The first answer at once, then one each time the status changes.
        let updates = futures_util::stream::unfold(None, move |last| {
            let probes = probes.clone();
            async move {
                loop {
                    if last.is_some() {
                        tokio::time::sleep(WATCH_EVERY).await;
                    }
                    let now = status(&probes).await;
                    if last != Some(now) {
                        return Some((Ok(response(now)), Some(now)));
                    }
                }
            }
        });
        Ok(Response::new(Box::pin(updates)))
    }
}
