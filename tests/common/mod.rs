//! What the end-to-end tests of the binary share: running it, and copies of the sample.

#![allow(dead_code, reason = "each test file uses some of the helpers, not all")]
#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]
#![allow(
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a report without the step asked for fails the test loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `syncrules` with `args`.
pub fn syncrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncrules"))
        .args(args)
        .output()
        .unwrap()
}

/// Bytes as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The repository.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample's base LDIF.
pub fn sample_ldif() -> String {
    std::fs::read_to_string(repo().join("examples/contoso/contoso.ldif")).unwrap()
}

/// A fresh, empty folder `syncrules-<kind>-<random>` in the system's temporary folder,
/// removed with everything in it when the value is dropped: keep it in a variable for as
/// long as the test uses the folder, and it goes when the test ends, passed or failed. It
/// derefs to the folder's path.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new(kind: &str) -> Self {
        Self(
            tempfile::Builder::new()
                .prefix(&format!("syncrules-{kind}-"))
                .tempdir()
                .unwrap(),
        )
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A [`Scratch`] folder `syncrules-<kind>-<name>-<random>` holding `ldif` as `contoso.ldif`
/// and the sample's sync.yaml with the rules by absolute path.
pub fn sample_with(kind: &str, name: &str, ldif: &str) -> Scratch {
    let dir = Scratch::new(&format!("{kind}-{name}"));
    std::fs::write(dir.join("contoso.ldif"), ldif).unwrap();
    std::fs::write(dir.join("sync.yaml"), example_config("contoso")).unwrap();
    dir
}

/// The `sync.yaml` of `examples/<name>` with the rules by absolute path, for a copy of the
/// example in another folder.
pub fn example_config(name: &str) -> String {
    std::fs::read_to_string(repo().join(format!("examples/{name}/sync.yaml")))
        .unwrap()
        .replace(
            "rules: ../../rules",
            &format!("rules: {}", repo().join("rules").display()),
        )
}

/// `syncrules run --config DIR/sync.yaml` with `extra` arguments.
pub fn run(dir: &Path, extra: &[&str]) -> Output {
    let config = dir.join("sync.yaml");
    let mut args = vec!["run", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    syncrules(&args)
}

/// Every file below a folder with its bytes, but the file target's `lock`, which holds the
/// process id of the last run that opened the folder.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "lock") {
                out.push((
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// Appends `what` to the sample's delta file.
pub fn append(dir: &Path, what: &str) {
    append_to(dir, "contoso-delta.ldif", what);
}

/// Appends `what` to the file `name` of `dir` (created when missing).
pub fn append_to(dir: &Path, name: &str, what: &str) {
    use std::io::Write as _;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(name))
        .unwrap()
        .write_all(what.as_bytes())
        .unwrap();
}

/// The report of the first step of `connector` whose name `step` accepts, from a run's
/// JSON output (which must have succeeded).
pub fn report_step(
    out: &Output,
    connector: &str,
    step: impl Fn(&str) -> bool,
) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["connector"] == connector && s["step"].as_str().is_some_and(&step))
        .cloned()
        .unwrap_or_else(|| panic!("no such step of {connector}: {report}"))
}

/// A directory's objects as comparable text, sorted by DN: type and attributes (anchors
/// a target assigns are left out: they number objects in the order they were added).
pub fn objects(entries: Vec<syncrules_engine::connector::ImportEntry>) -> Vec<String> {
    let mut out: Vec<String> = entries
        .into_iter()
        .map(|e| {
            let mut attrs: Vec<String> = e
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            attrs.sort();
            format!(
                "{}|{}|{}",
                e.dn.as_str().to_ascii_lowercase(),
                e.object_type,
                attrs.join(";")
            )
        })
        .collect();
    out.sort();
    out
}

/// What the target folder `entra` and the source directory (`ad.ldif` and its write-backs
/// in `ad-delta.ldif`) of a run's folder hold, as [`objects`].
pub fn directories(dir: &Path) -> (Vec<String>, Vec<String>) {
    use syncrules_engine::connector::Connector as _;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut entra = syncrules_connectors::file_target::FileTarget::new(
            "contoso.onmicrosoft.com",
            dir.join("entra"),
        );
        let mut ad =
            syncrules_connectors::ldif::LdifSource::new("contoso.com", dir.join("ad.ldif"))
                .with_delta(dir.join("ad-delta.ldif"));
        let e = entra.full_import().await.unwrap().entries;
        let a = ad.full_import().await.unwrap().entries;
        (objects(e), objects(a))
    })
}
