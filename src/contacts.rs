//! Known contacts: addresses and whole domains whose mail is never screened.

use std::collections::HashSet;

/// A set of lowercase addresses and `@domain` entries.
#[derive(Debug, Clone, Default)]
pub struct Contacts {
    addresses: HashSet<String>,
    domains: HashSet<String>,
}

impl Contacts {
    /// Builds the set from config entries: "ann@x.example" or "@x.example".
    /// Entries are trimmed and lowercased; empty ones are ignored.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>) -> Self {
        let mut contacts = Contacts::default();
        for entry in entries {
            contacts.add(entry);
        }
        contacts
    }

    pub fn add(&mut self, entry: &str) {
        let entry = entry.trim().to_ascii_lowercase();
        if let Some(domain) = entry.strip_prefix('@') {
            if !domain.is_empty() {
                self.domains.insert(domain.to_string());
            }
        } else if !entry.is_empty() {
            self.addresses.insert(entry);
        }
    }

    /// True when `address` is listed, or its domain is.
    pub fn contains(&self, address: &str) -> bool {
        let address = address.trim().to_ascii_lowercase();
        if self.addresses.contains(&address) {
            return true;
        }
        match address.rsplit_once('@') {
            Some((_, domain)) => self.domains.contains(domain),
            None => false,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.domains.is_empty()
    }

    pub fn len(&self) -> usize {
        self.addresses.len() + self.domains.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Contacts;

    #[test]
    fn addresses_and_domains_match_case_insensitively() {
        let c = Contacts::new(["Tom.Reilly@Harborline.example", "@bergstrom.example", " ", "@"]);
        assert!(c.contains("tom.reilly@harborline.example"));
        assert!(c.contains("MARIA@bergstrom.example"));
        assert!(!c.contains("tom@harborline.example"));
        assert!(!c.contains("x@sub.bergstrom.example"));
        assert!(!c.contains("bergstrom.example"));
        assert_eq!(c.len(), 2);
    }
}
