//! The domains `syncrules gen` names its forests after: one single-domain forest each.

/// One forest's (single) domain: its names and the mail domains its users' addresses use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Domain {
    /// The company's short name, in descriptions (`Contoso`).
    pub name: &'static str,
    /// The first label of the DNS name, the domain object's `dc` (`contoso`).
    pub label: &'static str,
    /// The DNS name: the suffix of `userPrincipalName` and primary SMTP addresses.
    pub fqdn: &'static str,
    /// The NetBIOS name (`CONTOSO`).
    pub netbios: &'static str,
    /// The users' `company`.
    pub company: &'static str,
    /// The domain of some users' secondary `smtp:` addresses (an earlier company name).
    pub alias_domain: &'static str,
}

impl Domain {
    /// The domain's DN: `DC=<label>,DC=<tld>`.
    pub fn dn(&self) -> String {
        self.fqdn
            .split('.')
            .map(|part| format!("DC={part}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The `index`th (0-based) forest's domain; `None` beyond [`MAX_FORESTS`].
    pub fn nth(index: usize) -> Option<&'static Domain> {
        DOMAINS.get(index)
    }
}

/// How many forests `syncrules gen` can name.
pub const MAX_FORESTS: usize = DOMAINS.len();

const fn domain(
    name: &'static str,
    label: &'static str,
    fqdn: &'static str,
    netbios: &'static str,
    company: &'static str,
    alias_domain: &'static str,
) -> Domain {
    Domain {
        name,
        label,
        fqdn,
        netbios,
        company,
        alias_domain,
    }
}

/// The first forest's domain, the one-forest directory's.
pub const CONTOSO: Domain = domain(
    "Contoso",
    "contoso",
    "contoso.com",
    "CONTOSO",
    "Contoso Ltd.",
    "fabrikam.com",
);

/// Microsoft's example companies, Contoso first.
const DOMAINS: [Domain; 10] = [
    CONTOSO,
    domain(
        "Fabrikam",
        "fabrikam",
        "fabrikam.com",
        "FABRIKAM",
        "Fabrikam, Inc.",
        "fabrikam.net",
    ),
    domain(
        "Tailspin Toys",
        "tailspintoys",
        "tailspintoys.com",
        "TAILSPIN",
        "Tailspin Toys",
        "tailspintoys.net",
    ),
    domain(
        "Wingtip Toys",
        "wingtiptoys",
        "wingtiptoys.com",
        "WINGTIP",
        "Wingtip Toys",
        "wingtiptoys.net",
    ),
    domain(
        "Northwind Traders",
        "northwindtraders",
        "northwindtraders.com",
        "NORTHWIND",
        "Northwind Traders",
        "northwindtraders.net",
    ),
    domain(
        "Adventure Works",
        "adventure-works",
        "adventure-works.com",
        "ADVWORKS",
        "Adventure Works Cycles",
        "adventure-works.net",
    ),
    domain(
        "Litware",
        "litwareinc",
        "litwareinc.com",
        "LITWARE",
        "Litware, Inc.",
        "litwareinc.net",
    ),
    domain(
        "Woodgrove Bank",
        "woodgrovebank",
        "woodgrovebank.com",
        "WOODGROVE",
        "Woodgrove Bank",
        "woodgrovebank.net",
    ),
    domain(
        "Proseware",
        "proseware",
        "proseware.com",
        "PROSEWARE",
        "Proseware, Inc.",
        "proseware.net",
    ),
    domain(
        "Fourth Coffee",
        "fourthcoffee",
        "fourthcoffee.com",
        "FOURTHCOFFEE",
        "Fourth Coffee",
        "fourthcoffee.net",
    ),
];
