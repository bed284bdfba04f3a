//! Program Flow: `Error`, `IIF`, `Select`, `Switch`, `Where`, `With`.
//!
//! `IIF` is compiled to a conditional jump so only the chosen branch runs; `Select`,
//! `Where` and `With` bind a `$variable` and are compiled to loops and locals. `Switch`
//! is an ordinary function: as the reference says, it evaluates all its conditions.

use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, arg, bool_arg, str_arg};
use crate::types::Ty;
use crate::value::Value;

fn error(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let msg = str_arg("Error", args, 0)?.unwrap_or_default();
    Err(FnError::User(msg.into_owned()))
}

fn switch(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    if !args.len().is_multiple_of(2) {
        return Err(super::value_error(
            "Switch",
            "takes pairs of a condition and a value",
        ));
    }
    for (i, pair) in args.chunks(2).enumerate() {
        if bool_arg("Switch", args, 2 * i)?.unwrap_or(false) {
            return Ok(pair.get(1).cloned().unwrap_or(Value::Null));
        }
    }
    Ok(Value::Null)
}

fn iif(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let cond = bool_arg("IIF", args, 0)?.unwrap_or(false);
    Ok(arg(args, if cond { 1 } else { 2 }).clone())
}

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "Error",
        group: Group::ProgramFlow,
        sigs: &[Sig::new(&[Param::Ty(Ty::STR)], Ret::Ty(Ty::Never))],
        maps: false,
        pure: true,
        imp: Some(error),
        doc: "Fails the object's flow with a custom message.",
        example: r#"IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))"#,
    },
    Builtin {
        name: "IIF",
        group: Group::ProgramFlow,
        sigs: &[Sig::new(
            &[Param::Exp, Param::Var, Param::Var],
            Ret::Ty(Ty::Var),
        )],
        maps: false,
        pure: true,
        imp: Some(iif),
        doc: "Returns `valueIfTrue` when the condition holds, else `valueIfFalse`; only the chosen branch is evaluated.",
        example: r#"IIF([employeeType]="Intern","t-" & [alias],[alias])"#,
    },
    Builtin {
        name: "Select",
        group: Group::ProgramFlow,
        sigs: &[Sig::new(
            &[Param::Var, Param::Var, Param::Var],
            Ret::Ty(Ty::ManyVar),
        )],
        maps: false,
        pure: true,
        imp: None,
        doc: "Applies a function to every value of a multi-valued attribute or expression.",
        example: r#"Select($item,[otherPhone],Replace($item,"-",""))"#,
    },
    Builtin {
        name: "Switch",
        group: Group::ProgramFlow,
        sigs: &[Sig {
            params: &[Param::Exp, Param::Var],
            required: 2,
            repeat: 2,
            ret: Ret::Ty(Ty::Var),
        }],
        maps: false,
        pure: true,
        imp: Some(switch),
        doc: "Returns the value paired with the first true condition, or null; every condition is evaluated.",
        example: r#"Switch([city] = "London", "English", [city] = "Rome", "Italian", True, Error("Unknown city"))"#,
    },
    Builtin {
        name: "Where",
        group: Group::ProgramFlow,
        sigs: &[Sig::new(
            &[Param::Var, Param::Var, Param::Exp],
            Ret::Ty(Ty::ManyVar),
        )],
        maps: false,
        pure: true,
        imp: None,
        doc: "Keeps the values of a multi-valued attribute or expression for which the condition holds.",
        example: r#"Where($item,[userCertificate],CertNotAfter($item)>Now())"#,
    },
    Builtin {
        name: "With",
        group: Group::ProgramFlow,
        sigs: &[Sig::new(
            &[Param::Var, Param::Var, Param::Var],
            Ret::Ty(Ty::Var),
        )],
        maps: false,
        pure: true,
        imp: None,
        doc: "Binds a variable to a subexpression evaluated once, then evaluates the complex expression.",
        example: r#"With($c,Count([proxyAddresses]),IIF($c>0,$c,NULL))"#,
    },
];
