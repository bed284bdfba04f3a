//! Whole expressions evaluated once per value of a multi-valued attribute, as Microsoft
//! documents them ("Multi-valued attributes" in
//! concept-azure-ad-connect-sync-declarative-provisioning-expressions.md), with and without
//! a schema; the multi-valued functions of the functions reference take the attribute
//! whole; and two multi-valued attributes where one value is expected are an error.
//!
//! Every evaluation runs in the VM and in the reference evaluator, which must agree.

#![expect(clippy::unwrap_used, reason = "test setup fails loudly")]

use syncrules_lang::check::AttributeTypes;
use syncrules_lang::name::AttrMap;
use syncrules_lang::schema::AttributeDef;
use syncrules_lang::{
    Attributes, Env, EvalErrorKind, Expression, Record, Scalar, Schema, Untyped, Value, Vm,
};

fn schema() -> Schema {
    let mut s = Schema::new();
    s.add_attribute(AttributeDef::new("proxyAddresses", Scalar::Str, true));
    s.add_attribute(AttributeDef::new("otherMailbox", Scalar::Str, true));
    s.add_attribute(AttributeDef::new("otherPhone", Scalar::Str, true));
    s.add_attribute(AttributeDef::new("mail", Scalar::Str, false));
    s
}

fn strings(values: &[&str]) -> Value {
    Value::multi(values.iter().map(|v| Value::str(*v)).collect())
}

const PROXIES: &[&str] = &[
    " SMTP:ann@contoso.com",
    "SIP:ann@contoso.com",
    "smtp:ann@fabrikam.com ",
];

/// Runs `src`, checked against `types`, on an object with these attributes, in the VM and
/// the reference evaluator; returns their common result.
fn run(src: &str, types: &dyn AttributeTypes, attrs: &[(&str, Value)]) -> Result<Value, String> {
    let expr = Expression::compile(src, types).map_err(|d| d.render("flow", src))?;
    let attrs: AttrMap = attrs
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect();
    let record = expr.record(&attrs);
    let env = Env::new(&record, &[]);
    let vm = expr.eval(&mut Vm::new(), &env);
    assert_eq!(vm, expr.eval_reference(&env), "{src}");
    vm.map_err(|e| e.to_string())
}

/// [`run`] with and without the schema, which must agree; the object has [`PROXIES`].
fn both(src: &str) -> Value {
    let attrs = [("proxyAddresses", strings(PROXIES))];
    let typed = run(src, &schema(), &attrs).unwrap();
    assert_eq!(run(src, &Untyped, &attrs).unwrap(), typed, "{src}");
    typed
}

fn listing(src: &str, types: &dyn AttributeTypes) -> String {
    Expression::compile(src, types).unwrap().listing()
}

/// The page's three examples.
#[test]
fn documented_examples_hold_with_and_without_a_schema() {
    // "Do a Trim of every value in the proxyAddress attribute."
    assert_eq!(
        both("Trim([proxyAddresses])"),
        strings(&[
            "SMTP:ann@contoso.com",
            "SIP:ann@contoso.com",
            "smtp:ann@fabrikam.com"
        ])
    );
    // "For every value with an @-sign, replace the domain with @contoso.com."
    assert_eq!(
        both("Word(Trim([proxyAddresses]),1,\"@\") & \"@contoso.com\""),
        strings(&[
            "SMTP:ann@contoso.com",
            "SIP:ann@contoso.com",
            "smtp:ann@contoso.com"
        ])
    );
    // "Look for the SIP-address and remove it from the values."
    assert_eq!(
        both("IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses])"),
        strings(&[" SMTP:ann@contoso.com", "smtp:ann@fabrikam.com "])
    );
    for src in [
        "Trim([proxyAddresses])",
        "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses])",
    ] {
        assert!(
            listing(src, &schema()).contains("; runs once per value of [proxyAddresses]\n"),
            "{src}"
        );
        assert!(
            listing(src, &Untyped)
                .contains("; runs once per value of [proxyAddresses] when it holds several\n"),
            "{src}"
        );
    }
}

/// The multi-valued functions of the functions reference, with its examples: they take
/// the attribute whole, so the expression runs once.
#[test]
fn multi_valued_functions_take_the_attribute_whole() {
    let whole = [
        (
            "IIF(Contains([proxyAddresses],\"SMTP:\")>0,[proxyAddresses],Error(\"No primary SMTP address found.\"))",
            strings(PROXIES),
        ),
        (
            "Item([proxyAddresses],Contains([proxyAddresses], \"SMTP:\"))",
            Value::str(" SMTP:ann@contoso.com"),
        ),
        ("ItemOrNull([proxyAddresses],4)", Value::Null),
        ("Count([proxyAddresses])", Value::Num(3)),
        (
            "Join(Trim([proxyAddresses]),\",\")",
            Value::str("SMTP:ann@contoso.com,SIP:ann@contoso.com,smtp:ann@fabrikam.com"),
        ),
        (
            "RemoveDuplicates(LCase(Word(Trim([proxyAddresses]),2,\":\")))",
            strings(&["ann@contoso.com", "ann@fabrikam.com"]),
        ),
        (
            "Split(Join([proxyAddresses],\"|\"),\"|\")",
            strings(PROXIES),
        ),
        (
            "Select($item,[proxyAddresses],Replace(Trim($item),\"ann\",\"a\"))",
            strings(&[
                "SMTP:a@contoso.com",
                "SIP:a@contoso.com",
                "smtp:a@fabrikam.com",
            ]),
        ),
        (
            "Where($item,[proxyAddresses],InStr($item,\"SIP:\")<>1)",
            strings(&[" SMTP:ann@contoso.com", "smtp:ann@fabrikam.com "]),
        ),
        // Used whole and where one value is expected: kept whole, the function maps.
        (
            "IIF(Count([proxyAddresses])>1,UCase([proxyAddresses]),NULL)",
            strings(&[
                " SMTP:ANN@CONTOSO.COM",
                "SIP:ANN@CONTOSO.COM",
                "SMTP:ANN@FABRIKAM.COM ",
            ]),
        ),
    ];
    for (src, want) in whole {
        assert_eq!(both(src), want, "{src}");
        for types in [&schema() as &dyn AttributeTypes, &Untyped] {
            assert!(
                !listing(src, types).contains("runs once per value"),
                "{src}"
            );
        }
    }
    // RemoveDuplicates's own example reads the imported values.
    assert_eq!(
        both("RemoveDuplicates(Trim(ImportedValue(\"proxyAddresses\")))"),
        both("Trim([proxyAddresses])")
    );
}

/// Each run sees one value; what the others read is theirs, whole.
#[test]
fn one_attribute_spreads_and_the_others_are_read_as_they_are() {
    let attrs = [
        ("proxyAddresses", strings(PROXIES)),
        ("mail", Value::str("@x")),
    ];
    let src = "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,Trim([proxyAddresses]) & [mail])";
    let want = strings(&["SMTP:ann@contoso.com@x", "smtp:ann@fabrikam.com@x"]);
    assert_eq!(run(src, &schema(), &attrs), Ok(want.clone()));
    // Without a schema `[mail]` might hold several values too: it holds one, so the
    // expression runs once per value of `[proxyAddresses]` all the same.
    assert_eq!(run(src, &Untyped, &attrs), Ok(want.clone()));
    assert!(listing(src, &Untyped).contains(
        "; runs once per value of whichever of [proxyAddresses], [mail] holds several; fails if two do\n"
    ));
    // An attribute the schema does not know is read as it is.
    let src = "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,Trim([proxyAddresses]) & [extra])";
    let attrs = [
        ("proxyAddresses", strings(PROXIES)),
        ("extra", Value::str("@x")),
    ];
    assert_eq!(run(src, &schema(), &attrs), Ok(want));
    assert!(listing(src, &schema()).contains(
        "; runs once per value of [proxyAddresses]; fails if [extra] also holds several\n"
    ));
    // No value: one run with null, whose result is no value.
    assert_eq!(
        run("Trim([proxyAddresses])", &schema(), &[]),
        Ok(Value::Null)
    );
    // One value of a typed attribute: still a list.
    assert_eq!(
        run(
            "Trim([proxyAddresses])",
            &schema(),
            &[("proxyAddresses", Value::str(" a "))]
        ),
        Ok(strings(&["a"]))
    );
}

/// Two multi-valued attributes where one value is expected: the expression does not say
/// which to run once per value of, and Microsoft's documentation is silent, so it is an
/// error: at compile time when the schema types both, when evaluated otherwise.
#[test]
fn two_multi_valued_attributes_where_one_value_is_expected_are_an_error() {
    let src = "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses]) & [otherMailbox]";
    let err = run(src, &schema(), &[]).unwrap_err();
    assert_eq!(
        err,
        "flow:1:63: error[E0113]: `[proxyAddresses]` and `[otherMailbox]` are both multi-valued and both used where one value is expected\n  |\n1 | IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,[proxyAddresses]) & [otherMailbox]\n  |                                                               ^^^^^^^^^^^^^^ `[proxyAddresses]` is already read where one value is expected\n  = help: the expression would run once per value of each; pick values of one with `Item`, `Join`, `Contains` or `Select($v, [otherMailbox], ...)`\n"
    );
    // Saying which: one is joined into a string, or taken whole by a list function.
    let attrs = [
        ("proxyAddresses", strings(PROXIES)),
        ("otherMailbox", strings(&["a@x", "b@x"])),
    ];
    for (src, want) in [
        (
            "IIF(InStr([proxyAddresses],\"SIP:\")=1,NULL,Trim([proxyAddresses]) & \";\" & Join([otherMailbox],\",\"))",
            strings(&[
                "SMTP:ann@contoso.com;a@x,b@x",
                "smtp:ann@fabrikam.com;a@x,b@x",
            ]),
        ),
        (
            "IIF(Contains([otherMailbox],\"b@\")>0,Trim([proxyAddresses]),NULL)",
            strings(&[
                "SMTP:ann@contoso.com",
                "SIP:ann@contoso.com",
                "smtp:ann@fabrikam.com",
            ]),
        ),
    ] {
        assert_eq!(run(src, &schema(), &attrs), Ok(want.clone()), "{src}");
        assert_eq!(run(src, &Untyped, &attrs), Ok(want), "{src}");
    }
    // Without a schema: an error when both hold several values, at the second's read.
    let expr = Expression::compile(src, &Untyped).unwrap();
    let named: AttrMap = attrs
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect();
    let record = expr.record(&named);
    let env = Env::new(&record, &[]);
    let err = expr.eval(&mut Vm::new(), &env).unwrap_err();
    assert_eq!(Err(err.clone()), expr.eval_reference(&env));
    assert_eq!(
        err.kind,
        EvalErrorKind::SeveralMultiValued {
            first: "[proxyAddresses]".to_owned(),
            second: "[otherMailbox]".to_owned()
        }
    );
    assert_eq!(
        &src[err.span.start as usize..err.span.end as usize],
        "[otherMailbox]"
    );
    // ... and the per-value reading of the one that does otherwise (`NULL & "+"` is "+").
    let one_each = [
        ("proxyAddresses", strings(PROXIES)),
        ("otherMailbox", Value::str("+")),
    ];
    assert_eq!(
        run(src, &Untyped, &one_each),
        Ok(strings(&[
            " SMTP:ann@contoso.com+",
            "+",
            "smtp:ann@fabrikam.com +"
        ]))
    );
    // A typed attribute and an untyped one holding several values.
    let src = "Trim([proxyAddresses]) & [extra]";
    let err = run(
        src,
        &schema(),
        &[
            ("proxyAddresses", strings(PROXIES)),
            ("extra", strings(&["1", "2"])),
        ],
    )
    .unwrap_err();
    assert!(
        err.starts_with("`[proxyAddresses]` and `[extra]` both hold several values"),
        "{err}"
    );
}

/// An object whose last import confirmed other values than it now holds.
struct Tracked {
    current: Record,
    imported: Record,
}

impl Attributes for Tracked {
    fn get(&self, slot: u32) -> &Value {
        self.current.get(slot)
    }

    fn imported(&self, slot: u32) -> &Value {
        self.imported.get(slot)
    }
}

/// `[x]` and `ImportedValue("x")` are two lists: an expression reading one where one value
/// is expected runs over that one's values; reading both so is an error.
#[test]
fn imported_values_are_a_list_of_their_own() {
    let src = "IIF(InStr(ImportedValue(\"proxyAddresses\"),\"SIP:\")=1,NULL,Trim(ImportedValue(\"proxyAddresses\")) & \"/\" & Count([proxyAddresses]))";
    for types in [&schema() as &dyn AttributeTypes, &Untyped] {
        let expr = Expression::compile(src, types).unwrap();
        assert!(
            expr.listing()
                .contains("; runs once per value of ImportedValue(\"proxyAddresses\")"),
            "{}",
            expr.listing()
        );
        let of = |values: &[&str]| {
            expr.record(&syncrules_lang::name::attrs([(
                "proxyAddresses".to_owned(),
                strings(values),
            )]))
        };
        let object = Tracked {
            current: of(&["SMTP:new@x", "smtp:b@x", "smtp:c@x"]),
            imported: of(&[" SMTP:old@x", "SIP:old@x"]),
        };
        let env = Env::new(&object, &[]);
        let vm = expr.eval(&mut Vm::new(), &env);
        assert_eq!(vm, expr.eval_reference(&env));
        assert_eq!(vm, Ok(strings(&["SMTP:old@x/3"])));
    }
    let src = "Trim([proxyAddresses]) = Trim(ImportedValue(\"proxyAddresses\"))";
    let err = run(src, &schema(), &[]).unwrap_err();
    assert!(
        err.contains("error[E0113]: `[proxyAddresses]` and `ImportedValue(\"proxyAddresses\")` are both multi-valued"),
        "{err}"
    );
}
