//! Writing a scenario back as a scenario file: how a shrunk counterexample
//! becomes an ordinary file that `idemsim run` reproduces.
//!
//! Every field is written out, defaults included, so that the file says
//! everything the run depends on.

use super::{ExpectOn, FaultKind, Jitter, KeySource, Scenario};
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

/// The scenario as TOML; a design read from a file is named by its path
/// relative to `dir`, the directory the scenario file will live in.
pub fn to_toml(scenario: &Scenario, dir: &Path) -> String {
    let mut out = String::new();
    let s = scenario;
    let _ = writeln!(out, "name = {}", quote(&s.name));
    let _ = writeln!(out, "description = {}", quote(&s.description));
    let _ = writeln!(out, "seed = {}", s.seed);
    let _ = writeln!(out, "design = {}", quote(&design_ref(s, dir)));
    let _ = writeln!(out, "\n[accounts]");
    for (name, balance) in &s.accounts {
        let _ = writeln!(out, "{} = {balance}", quote(name));
    }
    let source = match s.key_source {
        KeySource::Server => "server",
        KeySource::Client => "client",
        KeySource::ClientPerAttempt => "client-per-attempt",
    };
    let _ = writeln!(
        out,
        "\n[keys]\nsource = \"{source}\"\nspace = {}",
        s.key_space
    );
    let r = &s.retry;
    let jitter = match r.jitter {
        Jitter::None => "none",
        Jitter::Half => "half",
        Jitter::Full => "full",
    };
    let _ = writeln!(
        out,
        "\n[retry]\nmax_attempts = {}\ntimeout_ms = {}\nbackoff_initial_ms = {}\nbackoff_max_ms = {}\njitter = \"{jitter}\"\nattempts_after_heal = {}\nnew_key_on_unknown_key = {}",
        r.max_attempts,
        r.timeout_ms,
        r.backoff_initial_ms,
        r.backoff_max_ms,
        r.attempts_after_heal,
        r.new_key_on_unknown_key
    );
    let n = &s.network;
    let _ = writeln!(
        out,
        "\n[network]\nlatency_min_ms = {}\nlatency_max_ms = {}\nloss = \"{}\"",
        n.latency_min_ms, n.latency_max_ms, n.loss
    );
    let w = &s.window;
    let _ = writeln!(
        out,
        "\n[faults]\nheal_at_ms = {}\ncrash = \"{}\"\nrestart_after_ms = {}\nduplicate = \"{}\"\ndelay = \"{}\"\nstall = \"{}\"",
        w.heal_at_ms, w.crash, w.restart_after_ms, w.duplicate, w.delay, w.stall
    );
    let _ = writeln!(
        out,
        "\n[stores]\nkeys_work_ms = {}\nledger_work_ms = {}",
        s.stores.keys_work_ms, s.stores.ledger_work_ms
    );
    for client in &s.clients {
        let _ = writeln!(out, "\n[[client]]\ntransfers = [");
        for t in &client.transfers {
            let reuse = t
                .reuse_key_of
                .as_ref()
                .map(|r| format!(", reuse_key_of = {}", quote(r)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {{ id = {}, from = {}, to = {}, amount = {}{reuse} }},",
                quote(&t.id),
                quote(&t.from),
                quote(&t.to),
                t.amount
            );
        }
        let _ = writeln!(out, "]");
    }
    for fault in &s.faults {
        let _ = writeln!(out, "\n[[fault]]");
        write_fault_kind(&mut out, &fault.kind);
        let _ = writeln!(
            out,
            "transfer = {}\nattempt = {}",
            quote(&fault.transfer),
            fault.attempt
        );
    }
    for outage in &s.outages {
        let _ = writeln!(
            out,
            "\n[[fault]]\nkind = \"unreachable\"\nhost = \"{}\"\nfrom_ms = {}\nuntil_ms = {}",
            outage.store.host(),
            outage.from_ms,
            outage.until_ms
        );
    }
    let _ = writeln!(out, "\n[limits]\nmax_sim_ms = {}", s.max_sim_ms);
    if !s.must_reach.is_empty() {
        let phases: Vec<String> = s.must_reach.iter().map(|p| quote(p)).collect();
        let _ = writeln!(out, "\n[explore]\nmust_reach = [{}]", phases.join(", "));
    }
    let expected: Vec<String> = s.expect.iter().map(|k| quote(k.name())).collect();
    let seeds = match s.expect_on {
        ExpectOn::EverySeed => "every-seed",
        ExpectOn::SomeSeed => "some-seed",
    };
    let _ = writeln!(
        out,
        "\n[expect]\nviolations = [{}]\nseeds = \"{seeds}\"",
        expected.join(", ")
    );
    out
}

fn write_fault_kind(out: &mut String, kind: &FaultKind) {
    let _ = match kind {
        FaultKind::Drop { message } => {
            writeln!(out, "kind = \"drop\"\nmessage = {}", quote(message))
        }
        FaultKind::Duplicate { message } => {
            writeln!(out, "kind = \"duplicate\"\nmessage = {}", quote(message))
        }
        FaultKind::Delay { message, delay_ms } => {
            writeln!(
                out,
                "kind = \"delay\"\nmessage = {}\ndelay_ms = {delay_ms}",
                quote(message)
            )
        }
        FaultKind::Stall {
            boundary_name,
            stall_ms,
            ..
        } => {
            writeln!(
                out,
                "kind = \"stall\"\nat = {}\ndelay_ms = {stall_ms}",
                quote(boundary_name)
            )
        }
        FaultKind::Crash {
            host,
            boundary_name,
            restart_after_ms,
            ..
        } => writeln!(
            out,
            "kind = \"crash\"\nhost = \"{}\"\nat = {}\nrestart_after_ms = {restart_after_ms}",
            host.host(),
            quote(boundary_name)
        ),
        FaultKind::ExpireKey => writeln!(out, "kind = \"expire-key\""),
        FaultKind::ClientRestart => writeln!(out, "kind = \"client-restart\""),
    };
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The design as the scenario file names it.
fn design_ref(scenario: &Scenario, dir: &Path) -> String {
    match &scenario.design.source {
        None => scenario.design.name.clone(),
        Some(path) => relative(path, dir).display().to_string(),
    }
}

/// `path` relative to `dir`, through their absolute forms.
fn relative(path: &Path, dir: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p))
    };
    let path = absolute(path);
    let dir = absolute(dir);
    let path_parts: Vec<Component> = path.components().collect();
    let dir_parts: Vec<Component> = dir.components().collect();
    let common = path_parts
        .iter()
        .zip(&dir_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..dir_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_scenario;

    #[test]
    fn every_bundled_scenario_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = crate::suite::collect_files(&[root.join("scenarios")]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let scenario = load_scenario(&file).unwrap();
            let text = to_toml(&scenario, dir.path());
            let path = dir.path().join("again.toml");
            std::fs::write(&path, &text).unwrap();
            let mut again =
                load_scenario(&path).unwrap_or_else(|e| panic!("{}: {e}\n{text}", file.display()));
            again.path = scenario.path.clone();
            let canonical = |s: &Scenario| {
                s.design
                    .source
                    .as_ref()
                    .map(|p| std::fs::canonicalize(p).unwrap())
            };
            assert_eq!(
                canonical(&again),
                canonical(&scenario),
                "{}",
                file.display()
            );
            again.design.source = scenario.design.source.clone();
            assert_eq!(again, scenario, "{}", file.display());
        }
    }
}
