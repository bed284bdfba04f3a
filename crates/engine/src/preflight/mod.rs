//! A pre-flight check of source directory data, as Microsoft's IdFix tool does before a
//! first sync: the values Entra ID would reject or mis-sync (bad characters, malformed or
//! non-routable addresses, lengths, blanks) and values that must be unique and are not.
//!
//! Objects are fed one at a time ([`Preflight::object`]); per-value checks keep nothing,
//! and uniqueness keeps one entry per distinct normalised value (its first owner), so the
//! work is linear in the data. Sources: see [`checks`] for the documents each rule follows.
//! Uniqueness follows the same documents ("no duplicates" for mail, mailNickname,
//! proxyAddresses, sAMAccountName, targetAddress and userPrincipalName) and Entra ID's
//! shared address namespace: an SMTP or SIP proxy address, a mail value and a
//! userPrincipalName may not be held by two objects ("Microsoft Entra Connect: Duplicate
//! attribute resiliency", how-to-connect-syncservice-duplicate-attribute-resiliency.md:
//! UserPrincipalName and ProxyAddresses are the unique attributes).

mod checks;

use std::collections::HashMap;
use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use syncrules_lang::Value;

/// IdFix's kinds of finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A character the attribute may not hold.
    Character,
    /// A malformed address or UPN.
    Format,
    /// A non-routable suffix, or a domain not verified in the tenant.
    Topleveldomain,
    /// The domain part of an address is too long.
    Domainpart,
    /// The local part of an address is too long.
    Localpart,
    /// The value is too long.
    Length,
    /// Another object holds the same value.
    Duplicate,
    /// A value that must not be empty or only spaces.
    Blank,
}

impl Code {
    /// The code's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Character => "character",
            Code::Format => "format",
            Code::Topleveldomain => "topleveldomain",
            Code::Domainpart => "domainpart",
            Code::Localpart => "localpart",
            Code::Length => "length",
            Code::Duplicate => "duplicate",
            Code::Blank => "blank",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The connector holding the object.
    pub connector: String,
    /// The object's DN.
    pub dn: String,
    /// The attribute.
    pub attribute: String,
    /// The value.
    pub value: String,
    /// What kind of problem.
    pub code: Code,
    /// `error` (Entra would reject or mis-sync it) or `warning`.
    pub error: bool,
    /// What is wrong.
    pub message: String,
    /// A suggested fix.
    pub fix: String,
}

/// Where a unique value was first seen.
struct Owner {
    object: usize,
    attribute: String,
    value: String,
    reported: bool,
}

/// The check in progress: findings so far and the unique values seen.
#[derive(Default)]
pub struct Preflight {
    domains: Vec<String>,
    findings: Vec<Finding>,
    /// Objects that hold a unique value: (connector, DN).
    objects: Vec<(String, String)>,
    /// By namespace and normalised value, the first owner.
    unique: HashMap<(&'static str, String), Owner>,
}

/// Object types IdFix checks.
const TYPES: &[&str] = &["user", "inetorgperson", "group", "contact"];
/// Account names IdFix leaves out (well-known and system accounts), as prefixes.
const EXCLUDED: &[&str] = &[
    "admini",
    "cas_{",
    "discoverysearchmailbox",
    "federatedemail",
    "guest",
    "httpconnector",
    "krbtgt",
    "iusr_",
    "iwam",
    "msol",
    "support_",
    "systemmailbox",
    "wwioadmini",
];

fn texts(v: &Value) -> Vec<String> {
    v.values()
        .iter()
        .filter_map(|x| match x {
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        })
        .collect()
}

impl Preflight {
    /// A check with the tenant's verified domains (none: only routability is checked).
    pub fn new(domains: &[String]) -> Self {
        Preflight {
            domains: domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            ..Preflight::default()
        }
    }

    /// Checks one object of a source connector.
    pub fn object(
        &mut self,
        connector: &str,
        dn: &str,
        object_type: &str,
        attributes: &IndexMap<String, Value>,
    ) {
        let get = |name: &str| {
            attributes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| texts(v))
                .unwrap_or_default()
        };
        let sam = get("sAMAccountName");
        let critical = get("isCriticalSystemObject")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("true"));
        let excluded = sam.iter().any(|s| {
            let s = s.to_ascii_lowercase();
            s.ends_with('$') || EXCLUDED.iter().any(|p| s.starts_with(p))
        });
        if !TYPES.contains(&object_type.to_ascii_lowercase().as_str())
            || critical
            || excluded
            || dn.contains("\\0ACNF:")
        {
            return;
        }
        let user = matches!(
            object_type.to_ascii_lowercase().as_str(),
            "user" | "inetorgperson"
        );
        let index = self.objects.len();
        let mut owns = false;
        let mut found: Vec<(String, String, Vec<checks::Problem>)> = Vec::new();
        let domains = self.domains.clone();
        let upns = get("userPrincipalName");
        for v in &upns {
            found.push((
                "userPrincipalName".into(),
                v.clone(),
                checks::upn(v, &domains),
            ));
            owns |= self.unique(
                index,
                (connector, dn),
                "address",
                "userPrincipalName",
                v,
                &v.to_lowercase(),
            );
        }
        for v in get("mail") {
            found.push(("mail".into(), v.clone(), checks::mail(&v, &domains)));
            owns |= self.unique(
                index,
                (connector, dn),
                "address",
                "mail",
                &v,
                &v.to_lowercase(),
            );
        }
        for v in get("proxyAddresses") {
            found.push((
                "proxyAddresses".into(),
                v.clone(),
                checks::proxy(&v, &domains),
            ));
            let lower = v.to_lowercase();
            let key = match lower.split_once(':') {
                Some(("smtp" | "sip", rest)) => ("address", rest.to_owned()),
                _ => ("proxyAddresses", lower),
            };
            owns |= self.unique(index, (connector, dn), key.0, "proxyAddresses", &v, &key.1);
        }
        for v in get("targetAddress") {
            found.push((
                "targetAddress".into(),
                v.clone(),
                checks::target(&v, &domains),
            ));
            owns |= self.unique(
                index,
                (connector, dn),
                "targetAddress",
                "targetAddress",
                &v,
                &v.to_lowercase(),
            );
        }
        for v in get("mailNickname") {
            found.push(("mailNickname".into(), v.clone(), checks::nickname(&v)));
            owns |= self.unique(
                index,
                (connector, dn),
                "mailNickname",
                "mailNickname",
                &v,
                &v.to_lowercase(),
            );
        }
        // IdFix checks sAMAccountName only on objects without a userPrincipalName.
        if upns.is_empty() {
            for v in &sam {
                found.push(("sAMAccountName".into(), v.clone(), checks::sam(v, user)));
                owns |= self.unique(
                    index,
                    (connector, dn),
                    "sAMAccountName",
                    "sAMAccountName",
                    v,
                    &v.to_lowercase(),
                );
            }
        }
        for (attr, max) in [("displayName", 256), ("givenName", 64), ("sn", 64)] {
            for v in get(attr) {
                found.push((attr.into(), v.clone(), checks::name(&v, max)));
            }
        }
        for (attribute, value, problems) in found {
            for (code, message, fix) in problems {
                self.findings.push(Finding {
                    connector: connector.to_owned(),
                    dn: dn.to_owned(),
                    attribute: attribute.clone(),
                    value: value.clone(),
                    code,
                    error: code != Code::Blank,
                    message,
                    fix,
                });
            }
        }
        if owns {
            self.objects.push((connector.to_owned(), dn.to_owned()));
        }
    }

    /// Records a unique value of object `index` (`who`: its connector and DN); reports a
    /// duplicate when another object holds it (and the first holder, once). Returns
    /// whether the object became an owner.
    fn unique(
        &mut self,
        index: usize,
        who: (&str, &str),
        space: &'static str,
        attr: &str,
        value: &str,
        key: &str,
    ) -> bool {
        if key.trim().is_empty() {
            return false;
        }
        let Some(first) = self.unique.get_mut(&(space, key.to_owned())) else {
            self.unique.insert(
                (space, key.to_owned()),
                Owner {
                    object: index,
                    attribute: attr.to_owned(),
                    value: value.to_owned(),
                    reported: false,
                },
            );
            return true;
        };
        if first.object == index {
            return false;
        }
        let (fc, fdn) = self.objects.get(first.object).cloned().unwrap_or_default();
        let (connector, dn) = who;
        let fix = |attr: &str, other: &str| {
            format!("keep {key} on one object only: remove or change {attr} here or on {other}")
        };
        if !first.reported {
            first.reported = true;
            self.findings.push(Finding {
                connector: fc.clone(),
                dn: fdn.clone(),
                attribute: first.attribute.clone(),
                value: first.value.clone(),
                code: Code::Duplicate,
                error: true,
                message: format!("{dn} ({connector}) holds the same value in {attr}"),
                fix: fix(&first.attribute, dn),
            });
        }
        let first_attr = first.attribute.clone();
        self.findings.push(Finding {
            connector: connector.to_owned(),
            dn: dn.to_owned(),
            attribute: attr.to_owned(),
            value: value.to_owned(),
            code: Code::Duplicate,
            error: true,
            message: format!("{fdn} ({fc}) holds the same value in {first_attr}"),
            fix: fix(attr, &fdn),
        });
        false
    }

    /// The findings, in the order found.
    pub fn finish(self) -> Vec<Finding> {
        self.findings
    }
}

/// The JSON of the CLI contract.
pub fn to_json(findings: &[Finding]) -> Json {
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for f in findings {
        *counts.entry(f.code.as_str()).or_default() += 1;
    }
    let list: Vec<Json> = findings
        .iter()
        .map(|f| {
            json!({"connector": f.connector, "dn": f.dn, "attribute": f.attribute, "value": f.value,
                   "code": f.code.as_str(), "severity": if f.error { "error" } else { "warning" },
                   "message": f.message, "fix": f.fix})
        })
        .collect();
    json!({"findings": list, "counts": counts})
}

/// The findings as text, one a line, and the counts.
pub fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let severity = if f.error { "error" } else { "warning" };
        let _ = writeln!(
            out,
            "{severity}[{}] {} {}: {} {:?} {}; fix: {}",
            f.code.as_str(),
            f.connector,
            f.dn,
            f.attribute,
            f.value,
            f.message,
            f.fix
        );
    }
    let _ = writeln!(out, "{} findings", findings.len());
    out
}
