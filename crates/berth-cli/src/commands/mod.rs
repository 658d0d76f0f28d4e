//! One module per command. Each exposes `Args` (its clap flags) and `run(ctx, args)`.

pub mod container;
pub mod df;
pub mod history;
pub mod images;
pub mod import;
pub mod inspect;
pub mod load;
pub mod login;
pub mod prune_filter;
pub mod pull;
pub mod push;
pub mod rmi;
pub mod save;
pub mod search;
pub mod system;
pub mod tag;
pub mod version;

use crate::{
    args::{Cli, Command, ImageCommand},
    context::Ctx,
};

/// The monitor of a detached container keeps the default signal actions: it is in a process group
/// of its own, and nothing but `rm -f` or `stop` is meant to end it.
pub fn run_monitor(cli: crate::args::MonitorCli) -> anyhow::Result<()> {
    let ctx = Ctx::new(cli.global);
    match cli.command {
        crate::args::MonitorCommand::Monitor(args) => container::monitor::run(&ctx, &args),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    if !matches!(cli.command, Command::Containers(_) | Command::Container(_)) {
        crate::interrupt::install();
    }
    let ctx = Ctx::new(cli.global);
    match cli.command {
        Command::Images(args) => images::run(&ctx, &args),
        Command::Import(args) => import::run(&ctx, &args),
        Command::Load(args) => load::run(&ctx, &args),
        Command::Save(args) => save::run(&ctx, &args),
        Command::Pull(args) => pull::run(&ctx, &args),
        Command::Push(args) => push::run(&ctx, &args),
        Command::Search(args) => search::run(&ctx, &args),
        Command::Login(args) => login::login(&ctx, &args),
        Command::Logout(args) => login::logout(&ctx, &args),
        Command::Tag(args) => tag::run(&ctx, &args),
        Command::Rmi(args) => rmi::run(&ctx, &args),
        Command::Inspect(args) => inspect::run_objects(&ctx, &args),
        Command::History(args) => history::run(&ctx, &args),
        Command::Version(args) => version::run(&ctx, &args),
        Command::Image(command) => match command {
            ImageCommand::Ls(args) => images::run(&ctx, &args),
            ImageCommand::Import(args) => import::run(&ctx, &args),
            ImageCommand::Load(args) => load::run(&ctx, &args),
            ImageCommand::Save(args) => save::run(&ctx, &args),
            ImageCommand::Pull(args) => pull::run(&ctx, &args),
            ImageCommand::Push(args) => push::run(&ctx, &args),
            ImageCommand::Tag(args) => tag::run(&ctx, &args),
            ImageCommand::Rm(args) => rmi::run(&ctx, &args),
            ImageCommand::Inspect(args) => inspect::run(&ctx, &args),
            ImageCommand::History(args) => history::run(&ctx, &args),
            ImageCommand::Prune(args) => system::prune(&ctx, &args),
        },
        Command::System(command) => system::run(&ctx, command),
        Command::Containers(command) => container::run(&ctx, command),
        Command::Container(command) => container::run_management(&ctx, command),
    }
}
