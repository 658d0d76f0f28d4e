//! A parsed Dockerfile: the global ARGs and the stages.

use crate::instruction::{ArgDefinition, From, Instruction, Located};
use crate::{convert, parser, Directives, Error, Lines, Warning};

/// A Dockerfile, parsed and checked, not yet expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Directives,
    /// The ARG instructions before the first FROM (the global, or meta, ARGs).
    pub meta_args: Vec<Located>,
    pub stages: Vec<Stage>,
    pub warnings: Vec<Warning>,
}

/// One build stage: a FROM and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub from: From,
    /// The FROM line.
    pub lines: Lines,
    /// The FROM instruction as written.
    pub original: String,
    /// The instructions after FROM, in order.
    pub instructions: Vec<Located>,
}

impl Stage {
    /// The stage's name (`AS name`, lower case), if it has one.
    pub fn name(&self) -> Option<&str> {
        self.from.name.as_deref()
    }
}

impl Dockerfile {
    /// The stage called `name` (case-insensitive, as BuildKit), or the stage at that index
    /// when `name` is a number (as `COPY --from=0`).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stage_index(name).map(|index| &self.stages[index])
    }

    /// The index of the stage called `name`, or of index `name`.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        if let Some(index) = self
            .stages
            .iter()
            .position(|stage| stage.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        {
            return Some(index);
        }
        name.parse::<usize>()
            .ok()
            .filter(|index| *index < self.stages.len())
    }

    /// The global ARG definitions, in order.
    pub fn global_args(&self) -> impl Iterator<Item = &ArgDefinition> {
        self.meta_args
            .iter()
            .flat_map(|located| match &located.instruction {
                Instruction::Arg(definitions) => definitions.as_slice(),
                _ => &[],
            })
    }
}

/// Parses instructions that stand alone, not grouped in stages: the ONBUILD triggers of a base
/// image, which BuildKit reads with the same parser (`parser.Parse` of the triggers joined by
/// newlines).
pub fn parse_instructions(text: &str) -> Result<Vec<Located>, Error> {
    let parsed = parser::parse(text)?;
    parsed
        .nodes
        .iter()
        .map(|node| {
            convert::instruction(node).map_err(|message| Error::Instruction {
                lines: node.lines,
                message,
            })
        })
        .collect()
}

/// Parses a Dockerfile as BuildKit does (`parser.Parse`, then `instructions.Parse`).
pub fn parse(text: &str) -> Result<Dockerfile, Error> {
    let parsed = parser::parse(text)?;
    let mut meta_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    for node in &parsed.nodes {
        let located = convert::instruction(node).map_err(|message| Error::Instruction {
            lines: node.lines,
            message,
        })?;
        match located.instruction {
            Instruction::Arg(_) if stages.is_empty() => meta_args.push(located),
            Instruction::From(from) => stages.push(Stage {
                from,
                lines: located.lines,
                original: located.original,
                instructions: Vec::new(),
            }),
            _ => match stages.last_mut() {
                Some(stage) => stage.instructions.push(located),
                None => return Err(Error::NoStage { lines: node.lines }),
            },
        }
    }
    Ok(Dockerfile {
        directives: parsed.directives,
        meta_args,
        stages,
        warnings: parsed.warnings,
    })
}
