//! The project's default rules, end to end: AD objects into the metaverse and out to
//! Entra as pending exports.

mod common;

use common::*;
use syncrules_engine::connector::ExportOp;
use syncrules_engine::model::State;
use syncrules_lang::Value;

const AD: &str = "contoso.com";
const ENTRA: &str = "contoso.onmicrosoft.com";

#[test]
fn ad_user_is_projected_and_provisioned_to_entra() {
    let plan = default_plan();
    let mut state = State::default();
    let report = import_and_sync(
        &mut state,
        &plan,
        AD,
        vec![ad_user(
            "John Doe",
            7,
            &[("givenName", " John ".into()), ("sn", "Doe".into())],
        )],
        true,
    );
    assert_eq!(report.errors, [], "{report:?}");
    assert_eq!(report.projected, 1);
    let mv = state.metaverse.objects.values().next().unwrap();
    assert_eq!(mv.object_type, "person");
    assert_eq!(mv.attributes["givenName"], Value::from("John"));
    assert_eq!(mv.attributes["accountEnabled"], Value::Bool(true));
    assert_eq!(
        mv.attributes["userPrincipalName"],
        Value::from("john.doe@contoso.com")
    );
    assert_eq!(
        mv.attributes["sourceAnchor"],
        Value::from("BwcHBwcHBwcHBwcHBwcHBw==")
    );
    let entra = &state.spaces[ENTRA];
    let user = entra.objects.values().next().unwrap();
    let export = user.pending_export.as_ref().unwrap();
    assert_eq!(export.op, ExportOp::Add);
    assert_eq!(
        export.attributes["userPrincipalName"],
        Value::from("john.doe@contoso.com")
    );
    assert_eq!(export.attributes["accountEnabled"], Value::Bool(true));
    assert!(user.provisioned);
    eprintln!("{:#?}", export.attributes.keys().collect::<Vec<_>>());
}
