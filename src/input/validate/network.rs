//! Validation of a model's front: the DNS record and where clients
//! connect, the network latencies between tiers, and the VRRP pairs of
//! balancers (keepalived).

use super::super::model::*;
use super::{Checker, Index};
use crate::engine::SimDuration;
use crate::stack::config::*;

impl Checker<'_> {
    /// A balancer or a server that clients can connect to.
    fn entry_of(&mut self, ix: &Index, path: &str, name: &str) -> Option<Entry> {
        if let Some(&i) = ix.balancers.get(name) {
            Some(Entry::Balancer(i))
        } else if let Some(&i) = ix.servers.get(name) {
            Some(Entry::Server(i))
        } else {
            self.err(
                path,
                format!(
                    "`{name}` is not a balancer or a server (balancers {}; servers {})",
                    Index::names(&ix.balancers),
                    Index::names(&ix.servers)
                ),
            );
            None
        }
    }

    /// The DNS record (if any) and the entry points clients connect to.
    pub(super) fn dns(
        &mut self,
        prefix: &str,
        m: &ModelFile,
        ix: &Index,
    ) -> (Option<DnsConfig>, Vec<Entry>) {
        let p = |rest: &str| format!("{prefix}.{rest}");
        let mut entries = vec![];
        let dns = match &m.dns {
            Some(d) => {
                if d.addresses.is_empty() {
                    self.err(
                        &p("dns.addresses"),
                        "a DNS record needs at least one address",
                    );
                }
                for (i, a) in d.addresses.iter().enumerate() {
                    if let Some(e) = self.entry_of(ix, &p(&format!("dns.addresses[{i}]")), a) {
                        entries.push(e);
                    }
                }
                let lat = self.dist(&p("dns.resolver_latency"), &d.resolver_latency);
                lat.map(|resolver_latency| DnsConfig {
                    record: d.record.clone(),
                    ttl: d.ttl.0,
                    resolver_latency,
                })
            }
            None => None,
        };
        if m.dns.is_some() && m.entry.is_some() {
            self.err(
                &p("entry"),
                "give either [dns] addresses or `entry`, not both",
            );
        }
        if m.dns.is_none() {
            match &m.entry {
                Some(name) => {
                    if let Some(e) = self.entry_of(ix, &p("entry"), name) {
                        entries.push(e);
                    }
                }
                None if m.balancers.len() == 1 => entries.push(Entry::Balancer(0)),
                None if m.balancers.is_empty() && m.servers.len() == 1 => entries.push(Entry::Server(0)),
                None if !m.servers.is_empty() => self.err(prefix, "say where clients connect: add a [dns] record with `addresses`, or `entry = \"NAME\"`"),
                None => {}
            }
        }
        (dns, entries)
    }

    /// One-way latencies between tiers; left out = zero.
    pub(super) fn network(&mut self, prefix: &str, m: &ModelFile) -> NetworkConfig {
        let p = |rest: &str| format!("{prefix}.{rest}");
        NetworkConfig {
            client_lb: m
                .network
                .client_lb
                .as_ref()
                .and_then(|d| self.dist(&p("network.client_lb"), d)),
            lb_server: m
                .network
                .lb_server
                .as_ref()
                .and_then(|d| self.dist(&p("network.lb_server"), d)),
            server_db: m
                .network
                .server_db
                .as_ref()
                .and_then(|d| self.dist(&p("network.server_db"), d)),
        }
    }

    /// keepalived VRRP: each pair's backup, advertisement and tracking.
    pub(super) fn vrrp(
        &mut self,
        prefix: &str,
        m: &ModelFile,
        ix: &Index,
        balancers: &mut [BalancerConfig],
    ) {
        let p = |rest: &str| format!("{prefix}.{rest}");
        for (i, (name, b)) in m.balancers.iter().enumerate() {
            let Some(v) = &b.vrrp else { continue };
            let vp = p(&format!("balancers.{name}.vrrp"));
            let Some(&backup) = ix.balancers.get(v.backup.as_str()) else {
                self.err(
                    &format!("{vp}.backup"),
                    format!(
                        "`{}` is not a balancer ({})",
                        v.backup,
                        Index::names(&ix.balancers)
                    ),
                );
                continue;
            };
            if backup == i {
                self.err(
                    &format!("{vp}.backup"),
                    "a balancer cannot be its own backup",
                );
                continue;
            }
            let centis = SimDuration::from_millis(10);
            let advert_int = self.timer(
                &format!("{vp}.advert_int"),
                v.advert_int.map_or(VrrpFile::ADVERT_INT, |d| d.0),
                centis,
                "centiseconds",
            );
            let track = match v.track_haproxy.unwrap_or(VrrpFile::TRACK_HAPROXY) {
                true => Some((
                    self.timer(
                        &format!("{vp}.track_interval"),
                        v.track_interval.map_or(VrrpFile::TRACK_INTERVAL, |d| d.0),
                        centis,
                        "centiseconds",
                    ),
                    self.at_least_one(
                        &format!("{vp}.track_fall"),
                        v.track_fall.unwrap_or(VrrpFile::TRACK_FALL),
                    ),
                )),
                false => None,
            };
            if let Some(cfg) = balancers.get_mut(i) {
                cfg.vrrp = Some(Vrrp {
                    backup,
                    advert_int,
                    backup_priority: v.backup_priority.unwrap_or(VrrpFile::BACKUP_PRIORITY),
                    track,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stack::config::Entry;

    const PAIR: &str = "[model.balancers.lb1]\nbackends = [\"web1\"]\n[model.balancers.lb2]\nbackends = [\"web1\"]\n";

    #[test]
    fn dns_addresses_are_the_entries() {
        let sc = scenario(&format!(
            "{BASE}{PAIR}[model.dns]\nrecord = \"www\"\nttl = \"60s\"\nresolver_latency = \"1ms\"\naddresses = [\"lb2\", \"web1\"]\n"
        ));
        assert_eq!(sc.model.entries, vec![Entry::Balancer(1), Entry::Server(0)]);
    }

    #[test]
    fn entries_must_exist_and_be_said_once() {
        let p = problems(&format!(
            "{BASE}{PAIR}[model]\nentry = \"lb1\"\n[model.dns]\nrecord = \"www\"\nttl = \"60s\"\nresolver_latency = \"1ms\"\naddresses = [\"nope\"]\n"
        ));
        assert!(p.iter().any(|m| m.contains("`nope` is not a balancer or a server (balancers defined: lb1, lb2; servers defined: web1)")), "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.contains("either [dns] addresses or `entry`")),
            "{p:?}"
        );
        let p = problems(&format!("{BASE}{PAIR}"));
        assert!(
            p.iter().any(|m| m.contains("say where clients connect")),
            "{p:?}"
        );
    }

    #[test]
    fn keepalived_defaults_apply() {
        let sc = scenario(&format!(
            "{BASE}{PAIR}vrrp = {{ backup = \"lb1\" }}\n[model]\nentry = \"lb2\"\n"
        ));
        let v = sc.model.balancers[1].vrrp.unwrap();
        assert_eq!(v.backup, 0);
        assert_eq!(v.advert_int, SimDuration::from_secs(1));
        assert_eq!(v.backup_priority, 100);
        assert_eq!(v.track, Some((SimDuration::from_secs(1), 1)));
    }

    #[test]
    fn a_balancer_is_not_its_own_backup() {
        let p = problems(&format!(
            "{BASE}{PAIR}vrrp = {{ backup = \"lb2\", advert_int = \"1ms\" }}\n[model]\nentry = \"lb2\"\n"
        ));
        assert!(
            p.iter().any(|m| m.contains("cannot be its own backup")),
            "{p:?}"
        );
    }
}
