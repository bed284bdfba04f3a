//! Reference attributes (group members) following renames and deletes of what they name.

use crate::common::*;
use crate::{FLOWS, user};
use syncrules_engine::connector::Change;
use syncrules_engine::model::State;
use syncrules_lang::Value;

#[test]
fn references_follow_renames_and_deletes() {
    let hr_like = rule(
        "In",
        "inbound",
        "ad",
        "user",
        "person",
        10,
        &format!(
            "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\n{FLOWS}"
        ),
    );
    let groups = rule(
        "In groups",
        "inbound",
        "ad",
        "group",
        "group",
        20,
        "link: provision\njoin:\n  - - source: objectGUID\n      target: objectGUID\nflows:\n  - target: objectGUID\n    source: objectGUID\n  - target: member\n    source: member\n",
    );
    let plan = scenario_plan(&[hr_like, groups]);
    let mut state = State::default();
    let group = |members: &[&str]| {
        obj(
            "CN=g,DC=x",
            "grp",
            "group",
            &[
                ("objectGUID", "grp".into()),
                (
                    "member",
                    Value::multi(members.iter().map(Value::reference).collect()),
                ),
            ],
        )
    };
    import_and_sync(
        &mut state,
        &plan,
        "ad",
        vec![
            user("a", "g1", &[]),
            user("b", "g2", &[]),
            group(&["CN=a,DC=x", "CN=b,DC=x"]),
        ],
        true,
    );
    let members = |state: &State| {
        let g = state
            .metaverse
            .objects
            .values()
            .find(|m| m.object_type == "group")
            .unwrap();
        g.attributes["member"].values().len()
    };
    assert_eq!(members(&state), 2);
    // a is renamed; the directory has not rewritten the group's member value yet.
    let mut renamed = user("a2", "g1", &[]);
    renamed.change = Change::Modify;
    renamed.old_dn = Some("CN=a,DC=x".into());
    import_and_sync(&mut state, &plan, "ad", vec![renamed], false);
    let mut touched_group = group(&["CN=a,DC=x", "CN=b,DC=x"]);
    touched_group.change = Change::Modify;
    import_and_sync(&mut state, &plan, "ad", vec![touched_group], false);
    assert_eq!(
        members(&state),
        2,
        "the old DN still names the renamed user"
    );
    // b is deleted: the reference goes with it.
    let mut gone = user("b", "g2", &[]);
    gone.change = Change::Delete;
    let mut touched_group = group(&["CN=a2,DC=x", "CN=b,DC=x"]);
    touched_group.change = Change::Modify;
    import_and_sync(&mut state, &plan, "ad", vec![gone, touched_group], false);
    assert_eq!(members(&state), 1);
}
