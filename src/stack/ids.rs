//! What things are: typed ids for the stack's components and requests, and
//! the small enums that replace flags (a query's kind, a network link, the
//! side of a balancer timeout).
//!
//! A component id is an index into its arena in `World` (balancers, servers,
//! databases, stations), stored as `index + 1` in a `NonZeroU16` so that
//! `Option<Id>` is as small as the id and needs no sentinel. A [`ReqId`] is
//! a slot of the request slab (`slab.rs`); slots are reused, so a timer that
//! names one also carries the slot's generation.

use std::num::NonZeroU16;

macro_rules! component_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(NonZeroU16);

        impl $name {
            /// The id of arena index `i` (validated counts fit a `u16`).
            #[inline]
            pub fn new(i: usize) -> Self {
                debug_assert!(i < usize::from(u16::MAX));
                $name(NonZeroU16::new(i as u16 + 1).expect("index below u16::MAX"))
            }

            /// The index into the component's arena.
            #[inline]
            pub fn index(self) -> usize {
                usize::from(self.0.get() - 1)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.index())
            }
        }
    };
}

component_id!(
    /// A balancer (HAProxy), index into `World::balancers`.
    LbId
);
component_id!(
    /// A server (nginx + app), index into `World::servers`.
    ServerId
);
component_id!(
    /// A database, index into `World::dbs`.
    DbId
);
component_id!(
    /// A station (a FIFO queue with workers), index into `World::stations`;
    /// also the first places failures are counted at.
    StationId
);

/// A slot of the request slab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReqId(pub u32);

impl ReqId {
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A database query the app makes: which database, and whether it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Query {
    Read(DbId),
    Write(DbId),
}

impl Query {
    #[inline]
    pub fn db(self) -> DbId {
        match self {
            Query::Read(d) | Query::Write(d) => d,
        }
    }

    /// The database station's job kind: 0 a read, 1 a write.
    #[inline]
    pub fn kind(self) -> u8 {
        match self {
            Query::Read(_) => 0,
            Query::Write(_) => 1,
        }
    }
}

/// A network link of the stack (each with its own latency and faults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    ClientLb,
    LbServer,
    ServerDb,
}

impl Link {
    /// The link of the configuration's numbering (0, 1, 2).
    pub fn from_index(i: u8) -> Link {
        match i {
            0 => Link::ClientLb,
            1 => Link::LbServer,
            _ => Link::ServerDb,
        }
    }

    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which of a balancer's shared-duration timeouts a deadline belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutSide {
    /// `timeout server`: the answer from the backend.
    Server,
    /// `timeout client`: the answer going out to the client.
    Client,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_options_stay_small() {
        assert_eq!(LbId::new(0).index(), 0);
        assert_eq!(ServerId::new(65_000).index(), 65_000);
        assert_eq!(format!("{:?}", DbId::new(3)), "DbId(3)");
        assert_eq!(size_of::<Option<ServerId>>(), 2);
        assert_eq!(size_of::<Option<Query>>(), 4);
    }

    #[test]
    fn a_query_knows_its_database_and_kind() {
        let (r, w) = (Query::Read(DbId::new(1)), Query::Write(DbId::new(2)));
        assert_eq!((r.db().index(), r.kind()), (1, 0));
        assert_eq!((w.db().index(), w.kind()), (2, 1));
    }

    #[test]
    fn links_keep_the_configurations_numbering() {
        for (i, l) in [Link::ClientLb, Link::LbServer, Link::ServerDb]
            .into_iter()
            .enumerate()
        {
            assert_eq!(Link::from_index(i as u8), l);
            assert_eq!(l.index(), i);
        }
    }
}
