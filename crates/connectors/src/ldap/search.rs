//! Paged searches (RFC 2696), ranged retrieval of large multi-valued attributes
//! (`member;range=0-1499`), and search entries as LDIF records for the LDIF typing.

use std::collections::BTreeMap;

use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, Scope, SearchEntry};

use super::LdapFailure;
use super::connect::unavailable;
use crate::ldif::{Attr, LdifRecord, LdifValue, RecordKind};

/// One attribute's values as the directory sent them: text or bytes.
pub(crate) type Values = Vec<LdifValue>;

/// An entry read: its DN and attributes by name (ranged parts gathered).
#[derive(Clone, Debug, Default)]
pub(crate) struct Found {
    pub dn: String,
    pub attrs: BTreeMap<String, Values>,
}

impl Found {
    pub(crate) fn from_entry(e: SearchEntry) -> Self {
        let mut attrs: BTreeMap<String, Values> = BTreeMap::new();
        for (k, vs) in e.attrs {
            attrs
                .entry(k)
                .or_default()
                .extend(vs.into_iter().map(LdifValue::Text));
        }
        for (k, vs) in e.bin_attrs {
            attrs
                .entry(k)
                .or_default()
                .extend(vs.into_iter().map(LdifValue::Binary));
        }
        Found { dn: e.dn, attrs }
    }

    /// The attribute named `name`, ignoring case.
    pub fn get(&self, name: &str) -> Option<&Values> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// As a content record, for [`crate::ldif::entry_from_record`].
    pub fn record(&self) -> LdifRecord {
        let mut attrs = Vec::new();
        // objectClass first, as LDIF exports write it.
        let mut names: Vec<&String> = self.attrs.keys().collect();
        names.sort_by_key(|n| !n.eq_ignore_ascii_case("objectClass"));
        for name in names {
            for v in self.attrs.get(name).into_iter().flatten() {
                attrs.push(Attr::new(name.clone(), v.clone()));
            }
        }
        LdifRecord {
            dn: self.dn.clone(),
            line: 0,
            kind: RecordKind::Content(attrs),
        }
    }
}

/// A ranged attribute's name: `member;range=0-4` gives `member`, 0 and `Some(4)` (`None`
/// for the last range, `*`).
pub(crate) fn parse_range(name: &str) -> Option<(&str, usize, Option<usize>)> {
    let (base, options) = name.split_once(';')?;
    let range = options.split(';').find_map(|o| {
        o.strip_prefix("range=")
            .or_else(|| o.strip_prefix("Range="))
    })?;
    let (low, high) = range.split_once('-')?;
    let low = low.parse().ok()?;
    let high = if high == "*" {
        None
    } else {
        Some(high.parse().ok()?)
    };
    Some((base, low, high))
}

/// Searches `base` with paged results of `page_size`, referrals skipped; `ranged` names the
/// attributes asked for by range, `range_size` values at a time, and completed with further
/// range requests (counted in `range_requests`).
#[allow(clippy::too_many_arguments, reason = "one search's parameters")]
pub(crate) async fn paged_search(
    ldap: &mut Ldap,
    base: &str,
    scope: Scope,
    filter: &str,
    attributes: &[String],
    page_size: i32,
    range_size: usize,
    range_requests: &mut usize,
) -> Result<Vec<Found>, LdapFailure> {
    let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
        Box::new(EntriesOnly::new()),
        Box::new(PagedResults::new(page_size)),
    ];
    let mut stream = ldap
        .streaming_search_with(adapters, base, scope, filter, attributes.to_vec())
        .await
        .map_err(|e| unavailable(&e))?;
    let mut found = Vec::new();
    while let Some(entry) = stream.next().await.map_err(|e| unavailable(&e))? {
        found.push(Found::from_entry(SearchEntry::construct(entry)));
    }
    let result = stream.finish().await;
    match result.rc {
        0 => {}
        32 if scope == Scope::Base => return Ok(Vec::new()),
        rc => return Err(LdapFailure::from_result(rc, &result.text, base)),
    }
    for f in &mut found {
        complete_ranges(ldap, f, range_size, range_requests).await?;
    }
    Ok(found)
}

/// Replaces every `attr;range=a-b` of `found` by the attribute's whole list of values,
/// reading the rest of the ranges with base searches.
pub(crate) async fn complete_ranges(
    ldap: &mut Ldap,
    found: &mut Found,
    range_size: usize,
    range_requests: &mut usize,
) -> Result<(), LdapFailure> {
    let ranged: Vec<String> = found
        .attrs
        .keys()
        .filter(|k| parse_range(k).is_some())
        .cloned()
        .collect();
    for key in ranged {
        let Some(mut values) = found.attrs.remove(&key) else {
            continue;
        };
        let Some((base, _, mut high)) = parse_range(&key).map(|(b, l, h)| (b.to_owned(), l, h))
        else {
            continue;
        };
        while let Some(h) = high {
            let low = h + 1;
            let ask = format!("{base};range={low}-{}", low + range_size.max(1) - 1);
            *range_requests += 1;
            let result = ldap
                .search(
                    &found.dn,
                    Scope::Base,
                    "(objectClass=*)",
                    vec![ask.as_str()],
                )
                .await
                .map_err(|e| unavailable(&e))?;
            let (entries, res) = (result.0, result.1);
            if res.rc != 0 {
                return Err(LdapFailure::from_result(res.rc, &res.text, &found.dn));
            }
            let next = entries
                .into_iter()
                .next()
                .map(|e| Found::from_entry(SearchEntry::construct(e)));
            high = None;
            if let Some(next) = next {
                for (k, vs) in next.attrs {
                    if let Some((_, _, h2)) = parse_range(&k) {
                        values.extend(vs);
                        high = h2;
                    }
                }
            }
        }
        // The ranged values stand for the whole attribute.
        found.attrs.retain(|k, _| !k.eq_ignore_ascii_case(&base));
        found.attrs.insert(base, values);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        assert_eq!(
            parse_range("member;range=0-1499"),
            Some(("member", 0, Some(1499)))
        );
        assert_eq!(
            parse_range("member;range=1500-*"),
            Some(("member", 1500, None))
        );
        assert_eq!(parse_range("member"), None);
        assert_eq!(parse_range("member;binary"), None);
    }
}
