//! The VM's operand forms against the shared code: every native call and every operator,
//! on every pairing of a set of sample values, each value in every form an operand can
//! take, must give what the builtin or [`ops`] gives for the values themselves.

use super::frame::{Frame, Storage};
use super::native::{self, Native};
use super::operand::{Kind, Source, Val};
use crate::env::Record;
use crate::functions::{self, Builtin, CallCtx};
use crate::ir::BinOp;
use crate::ops;
use crate::value::Value;

/// Values that exercise every branch of the natives and operators.
fn samples() -> Vec<Value> {
    vec![
        Value::Null,
        Value::str(""),
        Value::str("John"),
        Value::str("  John Doe "),
        Value::str("Åsa Öst"),
        Value::str("2"),
        Value::str("True"),
        Value::str("}"),
        Value::reference("CN=John\\0ACNF:1,OU=Users ,DC=contoso,DC=com"),
        Value::reference("cn=john\\0acnf:1,ou=users,dc=contoso,dc=com"),
        Value::Num(0),
        Value::Num(1),
        Value::Num(2),
        Value::Num(-1),
        Value::Num(448),
        Value::Num(i64::MAX),
        Value::Bool(true),
        Value::Bool(false),
        Value::bin([1u8, 2]),
        Value::multi(vec![Value::str(" a ")]),
        Value::multi(vec![Value::str(" a "), Value::str("b}")]),
        Value::DateTime(chrono::DateTime::UNIX_EPOCH),
        Value::Ignore,
    ]
}

/// How an operand holds argument `i`.
#[derive(Clone, Copy, Debug)]
enum Form {
    Const,
    Attr,
    Owned,
    /// The whole text as a slice of the constant.
    Slice,
    /// A string being built, in a buffer of its own.
    Buf,
    /// A string being built, in the scratch buffer.
    Scratch,
    /// The only value of a multi-valued constant.
    Item,
}

/// The forms argument value `v` can take.
fn forms(v: &Value) -> Vec<Form> {
    let mut out = vec![Form::Const, Form::Attr, Form::Owned];
    match v {
        Value::Str(_) => out.extend([Form::Slice, Form::Buf, Form::Scratch, Form::Item]),
        Value::Ref(_) => out.extend([Form::Slice, Form::Item]),
        Value::Bin(_) | Value::DateTime(_) => out.push(Form::Item),
        _ => {}
    }
    out
}

/// What a frame borrows for the arguments `args`: constants (the arguments, then each
/// as the only value of a multi-valued constant) and an object holding them.
struct Fixture {
    consts: Vec<Value>,
    record: Record,
}

impl Fixture {
    fn new(args: &[&Value]) -> Fixture {
        let mut consts: Vec<Value> = args.iter().map(|v| (*v).clone()).collect();
        consts.extend(args.iter().map(|v| Value::multi(vec![(*v).clone()])));
        Fixture {
            consts,
            record: Record::new(args.iter().map(|v| (*v).clone()).collect()),
        }
    }

    fn frame<'a>(&'a self, store: &'a mut Storage) -> Frame<'a> {
        Frame::new(&self.record, &[], &self.consts, store)
    }
}

/// Argument `i` (of `n`), value `v`, as `form`.
fn make<'a>(frame: &mut Frame<'a>, form: Form, i: usize, n: usize, v: &'a Value) -> Val {
    let slot = u32::try_from(i).unwrap();
    match form {
        Form::Const => frame.load(Source::Const, slot),
        Form::Attr => frame.load(Source::Attr, slot),
        Form::Owned => frame.own(v.clone()),
        Form::Slice => {
            let whole = frame.load(Source::Const, slot);
            let (text, kind) = match v {
                Value::Str(s) => (&**s, Kind::Str),
                Value::Ref(s) => (&**s, Kind::Ref),
                _ => unreachable!(),
            };
            frame.slice(whole, text, kind)
        }
        Form::Buf => frame.buf(v.to_string()),
        Form::Scratch => {
            let s = frame.load(Source::Const, slot);
            frame.binary(BinOp::Concat, Val::EMPTY, s).unwrap()
        }
        Form::Item => {
            let list = frame.load(Source::Const, u32::try_from(n + i).unwrap());
            frame.item(list, 0).unwrap()
        }
    }
}

/// Every combination of forms for `values`.
fn combinations(values: &[&Value]) -> Vec<Vec<Form>> {
    let mut out: Vec<Vec<Form>> = vec![vec![]];
    for v in values {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                forms(v).into_iter().map(move |f| {
                    let mut p = prefix.clone();
                    p.push(f);
                    p
                })
            })
            .collect();
    }
    out
}

/// The builtin behind `n`.
fn builtin(n: Native) -> &'static Builtin {
    functions::all()
        .find(|b| native::of(b) == Some(n))
        .unwrap_or_else(|| panic!("no builtin for {n:?}"))
}

#[test]
fn natives_agree_with_their_builtins() {
    let natives = [
        (Native::Trim, 1),
        (Native::LTrim, 1),
        (Native::RTrim, 1),
        (Native::Left, 2),
        (Native::Right, 2),
        (Native::Len, 1),
        (Native::InStr, 2),
        (Native::Item, 2),
        (Native::DnComponent, 2),
        (Native::CRef, 1),
        (Native::CStr, 1),
        (Native::BitAnd, 2),
        (Native::BitOr, 2),
        (Native::IsPresent, 1),
        (Native::IsNullOrEmpty, 1),
        (Native::IsNull, 1),
        (Native::IsEmpty, 1),
        (Native::IsString, 1),
        (Native::CBool, 1),
    ];
    let samples = samples();
    let ctx = CallCtx::default();
    let mut answered = 0;
    for (n, arity) in natives {
        let b = builtin(n);
        let cases: Vec<Vec<&Value>> = if arity == 1 {
            samples.iter().map(|v| vec![v]).collect()
        } else {
            samples
                .iter()
                .flat_map(|a| samples.iter().map(move |b| vec![a, b]))
                .collect()
        };
        let mut native_answers = 0;
        for values in cases {
            let owned: Vec<Value> = values.iter().map(|v| (*v).clone()).collect();
            let want = functions::call(b, &owned, &ctx);
            let fixture = Fixture::new(&values);
            for shape in combinations(&values) {
                let mut store = Storage::default();
                let mut frame = fixture.frame(&mut store);
                let args: Vec<Val> = shape
                    .iter()
                    .enumerate()
                    .map(|(i, f)| make(&mut frame, *f, i, values.len(), values[i]))
                    .collect();
                if let Some(got) = native::call(n, &args, &mut frame) {
                    assert_eq!(
                        Ok(frame.take_value(got)),
                        want,
                        "{n:?}{values:?} as {shape:?} gave {got:?}"
                    );
                    native_answers += 1;
                }
            }
        }
        assert!(native_answers > 0, "{n:?} never answered");
        answered += native_answers;
    }
    assert!(answered > 1000, "natives answered only {answered} cases");
}

#[test]
fn every_native_has_a_builtin() {
    for b in functions::all() {
        if let Some(n) = native::of(b) {
            assert!(std::ptr::eq(builtin(n), b));
        }
    }
}

#[test]
fn operators_agree_with_the_shared_code() {
    let samples = samples();
    let ops = [
        BinOp::Concat,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
    ];
    let mut checked = 0;
    for a in &samples {
        for b in &samples {
            let values = [a, b];
            let fixture = Fixture::new(&values);
            for op in ops {
                let want = ops::binary(op, a, b);
                for shape in combinations(&values) {
                    let mut store = Storage::default();
                    let mut frame = fixture.frame(&mut store);
                    let va = make(&mut frame, shape[0], 0, 2, a);
                    let vb = make(&mut frame, shape[1], 1, 2, b);
                    let got = frame.binary(op, va, vb).map(|v| frame.take_value(v));
                    assert_eq!(got, want, "{a:?} {} {b:?} as {shape:?}", op.symbol());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} cases");
}

#[test]
fn truth_agrees_with_the_shared_code() {
    for v in samples() {
        let fixture = Fixture::new(&[&v]);
        for form in forms(&v) {
            let mut store = Storage::default();
            let mut frame = fixture.frame(&mut store);
            let val = make(&mut frame, form, 0, 1, &v);
            assert_eq!(frame.truth(val), ops::truth(&v), "{v:?} as {form:?}");
        }
    }
}

#[test]
fn a_local_copy_of_a_string_being_built_is_its_own() {
    let (a, b) = (Value::str("a"), Value::str("b"));
    let fixture = Fixture::new(&[&a, &b]);
    let mut store = Storage::default();
    let mut frame = fixture.frame(&mut store);
    let (va, vb) = (frame.load(Source::Const, 0), frame.load(Source::Const, 1));
    let ab = frame.binary(BinOp::Concat, va, vb).unwrap();
    let copy = frame.duplicate(ab);
    let abb = frame.binary(BinOp::Concat, ab, vb).unwrap();
    assert_eq!(frame.take_value(copy), Value::str("ab"));
    assert_eq!(frame.take_value(abb), Value::str("abb"));
}

#[test]
fn slices_of_slices_and_items_keep_their_place() {
    let dn = Value::multi(vec![Value::reference(
        "CN=John\\0ACNF:1,OU=Users,DC=contoso,DC=com",
    )]);
    let fixture = Fixture::new(&[&dn]);
    let mut store = Storage::default();
    let mut frame = fixture.frame(&mut store);
    let list = frame.load(Source::Const, 0);
    let item = frame.item(list, 0).unwrap();
    let dn_str = frame.as_reference(item).unwrap();
    let cn = native::call(Native::DnComponent, &[dn_str, Val::num(1)], &mut frame).unwrap();
    let left = native::call(Native::Left, &[cn, Val::num(4)], &mut frame).unwrap();
    assert_eq!(frame.text(cn), Some(("John\\0ACNF:1", Kind::Str)));
    assert_eq!(frame.text(left), Some(("John", Kind::Str)));
    // Nothing was copied: every operand is a place or a slice of the constant.
    assert!(frame.store.owned.is_empty() && frame.store.bufs.is_empty());
}
