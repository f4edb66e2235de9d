//! Integration tests: `scoway trends` and `scoway export`, on hand-made codes
//! (`tests/fixtures/trends/`, numbers explained in its README).

use crate::common::{fixture, run_json, run_ok, scoway};
use polars::prelude::*;
use scoway::trends::dictionary::{self, FrameSpec};
use std::fs::File;
use std::path::Path;

/// A data directory whose `codes/` holds the fixture tables as Parquet.
fn data_with_codes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let codes = dir.path().join("codes");
    std::fs::create_dir_all(&codes).expect("codes dir");
    let tables: [(&FrameSpec, &str); 3] = [
        (&dictionary::IN_DOCUMENTS, "documents"),
        (&dictionary::IN_PARAGRAPH_CODES, "paragraph_codes"),
        (&dictionary::IN_EVIDENCE, "evidence"),
    ];
    for (spec, name) in tables {
        let csv = fixture(&format!("trends/{name}.csv"));
        let mut df = LazyCsvReader::new(PlRefPath::try_from_path(&csv).expect("path"))
            .with_schema(Some(std::sync::Arc::new(spec.schema())))
            .finish()
            .and_then(LazyFrame::collect)
            .unwrap_or_else(|e| panic!("reading {}: {e}", csv.display()));
        let out = File::create(codes.join(format!("{name}.parquet"))).expect("create parquet");
        ParquetWriter::new(out)
            .finish(&mut df)
            .expect("write parquet");
    }
    std::fs::write(
        codes.join("manifest.json"),
        r#"{"codebook_hash": "fixture", "codebook_source": "fixture", "scoway_version": "test", "documents": 5}"#,
    )
    .expect("manifest");
    dir
}

fn read_parquet(path: &Path) -> DataFrame {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).expect("path"),
        ScanArgsParquet::default(),
    )
    .and_then(LazyFrame::collect)
    .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn approx(v: &serde_json::Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

#[test]
fn trends_without_codes_says_run_build_first() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["trends"][..], &["export", "--out", "x"][..]] {
        let out = scoway(dir.path()).args(args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("run `scoway build` first"), "{args:?}: {err}");
    }
}

#[test]
fn trends_markdown_table_has_periods_as_rows_and_dimensions_as_columns() {
    let data = data_with_codes();
    let md = run_ok(data.path(), &["trends"]);
    assert!(
        md.contains(
            "| year | documents | paragraphs | security_spillover | recognition | balanced_power | \
             differential_institutions | networked_circles |"
        ),
        "{md}"
    );
    // 2001: 2 documents, 3 paragraphs, S share 2/3 = 66.7 %, balanced_power 0.
    let row = md
        .lines()
        .find(|l| l.starts_with("| 2001 |"))
        .unwrap_or_else(|| panic!("no 2001 row:\n{md}"));
    assert!(row.starts_with("| 2001 | 2 | 3 | 66.7 ("), "{row}");
    assert!(row.contains("| 0.0 |"), "{row}");
    let years: Vec<&str> = md
        .lines()
        .filter_map(|l| l.strip_prefix("| 20"))
        .map(|l| &l[..2])
        .collect();
    assert_eq!(years, ["01", "02", "03"]);
    assert!(md.contains("1000 resamples"));
}

#[test]
fn trends_json_filters_body_and_language() {
    let data = data_with_codes();
    let v = run_json(
        data.path(),
        &[
            "trends", "--format", "json", "--body", "chs", "--lang", "zh",
        ],
    );
    assert_eq!(v["body"], "CHS");
    assert_eq!(v["lang"], "zh");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 3 * 5);
    for r in rows {
        assert_eq!(r["body"], "CHS");
        assert_eq!(r["lang"], "zh");
    }
    let s2003 = rows
        .iter()
        .find(|r| r["period"] == "2003" && r["dimension"] == "security_spillover")
        .expect("2003 row");
    approx(&s2003["share_paragraphs"], 0.0);
    approx(&s2003["yoy_change"], -0.5);
    approx(&s2003["rolling_mean_3"], 1.0 / 3.0);
    assert_eq!(s2003["period_start"], "2003-05-29");
    let r2001 = rows
        .iter()
        .find(|r| r["period"] == "2001" && r["dimension"] == "recognition")
        .expect("2001 row");
    // d1 alone: R 1 hit / 100 tokens, 1 of 2 paragraphs.
    approx(&r2001["mean_rate"], 10.0);
    approx(&r2001["share_paragraphs"], 0.5);
    assert!(r2001["ci_low"].as_f64().unwrap() <= 0.5 && r2001["ci_high"].as_f64().unwrap() >= 0.5);
}

#[test]
fn trends_seed_makes_intervals_reproducible() {
    let data = data_with_codes();
    let args = [
        "trends",
        "--format",
        "json",
        "--seed",
        "7",
        "--resamples",
        "500",
    ];
    let a = run_ok(data.path(), &args);
    let b = run_ok(data.path(), &args);
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["seed"], 7);
    assert_eq!(v["resamples"], 500);
}

#[test]
fn trends_by_meeting_as_csv_and_parquet() {
    let data = data_with_codes();
    let csv = run_ok(
        data.path(),
        &["trends", "--by", "meeting", "--format", "csv"],
    );
    let header = csv.lines().next().expect("header");
    assert!(
        header.starts_with("period,period_start,year,body,lang,dimension,"),
        "{header}"
    );
    for period in ["CHS #1", "CHG #1", "CHS #2", "CHS #3", "CHS 2003-05-29"] {
        assert!(
            csv.contains(&format!("\n{period},")),
            "{period} missing:\n{csv}"
        );
    }
    // Pooled languages by default: 5 meetings × 5 dimensions.
    assert_eq!(csv.lines().count(), 1 + 5 * 5);

    let out = data.path().join("t.parquet");
    let out_s = out.to_str().unwrap();
    run_ok(
        data.path(),
        &[
            "trends", "--by", "meeting", "--format", "parquet", "--out", out_s,
        ],
    );
    let df = read_parquet(&out);
    assert_eq!(df.height(), 5 * 5);
    assert_eq!(df.schema().as_ref(), &dictionary::TRENDS_MEETING.schema());

    let fail = scoway(data.path())
        .args(["trends", "--format", "parquet"])
        .output()
        .unwrap();
    assert!(!fail.status.success());
    assert!(String::from_utf8_lossy(&fail.stderr).contains("--out"));
}

#[test]
fn trends_rejects_unknown_body_and_language() {
    let data = data_with_codes();
    for (args, needle) in [
        (["trends", "--body", "UN"], "--body UN"),
        (["trends", "--lang", "fr"], "--lang fr"),
    ] {
        let out = scoway(data.path()).args(args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{err}");
    }
}

#[test]
fn export_writes_frames_dictionary_manifest_and_charts() {
    let data = data_with_codes();
    // Outside the data directory: scoway refuses to export into it.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("export");
    let out_s = out.to_str().unwrap();
    let report = run_json(data.path(), &["export", "--out", out_s, "--json"]);
    assert_eq!(report["documents"], 5);
    for spec in dictionary::EXPORTED {
        let df = read_parquet(&out.join(format!("{}.parquet", spec.name)));
        assert_eq!(df.schema().as_ref(), &spec.schema(), "{}", spec.name);
        assert!(out.join(format!("{}.csv", spec.name)).is_file());
    }
    assert_eq!(read_parquet(&out.join("documents.parquet")).height(), 5);
    assert_eq!(
        read_parquet(&out.join("paragraph_codes.parquet")).height(),
        55
    );
    assert_eq!(read_parquet(&out.join("evidence.parquet")).height(), 14);

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["corpus"]["sha256"]["d5.ru"], "h5");
    assert_eq!(manifest["corpus"]["documents"], 5);
    assert!(manifest["scoway_version"].is_string());
    assert!(manifest["codebook"]["sha256"].is_string());
    assert_eq!(manifest["parameters"]["bootstrap_resamples"], 1000);
    // The codes were "built" with another codebook than the bundled one: the user is told.
    assert!(!manifest["warnings"].as_array().unwrap().is_empty());

    let dict = std::fs::read_to_string(out.join("DATA_DICTIONARY.md")).unwrap();
    for spec in dictionary::EXPORTED {
        assert!(dict.contains(&format!("## `{}`", spec.name)));
    }

    // PNG charts need a font with Chinese glyphs (CI installs one); without one only the
    // SVG charts are written, with a note (tests/cli/charts.rs covers that machine).
    let font = scoway::report::find_font();
    for d in scoway::code::DIMENSIONS {
        let png_path = out.join(format!("charts/trend_{d}.png"));
        match &font {
            Ok(_) => {
                let png = std::fs::read(&png_path).expect("png");
                assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{d}.png is a PNG");
            }
            Err(_) => assert!(!png_path.exists(), "a PNG without a font"),
        }
        let svg = std::fs::read_to_string(out.join(format!("charts/trend_{d}.svg"))).expect("svg");
        assert!(
            svg.contains("<svg") && svg.contains(d),
            "{d}.svg names its dimension"
        );
    }
    let svg = std::fs::read_to_string(out.join("charts/heatmap.svg")).unwrap();
    assert!(
        svg.contains("安全合作拓展"),
        "the heatmap labels rows in Chinese"
    );
    assert_eq!(out.join("charts/heatmap.png").is_file(), font.is_ok());
}

#[test]
fn export_options_reach_the_manifest() {
    let data = data_with_codes();
    // Outside the data directory: scoway refuses to export into it.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("export");
    let out_s = out.to_str().unwrap();
    let stdout = run_ok(
        data.path(),
        &[
            "export",
            "--out",
            out_s,
            "--no-charts",
            "--resamples",
            "50",
            "--seed",
            "3",
            "--penalty",
            "4.5",
        ],
    );
    assert!(stdout.contains("exported 5 documents"), "{stdout}");
    assert!(!out.join("charts").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["parameters"]["bootstrap_resamples"], 50);
    assert_eq!(manifest["parameters"]["seed"], 3);
    assert_eq!(manifest["parameters"]["break_penalty"], 4.5);
}

#[test]
fn export_refuses_the_root_the_data_directory_and_symlinks() {
    let data = data_with_codes();
    let d = data.path();
    let refused = |out: &Path, why: &str| {
        let o = scoway(d)
            .args(["export", "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", out.display());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("refusing to export into") && err.contains(why),
            "{err}"
        );
    };
    refused(Path::new("/"), "root of the file system");
    refused(&d.join("exports"), "inside the data directory");
    refused(d, "inside the data directory");
    assert!(!d.join("exports").exists());
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        let target = elsewhere.path().join("target");
        std::fs::create_dir(&target).unwrap();
        let link = elsewhere.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        refused(&link, "symbolic link");
        assert_eq!(
            std::fs::read_dir(&target).unwrap().count(),
            0,
            "nothing written through it"
        );
    }
}
