//! Syntax OIDs: the scalar type of each attribute syntax a DSML `attribute-type` names.

use crate::types::Scalar;

/// The LDAP syntaxes' prefix, abbreviated `…121.1.` in the table below.
const LDAP: &str = "1.3.6.1.4.1.1466.115.121.1.";
/// Active Directory's own syntaxes' prefix, abbreviated `…1.4.`.
const AD: &str = "1.2.840.113556.1.4.";

/// The scalar type of a DSML syntax OID (surrounding white space ignored), `None` for an OID
/// not in this table; such attributes are read as `str`.
///
/// `1.3.6.1.4.1.1466.115.121.1.` is abbreviated `…121.1.` and `1.2.840.113556.1.4.` (Active
/// Directory's own syntaxes) `…1.4.`.
///
/// | OID | syntax | scalar |
/// | --- | --- | --- |
/// | `…121.1.15` | Directory String | `str` |
/// | `…121.1.26` | IA5 String | `str` |
/// | `…121.1.44` | Printable String | `str` |
/// | `…121.1.36` | Numeric String | `str` |
/// | `…121.1.38` | OID | `str` |
/// | `…121.1.11` | Country String | `str` |
/// | `…121.1.50` | Telephone Number | `str` |
/// | `…121.1.22` | Facsimile Telephone Number | `str` |
/// | `…121.1.43` | Presentation Address | `str` |
/// | `…121.1.2` | Access Point | `str` |
/// | `…121.1.34` | Name and Optional UID | `str` |
/// | `…1.4.905` | String(Teletex) | `str` |
/// | `…1.4.1362` | String(Case) | `str` |
/// | `…1.4.903` | Object(DN-Binary): `B:<count>:<hex>:<dn>` | `str` |
/// | `…1.4.904` | Object(DN-String): `S:<count>:<string>:<dn>` | `str` |
/// | `…121.1.12` | DN | `ref` |
/// | `…1.4.1221` | Object(OR-Name): a DN (`authOrig`, `dLMemSubmitPerms`) | `ref` |
/// | `…121.1.27` | Integer (and AD Enumeration) | `num` |
/// | `…1.4.906` | Large Integer (`pwdLastSet`, `accountExpires`) | `num` |
/// | `…121.1.7` | Boolean | `bool` |
/// | `…121.1.40` | Octet String | `bin` |
/// | `…121.1.5` | Binary (the metaverse's binary type) | `bin` |
/// | `…121.1.4` | Audio | `bin` |
/// | `…121.1.8` | Certificate | `bin` |
/// | `…121.1.9` | Certificate List | `bin` |
/// | `…121.1.10` | Certificate Pair | `bin` |
/// | `…121.1.28` | JPEG | `bin` |
/// | `…1.4.907` | String(NT-Sec-Desc) | `bin` |
/// | `…121.1.24` | Generalized Time | `dt` |
/// | `…121.1.53` | UTC Time | `dt` |
/// | anything else, or no `syntax` | | `str` (this function gives `None`) |
///
/// Note: the Sync Service's own connector-space and metaverse types are only string, integer,
/// binary, boolean and reference; it holds an Active Directory Generalized Time as a string
/// such as `20160426114009.0Z` (the metaverse declares `msExchELCExpirySuspensionEnd` a
/// Directory String while the AD connector declares it Generalized Time, and a rule flows one
/// into the other directly). The two time syntaxes are mapped to `dt` here nonetheless; a
/// checker that compares a direct flow's source and target types should let `dt` flow to `str`.
pub fn scalar_for_syntax(oid: &str) -> Option<Scalar> {
    let oid = oid.trim();
    if let Some(n) = oid.strip_prefix(LDAP) {
        return match n {
            "2" | "11" | "15" | "22" | "26" | "34" | "36" | "38" | "43" | "44" | "50" => {
                Some(Scalar::Str)
            }
            "12" => Some(Scalar::Ref),
            "27" => Some(Scalar::Num),
            "7" => Some(Scalar::Bool),
            "4" | "5" | "8" | "9" | "10" | "28" | "40" => Some(Scalar::Bin),
            "24" | "53" => Some(Scalar::Dt),
            _ => None,
        };
    }
    match oid.strip_prefix(AD)? {
        "903" | "904" | "905" | "1362" => Some(Scalar::Str),
        "1221" => Some(Scalar::Ref),
        "906" => Some(Scalar::Num),
        "907" => Some(Scalar::Bin),
        _ => None,
    }
}
