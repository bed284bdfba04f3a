//! Case: `LCase`, `UCase`, `PCase`.

use crate::functions::{CallCtx, FnError, map_str};
use crate::value::Value;

pub(super) fn lcase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("LCase", args, str::to_lowercase)
}

pub(super) fn ucase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("UCase", args, str::to_uppercase)
}

/// One word in proper case, or unchanged when it is entirely upper case (an acronym).
fn title_word(word: &str, out: &mut String) {
    let acronym = word.chars().any(char::is_uppercase) && !word.chars().any(char::is_lowercase);
    if acronym {
        out.push_str(word);
        return;
    }
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    for c in chars {
        out.extend(c.to_lowercase());
    }
}

/// Reading (`PCase`): .NET `TextInfo.ToTitleCase` on white-space-delimited words: the first
/// character upper case and the rest lower case, except that a word entirely in upper case is
/// left as it is. This is what the reference's remark ("does not currently provide proper
/// casing to convert a word that is entirely uppercase, such as an acronym") and its example
/// `PCase(LCase("TEST"))` describe: `PCase("TEST")` is "TEST", `PCase("TEsT")` is "Test".
pub(super) fn pcase(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    map_str("PCase", args, |s| {
        let mut out = String::with_capacity(s.len());
        let mut word_start = 0;
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                title_word(s.get(word_start..i).unwrap_or_default(), &mut out);
                out.push(c);
                word_start = i + c.len_utf8();
            }
        }
        title_word(s.get(word_start..).unwrap_or_default(), &mut out);
        out
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{mv, ok, s};
    use crate::value::Value;

    #[test]
    fn case() {
        assert_eq!(ok("LCase", &[s("TeSt")]), s("test"));
        assert_eq!(ok("UCase", &[s("TeSt")]), s("TEST"));
        assert_eq!(ok("LCase", &[s("ÅÄÖ")]), s("åäö"));
        assert_eq!(ok("LCase", &[Value::Null]), Value::Null);
        assert_eq!(ok("UCase", &[Value::Null]), Value::Null);
        assert_eq!(ok("UCase", &[mv(&["a", "b"])]), mv(&["A", "B"]));
    }

    #[test]
    fn pcase() {
        assert_eq!(ok("PCase", &[s("TEsT")]), s("Test"));
        assert_eq!(ok("PCase", &[s("test")]), s("Test"));
        assert_eq!(ok("PCase", &[s("TEST")]), s("TEST"));
        assert_eq!(
            ok("PCase", &[s("jOHN  mcdonald NASA")]),
            s("John  Mcdonald NASA")
        );
        assert_eq!(ok("PCase", &[s(" åsa\töst ")]), s(" Åsa\tÖst "));
        assert_eq!(ok("PCase", &[s("")]), s(""));
        assert_eq!(ok("PCase", &[s("o'neil-smith")]), s("O'neil-smith"));
        assert_eq!(ok("PCase", &[Value::Null]), Value::Null);
        let lower = ok("LCase", &[s("TEST")]);
        assert_eq!(ok("PCase", &[lower]), s("Test"));
    }
}
