//! The HTML report as a person sees it: opened in headless Chromium (Debian's
//! `chromium` package; `.ci/run` installs it), whose DOM must hold the drawn
//! diagram and the verdict, and whose screenshot must show them in colour.
//!
//! These tests need programs that a machine with only Rust lacks, so they are
//! ignored by default and `cargo test` lists them as ignored rather than
//! passing them unseen. `.ci/run` installs what they need and runs them with
//! `--ignored`; run them yourself with
//!
//! ```sh
//! cargo test --release --test suite reports_browser -- --ignored
//! ```
//!
//! Run so, a missing `chromium` (or Mermaid bundle) fails them: a run that
//! asked for them never reports one it could not carry out as passed.
//!
//! To look at a report yourself:
//!
//! ```sh
//! idemsim run scenarios/lessons/3-response-lost-naive.toml --html report.html
//! chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
//!   --window-size=1280,2400 --screenshot=report.png "file://$PWD/report.html"
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Fails the test unless `chromium` is on `PATH`: these tests run only when
/// asked for (`--ignored`), and a browser test that was asked for and could not
/// run has not passed.
fn require_chromium() {
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| is_executable(&dir.join("chromium")))
    });
    assert!(
        found,
        "`chromium` is not on PATH: install it with `apt-get install -y chromium`"
    );
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// Runs headless Chromium with `args` and a fresh profile; its stdout.
fn chromium(profile: &Path, args: &[String]) -> String {
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start chromium ({e}); install it with `apt-get install -y chromium`")
        });
    // Read while it runs: a DOM larger than the pipe's buffer (a drawn
    // diagram's SVG is) would otherwise block chromium's write until the
    // deadline.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).map(|_| bytes)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let bytes = reader.join().unwrap().unwrap();
    assert!(status.success(), "chromium failed: {status:?}");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn write_report(dir: &Path, args: &[&str]) -> PathBuf {
    let page = dir.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
        .args(args)
        .arg("--html")
        .arg(&page)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    page
}

/// Pixels of `rgb` in an RGB or RGBA screenshot.
fn count_color(png_path: &Path, rgb: [u8; 3]) -> (usize, (u32, u32)) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected colour type {other:?}"),
    };
    let count = buf[..info.buffer_size()]
        .chunks(step)
        .filter(|p| p[..3] == rgb)
        .count();
    (count, (info.width, info.height))
}

#[test]
#[ignore = "needs chromium: run with --ignored (CI does)"]
fn chromium_draws_the_diagram_and_shows_the_verdict() {
    require_chromium();
    let dir = tempfile::tempdir().unwrap();
    let page = write_report(
        dir.path(),
        &["run", "scenarios/lessons/3-response-lost-naive.toml"],
    );
    let url = format!("file://{}", page.display());

    let dom = chromium(&dir.path().join("p1"), &["--dump-dom".into(), url.clone()]);
    assert!(dom.contains("<svg"), "no diagram in the DOM");
    assert!(dom.contains("class=\"sequence\""));
    assert!(
        dom.matches("<g class=\"message").count() >= 8,
        "the diagram's arrows"
    );
    assert_eq!(dom.matches("<g class=\"message fault lost\"").count(), 1);
    assert_eq!(dom.matches("<g class=\"lane\"").count(), 4);
    assert!(dom.contains("Verdict: Expectation met"));
    assert!(dom.contains("→ <strong>double-apply, inconsistent-replay</strong>"));

    let shot = dir.path().join("report.png");
    chromium(
        &dir.path().join("p2"),
        &[
            "--window-size=1280,2400".into(),
            format!("--screenshot={}", shot.display()),
            url,
        ],
    );
    // The lane heads' fill: the SVG was drawn, not just parsed.
    let (heads, size) = count_color(&shot, [0xdb, 0xe7, 0xf5]);
    assert_eq!(size, (1280, 2400));
    assert!(heads > 4 * 150 * 20, "lane heads drawn: {heads} pixels");
    // The verdict box's green and the amber band of the lost response.
    let (green, _) = count_color(&shot, [0xdc, 0xfc, 0xe7]);
    assert!(green > 20_000, "verdict box: {green} pixels");
    let (amber, _) = count_color(&shot, [0xff, 0xfb, 0xeb]);
    assert!(amber > 10_000, "lost-response band: {amber} pixels");
}

#[test]
#[ignore = "needs chromium: run with --ignored (CI does)"]
fn chromium_shows_a_failed_check_page() {
    require_chromium();
    let dir = tempfile::tempdir().unwrap();
    let naive = std::fs::read_to_string(root().join("scenarios/lessons/2-crash-during-naive.toml"))
        .unwrap()
        .replace(r#"violations = ["double-apply"]"#, "violations = []");
    let scenario = dir.path().join("wrong.toml");
    std::fs::write(&scenario, naive).unwrap();
    let page = write_report(
        dir.path(),
        &[
            "check",
            scenario.to_str().unwrap(),
            "scenarios/lessons/1-request-lost-atomic.toml",
        ],
    );
    let url = format!("file://{}", page.display());
    let dom = chromium(&dir.path().join("p"), &["--dump-dom".into(), url.clone()]);
    assert!(dom.contains("2 scenarios: 1 passed, 1 not"));
    assert!(dom.contains("EXPECTATION NOT MET"));
    assert_eq!(dom.matches("class=\"sequence\"").count(), 2);
    let shot = dir.path().join("check.png");
    chromium(
        &dir.path().join("p2"),
        &[
            "--window-size=1280,1600".into(),
            format!("--screenshot={}", shot.display()),
            url,
        ],
    );
    // The failed verdict's red box is on screen.
    let (red, _) = count_color(&shot, [0xfe, 0xe2, 0xe2]);
    assert!(red > 20_000, "failed verdict box: {red} pixels");
}

/// Renders every bundled scenario's diagram with Mermaid itself, in Chromium.
/// It needs Mermaid's browser bundle, which the project does not ship; `.ci/run`
/// installs it with npm. To run it yourself: `npm install mermaid` somewhere,
/// then `IDEMSIM_MERMAID_JS=/path/node_modules/mermaid/dist/mermaid.min.js
/// cargo test --release --test suite reports_browser -- --ignored`.
#[test]
#[ignore = "needs chromium and Mermaid from npm (IDEMSIM_MERMAID_JS): run with --ignored (CI does)"]
fn mermaid_itself_renders_every_diagram() {
    require_chromium();
    let js = std::env::var("IDEMSIM_MERMAID_JS").unwrap_or_else(|_| {
        panic!(
            "IDEMSIM_MERMAID_JS is not set: `npm install mermaid` and set it to \
             node_modules/mermaid/dist/mermaid.min.js"
        )
    });
    assert!(
        Path::new(&js).is_file(),
        "IDEMSIM_MERMAID_JS={js} is not a file"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for sub in ["scenarios/lessons", "scenarios/failures"] {
        for entry in std::fs::read_dir(root().join(sub)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    for (i, file) in files.iter().enumerate() {
        let out = Command::new(env!("CARGO_BIN_EXE_idemsim"))
            .args(["run", file.to_str().unwrap(), "--diagram", "mermaid"])
            .output()
            .unwrap();
        let source = String::from_utf8(out.stdout)
            .unwrap()
            .replace('&', "&amp;")
            .replace('<', "&lt;");
        let page = dir.path().join(format!("m{i}.html"));
        std::fs::write(
            &page,
            format!(
                r#"<!DOCTYPE html><html><head><title>pending</title></head><body>
<script src="file://{js}"></script><pre id="src">{source}</pre><div id="out"></div>
<script>
mermaid.initialize({{startOnLoad: false}});
const text = document.getElementById('src').textContent;
mermaid.parse(text).then(() => mermaid.render('g', text)).then(r => {{
  document.getElementById('out').innerHTML = r.svg; document.title = 'RENDERED';
}}).catch(e => {{ document.title = 'ERROR ' + e.message; }});
</script></body></html>"#
            ),
        )
        .unwrap();
        let dom = chromium(
            &dir.path().join(format!("p{i}")),
            &[
                "--allow-file-access-from-files".into(),
                "--virtual-time-budget=10000".into(),
                "--dump-dom".into(),
                format!("file://{}", page.display()),
            ],
        );
        assert!(
            dom.contains("<title>RENDERED</title>"),
            "{}: {}",
            file.display(),
            dom.lines().take(6).collect::<Vec<_>>().join("\n")
        );
    }
}
