//! The routes under `/v1.0`: lists with `$select`, `$filter`, `$top`, `$expand=owners`
//! and paging, single objects, writes, `$ref` edges (members, owners, managers) and
//! extension properties. Delta rounds are in
//! [`crate::delta`].

use serde_json::{Map, Value, json};

use crate::directory::{Extension, Kind};
use crate::server::{Cursor, Reply, State};

/// Percent-decodes a query or form (`+` is a space).
pub(crate) fn query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(h) = hex {
                    out.push(h);
                    i += 2;
                } else {
                    out.push(b);
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn kind_of(segment: &str) -> Option<Kind> {
    match segment {
        "users" => Some(Kind::User),
        "groups" => Some(Kind::Group),
        _ => None,
    }
}

fn select_of(params: &[(String, String)]) -> Vec<String> {
    params
        .iter()
        .find(|(k, _)| k == "$select")
        .map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default()
}

/// Routes one request (path after `/v1.0`, with its query).
pub(crate) fn route(st: &mut State, method: &str, path: &str, body: Option<Value>) -> Reply {
    let (path_only, q) = path.split_once('?').unwrap_or((path, ""));
    let params = query(q);
    let segs: Vec<&str> = path_only.trim_matches('/').split('/').collect();
    let body_map = body.and_then(|b| match b {
        Value::Object(m) => Some(m),
        _ => None,
    });
    let result = match (method, segs.as_slice()) {
        ("GET", [seg]) if kind_of(seg).is_some() => return list(st, path_only, &params),
        (_, [app, "extensionProperties"]) if app.starts_with("applications") => {
            return extensions(st, method, body_map);
        }
        ("GET", [seg, "delta"]) => match kind_of(seg) {
            Some(k) => return crate::delta::delta(st, k, path_only, &params),
            None => return not_found(),
        },
        ("GET", [seg, id]) => match kind_of(seg).and_then(|k| st.dir.get(k, id)) {
            Some(o) => {
                let expand = crate::owners::expands_owners(&params);
                return Reply::json(200, st.dir.render_expanded(o, &select_of(&params), expand));
            }
            None => return not_found(),
        },
        ("GET", ["users", id, "manager"]) => {
            let manager = st
                .dir
                .get(Kind::User, id)
                .and_then(|u| u.manager.clone())
                .and_then(|m| st.dir.objects.get(&m));
            return match manager {
                Some(m) => Reply::json(200, st.dir.render(m, &["id".to_owned()])),
                None => not_found(),
            };
        }
        ("GET", ["groups", id, edge @ ("members" | "owners")]) => {
            if let Some((_, token)) = params.iter().find(|(k, _)| k == "$skiptoken") {
                return next_page(st, token);
            }
            let Some(g) = st.dir.get(Kind::Group, id) else {
                return not_found();
            };
            let items = if *edge == "owners" {
                st.dir.owner_items(g)
            } else {
                g.members
                    .iter()
                    .filter_map(|m| st.dir.objects.get(m))
                    .map(|m| json!({"@odata.type": m.kind.odata_type(), "id": m.id}))
                    .collect()
            };
            return page(st, path_only, items, None);
        }
        ("POST", [seg]) if kind_of(seg).is_some() => {
            let kind = kind_of(seg).unwrap_or(Kind::User);
            st.dir
                .create(kind, body_map.unwrap_or_default())
                .map(|o| Reply::json(201, st.dir.render(&o, &[])))
        }
        ("PATCH", [seg, id]) if kind_of(seg).is_some() => {
            let kind = kind_of(seg).unwrap_or(Kind::User);
            st.dir
                .update(kind, id, body_map.unwrap_or_default(), true)
                .map(|()| Reply::empty(204))
        }
        ("DELETE", [seg, id]) if kind_of(seg).is_some() => {
            let kind = kind_of(seg).unwrap_or(Kind::User);
            st.dir.delete(kind, id, false).map(|()| Reply::empty(204))
        }
        ("DELETE", ["directory", "deletedItems", id]) => {
            let kind = st.dir.deleted.get(*id).map_or(Kind::User, |o| o.kind);
            st.dir.delete(kind, id, true).map(|()| Reply::empty(204))
        }
        ("POST", ["groups", id, "members", "$ref"]) => match reference(body_map.as_ref()) {
            Some(m) => st.dir.add_member(id, &m).map(|()| Reply::empty(204)),
            None => return bad_ref(),
        },
        ("DELETE", ["groups", id, "members", m, "$ref"]) => {
            st.dir.remove_member(id, m).map(|()| Reply::empty(204))
        }
        ("POST", ["groups", id, "owners", "$ref"]) => match reference(body_map.as_ref()) {
            Some(m) => st.dir.add_owner(id, &m).map(|()| Reply::empty(204)),
            None => return bad_ref(),
        },
        ("DELETE", ["groups", id, "owners", m, "$ref"]) => {
            st.dir.remove_owner(id, m).map(|()| Reply::empty(204))
        }
        ("PUT", ["users", id, "manager", "$ref"]) => match reference(body_map.as_ref()) {
            Some(m) => st.dir.set_manager(id, Some(&m)).map(|()| Reply::empty(204)),
            None => return bad_ref(),
        },
        ("DELETE", ["users", id, "manager", "$ref"]) => {
            st.dir.set_manager(id, None).map(|()| Reply::empty(204))
        }
        _ => return not_found(),
    };
    match result {
        Ok(r) => r,
        Err(refusal) => Reply::refusal(&refusal, ""),
    }
}

fn not_found() -> Reply {
    Reply::error(
        404,
        "Request_ResourceNotFound",
        "Resource not found for the segment.",
    )
}

fn bad_ref() -> Reply {
    Reply::error(
        400,
        "Request_BadRequest",
        "The request needs an `@odata.id`.",
    )
}

/// The id at the end of an `@odata.id` URL.
fn reference(body: Option<&Map<String, Value>>) -> Option<String> {
    let url = body?.get("@odata.id")?.as_str()?;
    url.rsplit('/').next().map(str::to_owned)
}

fn extensions(st: &mut State, method: &str, body: Option<Map<String, Value>>) -> Reply {
    let app = st.config.client_id.replace('-', "");
    if method == "GET" {
        let items: Vec<Value> = st
            .dir
            .extensions
            .iter()
            .map(|e| {
                json!({"name": e.name, "dataType": e.data_type, "isMultiValued": e.multi, "targetObjects": e.targets})
            })
            .collect();
        return Reply::json(200, json!({ "value": items }));
    }
    let body = body.unwrap_or_default();
    let Some(name) = body.get("name").and_then(Value::as_str) else {
        return Reply::error(400, "Request_BadRequest", "An extension needs a `name`.");
    };
    let full = format!("extension_{app}_{name}");
    if st.dir.extensions.iter().any(|e| e.name == full) {
        return Reply::error(
            400,
            "Request_BadRequest",
            "An extension property exists with the name.",
        );
    }
    let ext = Extension {
        name: full.clone(),
        data_type: body
            .get("dataType")
            .and_then(Value::as_str)
            .unwrap_or("String")
            .to_owned(),
        multi: body.get("isMultiValued") == Some(&Value::Bool(true)),
        targets: body
            .get("targetObjects")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    };
    st.dir.extensions.push(ext.clone());
    Reply::json(
        201,
        json!({"name": full, "dataType": ext.data_type, "isMultiValued": ext.multi, "targetObjects": ext.targets}),
    )
}

/// One clause of `$filter`: `prop eq 'v'` or `startsWith(prop,'v')`.
fn clause_holds(o: &Value, clause: &str) -> bool {
    let c = clause.trim();
    let unquote = |s: &str| s.trim().trim_matches('\'').replace("''", "'");
    if let Some(rest) = c
        .strip_prefix("startsWith(")
        .or_else(|| c.strip_prefix("startswith("))
        && let Some((prop, v)) = rest.trim_end_matches(')').split_once(',')
    {
        let want = unquote(v).to_lowercase();
        return o
            .get(prop.trim())
            .and_then(Value::as_str)
            .is_some_and(|s| s.to_lowercase().starts_with(&want));
    }
    if let Some((prop, v)) = c.split_once(" eq ") {
        let want = unquote(v);
        return match o.get(prop.trim()) {
            Some(Value::String(s)) => s.eq_ignore_ascii_case(&want),
            Some(Value::Bool(b)) => b.to_string() == want,
            Some(Value::Array(a)) => a
                .iter()
                .any(|x| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(&want))),
            _ => false,
        };
    }
    false
}

/// `$filter`: clauses joined by `or` (each an `and` of clauses); no parentheses.
fn filter_holds(o: &Value, filter: &str) -> bool {
    filter
        .split(" or ")
        .any(|any| any.split(" and ").all(|c| clause_holds(o, c)))
}

fn list(st: &mut State, path: &str, params: &[(String, String)]) -> Reply {
    let kind = if path.contains("groups") {
        Kind::Group
    } else {
        Kind::User
    };
    if let Some((_, token)) = params.iter().find(|(k, _)| k == "$skiptoken") {
        return next_page(st, token);
    }
    let select = select_of(params);
    let filter = params.iter().find(|(k, _)| k == "$filter").map(|(_, v)| v);
    let top = params
        .iter()
        .find(|(k, _)| k == "$top")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let expand = crate::owners::expands_owners(params);
    let items: Vec<Value> = st
        .dir
        .objects
        .values()
        .filter(|o| o.kind == kind)
        .filter(|o| filter.is_none_or(|f| filter_holds(&Value::Object(o.props.clone()), f)))
        .map(|o| st.dir.render_expanded(o, &select, expand))
        .collect();
    let mut size = top.unwrap_or(st.config.page_size).max(1);
    if expand {
        size = size.min(crate::owners::EXPAND_PAGE_MAX);
    }
    page_sized(st, path, items, None, size)
}

/// Serves the first page of `items`, keeping the rest behind a `$skiptoken`.
pub(crate) fn page(
    st: &mut State,
    path: &str,
    items: Vec<Value>,
    delta: Option<crate::server::DeltaState>,
) -> Reply {
    let size = st.config.page_size.max(1);
    page_sized(st, path, items, delta, size)
}

fn page_sized(
    st: &mut State,
    path: &str,
    mut items: Vec<Value>,
    delta: Option<crate::server::DeltaState>,
    size: usize,
) -> Reply {
    let rest = items.split_off(size.min(items.len()));
    let mut out = Map::new();
    out.insert("value".into(), Value::Array(items));
    if rest.is_empty() {
        if let Some(d) = delta {
            let token = uuid::Uuid::new_v4().simple().to_string();
            let link = format!("{}/v1.0{}?$deltatoken={token}", st.base_url, d.path());
            st.deltas.insert(token, d);
            out.insert("@odata.deltaLink".into(), Value::String(link));
        }
    } else {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let link = format!("{}/v1.0{path}?$skiptoken={token}", st.base_url);
        st.cursors.insert(
            token,
            Cursor {
                items: rest,
                path: path.to_owned(),
                delta,
            },
        );
        out.insert("@odata.nextLink".into(), Value::String(link));
    }
    Reply::json(200, Value::Object(out))
}

/// The page after `token`.
pub(crate) fn next_page(st: &mut State, token: &str) -> Reply {
    match st.cursors.remove(token) {
        Some(c) => page(st, &c.path, c.items, c.delta),
        None => Reply::error(400, "BadRequest", "Unknown or used $skiptoken."),
    }
}
