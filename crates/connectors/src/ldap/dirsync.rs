//! The Active Directory DirSync control (OID 1.2.840.113556.1.4.841): what changed since a
//! cookie, with group membership changes as added and removed values.

use ldap3::controls::RawControl;

/// The control's OID.
pub(crate) const DIRSYNC_OID: &str = "1.2.840.113556.1.4.841";
/// `LDAP_DIRSYNC_INCREMENTAL_VALUES`: linked attributes (`member`) as value changes.
const INCREMENTAL_VALUES: i64 = 0x8000_0000;
/// The most bytes a DirSync response holds (AD's own default).
const MAX_BYTES: i64 = 0x0010_0000;

/// A BER length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let used = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
}

/// A BER INTEGER (two's complement, shortest form).
fn push_int(out: &mut Vec<u8>, value: i64) {
    let bytes = value.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (Some(b), Some(next)) = (bytes.get(start), bytes.get(start + 1)) else {
            break;
        };
        let redundant = (*b == 0 && next & 0x80 == 0) || (*b == 0xff && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    let used = bytes.get(start..).unwrap_or_default();
    out.push(0x02);
    push_len(out, used.len());
    out.extend_from_slice(used);
}

/// The request control: flags, size limit and the cookie (empty for a first request).
pub(crate) fn request(cookie: &[u8]) -> RawControl {
    let mut inner = Vec::new();
    push_int(&mut inner, INCREMENTAL_VALUES);
    push_int(&mut inner, MAX_BYTES);
    inner.push(0x04);
    push_len(&mut inner, cookie.len());
    inner.extend_from_slice(cookie);
    let mut val = vec![0x30];
    push_len(&mut val, inner.len());
    val.extend(inner);
    RawControl {
        ctype: DIRSYNC_OID.to_owned(),
        crit: true,
        val: Some(val),
    }
}

/// The response control's value: whether more changes wait, and the new cookie.
pub(crate) fn response(val: &[u8]) -> Option<(bool, Vec<u8>)> {
    let (_, tag) = ldap3::asn1::parse_tag(val).ok()?;
    let mut parts = tag.expect_constructed()?.into_iter();
    let more = parts.next()?.expect_primitive()?;
    let _unused = parts.next()?;
    let cookie = parts.next()?.expect_primitive()?;
    Some((more.iter().any(|b| *b != 0), cookie))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_encodes_flags_and_cookie() {
        let c = request(b"ck");
        let val = c.val.unwrap_or_default();
        // SEQUENCE { INTEGER 0x80000000 (5 bytes), INTEGER 0x100000, OCTET STRING "ck" }
        assert_eq!(
            val,
            vec![
                0x30, 0x10, 0x02, 0x05, 0x00, 0x80, 0, 0, 0, 0x02, 0x03, 0x10, 0, 0, 0x04, 0x02,
                b'c', b'k'
            ]
        );
        assert!(c.crit);
    }

    #[test]
    fn response_decodes() {
        let val = [
            0x30, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x04, 0x02, b'a', b'b',
        ];
        assert_eq!(response(&val), Some((true, b"ab".to_vec())));
        assert_eq!(response(&[0x01]), None);
    }
}
