//! Text renderings of a model for `stacksim check`: the topology as an
//! indented list or as a mermaid graph (the kind design reviews draw), and
//! the workload and faults (the load table is in `load_table`).

use crate::stack::config::{
    AppMode, Arrivals, DbRole, Entry, ModelConfig, RateProfile, Scenario, Workload,
};
use std::fmt::Write;

fn entry_name(m: &ModelConfig, e: &Entry) -> String {
    match *e {
        Entry::Balancer(b) => m.balancers[b].name.clone(),
        Entry::Server(s) => m.servers[s].name.clone(),
    }
}

fn db_name(m: &ModelConfig, d: Option<usize>) -> String {
    d.map_or_else(|| "-".into(), |d| m.databases[d].name.clone())
}

/// The topology, one component per line.
pub fn topology(m: &ModelConfig) -> String {
    let mut o = String::new();
    let entries: Vec<String> = m.entries.iter().map(|e| entry_name(m, e)).collect();
    match &m.dns {
        Some(d) => {
            let _ = writeln!(
                o,
                "clients → DNS {} (TTL {}, lookup {}) → {}",
                d.record,
                d.ttl,
                d.resolver_latency,
                entries.join(", ")
            );
        }
        None => {
            let _ = writeln!(o, "clients → {}", entries.join(", "));
        }
    }
    for b in &m.balancers {
        let backends: Vec<String> = b
            .backends
            .iter()
            .map(|x| {
                if x.weight == 1 {
                    m.servers[x.server].name.clone()
                } else {
                    format!("{} (weight {})", m.servers[x.server].name, x.weight)
                }
            })
            .collect();
        let own = b.station.as_ref().map_or(String::new(), |s| {
            format!(", {} thread(s), overhead {}", s.workers, s.service)
        });
        let checks = match &b.check {
            Some(c) => format!(
                "checks inter {} fastinter {} downinter {} rise {} fall {} timeout {}",
                c.inter, c.fastinter, c.downinter, c.rise, c.fall, c.timeout
            ),
            None => "no health checks".to_string(),
        };
        let vrrp = match &b.vrrp {
            Some(v) => format!(
                "; keepalived master, backup {} takes the address {} after a host failure{}",
                m.balancers[v.backup].name,
                v.takeover(true).unwrap_or_default(),
                v.takeover(false)
                    .map_or(String::new(), |t| format!(", {t} after HAProxy's")),
            ),
            None => String::new(),
        };
        let _ = writeln!(
            o,
            "balancer {}: {} over {}{own}; {checks}; retries {}{}, timeout connect {}, timeout server {}{vrrp}",
            b.name,
            b.algorithm.name(),
            backends.join(", "),
            b.retries,
            if b.redispatch { " with redispatch" } else { "" },
            b.timeout_connect,
            b.timeout_server
        );
    }
    for s in &m.servers {
        let nginx = s.nginx.as_ref().map_or("no nginx".to_string(), |n| {
            format!("nginx {}×{}", n.workers, n.service)
        });
        let mode = match s.app_mode {
            AppMode::Sync => "sync",
            AppMode::Async => "async",
        };
        let _ = writeln!(
            o,
            "server {}: {nginx} → app {}×{} ({mode}) → reads {}, writes {}",
            s.name,
            s.app.workers,
            s.app.service,
            db_name(m, s.reads_from),
            db_name(m, s.writes_to)
        );
    }
    for d in &m.databases {
        let role = match d.role {
            DbRole::Primary => "primary".to_string(),
            DbRole::Replica { source } => format!("replica of {}", m.databases[source].name),
        };
        let host = d
            .host
            .map_or("its own host".to_string(), |h| m.servers[h].name.clone());
        let _ = writeln!(
            o,
            "database {}: {role} on {host}, {} connection(s), read {}, write {}",
            d.name, d.connections, d.read, d.write
        );
    }
    let net = |d: &Option<crate::dist::Dist>| d.as_ref().map_or("0".to_string(), |d| d.to_string());
    let _ = writeln!(
        o,
        "network (one way): client↔lb {}, lb↔server {}, server↔db {}",
        net(&m.network.client_lb),
        net(&m.network.lb_server),
        net(&m.network.server_db)
    );
    o
}

/// The widest line `check` prints: lines are wrapped at `; ` or `, `.
pub(crate) const WIDTH: usize = 100;

/// `text` (one of this module's descriptions) as `check` prints it: lines
/// wrapped at [`WIDTH`]. The descriptions themselves stay one line per
/// component, which `model.csv` relies on.
pub fn for_terminal(text: &str) -> String {
    crate::text::wrap(text, WIDTH)
}

/// The workload in one line.
pub fn workload(w: &Workload) -> String {
    let head = match &w.arrivals {
        Arrivals::Open {
            rate_per_s,
            profile,
            clients,
        } => {
            let shape = match profile {
                RateProfile::Constant => String::new(),
                RateProfile::Sinusoidal { amplitude, period } => {
                    format!(" × (1 + {amplitude}·sin(2πt/{period}))")
                }
                RateProfile::Steps(steps) => {
                    let s: Vec<String> = steps
                        .iter()
                        .map(|(at, r)| format!("{r} from {at}"))
                        .collect();
                    format!(", then {}", s.join(", "))
                }
            };
            format!("open, {rate_per_s} req/s{shape}, {clients} clients")
        }
        Arrivals::Closed { users, think } => format!("closed, {users} users, think {think}"),
    };
    let classes: Vec<String> = w
        .classes
        .iter()
        .map(|c| {
            format!(
                "{} {:.0}% ({} reads, {} writes)",
                c.name,
                100.0 * c.probability,
                c.reads,
                c.writes
            )
        })
        .collect();
    format!("workload: {head}; {}", classes.join(", "))
}

/// The scenario's faults, one per line (nothing when there are none).
pub fn faults(sc: &Scenario) -> String {
    let m = &sc.model;
    let mut o = String::new();
    for f in &sc.faults {
        let what = m.describe(f);
        let until = f.duration.map_or(", for good".to_string(), |d| {
            format!(", recovers after {d}")
        });
        let late = if f.at >= sc.run.duration {
            " (after the run ends: never happens)"
        } else {
            ""
        };
        let _ = writeln!(o, "fault: at {} {what}{until}{late}", f.at);
    }
    o
}

/// The topology as a mermaid flowchart.
pub fn mermaid(m: &ModelConfig) -> String {
    let mut o = String::from("graph LR\n");
    let id = |s: &str| s.replace(['.', '-', ' '], "_");
    let _ = writeln!(o, "  clients([clients])");
    let targets: Vec<String> = m.entries.iter().map(|e| id(&entry_name(m, e))).collect();
    match &m.dns {
        Some(d) => {
            let _ = writeln!(o, "  dns{{{{\"DNS {} (TTL {})\"}}}}", d.record, d.ttl);
            let _ = writeln!(o, "  clients --> dns");
            for t in &targets {
                let _ = writeln!(o, "  dns --> {t}");
            }
        }
        None => {
            for t in &targets {
                let _ = writeln!(o, "  clients --> {t}");
            }
        }
    }
    for b in &m.balancers {
        let _ = writeln!(
            o,
            "  {}[\"{} ({})\"]",
            id(&b.name),
            b.name,
            b.algorithm.name()
        );
        for x in &b.backends {
            let _ = writeln!(o, "  {} --> {}", id(&b.name), id(&m.servers[x.server].name));
        }
    }
    for s in &m.servers {
        let _ = writeln!(o, "  subgraph {} [\"{}\"]", id(&s.name), s.name);
        let app = format!("{}_app", id(&s.name));
        if s.nginx.is_some() {
            let _ = writeln!(o, "    {}_nginx[nginx] --> {app}[app]", id(&s.name));
        } else {
            let _ = writeln!(o, "    {app}[app]");
        }
        for d in m
            .databases
            .iter()
            .filter(|d| d.host.is_some_and(|h| std::ptr::eq(&m.servers[h], s)))
        {
            let _ = writeln!(o, "    {}[(\"{} MySQL\")]", id(&d.name), d.name);
        }
        let _ = writeln!(o, "  end");
        if let Some(r) = s.reads_from {
            let _ = writeln!(o, "  {app} -- reads --> {}", id(&m.databases[r].name));
        }
        if let Some(w) = s.writes_to {
            let _ = writeln!(o, "  {app} -- writes --> {}", id(&m.databases[w].name));
        }
    }
    for d in &m.databases {
        if d.host.is_none() {
            let _ = writeln!(o, "  {}[(\"{} MySQL\")]", id(&d.name), d.name);
        }
        if let DbRole::Replica { source } = d.role {
            let _ = writeln!(
                o,
                "  {} -. replication .-> {}",
                id(&m.databases[source].name),
                id(&d.name)
            );
        }
    }
    o
}
