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
