//! Two forests into one tenant with the default rules instantiated for both: the deletion
//! window keeps a migrated user one person, in either order, and ends in a delete when
//! nothing joins; account-resource pairs become one person.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "scenario setup fails loudly"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use syncrules_engine::connector::{Change, ExportOp, ImportEntry};
use syncrules_engine::model::{MvId, State};
use syncrules_engine::sync::{SyncContext, SyncReport};
use syncrules_lang::Value;
use syncrules_lang::rules::{
    Instance, Instances, Matching, Plan, Report, UserMatching, instantiate, load_rule_set,
};
use syncrules_lang::span::Span;

use crate::common::*;

const ENTRA: &str = "contoso.onmicrosoft.com";
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The default rules for contoso.com (the template's namesake) and fabrikam.com.
fn two_forests(matching: Option<Matching>) -> Plan {
    let rules = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut report = Report::default();
    let mut set = load_rule_set(&[rules], &mut report);
    let contoso = set.config.connectors["contoso.com"].parameters.clone();
    let fabrikam: IndexMap<String, String> = contoso
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace("contoso", "fabrikam")
                .replace("CONTOSO", "FABRIKAM");
            (k.clone(), v)
        })
        .collect();
    let instance = |name: &str, parameters| Instance::new(name, "contoso.com", parameters);
    let connectors = [
        instance("contoso.com", contoso),
        instance("fabrikam.com", fabrikam),
    ];
    let matching = matching.map(|option| UserMatching {
        option,
        span: Span::default(),
    });
    let instances = Instances {
        file: Path::new("sync.yaml"),
        connectors: &connectors,
        matching: matching.as_ref(),
    };
    instantiate(&mut set, &instances, &mut report);
    let plan = Plan::build(&set, &mut report);
    assert_eq!(report.errors(), 0, "{}", report.render());
    plan.unwrap()
}

/// Imports `entries` into `connector` as a delta and syncs it at `at`; no object fails.
fn step(
    state: &mut State,
    plan: &Plan,
    connector: &str,
    entries: Vec<ImportEntry>,
    at: DateTime<Utc>,
    window: Option<Duration>,
) -> SyncReport {
    let ctx = SyncContext {
        plan,
        now: at,
        deletion_window: window,
    };
    let report = import_and_sync_in(state, &ctx, connector, entries, false);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
}

/// Ada's contoso account is deleted, at `at`.
fn ada_leaves_contoso(
    state: &mut State,
    plan: &Plan,
    at: DateTime<Utc>,
    window: Option<Duration>,
) -> SyncReport {
    let entries = vec![gone(user("contoso.com", "Ada", 1, None))];
    step(state, plan, "contoso.com", entries, at, window)
}

/// Ada is created in fabrikam with her contoso anchor in mS-DS-ConsistencyGuid, at `at`.
fn ada_arrives_in_fabrikam(
    state: &mut State,
    plan: &Plan,
    at: DateTime<Utc>,
    window: Option<Duration>,
) -> SyncReport {
    let entries = vec![user("fabrikam.com", "Ada", 2, Some(1))];
    step(state, plan, "fabrikam.com", entries, at, window)
}

/// A user of `domain`: `guid` its objectGUID byte, `consistency` its
/// mS-DS-ConsistencyGuid byte if set.
fn user(domain: &str, cn: &str, guid: u8, consistency: Option<u8>) -> ImportEntry {
    let dc = domain.split('.').next().unwrap_or(domain);
    let mut attrs = vec![
        ("cn", Value::from(cn)),
        ("sAMAccountName", Value::from(cn.to_lowercase())),
        (
            "userPrincipalName",
            Value::from(format!("{}@{domain}", cn.to_lowercase())),
        ),
        ("objectGUID", Value::bin([guid; 16])),
        ("userAccountControl", Value::Num(512)),
        (
            "objectSid",
            Value::bin([1, 1, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, guid, 0, 0, 0]),
        ),
    ];
    if let Some(c) = consistency {
        attrs.push(("mS-DS-ConsistencyGuid", Value::bin([c; 16])));
    }
    entry(
        Change::Present,
        &format!("CN={cn},OU=Users,DC={dc},DC=com"),
        &format!("{dc}-{guid}"),
        "user",
        &attrs,
    )
}

/// `entry` as a delete.
fn gone(mut entry: ImportEntry) -> ImportEntry {
    entry.change = Change::Delete;
    entry.attributes.clear();
    entry
}

/// The metaverse person whose sourceAnchorBinary is `[byte; 16]`.
fn person(state: &State, byte: u8) -> Option<MvId> {
    let want = Value::bin([byte; 16]);
    state
        .metaverse
        .objects
        .values()
        .find(|m| m.attributes.get("sourceAnchorBinary") == Some(&want))
        .map(|m| m.id)
}

/// The Entra pending exports' operations.
fn entra_ops(state: &State) -> Vec<ExportOp> {
    pending(state, ENTRA)
        .into_iter()
        .map(|(op, _)| op)
        .collect()
}

/// Ada in contoso, provisioned to Entra; the run's start time.
fn start(plan: &Plan, window: Option<Duration>) -> (State, DateTime<Utc>) {
    let t0 = now();
    let mut state = State::default();
    step(
        &mut state,
        plan,
        "contoso.com",
        vec![user("contoso.com", "Ada", 1, None)],
        t0,
        window,
    );
    step(&mut state, plan, ENTRA, Vec::new(), t0, window);
    assert_eq!(entra_ops(&state), [ExportOp::Add]);
    (state, t0)
}

#[test]
fn a_user_deleted_in_one_forest_and_created_in_another_a_day_later_stays_one_person() {
    let plan = two_forests(None);
    let window = Some(3 * DAY);
    let (mut state, t0) = start(&plan, window);
    let ada = person(&state, 1).unwrap();

    let r = ada_leaves_contoso(&mut state, &plan, t0, window);
    assert_eq!((r.held, r.deleted), (1, 0));
    assert_eq!(state.held.get(&ada), Some(&t0));
    // Held: the person and its Entra object stay; nothing is staged as a delete.
    assert!(state.metaverse.objects.contains_key(&ada));
    assert!(!entra_ops(&state).contains(&ExportOp::Delete));

    // A day later, fabrikam's copy carries Ada's anchor in mS-DS-ConsistencyGuid.
    let t1 = t0 + chrono::Duration::days(1);
    let r = ada_arrives_in_fabrikam(&mut state, &plan, t1, window);
    assert_eq!((r.joined, r.projected, r.deleted), (1, 0, 0));
    assert_eq!(person(&state, 1), Some(ada));
    assert!(state.held.is_empty());
    let upn = &state.metaverse.objects[&ada].attributes["userPrincipalName"];
    assert_eq!(upn, &Value::from("ada@fabrikam.com"));
    step(&mut state, &plan, ENTRA, Vec::new(), t1, window);
    assert_eq!(entra_ops(&state), [ExportOp::Add]);
    assert_eq!(state.metaverse.objects.len(), 1);
}

#[test]
fn the_new_forest_first_then_the_delete_keeps_the_person_without_a_window() {
    let plan = two_forests(None);
    let (mut state, t0) = start(&plan, None);
    let ada = person(&state, 1).unwrap();
    ada_arrives_in_fabrikam(&mut state, &plan, t0, None);
    let r = ada_leaves_contoso(&mut state, &plan, t0, None);
    assert_eq!((r.held, r.deleted), (0, 0));
    assert_eq!(person(&state, 1), Some(ada));
    step(&mut state, &plan, ENTRA, Vec::new(), t0, None);
    assert_eq!(entra_ops(&state), [ExportOp::Add]);
}

#[test]
fn a_held_person_nothing_joins_is_deleted_by_the_first_sync_after_the_window() {
    let plan = two_forests(None);
    let window = Some(3 * DAY);
    let (mut state, t0) = start(&plan, window);
    let ada = person(&state, 1).unwrap();
    ada_leaves_contoso(&mut state, &plan, t0, window);
    // Still within the window: any sync leaves it held.
    let r = step(
        &mut state,
        &plan,
        "fabrikam.com",
        Vec::new(),
        t0 + chrono::Duration::days(2),
        window,
    );
    assert_eq!(r.deleted, 0);
    assert!(state.metaverse.objects.contains_key(&ada));
    // After it: the next sync, of any connector, deletes it as it would have at once.
    let r = step(
        &mut state,
        &plan,
        "fabrikam.com",
        Vec::new(),
        t0 + chrono::Duration::days(3),
        window,
    );
    assert_eq!(r.deleted, 1);
    assert!(state.held.is_empty());
    assert!(!state.metaverse.objects.contains_key(&ada));
    // Never exported, its Entra object is dropped rather than deleted.
    assert!(entra_ops(&state).is_empty());
}

#[test]
fn without_a_window_the_person_is_deleted_in_the_same_sync() {
    let plan = two_forests(None);
    let (mut state, t0) = start(&plan, None);
    let r = ada_leaves_contoso(&mut state, &plan, t0, None);
    assert_eq!((r.held, r.deleted), (0, 1));
    assert!(state.metaverse.objects.is_empty());
}

#[test]
fn an_account_and_its_linked_mailbox_become_one_person_in_either_order() {
    let plan = two_forests(Some(Matching::AccountResource));
    // The account forest is the one listed second: the enabled account must still sign
    // in, whatever the precedence order of the forests.
    let account = user("fabrikam.com", "Bo", 1, None);
    let sid = account.attributes["objectSid"].clone();
    let mut shadow = user("contoso.com", "Bo", 2, None);
    shadow
        .attributes
        .insert("userAccountControl".into(), Value::Num(514));
    shadow
        .attributes
        .insert("msExchRecipientTypeDetails".into(), Value::Num(2));
    shadow
        .attributes
        .insert("msExchMasterAccountSid".into(), sid);
    shadow
        .attributes
        .insert("mail".into(), Value::from("bo.mailbox@contoso.com"));
    shadow.attributes.shift_remove("userPrincipalName");
    for shadow_first in [false, true] {
        let mut state = State::default();
        let order = if shadow_first {
            [
                ("contoso.com", shadow.clone()),
                ("fabrikam.com", account.clone()),
            ]
        } else {
            [
                ("fabrikam.com", account.clone()),
                ("contoso.com", shadow.clone()),
            ]
        };
        for (connector, e) in order {
            step(&mut state, &plan, connector, vec![e], now(), None);
        }
        assert_eq!(
            state.metaverse.objects.len(),
            1,
            "shadow first: {shadow_first}"
        );
        let m = state.metaverse.objects.values().next().unwrap();
        let get = |a: &str| m.attributes.get(a).cloned().unwrap_or(Value::Null);
        // The account signs in; the shadow brings the mailbox.
        assert_eq!(get("userPrincipalName"), Value::from("bo@fabrikam.com"));
        assert_eq!(get("accountEnabled"), Value::Bool(true));
        assert_eq!(get("sourceAnchorBinary"), Value::bin([1; 16]));
        assert_eq!(get("sourceAnchor"), Value::from("AQEBAQEBAQEBAQEBAQEBAQ=="));
        assert_eq!(get("mail"), Value::from("bo.mailbox@contoso.com"));
        assert!(m.links.contains_key("contoso.com") && m.links.contains_key("fabrikam.com"));
    }
}

/// A foreign security principal in fabrikam standing for the contoso SID of `guid`.
fn fsp(guid: u8) -> ImportEntry {
    let sid = [1, 1, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, guid, 0, 0, 0];
    entry(
        Change::Present,
        &format!("CN=S-1-5-21-{guid},CN=ForeignSecurityPrincipals,DC=fabrikam,DC=com"),
        &format!("fsp-{guid}"),
        "foreignSecurityPrincipal",
        &[
            ("cn", Value::from(format!("S-1-5-21-{guid}"))),
            ("objectGUID", Value::bin([100 + guid; 16])),
            ("objectSid", Value::bin(sid)),
        ],
    )
}

#[test]
fn a_member_from_the_other_forest_resolves_and_one_filtered_or_unknown_is_dropped() {
    let plan = two_forests(None);
    let t0 = now();
    let mut state = State::default();
    // Ada is synced; MSOL_sync is a contoso account Entra Connect filters out.
    let mut filtered = user("contoso.com", "MSOL_sync", 3, None);
    filtered
        .attributes
        .insert("sAMAccountName".into(), Value::from("MSOL_sync"));
    step(
        &mut state,
        &plan,
        "contoso.com",
        vec![user("contoso.com", "Ada", 1, None), filtered],
        t0,
        None,
    );
    let local = user("fabrikam.com", "Bea", 2, None);
    let members = [
        Value::reference(local.dn.as_str()),
        Value::reference(fsp(1).dn.as_str()),
        Value::reference(fsp(3).dn.as_str()),
        // A SID no forest synchronizes.
        Value::reference(fsp(9).dn.as_str()),
    ];
    let group = entry(
        Change::Present,
        "CN=Partners,OU=Groups,DC=fabrikam,DC=com",
        "fabrikam-group",
        "group",
        &[
            ("cn", Value::from("Partners")),
            ("sAMAccountName", Value::from("Partners")),
            ("objectGUID", Value::bin([50; 16])),
            ("groupType", Value::Num(-2_147_483_644)),
            ("member", Value::multi(members.to_vec())),
        ],
    );
    step(
        &mut state,
        &plan,
        "fabrikam.com",
        vec![local, fsp(1), fsp(3), fsp(9), group],
        t0,
        None,
    );
    step(&mut state, &plan, ENTRA, Vec::new(), t0, None);
    // The Entra objects of Ada and Bea, by their source anchors.
    let entra = |byte: u8| {
        let mv = person(&state, byte).unwrap();
        let cs = state.metaverse.objects[&mv].links[ENTRA];
        state.spaces[ENTRA].objects[&cs].dn.to_lowercase()
    };
    let space = &state.spaces[ENTRA];
    let g = space
        .objects
        .values()
        .find(|o| o.object_type == "group")
        .unwrap();
    let exported = &g.pending_export.as_ref().unwrap().attributes["member"];
    let mut got: Vec<String> = exported
        .values()
        .iter()
        .map(|v| match v {
            Value::Ref(s) | Value::Str(s) => s.to_lowercase(),
            other => panic!("a member that is not a reference: {other:?}"),
        })
        .collect();
    got.sort();
    let mut want = vec![entra(1), entra(2)];
    want.sort();
    assert_eq!(got, want);
    // The filtered account's principal joined its person, which has no Entra object.
    let msol = person(&state, 3).unwrap();
    assert!(!state.metaverse.objects[&msol].links.contains_key(ENTRA));
    assert!(
        state.metaverse.objects[&msol]
            .links
            .contains_key("fabrikam.com")
    );
}

#[test]
fn an_account_without_user_account_control_yields_to_an_enabled_one_in_a_later_forest() {
    // The same person, joined on mail: in contoso (listed first) without
    // userAccountControl, in fabrikam enabled. The enabled account signs in.
    let plan = two_forests(Some(Matching::Mail));
    let mail = ("mail", Value::from("cy@contoso.com"));
    let mut first = user("contoso.com", "Cy", 4, None);
    first.attributes.shift_remove("userAccountControl");
    first.attributes.insert(mail.0.into(), mail.1.clone());
    let mut second = user("fabrikam.com", "Cy", 5, None);
    second.attributes.insert(mail.0.into(), mail.1.clone());
    let mut state = State::default();
    step(&mut state, &plan, "contoso.com", vec![first], now(), None);
    step(&mut state, &plan, "fabrikam.com", vec![second], now(), None);
    assert_eq!(state.metaverse.objects.len(), 1);
    let m = state.metaverse.objects.values().next().unwrap();
    assert_eq!(
        m.attributes.get("userPrincipalName"),
        Some(&Value::from("cy@fabrikam.com"))
    );
    assert_eq!(m.attributes.get("accountEnabled"), Some(&Value::Bool(true)));
}

#[test]
fn samaccountname_and_mailnickname_match_one_person_and_either_alone_does_not() {
    let plan = two_forests(Some(Matching::SamAccountNameMailNickname));
    let with = |mut e: ImportEntry, sam: &str, alias: &str| {
        e.attributes
            .insert("sAMAccountName".into(), Value::from(sam));
        e.attributes
            .insert("mailNickname".into(), Value::from(alias));
        e
    };
    let mut state = State::default();
    step(
        &mut state,
        &plan,
        "contoso.com",
        vec![
            with(user("contoso.com", "Di", 6, None), "di", "di"),
            with(user("contoso.com", "Ed", 7, None), "ed", "ed"),
        ],
        now(),
        None,
    );
    step(
        &mut state,
        &plan,
        "fabrikam.com",
        vec![
            // Both match Di; only the account name matches Ed.
            with(user("fabrikam.com", "Di", 8, None), "di", "di"),
            with(user("fabrikam.com", "Ed", 9, None), "ed", "edward"),
        ],
        now(),
        None,
    );
    let di = person(&state, 6).unwrap();
    assert!(
        state.metaverse.objects[&di]
            .links
            .contains_key("fabrikam.com")
    );
    assert_eq!(person(&state, 8), None);
    assert!(
        person(&state, 9).is_some(),
        "Ed of fabrikam is a person of its own"
    );
    assert_eq!(state.metaverse.objects.len(), 3);
}

#[test]
fn binary_join_values_compare_exactly_not_by_their_base64_folded() {
    // Two SIDs whose base64 differ only in the case of one letter ("AAAA..." and
    // "aAAA..."): a linked mailbox naming the second joins that account, not both.
    let plan = two_forests(Some(Matching::AccountResource));
    let mut x = user("contoso.com", "Xu", 10, None);
    x.attributes
        .insert("objectSid".into(), Value::bin([0u8; 16]));
    let mut y_sid = [0u8; 16];
    y_sid[0] = 0x68;
    let mut y = user("contoso.com", "Yu", 11, None);
    y.attributes.insert("objectSid".into(), Value::bin(y_sid));
    let mut shadow = user("fabrikam.com", "Yu", 12, None);
    shadow
        .attributes
        .insert("userAccountControl".into(), Value::Num(514));
    shadow
        .attributes
        .insert("msExchRecipientTypeDetails".into(), Value::Num(2));
    shadow
        .attributes
        .insert("msExchMasterAccountSid".into(), Value::bin(y_sid));
    let mut state = State::default();
    step(&mut state, &plan, "contoso.com", vec![x, y], now(), None);
    step(&mut state, &plan, "fabrikam.com", vec![shadow], now(), None);
    let yu = person(&state, 11).unwrap();
    assert!(
        state.metaverse.objects[&yu]
            .links
            .contains_key("fabrikam.com")
    );
    assert_eq!(state.metaverse.objects.len(), 2);
}

#[test]
fn a_disabled_inet_org_person_still_gets_its_sign_in_attributes() {
    let plan = two_forests(None);
    let mut io = user("contoso.com", "Fe", 13, None);
    io.object_type = "inetOrgPerson".to_owned();
    io.attributes
        .insert("userAccountControl".into(), Value::Num(514));
    let mut state = State::default();
    step(&mut state, &plan, "contoso.com", vec![io], now(), None);
    let m = &state.metaverse.objects[&person(&state, 13).unwrap()];
    assert_eq!(
        m.attributes.get("userPrincipalName"),
        Some(&Value::from("fe@contoso.com"))
    );
    assert_eq!(
        m.attributes.get("accountEnabled"),
        Some(&Value::Bool(false))
    );
}
