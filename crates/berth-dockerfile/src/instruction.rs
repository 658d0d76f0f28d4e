//! The instruction model: every Dockerfile instruction with its options, before expansion.

use crate::Lines;

/// One instruction with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub instruction: Instruction,
    /// The instruction's lines (1-based, continuation and heredoc lines included).
    pub lines: Lines,
    /// The instruction as written, continuation lines joined.
    pub original: String,
    /// The comment lines right above it (BuildKit's `PrevComment`).
    pub comments: Vec<String>,
}

/// A Dockerfile instruction. Words are as written: variables are expanded later, by the
/// builder, with [`crate::expand`], for the instructions BuildKit expands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From(From),
    Run(Run),
    Cmd(CommandLine),
    Entrypoint(CommandLine),
    Label(Vec<KeyValue>),
    Maintainer(String),
    /// The ports as written, sorted as BuildKit sorts them (by bytes).
    Expose(Vec<String>),
    Env(Vec<KeyValue>),
    Add(Add),
    Copy(Copy),
    /// Volume paths, trimmed.
    Volume(Vec<String>),
    User(String),
    Workdir(String),
    Arg(Vec<ArgDefinition>),
    Onbuild(Onbuild),
    Stopsignal(String),
    Healthcheck(Healthcheck),
    /// SHELL, always in JSON form.
    Shell(Vec<String>),
}

impl Instruction {
    /// The instruction's keyword, upper case.
    pub fn keyword(&self) -> &'static str {
        match self {
            Instruction::From(_) => "FROM",
            Instruction::Run(_) => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Label(_) => "LABEL",
            Instruction::Maintainer(_) => "MAINTAINER",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::Env(_) => "ENV",
            Instruction::Add(_) => "ADD",
            Instruction::Copy(_) => "COPY",
            Instruction::Volume(_) => "VOLUME",
            Instruction::User(_) => "USER",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::Arg(_) => "ARG",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::Stopsignal(_) => "STOPSIGNAL",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
            Instruction::Shell(_) => "SHELL",
        }
    }
}

/// `FROM [--platform=P] IMAGE [AS NAME]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The base: an image reference, `scratch`, or a previous stage's name.
    pub image: String,
    /// The stage name, lower-cased as BuildKit does.
    pub name: Option<String>,
    pub platform: Option<String>,
}

/// A command in exec form (JSON) or shell form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `["a", "b"]`: run as is (`CMD []` is an empty list).
    Exec(Vec<String>),
    /// `a b`: run through the stage's SHELL. Empty for an instruction with no arguments at all
    /// (`CMD` alone), which BuildKit still runs through the shell: `["/bin/sh", "-c"]`.
    Shell(String),
}

impl Command {
    /// BuildKit's `handleJSONArgs`: the words the image config records before the shell, if
    /// any, is put in front.
    pub fn args(&self) -> Vec<String> {
        match self {
            Command::Exec(args) => args.clone(),
            Command::Shell(line) if line.is_empty() => Vec::new(),
            Command::Shell(line) => vec![line.clone()],
        }
    }

    /// Whether the stage's SHELL goes in front (BuildKit's `PrependShell`).
    pub fn prepends_shell(&self) -> bool {
        matches!(self, Command::Shell(_))
    }
}

/// CMD and ENTRYPOINT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    pub command: Command,
    pub heredocs: Vec<Heredoc>,
}

/// `RUN [--mount=...] [--network=...] [--security=...] [--device=...] COMMAND`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: Command,
    pub heredocs: Vec<Heredoc>,
    /// The RUN flags, kept as written (name, value) for the builder to interpret.
    pub flags: Vec<(String, String)>,
}

/// A heredoc: `<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter, quotes removed.
    pub name: String,
    pub file_descriptor: u32,
    /// False when the delimiter was quoted: the content is taken literally.
    pub expand: bool,
    /// `<<-`: leading tabs are removed from the content lines (the delimiter line too).
    pub chomp: bool,
    /// The lines between the instruction and the delimiter, newlines kept, tabs not removed.
    pub content: String,
}

/// `KEY=VALUE` of ENV and LABEL (`NoDelim` when written in the old `KEY VALUE` form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    /// True for `ENV KEY VALUE` (the whole rest of the line is the value).
    pub no_delimiter: bool,
}

/// One name of an ARG instruction, with its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDefinition {
    pub key: String,
    pub value: Option<String>,
}

/// An inline source of COPY or ADD: a heredoc used as a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContent {
    /// The heredoc's name, used as the file name.
    pub path: String,
    /// The content, tabs already removed for `<<-`.
    pub data: String,
    /// Whether variables in `data` are expanded.
    pub expand: bool,
}

/// The sources and destination of COPY and ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesAndDest {
    pub sources: Vec<String>,
    pub contents: Vec<SourceContent>,
    pub dest: String,
    /// Written in JSON form.
    pub json: bool,
}

/// `ADD [--chown] [--chmod] [--checksum] [--link] [--keep-git-dir] [--unpack] [--exclude] SRC... DEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Add {
    pub paths: SourcesAndDest,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub checksum: Option<String>,
    pub link: bool,
    pub keep_git_dir: Option<bool>,
    pub unpack: Option<bool>,
    pub exclude: Vec<String>,
}

/// `COPY [--from] [--chown] [--chmod] [--link] [--parents] [--exclude] SRC... DEST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub paths: SourcesAndDest,
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    pub exclude: Vec<String>,
}

/// `ONBUILD INSTRUCTION`: the trigger, kept as text and parsed when it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onbuild {
    /// The trigger as written (`RUN echo hi`), heredoc contents appended as BuildKit does.
    pub expression: String,
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [OPTIONS] CMD command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// Disables any inherited healthcheck (`["NONE"]` in the config).
    None,
    Check(HealthConfig),
}

/// The config of a `HEALTHCHECK CMD`: durations in nanoseconds, 0 when not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthConfig {
    /// `["CMD", ...]` (exec form) or `["CMD-SHELL", "line"]` (shell form).
    pub test: Vec<String>,
    pub interval: i64,
    pub timeout: i64,
    pub start_period: i64,
    pub start_interval: i64,
    pub retries: i64,
}
