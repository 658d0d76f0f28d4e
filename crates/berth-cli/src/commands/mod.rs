//! One module per command. Each exposes `Args` (its clap flags) and `run(ctx, args)`.

pub mod build;
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
    args::{Cli, Command},
    context::Ctx,
    exit::ExitStatus,
};

/// The monitor of a detached container keeps the default signal actions: it is in a process group
/// of its own, and nothing but `rm -f` or `stop` is meant to end it.
pub fn run_monitor(cli: crate::args::MonitorCli) -> anyhow::Result<()> {
    let ctx = Ctx::new(cli.global);
    match cli.command {
        crate::args::MonitorCommand::Monitor(args) => container::monitor::run(&ctx, &args),
    }
}

/// Runs the command, whichever name it was given (`berth images`, `berth image ls`). Commands that
/// have no status of their own return `()`: success.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    // Every command, before it starts: a signal removes this process's temporary files, and the
    // container commands take it over while a container is made, waited for or removed.
    crate::interrupt::install();
    let ctx = &Ctx::new(cli.global);
    match cli.command {
        Command::Build(args) => build::run(ctx, &args).map(Into::into),
        Command::Images(args) => images::run(ctx, &args).map(Into::into),
        Command::Tag(args) => tag::run(ctx, &args).map(Into::into),
        Command::Import(args) => import::run(ctx, &args).map(Into::into),
        Command::Load(args) => load::run(ctx, &args).map(Into::into),
        Command::Save(args) => save::run(ctx, &args).map(Into::into),
        Command::Pull(args) => pull::run(ctx, &args).map(Into::into),
        Command::Push(args) => push::run(ctx, &args).map(Into::into),
        Command::Search(args) => search::run(ctx, &args).map(Into::into),
        Command::Login(args) => login::login(ctx, &args).map(Into::into),
        Command::Logout(args) => login::logout(ctx, &args).map(Into::into),
        Command::Rmi(args) => rmi::run(ctx, &args),
        Command::Inspect(args) => inspect::run_objects(ctx, &args),
        Command::ImageInspect(args) => inspect::run(ctx, &args),
        Command::History(args) => history::run(ctx, &args).map(Into::into),
        Command::ImagePrune(args) => system::prune(ctx, &args).map(Into::into),
        Command::Run(args) => container::run::run(ctx, &args),
        Command::Create(args) => container::create::run(ctx, &args).map(Into::into),
        Command::Start(args) => container::start::run(ctx, &args),
        Command::Stop(args) => container::stop::run(ctx, &args),
        Command::Kill(args) => container::kill::run(ctx, &args),
        Command::Logs(args) => container::logs::run(ctx, &args),
        Command::Ps(args) => container::ps::run(ctx, &args).map(Into::into),
        Command::Rm(args) => container::rm::run(ctx, &args),
        Command::Export(args) => container::export::run(ctx, &args).map(Into::into),
        Command::Diff(args) => container::diff::run(ctx, &args).map(Into::into),
        Command::Commit(args) => container::commit::run(ctx, &args).map(Into::into),
        Command::ContainerInspect(args) => inspect::run_containers(ctx, &args),
        Command::System(command) => system::run(ctx, command),
        Command::Version(args) => version::run(ctx, &args).map(Into::into),
    }
}
