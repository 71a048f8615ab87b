//! The `stacksim` binary: parse the command line, run it, print errors,
//! exit with 0 (success), 1 (failed while running or writing) or 2 (bad
//! input or usage; nothing was written).

use clap::Parser;
use stacksim::cli::{Cli, execute};
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
        match e.message() {
            "" => {}
            // Clipped again: a message not built from `input::Problem`s may echo long input.
            m if m.starts_with("error") => eprintln!("{}", clip_lines(m)),
            m => eprintln!("error: {}", clip_lines(m)),
        }
        std::process::exit(e.exit_code());
    }
}
