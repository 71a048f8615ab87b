//! The `stacksim` binary: parse the command line, run it, print errors,
//! exit with 0 (success), 1 (failed while running or writing) or 2 (bad
//! input or usage; nothing was written), 130 (interrupted by Ctrl-C). The exit code is the error's kind
//! ([`stacksim::error::Kind`]), never a reading of its message.

use clap::Parser;
use stacksim::cli::{Cli, execute};
use stacksim::error::Kind;
use stacksim::input::error::clip_lines;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = execute(cli, &mut stdout) {
        drop(stdout);
        if e.kind() != Kind::Quiet {
            // Clipped again: a message not built from `input::Problem`s may echo long input.
            eprintln!("{}", clip_lines(&e.to_string()));
        }
        std::process::exit(e.exit_code());
    }
}
