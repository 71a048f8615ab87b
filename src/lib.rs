//! stacksim: a discrete-event simulator and capacity planner for web
//! infrastructure. See ARCHITECTURE.md for the map of the code.
//!
//! Layers, from the bottom: `engine` (time, events, random streams; no web
//! words), `dist` and `stats` (distributions, streaming statistics),
//! `analytic` (closed forms), `stack` (the web components as a model),
//! `input` (the only code that knows TOML), `experiment` (replications and
//! sweeps in parallel), `report` (the results folder: CSV files), `sharded` (`run --shard`
//! and `merge`), `cli` (the only code that knows clap). [`Error`] (`error.rs`) is every way a command fails, typed;
//! its kind decides the exit code.

pub mod analytic;
pub mod cli;
pub mod dist;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod input;
pub mod plan;
pub mod report;
pub mod sharded;
pub mod stack;
pub mod stats;
pub mod text;

pub use error::Error;
