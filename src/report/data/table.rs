//! The CSV reader behind [`Folder::read`](super::Folder::read): a file
//! read whole ([`Table`]), its columns found by header name, each row seen
//! through a [`Row`] whose numbers read an empty or unparsable cell as NaN,
//! and [`load`], one optional file mapped into typed rows.

use crate::report::ReportError;
use std::path::{Path, PathBuf};

/// A CSV file read whole, columns found by header name.
pub(super) struct Table {
    path: PathBuf,
    pub(super) headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// `Ok(None)` when the file does not exist.
    pub(super) fn read(dir: &Path, name: &str) -> Result<Option<Table>, ReportError> {
        let path = dir.join(name);
        if !path.exists() {
            return Ok(None);
        }
        let bad = |e: csv::Error| ReportError::Csv {
            path: path.clone(),
            message: e.to_string(),
        };
        let mut r = csv::Reader::from_path(&path).map_err(bad)?;
        let headers = r.headers().map_err(bad)?.iter().map(String::from).collect();
        let rows = r.records().collect::<Result<Vec<_>, _>>().map_err(bad)?;
        Ok(Some(Table {
            path,
            headers,
            rows,
        }))
    }

    pub(super) fn col(&self, name: &str) -> Result<usize, ReportError> {
        (self.headers.iter().position(|h| h == name)).ok_or_else(|| ReportError::Csv {
            path: self.path.clone(),
            message: format!("no column `{name}`"),
        })
    }

    /// Each row mapped by `f`, which gets a getter for text and numbers.
    fn map<T>(&self, f: impl Fn(&Row) -> Result<T, ReportError>) -> Result<Vec<T>, ReportError> {
        (self.rows.iter())
            .map(|rec| f(&Row { table: self, rec }))
            .collect()
    }
}

pub(super) struct Row<'a> {
    table: &'a Table,
    rec: &'a csv::StringRecord,
}

impl Row<'_> {
    pub(super) fn text(&self, name: &str) -> Result<String, ReportError> {
        let i = self.table.col(name)?;
        Ok(self.rec.get(i).unwrap_or("").to_string())
    }
    pub(super) fn num(&self, name: &str) -> Result<f64, ReportError> {
        let t = self.text(name)?;
        Ok(t.trim().parse().unwrap_or(f64::NAN))
    }
}

/// The rows of `dir/name` mapped by `f`; none when the file does not exist.
pub(super) fn load<T>(
    dir: &Path,
    name: &str,
    f: impl Fn(&Row) -> Result<T, ReportError>,
) -> Result<Vec<T>, ReportError> {
    Table::read(dir, name)?.map_or(Ok(vec![]), |t| t.map(f))
}
