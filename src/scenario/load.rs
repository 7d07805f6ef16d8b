//! Reading scenario files: TOML through serde, then validation with spans, so that
//! every error names the file, line and column and what was expected.

use super::*;
use crate::design::{LoadDesignError, StoreName, builtin_names, load_design};
use crate::error::InputError;
use crate::limits;
use crate::wire::point;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    seed: u64,
    design: Spanned<String>,
    accounts: Spanned<BTreeMap<String, Spanned<i64>>>,
    #[serde(default)]
    keys: KeysSection,
    #[serde(default)]
    retry: RetrySection,
    #[serde(default)]
    network: NetworkSection,
    #[serde(default)]
    faults: FaultsSection,
    #[serde(rename = "client")]
    clients: Spanned<Vec<ClientSection>>,
    #[serde(default, rename = "fault")]
    targeted: Vec<Spanned<FaultSection>>,
    #[serde(default)]
    stores: StoresSection,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    explore: ExploreSection,
    expect: ExpectSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExploreSection {
    /// Phases a sweep must reach at least once (see `idemsim explore`).
    #[serde(default)]
    must_reach: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysSection {
    #[serde(default = "default_key_source")]
    source: Spanned<KeySource>,
    #[serde(default = "default_key_space")]
    space: Spanned<u32>,
}

fn default_key_space() -> Spanned<u32> {
    unspanned(limits::CLIENT_KEY_SPACE)
}

fn default_key_source() -> Spanned<KeySource> {
    Spanned::new(0..0, KeySource::Client)
}

impl Default for KeysSection {
    fn default() -> Self {
        KeysSection {
            source: default_key_source(),
            space: default_key_space(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RetrySection {
    max_attempts: Spanned<u32>,
    timeout_ms: Spanned<u64>,
    backoff_initial_ms: Spanned<u64>,
    backoff_max_ms: Spanned<u64>,
    jitter: Jitter,
    attempts_after_heal: Spanned<u32>,
    new_key_on_unknown_key: bool,
}

fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

impl Default for RetrySection {
    fn default() -> Self {
        RetrySection {
            max_attempts: unspanned(4),
            timeout_ms: unspanned(200),
            backoff_initial_ms: unspanned(50),
            backoff_max_ms: unspanned(400),
            jitter: Jitter::Half,
            attempts_after_heal: unspanned(2),
            new_key_on_unknown_key: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct NetworkSection {
    latency_min_ms: Spanned<u64>,
    latency_max_ms: Spanned<u64>,
    loss: Ratio,
}

impl Default for NetworkSection {
    fn default() -> Self {
        NetworkSection {
            latency_min_ms: unspanned(1),
            latency_max_ms: unspanned(5),
            loss: Ratio::ZERO,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FaultsSection {
    heal_at_ms: Spanned<u64>,
    crash: Ratio,
    restart_after_ms: Spanned<u64>,
    duplicate: Ratio,
    delay: Ratio,
    stall: Ratio,
}

impl Default for FaultsSection {
    fn default() -> Self {
        FaultsSection {
            heal_at_ms: unspanned(1_000),
            crash: Ratio::ZERO,
            restart_after_ms: unspanned(100),
            duplicate: Ratio::ZERO,
            delay: Ratio::ZERO,
            stall: Ratio::ZERO,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientSection {
    transfers: Vec<Spanned<TransferSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferSection {
    id: Option<Spanned<String>>,
    from: Spanned<String>,
    to: Spanned<String>,
    amount: Spanned<i64>,
    reuse_key_of: Option<Spanned<String>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum FaultName {
    Drop,
    DropRequest,
    DropResponse,
    Delay,
    Crash,
    Stall,
    Duplicate,
    ExpireKey,
    ClientRestart,
    Unreachable,
}

impl FaultName {
    fn name(self) -> &'static str {
        match self {
            FaultName::Drop => "drop",
            FaultName::DropRequest => "drop-request",
            FaultName::DropResponse => "drop-response",
            FaultName::Delay => "delay",
            FaultName::Crash => "crash",
            FaultName::Stall => "stall",
            FaultName::Duplicate => "duplicate",
            FaultName::ExpireKey => "expire-key",
            FaultName::ClientRestart => "client-restart",
            FaultName::Unreachable => "unreachable",
        }
    }

    /// The optional fields this kind takes (besides `kind`, `transfer`, `attempt`).
    fn fields(self) -> &'static [&'static str] {
        match self {
            FaultName::Drop | FaultName::Duplicate => &["message"],
            FaultName::DropRequest | FaultName::DropResponse => &[],
            FaultName::Delay => &["message", "delay_ms"],
            FaultName::Crash => &["host", "at", "restart_after_ms"],
            FaultName::Stall => &["at", "delay_ms"],
            FaultName::Unreachable => &["host", "from_ms", "until_ms"],
            _ => &[],
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSection {
    kind: Spanned<FaultName>,
    transfer: Option<Spanned<String>>,
    #[serde(default = "first_attempt")]
    attempt: Spanned<u32>,
    message: Option<Spanned<String>>,
    delay_ms: Option<Spanned<u64>>,
    host: Option<Spanned<CrashHost>>,
    at: Option<Spanned<String>>,
    restart_after_ms: Option<Spanned<u64>>,
    from_ms: Option<Spanned<u64>>,
    until_ms: Option<Spanned<u64>>,
}

impl FaultSection {
    /// The optional fields that are present, with their spans.
    fn present(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut out = Vec::new();
        let mut add = |name, span: Option<Range<usize>>| {
            if let Some(span) = span {
                out.push((name, span));
            }
        };
        add("message", self.message.as_ref().map(|v| v.span()));
        add("delay_ms", self.delay_ms.as_ref().map(|v| v.span()));
        add("host", self.host.as_ref().map(|v| v.span()));
        add("at", self.at.as_ref().map(|v| v.span()));
        add(
            "restart_after_ms",
            self.restart_after_ms.as_ref().map(|v| v.span()),
        );
        add("from_ms", self.from_ms.as_ref().map(|v| v.span()));
        add("until_ms", self.until_ms.as_ref().map(|v| v.span()));
        out
    }
}

fn first_attempt() -> Spanned<u32> {
    unspanned(1)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct StoresSection {
    keys_work_ms: Spanned<u64>,
    ledger_work_ms: Spanned<u64>,
}

impl Default for StoresSection {
    fn default() -> Self {
        StoresSection {
            keys_work_ms: unspanned(0),
            ledger_work_ms: unspanned(0),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    #[serde(default = "default_max_sim_ms")]
    max_sim_ms: Spanned<u64>,
}

fn default_max_sim_ms() -> Spanned<u64> {
    unspanned(limits::DEFAULT_MAX_SIM_MS)
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_sim_ms: default_max_sim_ms(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSection {
    violations: Vec<ViolationKind>,
    #[serde(default = "every_seed")]
    seeds: ExpectOn,
}

fn every_seed() -> ExpectOn {
    ExpectOn::EverySeed
}

/// Every message a design's attempts send, by the name faults use.
pub fn message_points(design: &Design) -> Vec<String> {
    let mut points = vec![point::REQUEST.to_string(), point::RESPONSE.to_string()];
    if design.issues_keys {
        for p in [point::KEY_REQUEST, point::KEY_RESPONSE, point::ISSUE_KEY] {
            points.push(p.to_string());
        }
        points.push(point::answer(point::ISSUE_KEY));
    }
    for txn in &design.transactions {
        points.push(txn.name.clone());
        points.push(point::answer(&txn.name));
    }
    points
}

/// Reads and validates the scenario file at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read scenario file: {e}")))?;
    let mut scenario = parse_scenario(path, &text)?;
    scenario.path = Some(path.to_path_buf());
    Ok(scenario)
}

/// Parses and validates scenario text; `path` names it in errors and anchors a
/// relative design path.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, InputError> {
    let file: ScenarioFile =
        toml::from_str(text).map_err(|e| InputError::from_toml(path, text, &e))?;
    Validator { path, text }.scenario(file)
}

struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> InputError {
        if span.is_empty() && span.start == 0 {
            InputError::file(self.path, message)
        } else {
            InputError::at(self.path, self.text, span, message)
        }
    }

    fn in_range<T: PartialOrd + Copy + std::fmt::Display>(
        &self,
        value: &Spanned<T>,
        range: std::ops::RangeInclusive<T>,
        what: &str,
    ) -> Result<T, InputError> {
        InputError::check_range(self.path, self.text, value, range, what)
    }

    fn scenario(&self, file: ScenarioFile) -> Result<Scenario, InputError> {
        let design = self.design(&file.design)?;
        let accounts = self.accounts(&file.accounts)?;
        let key_source = *file.keys.source.get_ref();
        if key_source == KeySource::Server && !design.issues_keys {
            return Err(self.err(
                file.keys.source.span(),
                format!(
                    "keys come from the server, but design `{}` issues none; expected source = \"client\" or a design with `issue = true` under [keys]",
                    design.name
                ),
            ));
        }
        let retry = self.retry(&file.retry)?;
        let network = self.network(&file.network)?;
        let window = FaultWindow {
            heal_at_ms: self.in_range(
                &file.faults.heal_at_ms,
                0..=limits::MAX_SIM_MS,
                "heal_at_ms",
            )?,
            crash: file.faults.crash,
            restart_after_ms: self.in_range(
                &file.faults.restart_after_ms,
                1..=limits::MAX_TIMEOUT_MS,
                "restart_after_ms",
            )?,
            duplicate: file.faults.duplicate,
            delay: file.faults.delay,
            stall: file.faults.stall,
        };
        let clients = self.clients(&file.clients, &accounts)?;
        let (faults, outages) =
            self.faults(&file.targeted, &clients, &design, &retry, window.heal_at_ms)?;
        let max_sim_ms = self.in_range(
            &file.limits.max_sim_ms,
            1..=limits::MAX_SIM_MS,
            "max_sim_ms",
        )?;
        let mut expect = file.expect.violations;
        expect.sort();
        expect.dedup();
        Ok(Scenario {
            name: file.name,
            description: file.description.trim().to_string(),
            seed: file.seed,
            design,
            accounts,
            key_source,
            key_space: self.in_range(&file.keys.space, 1..=limits::CLIENT_KEY_SPACE, "space")?,
            retry,
            network,
            window,
            clients,
            faults,
            outages,
            stores: Stores {
                keys_work_ms: self.in_range(
                    &file.stores.keys_work_ms,
                    0..=limits::MAX_TIMEOUT_MS,
                    "keys_work_ms",
                )?,
                ledger_work_ms: self.in_range(
                    &file.stores.ledger_work_ms,
                    0..=limits::MAX_TIMEOUT_MS,
                    "ledger_work_ms",
                )?,
            },
            max_sim_ms,
            expect,
            expect_on: file.expect.seeds,
            must_reach: file.explore.must_reach,
            path: None,
        })
    }

    fn design(&self, name: &Spanned<String>) -> Result<Design, InputError> {
        let base = self.path.parent().unwrap_or(Path::new("."));
        load_design(name.get_ref(), base).map_err(|e| match e {
            LoadDesignError::Unknown => self.err(
                name.span(),
                format!(
                    "unknown design `{}`; expected one of: {}, or a path to a design file ending in .toml",
                    name.get_ref(),
                    builtin_names().join(", ")
                ),
            ),
            LoadDesignError::Invalid(inner) => inner,
        })
    }

    fn accounts(
        &self,
        accounts: &Spanned<BTreeMap<String, Spanned<i64>>>,
    ) -> Result<Vec<(String, i64)>, InputError> {
        let map = accounts.get_ref();
        if map.is_empty() {
            return Err(self.err(accounts.span(), "expected at least one account"));
        }
        if map.len() > limits::MAX_ACCOUNTS {
            return Err(self.err(
                accounts.span(),
                format!(
                    "{} accounts; expected at most {}",
                    map.len(),
                    limits::MAX_ACCOUNTS
                ),
            ));
        }
        map.iter()
            .map(|(name, balance)| {
                let b = self.in_range(balance, 0..=limits::MAX_AMOUNT, "a starting balance")?;
                Ok((name.clone(), b))
            })
            .collect()
    }

    fn retry(&self, r: &RetrySection) -> Result<RetryPolicy, InputError> {
        let backoff_initial_ms = self.in_range(
            &r.backoff_initial_ms,
            0..=limits::MAX_TIMEOUT_MS,
            "backoff_initial_ms",
        )?;
        let backoff_max_ms = self.in_range(
            &r.backoff_max_ms,
            0..=limits::MAX_TIMEOUT_MS,
            "backoff_max_ms",
        )?;
        if backoff_max_ms < backoff_initial_ms {
            return Err(self.err(
                r.backoff_max_ms.span(),
                format!("backoff_max_ms ({backoff_max_ms}) is below backoff_initial_ms ({backoff_initial_ms}); expected a cap no smaller than the first backoff"),
            ));
        }
        Ok(RetryPolicy {
            max_attempts: self.in_range(
                &r.max_attempts,
                1..=limits::MAX_ATTEMPTS,
                "max_attempts",
            )?,
            timeout_ms: self.in_range(&r.timeout_ms, 1..=limits::MAX_TIMEOUT_MS, "timeout_ms")?,
            backoff_initial_ms,
            backoff_max_ms,
            jitter: r.jitter,
            new_key_on_unknown_key: r.new_key_on_unknown_key,
            attempts_after_heal: self.in_range(
                &r.attempts_after_heal,
                0..=limits::MAX_ATTEMPTS_AFTER_HEAL,
                "attempts_after_heal",
            )?,
        })
    }

    fn network(&self, n: &NetworkSection) -> Result<Network, InputError> {
        let latency_min_ms = self.in_range(
            &n.latency_min_ms,
            1..=limits::MAX_LATENCY_MS,
            "latency_min_ms",
        )?;
        let latency_max_ms = self.in_range(
            &n.latency_max_ms,
            latency_min_ms..=limits::MAX_LATENCY_MS,
            "latency_max_ms",
        )?;
        Ok(Network {
            latency_min_ms,
            latency_max_ms,
            loss: n.loss,
        })
    }

    fn clients(
        &self,
        clients: &Spanned<Vec<ClientSection>>,
        accounts: &[(String, i64)],
    ) -> Result<Vec<Client>, InputError> {
        let list = clients.get_ref();
        if list.is_empty() || list.len() > limits::MAX_CLIENTS {
            return Err(self.err(
                clients.span(),
                format!(
                    "{} clients; expected 1 to {}",
                    list.len(),
                    limits::MAX_CLIENTS
                ),
            ));
        }
        let account_names: Vec<&str> = accounts.iter().map(|(n, _)| n.as_str()).collect();
        let mut next_id = 1;
        let mut seen_ids: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for client in list {
            let mut transfers = Vec::new();
            for t in &client.transfers {
                let t = t.get_ref();
                let id = match &t.id {
                    Some(id) => {
                        if seen_ids.contains(id.get_ref()) {
                            return Err(self.err(
                                id.span(),
                                format!(
                                    "transfer id `{}` is used twice; expected a unique id",
                                    id.get_ref()
                                ),
                            ));
                        }
                        id.get_ref().clone()
                    }
                    None => format!("t{next_id}"),
                };
                next_id += 1;
                seen_ids.push(id.clone());
                for account in [&t.from, &t.to] {
                    if !account_names.contains(&account.get_ref().as_str()) {
                        return Err(self.err(
                            account.span(),
                            format!(
                                "unknown account `{}`; expected one of: {}",
                                account.get_ref(),
                                account_names.join(", ")
                            ),
                        ));
                    }
                }
                if t.from.get_ref() == t.to.get_ref() {
                    return Err(self.err(
                        t.to.span(),
                        "a transfer's `to` is its `from`; expected two different accounts",
                    ));
                }
                let amount = *t.amount.get_ref();
                if amount <= 0 || amount > limits::MAX_AMOUNT {
                    return Err(self.err(
                        t.amount.span(),
                        format!("amount is {amount}; expected a positive amount in minor units, at most {}", limits::MAX_AMOUNT),
                    ));
                }
                if let Some(earlier) = &t.reuse_key_of
                    && !transfers
                        .iter()
                        .any(|x: &Transfer| x.id == *earlier.get_ref())
                {
                    return Err(self.err(
                        earlier.span(),
                        format!(
                            "`{}` is not an earlier transfer of this client; expected the id of one whose key this transfer reuses",
                            earlier.get_ref()
                        ),
                    ));
                }
                transfers.push(Transfer {
                    id,
                    from: t.from.get_ref().clone(),
                    to: t.to.get_ref().clone(),
                    amount,
                    reuse_key_of: t.reuse_key_of.as_ref().map(|r| r.get_ref().clone()),
                });
            }
            out.push(Client { transfers });
        }
        if seen_ids.len() > limits::MAX_TRANSFERS {
            return Err(self.err(
                clients.span(),
                format!(
                    "{} transfers; expected at most {}",
                    seen_ids.len(),
                    limits::MAX_TRANSFERS
                ),
            ));
        }
        if seen_ids.is_empty() {
            return Err(self.err(clients.span(), "expected at least one transfer"));
        }
        Ok(out)
    }

    fn faults(
        &self,
        faults: &[Spanned<FaultSection>],
        clients: &[Client],
        design: &Design,
        retry: &RetryPolicy,
        heal_at_ms: u64,
    ) -> Result<(Vec<Fault>, Vec<Outage>), InputError> {
        if faults.len() > limits::MAX_FAULTS {
            return Err(self.err(
                faults[limits::MAX_FAULTS].span(),
                format!("too many faults; expected at most {}", limits::MAX_FAULTS),
            ));
        }
        let mut targeted = Vec::new();
        let mut outages = Vec::new();
        for spanned in faults {
            let f = spanned.get_ref();
            let kind = *f.kind.get_ref();
            let allowed = kind.fields();
            if let Some((field, span)) = f.present().into_iter().find(|(n, _)| !allowed.contains(n))
            {
                return Err(self.err(
                    span,
                    format!("a `{}` fault takes no `{field}`", kind.name()),
                ));
            }
            if kind == FaultName::Unreachable {
                if let Some(t) = &f.transfer {
                    return Err(self.err(
                        t.span(),
                        "an `unreachable` fault takes no `transfer`: it acts on a time window",
                    ));
                }
                outages.push(self.outage(f, heal_at_ms)?);
                continue;
            }
            let transfer = self.transfer_ref(f, spanned.span(), clients)?;
            let attempt = self.in_range(
                &f.attempt,
                1..=retry.max_attempts + retry.attempts_after_heal,
                "attempt",
            )?;
            targeted.push(Fault {
                transfer,
                attempt,
                kind: self.fault_kind(f, design)?,
            });
        }
        Ok((targeted, outages))
    }

    fn transfer_ref(
        &self,
        f: &FaultSection,
        fault_span: Range<usize>,
        clients: &[Client],
    ) -> Result<String, InputError> {
        let ids: Vec<&str> = clients
            .iter()
            .flat_map(|c| c.transfers.iter().map(|t| t.id.as_str()))
            .collect();
        let Some(transfer) = &f.transfer else {
            return Err(self.err(
                fault_span,
                format!(
                    "a `{}` fault needs `transfer`; expected one of: {}",
                    f.kind.get_ref().name(),
                    ids.join(", ")
                ),
            ));
        };
        if !ids.contains(&transfer.get_ref().as_str()) {
            return Err(self.err(
                transfer.span(),
                format!(
                    "unknown transfer `{}`; expected one of: {}",
                    transfer.get_ref(),
                    ids.join(", ")
                ),
            ));
        }
        Ok(transfer.get_ref().clone())
    }

    fn outage(&self, f: &FaultSection, heal_at_ms: u64) -> Result<Outage, InputError> {
        let missing = |field: &str| {
            self.err(
                f.kind.span(),
                format!("an `unreachable` fault needs `{field}`"),
            )
        };
        let host = f
            .host
            .as_ref()
            .ok_or_else(|| missing("host (keys or ledger)"))?;
        let store = match host.get_ref() {
            CrashHost::Keys => StoreName::Keys,
            CrashHost::Ledger => StoreName::Ledger,
            CrashHost::Api => {
                return Err(self.err(
                    host.span(),
                    "the api cannot be unreachable from itself; expected `keys` or `ledger`",
                ));
            }
        };
        let from_ms = f.from_ms.as_ref().ok_or_else(|| missing("from_ms"))?;
        let until_ms = f.until_ms.as_ref().ok_or_else(|| missing("until_ms"))?;
        let from = self.in_range(from_ms, 0..=heal_at_ms, "from_ms")?;
        let until = self.in_range(until_ms, from..=heal_at_ms, "until_ms")?;
        Ok(Outage {
            store,
            from_ms: from,
            until_ms: until,
        })
    }

    fn fault_kind(&self, f: &FaultSection, design: &Design) -> Result<FaultKind, InputError> {
        Ok(match *f.kind.get_ref() {
            FaultName::DropRequest => FaultKind::Drop {
                message: point::REQUEST.to_string(),
            },
            FaultName::DropResponse => FaultKind::Drop {
                message: point::RESPONSE.to_string(),
            },
            FaultName::Drop => FaultKind::Drop {
                message: self.message(f, design)?,
            },
            FaultName::Duplicate => FaultKind::Duplicate {
                message: self.message(f, design)?,
            },
            FaultName::ExpireKey => FaultKind::ExpireKey,
            FaultName::ClientRestart => FaultKind::ClientRestart,
            FaultName::Unreachable => unreachable!("outages are parsed apart"),
            FaultName::Delay => {
                let delay = f.delay_ms.as_ref().ok_or_else(|| {
                    self.err(
                        f.kind.span(),
                        "a `delay` fault needs `delay_ms`, the time the message is held",
                    )
                })?;
                FaultKind::Delay {
                    message: self.message(f, design)?,
                    delay_ms: self.in_range(delay, 1..=limits::MAX_TIMEOUT_MS, "delay_ms")?,
                }
            }
            FaultName::Stall => {
                let (boundary, boundary_name) = self.boundary(f, design)?;
                let delay = f.delay_ms.as_ref().ok_or_else(|| {
                    self.err(
                        f.kind.span(),
                        "a `stall` fault needs `delay_ms`, how long the API stalls",
                    )
                })?;
                FaultKind::Stall {
                    boundary,
                    boundary_name,
                    stall_ms: self.in_range(delay, 1..=limits::MAX_TIMEOUT_MS, "delay_ms")?,
                }
            }
            FaultName::Crash => {
                let (boundary, boundary_name) = self.boundary(f, design)?;
                let restart_after_ms = match &f.restart_after_ms {
                    Some(r) => self.in_range(r, 1..=limits::MAX_TIMEOUT_MS, "restart_after_ms")?,
                    None => 100,
                };
                FaultKind::Crash {
                    host: f
                        .host
                        .as_ref()
                        .map(|h| *h.get_ref())
                        .unwrap_or(CrashHost::Api),
                    boundary,
                    boundary_name,
                    restart_after_ms,
                }
            }
        })
    }

    /// The message a network fault names (`request` when it names none),
    /// checked against the messages this design sends.
    fn message(&self, f: &FaultSection, design: &Design) -> Result<String, InputError> {
        let Some(message) = &f.message else {
            return Ok(point::REQUEST.to_string());
        };
        let known = message_points(design);
        if known.iter().any(|m| m == message.get_ref()) {
            Ok(message.get_ref().clone())
        } else {
            Err(self.err(
                message.span(),
                format!(
                    "design `{}` sends no message `{}`; expected one of: {}",
                    design.name,
                    message.get_ref(),
                    known.join(", ")
                ),
            ))
        }
    }

    /// The step boundary a fault's `at` names, as an index and a name.
    fn boundary(&self, f: &FaultSection, design: &Design) -> Result<(usize, String), InputError> {
        let name = f.kind.get_ref().name();
        let at = f.at.as_ref().ok_or_else(|| {
            self.err(
                f.kind.span(),
                format!(
                    "a `{name}` fault needs `at`, the step boundary; expected one of: {}",
                    design.boundary_names().join(", ")
                ),
            )
        })?;
        let boundary = design.boundary_index(at.get_ref()).ok_or_else(|| {
            self.err(
                at.span(),
                format!(
                    "design `{}` has no step boundary `{}`; expected one of: {}",
                    design.name,
                    at.get_ref(),
                    design.boundary_names().join(", ")
                ),
            )
        })?;
        Ok((boundary, at.get_ref().clone()))
    }
}
