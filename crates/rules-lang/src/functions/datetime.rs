//! PLACEHOLDER: filled by a helper.

use super::Builtin;

pub(super) const BUILTINS: &[Builtin] = &[];
