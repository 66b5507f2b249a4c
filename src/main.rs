use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    spcompat::cli::run(spcompat::cli::Cli::parse())
}
