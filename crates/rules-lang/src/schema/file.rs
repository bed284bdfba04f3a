//! The first stage: a schema or connector file's bytes, decoded to text.

use std::path::Path;

use super::SchemaError;

/// Reads an XML file as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one.
pub(super) fn read_xml_file(path: &Path) -> Result<String, SchemaError> {
    let bytes = std::fs::read(path).map_err(|source| SchemaError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode_text(bytes).map_err(|message| SchemaError::invalid(Some(path), message.to_owned()))
}

/// A file's bytes as text: UTF-8 (a byte-order mark is skipped) or UTF-16 with a byte-order
/// mark, as Entra Connect's own export tools write. The error says which encoding was invalid.
pub fn decode_text(mut bytes: Vec<u8>) -> Result<String, &'static str> {
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        let units = rest
            .chunks(2)
            .map(|c| <[u8; 2]>::try_from(c).map_or(0xFFFD, from));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| "the file is not valid utf-16")
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        // Decoded in place: a connector file runs to megabytes.
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        String::from_utf8(bytes).map_err(|_| "the file is not valid utf-8")
    }
}
