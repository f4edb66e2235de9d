//! Embeds the fixture corpus (`tests/fixtures/corpus/`, texts we wrote) into the binary, so
//! that `scoway demo` works wherever scoway is installed.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new("tests/fixtures/corpus");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// The bundled fixture corpus: (file name, contents).\npub const DEMO_CORPUS: &[(&str, &str)] = &[\n",
    );
    for name in &files {
        let path = std::fs::canonicalize(dir.join(name)).expect("fixture file exists");
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("write to String");
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo_corpus.rs");
    std::fs::write(dest, out).expect("write demo_corpus.rs");
}
