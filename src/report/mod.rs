//! Writing results: CSV files (and later charts and the HTML report).
//!
//! Files are written whole or not at all: every file goes to a temporary
//! name in the output folder first, and only when all of them are written
//! are they renamed into place. Nothing here runs a simulation.

pub mod availability_out;
pub mod csv_out;
pub mod table;
pub mod topology;

pub use csv_out::write_all;
