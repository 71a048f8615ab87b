//! The only code that knows TOML/serde: file structs, validation, and
//! conversion into domain types. Everything here deserializes with
//! `serde::de::Error::custom` messages that say what was found and what is
//! expected, without repeating the field's path (the caller prefixes it via
//! `serde_path_to_error`). Domain types (`crate::dist`, `crate::engine`)
//! never depend on this module.

pub mod dist;
pub mod duration;
pub mod error;
pub mod expand;
pub mod experiment;
pub mod limits;
pub mod load;
pub mod locate;
pub mod model;
pub mod overrides;
pub mod plan;
pub mod range;
pub mod read;
pub mod stats_spec;
pub mod sweep;
pub mod validate;
mod variants;
pub mod words;
#[cfg(test)]
mod words_walk;

pub use error::{Problem, SpecError};
pub use expand::{Experiment, Input, Overrides, load_experiment, load_input};
pub use sweep::SweepColumns;

use crate::stack::config::{ModelConfig, RunConfig, Scenario, Workload};

/// The scenario of a model file with its own `[workload]`: no faults, no
/// random failures, run as `run` says. The one way code outside this module
/// gets a `Scenario` without an experiment file (`check`'s offered load,
/// `bench`'s measurements).
pub fn scenario_for_model(
    name: String,
    model: ModelConfig,
    workload: Workload,
    run: RunConfig,
) -> Scenario {
    Scenario {
        name,
        model,
        workload,
        faults: vec![],
        random_failures: false,
        run,
    }
}
