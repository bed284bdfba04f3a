//! Connectors for syncrules: LDIF files, a file-backed directory target, and a generator of
//! synthetic Active Directory data.
//!
//! - [`ldif`]: an RFC 2849 reader and writer, the typing of Active Directory attributes, and
//!   [`LdifSource`], a connector over a base file and a delta change log (exports are
//!   appended to the change log; see `docs/ldif.md`);
//! - [`file_target`]: [`FileTarget`], a directory kept as JSON in a folder, standing in for
//!   Entra ID (it assigns anchors and enforces unique `userPrincipalName` and
//!   `proxyAddresses`);
//! - [`adgen`]: a synthetic Active Directory, deterministic for a seed, as LDIF records;
//! - [`coalesce()`]: one delta entry per object.
//!
//! The mapping from a directory's records to [`ImportEntry`](syncrules_connector::ImportEntry)s
//! is a pure function in each connector ([`ldif::entry_from_record`], [`ldif::Snapshot`]);
//! the connectors' I/O stays thin.
//!
//! ```
//! use std::path::Path;
//!
//! use syncrules_connectors::adgen;
//! use syncrules_connectors::ldif::{self, AttributeTyping, Snapshot};
//! use syncrules_lang::Value;
//!
//! // What `syncrules gen --users 10 --groups 2 --seed 42` writes.
//! let mut text = Vec::new();
//! adgen::write_ldif(10, 2, 42, &mut text)?;
//!
//! // Parsed whole, then typed into import entries.
//! let records = ldif::parse_bytes(&text, Path::new("contoso.ldif"))?;
//! let mut directory = Snapshot::new(AttributeTyping::active_directory());
//! for record in &records {
//!     directory.apply(record)?;
//! }
//! let users: Vec<_> = directory.entries().filter(|e| e.object_type == "user").collect();
//! assert_eq!(users.len(), 10 + adgen::BUILTIN_USERS);
//! let krbtgt = directory.get("CN=krbtgt,CN=Users,DC=contoso,DC=com").ok_or("no krbtgt")?;
//! assert_eq!(krbtgt.attributes["userAccountControl"], Value::Num(514));
//! assert_eq!(krbtgt.attributes["isCriticalSystemObject"], Value::Bool(true));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod adgen;
mod coalesce;
pub mod file_target;
pub mod graph;
pub mod ldap;
pub mod ldif;
pub mod observed;

pub use coalesce::coalesce;
pub use file_target::FileTarget;
pub use ldif::LdifSource;
