//! The per-value checks of a pre-flight, one function per attribute family. The rules are
//! those of Microsoft's IdFix tool ("Errors supported by the IdFix tool",
//! microsoft.github.io/idfix) and of the attribute table of "Prepare directory attributes
//! for synchronization with Microsoft 365 or Office 365 by using IdFix"
//! (MicrosoftDocs/microsoft-365-docs, microsoft-365/enterprise/prepare-directory-attributes-for-synch-with-idfix.md);
//! the non-routable suffixes come from "Prepare for directory synchronization to Microsoft
//! 365" (microsoft-365/enterprise/prepare-for-directory-synchronization.md, "`.local`").

use super::Code;

/// A problem with one value: its kind, what is wrong, and a fix.
pub(super) type Problem = (Code, String, String);

/// Characters IdFix rejects in a userPrincipalName (besides whitespace and non-ASCII).
const UPN_INVALID: &[char] = &[
    '\\', '%', '&', '*', '+', '/', '=', '?', '{', '}', '|', '<', '>', '(', ')', ';', ':', ',', '[',
    ']', '"',
];
/// Characters IdFix rejects in proxyAddresses and mail (besides whitespace).
const ADDRESS_INVALID: &[char] = &['<', '>', '(', ')', ';', ',', '[', ']', '"'];
/// Characters IdFix rejects in targetAddress (besides whitespace).
const TARGET_INVALID: &[char] = &['\\', '<', '>', '(', ')', ';', ',', '[', ']', '"'];
/// Characters IdFix rejects in sAMAccountName.
const SAM_INVALID: &[char] = &[
    '[', ']', '\\', '"', '|', ',', '/', ':', '<', '>', '+', '=', ';', '?', '*',
];
/// Suffixes that are not routable on the internet: Entra ID cannot verify them.
const NON_ROUTABLE: &[&str] = &[
    "local",
    "lan",
    "localdomain",
    "internal",
    "intranet",
    "corp",
    "home",
    "private",
    "localhost",
];

/// The first character of `value` that `bad` holds, or whitespace, or (with `ascii`) a
/// character outside ASCII.
fn bad_char(value: &str, bad: &[char], ascii: bool) -> Option<char> {
    value
        .chars()
        .find(|c| c.is_whitespace() || bad.contains(c) || (ascii && !c.is_ascii()))
}

fn character(value: &str, c: char) -> Problem {
    let shown = if c.is_whitespace() {
        "a space".to_owned()
    } else {
        format!("`{c}`")
    };
    let fixed: String = value.chars().filter(|x| *x != c).collect();
    (
        Code::Character,
        format!("holds {shown}, which this attribute may not hold"),
        format!("remove it (`{fixed}`)"),
    )
}

fn length(max: usize, what: &str, n: usize) -> Problem {
    (
        Code::Length,
        format!("{what} is {n} characters long; at most {max} are allowed"),
        format!("shorten {what} to {max} characters"),
    )
}

/// Checks an address (`local@domain`): its format, the lengths of its parts when given,
/// and its domain against the non-routable suffixes and the verified `domains`.
fn address(value: &str, parts: Option<(usize, usize)>, domains: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some((local, domain)) = value.split_once('@') else {
        out.push((
            Code::Format,
            "is not an address: it has no `@`".to_owned(),
            "write it as name@domain".to_owned(),
        ));
        return out;
    };
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        out.push((
            Code::Format,
            "is not a well-formed address (RFC 2822: one `@`, a name and a domain, no leading, trailing or double dots)".to_owned(),
            "write it as name@domain.tld".to_owned(),
        ));
        return out;
    }
    if let Some((max_local, max_domain)) = parts {
        if local.chars().count() > max_local {
            let (c, m, _) = length(max_local, "the part before @", local.chars().count());
            out.push((
                c,
                m,
                format!("shorten the name before @ to {max_local} characters"),
            ));
            if let Some(last) = out.last_mut() {
                last.0 = Code::Localpart;
            }
        }
        if domain.chars().count() > max_domain {
            out.push((
                Code::Domainpart,
                format!(
                    "the domain after @ is {} characters long; at most {max_domain} are allowed",
                    domain.chars().count()
                ),
                "use a shorter verified domain".to_owned(),
            ));
        }
    }
    let domain = domain.to_ascii_lowercase();
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if !domain.contains('.') || NON_ROUTABLE.contains(&tld) {
        out.push((
            Code::Topleveldomain,
            format!("`{domain}` is not a routable domain"),
            "use a domain verified in the tenant (add it as an alternative UPN suffix in AD)"
                .to_owned(),
        ));
    } else if !domains.is_empty()
        && !domains
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
    {
        out.push((
            Code::Topleveldomain,
            format!("`{domain}` is not one of the tenant's verified domains"),
            format!("use one of {}", domains.join(", ")),
        ));
    }
    out
}

/// userPrincipalName: IdFix's characters, RFC 2822 format with a routable domain, at most
/// 113 characters, 64 before the @ and 48 after it.
pub(super) fn upn(value: &str, domains: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = bad_char(value, UPN_INVALID, true) {
        out.push(character(value, c));
    }
    let n = value.chars().count();
    if n > 113 {
        out.push(length(113, "the UPN", n));
    }
    out.extend(address(value, Some((64, 48)), domains));
    out
}

/// mail: the address characters, RFC 2822, a routable domain, at most 256 characters.
pub(super) fn mail(value: &str, domains: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = bad_char(value, ADDRESS_INVALID, false) {
        out.push(character(value, c));
    }
    let n = value.chars().count();
    if n > 256 {
        out.push(length(256, "the address", n));
    }
    out.extend(address(value, None, domains));
    out
}

/// proxyAddresses: no whitespace or address-breaking characters, at most 256 characters,
/// and an `smtp:` address well formed and routable.
pub(super) fn proxy(value: &str, domains: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = bad_char(value, ADDRESS_INVALID, false) {
        out.push(character(value, c));
    }
    let n = value.chars().count();
    if n > 256 {
        out.push(length(256, "the address", n));
    }
    match value.split_once(':') {
        Some((prefix, rest)) if prefix.eq_ignore_ascii_case("smtp") => {
            out.extend(address(rest, None, domains));
        }
        Some((prefix, _)) if !prefix.is_empty() => {}
        _ => out.push((
            Code::Format,
            "has no address type prefix (such as `smtp:`)".to_owned(),
            format!("write it as smtp:{value}"),
        )),
    }
    out
}

/// targetAddress: IdFix's characters, at most 255 characters, an `smtp:` address well
/// formed and routable.
pub(super) fn target(value: &str, domains: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = bad_char(value, TARGET_INVALID, false) {
        out.push(character(value, c));
    }
    let n = value.chars().count();
    if n > 255 {
        out.push(length(255, "the address", n));
    }
    if let Some((prefix, rest)) = value.split_once(':')
        && prefix.eq_ignore_ascii_case("smtp")
    {
        out.extend(address(rest, None, domains));
    }
    out
}

/// mailNickname: no whitespace or address-breaking characters, not beginning with a period,
/// at most 64 characters.
pub(super) fn nickname(value: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = bad_char(value, ADDRESS_INVALID, false) {
        out.push(character(value, c));
    }
    if value.starts_with('.') {
        out.push((
            Code::Format,
            "begins with a period".to_owned(),
            format!("remove the period (`{}`)", value.trim_start_matches('.')),
        ));
    }
    let n = value.chars().count();
    if n > 64 {
        out.push(length(64, "the alias", n));
    }
    out
}

/// sAMAccountName: IdFix's characters (spaces are allowed), and for a user at most 20
/// characters (a group's account name may be longer in AD).
pub(super) fn sam(value: &str, user: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(c) = value.chars().find(|c| SAM_INVALID.contains(c)) {
        out.push(character(value, c));
    }
    let n = value.chars().count();
    if user && n > 20 {
        out.push(length(20, "the account name", n));
    }
    out
}

/// displayName (256), givenName and sn (64): a length, and not only spaces.
pub(super) fn name(value: &str, max: usize) -> Vec<Problem> {
    let mut out = Vec::new();
    if value.trim().is_empty() {
        out.push((
            Code::Blank,
            "is empty or only spaces".to_owned(),
            "set a value or clear the attribute".to_owned(),
        ));
    }
    let n = value.chars().count();
    if n > max {
        out.push(length(max, "the value", n));
    }
    out
}
