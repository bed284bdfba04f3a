//! Writes a synthetic Active Directory as LDIF, as `syncrules gen` will:
//! `cargo run --release -p syncrules-connectors --example gen -- USERS GROUPS SEED OUT.ldif`.

use std::time::Instant;

use syncrules_connectors::ldif::{AttributeTyping, Snapshot};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [users, groups, seed, out] = args.as_slice() else {
        return Err("usage: gen USERS GROUPS SEED OUT.ldif".into());
    };
    let start = Instant::now();
    let file = std::fs::File::create(out)?;
    syncrules_connectors::adgen::write_ldif(users.parse()?, groups.parse()?, seed.parse()?, file)?;
    let written = start.elapsed();
    let bytes = std::fs::read(out)?;
    let parsed = Instant::now();
    let records = syncrules_connectors::ldif::parse_bytes(&bytes, out.as_ref())?;
    let parse_time = parsed.elapsed();
    let mapped = Instant::now();
    let mut snapshot = Snapshot::new(AttributeTyping::active_directory());
    for record in &records {
        snapshot.apply(record)?;
    }
    eprintln!(
        "{} records, {} bytes: generated and written in {:.2?}, parsed in {:.2?}, \
         typed into {} import entries in {:.2?}",
        records.len(),
        bytes.len(),
        written,
        parse_time,
        snapshot.len(),
        mapped.elapsed()
    );
    Ok(())
}
