//! Which variables an instruction sees, as BuildKit's dispatcher decides it.
//!
//! - Global ARGs (before the first FROM) see the predefined platform ARGs and each other; they
//!   are what FROM's image and `--platform` expand with. Inside a stage they are invisible until
//!   the stage redeclares them (`ARG NAME` without a value takes the global value).
//! - Inside a stage, expansion sees one environment: the base image's ENV, then every ENV and
//!   ARG of the stage in order, the last one written winning.
//! - The predefined proxy ARGs are not variables for expansion (unless declared); the builder
//!   passes them to RUN.

use std::collections::BTreeMap;

use crate::instruction::{ArgDefinition, Instruction};
use crate::shell::Lexer;
use crate::{Dockerfile, Error};

/// The proxy build args Docker and BuildKit accept without an ARG instruction (any case).
pub const PROXY_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// An OS/architecture/variant triple, as `--platform` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    /// containerd's `platforms.Format`: `os/arch[/variant]`.
    pub fn format(&self) -> String {
        match &self.variant {
            Some(variant) if !variant.is_empty() => {
                format!("{}/{}/{variant}", self.os, self.architecture)
            }
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }
}

/// BuildKit's `defaultArgs`: BUILDPLATFORM, BUILDOS, BUILDOSVERSION, BUILDARCH, BUILDVARIANT,
/// TARGETPLATFORM, TARGETOS, TARGETOSVERSION, TARGETARCH, TARGETVARIANT and TARGETSTAGE
/// (`default` when no target is given); a build arg of the same name overrides each.
pub fn predefined_args(
    build: &Platform,
    target: &Platform,
    target_stage: Option<&str>,
    build_args: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let variant = |p: &Platform| p.variant.clone().unwrap_or_default();
    let pairs = [
        ("BUILDPLATFORM", build.format()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", build.architecture.clone()),
        ("BUILDVARIANT", variant(build)),
        ("TARGETPLATFORM", target.format()),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", variant(target)),
        ("TARGETSTAGE", target_stage.unwrap_or("default").to_owned()),
    ];
    pairs
        .into_iter()
        .map(|(key, value)| {
            let value = build_args.get(key).cloned().unwrap_or(value);
            (key.to_owned(), value)
        })
        .collect()
}

/// The variables of one scope: the global one (before the first FROM) or a stage's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// In order; a later pair of the same name wins.
    pub vars: Vec<(String, String)>,
}

impl Scope {
    /// The global scope: the predefined ARGs, then the global ARGs (BuildKit's
    /// `buildMetaArgs`): a build arg's value wins over the default, which is expanded with
    /// what came before.
    pub fn global(
        dockerfile: &Dockerfile,
        predefined: Vec<(String, String)>,
        build_args: &BTreeMap<String, String>,
    ) -> Result<Scope, Error> {
        let lexer = Lexer::new(dockerfile.directives.escape);
        let mut scope = Scope { vars: predefined };
        for definition in dockerfile.global_args() {
            let value = match build_args.get(&definition.key) {
                Some(value) => Some(value.clone()),
                None => match &definition.value {
                    Some(default) => Some(lexer.word(default, &scope.vars)?),
                    None => None,
                },
            };
            if let Some(value) = value {
                scope.set(&definition.key, value);
            }
        }
        Ok(scope)
    }

    /// A stage's scope at its start: the base image's environment.
    pub fn stage(base_env: &[String]) -> Scope {
        let vars = base_env
            .iter()
            .map(|entry| match entry.split_once('=') {
                Some((key, value)) => (key.to_owned(), value.to_owned()),
                None => (entry.clone(), String::new()),
            })
            .collect();
        Scope { vars }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        crate::Vars::var(&self.vars, name)
    }

    /// Sets `name` (ENV, or an ARG with a value).
    pub fn set(&mut self, name: &str, value: String) {
        self.vars.retain(|(key, _)| key != name);
        self.vars.push((name.to_owned(), value));
    }

    /// An ARG inside a stage (BuildKit's `dispatchArg`): the build arg's value, else the
    /// default expanded in this scope, else the global ARG's value. Returns the value it set.
    pub fn declare_arg(
        &mut self,
        lexer: &Lexer,
        definition: &ArgDefinition,
        build_args: &BTreeMap<String, String>,
        global: &Scope,
    ) -> Result<Option<String>, Error> {
        let value = if let Some(value) = build_args.get(&definition.key) {
            Some(value.clone())
        } else if let Some(default) = &definition.value {
            Some(lexer.word(default, &self.vars)?)
        } else {
            global.get(&definition.key).map(str::to_owned)
        };
        if let Some(value) = &value {
            self.set(&definition.key, value.clone());
        }
        Ok(value)
    }

    /// Applies an ENV or ARG instruction that has already been expanded (other instructions
    /// leave the scope as it is).
    pub fn apply(
        &mut self,
        lexer: &Lexer,
        instruction: &Instruction,
        build_args: &BTreeMap<String, String>,
        global: &Scope,
    ) -> Result<(), Error> {
        match instruction {
            Instruction::Env(pairs) => {
                for pair in pairs {
                    self.set(&pair.key, pair.value.clone());
                }
            }
            Instruction::Arg(definitions) => {
                for definition in definitions {
                    self.declare_arg(lexer, definition, build_args, global)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
