//! A closed pipe on stdout (`scoway catalog | head -1`) ends a command quietly: no panic,
//! and nothing already stored is lost.

use crate::common::{fixture, scoway};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Output, Stdio};

/// Runs `scoway args` with stdout a pipe whose reading end is already closed, so that the
/// first write to stdout finds it closed (no race with a reader that has not closed yet).
fn into_closed_pipe(data: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    scoway(data)
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("scoway runs")
}

/// Ended by SIGPIPE, as `cat` would be, or finished: never a panic.
fn assert_quiet(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{what}: {stderr}"
    );
    assert!(
        output.status.success() || output.status.signal() == Some(libc::SIGPIPE),
        "{what}: {} {stderr}",
        output.status
    );
}

fn stored(data: &Path) -> usize {
    scoway::corpus::DocStore::open(data.join("store"))
        .unwrap()
        .keys()
        .unwrap()
        .len()
}

#[test]
fn no_command_panics_on_a_closed_pipe() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let corpus = fixture("corpus");
    let corpus = corpus.to_str().unwrap();
    let out = work.path().join("out");
    let out = out.to_str().unwrap();

    // The closed pipe meets ingest after the files are stored: all 26 are there.
    let output = into_closed_pipe(&data, &["ingest", corpus]);
    assert_quiet(&output, "ingest");
    assert_eq!(stored(&data), 26);
    // It was stopped by the pipe, not by a failure.
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "ingest");

    for args in [
        vec!["catalog"],
        vec!["catalog", "--json"],
        vec!["fetch", "--dry-run"],
        vec!["build"],
        vec!["search", "上海精神"],
        vec!["export", "--out", out, "--no-charts"],
    ] {
        let output = into_closed_pipe(&data, &args);
        assert_quiet(&output, &args.join(" "));
        assert_eq!(
            output.status.signal(),
            Some(libc::SIGPIPE),
            "{args:?} printed nothing?"
        );
    }
    // build and export finished their work before printing.
    assert!(data.join("codes/documents.parquet").is_file());
    assert!(Path::new(out).join("manifest.json").is_file());

    let demo_out = work.path().join("demo-out");
    let output = into_closed_pipe(
        &work.path().join("demo-data"),
        &["demo", "--no-charts", "--out", demo_out.to_str().unwrap()],
    );
    assert_quiet(&output, "demo");
    assert!(demo_out.join("trends.md").is_file());
}
