//! A request's database queries, the app's side of the journey in
//! `flow.rs`: after the app's CPU work, each query in turn (reads first) —
//! the network to the database when it is on another host, what the query
//! finds there (`database.rs`: open, refused, silent), the database's
//! station, the way back — then the response leaves the app.

use super::database::Reach;
use super::ids::{Link, Query, ReqId, ServerId};
use super::metrics::FailReason;
use super::network::Cut;
use super::slab::Phase;
use super::world::{Event, World};
use crate::engine::{Scheduler, SimDuration};

type Sched = Scheduler<Event>;

impl World {
    /// After the app's CPU work or a query: the next query, or the response.
    #[inline(always)]
    pub(super) fn next_query(&mut self, s: &mut Sched, id: ReqId) {
        let r = &mut self.reqs[id];
        let Some(sv) = r.server else { return };
        let Some(q) = self.servers[sv.index()].next_query(&mut r.reads_left, &mut r.writes_left)
        else {
            self.app_done(s, id);
            return;
        };
        if let Query::Read(d) = q
            && self.dbs[d.index()].node.is_some()
        {
            // A replication set: the read goes where its routing says.
            self.route_read(s, id, sv, d);
            return;
        }
        self.query_at(s, id, sv, q);
    }

    /// Sends query `q` of request `id` (at server `sv`) to its database.
    #[inline]
    pub(super) fn query_at(&mut self, s: &mut Sched, id: ReqId, sv: ServerId, q: Query) {
        self.reqs[id].query = Some(q);
        let d = self.db_hop(sv, q);
        if self.wait(s, id, d, Phase::AtDb) {
            return;
        }
        self.query(s, id, q);
    }

    /// Network delay between a server and a database (zero if co-located).
    #[inline(always)]
    fn db_hop(&mut self, server: ServerId, q: Query) -> SimDuration {
        if self.dbs[q.db().index()].on_host(server) {
            SimDuration::ZERO
        } else {
            self.net.delay(Link::ServerDb)
        }
    }

    /// The request's query reaches its database.
    pub(super) fn query(&mut self, s: &mut Sched, id: ReqId, q: Query) {
        let Some(sv) = self.reqs[id].server else {
            return;
        };
        let db = &self.dbs[q.db().index()];
        let st = db.station;
        let host = db.host.map(|h| {
            let h = &self.servers[h.index()];
            (h.up, h.silent)
        });
        let cut_off = self.net.is_cut(Cut::ServerDb(sv, q.db()));
        let (reason, delay) = match db.reach(host, cut_off) {
            Reach::Open => {
                self.station(s, id, st, q.kind(), Phase::DbDone);
                return;
            }
            // A refused connection fails at once; a silent host (or one
            // behind a partition) holds the app and its worker until its
            // `db_timeout`.
            Reach::Refused => (FailReason::DbError, SimDuration::ZERO),
            Reach::Silent => (FailReason::DbTimeout, self.servers[sv.index()].db_timeout),
        };
        if let Query::Write(d) = q {
            self.write_failed(s.now(), d);
        }
        let req = &mut self.reqs[id];
        req.fail = Some((reason, World::station_place(st)));
        req.reads_left = 0;
        req.writes_left = 0;
        if self.wait(s, id, delay, Phase::AppDone) {
            return;
        }
        self.app_done(s, id);
    }

    pub(super) fn db_done(&mut self, s: &mut Sched, id: ReqId) {
        let r = self.reqs[id];
        if let Some(Query::Read(d)) = r.query
            && self.dbs[d.index()].node.is_some()
        {
            self.read_served(s.now(), id, d);
        }
        if let (Some(sv), Some(q)) = (r.server, r.query) {
            let d = self.db_hop(sv, q);
            if self.wait(s, id, d, Phase::NextQuery) {
                return;
            }
        }
        self.next_query(s, id);
    }
}
