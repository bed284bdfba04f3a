//! Names, places and jobs the synthetic directory draws from.

/// Given names separated by spaces, some with letters beyond ASCII (their LDIF values are
/// base64).
pub(super) const GIVEN_NAMES: &str = "\
    James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara \
    Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa \
    Matthew Margaret Anthony Betty Mark Sandra Donald Ashley Steven Emily Paul Michelle \
    Andrew Amanda Joshua Melissa Kenji Yuki Hiroshi Aiko Wei Mei Raj Priya Arjun Ananya \
    Mohammed Fatima Omar Layla Olga Dmitri Ingrid Lars Sven Astrid Björn Søren José María \
    Zoë François Chloé Renée André Jürgen Łukasz Agnieszka Siobhán Seán Niamh Connor Aoife \
    Pablo Lucía Mateo Camila Thiago Ana João Beatriz Kwame Amara Chidi Ngozi Hannah Noah \
    Liam Emma Olivia Ava Sophia Isabella Mia Ethan Grace";

/// Surnames separated by spaces, some with letters beyond ASCII or an apostrophe.
pub(super) const SURNAMES: &str = "\
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez \
    Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson \
    White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott \
    Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter \
    Roberts Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann \
    Dubois Lefèvre Moreau Laurent Girard Tanaka Suzuki Takahashi Watanabe Yamamoto Sato Kim \
    Park Chen Wang Li Zhang Liu Patel Sharma Singh Kumar Gupta O'Brien O'Connor Murphy \
    Kelly Walsh Kowalski Nowak Wiśniewski Andersson Johansson Nilsson Eriksson Larsen \
    Jensen Ivanov Silva Santos Oliveira Núñez Peña Ibáñez";

/// A site: its OU name, city (`l`), country code (`c`), country (`co`) and phone prefix.
#[derive(Debug)]
pub(super) struct Site {
    pub ou: &'static str,
    pub city: &'static str,
    pub c: &'static str,
    pub co: &'static str,
    pub phone: &'static str,
}

/// The sites users are spread over, one OU each under `OU=Employees,OU=Corp`.
pub(super) const SITES: &[Site] = &[
    Site {
        ou: "Seattle",
        city: "Seattle",
        c: "US",
        co: "United States",
        phone: "+1 206 555",
    },
    Site {
        ou: "London",
        city: "London",
        c: "GB",
        co: "United Kingdom",
        phone: "+44 20 7946",
    },
    Site {
        ou: "Munich",
        city: "München",
        c: "DE",
        co: "Germany",
        phone: "+49 89 3176",
    },
    Site {
        ou: "Tokyo",
        city: "Tokyo",
        c: "JP",
        co: "Japan",
        phone: "+81 3 5555",
    },
    Site {
        ou: "São Paulo",
        city: "São Paulo",
        c: "BR",
        co: "Brazil",
        phone: "+55 11 4555",
    },
    Site {
        ou: "Bangalore",
        city: "Bengaluru",
        c: "IN",
        co: "India",
        phone: "+91 80 4555",
    },
];

/// The site used should [`SITES`] be empty.
pub(super) const SITES_FALLBACK: Site = Site {
    ou: "Seattle",
    city: "Seattle",
    c: "US",
    co: "United States",
    phone: "+1 206 555",
};

/// Departments and the short codes group names use.
pub(super) const DEPARTMENTS: &[(&str, &str)] = &[
    ("Sales", "SALES"),
    ("Marketing", "MKT"),
    ("Engineering", "ENG"),
    ("Finance", "FIN"),
    ("Human Resources", "HR"),
    ("Legal", "LEGAL"),
    ("Operations", "OPS"),
    ("Customer Support", "SUP"),
    ("IT", "IT"),
    ("Research & Development", "RND"),
    ("Procurement", "PROC"),
    ("Facilities", "FAC"),
];

/// Job titles.
pub(super) const TITLES: &[&str] = &[
    "Associate",
    "Specialist",
    "Senior Specialist",
    "Analyst",
    "Senior Analyst",
    "Engineer",
    "Senior Engineer",
    "Principal Engineer",
    "Coordinator",
    "Consultant",
    "Team Lead",
    "Manager",
    "Senior Manager",
    "Director",
    "Vice President",
    "Account Executive",
    "Program Manager",
    "Administrator",
];

/// What security groups grant.
pub(super) const GROUP_ROLES: &[&str] = &[
    "Readers",
    "Contributors",
    "Owners",
    "Admins",
    "VPN",
    "WiFi",
    "License-E3",
    "License-E5",
    "App-Access",
    "FileShare",
];

/// What distribution lists are about.
pub(super) const LIST_TOPICS: &[&str] = &[
    "All",
    "Announcements",
    "Managers",
    "Social",
    "Projects",
    "Newsletter",
    "On-Call",
];

/// Letters folded to ASCII and lowercased for account names and addresses; characters that
/// are not letters or digits are dropped (`O'Brien` gives `obrien`).
pub(super) fn ascii_fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ł' => "l",
            'ś' => "s",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => continue,
        };
        out.push_str(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_folds_to_something() {
        for name in GIVEN_NAMES
            .split_whitespace()
            .chain(SURNAMES.split_whitespace())
        {
            let folded = ascii_fold(name);
            assert!(!folded.is_empty() && folded.is_ascii(), "{name}");
        }
        assert_eq!(ascii_fold("Łukasz"), "lukasz");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Wiśniewski"), "wisniewski");
        assert_eq!(ascii_fold("Søren"), "soren");
    }
}
