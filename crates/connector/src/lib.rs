//! The connector interface: what the sync engine (`syncrules-engine`) needs from a
//! connected directory. Implemented in `syncrules-connectors` (LDIF and file-backed
//! targets, LDAP, Microsoft Graph) and by embedders; a connector depends on this crate
//! only, not on the engine's storage.
//!
//! The mapping between a directory's entries and these types is the connector's job and
//! should be a pure function, tested on recorded fixtures; the I/O stays thin.

use std::ops::ControlFlow;
use syncrules_lang::name::{AttrMap, Name};

use syncrules_lang::Value;
use syncrules_lang::dn::Dn;
use syncrules_lang::schema::Schema;

/// What an imported entry says about an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The object exists with these attributes (every attribute it has). Full imports
    /// produce only these; an object a full import does not mention is deleted.
    Present,
    /// A new object (delta import).
    Add,
    /// Some attributes changed (delta import): each listed attribute has its new values,
    /// a null value removes it; attributes not listed are unchanged.
    Modify,
    /// The object is gone (delta import).
    Delete,
}

/// One imported entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportEntry {
    /// What happened.
    pub change: Change,
    /// The object's DN (its current one, after any rename). The root DN (of no RDNs,
    /// [`Dn::is_root`]) for a [`Change::Delete`] known by `anchor` alone, which is nothing
    /// to do when no object holds that anchor (a directory reporting deletes by identifier
    /// cannot tell which of them were in scope). A connector that reads a DN it cannot
    /// parse reports that record as an [`ImportError`] instead.
    pub dn: Dn,
    /// Its previous DN when the entry renames it.
    pub old_dn: Option<Dn>,
    /// Its immutable anchor (AD: objectGUID as base64), when the directory has one.
    pub anchor: Option<String>,
    /// The object type (AD: the most specific objectClass).
    pub object_type: String,
    /// Attribute values; references are [`Value::Ref`] holding the target's DN. For a
    /// [`Change::Modify`], each listed attribute is replaced (a null value removes it).
    pub attributes: AttrMap,
    /// Value-level changes of a [`Change::Modify`], applied in order after `attributes` to
    /// the values the connector space holds: how a directory reports a change to a large
    /// multi-valued attribute (a group's `member`) without sending every value. Empty for
    /// every other change.
    pub value_changes: Vec<ValueChange>,
}

/// Whether a [`ValueChange`] adds or removes values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueOp {
    /// Add the values (a value already held is not added twice).
    Add,
    /// Remove the values (a value not held is ignored); no values removes every value.
    Remove,
}

/// Values added to or removed from one attribute by a delta import.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueChange {
    /// The attribute.
    pub attribute: Name,
    /// Add or remove.
    pub op: ValueOp,
    /// The values.
    pub values: Vec<Value>,
}

/// One record of an import that could not be read or applied: reported as that object's
/// error and skipped, while the rest of the import goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The record's DN, when it has one.
    pub dn: Option<String>,
    /// What is wrong, located where possible (`file:line: message`).
    pub message: String,
}

/// The result of an import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportBatch {
    /// The entries, in any order.
    pub entries: Vec<ImportEntry>,
    /// Where the next delta import starts, to be stored with the connector's state.
    pub watermark: Option<String>,
    /// Records skipped because they could not be applied (counted against the error
    /// limit).
    pub errors: Vec<ImportError>,
}

/// The operation an export performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportOp {
    /// Create the object.
    Add,
    /// Change attributes.
    Update,
    /// Move the object to a new DN.
    Rename,
    /// Delete the object.
    Delete,
}

impl ExportOp {
    /// `add`, `update`, `rename` or `delete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportOp::Add => "add",
            ExportOp::Update => "update",
            ExportOp::Rename => "rename",
            ExportOp::Delete => "delete",
        }
    }
}

/// One object's export.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportChange {
    /// The operation.
    pub op: ExportOp,
    /// The object's DN (the new DN for a rename).
    pub dn: Dn,
    /// The previous DN, for a rename.
    pub old_dn: Option<Dn>,
    /// The anchor, once the directory has assigned one.
    pub anchor: Option<String>,
    /// The object type.
    pub object_type: String,
    /// For an add, every attribute; for an update, the attributes to set (a null value
    /// removes one). References are [`Value::Ref`] holding the target's DN.
    pub attributes: AttrMap,
    /// The change was handed to the connector before by a run killed before it stored the
    /// result: it may already be applied. A connector makes it idempotent — an add whose
    /// object exists (same DN and type) updates it and reports its anchor; a delete of a
    /// missing object is done — instead of failing or applying it twice.
    pub retry: bool,
}

/// Why one object's export failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureClass {
    /// A value must be unique and another object holds it (UPN, proxyAddresses).
    DuplicateAttribute,
    /// A value the directory rejects.
    InvalidValue,
    /// The object to change does not exist.
    NoSuchObject,
    /// The directory refuses the change (mastered elsewhere, insufficient rights).
    Refused,
    /// Anything else.
    Other,
}

impl FailureClass {
    /// The class as a stable string for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::DuplicateAttribute => "duplicate-attribute",
            FailureClass::InvalidValue => "invalid-value",
            FailureClass::NoSuchObject => "no-such-object",
            FailureClass::Refused => "refused",
            FailureClass::Other => "other",
        }
    }
}

/// The outcome of one object's export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportResult {
    /// Done; the directory's anchor for the object when it assigned one.
    Done {
        /// The new object's anchor.
        anchor: Option<String>,
    },
    /// Failed for good (until the data changes).
    Failed {
        /// Why.
        class: FailureClass,
        /// The directory's message (never holding a secret).
        message: String,
    },
    /// Failed for good: a value that must be unique (a UPN, a proxy address) is held by
    /// another object, which the directory names. The engine reports both objects, as
    /// Entra ID reports both sides of an AttributeValueMustBeUnique conflict; a directory
    /// that does not say who holds the value answers [`ExportResult::Failed`] with
    /// [`FailureClass::DuplicateAttribute`].
    Duplicate {
        /// The attribute whose value is taken.
        attribute: String,
        /// The value, as text.
        value: String,
        /// The object holding it.
        holder: Dn,
        /// The directory's message.
        message: String,
    },
    /// Failed for now; the next export tries again.
    Retry {
        /// Why.
        message: String,
    },
}

/// Why a connector operation failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The directory could not be reached or answered with an error after retries.
    #[error("{connector}: the directory is unavailable: {message}")]
    Unavailable {
        /// The connector.
        connector: String,
        /// What happened.
        message: String,
    },
    /// The directory's data is malformed (a bad LDIF line, an unexpected response).
    #[error("{connector}: {message}")]
    Data {
        /// The connector.
        connector: String,
        /// What is wrong, located where possible (`file:line`).
        message: String,
    },
    /// The stored watermark is no longer valid: a full import is needed.
    #[error("{connector}: the delta watermark expired; a full import is needed")]
    WatermarkExpired {
        /// The connector.
        connector: String,
    },
}

/// A page of a paged import ([`Connector::full_import_paged`],
/// [`Connector::delta_import_paged`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The page's entries.
    pub entries: Vec<ImportEntry>,
    /// How many entries the whole import hands over, when the connector knows before the
    /// end (a progress bar's total): exact when it read the import whole, at most that many
    /// when it counted changes it folds, `None` while it reads as it goes.
    pub total: Option<usize>,
}

/// Hands `entries` to `page` a page of at most `page_size` at a time, until `page` answers
/// [`ControlFlow::Break`]: the paged imports' default, over an import read whole (so each
/// page tells the total).
fn hand_over(
    entries: Vec<ImportEntry>,
    page_size: usize,
    page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
) {
    let total = Some(entries.len());
    let mut entries = entries.into_iter();
    loop {
        let chunk: Vec<ImportEntry> = entries.by_ref().take(page_size.max(1)).collect();
        if chunk.is_empty() {
            break;
        }
        if page(Page {
            entries: chunk,
            total,
        })
        .is_break()
        {
            break;
        }
    }
}

/// A connected directory.
///
/// A full import reports every object ([`Change::Present`]); a delta import reports what
/// changed since the watermark the previous import returned, or
/// [`ConnectorError::WatermarkExpired`] to have the engine run a full import instead. An
/// export gets a batch of changes and answers one [`ExportResult`] per change: one
/// object's failure is that object's, the run goes on.
///
/// ```
/// use syncrules_connector::*;
/// use syncrules_lang::dn::Dn;
///
/// /// A source holding one user, with no change log.
/// struct OneUser;
///
/// #[async_trait::async_trait]
/// impl Connector for OneUser {
///     fn name(&self) -> &str {
///         "hr"
///     }
///
///     async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError> {
///         let mut attributes = syncrules_lang::AttrMap::default();
///         attributes.insert("displayName".into(), syncrules_lang::Value::str("Ana Chen"));
///         let dn = Dn::parse("CN=Ana Chen,OU=People,DC=example,DC=com").map_err(|e| {
///             ConnectorError::Data { connector: self.name().to_owned(), message: e.to_string() }
///         })?;
///         let ana = ImportEntry {
///             change: Change::Present,
///             dn,
///             old_dn: None,
///             anchor: Some("100003".to_owned()),
///             object_type: "person".to_owned(),
///             attributes,
///             value_changes: Vec::new(),
///         };
///         Ok(ImportBatch { entries: vec![ana], ..ImportBatch::default() })
///     }
///
///     async fn delta_import(&mut self, _watermark: &str) -> Result<ImportBatch, ConnectorError> {
///         Err(ConnectorError::WatermarkExpired { connector: self.name().to_owned() })
///     }
///
///     async fn export(
///         &mut self,
///         changes: &[ExportChange],
///     ) -> Result<Vec<ExportResult>, ConnectorError> {
///         // A read-only source refuses writes, object by object.
///         Ok(changes
///             .iter()
///             .map(|_| ExportResult::Failed {
///                 class: FailureClass::Refused,
///                 message: "hr is read-only".to_owned(),
///             })
///             .collect())
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// The connector's name, as rules refer to it.
    fn name(&self) -> &str;

    /// The directory's schema, when it publishes one.
    fn schema(&self) -> Option<&Schema> {
        None
    }

    /// The attributes whose values the directory keeps unique across its objects, ignoring
    /// case (Entra ID: `userPrincipalName`, `proxyAddresses`). A preview reports two
    /// objects that would hold the same value, before an export is refused; none by
    /// default.
    fn unique_attributes(&self) -> Vec<String> {
        Vec::new()
    }

    /// Reads every object.
    async fn full_import(&mut self) -> Result<ImportBatch, ConnectorError>;

    /// Reads every object as [`Connector::full_import`] does, handing the entries to `page`
    /// a page of at most `page_size` at a time instead of returning them, so that a caller
    /// applying and dropping each page never holds the whole directory. Returns the
    /// import's watermark and errors (its `entries` are empty). When `page` answers
    /// [`ControlFlow::Break`], the connector stops and returns what it has; the caller then
    /// discards the import.
    ///
    /// By default this reads [`Connector::full_import`] and cuts its entries into pages: a
    /// connector that can read its directory a part at a time (the LDIF source does)
    /// overrides it so that it never holds every entry either.
    async fn full_import_paged(
        &mut self,
        page_size: usize,
        page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
    ) -> Result<ImportBatch, ConnectorError> {
        let mut batch = self.full_import().await?;
        hand_over(std::mem::take(&mut batch.entries), page_size, page);
        Ok(batch)
    }

    /// Reads what changed since `watermark` (from the previous import's batch).
    async fn delta_import(&mut self, watermark: &str) -> Result<ImportBatch, ConnectorError>;

    /// Reads what changed since `watermark` as [`Connector::delta_import`] does, handing
    /// the entries to `page` a page of at most `page_size` at a time, as
    /// [`Connector::full_import_paged`] does: a delta can be as large as the directory (the
    /// run after an initial cycle confirms every export). Returns the new watermark and
    /// the errors (its `entries` are empty). When the delta cannot be read
    /// ([`ConnectorError::WatermarkExpired`]), pages may have been handed over already: the
    /// caller then runs a full import, which supersedes them.
    ///
    /// By default this reads [`Connector::delta_import`] and cuts its entries into pages;
    /// the file target overrides it to read its journal a page at a time.
    async fn delta_import_paged(
        &mut self,
        watermark: &str,
        page_size: usize,
        page: &mut (dyn FnMut(Page) -> ControlFlow<()> + Send),
    ) -> Result<ImportBatch, ConnectorError> {
        let mut batch = self.delta_import(watermark).await?;
        hand_over(std::mem::take(&mut batch.entries), page_size, page);
        Ok(batch)
    }

    /// Changes handed to [`Connector::export`] at once, at most (each batch is journaled
    /// first, so a killed run sends at most one batch again, marked as in doubt). A
    /// connector that keeps many writes in flight asks for larger batches: the end of each
    /// batch waits for its slowest change.
    fn export_batch(&self) -> usize {
        1000
    }

    /// Writes a batch of changes; one result per change, in order.
    async fn export(
        &mut self,
        changes: &[ExportChange],
    ) -> Result<Vec<ExportResult>, ConnectorError>;

    /// Called once an export step has handed over its last batch (when it handed over
    /// any): a connector that keeps work for the end of a step (the file target folding a
    /// journal the step filled into its snapshot) does it here. Every change is already
    /// written: a failure here loses none, and the step reports it as a note. Nothing by
    /// default.
    async fn end_export(&mut self) -> Result<(), ConnectorError> {
        Ok(())
    }
}
