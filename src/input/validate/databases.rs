//! Validation of the databases: role (a primary, or a replica and its
//! source), connections, and service times of reads and writes.

use super::super::model::*;
use super::{Checker, Index};
use crate::stack::config::*;

impl Checker<'_> {
    /// A reference to a database by name (`reads_from`, `source`, …).
    pub(super) fn db_ref(
        &mut self,
        ix: &Index,
        path: &str,
        name: &Option<String>,
    ) -> Option<usize> {
        let n = name.as_ref()?;
        let found = ix.databases.get(n.as_str()).copied();
        if found.is_none() {
            self.err(
                path,
                format!("`{n}` is not a database ({})", Index::names(&ix.databases)),
            );
        }
        found
    }

    /// Every database of the model, in name order.
    pub(super) fn databases(
        &mut self,
        prefix: &str,
        m: &ModelFile,
        ix: &Index,
    ) -> Vec<DatabaseConfig> {
        let p = |rest: &str| format!("{prefix}.{rest}");
        let mut databases = vec![];
        for (name, d) in &m.databases {
            let dp = p(&format!("databases.{name}"));
            let host = match &d.host {
                Some(h) => match ix.servers.get(h.as_str()) {
                    Some(&i) => Some(i),
                    None => {
                        self.err(
                            &format!("{dp}.host"),
                            format!("`{h}` is not a server ({})", Index::names(&ix.servers)),
                        );
                        None
                    }
                },
                None => None,
            };
            let role = match (d.role.as_str(), &d.source) {
                ("primary", None) => Some(DbRole::Primary),
                ("primary", Some(_)) => {
                    self.err(
                        &format!("{dp}.source"),
                        "a primary has no `source`; only a replica copies another database",
                    );
                    None
                }
                ("replica", None) => {
                    self.err(
                        &format!("{dp}.role"),
                        "a replica needs `source`: the primary it copies",
                    );
                    None
                }
                ("replica", Some(_)) => {
                    let s = self.db_ref(ix, &format!("{dp}.source"), &d.source);
                    if s == ix.databases.get(name.as_str()).copied() {
                        self.err(&format!("{dp}.source"), "a replica cannot copy itself");
                    }
                    s.map(|source| DbRole::Replica { source })
                }
                (other, _) => {
                    self.err(
                        &format!("{dp}.role"),
                        format!("unknown role `{other}`; expected `primary` or `replica`"),
                    );
                    None
                }
            };
            let connections = self.workers(&format!("{dp}.connections"), d.connections);
            let read = self.dist(&format!("{dp}.read"), &d.read);
            let write = match (&d.write, role) {
                (Some(w), _) => self.dist(&format!("{dp}.write"), w),
                (None, Some(DbRole::Primary)) => {
                    self.err(
                        &dp,
                        "a primary needs `write`: the service time of a write query",
                    );
                    None
                }
                (None, _) => read.clone(),
            };
            if let (Some(role), Some(read), Some(write)) = (role, read, write) {
                databases.push(DatabaseConfig {
                    name: name.clone(),
                    host,
                    role,
                    connections,
                    queue_limit: d.queue_limit,
                    read,
                    write,
                    reliability: self.reliability(&format!("{dp}.reliability"), &d.reliability),
                });
            }
        }
        databases
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::stack::config::DbRole;

    #[test]
    fn mysql_defaults_apply() {
        let sc = scenario(&format!(
            "{BASE}[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\n[model.databases.db2]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\n"
        ));
        let d = &sc.model.databases;
        assert_eq!(d[0].connections, 151);
        assert!(matches!(d[1].role, DbRole::Replica { source: 0 }));
    }

    #[test]
    fn roles_are_checked() {
        let p = problems(&format!(
            "{BASE}[model.databases.a]\nrole = \"primary\"\nread = \"1ms\"\n[model.databases.b]\nrole = \"replica\"\nread = \"1ms\"\n[model.databases.c]\nrole = \"replica\"\nsource = \"c\"\nread = \"1ms\"\n[model.databases.d]\nrole = \"leader\"\nread = \"1ms\"\n[model.databases.e]\nrole = \"replica\"\nsource = \"zz\"\nread = \"1ms\"\n"
        ));
        for want in [
            "a primary needs `write`",
            "a replica needs `source`",
            "a replica cannot copy itself",
            "unknown role `leader`",
            "`zz` is not a database (defined: a, b, c, d, e)",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }
}
