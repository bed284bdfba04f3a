//! `syncrules gen --users N [--groups N] [--seed S] --out FILE.ldif`: a synthetic Active
//! Directory, deterministic for a seed; with `--forests N --out-dir DIR`, one per forest and
//! controlled overlaps between the first two.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use syncrules::connectors::adgen::{self, ForestsSpec};

use super::EXIT_INPUT;

#[derive(Debug, clap::Args)]
#[command(after_long_help = FORESTS_HELP)]
pub struct GenArgs {
    /// How many users (per forest).
    #[arg(long)]
    users: usize,
    /// How many groups (per forest).
    #[arg(long, default_value_t = 0)]
    groups: usize,
    /// The seed: the same seed writes the same directory.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The LDIF file to write (one forest only).
    #[arg(long, required_unless_present = "out_dir", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// The folder to write into: `<domain>.ldif` per forest, `<domain>-delta.ldif` for a
    /// forest with changes (migrations), and `forests.json`, the manifest of the overlaps.
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// How many forests (1 to 10): contoso.com, fabrikam.com, tailspintoys.com, ...
    #[arg(long, default_value_t = 1)]
    forests: usize,
    /// Forest-1 users that move to forest 2 (see below).
    #[arg(long, default_value_t = 0)]
    migrated: usize,
    /// Enabled forest-1 users whose mailbox is a linked mailbox in forest 2.
    #[arg(long, default_value_t = 0)]
    account_resource: usize,
    /// Forest-1 users created again, unlinked, in forest 2.
    #[arg(long, default_value_t = 0)]
    duplicates: usize,
    /// Forest-1 users in a forest-2 group, through foreign security principals.
    #[arg(long, default_value_t = 0)]
    cross_forest_members: usize,
}

const FORESTS_HELP: &str = "\
Several forests (--forests N --out-dir DIR): forest i is named contoso.com, fabrikam.com,
tailspintoys.com, ... with its own domain SID, GUIDs and names; --users and --groups are per
forest. Files: DIR/<domain>.ldif per forest (contoso.com.ldif, ...), DIR/<domain>-delta.ldif
(changes to import after it; no version: line, so it can be sync.yaml's delta: file or be
appended as is to it) where a forest has any, and
DIR/forests.json, the manifest. Forest 1 without overlaps is exactly what --out writes for the
same flags. Overlaps between forest 1 and forest 2, never sharing a user, each listed with
DNs and anchors in forests.json:
  --migrated K            K users in contoso.com.ldif, deleted by contoso.com-delta.ldif and
                          added by fabrikam.com-delta.ldif with mS-DS-ConsistencyGuid = their
                          contoso objectGUID, sIDHistory = their contoso SID, a fabrikam UPN
  --account-resource K    K enabled contoso users without a mailbox, each with a disabled
                          fabrikam shadow (userAccountControl 514, msExchRecipientTypeDetails
                          2, msExchMasterAccountSid = the contoso objectSid) holding the mail
  --duplicates K          K contoso users created again in fabrikam: same names, UPN, mail,
                          proxyAddresses, sAMAccountName, employeeID; nothing linking them
  --cross-forest-members K  K contoso users in a fabrikam domain-local group, as members
                          CN=<SID>,CN=ForeignSecurityPrincipals,DC=fabrikam,DC=com";

pub fn run(args: &GenArgs) -> ExitCode {
    let spec = ForestsSpec {
        forests: args.forests,
        users: args.users,
        groups: args.groups,
        seed: args.seed,
        migrated: args.migrated,
        account_resource: args.account_resource,
        duplicates: args.duplicates,
        cross_forest_members: args.cross_forest_members,
    };
    match (&args.out, &args.out_dir) {
        (Some(out), _) if spec == single(&spec) => one_file(&spec, out),
        (Some(_), _) => {
            eprintln!(
                "error: --out writes one forest without overlaps; use --out-dir for --forests \
                 and overlaps"
            );
            ExitCode::from(EXIT_INPUT)
        }
        (None, Some(dir)) => folder(&spec, dir),
        (None, None) => {
            eprintln!("error: --out or --out-dir is required");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// `spec` as one forest without overlaps.
fn single(spec: &ForestsSpec) -> ForestsSpec {
    ForestsSpec {
        forests: 1,
        users: spec.users,
        groups: spec.groups,
        seed: spec.seed,
        ..ForestsSpec::default()
    }
}

fn one_file(spec: &ForestsSpec, out: &Path) -> ExitCode {
    let file = match std::fs::File::create(out) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let mut writer = std::io::BufWriter::new(file);
    let written = adgen::write_ldif(spec.users, spec.groups, spec.seed, &mut writer)
        .and_then(|()| writer.flush());
    match written {
        Ok(()) => {
            eprintln!(
                "wrote {} users and {} groups (seed {}) to {}",
                spec.users,
                spec.groups,
                spec.seed,
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            ExitCode::from(EXIT_INPUT)
        }
    }
}

fn folder(spec: &ForestsSpec, dir: &Path) -> ExitCode {
    let forests = match adgen::generate_forests(spec) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    match forests.write_to(dir) {
        Ok(paths) => {
            eprintln!(
                "wrote {} forests of {} users and {} groups (seed {}) to {}:",
                spec.forests,
                spec.users,
                spec.groups,
                spec.seed,
                dir.display()
            );
            for path in paths {
                eprintln!("  {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write into {}: {e}", dir.display());
            ExitCode::from(EXIT_INPUT)
        }
    }
}
