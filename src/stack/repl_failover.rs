//! A database of a replication set dies or comes back: the primary's
//! death stops writes (waiting semi-sync commits fail) and starts the
//! set's failover policy — the promotion of the most advanced replica
//! that is up, with the writes it never received **lost**, and every
//! server's `writes_to` moved to it; a primary that restarts before the
//! promotion takes writes again and loses nothing; after a promotion it
//! rejoins as a replica. A replica's death drops its links (its reads fail
//! or move, as the servers' routing says) and it catches up on return.

use super::ids::{DbId, ServerId};
use super::world::{Event, World};
use crate::engine::Scheduler;

type Sched = Scheduler<Event>;

impl World {
    /// Database `d` stops answering: its process died (connections
    /// reset) or its host (`silent`: nothing tells its replicas).
    pub(super) fn db_down(&mut self, s: &mut Sched, d: DbId, silent: bool) {
        let Some((c, node)) = self.dbs[d.index()].node else {
            return;
        };
        let c = usize::from(c);
        let now = s.now();
        let name = self.dbs_name(d);
        let cl = &mut self.clusters[c];
        if cl.repl.primary() == Some(node) {
            cl.repl.fail_primary(now, silent, &mut cl.fx);
            let delay = cl.failover_delay(now, self.detection);
            cl.promote_epoch += 1;
            let epoch = cl.promote_epoch;
            let text = match delay {
                Some(d) => format!(
                    "{name} (primary) is down: writes fail; {} failover in {d}",
                    cl.policy()
                ),
                None => format!("{name} (primary) is down: writes fail until it is back"),
            };
            self.log(s, text);
            if let Some(d) = delay {
                self.schedule_promotion(s, c, now + d, epoch);
            }
        } else if cl.repl.is_replica(node) {
            cl.repl.fail_replica(node, &mut cl.fx);
        }
        self.repl_flush(s, c);
    }

    /// Database `d` answers again (process restarted, host up).
    pub(super) fn db_up(&mut self, s: &mut Sched, d: DbId) {
        let Some((c, node)) = self.dbs[d.index()].node else {
            return;
        };
        let c = usize::from(c);
        let now = s.now();
        let name = self.dbs_name(d);
        let cl = &mut self.clusters[c];
        if cl.repl.is_detached(node) {
            if cl.repl.primary().is_some() {
                cl.repl.rejoin_as_replica(now, node, &mut cl.fx);
                let text = format!("{name} rejoins as a replica");
                self.log(s, text);
            } else {
                cl.repl.restore_primary(now, node);
                cl.promote_epoch += 1;
                cl.primary_back(now);
                let text = format!("{name} (primary) is back before any failover: nothing lost");
                self.log(s, text);
            }
        } else if cl.repl.is_replica(node) {
            cl.repl.restore_replica(now, node, &mut cl.fx);
        }
        self.repl_flush(s, c);
    }

    /// A partition between databases `a` and `b` starts (`cut`) or heals:
    /// the replication link between them, if one is the other's source,
    /// carries nothing meanwhile. Nothing else notices: no request crosses
    /// it, and the failover policy still sees the primary up.
    pub(super) fn repl_partition(&mut self, s: &mut Sched, a: DbId, b: DbId, cut: bool) {
        let (Some((c, na)), Some((cb, nb))) = (self.dbs[a.index()].node, self.dbs[b.index()].node)
        else {
            return;
        };
        if c != cb {
            return;
        }
        let c = usize::from(c);
        let now = s.now();
        let cl = &mut self.clusters[c];
        if cut {
            cl.repl.cut_link(now, na, nb, &mut cl.fx);
        } else {
            cl.repl.heal_link(now, na, nb, &mut cl.fx);
        }
        self.repl_flush(s, c);
    }

    /// The failover of set `c` is due: promote the most advanced replica.
    pub(super) fn promote(&mut self, s: &mut Sched, c: usize) {
        let now = s.now();
        let cl = &mut self.clusters[c];
        let Some(node) = cl.repl.most_advanced_replica() else {
            let text = format!("{}: no replica is up to promote", cl.name);
            self.log(s, text);
            return;
        };
        let Some(report) = cl.repl.promote(now, node, &mut cl.fx) else {
            return;
        };
        cl.failed_over(now, &report);
        let new = cl.members[node.idx()];
        let members = cl.members.clone();
        for sv in &mut self.servers {
            if sv.writes_to.is_some_and(|w| members.contains(&w)) {
                sv.writes_to = Some(new);
            }
        }
        let text = format!(
            "{} promoted to primary: {} write(s) lost, RPO {:.3} s",
            self.dbs_name(new),
            report.lost_writes,
            report.rpo.as_secs_f64()
        );
        self.log(s, text);
    }

    fn dbs_name(&self, d: DbId) -> String {
        self.stations[self.dbs[d.index()].station.index()]
            .name
            .clone()
    }

    /// Every database on server `sv`'s host, for a host's crash or return.
    pub(super) fn dbs_on(&self, sv: ServerId) -> Vec<DbId> {
        (0..self.dbs.len())
            .filter(|&i| self.dbs[i].on_host(sv))
            .map(DbId::new)
            .collect()
    }

    /// Server `sv`'s host is up again: its databases whose process is up
    /// answer again.
    pub(super) fn host_up(&mut self, s: &mut Sched, sv: ServerId) {
        for d in self.dbs_on(sv) {
            if self.dbs[d.index()].up {
                self.db_up(s, d);
            }
        }
    }

    /// Database `d`'s process restarted: it answers if its host is up.
    pub(super) fn db_process_up(&mut self, s: &mut Sched, d: DbId) {
        self.dbs[d.index()].up = true;
        let host_up = self.dbs[d.index()]
            .host
            .is_none_or(|h| self.servers[h.index()].up);
        if host_up {
            self.db_up(s, d);
        }
    }
}
