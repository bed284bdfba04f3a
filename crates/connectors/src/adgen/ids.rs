//! Active Directory identifiers and times: SIDs, GUIDs, FILETIMEs, Generalized Time.

/// A domain SID (`S-1-5-21-a-b-c`) or an account SID (`S-1-5-21-a-b-c-RID`) in its binary
/// layout: revision 1, the number of sub-authorities, the 48-bit identifier authority 5
/// (NT Authority) big-endian, then each sub-authority as a 32-bit little-endian integer.
pub fn sid_bytes(domain: [u32; 3], rid: Option<u32>) -> Vec<u8> {
    let subs: Vec<u32> = [21].into_iter().chain(domain).chain(rid).collect();
    let mut bytes = vec![1, u8::try_from(subs.len()).unwrap_or(5), 0, 0, 0, 0, 0, 5];
    for sub in subs {
        bytes.extend_from_slice(&sub.to_le_bytes());
    }
    bytes
}

/// The text form of a binary SID (`S-1-5-21-…`), `None` when the bytes are not one.
pub fn sid_string(bytes: &[u8]) -> Option<String> {
    let (&revision, rest) = bytes.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let (authority, mut subs) = rest.split_at_checked(6)?;
    if subs.len() != usize::from(count) * 4 {
        return None;
    }
    let authority = authority
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let mut text = format!("S-{revision}-{authority}");
    while let Some((sub, tail)) = subs.split_first_chunk::<4>() {
        text.push_str(&format!("-{}", u32::from_le_bytes(*sub)));
        subs = tail;
    }
    Some(text)
}

/// The text form of an objectGUID as Active Directory shows it: the first three fields are
/// stored little-endian (`{3F2504E0-4F89-11D3-9A0C-0305E82C3301}` without braces, lowercase).
pub fn guid_string(bytes: &[u8; 16]) -> String {
    let [a0, a1, a2, a3, b0, b1, c0, c1, rest @ ..] = *bytes;
    let tail: String = rest.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}-{}",
        a3,
        a2,
        a1,
        a0,
        b1,
        b0,
        c1,
        c0,
        tail.get(..4).unwrap_or(""),
        tail.get(4..).unwrap_or("")
    )
}

/// Seconds between 1601-01-01 (the FILETIME epoch) and 1970-01-01.
const FILETIME_EPOCH_OFFSET: i64 = 11_644_473_600;

/// A Unix time as a FILETIME: 100-nanosecond ticks since 1601-01-01 UTC (`pwdLastSet`).
pub fn filetime(unix_seconds: i64) -> i64 {
    (unix_seconds + FILETIME_EPOCH_OFFSET) * 10_000_000
}

/// A Unix time as Generalized Time, as Active Directory writes it (`20160426114009.0Z`).
pub fn generalized_time(unix_seconds: i64) -> String {
    let (year, month, day) = civil_from_days(unix_seconds.div_euclid(86_400));
    let secs = unix_seconds.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}.0Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_have_the_binary_layout() {
        let sid = sid_bytes([1_004_336_348, 1_177_238_915, 682_003_330], Some(512));
        assert_eq!(sid.len(), 28);
        assert_eq!(&sid[..8], &[1, 5, 0, 0, 0, 0, 0, 5]);
        assert_eq!(
            sid_string(&sid).as_deref(),
            Some("S-1-5-21-1004336348-1177238915-682003330-512")
        );
        assert_eq!(sid_bytes([1, 2, 3], None).len(), 24);
        assert_eq!(sid_string(&[1, 2, 0]), None);
    }

    #[test]
    fn guids_print_like_active_directory() {
        let bytes = [
            0xe0, 0x04, 0x25, 0x3f, 0x89, 0x4f, 0xd3, 0x11, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c,
            0x33, 0x01,
        ];
        assert_eq!(guid_string(&bytes), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    }

    #[test]
    fn times() {
        assert_eq!(filetime(0), 116_444_736_000_000_000);
        assert_eq!(generalized_time(1_461_670_809), "20160426114009.0Z");
        assert_eq!(generalized_time(0), "19700101000000.0Z");
        assert_eq!(generalized_time(951_782_400), "20000229000000.0Z");
        assert_eq!(generalized_time(1_735_689_599), "20241231235959.0Z");
        assert_eq!(generalized_time(-1), "19691231235959.0Z");
    }
}
