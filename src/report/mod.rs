//! Writing results: CSV files (and later charts and the HTML report).
//!
//! A results folder is replaced whole or not at all: every file goes into a
//! staging folder first ([`output::Staged`]), which takes the results
//! folder's name only when all of them are written. Nothing here runs a
//! simulation.

pub mod availability_out;
pub mod csv_out;
pub mod output;
pub mod table;
pub mod topology;

pub use csv_out::write_all;
