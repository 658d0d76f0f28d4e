//! The one table of commands. Each command is defined once, with its help text, and reachable where
//! Docker's CLI has it: at the top level (`berth images`, `berth ps`), under its management command
//! (`berth image ls`, `berth container ls`), or both, under Docker's name and aliases at each place.
//! Both the clap definition of the command line and the parse back into a [`Command`] read this
//! table; the rows are in the order the help lists them.

use clap::{error::ErrorKind, ArgMatches, FromArgMatches, Subcommand};

use crate::commands::{
    build,
    container::{commit, create, diff, export, kill, logs, ps, rm, run, start, stop},
    history, images, import, inspect, load, login, pull, push, rmi, save, search, system, tag,
    version,
};

/// Every command berth runs, once, whichever name it was given.
#[derive(Debug)]
pub enum Command {
    Build(build::Args),
    Images(images::Args),
    Tag(tag::Args),
    Import(import::Args),
    Load(load::Args),
    Save(save::Args),
    Pull(pull::Args),
    Push(push::Args),
    Search(search::Args),
    Login(login::LoginArgs),
    Logout(login::LogoutArgs),
    Rmi(rmi::Args),
    /// `berth inspect`: containers and images.
    Inspect(inspect::ObjectArgs),
    ImageInspect(inspect::Args),
    History(history::Args),
    ImagePrune(system::PruneArgs),
    Run(run::Args),
    Create(create::Args),
    Start(start::Args),
    Stop(stop::Args),
    Kill(kill::Args),
    Logs(logs::Args),
    Ps(ps::Args),
    Rm(rm::Args),
    Export(export::Args),
    Diff(diff::Args),
    Commit(commit::Args),
    ContainerInspect(inspect::ContainerArgs),
    System(system::SystemCommand),
    Version(version::Args),
}

fn table() -> Vec<Row> {
    vec![
        command(
            "Build an image from a Dockerfile",
            &[Top("build"), In(Image, "build", &[])],
            Command::Build,
        ),
        command(
            "List images",
            &[Top("images"), In(Image, "ls", &["list"])],
            Command::Images,
        ),
        command(
            "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
            &[Top("tag"), In(Image, "tag", &[])],
            Command::Tag,
        ),
        command(
            "Import the contents from a tarball to create a filesystem image",
            &[Top("import"), In(Image, "import", &[])],
            Command::Import,
        ),
        command(
            "Load an image from a tar archive or STDIN",
            &[Top("load"), In(Image, "load", &[])],
            Command::Load,
        ),
        command(
            "Save one or more images to a tar archive (streamed to STDOUT by default)",
            &[Top("save"), In(Image, "save", &[])],
            Command::Save,
        ),
        command(
            "Download an image from a registry",
            &[Top("pull"), In(Image, "pull", &[])],
            Command::Pull,
        ),
        command(
            "Upload an image to a registry",
            &[Top("push"), In(Image, "push", &[])],
            Command::Push,
        ),
        command(
            "Search Docker Hub (or a private registry's catalog) for images",
            &[Top("search")],
            Command::Search,
        ),
        command("Log in to a registry", &[Top("login")], Command::Login),
        command("Log out from a registry", &[Top("logout")], Command::Logout),
        command(
            "Remove one or more images",
            &[Top("rmi"), In(Image, "rm", &["remove"])],
            Command::Rmi,
        ),
        command(
            "Return low-level information on objects",
            &[Top("inspect")],
            Command::Inspect,
        ),
        command(
            "Display detailed information on one or more images",
            &[In(Image, "inspect", &[])],
            Command::ImageInspect,
        ),
        command(
            "Show the history of an image",
            &[Top("history"), In(Image, "history", &[])],
            Command::History,
        ),
        command(
            "Remove unused images and unreferenced content",
            &[In(Image, "prune", &[])],
            Command::ImagePrune,
        ),
        Row::Group(Image),
        command(
            "Create and run a new container from an image",
            &[Top("run"), In(Container, "run", &[])],
            Command::Run,
        ),
        command(
            "Create a new container",
            &[Top("create"), In(Container, "create", &[])],
            Command::Create,
        ),
        command(
            "Start one or more stopped containers",
            &[Top("start"), In(Container, "start", &[])],
            Command::Start,
        ),
        command(
            "Stop one or more running containers",
            &[Top("stop"), In(Container, "stop", &[])],
            Command::Stop,
        ),
        command(
            "Kill one or more running containers",
            &[Top("kill"), In(Container, "kill", &[])],
            Command::Kill,
        ),
        command(
            "Fetch the logs of a container",
            &[Top("logs"), In(Container, "logs", &[])],
            Command::Logs,
        ),
        command(
            "List containers",
            &[Top("ps"), In(Container, "ls", &["list", "ps"])],
            Command::Ps,
        ),
        command(
            "Remove one or more containers",
            &[Top("rm"), In(Container, "rm", &["remove"])],
            Command::Rm,
        ),
        command(
            "Export a container's filesystem as a tar archive",
            &[Top("export"), In(Container, "export", &[])],
            Command::Export,
        ),
        command(
            "Inspect changes to files or directories on a container's filesystem",
            &[Top("diff"), In(Container, "diff", &[])],
            Command::Diff,
        ),
        command(
            "Create a new image from a container's changes",
            &[Top("commit"), In(Container, "commit", &[])],
            Command::Commit,
        ),
        command(
            "Display detailed information on one or more containers",
            &[In(Container, "inspect", &[])],
            Command::ContainerInspect,
        ),
        Row::Group(Container),
        nested("Manage berth", &[Top("system")], Command::System),
        command(
            "Show the berth version information",
            &[Top("version")],
            Command::Version,
        ),
    ]
}

/// A management command: the commands of one kind of object under one word (`berth image …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Image,
    Container,
}

use Group::{Container, Image};

impl Group {
    const ALL: [Group; 2] = [Image, Container];

    fn name(self) -> &'static str {
        match self {
            Image => "image",
            Container => "container",
        }
    }

    fn about(self) -> &'static str {
        match self {
            Image => "Manage images",
            Container => "Manage containers",
        }
    }

    /// `berth image`, with every command the table places in it.
    fn clap(self, table: &[Row]) -> clap::Command {
        let mut group = required(clap::Command::new(self.name()));
        for entry in entries(table) {
            if let Some((name, aliases)) = entry.name_in(Some(self)) {
                group = group.subcommand(entry.clap(name, aliases));
            }
        }
        group.about(self.about()).long_about(None)
    }
}

/// Where a command is reachable.
enum Place {
    /// At the top level, under this name: `berth images`.
    Top(&'static str),
    /// Under a management command, with visible aliases: `berth image ls` (`berth image list`).
    In(Group, &'static str, &'static [&'static str]),
}

use Place::{In, Top};

/// A row of the table: a command, or where a management command shows at the top level.
enum Row {
    Command(Entry),
    Group(Group),
}

/// A command: its help text, where it is, its flags and arguments, and how its matches become a
/// [`Command`].
struct Entry {
    about: &'static str,
    places: &'static [Place],
    augment: fn(clap::Command) -> clap::Command,
    parse: Parse,
}

/// The matches of the clap command that named a command, read back into a [`Command`].
type Parse = Box<dyn Fn(&mut ArgMatches) -> Result<Command, clap::Error>>;

/// A command whose flags and arguments are `A`.
fn command<A: clap::Args + 'static>(
    about: &'static str,
    places: &'static [Place],
    wrap: fn(A) -> Command,
) -> Row {
    Row::Command(Entry {
        about,
        places,
        augment: A::augment_args,
        parse: Box::new(move |matches| A::from_arg_matches_mut(matches).map(wrap)),
    })
}

/// A command with subcommands of its own, `S` (`berth system df`).
fn nested<S: Subcommand + 'static>(
    about: &'static str,
    places: &'static [Place],
    wrap: fn(S) -> Command,
) -> Row {
    Row::Command(Entry {
        about,
        places,
        augment: |cmd| S::augment_subcommands(required(cmd)),
        parse: Box::new(move |matches| S::from_arg_matches_mut(matches).map(wrap)),
    })
}

/// A command that needs a subcommand: without one it shows its help (`berth image`).
fn required(cmd: clap::Command) -> clap::Command {
    cmd.subcommand_required(true).arg_required_else_help(true)
}

fn entries(table: &[Row]) -> impl Iterator<Item = &Entry> {
    table.iter().filter_map(|row| match row {
        Row::Command(entry) => Some(entry),
        Row::Group(_) => None,
    })
}

impl Entry {
    /// This command's name and aliases in `group` (`None`: at the top level), if it is there.
    fn name_in(&self, group: Option<Group>) -> Option<(&'static str, &'static [&'static str])> {
        self.places.iter().find_map(|place| match *place {
            Top(name) if group.is_none() => Some((name, &[][..])),
            In(in_group, name, aliases) if group == Some(in_group) => Some((name, aliases)),
            _ => None,
        })
    }

    /// The clap command for this command under `name`.
    fn clap(&self, name: &'static str, aliases: &'static [&'static str]) -> clap::Command {
        (self.augment)(clap::Command::new(name))
            .about(self.about)
            .long_about(None)
            .visible_aliases(aliases)
    }
}

impl Subcommand for Command {
    fn augment_subcommands(mut cmd: clap::Command) -> clap::Command {
        let table = table();
        for row in &table {
            match row {
                Row::Command(entry) => {
                    if let Some((name, aliases)) = entry.name_in(None) {
                        cmd = cmd.subcommand(entry.clap(name, aliases));
                    }
                }
                Row::Group(group) => cmd = cmd.subcommand(group.clap(&table)),
            }
        }
        cmd
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        Group::ALL.iter().any(|group| group.name() == name)
            || entries(&table()).any(|entry| entry.name_in(None).is_some_and(|(n, _)| n == name))
    }
}

impl FromArgMatches for Command {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        let (mut name, mut matches) = named(matches)?;
        let group = Group::ALL.into_iter().find(|group| group.name() == name);
        if group.is_some() {
            (name, matches) = named(&mut matches)?;
        }
        let table = table();
        let entry = entries(&table)
            .find(|entry| entry.name_in(group).is_some_and(|(n, _)| n == name))
            .ok_or_else(|| {
                clap::Error::raw(
                    ErrorKind::InvalidSubcommand,
                    format!("the subcommand '{name}' wasn't recognized"),
                )
            })?;
        (entry.parse)(&mut matches)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// The subcommand that `matches` names, and its matches.
fn named(matches: &mut ArgMatches) -> Result<(String, ArgMatches), clap::Error> {
    matches.remove_subcommand().ok_or_else(|| {
        clap::Error::raw(
            ErrorKind::MissingSubcommand,
            "a subcommand is required but one was not provided",
        )
    })
}

#[cfg(test)]
mod tests;
