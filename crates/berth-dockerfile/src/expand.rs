//! Variable expansion of instructions, for exactly the instructions and fields BuildKit
//! expands (`SupportsSingleWordExpansion` and friends).

use crate::instruction::{Instruction, KeyValue, SourcesAndDest};
use crate::shell::{Lexer, Vars};
use crate::Error;

/// Whether BuildKit expands variables in this instruction. RUN, CMD, ENTRYPOINT, SHELL,
/// HEALTHCHECK, ONBUILD and MAINTAINER are taken as written (the shell, if any, expands at run
/// time); FROM expands with the global ARGs only ([`crate::Scope::global`]); ARG expands its
/// defaults as it is declared ([`crate::Scope::declare_arg`]).
pub fn expands_variables(instruction: &Instruction) -> bool {
    matches!(
        instruction,
        Instruction::Env(_)
            | Instruction::Label(_)
            | Instruction::Add(_)
            | Instruction::Copy(_)
            | Instruction::Workdir(_)
            | Instruction::User(_)
            | Instruction::Volume(_)
            | Instruction::Stopsignal(_)
            | Instruction::Expose(_)
            | Instruction::From(_)
    )
}

/// The instruction with its variables expanded as BuildKit expands them: one word per field,
/// quotes removed; EXPOSE split into words; heredoc sources of COPY/ADD marked for expansion
/// expanded with quotes kept and `\` as the escape. FROM is expanded with `vars`, which must be
/// the global scope. COPY `--from` is never expanded: a value that would change is an error.
pub fn expand(
    instruction: &Instruction,
    lexer: &Lexer,
    vars: &dyn Vars,
) -> Result<Instruction, Error> {
    let word = |w: &str| lexer.word(w, vars);
    let option = |w: &Option<String>| w.as_deref().map(word).transpose();
    let mut out = instruction.clone();
    match &mut out {
        Instruction::Env(pairs) | Instruction::Label(pairs) => {
            for KeyValue { key, value, .. } in pairs.iter_mut() {
                *key = word(key)?;
                *value = word(value)?;
            }
        }
        Instruction::Add(add) => {
            add.chown = option(&add.chown)?;
            add.chmod = option(&add.chmod)?;
            add.checksum = option(&add.checksum)?;
            expand_paths(&mut add.paths, *lexer, vars)?;
        }
        Instruction::Copy(copy) => {
            if let Some(from) = &copy.from {
                if lexer.word(from, &crate::NoVars)? != *from {
                    return Err(Error::Expansion {
                        word: from.clone(),
                        message: "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround".into(),
                    });
                }
            }
            copy.chown = option(&copy.chown)?;
            copy.chmod = option(&copy.chmod)?;
            expand_paths(&mut copy.paths, *lexer, vars)?;
        }
        Instruction::Workdir(value) | Instruction::User(value) | Instruction::Stopsignal(value) => {
            *value = word(value)?;
        }
        Instruction::Volume(values) => {
            for value in values.iter_mut() {
                *value = word(value)?;
            }
        }
        Instruction::Expose(ports) => {
            let mut words = Vec::new();
            for port in ports.iter() {
                words.extend(lexer.words(port, vars)?);
            }
            *ports = words;
        }
        Instruction::From(from) => {
            from.image = word(&from.image)?;
            from.platform = option(&from.platform)?;
        }
        _ => {}
    }
    Ok(out)
}

fn expand_paths(paths: &mut SourcesAndDest, lexer: Lexer, vars: &dyn Vars) -> Result<(), Error> {
    for source in &mut paths.sources {
        *source = lexer.word(source, vars)?;
    }
    paths.dest = lexer.word(&paths.dest, vars)?;
    let raw = Lexer {
        skip_process_quotes: true,
        ..Lexer::new('\\')
    };
    for content in &mut paths.contents {
        if content.expand {
            content.data = raw.word(&content.data, vars)?;
        }
    }
    Ok(())
}
