//! The mapping both ways.

use super::*;
use syncrules_lang::name::AttrMap;

#[test]
fn dn_round_trips_through_the_anchor() {
    let dn = dn_for(Kind::User, Some("+4Bt4cam/7/mP/VXCzSyNA=="), "x");
    assert_eq!(dn, "CN={2B3442743463616D2F372F6D502F5658437A53794E413D3D}");
    assert_eq!(
        anchor_of_dn(&dn).as_deref(),
        Some("+4Bt4cam/7/mP/VXCzSyNA==")
    );
    assert_eq!(dn_for(Kind::Group, None, "g1"), "CN={Group_g1}");
    assert_eq!(anchor_of_dn("CN={Group_g1}"), None);
}

#[test]
fn body_then_attributes_give_back_the_values() {
    let attrs: AttrMap = [
        ("sourceAnchor", Value::str("abc=")),
        ("surname", Value::str("Doe")),
        ("telephoneNumber", Value::str("+1 555")),
        ("accountEnabled", Value::Bool(true)),
        (
            "onPremiseSecurityIdentifier",
            Value::Bin(vec![1u8, 5, 0].into()),
        ),
        (
            "proxyAddresses",
            Value::Multi(vec![Value::str("SMTP:a@b.c")].into()),
        ),
        ("manager", Value::Ref("CN={41}".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.into(), v))
    .collect();
    let (body, refs, exts) = body_for(Kind::User, &attrs, "app-1");
    assert_eq!(body["onPremisesImmutableId"], "abc=");
    assert_eq!(body["businessPhones"], serde_json::json!(["+1 555"]));
    assert_eq!(refs.len(), 1);
    assert_eq!(exts.len(), 2);
    let registered: Vec<Registered> = exts
        .iter()
        .map(|e| Registered {
            full: extension_name("app-1", &e.name),
            short: e.name.clone(),
            data_type: e.data_type.to_owned(),
        })
        .collect();
    let mut obj = body.clone();
    obj.insert("id".into(), Json::String("u1".into()));
    let back = attributes_of(Kind::User, &obj, &registered);
    for (k, v) in attrs.iter().filter(|(k, _)| *k != "manager") {
        assert_eq!(back.get(k), Some(v), "{k}");
    }
    assert_eq!(back["cloudAnchor"], Value::str("User_u1"));
}
