//! Writing the import out: every rule reloads from its YAML, and the rule set written to disk
//! (rule files, declarations, schemas) reads back as imported.

use std::path::{Path, PathBuf};

use syncrules_import::{ImportError, Imported, rule_paths, write_rule_set};
use syncrules_lang::rules::{emit_rule, load_config, load_rule};
use syncrules_lang::schema::{ConnectorDef, Schema};

use super::{Failure, Outcome, fail, imported, read};

#[test]
fn every_rule_reloads_from_its_yaml() -> Outcome {
    for rule in &imported()?.rules {
        let text = emit_rule(rule);
        let mut back = load_rule(Path::new("rule.yaml"), &text).map_err(|errors| {
            Failure(format!(
                "rule `{}` does not reload: {errors:?}\n{text}",
                rule.name
            ))
        })?;
        back.origin = None;
        if &back != rule {
            return fail(format!(
                "rule `{}` reloads differently:\n{back:#?}\n---\n{rule:#?}",
                rule.name
            ));
        }
    }
    Ok(())
}

/// The rule set on disk: 62 rule files, the declarations and the schemas, all of which read back.
#[test]
fn write_rule_set_writes_what_loads() -> Outcome {
    let imported = imported()?;
    let dir = std::env::temp_dir().join(format!("syncrules-import-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written =
        write_rule_set(&dir, imported).map_err(|e| Failure(format!("write failed: {e}")))?;
    let result = check_written(&dir, imported, &written);
    let again = write_rule_set(&dir, imported);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    match again {
        Err(e @ ImportError::NotEmpty { .. }) => {
            assert!(
                e.to_string()
                    .ends_with("is not empty: a rule set is written into a new or empty directory"),
                "{e}"
            );
            Ok(())
        }
        other => fail(format!("writing twice: {other:?}")),
    }
}

fn check_written(dir: &Path, imported: &Imported, written: &[PathBuf]) -> Outcome {
    let rules: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.starts_with(dir.join("rules")))
        .collect();
    assert_eq!(rules.len(), 62);
    assert_eq!(written.len(), 62 + 1 + 3);
    let relative: Vec<PathBuf> = written
        .iter()
        .filter_map(|p| p.strip_prefix(dir).ok().map(Path::to_path_buf))
        .collect();
    let mut expected = vec![PathBuf::from("syncrules.yaml")];
    expected.extend(imported.schemas.iter().map(|s| s.to.clone()));
    expected.extend(rule_paths(imported));
    assert_eq!(relative, expected);
    assert!(
        relative.contains(&PathBuf::from(
            "rules/contoso-com/inbound/in-from-ad-user-common.yaml"
        )),
        "{relative:#?}"
    );
    let config_path = dir.join("syncrules.yaml");
    let config = load_config(&read(&config_path)?)
        .map_err(|e| Failure(format!("syncrules.yaml does not load: {e:?}")))?;
    assert_eq!(config.metaverse, imported.config.metaverse);
    assert_eq!(config.connectors, imported.config.connectors);
    assert_eq!(config.default_band, imported.config.default_band);
    let Some(mv) = &config.metaverse.schema else {
        return fail("no metaverse schema declared");
    };
    Schema::from_mv_file(&dir.join(mv)).map_err(|e| Failure(e.to_string()))?;
    for (name, c) in &config.connectors {
        let Some(schema) = &c.schema else {
            return fail(format!("connector `{name}` has no schema"));
        };
        let def = ConnectorDef::from_file(&dir.join(schema)).map_err(|e| Failure(e.to_string()))?;
        assert_eq!(&def.name, name);
    }
    for (path, rule) in rules.iter().zip(&imported.rules) {
        let mut back = load_rule(path, &read(path)?)
            .map_err(|e| Failure(format!("{} does not load: {e:?}", path.display())))?;
        back.origin = None;
        assert_eq!(&back, rule, "{}", path.display());
        assert!(config.connectors.contains_key(&back.connector));
    }
    Ok(())
}
