//! Charts of the theme trends (plotters; SVG and PNG).
//!
//! SVG charts need no font on our side: the file names the generic `sans-serif` family and
//! the viewer draws the text with its own fonts. [`SvgText`] measures text for the layout
//! without a font, so the SVG files are written on any machine. Only rasterising the PNG
//! files needs a font with Chinese glyphs (titles and labels are Chinese); it is found at run
//! time ([`find_font`]): `SCOWAY_FONT`, else the folders of `SCOWAY_FONT_DIRS`, else the usual
//! system paths. Without one the PNG files are skipped with one note ([`png_font`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod svg;
pub use svg::SvgText;

/// Errors of drawing charts.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "no font with Chinese glyphs for the PNG charts; searched: {}. Install one \
         (Debian/Ubuntu: `apt-get install fonts-wqy-microhei`), set SCOWAY_FONT to a \
         .ttf/.otf/.ttc file with CJK glyphs, or SCOWAY_FONT_DIRS to folders holding one",
        searched.join(", ")
    )]
    NoFont { searched: Vec<String> },
    #[error("font {}: {message}", path.display())]
    BadFont { path: PathBuf, message: String },
    #[error("drawing {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Font files tried after `SCOWAY_FONT` when `SCOWAY_FONT_DIRS` is not set, in order.
pub const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// How deep [`find_font`] looks into each folder of `SCOWAY_FONT_DIRS`.
const FONT_DIR_DEPTH: usize = 4;

/// The font file for the PNG charts: `SCOWAY_FONT` when set (it must exist and have CJK
/// glyphs); else the first font file with CJK glyphs in the folders of `SCOWAY_FONT_DIRS`
/// (a search path, `:`-separated, `;` on Windows), searched instead of the system paths;
/// else the first of [`FONT_CANDIDATES`] that exists and has them.
pub fn find_font() -> Result<PathBuf, ReportError> {
    if let Some(path) = std::env::var_os("SCOWAY_FONT").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        load_font(&path)?;
        return Ok(path);
    }
    let mut searched = vec!["$SCOWAY_FONT (unset)".to_string()];
    let candidates: Vec<PathBuf> = match std::env::var_os("SCOWAY_FONT_DIRS") {
        Some(dirs) => {
            let dirs: Vec<PathBuf> = std::env::split_paths(&dirs)
                .filter(|d| !d.as_os_str().is_empty())
                .collect();
            searched.push(format!(
                "$SCOWAY_FONT_DIRS ({})",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            dirs.iter().flat_map(|d| font_files(d)).collect()
        }
        None => {
            searched.extend(FONT_CANDIDATES.iter().map(|c| (*c).to_string()));
            FONT_CANDIDATES.iter().map(PathBuf::from).collect()
        }
    };
    for path in candidates {
        if path.is_file() && load_font(&path).is_ok() {
            return Ok(path);
        }
    }
    Err(ReportError::NoFont { searched })
}

/// `.ttf`, `.ttc` and `.otf` files under `dir`, in name order.
fn font_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .max_depth(FONT_DIR_DEPTH)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "ttf" | "ttc" | "otf"))
        })
        .collect();
    files.sort();
    files
}

/// Reads a font file and checks it can draw Chinese.
fn load_font(path: &Path) -> Result<Vec<u8>, ReportError> {
    use ab_glyph::Font;
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let font = ab_glyph::FontRef::try_from_slice(&bytes).map_err(|e| ReportError::BadFont {
        path: path.to_path_buf(),
        message: format!("not a readable TrueType/OpenType font ({e})"),
    })?;
    if font.glyph_id('合').0 == 0 || font.glyph_id('a').0 == 0 {
        return Err(ReportError::BadFont {
            path: path.to_path_buf(),
            message: "has no Chinese glyphs (choose a CJK font, e.g. WenQuanYi Micro Hei or \
                      Noto Sans CJK)"
                .to_string(),
        });
    }
    Ok(bytes)
}

static FONT: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The font of the PNG charts, registered with plotters as `sans-serif` (looked up once per
/// process). The error says what is missing and how to add it.
pub fn png_font() -> Result<PathBuf, String> {
    FONT.get_or_init(|| {
        let path = find_font().map_err(|e| e.to_string())?;
        let bytes = load_font(&path).map_err(|e| e.to_string())?;
        // plotters keeps fonts for the life of the process and wants them 'static.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| format!("font {}: plotters cannot load it", path.display()))?;
        Ok(path)
    })
    .clone()
}

/// What to draw besides the chart itself.
#[derive(Debug, Clone, Default)]
pub struct ChartOptions {
    /// Also rasterise a PNG (only when [`png_font`] found a font).
    pub png: bool,
    /// A line under the title (e.g. that the corpus is made of fixtures), drawn in red.
    pub subtitle: Option<String>,
}

/// The Chinese name of a dimension (the paper's terms), for chart labels.
pub fn dimension_label(key: &str) -> &'static str {
    match key {
        "security_spillover" => "安全合作拓展",
        "recognition" => "基于承认的合作理念",
        "balanced_power" => "相互平衡的权力分布",
        "differential_institutions" => "差序性的制度架构",
        "networked_circles" => "网状圈层的互动模式",
        _ => "",
    }
}

/// One point of a yearly series, in percent.
#[derive(Debug, Clone, Copy)]
pub struct SeriesPoint {
    pub x: i32,
    pub y: f64,
    pub low: f64,
    pub high: f64,
}

/// One line of a trend chart.
#[derive(Debug, Clone)]
pub struct TrendLine {
    pub label: String,
    pub points: Vec<SeriesPoint>,
    /// Breaks: (first year of the new segment, shift in percentage points).
    pub breaks: Vec<(i32, f64)>,
}

/// The dimension × year grid of the heatmap, in percent.
#[derive(Debug, Clone)]
pub struct HeatmapData {
    /// Dimension keys (rows, top to bottom).
    pub rows: Vec<String>,
    pub years: Vec<i32>,
    /// `values[row][year]`.
    pub values: Vec<Vec<Option<f64>>>,
    /// Caption (default: the dimension × year caption of the trend heatmap).
    pub title: Option<String>,
    /// Caption of the colour scale (default `%`).
    pub unit: Option<String>,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

const SIZE: (u32, u32) = (1100, 650);
const FONT_FAMILY: &str = "sans-serif";

fn draw_error(path: &Path) -> impl Fn(String) -> ReportError + '_ {
    move |message| ReportError::Draw {
        path: path.to_path_buf(),
        message,
    }
}

/// Draws `<stem>.svg`, and `<stem>.png` when `opts.png` and a font is there, with `draw`.
fn both_backends(
    stem: &Path,
    size: (u32, u32),
    opts: &ChartOptions,
    svg: impl FnOnce(DrawingArea<SvgText, Shift>) -> Result<(), String>,
    png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<Vec<PathBuf>, ReportError> {
    if let Some(dir) = stem.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let svg_path = stem.with_extension("svg");
    svg(SvgText::new(&svg_path, size).into_drawing_area()).map_err(draw_error(&svg_path))?;
    let mut files = vec![svg_path];
    if opts.png && png_font().is_ok() {
        let png_path = stem.with_extension("png");
        png(BitMapBackend::new(&png_path, size).into_drawing_area())
            .map_err(draw_error(&png_path))?;
        files.push(png_path);
    }
    Ok(files)
}

/// The trend chart of one dimension: `<stem>.svg` (and `<stem>.png`, see [`ChartOptions`]).
pub fn line_chart(
    stem: &Path,
    dimension: &str,
    series: &[TrendLine],
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    let subtitle = opts.subtitle.as_deref();
    both_backends(
        stem,
        SIZE,
        opts,
        |area| draw_line_chart(with_subtitle(area, subtitle)?, dimension, series),
        |area| draw_line_chart(with_subtitle(area, subtitle)?, dimension, series),
    )
}

/// The trend chart of one dimension as SVG text, for pages that embed it (`scoway serve`);
/// the same drawing as [`line_chart`]'s file.
pub fn line_chart_svg(
    dimension: &str,
    series: &[TrendLine],
    subtitle: Option<&str>,
) -> Result<String, ReportError> {
    let mut svg = String::new();
    {
        let area = SvgText::with_string(&mut svg, SIZE).into_drawing_area();
        with_subtitle(area, subtitle)
            .and_then(|area| draw_line_chart(area, dimension, series))
            .map_err(|message| ReportError::Draw {
                path: PathBuf::from(format!("(chart of {dimension} in memory)")),
                message,
            })?;
    }
    Ok(svg)
}

/// The dimension × year heatmap: `<stem>.svg` (and `<stem>.png`, see [`ChartOptions`]).
pub fn heatmap(
    stem: &Path,
    data: &HeatmapData,
    opts: &ChartOptions,
) -> Result<Vec<PathBuf>, ReportError> {
    let size = (
        SIZE.0.max(420 + 44 * data.years.len() as u32),
        120 + 70 * data.rows.len().max(1) as u32 + if opts.subtitle.is_some() { 34 } else { 0 },
    );
    let subtitle = opts.subtitle.as_deref();
    both_backends(
        stem,
        size,
        opts,
        |area| draw_heatmap(with_subtitle(area, subtitle)?, data),
        |area| draw_heatmap(with_subtitle(area, subtitle)?, data),
    )
}

/// Height of the subtitle band at the top of a chart.
const SUBTITLE_HEIGHT: u32 = 34;

/// Fills the chart white, writes `subtitle` (if any) in a band at the top, and returns the
/// area below it for the chart.
fn with_subtitle<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    subtitle: Option<&str>,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let Some(text) = subtitle else {
        return Ok(root);
    };
    let (band, rest) = root.split_vertically(SUBTITLE_HEIGHT);
    let (width, _) = band.dim_in_pixel();
    let style = (FONT_FAMILY, 19)
        .into_font()
        .color(&RGBColor(190, 0, 0))
        .pos(Pos::new(HPos::Center, VPos::Center));
    band.draw_text(
        text,
        &style,
        (
            i32::try_from(width / 2).unwrap_or(0),
            (SUBTITLE_HEIGHT / 2) as i32 + 4,
        ),
    )
    .map_err(err)?;
    Ok(rest)
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn draw_line_chart<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    dimension: &str,
    series: &[TrendLine],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let points = series.iter().flat_map(|s| s.points.iter());
    let (mut first, mut last, mut top) = (i32::MAX, i32::MIN, 0f64);
    for p in points {
        first = first.min(p.x);
        last = last.max(p.x);
        top = top.max(p.high).max(p.y);
    }
    if first > last {
        (first, last) = (2001, 2001);
    }
    // One segment per year; plotters cannot map a range holding a single value.
    let (x0, x1) = if first == last {
        (first - 1, last + 1)
    } else {
        (first, last)
    };
    // Headroom above the data for the legend.
    let top = if top > 0.0 { top * 1.4 } else { 10.0 };
    let zh = dimension_label(dimension);
    let title = if zh.is_empty() {
        format!("{dimension}: share of paragraphs coded, by year")
    } else {
        format!("{zh} ({dimension}): share of paragraphs coded, by year")
    };
    let n_years = (x1 - x0 + 1) as usize;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT_FAMILY, 26))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(75)
        .build_cartesian_2d((x0..x1).into_segmented(), 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("year")
        .y_desc("paragraphs coded (%)")
        .x_labels(n_years.min(15))
        .y_labels(8)
        // The headroom above 100 % holds the legend; it is not a value a share can take.
        .y_label_formatter(&|y| {
            if *y > 100.0 + 1e-9 {
                String::new()
            } else {
                format!("{y:.0}")
            }
        })
        .label_style((FONT_FAMILY, 16))
        .axis_desc_style((FONT_FAMILY, 18))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.08))
        .draw()
        .map_err(err)?;
    let at = |year: i32| SegmentValue::CenterOf(year);

    // Bands first, so that no line is hidden under another series' band.
    for (i, s) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        if s.points.len() >= 2 {
            let mut band: Vec<(SegmentValue<i32>, f64)> =
                s.points.iter().map(|p| (at(p.x), p.high)).collect();
            band.extend(s.points.iter().rev().map(|p| (at(p.x), p.low)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.15).filled(),
                )))
                .map_err(err)?;
        } else {
            chart
                .draw_series(s.points.iter().map(|p| {
                    PathElement::new(
                        vec![(at(p.x), p.low), (at(p.x), p.high)],
                        color.mix(0.5).stroke_width(6),
                    )
                }))
                .map_err(err)?;
        }
    }
    let mut any_break = false;
    let mut legend: Vec<(String, Mark)> = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(plotters::series::LineSeries::new(
                s.points.iter().map(|p| (at(p.x), p.y)),
                color.stroke_width(3),
            ))
            .map_err(err)?;
        legend.push((s.label.clone(), Mark::Line(color)));
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|p| Circle::new((at(p.x), p.y), 4, color.filled())),
            )
            .map_err(err)?;
        // Labels of different series are staggered so that breaks in the same year stay legible.
        let label_y = top * (0.74 - 0.055 * i as f64);
        for &(year, shift) in &s.breaks {
            any_break = true;
            // The boundary between the last year before the break and the break year.
            let x = SegmentValue::Exact(year);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x.clone(), 0.0), (x.clone(), label_y)],
                    8,
                    5,
                    color.stroke_width(2),
                ))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(" {year}: {shift:+.1} pp"),
                    (x, label_y),
                    (FONT_FAMILY, 15).into_font().color(&color),
                )))
                .map_err(err)?;
        }
    }
    let grey = RGBColor(90, 90, 90);
    legend.push((
        "95 % bootstrap interval (band)".to_string(),
        Mark::Band(grey),
    ));
    if any_break {
        legend.push((
            "structural break: first year of the new level, shift in pp".to_string(),
            Mark::Dashed(grey),
        ));
    }
    draw_legend(&chart.plotting_area().strip_coord_spec(), &legend)?;
    root.present().map_err(err)
}

/// The sample drawn before a legend entry.
enum Mark {
    Line(RGBColor),
    Band(RGBColor),
    Dashed(RGBColor),
}

/// The legend, in the upper left corner of `area`. Drawn here rather than by plotters'
/// series labels, which measure their text with a registered font: the SVG charts have none,
/// and the size of each line comes from the backend ([`SvgText`] estimates it).
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<(), String> {
    const MARGIN: i32 = 8;
    const MARK: i32 = 22;
    const GAP: i32 = 8;
    const LINE: i32 = 22;
    let style = (FONT_FAMILY, 16).into_font().color(&BLACK);
    let mut text_width = 0;
    for (label, _) in entries {
        let (w, _) = area.estimate_text_size(label, &style).map_err(err)?;
        text_width = text_width.max(i32::try_from(w).unwrap_or(i32::MAX / 4));
    }
    let rows = i32::try_from(entries.len()).unwrap_or(0);
    let (x0, y0) = (12, 12);
    let corner = (
        x0 + 2 * MARGIN + MARK + GAP + text_width,
        y0 + 2 * MARGIN + LINE * rows,
    );
    area.draw(&Rectangle::new(
        [(x0, y0), corner],
        WHITE.mix(0.85).filled(),
    ))
    .map_err(err)?;
    area.draw(&Rectangle::new([(x0, y0), corner], BLACK.mix(0.3)))
        .map_err(err)?;
    let left = style.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (label, mark)) in entries.iter().enumerate() {
        let y = y0 + MARGIN + LINE * i32::try_from(i).unwrap_or(0) + LINE / 2;
        let x = x0 + MARGIN;
        match mark {
            Mark::Line(c) => area.draw(&PathElement::new(
                vec![(x, y), (x + MARK, y)],
                c.stroke_width(3),
            )),
            Mark::Band(c) => area.draw(&Rectangle::new(
                [(x, y - 6), (x + MARK, y + 6)],
                c.mix(0.2).filled(),
            )),
            Mark::Dashed(c) => area.draw(&plotters::element::DashedPathElement::new(
                vec![(x, y), (x + MARK, y)],
                5,
                3,
                c.stroke_width(2),
            )),
        }
        .map_err(err)?;
        area.draw(&Text::new(label.clone(), (x + MARK + GAP, y), left.clone()))
            .map_err(err)?;
    }
    Ok(())
}

/// White → dark blue, by `t` in [0, 1].
fn blues(t: f64) -> RGBColor {
    let stops = [
        (247.0, 251.0, 255.0),
        (198.0, 219.0, 239.0),
        (107.0, 174.0, 214.0),
        (33.0, 113.0, 181.0),
        (8.0, 48.0, 107.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (stops.len() - 1) as f64;
    let i = (pos.floor() as usize).min(stops.len() - 2);
    let f = pos - i as f64;
    let mix = |a: f64, b: f64| (a + f * (b - a)).round() as u8;
    let (a, b) = (stops[i], stops[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn draw_heatmap<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    data: &HeatmapData,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (width, _) = root.dim_in_pixel();
    let (main, side) = root.split_horizontally(width.saturating_sub(130));
    let n_cols = data.years.len().max(1);
    let n_rows = data.rows.len().max(1);
    let vmax = data
        .values
        .iter()
        .flatten()
        .flatten()
        .fold(0f64, |m, v| m.max(*v));
    let vmax = if vmax > 0.0 { vmax } else { 1.0 };
    let labels: Vec<String> = data
        .rows
        .iter()
        .map(|k| {
            let zh = dimension_label(k);
            if zh.is_empty() {
                k.clone()
            } else {
                format!("{zh} {k}")
            }
        })
        .collect();
    // One segment per column and row; plotters cannot map a range holding a single value.
    let (x_hi, y_hi) = (n_cols.max(2) as i32 - 1, n_rows.max(2) as i32 - 1);
    let mut chart = ChartBuilder::on(&main)
        .caption(
            data.title
                .as_deref()
                .unwrap_or("各维度段落编码比例 — share of paragraphs coded (%), dimension × year"),
            (FONT_FAMILY, 24),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(330)
        .build_cartesian_2d((0..x_hi).into_segmented(), (0..y_hi).into_segmented())
        .map_err(err)?;
    // Row 0 (the first dimension) is drawn at the top.
    let row_of = |i: usize| y_hi - i as i32;
    let row_label = |v: &SegmentValue<i32>| -> String {
        match v {
            SegmentValue::CenterOf(y) => usize::try_from(y_hi - y)
                .ok()
                .and_then(|i| labels.get(i))
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let col_label = |v: &SegmentValue<i32>| -> String {
        match v {
            SegmentValue::CenterOf(x) => usize::try_from(*x)
                .ok()
                .and_then(|j| data.years.get(j))
                .map(|y| y.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("year")
        .x_labels(n_cols.max(2))
        .y_labels(n_rows.max(2))
        .x_label_formatter(&col_label)
        .y_label_formatter(&row_label)
        .label_style((FONT_FAMILY, 15))
        .axis_desc_style((FONT_FAMILY, 17))
        .draw()
        .map_err(err)?;
    let show_values = n_cols <= 30;
    for (i, row) in data.values.iter().enumerate() {
        let y = row_of(i);
        for (j, v) in row.iter().enumerate() {
            let x = j as i32;
            let fill = match v {
                Some(v) => blues(v / vmax).filled(),
                None => RGBColor(225, 225, 225).filled(),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    fill,
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    WHITE.stroke_width(2),
                )))
                .map_err(err)?;
            if show_values {
                let (text, color) = match v {
                    Some(v) if v / vmax > 0.55 => (format!("{v:.0}"), WHITE),
                    Some(v) => (format!("{v:.0}"), BLACK),
                    None => ("–".to_string(), BLACK),
                };
                let style = (FONT_FAMILY, 14)
                    .into_font()
                    .color(&color)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y)),
                        style,
                    )))
                    .map_err(err)?;
            }
        }
    }

    // Colour scale.
    let mut scale = ChartBuilder::on(&side)
        .margin_top(60)
        .margin_bottom(65)
        .margin_right(15)
        .y_label_area_size(55)
        .caption(data.unit.as_deref().unwrap_or("%"), (FONT_FAMILY, 16))
        .build_cartesian_2d(0f64..1f64, 0f64..vmax)
        .map_err(err)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        // A small scale (grades 0–5) needs its decimals, or the ticks repeat one number.
        .y_label_formatter(&|v| {
            if vmax <= 10.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        })
        .label_style((FONT_FAMILY, 14))
        .draw()
        .map_err(err)?;
    let steps = 50;
    scale
        .draw_series((0..steps).map(|k| {
            let lo = vmax * k as f64 / steps as f64;
            let hi = vmax * (k + 1) as f64 / steps as f64;
            Rectangle::new(
                [(0.0, lo), (1.0, hi)],
                blues((lo + hi) / 2.0 / vmax).filled(),
            )
        }))
        .map_err(err)?;
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_scale_runs_light_to_dark() {
        let (a, b) = (blues(0.0), blues(1.0));
        assert!(
            u32::from(a.0) + u32::from(a.1) + u32::from(a.2)
                > u32::from(b.0) + u32::from(b.1) + u32::from(b.2)
        );
        assert_eq!(blues(f64::NAN), blues(0.0));
    }

    #[test]
    fn dimension_labels_cover_the_five_dimensions() {
        for d in crate::code::DIMENSIONS {
            assert!(!dimension_label(d).is_empty(), "{d}");
        }
    }
}
