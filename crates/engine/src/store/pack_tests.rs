use syncrules_lang::Value;

use std::sync::Arc;

use super::*;
use crate::model::{CsId, CsObject};
use crate::store::record::{decode_cs, encode_cs};

/// The plain records of `n` users shaped as a directory's: the same attribute names,
/// values that vary from user to user.
fn users(n: u64) -> Vec<(CsObject, Vec<u8>)> {
    (0..n)
        .map(|i| {
            let name = format!("User{i:06} Surname{}", i * 7919 % 1000);
            let o = CsObject {
                id: CsId::new(i + 1),
                dn: format!("CN={name},OU=Employees,DC=contoso,DC=com"),
                anchor: Some(format!("{:032x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15))),
                object_type: "user".into(),
                attributes: syncrules_lang::name::attrs([
                    ("cn".to_owned(), Value::from(name.as_str())),
                    ("displayName".to_owned(), Value::from(name.as_str())),
                    (
                        "userPrincipalName".to_owned(),
                        Value::from(format!("user{i}@contoso.com").as_str()),
                    ),
                    (
                        "department".to_owned(),
                        Value::from(["Sales", "IT", "HR"][(i % 3) as usize]),
                    ),
                    ("userAccountControl".to_owned(), Value::Num(512)),
                    (
                        "employeeID".to_owned(),
                        Value::from(format!("{}", 100_000 + i).as_str()),
                    ),
                ]),
                ..CsObject::default()
            };
            let plain = encode_cs(&o);
            (o, plain)
        })
        .collect()
}

fn dict(records: &[(CsObject, Vec<u8>)]) -> Vec<u8> {
    let samples: Vec<Vec<u8>> = records.iter().map(|(_, p)| p.clone()).collect();
    Codec::train(&samples).expect("a dictionary")
}

fn codec(records: &[(CsObject, Vec<u8>)]) -> Codec {
    Codec::new(1, &dict(records)).expect("a codec")
}

/// The dictionaries of a state holding `codec` only, of no kind.
fn only(codec: Codec) -> Codecs {
    let mut codecs = Codecs::default();
    codecs.add(None, Arc::new(codec));
    codecs
}

#[test]
fn packed_records_unpack_to_the_plain_ones_and_are_smaller() {
    let records = users(1500);
    let codecs = only(codec(&records));
    let codec = codecs.get(1).unwrap();
    let (mut plain_bytes, mut packed_bytes) = (0, 0);
    for (o, plain) in &records {
        let packed = codec.pack(plain.clone());
        assert!(is_packed(&packed));
        plain_bytes += plain.len();
        packed_bytes += packed.len();
        let unpacked = unpack(&packed, &codecs).unwrap();
        assert_eq!(&*unpacked, plain.as_slice());
        assert_eq!(&decode_cs(o.id, &unpacked).unwrap(), o);
    }
    assert!(
        packed_bytes * 2 < plain_bytes,
        "{packed_bytes} bytes packed, {plain_bytes} plain"
    );
}

#[test]
fn plain_records_are_read_as_they_are() {
    let records = users(3);
    let plain = &records[0].1;
    assert!(!is_packed(plain));
    assert!(
        matches!(unpack(plain, &Codecs::default()).unwrap(), Cow::Borrowed(b) if b == plain.as_slice())
    );
}

#[test]
fn damage_and_a_missing_dictionary_are_errors() {
    let records = users(1200);
    let dict = dict(&records);
    let codecs = only(Codec::new(1, &dict).unwrap());
    let packed = codecs.get(1).unwrap().pack(records[5].1.clone());
    for at in [1, 5, 6, packed.len() / 2, packed.len() - 1] {
        let mut bad = packed.clone();
        bad[at] ^= 0x40;
        assert_eq!(
            unpack(&bad, &codecs),
            Err(DecodeError::Checksum),
            "byte {at}"
        );
    }
    assert!(unpack(&packed[..packed.len() - 3], &codecs).is_err());
    assert!(unpack(&packed[..3], &codecs).is_err());
    assert_eq!(
        unpack(&packed, &Codecs::default()),
        Err(DecodeError::NoDictionary { number: 1 })
    );
    let other = only(Codec::new(2, &dict).unwrap());
    assert_eq!(
        unpack(&packed, &other),
        Err(DecodeError::NoDictionary { number: 1 })
    );
}

#[test]
fn each_kind_is_packed_with_its_own_dictionary_or_the_shared_one() {
    let records = users(1200);
    let dict = dict(&records);
    let codec = |n| Arc::new(Codec::new(n, &dict).unwrap());
    let mut codecs = Codecs::default();
    assert!(codecs.packs_cs("AD").is_none() && codecs.packs_mv().is_none());
    assert_eq!(codecs.next_number(), 1);
    // A layout-4 state's dictionary of every kind.
    codecs.add(None, codec(1));
    assert_eq!(codecs.packs_cs("AD").map(Codec::number), Some(1));
    assert_eq!(codecs.packs_mv().map(Codec::number), Some(1));
    assert_eq!(codecs.own(&Kind::Cs("AD".into())), None);
    codecs.add(Some((&Kind::Cs("AD".into()), 300)), codec(2));
    codecs.add(Some((&Kind::Mv, 200)), codec(3));
    assert_eq!(codecs.packs_cs("AD").map(Codec::number), Some(2));
    assert_eq!(codecs.packs_cs("Entra").map(Codec::number), Some(1));
    assert_eq!(codecs.packs_mv().map(Codec::number), Some(3));
    assert_eq!(
        codecs.own(&Kind::Cs("AD".into())),
        Some(Own {
            number: 2,
            median: 300
        })
    );
    assert_eq!(codecs.own(&Kind::Mv).map(|o| o.number), Some(3));
    assert_eq!(codecs.next_number(), 4);
    // Records packed with any of them unpack.
    for n in 1..=3 {
        let packed = codecs.get(n).unwrap().pack(records[7].1.clone());
        assert_eq!(&*unpack(&packed, &codecs).unwrap(), records[7].1.as_slice());
    }
}

#[test]
fn kinds_are_keyed_as_cs_connector_or_mv() {
    for kind in [
        Kind::Mv,
        Kind::Cs("contoso.com".into()),
        Kind::Cs("a/b".into()),
    ] {
        assert_eq!(Kind::parse(&kind.key()), Some(kind));
    }
    assert_eq!(Kind::Cs("AD".into()).key(), "cs/AD");
    assert_eq!(Kind::parse("metaverse"), None);
    assert_eq!(Kind::parse("cs"), None);
}
