use super::*;

#[test]
fn sizes_are_bounded() {
    // Found by fuzzing: `With($a,[s],With($a,$a&$a,...))` doubled until out of memory.
    let big = Value::from("x".repeat(crate::value::MAX_VALUE_BYTES / 2 + 1));
    assert!(binary(BinOp::Concat, &big, &big).is_err());
    assert!(binary(BinOp::Concat, &big, &"x".into()).is_ok());
    let many = Value::multi(vec![Value::from(""); 1 << 10]);
    assert!(binary(BinOp::Concat, &many, &many).is_err());
    let (mut acc, mut bytes) = (Vec::new(), 0);
    assert!(accumulate_bounded(&mut acc, &mut bytes, big.clone()).is_ok());
    assert!(accumulate_bounded(&mut acc, &mut bytes, big).is_err());
}

#[test]
fn size_errors_say_the_limit() {
    use crate::value::{MAX_VALUE_BYTES, MAX_VALUES, SizeError, check_size};
    assert_eq!(check_size(MAX_VALUES, MAX_VALUE_BYTES), Ok(()));
    assert_eq!(
        check_size(MAX_VALUES + 1, 0),
        Err(SizeError::TooMany {
            count: MAX_VALUES + 1
        })
    );
    assert_eq!(
        check_size(1, MAX_VALUE_BYTES + 1).map_err(|e| e.to_string()),
        Err(format!(
            "the result would be {} bytes long; the limit is {MAX_VALUE_BYTES}",
            MAX_VALUE_BYTES + 1
        ))
    );
    assert_eq!(
        SizeError::TooMany { count: 5 }.to_string(),
        format!("the result would hold 5 values; the limit is {MAX_VALUES}")
    );
}

#[test]
fn concat_reads_null_as_empty() {
    assert_eq!(
        binary(BinOp::Concat, &"a".into(), &Value::Null),
        Ok("a".into())
    );
    assert_eq!(
        binary(BinOp::Concat, &Value::Null, &Value::Null),
        Ok(Value::Null)
    );
    assert_eq!(
        binary(BinOp::Concat, &"n".into(), &Value::Num(5)),
        Ok("n5".into())
    );
    assert_eq!(
        binary(BinOp::Concat, &Value::bin([1]), &Value::bin([2, 3])),
        Ok(Value::bin([1, 2, 3]))
    );
    assert!(binary(BinOp::Concat, &Value::bin([1]), &"x".into()).is_err());
    let mv = Value::multi(vec!["a".into(), "b".into()]);
    assert!(binary(BinOp::Concat, &mv, &mv).is_err());
    assert_eq!(
        binary(
            BinOp::Concat,
            &"smtp:".into(),
            &Value::multi(vec!["a".into(), "b".into()])
        ),
        Ok(Value::multi(vec!["smtp:a".into(), "smtp:b".into()]))
    );
}

#[test]
fn arithmetic() {
    assert_eq!(
        binary(BinOp::Add, &Value::Num(7), &"2".into()),
        Ok(Value::Num(9))
    );
    assert_eq!(
        binary(BinOp::Div, &Value::Num(7), &Value::Num(2)),
        Ok(Value::Num(3))
    );
    assert_eq!(
        binary(BinOp::Div, &Value::Num(-7), &Value::Num(2)),
        Ok(Value::Num(-3))
    );
    assert_eq!(
        binary(BinOp::Mul, &Value::Num(7), &Value::Null),
        Ok(Value::Null)
    );
    assert!(binary(BinOp::Div, &Value::Num(1), &Value::Num(0)).is_err());
    assert!(binary(BinOp::Add, &Value::Num(i64::MAX), &Value::Num(1)).is_err());
    assert!(binary(BinOp::Add, &Value::Num(1), &"x".into()).is_err());
    assert_eq!(neg(&Value::Num(3)), Ok(Value::Num(-3)));
}

#[test]
fn equal_text_agrees_with_order_text() {
    let texts = [
        "",
        "a",
        "A",
        "ab",
        "aB",
        "b",
        "é",
        "É",
        "CN=x",
        "cn=X",
        "cn=x,dc=y",
    ];
    for x in texts {
        for y in texts {
            for fold in [false, true] {
                assert_eq!(
                    equal_text(x, y, fold),
                    order_text(x, y, fold) == Ordering::Equal,
                    "{x:?} {y:?} fold={fold}"
                );
            }
        }
    }
}

#[test]
fn comparisons() {
    let t = Ok(Value::Bool(true));
    let f = Ok(Value::Bool(false));
    assert_eq!(binary(BinOp::Eq, &"a".into(), &"a".into()), t);
    assert_eq!(binary(BinOp::Eq, &"a".into(), &"A".into()), f);
    assert_eq!(
        binary(BinOp::Eq, &Value::reference("CN=x"), &"cn=X".into()),
        t
    );
    assert_eq!(binary(BinOp::Gt, &Value::Num(50001), &Value::Num(50000)), t);
    assert_eq!(binary(BinOp::Eq, &"2".into(), &Value::Num(2)), t);
    assert_eq!(
        binary(BinOp::Eq, &Value::Null, &Value::Num(2)),
        Ok(Value::Null)
    );
    assert_eq!(binary(BinOp::Eq, &Value::Bool(true), &"True".into()), t);
    let mv = Value::multi(vec!["a".into(), "b".into()]);
    assert_eq!(binary(BinOp::Eq, &mv, &"b".into()), t);
    assert_eq!(binary(BinOp::Ne, &mv, &"b".into()), f);
    assert_eq!(binary(BinOp::Ne, &mv, &"c".into()), t);
    assert!(binary(BinOp::Eq, &Value::bin([1]), &Value::Num(1)).is_err());
}

#[test]
fn iterations_are_bounded() {
    // Found by fuzzing: 14 nested `Select($a,[m],...)` ran 4^14 iterations.
    let mut count = MAX_ITERATIONS - 1;
    assert!(iterate(&mut count).is_ok());
    assert!(iterate(&mut count).is_err());
}

/// A value of any kind a list may hold, drawn from a few that collide in every way the
/// comparisons care about: numbers and strings that read as them, strings and references
/// differing in case (ASCII and not), `True`/`False` in any case, binaries, dates, null and
/// a nested list.
fn sample_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    use proptest::sample::select;
    let texts = select(vec![
        "", "a", "A", "b", "B", "ab", "É", "é", "5", " 5", "+5", "05", "-3", "10", "x1", "true",
        "TRUE", "False", "cn=a", "CN=A", "zz",
    ]);
    prop_oneof![
        4 => texts.clone().prop_map(Value::from),
        2 => texts.prop_map(Value::reference),
        3 => (-4i64..12).prop_map(Value::Num),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => select(vec![vec![], vec![1u8], vec![1, 2], vec![2]]).prop_map(Value::bin),
        1 => (0i64..3).prop_map(|d| Value::DateTime(
            chrono::DateTime::from_timestamp(d * 86_400, 0).unwrap_or_default()
        )),
        1 => Just(Value::Null),
        1 => Just(Value::multi(vec!["a".into(), "b".into()])),
    ]
}

/// Values of one kind: `i` picks numbers, strings that read as numbers, other strings,
/// references, Booleans, strings `True`/`False`, binaries, dates, or anything.
fn sample_kind(i: usize) -> proptest::strategy::BoxedStrategy<Value> {
    use proptest::prelude::*;
    use proptest::sample::select;
    match i {
        0 => (-4i64..12).prop_map(Value::Num).boxed(),
        1 => select(vec!["5", " 5", "+5", "05", "-3", "10"])
            .prop_map(Value::from)
            .boxed(),
        2 => select(vec!["", "a", "A", "b", "x1", "É", "é", "zz"])
            .prop_map(Value::from)
            .boxed(),
        3 => select(vec!["cn=a", "CN=A", "cn=b", "a", "B", "5"])
            .prop_map(Value::reference)
            .boxed(),
        4 => any::<bool>().prop_map(Value::Bool).boxed(),
        5 => select(vec!["true", "TRUE", "False", "false"])
            .prop_map(Value::from)
            .boxed(),
        6 => select(vec![vec![], vec![1u8], vec![1, 2], vec![2]])
            .prop_map(Value::bin)
            .boxed(),
        7 => (0i64..3)
            .prop_map(|d| {
                Value::DateTime(chrono::DateTime::from_timestamp(d * 86_400, 0).unwrap_or_default())
            })
            .boxed(),
        _ => sample_value().boxed(),
    }
}

/// Short lists of values of one or two kinds, so that most pairs compare and one pair
/// often decides.
fn sample_list() -> impl proptest::strategy::Strategy<Value = Vec<Value>> {
    use proptest::prelude::*;
    (0usize..9, 0usize..9).prop_flat_map(|(i, j)| {
        proptest::collection::vec(prop_oneof![sample_kind(i), sample_kind(j)], 0..6)
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 4000, ..proptest::prelude::ProptestConfig::default()
    })]

    /// The indexed comparison of two lists gives what trying every pair gives: the same
    /// answer, or the same error (that of the first pair that cannot be compared).
    #[test]
    fn indexed_comparison_agrees_with_pairwise(
        xs in sample_list(),
        ys in sample_list(),
        op in proptest::sample::select(vec![BinOp::Eq, BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge]),
    ) {
        let pairwise = any_pair(op, &xs, &ys);
        let indexed = multi::any_pair(op, &xs, &ys, &mut 0);
        proptest::prop_assert_eq!(pairwise, indexed, "{:?} {:?} {:?}", op, xs, ys);
    }
}

/// Two lists of 100,000 values compare with a few operations per value; trying every
/// pair would take 10^10 comparisons.
#[test]
fn comparing_large_lists_is_linear() {
    let n = 100_000;
    let xs: Vec<Value> = (0..n).map(|i| Value::from(format!("a{i}"))).collect();
    let ys: Vec<Value> = (0..n).map(|i| Value::from(format!("b{i}"))).collect();
    let (a, b) = (Value::multi(xs.clone()), Value::multi(ys.clone()));
    for (op, expected) in [
        (BinOp::Eq, false),
        (BinOp::Ne, true),
        (BinOp::Lt, true),
        (BinOp::Ge, false),
    ] {
        assert_eq!(binary(op, &a, &b), Ok(Value::Bool(expected)), "{op:?}");
    }
    let with_last = Value::multi(vec![Value::from("zz"), Value::from(format!("b{}", n - 1))]);
    assert_eq!(binary(BinOp::Eq, &b, &with_last), Ok(Value::Bool(true)));
    let mixed = Value::multi(vec![Value::Num(1), Value::bin([1])]);
    assert!(binary(BinOp::Eq, &a, &mixed).is_err());
    for op in [BinOp::Eq, BinOp::Lt, BinOp::Ge] {
        let mut cost = 0;
        assert!(multi::any_pair(op, &xs, &ys, &mut cost).is_ok());
        assert!(cost <= 4 * 2 * n as u64, "{op:?}: {cost} operations");
    }
}
