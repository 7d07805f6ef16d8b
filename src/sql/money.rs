//! Where the money is: one table's balance column, watched as transactions
//! commit.
//!
//! A checker that judges a service by its database needs to know which
//! transaction moved which balance, and by how much. Reading the balances
//! after each request would blame one session for another's commit (a
//! statement that waited on a lock commits while a different session's
//! `COMMIT` runs), so the database notes each commit's effect itself, at
//! the moment it commits, from the transaction's own undo log: every row
//! version it inserted adds its balance, every committed version it
//! replaced or deleted takes its balance away.

use super::SessionId;
use super::SqlError;
use super::storage::{Table, Undo};
use super::value::Value;
use std::collections::BTreeMap;

/// The table and columns that hold the balances: `SELECT <name>, <balance>
/// FROM <table>` names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyWatch {
    pub table: String,
    pub name_column: String,
    pub balance_column: String,
}

/// What one committed transaction did to the balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// The session whose transaction committed.
    pub session: SessionId,
    /// The change to each account's balance, by the account's name as
    /// text; accounts whose balance did not change are left out. An error
    /// when a balance it wrote is not a whole number of units.
    pub deltas: Result<Vec<(String, i64)>, SqlError>,
}

impl MoneyWatch {
    /// Reads `SELECT <name>, <balance> FROM <table>`, the only form a
    /// balance query takes (the two columns in that order, no clause).
    pub fn from_query(sql: &str) -> Result<MoneyWatch, String> {
        let statements = super::parse(sql).map_err(|e| e.message)?;
        let [super::ast::Statement::Select(select)] = statements.as_slice() else {
            return Err(
                "expected one SELECT of the form `SELECT <name column>, <balance column> FROM <table>`"
                    .to_string(),
            );
        };
        select.money_watch().ok_or_else(|| {
            "expected exactly `SELECT <name column>, <balance column> FROM <table>`, with no WHERE, join or other clause"
                .to_string()
        })
    }

    /// The name and balance of one row version of the watched table.
    fn read(&self, table: &Table, data: &[Value]) -> Result<(String, i64), SqlError> {
        let name = table.column(&self.name_column)?;
        let balance = table.column(&self.balance_column)?;
        let name = data[name].to_text().unwrap_or_default();
        let balance = whole_units(&data[balance]).ok_or_else(|| {
            SqlError::new(
                "22003",
                format!(
                    "a balance in \"{}\".\"{}\" that is not a whole number of the scenario's units",
                    self.table, self.balance_column
                ),
            )
        })?;
        Ok((name, balance))
    }

    /// The change a transaction's undo log (not yet cleared) made to the
    /// balances: inserted versions count, replaced ones are taken back.
    /// A version both inserted and replaced by it cancels out.
    pub(super) fn deltas(
        &self,
        tables: &[Option<Table>],
        undo: &[Undo],
    ) -> Result<Vec<(String, i64)>, SqlError> {
        let Some(table_ix) = tables
            .iter()
            .position(|t| t.as_ref().is_some_and(|t| t.name == self.table))
        else {
            return Ok(Vec::new());
        };
        let table = tables[table_ix].as_ref().expect("found above");
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for u in undo {
            let (tuple, sign) = match u {
                Undo::Insert { table, tuple } if *table == table_ix => (*tuple, 1),
                Undo::Xmax { table, tuple, .. } if *table == table_ix => (*tuple, -1),
                _ => continue,
            };
            let version = &table.tuples[tuple];
            if version.dead {
                continue;
            }
            let (name, balance) = self.read(table, &version.data)?;
            let sum = sums.entry(name).or_insert(0);
            *sum = sum.saturating_add(sign * balance);
        }
        Ok(sums.into_iter().filter(|(_, d)| *d != 0).collect())
    }

    /// Every account's committed balance, by name.
    pub(super) fn balances(
        &self,
        tables: &[Option<Table>],
        visible: impl Fn(&super::storage::Tuple) -> bool,
    ) -> Result<Vec<(String, i64)>, SqlError> {
        let Some(table) = tables.iter().flatten().find(|t| t.name == self.table) else {
            return Err(SqlError::new(
                "42P01",
                format!("relation \"{}\" does not exist", self.table),
            ));
        };
        // One row per account in a table of balances; many in a ledger of
        // entries, whose sum is the balance.
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for version in table.tuples.iter().filter(|t| visible(t)) {
            let (name, balance) = self.read(table, &version.data)?;
            let sum = sums.entry(name).or_insert(0);
            *sum = sum.saturating_add(balance);
        }
        Ok(sums.into_iter().collect())
    }
}

/// A balance as whole units of the scenario's currency: an integer, or a
/// numeric without a fraction.
fn whole_units(value: &Value) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        Value::Numeric(d) => {
            let whole = d.rescale(0).ok()?;
            (whole.rescale(d.scale).ok()? == *d)
                .then(|| i64::try_from(whole.units).ok())
                .flatten()
        }
        _ => None,
    }
}
