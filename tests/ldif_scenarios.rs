//! Scenarios in the shape: the default rules + an input LDIF → the expected
//! metaverse and pending exports, through the LDIF connector and the engine.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use std::path::{Path, PathBuf};

use syncrules::lang::Value;
use syncrules::lang::rules::{Plan, Report, load_rule_set};
use syncrules_connectors::{FileTarget, LdifSource};
use syncrules_engine::connector::ExportOp;
use syncrules_engine::model::{MvObject, State};
use syncrules_engine::run::{Cycle, Engine, Options};
use syncrules_engine::store::Store;

const AD: &str = "contoso.com";
const ENTRA: &str = "contoso.onmicrosoft.com";

/// Base64 of sixteen `n` bytes: an objectGUID.
fn guid(n: u8) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode([n; 16])
}

/// Base64 of a domain SID ending in RID `n`.
fn sid(n: u8) -> String {
    use base64::Engine as _;
    let mut b = vec![1u8, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0];
    b.extend_from_slice(&[7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, n, 4, 0, 0]);
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn person(cn: &str, ou: &str, n: u8, extra: &str) -> String {
    format!(
        "dn: CN={cn},{ou},DC=contoso,DC=com\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: {cn}\nobjectGUID:: {}\nobjectSid:: {}\nuserAccountControl: 512\n{extra}\n",
        guid(n),
        sid(n)
    )
}

const DIRECTORY: &str = "version: 1\n\n";

fn directory() -> String {
    let mut ldif = DIRECTORY.to_owned();
    ldif.push_str(&person("Ann Lee", "OU=Staff", 1, "sAMAccountName: alee\nuserPrincipalName: ann.lee@contoso.com\ngivenName: Ann\nsn: Lee\nmail: ann.lee@contoso.com\nproxyAddresses: SMTP:ann.lee@contoso.com\nproxyAddresses: smtp:ann@contoso.com\n"));
    // No userPrincipalName: the default rules fall back to sAMAccountName@%Domain.FQDN%.
    ldif.push_str(&person("Bob Ray", "OU=Staff", 2, "sAMAccountName: bray\n"));
    // Disabled: flows with accountEnabled false.
    ldif.push_str(
        &person("Cy Dunn", "OU=Staff", 3, "sAMAccountName: cdunn\n")
            .replace("userAccountControl: 512", "userAccountControl: 514"),
    );
    // Documented exclusions: a critical system object, a sync service account and a
    // replication-conflict victim.
    ldif.push_str(&person(
        "krbtgt",
        "CN=Users",
        4,
        "sAMAccountName: krbtgt\nisCriticalSystemObject: TRUE\n",
    ));
    ldif.push_str(&person(
        "MSOL_0123456789ab",
        "CN=Users",
        5,
        "sAMAccountName: MSOL_0123456789ab\n",
    ));
    ldif.push_str(&person(
        "Ann Lee\\0ACNF:0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b",
        "OU=Staff",
        6,
        "sAMAccountName: $DUPLICATE-1f4\n",
    ));
    ldif
}

struct Scenario {
    dir: tempfile::TempDir,
    engine: Engine,
    /// Each step's changes are committed here, as `syncrules run` does.
    store: Store,
}

fn plan() -> Plan {
    let mut report = Report::default();
    let set = load_rule_set(
        &[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")],
        &mut report,
    );
    Plan::build(&set, &mut report).unwrap()
}

fn scenario(ldif: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ad.ldif"), ldif).unwrap();
    let ad = LdifSource::new(AD, dir.path().join("ad.ldif"))
        .with_delta(dir.path().join("ad-delta.ldif"));
    let entra = FileTarget::new(ENTRA, dir.path().join("entra"));
    let options = Options {
        staging: true,
        now: chrono::Utc::now(),
        ..Options::default()
    };
    let engine = Engine::new(
        plan(),
        vec![Box::new(ad), Box::new(entra)],
        State::default(),
        options,
    );
    let store = Store::open(&dir.path().join("state")).unwrap();
    Scenario { dir, engine, store }
}

async fn cycle(s: &mut Scenario, cycle: Cycle) {
    for step in s.engine.cycle_steps(cycle) {
        let r = s.engine.run_step(&step).await.unwrap();
        assert!(r.errors.is_empty(), "{r:?}");
        // What the step says it changed is all it changed: the store, written with only
        // that, holds the state.
        let keys = syncrules_engine::store::JoinKeys::of(&s.engine.plan);
        s.store
            .commit(&mut s.engine.state, &r.changed, &keys)
            .unwrap();
        assert!(
            s.store.load().unwrap() == s.engine.state,
            "{} {}: the stored state differs",
            r.step,
            r.connector
        );
    }
}

fn person_named<'a>(state: &'a State, cn: &str) -> Option<&'a MvObject> {
    state
        .metaverse
        .objects
        .values()
        .find(|m| m.attributes.get("cn") == Some(&Value::from(cn)))
}

fn entra_export<'a>(
    state: &'a State,
    upn: &str,
) -> Option<(ExportOp, &'a syncrules_lang::AttrMap)> {
    state.spaces.get(ENTRA)?.objects.values().find_map(|o| {
        let p = o.pending_export.as_ref()?;
        (p.attributes.get("userPrincipalName") == Some(&Value::from(upn)))
            .then_some((p.op, &p.attributes))
    })
}

#[tokio::test]
async fn default_rules_from_an_ad_ldif() {
    let mut s = scenario(&directory());
    cycle(&mut s, Cycle::Initial).await;
    let state = &s.engine.state;

    // Critical system objects are out of the user rules' scope: never in the metaverse.
    assert!(person_named(state, "krbtgt").is_none());
    // A sync service account and a replication victim reach it, cloudFiltered.
    let msol = person_named(state, "MSOL_0123456789ab").unwrap();
    assert_eq!(msol.attributes["cloudFiltered"], Value::Bool(true));
    let victim = state
        .metaverse
        .objects
        .values()
        .find(|m| m.attributes.get("accountName") == Some(&Value::from("$DUPLICATE-1f4")))
        .unwrap();
    assert_eq!(victim.attributes["cloudFiltered"], Value::Bool(true));

    // Only the three ordinary users are provisioned to Entra.
    let adds: Vec<_> = state.spaces[ENTRA]
        .objects
        .values()
        .filter(|o| {
            o.pending_export
                .as_ref()
                .is_some_and(|p| p.op == ExportOp::Add)
        })
        .collect();
    assert_eq!(adds.len(), 3);
    let (_, ann) = entra_export(state, "ann.lee@contoso.com").unwrap();
    assert_eq!(ann["accountEnabled"], Value::Bool(true));
    let proxies: Vec<String> = ann["proxyAddresses"]
        .values()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        proxies.contains(&"SMTP:ann.lee@contoso.com".to_owned()),
        "{proxies:?}"
    );
    // sourceAnchor: objectGUID's base64 while mS-DS-ConsistencyGuid is empty.
    assert_eq!(
        person_named(state, "Ann Lee").unwrap().attributes["sourceAnchor"],
        Value::from(guid(1))
    );
    // UPN fallback, and a disabled account.
    assert!(entra_export(state, "bray@contoso.com").is_some());
    let (_, cy) = entra_export(state, "cdunn@contoso.com").unwrap();
    assert_eq!(cy["accountEnabled"], Value::Bool(false));
    // objectGUID is written back into the empty mS-DS-ConsistencyGuid of every user.
    let writebacks = state.spaces[AD]
        .objects
        .values()
        .filter(|o| {
            o.pending_export
                .as_ref()
                .is_some_and(|p| p.attributes.contains_key("mS-DS-ConsistencyGuid"))
        })
        .count();
    assert!(writebacks >= 3, "{writebacks}");
}

#[tokio::test]
async fn delta_ldif_changes_and_deletes_flow_to_pending_exports() {
    let mut s = scenario(&directory());
    s.engine.options.staging = false;
    cycle(&mut s, Cycle::Initial).await;
    // A second cycle confirms the exports.
    cycle(&mut s, Cycle::Delta).await;
    let delta = "dn: CN=Bob Ray,OU=Staff,DC=contoso,DC=com\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n-\n\ndn: CN=Ann Lee,OU=Staff,DC=contoso,DC=com\nchangetype: delete\n\n";
    let path: &Path = &s.dir.path().join("ad-delta.ldif");
    let mut log = std::fs::read_to_string(path).unwrap_or_default();
    log.push_str(delta);
    std::fs::write(path, log).unwrap();
    s.engine.options.staging = true;
    cycle(&mut s, Cycle::Delta).await;
    let entra = &s.engine.state.spaces[ENTRA];
    let pending: Vec<(ExportOp, Option<&Value>)> = entra
        .objects
        .values()
        .filter_map(|o| {
            o.pending_export
                .as_ref()
                .map(|p| (p.op, p.attributes.get("accountEnabled")))
        })
        .collect();
    assert!(pending.contains(&(ExportOp::Delete, None)), "{pending:?}");
    assert!(
        pending.contains(&(ExportOp::Update, Some(&Value::Bool(false)))),
        "{pending:?}"
    );
    assert_eq!(pending.len(), 2, "{pending:?}");
}
