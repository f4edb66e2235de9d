//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Our own fixture files (`tests/fixtures/`): texts we wrote, not SCO documents.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// `../shared/` beside the repository (real text: the paper, the PKU benchmark data, gold
/// sets). Tests that need it fail, loudly, when it is missing: they never skip silently.
pub fn shared(rel: &str) -> PathBuf {
    let dir = std::env::var_os("SCOWAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    let path = dir.join(rel);
    assert!(
        path.exists(),
        "this test needs {} (the shared data beside the repository; set SCOWAY_SHARED to \
         point elsewhere), and it is missing",
        path.display()
    );
    path
}

/// The `scoway` binary that cargo built for these tests.
pub fn scoway_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_scoway"))
}

/// A `scoway` command with `--data-dir` set to `data`.
pub fn scoway(data: &Path) -> Command {
    let mut cmd = Command::new(scoway_bin());
    cmd.arg("--data-dir").arg(data);
    cmd.env_remove("SCOWAY_DATA_DIR");
    cmd.env_remove("SCOWAY_CODEBOOK");
    cmd
}

/// Runs `scoway` and returns its stdout; panics with stderr when it fails.
pub fn run_ok(data: &Path, args: &[&str]) -> String {
    let out = scoway(data).args(args).output().expect("scoway runs");
    assert!(
        out.status.success(),
        "scoway {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// Runs `scoway ... --json` and parses stdout.
pub fn run_json(data: &Path, args: &[&str]) -> serde_json::Value {
    let out = run_ok(data, args);
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("stdout of {args:?} is not JSON ({e}):\n{out}"))
}

/// A plain `std::process::Command` for `scoway`, for tests that spawn and kill it.
pub fn scoway_process(data: &Path) -> std::process::Command {
    let mut cmd = Command::new(scoway_bin());
    cmd.arg("--data-dir").arg(data);
    cmd.env_remove("SCOWAY_DATA_DIR");
    cmd.env_remove("SCOWAY_CODEBOOK");
    cmd
}

/// The store file of document `id`'s only version (`store/<id>.<lang>.json`), or of the version
/// named by `id` when it is `<id>.<lang>` already. Panics when there is none or several.
pub fn stored_file(data: &Path, id: &str) -> PathBuf {
    let store = data.join("store");
    let exact = store.join(format!("{id}.json"));
    if ["zh", "ru", "en"]
        .iter()
        .any(|l| id.ends_with(&format!(".{l}")))
        && exact.is_file()
    {
        return exact;
    }
    let versions: Vec<PathBuf> = ["zh", "ru", "en"]
        .iter()
        .map(|l| store.join(format!("{id}.{l}.json")))
        .filter(|p| p.is_file())
        .collect();
    match versions.as_slice() {
        [one] => one.clone(),
        [] => panic!("{id} is not stored in {}", store.display()),
        more => panic!("{id} is stored in several languages: {more:?}"),
    }
}

/// The stored JSON of document `id` (see [`stored_file`]).
pub fn stored_doc(data: &Path, id: &str) -> serde_json::Value {
    let path = stored_file(data, id);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("stored document is JSON")
}

/// The stored versions as `<id>.<lang>`, sorted.
pub fn stored_keys(data: &Path) -> Vec<String> {
    let mut keys: Vec<String> = std::fs::read_dir(data.join("store"))
        .expect("store exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".json")
                .map(str::to_string)
        })
        .collect();
    keys.sort();
    keys
}
