//! A service's PostgreSQL database as a scenario sets it up: its tables,
//! one row per account, and where the balances are.
//!
//! The setup is run once when the scenario is read, so that a mistake in
//! it is reported against the file (with the SQLSTATE PostgreSQL would
//! give) rather than failing every run, and again at the start of each run
//! on a fresh database.

use crate::scenario::Account;
use crate::sql::{Database, MoneyWatch, SqlError};

/// `[database]`, checked: every statement runs.
#[derive(Debug, Clone)]
pub struct DatabaseSetup {
    /// SQL run once, as one simple query.
    pub setup: String,
    /// Creates one account: `$1` its name, `$2` its balance.
    pub account: String,
    /// `SELECT <name>, <balance> FROM <table>`.
    pub balances: String,
    pub watch: MoneyWatch,
    /// The database the three built, which every run starts from a copy
    /// of: building it again for each run would parse the same SQL each
    /// time.
    built: Database,
}

/// Which part of `[database]` a problem lies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Setup,
    Account,
    Balances,
}

impl Part {
    /// The field of `[database]` that holds this part.
    pub fn field(self) -> &'static str {
        match self {
            Part::Setup => "setup",
            Part::Account => "account",
            Part::Balances => "balances",
        }
    }
}

fn sql_problem(what: &str, e: &SqlError) -> String {
    format!("{what} failed with SQLSTATE {}: {}", e.code, e.message)
}

impl DatabaseSetup {
    /// Checks the three parts and builds a database from them once.
    pub fn new(
        setup: String,
        account: String,
        balances: String,
        accounts: &[Account],
    ) -> Result<DatabaseSetup, (Part, String)> {
        let watch = MoneyWatch::from_query(&balances).map_err(|e| (Part::Balances, e))?;
        let built = build(&setup, &account, &watch, accounts)?;
        Ok(DatabaseSetup {
            setup,
            account,
            balances,
            watch,
            built,
        })
    }

    /// A fresh database, set up with every account created, whose
    /// `gen_random_uuid()` draws from `seed`, watching the balances.
    pub fn database(&self, seed: u64) -> Database {
        let mut db = self.built.clone();
        db.reseed(seed);
        db
    }
}

/// Runs the setup, creates the accounts and watches the balances.
fn build(
    setup: &str,
    account: &str,
    watch: &MoneyWatch,
    accounts: &[Account],
) -> Result<Database, (Part, String)> {
    let mut db = Database::new();
    let session = db.connect();
    db.submit(session, setup, 0);
    let reply = db.take_reply(session).ok_or((
        Part::Setup,
        "the setup waits on a lock it can never get".to_string(),
    ))?;
    for (n, result) in reply.iter().enumerate() {
        if let Err(e) = result {
            return Err((Part::Setup, sql_problem(&format!("statement {}", n + 1), e)));
        }
    }
    let prepared = db
        .prepare(account, &[])
        .map_err(|e| (Part::Account, sql_problem("preparing the statement", &e)))?;
    if prepared.description.param_types.len() != 2 {
        return Err((
            Part::Account,
            format!(
                "the statement takes {} parameters; expected 2: $1 the account's name, $2 its balance",
                prepared.description.param_types.len()
            ),
        ));
    }
    for account in accounts {
        let params = [
            Some(account.name.clone()),
            Some(account.balance.to_string()),
        ];
        db.submit_prepared(session, &prepared, &params, 0);
        match db.take_reply(session) {
            Some(reply) => {
                if let Some(Err(e)) = reply.first() {
                    return Err((
                        Part::Account,
                        sql_problem(&format!("creating account `{}`", account.name), e),
                    ));
                }
            }
            None => {
                return Err((
                    Part::Account,
                    "creating an account waits on a lock".to_string(),
                ));
            }
        }
    }
    db.disconnect(session);
    db.watch_money(watch.clone());
    agrees(&db, accounts)?;
    Ok(db)
}

/// The balance query reads every account at the balance `[accounts]`
/// gives it, and nothing else.
fn agrees(db: &Database, accounts: &[Account]) -> Result<(), (Part, String)> {
    let read = db
        .balances()
        .map_err(|e| (Part::Balances, sql_problem("reading the balances", &e)))?;
    let mut expected: Vec<(String, i64)> = accounts
        .iter()
        .map(|a| (a.name.clone(), a.balance))
        .collect();
    expected.sort();
    if read != expected {
        let show = |rows: &[(String, i64)]| {
            rows.iter()
                .map(|(n, b)| format!("{n} = {b}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err((
            Part::Balances,
            format!(
                "after the setup and the accounts, the balances read {{{}}}; expected [accounts]: {{{}}}",
                show(&read),
                show(&expected)
            ),
        ));
    }
    Ok(())
}
