//! Math: `BitAnd`, `BitOr`, `RandomNum`.
//!
//! Numbers are 64-bit signed integers, so `BitAnd([groupType],-2147483648)` tests the sign
//! bit of a 32-bit AD value that arrives negative (its sign extension matches). A null
//! argument gives a null result.

use rand::Rng as _;

use super::{Builtin, CallCtx, FnError, Group, Param, Ret, Sig, num_arg, value_error};
use crate::types::Ty;
use crate::value::Value;

/// Both numeric arguments, or `None` when either is null.
fn two(function: &'static str, args: &[Value]) -> Result<Option<(i64, i64)>, FnError> {
    Ok(num_arg(function, args, 0)?.zip(num_arg(function, args, 1)?))
}

fn bit_and(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(two("BitAnd", args)?.map_or(Value::Null, |(a, b)| Value::Num(a & b)))
}

fn bit_or(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    Ok(two("BitOr", args)?.map_or(Value::Null, |(a, b)| Value::Num(a | b)))
}

/// Reading (`RandomNum`): both limits are inclusive ("between a specified interval"); a
/// `start` greater than `end` is an error.
fn random_num(args: &[Value], _: &CallCtx) -> Result<Value, FnError> {
    let Some((start, end)) = two("RandomNum", args)? else {
        return Ok(Value::Null);
    };
    if start > end {
        return Err(value_error(
            "RandomNum",
            format!("start {start} is greater than end {end}"),
        ));
    }
    Ok(Value::Num(rand::thread_rng().gen_range(start..=end)))
}

const N: Param = Param::Ty(Ty::NUM);

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "BitAnd",
        group: Group::Math,
        sigs: &[Sig::new(&[N, N], Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(bit_and),
        doc: "The bitwise AND of two numbers.",
        example: "BitAnd(&HF, &HF7)",
    },
    Builtin {
        name: "BitOr",
        group: Group::Math,
        sigs: &[Sig::new(&[N, N], Ret::Ty(Ty::NUM))],
        maps: true,
        pure: true,
        imp: Some(bit_or),
        doc: "The bitwise OR of two numbers.",
        example: "BitOr(&HF0, &H0F)",
    },
    Builtin {
        name: "RandomNum",
        group: Group::Math,
        sigs: &[Sig::new(&[N, N], Ret::Ty(Ty::NUM))],
        maps: true,
        pure: false,
        imp: Some(random_num),
        doc: "A random number from `start` to `end`, both included.",
        example: "RandomNum(100,999)",
    },
];

#[cfg(test)]
mod tests {
    use crate::functions::args::testing::{n, run};
    use crate::functions::lookup;
    use crate::value::Value;

    #[test]
    fn bit_and() {
        assert_eq!(run("BitAnd", &[n(0xF), n(0xF7)]).unwrap(), n(7));
        assert_eq!(run("BitAnd", &[n(512), n(2)]).unwrap(), n(0));
        assert_eq!(run("BitAnd", &[n(514), n(2)]).unwrap(), n(2));
        assert_eq!(
            run("BitAnd", &[n(-2_147_483_646), n(-2_147_483_648)]).unwrap(),
            n(-2_147_483_648)
        );
        assert_eq!(run("BitAnd", &[n(2), n(-2_147_483_648)]).unwrap(), n(0));
        assert_eq!(
            run("BitAnd", &[n(0x4000_0006), n(0x4000_0000)]).unwrap(),
            n(0x4000_0000)
        );
        assert_eq!(run("BitAnd", &[Value::str("514"), n(2)]).unwrap(), n(2));
        assert_eq!(run("BitAnd", &[Value::Null, n(2)]).unwrap(), Value::Null);
        assert_eq!(run("BitAnd", &[n(2), Value::Null]).unwrap(), Value::Null);
        assert_eq!(
            run("BitAnd", &[Value::multi(vec![n(3), n(4)]), n(1)]).unwrap(),
            Value::multi(vec![n(1), n(0)])
        );
        assert!(run("BitAnd", &[Value::str("x"), n(2)]).is_err());
        assert!(run("BitAnd", &[Value::bin([1u8]), n(2)]).is_err());
    }

    #[test]
    fn bit_or() {
        assert_eq!(run("BitOr", &[n(0xF0), n(0x0F)]).unwrap(), n(0xFF));
        assert_eq!(run("BitOr", &[n(512), n(2)]).unwrap(), n(514));
        assert_eq!(run("BitOr", &[n(0), n(0)]).unwrap(), n(0));
        assert_eq!(run("BitOr", &[Value::Null, n(2)]).unwrap(), Value::Null);
    }

    #[test]
    fn random_num() {
        for _ in 0..200 {
            let Value::Num(x) = run("RandomNum", &[n(100), n(999)]).unwrap() else {
                panic!("not a number")
            };
            assert!((100..=999).contains(&x));
        }
        assert_eq!(run("RandomNum", &[n(5), n(5)]).unwrap(), n(5));
        let mut seen = [false; 3];
        for _ in 0..300 {
            let Value::Num(x) = run("RandomNum", &[n(0), n(2)]).unwrap() else {
                panic!("not a number")
            };
            seen[usize::try_from(x).unwrap()] = true;
        }
        assert_eq!(seen, [true; 3], "both limits are reachable");
        assert_eq!(run("RandomNum", &[Value::Null, n(2)]).unwrap(), Value::Null);
        assert!(
            run("RandomNum", &[n(9), n(1)])
                .unwrap_err()
                .to_string()
                .contains("greater")
        );
        assert!(!lookup("RandomNum").unwrap().pure);
    }
}
