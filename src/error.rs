//! The library's one error type, [`Error`]: every way a command can fail,
//! typed, so that the caller decides what to do from the *kind* of the
//! failure and never from its text.
//!
//! Each module keeps its own error type beside the code that raises it
//! (`input::SpecError`, `report::output::OutputError`,
//! `report::ReportError`, `experiment::availability::AvailabilityError`,
//! `experiment::bench::BenchError`, `experiment::ThreadsError`,
//! `experiment::RunFailure`); `Error`
//! wraps them, and [`Error::kind`] sorts them into what the binary needs:
//! [`Kind::Input`] (the user can fix the input or the command line; exit
//! code 2, nothing was written), [`Kind::Runtime`] (failed while running or
//! writing; exit code 1) and [`Kind::Quiet`] (the reader of stdout went
//! away: exit code 1, nothing worth printing).
//!
//! Invariant: `Error`'s `Display` is the whole message as printed, and it
//! starts with `error: ` exactly once (a [`SpecError`] of several problems
//! has one `error: ` line per problem); a quiet error displays as nothing.
//! Simulated failures (timeouts, 503s, lost writes) are data in the
//! results, never an `Error`.

use crate::experiment::availability::AvailabilityError;
use crate::experiment::bench::BenchError;
use crate::experiment::{RunFailure, ThreadsError};
use crate::input::SpecError;
use crate::report::ReportError;
use crate::report::merge::MergeError;
use crate::report::output::OutputError;

/// What a failure means to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Bad input or usage: nothing was written.
    Input,
    /// Failed while running or writing results.
    Runtime,
    /// The reader of the output went away (`stacksim check … | head`).
    Quiet,
    /// Stopped by Ctrl-C (exit code 130, as a shell reports SIGINT); what
    /// was finished may have been written, marked incomplete.
    Interrupted,
}

impl Kind {
    /// The process exit code: 2 for bad input, 130 when interrupted, 1 otherwise.
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Input => 2,
            Kind::Interrupted => crate::experiment::progress::INTERRUPTED_EXIT,
            Kind::Runtime | Kind::Quiet => 1,
        }
    }
}

/// Every way a stacksim command can fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model or experiment file is wrong; its `Display` already says
    /// `error: ` once per problem.
    #[error("{0}")]
    Spec(#[from] SpecError),
    #[error("error: {0}")]
    Output(#[from] OutputError),
    #[error("error: {0}")]
    Report(#[from] ReportError),
    #[error("error: {0}")]
    Availability(#[from] AvailabilityError),
    #[error("error: {0}")]
    Bench(#[from] BenchError),
    #[error("error: {0}")]
    Threads(#[from] ThreadsError),
    /// A run could not finish: the model stopped advancing or overloaded
    /// (the input's fault), or the thread pool failed.
    #[error("error: {0}")]
    Run(#[from] RunFailure),
    /// Shard folders that cannot be merged (or the merged folder not written).
    #[error("error: {0}")]
    Merge(#[from] MergeError),
    /// An experiment without scenarios where one is needed.
    #[error("error: no scenarios")]
    NoScenarios,
    /// Printing to stdout failed (not a broken pipe).
    #[error("error: cannot print: {0}")]
    Print(std::io::Error),
    /// Ctrl-C stopped the run: the finished scenarios were written into
    /// `written` (marked incomplete), or nothing was (none had finished, or
    /// a shard, which is only whole or absent).
    #[error("error: interrupted (Ctrl-C): {}", match written {
        Some(dir) => format!("wrote the {finished} scenario(s) finished of {total} into {}/, marked incomplete", dir.display()),
        None => format!("{finished} of {total} scenario(s) finished; nothing written"),
    })]
    Interrupted {
        written: Option<std::path::PathBuf>,
        finished: usize,
        total: usize,
    },
    /// Ctrl-C stopped a plan: the points evaluated were written into
    /// `written` (marked incomplete, no recommendation), or nothing was
    /// (none had been).
    #[error("error: interrupted (Ctrl-C): {}", match written {
        Some(dir) => format!("wrote the {points} point(s) evaluated into {}/, marked incomplete; no recommendation", dir.display()),
        None => "no point evaluated; nothing written".to_string(),
    })]
    PlanInterrupted {
        written: Option<std::path::PathBuf>,
        points: usize,
    },
    /// Stdout's reader went away: not an error worth a message.
    #[error("")]
    BrokenPipe,
}

impl Error {
    /// An error while printing to stdout: [`Error::BrokenPipe`] when the
    /// reader went away, [`Error::Print`] otherwise.
    pub fn print(e: std::io::Error) -> Error {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Error::BrokenPipe
        } else {
            Error::Print(e)
        }
    }

    /// What the failure means: bad input, a failure while running, or quiet.
    pub fn kind(&self) -> Kind {
        match self {
            Error::Spec(_) | Error::Availability(_) | Error::NoScenarios => Kind::Input,
            Error::Output(e) if e.is_input() => Kind::Input,
            Error::Report(ReportError::Empty(_)) => Kind::Input,
            Error::Threads(e) if e.is_input() => Kind::Input,
            Error::Run(RunFailure::Model { .. } | RunFailure::Shard(_)) => Kind::Input,
            Error::Merge(e) if e.is_input() => Kind::Input,
            Error::Run(RunFailure::Threads(e)) if e.is_input() => Kind::Input,
            Error::Output(_)
            | Error::Report(_)
            | Error::Bench(_)
            | Error::Threads(_)
            | Error::Run(_)
            | Error::Merge(_)
            | Error::Print(_) => Kind::Runtime,
            Error::BrokenPipe => Kind::Quiet,
            Error::Interrupted { .. } | Error::PlanInterrupted { .. } => Kind::Interrupted,
        }
    }

    /// The process exit code of this failure.
    pub fn exit_code(&self) -> i32 {
        self.kind().exit_code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Problem;
    use std::path::PathBuf;

    fn io(kind: std::io::ErrorKind) -> std::io::Error {
        std::io::Error::new(kind, "x")
    }

    #[test]
    fn the_kind_decides_the_exit_code() {
        let input: Error = SpecError::one(Problem::new("a", "b")).into();
        assert_eq!((input.kind(), input.exit_code()), (Kind::Input, 2));
        let foreign = OutputError::Foreign(PathBuf::from("d"), "x.txt".into());
        assert_eq!(Error::from(foreign).exit_code(), 2);
        let write = OutputError::Io(PathBuf::from("d"), io(std::io::ErrorKind::Other));
        assert_eq!(Error::from(write).exit_code(), 1);
        assert_eq!(Error::from(ReportError::Empty("d".into())).exit_code(), 2);
        assert_eq!(Error::from(ThreadsError::Zero).exit_code(), 2);
        let pipe = Error::print(io(std::io::ErrorKind::BrokenPipe));
        assert_eq!((pipe.kind(), pipe.exit_code()), (Kind::Quiet, 1));
        let print = Error::print(io(std::io::ErrorKind::Other));
        assert_eq!((print.kind(), print.exit_code()), (Kind::Runtime, 1));
    }

    #[test]
    fn every_message_starts_with_error_once() {
        let errors: Vec<Error> = vec![
            SpecError::one(Problem::new("a", "b")).into(),
            OutputError::Missing(PathBuf::from("d")).into(),
            ReportError::Empty("d".into()).into(),
            AvailabilityError::Years.into(),
            BenchError::ChildOutput("?".into()).into(),
            ThreadsError::Zero.into(),
            Error::NoScenarios,
            Error::print(io(std::io::ErrorKind::Other)),
        ];
        for e in errors {
            let m = e.to_string();
            assert!(m.starts_with("error: "), "{m}");
            assert_eq!(m.matches("error: ").count(), 1, "{m}");
        }
        assert_eq!(Error::BrokenPipe.to_string(), "");
    }
}
