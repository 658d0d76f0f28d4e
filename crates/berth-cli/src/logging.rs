//! Routes the libraries' `tracing` events to stderr.

use tracing_subscriber::{filter::LevelFilter, fmt, EnvFilter};

use crate::args::LogLevel;

pub fn init(level: LogLevel) {
    let level = match level {
        LogLevel::Trace => LevelFilter::TRACE,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Error | LogLevel::Fatal => LevelFilter::ERROR,
    };
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .with_env_var("BERTH_LOG")
        .from_env_lossy();
    let ansi = std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}
