//! The public API in review: the facade's items (and the connector interface embedders
//! implement), printed without bodies, docs or private fields, must equal
//! `tests/public-api.txt`. A change to the public surface changes that file in the same
//! commit, where review sees it; `SYNCRULES_BLESS=1 cargo test --test public_api` writes it.
//!
//! The facade also re-exports the engine, connectors and language crates whole
//! (`syncrules::engine`, ...); their items are not listed here, only the facade's own and
//! the connector interface.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use syn::{Fields, ImplItem, Item, TraitItem, Visibility};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_pub(v: &Visibility) -> bool {
    matches!(v, Visibility::Public(_))
}

/// Keeps the attributes that are part of an item's contract (derives, `non_exhaustive`,
/// `must_use`), not docs or lint settings.
fn keep_attrs(attrs: &mut Vec<syn::Attribute>) {
    attrs.retain(|a| {
        let p = a.path();
        p.is_ident("derive") || p.is_ident("non_exhaustive") || p.is_ident("must_use")
    });
}

fn is_test_cfg(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains("test"))
    })
}

fn empty_block() -> syn::Block {
    syn::parse_quote!({})
}

/// The item's public surface, or `None` when it has none. Modules declared in the file are
/// read from `dir` and listed after it (in `out`).
fn surface(item: Item, file: &Path, out: &mut Vec<(PathBuf, String)>) -> Option<Item> {
    match item {
        Item::Use(mut u) if is_pub(&u.vis) => {
            keep_attrs(&mut u.attrs);
            Some(Item::Use(u))
        }
        Item::Mod(m) => {
            if is_test_cfg(&m.attrs) {
                return None;
            }
            if m.content.is_none() {
                let dir = match file.file_name().and_then(|n| n.to_str()) {
                    Some("lib.rs" | "mod.rs") => file.parent().unwrap().to_owned(),
                    _ => file.with_extension(""),
                };
                let name = m.ident.to_string();
                let path = [
                    dir.join(format!("{name}.rs")),
                    dir.join(&name).join("mod.rs"),
                ]
                .into_iter()
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("module {name} of {}", file.display()));
                list_file(&path, out);
            }
            None
        }
        Item::Fn(mut f) if is_pub(&f.vis) => {
            keep_attrs(&mut f.attrs);
            *f.block = empty_block();
            Some(Item::Fn(f))
        }
        Item::Struct(mut s) if is_pub(&s.vis) => {
            keep_attrs(&mut s.attrs);
            match &mut s.fields {
                Fields::Named(n) => {
                    n.named = std::mem::take(&mut n.named)
                        .into_iter()
                        .filter(|f| is_pub(&f.vis))
                        .collect();
                    for f in &mut n.named {
                        keep_attrs(&mut f.attrs);
                    }
                }
                Fields::Unnamed(u) => {
                    for f in &mut u.unnamed {
                        keep_attrs(&mut f.attrs);
                    }
                }
                Fields::Unit => {}
            }
            Some(Item::Struct(s))
        }
        Item::Enum(mut e) if is_pub(&e.vis) => {
            keep_attrs(&mut e.attrs);
            for v in &mut e.variants {
                keep_attrs(&mut v.attrs);
                for f in v.fields.iter_mut() {
                    keep_attrs(&mut f.attrs);
                }
            }
            Some(Item::Enum(e))
        }
        Item::Trait(mut t) if is_pub(&t.vis) => {
            keep_attrs(&mut t.attrs);
            for i in &mut t.items {
                match i {
                    TraitItem::Fn(f) => {
                        keep_attrs(&mut f.attrs);
                        if f.default.is_some() {
                            f.default = Some(empty_block());
                        }
                    }
                    TraitItem::Const(c) => keep_attrs(&mut c.attrs),
                    TraitItem::Type(t) => keep_attrs(&mut t.attrs),
                    _ => {}
                }
            }
            Some(Item::Trait(t))
        }
        Item::Type(mut t) if is_pub(&t.vis) => {
            keep_attrs(&mut t.attrs);
            Some(Item::Type(t))
        }
        Item::Const(mut c) if is_pub(&c.vis) => {
            keep_attrs(&mut c.attrs);
            Some(Item::Const(c))
        }
        Item::Static(mut s) if is_pub(&s.vis) => {
            keep_attrs(&mut s.attrs);
            Some(Item::Static(s))
        }
        Item::Impl(mut i) => {
            if is_test_cfg(&i.attrs) {
                return None;
            }
            keep_attrs(&mut i.attrs);
            let for_trait = i.trait_.is_some();
            i.items = i
                .items
                .into_iter()
                .filter_map(|it| match it {
                    // A trait's items are the trait's contract: the impl header says it all.
                    _ if for_trait => None,
                    ImplItem::Fn(mut f) if is_pub(&f.vis) => {
                        keep_attrs(&mut f.attrs);
                        f.block = empty_block();
                        Some(ImplItem::Fn(f))
                    }
                    ImplItem::Const(mut c) if is_pub(&c.vis) => {
                        keep_attrs(&mut c.attrs);
                        Some(ImplItem::Const(c))
                    }
                    _ => None,
                })
                .collect();
            (for_trait || !i.items.is_empty()).then_some(Item::Impl(i))
        }
        _ => None,
    }
}

/// Lists `path`'s public surface in `out`, then that of the modules it declares.
fn list_file(path: &Path, out: &mut Vec<(PathBuf, String)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let slot = out.len();
    out.push((path.to_owned(), String::new()));
    let items: Vec<Item> = file
        .items
        .into_iter()
        .filter_map(|i| surface(i, path, out))
        .collect();
    let printed = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    });
    out[slot].1 = printed;
}

fn api() -> String {
    let root = repo();
    let mut files = Vec::new();
    list_file(&root.join("src/lib.rs"), &mut files);
    list_file(&root.join("crates/connector/src/lib.rs"), &mut files);
    let mut text = String::new();
    for (path, printed) in files {
        if printed.trim().is_empty() {
            continue;
        }
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        text.push_str(&format!("// {rel}\n{printed}\n"));
    }
    text
}

#[test]
fn the_public_api_is_the_reviewed_one() {
    let snapshot = repo().join("tests/public-api.txt");
    let now = api();
    if std::env::var_os("SYNCRULES_BLESS").is_some() {
        std::fs::write(&snapshot, &now).unwrap();
        return;
    }
    let reviewed = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if reviewed == now {
        return;
    }
    let old: Vec<&str> = reviewed.lines().collect();
    let new: Vec<&str> = now.lines().collect();
    let gone: Vec<&&str> = old.iter().filter(|l| !new.contains(l)).collect();
    let added: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
    panic!(
        "the public API changed: review it, then run `SYNCRULES_BLESS=1 cargo test --test public_api` \
         and commit tests/public-api.txt\nremoved:\n{}\nadded:\n{}",
        gone.iter()
            .map(|l| format!("  - {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        added
            .iter()
            .map(|l| format!("  + {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

#[test]
fn the_listing_sees_a_change_to_a_signature() {
    // The listing is not blind: a pub fn's signature and a pub field are in it, a private
    // one and a body are not.
    let src: syn::File = syn::parse_quote! {
        pub struct S { pub a: u8, b: u8 }
        impl S { pub fn f(&self, x: u32) -> u32 { x + 1 } fn g(&self) {} }
    };
    let mut out = Vec::new();
    let items: Vec<Item> = src
        .items
        .into_iter()
        .filter_map(|i| surface(i, Path::new("x.rs"), &mut out))
        .collect();
    let printed = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    });
    assert!(printed.contains("pub a: u8"), "{printed}");
    assert!(!printed.contains("b: u8"), "{printed}");
    assert!(
        printed.contains("pub fn f(&self, x: u32) -> u32 {}"),
        "{printed}"
    );
    assert!(
        !printed.contains("fn g") && !printed.contains("x + 1"),
        "{printed}"
    );
}
