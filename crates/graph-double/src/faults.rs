//! Fault injection by rule: which requests (method and path), how often (the next N, or
//! each with probability p), and what happens instead of, or after, the real answer.

/// What a fault does.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Answers with this status (429, 503, 504) and `Retry-After` seconds when given
    /// (written as given: `2` or `0.25`).
    Status {
        /// 429, 503 or 504.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<f64>,
    },
    /// A delta request with a token answers 400 `syncStateNotFound`.
    DeltaNotFound,
    /// A delta request with a token answers 410 Gone with a `Location` to restart from.
    DeltaGone,
    /// Every bearer token issued so far expires now; this request gets the 401.
    ExpireTokens,
    /// The request is carried out, then the connection is closed without an answer.
    Drop,
}

/// A fault rule.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    /// Only this method (`GET`, `POST`, ...); any when `None`.
    pub method: Option<String>,
    /// Only paths containing this text (after `/v1.0`, with the query); any when empty.
    pub path: String,
    /// What happens.
    pub fault: Fault,
    /// Fires at most this many times; unlimited when `None`.
    pub times: Option<u32>,
    /// Fires for a matching request with this probability (1.0: always).
    pub probability: f64,
    /// Applies to the requests inside `$batch` (each item on its own) instead of
    /// top-level requests.
    pub batch_items: bool,
}

impl FaultRule {
    /// A rule firing for every request of `method` (any when empty) whose path contains
    /// `path`, always, without limit, at the top level.
    pub fn new(method: &str, path: &str, fault: Fault) -> Self {
        FaultRule {
            method: (!method.is_empty()).then(|| method.to_ascii_uppercase()),
            path: path.to_owned(),
            fault,
            times: None,
            probability: 1.0,
            batch_items: false,
        }
    }

    /// Fires at most `n` times.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Fires with probability `p`.
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }

    /// Applies to `$batch` items instead of top-level requests.
    pub fn in_batch(mut self) -> Self {
        self.batch_items = true;
        self
    }

    pub(crate) fn matches(&self, method: &str, path: &str, batch_item: bool) -> bool {
        if self.batch_items != batch_item || self.times == Some(0) {
            return false;
        }
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        let delta_fault = matches!(self.fault, Fault::DeltaGone | Fault::DeltaNotFound);
        if delta_fault && !path.contains("$deltatoken=") {
            return false;
        }
        path.contains(&self.path)
    }
}
