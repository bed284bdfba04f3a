//! A local Microsoft Graph test double: what syncrules' Graph connector is tested against.
//!
//! It binds 127.0.0.1 (port 0 by default) and builds every nextLink, deltaLink and
//! `Location` from its base URL. It has:
//!
//! - a token endpoint, `POST /{tenant}/oauth2/v2.0/token` (client credentials; tokens live
//!   [`Config::token_lifetime`] seconds on the double's clock), and 401
//!   `InvalidAuthenticationToken` for an unknown or expired bearer token;
//! - an in-memory [`Directory`] of users and groups (GUID ids; `userPrincipalName`,
//!   `onPremisesImmutableId` and `mailNickname` unique ignoring case, a duplicate being 400
//!   `Request_BadRequest` with an `ObjectConflict` detail; members, managers; a soft-delete
//!   bin; group owners (not in delta rounds); registered extension properties; a change
//!   log);
//! - lists with `$select`, `$filter` (`eq`, `startsWith`, `and`, `or`), `$top` and
//!   `$skiptoken` paging, `$expand=owners` (at most [`EXPAND_MAX`] a group); delta rounds
//!   (`/users/delta`, `/groups/delta`) with `members@delta`, `manager@delta`, `@removed`,
//!   `$deltatoken=latest`;
//! - writes with Graph's status codes and error envelope; `$batch` of at most 20 with
//!   `dependsOn` and shuffled responses;
//! - an optional write limit (writes per second; over it, 429 with a fractional
//!   `Retry-After`), and [`FaultRule`]s: 429 with or without `Retry-After`, 503, 504, a
//!   per-item 429 inside `$batch`, delta expiry (400 `syncStateNotFound`, 410 Gone),
//!   token expiry, a dropped connection;
//! - a [`LogEntry`] for every request, batch items included.
//!
//! ```
//! use syncrules_graph_double::{Config, GraphDouble};
//!
//! let double = GraphDouble::start(Config::default())?;
//! assert!(double.base_url().starts_with("http://127.0.0.1:"));
//! assert!(double.users().is_empty());
//! # Ok::<(), std::io::Error>(())
//! ```

mod batch;
mod delta;
pub mod directory;
mod edges;
pub mod faults;
mod owners;
mod routes;
mod server;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value};

pub use batch::MAX_BATCH;
pub use directory::{Directory, Kind, Object, Refusal};
pub use faults::{Fault, FaultRule};
pub use owners::EXPAND_MAX;

/// The double's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The port (0: any free one).
    pub port: u16,
    /// The client id the token endpoint accepts.
    pub client_id: String,
    /// The client secret it accepts.
    pub client_secret: String,
    /// Seconds a token lives.
    pub token_lifetime: u64,
    /// Objects per page.
    pub page_size: usize,
    /// Members of a group per delta entry (a larger group spans several entries).
    pub members_per_entry: usize,
    /// Writes per second, when limited.
    pub write_limit: Option<f64>,
    /// Seconds a deltaLink stays valid, when limited.
    pub delta_lifetime: Option<f64>,
    /// Shuffle `$batch` responses.
    pub shuffle_batches: bool,
    /// The seed of fault probabilities and shuffles.
    pub seed: u64,
    /// Print each request to stderr as it is answered.
    pub print_log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            client_secret: "double-secret".into(),
            token_lifetime: 3600,
            page_size: 50,
            members_per_entry: 20,
            write_limit: None,
            delta_lifetime: None,
            shuffle_batches: true,
            seed: 1,
            print_log: false,
        }
    }
}

/// One request the double received.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Seconds since the double started (wall clock).
    pub at: f64,
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// The `Retry-After` answered, in seconds.
    pub retry_after: Option<f64>,
    /// The client's `client-request-id`.
    pub request_id: Option<String>,
    /// The `$batch` item id, for a request inside a batch.
    pub batch_item: Option<String>,
    /// The connection was dropped instead of answering.
    pub dropped: bool,
    /// The request's body as text (none for the token endpoint's, which holds the secret).
    pub body: Option<String>,
}

impl LogEntry {
    /// A write (POST, PATCH, PUT, DELETE) that is not a token request or a `$batch`
    /// envelope.
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE")
            && !self.path.ends_with("/$batch")
            && !self.path.contains("/oauth2/")
    }
}

/// A running double; it stops when dropped.
pub struct GraphDouble {
    state: Arc<Mutex<server::State>>,
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn serve(
    AxumState(state): AxumState<Arc<Mutex<server::State>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let auth = header("authorization");
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let reply = {
        let mut st = lock(&state);
        st.handle(&server::Request {
            method: method.as_str(),
            target: &target,
            auth: auth.as_deref(),
            body: &body,
            request_id: header("client-request-id"),
            batch_item: None,
        })
    };
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in &reply.headers {
        builder = builder.header(k, v);
    }
    let body = if reply.drop {
        let failing = futures_util::stream::once(async {
            Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
        });
        Body::from_stream(failing)
    } else {
        match &reply.body {
            Some(v) => {
                builder = builder.header("content-type", "application/json");
                Body::from(serde_json::to_vec(v).unwrap_or_default())
            }
            None => Body::empty(),
        }
    };
    builder
        .body(body)
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn lock(state: &Mutex<server::State>) -> MutexGuard<'_, server::State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl GraphDouble {
    /// Starts a double on its own thread and runtime.
    pub fn start(config: Config) -> std::io::Result<GraphDouble> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(server::State::new(config, base_url.clone())));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(Arc::clone(&state));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        Ok(GraphDouble {
            state,
            base_url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Runs `f` on the directory.
    pub fn with_directory<T>(&self, f: impl FnOnce(&mut Directory) -> T) -> T {
        f(&mut lock(&self.state).dir)
    }

    /// Live users.
    pub fn users(&self) -> Vec<Object> {
        self.objects(Kind::User)
    }

    /// Live groups.
    pub fn groups(&self) -> Vec<Object> {
        self.objects(Kind::Group)
    }

    fn objects(&self, kind: Kind) -> Vec<Object> {
        lock(&self.state)
            .dir
            .objects
            .values()
            .filter(|o| o.kind == kind)
            .cloned()
            .collect()
    }

    /// Seeds an object as an administrator would (read-only properties allowed); its id.
    pub fn seed(&self, kind: Kind, props: Map<String, Value>) -> Result<String, Refusal> {
        lock(&self.state).dir.seed(kind, props)
    }

    /// Changes an object as another administrator would (not a client write: not
    /// limited, not logged).
    pub fn admin_update(
        &self,
        kind: Kind,
        id: &str,
        props: Map<String, Value>,
    ) -> Result<(), Refusal> {
        lock(&self.state).dir.update(kind, id, props, false)
    }

    /// Every request received so far.
    pub fn log(&self) -> Vec<LogEntry> {
        lock(&self.state).log.clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_log(&self) {
        lock(&self.state).log.clear();
    }

    /// Adds a fault rule (rules are tried in the order added).
    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.state).faults.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// Sets or lifts the write limit (writes per second).
    pub fn set_write_limit(&self, rate: Option<f64>) {
        lock(&self.state).set_write_limit(rate);
    }

    /// Every bearer token issued so far (for tests that check no output shows one).
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.state).tokens.keys().cloned().collect()
    }

    /// Moves the double's clock forward (tokens and delta tokens age).
    pub fn advance_clock(&self, seconds: f64) {
        lock(&self.state).clock_offset += seconds;
    }
}

impl Drop for GraphDouble {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
