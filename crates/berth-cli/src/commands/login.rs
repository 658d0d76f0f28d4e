//! `berth login [OPTIONS] [SERVER]` and `berth logout [SERVER]`

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context as _};
use berth_registry::Credentials;

// Docker's CLI checks these itself and prints its words as they are (some begin with `Error: `).
use crate::{context::Ctx, exit::Plain, output, registry};

/// Longest password `--password-stdin` takes (a token is a few KiB).
const MAX_PASSWORD_BYTES: u64 = 1 << 20;

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Username
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Password
    #[arg(short = 'p', long)]
    pub password: Option<String>,
    /// Take the password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// Registry to log in to [default: Docker Hub]
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// Registry to log out from [default: Docker Hub]
    #[arg(value_name = "SERVER")]
    pub server: Option<String>,
}

pub fn login(ctx: &Ctx, args: &LoginArgs) -> anyhow::Result<()> {
    // Docker's CLI takes an empty flag for one not given.
    let mut password = args.password.clone().filter(|p| !p.is_empty());
    let username = args.username.clone().filter(|u| !u.is_empty());
    if password.is_some() {
        output::eprintln(
            "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
        );
        if args.password_stdin {
            return Err(
                Plain("--password and --password-stdin are mutually exclusive".into()).into(),
            );
        }
    }
    if args.password_stdin {
        if username.is_none() {
            return Err(Plain("Must provide --username with --password-stdin".into()).into());
        }
        // Past the limit an error, not a password cut short that the registry would refuse.
        let secret = berth_store::fs::read_bounded(std::io::stdin().lock(), MAX_PASSWORD_BYTES)
            .map_err(|e| match berth_store::fs::exceeded_limit(&e) {
                Some(_) => anyhow::Error::new(e).context("read the password from stdin"),
                None => e.into(),
            })?;
        let secret = String::from_utf8(secret).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )
        })?;
        password = Some(secret.trim_end_matches(['\n', '\r']).to_owned());
    }
    let username = match username {
        Some(username) => username,
        None => prompt("Username: ")?,
    };
    let password = match password {
        Some(password) => password,
        None => prompt_secret("Password: ")?,
    };
    if username.is_empty() {
        return Err(Plain("Error: Non-null Username Required".into()).into());
    }
    if password.is_empty() {
        return Err(Plain("Error: Password Required".into()).into());
    }
    let client = registry::client(ctx)?;
    let outcome = registry::block_on(client.login(
        args.server.as_deref(),
        &Credentials::new(username, password),
    ))??;
    // Docker 20.10's CLI words.
    if outcome.stored_in_plaintext {
        output::eprintln(&format!(
            "WARNING! Your password will be stored unencrypted in {}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credentials-store\n",
            outcome.config_path.display()
        ));
    }
    output::println("Login Succeeded")?;
    Ok(())
}

pub fn logout(ctx: &Ctx, args: &LogoutArgs) -> anyhow::Result<()> {
    let client = registry::client(ctx)?;
    let outcome = registry::block_on(client.logout(args.server.as_deref()))??;
    // Docker 20.10's CLI says so whether or not a login was stored (it has no "Not logged in").
    output::println(&format!("Removing login credentials for {}", outcome.host))?;
    Ok(())
}

fn require_terminal() -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!("Cannot perform an interactive login from a non TTY device");
    }
    Ok(())
}

fn prompt(label: &str) -> anyhow::Result<String> {
    require_terminal()?;
    let mut stdout = std::io::stdout();
    stdout.write_all(label.as_bytes())?;
    stdout.flush()?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("failed to read the username")?;
    Ok(line.trim().to_owned())
}

/// Reads a password from the terminal with echo turned off.
fn prompt_secret(label: &str) -> anyhow::Result<String> {
    require_terminal()?;
    let stdin = std::io::stdin();
    let saved = rustix::termios::tcgetattr(&stdin)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
    rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &quiet)?;
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(label.as_bytes());
    let _ = stdout.flush();
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &saved)?;
    let _ = stdout.write_all(b"\n");
    read.context("failed to read the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
