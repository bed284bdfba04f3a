//! Security identifiers: `StringFromSid`.

use crate::functions::{CallCtx, FnError, value_error, with_bin};
use crate::value::Value;

/// The binary SID layout (MS-DTYP 2.4.2.2): revision, sub-authority count, a 48-bit
/// big-endian identifier authority, then 32-bit little-endian sub-authorities.
///
/// Reading: as .NET's `SecurityIdentifier`: the revision must be 1 and there are at most
/// 15 sub-authorities; an authority of 2^32 or more is written in hex (`0x...`); bytes after
/// the SID are ignored; too few bytes is an error.
pub(super) fn string_from_sid(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    const F: &str = "StringFromSid";
    with_bin(F, args, |b| {
        sid_text(b)
            .map(Value::from)
            .map_err(|why| value_error(F, format!("not a SID: {why}")))
    })
}

/// The `S-1-...` form of the SID in `b`, or why `b` is not one.
fn sid_text(b: &[u8]) -> Result<String, &'static str> {
    let (&revision, &count) = match b {
        [r, c, ..] => (r, c),
        _ => return Err("too short"),
    };
    if revision != 1 {
        return Err("revision is not 1");
    }
    if count > 15 {
        return Err("more than 15 sub-authorities");
    }
    let count = usize::from(count);
    let authority = b
        .get(2..8)
        .ok_or("too short")?
        .iter()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    let subs = b
        .get(8..8 + 4 * count)
        .ok_or("shorter than its sub-authority count")?;
    let mut out = if authority < 1 << 32 {
        format!("S-1-{authority}")
    } else {
        format!("S-1-0x{authority:012X}")
    };
    for chunk in subs.chunks_exact(4) {
        let mut le = [0u8; 4];
        le.copy_from_slice(chunk);
        out.push('-');
        out.push_str(&u32::from_le_bytes(le).to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{ok, run, s, value_err};
    use crate::value::Value;

    fn sid_bytes(authority: u64, subs: &[u32]) -> Vec<u8> {
        let mut b = vec![1, subs.len() as u8];
        b.extend_from_slice(&authority.to_be_bytes()[2..]);
        for sub in subs {
            b.extend_from_slice(&sub.to_le_bytes());
        }
        b
    }

    #[test]
    fn string_from_sid() {
        let domain_user = sid_bytes(5, &[21, 1004336348, 1177238915, 682003330, 1108]);
        assert_eq!(
            ok("StringFromSid", &[Value::bin(&domain_user)]),
            s("S-1-5-21-1004336348-1177238915-682003330-1108")
        );
        assert_eq!(
            ok("StringFromSid", &[Value::bin(sid_bytes(5, &[32, 544]))]),
            s("S-1-5-32-544")
        );
        assert_eq!(
            ok("StringFromSid", &[Value::bin(sid_bytes(1, &[0]))]),
            s("S-1-1-0")
        );
        assert_eq!(
            ok(
                "StringFromSid",
                &[Value::bin(sid_bytes(0x1_0000_0000, &[7]))]
            ),
            s("S-1-0x000100000000-7")
        );
        let mut trailing = sid_bytes(5, &[18]);
        trailing.extend_from_slice(&[9, 9]);
        assert_eq!(ok("StringFromSid", &[Value::bin(&trailing)]), s("S-1-5-18"));
        assert_eq!(ok("StringFromSid", &[Value::Null]), Value::Null);
        assert!(value_err(run("StringFromSid", &[Value::bin([1])])).contains("too short"));
        let short = &domain_user[..domain_user.len() - 1];
        assert!(value_err(run("StringFromSid", &[Value::bin(short)])).contains("count"));
        let mut rev2 = sid_bytes(5, &[18]);
        rev2[0] = 2;
        assert!(value_err(run("StringFromSid", &[Value::bin(&rev2)])).contains("revision"));
    }
}
