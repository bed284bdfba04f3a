//! `POST /v1.0/$batch`: at most 20 requests, `dependsOn` (a failed dependency gives 424),
//! each item handled as a request of its own (faults, write limit, log), the responses
//! shuffled.

use rand::seq::SliceRandom;
use serde_json::{Map, Value, json};

use crate::server::{Reply, Request, State};

/// Requests in one batch, at most.
pub const MAX_BATCH: usize = 20;

pub(crate) fn batch(st: &mut State, req: &Request<'_>) -> Reply {
    let Ok(body) = serde_json::from_slice::<Value>(req.body) else {
        return Reply::error(400, "BadRequest", "The body is not valid JSON.");
    };
    let Some(items) = body.get("requests").and_then(Value::as_array) else {
        return Reply::error(400, "BadRequest", "A batch needs `requests`.");
    };
    if items.len() > MAX_BATCH || items.is_empty() {
        return Reply::error(
            400,
            "BadRequest",
            "The batch must hold between 1 and 20 requests.",
        );
    }
    let mut statuses: Map<String, Value> = Map::new();
    let mut responses = Vec::new();
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let method = item
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_ascii_uppercase();
        let url = item.get("url").and_then(Value::as_str).unwrap_or_default();
        let target = format!("/v1.0/{}", url.trim_start_matches('/'));
        let headers = item.get("headers").and_then(Value::as_object);
        let request_id = headers
            .and_then(|h| h.get("client-request-id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let failed_dep = item
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|d| {
                statuses
                    .get(d)
                    .and_then(Value::as_u64)
                    .is_none_or(|s| !(200..300).contains(&s))
            });
        let reply = if failed_dep {
            Reply::error(
                424,
                "FailedDependency",
                "A request this one depends on failed.",
            )
        } else {
            let body = item
                .get("body")
                .map(|b| serde_json::to_vec(b).unwrap_or_default())
                .unwrap_or_default();
            st.handle(&Request {
                method: &method,
                target: &target,
                auth: req.auth,
                body: &body,
                request_id,
                batch_item: Some(id.clone()),
            })
        };
        statuses.insert(id.clone(), json!(reply.status));
        let mut headers = Map::new();
        for (k, v) in &reply.headers {
            headers.insert(k.clone(), Value::String(v.clone()));
        }
        let mut r = json!({"id": id, "status": reply.status, "headers": headers});
        if let (Some(b), Some(o)) = (reply.body, r.as_object_mut()) {
            o.insert("body".into(), b);
        }
        responses.push(r);
    }
    if st.config.shuffle_batches {
        responses.shuffle(&mut st.rng);
    }
    Reply::json(200, json!({ "responses": responses }))
}
