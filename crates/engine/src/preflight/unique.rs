//! Uniqueness: the values that must be unique, spilled as objects are checked and
//! compared when the check finishes.

use super::spill::{Held, Spill};
use super::{Code, Finding, Preflight, PreflightError, SPACES, UNIQUE_ATTRIBUTES};

impl Preflight {
    /// Records a unique value of the object `who` (its connector and DN), spilled with the
    /// object's index (given on its first value) for [`Preflight::finish`] to compare.
    pub(super) fn unique(
        &mut self,
        index: &mut Option<u32>,
        who: (&str, &str),
        space: &'static str,
        attr: &'static str,
        value: &str,
        key: &str,
    ) {
        if key.trim().is_empty() || self.error.is_some() {
            return;
        }
        if let Err(e) = self.spill_value(index, who, space, attr, value, key) {
            self.error = Some(e);
        }
    }

    fn spill_value(
        &mut self,
        index: &mut Option<u32>,
        (connector, dn): (&str, &str),
        space: &'static str,
        attr: &'static str,
        value: &str,
        key: &str,
    ) -> std::io::Result<()> {
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => self.spill.insert(Spill::new()?),
        };
        let object = match *index {
            Some(i) => i,
            None => {
                let c = match self.connectors.iter().position(|c| c == connector) {
                    Some(c) => c,
                    None => {
                        self.connectors.push(connector.to_owned());
                        self.connectors.len() - 1
                    }
                };
                let i = spill.object(u32::try_from(c).unwrap_or(u32::MAX), dn)?;
                *index = Some(i);
                i
            }
        };
        let position = |list: &[&str], name: &str| {
            list.iter()
                .position(|s| *s == name)
                .and_then(|p| u8::try_from(p).ok())
                .unwrap_or(u8::MAX)
        };
        spill.value(
            position(SPACES, space),
            position(UNIQUE_ATTRIBUTES, attr),
            object,
            key,
            value,
        )
    }

    /// The findings: per value in the order found, then the duplicates in the order their
    /// second holder was seen, each first holder just before its first duplicate.
    pub fn finish(mut self) -> Result<Vec<Finding>, PreflightError> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        let Some(spill) = self.spill.take() else {
            return Ok(self.findings);
        };
        // Per key held by more than one object: its first holding and the others'.
        let mut groups: Vec<(Held, Vec<Held>)> = Vec::new();
        let mut objects = spill.finish(|held| {
            let mut rest = held.into_iter().peekable();
            while let Some(first) = rest.next() {
                let mut others = Vec::new();
                while let Some(next) =
                    rest.next_if(|h| h.space == first.space && h.key == first.key)
                {
                    if next.object != first.object {
                        others.push(next);
                    }
                }
                if !others.is_empty() {
                    groups.push((first, others));
                }
            }
            Ok(())
        })?;
        let mut duplicates: Vec<((u64, u8), Finding)> = Vec::new();
        let attribute = |h: &Held| {
            UNIQUE_ATTRIBUTES
                .get(usize::from(h.attribute))
                .copied()
                .unwrap_or_default()
        };
        for (first, others) in groups {
            let (fc, fdn) = objects.get(first.object)?;
            let fc = self.connector(fc);
            let fix = |attr: &str, other: &str| {
                format!(
                    "keep {} on one object only: remove or change {attr} here or on {other}",
                    first.key
                )
            };
            for (n, other) in others.iter().enumerate() {
                let (c, dn) = objects.get(other.object)?;
                let c = self.connector(c);
                if n == 0 {
                    duplicates.push((
                        (other.seq, 0),
                        Finding {
                            connector: fc.clone(),
                            dn: fdn.clone(),
                            attribute: attribute(&first).to_owned(),
                            value: first.value.clone(),
                            code: Code::Duplicate,
                            error: true,
                            message: format!(
                                "{dn} ({c}) holds the same value in {}",
                                attribute(other)
                            ),
                            fix: fix(attribute(&first), &dn),
                        },
                    ));
                }
                duplicates.push((
                    (other.seq, 1),
                    Finding {
                        connector: c,
                        dn,
                        attribute: attribute(other).to_owned(),
                        value: other.value.clone(),
                        code: Code::Duplicate,
                        error: true,
                        message: format!(
                            "{fdn} ({fc}) holds the same value in {}",
                            attribute(&first)
                        ),
                        fix: fix(attribute(other), &fdn),
                    },
                ));
            }
        }
        duplicates.sort_by_key(|(order, _)| *order);
        self.findings
            .extend(duplicates.into_iter().map(|(_, finding)| finding));
        Ok(self.findings)
    }

    fn connector(&self, index: u32) -> String {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.connectors.get(i))
            .cloned()
            .unwrap_or_default()
    }
}
