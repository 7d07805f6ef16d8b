//! What several integration tests share: the repository root and a way to run
//! the built binary from it as a reader would.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `idemsim ARGS` from the repository root, without colour: exit code,
/// stdout, stderr.
pub fn idemsim(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The example services, as the `services` example offers them.
pub fn services() -> idemsim::Services {
    crate::catalog::services()
}

/// Whether the scenario file at `path` names a service.
pub fn names_a_service(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|t| t.contains_key("service"))
}

/// Loads a bundled scenario with where it came from: a design's as
/// `idemsim` does, a service's as the `services` example does.
pub fn loaded(path: &Path) -> Result<idemsim::Loaded, idemsim::InputError> {
    if names_a_service(path) {
        idemsim::Loader::new().services(&services()).load(path)
    } else {
        idemsim::Loader::new().load(path)
    }
}

/// The scenario of [`loaded`], for a test that prints no replay command.
pub fn load(path: &Path) -> Result<idemsim::Scenario, idemsim::InputError> {
    loaded(path).map(|loaded| loaded.scenario)
}

/// The `services` example's binary: idemsim's command line offering the
/// example services. It is brought up to date once per test process, so
/// that a run filtered to some tests (which builds no examples) never runs
/// a binary older than the code under test.
pub fn services_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
            let mut build = Command::new(env!("CARGO"));
            build
                .args(["build", "--locked", "--example", "services"])
                .current_dir(root());
            if profile_dir.ends_with("release") {
                build.arg("--release");
            }
            let status = build.status().unwrap();
            assert!(status.success(), "building the services example failed");
            profile_dir
                .join("examples")
                .join(format!("services{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Runs the `services` example with ARGS from the repository root, as
/// [`idemsim`] runs the `idemsim` binary.
pub fn services_cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(services_binary())
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every line of JSON Lines output, parsed; fails on a line that is not JSON.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}")))
        .collect()
}

/// The `data` of every line of type `kind`.
pub fn of_type(stdout: &str, kind: &str) -> Vec<serde_json::Value> {
    json_lines(stdout)
        .into_iter()
        .filter(|v| v["type"] == kind)
        .map(|v| v["data"].clone())
        .collect()
}

/// A fault written as a scenario file writes it (`{ kind = "drop", … }`).
pub fn fault(toml_table: &str) -> idemsim::FaultSpec {
    #[derive(serde::Deserialize)]
    struct One {
        fault: idemsim::FaultSpec,
    }
    toml::from_str::<One>(&format!("fault = {toml_table}"))
        .unwrap()
        .fault
}

/// A service's store calls in the history, in order: the attempt's tag,
/// when the store ran the call, and the call in words.
pub fn service_calls(
    events: &[idemsim::history::Event],
) -> Vec<(idemsim::history::Tag, u64, &idemsim::history::ServiceOp)> {
    use idemsim::history::{TxnResult, What};
    events
        .iter()
        .filter_map(|e| match &e.what {
            What::Txn {
                tag,
                result: TxnResult::Service(op),
                ..
            } => Some((*tag, e.at_ms, op.as_ref())),
            _ => None,
        })
        .collect()
}

/// Sweeps `seeds` of `scenario` under swarm faults (two jobs) and asserts
/// that some seed shows `kind`.
pub fn assert_swarm_finds(scenario: &idemsim::Scenario, seeds: &str, kind: idemsim::ViolationKind) {
    use idemsim::explore::sweep::{SweepConfig, sweep};
    let config = SweepConfig::swarm(idemsim::SeedRange::parse(seeds).unwrap(), 2);
    let report = sweep(scenario, &config, &mut |_| {});
    assert!(
        report.violation_counts.get(&kind).is_some_and(|n| *n > 0),
        "seeds {seeds} never showed {kind:?}: {:?}",
        report.violation_counts
    );
}
