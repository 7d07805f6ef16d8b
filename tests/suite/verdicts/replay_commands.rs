//! Every replay command idemsim prints (`run`, `explore` seeds in swarm and
//! plain mode, a failing `check`, an exhaustive counterexample) replays the very
//! run that printed it; saved repros stay loadable, from JSON sweeps and from
//! seeds beyond TOML's integers.

use super::*;

// ---------------------------------------------------------------------------
// 4. Every replay command replays the same run
// ---------------------------------------------------------------------------

#[test]
fn the_replay_a_run_prints_replays_the_same_run() {
    let cases: [(&str, u64, bool); 5] = [
        (NAIVE, 0, false),
        (NAIVE, 5, false),
        ("scenarios/lessons/6-concurrent-retry-atomic.toml", 2, false),
        (ATOMIC, 3, true),
        (ATOMIC, 7, true),
    ];
    for (file, seed, swarm) in cases {
        let seed_text = seed.to_string();
        let mut args = vec!["run", file, "--seed", &seed_text, "--format", "json"];
        if swarm {
            args.push("--swarm");
        }
        let (_, stdout, _) = idemsim(&args);
        let s = summary(&stdout);
        let replay = strings(&s["replay_args"]);
        assert_eq!(replay.contains(&"--swarm".to_string()), swarm, "{replay:?}");
        assert!(replay.contains(&seed_text), "{replay:?}");
        let (_, again, _) = replay_json(&replay);
        let events = event_lines(&stdout);
        assert!(!events.is_empty(), "{stdout}");
        assert_eq!(
            event_lines(&again),
            events,
            "{file} seed {seed}: the replay {replay:?} shows other events"
        );
        assert_eq!(
            again, stdout,
            "{file} seed {seed}: the replay prints the same report"
        );
    }
    // A swarm run is not the plain run of the same seed (the profile matters),
    // so a replay that dropped `--swarm` would be caught above.
    let (_, plain, _) = idemsim(&["run", ATOMIC, "--seed", "7", "--format", "json"]);
    let (_, swarm, _) = idemsim(&["run", ATOMIC, "--seed", "7", "--swarm", "--format", "json"]);
    assert_ne!(event_lines(&plain), event_lines(&swarm));
}

/// Checks every `seed` line of a JSON sweep of `file` against its replay, a
/// second replay, and the in-process run the sweep judged.
fn check_sweep_replays(file: &str, swarm: bool) {
    let mut args = vec!["explore", file, "--seeds", "0..40", "--format", "json"];
    if !swarm {
        args.push("--no-swarm");
    }
    let (code, stdout, stderr) = idemsim(&args);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let seeds = of_type(&stdout, "seed");
    assert!(!seeds.is_empty(), "failing seeds exist:\n{stdout}");
    let loaded = crate::common::loaded(Path::new(file)).unwrap();
    let scenario = &loaded.scenario;
    let mode = if swarm { Mode::Swarm } else { Mode::Plain };
    for line in &seeds {
        let seed = line["seed"].as_u64().unwrap();
        let replay = strings(&line["replay_args"]);
        assert_eq!(
            replay,
            Replay::new(&loaded.source, scenario, seed, mode).args,
            "seed {seed}: the printed replay"
        );
        let (_, first, _) = replay_json(&replay);
        let s = summary(&first);
        assert_eq!(
            s["violations"], line["found"],
            "seed {seed}: the replay {replay:?} finds what the sweep found"
        );
        assert_eq!(
            Value::Array(of_type(&first, "violation")),
            line["violations"],
            "seed {seed}: the same violations, evidence and all"
        );
        let (_, second, _) = replay_json(&replay);
        let events = event_lines(&first);
        assert_eq!(
            event_lines(&second),
            events,
            "seed {seed}: two replays differ"
        );
        let judged = library_events(&scenario_for(scenario, seed, swarm), Some(seed), mode);
        assert_eq!(
            events, judged,
            "seed {seed}: the replay is not the run the sweep judged"
        );
    }
    // The human report lists the same replay commands.
    let human_args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !["--format", "json"].contains(a))
        .collect();
    let (_, human, _) = idemsim(&human_args);
    let printed: Vec<Vec<String>> = human
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("replay: "))
        .map(replay_words)
        .collect();
    assert!(!printed.is_empty(), "{human}");
    for (words, line) in printed.iter().zip(&seeds) {
        assert_eq!(words, &strings(&line["replay_args"]), "{human}");
    }
}

#[test]
fn every_seed_a_swarm_sweep_lists_replays_the_run_it_judged() {
    check_sweep_replays(&bundled(DUPLICATE), true);
}

#[test]
fn every_seed_a_plain_sweep_lists_replays_the_run_it_judged() {
    check_sweep_replays(&bundled(DUPLICATE), false);
}

#[test]
fn the_replay_a_failing_check_prints_replays_the_failing_seed() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = std::fs::read_to_string(root().join(NAIVE)).unwrap();
    let expect_none = lesson.replace(
        "violations = [\"double-apply\", \"inconsistent-replay\"]",
        "violations = []",
    );
    assert_ne!(expect_none, lesson);
    // The lesson's own fault fails every seed; without it, 1-in-4 random loss
    // fails only some, so the seed the replay names matters.
    let start = expect_none.find("[[fault]]").unwrap();
    let end = expect_none.find("[expect]").unwrap();
    let random = format!("{}{}", &expect_none[..start], &expect_none[end..]).replace(
        "latency_max_ms = 5\n",
        "latency_max_ms = 5\nloss = \"1/4\"\n",
    );
    assert!(random.contains("loss = \"1/4\""));
    let mut seeds_seen = Vec::new();
    for (name, body) in [("targeted.toml", &expect_none), ("random.toml", &random)] {
        let path = write(dir.path(), name, body);
        let (code, stdout, stderr) = idemsim(&["check", text(&path), "--seeds", "0..50"]);
        assert_eq!(code, Some(1), "{name}:\n{stdout}{stderr}");
        let fail = stdout.lines().next().unwrap();
        assert!(fail.starts_with("FAIL  "), "{stdout}");
        let found = fail
            .split_once("found ")
            .and_then(|(_, rest)| rest.split_once(" on seed "))
            .map(|(found, _)| found)
            .unwrap_or_else(|| panic!("no `found ... on seed` in {fail}"));
        let line = stdout
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("replay: "))
            .unwrap_or_else(|| panic!("no replay line:\n{stdout}"));
        let replay = replay_words(line);
        let seed: u64 = replay[replay.iter().position(|w| w == "--seed").unwrap() + 1]
            .parse()
            .unwrap();
        assert!(
            fail.contains(&format!("on seed {seed}")),
            "the FAIL line and the replay name the same seed:\n{stdout}"
        );
        seeds_seen.push(seed);
        let (code, first, _) = replay_json(&replay);
        assert_eq!(code, Some(1), "the replay fails as check did:\n{first}");
        assert_eq!(
            strings(&summary(&first)["violations"]).join(", "),
            found,
            "{name}: the replay finds what check found"
        );
        let (_, second, _) = replay_json(&replay);
        assert_eq!(event_lines(&second), event_lines(&first), "{name}");
        let scenario = crate::common::load(&path).unwrap();
        assert_eq!(
            event_lines(&first),
            library_events(&scenario, Some(seed), Mode::Plain),
            "{name}: the replay is the run check judged"
        );
    }
    assert!(
        seeds_seen[1] > 0,
        "random loss spares seed 0, so the replay's seed matters: {seeds_seen:?}"
    );
}

#[test]
fn the_replay_of_an_exhaustive_counterexample_replays_its_schedule() {
    let file = bundled(NAIVE);
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        &file,
        "--exhaustive",
        "--max-faults",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let found = of_type(&stdout, "counterexample");
    assert!(!found.is_empty(), "{stdout}");
    let loaded = crate::common::loaded(Path::new(&file)).unwrap();
    let scenario = &loaded.scenario;
    let plan = exhaustive::plan(scenario, 1, exhaustive::Budget::default()).unwrap();
    let report = exhaustive::search(scenario, plan, 1, &mut |_| {});
    assert_eq!(report.first.len(), found.len());
    for (line, (kind, schedule)) in found.iter().zip(&report.first) {
        assert_eq!(line["violation"], kind.name());
        let replay = strings(&line["replay_args"]);
        assert!(replay.contains(&"--only-faults".to_string()), "{replay:?}");
        assert!(replay.contains(&"--fault".to_string()), "{replay:?}");
        let judged = report.scenario_of(schedule);
        assert_eq!(
            replay,
            Replay::new(&loaded.source, &judged, judged.seed, Mode::OnlyFaults).args
        );
        let (_, first, _) = replay_json(&replay);
        assert!(
            strings(&summary(&first)["violations"]).contains(&kind.name().to_string()),
            "the replay shows {}:\n{first}",
            kind.name()
        );
        let (_, second, _) = replay_json(&replay);
        assert_eq!(event_lines(&second), event_lines(&first));
        assert_eq!(
            event_lines(&first),
            library_events(&judged, None, Mode::OnlyFaults),
            "the replay is the schedule the search judged"
        );
        // The replay's own replay command is the same command.
        assert_eq!(strings(&summary(&first)["replay_args"]), replay);
    }
}

// ---------------------------------------------------------------------------
// 5, 6. Saved repros
// ---------------------------------------------------------------------------

#[test]
fn a_json_sweep_that_saves_a_repro_prints_only_json_and_the_repro_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repro.toml");
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        DUPLICATE,
        "--seeds",
        "0..40",
        "--format",
        "json",
        "--save-repro",
        text(&path),
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let lines = json_lines(&stdout);
    let repro: Vec<&Value> = lines.iter().filter(|v| v["type"] == "repro").collect();
    assert_eq!(repro.len(), 1, "{stdout}");
    assert_eq!(repro[0]["data"]["path"], text(&path));
    assert!(path.is_file());
    let (code, report, stderr) = idemsim(&["run", text(&path)]);
    assert_eq!(code, Some(0), "{report}{stderr}");
    assert!(report.contains("expectation met"), "{report}");
}

#[test]
fn a_repro_saved_from_a_seed_near_u64_max_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big-seed.toml");
    let (code, stdout, stderr) = idemsim(&[
        "explore",
        NAIVE,
        "--seeds",
        "18446744073709551000..18446744073709551010",
        "--save-repro",
        text(&path),
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let saved = std::fs::read_to_string(&path).unwrap();
    let seed_line = saved
        .lines()
        .find(|l| l.starts_with("seed = "))
        .unwrap_or_else(|| panic!("no seed in:\n{saved}"));
    let value = seed_line.trim_start_matches("seed = ");
    let digits = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("the seed is a string: {seed_line}"));
    let seed: u64 = digits.parse().unwrap();
    assert!(seed > i64::MAX as u64, "{seed}");
    let (code, report, stderr) = idemsim(&["run", text(&path)]);
    assert_eq!(code, Some(0), "{report}{stderr}");
    assert!(
        report.ends_with(&format!("--seed {seed}\n")),
        "the repro runs on its seed:\n{report}"
    );
}
