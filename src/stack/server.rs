//! A server: its host (up, or down silently or refusing), nginx and the
//! application as stations, how the app waits on its database (`db_timeout`,
//! sync or async workers), and the databases it reads from and writes to.
//!
//! The stations themselves live in `World`'s station arena (their order is
//! the report's); a server holds their ids.

use super::config::{AppMode, ServerConfig};
use super::ids::{DbId, Query, StationId};
use crate::engine::SimDuration;

pub(super) struct Server {
    pub(super) name: String,
    /// Really up (not what the balancers believe).
    pub(super) up: bool,
    /// When down: true for a silent host, false for a refusing process.
    pub(super) silent: bool,
    pub(super) db_timeout: SimDuration,
    pub(super) nginx: Option<StationId>,
    pub(super) app: StationId,
    pub(super) mode: AppMode,
    pub(super) reads_from: Option<DbId>,
    pub(super) writes_to: Option<DbId>,
    /// Where reads go when `reads_from` belongs to a replication set.
    pub(super) read_routing: super::replication::ReadRouting,
}

impl Server {
    pub(super) fn new(cfg: &ServerConfig, nginx: Option<StationId>, app: StationId) -> Self {
        Server {
            name: cfg.name.clone(),
            up: true,
            silent: false,
            db_timeout: cfg.db_timeout,
            nginx,
            app,
            mode: cfg.app_mode,
            reads_from: cfg.reads_from.map(DbId::new),
            writes_to: cfg.writes_to.map(DbId::new),
            read_routing: cfg.read_routing,
        }
    }

    /// The app's next query, reads first, counting it off; `None` when
    /// none is left (or the server has no database for it).
    #[inline]
    pub(super) fn next_query(&self, reads_left: &mut u16, writes_left: &mut u16) -> Option<Query> {
        if *reads_left > 0 {
            *reads_left -= 1;
            self.reads_from.map(Query::Read)
        } else if *writes_left > 0 {
            *writes_left -= 1;
            self.writes_to.map(Query::Write)
        } else {
            None
        }
    }

    /// The host (or the process, when not `silent`) dies.
    pub(super) fn crash(&mut self, silent: bool) {
        self.up = false;
        self.silent = silent;
    }

    /// Down and not answering at all (connections time out).
    #[inline]
    pub(super) fn is_silent(&self) -> bool {
        !self.up && self.silent
    }

    /// Its own stations (nginx, app), for a slow-down of the host.
    pub(super) fn stations(&self) -> impl Iterator<Item = StationId> + use<> {
        self.nginx.into_iter().chain(std::iter::once(self.app))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::config::StationConfig;

    fn server() -> Server {
        let st = StationConfig {
            workers: 1,
            queue_limit: None,
            service: crate::dist::Dist::Constant { value_ns: 0.0 },
        };
        let cfg = ServerConfig {
            name: "web1".into(),
            db_timeout: SimDuration::from_secs(60),
            nginx: None,
            app: st,
            app_mode: AppMode::Sync,
            reads_from: Some(1),
            writes_to: Some(0),
            read_routing: crate::stack::replication::ReadRouting::Local,
            reliability: None,
        };
        Server::new(&cfg, Some(StationId::new(0)), StationId::new(1))
    }

    #[test]
    fn reads_come_first_then_writes() {
        let sv = server();
        let (mut r, mut w) = (2, 1);
        let queries: Vec<Query> = std::iter::from_fn(|| sv.next_query(&mut r, &mut w)).collect();
        let (rd, wr) = (DbId::new(1), DbId::new(0));
        assert_eq!(
            queries,
            [Query::Read(rd), Query::Read(rd), Query::Write(wr)]
        );
    }

    #[test]
    fn a_crash_is_silent_or_refusing() {
        let mut sv = server();
        let ids: Vec<usize> = sv.stations().map(StationId::index).collect();
        assert_eq!(ids, [0, 1]);
        sv.crash(false);
        assert!(!sv.up && !sv.is_silent());
        sv.crash(true);
        assert!(sv.is_silent());
    }
}
