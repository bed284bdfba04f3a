//! Importing the real Entra Connect Sync export of the shared conformance corpus
//! (`shared/corpus/aadconnect-contoso`) into the YAML rule model.
//!
//! Every count compared here is also taken from the XML by a plain string scan in this test,
//! independent of the importer's XML reader, so nothing can be dropped silently. A missing
//! corpus fails the tests; it never skips them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use syncrules_lang::rules::import::{
    ImportError, Imported, import_aadconnect, rule_paths, write_rule_set,
};
use syncrules_lang::rules::{
    ConnectorKind, Direction, FlowSource, LinkType, MergeType, Rule, ScopeOp, emit_rule,
    fingerprint, load_config, load_rule,
};
use syncrules_lang::schema::{ConnectorDef, Schema};

const CORPUS: &str = "../../../shared/corpus/aadconnect-contoso";
const AD: &str = "contoso.com";
const AAD: &str = "contoso.onmicrosoft.com - AAD";

/// A test failure whose message prints as plain text.
struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Outcome = Result<(), Failure>;

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into()))
}

/// The corpus directory; a failure (never a skip) when it is missing.
fn corpus() -> Result<PathBuf, Failure> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    if dir.join("SynchronizationRules").is_dir() {
        Ok(dir)
    } else {
        fail(format!(
            "the conformance corpus is missing: expected {}/SynchronizationRules \
             (restore shared/corpus/aadconnect-contoso beside the repository)",
            dir.display()
        ))
    }
}

/// The import of the corpus, done once for all tests.
fn imported() -> Result<&'static Imported, Failure> {
    static IMPORTED: OnceLock<Result<Imported, String>> = OnceLock::new();
    let result = IMPORTED.get_or_init(|| {
        let dir = corpus().map_err(|f| f.0)?;
        import_aadconnect(&dir).map_err(|e| format!("the import failed: {e}"))
    });
    result.as_ref().map_err(|e| Failure(e.clone()))
}

fn rule<'a>(imported: &'a Imported, name: &str) -> Result<&'a Rule, Failure> {
    match imported.rules.iter().find(|r| r.name == name) {
        Some(r) => Ok(r),
        None => fail(format!("no imported rule is named `{name}`")),
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// The files of a folder, sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    let mut out: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    out.sort();
    Ok(out)
}

// ---- independent string scans -------------------------------------------------------------

/// XML's five predefined entities, `&amp;` last.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text of the first `<tag>...</tag>`, unescaped; empty for `<tag />` or none.
fn first(xml: &str, tag: &str) -> String {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map_or_else(String::new, |(v, _)| unescape(v))
}

/// Everything between `<tag>` and `</tag>` (empty when written `<tag />`).
fn section<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    xml.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map_or("", |(v, _)| v)
}

/// What one rule file says, counted by string scans.
#[derive(Debug, Default)]
struct Raw {
    name: String,
    direction: String,
    link: String,
    precedence: i64,
    tag: String,
    mappings: usize,
    expressions: Vec<String>,
    constants: Vec<String>,
    apply_once: usize,
    merge_case_insensitive: usize,
    merge_update: usize,
    scope_groups: usize,
    scope_clauses: usize,
    null_tests: usize,
    join_groups: usize,
    join_conditions: usize,
    case_sensitive: usize,
}

fn scan(xml: &str) -> Raw {
    let criteria = section(xml, "synchronizationCriteria");
    let relationship = section(xml, "relationshipCriteria");
    Raw {
        name: first(xml, "name"),
        direction: first(xml, "direction"),
        link: first(xml, "linkType"),
        precedence: first(xml, "precedence").parse().unwrap_or(-1),
        tag: first(xml, "immutable-tag"),
        mappings: xml.matches("<mapping").count(),
        expressions: xml
            .split("<expression>")
            .skip(1)
            .map(|c| unescape(c.split("</expression>").next().unwrap_or("")))
            .collect(),
        constants: xml
            .split("<src>")
            .skip(1)
            .filter(|c| !c.starts_with(|ch: char| ch.is_whitespace() || ch == '<'))
            .map(|c| unescape(c.split("</src>").next().unwrap_or("")))
            .collect(),
        apply_once: xml.matches("execute-once=\"true\"").count(),
        merge_case_insensitive: xml
            .matches("<valueMergeType>MergeCaseInsensitive</valueMergeType>")
            .count(),
        merge_update: xml
            .matches("<valueMergeType>Update</valueMergeType>")
            .count(),
        scope_groups: criteria.matches("<conditions>").count(),
        scope_clauses: criteria.matches("<scope>").count(),
        null_tests: criteria.matches("<csOperator>ISNOTNULL<").count()
            + criteria.matches("<csOperator>ISNULL<").count(),
        join_groups: relationship.matches("<conditions>").count(),
        join_conditions: relationship.matches("<condition>").count(),
        case_sensitive: relationship.matches("<caseSensitive>True<").count(),
    }
}

/// Every rule file of the corpus, scanned.
fn raw_rules() -> Result<Vec<(PathBuf, Raw)>, Failure> {
    let mut out = Vec::new();
    for file in files(&corpus()?.join("SynchronizationRules"))? {
        if file.extension().is_some_and(|e| e == "xml") {
            let xml = read(&file)?;
            if !xml.contains("<synchronizationRule>") {
                return fail(format!("{} is not a rule file", file.display()));
            }
            out.push((file, scan(&xml)));
        }
    }
    Ok(out)
}

/// The model's counts of one rule, in the same shape as [`Raw`].
fn counted(rule: &Rule) -> Raw {
    let expressions = rule
        .flows
        .iter()
        .filter_map(|f| match &f.source {
            FlowSource::Expression(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    let constants = rule
        .flows
        .iter()
        .filter_map(|f| match &f.source {
            FlowSource::Constant(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let merges = |m: MergeType| rule.flows.iter().filter(|f| f.merge == m).count();
    let clauses = rule.scope.iter().flatten();
    Raw {
        name: rule.name.clone(),
        direction: format!("{:?}", rule.direction),
        link: format!("{:?}", rule.link),
        precedence: rule.precedence,
        tag: rule
            .vendor
            .as_ref()
            .map_or_else(String::new, |v| v.immutable_tag.clone()),
        mappings: rule.flows.len(),
        expressions,
        constants,
        apply_once: rule.flows.iter().filter(|f| f.apply_once).count(),
        merge_case_insensitive: merges(MergeType::MergeCaseInsensitive),
        merge_update: merges(MergeType::Update),
        scope_groups: rule.scope.len(),
        scope_clauses: clauses.clone().count(),
        null_tests: clauses.filter(|c| !c.operator.takes_value()).count(),
        join_groups: rule.join.len(),
        join_conditions: rule.join.iter().flatten().count(),
        case_sensitive: rule
            .join
            .iter()
            .flatten()
            .filter(|c| c.case_sensitive)
            .count(),
    }
}

// ---- tests ----------------------------------------------------------------------------------

/// Rules, flows (by kind), expressions, scoping clauses and groups, join conditions and groups,
/// merge types and Apply Once, per rule and in total, as the XML says.
#[test]
fn counts_match_the_xml() -> Outcome {
    let imported = imported()?;
    let raw = raw_rules()?;
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut add = |what: &'static str, xml: usize, model: usize| {
        let t = totals.entry(what).or_default();
        t.0 += xml;
        t.1 += model;
    };
    for (file, xml) in &raw {
        let model = counted(rule(imported, &xml.name)?);
        let file = file.display();
        let same = |what: &str, a: &dyn fmt::Debug, b: &dyn fmt::Debug| {
            let (a, b) = (format!("{a:?}"), format!("{b:?}"));
            if a == b {
                Ok(())
            } else {
                fail(format!("{file}: {what}: the XML says {a}, the import {b}"))
            }
        };
        same("direction", &xml.direction, &model.direction)?;
        same("link type", &xml.link, &model.link)?;
        same("precedence", &xml.precedence, &model.precedence)?;
        same("immutable tag", &xml.tag, &model.tag)?;
        same("flows", &xml.mappings, &model.mappings)?;
        same("expressions", &xml.expressions, &model.expressions)?;
        same("constants", &xml.constants, &model.constants)?;
        same("apply-once flows", &xml.apply_once, &model.apply_once)?;
        same(
            "merge-case-insensitive",
            &xml.merge_case_insensitive,
            &model.merge_case_insensitive,
        )?;
        same("update flows", &xml.merge_update, &model.merge_update)?;
        same("scope groups", &xml.scope_groups, &model.scope_groups)?;
        same("scope clauses", &xml.scope_clauses, &model.scope_clauses)?;
        same("null tests", &xml.null_tests, &model.null_tests)?;
        same("join groups", &xml.join_groups, &model.join_groups)?;
        same(
            "join conditions",
            &xml.join_conditions,
            &model.join_conditions,
        )?;
        same(
            "case-sensitive conditions",
            &xml.case_sensitive,
            &model.case_sensitive,
        )?;
        add("rules", 1, 1);
        add("flows", xml.mappings, model.mappings);
        add(
            "expressions",
            xml.expressions.len(),
            model.expressions.len(),
        );
        add("constants", xml.constants.len(), model.constants.len());
        add("scope clauses", xml.scope_clauses, model.scope_clauses);
        add(
            "join conditions",
            xml.join_conditions,
            model.join_conditions,
        );
    }
    // Both sides counted every file; no imported rule is left unmatched.
    if raw.len() != imported.rules.len() {
        return fail(format!(
            "{} rule files, {} imported rules",
            raw.len(),
            imported.rules.len()
        ));
    }
    for (what, (xml, model)) in &totals {
        if xml != model {
            return fail(format!("{what}: the XML has {xml}, the import {model}"));
        }
    }
    // The corpus README's figures, which the scans above must reproduce.
    let total = |what: &str| totals.get(what).map_or(0, |t| t.0);
    assert_eq!(total("rules"), 62, "the README counts 62 rules");
    assert_eq!(
        total("expressions"),
        391,
        "the README counts 391 expressions"
    );
    let provision = imported
        .rules
        .iter()
        .filter(|r| r.link == LinkType::Provision)
        .count();
    assert_eq!(provision, 9, "the README counts 9 Provision rules");
    let flows = imported.rules.iter().flat_map(|r| &r.flows);
    let mci = flows
        .clone()
        .filter(|f| f.merge == MergeType::MergeCaseInsensitive)
        .count();
    assert_eq!(
        (flows.count() - mci, mci),
        (1195, 5),
        "the README's merge types"
    );
    Ok(())
}

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

#[test]
fn connectors_are_named_by_their_files() -> Outcome {
    let imported = imported()?;
    let mut names = Vec::new();
    for file in files(&corpus()?.join("Connectors"))? {
        let xml = read(&file)?;
        let ma = section(&xml, "ma-data");
        names.push(first(ma, "name"));
        let id = first(ma, "id").to_lowercase();
        let declared = imported.config.connectors.get(&first(ma, "name"));
        assert_eq!(
            declared.and_then(|c| c.id.clone()),
            Some(id),
            "{}",
            file.display()
        );
    }
    let declared: Vec<String> = imported.config.connectors.keys().cloned().collect();
    assert_eq!(declared, names);
    assert_eq!(names, [AD, AAD]);
    for rule in &imported.rules {
        assert!(
            names.contains(&rule.connector),
            "rule `{}` names connector `{}`",
            rule.name,
            rule.connector
        );
    }
    let kinds: Vec<ConnectorKind> = imported
        .config
        .connectors
        .values()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [ConnectorKind::ActiveDirectory, ConnectorKind::EntraId]
    );
    let by = |c: &str| imported.rules.iter().filter(|r| r.connector == c).count();
    assert_eq!((by(AD), by(AAD)), (29, 33));
    Ok(())
}

#[test]
fn ad_parameters_and_default_band() -> Outcome {
    let imported = imported()?;
    let Some(ad) = imported.config.connectors.get(AD) else {
        return fail("no AD connector");
    };
    let params: Vec<(&str, &str)> = ad
        .parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        params,
        [
            ("Domain.FQDN", "contoso.com"),
            ("Domain.Netbios", "CONTOSO"),
            ("Domain.LDAP", "DC=contoso,DC=com"),
            ("Forest.FQDN", "contoso.com"),
            ("Forest.Netbios", "CONTOSO"),
            ("Forest.LDAP", "DC=contoso,DC=com"),
        ]
    );
    let aad = imported.config.connectors.get(AAD);
    assert!(aad.is_some_and(|c| c.parameters.is_empty()));
    let precedences = raw_rules()?
        .iter()
        .map(|(_, r)| r.precedence)
        .collect::<Vec<_>>();
    let band = precedences
        .iter()
        .min()
        .copied()
        .zip(precedences.iter().max().copied());
    assert_eq!(imported.config.default_band, band);
    assert_eq!(imported.config.default_band, Some((100, 161)));
    Ok(())
}

/// `In from AD - User Common`, field by field against its XML.
#[test]
fn in_from_ad_user_common() -> Outcome {
    let imported = imported()?;
    let file = corpus()?.join(
        "SynchronizationRules/SynchronizationRule_{c93c2c84-f29f-4d43-bc3b-fa439a2fb1c1}.xml",
    );
    let xml = read(&file)?;
    let r = rule(imported, "In from AD - User Common")?;
    assert_eq!(r.name, first(&xml, "name"));
    assert_eq!(r.description, None, "<description /> is empty");
    assert_eq!(r.direction, Direction::Inbound);
    assert_eq!(r.connector, AD);
    assert_eq!((r.source.as_str(), r.target.as_str()), ("user", "person"));
    assert_eq!(r.link, LinkType::Join);
    assert_eq!(r.precedence, 106);
    assert!(r.enabled, "<disabled>False</disabled>");
    let Some(vendor) = &r.vendor else {
        return fail("no vendor block");
    };
    assert_eq!(vendor.immutable_tag, "Microsoft.InfromADUserCommon.004");
    assert_eq!(vendor.fingerprint.as_deref(), Some(fingerprint(r).as_str()));
    let [group] = r.scope.as_slice() else {
        return fail(format!("one scope group expected: {:?}", r.scope));
    };
    let [clause] = group.as_slice() else {
        return fail(format!("one scope clause expected: {:?}", r.scope));
    };
    assert_eq!(
        (
            clause.attribute.as_str(),
            clause.operator,
            clause.value.as_str()
        ),
        ("adminDescription", ScopeOp::NotStartsWith, "User_")
    );
    assert!(r.join.is_empty(), "<relationshipCriteria />");
    // Every flow in file order: its target and what it reads.
    let mappings: Vec<&str> = xml.split("<mapping>").skip(1).collect();
    assert_eq!(r.flows.len(), mappings.len());
    assert_eq!(r.flows.len(), 68);
    for (flow, m) in r.flows.iter().zip(&mappings) {
        assert_eq!(flow.target, first(m, "dest"));
        assert_eq!(flow.merge, MergeType::Update);
        assert!(!flow.apply_once);
        let expected = if m.contains("<expression>") {
            FlowSource::Expression(first(m, "expression"))
        } else {
            FlowSource::Direct(first(m, "attr"))
        };
        assert_eq!(flow.source, expected, "flow to {}", flow.target);
    }
    let upn = r.flows.iter().find(|f| f.target == "userPrincipalName");
    assert_eq!(
        upn.map(|f| &f.source),
        Some(&FlowSource::Expression(
            r#"IIF(IsPresent([userPrincipalName]),[userPrincipalName], IIF(IsPresent([sAMAccountName]),([sAMAccountName]&"@"&%Domain.FQDN%),Error("AccountName is not present")))"#
                .to_owned()
        )),
        "`&amp;` is unescaped"
    );
    Ok(())
}

/// Join conditions: `csAttribute` is the connector side, `ilmAttribute` the metaverse side,
/// so an outbound rule's source is the metaverse attribute. Also constants and Apply Once.
#[test]
fn join_sides_constants_and_apply_once() -> Outcome {
    let imported = imported()?;
    let out = rule(imported, "Out to AD - Group Join")?;
    let condition = out.join.first().and_then(|g| g.first());
    assert_eq!(
        condition.map(|c| (c.source.as_str(), c.target.as_str(), c.case_sensitive)),
        Some(("sourceAnchorBinary", "objectGUID", false))
    );
    let inbound = rule(imported, "In from AD - Group Join")?;
    let condition = inbound.join.first().and_then(|g| g.first());
    assert_eq!(
        condition.map(|c| (c.source.as_str(), c.target.as_str())),
        Some(("objectGUID", "sourceAnchorBinary"))
    );
    let aad = rule(imported, "In from AAD - User Join")?;
    assert!(aad.join.iter().flatten().all(|c| c.case_sensitive));
    let user_join = rule(imported, "In from AD - User Join")?;
    assert_eq!(user_join.join.len(), 5, "five join groups, tried in order");
    let once: Vec<(&str, &FlowSource)> = imported
        .rules
        .iter()
        .flat_map(|r| &r.flows)
        .filter(|f| f.apply_once)
        .map(|f| (f.target.as_str(), &f.source))
        .collect();
    assert_eq!(
        once,
        [
            ("cloudCreated", &FlowSource::Constant("False".to_owned())),
            (
                "registeredOwnerReference",
                &FlowSource::Direct("mS-DS-CreatorSID".to_owned())
            ),
        ]
    );
    Ok(())
}

/// Exactly these things are dropped from the corpus, and each is said.
#[test]
fn warnings_name_what_is_dropped() -> Outcome {
    let warnings = &imported()?.warnings;
    let expected_tail = [
        "dropped `<id>` from 62 rules: rules are identified by name",
        "dropped `<internal-id>` from 62 rules: rules are identified by name",
        "dropped `<version>1</version>` from 62 rules: the rule's revision counter is not kept",
        "dropped `<precedence-after>{00000000-0000-0000-0000-000000000000}</precedence-after>` \
         from 62 rules: ordering hints are not kept; the explicit precedence is",
        "dropped `<precedence-before>{00000000-0000-0000-0000-000000000000}</precedence-before>` \
         from 62 rules: ordering hints are not kept; the explicit precedence is",
        "dropped `<softDeleteExpiryInterval>00:00:00</softDeleteExpiryInterval>` from 62 rules: \
         the rule model has no soft-delete interval",
        "dropped `<EnablePasswordSync>false</EnablePasswordSync>` from 60 rules: password hash \
         synchronization is not part of the rule model",
        "dropped `<EnablePasswordSync>true</EnablePasswordSync>` from rules `In from AD - User \
         AccountEnabled`, `Out to AAD - User Join`: password hash synchronization is not part of \
         the rule model",
    ];
    let [located, tail @ ..] = warnings.as_slice() else {
        return fail(format!("no warnings: {warnings:#?}"));
    };
    assert_eq!(tail, expected_tail, "{warnings:#?}");
    assert!(
        located.contains(
            "SynchronizationRule_{039dcc3a-1513-4c08-b296-0973691e644a}.xml:38:9: \
             rule `Out to AAD - Group Join`: flow to `member`: dropped source attribute `member`, \
             which the expression does not use"
        ),
        "{located}"
    );
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
    expected.extend(imported.schemas.iter().map(|(_, d)| d.clone()));
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
