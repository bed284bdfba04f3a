//! The connectors declared by the import: named and identified by their files, with the AD
//! connector's parameters, and the default precedence band.

use syncrules_lang::rules::ConnectorKind;

use super::{AAD, AD, Outcome, corpus, fail, files, first, imported, raw_rules, read, section};

#[test]
fn connectors_are_named_by_their_files() -> Outcome {
    let imported = imported()?;
    let mut names = Vec::new();
    for file in files(&corpus()?.join("Connectors"))? {
        let xml = read(&file)?;
        let ma = section(&xml, "ma-data");
        names.push(first(ma, "name"));
        let id = first(ma, "id").to_lowercase();
        let declared = imported.config.connectors.get(&first(ma, "name"));
        assert_eq!(
            declared.and_then(|c| c.id.clone()),
            Some(id),
            "{}",
            file.display()
        );
    }
    let declared: Vec<String> = imported.config.connectors.keys().cloned().collect();
    assert_eq!(declared, names);
    assert_eq!(names, [AD, AAD]);
    for rule in &imported.rules {
        assert!(
            names.contains(&rule.connector),
            "rule `{}` names connector `{}`",
            rule.name,
            rule.connector
        );
    }
    let kinds: Vec<ConnectorKind> = imported
        .config
        .connectors
        .values()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [ConnectorKind::ActiveDirectory, ConnectorKind::EntraId]
    );
    let by = |c: &str| imported.rules.iter().filter(|r| r.connector == c).count();
    assert_eq!((by(AD), by(AAD)), (29, 33));
    Ok(())
}

#[test]
fn ad_parameters_and_default_band() -> Outcome {
    let imported = imported()?;
    let Some(ad) = imported.config.connectors.get(AD) else {
        return fail("no AD connector");
    };
    let params: Vec<(&str, &str)> = ad
        .parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("Domain.FQDN", "contoso.com"),
            ("Domain.Netbios", "CONTOSO"),
            ("Domain.LDAP", "DC=contoso,DC=com"),
            ("Forest.FQDN", "contoso.com"),
            ("Forest.Netbios", "CONTOSO"),
            ("Forest.LDAP", "DC=contoso,DC=com"),
        ]
    );
    let aad = imported.config.connectors.get(AAD);
    assert!(aad.is_some_and(|c| c.parameters.is_empty()));
    let precedences = raw_rules()?
        .iter()
        .map(|(_, r)| r.precedence)
        .collect::<Vec<_>>();
    let band = precedences
        .iter()
        .min()
        .copied()
        .zip(precedences.iter().max().copied());
    assert_eq!(imported.config.default_band, band);
    assert_eq!(imported.config.default_band, Some((100, 161)));
    Ok(())
}
