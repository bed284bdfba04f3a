//! Writes through `$batch`: calls grouped 20 (or fewer, under a low write limit) to a
//! batch, several batches in flight, each batch's writes paced before it is sent. An item
//! answered 429, 503 or 504 goes back to the queue alone, due after its `Retry-After`
//! (else backoff) while the others go on; a whole batch refused the same way goes back
//! whole. 429s give their pacing slots back: they were not writes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value as Json, json};
use tokio::task::JoinSet;

use super::client::{Answer, CallError, Client, MAX_ATTEMPTS, delay};

/// Requests in one `$batch`, at most (Graph's limit).
pub(crate) const BATCH_MAX: usize = 20;

/// One write.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// The change it belongs to.
    pub(crate) change: usize,
    /// What it does, for its result's handling.
    pub(crate) what: What,
    pub(crate) method: &'static str,
    /// The URL under `/v1.0` (`/users/{id}`).
    pub(crate) path: String,
    pub(crate) body: Option<Json>,
    attempt: u32,
    refreshed: bool,
    request_id: String,
}

/// What a call does.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum What {
    Create,
    Patch,
    Delete,
    AddMember,
    RemoveMember,
    SetManager,
    RemoveManager,
    AddOwner,
    RemoveOwner,
}

impl Call {
    pub(crate) fn new(
        change: usize,
        what: What,
        method: &'static str,
        path: String,
        body: Option<Json>,
    ) -> Self {
        Call {
            change,
            what,
            method,
            path,
            body,
            attempt: 0,
            refreshed: false,
            request_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// Why a call got no answer.
#[derive(Clone, Debug, thiserror::Error)]
pub(crate) enum Unanswered {
    /// The batch request failed on the way (connection lost, timed out): any of its writes
    /// may have been made.
    #[error("{0}")]
    Transport(Arc<reqwest::Error>),
    /// No token could be had.
    #[error("{0}")]
    Token(Arc<CallError>),
    /// The batch's answer has no response for this request.
    #[error("the batch answered without this request")]
    Missing,
}

/// A call's last answer, or why it got none.
pub(crate) type Outcome = Result<Answer, Unanswered>;

type Sent = (Vec<Call>, Outcome);

async fn send(client: Arc<Client>, api: String, calls: Vec<Call>, at: Instant) -> Sent {
    tokio::time::sleep_until(at.into()).await;
    let requests: Vec<Json> = calls
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut r = json!({
                "id": i.to_string(),
                "method": c.method,
                "url": c.path,
                "headers": {"client-request-id": c.request_id, "Content-Type": "application/json"},
            });
            if let (Some(b), Some(o)) = (&c.body, r.as_object_mut()) {
                o.insert("body".into(), b.clone());
            }
            r
        })
        .collect();
    let body = json!({ "requests": requests });
    let url = format!("{api}/$batch");
    let answer = match client.token(false).await {
        Ok(token) => {
            let id = uuid::Uuid::new_v4().to_string();
            client
                .once("POST", &url, Some(&body), &id, &token)
                .await
                .map_err(|e| Unanswered::Transport(Arc::new(e.without_url())))
        }
        Err(e) => Err(Unanswered::Token(Arc::new(e))),
    };
    (calls, answer)
}

/// Runs `calls` to their last answers, in any order. `then` sees each call's last answer
/// as it comes and may return more calls (a create's references, once the ids they need
/// are known), which join the queue: the pipeline never drains between stages.
pub(crate) async fn run(
    client: &Arc<Client>,
    api: &str,
    calls: Vec<Call>,
    mut then: impl FnMut(&Call, &Outcome) -> Vec<Call>,
) -> Vec<(Call, Outcome)> {
    let settings = client.settings();
    let size = (settings.writes_per_second.floor() as usize).clamp(1, BATCH_MAX);
    let in_flight = settings.in_flight.max(1);
    let mut ready: VecDeque<Call> = calls.into();
    let mut waiting: Vec<(Instant, Call)> = Vec::new();
    let mut running: JoinSet<Sent> = JoinSet::new();
    let mut done = Vec::new();
    loop {
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = waiting.into_iter().partition(|(t, _)| *t <= now);
        waiting = later;
        ready.extend(due.into_iter().map(|(_, c)| c));
        while running.len() < in_flight && !ready.is_empty() {
            let n = size.min(ready.len());
            let batch: Vec<Call> = ready.drain(..n).collect();
            let at = client.pacer.reserve(n);
            running.spawn(send(Arc::clone(client), api.to_owned(), batch, at));
        }
        if running.is_empty() {
            match waiting.iter().map(|(t, _)| *t).min() {
                Some(t) => {
                    tokio::time::sleep_until(t.into()).await;
                    continue;
                }
                None => break,
            }
        }
        let next_due = waiting.iter().map(|(t, _)| *t).min();
        let joined = match next_due {
            Some(t) => tokio::select! {
                j = running.join_next() => j,
                () = tokio::time::sleep_until(t.into()) => continue,
            },
            None => running.join_next().await,
        };
        let Some(Ok((calls, answer))) = joined else {
            continue;
        };
        let before = done.len();
        settle(client, calls, answer, &mut ready, &mut waiting, &mut done).await;
        for (call, outcome) in done.iter().skip(before) {
            ready.extend(then(call, outcome));
        }
    }
    done
}

/// Sorts a batch's answers: finished calls into `done`, transient failures back to
/// `waiting` (due after their delay), 401s back to `ready` after a new token.
async fn settle(
    client: &Client,
    calls: Vec<Call>,
    answer: Outcome,
    ready: &mut VecDeque<Call>,
    waiting: &mut Vec<(Instant, Call)>,
    done: &mut Vec<(Call, Outcome)>,
) {
    let mut again = |mut c: Call, a: Outcome, ra: Option<f64>, done: &mut Vec<(Call, Outcome)>| {
        if c.attempt + 1 >= MAX_ATTEMPTS {
            done.push((c, a));
            return;
        }
        let wait = delay(ra, c.attempt);
        c.attempt += 1;
        waiting.push((Instant::now() + wait, c));
    };
    let whole = match answer {
        Err(e) => {
            // The connection was lost: any of the writes may have been made. Each is sent
            // again; a create that meets its own object is looked up by its caller.
            for c in calls {
                again(c, Err(e.clone()), None, done);
            }
            return;
        }
        Ok(a) => a,
    };
    if whole.status == 401 {
        let refreshed = client.token(true).await.is_ok();
        for mut c in calls {
            if c.refreshed || !refreshed {
                done.push((c, Ok(whole.clone())));
            } else {
                c.refreshed = true;
                ready.push_back(c);
            }
        }
        return;
    }
    if whole.transient() {
        if whole.status == 429 {
            client.pacer.refund(calls.len());
        }
        for c in calls {
            again(c, Ok(whole.clone()), whole.retry_after, done);
        }
        return;
    }
    if !whole.ok() {
        for c in calls {
            done.push((c, Ok(whole.clone())));
        }
        return;
    }
    let mut by_id: Map<String, Json> = Map::new();
    for r in whole
        .body
        .get("responses")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = r.get("id").and_then(Json::as_str) {
            by_id.insert(id.to_owned(), r.clone());
        }
    }
    let mut refresh = false;
    for (i, mut c) in calls.into_iter().enumerate() {
        let Some(r) = by_id.get(&i.to_string()) else {
            again(c, Err(Unanswered::Missing), None, done);
            continue;
        };
        let status = r
            .get("status")
            .and_then(Json::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(0);
        let retry_after = r
            .get("headers")
            .and_then(Json::as_object)
            .and_then(|h| {
                h.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                    .map(|(_, v)| v)
            })
            .and_then(|v| match v {
                Json::String(s) => s.trim().parse::<f64>().ok(),
                Json::Number(n) => n.as_f64(),
                _ => None,
            });
        let a = Answer {
            status,
            retry_after,
            body: r.get("body").cloned().unwrap_or(Json::Null),
        };
        if a.transient() {
            if status == 429 {
                client.pacer.refund(1);
            }
            again(c, Ok(a), retry_after, done);
        } else if status == 401 && !c.refreshed {
            refresh = true;
            c.refreshed = true;
            ready.push_back(c);
        } else {
            done.push((c, Ok(a)));
        }
    }
    if refresh {
        let _ = client.token(true).await;
    }
}

/// A pause for tests of the pacing: how long `n` writes take at `rate`.
#[cfg(test)]
fn span(n: usize, rate: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64(n as f64 / rate)
}

#[cfg(test)]
mod tests {
    use super::super::client::Pacer;
    use super::*;

    #[test]
    fn the_pacer_spaces_reservations_and_takes_back_refunds() {
        let p = Pacer::new(10.0);
        let a = p.reserve(10);
        let b = p.reserve(10);
        let gap = b.duration_since(a);
        assert!(
            gap >= span(10, 10.0) - std::time::Duration::from_millis(5),
            "{gap:?}"
        );
        p.refund(10);
        let c = p.reserve(1);
        assert!(c.duration_since(a) < span(15, 10.0), "refund ignored");
    }
}
