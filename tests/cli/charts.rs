//! Charts on a machine without a font with Chinese glyphs: every command that draws charts
//! writes everything else, the SVG charts, and one note on how to add a font for the PNG
//! ones; its advice names only flags it takes. `SCOWAY_FONT_DIRS` pointing at an empty
//! folder stands in for a machine without CJK fonts (it replaces the system font paths).

use crate::common::{fixture, scoway};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

/// `scoway` (with `--data-dir data`) that finds no CJK font.
fn fontless(data: &Path, no_fonts: &Path) -> Command {
    let mut cmd = scoway(data);
    cmd.env_remove("SCOWAY_FONT")
        .env("SCOWAY_FONT_DIRS", no_fonts);
    cmd
}

/// The `--flag` words of `text`, each with the subcommand it belongs to: the one named in a
/// `` `scoway <sub> ...` `` quote it stands in, else `own` (the command that printed it).
fn advised_flags(text: &str, own: &str) -> BTreeSet<(String, String)> {
    let mut flags = BTreeSet::new();
    for (i, part) in text.split('`').enumerate() {
        let quoted = i % 2 == 1;
        let words: Vec<&str> = part.split_whitespace().collect();
        let sub = match (quoted, words.first(), words.get(1)) {
            (true, Some(&"scoway"), Some(sub)) if !sub.starts_with('-') => sub.to_string(),
            _ => own.to_string(),
        };
        for word in &words {
            if let Some(rest) = word.strip_prefix("--") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if !name.is_empty() {
                    flags.insert((sub.clone(), format!("--{name}")));
                }
            }
        }
    }
    flags
}

/// Whether `scoway <sub> --help` lists `flag` (global flags included).
fn takes_flag(sub: &str, flag: &str) -> bool {
    let out = Command::new(crate::common::scoway_bin())
        .args([sub, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "scoway {sub} --help failed");
    String::from_utf8_lossy(&out.stdout)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|w| w == flag)
}

fn assert_advice_names_only_accepted_flags(output: &Output, own: &str) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for (sub, flag) in advised_flags(&text, own) {
        assert!(
            takes_flag(&sub, &flag),
            "`scoway {own}` advises {flag} for `scoway {sub}`, which does not take it:\n{text}"
        );
    }
}

/// Everything but the PNG charts, and exactly one note about the missing font.
fn assert_written_without_png(out: &Path, output: &Output, own: &str, with_table: bool) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "scoway {own} failed:\n{stderr}");
    let mut expected = vec!["DATA_DICTIONARY.md", "manifest.json", "charts/heatmap.svg"];
    if with_table {
        expected.push("trends.md");
    }
    for file in expected {
        assert!(out.join(file).is_file(), "{own}: no {file}\n{stderr}");
    }
    for spec in scoway::trends::dictionary::EXPORTED {
        for ext in ["parquet", "csv"] {
            let file = format!("{}.{ext}", spec.name);
            assert!(out.join(&file).is_file(), "{own}: no {file}");
        }
    }
    for d in scoway::code::DIMENSIONS {
        let svg = std::fs::read_to_string(out.join(format!("charts/trend_{d}.svg")))
            .unwrap_or_else(|e| panic!("{own}: trend_{d}.svg: {e}"));
        assert!(
            svg.contains("<svg") && svg.contains(d),
            "{own}: trend_{d}.svg"
        );
        assert!(!out.join(format!("charts/trend_{d}.png")).exists());
    }
    assert!(!out.join("charts/heatmap.png").exists());
    assert_eq!(
        stderr.matches("PNG charts not drawn").count(),
        1,
        "{own}: say it once:\n{stderr}"
    );
    assert!(
        stderr.contains("apt-get install fonts-wqy-microhei") && stderr.contains("SCOWAY_FONT"),
        "{stderr}"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("PNG charts not drawn"), "{manifest}");
    assert_advice_names_only_accepted_flags(output, own);
}

#[test]
fn every_chart_command_writes_everything_without_a_font() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let no_fonts = w.join("no-fonts");
    std::fs::create_dir_all(&no_fonts).unwrap();

    let demo_out = w.join("demo-out");
    let output = fontless(&w.join("demo-data"), &no_fonts)
        .args(["demo", "--out"])
        .arg(&demo_out)
        .output()
        .unwrap();
    assert_written_without_png(&demo_out, &output, "demo", true);

    let data = w.join("data");
    let run_out = w.join("run-out");
    let output = fontless(&data, &no_fonts)
        .args(["run", "--from-dir"])
        .arg(fixture("corpus"))
        .arg("--out")
        .arg(&run_out)
        .output()
        .unwrap();
    assert_written_without_png(&run_out, &output, "run", true);

    let export_out = w.join("export-out");
    let output = fontless(&data, &no_fonts)
        .args(["export", "--out"])
        .arg(&export_out)
        .output()
        .unwrap();
    assert_written_without_png(&export_out, &output, "export", false);

    // SCOWAY_FONT naming a file that is not there: the note names it.
    let output = scoway(&data)
        .env("SCOWAY_FONT", w.join("missing-font.ttc"))
        .args(["export", "--out"])
        .arg(w.join("export-2"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("PNG charts not drawn: ") && stderr.contains("missing-font.ttc"),
        "{stderr}"
    );
    assert_advice_names_only_accepted_flags(&output, "export");
}

#[test]
fn every_chart_command_takes_no_charts() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let data = w.join("data");
    let runs: [(&str, Vec<String>); 3] = [
        ("demo", vec![]),
        (
            "run",
            vec!["--from-dir".into(), fixture("corpus").display().to_string()],
        ),
        ("export", vec![]),
    ];
    for (cmd, extra) in runs {
        let out = w.join(format!("{cmd}-out"));
        let output = scoway(&data)
            .arg(cmd)
            .args(&extra)
            .arg("--out")
            .arg(&out)
            .arg("--no-charts")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{cmd}: {stderr}");
        assert!(out.join("manifest.json").is_file(), "{cmd}");
        assert!(!out.join("charts").exists(), "{cmd} drew charts");
        assert!(!stderr.contains("PNG charts not drawn"), "{stderr}");
    }
}

#[test]
fn the_advice_parser_finds_flags_and_their_commands() {
    let found = advised_flags(
        "skip them with --no-charts, or run `scoway run --from-dir DIR` (see `--catalog`)",
        "export",
    );
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("export", "--catalog"),
            ("export", "--no-charts"),
            ("run", "--from-dir")
        ]
    );
    assert!(takes_flag("export", "--no-charts"));
    assert!(!takes_flag("catalog", "--no-charts"));
    assert!(takes_flag("catalog", "--data-dir"), "global flags count");
}
