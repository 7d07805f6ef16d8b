//! Property tests: random workloads under random fault schedules.
//!
//! Each case is written out as scenario TOML and read back with
//! [`parse_scenario`], so a failing case can be saved to a file and replayed
//! with `idemsim run FILE` (the TOML carries the seed). Proptest prints the
//! smallest failing case it finds; the assertion message holds its TOML.
//!
//! `PROPTEST_CASES=N` runs more cases than the default below (a longer sweep).

use idemsim::design::load_design;

use idemsim::EndReason;
use idemsim::{Run, run_scenario};
use idemsim::{Scenario, ViolationKind};
use proptest::prelude::*;
use proptest::sample::Index;
use std::fmt::Write;
use std::path::Path;

/// Cases per property, unless `PROPTEST_CASES` says otherwise. Each case is one
/// short simulation: in a debug build the whole file takes about 5 s on two
/// cores.
const CASES: u32 = 256;

/// The client's per-attempt timeout in every generated scenario.
const TIMEOUT_MS: u64 = 200;

const ACCOUNT_NAMES: [&str; 4] = ["alice", "bob", "carol", "dave"];

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        // The assertion message carries the TOML and seed of the failing case;
        // no regression files are written next to the sources.
        failure_persistence: None,
        // Each shrink step is a whole simulation: bound the time spent shrinking.
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    }
}

/// A transfer between two of the accounts, chosen once the account count is known.
#[derive(Debug, Clone)]
struct TransferGen {
    from: Index,
    to: Index,
    amount: i64,
}

#[derive(Debug, Clone)]
enum FaultKindGen {
    DropRequest,
    DropResponse,
    /// Holds the request (or the response) for longer than the client's timeout.
    Delay {
        response: bool,
        delay_ms: u64,
    },
    /// Crashes `host` at one of the design's step boundaries.
    Crash {
        host: &'static str,
        boundary: Index,
    },
}

#[derive(Debug, Clone)]
struct FaultGen {
    transfer: Index,
    attempt: u32,
    kind: FaultKindGen,
}

/// One generated scenario.
#[derive(Debug, Clone)]
struct Case {
    design: &'static str,
    server_keys: bool,
    seed: u64,
    balances: Vec<i64>,
    clients: Vec<Vec<TransferGen>>,
    faults: Vec<FaultGen>,
    loss: &'static str,
    crash: &'static str,
}

impl Case {
    fn transfer_count(&self) -> usize {
        self.clients.iter().map(Vec::len).sum()
    }

    /// The scenario file for this case.
    fn toml(&self) -> String {
        let design = load_design(self.design, Path::new(".")).expect("a built-in design");
        let boundaries = design.boundary_names();
        let accounts = &ACCOUNT_NAMES[..self.balances.len()];
        let mut t = String::new();
        let w = &mut t;
        writeln!(w, "name = \"generated: {}\"", self.design).unwrap();
        writeln!(w, "seed = {}", self.seed).unwrap();
        writeln!(w, "design = \"{}\"", self.design).unwrap();
        writeln!(
            w,
            "\n[keys]\nsource = \"{}\"",
            if self.server_keys { "server" } else { "client" }
        )
        .unwrap();
        writeln!(w, "\n[accounts]").unwrap();
        for (name, balance) in accounts.iter().zip(&self.balances) {
            writeln!(w, "{name} = {balance}").unwrap();
        }
        writeln!(w, "\n[retry]\nmax_attempts = 4\ntimeout_ms = {TIMEOUT_MS}").unwrap();
        writeln!(w, "\n[network]\nloss = \"{}\"", self.loss).unwrap();
        writeln!(w, "\n[faults]\ncrash = \"{}\"", self.crash).unwrap();
        for client in &self.clients {
            writeln!(w, "\n[[client]]\ntransfers = [").unwrap();
            for transfer in client {
                let n = accounts.len();
                let from = transfer.from.index(n);
                let to = (from + 1 + transfer.to.index(n - 1)) % n;
                writeln!(
                    w,
                    "  {{ from = \"{}\", to = \"{}\", amount = {} }},",
                    accounts[from], accounts[to], transfer.amount
                )
                .unwrap();
            }
            writeln!(w, "]").unwrap();
        }
        for fault in &self.faults {
            let transfer = fault.transfer.index(self.transfer_count()) + 1;
            writeln!(
                w,
                "\n[[fault]]\ntransfer = \"t{transfer}\"\nattempt = {}",
                fault.attempt
            )
            .unwrap();
            match &fault.kind {
                FaultKindGen::DropRequest => writeln!(w, "kind = \"drop-request\"").unwrap(),
                FaultKindGen::DropResponse => writeln!(w, "kind = \"drop-response\"").unwrap(),
                FaultKindGen::Delay { response, delay_ms } => writeln!(
                    w,
                    "kind = \"delay\"\nmessage = \"{}\"\ndelay_ms = {delay_ms}",
                    if *response { "response" } else { "request" }
                )
                .unwrap(),
                FaultKindGen::Crash { host, boundary } => writeln!(
                    w,
                    "kind = \"crash\"\nhost = \"{host}\"\nat = \"{}\"",
                    boundaries[boundary.index(boundaries.len())]
                )
                .unwrap(),
            }
        }
        writeln!(w, "\n[expect]\nviolations = []").unwrap();
        t
    }

    /// Parses the case's TOML and runs it once with its own seed.
    fn run(&self) -> (String, Scenario, Run) {
        let text = self.toml();
        let scenario = idemsim::Loader::new()
            .parse(Path::new("gen.toml"), &text)
            .unwrap_or_else(|e| panic!("the generated scenario is invalid: {e}\n{text}"))
            .scenario;
        let run = run_scenario(&scenario, None);
        (text, scenario, run)
    }
}

/// What a failing case prints: how to replay it.
fn replay(text: &str, run: &Run) -> String {
    let violations: Vec<String> = run
        .verdict
        .violations
        .iter()
        .map(|v| {
            format!(
                "  {}: {:?}\n    {}",
                v.kind.name(),
                v.summary,
                v.evidence
                    .iter()
                    .map(|fact| format!("{fact:?}"))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            )
        })
        .collect();
    format!(
        "seed {}; end {:?}; violations:\n{}\nsave this as gen.toml and run `idemsim run gen.toml`:\n{text}",
        run.seed,
        run.output.end,
        violations.join("\n")
    )
}

/// Which faults a property allows.
#[derive(Debug, Clone, Copy)]
enum Faults {
    /// Only `drop-request`: no response is ever lost, no host ever crashes.
    DropRequestOnly,
    /// Every targeted fault kind.
    All,
}

fn transfer() -> impl Strategy<Value = TransferGen> {
    (any::<Index>(), any::<Index>(), 1i64..1000).prop_map(|(from, to, amount)| TransferGen {
        from,
        to,
        amount,
    })
}

fn fault_kind(faults: Faults) -> BoxedStrategy<FaultKindGen> {
    match faults {
        Faults::DropRequestOnly => Just(FaultKindGen::DropRequest).boxed(),
        Faults::All => prop_oneof![
            Just(FaultKindGen::DropRequest),
            Just(FaultKindGen::DropResponse),
            (any::<bool>(), TIMEOUT_MS + 1..=TIMEOUT_MS * 4)
                .prop_map(|(response, delay_ms)| FaultKindGen::Delay { response, delay_ms }),
            (
                prop::sample::select(vec!["api", "keys", "ledger"]),
                any::<Index>()
            )
                .prop_map(|(host, boundary)| FaultKindGen::Crash { host, boundary }),
        ]
        .boxed(),
    }
}

fn fault(faults: Faults) -> impl Strategy<Value = FaultGen> {
    (any::<Index>(), 1u32..=3, fault_kind(faults)).prop_map(|(transfer, attempt, kind)| FaultGen {
        transfer,
        attempt,
        kind,
    })
}

/// Designs, with the key sources each accepts.
fn design() -> impl Strategy<Value = (&'static str, bool)> {
    prop_oneof![
        Just(("naive", false)),
        Just(("classic", true)),
        Just(("atomic", false)),
        Just(("atomic", true)),
    ]
}

/// A case for `design`/`server_keys`, with random loss and crash ratios from
/// `losses` and `crashes`, and targeted faults of the kinds `faults` allows.
fn case(
    design: impl Strategy<Value = (&'static str, bool)>,
    faults: Faults,
    losses: Vec<&'static str>,
    crashes: Vec<&'static str>,
) -> impl Strategy<Value = Case> {
    (
        design,
        0u64..1 << 48,
        prop::collection::vec(100_000i64..=1_000_000, 2..=4),
        prop::collection::vec(prop::collection::vec(transfer(), 1..=3), 1..=3),
        prop::collection::vec(fault(faults), 0..=4),
        prop::sample::select(losses),
        prop::sample::select(crashes),
    )
        .prop_map(
            |((design, server_keys), seed, balances, clients, faults, loss, crash)| Case {
                design,
                server_keys,
                seed,
                balances,
                clients,
                faults,
                loss,
                crash,
            },
        )
}

fn any_loss() -> Vec<&'static str> {
    vec!["0", "1/20", "1/5"]
}

fn any_crash() -> Vec<&'static str> {
    vec!["0", "1/20"]
}

proptest! {
    #![proptest_config(config())]

    /// The atomic design holds under every fault: no violation, and the run ends.
    #[test]
    fn atomic_never_violates(
        case in case(prop_oneof![Just(("atomic", false)), Just(("atomic", true))], Faults::All, any_loss(), any_crash())
    ) {
        let (text, _scenario, run) = case.run();
        prop_assert!(
            run.verdict.violations.is_empty() && run.output.end == EndReason::Completed,
            "the atomic design failed:\n{}",
            replay(&text, &run)
        );
    }

    /// Without a lost response, a crash or a delay, the API sees each attempt
    /// that reaches it only once, after the client gave up on the earlier ones,
    /// so even the naive design applies each transfer exactly once.
    #[test]
    fn naive_never_double_applies_when_only_requests_are_lost(
        case in case(Just(("naive", false)), Faults::DropRequestOnly, vec!["0"], vec!["0"])
    ) {
        let (text, scenario, run) = case.run();
        prop_assert!(
            !run.verdict.found.contains(&ViolationKind::DoubleApply),
            "the naive design applied a transfer twice without a lost response:\n{}",
            replay(&text, &run)
        );
        prop_assert_eq!(&run.output.end, &EndReason::Completed, "{}", replay(&text, &run));
        // Faults hit attempts 1 to 3 only, and a client makes 4: every transfer gets through.
        for (ix, transfer) in scenario.transfer_ixs() {
            let applied = run.output.entries.iter().filter(|e| e.tag.transfer == ix && e.delta < 0).count();
            prop_assert_eq!(applied, 1, "{} applied {} times:\n{}", transfer.id, applied, replay(&text, &run));
        }
    }

    /// Every built-in design commits debit and credit in one transaction, so
    /// no fault can change the sum of balances.
    #[test]
    fn money_is_conserved_by_every_design(
        case in case(design(), Faults::All, any_loss(), any_crash())
    ) {
        let (text, scenario, run) = case.run();
        prop_assert!(
            !run.verdict.found.contains(&ViolationKind::MoneyNotConserved),
            "money not conserved:\n{}",
            replay(&text, &run)
        );
        let before: i64 = scenario.accounts.iter().map(|a| a.balance).sum();
        let after: i64 = run.output.balances.iter().sum();
        prop_assert_eq!(before, after, "the sum of balances changed:\n{}", replay(&text, &run));
    }
}

/// A claim still fresh when the client gives up (see the test below).
const CLAIM_FRESH_AT_HEAL: &str = r#"
name = "atomic: the client gives up while a claim is still fresh"
seed = 1
design = "atomic"

[keys]
source = "client"

[accounts]
alice = 10_000
bob = 0

[retry]
max_attempts = 3
timeout_ms = 100
backoff_initial_ms = 20
backoff_max_ms = 40
jitter = "none"
attempts_after_heal = 2

[faults]
heal_at_ms = 50

[[client]]
transfers = [{ from = "alice", to = "bob", amount = 2_500 }]

[[fault]]
kind = "crash"
host = "api"
at = "after:claim"
transfer = "t1"
attempt = 1

[expect]
violations = []
"#;

/// The API crashes right after t1's claim commits (4 ms), the faults heal at
/// 50 ms, and the client's two attempts after the heal (120 and 164 ms) find
/// the claim younger than the design's `lock_ms` (300 ms) and get 409; the
/// client gives up not knowing. The claim would go stale and a later retry
/// would finish the transfer, so the key is not stuck: the client merely
/// stopped early. The same run with claims that never expire is stuck.
#[test]
fn a_claim_that_would_go_stale_is_not_a_stuck_key() {
    let text = CLAIM_FRESH_AT_HEAL;
    let scenario = idemsim::Loader::new()
        .parse(Path::new("gen.toml"), text)
        .expect("a valid scenario")
        .scenario;
    for seed in 1..=5 {
        let run = run_scenario(&scenario, Some(seed));
        assert!(run.verdict.met, "{}", replay(text, &run));
    }
    let mut wedged = scenario.clone();
    let mut design = (**wedged.api.design().expect("a design")).clone();
    design.lock_ms = None;
    wedged.api = idemsim::Api::Design(std::sync::Arc::new(design));
    let run = run_scenario(&wedged, None);
    assert!(
        run.verdict.found.contains(&ViolationKind::StuckKey),
        "{}",
        replay(text, &run)
    );
}
