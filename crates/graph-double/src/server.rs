//! One request, from the wire or from inside a `$batch`: the request log, fault rules,
//! the token endpoint, bearer checks and the write limit, then the route.

use std::collections::HashMap;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::directory::{Directory, Kind, Refusal};
use crate::faults::{Fault, FaultRule};
use crate::{Config, LogEntry};

/// An answer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
    /// Close the connection instead of answering (the request was carried out).
    pub(crate) drop: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            body: Some(body),
            ..Reply::default()
        }
    }

    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            ..Reply::default()
        }
    }

    /// Graph's error envelope.
    pub(crate) fn error(status: u16, code: &str, message: &str) -> Self {
        Reply::refusal(&Refusal::new(status, "", message), code)
    }

    pub(crate) fn refusal(r: &Refusal, code: &str) -> Self {
        let code = if code.is_empty() { r.code } else { code };
        let mut error = json!({
            "code": code,
            "message": r.message,
            "innerError": {"date": "2026-01-01T00:00:00", "request-id": uuid::Uuid::new_v4().to_string()},
        });
        if !r.details.is_empty()
            && let Some(e) = error.as_object_mut()
        {
            e.insert("details".into(), Value::Array(r.details.clone()));
        }
        Reply::json(r.status, json!({ "error": error }))
    }

    fn retry_after(&self) -> Option<f64> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| v.parse().ok())
    }
}

/// A page cursor: the items left and what ends the last page.
pub(crate) struct Cursor {
    pub(crate) items: Vec<Value>,
    /// The path pages are served from (`/users/delta`).
    pub(crate) path: String,
    /// For a delta round, the delta state its last page hands out.
    pub(crate) delta: Option<DeltaState>,
}

/// What a deltaLink stands for.
#[derive(Clone, Debug)]
pub(crate) struct DeltaState {
    pub(crate) kind: Kind,
    pub(crate) seq: u64,
    pub(crate) select: Vec<String>,
    pub(crate) issued: f64,
}

/// The write limit: a token bucket of one second's writes.
struct Bucket {
    rate: f64,
    tokens: f64,
    at: f64,
}

/// Everything the double holds.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) dir: Directory,
    pub(crate) faults: Vec<FaultRule>,
    pub(crate) log: Vec<LogEntry>,
    pub(crate) tokens: HashMap<String, f64>,
    pub(crate) cursors: HashMap<String, Cursor>,
    pub(crate) deltas: HashMap<String, DeltaState>,
    pub(crate) rng: StdRng,
    pub(crate) clock_offset: f64,
    started: Instant,
    bucket: Option<Bucket>,
    pub(crate) base_url: String,
}

/// A request as the double sees it.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    /// The path and query (`/v1.0/users?$select=id`).
    pub(crate) target: &'a str,
    pub(crate) auth: Option<&'a str>,
    pub(crate) body: &'a [u8],
    pub(crate) request_id: Option<String>,
    /// The `$batch` item's id, for a request inside a batch.
    pub(crate) batch_item: Option<String>,
}

impl State {
    pub(crate) fn new(config: Config, base_url: String) -> Self {
        let bucket = config.write_limit.map(|rate| Bucket {
            rate,
            tokens: rate.max(1.0),
            at: 0.0,
        });
        State {
            rng: StdRng::seed_from_u64(config.seed),
            config,
            dir: Directory::default(),
            faults: Vec::new(),
            log: Vec::new(),
            tokens: HashMap::new(),
            cursors: HashMap::new(),
            deltas: HashMap::new(),
            clock_offset: 0.0,
            started: Instant::now(),
            bucket,
            base_url,
        }
    }

    /// Seconds on the injectable clock.
    pub(crate) fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() + self.clock_offset
    }

    /// Seconds since start on the wall clock (for the log).
    fn wall(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub(crate) fn set_write_limit(&mut self, rate: Option<f64>) {
        self.config.write_limit = rate;
        self.bucket = rate.map(|rate| Bucket {
            rate,
            tokens: rate.max(1.0),
            at: self.wall(),
        });
    }

    /// Takes one write from the bucket; else the seconds until one is there.
    fn take_write(&mut self) -> Result<(), f64> {
        let now = self.wall();
        let Some(b) = &mut self.bucket else {
            return Ok(());
        };
        b.tokens = (b.tokens + (now - b.at) * b.rate).min(b.rate.max(1.0));
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / b.rate).max(0.001))
        }
    }

    fn fault_for(&mut self, method: &str, path: &str, batch_item: bool) -> Option<Fault> {
        // Each matching rule rolls its own die, in the order the rules were added.
        let rng = &mut self.rng;
        let rule = self
            .faults
            .iter_mut()
            .find(|r| r.matches(method, path, batch_item) && rng.r#gen::<f64>() < r.probability)?;
        if let Some(t) = &mut rule.times {
            *t -= 1;
        }
        Some(rule.fault.clone())
    }

    /// Handles one request, logging it.
    pub(crate) fn handle(&mut self, req: &Request<'_>) -> Reply {
        let at = self.wall();
        let reply = self.answer(req);
        if self.config.print_log {
            // Bodies are shown, but never the token request's (it holds the secret).
            let body: String = if req.target.contains("/oauth2/") || req.target.ends_with("/$batch")
            {
                String::new()
            } else {
                String::from_utf8_lossy(req.body)
                    .chars()
                    .take(300)
                    .collect()
            };
            eprintln!(
                "{at:9.3} {} {} -> {}{} {body}",
                req.method,
                req.target,
                reply.status,
                req.batch_item
                    .as_deref()
                    .map(|i| format!(" (batch item {i})"))
                    .unwrap_or_default()
            );
        }
        self.log.push(LogEntry {
            at,
            method: req.method.to_owned(),
            path: req.target.to_owned(),
            status: reply.status,
            retry_after: reply.retry_after(),
            request_id: req.request_id.clone(),
            batch_item: req.batch_item.clone(),
            dropped: reply.drop,
            body: (!req.body.is_empty() && !req.target.contains("/oauth2/"))
                .then(|| String::from_utf8_lossy(req.body).into_owned()),
        });
        reply
    }

    fn answer(&mut self, req: &Request<'_>) -> Reply {
        let path = req
            .target
            .strip_prefix("/v1.0")
            .unwrap_or(req.target)
            .to_owned();
        let batch_item = req.batch_item.is_some();
        let mut drop = false;
        match self.fault_for(req.method, &path, batch_item) {
            Some(Fault::Status {
                status,
                retry_after,
            }) => {
                let code = if status == 429 {
                    "TooManyRequests"
                } else {
                    "ServiceUnavailable"
                };
                let mut r = Reply::error(status, code, "Injected fault.");
                if let Some(s) = retry_after {
                    r.headers.push(("Retry-After".into(), format!("{s}")));
                }
                return r;
            }
            Some(Fault::DeltaNotFound) => {
                return Reply::error(400, "syncStateNotFound", "The sync state is not found.");
            }
            Some(Fault::DeltaGone) => return self.gone(&path),
            Some(Fault::ExpireTokens) => {
                for expiry in self.tokens.values_mut() {
                    *expiry = f64::MIN;
                }
            }
            Some(Fault::Drop) => drop = true,
            None => {}
        }
        if req.method == "POST" && req.target.ends_with("/oauth2/v2.0/token") {
            return self.token(req.body);
        }
        if let Err(r) = self.authorize(req.auth) {
            return r;
        }
        let write = matches!(req.method, "POST" | "PATCH" | "PUT" | "DELETE");
        if write
            && path != "/$batch"
            && let Err(wait) = self.take_write()
        {
            let mut r = Reply::error(
                429,
                "TooManyRequests",
                "Too many requests: the application's write limit was reached.",
            );
            r.headers
                .push(("Retry-After".into(), format!("{:.3}", wait.max(0.001))));
            return r;
        }
        let mut reply = if path == "/$batch" && req.method == "POST" && !batch_item {
            crate::batch::batch(self, req)
        } else {
            let body: Option<Value> = if req.body.is_empty() {
                None
            } else {
                match serde_json::from_slice(req.body) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        return Reply::error(400, "BadRequest", "The body is not valid JSON.");
                    }
                }
            };
            crate::routes::route(self, req.method, &path, body)
        };
        reply.drop = drop;
        reply
    }

    /// 410 Gone with a `Location` that restarts the round.
    fn gone(&mut self, path: &str) -> Reply {
        let base = path.split('?').next().unwrap_or(path);
        let mut r = Reply::error(410, "resyncRequired", "The delta token has expired.");
        r.headers
            .push(("Location".into(), format!("{}/v1.0{base}", self.base_url)));
        r
    }

    fn token(&mut self, body: &[u8]) -> Reply {
        let form: HashMap<String, String> = crate::routes::query(&String::from_utf8_lossy(body))
            .into_iter()
            .collect();
        let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
            && form.get("client_id") == Some(&self.config.client_id)
            && form.get("client_secret") == Some(&self.config.client_secret)
            && form.get("scope").is_some_and(|s| s.ends_with("/.default"));
        if !ok {
            return Reply::json(
                401,
                json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}),
            );
        }
        let token = format!("dbl.{}", uuid::Uuid::new_v4().simple());
        let lifetime = self.config.token_lifetime;
        self.tokens
            .insert(token.clone(), self.now() + lifetime as f64);
        Reply::json(
            200,
            json!({"token_type": "Bearer", "expires_in": lifetime, "access_token": token}),
        )
    }

    fn authorize(&self, auth: Option<&str>) -> Result<(), Reply> {
        let token = auth.and_then(|a| a.strip_prefix("Bearer "));
        match token.and_then(|t| self.tokens.get(t)) {
            Some(expiry) if *expiry > self.now() => Ok(()),
            _ => Err(Reply::error(
                401,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            )),
        }
    }
}
