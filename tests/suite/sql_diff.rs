//! The SQL differential suite: every script in `tests/sql/` runs against a
//! real PostgreSQL server and against `idemsim::sql`, and the two transcripts
//! must be the same (`tests/sql/README.md` describes the scripts, README's
//! "The SQL differential suite" how to run it).
//!
//! A transcript lists, step by step, the statement a session sent, whether
//! it completed or blocked on a lock, and what each statement completed with
//! (its rows, its row count or its SQLSTATE), a blocked statement's completion
//! at the step that released it. Both backends see the same steps; the
//! harness settles each step (every statement running has completed or waits
//! on a lock) before the next, and runs PostgreSQL's deadlock check at the same
//! places on both sides (see [`Backend::step`]).

mod engine;
mod pg;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The variable that names the PostgreSQL server.
const URL_VAR: &str = "IDEMSIM_PG_URL";

/// The sessions a script may use.
const SESSIONS: [char; 3] = ['a', 'b', 'c'];

/// One statement of a script, sent by one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub session: char,
    /// The statement, with its `;`.
    pub sql: String,
    /// The line it starts on.
    pub line: usize,
}

/// A script: its name (the file's) and its steps.
#[derive(Debug, Clone)]
pub struct Script {
    pub name: String,
    pub steps: Vec<Step>,
}

impl Script {
    /// The sessions the script uses, in order (a, b, c).
    pub fn sessions(&self) -> Vec<char> {
        SESSIONS
            .into_iter()
            .filter(|s| self.steps.iter().any(|step| step.session == *s))
            .collect()
    }
}

/// Reads a script: statements end with `;` (outside quotes), a line `-- a:`
/// (or `b`, `c`) makes the statements after it session `a`'s, other text after
/// `--` is a comment. The first statements are session `a`'s.
pub fn parse(name: &str, text: &str) -> Result<Script, String> {
    let mut steps = Vec::new();
    let mut session = 'a';
    let mut buf = String::new();
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix("--") {
            let rest = rest.trim();
            if rest.len() == 2 && rest.ends_with(':') {
                let s = rest.chars().next().unwrap();
                if !SESSIONS.contains(&s) {
                    return Err(format!("{name}:{n}: no session `{s}`: a, b and c exist"));
                }
                if !buf.trim().is_empty() {
                    return Err(format!(
                        "{name}:{n}: `-- {s}:` inside a statement (line {start} lacks its `;`)"
                    ));
                }
                session = s;
            }
            continue;
        }
        let mut quote: Option<char> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match quote {
                Some(q) => {
                    buf.push(c);
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '\'' | '"' => {
                        quote = Some(c);
                        buf.push(c);
                    }
                    '-' if chars.peek() == Some(&'-') => break,
                    ';' => {
                        buf.push(';');
                        let sql = one_line(&buf);
                        if sql == ";" {
                            return Err(format!("{name}:{n}: an empty statement"));
                        }
                        steps.push(Step {
                            session,
                            sql,
                            line: start,
                        });
                        buf.clear();
                    }
                    _ => {
                        if buf.trim().is_empty() && !c.is_whitespace() {
                            start = n;
                        }
                        buf.push(c);
                    }
                },
            }
        }
        if quote.is_some() {
            return Err(format!("{name}:{n}: a quoted string runs past its line"));
        }
        buf.push(' ');
    }
    if !buf.trim().is_empty() {
        return Err(format!("{name}:{start}: a statement without its `;`"));
    }
    if steps.is_empty() {
        return Err(format!("{name}: no statements"));
    }
    Ok(Script {
        name: name.to_string(),
        steps,
    })
}

/// A statement's text on one line, runs of white space made one space.
fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a statement completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// A statement that returns rows: its columns' names and its rows, each
    /// value in PostgreSQL's text form (`None`: NULL), and the tag's count.
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
        count: u64,
    },
    /// A statement without rows: the count its tag carries (rows inserted,
    /// updated, deleted; 0 for BEGIN and the like).
    Count(u64),
    /// An error: its SQLSTATE.
    Error(String),
}

impl Completion {
    fn is_deadlock(&self) -> bool {
        matches!(self, Completion::Error(code) if code == "40P01")
    }

    fn render(&self, out: &mut String, indent: &str) {
        match self {
            Completion::Count(n) => writeln!(out, "ok {n}").unwrap(),
            Completion::Error(code) => writeln!(out, "error {code}").unwrap(),
            Completion::Rows {
                columns,
                rows,
                count,
            } => {
                writeln!(out, "{count} row{}", if *count == 1 { "" } else { "s" }).unwrap();
                writeln!(out, "{indent}  | {} |", columns.join(" | ")).unwrap();
                for row in rows {
                    let values: Vec<&str> = row
                        .iter()
                        .map(|v| v.as_deref().unwrap_or("<null>"))
                        .collect();
                    writeln!(out, "{indent}  | {} |", values.join(" | ")).unwrap();
                }
            }
        }
    }
}

/// Where the statements stand once a step has settled: every statement sent
/// has either completed or waits on a lock.
#[derive(Debug, Default)]
pub struct Settled {
    /// The statements that completed during the step (the step's own among
    /// them, if it did), by session.
    pub completed: BTreeMap<char, Completion>,
    /// The sessions whose statement waits on a lock after the step.
    pub blocked: Vec<char>,
}

/// A database the scripts run on.
pub trait Backend {
    /// Its name in messages.
    fn name(&self) -> &'static str;

    /// An empty database with one connection per session.
    fn open(&mut self, sessions: &[char]) -> Result<(), String>;

    /// Sends a statement from a session that has none running, and returns
    /// once every statement sent has completed or waits on a lock, and
    /// PostgreSQL's deadlock check has run for every wait that began during
    /// the step: PostgreSQL runs it `deadlock_timeout` after a session began
    /// to wait, and the harness lets that time pass before the next step, so
    /// the session whose wait closes a cycle is the one that fails with 40P01.
    fn step(&mut self, session: char, sql: &str) -> Result<Settled, String>;

    /// Ends the sessions (a transaction still open rolls back) and drops the
    /// database.
    fn close(&mut self) -> Result<(), String>;
}

/// Runs a script and writes its transcript; `Err` for a failure of the
/// harness or the server (not for an SQL error, which the transcript lists).
pub fn transcript(backend: &mut dyn Backend, script: &Script) -> Result<String, String> {
    backend.open(&script.sessions())?;
    let result = run_steps(backend, script);
    let closed = backend.close();
    let out = result?;
    closed?;
    Ok(out)
}

fn run_steps(backend: &mut dyn Backend, script: &Script) -> Result<String, String> {
    let mut out = String::new();
    // The step whose statement each session has running (blocked).
    let mut running: BTreeMap<char, usize> = BTreeMap::new();
    for (i, step) in script.steps.iter().enumerate() {
        let n = i + 1;
        let s = step.session;
        writeln!(out, "{n} {s}> {}", step.sql).unwrap();
        if let Some(k) = running.get(&s) {
            return Err(format!(
                "{}:{}: session {s} sends a statement while its statement of step {k} is blocked",
                script.name, step.line
            ));
        }
        let settled = backend.step(s, &step.sql).map_err(|e| {
            format!(
                "{}:{} (step {n}, {}): {e}",
                script.name,
                step.line,
                backend.name()
            )
        })?;
        let mut completed = settled.completed;
        match completed.get(&s) {
            // A deadlock error means the statement waited: it is shown as
            // blocked first, whether or not the harness saw it waiting.
            Some(c) if !c.is_deadlock() => {
                write!(out, "  {s}: ").unwrap();
                c.render(&mut out, "  ");
                completed.remove(&s);
            }
            _ => {
                writeln!(out, "  {s}: blocked").unwrap();
                running.insert(s, n);
            }
        }
        // The step's own statement first, then the others by session.
        let mut order: Vec<(&char, &Completion)> = completed.iter().collect();
        order.sort_by_key(|(other, _)| (**other != s, **other));
        for (other, c) in order {
            let Some(k) = running.remove(other) else {
                return Err(format!(
                    "{}: step {n}: {} reports a completion for session {other}, which had no statement running",
                    script.name,
                    backend.name()
                ));
            };
            write!(out, "  {other}: (step {k}) ").unwrap();
            c.render(&mut out, "  ");
        }
        let mut blocked = settled.blocked.clone();
        blocked.sort_unstable();
        let expected: Vec<char> = running.keys().copied().collect();
        if blocked != expected {
            return Err(format!(
                "{}: step {n}: {} reports sessions {blocked:?} blocked, but {expected:?} have statements running",
                script.name,
                backend.name()
            ));
        }
    }
    for (s, k) in &running {
        writeln!(out, "end: {s} still blocked (step {k})").unwrap();
    }
    Ok(out)
}

/// The scripts' directory.
fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql")
}

/// Every script, by file name; only those whose name contains
/// `IDEMSIM_SQL_SCRIPTS`, when it is set.
fn scripts() -> Vec<Script> {
    scripts_named(&std::env::var("IDEMSIM_SQL_SCRIPTS").unwrap_or_default())
}

/// The scripts whose file name contains `only` (all of them for "").
fn scripts_named(only: &str) -> Vec<Script> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("tests/sql exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(only))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).unwrap();
            parse(&name, &text).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// Writes a transcript to the directory `IDEMSIM_SQL_TRANSCRIPTS` names, if
/// it is set, as `SCRIPT.BACKEND.txt`.
fn keep(script: &Script, backend: &str, transcript: &str) {
    if let Ok(dir) = std::env::var("IDEMSIM_SQL_TRANSCRIPTS") {
        std::fs::create_dir_all(&dir).unwrap();
        let name = script.name.trim_end_matches(".sql");
        std::fs::write(
            Path::new(&dir).join(format!("{name}.{backend}.txt")),
            transcript,
        )
        .unwrap();
    }
}

/// The server's connection string, or a failure that says how to give it.
fn server_url() -> String {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "{URL_VAR} is not set: this test runs every script in tests/sql/ against a real \
             PostgreSQL server. Start one (README, \"The SQL differential suite\") and set e.g. \
             {URL_VAR}='host=127.0.0.1 port=5433 user=postgres'"
        ),
    }
}

/// A unified diff of two transcripts.
fn diff(left_name: &str, left: &str, right_name: &str, right: &str) -> String {
    similar::TextDiff::from_lines(left, right)
        .unified_diff()
        .context_radius(4)
        .header(left_name, right_name)
        .to_string()
}

/// The real server's runs of the scripts are serialised: the harness's
/// timing (the deadlock check's wait) assumes a quiet server.
static SERVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn sql_diff_scripts_parse() {
    // Every script, whatever filter the environment sets for the server runs.
    let scripts = scripts_named("");
    assert!(
        scripts.len() >= 200,
        "tests/sql holds {} scripts",
        scripts.len()
    );
    for script in &scripts {
        let sessions = script.sessions();
        assert!(!sessions.is_empty(), "{}", script.name);
    }
    // The syntax, on a small example.
    let script = parse(
        "example.sql",
        "-- a comment\nCREATE TABLE t (id int); -- trailing\n-- b:\nINSERT INTO t\n  VALUES (1), (2);\nSELECT ';' AS \"x;\";\n",
    )
    .unwrap();
    assert_eq!(
        script.steps,
        vec![
            Step {
                session: 'a',
                sql: "CREATE TABLE t (id int);".into(),
                line: 2
            },
            Step {
                session: 'b',
                sql: "INSERT INTO t VALUES (1), (2);".into(),
                line: 4
            },
            Step {
                session: 'b',
                sql: "SELECT ';' AS \"x;\";".into(),
                line: 6
            },
        ]
    );
    assert!(parse("x.sql", "SELECT 1").is_err());
    assert!(parse("x.sql", "-- d:\nSELECT 1;").is_err());
}

/// A backend that answers each step from a list, to check the transcript's
/// form without a server.
struct Scripted {
    answers: Vec<Settled>,
}

impl Backend for Scripted {
    fn name(&self) -> &'static str {
        "scripted"
    }

    fn open(&mut self, _: &[char]) -> Result<(), String> {
        Ok(())
    }

    fn step(&mut self, _: char, _: &str) -> Result<Settled, String> {
        Ok(self.answers.remove(0))
    }

    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn sql_diff_transcript_form() {
    let script = parse(
        "t.sql",
        "BEGIN;\nUPDATE t SET n = 1;\n-- b:\nUPDATE t SET n = 2;\n-- c:\nUPDATE t SET n = 3;\n-- a:\nCOMMIT;\n-- b:\nSELECT n FROM t;\n",
    )
    .unwrap();
    let done = |s: char, c: Completion| Settled {
        completed: [(s, c)].into(),
        blocked: vec![],
    };
    let mut backend = Scripted {
        answers: vec![
            done('a', Completion::Count(0)),
            done('a', Completion::Count(1)),
            Settled {
                completed: BTreeMap::new(),
                blocked: vec!['b'],
            },
            // c's wait closes a cycle: it fails, and b goes on.
            Settled {
                completed: [
                    ('b', Completion::Count(1)),
                    ('c', Completion::Error("40P01".into())),
                ]
                .into(),
                blocked: vec![],
            },
            done('a', Completion::Count(0)),
            done(
                'b',
                Completion::Rows {
                    columns: vec!["n".into()],
                    rows: vec![vec![Some("2".into())], vec![None]],
                    count: 2,
                },
            ),
        ],
    };
    let t = transcript(&mut backend, &script).unwrap();
    assert_eq!(
        t,
        "1 a> BEGIN;\n  a: ok 0\n\
         2 a> UPDATE t SET n = 1;\n  a: ok 1\n\
         3 b> UPDATE t SET n = 2;\n  b: blocked\n\
         4 c> UPDATE t SET n = 3;\n  c: blocked\n  c: (step 4) error 40P01\n  b: (step 3) ok 1\n\
         5 a> COMMIT;\n  a: ok 0\n\
         6 b> SELECT n FROM t;\n  b: 2 rows\n    | n |\n    | 2 |\n    | <null> |\n"
    );
    // A backend that loses track of a blocked statement is caught.
    let mut lost = Scripted {
        answers: vec![Settled::default(), Settled::default()],
    };
    let two = parse("u.sql", "SELECT 1;\n-- b:\nSELECT 2;\n").unwrap();
    let e = transcript(&mut lost, &two).unwrap_err();
    assert!(e.contains("have statements running"), "{e}");
}

#[test]
#[ignore = "needs a PostgreSQL server: set IDEMSIM_PG_URL (see README)"]
fn sql_diff_engine_agrees_with_postgres() {
    let url = server_url();
    let _quiet = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let scripts = scripts();
    let mut pg = pg::Postgres::new(&url).unwrap_or_else(|e| panic!("{e}"));
    let mut disagree = Vec::new();
    let mut report = String::new();
    for script in &scripts {
        let real = transcript(&mut pg, script).unwrap_or_else(|e| panic!("{e}"));
        keep(script, "postgres", &real);
        let mut engine = engine::Engine::default();
        let ours = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            transcript(&mut engine, script)
        })) {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => format!("the engine's run failed: {e}\n"),
            Err(panic) => format!("the engine panicked: {}\n", panic_message(&*panic)),
        };
        keep(script, "engine", &ours);
        if real != ours {
            writeln!(report, "== {} disagrees", script.name).unwrap();
            report.push_str(&diff("postgres", &real, "idemsim::sql", &ours));
            disagree.push(script.name.clone());
        }
    }
    let agree = scripts.len() - disagree.len();
    print!("{report}");
    println!("{agree} of {} scripts agree", scripts.len());
    let mut gaps = known_gaps();
    let every: Vec<String> = scripts_named("").into_iter().map(|s| s.name).collect();
    let missing: Vec<&String> = gaps.keys().filter(|g| !every.contains(g)).collect();
    assert!(
        missing.is_empty(),
        "tests/sql/known-gaps.txt names scripts that do not exist: {missing:?}"
    );
    // With IDEMSIM_SQL_SCRIPTS, only the gaps among the scripts run count.
    let names: Vec<&str> = scripts.iter().map(|s| s.name.as_str()).collect();
    gaps.retain(|g, _| names.contains(&g.as_str()));
    let new: Vec<&String> = disagree.iter().filter(|d| !gaps.contains_key(*d)).collect();
    let closed: Vec<&String> = gaps.keys().filter(|g| !disagree.contains(g)).collect();
    assert!(
        new.is_empty() && closed.is_empty(),
        "{agree} of {} scripts agree.\nThese disagree and are not known gaps (diffs above):\n  {}\nThese known gaps now agree; remove them from tests/sql/known-gaps.txt:\n  {}",
        scripts.len(),
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        closed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    );
}

/// The scripts on which the engine is known to disagree, and why
/// (`tests/sql/known-gaps.txt`).
fn known_gaps() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(scripts_dir().join("known-gaps.txt"))
        .expect("tests/sql/known-gaps.txt is readable");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            assert!(
                !why.trim().is_empty(),
                "known-gaps.txt: `{name}` needs a reason"
            );
            (name.to_string(), why.trim().to_string())
        })
        .collect()
}

#[test]
#[ignore = "needs a PostgreSQL server: set IDEMSIM_PG_URL (see README)"]
fn sql_diff_postgres_is_deterministic() {
    let url = server_url();
    let _quiet = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    let scripts = scripts();
    let mut pg = pg::Postgres::new(&url).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let mut differ = Vec::new();
    for script in &scripts {
        let first = transcript(&mut pg, script).unwrap_or_else(|e| panic!("{e}"));
        keep(script, "postgres", &first);
        let second = transcript(&mut pg, script).unwrap_or_else(|e| panic!("{e}"));
        if first != second {
            println!("== {} differs between two runs", script.name);
            print!("{}", diff("run 1", &first, "run 2", &second));
            differ.push(script.name.clone());
        }
    }
    println!(
        "{} of {} scripts gave the same transcript twice ({:.1} s)",
        scripts.len() - differ.len(),
        scripts.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        differ.is_empty(),
        "these scripts gave two transcripts on PostgreSQL (diffs above):\n  {}",
        differ.join("\n  ")
    );
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}
