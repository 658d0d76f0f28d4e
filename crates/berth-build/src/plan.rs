//! Which stages a build runs, and in which order (BuildKit's dispatch-state graph).
//!
//! The target stage (`--target`, else the last) and, transitively, every stage it needs: the
//! stage its FROM names, and the stages its `COPY --from` names. Stages nothing needs are not
//! built. FROM is expanded with the global scope before it is looked up, as BuildKit does;
//! `--from` is taken as written (the Dockerfile crate refuses a `--from` with variables). A name
//! that is no stage is an image: `scratch`, or a reference to resolve in the store or pull.

use berth_dockerfile::{Dockerfile, Instruction, Lexer, Lines, Scope};

use crate::error::{Error, Result};

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`: an empty filesystem and config.
    Scratch,
    /// `FROM name` where `name` is an earlier (or any) stage of this Dockerfile.
    Stage(usize),
    /// An image reference, expanded, as written (normalized later).
    Image(String),
}

/// Where a `COPY --from` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopySource {
    Stage(usize),
    Image(String),
}

/// One stage of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStage {
    /// The stage's index in the Dockerfile.
    pub index: usize,
    pub base: Base,
    /// The `COPY --from` sources of the stage, in instruction order (one per instruction that has
    /// a `--from`, so `copy_sources[k]` belongs to the k-th such COPY).
    pub copy_sources: Vec<CopySource>,
}

impl PlannedStage {
    /// The stages this one needs built first.
    pub fn needs(&self) -> impl Iterator<Item = usize> + '_ {
        let base = match self.base {
            Base::Stage(index) => Some(index),
            _ => None,
        };
        base.into_iter()
            .chain(self.copy_sources.iter().filter_map(|source| match source {
                CopySource::Stage(index) => Some(*index),
                CopySource::Image(_) => None,
            }))
    }
}

/// The stages to run, dependencies before the stages that need them; the target is last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub stages: Vec<PlannedStage>,
}

impl Plan {
    /// The target stage.
    pub fn target(&self) -> &PlannedStage {
        self.stages.last().expect("a plan has a target stage")
    }

    /// The planned stage for Dockerfile stage `index`, if the plan runs it.
    pub fn stage(&self, index: usize) -> Option<&PlannedStage> {
        self.stages.iter().find(|stage| stage.index == index)
    }

    /// Every image the plan reads (FROM images and `COPY --from` images), each once, in order:
    /// what the caller resolves in the store or pulls before the build starts.
    pub fn images(&self) -> Vec<&str> {
        let mut images: Vec<&str> = Vec::new();
        for stage in &self.stages {
            let base = match &stage.base {
                Base::Image(image) => Some(image.as_str()),
                _ => None,
            };
            let copies = stage.copy_sources.iter().filter_map(|source| match source {
                CopySource::Image(image) => Some(image.as_str()),
                CopySource::Stage(_) => None,
            });
            for image in base.into_iter().chain(copies) {
                if !images.contains(&image) {
                    images.push(image);
                }
            }
        }
        images
    }
}

/// Plans the build of `target` (a stage name, case-insensitive; the last stage when `None`).
/// `global` is the global scope (predefined and global ARGs), with which FROM is expanded.
pub fn plan(dockerfile: &Dockerfile, global: &Scope, target: Option<&str>) -> Result<Plan> {
    if dockerfile.stages.is_empty() {
        return Err(Error::Empty);
    }
    let target = match target {
        Some(name) => dockerfile
            .stages
            .iter()
            .position(|stage| stage.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .ok_or_else(|| Error::NoTarget(name.to_owned()))?,
        None => dockerfile.stages.len() - 1,
    };
    let lexer = Lexer::new(dockerfile.directives.escape);
    let mut all = Vec::with_capacity(dockerfile.stages.len());
    for (index, stage) in dockerfile.stages.iter().enumerate() {
        let image = lexer.word(&stage.from.image, &global.vars)?;
        let base = if image.eq_ignore_ascii_case("scratch") {
            Base::Scratch
        } else {
            match by_name(dockerfile, &image) {
                Some(base) => Base::Stage(base),
                None => Base::Image(image),
            }
        };
        let copy_sources = stage
            .instructions
            .iter()
            .filter_map(|located| match &located.instruction {
                Instruction::Copy(copy) => copy.from.as_deref(),
                _ => None,
            })
            .map(|from| match dockerfile.stage_index(from) {
                Some(stage) => CopySource::Stage(stage),
                None => CopySource::Image(from.to_owned()),
            })
            .collect();
        all.push(PlannedStage {
            index,
            base,
            copy_sources,
        });
    }
    let mut order = Vec::new();
    let mut state = vec![Visit::New; all.len()];
    visit(dockerfile, &all, target, &mut state, &mut order)?;
    Ok(Plan {
        stages: order.into_iter().map(|index| all[index].clone()).collect(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    Open,
    Done,
}

/// Depth-first: a stage after everything it needs; a stage met again while open is a cycle.
fn visit(
    dockerfile: &Dockerfile,
    all: &[PlannedStage],
    index: usize,
    state: &mut [Visit],
    order: &mut Vec<usize>,
) -> Result<()> {
    match state[index] {
        Visit::Done => return Ok(()),
        Visit::Open => {
            let stage = &dockerfile.stages[index];
            return Err(Error::Circular {
                name: stage
                    .name()
                    .map_or_else(|| index.to_string(), str::to_owned),
                lines: stage.lines,
            });
        }
        Visit::New => {}
    }
    state[index] = Visit::Open;
    for need in all[index].needs() {
        visit(dockerfile, all, need, state, order)?;
    }
    state[index] = Visit::Done;
    order.push(index);
    Ok(())
}

/// A stage named `name` (FROM looks stages up by name only, never by index).
fn by_name(dockerfile: &Dockerfile, name: &str) -> Option<usize> {
    dockerfile
        .stages
        .iter()
        .position(|stage| stage.name().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// The lines of a stage's FROM, for messages.
pub fn from_lines(dockerfile: &Dockerfile, index: usize) -> Lines {
    dockerfile.stages[index].lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_dockerfile::parse;

    fn planned(text: &str, target: Option<&str>) -> Result<Vec<(usize, Base)>> {
        let dockerfile = parse(text).unwrap();
        let global =
            Scope::global(&dockerfile, Vec::new(), &std::collections::BTreeMap::new()).unwrap();
        Ok(plan(&dockerfile, &global, target)?
            .stages
            .into_iter()
            .map(|stage| (stage.index, stage.base))
            .collect())
    }

    fn image(name: &str) -> Base {
        Base::Image(name.to_owned())
    }

    #[test]
    fn stages_in_dependency_order() {
        use Base::{Scratch, Stage};
        type Case<'a> = (&'a str, Option<&'a str>, Vec<(usize, Base)>);
        let cases: &[Case] = &[
            ("FROM alpine\nRUN true\n", None, vec![(0, image("alpine"))]),
            ("FROM scratch\n", None, vec![(0, Scratch)]),
            ("FROM SCRATCH\n", None, vec![(0, Scratch)]),
            // An unused stage is not built.
            (
                "FROM alpine AS unused\nFROM busybox\n",
                None,
                vec![(1, image("busybox"))],
            ),
            // FROM a stage, by name, case-insensitively.
            (
                "FROM alpine AS Base\nFROM base\n",
                None,
                vec![(0, image("alpine")), (1, Stage(0))],
            ),
            // COPY --from by name and by index; the target's needs come first.
            (
                "FROM alpine AS a\nFROM busybox AS b\nFROM scratch\nCOPY --from=b / /\nCOPY --from=0 / /\n",
                None,
                vec![(1, image("busybox")), (0, image("alpine")), (2, Scratch)],
            ),
            // --target picks an earlier stage; later stages are not built.
            (
                "FROM alpine AS a\nFROM a AS b\nFROM b\n",
                Some("B"),
                vec![(0, image("alpine")), (1, Stage(0))],
            ),
            // FROM is expanded with the global scope.
            (
                "ARG BASE=first\nFROM alpine AS first\nFROM $BASE\n",
                None,
                vec![(0, image("alpine")), (1, Stage(0))],
            ),
            // A --from that names no stage is an image; FROM never looks stages up by index.
            (
                "FROM alpine\nFROM 0\nCOPY --from=busybox:1 / /\n",
                None,
                vec![(1, image("0"))],
            ),
        ];
        for (text, target, want) in cases {
            assert_eq!(&planned(text, *target).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn refusals() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            (
                "FROM alpine\n",
                Some("nope"),
                "target stage \"nope\" could not be found",
            ),
            (
                "FROM alpine AS a\nCOPY --from=b / /\nFROM alpine AS b\nCOPY --from=a / /\n",
                None,
                "circular dependency detected on stage: b",
            ),
            (
                "FROM a AS a\n",
                None,
                "circular dependency detected on stage: a",
            ),
        ];
        for (text, target, want) in cases {
            assert_eq!(
                planned(text, *target).unwrap_err().to_string(),
                *want,
                "{text}"
            );
        }
    }

    #[test]
    fn images_are_listed_once() {
        let dockerfile =
            parse("FROM alpine AS a\nCOPY --from=busybox / /\nFROM alpine\nCOPY --from=a / /\nCOPY --from=busybox / /\n")
                .unwrap();
        let global =
            Scope::global(&dockerfile, Vec::new(), &std::collections::BTreeMap::new()).unwrap();
        let plan = plan(&dockerfile, &global, None).unwrap();
        assert_eq!(plan.images(), ["alpine", "busybox"]);
        assert_eq!(plan.target().index, 1);
    }
}
