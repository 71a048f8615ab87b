//! Validation of the servers: nginx and the application (stations, the
//! app's mode), the databases they read from and write to, and the app's
//! database timeout.

use super::super::model::*;
use super::{Checker, Index};
use crate::stack::config::*;

impl Checker<'_> {
    /// Every server of the model, in name order.
    pub(super) fn servers(&mut self, prefix: &str, m: &ModelFile, ix: &Index) -> Vec<ServerConfig> {
        let p = |rest: &str| format!("{prefix}.{rest}");
        let mut servers = vec![];
        for (name, s) in &m.servers {
            let sp = p(&format!("servers.{name}"));
            let nginx = match &s.nginx {
                Some(n) => {
                    self.station(&format!("{sp}.nginx"), n.workers, n.queue_limit, &n.service)
                }
                None => None,
            };
            let app = self.station(
                &format!("{sp}.app"),
                s.app.workers,
                s.app.queue_limit,
                &s.app.service,
            );
            let app_mode = match s.app.mode.as_str() {
                "sync" => AppMode::Sync,
                "async" => AppMode::Async,
                other => {
                    self.err(&format!("{sp}.app.mode"), format!("unknown mode `{other}`; expected `sync` (a worker waits for its queries, like PHP-FPM) or `async`"));
                    AppMode::Sync
                }
            };
            let reads_from = self.db_ref(ix, &format!("{sp}.reads_from"), &s.reads_from);
            let writes_to = self.db_ref(ix, &format!("{sp}.writes_to"), &s.writes_to);
            if let Some(db) = writes_to.and_then(|w| m.databases.values().nth(w))
                && db.role == "replica"
            {
                self.err(
                    &format!("{sp}.writes_to"),
                    format!(
                        "`{}` is a replica, which is read-only (MySQL super_read_only); writes must go to a primary",
                        s.writes_to.as_deref().unwrap_or_default()
                    ),
                );
            }
            if let Some(app) = app {
                servers.push(ServerConfig {
                    name: name.clone(),
                    db_timeout: self.ms_timer(
                        &format!("{sp}.db_timeout"),
                        s.db_timeout.map_or(ServerFile::DB_TIMEOUT, |d| d.0),
                    ),
                    nginx,
                    app,
                    app_mode,
                    reads_from,
                    writes_to,
                    read_routing: self.read_routing(&format!("{sp}.read_routing"), s),
                    reliability: self.reliability(&format!("{sp}.reliability"), &s.reliability),
                });
            }
        }
        servers
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stack::config::AppMode;

    #[test]
    fn php_defaults_apply() {
        let sc = scenario(BASE);
        let s = &sc.model.servers[0];
        assert_eq!(s.db_timeout, SimDuration::from_secs(60));
        assert_eq!(s.app_mode, AppMode::Sync);
        assert!(s.nginx.is_none());
    }

    #[test]
    fn mode_and_databases_are_checked() {
        let p = problems(&format!(
            "{BASE}[model.servers.web2]\napp = {{ workers = 1, service = \"1ms\", mode = \"threads\" }}\nwrites_to = \"r\"\nreads_from = \"x\"\n[model.databases.p]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"1ms\"\n[model.databases.r]\nrole = \"replica\"\nsource = \"p\"\nread = \"1ms\"\n[model]\nentry = \"web1\"\n"
        ));
        for want in [
            "unknown mode `threads`",
            "`r` is a replica, which is read-only",
            "`x` is not a database",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }
}
