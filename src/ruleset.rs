//! A rule set loaded, checked and compiled: what a session runs.

use std::path::{Path, PathBuf};

use crate::Error;
use crate::config::SyncConfig;
use crate::lang::rules::{Plan, Report, RuleSet, lint, load_rule_set};

/// Rules that load and check, with their compiled plan.
#[derive(Debug)]
pub struct Rules {
    set: RuleSet,
    plan: Plan,
    report: Report,
}

impl Rules {
    /// Loads rule files or folders (every `*.yaml` below a folder), checks them as
    /// `syncrules check` does and compiles the plan; an error carries every finding.
    ///
    /// ```
    /// let rules = syncrules::Rules::load(&["rules"]).expect("the default rules check");
    /// assert!(!rules.plan().fingerprint.is_empty());
    /// ```
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Rules, Error> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_owned()).collect();
        let (rules, report) = Rules::check(&paths, false);
        rules.ok_or_else(|| Error::Rules(Box::new(report)))
    }

    /// Loads the rule set of a configuration as a run uses it: its `rules` folder, the
    /// templates instantiated for its connectors (`rules:` and `parameters:` in
    /// `sync.yaml`) and its `user-matching` applied; checks and compiles it as
    /// [`Rules::load`] does. Errors about `sync.yaml` are among the findings.
    ///
    /// ```
    /// let config = syncrules::SyncConfig::load("examples/contoso/sync.yaml".as_ref())?;
    /// let rules = syncrules::Rules::from_config(&config)?;
    /// assert!(rules.set().rules.iter().any(|r| r.connector == "contoso.com"));
    /// # Ok::<(), syncrules::Error>(())
    /// ```
    pub fn from_config(config: &SyncConfig) -> Result<Rules, Error> {
        Rules::load_for(config, &[] as &[&Path])
    }

    /// [`Rules::from_config`] with other rule files or folders than the configuration's
    /// (a rule set under review), instantiated for its connectors.
    pub fn load_for<P: AsRef<Path>>(config: &SyncConfig, paths: &[P]) -> Result<Rules, Error> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_owned()).collect();
        let mut report = Report::default();
        let set = config.load_rule_set(&paths, &mut report);
        Rules::from_loaded(set, report)
    }

    /// Checks a rule set already loaded ([`load_rule_set`], its findings in `report`) as
    /// [`Rules::load`] does.
    pub fn from_loaded(set: RuleSet, report: Report) -> Result<Rules, Error> {
        match Rules::checked(set, report, false, |_, _, _| {}) {
            (set, Some(plan), report) if report.errors() == 0 => Ok(Rules { set, plan, report }),
            (_, _, report) => Err(Error::Rules(Box::new(report))),
        }
    }

    /// Plans and lints a loaded rule set, then `extra` adds findings when a plan was built
    /// (the CLI's findings about a configuration); with `deny_warnings` a warning is an
    /// error. The plan is returned even when the report has errors.
    pub fn checked(
        set: RuleSet,
        mut report: Report,
        deny_warnings: bool,
        extra: impl FnOnce(&RuleSet, &Plan, &mut Report),
    ) -> (RuleSet, Option<Plan>, Report) {
        let plan = Plan::build(&set, &mut report);
        if let Some(plan) = &plan {
            lint::lint(&set, plan, &mut report);
            extra(&set, plan, &mut report);
        }
        if deny_warnings {
            report.deny_warnings();
        }
        report.sort();
        (set, plan, report)
    }

    /// Loads and checks as [`Rules::load`] does, returning the findings either way (the
    /// warnings of rules that check too); with `deny_warnings` a warning fails the check.
    pub fn check(paths: &[PathBuf], deny_warnings: bool) -> (Option<Rules>, Report) {
        let mut report = Report::default();
        let set = load_rule_set(paths, &mut report);
        match Rules::checked(set, report, deny_warnings, |_, _, _| {}) {
            (set, Some(plan), report) if report.errors() == 0 => {
                let rules = Rules {
                    set,
                    plan,
                    report: report.clone(),
                };
                (Some(rules), report)
            }
            (_, _, report) => (None, report),
        }
    }

    /// The compiled plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The rules as loaded.
    pub fn set(&self) -> &RuleSet {
        &self.set
    }

    /// The findings of the check (warnings only: rules with errors do not load).
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The plan, taking it.
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}
