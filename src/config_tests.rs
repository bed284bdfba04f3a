//! `sync.yaml`: defaults, every error located, unknown keys with a did-you-mean.

use super::*;
use syncrules_lang::diag::line_col;
use syncrules_lang::rules::Matching;

const GOOD: &str = "rules: r
state: s
connectors:
  contoso.com:
    type: ldif
    path: contoso.ldif
    delta: contoso-delta.ldif
  entra:
    type: file
    path: entra
";

/// The errors of `text` as `line:col code message`, in order.
fn errors(text: &str) -> Vec<String> {
    match SyncConfig::parse(text) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| {
                let (l, c) = line_col(text, d.span.start as usize);
                format!("{l}:{c} {} {}", d.code, d.message)
            })
            .collect(),
    }
}

fn help(text: &str) -> Vec<String> {
    SyncConfig::parse(text)
        .err()
        .map(|e| e.diagnostics.into_iter().filter_map(|d| d.help).collect())
        .unwrap_or_default()
}

#[test]
fn a_good_file_reads_with_the_default_threshold() {
    let c = SyncConfig::parse(GOOD);
    assert!(c.is_ok(), "{c:?}");
    let Ok(c) = c else { return };
    assert_eq!(c.connectors.len(), 2);
    assert_eq!(
        c.connectors.get("contoso.com"),
        Some(&ConnectorConfig::Ldif {
            path: "contoso.ldif".into(),
            delta: Some("contoso-delta.ldif".into())
        })
    );
    assert_eq!(c.deletion_threshold, Some(Threshold::default()));
    assert_eq!(c.error_limit, DEFAULT_ERROR_LIMIT);
    let with = format!("{GOOD}deletion-threshold:\n  count: 50\n");
    let c = SyncConfig::parse(&with).map(|c| c.deletion_threshold);
    assert_eq!(
        c.ok().flatten(),
        Some(Threshold {
            count: 50,
            percent: Some(10.0)
        })
    );
    let with = format!("{GOOD}deletion-threshold: {{percent: 2.5%}}\n");
    let c = SyncConfig::parse(&with).map(|c| c.deletion_threshold);
    assert_eq!(c.ok().flatten().and_then(|t| t.percent), Some(2.5));
}

#[test]
fn threshold_values_out_of_range_are_located() {
    for (value, expected) in [
        (
            "percent: 150",
            "12:31 E0604 `percent` must be more than 0 and at most 100, found 150",
        ),
        (
            "percent: -1",
            "12:31 E0604 `percent` must be more than 0 and at most 100, found -1",
        ),
        (
            "percent: 0",
            "12:31 E0604 `percent` must be more than 0 and at most 100, found 0",
        ),
        (
            "percent: .nan",
            "12:31 E0603 `percent` must be a number, found `.nan`",
        ),
        ("count: 0", "12:29 E0604 `count` must be 1 or more, found 0"),
        (
            "count: 18446744073709551616",
            "12:29 E0604 `count` is too large: 18446744073709551616",
        ),
        (
            "count: 1234567890123456789012345678901234567890",
            "12:29 E0603 `count` is too large: `1234567890123456789012345678901234567890`",
        ),
        (
            "count: -5",
            "12:29 E0604 `count` must be 1 or more, found -5",
        ),
        (
            "count: many",
            "12:29 E0603 `count` must be a whole number, found `many`",
        ),
    ] {
        let text = format!("{GOOD}error-limit: 10\ndeletion-threshold: {{{value}}}\n");
        assert_eq!(errors(&text), vec![expected.to_owned()], "{value}");
    }
}

#[test]
fn unknown_keys_are_errors_with_a_did_you_mean() {
    let text = GOOD.replace("delta:", "detla:").replace(
        "rules: r\n",
        "rules: r\ndeletion-treshold: {count: 5, precent: 5}\n",
    );
    assert_eq!(
        errors(&text),
        vec![
            "2:1 E0601 unknown key `deletion-treshold` in sync.yaml",
            "8:5 E0601 unknown key `detla` in a `ldif` connector",
        ]
    );
    assert_eq!(
        help(&text),
        vec![
            "did you mean `deletion-threshold`?",
            "did you mean `delta`?"
        ]
    );
    let text = format!("{GOOD}deletion-threshold: {{count: 5, precent: 5}}\n");
    assert_eq!(
        errors(&text),
        vec!["11:32 E0601 unknown key `precent` in `deletion-threshold`"]
    );
    assert_eq!(help(&text), vec!["did you mean `percent`?"]);
    // A key of another connector type.
    let text = GOOD.replace("path: entra", "path: entra\n    delta: x");
    assert_eq!(
        errors(&text),
        vec!["11:5 E0601 unknown key `delta` in a `file` connector"]
    );
}

#[test]
fn shapes_types_and_missing_keys_are_located_in_file_order() {
    let text = "state: s\nconnectors:\n  ad:\n    type: ladp\n    path: x\n  cloud: {type: file}\n";
    assert_eq!(
        errors(text),
        vec![
            "1:1 E0602 sync.yaml needs `rules`",
            "4:11 E0605 unknown connector type `ladp`",
            "6:3 E0602 connector `cloud` needs `path`",
        ]
    );
    assert_eq!(
        errors("rules: r\nstate: s\nconnectors: [a, b]\n"),
        vec!["3:13 E0603 `connectors` must map connector names to their settings, found a list"]
    );
    assert_eq!(
        errors("rules: r\nstate: s\nconnectors:\n  ad: {type: lidf, path: x}\n"),
        vec!["4:14 E0605 unknown connector type `lidf`"]
    );
    assert_eq!(
        help("rules: r\nstate: s\nconnectors:\n  ad: {type: lidf, path: x}\n"),
        vec!["did you mean `ldif`?"]
    );
}

#[test]
fn a_yaml_error_at_the_end_or_at_a_wide_character_stays_in_the_text() {
    for text in [
        "rules: r\nstate: [s\n",
        "rules: r\nstate: [é",
        "a: \"é\nb: \"\t\"é",
    ] {
        let e = SyncConfig::parse(text).err().map(|e| e.diagnostics);
        let e = e.unwrap_or_default();
        assert_eq!(e.len(), 1, "{text:?}: {e:?}");
        for d in &e {
            assert!(text.get(d.span.range()).is_some(), "{text:?}: {:?}", d.span);
        }
    }
}

#[test]
fn a_yaml_error_is_the_only_error() {
    let text = "rules: r\nstate: [s\nconnectors: {}\n";
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e.iter().all(|x| x.contains("E0300")), "{e:?}");
    assert_eq!(
        errors("rules: &a r\nstate: *a\n")
            .first()
            .map(String::as_str),
        Some("1:8 E0302 YAML anchors, aliases and tags are not supported in sync.yaml")
    );
}

#[test]
fn load_resolves_paths_and_locates_missing_files() {
    let dir = std::env::temp_dir().join(format!("syncrules-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(std::fs::create_dir_all(dir.join("r")).is_ok());
    let path = dir.join("sync.yaml");
    assert!(std::fs::write(&path, GOOD).is_ok());
    let e = SyncConfig::load(&path).err().map(|e| e.to_string());
    let shown = path.display().to_string();
    let e = e.unwrap_or_default();
    assert!(
        e.starts_with(&format!("{shown}:6:11: error[E0606]: no such LDIF file: ")),
        "{e}"
    );
    assert!(
        e.contains("6 |     path: contoso.ldif\n  |           ^^^^^^^^^^^^"),
        "{e}"
    );
    assert!(std::fs::write(dir.join("contoso.ldif"), "version: 1\n").is_ok());
    let c = SyncConfig::load(&path);
    assert!(c.is_ok(), "{c:?}");
    let Ok(c) = c else { return };
    assert_eq!(c.rules, dir.join("r"));
    assert_eq!(
        c.connectors.get("entra"),
        Some(&ConnectorConfig::File {
            path: dir.join("entra")
        })
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn values_per_attribute_is_a_whole_number_of_one_or_more() {
    let ok = SyncConfig::parse(&format!("{GOOD}values-per-attribute: 250000\n")).unwrap();
    assert_eq!(ok.values_per_attribute, 250_000);
    let default = SyncConfig::parse(GOOD).unwrap();
    assert_eq!(default.values_per_attribute, DEFAULT_VALUES_PER_ATTRIBUTE);
    let bad = errors(&format!("{GOOD}values-per-attribute: 0\n"));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].contains("`values-per-attribute` must be 1 or more"),
        "{bad:?}"
    );
}

#[test]
fn batch_size_is_a_whole_number_of_one_or_more() {
    let ok = SyncConfig::parse(&format!("{GOOD}batch-size: 5000\n")).unwrap();
    assert_eq!(ok.batch_size, 5_000);
    assert_eq!(crate::connect::options(&ok, false, false).sync_batch, 5_000);
    let default = SyncConfig::parse(GOOD).unwrap();
    assert_eq!(default.batch_size, DEFAULT_BATCH_SIZE);
    let bad = errors(&format!("{GOOD}batch-size: 0\n"));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("`batch-size` must be 1 or more"), "{bad:?}");
}

const GRAPH: &str = "rules: r
state: s
connectors:
  entra:
    type: graph
    tenant: contoso.onmicrosoft.com
    client-id: abc
    secret-env: SYNCRULES_TEST_GRAPH_SECRET_UNSET
";

#[test]
fn a_graph_connector_reads_with_the_defaults() {
    let c = SyncConfig::parse(GRAPH).unwrap_or_else(|e| panic!("{e}"));
    let Some(ConnectorConfig::Graph(g)) = c.connectors.get("entra") else {
        panic!("not a graph connector");
    };
    assert_eq!(g.settings.graph_url, "https://graph.microsoft.com");
    assert_eq!(g.settings.token_url, "https://login.microsoftonline.com");
    assert_eq!(g.settings.writes_per_second, 20.0);
    assert_eq!(
        g.secret,
        crate::config_ldap::PasswordSource::Env("SYNCRULES_TEST_GRAPH_SECRET_UNSET".into())
    );
}

#[test]
fn graph_urls_rates_and_secrets_are_located() {
    let text = format!(
        "{GRAPH}    graph-url: http://graph.example.com\n    token-url: http://127.0.0.1:9\n    writes-per-second: 0\n    secret-file: s.txt\n    grpah-url: x\n"
    );
    assert_eq!(
        errors(&text),
        [
            "8:5 E0603 write one of `secret-env` and `secret-file`, not both",
            "9:16 E0608 `graph-url` must be an https:// URL, found `http://graph.example.com`",
            "11:24 E0609 `writes-per-second` must be a number above 0, found `0`",
            "13:5 E0601 unknown key `grpah-url` in a `graph` connector",
        ]
    );
}

#[test]
fn a_missing_graph_secret_names_the_key_never_a_value() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("r")).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("sync.yaml");
    std::fs::write(&path, GRAPH).unwrap_or_else(|e| panic!("{e}"));
    let err = SyncConfig::load(&path)
        .err()
        .unwrap_or_else(|| panic!("loaded"));
    let text = err.to_string();
    assert!(text.contains("E0607"), "{text}");
    assert!(
        text.contains(
            "`secret-env`: the environment variable `SYNCRULES_TEST_GRAPH_SECRET_UNSET` is not set"
        ),
        "{text}"
    );
}

#[test]
fn template_instances_and_user_matching_are_read_in_file_order() {
    let text = "rules: r
state: s
connectors:
  b.com:
    type: ldif
    path: b.ldif
    rules: active-directory
    parameters: {Domain.FQDN: b.com, Domain.LDAP: 'DC=b,DC=com'}
  a.com:
    type: ldif
    path: a.ldif
    rules: active-directory
  entra: {type: file, path: entra}
user-matching: {attribute: employeeID}
";
    let c = SyncConfig::parse(text).unwrap();
    let names: Vec<&str> = c.instances.iter().map(|i| i.connector.as_str()).collect();
    assert_eq!(names, ["b.com", "a.com"]);
    assert_eq!(c.instances[0].parameters["Domain.LDAP"], "DC=b,DC=com");
    assert_eq!(
        &text[c.instances[0].template_span.start as usize
            ..c.instances[0].template_span.end as usize],
        "active-directory"
    );
    assert_eq!(
        c.user_matching.map(|m| m.option),
        Some(Matching::Attribute("employeeID".to_owned()))
    );
    let mail = SyncConfig::parse(&GOOD.replace("connectors:", "user-matching: mail\nconnectors:"))
        .unwrap();
    assert_eq!(mail.user_matching.map(|m| m.option), Some(Matching::Mail));
}

#[test]
fn a_wrong_user_matching_or_parameters_without_rules_is_located() {
    let text = GOOD.replace("connectors:", "user-matching: mial\nconnectors:");
    assert_eq!(
        errors(&text),
        ["3:16 E0612 unknown user-matching option `mial`"]
    );
    assert_eq!(help(&text), ["did you mean `mail`?"]);
    let text = GOOD.replace(
        "    delta: contoso-delta.ldif\n",
        "    parameters: {Domain.FQDN: x}\n",
    );
    assert_eq!(
        errors(&text),
        ["7:5 E0602 connector `contoso.com` has `parameters` but no `rules`"]
    );
}
