//! Embedding syncrules: the project's default rules run over two connectors this example
//! implements itself, in memory — a small Active Directory as the source and a stand-in
//! for Entra ID as the target. `cargo run --example embed`

#![allow(clippy::print_stdout, reason = "an example prints what it did")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use syncrules::{
    Change, Connector, ConnectorError, Cycle, Dn, DnError, Event, ExportChange, ExportOp,
    ExportResult, ImportBatch, ImportEntry, Name, Rules, Session, Value,
};

/// An object held in memory: its anchor, object type and attributes.
type Object = (String, String, Vec<(Name, Value)>);

/// A directory held in memory, by DN (compared as AD compares them: `CN=a` is `cn=A`).
type Objects = BTreeMap<Dn, Object>;

/// Every object of a directory held in memory, as a full import reports them. Neither
/// directory here keeps a change log, so every delta import reads everything again too.
fn everything(objects: &Objects) -> ImportBatch {
    let entries = objects
        .iter()
        .map(|(dn, (anchor, object_type, attributes))| ImportEntry {
            change: Change::Present,
            dn: dn.clone(),
            old_dn: None,
            anchor: Some(anchor.clone()),
            object_type: object_type.clone(),
            attributes: attributes.iter().cloned().collect(),
            value_changes: Vec::new(),
        })
        .collect();
    ImportBatch {
        entries,
        ..ImportBatch::default()
    }
}

/// The source: two users, as Active Directory would return them.
struct MemoryAd {
    objects: Objects,
}

#[syncrules::async_trait]
impl Connector for MemoryAd {
    fn name(&self) -> &str {
        "contoso.com"
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(everything(&self.objects))
    }

    async fn delta_import(&mut self, _watermark: &str) -> Result<ImportBatch, ConnectorError> {
        self.full_import().await
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        // The default rules write mS-DS-ConsistencyGuid back to AD.
        for c in changes {
            if let Some((_, _, attributes)) = self.objects.get_mut(&c.dn) {
                for (name, value) in &c.attributes {
                    attributes.retain(|(n, _)| n != name);
                    attributes.push((*name, value.clone()));
                }
            }
        }
        Ok(vec![ExportResult::Done { anchor: None }; changes.len()])
    }
}

/// The target: Entra ID stood in for by a map the example reads afterwards.
struct MemoryEntra {
    objects: Arc<Mutex<Objects>>,
}

impl MemoryEntra {
    fn lock(&self) -> Result<MutexGuard<'_, Objects>, ConnectorError> {
        self.objects.lock().map_err(|_| ConnectorError::Data {
            connector: self.name().to_owned(),
            message: "the directory lock was poisoned".to_owned(),
        })
    }
}

#[syncrules::async_trait]
impl Connector for MemoryEntra {
    fn name(&self) -> &str {
        "contoso.onmicrosoft.com"
    }

    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
        Ok(everything(&*self.lock()?))
    }

    async fn delta_import(&mut self, _watermark: &str) -> Result<ImportBatch, ConnectorError> {
        self.full_import().await
    }

    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError> {
        let mut objects = self.lock()?;
        let mut results = Vec::new();
        for c in changes {
            match c.op {
                ExportOp::Add => {
                    let anchor = format!("entra-{}", objects.len() + 1);
                    let attributes = c.attributes.iter().map(|(n, v)| (*n, v.clone()));
                    let object = (anchor.clone(), c.object_type.clone(), attributes.collect());
                    objects.insert(c.dn.clone(), object);
                    results.push(ExportResult::Done {
                        anchor: Some(anchor),
                    });
                }
                ExportOp::Update | ExportOp::Rename => {
                    let old = c.old_dn.as_ref().unwrap_or(&c.dn);
                    if let Some(mut object) = objects.remove(old) {
                        for (name, value) in &c.attributes {
                            object.2.retain(|(n, _)| n != name);
                            if !value.is_null() {
                                object.2.push((*name, value.clone()));
                            }
                        }
                        objects.insert(c.dn.clone(), object);
                    }
                    results.push(ExportResult::Done { anchor: None });
                }
                ExportOp::Delete => {
                    objects.remove(&c.dn);
                    results.push(ExportResult::Done { anchor: None });
                }
            }
        }
        Ok(results)
    }
}

/// An enabled user of the sample's OU, as AD returns one.
fn user(given: &str, sn: &str, guid: u8) -> Result<(Dn, Object), DnError> {
    let initial = given.chars().next().unwrap_or('x');
    let sam = format!("{initial}{sn}").to_lowercase();
    let upn = format!("{}.{}@contoso.com", given.to_lowercase(), sn.to_lowercase());
    let dn = Dn::parse(&format!(
        "CN={given} {sn},OU=Seattle,OU=Employees,OU=Corp,DC=contoso,DC=com"
    ))?;
    let attributes = vec![
        (Name::new("objectGUID"), Value::Bin(Arc::from([guid; 16]))),
        (Name::new("cn"), Value::str(format!("{given} {sn}"))),
        (Name::new("givenName"), Value::str(given)),
        (Name::new("sn"), Value::str(sn)),
        (
            Name::new("displayName"),
            Value::str(format!("{given} {sn}")),
        ),
        (Name::new("sAMAccountName"), Value::str(&sam)),
        (Name::new("userPrincipalName"), Value::str(&upn)),
        (Name::new("mail"), Value::str(&upn)),
        (Name::new("userAccountControl"), Value::Num(512)),
        (Name::new("objectSid"), Value::Bin(Arc::from([1, 5, guid]))),
    ];
    Ok((dn, (format!("guid-{guid}"), "user".to_owned(), attributes)))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rules = Rules::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/rules")])?;
    let ad = MemoryAd {
        objects: [user("Ana", "Chen", 1)?, user("Ben", "Okafor", 2)?]
            .into_iter()
            .collect(),
    };
    let entra = Arc::new(Mutex::new(Objects::new()));
    let mut session = Session::builder(rules)
        .connector(ad)
        .connector(MemoryEntra {
            objects: Arc::clone(&entra),
        })
        .on_event(|event| {
            if let Event::StepFinished(step) = event {
                let r = &step.report;
                println!(
                    "{:<13} {:<24} adds {} updates {} errors {}",
                    r.step,
                    r.connector,
                    r.adds,
                    r.updates,
                    r.errors.len()
                );
            }
        })
        .open()?;

    let first = session.run(Cycle::Initial)?;
    println!("initial cycle: {} steps", first.steps.len());
    for (dn, (anchor, object_type, attributes)) in entra.lock().map_err(|_| "poisoned")?.iter() {
        let upn = attributes.iter().find(|(n, _)| n == "userPrincipalName");
        let upn = upn.map(|(_, v)| v.to_string()).unwrap_or_default();
        println!("Entra {object_type} {dn} ({anchor}): {upn}");
    }

    // The second cycle confirms what the first exported: nothing more to write.
    let second = session.run(Cycle::Delta)?;
    let written: usize = second
        .steps
        .iter()
        .filter(|s| s.report.step == "export")
        .map(|s| s.report.adds + s.report.updates + s.report.deletes)
        .sum();
    println!("delta cycle: {written} changes exported");
    Ok(())
}
