//! From a [`ScenarioSpec`] to a runnable [`Scenario`]: every value checked
//! against its limit, every name resolved. A problem names the field's path
//! (`client[0].transfers[1].from`); the file loader turns the path into a line
//! and column. Scenarios built in code and read from files get the same
//! checks and the same messages.

use super::spec::{ScenarioSpec, TransferSpec};
use super::{Account, AccountIx, Client, ClientIx, KeySource, Scenario, Transfer, TransferIx};
use crate::api::Api;
use crate::design::{Design, LoadDesignError, builtin_names, load_design};
use crate::error::{FieldPath, InputError, Problem};
use crate::fault::{Fault, ResolveCtx};
use crate::limits;
use crate::reach::Phase;
use crate::service::Services;
use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a spec is not a valid scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A value of the scenario, at its path.
    Value(Problem),
    /// The design file it names is missing or not valid (located in that file).
    Design(InputError),
}

impl Invalid {
    /// As an error for a scenario built in code: the path names the field.
    pub fn into_input_error(self) -> InputError {
        match self {
            Invalid::Value(problem) => problem.into_input_error(),
            Invalid::Design(error) => error,
        }
    }
}

impl From<Problem> for Invalid {
    fn from(p: Problem) -> Invalid {
        Invalid::Value(p)
    }
}

/// The text of `[database]`'s setup: `setup` itself, or the file
/// `setup_file` names, relative to `base_dir`.
fn read_setup(spec: &super::DatabaseSpec, base_dir: &Path) -> Result<String, Problem> {
    match (&spec.setup, &spec.setup_file) {
        (Some(_), Some(_)) => Err(at(
            root("database").key("setup_file"),
            "[database] has both `setup` and `setup_file`; expected one of them",
        )),
        (Some(setup), None) => Ok(setup.clone()),
        (None, Some(file)) => {
            let path = base_dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                at(
                    root("database").key("setup_file"),
                    format!(
                        "cannot read `{}`: {e}; expected a file of SQL",
                        path.display()
                    ),
                )
            })?;
            if text.len() > crate::limits::MAX_SQL_SETUP_BYTES {
                return Err(at(
                    root("database").key("setup_file"),
                    format!(
                        "`{}` holds {} bytes; expected at most {}",
                        path.display(),
                        text.len(),
                        crate::limits::MAX_SQL_SETUP_BYTES
                    ),
                ));
            }
            Ok(text)
        }
        (None, None) => Err(at(
            FieldPath::root().name("database"),
            "expected `setup = \"CREATE TABLE …\"` or `setup_file = \"schema.sql\"`",
        )),
    }
}

fn at(path: FieldPath, message: impl Into<String>) -> Problem {
    Problem::new(path, message)
}

fn root(key: &str) -> FieldPath {
    FieldPath::root().key(key)
}

/// `value` if it lies in `range`; else a problem at `path` saying so.
fn in_range<T: PartialOrd + Copy + Display>(
    path: FieldPath,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, Problem> {
    if range.contains(&value) {
        return Ok(value);
    }
    let name = match path.0.last() {
        Some(crate::error::Segment::Key(k)) => k.clone(),
        _ => "the value".to_string(),
    };
    Err(at(
        path,
        format!(
            "{name} is {value}; expected a value from {} to {}",
            range.start(),
            range.end()
        ),
    ))
}

/// A name the scenario gives (account, transfer id): not empty, bounded.
/// `what` is the bare noun (`account name`): each message adds its own article.
fn name(path: FieldPath, what: &str, text: &str) -> Result<(), Problem> {
    if text.is_empty() {
        return Err(at(path, format!("an empty {what}; expected a name")));
    }
    if text.len() > limits::MAX_NAME_BYTES {
        return Err(at(
            path,
            format!(
                "the {what} is {} bytes; expected at most {} bytes",
                text.len(),
                limits::MAX_NAME_BYTES
            ),
        ));
    }
    Ok(())
}

impl ScenarioSpec {
    /// Checks the scenario and resolves its names: the one validation a
    /// file (through [`super::Loader`]) and code (through
    /// [`super::ScenarioBuilder`]) both go through. A design path is taken
    /// relative to `base_dir`; `services` are those the program offers to
    /// a scenario that names one.
    pub(crate) fn validate(
        &self,
        base_dir: &Path,
        services: &Services,
    ) -> Result<Scenario, Invalid> {
        let api = self.resolve_api(base_dir, services)?;
        let mut spec = self.clone();
        if let Some(database) = spec.database.as_mut() {
            database.setup = Some(read_setup(database, base_dir)?);
        }
        spec.validate_with(api)
    }

    /// The design or service the scenario names.
    fn resolve_api(&self, base_dir: &Path, services: &Services) -> Result<Api, Invalid> {
        match (&self.design, &self.service) {
            (Some(design), None) => Ok(Api::Design(resolve_design(design, base_dir)?)),
            (None, Some(name)) => Ok(Api::Service(resolve_service(name, services)?)),
            (Some(_), Some(_)) => Err(at(
                root("service"),
                "a scenario names a design or a service, not both; expected one of `design = …` and `service = …`",
            )
            .into()),
            (None, None) => Err(at(
                FieldPath::root(),
                "no payment API; expected `design = \"naive\"` (or another design) or `service = \"…\"`",
            )
            .into()),
        }
    }

    /// How the file names its API.
    fn api_ref(&self) -> String {
        self.design
            .clone()
            .or_else(|| self.service.clone())
            .unwrap_or_default()
    }

    /// As [`ScenarioSpec::validate`], with the API already resolved.
    pub(crate) fn validate_with(&self, api: Api) -> Result<Scenario, Invalid> {
        let accounts = self.accounts()?;
        self.http_against(&api)?;
        self.keys_against(&api)?;
        self.ranges()?;
        crate::fault::random::refused_rate(&self.faults, &api, &root("faults"))?;
        self.answerable(&api)?;
        let database = self.database(&api, &accounts)?;
        let (clients, transfers) = self.transfers(&accounts)?;
        let faults = self.faults(&api, &transfers)?;
        let must_reach = self.must_reach(&api)?;
        self.expectation(transfers.len())?;
        let mut expect = self.expect.clone();
        expect.violations.sort();
        expect.violations.dedup();
        assert_indexed(accounts.len(), clients.len(), &transfers);
        Ok(Scenario {
            name: self.name.clone(),
            description: self.description.trim().to_string(),
            seed: self.seed.0,
            api_ref: self.api_ref(),
            api,
            accounts: accounts.into(),
            keys: self.keys,
            retry: self.retry,
            network: self.network,
            window: self.faults,
            clients: clients.into(),
            transfers: transfers.into(),
            faults: faults.into(),
            stores: self.stores,
            limits: self.limits,
            simulation: self.simulation,
            http: self.http.clone().map(Arc::new),
            database: database.map(Arc::new),
            expect,
            must_reach,
        })
    }

    /// Refuses a network no answer can cross in time. A message spends at
    /// least `latency_min_ms` each way, so a call's answer comes back
    /// `2 × latency_min_ms` after it was sent at the earliest. If that is
    /// no sooner than a design's `store_timeout_ms`, no store call is ever
    /// answered and every transfer ends unknown under every fault and none
    /// (lost-apply and stuck-key on every design); if it is no sooner than
    /// the client's `timeout_ms`, no attempt ever is. Such a scenario
    /// shows nothing about the design, so it is refused where it is said.
    /// A slower `latency_max_ms` is allowed: some calls then time out and
    /// some do not, which is a fault worth running. A service's store
    /// clients set their own timeouts in its code (1,000 ms unless it says
    /// otherwise), so for a service only the client's timeout is checked.
    fn answerable(&self, api: &Api) -> Result<(), Problem> {
        let min = self.network.latency_min_ms;
        let round_trip = min.saturating_mul(2);
        let timeout = self.retry.timeout_ms;
        if round_trip >= timeout {
            // At the floor of 1 ms, only the client's timeout can be at fault.
            let path = if min > 1 {
                root("network").key("latency_min_ms")
            } else {
                root("retry").key("timeout_ms")
            };
            return Err(at(
                path,
                format!(
                    "a message spends at least {min} ms in flight each way, so an answer takes at least {round_trip} ms, and the client waits only {timeout} ms ([retry] timeout_ms): no attempt could ever be answered; expected latency_min_ms of at most {} or a longer timeout_ms",
                    (timeout - 1) / 2
                ),
            ));
        }
        if let Some(design) = api.design()
            && round_trip >= design.store_timeout_ms
        {
            let store_timeout = design.store_timeout_ms;
            return Err(at(
                root("network").key("latency_min_ms"),
                format!(
                    "a message spends at least {min} ms in flight each way, so a store call's answer takes at least {round_trip} ms, and design `{}` waits only {store_timeout} ms for it (store_timeout_ms): no store call could ever be answered and every transfer would end unknown; expected latency_min_ms of at most {}, or a design with a longer store_timeout_ms",
                    crate::text::escape(&design.name),
                    (store_timeout - 1) / 2
                ),
            ));
        }
        Ok(())
    }

    fn accounts(&self) -> Result<Vec<Account>, Problem> {
        let path = root("accounts");
        if self.accounts.is_empty() {
            return Err(at(path, "expected at least one account"));
        }
        if self.accounts.len() > limits::MAX_ACCOUNTS {
            return Err(at(
                path,
                format!(
                    "{} accounts; expected at most {}",
                    self.accounts.len(),
                    limits::MAX_ACCOUNTS
                ),
            ));
        }
        self.accounts
            .iter()
            .map(|(account, &balance)| {
                name(path.name(account), "account name", account)?;
                let path = path.key(account);
                in_range(path, balance, 0..=limits::MAX_AMOUNT).map_err(|p| Problem {
                    message: format!(
                        "a starting balance of {balance}; expected a value from 0 to {}",
                        limits::MAX_AMOUNT
                    ),
                    ..p
                })?;
                Ok(Account {
                    name: account.clone(),
                    balance,
                })
            })
            .collect()
    }

    fn keys_against(&self, api: &Api) -> Result<(), Problem> {
        if self.keys.source == KeySource::Server {
            match api {
                Api::Design(design) if !design.issues_keys => {
                    return Err(at(
                        root("keys").key("source"),
                        format!(
                            "keys come from the server, but design `{}` issues none; expected source = \"client\" or a design with `issue = true` under [keys]",
                            design.name
                        ),
                    ));
                }
                Api::Service(service) => {
                    let endpoint = self
                        .http
                        .as_ref()
                        .unwrap_or(service.http_api())
                        .key_endpoint
                        .is_some();
                    if !endpoint {
                        return Err(at(
                            root("keys").key("source"),
                            format!(
                                "keys come from the server, but service `{}` names no endpoint that issues them; expected source = \"client\" or \"client-per-attempt\", or `[http.key_endpoint]` with the path and the answer's field that holds the key",
                                service.name()
                            ),
                        ));
                    }
                }
                Api::Design(_) => {}
            }
        }
        if let (Some(_), Some(design)) = (self.stores.keys_durability, api.design()) {
            return Err(at(
                root("stores").key("keys_durability"),
                format!(
                    "design `{}` states whether its key store keeps its records through a crash (`durable` under [keys] in the design file); expected no keys_durability, which is for a service's key store",
                    crate::text::escape(&design.name)
                ),
            ));
        }
        in_range(
            root("keys").key("space"),
            self.keys.space,
            1..=limits::CLIENT_KEY_SPACE,
        )?;
        Ok(())
    }

    /// The scenario's `[database]`: only for a service, and every statement
    /// of it runs.
    fn database(
        &self,
        api: &Api,
        accounts: &[Account],
    ) -> Result<Option<super::DatabaseSetup>, Problem> {
        let Some(spec) = &self.database else {
            return Ok(None);
        };
        let path = FieldPath::root().name("database");
        if api.design().is_some() {
            return Err(at(
                path,
                "[database] is a service's own PostgreSQL database, but a design keeps its money in idemsim's ledger; expected no [database], or `service = …`",
            ));
        }
        let Some(setup) = &spec.setup else {
            return Err(at(
                path,
                "expected `setup = \"CREATE TABLE …\"` or `setup_file = \"schema.sql\"`",
            ));
        };
        super::DatabaseSetup::new(
            setup.clone(),
            spec.account.clone(),
            spec.balances.clone(),
            accounts,
        )
        .map(Some)
        .map_err(|(part, why)| {
            let field = match (part, &spec.setup_file) {
                (super::database::Part::Setup, Some(file)) => {
                    return at(
                        root("database").key("setup_file"),
                        format!("{why} (in `{file}`)"),
                    );
                }
                (part, _) => part.field(),
            };
            at(root("database").key(field), why)
        })
    }

    /// The scenario's `[http]`: only for a service, and well formed.
    fn http_against(&self, api: &Api) -> Result<(), Problem> {
        let Some(http) = &self.http else {
            return Ok(());
        };
        if let Some(design) = api.design() {
            return Err(at(
                FieldPath::root().name("http"),
                format!(
                    "[http] describes a service's API, but design `{}` speaks idemsim's own messages; expected no [http], or `service = …`",
                    design.name
                ),
            ));
        }
        match http.problem() {
            Some((fields, why)) => {
                let path = fields.iter().fold(root("http"), |p, f| p.key(f));
                Err(at(path, why))
            }
            None => Ok(()),
        }
    }

    /// The numbers of the retry policy, network, fault window, stores and limits.
    fn ranges(&self) -> Result<(), Problem> {
        let retry = root("retry");
        let r = &self.retry;
        in_range(
            retry.key("max_attempts"),
            r.max_attempts,
            1..=limits::MAX_ATTEMPTS,
        )?;
        in_range(
            retry.key("timeout_ms"),
            r.timeout_ms,
            1..=limits::MAX_TIMEOUT_MS,
        )?;
        in_range(
            retry.key("backoff_initial_ms"),
            r.backoff_initial_ms,
            0..=limits::MAX_TIMEOUT_MS,
        )?;
        in_range(
            retry.key("backoff_max_ms"),
            r.backoff_max_ms,
            0..=limits::MAX_TIMEOUT_MS,
        )?;
        if r.backoff_max_ms < r.backoff_initial_ms {
            return Err(at(
                retry.key("backoff_max_ms"),
                format!(
                    "backoff_max_ms ({}) is below backoff_initial_ms ({}); expected a cap no smaller than the first backoff",
                    r.backoff_max_ms, r.backoff_initial_ms
                ),
            ));
        }
        in_range(
            retry.key("attempts_after_heal"),
            r.attempts_after_heal,
            0..=limits::MAX_ATTEMPTS_AFTER_HEAL,
        )?;
        if r.on.failure == super::ClientAction::Retry {
            return Err(at(
                retry.key("on").key("failure"),
                "a definitive failure is the API's last word on its key, and a retry with it is answered the same; expected \"give-up\" (the transfer ends failed) or \"new-key\" (pay again with a new key)",
            ));
        }
        match (r.pay_again, r.on.failure) {
            (Some(times), super::ClientAction::NewKey) => {
                in_range(retry.key("pay_again"), times, 1..=r.max_attempts)?;
            }
            (Some(_), _) => {
                return Err(at(
                    retry.key("pay_again"),
                    "pay_again bounds how often a client pays again with a new key after a definitive failure; expected [retry.on] failure = \"new-key\" with it, or no pay_again",
                ));
            }
            (None, _) => {}
        }
        let network = root("network");
        let min = in_range(
            network.key("latency_min_ms"),
            self.network.latency_min_ms,
            1..=limits::MAX_LATENCY_MS,
        )?;
        in_range(
            network.key("latency_max_ms"),
            self.network.latency_max_ms,
            min..=limits::MAX_LATENCY_MS,
        )?;
        let faults = root("faults");
        in_range(
            faults.key("heal_at_ms"),
            self.faults.heal_at_ms,
            0..=limits::MAX_SIM_MS,
        )?;
        in_range(
            faults.key("restart_after_ms"),
            self.faults.restart_after_ms,
            1..=limits::MAX_TIMEOUT_MS,
        )?;
        let stores = root("stores");
        in_range(
            stores.key("keys_work_ms"),
            self.stores.keys_work_ms,
            0..=limits::MAX_TIMEOUT_MS,
        )?;
        in_range(
            stores.key("ledger_work_ms"),
            self.stores.ledger_work_ms,
            0..=limits::MAX_TIMEOUT_MS,
        )?;
        let lim = root("limits");
        in_range(
            lim.key("max_sim_ms"),
            self.limits.max_sim_ms,
            1..=limits::MAX_SIM_MS,
        )?;
        in_range(
            lim.key("max_host_steps"),
            self.limits.max_host_steps,
            1..=limits::MAX_HOST_STEPS,
        )?;
        in_range(
            lim.key("max_network_work"),
            self.limits.max_network_work,
            1..=limits::MAX_NETWORK_WORK,
        )?;
        in_range(
            lim.key("max_messages"),
            self.limits.max_messages,
            1..=limits::MAX_MESSAGES,
        )?;
        Ok(())
    }

    /// The final id of every transfer: its own, or `tN` for the Nth.
    fn transfer_ids(&self) -> Vec<(FieldPath, Option<&str>, String)> {
        let mut out = Vec::new();
        let mut n = 0;
        for (c, client) in self.clients.iter().enumerate() {
            for (t, transfer) in client.transfers.iter().enumerate() {
                n += 1;
                let path = root("client").index(c).key("transfers").index(t);
                let id = transfer.id.clone().unwrap_or_else(|| format!("t{n}"));
                out.push((path, transfer.id.as_deref(), id));
            }
        }
        out
    }

    fn transfers(&self, accounts: &[Account]) -> Result<(Vec<Client>, Vec<Transfer>), Problem> {
        let path = root("client");
        if self.clients.is_empty() || self.clients.len() > limits::MAX_CLIENTS {
            return Err(at(
                path,
                format!(
                    "{} clients; expected 1 to {}",
                    self.clients.len(),
                    limits::MAX_CLIENTS
                ),
            ));
        }
        let total: usize = self.clients.iter().map(|c| c.transfers.len()).sum();
        if total == 0 {
            return Err(at(path, "expected at least one transfer"));
        }
        if total > limits::MAX_TRANSFERS {
            return Err(at(
                path,
                format!(
                    "{total} transfers; expected at most {}",
                    limits::MAX_TRANSFERS
                ),
            ));
        }
        let ids = self.transfer_ids();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (path, explicit, id)) in ids.iter().enumerate() {
            if let Some(explicit) = explicit {
                name(path.key("id"), "transfer id", explicit)?;
            }
            if let Some(&earlier) = seen.get(id.as_str()) {
                // Point at an explicit id: that is what the author can change.
                let (blame, other) = if explicit.is_some() {
                    (i, earlier)
                } else {
                    (earlier, i)
                };
                return Err(at(
                    ids[blame].0.key("id"),
                    format!(
                        "transfer id `{id}` is also the id of transfer {} (ids are `tN` for the Nth transfer unless given); expected a unique id",
                        other + 1
                    ),
                ));
            }
            seen.insert(id, i);
        }
        let account_ix = |name: &str| {
            accounts
                .binary_search_by(|a| a.name.as_str().cmp(name))
                .ok()
                .map(AccountIx::at)
        };
        let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
        let mut clients = Vec::new();
        let mut transfers: Vec<Transfer> = Vec::new();
        let mut next = 0usize;
        for (c, client) in self.clients.iter().enumerate() {
            let mut mine = Vec::new();
            for spec in &client.transfers {
                let (path, _, id) = &ids[next];
                let ix = TransferIx::at(next);
                next += 1;
                let transfer =
                    self.transfer(path, spec, id, &account_ix, &names, &transfers, &mine)?;
                transfers.push(Transfer {
                    client: ClientIx::at(c),
                    ..transfer
                });
                mine.push(ix);
            }
            clients.push(Client { transfers: mine });
        }
        Ok((clients, transfers))
    }

    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &self,
        path: &FieldPath,
        spec: &TransferSpec,
        id: &str,
        account_ix: &dyn Fn(&str) -> Option<AccountIx>,
        names: &[&str],
        earlier: &[Transfer],
        mine: &[TransferIx],
    ) -> Result<Transfer, Problem> {
        let account = |field: &str, name: &str| {
            account_ix(name).ok_or_else(|| {
                at(
                    path.key(field),
                    format!(
                        "unknown account `{name}`; expected one of: {}",
                        crate::text::list(names)
                    ),
                )
            })
        };
        let from = account("from", &spec.from)?;
        let to = account("to", &spec.to)?;
        if from == to {
            return Err(at(
                path.key("to"),
                "a transfer's `to` is its `from`; expected two different accounts",
            ));
        }
        if spec.amount <= 0 || spec.amount > limits::MAX_AMOUNT {
            return Err(at(
                path.key("amount"),
                format!(
                    "amount is {}; expected a positive amount in minor units, at most {}",
                    spec.amount,
                    limits::MAX_AMOUNT
                ),
            ));
        }
        let reuse_key_of = match &spec.reuse_key_of {
            None => None,
            Some(other) => Some(
                mine.iter()
                    .copied()
                    .find(|ix| earlier[ix.0 as usize].id == *other)
                    .ok_or_else(|| {
                        at(
                            path.key("reuse_key_of"),
                            format!(
                                "`{other}` is not an earlier transfer of this client; expected the id of one whose key this transfer reuses"
                            ),
                        )
                    })?,
            ),
        };
        Ok(Transfer {
            id: id.to_string(),
            client: ClientIx(0),
            from,
            to,
            amount: spec.amount,
            reuse_key_of,
        })
    }

    fn faults(&self, api: &Api, transfers: &[Transfer]) -> Result<Vec<Fault>, Problem> {
        if self.targeted.len() > limits::MAX_FAULTS {
            return Err(at(
                root("fault").index(limits::MAX_FAULTS),
                format!("too many faults; expected at most {}", limits::MAX_FAULTS),
            ));
        }
        let transfer_ids: BTreeMap<String, TransferIx> = transfers
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), TransferIx::at(i)))
            .collect();
        self.targeted
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let ctx = ResolveCtx {
                    api,
                    stores: &self.stores,
                    transfer_ids: &transfer_ids,
                    max_attempt: limits::MAX_ATTEMPTS_PER_TRANSFER,
                    heal_at_ms: self.faults.heal_at_ms,
                    path: root("fault").index(i),
                };
                spec.resolver().resolve(&ctx)
            })
            .collect()
    }

    fn must_reach(&self, api: &Api) -> Result<Vec<Phase>, Problem> {
        self.explore
            .must_reach
            .iter()
            .enumerate()
            .map(|(i, text)| {
                Phase::parse(text, api)
                    .map_err(|message| at(root("explore").key("must_reach").index(i), message))
            })
            .collect()
    }

    fn expectation(&self, transfers: usize) -> Result<(), Problem> {
        let path = root("expect");
        for (field, count) in [
            ("succeeded", self.expect.succeeded),
            ("failed", self.expect.failed),
            ("unknown", self.expect.unknown),
        ] {
            if let Some(n) = count {
                in_range(path.key(field), n as usize, 0..=transfers)?;
            }
        }
        Ok(())
    }
}

/// The service a scenario names, among those the program offers.
fn resolve_service(
    name: &str,
    services: &Services,
) -> Result<Arc<crate::service::Service>, Invalid> {
    let Some(service) = services.get(name) else {
        let message = if services.is_empty() {
            format!(
                "service `{}`, but this program offers no services; run the scenario with the program that hands idemsim its services (see idemsim::cli::main_with), or name a design",
                crate::text::escape(name)
            )
        } else {
            format!(
                "unknown service `{}`; expected one of: {}",
                crate::text::escape(name),
                crate::text::list(&services.names())
            )
        };
        return Err(at(root("service"), message).into());
    };
    if let Some(problem) = service.problems() {
        return Err(at(root("service"), problem).into());
    }
    Ok(Arc::new(service.clone()))
}

/// The design a scenario names: built in, or a file relative to `base_dir`.
pub(crate) fn resolve_design(reference: &str, base_dir: &Path) -> Result<Arc<Design>, Invalid> {
    load_design(reference, base_dir)
        .map(Arc::new)
        .map_err(|e| match e {
            LoadDesignError::Unknown => Invalid::Value(at(
                root("design"),
                format!(
                    "unknown design `{reference}`; expected one of: {}, or a path to a design file ending in .toml",
                    builtin_names().join(", ")
                ),
            )),
            LoadDesignError::Unreadable(message) => Invalid::Value(at(root("design"), message)),
            LoadDesignError::Invalid(inner) => Invalid::Design(inner),
        })
}

/// What the world and the checker index by without looking: every transfer's
/// accounts and client exist, amounts are positive and within
/// `limits::MAX_AMOUNT`, and a reused key is an earlier transfer's.
fn assert_indexed(accounts: usize, clients: usize, transfers: &[Transfer]) {
    assert!(transfers.len() <= crate::limits::MAX_TRANSFERS);
    for (i, t) in transfers.iter().enumerate() {
        assert!((t.from.0 as usize) < accounts && (t.to.0 as usize) < accounts);
        assert!(
            (t.client.0 as usize) < clients,
            "transfer {i} of client {}",
            t.client.0
        );
        assert!(
            t.amount > 0 && t.amount <= crate::limits::MAX_AMOUNT,
            "amount {}",
            t.amount
        );
        assert!(t.reuse_key_of.is_none_or(|r| (r.0 as usize) < i));
    }
}

impl Scenario {
    /// The scenario as a file would write it: every transfer with its id,
    /// every fault resolved to the fields it was given, defaults written out,
    /// the API named as the scenario named it. Reads no file.
    pub fn to_spec(&self) -> ScenarioSpec {
        let clients = self
            .clients
            .iter()
            .map(|c| super::ClientSpec {
                transfers: c
                    .transfers
                    .iter()
                    .map(|&ix| {
                        let t = self.transfer(ix);
                        TransferSpec {
                            id: Some(t.id.clone()),
                            from: self.account_name(t.from).to_string(),
                            to: self.account_name(t.to).to_string(),
                            amount: t.amount,
                            reuse_key_of: t.reuse_key_of.map(|r| self.transfer(r).id.clone()),
                        }
                    })
                    .collect(),
            })
            .collect();
        ScenarioSpec {
            name: self.name.clone(),
            description: self.description.clone(),
            seed: super::Seed(self.seed),
            design: self.api.design().map(|_| self.api_ref.clone()),
            service: self.api.service().map(|s| s.name().to_string()),
            accounts: self
                .accounts
                .iter()
                .map(|a| (a.name.clone(), a.balance))
                .collect(),
            keys: self.keys,
            retry: self.retry,
            network: self.network,
            faults: self.window,
            stores: self.stores,
            limits: self.limits,
            simulation: self.simulation,
            http: self.http.as_deref().cloned(),
            database: self.database.as_deref().map(|d| super::DatabaseSpec {
                setup: Some(d.setup.clone()),
                setup_file: None,
                account: d.account.clone(),
                balances: d.balances.clone(),
            }),
            explore: super::ExploreSpec {
                must_reach: self.must_reach.iter().map(|p| p.name(&self.api)).collect(),
            },
            expect: self.expect.clone(),
            clients,
            targeted: self.faults.iter().map(|f| f.to_spec(self)).collect(),
        }
    }

    /// As [`Scenario::to_spec`], for a file that will live in `dir`: a design
    /// read from a file is named by its path relative to `dir` (which reads
    /// the file system to compare the two paths).
    pub fn to_spec_in(&self, dir: &Path) -> ScenarioSpec {
        let mut spec = self.to_spec();
        if let Some(source) = self.api.design().and_then(|d| d.source.as_ref()) {
            let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            spec.design = Some(
                relative_path(&absolute(source), &absolute(dir))
                    .display()
                    .to_string(),
            );
        }
        spec
    }

    /// This scenario with `spec` in place of its own, validated, keeping its
    /// API (resolved once, when it was read): a variant that search and
    /// `--only-faults` derive. `spec` must name the same API.
    pub(crate) fn with_spec(&self, spec: &ScenarioSpec) -> Result<Scenario, InputError> {
        assert_eq!(
            spec.api_ref(),
            self.api_ref,
            "a variant of a scenario runs the same API"
        );
        spec.validate_with(self.api.clone())
            .map_err(Invalid::into_input_error)
    }
}

/// `target` relative to `base` (both absolute), with `..` where needed.
fn relative_path(target: &Path, base: &Path) -> PathBuf {
    use std::path::Component;
    let t: Vec<Component> = target.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    out
}
