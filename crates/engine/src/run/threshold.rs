//! The deletion threshold: whether a connector's pending deletes stop its export, and a
//! report an operator can act on: how many objects out of how many, where they are, and
//! how to let them through.

use std::collections::BTreeMap;

use crate::connector::ExportOp;
use crate::model::{ConnectorSpace, CsId, CsObject};

use super::Options;

/// The pending deletes listed by DN in a stopped export's notes (the rest are counted).
const LISTED: usize = 10;
/// The containers, object types and object names in a stopped export's notes.
const TOP: usize = 5;
/// Attributes that name an object for a person, tried in order: a directory with flat DNs
/// (Entra ID's are `CN={guid}`) is recognised by its objects' names.
const NAMES: &[&str] = &["displayName", "userPrincipalName", "cn", "name", "mail"];

/// A stopped export: the number of pending deletes and the notes that explain it.
pub(super) struct Exceeded {
    /// Pending deletes.
    pub(super) deletes: usize,
    /// What would have been deleted and how to let it through.
    pub(super) notes: Vec<String>,
}

/// What the threshold reads of a connector's pending exports, gathered a batch at a
/// time: each delete's DN, object type and name, and the number of adds.
#[derive(Debug, Default)]
pub(super) struct Tally {
    deletes: Vec<(String, String, Option<String>)>,
    adds: usize,
}

impl Tally {
    /// Counts the pending exports of objects `ids` of `space` (those in memory).
    pub(super) fn add(&mut self, space: &ConnectorSpace, ids: &[CsId]) {
        for o in ids.iter().filter_map(|id| space.objects.get(id)) {
            match o.pending_export.as_ref().map(|p| p.op) {
                Some(ExportOp::Delete) => {
                    self.deletes
                        .push((o.dn.clone(), o.object_type.clone(), name(o)))
                }
                Some(ExportOp::Add) => self.adds += 1,
                _ => {}
            }
        }
    }
}

/// A name a person recognises an object by.
fn name(o: &CsObject) -> Option<String> {
    NAMES
        .iter()
        .map(|a| o.current(a))
        .find(|v| !v.is_null())
        .map(ToString::to_string)
}

/// Whether the deletes among `pending` (objects of `space` with a pending export) stop the
/// export to `connector` (see [`exceeded_by`]).
pub(super) fn exceeded(
    options: &Options,
    connector: &str,
    space: &ConnectorSpace,
    pending: &[CsId],
) -> Option<Exceeded> {
    let mut tally = Tally::default();
    tally.add(space, pending);
    exceeded_by(options, connector, space.len(), &tally)
}

/// Whether the pending deletes of a tally stop the export to `connector`, whose space
/// holds `stored` objects: at least [`Options::deletion_threshold`] of them, or at least
/// [`Options::deletion_percent`] of the objects the directory holds (objects whose add is
/// still pending are not in it yet) and at least [`Options::deletion_floor`]; never with
/// [`Options::allow_deletes`].
pub(super) fn exceeded_by(
    options: &Options,
    connector: &str,
    stored: usize,
    tally: &Tally,
) -> Option<Exceeded> {
    if options.allow_deletes {
        return None;
    }
    let deletes: Vec<(&str, &str)> = tally
        .deletes
        .iter()
        .map(|(dn, t, _)| (dn.as_str(), t.as_str()))
        .collect();
    if deletes.is_empty() {
        return None;
    }
    // The objects the directory holds: the connector space (all of it, not only the
    // working set in memory) less the objects still waiting for their first export.
    let held = stored.saturating_sub(tally.adds).max(deletes.len());
    let share = deletes.len() as f64 * 100.0 / held as f64;
    let over_count = deletes.len() >= options.deletion_threshold;
    let over_percent = deletes.len() >= options.deletion_floor
        && options.deletion_percent.is_some_and(|p| share >= p);
    if !over_count && !over_percent {
        return None;
    }
    let limit = match options.deletion_percent {
        Some(p) => format!(
            "{} objects, or {p} % from {} on",
            options.deletion_threshold, options.deletion_floor
        ),
        None => format!("{} objects", options.deletion_threshold),
    };
    let mut notes = vec![format!(
        "{} of {held} objects in `{connector}` ({share:.1} %) would be deleted, over the deletion threshold ({limit}): nothing was exported; run with --allow-deletes to let them through once you know they are meant (`syncrules preview` lists them)",
        deletes.len()
    )];
    let containers = counted(deletes.iter().filter_map(|(dn, _)| parent(dn)));
    if !containers.is_empty() {
        notes.push(format!("from {}", top(&containers)));
    }
    notes.push(format!(
        "by object type: {}",
        top(&counted(deletes.iter().map(|(_, t)| *t)))
    ));
    let names: Vec<String> = tally
        .deletes
        .iter()
        .filter_map(|(_, _, n)| n.clone())
        .collect();
    if !names.is_empty() {
        let more = names.len().saturating_sub(TOP);
        let shown: Vec<&str> = names.iter().take(TOP).map(String::as_str).collect();
        notes.push(match more {
            0 => format!("named {}", shown.join(", ")),
            n => format!("named {} and {n} more", shown.join(", ")),
        });
    }
    notes.extend(
        deletes
            .iter()
            .take(LISTED)
            .map(|(dn, _)| format!("pending delete: {dn}")),
    );
    if deletes.len() > LISTED {
        notes.push(format!(
            "... and {} more pending deletes (`syncrules preview` lists every export)",
            deletes.len() - LISTED
        ));
    }
    Some(Exceeded {
        deletes: deletes.len(),
        notes,
    })
}

/// The DN of the container holding `dn`: everything after its first unescaped comma;
/// `None` for a DN of one RDN (a flat directory, such as Entra ID's).
fn parent(dn: &str) -> Option<&str> {
    let mut escaped = false;
    for (i, c) in dn.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            ',' if !escaped => {
                return dn.get(i + 1..).map(str::trim).filter(|p| !p.is_empty());
            }
            _ => escaped = false,
        }
    }
    None
}

/// How often each item occurs, most frequent first (ties by name).
fn counted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i).or_default() += 1;
    }
    let mut out: Vec<(&str, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    out
}

/// The first [`TOP`] counts, `name count, ...`, and how many more there are.
fn top(counts: &[(&str, usize)]) -> String {
    let mut parts: Vec<String> = counts
        .iter()
        .take(TOP)
        .map(|(name, n)| format!("{name} ({n})"))
        .collect();
    if counts.len() > TOP {
        let rest: usize = counts.iter().skip(TOP).map(|(_, n)| n).sum();
        parts.push(format!("{} others ({rest})", counts.len() - TOP));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PendingExport;
    use syncrules_lang::Value;

    fn space(objects: usize, deletes: &[&str], adds: usize) -> (ConnectorSpace, Vec<CsId>) {
        let mut space = ConnectorSpace::default();
        let mut pending = Vec::new();
        for i in 0..objects {
            let dn = deletes
                .get(i)
                .map_or_else(|| format!("CN=o{i},OU=Keep,DC=x"), |d| (*d).to_owned());
            let pending_export = (i < deletes.len()).then(|| PendingExport {
                op: ExportOp::Delete,
                attributes: Default::default(),
                old_dn: None,
            });
            let mut attributes = syncrules_lang::AttrMap::default();
            if i < 2 {
                attributes.insert("displayName".into(), Value::str(format!("Person {i}")));
            }
            let id = space.insert(CsObject {
                attributes,
                dn,
                object_type: if i % 2 == 0 { "user" } else { "group" }.to_owned(),
                pending_export,
                ..CsObject::default()
            });
            if i < deletes.len() {
                pending.push(id);
            }
        }
        for i in 0..adds {
            pending.push(space.insert(CsObject {
                dn: format!("CN=new{i},DC=x"),
                object_type: "user".to_owned(),
                pending_export: Some(PendingExport {
                    op: ExportOp::Add,
                    attributes: Default::default(),
                    old_dn: None,
                }),
                ..CsObject::default()
            }));
        }
        (space, pending)
    }

    fn dns(n: usize, ou: &str) -> Vec<String> {
        (0..n).map(|i| format!("CN=d{i},{ou}")).collect()
    }

    fn check(objects: usize, deletes: &[String], adds: usize, o: &Options) -> Option<Exceeded> {
        let refs: Vec<&str> = deletes.iter().map(String::as_str).collect();
        let (space, pending) = space(objects, &refs, adds);
        exceeded(o, "c", &space, &pending)
    }

    #[test]
    fn the_default_percentage_protects_a_small_directory_but_not_from_its_floor() {
        let o = Options::default();
        // 2 of 40 (5 %) and 3 of 40 (7.5 %) pass; 4 of 40 (10 %) stop.
        assert!(check(40, &dns(2, "OU=A"), 0, &o).is_none());
        assert!(check(40, &dns(3, "OU=A"), 0, &o).is_none());
        assert!(check(40, &dns(4, "OU=A"), 0, &o).is_some());
        // 2 of 5 (40 %) pass: below the floor.
        assert!(check(5, &dns(2, "OU=A"), 0, &o).is_none());
        assert!(check(5, &dns(3, "OU=A"), 0, &o).is_some());
        // Pending adds are not in the directory: 4 deletes of 40 objects stop, 36 adds or not.
        assert!(check(40, &dns(4, "OU=A"), 36, &o).is_some());
    }

    #[test]
    fn the_count_stops_a_large_directory_and_allow_deletes_lets_through() {
        let o = Options::default();
        assert!(check(10_000, &dns(499, "OU=A"), 0, &o).is_none());
        let stop = check(10_000, &dns(500, "OU=A"), 0, &o);
        assert_eq!(stop.map(|s| s.deletes), Some(500));
        let only_count = Options {
            deletion_percent: None,
            ..Options::default()
        };
        assert!(check(10, &dns(9, "OU=A"), 0, &only_count).is_none());
        let allowed = Options {
            allow_deletes: true,
            ..Options::default()
        };
        assert!(check(10_000, &dns(600, "OU=A"), 0, &allowed).is_none());
    }

    #[test]
    fn a_stopped_export_says_how_many_of_how_many_where_and_how_to_go_on() {
        let mut deletes = dns(7, "OU=Munich,DC=x");
        deletes.extend(dns(5, "OU=Tokyo,DC=x"));
        let stop = check(40, &deletes, 3, &Options::default());
        assert!(stop.is_some(), "12 of 40 deletes stop");
        let Some(stop) = stop else { return };
        assert_eq!(stop.deletes, 12);
        let first = stop.notes.first().map_or("", String::as_str);
        assert!(
            first.starts_with("12 of 40 objects in `c` (30.0 %) would be deleted, over the deletion threshold (500 objects, or 10 % from 3 on): nothing was exported; run with --allow-deletes"),
            "{first}"
        );
        assert_eq!(
            stop.notes.get(1).map(String::as_str),
            Some("from OU=Munich,DC=x (7), OU=Tokyo,DC=x (5)")
        );
        assert_eq!(
            stop.notes.get(2).map(String::as_str),
            Some("by object type: group (6), user (6)")
        );
        assert_eq!(
            stop.notes
                .iter()
                .filter(|n| n.starts_with("pending delete: CN=d"))
                .count(),
            LISTED
        );
        assert_eq!(
            stop.notes.last().map(String::as_str),
            Some("... and 2 more pending deletes (`syncrules preview` lists every export)")
        );
    }

    #[test]
    fn containers_are_the_dns_after_the_first_unescaped_comma() {
        assert_eq!(parent("CN=Doe\\, Jane,OU=A,DC=x"), Some("OU=A,DC=x"));
        assert_eq!(parent("CN={0A1B}"), None);
        assert_eq!(parent("CN=a\\\\,OU=B"), Some("OU=B"));
        let counts = counted(["a", "b", "b", "c", "d", "e", "f", "g"].into_iter());
        assert_eq!(
            top(&counts),
            "b (2), a (1), c (1), d (1), e (1), 2 others (2)"
        );
    }
}
