//! HTTP to Microsoft Graph: the client-credentials token (cached until shortly before it
//! expires, refreshed once on a 401), retries of 429, 503, 504 and lost connections
//! (honouring `Retry-After`, integer or fractional, else exponential backoff with jitter and
//! a cap, a bounded number of times), and the write pacing that keeps writes under
//! `writes-per-second`. No other 4xx is retried. Secrets and tokens never reach an error.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde_json::Value;

use super::GraphSettings;

/// Attempts of one request at most (the first one included).
pub(crate) const MAX_ATTEMPTS: u32 = 8;
/// The first backoff without `Retry-After`.
const BACKOFF_INITIAL: f64 = 3.0;
/// The longest backoff.
const BACKOFF_CAP: f64 = 180.0;
/// Test-only: a factor on backoff delays without `Retry-After` (`0.01` makes 3 s 30 ms).
/// `Retry-After` is always honoured as sent.
pub const BACKOFF_SCALE_ENV: &str = "SYNCRULES_GRAPH_BACKOFF_SCALE";

/// What a request came back with.
#[derive(Clone, Debug, Default)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<f64>,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The items of a list answer (its `value`), none for any other.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Value> {
        self.body
            .get("value")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// `error.code`.
    pub(crate) fn code(&self) -> &str {
        self.body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `error.message`.
    pub(crate) fn message(&self) -> String {
        let m = self
            .body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("{} {}: {m}", self.status, self.code())
    }

    /// Worth another attempt: throttled or unavailable.
    pub(crate) fn transient(&self) -> bool {
        matches!(self.status, 429 | 503 | 504)
    }
}

/// Why a call failed as a whole.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CallError {
    /// Unreachable, or still throttled after every attempt.
    #[error("{0}")]
    Unavailable(String),
}

/// The delay before attempt `attempt + 1` of a request that got `answer` (or lost its
/// connection, `None`): its `Retry-After`, else exponential backoff with jitter.
pub(crate) fn delay(retry_after: Option<f64>, attempt: u32) -> Duration {
    if let Some(s) = retry_after.filter(|s| s.is_finite() && *s >= 0.0) {
        return Duration::from_secs_f64(s.min(BACKOFF_CAP));
    }
    let scale = std::env::var(BACKOFF_SCALE_ENV)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(1.0);
    let base = (BACKOFF_INITIAL * 2f64.powi(attempt.min(16) as i32)).min(BACKOFF_CAP);
    let jitter = rand::thread_rng().gen_range(0.5..=1.0);
    Duration::from_secs_f64(base * jitter * scale)
}

/// Client-side pacing of writes: each write takes the next slot of `1 / rate` seconds.
#[derive(Debug)]
pub(crate) struct Pacer {
    rate: f64,
    next: Mutex<Instant>,
}

impl Pacer {
    pub(crate) fn new(rate: f64) -> Self {
        Pacer {
            rate: rate.max(0.01),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Reserves `n` writes: when they may go.
    pub(crate) fn reserve(&self, n: usize) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let start = (*next).max(Instant::now());
        *next = start + Duration::from_secs_f64(n as f64 / self.rate);
        start
    }

    /// Gives back `n` slots of writes the service refused (429: they were not writes).
    pub(crate) fn refund(&self, n: usize) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let back = Duration::from_secs_f64(n as f64 / self.rate);
        *next = next
            .checked_sub(back)
            .unwrap_or_else(Instant::now)
            .max(Instant::now());
    }
}

/// The HTTP client with its token.
pub(crate) struct Client {
    http: reqwest::Client,
    settings: GraphSettings,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
    pub(crate) pacer: Pacer,
}

impl Client {
    pub(crate) fn new(settings: GraphSettings) -> Result<Self, CallError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .https_only(!settings.loopback_http())
            .build()
            .map_err(|e| CallError::Unavailable(format!("cannot set up HTTP: {e}")))?;
        Ok(Client {
            http,
            pacer: Pacer::new(settings.writes_per_second),
            settings,
            token: tokio::sync::Mutex::new(None),
        })
    }

    pub(crate) fn settings(&self) -> &GraphSettings {
        &self.settings
    }

    /// A bearer token: the cached one unless `refresh` or it expires within a minute.
    pub(crate) async fn token(&self, refresh: bool) -> Result<String, CallError> {
        let mut cached = self.token.lock().await;
        if !refresh
            && let Some((t, until)) = cached.as_ref()
            && *until > Instant::now()
        {
            return Ok(t.clone());
        }
        let s = &self.settings;
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            s.token_url.trim_end_matches('/'),
            s.tenant
        );
        let form = [
            ("client_id", s.client_id.as_str()),
            ("client_secret", s.secret.expose()),
            ("scope", s.scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut attempt = 0;
        loop {
            let sent = self
                .http
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await;
            let answer = match sent {
                Ok(r) => read(r).await,
                Err(e) => Err(e),
            };
            match answer {
                Ok(a) if a.ok() => {
                    let token = a
                        .body
                        .get("access_token")
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            CallError::Unavailable("the token endpoint sent no access_token".into())
                        })?
                        .to_owned();
                    let life = a
                        .body
                        .get("expires_in")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    let margin = (life / 10).min(60);
                    let until = Instant::now() + Duration::from_secs(life.saturating_sub(margin));
                    *cached = Some((token.clone(), until));
                    return Ok(token);
                }
                Ok(a) if a.transient() && attempt + 1 < MAX_ATTEMPTS => {
                    tokio::time::sleep(delay(a.retry_after, attempt)).await;
                }
                Ok(a) => {
                    let why = a
                        .body
                        .get("error")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    return Err(CallError::Unavailable(format!(
                        "the token endpoint refused the client credentials ({} {why})",
                        a.status
                    )));
                }
                Err(e) if attempt + 1 < MAX_ATTEMPTS => {
                    let _ = e;
                    tokio::time::sleep(delay(None, attempt)).await;
                }
                Err(e) => {
                    return Err(CallError::Unavailable(format!(
                        "cannot reach the token endpoint: {}",
                        e.without_url()
                    )));
                }
            }
            attempt += 1;
        }
    }

    /// One attempt: the answer, or the transport error.
    pub(crate) async fn once(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        request_id: &str,
        token: &str,
    ) -> Result<Answer, reqwest::Error> {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = self
            .http
            .request(m, url)
            .bearer_auth(token)
            .header("client-request-id", request_id);
        if let Some(b) = body {
            req = req.json(b);
        }
        read(req.send().await?).await
    }

    /// A request with retries: 429/503/504 and lost connections after `Retry-After` or
    /// backoff, a 401 once after a new token. Any other answer is returned.
    pub(crate) async fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, CallError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            let token = self.token(false).await?;
            match self.once(method, url, body, &request_id, &token).await {
                Ok(a) if a.status == 401 && !refreshed => {
                    refreshed = true;
                    self.token(true).await?;
                    continue;
                }
                Ok(a) if a.transient() && attempt + 1 < MAX_ATTEMPTS => {
                    tokio::time::sleep(delay(a.retry_after, attempt)).await;
                }
                Ok(a) if a.transient() => {
                    return Err(CallError::Unavailable(format!(
                        "{method} {}: still {} after {MAX_ATTEMPTS} attempts",
                        path_of(url),
                        a.status
                    )));
                }
                Ok(a) => return Ok(a),
                Err(e) if attempt + 1 < MAX_ATTEMPTS => {
                    let _ = e;
                    tokio::time::sleep(delay(None, attempt)).await;
                }
                Err(e) => {
                    return Err(CallError::Unavailable(format!(
                        "{method} {}: {}",
                        path_of(url),
                        e.without_url()
                    )));
                }
            }
            attempt += 1;
        }
    }
}

/// The path of a URL, for messages.
pub(crate) fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').and_then(|i| rest.get(i..)))
        .unwrap_or(url)
}

async fn read(r: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let status = r.status().as_u16();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<f64>().ok());
    let bytes = r.bytes().await?;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}

/// `application/x-www-form-urlencoded` for one value.
pub(crate) fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
