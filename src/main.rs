//! The `berth` binary: all of its logic lives in `berth-cli`.

fn main() -> std::process::ExitCode {
    berth_cli::main()
}
