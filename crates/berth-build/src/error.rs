//! The build crate's one error type.

use berth_dockerfile::Lines;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Dockerfile does not parse (BuildKit's words, with its line).
    #[error(transparent)]
    Dockerfile(#[from] berth_dockerfile::Error),
    /// `--target` names no stage: BuildKit's `target stage "x" could not be found`.
    #[error("target stage {0:?} could not be found")]
    NoTarget(String),
    /// A `COPY --from` or `FROM` names a stage that comes later or is the stage itself.
    #[error("circular dependency detected on stage: {name}")]
    Circular { name: String, lines: Lines },
    /// A Dockerfile with no FROM.
    #[error("the Dockerfile (Dockerfile) cannot be empty")]
    Empty,
    /// The Dockerfile is not in the context.
    #[error("failed to read dockerfile: open {0}: no such file or directory")]
    NoDockerfile(String),
    /// A COPY/ADD source that does not exist (or is excluded by `.dockerignore`): the 20.10
    /// engine's BuildKit words (newer ones say `failed to calculate checksum of ref ...: "/x": not found`).
    #[error("failed to compute cache key: \"{0}\" not found: not found")]
    SourceNotFound(String),
    /// A wildcard source that is no valid Go `filepath.Match` pattern.
    #[error("syntax error in pattern: {0}")]
    BadSourcePattern(String),
    /// A directory copied onto something that is not one (fsutil's words).
    #[error("cannot copy to non-directory: {0}")]
    NotADirectory(String),
    /// A file copied onto an existing directory.
    #[error("cannot replace to directory {0} with file")]
    ReplaceDirectory(String),
    /// `--chmod` that is no octal mode (BuildKit's `dispatchCopy` words).
    #[error("invalid chmod parameter: '{0}'. it should be octal string and between 0 and 07777")]
    Chmod(String),
    /// `--checksum` misused or not matching (BuildKit's words).
    #[error("{0}")]
    Checksum(String),
    /// An instruction BuildKit refuses (its words).
    #[error("{0}")]
    Invalid(String),
    /// A RUN whose process exited non-zero.
    #[error(
        "process {} did not complete successfully: exit code: {code}",
        crate::config::go_quote(command)
    )]
    RunFailed { command: String, code: i32 },
    /// A base image that is not in the store (the CLI pulls before the build).
    #[error("{0}: not found")]
    NoBaseImage(String),
    /// An error of the instruction at `lines` (printed with the Dockerfile excerpt).
    #[error("{source}")]
    At {
        lines: Lines,
        #[source]
        source: Box<Error>,
    },
    // The lower crates' errors leave their causes to the chain ("failed to compress the layer",
    // then "No space left on device"); a build prints one message, so it is the whole chain.
    #[error("{}", berth_store::error_chain(.0))]
    Store(#[from] berth_store::Error),
    #[error("{}", berth_store::error_chain(.0))]
    Container(#[from] berth_container::Error),
    #[error("{}", berth_store::error_chain(.0))]
    Archive(#[from] berth_archive::Error),
    #[error("{}", berth_store::error_chain(.0))]
    Manifest(#[from] berth_manifest::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The Dockerfile lines the error belongs to, if any.
    pub fn lines(&self) -> Option<Lines> {
        match self {
            Error::At { lines, .. } | Error::Circular { lines, .. } => Some(*lines),
            Error::Dockerfile(e) => e.lines(),
            _ => None,
        }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}
