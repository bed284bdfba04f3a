//! The `%Domain.*%` and `%Forest.*%` parameters of an Active Directory connector file: read
//! where the file records them, derived (and reported) where it does not. See the
//! [`aadconnect`](super::aadconnect) module documentation.

use indexmap::IndexMap;

use super::xml::{Document, Element};

/// The `parameter-values/parameter` elements of `element`, by name (non-empty values only).
fn parameter_values(element: Option<&Element>) -> IndexMap<String, String> {
    element
        .and_then(|e| e.child("parameter-values"))
        .map(|pv| {
            pv.all("parameter")
                .filter_map(|p| {
                    let value = p.text.trim();
                    let name = p.attr("name")?;
                    (!value.is_empty()).then(|| (name.to_owned(), value.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `DC=contoso,DC=com` → `contoso.com`, when every RDN is a `DC=`.
fn fqdn_of_dn(dn: &str) -> Option<String> {
    let labels: Option<Vec<&str>> = dn
        .split(',')
        .map(|rdn| {
            let (k, v) = rdn.split_once('=')?;
            k.trim().eq_ignore_ascii_case("DC").then(|| v.trim())
        })
        .collect();
    labels
        .filter(|l| !l.is_empty() && l.iter().all(|s| !s.is_empty()))
        .map(|l| l.join("."))
}

/// `contoso.com` → `DC=contoso,DC=com`.
fn dn_of_fqdn(fqdn: &str) -> String {
    fqdn.split('.')
        .map(|l| format!("DC={l}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `contoso.com` → `CONTOSO`.
fn netbios_guess(fqdn: &str) -> String {
    fqdn.split('.').next().unwrap_or(fqdn).to_ascii_uppercase()
}

/// The `%Domain.*%` and `%Forest.*%` parameters of an Active Directory connector file.
pub(super) fn ad_parameters(
    doc: &Document,
    connector: &str,
    warnings: &mut Vec<String>,
) -> IndexMap<String, String> {
    let file = doc.path.display();
    let adma = doc
        .root
        .child("private-configuration")
        .and_then(|p| p.child("adma-configuration"));
    let forest = parameter_values(adma);
    let domains: Vec<&Element> = doc
        .root
        .child("ma-partition-data")
        .map(|d| d.all("partition").collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.child_text("selected") == Some("1"))
        .filter(|p| {
            let data = p
                .child("custom-data")
                .and_then(|c| c.child("adma-partition-data"));
            match data.and_then(|d| d.child_text("is-domain")) {
                Some(flag) => flag == "1",
                None => p.child_text("name").and_then(fqdn_of_dn).is_some(),
            }
        })
        .collect();
    if let [first, _, ..] = domains.as_slice() {
        warnings.push(format!(
            "{file}: connector `{connector}` has {} selected domain partitions; Entra Connect sets \
             %Domain.*% per partition, a rule set per connector: the values of the first, `{}`, \
             were used",
            domains.len(),
            first.child_text("name").unwrap_or_default()
        ));
    }
    let domain = domains.first().copied();
    let recorded = parameter_values(domain);
    let mut derived = Vec::new();
    let mut out = IndexMap::new();

    let partition_dn = domain.and_then(|d| d.child_text("name")).map(str::to_owned);
    let partition_name = domain
        .and_then(|d| d.child("custom-data"))
        .and_then(|c| c.child("adma-partition-data"))
        .and_then(|d| d.child_text("name"))
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let domain_ldap = recorded
        .get("Domain.LDAP")
        .cloned()
        .or(partition_dn.clone());
    let mut pick = |out: &mut IndexMap<String, String>,
                    name: &str,
                    recorded: &IndexMap<String, String>,
                    guess: Option<(String, String)>| {
        if let Some(v) = recorded.get(name) {
            out.insert(name.to_owned(), v.clone());
        } else if let Some((v, how)) = guess {
            derived.push(format!("{name} = {v} ({how})"));
            out.insert(name.to_owned(), v);
        }
    };
    pick(
        &mut out,
        "Domain.FQDN",
        &recorded,
        partition_name
            .clone()
            .map(|n| (n, "the partition's name".to_owned()))
            .or_else(|| {
                domain_ldap
                    .as_deref()
                    .and_then(fqdn_of_dn)
                    .map(|f| (f, "the DC= labels of the partition's DN".to_owned()))
            }),
    );
    let domain_fqdn = out.get("Domain.FQDN").cloned();
    pick(
        &mut out,
        "Domain.Netbios",
        &recorded,
        domain_fqdn.as_deref().map(|f| {
            (
                netbios_guess(f),
                "the first label of Domain.FQDN".to_owned(),
            )
        }),
    );
    pick(
        &mut out,
        "Domain.LDAP",
        &recorded,
        partition_dn.map(|dn| (dn, "the partition's DN".to_owned())),
    );
    let forest_name = adma
        .and_then(|a| a.child_text("forest-name"))
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    pick(
        &mut out,
        "Forest.FQDN",
        &forest,
        forest_name.map(|n| (n, "adma-configuration/forest-name".to_owned())),
    );
    let forest_fqdn = out.get("Forest.FQDN").cloned();
    let root_is_domain = forest_fqdn.is_some() && forest_fqdn == domain_fqdn;
    let netbios = match (root_is_domain, out.get("Domain.Netbios")) {
        (true, Some(n)) => Some((
            n.clone(),
            "Domain.Netbios: the forest root is that domain".to_owned(),
        )),
        _ => forest_fqdn.as_deref().map(|f| {
            (
                netbios_guess(f),
                "the first label of Forest.FQDN".to_owned(),
            )
        }),
    };
    pick(&mut out, "Forest.Netbios", &forest, netbios);
    pick(
        &mut out,
        "Forest.LDAP",
        &forest,
        forest_fqdn
            .as_deref()
            .map(|f| (dn_of_fqdn(f), "the labels of Forest.FQDN".to_owned())),
    );
    if !derived.is_empty() {
        warnings.push(format!(
            "{file}: connector `{connector}`: not recorded in the file, derived: {}",
            derived.join("; ")
        ));
    }
    for name in [
        "Domain.FQDN",
        "Domain.Netbios",
        "Domain.LDAP",
        "Forest.FQDN",
        "Forest.Netbios",
        "Forest.LDAP",
    ] {
        if !out.contains_key(name) {
            warnings.push(format!(
                "{file}: connector `{connector}`: %{name}% is neither recorded nor derivable; \
                 declare it under `parameters`"
            ));
        }
    }
    out
}
