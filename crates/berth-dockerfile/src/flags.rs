//! Instruction flags, read as BuildKit's `BFlags` reads them.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    String,
    Strings,
}

/// The flags one instruction accepts, and what was given.
pub(crate) struct Flags<'a> {
    args: &'a [String],
    known: Vec<(&'static str, Kind)>,
    /// Values in the order given (for Strings every value, for the others the last).
    pub used: BTreeMap<&'static str, Vec<String>>,
    pub order: Vec<(String, String)>,
}

impl<'a> Flags<'a> {
    pub(crate) fn new(args: &'a [String]) -> Flags<'a> {
        Flags {
            args,
            known: Vec::new(),
            used: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, name: &'static str, kind: Kind) {
        self.known.push((name, kind));
    }

    /// BuildKit's `BFlags.Parse`.
    pub(crate) fn parse(&mut self) -> Result<(), String> {
        for arg in self.args {
            if arg == "--" {
                return Ok(());
            }
            let Some(stripped) = arg.strip_prefix("--") else {
                return Err(format!("arg should start with -- : {arg}"));
            };
            let (name, value) = match stripped.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (stripped, None),
            };
            let flag_name = format!("--{name}");
            let Some(&(known, kind)) = self.known.iter().find(|(k, _)| *k == name) else {
                let message = format!("unknown flag: {flag_name}");
                let names: Vec<&str> = self.known.iter().map(|(k, _)| *k).collect();
                return Err(crate::suggest::wrap(message, name, &names, true));
            };
            if self.used.contains_key(known) && kind != Kind::Strings {
                return Err(format!("duplicate flag specified: {flag_name}"));
            }
            let value = match kind {
                Kind::Bool => {
                    if value == Some("") {
                        return Err(format!("missing a value on flag: {flag_name}"));
                    }
                    match value.map(str::to_ascii_lowercase).as_deref() {
                        None | Some("true") => "true".to_owned(),
                        Some("false") => "false".to_owned(),
                        Some(_) => {
                            return Err(format!(
                                "expecting boolean value for flag {flag_name}, not: {}",
                                value.unwrap_or_default()
                            ))
                        }
                    }
                }
                Kind::String | Kind::Strings => match value {
                    Some(value) => value.to_owned(),
                    None => return Err(format!("missing a value on flag: {flag_name}")),
                },
            };
            self.order.push((known.to_owned(), value.clone()));
            let values = self.used.entry(known).or_default();
            if kind != Kind::Strings {
                values.clear();
            }
            values.push(value);
        }
        Ok(())
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.used
            .get(name)
            .and_then(|values| values.last().cloned())
    }

    pub(crate) fn strings(&self, name: &str) -> Vec<String> {
        self.used.get(name).cloned().unwrap_or_default()
    }

    pub(crate) fn bool(&self, name: &str) -> Option<bool> {
        self.string(name).map(|value| value == "true")
    }
}
