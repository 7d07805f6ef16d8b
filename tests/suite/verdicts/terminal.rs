//! Names from a scenario cannot drive the terminal or forge report lines.

use super::*;

// ---------------------------------------------------------------------------
// 11. Terminal safety
// ---------------------------------------------------------------------------

const HOSTILE_ACCOUNT: &str = "ev\u{1b}[2Jil";
const HOSTILE_ID: &str = "t\n999 ms ledger    FAKE LINE";
const HOSTILE_TITLE: &str = "\u{1b}]0;title\u{7}";

/// A TOML basic string holding `s` (JSON's escapes are TOML's).
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn hostile_scenario(to: &str) -> String {
    let account = toml_string(HOSTILE_ACCOUNT);
    let id = toml_string(HOSTILE_ID);
    format!(
        "name = {}\ndescription = {}\ndesign = \"naive\"\n[keys]\nsource = \"client\"\n\
         [accounts]\n{account} = 10000\nbob = 0\n\
         [[client]]\ntransfers = [{{ id = {id}, from = {account}, to = {}, amount = 2500 }}]\n\
         [[fault]]\nkind = \"drop-response\"\ntransfer = {id}\nattempt = 1\n\
         [expect]\nviolations = []\n",
        toml_string(&format!("hostile {HOSTILE_TITLE}")),
        toml_string(&format!("desc {HOSTILE_TITLE}")),
        toml_string(to),
    )
}

/// A line that begins like a timeline line of the ledger saying `FAKE`.
fn forged(line: &str) -> bool {
    let l = line.trim_start();
    let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return false;
    }
    let Some(rest) = l[digits..].strip_prefix(" ms") else {
        return false;
    };
    rest.trim_start()
        .strip_prefix("ledger")
        .is_some_and(|r| r.trim_start().starts_with("FAKE"))
}

fn assert_terminal_safe(what: &str, output: &str) {
    assert!(
        !output.contains('\u{1b}'),
        "{what}: ESC in output:\n{output}"
    );
    assert!(
        !output.contains('\u{7}'),
        "{what}: BEL in output:\n{output}"
    );
    if let Some(line) = output.lines().find(|l| forged(l)) {
        panic!("{what}: a forged line `{line}` in:\n{output}");
    }
}

#[test]
fn hostile_names_cannot_drive_the_terminal_or_forge_lines() {
    assert!(forged("     999 ms ledger    FAKE LINE"));
    assert!(!forged(
        "     3 ms  ledger    txn apply for t\\u{a}999 ms ledger    FAKE"
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "hostile.toml", &hostile_scenario("bob"));
    let file = text(&path);
    // (what, arguments, whether the output shows the transfer id)
    let runs: [(&str, Vec<&str>, bool); 5] = [
        ("run", vec!["run", file], true),
        ("check", vec!["check", file], false),
        ("mermaid", vec!["run", file, "--diagram", "mermaid"], true),
        (
            "diff",
            vec!["diff", file, "--design", "naive", "--design", "atomic"],
            true,
        ),
        ("explore", vec!["explore", file, "--seeds", "0..5"], false),
    ];
    for (what, args, shows_id) in runs {
        let (code, stdout, stderr) = idemsim(&args);
        assert_ne!(code, Some(2), "{what} accepts the file: {stderr}");
        assert!(
            !shows_id || stdout.contains("FAKE LINE"),
            "{what} shows the id, escaped:\n{stdout}"
        );
        assert_terminal_safe(what, &stdout);
        assert_terminal_safe(what, &stderr);
    }

    // Bad input quoting the hostile names.
    let bad = write(
        dir.path(),
        "hostile-bad.toml",
        &hostile_scenario("x\u{1b}[2J\u{1b}]0;t\u{7}y"),
    );
    let (code, stdout, stderr) = idemsim(&["run", text(&bad)]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown account"), "{stderr}");
    assert_terminal_safe("bad input", &stdout);
    assert_terminal_safe("bad input", &stderr);

    // JSON escapes the bytes and keeps the names exactly.
    let (_, json, _) = idemsim(&["run", file, "--format", "json"]);
    assert!(!json.contains('\u{1b}') && !json.contains('\u{7}'));
    assert_eq!(json.lines().count(), json_lines(&json).len());
    let events = of_type(&json, "event");
    assert!(events.iter().any(|e| e["account"] == HOSTILE_ACCOUNT));
    assert!(events.iter().any(|e| e["transfer"] == HOSTILE_ID));
    let s = summary(&json);
    assert_eq!(s["scenario"], format!("hostile {HOSTILE_TITLE}"));
    assert_eq!(s["balances"][HOSTILE_ACCOUNT], 5000, "{s}");
}
