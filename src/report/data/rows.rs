//! The typed rows of a results folder's files, one struct per CSV
//! (`summary.csv`, `plan.csv`, `percentiles.csv`, `stations.csv`,
//! `failures.csv`, `timeseries.csv`, `timeline.csv`, the availability
//! study's, `failures_over_time.csv` and the replication files), each
//! field named as its column; [`Folder`](super::Folder) holds them.

/// A row of `summary.csv`.
#[derive(Clone, Debug)]
pub struct Summary {
    pub scenario: String,
    pub replications: f64,
    pub requests: f64,
    pub ok: f64,
    pub failed: f64,
    pub availability: f64,
    pub availability_ci95: f64,
    pub throughput_rps: f64,
    pub throughput_rps_ci95: f64,
    pub mean_ms: f64,
    pub mean_ms_ci95: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p99_ms_ci95: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// With a sweep: the scenario's value on each axis (`Folder::axes`).
    pub axis_values: Vec<String>,
}

/// A row of `plan.csv` (the planner's evidence; see `plan_out.rs`).
#[derive(Clone, Debug)]
pub struct PlanRow {
    pub order: f64,
    pub knob: String,
    pub value: f64,
    /// `all`, or `without web1`.
    pub run: String,
    pub replications: f64,
    pub measure: String,
    pub slo_ms: f64,
    pub measure_ms: f64,
    pub measure_ms_ci95: f64,
    pub mean_ms: f64,
    pub analytic_mean_ms: f64,
    pub errors: f64,
    pub max_errors: f64,
    pub run_verdict: String,
    pub point_verdict: String,
    pub recommended: bool,
}

/// A row of `percentiles.csv`.
#[derive(Clone, Debug)]
pub struct Percentile {
    pub scenario: String,
    pub nines: f64,
    pub latency_ms: f64,
}

/// A row of `stations.csv`.
#[derive(Clone, Debug)]
pub struct Station {
    pub scenario: String,
    pub station: String,
    pub utilisation: f64,
}

/// A row of `failures.csv`.
#[derive(Clone, Debug)]
pub struct Failure {
    pub scenario: String,
    pub replication: f64,
    pub reason: String,
    pub count: f64,
}

/// A row of `timeseries.csv`.
#[derive(Clone, Debug)]
pub struct Window {
    pub scenario: String,
    pub replication: f64,
    pub t_s: f64,
    pub failed: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// A row of `timeline.csv`.
#[derive(Clone, Debug)]
pub struct Event {
    pub scenario: String,
    pub replication: f64,
    pub t_s: f64,
    pub event: String,
}

/// A row of `availability.csv`.
#[derive(Clone, Debug)]
pub struct Availability {
    pub scenario: String,
    pub replications: f64,
    pub years: f64,
    pub availability: f64,
    pub availability_ci95: f64,
    pub downtime_min_per_year: f64,
    pub analytic_availability: f64,
    pub analytic_downtime_min_per_year: f64,
}

/// A row of `availability_components.csv`.
#[derive(Clone, Debug)]
pub struct Component {
    pub scenario: String,
    pub component: String,
    pub failures_per_year: f64,
    pub downtime_share: f64,
}

/// A row of `failures_over_time.csv`: one window's failures of one reason.
#[derive(Clone, Debug)]
pub struct WindowFailure {
    pub scenario: String,
    pub replication: f64,
    pub t_s: f64,
    pub reason: String,
    pub count: f64,
}

/// A row of `replication.csv`: one replication set in one scenario.
#[derive(Clone, Debug)]
pub struct ReplSummary {
    pub scenario: String,
    pub set: String,
    pub stale_share: f64,
    pub stale_share_ci95: f64,
    pub stale_age_mean_ms: f64,
    pub ryw_violations: f64,
    pub write_wait_mean_ms: f64,
    pub write_wait_p99_ms: f64,
    pub semi_sync_fallbacks: f64,
    pub failed_writes: f64,
    pub lost_writes: f64,
    pub lost_writes_ci95: f64,
    pub lost_acknowledged: f64,
    pub rpo_s: f64,
    pub failovers: f64,
    pub read_only_s: f64,
    pub lag_mean_s: f64,
    pub lag_mean_s_ci95: f64,
    pub lag_p99_s: f64,
    pub lag_max_s: f64,
    pub staleness_mean_s: f64,
}

/// A row of `replication_over_time.csv`.
#[derive(Clone, Debug)]
pub struct ReplWindow {
    pub scenario: String,
    pub replication: f64,
    pub t_s: f64,
    pub reads: f64,
    pub stale_reads: f64,
    pub lag_mean_s: f64,
    pub staleness_mean_s: f64,
}
