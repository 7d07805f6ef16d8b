//! Inputs and outputs that must not hurt: `check` with nothing to check is bad
//! input; reads are bounded (device files and oversized files are refused
//! fast); a closed pipe ends quietly, a full disk or an unwritable path is an
//! error; contradictory or misplaced flags are bad input.

use super::*;

// ---------------------------------------------------------------------------
// 10. Nothing to check
// ---------------------------------------------------------------------------

#[test]
fn check_with_no_scenario_files_is_bad_input() {
    let empty = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "README.md", "# not a scenario\n");
    write(other.path(), "data.json", "{}\n");
    for dir in [empty.path(), other.path()] {
        for format in ["human", "json"] {
            let (code, stdout, stderr) = idemsim(&["check", text(dir), "--format", format]);
            assert_eq!(code, Some(2), "{}: {stdout}{stderr}", dir.display());
            assert!(stderr.contains("no scenario files"), "{stderr}");
        }
    }
}

// ---------------------------------------------------------------------------
// 13. Bounded reads
// ---------------------------------------------------------------------------

#[test]
fn device_files_and_oversized_files_are_refused_quickly() {
    let out = idemsim_within(&["run", "/dev/zero"], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let out = idemsim_within(&["run", text(&link)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    // `check` of a directory holding such a link reports it as invalid.
    let out = idemsim_within(&["check", text(dir.path())], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stdout);
    assert!(out.stdout.contains("not a regular file"), "{}", out.stdout);

    // A design file is read with the same bounds.
    let lesson = std::fs::read_to_string(root().join(ATOMIC)).unwrap();
    let zero_design = lesson.replace("design = \"atomic\"", "design = \"/dev/zero\"");
    assert_ne!(zero_design, lesson);
    let scenario = write(dir.path(), "zero-design.toml", &zero_design);
    let out = idemsim_within(&["run", text(&scenario)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);

    // Valid TOML one byte-line past the cap: the scenario, then comment lines.
    let cap = idemsim::limits::MAX_FILE_BYTES;
    let mut big = lesson.clone();
    let padding = format!("# {}\n", "x".repeat(98));
    while (big.len() as u64) <= cap {
        big.push_str(&padding);
    }
    assert!(
        toml::from_str::<toml::Value>(&big).is_ok(),
        "the padding is valid TOML"
    );
    let path = write(dir.path(), "big.toml", &big);
    let out = idemsim_within(&["run", text(&path)], QUICK);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains(&cap.to_string()), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.took < QUICK);
}

// ---------------------------------------------------------------------------
// 14. Output errors
// ---------------------------------------------------------------------------

/// Runs `idemsim ARGS` with stdout a pipe whose reader is closed at once.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_ends_output_quietly_with_the_results_exit_code() {
    for args in [vec!["designs"], vec!["schema"]] {
        let (code, stderr) = with_closed_stdout(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A failing sweep still exits 1, not 2, when nobody reads it.
    let (code, stderr) = with_closed_stdout(&["explore", DUPLICATE, "--seeds", "0..40"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_disk_is_an_error_not_a_success() {
    for args in [["schema"], ["designs"]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
            .args(args)
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write"), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn an_unwritable_repro_path_is_refused_before_the_sweep() {
    let out = idemsim_within(
        &[
            "explore",
            NAIVE,
            "--seeds",
            "0..10",
            "--save-repro",
            "/nonexistent-dir/x.toml",
        ],
        QUICK,
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "no sweep ran:\n{}", out.stdout);
    // A million seeds would take minutes; the refusal comes first.
    let out = idemsim_within(
        &[
            "explore",
            NAIVE,
            "--seeds",
            "0..1000000",
            "--save-repro",
            "/nonexistent-dir/x.toml",
        ],
        QUICK,
    );
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(out.took < Duration::from_secs(5), "took {:?}", out.took);
}

// ---------------------------------------------------------------------------
// 15. Flags
// ---------------------------------------------------------------------------

fn assert_bad_flag(args: &[&str]) {
    let (code, stdout, stderr) = idemsim(args);
    assert_eq!(code, Some(2), "{args:?}:\n{stdout}{stderr}");
    assert!(stdout.is_empty(), "{args:?} ran:\n{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn contradictory_explore_flags_are_bad_input() {
    assert_bad_flag(&["explore", ATOMIC, "--seeds", "0..3", "--jobs", "0"]);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("x.xml");
    let extras: [&[&str]; 5] = [
        &["--seeds", "0..3"],
        &["--partition", "slice:1/2"],
        &["--no-swarm"],
        &["--check-determinism"],
        &["--junit", text(&junit)],
    ];
    for extra in extras {
        let mut args = vec!["explore", ATOMIC, "--exhaustive", "--max-faults", "1"];
        args.extend_from_slice(extra);
        assert_bad_flag(&args);
    }
    assert!(!junit.exists());
}

#[test]

fn search_flags_without_exhaustive_are_bad_input() {
    for flag in [["--max-faults", "2"], ["--max-schedules", "10"]] {
        let mut args = vec!["explore", ATOMIC, "--seeds", "0..3"];
        args.extend_from_slice(&flag);
        assert_bad_flag(&args);
    }
}

#[test]
fn an_unknown_must_reach_phase_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = std::fs::read_to_string(root().join(ATOMIC)).unwrap();
    let typo = lesson.replace(
        "[expect]",
        "[explore]\nmust_reach = [\"respons-lost\"]\n\n[expect]",
    );
    assert_ne!(typo, lesson);
    let path = write(dir.path(), "reach.toml", &typo);
    let line = typo
        .lines()
        .position(|l| l.starts_with("must_reach"))
        .unwrap()
        + 1;
    for args in [
        vec!["explore", text(&path), "--seeds", "0..3"],
        vec!["run", text(&path)],
    ] {
        let out = idemsim(&args);
        assert_refused_at(&out, &path, &["not a phase", "respons-lost"]);
        assert!(
            out.2
                .starts_with(&format!("error: {}:{line}:15: ", path.display())),
            "{}",
            out.2
        );
    }
}
