//! Connector (management agent) files: `Connectors/Connector_{guid}.xml`, an `<ma-data>`.

use std::path::Path;

use super::file::read_xml_file;
use super::{Schema, SchemaError, dsml};

/// What kind of directory a connector reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectorKind {
    /// An on-premises Active Directory forest (`<category>AD</category>`).
    ActiveDirectory,
    /// Microsoft Entra ID, formerly Azure AD: `<category>AAD</category>`, or an extensible
    /// connector whose `<subtype>` or `<ma-listname>` names Azure Active Directory or Entra ID.
    EntraId,
    /// Any other connector: its `<subtype>` when it has one, else its `<category>`.
    Other(String),
}

impl ConnectorKind {
    /// The kind a connector's `<category>`, `<subtype>` and `<ma-listname>` describe.
    pub fn classify(category: &str, subtype: &str, listname: &str) -> ConnectorKind {
        let names_entra = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("azure active directory") || s.contains("entra id")
        };
        if category.eq_ignore_ascii_case("AD") {
            ConnectorKind::ActiveDirectory
        } else if category.eq_ignore_ascii_case("AAD")
            || names_entra(subtype)
            || names_entra(listname)
        {
            ConnectorKind::EntraId
        } else if subtype.is_empty() {
            ConnectorKind::Other(category.to_owned())
        } else {
            ConnectorKind::Other(subtype.to_owned())
        }
    }
}

/// One partition (naming context) of a connector and the containers it synchronizes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionDef {
    /// The partition's id, a braced GUID.
    pub id: String,
    /// The partition's name: a DN such as `DC=contoso,DC=com`, or `default`.
    pub name: String,
    /// True when the partition is selected for synchronization.
    pub selected: bool,
    /// The object classes the partition's filter imports, in file order.
    pub object_classes: Vec<String>,
    /// The containers (OUs) included, by DN.
    pub included_ous: Vec<String>,
    /// The containers (OUs) excluded, by DN.
    pub excluded_ous: Vec<String>,
}

/// A connector file: its name, id, type, and schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectorDef {
    /// The connector's id as the file spells it, a braced GUID (`{AE4DB4CC-...}`); sync rules
    /// spell it in lower case, so compare with [`ConnectorDef::has_id`].
    pub id: String,
    /// The connector's name (`contoso.com`, `contoso.onmicrosoft.com - AAD`).
    pub name: String,
    /// What it connects to.
    pub kind: ConnectorKind,
    /// The connector space schema.
    pub schema: Schema,
    /// The partitions, in file order.
    pub partitions: Vec<PartitionDef>,
    /// The attributes selected for synchronization (`<attribute-inclusion>`), in file order.
    pub attribute_inclusion: Vec<String>,
}

impl ConnectorDef {
    /// Reads a connector file.
    pub fn from_file(path: &Path) -> Result<ConnectorDef, SchemaError> {
        let xml = read_xml_file(path)?;
        Self::read(&xml, Some(path))
    }

    /// Reads a connector from the text of its file.
    pub fn from_xml(xml: &str) -> Result<ConnectorDef, SchemaError> {
        Self::read(xml, None)
    }

    /// True when `id` names this connector, ignoring ASCII case and surrounding braces.
    pub fn has_id(&self, id: &str) -> bool {
        let bare = |s: &str| {
            s.trim()
                .trim_start_matches('{')
                .trim_end_matches('}')
                .to_owned()
        };
        bare(&self.id).eq_ignore_ascii_case(&bare(id))
    }

    fn read(xml: &str, path: Option<&Path>) -> Result<ConnectorDef, SchemaError> {
        let invalid = |message: String| SchemaError::invalid(path, message);
        let doc = dsml::parse(xml, path)?;
        let Some(fields) = doc.connector else {
            return Err(invalid(
                "not a connector: the root element is not `ma-data`".to_owned(),
            ));
        };
        if fields.id.is_empty() {
            return Err(invalid("the connector has no `id`".to_owned()));
        }
        let Some(schema) = doc.schema else {
            return Err(invalid(format!(
                "connector `{}` has no dsml:directory-schema",
                fields.name
            )));
        };
        Ok(ConnectorDef {
            kind: ConnectorKind::classify(&fields.category, &fields.subtype, &fields.listname),
            id: fields.id,
            name: fields.name,
            schema,
            partitions: fields.partitions,
            attribute_inclusion: fields.attribute_inclusion,
        })
    }
}

/// The `ma-data` fields one pass over a connector file collects.
#[derive(Default)]
pub(super) struct ConnectorFields {
    pub id: String,
    pub name: String,
    pub category: String,
    pub subtype: String,
    pub listname: String,
    pub partitions: Vec<PartitionDef>,
    pub attribute_inclusion: Vec<String>,
}
