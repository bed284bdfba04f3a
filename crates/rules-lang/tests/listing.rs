//! Snapshot tests of compiled programs (the disassembler's listing): folding, jumps,
//! loops and slots as the compiler emits them. Update with `INSTA_UPDATE=always` or
//! `cargo insta review` after an intended change.

use syncrules_lang::{Expression, Untyped};

fn listing(src: &str) -> String {
    match Expression::compile(src, &Untyped) {
        Ok(e) => e.listing(),
        Err(d) => d.render("expr", src),
    }
}

#[test]
fn trim() {
    insta::assert_snapshot!(listing("Trim([givenName])"));
}

#[test]
fn account_enabled() {
    insta::assert_snapshot!(listing("IIF(BitAnd([userAccountControl],2)=0,True,False)"));
}

#[test]
fn user_principal_name() {
    insta::assert_snapshot!(listing(
        r#"IIF(IsPresent([userPrincipalName]),[userPrincipalName], IIF(IsPresent([sAMAccountName]),([sAMAccountName]&"@"&%Domain.FQDN%),Error("AccountName is not present")))"#
    ));
}

#[test]
fn short_circuit_or_and() {
    insta::assert_snapshot!(listing(
        r#"IIF(IsPresent([isCriticalSystemObject]) || [sAMAccountName] = "MSOL_AD_Sync_RichCoexistence" && [x] > 1, True, NULL)"#
    ));
}

#[test]
fn constant_folding() {
    insta::assert_snapshot!(listing(
        r#"IIF(Len("abc") = 3, UCase("x" & "y") & [a], Error("unreachable")) & BitAnd(&HF, &HF7)"#
    ));
}

#[test]
fn select_where_with() {
    insta::assert_snapshot!(listing(
        r#"With($p, Where($item, [proxyAddresses], Left($item, 5) = "smtp:"), Select($v, $p, Mid($v, 6, 999)))"#
    ));
}

#[test]
fn imported_value_and_value_count() {
    insta::assert_snapshot!(listing(
        r#"IIF(ValueCount("member") > 0, RemoveDuplicates(Trim(ImportedValue("proxyAddresses"))), NULL)"#
    ));
}
