//! idemsim's engine, `idemsim::sql::Database`: the same steps, with the
//! clock advancing by [`STEP_US`] per step, and the deadlock check run where
//! the real server's runs (see [`super::Backend::step`]).

use super::{Backend, Completion, Settled};
use idemsim::sql::{Database, QueryResult, Reply, SessionId};
use std::collections::BTreeMap;

/// The simulated time between two steps.
const STEP_US: i64 = 1_000_000;
/// The deadlock check runs this long after a wait began (the real sessions'
/// `deadlock_timeout`).
const DEADLOCK_TIMEOUT_US: i64 = 50_000;

#[derive(Default)]
pub struct Engine {
    db: Option<Database>,
    sessions: BTreeMap<char, SessionId>,
    /// The sessions whose statement waits, in the order they began to wait.
    waiting: Vec<char>,
    now_us: i64,
}

fn completion(reply: Reply) -> Completion {
    match reply.into_iter().last() {
        None => Completion::Count(0),
        Some(Err(e)) => Completion::Error(e.code.to_string()),
        Some(Ok(QueryResult {
            rows_affected,
            columns,
            rows,
            ..
        })) => {
            if columns.is_empty() {
                Completion::Count(rows_affected)
            } else {
                Completion::Rows {
                    columns: columns.into_iter().map(|c| c.name).collect(),
                    rows,
                    count: rows_affected,
                }
            }
        }
    }
}

impl Engine {
    fn db(&mut self) -> &mut Database {
        self.db.as_mut().expect("open before use")
    }

    /// Takes the replies of the waiting statements that have ended.
    fn collect(&mut self, completed: &mut BTreeMap<char, Completion>) -> Result<(), String> {
        for s in self.waiting.clone() {
            let id = self.sessions[&s];
            if !self.db().is_blocked(id) {
                let reply = self.db().take_reply(id).ok_or_else(|| {
                    format!("session {s}'s statement is neither blocked nor has a reply")
                })?;
                completed.insert(s, completion(reply));
                self.waiting.retain(|w| *w != s);
            }
        }
        Ok(())
    }

    /// Runs the deadlock check on `s` if it still waits; returns whether it
    /// found a cycle (and so ended `s`'s statement, and maybe woke others).
    fn check(
        &mut self,
        s: char,
        completed: &mut BTreeMap<char, Completion>,
    ) -> Result<bool, String> {
        let id = self.sessions[&s];
        let at = self.now_us + DEADLOCK_TIMEOUT_US;
        if self.waiting.contains(&s)
            && self.db().is_blocked(id)
            && self.db().detect_deadlock(id, at)
        {
            self.collect(completed)?;
            return Ok(true);
        }
        Ok(false)
    }
}

impl Backend for Engine {
    fn name(&self) -> &'static str {
        "idemsim::sql"
    }

    fn open(&mut self, sessions: &[char]) -> Result<(), String> {
        let mut db = Database::new();
        self.sessions = sessions.iter().map(|&s| (s, db.connect())).collect();
        self.db = Some(db);
        self.waiting.clear();
        self.now_us = 0;
        Ok(())
    }

    fn step(&mut self, s: char, sql: &str) -> Result<Settled, String> {
        self.now_us += STEP_US;
        let id = *self
            .sessions
            .get(&s)
            .ok_or_else(|| format!("no session {s}"))?;
        let now = self.now_us;
        let before: Vec<char> = self.waiting.clone();
        self.db().submit(id, sql, now);
        self.waiting.push(s);
        let mut completed = BTreeMap::new();
        self.collect(&mut completed)?;
        // The checks due: the step's statement's if it began to wait; else
        // those of the statements still waiting, whose wait the step may have
        // renewed (it ended a transaction they waited for, and they wait
        // again). A check that ends a statement may renew others' waits in
        // turn, as on the server, where the harness then waits again.
        let mut due = if self.waiting.contains(&s) {
            vec![s]
        } else {
            before
        };
        loop {
            let mut found = false;
            for w in due {
                found |= self.check(w, &mut completed)?;
            }
            if !found {
                break;
            }
            due = self.waiting.clone();
        }
        Ok(Settled {
            completed,
            blocked: self.waiting.clone(),
        })
    }

    fn close(&mut self) -> Result<(), String> {
        if let Some(mut db) = self.db.take() {
            for (_, id) in std::mem::take(&mut self.sessions) {
                db.disconnect(id);
            }
        }
        self.waiting.clear();
        Ok(())
    }
}
