//! Several forests into one tenant: one directory per forest, distinct domains, and
//! controlled overlaps between the first two (see [`Overlaps`]).

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::domain::{CONTOSO, Domain, MAX_FORESTS};
use super::manifest::Overlaps;
use super::{Generator, Taken, base_comment, overlap, write_records};
use crate::ldif::LdifRecord;

/// The manifest's file name in the output folder.
pub const MANIFEST_FILE: &str = "forests.json";

/// What to generate: `forests` forests of `users` users and `groups` groups each (besides the
/// built-in ones and the overlaps' extra objects), and the overlaps between forest 1 and
/// forest 2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForestsSpec {
    /// How many forests, 1 to [`MAX_FORESTS`].
    pub forests: usize,
    /// Users per forest.
    pub users: usize,
    /// Groups per forest.
    pub groups: usize,
    /// The seed; forest 1 is exactly [`generate`](super::generate)`(users, groups, seed)`
    /// when there are no overlaps.
    pub seed: u64,
    /// Forest-1 users that move to forest 2 ([`Migration`](super::Migration)).
    pub migrated: usize,
    /// Forest-1 users with a linked mailbox in forest 2
    /// ([`AccountResource`](super::AccountResource)).
    pub account_resource: usize,
    /// Forest-1 users created again, unlinked, in forest 2 ([`Duplicate`](super::Duplicate)).
    pub duplicates: usize,
    /// Forest-1 users in one forest-2 group ([`CrossForestGroup`](super::CrossForestGroup)).
    pub cross_forest_members: usize,
}

impl ForestsSpec {
    fn overlaps(&self) -> usize {
        self.migrated + self.account_resource + self.duplicates + self.cross_forest_members
    }
}

/// Why [`generate_forests`] refused a spec.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ForestsError {
    /// Zero forests, or more than there are domain names for.
    #[error("--forests must be 1 to {MAX_FORESTS}, not {0}")]
    Count(usize),
    /// Overlaps asked for with one forest.
    #[error(
        "overlaps (--migrated, --account-resource, --duplicates, --cross-forest-members) need --forests 2 or more"
    )]
    OverlapsNeedTwoForests,
    /// Forest 1 has too few users fit for the overlaps asked for.
    #[error(
        "forest 1 has {available} enabled users with a UPN{what} for the overlaps, {wanted} asked for: raise --users"
    )]
    NotEnoughUsers {
        /// How many the overlaps need.
        wanted: usize,
        /// How many fit.
        available: usize,
        /// What else they need, as a phrase (`" and a mailbox"`), or empty.
        what: &'static str,
    },
}

/// One generated forest.
#[derive(Clone, Debug)]
pub struct Forest {
    /// Its domain.
    pub domain: &'static Domain,
    /// Its domain SID (`S-1-5-21-a-b-c`).
    pub domain_sid: String,
    /// Its base file's records: the directory at the first import.
    pub base: Vec<LdifRecord>,
    /// Its delta file's change records (the migrations), empty when none.
    pub delta: Vec<LdifRecord>,
}

impl Forest {
    /// The base file's name: `<domain>.ldif`.
    pub fn base_file(&self) -> String {
        format!("{}.ldif", self.domain.fqdn)
    }

    /// The delta file's name: `<domain>-delta.ldif`.
    pub fn delta_file(&self) -> String {
        format!("{}-delta.ldif", self.domain.fqdn)
    }
}

/// What [`generate_forests`] returns.
#[derive(Clone, Debug)]
pub struct Forests {
    /// What was asked for.
    pub spec: ForestsSpec,
    /// The forests, in order.
    pub forests: Vec<Forest>,
    /// The overlaps between forest 1 and forest 2.
    pub overlaps: Overlaps,
}

/// Generates `spec.forests` directories, deterministic for `spec.seed`, in memory.
///
/// Forest `i` (0-based) is named after [`Domain::nth`]`(i)`: contoso.com, fabrikam.com,
/// tailspintoys.com, ... Each has its own domain SID, GUIDs and names; account names and
/// mail local parts differ from every earlier forest's, so users of different forests
/// collide in the tenant only where an overlap says so. Forest 1 without overlaps is
/// byte for byte the one-forest directory of the same sizes and seed.
pub fn generate_forests(spec: &ForestsSpec) -> Result<Forests, ForestsError> {
    if spec.forests == 0 || spec.forests > MAX_FORESTS {
        return Err(ForestsError::Count(spec.forests));
    }
    if spec.forests < 2 && spec.overlaps() > 0 {
        return Err(ForestsError::OverlapsNeedTwoForests);
    }
    let mut one = Generator::in_domain(
        &CONTOSO,
        spec.users,
        spec.groups,
        spec.seed,
        Taken::default(),
    );
    let mut one_base: Vec<LdifRecord> = one.by_ref().collect();
    let mut one_delta = Vec::new();
    let mut taken = one.taken();
    let mut overlaps = Overlaps::default();
    let mut rest = Vec::with_capacity(spec.forests.saturating_sub(1));
    for (index, domain) in (1..spec.forests).filter_map(|i| Some((i, Domain::nth(i)?))) {
        let seed = forest_seed(spec.seed, index);
        let mut two = Generator::in_domain(domain, spec.users, spec.groups, seed, taken);
        let mut base: Vec<LdifRecord> = two.by_ref().collect();
        let mut delta = Vec::new();
        if index == 1 {
            let mut build = overlap::Build {
                spec,
                one: &one,
                one_base: &mut one_base,
                one_delta: &mut one_delta,
                two: &mut two,
                two_base: &mut base,
                two_delta: &mut delta,
            };
            overlaps = build.run()?;
        }
        taken = two.taken();
        rest.push(Forest {
            domain,
            domain_sid: two.domain_sid(),
            base,
            delta,
        });
    }
    let mut forests = vec![Forest {
        domain: &CONTOSO,
        domain_sid: one.domain_sid(),
        base: one_base,
        delta: one_delta,
    }];
    forests.extend(rest);
    Ok(Forests {
        spec: spec.clone(),
        forests,
        overlaps,
    })
}

/// Forest `index`'s seed: the seed itself for the first, so one forest is the one-forest
/// directory.
fn forest_seed(seed: u64, index: usize) -> u64 {
    let index = u64::try_from(index).unwrap_or(u64::MAX);
    seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Forests {
    /// Writes into `dir` (created if missing) each forest's base file, its delta file when it
    /// has change records, and [`MANIFEST_FILE`]; returns the paths written. A delta file has
    /// no `version: 1` line and starts and ends with a blank line, so it may be appended as
    /// is to an LDIF connector's delta file (or be that file).
    pub fn write_to(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        let (users, groups, seed) = (self.spec.users, self.spec.groups, self.spec.seed);
        for forest in &self.forests {
            let path = dir.join(forest.base_file());
            let comment = base_comment(forest.domain, users, groups, seed);
            write_records(true, &comment, &forest.base, std::fs::File::create(&path)?)?;
            written.push(path);
            if !forest.delta.is_empty() {
                let path = dir.join(forest.delta_file());
                let comment = format!(
                    "syncrules gen: {} changes after the base file, seed {seed}",
                    forest.domain.fqdn
                );
                let mut bytes = b"\n".to_vec();
                write_records(false, &comment, &forest.delta, &mut bytes)?;
                bytes.push(b'\n');
                std::fs::write(&path, bytes)?;
                written.push(path);
            }
        }
        let path = dir.join(MANIFEST_FILE);
        let mut text = serde_json::to_string_pretty(&self.manifest())?;
        text.push('\n');
        std::fs::write(&path, text)?;
        written.push(path);
        Ok(written)
    }

    /// The manifest: the sizes and seed, each forest's `domain`, `dn`, `netbios`,
    /// `domain_sid`, `base` and `delta` file names (`delta` null when none), and
    /// [`Overlaps::to_json`]'s fields.
    pub fn manifest(&self) -> Value {
        let forests: Vec<Value> = self
            .forests
            .iter()
            .map(|f| {
                json!({
                    "domain": f.domain.fqdn,
                    "dn": f.domain.dn(),
                    "netbios": f.domain.netbios,
                    "domain_sid": f.domain_sid,
                    "base": f.base_file(),
                    "delta": (!f.delta.is_empty()).then(|| f.delta_file()),
                })
            })
            .collect();
        let mut manifest = json!({
            "seed": self.spec.seed,
            "users": self.spec.users,
            "groups": self.spec.groups,
            "forests": forests,
        });
        if let (Some(map), Value::Object(overlaps)) =
            (manifest.as_object_mut(), self.overlaps.to_json())
        {
            map.extend(overlaps);
        }
        manifest
    }
}
