//! A pre-flight check of source directory data, as Microsoft's IdFix tool does before a
//! first sync: the values Entra ID would reject or mis-sync (bad characters, malformed or
//! non-routable addresses, lengths, blanks) and values that must be unique and are not.
//!
//! Objects are fed one at a time ([`Preflight::object`]); per-value checks keep nothing,
//! and the values that must be unique wait in temporary files, spread by hash over parts
//! that are sorted one at a time at the end, so the work is linear in the data (but the
//! sorts) and memory is bounded by a part, not by the directory. Sources: see `checks.rs` for the documents each rule follows.
//! Uniqueness follows the same documents ("no duplicates" for mail, mailNickname,
//! proxyAddresses, sAMAccountName, targetAddress and userPrincipalName) and Entra ID's
//! shared address namespace: an SMTP or SIP proxy address, a mail value and a
//! userPrincipalName may not be held by two objects ("Microsoft Entra Connect: Duplicate
//! attribute resiliency", how-to-connect-syncservice-duplicate-attribute-resiliency.md:
//! UserPrincipalName and ProxyAddresses are the unique attributes).

mod checks;
mod report;
mod spill;
mod unique;

pub use report::{render, to_json};
use syncrules_lang::Value;
use syncrules_lang::name::AttrMap;

use spill::Spill;

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

/// Why a check could not finish.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// The temporary files that hold the values to compare could not be written or read.
    #[error("preflight: cannot use a temporary file for the values to compare: {0}")]
    Spill(#[from] std::io::Error),
}

/// The namespaces of unique values: an SMTP or SIP address, a mail value and a UPN share
/// `address`.
const SPACES: &[&str] = &[
    "address",
    "proxyAddresses",
    "targetAddress",
    "mailNickname",
    "sAMAccountName",
];
/// The attributes that hold unique values.
const UNIQUE_ATTRIBUTES: &[&str] = &[
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "targetAddress",
    "mailNickname",
    "sAMAccountName",
];

/// The check in progress: findings so far and the unique values seen, which wait in
/// temporary files (`spill.rs`) until [`Preflight::finish`] compares them.
#[derive(Default)]
pub struct Preflight {
    domains: Vec<String>,
    findings: Vec<Finding>,
    /// The connectors' names, which spilled objects refer to by index.
    connectors: Vec<String>,
    spill: Option<Spill>,
    /// The first error writing the values: [`Preflight::finish`] reports it.
    error: Option<std::io::Error>,
}

/// The attributes a check reads of an object (besides its object class): what a source
/// needs to fetch for it.
pub const ATTRIBUTES: &[&str] = &[
    "sAMAccountName",
    "isCriticalSystemObject",
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "targetAddress",
    "mailNickname",
    "displayName",
    "givenName",
    "sn",
];

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
    pub fn object(&mut self, connector: &str, dn: &str, object_type: &str, attributes: &AttrMap) {
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
        let mut index: Option<u32> = None;
        let mut found: Vec<(String, String, Vec<checks::Problem>)> = Vec::new();
        let domains = self.domains.clone();
        let upns = get("userPrincipalName");
        for v in &upns {
            found.push((
                "userPrincipalName".into(),
                v.clone(),
                checks::upn(v, &domains),
            ));
            self.unique(
                &mut index,
                (connector, dn),
                "address",
                "userPrincipalName",
                v,
                &v.to_lowercase(),
            );
        }
        for v in get("mail") {
            found.push(("mail".into(), v.clone(), checks::mail(&v, &domains)));
            self.unique(
                &mut index,
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
            self.unique(
                &mut index,
                (connector, dn),
                key.0,
                "proxyAddresses",
                &v,
                &key.1,
            );
        }
        for v in get("targetAddress") {
            found.push((
                "targetAddress".into(),
                v.clone(),
                checks::target(&v, &domains),
            ));
            self.unique(
                &mut index,
                (connector, dn),
                "targetAddress",
                "targetAddress",
                &v,
                &v.to_lowercase(),
            );
        }
        for v in get("mailNickname") {
            found.push(("mailNickname".into(), v.clone(), checks::nickname(&v)));
            self.unique(
                &mut index,
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
                self.unique(
                    &mut index,
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
    }
}
