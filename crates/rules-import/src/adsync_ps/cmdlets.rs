//! The cmdlets and their parameters, as the exported scripts and the ADSync module use
//! them (see the module documentation of [`super`] for the sources).

/// Whether a parameter takes a value or is a switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `-Name value`.
    Value,
    /// `-Name` (or `-Name:$false`).
    Switch,
}

/// A parameter.
#[derive(Clone, Copy, Debug)]
pub(super) struct Param {
    /// Its name as documented.
    pub name: &'static str,
    /// Value or switch.
    pub kind: Kind,
}

const fn v(name: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Value,
    }
}

const fn s(name: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Switch,
    }
}

/// What a cmdlet does here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Action {
    /// `New-ADSyncRule`.
    NewRule,
    /// `Add-ADSyncAttributeFlowMapping`.
    AddFlow,
    /// `Add-ADSyncScopeConditionGroup`.
    AddScopeGroup,
    /// `Add-ADSyncJoinConditionGroup`.
    AddJoinGroup,
    /// `Add-ADSyncRule`.
    AddRule,
    /// `New-Object` of a scope or join condition.
    NewObject,
    /// `Out-Null`.
    Discard,
    /// Read and not checked (`Get-ADSyncRule`, `Import-Module`).
    Ignored,
}

/// A cmdlet.
#[derive(Debug)]
pub(super) struct Cmdlet {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub action: Action,
    /// Its parameters, besides the common ones.
    pub params: &'static [Param],
    /// The parameters that take positional arguments, in order.
    pub positional: &'static [&'static str],
    /// The parameter that takes pipeline input.
    pub pipeline: Option<&'static str>,
    /// Whether the Rules Editor's export uses it (for help messages).
    pub exported: bool,
}

/// PowerShell's common parameters; only `-OutVariable` does anything here.
pub(super) const COMMON: &[Param] = &[
    v("OutVariable"),
    v("ErrorAction"),
    v("ErrorVariable"),
    v("WarningAction"),
    v("WarningVariable"),
    v("InformationAction"),
    v("InformationVariable"),
    v("OutBuffer"),
    v("PipelineVariable"),
    s("Verbose"),
    s("Debug"),
];

/// The full type names `New-Object` may create.
pub(super) const SCOPE_TYPE: &str =
    "Microsoft.IdentityManagement.PowerShell.ObjectModel.ScopeCondition";
/// See [`SCOPE_TYPE`].
pub(super) const JOIN_TYPE: &str =
    "Microsoft.IdentityManagement.PowerShell.ObjectModel.JoinCondition";

/// The cmdlets this importer knows.
pub(super) const CMDLETS: &[Cmdlet] = &[
    Cmdlet {
        name: "New-ADSyncRule",
        action: Action::NewRule,
        params: &[
            v("Name"),
            v("Identifier"),
            v("Description"),
            v("Direction"),
            v("Precedence"),
            v("PrecedenceAfter"),
            v("PrecedenceBefore"),
            v("SourceObjectType"),
            v("TargetObjectType"),
            v("Connector"),
            v("LinkType"),
            v("SoftDeleteExpiryInterval"),
            v("ImmutableTag"),
            s("EnablePasswordSync"),
            s("Disabled"),
        ],
        positional: &[],
        pipeline: None,
        exported: true,
    },
    Cmdlet {
        name: "Add-ADSyncAttributeFlowMapping",
        action: Action::AddFlow,
        params: &[
            v("SynchronizationRule"),
            v("Source"),
            v("Destination"),
            v("FlowType"),
            v("ValueMergeType"),
            v("Expression"),
            s("ExecuteOnce"),
        ],
        positional: &[],
        pipeline: Some("SynchronizationRule"),
        exported: true,
    },
    Cmdlet {
        name: "New-Object",
        action: Action::NewObject,
        params: &[v("TypeName"), v("ArgumentList")],
        positional: &["TypeName", "ArgumentList"],
        pipeline: None,
        exported: true,
    },
    Cmdlet {
        name: "Add-ADSyncScopeConditionGroup",
        action: Action::AddScopeGroup,
        params: &[v("SynchronizationRule"), v("ScopeConditions")],
        positional: &[],
        pipeline: Some("SynchronizationRule"),
        exported: true,
    },
    Cmdlet {
        name: "Add-ADSyncJoinConditionGroup",
        action: Action::AddJoinGroup,
        params: &[v("SynchronizationRule"), v("JoinConditions")],
        positional: &[],
        pipeline: Some("SynchronizationRule"),
        exported: true,
    },
    Cmdlet {
        name: "Add-ADSyncRule",
        action: Action::AddRule,
        params: &[v("SynchronizationRule")],
        positional: &[],
        pipeline: Some("SynchronizationRule"),
        exported: true,
    },
    Cmdlet {
        name: "Get-ADSyncRule",
        action: Action::Ignored,
        params: &[],
        positional: &[],
        pipeline: None,
        exported: true,
    },
    Cmdlet {
        name: "Import-Module",
        action: Action::Ignored,
        params: &[],
        positional: &[],
        pipeline: None,
        exported: false,
    },
    Cmdlet {
        name: "Out-Null",
        action: Action::Discard,
        params: &[v("InputObject")],
        positional: &["InputObject"],
        pipeline: Some("InputObject"),
        exported: false,
    },
];

/// The cmdlet named `name` (case-insensitively, as PowerShell does).
pub(super) fn find(name: &str) -> Option<&'static Cmdlet> {
    CMDLETS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}
