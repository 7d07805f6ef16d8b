//! Reading and validating design files, with errors that point into the file.

use super::tagged::Tagged;
use super::{
    Action, Answer, Cleanups, Completer, Design, KeyScope, KeyStoreDown, ProcessorKey, Step,
    StoreName, Transaction,
};

/// Where a transaction stands in a design file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// `[[transaction]]`: part of the transfer endpoint.
    Endpoint,
    /// `[[cleanup]]`: runs only on a failure.
    Cleanup,
    /// `[[job]]`: run only by the completer.
    Job,
}
use crate::error::InputError;
use crate::limits;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;
use strum::IntoEnumIterator;
use toml::Spanned;

/// The built-in designs: name and file text, compiled into the binary.
const BUILTINS: &[(&str, &str)] = &[
    ("naive", include_str!("../../designs/naive.toml")),
    ("classic", include_str!("../../designs/classic.toml")),
    ("atomic", include_str!("../../designs/atomic.toml")),
];

/// The names of the built-in designs, in the order `idemsim designs` lists them.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}

/// Loads a design by built-in name, or by path (relative paths are taken from `base_dir`).
pub fn load_design(name_or_path: &str, base_dir: &Path) -> Result<Design, LoadDesignError> {
    if let Some((name, text)) = BUILTINS.iter().find(|(n, _)| *n == name_or_path) {
        let path = Path::new("designs").join(format!("{name}.toml"));
        return parse_design(&path, text).map_err(LoadDesignError::Invalid);
    }
    let looks_like_path = name_or_path.ends_with(".toml") || name_or_path.contains('/');
    if !looks_like_path {
        return Err(LoadDesignError::Unknown);
    }
    let path = base_dir.join(name_or_path);
    let text = crate::error::read_input(&path, "design file").map_err(|e| {
        LoadDesignError::Unreadable(format!(
            "cannot use design file {}: {}",
            path.display(),
            e.message
        ))
    })?;
    let mut design = parse_design(&path, &text).map_err(LoadDesignError::Invalid)?;
    design.source = Some(path);
    Ok(design)
}

/// Why a design could not be loaded.
#[derive(Debug)]
pub enum LoadDesignError {
    /// Neither a built-in name nor a path.
    Unknown,
    /// The path names no readable design file (what is wrong, in words).
    Unreadable(String),
    /// The design file is missing or not well formed.
    Invalid(InputError),
}

/// An idemsim design file: what the payment API does for each request,
/// as transactions on its stores.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "idemsim design")]
struct DesignFile {
    /// A short name, shown in every report.
    name: String,
    /// One line on what the design does.
    summary: String,
    /// What the design does and where it can fail, for the reader.
    #[serde(default)]
    description: String,
    /// Idempotency records: where they live and how long.
    #[serde(default)]
    keys: KeysSection,
    /// How the API waits, answers and resends.
    #[serde(default)]
    api: ApiSection,
    /// The transfer endpoint: transactions run in order, each atomic in its store.
    #[serde(default, rename = "transaction")]
    #[schemars(with = "Vec<TransactionSection>", length(min = 1, max = limits::MAX_DESIGN_TRANSACTIONS))]
    transactions: Vec<Spanned<TransactionSection>>,
    /// Transactions that run only on a failure, named by a transaction's
    /// `on_refusal`, `on_timeout` or `on_later_failure` (or by the completer).
    #[serde(default, rename = "cleanup")]
    #[schemars(with = "Vec<TransactionSection>", length(max = limits::MAX_DESIGN_TRANSACTIONS))]
    cleanups: Vec<Spanned<TransactionSection>>,
    /// Transactions only the completer runs.
    #[serde(default, rename = "job")]
    #[schemars(with = "Vec<TransactionSection>", length(max = limits::MAX_DESIGN_TRANSACTIONS))]
    jobs: Vec<Spanned<TransactionSection>>,
    /// A worker host that finishes or fails keys left in progress.
    #[schemars(with = "Option<CompleterSection>")]
    completer: Option<Spanned<CompleterSection>>,
    /// The card processor a `charge` step calls.
    #[serde(default)]
    processor: ProcessorSection,
}

/// `[processor]`: the third party that moves the money when a transaction
/// on store `processor` charges.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Processor")]
struct ProcessorSection {
    /// The idempotency key the API passes with each charge: `none`,
    /// `request` (derived from the client's key) or `attempt` (fresh for
    /// each request the API serves). Default `none`.
    key: Option<ProcessorKey>,
}

/// `[completer]`: a worker host that finishes or fails keys left in progress.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Completer")]
struct CompleterSection {
    /// How often it looks for abandoned keys.
    #[schemars(with = "u64", range(min = 1, max = limits::MAX_TIMEOUT_MS))]
    every_ms: Spanned<u64>,
    /// A key in progress for at least this long is abandoned.
    #[schemars(with = "u64", range(max = limits::MAX_TIMEOUT_MS))]
    after_ms: Spanned<u64>,
    /// What it runs for each abandoned key, in order: names of transactions,
    /// cleanups or jobs. The first that does not commit ends the work.
    #[schemars(with = "Vec<String>", length(min = 1, max = limits::MAX_DESIGN_TRANSACTIONS))]
    run: Spanned<Vec<Spanned<String>>>,
    /// What a `save-answer` step of the completer stores. Default
    /// `reply 500 abandoned final`.
    #[schemars(with = "Option<String>")]
    answer: Option<Spanned<String>>,
}

/// `[keys]`: the idempotency records.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Keys")]
struct KeysSection {
    /// Where records live: `keys` (a key-value store), `ledger` (beside the
    /// money, in its transactions) or `memory` (the API process's own).
    /// Default `keys`.
    #[serde(default = "default_key_store")]
    #[schemars(with = "String", extend("enum" = ["keys", "ledger", "memory"]))]
    store: Spanned<String>,
    /// How long a record lives; none: forever.
    #[schemars(with = "Option<u64>")]
    ttl_ms: Option<Spanned<u64>>,
    /// After how long a claim in progress is stale (its owner presumed
    /// dead); none: never.
    #[schemars(with = "Option<u64>")]
    lock_ms: Option<Spanned<u64>>,
    /// The API issues keys (`POST /keys`).
    #[serde(default)]
    issue: bool,
    /// An issued key is bound to the payment the client asked it for;
    /// `load-key`'s `mismatch` branch compares it on use. Needs `issue`.
    #[serde(default = "default_bind")]
    #[schemars(with = "bool")]
    bind: Spanned<bool>,
    /// Who may see a key: `global` or `client`. Default `global`.
    #[serde(default = "default_scope")]
    scope: KeyScope,
    /// With `store = "keys"`: whether the key store keeps its records
    /// through a crash (false: a cache that restarts empty). Default true.
    /// Refused with `memory` (records the API crash always loses) and
    /// `ledger` (records the ledger always keeps): it would say nothing true.
    #[serde(default)]
    #[schemars(with = "bool", extend("default" = true))]
    durable: Option<Spanned<bool>>,
    /// At most this many records in the key store; one more evicts the one
    /// closest to expiry (Redis `volatile-ttl`). Needs `ttl_ms`.
    #[schemars(with = "Option<u32>", range(min = 1, max = limits::MAX_KEY_RECORDS))]
    max_records: Option<Spanned<u32>>,
}

fn default_bind() -> Spanned<bool> {
    Spanned::new(0..0, false)
}

fn default_scope() -> KeyScope {
    KeyScope::Global
}

fn default_key_store() -> Spanned<String> {
    Spanned::new(0..0, "keys".to_string())
}

impl Default for KeysSection {
    fn default() -> Self {
        KeysSection {
            store: default_key_store(),
            ttl_ms: None,
            lock_ms: None,
            issue: false,
            bind: default_bind(),
            scope: default_scope(),
            durable: None,
            max_records: None,
        }
    }
}

/// `[api]`: how the API waits, answers and resends.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default, rename_all = "snake_case")]
#[schemars(rename = "Api")]
struct ApiSection {
    /// How long the API waits for each store or processor call. Default
    /// 1000. At least 3: an answer takes 2 ms at the least (a millisecond
    /// each way), and a scenario whose network cannot carry a call there
    /// and back within it is refused.
    #[schemars(with = "u64", range(min = 3, max = limits::MAX_TIMEOUT_MS))]
    store_timeout_ms: Spanned<u64>,
    /// What the API does when the key store does not answer: `fail-closed`
    /// (the default) or `fail-open` (carry on without it).
    on_key_store_down: KeyStoreDown,
    /// For `wait`: how long between two looks. Default 50.
    #[schemars(with = "u64", range(min = 1, max = limits::MAX_TIMEOUT_MS))]
    wait_ms: Spanned<u64>,
    /// For `wait`: how many looks at most. Default 10.
    #[schemars(with = "u32", range(max = limits::MAX_ATTEMPTS))]
    max_waits: Spanned<u32>,
    /// The answer when a call gets no answer in time. Default `reply 503 store_unavailable`.
    #[schemars(with = "Option<String>")]
    on_store_timeout: Option<Spanned<String>>,
    /// The answer when a `wait` runs out. Default `reply 409 key_in_use`.
    #[schemars(with = "Option<String>")]
    on_wait_exhausted: Option<Spanned<String>>,
    /// How many times the API sends a call that gets no answer in time. Default 1.
    #[schemars(with = "u32", range(min = 1, max = limits::MAX_ATTEMPTS))]
    call_attempts: Spanned<u32>,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            store_timeout_ms: Spanned::new(0..0, 1_000),
            on_key_store_down: KeyStoreDown::FailClosed,
            wait_ms: Spanned::new(0..0, 50),
            max_waits: Spanned::new(0..0, 10),
            on_store_timeout: None,
            on_wait_exhausted: None,
            call_attempts: Spanned::new(0..0, 1),
        }
    }
}

/// A transaction: steps one store commits together, or none of them.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Transaction")]
struct TransactionSection {
    /// Letters, digits, `-` and `_`; faults and reports name it.
    #[schemars(with = "String", length(min = 1, max = limits::MAX_NAME_BYTES), regex(pattern = r"^[A-Za-z0-9_-]+$"))]
    name: Spanned<String>,
    /// `keys`, `ledger`, `memory` or `processor`.
    #[schemars(with = "String", extend("enum" = ["keys", "ledger", "memory", "processor"]))]
    store: Spanned<String>,
    /// What the transaction does, in order. Branches and answers are
    /// actions: `continue`, `replay`, `wait`, `reply STATUS CODE` or `save
    /// STATUS CODE`, optionally followed by `final`.
    #[schemars(with = "Vec<Step>", length(min = 1, max = limits::MAX_STEPS_PER_TRANSACTION))]
    steps: Vec<Spanned<Tagged<Step>>>,
    /// `[[transaction]]` only: the cleanup to run when this transaction
    /// stops with an answer (not a replay) or waits in vain.
    #[schemars(with = "Option<String>")]
    on_refusal: Option<Spanned<String>>,
    /// `[[transaction]]` only: the cleanup to run when this transaction's
    /// store does not answer in time.
    #[schemars(with = "Option<String>")]
    on_timeout: Option<Spanned<String>>,
    /// `[[transaction]]` only: the cleanup to run when this transaction
    /// committed and a later one was refused or timed out (latest first).
    #[schemars(with = "Option<String>")]
    on_later_failure: Option<Spanned<String>>,
}

/// The JSON Schema (draft 2020-12) of the design file format, as `idemsim
/// schema --design` prints it. Values are checked further when a design is
/// loaded (names resolved, stores matched to steps), with file:line:col.
pub fn design_schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<DesignFile>()
}

/// What the world assumes of every design that loaded: a first boundary, the
/// limits kept, and every cleanup and completer number naming a transaction.
fn assert_wired(design: &Design) {
    assert!(
        !design.transactions.is_empty(),
        "a design has a transaction"
    );
    for list in [&design.transactions, &design.cleanups, &design.jobs] {
        assert!(list.len() <= limits::MAX_DESIGN_TRANSACTIONS);
        assert!(
            list.iter()
                .all(|t| t.steps.len() <= limits::MAX_STEPS_PER_TRANSACTION)
        );
    }
    let cleanups = design.cleanups.len();
    for on in design.transactions.iter().map(|t| &t.on) {
        for index in [on.refusal, on.timeout, on.later_failure]
            .into_iter()
            .flatten()
        {
            assert!(
                usize::from(index) < cleanups,
                "cleanup {index} of {cleanups}"
            );
        }
    }
    let wired = design.transactions.len() + cleanups + design.jobs.len();
    for n in design.completer.iter().flat_map(|c| &c.run) {
        assert!(usize::from(*n) < wired, "completer runs {n} of {wired}");
    }
}

/// The stores a design may name, as an error lists them: `` `keys`, `ledger`,
/// `memory` (the API's own memory) or `processor` ``.
fn store_names_said() -> String {
    let said: Vec<String> = StoreName::iter()
        .map(|store| match store {
            StoreName::Memory => format!("`{store}` (the API's own memory)"),
            remote => format!("`{remote}`"),
        })
        .collect();
    let (last, rest) = said.split_last().expect("there are stores");
    format!("{} or {last}", rest.join(", "))
}

/// Parses and validates the text of a design file.
pub fn parse_design(path: &Path, text: &str) -> Result<Design, InputError> {
    let file: DesignFile =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    Validator { path, text }.design(file)
}

struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Result<T, InputError> {
        Err(InputError::at(self.path, self.text, span, message))
    }

    fn design(&self, file: DesignFile) -> Result<Design, InputError> {
        let key_store = self.store(&file.keys.store)?;
        if key_store == StoreName::Processor {
            return self.err(
                file.keys.store.span(),
                "the processor keeps its own records, not the API's; expected `keys`, `ledger` or `memory`",
            );
        }
        if *file.keys.bind.get_ref() && !file.keys.issue {
            return self.err(
                file.keys.bind.span(),
                "bind ties a key the API issues to the purpose it was asked for; expected issue = true",
            );
        }
        if let Some(durable) = &file.keys.durable {
            let why = match key_store {
                StoreName::Memory => {
                    Some("records in the API's memory are lost whenever the API crashes")
                }
                StoreName::Ledger => Some("records in the ledger are kept as its balances are"),
                StoreName::Keys | StoreName::Processor => None,
            };
            if let Some(why) = why {
                return self.err(
                    durable.span(),
                    format!("{why}, so `durable` says nothing about them; expected no `durable`, or store = \"keys\""),
                );
            }
        }
        if file.transactions.is_empty() {
            return Err(InputError::file(
                self.path,
                "a design needs at least one [[transaction]] for the transfer endpoint",
            ));
        }
        if file.transactions.len() > limits::MAX_DESIGN_TRANSACTIONS {
            return self.err(
                file.transactions[limits::MAX_DESIGN_TRANSACTIONS].span(),
                format!(
                    "too many transactions; expected at most {}",
                    limits::MAX_DESIGN_TRANSACTIONS
                ),
            );
        }
        let store_timeout_ms = self.in_range(
            &file.api.store_timeout_ms,
            limits::MIN_STORE_TIMEOUT_MS..=limits::MAX_TIMEOUT_MS,
            "store_timeout_ms",
        )?;
        let wait_ms = self.in_range(&file.api.wait_ms, 1..=limits::MAX_TIMEOUT_MS, "wait_ms")?;
        let max_waits =
            self.in_range(&file.api.max_waits, 0..=limits::MAX_ATTEMPTS, "max_waits")?;
        let on_store_timeout = self.answer(
            &file.api.on_store_timeout,
            "reply 503 store_unavailable",
            "on_store_timeout",
        )?;
        let on_wait_exhausted = self.answer(
            &file.api.on_wait_exhausted,
            "reply 409 key_in_use",
            "on_wait_exhausted",
        )?;
        if file.cleanups.len() > limits::MAX_DESIGN_TRANSACTIONS {
            return self.err(
                file.cleanups[limits::MAX_DESIGN_TRANSACTIONS].span(),
                format!(
                    "too many cleanups; expected at most {}",
                    limits::MAX_DESIGN_TRANSACTIONS
                ),
            );
        }
        if file.jobs.len() > limits::MAX_DESIGN_TRANSACTIONS {
            return self.err(
                file.jobs[limits::MAX_DESIGN_TRANSACTIONS].span(),
                format!(
                    "too many jobs; expected at most {}",
                    limits::MAX_DESIGN_TRANSACTIONS
                ),
            );
        }
        let mut names: Vec<String> = Vec::new();
        let mut cleanups = Vec::new();
        for section in &file.cleanups {
            let cleanup = self.transaction(section.get_ref(), key_store, Role::Cleanup)?;
            self.unique_name(&mut names, section.get_ref())?;
            cleanups.push(cleanup);
        }
        let mut transactions = Vec::new();
        for section in &file.transactions {
            let mut txn = self.transaction(section.get_ref(), key_store, Role::Endpoint)?;
            self.unique_name(&mut names, section.get_ref())?;
            txn.on = self.cleanups_of(section.get_ref(), &cleanups)?;
            transactions.push(txn);
        }
        let mut jobs = Vec::new();
        for section in &file.jobs {
            let job = self.transaction(section.get_ref(), key_store, Role::Job)?;
            self.unique_name(&mut names, section.get_ref())?;
            jobs.push(job);
        }
        let wire_names: Vec<String> = transactions
            .iter()
            .chain(&cleanups)
            .chain(&jobs)
            .map(|t| t.name.clone())
            .collect();
        let completer = match &file.completer {
            Some(section) => Some(self.completer(section, key_store, &wire_names)?),
            None => None,
        };
        self.every_cleanup_used(&file.cleanups, &transactions, completer.as_ref())?;
        self.every_job_used(
            &file.jobs,
            cleanups.len() + transactions.len(),
            completer.as_ref(),
        )?;
        let max_key_records = self.max_records(&file.keys)?;
        let call_attempts = self.in_range(
            &file.api.call_attempts,
            1..=limits::MAX_ATTEMPTS,
            "call_attempts",
        )?;
        let design = Design {
            name: file.name,
            source: None,
            summary: file.summary,
            description: file.description,
            key_store,
            key_ttl_ms: file.keys.ttl_ms.map(|t| *t.get_ref()),
            lock_ms: file.keys.lock_ms.map(|t| *t.get_ref()),
            key_scope: file.keys.scope,
            key_store_durable: file.keys.durable.is_none_or(|d| *d.get_ref()),
            max_key_records,
            store_timeout_ms,
            key_store_down: file.api.on_key_store_down,
            wait_ms,
            max_waits,
            on_store_timeout,
            on_wait_exhausted,
            issues_keys: file.keys.issue,
            binds_keys: *file.keys.bind.get_ref(),
            transactions,
            cleanups,
            jobs,
            completer,
            processor_key: file.processor.key.unwrap_or(ProcessorKey::None),
            call_attempts,
        };
        self.whole(&design)?;
        assert_wired(&design);
        Ok(design)
    }

    /// Rules that look at the whole design rather than one step.
    fn whole(&self, design: &Design) -> Result<(), InputError> {
        let steps = || design.transactions.iter().flat_map(|t| t.steps.iter());
        let replays = steps().any(|s| match s {
            Step::LoadKey(l) => [
                &l.absent,
                &l.issued,
                &l.in_progress,
                l.when_stale(),
                &l.done,
            ]
            .into_iter()
            .chain(l.mismatch.as_ref())
            .any(|a| *a == Action::Replay),
            _ => false,
        });
        if replays && !steps().any(|s| *s == Step::SaveResponse) {
            return Err(InputError::file(
                self.path,
                "a load-key step replays stored responses, but no save-response step stores one",
            ));
        }
        let debits = steps().filter(|s| matches!(s, Step::Debit { .. })).count();
        let credits = steps().filter(|s| **s == Step::Credit).count();
        let charges = steps().filter(|s| s.is_processor_op()).count();
        if (debits, credits, charges) != (1, 1, 0) && (debits, credits, charges) != (0, 0, 1) {
            return Err(InputError::file(
                self.path,
                format!(
                    "a transfer needs exactly one debit and one credit step, or exactly one charge at the processor; this design has {debits} debits, {credits} credits and {charges} charges"
                ),
            ));
        }
        Ok(())
    }

    /// `[keys] max_records`: eviction closest-to-expiry first needs a TTL,
    /// and the API's memory has no eviction of its own here.
    fn max_records(&self, keys: &KeysSection) -> Result<Option<u32>, InputError> {
        let Some(max) = &keys.max_records else {
            return Ok(None);
        };
        let value = self.in_range(max, 1..=limits::MAX_KEY_RECORDS, "max_records")?;
        if keys.ttl_ms.is_none() {
            return self.err(
                max.span(),
                "max_records evicts the record closest to its expiry (Redis volatile-ttl), so it needs ttl_ms in [keys]",
            );
        }
        Ok(Some(value))
    }

    fn in_range<T: PartialOrd + Copy + std::fmt::Display>(
        &self,
        value: &Spanned<T>,
        range: std::ops::RangeInclusive<T>,
        what: &str,
    ) -> Result<T, InputError> {
        InputError::check_range(self.path, self.text, value, range, what)
    }

    fn store(&self, name: &Spanned<String>) -> Result<StoreName, InputError> {
        match name.get_ref().parse::<StoreName>() {
            Ok(store) => Ok(store),
            Err(_) => {
                let other = name.get_ref();
                let expected = store_names_said();
                self.err(
                    name.span(),
                    format!("unknown store `{other}`; expected {expected}"),
                )
            }
        }
    }

    /// Refuses a second transaction or cleanup of the same name.
    fn unique_name(
        &self,
        names: &mut Vec<String>,
        section: &TransactionSection,
    ) -> Result<(), InputError> {
        let name = section.name.get_ref();
        if names.contains(name) {
            return self.err(
                section.name.span(),
                format!("a second transaction or cleanup named `{name}`; expected a new name"),
            );
        }
        names.push(name.clone());
        Ok(())
    }

    /// The cleanups a transfer transaction names in its `on_*` fields.
    fn cleanups_of(
        &self,
        section: &TransactionSection,
        cleanups: &[Transaction],
    ) -> Result<Cleanups, InputError> {
        let find = |field: &Option<Spanned<String>>| -> Result<Option<u16>, InputError> {
            let Some(name) = field else { return Ok(None) };
            match cleanups.iter().position(|c| c.name == *name.get_ref()) {
                Some(index) => Ok(Some(super::txn_number(index))),
                None => {
                    let known: Vec<&str> = cleanups.iter().map(|c| c.name.as_str()).collect();
                    self.err(
                        name.span(),
                        format!(
                            "no [[cleanup]] named `{}`; expected one of: {}",
                            name.get_ref(),
                            if known.is_empty() {
                                "(this design declares none)".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    )
                }
            }
        };
        Ok(Cleanups {
            refusal: find(&section.on_refusal)?,
            timeout: find(&section.on_timeout)?,
            later_failure: find(&section.on_later_failure)?,
        })
    }

    /// `[completer]`: its timing, and the transactions it runs by name
    /// (`names` holds every transaction, cleanup and job, in wire numbering).
    fn completer(
        &self,
        section: &Spanned<CompleterSection>,
        key_store: StoreName,
        names: &[String],
    ) -> Result<Completer, InputError> {
        let c = section.get_ref();
        if key_store == StoreName::Memory {
            return self.err(
                section.span(),
                "a completer is a host of its own and cannot read the API's memory; expected the key store to be `keys` or `ledger`",
            );
        }
        let every_ms = self.in_range(&c.every_ms, 1..=limits::MAX_TIMEOUT_MS, "every_ms")?;
        let after_ms = self.in_range(&c.after_ms, 0..=limits::MAX_TIMEOUT_MS, "after_ms")?;
        if c.run.get_ref().is_empty() || c.run.get_ref().len() > limits::MAX_DESIGN_TRANSACTIONS {
            return self.err(
                c.run.span(),
                format!(
                    "expected from 1 to {} transaction names to run",
                    limits::MAX_DESIGN_TRANSACTIONS
                ),
            );
        }
        let mut run = Vec::new();
        for name in c.run.get_ref() {
            match names.iter().position(|n| n == name.get_ref()) {
                Some(n) => run.push(super::txn_number(n)),
                None => {
                    return self.err(
                        name.span(),
                        format!(
                            "no transaction, cleanup or job named `{}`; expected one of: {}",
                            name.get_ref(),
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        let answer = self.answer(&c.answer, "reply 500 abandoned final", "answer")?;
        Ok(Completer {
            every_ms,
            after_ms,
            run,
            answer,
        })
    }

    /// A job the completer never runs would never run at all.
    fn every_job_used(
        &self,
        sections: &[Spanned<TransactionSection>],
        first: usize,
        completer: Option<&Completer>,
    ) -> Result<(), InputError> {
        for (index, section) in sections.iter().enumerate() {
            let n = super::txn_number(first + index);
            if !completer.is_some_and(|c| c.run.contains(&n)) {
                return self.err(
                    section.get_ref().name.span(),
                    format!(
                        "job `{}` is never run; expected the [completer]'s `run` to name it",
                        section.get_ref().name.get_ref()
                    ),
                );
            }
        }
        Ok(())
    }

    /// A cleanup nothing names would never run: most likely a typo.
    fn every_cleanup_used(
        &self,
        sections: &[Spanned<TransactionSection>],
        transactions: &[Transaction],
        completer: Option<&Completer>,
    ) -> Result<(), InputError> {
        for (index, section) in sections.iter().enumerate() {
            let wire = super::txn_number(transactions.len() + index);
            let index = Some(super::txn_number(index));
            let used = transactions.iter().any(|t| {
                t.on.refusal == index || t.on.timeout == index || t.on.later_failure == index
            }) || completer.is_some_and(|c| c.run.contains(&wire));
            if !used {
                return self.err(
                    section.get_ref().name.span(),
                    format!(
                        "cleanup `{}` is never run; expected a transaction to name it in on_refusal, on_timeout or on_later_failure, or the [completer] in `run`",
                        section.get_ref().name.get_ref()
                    ),
                );
            }
        }
        Ok(())
    }

    fn transaction(
        &self,
        txn: &TransactionSection,
        key_store: StoreName,
        role: Role,
    ) -> Result<Transaction, InputError> {
        if role != Role::Endpoint
            && let Some(field) = [&txn.on_refusal, &txn.on_timeout, &txn.on_later_failure]
                .into_iter()
                .flatten()
                .next()
        {
            return self.err(
                field.span(),
                "only a [[transaction]] of the transfer endpoint names cleanups",
            );
        }
        let store = self.store(&txn.store)?;
        let name = txn.name.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return self.err(
                txn.name.span(),
                "expected a transaction name of letters, digits, `-` and `_`",
            );
        }
        if is_reserved(name) {
            return self.err(
                txn.name.span(),
                format!("`{name}` names a message already (request, response, key-request, key-response, issue-key, or a name ending in -result); expected another transaction name"),
            );
        }
        if name.len() > limits::MAX_NAME_BYTES {
            return self.err(
                txn.name.span(),
                format!(
                    "a transaction name of {} bytes; expected at most {}",
                    name.len(),
                    limits::MAX_NAME_BYTES
                ),
            );
        }
        if txn.steps.is_empty() {
            return self.err(txn.name.span(), "a transaction needs at least one step");
        }
        if txn.steps.len() > limits::MAX_STEPS_PER_TRANSACTION {
            return self.err(
                txn.steps[limits::MAX_STEPS_PER_TRANSACTION].span(),
                format!(
                    "too many steps; expected at most {} in one transaction",
                    limits::MAX_STEPS_PER_TRANSACTION
                ),
            );
        }
        let mut steps = Vec::new();
        for step in &txn.steps {
            let span = step.span();
            let step = self.step(step)?;
            if role == Role::Endpoint && step.is_cleanup_only() {
                return self.err(
                    span,
                    format!(
                        "`{}` acts on a failure and runs only in a [[cleanup]]",
                        step.op_name()
                    ),
                );
            }
            if role == Role::Cleanup && step.is_endpoint_only() {
                return self.err(
                    span,
                    format!(
                        "`{}` does not belong in a [[cleanup]]; a cleanup may take check-claim, mark-done, delete-key, release-claim, save-answer and refund",
                        step.op_name()
                    ),
                );
            }
            if step.is_ledger_op() && store != StoreName::Ledger {
                return self.err(
                    span,
                    format!(
                        "`{}` moves money and runs in the ledger, but this transaction is on `{}`; one transaction covers one store",
                        step.op_name(),
                        store.host()
                    ),
                );
            }
            if step.is_processor_op() != (store == StoreName::Processor) {
                return self.err(
                    span,
                    format!(
                        "`{}` on `{}`: a transaction on the processor takes only `charge`, and `charge` runs only on the processor",
                        step.op_name(),
                        store.name()
                    ),
                );
            }
            if step.is_key_op() && store != key_store {
                return self.err(
                    span,
                    format!(
                        "`{}` works on idempotency records, which this design keeps in `{}`, but this transaction is on `{}`; one transaction covers one store",
                        step.op_name(),
                        key_store.host(),
                        store.host()
                    ),
                );
            }
            steps.push(step);
        }
        Ok(Transaction {
            name: name.clone(),
            store,
            steps,
            on: Cleanups::default(),
        })
    }

    /// A step as read, or its error at the key or value at fault (the
    /// step as a whole when no one field is).
    fn step(&self, step: &Spanned<Tagged<Step>>) -> Result<Step, InputError> {
        match &step.get_ref().0 {
            Ok(step) => Ok(step.clone()),
            Err(e) => self.err(e.span.clone().unwrap_or(step.span()), e.to_string()),
        }
    }

    /// An answer the API gives (`reply STATUS CODE [final]`), for `what`.
    fn answer(
        &self,
        value: &Option<Spanned<String>>,
        default: &str,
        what: &str,
    ) -> Result<Answer, InputError> {
        match self.action(value, default)? {
            Action::Reply(answer) => Ok(answer),
            _ => self.err(
                value.as_ref().map_or(0..0, |s| s.span()),
                format!("{what} is what the API answers; expected `reply STATUS CODE` or `reply STATUS CODE final`"),
            ),
        }
    }

    fn action(&self, value: &Option<Spanned<String>>, default: &str) -> Result<Action, InputError> {
        let (text, span) = match value {
            Some(v) => (v.get_ref().as_str(), v.span()),
            None => (default, 0..0),
        };
        parse_action(text).or_else(|message| self.err(span, message))
    }
}

/// Names no design transaction may take, because messages already use them.
fn is_reserved(name: &str) -> bool {
    [
        "request",
        "response",
        "key-request",
        "key-response",
        "issue-key",
    ]
    .contains(&name)
        || name.ends_with("-result")
}

impl TryFrom<String> for Action {
    type Error = String;

    fn try_from(text: String) -> Result<Action, String> {
        parse_action(&text)
    }
}

/// `continue`, `replay`, `wait`, or `reply|save STATUS CODE [final]`.
fn parse_action(text: &str) -> Result<Action, String> {
    let expected = "expected `continue`, `replay`, `wait`, `reply STATUS CODE` or `save STATUS CODE`, optionally followed by `final` (such as `reply 409 key_in_use`)";
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["continue"] => Ok(Action::Continue),
        ["replay"] => Ok(Action::Replay),
        ["wait"] => Ok(Action::Wait),
        [verb @ ("reply" | "save"), status, code, rest @ ..] => {
            let final_answer = match rest {
                [] => false,
                ["final"] => true,
                _ => return Err(format!("`{text}` is not an action; {expected}")),
            };
            let status: u16 = status
                .parse()
                .ok()
                .filter(|s| (200..600).contains(s))
                .ok_or_else(|| format!("`{status}` is not an HTTP status; {expected}"))?;
            if code.len() > limits::MAX_NAME_BYTES {
                return Err(format!(
                    "an answer code of {} bytes; expected at most {}",
                    code.len(),
                    limits::MAX_NAME_BYTES
                ));
            }
            let answer = Answer {
                status,
                code: crate::vocab::wire::Code::parse(code),
                final_answer,
            };
            Ok(if *verb == "reply" {
                Action::Reply(answer)
            } else {
                Action::Save(answer)
            })
        }
        _ => Err(format!("`{text}` is not an action; {expected}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema's list of stores (a literal, as `schemars` needs) is the
    /// enum's.
    #[test]
    fn the_schema_lists_every_store_and_no_other() {
        let schema = serde_json::to_value(design_schema()).unwrap();
        let listed = &schema["$defs"]["Transaction"]["properties"]["store"]["enum"];
        let names: Vec<&str> = StoreName::iter().map(StoreName::name).collect();
        assert_eq!(listed, &serde_json::json!(names));
        assert_eq!(
            store_names_said(),
            "`keys`, `ledger`, `memory` (the API's own memory) or `processor`"
        );
    }

    #[test]
    fn builtins_are_well_formed() {
        for name in builtin_names() {
            let design =
                load_design(name, Path::new(".")).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(design.name, name);
        }
    }

    #[test]
    fn rejects_unknown_step_with_position() {
        let text = "name = \"x\"\nsummary = \"s\"\n[[transaction]]\nname = \"t\"\nstore = \"ledger\"\nsteps = [{ op = \"debit\" }, { op = \"teleport\" }]\n";
        let err = parse_design(Path::new("x.toml"), text).unwrap_err();
        assert_eq!(err.position, Some((6, 35)));
        assert!(
            err.message.contains("unknown step `teleport`"),
            "{}",
            err.message
        );
    }

    /// A step's fields are read by the step: each error points at the
    /// field's key or value, and a default fills what the file leaves out.
    #[test]
    fn step_fields_are_checked_where_they_are_written() {
        let design = |steps: &str| {
            format!(
                "name = \"x\"\nsummary = \"s\"\n[[transaction]]\nname = \"t\"\nstore = \"ledger\"\nsteps = {steps}\n"
            )
        };
        let err = parse_design(
            Path::new("x.toml"),
            &design(r#"[{ op = "debit", insufficient = "reply 402" }]"#),
        )
        .unwrap_err();
        assert_eq!(err.position, Some((6, 41)), "{}", err.message);
        let err = parse_design(
            Path::new("x.toml"),
            &design(r#"[{ op = "credit", insufficient = "continue" }]"#),
        )
        .unwrap_err();
        assert_eq!(err.position, Some((6, 27)), "{}", err.message);
        let ok = parse_design(
            Path::new("x.toml"),
            &design(r#"[{ op = "debit" }, { op = "credit" }]"#),
        )
        .unwrap();
        assert_eq!(
            ok.transactions[0].steps[0],
            Step::Debit {
                insufficient: parse_action("reply 402 insufficient_funds").unwrap()
            }
        );
    }

    const APPLY: &str = "name = \"x\"\nsummary = \"s\"\n[keys]\nstore = \"ledger\"\nttl_ms = 1000\n[[transaction]]\nname = \"apply\"\nstore = \"ledger\"\n";

    fn refused(text: &str) -> InputError {
        parse_design(Path::new("x.toml"), text).unwrap_err()
    }

    #[test]
    fn cleanups_are_named_used_and_kept_apart() {
        let steps = "steps = [{ op = \"debit\" }, { op = \"credit\" }]\n";
        let ok = format!(
            "{APPLY}on_timeout = \"undo\"\n{steps}[[cleanup]]\nname = \"undo\"\nstore = \"ledger\"\nsteps = [{{ op = \"release-claim\", check-owner = false }}, {{ op = \"refund\" }}]\n"
        );
        let design = parse_design(Path::new("x.toml"), &ok).unwrap();
        assert_eq!(design.transactions[0].on.timeout, Some(0));
        assert_eq!(
            design.cleanups[0].steps,
            [Step::ReleaseClaim { check_owner: false }, Step::Refund]
        );
        assert_eq!(design.call_name(design.cleanup_call(0)), "undo");

        let unknown = format!("{APPLY}on_timeout = \"undoo\"\n{steps}");
        let err = refused(&unknown);
        assert_eq!(err.position, Some((9, 14)), "{}", err.message);
        assert!(
            err.message.contains("no [[cleanup]] named `undoo`"),
            "{}",
            err.message
        );

        let unused = format!(
            "{APPLY}{steps}[[cleanup]]\nname = \"undo\"\nstore = \"ledger\"\nsteps = [{{ op = \"refund\" }}]\n"
        );
        assert!(
            refused(&unused)
                .message
                .contains("cleanup `undo` is never run")
        );

        let in_endpoint = format!(
            "{APPLY}steps = [{{ op = \"debit\" }}, {{ op = \"credit\" }}, {{ op = \"refund\" }}]\n"
        );
        let err = refused(&in_endpoint);
        assert!(
            err.message.contains("runs only in a [[cleanup]]"),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.0), Some(9));

        let pays = format!(
            "{APPLY}on_refusal = \"again\"\n{steps}[[cleanup]]\nname = \"again\"\nstore = \"ledger\"\nsteps = [{{ op = \"debit\" }}]\n"
        );
        assert!(
            refused(&pays)
                .message
                .contains("does not belong in a [[cleanup]]")
        );

        let owner = format!(
            "{APPLY}steps = [{{ op = \"debit\", check-owner = true }}, {{ op = \"credit\" }}]\n"
        );
        assert!(
            refused(&owner)
                .message
                .contains("a `debit` step takes no `check-owner`; it takes `insufficient`")
        );
    }

    #[test]
    fn processors_and_completers_are_checked_where_they_are_written() {
        let charge = "steps = [{ op = \"charge\" }]\n";
        let ok = format!("{APPLY}{charge}").replace(
            "name = \"apply\"\nstore = \"ledger\"",
            "name = \"pay\"\nstore = \"processor\"",
        );
        let design = parse_design(
            Path::new("x.toml"),
            &format!("{ok}[processor]\nkey = \"request\"\n"),
        )
        .unwrap();
        assert_eq!(design.money_store(), StoreName::Processor);
        assert_eq!(design.processor_key, super::ProcessorKey::Request);

        // A charge in the ledger, and a debit at the processor, are refused at the step.
        let err = refused(&format!("{APPLY}{charge}"));
        assert!(
            err.message.contains("takes only `charge`"),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.0), Some(9));
        let both = format!(
            "{APPLY}steps = [{{ op = \"debit\" }}, {{ op = \"credit\" }}]\n[[transaction]]\nname = \"pay\"\nstore = \"processor\"\n{charge}"
        );
        assert!(
            refused(&both)
                .message
                .contains("exactly one debit and one credit step, or exactly one charge")
        );
        let bad_key = format!("{ok}[processor]\nkey = \"always\"\n");
        assert_eq!(refused(&bad_key).position.map(|p| p.0), Some(11));

        let steps = "steps = [{ op = \"debit\" }, { op = \"credit\" }]\n";
        let completer = |run: &str| {
            format!("{APPLY}{steps}[completer]\nevery_ms = 100\nafter_ms = 200\nrun = [{run}]\n")
        };
        let design = parse_design(Path::new("x.toml"), &completer("\"apply\"")).unwrap();
        assert_eq!(
            design.completer.as_ref().map(|c| c.run.clone()),
            Some(vec![0])
        );
        let err = refused(&completer("\"aply\""));
        assert!(
            err.message
                .contains("no transaction, cleanup or job named `aply`"),
            "{}",
            err.message
        );
        assert_eq!(err.position, Some((13, 8)));
        let idle_job = format!(
            "{APPLY}{steps}[[job]]\nname = \"j\"\nstore = \"ledger\"\nsteps = [{{ op = \"mark-done\" }}]\n"
        );
        assert!(refused(&idle_job).message.contains("job `j` is never run"));
        let zero = completer("\"apply\"").replace("every_ms = 100", "every_ms = 0");
        assert_eq!(refused(&zero).position.map(|p| p.0), Some(11));
    }

    #[test]
    fn stores_that_forget_are_checked() {
        let steps = "steps = [{ op = \"debit\" }, { op = \"credit\" }]\n";
        let text = format!("{APPLY}{steps}")
            .replace("store = \"ledger\"\nttl_ms", "store = \"memory\"\nttl_ms");
        let design = parse_design(Path::new("x.toml"), &text).unwrap();
        assert_eq!(design.key_store, StoreName::Memory);
        assert!(design.stores().iter().all(|s| s.is_remote()));

        let no_ttl = format!("{APPLY}{steps}").replace("ttl_ms = 1000", "max_records = 10");
        let err = refused(&no_ttl);
        assert!(err.message.contains("needs ttl_ms"), "{}", err.message);
        assert_eq!(err.position, Some((5, 15)));

        let volatile_memory = format!("{APPLY}{steps}").replace(
            "store = \"ledger\"\nttl_ms",
            "store = \"memory\"\ndurable = false\nttl_ms",
        );
        let err = refused(&volatile_memory);
        assert!(
            err.message.contains("lost whenever the API crashes"),
            "{}",
            err.message
        );
        // Stating the opposite is no truer: records in memory are never kept.
        let durable_memory = volatile_memory.replace("durable = false", "durable = true");
        let err = refused(&durable_memory);
        assert!(
            err.message
                .contains("expected no `durable`, or store = \"keys\""),
            "{}",
            err.message
        );
        assert_eq!(err.position, Some((5, 11)));
        // The ledger keeps everything; `durable = false` there would be a lie.
        let volatile_ledger = format!("{APPLY}{steps}").replace(
            "store = \"ledger\"\nttl_ms",
            "store = \"ledger\"\ndurable = false\nttl_ms",
        );
        assert!(
            refused(&volatile_ledger)
                .message
                .contains("kept as its balances are")
        );

        let wait = format!("{APPLY}{steps}[api]\non_wait_exhausted = \"wait\"\n");
        let err = refused(&wait);
        assert!(
            err.message
                .contains("on_wait_exhausted is what the API answers"),
            "{}",
            err.message
        );
    }

    #[test]
    fn rejects_group_spanning_two_stores() {
        let text = "name = \"x\"\nsummary = \"s\"\n[keys]\nstore = \"keys\"\n[[transaction]]\nname = \"t\"\nstore = \"ledger\"\nsteps = [{ op = \"debit\" }, { op = \"credit\" }, { op = \"mark-done\" }]\n";
        let err = parse_design(Path::new("x.toml"), text).unwrap_err();
        assert!(
            err.message.contains("one transaction covers one store"),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.0), Some(8));
    }
}
