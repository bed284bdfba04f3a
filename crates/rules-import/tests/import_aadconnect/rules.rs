//! Individual imported rules checked field by field: `In from AD - User Common`, join sides,
//! constants and Apply Once.

use syncrules_lang::rules::{Direction, FlowSource, LinkType, MergeType, ScopeOp, fingerprint};

use super::{AD, Outcome, corpus, fail, first, imported, read, rule};

/// `In from AD - User Common`, field by field against its XML.
#[test]
fn in_from_ad_user_common() -> Outcome {
    let imported = imported()?;
    let file = corpus()?.join(
        "SynchronizationRules/SynchronizationRule_{c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1}.xml",
    );
    let xml = read(&file)?;
    let r = rule(imported, "In from AD - User Common")?;
    assert_eq!(r.name, first(&xml, "name"));
    assert_eq!(r.description, None, "<description /> is empty");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.connector, AD);
    assert_eq!((r.source.as_str(), r.target.as_str()), ("user", "person"));
    assert_eq!(r.link, LinkType::Join);
    assert_eq!(r.precedence, 106);
    assert!(r.enabled, "<disabled>False</disabled>");
    let Some(vendor) = &r.vendor else {
        return fail("no vendor block");
    };
    assert_eq!(vendor.immutable_tag, "Microsoft.InfromADUserCommon.004");
    assert_eq!(vendor.fingerprint.as_deref(), Some(fingerprint(r).as_str()));
    let [group] = r.scope.as_slice() else {
        return fail(format!("one scope group expected: {:?}", r.scope));
    };
    let [clause] = group.as_slice() else {
        return fail(format!("one scope clause expected: {:?}", r.scope));
    };
    assert_eq!(
        (
            clause.attribute.as_str(),
            clause.operator,
            clause.value.as_str()
        ),
        ("adminDescription", ScopeOp::NotStartsWith, "User_")
    );
    assert!(r.join.is_empty(), "<relationshipCriteria />");
    // Every flow in file order: its target and what it reads.
    let mappings: Vec<&str> = xml.split("<mapping>").skip(1).collect();
    assert_eq!(r.flows.len(), mappings.len());
    assert_eq!(r.flows.len(), 68);
    for (flow, m) in r.flows.iter().zip(&mappings) {
        assert_eq!(flow.target, first(m, "dest"));
        assert_eq!(flow.merge, MergeType::Update);
        assert!(!flow.apply_once);
        let expected = if m.contains("<expression>") {
            FlowSource::Expression(first(m, "expression"))
        } else {
            FlowSource::Direct(first(m, "attr"))
        };
        assert_eq!(flow.source, expected, "flow to {}", flow.target);
    }
    let upn = r.flows.iter().find(|f| f.target == "userPrincipalName");
    assert_eq!(
        upn.map(|f| &f.source),
        Some(&FlowSource::Expression(
            r#"IIF(IsPresent([userPrincipalName]),[userPrincipalName], IIF(IsPresent([sAMAccountName]),([sAMAccountName]&"@"&%Domain.FQDN%),Error("AccountName is not present")))"#
                .to_owned()
        )),
        "`&amp;` is unescaped"
    );
    Ok(())
}

/// Join conditions: `csAttribute` is the connector side, `ilmAttribute` the metaverse side,
/// so an outbound rule's source is the metaverse attribute. Also constants and Apply Once.
#[test]
fn join_sides_constants_and_apply_once() -> Outcome {
    let imported = imported()?;
    let out = rule(imported, "Out to AD - Group Join")?;
    let condition = out.join.first().and_then(|g| g.first());
    assert_eq!(
        condition.map(|c| (c.source.as_str(), c.target.as_str(), c.case_sensitive)),
        Some(("sourceAnchorBinary", "objectGUID", false))
    );
    let inbound = rule(imported, "In from AD - Group Join")?;
    let condition = inbound.join.first().and_then(|g| g.first());
    assert_eq!(
        condition.map(|c| (c.source.as_str(), c.target.as_str())),
        Some(("objectGUID", "sourceAnchorBinary"))
    );
    let aad = rule(imported, "In from AAD - User Join")?;
    assert!(aad.join.iter().flatten().all(|c| c.case_sensitive));
    let user_join = rule(imported, "In from AD - User Join")?;
    assert_eq!(user_join.join.len(), 5, "five join groups, tried in order");
    let once: Vec<(&str, &FlowSource)> = imported
        .rules
        .iter()
        .flat_map(|r| &r.flows)
        .filter(|f| f.apply_once)
        .map(|f| (f.target.as_str(), &f.source))
        .collect();
    assert_eq!(
        once,
        [
            ("cloudCreated", &FlowSource::Constant("False".to_owned())),
            (
                "registeredOwnerReference",
                &FlowSource::Direct("mS-DS-CreatorSID".to_owned())
            ),
        ]
    );
    Ok(())
}
