//! A two-forest export, made from the corpus as Entra Connect makes one: a second AD
//! connector (fabrikam.com) with its own copy of each of contoso.com's 29 rules, the
//! copies numbered right after the originals and every later rule moved down. The import
//! keeps one copy under a template, and instantiating it for both forests gives back the
//! export's rules and precedences, as a string scan of the made export reads them.

use std::path::{Path, PathBuf};

use syncrules_import::{Imported, import_aadconnect, write_rule_set};
use syncrules_lang::rules::{Instance, Instances, Report, RuleSet, fingerprint, instantiate};

use super::{AD, Failure, Outcome, corpus, fail, files, first, imported, read};

const FABRIKAM: &str = "fabrikam.com";
const AD_ID: &str = "ae4db4cc-b16b-4eb2-acf5-837ca84e4d7d";
const FABRIKAM_ID: &str = "fa000000-0000-4000-8000-00000000fab0";

/// A folder removed when dropped.
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn io<T>(r: std::io::Result<T>, what: &Path) -> Result<T, Failure> {
    r.map_err(|e| Failure(format!("{}: {e}", what.display())))
}

fn write(path: &Path, text: &str) -> Outcome {
    if let Some(parent) = path.parent() {
        io(std::fs::create_dir_all(parent), parent)?;
    }
    io(std::fs::write(path, text), path)
}

fn set_tag(xml: &str, tag: &str, value: &str) -> String {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    match xml.split_once(&open).and_then(|(head, rest)| {
        rest.split_once(&close)
            .map(|(_, tail)| format!("{head}{open}{value}{close}{tail}"))
    }) {
        Some(s) => s,
        None => xml.to_owned(),
    }
}

/// A rule as the made export numbers it: name, connector (`other` for the Entra one),
/// precedence.
type Numbered = (String, String, i64);

/// The corpus with fabrikam.com added; `interleaved` numbers the copies as Entra Connect
/// does, otherwise they come after every other rule. Returns the folder and, for each
/// rule file written, its (name, connector name, precedence).
fn two_forests(interleaved: bool) -> Result<(Temp, Vec<Numbered>), Failure> {
    let from = corpus()?;
    let dir = Temp(std::env::temp_dir().join(format!(
        "syncrules-import-forests-{interleaved}-{}",
        std::process::id()
    )));
    let _ = std::fs::remove_dir_all(&dir.0);
    for sub in ["Connectors", "GlobalSettings"] {
        for f in files(&from.join(sub))? {
            let Some(name) = f.file_name() else { continue };
            let text = read(&f)?;
            write(&dir.0.join(sub).join(name), &text)?;
            if text.contains(&AD_ID.to_uppercase()) {
                let copy = text
                    .replace(&AD_ID.to_uppercase(), &FABRIKAM_ID.to_uppercase())
                    .replace("contoso", "fabrikam")
                    .replace("CONTOSO", "FABRIKAM");
                let file = format!("Connector_{{{}}}.xml", FABRIKAM_ID.to_uppercase());
                write(&dir.0.join(sub).join(file), &copy)?;
            }
        }
    }
    let mut rules: Vec<(i64, String)> = Vec::new();
    for f in files(&from.join("SynchronizationRules"))? {
        let xml = read(&f)?;
        let p: i64 = first(&xml, "precedence")
            .parse()
            .map_err(|e| Failure(format!("{}: {e}", f.display())))?;
        rules.push((p, xml));
    }
    rules.sort_by_key(|(p, _)| *p);
    let mut next = rules.first().map_or(100, |(p, _)| *p);
    let mut late = 1000;
    let mut written = Vec::new();
    let mut put = |xml: &str, p: i64, n: usize| -> Outcome {
        let xml = set_tag(xml, "precedence", &p.to_string());
        let connector = if xml.contains(FABRIKAM_ID) {
            FABRIKAM
        } else if xml.contains(AD_ID) {
            AD
        } else {
            "other"
        };
        written.push((first(&xml, "name"), connector.to_owned(), p));
        let file = format!("SynchronizationRule_{n:03}.xml");
        write(&dir.0.join("SynchronizationRules").join(file), &xml)
    };
    for (n, (_, xml)) in rules.iter().enumerate() {
        put(xml, next, 2 * n)?;
        next += 1;
        if xml.contains(AD_ID) {
            let id = format!("{{fa000000-0000-4000-8000-{n:012}}}");
            let copy =
                set_tag(&set_tag(xml, "id", &id), "internal-id", &id).replace(AD_ID, FABRIKAM_ID);
            if interleaved {
                put(&copy, next, 2 * n + 1)?;
                next += 1;
            } else {
                put(&copy, late, 2 * n + 1)?;
                late += 1;
            }
        }
    }
    Ok((dir, written))
}

fn import(dir: &Path) -> Result<Imported, Failure> {
    import_aadconnect(dir).map_err(|e| Failure(format!("the import failed: {e}")))
}

#[test]
fn the_forests_share_one_copy_of_the_rules_that_instantiates_back_to_the_export() -> Outcome {
    let (dir, written) = two_forests(true)?;
    let two = import(&dir.0)?;
    let one = imported()?;

    // One copy, numbered as the single-forest export numbers it.
    let numbered = |i: &Imported| {
        let mut v: Vec<(String, String, i64)> = i
            .rules
            .iter()
            .map(|r| (r.name.clone(), r.connector.clone(), r.precedence))
            .collect();
        v.sort();
        v
    };
    if numbered(&two) != numbered(one) {
        return fail(format!(
            "the shared rules differ from the single forest's:\n{:?}\n{:?}",
            numbered(&two),
            numbered(one)
        ));
    }
    let Some(template) = two.config.connectors.get(AD) else {
        return fail("no contoso.com declaration");
    };
    assert!(template.template, "contoso.com is not a template");
    assert!(!two.config.connectors.contains_key(FABRIKAM));
    let [forest] = two.forests.as_slice() else {
        return fail(format!("forests: {:?}", two.forests));
    };
    assert_eq!(
        (forest.connector.as_str(), forest.template.as_str()),
        (FABRIKAM, AD)
    );
    assert_eq!(
        forest.parameters.get("Domain.FQDN").map(String::as_str),
        Some(FABRIKAM)
    );

    // Instantiated for both forests: the export's rules, as scanned from its files.
    let instance = |name: &str, parameters| Instance::new(name, AD, parameters);
    let mut set = RuleSet {
        config: two.config.clone(),
        rules: two.rules.clone(),
        ..RuleSet::default()
    };
    let connectors = [
        instance(AD, template.parameters.clone()),
        instance(FABRIKAM, forest.parameters.clone()),
    ];
    let mut report = Report::default();
    instantiate(
        &mut set,
        &Instances {
            file: Path::new("sync.yaml"),
            connectors: &connectors,
            matching: None,
        },
        &mut report,
    );
    assert_eq!(report.errors(), 0, "{}", report.render());
    let aad = |c: &str| {
        if c == AD || c == FABRIKAM {
            c.to_owned()
        } else {
            "other".to_owned()
        }
    };
    let mut got: Vec<(String, String, i64)> = set
        .rules
        .iter()
        .map(|r| (r.name.clone(), aad(&r.connector), r.precedence))
        .collect();
    got.sort();
    let mut want = written;
    want.sort();
    assert_eq!(got, want);
    // Renumbered and instantiated defaults are not edited ones (W0101): each records the
    // fingerprint of what it is.
    for r in two.rules.iter().chain(&set.rules) {
        if let Some(recorded) = r.vendor.as_ref().and_then(|v| v.fingerprint.as_deref()) {
            assert_eq!(fingerprint(r), recorded, "`{}` of {}", r.name, r.connector);
        }
    }

    // Written out: the template, and the forests for sync.yaml.
    let out = Temp(dir.0.join("out"));
    write_rule_set(&out.0, &two).map_err(|e| Failure(e.to_string()))?;
    let fragment = read(&out.0.join("forests.sync.yaml"))?;
    assert!(
        fragment.contains("  fabrikam.com:\n    rules: contoso.com\n"),
        "{fragment}"
    );
    assert!(
        fragment.contains("Domain.FQDN: 'fabrikam.com'"),
        "{fragment}"
    );
    let config = read(&out.0.join("syncrules.yaml"))?;
    assert!(config.contains("template: true"), "{config}");
    Ok(())
}

#[test]
fn copies_not_numbered_as_entra_connect_does_stay_per_connector() -> Outcome {
    let (dir, written) = two_forests(false)?;
    let two = import(&dir.0)?;
    assert!(two.forests.is_empty());
    assert_eq!(two.rules.len(), written.len());
    assert!(two.config.connectors.contains_key(FABRIKAM));
    let warned = two
        .warnings
        .iter()
        .any(|w| w.contains("stay per connector") && w.contains("numbered"));
    assert!(warned, "{:?}", two.warnings);
    Ok(())
}
