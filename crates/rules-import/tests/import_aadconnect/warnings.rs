//! The warnings of the import: exactly what is dropped from the corpus, each said.

use super::{Outcome, fail, imported};

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
