//! `report.html` in a real browser: headless Chromium opens a copy of the
//! report with two small scripts added (the report itself has none): one
//! collects page errors, the other measures every image and SVG and writes
//! the findings into the page, which `--dump-dom` prints. Every figure
//! must have a non-zero size and the page no error. A screenshot of the
//! report is kept in `output/browser-test/` as a CI artefact.
//!
//! Required when `CI=true` (`.ci/run` installs Debian's `chromium`);
//! elsewhere skipped, with a message, when no Chromium is installed.

use super::charts::tiny_experiment;
use super::common::TempDir;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn find_chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium headless with `args` (after the standard flags), at most 120 s.
fn chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start chromium");
    let started = Instant::now();
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than 120 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("read chromium's output")
}

const ERRORS: &str = "<script>window.__errors=[];window.addEventListener('error',function(e){window.__errors.push(String(e.message||(e.target&&e.target.outerHTML)||e))},true);</script>";
const MEASURE: &str = "<pre id=\"stacksim-check\"></pre><script>(function(){var out=[];\
document.querySelectorAll('img, figure > svg').forEach(function(el,i){var r=el.getBoundingClientRect();\
var ok=r.width>0&&r.height>0&&(el.tagName!=='IMG'||(el.complete&&el.naturalWidth>0));\
out.push((ok?'ok ':'zero ')+el.tagName+' '+i+' '+Math.round(r.width)+'x'+Math.round(r.height));});\
window.__errors.forEach(function(e){out.push('error '+e);});\
document.getElementById('stacksim-check').textContent=out.join('\\n');})();</script>";

#[test]
fn report_html_renders_in_headless_chromium() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let Some(bin) = find_chromium() else {
        assert!(
            !ci,
            "CI=true but no chromium on PATH: .ci/run installs Debian's `chromium`"
        );
        eprintln!(
            "SKIPPED browser test: no chromium on PATH (install Debian's `chromium`; required when CI=true)"
        );
        return;
    };
    let tmp = TempDir::new("browser");
    let fault = "\n[[faults]]\nat = \"8s\"\ntarget = \"web2\"\nkind = \"crash\"\nmode = \"process\"\nduration = \"4s\"\n";
    let exp = tiny_experiment(&tmp, "browser-test", 100, fault);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/browser-test");
    let o = Command::new(env!("CARGO_BIN_EXE_stacksim"))
        .args(["run", &exp, "--out", out.to_str().unwrap(), "--quiet"])
        .output()
        .expect("run stacksim");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let figures = html.matches("<figure").count();
    assert!(figures >= 5, "only {figures} figures in report.html");

    // The copy with the measuring scripts, beside the report so that relative links resolve.
    let check = html
        .replacen("<head>", &format!("<head>{ERRORS}"), 1)
        .replacen("</body>", &format!("{MEASURE}</body>"), 1);
    let check_path = out.join("browser-check.html");
    std::fs::write(&check_path, check).expect("write the check page");
    let dom = chromium(
        &bin,
        &tmp.path().join("profile-dom"),
        &[
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            format!("file://{}", check_path.display()),
        ],
    );
    let _ = std::fs::remove_file(&check_path);
    let start = dom
        .find("<pre id=\"stacksim-check\">")
        .expect("the check ran")
        + 25;
    let result = &dom[start..start + dom[start..].find("</pre>").expect("end of the result")];
    let lines: Vec<&str> = result.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("ok ")).count(),
        figures,
        "{result}"
    );
    assert!(lines.iter().all(|l| l.starts_with("ok ")), "{result}");

    let shot = out.join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &bin,
        &tmp.path().join("profile-shot"),
        &[
            "--window-size=1280,2400".into(),
            format!("--screenshot={}", shot.display()),
            format!("file://{}", out.join("report.html").display()),
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "screenshot of {} bytes",
        png.len()
    );
}
