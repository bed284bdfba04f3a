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
mod spill;

use std::fmt::Write as _;

use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use syncrules_lang::Value;

use spill::{Held, Spill};

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

    /// Records a unique value of the object `who` (its connector and DN), spilled with the
    /// object's index (given on its first value) for [`Preflight::finish`] to compare.
    fn unique(
        &mut self,
        index: &mut Option<u32>,
        who: (&str, &str),
        space: &'static str,
        attr: &'static str,
        value: &str,
        key: &str,
    ) {
        if key.trim().is_empty() || self.error.is_some() {
            return;
        }
        if let Err(e) = self.spill_value(index, who, space, attr, value, key) {
            self.error = Some(e);
        }
    }

    fn spill_value(
        &mut self,
        index: &mut Option<u32>,
        (connector, dn): (&str, &str),
        space: &'static str,
        attr: &'static str,
        value: &str,
        key: &str,
    ) -> std::io::Result<()> {
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => self.spill.insert(Spill::new()?),
        };
        let object = match *index {
            Some(i) => i,
            None => {
                let c = match self.connectors.iter().position(|c| c == connector) {
                    Some(c) => c,
                    None => {
                        self.connectors.push(connector.to_owned());
                        self.connectors.len() - 1
                    }
                };
                let i = spill.object(u32::try_from(c).unwrap_or(u32::MAX), dn)?;
                *index = Some(i);
                i
            }
        };
        let position = |list: &[&str], name: &str| {
            list.iter()
                .position(|s| *s == name)
                .and_then(|p| u8::try_from(p).ok())
                .unwrap_or(u8::MAX)
        };
        spill.value(
            position(SPACES, space),
            position(UNIQUE_ATTRIBUTES, attr),
            object,
            key,
            value,
        )
    }

    /// The findings: per value in the order found, then the duplicates in the order their
    /// second holder was seen, each first holder just before its first duplicate.
    pub fn finish(mut self) -> Result<Vec<Finding>, PreflightError> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        let Some(spill) = self.spill.take() else {
            return Ok(self.findings);
        };
        // Per key held by more than one object: its first holding and the others'.
        let mut groups: Vec<(Held, Vec<Held>)> = Vec::new();
        let mut objects = spill.finish(|held| {
            let mut rest = held.into_iter().peekable();
            while let Some(first) = rest.next() {
                let mut others = Vec::new();
                while let Some(next) =
                    rest.next_if(|h| h.space == first.space && h.key == first.key)
                {
                    if next.object != first.object {
                        others.push(next);
                    }
                }
                if !others.is_empty() {
                    groups.push((first, others));
                }
            }
            Ok(())
        })?;
        let mut duplicates: Vec<((u64, u8), Finding)> = Vec::new();
        let attribute = |h: &Held| {
            UNIQUE_ATTRIBUTES
                .get(usize::from(h.attribute))
                .copied()
                .unwrap_or_default()
        };
        for (first, others) in groups {
            let (fc, fdn) = objects.get(first.object)?;
            let fc = self.connector(fc);
            let fix = |attr: &str, other: &str| {
                format!(
                    "keep {} on one object only: remove or change {attr} here or on {other}",
                    first.key
                )
            };
            for (n, other) in others.iter().enumerate() {
                let (c, dn) = objects.get(other.object)?;
                let c = self.connector(c);
                if n == 0 {
                    duplicates.push((
                        (other.seq, 0),
                        Finding {
                            connector: fc.clone(),
                            dn: fdn.clone(),
                            attribute: attribute(&first).to_owned(),
                            value: first.value.clone(),
                            code: Code::Duplicate,
                            error: true,
                            message: format!(
                                "{dn} ({c}) holds the same value in {}",
                                attribute(other)
                            ),
                            fix: fix(attribute(&first), &dn),
                        },
                    ));
                }
                duplicates.push((
                    (other.seq, 1),
                    Finding {
                        connector: c,
                        dn,
                        attribute: attribute(other).to_owned(),
                        value: other.value.clone(),
                        code: Code::Duplicate,
                        error: true,
                        message: format!(
                            "{fdn} ({fc}) holds the same value in {}",
                            attribute(&first)
                        ),
                        fix: fix(attribute(other), &fdn),
                    },
                ));
            }
        }
        duplicates.sort_by_key(|(order, _)| *order);
        self.findings
            .extend(duplicates.into_iter().map(|(_, finding)| finding));
        Ok(self.findings)
    }

    fn connector(&self, index: u32) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.connectors.get(i))
            .cloned()
            .unwrap_or_default()
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
