use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // The process exits right after its report: the models it read need not be freed.
    spcompat::input::leave_models_to_exit();
    spcompat::cli::run(spcompat::cli::Cli::parse())
}
