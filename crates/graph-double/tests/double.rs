//! The double over HTTP: tokens and their expiry, paging by nextLink, delta rounds
//! (`@removed`, `members@delta` over several entries, changes outside `$select` not
//! surfacing), `$batch` limits and `dependsOn`.

#![expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test setup fails loudly"
)]

use serde_json::{Value, json};
use syncrules_graph_double::{Config, GraphDouble, Kind};

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn new(d: &GraphDouble) -> Client {
        let http = reqwest::Client::new();
        let c = Config::default();
        let form = format!(
            "client_id={}&client_secret={}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials",
            c.client_id, c.client_secret
        );
        let r: Value = http
            .post(format!("{}/t/oauth2/v2.0/token", d.base_url()))
            .body(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let token = r["access_token"].as_str().unwrap_or_default().to_owned();
        Client {
            http,
            base: d.base_url().to_owned(),
            token,
        }
    }

    async fn send(&self, method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}/v1.0{url}", self.base)
        };
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut req = self.http.request(m, url).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Every entry of a round from `url`, and its deltaLink.
    async fn round(&self, url: &str) -> (Vec<Value>, String) {
        let mut url = url.to_owned();
        let mut out = Vec::new();
        loop {
            let (status, page) = self.send("GET", &url, None).await;
            assert_eq!(status, 200, "{page}");
            out.extend(page["value"].as_array().cloned().unwrap_or_default());
            if let Some(next) = page["@odata.nextLink"].as_str() {
                assert!(next.starts_with(&self.base));
                url = next.to_owned();
            } else {
                let link = page["@odata.deltaLink"].as_str().unwrap_or_default();
                return (out, link.to_owned());
            }
        }
    }
}

fn user(i: usize) -> Value {
    json!({"accountEnabled": true, "displayName": format!("U{i}"), "mailNickname": format!("u{i}"),
           "userPrincipalName": format!("u{i}@contoso.com"), "passwordProfile": {"password": "x"}})
}

fn object(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[tokio::test]
async fn delta_rounds_page_merge_members_and_keep_to_their_select() {
    let config = Config {
        page_size: 3,
        members_per_entry: 2,
        ..Config::default()
    };
    let d = GraphDouble::start(config).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&d).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (s, u) = c.send("POST", "/users", Some(user(i))).await;
        assert_eq!(s, 201, "{u}");
        ids.push(u["id"].as_str().unwrap_or_default().to_owned());
    }
    let (s, dup) = c.send("POST", "/users", Some(user(0))).await;
    assert_eq!(s, 400);
    assert_eq!(dup["error"]["details"][0]["code"], "ObjectConflict");
    let group = json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true});
    let (_, g) = c.send("POST", "/groups", Some(group)).await;
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    for id in &ids {
        let r = json!({"@odata.id": format!("{}/v1.0/directoryObjects/{id}", c.base)});
        let (s, _) = c
            .send("POST", &format!("/groups/{gid}/members/$ref"), Some(r))
            .await;
        assert_eq!(s, 204);
    }
    let r = json!({"@odata.id": format!("x/{}", ids[0])});
    let (s, again) = c
        .send("POST", &format!("/groups/{gid}/members/$ref"), Some(r))
        .await;
    assert!(s == 400 && again.to_string().contains("already exist"));

    let (users, users_link) = c.round("/users/delta?$select=displayName").await;
    assert_eq!(users.len(), 5, "five users over two pages");
    let (groups, groups_link) = c.round("/groups/delta?$select=displayName,members").await;
    // Five members, two an entry: the group comes three times, its members split.
    assert_eq!(groups.len(), 3);
    let members: usize = groups
        .iter()
        .map(|g| g["members@delta"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(members, 5);

    // A change outside $select does not surface; inside it does; a delete is @removed.
    d.admin_update(Kind::User, &ids[1], object(json!({"jobTitle": "T"})))
        .unwrap_or_else(|e| panic!("{e}"));
    d.admin_update(Kind::User, &ids[2], object(json!({"displayName": "New"})))
        .unwrap_or_else(|e| panic!("{e}"));
    let (s, _) = c.send("DELETE", &format!("/users/{}", ids[3]), None).await;
    assert_eq!(s, 204);
    let (changed, _) = c.round(&users_link).await;
    let seen: Vec<(&str, bool)> = changed
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default(),
                u.get("@removed").is_some(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![(ids[2].as_str(), false), (ids[3].as_str(), true)]
    );
    assert_eq!(changed[1]["@removed"]["reason"], "changed", "soft-deleted");
    let (gchanged, _) = c.round(&groups_link).await;
    assert_eq!(gchanged.len(), 1);
    assert_eq!(
        gchanged[0]["members@delta"][0]["@removed"]["reason"],
        "deleted"
    );

    // Tokens expire on the double's clock.
    d.advance_clock(7200.0);
    let (s, e) = c.send("GET", "/users", None).await;
    assert_eq!(s, 401);
    assert_eq!(e["error"]["code"], "InvalidAuthenticationToken");
}

#[tokio::test]
async fn batches_are_at_most_twenty_and_a_failed_dependency_is_424() {
    let d = GraphDouble::start(Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&d).await;
    let many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users"}))
        .collect();
    let (s, _) = c
        .send("POST", "/$batch", Some(json!({ "requests": many })))
        .await;
    assert_eq!(s, 400);
    let requests = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/users", "body": user(1)},
        {"id": "2", "method": "POST", "url": "/users", "body": user(1)},
        {"id": "3", "method": "PATCH", "url": "/users/none", "body": {"jobTitle": "x"}, "dependsOn": ["2"]},
    ]});
    let (s, r) = c.send("POST", "/$batch", Some(requests)).await;
    assert_eq!(s, 200);
    let status = |id: &str| {
        r["responses"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["id"] == id)
            .map(|x| x["status"].clone())
    };
    assert_eq!(status("1"), Some(json!(201)));
    assert_eq!(status("2"), Some(json!(400)));
    assert_eq!(status("3"), Some(json!(424)));
    let items = d
        .log()
        .into_iter()
        .filter(|e| e.batch_item.is_some())
        .count();
    assert_eq!(items, 2, "the failed dependency was not carried out");
}

#[tokio::test]
async fn owners_by_ref_listed_and_expanded_but_never_in_a_delta_round() {
    let d = GraphDouble::start(Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&d).await;
    let owners = syncrules_graph_double::EXPAND_MAX + 2;
    let mut ids = Vec::new();
    for i in 0..owners {
        let (s, u) = c.send("POST", "/users", Some(user(i))).await;
        assert_eq!(s, 201, "{u}");
        ids.push(u["id"].as_str().unwrap_or_default().to_owned());
    }
    let group = json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true});
    let (_, g) = c.send("POST", "/groups", Some(group.clone())).await;
    let gid = g["id"].as_str().unwrap_or_default().to_owned();
    let (_, other) = c
        .send(
            "POST",
            "/groups",
            Some(json!({"displayName": "H", "mailEnabled": false, "mailNickname": "h", "securityEnabled": true})),
        )
        .await;
    let (_, groups_link) = c.round("/groups/delta?$select=displayName,members").await;
    let owner_ref = |id: &str| json!({"@odata.id": format!("{}/v1.0/users/{id}", c.base)});
    for id in &ids {
        let (s, e) = c
            .send(
                "POST",
                &format!("/groups/{gid}/owners/$ref"),
                Some(owner_ref(id)),
            )
            .await;
        assert_eq!(s, 204, "{e}");
    }
    let (s, again) = c
        .send(
            "POST",
            &format!("/groups/{gid}/owners/$ref"),
            Some(owner_ref(&ids[0])),
        )
        .await;
    assert!(
        s == 400 && again.to_string().contains("already exist"),
        "{again}"
    );
    // A group is no owner.
    let other_id = other["id"].as_str().unwrap_or_default();
    let (s, _) = c
        .send(
            "POST",
            &format!("/groups/{gid}/owners/$ref"),
            Some(owner_ref(other_id)),
        )
        .await;
    assert_eq!(s, 400);

    // Listed in full (paged); expanded up to the limit.
    let (s, list) = c
        .send("GET", &format!("/groups/{gid}/owners?$top=999"), None)
        .await;
    assert_eq!(s, 200);
    let mut listed = list["value"].as_array().map_or(0, Vec::len);
    let mut next = list["@odata.nextLink"].as_str().map(str::to_owned);
    while let Some(url) = next {
        let (_, page) = c.send("GET", &url, None).await;
        listed += page["value"].as_array().map_or(0, Vec::len);
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(listed, owners);
    let (_, one) = c
        .send(
            "GET",
            &format!("/groups/{gid}?$select=id&$expand=owners($select=id)"),
            None,
        )
        .await;
    assert_eq!(
        one["owners"].as_array().map(Vec::len),
        Some(syncrules_graph_double::EXPAND_MAX)
    );
    let (_, all) = c
        .send("GET", "/groups?$select=id&$expand=owners($select=id)", None)
        .await;
    let h = all["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|x| x["id"] == other["id"])
        .cloned()
        .unwrap_or_default();
    assert_eq!(h["owners"], json!([]));

    // Owner changes make no delta entry.
    let (changed, _) = c.round(&groups_link).await;
    assert_eq!(changed, Vec::<Value>::new());

    // Removing: a non-owner is 404; deleting a user ends its ownership.
    let (s, _) = c
        .send(
            "DELETE",
            &format!("/groups/{gid}/owners/{}/$ref", ids[0]),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _) = c
        .send(
            "DELETE",
            &format!("/groups/{gid}/owners/{}/$ref", ids[0]),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = c.send("DELETE", &format!("/users/{}", ids[1]), None).await;
    assert_eq!(s, 204);
    let held = d
        .groups()
        .into_iter()
        .find(|x| x.id == gid)
        .map(|x| x.owners.len());
    assert_eq!(held, Some(owners - 2));
}
