//! Names: bounded on the wire (`limits::MAX_NAME_BYTES`) and refused over the
//! bound with file, line and column; a scenario built in code validated exactly
//! as its file would be; an explicit transfer id cannot take another's name.

use super::*;

// ---------------------------------------------------------------------------
// 2. The wire bound on names
// ---------------------------------------------------------------------------

#[test]
fn names_of_exactly_the_bound_run_and_one_byte_more_are_refused_with_a_position() {
    let max = idemsim::limits::MAX_NAME_BYTES;
    assert_eq!(max, 64);
    let dir = tempfile::tempdir().unwrap();
    let expect = "violations = []";

    // An account name.
    let at_bound = "a".repeat(max);
    let path = write(
        dir.path(),
        "account-64.toml",
        &scenario_text(
            "naive",
            &format!("{at_bound} = 100, bob = 0"),
            &format!("{{ from = \"{at_bound}\", to = \"bob\", amount = 5 }}"),
            expect,
        ),
    );
    let (code, stdout, stderr) = idemsim(&["run", text(&path), "--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(summary(&stdout)["balances"][&at_bound], 95, "{stdout}");

    let over = "a".repeat(max + 1);
    let path = write(
        dir.path(),
        "account-65.toml",
        &scenario_text(
            "naive",
            &format!("{over} = 100, bob = 0"),
            &format!("{{ from = \"{over}\", to = \"bob\", amount = 5 }}"),
            expect,
        ),
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["65 bytes", "at most 64"]);

    // A transfer id.
    for (len, ok) in [(max, true), (max + 1, false)] {
        let id = "x".repeat(len);
        let path = write(
            dir.path(),
            &format!("id-{len}.toml"),
            &scenario_text(
                "naive",
                "alice = 100, bob = 0",
                &format!("{{ id = \"{id}\", from = \"alice\", to = \"bob\", amount = 5 }}"),
                expect,
            ),
        );
        let out = idemsim(&["run", text(&path), "--format", "json"]);
        if ok {
            assert_eq!(out.0, Some(0), "{}{}", out.1, out.2);
            let events = of_type(&out.1, "event");
            assert!(
                events.iter().any(|e| e["transfer"] == id.as_str()),
                "the id is used whole: {}",
                out.1
            );
        } else {
            assert_refused_at(&out, &path, &["65 bytes", "at most 64"]);
            // The id sits on line 5, after `transfers = [{ id = "`.
            assert!(
                out.2
                    .starts_with(&format!("error: {}:5:21: ", path.display())),
                "{}",
                out.2
            );
        }
    }
}

#[test]
fn a_16_kb_transfer_id_is_refused_with_a_position_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let id = "x".repeat(16 * 1024);
    let path = write(
        dir.path(),
        "huge-id.toml",
        &scenario_text(
            "naive",
            "alice = 100, bob = 0",
            &format!("{{ id = \"{id}\", from = \"alice\", to = \"bob\", amount = 5 }}"),
            "violations = []",
        ),
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["16384 bytes", "at most 64"]);
}

// ---------------------------------------------------------------------------
// 3. A scenario built in code is validated the same way
// ---------------------------------------------------------------------------

#[test]
fn a_scenario_built_in_code_is_refused_with_the_same_message_as_its_file() {
    let error = ScenarioSpec::builder("x", "naive")
        .account("alice", 100)
        .account("bob", 0)
        .client([TransferSpec::new("alice", "carol", 5)])
        .build()
        .unwrap_err();
    let message = "unknown account `carol`; expected one of: alice, bob";
    assert_eq!(
        error.to_string(),
        format!("client[0].transfers[0].to: {message}")
    );

    let dir = tempfile::tempdir().unwrap();
    let file = "name = \"x\"\ndesign = \"naive\"\n\n[accounts]\nalice = 100\nbob = 0\n\n\
                [[client]]\ntransfers = [{ from = \"alice\", to = \"carol\", amount = 5 }]\n\
                [expect]\nviolations = []\n";
    let path = write(dir.path(), "carol.toml", file);
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &[]);
    let first = out.2.lines().next().unwrap();
    assert_eq!(
        first,
        format!("error: {}:9:37: {message}", path.display()),
        "the file's error names file, line and column, then the same message"
    );
    // The library says the same for the same text.
    let parsed = idemsim::Loader::new()
        .parse(Path::new("carol.toml"), file)
        .unwrap_err();
    assert!(
        parsed
            .to_string()
            .starts_with(&format!("carol.toml:9:37: {message}")),
        "{parsed}"
    );
}

// ---------------------------------------------------------------------------
// 12. Identity
// ---------------------------------------------------------------------------

#[test]
fn an_explicit_id_that_takes_a_later_transfers_name_is_refused_at_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "ids.toml",
        "name = \"x\"\ndesign = \"naive\"\naccounts = { alice = 100, bob = 0 }\n\
         [[client]]\ntransfers = [\n\
         \x20 { id = \"t2\", from = \"alice\", to = \"bob\", amount = 5 },\n\
         \x20 { from = \"alice\", to = \"bob\", amount = 6 },\n]\n\
         [expect]\nviolations = []\n",
    );
    let out = idemsim(&["run", text(&path)]);
    assert_refused_at(&out, &path, &["also the id"]);
    assert!(
        out.2
            .starts_with(&format!("error: {}:6:10: ", path.display())),
        "points at the id's value on line 6:\n{}",
        out.2
    );
}
