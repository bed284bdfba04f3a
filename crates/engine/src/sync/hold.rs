//! The deletion window: a metaverse object whose last source object went away is held,
//! not deleted, for a while. An object joining it within the window (a user migrated to
//! another forest, its old anchor in mS-DS-ConsistencyGuid, the delete in one run and the
//! add in a later one) keeps its identity: the target objects are updated, never deleted
//! and added again. A held object keeps its attributes (so joins on them still find it)
//! and its target objects, and flows nothing; when the window ends without a join, the
//! first sync after it deletes the object as it would have been deleted at once.

use super::{SyncContext, SyncReport};
use crate::model::{MvId, State};

/// Holds `mv`, which nothing keeps alive any more, if the deletion window allows: true
/// when it is held (newly, or still within its window), false when it is to be deleted.
pub(super) fn holds(
    state: &mut State,
    ctx: &SyncContext<'_>,
    mv: MvId,
    report: &mut SyncReport,
) -> bool {
    let Some(window) = ctx.deletion_window else {
        state.held.remove(&mv);
        return false;
    };
    // A held object flows nothing: not even the outbound retry of its references.
    state.outbound_retry.remove(&mv);
    state.outbound_waits.remove(&mv);
    let since = match state.held.get(&mv) {
        Some(since) => *since,
        None => {
            state.held.insert(mv, ctx.now);
            report.held += 1;
            report.changed.meta = true;
            ctx.now
        }
    };
    if within(since, ctx, window) {
        true
    } else {
        state.held.remove(&mv);
        report.changed.meta = true;
        false
    }
}

/// The held objects whose window has ended (all of them when there is no window any
/// more) and that nothing joined: they leave the held list and are to be deleted. An
/// object joined again just leaves the list.
pub(super) fn expired(
    state: &mut State,
    ctx: &SyncContext<'_>,
    report: &mut SyncReport,
) -> Vec<MvId> {
    let ended: Vec<MvId> = state
        .held
        .iter()
        .filter(|(_, since)| ctx.deletion_window.is_none_or(|w| !within(**since, ctx, w)))
        .map(|(mv, _)| *mv)
        .collect();
    let mut out = Vec::with_capacity(ended.len());
    if !ended.is_empty() {
        report.changed.meta = true;
    }
    for mv in ended {
        // Not in memory: the working set could not read it; kept for the next sync rather
        // than forgotten with its target objects. (A deleted object leaves the list when
        // it is deleted.)
        let Some(m) = state.metaverse.objects.get(&mv) else {
            continue;
        };
        let unanchored = m.anchored_by.is_empty();
        state.held.remove(&mv);
        if unanchored {
            out.push(mv);
        }
    }
    out
}

/// True while `ctx.now` is less than `window` after `since`.
fn within(
    since: chrono::DateTime<chrono::Utc>,
    ctx: &SyncContext<'_>,
    window: std::time::Duration,
) -> bool {
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    since
        .checked_add_signed(window)
        .is_none_or(|end| ctx.now < end)
}
