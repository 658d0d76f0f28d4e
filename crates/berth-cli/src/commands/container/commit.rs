//! `berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`: prints `sha256:<id>`.

use berth_container::{CommitOptions, CommitPause};
use berth_reference::Reference;

use crate::{
    context::Ctx,
    interrupt, output,
    progress::{Operation, Screen},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short = 'a', long, value_name = "string", default_value = "")]
    pub author: String,
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long, value_name = "list")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short = 'm', long, value_name = "string", default_value = "")]
    pub message: String,
    /// Pause container during commit
    #[arg(
        short = 'p',
        long,
        default_value_t = true,
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        require_equals = true
    )]
    pub pause: bool,
    /// Don't pause the container during commit
    #[arg(long, conflicts_with = "pause")]
    pub no_pause: bool,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let reference = args
        .reference
        .as_deref()
        .map(|r| {
            // Parsed by Docker's CLI: its error alone, without `Error: `.
            let reference = Reference::parse_normalized(r).map_err(crate::exit::plain)?;
            if reference.digest().is_some() {
                anyhow::bail!("refusing to create a tag with a digest reference");
            }
            Ok(reference.with_default_tag())
        })
        .transpose()?;
    let containers = super::containers(ctx)?;
    let mut container = super::get(&containers, &args.container)?;
    // The daemon finds the container, then checks the changes, and reports them alone.
    berth_manifest::apply_changes(
        &mut berth_manifest::ContainerConfig::default(),
        &args.change,
    )?;
    let pause = if args.pause && !args.no_pause && container.state.status.can_pause() {
        Pause::start(&containers, &container)
    } else {
        Pause::NotPaused
    };
    // Docker's commit shows nothing while it works; berth shows the bytes of the new layer.
    let screen = std::cell::RefCell::new(Screen::new(Operation::Commit, false));
    screen
        .borrow_mut()
        .total(containers.changes_size_hint(&container), 0);
    let progress = |written: u64| screen.borrow_mut().done(written);
    let committed = containers.commit(
        &mut container,
        &CommitOptions {
            author: &args.author,
            message: &args.message,
            changes: &args.change,
            pause: false,
            reference: reference.as_ref(),
            progress: Some(&progress),
        },
    );
    screen.borrow_mut().finish();
    let warning = pause.resume();
    let committed = committed?;
    if let Some(warning) = warning {
        output::eprintln(&format!("WARNING: {warning}"));
    }
    output::println(&committed.id.to_string())?;
    Ok(())
}

/// `-p` (Docker's default): a running container is paused while its changes are read.
enum Pause {
    /// Not running, or already paused by someone else: nothing to undo.
    NotPaused,
    /// No cgroup freezer: the commit goes ahead with a warning.
    Failed(String),
    /// Paused (and recorded as paused by this commit, so that a later command resumes it if this one
    /// is killed); if a signal ends the commit, `on_interrupt` resumes it before berth exits.
    Paused {
        pause: CommitPause,
        on_interrupt: interrupt::Undo,
    },
}

impl Pause {
    /// Pauses the container. A signal during the pause itself waits until the pause is done and its
    /// undo is registered, so that no interruption leaves the container frozen.
    fn start(
        containers: &berth_container::Containers<'_>,
        container: &berth_container::Container,
    ) -> Pause {
        let _hold = interrupt::hold();
        match containers.pause_for_commit(container) {
            Ok(Some(pause)) => {
                let undo = pause.clone();
                let on_interrupt = interrupt::on_interrupt(move || {
                    let _ = undo.resume();
                });
                Pause::Paused {
                    pause,
                    on_interrupt,
                }
            }
            Ok(None) => Pause::NotPaused,
            Err(e @ berth_container::Error::Runtime { .. }) => Pause::Failed(format!(
                "could not pause the container (the runtime needs the cgroup freezer): {e}"
            )),
            Err(e) => Pause::Failed(format!(
                "could not pause the container: {:#}",
                anyhow::Error::from(e)
            )),
        }
    }

    /// Resumes a paused container; returns the warning to print when it could not be paused or
    /// resumed (the image is committed either way).
    fn resume(self) -> Option<String> {
        match self {
            Pause::NotPaused => None,
            Pause::Failed(warning) => Some(warning),
            Pause::Paused {
                pause,
                on_interrupt,
            } => {
                // Resumed before the interrupt action is dropped: a signal in between resumes it
                // twice, which is harmless (the second finds its marker gone); the other order could
                // leave it frozen.
                let resumed = pause.resume();
                drop(on_interrupt);
                resumed
                    .err()
                    .map(|e| format!("could not resume the container: {e}"))
            }
        }
    }
}
