//! Reading a results folder back: the CSVs a run or an availability study
//! wrote, plus `experiment.csv` and `model.csv` (see `meta.rs`), as typed
//! rows for the charts and the reports. This is the only input of the
//! chart and report builders, so `run` and `stacksim report DIR` draw from
//! exactly the same bytes.
//!
//! Every file is optional: a folder holds what its commands wrote (a run's
//! CSVs, an availability study's, or both). Columns are found by name; an
//! empty cell (a figure that does not exist, such as the p99 of a window
//! without a successful request) reads as NaN.
//!
//! The row types are in `data/rows.rs`, the CSV reading in `data/table.rs`.

use super::ReportError;
use std::path::Path;

mod rows;
mod table;

pub use rows::{
    Availability, Component, Event, Failure, Percentile, PlanRow, ReplSummary, ReplWindow, Station,
    Summary, Window, WindowFailure,
};
use table::{Row, Table, load};

/// Everything in a results folder.
#[derive(Clone, Debug, Default)]
pub struct Folder {
    /// `experiment.csv`: (key, value) in file order.
    pub meta: Vec<(String, String)>,
    /// `model.csv`: (component, parameters).
    pub model: Vec<(String, String)>,
    pub summary: Vec<Summary>,
    pub percentiles: Vec<Percentile>,
    pub stations: Vec<Station>,
    pub failures: Vec<Failure>,
    pub windows: Vec<Window>,
    /// `failures_over_time.csv` (absent in folders of older runs).
    pub window_failures: Vec<WindowFailure>,
    pub timeline: Vec<Event>,
    pub availability: Vec<Availability>,
    pub components: Vec<Component>,
    /// `replication.csv` and `replication_over_time.csv` (a model with
    /// replicas only).
    pub replication: Vec<ReplSummary>,
    pub replication_windows: Vec<ReplWindow>,
    /// `topology.svg`, if present.
    pub topology_svg: Option<String>,
    /// A sweep's axis columns of `summary.csv` (between `scenario` and
    /// `replications`), in order; empty without a sweep.
    pub axes: Vec<String>,
    /// `plan.csv`, written by `stacksim plan`.
    pub plan: Vec<PlanRow>,
}

impl Folder {
    /// Reads every known file of `dir` that exists.
    pub fn read(dir: &Path) -> Result<Folder, ReportError> {
        let pair = |a: &'static str, b: &'static str| move |r: &Row| Ok((r.text(a)?, r.text(b)?));
        let topology = dir.join("topology.svg");
        let axes: Vec<String> = match Table::read(dir, "summary.csv")? {
            Some(t) => {
                let end = t.col("replications")?;
                t.headers[1.min(end)..end].to_vec()
            }
            None => vec![],
        };
        Ok(Folder {
            meta: load(dir, "experiment.csv", pair("key", "value"))?,
            model: load(dir, "model.csv", pair("component", "parameters"))?,
            summary: load(dir, "summary.csv", |r| {
                Ok(Summary {
                    scenario: r.text("scenario")?,
                    replications: r.num("replications")?,
                    requests: r.num("requests")?,
                    ok: r.num("ok")?,
                    failed: r.num("failed")?,
                    availability: r.num("availability")?,
                    availability_ci95: r.num("availability_ci95")?,
                    throughput_rps: r.num("throughput_rps")?,
                    throughput_rps_ci95: r.num("throughput_rps_ci95")?,
                    mean_ms: r.num("mean_ms")?,
                    mean_ms_ci95: r.num("mean_ms_ci95")?,
                    p50_ms: r.num("p50_ms")?,
                    p99_ms: r.num("p99_ms")?,
                    p99_ms_ci95: r.num("p99_ms_ci95")?,
                    p999_ms: r.num("p999_ms")?,
                    max_ms: r.num("max_ms")?,
                    axis_values: (axes.iter()).map(|a| r.text(a)).collect::<Result<_, _>>()?,
                })
            })?,
            percentiles: load(dir, "percentiles.csv", |r| {
                Ok(Percentile {
                    scenario: r.text("scenario")?,
                    nines: r.num("nines")?,
                    latency_ms: r.num("latency_ms")?,
                })
            })?,
            stations: load(dir, "stations.csv", |r| {
                Ok(Station {
                    scenario: r.text("scenario")?,
                    station: r.text("station")?,
                    utilisation: r.num("utilisation")?,
                })
            })?,
            failures: load(dir, "failures.csv", |r| {
                Ok(Failure {
                    scenario: r.text("scenario")?,
                    replication: r.num("replication")?,
                    reason: r.text("reason")?,
                    count: r.num("count")?,
                })
            })?,
            windows: load(dir, "timeseries.csv", |r| {
                Ok(Window {
                    scenario: r.text("scenario")?,
                    replication: r.num("replication")?,
                    t_s: r.num("t_s")?,
                    failed: r.num("failed")?,
                    p50_ms: r.num("p50_ms")?,
                    p99_ms: r.num("p99_ms")?,
                })
            })?,
            window_failures: load(dir, "failures_over_time.csv", |r| {
                Ok(WindowFailure {
                    scenario: r.text("scenario")?,
                    replication: r.num("replication")?,
                    t_s: r.num("t_s")?,
                    reason: r.text("reason")?,
                    count: r.num("count")?,
                })
            })?,
            timeline: load(dir, "timeline.csv", |r| {
                Ok(Event {
                    scenario: r.text("scenario")?,
                    replication: r.num("replication")?,
                    t_s: r.num("t_s")?,
                    event: r.text("event")?,
                })
            })?,
            availability: load(dir, "availability.csv", |r| {
                Ok(Availability {
                    scenario: r.text("scenario")?,
                    replications: r.num("replications")?,
                    years: r.num("years")?,
                    availability: r.num("availability")?,
                    availability_ci95: r.num("availability_ci95")?,
                    downtime_min_per_year: r.num("downtime_min_per_year")?,
                    analytic_availability: r.num("analytic_availability")?,
                    analytic_downtime_min_per_year: r.num("analytic_downtime_min_per_year")?,
                })
            })?,
            components: load(dir, "availability_components.csv", |r| {
                Ok(Component {
                    scenario: r.text("scenario")?,
                    component: r.text("component")?,
                    failures_per_year: r.num("failures_per_year")?,
                    downtime_share: r.num("downtime_share")?,
                })
            })?,
            replication: load(dir, "replication.csv", |r| {
                Ok(ReplSummary {
                    scenario: r.text("scenario")?,
                    set: r.text("set")?,
                    stale_share: r.num("stale_share")?,
                    stale_share_ci95: r.num("stale_share_ci95")?,
                    stale_age_mean_ms: r.num("stale_age_mean_ms")?,
                    ryw_violations: r.num("ryw_violations")?,
                    write_wait_mean_ms: r.num("write_wait_mean_ms")?,
                    write_wait_p99_ms: r.num("write_wait_p99_ms")?,
                    semi_sync_fallbacks: r.num("semi_sync_fallbacks")?,
                    failed_writes: r.num("failed_writes")?,
                    lost_writes: r.num("lost_writes")?,
                    lost_writes_ci95: r.num("lost_writes_ci95")?,
                    lost_acknowledged: r.num("lost_acknowledged")?,
                    rpo_s: r.num("rpo_s")?,
                    failovers: r.num("failovers")?,
                    read_only_s: r.num("read_only_s")?,
                    lag_mean_s: r.num("lag_mean_s")?,
                    lag_mean_s_ci95: r.num("lag_mean_s_ci95")?,
                    lag_p99_s: r.num("lag_p99_s")?,
                    lag_max_s: r.num("lag_max_s")?,
                    staleness_mean_s: r.num("staleness_mean_s")?,
                })
            })?,
            replication_windows: load(dir, "replication_over_time.csv", |r| {
                Ok(ReplWindow {
                    scenario: r.text("scenario")?,
                    replication: r.num("replication")?,
                    t_s: r.num("t_s")?,
                    reads: r.num("reads")?,
                    stale_reads: r.num("stale_reads")?,
                    lag_mean_s: r.num("lag_mean_s")?,
                    staleness_mean_s: r.num("staleness_mean_s")?,
                })
            })?,
            topology_svg: if topology.exists() {
                Some(
                    std::fs::read_to_string(&topology)
                        .map_err(|e| ReportError::io(&topology, e))?,
                )
            } else {
                None
            },
            plan: load(dir, "plan.csv", |r| {
                Ok(PlanRow {
                    order: r.num("order")?,
                    knob: r.text("knob")?,
                    value: r.num("value")?,
                    run: r.text("run")?,
                    replications: r.num("replications")?,
                    measure: r.text("measure")?,
                    slo_ms: r.num("slo_ms")?,
                    measure_ms: r.num("measure_ms")?,
                    measure_ms_ci95: r.num("measure_ms_ci95")?,
                    mean_ms: r.num("mean_ms")?,
                    analytic_mean_ms: r.num("analytic_mean_ms")?,
                    errors: r.num("errors")?,
                    max_errors: r.num("max_errors")?,
                    run_verdict: r.text("run_verdict")?,
                    point_verdict: r.text("point_verdict")?,
                    recommended: r.text("recommended")? == "1",
                })
            })?,
            axes,
        })
    }

    /// A value of `experiment.csv`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        (self.meta.iter().find(|(k, _)| k == key)).map(|(_, v)| v.as_str())
    }

    /// The scenarios in file order (summary first, else availability).
    pub fn scenarios(&self) -> Vec<String> {
        let mut names: Vec<String> = self.summary.iter().map(|s| s.scenario.clone()).collect();
        if names.is_empty() {
            names = self
                .availability
                .iter()
                .map(|a| a.scenario.clone())
                .collect();
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweeps_summary_is_read_by_column_name_whatever_its_axis_columns() {
        let dir = std::env::temp_dir().join(format!("stacksim-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let head = "replications,requests,ok,failed,availability,availability_ci95,throughput_rps,throughput_rps_ci95,mean_ms,mean_ms_ci95,p50_ms,p90_ms,p95_ms,p99_ms,p99_ms_ci95,p999_ms,max_ms";
        let row = "2,100,99,1,0.99,0.01,50.0,1.0,12.5,0.5,10.0,20.0,25.0,40.0,2.0,60.0,80.0";
        let text = format!(
            "scenario,rate,algorithm,{head}\n\"even/rate=100/algorithm=random(2)\",100,random(2),{row}\n"
        );
        std::fs::write(dir.join("summary.csv"), text).unwrap();
        let folder = Folder::read(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let s = &folder.summary[0];
        assert_eq!(s.scenario, "even/rate=100/algorithm=random(2)");
        assert_eq!((s.replications, s.requests, s.failed), (2.0, 100.0, 1.0));
        assert_eq!((s.p50_ms, s.p99_ms, s.max_ms), (10.0, 40.0, 80.0));
        assert_eq!(folder.scenarios(), vec![s.scenario.clone()]);
        assert_eq!(folder.axes, ["rate", "algorithm"]);
        assert_eq!(s.axis_values, ["100", "random(2)"]);
    }
}
