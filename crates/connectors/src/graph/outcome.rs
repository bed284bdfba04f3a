//! What a write's answer means for its change: the failure class of a refusal, and the
//! answers that count as done (an existing member added, a missing one removed).

use serde_json::{Value as Json, json};
use syncrules_connector::FailureClass;

use super::batch::{Call, Outcome, What};
use super::client::Answer;
use super::export::Progress;

/// The failure class of a refused write.
pub(crate) fn classify(a: &Answer) -> FailureClass {
    let conflict = a
        .body
        .pointer("/error/details")
        .and_then(Json::as_array)
        .is_some_and(|d| {
            d.iter()
                .any(|x| x.get("code") == Some(&json!("ObjectConflict")))
        });
    let message = a.message();
    match a.status {
        400 if conflict => FailureClass::DuplicateAttribute,
        400 if message.contains("on-premises mastered") => FailureClass::Refused,
        400 => FailureClass::InvalidValue,
        401 | 403 => FailureClass::Refused,
        404 => FailureClass::NoSuchObject,
        _ => FailureClass::Other,
    }
}

/// A create, update or delete of an object (not a reference).
pub(crate) fn is_object(what: &What) -> bool {
    matches!(what, What::Create | What::Patch | What::Delete)
}

/// The answer to an update sent after a conflict was resolved.
pub(crate) fn followup_done(p: &mut Progress, outcome: Outcome) {
    match outcome {
        Err(e) => p.retry = Some(e.to_string()),
        Ok(a) if a.ok() => {}
        Ok(a) if a.transient() => p.retry = Some(a.message()),
        Ok(a) => p.fail(classify(&a), a.message()),
    }
}

/// A reference write's answer: an existing member or owner added, a missing one removed,
/// or a missing manager removed is done.
pub(crate) fn ref_done(p: &mut Progress, call: &Call, outcome: Outcome) {
    let a = match outcome {
        Err(e) => {
            p.retry = Some(e.to_string());
            return;
        }
        Ok(a) => a,
    };
    let already = a.status == 400 && a.message().contains("already exist");
    let missing = a.status == 404
        && matches!(
            call.what,
            What::RemoveMember | What::RemoveManager | What::RemoveOwner
        );
    if a.ok() || already || missing {
        return;
    }
    if a.transient() {
        p.retry = Some(a.message());
    } else {
        p.fail(classify(&a), a.message());
    }
}
